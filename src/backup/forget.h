/*
 * forget.h: which snapshots keep rules keep. Snapshots are grouped by their
 * source (meta.source; one repository may hold several databases) and, within
 * a group, walked newest first: --keep-last N keeps the N newest; --keep-daily
 * N keeps the newest snapshot of each of the N most recent days that have one
 * (likewise weekly: ISO weeks, monthly). Days are calendar days in the local
 * time zone (TZ). A snapshot kept by no rule is removed.
 */
#ifndef BW_BACKUP_FORGET_H
#define BW_BACKUP_FORGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct forget_rules {
	int last, daily, weekly, monthly, yearly; /* 0 = rule not used */
};

struct forget_item {
	const char *id;
	int64_t time;
	int64_t seq;       /* breaks ties between equal times: higher is newer */
	const char *group; /* snapshots are only compared within a group */
	/* filled by forget_apply */
	bool keep;
	char why[96]; /* "last, daily", or empty */
};

/* True when at least one rule is set. */
bool forget_rules_any(const struct forget_rules *r);
/* Decides keep/why for every item (in any order; the array is reordered newest first). */
void forget_apply(struct forget_item *items, size_t n, const struct forget_rules *r);

#endif
