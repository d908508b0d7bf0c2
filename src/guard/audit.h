/*
 * audit.h: the tamper-evident audit log of guard decisions, kept in state.db
 * (table audit_log, module "audit").
 *
 * Every row carries seq (1, 2, 3, ... without gaps), the fields of the
 * decision, prev_hash (the previous row's hash; 64 zeros for row 1) and hash =
 * SHA-256 over a canonical encoding of the row and prev_hash. The newest
 * seq/hash are also kept in audit_head, written in the same transaction, so
 * that deleting rows at the end is noticed too. audit_verify walks the chain
 * and names every row that was edited, deleted, reordered or inserted.
 *
 * What this protects against: edits made with sqlite3 or any tool that does
 * not recompute the chain. Whoever can write state.db can also rewrite the
 * whole chain; to notice that, keep the head hash that "blastwall log
 * --verify" prints somewhere else and compare it later.
 */
#ifndef BW_AUDIT_H
#define BW_AUDIT_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/arena.h"
#include "common/err.h"

struct audit_entry {
	long long seq;          /* set by audit_append */
	const char *time;       /* UTC ISO 8601 with ms, "2026-11-22T07:40:31.123Z"; NULL = now */
	const char *cwd;
	const char *agent;      /* "claude", "codex", "gemini", "cursor", "cli" */
	const char *session;    /* may be NULL */
	const char *command;
	const char *decision;   /* "allow", "ask", "deny" */
	const char *rules;      /* rule ids, comma separated; may be NULL */
	const char *reason;     /* may be NULL */
	char prev_hash[65];
	char hash[65];
};

/* Creates or upgrades the audit tables (audit_append does it when needed). */
int audit_migrate(sqlite3 *db, struct err *e);

/*
 * Opens state.db for appending (the tables are created by the first
 * audit_append). The connection does
 * not fsync (STATEDB_NO_SYNC): the hook writes one row per ask or deny and an
 * fsync would cost more than all the rest of the hook.
 */
int audit_open(struct arena *a, sqlite3 **db, struct err *e);

/* Appends one row (one IMMEDIATE transaction); fills ent->seq, time, hashes. */
int audit_append(struct arena *a, sqlite3 *db, struct audit_entry *ent, struct err *e);

/* The row's hash (64 hex digits + NUL) given its fields and prev_hash. */
void audit_row_hash(const struct audit_entry *ent, char out[65]);

struct audit_filter {
	long limit;             /* newest N rows (0 = all) */
	const char *decision;   /* NULL = any */
	const char *since;      /* ISO 8601 lower bound on time, NULL = any */
};

/* Reads rows matching f, oldest first. */
int audit_query(struct arena *a, sqlite3 *db, const struct audit_filter *f, struct audit_entry **out, size_t *n,
		struct err *e);

struct audit_problem {
	long long seq;          /* the row concerned (or where the gap starts) */
	const char *what;       /* "edited", "deleted", "inserted", ... with detail */
};

struct audit_report {
	size_t rows;
	long long last_seq;
	char head_hash[65];     /* the hash of the newest row, "" when empty */
	struct audit_problem *problems;
	size_t nproblems;
};

/* Checks the whole chain. Returns 0 after checking (problems listed in r), -1 when it could not read. */
int audit_verify(struct arena *a, sqlite3 *db, struct audit_report *r, struct err *e);

/* The current UTC time as "YYYY-MM-DDTHH:MM:SS.mmmZ" (allocated from a). */
char *audit_now(struct arena *a);

#endif
