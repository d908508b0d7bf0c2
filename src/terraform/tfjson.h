/*
 * tfjson.h: a strict pull tokenizer for JSON, used by the Terraform plan and
 * state readers. The caller asks for one token at a time and keeps only what
 * it needs, so a 100k-resource plan is read in one pass without building a
 * tree. Nesting is bounded (TFJSON_MAX_DEPTH) and nothing recurses, so hostile
 * input cannot exhaust the stack; every string, number and container is
 * checked against RFC 8259 (UTF-8 validity, escapes, surrogate pairs).
 *
 * Ownership: the tokenizer never owns the input. String values point into the
 * input when they hold no escape, otherwise into a scratch buffer owned by the
 * tokenizer that is valid until the next call; copy with arena_strndup to keep
 * them. tfjson_open handles a UTF-8 BOM and transcodes UTF-16 (LE/BE, with or
 * without BOM) into an arena copy.
 */
#ifndef BW_TFJSON_H
#define BW_TFJSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/str.h"

#define TFJSON_MAX_DEPTH 256
/* Longest decoded string kept in the scratch buffer (longer ones are an error). */
#define TFJSON_MAX_STRING (64u << 20)

enum tfjson_tok {
	TFJ_ERROR = -1,
	TFJ_EOF = 0,   /* end of the single top-level value (trailing white space only) */
	TFJ_OBJ_BEGIN, /* { */
	TFJ_OBJ_END,   /* } */
	TFJ_ARR_BEGIN, /* [ */
	TFJ_ARR_END,   /* ] */
	TFJ_KEY,       /* an object member name; j->str holds it */
	TFJ_STRING,    /* j->str */
	TFJ_NUMBER,    /* j->str holds the literal text (big numbers are kept exact) */
	TFJ_TRUE,
	TFJ_FALSE,
	TFJ_NULL,
};

struct tfjson {
	const char *base, *p, *end; /* the whole input, the cursor */
	const char *name;           /* for messages: the file name */
	struct str str;             /* value of the last KEY/STRING/NUMBER token */
	const char *tok_start;      /* where the last token started in the input */
	int depth;
	uint8_t stack[TFJSON_MAX_DEPTH]; /* 'o' or 'a' per open container */
	uint8_t state;              /* internal: what may come next */
	bool failed;
	struct buf scratch;         /* decoded strings with escapes */
	struct buf key;             /* tfjson_member: a decoded key, kept while its value is read */
	struct err *e;              /* filled on TFJ_ERROR */
	const char *released;       /* tfjson_release_behind: up to here pages were dropped */
	bool file_backed;           /* set by the caller for a file mapping: see tfjson_release_behind */
};

/*
 * Prepares j over data/n. When the data is UTF-16 or starts with a BOM, it is
 * transcoded into (or trimmed within) an arena copy first. name is used in
 * messages. Returns 0, or -1 with e set (bad encoding). tfjson_release frees
 * the scratch buffer.
 */
int tfjson_open(struct tfjson *j, struct arena *a, const char *data, size_t n, const char *name, struct err *e);
void tfjson_release(struct tfjson *j);
/*
 * Prepares j over a span of already-decoded input (from tok_start/offsets of
 * another tokenizer over the same text) holding exactly one JSON value, for a
 * second look at a part that was skipped. No transcoding.
 */
void tfjson_open_span(struct tfjson *j, const char *p, size_t n, const char *name, struct err *e);

/* The next token; TFJ_ERROR (e set, sticky) on malformed input. */
enum tfjson_tok tfjson_next(struct tfjson *j);

/*
 * In an object whose opening brace has been read: the next member. Sets
 * *key (valid until the next tfjson_member call on j, even when the value is
 * a string with escapes of its own) and returns the first token of its
 * value; TFJ_OBJ_END after the last member; TFJ_ERROR (e set) on malformed
 * input.
 */
enum tfjson_tok tfjson_member(struct tfjson *j, struct str *key);

/*
 * Skips the value that starts with token t (just returned by tfjson_next):
 * a scalar is already complete; a container is skipped to its end, still
 * validating. Returns 0 or -1 (e set).
 */
int tfjson_skip(struct tfjson *j, enum tfjson_tok t);

/*
 * For the array that starts with token t (just returned by tfjson_next):
 * calls each(ctx) once per element that is an object, with the object's
 * opening brace consumed; each reads it through its closing brace. Other
 * elements are skipped, and a value that is not an array is skipped whole.
 * Pages behind the cursor are released after every element. Returns 0, or
 * -1 when the input or each fails.
 */
int tfjson_each_object(struct tfjson *j, enum tfjson_tok t, int (*each)(void *ctx), void *ctx);

/*
 * When j->file_backed is set (the input is a read-only MAP_PRIVATE file
 * mapping, never written): hands the pages more than a few MiB behind the
 * cursor back to the kernel, so that a long single pass keeps a bounded
 * resident set. Pages touched again are read again from the file, so a
 * struct str into that region stays correct (only slower). A no-op
 * otherwise: dropped heap pages would read back as zeroes. Cheap enough to
 * call once per element; tfjson_skip calls it as it goes.
 */
void tfjson_release_behind(struct tfjson *j);

/* Byte offset of the cursor in the (possibly transcoded) input. */
static inline size_t tfjson_offset(const struct tfjson *j)
{
	return (size_t)(j->p - j->base);
}

/* 1-based line number of an offset, for messages. */
size_t tfjson_line_of(const struct tfjson *j, size_t off);

/* Parses a NUMBER token's text as a non-negative integer; false if it is not one or overflows. */
bool tfjson_u64(struct str num, unsigned long long *out);

#endif
