#!/usr/bin/env bash
# t0501: 'blastwall plan' options, formats and exit codes on plans written
# here (standalone: no shared fixtures needed).
. "$(dirname "$0")/lib.sh"

cat >db.json <<'J'
{"format_version":"1.2","terraform_version":"1.11.4",
 "resource_changes":[
  {"address":"aws_db_instance.courses","mode":"managed","type":"aws_db_instance","name":"courses",
   "change":{"actions":["delete"],"before":{"deletion_protection":false,"skip_final_snapshot":true,
   "backup_retention_period":7,"password":"hunter2-secret"}}},
  {"address":"aws_s3_bucket.assets","mode":"managed","type":"aws_s3_bucket","name":"assets",
   "change":{"actions":["delete","create"],"before":{"force_destroy":false}}},
  {"address":"aws_instance.web","mode":"managed","type":"aws_instance","name":"web",
   "change":{"actions":["update"],"before":{}}},
  {"address":"null_resource.n","mode":"managed","type":"null_resource","name":"n",
   "change":{"actions":["create","delete"]},"action_reason":"replace_by_triggers"}
 ],
 "prior_state":{"format_version":"1.0","values":{"root_module":{"resources":[
  {"address":"aws_db_instance.courses","mode":"managed","type":"aws_db_instance","name":"courses"}]}}}}
J
cat >safe.json <<'J'
{"format_version":"1.1","resource_changes":[
 {"address":"a.b","mode":"managed","type":"a","name":"b","change":{"actions":["update"]}},
 {"address":"data.a.c","mode":"data","type":"a","name":"c","change":{"actions":["read"]}}]}
J

expect_exit 1 "data loss fails the default gate" bw plan db.json
expect_grep "$T/out" "would delete 1 resource and replace 2, 2 of them holding data: aws_db_instance.courses \(deletion_protection=false" "summary names the database first"
expect_grep "$T/out" "^  data-loss +aws_db_instance.courses +delete" "ranked: data-loss first"
expect_grep "$T/out" "fix: set deletion_protection = true" "says which attribute to change"
expect_grep "$T/out" "protected +aws_s3_bucket.assets +delete-create" "bucket without force_destroy is protected"
expect_grep "$T/out" "reason: replace_by_triggers" "action_reason shown"
expect_grep "$T/out" "1 to update, 1 to delete, 2 to replace \(1 create-before-destroy\)" "counts by action"
expect_no_grep "$T/out" "hunter2" "sensitive values are never printed"

expect_exit 0 "--fail-on none never fails" bw plan --fail-on none db.json
expect_exit 1 "--fail-on replace" bw plan --fail-on replace db.json
expect_exit 2 "two plans is a usage error" bw plan safe.json db.json
expect_exit 0 "a plan with only an update passes data-loss" bw plan safe.json
expect_exit 1 "--fail-on change catches the update" bw plan --fail-on change safe.json
expect_exit 0 "--fail-on delete,replace passes an update" bw plan --fail-on delete,replace safe.json
expect_exit 1 "--fail-on delete catches the database" bw plan --fail-on delete db.json
expect_exit 2 "unknown --fail-on value" bw plan --fail-on sometimes db.json
expect_grep "$T/err" "fail-on takes" "usage error explains the values"
expect_exit 2 "unknown --format" bw plan --format yaml db.json
expect_exit 2 "no plan given" bw plan
expect_exit 0 "--help" bw plan --help
expect_grep "$T/out" "Exit status" "help documents exit codes"

expect_exit 1 "--json" bw plan --json db.json
if jq -e '.schema == "blastwall.plan/1" and .counts.delete == 1 and .counts.replace == 2
	and .counts["create-delete"] == 1 and .findings[0].address == "aws_db_instance.courses"
	and .findings[0].severity == "data-loss" and .gate.failed == true and .gate.because == ["data-loss"]
	and .prior_state.resources == 1 and .blast.lost == 1 and .blast.holding_data == 2' "$T/out" >/dev/null; then
	pass "JSON report follows the schema"
else fail "JSON report: $(head -c 400 "$T/out")"; fi
jq -e '.findings[0].fixes | index("set deletion_protection = true")' "$T/out" >/dev/null &&
	pass "JSON lists fixes" || fail "JSON fixes missing"

expect_exit 1 "markdown" bw plan --format markdown db.json
expect_grep "$T/out" "^### blastwall: this plan loses data" "markdown headline"
expect_grep "$T/out" "^\| \*\*data-loss\*\* \| \`aws_db_instance.courses\` \| delete" "markdown table row"

expect_exit 1 "colour on request" bw --color=always plan db.json
if grep -q $'\033\[' "$T/out"; then pass "--color=always colours"; else fail "no escape sequences with --color=always"; fi
expect_exit 1 "no colour when piped" bw plan db.json
if grep -q $'\033\[' "$T/out"; then fail "escape sequences in piped output"; else pass "plain when piped"; fi

expect_exit 3 "missing file" bw plan nope.json
expect_grep "$T/err" "cannot open 'nope.json'" "names the missing file"
printf '{"version":4,"serial":1,"lineage":"x","resources":[]}' >state.json
expect_exit 3 "a state is not a plan" bw plan state.json
expect_grep "$T/err" "is a Terraform state, not a plan" "says it is a state"
expect_grep "$T/err" "hint: use 'blastwall posture" "hints at posture"
printf '{"format_version":"3.0","resource_changes":[]}' >future.json
expect_exit 3 "unknown major format_version" bw plan future.json
expect_grep "$T/err" "format_version 3.0" "names the version"
: >empty.tfplan
expect_exit 3 "empty file" bw plan empty.tfplan
expect_grep "$T/err" "is empty, not a plan" "says it is empty"
printf 'PK\003\004garbage' >bad.tfplan
expect_exit 3 "damaged zip" bw plan bad.tfplan
expect_grep "$T/err" "damaged plan file" "says the plan file is damaged"

# configuration: protect an address and declare a data-bearing type
mkdir -p "$BLASTWALL_CONFIG_DIR"
cat >"$BLASTWALL_CONFIG_DIR/config.yaml" <<'Y'
terraform:
  protect: [null_resource.n]
  data_types: [a]
Y
cat >trig.json <<'J'
{"format_version":"1.2","resource_changes":[
 {"address":"null_resource.n","mode":"managed","type":"null_resource","name":"n",
  "change":{"actions":["delete","create"]}},
 {"address":"a.gone","mode":"managed","type":"a","name":"gone","change":{"actions":["delete"]}}]}
J
expect_exit 1 "a protected address fails the data-loss gate" bw plan trig.json
expect_grep "$T/out" "protected by the blastwall configuration" "says the configuration protects it"
expect_grep "$T/out" "listed as a data-bearing type in the blastwall configuration" "extra data-bearing type"
bw plan --json db.json >"$T/out" 2>"$T/err"
if jq -e '.findings[] | select(.address == "null_resource.n") | .configured and .severity == "data-loss"' "$T/out" >/dev/null; then
	pass "terraform.protect from the configuration"
else fail "protect not applied: $(cat "$T/err") $(jq -c '.findings[] | select(.address=="null_resource.n")' "$T/out")"; fi

# "-" reads plan JSON from standard input (terraform show -json tfplan | blastwall plan -)
bw plan --json - <db.json >"$T/out" 2>"$T/err"
[ $? -eq 1 ] && jq -e '.plan.path == "-" and .counts.delete == 1' "$T/out" >/dev/null &&
	pass "plan JSON from stdin" || fail "stdin: $(cat "$T/err") $(head -c 200 "$T/out")"

# things that are not plans but are often mistaken for one
printf '{"@level":"info","@message":"Terraform 1.11.4","@module":"terraform.ui","type":"version"}\n{"@level":"info"}\n' >ui.jsonl
expect_exit 3 "the plan -json UI stream" bw plan ui.jsonl
expect_grep "$T/err" "JSON lines stream of 'terraform plan -json'" "names the UI stream"
printf 'aws_instance.a: Refreshing state... [id=i-1]\n\nTerraform will perform the following actions:\n' >plan.txt
expect_exit 3 "a plan's text output" bw plan plan.txt
expect_grep "$T/err" "looks like the text output of a plan" "names the text output"
