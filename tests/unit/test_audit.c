/* test_audit.c: the state database and the hash-chained audit log: the chain verifies; edits, deletions,
 * reordering and insertions are found and named. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/arena.h"
#include "common/fs.h"
#include "common/statedb.h"
#include "guard/audit.h"

static char root[256];

static struct arena *setup(void)
{
	struct arena *a = arena_new();
	snprintf(root, sizeof(root), "/tmp/bw-test-audit.XXXXXX");
	if (!mkdtemp(root))
		BUG("mkdtemp");
	setenv("BLASTWALL_STATE_DIR", arena_printf(a, "%s/state", root), 1);
	return a;
}

static void teardown(struct arena *a)
{
	char cmd[400];
	arena_free(a); /* closes the database first */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", root);
}

/* Opens the log and appends n rows. */
static sqlite3 *fill(struct arena *a, int n)
{
	sqlite3 *db = NULL;
	struct err e;
	err_init(&e);
	CHECK(audit_open(a, &db, &e) == 0);
	for (int i = 1; i <= n; i++) {
		struct audit_entry ent = {
			.cwd = "/home/u/proj",
			.agent = "claude",
			.session = i % 2 ? "s-1" : NULL,
			.command = arena_printf(a, "terraform destroy -target=x%d", i),
			.decision = i % 3 ? "deny" : "ask",
			.rules = "terraform.destroy",
			.reason = "would destroy infrastructure",
		};
		CHECK(audit_append(a, db, &ent, &e) == 0);
		CHECK_INTEQ(ent.seq, i);
	}
	return db;
}

static void exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "%s: %s\n", sql, msg);
		CHECK(!"sql");
	}
	sqlite3_free(msg);
}

static struct audit_report verify(struct arena *a, sqlite3 *db)
{
	struct audit_report r;
	struct err e;
	err_init(&e);
	CHECK(audit_verify(a, db, &r, &e) == 0);
	return r;
}

/* Whether some problem names row seq and contains the words. */
static bool reported(const struct audit_report *r, long long seq, const char *words)
{
	for (size_t i = 0; i < r->nproblems; i++)
		if (r->problems[i].seq == seq && strstr(r->problems[i].what, words))
			return true;
	fprintf(stderr, "  no problem for #%lld with '%s'; got:\n", seq, words);
	for (size_t i = 0; i < r->nproblems; i++)
		fprintf(stderr, "    #%lld: %s\n", r->problems[i].seq, r->problems[i].what);
	return false;
}

TEST(state_db_is_private_and_wal)
{
	struct arena *a = setup();
	sqlite3 *db;
	struct err e;
	err_init(&e);
	CHECK(statedb_open(a, &db, &e) == 0);
	struct stat st;
	CHECK(stat(arena_printf(a, "%s/state", root), &st) == 0 && (st.st_mode & 0777) == 0700);
	CHECK(stat(arena_printf(a, "%s/state/state.db", root), &st) == 0 && (st.st_mode & 0777) == 0600);
	sqlite3_stmt *q;
	CHECK(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &q, NULL) == SQLITE_OK);
	CHECK(sqlite3_step(q) == SQLITE_ROW);
	CHECK_STREQ((const char *)sqlite3_column_text(q, 0), "wal");
	sqlite3_finalize(q);
	teardown(a);
}

TEST(migrations_run_once_per_module)
{
	struct arena *a = setup();
	sqlite3 *db;
	struct err e;
	err_init(&e);
	static const struct statedb_migration v1[] = { { 1, "CREATE TABLE t(x)" } };
	static const struct statedb_migration v2[] = { { 1, "CREATE TABLE t(x)" }, { 2, "ALTER TABLE t ADD COLUMN y" } };
	CHECK(statedb_open(a, &db, &e) == 0);
	CHECK(statedb_migrate(db, "test", v1, 1, &e) == 0);
	CHECK(statedb_migrate(db, "test", v1, 1, &e) == 0); /* CREATE again would fail: it must not run */
	CHECK_INTEQ(statedb_module_version(db, "test", &e), 1);
	CHECK(statedb_migrate(db, "test", v2, 2, &e) == 0);
	CHECK_INTEQ(statedb_module_version(db, "test", &e), 2);
	CHECK_INTEQ(statedb_module_version(db, "other", &e), 0);
	/* a database from a newer blastwall is refused, not misread */
	CHECK(statedb_migrate(db, "test", v1, 1, &e) < 0);
	CHECK(strstr(e.msg, "version 2") != NULL);
	/* a failing step rolls back and reports which one */
	static const struct statedb_migration bad[] = { { 1, "CREATE TABLE u(x)" }, { 2, "NOT SQL" } };
	CHECK(statedb_migrate(db, "bad", bad, 2, &e) < 0);
	CHECK(strstr(e.msg, "'bad' step 2") != NULL);
	CHECK_INTEQ(statedb_module_version(db, "bad", &e), 0);
	teardown(a);
}

TEST(unwritable_state_dir_fails_cleanly)
{
	struct arena *a = setup();
	char *file = arena_printf(a, "%s/not-a-dir", root);
	struct err e;
	err_init(&e);
	CHECK(fs_write_atomic(file, "x", 1, 0644, &e) == 0);
	setenv("BLASTWALL_STATE_DIR", arena_printf(a, "%s/sub", file), 1);
	sqlite3 *db = NULL;
	CHECK(audit_open(a, &db, &e) < 0);
	CHECK(e.msg[0] != '\0');
	teardown(a);
}

TEST(chain_verifies)
{
	struct arena *a = setup();
	sqlite3 *db = fill(a, 5);
	struct audit_report r = verify(a, db);
	CHECK_INTEQ(r.nproblems, 0);
	CHECK_INTEQ(r.rows, 5);
	CHECK_INTEQ(r.last_seq, 5);
	CHECK_INTEQ(strlen(r.head_hash), 64);
	/* rows read back as written, oldest first */
	struct audit_entry *v;
	size_t n;
	struct err e;
	err_init(&e);
	struct audit_filter f = { .limit = 2 };
	CHECK(audit_query(a, db, &f, &v, &n, &e) == 0);
	CHECK_INTEQ(n, 2);
	if (n == 2) {
		CHECK_INTEQ(v[0].seq, 4);
		CHECK_STREQ(v[1].command, "terraform destroy -target=x5");
		CHECK(v[0].session == NULL);
		CHECK_STREQ(v[1].session, "s-1");
		CHECK_STREQ(v[1].hash, r.head_hash);
		CHECK(strlen(v[1].time) == 24 && v[1].time[23] == 'Z');
	}
	f = (struct audit_filter){ .decision = "ask" };
	CHECK(audit_query(a, db, &f, &v, &n, &e) == 0);
	CHECK_INTEQ(n, 1);
	f = (struct audit_filter){ .since = "2999-01-01" };
	CHECK(audit_query(a, db, &f, &v, &n, &e) == 0);
	CHECK_INTEQ(n, 0);
	teardown(a);
}

TEST(edited_row_is_named)
{
	struct arena *a = setup();
	sqlite3 *db = fill(a, 5);
	exec(db, "UPDATE audit_log SET decision = 'allow' WHERE seq = 3");
	struct audit_report r = verify(a, db);
	CHECK_INTEQ(r.nproblems, 1);
	CHECK(reported(&r, 3, "edited"));
	teardown(a);
}

TEST(deleted_rows_are_named)
{
	struct arena *a = setup();
	sqlite3 *db = fill(a, 6);
	exec(db, "DELETE FROM audit_log WHERE seq = 2");
	exec(db, "DELETE FROM audit_log WHERE seq IN (4, 5)");
	struct audit_report r = verify(a, db);
	CHECK(reported(&r, 2, "row 2 was deleted"));
	CHECK(reported(&r, 4, "rows 4 to 5 were deleted"));
	CHECK_INTEQ(r.nproblems, 2);
	teardown(a);
}

TEST(deleted_first_and_last_rows_are_named)
{
	struct arena *a = setup();
	sqlite3 *db = fill(a, 4);
	exec(db, "DELETE FROM audit_log WHERE seq IN (1, 4)");
	struct audit_report r = verify(a, db);
	CHECK(reported(&r, 1, "row 1 was deleted"));
	CHECK(reported(&r, 4, "newest) was deleted"));
	teardown(a);
}

TEST(everything_deleted_is_noticed)
{
	struct arena *a = setup();
	sqlite3 *db = fill(a, 3);
	exec(db, "DELETE FROM audit_log");
	struct audit_report r = verify(a, db);
	CHECK(reported(&r, 1, "rows 1 to 3"));
	exec(db, "DELETE FROM audit_head");
	r = verify(a, db);
	CHECK_INTEQ(r.nproblems, 0); /* a wiped log with its head is indistinguishable from a new one */
	teardown(a);
}

TEST(reordered_rows_are_named)
{
	struct arena *a = setup();
	sqlite3 *db = fill(a, 5);
	/* swap the contents of rows 2 and 4, hashes and all */
	exec(db, "UPDATE audit_log SET seq = -2 WHERE seq = 2;"
		 "UPDATE audit_log SET seq = 2 WHERE seq = 4;"
		 "UPDATE audit_log SET seq = 4 WHERE seq = -2;");
	struct audit_report r = verify(a, db);
	CHECK(reported(&r, 2, "edited"));
	CHECK(reported(&r, 4, "edited"));
	CHECK(reported(&r, 3, "does not follow row 2"));
	teardown(a);
}

TEST(inserted_rows_are_named)
{
	struct arena *a = setup();
	sqlite3 *db = fill(a, 3);
	/* a forged row after the head, chained correctly to the last one but without the secret-free hash right */
	exec(db, "INSERT INTO audit_log(seq, time, command, decision, prev_hash, hash) "
		 "SELECT 4, '2026-01-01T00:00:00.000Z', 'rm -rf /', 'allow', hash, 'ab' FROM audit_log WHERE seq = 3");
	struct audit_report r = verify(a, db);
	CHECK(reported(&r, 4, "added outside blastwall"));
	CHECK(reported(&r, 4, "edited"));
	teardown(a);
}

TEST(forged_row_with_recomputed_hash_still_breaks_head)
{
	struct arena *a = setup();
	sqlite3 *db = fill(a, 2);
	/* someone who knows the encoding appends a perfect row but leaves audit_head alone */
	struct audit_entry ent = { .seq = 3, .time = "2026-01-01T00:00:00.000Z", .command = "ls", .decision = "allow" };
	struct audit_report r0 = verify(a, db);
	memcpy(ent.prev_hash, r0.head_hash, sizeof(ent.prev_hash));
	audit_row_hash(&ent, ent.hash);
	exec(db, arena_printf(a,
			      "INSERT INTO audit_log(seq, time, command, decision, prev_hash, hash) "
			      "VALUES(3, '%s', 'ls', 'allow', '%s', '%s')",
			      ent.time, ent.prev_hash, ent.hash));
	struct audit_report r = verify(a, db);
	CHECK_INTEQ(r.nproblems, 1);
	CHECK(reported(&r, 3, "added outside blastwall"));
	teardown(a);
}

TEST(canonical_encoding_separates_fields)
{
	struct audit_entry x = { .seq = 1, .time = "t", .command = "ab", .decision = "deny", .reason = "c" };
	struct audit_entry y = { .seq = 1, .time = "t", .command = "a", .decision = "deny", .reason = "bc" };
	struct audit_entry z = { .seq = 1, .time = "t", .command = "ab", .decision = "deny", .reason = "c", .rules = "" };
	memset(x.prev_hash, '0', 64);
	memset(y.prev_hash, '0', 64);
	memset(z.prev_hash, '0', 64);
	char hx[65], hy[65], hz[65], hx2[65];
	audit_row_hash(&x, hx);
	audit_row_hash(&y, hy);
	audit_row_hash(&z, hz);
	audit_row_hash(&x, hx2);
	CHECK(strcmp(hx, hy) != 0);
	CHECK(strcmp(hx, hz) != 0); /* NULL and "" differ */
	CHECK_STREQ(hx, hx2);
}

TEST(timestamps_are_utc_iso8601_with_ms)
{
	struct arena *a = arena_new();
	/* compare with the C library's idea of UTC, retrying across a second boundary */
	for (int tries = 0; tries < 3; tries++) {
		time_t t = time(NULL);
		struct tm tm;
		char want[32];
		gmtime_r(&t, &tm);
		strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%S", &tm);
		char *got = audit_now(a);
		if (time(NULL) != t)
			continue;
		CHECK_INTEQ(strlen(got), 24);
		CHECK(strncmp(got, want, 19) == 0);
		CHECK(got[19] == '.' && got[23] == 'Z');
		break;
	}
	arena_free(a);
}

TEST(appends_continue_after_reopen)
{
	struct arena *a = setup();
	fill(a, 2);
	arena_free(a);
	a = arena_new();
	sqlite3 *db = fill(a, 0);
	struct audit_entry ent = { .command = "dropdb prod", .decision = "deny" };
	struct err e;
	err_init(&e);
	CHECK(audit_append(a, db, &ent, &e) == 0);
	CHECK_INTEQ(ent.seq, 3);
	CHECK_INTEQ(verify(a, db).nproblems, 0);
	teardown(a);
}

TEST_MAIN(state_db_is_private_and_wal, migrations_run_once_per_module, unwritable_state_dir_fails_cleanly,
	  chain_verifies, edited_row_is_named, deleted_rows_are_named, deleted_first_and_last_rows_are_named,
	  everything_deleted_is_noticed, reordered_rows_are_named, inserted_rows_are_named,
	  forged_row_with_recomputed_hash_still_breaks_head, canonical_encoding_separates_fields,
	  timestamps_are_utc_iso8601_with_ms,
	  appends_continue_after_reopen)
