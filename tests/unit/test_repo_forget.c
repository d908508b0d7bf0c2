/* test_repo_forget.c: keep rules on a synthetic calendar (TZ=UTC). */
#include "harness.h"

#include <stdlib.h>
#include <time.h>

#include "backup/forget.h"

#define DAY 86400
/* 2026-01-01 00:00:00 UTC, a Thursday */
#define T0 1767225600LL

static struct forget_item *items_at(const int64_t *times, size_t n, const char *group)
{
	struct forget_item *v = calloc(n, sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		char *id = malloc(8);
		snprintf(id, 8, "s%03zu", i);
		v[i].id = id;
		v[i].time = times[i];
		v[i].seq = (int64_t)i;
		v[i].group = group;
	}
	return v;
}

static bool kept(struct forget_item *v, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].id, id) == 0)
			return v[i].keep;
	return false;
}

static void free_items(struct forget_item *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free((char *)v[i].id);
	free(v);
}

TEST(forget_keep_last)
{
	int64_t t[5] = { T0, T0 + 10, T0 + 20, T0 + 20, T0 + 30 };
	struct forget_item *v = items_at(t, 5, NULL);
	struct forget_rules r = { .last = 2 };
	forget_apply(v, 5, &r);
	CHECK(kept(v, 5, "s004"));
	CHECK(kept(v, 5, "s003")); /* same second as s002, but newer by order */
	CHECK(!kept(v, 5, "s002"));
	CHECK(!kept(v, 5, "s000"));
	CHECK_STREQ(v[0].why, "last");
	free_items(v, 5);
}

TEST(forget_daily_keeps_newest_of_each_day)
{
	/* three snapshots a day for 10 days */
	int64_t t[30];
	for (int d = 0; d < 10; d++)
		for (int k = 0; k < 3; k++)
			t[d * 3 + k] = T0 + d * DAY + 3600 * (k + 1);
	struct forget_item *v = items_at(t, 30, "db");
	struct forget_rules r = { .daily = 4 };
	forget_apply(v, 30, &r);
	int nkept = 0;
	for (int i = 0; i < 30; i++)
		nkept += v[i].keep;
	CHECK_INTEQ(nkept, 4);
	CHECK(kept(v, 30, "s029") && kept(v, 30, "s026") && kept(v, 30, "s023") && kept(v, 30, "s020"));
	CHECK(!kept(v, 30, "s028") && !kept(v, 30, "s017"));
	free_items(v, 30);
}

TEST(forget_weekly_monthly_and_reasons)
{
	/* one snapshot a day for 100 days */
	int64_t t[100];
	for (int d = 0; d < 100; d++)
		t[d] = T0 + d * DAY + 7200;
	struct forget_item *v = items_at(t, 100, "db");
	struct forget_rules r = { .last = 1, .weekly = 3, .monthly = 3 };
	forget_apply(v, 100, &r);
	/* newest: day 99 = 2026-04-10 (Friday): last, weekly, monthly */
	CHECK(kept(v, 100, "s099"));
	CHECK_STREQ(v[0].why, "last, weekly, monthly");
	/* weekly: the newest of the two previous ISO weeks: Sundays 2026-04-05 (day 94) and 2026-03-29 (day 87) */
	CHECK(kept(v, 100, "s094"));
	CHECK(kept(v, 100, "s087"));
	CHECK(!kept(v, 100, "s080"));
	/* monthly: last day of March (day 89) and of February (day 58) */
	CHECK(kept(v, 100, "s089"));
	CHECK(kept(v, 100, "s058"));
	CHECK(!kept(v, 100, "s030"));
	int nkept = 0;
	for (int i = 0; i < 100; i++)
		nkept += v[i].keep;
	CHECK_INTEQ(nkept, 5);
	free_items(v, 100);
}

TEST(forget_rules_apply_per_group)
{
	int64_t t[4] = { T0, T0 + 1, T0 + 2, T0 + 3 };
	struct forget_item *v = items_at(t, 4, "a");
	v[1].group = "b";
	v[3].group = "b";
	struct forget_rules r = { .last = 1 };
	forget_apply(v, 4, &r);
	CHECK(kept(v, 4, "s002") && kept(v, 4, "s003"));
	CHECK(!kept(v, 4, "s000") && !kept(v, 4, "s001"));
	struct forget_rules none = { 0 };
	CHECK(!forget_rules_any(&none));
	CHECK(forget_rules_any(&r));
	free_items(v, 4);
}

int main(int argc, char **argv);
#define main test_main
TEST_MAIN(forget_keep_last, forget_daily_keeps_newest_of_each_day, forget_weekly_monthly_and_reasons,
	  forget_rules_apply_per_group)
#undef main
int main(int argc, char **argv)
{
	setenv("TZ", "UTC", 1);
	tzset();
	return test_main(argc, argv);
}
