/* test_common.c: arena, strings, buffers, paths. */
#include "harness.h"

#include "common/arena.h"
#include "common/buf.h"
#include "common/fs.h"
#include "common/str.h"

TEST(arena_many_allocations)
{
	struct arena *a = arena_new();
	char *last = NULL;
	for (int i = 0; i < 100000; i++) {
		last = arena_printf(a, "item-%d", i);
		CHECK(((uintptr_t)last & 15) == 0);
	}
	CHECK_STREQ(last, "item-99999");
	char *big = arena_zalloc(a, 1 << 20);
	CHECK(big[12345] == 0);
	arena_reset(a);
	CHECK_INTEQ(arena_used(a), 0);
	CHECK_STREQ(arena_strdup(a, "again"), "again");
	arena_free(a);
}

static int released;
static void on_release(void *p)
{
	released += *(int *)p;
}

TEST(arena_cleanups_run_newest_first)
{
	struct arena *a = arena_new();
	static int one = 1, two = 2;
	arena_on_release(a, on_release, &one);
	arena_on_release(a, on_release, &two);
	arena_free(a);
	CHECK_INTEQ(released, 3);
}

TEST(str_helpers)
{
	struct str s = STR_LIT("  Terraform Destroy  ");
	CHECK(str_eqz(str_trim(s), "Terraform Destroy"));
	CHECK_INTEQ(str_ifind(s, "destroy"), 12);
	CHECK_INTEQ(str_find(s, "destroy"), -1);
	unsigned long long v = 0;
	CHECK(str_to_u64(STR_LIT("18446744073709551615"), &v));
	CHECK(!str_to_u64(STR_LIT("18446744073709551616"), &v));
	CHECK(str_glob("*.tfstate", STR_LIT("terraform.tfstate")));
	CHECK(!str_glob("*.tfstate", STR_LIT("terraform.tfstate.backup")));
}

TEST(buf_limits_and_json)
{
	struct buf b;
	buf_init(&b, 8);
	CHECK_INTEQ(buf_addz(&b, "12345678"), 0);
	CHECK_INTEQ(buf_addc(&b, '9'), -1);
	CHECK_STREQ(b.p, "12345678");
	buf_release(&b);
	buf_init(&b, 0);
	buf_json_str(&b, "a\"b\\\n\x01\xff", 7);
	CHECK_STREQ(b.p, "\"a\\\"b\\\\\\n\\u0001\\ufffd\"");
	buf_release(&b);
}

TEST(paths)
{
	struct arena *a = arena_new();
	CHECK_STREQ(path_normalize(a, "/home/u/proj", "../x/./y//z"), "/home/u/x/y/z");
	CHECK_STREQ(path_normalize(a, "/", "../../.."), "/");
	CHECK_STREQ(path_normalize(a, "/a", "/b/../c"), "/c");
	CHECK_STREQ(path_join(a, "/", "etc"), "/etc");
	CHECK_STREQ(path_dirname(a, "/a/b"), "/a");
	CHECK(path_within("/a/b", "/a"));
	CHECK(!path_within("/ab", "/a"));
	CHECK(path_within("/a", "/"));
	arena_free(a);
}

TEST_MAIN(arena_many_allocations, arena_cleanups_run_newest_first, str_helpers, buf_limits_and_json, paths)
