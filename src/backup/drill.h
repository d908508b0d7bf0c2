/*
 * drill.h: proving that a backup restores. A drill restores one snapshot
 * into a scratch target (a throwaway local PostgreSQL, or a temporary SQLite
 * file), waits until the database answers a query, compares every table's
 * row count with the manifest, runs the user's checks (drill.checks in
 * .blastwall.yaml) and fails when the newest snapshot of that source is
 * older than the allowed age. The result (doc/json/drill.md) is stored in
 * the repository, so the drill history lives with the backups.
 */
#ifndef BW_DRILL_H
#define BW_DRILL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "backup/repo.h"
#include "common/arena.h"
#include "common/err.h"
#include "guard/config.h"

struct drill_opts {
	const char *snapshot;          /* "latest" or an id (prefix) */
	int jobs;
	long max_age_hours;            /* 0: no age limit */
	const char *scratch;           /* directory under which the scratch target is made; NULL: $TMPDIR or /tmp */
	bool keep;                     /* keep this restored copy (and remove the previously kept one) */
	const char *keep_record;       /* file remembering the kept copy, per repository */
	const struct drill_check *checks;
	size_t nchecks;
	bool progress;                 /* stage lines on stderr */
};

/*
 * Runs a drill. Returns 0 with *result set whenever the drill ran (ok or
 * not: see "ok" in the result); -1 only when no drill could be attempted at
 * all (e is set then). The result is not yet stored: see drill_store.
 */
int drill_run(struct arena *a, struct repo *r, const struct drill_opts *o, json_t **result, struct err *e);

/* Writes the Prometheus textfile for a result (atomically). */
int drill_write_metrics(const char *path, json_t *result, struct err *e);

/* Prints the human report. */
void drill_print(FILE *f, json_t *result);

#endif
