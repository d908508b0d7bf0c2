/*
 * util.h: the few things every file needs: out-of-memory handling, BUG(),
 * array sizes. Allocation failures abort with a message (as git, redis and
 * tmux do): there is no sensible recovery inside a hook or a backup writer.
 */
#ifndef BW_UTIL_H
#define BW_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define UNUSED(x) ((void)(x))

#if defined(__GNUC__)
#define BW_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define BW_NORETURN __attribute__((noreturn))
#else
#define BW_PRINTF(f, a)
#define BW_NORETURN
#endif

/* Aborts in every build: for states that cannot happen. */
#define BUG(...) bw_bug(__FILE__, __LINE__, __VA_ARGS__)
BW_NORETURN void bw_bug(const char *file, int line, const char *fmt, ...) BW_PRINTF(3, 4);

/* Prints "blastwall: out of memory" and exits 70. */
BW_NORETURN void bw_oom(void);

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/*
 * t (unix seconds) as UTC, formatted by strftime's fmt into out; out is ""
 * when the time cannot be shown. UTC_ISO: 2026-11-22T09:45:00Z.
 */
#define UTC_ISO "%Y-%m-%dT%H:%M:%SZ"
const char *utc_text(char out[64], int64_t t, const char *fmt) __attribute__((format(strftime, 3, 0)));

/* The program name used in messages; "blastwall". */
extern const char *bw_progname;
/* The version string, e.g. "0.1.0". */
extern const char bw_version[];

#endif
