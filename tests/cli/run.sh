#!/usr/bin/env bash
# Runs every tests/cli/t*.sh (or the ones named) and counts ok / not ok lines.
# Last line: "cli: N passed, N failed, N skipped".
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${BLASTWALL:?set BLASTWALL to the built binary}"
export BLASTWALL
pass=0 fail=0 skipped=0
scripts=("$@")
[ ${#scripts[@]} -eq 0 ] && scripts=("$here"/t[0-9]*.sh)
for s in "${scripts[@]}"; do
	[ -e "$s" ] || continue
	name=$(basename "$s" .sh)
	out=$(bash "$s" 2>&1); rc=$?
	p=$(grep -c '^ok - ' <<<"$out" | tr -d ' ')
	sk=$(grep -c '^ok - .*# SKIP' <<<"$out" | tr -d ' ')
	f=$(grep -c '^not ok - ' <<<"$out" | tr -d ' ')
	p=$((p - sk))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1; out+=$'\n'"not ok - $name exited $rc"
	fi
	if [ "$f" -ne 0 ]; then
		grep -v '^ok - ' <<<"$out" | head -n 60
	fi
	grep '# SKIP' <<<"$out" | sed "s/^/$name: /"
	echo "cli: $name: $p passed, $f failed, $sk skipped"
	pass=$((pass + p)) fail=$((fail + f)) skipped=$((skipped + sk))
done
echo "cli: $pass passed, $fail failed, $skipped skipped"
[ "$fail" -eq 0 ]
