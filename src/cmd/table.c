/* table.c: the command table, generated from commands.def. */
#include <stdarg.h>
#include <stdio.h>

#include "cmd/cmd.h"
#include "common/util.h"

const struct cmd bw_commands[] = {
#define CMD(name, summary) { #name, cmd_##name, summary },
#include "cmd/commands.def"
#undef CMD
};
const unsigned bw_ncommands = ARRAY_SIZE(bw_commands);

int cmd_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s %s: ", bw_progname, cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nhint: run 'blastwall %s --help' for usage\n", cmd);
	return EXIT_USAGE;
}
