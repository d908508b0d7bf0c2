/*
 * cmd_verify.c: "blastwall verify [--read-data]". Without --read-data it
 * checks the structure: the config, that every manifest decodes,
 * authenticates and is well formed, and that every chunk a manifest names
 * exists. With --read-data it also reads every chunk back and checks its
 * checksum, authentication, decompression and that its content hashes to its
 * name. Each problem names the damaged object and the snapshots and streams
 * that use it. Exit 1 when anything is wrong.
 */
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backup/repo_admin.h"
#include "cmd/cmd.h"
#include "common/term.h"

static const char usage[] =
	"usage: blastwall verify [--repo PATH] [--key-file F | --passphrase-file F] [--read-data [--repair]] [--json]\n"
	"\n"
	"Checks that every snapshot in the repository can be restored: each manifest\n"
	"decodes and is well formed, and each chunk it names exists. --read-data also\n"
	"reads, decrypts, decompresses and checksums every stored chunk. Each problem\n"
	"names the damaged object and the snapshots and streams that use it.\n"
	"\n"
	"  --read-data            read and check every stored object, not only the structure\n"
	"  --repair               move damaged objects to quarantine/ (under the lock) so that the\n"
	"                         next backup stores that data afresh; snapshots that used them stay damaged\n"
	"  --repo PATH            the repository (default: $BLASTWALL_REPO)\n"
	"  --key-file F           key file of an encrypted repository ($BLASTWALL_KEY_FILE)\n"
	"  --passphrase-file F    passphrase of an encrypted repository ($BLASTWALL_PASSPHRASE)\n"
	"  --json                 machine-readable output\n"
	"\n"
	"Exit status: 0 no problems, 1 problems found (or the repository cannot be opened), 2 usage.\n";

struct vstate {
	json_t *refs;    /* chunk id -> array of "snapshot-id-prefix:stream" */
	json_t *present; /* chunk id -> stored size */
	json_t *problems;
	uint64_t stored_bytes;
};

static void add_problem(struct vstate *v, const char *object, const char *msg, json_t *users)
{
	json_t *u = users ? json_incref(users) : json_array();
	json_array_append_new(v->problems, json_pack("{s:s, s:s, s:o}", "object", object, "problem", msg, "used_by", u));
}

static int note_chunk(void *ctx, const char *id, uint64_t size, int64_t mtime)
{
	struct vstate *v = ctx;
	json_object_set_new(v->present, id, json_integer((json_int_t)size));
	v->stored_bytes += size;
	return 0;
}

struct reader {
	struct repo *r;
	const char **ids;
	size_t n;
	atomic_size_t next;
	atomic_size_t done;
	pthread_mutex_t mu;
	char **errors; /* per id: NULL or the message (malloc'd) */
};

static void *read_worker(void *p)
{
	struct reader *rd = p;
	for (;;) {
		size_t i = atomic_fetch_add(&rd->next, 1);
		if (i >= rd->n)
			return NULL;
		struct err e;
		err_init(&e);
		if (repo_check_chunk(rd->r, rd->ids[i], &e) < 0)
			rd->errors[i] = xstrdup(e.msg);
		atomic_fetch_add(&rd->done, 1);
	}
}

static void read_all(struct repo *r, struct vstate *v, bool progress)
{
	size_t n = json_object_size(v->present);
	const char **ids = xcalloc(n + 1, sizeof(char *));
	size_t k = 0;
	const char *key;
	json_t *val;
	json_object_foreach(v->present, key, val) ids[k++] = key;
	struct reader rd = { .r = r, .ids = ids, .n = n };
	rd.errors = xcalloc(n + 1, sizeof(char *));
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int nthreads = ncpu < 1 ? 1 : ncpu > 8 ? 8 : (int)ncpu;
	pthread_t th[8];
	for (int i = 0; i < nthreads; i++)
		pthread_create(&th[i], NULL, read_worker, &rd);
	if (progress) {
		while (atomic_load(&rd.done) < n) {
			fprintf(stderr, "\rreading chunks: %zu/%zu", atomic_load(&rd.done), n);
			usleep(200000);
		}
		fprintf(stderr, "\r\033[K");
	}
	for (int i = 0; i < nthreads; i++)
		pthread_join(th[i], NULL);
	for (size_t i = 0; i < n; i++) {
		if (!rd.errors[i])
			continue;
		char obj[80];
		snprintf(obj, sizeof(obj), "data/%.2s/%s", ids[i], ids[i]);
		add_problem(v, obj, rd.errors[i], json_object_get(v->refs, ids[i]));
		free(rd.errors[i]);
	}
	free(rd.errors);
	free(ids);
}

static const char *users_text(struct arena *a, json_t *users)
{
	size_t n = json_array_size(users);
	if (n == 0)
		return "not used by any snapshot";
	const char *s = arena_printf(a, "used by %s", json_string_value(json_array_get(users, 0)));
	if (n > 1)
		s = arena_printf(a, "%s and %zu more", s, n - 1);
	return s;
}

int cmd_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		REPO_ARGS_OPTIONS,
		{ "read-data", no_argument, NULL, 'd' },
		{ "repair", no_argument, NULL, 'R' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct repo_args ra = { 0 };
	bool json = false, read_data = false, repair = false;
	int c;
	while ((c = getopt_long(argc, argv, "r:h", opts, NULL)) != -1) {
		switch (c) {
		case 'r': case 'k': case 'p': repo_args_set(&ra, c, optarg); break;
		case 'd': read_data = true; break;
		case 'R': repair = true; break;
		case 'j': json = true; break;
		case 'h': fputs(usage, stdout); return EXIT_OK;
		default: return cmd_usage_error("verify", "unknown option");
		}
	}
	if (optind < argc)
		return cmd_usage_error("verify", "unexpected argument '%s'", argv[optind]);
	if (repair && !read_data)
		return cmd_usage_error("verify", "--repair needs --read-data");
	struct arena *a = arena_new();
	struct err e;
	err_init(&e);
	struct repo *r;
	int rc = EXIT_FAIL;
	struct vstate v = { json_object(), json_object(), json_array(), 0 };
	if (repo_open_cli(a, &ra, &r, &e) < 0) {
		err_print(&e);
		rc = e.code ? e.code : EXIT_FAIL;
		goto out;
	}
	/* repairing moves objects: no backup may deduplicate against them meanwhile */
	if (repair && repo_lock(r, "verify --repair", &e) < 0) {
		err_print(&e);
		goto out;
	}
	char **ids;
	size_t nid;
	if (repo_snapshot_ids(r, a, &ids, &nid, &e) < 0) {
		err_print(&e);
		goto out;
	}
	size_t good = 0;
	uint64_t nrefs = 0;
	for (size_t i = 0; i < nid; i++) {
		struct snapshot_info s;
		struct err le;
		err_init(&le);
		int lrc = repo_load_snapshot(r, a, ids[i], &s, &le);
		if (lrc < 0) {
			add_problem(&v, arena_printf(a, "snapshots/%s", ids[i]), le.msg, NULL);
			if (lrc == REPO_NEWER) /* a newer blastwall's snapshot: not damage, never moved aside */
				json_object_set_new(json_array_get(v.problems, json_array_size(v.problems) - 1), "newer",
						    json_true());
			continue;
		}
		good++;
		size_t si;
		json_t *st;
		json_array_foreach(json_object_get(s.manifest, "streams"), si, st) {
			const char *name = json_string_value(json_object_get(st, "name"));
			size_t ci;
			json_t *ch;
			json_array_foreach(json_object_get(st, "chunks"), ci, ch) {
				const char *cid = json_string_value(json_array_get(ch, 0));
				json_t *users = json_object_get(v.refs, cid);
				if (!users) {
					users = json_array();
					json_object_set_new(v.refs, cid, users);
				}
				nrefs++;
				char *u = arena_printf(a, "snapshot %.12s stream '%s'", s.id, name);
				size_t nu = json_array_size(users);
				if (nu == 0 || strcmp(json_string_value(json_array_get(users, nu - 1)), u) != 0)
					json_array_append_new(users, json_string(u));
			}
		}
	}
	if (repo_list_chunks(r, note_chunk, &v, &e) < 0) {
		err_print(&e);
		goto out;
	}
	const char *cid;
	json_t *users;
	size_t unused = 0;
	json_object_foreach(v.refs, cid, users) {
		if (!json_object_get(v.present, cid))
			add_problem(&v, arena_printf(a, "data/%.2s/%s", cid, cid), "missing", users);
	}
	json_t *sz;
	json_object_foreach(v.present, cid, sz) {
		if (!json_object_get(v.refs, cid))
			unused++;
	}
	if (read_data)
		read_all(r, &v, !json && isatty(2));
	size_t np = json_array_size(v.problems);
	size_t moved = 0;
	if (repair) {
		size_t i;
		json_t *p;
		json_array_foreach(v.problems, i, p) {
			const char *obj = json_string_value(json_object_get(p, "object"));
			if (strcmp(json_string_value(json_object_get(p, "problem")), "missing") == 0 ||
			    json_is_true(json_object_get(p, "newer")))
				continue;
			if (repo_quarantine(r, obj, &e) < 0) {
				err_print(&e);
				goto out;
			}
			json_object_set_new(p, "quarantined", json_true());
			moved++;
		}
	}
	if (json) {
		json_t *j = json_pack("{s:b, s:s, s:b, s:I, s:I, s:I, s:I, s:I, s:O}", "ok", np == 0, "repository",
				      repo_path(r), "read_data", read_data, "snapshots", (json_int_t)nid, "snapshots_ok",
				      (json_int_t)good, "chunks", (json_int_t)json_object_size(v.present), "unused_chunks",
				      (json_int_t)unused, "stored_bytes", (json_int_t)v.stored_bytes, "problems",
				      v.problems);
		char *s = json_dumps(j, JSON_INDENT(2));
		puts(s);
		free(s);
		json_decref(j);
	} else {
		size_t i;
		json_t *p;
		json_array_foreach(v.problems, i, p) {
			fprintf(stderr, "%s: damaged: %s: %s (%s)\n", bw_progname,
				json_string_value(json_object_get(p, "object")),
				json_string_value(json_object_get(p, "problem")),
				users_text(a, json_object_get(p, "used_by")));
		}
		printf("%zu snapshot%s, %zu chunk%s (%s)%s: ", nid, nid == 1 ? "" : "s",
		       json_object_size(v.present), json_object_size(v.present) == 1 ? "" : "s",
		       repo_human_bytes(a, v.stored_bytes), read_data ? ", all data read" : ", structure only");
		if (np == 0)
			printf("no problems found\n");
		else
			printf("%zu problem%s found\n", np, np == 1 ? "" : "s");
		int lstate;
		char ldesc[512];
		struct err le;
		err_init(&le);
		if (!repair && repo_lock_state(r, &lstate, ldesc, sizeof(ldesc), &le) == 0 && lstate == 1)
			printf("note: the repository is locked by %s; a snapshot it is writing is not checked until it "
			       "is complete\n",
			       ldesc);
		if (unused)
			printf("%zu chunk%s not used by any snapshot ('blastwall prune' removes them)\n", unused,
			       unused == 1 ? " is" : "s are");
		if (moved)
			printf("moved %zu damaged object%s to quarantine/: the next backup stores that data again\n", moved,
			       moved == 1 ? "" : "s");
		else if (np && read_data)
			fprintf(stderr, "hint: 'blastwall verify --read-data --repair' moves damaged objects aside so that "
					"the next backup does not reuse them\n");
		if (np)
			fprintf(stderr, "hint: snapshots that use a damaged object cannot be restored completely; "
					"take a new backup, and restore from an undamaged snapshot\n");
	}
	rc = np ? EXIT_FAIL : EXIT_OK;
out:
	json_decref(v.refs);
	json_decref(v.present);
	json_decref(v.problems);
	arena_free(a);
	return rc;
}
