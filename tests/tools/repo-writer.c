/*
 * repo-writer.c: a test and benchmark driver for the repository API.
 *
 *   repo-writer write REPO SEED STREAMS MIB [--threads] [--pause-ms N] [--hold FILE]
 *       writes a snapshot of STREAMS streams of MIB MiB of table-like text
 *       generated from SEED, one thread per stream with --threads; prints
 *       the snapshot id. --pause-ms sleeps between writes so that a test can
 *       kill it in the middle; --hold waits, with the lock held, until FILE
 *       exists before committing (lock tests without timing races).
 *   repo-writer check REPO ID SEED STREAMS MIB
 *       reads the snapshot back and compares every byte with the generator;
 *       exit 0 when identical.
 *   repo-writer bench REPO MIB STREAMS
 *       pre-generates the data, then times a snapshot of it and prints MB/s.
 *   repo-writer gen FILE SEED STREAMS MIB
 *       writes the same data the streams would hold, one after another, to
 *       FILE (for comparisons with other tools).
 *
 *   repo-writer future REPO ID
 *       stores a copy of snapshot ID's manifest that claims manifest version
 *       99, as a newer blastwall would write one; prints its id.
 *
 * The key comes from BLASTWALL_KEY_FILE / BLASTWALL_PASSPHRASE like the CLI's.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backup/repo.h"
#include "backup/repo_int.h"
#include "common/buf.h"

/* Table-like rows: ids, e-mail addresses, timestamps, words: compresses about like real data. */
static const char *words[] = { "answer", "course", "student", "lesson", "quiz", "score", "final", "draft",
			       "review", "submitted", "graded", "pending", "module", "chapter", "essay", "project" };

struct gen {
	uint64_t x;
	uint64_t row;
	char line[512];
	size_t len, pos;
};

static uint64_t rnd(struct gen *g)
{
	g->x ^= g->x << 13;
	g->x ^= g->x >> 7;
	g->x ^= g->x << 17;
	return g->x;
}

static void gen_init(struct gen *g, uint64_t seed, int stream)
{
	memset(g, 0, sizeof(*g));
	g->x = (seed + 1) * 0x9e3779b97f4a7c15ULL ^ (uint64_t)(stream + 1) * 0xbf58476d1ce4e5b9ULL;
	if (!g->x)
		g->x = 1;
}

static void gen_line(struct gen *g)
{
	uint64_t r = rnd(g);
	int n = snprintf(g->line, sizeof(g->line), "%llu\t%llu\tuser%llu@example.com\t2026-%02d-%02d %02d:%02d:%02d\t",
			 (unsigned long long)++g->row, (unsigned long long)(r % 100000),
			 (unsigned long long)(r >> 20) % 50000, (int)(r % 12) + 1, (int)(r >> 8) % 28 + 1,
			 (int)(r >> 16) % 24, (int)(r >> 24) % 60, (int)(r >> 32) % 60);
	int nw = 3 + (int)(rnd(g) % 12);
	for (int i = 0; i < nw && n < 400; i++)
		n += snprintf(g->line + n, sizeof(g->line) - (size_t)n, "%s%s", i ? " " : "",
			      words[rnd(g) % ARRAY_SIZE(words)]);
	g->line[n++] = '\n';
	g->len = (size_t)n;
	g->pos = 0;
}

static void gen_fill(struct gen *g, uint8_t *p, size_t n)
{
	while (n) {
		if (g->pos == g->len)
			gen_line(g);
		size_t k = g->len - g->pos < n ? g->len - g->pos : n;
		memcpy(p, g->line + g->pos, k);
		g->pos += k;
		p += k;
		n -= k;
	}
}

static int usage(void)
{
	fprintf(stderr, "usage: repo-writer write REPO SEED STREAMS MIB [--threads] [--pause-ms N] [--hold FILE]\n"
			"       repo-writer check REPO ID SEED STREAMS MIB\n"
			"       repo-writer bench REPO MIB STREAMS\n"
			"       repo-writer gen FILE SEED STREAMS MIB\n"
			"       repo-writer future REPO ID\n");
	return 2;
}

struct job {
	struct snap_writer *w;
	int stream;
	uint64_t seed;
	size_t bytes;
	int pause_ms;
	const uint8_t *pre; /* bench: pre-generated data */
	int rc;
	struct err e;
};

static void *write_job(void *p)
{
	struct job *j = p;
	char name[64];
	snprintf(name, sizeof(name), "data/public.t%d.0", j->stream);
	struct stream_writer *s;
	err_init(&j->e);
	if (snap_stream_open(j->w, name, &s, &j->e) < 0) {
		j->rc = -1;
		return NULL;
	}
	struct gen g;
	gen_init(&g, j->seed, j->stream);
	static const size_t piece = 256 * 1024;
	uint8_t *buf = j->pre ? NULL : malloc(piece);
	for (size_t off = 0; off < j->bytes; off += piece) {
		size_t k = j->bytes - off < piece ? j->bytes - off : piece;
		const uint8_t *src;
		if (j->pre)
			src = j->pre + off;
		else {
			gen_fill(&g, buf, k);
			src = buf;
		}
		if (stream_write(s, src, k, &j->e) < 0) {
			j->rc = -1;
			free(buf);
			stream_close(s, NULL, &j->e);
			return NULL;
		}
		if (j->pause_ms)
			usleep((useconds_t)j->pause_ms * 1000);
	}
	free(buf);
	struct stream_info info;
	j->rc = stream_close(s, &info, &j->e);
	return NULL;
}

static const char *hold_file;

static int run_write(struct repo *r, uint64_t seed, int streams, size_t bytes, bool threads, int pause_ms,
		     uint8_t **pre, char id[65], struct err *e)
{
	struct snap_writer *w;
	if (snap_begin(r, &w, e) < 0)
		return -1;
	struct job *jobs = calloc((size_t)streams, sizeof(*jobs));
	pthread_t *th = calloc((size_t)streams, sizeof(*th));
	for (int i = 0; i < streams; i++) {
		jobs[i] = (struct job){ .w = w, .stream = i, .seed = seed, .bytes = bytes, .pause_ms = pause_ms,
					.pre = pre ? pre[i] : NULL };
		if (threads)
			pthread_create(&th[i], NULL, write_job, &jobs[i]);
		else
			write_job(&jobs[i]);
	}
	int rc = 0;
	for (int i = 0; i < streams; i++) {
		if (threads)
			pthread_join(th[i], NULL);
		if (jobs[i].rc < 0 && rc == 0) {
			*e = jobs[i].e;
			rc = -1;
		}
	}
	free(th);
	free(jobs);
	if (rc < 0) {
		snap_abort(w);
		return -1;
	}
	while (hold_file && access(hold_file, F_OK) != 0)
		usleep(20000);
	json_t *meta = json_pack("{s:s, s:I}", "source", "repo-writer", "seed", (json_int_t)seed);
	rc = snap_commit(w, meta, id, e);
	json_decref(meta);
	return rc;
}

struct cmp {
	struct gen g;
	uint8_t *tmp;
	size_t cap, seen;
	bool same;
};

static int compare_sink(void *ctx, const void *p, size_t n, struct err *e)
{
	struct cmp *c = ctx;
	if (n > c->cap) {
		free(c->tmp);
		c->tmp = malloc(n);
		c->cap = n;
	}
	gen_fill(&c->g, c->tmp, n);
	if (memcmp(c->tmp, p, n) != 0)
		c->same = false;
	c->seen += n;
	return 0;
}

static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return usage();
	struct arena *a = arena_new();
	struct err e;
	err_init(&e);
	struct repo *r;
	const char *cmd = argv[1];
	if (strcmp(cmd, "gen") == 0 && argc == 6) {
		FILE *f = fopen(argv[2], "wb");
		if (!f) {
			arena_free(a);
			return 1;
		}
		int streams = (int)strtol(argv[4], NULL, 10);
		size_t bytes = (size_t)strtoull(argv[5], NULL, 10) << 20;
		uint8_t *buf = malloc(1 << 20);
		for (int i = 0; i < streams; i++) {
			struct gen g;
			gen_init(&g, strtoull(argv[3], NULL, 10), i);
			for (size_t off = 0; off < bytes; off += 1 << 20) {
				gen_fill(&g, buf, 1 << 20);
				fwrite(buf, 1, 1 << 20, f);
			}
		}
		free(buf);
		arena_free(a);
		return fclose(f) == 0 ? 0 : 1;
	}
	if (repo_open(a, argv[2], NULL, &r, &e) < 0) {
		err_print(&e);
		arena_free(a);
		return 1;
	}
	int rc = 1;
	if (strcmp(cmd, "write") == 0 && argc >= 6) {
		bool threads = false;
		int pause_ms = 0;
		for (int i = 6; i < argc; i++) {
			if (strcmp(argv[i], "--threads") == 0)
				threads = true;
			else if (strcmp(argv[i], "--pause-ms") == 0 && i + 1 < argc)
				pause_ms = (int)strtol(argv[++i], NULL, 10);
			else if (strcmp(argv[i], "--hold") == 0 && i + 1 < argc)
				hold_file = argv[++i];
			else
				return usage();
		}
		char id[65];
		if (run_write(r, strtoull(argv[3], NULL, 10), (int)strtol(argv[4], NULL, 10),
			      (size_t)strtoull(argv[5], NULL, 10) << 20, threads, pause_ms, NULL, id, &e) < 0)
			err_print(&e);
		else {
			printf("%s\n", id);
			rc = 0;
		}
	} else if (strcmp(cmd, "future") == 0 && argc == 4) {
		struct snapshot_info s;
		if (repo_find_snapshot(r, a, argv[3], &s, &e) < 0) {
			err_print(&e);
			goto out;
		}
		json_t *m = json_deep_copy(s.manifest);
		json_object_set_new(m, "version", json_integer(99));
		char *text = json_dumps(m, JSON_COMPACT);
		uint8_t id[32];
		repo_object_id(r, text, strlen(text), id);
		char hex[65], key[96];
		bwcrypto_hex(id, 32, hex);
		snprintf(key, sizeof(key), "snapshots/%s", hex);
		struct obj_scratch sc = { 0 };
		const uint8_t *obj;
		size_t objn;
		obj_encode(&sc, OBJ_SNAPSHOT, text, strlen(text), 1, repo_enc_key(r), &obj, &objn);
		if (storage_put(r->st, key, obj, objn, 0, &e) < 0) {
			err_print(&e);
		} else {
			printf("%s\n", hex);
			rc = 0;
		}
		obj_scratch_release(&sc);
		free(text);
		json_decref(m);
	} else if (strcmp(cmd, "check") == 0 && argc == 7) {
		struct snapshot_info s;
		if (repo_find_snapshot(r, a, argv[3], &s, &e) < 0) {
			err_print(&e);
			goto out;
		}
		uint64_t seed = strtoull(argv[4], NULL, 10);
		int streams = (int)strtol(argv[5], NULL, 10);
		size_t bytes = (size_t)strtoull(argv[6], NULL, 10) << 20;
		rc = 0;
		for (int i = 0; i < streams; i++) {
			char name[64];
			snprintf(name, sizeof(name), "data/public.t%d.0", i);
			struct cmp c = { .same = true };
			gen_init(&c.g, seed, i);
			if (snap_stream_read(r, &s, name, compare_sink, &c, &e) < 0) {
				err_print(&e);
				rc = 1;
			} else if (!c.same || c.seen != bytes) {
				fprintf(stderr, "stream %s differs (%zu bytes read, %zu expected)\n", name, c.seen, bytes);
				rc = 1;
			}
			free(c.tmp);
		}
	} else if (strcmp(cmd, "bench") == 0 && argc == 5) {
		size_t bytes = (size_t)strtoull(argv[3], NULL, 10) << 20;
		int streams = (int)strtol(argv[4], NULL, 10);
		uint8_t **pre = calloc((size_t)streams, sizeof(*pre));
		uint64_t seed = (uint64_t)time(NULL);
		for (int i = 0; i < streams; i++) {
			pre[i] = malloc(bytes);
			struct gen g;
			gen_init(&g, seed, i);
			gen_fill(&g, pre[i], bytes);
		}
		char id[65];
		double t0 = now(), c0 = cpu_now();
		if (run_write(r, seed, streams, bytes, true, 0, pre, id, &e) < 0) {
			err_print(&e);
			goto out;
		}
		double t1 = now(), c1 = cpu_now();
		double mb = (double)bytes * streams / 1e6;
		printf("first:  %.0f MB in %.2f s = %.0f MB/s (%d streams); %.2f CPU s = %.0f MB per CPU second\n", mb,
		       t1 - t0, mb / (t1 - t0), streams, c1 - c0, mb / (c1 - c0));
		if (run_write(r, seed, streams, bytes, true, 0, pre, id, &e) < 0) {
			err_print(&e);
			goto out;
		}
		double t2 = now(), c2 = cpu_now();
		printf("again:  %.0f MB in %.2f s = %.0f MB/s (unchanged data); %.2f CPU s = %.0f MB per CPU second\n", mb,
		       t2 - t1, mb / (t2 - t1), c2 - c1, mb / (c2 - c1));
		for (int i = 0; i < streams; i++)
			free(pre[i]);
		free(pre);
		rc = 0;
	} else
		rc = usage();
out:
	arena_free(a);
	return rc;
}
