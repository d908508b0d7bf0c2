#!/usr/bin/env bash
# t0590: the hook's terraform answers from the generated fixture states and
# plans, without the terraform binary: the blast radius of destroy and
# -target, a swapped and a rolled-back state, saved plans (normal, other
# lineage, missing state), and apply without a plan in production.
. "$(dirname "$0")/lib.sh"
G=$SHARED/fixtures/terraform/generated
if [ ! -f "$G/state-a.tfstate" ]; then skip "terraform hook on fixtures" "fixtures not found at $G"; exit 0; fi
if ! bw hook --help >/dev/null 2>&1; then skip "terraform hook on fixtures" "this blastwall has no hook command"; exit 0; fi
unset TF_WORKSPACE TF_DATA_DIR

# hook DIR COMMAND: Claude Code's PreToolUse payload; the decision and reason land in $T/dec and $T/reason
hook() {
	jq -n --arg c "$2" --arg d "$1" \
		'{session_id: "t0590", hook_event_name: "PreToolUse", tool_name: "Bash", cwd: $d, tool_input: {command: $c}}' |
		bw hook claude >"$T/hook.out" 2>"$T/hook.err"
	# an allowed command prints nothing
	jq -r '.hookSpecificOutput.permissionDecision // "allow"' "$T/hook.out" >"$T/dec" 2>/dev/null || echo allow >"$T/dec"
	[ -s "$T/hook.out" ] || echo allow >"$T/dec"
	jq -r '.hookSpecificOutput.permissionDecisionReason // ""' "$T/hook.out" >"$T/reason" 2>/dev/null || : >"$T/reason"
}
expect_decision() {
	if [ "$(cat "$T/dec")" = "$1" ]; then pass "$2"; else
		fail "$2 (got $(cat "$T/dec"), wanted $1)"; sed 's/^/#   /' "$T/hook.out" "$T/hook.err" | head -10; fi
}

mkdir w && cp "$G/state-a.tfstate" w/terraform.tfstate
hook "$T/w" "terraform destroy -auto-approve"
expect_decision ask "destroy of a dev state without data asks"
expect_grep "$T/reason" "would delete 7 resources" "the real count from the state"
hook "$T/w" "terraform destroy -target=terraform_data.database"
expect_grep "$T/reason" "would delete 1 resource" "-target narrows the blast radius"
hook "$T/w" "terraform apply -destroy -auto-approve"
expect_grep "$T/reason" "would delete 7 resources" "apply -destroy is a destroy"

# a saved plan on the pinned lineage: 2 deletes and 2 replaces of data-less resources
cp "$G/changes.tfplan" w/tfplan
hook "$T/w" "terraform apply tfplan"
expect_decision ask "a saved plan that deletes asks"
expect_grep "$T/reason" "would delete 2 resources and replace 2" "the plan's deletes are counted"

# swapped: another lineage put in place
cp "$G/state-b-other-lineage.tfstate" w/terraform.tfstate
hook "$T/w" "terraform destroy -auto-approve"
expect_decision deny "destroy on a swapped state is denied"
expect_grep "$T/reason" "lineage changed from 5488954c\.\.\. to 888acaea\.\.\." "the lineage change is cited"
expect_grep "$T/reason" "terraform.state-swapped" "the rule is named"
hook "$T/w" "terraform plan"
expect_decision ask "plan on a swapped state asks"
hook "$T/w" "terraform import aws_s3_bucket.b b"
expect_decision deny "import on a swapped state is denied"
hook "$T/w" "terraform state list"
expect_no_grep "$T/reason" "state-swapped" "state list is how the human checks: not stopped"
hook "$T" "terraform -chdir=w destroy"
expect_decision deny "-chdir reaches the same state"

# rolled back: an older copy of the same lineage, kept with an old mtime (cp -p, tar)
mkdir r && cp "$G/state-a.tfstate" r/terraform.tfstate
bw state check r >/dev/null
cp "$G/state-a-stale.tfstate" r/terraform.tfstate && touch -d '2025-01-02 03:04' r/terraform.tfstate
hook "$T/r" "terraform apply -auto-approve"
expect_decision deny "apply on a rolled-back state is denied"
expect_grep "$T/reason" "serial went down from 14 to 8" "the serials are cited"
expect_grep "$T/reason" "modification time says 2025-01-02" "the old copy is recognised"

# the state is lost: the all-create plan is denied
mkdir m && cp "$G/state-a.tfstate" m/terraform.tfstate
bw state check m >/dev/null
rm m/terraform.tfstate && cp "$G/missing-state.tfplan" m/tfplan
hook "$T/m" "terraform apply tfplan"
expect_decision deny "applying a plan made without the state is denied"
expect_grep "$T/reason" "creates 7 of its 7 resources" "the plan's creates are counted"

# production: apply without a saved plan
mkdir -p prod && cp "$G/state-a.tfstate" prod/terraform.tfstate
printf 'production:\n  paths: ["*/prod"]\n' >prod/.blastwall.yaml
hook "$T/prod" "terraform apply -auto-approve"
expect_decision deny "apply without a plan in production is denied"
expect_grep "$T/reason" "plan -out=tfplan && blastwall plan tfplan && terraform apply tfplan" "the recipe is given"
hook "$T/prod" "terraform destroy"
expect_decision deny "destroy in production is denied even without data"

# the workspace comes from the command's own environment
mkdir -p ws/terraform.tfstate.d/prod && cp "$G/state-a.tfstate" ws/terraform.tfstate.d/prod/terraform.tfstate
hook "$T/ws" "TF_WORKSPACE=prod terraform apply -auto-approve"
expect_decision deny "TF_WORKSPACE=prod apply without a plan is denied"
expect_grep "$T/reason" "workspace 'prod' matches the production pattern" "the production workspace is named"
hook "$T/ws" "env TF_WORKSPACE=prod terraform destroy"
expect_grep "$T/reason" "ws/ \(workspace prod\) would delete 7 resources" "destroy reads the prod workspace's state and says so"
hook "$T/ws" "terraform destroy"
expect_grep "$T/reason" "no state at .*/ws/terraform.tfstate" "the default workspace has no state here"

# OpenTofu: the same state, and an encrypted one (lineage and serial in clear, resources not)
hook "$T/w" "tofu destroy"
expect_grep "$T/reason" "tofu destroy in w/" "tofu is named as the tool"
mkdir enc
printf '{"serial": 3, "lineage": "0badc0de-1111-2222-3333-444455556666", "meta": {"key_provider.pbkdf2.k": "x"}, "encrypted_data": "c2VjcmV0", "encryption_version": "v0"}' >enc/terraform.tfstate
expect_exit 0 "an encrypted state is pinned by lineage and serial" bw state check enc --json
if jq -e '.state.lineage == "0badc0de-1111-2222-3333-444455556666" and .state.serial == 3 and .state.resources == null' \
	"$T/out" >/dev/null; then pass "encrypted state identity"; else fail "encrypted state identity"; sed 's/^/#   /' "$T/out" | head -30; fi
hook "$T/enc" "tofu destroy"
expect_decision deny "destroying an encrypted state blastwall cannot read is denied"
expect_grep "$T/reason" "encrypted state \(lineage 0badc0de\.\.\., serial 3\)" "it says why"

# the configuration's rule overrides apply to these answers
mkdir ovr && cp "$G/state-a.tfstate" ovr/terraform.tfstate
printf 'rules:\n  terraform.destroy: allow\n' >ovr/.blastwall.yaml
hook "$T/ovr" "terraform destroy"
expect_decision allow "an override of terraform.destroy allows a data-less destroy"
printf 'rules:\n  terraform.destroy: allow\nterraform:\n  protect: ["terraform_data.database"]\n' >ovr/.blastwall.yaml
hook "$T/ovr" "terraform destroy"
expect_decision deny "but not when a protected resource would go (terraform.destroy-data)"
expect_grep "$T/reason" "terraform_data.database" "the protected resource is named"
