/*
 * arena.h: region allocation. One arena per command invocation (or per item
 * in a long loop, reset every N items). Nothing allocated from an arena is
 * freed on its own; arena_free releases everything at once and runs the
 * cleanups registered with arena_on_release, newest first, so non-memory
 * resources (fds, PGconn*, sqlite3*) die with the memory that points at them.
 */
#ifndef BW_ARENA_H
#define BW_ARENA_H

#include <stdarg.h>
#include <stddef.h>

#include "common/util.h"
#include "common/str.h"

struct arena;

struct arena *arena_new(void);
/* Runs the cleanups and frees every block. NULL is a no-op. */
void arena_free(struct arena *a);
/* Runs the cleanups and frees all but the first block, for reuse in loops. */
void arena_reset(struct arena *a);

/* Aligned to 16 bytes; aborts on out of memory. */
void *arena_alloc(struct arena *a, size_t n);
void *arena_zalloc(struct arena *a, size_t n);
#define arena_new_obj(a, T) ((T *)arena_zalloc((a), sizeof(T)))
#define arena_new_array(a, T, n) ((T *)arena_zalloc((a), sizeof(T) * (n)))
/* Grows an arena array: copies old (n elements of size sz) into a new block of cap. */
void *arena_grow(struct arena *a, void *old, size_t n, size_t newcap, size_t sz);

char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strstr(struct arena *a, struct str s); /* NUL-terminated copy of s */
char *arena_printf(struct arena *a, const char *fmt, ...) BW_PRINTF(2, 3);
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap);

/* Registers fn(p) to run when the arena is reset or freed. */
void arena_on_release(struct arena *a, void (*fn)(void *), void *p);

/* Total bytes handed out since creation or the last reset. */
size_t arena_used(const struct arena *a);

#endif
