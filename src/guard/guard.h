/*
 * guard.h: deciding whether a shell command may run. guard_decide parses the
 * command, sees through wrappers (sudo, env, bash -c, xargs, find -exec,
 * ssh, docker exec, heredocs fed to shells, inline interpreter code), runs
 * every rule pack over each command that would really run, and returns the
 * strongest decision with messages for the agent and the human.
 * Everything is allocated from the caller's arena.
 */
#ifndef BW_GUARD_H
#define BW_GUARD_H

#include <stdbool.h>
#include <stddef.h>

#include "common/arena.h"
#include "common/buf.h"
#include "common/err.h"
#include "guard/config.h"
#include "shell/shell.h"

struct guard_request {
	const char *command;  /* the shell text the agent wants to run */
	const char *cwd;      /* absolute working directory (NULL: the process's) */
	const char *agent;    /* "claude", "codex", "gemini", "cursor", "cli" */
	const char *session;  /* agent session id, may be NULL */
};

struct guard_match {
	const char *rule;       /* rule id, e.g. "terraform.destroy" */
	enum decision decision; /* after config overrides and production scaling */
	const char *command;    /* the command as it would run, after unwrapping */
	const char *via;        /* the wrappers it was found through ("bash -c, sudo"), or NULL */
	const char *message;    /* what would be lost, why it matters, the safer way */
	bool production;        /* the target was recognised as production */
};

struct guard_result {
	enum decision decision;        /* strongest match; ALLOW when nothing matched */
	struct guard_match *matches;
	size_t nmatches;
	const char *reason;            /* one text for agent and human (NULL when allowed) */
	const struct shell_node *ast;  /* the parse (NULL when the text did not parse) */
	const char *parse_error;       /* why it did not parse, or NULL */
	const char **commands;         /* every command that would really run, unwrapped */
	size_t ncommands;
	bool allowed_by_config;        /* an allow entry in the config matched */
	const char **command_via;      /* per command: the wrapper chain it was found through, or NULL */
	const char **command_cwd;      /* per command: where it runs when not the request's cwd (cd, env -C), or NULL */
};

/*
 * Decides req->command. cfg may be NULL (built-in defaults: production =
 * names containing "prod"). Returns 0 with out filled; -1 only when the
 * request itself is unusable (no command). A command that does not parse is
 * not an error: it is decided "ask" with out->parse_error set.
 */
int guard_decide(struct arena *a, const struct guard_request *req, const struct bw_config *cfg,
		 struct guard_result *out, struct err *e);

/* Which kind of production evidence a rule's target is checked against. */
enum guard_prod_kind {
	PROD_NONE,      /* only the cwd path patterns */
	PROD_TERRAFORM, /* workspace (TF_WORKSPACE, .terraform/environment) */
	PROD_AWS,       /* --profile, AWS_PROFILE */
	PROD_KUBE,      /* --context / --kube-context, else the kubeconfig's current-context; namespace */
	PROD_GCLOUD,    /* --project, CLOUDSDK_CORE_PROJECT */
	PROD_DB,        /* -h/--host, connection URLs, PGHOST/MYSQL_HOST */
	PROD_ENV,       /* RAILS_ENV, MIX_ENV, NODE_ENV, --stage, --stack: matched against the workspace patterns */
};

/*
 * One rule. Rules are data: most match through the generic matcher (tool,
 * positional subcommand path, flags that must / must not be present); the
 * few that need judgement (paths, SQL, refspecs) add a predicate in code.
 */
struct guard_rule {
	const char *id;          /* "pack.name" */
	enum decision dev;       /* decision when the target is not production */
	enum decision prod;      /* decision when it is */
	enum guard_prod_kind kind;
	const char *summary;     /* one line, for "blastwall rules" */
	const char *message;     /* what would be lost, why it matters, the safer way */
	const char *tools;       /* "aws", "docker|podman"; NULL: matched from code only */
	const char *path;        /* positional words after the tool, space separated; "a|b" alternatives, globs */
	const char *arg;         /* NULL, or globs ("a|b") one later positional must match */
	const char *any;         /* NULL, or flags of which one must be present ("-f|--force") */
	const char *none;        /* NULL, or flags that make the rule not apply ("--dry-run") */
	int pred;                /* 0, or a code predicate (see rules.c) that must also hold */
	const char *judged_by;   /* NULL, or the module that decides it from evidence ("terraform state") */
};

/* argv as one shell command line, each word quoted only when it needs it. */
char *guard_argv_quote(struct arena *a, const char *const *argv, size_t argc);

/* The rule table, in pack order. */
const struct guard_rule *guard_rules(size_t *n);
/* The rule with this id, or NULL. */
const struct guard_rule *guard_rule_find(const char *id);

#endif
