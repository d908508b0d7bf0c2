#!/usr/bin/env bash
# blastwall log and log --verify: the audit log shows what the hooks decided;
# editing, deleting, reordering or inserting rows with sqlite3 is found and the
# row named; an unwritable state dir does not stop the hook.
. "$(dirname "$0")/lib.sh"
command -v jq >/dev/null || { skip "log" "jq is not installed"; exit 0; }

hook() { # COMMAND [AGENT]
	case ${2:-claude} in
	cursor) jq -nc --arg c "$1" --arg cwd "$T" '{hook_event_name: "beforeShellExecution", conversation_id: "s", cwd: $cwd, command: $c}' ;;
	gemini) jq -nc --arg c "$1" --arg cwd "$T" '{hook_event_name: "BeforeTool", session_id: "s", cwd: $cwd, tool_name: "run_shell_command", tool_input: {command: $c}}' ;;
	*) jq -nc --arg c "$1" --arg cwd "$T" '{session_id: "s", cwd: $cwd, tool_name: "Bash", tool_input: {command: $c}}' ;;
	esac | bw hook "${2:-claude}" >/dev/null 2>&1
}

expect_exit 0 "log on a fresh machine exits 0" bw log
expect_grep "$T/out" "no audit entries yet" "log says there is nothing yet"
expect_exit 0 "log --verify on a fresh machine exits 0" bw log --verify
expect_exit 0 "log --json on a fresh machine" bw log --json
jq -e '.version == 1 and .entries == []' "$T/out" >/dev/null && pass "log --json: empty entries" || fail "log --json: empty entries"

hook "rm -rf /"
hook "git reset --hard"
hook "ls"
hook "kubectl delete namespace prod" cursor
hook "rm -rf ~"
hook "dropdb production" gemini

expect_exit 0 "log exits 0" bw log
expect_grep "$T/out" '^#1 [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{12}Z deny +claude \[' "log: seq, UTC time with ms, decision, agent, rules"
expect_grep "$T/out" '^    \$ rm -rf /$' "log: the command"
expect_no_grep "$T/out" '\$ ls$' "log: allowed commands are not recorded"
expect_exit 0 "log --json" bw log --json
n=$(jq '.entries | length' "$T/out")
[ "$n" -eq 5 ] && pass "5 asks and denies recorded" || fail "5 asks and denies recorded (got $n)"
jq -e '.entries | map(.seq) == [1,2,3,4,5]' "$T/out" >/dev/null && pass "log --json: oldest first" || fail "log --json: oldest first"
jq -e '.entries[0] | has("time") and has("cwd") and has("agent") and has("session") and has("command") and has("decision")
	and has("rules") and has("reason") and has("hash") and has("prev_hash")' "$T/out" >/dev/null \
	&& pass "log --json: every field" || fail "log --json: every field"
expect_exit 0 "--limit" bw log --json --limit 2
jq -e '.entries | map(.seq) == [4,5]' "$T/out" >/dev/null && pass "--limit 2: the newest two" || fail "--limit 2: the newest two"
expect_exit 0 "--decision ask" bw log --json --decision ask
jq -e '.entries | length >= 1 and all(.decision == "ask")' "$T/out" >/dev/null && pass "--decision ask: only asks" || fail "--decision ask: only asks"
expect_exit 0 "--since an hour" bw log --json --since 1h
jq -e '.entries | length == 5' "$T/out" >/dev/null && pass "--since 1h: all of them" || fail "--since 1h: all of them"
expect_exit 0 "--since the future" bw log --json --since 2999-01-01
jq -e '.entries | length == 0' "$T/out" >/dev/null && pass "--since 2999-01-01: none" || fail "--since 2999-01-01: none"
expect_exit 2 "--since garbage is a usage error" bw log --since yesterday
expect_exit 2 "--decision garbage is a usage error" bw log --decision maybe
expect_exit 2 "--limit garbage is a usage error" bw log --limit -1

expect_exit 0 "verify: an intact chain exits 0" bw log --verify
expect_grep "$T/out" "intact: 5 rows" "verify: says intact"
expect_grep "$T/out" "head hash: [0-9a-f]{64}" "verify: prints the head hash"
expect_exit 0 "verify --json" bw log --verify --json
jq -e '.ok == true and .rows == 5 and .problems == [] and (.head_hash | length) == 64' "$T/out" >/dev/null \
	&& pass "verify --json: ok" || fail "verify --json: ok"

db=$BLASTWALL_STATE_DIR/state.db
if ! command -v sqlite3 >/dev/null; then
	skip "tampering with sqlite3" "sqlite3 is not installed"
	exit 0
fi
cp "$db" "$T/pristine.db"
restore() { sqlite3 "$db" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null; cp "$T/pristine.db" "$db"; rm -f "$db-wal" "$db-shm"; }
# checkpoint first so the copy holds every row
sqlite3 "$db" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
cp "$db" "$T/pristine.db"

sqlite3 "$db" "UPDATE audit_log SET decision = 'allow' WHERE seq = 3"
expect_exit 1 "verify: an edited row fails" bw log --verify
expect_grep "$T/err" "#3: row 3 was edited" "verify: names the edited row"
restore
sqlite3 "$db" "DELETE FROM audit_log WHERE seq = 2"
expect_exit 1 "verify: a deleted row fails" bw log --verify
expect_grep "$T/err" "#2: row 2 was deleted" "verify: names the deleted row"
restore
sqlite3 "$db" "DELETE FROM audit_log WHERE seq = 5"
expect_exit 1 "verify: deleting the newest row fails" bw log --verify
expect_grep "$T/err" "row 5 \(the newest\) was deleted" "verify: names the deleted newest row"
restore
sqlite3 "$db" "UPDATE audit_log SET seq = -1 WHERE seq = 1; UPDATE audit_log SET seq = 1 WHERE seq = 2; UPDATE audit_log SET seq = 2 WHERE seq = -1;"
expect_exit 1 "verify: reordered rows fail" bw log --verify
expect_grep "$T/err" "#1: row 1 was edited" "verify: names the first reordered row"
expect_grep "$T/err" "#2: row 2 was edited" "verify: names the second reordered row"
restore
sqlite3 "$db" "INSERT INTO audit_log(seq, time, command, decision, prev_hash, hash) SELECT 6, time, 'ls', 'allow', hash, hash FROM audit_log WHERE seq = 5"
expect_exit 1 "verify: an inserted row fails" bw log --verify
expect_grep "$T/err" "#6: rows after 5 were added outside blastwall" "verify: names the inserted row"
expect_exit 1 "verify --json on a broken chain exits 1" bw log --verify --json
jq -e '.ok == false and (.problems | length) >= 1 and .problems[0].seq == 6' "$T/out" >/dev/null \
	&& pass "verify --json lists the problems" || fail "verify --json lists the problems"
restore
expect_exit 0 "verify: the restored copy is intact again" bw log --verify

# hooks running at once on a fresh state dir (agents run tool calls in parallel): every row lands, the chain holds
export BLASTWALL_STATE_DIR_SAVED=$BLASTWALL_STATE_DIR
export BLASTWALL_STATE_DIR="$T/parallel"
for p in 1 2 3 4 5 6; do
	(for i in 1 2 3 4 5 6 7 8 9 10; do
		printf '%s' '{"tool_name": "Bash", "tool_input": {"command": "rm -rf /"}}' | "$BLASTWALL" hook claude >/dev/null 2>>"$T/par.err"
	done) &
done
wait
[ ! -s "$T/par.err" ] && pass "parallel hooks: no warnings" || { fail "parallel hooks: no warnings"; sed 's/^/#   /' "$T/par.err" | sort | uniq -c | head -5; }
expect_exit 0 "parallel hooks: the chain verifies" bw log --verify
expect_grep "$T/out" "intact: 60 rows" "parallel hooks: all 60 rows recorded"
export BLASTWALL_STATE_DIR=$BLASTWALL_STATE_DIR_SAVED

# a state dir that cannot be written: the hook still answers, warns once, exits 0
printf 'x' >"$T/blocker"
BLASTWALL_STATE_DIR="$T/blocker/state" bw hook claude <<<'{"tool_name": "Bash", "tool_input": {"command": "rm -rf /"}}' >"$T/out" 2>"$T/err"
rc=$?
[ $rc -eq 0 ] && pass "unwritable state dir: the hook still exits 0" || fail "unwritable state dir: the hook still exits 0 (got $rc)"
jq -e '.hookSpecificOutput.permissionDecision == "deny"' "$T/out" >/dev/null && pass "unwritable state dir: still denied" || fail "unwritable state dir: still denied"
[ "$(grep -c 'audit log was not written' "$T/err")" -eq 1 ] && pass "unwritable state dir: one warning" || fail "unwritable state dir: one warning"
printf 'not a database at all, just text ......................................' >"$T/junk.db"
mkdir -p "$T/junkstate" && cp "$T/junk.db" "$T/junkstate/state.db"
BLASTWALL_STATE_DIR="$T/junkstate" bw hook claude <<<'{"tool_name": "Bash", "tool_input": {"command": "rm -rf /"}}' >"$T/out" 2>"$T/err"
[ $? -eq 0 ] && grep -q deny "$T/out" && pass "a corrupt state.db: the hook still answers" || fail "a corrupt state.db: the hook still answers"
BLASTWALL_STATE_DIR="$T/junkstate" bw log >"$T/out" 2>"$T/err"
[ $? -eq 1 ] && pass "a corrupt state.db: log fails with exit 1" || fail "a corrupt state.db: log fails with exit 1"
expect_grep "$T/err" "state.db" "a corrupt state.db: log names the file"
