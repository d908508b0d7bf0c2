/*
 * cmd_explain.c: "blastwall explain": everything behind a decision, for a
 * human debugging a false positive or a rule: the parse tree, every command
 * that would really run after unwrapping (with the wrappers it was found
 * through), each rule that matched with its decision and message, and the
 * config files in force. Exit status as for check.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "common/arena.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/fs.h"
#include "common/term.h"
#include "guard/guard.h"

static int usage(FILE *f)
{
	fprintf(f, "usage: blastwall explain [--cwd DIR] 'COMMAND STRING'\n"
		   "       blastwall explain [--cwd DIR] -- COMMAND [ARG...]\n"
		   "       blastwall explain [--cwd DIR] -     (read the command from stdin)\n\n"
		   "Shows how blastwall reads a command: the parse, the commands that really run after\n"
		   "seeing through wrappers (sudo, bash -c, xargs, ssh, inline code ...), the rules that\n"
		   "match and why, and the config files in force.\n\n"
		   "  --cwd DIR     explain as if run in DIR\n\n"
		   "Exit status: 0 allow, 1 ask, 3 deny, 2 usage, 4 the command or the config could not be read\n");
	return f == stdout ? EXIT_OK : EXIT_USAGE;
}

int cmd_explain(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cwd", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cwd = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'C': cwd = optarg; break;
		case 'h': return usage(stdout);
		default: return usage(stderr);
		}
	}
	if (optind >= argc)
		return cmd_usage_error("explain", "no command given");
	struct arena *a = arena_new();
	struct err e;
	err_init(&e);
	int rc = 4;
	const char *command = argc - optind == 1 ? argv[optind]
			       : guard_argv_quote(a, (const char *const *)argv + optind, (size_t)(argc - optind));
	if (argc - optind == 1 && strcmp(argv[optind], "-") == 0) {
		struct buf in;
		buf_init(&in, 4u << 20);
		if (fs_read_fd(STDIN_FILENO, 4u << 20, &in, &e) < 0) {
			err_wrap(&e, "cannot read the command from stdin");
			err_print(&e);
			buf_release(&in);
			arena_free(a);
			return rc;
		}
		while (in.n && (in.p[in.n - 1] == '\n' || in.p[in.n - 1] == '\r'))
			in.n--;
		command = arena_strndup(a, in.p ? in.p : "", in.n);
		buf_release(&in);
	}
	char here[4096];
	if (!getcwd(here, sizeof(here)))
		memcpy(here, "/", 2);
	cwd = path_normalize(a, here, cwd ? cwd : here);
	if (!fs_is_dir(cwd)) {
		bw_error("--cwd '%s' is not a directory", cwd);
		arena_free(a);
		return EXIT_USAGE;
	}
	struct bw_config cfg;
	if (config_load(a, cwd, &cfg, &e) < 0) {
		err_print(&e);
		arena_free(a);
		return rc;
	}
	struct guard_request req = { .command = command, .cwd = cwd, .agent = "cli", .session = NULL };
	struct guard_result res;
	if (guard_decide(a, &req, &cfg, &res, &e) < 0) {
		err_print(&e);
		arena_free(a);
		return rc;
	}
	const char *b = term_bold(stdout), *r = term_reset(stdout);
	printf("%scommand%s  %s\n%scwd%s      %s\n\n", b, r, command, b, r, cwd);
	printf("%sparse%s\n", b, r);
	if (res.ast) {
		struct buf d;
		buf_init(&d, 0);
		shell_dump(res.ast, &d);
		const char *p = d.p ? d.p : "";
		while (*p) {
			size_t n = strcspn(p, "\n");
			printf("  %.*s\n", (int)n, p);
			p += n + (p[n] == '\n');
		}
		buf_release(&d);
	} else {
		printf("  does not parse: %s\n", res.parse_error ? res.parse_error : "unknown error");
	}
	printf("\n%sruns%s (after seeing through wrappers)\n", b, r);
	if (!res.ncommands)
		printf("  (nothing)\n");
	for (size_t i = 0; i < res.ncommands; i++) {
		printf("  %s\n", res.commands[i]);
		if (res.command_via[i])
			printf("      found inside: %s\n", res.command_via[i]);
		if (res.command_cwd[i])
			printf("      runs in: %s\n", res.command_cwd[i]);
	}
	printf("\n%srules%s\n", b, r);
	if (!res.nmatches)
		printf("  none matched\n");
	for (size_t i = 0; i < res.nmatches; i++) {
		const struct guard_match *m = &res.matches[i];
		printf("  %-5s %s%s\n        on `%s`%s%s\n        %s\n", decision_name(m->decision), m->rule,
		       m->production ? " (production)" : "", m->command, m->via ? " found inside " : "",
		       m->via ? m->via : "", m->message);
	}
	printf("\n%sconfig%s\n", b, r);
	if (!cfg.nfiles)
		printf("  no config files (built-in defaults: production = names containing \"prod\")\n");
	for (size_t i = 0; i < cfg.nfiles; i++)
		printf("  %s\n", cfg.files[i]);
	if (cfg.broken)
		printf("  BROKEN: %s (risky commands are asked about, overrides and allow entries ignored)\n",
		       cfg.broken_msg ? cfg.broken_msg : "unreadable");
	printf("\n%sdecision%s %s%s\n", b, r, decision_name(res.decision),
	       res.allowed_by_config ? " (a match was allowed by your config)" : "");
	rc = res.decision == DECISION_DENY ? 3 : res.decision == DECISION_ASK ? 1 : 0;
	arena_free(a);
	return rc;
}
