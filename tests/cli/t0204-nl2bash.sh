#!/usr/bin/env bash
# The guard over all of nl2bash (12,607 real-world one-liners): it must not
# crash (also under ASan), and what it stops must stay a small share: nl2bash
# is mostly benign, so a jump in ask/deny means a new false positive.
# The reviewed share at the time of writing: 381 of 12,607 (3%) asked or denied,
# nearly all deletions outside a project, commands known only at run time,
# code piped into a shell, or text that does not parse.
. "$(dirname "$0")/lib.sh"
TOOL=$(dirname "$BLASTWALL")/tools/guard_corpus
CM=$SHARED/corpora/nl2bash.cm
[ -x "$TOOL" ] || { fail "guard_corpus tool not built"; exit 0; }
[ -r "$CM" ] || { skip "nl2bash" "$CM not found"; exit 0; }
unset AWS_PROFILE KUBECONFIG TF_WORKSPACE TMPDIR
mkdir -p proj/.git
if "$TOOL" --cwd "$T/proj" --scan "$CM" >"$T/scan" 2>"$T/err"; then pass "nl2bash: no crash"; else
	fail "nl2bash: the scan failed"; tail -n 20 "$T/err"; exit 0; fi
sum=$(tail -n 1 "$T/scan")
echo "# $sum"
total=$(sed -E 's/.*scanned ([0-9]+) commands.*/\1/' <<<"$sum")
ask=$(sed -E 's/.* ([0-9]+) ask.*/\1/' <<<"$sum")
deny=$(sed -E 's/.* ([0-9]+) deny.*/\1/' <<<"$sum")
[ "$total" -eq 12607 ] && pass "nl2bash: all 12607 commands decided" || fail "nl2bash: decided $total of 12607"
stopped=$((ask + deny))
[ "$stopped" -le 450 ] && pass "nl2bash: $stopped stopped (at most 450)" || fail "nl2bash: $stopped stopped, more than 450: new false positives?"
[ "$deny" -le 30 ] && pass "nl2bash: $deny denied (at most 30)" || fail "nl2bash: $deny denied, more than 30"
