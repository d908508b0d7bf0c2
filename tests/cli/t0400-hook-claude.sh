#!/usr/bin/env bash
# blastwall hook claude: the Claude Code PreToolUse protocol. Allow prints
# nothing; ask and deny print exactly the hookSpecificOutput object and exit 0;
# other tools pass; the decision lands in the audit log.
. "$(dirname "$0")/lib.sh"
command -v jq >/dev/null || { skip "hook claude" "jq is not installed"; exit 0; }

mkdir -p "$T/proj/.git"
payload() { # COMMAND [TOOL]  (the command goes through stdin: it may be larger than an argument can be)
	printf '%s' "$1" | jq -Rsc --arg t "${2:-Bash}" --arg cwd "$T/proj" \
		'{session_id: "sess-1", transcript_path: "/tmp/t.jsonl", cwd: $cwd, permission_mode: "default",
		  hook_event_name: "PreToolUse", tool_name: $t, tool_input: {command: ., description: "x"}}'
}
hook() { payload "$@" | bw hook claude; }

expect_exit 0 "allow exits 0" hook "ls -la"
[ ! -s "$T/out" ] && pass "allow prints nothing on stdout" || fail "allow prints nothing on stdout"
expect_exit 0 "git status passes" hook "git status"
[ ! -s "$T/out" ] && pass "git status prints nothing" || fail "git status prints nothing"
expect_exit 0 "a benign look-alike passes" hook "echo 'terraform destroy'"
[ ! -s "$T/out" ] && pass "echo 'terraform destroy' prints nothing" || fail "echo 'terraform destroy' prints nothing"

expect_exit 0 "deny exits 0" hook "rm -rf /"
cp "$T/out" "$T/deny.json"
jq -e 'keys == ["hookSpecificOutput"]' "$T/deny.json" >/dev/null && pass "deny: only hookSpecificOutput at the top" || fail "deny: only hookSpecificOutput at the top"
jq -e '.hookSpecificOutput | keys == ["hookEventName", "permissionDecision", "permissionDecisionReason"]' "$T/deny.json" >/dev/null \
	&& pass "deny: exactly the three documented fields" || fail "deny: exactly the three documented fields"
jq -e '.hookSpecificOutput.hookEventName == "PreToolUse" and .hookSpecificOutput.permissionDecision == "deny"' "$T/deny.json" >/dev/null \
	&& pass "deny: PreToolUse / deny" || fail "deny: PreToolUse / deny"
jq -e '.hookSpecificOutput.permissionDecisionReason | test("rm -rf /") and length > 30' "$T/deny.json" >/dev/null \
	&& pass "deny: the reason names the command" || fail "deny: the reason names the command"
[ "$(wc -l <"$T/deny.json")" -eq 1 ] && pass "deny: one line of JSON" || fail "deny: one line of JSON"

expect_exit 0 "ask exits 0" hook "git reset --hard"
jq -e '.hookSpecificOutput.permissionDecision == "ask"' "$T/out" >/dev/null && pass "git reset --hard asks" || fail "git reset --hard asks"

expect_exit 0 "a wrapped destroy is denied or asked" hook "bash -c 'sudo rm -rf /'"
jq -e '.hookSpecificOutput.permissionDecision | IN("deny", "ask")' "$T/out" >/dev/null && pass "bash -c 'sudo rm -rf /' is stopped" || fail "bash -c 'sudo rm -rf /' is stopped"

# other tools pass silently, whatever their input says
expect_exit 0 "the Read tool passes" sh -c "jq -nc '{tool_name: \"Read\", tool_input: {file_path: \"/etc/passwd\"}}' | '$BLASTWALL' hook claude"
[ ! -s "$T/out" ] && pass "a non-Bash tool prints nothing" || fail "a non-Bash tool prints nothing"
expect_exit 0 "a Write of rm -rf text passes" hook "rm -rf /" Write
[ ! -s "$T/out" ] && pass "only Bash is checked" || fail "only Bash is checked"

# another hook event (installed under PostToolUse by mistake) is not answered
expect_exit 0 "a PostToolUse payload passes" sh -c "jq -nc '{hook_event_name: \"PostToolUse\", tool_name: \"Bash\", tool_input: {command: \"rm -rf /\"}, tool_response: {}}' | '$BLASTWALL' hook claude"
[ ! -s "$T/out" ] && pass "other events print nothing" || fail "other events print nothing"

# no cwd in the payload: the process's is used
expect_exit 0 "a payload without cwd works" sh -c "jq -nc '{tool_name: \"Bash\", tool_input: {command: \"rm -rf /\"}}' | '$BLASTWALL' hook claude"
jq -e '.hookSpecificOutput.permissionDecision == "deny"' "$T/out" >/dev/null && pass "without cwd: still denied" || fail "without cwd: still denied"

# unicode and huge commands
expect_exit 0 "a unicode command passes" hook "echo 'héllo wörld ✓ 日本語' > out.txt"
[ ! -s "$T/out" ] && pass "unicode allow prints nothing" || fail "unicode allow prints nothing"
expect_exit 0 "a unicode destructive command is denied" hook "rm -rf / # 🔥 ünïcode"
jq -e '.hookSpecificOutput.permissionDecisionReason | test("ünïcode") or test("rm -rf")' "$T/out" >/dev/null \
	&& pass "unicode survives into the reason as valid JSON" || fail "unicode survives into the reason as valid JSON"
big=$(head -c 300000 /dev/zero | tr '\0' 'a')
hook_big() { { printf 'echo '; printf '%s' "$big"; printf '%s' "$1"; } | jq -Rsc '{tool_name: "Bash", tool_input: {command: .}}' | bw hook claude; }
expect_exit 0 "a 300 KB harmless command is answered" hook_big ""
[ ! -s "$T/out" ] && pass "huge harmless command: silent" || fail "huge harmless command: silent"
expect_exit 0 "a 300 KB command ending in rm -rf / is answered" hook_big "; rm -rf /"
jq -e '.hookSpecificOutput.permissionDecision == "deny"' "$T/out" >/dev/null && pass "huge command: the tail is still checked" || fail "huge command: the tail is still checked"

# the audit log holds the ask/deny decisions, not the allows
bw log --json --limit 0 >"$T/log.json"
n=$(jq '.entries | length' "$T/log.json")
[ "$n" -ge 4 ] && pass "asks and denies are logged ($n rows)" || fail "asks and denies are logged ($n rows)"
jq -e '[.entries[].decision] | all(. != "allow")' "$T/log.json" >/dev/null && pass "allows are not logged by default" || fail "allows are not logged by default"
jq -e --arg cwd "$T/proj" '.entries[0] | .agent == "claude" and .session == "sess-1" and .cwd == $cwd and .command == "rm -rf /"
	and .decision == "deny" and (.rules | length) >= 1 and (.reason | length) > 0' "$T/log.json" >/dev/null \
	&& pass "a row has agent, session, cwd, command, decision, rules and reason" || fail "a row has agent, session, cwd, command, decision, rules and reason"
expect_exit 0 "the chain verifies" bw log --verify
