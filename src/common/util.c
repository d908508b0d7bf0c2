/* util.c: allocation wrappers that never return NULL, BUG(). */
#include "common/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *bw_progname = "blastwall";
const char bw_version[] = "0.1.0";

void bw_bug(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: BUG at %s:%d: ", bw_progname, file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void bw_oom(void)
{
	fprintf(stderr, "%s: out of memory\n", bw_progname);
	exit(70);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		bw_oom();
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
	if (!p)
		bw_oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		bw_oom();
	return q;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

const char *utc_text(char out[64], int64_t t, const char *fmt)
{
	time_t tt = (time_t)t;
	struct tm tm;
	/* fmt is checked at every call (the declaration's format attribute), not here */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	if (!gmtime_r(&tt, &tm) || strftime(out, 64, fmt, &tm) == 0)
		out[0] = '\0';
#pragma GCC diagnostic pop
	return out;
}
