#!/usr/bin/env bash
# bench/run-all.sh BLASTWALL: "make bench" — every benchmark in bench/, one
# after another (they compete for the same two cores, so never in parallel).
# Each writes its RESULTS.md next to its script; the README quotes them.
# Installs the comparison tools first (hyperfine, restic, jq, node/npm, GNU time).
set -u
bw=$(realpath "${1:-build/blastwall}")
build=$(dirname "$bw")
here=$(cd "$(dirname "$0")" && pwd)
"$here/../scripts/deps.sh" bench || exit 1
failed=0
run() {
	echo "== $*"
	"$@" || { echo "bench: '$*' failed" >&2; failed=1; }
}
run bash "$here/shell-parse/run.sh" "$build"
run bash "$here/guard/run.sh" "$build"
run bash "$here/hook-latency/run.sh" "$bw"
run bash "$here/plan/run.sh" "$bw"
run bash "$here/plan/hook-destroy.sh" "$bw"
run bash "$here/chunker/run.sh" "$build"
run bash "$here/repo-ingest/run.sh" "$build"
run bash "$here/backup/run.sh" "$bw"
run bash "$here/backup-schema/run.sh" "$bw"
exit $failed
