#!/usr/bin/env bash
# t0582: remote backends. A directory initialised for s3 has no local state:
# blastwall reads it with `terraform state pull` under a time budget. A fake
# terraform on PATH stands in for the backend (no network): it prints the
# state file named by $FAKE_STATE_<workspace>, fails, or hangs.
. "$(dirname "$0")/lib.sh"
G=$SHARED/fixtures/terraform/generated
if [ ! -f "$G/state-a.tfstate" ]; then skip "remote state" "fixtures not found at $G"; exit 0; fi
unset TF_WORKSPACE TF_DATA_DIR

mkdir -p bin r/.terraform
cat >bin/terraform <<'EOF'
#!/bin/sh
# fake terraform: only "-chdir=DIR state pull"
case "$1" in -chdir=*) shift ;; esac
[ "$1 $2" = "state pull" ] || { echo "fake terraform: unexpected '$*'" >&2; exit 64; }
echo "$TF_WORKSPACE" >>"$FAKE_LOG"
case "$FAKE_MODE" in
hang) sleep 30 ;;
linger) exec >/dev/null 2>&1 </dev/null; sleep 30 ;;
fail) printf '\342\225\267\n\342\224\202 Error: No valid credential sources found\n\342\225\265\n' >&2; exit 1 ;;
esac
ws=${TF_WORKSPACE:-default}
eval "f=\${FAKE_STATE_$ws:-}"
[ -n "$f" ] && cat "$f"
exit 0
EOF
chmod +x bin/terraform
export PATH="$T/bin:$PATH" FAKE_LOG="$T/fake.log" FAKE_MODE=ok FAKE_STATE_default="$G/state-a.tfstate"
printf '{"version":3,"backend":{"type":"s3","config":{"bucket":"b","key":"k","region":"eu-west-1"},"hash":4242}}' \
	>r/.terraform/terraform.tfstate

expect_exit 0 "a remote state is pulled and pinned" bw state check r
expect_grep "$T/out" "backend s3" "the backend type is shown"
expect_grep "$T/out" "lineage 5488954c\.\.\., serial 14, 7 resources" "the pulled state is read"
expect_grep "$T/fake.log" "^default$" "the pull runs with TF_WORKSPACE set"
expect_exit 0 "JSON of the remote check" bw state check r --json
if jq -e '.backend.remote == true and .backend.key == "s3:4242" and .backend.state_path == null' "$T/out" >/dev/null
then pass "remote backend in JSON"; else fail "remote backend in JSON"; fi

FAKE_STATE_default="$G/state-b-other-lineage.tfstate" expect_exit 1 "a swapped remote state fires" bw state check r
expect_grep "$T/out" "The state in the s3 backend \(workspace default\) was replaced" "the remote swap is described"

# the hook pulls for destroy (only), within the budget
printf 'staging' >r/.terraform/environment
export FAKE_STATE_staging="$G/state-a.tfstate"
jq -n --arg d "$T/r" '{session_id: "t", hook_event_name: "PreToolUse", tool_name: "Bash", cwd: $d,
	tool_input: {command: "terraform destroy"}}' >destroy.json
jq -n --arg d "$T/r" '{session_id: "t", hook_event_name: "PreToolUse", tool_name: "Bash", cwd: $d,
	tool_input: {command: "terraform plan"}}' >plan.json
if bw hook --help >/dev/null 2>&1; then
	: >"$FAKE_LOG"
	bw hook claude <plan.json >"$T/out" 2>&1
	if [ ! -s "$FAKE_LOG" ]; then pass "plan on a remote backend starts no terraform process"; else
		fail "plan pulled the state"; fi
	bw hook claude <destroy.json >"$T/out" 2>&1
	expect_grep "$FAKE_LOG" "^staging$" "destroy pulls the selected workspace's state"
	expect_grep "$T/out" "would delete 7 resources" "the pulled state gives the blast radius"
	FAKE_MODE=hang BLASTWALL_TF_PULL_TIMEOUT=0.3 bw hook claude <destroy.json >"$T/out" 2>&1
	expect_grep "$T/out" '"deny"' "a pull that runs out of time denies the destroy"
	expect_grep "$T/out" "did not finish within 0.3 s" "and says why"
else
	skip "hook on a remote backend" "this blastwall has no hook command"
fi

FAKE_MODE=hang expect_exit 3 "a hanging pull is cut at the budget" bw state check r --pull-timeout 0.3
expect_grep "$T/out" "cannot be read" "the state is reported unreadable"
expect_grep "$T/out" "did not finish within 0.3 s" "the budget is named"
FAKE_MODE=linger expect_exit 3 "a pull that closes its output but lingers is cut too" bw state check r --pull-timeout 0.3
expect_grep "$T/out" "did not finish within 0.3 s" "the budget is named again"
FAKE_MODE=fail expect_exit 3 "a failing pull" bw state check r
expect_grep "$T/out" "Error: No valid credential sources found" "terraform's own error is quoted, without its frame"
expect_exit 0 "--no-pull reads nothing" bw state check r --no-pull
expect_grep "$T/out" "not read \(remote" "it says the state was not read"
PATH=/usr/bin:/bin expect_exit 3 "no terraform binary" bw state check r --tool tofu
expect_grep "$T/out" "neither terraform nor tofu is in PATH|cannot be read" "the missing binary is named"
