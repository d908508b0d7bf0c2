/*
 * cmd_check.c: "blastwall check": decide one command the way the hooks do
 * and print the decision and the reason. The exit status is the decision
 * (0 allow, 1 ask, 3 deny; 2 usage, 4 the command could not be read), so
 * scripts and CI can use it without parsing. --json prints the schema in
 * doc/json/check.md.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "common/arena.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/fs.h"
#include "common/term.h"
#include "guard/guard.h"

enum { CHECK_ALLOW = 0, CHECK_ASK = 1, CHECK_DENY = 3, CHECK_ERROR = 4 };

#define MAX_COMMAND (4u << 20)

static int usage(FILE *f)
{
	fprintf(f, "usage: blastwall check [--json] [--cwd DIR] [--agent NAME] 'COMMAND STRING'\n"
		   "       blastwall check [options] -- COMMAND [ARG...]\n"
		   "       blastwall check [options] -     (read the command from stdin)\n\n"
		   "Decides whether a shell command may run, exactly as the agent hooks do, and says why.\n\n"
		   "  --json        print the decision as JSON (schema: doc/json/check.md)\n"
		   "  --cwd DIR     decide as if run in DIR (default: the current directory)\n"
		   "  --agent NAME  the agent the command comes from (recorded only; default cli)\n\n"
		   "Exit status: 0 allow, 1 ask, 3 deny, 2 usage, 4 the command could not be read\n");
	return f == stdout ? EXIT_OK : EXIT_USAGE;
}

/* The command text: one argument is a shell string; several are words, quoted back into one. */
static char *check_command_text(struct arena *a, int argc, char **argv, struct err *e)
{
	if (argc == 1 && strcmp(argv[0], "-") == 0) {
		struct buf b;
		buf_init(&b, MAX_COMMAND);
		if (fs_read_fd(STDIN_FILENO, MAX_COMMAND, &b, e) < 0) {
			buf_release(&b);
			return NULL;
		}
		while (b.n && (b.p[b.n - 1] == '\n' || b.p[b.n - 1] == '\r'))
			b.n--;
		char *r = arena_strndup(a, b.p ? b.p : "", b.n);
		buf_release(&b);
		return r;
	}
	if (argc == 1)
		return arena_strdup(a, argv[0]);
	return guard_argv_quote(a, (const char *const *)argv, (size_t)argc);
}

static json_t *check_result_json(const struct guard_request *req, const struct bw_config *cfg,
			  const struct guard_result *res)
{
	json_t *o = json_object();
	json_object_set_new(o, "decision", json_string(decision_name(res->decision)));
	json_object_set_new(o, "command", json_string(req->command));
	json_object_set_new(o, "cwd", req->cwd ? json_string(req->cwd) : json_null());
	json_object_set_new(o, "reason", res->reason ? json_string(res->reason) : json_null());
	json_object_set_new(o, "parse_error", res->parse_error ? json_string(res->parse_error) : json_null());
	json_t *ms = json_array();
	for (size_t i = 0; i < res->nmatches; i++) {
		const struct guard_match *m = &res->matches[i];
		json_t *j = json_object();
		json_object_set_new(j, "rule", json_string(m->rule));
		json_object_set_new(j, "decision", json_string(decision_name(m->decision)));
		json_object_set_new(j, "command", json_string(m->command));
		json_object_set_new(j, "via", m->via ? json_string(m->via) : json_null());
		json_object_set_new(j, "message", json_string(m->message));
		json_object_set_new(j, "production", json_boolean(m->production));
		json_array_append_new(ms, j);
	}
	json_object_set_new(o, "matches", ms);
	json_t *cs = json_array();
	for (size_t i = 0; i < res->ncommands; i++) {
		json_t *j = json_object();
		json_object_set_new(j, "command", json_string(res->commands[i]));
		json_object_set_new(j, "via", res->command_via[i] ? json_string(res->command_via[i]) : json_null());
		json_object_set_new(j, "cwd", res->command_cwd[i] ? json_string(res->command_cwd[i]) : json_null());
		json_array_append_new(cs, j);
	}
	json_object_set_new(o, "commands", cs);
	json_object_set_new(o, "allowed_by_config", json_boolean(res->allowed_by_config));
	json_t *files = json_array();
	for (size_t i = 0; cfg && i < cfg->nfiles; i++)
		json_array_append_new(files, json_string(cfg->files[i]));
	json_object_set_new(o, "config_files", files);
	json_object_set_new(o, "config_error",
			    cfg && cfg->broken ? json_string(cfg->broken_msg ? cfg->broken_msg : "broken") : json_null());
	return o;
}

static int check_exit_code(enum decision d)
{
	return d == DECISION_DENY ? CHECK_DENY : d == DECISION_ASK ? CHECK_ASK : CHECK_ALLOW;
}

int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "cwd", required_argument, NULL, 'C' },
		{ "agent", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false;
	const char *cwd = NULL, *agent = "cli";
	int c;
	/* "+": the command's own options (rm -rf) are not ours */
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'C':
			cwd = optarg;
			break;
		case 'a':
			agent = optarg;
			break;
		case 'h':
			return usage(stdout);
		default:
			return usage(stderr);
		}
	}
	if (optind >= argc)
		return cmd_usage_error("check", "no command given");

	struct arena *a = arena_new();
	struct err e;
	err_init(&e);
	int rc = CHECK_ERROR;
	char *command = check_command_text(a, argc - optind, argv + optind, &e);
	if (!command) {
		err_wrap(&e, "cannot read the command from stdin");
		err_print(&e);
		goto out;
	}
	if (cwd) {
		char here[4096];
		if (!getcwd(here, sizeof(here)))
			here[0] = '\0';
		cwd = path_normalize(a, here[0] ? here : "/", cwd);
		if (!fs_is_dir(cwd)) {
			bw_error("--cwd '%s' is not a directory", cwd);
			rc = EXIT_USAGE;
			goto out;
		}
	}
	struct bw_config cfg;
	if (config_load(a, cwd, &cfg, &e) < 0) {
		err_print(&e);
		goto out;
	}
	if (cfg.broken)
		bw_warn("%s (risky commands are asked about until it is fixed)", cfg.broken_msg);
	struct guard_request req = { .command = command, .cwd = cwd, .agent = agent, .session = NULL };
	struct guard_result res;
	if (guard_decide(a, &req, &cfg, &res, &e) < 0) {
		err_print(&e);
		goto out;
	}
	if (json) {
		json_t *o = check_result_json(&req, &cfg, &res);
		char *s = json_dumps(o, JSON_INDENT(2) | JSON_ENSURE_ASCII);
		printf("%s\n", s);
		free(s);
		json_decref(o);
	} else {
		const char *col = res.decision == DECISION_DENY ? term_red(stdout) :
				  res.decision == DECISION_ASK ? term_yellow(stdout) : term_green(stdout);
		printf("%s%s%s%s\n", term_bold(stdout), col, decision_name(res.decision), term_reset(stdout));
		if (res.reason)
			printf("%s\n", res.reason);
		else if (res.allowed_by_config)
			printf("allowed by your blastwall config (a rule matched, an allow entry or override lets it run)\n");
	}
	rc = check_exit_code(res.decision);
out:
	arena_free(a);
	return rc;
}
