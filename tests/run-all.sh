#!/usr/bin/env bash
# The whole test suite, as "make check" and CI run it:
#   1. unit tests, 2. CLI tests (corpus, hooks, terraform, backups),
#   3. the same unit and CLI tests again under ASan+UBSan.
# The last line adds everything up: "N passed, N failed".
set -u
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1
total_p=0 total_f=0
tally() { # reads a summary line "...: N passed, N failed..."
	local line
	line=$(grep -E '^[a-z-]+: [0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
	local p f
	p=$(sed -E 's/^[a-z-]+: ([0-9]+) passed.*/\1/' <<<"$line")
	f=$(sed -E 's/^[a-z-]+: [0-9]+ passed, ([0-9]+) failed.*/\1/' <<<"$line")
	[ -n "$p" ] || p=0
	[ -n "$f" ] || f=1
	total_p=$((total_p + p)) total_f=$((total_f + f))
}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

echo "== lint"
if scripts/lint.sh; then echo "lint: 1 passed, 0 failed"; else echo "lint: 0 passed, 1 failed"; fi | tee "$log"; tally "$log"
echo "== unit tests"
tests/run-unit.sh "$build"/tests/test_* | tee "$log"; tally "$log"
echo "== cli tests"
BLASTWALL="$root/$build/blastwall" tests/cli/run.sh | tee "$log"; tally "$log"

if [ "${BW_SKIP_SANITIZE:-0}" != 1 ]; then
	echo "== sanitizers (ASan + UBSan)"
	if make -s sanitize >"$log" 2>&1; then
		export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
		tests/run-unit.sh build-asan/tests/test_* | sed 's/^unit:/asan-unit:/' | tee "$log"; tally "$log"
		BW_SANITIZED=1 BLASTWALL="$root/build-asan/blastwall" tests/cli/run.sh | sed 's/^cli:/asan-cli:/' | tee "$log"; tally "$log"
	else
		cat "$log"; echo "sanitizer build failed"; total_f=$((total_f + 1))
	fi
fi
echo "${total_p} passed, ${total_f} failed"
[ "$total_f" -eq 0 ]
