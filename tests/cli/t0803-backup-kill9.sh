#!/usr/bin/env bash
# kill -9 a backup at several points: the repository still verifies, the
# interrupted snapshot never appears, the lock left behind is taken over,
# and the previous snapshot restores row for row.
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/tools/pg-env.sh"
pg_start
rows=30000
[ "${BW_SANITIZED:-0}" = 1 ] && rows=15000
psqlq -d postgres -c "CREATE DATABASE app" >/dev/null
psqlq -d app <<SQL >/dev/null
CREATE TABLE events (id bigint PRIMARY KEY, kind text, payload jsonb);
INSERT INTO events SELECT g, 'kind' || (g % 7), jsonb_build_object('n', g, 'h', md5(g::text)) FROM generate_series(1, $rows) g;
CREATE TABLE users (id int PRIMARY KEY, name text);
INSERT INTO users SELECT g, 'user ' || g FROM generate_series(1, 500) g;
SQL
bw repo init repo >/dev/null
expect_exit 0 "first backup" bw backup "$(pg_url app)" --repo repo -q
first=$(bw snapshots --repo repo --json | grep -o '"id": *"[0-9a-f]*"' | head -n 1 | grep -o '[0-9a-f]\{16,\}')
expected=1
pg_hash app >before.hash
# new data that only the interrupted backups would hold
psqlq -d app -c "INSERT INTO users SELECT g, 'late ' || g FROM generate_series(501, 900) g" >/dev/null
# many small parts, each followed by a pause: a long backup with many places to be interrupted
export BLASTWALL_TEST_PART_BLOCKS=4 BLASTWALL_TEST_PART_DELAY_MS=30
for delay in 0.02 0.1 0.25 0.5 0.8; do
	"$BLASTWALL" backup "$(pg_url app)" --repo repo -j 2 -q >/dev/null 2>&1 &
	pid=$!
	sleep $delay
	if kill -9 $pid 2>/dev/null; then
		wait $pid 2>/dev/null
		n=$(bw snapshots --repo repo --json | grep -c '"id"')
		if [ "$n" = $expected ]; then
			pass "killed after ${delay}s: no new snapshot visible"
		elif [ "$n" = $((expected + 1)) ]; then
			# the kill landed after the manifest was committed, while the process
			# was exiting: a whole snapshot is fine, and verify below checks it
			pass "killed after ${delay}s: the backup had committed; its snapshot is whole"
			expected=$((expected + 1))
		else
			fail "killed after ${delay}s: $n snapshots"
		fi
		bw verify --repo repo >"$T/out" 2>&1 && pass "killed after ${delay}s: the repository verifies" || { fail "verify after kill at ${delay}s"; cat "$T/out"; }
	else
		wait $pid
		skip "kill after ${delay}s" "the backup had already finished"
		expected=$((expected + 1))
	fi
done
unset BLASTWALL_TEST_PART_BLOCKS BLASTWALL_TEST_PART_DELAY_MS
expect_exit 0 "read-data verify after the kills" bw verify --repo repo --read-data
psqlq -d postgres -c "CREATE DATABASE back" >/dev/null
expect_exit 0 "the previous snapshot restores" bw restore --repo repo --snapshot "$first" --into "$(pg_url back)" -q
pg_hash back >after.hash
cmp -s before.hash after.hash && pass "restored rows are exactly the first snapshot's" || fail "restored rows differ"
expect_exit 0 "a new backup takes over the dead writers' lock" bw backup "$(pg_url app)" --repo repo -q
[ "$(bw snapshots --repo repo --json | grep -c '"id"')" = $((expected + 1)) ] && pass "one more snapshot" || fail "snapshot count"
