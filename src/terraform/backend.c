/*
 * backend.c: backend and workspace detection, and `terraform state pull`
 * under a deadline.
 *
 * Detection mirrors what Terraform itself does when it starts in a
 * directory: the data directory's terraform.tfstate (a small JSON file that
 * `terraform init` writes, holding "backend": {type, config, hash}) names
 * the backend; TF_WORKSPACE beats <data_dir>/environment; the local backend
 * keeps the default workspace at `path` (default terraform.tfstate) and any
 * other workspace at <workspace_dir>/<name>/terraform.tfstate (default
 * terraform.tfstate.d). A directory without the backend file (never
 * initialised, or a configuration without providers) uses the local default.
 *
 * The pull child runs in its own process group so that a timeout kills it
 * and anything it started; its stdin is /dev/null so it can never wait for
 * input. It is spawned here rather than with tfexec_run because it needs its
 * own environment (TF_WORKSPACE for the workspace detected, no input), which
 * tfexec_run does not take.
 */
#include "terraform/backend.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/fs.h"
#include "terraform/tfexec.h"

extern char **environ;

/* The backend file is a few hundred bytes; anything huge is not Terraform's. */
#define BACKEND_FILE_MAX (4u << 20)
/* A pulled state can be large, but not unbounded. */
#define PULL_MAX ((size_t)1 << 30)

static const char *json_str_or_null(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_string(v) && json_string_length(v) > 0 ? json_string_value(v) : NULL;
}

/* Reads <data_dir>/terraform.tfstate; returns 0 with out->type set, 1 when absent. */
static int read_backend_file(struct arena *a, struct tf_backend *out, const char **local_path,
			     const char **local_ws_dir, struct err *e)
{
	char *path = path_join(a, out->data_dir, "terraform.tfstate");
	if (!fs_exists(path))
		return 1;
	struct buf b;
	buf_init(&b, BACKEND_FILE_MAX);
	if (fs_read_all(path, BACKEND_FILE_MAX, &b, e) < 0) {
		buf_release(&b);
		return -1;
	}
	json_error_t je;
	json_t *root = json_loadb(b.p, b.n, 0, &je);
	buf_release(&b);
	if (!root || !json_is_object(root)) {
		if (root)
			json_decref(root);
		err_set(e, "cannot read the backend settings in '%s': %s (line %d)", path,
			root ? "not a JSON object" : je.text, je.line);
		return err_hint(e, "run 'terraform init' in '%s' to write them again", out->dir);
	}
	json_t *be = json_object_get(root, "backend");
	if (!json_is_object(be)) {
		/* Written by old versions for legacy remote state, or by hand: no backend block means local. */
		json_decref(root);
		return 1;
	}
	const char *type = json_str_or_null(be, "type");
	out->type = arena_strdup(a, type ? type : "local");
	json_t *hash = json_object_get(be, "hash");
	if (json_is_integer(hash))
		out->config_hash = arena_printf(a, "%lld", (long long)json_integer_value(hash));
	else if (json_is_string(hash))
		out->config_hash = arena_strdup(a, json_string_value(hash));
	json_t *cfg = json_object_get(be, "config");
	if (json_is_object(cfg) && strcmp(out->type, "local") == 0) {
		const char *p = json_str_or_null(cfg, "path");
		const char *w = json_str_or_null(cfg, "workspace_dir");
		*local_path = p ? arena_strdup(a, p) : NULL;
		*local_ws_dir = w ? arena_strdup(a, w) : NULL;
	}
	json_decref(root);
	return 0;
}

/* Reads <data_dir>/environment (the workspace `terraform workspace select` chose). */
static const char *read_environment(struct arena *a, const char *data_dir)
{
	char *path = path_join(a, data_dir, "environment");
	struct buf b;
	struct err e;
	buf_init(&b, 4096);
	err_init(&e);
	const char *ws = NULL;
	if (fs_read_all(path, 4096, &b, &e) == 0) {
		struct str s = str_trim(buf_str(&b));
		if (s.n)
			ws = arena_strstr(a, s);
	}
	buf_release(&b);
	return ws;
}

int tf_backend_detect(struct arena *a, const char *dir, const struct tf_backend_env *env,
		      struct tf_backend *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	char cwd[4096];
	if (!getcwd(cwd, sizeof(cwd)))
		return err_errno(e, "cannot get the current directory");
	out->dir = path_normalize(a, cwd, dir && *dir ? dir : ".");
	if (!fs_is_dir(out->dir)) {
		err_set(e, "cannot use '%s' as a Terraform directory: %s", out->dir,
			fs_exists(out->dir) ? "it is not a directory" : "no such directory");
		return err_hint(e, "give the directory that holds the configuration (where you run terraform)");
	}

	const char *data_dir = env && env->tf_data_dir ? env->tf_data_dir : getenv("TF_DATA_DIR");
	out->data_dir = path_normalize(a, out->dir, data_dir && *data_dir ? data_dir : ".terraform");
	out->initialised = fs_is_dir(out->data_dir);

	const char *local_path = NULL, *local_ws_dir = NULL;
	out->type = "local";
	if (out->initialised && read_backend_file(a, out, &local_path, &local_ws_dir, e) < 0)
		return -1;
	/* an explicit state file is local whatever the backend (terraform's -state= is local-only) */
	if (env && env->state_flag && *env->state_flag)
		out->type = "local";
	out->remote = strcmp(out->type, "local") != 0;

	const char *ws = env && env->tf_workspace ? env->tf_workspace : getenv("TF_WORKSPACE");
	if (ws && *ws) {
		out->workspace = arena_strdup(a, ws);
		out->workspace_from = "TF_WORKSPACE";
	} else if (out->initialised && (ws = read_environment(a, out->data_dir))) {
		out->workspace = ws;
		out->workspace_from = arena_printf(a, "%s/environment", path_basename(out->data_dir));
	} else {
		out->workspace = "default";
		out->workspace_from = "default";
	}

	if (out->remote) {
		out->key = arena_printf(a, "%s:%s", out->type, out->config_hash ? out->config_hash : "?");
		return 0;
	}
	const char *rel;
	if (env && env->state_flag && *env->state_flag)
		rel = env->state_flag;
	else if (strcmp(out->workspace, "default") == 0)
		rel = local_path ? local_path : "terraform.tfstate";
	else
		rel = arena_printf(a, "%s/%s/terraform.tfstate", local_ws_dir ? local_ws_dir : "terraform.tfstate.d",
				   out->workspace);
	out->state_path = path_normalize(a, out->dir, rel);
	out->key = arena_printf(a, "local:%s", out->state_path);
	return 0;
}

int tf_backend_pull_budget_ms(void)
{
	const char *s = getenv("BLASTWALL_TF_PULL_TIMEOUT");
	if (s && *s) {
		char *end;
		double v = strtod(s, &end);
		if (end != s && *end == '\0' && v > 0 && v < 3600)
			return (int)(v * 1000);
	}
	return 5000;
}

/*
 * Terraform frames diagnostics in box-drawing characters ("╷", "│ ", "╵");
 * the message reads better as one line of the words inside.
 */
static struct str plain_error(struct buf *b)
{
	size_t w = 0;
	bool space = false;
	for (size_t i = 0; i < b->n;) {
		const unsigned char *c = (const unsigned char *)b->p + i;
		if (b->n - i >= 3 && c[0] == 0xe2 && c[1] == 0x95 && (c[2] == 0xb7 || c[2] == 0xb5)) {
			i += 3; /* ╷ ╵ */
			space = true;
			continue;
		}
		if (b->n - i >= 3 && c[0] == 0xe2 && c[1] == 0x94 && c[2] == 0x82) {
			i += 3; /* │ */
			space = true;
			continue;
		}
		if (c[0] == '\n' || c[0] == '\r' || c[0] == ' ' || c[0] == '\t') {
			i++;
			space = true;
			continue;
		}
		if (space && w > 0)
			b->p[w++] = ' ';
		space = false;
		b->p[w++] = (char)c[0];
		i++;
	}
	b->n = w;
	if (b->p)
		b->p[w] = '\0';
	return str_trim(buf_str(b));
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * The child's environment: ours, with the workspace and data directory that
 * were detected (the command's own TF_WORKSPACE=... may not be in ours) and
 * the no-input switches.
 */
static char **child_env(struct arena *a, const struct tf_backend *b)
{
	static const char *const replaced[] = { "TF_WORKSPACE=", "TF_DATA_DIR=", "TF_INPUT=", "TF_IN_AUTOMATION=" };
	size_t n = 0;
	while (environ[n])
		n++;
	char **env = arena_new_array(a, char *, n + ARRAY_SIZE(replaced) + 1);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		bool skip = false;
		for (size_t j = 0; j < ARRAY_SIZE(replaced) && !skip; j++)
			skip = strncmp(environ[i], replaced[j], strlen(replaced[j])) == 0;
		if (!skip)
			env[k++] = environ[i];
	}
	env[k++] = arena_printf(a, "TF_WORKSPACE=%s", b->workspace ? b->workspace : "default");
	env[k++] = arena_printf(a, "TF_DATA_DIR=%s", b->data_dir);
	env[k++] = arena_strdup(a, "TF_INPUT=0");
	env[k++] = arena_strdup(a, "TF_IN_AUTOMATION=1");
	env[k] = NULL;
	return env;
}

int tf_backend_pull(struct arena *a, const struct tf_backend *b, const char *tool, int budget_ms, struct buf *out,
		    struct err *e)
{
	const char *prog = tfexec_find(a, NULL, tool && strcmp(tool, "tofu") == 0);
	if (!prog) {
		err_set(e, "cannot read the %s state of '%s': neither terraform nor tofu is in PATH", b->type, b->dir);
		return err_hint(e, "install terraform (or OpenTofu), or run 'terraform state pull' yourself");
	}
	int opipe[2], epipe[2];
	if (pipe2(opipe, O_CLOEXEC) < 0)
		return err_errno(e, "cannot create a pipe");
	if (pipe2(epipe, O_CLOEXEC) < 0) {
		close(opipe[0]);
		close(opipe[1]);
		return err_errno(e, "cannot create a pipe");
	}
	char *argv[] = { arena_strdup(a, prog), arena_printf(a, "-chdir=%s", b->dir), "state", "pull", NULL };
	char **env = child_env(a, b);

	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, opipe[1], 1);
	posix_spawn_file_actions_adddup2(&fa, epipe[1], 2);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
	pid_t pid;
	int rc = posix_spawn(&pid, prog, &fa, &attr, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(opipe[1]);
	close(epipe[1]);
	if (rc != 0) {
		close(opipe[0]);
		close(epipe[0]);
		errno = rc;
		return err_errno(e, "cannot run '%s'", prog);
	}

	struct buf errtext;
	buf_init(&errtext, 8192);
	long long deadline = now_ms() + budget_ms;
	bool timed_out = false, too_big = false;
	struct pollfd pf[2] = { { opipe[0], POLLIN, 0 }, { epipe[0], POLLIN, 0 } };
	int open_fds = 2;
	char chunk[65536];
	while (open_fds > 0) {
		long long left = deadline - now_ms();
		if (left <= 0) {
			timed_out = true;
			break;
		}
		int pr = poll(pf, 2, (int)left);
		if (pr < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < 2; i++) {
			if (pf[i].fd < 0 || !(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			ssize_t r = read(pf[i].fd, chunk, sizeof(chunk));
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				close(pf[i].fd);
				pf[i].fd = -1;
				open_fds--;
				continue;
			}
			if (i == 0) {
				if (out->n + (size_t)r > PULL_MAX || buf_add(out, chunk, (size_t)r) < 0) {
					too_big = true;
					open_fds = 0;
					break;
				}
			} else {
				buf_add(&errtext, chunk, (size_t)r); /* keeps the start when the error text is long */
			}
		}
	}
	if (timed_out || too_big)
		kill(-pid, SIGKILL);
	for (int i = 0; i < 2; i++)
		if (pf[i].fd >= 0)
			close(pf[i].fd);
	/* a child that closed its output but lingers is held to the same deadline */
	int status = 0;
	for (;;) {
		pid_t w = waitpid(pid, &status, timed_out || too_big ? 0 : WNOHANG);
		if (w == pid || (w < 0 && errno != EINTR))
			break;
		if (w == 0 && now_ms() >= deadline) {
			kill(-pid, SIGKILL);
			timed_out = true;
		} else if (w == 0) {
			struct timespec ts = { 0, 5 * 1000000L };
			nanosleep(&ts, NULL);
		}
	}
	int ret = 0;
	if (timed_out) {
		err_set(e, "'%s state pull' in '%s' did not finish within %.1f s (backend %s, workspace %s)",
			path_basename(prog), b->dir, budget_ms / 1000.0, b->type, b->workspace);
		err_hint(e, "set BLASTWALL_TF_PULL_TIMEOUT=SECONDS to wait longer, or check the backend's credentials");
		ret = -1;
	} else if (too_big) {
		ret = err_set(e, "the state pulled from the %s backend of '%s' is larger than %zu bytes", b->type,
			      b->dir, PULL_MAX);
	} else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		struct str msg = plain_error(&errtext);
		err_set(e, "'%s state pull' failed in '%s' (exit %d)%s%.*s", path_basename(prog), b->dir,
			WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), msg.n ? ": " : "",
			(int)(msg.n > 600 ? 600 : msg.n), msg.p);
		err_hint(e, "run 'terraform init' there, or check the backend's credentials");
		ret = -1;
	}
	buf_release(&errtext);
	return ret;
}
