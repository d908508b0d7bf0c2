/*
 * tfread.h: helpers shared by the plan and state readers (internal to
 * src/terraform): mapping a file, capturing a resource's attributes from the
 * token stream, building addresses. Everything is allocated from the
 * caller's arena; a mapping is unmapped when the arena is released.
 */
#ifndef BW_TFREAD_H
#define BW_TFREAD_H

#include "common/arena.h"
#include "common/err.h"
#include "terraform/tfjson.h"
#include "terraform/tfstate.h"

/* Limits on what is kept per resource (beyond them the rest is skipped). */
#define TF_MAX_ATTRS 256
#define TF_MAX_ATTR_DEPTH 12
#define TF_MAX_ATTR_VAL 512

/* Maps (or reads, for non-regular files; "-" is stdin) path; out stays valid until a is released. */
int tf_map_file(struct arena *a, const char *path, size_t max, struct str *out, struct err *e);
/* Whether s came from tf_map_file as a file mapping (not a heap copy). */
bool tf_is_mapped(struct arena *a, struct str s);
/* BLAKE2b-256 of the bytes as lowercase hex (change detection; ~3x faster than libsodium's SHA-256). */
/* With drop (p is a file mapping: see tf_is_mapped), hashed pages are given back to the kernel. */
void tf_digest_hex(const void *p, size_t n, char out[65], bool drop);

/* What to keep of a resource's attributes. */
enum tf_keep {
	TF_KEEP_NONE = 0, /* skip them */
	TF_KEEP_JUDGED,   /* only the attributes some data-type judge reads (and "id") */
	TF_KEEP_ALL,      /* every scalar (tests, fuzzing) */
};
/* What the reader keeps for this type under o. */
enum tf_keep tf_read_keep(const struct tf_read_opts *o, const char *type);

/*
 * t is the token that starts the attributes value. Unless keep is NONE,
 * scalars are flattened into out ("a.0.b" = text); otherwise the value is
 * only skipped.
 */
int tf_capture_attrs(struct arena *a, struct tfjson *j, enum tfjson_tok t, enum tf_keep keep, struct tf_attrs *out);

/* A value span recorded while skipping, for a second look once the type is known. */
struct tf_span {
	const char *p;
	size_t n;
};
/* Skips the value started by t and records its span. */
int tf_skip_span(struct tfjson *j, enum tfjson_tok t, struct tf_span *sp);
/* Captures the attributes held in a span. */
int tf_capture_span(struct arena *a, const struct tf_span *sp, const char *name, enum tf_keep keep,
		    struct tf_attrs *out,
		    struct err *e);

/* Reads an array of strings (other elements skipped); t must be the token that starts it. */
int tf_read_strings(struct arena *a, struct tfjson *j, enum tfjson_tok t, const char ***out, size_t *n);

/* "[0]" / "[\"k\"]" text for an index value token (number or string), NULL for null. */
const char *tf_index_text(struct arena *a, enum tfjson_tok t, struct str v);
/* The full instance address from its parts (module "" for root). */
const char *tf_make_address(struct arena *a, const char *module, enum tf_mode mode, const char *type,
			    const char *name, const char *index);
/* Sets r->id from the "id" attribute when kept. */
void tf_resource_finish(struct tf_resource *r);

/* Fails with a message naming the file when t is an error or not the expected kind. */
int tf_expect(struct tfjson *j, enum tfjson_tok t, enum tfjson_tok want, const char *what);

/*
 * Reads a `show -json` "values" object (root_module and child_modules) whose
 * first token is t, appending its resources to st (state and plan prior_state).
 * With o->no_attrs only st->nmanaged and st->ndata are counted: no resource
 * is kept (plan JSON prior_state and planned_values).
 */
int tf_read_show_values(struct arena *a, struct tfjson *j, enum tfjson_tok t, const struct tf_read_opts *o,
			struct tf_state *st, struct err *e);

/* Copies the current string token. */
static inline const char *tf_tokstr(struct arena *a, const struct tfjson *j)
{
	return arena_strndup(a, j->str.p, j->str.n);
}

#endif
