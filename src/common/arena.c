/*
 * arena.c: a list of blocks; allocation bumps a pointer in the newest block.
 * Large requests get a block of their own. Cleanups live in the arena too.
 */
#include "common/arena.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_MIN (64 * 1024)
#define ALIGN 16

struct block {
	struct block *prev;
	size_t size, used;
	unsigned char data[];
};

struct cleanup {
	struct cleanup *next;
	void (*fn)(void *);
	void *p;
};

struct arena {
	struct block *head;
	struct cleanup *cleanups;
	size_t total;
};

static struct block *block_new(size_t size, struct block *prev)
{
	struct block *b = xmalloc(sizeof(*b) + size);
	b->prev = prev;
	b->size = size;
	b->used = 0;
	return b;
}

struct arena *arena_new(void)
{
	struct arena *a = xcalloc(1, sizeof(*a));
	a->head = block_new(BLOCK_MIN, NULL);
	return a;
}

static void run_cleanups(struct arena *a)
{
	struct cleanup *c = a->cleanups;
	a->cleanups = NULL;
	while (c) {
		c->fn(c->p);
		c = c->next;
	}
}

void arena_reset(struct arena *a)
{
	run_cleanups(a);
	struct block *b = a->head;
	while (b->prev) {
		struct block *p = b->prev;
		free(b);
		b = p;
	}
	b->used = 0;
	a->head = b;
	a->total = 0;
}

void arena_free(struct arena *a)
{
	if (!a)
		return;
	run_cleanups(a);
	struct block *b = a->head;
	while (b) {
		struct block *p = b->prev;
		free(b);
		b = p;
	}
	free(a);
}

void *arena_alloc(struct arena *a, size_t n)
{
	size_t need = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	if (need < n || need > SIZE_MAX / 2)
		bw_oom();
	a->total += need;
	if (need > BLOCK_MIN / 4) {
		/* big allocation: a block of its own, slotted behind the current one
		 * so the current block keeps serving small requests */
		struct block *big = block_new(need + ALIGN, a->head->prev);
		a->head->prev = big;
		big->used = big->size;
		uintptr_t p = ((uintptr_t)big->data + ALIGN - 1) & ~(uintptr_t)(ALIGN - 1);
		return (void *)p;
	}
	struct block *b = a->head;
	uintptr_t base = (uintptr_t)b->data;
	uintptr_t p = (base + b->used + ALIGN - 1) & ~(uintptr_t)(ALIGN - 1);
	if (p + need > base + b->size) {
		b = block_new(BLOCK_MIN, b);
		a->head = b;
		base = (uintptr_t)b->data;
		p = (base + ALIGN - 1) & ~(uintptr_t)(ALIGN - 1);
	}
	b->used = (size_t)(p - base) + need;
	return (void *)p;
}

void *arena_zalloc(struct arena *a, size_t n)
{
	void *p = arena_alloc(a, n);
	memset(p, 0, n);
	return p;
}

void *arena_grow(struct arena *a, void *old, size_t n, size_t newcap, size_t sz)
{
	if (newcap && sz > SIZE_MAX / newcap)
		bw_oom();
	void *p = arena_alloc(a, newcap * sz);
	if (old && n)
		memcpy(p, old, n * sz);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *arena_strstr(struct arena *a, struct str s)
{
	return arena_strndup(a, s.p, s.n);
}

char *arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		BUG("bad format '%s'", fmt);
	char *p = arena_alloc(a, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

void arena_on_release(struct arena *a, void (*fn)(void *), void *p)
{
	struct cleanup *c = arena_alloc(a, sizeof(*c));
	c->fn = fn;
	c->p = p;
	c->next = a->cleanups;
	a->cleanups = c;
}

size_t arena_used(const struct arena *a)
{
	return a->total;
}
