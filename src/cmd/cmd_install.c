/*
 * cmd_install.c: "blastwall install|uninstall AGENT": merging blastwall's hook
 * into an agent's settings file, and taking it out again.
 *
 * Every agent keeps hooks in a JSON file under an event name; the shapes are
 * close enough for one merge engine driven by a table (struct target):
 *   claude  .claude/settings.json   hooks.PreToolUse[]  {matcher: "Bash", hooks: [{type, command}]}
 *   codex   .codex/hooks.json       hooks.PreToolUse[]  {matcher: "Bash", hooks: [{type, command}]}
 *   gemini  .gemini/settings.json   hooks.BeforeTool[]  {matcher: "run_shell_command", hooks: [{name, type, command}]}
 *   cursor  .cursor/hooks.json      version: 1, hooks.beforeShellExecution[]  {command}
 *
 * Rules that keep users' files safe:
 *   - a file that does not parse (or has duplicate keys, which a rewrite would
 *     silently drop) is refused and left untouched;
 *   - everything else in the file is kept, in its order (jansson keeps
 *     insertion order); numbers are printed with the fewest digits that read
 *     back to the same value;
 *   - the new content is written atomically, the old one is kept as FILE.bak;
 *   - our entry is recognised by its command ("<path>/blastwall hook AGENT"),
 *     so a second install changes nothing, an install from a moved binary
 *     updates the path, and uninstall removes only our entries.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "common/buf.h"
#include "common/fs.h"

#define SETTINGS_MAX_BYTES (8u * 1024 * 1024)

struct target {
	const char *agent;
	const char *title;         /* for messages */
	const char *project_file;  /* relative to the project root */
	const char *user_dir_env;  /* an env var overriding the user directory, or NULL */
	const char *user_file;     /* relative to $HOME (or to user_dir_env's value, see user_sub) */
	const char *user_sub;      /* file name inside user_dir_env's directory */
	const char *event;
	const char *matcher;       /* NULL: hook objects sit directly in the event array (cursor) */
	bool versioned;            /* the file needs "version": 1 */
	const char *note;          /* printed after a change: what else the user may need to do */
};

static const struct target targets[] = {
	{ "claude", "Claude Code", ".claude/settings.json", NULL, ".claude/settings.json", NULL, "PreToolUse", "Bash",
	  false, "Claude Code reads hooks at start-up: restart running sessions (or review them with /hooks)." },
	{ "codex", "Codex CLI", ".codex/hooks.json", "CODEX_HOME", ".codex/hooks.json", "hooks.json", "PreToolUse",
	  "Bash", false,
	  "Codex loads project hooks only in trusted projects; builds before hooks were on by default need\n"
	  "  [features]\n  hooks = true\nin ~/.codex/config.toml (older builds call it codex_hooks)." },
	{ "gemini", "Gemini CLI", ".gemini/settings.json", NULL, ".gemini/settings.json", NULL, "BeforeTool",
	  "run_shell_command", false,
	  "Gemini CLI builds where hooks are still experimental need them switched on in settings.json\n"
	  "(\"hooksConfig\": {\"enabled\": true}; check /hooks in gemini to see the hook listed)." },
	{ "cursor", "Cursor", ".cursor/hooks.json", NULL, ".cursor/hooks.json", NULL, "beforeShellExecution", NULL,
	  true, "Cursor loads project hooks only in trusted workspaces; restart Cursor to pick the hook up." },
};

struct opts {
	bool user;
	bool dry_run;
	const char *file;  /* --file: an explicit settings file (tests, unusual layouts) */
};

static int usage(const char *cmd, FILE *f)
{
	fprintf(f,
		"usage: blastwall %s claude|codex|gemini|cursor [--project|--user] [--file PATH] [--dry-run]\n\n"
		"%s\n\n"
		"  --project    the project's settings file (the default): the git work tree holding\n"
		"               the current directory, else the current directory\n"
		"  --user       the user's settings file in the home directory\n"
		"  --file PATH  this settings file instead\n"
		"  --dry-run    show what would change without writing anything\n\n"
		"Files: claude .claude/settings.json, codex .codex/hooks.json ($CODEX_HOME for --user),\n"
		"gemini .gemini/settings.json, cursor .cursor/hooks.json.\n"
		"Everything else in the file is kept; the previous content is saved as FILE.bak.\n"
		"A file that is not valid JSON is refused and left untouched.\n"
		"Exit status: 0 done (or nothing to do), 1 the file could not be read, parsed or written, 2 usage.\n",
		cmd,
		strcmp(cmd, "install") == 0
			? "Adds 'blastwall hook AGENT' to the agent's hook settings, so that every shell command\n"
			  "the agent runs is checked first. Running it again changes nothing."
			: "Removes blastwall's hook entries from the agent's settings, and nothing else.");
	return f == stdout ? EXIT_OK : EXIT_USAGE;
}

/* ---- our command ---- */

static const char *self_path(struct arena *a, const char *argv0)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	if (n > 0) {
		buf[n] = '\0';
		return arena_strdup(a, buf);
	}
	char *r = realpath(argv0, NULL);
	if (r) {
		char *s = arena_strdup(a, r);
		free(r);
		return s;
	}
	return "blastwall";
}

/* Quotes a path for sh when it holds anything but safe characters. */
static const char *sh_quote(struct arena *a, const char *s)
{
	bool plain = *s != '\0';
	for (const char *p = s; *p && plain; p++)
		plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+:@,", *p) != NULL;
	if (plain)
		return s;
	struct buf b;
	buf_init(&b, 0);
	buf_addc(&b, '\'');
	for (const char *p = s; *p; p++) {
		if (*p == '\'')
			buf_addz(&b, "'\\''");
		else
			buf_addc(&b, *p);
	}
	buf_addc(&b, '\'');
	char *r = arena_strndup(a, b.p, b.n);
	buf_release(&b);
	return r;
}

/*
 * Whether a hook command is blastwall's hook for agent: "<...>/blastwall hook
 * AGENT", the program possibly quoted. Users may add arguments of their own
 * before "hook" (global options), so only the program name and the tail are
 * checked.
 */
static bool is_ours(const char *cmd, const char *agent)
{
	struct str c = str_trim(str_from(cmd));
	char tail[64];
	snprintf(tail, sizeof(tail), " hook %s", agent);
	if (!str_ends(c, tail))
		return false;
	/* the program: up to the first unquoted blank */
	const char *p = c.p, *end = c.p + c.n;
	char prog[PATH_MAX];
	size_t n = 0;
	char q = 0;
	for (; p < end; p++) {
		if (q) {
			if (*p == q)
				q = 0;
			else if (n < sizeof(prog) - 1)
				prog[n++] = *p;
		} else if (*p == '\'' || *p == '"') {
			q = *p;
		} else if (*p == ' ' || *p == '\t') {
			break;
		} else if (*p != '\\' && n < sizeof(prog) - 1) {
			prog[n++] = *p;
		}
	}
	prog[n] = '\0';
	return strcmp(path_basename(prog), "blastwall") == 0;
}

/* ---- JSON helpers ---- */

static bool reals_round_trip(const json_t *v, int prec)
{
	if (json_is_real(v)) {
		char s[64];
		double d = json_real_value(v);
		snprintf(s, sizeof(s), "%.*g", prec, d);
		return strtod(s, NULL) == d;
	}
	if (json_is_object(v)) {
		const char *k;
		json_t *x;
		json_object_foreach((json_t *)v, k, x)
			if (!reals_round_trip(x, prec))
				return false;
	} else if (json_is_array(v)) {
		size_t i;
		json_t *x;
		json_array_foreach(v, i, x)
			if (!reals_round_trip(x, prec))
				return false;
	}
	return true;
}

/* jansson prints reals with 17 digits (0.1 -> 0.10000000000000001): use the fewest that read back the same. */
static int real_precision(const json_t *root)
{
	for (int p = 1; p < 17; p++)
		if (reals_round_trip(root, p))
			return p;
	return 17;
}

static char *dump(struct arena *a, const json_t *root)
{
	char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(real_precision(root)));
	if (!s)
		bw_oom();
	char *r = arena_printf(a, "%s\n", s);
	free(s);
	return r;
}

/* ---- the settings file ---- */

struct settings {
	const char *path;
	bool exists;
	mode_t mode;
	char *old;        /* previous bytes (NUL-terminated), NULL when the file does not exist */
	size_t old_n;
	json_t *root;
};

static int load_settings(struct arena *a, const char *path, struct settings *s, struct err *e)
{
	struct stat st;
	memset(s, 0, sizeof(*s));
	s->path = path;
	s->mode = 0644;
	if (stat(path, &st) < 0) {
		if (errno != ENOENT)
			return err_errno(e, "cannot read '%s'", path);
		s->root = json_object();
		return 0;
	}
	if (!S_ISREG(st.st_mode))
		return err_set(e, "'%s' is not a regular file", path);
	s->exists = true;
	s->mode = st.st_mode & 07777;
	struct buf b;
	buf_init(&b, SETTINGS_MAX_BYTES + 1);
	if (fs_read_all(path, SETTINGS_MAX_BYTES, &b, e) < 0) {
		buf_release(&b);
		return -1;
	}
	s->old = arena_strndup(a, b.p ? b.p : "", b.n);
	s->old_n = b.n;
	buf_release(&b);
	if (str_trim(str_make(s->old, s->old_n)).n == 0) {
		s->root = json_object();  /* an empty file holds no settings to lose */
		return 0;
	}
	json_error_t je;
	s->root = json_loadb(s->old, s->old_n, JSON_REJECT_DUPLICATES, &je);
	if (!s->root) {
		err_set(e, "cannot parse '%s': line %d, column %d: %s", path, je.line, je.column, je.text);
		return err_hint(e, "fix the file (or move it away) and run this again; it was not changed");
	}
	if (!json_is_object(s->root)) {
		err_set(e, "cannot use '%s': the top level is %s, not an object", path, cmd_json_kind(s->root));
		json_decref(s->root);
		s->root = NULL;
		return err_hint(e, "fix the file (or move it away) and run this again; it was not changed");
	}
	return 0;
}

/* The event array, created when create is set; NULL with e set when the shape is wrong. */
static json_t *event_array(const struct target *t, struct settings *s, bool create, struct err *e)
{
	json_t *hooks = json_object_get(s->root, "hooks");
	if (!hooks) {
		if (!create)
			return NULL;
		hooks = json_object();
		json_object_set_new(s->root, "hooks", hooks);
	} else if (!json_is_object(hooks)) {
		err_set(e, "cannot use '%s': \"hooks\" is %s, not an object", s->path, cmd_json_kind(hooks));
		err_hint(e, "fix the file and run this again; it was not changed");
		return NULL;
	}
	json_t *arr = json_object_get(hooks, t->event);
	if (!arr) {
		if (!create)
			return NULL;
		arr = json_array();
		json_object_set_new(hooks, t->event, arr);
	} else if (!json_is_array(arr)) {
		err_set(e, "cannot use '%s': \"hooks.%s\" is %s, not an array", s->path, t->event, cmd_json_kind(arr));
		err_hint(e, "fix the file and run this again; it was not changed");
		return NULL;
	}
	return arr;
}

static json_t *hook_object(const struct target *t, const char *cmd)
{
	json_t *h = json_object();
	if (strcmp(t->agent, "gemini") == 0) {
		json_object_set_new(h, "name", json_string("blastwall"));
		json_object_set_new(h, "type", json_string("command"));
		json_object_set_new(h, "command", json_string(cmd));
		json_object_set_new(h, "description", json_string("blastwall: stop destructive shell commands"));
	} else if (t->matcher) {
		json_object_set_new(h, "type", json_string("command"));
		json_object_set_new(h, "command", json_string(cmd));
	} else {
		json_object_set_new(h, "command", json_string(cmd));
	}
	return h;
}

/* Calls fn on every hook object of the event (grouped or flat); fn returns true to remove it. */
typedef bool (*hook_fn)(json_t *hook, void *ctx);

static size_t each_hook(const struct target *t, json_t *arr, hook_fn fn, void *ctx)
{
	size_t removed = 0;
	if (!t->matcher) {
		for (size_t i = 0; i < json_array_size(arr);) {
			json_t *h = json_array_get(arr, i);
			if (json_is_object(h) && fn(h, ctx)) {
				json_array_remove(arr, i);
				removed++;
			} else {
				i++;
			}
		}
		return removed;
	}
	for (size_t g = 0; g < json_array_size(arr);) {
		json_t *group = json_array_get(arr, g);
		json_t *list = json_is_object(group) ? json_object_get(group, "hooks") : NULL;
		size_t before = removed;
		if (json_is_array(list)) {
			for (size_t i = 0; i < json_array_size(list);) {
				json_t *h = json_array_get(list, i);
				if (json_is_object(h) && fn(h, ctx)) {
					json_array_remove(list, i);
					removed++;
				} else {
					i++;
				}
			}
		}
		/* A group we emptied was ours; a group that was empty before is the user's business. */
		if (removed > before && json_array_size(list) == 0)
			json_array_remove(arr, g);
		else
			g++;
	}
	return removed;
}

struct find_ctx {
	const char *agent;
	const char *want;   /* our command */
	size_t exact, other;
	bool remove;        /* remove every match (uninstall), else update others' paths to want */
	char **old_cmd;
	struct arena *a;
};

static bool visit(json_t *h, void *p)
{
	struct find_ctx *c = p;
	json_t *cmd = json_object_get(h, "command");
	if (!json_is_string(cmd) || !is_ours(json_string_value(cmd), c->agent))
		return false;
	if (c->remove)
		return true;
	if (strcmp(json_string_value(cmd), c->want) == 0) {
		c->exact++;
		/* A second copy of our exact entry (e.g. added by hand) is dropped: it would run the check twice. */
		return c->exact > 1;
	}
	c->other++;
	if (c->exact || c->other > 1)
		return true;  /* keep one entry only */
	*c->old_cmd = arena_strdup(c->a, json_string_value(cmd));
	json_object_set_new(h, "command", json_string(c->want));
	c->exact++;
	return false;
}

static int write_settings(struct arena *a, const struct settings *s, const char *text, struct err *e)
{
	char *dir = path_dirname(a, s->path);
	if (fs_mkdir_p(dir, 0755, e) < 0)
		return -1;
	if (s->exists) {
		char *bak = arena_printf(a, "%s.bak", s->path);
		if (fs_write_atomic(bak, s->old, s->old_n, s->mode, e) < 0)
			return -1;
	}
	return fs_write_atomic(s->path, text, strlen(text), s->mode, e);
}

static const char *project_root(struct arena *a)
{
	char buf[PATH_MAX];
	if (!getcwd(buf, sizeof(buf)))
		return ".";
	char *dir = arena_strdup(a, buf);
	for (char *d = arena_strdup(a, buf);;) {
		if (fs_exists(path_join(a, d, ".git")))
			return d;
		if (strcmp(d, "/") == 0)
			break;
		d = path_dirname(a, d);
	}
	return dir;
}

static const char *settings_path(struct arena *a, const struct target *t, const struct opts *o)
{
	if (o->file) {
		char buf[PATH_MAX];
		return path_normalize(a, getcwd(buf, sizeof(buf)) ? buf : "/", o->file);
	}
	if (!o->user)
		return path_join(a, project_root(a), t->project_file);
	if (t->user_dir_env) {
		const char *d = getenv(t->user_dir_env);
		if (d && *d == '/')
			return path_join(a, d, t->user_sub);
	}
	return path_join(a, fs_home(), t->user_file);
}

static int do_install(struct arena *a, const struct target *t, const struct opts *o, const char *self)
{
	struct err e;
	struct settings s;
	err_init(&e);
	const char *path = settings_path(a, t, o);
	const char *cmd = arena_printf(a, "%s hook %s", sh_quote(a, self), t->agent);
	if (load_settings(a, path, &s, &e) < 0) {
		err_print(&e);
		return EXIT_FAIL;
	}
	if (t->versioned) {
		json_t *v = json_object_get(s.root, "version");
		if (v && !(json_is_integer(v) && json_integer_value(v) == 1)) {
			err_set(&e, "cannot use '%s': \"version\" is not 1, the hooks format blastwall knows", path);
			err_print(&e);
			json_decref(s.root);
			return EXIT_FAIL;
		}
		if (!v)
			json_object_set_new(s.root, "version", json_integer(1));
	}
	json_t *arr = event_array(t, &s, true, &e);
	if (!arr) {
		err_print(&e);
		json_decref(s.root);
		return EXIT_FAIL;
	}
	char *old_cmd = NULL;
	struct find_ctx c = { .agent = t->agent, .want = cmd, .old_cmd = &old_cmd, .a = a };
	size_t dropped = each_hook(t, arr, visit, &c);
	const char *what;
	if (c.exact == 0) {
		json_t *h = hook_object(t, cmd);
		if (t->matcher) {
			json_t *group = json_object();
			json_object_set_new(group, "matcher", json_string(t->matcher));
			json_t *list = json_array();
			json_array_append_new(list, h);
			json_object_set_new(group, "hooks", list);
			json_array_append_new(arr, group);
		} else {
			json_array_append_new(arr, h);
		}
		what = arena_printf(a, "added the %s hook (%s%s%s): %s", t->title, t->event,
				    t->matcher ? ", matcher " : "", t->matcher ? t->matcher : "", cmd);
	} else if (old_cmd) {
		what = arena_printf(a, "updated the %s hook from '%s' to '%s'", t->title, old_cmd, cmd);
	} else if (dropped) {
		what = arena_printf(a, "removed %zu duplicate %s hook entr%s", dropped, t->title, dropped == 1 ? "y" : "ies");
	} else {
		what = NULL;
	}
	char *text = dump(a, s.root);
	json_decref(s.root);
	if (!what || (s.exists && strcmp(text, s.old) == 0)) {
		printf("'%s' already has the %s hook (%s); nothing changed\n", path, t->title, cmd);
		return EXIT_OK;
	}
	if (o->dry_run) {
		printf("would have %s\nin '%s'; the file would become:\n%s", what, path, text);
		return EXIT_OK;
	}
	if (write_settings(a, &s, text, &e) < 0) {
		err_print(&e);
		return EXIT_FAIL;
	}
	printf("%s\nin '%s'%s\n", what, path, s.exists ? arena_printf(a, " (previous content in '%s.bak')", path) : " (new file)");
	if (t->note)
		printf("note: %s\n", t->note);
	return EXIT_OK;
}

/* Drops containers uninstall emptied, so that install + uninstall leaves no trace. */
static void prune(const struct target *t, struct settings *s)
{
	json_t *hooks = json_object_get(s->root, "hooks");
	json_t *arr = hooks ? json_object_get(hooks, t->event) : NULL;
	if (arr && json_array_size(arr) == 0)
		json_object_del(hooks, t->event);
	if (hooks && json_object_size(hooks) == 0)
		json_object_del(s->root, "hooks");
	if (t->versioned && json_object_size(s->root) == 1 && json_object_get(s->root, "version"))
		json_object_del(s->root, "version");
}

static int do_uninstall(struct arena *a, const struct target *t, const struct opts *o)
{
	struct err e;
	struct settings s;
	err_init(&e);
	const char *path = settings_path(a, t, o);
	if (load_settings(a, path, &s, &e) < 0) {
		err_print(&e);
		return EXIT_FAIL;
	}
	if (!s.exists) {
		json_decref(s.root);
		printf("'%s' does not exist; nothing to remove\n", path);
		return EXIT_OK;
	}
	json_t *arr = event_array(t, &s, false, &e);
	if (!arr && e.msg[0]) {
		err_print(&e);
		json_decref(s.root);
		return EXIT_FAIL;
	}
	struct find_ctx c = { .agent = t->agent, .remove = true, .a = a };
	size_t removed = arr ? each_hook(t, arr, visit, &c) : 0;
	if (!removed) {
		json_decref(s.root);
		printf("'%s' has no blastwall hook; nothing changed\n", path);
		return EXIT_OK;
	}
	prune(t, &s);
	char *text = dump(a, s.root);
	json_decref(s.root);
	if (o->dry_run) {
		printf("would remove %zu blastwall hook entr%s from '%s'; the file would become:\n%s", removed,
		       removed == 1 ? "y" : "ies", path, text);
		return EXIT_OK;
	}
	if (write_settings(a, &s, text, &e) < 0) {
		err_print(&e);
		return EXIT_FAIL;
	}
	printf("removed %zu blastwall hook entr%s from '%s' (previous content in '%s.bak')\n", removed,
	       removed == 1 ? "y" : "ies", path, path);
	return EXIT_OK;
}

static int run(int argc, char **argv, bool install)
{
	const char *cmd = install ? "install" : "uninstall";
	static const struct option longopts[] = {
		{ "project", no_argument, NULL, 'p' },
		{ "user", no_argument, NULL, 'u' },
		{ "file", required_argument, NULL, 'f' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { 0 };
	int c;
	while ((c = getopt_long(argc, argv, "hn", longopts, NULL)) != -1) {
		switch (c) {
		case 'p': o.user = false; break;
		case 'u': o.user = true; break;
		case 'f': o.file = optarg; break;
		case 'n': o.dry_run = true; break;
		case 'h': return usage(cmd, stdout);
		default: return cmd_usage_error(cmd, "unknown option");
		}
	}
	if (optind >= argc)
		return cmd_usage_error(cmd, "which agent? claude, codex, gemini or cursor");
	if (optind + 1 < argc)
		return cmd_usage_error(cmd, "unexpected argument '%s'", argv[optind + 1]);
	const struct target *t = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(targets); i++)
		if (strcmp(argv[optind], targets[i].agent) == 0)
			t = &targets[i];
	if (!t)
		return cmd_usage_error(cmd, "unknown agent '%s' (use claude, codex, gemini or cursor)", argv[optind]);
	struct arena *a = arena_new();
	int rc = install ? do_install(a, t, &o, self_path(a, argv[0])) : do_uninstall(a, t, &o);
	arena_free(a);
	return rc;
}

int cmd_install(int argc, char **argv)
{
	return run(argc, argv, true);
}

int cmd_uninstall(int argc, char **argv)
{
	return run(argc, argv, false);
}
