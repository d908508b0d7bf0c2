/* test_repo_lock.c: lock states: none, mine, live, stale (dead pid, reused pid, old foreign lock), unreadable. */
#include "harness.h"

#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "backup/lock.h"
#include "common/buf.h"

static struct storage *st;
static struct arena *a;
static char root[64];

static void put_lock(const char *host, long pid, long long start, long long t)
{
	char body[512];
	snprintf(body, sizeof(body), "{\"hostname\":\"%s\",\"pid\":%ld,\"start\":%lld,\"time\":%lld,\"purpose\":\"backup\"}",
		 host, pid, start, t);
	struct err e;
	err_init(&e);
	if (storage_put(st, LOCK_KEY, body, strlen(body), 0, &e) < 0)
		fprintf(stderr, "%s\n", e.msg);
}

static enum lock_state state(void)
{
	enum lock_state s = LOCK_NONE;
	char desc[512];
	struct err e;
	err_init(&e);
	CHECK(lock_inspect(st, &s, desc, sizeof(desc), &e) == 0);
	return s;
}

static void setup(void)
{
	a = arena_new();
	snprintf(root, sizeof(root), "/tmp/bw-test-lock.XXXXXX");
	CHECK(mkdtemp(root) != NULL);
	struct err e;
	err_init(&e);
	CHECK(storage_posix_open(a, root, false, &st, &e) == 0);
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	CHECK(system(cmd) == 0);
	arena_free(a);
}

TEST(lock_states)
{
	setup();
	struct err e;
	err_init(&e);
	char host[256];
	gethostname(host, sizeof(host));
	CHECK_INTEQ(state(), LOCK_NONE);
	CHECK(lock_acquire(st, "r", "backup", &e) == 0);
	CHECK_INTEQ(state(), LOCK_MINE);
	CHECK(lock_acquire(st, "r", "backup", &e) < 0); /* not re-entrant */
	CHECK(lock_release(st, &e) == 0);
	CHECK_INTEQ(state(), LOCK_NONE);

	/* a live process here (our parent) */
	put_lock(host, (long)getppid(), 0, (long long)time(NULL));
	CHECK_INTEQ(state(), LOCK_LIVE);
	CHECK(lock_acquire(st, "r", "prune", &e) < 0);
	CHECK(strstr(e.msg, "is locked by backup") != NULL);
	CHECK(strstr(e.hint, "blastwall repo unlock --force --repo r") != NULL);

	/* our own pid with another start time: the pid was reused, the holder is gone */
	put_lock(host, (long)getpid(), 12345, (long long)time(NULL));
	CHECK_INTEQ(state(), LOCK_STALE);

	/* a dead pid */
	pid_t child = fork();
	if (child == 0)
		_exit(0);
	waitpid(child, NULL, 0);
	put_lock(host, (long)child, 0, (long long)time(NULL));
	CHECK_INTEQ(state(), LOCK_STALE);
	CHECK(lock_acquire(st, "r", "backup", &e) == 0); /* taken over */
	CHECK_INTEQ(state(), LOCK_MINE);
	CHECK(lock_release(st, &e) == 0);

	/* another host: fresh is live, old is stale */
	put_lock("elsewhere.example", 1, 0, (long long)time(NULL) - 3600);
	CHECK_INTEQ(state(), LOCK_LIVE);
	put_lock("elsewhere.example", 1, 0, (long long)time(NULL) - LOCK_STALE_SECONDS - 60);
	CHECK_INTEQ(state(), LOCK_STALE);

	/* garbage is stale (a crash cannot leave it: the lock is written whole) */
	CHECK(storage_put(st, LOCK_KEY, "{", 1, 0, &e) == 0);
	CHECK_INTEQ(state(), LOCK_STALE);
	CHECK(lock_remove(st, &e) == 0);
	CHECK_INTEQ(state(), LOCK_NONE);
	teardown();
}

TEST(lock_refresh_keeps_it_fresh_and_never_resurrects)
{
	setup();
	struct err e;
	err_init(&e);
	CHECK(lock_acquire(st, "r", "backup", &e) == 0);
	CHECK(lock_refresh(st, "backup", &e) == 0);
	CHECK_INTEQ(state(), LOCK_MINE);
	struct buf b;
	buf_init(&b, 0);
	CHECK(storage_get(st, LOCK_KEY, &b, 4096, &e) == 0);
	json_error_t je;
	json_t *j = json_loadb(b.p, b.n, 0, &je);
	CHECK(j && json_integer_value(json_object_get(j, "time")) >= (json_int_t)time(NULL) - 5);
	json_decref(j);
	buf_release(&b);
	CHECK(lock_remove(st, &e) == 0);
	CHECK(lock_refresh(st, "backup", &e) == 0);
	CHECK_INTEQ(state(), LOCK_NONE); /* removed by hand: stays removed */
	teardown();
}

TEST_MAIN(lock_states, lock_refresh_keeps_it_fresh_and_never_resurrects)
