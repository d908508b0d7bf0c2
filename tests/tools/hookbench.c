/*
 * hookbench.c: whole-process latency of hook commands, the way an agent pays
 * it: spawn, write the JSON payload to stdin, close it, wait for exit.
 *
 *   hookbench [-r ROUNDS] [-w WARMUP] PAYLOADS.jsonl NAME=COMMAND [NAME=COMMAND ...]
 *
 * PAYLOADS.jsonl holds one payload per line. COMMAND is split on spaces (no
 * shell, so no shell start-up is measured). Every round feeds every payload to
 * every command, interleaved (payload 1 to A, B, C, then payload 2 ...), so
 * that drift in machine load spreads evenly over the commands compared.
 * Output, one tab-separated line per command:
 *   name  runs  p50_ms  p90_ms  p99_ms  mean_ms  max_ms  nonzero_exits  cpu_p50_ms
 * (cpu: user + system time of the child, from wait4: less sensitive to other
 * load on the machine than the wall-clock columns).
 * stdout and stderr of the commands go to /dev/null.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

struct target {
	const char *name;
	char **argv;
	double *samples;
	double *cpu;
	size_t n, cap;
	size_t nonzero;
};

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void *xrealloc_or_die(void *p, size_t n)
{
	void *q = realloc(p, n);
	if (!q) {
		fprintf(stderr, "hookbench: out of memory\n");
		exit(70);
	}
	return q;
}

static char **split(const char *cmd)
{
	char *copy = strdup(cmd);
	char **argv = NULL;
	size_t n = 0;
	for (char *p = copy; *p;) {
		while (*p == ' ')
			*p++ = '\0';
		if (!*p)
			break;
		argv = xrealloc_or_die(argv, sizeof(*argv) * (n + 2));
		argv[n++] = p;
		while (*p && *p != ' ')
			p++;
	}
	if (!argv) {
		fprintf(stderr, "hookbench: empty command\n");
		exit(2);
	}
	argv[n] = NULL;
	return argv;
}

/* One run: returns elapsed ms; *status gets the wait status. */
static double run_once(struct target *t, const char *payload, size_t len, int devnull, int *status, double *cpu)
{
	int fds[2];
	posix_spawn_file_actions_t fa;
	pid_t pid;
	if (pipe2(fds, O_CLOEXEC) < 0) {
		perror("hookbench: pipe");
		exit(1);
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[0], 0);
	posix_spawn_file_actions_adddup2(&fa, devnull, 1);
	posix_spawn_file_actions_adddup2(&fa, devnull, 2);
	double t0 = now_ms();
	int rc = posix_spawn(&pid, t->argv[0], &fa, NULL, t->argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[0]);
	if (rc != 0) {
		fprintf(stderr, "hookbench: cannot run '%s': %s\n", t->argv[0], strerror(rc));
		exit(1);
	}
	/* A command that exits without reading (/bin/true) gives EPIPE: that is fine. */
	for (size_t off = 0; off < len;) {
		ssize_t w = write(fds[1], payload + off, len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		off += (size_t)w;
	}
	close(fds[1]);
	struct rusage ru;
	while (wait4(pid, status, 0, &ru) < 0 && errno == EINTR)
		;
	double elapsed = now_ms() - t0;
	*cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
	return elapsed;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double pct(const double *v, size_t n, double p)
{
	if (n == 0)
		return 0;
	size_t i = (size_t)(p / 100.0 * (double)(n - 1) + 0.5);
	return v[i < n ? i : n - 1];
}

int main(int argc, char **argv)
{
	int rounds = 3, warmup = 1, c;
	while ((c = getopt(argc, argv, "r:w:")) != -1) {
		if (c == 'r')
			rounds = (int)strtol(optarg, NULL, 10);
		else if (c == 'w')
			warmup = (int)strtol(optarg, NULL, 10);
		else
			return 2;
	}
	if (argc - optind < 2 || rounds < 1 || warmup < 0) {
		fprintf(stderr, "usage: hookbench [-r ROUNDS] [-w WARMUP] PAYLOADS.jsonl NAME=COMMAND...\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);

	FILE *f = fopen(argv[optind], "r");
	if (!f) {
		fprintf(stderr, "hookbench: cannot open '%s': %s\n", argv[optind], strerror(errno));
		return 1;
	}
	char **payloads = NULL;
	size_t *lens = NULL, np = 0, cap = 0;
	char *line = NULL;
	size_t lcap = 0;
	ssize_t len;
	while ((len = getline(&line, &lcap, f)) > 0) {
		if (len <= 1)
			continue;
		if (np == cap) {
			cap = cap ? cap * 2 : 128;
			payloads = xrealloc_or_die(payloads, cap * sizeof(*payloads));
			lens = xrealloc_or_die(lens, cap * sizeof(*lens));
		}
		payloads[np] = malloc((size_t)len);
		memcpy(payloads[np], line, (size_t)len);
		lens[np++] = (size_t)len;
	}
	free(line);
	fclose(f);
	if (np == 0) {
		fprintf(stderr, "hookbench: no payloads in '%s'\n", argv[optind]);
		return 1;
	}

	size_t nt = (size_t)(argc - optind - 1);
	struct target *t = calloc(nt, sizeof(*t));
	for (size_t i = 0; i < nt; i++) {
		char *spec = argv[optind + 1 + i];
		char *eq = strchr(spec, '=');
		if (!eq) {
			fprintf(stderr, "hookbench: '%s' is not NAME=COMMAND\n", spec);
			return 2;
		}
		*eq = '\0';
		t[i].name = spec;
		t[i].argv = split(eq + 1);
		t[i].cap = np * (size_t)rounds;
		t[i].samples = calloc(t[i].cap, sizeof(double));
		t[i].cpu = calloc(t[i].cap, sizeof(double));
	}
	int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	int status;
	double cpu;
	for (int w = 0; w < warmup; w++)
		for (size_t p = 0; p < np; p++)
			for (size_t i = 0; i < nt; i++)
				run_once(&t[i], payloads[p], lens[p], devnull, &status, &cpu);
	for (int r = 0; r < rounds; r++) {
		for (size_t p = 0; p < np; p++) {
			for (size_t i = 0; i < nt; i++) {
				double ms = run_once(&t[i], payloads[p], lens[p], devnull, &status, &cpu);
				t[i].cpu[t[i].n] = cpu;
				t[i].samples[t[i].n++] = ms;
				if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
					t[i].nonzero++;
			}
		}
	}
	for (size_t i = 0; i < nt; i++) {
		double sum = 0;
		qsort(t[i].samples, t[i].n, sizeof(double), cmp);
		qsort(t[i].cpu, t[i].n, sizeof(double), cmp);
		for (size_t k = 0; k < t[i].n; k++)
			sum += t[i].samples[k];
		printf("%s\t%zu\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%zu\t%.3f\n", t[i].name, t[i].n,
		       pct(t[i].samples, t[i].n, 50), pct(t[i].samples, t[i].n, 90), pct(t[i].samples, t[i].n, 99),
		       sum / (double)t[i].n, t[i].samples[t[i].n - 1], t[i].nonzero, pct(t[i].cpu, t[i].n, 50));
	}
	return 0;
}
