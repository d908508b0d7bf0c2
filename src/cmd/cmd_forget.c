/*
 * cmd_forget.c: "blastwall forget": removes snapshots by keep rules (or by
 * id), under the writer lock. Only manifests are removed; the chunks they
 * alone used stay until 'blastwall prune' (or forget --prune).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backup/forget.h"
#include "backup/repo_admin.h"
#include "cmd/cmd.h"

static const char usage[] =
	"usage: blastwall forget [--repo PATH] [--keep-last N] [--keep-daily N] [--keep-weekly N]\n"
	"                        [--keep-monthly N] [--keep-yearly N] [--dry-run] [--prune] [--json]\n"
	"       blastwall forget [--repo PATH] [--dry-run] [--prune] ID...\n"
	"\n"
	"Removes the snapshots that no keep rule keeps, or the snapshots named. Rules apply\n"
	"per source (each database separately), newest first: --keep-daily 7 keeps the\n"
	"newest snapshot of each of the 7 most recent days that have one. Days, weeks and\n"
	"months are in local time ($TZ). Chunks stay until 'blastwall prune'.\n"
	"\n"
	"  --keep-last N          keep the N newest snapshots\n"
	"  --keep-daily N         keep the newest snapshot of each of the last N days with one\n"
	"  --keep-weekly N        ... of each of the last N ISO weeks\n"
	"  --keep-monthly N       ... of each of the last N months\n"
	"  --keep-yearly N        ... of each of the last N years\n"
	"  --dry-run              show what would be kept and removed, change nothing\n"
	"  --prune                then delete the chunks no snapshot uses any more\n"
	"  --repo PATH            the repository (default: $BLASTWALL_REPO)\n"
	"  --key-file F, --passphrase-file F   key of an encrypted repository\n"
	"  --json                 machine-readable output\n"
	"\n"
	"Exit status: 0 done, 1 failed (nothing is removed when the lock cannot be taken), 2 usage.\n";

static int parse_count(const char *opt, const char *arg, int *out)
{
	unsigned long long v;
	if (!str_to_u64(str_from(arg), &v) || v > 1000000)
		return cmd_usage_error("forget", "%s takes a count, not '%s'", opt, arg);
	*out = (int)v;
	return 0;
}

int cmd_forget(int argc, char **argv)
{
	static const struct option opts[] = {
		REPO_ARGS_OPTIONS,
		{ "keep-last", required_argument, NULL, 'L' },
		{ "keep-daily", required_argument, NULL, 'D' },
		{ "keep-weekly", required_argument, NULL, 'W' },
		{ "keep-monthly", required_argument, NULL, 'M' },
		{ "keep-yearly", required_argument, NULL, 'Y' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "prune", no_argument, NULL, 'P' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct repo_args ra = { 0 };
	bool json = false, dry = false, prune = false;
	struct forget_rules rules = { 0 };
	int c;
	while ((c = getopt_long(argc, argv, "r:nh", opts, NULL)) != -1) {
		int bad = 0;
		switch (c) {
		case 'r': case 'k': case 'p': repo_args_set(&ra, c, optarg); break;
		case 'L': bad = parse_count("--keep-last", optarg, &rules.last); break;
		case 'D': bad = parse_count("--keep-daily", optarg, &rules.daily); break;
		case 'W': bad = parse_count("--keep-weekly", optarg, &rules.weekly); break;
		case 'M': bad = parse_count("--keep-monthly", optarg, &rules.monthly); break;
		case 'Y': bad = parse_count("--keep-yearly", optarg, &rules.yearly); break;
		case 'n': dry = true; break;
		case 'P': prune = true; break;
		case 'j': json = true; break;
		case 'h': fputs(usage, stdout); return EXIT_OK;
		default: return cmd_usage_error("forget", "unknown option");
		}
		if (bad)
			return bad;
	}
	int nref = argc - optind;
	if (nref > 0 && forget_rules_any(&rules))
		return cmd_usage_error("forget", "give keep rules or snapshot ids, not both");
	if (nref == 0 && !forget_rules_any(&rules))
		return cmd_usage_error("forget", "give at least one --keep-* rule (with a count above 0) or snapshot ids; "
						 "forget never removes everything by default");
	struct arena *a = arena_new();
	struct err e;
	err_init(&e);
	struct repo *r;
	int rc = EXIT_FAIL;
	json_t *out = json_array();
	if (repo_open_cli(a, &ra, &r, &e) < 0) {
		rc = e.code ? e.code : EXIT_FAIL;
		goto out;
	}
	if (!dry && repo_lock(r, "forget", &e) < 0)
		goto out;
	struct snapshot_info *v;
	size_t n;
	if (repo_list_snapshots(r, a, &v, &n, &e) < 0)
		goto out;
	struct forget_item *items = arena_new_array(a, struct forget_item, n + 1);
	for (size_t i = 0; i < n; i++) {
		items[i].id = v[i].id;
		items[i].time = v[i].time;
		items[i].seq = (int64_t)i; /* the list is oldest first */
		items[i].group = json_string_value(json_object_get(json_object_get(v[i].manifest, "meta"), "source"));
	}
	if (nref > 0) {
		/* by id: each must name exactly one snapshot */
		for (size_t i = 0; i < n; i++) {
			items[i].keep = true;
			snprintf(items[i].why, sizeof(items[i].why), "not named");
		}
		for (int k = 0; k < nref; k++) {
			/* resolved by name, not by loading: a damaged manifest must be removable too */
			const char *id;
			if (repo_resolve_snapshot(r, a, argv[optind + k], &id, &e) < 0)
				goto out;
			bool listed = false;
			for (size_t i = 0; i < n; i++)
				if (strcmp(items[i].id, id) == 0) {
					items[i].keep = false;
					items[i].why[0] = '\0';
					listed = true;
				}
			if (!listed) {
				items = arena_grow(a, items, n, n + 2, sizeof(*items));
				items[n] = (struct forget_item){ .id = id, .time = 0, .seq = -1 };
				snprintf(items[n].why, sizeof(items[n].why), "damaged manifest");
				n++;
			}
		}
	} else
		forget_apply(items, n, &rules);
	size_t kept = 0, removed = 0;
	for (size_t i = 0; i < n; i++) {
		struct forget_item *it = &items[i];
		char when[32];
		time_t tt = (time_t)it->time;
		struct tm tm;
		localtime_r(&tt, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
		if (it->seq < 0)
			snprintf(when, sizeof(when), "%-19s", "(unreadable)");
		if (it->keep)
			kept++;
		else {
			if (!dry && repo_forget_snapshot(r, it->id, &e) < 0)
				goto out;
			removed++;
		}
		if (json)
			json_array_append_new(out, json_pack("{s:s, s:I, s:s?, s:s, s:s}", "id", it->id, "time",
							     (json_int_t)it->time, "source", it->group, "action",
							     it->keep ? "keep" : "remove", "reason", it->why));
		else
			printf("%-6s %.12s  %s  %-30s %s\n", it->keep ? "keep" : "remove", it->id, when,
			       it->group ? it->group : "-", it->why);
	}
	if (!dry && repo_sync(r, &e) < 0)
		goto out;
	struct prune_stats ps = { 0 };
	if (prune && repo_prune(r, dry, &ps, &e) < 0)
		goto out;
	if (json) {
		json_t *j = json_pack("{s:b, s:I, s:I, s:o}", "dry_run", dry, "kept", (json_int_t)kept, "removed",
				      (json_int_t)removed, "snapshots", out);
		out = NULL;
		if (prune)
			json_object_set_new(j, "prune", json_pack("{s:I, s:I}", "chunks_removed", (json_int_t)ps.removed,
								   "bytes_removed", (json_int_t)ps.removed_bytes));
		char *s = json_dumps(j, JSON_INDENT(2));
		puts(s);
		free(s);
		json_decref(j);
	} else {
		printf("%s %zu snapshot%s, kept %zu%s\n", dry ? "would remove" : "removed", removed,
		       removed == 1 ? "" : "s", kept, dry ? " (dry run: nothing changed)" : "");
		if (prune)
			printf("%s %llu unused chunk%s (%s)\n", dry ? "would delete" : "deleted",
			       (unsigned long long)ps.removed, ps.removed == 1 ? "" : "s",
			       repo_human_bytes(a, ps.removed_bytes));
		else if (removed && !dry)
			printf("run 'blastwall prune' to free the space their data used\n");
	}
	rc = EXIT_OK;
out:
	if (rc != EXIT_OK)
		err_print(&e);
	json_decref(out);
	arena_free(a); /* releases the lock */
	return rc;
}
