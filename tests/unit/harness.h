/*
 * harness.h: the unit-test harness. A test file defines TEST(name) functions
 * and lists them in a TESTS table; main() runs them all and prints
 * "N passed, N failed" as its last line. A check that fails prints where and
 * why and marks the current test failed, then carries on.
 *
 *     TEST(arena_basic) { CHECK(1 + 1 == 2); CHECK_STREQ("a", "a"); }
 *     TEST_MAIN(arena_basic)
 */
#ifndef BW_HARNESS_H
#define BW_HARNESS_H

#include <stdio.h>
#include <string.h>

static int h_failed_checks;

#define TEST(name) static void name(void)

#define CHECK(cond)                                                                 \
	do {                                                                        \
		if (!(cond)) {                                                      \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			h_failed_checks++;                                          \
		}                                                                   \
	} while (0)

#define CHECK_STREQ(a, b)                                                           \
	do {                                                                        \
		const char *h_a = (a), *h_b = (b);                                  \
		if (!h_a || !h_b || strcmp(h_a, h_b) != 0) {                        \
			fprintf(stderr, "%s:%d: expected \"%s\", got \"%s\"\n", __FILE__, __LINE__, \
				h_b ? h_b : "(null)", h_a ? h_a : "(null)");       \
			h_failed_checks++;                                          \
		}                                                                   \
	} while (0)

#define CHECK_INTEQ(a, b)                                                           \
	do {                                                                        \
		long long h_a = (long long)(a), h_b = (long long)(b);               \
		if (h_a != h_b) {                                                   \
			fprintf(stderr, "%s:%d: %s: expected %lld, got %lld\n", __FILE__, __LINE__, \
				#a, h_b, h_a);                                      \
			h_failed_checks++;                                          \
		}                                                                   \
	} while (0)

typedef void (*h_test_fn)(void);
struct h_test {
	const char *name;
	h_test_fn fn;
};

#define H_ENTRY(t) { #t, t },
#define H_FOREACH(...) /* expanded by TEST_MAIN */

#define TEST_MAIN(...)                                                              \
	int main(int argc, char **argv)                                             \
	{                                                                           \
		h_test_fn fns[] = { __VA_ARGS__ };                                  \
		const char *names = #__VA_ARGS__;                                   \
		int passed = 0, failed = 0;                                         \
		const char *only = argc > 1 ? argv[1] : NULL;                       \
		const char *p = names;                                              \
		for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {         \
			while (*p == ' ' || *p == ',' || *p == '\n')                \
				p++;                                                \
			const char *e = p;                                          \
			while (*e && *e != ',')                                     \
				e++;                                                \
			int len = (int)(e - p);                                     \
			while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\n')) \
				len--;                                              \
			if (only && (strlen(only) != (size_t)len || strncmp(only, p, (size_t)len))) { \
				p = e;                                              \
				continue;                                           \
			}                                                           \
			int before = h_failed_checks;                               \
			fns[i]();                                                   \
			if (h_failed_checks == before)                              \
				passed++;                                           \
			else {                                                      \
				failed++;                                           \
				fprintf(stderr, "FAIL %.*s\n", len, p);             \
			}                                                           \
			p = e;                                                      \
		}                                                                   \
		printf("%d passed, %d failed\n", passed, failed);                   \
		return failed ? 1 : 0;                                              \
	}

#endif
