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
#include "guard/config.h"

struct tf_invocation {
	const char *tool;       /* "terraform", "tofu", "terragrunt" */
	const char *dir;        /* working directory after -chdir=, absolute */
	const char **args;      /* the arguments after the tool name (global options removed) */
	size_t nargs;
	const char *subcommand; /* "destroy", "apply", "plan", "state", ... or NULL */
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

#endif
