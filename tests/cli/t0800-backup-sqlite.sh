#!/usr/bin/env bash
# SQLite: backup, restore (--into, --local, refusals), every row compared,
# backup while another process keeps writing, drills that pass and fail.
. "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || { skip "sqlite tests" "sqlite3 is not installed"; exit 0; }

bw repo init repo >/dev/null
sqlite3 app.db >/dev/null <<'SQL'
PRAGMA journal_mode = wal;
CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT UNIQUE, photo BLOB, score REAL, meta TEXT);
CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id), total NUMERIC, note TEXT);
CREATE INDEX orders_user ON orders(user_id);
CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 100;
CREATE TABLE empty (x);
WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < 2000)
INSERT INTO users SELECT i, 'ユーザー ' || i || ' ✓', 'u' || i || '@example.com', randomblob(64), i * 1.25, json_object('i', i, 'tags', json_array('a', 'b'))
FROM g;
INSERT INTO users VALUES (2001, 'nulls', NULL, NULL, NULL, NULL);
INSERT INTO users VALUES (2002, 'big', 'big@example.com', zeroblob(1048576), -0.0, NULL);
WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < 5000)
INSERT INTO orders SELECT i, 1 + i % 2000, (i % 300) + 0.99, 'line' || char(10) || 'two' FROM g;
SQL
sqlite3 app.db .dump >app.sql

expect_exit 0 "backup sqlite" bw backup sqlite:app.db --repo repo
expect_grep "$T/out" "3 tables, 7002 rows" "backup reports tables and rows"
id1=$(bw snapshots --repo repo --json 2>/dev/null | grep -o '"id": *"[0-9a-f]*"' | head -n 1 | grep -o '[0-9a-f]\{16,\}')

expect_exit 0 "restore --into sqlite:PATH" bw restore --repo repo --into sqlite:restored.db
sqlite3 restored.db .dump >restored.sql
if cmp -s app.sql restored.sql; then pass "restored SQLite dump is identical, row for row"; else fail "restored dump differs"; diff app.sql restored.sql | head -5; fi
expect_exit 1 "restore refuses to overwrite an existing file" bw restore --repo repo --into sqlite:restored.db
expect_grep "$T/err" "already exists" "the refusal names the problem"
expect_grep "$T/err" "--force" "the refusal says how to overwrite"
echo garbage >restored.db-wal
expect_exit 0 "restore --force replaces it (and drops the old -wal)" bw restore --repo repo --into sqlite:restored.db --force
[ ! -e restored.db-wal ] && pass "stale -wal removed" || fail "stale -wal left behind"
[ "$(sqlite3 restored.db 'PRAGMA integrity_check')" = ok ] && pass "forced restore passes integrity_check" || fail "integrity"
expect_exit 0 "restore --local DIR writes DIR/NAME" bw restore --repo repo --local localcopy
[ "$(sqlite3 localcopy/app.db 'SELECT count(*) FROM orders')" = 5000 ] && pass "local copy has the rows" || fail "local copy rows"
expect_exit 1 "a PostgreSQL target is refused for a SQLite snapshot" bw restore --repo repo --into postgres://x@localhost/db
expect_grep "$T/err" "SQLite backup" "the message says what the snapshot is"
ls restored.db.blastwall-* >/dev/null 2>&1 && fail "temp files left" || pass "no temp files left next to the target"

# a second, unchanged backup stores (almost) nothing new
expect_exit 0 "second backup" bw backup sqlite:app.db --repo repo --json
expect_grep "$T/out" '"new_chunks": 0' "an unchanged database stores no new chunks"

# a writer keeps going while we back up: every snapshot must be consistent
sqlite3 live.db "PRAGMA journal_mode = wal; CREATE TABLE a (n INTEGER); CREATE TABLE b (n INTEGER);" >/dev/null
bw repo init live-repo >/dev/null
(
	i=0
	while [ ! -e stop-writer ]; do
		i=$((i + 1))
		# both tables grow in one transaction: a consistent copy has count(a) = count(b)
		sqlite3 -cmd ".timeout 5000" live.db "BEGIN; INSERT INTO a VALUES ($i); INSERT INTO b VALUES ($i); COMMIT;" 2>/dev/null
	done
) &
writer=$!
at_exit "touch '$T/stop-writer'; kill $writer 2>/dev/null"
sleep 0.3
ok=1
for k in 1 2 3; do
	bw backup sqlite:live.db --repo live-repo -q 2>"$T/err" || ok=0
	sleep 0.2
done
touch stop-writer
wait $writer 2>/dev/null
[ $ok = 1 ] && pass "three backups while a writer runs" || { fail "backup while writing"; cat "$T/err"; }
n=0
for id in $(bw snapshots --repo live-repo --json | grep -o '"id": *"[0-9a-f]*"' | grep -o '[0-9a-f]\{16,\}'); do
	rm -f snap.db
	bw restore --repo live-repo --snapshot "$id" --into sqlite:snap.db -q || { fail "restore $id"; continue; }
	a=$(sqlite3 snap.db "SELECT count(*) FROM a") b=$(sqlite3 snap.db "SELECT count(*) FROM b")
	[ "$a" = "$b" ] && [ "$(sqlite3 snap.db 'PRAGMA integrity_check')" = ok ] && n=$((n + 1))
done
[ $n = 3 ] && pass "every snapshot taken under writes is consistent (count(a) = count(b), integrity ok)" || fail "only $n of 3 snapshots consistent"

# drills
cat >.blastwall.yaml <<'YAML'
drill:
  checks:
    - name: users present
      sql: SELECT count(*) FROM users
      expect: at_least
      value: 2000
    - name: no negative totals
      sql: SELECT count(*) FROM orders WHERE total < 0
      expect: equals
      value: 0
YAML
expect_exit 0 "drill passes" bw drill --repo repo --json --metrics metrics.prom
expect_grep "$T/out" '"ok": true' "drill JSON says ok"
expect_grep "$T/out" '"name": "users present"' "drill ran the user's check"
expect_grep metrics.prom '^blastwall_drill_success\{.*\} 1$' "metrics: success 1"
expect_grep metrics.prom '^blastwall_drill_rows_restored\{.*\} 7002$' "metrics: rows restored"
BLASTWALL_TEST_DRILL_EMPTY=orders expect_exit 1 "drill fails when a table comes back empty" bw drill --repo repo
expect_grep "$T/out" "table orders has 0 rows after the restore, the snapshot recorded 5000" "the failure names the table and counts"
BLASTWALL_TEST_NOW=$(($(date +%s) + 30 * 3600)) expect_exit 1 "drill fails on a stale newest snapshot (30 h > 26 h)" bw drill --repo repo --metrics metrics.prom
expect_grep "$T/out" "hours old, more than the allowed 26" "the failure says the snapshot is too old"
expect_grep metrics.prom '^blastwall_drill_success\{.*\} 0$' "metrics: success 0 after a failed drill"
BLASTWALL_TEST_NOW=$(($(date +%s) + 30 * 3600)) expect_exit 0 "--max-age 48 accepts it" bw drill --repo repo --max-age 48
printf 'drill:\n  checks:\n    - sql: SELECT count(*) FROM users\n      expect: at_most\n      value: 10\n' >.blastwall.yaml
expect_exit 1 "drill fails when a user check fails" bw drill --repo repo
expect_grep "$T/out" "expected at_most 10" "the failure quotes the expectation"
rm .blastwall.yaml
expect_exit 0 "the older snapshot can be drilled too" bw drill --repo repo --snapshot "$id1" --max-age 0 -q
