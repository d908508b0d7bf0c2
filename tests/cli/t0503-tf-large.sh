#!/usr/bin/env bash
# t0503: generated 10k-resource plan and state (tests/tools/tfgen): the
# per-action counts match what the generator wrote and what jq computes,
# and the blast radius finds the data-bearing deletes.
. "$(dirname "$0")/lib.sh"
TFGEN=$(dirname "$BLASTWALL")/tools/tfgen
[ -x "$TFGEN" ] || { skip "10k plan" "no tfgen next to the binary (make builds it)"; exit 0; }
"$TFGEN" plan 10000 7 >p.json 2>gen.txt || { fail "tfgen plan"; exit 0; }
"$TFGEN" state 10000 7 >s.tfstate 2>/dev/null || { fail "tfgen state"; exit 0; }
expect_exit 0 "10k plan reads" bw plan --json --fail-on none p.json
want=$(sed -e 's/.*no-op=\([0-9]*\) update=\([0-9]*\) create=\([0-9]*\) delete=\([0-9]*\) delete-create=\([0-9]*\) create-delete=\([0-9]*\) forget=\([0-9]*\) read=\([0-9]*\).*/\1 \2 \3 \4 \5 \6 \7 \8/' gen.txt)
got=$(jq -r '.counts | "\(."no-op") \(.update) \(.create) \(.delete) \(."delete-create") \(."create-delete") \(.forget) \(.read)"' "$T/out")
[ "$got" = "$want" ] && pass "counts match the generator ($got)" || fail "counts '$got', generator wrote '$want'"
if command -v jq >/dev/null; then
	jqc=$(jq -r '[.resource_changes[] | select(.mode == "managed") | .change.actions | join("-")] | map(select(. == "delete")) | length' p.json)
	[ "$(jq -r .counts.delete "$T/out")" = "$jqc" ] && pass "deletes match jq ($jqc)" || fail "deletes differ from jq ($jqc)"
fi
jq -e '.blast.deleted == (.counts.delete + .counts.replace) and .blast.lost > 0 and .findings[0].severity == "data-loss"
	and (.findings | length) == .blast.deleted' "$T/out" >/dev/null &&
	pass "blast radius over 10k changes" || fail "blast: $(jq -c .blast "$T/out" | head -c 300)"
expect_exit 1 "10k state posture" bw posture --json s.tfstate
jq -e '.resources == 10000 and .at_risk > 100' "$T/out" >/dev/null && pass "posture over 10k instances" ||
	fail "posture: $(jq -c '{resources, at_risk}' "$T/out")"
expect_exit 1 "markdown of a 10k plan stays short" bw plan --format markdown p.json
lines=$(wc -l <"$T/out")
[ "$lines" -lt 80 ] && pass "markdown capped ($lines lines)" || fail "markdown has $lines lines"
