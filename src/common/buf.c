/* buf.c: growable buffers. */
#include "common/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(struct buf *b, size_t max)
{
	b->p = NULL;
	b->n = b->cap = 0;
	b->max = max ? max : SIZE_MAX / 2;
}

void buf_release(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->n = b->cap = 0;
}

void buf_reset(struct buf *b)
{
	b->n = 0;
	if (b->p)
		b->p[0] = '\0';
}

static int reserve(struct buf *b, size_t extra)
{
	if (extra > b->max || b->n > b->max - extra)
		return -1;
	size_t need = b->n + extra + 1;
	if (need <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	b->p = xrealloc(b->p, cap);
	b->cap = cap;
	return 0;
}

int buf_add(struct buf *b, const void *p, size_t n)
{
	if (reserve(b, n) < 0)
		return -1;
	if (n)
		memcpy(b->p + b->n, p, n);
	b->n += n;
	b->p[b->n] = '\0';
	return 0;
}

int buf_addz(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

int buf_addc(struct buf *b, char c)
{
	return buf_add(b, &c, 1);
}

int buf_addstr(struct buf *b, struct str s)
{
	return buf_add(b, s.p, s.n);
}

int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		BUG("bad format '%s'", fmt);
	if (reserve(b, (size_t)n) < 0)
		return -1;
	vsnprintf(b->p + b->n, (size_t)n + 1, fmt, ap);
	b->n += (size_t)n;
	return 0;
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return r;
}

/* Length of the valid UTF-8 sequence at s (max n bytes), or 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len;
	unsigned min;
	if (c < 0x80)
		return 1;
	if ((c & 0xE0) == 0xC0) {
		len = 2;
		min = 0x80;
		c &= 0x1F;
	} else if ((c & 0xF0) == 0xE0) {
		len = 3;
		min = 0x800;
		c &= 0x0F;
	} else if ((c & 0xF8) == 0xF0) {
		len = 4;
		min = 0x10000;
		c &= 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	return len;
}

int buf_json_str(struct buf *b, const char *s, size_t n)
{
	size_t start = b->n;
	if (buf_addc(b, '"') < 0)
		return -1;
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		unsigned char c = u[i];
		int r = 0;
		if (c == '"' || c == '\\') {
			char esc[2] = { '\\', (char)c };
			r = buf_add(b, esc, 2);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			switch (c) {
			case '\n': r = buf_addz(b, "\\n"); break;
			case '\t': r = buf_addz(b, "\\t"); break;
			case '\r': r = buf_addz(b, "\\r"); break;
			default: r = buf_printf(b, "\\u%04x", c); break;
			}
			i++;
		} else if (c < 0x80) {
			r = buf_addc(b, (char)c);
			i++;
		} else {
			size_t len = utf8_len(u + i, n - i);
			if (len == 0) {
				r = buf_addz(b, "\\ufffd");
				i++;
			} else {
				r = buf_add(b, u + i, len);
				i += len;
			}
		}
		if (r < 0) {
			b->n = start;
			if (b->p)
				b->p[start] = '\0';
			return -1;
		}
	}
	return buf_addc(b, '"');
}
