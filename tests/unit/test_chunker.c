/* test_chunker.c: FastCDC cut points: bounds, determinism, and stability under insertions. */
#include "harness.h"

#include <stdlib.h>

#include "backup/chunker.h"

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
	  chunker_insertion_changes_only_nearby_chunks)
