/*
 * guard_corpus.c: runs the guard over labelled command corpora, in-process
 * (hundreds of cases in milliseconds, also under ASan).
 *
 *   guard_corpus --cwd DIR FILE.tsv...         one "ok"/"not ok" line per case
 *   guard_corpus --cwd DIR --rules RULES.json FILE.tsv...
 *                                             also: every rule in "blastwall rules --json"
 *                                             has a blocking and a passing case
 *   guard_corpus --cwd DIR --scan FILE         unlabelled commands, one per line: counts
 *                                             by decision, then every ask/deny with its rules
 *
 * Corpus lines: DECISION <TAB> RULE-or-"-" <TAB> COMMAND. For ask/deny the rule
 * must be among the matches ("block" accepts ask or deny); on an allow line the rule names what the case
 * is a look-alike of (the passing case of that rule). In COMMAND, the
 * character sequence "⏎" stands for a newline (heredocs). '#' starts a comment line.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/arena.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/fs.h"
#include "guard/guard.h"

#define NL_MARK "\xe2\x8f\x8e" /* ⏎ */

struct seen {
	char *id;
	int block, pass;
};
static struct seen *seen;
static size_t nseen;

static struct seen *seen_get(const char *id)
{
	for (size_t i = 0; i < nseen; i++)
		if (strcmp(seen[i].id, id) == 0)
			return &seen[i];
	seen = xrealloc(seen, (nseen + 1) * sizeof(*seen));
	seen[nseen] = (struct seen){ xstrdup(id), 0, 0 };
	return &seen[nseen++];
}

static char *unescape(const char *s)
{
	struct buf b;
	buf_init(&b, 0);
	while (*s) {
		if (strncmp(s, NL_MARK, 3) == 0) {
			buf_addc(&b, '\n');
			s += 3;
		} else {
			buf_addc(&b, *s++);
		}
	}
	char *r = xstrdup(b.p ? b.p : "");
	buf_release(&b);
	return r;
}

static bool has_rule(const struct guard_result *r, const char *rule, bool blocking)
{
	for (size_t i = 0; i < r->nmatches; i++)
		if (strcmp(r->matches[i].rule, rule) == 0 && (!blocking || r->matches[i].decision != DECISION_ALLOW))
			return true;
	return false;
}

static void print_rules(const struct guard_result *r, FILE *f)
{
	for (size_t i = 0; i < r->nmatches; i++)
		fprintf(f, "%s%s=%s", i ? "," : "", r->matches[i].rule, decision_name(r->matches[i].decision));
	if (!r->nmatches)
		fprintf(f, "-");
}

static int run_file(const char *path, const char *cwd, const struct bw_config *cfg, int *failed)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "guard_corpus: cannot open '%s'\n", path);
		return -1;
	}
	char *line = NULL;
	size_t cap = 0;
	long n;
	int lineno = 0, count = 0;
	while ((n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0 || line[0] == '#')
			continue;
		char *t1 = strchr(line, '\t');
		char *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
		if (!t2) {
			printf("not ok - %s:%d: malformed line (want DECISION<TAB>RULE<TAB>COMMAND)\n", path, lineno);
			(*failed)++;
			continue;
		}
		*t1 = *t2 = '\0';
		const char *want = line, *rule = t1 + 1;
		char *cmd = unescape(t2 + 1);
		enum decision wd;
		/* "block": ask or deny, for cases another module judges (terraform's state evidence) */
		bool block = strcmp(want, "block") == 0;
		if (block)
			wd = DECISION_ASK;
		else if (decision_parse(want, &wd) < 0) {
			printf("not ok - %s:%d: unknown decision '%s'\n", path, lineno, want);
			(*failed)++;
			free(cmd);
			continue;
		}
		struct arena *a = arena_new();
		struct guard_request req = { .command = cmd, .cwd = cwd, .agent = "test" };
		struct guard_result res;
		struct err e;
		err_init(&e);
		count++;
		bool ok = guard_decide(a, &req, cfg, &res, &e) == 0 &&
			  (res.decision == wd || (block && res.decision == DECISION_DENY));
		bool norule = strcmp(rule, "-") == 0;
		if (ok && !norule && wd != DECISION_ALLOW)
			ok = has_rule(&res, rule, true);
		if (!norule) {
			struct seen *s = seen_get(rule);
			if (ok && wd != DECISION_ALLOW)
				s->block++;
			if (ok && wd == DECISION_ALLOW)
				s->pass++;
		}
		if (ok) {
			printf("ok - %s:%d: %s %s\n", path, lineno, want, t2 + 1);
		} else {
			(*failed)++;
			printf("not ok - %s:%d: %s: got %s (", path, lineno, t2 + 1, decision_name(res.decision));
			print_rules(&res, stdout);
			printf("), want %s%s%s\n", want, norule ? "" : " ", norule ? "" : rule);
		}
		arena_free(a);
		free(cmd);
	}
	free(line);
	fclose(f);
	return count;
}

static int check_rules(const char *json_path, int *failed)
{
	json_error_t je;
	json_t *arr = json_load_file(json_path, 0, &je);
	if (!json_is_array(arr)) {
		printf("not ok - cannot read rules from '%s': %s\n", json_path, je.text);
		(*failed)++;
		return -1;
	}
	size_t i;
	json_t *r;
	json_array_foreach(arr, i, r) {
		const char *id = json_string_value(json_object_get(r, "id"));
		if (!id)
			continue;
		/* rules another module decides from evidence are tested with that module's fixtures */
		if (json_is_string(json_object_get(r, "judged_by"))) {
			printf("ok - rule %s is judged by the %s module # SKIP tested by its fixtures\n", id,
			       json_string_value(json_object_get(r, "judged_by")));
			continue;
		}
		struct seen *s = seen_get(id);
		if (s->block && s->pass) {
			printf("ok - rule %s has %d blocking and %d passing cases\n", id, s->block, s->pass);
		} else {
			(*failed)++;
			printf("not ok - rule %s has %d blocking and %d passing cases (needs at least one of each)\n", id,
			       s->block, s->pass);
		}
	}
	json_decref(arr);
	return 0;
}

static int scan(const char *path, const char *cwd, const struct bw_config *cfg)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "guard_corpus: cannot open '%s'\n", path);
		return 1;
	}
	char *line = NULL;
	size_t cap = 0;
	long n;
	long counts[3] = { 0 }, unparsed = 0, total = 0;
	double secs = 0;
	while ((n = getline(&line, &cap, f)) >= 0) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0)
			continue;
		struct arena *a = arena_new();
		struct guard_request req = { .command = line, .cwd = cwd, .agent = "test" };
		struct guard_result res;
		struct err e;
		err_init(&e);
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		int rc = guard_decide(a, &req, cfg, &res, &e);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		double dt = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		secs += dt;
		if (getenv("GUARD_CORPUS_SLOW") && dt * 1e6 > strtod(getenv("GUARD_CORPUS_SLOW"), NULL))
			fprintf(stderr, "slow: %.0f us: %s\n", dt * 1e6, line);
		total++;
		if (rc == 0) {
			counts[res.decision]++;
			if (res.parse_error)
				unparsed++;
			if (res.decision != DECISION_ALLOW) {
				printf("%s\t", decision_name(res.decision));
				print_rules(&res, stdout);
				printf("\t%s\n", line);
			}
		}
		arena_free(a);
	}
	free(line);
	fclose(f);
	printf("# scanned %ld commands: %ld allow, %ld ask, %ld deny (%ld do not parse); %.1f us per decision\n", total,
	       counts[0], counts[1], counts[2], unparsed, total ? secs * 1e6 / (double)total : 0.0);
	return 0;
}

int main(int argc, char **argv)
{
	const char *cwd = NULL, *rules = NULL, *scan_file = NULL;
	int i = 1;
	for (; i < argc; i++) {
		if (strcmp(argv[i], "--cwd") == 0 && i + 1 < argc)
			cwd = argv[++i];
		else if (strcmp(argv[i], "--rules") == 0 && i + 1 < argc)
			rules = argv[++i];
		else if (strcmp(argv[i], "--scan") == 0 && i + 1 < argc)
			scan_file = argv[++i];
		else
			break;
	}
	struct arena *ca = arena_new();
	struct bw_config cfg;
	struct err e;
	err_init(&e);
	if (config_load(ca, cwd, &cfg, &e) < 0) {
		err_print(&e);
		return 2;
	}
	if (scan_file) {
		int rc = scan(scan_file, cwd, &cfg);
		arena_free(ca);
		return rc;
	}
	int failed = 0, total = 0;
	for (; i < argc; i++) {
		int n = run_file(argv[i], cwd, &cfg, &failed);
		if (n < 0)
			return 2;
		total += n;
	}
	if (rules)
		check_rules(rules, &failed);
	printf("# %d cases, %d failed\n", total, failed);
	arena_free(ca);
	return failed ? 1 : 0;
}
