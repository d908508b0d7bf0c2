/*
 * main.c: global options and dispatch to a subcommand from the table in
 * cmd/commands.def. Everything else lives in the static library.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "common/err.h"
#include "common/term.h"

void bw_print_help(FILE *f)
{
	fprintf(f, "usage: blastwall [--color=auto|always|never] [--version] [--help] <command> [args]\n\n"
		   "blastwall stands between AI coding agents and production: it checks every shell\n"
		   "command before it runs, reads Terraform state and plans for the blast radius, and\n"
		   "keeps backups that restore.\n\ncommands:\n");
	for (unsigned i = 0; i < bw_ncommands; i++)
		fprintf(f, "  %-12s %s\n", bw_commands[i].name, bw_commands[i].summary);
	fprintf(f, "\nRun 'blastwall help COMMAND' for a command's options; 'man blastwall' for all.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "color", required_argument, NULL, 'c' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	/* "+" stops at the first non-option: the subcommand parses the rest */
	while ((c = getopt_long(argc, argv, "+hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c': {
			enum color_mode m;
			if (term_parse_color(optarg, &m) < 0) {
				bw_error("--color takes auto, always or never, not '%s'", optarg);
				return EXIT_USAGE;
			}
			term_set_color(m);
			break;
		}
		case 'V':
			printf("blastwall %s\n", bw_version);
			return EXIT_OK;
		case 'h':
			bw_print_help(stdout);
			return EXIT_OK;
		default:
			fprintf(stderr, "hint: run 'blastwall --help' for usage\n");
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		bw_print_help(stderr);
		return EXIT_USAGE;
	}
	const char *name = argv[optind];
	for (unsigned i = 0; i < bw_ncommands; i++) {
		if (strcmp(bw_commands[i].name, name) == 0) {
			int sub_argc = argc - optind;
			char **sub_argv = argv + optind;
			optind = 0; /* reset getopt for the subcommand (GNU: 0 reinitialises) */
			return bw_commands[i].fn(sub_argc, sub_argv);
		}
	}
	bw_error("'%s' is not a blastwall command", name);
	fprintf(stderr, "hint: run 'blastwall --help' for the list of commands\n");
	return EXIT_USAGE;
}
