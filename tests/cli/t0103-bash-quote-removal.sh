#!/usr/bin/env bash
# t0103: bash itself as the oracle for quote removal. For every line of the
# nl2bash corpus, tests/shfmt/bash-syntax.cm and tests/shfmt/quoting.cm that
# our parser reads as one simple command needing no further expansion (see
# tests/tools/shell-bash-words.c), bash runs "set -- LINE" and prints "$@";
# our word values must match byte for byte, with no exception.
# bash runs restricted (-r), with an empty PATH, in a scratch directory: the
# lines are plain words, and even a misparse cannot run a program.
. "$(dirname "$0")/lib.sh"

drv=$(dirname "$BLASTWALL")/tools/shell-bash-words
bash_bin=$(command -v bash)
if [ ! -x "$drv" ]; then
	fail "driver $drv is missing (make all builds tests/tools/*.c)"
	exit 0
fi
mkdir -p "$T/empty" "$T/run"
utf8=C.UTF-8
if [ "$(env -i LC_ALL=$utf8 "$bash_bin" -c "printf %s \$'\\u00e9'" 2>/dev/null)" != "é" ]; then
	utf8=
fi
for corpus in "$SHARED/corpora/nl2bash.cm" "$TESTS_DIR/shfmt/bash-syntax.cm" "$TESTS_DIR/shfmt/quoting.cm"; do
	name=$(basename "$corpus")
	if [ ! -r "$corpus" ]; then
		skip "bash agrees with our quote removal on $name" "$corpus not found"
		continue
	fi
	if [ "$name" = quoting.cm ] && [ -z "$utf8" ]; then
		skip "bash agrees with our quote removal on $name" "no C.UTF-8 locale for bash's \\u escapes"
		continue
	fi
	"$drv" script "$corpus" >"$T/$name.sh"
	# chunks, so that a line bash rejected costs only the rest of its chunk
	rm -f "$T"/chunk.*
	split -l 2000 "$T/$name.sh" "$T/chunk."
	: >"$T/$name.out"
	for c in "$T"/chunk.*; do
		(cd "$T/run" && env -i PATH="$T/empty" ${utf8:+LC_ALL=$utf8} "$bash_bin" --norc --noprofile -r "$c") \
			>>"$T/$name.out" 2>>"$T/$name.err"
	done
	"$drv" compare "$corpus" <"$T/$name.out" >"$T/$name.res"
	summary=$(tail -n 1 "$T/$name.res")
	echo "# $name: $summary"
	eligible=$(sed -n 's/.*eligible=\([0-9]*\).*/\1/p' <<<"$summary")
	agree=$(sed -n 's/.* agree=\([0-9]*\).*/\1/p' <<<"$summary")
	if [ -n "$eligible" ] && [ "$eligible" -gt 0 ] && [ "$agree" = "$eligible" ]; then
		pass "bash agrees with our quote removal on all $eligible plain commands of $name"
	else
		fail "bash and our quote removal differ on $name ($summary)"
		grep -A3 -E '^(disagree|missing) ' "$T/$name.res" | head -n 24
		sed 's/^/#   bash: /' "$T/$name.err" | head -n 5
	fi
done
