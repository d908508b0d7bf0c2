/*
 * tfplan.h: Terraform plans, from the JSON of `terraform show -json PLANFILE`
 * (format_version 0.1 to 1.x; an unknown major version is refused) or from a
 * binary plan file (the zip `terraform plan -out` writes). For a binary plan
 * the embedded prior state (tfstate: lineage, serial, the attributes of what
 * will be deleted) is read directly; the changes come from running
 * `terraform show -json` / `tofu show -json` within a time budget, or, when
 * no binary can read it, from decoding the embedded protobuf `tfplan`
 * (actions and addresses; before values then come from the prior state).
 * Only what the blast radius needs is kept (see tfstate.h). Arena-allocated.
 */
#ifndef BW_TFPLAN_H
#define BW_TFPLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "common/arena.h"
#include "common/buf.h"
#include "common/err.h"
#include "terraform/tfstate.h"

/* One value per change.actions combination. */
enum tf_action {
	TF_ACT_NOOP = 0,    /* ["no-op"] */
	TF_ACT_CREATE,      /* ["create"] */
	TF_ACT_READ,        /* ["read"] (data sources) */
	TF_ACT_UPDATE,      /* ["update"] */
	TF_ACT_DELETE,      /* ["delete"] */
	TF_ACT_REPLACE_DC,  /* ["delete","create"]: deletes first */
	TF_ACT_REPLACE_CD,  /* ["create","delete"]: create_before_destroy */
	TF_ACT_FORGET,      /* ["forget"]: removed from state, not destroyed */
	TF_ACT_UNKNOWN,     /* anything else (kept, reported, counted apart) */
	TF_ACT_COUNT
};
/* "no-op", "create", "read", "update", "delete", "delete-create", "create-delete", "forget", "unknown". */
const char *tf_action_name(enum tf_action a);
/* The action deletes the existing object (delete or either replace). */
static inline bool tf_action_deletes(enum tf_action a)
{
	return a == TF_ACT_DELETE || a == TF_ACT_REPLACE_DC || a == TF_ACT_REPLACE_CD;
}
static inline bool tf_action_replaces(enum tf_action a)
{
	return a == TF_ACT_REPLACE_DC || a == TF_ACT_REPLACE_CD;
}

struct tf_change {
	struct tf_resource r;      /* identity; attrs = change.before (data-bearing types only) */
	enum tf_action action;
	const char *action_reason; /* "replace_because_cannot_update", ... or NULL */
	const char *previous_address; /* moved from, or NULL */
	struct tf_attrs after;     /* change.after, kept like before (plan JSON only; empty when null or unknown) */
	bool has_after;            /* change.after was an object */
	bool importing;            /* change.importing: the resource is imported (Terraform 1.5+) */
};

enum tf_plan_form { TF_PLAN_JSON, TF_PLAN_BINARY };

/* Where the changes of a binary plan came from. */
enum tf_changes_src {
	TF_CHANGES_JSON,     /* the plan was JSON */
	TF_CHANGES_SHOW,     /* terraform/tofu show -json */
	TF_CHANGES_PROTOBUF, /* decoded from the embedded tfplan */
	TF_CHANGES_NONE,     /* unknown: see changes_note */
};

struct tf_plan {
	const char *path;
	enum tf_plan_form form;
	const char *format_version;    /* JSON only */
	const char *terraform_version; /* who made the plan, when known */
	bool errored;                  /* "errored": true, or protobuf errored: Terraform refuses to apply it */
	bool destroy_mode;             /* protobuf ui_mode destroy, or every managed change deletes (and there is one) */
	bool applyable_known, applyable;

	struct tf_change *changes;     /* resource_changes in order (managed and data) */
	size_t nchanges;
	size_t counts[TF_ACT_COUNT];   /* managed resources only; data reads are counted in ndata_reads */
	size_t ndata_reads;
	size_t nimports;               /* managed changes that import an existing object */
	size_t ndrift;                 /* resource_drift entries */
	size_t noutput_changes;        /* output_changes entries whose actions are not ["no-op"] */

	/* prior state: from plan JSON prior_state (no lineage/serial there) or the binary plan's tfstate */
	bool has_prior;
	const char *prior_terraform_version;
	size_t prior_nmanaged;         /* managed instances in the prior state */
	const char *prior_lineage;     /* binary plans only */
	unsigned long long prior_serial;
	bool has_prior_serial;
	struct tf_state prior;         /* binary plans: the embedded state in full (form RAW); zeroed for JSON */

	enum tf_changes_src changes_src;
	const char *changes_note;      /* why the changes are unknown or partial, or NULL */
	const char *tool;              /* the binary that produced the changes, or NULL */
};

struct tf_plan_opts {
	struct tf_read_opts read;
	const char *terraform;         /* --terraform PATH: the binary for binary plans (NULL: auto) */
	bool no_exec;                  /* never run a binary: protobuf decoding only (the hook's hot path) */
	int timeout_ms;                /* budget for `show -json`; 0 = 20000 */
};

/*
 * Reads a plan: JSON (by content, any file name) or a binary plan (zip magic).
 * A state file given as a plan is an error that says so. Returns 0, or -1
 * with e set. A binary plan whose changes cannot be obtained is NOT an error:
 * changes_src = TF_CHANGES_NONE, changes_note says why, and the prior state's
 * lineage/serial are still filled.
 */
int tfplan_load(struct arena *a, const char *path, const struct tf_plan_opts *o, struct tf_plan *out,
		struct err *e);
/* Plan JSON in memory. */
int tfplan_parse_json(struct arena *a, const char *data, size_t n, const char *name, const struct tf_plan_opts *o,
		      struct tf_plan *out, struct err *e);
/* A binary plan in memory (no binary is run: protobuf decoding; name is used in messages). */
int tfplan_parse_zip(struct arena *a, const char *data, size_t n, const char *name, const struct tf_plan_opts *o,
		     struct tf_plan *out, struct err *e);

/*
 * The "missing state" smell: the prior state is empty (or absent) and every
 * managed change is a create. Applying such a plan where the resources exist
 * duplicates them or fails half-way; usually the state file was lost.
 */
bool tfplan_creates_from_empty(const struct tf_plan *p);

/* True when the bytes look like a zip (binary plan file). */
bool tfplan_is_zip(const char *data, size_t n);

/*
 * Extracts one member of a zip held in memory into out (stored or deflate;
 * at most max bytes). Returns 0, 1 when the member is absent, -1 on a
 * damaged archive (e set).
 */
int tfzip_extract(const char *zip, size_t n, const char *member, size_t max, struct buf *out, struct err *e);

#endif
