#!/usr/bin/env bash
# t0581: 'blastwall state check --plan': the "missing state" smell (a plan that
# creates everything from an empty prior state) and a plan made from another
# lineage than the pinned one, with the generated fixture plans.
. "$(dirname "$0")/lib.sh"
G=$SHARED/fixtures/terraform/generated
if [ ! -f "$G/missing-state.tfplan" ]; then skip "state check --plan" "fixtures not found at $G"; exit 0; fi

# a directory whose state (7 resources) was pinned, then lost
mkdir w && cp "$G/state-a.tfstate" w/terraform.tfstate
bw state check w >/dev/null
rm w/terraform.tfstate
for p in missing-state.tfplan missing-state.plan.json; do
	expect_exit 1 "$p after the state was lost fires" bw state check w --plan "$G/$p"
	expect_grep "$T/out" "stop terraform.plan-missing-state" "$p: missing-state smell fires"
	expect_grep "$T/out" "creates 7 of its 7 resources" "$p: the counts are cited"
	expect_grep "$T/out" "pinned this directory's state .* with 7 resources" "$p: the pin is the evidence"
done

# a new directory: the same plan is only a warning (it could be a new configuration)
mkdir fresh
expect_exit 1 "an all-create plan without evidence warns" bw state check fresh --plan "$G/missing-state.tfplan"
expect_grep "$T/out" "warn terraform.plan-missing-state" "it is a warning"
expect_no_grep "$T/out" "^stop" "nothing fires"
expect_exit 1 "warning in JSON" bw state check fresh --plan "$G/missing-state.tfplan" --json
if jq -e '.fires == false and .findings[0].rule == "terraform.plan-missing-state" and .findings[0].fires == false' \
	"$T/out" >/dev/null; then pass "JSON marks it a warning"; else fail "warning JSON"; fi

# a plan with real changes on the pinned lineage: nothing to say
mkdir a && cp "$G/state-a.tfstate" a/terraform.tfstate
expect_exit 0 "a plan from the pinned lineage passes" bw state check a --plan "$G/changes.tfplan"

# a plan made from lineage A applied where lineage B is pinned
mkdir b && cp "$G/state-b-other-lineage.tfstate" b/terraform.tfstate
expect_exit 1 "a plan from another lineage fires" bw state check b --plan "$G/changes.tfplan"
expect_grep "$T/out" "terraform.plan-other-lineage" "other-lineage rule"
expect_grep "$T/out" "lineage 5488954c\.\.\. \(serial 14\)" "the plan's lineage is cited"
expect_grep "$T/out" "lineage 888acaea\.\.\." "the pinned lineage is cited"

expect_exit 3 "an unreadable plan" bw state check a --plan "$T/nope.tfplan"
expect_grep "$T/err" "nope.tfplan" "the plan is named"
