#!/usr/bin/env bash
# Runs each unit-test binary given as an argument and sums their
# "N passed, N failed" lines into one.
set -u
pass=0 fail=0
for t in "$@"; do
	out=$("$t" 2>&1) ; rc=$?
	last=$(printf '%s\n' "$out" | tail -n 1)
	if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
		p=${BASH_REMATCH[1]} f=${BASH_REMATCH[2]}
	else
		p=0 f=1
	fi
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	if [ "$f" -ne 0 ]; then
		printf '%s\n' "$out" | grep -v '^[0-9]* passed, [0-9]* failed$' | tail -n 40
		echo "unit: $(basename "$t"): $p passed, $f failed (exit $rc)"
	else
		echo "unit: $(basename "$t"): $p passed"
	fi
	pass=$((pass + p)) fail=$((fail + f))
done
echo "unit: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
