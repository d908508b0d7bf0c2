/*
 * proc.c: fork/exec with pipes (see proc.h). Everything the child needs
 * (environment, group list) is prepared before fork, because the process may
 * be multithreaded and the child may only call async-signal-safe functions
 * until exec.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "db/proc.h"

extern char **environ;

#define ERR_KEEP (64 * 1024)

int proc_postgres_user(uid_t *uid, gid_t *gid)
{
	struct passwd pw, *res = NULL;
	char tmp[4096];
	if (getpwnam_r("postgres", &pw, tmp, sizeof(tmp), &res) != 0 || !res)
		return -1;
	*uid = pw.pw_uid;
	*gid = pw.pw_gid;
	return 0;
}

/* The environment plus additions (an addition replaces a variable of the same name). */
static char **make_env(const char *const *add)
{
	size_t n = 0, nadd = 0;
	while (environ && environ[n])
		n++;
	while (add && add[nadd])
		nadd++;
	char **env = xcalloc(n + nadd + 1, sizeof(char *));
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(environ[i], '=');
		size_t klen = eq ? (size_t)(eq - environ[i]) + 1 : strlen(environ[i]);
		bool replaced = false;
		for (size_t j = 0; j < nadd; j++)
			if (strncmp(add[j], environ[i], klen) == 0)
				replaced = true;
		if (!replaced)
			env[k++] = environ[i];
	}
	for (size_t j = 0; j < nadd; j++)
		env[k++] = (char *)add[j];
	env[k] = NULL;
	return env;
}

static void keep_tail(struct buf *b, const char *p, size_t n)
{
	if (!b)
		return;
	if (b->n + n > ERR_KEEP) {
		/* keep the newest bytes: the end of stderr says what went wrong */
		size_t drop = b->n + n - ERR_KEEP;
		if (drop >= b->n) {
			buf_reset(b);
			if (n > ERR_KEEP) {
				p += n - ERR_KEEP;
				n = ERR_KEEP;
			}
		} else {
			memmove(b->p, b->p + drop, b->n - drop);
			b->n -= drop;
			b->p[b->n] = '\0';
		}
	}
	buf_add(b, p, n);
}

int proc_run(const struct proc_opts *o, struct err *e)
{
	const char *prog = o->argv[0];
	int out[2], errp[2];
	if (pipe2(out, O_CLOEXEC) < 0)
		return err_errno(e, "cannot create a pipe for '%s'", prog);
	if (pipe2(errp, O_CLOEXEC) < 0) {
		close(out[0]);
		close(out[1]);
		return err_errno(e, "cannot create a pipe for '%s'", prog);
	}
	char **env = make_env(o->env);
	gid_t groups[256];
	int ngroups = 0;
	if (o->as_user) {
		struct passwd *pw = getpwuid(o->uid);
		ngroups = ARRAY_SIZE(groups);
		if (!pw || getgrouplist(pw->pw_name, o->gid, groups, &ngroups) < 0) {
			groups[0] = o->gid;
			ngroups = 1;
		}
	}
	pid_t pid = fork();
	if (pid < 0) {
		free(env);
		close(out[0]);
		close(out[1]);
		close(errp[0]);
		close(errp[1]);
		return err_errno(e, "cannot start '%s'", prog);
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);
		if (devnull >= 0)
			dup2(devnull, 0);
		dup2(out[1], 1);
		dup2(errp[1], 2);
		if (o->as_user) {
			if (setgroups((size_t)ngroups, groups) < 0 || setgid(o->gid) < 0 || setuid(o->uid) < 0) {
				static const char msg[] = "blastwall: cannot switch to the postgres user\n";
				(void)!write(2, msg, sizeof(msg) - 1);
				_exit(126);
			}
		}
		execvpe(prog, (char *const *)o->argv, env);
		static const char msg[] = "blastwall: cannot run the program: ";
		(void)!write(2, msg, sizeof(msg) - 1);
		const char *why = strerror(errno);
		(void)!write(2, why, strlen(why));
		(void)!write(2, "\n", 1);
		_exit(127);
	}
	free(env);
	close(out[1]);
	close(errp[1]);

	struct buf errbuf;
	buf_init(&errbuf, 0);
	int rc = 0;
	bool sink_failed = false;
	struct pollfd fds[2] = { { out[0], POLLIN, 0 }, { errp[0], POLLIN, 0 } };
	int open_fds = 2;
	char *chunk = xmalloc(1 << 16);
	while (open_fds > 0) {
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			rc = err_errno(e, "cannot wait for '%s'", prog);
			break;
		}
		for (int i = 0; i < 2; i++) {
			if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			ssize_t r = read(fds[i].fd, chunk, 1 << 16);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				close(fds[i].fd);
				fds[i].fd = -1;
				open_fds--;
				continue;
			}
			if (i == 1) {
				keep_tail(&errbuf, chunk, (size_t)r);
			} else if (sink_failed) {
				/* drain so the child is not blocked while it is killed */
			} else if (o->sink) {
				if (o->sink(o->ctx, chunk, (size_t)r, e) < 0) {
					sink_failed = true;
					kill(pid, SIGTERM);
				}
			} else if (o->out) {
				buf_add(o->out, chunk, (size_t)r);
			}
		}
		if (rc < 0)
			break;
	}
	free(chunk);
	for (int i = 0; i < 2; i++)
		if (fds[i].fd >= 0)
			close(fds[i].fd);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (o->errout)
		buf_add(o->errout, errbuf.p ? errbuf.p : "", errbuf.n);
	if (rc == 0 && sink_failed)
		rc = -1;
	if (rc == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		/* the last non-empty line of stderr usually says it all */
		struct str s = str_trim(buf_str(&errbuf));
		if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && s.n == 0)
			rc = err_set(e, "cannot run '%s'", prog);
		else if (s.n)
			rc = err_set(e, "'%s' failed: %.*s", prog, (int)(s.n > 700 ? 700 : s.n), s.p + (s.n > 700 ? s.n - 700 : 0));
		else if (WIFSIGNALED(status))
			rc = err_set(e, "'%s' was killed by signal %d", prog, WTERMSIG(status));
		else
			rc = err_set(e, "'%s' failed with exit code %d", prog, WEXITSTATUS(status));
	}
	buf_release(&errbuf);
	return rc;
}
