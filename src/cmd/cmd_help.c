/* cmd_help.c: "blastwall help [COMMAND]" = "blastwall COMMAND --help". */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "common/err.h"

void bw_print_help(FILE *f);

static int usage(void)
{
	printf("usage: blastwall help [COMMAND]\n\n"
	       "Without COMMAND, list the commands. With it, show that command's options:\n"
	       "'blastwall help X' is the same as 'blastwall X --help'.\n");
	return EXIT_OK;
}

int cmd_help(int argc, char **argv)
{
	if (argc < 2) {
		bw_print_help(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help"))
		return usage();
	for (unsigned i = 0; i < bw_ncommands; i++) {
		if (strcmp(bw_commands[i].name, argv[1]) == 0) {
			char *args[] = { argv[1], "--help", NULL };
			return bw_commands[i].fn(2, args);
		}
	}
	bw_error("'%s' is not a blastwall command", argv[1]);
	fprintf(stderr, "hint: run 'blastwall --help' for the list of commands\n");
	return EXIT_USAGE;
}
