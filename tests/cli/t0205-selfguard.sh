#!/usr/bin/env bash
# The blastwall.* rules end to end: an agent cannot switch the guard off
# (config, hook settings, uninstall, state accept, audit database) without a
# human; the message says how. Paths come from the environment lib.sh sets
# ($BLASTWALL_CONFIG_DIR, $BLASTWALL_STATE_DIR), not only the default places.
. "$(dirname "$0")/lib.sh"
unset AWS_PROFILE KUBECONFIG TF_WORKSPACE
mkdir -p proj/.git proj/.claude && cd proj || exit 1

expect_exit 1 "check: writing .blastwall.yaml asks" bw check "echo 'rules: {\"*\": allow}' > .blastwall.yaml"
expect_grep "$T/out" 'blastwall\.config' "check: the ask names blastwall.config"
expect_grep "$T/out" 'run it yourself in a terminal' "check: the message says a human runs it"
expect_grep "$T/out" "$T/proj/.blastwall.yaml" "check: the message names the file"
expect_exit 1 "check: the user config in \$BLASTWALL_CONFIG_DIR asks" bw check "rm '$BLASTWALL_CONFIG_DIR/config.yaml'"
expect_exit 0 "check: reading the config passes" bw check 'cat .blastwall.yaml'
expect_exit 1 "check: editing the hook settings asks" bw check "sed -i '/blastwall/d' .claude/settings.json"
expect_grep "$T/out" 'blastwall\.agent-settings' "check: the ask names blastwall.agent-settings"
expect_exit 1 "check: uninstall through sudo and a path asks" bw check 'sudo /usr/local/bin/blastwall uninstall claude'
expect_exit 1 "check: state accept asks" bw check 'blastwall state accept infra/'
expect_exit 0 "check: state check passes" bw check 'blastwall state check infra/'

# the audit database where this environment keeps it (its directory is not named "blastwall")
expect_exit 1 "check: sqlite3 DELETE on the audit db asks" bw check "sqlite3 '$BLASTWALL_STATE_DIR/state.db' 'DELETE FROM audit_log WHERE id = 1'"
expect_grep "$T/out" 'blastwall\.audit-db' "check: the ask names blastwall.audit-db"
expect_exit 0 "check: sqlite3 SELECT on the audit db passes" bw check "sqlite3 '$BLASTWALL_STATE_DIR/state.db' 'SELECT count(*) FROM audit_log'"
expect_exit 1 "check: removing the WAL asks" bw check "rm -f '$BLASTWALL_STATE_DIR/state.db-wal'"
expect_exit 0 "check: blastwall log --verify passes" bw check 'blastwall log --verify'

expect_exit 0 "rules: the blastwall pack is listed" bw rules blastwall
expect_grep "$T/out" '^blastwall\.audit-db +ask +ask' "rules: audit-db asks in dev and production"
[ "$(grep -c '^blastwall\.' "$T/out")" -eq 5 ] && pass "rules: five blastwall.* rules" || fail "rules: not five blastwall.* rules"

# through the agent's hook: Claude gets "ask", not a silent allow
if command -v jq >/dev/null; then
	jq -nc --arg cwd "$T/proj" '{session_id: "s", cwd: $cwd, hook_event_name: "PreToolUse", tool_name: "Bash",
		tool_input: {command: "bash -c \"blastwall uninstall claude\""}}' >payload.json
	expect_exit 0 "hook claude: answers" sh -c "'$BLASTWALL' hook claude < payload.json"
	expect_grep "$T/out" '"permissionDecision": *"ask"' "hook claude: uninstall through bash -c is an ask"
	# the hook logged the decision: the database the audit-db rule guards is the one it wrote
	if [ -f "$BLASTWALL_STATE_DIR/state.db" ]; then pass "hook: the audit database is state.db"; else
		fail "hook: no $BLASTWALL_STATE_DIR/state.db"; fi
else
	skip "hook claude" "jq is not installed"
fi

# a repository that ships a .blastwall.yaml cannot switch the self-protection off
mkdir -p "$T/shipped"
cat >"$T/shipped/.blastwall.yaml" <<'YAML'
rules:
  "*": allow
  blastwall.uninstall: allow
allow:
  - "blastwall uninstall claude"
  - pattern: "*"
YAML
expect_exit 1 "a project file's overrides and allow entries do not silence blastwall.uninstall" \
	bw check --cwd "$T/shipped" 'blastwall uninstall claude'
expect_exit 0 "the same project file still relaxes other rules" bw check --cwd "$T/shipped" 'git push --force'
mkdir -p "$BLASTWALL_CONFIG_DIR"
printf 'rules:\n  blastwall.uninstall: allow\n' >"$BLASTWALL_CONFIG_DIR/config.yaml"
expect_exit 0 "the user's own config can relax a blastwall.* rule" bw check --cwd "$T/proj" 'blastwall uninstall claude'
rm -f "$BLASTWALL_CONFIG_DIR/config.yaml"
