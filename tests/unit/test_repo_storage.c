/* test_repo_storage.c: the storage driver contract, on the POSIX driver (an S3 driver must pass the same). */
#include "harness.h"

#include <stdlib.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fs.h"
#include "storage/storage.h"

static int count_keys(void *ctx, const char *key, const struct storage_stat *st)
{
	int *n = ctx;
	(*n)++;
	if (strstr(key, ".tmp") || key[0] == '/')
		*n += 1000; /* a temporary or absolute name must never be listed */
	return 0;
}

static int stop_at_first(void *ctx, const char *key, const struct storage_stat *st)
{
	return 7;
}

TEST(storage_posix_contract)
{
	struct arena *a = arena_new();
	char tmpl[] = "/tmp/bw-test-storage.XXXXXX";
	char *root = mkdtemp(tmpl);
	struct storage *s;
	struct err e;
	err_init(&e);
	CHECK(storage_posix_open(a, path_join(a, root, "missing"), false, &s, &e) < 0);
	CHECK(storage_posix_open(a, root, false, &s, &e) == 0);

	CHECK(storage_put(s, "data/ab/abc", "hello", 5, 0, &e) == 0);
	CHECK(storage_put(s, "data/cd/cde", "x", 1, STORAGE_DEFER_SYNC, &e) == 0);
	CHECK(storage_flush(s, &e) == 0);
	struct buf b;
	buf_init(&b, 0);
	CHECK(storage_get(s, "data/ab/abc", &b, 100, &e) == 0);
	CHECK(b.n == 5 && memcmp(b.p, "hello", 5) == 0);
	buf_reset(&b);
	CHECK(storage_get(s, "data/ab/abc", &b, 4, &e) < 0); /* over max */
	buf_reset(&b);
	CHECK_INTEQ(storage_get(s, "data/ab/nope", &b, 100, &e), STORAGE_NOT_FOUND);
	CHECK(strstr(e.msg, "data/ab/nope") != NULL);
	CHECK_INTEQ(storage_exists(s, "data/ab/abc", &e), 1);
	CHECK_INTEQ(storage_exists(s, "data/ab/nope", &e), 0);

	/* replace is atomic and whole */
	CHECK(storage_put(s, "data/ab/abc", "bye", 3, 0, &e) == 0);
	buf_reset(&b);
	CHECK(storage_get(s, "data/ab/abc", &b, 100, &e) == 0 && b.n == 3);

	/* exclusive put never replaces */
	CHECK(storage_put(s, "locks/writer", "me", 2, STORAGE_EXCLUSIVE, &e) == 0);
	CHECK_INTEQ(storage_put(s, "locks/writer", "you", 3, STORAGE_EXCLUSIVE, &e), STORAGE_EXISTS);
	buf_reset(&b);
	CHECK(storage_get(s, "locks/writer", &b, 100, &e) == 0 && b.n == 2);

	/* rename: with and without replace */
	CHECK(storage_put(s, "locks/other", "o", 1, 0, &e) == 0);
	CHECK_INTEQ(storage_rename(s, "locks/other", "locks/writer", false, &e), STORAGE_EXISTS);
	CHECK(storage_rename(s, "locks/other", "locks/moved", false, &e) == 0);
	CHECK_INTEQ(storage_exists(s, "locks/other", &e), 0);
	CHECK(storage_rename(s, "locks/moved", "locks/writer", true, &e) == 0);
	CHECK_INTEQ(storage_rename(s, "locks/gone", "locks/x", true, &e), STORAGE_NOT_FOUND);

	/* listing skips temporaries; a callback can stop it */
	int fd = open(path_join(a, root, "data/ab/.tmp.1.1.abc"), O_CREAT | O_WRONLY, 0644);
	close(fd);
	int n = 0;
	CHECK(storage_list(s, "data", count_keys, &n, &e) == 0);
	CHECK_INTEQ(n, 2);
	n = 0;
	CHECK(storage_list(s, "nothing", count_keys, &n, &e) == 0);
	CHECK_INTEQ(n, 0);
	CHECK_INTEQ(storage_list(s, "data", stop_at_first, NULL, &e), 7);

	/* clean_temp removes only old temporaries */
	uint64_t removed = 99;
	CHECK(storage_clean_temp(s, 3600, &removed, &e) == 0);
	CHECK_INTEQ(removed, 0);
	CHECK(storage_clean_temp(s, 0, &removed, &e) == 0);
	CHECK_INTEQ(removed, 1);

	CHECK(storage_delete(s, "data/ab/abc", &e) == 0);
	CHECK(storage_delete(s, "data/ab/abc", &e) == 0); /* absent is fine */
	CHECK(storage_flush(s, &e) == 0);
	CHECK_INTEQ(storage_exists(s, "data/ab/abc", &e), 0);

	/* bad keys are refused before reaching the medium */
	const char *bad[] = { "", "/etc/passwd", "../x", "a/../b", "a//b", "a/", ".hidden", "a/.tmp", "a\\b" };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		CHECK(!storage_key_valid(bad[i]));
		CHECK(storage_put(s, bad[i], "x", 1, 0, &e) < 0);
	}
	CHECK(storage_key_valid("snapshots/0123"));
	buf_release(&b);
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	CHECK(system(cmd) == 0);
	arena_free(a);
}

TEST_MAIN(storage_posix_contract)
