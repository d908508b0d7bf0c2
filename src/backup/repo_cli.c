/*
 * repo_cli.c: how every command finds its repository and key, so that
 * backup, restore, drill, snapshots, verify, forget and prune agree on
 * --repo / BLASTWALL_REPO and the key options and their messages.
 */
#include <stdlib.h>
#include <string.h>

#include "backup/repo_admin.h"
#include "common/fs.h"

int repo_read_passphrase_file(struct arena *a, const char *path, const char **out, struct err *e)
{
	struct buf b;
	buf_init(&b, 1 << 16);
	if (fs_read_all(path, 1 << 16, &b, e) < 0) {
		buf_release(&b);
		return err_wrap(e, "cannot read the passphrase file");
	}
	while (b.n && (b.p[b.n - 1] == '\n' || b.p[b.n - 1] == '\r'))
		b.n--;
	if (b.n == 0) {
		buf_release(&b);
		return err_set(e, "passphrase file '%s' is empty", path);
	}
	if (memchr(b.p, '\0', b.n)) {
		buf_release(&b);
		return err_set(e, "passphrase file '%s' contains a NUL byte", path);
	}
	*out = arena_strndup(a, b.p, b.n);
	memset(b.p, 0, b.cap);
	buf_release(&b);
	return 0;
}

void repo_args_set(struct repo_args *ra, int opt, const char *arg)
{
	switch (opt) {
	case 'r': ra->repo = arg; break;
	case 'k': ra->key_file = arg; break;
	case 'p': ra->pass_file = arg; break;
	default: BUG("repo_args_set: option '%c' is not a repository option", opt);
	}
}

int repo_args_path(const struct repo_args *ra, const char **path, struct err *e)
{
	*path = ra->repo;
	if (!*path || !**path)
		*path = getenv("BLASTWALL_REPO");
	if (!*path || !**path) {
		err_set(e, "no repository given");
		e->code = 2;
		return err_hint(e, "pass --repo PATH or set BLASTWALL_REPO");
	}
	return 0;
}

int repo_open_cli(struct arena *a, const struct repo_args *ra, struct repo **out, struct err *e)
{
	const char *path;
	if (repo_args_path(ra, &path, e) < 0)
		return -1;
	const char *pass_file = ra->pass_file;
	struct repo_key_opts k = { .key_file = ra->key_file };
	if (!pass_file && !ra->key_file) {
		const char *env = getenv("BLASTWALL_PASSPHRASE_FILE");
		if (env && *env && !getenv("BLASTWALL_KEY_FILE"))
			pass_file = env;
	}
	if (pass_file && repo_read_passphrase_file(a, pass_file, &k.passphrase, e) < 0)
		return -1;
	return repo_open(a, path, &k, out, e);
}
