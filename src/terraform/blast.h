/*
 * blast.h: the blast radius of a plan, of destroying a whole state, or of a
 * -target'ed destroy: counts by action and every deleted or replaced resource
 * ranked by what its deletion loses, judged from the attributes the provider
 * will use at delete time (the state or the plan's `before` values). The
 * knowledge of which types hold data and which attributes protect them lives
 * in datatypes.c; each finding names what is lost and the attribute to change.
 * Findings point into the plan/state they were made from (same arena).
 */
#ifndef BW_BLAST_H
#define BW_BLAST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "common/arena.h"
#include "common/buf.h"
#include "common/err.h"
#include "guard/config.h"
#include "terraform/tfplan.h"
#include "terraform/tfstate.h"

/* How bad deleting one resource is, worst last (the ranking key). */
enum tf_severity {
	TF_SEV_NONE = 0,    /* nothing known to be lost */
	TF_SEV_OUTAGE,      /* no data, but a service goes away (load balancer, DNS zone, cluster, IP) */
	TF_SEV_PROTECTED,   /* holds data, but deletion is refused (deletion_protection, prevent-style config) */
	TF_SEV_RECOVERABLE, /* holds data, a copy survives (final snapshot, retained backups, soft delete window) */
	TF_SEV_CASCADE,     /* a container: deleting it deletes what is inside (resource group, project, VPC) */
	TF_SEV_DATA,        /* holds data and nothing survives the deletion */
};
/* "none", "outage", "protected", "recoverable", "cascade", "data-loss". */
const char *tf_severity_name(enum tf_severity s);

/* What blast radius is computed over. */
enum tf_blast_kind { TF_BLAST_PLAN, TF_BLAST_DESTROY, TF_BLAST_TARGET, TF_BLAST_POSTURE };

struct tf_finding {
	const struct tf_resource *r;
	enum tf_action action;        /* TF_ACT_DELETE for state destroys; the plan's action otherwise */
	const char *action_reason;    /* from the plan, or "dependent of -target X", or NULL */
	enum tf_severity sev;
	const char *what;             /* "RDS database instance", NULL for unknown types */
	const char **reasons;         /* "deletion_protection=false", "automated backups are deleted with it", ... */
	size_t nreasons;
	const char **fixes;           /* "set deletion_protection = true", ... */
	size_t nfixes;
	bool configured;              /* matched bw_config tf_protect (address or type glob): always data */
	bool holds_data;              /* a data-bearing type (built in or tf_data_types) */
};

/* Policy from the configuration: extra protected addresses/types and data-bearing types. */
struct tf_policy {
	const char *const *protect; size_t nprotect;       /* address or type globs */
	const char *const *data_types; size_t ndata_types; /* type globs */
};
/* Fills p from cfg (NULL cfg: empty policy). The policy points into cfg. */
void tf_policy_from_config(struct tf_policy *p, const struct bw_config *cfg);
/* The tf_read_opts that keep attributes for the policy's extra data types. */
void tf_policy_read_opts(const struct tf_policy *p, struct tf_read_opts *o);

struct tf_blast {
	enum tf_blast_kind kind;
	size_t counts[TF_ACT_COUNT];  /* managed resources by action */
	size_t ndeleted;              /* managed resources deleted or replaced */
	size_t nholding_data;         /* of those, data-bearing (holds_data or configured) */
	size_t nlost;                 /* of those, severity DATA or CASCADE */
	struct tf_finding *f;         /* every deleted/replaced resource, worst first, then by address */
	size_t nf;
	enum tf_severity worst;
	const char **unmatched_targets; size_t nunmatched_targets; /* -target addresses matching nothing */
	bool unreadable;              /* the resources could not be read (encrypted state): counts are unknown */
};

/* Blast radius of a plan (every managed delete/replace). */
void blast_from_plan(struct arena *a, const struct tf_plan *plan, const struct tf_policy *pol, struct tf_blast *out);

/*
 * Blast radius of `terraform destroy` on st: ntargets == 0 means everything
 * managed; otherwise what -target=ADDR would destroy: the instances matching
 * each target (a resource address matches all its instances, a module address
 * everything inside) plus, as Terraform does, everything that depends on
 * them (from the state's dependencies, transitively).
 */
void blast_from_state(struct arena *a, const struct tf_state *st, const char *const *targets, size_t ntargets,
		      const struct tf_policy *pol, struct tf_blast *out);

/*
 * Posture: every managed data-bearing resource of st whose single destroy
 * would lose data for good (severity DATA or CASCADE, plus RECOVERABLE ones
 * with a short window), each with the attribute to change. kind = POSTURE.
 */
void blast_posture(struct arena *a, const struct tf_resource *res, size_t nres, const struct tf_policy *pol,
		   struct tf_blast *out);

/* Judges one resource as if deleted (what blast_* use per resource). */
void blast_judge(struct arena *a, const struct tf_resource *r, const struct tf_policy *pol, struct tf_finding *out);

/*
 * The short guard summary:
 * "would delete 63 resources, 4 of them holding data: aws_db_instance.courses
 *  (deletion_protection=false; automated backups are deleted with it; no final
 *  snapshot is taken), ... and 2 more"
 * At most max_items findings are spelled out (0 = 4). Never NULL.
 */
const char *blast_summary(struct arena *a, const struct tf_blast *b, size_t max_items);

/* Appends the full report as text (colour per term.h for f; f may be NULL for none). */
void blast_render_text(struct buf *out, const struct tf_blast *b, FILE *f);

/* Appends the findings as a JSON array (doc/json/plan.md, "findings"). */
void blast_render_json(struct buf *out, const struct tf_blast *b);

/* Appends the findings as a Markdown table (pull-request comments). */
void blast_render_markdown(struct buf *out, const struct tf_blast *b, size_t max_rows);

#endif
