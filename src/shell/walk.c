/*
 * walk.c: visiting and printing a parsed shell tree (see shell.h).
 *
 * The tree's depth is bounded by the parser's depth limit except for
 * "a && b || c ..." chains, which are left-nested binary nodes as long as
 * the list: both the walk and the dump follow a chain's left spine with a
 * loop, so a 100,000-long chain costs no stack.
 */
#include "shell/shell.h"

#include <stdlib.h>

#include "common/buf.h"

struct walker {
	int (*cb)(const struct shell_visit *v, void *ctx);
	void *ctx;
};

static int walk_node(const struct walker *w, const struct shell_node *n, struct shell_visit v);

static int walk_list(const struct walker *w, struct shell_node **kids, size_t n, struct shell_visit v)
{
	for (size_t i = 0; i < n; i++) {
		if (!kids[i])
			continue;
		int rc = walk_node(w, kids[i], v);
		if (rc)
			return rc;
	}
	return 0;
}

/* Substitutions run in their own context: no pipeline input, one level deeper. */
static struct shell_visit subst_ctx(struct shell_visit v)
{
	v.prev = NULL;
	v.depth++;
	v.in_subst = true;
	return v;
}

static int walk_words(const struct walker *w, const struct shell_word *words, size_t n, struct shell_visit v)
{
	struct shell_visit sv = subst_ctx(v);
	for (size_t i = 0; i < n; i++) {
		int rc = walk_list(w, words[i].subst, words[i].nsubst, sv);
		if (rc)
			return rc;
	}
	return 0;
}

static int walk_redirs(const struct walker *w, const struct shell_node *n, struct shell_visit v)
{
	struct shell_visit sv = subst_ctx(v);
	for (size_t i = 0; i < n->nredirs; i++) {
		const struct shell_redir *r = &n->redirs[i];
		int rc = walk_list(w, r->target.subst, r->target.nsubst, sv);
		if (!rc)
			rc = walk_list(w, r->subst, r->nsubst, sv);
		if (rc)
			return rc;
	}
	return 0;
}

/* The command whose output a pipeline stage produces: the stage itself, or the last simple command in it. */
static const struct shell_node *last_simple(const struct shell_node *n)
{
	while (n && n->kind != SHELL_SIMPLE) {
		const struct shell_node *next = NULL;
		for (size_t i = n->nkids; i-- > 0;) {
			if (n->kids[i]) {
				next = n->kids[i];
				break;
			}
		}
		if (!next || n->kind == SHELL_FUNCDEF)
			return n;
		n = next;
	}
	return n;
}

static int walk_chain(const struct walker *w, const struct shell_node *n, struct shell_visit v)
{
	/* Collect the left spine; visit its leftmost operand, then each right operand bottom-up. */
	const struct shell_node *local[64], **spine = local;
	size_t k = 0, cap = ARRAY_SIZE(local);
	for (const struct shell_node *c = n; c->kind == SHELL_AND || c->kind == SHELL_OR; c = c->kids[0]) {
		if (k == cap) {
			const struct shell_node **bigger = xmalloc(sizeof(*bigger) * cap * 2);
			memcpy(bigger, spine, sizeof(*bigger) * k);
			if (spine != local)
				free(spine);
			spine = bigger;
			cap *= 2;
		}
		spine[k++] = c;
	}
	int rc = walk_node(w, spine[k - 1]->kids[0], v);
	for (size_t i = k; i-- > 0 && !rc;)
		rc = walk_node(w, spine[i]->kids[1], v);
	if (spine != local)
		free(spine);
	return rc;
}

static int walk_node(const struct walker *w, const struct shell_node *n, struct shell_visit v)
{
	int rc = 0;
	struct shell_visit inner = v;
	inner.depth++;
	switch (n->kind) {
	case SHELL_SIMPLE:
		v.cmd = n;
		rc = w->cb(&v, w->ctx);
		if (!rc)
			rc = walk_words(w, n->assigns, n->nassigns, v);
		if (!rc)
			rc = walk_words(w, n->words, n->nwords, v);
		if (!rc)
			rc = walk_redirs(w, n, v);
		return rc;
	case SHELL_PIPELINE:
		for (size_t i = 0; i < n->nkids && !rc; i++) {
			struct shell_visit sv = v;
			if (i > 0)
				sv.prev = last_simple(n->kids[i - 1]);
			rc = walk_node(w, n->kids[i], sv);
		}
		return rc;
	case SHELL_AND:
	case SHELL_OR:
		return walk_chain(w, n, v);
	case SHELL_SEQ:
		return walk_list(w, n->kids, n->nkids, v);
	case SHELL_BACKGROUND:
		v.background = true;
		return walk_list(w, n->kids, n->nkids, v);
	case SHELL_COPROC:
		inner.background = true;
		break;
	case SHELL_FUNCDEF:
		inner.in_function = true;
		break;
	case SHELL_NOT:
	case SHELL_TIME:
		return walk_list(w, n->kids, n->nkids, v);
	default:
		break;
	}
	/* compound commands: their own words (for lists, case subjects and patterns, tests), then bodies */
	rc = walk_words(w, n->words, n->nwords, v);
	if (n->kind == SHELL_CASE) {
		for (size_t i = 0; i < n->nkids && !rc; i++) {
			rc = walk_words(w, n->arms[i].patterns, n->arms[i].npatterns, v);
			if (!rc && n->kids[i])
				rc = walk_node(w, n->kids[i], inner);
		}
	} else if (!rc) {
		rc = walk_list(w, n->kids, n->nkids, inner);
	}
	if (!rc)
		rc = walk_redirs(w, n, v);
	return rc;
}

int shell_walk(const struct shell_node *root, int (*cb)(const struct shell_visit *v, void *ctx), void *ctx)
{
	if (!root)
		return 0;
	struct walker w = { cb, ctx };
	struct shell_visit v = { 0 };
	return walk_node(&w, root, v);
}

/* ---- dump ---- */

static const char *const kind_names[] = {
	[SHELL_SIMPLE] = "command",     [SHELL_PIPELINE] = "pipeline", [SHELL_AND] = "and",
	[SHELL_OR] = "or",              [SHELL_SEQ] = "list",          [SHELL_BACKGROUND] = "background",
	[SHELL_SUBSHELL] = "subshell",  [SHELL_GROUP] = "group",       [SHELL_IF] = "if",
	[SHELL_WHILE] = "while",        [SHELL_UNTIL] = "until",       [SHELL_FOR] = "for",
	[SHELL_SELECT] = "select",      [SHELL_CASE] = "case",         [SHELL_FUNCDEF] = "function",
	[SHELL_ARITH_CMD] = "arith",    [SHELL_TEST_CMD] = "test",     [SHELL_NOT] = "not",
	[SHELL_COPROC] = "coproc",      [SHELL_TIME] = "time",
};

static const char *const redir_names[] = {
	[REDIR_IN] = "<",          [REDIR_OUT] = ">",          [REDIR_APPEND] = ">>",
	[REDIR_CLOBBER] = ">|",    [REDIR_INOUT] = "<>",       [REDIR_DUP_IN] = "<&",
	[REDIR_DUP_OUT] = ">&",    [REDIR_HEREDOC] = "<<",     [REDIR_HEREDOC_TAB] = "<<-",
	[REDIR_HERESTRING] = "<<<", [REDIR_OUT_ERR] = "&>",    [REDIR_APPEND_ERR] = "&>>",
};

static void dump_node(const struct shell_node *n, struct buf *out, unsigned ind, const char *label);

static void indent(struct buf *out, unsigned ind)
{
	for (unsigned i = 0; i < ind; i++)
		buf_addz(out, "  ");
}

static void dump_flags(unsigned f, struct buf *out)
{
	static const char *const names[] = { "quoted", "param", "cmdsubst", "arith", "glob", "tilde", "procsubst", "brace" };
	bool any = false;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		if (f & (1u << i)) {
			buf_addz(out, any ? "," : " [");
			buf_addz(out, names[i]);
			any = true;
		}
	}
	if (any)
		buf_addc(out, ']');
}

static void dump_substs(struct shell_node **s, size_t n, struct buf *out, unsigned ind)
{
	for (size_t i = 0; i < n; i++)
		dump_node(s[i], out, ind, "substitution");
}

static void dump_word(const char *label, const struct shell_word *w, struct buf *out, unsigned ind)
{
	indent(out, ind);
	buf_addz(out, label);
	buf_addc(out, ' ');
	buf_json_str(out, w->lit, w->lit_n);
	dump_flags(w->flags, out);
	buf_addc(out, '\n');
	dump_substs(w->subst, w->nsubst, out, ind + 1);
}

static void dump_redirs(const struct shell_node *n, struct buf *out, unsigned ind)
{
	for (size_t i = 0; i < n->nredirs; i++) {
		const struct shell_redir *r = &n->redirs[i];
		indent(out, ind);
		buf_addz(out, "redirect ");
		if (r->fd >= 0)
			buf_printf(out, "%d", r->fd);
		else if (r->fd_var)
			buf_printf(out, "{%s}", r->fd_var);
		buf_addz(out, redir_names[r->op]);
		buf_addc(out, ' ');
		buf_json_str(out, r->target.lit, r->target.lit_n);
		dump_flags(r->target.flags, out);
		if (r->op == REDIR_HEREDOC || r->op == REDIR_HEREDOC_TAB) {
			buf_printf(out, " body %s", r->body_quoted ? "(literal) " : "");
			buf_json_str(out, r->body, r->body_n);
		}
		buf_addc(out, '\n');
		dump_substs(r->target.subst, r->target.nsubst, out, ind + 1);
		dump_substs(r->subst, r->nsubst, out, ind + 1);
	}
}

/* "a && b || c": one line per operand, flattened along the left spine. */
static void dump_chain(const struct shell_node *n, struct buf *out, unsigned ind)
{
	size_t k = 0;
	const struct shell_node *c;
	for (c = n; c->kind == SHELL_AND || c->kind == SHELL_OR; c = c->kids[0])
		k++;
	indent(out, ind);
	buf_addz(out, "and-or\n");
	dump_node(c, out, ind + 1, NULL);
	/* right operands bottom-up, from the collected spine */
	const struct shell_node **spine = xmalloc(sizeof(*spine) * k);
	size_t i = 0;
	for (c = n; c->kind == SHELL_AND || c->kind == SHELL_OR; c = c->kids[0])
		spine[i++] = c;
	while (i-- > 0)
		dump_node(spine[i]->kids[1], out, ind + 1, spine[i]->kind == SHELL_AND ? "&&" : "||");
	free(spine);
}

static void dump_node(const struct shell_node *n, struct buf *out, unsigned ind, const char *label)
{
	if (n->kind == SHELL_AND || n->kind == SHELL_OR) {
		if (label) {
			indent(out, ind);
			buf_printf(out, "%s\n", label);
			ind++;
		}
		dump_chain(n, out, ind);
		return;
	}
	indent(out, ind);
	if (label)
		buf_printf(out, "%s ", label);
	buf_addz(out, kind_names[n->kind]);
	if (n->name) {
		buf_addc(out, ' ');
		buf_json_str(out, n->name, strlen(n->name));
	}
	buf_addc(out, '\n');
	switch (n->kind) {
	case SHELL_SIMPLE:
		for (size_t i = 0; i < n->nassigns; i++)
			dump_word("assign", &n->assigns[i], out, ind + 1);
		for (size_t i = 0; i < n->nwords; i++)
			dump_word("word", &n->words[i], out, ind + 1);
		break;
	case SHELL_PIPELINE:
		for (size_t i = 0; i < n->nkids; i++)
			dump_node(n->kids[i], out, ind + 1, i > 0 && n->pipe_stderr[i - 1] ? "|&" : i > 0 ? "|" : NULL);
		break;
	case SHELL_IF:
		for (size_t i = 0; i < n->nkids; i++) {
			const char *l = i + 1 == n->nkids && n->nkids % 2 ? "else" : i % 2 ? "then" : i ? "elif" : "cond";
			dump_node(n->kids[i], out, ind + 1, l);
		}
		break;
	case SHELL_WHILE:
	case SHELL_UNTIL:
		dump_node(n->kids[0], out, ind + 1, "cond");
		dump_node(n->kids[1], out, ind + 1, "do");
		break;
	case SHELL_CASE:
		dump_word("subject", &n->words[0], out, ind + 1);
		for (size_t i = 0; i < n->nkids; i++) {
			indent(out, ind + 1);
			buf_addz(out, "arm\n");
			for (size_t j = 0; j < n->arms[i].npatterns; j++)
				dump_word("pattern", &n->arms[i].patterns[j], out, ind + 2);
			if (n->kids[i])
				dump_node(n->kids[i], out, ind + 2, NULL);
		}
		break;
	default:
		for (size_t i = 0; i < n->nwords; i++)
			dump_word("word", &n->words[i], out, ind + 1);
		for (size_t i = 0; i < n->nkids; i++)
			if (n->kids[i])
				dump_node(n->kids[i], out, ind + 1, NULL);
		break;
	}
	dump_redirs(n, out, ind + 1);
}

void shell_dump(const struct shell_node *root, struct buf *out)
{
	if (root)
		dump_node(root, out, 0, NULL);
}

/* ---- JSON ---- */

static void json_node(const struct shell_node *n, struct buf *out);

static void json_key(struct buf *out, const char *key)
{
	buf_printf(out, ",\"%s\":", key);
}

static void json_strz(struct buf *out, const char *s)
{
	buf_json_str(out, s, strlen(s));
}

static void json_substs(struct shell_node **s, size_t n, struct buf *out)
{
	buf_addc(out, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_addc(out, ',');
		json_node(s[i], out);
	}
	buf_addc(out, ']');
}

static void json_word(const struct shell_word *w, struct buf *out)
{
	static const char *const names[] = { "quoted", "param", "cmdsubst", "arith", "glob", "tilde", "procsubst", "brace" };
	buf_addz(out, "{\"value\":");
	buf_json_str(out, w->lit, w->lit_n);
	json_key(out, "raw");
	buf_json_str(out, w->raw.p, w->raw.n);
	json_key(out, "flags");
	buf_addc(out, '[');
	bool any = false;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		if (w->flags & (1u << i)) {
			if (any)
				buf_addc(out, ',');
			json_strz(out, names[i]);
			any = true;
		}
	}
	buf_addc(out, ']');
	if (w->nsubst) {
		json_key(out, "substitutions");
		json_substs(w->subst, w->nsubst, out);
	}
	buf_addc(out, '}');
}

static void json_words(const char *key, const struct shell_word *w, size_t n, struct buf *out)
{
	json_key(out, key);
	buf_addc(out, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_addc(out, ',');
		json_word(&w[i], out);
	}
	buf_addc(out, ']');
}

static void json_redirs(const struct shell_node *n, struct buf *out)
{
	if (!n->nredirs)
		return;
	json_key(out, "redirections");
	buf_addc(out, '[');
	for (size_t i = 0; i < n->nredirs; i++) {
		const struct shell_redir *r = &n->redirs[i];
		if (i)
			buf_addc(out, ',');
		buf_addz(out, "{\"op\":");
		json_strz(out, redir_names[r->op]);
		if (r->fd >= 0)
			buf_printf(out, ",\"fd\":%d", r->fd);
		if (r->fd_var) {
			json_key(out, "fd_var");
			json_strz(out, r->fd_var);
		}
		json_key(out, "target");
		json_word(&r->target, out);
		if (r->op == REDIR_HEREDOC || r->op == REDIR_HEREDOC_TAB) {
			json_key(out, "body");
			buf_json_str(out, r->body, r->body_n);
			buf_printf(out, ",\"body_literal\":%s", r->body_quoted ? "true" : "false");
			if (r->nsubst) {
				json_key(out, "body_substitutions");
				json_substs(r->subst, r->nsubst, out);
			}
		}
		buf_addc(out, '}');
	}
	buf_addc(out, ']');
}

static void json_kids(const char *key, struct shell_node **kids, size_t n, struct buf *out)
{
	json_key(out, key);
	buf_addc(out, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_addc(out, ',');
		if (kids[i])
			json_node(kids[i], out);
		else
			buf_addz(out, "null");
	}
	buf_addc(out, ']');
}

static void json_node(const struct shell_node *n, struct buf *out)
{
	if (n->kind == SHELL_AND || n->kind == SHELL_OR) {
		/* flattened like the dump: items[0] ops[0] items[1] ops[1] items[2] ... */
		size_t k = 0;
		const struct shell_node *c;
		for (c = n; c->kind == SHELL_AND || c->kind == SHELL_OR; c = c->kids[0])
			k++;
		const struct shell_node **spine = xmalloc(sizeof(*spine) * k);
		size_t i = 0;
		for (c = n; c->kind == SHELL_AND || c->kind == SHELL_OR; c = c->kids[0])
			spine[i++] = c;
		buf_addz(out, "{\"kind\":\"and-or\",\"src\":");
		buf_json_str(out, n->src.p, n->src.n);
		buf_addz(out, ",\"items\":[");
		json_node(c, out);
		for (i = k; i-- > 0;) {
			buf_addc(out, ',');
			json_node(spine[i]->kids[1], out);
		}
		buf_addz(out, "],\"ops\":[");
		for (i = k; i-- > 0;)
			buf_printf(out, "%s\"%s\"", i + 1 == k ? "" : ",", spine[i]->kind == SHELL_AND ? "&&" : "||");
		buf_addz(out, "]}");
		free(spine);
		return;
	}
	buf_addz(out, "{\"kind\":");
	json_strz(out, kind_names[n->kind]);
	json_key(out, "src");
	buf_json_str(out, n->src.p, n->src.n);
	if (n->name) {
		json_key(out, "name");
		json_strz(out, n->name);
	}
	if (n->kind == SHELL_SIMPLE)
		json_words("assignments", n->assigns, n->nassigns, out);
	if (n->kind == SHELL_SIMPLE || n->nwords)
		json_words("words", n->words, n->nwords, out);
	if (n->kind == SHELL_PIPELINE) {
		json_key(out, "stderr_piped");
		buf_addc(out, '[');
		for (size_t i = 0; i + 1 < n->nkids; i++)
			buf_printf(out, "%s%s", i ? "," : "", n->pipe_stderr[i] ? "true" : "false");
		buf_addc(out, ']');
	}
	if (n->kind == SHELL_CASE) {
		json_key(out, "arms");
		buf_addc(out, '[');
		for (size_t i = 0; i < n->nkids; i++) {
			if (i)
				buf_addc(out, ',');
			buf_printf(out, "{\"arm\":%zu", i);
			json_words("patterns", n->arms[i].patterns, n->arms[i].npatterns, out);
			json_key(out, "body");
			if (n->kids[i])
				json_node(n->kids[i], out);
			else
				buf_addz(out, "null");
			buf_addc(out, '}');
		}
		buf_addc(out, ']');
	} else if (n->nkids || n->kind == SHELL_SEQ) {
		json_kids("kids", n->kids, n->nkids, out);
	}
	json_redirs(n, out);
	buf_addc(out, '}');
}

void shell_dump_json(const struct shell_node *root, struct buf *out)
{
	if (root)
		json_node(root, out);
	else
		buf_addz(out, "null");
}
