/*
 * posix.c: the storage driver for a local (or mounted) directory. A key is a
 * file path below the root. A put writes "<dir>/.tmp.<pid>.<n>.<name>", fsyncs
 * it, renames it over the key (or links it, for exclusive puts, so that an
 * existing key is never replaced) and fsyncs the directory. Dot files are
 * temporaries: listings skip them and clean_temp removes old ones left by a
 * killed writer. Directories are created on demand.
 *
 * With STORAGE_DEFER_SYNC the directory fsync is postponed: the directory is
 * remembered and synced by flush. A backup writes hundreds of chunks into a
 * few hundred fan-out directories and needs them durable only before its
 * manifest is written, so one fsync per directory replaces one per chunk.
 */
#include "storage/storage.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/fs.h"

struct posix {
	char *root;
	pthread_mutex_t mu;  /* guards dirty */
	char **dirty;        /* directories waiting for fsync (malloc'd) */
	size_t ndirty, capdirty;
};

static atomic_uint tmp_counter;

static char *key_path(struct posix *p, const char *key)
{
	size_t n = strlen(p->root) + strlen(key) + 2;
	char *s = xmalloc(n);
	snprintf(s, n, "%s/%s", p->root, key);
	return s;
}

/* Splits path into its directory (malloc'd) and returns the base name inside path. */
static char *dir_of(const char *path, const char **base)
{
	const char *slash = strrchr(path, '/');
	*base = slash + 1;
	return xstrndup(path, (size_t)(slash - path));
}

static int io_error(struct err *e, const char *what, const char *path)
{
	int saved = errno;
	err_errno(e, "cannot %s '%s'", what, path);
	if (saved == ENOSPC || saved == EDQUOT)
		err_hint(e, "the file system holding the repository is full; free space and run the command again "
			    "(nothing half-written was left visible)");
	else if (saved == EACCES || saved == EPERM || saved == EROFS)
		err_hint(e, "check that you may write to the repository directory");
	errno = saved;
	return -1;
}

static void mark_dirty(struct posix *p, const char *dir)
{
	pthread_mutex_lock(&p->mu);
	for (size_t i = 0; i < p->ndirty; i++) {
		if (strcmp(p->dirty[i], dir) == 0) {
			pthread_mutex_unlock(&p->mu);
			return;
		}
	}
	if (p->ndirty == p->capdirty) {
		p->capdirty = p->capdirty ? p->capdirty * 2 : 64;
		p->dirty = xrealloc(p->dirty, p->capdirty * sizeof(*p->dirty));
	}
	p->dirty[p->ndirty++] = xstrdup(dir);
	pthread_mutex_unlock(&p->mu);
}

static int write_all(int fd, const void *data, size_t n)
{
	const char *c = data;
	while (n) {
		ssize_t w = write(fd, c, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

/* mkdir -p for a directory below the root; new directories are synced into their parents. */
static int make_dirs(struct posix *p, const char *dir, struct err *e)
{
	if (fs_is_dir(dir))
		return 0;
	if (fs_mkdir_p(dir, 0755, e) < 0)
		return -1;
	/* sync from the new directory up to the root so the entries survive a crash */
	char *d = xstrdup(dir);
	size_t rootlen = strlen(p->root);
	for (;;) {
		char *slash = strrchr(d, '/');
		if (!slash || (size_t)(slash - d) < rootlen)
			break;
		*slash = '\0';
		if (fs_fsync_dir(d, e) < 0) {
			free(d);
			return -1;
		}
		if (strlen(d) <= rootlen)
			break;
	}
	free(d);
	return 0;
}

static int posix_put(struct storage *s, const char *key, const void *data, size_t n, unsigned flags, struct err *e)
{
	struct posix *p = s->priv;
	char *path = key_path(p, key);
	const char *base;
	char *dir = dir_of(path, &base);
	size_t tn = strlen(dir) + strlen(base) + 64;
	char *tmp = xmalloc(tn);
	snprintf(tmp, tn, "%s/.tmp.%ld.%u.%s", dir, (long)getpid(), atomic_fetch_add(&tmp_counter, 1), base);
	int rc = -1;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 && errno == ENOENT) {
		if (make_dirs(p, dir, e) < 0)
			goto out;
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	}
	if (fd < 0) {
		io_error(e, "create", tmp);
		goto out;
	}
	if (write_all(fd, data, n) < 0) {
		io_error(e, "write", path);
		close(fd);
		unlink(tmp);
		goto out;
	}
	if (fsync(fd) < 0) {
		io_error(e, "fsync", path);
		close(fd);
		unlink(tmp);
		goto out;
	}
	if (close(fd) < 0) {
		io_error(e, "write", path);
		unlink(tmp);
		goto out;
	}
	if (flags & STORAGE_EXCLUSIVE) {
		/* link() fails when the name exists: the exclusive create that rename cannot give */
		if (link(tmp, path) < 0) {
			int saved = errno;
			unlink(tmp);
			if (saved == EEXIST) {
				rc = STORAGE_EXISTS;
				err_set(e, "'%s' already exists", path);
			} else {
				errno = saved;
				io_error(e, "create", path);
			}
			goto out;
		}
		unlink(tmp);
	} else if (rename(tmp, path) < 0) {
		io_error(e, "rename into", path);
		unlink(tmp);
		goto out;
	}
	if (flags & STORAGE_DEFER_SYNC) {
		mark_dirty(p, dir);
		rc = 0;
	} else
		rc = fs_fsync_dir(dir, e);
out:
	free(tmp);
	free(dir);
	free(path);
	return rc;
}

static int posix_get(struct storage *s, const char *key, struct buf *out, size_t max, struct err *e)
{
	struct posix *p = s->priv;
	char *path = key_path(p, key);
	int rc = -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT) {
			err_set(e, "object '%s' is missing from the repository", key);
			rc = STORAGE_NOT_FOUND;
		} else
			io_error(e, "open", path);
		goto out;
	}
	struct stat st;
	if (fstat(fd, &st) < 0) {
		io_error(e, "stat", path);
		close(fd);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		err_set(e, "'%s' is not a regular file", path);
		close(fd);
		goto out;
	}
	if ((uint64_t)st.st_size > max) {
		err_set(e, "object '%s' is %lld bytes, more than the %zu allowed", key, (long long)st.st_size, max);
		close(fd);
		goto out;
	}
	rc = fs_read_fd(fd, max, out, e);
	close(fd);
	if (rc < 0)
		err_wrap(e, "cannot read '%s'", path);
out:
	free(path);
	return rc;
}

static int posix_stat(struct storage *s, const char *key, struct storage_stat *sst, struct err *e)
{
	struct posix *p = s->priv;
	char *path = key_path(p, key);
	struct stat st;
	int rc = 0;
	if (stat(path, &st) < 0) {
		if (errno == ENOENT) {
			err_set(e, "object '%s' is missing from the repository", key);
			rc = STORAGE_NOT_FOUND;
		} else
			rc = io_error(e, "stat", path);
	} else {
		sst->size = (uint64_t)st.st_size;
		sst->mtime = (int64_t)st.st_mtime;
	}
	free(path);
	return rc;
}

struct walk {
	struct posix *p;
	storage_list_fn fn;
	void *ctx;
	struct err *e;
	/* clean_temp mode */
	bool clean;
	int64_t max_age, now;
	uint64_t removed;
};

static int walk_dir(struct walk *w, const char *dirpath, const char *keyprefix)
{
	DIR *d = opendir(dirpath);
	if (!d) {
		if (errno == ENOENT)
			return 0;
		return io_error(w->e, "list", dirpath);
	}
	int rc = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		const char *nm = de->d_name;
		if (strcmp(nm, ".") == 0 || strcmp(nm, "..") == 0)
			continue;
		struct stat st;
		if (fstatat(dirfd(d), nm, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				continue; /* deleted while we listed */
			size_t pn = strlen(dirpath) + strlen(nm) + 2;
			char *path = xmalloc(pn);
			snprintf(path, pn, "%s/%s", dirpath, nm);
			rc = io_error(w->e, "stat", path);
			free(path);
			break;
		}
		size_t pn = strlen(dirpath) + strlen(nm) + 2;
		char *path = xmalloc(pn);
		snprintf(path, pn, "%s/%s", dirpath, nm);
		size_t kn = strlen(keyprefix) + strlen(nm) + 2;
		char *key = xmalloc(kn);
		snprintf(key, kn, "%s%s%s", keyprefix, *keyprefix ? "/" : "", nm);
		if (S_ISDIR(st.st_mode)) {
			if (nm[0] != '.')
				rc = walk_dir(w, path, key);
		} else if (w->clean) {
			if (strncmp(nm, ".tmp.", 5) == 0 && w->now - (int64_t)st.st_mtime >= w->max_age) {
				if (unlink(path) == 0)
					w->removed++;
			}
		} else if (nm[0] != '.' && S_ISREG(st.st_mode)) {
			struct storage_stat sst = { (uint64_t)st.st_size, (int64_t)st.st_mtime };
			rc = w->fn(w->ctx, key, &sst);
		}
		free(key);
		free(path);
		if (rc != 0)
			break;
	}
	closedir(d);
	return rc;
}

static int posix_list(struct storage *s, const char *prefix, storage_list_fn fn, void *ctx, struct err *e)
{
	struct posix *p = s->priv;
	char *path = key_path(p, prefix);
	struct walk w = { .p = p, .fn = fn, .ctx = ctx, .e = e };
	int rc = walk_dir(&w, path, prefix);
	free(path);
	return rc;
}

static int posix_clean_temp(struct storage *s, int64_t max_age, uint64_t *removed, struct err *e)
{
	struct posix *p = s->priv;
	struct walk w = { .p = p, .e = e, .clean = true, .max_age = max_age, .now = (int64_t)time(NULL) };
	int rc = walk_dir(&w, p->root, "");
	if (removed)
		*removed = w.removed;
	return rc;
}

static int posix_del(struct storage *s, const char *key, struct err *e)
{
	struct posix *p = s->priv;
	char *path = key_path(p, key);
	int rc = 0;
	if (unlink(path) < 0 && errno != ENOENT)
		rc = io_error(e, "delete", path);
	else {
		const char *base;
		char *dir = dir_of(path, &base);
		mark_dirty(p, dir);
		free(dir);
	}
	free(path);
	return rc;
}

static int posix_rename(struct storage *s, const char *from, const char *to, bool replace, struct err *e)
{
	struct posix *p = s->priv;
	char *src = key_path(p, from), *dst = key_path(p, to);
	int rc = 0;
	const char *base;
	char *dir = dir_of(dst, &base);
	if (make_dirs(p, dir, e) < 0) {
		rc = -1;
	} else if (replace) {
		if (rename(src, dst) < 0)
			rc = errno == ENOENT ? (err_set(e, "object '%s' is missing from the repository", from), STORAGE_NOT_FOUND)
					     : io_error(e, "rename", src);
	} else {
		if (link(src, dst) < 0) {
			if (errno == EEXIST)
				rc = (err_set(e, "'%s' already exists", dst), STORAGE_EXISTS);
			else if (errno == ENOENT)
				rc = (err_set(e, "object '%s' is missing from the repository", from), STORAGE_NOT_FOUND);
			else
				rc = io_error(e, "rename", src);
		} else if (unlink(src) < 0)
			rc = io_error(e, "rename", src);
	}
	if (rc == 0) {
		rc = fs_fsync_dir(dir, e);
		const char *sbase;
		char *sdir = dir_of(src, &sbase);
		if (rc == 0 && strcmp(sdir, dir) != 0)
			rc = fs_fsync_dir(sdir, e);
		free(sdir);
	}
	free(dir);
	free(src);
	free(dst);
	return rc;
}

static int posix_flush(struct storage *s, struct err *e)
{
	struct posix *p = s->priv;
	pthread_mutex_lock(&p->mu);
	char **dirs = p->dirty;
	size_t n = p->ndirty;
	p->dirty = NULL;
	p->ndirty = p->capdirty = 0;
	pthread_mutex_unlock(&p->mu);
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		if (rc == 0 && fs_is_dir(dirs[i]) && fs_fsync_dir(dirs[i], e) < 0)
			rc = -1;
		free(dirs[i]);
	}
	free(dirs);
	return rc;
}

static void posix_close(struct storage *s)
{
	struct posix *p = s->priv;
	if (!p)
		return;
	for (size_t i = 0; i < p->ndirty; i++)
		free(p->dirty[i]);
	free(p->dirty);
	pthread_mutex_destroy(&p->mu);
	free(p->root);
	free(p);
	s->priv = NULL;
}

static const struct storage_ops posix_ops = {
	.name = "posix",
	.put = posix_put,
	.get = posix_get,
	.stat = posix_stat,
	.list = posix_list,
	.del = posix_del,
	.rename = posix_rename,
	.flush = posix_flush,
	.clean_temp = posix_clean_temp,
	.close = posix_close,
};

static void close_cb(void *p)
{
	struct storage *s = p;
	s->ops->close(s);
}

int storage_posix_open(struct arena *a, const char *root, bool create, struct storage **out, struct err *e)
{
	char cwd[4096];
	if (!getcwd(cwd, sizeof(cwd)))
		cwd[0] = '\0';
	char *norm = path_normalize(a, cwd, root);
	if (create) {
		if (fs_mkdir_p(norm, 0755, e) < 0)
			return -1;
	} else if (!fs_is_dir(norm)) {
		if (!fs_exists(norm))
			return err_set(e, "'%s' does not exist", root);
		return err_set(e, "'%s' is not a directory", root);
	}
	struct posix *p = xcalloc(1, sizeof(*p));
	p->root = xstrdup(norm);
	pthread_mutex_init(&p->mu, NULL);
	struct storage *s = arena_new_obj(a, struct storage);
	s->ops = &posix_ops;
	s->url = arena_strdup(a, root);
	s->priv = p;
	arena_on_release(a, close_cb, s);
	*out = s;
	return 0;
}

/* Generic entry points: checks shared by every driver, then dispatch. */

bool storage_is_remote(const char *url)
{
	const char *colon = strstr(url, "://");
	if (!colon || colon == url)
		return false;
	for (const char *c = url; c < colon; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '+'))
			return false;
	return true;
}

int storage_open(struct arena *a, const char *url, bool create, struct storage **out, struct err *e)
{
	if (storage_is_remote(url)) {
		err_set(e, "'%s': remote repositories are not supported by this blastwall yet", url);
		return err_hint(e, "use a local or mounted directory for now");
	}
	return storage_posix_open(a, url, create, out, e);
}

bool storage_key_valid(const char *key)
{
	if (!key || !*key || key[0] == '/')
		return false;
	const char *c = key;
	while (*c) {
		if (*c == '.')
			return false; /* component starting with '.' (also "." and "..") */
		const char *end = strchr(c, '/');
		size_t n = end ? (size_t)(end - c) : strlen(c);
		if (n == 0)
			return false;
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)c[i] < 0x20 || c[i] == '\\')
				return false;
		c += n;
		if (*c == '/')
			c++;
		if (end && !*c)
			return false;
	}
	return true;
}

#define CHECK_KEY(key)                                                                  \
	do {                                                                            \
		if (!storage_key_valid(key))                                            \
			return err_set(e, "invalid storage key '%s'", (key) ? (key) : ""); \
	} while (0)

int storage_put(struct storage *s, const char *key, const void *p, size_t n, unsigned flags, struct err *e)
{
	CHECK_KEY(key);
	return s->ops->put(s, key, p, n, flags, e);
}

int storage_get(struct storage *s, const char *key, struct buf *out, size_t max, struct err *e)
{
	CHECK_KEY(key);
	return s->ops->get(s, key, out, max, e);
}

int storage_stat(struct storage *s, const char *key, struct storage_stat *st, struct err *e)
{
	CHECK_KEY(key);
	return s->ops->stat(s, key, st, e);
}

int storage_exists(struct storage *s, const char *key, struct err *e)
{
	struct storage_stat st;
	int r = storage_stat(s, key, &st, e);
	if (r == STORAGE_NOT_FOUND)
		return 0;
	return r < 0 ? -1 : 1;
}

int storage_list(struct storage *s, const char *prefix, storage_list_fn fn, void *ctx, struct err *e)
{
	CHECK_KEY(prefix);
	return s->ops->list(s, prefix, fn, ctx, e);
}

int storage_delete(struct storage *s, const char *key, struct err *e)
{
	CHECK_KEY(key);
	return s->ops->del(s, key, e);
}

int storage_rename(struct storage *s, const char *from, const char *to, bool replace, struct err *e)
{
	CHECK_KEY(from);
	CHECK_KEY(to);
	return s->ops->rename(s, from, to, replace, e);
}

int storage_flush(struct storage *s, struct err *e)
{
	return s->ops->flush(s, e);
}

int storage_clean_temp(struct storage *s, int64_t max_age, uint64_t *removed, struct err *e)
{
	return s->ops->clean_temp(s, max_age, removed, e);
}
