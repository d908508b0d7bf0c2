#!/usr/bin/env bash
# blastwall explain (parse, what runs, rules, config) and blastwall rules.
. "$(dirname "$0")/lib.sh"
mkdir -p proj/.git && cd proj || exit 1

expect_exit 3 "explain: exit code follows the decision" bw explain "bash -c \"sudo env X=1 rm -rf /\""
expect_grep "$T/out" '^parse' "explain: shows the parse"
expect_grep "$T/out" 'rm -rf /' "explain: shows the unwrapped command"
expect_grep "$T/out" 'found inside: bash -c, sudo, env' "explain: shows the wrapper chain"
expect_grep "$T/out" 'deny +filesystem.rm-root' "explain: shows the matching rule"
expect_grep "$T/out" 'no config files' "explain: shows the config in force"
expect_exit 0 "explain: a harmless command" bw explain 'git status'
expect_grep "$T/out" 'none matched' "explain: says when nothing matched"
expect_exit 1 "explain: unparseable" bw explain "echo 'x"
expect_grep "$T/out" 'does not parse' "explain: shows the parse error"
expect_exit 2 "explain: no command" bw explain

expect_exit 0 "rules: lists" bw rules
expect_grep "$T/out" '^terraform.destroy ' "rules: terraform.destroy listed"
expect_grep "$T/out" '^kubectl.delete-namespace +ask +deny' "rules: dev and prod decisions"
expect_exit 0 "rules: pack filter" bw rules git
expect_no_grep "$T/out" '^terraform' "rules git: only the git pack"
expect_exit 1 "rules: unknown pattern" bw rules 'nosuch.*'
expect_exit 0 "rules --json" bw rules --json
if command -v jq >/dev/null; then
	n=$(jq 'length' "$T/out")
	[ "$n" -gt 60 ] && pass "rules --json: $n rules" || fail "rules --json: only $n rules"
	if jq -e 'all(.[]; (.id|type)=="string" and (.decision|IN("allow","ask","deny"))
		and (.production_decision|IN("allow","ask","deny")) and (.description|length>0) and (.message|length>40))' \
		"$T/out" >/dev/null; then pass "rules --json: every rule has id, decisions, description, message"
	else fail "rules --json: fields"; fi
	ids=$(jq -r '.[].id' "$T/out" | sort | uniq -d)
	[ -z "$ids" ] && pass "rules --json: ids are unique" || fail "rules --json: duplicate ids: $ids"
fi
mkdir -p "$BLASTWALL_CONFIG_DIR"
printf 'rules:\n  git.reset-hard: deny\n' >"$BLASTWALL_CONFIG_DIR/config.yaml"
bw rules --effective git.reset-hard >"$T/out"
expect_grep "$T/out" '^git.reset-hard +deny +deny' "rules --effective: shows the config's override"
mkdir -p sub
expect_exit 0 "explain: cd moves later commands" bw explain 'cd sub && ls'
expect_grep "$T/out" 'runs in: .*/proj/sub' "explain: shows where a command runs after cd"
expect_exit 0 "rules: module rules listed" bw rules 'terraform.state-*'
expect_grep "$T/out" 'terraform.state-swapped .*judged from the terraform state' "rules: terraform module rules are marked"
echo 'sudo rm -rf /' >cmd.txt
expect_exit 3 "explain -: reads the command from stdin" bash -c "'$BLASTWALL' explain - < cmd.txt"
expect_grep "$T/out" 'found inside: sudo' "explain -: unwraps it"
