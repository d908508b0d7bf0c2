/*
 * db.h: what every database driver (postgres.c, sqlite.c) reports back to
 * the backup, restore and drill commands.
 */
#ifndef BW_DB_H
#define BW_DB_H

#include <stdint.h>

struct backup_summary {
	char id[65];
	uint64_t tables, rows, bytes, stored_bytes, new_chunks, chunks;
	double seconds;
};

struct restore_summary {
	uint64_t tables, rows, bytes;
	int dropped;         /* statements in the DROP script run by --clean */
	const char *drop_list; /* --clean: the first of those statements, one per line (arena) */
	int roles_created;
	double seconds;
};

/* Monotonic seconds. */
double db_now(void);

#endif
