/*
 * fs_rules.c: the filesystem rules, which judge paths rather than words.
 * A recursive removal is placed relative to four landmarks: "/", the home
 * directory, the temp directories and the project (the git work tree holding
 * the cwd, else the cwd): inside the project or a temp dir passes, the root,
 * top-level directories, home, the project itself and .git are denied,
 * anything else outside asks. Targets known only at run time ask.
 *
 * blastwall's own files (.blastwall.yaml, the user config, the agents' hook
 * settings, the state database) are judged by name, whether they exist or
 * not: creating a .blastwall.yaml that allows everything switches the guard
 * off as surely as editing one. Every write, move, link or removal of them asks.
 *
 * The only file-system calls are stat()s: .git upwards from the cwd (once per
 * decision, only when a removal is judged) and the existence of a state or
 * database file a cp/mv/unzip/tar would overwrite.
 */
#include "guard/guard_int.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/fs.h"

static bool eq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

static bool ends(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);
	return n >= m && strcmp(s + n - m, suf) == 0;
}

bool guard_is_state_file(const char *path)
{
	const char *b = path_basename(path);
	return ends(b, ".tfstate") || ends(b, ".tfstate.backup");
}

bool guard_is_db_file(const char *path)
{
	const char *b = path_basename(path);
	if (eq(b, "Thumbs.db"))
		return false;
	if (ends(b, ".db") || ends(b, ".sqlite") || ends(b, ".sqlite3") || ends(b, ".db3") || ends(b, ".duckdb") ||
	    eq(b, "PG_VERSION"))
		return true;
	return strstr(path, "/pgdata") || strstr(path, "/pg_data") || path_within(path, "/var/lib/postgresql") ||
	       path_within(path, "/var/lib/mysql") || path_within(path, "/var/lib/mongodb") ||
	       path_within(path, "/var/lib/redis");
}

const char *guard_project(struct gctx *g)
{
	if (g->project_known)
		return g->project;
	g->project_known = true;
	char *dir = arena_strdup(g->a, g->cwd);
	for (int n = 0; n < 64; n++) {
		struct stat st;
		char *git = path_join(g->a, dir, ".git");
		if (stat(git, &st) == 0) {
			g->project = dir;
			break;
		}
		if (eq(dir, "/"))
			break;
		dir = path_dirname(g->a, dir);
	}
	if (!g->project)
		g->project = g->cwd;
	/* "/" or the home directory is nobody's project: everything would be inside it */
	if (eq(g->project, "/") || path_within(g->home, g->project) || !strchr(g->project + 1, '/'))
		g->project = NULL;
	return g->project;
}

static bool in_temp(const char *p)
{
	static const char *const tmp[] = { "/tmp", "/var/tmp", "/dev/shm", "/private/tmp" };
	for (size_t i = 0; i < ARRAY_SIZE(tmp); i++)
		if (path_within(p, tmp[i]) && !eq(p, tmp[i]))
			return true;
	const char *t = getenv("TMPDIR");
	return t && t[0] == '/' && strlen(t) > 1 && path_within(p, t) && strlen(p) > strlen(t);
}

static bool top_level(const char *p)
{
	return p[0] == '/' && p[1] && !strchr(p + 1, '/');
}

const char *guard_resolve_word(struct gctx *g, const struct gcmd *c, const char *w, unsigned flags)
{
	if (flags & (WORD_CMDSUBST | WORD_ARITH | WORD_PROCSUBST | GARG_RUNTIME))
		return NULL;
	const char *home = c->remote ? "~" : g->home;
	if (flags & WORD_PARAM) {
		static const char *const vars[] = { "${HOME}", "$HOME", "${PWD}", "$PWD" };
		struct buf b;
		buf_init(&b, 0);
		const char *s = w;
		while (*s) {
			bool done = false;
			for (size_t i = 0; i < ARRAY_SIZE(vars) && !done; i++) {
				size_t n = strlen(vars[i]);
				if (strncmp(s, vars[i], n) == 0 &&
				    (vars[i][1] == '{' || !(s[n] == '_' || (s[n] >= 'A' && s[n] <= 'Z') ||
							     (s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9')))) {
					buf_addz(&b, strstr(vars[i], "HOME") ? home : c->cwd);
					s += n;
					done = true;
				}
			}
			if (!done)
				buf_addc(&b, *s++);
		}
		char *r = arena_strndup(g->a, b.p ? b.p : "", b.n);
		buf_release(&b);
		if (strchr(r, '$') || strchr(r, '`'))
			return NULL;
		return r;
	}
	if ((flags & WORD_TILDE) && w[0] == '~') {
		if (w[1] == '\0' || w[1] == '/')
			return arena_printf(g->a, "%s%s", home, w + 1);
		/* ~user: someone's home */
		const char *slash = strchr(w, '/');
		return arena_printf(g->a, "/home/%.*s%s", (int)(slash ? slash - w - 1 : (long)strlen(w + 1)), w + 1,
				    slash ? slash : "");
	}
	return w;
}

static void hit_path(struct gctx *g, const struct gcmd *c, const char *rule, const char *p, const char *what)
{
	g->target = p;
	guard_hit(g, c, rule, arena_printf(g->a, "Target: %s%s.", p, what ? what : ""));
	g->target = NULL;
}

/* The directory blastwall reads name from: the command's own assignment first, then the process's. */
static const char *self_dir(struct gctx *g, const struct gcmd *c, const char *name, bool state)
{
	const char *v = gcmd_env(c, name);
	if (v && v[0])
		return path_normalize(g->a, c->cwd, v);
	return state ? fs_state_dir(g->a) : fs_config_dir(g->a);
}

/* "$BLASTWALL_STATE_DIR/x" and "$BLASTWALL_CONFIG_DIR/x": the guard knows these values. */
static const char *self_expand(struct gctx *g, const struct gcmd *c, const char *w)
{
	static const char *const vars[] = { "$BLASTWALL_STATE_DIR", "${BLASTWALL_STATE_DIR}", "$BLASTWALL_CONFIG_DIR",
					    "${BLASTWALL_CONFIG_DIR}" };
	for (size_t i = 0; i < ARRAY_SIZE(vars); i++) {
		size_t n = strlen(vars[i]);
		if (strncmp(w, vars[i], n) == 0 && (w[n] == '/' || w[n] == '\0'))
			return arena_printf(g->a, "%s%s", self_dir(g, c, strstr(vars[i], "STATE") ? "BLASTWALL_STATE_DIR" :
									 "BLASTWALL_CONFIG_DIR", i < 2), w + n);
	}
	return NULL;
}

/* Which blastwall.* rule guards the absolute path p, or NULL. tree: p is removed with all below it. */
static const char *self_rule(struct gctx *g, const struct gcmd *c, const char *p, bool tree)
{
	static const char *const agent[] = { "/.claude/settings.json", "/.claude/settings.local.json", "/.codex/hooks.json",
					     "/.gemini/settings.json", "/.cursor/hooks.json" };
	static const char *const agent_dirs[] = { ".claude", ".codex", ".gemini", ".cursor" };
	const char *b = path_basename(p);
	const char *dir = path_dirname(g->a, p);
	const char *cfg = self_dir(g, c, "BLASTWALL_CONFIG_DIR", false);
	const char *state = self_dir(g, c, "BLASTWALL_STATE_DIR", true);
	/* the default locations (any user's) count even when the environment points elsewhere; a project
	 * that happens to be called "blastwall" is not one of them */
	if (eq(b, ".blastwall.yaml") || (eq(b, "config.yaml") && (ends(dir, "/.config/blastwall") || eq(dir, cfg))))
		return "blastwall.config";
	if (strncmp(b, "state.db", 8) == 0 && (!b[8] || eq(b + 8, "-wal") || eq(b + 8, "-shm") || eq(b + 8, "-journal")) &&
	    (ends(dir, "/.local/state/blastwall") || eq(dir, state)))
		return "blastwall.audit-db";
	for (size_t i = 0; i < ARRAY_SIZE(agent); i++)
		if (ends(p, agent[i]))
			return "blastwall.agent-settings";
	const char *codex = gcmd_env(c, "CODEX_HOME");
	if (codex && codex[0] && eq(p, path_join(g->a, path_normalize(g->a, c->cwd, codex), "hooks.json")))
		return "blastwall.agent-settings";
	if (!tree)
		return NULL;
	if (eq(p, cfg) || eq(p, path_join(g->a, g->home, ".config/blastwall")))
		return "blastwall.config";
	if (eq(p, state) || eq(p, path_join(g->a, g->home, ".local/state/blastwall")))
		return "blastwall.audit-db";
	for (size_t i = 0; i < ARRAY_SIZE(agent_dirs); i++)
		if (eq(b, agent_dirs[i]))
			return "blastwall.agent-settings";
	return NULL;
}

const char *guard_fs_self_rule(struct gctx *g, const struct gcmd *c, const char *word, unsigned flags, bool tree,
			       const char **path)
{
	if (c->remote || (flags & GARG_RUNTIME))
		return NULL;
	const char *r = (flags & WORD_PARAM) ? self_expand(g, c, word) : NULL;
	if (!r)
		r = guard_resolve_word(g, c, word, flags);
	if (!r)
		return NULL;
	*path = path_normalize(g->a, c->cwd, r);
	return self_rule(g, c, *path, tree);
}

bool guard_fs_self(struct gctx *g, const struct gcmd *c, const char *word, unsigned flags, bool tree, const char *what)
{
	const char *p = NULL;
	const char *rule = guard_fs_self_rule(g, c, word, flags, tree, &p);
	if (!rule)
		return false;
	hit_path(g, c, rule, p, what);
	return true;
}

/* Remote paths (ssh, docker exec): no project there; relative means the remote home. */
static void remote_remove(struct gctx *g, const struct gcmd *c, const char *t, bool recursive)
{
	if (!recursive)
		return;
	if (t[0] != '/') {
		if (eq(t, "~") || eq(t, ".") || eq(t, "~/") || eq(t, "*") || eq(t, "./"))
			hit_path(g, c, "filesystem.rm-home", t, " (the remote home directory)");
		else
			hit_path(g, c, "filesystem.rm-outside", t, " (on another machine)");
		return;
	}
	const char *p = path_normalize(g->a, "/", t);
	if (eq(p, "/") || top_level(p))
		hit_path(g, c, "filesystem.rm-root", p, " (on another machine)");
	else if (!in_temp(p))
		hit_path(g, c, "filesystem.rm-outside", p, " (on another machine)");
}

void guard_fs_remove(struct gctx *g, const struct gcmd *c, const char *target, unsigned flags, bool recursive)
{
	bool contents = false;
	if ((flags & GARG_RUNTIME) && ends(target, "/{}")) {
		/* find START ... -exec rm {} / -delete: every result lies below START */
		const char *start = arena_strndup(g->a, target, strlen(target) - 2); /* keep the slash: "/{}" is below "/" */
		const char *r = guard_resolve_word(g, c, start, flags & ~GARG_RUNTIME);
		if (!r) {
			if (recursive)
				guard_hit(g, c, "filesystem.rm-dynamic",
					  arena_printf(g->a, "Target: files below %s, a path only known at run time.", start));
			return;
		}
		if (c->remote)
			return remote_remove(g, c, r, recursive);
		const char *p = path_normalize(g->a, c->cwd, r);
		const char *proj = guard_project(g);
		if (in_temp(p) || eq(p, "/tmp") || eq(p, "/var/tmp") || (proj && path_within(p, proj)) ||
		    path_within(p, g->cwd))
			return;
		hit_path(g, c, "filesystem.find-delete", p, " (files found below it)");
		return;
	}
	guard_fs_self(g, c, target, flags, recursive, recursive ? " (removed with everything below it)" : " (removed)");
	const char *r = guard_resolve_word(g, c, target, flags);
	if (!r) {
		if (recursive)
			guard_hit(g, c, "filesystem.rm-dynamic",
				  arena_printf(g->a, "Target: %s, only known at run time.", target));
		return;
	}
	if (!recursive) {
		if (guard_is_state_file(r))
			hit_path(g, c, "terraform.state-file", r, NULL);
		else if (guard_is_db_file(r))
			hit_path(g, c, "filesystem.db-file", r, NULL);
		return;
	}
	if (c->remote)
		return remote_remove(g, c, r, recursive);
	if (flags & WORD_GLOB) {
		/* "*" takes everything in its directory; "*.txt" only some entries of it */
		size_t k = strcspn(r, "*?[");
		while (k > 0 && r[k - 1] != '/')
			k--;
		size_t e = k + strcspn(r + k, "/");
		contents = strspn(r + k, "*.?") >= e - k;
		const char *dir = k ? arena_strndup(g->a, r, k) : ".";
		r = contents ? dir : path_join(g->a, dir, "(some-entry)");
	}
	const char *p = path_normalize(g->a, c->cwd, r);
	if (eq(p, "/")) {
		hit_path(g, c, "filesystem.rm-root", p, contents ? " (everything on the machine)" : " (the root directory)");
		return;
	}
	if (top_level(p) && !eq(p, "/tmp") && !eq(p, "/home") && !eq(p, "/root") && !path_within(g->cwd, p)) {
		/* a whole top-level tree (/etc, /var, /usr) says more than "it holds the home
		 * directory" when HOME happens to live below it */
		hit_path(g, c, "filesystem.rm-root", p, " (a top-level directory)");
		return;
	}
	if (path_within(g->home, p)) {
		hit_path(g, c, "filesystem.rm-home", p, eq(p, g->home) ? " (the home directory)" : " (it holds the home directory)");
		return;
	}
	const char *proj = guard_project(g);
	if (path_within(g->cwd, p) || (proj && eq(p, proj))) {
		if (contents)
			hit_path(g, c, "filesystem.rm-glob-project", p, " (every file in it)");
		else
			hit_path(g, c, "filesystem.rm-project", p, " (the project, or a directory holding it)");
		return;
	}
	const char *base = path_basename(p);
	if (eq(base, ".git") || strstr(p, "/.git/")) {
		hit_path(g, c, "filesystem.rm-git", p, " (the repository's history)");
		return;
	}
	if (eq(p, "/root") || (strncmp(p, "/home/", 6) == 0 && !strchr(p + 6, '/'))) {
		hit_path(g, c, "filesystem.rm-home", p, " (a home directory)");
		return;
	}
	bool cache = eq(base, "node_modules") || eq(base, "__pycache__") || eq(base, ".pytest_cache") ||
		     eq(base, ".mypy_cache") ||
		     (path_within(p, path_join(g->a, g->home, ".cache")) && !eq(p, path_join(g->a, g->home, ".cache")));
	if (!cache && path_within(p, g->home) && !(proj && path_within(p, proj)) && !path_within(p, g->cwd)) {
		hit_path(g, c, "filesystem.rm-outside", p, " (in the home directory, outside the project)");
		return;
	}
	if ((proj && path_within(p, proj)) || path_within(p, g->cwd) || in_temp(p)) {
		if (guard_is_state_file(p))
			hit_path(g, c, "terraform.state-file", p, NULL);
		else if (guard_is_db_file(p))
			hit_path(g, c, "filesystem.db-file", p, NULL);
		return;
	}
	if (eq(p, "/tmp") || eq(p, "/var/tmp") || eq(p, "/dev/shm")) {
		/* the shared temp directory itself: other programs' files and sockets */
		hit_path(g, c, "filesystem.rm-outside", p, " (the whole shared temp directory)");
		return;
	}
	if (top_level(p)) {
		hit_path(g, c, "filesystem.rm-root", p, " (a top-level directory)");
		return;
	}
	if (guard_is_db_file(p)) {
		hit_path(g, c, "filesystem.db-file", p, " (database files)");
		return;
	}
	/* caches and dependency trees anywhere are rebuilt by their tools */
	if (cache)
		return;
	hit_path(g, c, "filesystem.rm-outside", p, " (outside the project)");
}

/* Non-option operands; opts lists options that take a value. */
static size_t operands(const struct gcmd *c, const char *vopts, size_t *out, size_t max)
{
	size_t n = 0;
	bool dd = false;
	for (size_t i = 1; i < c->argc && n < max; i++) {
		const char *w = c->argv[i];
		if (!dd && eq(w, "--")) {
			dd = true;
			continue;
		}
		if (!dd && w[0] == '-' && w[1]) {
			if (vopts && !strchr(w, '=') && guard_alt_match(vopts, w))
				i++;
			continue;
		}
		out[n++] = i;
	}
	return n;
}

#define MAXOPS 64

/* sed -i, -i.bak, -ni, --in-place; perl -i, -pi, -i.orig */
static bool in_place(const struct gcmd *c, bool perl)
{
	/* the letters whose value is the rest of the word (perl -Mstrict, -Ilib, -e'code'; sed -e/-f) */
	const char *stop = perl ? "eEFMmIxCdDT" : "ef";
	for (size_t i = 1; i < c->argc; i++) {
		const char *w = c->argv[i];
		if (eq(w, "--"))
			break;
		if (strncmp(w, "--in-place", 10) == 0)
			return true;
		if (w[0] != '-' || w[1] == '-')
			continue;
		/* a cluster of letters up to the first non-letter (-i.bak): perl's -e ends it with the code */
		for (const char *s = w + 1; *s && ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')); s++) {
			if (*s == 'i')
				return true;
			if (strchr(stop, *s))
				break;
		}
	}
	return false;
}

static bool exists(struct gctx *g, const struct gcmd *c, const char *p)
{
	return !c->remote && fs_exists(path_normalize(g->a, c->cwd, p));
}

static void overwrite_check(struct gctx *g, const struct gcmd *c, const char *src, const char *dst, bool move)
{
	const char *d = dst;
	if (!c->remote && fs_is_dir(path_normalize(g->a, c->cwd, dst)))
		d = path_join(g->a, dst, path_basename(src));
	bool from_null = eq(src, "/dev/null");
	if (guard_is_state_file(d) && (from_null || exists(g, c, d)))
		hit_path(g, c, "terraform.state-file", d, " (it would be overwritten)");
	else if (guard_is_db_file(d) && (from_null || exists(g, c, d)))
		hit_path(g, c, "filesystem.truncate-db", d, " (it would be overwritten)");
	if (move && guard_is_state_file(src))
		hit_path(g, c, "terraform.state-file", src, " (moved away, terraform would think nothing exists)");
}

static void extract_check(struct gctx *g, const struct gcmd *c, const char *dir)
{
	if (c->remote)
		return;
	const char *p = path_normalize(g->a, c->cwd, dir ? dir : ".");
	if (fs_exists(path_join(g->a, p, "terraform.tfstate")))
		hit_path(g, c, "terraform.state-extract", path_join(g->a, p, "terraform.tfstate"),
			 " (the archive may hold an older copy)");
}

void guard_fs_rules(struct gctx *g, const struct gcmd *c, const char *tool)
{
	size_t ops[MAXOPS];
	size_t n;
	if (eq(tool, "rm") || eq(tool, "unlink") || eq(tool, "rimraf") || eq(tool, "del-cli")) {
		bool rec = (eq(tool, "rm") && gcmd_has_flag(c, 1, "-r|-R|--recursive")) || eq(tool, "rimraf") || eq(tool, "del-cli");
		n = operands(c, NULL, ops, MAXOPS);
		for (size_t i = 0; i < n; i++)
			guard_fs_remove(g, c, c->argv[ops[i]], c->aflags[ops[i]], rec);
		if (rec && c->more_args)
			guard_hit(g, c, "filesystem.rm-dynamic", "Target: paths read from the input at run time.");
		return;
	}
	if (eq(tool, "shred")) {
		n = operands(c, "-n --iterations -s --size --random-source", ops, MAXOPS);
		if (n == 1 && eq(c->argv[ops[0]], "-"))
			n = 0; /* shred - overwrites standard output */
		if (n || c->more_args)
			guard_hit(g, c, "filesystem.shred", n ? arena_printf(g->a, "Target: %s.", c->argv[ops[0]]) : NULL);
		return;
	}
	if (eq(tool, "dd")) {
		for (size_t i = 1; i < c->argc; i++) {
			const char *w = c->argv[i];
			if (strncmp(w, "of=", 3) != 0)
				continue;
			const char *t = w + 3;
			guard_fs_self(g, c, t, c->aflags[i], false, " (overwritten by dd)");
			if (strncmp(t, "/dev/", 5) == 0 && !eq(t, "/dev/null") && !eq(t, "/dev/zero") &&
			    !eq(t, "/dev/stdout") && !eq(t, "/dev/stderr") && strncmp(t, "/dev/fd/", 8) != 0 &&
			    !eq(t, "/dev/tty"))
				hit_path(g, c, "filesystem.dd-device", t, " (a device)");
			else if (guard_is_state_file(t))
				hit_path(g, c, "terraform.state-file", t, NULL);
			else if (guard_is_db_file(t))
				hit_path(g, c, "filesystem.truncate-db", t, NULL);
		}
		return;
	}
	if (strncmp(tool, "mkfs", 4) == 0 || eq(tool, "mke2fs") || eq(tool, "mkswap")) {
		n = operands(c, "-t -L -b -c -C -E -G -g -I -i -j -J -l -m -N -o -O -r -T -U -e -n -F", ops, MAXOPS);
		if (n)
			hit_path(g, c, "filesystem.mkfs", c->argv[ops[n - 1]], NULL);
		return;
	}
	if (eq(tool, "wipefs")) {
		if (gcmd_has_flag(c, 1, "-a|--all|-o|--offset") && !gcmd_has_flag(c, 1, "-n|--no-act"))
			guard_hit(g, c, "filesystem.wipefs", NULL);
		return;
	}
	if (eq(tool, "truncate")) {
		n = operands(c, "-s --size -r --reference", ops, MAXOPS);
		for (size_t i = 0; i < n; i++) {
			const char *t = c->argv[ops[i]];
			guard_fs_self(g, c, t, c->aflags[ops[i]], false, " (truncated)");
			if (guard_is_state_file(t))
				hit_path(g, c, "terraform.state-file", t, " (truncated)");
			else if (guard_is_db_file(t))
				hit_path(g, c, "filesystem.truncate-db", t, " (truncated)");
		}
		return;
	}
	if (eq(tool, "rsync") && gcmd_has_flag(c, 1, "--delete|--del|--delete-before|--delete-during|--delete-delay|"
						       "--delete-after|--delete-excluded") &&
	    !gcmd_has_flag(c, 1, "-n|--dry-run|--list-only")) {
		/* the destination loses whatever the source lacks: judged like a recursive removal of it */
		n = operands(c, "-e --rsh --exclude --include --exclude-from --include-from --filter -f --files-from "
			      "--rsync-path --backup-dir --suffix --port --password-file --log-file --chown --chmod", ops, MAXOPS);
		if (n >= 2) {
			const char *dst = c->argv[ops[n - 1]];
			const char *colon = strchr(dst, ':');
			if (colon && (!strchr(dst, '/') || colon < strchr(dst, '/')))
				hit_path(g, c, "filesystem.rsync-delete", dst, " (on another machine)");
			else
				guard_fs_remove(g, c, dst, c->aflags[ops[n - 1]], true);
		}
	}
	if (eq(tool, "cp") || eq(tool, "mv") || eq(tool, "install") || eq(tool, "rsync")) {
		n = operands(c, "-t --target-directory -S --suffix -m --mode -o -g --exclude --include -e", ops, MAXOPS);
		if (n < 2)
			return;
		const char *dst = c->argv[ops[n - 1]];
		unsigned dflags = c->aflags[ops[n - 1]];
		const char *rd = guard_resolve_word(g, c, dst, dflags);
		bool into_dir = rd && !c->remote && fs_is_dir(path_normalize(g->a, c->cwd, rd));
		for (size_t i = 0; i + 1 < n; i++) {
			const char *src = c->argv[ops[i]];
			if (into_dir)
				guard_fs_self(g, c, path_join(g->a, rd, path_basename(src)), 0, false, " (overwritten)");
			if (eq(tool, "mv"))
				guard_fs_self(g, c, src, c->aflags[ops[i]], true, " (moved away)");
		}
		if (!into_dir)
			guard_fs_self(g, c, dst, dflags, false, " (overwritten)");
		if (dflags & WORD_DYNAMIC)
			return;
		for (size_t i = 0; i + 1 < n; i++)
			overwrite_check(g, c, c->argv[ops[i]], dst, eq(tool, "mv"));
		return;
	}
	if (eq(tool, "ln") || eq(tool, "link")) {
		/* the link name is the last operand (or NAME in the directory DIR) */
		n = operands(c, "-t --target-directory -S --suffix", ops, MAXOPS);
		if (n >= 2) {
			const char *dst = c->argv[ops[n - 1]];
			const char *rd = guard_resolve_word(g, c, dst, c->aflags[ops[n - 1]]);
			if (rd && !c->remote && fs_is_dir(path_normalize(g->a, c->cwd, rd)) && !gcmd_has_flag(c, 1, "-T|-n"))
				for (size_t i = 0; i + 1 < n; i++)
					guard_fs_self(g, c, path_join(g->a, rd, path_basename(c->argv[ops[i]])), 0, false,
						      " (replaced by a link)");
			else
				guard_fs_self(g, c, dst, c->aflags[ops[n - 1]], false, " (replaced by a link)");
		}
		return;
	}
	if (eq(tool, "git")) {
		/* git rm / git mv change the work tree like rm and mv (git rm --cached only the index) */
		n = operands(c, "-C -c --git-dir --work-tree --namespace", ops, MAXOPS);
		if (n < 2 || c->remote)
			return;
		bool rm = eq(c->argv[ops[0]], "rm"), mv = eq(c->argv[ops[0]], "mv");
		if ((!rm && !mv) || (rm && gcmd_has_flag(c, ops[0] + 1, "--cached")))
			return;
		for (size_t i = 1; i < n; i++)
			guard_fs_self(g, c, c->argv[ops[i]], c->aflags[ops[i]], rm, rm ? " (removed by git rm)" :
											 " (moved by git mv)");
		return;
	}
	if (eq(tool, "tee")) {
		n = operands(c, "--output-error", ops, MAXOPS);
		for (size_t i = 0; i < n; i++)
			guard_fs_self(g, c, c->argv[ops[i]], c->aflags[ops[i]], false, " (written by tee)");
		return;
	}
	if ((eq(tool, "sed") || eq(tool, "gsed") || eq(tool, "perl")) && in_place(c, eq(tool, "perl"))) {
		/* sed's first operand is the script unless -e/-f gave it; perl's code comes with -e */
		bool perl = eq(tool, "perl");
		n = operands(c, perl ? "-e -E -I -M -m -x" : "-e --expression -f --file -l --line-length", ops, MAXOPS);
		size_t from = !perl && !gcmd_opt_value(c, 1, "-e|--expression|-f|--file") ? 1 : 0;
		for (size_t i = from; i < n; i++)
			guard_fs_self(g, c, c->argv[ops[i]], c->aflags[ops[i]], false, " (edited in place)");
		return;
	}
	if (eq(tool, "unzip")) {
		if (gcmd_has_flag(c, 1, "-l|-t|-v|-Z|-p|-z"))
			return;
		extract_check(g, c, gcmd_opt_value(c, 1, "-d"));
		return;
	}
	if (eq(tool, "tar") || eq(tool, "bsdtar")) {
		bool x = false;
		if (c->argc > 1 && c->argv[1][0] != '-' && strchr(c->argv[1], 'x'))
			x = true;
		if (gcmd_has_flag(c, 1, "-x|--extract|--get"))
			x = true;
		if (x)
			extract_check(g, c, gcmd_opt_value(c, 1, "-C|--directory"));
		return;
	}
}

void guard_fs_redirs(struct gctx *g, const struct gcmd *c)
{
	const struct shell_node *node = c->node;
	if (!node)
		return;
	for (size_t i = 0; i < node->nredirs; i++) {
		const struct shell_redir *r = &node->redirs[i];
		if (r->op != REDIR_OUT && r->op != REDIR_CLOBBER && r->op != REDIR_OUT_ERR && r->op != REDIR_APPEND &&
		    r->op != REDIR_APPEND_ERR && r->op != REDIR_INOUT)
			continue;
		/* blastwall's own files: created, appended to or truncated, all ask */
		guard_fs_self(g, c, r->target.lit, r->target.flags, false, " (written by a redirection)");
		if (r->op == REDIR_APPEND || r->op == REDIR_APPEND_ERR || r->op == REDIR_INOUT)
			continue; /* appending or opening read-write loses nothing else */
		if (r->target.flags & WORD_DYNAMIC)
			continue;
		const char *t = r->target.lit;
		if (strncmp(t, "/dev/", 5) == 0) {
			if (strncmp(t, "/dev/sd", 7) == 0 || strncmp(t, "/dev/nvme", 9) == 0 ||
			    strncmp(t, "/dev/vd", 7) == 0 || strncmp(t, "/dev/xvd", 8) == 0 ||
			    strncmp(t, "/dev/hd", 7) == 0 || strncmp(t, "/dev/mmcblk", 11) == 0 ||
			    strncmp(t, "/dev/disk", 9) == 0 || strncmp(t, "/dev/mapper/", 12) == 0)
				hit_path(g, c, "filesystem.dd-device", t, " (a device, written by a redirection)");
			continue;
		}
		/* creating a new file loses nothing */
		if (!c->remote && !fs_exists(path_normalize(g->a, c->cwd, t)))
			continue;
		if (guard_is_state_file(t))
			hit_path(g, c, "terraform.state-file", t, " (truncated by a redirection)");
		else if (guard_is_db_file(t))
			hit_path(g, c, "filesystem.truncate-db", t, " (truncated by a redirection)");
	}
}
