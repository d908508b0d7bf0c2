/*
 * sqlite.c: SQLite backup and restore (see sqlite.h). The temporary copy
 * lives in $TMPDIR and is removed on every path out; the restored file is
 * only renamed into place once it checked out, so a failed restore leaves
 * the target untouched.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/fs.h"
#include "db/sqlite.h"

#define STREAM_NAME "sqlite/database"
#define READ_BLOCK (1u << 20)

static int sq_error(sqlite3 *db, const char *doing, struct err *e)
{
	return err_set(e, "cannot %s: %s", doing, db ? sqlite3_errmsg(db) : "out of memory");
}

static int open_db(const char *path, int flags, sqlite3 **out, struct err *e)
{
	sqlite3 *db = NULL;
	if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
		sq_error(db, "open SQLite database", e);
		err_wrap(e, "'%s'", path);
		sqlite3_close(db);
		return -1;
	}
	sqlite3_busy_timeout(db, 30000);
	*out = db;
	return 0;
}

/* Reads table names, row counts and the schema of the copy into meta. */
static int describe(sqlite3 *db, json_t *meta, uint64_t *rows_total, uint64_t *ntables, struct err *e)
{
	sqlite3_stmt *st;
	json_t *tables = json_array(), *schema = json_array();
	json_object_set_new(meta, "tables", tables);
	json_object_set_new(meta, "schema", schema);
	if (sqlite3_prepare_v2(db, "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY rowid", -1, &st, NULL) != SQLITE_OK)
		return sq_error(db, "read the schema", e);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *type = (const char *)sqlite3_column_text(st, 0);
		const char *name = (const char *)sqlite3_column_text(st, 1);
		const char *sql = (const char *)sqlite3_column_text(st, 3);
		if (!type || !name)
			continue;
		json_array_append_new(schema, json_pack("{s:s, s:s, s:s?}", "type", type, "name", name, "sql", sql));
		if (strcmp(type, "table") != 0 || strncmp(name, "sqlite_", 7) == 0)
			continue;
		/* virtual tables may need modules we do not have: record them without a count */
		if (sql && strncasecmp(sql, "CREATE VIRTUAL", 14) == 0)
			continue;
		json_array_append_new(tables, json_pack("{s:s, s:s, s:I}", "schema", "main", "name", name, "rows", (json_int_t)0));
	}
	sqlite3_finalize(st);
	size_t i;
	json_t *t;
	json_array_foreach(tables, i, t) {
		const char *name = json_string_value(json_object_get(t, "name"));
		char *q = sqlite3_mprintf("SELECT count(*) FROM \"%w\"", name);
		if (!q)
			bw_oom();
		int rc = sqlite3_prepare_v2(db, q, -1, &st, NULL);
		sqlite3_free(q);
		if (rc != SQLITE_OK)
			return sq_error(db, "count rows", e);
		if (sqlite3_step(st) != SQLITE_ROW) {
			sqlite3_finalize(st);
			return sq_error(db, "count rows", e);
		}
		json_int_t n = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		json_object_set_new(t, "rows", json_integer(n));
		*rows_total += (uint64_t)n;
		(*ntables)++;
	}
	return 0;
}

static int pragma_int(sqlite3 *db, const char *sql, long long *out)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	int rc = sqlite3_step(st) == SQLITE_ROW ? 0 : -1;
	if (rc == 0)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc;
}

int sqlite_backup(struct arena *a, struct repo *r, const char *path, struct backup_summary *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	double t0 = db_now();
	time_t started = time(NULL);
	struct stat sst;
	if (stat(path, &sst) < 0)
		return err_errno(e, "cannot back up SQLite database '%s'", path);
	if (!S_ISREG(sst.st_mode))
		return err_set(e, "cannot back up '%s': not a regular file", path);
	const char *tmpdir = getenv("TMPDIR");
	char *tmp = arena_printf(a, "%s/blastwall-sqlite-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	int fd = mkstemp(tmp);
	if (fd < 0)
		return err_errno(e, "cannot create a temporary file in '%s'", path_dirname(a, tmp));
	close(fd);
	sqlite3 *src = NULL, *dst = NULL;
	json_t *meta = json_object();
	int rc = -1;
	FILE *f = NULL;
	char *buf = NULL;
	struct snap_writer *w = NULL;
	if (open_db(path, SQLITE_OPEN_READONLY, &src, e) < 0 || open_db(tmp, SQLITE_OPEN_READWRITE, &dst, e) < 0)
		goto out;
	/* a file that is not a database fails here with "file is not a database" */
	long long page_size = 0, page_count = 0;
	sqlite3_stmt *probe;
	if (sqlite3_prepare_v2(src, "SELECT count(*) FROM sqlite_master", -1, &probe, NULL) != SQLITE_OK) {
		sq_error(src, "read", e);
		err_wrap(e, "'%s'", path);
		goto out;
	}
	sqlite3_finalize(probe);
	sqlite3_backup *bk = sqlite3_backup_init(dst, "main", src, "main");
	if (!bk) {
		sq_error(dst, "start the online backup", e);
		goto out;
	}
	/*
	 * One step over all pages: the copy is made inside a single read
	 * transaction, so it is one consistent image; writers in WAL mode keep
	 * going meanwhile, writers in rollback mode wait on their busy timeout.
	 */
	int st;
	for (int tries = 0;; tries++) {
		st = sqlite3_backup_step(bk, -1);
		if (st == SQLITE_DONE)
			break;
		if ((st == SQLITE_BUSY || st == SQLITE_LOCKED) && tries < 600) {
			sqlite3_sleep(50);
			continue;
		}
		break;
	}
	sqlite3_backup_finish(bk);
	if (st != SQLITE_DONE) {
		err_set(e, "cannot copy SQLite database '%s': %s", path, sqlite3_errstr(st));
		if (st == SQLITE_BUSY || st == SQLITE_LOCKED)
			err_hint(e, "another process held a write lock for 30 seconds; try again");
		goto out;
	}
	uint64_t rows = 0, ntables = 0;
	if (describe(dst, meta, &rows, &ntables, e) < 0)
		goto out;
	pragma_int(dst, "PRAGMA page_size", &page_size);
	pragma_int(dst, "PRAGMA page_count", &page_count);
	sqlite3_close(dst);
	dst = NULL;

	if (snap_begin(r, &w, e) < 0)
		goto out;
	struct stream_writer *sw;
	if (snap_stream_open(w, STREAM_NAME, &sw, e) < 0)
		goto out;
	f = fopen(tmp, "rb");
	if (!f) {
		err_errno(e, "cannot read the copy '%s'", tmp);
		struct stream_info ig;
		struct err e2;
		err_init(&e2);
		stream_close(sw, &ig, &e2);
		goto out;
	}
	buf = xmalloc(READ_BLOCK);
	size_t n;
	int wrc = 0;
	while ((n = fread(buf, 1, READ_BLOCK, f)) > 0)
		if ((wrc = stream_write(sw, buf, n, e)) < 0)
			break;
	if (wrc == 0 && ferror(f))
		wrc = err_errno(e, "cannot read the copy '%s'", tmp);
	struct stream_info info;
	if (wrc < 0) {
		struct err e2;
		err_init(&e2);
		stream_close(sw, &info, &e2);
		goto out;
	}
	if (stream_close(sw, &info, e) < 0)
		goto out;
	char cwd[4096];
	const char *abs = getcwd(cwd, sizeof(cwd)) ? path_normalize(a, cwd, path) : path;
	json_object_set_new(meta, "kind", json_string("sqlite"));
	json_object_set_new(meta, "source", json_string(arena_printf(a, "sqlite:%s", abs)));
	json_object_set_new(meta, "database", json_string(path_basename(abs)));
	json_object_set_new(meta, "server_version", json_string(sqlite3_libversion()));
	json_object_set_new(meta, "tool", json_string(arena_printf(a, "blastwall %s", bw_version)));
	json_object_set_new(meta, "page_size", json_integer(page_size));
	json_object_set_new(meta, "page_count", json_integer(page_count));
	json_object_set_new(meta, "stream", json_string(STREAM_NAME));
	json_object_set_new(meta, "bytes", json_integer((json_int_t)info.bytes));
	json_object_set_new(meta, "checksum", json_string(info.checksum));
	json_object_set_new(meta, "snapshot_rows", json_integer((json_int_t)rows));
	json_object_set_new(meta, "started_at", json_integer((json_int_t)started));
	json_object_set_new(meta, "duration_seconds", json_real(db_now() - t0));
	if (snap_commit(w, meta, out->id, e) < 0) {
		w = NULL;
		goto out;
	}
	w = NULL;
	out->tables = ntables;
	out->rows = rows;
	out->bytes = info.bytes;
	out->chunks = info.chunks;
	out->new_chunks = info.new_chunks;
	out->stored_bytes = info.stored_bytes;
	out->seconds = db_now() - t0;
	rc = 0;
out:
	if (w)
		snap_abort(w);
	free(buf);
	if (f)
		fclose(f);
	sqlite3_close(src);
	sqlite3_close(dst);
	unlink(tmp);
	json_decref(meta);
	return rc;
}

struct fd_sink {
	int fd;
	const char *path;
};

static int fd_sink(void *ctx, const void *p, size_t n, struct err *e)
{
	struct fd_sink *s = ctx;
	const char *c = p;
	while (n) {
		ssize_t w = write(s->fd, c, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return err_errno(e, "cannot write '%s'", s->path);
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

int sqlite_count_rows(const char *path, const char *table, long long *out, struct err *e)
{
	sqlite3 *db;
	if (open_db(path, SQLITE_OPEN_READONLY, &db, e) < 0)
		return -1;
	char *q = sqlite3_mprintf("SELECT count(*) FROM \"%w\"", table);
	sqlite3_stmt *st;
	int rc = -1;
	if (sqlite3_prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK) {
		sq_error(db, "count rows", e);
	} else {
		if (sqlite3_step(st) == SQLITE_ROW) {
			*out = sqlite3_column_int64(st, 0);
			rc = 0;
		} else {
			sq_error(db, "count rows", e);
		}
		sqlite3_finalize(st);
	}
	sqlite3_free(q);
	sqlite3_close(db);
	return rc;
}

int sqlite_query_value(struct arena *a, const char *path, const char *sql, char **out, struct err *e)
{
	sqlite3 *db;
	if (open_db(path, SQLITE_OPEN_READONLY, &db, e) < 0)
		return -1;
	sqlite3_stmt *st;
	int rc = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		sq_error(db, "run the query", e);
	} else {
		int s = sqlite3_step(st);
		if (s == SQLITE_ROW) {
			const char *v = (const char *)sqlite3_column_text(st, 0);
			*out = arena_strdup(a, v ? v : "");
			rc = 0;
		} else if (s == SQLITE_DONE) {
			err_set(e, "the query returned no rows");
		} else {
			sq_error(db, "run the query", e);
		}
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	return rc;
}

int sqlite_restore(struct arena *a, struct repo *r, const struct snapshot_info *s, const char *dest, bool force,
		   struct restore_summary *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	double t0 = db_now();
	json_t *meta = json_object_get(s->manifest, "meta");
	const char *kind = json_string_value(json_object_get(meta, "kind"));
	if (!kind || strcmp(kind, "sqlite") != 0) {
		err_set(e, "snapshot %.12s is not a SQLite backup", s->id);
		return err_hint(e, "restore a PostgreSQL snapshot with --into postgres://... or --local DIR");
	}
	const char *stream = json_string_value(json_object_get(meta, "stream"));
	if (!stream)
		stream = STREAM_NAME;
	if (fs_exists(dest) && !force) {
		err_set(e, "'%s' already exists", dest);
		return err_hint(e, "choose another path, or pass --force to replace it");
	}
	char *dir = path_dirname(a, dest);
	char *tmp = arena_printf(a, "%s.blastwall-XXXXXX", dest);
	int fd = mkstemp(tmp);
	if (fd < 0)
		return err_errno(e, "cannot create a file in '%s'", dir);
	int rc = -1;
	struct fd_sink sk = { fd, tmp };
	if (snap_stream_read(r, s, stream, fd_sink, &sk, e) < 0) {
		err_wrap(e, "cannot restore snapshot %.12s", s->id);
		goto fail;
	}
	if (fsync(fd) < 0) {
		err_errno(e, "cannot write '%s'", tmp);
		goto fail;
	}
	close(fd);
	fd = -1;
	/* check the copy before it replaces anything */
	char *check = NULL;
	if (sqlite_query_value(a, tmp, "PRAGMA quick_check", &check, e) < 0)
		goto fail;
	if (strcmp(check, "ok") != 0) {
		err_set(e, "the restored database fails SQLite's quick_check: %s", check);
		goto fail;
	}
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(meta, "tables"), i, t) {
		const char *name = json_string_value(json_object_get(t, "name"));
		long long want = json_integer_value(json_object_get(t, "rows")), got = 0;
		if (!name)
			continue;
		if (sqlite_count_rows(tmp, name, &got, e) < 0)
			goto fail;
		if (got != want) {
			err_set(e, "table '%s' has %lld rows after the restore, the snapshot recorded %lld", name, got, want);
			goto fail;
		}
		out->tables++;
		out->rows += (uint64_t)got;
	}
	/* a WAL-mode copy opened for the checks leaves empty -wal/-shm files under the temporary name */
	unlink(arena_printf(a, "%s-wal", tmp));
	unlink(arena_printf(a, "%s-shm", tmp));
	if (force) {
		unlink(arena_printf(a, "%s-wal", dest));
		unlink(arena_printf(a, "%s-shm", dest));
		unlink(arena_printf(a, "%s-journal", dest));
	}
	if (chmod(tmp, 0644) < 0 || rename(tmp, dest) < 0) {
		err_errno(e, "cannot put the restored database at '%s'", dest);
		goto fail;
	}
	if (fs_fsync_dir(dir, e) < 0)
		return -1;
	out->bytes = (uint64_t)json_integer_value(json_object_get(meta, "bytes"));
	out->seconds = db_now() - t0;
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	unlink(arena_printf(a, "%s-wal", tmp));
	unlink(arena_printf(a, "%s-shm", tmp));
	return rc;
}

int sqlite_exec(const char *path, const char *sql, struct err *e)
{
	sqlite3 *db;
	if (open_db(path, SQLITE_OPEN_READWRITE, &db, e) < 0)
		return -1;
	char *msg = NULL;
	int rc = 0;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		rc = err_set(e, "cannot run '%s': %s", sql, msg ? msg : "unknown error");
	sqlite3_free(msg);
	sqlite3_close(db);
	return rc;
}
