/*
 * tf_guard.h: what the guard's terraform rules ask the terraform module: the
 * real blast radius of a destroy (from the local state), the judgement of a
 * saved plan, and the state guard's evidence (lineage swapped, serial went
 * down, state missing). Called only for terraform / tofu / terragrunt
 * commands; it must stay fast (no terraform process unless the state is remote).
 */
#ifndef BW_TF_GUARD_H
#define BW_TF_GUARD_H

#include <stdbool.h>
#include <stddef.h>

#include "common/arena.h"
#include "common/err.h"
#include "guard/config.h"
#include "terraform/backend.h"
#include "terraform/journal.h"
#include "terraform/tfplan.h"
#include "terraform/tfstate.h"

struct tf_invocation {
	const char *tool;       /* "terraform", "tofu", "terragrunt" */
	const char *dir;        /* working directory after -chdir=, absolute */
	const char **args;      /* the arguments after the tool name (global options removed) */
	size_t nargs;
	const char *subcommand; /* "destroy", "apply", "plan", "state", ... or NULL */
	/* Added by the terraform module (zero = none): "NAME=value" assignments in force for the
	 * command (TF_WORKSPACE=prod terraform destroy; env wrappers). TF_WORKSPACE and TF_DATA_DIR are used. */
	const char *const *env;
	size_t nenv;
};

struct tf_assessment {
	bool decided;            /* false: nothing to add, the static rule stands */
	enum decision decision;
	const char *rule;        /* e.g. "terraform.state-swapped", "terraform.destroy-data" */
	const char *message;     /* the evidence: counts, data-bearing resources, lineage change */
	bool production;
};

/* Fills out (out->decided false when there is nothing to say). Never fails: problems become part of the message. */
void tf_guard_assess(struct arena *a, const struct tf_invocation *inv, const struct bw_config *cfg,
		     struct tf_assessment *out);

/* ---- the state guard, shared by the hook and `blastwall state` ---- */

struct sqlite3;

struct tf_state_finding {
	const char *rule;    /* "terraform.state-swapped", "terraform.state-missing", "terraform.state-local-prod", ... */
	const char *message; /* the evidence, in sentences */
	bool fires;          /* stops every state-changing command; false: a warning */
};

/* What the state guard saw in one directory. */
struct tf_state_view {
	struct tf_backend be;
	bool production;            /* the workspace or the directory is production (bw_config.prod) */
	const char *production_why; /* "workspace 'prod' matches '*prod*'", ... */
	bool state_read;            /* the state's bytes were read and parsed into st */
	struct tf_state st;
	struct tfj_snap obs;        /* what is there now */
	long long changed_at;       /* local files: when the file was last put in place (ctime), else 0 */
	long long modified_at;      /* local files: its mtime (an archive keeps the old one), else 0 */
	struct tfj_pin pin;         /* what was pinned before this look */
	enum tfj_kind kind;
	const char *pin_event;      /* the event written when the pin moved ("pin", "forward", ...), else NULL */
	const char *read_error;     /* the state could not be read (message), else NULL */
	struct tf_state_finding *f;
	size_t nf;
	bool fires;                 /* a finding fires */
};

struct tf_state_opts {
	const struct bw_config *cfg;       /* production patterns, extra data types; NULL: defaults */
	const struct tf_backend_env *env;  /* workspace / data dir overrides; NULL: the process environment */
	const char *tool;                  /* "terraform" or "tofu" for state pull; NULL: whichever is installed */
	bool pull;                         /* remote backends: run `state pull` (else the state is not read) */
	int pull_ms;                       /* budget for the pull; 0: tf_backend_pull_budget_ms() */
	bool full;                         /* parse the state even when the pinned file is unchanged */
	bool autopin;                      /* pin on first sight and forward moves */
	bool record;                       /* write detections to the journal's history */
	long long now;                     /* unix seconds; 0: time(NULL) */
};

/*
 * Looks at the state of dir: detects the backend, reads the state (local
 * file; remote only with o->pull), judges it against the journal (db may be
 * NULL: no pin, nothing recorded) and lists the findings. Fails only when
 * the directory or its backend settings cannot be read or the journal fails;
 * an unreadable state is a finding.
 */
int tf_state_inspect(struct arena *a, struct sqlite3 *db, const char *dir, const struct tf_state_opts *o,
		     struct tf_state_view *out, struct err *e);

/*
 * Adds the findings a saved plan brings to v: its prior state's lineage
 * against the pin (binary plans), and the "missing state" smell: a plan that
 * creates (nearly) everything from an empty prior state. With a pin or a
 * backup that held resources it fires; without such evidence it warns.
 */
void tf_state_judge_plan(struct arena *a, struct tf_state_view *v, const struct tf_plan *plan);

/* The one-paragraph evidence of every finding of v, or NULL when there is none. */
const char *tf_state_evidence(struct arena *a, const struct tf_state_view *v);

/* True when workspace or dir is production per cfg (NULL cfg: names containing "prod"); why says which pattern. */
bool tf_is_production(struct arena *a, const struct bw_config *cfg, const struct tf_backend *be, const char **why);

#endif
