/*
 * source.h: what a backup reads from or a restore writes to, as the user
 * types it: "postgres://user@host/db" (or "postgresql://", or a libpq
 * "key=value" string) and "sqlite:path/to/app.db". Parsing is pure string
 * work (no libpq), so the CLI can reject a bad argument before loading
 * anything. Results are allocated from the caller's arena.
 */
#ifndef BW_SOURCE_H
#define BW_SOURCE_H

#include "common/arena.h"
#include "common/err.h"

enum source_kind { SOURCE_POSTGRES = 1, SOURCE_SQLITE = 2 };

struct source {
	enum source_kind kind;
	const char *conninfo;  /* postgres: the libpq connection string as given */
	const char *path;      /* sqlite: the database file path */
	const char *redacted;  /* for messages and manifests: the password replaced by "***" */
};

/* Fails with a message naming the argument and the accepted forms. */
int source_parse(struct arena *a, const char *arg, struct source *out, struct err *e);

/* Returns s with any password (URI user info, "password=" key or query parameter) replaced by "***". */
char *source_redact(struct arena *a, const char *s);

#endif
