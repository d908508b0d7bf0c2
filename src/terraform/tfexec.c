/*
 * tfexec.c: runs terraform/tofu with a deadline. posix_spawn with a new
 * process group so a timeout kills the provider plugins it started too;
 * stdout and stderr are drained with poll so neither pipe can fill and stall
 * the child.
 */
#include "terraform/tfexec.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static bool executable(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0;
}

static const char *on_path(struct arena *a, const char *name)
{
	if (strchr(name, '/'))
		return executable(name) ? name : NULL;
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		const char *c = strchr(path, ':');
		size_t n = c ? (size_t)(c - path) : strlen(path);
		if (n) {
			char *full = arena_printf(a, "%.*s/%s", (int)n, path, name);
			if (executable(full))
				return full;
		}
		path += n + (c ? 1 : 0);
	}
	return NULL;
}

const char *tfexec_find(struct arena *a, const char *explicit_bin, bool prefer_tofu)
{
	if (explicit_bin && *explicit_bin)
		return on_path(a, explicit_bin);
	const char *first = prefer_tofu ? "tofu" : "terraform", *second = prefer_tofu ? "terraform" : "tofu";
	const char *b = on_path(a, first);
	return b ? b : on_path(a, second);
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int tfexec_run(const char *const *argv, const char *dir, int timeout_ms, size_t max_out, struct buf *out,
	       struct buf *errout, struct err *e)
{
	int op[2] = { -1, -1 }, ep[2] = { -1, -1 };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	pid_t pid;
	int rc = -1, status = 0;
	bool killed = false, toomuch = false;

	if (pipe2(op, O_CLOEXEC) < 0 || pipe2(ep, O_CLOEXEC) < 0) {
		err_errno(e, "cannot create a pipe");
		goto close;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, op[1], 1);
	posix_spawn_file_actions_adddup2(&fa, ep[1], 2);
	if (dir)
		posix_spawn_file_actions_addchdir_np(&fa, dir);
	posix_spawnattr_init(&at);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&at, 0);
	int se = posix_spawn(&pid, argv[0], &fa, &at, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	close(op[1]);
	close(ep[1]);
	op[1] = ep[1] = -1;
	if (se != 0) {
		errno = se;
		err_errno(e, "cannot run '%s'", argv[0]);
		goto close;
	}

	long long deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 20000);
	struct pollfd pf[2] = { { op[0], POLLIN, 0 }, { ep[0], POLLIN, 0 } };
	int open_fds = 2;
	char chunk[65536];
	while (open_fds > 0) {
		long long left = deadline - now_ms();
		if (left <= 0) {
			killed = true;
			break;
		}
		int n = poll(pf, 2, (int)(left > 1000 ? 1000 : left));
		if (n < 0 && errno != EINTR)
			break;
		for (int i = 0; i < 2; i++) {
			if (pf[i].fd < 0 || !(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			ssize_t r = read(pf[i].fd, chunk, sizeof(chunk));
			if (r <= 0) {
				if (r < 0 && errno == EINTR)
					continue;
				pf[i].fd = -1;
				open_fds--;
				continue;
			}
			if (i == 0) {
				if (out->n + (size_t)r > max_out || buf_add(out, chunk, (size_t)r) < 0) {
					toomuch = true;
					killed = true;
				}
			} else if (errout && errout->n < 4096) {
				size_t room = 4096 - errout->n;
				buf_add(errout, chunk, (size_t)r < room ? (size_t)r : room);
			}
		}
		if (toomuch)
			break;
	}
	if (killed)
		kill(-pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (toomuch)
		err_set(e, "'%s' wrote more than %zu bytes", argv[0], max_out);
	else if (killed)
		err_set(e, "'%s %s' did not finish within %d ms", argv[0], argv[1] ? argv[1] : "", timeout_ms);
	else if (WIFEXITED(status))
		rc = WEXITSTATUS(status);
	else
		err_set(e, "'%s' was killed by signal %d", argv[0], WIFSIGNALED(status) ? WTERMSIG(status) : 0);
close:
	for (int i = 0; i < 2; i++) {
		if (op[i] >= 0)
			close(op[i]);
		if (ep[i] >= 0)
			close(ep[i]);
	}
	return rc;
}
