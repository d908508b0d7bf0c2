/* cmd_help.c: "blastwall help [COMMAND]" = "blastwall COMMAND --help". */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "common/err.h"

void bw_print_help(FILE *f);

int cmd_help(int argc, char **argv)
{
	if (argc < 2) {
		bw_print_help(stdout);
		return EXIT_OK;
	}
	for (unsigned i = 0; i < bw_ncommands; i++) {
		if (strcmp(bw_commands[i].name, argv[1]) == 0 && bw_commands[i].fn != cmd_help) {
			char *args[] = { argv[1], "--help", NULL };
			return bw_commands[i].fn(2, args);
		}
	}
	bw_error("'%s' is not a blastwall command", argv[1]);
	fprintf(stderr, "hint: run 'blastwall --help' for the list of commands\n");
	return EXIT_USAGE;
}
