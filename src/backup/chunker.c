/*
 * chunker.c: FastCDC cut points. The hash is h = (h << 1) + gear[byte], so
 * bit k of h depends on the last k+1 bytes only; the masks test the high bits,
 * which see the most bytes (up to 64). Hashing starts at min (bytes before it
 * cannot end a chunk anyway), and normalised chunking uses a stricter mask
 * before avg and a looser one after, which narrows the size distribution
 * around avg.
 *
 * Invariant: chunker_cut returns exactly what the rule in
 * doc/repository-format.md gives when computed one byte at a time, for every
 * input: the cut points are part of the repository format. The one-byte loop
 * lives on in tests/unit/test_chunker.c as the reference chunker_cut is
 * compared with on random inputs.
 */
#include "backup/chunker.h"

/*
 * Keeps a value in a register the compiler may not reassociate through; see
 * scan(). Only speed depends on it, so other compilers get a no-op.
 */
#if defined(__GNUC__)
#define OFF_CHAIN(x) __asm__("" : "+r"(x))
#else
#define OFF_CHAIN(x) ((void)0)
#endif

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

/*
 * Hashes p[i..end) on from *hp and tests every position against mask m.
 * Returns the length up to and including the first matching byte, or 0 (no
 * match: *hp is the hash after p[end - 1]). 0 is never a real answer because
 * hashing starts at min >= 64.
 *
 * Why four bytes per step. The one-byte loop
 *     h = (h << 1) + gear[p[i]]; if (!(h & m)) return i + 1;
 * is one long chain: each h needs the previous one, a shift and an add (one
 * lea on x86) per byte, and the CPU cannot start the next byte before the
 * last is done. Shifting distributes over addition modulo 2^64, so for bytes
 * with gear values a, b (unsigned arithmetic wraps exactly as in the loop):
 *     h1 = (h << 1) + a
 *     h2 = (h1 << 1) + b = (h << 2) + ((a << 1) + b)
 * The pair sum (a << 1) + b does not depend on h, so it is computed beside
 * the chain, and the chain costs one shift-add per two bytes; h1 is computed
 * from h, off the chain, only to be tested. Two pairs make a step of four:
 * h2 from h, h4 from h2. Every intermediate value h1..h4 equals the hash the
 * one-byte loop has after that byte, and they are tested in byte order, so
 * the first match is the same byte: same cut. Compilers like to fold the
 * pair sum back into the chain (h + a, then + b), which is why OFF_CHAIN pins
 * it. A step of four also spends the loop's counter and branch on four bytes
 * instead of one. Measured on x86-64 (bench/chunker/README.md), four per step
 * keeps its speed wherever the linker places the code, while the one-byte
 * loop loses 40% at half the placements and two per step a quarter at one;
 * eight per step was no faster. The last (end - i) % 4 bytes go one at a time.
 */
static size_t scan(const uint64_t *gear, const uint8_t *p, size_t i, size_t end, uint64_t m, uint64_t *hp)
{
	uint64_t h = *hp;
	size_t stop = i + ((end - i) & ~(size_t)3);
	for (; i < stop; i += 4) {
		uint64_t a = gear[p[i]], b = gear[p[i + 1]], c = gear[p[i + 2]], d = gear[p[i + 3]];
		uint64_t ab = (a << 1) + b, cd = (c << 1) + d;
		OFF_CHAIN(ab);
		OFF_CHAIN(cd);
		uint64_t h1 = (h << 1) + a;
		uint64_t h2 = (h << 2) + ab;
		uint64_t h3 = (h2 << 1) + c;
		uint64_t h4 = (h2 << 2) + cd;
		if (!(h1 & m) || !(h2 & m) || !(h3 & m) || !(h4 & m)) {
			if (!(h1 & m))
				return i + 1;
			if (!(h2 & m))
				return i + 2;
			return !(h3 & m) ? i + 3 : i + 4;
		}
		h = h4;
	}
	for (; i < end; i++) {
		h = (h << 1) + gear[p[i]];
		if (!(h & m))
			return i + 1;
	}
	*hp = h;
	return 0;
}

size_t chunker_cut(const struct chunker *c, const uint8_t *p, size_t n, bool eof)
{
	if (n <= c->min)
		return eof ? n : 0;
	size_t lim = n < c->max ? n : c->max;
	size_t normal = c->avg < lim ? c->avg : lim;
	/* min < normal <= lim: min < avg < max, and n > min */
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
