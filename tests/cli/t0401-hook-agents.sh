#!/usr/bin/env bash
# blastwall hook codex|gemini|cursor: each agent's own hook format
# (doc/json/hooks.md). Codex and Gemini CLI cannot prompt from a hook, so ask
# becomes a deny that says a human must confirm.
. "$(dirname "$0")/lib.sh"
command -v jq >/dev/null || { skip "hook agents" "jq is not installed"; exit 0; }
mkdir -p "$T/proj"

# ---- Codex: the PreToolUse payload and answer of Claude Code ----
codex() { jq -nc --arg c "$1" --arg cwd "$T/proj" \
	'{session_id: "c-1", turn_id: "t", transcript_path: null, cwd: $cwd, hook_event_name: "PreToolUse", model: "gpt-5",
	  permission_mode: "default", tool_name: "Bash", tool_input: {command: $c}, tool_use_id: "u1"}' | bw hook codex; }
expect_exit 0 "codex: allow exits 0" codex "npm test"
[ ! -s "$T/out" ] && pass "codex: allow prints nothing" || fail "codex: allow prints nothing"
expect_exit 0 "codex: deny exits 0" codex "rm -rf ~"
jq -e '.hookSpecificOutput.hookEventName == "PreToolUse" and .hookSpecificOutput.permissionDecision == "deny"' "$T/out" >/dev/null \
	&& pass "codex: deny in hookSpecificOutput" || fail "codex: deny in hookSpecificOutput"
expect_exit 0 "codex: ask exits 0" codex "git reset --hard"
jq -e '.hookSpecificOutput.permissionDecision == "deny" and (.hookSpecificOutput.permissionDecisionReason | test("confirmation"))' "$T/out" >/dev/null \
	&& pass "codex: ask becomes a deny asking for a human" || fail "codex: ask becomes a deny asking for a human"
expect_exit 0 "codex: apply_patch passes" sh -c "jq -nc '{tool_name: \"apply_patch\", tool_input: {command: \"rm -rf /\"}}' | '$BLASTWALL' hook codex"
[ ! -s "$T/out" ] && pass "codex: non-shell tools print nothing" || fail "codex: non-shell tools print nothing"

# ---- Gemini CLI: BeforeTool, run_shell_command, {decision, reason} ----
gemini() { jq -nc --arg c "$1" --arg t "${2:-run_shell_command}" --arg cwd "$T/proj" \
	'{session_id: "g-1", transcript_path: "/tmp/g.json", cwd: $cwd, hook_event_name: "BeforeTool", timestamp: "2026-01-01T00:00:00Z",
	  tool_name: $t, tool_input: {command: $c, description: "d"}}' | bw hook gemini; }
expect_exit 0 "gemini: allow exits 0" gemini "ls"
[ ! -s "$T/out" ] && pass "gemini: allow prints nothing" || fail "gemini: allow prints nothing"
expect_exit 0 "gemini: deny exits 0" gemini "rm -rf /"
jq -e '.decision == "deny" and (.reason | test("rm -rf /")) and (.systemMessage | length > 0)' "$T/out" >/dev/null \
	&& pass "gemini: {decision: deny, reason, systemMessage}" || fail "gemini: {decision: deny, reason, systemMessage}"
expect_exit 0 "gemini: ask exits 0" gemini "git reset --hard"
jq -e '.decision == "deny" and (.reason | test("confirmation"))' "$T/out" >/dev/null \
	&& pass "gemini: ask becomes a deny asking for a human" || fail "gemini: ask becomes a deny asking for a human"
expect_exit 0 "gemini: read_file passes" gemini "rm -rf /" read_file
[ ! -s "$T/out" ] && pass "gemini: other tools print nothing" || fail "gemini: other tools print nothing"
expect_exit 0 "gemini: other events pass" sh -c "jq -nc '{hook_event_name: \"AfterTool\", tool_name: \"run_shell_command\", tool_input: {command: \"rm -rf /\"}}' | '$BLASTWALL' hook gemini"
[ ! -s "$T/out" ] && pass "gemini: AfterTool prints nothing" || fail "gemini: AfterTool prints nothing"
expect_exit 2 "gemini: missing tool_input.command blocks" sh -c "jq -nc '{hook_event_name: \"BeforeTool\", tool_name: \"run_shell_command\", tool_input: {}}' | '$BLASTWALL' hook gemini"

# ---- Cursor: beforeShellExecution, {permission, user_message, agent_message} ----
cursor() { jq -nc --arg c "$1" --arg cwd "$T/proj" \
	'{conversation_id: "cv-1", generation_id: "g", hook_event_name: "beforeShellExecution", workspace_roots: [$cwd],
	  command: $c, cwd: $cwd}' | bw hook cursor; }
expect_exit 0 "cursor: allow exits 0" cursor "make"
[ ! -s "$T/out" ] && pass "cursor: allow prints nothing" || fail "cursor: allow prints nothing"
expect_exit 0 "cursor: deny exits 0" cursor "rm -rf /"
jq -e '.permission == "deny" and (.user_message | test("rm -rf /")) and (.agent_message | length > 0)' "$T/out" >/dev/null \
	&& pass "cursor: {permission: deny, user_message, agent_message}" || fail "cursor: {permission: deny, user_message, agent_message}"
expect_exit 0 "cursor: ask exits 0" cursor "git reset --hard"
jq -e '.permission == "ask"' "$T/out" >/dev/null && pass "cursor: ask is a native ask" || fail "cursor: ask is a native ask"
expect_exit 0 "cursor: without cwd, the workspace root is used" sh -c "jq -nc --arg r '$T/proj' '{hook_event_name: \"beforeShellExecution\", workspace_roots: [\$r], command: \"rm -rf /\"}' | '$BLASTWALL' hook cursor"
jq -e '.permission == "deny"' "$T/out" >/dev/null && pass "cursor: no cwd still denied" || fail "cursor: no cwd still denied"
expect_exit 0 "cursor: other events pass" sh -c "jq -nc '{hook_event_name: \"beforeReadFile\", file_path: \"/etc/shadow\"}' | '$BLASTWALL' hook cursor"
[ ! -s "$T/out" ] && pass "cursor: beforeReadFile prints nothing" || fail "cursor: beforeReadFile prints nothing"
expect_exit 2 "cursor: a missing command blocks" sh -c "echo '{\"hook_event_name\": \"beforeShellExecution\"}' | '$BLASTWALL' hook cursor"

# ---- every agent is logged under its name ----
bw log --json --limit 0 >"$T/log.json"
for a in codex gemini cursor; do
	jq -e --arg a "$a" '[.entries[] | select(.agent == $a)] | length >= 2' "$T/log.json" >/dev/null \
		&& pass "$a decisions are logged" || fail "$a decisions are logged"
done
jq -e '[.entries[] | select(.agent == "cursor")][0].session == "cv-1"' "$T/log.json" >/dev/null \
	&& pass "cursor's conversation_id is the session" || fail "cursor's conversation_id is the session"

expect_exit 2 "an unknown agent is a usage error" bw hook vscode
expect_exit 2 "no agent is a usage error" bw hook
