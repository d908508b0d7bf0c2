/*
 * chunker_bench.c: throughput of chunker_cut's four-byte steps next to the
 * one-byte loop it replaced (and a two-byte step), on table-like text with
 * the default chunk sizes.
 *
 *   chunker_bench [MIB] [PASSES]        (512 MiB and 7 passes by default)
 *
 * Where a tight loop lands in memory changes its speed (instruction fetch
 * and the micro-op cache work in 32- and 64-byte blocks), so one placement
 * alone could flatter either version. run.sh builds every version at four
 * placements (placed.c: its code shifted 0, 16, 32 and 48 bytes from a
 * 64-byte boundary; functions start on 16-byte boundaries, so modulo 64 these
 * are all the placements the linker can give them) and links
 * them here beside libblastwall.a's own chunker_cut, wherever the linker put
 * it. Each pass times every function one after the other on the same buffer
 * and checks that all of them cut it into the same chunk list; the best pass
 * is the one least disturbed by other jobs on a shared machine, the median
 * (in brackets) shows the spread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backup/chunker.h"

typedef size_t (*cut_fn)(const struct chunker *, const uint8_t *, size_t, bool);

/* placed.c's functions: cut_V_P is version V (bytes per step) at placement P */
#define PLACEMENTS(X) X(0) X(16) X(32) X(48)
#define DECLARE(pad)                                                                    \
	size_t cut_1_##pad(const struct chunker *, const uint8_t *, size_t, bool);      \
	size_t cut_2_##pad(const struct chunker *, const uint8_t *, size_t, bool);      \
	size_t cut_4_##pad(const struct chunker *, const uint8_t *, size_t, bool);
PLACEMENTS(DECLARE)

static const struct {
	int pad;
	cut_fn f[3]; /* one, two, four bytes per step */
} placed[] = {
#define ROW(pad) { pad, { cut_1_##pad, cut_2_##pad, cut_4_##pad } },
	PLACEMENTS(ROW)
};
#define NPLACED (sizeof(placed) / sizeof(placed[0]))

static uint64_t next(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* Rows like a COPY of an answers table: ids, an e-mail, a timestamp, a few words. */
static void fill_rows(uint8_t *p, size_t n)
{
	static const char *words[] = { "answer", "course", "student", "lesson", "quiz", "score", "final", "draft",
				       "review", "submitted", "graded", "pending", "module", "chapter", "essay", "project" };
	uint64_t x = 0x9e3779b97f4a7c15ULL, row = 0;
	size_t o = 0;
	char line[512];
	while (o < n) {
		uint64_t r = next(&x);
		int k = snprintf(line, sizeof(line), "%llu\t%llu\tuser%llu@example.com\t2026-%02d-%02d %02d:%02d:%02d\t",
				 (unsigned long long)++row, (unsigned long long)(r % 100000),
				 (unsigned long long)(r >> 20) % 50000, (int)(r % 12) + 1, (int)(r >> 8) % 28 + 1,
				 (int)(r >> 16) % 24, (int)(r >> 24) % 60, (int)(r >> 32) % 60);
		int nw = 3 + (int)(next(&x) % 12);
		for (int i = 0; i < nw; i++)
			k += snprintf(line + k, sizeof(line) - (size_t)k, "%s%s", i ? " " : "", words[next(&x) % 16]);
		line[k++] = '\n';
		size_t m = n - o < (size_t)k ? n - o : (size_t)k;
		memcpy(p + o, line, m);
		o += m;
	}
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Cuts the whole buffer as a stream writer does; returns seconds, the chunk ends in ends. */
static double time_cuts(cut_fn f, const struct chunker *c, const uint8_t *p, size_t n, size_t *ends, size_t *nends,
			size_t cap)
{
	double t = now();
	size_t off = 0, k = 0;
	while (off < n) {
		off += f(c, p + off, n - off, true);
		if (k < cap)
			ends[k] = off;
		k++;
	}
	*nends = k;
	return now() - t;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

enum { NFN = NPLACED * 3 + 1 }; /* every placed function, then libblastwall.a's chunker_cut */

static cut_fn fn_at(size_t j)
{
	return j < NPLACED * 3 ? placed[j / 3].f[j % 3] : chunker_cut;
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 512;
	int passes = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 7;
	if (mib == 0 || mib > 16384 || passes < 1 || passes > 100) {
		fprintf(stderr, "usage: chunker_bench [MIB (1..16384)] [PASSES (1..100)]\n");
		return 2;
	}
	size_t n = mib << 20;
	uint8_t *p = malloc(n);
	size_t cap = n / CHUNKER_MIN_DEFAULT + 2;
	size_t *want = malloc(cap * sizeof(size_t)), *got = malloc(cap * sizeof(size_t));
	double *t = malloc(NFN * (size_t)passes * sizeof(double));
	if (!p || !want || !got || !t) {
		fprintf(stderr, "chunker_bench: out of memory for %zu MiB\n", mib);
		return 1;
	}
	fill_rows(p, n);
	struct chunker c;
	if (chunker_init(&c, CHUNKER_MIN_DEFAULT, CHUNKER_AVG_DEFAULT, CHUNKER_MAX_DEFAULT, 1) < 0)
		return 1;
	size_t nwant = 0, ngot = 0;
	for (int i = 0; i < passes; i++) {
		for (size_t j = 0; j < NFN; j++) {
			t[j * (size_t)passes + (size_t)i] = time_cuts(fn_at(j), &c, p, n, j ? got : want,
								      j ? &ngot : &nwant, cap);
			if (j && (ngot != nwant || memcmp(got, want, nwant * sizeof(size_t)) != 0)) {
				fprintf(stderr, "chunker_bench: function %zu cuts the data differently (%zu and %zu chunks)\n",
					j, nwant, ngot);
				return 1;
			}
		}
	}
	double mb = (double)n / 1e6, best[NFN], mid[NFN];
	for (size_t j = 0; j < NFN; j++) {
		double *tj = t + j * (size_t)passes;
		qsort(tj, (size_t)passes, sizeof(double), cmp_double);
		best[j] = mb / tj[0];
		mid[j] = mb / tj[passes / 2];
	}
	printf("| placement | one byte per step | two per step | four per step | four vs one |\n");
	printf("| ---: | ---: | ---: | ---: | ---: |\n");
	for (size_t k = 0; k < NPLACED; k++) {
		size_t j = k * 3;
		printf("| %d | %.0f (%.0f) | %.0f (%.0f) | %.0f (%.0f) | %.2fx |\n", placed[k].pad, best[j], mid[j],
		       best[j + 1], mid[j + 1], best[j + 2], mid[j + 2], best[j + 2] / best[j]);
	}
	printf("| libblastwall.a as linked | | | %.0f (%.0f) | |\n", best[NFN - 1], mid[NFN - 1]);
	printf("\n%zu chunks, the same from every function.\n", nwant);
	free(p);
	free(want);
	free(got);
	free(t);
	return 0;
}
