/*
 * shell.h: the shell parser's AST. shell_parse turns command text (POSIX sh
 * plus the bash syntax agents use) into a tree allocated from one arena; the
 * tree points into nothing else and lives until the arena is freed.
 *
 * Words carry their value after quote removal ("lit"). Expansions that
 * cannot be known before run time ($X, ${X}, $(...), `...`, $((...))) stay in
 * "lit" as their source text and set a flag, so a reader can tell a literal
 * "rm" from "$X". Command substitutions (and process substitutions) inside a
 * word are parsed too and hang off the word, so nothing the shell would run
 * is hidden from the guard.
 *
 * The parser bounds its work: input length, nesting depth and node count are
 * capped (struct shell_limits); past a cap it fails with an error instead of
 * recursing or allocating without end.
 */
#ifndef BW_SHELL_H
#define BW_SHELL_H

#include <stdbool.h>
#include <stddef.h>

#include "common/arena.h"
#include "common/err.h"
#include "common/str.h"

enum shell_word_flags {
	WORD_QUOTED = 1 << 0,   /* some part was quoted ('', "", $'', or backslash) */
	WORD_PARAM = 1 << 1,    /* contains $name, ${...}, $1, $@ ... */
	WORD_CMDSUBST = 1 << 2, /* contains $(...) or `...` */
	WORD_ARITH = 1 << 3,    /* contains $((...)) */
	WORD_GLOB = 1 << 4,     /* unquoted * ? or [...] (a lone [ is not a pattern) */
	WORD_TILDE = 1 << 5,    /* leading unquoted ~ or ~user (or after = or : in a NAME=value word, as bash expands those) */
	WORD_PROCSUBST = 1 << 6, /* <(...) or >(...) */
	WORD_BRACE = 1 << 7,    /* unquoted {a,b} or {1..3} brace expansion */
};
/* Any of these means the word's value is only known at run time. */
#define WORD_DYNAMIC (WORD_PARAM | WORD_CMDSUBST | WORD_ARITH | WORD_PROCSUBST)

struct shell_node;

struct shell_word {
	struct str raw;   /* the source text of the word */
	char *lit;        /* after quote removal; NUL-terminated; expansions kept as source text */
	size_t lit_n;     /* length of lit (it may hold NUL bytes from $'\0') */
	unsigned flags;   /* enum shell_word_flags */
	struct shell_node **subst; /* parsed $(...), `...`, <(...), >(...) inside the word, in order */
	size_t nsubst;
};

enum shell_redir_op {
	REDIR_IN,         /* <    */
	REDIR_OUT,        /* >    */
	REDIR_APPEND,     /* >>   */
	REDIR_CLOBBER,    /* >|   */
	REDIR_INOUT,      /* <>   */
	REDIR_DUP_IN,     /* <&   */
	REDIR_DUP_OUT,    /* >&   */
	REDIR_HEREDOC,    /* <<   */
	REDIR_HEREDOC_TAB, /* <<- */
	REDIR_HERESTRING, /* <<<  */
	REDIR_OUT_ERR,    /* &>   */
	REDIR_APPEND_ERR, /* &>>  */
};

struct shell_redir {
	int fd;                   /* explicit fd number, or -1 */
	enum shell_redir_op op;
	struct shell_word target; /* file, fd, here-string word, or heredoc delimiter */
	char *body;               /* heredoc body (NULL otherwise), NUL-terminated */
	size_t body_n;
	bool body_quoted;         /* delimiter was quoted: the body is taken literally */
	struct shell_node **subst; /* command substitutions inside an unquoted heredoc body */
	size_t nsubst;
	char *fd_var;             /* "{name}>file": the variable bash stores the new fd in (fd is -1), else NULL */
};

enum shell_kind {
	SHELL_SIMPLE,    /* assignments, words, redirections */
	SHELL_PIPELINE,  /* kids = stages; pipe_stderr[i] for |& after stage i */
	SHELL_AND,       /* kids[0] && kids[1] */
	SHELL_OR,        /* kids[0] || kids[1] */
	SHELL_SEQ,       /* kids run one after another (; or newline) */
	SHELL_BACKGROUND, /* kids[0] & */
	SHELL_SUBSHELL,  /* ( kids[0] ) */
	SHELL_GROUP,     /* { kids[0]; } */
	SHELL_IF,        /* kids: cond, then, [cond, then]..., [else] ; nkids odd = has else */
	SHELL_WHILE,     /* kids: cond, body */
	SHELL_UNTIL,     /* kids: cond, body */
	SHELL_FOR,       /* name = variable, words = the list (none: "$@"), kids[0] = body; also arithmetic for: words = the 3 exprs */
	SHELL_SELECT,    /* like SHELL_FOR */
	SHELL_CASE,      /* words[0] = subject; kids = arm bodies (NULL for an empty arm); patterns[i] per arm */
	SHELL_FUNCDEF,   /* name; kids[0] = body */
	SHELL_ARITH_CMD, /* (( expr )): words[0] = the expression */
	SHELL_TEST_CMD,  /* [[ ... ]]: words = the operands */
	SHELL_NOT,       /* ! kids[0] */
	SHELL_COPROC,    /* coproc [name] kids[0] */
	SHELL_TIME,      /* time [-p] kids[0] (the keyword form) */
};

struct shell_case_arm {
	struct shell_word *patterns;
	size_t npatterns;
};

struct shell_node {
	enum shell_kind kind;
	struct str src;                 /* source span of the whole node */
	struct shell_word *assigns;     /* SHELL_SIMPLE: NAME=value words (lit is "NAME=value") */
	size_t nassigns;
	struct shell_word *words;       /* SHELL_SIMPLE: command name and arguments; see kinds above */
	size_t nwords;
	struct shell_redir *redirs;     /* redirections of a simple or compound command */
	size_t nredirs;
	struct shell_node **kids;
	size_t nkids;
	bool *pipe_stderr;              /* SHELL_PIPELINE: nkids-1 entries */
	struct shell_case_arm *arms;    /* SHELL_CASE: nkids entries */
	char *name;                     /* SHELL_FOR/SELECT variable, SHELL_FUNCDEF/COPROC name */
};

struct shell_limits {
	size_t max_input;  /* bytes; default 4 MiB */
	unsigned max_depth; /* nesting of compound commands and substitutions; default 256 */
	size_t max_nodes;  /* nodes plus words; default 200000 */
};

/*
 * Parses src[0..n). On success *out is the root (a SHELL_SEQ, possibly with
 * no kids for empty input or only comments) and 0 is returned. On a syntax
 * error or a limit, returns -1 with e naming the problem and its position
 * ("line 3, column 7: unterminated quote"). limits may be NULL for defaults.
 *
 * Shape of the tree: every list (the root, compound bodies, the inside of a
 * substitution) is a SHELL_SEQ, even with one command; a substitution in
 * shell_word.subst / shell_redir.subst is that SHELL_SEQ, its src spanning the
 * whole "$(...)". An array assignment's lit is "a=(x y)" from the elements'
 * values. "{var}>file" parses as a redirection with fd -1. A heredoc whose
 * delimiter never comes takes the rest of the input as its body, as bash
 * does (with a warning). "a && b || c" chains nest to the left as long as
 * the chain: recurse on kids[0] with care (shell_walk and shell_dump loop).
 */
int shell_parse(struct arena *a, const char *src, size_t n, const struct shell_limits *limits,
		struct shell_node **out, struct err *e);

/*
 * Walks every simple command the tree would run, depth first in source
 * order, including those inside word substitutions, heredoc substitutions,
 * compound commands and function bodies. For each, cb gets the command and
 * the pipeline context: prev is the stage whose output feeds this one
 * (NULL when not in a pipeline or first), depth how deep it is nested.
 * Returning non-zero from cb stops the walk and is returned.
 */
struct shell_visit {
	const struct shell_node *cmd;   /* a SHELL_SIMPLE */
	const struct shell_node *prev;  /* previous pipeline stage, or NULL; see below */
	unsigned depth;
	bool in_subst;                  /* inside $(...), `...` or <(...) */
	bool in_function;               /* inside a function body */
	bool background;                /* run with & */
};
/*
 * prev: for the first stage, the prev of the pipeline itself (commands in a
 * compound stage inherit it); for a later stage, the stage before it when
 * that is a simple command, else the last simple command inside that stage
 * ("{ a; curl x; } | sh" gives curl), or the stage node itself when it holds
 * none (a [[ ]] or (( )) stage). Commands in substitutions have prev NULL.
 */
int shell_walk(const struct shell_node *root, int (*cb)(const struct shell_visit *v, void *ctx), void *ctx);

/* Writes a readable indented dump of the tree (for "blastwall explain" and tests). */
struct buf;
void shell_dump(const struct shell_node *root, struct buf *out);

/*
 * Writes the tree as one JSON object (schema: doc/json/shell-ast.md), the
 * machine-readable twin of shell_dump. "a && b || c" chains are flattened
 * into {"kind":"and-or","items":[...],"ops":["&&","||"]}.
 */
void shell_dump_json(const struct shell_node *root, struct buf *out);

#endif
