#!/usr/bin/env bash
# t0600: the incident, replayed with the real terraform binary. A working
# directory with 5 resources is pinned; an "old archive" holding another
# configuration's state (12 resources, another lineage) is unpacked over it;
# the agent then asks to run `terraform destroy`: the hook must deny it,
# citing the lineage change and the counts. Then the state is lost: the plan
# made without it is flagged as a missing state, `state accept` clears it.
# Only terraform_data resources (built into terraform): no provider download,
# no network.
. "$(dirname "$0")/lib.sh"
if ! command -v terraform >/dev/null 2>&1; then
	skip "terraform incident replay" "terraform not found"
	exit 0
fi
if ! bw hook --help >/dev/null 2>&1; then
	skip "terraform incident replay" "this blastwall has no hook command"
	exit 0
fi
: >"$T/tfrc"
export TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1 TF_CLI_CONFIG_FILE="$T/tfrc"
unset TF_WORKSPACE TF_DATA_DIR

# writes N terraform_data resources into DIR/main.tf
config() {
	local dir=$1 n=$2 i
	mkdir -p "$dir"
	{
		echo 'resource "terraform_data" "courses_db" { input = { engine = "postgres" } }'
		for ((i = 1; i < n; i++)); do echo "resource \"terraform_data\" \"r$i\" { input = \"$dir-$i\" }"; done
	} >"$dir/main.tf"
}
tf_apply() {
	terraform -chdir="$1" init -input=false >"$T/tf.log" 2>&1 &&
		terraform -chdir="$1" apply -auto-approve -input=false >>"$T/tf.log" 2>&1
}
lineage() { jq -r .lineage "$1"; }
# hook DIR COMMAND: the Claude Code PreToolUse payload on stdin
hook() {
	jq -n --arg c "$2" --arg d "$1" \
		'{session_id: "t0600", hook_event_name: "PreToolUse", tool_name: "Bash", cwd: $d, tool_input: {command: $c}}' |
		bw hook claude
}

config infra 5
# the project says which resource holds data (terraform_data holds none by itself)
printf 'terraform:\n  protect: ["terraform_data.courses_db"]\n' >infra/.blastwall.yaml
if tf_apply infra; then pass "terraform apply of 5 resources"; else
	fail "terraform apply"; sed 's/^/#   /' "$T/tf.log" | tail -20; exit 0
fi
expect_exit 0 "state check pins the working state" bw state check infra
expect_grep "$T/out" "serial [0-9]+, 5 resources" "the pinned state has 5 resources"
expect_exit 0 "the hook answers a plan" hook "$T/infra" "terraform plan"
expect_no_grep "$T/out" "deny" "plan on the pinned state is not denied"
good=$(lineage infra/terraform.tfstate)

# the old archive: another configuration's state, with an old modification time
config old 12
tf_apply old || { fail "terraform apply (old)"; exit 0; }
touch -d '2024-03-01 12:00' old/terraform.tfstate
tar -C old -cf old.tar terraform.tfstate
bad=$(lineage old/terraform.tfstate)
(cd infra && tar xf ../old.tar)
if [ "$(lineage infra/terraform.tfstate)" = "$bad" ]; then pass "tar xf replaced the working state"; else
	fail "the archive did not replace the state"; fi

expect_exit 0 "hook on terraform destroy answers" hook "$T/infra" "terraform destroy -auto-approve"
r=$(jq -r '.hookSpecificOutput.permissionDecisionReason // empty' "$T/out")
d=$(jq -r '.hookSpecificOutput.permissionDecision // empty' "$T/out")
if [ "$d" = deny ]; then pass "terraform destroy is denied"; else fail "destroy not denied ($d)"; cat "$T/out" | sed 's/^/#   /'; fi
echo "$r" >"$T/reason"
expect_grep "$T/reason" "would delete 12 resources, 1 of them holding data: terraform_data.courses_db" \
	"the blast radius of the swapped state is given, data first"
expect_grep "$T/reason" "lineage changed from ${good:0:8}\.\.\. to ${bad:0:8}\.\.\." "the lineage change is cited"
expect_grep "$T/reason" "describes 12 resources instead of 5" "the counts are cited"
expect_grep "$T/reason" "modification time says 2024-03-01" "the archive's old mtime is noticed"
expect_grep "$T/reason" "blastwall state accept" "the way out is named"

expect_exit 0 "hook via -chdir from elsewhere" hook "$T" "terraform -chdir=infra destroy"
expect_grep "$T/out" '"deny"' "-chdir destroy is denied too"
expect_exit 0 "hook on terraform state list" hook "$T/infra" "terraform state list"
expect_no_grep "$T/out" "state-swapped|lineage changed" "checking the state is not stopped"
expect_exit 1 "state check fires" bw state check infra
expect_grep "$T/out" "terraform.state-swapped" "state check names the swap"

# the same swap where blastwall never looked before: the backup Terraform wrote is the witness
config infra2 5
tf_apply infra2 || { fail "terraform apply (infra2)"; exit 0; }
echo 'resource "terraform_data" "extra" { input = "x" }' >>infra2/main.tf
tf_apply infra2 || { fail "second terraform apply (infra2)"; exit 0; }
[ -s infra2/terraform.tfstate.backup ] && pass "terraform wrote a backup" || fail "no terraform.tfstate.backup"
(cd infra2 && tar xf ../old.tar)
expect_exit 0 "hook on destroy in a directory never seen before" hook "$T/infra2" "terraform destroy"
expect_grep "$T/out" '"deny"' "the swap is denied without a pin"
expect_grep "$T/out" "its backup 'terraform.tfstate.backup'" "the backup is cited"

# the state is lost entirely: the plan would create everything again
rm -f infra/terraform.tfstate infra/terraform.tfstate.backup
if terraform -chdir=infra plan -input=false -out=tfplan >"$T/tf.log" 2>&1; then pass "terraform plan without a state"; else
	fail "terraform plan"; sed 's/^/#   /' "$T/tf.log" | tail; fi
expect_exit 1 "state check --plan flags the missing state" bw state check infra --plan infra/tfplan
expect_grep "$T/out" "stop terraform.state-missing" "the missing state fires"
expect_grep "$T/out" "stop terraform.plan-missing-state" "the all-create plan fires"
expect_grep "$T/out" "creates 5 of its 5 resources" "the plan's counts are cited"
if bw plan --help >/dev/null 2>&1; then
	bw plan infra/tfplan >"$T/out" 2>&1
	expect_grep "$T/out" "the state is missing" "blastwall plan warns about the all-create plan"
fi
expect_exit 0 "hook on terraform apply tfplan" hook "$T/infra" "terraform apply tfplan"
expect_grep "$T/out" '"deny"' "applying the all-create plan is denied"
expect_grep "$T/out" "missing" "and says the state is missing"

# a human decides the absence is intended
expect_exit 0 "state accept" bw state accept infra
expect_exit 0 "state check passes after accept" bw state check infra
expect_exit 0 "history" bw state history infra
expect_grep "$T/out" " accept " "history has the accept"
expect_grep "$T/out" " swapped " "history has the swap"
expect_grep "$T/out" " missing " "history has the loss"

# terraform writes a new state: it is pinned as it appears
if terraform -chdir=infra apply -input=false tfplan >"$T/tf.log" 2>&1; then pass "terraform apply tfplan"; else
	fail "terraform apply tfplan"; sed 's/^/#   /' "$T/tf.log" | tail; fi
expect_exit 0 "the new state is pinned" bw state check infra
expect_grep "$T/out" "appeared" "the new state is reported as appeared"
