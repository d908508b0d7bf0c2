/* test_repo.c: the repository API (repo.h) end to end on a temp directory. */
#include "harness.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <unistd.h>

#include "backup/crypto.h"
#include "backup/object.h"
#include "backup/repo.h"
#include "backup/repo_admin.h"
#include "backup/repo_int.h"
#include "common/buf.h"
#include "common/fs.h"

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

/* The read of stream name fails with a message containing want; *delivered: the bytes the sink had by then. */
static bool read_fails(struct repo *r, const struct snapshot_info *si, const char *name, const char *want,
		       size_t *delivered)
{
	struct buf b;
	buf_init(&b, 0);
	struct err e;
	err_init(&e);
	bool failed = snap_stream_read(r, si, name, sink_buf, &b, &e) < 0 && strstr(e.msg, want) != NULL;
	if (!failed)
		fprintf(stderr, "read %s: want an error with '%s', got '%s'\n", name, want, e.msg);
	*delivered = b.n;
	buf_release(&b);
	return failed;
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
	CHECK_STREQ(j1.checksum, i1.checksum);
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

/*
 * Manifest version 2: a stream's checksum is SHA-256 over (32-byte id,
 * 8-byte little-endian length) of each chunk. Computed here with libsodium's
 * SHA-256, not the repository's own, so a shared bug cannot hide.
 */
static void independent_sum(json_t *chunks, char hex[65])
{
	crypto_hash_sha256_state st;
	crypto_hash_sha256_init(&st);
	size_t i;
	json_t *c;
	json_array_foreach(chunks, i, c) {
		uint8_t rec[40];
		const char *id = json_string_value(json_array_get(c, 0));
		for (int k = 0; k < 32; k++) {
			unsigned v;
			sscanf(id + 2 * k, "%2x", &v);
			rec[k] = (uint8_t)v;
		}
		uint64_t len = (uint64_t)json_integer_value(json_array_get(c, 1));
		for (int k = 0; k < 8; k++)
			rec[32 + k] = (uint8_t)(len >> (8 * k));
		crypto_hash_sha256_update(&st, rec, sizeof(rec));
	}
	uint8_t out[32];
	crypto_hash_sha256_final(&st, out);
	for (int k = 0; k < 32; k++)
		snprintf(hex + 2 * k, 3, "%02x", out[k]);
}

static json_t *stream_of(json_t *manifest, const char *name)
{
	size_t i;
	json_t *st;
	json_array_foreach(json_object_get(manifest, "streams"), i, st)
		if (strcmp(json_string_value(json_object_get(st, "name")), name) == 0)
			return st;
	return NULL;
}

/* Stores a (doctored) manifest under the name its content hashes to, as an edit plus a rename would. */
static void put_manifest(struct repo *r, const char *repo, json_t *m, char id[65])
{
	char *text = json_dumps(m, JSON_COMPACT);
	uint8_t h[32];
	repo_object_id(r, text, strlen(text), h);
	bwcrypto_hex(h, 32, id);
	struct obj_scratch sc = { 0 };
	const uint8_t *obj;
	size_t objn;
	obj_encode(&sc, OBJ_SNAPSHOT, text, strlen(text), 1, NULL, &obj, &objn);
	char path[1024];
	snprintf(path, sizeof(path), "%s/snapshots/%s", repo, id);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(obj, 1, objn, f) != objn || fclose(f) != 0)
		abort();
	obj_scratch_release(&sc);
	free(text);
}

/* A doctored copy of manifest m passes or fails repo_manifest_check; msg (when failing) is part of the message. */
static bool check_fails(json_t *m, size_t max_chunk, const char *msg)
{
	struct err e;
	err_init(&e);
	if (repo_manifest_check(m, max_chunk, &e) == 0)
		return false;
	if (msg && !strstr(e.msg, msg)) {
		fprintf(stderr, "unexpected message: %s\n", e.msg);
		return false;
	}
	return true;
}

/*
 * A new plain repository at path holding one snapshot with one stream "s"
 * of n generated bytes (seed), written piece bytes at a time; returns the
 * bytes (the caller frees them).
 */
static uint8_t *one_stream_snapshot(struct arena *a, const char *path, size_t n, uint64_t seed, size_t piece,
				    struct repo **r, struct snapshot_info *si)
{
	struct err e;
	err_init(&e);
	struct repo_init_opts io = { 0 };
	CHECK(repo_init(path, &io, &e) == 0);
	CHECK(repo_open(a, path, NULL, r, &e) == 0);
	uint8_t *d = malloc(n);
	fill(d, n, seed);
	struct snap_writer *w;
	CHECK(snap_begin(*r, &w, &e) == 0);
	struct stream_info info;
	CHECK(write_stream(w, "s", d, n, piece, &info) == 0);
	char id[65];
	CHECK(snap_commit(w, NULL, id, &e) == 0);
	CHECK(repo_find_snapshot(*r, a, id, si, &e) == 0);
	return d;
}

TEST(repo_v2_chunk_list_checksum)
{
	struct arena *a = arena_new();
	char *path = tmp_repo(a);
	struct err e;
	err_init(&e);
	struct repo_init_opts io = { 0 };
	CHECK(repo_init(path, &io, &e) == 0);
	struct repo *r;
	CHECK(repo_open(a, path, NULL, &r, &e) == 0);
	struct repo_facts f;
	repo_get_facts(r, &f);
	size_t n = 6u << 20;
	uint8_t *d = malloc(n);
	fill(d, n, 11);
	struct snap_writer *w;
	CHECK(snap_begin(r, &w, &e) == 0);
	struct stream_info info, einfo;
	CHECK(write_stream(w, "big", d, n, 70000, &info) == 0);
	CHECK(write_stream(w, "empty", d, 0, 1, &einfo) == 0);
	CHECK(info.chunks >= 3);
	char id[65];
	CHECK(snap_commit(w, NULL, id, &e) == 0);
	struct snapshot_info si;
	CHECK(repo_find_snapshot(r, a, id, &si, &e) == 0);
	CHECK_INTEQ(json_integer_value(json_object_get(si.manifest, "version")), 2);
	json_t *st = stream_of(si.manifest, "big");
	CHECK(st != NULL);
	CHECK(json_object_get(st, "sha256") == NULL); /* v2 streams carry no byte hash */
	char want[65];
	independent_sum(json_object_get(st, "chunks"), want);
	CHECK_STREQ(info.checksum, want);
	CHECK_STREQ(json_string_value(json_object_get(st, "chunk_list_sha256")), want);
	/* no chunks: SHA-256 of nothing */
	CHECK_STREQ(einfo.checksum, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	CHECK(read_equals(r, &si, "big", d, n));
	CHECK(read_equals(r, &si, "empty", d, 0));

	/* edits of the chunk list that keep it self-consistent in size: the checksum catches each */
	json_t *m = json_deep_copy(si.manifest);
	json_array_remove(json_object_get(m, "streams"), 1); /* "empty": the edits below are of "big" */
	json_t *ms = stream_of(m, "big"), *chunks = json_object_get(ms, "chunks");
	json_t *c0 = json_incref(json_array_get(chunks, 0));
	json_t *c1 = json_incref(json_array_get(chunks, 1));
	CHECK(!check_fails(m, f.chunk_max, NULL)); /* the copy itself is fine */
	/* two chunks swapped: same ids, same total, wrong order */
	json_array_set(chunks, 0, c1);
	json_array_set(chunks, 1, c0);
	CHECK(check_fails(m, f.chunk_max, "does not match its chunk_list_sha256"));
	char doctored[65];
	put_manifest(r, path, m, doctored); /* an edit renamed to match its content still does not load */
	struct snapshot_info bad;
	CHECK(repo_load_snapshot(r, a, doctored, &bad, &e) < 0);
	CHECK(strstr(e.msg, "is damaged") && strstr(e.msg, "chunk_list_sha256"));
	json_array_set(chunks, 0, c0);
	json_array_set(chunks, 1, c1);
	/* the last chunk dropped, bytes adjusted */
	size_t nc = json_array_size(chunks);
	json_int_t last = json_integer_value(json_array_get(json_array_get(chunks, nc - 1), 1));
	json_t *saved = json_incref(json_array_get(chunks, nc - 1));
	json_array_remove(chunks, nc - 1);
	json_object_set_new(ms, "bytes", json_integer((json_int_t)n - last));
	CHECK(check_fails(m, f.chunk_max, "does not match its chunk_list_sha256"));
	/* a chunk repeated */
	json_array_append(chunks, json_array_get(chunks, 0));
	json_object_set_new(ms, "bytes",
			    json_integer((json_int_t)n - last + json_integer_value(json_array_get(c0, 1))));
	CHECK(check_fails(m, f.chunk_max, "does not match its chunk_list_sha256"));
	json_array_remove(chunks, nc - 1);
	json_array_append_new(chunks, saved);
	json_object_set_new(ms, "bytes", json_integer((json_int_t)n));
	CHECK(!check_fails(m, f.chunk_max, NULL));
	/* one chunk id replaced by another id of the same length (a misdirected entry) */
	char other[65];
	snprintf(other, sizeof(other), "%s", json_string_value(json_array_get(c0, 0)));
	other[0] = other[0] == '0' ? '1' : '0';
	json_array_set_new(c0, 0, json_string(other));
	CHECK(check_fails(m, f.chunk_max, "does not match its chunk_list_sha256"));
	json_array_set_new(c0, 0, json_string(json_string_value(json_array_get(json_array_get(
					      json_object_get(stream_of(si.manifest, "big"), "chunks"), 0), 0))));
	CHECK(!check_fails(m, f.chunk_max, NULL));
	/* the checksum itself damaged, missing, or a v1 field under version 2 */
	char sum[65];
	snprintf(sum, sizeof(sum), "%s", want);
	sum[63] = sum[63] == 'a' ? 'b' : 'a';
	json_object_set_new(ms, "chunk_list_sha256", json_string(sum));
	CHECK(check_fails(m, f.chunk_max, "does not match its chunk_list_sha256"));
	json_object_del(ms, "chunk_list_sha256");
	json_object_set_new(ms, "sha256", json_string(want));
	CHECK(check_fails(m, f.chunk_max, "has no valid chunk_list_sha256"));
	/* ... and the reverse: a version 1 manifest needs the byte hash */
	json_object_set_new(m, "version", json_integer(1));
	CHECK(!check_fails(m, f.chunk_max, NULL));
	json_object_del(ms, "sha256");
	json_object_set_new(ms, "chunk_list_sha256", json_string(want));
	CHECK(check_fails(m, f.chunk_max, "has no valid sha256"));
	/* a version from the future is refused, not guessed at */
	json_object_set_new(m, "version", json_integer(3));
	CHECK(check_fails(m, f.chunk_max, "manifest version 3 is newer than this blastwall"));
	json_object_set_new(m, "version", json_integer(0));
	CHECK(check_fails(m, f.chunk_max, "manifest version 0 is not supported"));
	json_decref(c0);
	json_decref(c1);
	json_decref(m);

	/* the reader compares what it delivered with the recorded checksum at the end */
	struct snapshot_info mod = si;
	mod.manifest = json_deep_copy(si.manifest);
	json_object_set_new(stream_of(mod.manifest, "big"), "chunk_list_sha256", json_string(sum));
	size_t got;
	CHECK(read_fails(r, &mod, "big", "does not match its checksum", &got));
	CHECK_INTEQ(got, n); /* documented: the sink had every byte; the caller discards them */
	json_decref(mod.manifest);
	free(d);
	rm_rf(path);
	arena_free(a);
}

/* Version 1 manifests (the byte SHA-256) are still read, and their checksum still checked. */
TEST(repo_v1_manifest_read)
{
	struct arena *a = arena_new();
	char *path = tmp_repo(a);
	struct err e;
	err_init(&e);
	struct repo *r;
	struct snapshot_info si;
	size_t n = 3u << 20;
	uint8_t *d = one_stream_snapshot(a, path, n, 12, 1 << 16, &r, &si);
	/* the same snapshot as an older blastwall wrote it */
	json_t *m = json_deep_copy(si.manifest);
	json_object_set_new(m, "version", json_integer(1));
	json_t *st = stream_of(m, "s");
	json_object_del(st, "chunk_list_sha256");
	uint8_t h[32];
	char hex[65];
	crypto_hash_sha256(h, d, n);
	bwcrypto_hex(h, 32, hex);
	json_object_set_new(st, "sha256", json_string(hex));
	char v1id[65];
	put_manifest(r, path, m, v1id);
	struct snapshot_info s1;
	CHECK(repo_find_snapshot(r, a, v1id, &s1, &e) == 0);
	CHECK(read_equals(r, &s1, "s", d, n));
	/* a byte SHA-256 that does not match: caught at the end of the read */
	hex[0] = hex[0] == 'f' ? 'e' : 'f';
	json_object_set_new(st, "sha256", json_string(hex));
	char badid[65];
	put_manifest(r, path, m, badid);
	struct snapshot_info s2;
	CHECK(repo_find_snapshot(r, a, badid, &s2, &e) == 0); /* structure is fine: v1 is checked by reading */
	size_t got;
	CHECK(read_fails(r, &s2, "s", "does not match its checksum", &got));
	struct snapshot_info *v;
	size_t nv;
	CHECK(repo_list_snapshots(r, a, &v, &nv, &e) == 0);
	CHECK_INTEQ(nv, 3); /* v1 and v2 side by side */
	json_decref(m);
	free(d);
	rm_rf(path);
	arena_free(a);
}

/* A chunk file holding another (valid) chunk, as a misbehaving copy or sync tool could leave it. */
TEST(repo_chunk_swapped_on_disk)
{
	struct arena *a = arena_new();
	char *path = tmp_repo(a);
	struct err e;
	err_init(&e);
	struct repo *r;
	struct snapshot_info si;
	size_t n = 5u << 20;
	uint8_t *d = one_stream_snapshot(a, path, n, 13, 1 << 20, &r, &si);
	json_t *chunks = json_object_get(stream_of(si.manifest, "s"), "chunks");
	CHECK(json_array_size(chunks) >= 2);
	const char *id0 = json_string_value(json_array_get(json_array_get(chunks, 0), 0));
	const char *id1 = json_string_value(json_array_get(json_array_get(chunks, 1), 0));
	size_t len0 = (size_t)json_integer_value(json_array_get(json_array_get(chunks, 0), 1));
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "cp '%s/data/%.2s/%s' '%s/data/%.2s/%s'", path, id0, id0, path, id1, id1);
	CHECK(system(cmd) == 0);
	size_t got;
	CHECK(read_fails(r, &si, "s", "does not match its name", &got));
	CHECK_INTEQ(got, len0); /* only the chunk before it reached the sink */
	CHECK(repo_check_chunk(r, id1, &e) < 0);
	free(d);
	rm_rf(path);
	arena_free(a);
}

/* New repositories name objects by SHA-256, or HMAC-SHA-256 under the id key when encrypted (config version 2). */
TEST(repo_object_ids)
{
	struct arena *a = arena_new();
	struct err e;
	err_init(&e);
	uint8_t d[5000], got[32], want[32];
	fill(d, sizeof(d), 9);
	char *plain = tmp_repo(a);
	CHECK(repo_init(plain, NULL, &e) == 0);
	struct repo *r;
	CHECK(repo_open(a, plain, NULL, &r, &e) == 0);
	CHECK(r->version == 2 && r->sha256_ids);
	repo_object_id(r, d, sizeof(d), got);
	crypto_hash_sha256(want, d, sizeof(d));
	CHECK(memcmp(got, want, 32) == 0);
	/* a stored chunk is named by that id */
	struct snap_writer *w;
	CHECK(snap_begin(r, &w, &e) == 0);
	struct stream_info info;
	CHECK(write_stream(w, "s", d, sizeof(d), 1000, &info) == 0);
	char id[65], hex[65], key[80];
	CHECK(snap_commit(w, NULL, id, &e) == 0);
	bwcrypto_hex(want, 32, hex);
	repo_chunk_key(hex, key);
	CHECK(access(path_join(a, plain, key), F_OK) == 0);

	char *enc = tmp_repo(a);
	struct repo_init_opts io = { .encrypt = true, .key.passphrase = "ids" };
	CHECK(repo_init(enc, &io, &e) == 0);
	CHECK(repo_open(a, enc, &io.key, &r, &e) == 0);
	CHECK(r->sha256_ids);
	repo_object_id(r, d, sizeof(d), got);
	crypto_auth_hmacsha256(want, d, sizeof(d), r->id_key);
	CHECK(memcmp(got, want, 32) == 0);
	repo_object_id(r, d, 0, got);
	crypto_auth_hmacsha256(want, d, 0, r->id_key);
	CHECK(memcmp(got, want, 32) == 0);
	rm_rf(plain);
	rm_rf(enc);
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

TEST_MAIN(repo_round_trip_and_dedup, repo_concurrent_streams, repo_encrypted_and_wrong_key, repo_v2_chunk_list_checksum,
	  repo_v1_manifest_read, repo_chunk_swapped_on_disk, repo_object_ids, repo_not_a_repository)
