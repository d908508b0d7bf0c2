/* err.c: filling and printing struct err. */
#include "common/err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void err_init(struct err *e)
{
	e->msg[0] = '\0';
	e->hint[0] = '\0';
	e->code = 0;
}

int err_set(struct err *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	e->hint[0] = '\0';
	return -1;
}

int err_errno(struct err *e, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	size_t n = strlen(e->msg);
	snprintf(e->msg + n, sizeof(e->msg) - n, ": %s", strerror(saved));
	e->hint[0] = '\0';
	return -1;
}

int err_hint(struct err *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->hint, sizeof(e->hint), fmt, ap);
	va_end(ap);
	return -1;
}

int err_wrap(struct err *e, const char *fmt, ...)
{
	char prefix[512], old[sizeof(e->msg)];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, e->msg, sizeof(old));
	/* prefix + ": " + old, cut at the buffer's end (a long message is still readable) */
	size_t n = strlen(prefix), m = strlen(old), cap = sizeof(e->msg) - 1;
	if (n > cap)
		n = cap;
	memcpy(e->msg, prefix, n);
	size_t o = n;
	for (const char *sep = ": "; *sep && o < cap; sep++)
		e->msg[o++] = *sep;
	if (m > cap - o)
		m = cap - o;
	memcpy(e->msg + o, old, m);
	e->msg[o + m] = '\0';
	return -1;
}

void err_print(const struct err *e)
{
	fprintf(stderr, "%s: %s\n", bw_progname, e->msg[0] ? e->msg : "unknown error");
	if (e->hint[0])
		fprintf(stderr, "hint: %s\n", e->hint);
}

void bw_error(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", bw_progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void bw_warn(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: warning: ", bw_progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
