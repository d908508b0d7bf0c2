#!/usr/bin/env bash
# t0101: the shfmt differential on tests/shfmt/bash-syntax.cm: one-line
# commands in the bash syntax agents write (compound commands, functions,
# arrays, [[ ]], process and nested substitutions, redirections). These are
# hand-picked: shfmt must accept every line and every line must agree. Then
# the multi-line scripts in tests/shfmt/scripts/ are compared whole.
. "$(dirname "$0")/lib.sh"

drv=$(dirname "$BLASTWALL")/tools/shell-shfmt-diff
corpus=$TESTS_DIR/shfmt/bash-syntax.cm
if ! command -v shfmt >/dev/null 2>&1; then
	skip "parser agrees with shfmt on bash-syntax.cm" "shfmt is not installed (apt-get install shfmt)"
	exit 0
fi
if [ ! -x "$drv" ]; then
	fail "driver $drv is missing (make all builds tests/tools/*.c)"
	exit 0
fi
"$drv" "$corpus" >"$T/results" 2>"$T/err" || { fail "driver failed"; sed 's/^/#   /' "$T/err"; exit 0; }
total=$(grep -c . "$corpus")
agree=$(grep -c '^agree ' "$T/results")
rejected=$(grep -c '^shfmt-rejects ' "$T/results")
printf '# bash-syntax.cm: %d of %d agree, shfmt rejects %d\n' "$agree" "$total" "$rejected"
if [ "$rejected" -eq 0 ]; then pass "shfmt accepts every line of bash-syntax.cm"; else
	fail "shfmt rejects $rejected lines of bash-syntax.cm (fix the corpus)"
	grep '^shfmt-rejects' "$T/results" | sed 's/^/#   /'
fi
if [ "$agree" -eq "$total" ]; then pass "parser agrees with shfmt on all of bash-syntax.cm"; else
	fail "parser disagrees with shfmt on $((total - agree)) of $total lines of bash-syntax.cm"
	grep -v '^agree ' "$T/results" | head -n 40
fi

# multi-line scripts (heredocs, continuations, compound commands): whole files
for f in "$TESTS_DIR"/shfmt/scripts/*.sh; do
	name=$(basename "$f")
	if ! shfmt --tojson <"$f" >"$T/$name.json" 2>"$T/$name.err"; then
		fail "shfmt accepts scripts/$name"
		sed 's/^/#   /' "$T/$name.err"
		continue
	fi
	"$drv" --theirs "$f" <"$T/$name.json" >"$T/$name.theirs" 2>"$T/$name.err"
	rc1=$?
	"$drv" --ours <"$f" >"$T/$name.ours" 2>>"$T/$name.err"
	rc2=$?
	if [ "$rc1" -ne 0 ] || [ "$rc2" -ne 0 ]; then
		fail "driver failed on scripts/$name (exit $rc1/$rc2)"
		sed 's/^/#   /' "$T/$name.err" | head -n 20
	elif cmp -s "$T/$name.ours" "$T/$name.theirs" && [ -s "$T/$name.ours" ]; then
		pass "parser agrees with shfmt on scripts/$name ($(wc -l <"$T/$name.ours") commands)"
	else
		fail "parser disagrees with shfmt on scripts/$name"
		diff "$T/$name.ours" "$T/$name.theirs" | head -n 20 | sed 's/^/#   /'
	fi
done
