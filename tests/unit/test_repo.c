/* test_repo.c: the repository API (repo.h) end to end on a temp directory. */
#include "harness.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "backup/repo.h"
#include "backup/repo_admin.h"
#include "common/buf.h"

static char *tmp_repo(struct arena *a)
{
	char tmpl[] = "/tmp/bw-test-repo.XXXXXX";
	char *d = mkdtemp(tmpl);
	if (!d)
		abort();
	return arena_printf(a, "%s/repo", d);
}

static void rm_rf(const char *path)
{
	char cmd[1024];
	/* the repository and the mkdtemp directory around it */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && rmdir \"$(dirname '%s')\"", path, path);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", path);
}

/* deterministic pseudo-random bytes with some structure so that zstd has work */
static void fill(uint8_t *p, size_t n, uint64_t seed)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ULL + 1;
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = (i % 7 == 0) ? (uint8_t)x : (uint8_t)('a' + (x >> 59));
	}
}

static int sink_buf(void *ctx, const void *p, size_t n, struct err *e)
{
	struct buf *b = ctx;
	if (buf_add(b, p, n) < 0)
		return err_set(e, "too big");
	return 0;
}

static int write_stream(struct snap_writer *w, const char *name, const uint8_t *p, size_t n, size_t piece,
			struct stream_info *info)
{
	struct err e;
	err_init(&e);
	struct stream_writer *s;
	if (snap_stream_open(w, name, &s, &e) < 0)
		return -1;
	for (size_t off = 0; off < n; off += piece) {
		size_t k = n - off < piece ? n - off : piece;
		if (stream_write(s, p + off, k, &e) < 0) {
			fprintf(stderr, "%s\n", e.msg);
			return -1;
		}
	}
	return stream_close(s, info, &e);
}

static bool read_equals(struct repo *r, const struct snapshot_info *si, const char *name, const uint8_t *p, size_t n)
{
	struct buf b;
	buf_init(&b, 0);
	struct err e;
	err_init(&e);
	int rc = snap_stream_read(r, si, name, sink_buf, &b, &e);
	if (rc < 0)
		fprintf(stderr, "read %s: %s\n", name, e.msg);
	bool ok = rc == 0 && b.n == n && (n == 0 || memcmp(b.p, p, n) == 0);
	buf_release(&b);
	return ok;
}

TEST(repo_round_trip_and_dedup)
{
	struct arena *a = arena_new();
	char *path = tmp_repo(a);
	struct err e;
	err_init(&e);
	struct repo_init_opts io = { 0 };
	CHECK(repo_init(path, &io, &e) == 0);
	CHECK(repo_init(path, &io, &e) < 0); /* already one */
	struct repo *r;
	CHECK(repo_open(a, path, NULL, &r, &e) == 0);

	size_t n1 = 9u << 20, n2 = 12345;
	uint8_t *d1 = malloc(n1), *d2 = malloc(n2);
	fill(d1, n1, 1);
	fill(d2, n2, 2);
	struct snap_writer *w;
	CHECK(snap_begin(r, &w, &e) == 0);
	struct stream_info i1, i2, i3;
	CHECK(write_stream(w, "data/t1", d1, n1, 65536 + 3, &i1) == 0);
	CHECK(write_stream(w, "schema.sql", d2, n2, 100, &i2) == 0);
	CHECK(write_stream(w, "empty", d2, 0, 1, &i3) == 0);
	CHECK_INTEQ(i1.bytes, n1);
	CHECK(i1.chunks >= 3);
	CHECK_INTEQ(i1.new_chunks, i1.chunks);
	CHECK_INTEQ(i3.chunks, 0);
	json_t *meta = json_pack("{s:s}", "source", "test");
	char id[65];
	CHECK(snap_commit(w, meta, id, &e) == 0);
	json_decref(meta);

	/* second snapshot of the same data: nothing new stored */
	CHECK(snap_begin(r, &w, &e) == 0);
	struct stream_info j1;
	CHECK(write_stream(w, "data/t1", d1, n1, 1 << 20, &j1) == 0);
	CHECK_INTEQ(j1.new_chunks, 0);
	CHECK_INTEQ(j1.stored_bytes, 0);
	CHECK_STREQ(j1.sha256, i1.sha256);
	char id2[65];
	CHECK(snap_commit(w, NULL, id2, &e) == 0);

	struct snapshot_info *v;
	size_t n;
	CHECK(repo_list_snapshots(r, a, &v, &n, &e) == 0);
	CHECK_INTEQ(n, 2);
	struct snapshot_info si;
	CHECK(repo_find_snapshot(r, a, id, &si, &e) == 0);
	CHECK(read_equals(r, &si, "data/t1", d1, n1));
	CHECK(read_equals(r, &si, "schema.sql", d2, n2));
	CHECK(read_equals(r, &si, "empty", d2, 0));
	const char **names;
	size_t nn;
	CHECK(snap_stream_names(&si, a, &names, &nn, &e) == 0);
	CHECK_INTEQ(nn, 3);
	CHECK_STREQ(names[1], "schema.sql");
	CHECK(repo_find_snapshot(r, a, "latest", &si, &e) == 0);
	CHECK_STREQ(si.id, id2);
	CHECK(repo_find_snapshot(r, a, "zz", &si, &e) < 0);

	json_t *drill = json_pack("{s:b}", "ok", 1), *drills;
	CHECK(repo_put_drill(r, drill, &e) == 0);
	json_decref(drill);
	CHECK(repo_list_drills(r, a, &drills, &e) == 0);
	CHECK_INTEQ(json_array_size(drills), 1);
	free(d1);
	free(d2);
	rm_rf(path);
	arena_free(a);
}

struct thr {
	struct snap_writer *w;
	int k;
	uint8_t *data;
	size_t n;
	int rc;
};

static void *thr_main(void *p)
{
	struct thr *t = p;
	char name[32];
	snprintf(name, sizeof(name), "data/t%d", t->k);
	struct stream_info info;
	t->rc = write_stream(t->w, name, t->data, t->n, 4096 + (size_t)t->k, &info);
	return NULL;
}

TEST(repo_concurrent_streams)
{
	struct arena *a = arena_new();
	char *path = tmp_repo(a);
	struct err e;
	err_init(&e);
	struct repo_init_opts io = { .zstd_level = 1 };
	CHECK(repo_init(path, &io, &e) == 0);
	struct repo *r;
	CHECK(repo_open(a, path, NULL, &r, &e) == 0);
	struct snap_writer *w;
	CHECK(snap_begin(r, &w, &e) == 0);
	struct thr t[4];
	pthread_t th[4];
	for (int i = 0; i < 4; i++) {
		t[i] = (struct thr){ .w = w, .k = i, .n = (size_t)(3 + i) << 20 };
		t[i].data = malloc(t[i].n);
		/* streams 0 and 1 share their content: concurrent dedup */
		fill(t[i].data, t[i].n, i < 2 ? 7 : (uint64_t)i);
		pthread_create(&th[i], NULL, thr_main, &t[i]);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		CHECK_INTEQ(t[i].rc, 0);
	}
	char id[65];
	CHECK(snap_commit(w, NULL, id, &e) == 0);
	struct snapshot_info si;
	CHECK(repo_find_snapshot(r, a, "latest", &si, &e) == 0);
	for (int i = 0; i < 4; i++) {
		char name[32];
		snprintf(name, sizeof(name), "data/t%d", i);
		CHECK(read_equals(r, &si, name, t[i].data, t[i].n));
		free(t[i].data);
	}
	rm_rf(path);
	arena_free(a);
}

TEST(repo_encrypted_and_wrong_key)
{
	struct arena *a = arena_new();
	char *path = tmp_repo(a);
	struct err e;
	err_init(&e);
	struct repo_init_opts io = { .encrypt = true, .key.passphrase = "correct horse" };
	CHECK(repo_init(path, &io, &e) == 0);
	struct repo *r;
	struct repo_key_opts bad = { .passphrase = "wrong horse" };
	CHECK(repo_open(a, path, &bad, &r, &e) < 0);
	CHECK(strstr(e.msg, "wrong key or passphrase") != NULL);
	CHECK(repo_open(a, path, NULL, &r, &e) < 0);
	CHECK(strstr(e.msg, "encrypted") != NULL);
	CHECK(repo_open(a, path, &io.key, &r, &e) == 0);
	uint8_t d[300000];
	fill(d, sizeof(d), 5);
	struct snap_writer *w;
	CHECK(snap_begin(r, &w, &e) == 0);
	struct stream_info info;
	CHECK(write_stream(w, "s", d, sizeof(d), 1000, &info) == 0);
	char id[65];
	CHECK(snap_commit(w, NULL, id, &e) == 0);
	struct snapshot_info si;
	CHECK(repo_find_snapshot(r, a, "latest", &si, &e) == 0);
	CHECK(read_equals(r, &si, "s", d, sizeof(d)));
	rm_rf(path);
	arena_free(a);
}

TEST(repo_not_a_repository)
{
	struct arena *a = arena_new();
	struct err e;
	err_init(&e);
	struct repo *r;
	CHECK(repo_open(a, "/tmp", NULL, &r, &e) < 0);
	CHECK(strstr(e.msg, "is not a blastwall repository") != NULL);
	CHECK(strstr(e.hint, "repo init") != NULL);
	arena_free(a);
}

TEST_MAIN(repo_round_trip_and_dedup, repo_concurrent_streams, repo_encrypted_and_wrong_key, repo_not_a_repository)
