#!/bin/bash
set -euo pipefail

deploy() {
	local env=${1:?env}
	if [[ $env == prod ]]; then
		read -r -p "really? " ok
		[[ $ok == yes ]] || return 1
	fi
	for svc in api worker; do
		kubectl -n "$env" rollout restart "deploy/$svc" &
	done
	wait
}

case "${1:-}" in
	deploy) shift; deploy "$@" ;;
	clean)
		find . -name '*.tmp' -print0 | xargs -0 rm -f
		;;
	*)
		echo "usage: $0 deploy|clean" >&2
		exit 2
		;;
esac

until pg_isready -h localhost; do
	sleep 1
done

i=0
while (( i < 3 )); do
	i=$((i + 1))
	echo "try $i" | tee -a log.txt
done

{
	echo header
	cat body.txt
} > out.txt 2> err.txt

( cd sub && make ) || echo failed
