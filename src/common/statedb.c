/*
 * statedb.c: opening state.db with the pragmas blastwall relies on, and the
 * per-module migration runner. See statedb.h for the contract.
 */
#include "common/statedb.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/fs.h"

/* Version of the bookkeeping layout (schema_versions). */
#define STATEDB_CORE_VERSION 1
/* A hook must answer quickly even when another process holds the write lock. */
#define STATEDB_BUSY_MS 750

static void close_db(void *p)
{
	sqlite3_close_v2(p);
}

int statedb_exec(sqlite3 *db, const char *sql, const char *what, struct err *e)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		err_set(e, "%s: %s", what, msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

char *statedb_path(struct arena *a)
{
	return path_join(a, fs_state_dir(a), "state.db");
}

/*
 * The bookkeeping table, created inside the caller's IMMEDIATE transaction the
 * first time any module migrates. A database from a newer blastwall (a
 * user_version above ours) is refused rather than misread.
 */
static int core_schema(sqlite3 *db, struct err *e)
{
	sqlite3_stmt *st;
	int v = 0;
	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return err_set(e, "cannot read the state database: %s", sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (v == STATEDB_CORE_VERSION)
		return 0;
	if (v > STATEDB_CORE_VERSION) {
		err_set(e, "the state database was written by a newer blastwall (layout %d, this one knows %d)", v,
			STATEDB_CORE_VERSION);
		return err_hint(e, "upgrade blastwall, or point BLASTWALL_STATE_DIR elsewhere");
	}
	return statedb_exec(db,
			    "CREATE TABLE IF NOT EXISTS schema_versions("
			    "  module TEXT PRIMARY KEY,"
			    "  version INTEGER NOT NULL,"
			    "  updated TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')));"
			    "PRAGMA user_version = 1;",
			    "cannot initialise the state database", e);
}

/*
 * Switches a new database to WAL. Several hooks can start at once on a fresh
 * state directory; the switch needs the database to itself and SQLite does
 * not wait for that, so retry briefly, and accept that another process may
 * have made the switch in the meantime.
 */
static int set_wal(sqlite3 *db, struct err *e)
{
	for (int attempt = 0; attempt < 50; attempt++) {
		sqlite3_stmt *st;
		bool wal = false;
		if (sqlite3_prepare_v2(db, "PRAGMA journal_mode=WAL", -1, &st, NULL) == SQLITE_OK) {
			if (sqlite3_step(st) == SQLITE_ROW) {
				const unsigned char *m = sqlite3_column_text(st, 0);
				wal = m && strcmp((const char *)m, "wal") == 0;
			}
			sqlite3_finalize(st);
		}
		if (wal)
			return 0;
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	return err_set(e, "cannot switch the state database to WAL: %s", sqlite3_errmsg(db));
}

int statedb_open_path(struct arena *a, const char *path, int flags, sqlite3 **out, struct err *e)
{
	sqlite3 *db = NULL;
	int oflags = SQLITE_OPEN_NOMUTEX;
	bool fresh = false;
	*out = NULL;
	if (flags & STATEDB_READONLY) {
		if (!fs_exists(path)) {
			err_set(e, "no state database at '%s'", path);
			return err_hint(e, "nothing has been recorded yet; blastwall creates it on the first ask or deny");
		}
		oflags |= SQLITE_OPEN_READONLY;
	} else {
		/* Create the file ourselves so it is private from the start (the WAL and shm follow its mode). */
		int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0 && errno == ENOENT) {
			if (fs_mkdir_p(path_dirname(a, path), 0700, e) < 0)
				return -1;
			fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		}
		if (fd < 0)
			return err_errno(e, "cannot open '%s'", path);
		struct stat st;
		fresh = fstat(fd, &st) == 0 && st.st_size == 0;
		close(fd);
		oflags |= SQLITE_OPEN_READWRITE;
	}
	int rc = sqlite3_open_v2(path, &db, oflags, NULL);
	if (rc != SQLITE_OK) {
		err_set(e, "cannot open '%s': %s", path, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		sqlite3_close_v2(db);
		return -1;
	}
	arena_on_release(a, close_db, db);
	sqlite3_busy_timeout(db, STATEDB_BUSY_MS);
	sqlite3_extended_result_codes(db, 1);
	if (flags & STATEDB_READONLY) {
		/* Reading a file that is not a database fails here, not later. */
		if (statedb_exec(db, "SELECT count(*) FROM sqlite_schema", "cannot read the state database", e) < 0)
			return err_wrap(e, "'%s'", path);
		*out = db;
		return 0;
	}
	/*
	 * A hook process opens the database, writes a row or two and exits, so
	 * what an open and a close cost is what every ask or deny costs. Closing
	 * does not checkpoint (with synchronous=NORMAL that is two fsyncs, tens
	 * of milliseconds on some disks) and the WAL file is kept between
	 * processes (deleting and re-creating it and the shm took most of the
	 * rest: unlink is slow). The WAL is emptied by the audit log's
	 * checkpoint after each row (audit.c), or by SQLite's own auto-checkpoint
	 * at 1000 pages, so a new process's WAL recovery has little to read.
	 */
	int one = 1;
	sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
	sqlite3_file_control(db, "main", SQLITE_FCNTL_PERSIST_WAL, &one);
	const char *pragmas = (flags & STATEDB_NO_SYNC) ? "PRAGMA synchronous=OFF; PRAGMA journal_size_limit=0"
							: "PRAGMA synchronous=NORMAL; PRAGMA journal_size_limit=0";
	if (statedb_exec(db, pragmas, "cannot configure the state database", e) < 0)
		return err_wrap(e, "'%s'", path);
	/* journal_mode is stored in the file: set it once, when the file is new. */
	if (fresh && set_wal(db, e) < 0)
		return err_wrap(e, "'%s'", path);
	*out = db;
	return 0;
}

int statedb_open(struct arena *a, sqlite3 **db, struct err *e)
{
	return statedb_open_path(a, statedb_path(a), 0, db, e);
}

int statedb_module_version(sqlite3 *db, const char *module, struct err *e)
{
	sqlite3_stmt *st;
	int v = 0;
	if (sqlite3_prepare_v2(db, "SELECT version FROM schema_versions WHERE module = ?1", -1, &st, NULL) !=
	    SQLITE_OK) {
		/* A database no module has migrated yet has no bookkeeping table: version 0. */
		if (strstr(sqlite3_errmsg(db), "no such table"))
			return 0;
		err_set(e, "cannot read the schema version of '%s': %s", module, sqlite3_errmsg(db));
		return -1;
	}
	sqlite3_bind_text(st, 1, module, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	else if (rc != SQLITE_DONE) {
		err_set(e, "cannot read the schema version of '%s': %s", module, sqlite3_errmsg(db));
		v = -1;
	}
	sqlite3_finalize(st);
	return v;
}

int statedb_migrate(sqlite3 *db, const char *module, const struct statedb_migration *steps, size_t n,
		    struct err *e)
{
	int latest = n ? steps[n - 1].version : 0;
	/* The common case: already current, one indexed read and no lock. */
	int v = statedb_module_version(db, module, e);
	if (v < 0)
		return -1;
	if (v == latest)
		return 0;
	if (v > latest) {
		err_set(e, "the '%s' tables in the state database are version %d; this blastwall knows %d", module, v,
			latest);
		return err_hint(e, "upgrade blastwall, or point BLASTWALL_STATE_DIR elsewhere");
	}
	if (statedb_exec(db, "BEGIN IMMEDIATE", "cannot lock the state database", e) < 0)
		return -1;
	if (core_schema(db, e) < 0)
		goto fail;
	/* Another process may have migrated while we waited for the lock. */
	v = statedb_module_version(db, module, e);
	if (v < 0)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		if (steps[i].version <= v)
			continue;
		if (i > 0 && steps[i].version <= steps[i - 1].version)
			BUG("statedb migrations for '%s' are out of order", module);
		if (statedb_exec(db, steps[i].sql, "cannot update the state database", e) < 0) {
			err_wrap(e, "'%s' step %d", module, steps[i].version);
			goto fail;
		}
	}
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db,
			       "INSERT INTO schema_versions(module, version) VALUES(?1, ?2) "
			       "ON CONFLICT(module) DO UPDATE SET version = excluded.version, "
			       "updated = strftime('%Y-%m-%dT%H:%M:%fZ','now')",
			       -1, &st, NULL) != SQLITE_OK) {
		err_set(e, "cannot record the schema version: %s", sqlite3_errmsg(db));
		goto fail;
	}
	sqlite3_bind_text(st, 1, module, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, latest);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		err_set(e, "cannot record the schema version: %s", sqlite3_errmsg(db));
		goto fail;
	}
	if (statedb_exec(db, "COMMIT", "cannot commit to the state database", e) < 0)
		goto fail;
	return 0;
fail:
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}
