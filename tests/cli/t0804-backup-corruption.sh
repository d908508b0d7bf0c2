#!/usr/bin/env bash
# Damaged repository objects: restore fails naming the damaged object and
# never loads wrong data (the part whose chunk is damaged is rolled back,
# a SQLite target is never created).
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/tools/pg-env.sh"
pg_start
psqlq -d postgres -c "CREATE DATABASE app" >/dev/null
psqlq -d app <<'SQL' >/dev/null
CREATE TABLE big (id int PRIMARY KEY, pad text);
INSERT INTO big SELECT g, md5(g::text) || md5((g * 7)::text) FROM generate_series(1, 40000) g;
CREATE TABLE small (id int PRIMARY KEY);
INSERT INTO small SELECT generate_series(1, 10);
SQL
bw repo init repo >/dev/null
expect_exit 0 "backup" bw backup "$(pg_url app)" --repo repo -q
# the biggest stored object belongs to table big
obj=$(find repo -type f -path '*/data/*' -printf '%s %p\n' | sort -n | tail -n 1 | cut -d' ' -f2)
name=$(basename "$obj")
size=$(stat -c %s "$obj")
printf '\xff\x00\xff' | dd of="$obj" bs=1 seek=$((size / 2)) conv=notrunc status=none
psqlq -d postgres -c "CREATE DATABASE dst" >/dev/null
expect_exit 1 "restore of a damaged snapshot fails" bw restore --repo repo --into "$(pg_url dst)" -j 1
expect_grep "$T/err" "${name:0:12}" "the error names the damaged object"
expect_grep "$T/err" "public.big" "the error names the table"
n=$(psqlq -d dst -c "SELECT count(*) FROM big" 2>/dev/null || echo missing)
[ "$n" = 0 ] || [ "$n" = missing ] && pass "no rows of the damaged table were loaded ($n)" || fail "damaged table has $n rows"
expect_exit 1 "verify --read-data finds it" bw verify --repo repo --read-data
cat "$T/out" "$T/err" >verify.txt
expect_grep verify.txt "${name:0:12}" "verify names the damaged object"

# SQLite: the target file is never created from damaged data
sqlite3 app.db "CREATE TABLE t (x); WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < 20000) INSERT INTO t SELECT hex(randomblob(40)) FROM g;"
bw repo init srepo >/dev/null
expect_exit 0 "sqlite backup" bw backup sqlite:app.db --repo srepo -q
obj=$(find srepo -type f -path '*/data/*' -printf '%s %p\n' | sort -n | tail -n 1 | cut -d' ' -f2)
size=$(stat -c %s "$obj")
printf '\x00\x01\x02' | dd of="$obj" bs=1 seek=$((size / 3)) conv=notrunc status=none
expect_exit 1 "sqlite restore of a damaged snapshot fails" bw restore --repo srepo --into sqlite:out.db
expect_grep "$T/err" "$(basename "$obj" | cut -c1-12)" "names the damaged object"
[ ! -e out.db ] && pass "no target file was created" || fail "out.db exists"
[ -z "$(ls | grep blastwall-)" ] && pass "no temporary file left" || fail "temp left: $(ls)"
expect_exit 1 "a drill of the damaged snapshot fails" bw drill --repo srepo
expect_grep "$T/out" "restore failed" "the drill reports the failed restore"
