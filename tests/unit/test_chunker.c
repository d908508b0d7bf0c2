/*
 * test_chunker.c: FastCDC cut points: bounds, determinism, stability under
 * insertions, and that the cut rule never moves: known answers from the
 * repository format, and chunker_cut (which hashes four bytes per step)
 * against ref_cut, a plain copy of the one-byte rule, on random inputs that
 * reach every way out of the function.
 */
#include "harness.h"

#include <stdlib.h>

#include "backup/chunker.h"
#include "common/util.h"

static void fill(uint8_t *p, size_t n, uint64_t seed)
{
	uint64_t x = seed | 1;
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = (uint8_t)x;
	}
}

/* Cuts p into chunks; returns the number, cut end offsets in ends. */
static size_t cut_all(const struct chunker *c, const uint8_t *p, size_t n, size_t *ends, size_t max_ends)
{
	size_t off = 0, k = 0;
	while (off < n && k < max_ends) {
		size_t len = chunker_cut(c, p + off, n - off, true);
		off += len;
		ends[k++] = off;
	}
	return k;
}

/*
 * The cut rule exactly as doc/repository-format.md states it, one byte at a
 * time: the reference that chunker_cut must agree with on every input.
 * Deliberately the simplest form; do not optimise it.
 */
static size_t ref_cut(const struct chunker *c, const uint8_t *p, size_t n, bool eof)
{
	if (n <= c->min)
		return eof ? n : 0;
	size_t lim = n < c->max ? n : c->max;
	size_t normal = c->avg < lim ? c->avg : lim;
	uint64_t h = 0;
	size_t i = c->min;
	for (; i < normal; i++) {
		h = (h << 1) + c->gear[p[i]];
		if (!(h & c->mask_s))
			return i + 1;
	}
	for (; i < lim; i++) {
		h = (h << 1) + c->gear[p[i]];
		if (!(h & c->mask_l))
			return i + 1;
	}
	if (lim == c->max)
		return c->max;
	return eof ? n : 0;
}

static uint64_t next(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* Text like a table dump: numbers, words, tabs and newlines (few distinct bytes). */
static void fill_text(uint8_t *p, size_t n, uint64_t seed)
{
	static const char *words[] = { "answer", "course", "user", "2026-11-22", "graded", "NULL", "\\N", "quiz" };
	uint64_t x = seed | 1;
	size_t i = 0;
	while (i < n) {
		uint64_t r = next(&x);
		char tmp[32];
		int k = snprintf(tmp, sizeof(tmp), "%s%llu%c", words[r % 8], (unsigned long long)(r >> 40) % 100000,
				 (r >> 8) % 5 ? '\t' : '\n');
		for (int j = 0; j < k && i < n; j++)
			p[i++] = (uint8_t)tmp[j];
	}
}

/*
 * Random bytes with long runs of one value. Within a run the hash settles
 * after 64 bytes and then stays the same, so a long run cuts early or not at
 * all: chunks reach max.
 */
static void fill_runs(uint8_t *p, size_t n, uint64_t seed)
{
	uint64_t x = seed | 1;
	size_t i = 0;
	while (i < n) {
		uint64_t r = next(&x);
		size_t len = 1 + (size_t)(r % 3000);
		bool run = (r >> 20) % 2;
		for (size_t j = 0; j < len && i < n; j++)
			p[i++] = run ? (uint8_t)(r >> 32) : (uint8_t)next(&x);
	}
}

/* How ref_cut ended: which exits the comparison reached. */
enum outcome { OUT_SHORT, OUT_NEED_MORE, OUT_CUT_BEFORE_AVG, OUT_CUT_AFTER_AVG, OUT_AT_MAX, OUT_AT_EOF, OUT_N };

struct tally {
	size_t calls, mismatches;
	size_t out[OUT_N];
	size_t lane[2][4]; /* content cuts by phase (before/after avg) and by offset mod 4 within it */
};

/* Compares chunker_cut with ref_cut on one input; reports the first few mismatches. */
static void compare(const struct chunker *c, const uint8_t *p, size_t n, bool eof, struct tally *t)
{
	size_t want = ref_cut(c, p, n, eof), got = chunker_cut(c, p, n, eof);
	t->calls++;
	if (got != want) {
		if (t->mismatches++ < 5)
			fprintf(stderr, "mismatch: min %zu avg %zu max %zu n %zu eof %d: want %zu, got %zu\n", c->min,
				c->avg, c->max, n, eof, want, got);
		CHECK(got == want);
	}
	enum outcome o;
	if (n <= c->min)
		o = OUT_SHORT;
	else if (want == 0)
		o = OUT_NEED_MORE;
	else if (want == c->max && n >= c->max)
		o = OUT_AT_MAX;
	else if (eof && want == n && n < c->max)
		o = OUT_AT_EOF;
	else if (want <= c->avg)
		o = OUT_CUT_BEFORE_AVG;
	else
		o = OUT_CUT_AFTER_AVG;
	t->out[o]++;
	if (o == OUT_CUT_BEFORE_AVG)
		t->lane[0][(want - c->min) % 4]++;
	else if (o == OUT_CUT_AFTER_AVG)
		t->lane[1][(want - c->avg) % 4]++;
}

/*
 * Walks a buffer the way a stream writer does, with random lengths around
 * min, avg and max and random eof, comparing every call; then cuts the whole
 * buffer both ways.
 */
static void compare_walk(const struct chunker *c, const uint8_t *p, size_t len, uint64_t seed, struct tally *t)
{
	uint64_t x = seed | 1;
	size_t off = 0;
	while (off < len) {
		uint64_t r = next(&x);
		size_t n;
		switch (r % 4) {
		case 0: n = (size_t)(r >> 8) % (c->min + 2); break;		     /* short */
		case 1: n = c->min + (size_t)(r >> 8) % (c->avg - c->min + 2); break; /* around avg */
		case 2: n = c->avg + (size_t)(r >> 8) % (c->max - c->avg + 2); break; /* around max */
		default: n = (size_t)(r >> 8) % (3 * c->max); break;
		}
		if (n > len - off)
			n = len - off;
		compare(c, p + off, n, (r >> 40) % 2, t);
		size_t step = ref_cut(c, p + off, n, true);
		off += step ? step : 1;
	}
	for (off = 0; off < len;) {
		compare(c, p + off, len - off, true, t);
		size_t step = ref_cut(c, p + off, len - off, true);
		if (step == 0)
			break;
		off += step;
	}
}

TEST(chunker_cuts_match_the_one_byte_rule)
{
	/* small parameters cut every few hundred bytes; min mod 4 and the distances to avg
	   and max vary, so the four-byte steps meet the phase boundaries at every offset */
	static const size_t params[][3] = {
		{ 64, 128, 256 },  { 65, 128, 300 },  { 66, 256, 1000 },	 { 67, 128, 131 },
		{ 64, 1024, 16384 }, { 99, 512, 513 }, { 100, 1 << 16, (1 << 16) + 37 }, /* mostly max */
	};
	size_t len = 256u << 10;
	uint8_t *p = malloc(len);
	struct tally t = { 0 };
	for (size_t k = 0; k < ARRAY_SIZE(params); k++) {
		for (uint64_t seed = 1; seed <= 3; seed++) {
			struct chunker c;
			CHECK(chunker_init(&c, params[k][0], params[k][1], params[k][2], seed * 7919 + k) == 0);
			fill(p, len, seed + 100 * k);
			compare_walk(&c, p, len, seed, &t);
			fill_text(p, len, seed + 100 * k);
			compare_walk(&c, p, len, seed + 1, &t);
			fill_runs(p, len, seed + 100 * k);
			compare_walk(&c, p, len, seed + 2, &t);
		}
	}
	free(p);
	CHECK_INTEQ(t.mismatches, 0);
	/* the comparison reached every exit and every position within a four-byte step */
	for (int o = 0; o < OUT_N; o++)
		CHECK(t.out[o] > 50);
	for (int ph = 0; ph < 2; ph++)
		for (int l = 0; l < 4; l++)
			CHECK(t.lane[ph][l] > 50);
}

TEST(chunker_default_cuts_match_the_one_byte_rule)
{
	size_t len = 12u << 20;
	uint8_t *p = malloc(len);
	struct tally t = { 0 };
	for (uint64_t seed = 1; seed <= 2; seed++) {
		struct chunker c;
		CHECK(chunker_init(&c, CHUNKER_MIN_DEFAULT, CHUNKER_AVG_DEFAULT, CHUNKER_MAX_DEFAULT, seed) == 0);
		if (seed == 1)
			fill_text(p, len, 11);
		else
			fill(p, len, 12);
		for (size_t off = 0; off < len;) {
			compare(&c, p + off, len - off, true, &t);
			compare(&c, p + off, len - off, false, &t);
			/* lengths at every boundary, odd and even, with and without eof */
			size_t at[] = { c.min - 1, c.min, c.min + 1, c.min + 2, c.min + 3, c.avg - 1, c.avg, c.avg + 1,
					c.avg + 3, c.max - 1, c.max, c.max + 1 };
			for (size_t j = 0; j < ARRAY_SIZE(at); j++)
				if (at[j] <= len - off) {
					compare(&c, p + off, at[j], true, &t);
					compare(&c, p + off, at[j], false, &t);
				}
			off += ref_cut(&c, p + off, len - off, true);
		}
	}
	free(p);
	CHECK_INTEQ(t.mismatches, 0);
	CHECK(t.out[OUT_CUT_BEFORE_AVG] > 0 && t.out[OUT_CUT_AFTER_AVG] > 0);
}

/*
 * Cut points written down from the implementation that wrote the first
 * repositories: if these move, existing snapshots stop deduplicating.
 */
TEST(chunker_known_cut_points)
{
	static const struct {
		size_t min, avg, max;
		uint64_t seed, data;
		size_t n;
		size_t ends[16];
	} cases[] = {
		{ CHUNKER_MIN_DEFAULT, CHUNKER_AVG_DEFAULT, CHUNKER_MAX_DEFAULT, 1, 99, 16u << 20,
		  { 1458429, 2849905, 3539431, 4724428, 6182489, 7723102, 8353539, 9713068, 10882536, 11536967,
		    12781872, 13925055, 15065213, 16275301, 16777216 } },
		{ 64, 128, 256, 42, 7, 2048, { 254, 406, 506, 636, 826, 1004, 1164, 1356, 1487, 1652, 1810, 2009, 2048 } },
		{ 65, 256, 1000, 3, 8, 4000,
		  { 98, 273, 552, 833, 1122, 1398, 1704, 2042, 2392, 2668, 3064, 3373, 3712, 3995, 4000 } },
	};
	for (size_t k = 0; k < ARRAY_SIZE(cases); k++) {
		struct chunker c;
		CHECK(chunker_init(&c, cases[k].min, cases[k].avg, cases[k].max, cases[k].seed) == 0);
		uint8_t *p = malloc(cases[k].n);
		fill(p, cases[k].n, cases[k].data);
		size_t ends[16];
		size_t m = cut_all(&c, p, cases[k].n, ends, 16);
		size_t want = 0;
		while (want < 16 && cases[k].ends[want])
			want++;
		CHECK_INTEQ(m, want);
		for (size_t i = 0; i < m && i < want; i++)
			CHECK_INTEQ(ends[i], cases[k].ends[i]);
		free(p);
	}
}

TEST(chunker_rejects_bad_parameters)
{
	struct chunker c;
	CHECK(chunker_init(&c, 256 << 10, 1 << 20, 4 << 20, 1) == 0);
	CHECK(chunker_init(&c, 256 << 10, 1000000, 4 << 20, 1) < 0); /* not a power of two */
	CHECK(chunker_init(&c, 2 << 20, 1 << 20, 4 << 20, 1) < 0);   /* min > avg */
	CHECK(chunker_init(&c, 16, 1 << 20, 4 << 20, 1) < 0);
}

TEST(chunker_sizes_within_bounds_and_near_average)
{
	struct chunker c;
	CHECK(chunker_init(&c, 256 << 10, 1 << 20, 4 << 20, 7) == 0);
	size_t n = 64u << 20;
	uint8_t *p = malloc(n);
	fill(p, n, 99);
	size_t ends[1000];
	size_t k = cut_all(&c, p, n, ends, 1000);
	CHECK(k > 30 && k < 120);
	size_t prev = 0;
	for (size_t i = 0; i < k; i++) {
		size_t len = ends[i] - prev;
		if (i + 1 < k)
			CHECK(len >= c.min && len <= c.max);
		prev = ends[i];
	}
	CHECK_INTEQ(ends[k - 1], n);
	/* not at end of input and no cut yet: more data needed */
	CHECK_INTEQ(chunker_cut(&c, p, c.min, false), 0);
	CHECK_INTEQ(chunker_cut(&c, p, 100, true), 100);
	/* all zeroes never match a mask: cut at max */
	uint8_t *z = calloc(1, c.max + 10);
	size_t zc = chunker_cut(&c, z, c.max + 10, false);
	CHECK(zc <= c.max && zc >= c.min);
	free(z);
	free(p);
}

TEST(chunker_insertion_changes_only_nearby_chunks)
{
	struct chunker c;
	CHECK(chunker_init(&c, 64 << 10, 256 << 10, 1 << 20, 3) == 0);
	size_t n = 16u << 20;
	uint8_t *p = malloc(n + 1), *q = malloc(n + 1);
	fill(p, n, 5);
	/* q = p with one byte inserted in the middle */
	size_t at = n / 2 + 12345;
	memcpy(q, p, at);
	q[at] = 0x5a;
	memcpy(q + at + 1, p + at, n - at);
	size_t a[1000], b[1000];
	size_t ka = cut_all(&c, p, n, a, 1000), kb = cut_all(&c, q, n + 1, b, 1000);
	/* chunk boundaries as sets: before the insertion identical, after it shifted by one */
	size_t same = 0;
	for (size_t i = 0; i < ka; i++) {
		size_t want = a[i] < at ? a[i] : a[i] + 1;
		for (size_t j = 0; j < kb; j++)
			if (b[j] == want) {
				same++;
				break;
			}
	}
	CHECK(ka > 20);
	CHECK(same + 2 >= ka); /* at most two chunks differ */
	/* determinism */
	size_t a2[1000];
	CHECK_INTEQ(cut_all(&c, p, n, a2, 1000), ka);
	CHECK(memcmp(a, a2, ka * sizeof(size_t)) == 0);
	/* another seed cuts elsewhere */
	struct chunker c2;
	CHECK(chunker_init(&c2, 64 << 10, 256 << 10, 1 << 20, 4) == 0);
	size_t d[1000];
	size_t kd = cut_all(&c2, p, n, d, 1000);
	CHECK(kd != ka || memcmp(a, d, ka * sizeof(size_t)) != 0);
	free(p);
	free(q);
}

TEST_MAIN(chunker_rejects_bad_parameters, chunker_sizes_within_bounds_and_near_average,
	  chunker_insertion_changes_only_nearby_chunks, chunker_known_cut_points, chunker_cuts_match_the_one_byte_rule,
	  chunker_default_cuts_match_the_one_byte_rule)
