#!/usr/bin/env bash
# PostgreSQL round trips against a real server: every type we care about,
# NULLs, a large value, unicode, a table split into block ranges, sequences,
# constraints; restore --into (empty / non-empty / --clean), any snapshot,
# --local with its own server, and a passing drill with user checks.
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/tools/pg-env.sh"
pg_start

big_mb=5
[ "${BW_SANITIZED:-0}" = 1 ] && big_mb=1
psqlq -d postgres -c "CREATE DATABASE src" -c "CREATE ROLE app NOLOGIN"
psqlq -d src <<SQL >/dev/null
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE SCHEMA "Odd Schema";
CREATE TABLE everything (
    id bigserial PRIMARY KEY,
    t text, b bytea, j json, jb jsonb, ia int[], ta text[], n numeric, n2 numeric(30,10),
    ts timestamp, tz timestamptz, d date, iv interval, u uuid, f float8, r real, ok boolean,
    m mood, dropped_later int, doubled int GENERATED ALWAYS AS (length(t) * 2) STORED
);
ALTER TABLE everything OWNER TO app;
INSERT INTO everything (t, b, j, jb, ia, ta, n, n2, ts, tz, d, iv, u, f, r, ok, m, dropped_later)
SELECT 'row ' || g || E' tab\there\nnewline \\\\ backslash ünïcødé 日本語 🙂',
       decode(md5(g::text) || '00ff', 'hex'),
       json_build_object('g', g, 'nested', json_build_array(1, 'two', null)),
       jsonb_build_object('g', g, 'arr', jsonb_build_array(g, g * 2)),
       ARRAY[g, -g, NULL], ARRAY['a,b', 'quote"d', NULL, '{brace}'],
       g * 12345678901234567890.123456789, g / 7.0,
       timestamp '2020-02-29 23:59:59.999999' + g * interval '1 hour',
       timestamptz '1999-12-31 23:00:00+05' + g * interval '1 minute',
       date '2000-01-01' + g, g * interval '1 day 2 hours 3.5 seconds',
       md5(g::text)::uuid, g * 1.1e-300, g / 3.0, g % 2 = 0,
       (ARRAY['sad', 'ok', 'happy']::mood[])[1 + g % 3], g
FROM generate_series(1, 3000) g;
INSERT INTO everything (t) VALUES (NULL);
INSERT INTO everything (t, f) VALUES ('specials', 'NaN'), ('inf', 'Infinity'), ('-inf', '-Infinity'), ('negzero', '-0');
INSERT INTO everything (t, b) SELECT repeat(md5(g::text), $big_mb * 32768), decode(repeat(md5(g::text), $big_mb * 16384), 'hex') FROM generate_series(1, 2) g;
ALTER TABLE everything DROP COLUMN dropped_later;
CREATE TABLE "Odd Schema"."Mixed Case ""Name""" (k text PRIMARY KEY, v int);
INSERT INTO "Odd Schema"."Mixed Case ""Name""" VALUES ('a', 1), ('b', NULL);
CREATE TABLE parent (id int PRIMARY KEY, code int CONSTRAINT "user" UNIQUE, tag int, UNIQUE (tag) DEFERRABLE,
    CONSTRAINT "Tag And Code" UNIQUE (tag, code) INCLUDE (id) WITH (fillfactor = 70));
CREATE TABLE child (id int PRIMARY KEY, parent_id int NOT NULL REFERENCES parent(id));
INSERT INTO parent SELECT g, g * 3, g * 7 FROM generate_series(1, 100) g;
INSERT INTO child SELECT g, 1 + g % 100 FROM generate_series(1, 500) g;
CREATE TABLE split_me (id int PRIMARY KEY, pad text);
INSERT INTO split_me SELECT g, repeat('x', 200) FROM generate_series(1, 20000) g;
CREATE DOMAIN posint AS int CHECK (VALUE > 0);
CREATE TABLE split_text (id posint PRIMARY KEY, pad text, rel regclass, rels regtype[]);
INSERT INTO split_text SELECT g, repeat('y', 150) || g, 'split_me', ARRAY['int4', 'mood']::regtype[] FROM generate_series(1, 15000) g;
DELETE FROM split_me WHERE id % 10 = 0;
CREATE INDEX split_me_pad ON split_me (pad);
CREATE VIEW child_view AS SELECT c.id, p.id AS pid FROM child c JOIN parent p ON p.id = c.parent_id;
CREATE TABLE empty_table (x int);
CREATE TABLE measurements (id int, day date NOT NULL) PARTITION BY RANGE (day);
CREATE TABLE measurements_2020 PARTITION OF measurements FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
CREATE TABLE measurements_2021 PARTITION OF measurements FOR VALUES FROM ('2021-01-01') TO ('2022-01-01');
INSERT INTO measurements SELECT g, date '2020-01-01' + g FROM generate_series(1, 700) g;
CREATE MATERIALIZED VIEW child_counts AS SELECT parent_id, count(*) AS n FROM child GROUP BY 1;
SELECT setval('everything_id_seq', 99999);
SQL
pg_hash src >src.hash
[ "$(wc -l <src.hash)" = 10 ] && [ "$(grep -c " [1-9][0-9]* [0-9a-f]\{32\}$" src.hash)" = 9 ] && pass "source hashed: 10 tables" || { fail "hashing the source"; cat src.hash; }

bw repo init repo >/dev/null
# 64-block parts: split_me (~5 MB) is cut into many ctid ranges
BLASTWALL_TEST_PART_BLOCKS=64 expect_exit 0 "backup postgres -j 2" bw backup "$(pg_url src)" --repo repo -j 2
expect_grep "$T/out" "9 tables" "backup reports the tables (partitions, not their parent)"
bw snapshots --repo repo --json >snaps.json
id1=$(grep -o '"id": *"[0-9a-f]*"' snaps.json | head -n 1 | grep -o '[0-9a-f]\{16,\}')
# 9 tables + 3 schema streams = 12 streams unsplit; each extra part of split_me or split_text adds one
streams=$(grep -o '"streams": *[0-9]*' snaps.json | head -n 1 | grep -o '[0-9]*$')
[ "${streams:-0}" -ge 20 ] && pass "split_me and split_text were backed up in $((streams - 10)) block-range parts" || fail "only ${streams:-0} streams: split_me and split_text were not split"

psqlq -d postgres -c "CREATE DATABASE dst"
expect_exit 0 "restore --into an empty database" bw restore --repo repo --into "$(pg_url dst)" -j 2
pg_hash dst >dst.hash
if cmp -s src.hash dst.hash; then pass "every row of every table is identical after the restore"; else fail "restored rows differ"; diff src.hash dst.hash | head; fi
[ "$(psqlq -d dst -c "SELECT nextval('everything_id_seq')")" = 100000 ] && pass "sequence value restored" || fail "sequence value"
[ "$(psqlq -d dst -c "SELECT count(*) FROM pg_indexes WHERE tablename = 'split_me'")" = 2 ] && pass "indexes restored" || fail "indexes"
[ "$(psqlq -d dst -c "SELECT count(*) FROM pg_constraint WHERE contype = 'f'")" = 1 ] && pass "foreign key restored" || fail "foreign key"
[ "$(psqlq -d dst -c "SELECT tableowner FROM pg_tables WHERE tablename = 'everything'")" = app ] && pass "owner restored" || fail "owner"
[ "$(psqlq -d dst -c "SELECT doubled = length(t) * 2 FROM everything WHERE id = 1")" = t ] && pass "generated column recomputed" || fail "generated column"
[ "$(psqlq -d dst -c "SELECT sum(n) FROM child_counts")" = 500 ] && pass "materialized view refreshed" || fail "materialized view"
[ "$(psqlq -d dst -c "SELECT count(*) FROM measurements_2021")" = 335 ] && pass "partitions restored" || fail "partitions"
psqlq -d dst -c "INSERT INTO child VALUES (9999, 12345)" 2>/dev/null && fail "foreign key not enforced" || pass "foreign key enforced after restore"
# primary keys and unique constraints are rebuilt as CREATE UNIQUE INDEX + ADD CONSTRAINT USING INDEX: same result
cons="SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) || ' ' || condeferrable FROM pg_constraint WHERE connamespace::regnamespace::text NOT IN ('pg_catalog', 'information_schema') ORDER BY 1"
psqlq -d src -c "$cons" >src.cons
psqlq -d dst -c "$cons" >dst.cons
cmp -s src.cons dst.cons && [ "$(grep -c "UNIQUE\|PRIMARY" src.cons)" -ge 8 ] && pass "every primary key and unique constraint is restored as it was" || { fail "constraints differ"; diff src.cons dst.cons | head; }
idx="SELECT indexdef FROM pg_indexes WHERE schemaname NOT IN ('pg_catalog') ORDER BY 1"
[ "$(psqlq -d src -c "$idx")" = "$(psqlq -d dst -c "$idx")" ] && pass "every index definition is the same" || fail "index definitions differ"
psqlq -d dst -c "INSERT INTO parent VALUES (5000, 3, 0)" 2>/dev/null && fail "unique constraint \"user\" not enforced" || pass "unique constraint enforced after restore"
bw snapshots --repo repo --json "$id1" >snap.json
format_of() { awk -v t="\"name\": \"$1\"" 'index($0, t) { on = 1 } on && /"format"/ { print; exit }' snap.json | grep -o 'copy-[a-z]*'; }
[ "$(format_of everything)" = copy-text ] && pass "a table with an enum column is stored as COPY text" || fail "format of everything: $(format_of everything)"
[ "$(format_of split_me)" = copy-binary ] && pass "a table of built-in types is stored as COPY binary" || fail "format of split_me: $(format_of split_me)"
[ "$(format_of split_text)" = copy-text ] && pass "a table with a domain and regclass columns is stored as COPY text" || fail "format of split_text: $(format_of split_text)"
[ "$(psqlq -d dst -c "SELECT rel::text || ' ' || rels::text FROM split_text WHERE id = 7")" = 'split_me {integer,mood}' ] && pass "regclass and regtype[] values name the same objects after the restore" || fail "regclass values: $(psqlq -d dst -c "SELECT rel, rels FROM split_text WHERE id = 7")"

expect_exit 1 "restore refuses a non-empty database" bw restore --repo repo --into "$(pg_url dst)"
expect_grep "$T/err" "not empty" "the refusal says why"
expect_grep "$T/err" "--clean" "the refusal names --clean"
psqlq -d dst -c "DELETE FROM child; CREATE TABLE keep_me (x int); INSERT INTO keep_me VALUES (1)"
expect_exit 0 "restore --clean over the old copy" bw restore --repo repo --into "$(pg_url dst)" --clean
expect_grep "$T/out" "dropped the snapshot's own objects first" "--clean says that it dropped"
expect_grep "$T/out" "DROP TABLE IF EXISTS public.split_me" "--clean lists what it dropped"
pg_hash dst | grep -v keep_me >dst2.hash
cmp -s src.hash dst2.hash && pass "--clean restore is identical row for row" || fail "--clean restore differs"
[ "$(psqlq -d dst -c "SELECT count(*) FROM keep_me")" = 1 ] && pass "--clean leaves objects that are not in the snapshot" || fail "keep_me"

# a second snapshot after changes; the first one still restores exactly
psqlq -d src -c "UPDATE split_me SET pad = 'changed' WHERE id < 100; DELETE FROM parent WHERE id > 1000"
expect_exit 0 "second backup" bw backup "$(pg_url src)" --repo repo -j 2 --json
expect_grep "$T/out" '"stored_bytes"' "second backup reports new bytes"
psqlq -d postgres -c "CREATE DATABASE old"
expect_exit 0 "restore the older snapshot by id" bw restore --repo repo --snapshot "${id1:0:12}" --into "$(pg_url old)"
pg_hash old >old.hash
cmp -s src.hash old.hash && pass "the older snapshot restores exactly as it was" || fail "old snapshot differs"

# --no-owner into a server that lacks the role
psqlq -d postgres -c "CREATE DATABASE noowner"
expect_exit 0 "restore --no-owner" bw restore --repo repo --into "$(pg_url noowner)" --no-owner -q
[ "$(psqlq -d noowner -c "SELECT tableowner FROM pg_tables WHERE tablename = 'everything'")" = postgres ] && pass "--no-owner: objects owned by the restoring role" || fail "--no-owner owner"

# --local: a throwaway server of our own
expect_exit 0 "restore --local DIR" bw restore --repo repo --local "$T/local"
expect_grep "$T/out" "psql \"host=" "prints the connection string"
expect_grep "$T/out" "restore --stop" "prints how to stop it"
cs=$(sed -n 's/^connect:  psql "\(.*\)"$/\1/p' "$T/out")
[ "$(psqlq "$cs" -c "SELECT count(*) FROM split_me")" = "$(psqlq -d src -c "SELECT count(*) FROM split_me")" ] && pass "the local copy answers queries" || fail "local copy"
expect_exit 1 "a second --local into the same DIR is refused" bw restore --repo repo --local "$T/local"
expect_exit 0 "restore --stop DIR" bw restore --stop "$T/local"
[ ! -e "$T/local/data/postmaster.pid" ] && pass "local server stopped" || fail "local server still running"

# a drill with user checks
cat >.blastwall.yaml <<'YAML'
drill:
  max_age_hours: 26
  checks:
    - name: children have parents
      sql: SELECT count(*) FROM child c LEFT JOIN parent p ON p.id = c.parent_id WHERE p.id IS NULL
      expect: equals
      value: 0
    - name: everything has rows
      sql: SELECT count(*) FROM everything
      expect: nonzero
YAML
expect_exit 0 "drill passes" bw drill --repo repo --json --scratch "$T/scratch"
expect_grep "$T/out" '"ok": true' "drill result ok"
expect_grep "$T/out" '"kind": "postgres-local"' "drill used a throwaway PostgreSQL"
expect_grep "$T/out" '"restore_seconds"' "drill records the recovery time"
[ -z "$(ls "$T/scratch")" ] && pass "drill removed its scratch server" || fail "scratch left: $(ls "$T/scratch")"
BLASTWALL_TEST_DRILL_EMPTY=public.child expect_exit 1 "drill fails when a table comes back empty" bw drill --repo repo --scratch "$T/scratch"
expect_grep "$T/out" "public.child has 0 rows after the restore, the snapshot recorded 500" "names the emptied table"
