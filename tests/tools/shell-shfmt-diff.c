/*
 * shell-shfmt-diff.c: the driver of the differential test between our shell
 * parser and shfmt's (mvdan.cc/sh) on a corpus of one-line commands.
 *
 *   shell-shfmt-diff [-w K/N] [-s STEP] CORPUS   compare lines i with i % N == K
 *                                                (and i % STEP == 0), one result line each
 *   shell-shfmt-diff --ours < script             our canonical form
 *   shell-shfmt-diff --theirs SCRIPT < json      shfmt's canonical form of SCRIPT
 *
 * Both parsers' trees are reduced to the same canonical text, defined in
 * tests/shfmt/README.md: one line per simple command in walk order (a command,
 * then the commands of the substitutions in its words, assignments and
 * redirections, then the next command), each word as a JSON string of its
 * value after quote removal with every expansion kept as its source text.
 *
 * Result lines: "agree N", "disagree N" (+ "# ours: ..." / "# shfmt: ..."),
 * "shfmt-rejects N", "ours-rejects N" (shfmt accepts, we do not) where N is
 * the 1-based line number. shfmt runs as a child per line (posix_spawn).
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/arena.h"
#include "common/buf.h"
#include "common/err.h"
#include "shell/shell.h"

extern char **environ;

/* ---- our side ---- */

static int ours_cb(const struct shell_visit *v, void *ctx)
{
	struct buf *out = ctx;
	const struct shell_node *c = v->cmd;
	if (c->nassigns == 0 && c->nwords == 0)
		return 0; /* a bare redirection: shfmt has no command there */
	bool first = true;
	for (size_t i = 0; i < c->nassigns; i++, first = false) {
		if (!first)
			buf_addc(out, ' ');
		buf_json_str(out, c->assigns[i].lit, c->assigns[i].lit_n);
	}
	for (size_t i = 0; i < c->nwords; i++, first = false) {
		if (!first)
			buf_addc(out, ' ');
		buf_json_str(out, c->words[i].lit, c->words[i].lit_n);
	}
	buf_addc(out, '\n');
	return 0;
}

static int ours(const char *src, size_t n, struct buf *out, struct err *e)
{
	struct arena *a = arena_new();
	struct shell_node *root;
	int rc = shell_parse(a, src, n, NULL, &root, e);
	if (rc == 0)
		shell_walk(root, ours_cb, out);
	arena_free(a);
	return rc;
}

/* ---- shfmt's side ---- */

struct theirs {
	const char *src;
	size_t n;
	struct buf *out;
	int bq; /* how many backquotes the walk is inside */
};

static size_t offset_of(json_t *node, const char *key)
{
	json_t *pos = json_object_get(node, key);
	return (size_t)json_integer_value(json_object_get(pos, "Offset"));
}

/*
 * Inside `...` the shell first removes one level of \\ before \\ ` $; shfmt's
 * positions point into the escaped outer text, so its source slices are
 * unescaped once per enclosing backquote to compare with the inner text.
 */
static void add_unbackquoted(struct buf *w, const char *s, size_t n, int levels)
{
	struct buf cur, next;
	buf_init(&cur, 0);
	buf_add(&cur, s, n);
	for (int l = 0; l < levels; l++) {
		buf_init(&next, 0);
		for (size_t i = 0; i < cur.n; i++) {
			if (cur.p[i] == '\\' && i + 1 < cur.n && strchr("\\`$", cur.p[i + 1]))
				i++;
			buf_addc(&next, cur.p[i]);
		}
		buf_release(&cur);
		cur = next;
	}
	if (cur.n)
		buf_add(w, cur.p, cur.n);
	buf_release(&cur);
}

static void add_slice(struct theirs *t, struct buf *w, json_t *node)
{
	size_t b = offset_of(node, "Pos"), e = offset_of(node, "End");
	if (b <= e && e <= t->n)
		add_unbackquoted(w, t->src + b, e - b, t->bq);
}

/* An unquoted Lit: shfmt keeps backslashes; quote removal drops them. */
static void add_unquoted_lit(struct buf *w, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' && s[1]) {
			s++;
			if (*s != '\n')
				buf_addc(w, *s);
		} else {
			buf_addc(w, *s);
		}
	}
}

static void add_dq_lit(struct buf *w, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' && s[1] && strchr("$`\"\\\n", s[1])) {
			s++;
			if (*s != '\n')
				buf_addc(w, *s);
		} else {
			buf_addc(w, *s);
		}
	}
}

/* $'...': decoded by our parser (there is no other decoder at hand); rare in the corpus. */
static void add_ansi_c(struct theirs *t, struct buf *w, json_t *part)
{
	size_t b = offset_of(part, "Pos"), e = offset_of(part, "End");
	struct arena *a = arena_new();
	struct shell_node *root;
	struct err er;
	err_init(&er);
	if (b <= e && e <= t->n && shell_parse(a, t->src + b, e - b, NULL, &root, &er) == 0 && root->nkids == 1 &&
	    root->kids[0]->kind == SHELL_SIMPLE && root->kids[0]->nwords == 1)
		buf_add(w, root->kids[0]->words[0].lit, root->kids[0]->words[0].lit_n);
	else
		add_slice(t, w, part);
	arena_free(a);
}

static void add_parts(struct theirs *t, struct buf *w, json_t *parts, bool in_dq)
{
	size_t i;
	json_t *part;
	json_array_foreach(parts, i, part) {
		const char *type = json_string_value(json_object_get(part, "Type"));
		if (!type)
			continue;
		if (strcmp(type, "Lit") == 0) {
			const char *v = json_string_value(json_object_get(part, "Value"));
			if (in_dq)
				add_dq_lit(w, v ? v : "");
			else
				add_unquoted_lit(w, v ? v : "");
		} else if (strcmp(type, "SglQuoted") == 0) {
			if (json_is_true(json_object_get(part, "Dollar"))) {
				add_ansi_c(t, w, part);
			} else {
				const char *v = json_string_value(json_object_get(part, "Value"));
				buf_addz(w, v ? v : "");
			}
		} else if (strcmp(type, "DblQuoted") == 0) {
			add_parts(t, w, json_object_get(part, "Parts"), true);
		} else {
			add_slice(t, w, part); /* ParamExp, CmdSubst, ArithmExp, ProcSubst, ExtGlob */
		}
	}
}

static void add_word(struct theirs *t, struct buf *w, json_t *word)
{
	add_parts(t, w, json_object_get(word, "Parts"), false);
}

/* An array index: a plain word loses its quotes like any word; an expression stays source text. */
static void add_index(struct theirs *t, struct buf *w, json_t *index)
{
	const char *type = json_string_value(json_object_get(index, "Type"));
	if (type && strcmp(type, "Word") == 0)
		add_word(t, w, index);
	else
		add_slice(t, w, index);
}

static void add_assign(struct theirs *t, struct buf *w, json_t *as)
{
	json_t *name = json_object_get(as, "Name"), *value = json_object_get(as, "Value"),
	       *array = json_object_get(as, "Array"), *index = json_object_get(as, "Index");
	if (json_is_true(json_object_get(as, "Naked")) && !name) {
		add_word(t, w, value);
		return;
	}
	const char *nv = json_string_value(json_object_get(name, "Value"));
	buf_addz(w, nv ? nv : "");
	if (index) {
		buf_addc(w, '[');
		add_index(t, w, index);
		buf_addc(w, ']');
	}
	if (json_is_true(json_object_get(as, "Naked")))
		return;
	buf_addz(w, json_is_true(json_object_get(as, "Append")) ? "+=" : "=");
	if (array) {
		buf_addc(w, '(');
		size_t i;
		json_t *el;
		json_array_foreach(json_object_get(array, "Elems"), i, el) {
			if (i)
				buf_addc(w, ' ');
			json_t *ei = json_object_get(el, "Index");
			if (ei) {
				buf_addc(w, '[');
				add_index(t, w, ei);
				buf_addz(w, "]=");
			}
			add_word(t, w, json_object_get(el, "Value"));
		}
		buf_addc(w, ')');
	} else if (value) {
		add_word(t, w, value);
	}
}

static void emit_word(struct buf *out, struct buf *w, bool *first)
{
	if (!*first)
		buf_addc(out, ' ');
	*first = false;
	buf_json_str(out, w->p ? w->p : "", w->n);
	buf_reset(w);
}

static void visit(struct theirs *t, json_t *node);

static void visit_children(struct theirs *t, json_t *node)
{
	if (json_is_array(node)) {
		size_t i;
		json_t *v;
		json_array_foreach(node, i, v)
			visit(t, v);
	} else if (json_is_object(node)) {
		const char *k;
		json_t *v;
		json_object_foreach(node, k, v)
			visit(t, v);
	}
}

static void visit(struct theirs *t, json_t *node)
{
	if (!json_is_object(node)) {
		visit_children(t, node);
		return;
	}
	const char *type = json_string_value(json_object_get(node, "Type"));
	struct buf w;
	bool first = true;
	size_t i;
	json_t *v;
	if (type && strcmp(type, "CallExpr") == 0) {
		buf_init(&w, 0);
		json_array_foreach(json_object_get(node, "Assigns"), i, v) {
			add_assign(t, &w, v);
			emit_word(t->out, &w, &first);
		}
		json_array_foreach(json_object_get(node, "Args"), i, v) {
			add_word(t, &w, v);
			emit_word(t->out, &w, &first);
		}
		buf_release(&w);
		buf_addc(t->out, '\n');
	} else if (type && strcmp(type, "DeclClause") == 0) {
		buf_init(&w, 0);
		const char *variant = json_string_value(json_object_get(json_object_get(node, "Variant"), "Value"));
		buf_addz(&w, variant ? variant : "");
		emit_word(t->out, &w, &first);
		json_array_foreach(json_object_get(node, "Args"), i, v) {
			add_assign(t, &w, v);
			emit_word(t->out, &w, &first);
		}
		buf_release(&w);
		buf_addc(t->out, '\n');
	} else if (type && strcmp(type, "LetClause") == 0) {
		buf_init(&w, 0);
		buf_addz(&w, "let");
		emit_word(t->out, &w, &first);
		json_array_foreach(json_object_get(node, "Exprs"), i, v) {
			const char *et = json_string_value(json_object_get(v, "Type"));
			if (et && strcmp(et, "Word") == 0)
				add_word(t, &w, v);
			else
				add_slice(t, &w, v);
			emit_word(t->out, &w, &first);
		}
		buf_release(&w);
		buf_addc(t->out, '\n');
	}
	bool bq = type && strcmp(type, "CmdSubst") == 0 && json_is_true(json_object_get(node, "Backquotes"));
	t->bq += bq;
	visit_children(t, node);
	t->bq -= bq;
}

static int theirs_json(const char *src, size_t n, const char *json, size_t jn, struct buf *out)
{
	json_error_t je;
	json_t *root = json_loadb(json, jn, 0, &je);
	if (!root)
		return -1;
	struct theirs t = { src, n, out, 0 };
	visit(&t, root);
	json_decref(root);
	return 0;
}

/* Runs shfmt --tojson on src; returns its exit status (or -1) and fills out. */
static int run_shfmt(const char *src, size_t n, struct buf *out)
{
	int in[2], res[2];
	if (pipe(in) < 0 || pipe(res) < 0)
		return -1;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, res[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addclose(&fa, in[1]);
	posix_spawn_file_actions_addclose(&fa, res[0]);
	char *argv[] = { "shfmt", "--tojson", NULL };
	pid_t pid;
	int rc = posix_spawnp(&pid, "shfmt", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]);
	close(res[1]);
	if (rc != 0) {
		close(in[1]);
		close(res[0]);
		return -1;
	}
	/* one-line commands are far below a pipe buffer: write all, then read */
	size_t off = 0;
	while (off < n) {
		ssize_t k = write(in[1], src + off, n - off);
		if (k <= 0)
			break;
		off += (size_t)k;
	}
	close(in[1]);
	char chunk[8192];
	ssize_t k;
	while ((k = read(res[0], chunk, sizeof(chunk))) > 0)
		buf_add(out, chunk, (size_t)k);
	close(res[0]);
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Prints a canonical form, every line prefixed so result parsers skip it. */
static void print_prefixed(const char *label, const struct buf *b)
{
	if (!b->n) {
		printf("%s(nothing)\n", label);
		return;
	}
	const char *s = b->p, *end = b->p + b->n;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t len = nl ? (size_t)(nl - s) : (size_t)(end - s);
		printf("%s%.*s\n", label, (int)len, s);
		label = "#        ";
		s += len + 1;
	}
}

static char *slurp(FILE *f, size_t *n)
{
	struct buf b;
	buf_init(&b, 0);
	char chunk[8192];
	size_t k;
	while ((k = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, k);
	*n = b.n;
	return b.p ? b.p : xstrdup("");
}

int main(int argc, char **argv)
{
	struct err e;
	err_init(&e);
	if (argc >= 2 && strcmp(argv[1], "--ours") == 0) {
		size_t n;
		char *src = slurp(stdin, &n);
		struct buf out;
		buf_init(&out, 0);
		int rc = ours(src, n, &out, &e);
		if (rc < 0)
			fprintf(stderr, "error: %s\n", e.msg);
		else
			fwrite(out.p ? out.p : "", 1, out.n, stdout);
		buf_release(&out);
		free(src);
		return rc < 0 ? 1 : 0;
	}
	if (argc >= 3 && strcmp(argv[1], "--theirs") == 0) {
		FILE *f = fopen(argv[2], "rb");
		if (!f) {
			perror(argv[2]);
			return 1;
		}
		size_t n, jn;
		char *src = slurp(f, &n);
		fclose(f);
		char *json = slurp(stdin, &jn);
		struct buf out;
		buf_init(&out, 0);
		int rc = theirs_json(src, n, json, jn, &out);
		if (rc < 0)
			fprintf(stderr, "error: bad JSON\n");
		else
			fwrite(out.p ? out.p : "", 1, out.n, stdout);
		buf_release(&out);
		free(src);
		free(json);
		return rc < 0 ? 1 : 0;
	}
	long worker = 0, nworkers = 1, step = 1;
	int i = 1;
	for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
		if (strcmp(argv[i], "-w") == 0 && sscanf(argv[i + 1], "%ld/%ld", &worker, &nworkers) == 2 &&
		    nworkers > 0 && worker >= 0 && worker < nworkers)
			continue;
		if (strcmp(argv[i], "-s") == 0 && sscanf(argv[i + 1], "%ld", &step) == 1 && step > 0)
			continue;
		break;
	}
	if (i + 1 != argc) {
		fprintf(stderr, "usage: shell-shfmt-diff [-w K/N] [-s STEP] CORPUS | --ours | --theirs SCRIPT\n");
		return 2;
	}
	FILE *f = fopen(argv[i], "rb");
	if (!f) {
		perror(argv[i]);
		return 1;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	long lineno = 0;
	struct buf json, a, b;
	buf_init(&json, 0);
	buf_init(&a, 0);
	buf_init(&b, 0);
	while ((len = getline(&line, &cap, f)) >= 0) {
		long idx = lineno++;
		if (idx % step != 0 || (idx / step) % nworkers != worker)
			continue;
		size_t n = (size_t)len;
		if (n && line[n - 1] == '\n')
			n--;
		buf_reset(&json);
		buf_reset(&a);
		buf_reset(&b);
		int st = run_shfmt(line, n, &json);
		if (st < 0) {
			fprintf(stderr, "shell-shfmt-diff: cannot run shfmt\n");
			return 1;
		}
		int ours_rc = ours(line, n, &a, &e);
		if (st != 0 || theirs_json(line, n, json.p, json.n, &b) < 0) {
			printf("shfmt-rejects %ld (ours: %s)\n", lineno, ours_rc < 0 ? "rejects" : "accepts");
			continue;
		}
		if (ours_rc < 0) {
			printf("ours-rejects %ld\n# %.*s\n# error: %s\n", lineno, (int)n, line, e.msg);
			continue;
		}
		if (a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0)) {
			printf("agree %ld\n", lineno);
			continue;
		}
		printf("disagree %ld\n# %.*s\n", lineno, (int)n, line);
		print_prefixed("# ours:  ", &a);
		print_prefixed("# shfmt: ", &b);
	}
	free(line);
	fclose(f);
	buf_release(&json);
	buf_release(&a);
	buf_release(&b);
	return 0;
}
