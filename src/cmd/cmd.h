/*
 * cmd.h: the subcommand table. Each subcommand lives in src/cmd/cmd_NAME.c as
 * int cmd_NAME(int argc, char **argv), where argv[0] is the subcommand name.
 * It returns the process exit code. Rows are listed in commands.def; a test
 * checks that every row is documented in the man page and shown by --help.
 */
#ifndef BW_CMD_H
#define BW_CMD_H

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

#define CMD(name, summary) int cmd_##name(int argc, char **argv);
#include "cmd/commands.def"
#undef CMD

extern const struct cmd bw_commands[];
extern const unsigned bw_ncommands;

/* Exit codes shared by all commands (documented in blastwall(1)). */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,  /* the command ran and found a problem, or failed */
	EXIT_USAGE = 2, /* bad options or arguments */
	EXIT_OOM = 70,
};

/* Prints "usage: ..." style text to stderr, returns EXIT_USAGE. */
int cmd_usage_error(const char *cmd, const char *fmt, ...);

/* "an object", "a string", "a number"...: a JSON value's kind, for messages about hook and settings files. */
struct json_t;
const char *cmd_json_kind(const struct json_t *v);

#endif
