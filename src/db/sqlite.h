/*
 * sqlite.h: SQLite backups and restores. A backup copies the database with
 * SQLite's online backup API into a temporary file (a consistent image even
 * while the application keeps writing), reads table row counts and the
 * schema from that copy, then streams the file into one repository stream
 * ("sqlite/database"); content-defined chunking dedups unchanged pages across
 * snapshots. A restore writes the stream to a temporary file next to the
 * target, checks it (PRAGMA quick_check, row counts), then renames it into
 * place.
 */
#ifndef BW_SQLITE_H
#define BW_SQLITE_H

#include <stdbool.h>

#include "backup/repo.h"
#include "common/arena.h"
#include "common/err.h"
#include "db/db.h"

/* Writes one snapshot of the SQLite database at path into r (locked by the caller). */
int sqlite_backup(struct arena *a, struct repo *r, const char *path, struct backup_summary *out, struct err *e);

/*
 * Restores snapshot s into the file dest. An existing dest is refused unless
 * force; with force its -wal and -shm files are removed too (they belong to
 * the old database and would corrupt the new one).
 */
int sqlite_restore(struct arena *a, struct repo *r, const struct snapshot_info *s, const char *dest, bool force,
		   struct restore_summary *out, struct err *e);

/* Counts the rows of table name in the database file path. */
int sqlite_count_rows(const char *path, const char *table, long long *out, struct err *e);

/* Runs sql against the database file path; the first column of the first row as text (arena copy; NULL -> ""). */
int sqlite_query_value(struct arena *a, const char *path, const char *sql, char **out, struct err *e);

/* Runs sql (no result rows expected) against the database file path. */
int sqlite_exec(const char *path, const char *sql, struct err *e);

#endif
