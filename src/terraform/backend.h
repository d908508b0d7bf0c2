/*
 * backend.h: where a Terraform working directory keeps its state. Reads
 * what `terraform init` left in the data directory (.terraform, or
 * $TF_DATA_DIR): the backend type, its configuration hash and the selected
 * workspace, and works out the local state file's path the way Terraform's
 * local backend does. For remote backends (s3, gcs, remote, cloud, http, ...)
 * tf_backend_pull runs `terraform state pull` under a time budget; nothing
 * else here starts a process, so detection is cheap enough for the hook.
 * Everything is allocated from the caller's arena.
 */
#ifndef BW_TF_BACKEND_H
#define BW_TF_BACKEND_H

#include <stdbool.h>

#include "common/arena.h"
#include "common/buf.h"
#include "common/err.h"

struct tf_backend {
	const char *dir;            /* the working directory, absolute and normalised */
	const char *data_dir;       /* .terraform or $TF_DATA_DIR, absolute */
	bool initialised;           /* the data directory exists */
	const char *type;           /* "local" when no backend is configured, else "s3", "gcs", "cloud", ... */
	bool remote;                /* type is not "local" */
	const char *config_hash;    /* the backend configuration hash Terraform recorded, or NULL */
	const char *workspace;      /* the selected workspace, "default" when none */
	const char *workspace_from; /* "TF_WORKSPACE", "<data_dir>/environment" or "default" */
	const char *state_path;     /* local backends: absolute path of the workspace's state file; else NULL */
	const char *key;            /* stable journal key for this state: "local:<state_path>" or "<type>:<hash>" */
};

/* Overrides for detection: NULL fields are taken from the environment (getenv), "" means unset. */
struct tf_backend_env {
	const char *tf_workspace; /* TF_WORKSPACE */
	const char *tf_data_dir;  /* TF_DATA_DIR */
	const char *state_flag;   /* a -state=FILE given on the command line (local backend only) */
};

/*
 * Detects the backend and workspace of dir (relative paths are taken against
 * the process's cwd). Fails only when dir does not exist or the backend file
 * is unreadable or malformed (the message says which file and what to do).
 */
int tf_backend_detect(struct arena *a, const char *dir, const struct tf_backend_env *env,
		      struct tf_backend *out, struct err *e);

/* The default budget for tf_backend_pull in milliseconds: $BLASTWALL_TF_PULL_TIMEOUT (seconds), else 5 s. */
int tf_backend_pull_budget_ms(void);

/*
 * Runs `TOOL -chdir=DIR state pull` (TOOL "tofu" prefers tofu; anything else
 * prefers terraform; whichever is on PATH is used, see tfexec_find) with
 * TF_WORKSPACE set to the detected workspace, no input, and appends the
 * state JSON to out. Kills the process when budget_ms runs out. Fails with a
 * message naming the tool, the time spent and terraform's own stderr.
 */
int tf_backend_pull(struct arena *a, const struct tf_backend *b, const char *tool, int budget_ms, struct buf *out,
		    struct err *e);

#endif
