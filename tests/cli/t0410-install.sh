#!/usr/bin/env bash
# blastwall install|uninstall AGENT: merges the hook into each agent's
# settings file, keeps everything else (order included), is idempotent,
# refuses files it cannot parse, writes atomically with a .bak.
. "$(dirname "$0")/lib.sh"
command -v jq >/dev/null || { skip "install" "jq is not installed"; exit 0; }

self=$(realpath "$BLASTWALL")
mkdir -p "$T/repo/.git" "$T/repo/sub/dir"
cd "$T/repo" || exit 1

file_of() { case $1 in claude) echo .claude/settings.json ;; codex) echo .codex/hooks.json ;;
	gemini) echo .gemini/settings.json ;; cursor) echo .cursor/hooks.json ;; esac; }
event_of() { case $1 in claude | codex) echo PreToolUse ;; gemini) echo BeforeTool ;; cursor) echo beforeShellExecution ;; esac; }
# every hook command under the agent's event, grouped or flat
ours() { jq -r --arg e "$(event_of "$2")" '.hooks[$e][]? | (.hooks[]?.command, .command) | strings' "$1"; }

for a in claude codex gemini cursor; do
	f=$(file_of $a)
	rm -rf "$T/repo/.claude" "$T/repo/.codex" "$T/repo/.gemini" "$T/repo/.cursor"

	# fresh install, from a subdirectory: lands at the work tree's root
	(cd sub/dir && "$BLASTWALL" install $a) >"$T/out" 2>"$T/err"
	[ $? -eq 0 ] && pass "$a: install exits 0" || fail "$a: install exits 0"
	[ -f "$f" ] && pass "$a: $f created at the repo root" || fail "$a: $f created at the repo root"
	expect_grep "$T/out" "added the .* hook" "$a: says what it did"
	[ "$(ours "$f" $a)" = "$self hook $a" ] && pass "$a: the entry runs '$self hook $a'" || fail "$a: the entry runs '$self hook $a' (got: $(ours "$f" $a))"
	case $a in
	claude | codex) jq -e '.hooks.PreToolUse[0] | .matcher == "Bash" and .hooks[0].type == "command"' "$f" >/dev/null ;;
	gemini) jq -e '.hooks.BeforeTool[0] | .matcher == "run_shell_command" and .hooks[0].type == "command" and .hooks[0].name == "blastwall"' "$f" >/dev/null ;;
	cursor) jq -e '.version == 1 and (.hooks.beforeShellExecution | length) == 1' "$f" >/dev/null ;;
	esac && pass "$a: the entry has the agent's shape" || fail "$a: the entry has the agent's shape"

	# idempotent
	cp "$f" "$T/before"
	expect_exit 0 "$a: a second install exits 0" bw install $a
	expect_grep "$T/out" "nothing changed" "$a: a second install says nothing changed"
	cmp -s "$f" "$T/before" && pass "$a: a second install leaves the file byte for byte" || fail "$a: a second install leaves the file byte for byte"
	[ ! -e "$f.bak" ] && pass "$a: no .bak when nothing changed" || fail "$a: no .bak when nothing changed"

	# uninstall takes it all out again
	expect_exit 0 "$a: uninstall exits 0" bw uninstall $a
	expect_grep "$T/out" "removed 1 blastwall hook entry" "$a: uninstall says what it removed"
	[ "$(jq -c . "$f")" = "{}" ] && pass "$a: install + uninstall leaves nothing behind" || fail "$a: install + uninstall leaves nothing behind ($(jq -c . "$f"))"
	expect_exit 0 "$a: a second uninstall exits 0" bw uninstall $a
	expect_grep "$T/out" "no blastwall hook" "$a: a second uninstall says there is nothing"
done

# ---- preservation: other settings, other hooks, key order, numbers ----
mkdir -p .claude
cat >.claude/settings.json <<'JSON'
{
  "model": "opus",
  "permissions": {"allow": ["Bash(npm test:*)"], "deny": []},
  "hooks": {
    "PostToolUse": [{"matcher": "Write", "hooks": [{"type": "command", "command": "prettier --write"}]}],
    "PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "/opt/audit.sh", "timeout": 5}]}]
  },
  "ratio": 0.1,
  "big": 12345678901234,
  "unicode": "héllo ✓",
  "zzz_last": true
}
JSON
cp .claude/settings.json "$T/orig.json"
expect_exit 0 "preserve: install into a file with other settings" bw install claude
jq -e '.hooks.PreToolUse | length == 2' .claude/settings.json >/dev/null && pass "preserve: the user's own PreToolUse hook stays" || fail "preserve: the user's own PreToolUse hook stays"
jq -c --arg c "$self hook claude" 'del(.hooks.PreToolUse[] | select(.hooks[0].command == $c))' .claude/settings.json >"$T/after.json"
jq -c . "$T/orig.json" >"$T/orig.c.json"
cmp -s "$T/after.json" "$T/orig.c.json" && pass "preserve: everything else is unchanged" || fail "preserve: everything else is unchanged"
[ "$(jq -c keys_unsorted .claude/settings.json)" = '["model","permissions","hooks","ratio","big","unicode","zzz_last"]' ] \
	&& pass "preserve: key order is kept" || fail "preserve: key order is kept ($(jq -c keys_unsorted .claude/settings.json))"
grep -q '"ratio": 0.1,' .claude/settings.json && pass "preserve: 0.1 stays 0.1" || fail "preserve: 0.1 stays 0.1"
grep -q '"unicode": "héllo ✓"' .claude/settings.json && pass "preserve: unicode stays readable" || fail "preserve: unicode stays readable"
cmp -s .claude/settings.json.bak "$T/orig.json" && pass "preserve: .bak holds the previous bytes" || fail "preserve: .bak holds the previous bytes"
expect_exit 0 "preserve: uninstall" bw uninstall claude
jq -c . .claude/settings.json >"$T/un.json"
cmp -s "$T/un.json" "$T/orig.c.json" && pass "preserve: uninstall removes only blastwall's entry" || fail "preserve: uninstall removes only blastwall's entry"

# ---- a moved binary: the old entry is updated, not duplicated ----
cat >.claude/settings.json <<'JSON'
{"hooks": {"PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "/old/place/blastwall hook claude"}]}]}}
JSON
expect_exit 0 "moved: install" bw install claude
expect_grep "$T/out" "updated the Claude Code hook from '/old/place/blastwall hook claude'" "moved: says it updated the path"
[ "$(ours .claude/settings.json claude)" = "$self hook claude" ] && pass "moved: one entry, the new path" || fail "moved: one entry, the new path"

# ---- refusal: files it cannot parse are left alone ----
printf '{"model": "opus",\n  "hooks": {,}\n}\n' >.claude/settings.json
cp .claude/settings.json "$T/bad.json"
expect_exit 1 "refuse: a file that is not JSON" bw install claude
expect_grep "$T/err" "cannot parse '.*settings.json': line 2" "refuse: names the file and the line"
expect_grep "$T/err" "it was not changed" "refuse: says the file was not changed"
cmp -s .claude/settings.json "$T/bad.json" && pass "refuse: the file is untouched" || fail "refuse: the file is untouched"
expect_exit 1 "refuse: uninstall too" bw uninstall claude
printf '{"hooks": []}' >.claude/settings.json
expect_exit 1 "refuse: hooks that are not an object" bw install claude
expect_grep "$T/err" '"hooks" is an array' "refuse: says what is wrong with hooks"
printf '{"hooks": {"PreToolUse": {}}}' >.claude/settings.json
expect_exit 1 "refuse: an event that is not an array" bw install claude
printf '[1, 2]' >.claude/settings.json
expect_exit 1 "refuse: a top level that is not an object" bw install claude
printf '{"a": 1, "a": 2}' >.claude/settings.json
expect_exit 1 "refuse: duplicate keys (a rewrite would drop one)" bw install claude
printf '{"version": 2, "hooks": {}}' >"$T/cur.json"
expect_exit 1 "refuse: a Cursor hooks file of another version" bw install cursor --file "$T/cur.json"
printf '' >.claude/settings.json
expect_exit 0 "an empty file is fine" bw install claude

# ---- --user, --file, --dry-run ----
expect_exit 0 "--user installs into the home directory" bw install claude --user
[ "$(ours "$HOME/.claude/settings.json" claude)" = "$self hook claude" ] && pass "--user: ~/.claude/settings.json" || fail "--user: ~/.claude/settings.json"
CODEX_HOME="$T/codexhome" bw install codex --user >"$T/out" 2>&1
[ -f "$T/codexhome/hooks.json" ] && pass "--user: codex honours CODEX_HOME" || fail "--user: codex honours CODEX_HOME"
expect_exit 0 "--dry-run exits 0" bw install gemini --file "$T/dry/settings.json" --dry-run
[ ! -e "$T/dry/settings.json" ] && pass "--dry-run writes nothing" || fail "--dry-run writes nothing"
expect_grep "$T/out" "would have added" "--dry-run shows what it would do"
expect_grep "$T/out" "run_shell_command" "--dry-run shows the resulting file"
expect_exit 2 "an unknown agent is a usage error" bw install vscode
expect_exit 2 "no agent is a usage error" bw install
expect_exit 2 "an unknown option is a usage error" bw uninstall claude --everywhere
