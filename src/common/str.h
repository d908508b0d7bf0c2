/*
 * str.h: sized strings. A struct str never owns its bytes; whoever made it
 * (an arena, a mapped file, a string literal) keeps them alive.
 */
#ifndef BW_STR_H
#define BW_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct str {
	const char *p;
	size_t n;
};

#define STR_LIT(s) ((struct str){ (s), sizeof(s) - 1 })
#define STR_NULL ((struct str){ NULL, 0 })
#define STR_FMT(s) (int)(s).n, (s).p /* use with "%.*s" */

static inline struct str str_from(const char *s)
{
	return (struct str){ s, s ? strlen(s) : 0 };
}

static inline struct str str_make(const char *p, size_t n)
{
	return (struct str){ p, n };
}

static inline bool str_eq(struct str a, struct str b)
{
	return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

static inline bool str_eqz(struct str a, const char *z)
{
	return str_eq(a, str_from(z));
}

static inline bool str_starts(struct str a, const char *prefix)
{
	size_t n = strlen(prefix);
	return a.n >= n && memcmp(a.p, prefix, n) == 0;
}

static inline bool str_ends(struct str a, const char *suffix)
{
	size_t n = strlen(suffix);
	return a.n >= n && memcmp(a.p + a.n - n, suffix, n) == 0;
}

static inline struct str str_sub(struct str s, size_t off, size_t n)
{
	if (off > s.n)
		off = s.n;
	if (n > s.n - off)
		n = s.n - off;
	return (struct str){ s.p + off, n };
}

/* ASCII case-insensitive comparisons. */
bool str_ieq(struct str a, struct str b);
bool str_ieqz(struct str a, const char *z);
/* Offset of the first case-insensitive occurrence of needle, or -1. */
long str_ifind(struct str hay, const char *needle);
/* Offset of the first occurrence of needle, or -1. */
long str_find(struct str hay, const char *needle);
/* Strips ASCII white space on both ends. */
struct str str_trim(struct str s);
/* Parses a decimal unsigned integer filling the whole string; false otherwise. */
bool str_to_u64(struct str s, unsigned long long *out);
/* Shell-style glob match (*, ?, [...]) of the whole string. */
bool str_glob(const char *pattern, struct str s);

#endif
