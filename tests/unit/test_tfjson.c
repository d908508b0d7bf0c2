/* test_tfjson.c: the pull tokenizer: tokens, escapes, surrogates, encodings, limits, malformed input. */
#include "harness.h"

#include <stdlib.h>

#include "common/arena.h"
#include "terraform/tfjson.h"

/* Tokenizes s fully; returns the number of tokens, or -1 on error (message in e). */
static int run(const char *s, size_t n, struct err *e)
{
	struct arena *a = arena_new();
	struct tfjson j;
	int count = 0;
	err_init(e);
	if (tfjson_open(&j, a, s, n, "t", e) < 0) {
		arena_free(a);
		return -1;
	}
	for (;;) {
		enum tfjson_tok t = tfjson_next(&j);
		if (t == TFJ_ERROR) {
			count = -1;
			break;
		}
		if (t == TFJ_EOF)
			break;
		count++;
	}
	tfjson_release(&j);
	arena_free(a);
	return count;
}

static int runz(const char *s, struct err *e)
{
	return run(s, strlen(s), e);
}

TEST(tfjson_tokens)
{
	struct arena *a = arena_new();
	struct tfjson j;
	struct err e;
	const char *s = " {\"a\": [1, -2.5e3, true, false, null, \"x\"], \"b\": {}} ";
	err_init(&e);
	CHECK(tfjson_open(&j, a, s, strlen(s), "t", &e) == 0);
	enum tfjson_tok want[] = { TFJ_OBJ_BEGIN, TFJ_KEY, TFJ_ARR_BEGIN, TFJ_NUMBER, TFJ_NUMBER, TFJ_TRUE, TFJ_FALSE,
				   TFJ_NULL, TFJ_STRING, TFJ_ARR_END, TFJ_KEY, TFJ_OBJ_BEGIN, TFJ_OBJ_END,
				   TFJ_OBJ_END, TFJ_EOF };
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		enum tfjson_tok t = tfjson_next(&j);
		CHECK_INTEQ(t, want[i]);
		if (i == 4)
			CHECK(str_eqz(j.str, "-2.5e3"));
		if (i == 8)
			CHECK(str_eqz(j.str, "x"));
	}
	tfjson_release(&j);
	arena_free(a);
}

TEST(tfjson_escapes_and_surrogates)
{
	struct arena *a = arena_new();
	struct tfjson j;
	struct err e;
	const char *s = "[\"a\\n\\\"b\\u00e9\\ud83d\\ude00\\/\"]";
	err_init(&e);
	CHECK(tfjson_open(&j, a, s, strlen(s), "t", &e) == 0);
	CHECK_INTEQ(tfjson_next(&j), TFJ_ARR_BEGIN);
	CHECK_INTEQ(tfjson_next(&j), TFJ_STRING);
	CHECK(str_eqz(j.str, "a\n\"b\xc3\xa9\xf0\x9f\x98\x80/"));
	tfjson_release(&j);
	arena_free(a);
}

TEST(tfjson_big_numbers_kept_exact)
{
	struct arena *a = arena_new();
	struct tfjson j;
	struct err e;
	const char *s = "123456789012345678901234567890";
	unsigned long long v;
	err_init(&e);
	CHECK(tfjson_open(&j, a, s, strlen(s), "t", &e) == 0);
	CHECK_INTEQ(tfjson_next(&j), TFJ_NUMBER);
	CHECK(str_eqz(j.str, s));
	CHECK(!tfjson_u64(j.str, &v));
	CHECK(tfjson_u64(STR_LIT("18446744073709551615"), &v) && v == 18446744073709551615ULL);
	tfjson_release(&j);
	arena_free(a);
}

TEST(tfjson_rejects_malformed)
{
	static const char *const bad[] = {
		"", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "[01]", "[1.]", "[-]", "[tru]", "\"abc",
		"[\"\\x\"]", "[\"\\ud800\"]", "[\"\\udc00x\"]", "{} {}", "[1 2]", "{1:2}", "]", "[\"a\tb\"]",
		"[\"\xc3\x28\"]", "[\"\xed\xa0\x80\"]", "[\"\xf8\x88\x80\x80\x80\"]", "[1e]", "{\"a\":1]",
	};
	struct err e;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		int n = runz(bad[i], &e);
		if (n != -1)
			fprintf(stderr, "accepted bad input #%zu: %s\n", i, bad[i]);
		CHECK(n == -1);
		CHECK(e.msg[0] != 0);
	}
	CHECK(runz("[1,]", &e) == -1 && strstr(e.msg, "'t' is not valid JSON") != NULL);
}

TEST(tfjson_depth_bound)
{
	struct err e;
	size_t n = 100000;
	char *s = malloc(n * 2);
	memset(s, '[', n);
	memset(s + n, ']', n);
	CHECK(run(s, n * 2, &e) == -1);
	CHECK(strstr(e.msg, "nesting") != NULL);
	/* exactly at the limit is fine */
	CHECK(run(s + n - TFJSON_MAX_DEPTH, TFJSON_MAX_DEPTH * 2, &e) == TFJSON_MAX_DEPTH * 2);
	free(s);
}

TEST(tfjson_bom_and_utf16)
{
	struct arena *a = arena_new();
	struct tfjson j;
	struct err e;
	const char bom[] = "\xef\xbb\xbf{\"k\":\"v\"}";
	const char le[] = "\xff\xfe{\0\"\0k\0\"\0:\0\"\0\xe9\0\"\0}\0";
	const char be_nobom[] = "\0{\0\"\0k\0\"\0:\0\"\0v\0\"\0}";
	err_init(&e);
	CHECK(runz(bom, &e) == 4);
	CHECK(run(le, sizeof(le) - 1, &e) == 4);
	CHECK(run(be_nobom, sizeof(be_nobom) - 1, &e) == 4);
	CHECK(tfjson_open(&j, a, le, sizeof(le) - 1, "t", &e) == 0);
	tfjson_next(&j);
	tfjson_next(&j);
	CHECK_INTEQ(tfjson_next(&j), TFJ_STRING);
	CHECK(str_eqz(j.str, "\xc3\xa9"));
	tfjson_release(&j);
	/* an unpaired surrogate in UTF-16 and UTF-32 are refused with a message */
	CHECK(run("\xff\xfe[\0\x00\xd8]\0", 8, &e) == -1 && strstr(e.msg, "surrogate"));
	CHECK(run("\xff\xfe\0\0[\0\0\0", 8, &e) == -1 && strstr(e.msg, "UTF-32"));
	arena_free(a);
}

TEST(tfjson_skip_validates)
{
	struct arena *a = arena_new();
	struct tfjson j;
	struct err e;
	const char *s = "{\"skip\": {\"x\": [1, {\"y\": \"z\"}]}, \"keep\": 7}";
	err_init(&e);
	CHECK(tfjson_open(&j, a, s, strlen(s), "t", &e) == 0);
	CHECK_INTEQ(tfjson_next(&j), TFJ_OBJ_BEGIN);
	CHECK_INTEQ(tfjson_next(&j), TFJ_KEY);
	enum tfjson_tok t = tfjson_next(&j);
	CHECK(tfjson_skip(&j, t) == 0);
	CHECK_INTEQ(tfjson_next(&j), TFJ_KEY);
	CHECK(str_eqz(j.str, "keep"));
	CHECK_INTEQ(tfjson_next(&j), TFJ_NUMBER);
	tfjson_release(&j);
	const char *bad = "{\"skip\": {\"x\": [1, }, \"keep\": 7}";
	CHECK(tfjson_open(&j, a, bad, strlen(bad), "t", &e) == 0);
	tfjson_next(&j);
	tfjson_next(&j);
	t = tfjson_next(&j);
	CHECK(tfjson_skip(&j, t) == -1);
	CHECK_INTEQ(tfjson_next(&j), TFJ_ERROR); /* sticky */
	tfjson_release(&j);
	arena_free(a);
}

TEST(tfjson_line_numbers)
{
	struct err e;
	CHECK(runz("{\n\"a\": 1,\n\"b\": ?\n}", &e) == -1);
	CHECK(strstr(e.msg, "line 3") != NULL);
}

/* Reads one object {"n": NUMBER, ...} and adds n to the counter; "fail" makes it fail. */
static int sum_n(void *ctx)
{
	struct tfjson *j = ((void **)ctx)[0];
	long *sum = ((void **)ctx)[1];
	for (;;) {
		enum tfjson_tok t = tfjson_next(j);
		if (t == TFJ_OBJ_END)
			return 0;
		if (t != TFJ_KEY)
			return -1;
		bool is_n = str_eqz(j->str, "n"), is_fail = str_eqz(j->str, "fail");
		t = tfjson_next(j);
		if (is_fail)
			return -1;
		if (is_n && t == TFJ_NUMBER)
			*sum += strtol(j->str.p, NULL, 10);
		else if (tfjson_skip(j, t) < 0)
			return -1;
	}
}

static int each_sum(const char *s, long *sum)
{
	struct arena *a = arena_new();
	struct tfjson j;
	struct err e;
	err_init(&e);
	*sum = 0;
	void *ctx[2] = { &j, sum };
	int rc = tfjson_open(&j, a, s, strlen(s), "t", &e);
	if (rc == 0) {
		rc = tfjson_each_object(&j, tfjson_next(&j), sum_n, ctx);
		if (rc == 0 && tfjson_next(&j) != TFJ_EOF)
			rc = -2;
	}
	tfjson_release(&j);
	arena_free(a);
	return rc;
}

TEST(tfjson_each_object_visits_objects_only)
{
	long sum;
	CHECK_INTEQ(each_sum("[{\"n\": 1}, 7, \"x\", [ {\"n\": 100} ], {\"n\": 2, \"o\": {\"n\": 50}}, null]", &sum), 0);
	CHECK_INTEQ(sum, 3); /* nested objects are the callback's business, not visited */
	CHECK_INTEQ(each_sum("{\"n\": 5}", &sum), 0); /* not an array: skipped whole */
	CHECK_INTEQ(sum, 0);
	CHECK_INTEQ(each_sum("[]", &sum), 0);
	CHECK_INTEQ(each_sum("[{\"n\": 1}, {\"fail\": 1}, {\"n\": 4}]", &sum), -1);
	CHECK_INTEQ(sum, 1); /* stops at the failing element */
	CHECK_INTEQ(each_sum("[{\"n\": 1}, ", &sum), -1); /* truncated input */
}

/* An escaped key keeps its text while an escaped string value is decoded after it. */
TEST(tfjson_member_keeps_escaped_key)
{
	struct arena *a = arena_new();
	struct tfjson j;
	struct err e;
	const char *s = "{\"k\\u0065y\": \"v\\u0061lue\", \"plain\": 1}";
	err_init(&e);
	CHECK(tfjson_open(&j, a, s, strlen(s), "t", &e) == 0);
	CHECK_INTEQ(tfjson_next(&j), TFJ_OBJ_BEGIN);
	struct str k;
	CHECK_INTEQ(tfjson_member(&j, &k), TFJ_STRING);
	CHECK(str_eqz(k, "key"));
	CHECK(str_eqz(j.str, "value"));
	CHECK_INTEQ(tfjson_member(&j, &k), TFJ_NUMBER);
	CHECK(str_eqz(k, "plain"));
	CHECK_INTEQ(tfjson_member(&j, &k), TFJ_OBJ_END);
	tfjson_release(&j);
	arena_free(a);
}

TEST_MAIN(tfjson_tokens, tfjson_escapes_and_surrogates, tfjson_big_numbers_kept_exact, tfjson_rejects_malformed,
	  tfjson_depth_bound, tfjson_bom_and_utf16, tfjson_skip_validates, tfjson_line_numbers,
	  tfjson_each_object_visits_objects_only, tfjson_member_keeps_escaped_key)
