/* str.c: sized-string helpers that do not fit inline. */
#include "common/str.h"

#include <ctype.h>
#include <fnmatch.h>
#include <stdlib.h>

#include "common/util.h"

static int lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

bool str_ieq(struct str a, struct str b)
{
	if (a.n != b.n)
		return false;
	for (size_t i = 0; i < a.n; i++)
		if (lower((unsigned char)a.p[i]) != lower((unsigned char)b.p[i]))
			return false;
	return true;
}

bool str_ieqz(struct str a, const char *z)
{
	return str_ieq(a, str_from(z));
}

long str_ifind(struct str hay, const char *needle)
{
	size_t n = strlen(needle);
	if (n == 0)
		return 0;
	if (n > hay.n)
		return -1;
	int first = lower((unsigned char)needle[0]);
	for (size_t i = 0; i + n <= hay.n; i++) {
		if (lower((unsigned char)hay.p[i]) != first)
			continue;
		size_t j = 1;
		while (j < n && lower((unsigned char)hay.p[i + j]) == lower((unsigned char)needle[j]))
			j++;
		if (j == n)
			return (long)i;
	}
	return -1;
}

long str_find(struct str hay, const char *needle)
{
	size_t n = strlen(needle);
	if (n == 0)
		return 0;
	if (n > hay.n)
		return -1;
	for (size_t i = 0; i + n <= hay.n; i++)
		if (hay.p[i] == needle[0] && memcmp(hay.p + i, needle, n) == 0)
			return (long)i;
	return -1;
}

struct str str_trim(struct str s)
{
	while (s.n && isspace((unsigned char)s.p[0])) {
		s.p++;
		s.n--;
	}
	while (s.n && isspace((unsigned char)s.p[s.n - 1]))
		s.n--;
	return s;
}

bool str_to_u64(struct str s, unsigned long long *out)
{
	unsigned long long v = 0;
	if (s.n == 0 || s.n > 20)
		return false;
	for (size_t i = 0; i < s.n; i++) {
		if (s.p[i] < '0' || s.p[i] > '9')
			return false;
		unsigned long long d = (unsigned long long)(s.p[i] - '0');
		if (v > (~0ULL - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

bool str_glob(const char *pattern, struct str s)
{
	char small[256];
	char *z = s.n < sizeof(small) ? small : xmalloc(s.n + 1);
	memcpy(z, s.p, s.n);
	z[s.n] = '\0';
	bool ok = fnmatch(pattern, z, 0) == 0;
	if (z != small)
		free(z);
	return ok;
}
