/*
 * statedb.h: blastwall's embedded SQLite database, state.db in the state
 * directory (fs_state_dir, created 0700; the file is 0600). It holds the
 * audit log and whatever other modules keep between runs (the Terraform
 * state journal, ...).
 *
 * Connections use WAL (readers never wait for the hook's writer),
 * synchronous=NORMAL (a commit costs no fsync; a power cut can lose the last
 * commits but never corrupts the file) unless STATEDB_NO_SYNC is asked for,
 * and a short busy timeout so a hook never hangs on a lock held by another
 * process. Closing does not checkpoint and the WAL file is kept between
 * processes (see statedb.c for why: hooks open and close it all the time).
 *
 * Schema versioning: PRAGMA user_version is the version of the database's own
 * bookkeeping (the schema_versions table). Each module keeps its own version
 * in schema_versions and brings its tables up to date with statedb_migrate,
 * so modules evolve independently:
 *
 *     static const struct statedb_migration tf_steps[] = {
 *         { 1, "CREATE TABLE tf_journal(...)" },
 *         { 2, "ALTER TABLE tf_journal ADD COLUMN lineage TEXT" },
 *     };
 *     if (statedb_open(a, &db, e) < 0 ||
 *         statedb_migrate(db, "terraform", tf_steps, ARRAY_SIZE(tf_steps), e) < 0)
 *         return -1;
 *
 * Steps are applied in order inside one IMMEDIATE transaction, so two
 * processes racing on a fresh database do not both apply them. A step's
 * version must never change meaning once released: add a new step instead.
 * A database written by a newer blastwall (module version above the last
 * step) is refused with a hint rather than misread.
 *
 * Ownership: the sqlite3 handle is closed when the arena is released.
 */
#ifndef BW_STATEDB_H
#define BW_STATEDB_H

#include <sqlite3.h>

#include "common/arena.h"
#include "common/err.h"

struct statedb_migration {
	int version;      /* 1, 2, 3, ... in order */
	const char *sql;  /* one or more statements */
};

enum {
	STATEDB_READONLY = 1,  /* open an existing database read-only; fails if it is missing */
	/*
	 * Commits and checkpoints are handed to the OS without fsync
	 * (synchronous=OFF). A process crash loses nothing; a power cut or kernel
	 * crash just after a write can lose the newest rows or, rarely, damage the
	 * file. For the hook's audit row, where an fsync would cost more than
	 * everything else the hook does (see audit.c); not for data that matters
	 * more than the speed of one write. Its checkpoints also carry other
	 * modules' committed pages into the database file without fsync.
	 */
	STATEDB_NO_SYNC = 2,
};

/* Opens (creating it and its directory when needed) $STATE_DIR/state.db. */
int statedb_open(struct arena *a, sqlite3 **db, struct err *e);

/* Same for an explicit path; flags is 0 or STATEDB_READONLY. */
int statedb_open_path(struct arena *a, const char *path, int flags, sqlite3 **db, struct err *e);

/* The path statedb_open uses (allocated from a). */
char *statedb_path(struct arena *a);

/* Applies module's steps above its recorded version. */
int statedb_migrate(sqlite3 *db, const char *module, const struct statedb_migration *steps, size_t n,
		    struct err *e);

/* The module's recorded schema version (0 when it has none yet), or -1 on error. */
int statedb_module_version(sqlite3 *db, const char *module, struct err *e);

/* Runs SQL with no result rows; on error fills e with "what: sqlite message". */
int statedb_exec(sqlite3 *db, const char *sql, const char *what, struct err *e);

#endif
