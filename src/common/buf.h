/*
 * buf.h: a growable byte buffer with a declared maximum (curl's dynbuf).
 * The buffer owns its malloc'd bytes; buf_release frees them. The content is
 * always NUL-terminated so b->p can be handed to C APIs.
 */
#ifndef BW_BUF_H
#define BW_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "common/str.h"
#include "common/util.h"

struct buf {
	char *p;
	size_t n, cap, max;
};

/* max = 0 means "no limit" (SIZE_MAX / 2). */
void buf_init(struct buf *b, size_t max);
void buf_release(struct buf *b);
void buf_reset(struct buf *b);
/* Each returns 0, or -1 when the maximum would be exceeded (content unchanged). */
int buf_add(struct buf *b, const void *p, size_t n);
int buf_addz(struct buf *b, const char *s);
int buf_addc(struct buf *b, char c);
int buf_addstr(struct buf *b, struct str s);
int buf_printf(struct buf *b, const char *fmt, ...) BW_PRINTF(2, 3);
int buf_vprintf(struct buf *b, const char *fmt, va_list ap);
/* Appends s as a JSON string literal, quotes included; invalid UTF-8 bytes become U+FFFD. */
int buf_json_str(struct buf *b, const char *s, size_t n);
static inline struct str buf_str(const struct buf *b)
{
	return (struct str){ b->p ? b->p : "", b->n };
}

#endif
