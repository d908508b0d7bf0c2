/*
 * postgres.c: PostgreSQL backup and restore (see postgres.h for the design).
 *
 * Threads: backup and restore run `jobs` threads, each with its own PGconn,
 * pulling work units (table parts) from a shared queue under one mutex. The
 * first failure is recorded once and makes every thread stop at its next
 * unit; the caller then aborts the snapshot (backup) or reports the error
 * (restore). Memory per thread is bounded by the repository's chunk buffers
 * and libpq's one-row buffers, whatever the table size. libpq results are PQclear'ed where they are read; connections are
 * closed by their owner before returning.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/fs.h"
#include "db/pgcluster.h"
#include "db/postgres.h"
#include "db/proc.h"

#define SCHEMA_MAX ((size_t)512 << 20)
#define BINARY_HEADER 19 /* COPY binary: signature (11), flags (4), header extension length (4, always 0) */

double db_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- connections and errors ---- */

/* libpq messages end with a newline and may span lines: keep them on one line. */
static const char *one_line(struct arena *a, const char *msg)
{
	char *s = arena_strdup(a, msg ? msg : "");
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	for (char *p = s; *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	return s;
}

static int conn_error(PGconn *c, const char *doing, struct err *e)
{
	const char *m = PQerrorMessage(c);
	char tmp[900];
	snprintf(tmp, sizeof(tmp), "%s", m ? m : "");
	size_t n = strlen(tmp);
	while (n && isspace((unsigned char)tmp[n - 1]))
		tmp[--n] = '\0';
	for (char *p = tmp; *p; p++)
		if (*p == '\n')
			*p = ' ';
	return err_set(e, "cannot %s: %s", doing, tmp);
}

static int result_error(PGresult *r, PGconn *c, const char *doing, struct err *e)
{
	const char *m = r ? PQresultErrorMessage(r) : NULL;
	if (!m || !*m)
		return conn_error(c, doing, e);
	char tmp[900];
	snprintf(tmp, sizeof(tmp), "%s", m);
	size_t n = strlen(tmp);
	while (n && isspace((unsigned char)tmp[n - 1]))
		tmp[--n] = '\0';
	for (char *p = tmp; *p; p++)
		if (*p == '\n')
			*p = ' ';
	err_set(e, "cannot %s: %s", doing, tmp);
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	if (state && strcmp(state, "42501") == 0)
		err_hint(e, "the role lacks a privilege: grant it (e.g. GRANT SELECT ON ALL TABLES IN SCHEMA public TO "
			    "the backup role) or connect as the objects' owner");
	else if (state && strcmp(state, "53100") == 0)
		err_hint(e, "the database server's disk is full");
	return -1;
}

static void quiet_notices(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

int pg_connect(struct arena *a, const char *conninfo, const char *doing, PGconn **out, struct err *e)
{
	*out = NULL;
	if (pq_load(e) < 0)
		return -1;
	PGconn *c = PQconnectdb(conninfo);
	if (!c)
		bw_oom();
	if (PQstatus(c) != CONNECTION_OK) {
		const char *m = PQerrorMessage(c);
		conn_error(c, doing, e);
		if (m && strstr(m, "password authentication failed"))
			err_hint(e, "check the password (in the URL, PGPASSWORD or ~/.pgpass)");
		else if (m && strstr(m, "no password supplied"))
			err_hint(e, "give the password in the URL, PGPASSWORD or ~/.pgpass");
		else if (m && (strstr(m, "Connection refused") || strstr(m, "No such file") || strstr(m, "could not translate host")))
			err_hint(e, "check the host and port, and that the server is running");
		else if (m && strstr(m, "does not exist"))
			err_hint(e, "check the database and user names");
		PQfinish(c);
		return -1;
	}
	PQsetNoticeProcessor(c, quiet_notices, NULL);
	(void)a;
	*out = c;
	return 0;
}

int pg_exec_cmd(PGconn *c, const char *sql, const char *doing, struct err *e)
{
	PGresult *r = PQexec(c, sql);
	ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY) {
		result_error(r, c, doing, e);
		PQclear(r);
		return -1;
	}
	PQclear(r);
	return 0;
}

PGresult *pg_query(PGconn *c, const char *sql, const char *doing, struct err *e)
{
	PGresult *r = PQexec(c, sql);
	if (!r || PQresultStatus(r) != PGRES_TUPLES_OK) {
		result_error(r, c, doing, e);
		PQclear(r);
		return NULL;
	}
	return r;
}

int pg_query_value(struct arena *a, PGconn *c, const char *sql, const char *doing, char **out, struct err *e)
{
	PGresult *r = pg_query(c, sql, doing, e);
	if (!r)
		return -1;
	if (PQntuples(r) < 1 || PQnfields(r) < 1) {
		PQclear(r);
		return err_set(e, "cannot %s: the query returned no rows", doing);
	}
	*out = arena_strdup(a, PQgetisnull(r, 0, 0) ? "" : PQgetvalue(r, 0, 0));
	PQclear(r);
	return 0;
}

static char *quote_ident(struct arena *a, PGconn *c, const char *s)
{
	char *q = PQescapeIdentifier(c, s, strlen(s));
	if (!q)
		bw_oom();
	char *r = arena_strdup(a, q);
	PQfreemem(q);
	return r;
}

static char *quote_literal(struct arena *a, PGconn *c, const char *s)
{
	char *q = PQescapeLiteral(c, s, strlen(s));
	if (!q)
		bw_oom();
	char *r = arena_strdup(a, q);
	PQfreemem(q);
	return r;
}

/* schema.table, both quoted */
static char *qualified(struct arena *a, PGconn *c, const char *schema, const char *name)
{
	return arena_printf(a, "%s.%s", quote_ident(a, c, schema), quote_ident(a, c, name));
}

/* The connection string without its password, plus "PGPASSWORD=..." for a child's environment. */
static int split_password(struct arena *a, const char *conninfo, char **nopass, char **pwenv, struct err *e)
{
	char *msg = NULL;
	PQconninfoOption *opts = PQconninfoParse(conninfo, &msg);
	if (!opts) {
		err_set(e, "cannot parse the connection string: %s", msg ? one_line(a, msg) : "out of memory");
		if (msg)
			PQfreemem(msg);
		return -1;
	}
	struct buf b;
	buf_init(&b, 0);
	*pwenv = NULL;
	for (PQconninfoOption *o = opts; o->keyword; o++) {
		if (!o->val)
			continue;
		if (strcmp(o->keyword, "password") == 0) {
			*pwenv = arena_printf(a, "PGPASSWORD=%s", o->val);
			continue;
		}
		if (b.n)
			buf_addc(&b, ' ');
		buf_printf(&b, "%s='", o->keyword);
		for (const char *p = o->val; *p; p++) {
			if (*p == '\'' || *p == '\\')
				buf_addc(&b, '\\');
			buf_addc(&b, *p);
		}
		buf_addc(&b, '\'');
	}
	PQconninfoFree(opts);
	*nopass = arena_strndup(a, b.p ? b.p : "", b.n);
	buf_release(&b);
	return 0;
}

/* Removes, in place, the lines of a schema script that drop() says to drop. */
static void drop_lines(struct buf *b, bool (*drop)(struct str line))
{
	size_t w = 0, i = 0;
	while (i < b->n) {
		size_t j = i;
		while (j < b->n && b->p[j] != '\n')
			j++;
		size_t len = j - i + (j < b->n ? 1 : 0);
		if (!drop(str_make(b->p + i, j - i))) {
			memmove(b->p + w, b->p + i, len);
			w += len;
		}
		i += len;
	}
	b->n = w;
	if (b->p)
		b->p[w] = '\0';
}

/* psql's \restrict / \unrestrict lines (pg_dump 15.14+): they are meta-commands, not SQL. */
static bool is_meta_line(struct str line)
{
	return str_starts(line, "\\restrict") || str_starts(line, "\\unrestrict");
}

/* --no-owner: ownership and privilege statements, each of which pg_dump writes on one line. */
static bool is_owner_line(struct str line)
{
	return (str_starts(line, "ALTER ") && str_find(line, " OWNER TO ") >= 0 && str_ends(line, ";")) ||
	       str_starts(line, "GRANT ") || str_starts(line, "REVOKE ") || str_starts(line, "ALTER DEFAULT PRIVILEGES ");
}

/* ---- backup ---- */

struct table {
	const char *schema, *name, *qname;
	const char *collist;  /* "(a, b)" or "" when the table has no columns */
	json_t *columns;      /* borrowed from the table query's JSON */
	bool binary;          /* COPY binary: every column is a built-in type with binary I/O (see TABLES_SQL) */
	uint64_t blocks, bytes_on_disk;
	int nparts;
};

struct unit {
	size_t table;
	int part;
	int64_t lo, hi;       /* block range; -1: unbounded (whole table when both are -1) */
	uint64_t weight;      /* estimated bytes, for scheduling biggest first */
	const char *stream;
	/* results */
	uint64_t rows, bytes, chunks, new_chunks, stored_bytes;
	char checksum[65];   /* the stream's checksum as the manifest records it */
};

struct pool {
	pthread_mutex_t mu;
	size_t next, nunits;
	struct unit **order;  /* units in the order to hand out */
	bool failed;
	struct err err;
	/* progress */
	uint64_t rows_done, bytes_done;
	size_t units_done;
	bool progress;
	double t0;
};

static bool pool_take(struct pool *p, struct unit **u)
{
	bool ok = false;
	pthread_mutex_lock(&p->mu);
	if (!p->failed && p->next < p->nunits) {
		*u = p->order[p->next++];
		ok = true;
	}
	pthread_mutex_unlock(&p->mu);
	return ok;
}

static void pool_fail(struct pool *p, const struct err *e)
{
	pthread_mutex_lock(&p->mu);
	if (!p->failed) {
		p->failed = true;
		p->err = *e;
	}
	pthread_mutex_unlock(&p->mu);
}

static void pool_done(struct pool *p, uint64_t rows, uint64_t bytes, const char *verb)
{
	pthread_mutex_lock(&p->mu);
	p->rows_done += rows;
	p->bytes_done += bytes;
	p->units_done++;
	if (p->progress)
		fprintf(stderr, "\r%s: %zu/%zu parts, %" PRIu64 " rows, %.1f MB, %.1f s ", verb, p->units_done, p->nunits,
			p->rows_done, (double)p->bytes_done / 1e6, db_now() - p->t0);
	pthread_mutex_unlock(&p->mu);
}

static void pool_progress_end(struct pool *p)
{
	if (p->progress && p->units_done)
		fputc('\n', stderr);
}

struct bk {
	struct arena *a;
	struct snap_writer *w;
	struct pool pool;
	struct table *tables;
	const char *conninfo;
	const char *snapshot;
	int server_version;
};

struct bk_worker {
	struct bk *bk;
	PGconn *conn;
	struct arena *a;      /* per-thread: arenas are not shared between threads */
	pthread_t th;
};

/*
 * The backup's sessions. An empty search_path (as pg_dump's) makes every
 * name the server prints qualified: text COPY of regclass, regtype... and
 * pg_get_indexdef, which the restore runs with an empty search_path too.
 */
static int session_setup(PGconn *c, struct err *e)
{
	return pg_exec_cmd(c,
			   "SET statement_timeout = 0; SET lock_timeout = 0; SET idle_in_transaction_session_timeout = 0;"
			   " SET extra_float_digits = 3; SET DateStyle = ISO; SET IntervalStyle = postgres;"
			   " SELECT pg_catalog.set_config('search_path', '', false);"
			   " SELECT set_config('client_encoding', pg_encoding_to_char(encoding), false) FROM pg_database WHERE datname = current_database()",
			   "set up the session", e);
}

static int dump_unit(struct bk_worker *wk, struct unit *u, struct err *e)
{
	struct bk *bk = wk->bk;
	struct table *t = &bk->tables[u->table];
	struct arena *a = wk->a;
	char *sql;
	const char *fmt = t->binary ? " (FORMAT binary)" : "";
	if (u->lo < 0 && u->hi < 0) {
		sql = arena_printf(a, "COPY %s %s TO STDOUT%s", t->qname, t->collist, fmt);
	} else {
		const char *cols = "*";
		if (*t->collist) {
			/* "(a, b)" -> "a, b" */
			cols = arena_strndup(a, t->collist + 1, strlen(t->collist) - 2);
		}
		char *where = u->hi >= 0 ? arena_printf(a, "ctid >= '(%" PRId64 ",0)'::tid AND ctid < '(%" PRId64 ",0)'::tid", u->lo, u->hi)
					 : arena_printf(a, "ctid >= '(%" PRId64 ",0)'::tid", u->lo);
		sql = arena_printf(a, "COPY (SELECT %s FROM ONLY %s WHERE %s) TO STDOUT%s", cols, t->qname, where, fmt);
	}
	const char *doing = arena_printf(a, "read table %s.%s", t->schema, t->name);
	struct stream_writer *sw;
	if (snap_stream_open(bk->w, u->stream, &sw, e) < 0)
		return err_wrap(e, "cannot store %s.%s", t->schema, t->name);
	PGresult *r = PQexec(wk->conn, sql);
	if (!r || PQresultStatus(r) != PGRES_COPY_OUT) {
		result_error(r, wk->conn, doing, e);
		PQclear(r);
		struct stream_info ignore;
		struct err e2;
		err_init(&e2);
		stream_close(sw, &ignore, &e2);
		return -1;
	}
	PQclear(r);
	int rc = 0;
	for (;;) {
		/* each message is a row (text) or a row, the header or the trailer (binary): the rows are counted by the server */
		char *row = NULL;
		int n = PQgetCopyData(wk->conn, &row, 0);
		if (n == -1)
			break;
		if (n == -2) {
			rc = conn_error(wk->conn, doing, e);
			break;
		}
		int wrc = stream_write(sw, row, (size_t)n, e);
		PQfreemem(row);
		if (wrc < 0) {
			rc = err_wrap(e, "cannot store %s.%s", t->schema, t->name);
			break;
		}
	}
	uint64_t rows = 0;
	if (rc == 0) {
		r = PQgetResult(wk->conn);
		if (!r || PQresultStatus(r) != PGRES_COMMAND_OK)
			rc = result_error(r, wk->conn, doing, e);
		else
			rows = strtoull(PQcmdTuples(r), NULL, 10);
		PQclear(r);
		/* drain: PQgetResult returns NULL once the command is finished */
		while ((r = PQgetResult(wk->conn)))
			PQclear(r);
	}
	struct stream_info info;
	if (rc < 0) {
		struct err e2;
		err_init(&e2);
		stream_close(sw, &info, &e2);
		return -1;
	}
	if (stream_close(sw, &info, e) < 0)
		return err_wrap(e, "cannot store %s.%s", t->schema, t->name);
	u->rows = rows;
	u->bytes = info.bytes;
	u->chunks = info.chunks;
	u->new_chunks = info.new_chunks;
	u->stored_bytes = info.stored_bytes;
	memcpy(u->checksum, info.checksum, sizeof(u->checksum));
	pool_done(&bk->pool, rows, info.bytes, "backup");
	/* tests stretch a backup out to interrupt it at many points */
	const char *delay = getenv("BLASTWALL_TEST_PART_DELAY_MS");
	if (delay && strtoul(delay, NULL, 10) > 0)
		usleep((useconds_t)strtoul(delay, NULL, 10) * 1000);
	return 0;
}

static void *bk_thread(void *arg)
{
	struct bk_worker *wk = arg;
	struct unit *u;
	struct err e;
	err_init(&e);
	while (pool_take(&wk->bk->pool, &u)) {
		if (dump_unit(wk, u, &e) < 0) {
			pool_fail(&wk->bk->pool, &e);
			break;
		}
		arena_reset(wk->a);
	}
	return NULL;
}

static int stream_sink(void *ctx, const void *p, size_t n, struct err *e)
{
	return stream_write(ctx, p, n, e);
}

static int buf_sink(void *ctx, const void *p, size_t n, struct err *e)
{
	if (buf_add(ctx, p, n) < 0)
		return err_set(e, "the schema is larger than %zu MB", SCHEMA_MAX >> 20);
	return 0;
}

/*
 * The schema: ONE pg_dump run (custom format, schema only, under the
 * exported snapshot) reads the catalogs once; the three scripts the restore
 * reads are then cut from that archive by pg_restore, which needs no
 * connection: pre-data, post-data, and the DROP part of --clean --if-exists.
 * pg_dump used to run three times, each one connecting and reading every
 * catalog again. The archive lives in an anonymous memory file (memfd): it
 * is bounded by SCHEMA_MAX, never touches a disk, and nothing is left
 * behind when the process is killed. pg_restore reaches it through
 * /proc/self/fd/N (its own fd table: the child inherits a dup of the fd).
 */
struct schema_job {
	struct bk *bk;
	const char *pg_dump, *pg_restore; /* from one bin directory: pg_restore must read what this pg_dump writes */
	const char *nopass, *pwenv;
	struct err err;
	int rc;
	uint64_t bytes, chunks, new_chunks, stored_bytes;
};

struct archive_out {
	int fd;
	size_t n;
};

/* pg_dump's stdout into the memory file, refusing more than SCHEMA_MAX bytes. */
static int archive_sink(void *ctx, const void *p, size_t n, struct err *e)
{
	struct archive_out *ao = ctx;
	if (n > SCHEMA_MAX - ao->n)
		return err_set(e, "the schema archive is larger than %zu MB", SCHEMA_MAX >> 20);
	const char *s = p;
	while (n > 0) {
		ssize_t w = write(ao->fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return err_errno(e, "cannot keep the schema archive in memory");
		s += w;
		n -= (size_t)w;
		ao->n += (size_t)w;
	}
	return 0;
}

/* Runs pg_dump once: the whole schema as a custom-format archive, written to fd. */
static int run_pg_dump(struct schema_job *j, int fd, struct err *e)
{
	struct arena *a = j->bk->a;
	const char *argv[] = { j->pg_dump, "--format=custom", "--schema-only", "--no-password",
			       arena_printf(a, "--snapshot=%s", j->bk->snapshot),
			       arena_printf(a, "--dbname=%s", j->nopass), NULL };
	const char *env[] = { j->pwenv, NULL };
	struct buf errbuf;
	buf_init(&errbuf, 0);
	struct archive_out ao = { .fd = fd };
	struct proc_opts po = { .argv = argv, .env = j->pwenv ? env : NULL, .errout = &errbuf, .sink = archive_sink,
				.ctx = &ao };
	int rc = proc_run(&po, e);
	buf_release(&errbuf);
	if (rc < 0)
		return err_wrap(e, "cannot dump the schema");
	if (ao.n == 0)
		return err_set(e, "cannot dump the schema: '%s' wrote nothing", j->pg_dump);
	return 0;
}

/*
 * Writes one script of the archive (pre-data, post-data, or drop) into a
 * stream. For the DROP script pg_restore --clean writes every DROP first,
 * then the objects, each opened by a "-- Name:" header: only the part before
 * the first header is kept.
 */
static int run_pg_restore(struct schema_job *j, int fd, const char *what, const char *stream, struct err *e)
{
	struct arena *a = j->bk->a;
	bool drop = strcmp(what, "drop") == 0;
	/*
	 * A dup without close-on-exec: only the pg_restore child inherits the
	 * archive. At 3 or above: the child's stdin, stdout and stderr are replaced.
	 */
	int cfd = fcntl(fd, F_DUPFD, 3);
	if (cfd < 0)
		return err_errno(e, "cannot hand the schema archive to '%s'", j->pg_restore);
	const char *argv[8];
	int n = 0;
	argv[n++] = j->pg_restore;
	if (drop) {
		argv[n++] = "--clean";
		argv[n++] = "--if-exists";
	} else {
		argv[n++] = arena_printf(a, "--section=%s", what);
	}
	/* stdout by name: "-" means stdout only to pg_restore 12 and later, older ones would create a file "-" */
	argv[n++] = "--file=/proc/self/fd/1";
	argv[n++] = arena_printf(a, "/proc/self/fd/%d", cfd);
	argv[n] = NULL;
	struct buf errbuf, out;
	buf_init(&errbuf, 0);
	buf_init(&out, SCHEMA_MAX);
	struct stream_writer *sw;
	if (snap_stream_open(j->bk->w, stream, &sw, e) < 0) {
		close(cfd);
		buf_release(&errbuf);
		buf_release(&out);
		return -1;
	}
	struct proc_opts po = { .argv = argv, .errout = &errbuf };
	if (drop) {
		po.sink = buf_sink;
		po.ctx = &out;
	} else {
		po.sink = stream_sink;
		po.ctx = sw;
	}
	int rc = proc_run(&po, e);
	close(cfd);
	if (rc < 0)
		err_wrap(e, "cannot extract the schema (%s) from pg_dump's archive", what);
	if (rc == 0 && drop) {
		long cut = str_find(buf_str(&out), "\n--\n-- Name: ");
		size_t keep = cut < 0 ? out.n : (size_t)cut + 1;
		rc = stream_write(sw, out.p ? out.p : "", keep, e);
	}
	struct stream_info info;
	if (rc < 0) {
		struct err e2;
		err_init(&e2);
		stream_close(sw, &info, &e2);
	} else {
		rc = stream_close(sw, &info, e);
		j->bytes += info.bytes;
		j->chunks += info.chunks;
		j->new_chunks += info.new_chunks;
		j->stored_bytes += info.stored_bytes;
	}
	buf_release(&errbuf);
	buf_release(&out);
	return rc;
}

static void *schema_thread(void *arg)
{
	struct schema_job *j = arg;
	int fd = memfd_create("blastwall-schema", MFD_CLOEXEC);
	if (fd < 0) {
		j->rc = err_errno(&j->err, "cannot create a memory file for the schema archive");
		return NULL;
	}
	if (access(arena_printf(j->bk->a, "/proc/self/fd/%d", fd), F_OK) < 0) {
		j->rc = err_errno(&j->err, "cannot hand the schema archive to pg_restore through /proc/self/fd");
		err_hint(&j->err, "mount /proc (mount -t proc proc /proc): pg_restore reads pg_dump's archive through it");
		close(fd);
		return NULL;
	}
	j->rc = run_pg_dump(j, fd, &j->err);
	if (j->rc == 0)
		j->rc = run_pg_restore(j, fd, "pre-data", "schema/pre-data.sql", &j->err);
	if (j->rc == 0)
		j->rc = run_pg_restore(j, fd, "post-data", "schema/post-data.sql", &j->err);
	if (j->rc == 0)
		j->rc = run_pg_restore(j, fd, "drop", "schema/drop.sql", &j->err);
	close(fd);
	return NULL;
}

static int cmp_units(const void *x, const void *y)
{
	const struct unit *a = *(const struct unit *const *)x, *b = *(const struct unit *const *)y;
	if (a->weight != b->weight)
		return a->weight > b->weight ? -1 : 1;
	if (a->table != b->table)
		return a->table < b->table ? -1 : 1;
	return a->part - b->part;
}

/*
 * binary_ok: a table is copied in binary when every column's type (and an
 * array's element type) is built in (OID below FirstNormalObjectId, 16384:
 * the same OIDs in every database, which binary arrays carry), has binary
 * send and receive functions, and is not an OID alias (regclass, regtype...:
 * their binary form is the OID, which names another object, or none, in the
 * target database; their text form is the name).
 */
#define TABLES_SQL \
	"SELECT n.nspname, c.relname, pg_relation_size(c.oid) AS bytes, " \
	" pg_relation_size(c.oid) / current_setting('block_size')::int AS blocks, " \
	" (SELECT coalesce(json_agg(a.attname ORDER BY a.attnum), '[]') FROM pg_attribute a " \
	"   WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped %s) AS cols, " \
	" (SELECT coalesce(bool_and(t.oid < 16384 AND t.typsend::oid <> 0 AND t.typreceive::oid <> 0 " \
	"     AND t.typname !~ '^_?reg' " \
	"     AND (t.typelem = 0 OR EXISTS (SELECT 1 FROM pg_type el WHERE el.oid = t.typelem AND el.oid < 16384 " \
	"       AND el.typsend::oid <> 0 AND el.typreceive::oid <> 0 AND el.typname !~ '^reg'))), true) " \
	"   FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid " \
	"   WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped %s) AS binary_ok " \
	"FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace " \
	"WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') " \
	" AND n.nspname !~ '^pg_toast' AND n.nspname !~ '^pg_temp' AND c.relpersistence <> 't' " \
	" AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid " \
	"   AND d.deptype = 'e') " \
	"ORDER BY n.nspname, c.relname"

static const char *SEQS_SQL =
	"SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
	"WHERE c.relkind = 'S' AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
	" AND n.nspname !~ '^pg_toast' AND n.nspname !~ '^pg_temp' "
	" AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid "
	"   AND d.deptype = 'e') "
	"ORDER BY 1, 2";

static char *hex_sha256_of(const char *s, size_t n, char out[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)s, n);
	sodium_bin2hex(out, 65, h, sizeof(h));
	return out;
}

static void close_conns(struct bk_worker *w, int n)
{
	for (int i = 0; i < n; i++) {
		if (w[i].conn)
			PQfinish(w[i].conn);
		w[i].conn = NULL;
		arena_free(w[i].a);
		w[i].a = NULL;
	}
}

int pg_backup(struct arena *a, struct repo *r, const struct pg_backup_opts *o, struct backup_summary *out,
	      struct err *e)
{
	memset(out, 0, sizeof(*out));
	double t0 = db_now();
	time_t started = time(NULL);
	int jobs = o->jobs < 1 ? 1 : o->jobs;
	const char *src = o->redacted;
	PGconn *leader;
	if (pg_connect(a, o->conninfo, "connect to the database", &leader, e) < 0)
		return -1;
	struct bk_worker *wk = arena_new_array(a, struct bk_worker, (size_t)jobs);
	wk[0].conn = leader;
	wk[0].a = arena_new();
	int ver = PQserverVersion(leader);
	int rc = -1;
	PGresult *res = NULL;
	struct bk bk = { .a = a, .conninfo = o->conninfo, .server_version = ver };
	json_t *meta = json_object();
	char *snapshot, *dbname, *encoding, *verstr;
	if (session_setup(leader, e) < 0 ||
	    pg_exec_cmd(leader, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", "start the snapshot transaction", e) < 0 ||
	    pg_query_value(a, leader, "SELECT pg_export_snapshot()", "export the snapshot", &snapshot, e) < 0 ||
	    pg_query_value(a, leader, "SELECT current_database()", "read the database name", &dbname, e) < 0 ||
	    pg_query_value(a, leader, "SELECT pg_encoding_to_char(encoding) FROM pg_database WHERE datname = current_database()",
			   "read the database encoding", &encoding, e) < 0 ||
	    pg_query_value(a, leader, "SHOW server_version", "read the server version", &verstr, e) < 0)
		goto out;
	bk.snapshot = snapshot;

	/* tables */
	const char *not_generated = ver >= 120000 ? "AND a.attgenerated = ''" : "";
	res = pg_query(leader, arena_printf(a, TABLES_SQL, not_generated, not_generated),
		       "list the tables", e);
	if (!res)
		goto out;
	size_t ntables = (size_t)PQntuples(res);
	bk.tables = arena_new_array(a, struct table, ntables + 1);
	json_t *jtables = json_array();
	json_object_set_new(meta, "tables", jtables);
	uint64_t total_blocks = 0;
	for (size_t i = 0; i < ntables; i++) {
		struct table *t = &bk.tables[i];
		t->schema = arena_strdup(a, PQgetvalue(res, (int)i, 0));
		t->name = arena_strdup(a, PQgetvalue(res, (int)i, 1));
		t->bytes_on_disk = strtoull(PQgetvalue(res, (int)i, 2), NULL, 10);
		t->blocks = strtoull(PQgetvalue(res, (int)i, 3), NULL, 10);
		t->qname = qualified(a, leader, t->schema, t->name);
		t->binary = strcmp(PQgetvalue(res, (int)i, 5), "t") == 0;
		json_error_t je;
		t->columns = json_loads(PQgetvalue(res, (int)i, 4), 0, &je);
		if (!t->columns || !json_is_array(t->columns)) {
			json_decref(t->columns);
			t->columns = json_array();
		}
		struct buf cl;
		buf_init(&cl, 0);
		size_t k;
		json_t *col;
		json_array_foreach(t->columns, k, col) {
			buf_addz(&cl, k ? ", " : "(");
			buf_addz(&cl, quote_ident(a, leader, json_string_value(col)));
		}
		if (cl.n)
			buf_addc(&cl, ')');
		t->collist = arena_strndup(a, cl.p ? cl.p : "", cl.n);
		buf_release(&cl);
		total_blocks += t->blocks;
	}
	PQclear(res);
	res = NULL;

	/* Hold every table against DDL until the snapshot is fully read, as pg_dump does. */
	for (size_t i = 0; i < ntables;) {
		struct buf sql;
		buf_init(&sql, 0);
		buf_addz(&sql, "LOCK TABLE ");
		size_t first = i;
		for (; i < ntables && i - first < 500; i++)
			buf_printf(&sql, "%s%s", i > first ? ", " : "", bk.tables[i].qname);
		buf_addz(&sql, " IN ACCESS SHARE MODE");
		int lrc = pg_exec_cmd(leader, sql.p, "lock the tables for reading", e);
		buf_release(&sql);
		if (lrc < 0)
			goto out;
	}

	/* sequences: their values are data, pg_dump --schema-only leaves them out */
	json_t *jseqs = json_array();
	json_object_set_new(meta, "sequences", jseqs);
	res = pg_query(leader, SEQS_SQL, "list the sequences", e);
	if (!res)
		goto out;
	for (int i = 0; i < PQntuples(res); i++) {
		const char *s = PQgetvalue(res, i, 0), *n = PQgetvalue(res, i, 1);
		char *q = arena_printf(a, "SELECT last_value, is_called FROM %s", qualified(a, leader, s, n));
		PGresult *sr = pg_query(leader, q, arena_printf(a, "read sequence %s.%s", s, n), e);
		if (!sr)
			goto out;
		json_array_append_new(jseqs, json_pack("{s:s, s:s, s:s, s:b}", "schema", s, "name", n, "last_value",
						       PQgetvalue(sr, 0, 0), "is_called",
						       strcmp(PQgetvalue(sr, 0, 1), "t") == 0));
		PQclear(sr);
	}
	PQclear(res);
	res = NULL;

	/* materialized views: their contents are data (pg_dump's REFRESH entries), so restore refreshes them */
	json_t *jmv = json_array();
	json_object_set_new(meta, "matviews", jmv);
	res = pg_query(leader,
		       "SELECT schemaname, matviewname FROM pg_matviews WHERE ispopulated "
		       "AND schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2",
		       "list the materialized views", e);
	if (!res)
		goto out;
	for (int i = 0; i < PQntuples(res); i++)
		json_array_append_new(jmv, json_pack("{s:s, s:s}", "schema", PQgetvalue(res, i, 0), "name", PQgetvalue(res, i, 1)));
	PQclear(res);
	res = NULL;

	/*
	 * The index behind each primary key and unique constraint, as CREATE
	 * INDEX text, so that a restore can build it with CREATE UNIQUE INDEX
	 * (SHARE lock: in parallel with the table's other indexes) and attach it
	 * with ADD CONSTRAINT ... USING INDEX, where pg_dump's ADD CONSTRAINT
	 * takes an exclusive lock for the whole build. The session's empty
	 * search_path makes every name in the text qualified.
	 */
	json_t *jci = json_array();
	json_object_set_new(meta, "constraint_indexes", jci);
	res = pg_query(leader,
		       arena_printf(a,
				    "SELECT n.nspname, c.relname, con.conname, con.contype, "
				    " pg_catalog.pg_get_indexdef(con.conindid) "
				    "FROM pg_catalog.pg_constraint con JOIN pg_catalog.pg_class c ON c.oid = con.conrelid "
				    "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
				    "WHERE con.contype IN ('p', 'u') AND NOT con.condeferrable AND c.relkind = 'r' %s"
				    " AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_toast' "
				    " AND n.nspname !~ '^pg_temp' ORDER BY 1, 2, 3",
				    ver >= 100000 ? "AND NOT c.relispartition" : ""),
		       "list the constraint indexes", e);
	if (!res)
		goto out;
	for (int i = 0; i < PQntuples(res); i++)
		json_array_append_new(jci, json_pack("{s:s, s:s, s:s, s:s, s:s}", "schema", PQgetvalue(res, i, 0), "table",
						     PQgetvalue(res, i, 1), "name", PQgetvalue(res, i, 2), "type",
						     strcmp(PQgetvalue(res, i, 3), "p") == 0 ? "primary key" : "unique",
						     "index", PQgetvalue(res, i, 4)));
	PQclear(res);
	res = NULL;

	/* roles, so a throwaway target can create the owners the schema names */
	json_t *jroles = json_array();
	json_object_set_new(meta, "roles", jroles);
	res = pg_query(leader, "SELECT rolname FROM pg_roles WHERE rolname !~ '^pg_' ORDER BY 1", "list the roles", e);
	if (!res)
		goto out;
	for (int i = 0; i < PQntuples(res); i++)
		json_array_append_new(jroles, json_string(PQgetvalue(res, i, 0)));
	PQclear(res);
	res = NULL;
	char *nlo = NULL;
	if (pg_query_value(a, leader, "SELECT count(*) FROM pg_largeobject_metadata", "count large objects", &nlo, e) < 0)
		goto out;
	if (strcmp(nlo, "0") != 0)
		bw_warn("the database has %s large objects; blastwall does not back them up (their table pg_largeobject is not "
			"copied)", nlo);

	/* work units: tables cut into block ranges of similar size */
	uint64_t part_blocks = total_blocks / ((uint64_t)jobs * 4);
	if (part_blocks < 2048)
		part_blocks = 2048;      /* 16 MiB: smaller parts cost more than they spread */
	if (part_blocks > 16384)
		part_blocks = 16384;     /* 128 MiB */
	/* tests make small tables split too */
	const char *tpb = getenv("BLASTWALL_TEST_PART_BLOCKS");
	if (tpb && strtoull(tpb, NULL, 10) > 0)
		part_blocks = strtoull(tpb, NULL, 10);
	bool can_split = ver >= 140000; /* TID range scans; older servers would scan the table per range */
	size_t nunits = 0, cap = ntables + 16;
	struct unit *units = arena_new_array(a, struct unit, cap);
	for (size_t i = 0; i < ntables; i++) {
		struct table *t = &bk.tables[i];
		int parts = 1;
		if (can_split && t->blocks > part_blocks + part_blocks / 2)
			parts = (int)((t->blocks + part_blocks - 1) / part_blocks);
		t->nparts = parts;
		for (int p = 0; p < parts; p++) {
			if (nunits == cap) {
				units = arena_grow(a, units, nunits, cap * 2, sizeof(*units));
				cap *= 2;
			}
			struct unit *u = &units[nunits++];
			u->table = i;
			u->part = p;
			if (parts == 1) {
				u->lo = u->hi = -1;
				u->weight = t->bytes_on_disk;
			} else {
				u->lo = (int64_t)(p * part_blocks);
				u->hi = p == parts - 1 ? -1 : (int64_t)((p + 1) * part_blocks);
				u->weight = part_blocks * 8192;
			}
			u->stream = arena_printf(a, "data/%s.%s/%d", t->schema, t->name, p);
		}
	}
	bk.pool.nunits = nunits;
	bk.pool.order = arena_new_array(a, struct unit *, nunits + 1);
	for (size_t i = 0; i < nunits; i++)
		bk.pool.order[i] = &units[i];
	qsort(bk.pool.order, nunits, sizeof(*bk.pool.order), cmp_units);
	pthread_mutex_init(&bk.pool.mu, NULL);
	bk.pool.progress = o->progress;
	bk.pool.t0 = t0;

	/* the other workers join the snapshot */
	if ((size_t)jobs > nunits)
		jobs = nunits ? (int)nunits : 1;
	for (int i = 1; i < jobs; i++) {
		wk[i].a = arena_new();
		if (pg_connect(a, o->conninfo, arena_printf(a, "open worker connection %d to '%s'", i, src), &wk[i].conn, e) < 0 ||
		    session_setup(wk[i].conn, e) < 0 ||
		    pg_exec_cmd(wk[i].conn, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", "start a worker transaction", e) < 0 ||
		    pg_exec_cmd(wk[i].conn, arena_printf(a, "SET TRANSACTION SNAPSHOT %s", quote_literal(a, leader, snapshot)),
				"import the snapshot", e) < 0) {
			close_conns(wk + 1, i);
			goto out;
		}
	}

	/* pg_dump needs a password in its environment, not on its command line */
	struct schema_job sj = { .bk = &bk };
	err_init(&sj.err);
	if (split_password(a, o->conninfo, (char **)&sj.nopass, (char **)&sj.pwenv, e) < 0 ||
	    pg_find_bindir(a, "pg_dump", ver / 10000, &sj.pg_dump, e) < 0) {
		close_conns(wk + 1, jobs - 1);
		goto out;
	}
	const char *bindir = sj.pg_dump;
	sj.pg_dump = path_join(a, bindir, "pg_dump");
	sj.pg_restore = path_join(a, bindir, "pg_restore");
	if (access(sj.pg_restore, X_OK) < 0) {
		err_errno(e, "cannot use '%s', the pg_restore next to pg_dump", sj.pg_restore);
		err_hint(e, "pg_dump and pg_restore come together (postgresql-client-N): install it in full, "
			 "or point BLASTWALL_PG_BINDIR at a bin directory that has both");
		close_conns(wk + 1, jobs - 1);
		goto out;
	}

	if (snap_begin(r, &bk.w, e) < 0) {
		close_conns(wk + 1, jobs - 1);
		goto out;
	}
	pthread_t sth;
	bool sth_started = pthread_create(&sth, NULL, schema_thread, &sj) == 0;
	if (!sth_started)
		schema_thread(&sj);
	for (int i = 0; i < jobs; i++) {
		wk[i].bk = &bk;
		if (i > 0 && pthread_create(&wk[i].th, NULL, bk_thread, &wk[i]) != 0) {
			/* run it inline after the others: slower, still correct */
			wk[i].th = 0;
		}
	}
	bk_thread(&wk[0]);
	for (int i = 1; i < jobs; i++) {
		if (wk[i].th)
			pthread_join(wk[i].th, NULL);
		else
			bk_thread(&wk[i]);
	}
	if (sth_started)
		pthread_join(sth, NULL);
	pool_progress_end(&bk.pool);
	close_conns(wk + 1, jobs - 1);
	if (bk.pool.failed || sj.rc < 0) {
		*e = bk.pool.failed ? bk.pool.err : sj.err;
		snap_abort(bk.w);
		goto out;
	}

	/* meta */
	for (size_t i = 0; i < ntables; i++) {
		struct table *t = &bk.tables[i];
		json_t *parts = json_array();
		uint64_t rows = 0, bytes = 0;
		struct buf sums;
		buf_init(&sums, 0);
		for (size_t k = 0; k < nunits; k++) {
			struct unit *u = &units[k];
			if (u->table != i)
				continue;
			rows += u->rows;
			bytes += u->bytes;
			out->chunks += u->chunks;
			out->new_chunks += u->new_chunks;
			out->stored_bytes += u->stored_bytes;
			buf_addz(&sums, u->checksum);
			json_t *jp = json_pack("{s:s, s:I, s:I, s:s}", "stream", u->stream, "rows", (json_int_t)u->rows, "bytes",
					       (json_int_t)u->bytes, "checksum", u->checksum);
			if (u->lo >= 0 || u->hi >= 0) {
				json_object_set_new(jp, "first_block", json_integer(u->lo));
				if (u->hi >= 0)
					json_object_set_new(jp, "end_block", json_integer(u->hi));
			}
			json_array_append_new(parts, jp);
		}
		char sum[65];
		hex_sha256_of(sums.p ? sums.p : "", sums.n, sum);
		buf_release(&sums);
		json_array_append_new(jtables, json_pack("{s:s, s:s, s:O, s:I, s:I, s:s, s:o, s:s}", "schema", t->schema, "name",
							 t->name, "columns", t->columns, "rows", (json_int_t)rows, "bytes",
							 (json_int_t)bytes, "format", t->binary ? "copy-binary" : "copy-text", "parts", parts, "checksum", sum));
		out->rows += rows;
		out->bytes += bytes;
	}
	out->tables = ntables;
	out->chunks += sj.chunks;
	out->new_chunks += sj.new_chunks;
	out->stored_bytes += sj.stored_bytes;
	double secs = db_now() - t0;
	json_object_set_new(meta, "kind", json_string("postgres"));
	json_object_set_new(meta, "source", json_string(src));
	json_object_set_new(meta, "database", json_string(dbname));
	json_object_set_new(meta, "encoding", json_string(encoding));
	json_object_set_new(meta, "server_version", json_string(verstr));
	json_object_set_new(meta, "server_version_num", json_integer(ver));
	json_object_set_new(meta, "tool", json_string(arena_printf(a, "blastwall %s", bw_version)));
	json_object_set_new(meta, "started_at", json_integer((json_int_t)started));
	json_object_set_new(meta, "duration_seconds", json_real(secs));
	json_object_set_new(meta, "jobs", json_integer(jobs));
	json_object_set_new(meta, "snapshot_rows", json_integer((json_int_t)out->rows));
	json_object_set_new(meta, "schema", json_pack("{s:s, s:s, s:s}", "pre_data", "schema/pre-data.sql", "post_data",
						      "schema/post-data.sql", "drop", "schema/drop.sql"));
	json_object_set_new(meta, "large_objects", json_integer(strtoll(nlo, NULL, 10)));
	if (snap_commit(bk.w, meta, out->id, e) < 0)
		goto out;
	out->seconds = db_now() - t0;
	rc = 0;
out:
	if (bk.tables)
		for (size_t i = 0; bk.tables[i].schema; i++)
			json_decref(bk.tables[i].columns);
	PQclear(res);
	json_decref(meta);
	PQfinish(leader);
	arena_free(wk[0].a);
	if (bk.pool.nunits)
		pthread_mutex_destroy(&bk.pool.mu);
	return rc;
}

/* ---- restore ---- */

/*
 * The restore runs one pool of tasks over `jobs` connections: tables (one
 * COPY FROM STDIN each, fed with the table's parts in order, biggest table
 * first) and the indexes and constraints of post-data. An index task becomes
 * ready when its table is loaded, so index builds overlap with the loading
 * of other tables, as pg_restore does. Post-data entries whose table cannot
 * be told, and everything else (foreign keys, triggers...), run after the
 * pool.
 *
 * A table is loaded by one COPY, not by its parts in parallel: concurrent
 * COPYs into one table queue on its relation extension lock and interleave
 * its pages, which makes the later index builds sort unordered input (on the
 * bench, 40% slower loading and index builds than one COPY). One COPY also
 * allows FREEZE: the table was created by this restore, so it is truncated
 * in the loading transaction and its rows are written frozen, sparing the
 * index builds and the first reads the hint-bit writes of every page, and on
 * a server with wal_level=minimal (the throwaway ones) the WAL too.
 */
struct rs_table {
	const char *schema, *name;
	bool loaded;
};

struct rs_part {
	const char *stream;
	uint64_t bytes;
};

struct rs_task {
	bool is_sql;
	long table;            /* index into rs.tables; -1: unknown (runs after every table is loaded) */
	/* data */
	const char *qname, *collist, *label;
	struct rs_part *parts;
	size_t nparts;
	bool binary;           /* COPY binary: every part is a whole binary COPY file (header ... trailer) */
	uint64_t rows_expected, bytes, rows;
	/* sql */
	const char *sql;
	const char *sql2;      /* run after sql, in its own transaction (ADD CONSTRAINT ... USING INDEX) */
	bool is_constraint;
	bool taken;
};

struct rs {
	struct repo *r;
	const struct snapshot_info *s;
	struct pool pool;        /* mu, failed, err, progress */
	pthread_cond_t cv;
	struct rs_task *tasks;
	size_t ntasks, ndata, data_left, taken;
	struct rs_table *tables;
	size_t ntables;
};

struct rs_worker {
	struct rs *rs;
	PGconn *conn;
	struct arena *a;
	pthread_t th;
};

/*
 * Feeds one part's bytes [lo, hi) to the COPY. Binary parts are whole COPY
 * files; one COPY takes one header and one trailer, so a part after the first
 * loses its header (checked to be one) and a part before the last its
 * trailer.
 */
struct copy_sink {
	PGconn *conn;
	const char *label;
	uint64_t off, lo, hi;
	uint8_t head[BINARY_HEADER];
};

static const uint8_t binary_signature[11] = { 'P', 'G', 'C', 'O', 'P', 'Y', '\n', 0xff, '\r', '\n', 0 };

static int copy_sink(void *ctx, const void *p, size_t n, struct err *e)
{
	struct copy_sink *cs = ctx;
	const char *s = p;
	uint64_t start = cs->off, end = cs->off + n;
	cs->off = end;
	for (uint64_t i = start; i < end && i < BINARY_HEADER; i++)
		cs->head[i] = (uint8_t)s[i - start];
	if (cs->lo == BINARY_HEADER && start < BINARY_HEADER && end >= BINARY_HEADER &&
	    (memcmp(cs->head, binary_signature, sizeof(binary_signature)) != 0 ||
	     memcmp(cs->head + 15, "\0\0\0\0", 4) != 0))
		return err_set(e, "%s: a stored part does not start with a COPY binary header", cs->label);
	if (start < cs->lo) {
		uint64_t skip = (end < cs->lo ? end : cs->lo) - start;
		s += skip;
		n -= (size_t)skip;
		start += skip;
	}
	if (end > cs->hi)
		n -= (size_t)(end - (start > cs->hi ? start : cs->hi));
	/*
	 * CopyData messages of at most 64 KB, not one per chunk (up to megabytes):
	 * the server reads a whole message into one buffer and then copies it
	 * again into its COPY buffer, and a message that fits in the CPU's cache
	 * makes the second copy cheap (2-3% less server CPU on bench/backup);
	 * libpq's output buffer also stays small instead of growing to the
	 * largest chunk.
	 */
	enum { COPY_MESSAGE = 64 * 1024 };
	while (n) {
		int part = n > COPY_MESSAGE ? COPY_MESSAGE : (int)n;
		if (PQputCopyData(cs->conn, s, part) != 1)
			return conn_error(cs->conn, cs->label, e);
		s += part;
		n -= (size_t)part;
	}
	return 0;
}

/* Ends a COPY with an error so that none of its rows stay, and drains the results. */
static void copy_abort(PGconn *c, const char *why)
{
	PGresult *r;
	PQputCopyEnd(c, why);
	while ((r = PQgetResult(c)))
		PQclear(r);
}

static int load_table(struct rs_worker *wk, struct rs_task *u, struct err *e)
{
	struct arena *a = wk->a;
	const char *doing = arena_printf(a, "load %s", u->label);
	/*
	 * TRUNCATE in the loading transaction is what lets COPY FREEZE (see the
	 * comment above struct rs_table). The table is one this restore just
	 * created (the target was empty, or --clean dropped it); if the user may
	 * not truncate it, the plain load is just as correct.
	 */
	struct err te;
	err_init(&te);
	bool freeze = pg_exec_cmd(wk->conn, arena_printf(a, "BEGIN; TRUNCATE ONLY %s", u->qname), doing, &te) == 0;
	if (!freeze && pg_exec_cmd(wk->conn, "ROLLBACK", doing, e) < 0)
		return -1;
	const char *opts = u->binary ? (freeze ? " (FORMAT binary, FREEZE)" : " (FORMAT binary)") : freeze ? " (FREEZE)" : "";
	PGresult *r = PQexec(wk->conn, arena_printf(a, "COPY %s %s FROM STDIN%s", u->qname, u->collist, opts));
	if (!r || PQresultStatus(r) != PGRES_COPY_IN) {
		result_error(r, wk->conn, doing, e);
		PQclear(r);
		if (freeze)
			PQclear(PQexec(wk->conn, "ROLLBACK"));
		return -1;
	}
	PQclear(r);
	for (size_t i = 0; i < u->nparts; i++) {
		struct rs_part *pt = &u->parts[i];
		struct copy_sink cs = { .conn = wk->conn, .label = doing, .hi = pt->bytes };
		if (u->binary) {
			if (pt->bytes < BINARY_HEADER + 2) {
				copy_abort(wk->conn, "blastwall: a stored part is damaged");
				err_set(e, "cannot restore %s: part %zu holds %" PRIu64 " bytes, too few for COPY binary data",
					u->label, i, pt->bytes);
				goto fail;
			}
			if (i > 0)
				cs.lo = BINARY_HEADER;
			if (i + 1 < u->nparts)
				cs.hi = pt->bytes - 2;
		}
		if (snap_stream_read(wk->rs->r, wk->rs->s, pt->stream, copy_sink, &cs, e) < 0) {
			/* abort the COPY: none of this table's rows stay */
			err_wrap(e, "cannot restore %s", u->label);
			copy_abort(wk->conn, "blastwall: the stored data could not be read");
			goto fail;
		}
	}
	if (PQputCopyEnd(wk->conn, NULL) != 1) {
		conn_error(wk->conn, doing, e);
		goto fail;
	}
	r = PQgetResult(wk->conn);
	if (!r || PQresultStatus(r) != PGRES_COMMAND_OK) {
		result_error(r, wk->conn, doing, e);
		PQclear(r);
		while ((r = PQgetResult(wk->conn)))
			PQclear(r);
		goto fail;
	}
	u->rows = strtoull(PQcmdTuples(r), NULL, 10);
	PQclear(r);
	while ((r = PQgetResult(wk->conn)))
		PQclear(r);
	if (u->rows != u->rows_expected) {
		err_set(e, "%s: loaded %" PRIu64 " rows, the snapshot recorded %" PRIu64, u->label, u->rows,
			u->rows_expected);
		goto fail;
	}
	if (freeze && pg_exec_cmd(wk->conn, "COMMIT", doing, e) < 0)
		return -1;
	pool_done(&wk->rs->pool, u->rows, u->bytes, "restore");
	return 0;
fail:
	if (freeze)
		PQclear(PQexec(wk->conn, "ROLLBACK"));
	return -1;
}

/* Under rs->pool.mu: the next task this worker may run, or NULL. */
static struct rs_task *rs_pick(struct rs *rs)
{
	/* data first, biggest first (tasks[0..ndata) are sorted) */
	for (size_t i = 0; i < rs->ndata; i++)
		if (!rs->tasks[i].taken)
			return &rs->tasks[i];
	for (size_t i = rs->ndata; i < rs->ntasks; i++) {
		struct rs_task *t = &rs->tasks[i];
		if (t->taken)
			continue;
		bool ready = t->table >= 0 ? rs->tables[t->table].loaded : rs->data_left == 0;
		if (ready)
			return t;
	}
	return NULL;
}

static void *rs_thread(void *arg)
{
	struct rs_worker *wk = arg;
	struct rs *rs = wk->rs;
	struct err e;
	err_init(&e);
	for (;;) {
		pthread_mutex_lock(&rs->pool.mu);
		struct rs_task *t = NULL;
		while (!rs->pool.failed && rs->taken < rs->ntasks && !(t = rs_pick(rs)))
			pthread_cond_wait(&rs->cv, &rs->pool.mu);
		if (!t) {
			pthread_mutex_unlock(&rs->pool.mu);
			break;
		}
		t->taken = true;
		rs->taken++;
		pthread_mutex_unlock(&rs->pool.mu);
		int rc = t->is_sql ? pg_exec_cmd(wk->conn, t->sql, "create an index or constraint (post-data)", &e)
				   : load_table(wk, t, &e);
		if (rc == 0 && t->sql2)
			rc = pg_exec_cmd(wk->conn, t->sql2, "attach an index to its constraint (post-data)", &e);
		pthread_mutex_lock(&rs->pool.mu);
		if (rc < 0 && !rs->pool.failed) {
			rs->pool.failed = true;
			rs->pool.err = e;
		}
		if (!t->is_sql) {
			rs->data_left--;
			if (t->table >= 0)
				rs->tables[t->table].loaded = true;
		}
		pthread_cond_broadcast(&rs->cv);
		pthread_mutex_unlock(&rs->pool.mu);
		if (rc < 0)
			break;
		arena_reset(wk->a);
	}
	return NULL;
}

static int read_sink(void *ctx, const void *p, size_t n, struct err *e)
{
	if (buf_add(ctx, p, n) < 0)
		return err_set(e, "a schema stream is larger than %zu MB", SCHEMA_MAX >> 20);
	return 0;
}

static int read_stream(struct repo *r, const struct snapshot_info *s, const char *name, struct buf *b, struct err *e)
{
	buf_init(b, SCHEMA_MAX);
	if (!name)
		return err_set(e, "snapshot %.12s is damaged: a schema stream is missing from its metadata", s->id);
	if (snap_stream_read(r, s, name, read_sink, b, e) < 0) {
		buf_release(b);
		return -1;
	}
	if (!b->p)
		buf_addz(b, "");
	return 0;
}

/* Counts lines that start a statement we care about (for the --clean report). */
static int count_prefixed_lines(struct str s, const char *p1, const char *p2)
{
	int n = 0;
	size_t i = 0;
	while (i < s.n) {
		struct str line = str_sub(s, i, s.n - i);
		if (str_starts(line, p1) || str_starts(line, p2))
			n++;
		long nl = str_find(line, "\n");
		if (nl < 0)
			break;
		i += (size_t)nl + 1;
	}
	return n;
}

/* The first max DROP / ALTER TABLE lines of the --clean script, for the report. */
static const char *drop_summary(struct arena *a, struct str s, int max)
{
	struct buf b;
	buf_init(&b, 0);
	int n = 0, more = 0;
	size_t i = 0;
	while (i < s.n) {
		struct str line = str_sub(s, i, s.n - i);
		long nl = str_find(line, "\n");
		if (nl >= 0)
			line.n = (size_t)nl;
		if (str_starts(line, "DROP ") || str_starts(line, "ALTER TABLE ")) {
			if (n < max)
				buf_printf(&b, "  %.*s\n", STR_FMT(line));
			else
				more++;
			n++;
		}
		if (nl < 0)
			break;
		i += (size_t)nl + 1;
	}
	if (more)
		buf_printf(&b, "  ... and %d more\n", more);
	const char *r = arena_strndup(a, b.p ? b.p : "", b.n);
	buf_release(&b);
	return r;
}

/* Objects that make the target "not empty": tables, views, sequences, foreign tables in user schemas. */
static int check_empty(PGconn *c, struct err *e)
{
	PGresult *r = pg_query(c,
			       "SELECT count(*), string_agg(n.nspname || '.' || c.relname, ', ' ORDER BY n.nspname, c.relname) "
			       "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
			       "WHERE c.relkind IN ('r','p','v','m','S','f') AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
			       " AND n.nspname !~ '^pg_toast' AND n.nspname !~ '^pg_temp'",
			       "check that the target database is empty", e);
	if (!r)
		return -1;
	long n = strtol(PQgetvalue(r, 0, 0), NULL, 10);
	if (n > 0) {
		const char *names = PQgetvalue(r, 0, 1);
		err_set(e, "the target database is not empty: %ld tables, views or sequences (%.200s%s)", n, names,
			strlen(names) > 200 ? ", ..." : "");
		err_hint(e, "restore into an empty database, or pass --clean to drop the snapshot's objects first");
		PQclear(r);
		return -1;
	}
	PQclear(r);
	return 0;
}

/* Reads one identifier as pg_dump writes it (quoted with "" escapes, or bare). */
static const char *read_ident(struct arena *a, const char *p, char **out)
{
	struct buf b;
	buf_init(&b, 0);
	if (*p == '"') {
		p++;
		while (*p) {
			if (*p == '"') {
				if (p[1] != '"')
					break;
				p++;
			}
			buf_addc(&b, *p++);
		}
		if (*p == '"')
			p++;
	} else {
		while (*p && *p != '.' && *p != ' ' && *p != '\n' && *p != '(' && *p != ';')
			buf_addc(&b, *p++);
	}
	*out = arena_strndup(a, b.p ? b.p : "", b.n);
	buf_release(&b);
	return p;
}

/* The table an INDEX or CONSTRAINT entry works on: -1 when it cannot be told. */
static long entry_table(struct arena *a, struct rs *rs, struct str entry)
{
	const char *text = arena_strstr(a, entry);
	const char *p = NULL;
	const char *ci = strstr(text, "\nCREATE INDEX ");
	if (!ci)
		ci = strstr(text, "\nCREATE UNIQUE INDEX ");
	if (ci) {
		p = strstr(ci, " ON ");
		if (p) {
			p += 4;
			if (strncmp(p, "ONLY ", 5) == 0)
				p += 5;
		}
	} else if ((p = strstr(text, "\nALTER TABLE ONLY "))) {
		p += 18;
	} else if ((p = strstr(text, "\nALTER TABLE "))) {
		p += 13;
	}
	if (!p)
		return -1;
	char *schema, *name;
	p = read_ident(a, p, &schema);
	if (*p != '.')
		return -1;
	read_ident(a, p + 1, &name);
	for (size_t i = 0; i < rs->ntables; i++)
		if (strcmp(rs->tables[i].schema, schema) == 0 && strcmp(rs->tables[i].name, name) == 0)
			return (long)i;
	return -1;
}

/*
 * Splits post-data at pg_dump's "-- Name: ...; Type: T;" entry headers:
 * INDEX and CONSTRAINT entries become pool tasks, the rest goes to *rest in
 * order. *header (the SET statements before the first entry) is what every
 * connection must run first.
 */
static void split_post_data(struct arena *a, struct rs *rs, struct buf *b, const char **header, struct buf *rest)
{
	struct str s = buf_str(b);
	const char *marker = "\n--\n-- Name: ";
	long first = str_find(s, marker);
	*header = arena_strndup(a, s.p, first < 0 ? s.n : (size_t)first + 1);
	buf_init(rest, 0);
	buf_addz(rest, *header);
	if (first < 0)
		return;
	size_t pos = (size_t)first + 1;
	while (pos < s.n) {
		struct str tail = str_sub(s, pos + 1, s.n - pos - 1);
		long next = str_find(tail, marker);
		size_t end = next < 0 ? s.n : pos + 1 + (size_t)next + 1;
		struct str entry = str_sub(s, pos, end - pos);
		long ty = str_find(entry, "; Type: ");
		bool parallel = false;
		if (ty >= 0) {
			struct str t = str_sub(entry, (size_t)ty + 8, 32);
			parallel = str_starts(t, "INDEX;") || str_starts(t, "CONSTRAINT;");
		}
		if (parallel) {
			struct rs_task *t = &rs->tasks[rs->ntasks++];
			t->is_sql = true;
			t->sql = arena_strstr(a, entry);
			t->table = entry_table(a, rs, entry);
			t->is_constraint = str_find(entry, "; Type: CONSTRAINT;") >= 0;
		} else {
			buf_add(rest, entry.p, entry.n);
		}
		pos = end;
	}
}

/*
 * A primary key or unique constraint entry of post-data, turned into
 * CREATE UNIQUE INDEX (the backup's copy of the source's index definition)
 * plus ADD CONSTRAINT ... USING INDEX, so that the build takes a SHARE lock
 * and runs beside the table's other index builds. Entries that carry more
 * than the one ALTER TABLE (settings such as a tablespace) or options the
 * attach might not keep are left as pg_dump wrote them.
 */
static void use_constraint_index(struct arena *a, PGconn *c, const struct rs *rs, struct rs_task *t, json_t *cis)
{
	if (!t->is_constraint || t->table < 0 || strstr(t->sql, "\nSET ") || strstr(t->sql, "NULLS NOT DISTINCT"))
		return;
	const struct rs_table *tab = &rs->tables[t->table];
	size_t i;
	json_t *ci;
	json_array_foreach(cis, i, ci) {
		const char *sch = json_string_value(json_object_get(ci, "schema"));
		const char *table = json_string_value(json_object_get(ci, "table"));
		const char *name = json_string_value(json_object_get(ci, "name"));
		const char *type = json_string_value(json_object_get(ci, "type"));
		const char *index = json_string_value(json_object_get(ci, "index"));
		if (!sch || !table || !name || !type || !index || strcmp(sch, tab->schema) != 0 ||
		    strcmp(table, tab->name) != 0 || strncmp(index, "CREATE UNIQUE INDEX ", 20) != 0)
			continue;
		const char *kw = strcmp(type, "primary key") == 0 ? "PRIMARY KEY" : "UNIQUE";
		const char *quoted = quote_ident(a, c, name);
		bool bare = strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") == strlen(name) && !isdigit((unsigned char)*name);
		if (!strstr(t->sql, arena_printf(a, "ADD CONSTRAINT %s %s ", quoted, kw)) &&
		    !(bare && strstr(t->sql, arena_printf(a, "ADD CONSTRAINT %s %s ", name, kw))))
			continue;
		t->sql = arena_printf(a, "%s;", index);
		t->sql2 = arena_printf(a, "ALTER TABLE ONLY %s ADD CONSTRAINT %s %s USING INDEX %s",
				       qualified(a, c, tab->schema, tab->name), quoted, kw, quoted);
		return;
	}
}

static int create_missing_roles(struct arena *a, PGconn *c, json_t *roles, int *created, struct err *e)
{
	size_t i;
	json_t *v;
	json_array_foreach(roles, i, v) {
		const char *name = json_string_value(v);
		if (!name)
			continue;
		const char *params[1] = { name };
		PGresult *r = PQexecParams(c, "SELECT 1 FROM pg_roles WHERE rolname = $1", 1, NULL, params, NULL, NULL, 0);
		if (!r || PQresultStatus(r) != PGRES_TUPLES_OK) {
			result_error(r, c, "look up the roles", e);
			PQclear(r);
			return -1;
		}
		bool exists = PQntuples(r) > 0;
		PQclear(r);
		if (exists)
			continue;
		if (pg_exec_cmd(c, arena_printf(a, "CREATE ROLE %s NOLOGIN", quote_ident(a, c, name)),
				arena_printf(a, "create role '%s'", name), e) < 0)
			return -1;
		(*created)++;
	}
	return 0;
}

static int exec_script(PGconn *c, struct buf *b, const char *doing, struct err *e)
{
	int rc = pg_exec_cmd(c, b->p, doing, e);
	if (rc < 0 && strstr(e->msg, "role \"") && strstr(e->msg, "does not exist"))
		err_hint(e, "create the role on the target first, or pass --no-owner to restore without owners and grants");
	return rc;
}

/*
 * Fills the materialized views that were populated in the source. One may
 * read another, so failed refreshes are retried as long as a pass makes
 * progress (pg_dump orders them by dependency; we only know the names).
 */
static int refresh_matviews(struct arena *a, PGconn *c, json_t *mvs, struct err *e)
{
	size_t n = json_array_size(mvs);
	bool *done = arena_new_array(a, bool, n + 1);
	size_t left = n;
	while (left) {
		size_t before = left;
		for (size_t i = 0; i < n; i++) {
			if (done[i])
				continue;
			json_t *mv = json_array_get(mvs, i);
			const char *sch = json_string_value(json_object_get(mv, "schema"));
			const char *name = json_string_value(json_object_get(mv, "name"));
			if (!sch || !name) {
				done[i] = true;
				left--;
				continue;
			}
			err_init(e);
			if (pg_exec_cmd(c, arena_printf(a, "REFRESH MATERIALIZED VIEW %s", qualified(a, c, sch, name)),
					arena_printf(a, "refresh materialized view %s.%s", sch, name), e) == 0) {
				done[i] = true;
				left--;
			}
		}
		if (left == before)
			return -1; /* e holds the last failure */
	}
	return 0;
}

static int cmp_tasks(const void *x, const void *y)
{
	const struct rs_task *a = x, *b = y;
	return a->bytes == b->bytes ? 0 : a->bytes > b->bytes ? -1 : 1;
}

int pg_restore_snapshot(struct arena *a, struct repo *r, const struct snapshot_info *s, const struct pg_restore_opts *o,
			struct restore_summary *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	double t0 = db_now();
	json_t *meta = json_object_get(s->manifest, "meta");
	json_t *tables = json_object_get(meta, "tables");
	json_t *schema = json_object_get(meta, "schema");
	const char *kind = json_string_value(json_object_get(meta, "kind"));
	if (!kind || strcmp(kind, "postgres") != 0 || !json_is_array(tables) || !json_is_object(schema)) {
		err_set(e, "snapshot %.12s is not a PostgreSQL backup", s->id);
		return err_hint(e, "restore a SQLite snapshot with --into sqlite:PATH or --local DIR");
	}
	const char *encoding = json_string_value(json_object_get(meta, "encoding"));
	int jobs = o->jobs < 1 ? 1 : o->jobs;
	PGconn *c;
	if (pg_connect(a, o->conninfo, "connect to the target database", &c, e) < 0)
		return -1;
	int rc = -1;
	struct rs_worker *wk = arena_new_array(a, struct rs_worker, (size_t)jobs);
	struct buf pre = { 0 }, post = { 0 }, drop = { 0 }, rest = { 0 };
	struct rs rs = { .r = r, .s = s };
	pthread_mutex_init(&rs.pool.mu, NULL);
	pthread_cond_init(&rs.cv, NULL);
	rs.pool.progress = o->progress;
	rs.pool.t0 = t0;
	wk[0].conn = c;
	wk[0].a = arena_new();
	const char *header = "";

	/*
	 * No parallel maintenance workers: -j N connections already build N
	 * indexes at once, and each build spawning workers of its own
	 * oversubscribes the server's cores (measured on 2 cores: 10-15% more
	 * server CPU, slower restores). So N is the number of server processes
	 * a restore keeps busy, a bound that matters on a live server.
	 */
	const char *setup = arena_printf(a, "SET statement_timeout = 0; SET lock_timeout = 0; SET synchronous_commit = off;"
					 " SET maintenance_work_mem = '256MB';%s SET client_encoding = %s",
					 PQserverVersion(c) >= 110000 ? " SET max_parallel_maintenance_workers = 0;" : "",
					 quote_literal(a, c, encoding && *encoding ? encoding : "UTF8"));
	if (pg_exec_cmd(c, setup, "set up the session", e) < 0)
		goto out;
	if (read_stream(r, s, json_string_value(json_object_get(schema, "pre_data")), &pre, e) < 0 ||
	    read_stream(r, s, json_string_value(json_object_get(schema, "post_data")), &post, e) < 0)
		goto out;
	drop_lines(&pre, is_meta_line);
	drop_lines(&post, is_meta_line);
	if (o->no_owner) {
		drop_lines(&pre, is_owner_line);
		drop_lines(&post, is_owner_line);
	}
	if (o->clean) {
		if (read_stream(r, s, json_string_value(json_object_get(schema, "drop")), &drop, e) < 0)
			goto out;
		drop_lines(&drop, is_meta_line);
		out->dropped = count_prefixed_lines(buf_str(&drop), "DROP ", "ALTER TABLE ");
		out->drop_list = drop_summary(a, buf_str(&drop), 20);
		if (pg_exec_cmd(c, drop.p, "drop the snapshot's objects (--clean)", e) < 0)
			goto out;
	} else if (check_empty(c, e) < 0) {
		goto out;
	}
	if (o->create_roles && create_missing_roles(a, c, json_object_get(meta, "roles"), &out->roles_created, e) < 0)
		goto out;
	if (exec_script(c, &pre, "create the schema (pre-data)", e) < 0)
		goto out;

	/* tasks: every table, then post-data's indexes and constraints */
	size_t nentries = (size_t)count_prefixed_lines(buf_str(&post), "-- Name: ", "-- Name: ");
	size_t ti;
	json_t *t;
	rs.tasks = arena_new_array(a, struct rs_task, json_array_size(tables) + nentries + 1);
	rs.tables = arena_new_array(a, struct rs_table, json_array_size(tables) + 1);
	json_array_foreach(tables, ti, t) {
		const char *sch = json_string_value(json_object_get(t, "schema"));
		const char *name = json_string_value(json_object_get(t, "name"));
		if (!sch || !name)
			continue;
		const char *format = json_string_value(json_object_get(t, "format"));
		if (format && strcmp(format, "copy-text") != 0 && strcmp(format, "copy-binary") != 0) {
			err_set(e, "snapshot %.12s stores table %s.%s as '%s', a data format this blastwall (%s) does not read",
				s->id, sch, name, format, bw_version);
			err_hint(e, "restore it with the blastwall version that made it, or a newer one");
			goto out;
		}
		struct buf cl;
		buf_init(&cl, 0);
		size_t ci;
		json_t *col;
		json_array_foreach(json_object_get(t, "columns"), ci, col) {
			buf_addz(&cl, ci ? ", " : "(");
			buf_addz(&cl, quote_ident(a, c, json_string_value(col) ? json_string_value(col) : ""));
		}
		if (cl.n)
			buf_addc(&cl, ')');
		struct rs_table *tab = &rs.tables[rs.ntables];
		tab->schema = sch;
		tab->name = name;
		struct rs_task *u = &rs.tasks[rs.ntasks++];
		u->table = (long)rs.ntables;
		u->qname = qualified(a, c, sch, name);
		u->collist = arena_strndup(a, cl.p ? cl.p : "", cl.n);
		buf_release(&cl);
		u->binary = format && strcmp(format, "copy-binary") == 0;
		u->label = arena_printf(a, "table %s.%s", sch, name);
		json_t *parts = json_object_get(t, "parts");
		u->parts = arena_new_array(a, struct rs_part, json_array_size(parts) + 1);
		size_t pi;
		json_t *p;
		json_array_foreach(parts, pi, p) {
			struct rs_part *pt = &u->parts[u->nparts++];
			pt->stream = json_string_value(json_object_get(p, "stream"));
			pt->bytes = (uint64_t)json_integer_value(json_object_get(p, "bytes"));
			if (!pt->stream) {
				err_set(e, "snapshot %.12s is damaged: %s has no stream for part %zu", s->id, u->label, pi);
				goto out;
			}
			u->rows_expected += (uint64_t)json_integer_value(json_object_get(p, "rows"));
			u->bytes += pt->bytes;
		}
		rs.ntables++;
		out->tables++;
	}
	rs.ndata = rs.data_left = rs.ntasks;
	qsort(rs.tasks, rs.ndata, sizeof(*rs.tasks), cmp_tasks);
	split_post_data(a, &rs, &post, &header, &rest);
	for (size_t i = rs.ndata; i < rs.ntasks; i++)
		use_constraint_index(a, c, &rs, &rs.tasks[i], json_object_get(meta, "constraint_indexes"));
	rs.pool.nunits = rs.ndata;

	if ((size_t)jobs > rs.ntasks && rs.ntasks > 0)
		jobs = (int)rs.ntasks;
	for (int i = 1; i < jobs; i++) {
		wk[i].a = arena_new();
		if (pg_connect(a, o->conninfo, arena_printf(a, "open worker connection %d to the target", i), &wk[i].conn, e) < 0 ||
		    pg_exec_cmd(wk[i].conn, setup, "set up the session", e) < 0)
			goto out;
	}
	/* post-data's settings (search_path, tablespace...) on every connection; they do not affect COPY of qualified names */
	for (int i = 0; i < jobs; i++)
		if (pg_exec_cmd(wk[i].conn, header, "prepare post-data", e) < 0 ||
		    pg_exec_cmd(wk[i].conn, setup, "set up the session", e) < 0)
			goto out;
	for (int i = 0; i < jobs; i++) {
		wk[i].rs = &rs;
		if (i > 0 && pthread_create(&wk[i].th, NULL, rs_thread, &wk[i]) != 0)
			wk[i].th = 0;
	}
	rs_thread(&wk[0]);
	for (int i = 1; i < jobs; i++)
		if (wk[i].th)
			pthread_join(wk[i].th, NULL);
	pool_progress_end(&rs.pool);
	/* a worker whose thread could not start leaves its tasks to the others; none are lost */
	if (rs.pool.failed) {
		*e = rs.pool.err;
		goto out;
	}
	for (size_t i = 0; i < rs.ndata; i++) {
		out->rows += rs.tasks[i].rows;
		out->bytes += rs.tasks[i].bytes;
	}

	/* sequences */
	size_t si;
	json_t *sq;
	json_array_foreach(json_object_get(meta, "sequences"), si, sq) {
		const char *sch = json_string_value(json_object_get(sq, "schema"));
		const char *name = json_string_value(json_object_get(sq, "name"));
		const char *val = json_string_value(json_object_get(sq, "last_value"));
		if (!sch || !name || !val)
			continue;
		char *sql = arena_printf(a, "SELECT pg_catalog.setval(%s, %s, %s)",
					 quote_literal(a, c, qualified(a, c, sch, name)), quote_literal(a, c, val),
					 json_is_true(json_object_get(sq, "is_called")) ? "true" : "false");
		if (pg_exec_cmd(c, sql, arena_printf(a, "set sequence %s.%s", sch, name), e) < 0)
			goto out;
	}
	if (exec_script(c, &rest, "create the remaining objects (post-data)", e) < 0)
		goto out;
	if (refresh_matviews(a, c, json_object_get(meta, "matviews"), e) < 0)
		goto out;
	out->seconds = db_now() - t0;
	rc = 0;
out:
	for (int i = 0; i < jobs; i++) {
		if (wk[i].conn)
			PQfinish(wk[i].conn);
		arena_free(wk[i].a);
	}
	buf_release(&pre);
	buf_release(&post);
	buf_release(&drop);
	buf_release(&rest);
	pthread_cond_destroy(&rs.cv);
	pthread_mutex_destroy(&rs.pool.mu);
	return rc;
}
