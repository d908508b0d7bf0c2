/*
 * journal.c: the state journal's judgement and its two tables.
 *
 * The judgement never trusts a change it cannot explain by Terraform's own
 * rules: Terraform keeps a state's lineage for its whole life and raises the
 * serial on every write, so "same lineage, serial up" is the only change
 * that is pinned without asking. A different lineage, a lower serial, or a
 * missing file where resources were pinned fires the guard until a human
 * runs `blastwall state accept`.
 *
 * Every write is one short transaction on the WAL database, cheap enough for
 * the hook's hot path. Events are append-only; detections are de-duplicated
 * against the newest event so a guard that fires on every call stays one row.
 */
#include "terraform/journal.h"

#include <sqlite3.h>
#include <string.h>

#include "common/statedb.h"

const char *tfj_kind_name(enum tfj_kind k)
{
	switch (k) {
	case TFJ_NONE: return "none";
	case TFJ_FIRST_SIGHT: return "first-sight";
	case TFJ_SAME: return "same";
	case TFJ_FORWARD: return "forward";
	case TFJ_REWRITTEN: return "rewritten";
	case TFJ_APPEARED: return "appeared";
	case TFJ_STILL_EMPTY: return "still-empty";
	case TFJ_SWAPPED: return "swapped";
	case TFJ_SERIAL_DOWN: return "serial-down";
	case TFJ_EDITED: return "edited";
	case TFJ_MISSING: return "missing";
	}
	BUG("tfj_kind %d", (int)k);
}

bool tfj_kind_fires(enum tfj_kind k)
{
	return k == TFJ_SWAPPED || k == TFJ_SERIAL_DOWN || k == TFJ_EDITED || k == TFJ_MISSING;
}

bool tfj_kind_autopins(enum tfj_kind k)
{
	return k == TFJ_FIRST_SIGHT || k == TFJ_FORWARD || k == TFJ_REWRITTEN || k == TFJ_APPEARED;
}

const char *tfj_kind_rule(enum tfj_kind k)
{
	switch (k) {
	case TFJ_SWAPPED: return "terraform.state-swapped";
	case TFJ_SERIAL_DOWN: return "terraform.state-serial-down";
	case TFJ_EDITED: return "terraform.state-edited";
	case TFJ_MISSING: return "terraform.state-missing";
	default: return NULL;
	}
}

static bool str_same(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

enum tfj_kind tfj_judge(const struct tfj_pin *pin, const struct tfj_snap *obs)
{
	if (!pin->exists)
		return obs->present ? TFJ_FIRST_SIGHT : TFJ_NONE;
	if (!pin->s.present)
		return obs->present ? TFJ_APPEARED : TFJ_STILL_EMPTY;
	if (!obs->present)
		return pin->s.resources != 0 ? TFJ_MISSING : TFJ_STILL_EMPTY;
	if (str_same(pin->s.digest, obs->digest))
		return TFJ_SAME;
	if (pin->s.lineage && obs->lineage && strcmp(pin->s.lineage, obs->lineage) != 0)
		return TFJ_SWAPPED;
	if (pin->s.lineage && !obs->lineage && obs->serial < 0)
		/* a state without identity where one with identity was: not Terraform's own write */
		return TFJ_SWAPPED;
	if (pin->s.serial >= 0 && obs->serial >= 0) {
		if (obs->serial < pin->s.serial)
			return TFJ_SERIAL_DOWN;
		if (obs->serial > pin->s.serial)
			return TFJ_FORWARD;
	}
	if (pin->s.resources >= 0 && obs->resources >= 0 && pin->s.resources != obs->resources)
		return TFJ_EDITED;
	return TFJ_REWRITTEN;
}

bool tfj_same_file(const struct tfj_pin *pin, const struct tfj_snap *obs)
{
	return pin->exists && pin->s.present && obs->present && pin->s.size == obs->size && obs->size > 0 &&
	       pin->s.mtime_ns == obs->mtime_ns && pin->s.ctime_ns == obs->ctime_ns && pin->s.ino == obs->ino &&
	       obs->mtime_ns != 0;
}

/* ---- storage ---- */

/* Module "terraform" in the state DB: add steps, never change a released one. */
static const struct statedb_migration steps[] = {
	{ 1, "CREATE TABLE tf_pins ("
	     " dir TEXT NOT NULL, backend TEXT NOT NULL, workspace TEXT NOT NULL,"
	     " present INTEGER NOT NULL, lineage TEXT, serial INTEGER, resources INTEGER, digest TEXT,"
	     " size INTEGER, mtime_ns INTEGER, ctime_ns INTEGER, ino INTEGER,"
	     " pinned_at INTEGER NOT NULL, seen_at INTEGER NOT NULL,"
	     " PRIMARY KEY (dir, backend, workspace));"
	     "CREATE TABLE tf_events ("
	     " id INTEGER PRIMARY KEY, dir TEXT NOT NULL, backend TEXT NOT NULL, workspace TEXT NOT NULL,"
	     " at INTEGER NOT NULL, event TEXT NOT NULL,"
	     " old_present INTEGER, old_lineage TEXT, old_serial INTEGER, old_resources INTEGER, old_digest TEXT,"
	     " new_present INTEGER, new_lineage TEXT, new_serial INTEGER, new_resources INTEGER, new_digest TEXT,"
	     " detail TEXT);"
	     "CREATE INDEX tf_events_key ON tf_events(dir, backend, workspace, id);" },
	{ 2, "CREATE TABLE tf_blast_cache ("
	     " dir TEXT NOT NULL, backend TEXT NOT NULL, workspace TEXT NOT NULL,"
	     " size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, ctime_ns INTEGER NOT NULL, ino INTEGER NOT NULL,"
	     " policy TEXT NOT NULL, ndeleted INTEGER NOT NULL, nholding INTEGER NOT NULL, nlost INTEGER NOT NULL,"
	     " worst INTEGER NOT NULL, summary TEXT NOT NULL,"
	     " PRIMARY KEY (dir, backend, workspace));" },
};

static int db_fail(struct sqlite3 *db, struct err *e, const char *what)
{
	err_set(e, "state journal: cannot %s: %s", what, sqlite3_errmsg(db));
	return err_hint(e, "check that the state directory ($BLASTWALL_STATE_DIR) is writable and not full");
}

int tfj_migrate(struct sqlite3 *db, struct err *e)
{
	return statedb_migrate(db, "terraform", steps, ARRAY_SIZE(steps), e);
}

int tfj_open(struct arena *a, struct sqlite3 **db, struct err *e)
{
	if (statedb_open(a, db, e) < 0)
		return err_wrap(e, "state journal");
	return tfj_migrate(*db, e);
}

static int prepare(struct sqlite3 *db, const char *sql, sqlite3_stmt **st, struct err *e)
{
	if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK)
		return db_fail(db, e, "prepare a query");
	return 0;
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static void bind_key(sqlite3_stmt *st, const struct tfj_key *k)
{
	bind_text(st, 1, k->dir);
	bind_text(st, 2, k->backend);
	bind_text(st, 3, k->workspace);
}

/* The file identity (size, mtime, ctime, inode) at parameters first..first+3. */
static void bind_ident(sqlite3_stmt *st, int first, const struct tfj_snap *ident)
{
	sqlite3_bind_int64(st, first, ident->size);
	sqlite3_bind_int64(st, first + 1, ident->mtime_ns);
	sqlite3_bind_int64(st, first + 2, ident->ctime_ns);
	sqlite3_bind_int64(st, first + 3, ident->ino);
}

static const char *col_text(struct arena *a, sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? arena_strdup(a, (const char *)t) : NULL;
}

static long long col_int(sqlite3_stmt *st, int i, long long dflt)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? dflt : sqlite3_column_int64(st, i);
}

int tfj_get(struct arena *a, struct sqlite3 *db, const struct tfj_key *k, struct tfj_pin *pin, struct err *e)
{
	memset(pin, 0, sizeof(*pin));
	sqlite3_stmt *st;
	if (prepare(db,
		    "SELECT present, lineage, serial, resources, digest, size, mtime_ns, ctime_ns, ino, pinned_at, seen_at"
		    " FROM tf_pins WHERE dir = ?1 AND backend = ?2 AND workspace = ?3",
		    &st, e) < 0)
		return -1;
	bind_key(st, k);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		pin->exists = true;
		pin->s.present = sqlite3_column_int(st, 0) != 0;
		pin->s.lineage = col_text(a, st, 1);
		pin->s.serial = col_int(st, 2, -1);
		pin->s.resources = col_int(st, 3, -1);
		pin->s.digest = col_text(a, st, 4);
		pin->s.size = col_int(st, 5, 0);
		pin->s.mtime_ns = col_int(st, 6, 0);
		pin->s.ctime_ns = col_int(st, 7, 0);
		pin->s.ino = col_int(st, 8, 0);
		pin->pinned_at = col_int(st, 9, 0);
		pin->seen_at = col_int(st, 10, 0);
		rc = SQLITE_DONE;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, e, "read the pinned state");
	return 0;
}

static void bind_snap(sqlite3_stmt *st, int i, const struct tfj_snap *s)
{
	if (!s) {
		for (int j = 0; j < 5; j++)
			sqlite3_bind_null(st, i + j);
		return;
	}
	sqlite3_bind_int(st, i, s->present ? 1 : 0);
	bind_text(st, i + 1, s->lineage);
	if (s->serial >= 0)
		sqlite3_bind_int64(st, i + 2, s->serial);
	else
		sqlite3_bind_null(st, i + 2);
	if (s->resources >= 0)
		sqlite3_bind_int64(st, i + 3, s->resources);
	else
		sqlite3_bind_null(st, i + 3);
	bind_text(st, i + 4, s->digest);
}

static int add_event(struct sqlite3 *db, const struct tfj_key *k, long long now, const char *event,
		     const struct tfj_snap *old, const struct tfj_snap *obs, const char *detail, struct err *e)
{
	sqlite3_stmt *st;
	if (prepare(db,
		    "INSERT INTO tf_events (dir, backend, workspace, at, event,"
		    " old_present, old_lineage, old_serial, old_resources, old_digest,"
		    " new_present, new_lineage, new_serial, new_resources, new_digest, detail)"
		    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
		    &st, e) < 0)
		return -1;
	bind_key(st, k);
	sqlite3_bind_int64(st, 4, now);
	bind_text(st, 5, event);
	bind_snap(st, 6, old);
	bind_snap(st, 11, obs);
	bind_text(st, 16, detail);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, e, "record an event");
	return 0;
}

static int exec(struct sqlite3 *db, const char *sql, struct err *e)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(db, e, "run a transaction");
	return 0;
}

int tfj_pin(struct sqlite3 *db, const struct tfj_key *k, const struct tfj_snap *obs, long long now,
	    const char *event, const struct tfj_snap *old, const char *detail, struct err *e)
{
	if (exec(db, "BEGIN IMMEDIATE", e) < 0)
		return -1;
	sqlite3_stmt *st;
	if (prepare(db,
		    "INSERT INTO tf_pins (dir, backend, workspace, present, lineage, serial, resources, digest,"
		    " size, mtime_ns, ctime_ns, ino, pinned_at, seen_at)"
		    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13)"
		    " ON CONFLICT (dir, backend, workspace) DO UPDATE SET present = excluded.present,"
		    " lineage = excluded.lineage, serial = excluded.serial, resources = excluded.resources,"
		    " digest = excluded.digest, size = excluded.size, mtime_ns = excluded.mtime_ns,"
		    " ctime_ns = excluded.ctime_ns, ino = excluded.ino, pinned_at = excluded.pinned_at,"
		    " seen_at = excluded.seen_at",
		    &st, e) < 0) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	bind_key(st, k);
	bind_snap(st, 4, obs);
	sqlite3_bind_int64(st, 9, obs->size);
	sqlite3_bind_int64(st, 10, obs->mtime_ns);
	sqlite3_bind_int64(st, 11, obs->ctime_ns);
	sqlite3_bind_int64(st, 12, obs->ino);
	sqlite3_bind_int64(st, 13, now);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		db_fail(db, e, "pin the state");
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	if (add_event(db, k, now, event, old, obs, detail, e) < 0) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return exec(db, "COMMIT", e);
}

int tfj_touch(struct sqlite3 *db, const struct tfj_key *k, const struct tfj_snap *ident, long long now,
	      struct err *e)
{
	sqlite3_stmt *st;
	if (prepare(db,
		    "UPDATE tf_pins SET seen_at = ?4, size = ?5, mtime_ns = ?6, ctime_ns = ?7, ino = ?8"
		    " WHERE dir = ?1 AND backend = ?2 AND workspace = ?3",
		    &st, e) < 0)
		return -1;
	bind_key(st, k);
	sqlite3_bind_int64(st, 4, now);
	bind_ident(st, 5, ident);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, e, "update the pinned state");
	return 0;
}

int tfj_note(struct sqlite3 *db, const struct tfj_key *k, const struct tfj_snap *pinned, const struct tfj_snap *obs,
	     long long now, const char *event, const char *detail, struct err *e)
{
	sqlite3_stmt *st;
	if (prepare(db,
		    "SELECT event = ?4 AND new_digest IS ?5 AND new_present IS ?6 FROM tf_events"
		    " WHERE dir = ?1 AND backend = ?2 AND workspace = ?3 ORDER BY id DESC LIMIT 1",
		    &st, e) < 0)
		return -1;
	bind_key(st, k);
	bind_text(st, 4, event);
	bind_text(st, 5, obs->digest);
	sqlite3_bind_int(st, 6, obs->present ? 1 : 0);
	int rc = sqlite3_step(st);
	bool dup = rc == SQLITE_ROW && sqlite3_column_int(st, 0) == 1;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(db, e, "read the newest event");
	if (dup)
		return 0;
	return add_event(db, k, now, event, pinned, obs, detail, e);
}

static void col_snap(struct arena *a, sqlite3_stmt *st, int i, struct tfj_snap *s)
{
	memset(s, 0, sizeof(*s));
	s->present = col_int(st, i, 0) != 0;
	s->lineage = col_text(a, st, i + 1);
	s->serial = col_int(st, i + 2, -1);
	s->resources = col_int(st, i + 3, -1);
	s->digest = col_text(a, st, i + 4);
}

int tfj_history(struct arena *a, struct sqlite3 *db, const char *dir, size_t limit, struct tfj_event **out,
		size_t *n, struct err *e)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *st;
	if (prepare(db,
		    "SELECT id, dir, backend, workspace, at, event,"
		    " old_present, old_lineage, old_serial, old_resources, old_digest,"
		    " new_present, new_lineage, new_serial, new_resources, new_digest, detail"
		    " FROM tf_events WHERE ?1 IS NULL OR dir = ?1 ORDER BY id DESC LIMIT ?2",
		    &st, e) < 0)
		return -1;
	bind_text(st, 1, dir);
	sqlite3_bind_int64(st, 2, limit ? (long long)limit : -1);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			*out = arena_grow(a, *out, *n, ncap, sizeof(**out));
			cap = ncap;
		}
		struct tfj_event *ev = &(*out)[(*n)++];
		memset(ev, 0, sizeof(*ev));
		ev->id = col_int(st, 0, 0);
		ev->dir = col_text(a, st, 1);
		ev->backend = col_text(a, st, 2);
		ev->workspace = col_text(a, st, 3);
		ev->at = col_int(st, 4, 0);
		ev->event = col_text(a, st, 5);
		col_snap(a, st, 6, &ev->old);
		col_snap(a, st, 11, &ev->now);
		ev->detail = col_text(a, st, 16);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, e, "read the history");
	return 0;
}

int tfj_blast_get(struct arena *a, struct sqlite3 *db, const struct tfj_key *k, const struct tfj_snap *ident,
		  const char *policy, struct tfj_blast *out, bool *hit, struct err *e)
{
	*hit = false;
	memset(out, 0, sizeof(*out));
	if (ident->size <= 0 || ident->mtime_ns == 0)
		return 0;
	sqlite3_stmt *st;
	if (prepare(db,
		    "SELECT ndeleted, nholding, nlost, worst, summary FROM tf_blast_cache"
		    " WHERE dir = ?1 AND backend = ?2 AND workspace = ?3 AND size = ?4 AND mtime_ns = ?5"
		    " AND ctime_ns = ?6 AND ino = ?7 AND policy = ?8",
		    &st, e) < 0)
		return -1;
	bind_key(st, k);
	bind_ident(st, 4, ident);
	bind_text(st, 8, policy);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->ndeleted = sqlite3_column_int64(st, 0);
		out->nholding = sqlite3_column_int64(st, 1);
		out->nlost = sqlite3_column_int64(st, 2);
		out->worst = sqlite3_column_int(st, 3);
		out->summary = col_text(a, st, 4);
		*hit = out->summary != NULL;
		rc = SQLITE_DONE;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, e, "read the blast-radius cache");
	return 0;
}

int tfj_blast_put(struct sqlite3 *db, const struct tfj_key *k, const struct tfj_snap *ident, const char *policy,
		  const struct tfj_blast *b, struct err *e)
{
	if (ident->size <= 0 || ident->mtime_ns == 0)
		return 0;
	sqlite3_stmt *st;
	if (prepare(db,
		    "INSERT OR REPLACE INTO tf_blast_cache (dir, backend, workspace, size, mtime_ns, ctime_ns, ino,"
		    " policy, ndeleted, nholding, nlost, worst, summary)"
		    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
		    &st, e) < 0)
		return -1;
	bind_key(st, k);
	bind_ident(st, 4, ident);
	bind_text(st, 8, policy);
	sqlite3_bind_int64(st, 9, b->ndeleted);
	sqlite3_bind_int64(st, 10, b->nholding);
	sqlite3_bind_int64(st, 11, b->nlost);
	sqlite3_bind_int(st, 12, b->worst);
	bind_text(st, 13, b->summary);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, e, "write the blast-radius cache");
	return 0;
}

const char *tfj_ago(struct arena *a, long long t, long long now)
{
	long long d = now - t;
	if (d < -60)
		return "in the future (the clock disagrees)";
	if (d < 60)
		return "just now";
	static const struct {
		long long secs;
		const char *unit;
	} units[] = {
		{ 365LL * 86400, "year" }, { 30LL * 86400, "month" }, { 7LL * 86400, "week" },
		{ 86400, "day" },          { 3600, "hour" },          { 60, "minute" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
		if (d >= units[i].secs) {
			long long v = d / units[i].secs;
			return arena_printf(a, "%lld %s%s ago", v, units[i].unit, v == 1 ? "" : "s");
		}
	}
	return "just now";
}

const char *tfj_short_lineage(struct arena *a, const char *lineage)
{
	if (!lineage || !*lineage)
		return "(none)";
	if (strlen(lineage) <= 8)
		return lineage;
	return arena_printf(a, "%.8s...", lineage);
}
