/* fs.c: file reading, atomic writes, directories, lexical path handling. */
#include "common/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int fs_read_fd(int fd, size_t max, struct buf *b, struct err *e)
{
	char chunk[65536];
	for (;;) {
		ssize_t r = read(fd, chunk, sizeof(chunk));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return err_errno(e, "read failed");
		}
		if (r == 0)
			return 0;
		if (b->n + (size_t)r > max)
			return err_set(e, "input is larger than %zu bytes", max);
		if (buf_add(b, chunk, (size_t)r) < 0)
			return err_set(e, "input is larger than %zu bytes", b->max);
	}
}

int fs_read_all(const char *path, size_t max, struct buf *b, struct err *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_errno(e, "cannot open '%s'", path);
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		return err_set(e, "cannot read '%s': it is a directory", path);
	}
	int r = fs_read_fd(fd, max, b, e);
	close(fd);
	if (r < 0)
		return err_wrap(e, "cannot read '%s'", path);
	return 0;
}

int fs_fsync_dir(const char *dir, struct err *e)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return err_errno(e, "cannot open directory '%s'", dir);
	if (fsync(fd) < 0 && errno != EINVAL) {
		int r = err_errno(e, "cannot fsync directory '%s'", dir);
		close(fd);
		return r;
	}
	close(fd);
	return 0;
}

int fs_write_atomic(const char *path, const void *data, size_t n, mode_t mode, struct err *e)
{
	size_t len = strlen(path);
	char *tmp = xmalloc(len + 32);
	snprintf(tmp, len + 32, "%s.tmp.%ld", path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0) {
		int r = err_errno(e, "cannot create '%s'", tmp);
		free(tmp);
		return r;
	}
	const char *p = data;
	size_t left = n;
	while (left) {
		ssize_t w = write(fd, p, left);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			int r = err_errno(e, "cannot write '%s'", tmp);
			close(fd);
			unlink(tmp);
			free(tmp);
			return r;
		}
		p += w;
		left -= (size_t)w;
	}
	if (fsync(fd) < 0) {
		int r = err_errno(e, "cannot fsync '%s'", tmp);
		close(fd);
		unlink(tmp);
		free(tmp);
		return r;
	}
	if (close(fd) < 0) {
		int r = err_errno(e, "cannot close '%s'", tmp);
		unlink(tmp);
		free(tmp);
		return r;
	}
	if (rename(tmp, path) < 0) {
		int r = err_errno(e, "cannot rename '%s' to '%s'", tmp, path);
		unlink(tmp);
		free(tmp);
		return r;
	}
	free(tmp);
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	int r = 0;
	if (slash == dir)
		r = fs_fsync_dir("/", e);
	else if (slash) {
		*slash = '\0';
		r = fs_fsync_dir(dir, e);
	} else
		r = fs_fsync_dir(".", e);
	free(dir);
	return r;
}

int fs_mkdir_p(const char *path, mode_t mode, struct err *e)
{
	char *p = xstrdup(path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST) {
			int r = err_errno(e, "cannot create directory '%s'", p);
			free(p);
			return r;
		}
		*s = '/';
	}
	if (mkdir(p, mode) < 0 && errno != EEXIST) {
		int r = err_errno(e, "cannot create directory '%s'", p);
		free(p);
		return r;
	}
	free(p);
	if (!fs_is_dir(path))
		return err_set(e, "cannot create directory '%s': a file is in the way", path);
	return 0;
}

bool fs_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

bool fs_is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *fs_home(void)
{
	const char *h = getenv("HOME");
	if (h && *h)
		return h;
	struct passwd *pw = getpwuid(getuid());
	if (pw && pw->pw_dir && *pw->pw_dir)
		return pw->pw_dir;
	return "/";
}

static char *xdg_dir(struct arena *a, const char *override, const char *xdg, const char *fallback)
{
	const char *v = getenv(override);
	if (v && *v)
		return arena_strdup(a, v);
	v = getenv(xdg);
	if (v && *v == '/')
		return path_join(a, v, "blastwall");
	return path_join(a, path_join(a, fs_home(), fallback), "blastwall");
}

char *fs_state_dir(struct arena *a)
{
	return xdg_dir(a, "BLASTWALL_STATE_DIR", "XDG_STATE_HOME", ".local/state");
}

char *fs_config_dir(struct arena *a)
{
	return xdg_dir(a, "BLASTWALL_CONFIG_DIR", "XDG_CONFIG_HOME", ".config");
}

char *path_join(struct arena *a, const char *dir, const char *name)
{
	if (name[0] == '/' || dir[0] == '\0')
		return arena_strdup(a, name);
	size_t n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (n == 1 && dir[0] == '/')
		return arena_printf(a, "/%s", name);
	return arena_printf(a, "%.*s/%s", (int)n, dir, name);
}

char *path_normalize(struct arena *a, const char *cwd, const char *p)
{
	const char *full = p[0] == '/' ? p : path_join(a, cwd && *cwd ? cwd : "/", p);
	size_t n = strlen(full);
	char *out = arena_alloc(a, n + 2);
	size_t o = 0;
	const char *s = full;
	while (*s) {
		while (*s == '/')
			s++;
		if (!*s)
			break;
		const char *end = strchr(s, '/');
		size_t len = end ? (size_t)(end - s) : strlen(s);
		if (len == 1 && s[0] == '.') {
			/* skip */
		} else if (len == 2 && s[0] == '.' && s[1] == '.') {
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
		} else {
			out[o++] = '/';
			memcpy(out + o, s, len);
			o += len;
		}
		s += len;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	return out;
}

char *path_dirname(struct arena *a, const char *p)
{
	const char *slash = strrchr(p, '/');
	if (!slash)
		return arena_strdup(a, ".");
	if (slash == p)
		return arena_strdup(a, "/");
	return arena_strndup(a, p, (size_t)(slash - p));
}

const char *path_basename(const char *p)
{
	const char *slash = strrchr(p, '/');
	return slash ? slash + 1 : p;
}

bool path_within(const char *p, const char *dir)
{
	size_t n = strlen(dir);
	if (n == 1 && dir[0] == '/')
		return p[0] == '/';
	return strncmp(p, dir, n) == 0 && (p[n] == '\0' || p[n] == '/');
}
