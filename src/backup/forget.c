/* forget.c: keep rules (see forget.h). Pure: no I/O, so the unit tests can feed it any calendar. */
#include "backup/forget.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

bool forget_rules_any(const struct forget_rules *r)
{
	return r->last > 0 || r->daily > 0 || r->weekly > 0 || r->monthly > 0 || r->yearly > 0;
}

static int newest_first(const void *x, const void *y)
{
	const struct forget_item *a = x, *b = y;
	int g = strcmp(a->group ? a->group : "", b->group ? b->group : "");
	if (g)
		return g;
	if (a->time != b->time)
		return a->time > b->time ? -1 : 1;
	if (a->seq != b->seq)
		return a->seq > b->seq ? -1 : 1;
	return strcmp(a->id, b->id);
}

enum { R_LAST, R_DAILY, R_WEEKLY, R_MONTHLY, R_YEARLY, R_N };

static long bucket(int rule, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	localtime_r(&tt, &tm);
	switch (rule) {
	case R_DAILY:
		return (long)(tm.tm_year + 1900) * 1000 + tm.tm_yday;
	case R_WEEKLY: {
		char buf[16];
		/* ISO 8601 week-numbering year and week: a week that spans new year is one week */
		strftime(buf, sizeof(buf), "%G%V", &tm);
		return strtol(buf, NULL, 10);
	}
	case R_MONTHLY:
		return (long)(tm.tm_year + 1900) * 100 + tm.tm_mon;
	case R_YEARLY:
		return (long)tm.tm_year + 1900;
	default:
		return 0;
	}
}

void forget_apply(struct forget_item *items, size_t n, const struct forget_rules *r)
{
	static const char *names[R_N] = { "last", "daily", "weekly", "monthly", "yearly" };
	int limit[R_N] = { r->last, r->daily, r->weekly, r->monthly, r->yearly };
	qsort(items, n, sizeof(*items), newest_first);
	size_t i = 0;
	while (i < n) {
		size_t end = i;
		while (end < n && strcmp(items[end].group ? items[end].group : "",
					 items[i].group ? items[i].group : "") == 0)
			end++;
		int count[R_N] = { 0 };
		long last_bucket[R_N];
		bool have_bucket[R_N] = { false };
		for (size_t k = i; k < end; k++) {
			struct forget_item *it = &items[k];
			it->keep = false;
			it->why[0] = '\0';
			for (int rule = 0; rule < R_N; rule++) {
				if (limit[rule] <= 0 || count[rule] >= limit[rule])
					continue;
				if (rule != R_LAST) {
					long b = bucket(rule, it->time);
					if (have_bucket[rule] && b == last_bucket[rule])
						continue; /* an older snapshot of a period already kept */
					last_bucket[rule] = b;
					have_bucket[rule] = true;
				}
				count[rule]++;
				it->keep = true;
				size_t used = strlen(it->why);
				snprintf(it->why + used, sizeof(it->why) - used, "%s%s", used ? ", " : "", names[rule]);
			}
		}
		i = end;
	}
}
