/*
 * config.h: blastwall's configuration: the user file
 * ($BLASTWALL_CONFIG_DIR or ~/.config/blastwall/config.yaml) and the nearest
 * .blastwall.yaml found by walking up from the command's cwd (project values
 * are applied after the user's). Parsed with libyaml. Everything is allocated
 * from the caller's arena.
 *
 * A file that cannot be parsed does not stop the guard: config_load returns 0
 * with cfg->broken set and cfg->broken_msg naming file and line; the guard
 * then fails closed for risky commands and open for harmless ones.
 */
#ifndef BW_CONFIG_H
#define BW_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "common/arena.h"
#include "common/err.h"

enum decision { DECISION_ALLOW = 0, DECISION_ASK = 1, DECISION_DENY = 2 };
/* "allow", "ask", "deny" */
const char *decision_name(enum decision d);
/* Parses "allow" / "ask" / "deny"; -1 for anything else. */
int decision_parse(const char *s, enum decision *out);

struct rule_override {
	const char *rule;       /* a rule id or a glob over ids ("aws.*") */
	enum decision decision;
	bool prod_only;         /* applies only when the target is production */
	bool project;           /* from a project .blastwall.yaml (not the user file) */
};

/* What counts as production. Each list holds glob patterns. */
struct prod_config {
	const char **tf_workspaces; size_t ntf_workspaces;
	const char **aws_profiles; size_t naws_profiles;
	const char **kube_contexts; size_t nkube_contexts;
	const char **gcloud_projects; size_t ngcloud_projects;
	const char **db_hosts; size_t ndb_hosts;   /* host names or connection-string globs */
	const char **paths; size_t npaths;         /* directory globs: commands run there are production */
};

struct drill_check {
	const char *name;
	const char *sql;
	const char *expect;  /* "equals", "at_least", "at_most", "nonzero" */
	const char *value;   /* for equals/at_least/at_most */
};

struct bw_config {
	const char *files[2]; size_t nfiles;  /* files that were loaded, user first */
	bool broken;                           /* a file failed to parse */
	const char *broken_msg;                /* "FILE:LINE: problem" */

	struct rule_override *overrides; size_t noverrides;
	const char **allow_exact; size_t nallow_exact;     /* whole commands always allowed */
	const char **allow_patterns; size_t nallow_patterns; /* globs over the whole command */
	struct prod_config prod;
	bool audit_allow;                      /* also log allowed commands */
	bool audit_allow_set;                  /* a file set audit.log_allowed */

	/* terraform (see src/terraform) */
	const char **tf_protect; size_t ntf_protect;       /* resource addresses or types (globs) */
	const char **tf_data_types; size_t ntf_data_types; /* extra data-bearing resource types */

	/* backups and drills (see src/backup) */
	struct drill_check *drill_checks; size_t ndrill_checks;
	long drill_max_age_hours;              /* newest snapshot older than this fails a drill; 0 = default 26 */

	/* "FILE:LINE: unknown key 'x' (ignored)": not fatal; print with config_print_warnings */
	const char **warnings; size_t nwarnings;
};

/*
 * Loads the user file and the nearest .blastwall.yaml above cwd into cfg
 * (zeroed first, defaults applied: production = names containing "prod").
 * Returns -1 only for errors that are not the file's fault (out of memory is
 * fatal anyway); a malformed file sets cfg->broken instead.
 */
int config_load(struct arena *a, const char *cwd, struct bw_config *cfg, struct err *e);

/* Loads exactly one file (for tests and "blastwall config check"). */
int config_load_file(struct arena *a, const char *path, struct bw_config *cfg, struct err *e);

/* Loads YAML text as if it were the file name (for the fuzzer); always 0, problems set cfg->broken. */
int config_load_text(struct arena *a, const char *name, const char *text, size_t n, struct bw_config *cfg);

/*
 * The override for rule id (last match wins), or -1 when none. The rules
 * that protect blastwall itself ("blastwall.*") take overrides only from the
 * user file: a repository that ships a .blastwall.yaml must not be able to
 * switch off the guard's protection of its own configuration.
 */
int config_rule_decision(const struct bw_config *cfg, const char *rule_id, bool prod);

/* True when name matches one of the globs (a production list). */
bool config_prod_match(const char *const *globs, size_t n, const char *name);

/* True when the whole command (trimmed) is an allow entry or matches an allow pattern. */
bool config_allows(const struct bw_config *cfg, const char *command);

/*
 * The nearest .blastwall.yaml at or above cwd (NULL cwd: the process's), or
 * NULL. The walk stops at $HOME when cwd lies below it, else at "/"; files
 * owned by another user (not root) are skipped with a warning.
 */
char *config_find_project(struct arena *a, const char *cwd);

/* Prints cfg->warnings to stderr ("blastwall: warning: ..."). */
void config_print_warnings(const struct bw_config *cfg);

#endif
