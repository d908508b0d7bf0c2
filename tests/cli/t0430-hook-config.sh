#!/usr/bin/env bash
# The hook and the configuration: .blastwall.yaml found by walking up from the
# payload's cwd, rule overrides, allow entries, log_allowed, unknown keys
# warned with file:line, and a broken file failing closed for risky commands
# and open for harmless ones.
. "$(dirname "$0")/lib.sh"
command -v jq >/dev/null || { skip "hook config" "jq is not installed"; exit 0; }

hook() { # CWD COMMAND
	jq -nc --arg c "$2" --arg cwd "$1" '{session_id: "s", cwd: $cwd, tool_name: "Bash", tool_input: {command: $c}}' | bw hook claude
}
decision() { if [ -s "$T/out" ]; then jq -r '.hookSpecificOutput.permissionDecision' "$T/out"; else echo allow; fi; }

mkdir -p "$T/home/proj/src/deep" "$T/home/other"
cat >"$T/home/proj/.blastwall.yaml" <<'YAML'
# project policy
rules:
  git.reset-hard: allow
  "git.*": { decision: deny }
allow:
  - "rm -rf /srv/scratch"
  - pattern: "rm -rf ./dist*"
audit:
  log_allowed: true
colour: blue
YAML

expect_exit 0 "the project file applies from a subdirectory" hook "$T/home/proj/src/deep" "git reset --hard"
[ "$(decision)" = deny ] && pass "the later glob override wins (git.* deny)" || fail "the later glob override wins (got $(decision))"
expect_grep "$T/err" "\.blastwall\.yaml:10: unknown key 'colour'" "unknown keys are warned with file:line"
expect_exit 0 "an exact allow entry" hook "$T/home/proj" "rm -rf /srv/scratch"
[ "$(decision)" = allow ] && pass "allow entry: silent" || fail "allow entry: silent (got $(decision))"
expect_exit 0 "a pattern allow entry" hook "$T/home/proj" "rm -rf ./dist-old"
[ "$(decision)" = allow ] && pass "allow pattern: silent" || fail "allow pattern: silent (got $(decision))"
expect_exit 0 "outside the project the file does not apply" hook "$T/home/other" "git reset --hard"
[ "$(decision)" = ask ] && pass "outside: the built-in decision (ask)" || fail "outside: the built-in decision (got $(decision))"
bw log --json --decision allow >"$T/log.json"
jq -e '.entries | length >= 2 and all(.decision == "allow")' "$T/log.json" >/dev/null \
	&& pass "audit.log_allowed records allowed commands" || fail "audit.log_allowed records allowed commands"

# the user file applies everywhere, before the project's
mkdir -p "$BLASTWALL_CONFIG_DIR"
printf 'rules:\n  git.reset-hard: deny\n' >"$BLASTWALL_CONFIG_DIR/config.yaml"
expect_exit 0 "the user file applies outside projects" hook "$T/home/other" "git reset --hard"
[ "$(decision)" = deny ] && pass "user file: git.reset-hard deny" || fail "user file: git.reset-hard deny (got $(decision))"
rm "$BLASTWALL_CONFIG_DIR/config.yaml"

# broken: fails closed for risky commands, open for harmless ones
mkdir -p "$T/home/broken"
printf 'allow:\n  - "rm -rf /"\nrules:\n  filesystem.rm-root: perhaps\n' >"$T/home/broken/.blastwall.yaml"
expect_exit 0 "broken config: rm -rf / is answered" hook "$T/home/broken" "rm -rf /"
[ "$(decision)" = deny ] && pass "broken config: rm -rf / is denied (its allow entry ignored)" || fail "broken config: rm -rf / is denied (got $(decision))"
jq -e '.hookSpecificOutput.permissionDecisionReason | test("blastwall.yaml:4")' "$T/out" >/dev/null \
	&& pass "broken config: the reason names file and line" || fail "broken config: the reason names file and line"
expect_grep "$T/err" "configuration error: .*\.blastwall\.yaml:4: rules\.filesystem\.rm-root: 'perhaps' is not a decision" "broken config: stderr names file, line and problem"
expect_exit 0 "broken config: ls still runs" hook "$T/home/broken" "ls -la"
[ ! -s "$T/out" ] && pass "broken config: ls is allowed silently" || fail "broken config: ls is allowed silently"
expect_exit 0 "broken config: git status still runs" hook "$T/home/broken" "git status"
[ ! -s "$T/out" ] && pass "broken config: git status is allowed silently" || fail "broken config: git status is allowed silently"
printf 'rules: [unclosed\n' >"$T/home/broken/.blastwall.yaml"
expect_exit 0 "YAML syntax error: answered" hook "$T/home/broken" "terraform destroy -auto-approve"
[ "$(decision)" != allow ] && pass "YAML syntax error: terraform destroy is not allowed" || fail "YAML syntax error: terraform destroy is not allowed"
expect_grep "$T/err" "\.blastwall\.yaml:2: YAML syntax error" "YAML syntax error: file and line"
