/*
 * shell-bench.c: timings of the shell parser for bench/shell-parse/.
 *
 *   shell-bench CORPUS [ROUNDS]   parse (and walk) each line of CORPUS ROUNDS
 *                                 times; print per-command latency and memory
 *   shell-bench --big             time 1 MB inputs of several shapes
 *   shell-bench --file FILE       time FILE parsed as one script, once
 *   shell-bench --filter CORPUS   print the lines that parse and hold no
 *                                 heredoc (for whole-file runs of other parsers)
 *
 * One arena per parse, reset between commands, as the hook does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/arena.h"
#include "common/err.h"
#include "shell/shell.h"
#include "read_lines.h"

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int count_cb(const struct shell_visit *v, void *ctx)
{
	++*(size_t *)ctx;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int corpus(const char *path, int rounds)
{
	size_t n;
	char **lines = read_lines(path, &n);
	struct arena *a = arena_new();
	double *per = xmalloc(n * sizeof(*per));
	size_t ok = 0, cmds = 0, bytes = 0, max_mem = 0, mem = 0;
	double total = 0;
	for (size_t i = 0; i < n; i++) {
		double best = 1e18;
		size_t len = strlen(lines[i]);
		bool parsed = false;
		for (int r = 0; r < rounds; r++) {
			arena_reset(a);
			struct shell_node *root;
			struct err e;
			size_t visited = 0;
			double t0 = now_ns();
			parsed = shell_parse(a, lines[i], len, NULL, &root, &e) == 0;
			if (parsed)
				shell_walk(root, count_cb, &visited);
			double t = now_ns() - t0;
			if (t < best)
				best = t;
			if (r == 0) {
				cmds += visited;
				size_t used = arena_used(a);
				mem += used;
				if (used > max_mem)
					max_mem = used;
			}
		}
		if (parsed)
			ok++;
		per[i] = best;
		total += best;
		bytes += len;
	}
	qsort(per, n, sizeof(*per), cmp_double);
	printf("lines %zu (parsed %zu), bytes %zu, simple commands %zu\n", n, ok, bytes, cmds);
	printf("parse+walk per line (best of %d): mean %.2f us, p50 %.2f us, p99 %.2f us, max %.2f us\n", rounds,
	       total / n / 1e3, per[n / 2] / 1e3, per[(size_t)(n * 0.99)] / 1e3, per[n - 1] / 1e3);
	printf("throughput %.1f MB/s; arena per line: mean %zu bytes, max %zu bytes\n", bytes / (total / 1e9) / 1e6,
	       mem / n, max_mem);
	arena_free(a);
	return 0;
}

/* Best of rounds runs, each in a fresh arena (so page faults are counted, as in a hook). */
static void time_runs(const char *name, const char *src, size_t n, int rounds)
{
	struct arena *a = NULL;
	struct shell_node *root;
	struct err e;
	size_t visited = 0;
	double t = 1e18;
	int rc = 0;
	for (int r = 0; r < rounds; r++) {
		arena_free(a);
		a = arena_new();
		visited = 0;
		double t0 = now_ns();
		rc = shell_parse(a, src, n, NULL, &root, &e);
		if (rc == 0)
			shell_walk(root, count_cb, &visited);
		double dt = now_ns() - t0;
		if (dt < t)
			t = dt;
	}
	printf("%-38s %8.2f ms  %s, %zu commands, arena %.1f MB\n", name, t / 1e6, rc == 0 ? "parsed" : e.msg, visited,
	       arena_used(a) / 1e6);
	arena_free(a);
}

static void time_big(const char *name, const char *src, size_t n)
{
	time_runs(name, src, n, 3);
}

/* Writes pat at off once; returns the new end. */
static size_t put(char *s, size_t off, const char *pat)
{
	size_t len = strlen(pat);
	memcpy(s + off, pat, len);
	return off + len;
}

/* Repeats pat from off while it fits below cap; returns the new end. */
static size_t fill(char *s, size_t off, size_t cap, const char *pat)
{
	size_t len = strlen(pat);
	while (off + len <= cap)
		off = put(s, off, pat);
	return off;
}

static int big(void)
{
	size_t n = 1 << 20;
	char *s = xmalloc(n);
	memcpy(s, "echo ", 5);
	memset(s + 5, 'a', n - 5);
	time_big("1 MB word", s, n);
	size_t k = fill(s, 0, n - 8, "ls -l \"$x\" | grep $(id -u)\n");
	k = put(s, k, "true\n");
	time_big("1 MB of pipelines and substitutions", s, k);
	k = put(s, 0, "cat <<EOF\n");
	k = fill(s, k, n, "line $(a) text\n");
	time_big("1 MB heredoc body with substitutions", s, k);
	k = fill(s, 0, n, "'q' \"d\" ");
	time_big("1 MB of quoted words", s, k);
	k = fill(s, 0, n / 2, "$(");
	time_big("unclosed $( x 256K (depth limit)", s, k);
	free(s);
	return 0;
}

static int filter(const char *path)
{
	size_t n;
	char **lines = read_lines(path, &n);
	struct arena *a = arena_new();
	for (size_t i = 0; i < n; i++) {
		struct shell_node *root;
		struct err e;
		arena_reset(a);
		if (strstr(lines[i], "<<") && !strstr(lines[i], "<<<"))
			continue;
		if (strchr(lines[i], '\\') && lines[i][strlen(lines[i]) - 1] == '\\')
			continue;
		if (shell_parse(a, lines[i], strlen(lines[i]), NULL, &root, &e) == 0)
			puts(lines[i]);
	}
	arena_free(a);
	return 0;
}

/* The whole file as one script, parsed and walked once. */
static int whole_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return 1;
	}
	size_t cap = 1 << 20, n = 0, k;
	char *s = xmalloc(cap);
	while ((k = fread(s + n, 1, cap - n, f)) > 0) {
		n += k;
		if (n == cap)
			s = xrealloc(s, cap *= 2);
	}
	fclose(f);
	time_runs(path, s, n, 1);
	free(s);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--file") == 0)
		return whole_file(argv[2]);
	if (argc == 2 && strcmp(argv[1], "--big") == 0)
		return big();
	if (argc == 3 && strcmp(argv[1], "--filter") == 0)
		return filter(argv[2]);
	if (argc == 2 || argc == 3)
		return corpus(argv[1], argc == 3 ? (int)strtol(argv[2], NULL, 10) : 5);
	fprintf(stderr, "usage: shell-bench CORPUS [ROUNDS] | --big | --file FILE | --filter CORPUS\n");
	return 2;
}
