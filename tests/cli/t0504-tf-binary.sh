#!/usr/bin/env bash
# t0504: binary plans with the real terraform binary where present (the
# changes come from 'terraform show -json'), and without one (decoded from the
# plan file; --terraform pointing nowhere is a clear error).
. "$(dirname "$0")/lib.sh"
FX=${SHARED:+$SHARED/fixtures/terraform}
if [ -z "$FX" ] || [ ! -f "$FX/generated/changes.tfplan" ]; then
	skip "binary plans" "../shared/fixtures/terraform is not present"
	exit 0
fi
cp "$FX/generated/changes.tfplan" "$FX/generated/destroy.tfplan" .

expect_exit 0 "no terraform on PATH: decoded from the file" env PATH=/nonexistent "$BLASTWALL" plan --json changes.tfplan
jq -e '.plan.changes_source == "protobuf" and .counts.delete == 2 and .counts.replace == 2 and
	.prior_state.serial == 14 and (.plan.changes_note | test("no terraform or tofu binary"))' "$T/out" >/dev/null &&
	pass "actions and prior lineage/serial without terraform" || fail "$(head -c 400 "$T/out")"

expect_exit 3 "--terraform that does not exist" bw plan --terraform /nonexistent/terraform changes.tfplan
expect_exit 1 "--fail-on delete on a destroy plan" bw plan --no-exec --fail-on delete destroy.tfplan
expect_grep "$T/out" "destroy plan: every managed resource in it is deleted" "destroy mode from ui_mode"

tf=$(command -v terraform || true)
if [ -z "$tf" ]; then
	skip "terraform show -json" "terraform is not installed"
	exit 0
fi
ver=$("$tf" version 2>/dev/null | head -n 1)
if [ "$ver" != "Terraform v1.11.4" ]; then
	skip "terraform show -json" "the fixtures need Terraform v1.11.4, found '$ver'"
	exit 0
fi
export TF_CLI_CONFIG_FILE="$T/empty.tfrc" CHECKPOINT_DISABLE=1
: >"$TF_CLI_CONFIG_FILE"
expect_exit 0 "terraform show -json reads the plan" bw plan --json changes.tfplan
jq -e '.plan.changes_source == "show" and (.plan.tool | test("terraform$")) and .counts.delete == 2 and
	.counts["create-delete"] == 1 and .prior_state.lineage != null' "$T/out" >/dev/null &&
	pass "changes from terraform, prior state from the file" || fail "$(head -c 400 "$T/out")"
expect_exit 0 "--terraform names the binary" bw plan --terraform "$tf" --json changes.tfplan
