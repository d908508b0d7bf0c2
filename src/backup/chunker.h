/*
 * chunker.h: content-defined chunking (FastCDC: a gear rolling hash with
 * normalised chunking). A cut is placed where the hash of the last bytes
 * matches a mask, so cut points move with the content: inserting or deleting
 * bytes changes only the chunks around the edit, and the rest deduplicate.
 *
 * Written by hand because it is the core of the product: deduplication
 * quality, throughput and the on-disk format all depend on the exact cut
 * rule, which must never change under a repository (a library update that
 * moved cut points would silently defeat deduplication). See
 * doc/repository-format.md for the rule.
 */
#ifndef BW_BACKUP_CHUNKER_H
#define BW_BACKUP_CHUNKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CHUNKER_MIN_DEFAULT (256u * 1024)
#define CHUNKER_AVG_DEFAULT (1024u * 1024)
#define CHUNKER_MAX_DEFAULT (4096u * 1024)

struct chunker {
	uint64_t gear[256];
	uint64_t mask_s; /* before the average size: more bits, cuts are rarer */
	uint64_t mask_l; /* after it: fewer bits, cuts come sooner */
	size_t min, avg, max;
};

/*
 * Sets the chunker up; avg must be a power of two, 64 <= min < avg < max <= 64 MiB.
 * The gear table is derived from seed. Returns -1 on bad parameters.
 */
int chunker_init(struct chunker *c, size_t min, size_t avg, size_t max, uint64_t seed);

/*
 * The length of the chunk that starts at p: the first content-defined cut in
 * p[0..n), or max when there is none before it. When n < max and no cut is
 * found, returns n at end of input (eof) and 0 otherwise (more data needed).
 */
size_t chunker_cut(const struct chunker *c, const uint8_t *p, size_t n, bool eof);

#endif
