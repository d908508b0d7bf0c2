#!/usr/bin/env bash
# PostgreSQL drills: the JSON and Prometheus outputs, --keep (the kept copy
# answers queries; the next --keep removes it), the stored history, and
# drills that must fail: a failing check, a stale newest snapshot.
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/tools/pg-env.sh"
pg_start
psqlq -d postgres -c "CREATE DATABASE shop" >/dev/null
psqlq -d shop <<'SQL' >/dev/null
CREATE TABLE customers (id int PRIMARY KEY, email text NOT NULL);
CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customers(id), total numeric(10,2));
INSERT INTO customers SELECT g, 'c' || g || '@example.com' FROM generate_series(1, 300) g;
INSERT INTO orders SELECT g, 1 + g % 300, g * 1.5 FROM generate_series(1, 1200) g;
SQL
bw repo init repo >/dev/null
bw backup "$(pg_url shop)" --repo repo -q || fail "backup"
mkdir scratch
cat >.blastwall.yaml <<'YAML'
drill:
  checks:
    - name: customers
      sql: SELECT count(*) FROM customers
      expect: equals
      value: 300
    - name: revenue present
      sql: SELECT sum(total) > 0 FROM orders
      expect: nonzero
YAML
expect_exit 0 "drill passes (JSON, metrics)" bw drill --repo repo --json --metrics m.prom --scratch "$T/scratch"
cp "$T/out" d1.json
for k in '"version": 1' '"ok": true' '"rows_restored": 1500' '"expected_rows": 1200' '"snapshot_age_seconds"' '"restore_seconds"' '"duration_seconds"' '"failures": \[\]'; do
	expect_grep d1.json "$k" "drill JSON has $k"
done
for m in success duration_seconds restore_seconds snapshot_age_seconds rows_restored timestamp_seconds; do
	expect_grep m.prom "^blastwall_drill_${m}\{repo=\"[^\"]*\",source=\"postgres://postgres@/shop[^\"]*\"\} [0-9.e+-]+$" "metric blastwall_drill_$m"
done

expect_exit 0 "drill --keep" bw drill --repo repo --keep --scratch "$T/scratch"
cs=$(sed -n 's/^kept: psql "\(.*\)"  (stop.*$/\1/p' "$T/out")
[ -n "$cs" ] && [ "$(psqlq "$cs" -c 'SELECT count(*) FROM orders')" = 1200 ] && pass "the kept copy answers queries" || fail "kept copy: '$cs'"
kept1=$(ls scratch)
expect_exit 0 "a second drill --keep" bw drill --repo repo --keep --scratch "$T/scratch"
kept2=$(ls scratch)
[ "$(echo "$kept2" | wc -l)" = 1 ] && [ "$kept1" != "$kept2" ] && pass "the older kept copy was removed" || fail "kept: $kept1 / $kept2"
cs2=$(sed -n 's/^kept: psql "\(.*\)"  (stop.*$/\1/p' "$T/out")
at_exit "'$BLASTWALL' restore --stop '$T/scratch/$kept2' >/dev/null 2>&1"

cat >.blastwall.yaml <<'YAML'
drill:
  checks:
    - name: impossible
      sql: SELECT count(*) FROM customers
      expect: at_least
      value: 1000000
    - name: broken sql
      sql: SELECT count(*) FROM no_such_table
YAML
expect_exit 1 "drill fails on a failing check and on a check that errors" bw drill --repo repo --scratch "$T/scratch"
expect_grep "$T/out" "check 'impossible' returned 300, expected at_least 1000000" "names the check and the values"
expect_grep "$T/out" "no_such_table" "quotes the server's error"
printf 'drill:\n  max_age_hours: 2\n' >.blastwall.yaml
BLASTWALL_TEST_NOW=$(($(date +%s) + 3 * 3600)) expect_exit 1 "drill fails: newest snapshot older than drill.max_age_hours" bw drill --repo repo --scratch "$T/scratch" --json
expect_grep "$T/out" '"stale": true' "JSON marks it stale"
printf 'drill: [oops\n' >.blastwall.yaml
expect_exit 1 "a broken .blastwall.yaml fails the drill" bw drill --repo repo --scratch "$T/scratch"
rm .blastwall.yaml
expect_exit 0 "drill --history" bw drill --repo repo --history
expect_grep "$T/out" "passed" "history lists passed drills"
expect_grep "$T/out" "FAILED" "history lists failed drills"
[ "$(grep -c -E 'passed|FAILED' "$T/out")" -ge 5 ] && pass "every drill is in the history" || fail "history has $(grep -c -E 'passed|FAILED' "$T/out") rows"
