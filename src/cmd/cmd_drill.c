/*
 * cmd_drill.c: `blastwall drill`: restore a snapshot into scratch, verify
 * it, store the result in the repository, report. Exit 0 only when every
 * check passed; the result is stored either way (a failing drill is exactly
 * the history worth keeping).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backup/drill.h"
#include "backup/repo_admin.h"
#include "cmd/cmd.h"
#include "cmd/cmd_db.h"
#include "common/fs.h"


static void usage(FILE *f)
{
	fprintf(f, "usage: blastwall drill --repo PATH [--snapshot ID|latest] [--max-age HOURS] [--keep] [--json] [--metrics FILE]\n"
		   "\n"
		   "Restores the snapshot into a throwaway local PostgreSQL (or a temporary SQLite file),\n"
		   "checks every table's row count and the checks in .blastwall.yaml (drill.checks), fails\n"
		   "when the newest snapshot is older than the allowed age, and stores the result.\n"
		   "\n"
		   "  --snapshot ID          the snapshot to drill (default: latest)\n"
		   "  --max-age HOURS        the newest snapshot may be at most this old (default: drill.max_age_hours, or 26;\n"
		   "                         0 turns the check off)\n"
		   "  --keep                 keep this restored copy (the previously kept one is removed)\n"
		   "  --scratch DIR          where the scratch copy is made (default: $TMPDIR or /tmp)\n"
		   "  -j, --jobs N           parallel connections for the restore\n"
		   "  --json                 print the result as JSON (doc/json/drill.md)\n"
		   "  --metrics FILE         write a Prometheus textfile (node_exporter's textfile collector)\n"
		   "  --history              list the drill results stored in the repository (with --json: as JSON)\n"
		   "  --key-file F, --passphrase-file F   key of an encrypted repository\n"
		   "  -q, --quiet            no progress\n");
}

/* --history: the stored drill results, oldest first. */
static int print_history(struct arena *a, const struct repo_args *ra, bool json)
{
	struct err e;
	err_init(&e);
	struct repo *r;
	json_t *arr;
	if (repo_open_cli(a, ra, &r, &e) < 0 || repo_list_drills(r, a, &arr, &e) < 0) {
		err_print(&e);
		return e.code ? e.code : EXIT_FAIL;
	}
	if (json) {
		char *t = json_dumps(arr, JSON_INDENT(2));
		printf("%s\n", t);
		free(t);
		return EXIT_OK;
	}
	if (json_array_size(arr) == 0) {
		printf("no drills recorded in '%s' yet: run 'blastwall drill --repo %s'\n", repo_path(r), repo_path(r));
		return EXIT_OK;
	}
	printf("%-20s  %-12s  %-6s  %9s  %12s  %s\n", "TIME (UTC)", "SNAPSHOT", "RESULT", "RESTORE", "ROWS", "FIRST FAILURE");
	size_t i;
	json_t *d;
	json_array_foreach(arr, i, d) {
		json_t *snap = json_object_get(d, "snapshot");
		const char *id = snap ? json_string_value(json_object_get(snap, "id")) : NULL;
		json_t *f0 = json_array_get(json_object_get(d, "failures"), 0);
		printf("%-20s  %-12.12s  %-6s  %8.1fs  %12" JSON_INTEGER_FORMAT "  %s\n",
		       json_string_value(json_object_get(d, "started_at")) ? json_string_value(json_object_get(d, "started_at")) : "?",
		       id ? id : "-", json_is_true(json_object_get(d, "ok")) ? "passed" : "FAILED",
		       json_number_value(json_object_get(d, "restore_seconds")), json_integer_value(json_object_get(d, "rows_restored")),
		       f0 ? json_string_value(f0) : "");
	}
	return EXIT_OK;
}

int cmd_drill(int argc, char **argv)
{
	static const struct option opts[] = {
		REPO_ARGS_OPTIONS,
		{ "snapshot", required_argument, NULL, 's' },
		{ "max-age", required_argument, NULL, 'm' },
		{ "keep", no_argument, NULL, 'K' },
		{ "scratch", required_argument, NULL, 'S' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "json", no_argument, NULL, 'J' },
		{ "metrics", required_argument, NULL, 'M' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "history", no_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *metrics = NULL;
	struct repo_args ra = { 0 };
	struct drill_opts o = { .snapshot = "latest", .max_age_hours = -1 };
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	o.jobs = ncpu > 0 ? (int)(ncpu > 64 ? 64 : ncpu) : 2;
	bool json = false, quiet = false, history = false;
	int c;
	while ((c = getopt_long(argc, argv, "j:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'r': case 'k': case 'p': repo_args_set(&ra, c, optarg); break;
		case 's': o.snapshot = optarg; break;
		case 'm': {
			unsigned long long v;
			if (!str_to_u64(str_from(optarg), &v) || v > 24ULL * 365 * 10)
				return cmd_usage_error("drill", "--max-age takes whole hours (0 = no limit), not '%s'", optarg);
			o.max_age_hours = (long)v;
			break;
		}
		case 'K': o.keep = true; break;
		case 'S': o.scratch = optarg; break;
		case 'j':
			if (cmd_parse_jobs("drill", optarg, &o.jobs) != 0)
				return EXIT_USAGE;
			break;
		case 'J': json = true; break;
		case 'M': metrics = optarg; break;
		case 'q': quiet = true; break;
		case 'H': history = true; break;
		case 'h': usage(stdout); return EXIT_OK;
		default: return cmd_usage_error("drill", "unknown option");
		}
	}
	if (optind < argc)
		return cmd_usage_error("drill", "unexpected argument '%s'", argv[optind]);
	struct arena *a = arena_new();
	struct err e;
	err_init(&e);
	if (history) {
		int hrc = print_history(a, &ra, json);
		arena_free(a);
		return hrc;
	}
	char cwd[4096];
	struct bw_config cfg;
	if (config_load(a, getcwd(cwd, sizeof(cwd)) ? cwd : ".", &cfg, &e) < 0) {
		err_print(&e);
		arena_free(a);
		return EXIT_FAIL;
	}
	if (cfg.broken) {
		/* the checks cannot be trusted: a drill that skips them would be a false green */
		bw_error("cannot read the drill checks: %s", cfg.broken_msg);
		fprintf(stderr, "hint: fix the file; 'blastwall drill' needs it to know what to check\n");
		arena_free(a);
		return EXIT_FAIL;
	}
	o.checks = cfg.drill_checks;
	o.nchecks = cfg.ndrill_checks;
	if (o.max_age_hours < 0)
		o.max_age_hours = cfg.drill_max_age_hours > 0 ? cfg.drill_max_age_hours : 26;
	o.progress = !quiet && !json && isatty(2);
	struct repo *r;
	if (repo_open_cli(a, &ra, &r, &e) < 0) {
		err_print(&e);
		arena_free(a);
		return e.code ? e.code : EXIT_FAIL;
	}
	/* one kept copy per repository: remember it in the state directory */
	unsigned long h = 5381;
	for (const char *p = repo_path(r); *p; p++)
		h = h * 33 + (unsigned char)*p;
	o.keep_record = path_join(a, fs_state_dir(a), arena_printf(a, "drill-kept-%08lx", h & 0xffffffffUL));
	json_t *res = NULL;
	if (drill_run(a, r, &o, &res, &e) < 0) {
		err_print(&e);
		arena_free(a);
		return EXIT_FAIL;
	}
	int rc = json_is_true(json_object_get(res, "ok")) ? EXIT_OK : EXIT_FAIL;
	struct err se;
	err_init(&se);
	if (repo_put_drill(r, res, &se) < 0) {
		/* the drill itself still counts; the history is what is missing */
		bw_warn("the drill result was not stored in the repository: %s", se.msg);
		json_array_append_new(json_object_get(res, "failures"),
				      json_string(arena_printf(a, "the result could not be stored: %s", se.msg)));
		json_object_set_new(res, "ok", json_false());
		rc = EXIT_FAIL;
	}
	if (metrics) {
		struct err me;
		err_init(&me);
		if (drill_write_metrics(metrics, res, &me) < 0) {
			err_print(&me);
			rc = EXIT_FAIL;
		}
	}
	if (json) {
		char *t = json_dumps(res, JSON_INDENT(2));
		printf("%s\n", t);
		free(t);
	} else {
		drill_print(stdout, res);
	}
	json_decref(res);
	arena_free(a);
	return rc;
}
