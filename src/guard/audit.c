/*
 * audit.c: appending to and verifying the hash-chained audit log.
 *
 * The canonical encoding hashed for a row is a domain tag followed by every
 * field in a fixed order, each as "<length>:<bytes>\n" or "-\n" for NULL, so
 * that no two different rows encode alike (a netstring-style framing: moving
 * bytes from one field to the next changes the lengths). The previous row's
 * hash is the last field, which links the chain.
 *
 * Appends take an IMMEDIATE transaction so that two hook processes writing at
 * once serialise on SQLite's lock instead of forking the chain.
 */
#include "guard/audit.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "common/statedb.h"

#define ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"

static const struct statedb_migration audit_steps[] = {
	{ 1, "CREATE TABLE audit_log("
	     "  seq INTEGER PRIMARY KEY,"
	     "  time TEXT NOT NULL,"
	     "  cwd TEXT,"
	     "  agent TEXT,"
	     "  session TEXT,"
	     "  command TEXT NOT NULL,"
	     "  decision TEXT NOT NULL,"
	     "  rules TEXT,"
	     "  reason TEXT,"
	     "  prev_hash TEXT NOT NULL,"
	     "  hash TEXT NOT NULL);"
	     "CREATE INDEX audit_log_time ON audit_log(time);"
	     "CREATE TABLE audit_head("
	     "  id INTEGER PRIMARY KEY CHECK (id = 1),"
	     "  seq INTEGER NOT NULL,"
	     "  hash TEXT NOT NULL);" },
};

int audit_migrate(sqlite3 *db, struct err *e)
{
	return statedb_migrate(db, "audit", audit_steps, ARRAY_SIZE(audit_steps), e);
}

int audit_open(struct arena *a, sqlite3 **db, struct err *e)
{
	/*
	 * Without fsync: on this kind of disk one fsync costs more than the whole
	 * hook, and the row is a record of a decision already made, not data
	 * whose loss hurts. A power cut can cost the newest rows; --verify
	 * reports any damage.
	 */
	return statedb_open_path(a, statedb_path(a), STATEDB_NO_SYNC, db, e);
}

/* Inside the write transaction: whether the audit tables are at the version this code writes. */
static bool tables_current(sqlite3 *db)
{
	sqlite3_stmt *st;
	bool ok = false;
	if (sqlite3_prepare_v2(db, "SELECT version FROM schema_versions WHERE module = 'audit'", -1, &st, NULL) !=
	    SQLITE_OK)
		return false;
	if (sqlite3_step(st) == SQLITE_ROW)
		ok = sqlite3_column_int(st, 0) == audit_steps[ARRAY_SIZE(audit_steps) - 1].version;
	sqlite3_finalize(st);
	return ok;
}

char *audit_now(struct arena *a)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	/*
	 * The civil date by hand: glibc's gmtime_r runs tzset, which reads
	 * /etc/localtime, on every hook call, and a UTC stamp needs no zone.
	 * Days since 1970-01-01 to year/month/day in the proleptic Gregorian
	 * calendar, counting in 400-year eras that start on March 1st.
	 */
	long long secs = (long long)ts.tv_sec;
	long long days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
	long long sod = secs - days * 86400;
	long long z = days + 719468;
	long long era = (z >= 0 ? z : z - 146096) / 146097;
	long long doe = z - era * 146097;                                  /* [0, 146096] */
	long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
	long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);            /* [0, 365] */
	long long mp = (5 * doy + 2) / 153;                                 /* [0, 11], March = 0 */
	long long day = doy - (153 * mp + 2) / 5 + 1;
	long long month = mp < 10 ? mp + 3 : mp - 9;
	long long year = yoe + era * 400 + (month <= 2);
	return arena_printf(a, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%03ldZ", year, month, day, sod / 3600,
			    sod / 60 % 60, sod % 60, ts.tv_nsec / 1000000L);
}

static void feed(crypto_hash_sha256_state *st, const char *s)
{
	char len[32];
	if (!s) {
		crypto_hash_sha256_update(st, (const unsigned char *)"-\n", 2);
		return;
	}
	size_t n = strlen(s);
	int k = snprintf(len, sizeof(len), "%zu:", n);
	crypto_hash_sha256_update(st, (const unsigned char *)len, (unsigned long long)k);
	crypto_hash_sha256_update(st, (const unsigned char *)s, n);
	crypto_hash_sha256_update(st, (const unsigned char *)"\n", 1);
}

void audit_row_hash(const struct audit_entry *ent, char out[65])
{
	crypto_hash_sha256_state st;
	unsigned char h[crypto_hash_sha256_BYTES];
	char seq[32];
	static const char tag[] = "blastwall-audit-v1\n";

	snprintf(seq, sizeof(seq), "%lld", ent->seq);
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const unsigned char *)tag, sizeof(tag) - 1);
	feed(&st, seq);
	feed(&st, ent->time);
	feed(&st, ent->cwd);
	feed(&st, ent->agent);
	feed(&st, ent->session);
	feed(&st, ent->command);
	feed(&st, ent->decision);
	feed(&st, ent->rules);
	feed(&st, ent->reason);
	feed(&st, ent->prev_hash);
	crypto_hash_sha256_final(&st, h);
	sodium_bin2hex(out, 65, h, sizeof(h));
}

static void bind_opt(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static int sql_fail(sqlite3 *db, struct err *e, const char *what)
{
	return err_set(e, "cannot %s the audit log: %s", what, sqlite3_errmsg(db));
}

int audit_append(struct arena *a, sqlite3 *db, struct audit_entry *ent, struct err *e)
{
	sqlite3_stmt *head = NULL, *ins = NULL, *upd = NULL;
	int rc;

	if (!ent->time)
		ent->time = audit_now(a);
	if (!ent->command || !ent->decision)
		BUG("audit_append without command or decision");
	/*
	 * The schema check rides in the write transaction (one transaction per
	 * row, not two); only the first row of a new database, or one after an
	 * upgrade, takes the migration path.
	 */
	for (int attempt = 0;; attempt++) {
		if (statedb_exec(db, "BEGIN IMMEDIATE", "cannot lock the audit log", e) < 0)
			return -1;
		if (tables_current(db))
			break;
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		if (attempt > 0)
			return err_set(e, "the audit tables are missing or of another version after migrating");
		if (audit_migrate(db, e) < 0)
			return -1;
	}
	if (sqlite3_prepare_v2(db, "SELECT seq, hash FROM audit_head WHERE id = 1", -1, &head, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db,
			       "INSERT INTO audit_log(seq, time, cwd, agent, session, command, decision, rules, reason,"
			       " prev_hash, hash) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
			       -1, &ins, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO audit_head(id, seq, hash) VALUES(1, ?1, ?2)", -1, &upd,
			       NULL) != SQLITE_OK) {
		sql_fail(db, e, "write to");
		goto fail;
	}
	rc = sqlite3_step(head);
	if (rc == SQLITE_ROW) {
		ent->seq = sqlite3_column_int64(head, 0) + 1;
		const unsigned char *h = sqlite3_column_text(head, 1);
		snprintf(ent->prev_hash, sizeof(ent->prev_hash), "%s", h ? (const char *)h : "");
	} else if (rc == SQLITE_DONE) {
		ent->seq = 1;
		memcpy(ent->prev_hash, ZERO_HASH, sizeof(ZERO_HASH));
	} else {
		sql_fail(db, e, "read");
		goto fail;
	}
	audit_row_hash(ent, ent->hash);

	sqlite3_bind_int64(ins, 1, ent->seq);
	sqlite3_bind_text(ins, 2, ent->time, -1, SQLITE_STATIC);
	bind_opt(ins, 3, ent->cwd);
	bind_opt(ins, 4, ent->agent);
	bind_opt(ins, 5, ent->session);
	sqlite3_bind_text(ins, 6, ent->command, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 7, ent->decision, -1, SQLITE_STATIC);
	bind_opt(ins, 8, ent->rules);
	bind_opt(ins, 9, ent->reason);
	sqlite3_bind_text(ins, 10, ent->prev_hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 11, ent->hash, -1, SQLITE_STATIC);
	if (sqlite3_step(ins) != SQLITE_DONE) {
		sql_fail(db, e, "write to");
		goto fail;
	}
	sqlite3_bind_int64(upd, 1, ent->seq);
	sqlite3_bind_text(upd, 2, ent->hash, -1, SQLITE_STATIC);
	if (sqlite3_step(upd) != SQLITE_DONE) {
		sql_fail(db, e, "write to");
		goto fail;
	}
	sqlite3_finalize(head);
	sqlite3_finalize(ins);
	sqlite3_finalize(upd);
	if (statedb_exec(db, "COMMIT", "cannot commit to the audit log", e) < 0)
		return -1;
	/*
	 * Move the WAL into the database and empty it, so that the next hook's
	 * WAL recovery reads nothing. This connection does not fsync, so this
	 * costs a few page writes. Busy (another process reading) is fine: the
	 * next row tries again.
	 */
	sqlite3_wal_checkpoint_v2(db, "main", SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
	return 0;
fail:
	sqlite3_finalize(head);
	sqlite3_finalize(ins);
	sqlite3_finalize(upd);
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

static const char *col(struct arena *a, sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	if (!t)
		return NULL;
	return arena_strndup(a, (const char *)t, (size_t)sqlite3_column_bytes(st, i));
}

static void read_row(struct arena *a, sqlite3_stmt *st, struct audit_entry *ent)
{
	memset(ent, 0, sizeof(*ent));
	ent->seq = sqlite3_column_int64(st, 0);
	ent->time = col(a, st, 1);
	ent->cwd = col(a, st, 2);
	ent->agent = col(a, st, 3);
	ent->session = col(a, st, 4);
	ent->command = col(a, st, 5);
	ent->decision = col(a, st, 6);
	ent->rules = col(a, st, 7);
	ent->reason = col(a, st, 8);
	const char *p = col(a, st, 9), *h = col(a, st, 10);
	snprintf(ent->prev_hash, sizeof(ent->prev_hash), "%s", p ? p : "");
	snprintf(ent->hash, sizeof(ent->hash), "%s", h ? h : "");
}

#define ROW_COLUMNS "seq, time, cwd, agent, session, command, decision, rules, reason, prev_hash, hash"

int audit_query(struct arena *a, sqlite3 *db, const struct audit_filter *f, struct audit_entry **out, size_t *n,
		struct err *e)
{
	sqlite3_stmt *st;
	char sql[512];
	snprintf(sql, sizeof(sql),
		 "SELECT * FROM (SELECT " ROW_COLUMNS " FROM audit_log"
		 " WHERE (?1 IS NULL OR decision = ?1) AND (?2 IS NULL OR time >= ?2)"
		 " ORDER BY seq DESC LIMIT ?3) ORDER BY seq");
	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return sql_fail(db, e, "read");
	bind_opt(st, 1, f->decision);
	bind_opt(st, 2, f->since);
	sqlite3_bind_int64(st, 3, f->limit > 0 ? f->limit : -1);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			*out = arena_grow(a, *out, *n, ncap, sizeof(**out));
			cap = ncap;
		}
		read_row(a, st, &(*out)[(*n)++]);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return sql_fail(db, e, "read");
	return 0;
}

static void problem(struct arena *a, struct audit_report *r, long long seq, const char *fmt, ...) BW_PRINTF(4, 5);
static void problem(struct arena *a, struct audit_report *r, long long seq, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *what = arena_vprintf(a, fmt, ap);
	va_end(ap);
	r->problems = arena_grow(a, r->problems, r->nproblems, r->nproblems + 1, sizeof(*r->problems));
	r->problems[r->nproblems++] = (struct audit_problem){ seq, what };
}

int audit_verify(struct arena *a, sqlite3 *db, struct audit_report *r, struct err *e)
{
	sqlite3_stmt *st;
	char last_hash[65];
	long long expect = 1;
	int rc;

	memset(r, 0, sizeof(*r));
	memcpy(last_hash, ZERO_HASH, sizeof(ZERO_HASH));
	if (sqlite3_prepare_v2(db, "SELECT " ROW_COLUMNS " FROM audit_log ORDER BY seq", -1, &st, NULL) != SQLITE_OK)
		return sql_fail(db, e, "read");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct audit_entry ent;
		char want[65];
		struct arena *row = a;
		read_row(row, st, &ent);
		r->rows++;
		if (ent.seq < expect) {
			/* Cannot happen with an INTEGER PRIMARY KEY walked in order, but a renumbered 0 or negative can. */
			problem(a, r, ent.seq, "row %lld is out of sequence (expected %lld): a row was inserted", ent.seq,
				expect);
		} else if (ent.seq > expect) {
			if (ent.seq == expect + 1)
				problem(a, r, expect, "row %lld was deleted", expect);
			else
				problem(a, r, expect, "rows %lld to %lld were deleted", expect, ent.seq - 1);
		} else if (strcmp(ent.prev_hash, last_hash) != 0) {
			problem(a, r, ent.seq,
				"row %lld does not follow row %lld (its prev_hash differs): rows were reordered, "
				"inserted or rewritten before it",
				ent.seq, ent.seq - 1);
		}
		audit_row_hash(&ent, want);
		if (strcmp(want, ent.hash) != 0)
			problem(a, r, ent.seq, "row %lld was edited: its content no longer matches its hash", ent.seq);
		memcpy(last_hash, ent.hash, sizeof(last_hash));
		r->last_seq = ent.seq;
		expect = ent.seq + 1;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return sql_fail(db, e, "read");
	memcpy(r->head_hash, r->rows ? last_hash : "", r->rows ? sizeof(last_hash) : 1);

	if (sqlite3_prepare_v2(db, "SELECT seq, hash FROM audit_head WHERE id = 1", -1, &st, NULL) != SQLITE_OK)
		return sql_fail(db, e, "read");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		long long hseq = sqlite3_column_int64(st, 0);
		const unsigned char *hh = sqlite3_column_text(st, 1);
		const char *hhash = hh ? (const char *)hh : "";
		if (hseq > r->last_seq) {
			if (hseq == r->last_seq + 1)
				problem(a, r, hseq, "row %lld (the newest) was deleted", hseq);
			else
				problem(a, r, r->last_seq + 1, "rows %lld to %lld (the newest) were deleted",
					r->last_seq + 1, hseq);
		} else if (hseq < r->last_seq) {
			problem(a, r, hseq + 1, "rows after %lld were added outside blastwall", hseq);
		} else if (strcmp(hhash, last_hash) != 0) {
			problem(a, r, hseq, "row %lld (the newest) was replaced", hseq);
		}
	} else if (rc == SQLITE_DONE) {
		if (r->rows)
			problem(a, r, 1, "the chain head (audit_head) is missing: it was deleted");
	} else {
		sqlite3_finalize(st);
		return sql_fail(db, e, "read");
	}
	sqlite3_finalize(st);
	return 0;
}
