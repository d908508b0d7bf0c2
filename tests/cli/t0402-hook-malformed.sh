#!/usr/bin/env bash
# Malformed hook input: a clear message on stderr and exit 2 (the agent blocks
# the command), never a crash, never output on stdout.
. "$(dirname "$0")/lib.sh"

feed() { # DESC AGENT INPUT WANT-REGEX
	local desc=$1 agent=$2 input=$3 want=$4
	printf '%s' "$input" | bw hook "$agent" >"$T/out" 2>"$T/err"
	local rc=$?
	if [ $rc -eq 2 ]; then pass "$desc: exit 2"; else fail "$desc: exit 2 (got $rc)"; sed 's/^/#   /' "$T/err"; fi
	[ ! -s "$T/out" ] && pass "$desc: nothing on stdout" || fail "$desc: nothing on stdout"
	expect_grep "$T/err" "$want" "$desc: says why"
}
feed "empty stdin" claude "" "no input"
feed "blank stdin" claude $'  \n\t' "no input"
feed "not JSON" claude "rm -rf /" "not valid JSON"
feed "truncated JSON" claude '{"tool_name": "Bash", "tool_input": {"command": "ls"' "not valid JSON"
feed "a JSON array" claude '[{"tool_name": "Bash"}]' "an array, not a JSON object"
feed "a JSON string" claude '"rm -rf /"' "a string, not a JSON object"
feed "no tool_name" claude '{"tool_input": {"command": "ls"}}' '"tool_name" is missing'
feed "tool_name not a string" claude '{"tool_name": 7, "tool_input": {"command": "ls"}}' '"tool_name" is a number'
feed "Bash without tool_input" claude '{"tool_name": "Bash"}' '"tool_input" is missing'
feed "tool_input not an object" claude '{"tool_name": "Bash", "tool_input": "rm -rf /"}' '"tool_input" is a string'
feed "Bash without command" claude '{"tool_name": "Bash", "tool_input": {}}' 'tool_input.command" is missing'
feed "command not a string" claude '{"tool_name": "Bash", "tool_input": {"command": ["rm", "-rf", "/"]}}' 'an array, not a string'
feed "cwd not a string" claude '{"tool_name": "Bash", "cwd": 1, "tool_input": {"command": "ls"}}' '"cwd" is a number'
feed "duplicate keys" claude '{"tool_name": "Read", "tool_name": "Bash", "tool_input": {"command": "rm -rf /"}}' 'duplicate'
feed "invalid UTF-8" claude $'{"tool_name": "Bash", "tool_input": {"command": "ls \xff"}}' "not valid JSON"
feed "NUL in a string" claude '{"tool_name": "Bash", "tool_input": {"command": "ls\u0000rm -rf /"}}' "not valid JSON"
feed "codex: not JSON" codex "{" "not valid JSON"
feed "gemini: not JSON" gemini "x" "not valid JSON"
feed "cursor: command not a string" cursor '{"hook_event_name": "beforeShellExecution", "command": {}}' '"command" is an object'

# deeply nested JSON does not crash (jansson bounds its depth)
deep=$(printf '%.0s[' $(seq 1 5000))
feed "5000 nested arrays" claude "$deep" "not valid JSON"
