#!/usr/bin/env bash
# The schema of a PostgreSQL backup comes from ONE pg_dump run (custom
# format, under the snapshot) and three pg_restore runs on that archive
# (pre-data, post-data, the DROP part of --clean): wrappers around the real
# programs count the runs and check that the password travels in the
# environment only. Broken or missing programs fail the backup with a message
# naming the program and its reason, and never leave a snapshot behind.
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/tools/pg-env.sh"
pg_start
psqlq -d postgres <<'SQL' >/dev/null
CREATE DATABASE app;
CREATE ROLE pwuser LOGIN PASSWORD 'schema-secret';
SQL
psqlq -d app <<'SQL' >/dev/null
CREATE TABLE parent (id int PRIMARY KEY, name text);
CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent (id));
CREATE INDEX child_parent ON child (parent_id);
CREATE VIEW v AS SELECT c.id, p.name FROM child c JOIN parent p ON p.id = c.parent_id;
INSERT INTO parent SELECT g, 'p' || g FROM generate_series(1, 20) g;
INSERT INTO child SELECT g, 1 + g % 20 FROM generate_series(1, 50) g;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO pwuser;
SQL
pg_password_auth pwuser
bw repo init repo >/dev/null
nsnap() { bw snapshots --repo repo --json | grep -c '"id"'; }

# logging wrappers in a bin directory of their own: each run appends its
# arguments and whether PGPASSWORD was set, then execs the real program
mkdir wrap
for prog in pg_dump pg_restore; do
	cat >"wrap/$prog" <<EOF
#!/bin/sh
echo "$prog \$* pw=\${PGPASSWORD:+set}" >>"$T/runs.log"
exec "$PG_BINDIR/$prog" "\$@"
EOF
	chmod +x "wrap/$prog"
done
BLASTWALL_PG_BINDIR=$T/wrap expect_exit 0 "backup through the logging wrappers" \
	bw backup "postgres://pwuser:schema-secret@/app?host=$PGHOST&port=$PGPORT" --repo repo -q
[ "$(grep -c '^pg_dump ' runs.log)" = 1 ] && pass "pg_dump runs once" || { fail "pg_dump runs $(grep -c '^pg_dump ' runs.log) times"; cat runs.log; }
expect_grep runs.log "^pg_dump .*--format=custom .*--schema-only .*--snapshot=" "pg_dump writes a custom-format schema archive under the snapshot"
[ "$(grep -c '^pg_restore ' runs.log)" = 3 ] && pass "pg_restore runs three times" || { fail "pg_restore runs"; cat runs.log; }
expect_grep runs.log "^pg_restore --section=pre-data " "pre-data from the archive"
expect_grep runs.log "^pg_restore --section=post-data " "post-data from the archive"
expect_grep runs.log "^pg_restore --clean --if-exists " "the DROP script from the archive"
expect_grep runs.log "^pg_dump .* pw=set$" "pg_dump gets the password in its environment"
expect_no_grep runs.log "schema-secret" "the password is on no command line"
expect_no_grep runs.log "^pg_restore .* pw=set$" "pg_restore, which connects nowhere, gets no password"

# the streams restore: every object and row, and --clean drops what the snapshot defines
psqlq -d postgres -c "CREATE DATABASE dst" >/dev/null
expect_exit 0 "restore the snapshot" bw restore --repo repo --into "$(pg_url dst)" -q
pg_hash app >app.hash
pg_hash dst >dst.hash
cmp -s app.hash dst.hash && pass "rows identical after the restore" || fail "rows differ"
[ "$(psqlq -d dst -c "SELECT count(*) FROM pg_indexes WHERE tablename = 'child'")" = 2 ] && pass "post-data indexes restored" || fail "post-data indexes"
[ "$(psqlq -d dst -c "SELECT count(*) FROM v")" = 50 ] && pass "the view restored" || fail "view"
expect_exit 0 "restore --clean over the restored copy" bw restore --repo repo --into "$(pg_url dst)" --clean
# as many statements as plain pg_dump --clean --if-exists writes before its first object
ndrop=$(pg_dump --schema-only --clean --if-exists app | sed '/^-- Name: /q' | grep -cE '^(DROP |ALTER TABLE )')
expect_grep "$T/out" "dropped the snapshot's own objects first \\($ndrop statements" "--clean ran the whole DROP script ($ndrop statements)"
pg_hash dst >dst2.hash
cmp -s app.hash dst2.hash && pass "rows identical after restore --clean" || fail "rows differ after --clean"

n0=$(nsnap)
# pg_restore missing next to pg_dump
mkdir nor
ln -s "$PG_BINDIR/pg_dump" nor/pg_dump
BLASTWALL_PG_BINDIR=$T/nor expect_exit 1 "pg_restore missing from pg_dump's bin directory" bw backup "$(pg_url app)" --repo repo
expect_grep "$T/err" "cannot use '$T/nor/pg_restore'.*No such file" "names the missing pg_restore"
expect_grep "$T/err" "hint: .*BLASTWALL_PG_BINDIR" "hint says how to fix it"

# a pg_restore that fails
mkdir badr
ln -s "$PG_BINDIR/pg_dump" badr/pg_dump
printf '#!/bin/sh\necho "pg_restore: error: simulated failure" >&2\nexit 1\n' >badr/pg_restore
chmod +x badr/pg_restore
BLASTWALL_PG_BINDIR=$T/badr expect_exit 1 "a failing pg_restore fails the backup" bw backup "$(pg_url app)" --repo repo
expect_grep "$T/err" "cannot extract the schema \(pre-data\) from pg_dump's archive: '$T/badr/pg_restore' failed: pg_restore: error: simulated failure" \
	"says which step failed and quotes pg_restore"

# a pg_dump that fails, one that writes nothing, one that writes something that is not an archive
mkdir badd
ln -s "$PG_BINDIR/pg_restore" badd/pg_restore
printf '#!/bin/sh\necho "pg_dump: error: aborting because of server version mismatch" >&2\nexit 1\n' >badd/pg_dump
chmod +x badd/pg_dump
BLASTWALL_PG_BINDIR=$T/badd expect_exit 1 "a failing pg_dump fails the backup" bw backup "$(pg_url app)" --repo repo
expect_grep "$T/err" "cannot dump the schema: '$T/badd/pg_dump' failed: pg_dump: error: aborting because of server version mismatch" \
	"quotes pg_dump's reason"
printf '#!/bin/sh\nexit 0\n' >badd/pg_dump
BLASTWALL_PG_BINDIR=$T/badd expect_exit 1 "a pg_dump that writes nothing" bw backup "$(pg_url app)" --repo repo
expect_grep "$T/err" "pg_dump' wrote nothing" "says pg_dump wrote nothing"
printf '#!/bin/sh\necho "this is not an archive"\n' >badd/pg_dump
BLASTWALL_PG_BINDIR=$T/badd expect_exit 1 "a pg_dump that writes no archive" bw backup "$(pg_url app)" --repo repo
expect_grep "$T/err" "cannot extract the schema \(pre-data\).*pg_restore.*(not appear to be a valid archive|archive)" \
	"pg_restore's reason is kept"

# pg_dump missing altogether
mkdir nod
BLASTWALL_PG_BINDIR=$T/nod expect_exit 1 "no pg_dump in BLASTWALL_PG_BINDIR" bw backup "$(pg_url app)" --repo repo
expect_grep "$T/err" "BLASTWALL_PG_BINDIR is '$T/nod', which has no pg_dump" "names the directory without pg_dump"

[ "$(nsnap)" = "$n0" ] && pass "no snapshot from the failed backups" || fail "snapshot count $(nsnap), was $n0"
expect_exit 0 "the repository still verifies" bw verify --repo repo
expect_exit 0 "a backup with the real programs works again" bw backup "$(pg_url app)" --repo repo -q
