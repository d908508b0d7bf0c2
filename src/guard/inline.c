/*
 * inline.c: code handed to python -c, node -e, perl -e, ruby -e, php -r (or
 * fed to them on stdin). Interpreters are not parsed; the code is searched
 * for the library calls that destroy things: file removal (shutil.rmtree,
 * os.remove, fs.rmSync, FileUtils.rm_rf, unlink ...), commands run through a
 * shell (os.system, subprocess.*, child_process.exec*, system, backticks),
 * cloud SDK deletes, and SQL string literals. A literal argument is judged
 * exactly as the equivalent shell command would be (a removal goes through
 * the rm rules, a command string is parsed as shell); an argument computed at
 * run time asks for a recursive removal or a shell command.
 */
#include "guard/guard_int.h"

#include <ctype.h>
#include <string.h>

#include "common/fs.h"

/* K_WRITE, K_COPY, K_MOVE: only blastwall's own files are judged (a write anywhere else loses nothing the
 * guard knows of): the first argument written, the second overwritten, both moved. */
enum call_kind { K_RM, K_RMTREE, K_SHELL, K_ARGV, K_CLOUD, K_CODE, K_WRITE, K_COPY, K_MOVE };

struct call {
	const char *name;  /* text that starts the call, '(' included when there is one */
	const char *langs; /* "python node perl ruby php" */
	enum call_kind kind;
};

static const struct call calls[] = {
	{ "rmtree(", "python perl", K_RMTREE },
	{ "os.remove(", "python", K_RM },
	{ "os.unlink(", "python", K_RM },
	{ "os.rmdir(", "python", K_RM },
	{ "os.removedirs(", "python", K_RM },
	{ ".unlink(", "python", K_RM },
	{ "os.system(", "python", K_SHELL },
	{ ".system(", "python", K_SHELL },       /* import os as o; o.system(...) */
	{ "exec(", "python", K_CODE },          /* code run from a string: scanned again, or asked about */
	{ "eval(", "python node", K_CODE },
	{ "new Function(", "node", K_CODE },
	{ "os.popen(", "python", K_SHELL },
	{ "subprocess.run(", "python", K_SHELL },
	{ "subprocess.call(", "python", K_SHELL },
	{ "subprocess.check_call(", "python", K_SHELL },
	{ "subprocess.check_output(", "python", K_SHELL },
	{ "subprocess.Popen(", "python", K_SHELL },
	{ "subprocess.getoutput(", "python", K_SHELL },
	{ "subprocess.getstatusoutput(", "python", K_SHELL },
	{ "rmSync(", "node", K_RMTREE },
	{ "rmdirSync(", "node", K_RMTREE },
	{ "unlinkSync(", "node", K_RM },
	{ "fs.rm(", "node", K_RMTREE },
	{ "fs.promises.rm(", "node", K_RMTREE },
	{ "rimraf(", "node", K_RMTREE },
	{ "rimraf.sync(", "node", K_RMTREE },
	{ "execSync(", "node", K_SHELL },
	{ "exec(", "node php perl ruby", K_SHELL },
	{ "execFileSync(", "node", K_ARGV },
	{ "spawnSync(", "node", K_ARGV },
	{ "spawn(", "node", K_ARGV },
	{ "remove_tree(", "perl", K_RMTREE },
	{ "unlink(", "perl php", K_RM },
	{ "system(", "perl ruby php", K_SHELL },
	{ "qx(", "perl", K_SHELL },
	{ "qx{", "perl", K_SHELL },
	{ "rm_rf(", "ruby", K_RMTREE },
	{ "rm_r(", "ruby", K_RMTREE },
	{ "remove_dir(", "ruby", K_RMTREE },
	{ "remove_entry(", "ruby", K_RMTREE },
	{ "FileUtils.rm(", "ruby", K_RM },
	{ "File.delete(", "ruby", K_RM },
	{ "%x(", "ruby", K_SHELL },
	{ "rmdir(", "php", K_RM },
	{ "shell_exec(", "php", K_SHELL },
	{ "passthru(", "php", K_SHELL },
	{ "popen(", "php", K_SHELL },
	{ "proc_open(", "php", K_SHELL },
	{ "open(", "python", K_WRITE },           /* judged only with a mode that writes */
	{ ".write_text(", "python", K_WRITE },
	{ ".write_bytes(", "python", K_WRITE },
	{ "shutil.copy(", "python", K_COPY },
	{ "shutil.copyfile(", "python", K_COPY },
	{ "shutil.copy2(", "python", K_COPY },
	{ "shutil.move(", "python", K_MOVE },
	{ "os.rename(", "python", K_MOVE },
	{ "os.replace(", "python", K_MOVE },
	{ "writeFileSync(", "node", K_WRITE },
	{ "appendFileSync(", "node", K_WRITE },
	{ "fs.writeFile(", "node", K_WRITE },
	{ "fs.appendFile(", "node", K_WRITE },
	{ "copyFileSync(", "node", K_COPY },
	{ "renameSync(", "node", K_MOVE },
	{ "delete_db_instance(", "python", K_CLOUD },
	{ "delete_db_cluster(", "python", K_CLOUD },
	{ "delete_bucket(", "python", K_CLOUD },
	{ "delete_table(", "python", K_CLOUD },
	{ "terminate_instances(", "python", K_CLOUD },
	{ "delete_stack(", "python", K_CLOUD },
	{ "schedule_key_deletion(", "python", K_CLOUD },
	{ "DeleteDBInstanceCommand", "node", K_CLOUD },
	{ "DeleteBucketCommand", "node", K_CLOUD },
	{ "DeleteTableCommand", "node", K_CLOUD },
};

/* Reads a string literal at *pp (with python prefixes r/b/u/f); returns NULL when there is none. */
static char *literal(struct arena *a, const char **pp, const char *e, bool *dynamic)
{
	const char *p = *pp;
	bool fstr = false;
	while (p < e && strchr("rRbBuUfF", *p) && p + 1 < e && (isalpha((unsigned char)p[1]) || p[1] == '\'' || p[1] == '"')) {
		if (*p == 'f' || *p == 'F')
			fstr = true;
		p++;
	}
	if (p >= e || (*p != '\'' && *p != '"' && *p != '`'))
		return NULL;
	char q = *p;
	bool triple = p + 2 < e && p[1] == q && p[2] == q;
	p += triple ? 3 : 1;
	struct buf b;
	buf_init(&b, 0);
	while (p < e) {
		if (triple ? (p + 2 < e && p[0] == q && p[1] == q && p[2] == q) : *p == q)
			break;
		if (*p == '\\' && p + 1 < e) {
			p++;
			buf_addc(&b, *p == 'n' ? '\n' : *p == 't' ? '\t' : *p);
			p++;
			continue;
		}
		buf_addc(&b, *p++);
	}
	p += triple ? 3 : 1;
	*pp = p < e ? p : e;
	char *r = arena_strndup(a, b.p ? b.p : "", b.n);
	buf_release(&b);
	if (dynamic)
		*dynamic = (fstr && strchr(r, '{')) || (q == '`' && strstr(r, "${"));
	return r;
}

static const char *skip_ws(const char *p, const char *e)
{
	while (p < e && isspace((unsigned char)*p))
		p++;
	return p;
}

static bool ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

struct inline_ctx {
	struct gctx *g;
	const struct gcmd *c;
	const char *lang;
};

static struct gcmd *via(struct inline_ctx *x, const struct call *k)
{
	size_t n = strcspn(k->name, "({");
	const char *tool = x->c->argc ? path_basename(x->c->argv[0]) : x->lang;
	return gcmd_shift(x->g, x->c, 0, arena_printf(x->g->a, "%s code, %.*s", tool, (int)n, k->name));
}

/* A path literal before a method call: Path("x").write_text(...). */
static char *path_before(struct arena *a, const char *at, const char *code, const char *e, bool *dynamic)
{
	const char *s = at;
	while (s > code && s > at - 200 && strncmp(s, "Path(", 5) != 0)
		s--;
	if (strncmp(s, "Path(", 5) != 0)
		return NULL;
	const char *q = skip_ws(s + 5, e);
	return literal(a, &q, e, dynamic);
}

/* Writes, copies and moves in inline code onto blastwall's own files (its config, hook settings, state db). */
static void judge_write(struct inline_ctx *x, const struct call *k, const char *at, const char *code, const char *e,
			const char *p)
{
	struct gctx *g = x->g;
	bool d1 = false, d2 = false;
	const char *q = p;
	char *first = k->name[0] == '.' ? path_before(g->a, at, code, e, &d1) : literal(g->a, &q, e, &d1);
	char *second = NULL;
	q = skip_ws(q, e);
	if (k->name[0] != '.' && q < e && *q == ',') {
		q = skip_ws(q + 1, e);
		if (strncmp(q, "mode", 4) == 0)
			q = skip_ws(skip_ws(q + 4, e) + 1, e); /* mode= */
		second = literal(g->a, &q, e, &d2);
	}
	const char *what = k->kind == K_MOVE ? " (moved by inline code)" : " (written by inline code)";
	if (strcmp(k->name, "open(") == 0 && !(second && !d2 && strpbrk(second, "wax+")))
		return; /* open() for reading */
	if (first && !d1 && k->kind != K_COPY)
		guard_fs_self(g, via(x, k), first, 0, false, what);
	if (second && !d2 && (k->kind == K_COPY || k->kind == K_MOVE))
		guard_fs_self(g, via(x, k), second, 0, false, what);
}

static void judge_call(struct inline_ctx *x, const struct call *k, const char *at, const char *code, const char *e)
{
	struct gctx *g = x->g;
	const char *p = at + strlen(k->name);
	if (k->kind == K_CLOUD) {
		guard_hit(g, via(x, k), "inline.cloud-delete",
			  arena_printf(g->a, "Call: %.*s.", (int)strcspn(k->name, "("), k->name));
		return;
	}
	p = skip_ws(p, e);
	if (k->kind == K_CODE) {
		bool dynamic = false;
		const char *q = p;
		char *lit = literal(g->a, &q, e, &dynamic);
		if (lit && !dynamic) {
			/* strictly shorter than the code around it, so this recursion ends */
			guard_inline_code(g, via(x, k), x->lang, lit);
			return;
		}
		guard_hit(g, via(x, k), "guard.dynamic-command",
			  arena_printf(g->a, "The %s code runs code built at run time (%.*s).", x->lang,
				       (int)strcspn(k->name, "("), k->name));
		return;
	}
	if (k->kind == K_WRITE || k->kind == K_COPY || k->kind == K_MOVE) {
		judge_write(x, k, at, code, e, p);
		return;
	}
	if (k->kind == K_RM || k->kind == K_RMTREE) {
		bool dynamic = false;
		const char *q = p;
		char *lit = literal(g->a, &q, e, &dynamic);
		if (!lit && strcmp(k->name, ".unlink(") == 0) {
			/* Path("x").unlink(): the path is in the Path(...) before the call */
			const char *s = at;
			while (s > code && s > at - 200 && strncmp(s, "Path(", 5) != 0)
				s--;
			if (strncmp(s, "Path(", 5) == 0) {
				q = skip_ws(s + 5, e);
				lit = literal(g->a, &q, e, &dynamic);
			}
		}
		if (!lit && (strncmp(p, "Path(", 5) == 0 || strncmp(p, "pathlib.Path(", 13) == 0)) {
			q = skip_ws(strchr(p, '(') + 1, e);
			lit = literal(g->a, &q, e, &dynamic);
		}
		struct gcmd *n = via(x, k);
		if (!lit || dynamic)
			guard_fs_remove(g, n, lit ? lit : "(a path computed at run time)", GARG_RUNTIME, k->kind == K_RMTREE);
		else
			guard_fs_remove(g, n, lit, 0, k->kind == K_RMTREE);
		return;
	}
	/* K_SHELL / K_ARGV: a command string, or a list of arguments */
	bool dynamic = false;
	const char *q = p;
	char *lit = literal(g->a, &q, e, &dynamic);
	const char **argv = NULL;
	size_t argc = 0;
	if (lit && !dynamic && k->kind == K_ARGV) {
		/* spawn("rm", ["-rf", "/"]) */
		q = skip_ws(q, e);
		argv = arena_new_array(g->a, const char *, 64);
		argv[argc++] = lit;
		if (q < e && *q == ',') {
			q = skip_ws(q + 1, e);
			if (q < e && *q == '[')
				p = q;
		}
		lit = NULL;
		if (*p != '[') {
			struct gcmd *n = via(x, k);
			n->argv = argv;
			n->argc = argc;
			n->aflags = arena_new_array(g->a, unsigned, 1);
			guard_analyze(g, n);
			return;
		}
	}
	if (!lit && p < e && *p == '[') {
		if (!argv)
			argv = arena_new_array(g->a, const char *, 64);
		q = skip_ws(p + 1, e);
		while (q < e && *q != ']' && argc < 63) {
			bool d = false;
			char *s = literal(g->a, &q, e, &d);
			if (!s || d) {
				dynamic = true;
				break;
			}
			argv[argc++] = s;
			q = skip_ws(q, e);
			if (q < e && *q == ',')
				q = skip_ws(q + 1, e);
		}
		if (!dynamic && argc) {
			struct gcmd *n = via(x, k);
			n->argv = argv;
			n->argc = argc;
			n->aflags = arena_new_array(g->a, unsigned, argc);
			n->stdin_text = NULL;
			n->stdin_file = NULL;
			n->stdin_unknown = NULL;
			guard_analyze(g, n);
			return;
		}
	}
	if (lit && !dynamic) {
		struct gcmd *n = via(x, k);
		n->stdin_text = NULL;
		n->stdin_file = NULL;
		n->stdin_unknown = NULL;
		guard_analyze_text(g, n, NULL, lit);
		return;
	}
	guard_hit(g, via(x, k), "guard.dynamic-command",
		  arena_printf(g->a, "The %s code runs a shell command that is built at run time.", x->lang));
}

/* Backticks in perl, ruby and php run a shell command. */
static void backticks(struct inline_ctx *x, const char *code, const char *e)
{
	for (const char *p = code; p < e; p++) {
		if (*p == '\'' || *p == '"') {
			const char *q = p;
			if (literal(x->g->a, &q, e, NULL)) {
				p = q - 1;
				continue;
			}
		}
		if (*p != '`')
			continue;
		const char *end = memchr(p + 1, '`', (size_t)(e - p - 1));
		if (!end)
			return;
		char *cmd = arena_strndup(x->g->a, p + 1, (size_t)(end - p - 1));
		static const struct call bt = { "`", "", K_SHELL };
		struct gcmd *n = via(x, &bt);
		guard_analyze_text(x->g, n, NULL, cmd);
		p = end;
	}
}

/* Marks the bytes inside string literals: a call name there is text, not a call. */
static bool *literal_mask(struct arena *a, const char *code, const char *e)
{
	bool *m = arena_zalloc(a, (size_t)(e - code) + 1);
	for (const char *p = code; p < e; p++) {
		if (*p == '#' && p + 1 < e && p[1] != '{') {
			/* a comment in python, perl, ruby (not ruby's #{}): to the end of the line */
			while (p < e && *p != '\n')
				p++;
			continue;
		}
		if (*p != '\'' && *p != '"')
			continue;
		const char *q = p;
		if (!literal(a, &q, e, NULL))
			continue;
		for (const char *s = p; s < q && s < e; s++)
			m[s - code] = true;
		p = q - 1;
	}
	return m;
}

void guard_inline_code(struct gctx *g, const struct gcmd *c, const char *lang, const char *code)
{
	struct inline_ctx x = { g, c, lang };
	const char *e = code + strlen(code);
	bool *in_str = literal_mask(g->a, code, e);
	for (size_t i = 0; i < ARRAY_SIZE(calls); i++) {
		const struct call *k = &calls[i];
		if (!strstr(k->langs, lang))
			continue;
		size_t n = strlen(k->name);
		for (const char *p = code; (p = strstr(p, k->name)) != NULL; p += n) {
			/* a whole name: "exec(" must not match "execSync(" or "my_exec(" */
			if (k->name[0] != '.' && p > code && ident_char(p[-1]))
				continue;
			if (in_str[p - code])
				continue;
			judge_call(&x, k, p, code, e);
		}
	}
	if (strcmp(lang, "perl") == 0 || strcmp(lang, "ruby") == 0 || strcmp(lang, "php") == 0)
		backticks(&x, code, e);
	/* SQL in string literals: cursor.execute("DROP TABLE users") */
	for (const char *p = code; p < e; p++) {
		if (*p != '\'' && *p != '"')
			continue;
		const char *q = p;
		char *s = literal(g->a, &q, e, NULL);
		if (!s)
			continue;
		if (guard_sql_destructive(s, strlen(s)))
			guard_sql_scan(g, gcmd_shift(g, c, 0, arena_printf(g->a, "%s code", c->argc ? path_basename(c->argv[0]) : lang)),
				       s, "a string in the code");
		p = q - 1;
	}
}
