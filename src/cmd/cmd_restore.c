/*
 * cmd_restore.c: `blastwall restore`: any snapshot into a PostgreSQL
 * database (--into postgres://...), a SQLite file (--into sqlite:PATH), or a
 * throwaway local server / file (--local DIR); `restore --stop DIR` stops
 * such a local server. Restores only read the repository: no lock.
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
#include "common/fs.h"
#include "db/pgcluster.h"
#include "db/postgres.h"
#include "db/sqlite.h"


static void usage(FILE *f)
{
	fprintf(f, "usage: blastwall restore --repo PATH [--snapshot ID|latest] --into TARGET [--clean] [--no-owner] [--force] [-j N]\n"
		   "       blastwall restore --repo PATH [--snapshot ID|latest] --local DIR [--tcp] [-j N]\n"
		   "       blastwall restore --stop DIR\n"
		   "\n"
		   "  --snapshot ID          the snapshot (a unique id prefix, or latest: the default)\n"
		   "  --into TARGET          postgres://... (an empty database) or sqlite:PATH (a new file)\n"
		   "  --local DIR            start a throwaway PostgreSQL in DIR with the data (SQLite: write DIR/NAME)\n"
		   "  --tcp                  with --local: also listen on 127.0.0.1 (a free port)\n"
		   "  --clean                PostgreSQL: first drop the snapshot's own objects (DROP ... IF EXISTS)\n"
		   "  --no-owner             PostgreSQL: leave out ownership (OWNER TO) and privileges (GRANT/REVOKE)\n"
		   "  --force                SQLite: replace an existing file\n"
		   "  -j, --jobs N           parallel connections (default: the number of CPUs)\n"
		   "  --stop DIR             stop the local server started with --local DIR\n"
		   "  --key-file F, --passphrase-file F   key of an encrypted repository\n"
		   "  --json                 print the result as JSON\n"
		   "  -q, --quiet            no progress\n");
}

static void print_json(const char *id, const char *target, const struct restore_summary *s, const char *conninfo)
{
	json_t *j = json_pack("{s:s, s:s, s:I, s:I, s:I, s:i, s:i, s:f}", "snapshot", id, "target", target, "tables",
			      (json_int_t)s->tables, "rows", (json_int_t)s->rows, "bytes", (json_int_t)s->bytes, "dropped",
			      s->dropped, "roles_created", s->roles_created, "seconds", s->seconds);
	if (conninfo)
		json_object_set_new(j, "conninfo", json_string(conninfo));
	char *t = json_dumps(j, JSON_INDENT(2));
	printf("%s\n", t);
	free(t);
	json_decref(j);
}

int cmd_restore(int argc, char **argv)
{
	static const struct option opts[] = {
		REPO_ARGS_OPTIONS,
		{ "snapshot", required_argument, NULL, 's' },
		{ "into", required_argument, NULL, 'i' },
		{ "local", required_argument, NULL, 'l' },
		{ "stop", required_argument, NULL, 'S' },
		{ "tcp", no_argument, NULL, 't' },
		{ "clean", no_argument, NULL, 'c' },
		{ "no-owner", no_argument, NULL, 'O' },
		{ "force", no_argument, NULL, 'f' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "json", no_argument, NULL, 'J' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *snap = "latest", *into = NULL, *local = NULL, *stop = NULL;
	struct repo_args ra = { 0 };
	bool tcp = false, clean = false, no_owner = false, force = false, json = false, quiet = false;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int jobs = ncpu > 0 ? (int)(ncpu > 64 ? 64 : ncpu) : 2;
	int c;
	while ((c = getopt_long(argc, argv, "j:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'r': case 'k': case 'p': repo_args_set(&ra, c, optarg); break;
		case 's': snap = optarg; break;
		case 'i': into = optarg; break;
		case 'l': local = optarg; break;
		case 'S': stop = optarg; break;
		case 't': tcp = true; break;
		case 'c': clean = true; break;
		case 'O': no_owner = true; break;
		case 'f': force = true; break;
		case 'j':
			if (cmd_parse_jobs("restore", optarg, &jobs) != 0)
				return EXIT_USAGE;
			break;
		case 'J': json = true; break;
		case 'q': quiet = true; break;
		case 'h': usage(stdout); return EXIT_OK;
		default: return cmd_usage_error("restore", "unknown option");
		}
	}
	if (optind < argc)
		return cmd_usage_error("restore", "unexpected argument '%s'", argv[optind]);
	struct arena *a = arena_new();
	struct err e;
	err_init(&e);
	int rc = EXIT_FAIL;
	if (stop) {
		if (into || local)
			rc = cmd_usage_error("restore", "--stop takes no --into or --local");
		else if (pgcluster_stop(a, stop, &e) < 0)
			err_print(&e);
		else {
			if (!quiet)
				printf("stopped the PostgreSQL in %s (its files are still there: rm -rf %s to remove them)\n", stop, stop);
			rc = EXIT_OK;
		}
		arena_free(a);
		return rc;
	}
	if (!!into + !!local != 1) {
		arena_free(a);
		return cmd_usage_error("restore", "say where to: --into TARGET or --local DIR (one of them)");
	}
	if (tcp && !local) {
		arena_free(a);
		return cmd_usage_error("restore", "--tcp goes with --local");
	}
	struct source target = { 0 };
	if (into && source_parse(a, into, &target, &e) < 0) {
		err_print(&e);
		arena_free(a);
		return EXIT_USAGE;
	}
	struct repo *r;
	if (repo_open_cli(a, &ra, &r, &e) < 0) {
		err_print(&e);
		arena_free(a);
		return e.code ? e.code : EXIT_FAIL;
	}
	struct snapshot_info s;
	if (repo_find_snapshot(r, a, snap, &s, &e) < 0) {
		err_print(&e);
		arena_free(a);
		return EXIT_FAIL;
	}
	json_t *meta = json_object_get(s.manifest, "meta");
	const char *kind = json_string_value(json_object_get(meta, "kind"));
	bool is_pg = kind && strcmp(kind, "postgres") == 0, is_sqlite = kind && strcmp(kind, "sqlite") == 0;
	if (!is_pg && !is_sqlite) {
		bw_error("snapshot %.12s holds no database blastwall can restore", s.id);
		arena_free(a);
		return EXIT_FAIL;
	}
	if (into && ((target.kind == SOURCE_POSTGRES) != is_pg)) {
		bw_error("snapshot %.12s is a %s backup; it cannot be restored into '%s'", s.id, is_pg ? "PostgreSQL" : "SQLite",
			 target.redacted);
		fprintf(stderr, "hint: use --into %s, or --local DIR\n", is_pg ? "postgres://..." : "sqlite:PATH");
		arena_free(a);
		return EXIT_FAIL;
	}
	if ((clean || no_owner) && !is_pg) {
		arena_free(a);
		return cmd_usage_error("restore", "--clean and --no-owner are for PostgreSQL snapshots");
	}
	if (force && is_pg) {
		arena_free(a);
		return cmd_usage_error("restore", "--force is for SQLite targets; PostgreSQL uses --clean");
	}
	bool progress = !quiet && !json && isatty(2);
	struct restore_summary sum;
	const char *where = into ? target.redacted : local;
	if (is_sqlite) {
		const char *dest = into ? target.path : NULL;
		if (local) {
			struct err me;
			err_init(&me);
			if (fs_mkdir_p(local, 0755, &me) < 0) {
				err_print(&me);
				arena_free(a);
				return EXIT_FAIL;
			}
			const char *name = json_string_value(json_object_get(meta, "database"));
			dest = path_join(a, local, name && *name ? name : "restored.db");
		}
		if (sqlite_restore(a, r, &s, dest, force, &sum, &e) < 0) {
			err_print(&e);
		} else {
			rc = EXIT_OK;
			if (json)
				print_json(s.id, dest, &sum, NULL);
			else if (!quiet)
				printf("restored snapshot %.12s into %s: %llu tables, %llu rows, %.1f s\n", s.id, dest,
				       (unsigned long long)sum.tables, (unsigned long long)sum.rows, sum.seconds);
		}
		arena_free(a);
		return rc;
	}
	struct pg_restore_opts ro = { .jobs = jobs, .clean = clean, .no_owner = no_owner, .progress = progress };
	struct pgcluster cl;
	if (local) {
		const char *db = json_string_value(json_object_get(meta, "database"));
		if (!db || !*db)
			db = "restored";
		if (pgcluster_create(a, local, tcp, &cl, &e) < 0) {
			err_print(&e);
			arena_free(a);
			return EXIT_FAIL;
		}
		if (pgcluster_create_db(a, &cl, db, json_string_value(json_object_get(meta, "encoding")), &e) < 0) {
			err_print(&e);
			struct err e2;
			err_init(&e2);
			pgcluster_destroy(a, cl.dir, &e2);
			arena_free(a);
			return EXIT_FAIL;
		}
		ro.conninfo = pgcluster_conninfo(a, &cl, db);
		ro.create_roles = true;
	} else {
		ro.conninfo = target.conninfo;
	}
	if (pg_restore_snapshot(a, r, &s, &ro, &sum, &e) < 0) {
		err_wrap(&e, "restore of snapshot %.12s into %s failed", s.id, where);
		err_print(&e);
		if (local) {
			struct err e2;
			err_init(&e2);
			if (pgcluster_stop(a, cl.dir, &e2) == 0)
				fprintf(stderr, "blastwall: the local server in %s is stopped; its log is %s/postgres.log\n", cl.dir, cl.dir);
		} else {
			fprintf(stderr, "hint: the target may hold part of the data now; restore again with --clean\n");
		}
		arena_free(a);
		return EXIT_FAIL;
	}
	rc = EXIT_OK;
	if (json) {
		print_json(s.id, where, &sum, local ? ro.conninfo : NULL);
	} else if (!quiet) {
		if (clean)
			printf("--clean: dropped the snapshot's own objects first (%d statements, each IF EXISTS; nothing else was touched):\n%s",
			       sum.dropped, sum.drop_list ? sum.drop_list : "");
		printf("restored snapshot %.12s into %s: %llu tables, %llu rows, %s, %.1f s\n", s.id, where,
		       (unsigned long long)sum.tables, (unsigned long long)sum.rows, repo_human_bytes(a, sum.bytes), sum.seconds);
		if (local) {
			printf("\nconnect:  psql \"%s\"\n", ro.conninfo);
			if (tcp)
				printf("      or  psql -h 127.0.0.1 -p %d -U postgres %s\n", cl.port,
				       json_string_value(json_object_get(meta, "database")));
			printf("stop:     blastwall restore --stop %s   (or: %spg_ctl -D %s stop)\n", cl.dir,
			       cl.as_user ? "runuser -u postgres -- " : "", cl.datadir);
			printf("This copy runs without durability (fsync off): look, query, export; do not run production on it.\n");
		}
	}
	arena_free(a);
	return rc;
}
