/*
 * cmd_prune.c: "blastwall prune": deletes the chunks no snapshot uses any
 * more (after forget, or left by an interrupted backup), under the writer
 * lock so that a running backup is never robbed of a chunk it counts on.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "backup/repo_admin.h"
#include "cmd/cmd.h"

static const char usage[] =
	"usage: blastwall prune [--repo PATH] [--key-file F | --passphrase-file F] [--dry-run] [--json]\n"
	"\n"
	"Deletes every stored chunk that no snapshot uses, and temporary files left by\n"
	"interrupted backups. Takes the writer lock: it waits for no one, and fails if a\n"
	"backup is running.\n"
	"\n"
	"  --dry-run              count what would be deleted, delete nothing\n"
	"  --repo PATH            the repository (default: $BLASTWALL_REPO)\n"
	"  --key-file F, --passphrase-file F   key of an encrypted repository\n"
	"  --json                 machine-readable output\n"
	"\n"
	"Exit status: 0 done, 1 failed (locked, or a snapshot cannot be read), 2 usage.\n";

int cmd_prune(int argc, char **argv)
{
	static const struct option opts[] = {
		REPO_ARGS_OPTIONS,
		{ "dry-run", no_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct repo_args ra = { 0 };
	bool json = false, dry = false;
	int c;
	while ((c = getopt_long(argc, argv, "r:nh", opts, NULL)) != -1) {
		switch (c) {
		case 'r': case 'k': case 'p': repo_args_set(&ra, c, optarg); break;
		case 'n': dry = true; break;
		case 'j': json = true; break;
		case 'h': fputs(usage, stdout); return EXIT_OK;
		default: return cmd_usage_error("prune", "unknown option");
		}
	}
	if (optind < argc)
		return cmd_usage_error("prune", "unexpected argument '%s'", argv[optind]);
	struct arena *a = arena_new();
	struct err e;
	err_init(&e);
	struct repo *r;
	int rc = EXIT_FAIL;
	if (repo_open_cli(a, &ra, &r, &e) < 0) {
		rc = e.code ? e.code : EXIT_FAIL;
		goto out;
	}
	if (!dry && repo_lock(r, "prune", &e) < 0)
		goto out;
	struct prune_stats st;
	if (repo_prune(r, dry, &st, &e) < 0)
		goto out;
	if (json) {
		json_t *j = json_pack("{s:b, s:I, s:I, s:I, s:I, s:I, s:I}", "dry_run", dry, "snapshots",
				      (json_int_t)st.snapshots, "chunks", (json_int_t)st.chunks, "bytes",
				      (json_int_t)st.bytes, "chunks_removed", (json_int_t)st.removed, "bytes_removed",
				      (json_int_t)st.removed_bytes, "temp_files_removed", (json_int_t)st.temp_removed);
		char *s = json_dumps(j, JSON_INDENT(2));
		puts(s);
		free(s);
		json_decref(j);
	} else {
		printf("%s %llu of %llu chunks (%s of %s) that none of the %llu snapshots uses%s\n",
		       dry ? "would delete" : "deleted", (unsigned long long)st.removed, (unsigned long long)st.chunks,
		       repo_human_bytes(a, st.removed_bytes), repo_human_bytes(a, st.bytes),
		       (unsigned long long)st.snapshots, dry ? " (dry run: nothing changed)" : "");
		if (st.temp_removed)
			printf("removed %llu temporary file%s left by interrupted backups\n",
			       (unsigned long long)st.temp_removed, st.temp_removed == 1 ? "" : "s");
	}
	rc = EXIT_OK;
out:
	if (rc != EXIT_OK)
		err_print(&e);
	arena_free(a);
	return rc;
}
