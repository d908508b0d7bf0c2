/*
 * tfstate.h: Terraform state, read from any of the forms users have:
 *   - a raw state file as Terraform writes it ("version": 4; 3 with modules[];
 *     1), and the OpenTofu encrypted-state envelope, whose lineage and serial
 *     are in clear but whose resources are not readable;
 *   - the state JSON of `terraform show -json` (values.root_module and its
 *     child_modules), which has no lineage or serial.
 * Only what the blast radius, posture and the state journal need is kept:
 * identity (lineage, serial, version), the resource instances (address, type,
 * mode, provider, dependencies) and, for data-bearing types only, their
 * attributes flattened to "path.0.key" = scalar text. A 100k-resource state
 * costs a few hundred bytes per instance. Everything is arena-allocated; the
 * input buffer is not referenced after tfstate_parse returns.
 */
#ifndef BW_TFSTATE_H
#define BW_TFSTATE_H

#include <stdbool.h>
#include <stddef.h>

#include "common/arena.h"
#include "common/err.h"

/* One attribute: key is the flattened path ("point_in_time_recovery.0.enabled"), val the scalar text. */
enum tf_attr_kind { TF_ATTR_STRING, TF_ATTR_NUMBER, TF_ATTR_BOOL, TF_ATTR_NULL };
struct tf_attr {
	const char *key;
	const char *val; /* string unquoted; number as written; "true"/"false"; "" for null */
	enum tf_attr_kind kind;
};
struct tf_attrs {
	struct tf_attr *v;
	size_t n;
};
/* The attribute's value, or NULL when absent (a JSON null gives "" with kind NULL: use tf_attr_find). */
const char *tf_attr_get(const struct tf_attrs *as, const char *key);
const struct tf_attr *tf_attr_find(const struct tf_attrs *as, const char *key);
/* true/false for "true"/"false" (also "1"/"0" as v3 flat states write them); dflt when absent or null. */
bool tf_attr_bool(const struct tf_attrs *as, const char *key, bool dflt);
/* Integer value; dflt when absent, null or not an integer. */
long long tf_attr_int(const struct tf_attrs *as, const char *key, long long dflt);

enum tf_mode { TF_MODE_MANAGED = 0, TF_MODE_DATA = 1 };

/* A resource instance (of a state), or the resource of a plan change. */
struct tf_resource {
	const char *address;  /* "module.a.aws_db_instance.main[0]" (data sources: "data.x.y") */
	const char *module;   /* "" for the root module, else "module.a" / "module.a[\"k\"].module.b" */
	enum tf_mode mode;
	const char *type;
	const char *name;
	const char *index;    /* NULL, "0" or "\"key\"" as it appears in the address */
	const char *provider; /* provider_name / provider config, may be NULL */
	const char *id;       /* the "id" attribute when present (any type), else NULL */
	const char *deposed;  /* deposed object key, else NULL */
	bool tainted;
	bool attrs_kept;      /* attributes were captured (data-bearing or listed type) */
	struct tf_attrs attrs;
	const char **deps;    /* "dependencies"/"depends_on": resource addresses (no instance keys) */
	size_t ndeps;
};

/* What the readers keep. A NULL opts means the defaults. */
struct tf_read_opts {
	const char *const *extra_types; /* more types whose attributes are kept (bw_config.tf_data_types; globs) */
	size_t nextra_types;
	bool keep_all_attrs;            /* keep every attribute of every resource (tests, fuzzing) */
	bool no_attrs;                  /* keep no attributes at all (identity and counts only) */
	size_t max_bytes;               /* largest file accepted; 0 = 2 GiB */
};

/*
 * True when the reader keeps attributes of this type (built-in table or
 * opts->extra_types): then only those the data-type judges read, plus "id".
 */
bool tf_read_wants_attrs(const struct tf_read_opts *o, const char *type);

enum tf_state_form {
	TF_STATE_RAW,       /* a raw state file (version 1, 3 or 4) */
	TF_STATE_SHOW_JSON, /* terraform show -json output: no lineage, no serial */
	TF_STATE_ENCRYPTED, /* OpenTofu encrypted envelope: identity only */
	TF_STATE_EMPTY,     /* a 0-byte or white-space-only file (Terraform treats it as no state) */
};

struct tf_state {
	const char *path;               /* as given, or the name passed to tfstate_parse */
	enum tf_state_form form;
	int version;                    /* 1, 3, 4 for raw states; 0 otherwise */
	const char *lineage;            /* NULL when the form has none */
	unsigned long long serial;
	bool has_serial;
	const char *terraform_version;  /* NULL when absent */
	const char *format_version;     /* show -json only */
	struct tf_resource *res;        /* every instance, managed and data, in file order */
	size_t nres;
	size_t nmanaged;                /* managed instances (what Terraform would destroy) */
	size_t ndata;                   /* data-source instances */
	char digest[65];                /* BLAKE2b-256 (hex) of the file bytes as read */
	const char *note;               /* e.g. "encrypted state: resources are not readable", or NULL */
};

/*
 * Reads a state file. An empty file gives form TF_STATE_EMPTY with no
 * resources (not an error). A plan file or a non-state JSON document is an
 * error naming what it is. Returns 0, or -1 with e set ("cannot read state
 * 'x': ..." plus a hint).
 */
int tfstate_load(struct arena *a, const char *path, const struct tf_read_opts *o, struct tf_state *out,
		 struct err *e);
/* The same over bytes in memory (name is used in messages and as out->path). */
int tfstate_parse(struct arena *a, const char *data, size_t n, const char *name, const struct tf_read_opts *o,
		  struct tf_state *out, struct err *e);

/* The instance with this exact address (non-deposed), or NULL. Linear; build your own index for many lookups. */
const struct tf_resource *tfstate_find(const struct tf_state *st, const char *address);

/* "4", "3", "show-json", "encrypted", "empty": for messages and JSON. */
const char *tfstate_form_name(const struct tf_state *st);

#endif
