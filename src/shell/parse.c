/*
 * parse.c: the shell parser (POSIX sh plus the bash syntax agents use).
 *
 * One recursive-descent pass straight over the characters: shell lexing
 * depends on where the parser is (keywords only in command position, "(" in
 * "a=(x)" versus "f()", "<" inside [[ ]]), so there is no separate token
 * stream. Command and process substitutions are parsed in place by the same
 * parser, which is what lets a heredoc inside "$( )" read its body; the
 * insides of backquotes and of unquoted heredoc bodies are unescaped into a
 * copy and parsed by a child parser that shares the arena and the limits.
 *
 * Invariants: every recursion that can nest without bound goes through
 * enter()/leave() (depth cap); every node (new_node) and every word (lex_word)
 * counts against the node cap; after the first error the shared "failed"
 * flag is set, nothing else is parsed and the first message wins. Word
 * values are built on one scratch stack shared by all parsers of a call (a
 * nested word pushes above its parent and pops back before the parent
 * continues), then copied once into the arena: there is no allocation per
 * character. Everything returned lives in the arena, including a copy of
 * the input that the struct str spans point into.
 *
 * Written by hand: it is the guard's core, and no C library parses bash
 * (bash's own parser is not a library; tree-sitter-bash gives a syntax tree
 * without quote removal and would add a runtime to the hook's start-up).
 */
#include "shell/shell.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define DEF_MAX_INPUT ((size_t)4 << 20)
#define DEF_MAX_DEPTH 256u
#define DEF_MAX_NODES ((size_t)200000)

/* State shared by a parser and its children (backquotes, heredoc bodies). */
struct shared {
	size_t nodes, max_nodes;
	size_t prescan_left; /* see arith_closes */
	unsigned max_depth;
	char *sb; /* scratch stack for word values */
	size_t sb_n, sb_cap;
	struct err *e;
	bool failed;
};

/*
 * A heredoc whose body comes after the next newline. While its command is
 * still being parsed the redirection lives in a growing vec that may move,
 * so it is named by (vec, index); finish_redirs turns that into a pointer
 * into the final array once the vec stops growing.
 */
struct pending_hd {
	struct vec *v;
	size_t idx;
	struct shell_redir *r;
	bool strip_tabs;
};

struct parser {
	struct arena *a;
	const char *s;
	size_t n, pos;
	unsigned depth;
	struct shared *sh;
	struct parser *parent; /* for children: where their text came from */
	size_t origin;         /* where the child's text begins in the parent */
	const char *what;      /* "backquoted command", "here-document" */
	struct pending_hd *hd;
	size_t nhd, hdcap;
	unsigned long hd_reads; /* how many times pending bodies were read */
	size_t ws_from, ws_to; /* the last run of blanks skipped, to end spans before it */
};

/*
 * A growing array for the parts of a node being built. The first elements
 * live in the vec itself, on the parser's C stack; vec_done then copies
 * exactly n of them into the arena, so the tree carries no slack for the
 * usual small lists. Longer lists move to the arena and stay there. Never
 * copy a vec by value: p may point into it.
 */
#define VEC_INLINE 256
struct vec {
	void *p;
	size_t n, cap;
	union {
		max_align_t align;
		unsigned char bytes[VEC_INLINE];
	} inl;
};

struct wbuild {
	size_t base; /* start of this word's value on the scratch stack */
	unsigned flags;
	struct vec subst;
	int brace_depth;
	bool brace_sep;
	bool bracket; /* an unquoted '[' was seen */
};

enum lex_mode {
	LEX_PLAIN = 0,
	LEX_ASSIGN = 1, /* "NAME=(" starts an array */
	LEX_REGEX = 2,  /* right of =~ in [[ ]]: ( ) | are part of the word */
};

static struct shell_node *parse_list(struct parser *p);
static struct shell_node *parse_command(struct parser *p);
static struct shell_node *parse_pipeline(struct parser *p);
static int lex_word(struct parser *p, struct shell_word *w, int mode);
static int lex_dollar(struct parser *p, struct wbuild *wb, bool in_dq);
static int lex_backtick(struct parser *p, struct wbuild *wb, bool in_dq);
static int lex_dq(struct parser *p, struct wbuild *wb, size_t open);
static void read_heredocs(struct parser *p);

/* ---- errors and limits ---- */

static void locate(const struct parser *p, size_t pos, unsigned long *line, unsigned long *col)
{
	unsigned long l = 1, c = 1;
	if (pos > p->n)
		pos = p->n;
	for (size_t i = 0; i < pos; i++) {
		if (p->s[i] == '\n') {
			l++;
			c = 1;
		} else {
			c++;
		}
	}
	*line = l;
	*col = c;
}

BW_PRINTF(3, 4) static int fail(struct parser *p, size_t pos, const char *fmt, ...)
{
	struct shared *sh = p->sh;
	if (sh->failed)
		return -1;
	sh->failed = true;
	char msg[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/*
	 * A child's text is a copy that begins at its origin in the parent and
	 * differs only by removed backslashes or tabs: mapping offsets across
	 * is close enough to point the user at the right place.
	 */
	const struct parser *at = p;
	const char *what = p->what;
	while (at->parent) {
		pos += at->origin;
		at = at->parent;
		if (pos > at->n)
			pos = at->n;
	}
	unsigned long line, col;
	locate(at, pos, &line, &col);
	if (what)
		err_set(sh->e, "line %lu, column %lu: %s (in a %s)", line, col, msg, what);
	else
		err_set(sh->e, "line %lu, column %lu: %s", line, col, msg);
	return -1;
}

static bool failed(const struct parser *p)
{
	return p->sh->failed;
}

static int enter(struct parser *p)
{
	if (failed(p))
		return -1;
	if (++p->depth > p->sh->max_depth)
		return fail(p, p->pos, "nesting too deep (more than %u levels)", p->sh->max_depth);
	return 0;
}

static void leave(struct parser *p)
{
	p->depth--;
}

static struct shell_node *new_node(struct parser *p, enum shell_kind kind, size_t start)
{
	if (failed(p))
		return NULL;
	if (++p->sh->nodes > p->sh->max_nodes) {
		fail(p, start, "too many words and commands (more than %zu)", p->sh->max_nodes);
		return NULL;
	}
	struct shell_node *nd = arena_new_obj(p->a, struct shell_node);
	nd->kind = kind;
	nd->src = str_make(p->s + start, 0);
	return nd;
}

static void end_node(struct parser *p, struct shell_node *nd, size_t start)
{
	size_t end = p->pos == p->ws_to && p->ws_from >= start ? p->ws_from : p->pos;
	nd->src = str_make(p->s + start, end - start);
}

/* ---- small containers ---- */

static void *vec_push(struct parser *p, struct vec *v, size_t sz)
{
	if (!v->p) {
		v->p = v->inl.bytes;
		v->cap = VEC_INLINE / sz;
	}
	if (v->n == v->cap) {
		size_t nc = v->cap ? v->cap * 2 : 4;
		v->p = arena_grow(p->a, v->p, v->n, nc, sz);
		v->cap = nc;
	}
	void *slot = (char *)v->p + sz * v->n++;
	memset(slot, 0, sz);
	return slot;
}

static void push_node(struct parser *p, struct vec *v, struct shell_node *nd)
{
	*(struct shell_node **)vec_push(p, v, sizeof(nd)) = nd;
}

/* Only the header: zeroing the inline bytes for every word would cost more than the parse. */
static void vec_init(struct vec *v)
{
	v->p = NULL;
	v->n = v->cap = 0;
}

/* The finished array: an exact copy of inline elements, or the arena block they moved to. */
static void *vec_done(struct parser *p, struct vec *v, size_t sz)
{
	if (v->n == 0)
		return NULL;
	if (v->p != (void *)v->inl.bytes)
		return v->p;
	void *out = arena_alloc(p->a, v->n * sz);
	memcpy(out, v->p, v->n * sz);
	return out;
}

static void sb_reserve(struct parser *p, size_t more)
{
	struct shared *sh = p->sh;
	if (sh->sb_cap - sh->sb_n >= more)
		return;
	size_t nc = sh->sb_cap ? sh->sb_cap : 256;
	while (nc - sh->sb_n < more)
		nc *= 2;
	sh->sb = arena_grow(p->a, sh->sb, sh->sb_n, nc, 1);
	sh->sb_cap = nc;
}

static void sb_putc(struct parser *p, char c)
{
	struct shared *sh = p->sh;
	if (sh->sb_n == sh->sb_cap)
		sb_reserve(p, 1);
	sh->sb[sh->sb_n++] = c;
}

static void sb_put(struct parser *p, const char *s, size_t n)
{
	sb_reserve(p, n);
	memcpy(p->sh->sb + p->sh->sb_n, s, n);
	p->sh->sb_n += n;
}

/* ---- characters ---- */

static int ch(const struct parser *p, size_t k)
{
	return p->pos + k < p->n ? (unsigned char)p->s[p->pos + k] : -1;
}

static bool is_blank(int c)
{
	return c == ' ' || c == '\t';
}

/* Characters that end an unquoted word. */
static bool is_meta(int c)
{
	return c < 0 || c == ' ' || c == '\t' || c == '\n' || c == ';' || c == '&' || c == '|' ||
	       c == '(' || c == ')' || c == '<' || c == '>';
}

static bool is_name_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_name_char(int c)
{
	return is_name_start(c) || (c >= '0' && c <= '9');
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* Blanks, line continuations and comments; stops at a newline. */
static void skip_blanks(struct parser *p)
{
	size_t from = p->pos;
	for (;;) {
		int c = ch(p, 0);
		if (is_blank(c)) {
			p->pos++;
		} else if (c == '\\' && ch(p, 1) == '\n') {
			p->pos += 2;
		} else if (c == '#') {
			const char *nl = memchr(p->s + p->pos, '\n', p->n - p->pos);
			p->pos = nl ? (size_t)(nl - p->s) : p->n;
		} else {
			if (p->pos != from) {
				p->ws_from = from;
				p->ws_to = p->pos;
			}
			return;
		}
	}
}

/* Blanks, comments and newlines; reads pending heredoc bodies at each newline. */
static void linebreak(struct parser *p)
{
	for (;;) {
		skip_blanks(p);
		if (ch(p, 0) != '\n' || failed(p))
			return;
		p->pos++;
		if (p->nhd)
			read_heredocs(p);
	}
}

/* Is the reserved word kw at pos (a whole word, unquoted)? */
static bool kw_at(const struct parser *p, const char *kw)
{
	if (p->pos >= p->n || p->s[p->pos] != kw[0])
		return false; /* the common case, cheaply */
	size_t n = strlen(kw);
	if (p->n - p->pos < n || memcmp(p->s + p->pos, kw, n) != 0)
		return false;
	int c = p->pos + n < p->n ? (unsigned char)p->s[p->pos + n] : -1;
	if (kw[0] == '{' || kw[0] == '!' || (kw[0] == '[' && kw[1] == '['))
		return c < 0 || is_blank(c) || c == '\n';
	return is_meta(c);
}

/* Does the list being parsed end here (so the caller's keyword or bracket follows)? */
static bool at_list_end(const struct parser *p)
{
	int c = ch(p, 0);
	if (c < 0 || c == ')')
		return true;
	if (c == ';')
		return ch(p, 1) == ';' || ch(p, 1) == '&';
	static const char *const stops[] = { "then", "elif", "else", "fi", "do", "done", "esac", "}" };
	if (c != 't' && c != 'e' && c != 'f' && c != 'd' && c != '}')
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(stops); i++)
		if (kw_at(p, stops[i]))
			return true;
	return false;
}

/* A short printable description of what is at pos, for messages. */
static const char *describe(struct parser *p, size_t pos, char *buf, size_t cap)
{
	if (pos >= p->n)
		return "end of input";
	if (p->s[pos] == '\n')
		return "newline";
	size_t e = pos;
	if (is_meta((unsigned char)p->s[pos])) {
		while (e < p->n && e - pos < 3 && strchr(";&|()<>", p->s[e]))
			e++;
	} else {
		while (e < p->n && e - pos < 20 && !is_meta((unsigned char)p->s[e]))
			e++;
	}
	if (e == pos)
		e = pos + 1;
	size_t k = 0;
	buf[k++] = '\'';
	for (size_t i = pos; i < e && k + 2 < cap; i++)
		buf[k++] = (p->s[i] >= 0x20 && p->s[i] < 0x7f) ? p->s[i] : '?';
	buf[k++] = '\'';
	buf[k] = '\0';
	return buf;
}

static int fail_unexpected(struct parser *p, const char *context)
{
	char d[32];
	return fail(p, p->pos, "syntax error: unexpected %s%s", describe(p, p->pos, d, sizeof(d)), context);
}

/* ---- words ---- */

static void wb_init(struct parser *p, struct wbuild *wb)
{
	wb->base = p->sh->sb_n;
	wb->flags = 0;
	vec_init(&wb->subst);
	wb->brace_depth = 0;
	wb->brace_sep = false;
	wb->bracket = false;
}

static void wb_subst(struct parser *p, struct wbuild *wb, struct shell_node *nd)
{
	if (nd)
		push_node(p, &wb->subst, nd);
}

/* Copies the built value into w and pops it off the scratch stack. */
static void wb_finish(struct parser *p, struct wbuild *wb, struct shell_word *w, size_t start)
{
	struct shared *sh = p->sh;
	w->raw = str_make(p->s + start, p->pos - start);
	w->lit_n = sh->sb_n - wb->base;
	w->lit = arena_strndup(p->a, sh->sb + wb->base, w->lit_n);
	w->flags = wb->flags;
	w->subst = vec_done(p, &wb->subst, sizeof(struct shell_node *));
	w->nsubst = wb->subst.n;
	sh->sb_n = wb->base;
}

static void put_utf8(struct parser *p, unsigned long cp)
{
	if (cp > 0x10FFFF)
		cp = 0xFFFD;
	if (cp < 0x80) {
		sb_putc(p, (char)cp);
	} else if (cp < 0x800) {
		sb_putc(p, (char)(0xC0 | (cp >> 6)));
		sb_putc(p, (char)(0x80 | (cp & 0x3F)));
	} else if (cp < 0x10000) {
		sb_putc(p, (char)(0xE0 | (cp >> 12)));
		sb_putc(p, (char)(0x80 | ((cp >> 6) & 0x3F)));
		sb_putc(p, (char)(0x80 | (cp & 0x3F)));
	} else {
		sb_putc(p, (char)(0xF0 | (cp >> 18)));
		sb_putc(p, (char)(0x80 | ((cp >> 12) & 0x3F)));
		sb_putc(p, (char)(0x80 | ((cp >> 6) & 0x3F)));
		sb_putc(p, (char)(0x80 | (cp & 0x3F)));
	}
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* $'...' with bash's ANSI-C escapes; pos at '$'. */
static int lex_ansi_c(struct parser *p)
{
	size_t open = p->pos;
	p->pos += 2;
	for (;;) {
		int c = ch(p, 0);
		if (c < 0)
			return fail(p, open, "unterminated $'...' quote");
		p->pos++;
		if (c == '\'')
			return 0;
		if (c != '\\') {
			sb_putc(p, (char)c);
			continue;
		}
		int d = ch(p, 0);
		if (d < 0)
			return fail(p, open, "unterminated $'...' quote");
		p->pos++;
		switch (d) {
		case 'a': sb_putc(p, '\a'); break;
		case 'b': sb_putc(p, '\b'); break;
		case 'e': case 'E': sb_putc(p, 27); break;
		case 'f': sb_putc(p, '\f'); break;
		case 'n': sb_putc(p, '\n'); break;
		case 'r': sb_putc(p, '\r'); break;
		case 't': sb_putc(p, '\t'); break;
		case 'v': sb_putc(p, '\v'); break;
		case '\\': case '\'': case '"': case '?': sb_putc(p, (char)d); break;
		case 'c': {
			int x = ch(p, 0);
			if (x < 0 || x == '\'') { /* bash keeps a \c that ends the string */
				sb_putc(p, '\\');
				sb_putc(p, 'c');
				break;
			}
			p->pos++;
			sb_putc(p, x == '?' ? (char)0x7f : (char)(x & 0x1f)); /* \c? is DEL, as in bash */
			break;
		}
		case 'x': case 'u': case 'U': {
			int maxd = d == 'x' ? 2 : d == 'u' ? 4 : 8, k = 0;
			unsigned long v = 0;
			while (k < maxd && hexval(ch(p, 0)) >= 0) {
				v = v * 16 + (unsigned long)hexval(ch(p, 0));
				p->pos++;
				k++;
			}
			if (k == 0) {
				sb_putc(p, '\\');
				sb_putc(p, (char)d);
			} else if (d == 'x') {
				sb_putc(p, (char)v);
			} else {
				put_utf8(p, v);
			}
			break;
		}
		default:
			if (d >= '0' && d <= '7') {
				unsigned v = (unsigned)(d - '0');
				for (int k = 0; k < 2 && ch(p, 0) >= '0' && ch(p, 0) <= '7'; k++)
					v = v * 8 + (unsigned)(ch(p, 0) - '0'), p->pos++;
				sb_putc(p, (char)(v & 0xff));
			} else {
				sb_putc(p, '\\');
				sb_putc(p, (char)d);
			}
		}
	}
}

/* Skips a '...' quote without keeping it (inside ${...} and $((...))). */
static int skip_squote(struct parser *p)
{
	size_t open = p->pos++;
	const char *q = memchr(p->s + p->pos, '\'', p->n - p->pos);
	if (!q)
		return fail(p, open, "unterminated single quote");
	p->pos = (size_t)(q - p->s) + 1;
	return 0;
}

/*
 * A child parser over a separate text (backquote contents, a heredoc body),
 * sharing the arena, the limits and the scratch stack.
 */
static void child_init(struct parser *c, struct parser *p, const char *s, size_t n, size_t origin,
		       const char *what)
{
	memset(c, 0, sizeof(*c));
	c->a = p->a;
	c->s = s;
	c->n = n;
	c->depth = p->depth;
	c->sh = p->sh;
	c->parent = p;
	c->origin = origin;
	c->what = what;
}

/* $( list ) or <( list ) or >( list ); pos after the '('. Returns the list. */
static struct shell_node *parse_paren_subst(struct parser *p, size_t open, const char *what)
{
	if (enter(p) < 0)
		return NULL;
	struct shell_node *list = parse_list(p);
	leave(p);
	if (!list)
		return NULL;
	if (ch(p, 0) != ')') {
		if (ch(p, 0) < 0)
			fail(p, open, "unterminated %s: expected ')'", what);
		else
			fail_unexpected(p, what[0] == 'p' ? " inside a process substitution" : " inside $( )");
		return NULL;
	}
	p->pos++;
	return list;
}

/*
 * Would "((" at pos close as "))"? Decides between $(( arithmetic )) and
 * $( (subshell) ), as bash does, by counting parentheses outside quotes.
 * Nested "$((" scan overlapping text again, so all scans of one parse share
 * a budget linear in the input; past it "((" is taken as arithmetic, which
 * at worst turns a rare "$((a) )" into a syntax error, never into hidden text.
 */
static bool arith_closes(struct parser *p, size_t pos)
{
	size_t budget = p->sh->prescan_left;
	size_t end = p->n - pos > budget ? pos + budget : p->n; /* scan at most the budget */
	long depth = 0;
	int verdict = -1; /* -1: ran out of text */
	size_t i;
	for (i = pos; i < end && verdict < 0; i++) {
		char c = p->s[i];
		if (c == '\\') {
			i++;
		} else if (c == '\'') {
			const char *q = memchr(p->s + i + 1, '\'', end - i - 1);
			i = q ? (size_t)(q - p->s) : end;
		} else if (c == '"') {
			for (i++; i < end && p->s[i] != '"'; i++)
				if (p->s[i] == '\\')
					i++;
		} else if (c == '(') {
			depth++;
		} else if (c == ')') {
			if (depth > 0)
				depth--;
			else
				verdict = i + 1 < p->n && p->s[i + 1] == ')';
		}
	}
	size_t used = (i > end ? end : i) - pos;
	p->sh->prescan_left = budget - used;
	if (verdict >= 0)
		return verdict;
	return end < p->n; /* out of budget: assume arithmetic; out of text: it does not close */
}

/*
 * Steps over one unit inside a balanced construct ((( )), ${ }, an extended
 * glob): a backslash pair, a quoted string, an expansion (parsing the
 * substitutions it holds), or one plain byte. Single quotes quote only
 * outside double quotes. Returns 0 or -1.
 */
static int lex_inner_unit(struct parser *p, struct wbuild *wb, int c, bool in_dq)
{
	switch (c) {
	case '\\':
		p->pos += ch(p, 1) < 0 ? 1 : 2;
		return 0;
	case '\'':
		if (in_dq)
			break;
		return skip_squote(p) < 0 ? -1 : 0;
	case '"': {
		size_t o = p->pos++;
		return lex_dq(p, wb, o) < 0 ? -1 : 0;
	}
	case '$':
		return lex_dollar(p, wb, in_dq) < 0 ? -1 : 0;
	case '`':
		return lex_backtick(p, wb, in_dq) < 0 ? -1 : 0;
	}
	p->pos++;
	return 0;
}

/*
 * The inside of (( )) / $(( )) / for (( ; ; )): stops before the "))" that
 * closes it (or before a ';' at depth 0 when semi is set). Parses command
 * substitutions inside; the value is the source text.
 */
static int lex_arith_body(struct parser *p, struct wbuild *wb, size_t open, bool semi)
{
	long depth = 0;
	for (;;) {
		int c = ch(p, 0);
		if (c < 0)
			return fail(p, open, "unterminated arithmetic expression: expected '))'");
		if (c == ')') {
			if (depth == 0)
				return 0;
			depth--;
			p->pos++;
		} else if (c == '(') {
			depth++;
			p->pos++;
		} else if (c == ';' && semi && depth == 0) {
			return 0;
		} else if (lex_inner_unit(p, wb, c, false) < 0) {
			return -1;
		}
	}
}

/* ${ ... }; pos at '$'. */
static int lex_braced(struct parser *p, struct wbuild *wb, bool in_dq)
{
	size_t open = p->pos;
	p->pos += 2;
	if (enter(p) < 0)
		return -1;
	int rc = 0;
	for (;;) {
		int c = ch(p, 0);
		if (c < 0) {
			rc = fail(p, open, "unterminated ${...}: expected '}'");
			break;
		}
		if (c == '}') {
			p->pos++;
			break;
		}
		if ((rc = lex_inner_unit(p, wb, c, in_dq)) < 0)
			break;
	}
	leave(p);
	return rc;
}

/*
 * Any $-expansion at pos ('$' there). Appends its source text to the value
 * (whatever the helpers pushed is popped first), sets flags and attaches
 * parsed substitutions to wb.
 */
static int lex_dollar(struct parser *p, struct wbuild *wb, bool in_dq)
{
	size_t start = p->pos, mark = p->sh->sb_n;
	int d = ch(p, 1);
	int rc = 0;
	if (d == '(' && ch(p, 2) == '(' && arith_closes(p, start + 3)) {
		wb->flags |= WORD_ARITH;
		p->pos += 3;
		if (enter(p) < 0)
			return -1;
		rc = lex_arith_body(p, wb, start, false);
		leave(p);
		if (rc == 0)
			p->pos += 2;
	} else if (d == '(') {
		wb->flags |= WORD_CMDSUBST;
		p->pos += 2;
		struct shell_node *list = parse_paren_subst(p, start, "command substitution $( )");
		if (!list)
			return -1;
		list->src = str_make(p->s + start, p->pos - start);
		wb_subst(p, wb, list);
	} else if (d == '{') {
		wb->flags |= WORD_PARAM;
		rc = lex_braced(p, wb, in_dq);
	} else if (d == '[') {
		/* $[ expr ]: the obsolete arithmetic form */
		wb->flags |= WORD_ARITH;
		const char *q = memchr(p->s + start, ']', p->n - start);
		if (!q)
			return fail(p, start, "unterminated $[...]: expected ']'");
		p->pos = (size_t)(q - p->s) + 1;
	} else if (is_name_start(d)) {
		wb->flags |= WORD_PARAM;
		p->pos++;
		while (is_name_char(ch(p, 0)))
			p->pos++;
	} else if (is_digit(d) || (d >= 0 && strchr("@*#?-$!", d))) {
		wb->flags |= WORD_PARAM;
		p->pos += 2;
	} else {
		p->pos++; /* a lone '$' is literal */
	}
	if (rc < 0)
		return -1;
	p->sh->sb_n = mark;
	sb_put(p, p->s + start, p->pos - start);
	return 0;
}

/* `...`; pos at the backquote. The contents are unescaped and parsed by a child. */
static int lex_backtick(struct parser *p, struct wbuild *wb, bool in_dq)
{
	size_t start = p->pos, mark = p->sh->sb_n;
	p->pos++;
	for (;;) {
		int c = ch(p, 0);
		if (c < 0)
			return fail(p, start, "unterminated backquote: expected '`'");
		p->pos++;
		if (c == '`')
			break;
		if (c == '\\') {
			int d = ch(p, 0);
			if (d == '$' || d == '`' || d == '\\' || (in_dq && d == '"')) {
				sb_putc(p, (char)d);
				p->pos++;
				continue;
			}
			if (d == '\n') {
				p->pos++;
				continue;
			}
		}
		sb_putc(p, (char)c);
	}
	wb->flags |= WORD_CMDSUBST;
	size_t len = p->sh->sb_n - mark;
	char *inner = arena_strndup(p->a, p->sh->sb + mark, len);
	p->sh->sb_n = mark;
	struct parser c;
	child_init(&c, p, inner, len, start + 1, "backquoted command");
	if (enter(&c) < 0)
		return -1;
	struct shell_node *list = parse_list(&c);
	if (list && !failed(&c) && c.pos < c.n) {
		fail_unexpected(&c, "");
		list = NULL;
	}
	if (list && c.nhd)
		read_heredocs(&c);
	if (!list || failed(&c))
		return -1;
	list->src = str_make(p->s + start, p->pos - start);
	wb_subst(p, wb, list);
	sb_put(p, p->s + start, p->pos - start);
	return 0;
}

/* Inside "..." (pos after the opening quote, open = its position). */
static int lex_dq(struct parser *p, struct wbuild *wb, size_t open)
{
	for (;;) {
		int c = ch(p, 0);
		if (c < 0)
			return fail(p, open, "unterminated double quote");
		if (c == '"') {
			p->pos++;
			return 0;
		}
		if (c == '\\') {
			int d = ch(p, 1);
			if (d == '\n') {
				p->pos += 2;
			} else if (d == '$' || d == '`' || d == '"' || d == '\\') {
				sb_putc(p, (char)d);
				p->pos += 2;
			} else {
				sb_putc(p, '\\');
				p->pos++;
			}
		} else if (c == '$') {
			if (lex_dollar(p, wb, true) < 0)
				return -1;
		} else if (c == '`') {
			if (lex_backtick(p, wb, true) < 0)
				return -1;
		} else {
			sb_putc(p, (char)c);
			p->pos++;
		}
	}
}

/* Balanced (...) of an extended glob such as @(a|b); pos at the '('. */
static int lex_extglob(struct parser *p, struct wbuild *wb)
{
	size_t open = p->pos, start = p->pos, mark = p->sh->sb_n;
	long depth = 0;
	for (;;) {
		int c = ch(p, 0);
		if (c < 0)
			return fail(p, open, "unterminated pattern: expected ')'");
		if (c == '(') {
			depth++;
			p->pos++;
		} else if (c == ')') {
			p->pos++;
			if (--depth == 0)
				break;
		} else if (lex_inner_unit(p, wb, c, false) < 0) {
			return -1;
		}
	}
	p->sh->sb_n = mark;
	sb_put(p, p->s + start, p->pos - start);
	wb->flags |= WORD_GLOB;
	return 0;
}

/* Is raw text [start, pos) an assignment prefix "NAME=" / "NAME+=" / "NAME[...]="? */
static bool assign_prefix(const char *s, size_t n, size_t *name_end)
{
	if (n == 0 || !is_name_start((unsigned char)s[0]))
		return false;
	size_t i = 1;
	while (i < n && is_name_char((unsigned char)s[i]))
		i++;
	if (name_end)
		*name_end = i;
	if (i < n && s[i] == '[') {
		while (i < n && s[i] != ']')
			i++;
		if (i == n)
			return false;
		i++;
	}
	if (i < n && s[i] == '+')
		i++;
	return i < n && s[i] == '=';
}

/* a=(x y z): pos at '('. The value becomes "(x y z)" from the elements' values. */
static int lex_array(struct parser *p, struct wbuild *wb)
{
	size_t open = p->pos++;
	if (enter(p) < 0)
		return -1;
	sb_putc(p, '(');
	bool first = true;
	for (;;) {
		linebreak(p);
		if (failed(p))
			return -1;
		int c = ch(p, 0);
		if (c == ')') {
			p->pos++;
			break;
		}
		if (c < 0) {
			leave(p);
			return fail(p, open, "unterminated array assignment: expected ')'");
		}
		struct shell_word el;
		int r = lex_word(p, &el, LEX_PLAIN);
		if (r < 0)
			return -1;
		if (r == 0) {
			leave(p);
			return fail_unexpected(p, " in an array assignment");
		}
		if (!first)
			sb_putc(p, ' ');
		first = false;
		sb_put(p, el.lit, el.lit_n);
		wb->flags |= el.flags;
		for (size_t i = 0; i < el.nsubst; i++)
			wb_subst(p, wb, el.subst[i]);
	}
	sb_putc(p, ')');
	leave(p);
	return 0;
}

/*
 * One word at pos. Returns 1 with *w filled, 0 when no word starts here
 * (an operator or the end), -1 on error.
 */
static int lex_word(struct parser *p, struct shell_word *w, int mode)
{
	struct wbuild wb;
	wb_init(p, &wb);
	size_t start = p->pos;
	long rparen = 0;
	memset(w, 0, sizeof(*w));
	for (;;) {
		int c = ch(p, 0);
		if (c < 0)
			break;
		if (c == '\\') {
			int d = ch(p, 1);
			if (d == '\n') {
				p->pos += 2;
			} else if (d < 0) {
				sb_putc(p, '\\');
				p->pos++;
			} else {
				sb_putc(p, (char)d);
				wb.flags |= WORD_QUOTED;
				p->pos += 2;
			}
			continue;
		}
		if (c == '\'') {
			size_t open = p->pos++;
			const char *q = memchr(p->s + p->pos, '\'', p->n - p->pos);
			if (!q)
				return fail(p, open, "unterminated single quote");
			sb_put(p, p->s + p->pos, (size_t)(q - (p->s + p->pos)));
			p->pos = (size_t)(q - p->s) + 1;
			wb.flags |= WORD_QUOTED;
			continue;
		}
		if (c == '"') {
			size_t open = p->pos++;
			wb.flags |= WORD_QUOTED;
			if (lex_dq(p, &wb, open) < 0)
				return -1;
			continue;
		}
		if (c == '$') {
			int d = ch(p, 1);
			if (d == '\'') {
				wb.flags |= WORD_QUOTED;
				if (lex_ansi_c(p) < 0)
					return -1;
			} else if (d == '"') {
				size_t open = ++p->pos;
				p->pos++;
				wb.flags |= WORD_QUOTED;
				if (lex_dq(p, &wb, open) < 0)
					return -1;
			} else if (lex_dollar(p, &wb, false) < 0) {
				return -1;
			}
			continue;
		}
		if (c == '`') {
			if (lex_backtick(p, &wb, false) < 0)
				return -1;
			continue;
		}
		if (mode == LEX_REGEX) {
			if (c == '(') {
				rparen++;
				sb_putc(p, '(');
				p->pos++;
				continue;
			}
			if (c == ')' && rparen > 0) {
				rparen--;
				sb_putc(p, ')');
				p->pos++;
				continue;
			}
			if (c != ')' && c != '\n' && (rparen > 0 || c == '|') && is_meta(c)) {
				sb_putc(p, (char)c);
				p->pos++;
				continue;
			}
		}
		if ((c == '<' || c == '>') && ch(p, 1) == '(' && mode != LEX_REGEX) {
			/* process substitution, also inside a word: --opt=<(cmd) */
			size_t open = p->pos, mark = p->sh->sb_n;
			p->pos += 2;
			struct shell_node *list = parse_paren_subst(p, open, "process substitution");
			if (!list)
				return -1;
			list->src = str_make(p->s + open, p->pos - open);
			wb_subst(p, &wb, list);
			wb.flags |= WORD_PROCSUBST;
			p->sh->sb_n = mark;
			sb_put(p, p->s + open, p->pos - open);
			continue;
		}
		if (c == '(' && mode == LEX_ASSIGN && p->pos > start && p->s[p->pos - 1] == '=' &&
		    assign_prefix(p->s + start, p->pos - start, NULL)) {
			if (lex_array(p, &wb) < 0)
				return -1;
			continue;
		}
		if (is_meta(c))
			break;
		if ((c == '@' || c == '!' || c == '+' || c == '*' || c == '?') && ch(p, 1) == '(') {
			sb_putc(p, (char)c);
			p->pos++;
			if (lex_extglob(p, &wb) < 0)
				return -1;
			continue;
		}
		if (c == '*' || c == '?')
			wb.flags |= WORD_GLOB;
		else if (c == '[')
			wb.bracket = true; /* a glob only once a ']' closes it: "[" alone is the test command */
		else if (c == ']' && wb.bracket)
			wb.flags |= WORD_GLOB;
		else if (c == '~' && (p->pos == start ||
					 ((p->s[p->pos - 1] == '=' || p->s[p->pos - 1] == ':') &&
					  assign_prefix(p->s + start, p->pos - start, NULL))))
			wb.flags |= WORD_TILDE; /* bash also expands ~ after = and : in NAME=... words */
		else if (c == '{')
			wb.brace_depth++;
		else if (c == '}' && wb.brace_depth > 0) {
			wb.brace_depth--;
			if (wb.brace_sep)
				wb.flags |= WORD_BRACE;
		} else if (wb.brace_depth > 0 && (c == ',' || (c == '.' && ch(p, 1) == '.')))
			wb.brace_sep = true;
		sb_putc(p, (char)c);
		p->pos++;
	}
	if (failed(p))
		return -1;
	if (p->pos == start) {
		p->sh->sb_n = wb.base;
		return 0;
	}
	wb_finish(p, &wb, w, start);
	/* words count against the node cap too: they bound the memory as much as nodes do */
	if (++p->sh->nodes > p->sh->max_nodes)
		return fail(p, start, "too many words and commands (more than %zu)", p->sh->max_nodes);
	return 1;
}

/* ---- heredocs ---- */

/* Parses the substitutions of an unquoted heredoc body, as bash expands it. */
static void heredoc_substs(struct parser *p, struct shell_redir *r, size_t origin)
{
	struct parser c;
	child_init(&c, p, r->body, r->body_n, origin, "here-document body");
	struct wbuild wb;
	wb_init(&c, &wb);
	if (enter(&c) < 0)
		return;
	while (c.pos < c.n && !failed(&c)) {
		int x = ch(&c, 0);
		if (x == '\\')
			c.pos += ch(&c, 1) < 0 ? 1 : 2;
		else if (x == '$')
			lex_dollar(&c, &wb, true);
		else if (x == '`')
			lex_backtick(&c, &wb, true);
		else
			c.pos++;
	}
	p->sh->sb_n = wb.base;
	r->subst = vec_done(&c, &wb.subst, sizeof(struct shell_node *));
	r->nsubst = wb.subst.n;
}

/* Reads the bodies of the heredocs started on the line that just ended. */
static void read_heredocs(struct parser *p)
{
	if (failed(p))
		return;
	p->hd_reads++;
	size_t nhd = p->nhd;
	p->nhd = 0;
	for (size_t i = 0; i < nhd && !failed(p); i++) {
		struct shell_redir *r = p->hd[i].v ? &((struct shell_redir *)p->hd[i].v->p)[p->hd[i].idx] : p->hd[i].r;
		bool strip = p->hd[i].strip_tabs;
		const char *delim = r->target.lit;
		size_t dn = r->target.lit_n;
		size_t body_start = p->pos, mark = p->sh->sb_n;
		size_t body_end = p->n;
		while (p->pos < p->n) {
			size_t ls = p->pos;
			const char *nl = memchr(p->s + ls, '\n', p->n - ls);
			size_t le = nl ? (size_t)(nl - p->s) : p->n;
			size_t cs = ls;
			if (strip)
				while (cs < le && p->s[cs] == '\t')
					cs++;
			p->pos = nl ? le + 1 : le;
			if (le - cs == dn && memcmp(p->s + cs, delim, dn) == 0) {
				body_end = ls;
				break;
			}
			if (strip)
				sb_put(p, p->s + cs, (nl ? le + 1 : le) - cs);
		}
		if (p->pos >= p->n && body_end == p->n)
			body_end = p->n;
		if (strip) {
			r->body_n = p->sh->sb_n - mark;
			r->body = arena_strndup(p->a, p->sh->sb + mark, r->body_n);
			p->sh->sb_n = mark;
		} else {
			r->body_n = body_end - body_start;
			r->body = arena_strndup(p->a, p->s + body_start, r->body_n);
		}
		if (!r->body_quoted && r->body_n)
			heredoc_substs(p, r, body_start);
	}
}

/* ---- redirections ---- */

/*
 * A redirection at pos, if there is one: returns 1 and appends it to v,
 * 0 when pos holds something else (nothing consumed), -1 on error.
 */
static int try_redirect(struct parser *p, struct vec *v)
{
	size_t start = p->pos;
	int fd = -1;
	size_t i = p->pos;
	size_t var = 0, var_n = 0;
	if (i < p->n && is_digit((unsigned char)p->s[i])) {
		long val = 0;
		while (i < p->n && is_digit((unsigned char)p->s[i])) {
			if (val < INT_MAX / 10)
				val = val * 10 + (p->s[i] - '0');
			else
				val = INT_MAX;
			i++;
		}
		if (i >= p->n || (p->s[i] != '<' && p->s[i] != '>'))
			return 0;
		fd = (int)val;
	} else if (i < p->n && p->s[i] == '{') {
		/* {varname}>file: bash allocates the fd and stores it in varname */
		size_t j = i + 1;
		while (j < p->n && is_name_char((unsigned char)p->s[j]))
			j++;
		if (j == i + 1 || !is_name_start((unsigned char)p->s[i + 1]) || j + 1 >= p->n || p->s[j] != '}' ||
		    (p->s[j + 1] != '<' && p->s[j + 1] != '>'))
			return 0;
		var = i + 1;
		var_n = j - var;
		i = j + 1;
	}
	const char *s = p->s + i;
	size_t left = p->n - i;
	enum shell_redir_op op;
	size_t oplen;
#define AT(lit) (left >= sizeof(lit) - 1 && memcmp(s, lit, sizeof(lit) - 1) == 0)
	if (AT("<<<"))
		op = REDIR_HERESTRING, oplen = 3;
	else if (AT("<<-"))
		op = REDIR_HEREDOC_TAB, oplen = 3;
	else if (AT("<<"))
		op = REDIR_HEREDOC, oplen = 2;
	else if (AT("<>"))
		op = REDIR_INOUT, oplen = 2;
	else if (AT("<&"))
		op = REDIR_DUP_IN, oplen = 2;
	else if (AT("<("))
		return 0;
	else if (AT("<"))
		op = REDIR_IN, oplen = 1;
	else if (AT(">>"))
		op = REDIR_APPEND, oplen = 2;
	else if (AT(">|"))
		op = REDIR_CLOBBER, oplen = 2;
	else if (AT(">&"))
		op = REDIR_DUP_OUT, oplen = 2;
	else if (AT(">("))
		return 0;
	else if (AT(">"))
		op = REDIR_OUT, oplen = 1;
	else if (i == start && AT("&>>"))
		op = REDIR_APPEND_ERR, oplen = 3;
	else if (i == start && AT("&>"))
		op = REDIR_OUT_ERR, oplen = 2;
	else
		return 0;
#undef AT
	p->pos = i + oplen;
	skip_blanks(p);
	struct shell_redir *r = vec_push(p, v, sizeof(*r));
	r->fd = fd;
	r->op = op;
	r->fd_var = var_n ? arena_strndup(p->a, p->s + var, var_n) : NULL;
	int rc = lex_word(p, &r->target, LEX_PLAIN);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		char d[32];
		bool hd = op == REDIR_HEREDOC || op == REDIR_HEREDOC_TAB;
		return fail(p, p->pos, "syntax error: expected %s after '%.*s', found %s",
			    hd ? "a delimiter word" : op == REDIR_HERESTRING ? "a word" : "a file name",
			    (int)oplen, p->s + i, describe(p, p->pos, d, sizeof(d)));
	}
	if (op == REDIR_HEREDOC || op == REDIR_HEREDOC_TAB) {
		r->body_quoted = (r->target.flags & WORD_QUOTED) != 0;
		/* bash never expands a delimiter: "<<$(x)" runs nothing */
		r->target.subst = NULL;
		r->target.nsubst = 0;
		r->body = arena_strdup(p->a, "");
		if (p->nhd == p->hdcap) {
			size_t nc = p->hdcap ? p->hdcap * 2 : 4;
			p->hd = arena_grow(p->a, p->hd, p->nhd, nc, sizeof(*p->hd));
			p->hdcap = nc;
		}
		p->hd[p->nhd].v = v;
		p->hd[p->nhd].idx = v->n - 1;
		p->hd[p->nhd].r = NULL;
		p->hd[p->nhd].strip_tabs = op == REDIR_HEREDOC_TAB;
		p->nhd++;
	}
	return 1;
}

/*
 * Hands the redirections to their node; pending heredocs now point into the
 * final array. Only entries added since the command began (hd_mark; 0 when
 * a newline inside the command read the pending bodies meanwhile) can be
 * this vec's: looking no further keeps long one-line scripts linear.
 */
static void finish_redirs(struct parser *p, struct vec *v, size_t hd_mark, struct shell_redir **out, size_t *nout)
{
	*out = vec_done(p, v, sizeof(struct shell_redir));
	*nout = v->n;
	for (size_t i = hd_mark; i < p->nhd; i++) {
		if (p->hd[i].v == v) {
			p->hd[i].r = &(*out)[p->hd[i].idx];
			p->hd[i].v = NULL;
		}
	}
}

/* Redirections after a compound command. */
static int compound_redirs(struct parser *p, struct shell_node *nd)
{
	struct vec v;
	vec_init(&v);
	size_t hd_mark = p->nhd;
	unsigned long hd_reads = p->hd_reads;
	for (;;) {
		skip_blanks(p);
		int r = try_redirect(p, &v);
		if (r < 0)
			return -1;
		if (r == 0)
			break;
	}
	if (v.n)
		finish_redirs(p, &v, hd_reads == p->hd_reads ? hd_mark : 0, &nd->redirs, &nd->nredirs);
	return 0;
}

/* ---- commands ---- */

static struct shell_node *one_kid(struct parser *p, enum shell_kind kind, size_t start, struct shell_node *kid)
{
	struct shell_node *nd = new_node(p, kind, start);
	if (!nd)
		return NULL;
	if (kid) {
		nd->kids = arena_new_array(p->a, struct shell_node *, 1);
		nd->kids[0] = kid;
		nd->nkids = 1;
	}
	end_node(p, nd, start);
	return nd;
}

/* Expects reserved word kw after a list; opener names the construct for messages. */
static int expect_kw(struct parser *p, const char *kw, size_t open, const char *opener)
{
	if (failed(p))
		return -1;
	if (kw_at(p, kw)) {
		p->pos += strlen(kw);
		return 0;
	}
	if (ch(p, 0) < 0) {
		unsigned long l, c;
		locate(p, open, &l, &c);
		return fail(p, p->pos, "syntax error: unexpected end of input: '%s' (line %lu, column %lu) needs '%s'",
			    opener, l, c, kw);
	}
	char d[32];
	return fail(p, p->pos, "syntax error: expected '%s' to go with '%s', found %s", kw, opener,
		    describe(p, p->pos, d, sizeof(d)));
}

static int need_commands(struct parser *p, const struct shell_node *list, const char *where)
{
	if (failed(p))
		return -1;
	if (list->nkids == 0) {
		char d[32];
		return fail(p, p->pos, "syntax error: expected a command %s, found %s", where,
			    describe(p, p->pos, d, sizeof(d)));
	}
	return 0;
}

/* A list that must hold a command and be followed by kw. */
static struct shell_node *body_until(struct parser *p, const char *kw, size_t open, const char *opener,
				     const char *where)
{
	struct shell_node *list = parse_list(p);
	if (!list || need_commands(p, list, where) < 0 || expect_kw(p, kw, open, opener) < 0)
		return NULL;
	return list;
}

static struct shell_node *parse_if(struct parser *p, size_t start)
{
	struct vec kids;
	vec_init(&kids);
	p->pos += 2;
	for (;;) {
		struct shell_node *cond = body_until(p, "then", start, "if", "after 'if'");
		if (!cond)
			return NULL;
		struct shell_node *then = parse_list(p);
		if (!then || need_commands(p, then, "after 'then'") < 0)
			return NULL;
		push_node(p, &kids, cond);
		push_node(p, &kids, then);
		if (kw_at(p, "elif")) {
			p->pos += 4;
			continue;
		}
		if (kw_at(p, "else")) {
			p->pos += 4;
			struct shell_node *els = body_until(p, "fi", start, "if", "after 'else'");
			if (!els)
				return NULL;
			push_node(p, &kids, els);
			break;
		}
		if (expect_kw(p, "fi", start, "if") < 0)
			return NULL;
		break;
	}
	struct shell_node *nd = new_node(p, SHELL_IF, start);
	if (!nd)
		return NULL;
	nd->kids = vec_done(p, &kids, sizeof(struct shell_node *));
	nd->nkids = kids.n;
	end_node(p, nd, start);
	return nd;
}

static struct shell_node *parse_loop(struct parser *p, size_t start, enum shell_kind kind)
{
	const char *opener = kind == SHELL_WHILE ? "while" : "until";
	p->pos += strlen(opener);
	struct shell_node *cond = body_until(p, "do", start, opener, kind == SHELL_WHILE ? "after 'while'" : "after 'until'");
	if (!cond)
		return NULL;
	struct shell_node *body = body_until(p, "done", start, opener, "after 'do'");
	if (!body)
		return NULL;
	struct shell_node *nd = new_node(p, kind, start);
	if (!nd)
		return NULL;
	nd->kids = arena_new_array(p->a, struct shell_node *, 2);
	nd->kids[0] = cond;
	nd->kids[1] = body;
	nd->nkids = 2;
	end_node(p, nd, start);
	return nd;
}

/* do ... done, or bash's { ...; } form, after for/select. */
static struct shell_node *loop_body(struct parser *p, size_t start, const char *opener)
{
	linebreak(p);
	if (kw_at(p, "{")) {
		size_t gs = p->pos++;
		struct shell_node *list = body_until(p, "}", gs, "{", "after '{'");
		return list ? one_kid(p, SHELL_GROUP, gs, list) : NULL;
	}
	if (expect_kw(p, "do", start, opener) < 0)
		return NULL;
	return body_until(p, "done", start, opener, "after 'do'");
}

static struct shell_node *parse_for(struct parser *p, size_t start, enum shell_kind kind)
{
	const char *opener = kind == SHELL_FOR ? "for" : "select";
	p->pos += strlen(opener);
	skip_blanks(p);
	struct shell_node *nd = new_node(p, kind, start);
	if (!nd)
		return NULL;
	struct vec words;
	vec_init(&words);
	if (kind == SHELL_FOR && ch(p, 0) == '(' && ch(p, 1) == '(') {
		size_t open = p->pos;
		p->pos += 2;
		if (enter(p) < 0)
			return NULL;
		for (int k = 0; k < 3; k++) {
			while (is_blank(ch(p, 0)) || ch(p, 0) == '\n')
				p->pos++;
			struct wbuild wb;
			wb_init(p, &wb);
			size_t ws = p->pos;
			if (lex_arith_body(p, &wb, open, true) < 0)
				return NULL;
			size_t we = p->pos;
			while (we > ws && (is_blank((unsigned char)p->s[we - 1]) || p->s[we - 1] == '\n'))
				we--;
			p->sh->sb_n = wb.base;
			sb_put(p, p->s + ws, we - ws);
			struct shell_word *w = vec_push(p, &words, sizeof(*w));
			size_t save = p->pos;
			p->pos = we;
			wb.flags |= WORD_ARITH;
			wb_finish(p, &wb, w, ws);
			p->pos = save;
			if (k < 2) {
				if (ch(p, 0) != ';')
					return fail(p, p->pos, "syntax error: expected ';' in 'for ((...))'"), NULL;
				p->pos++;
			}
		}
		leave(p);
		if (ch(p, 0) != ')' || ch(p, 1) != ')')
			return fail(p, open, "syntax error: expected '))' to close 'for (('"), NULL;
		p->pos += 2;
		skip_blanks(p);
		if (ch(p, 0) == ';')
			p->pos++;
	} else {
		struct shell_word name;
		size_t ns = p->pos;
		if (lex_word(p, &name, LEX_PLAIN) <= 0 || name.flags || name.lit_n == 0 ||
		    !is_name_start((unsigned char)name.lit[0])) {
			if (!failed(p))
				fail(p, ns, "syntax error: expected a variable name after '%s'", opener);
			return NULL;
		}
		for (size_t i = 1; i < name.lit_n; i++)
			if (!is_name_char((unsigned char)name.lit[i]))
				return fail(p, ns, "syntax error: '%s' is not a valid variable name", name.lit), NULL;
		nd->name = name.lit;
		linebreak(p);
		if (kw_at(p, "in")) {
			p->pos += 2;
			for (;;) {
				skip_blanks(p);
				struct shell_word w;
				int r = lex_word(p, &w, LEX_PLAIN);
				if (r < 0)
					return NULL;
				if (r == 0)
					break;
				*(struct shell_word *)vec_push(p, &words, sizeof(w)) = w;
			}
			int c = ch(p, 0);
			if (c == ';')
				p->pos++;
			else if (c != '\n' && c >= 0)
				return fail_unexpected(p, " in the word list of 'for'"), NULL;
		} else if (ch(p, 0) == ';') {
			p->pos++;
		}
	}
	struct shell_node *body = loop_body(p, start, opener);
	if (!body)
		return NULL;
	nd->words = vec_done(p, &words, sizeof(struct shell_word));
	nd->nwords = words.n;
	nd->kids = arena_new_array(p->a, struct shell_node *, 1);
	nd->kids[0] = body;
	nd->nkids = 1;
	end_node(p, nd, start);
	return nd;
}

static struct shell_node *parse_case(struct parser *p, size_t start)
{
	p->pos += 4;
	skip_blanks(p);
	struct shell_node *nd = new_node(p, SHELL_CASE, start);
	if (!nd)
		return NULL;
	struct shell_word *subject = arena_new_obj(p->a, struct shell_word);
	int r = lex_word(p, subject, LEX_PLAIN);
	if (r <= 0) {
		if (r == 0)
			fail(p, p->pos, "syntax error: expected a word after 'case'");
		return NULL;
	}
	linebreak(p);
	if (!kw_at(p, "in"))
		return expect_kw(p, "in", start, "case"), NULL;
	p->pos += 2;
	struct vec kids;
	vec_init(&kids);
	struct vec arms;
	vec_init(&arms);
	for (;;) {
		linebreak(p);
		if (failed(p))
			return NULL;
		if (kw_at(p, "esac")) {
			p->pos += 4;
			break;
		}
		if (ch(p, 0) < 0)
			return expect_kw(p, "esac", start, "case"), NULL;
		if (ch(p, 0) == '(') {
			p->pos++;
			skip_blanks(p);
		}
		struct vec pats;
		vec_init(&pats);
		for (;;) {
			skip_blanks(p);
			struct shell_word w;
			r = lex_word(p, &w, LEX_PLAIN);
			if (r < 0)
				return NULL;
			if (r == 0)
				return fail_unexpected(p, ": expected a case pattern"), NULL;
			*(struct shell_word *)vec_push(p, &pats, sizeof(w)) = w;
			skip_blanks(p);
			if (ch(p, 0) == '|') {
				p->pos++;
				continue;
			}
			if (ch(p, 0) == ')') {
				p->pos++;
				break;
			}
			return fail_unexpected(p, ": expected ')' after a case pattern"), NULL;
		}
		struct shell_node *body = parse_list(p);
		if (!body)
			return NULL;
		struct shell_case_arm *arm = vec_push(p, &arms, sizeof(*arm));
		arm->patterns = vec_done(p, &pats, sizeof(struct shell_word));
		arm->npatterns = pats.n;
		push_node(p, &kids, body->nkids ? body : NULL);
		if (ch(p, 0) == ';' && ch(p, 1) == ';' && ch(p, 2) == '&')
			p->pos += 3;
		else if (ch(p, 0) == ';' && (ch(p, 1) == ';' || ch(p, 1) == '&'))
			p->pos += 2;
		else if (kw_at(p, "esac"))
			continue;
		else
			return expect_kw(p, "esac", start, "case"), NULL;
	}
	nd->words = subject;
	nd->nwords = 1;
	nd->kids = vec_done(p, &kids, sizeof(struct shell_node *));
	nd->nkids = kids.n;
	nd->arms = vec_done(p, &arms, sizeof(struct shell_case_arm));
	end_node(p, nd, start);
	return nd;
}

static struct shell_node *parse_test(struct parser *p, size_t start)
{
	p->pos += 2;
	struct shell_node *nd = new_node(p, SHELL_TEST_CMD, start);
	if (!nd)
		return NULL;
	struct vec words;
	vec_init(&words);
	bool regex = false;
	for (;;) {
		linebreak(p);
		if (failed(p))
			return NULL;
		int c = ch(p, 0);
		if (c < 0)
			return fail(p, start, "syntax error: unterminated '[[': expected ']]'"), NULL;
		if (c == ']' && ch(p, 1) == ']' && is_meta(ch(p, 2))) {
			p->pos += 2;
			break;
		}
		struct shell_word w;
		size_t ws = p->pos;
		if (!regex && (c == '(' || c == ')' || c == '<' || c == '>' || c == '&' || c == '|')) {
			size_t k = 1;
			if ((c == '&' || c == '|') && ch(p, 1) == c)
				k = 2;
			else if (c == '&' || c == '|')
				return fail_unexpected(p, " inside [[ ]]"), NULL;
			memset(&w, 0, sizeof(w));
			w.raw = str_make(p->s + ws, k);
			w.lit = arena_strndup(p->a, p->s + ws, k);
			w.lit_n = k;
			p->pos += k;
		} else {
			int r = lex_word(p, &w, regex ? LEX_REGEX : LEX_PLAIN);
			if (r < 0)
				return NULL;
			if (r == 0)
				return fail_unexpected(p, " inside [[ ]]"), NULL;
		}
		regex = w.lit_n == 2 && w.flags == 0 && memcmp(w.lit, "=~", 2) == 0;
		*(struct shell_word *)vec_push(p, &words, sizeof(w)) = w;
	}
	nd->words = vec_done(p, &words, sizeof(struct shell_word));
	nd->nwords = words.n;
	end_node(p, nd, start);
	return nd;
}

static struct shell_node *parse_arith_cmd(struct parser *p, size_t start)
{
	p->pos += 2;
	struct shell_node *nd = new_node(p, SHELL_ARITH_CMD, start);
	if (!nd)
		return NULL;
	struct wbuild wb;
	wb_init(p, &wb);
	size_t ws = p->pos;
	if (lex_arith_body(p, &wb, start, false) < 0)
		return NULL;
	sb_put(p, p->s + ws, p->pos - ws);
	nd->words = arena_new_obj(p->a, struct shell_word);
	nd->nwords = 1;
	wb.flags |= WORD_ARITH;
	wb_finish(p, &wb, nd->words, ws);
	p->pos += 2;
	end_node(p, nd, start);
	return nd;
}

static struct shell_node *parse_funcdef_body(struct parser *p, size_t start, char *name)
{
	linebreak(p);
	size_t bs = p->pos;
	if (enter(p) < 0)
		return NULL;
	struct shell_node *body = parse_command(p);
	leave(p);
	if (!body)
		return NULL;
	if (body->kind == SHELL_SIMPLE)
		return fail(p, bs, "syntax error: the body of function '%s' must be a compound command such as { ...; }",
			    name), NULL;
	struct shell_node *nd = one_kid(p, SHELL_FUNCDEF, start, body);
	if (nd)
		nd->name = name;
	return nd;
}

static struct shell_node *parse_function_kw(struct parser *p, size_t start)
{
	p->pos += 8;
	skip_blanks(p);
	struct shell_word name;
	int r = lex_word(p, &name, LEX_PLAIN);
	if (r <= 0) {
		if (r == 0)
			fail(p, p->pos, "syntax error: expected a function name after 'function'");
		return NULL;
	}
	skip_blanks(p);
	if (ch(p, 0) == '(') {
		p->pos++;
		skip_blanks(p);
		if (ch(p, 0) != ')')
			return fail_unexpected(p, ": expected ')' after 'function name('"), NULL;
		p->pos++;
	}
	return parse_funcdef_body(p, start, name.lit);
}

/* Is the text at pos a compound command's opening (for coproc NAME detection)? */
static bool compound_start(const struct parser *p)
{
	static const char *const kws[] = { "{", "if", "while", "until", "for", "select", "case", "[[" };
	if (ch(p, 0) == '(')
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(kws); i++)
		if (kw_at(p, kws[i]))
			return true;
	return false;
}

static struct shell_node *parse_coproc(struct parser *p, size_t start)
{
	p->pos += 6;
	skip_blanks(p);
	char *name = NULL;
	if (!compound_start(p)) {
		size_t save = p->pos;
		struct shell_word w;
		int r = lex_word(p, &w, LEX_PLAIN);
		if (r < 0)
			return NULL;
		skip_blanks(p);
		if (r == 1 && compound_start(p) && w.flags == 0)
			name = w.lit;
		else
			p->pos = save;
	}
	if (enter(p) < 0)
		return NULL;
	struct shell_node *kid = parse_command(p);
	leave(p);
	if (!kid)
		return NULL;
	struct shell_node *nd = one_kid(p, SHELL_COPROC, start, kid);
	if (nd)
		nd->name = name;
	return nd;
}

static struct shell_node *parse_simple(struct parser *p)
{
	size_t start = p->pos;
	struct shell_node *nd = new_node(p, SHELL_SIMPLE, start);
	if (!nd)
		return NULL;
	struct vec assigns;
	vec_init(&assigns);
	struct vec words;
	vec_init(&words);
	struct vec redirs;
	vec_init(&redirs);
	size_t hd_mark = p->nhd;
	unsigned long hd_reads = p->hd_reads;
	for (;;) {
		skip_blanks(p);
		int c = ch(p, 0);
		if (c < 0 || c == '\n' || c == ';' || c == '|' || c == ')')
			break;
		if (c == '&' && ch(p, 1) != '>')
			break;
		int r = try_redirect(p, &redirs);
		if (r < 0)
			return NULL;
		if (r > 0)
			continue;
		if (c == '(') {
			if (words.n == 1 && assigns.n == 0 && redirs.n == 0) {
				size_t open = p->pos++;
				skip_blanks(p);
				if (ch(p, 0) != ')')
					return fail(p, open, "syntax error: expected ')' after '('"), NULL;
				p->pos++;
				struct shell_word *fw = words.p;
				return parse_funcdef_body(p, start, fw[0].lit);
			}
			return fail_unexpected(p, ""), NULL;
		}
		struct shell_word w;
		r = lex_word(p, &w, LEX_ASSIGN); /* also "declare a=(1 2)" */
		if (r < 0)
			return NULL;
		if (r == 0)
			return fail_unexpected(p, ""), NULL;
		if (words.n == 0 && assign_prefix(w.raw.p, w.raw.n, NULL))
			*(struct shell_word *)vec_push(p, &assigns, sizeof(w)) = w;
		else
			*(struct shell_word *)vec_push(p, &words, sizeof(w)) = w;
	}
	nd->assigns = vec_done(p, &assigns, sizeof(struct shell_word));
	nd->nassigns = assigns.n;
	nd->words = vec_done(p, &words, sizeof(struct shell_word));
	nd->nwords = words.n;
	if (redirs.n)
		finish_redirs(p, &redirs, hd_reads == p->hd_reads ? hd_mark : 0, &nd->redirs, &nd->nredirs);
	end_node(p, nd, start);
	if (!nd->nassigns && !nd->nwords && !nd->nredirs)
		return fail_unexpected(p, ": expected a command"), NULL;
	return nd;
}

static struct shell_node *parse_command(struct parser *p)
{
	skip_blanks(p);
	if (failed(p))
		return NULL;
	size_t start = p->pos;
	int c = ch(p, 0);
	if (c < 0 || c == '\n' || c == ';' || c == '|' || c == ')' || (c == '&' && ch(p, 1) != '>') ||
	    at_list_end(p)) {
		if (c < 0)
			return fail(p, start, "syntax error: unexpected end of input: expected a command"), NULL;
		return fail_unexpected(p, ": expected a command"), NULL;
	}
	struct shell_node *nd = NULL;
	bool compound = true;
	if (enter(p) < 0)
		return NULL;
	if (c == '(') {
		if (ch(p, 1) == '(' && arith_closes(p, p->pos + 2)) {
			nd = parse_arith_cmd(p, start);
		} else {
			p->pos++;
			struct shell_node *list = parse_list(p);
			if (list && need_commands(p, list, "after '('") == 0) {
				if (ch(p, 0) == ')') {
					p->pos++;
					nd = one_kid(p, SHELL_SUBSHELL, start, list);
				} else if (ch(p, 0) < 0) {
					fail(p, start, "syntax error: unterminated '(': expected ')'");
				} else {
					fail_unexpected(p, ": expected ')'");
				}
			}
		}
	} else if (kw_at(p, "{")) {
		p->pos++;
		struct shell_node *list = body_until(p, "}", start, "{", "after '{'");
		if (list)
			nd = one_kid(p, SHELL_GROUP, start, list);
	} else if (kw_at(p, "if")) {
		nd = parse_if(p, start);
	} else if (kw_at(p, "while")) {
		nd = parse_loop(p, start, SHELL_WHILE);
	} else if (kw_at(p, "until")) {
		nd = parse_loop(p, start, SHELL_UNTIL);
	} else if (kw_at(p, "for")) {
		nd = parse_for(p, start, SHELL_FOR);
	} else if (kw_at(p, "select")) {
		nd = parse_for(p, start, SHELL_SELECT);
	} else if (kw_at(p, "case")) {
		nd = parse_case(p, start);
	} else if (kw_at(p, "[[")) {
		nd = parse_test(p, start);
	} else if (kw_at(p, "function")) {
		nd = parse_function_kw(p, start);
		compound = false;
	} else if (kw_at(p, "coproc")) {
		nd = parse_coproc(p, start);
		compound = false;
	} else if (kw_at(p, "!")) {
		/* "!" and "time" are reserved only where a pipeline starts (parse_pipeline):
		 * bash rejects "a | ! b", and runs "a | time b" as the program time */
		leave(p);
		return fail_unexpected(p, ": '!' must start the pipeline"), NULL;
	} else {
		nd = parse_simple(p);
		compound = false;
	}
	leave(p);
	if (!nd || failed(p))
		return NULL;
	if (compound) {
		if (compound_redirs(p, nd) < 0)
			return NULL;
		end_node(p, nd, start);
	}
	return nd;
}

static bool pipeline_ends(const struct parser *p)
{
	int c = ch(p, 0);
	return c < 0 || c == '\n' || c == ';' || c == ')' || (c == '&' && ch(p, 1) != '>') ||
	       (c == '|' && ch(p, 1) == '|') || at_list_end(p);
}

static struct shell_node *parse_pipeline(struct parser *p)
{
	skip_blanks(p);
	size_t start = p->pos;
	if (kw_at(p, "time")) {
		p->pos += 4;
		skip_blanks(p);
		if (ch(p, 0) == '-' && ch(p, 1) == 'p' && is_meta(ch(p, 2))) {
			p->pos += 2;
			skip_blanks(p);
		}
		if (pipeline_ends(p))
			return one_kid(p, SHELL_TIME, start, NULL);
		if (enter(p) < 0)
			return NULL;
		struct shell_node *kid = parse_pipeline(p);
		leave(p);
		return kid ? one_kid(p, SHELL_TIME, start, kid) : NULL;
	}
	if (kw_at(p, "!")) {
		p->pos++;
		if (enter(p) < 0)
			return NULL;
		struct shell_node *kid = parse_pipeline(p);
		leave(p);
		return kid ? one_kid(p, SHELL_NOT, start, kid) : NULL;
	}
	struct shell_node *first = parse_command(p);
	if (!first)
		return NULL;
	struct vec stages;
	vec_init(&stages);
	struct vec errs;
	vec_init(&errs);
	push_node(p, &stages, first);
	for (;;) {
		skip_blanks(p);
		if (ch(p, 0) != '|' || ch(p, 1) == '|')
			break;
		bool both = ch(p, 1) == '&';
		p->pos += both ? 2 : 1;
		*(bool *)vec_push(p, &errs, sizeof(bool)) = both;
		linebreak(p);
		struct shell_node *next = parse_command(p);
		if (!next)
			return NULL;
		push_node(p, &stages, next);
	}
	if (stages.n == 1)
		return first;
	struct shell_node *nd = new_node(p, SHELL_PIPELINE, start);
	if (!nd)
		return NULL;
	nd->kids = vec_done(p, &stages, sizeof(struct shell_node *));
	nd->nkids = stages.n;
	nd->pipe_stderr = vec_done(p, &errs, sizeof(bool));
	end_node(p, nd, start);
	return nd;
}

static struct shell_node *parse_and_or(struct parser *p)
{
	skip_blanks(p);
	size_t start = p->pos;
	struct shell_node *left = parse_pipeline(p);
	while (left) {
		skip_blanks(p);
		int c = ch(p, 0);
		if (!((c == '&' || c == '|') && ch(p, 1) == c))
			break;
		p->pos += 2;
		linebreak(p);
		struct shell_node *right = parse_pipeline(p);
		if (!right)
			return NULL;
		struct shell_node *nd = new_node(p, c == '&' ? SHELL_AND : SHELL_OR, start);
		if (!nd)
			return NULL;
		nd->kids = arena_new_array(p->a, struct shell_node *, 2);
		nd->kids[0] = left;
		nd->kids[1] = right;
		nd->nkids = 2;
		end_node(p, nd, start);
		left = nd;
	}
	return left;
}

/* A sequence of and-or lists up to EOF, ')', ';;' or a closing reserved word. */
static struct shell_node *parse_list(struct parser *p)
{
	if (failed(p))
		return NULL;
	size_t start = p->pos;
	struct shell_node *seq = new_node(p, SHELL_SEQ, start);
	if (!seq)
		return NULL;
	struct vec kids;
	vec_init(&kids);
	for (;;) {
		linebreak(p);
		if (failed(p))
			return NULL;
		if (at_list_end(p))
			break;
		size_t ks = p->pos;
		struct shell_node *ao = parse_and_or(p);
		if (!ao)
			return NULL;
		skip_blanks(p);
		int c = ch(p, 0);
		if (c == '&' && ch(p, 1) != '&') {
			p->pos++;
			ao = one_kid(p, SHELL_BACKGROUND, ks, ao);
			if (!ao)
				return NULL;
		} else if (c == ';' && ch(p, 1) != ';' && ch(p, 1) != '&') {
			p->pos++;
		} else if (c != '\n' && !at_list_end(p)) {
			push_node(p, &kids, ao);
			return fail_unexpected(p, ""), NULL;
		}
		push_node(p, &kids, ao);
	}
	seq->kids = vec_done(p, &kids, sizeof(struct shell_node *));
	seq->nkids = kids.n;
	end_node(p, seq, start);
	return seq;
}

int shell_parse(struct arena *a, const char *src, size_t n, const struct shell_limits *limits,
		struct shell_node **out, struct err *e)
{
	struct shell_limits lim = { DEF_MAX_INPUT, DEF_MAX_DEPTH, DEF_MAX_NODES };
	if (limits) {
		if (limits->max_input)
			lim.max_input = limits->max_input;
		if (limits->max_depth)
			lim.max_depth = limits->max_depth;
		if (limits->max_nodes)
			lim.max_nodes = limits->max_nodes;
	}
	*out = NULL;
	if (n > lim.max_input)
		return err_set(e, "command too long: %zu bytes (the limit is %zu)", n, lim.max_input);
	struct shared sh = { 0 };
	sh.max_nodes = lim.max_nodes;
	sh.max_depth = lim.max_depth;
	sh.prescan_left = 16 * n + 65536;
	sh.e = e;
	sh.sb_cap = 256;
	sh.sb = arena_alloc(a, sh.sb_cap); /* never NULL: spans are taken from it */
	struct parser p = { 0 };
	p.a = a;
	p.s = arena_strndup(a, src ? src : "", n);
	p.n = n;
	p.sh = &sh;
	struct shell_node *root = parse_list(&p);
	if (root && !failed(&p) && p.pos < p.n)
		fail_unexpected(&p, "");
	if (root && !failed(&p) && p.nhd)
		read_heredocs(&p);
	if (!root || failed(&p))
		return -1;
	*out = root;
	return 0;
}
