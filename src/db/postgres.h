/*
 * postgres.h: PostgreSQL logical backups into a blastwall repository and
 * restores out of it, through libpq (loaded at run time, see pq_load.h).
 *
 * A backup is one consistent snapshot: a leader transaction exports its
 * snapshot (pg_export_snapshot), every worker connection and the three
 * pg_dump runs (pre-data, post-data, the matching DROP script) import it.
 * Table data is COPY binary when every column is a built-in type with
 * binary I/O (about half the server's parsing work on a restore), COPY text
 * otherwise (enums, domains, extension types: their binary forms carry
 * database-specific OIDs), one stream per table part; big tables are cut
 * into ctid block ranges (TID range scans, PostgreSQL 14+) so that one large
 * table spreads over the workers. Row counts come from the COPY itself, so
 * they are exact for the snapshot. The manifest meta is described in
 * doc/json/snapshot-meta.md.
 *
 * A restore replays pre-data, loads the tables in parallel (one COPY FROM
 * STDIN per table, its parts in order), sets the sequences, then runs
 * post-data: indexes and constraints in parallel as their tables are
 * loaded, the rest (foreign keys, triggers...) in dump order.
 */
#ifndef BW_POSTGRES_H
#define BW_POSTGRES_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "backup/repo.h"
#include "common/arena.h"
#include "common/err.h"
#include "db/db.h"
#include "db/pq_load.h"

/* Connects (loading libpq first). doing says what for: "cannot <doing>: <libpq message>" plus a hint. */
int pg_connect(struct arena *a, const char *conninfo, const char *doing, PGconn **out, struct err *e);
/* Runs a command that returns no rows; on failure e = "cannot <doing>: <server message>". */
int pg_exec_cmd(PGconn *c, const char *sql, const char *doing, struct err *e);
/* Runs a query; returns the result (caller PQclear's) or NULL with e set. */
PGresult *pg_query(PGconn *c, const char *sql, const char *doing, struct err *e);
/* The first column of the first row as text (arena copy); NULL value -> "". */
int pg_query_value(struct arena *a, PGconn *c, const char *sql, const char *doing, char **out, struct err *e);

struct pg_backup_opts {
	const char *conninfo;
	const char *redacted;  /* conninfo without the password, for the manifest and messages */
	int jobs;              /* parallel connections, >= 1 */
	bool progress;         /* progress lines on stderr */
};

/* Writes one snapshot of the database into r (which the caller has locked). Nothing is visible on failure. */
int pg_backup(struct arena *a, struct repo *r, const struct pg_backup_opts *o, struct backup_summary *out,
	      struct err *e);

struct pg_restore_opts {
	const char *conninfo;
	int jobs;
	bool clean;          /* run the snapshot's DROP ... IF EXISTS script first */
	bool no_owner;       /* leave out OWNER TO, GRANT and REVOKE */
	bool create_roles;   /* create the source's roles that are missing (NOLOGIN): for throwaway targets */
	bool progress;
};

/* Restores a PostgreSQL snapshot into the database conninfo names, which must be empty unless o->clean. */
int pg_restore_snapshot(struct arena *a, struct repo *r, const struct snapshot_info *s, const struct pg_restore_opts *o,
			struct restore_summary *out, struct err *e);

#endif
