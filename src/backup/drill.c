/*
 * drill.c: restore-and-verify (see drill.h). Every problem found becomes a
 * line in the result's "failures" and makes "ok" false; the drill carries on
 * with the checks that still make sense, so one report shows everything.
 * The scratch target is removed on every path unless --keep asked for it.
 *
 * Fault injection for tests: BLASTWALL_TEST_DRILL_EMPTY=TABLE empties that
 * table right after the restore, standing in for a restore that silently
 * lost data; the row-count check must catch it. BLASTWALL_TEST_NOW=UNIXTIME
 * moves the drill's clock, to age snapshots.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backup/drill.h"
#include "common/fs.h"
#include "db/pgcluster.h"
#include "db/postgres.h"
#include "db/sqlite.h"

struct drill {
	struct arena *a;
	json_t *res, *failures;
	bool progress;
};

static void fail(struct drill *d, const char *fmt, ...) BW_PRINTF(2, 3);
static void fail(struct drill *d, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *m = arena_vprintf(d->a, fmt, ap);
	va_end(ap);
	json_array_append_new(d->failures, json_string(m));
}

static void stage(struct drill *d, const char *fmt, ...) BW_PRINTF(2, 3);
static void stage(struct drill *d, const char *fmt, ...)
{
	if (!d->progress)
		return;
	va_list ap;
	va_start(ap, fmt);
	fputs("drill: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static const char *iso_time(struct arena *a, int64_t t)
{
	char buf[64];
	return arena_strdup(a, utc_text(buf, t, UTC_ISO));
}

/* Compares a check's numeric result with its expectation. */
static bool check_passes(const struct drill_check *c, const char *got, struct drill *d, const char **why)
{
	char *end;
	errno = 0;
	double v = strtod(got, &end);
	bool numeric = *got && !errno && end != got && *end == '\0';
	if (strcmp(c->expect, "nonzero") == 0) {
		if (numeric)
			return v != 0;
		*why = "not a number";
		return *got && strcmp(got, "f") != 0 && strcmp(got, "false") != 0;
	}
	double want = c->value ? strtod(c->value, NULL) : 0;
	if (!numeric) {
		*why = arena_printf(d->a, "'%s' is not a number", got);
		return false;
	}
	if (strcmp(c->expect, "equals") == 0)
		return v == want;
	if (strcmp(c->expect, "at_least") == 0)
		return v >= want;
	if (strcmp(c->expect, "at_most") == 0)
		return v <= want;
	return false;
}

static const char *expect_text(struct arena *a, const struct drill_check *c)
{
	if (strcmp(c->expect, "nonzero") == 0)
		return "nonzero";
	return arena_printf(a, "%s %s", c->expect, c->value ? c->value : "?");
}

/* Waits (up to 30 s) until the database answers a query. */
static int wait_usable(struct arena *a, const char *conninfo, struct err *e)
{
	double until = db_now() + 30;
	for (;;) {
		PGconn *c;
		char *v;
		if (pg_connect(a, conninfo, "connect to the restored database", &c, e) == 0) {
			int rc = pg_query_value(a, c, "SELECT 1", "query the restored database", &v, e);
			PQfinish(c);
			if (rc == 0)
				return 0;
		}
		if (db_now() > until)
			return -1;
		usleep(100 * 1000);
	}
}

struct count_job {
	const char *schema, *name, *sql, *doing;
	json_int_t want, n;
	bool ok;
	char err[1024];
};

struct counter {
	struct count_job *jobs;
	size_t n, next;
	pthread_mutex_t mu;
	const char *conninfo;
};

/* One connection counting tables from the shared list until it is empty. */
static void *count_thread(void *arg)
{
	struct counter *ct = arg;
	struct arena *a = arena_new();
	struct err e;
	err_init(&e);
	PGconn *c = NULL;
	if (pg_connect(a, ct->conninfo, "connect to the restored database", &c, &e) < 0)
		c = NULL;
	for (;;) {
		pthread_mutex_lock(&ct->mu);
		size_t idx = ct->next++;
		pthread_mutex_unlock(&ct->mu);
		if (idx >= ct->n)
			break;
		struct count_job *j = &ct->jobs[idx];
		char *got;
		if (!c || pg_query_value(a, c, j->sql, j->doing, &got, &e) < 0) {
			snprintf(j->err, sizeof(j->err), "%s", e.msg);
			continue;
		}
		j->n = strtoll(got, NULL, 10);
		j->ok = true;
	}
	if (c)
		PQfinish(c);
	arena_free(a);
	return NULL;
}

/* Runs one user check's SQL on the restored copy: the result's first value as text. */
typedef int (*check_query_fn)(void *ctx, struct arena *a, const struct drill_check *ck, char **out, struct err *e);

static int pg_check_query(void *ctx, struct arena *a, const struct drill_check *ck, char **out, struct err *e)
{
	return pg_query_value(a, ctx, ck->sql, arena_printf(a, "run check '%s'", ck->name), out, e);
}

static int sqlite_check_query(void *ctx, struct arena *a, const struct drill_check *ck, char **out, struct err *e)
{
	if (sqlite_query_value(a, ctx, ck->sql, out, e) < 0)
		return err_wrap(e, "check '%s'", ck->name);
	return 0;
}

/* The user checks from .blastwall.yaml, each recorded in the result's "checks" and failing the drill when it fails. */
static void run_checks(struct drill *d, const struct drill_opts *o, check_query_fn query, void *ctx)
{
	struct arena *a = d->a;
	json_t *jc = json_array();
	json_object_set_new(d->res, "checks", jc);
	for (size_t k = 0; k < o->nchecks; k++) {
		const struct drill_check *ck = &o->checks[k];
		json_t *row = json_pack("{s:s, s:s, s:s}", "name", ck->name, "sql", ck->sql, "expect", ck->expect);
		if (ck->value)
			json_object_set_new(row, "value", json_string(ck->value));
		json_array_append_new(jc, row);
		char *got;
		struct err e;
		err_init(&e);
		if (query(ctx, a, ck, &got, &e) < 0) {
			json_object_set_new(row, "ok", json_false());
			json_object_set_new(row, "error", json_string(e.msg));
			fail(d, "%s", e.msg);
			continue;
		}
		const char *why = NULL;
		bool ok = check_passes(ck, got, d, &why);
		json_object_set_new(row, "result", json_string(got));
		json_object_set_new(row, "ok", json_boolean(ok));
		if (!ok)
			fail(d, "check '%s' returned %s, expected %s%s%s", ck->name, got, expect_text(a, ck), why ? ": " : "",
			     why ? why : "");
	}
}

static void verify_pg(struct drill *d, const char *conninfo, json_t *meta, const struct drill_opts *o, uint64_t *rows)
{
	struct arena *a = d->a;
	struct err e;
	err_init(&e);
	PGconn *c;
	if (pg_connect(a, conninfo, "connect to the restored database", &c, &e) < 0) {
		fail(d, "%s", e.msg);
		return;
	}
	const char *sabotage = getenv("BLASTWALL_TEST_DRILL_EMPTY");
	json_t *tables = json_object_get(meta, "tables");
	size_t nt = json_array_size(tables);
	struct counter ct = { .jobs = arena_new_array(a, struct count_job, nt + 1), .conninfo = conninfo };
	pthread_mutex_init(&ct.mu, NULL);
	size_t i;
	json_t *t;
	json_array_foreach(tables, i, t) {
		const char *sch = json_string_value(json_object_get(t, "schema"));
		const char *name = json_string_value(json_object_get(t, "name"));
		if (!sch || !name)
			continue;
		char *qs = PQescapeIdentifier(c, sch, strlen(sch)), *qn = PQescapeIdentifier(c, name, strlen(name));
		char *qname = arena_printf(a, "%s.%s", qs, qn);
		PQfreemem(qs);
		PQfreemem(qn);
		if (sabotage && (strcmp(sabotage, name) == 0 || strcmp(sabotage, arena_printf(a, "%s.%s", sch, name)) == 0))
			pg_exec_cmd(c, arena_printf(a, "TRUNCATE %s CASCADE", qname), "empty a table (test)", &e);
		struct count_job *j = &ct.jobs[ct.n++];
		j->schema = sch;
		j->name = name;
		j->want = json_integer_value(json_object_get(t, "rows"));
		j->sql = arena_printf(a, "SELECT count(*) FROM %s", qname);
		j->doing = arena_printf(a, "count the rows of %s.%s", sch, name);
	}
	/* count on several connections at once: the biggest tables dominate a drill's checking time */
	int nth = o->jobs < 1 ? 1 : o->jobs;
	if ((size_t)nth > ct.n)
		nth = ct.n ? (int)ct.n : 1;
	pthread_t *th = arena_new_array(a, pthread_t, (size_t)nth);
	bool *started = arena_new_array(a, bool, (size_t)nth);
	for (int k = 1; k < nth; k++)
		started[k] = pthread_create(&th[k], NULL, count_thread, &ct) == 0;
	count_thread(&ct);
	for (int k = 1; k < nth; k++)
		if (started[k])
			pthread_join(th[k], NULL);
	pthread_mutex_destroy(&ct.mu);
	json_t *jt = json_array();
	json_object_set_new(d->res, "tables", jt);
	for (size_t k = 0; k < ct.n; k++) {
		struct count_job *j = &ct.jobs[k];
		json_t *row = json_pack("{s:s, s:s, s:I}", "schema", j->schema, "name", j->name, "expected_rows", j->want);
		json_array_append_new(jt, row);
		if (!j->ok) {
			json_object_set_new(row, "ok", json_false());
			json_object_set_new(row, "error", json_string(j->err));
			fail(d, "%s", j->err);
			continue;
		}
		*rows += (uint64_t)j->n;
		json_object_set_new(row, "rows", json_integer(j->n));
		json_object_set_new(row, "ok", json_boolean(j->n == j->want));
		if (j->n != j->want)
			fail(d, "table %s.%s has %" JSON_INTEGER_FORMAT " rows after the restore, the snapshot recorded %" JSON_INTEGER_FORMAT,
			     j->schema, j->name, j->n, j->want);
	}
	run_checks(d, o, pg_check_query, c);
	PQfinish(c);
}

static void verify_sqlite(struct drill *d, const char *path, json_t *meta, const struct drill_opts *o, uint64_t *rows)
{
	struct arena *a = d->a;
	struct err e;
	err_init(&e);
	const char *sabotage = getenv("BLASTWALL_TEST_DRILL_EMPTY");
	json_t *jt = json_array();
	json_object_set_new(d->res, "tables", jt);
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(meta, "tables"), i, t) {
		const char *name = json_string_value(json_object_get(t, "name"));
		if (!name)
			continue;
		json_int_t want = json_integer_value(json_object_get(t, "rows"));
		if (sabotage && strcmp(sabotage, name) == 0)
			sqlite_exec(path, arena_printf(a, "DELETE FROM \"%s\"", name), &e);
		json_t *row = json_pack("{s:s, s:s, s:I}", "schema", "main", "name", name, "expected_rows", want);
		json_array_append_new(jt, row);
		long long n;
		if (sqlite_count_rows(path, name, &n, &e) < 0) {
			json_object_set_new(row, "ok", json_false());
			json_object_set_new(row, "error", json_string(e.msg));
			fail(d, "%s", e.msg);
			continue;
		}
		*rows += (uint64_t)n;
		json_object_set_new(row, "rows", json_integer(n));
		json_object_set_new(row, "ok", json_boolean(n == want));
		if (n != want)
			fail(d, "table %s has %lld rows after the restore, the snapshot recorded %" JSON_INTEGER_FORMAT, name, n, want);
	}
	run_checks(d, o, sqlite_check_query, (void *)path);
}

/* Removes the previously kept copy (only a directory blastwall made) and records the new one. */
static void keep_rotate(struct drill *d, const char *record, const char *dir)
{
	struct err e;
	err_init(&e);
	struct buf b;
	buf_init(&b, 8192);
	if (record && fs_read_all(record, 8192, &b, &e) == 0) {
		char *prev = arena_strstr(d->a, str_trim(buf_str(&b)));
		if (*prev && strcmp(prev, dir) != 0 && strncmp(path_basename(prev), "blastwall-drill-", 16) == 0 &&
		    fs_is_dir(prev)) {
			if (pgcluster_destroy(d->a, prev, &e) < 0)
				bw_warn("cannot remove the previously kept drill copy '%s': %s", prev, e.msg);
		}
	}
	buf_release(&b);
	if (record) {
		err_init(&e);
		char *line = arena_printf(d->a, "%s\n", dir);
		if (fs_mkdir_p(path_dirname(d->a, record), 0700, &e) < 0 || fs_write_atomic(record, line, strlen(line), 0600, &e) < 0)
			bw_warn("cannot remember the kept drill copy: %s", e.msg);
	}
}

int drill_run(struct arena *a, struct repo *r, const struct drill_opts *o, json_t **result, struct err *e)
{
	double t0 = db_now();
	int64_t now = (int64_t)time(NULL);
	/* tests move the clock forward to make a snapshot stale */
	const char *tnow = getenv("BLASTWALL_TEST_NOW");
	if (tnow && strtoll(tnow, NULL, 10) > 0)
		now = strtoll(tnow, NULL, 10);
	struct snapshot_info *list;
	size_t n;
	if (repo_list_snapshots(r, a, &list, &n, e) < 0)
		return -1;
	struct drill d = { .a = a, .res = json_object(), .failures = json_array(), .progress = o->progress };
	json_t *res = d.res;
	*result = res;
	json_object_set_new(res, "version", json_integer(1));
	json_object_set_new(res, "time", json_integer(now));
	json_object_set_new(res, "started_at", json_string(iso_time(a, now)));
	json_object_set_new(res, "repo", json_string(repo_path(r)));
	json_object_set_new(res, "max_age_hours", json_integer(o->max_age_hours));
	json_object_set_new(res, "failures", d.failures);
	uint64_t rows = 0;
	if (n == 0) {
		fail(&d, "the repository has no snapshots: there is nothing to restore");
		goto done;
	}
	struct snapshot_info s;
	if (repo_find_snapshot(r, a, o->snapshot ? o->snapshot : "latest", &s, e) < 0) {
		json_decref(res);
		*result = NULL;
		return -1;
	}
	json_t *meta = json_object_get(s.manifest, "meta");
	const char *kind = json_string_value(json_object_get(meta, "kind"));
	const char *source = json_string_value(json_object_get(meta, "source"));
	json_object_set_new(res, "snapshot", json_pack("{s:s, s:I, s:s, s:I, s:s?, s:s?}", "id", s.id, "time", (json_int_t)s.time,
						       "time_iso", iso_time(a, s.time), "age_seconds", (json_int_t)(now - s.time),
						       "kind", kind, "source", source));
	/* the newest snapshot of the same source decides staleness: an old backup that restores is no comfort */
	const struct snapshot_info *newest = &s;
	for (size_t i = 0; i < n; i++) {
		const char *src_i = json_string_value(json_object_get(json_object_get(list[i].manifest, "meta"), "source"));
		if (source && src_i && strcmp(src_i, source) == 0 && list[i].time > newest->time)
			newest = &list[i];
	}
	int64_t age = now - newest->time;
	json_object_set_new(res, "newest_snapshot", json_pack("{s:s, s:I, s:I}", "id", newest->id, "time", (json_int_t)newest->time,
							      "age_seconds", (json_int_t)age));
	json_object_set_new(res, "snapshot_age_seconds", json_integer(age));
	if (o->max_age_hours > 0 && age > (int64_t)o->max_age_hours * 3600) {
		json_object_set_new(res, "stale", json_true());
		fail(&d, "the newest snapshot of %s is %.1f hours old, more than the allowed %ld: the latest backups are failing or not running",
		     source ? source : "this source", (double)age / 3600.0, o->max_age_hours);
	} else {
		json_object_set_new(res, "stale", json_false());
	}
	if (!kind || (strcmp(kind, "postgres") != 0 && strcmp(kind, "sqlite") != 0)) {
		fail(&d, "snapshot %.12s holds no database blastwall can restore", s.id);
		goto done;
	}

	const char *base = o->scratch;
	if (!base || !*base)
		base = getenv("TMPDIR");
	if (!base || !*base)
		base = "/tmp";
	char *dir = path_join(a, base, "blastwall-drill-XXXXXX");
	if (fs_mkdir_p(base, 0755, e) < 0 || !mkdtemp(dir)) {
		if (!e->msg[0])
			err_errno(e, "cannot create a scratch directory in '%s'", base);
		fail(&d, "%s", e->msg);
		err_init(e);
		goto done;
	}
	json_t *target = json_object();
	json_object_set_new(res, "target", target);
	json_object_set_new(target, "path", json_string(dir));
	double tr = db_now();
	struct err re;
	err_init(&re);
	bool restored = false, pg = strcmp(kind, "postgres") == 0;
	const char *conninfo = NULL, *dbfile = NULL;
	struct restore_summary rsum = { 0 };
	if (pg) {
		json_object_set_new(target, "kind", json_string("postgres-local"));
		const char *db = json_string_value(json_object_get(meta, "database"));
		if (!db || !*db)
			db = "restored";
		struct pgcluster cl;
		stage(&d, "starting a scratch PostgreSQL in %s", dir);
		/* mkdtemp made dir: let the cluster code take it over (it refuses only a dir holding data/) */
		if (pgcluster_create(a, dir, false, &cl, &re) == 0 &&
		    pgcluster_create_db(a, &cl, db, json_string_value(json_object_get(meta, "encoding")), &re) == 0) {
			conninfo = pgcluster_conninfo(a, &cl, db);
			json_object_set_new(target, "conninfo", json_string(conninfo));
			stage(&d, "restoring snapshot %.12s", s.id);
			struct pg_restore_opts ro = { .conninfo = conninfo, .jobs = o->jobs, .create_roles = true,
						      .progress = o->progress };
			if (pg_restore_snapshot(a, r, &s, &ro, &rsum, &re) == 0) {
				stage(&d, "waiting until the database answers");
				restored = wait_usable(a, conninfo, &re) == 0;
			}
		}
	} else {
		json_object_set_new(target, "kind", json_string("sqlite-file"));
		const char *name = json_string_value(json_object_get(meta, "database"));
		dbfile = path_join(a, dir, name && *name ? name : "restored.db");
		json_object_set_new(target, "file", json_string(dbfile));
		stage(&d, "restoring snapshot %.12s into %s", s.id, dbfile);
		restored = sqlite_restore(a, r, &s, dbfile, false, &rsum, &re) == 0;
	}
	double restore_s = db_now() - tr;
	json_object_set_new(res, "restore_seconds", json_real(restore_s));
	if (!restored) {
		fail(&d, "the restore failed: %s", re.msg);
	} else {
		stage(&d, "checking row counts and %zu checks", o->nchecks);
		double tv = db_now();
		if (pg)
			verify_pg(&d, conninfo, meta, o, &rows);
		else
			verify_sqlite(&d, dbfile, meta, o, &rows);
		json_object_set_new(res, "verify_seconds", json_real(db_now() - tv));
	}
	bool keep = o->keep && restored;
	json_object_set_new(target, "kept", json_boolean(keep));
	if (keep) {
		keep_rotate(&d, o->keep_record, dir);
	} else {
		struct err de;
		err_init(&de);
		if (pgcluster_destroy(a, dir, &de) < 0)
			bw_warn("cannot remove the scratch copy '%s': %s", dir, de.msg);
	}
done:
	json_object_set_new(res, "rows_restored", json_integer((json_int_t)rows));
	json_object_set_new(res, "duration_seconds", json_real(db_now() - t0));
	json_object_set_new(res, "ok", json_boolean(json_array_size(d.failures) == 0));
	return 0;
}

/* Prometheus label values escape backslash, quote and newline. */
static void label(struct buf *b, const char *v)
{
	for (const char *p = v ? v : ""; *p; p++) {
		if (*p == '\\' || *p == '"')
			buf_addc(b, '\\');
		if (*p == '\n') {
			buf_addz(b, "\\n");
			continue;
		}
		buf_addc(b, *p);
	}
}

int drill_write_metrics(const char *path, json_t *res, struct err *e)
{
	struct buf b, l;
	buf_init(&b, 0);
	buf_init(&l, 0);
	json_t *snap = json_object_get(res, "snapshot");
	buf_addz(&l, "{repo=\"");
	label(&l, json_string_value(json_object_get(res, "repo")));
	buf_addz(&l, "\",source=\"");
	label(&l, snap ? json_string_value(json_object_get(snap, "source")) : "");
	buf_addz(&l, "\"}");
	struct {
		const char *name, *help;
		double v;
	} m[] = {
		{ "blastwall_drill_success", "1 when the last drill passed, 0 when it failed",
		  json_is_true(json_object_get(res, "ok")) ? 1 : 0 },
		{ "blastwall_drill_duration_seconds", "how long the last drill took, restore and checks included",
		  json_number_value(json_object_get(res, "duration_seconds")) },
		{ "blastwall_drill_restore_seconds", "how long the restore took (the recovery time)",
		  json_number_value(json_object_get(res, "restore_seconds")) },
		{ "blastwall_drill_snapshot_age_seconds", "age of the newest snapshot at the last drill",
		  (double)json_integer_value(json_object_get(res, "snapshot_age_seconds")) },
		{ "blastwall_drill_rows_restored", "rows counted in the restored copy",
		  (double)json_integer_value(json_object_get(res, "rows_restored")) },
		{ "blastwall_drill_timestamp_seconds", "when the last drill ran (unix time)",
		  (double)json_integer_value(json_object_get(res, "time")) },
	};
	for (size_t i = 0; i < ARRAY_SIZE(m); i++)
		buf_printf(&b, "# HELP %s %s\n# TYPE %s gauge\n%s%s %.17g\n", m[i].name, m[i].help, m[i].name, m[i].name, l.p,
			   m[i].v);
	int rc = fs_write_atomic(path, b.p, b.n, 0644, e);
	buf_release(&b);
	buf_release(&l);
	return rc;
}

void drill_print(FILE *f, json_t *res)
{
	bool ok = json_is_true(json_object_get(res, "ok"));
	json_t *snap = json_object_get(res, "snapshot");
	if (snap)
		fprintf(f, "snapshot %.12s of %s, taken %s (%.1f h ago)\n", json_string_value(json_object_get(snap, "id")),
			json_string_value(json_object_get(snap, "source")) ? json_string_value(json_object_get(snap, "source")) : "?",
			json_string_value(json_object_get(snap, "time_iso")),
			(double)json_integer_value(json_object_get(snap, "age_seconds")) / 3600.0);
	json_t *target = json_object_get(res, "target");
	if (target)
		fprintf(f, "restored into %s %s in %.1f s\n", json_string_value(json_object_get(target, "kind")),
			json_string_value(json_object_get(target, "path")),
			json_number_value(json_object_get(res, "restore_seconds")));
	size_t i;
	json_t *t;
	size_t nt = 0, tok = 0;
	json_array_foreach(json_object_get(res, "tables"), i, t) {
		nt++;
		if (json_is_true(json_object_get(t, "ok")))
			tok++;
	}
	if (nt)
		fprintf(f, "row counts: %zu of %zu tables match the snapshot (%" JSON_INTEGER_FORMAT " rows)\n", tok, nt,
			json_integer_value(json_object_get(res, "rows_restored")));
	json_array_foreach(json_object_get(res, "checks"), i, t) {
		fprintf(f, "check %-30s %s (got %s)\n", json_string_value(json_object_get(t, "name")),
			json_is_true(json_object_get(t, "ok")) ? "ok" : "FAILED",
			json_string_value(json_object_get(t, "result")) ? json_string_value(json_object_get(t, "result")) : "error");
	}
	json_array_foreach(json_object_get(res, "failures"), i, t)
		fprintf(f, "FAIL: %s\n", json_string_value(t));
	if (target && json_is_true(json_object_get(target, "kept"))) {
		const char *ci = json_string_value(json_object_get(target, "conninfo"));
		if (ci)
			fprintf(f, "kept: psql \"%s\"  (stop: blastwall restore --stop %s)\n", ci,
				json_string_value(json_object_get(target, "path")));
		else
			fprintf(f, "kept: %s\n", json_string_value(json_object_get(target, "file")));
	}
	fprintf(f, "drill %s in %.1f s\n", ok ? "passed" : "FAILED", json_number_value(json_object_get(res, "duration_seconds")));
}
