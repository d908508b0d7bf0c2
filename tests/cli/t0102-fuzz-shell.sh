#!/usr/bin/env bash
# t0102: a short libFuzzer run of fuzz/fuzz_shell.c (parse, walk, dump) under
# ASan+UBSan, about 10 seconds, seeded with tests/shfmt/bash-syntax.cm.
# Skips when clang or its fuzzer runtime is missing. The target is built here
# from the parser's sources (and the few common files it uses) so that the
# parser is coverage-instrumented whatever $BLASTWALL was built with.
. "$(dirname "$0")/lib.sh"

root=$(cd "$TESTS_DIR/.." && pwd)
if ! command -v clang >/dev/null 2>&1; then
	skip "fuzz the shell parser for 10 s" "clang is not installed"
	exit 0
fi
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }\n' >"$T/probe.c"
if ! clang -fsanitize=fuzzer,address,undefined -o "$T/probe" "$T/probe.c" >/dev/null 2>&1; then
	skip "fuzz the shell parser for 10 s" "clang's libFuzzer runtime is missing (apt-get install libclang-rt-14-dev)"
	exit 0
fi
if ! clang -std=c11 -D_GNU_SOURCE -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-I"$root/src" -o "$T/fuzz_shell" "$root/fuzz/fuzz_shell.c" "$root"/src/shell/*.c \
	"$root"/src/common/{arena,buf,err,str,util}.c -lm >"$T/cc.log" 2>&1; then
	fail "build the shell fuzz target"
	sed 's/^/#   /' "$T/cc.log" | head -n 20
	exit 0
fi
pass "build the shell fuzz target"
mkdir -p "$T/corpus" "$T/seed"
i=0
while IFS= read -r line; do
	i=$((i + 1))
	printf '%s' "$line" >"$T/seed/s$i"
done <"$TESTS_DIR/shfmt/bash-syntax.cm"
(cd "$T" && ./fuzz_shell -max_total_time=10 -max_len=1024 -timeout=5 -rss_limit_mb=1024 \
	corpus seed >"$T/fuzz.log" 2>&1)
rc=$?
runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$T/fuzz.log")
if [ "$rc" -eq 0 ] && [ -n "$runs" ]; then
	pass "fuzzed the shell parser for 10 s: $runs inputs, no crash, leak or hang"
else
	fail "the shell fuzz target failed (exit $rc)"
	grep -E 'ERROR|SUMMARY|runtime error|#[0-9]+ ' "$T/fuzz.log" | head -n 30 | sed 's/^/#   /'
	for c in "$T"/crash-* "$T"/timeout-* "$T"/leak-*; do
		[ -e "$c" ] && printf '#   input (base64): %s\n' "$(base64 -w0 "$c")"
	done
fi
