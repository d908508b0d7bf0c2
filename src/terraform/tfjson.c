/*
 * tfjson.c: the pull tokenizer behind the plan and state readers.
 *
 * Why hand-written rather than jansson (which the rest of blastwall uses for
 * small JSON): a 100k-resource plan is ~100 MB of JSON of which the blast
 * radius needs a few percent (addresses, actions, the attributes of
 * data-bearing types). A DOM costs several times the file in memory and the
 * time to build it; a pull tokenizer over the mapped bytes lets the readers
 * skip what they do not need at memory-scan speed and keep memory bounded by
 * what they copy out. It is iterative (an explicit container stack of
 * TFJSON_MAX_DEPTH), so no input can overflow the C stack.
 *
 * Invariants: after TFJ_ERROR the tokenizer stays failed; j->str is valid only
 * until the next call; the input is never written to.
 */
#include "terraform/tfjson.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

enum {
	S_VALUE,       /* a value must come (top level, after ':' or ',' in an array) */
	S_ARR_FIRST,   /* after '[': a value or ']' */
	S_OBJ_FIRST,   /* after '{': a key or '}' */
	S_OBJ_KEY,     /* after ',' in an object: a key */
	S_AFTER,       /* after a value: ',' or a closer (or the end at depth 0) */
	S_DONE,        /* the top-level value is complete */
};

static const char *describe(const char *p, const char *end)
{
	if (p >= end)
		return "the end of the input";
	return NULL;
}

static enum tfjson_tok fail(struct tfjson *j, const char *what)
{
	size_t off = (size_t)(j->p - j->base);
	const char *where = describe(j->p, j->end);
	if (!j->failed) {
		if (where)
			err_set(j->e, "'%s' is not valid JSON: %s at %s (line %zu)", j->name, what, where,
				tfjson_line_of(j, off));
		else
			err_set(j->e, "'%s' is not valid JSON: %s at line %zu, byte %zu", j->name, what,
				tfjson_line_of(j, off), off + 1);
	}
	j->failed = true;
	return TFJ_ERROR;
}

size_t tfjson_line_of(const struct tfjson *j, size_t off)
{
	size_t line = 1;
	const char *p = j->base, *end = j->base + (off < (size_t)(j->end - j->base) ? off : (size_t)(j->end - j->base));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			break;
		line++;
		p = nl + 1;
	}
	return line;
}

/* Appends code point cp as UTF-8. */
static int put_utf8(struct buf *b, unsigned cp)
{
	char t[4];
	size_t n;
	if (cp < 0x80) {
		t[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		t[0] = (char)(0xC0 | (cp >> 6));
		t[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		t[0] = (char)(0xE0 | (cp >> 12));
		t[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		t[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		t[0] = (char)(0xF0 | (cp >> 18));
		t[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		t[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		t[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	return buf_add(b, t, n);
}

/* Transcodes UTF-16 (little or big endian, BOM already removed) into an arena copy. */
static int from_utf16(struct arena *a, const unsigned char *s, size_t n, bool le, const char *name,
		      struct str *out, struct err *e)
{
	struct buf b;
	buf_init(&b, 0);
	if (n % 2)
		return err_set(e, "'%s' looks like UTF-16 but has an odd number of bytes", name);
	for (size_t i = 0; i < n; i += 2) {
		unsigned u = le ? (unsigned)(s[i] | (s[i + 1] << 8)) : (unsigned)((s[i] << 8) | s[i + 1]);
		if (u >= 0xD800 && u <= 0xDBFF) {
			if (i + 3 >= n)
				goto bad;
			unsigned l = le ? (unsigned)(s[i + 2] | (s[i + 3] << 8)) : (unsigned)((s[i + 2] << 8) | s[i + 3]);
			if (l < 0xDC00 || l > 0xDFFF)
				goto bad;
			u = 0x10000 + ((u - 0xD800) << 10) + (l - 0xDC00);
			i += 2;
		} else if (u >= 0xDC00 && u <= 0xDFFF) {
			goto bad;
		}
		put_utf8(&b, u);
	}
	*out = str_make(arena_strndup(a, b.p ? b.p : "", b.n), b.n);
	buf_release(&b);
	return 0;
bad:
	buf_release(&b);
	return err_set(e, "'%s' is UTF-16 with an unpaired surrogate; it is damaged", name);
}

int tfjson_open(struct tfjson *j, struct arena *a, const char *data, size_t n, const char *name, struct err *e)
{
	const unsigned char *u = (const unsigned char *)data;
	struct str in = str_make(data, n);

	memset(j, 0, sizeof(*j));
	j->name = name ? name : "input";
	j->e = e;
	if (n >= 4 && ((u[0] == 0 && u[1] == 0 && u[2] == 0xFE && u[3] == 0xFF) ||
		       (u[0] == 0xFF && u[1] == 0xFE && u[2] == 0 && u[3] == 0))) {
		err_set(e, "'%s' is UTF-32, which JSON readers do not accept", j->name);
		return err_hint(e, "convert it to UTF-8 (iconv -f UTF-32 -t UTF-8)");
	}
	if (n >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
		in = str_make(data + 3, n - 3);
	} else if (n >= 2 && u[0] == 0xFF && u[1] == 0xFE) {
		if (from_utf16(a, u + 2, n - 2, true, j->name, &in, e) < 0)
			return -1;
	} else if (n >= 2 && u[0] == 0xFE && u[1] == 0xFF) {
		if (from_utf16(a, u + 2, n - 2, false, j->name, &in, e) < 0)
			return -1;
	} else if (n >= 2 && u[0] != 0 && u[1] == 0) {
		/* JSON text starts with an ASCII character: a zero high byte means UTF-16LE without BOM */
		if (from_utf16(a, u, n, true, j->name, &in, e) < 0)
			return -1;
	} else if (n >= 2 && u[0] == 0 && u[1] != 0) {
		if (from_utf16(a, u, n, false, j->name, &in, e) < 0)
			return -1;
	}
	j->base = j->p = in.p ? in.p : "";
	j->end = j->base + in.n;
	j->state = S_VALUE;
	buf_init(&j->scratch, TFJSON_MAX_STRING);
	buf_init(&j->key, TFJSON_MAX_STRING);
	return 0;
}

void tfjson_release(struct tfjson *j)
{
	buf_release(&j->scratch);
	buf_release(&j->key);
}

static inline void skip_ws(struct tfjson *j)
{
	const char *p = j->p, *end = j->end;
	while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
		p++;
	j->p = p;
}

static int hex4(const char *p, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

/* Length of a valid UTF-8 sequence starting at p (lead byte >= 0x80), 0 if invalid. */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned c = p[0];
	size_t need;
	unsigned min;
	unsigned cp;
	if (c >= 0xC2 && c <= 0xDF) {
		need = 2; min = 0x80; cp = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 3; min = 0x800; cp = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 4; min = 0x10000; cp = c & 0x07;
	} else {
		return 0;
	}
	if ((size_t)(end - p) < need)
		return 0;
	for (size_t i = 1; i < need; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return need;
}

#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define SWAR 1
#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL
/*
 * Marks (high bit per byte) the bytes of w that end a plain run: '"', '\\',
 * a control character or a non-ASCII byte. The borrow trick can mark bytes
 * after a real hit, never before it, so the lowest mark is exact.
 */
static inline uint64_t specials(uint64_t w)
{
	uint64_t q = w ^ (ONES * '"'), b = w ^ (ONES * '\\');
	return (((q - ONES) & ~q) | ((b - ONES) & ~b) | ((w - ONES * 0x20) & ~w) | w) & HIGHS;
}
#endif

/* Skips plain ASCII string bytes (8 at a time where the platform allows). */
static inline const unsigned char *plain_run(const unsigned char *p, const unsigned char *end)
{
#ifdef SWAR
	while (end - p >= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		uint64_t m = specials(w);
		if (m)
			return p + (__builtin_ctzll(m) >> 3);
		p += 8;
	}
#endif
	while (p < end && *p >= 0x20 && *p != '"' && *p != '\\' && *p < 0x80)
		p++;
	return p;
}

/*
 * Scans a string whose opening quote is at j->p. Without escapes j->str
 * points into the input; with escapes the decoded text goes to scratch.
 */
static int scan_string(struct tfjson *j)
{
	const unsigned char *p = (const unsigned char *)j->p + 1, *end = (const unsigned char *)j->end;
	const unsigned char *start = p;
	bool decoded = false;

	for (;;) {
		p = plain_run(p, end);
		if (p >= end) {
			j->p = j->end;
			fail(j, "unterminated string");
			return -1;
		}
		if (*p == '"')
			break;
		if (*p < 0x20) {
			j->p = (const char *)p;
			fail(j, "control character in a string");
			return -1;
		}
		if (*p >= 0x80) {
			size_t l = utf8_len(p, end);
			if (!l) {
				j->p = (const char *)p;
				fail(j, "invalid UTF-8 in a string");
				return -1;
			}
			p += l;
			continue;
		}
		/* backslash: switch to decoding into scratch */
		if (!decoded) {
			buf_reset(&j->scratch);
			decoded = true;
		}
		if (buf_add(&j->scratch, start, (size_t)(p - start)) < 0)
			goto toolong;
		if (p + 1 >= end) {
			j->p = j->end;
			fail(j, "unterminated string");
			return -1;
		}
		unsigned char c = p[1];
		char out = 0;
		switch (c) {
		case '"': out = '"'; break;
		case '\\': out = '\\'; break;
		case '/': out = '/'; break;
		case 'b': out = '\b'; break;
		case 'f': out = '\f'; break;
		case 'n': out = '\n'; break;
		case 'r': out = '\r'; break;
		case 't': out = '\t'; break;
		case 'u': {
			unsigned cp, lo;
			if (end - p < 6 || hex4((const char *)p + 2, &cp) < 0) {
				j->p = (const char *)p;
				fail(j, "bad \\u escape");
				return -1;
			}
			p += 6;
			if (cp >= 0xD800 && cp <= 0xDBFF) {
				if (end - p < 6 || p[0] != '\\' || p[1] != 'u' || hex4((const char *)p + 2, &lo) < 0 ||
				    lo < 0xDC00 || lo > 0xDFFF) {
					j->p = (const char *)p;
					fail(j, "unpaired UTF-16 surrogate in a \\u escape");
					return -1;
				}
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				p += 6;
			} else if (cp >= 0xDC00 && cp <= 0xDFFF) {
				j->p = (const char *)p - 6;
				fail(j, "unpaired UTF-16 surrogate in a \\u escape");
				return -1;
			}
			if (put_utf8(&j->scratch, cp) < 0)
				goto toolong;
			start = p;
			continue;
		}
		default:
			j->p = (const char *)p;
			fail(j, "unknown escape in a string");
			return -1;
		}
		if (buf_addc(&j->scratch, out) < 0)
			goto toolong;
		p += 2;
		start = p;
	}
	if (decoded) {
		if (buf_add(&j->scratch, start, (size_t)(p - start)) < 0)
			goto toolong;
		j->str = buf_str(&j->scratch);
	} else {
		j->str = str_make((const char *)start, (size_t)(p - start));
	}
	j->p = (const char *)p + 1;
	return 0;
toolong:
	fail(j, "string longer than the reader accepts");
	return -1;
}

static int scan_number(struct tfjson *j)
{
	const char *p = j->p, *end = j->end, *s = p;
	if (p < end && *p == '-')
		p++;
	if (p >= end || *p < '0' || *p > '9')
		goto bad;
	if (*p == '0')
		p++;
	else
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	if (p < end && *p == '.') {
		p++;
		if (p >= end || *p < '0' || *p > '9')
			goto bad;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (p >= end || *p < '0' || *p > '9')
			goto bad;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	j->str = str_make(s, (size_t)(p - s));
	j->p = p;
	return 0;
bad:
	j->p = p;
	fail(j, "malformed number");
	return -1;
}

static int scan_word(struct tfjson *j, const char *w, size_t n)
{
	if ((size_t)(j->end - j->p) < n || memcmp(j->p, w, n) != 0) {
		fail(j, "unexpected character");
		return -1;
	}
	j->p += n;
	return 0;
}

/* After a complete value: what may follow depends on the enclosing container. */
static void value_done(struct tfjson *j)
{
	j->state = j->depth == 0 ? S_DONE : S_AFTER;
}

static enum tfjson_tok scan_value(struct tfjson *j)
{
	char c = *j->p;
	j->tok_start = j->p;
	switch (c) {
	case '{':
	case '[':
		if (j->depth >= TFJSON_MAX_DEPTH)
			return fail(j, "nesting deeper than the reader accepts (256)");
		j->stack[j->depth++] = c == '{' ? 'o' : 'a';
		j->p++;
		j->state = c == '{' ? S_OBJ_FIRST : S_ARR_FIRST;
		return c == '{' ? TFJ_OBJ_BEGIN : TFJ_ARR_BEGIN;
	case '"':
		if (scan_string(j) < 0)
			return TFJ_ERROR;
		value_done(j);
		return TFJ_STRING;
	case 't':
		if (scan_word(j, "true", 4) < 0)
			return TFJ_ERROR;
		value_done(j);
		return TFJ_TRUE;
	case 'f':
		if (scan_word(j, "false", 5) < 0)
			return TFJ_ERROR;
		value_done(j);
		return TFJ_FALSE;
	case 'n':
		if (scan_word(j, "null", 4) < 0)
			return TFJ_ERROR;
		value_done(j);
		return TFJ_NULL;
	default:
		if (c == '-' || (c >= '0' && c <= '9')) {
			if (scan_number(j) < 0)
				return TFJ_ERROR;
			value_done(j);
			return TFJ_NUMBER;
		}
		return fail(j, "unexpected character");
	}
}

static enum tfjson_tok scan_key(struct tfjson *j)
{
	if (*j->p != '"')
		return fail(j, "expected a quoted member name");
	j->tok_start = j->p;
	if (scan_string(j) < 0)
		return TFJ_ERROR;
	skip_ws(j);
	if (j->p >= j->end || *j->p != ':')
		return fail(j, "expected ':' after a member name");
	j->p++;
	j->state = S_VALUE;
	return TFJ_KEY;
}

static enum tfjson_tok close_container(struct tfjson *j, char c)
{
	char want = c == '}' ? 'o' : 'a';
	if (j->depth == 0 || j->stack[j->depth - 1] != want)
		return fail(j, "mismatched bracket");
	j->tok_start = j->p;
	j->p++;
	j->depth--;
	value_done(j);
	return c == '}' ? TFJ_OBJ_END : TFJ_ARR_END;
}

enum tfjson_tok tfjson_next(struct tfjson *j)
{
	if (j->failed)
		return TFJ_ERROR;
	skip_ws(j);
	if (j->state == S_DONE) {
		if (j->p < j->end)
			return fail(j, "unexpected data after the top-level value");
		return TFJ_EOF;
	}
	if (j->p >= j->end)
		return fail(j, j->base == j->end ? "empty input" : "truncated input");
	char c = *j->p;
	switch (j->state) {
	case S_VALUE:
		return scan_value(j);
	case S_ARR_FIRST:
		if (c == ']')
			return close_container(j, c);
		return scan_value(j);
	case S_OBJ_FIRST:
		if (c == '}')
			return close_container(j, c);
		return scan_key(j);
	case S_OBJ_KEY:
		return scan_key(j);
	case S_AFTER:
		if (c == ',') {
			j->p++;
			skip_ws(j);
			if (j->p >= j->end)
				return fail(j, "truncated input");
			if (j->stack[j->depth - 1] == 'o') {
				j->state = S_OBJ_KEY;
				return scan_key(j);
			}
			return scan_value(j);
		}
		if (c == '}' || c == ']')
			return close_container(j, c);
		return fail(j, "expected ',' or a closing bracket");
	}
	BUG("tfjson: bad state %d", j->state);
}

int tfjson_skip(struct tfjson *j, enum tfjson_tok t)
{
	if (t == TFJ_ERROR)
		return -1;
	if (t != TFJ_OBJ_BEGIN && t != TFJ_ARR_BEGIN)
		return 0;
	int depth = j->depth - 1;
	for (;;) {
		enum tfjson_tok k = tfjson_next(j);
		if (k == TFJ_ERROR)
			return -1;
		if ((k == TFJ_OBJ_END || k == TFJ_ARR_END) && j->depth == depth)
			return 0;
		if (j->file_backed)
			tfjson_release_behind(j);
		if (k == TFJ_EOF)
			return -1; /* cannot happen: EOF comes only after the top level closes */
	}
}

bool tfjson_u64(struct str num, unsigned long long *out)
{
	return str_to_u64(num, out);
}

void tfjson_open_span(struct tfjson *j, const char *p, size_t n, const char *name, struct err *e)
{
	memset(j, 0, sizeof(*j));
	j->name = name ? name : "input";
	j->e = e;
	j->base = j->p = p;
	j->end = p + n;
	j->state = S_VALUE;
	buf_init(&j->scratch, TFJSON_MAX_STRING);
	buf_init(&j->key, TFJSON_MAX_STRING);
}

enum tfjson_tok tfjson_member(struct tfjson *j, struct str *key)
{
	enum tfjson_tok t = tfjson_next(j);
	if (t == TFJ_OBJ_END || t == TFJ_ERROR)
		return t;
	if (t != TFJ_KEY) /* the tokenizer's grammar allows only a key here */
		BUG("tfjson: token %d where an object member starts", (int)t);
	*key = j->str;
	if (j->scratch.p && key->p == j->scratch.p) {
		/* an escaped key lives in scratch, which the value's own escapes would overwrite */
		buf_reset(&j->key);
		buf_add(&j->key, key->p, key->n); /* cannot fail: scratch has the same bound */
		*key = buf_str(&j->key);
	}
	return tfjson_next(j);
}

int tfjson_each_object(struct tfjson *j, enum tfjson_tok t, int (*each)(void *ctx), void *ctx)
{
	if (t != TFJ_ARR_BEGIN)
		return tfjson_skip(j, t);
	for (;;) {
		t = tfjson_next(j);
		if (t == TFJ_ARR_END)
			return 0;
		if (t == TFJ_ERROR)
			return -1;
		if (t != TFJ_OBJ_BEGIN) {
			if (tfjson_skip(j, t) < 0)
				return -1;
			continue;
		}
		if (each(ctx) < 0)
			return -1;
		tfjson_release_behind(j);
	}
}

void tfjson_release_behind(struct tfjson *j)
{
	static size_t page;
	const size_t lag = 4u << 20, step = 16u << 20;
	if (!j->file_backed)
		return;
	if (!page)
		page = (size_t)sysconf(_SC_PAGESIZE);
	if (!j->released)
		j->released = j->base;
	if ((size_t)(j->p - j->released) < lag + step)
		return;
	uintptr_t from = ((uintptr_t)j->released + page - 1) & ~(uintptr_t)(page - 1);
	uintptr_t to = ((uintptr_t)(j->p - lag)) & ~(uintptr_t)(page - 1);
	if (to > from)
		madvise((void *)from, to - from, MADV_DONTNEED);
	j->released = (const char *)to;
}
