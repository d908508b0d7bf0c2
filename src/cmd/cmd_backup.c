/*
 * cmd_backup.c: `blastwall backup SOURCE --repo PATH [-j N]`: one snapshot
 * of a PostgreSQL or SQLite database into a repository. The repository lock
 * is held for the whole run; on any failure the snapshot is aborted, so
 * nothing half-written is ever listed.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backup/repo_admin.h"
#include "backup/source.h"
#include "cmd/cmd.h"
#include "cmd/cmd_db.h"
#include "db/postgres.h"
#include "db/sqlite.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: blastwall backup SOURCE --repo PATH [-j N] [--key-file F | --passphrase-file F] [--json] [--quiet]\n"
		   "\n"
		   "SOURCE is postgres://USER[:PASSWORD]@HOST[:PORT]/DB (or a libpq \"key=value\" string)\n"
		   "or sqlite:PATH. PostgreSQL is read in one consistent snapshot over N parallel\n"
		   "connections (default: the number of CPUs).\n"
		   "\n"
		   "  --repo PATH            the repository (or $BLASTWALL_REPO)\n"
		   "  -j, --jobs N           parallel connections for PostgreSQL\n"
		   "  --key-file F           key of an encrypted repository (or $BLASTWALL_KEY_FILE)\n"
		   "  --passphrase-file F    passphrase of an encrypted repository\n"
		   "  --json                 print the result as JSON\n"
		   "  -q, --quiet            no progress, no summary\n");
}

int cmd_parse_jobs(const char *cmd, const char *arg, int *out)
{
	unsigned long long v;
	if (!str_to_u64(str_from(arg), &v) || v < 1 || v > 64)
		return cmd_usage_error(cmd, "-j takes a number from 1 to 64, not '%s'", arg);
	*out = (int)v;
	return 0;
}

int cmd_backup(int argc, char **argv)
{
	static const struct option opts[] = {
		REPO_ARGS_OPTIONS,
		{ "jobs", required_argument, NULL, 'j' },
		{ "json", no_argument, NULL, 'J' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct repo_args ra = { 0 };
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int jobs = ncpu > 0 ? (int)(ncpu > 64 ? 64 : ncpu) : 2;
	bool json = false, quiet = false;
	int c;
	while ((c = getopt_long(argc, argv, "j:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'r': case 'k': case 'p': repo_args_set(&ra, c, optarg); break;
		case 'j':
			if (cmd_parse_jobs("backup", optarg, &jobs) != 0)
				return EXIT_USAGE;
			break;
		case 'J': json = true; break;
		case 'q': quiet = true; break;
		case 'h': usage(stdout); return EXIT_OK;
		default: return cmd_usage_error("backup", "unknown option");
		}
	}
	if (optind >= argc)
		return cmd_usage_error("backup", "which database? give SOURCE (postgres://... or sqlite:PATH)");
	if (optind + 1 < argc)
		return cmd_usage_error("backup", "one SOURCE at a time ('%s' is extra)", argv[optind + 1]);
	struct arena *a = arena_new();
	struct err e;
	err_init(&e);
	struct source src;
	struct repo *r = NULL;
	int rc = EXIT_FAIL;
	if (source_parse(a, argv[optind], &src, &e) < 0) {
		err_print(&e);
		arena_free(a);
		return EXIT_USAGE;
	}
	if (repo_open_cli(a, &ra, &r, &e) < 0) {
		err_print(&e);
		arena_free(a);
		return e.code ? e.code : EXIT_FAIL;
	}
	if (repo_lock(r, "backup", &e) < 0) {
		err_print(&e);
		arena_free(a);
		return EXIT_FAIL;
	}
	struct backup_summary s;
	int brc;
	bool progress = !quiet && !json && isatty(2);
	if (src.kind == SOURCE_POSTGRES) {
		struct pg_backup_opts o = { .conninfo = src.conninfo, .redacted = src.redacted, .jobs = jobs, .progress = progress };
		brc = pg_backup(a, r, &o, &s, &e);
	} else {
		brc = sqlite_backup(a, r, src.path, &s, &e);
	}
	repo_unlock(r);
	if (brc < 0) {
		err_wrap(&e, "backup of '%s' failed", src.redacted);
		err_print(&e);
		fprintf(stderr, "blastwall: no snapshot was saved; the repository is unchanged\n");
	} else {
		rc = EXIT_OK;
		if (json) {
			json_t *j = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:f}", "snapshot", s.id, "source",
					      src.redacted, "tables", (json_int_t)s.tables, "rows", (json_int_t)s.rows, "bytes",
					      (json_int_t)s.bytes, "stored_bytes", (json_int_t)s.stored_bytes, "chunks",
					      (json_int_t)s.chunks, "new_chunks", (json_int_t)s.new_chunks, "seconds", s.seconds);
			char *txt = json_dumps(j, JSON_INDENT(2));
			printf("%s\n", txt);
			free(txt);
			json_decref(j);
		} else if (!quiet) {
			printf("snapshot %.12s saved: %s, %llu tables, %llu rows, %s read, %s new (%llu of %llu chunks), %.1f s\n",
			       s.id, src.redacted, (unsigned long long)s.tables, (unsigned long long)s.rows,
			       repo_human_bytes(a, s.bytes), repo_human_bytes(a, s.stored_bytes),
			       (unsigned long long)s.new_chunks, (unsigned long long)s.chunks, s.seconds);
		}
	}
	arena_free(a);
	return rc;
}
