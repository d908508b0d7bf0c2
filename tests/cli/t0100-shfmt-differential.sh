#!/usr/bin/env bash
# t0100: differential test of the shell parser against shfmt (mvdan.cc/sh).
# Runs shfmt --tojson live on every command of the nl2bash corpus (two
# workers, one shfmt process per command) and compares the simple commands
# and their words with ours; see tests/shfmt/README.md for the exact rules.
# Fails below 99.5% agreement on the commands shfmt accepts. Under the
# sanitizers (BW_SANITIZED=1) every 4th command is checked, to stay quick.
. "$(dirname "$0")/lib.sh"

drv=$(dirname "$BLASTWALL")/tools/shell-shfmt-diff
corpus=$SHARED/corpora/nl2bash.cm
if ! command -v shfmt >/dev/null 2>&1; then
	skip "parser agrees with shfmt on nl2bash" "shfmt is not installed (apt-get install shfmt)"
	exit 0
fi
if [ ! -r "$corpus" ]; then
	skip "parser agrees with shfmt on nl2bash" "corpus $corpus not found"
	exit 0
fi
if [ ! -x "$drv" ]; then
	fail "driver $drv is missing (make all builds tests/tools/*.c)"
	exit 0
fi

step=1
[ -n "${BW_SANITIZED:-}" ] && step=4
"$drv" -w 0/2 -s "$step" "$corpus" >"$T/r0" 2>"$T/e0" &
p0=$!
"$drv" -w 1/2 -s "$step" "$corpus" >"$T/r1" 2>"$T/e1" &
p1=$!
wait "$p0"; rc0=$?
wait "$p1"; rc1=$?
if [ "$rc0" -ne 0 ] || [ "$rc1" -ne 0 ]; then
	fail "differential driver failed (exit $rc0/$rc1)"
	sed 's/^/#   /' "$T/e0" "$T/e1" | head -n 10
	exit 0
fi
cat "$T/r0" "$T/r1" >"$T/results"
agree=$(grep -c '^agree ' "$T/results")
disagree=$(grep -c '^disagree ' "$T/results")
ours_rejects=$(grep -c '^ours-rejects ' "$T/results")
shfmt_rejects=$(grep -c '^shfmt-rejects ' "$T/results")
both_reject=$(grep -c '^shfmt-rejects .*ours: rejects' "$T/results")
compared=$((agree + disagree + ours_rejects))
if [ "$compared" -lt 1000 ]; then
	fail "only $compared commands compared (expected thousands)"
	exit 0
fi
# rate in hundredths of a percent, integer arithmetic only
rate=$((agree * 10000 / compared))
printf '# shfmt differential: %d of %d commands agree (%d.%02d%%); %d disagree, %d rejected by us only;\n' \
	"$agree" "$compared" $((rate / 100)) $((rate % 100)) "$disagree" "$ours_rejects"
printf '# shfmt rejected %d more (we reject %d of those too)\n' "$shfmt_rejects" "$both_reject"
grep -A6 -E '^(disagree|ours-rejects) ' "$T/results" | grep '^#' | head -n 30
if [ "$rate" -ge 9950 ]; then
	pass "parser agrees with shfmt on $((rate / 100)).$(printf '%02d' $((rate % 100)))% of nl2bash (>= 99.5%)"
else
	fail "parser agrees with shfmt on only $((rate / 100)).$(printf '%02d' $((rate % 100)))% of nl2bash (< 99.5%)"
fi
