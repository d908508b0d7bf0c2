#!/usr/bin/env bash
# blastwall check: decisions, exit codes (0 allow, 1 ask, 3 deny, 2 usage), the
# three ways to pass a command, --cwd, and the --json schema (doc/json/check.md).
. "$(dirname "$0")/lib.sh"
unset AWS_PROFILE KUBECONFIG TF_WORKSPACE
mkdir -p proj/.git && cd proj || exit 1

expect_exit 0 "check: ls is allowed" bw check 'ls -la'
expect_grep "$T/out" '^allow$' "check: allow prints 'allow'"
expect_exit 1 "check: git reset --hard asks" bw check 'git reset --hard'
expect_grep "$T/out" 'git.reset-hard' "check: the ask names the rule"
expect_grep "$T/out" 'git stash' "check: the ask names the safer way"
expect_exit 3 "check: rm -rf / is denied" bw check 'rm -rf /'
expect_grep "$T/out" '^deny$' "check: deny prints 'deny'"
expect_exit 3 "check: bash -c hiding is denied" bw check "bash -c 'sudo rm -rf /etc'"
expect_grep "$T/out" 'found inside bash -c, sudo' "check: the reason says where it was found"
expect_exit 3 "check: words after -- are one command" bw check -- rm -rf /
expect_exit 1 "check: quoted words stay words" bw check -- psql -c 'DROP TABLE users'
expect_grep "$T/out" 'DROP TABLE users' "check: the statement is quoted in the reason"
echo 'kubectl delete namespace prod' >cmd.txt
expect_exit 3 "check: - reads the command from stdin" bash -c "'$BLASTWALL' check - < cmd.txt"
expect_exit 0 "check: benign look-alike passes" bw check 'echo "terraform destroy"'
expect_exit 1 "check: unparseable text asks" bw check "echo 'oops"
expect_grep "$T/out" 'does not parse' "check: the parse error is in the reason"
expect_exit 1 "check: dynamic command name asks" bw check '$X destroy'

# --cwd: the project is where the command runs
mkdir -p "$T/other/.git" "$T/other/build"
expect_exit 0 "check --cwd: rm -rf build inside that project passes" bw check --cwd "$T/other" 'rm -rf build'
expect_exit 3 "check --cwd: rm -rf . of that project is denied" bw check --cwd "$T/other" 'rm -rf .'
expect_exit 2 "check --cwd: a missing directory is a usage error" bw check --cwd "$T/nope" 'ls'

# usage
expect_exit 2 "check: no command is a usage error" bw check
expect_grep "$T/err" 'usage|no command' "check: usage error explains"
expect_exit 2 "check: unknown option is a usage error" bw check --bogus ls
expect_exit 0 "check --help exits 0" bw check --help
expect_grep "$T/out" 'Exit status' "check --help documents exit codes"

# --json
expect_exit 3 "check --json: exit code is the decision" bw check --json 'sudo rm -rf ~'
if command -v jq >/dev/null; then
	if jq -e '.decision == "deny" and (.matches | length) == 1 and .matches[0].rule == "filesystem.rm-home"
		and .matches[0].via == "sudo" and (.commands[0].command == "rm -rf ~") and (.reason | length > 20)
		and .allowed_by_config == false and (.config_files | type) == "array" and .parse_error == null' \
		"$T/out" >/dev/null; then pass "check --json: schema fields"; else fail "check --json: schema fields"; cat "$T/out"; fi
	bw check --json 'ls' >"$T/j2"
	if jq -e '.decision == "allow" and .reason == null and .matches == []' "$T/j2" >/dev/null; then
		pass "check --json: allow has no reason"; else fail "check --json: allow has no reason"; fi
	bw check --json "echo 'x" >"$T/j3"
	if jq -e '.decision == "ask" and (.parse_error | type) == "string"' "$T/j3" >/dev/null; then
		pass "check --json: parse_error is set"; else fail "check --json: parse_error is set"; fi
else
	skip "check --json schema" "jq not installed"
fi
