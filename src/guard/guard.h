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
};

int guard_decide(struct arena *a, const struct guard_request *req, const struct bw_config *cfg,
		 struct guard_result *out, struct err *e);

#endif
