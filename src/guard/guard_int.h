/*
 * guard_int.h: what the guard's files share. guard.c walks the parse and
 * collects matches; unwrap.c turns each simple command into the commands that
 * would really run (through sudo, env, bash -c, xargs, find -exec, ssh,
 * interpreters ...); rules.c runs the rule table over each of those; sql.c,
 * inline.c, fs_rules.c and prod.c hold the judgement the table cannot.
 *
 * Ownership: everything lives in the arena of the guard_decide call (g->a).
 * A struct gcmd is immutable once built: unwrapping makes a new one.
 */
#ifndef BW_GUARD_INT_H
#define BW_GUARD_INT_H

#include "guard/guard.h"

/* Beyond the shell word flags: the argument only exists at run time (xargs input, find's {}). */
#define GARG_RUNTIME (1u << 16)
/* How deep wrappers and nested shells are followed before the guard asks instead. */
#define GUARD_MAX_DEPTH 12

/* A command as it would run, after some unwrapping. */
struct gcmd {
	const char **argv;
	unsigned *aflags;          /* WORD_* | GARG_RUNTIME per argument */
	size_t argc;
	const char **env;          /* "NAME=value" in force for this command (prefix, env wrapper) */
	size_t nenv;
	const char *via;           /* wrapper chain it was found through ("bash -c, sudo"), or NULL */
	const char *cwd;           /* absolute working directory */
	const char *stdin_text;    /* what it reads on stdin, when known (heredoc, echo |, < file) */
	const char *stdin_file;    /* "< FILE" or "cat FILE |": read only by the tools that need it */
	const char *stdin_unknown; /* where unknown stdin comes from ("curl", "a pipe"), or NULL */
	bool more_args;            /* xargs/parallel/find {}: arguments are appended at run time */
	const char *input_root;    /* stdin lists paths below this directory (find START ... |) */
	bool remote;               /* runs on another machine (ssh, docker exec): local paths mean nothing */
	const struct shell_node *node; /* the simple command it came from (its redirections) */
	unsigned depth;
};

struct gmatch_list {
	struct guard_match *v;
	size_t n, cap;
};

/* The state of one guard_decide call. */
struct gctx {
	struct arena *a;
	const struct guard_request *req;
	const struct bw_config *cfg;
	const char *cwd;
	const char *home;
	const char *project;       /* the git work tree holding cwd, else cwd */
	struct gmatch_list m;
	const char **cmds;         /* display form of every command that would run */
	const char **cmds_via;
	const char **cmds_cwd;
	size_t ncmds, capcmds;
	const char *target;        /* the path a filesystem rule is judging (for production paths) */
	bool project_known;
	bool allowed_by_config;    /* an allow entry or override silenced a match */
	const char *runtime_token; /* in commands run by find -exec / xargs -I: the placeholder ("{}") */
	size_t more_matches;       /* matches dropped past the bound (push_match) */
	/* files this command line itself writes (cat > x.sh <<EOF, echo ... > x.sh): path, content */
	const char *written_path[8];
	const char *written_text[8];
	size_t nwritten;
	const char *made_dirs[8];  /* directories an earlier "mkdir" of this line creates */
	size_t nmade;
};

/* --- guard.c ------------------------------------------------------------ */
/* Records that rule id matched command c; detail (may be NULL) names the target. */
void guard_hit(struct gctx *g, const struct gcmd *c, const char *rule_id, const char *detail);
/* Records c as a command that would run. */
void guard_note_cmd(struct gctx *g, const struct gcmd *c);
/* Shell-quoted display of argv. */
char *guard_argv_text(struct arena *a, const char *const *argv, size_t argc);
/* What c reads on stdin when it can be known (reads stdin_file lazily), else NULL. */
const char *guard_stdin(struct gctx *g, const struct gcmd *c);
/* Records a decided match that is not in the rule table (terraform's assessment). */
void guard_hit_raw(struct gctx *g, const struct gcmd *c, const char *rule_id, enum decision d,
		   const char *message, bool production);
/* The content this command line writes to path before running it, or NULL. */
const char *guard_written(struct gctx *g, const char *cwd, const char *path);
/* Parses text as shell and analyses every command in it as run by parent (via + how). */
void guard_analyze_text(struct gctx *g, const struct gcmd *parent, const char *how, const char *text);
/* Builds a gcmd for one simple command of a parse, with its stdin resolved. */
void guard_analyze_node(struct gctx *g, const struct shell_node *node, const struct shell_node *prev,
			const struct gcmd *parent, const char *how, const char *cwd);

/* --- unwrap.c ----------------------------------------------------------- */
/* Sees through wrappers and interpreters, then runs the rules on what is left. */
void guard_analyze(struct gctx *g, const struct gcmd *c);
/* A copy of c with argv[from..] as its arguments and via extended by how. */
struct gcmd *gcmd_shift(struct gctx *g, const struct gcmd *c, size_t from, const char *how);
/* The value of NAME in c's environment (assignments first, then the process's), or NULL. */
const char *gcmd_env(const struct gcmd *c, const char *name);
/* Reads a small file for a rule that needs it (NULL when missing or larger than max). */
char *guard_read_file(struct gctx *g, const char *cwd, const char *path, size_t max);

/* --- rules.c ------------------------------------------------------------ */
/* Runs every rule over an unwrapped command. */
void guard_rules_run(struct gctx *g, const struct gcmd *c);
/* Flag helpers shared with the code predicates. */
bool gcmd_has_flag(const struct gcmd *c, size_t from, const char *alts);
/* The value of an option ("--profile x", "--profile=x", "-px" when short), or NULL. */
const char *gcmd_opt_value(const struct gcmd *c, size_t from, const char *alts);
bool guard_alt_match(const char *alts, const char *word);

/* --- fs_rules.c ---------------------------------------------------------- */
/* Judges a recursive or plain removal of target (as the rm rules do). how names the verb. */
void guard_fs_remove(struct gctx *g, const struct gcmd *c, const char *target, unsigned flags, bool recursive);
/* Writing, replacing or removing one of blastwall's own files (its config, an agent's hook settings, its
 * state database) records the blastwall.* rule and returns true. tree: removed with everything below it;
 * what is appended to the target in the message. */
bool guard_fs_self(struct gctx *g, const struct gcmd *c, const char *word, unsigned flags, bool tree, const char *what);
/* The blastwall.* rule guarding word as a path (NULL: none), with the absolute path in *path. */
const char *guard_fs_self_rule(struct gctx *g, const struct gcmd *c, const char *word, unsigned flags, bool tree,
			       const char **path);
/* rm, find -delete, shred, dd, mkfs, wipefs, truncate, cp/mv/ln onto state files or blastwall's own, tee, sed -i,
 * perl -i, git rm/mv of blastwall's own files, unzip/tar x. */
void guard_fs_rules(struct gctx *g, const struct gcmd *c, const char *tool);
/* Checks the output redirections of a simple command (truncation of state or database files). */
void guard_fs_redirs(struct gctx *g, const struct gcmd *c);
/* "~", "$HOME", "${HOME}", "$PWD" resolved; NULL when the word stays dynamic. */
const char *guard_resolve_word(struct gctx *g, const struct gcmd *c, const char *w, unsigned flags);
bool guard_is_state_file(const char *path);
/* The git work tree holding cwd (stat of .git upwards), else cwd. */
const char *guard_project(struct gctx *g);
bool guard_is_db_file(const char *path);

/* --- sql.c ---------------------------------------------------------------- */
/* Scans SQL (or redis / mongo commands) and records db.* matches. */
void guard_sql_scan(struct gctx *g, const struct gcmd *c, const char *sql, const char *from);
/* The database client rules: where the SQL comes from for psql, mysql, sqlite3 ... */
bool guard_db_client(struct gctx *g, const struct gcmd *c, const char *tool);
/* sqlite3 on blastwall's state database: records blastwall.audit-db when sql writes (db is its path). */
void guard_sql_audit_db(struct gctx *g, const struct gcmd *c, const char *sql, const char *db);
/* True when text holds a destructive SQL statement (for inline code strings). */
bool guard_sql_destructive(const char *sql, size_t n);

/* --- inline.c ------------------------------------------------------------- */
/* Inline code of python/node/perl/ruby/php (from -c/-e/-r or stdin). lang is the tool family. */
void guard_inline_code(struct gctx *g, const struct gcmd *c, const char *lang, const char *code);

/* --- prod.c --------------------------------------------------------------- */
/* Whether the command's target is production for this rule's kind; *why names the evidence. */
bool guard_is_production(struct gctx *g, const struct gcmd *c, enum guard_prod_kind kind, const char **why);

#endif
