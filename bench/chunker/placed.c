/*
 * placed.c: one version of the cut loop, compiled behind PAD bytes of
 * padding from a 64-byte boundary and renamed NAME, so that one benchmark
 * binary can hold every version at every placement (see README.md: the speed
 * of a tight loop depends on where the linker happens to put it).
 *
 *   -DVERSION=1  the one-byte loop blastwall shipped before (the reference)
 *   -DVERSION=2  two bytes per step, the first form of the trick
 *   -DVERSION=4  src/backup/chunker.c itself, four bytes per step
 *
 * Built by run.sh only; the functions cut exactly like chunker_cut, which
 * chunker_bench checks on every pass.
 */
#include "backup/chunker.h"

#define STR2(x) #x
#define STR(x) STR2(x)
/* this object's code starts at a 64-byte boundary (the section takes the
   alignment), and everything after the padding lands PAD bytes later */
__asm__(".text\n.p2align 6\n"
#if PAD > 0
	".skip " STR(PAD) ", 0x90\n"
#endif
);

#if VERSION == 4
#define PASTE2(a, b) a##b
#define PASTE(a, b) PASTE2(a, b)
#define chunker_cut NAME
#define chunker_init PASTE(NAME, _init_unused)
#include "backup/chunker.c"
#elif VERSION == 2
/* as scan() in src/backup/chunker.c, with steps of two bytes */
static size_t scan(const uint64_t *gear, const uint8_t *p, size_t i, size_t end, uint64_t m, uint64_t *hp)
{
	uint64_t h = *hp;
	size_t stop = i + ((end - i) & ~(size_t)1);
	for (; i < stop; i += 2) {
		uint64_t a = gear[p[i]], ab = (a << 1) + gear[p[i + 1]];
		__asm__("" : "+r"(ab)); /* keeps the pair sum off the chain, as the library does */
		uint64_t h1 = (h << 1) + a;
		h = (h << 2) + ab;
		if (!(h1 & m))
			return i + 1;
		if (!(h & m))
			return i + 2;
	}
	if (i < end) {
		h = (h << 1) + gear[p[i]];
		if (!(h & m))
			return i + 1;
	}
	*hp = h;
	return 0;
}

size_t NAME(const struct chunker *c, const uint8_t *p, size_t n, bool eof);
size_t NAME(const struct chunker *c, const uint8_t *p, size_t n, bool eof)
{
	if (n <= c->min)
		return eof ? n : 0;
	size_t lim = n < c->max ? n : c->max;
	size_t normal = c->avg < lim ? c->avg : lim;
	uint64_t h = 0;
	size_t cut = scan(c->gear, p, c->min, normal, c->mask_s, &h);
	if (cut == 0)
		cut = scan(c->gear, p, normal, lim, c->mask_l, &h);
	if (cut != 0)
		return cut;
	if (lim == c->max)
		return c->max;
	return eof ? n : 0;
}

#else
/* the one-byte loop, exactly as blastwall shipped it before */
size_t NAME(const struct chunker *c, const uint8_t *p, size_t n, bool eof);
size_t NAME(const struct chunker *c, const uint8_t *p, size_t n, bool eof)
{
	if (n <= c->min)
		return eof ? n : 0;
	size_t lim = n < c->max ? n : c->max;
	size_t normal = c->avg < lim ? c->avg : lim;
	uint64_t h = 0;
	size_t i = c->min;
	const uint64_t *gear = c->gear;
	uint64_t ms = c->mask_s, ml = c->mask_l;
	for (; i < normal; i++) {
		h = (h << 1) + gear[p[i]];
		if (!(h & ms))
			return i + 1;
	}
	for (; i < lim; i++) {
		h = (h << 1) + gear[p[i]];
		if (!(h & ml))
			return i + 1;
	}
	if (lim == c->max)
		return c->max;
	return eof ? n : 0;
}
#endif
