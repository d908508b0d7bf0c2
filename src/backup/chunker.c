/*
 * chunker.c: FastCDC cut points. The hash is h = (h << 1) + gear[byte], so
 * bit k of h depends on the last k+1 bytes only; the masks test the high bits,
 * which see the most bytes (up to 64). Hashing starts at min (bytes before it
 * cannot end a chunk anyway), and normalised chunking uses a stricter mask
 * before avg and a looser one after, which narrows the size distribution
 * around avg.
 */
#include "backup/chunker.h"

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t top_bits(unsigned k)
{
	return k == 0 ? 0 : ~0ULL << (64 - k);
}

int chunker_init(struct chunker *c, size_t min, size_t avg, size_t max, uint64_t seed)
{
	if (avg == 0 || (avg & (avg - 1)) != 0 || min < 64 || min >= avg || avg >= max || max > (64u << 20))
		return -1;
	unsigned bits = 0;
	while ((1ULL << bits) < avg)
		bits++;
	if (bits < 4)
		return -1;
	uint64_t x = seed;
	for (int i = 0; i < 256; i++)
		c->gear[i] = splitmix64(&x);
	c->mask_s = top_bits(bits + 2);
	c->mask_l = top_bits(bits - 2);
	c->min = min;
	c->avg = avg;
	c->max = max;
	return 0;
}

size_t chunker_cut(const struct chunker *c, const uint8_t *p, size_t n, bool eof)
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
