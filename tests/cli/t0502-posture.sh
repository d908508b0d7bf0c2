#!/usr/bin/env bash
# t0502: 'blastwall posture' on a directory (workspaces, remote backend), a
# state file of each form, and plans; exit codes and JSON.
. "$(dirname "$0")/lib.sh"

state() { # state LINEAGE: a v4 state with an unprotected database, a protected one and a bucket
	cat <<J
{"version":4,"terraform_version":"1.11.4","serial":3,"lineage":"$1","outputs":{},"resources":[
 {"mode":"managed","type":"aws_db_instance","name":"courses","provider":"p","instances":[{"attributes":
  {"id":"db1","deletion_protection":false,"skip_final_snapshot":true,"delete_automated_backups":true,"backup_retention_period":7}}]},
 {"mode":"managed","type":"aws_db_instance","name":"billing","provider":"p","instances":[{"attributes":
  {"id":"db2","deletion_protection":true}}]},
 {"module":"module.web","mode":"managed","type":"aws_s3_bucket","name":"assets","provider":"p","instances":[{"attributes":
  {"id":"b","force_destroy":true}}]},
 {"mode":"managed","type":"aws_instance","name":"app","provider":"p","instances":[{"attributes":{"id":"i-1"}}]}]}
J
}

mkdir -p infra && state L1 >infra/terraform.tfstate
expect_exit 1 "posture of a directory with data at risk" bw posture infra
expect_grep "$T/out" "infra/terraform.tfstate \(state\): 4 managed resources" "reads the directory's state"
expect_grep "$T/out" "^2 data-bearing resources would be lost for good" "counts what is at risk"
expect_grep "$T/out" "data-loss +aws_db_instance.courses" "the unprotected database"
expect_grep "$T/out" "fix: set skip_final_snapshot = false and a final_snapshot_identifier" "final snapshot fix"
expect_grep "$T/out" "data-loss +module.web.aws_s3_bucket.assets" "the force_destroy bucket in a module"
expect_grep "$T/out" "fix: set force_destroy = false" "force_destroy fix"
expect_no_grep "$T/out" "billing" "a protected database is not at risk"
expect_no_grep "$T/out" "aws_instance.app" "compute is not listed"

(cd infra && bw posture --json) >"$T/out" 2>"$T/err"
if jq -e '.schema == "blastwall.posture/1" and .resources == 4 and .at_risk == 2 and
	(.findings | map(.address) == ["aws_db_instance.courses", "module.web.aws_s3_bucket.assets"])' "$T/out" >/dev/null; then
	pass "--json, default directory"
else fail "posture --json: $(head -c 300 "$T/out") $(cat "$T/err")"; fi

# workspaces: .terraform/environment and TF_WORKSPACE pick terraform.tfstate.d/NAME
mkdir -p infra/.terraform infra/terraform.tfstate.d/staging infra/terraform.tfstate.d/prod
echo staging >infra/.terraform/environment
printf '{"version":4,"serial":1,"lineage":"S","resources":[]}' >infra/terraform.tfstate.d/staging/terraform.tfstate
expect_exit 0 "the selected workspace's state" bw posture infra
expect_grep "$T/out" "terraform.tfstate.d/staging/terraform.tfstate" "reads the staging workspace"
state P >infra/terraform.tfstate.d/prod/terraform.tfstate
TF_WORKSPACE=prod expect_exit 1 "TF_WORKSPACE wins" bw posture infra
expect_grep "$T/out" "terraform.tfstate.d/prod/terraform.tfstate" "reads the prod workspace"

# a remote backend and no local state
mkdir -p remote/.terraform
printf '{"version":3,"backend":{"type":"s3","config":{"bucket":"b"}}}' >remote/.terraform/terraform.tfstate
expect_exit 3 "remote state" bw posture remote
expect_grep "$T/err" "is remote" "says the state is remote"
expect_grep "$T/err" "terraform state pull" "says how to get it"
mkdir -p nothing
expect_exit 3 "no state at all" bw posture nothing
expect_grep "$T/err" "no Terraform state in 'nothing'" "says there is none"

# forms: encrypted, empty, v3, show -json
printf '{"serial":9,"lineage":"enc","meta":{"key_provider.pbkdf2.k":"x"},"encrypted_data":"AAAA","encryption_version":"v0"}' >enc.tfstate
expect_exit 3 "encrypted state" bw posture enc.tfstate
expect_grep "$T/err" "encrypted OpenTofu state \(lineage enc, serial 9\)" "lineage and serial are still shown"
: >empty.tfstate
expect_exit 0 "empty state" bw posture empty.tfstate
expect_grep "$T/out" "the state file is empty" "says it is empty"
cat >v3.tfstate <<'J'
{"version":3,"serial":2,"lineage":"v3","modules":[{"path":["root","db"],"resources":{"aws_rds_cluster.main":
 {"type":"aws_rds_cluster","primary":{"id":"c","attributes":{"deletion_protection":"false","skip_final_snapshot":"true"}}}}}]}
J
expect_exit 1 "v3 state" bw posture v3.tfstate
expect_grep "$T/out" "data-loss +module.db.aws_rds_cluster.main" "v3 flat attributes are judged"
cat >show.json <<'J'
{"format_version":"1.0","values":{"root_module":{"child_modules":[{"address":"module.k","resources":[
 {"address":"module.k.aws_kms_key.k","mode":"managed","type":"aws_kms_key","name":"k","values":{"deletion_window_in_days":7}}]}]}}}
J
expect_exit 1 "show -json state" bw posture show.json
expect_grep "$T/out" "module.k.aws_kms_key.k" "KMS key with a short window"
expect_grep "$T/out" "set deletion_window_in_days = 30" "KMS fix"

# a plan JSON: the resources as the plan leaves them (after values; deletes are gone)
cat >plan.json <<'J'
{"format_version":"1.2","resource_changes":[
 {"address":"aws_dynamodb_table.t","mode":"managed","type":"aws_dynamodb_table","name":"t","change":{"actions":["update"],
  "before":{"deletion_protection_enabled":true},
  "after":{"deletion_protection_enabled":false,"point_in_time_recovery":[{"enabled":false}]}}},
 {"address":"aws_dynamodb_table.new","mode":"managed","type":"aws_dynamodb_table","name":"new","change":{"actions":["create"],
  "before":null,"after":{"deletion_protection_enabled":true}}},
 {"address":"aws_s3_bucket.gone","mode":"managed","type":"aws_s3_bucket","name":"gone","change":{"actions":["delete"],
  "before":{"force_destroy":true},"after":null}}]}
J
expect_exit 1 "posture of a plan" bw posture plan.json
expect_grep "$T/out" "plan's planned resources\): 2 managed resources$" "deleted resources are gone"
expect_grep "$T/out" "data-loss +aws_dynamodb_table.t " "judged from the planned values (protection switched off)"
expect_grep "$T/out" "enable point_in_time_recovery" "DynamoDB fix"
expect_no_grep "$T/out" "aws_dynamodb_table.new|aws_s3_bucket.gone" "protected and deleted resources are not listed"
expect_exit 2 "two arguments" bw posture a b
expect_exit 0 "--help" bw posture --help
