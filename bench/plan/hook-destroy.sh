#!/usr/bin/env bash
# bench/plan/hook-destroy.sh [BLASTWALL]: whole-process time of
# 'blastwall hook claude' answering `terraform destroy` in a directory whose
# local state holds N (default 10000) resource instances. Two cases:
#   cold: the state file changed since blastwall last parsed it (forced with
#         BLASTWALL_TF_NO_CACHE=1): detect the backend, stat the state, read
#         the journal's pin, parse the whole state (digest of its bytes
#         included), compute the blast radius, answer;
#   warm: the pinned file is unchanged (same size, mtime, ctime, inode): the
#         blast radius comes from the journal's cache.
# Side by side in one run: a bare process start (/bin/true fed the same
# payload) and `terraform plan` in the same directory.
# Target: destroy <= 50 ms whole-process.
#
# Writes bench/plan/HOOK-RESULTS.md and prints the table.
# Environment: N (instances, default 10000), ROUNDS (default 40).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
BLASTWALL=$(realpath "${1:-$top/build/blastwall}")
HOOKBENCH=$(dirname "$BLASTWALL")/tools/hookbench
N=${N:-10000}
ROUNDS=${ROUNDS:-40}
[ -x "$BLASTWALL" ] || { echo "hook-destroy.sh: no blastwall at $BLASTWALL (run make first)" >&2; exit 1; }
[ -x "$HOOKBENCH" ] || { echo "hook-destroy.sh: no driver at $HOOKBENCH (make builds it from tests/tools/hookbench.c)" >&2; exit 1; }
command -v jq >/dev/null || { echo "hook-destroy.sh: jq is needed to build the payloads" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/bw-hookdestroy.XXXXXX")
trap 'rm -rf "$work"' EXIT
export HOME="$work/home" BLASTWALL_STATE_DIR="$work/state" BLASTWALL_CONFIG_DIR="$work/config"
unset TF_WORKSPACE TF_DATA_DIR
mkdir -p "$HOME" "$work/infra"

# ---- a v4 state of N instances, shaped like an AWS stack: mostly compute,
# network and IAM, every 50th a database, every 20th a bucket; ~1.5 KB each ----
awk -v n="$N" 'BEGIN {
	printf "{\n  \"version\": 4,\n  \"terraform_version\": \"1.11.4\",\n  \"serial\": 42,\n"
	printf "  \"lineage\": \"1b6e7f20-3c1d-4c55-9d0e-5a8f3b2c1d00\",\n  \"outputs\": {},\n  \"resources\": [\n"
	for (i = 0; i < n; i++) {
		if (i % 50 == 0) { t = "aws_db_instance"; nm = "db" i }
		else if (i % 20 == 0) { t = "aws_s3_bucket"; nm = "bucket" i }
		else if (i % 3 == 0) { t = "aws_security_group"; nm = "sg" i }
		else { t = "aws_instance"; nm = "web" i }
		mod = (i % 4 == 0) ? "" : sprintf("\"module\": \"module.app%d\",\n      ", i % 7)
		printf "%s    {\n      %s\"mode\": \"managed\",\n      \"type\": \"%s\",\n      \"name\": \"%s\",\n", (i ? ",\n" : ""), mod, t, nm
		printf "      \"provider\": \"provider[\\\"registry.terraform.io/hashicorp/aws\\\"]\",\n      \"instances\": [\n        {\n"
		printf "          \"schema_version\": 1,\n          \"attributes\": {\n"
		printf "            \"id\": \"%s-%08x\",\n            \"arn\": \"arn:aws:service:eu-west-1:123456789012:%s/%s-%08x\",\n", nm, i * 2654435761 % 4294967296, t, nm, i
		if (t == "aws_db_instance") {
			printf "            \"engine\": \"postgres\",\n            \"engine_version\": \"15.4\",\n            \"allocated_storage\": 100,\n"
			printf "            \"deletion_protection\": %s,\n            \"skip_final_snapshot\": %s,\n", (i % 100 == 0 ? "true" : "false"), (i % 150 == 0 ? "false" : "true")
			printf "            \"final_snapshot_identifier\": null,\n            \"backup_retention_period\": 7,\n            \"delete_automated_backups\": true,\n"
		} else if (t == "aws_s3_bucket") {
			printf "            \"bucket\": \"%s-data\",\n            \"force_destroy\": %s,\n", nm, (i % 40 == 0 ? "true" : "false")
		} else {
			printf "            \"ami\": \"ami-0abcdef1234567890\",\n            \"instance_type\": \"m5.large\",\n            \"subnet_id\": \"subnet-%06d\",\n", i % 97
		}
		printf "            \"tags\": {\n              \"Name\": \"%s\",\n              \"team\": \"platform\",\n              \"env\": \"staging\"\n            },\n", nm
		printf "            \"tags_all\": {\n              \"Name\": \"%s\",\n              \"team\": \"platform\",\n              \"env\": \"staging\"\n            },\n", nm
		printf "            \"timeouts\": null,\n            \"description\": \"generated resource number %d for the hook benchmark\"\n", i
		printf "          },\n          \"sensitive_attributes\": [],\n          \"private\": \"eyJzY2hlbWFfdmVyc2lvbiI6IjEifQ==\",\n"
		printf "          \"dependencies\": [\n            \"aws_security_group.sg%d\"\n          ]\n        }\n      ]\n    }", (i - i % 3)
	}
	printf "\n  ],\n  \"check_results\": null\n}\n"
}' >"$work/infra/terraform.tfstate"
size=$(stat -c %s "$work/infra/terraform.tfstate")

# pin it first: the benchmark measures the steady state, not the first sight
"$BLASTWALL" state check "$work/infra" >/dev/null

mk_payload() {
	jq -n -c --arg c "$1" --arg d "$work/infra" \
		'{session_id: "bench", hook_event_name: "PreToolUse", tool_name: "Bash", cwd: $d, tool_input: {command: $c}}'
}
mk_payload "terraform destroy -auto-approve" >"$work/destroy.jsonl"
mk_payload "terraform plan -out=tfplan" >"$work/plan.jsonl"

# what the hook answers, once, for the record
answer=$("$BLASTWALL" hook claude <"$work/destroy.jsonl" | jq -r '.hookSpecificOutput | "\(.permissionDecision): \(.permissionDecisionReason)"' | cut -c1-400)

run() { "$HOOKBENCH" -r "$ROUNDS" -w 3 "$1" "bare=/bin/true" "blastwall=$BLASTWALL hook claude"; }
# CPU time per call (user + system, from the children's rusage): unlike wall time it does not grow
# when other processes compete for the CPUs.
cpu_ms() {
	local payload=$1 i t0 t1 me=$BASHPID
	t0=$(awk '{print $16 + $17}' /proc/$me/stat)
	for ((i = 0; i < ROUNDS; i++)); do "$BLASTWALL" hook claude <"$payload" >/dev/null; done
	t1=$(awk '{print $16 + $17}' /proc/$me/stat)
	awk -v a="$t0" -v b="$t1" -v n="$ROUNDS" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", (b - a) * 1000 / hz / n }'
}
cold_cpu=$(BLASTWALL_TF_NO_CACHE=1 cpu_ms "$work/destroy.jsonl")
warm_cpu=$(cpu_ms "$work/destroy.jsonl")
plan_cpu=$(cpu_ms "$work/plan.jsonl")
cold_rows=$(BLASTWALL_TF_NO_CACHE=1 run "$work/destroy.jsonl")
warm_rows=$(run "$work/destroy.jsonl")
plan_rows=$(run "$work/plan.jsonl")

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
ncpu=$(nproc)
{
	echo "# Hook latency on \`terraform destroy\` with a large local state"
	echo
	echo "Generated by \`bench/plan/hook-destroy.sh\` on $(date -u +%Y-%m-%d), $cpu ($ncpu CPUs)."
	echo "State: $N resource instances (v4, $((size / 1024)) KiB), pinned beforehand. Whole-process time of"
	echo "\`blastwall hook claude\` (spawn, payload on stdin, answer, exit), $ROUNDS rounds after 3 warm-up runs,"
	echo "measured by tests/tools/hookbench. Target: destroy <= 50 ms. \"cold\" parses the whole state on every"
	echo "call (BLASTWALL_TF_NO_CACHE=1, as after any change to the file); \"warm\" is the unchanged pinned file,"
	echo "whose blast radius the journal cached when it last parsed it. Load average when it ran:"
	echo "$(cut -d' ' -f1-3 /proc/loadavg) (wall times grow with it; CPU ms/call, user + system, does not)."
	echo
	echo "| command (payload) | target | runs | p50 ms | p90 ms | p99 ms | mean ms | max ms | CPU ms/call |"
	echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
	while IFS=$'\t' read -r name runs p50 p90 p99 mean max nz; do
		c=; [ "$name" = blastwall ] && c=$cold_cpu
		echo "| terraform destroy, cold (state parsed) | $name | $runs | $p50 | $p90 | $p99 | $mean | $max | $c |"
	done <<<"$cold_rows"
	while IFS=$'\t' read -r name runs p50 p90 p99 mean max nz; do
		c=; [ "$name" = blastwall ] && c=$warm_cpu
		echo "| terraform destroy, warm (unchanged pinned file) | $name | $runs | $p50 | $p90 | $p99 | $mean | $max | $c |"
	done <<<"$warm_rows"
	while IFS=$'\t' read -r name runs p50 p90 p99 mean max nz; do
		c=; [ "$name" = blastwall ] && c=$plan_cpu
		echo "| terraform plan (pinned state, not re-read) | $name | $runs | $p50 | $p90 | $p99 | $mean | $max | $c |"
	done <<<"$plan_rows"
	echo
	echo "The hook's answer to the destroy (first 400 characters):"
	echo
	echo "> $answer"
} >"$here/HOOK-RESULTS.md"
cat "$here/HOOK-RESULTS.md"
