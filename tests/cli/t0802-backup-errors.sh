#!/usr/bin/env bash
# Bad input: unreachable server, wrong password, a role that cannot read a
# table, not a repository, a wrong key, a missing or non-database SQLite
# file, bad arguments. Each gives a clear message, and the repository never
# shows a half-written snapshot.
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/tools/pg-env.sh"
pg_start
psqlq -d postgres <<'SQL' >/dev/null
CREATE DATABASE app;
CREATE ROLE pwuser LOGIN PASSWORD 'right-password';
CREATE ROLE limited LOGIN;
SQL
psqlq -d app <<'SQL' >/dev/null
CREATE TABLE public_data (id int);
INSERT INTO public_data SELECT generate_series(1, 10);
CREATE TABLE secret (id int);
GRANT SELECT ON public_data TO limited;
GRANT SELECT ON public_data, secret TO pwuser;
SQL
pg_password_auth pwuser

bw repo init repo >/dev/null
nsnap() { bw snapshots --repo repo --json | grep -c '"id"'; }

expect_exit 1 "unreachable server" bw backup "postgres://postgres@/app?host=$T/nowhere&port=1" --repo repo
expect_grep "$T/err" "backup of 'postgres://postgres@/app.*cannot connect to the database" "names what it could not connect to"
expect_grep "$T/err" "hint: check the host and port" "hint for an unreachable server"

expect_exit 1 "wrong password" bw backup "postgres://pwuser:wrong@/app?host=$PGHOST&port=$PGPORT" --repo repo
expect_grep "$T/err" "password authentication failed" "keeps libpq's reason"
expect_no_grep "$T/err" "wrong" "never prints the password"
expect_grep "$T/err" "pwuser:\*\*\*@" "the source is shown redacted"
expect_exit 0 "the right password works" bw backup "postgres://pwuser:right-password@/app?host=$PGHOST&port=$PGPORT" --repo repo -q
bw snapshots --repo repo --json >s.json
expect_no_grep s.json "right-password" "the password is not stored in the manifest"

expect_exit 1 "a role that cannot read a table" bw backup "postgres://limited@/app?host=$PGHOST&port=$PGPORT" --repo repo
expect_grep "$T/err" "permission denied for table secret" "names the table it cannot read"
expect_grep "$T/err" "hint: .*GRANT SELECT" "hint says what to grant"
[ "$(nsnap)" = 1 ] && pass "no snapshot from the failed backups" || fail "snapshot count $(nsnap)"
expect_exit 0 "the repository still verifies" bw verify --repo repo

mkdir notarepo
expect_exit 1 "a directory that is not a repository" bw backup "$(pg_url app)" --repo notarepo
expect_grep "$T/err" "notarepo" "names the path"
[ -z "$(ls notarepo)" ] && pass "nothing written into a non-repository" || fail "wrote into notarepo"

head -c 32 /dev/urandom >key1
head -c 32 /dev/urandom >key2
if bw repo init --encrypt --key-file key1 enc >/dev/null 2>"$T/err"; then
	expect_exit 0 "backup into an encrypted repository" bw backup "$(pg_url app)" --repo enc --key-file key1 -q
	expect_exit 1 "a wrong key is refused" bw backup "$(pg_url app)" --repo enc --key-file key2
	expect_grep "$T/err" "key" "the message is about the key"
	expect_exit 1 "restore with a wrong key is refused" bw restore --repo enc --key-file key2 --into sqlite:x.db
	psqlq -d postgres -c "CREATE DATABASE encdst" >/dev/null
	expect_exit 0 "restore with the right key" bw restore --repo enc --key-file key1 --into "$(pg_url encdst)" -q
	[ "$(psqlq -d encdst -c 'SELECT count(*) FROM public_data')" = 10 ] && pass "encrypted round trip" || fail "encrypted round trip"
else
	fail "repo init --encrypt --key-file: $(cat "$T/err")"
fi

expect_exit 1 "a missing SQLite file" bw backup sqlite:missing.db --repo repo
expect_grep "$T/err" "missing.db" "names the file"
echo "not a database at all, just text that is long enough to look like a header" >junk.db
expect_exit 1 "a file that is not a SQLite database" bw backup sqlite:junk.db --repo repo
expect_grep "$T/err" "not a database" "says it is not a database"
[ "$(nsnap)" = 1 ] && pass "still one snapshot" || fail "snapshot count $(nsnap)"

expect_exit 2 "no source" bw backup --repo repo
expect_exit 2 "an unknown kind of source" bw backup mysql://x/y --repo repo
expect_grep "$T/err" "postgres://" "lists the forms it accepts"
expect_exit 2 "bad -j" bw backup "$(pg_url app)" --repo repo -j 0
expect_exit 2 "restore needs a target" bw restore --repo repo
expect_exit 2 "restore takes one target" bw restore --repo repo --into sqlite:a.db --local x
expect_exit 1 "restore of an unknown snapshot" bw restore --repo repo --snapshot deadbeef --into sqlite:a.db
expect_exit 1 "restore --stop of a directory without a server" bw restore --stop "$T"
expect_grep "$T/err" "no PostgreSQL cluster" "says there is no cluster"
expect_exit 2 "drill: bad --max-age" bw drill --repo repo --max-age soon
bw repo init empty >/dev/null
expect_exit 1 "drill of an empty repository fails" bw drill --repo empty
expect_grep "$T/out" "no snapshots" "says there is nothing to restore"

# a full disk: a 2 MB tmpfs for the repository (needs mount rights; skipped otherwise)
mkdir small
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=2m tmpfs small 2>/dev/null; then
	at_exit "umount '$T/small'"
	bw repo init small/repo >/dev/null
	psqlq -d app -c "CREATE TABLE bulk AS SELECT g, md5(g::text) || md5((g * 3)::text) AS pad FROM generate_series(1, 100000) g" >/dev/null
	expect_exit 1 "a full disk fails the backup" bw backup "$(pg_url app)" --repo small/repo
	expect_grep "$T/err" "No space left on device" "names the full disk"
	[ "$(bw snapshots --repo small/repo --json | grep -c '"id"')" = 0 ] && pass "no snapshot on the full disk" || fail "snapshot on the full disk"
	expect_exit 0 "the full repository still verifies" bw verify --repo small/repo
else
	skip "full disk" "cannot mount a tmpfs here"
fi
