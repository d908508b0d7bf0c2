/*
 * cmd_hook.c: "blastwall hook claude|codex|gemini|cursor", the process an
 * agent runs before every shell command. It reads the agent's JSON on stdin,
 * asks the guard, records ask/deny in the audit log and answers in the
 * agent's own format (doc/json/hooks.md cites the protocol each follows).
 *
 * Invariants:
 *   - allow prints nothing and exits 0, so the agent's own permission system
 *     still applies;
 *   - input we cannot understand is answered with a message on stderr and
 *     exit 2, which every one of these agents treats as "block";
 *   - an agent that cannot show an "ask" prompt from a hook (Codex, Gemini
 *     CLI: an unknown decision there fails open) gets a deny whose reason says
 *     a human has to confirm;
 *   - the audit log never blocks the answer: if it cannot be written, one
 *     warning goes to stderr and the decision stands.
 *
 * This path is timed by bench/hook-latency: config and the state database
 * are touched only when needed, and nothing here runs a child process.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "common/buf.h"
#include "common/fs.h"
#include "guard/audit.h"
#include "guard/config.h"
#include "guard/guard.h"

/* A Bash command larger than this is not something an agent types; the guard bounds its own work too. */
#define HOOK_MAX_INPUT (16u * 1024 * 1024)

enum agent { AGENT_CLAUDE, AGENT_CODEX, AGENT_GEMINI, AGENT_CURSOR };
static const char *const agent_names[] = { "claude", "codex", "gemini", "cursor" };

/* What the hook needs from the agent's payload. */
struct hook_input {
	bool relevant;        /* false: not a shell command (another tool or event): pass silently */
	const char *command;
	const char *cwd;      /* may be NULL */
	const char *session;  /* may be NULL */
};

static int usage(FILE *f)
{
	fprintf(f, "usage: blastwall hook claude|codex|gemini|cursor\n\n"
		   "Reads one hook payload from the agent on stdin, checks the shell command in it\n"
		   "and answers in that agent's hook format. Allowed commands print nothing.\n"
		   "Ask and deny decisions are recorded in the audit log ('blastwall log').\n"
		   "Exit status: 0 answered (allow, ask or deny), 2 the input could not be understood\n"
		   "(the agent blocks the command).\n"
		   "Installed by 'blastwall install AGENT'; see blastwall(1) and doc/json/hooks.md.\n");
	return f == stdout ? EXIT_OK : EXIT_USAGE;
}

/* Fails the hook: message on stderr (the agent shows it), exit 2 (the agent blocks). */
static int reject(const char *agent, const char *fmt, ...) BW_PRINTF(2, 3);
static int reject(const char *agent, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "blastwall hook %s: ", agent);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "; the command was blocked because blastwall could not check it\n");
	return EXIT_USAGE;
}

const char *cmd_json_kind(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER:
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	}
	return "something else";
}

/*
 * An optional string member: absent or null gives NULL. Anything else but a
 * string is an error (returns -1 with *why set).
 */
static int opt_string(struct arena *a, const json_t *obj, const char *key, const char **out, const char **why)
{
	json_t *v = json_object_get(obj, key);
	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v)) {
		*why = arena_printf(a, "\"%s\" is %s, not a string", key, cmd_json_kind(v));
		return -1;
	}
	*out = arena_strndup(a, json_string_value(v), json_string_length(v));
	return 0;
}

/*
 * Claude Code and Codex share the PreToolUse payload: tool_name, tool_input,
 * cwd, session_id. Both name their shell tool "Bash".
 */
static int parse_pretooluse(struct arena *a, const json_t *root, const char *shell_tool, struct hook_input *in,
			    const char **why)
{
	const char *tool, *event;
	if (opt_string(a, root, "hook_event_name", &event, why) < 0)
		return -1;
	/* Installed under another event by mistake (PostToolUse, PermissionRequest): not ours to answer. */
	if (event && strcmp(event, "PreToolUse") != 0 && strcmp(event, "BeforeTool") != 0)
		return 0;
	if (opt_string(a, root, "tool_name", &tool, why) < 0)
		return -1;
	if (!tool) {
		*why = "\"tool_name\" is missing";
		return -1;
	}
	if (strcmp(tool, shell_tool) != 0)
		return 0;
	json_t *ti = json_object_get(root, "tool_input");
	if (!ti) {
		*why = arena_printf(a, "\"tool_input\" is missing for the %s tool", shell_tool);
		return -1;
	}
	if (!json_is_object(ti)) {
		*why = arena_printf(a, "\"tool_input\" is %s, not an object", cmd_json_kind(ti));
		return -1;
	}
	if (opt_string(a, ti, "command", &in->command, why) < 0)
		return -1;
	if (!in->command) {
		*why = arena_printf(a, "\"tool_input.command\" is missing for the %s tool", shell_tool);
		return -1;
	}
	if (opt_string(a, root, "cwd", &in->cwd, why) < 0 || opt_string(a, root, "session_id", &in->session, why) < 0)
		return -1;
	in->relevant = true;
	return 0;
}

/* Gemini CLI BeforeTool: the shell tool is run_shell_command. */
static int parse_gemini(struct arena *a, const json_t *root, struct hook_input *in, const char **why)
{
	const char *event;
	if (opt_string(a, root, "hook_event_name", &event, why) < 0)
		return -1;
	if (event && strcmp(event, "BeforeTool") != 0)
		return 0;
	return parse_pretooluse(a, root, "run_shell_command", in, why);
}

/* Cursor beforeShellExecution: command and cwd at the top level, conversation_id for the session. */
static int parse_cursor(struct arena *a, const json_t *root, struct hook_input *in, const char **why)
{
	const char *event;
	if (opt_string(a, root, "hook_event_name", &event, why) < 0)
		return -1;
	if (event && strcmp(event, "beforeShellExecution") != 0)
		return 0;
	if (opt_string(a, root, "command", &in->command, why) < 0)
		return -1;
	if (!in->command) {
		*why = "\"command\" is missing";
		return -1;
	}
	if (opt_string(a, root, "cwd", &in->cwd, why) < 0 ||
	    opt_string(a, root, "conversation_id", &in->session, why) < 0)
		return -1;
	if (!in->cwd || !*in->cwd) {
		/* Older Cursor builds send no cwd: the first workspace root is where the agent's shell starts. */
		json_t *roots = json_object_get(root, "workspace_roots");
		json_t *r0 = json_is_array(roots) ? json_array_get(roots, 0) : NULL;
		if (json_is_string(r0))
			in->cwd = arena_strdup(a, json_string_value(r0));
	}
	in->relevant = true;
	return 0;
}

static char *rules_of(struct arena *a, const struct guard_result *res)
{
	struct buf b;
	buf_init(&b, 0);
	for (size_t i = 0; i < res->nmatches; i++) {
		const char *r = res->matches[i].rule;
		if (!r)
			continue;
		/* The same rule can match several commands of one line: list it once. */
		bool dup = false;
		for (size_t j = 0; j < i && !dup; j++)
			dup = res->matches[j].rule && strcmp(res->matches[j].rule, r) == 0;
		if (dup)
			continue;
		if (b.n)
			buf_addc(&b, ',');
		buf_addz(&b, r);
	}
	char *s = b.n ? arena_strndup(a, b.p, b.n) : NULL;
	buf_release(&b);
	return s;
}

static void audit_write(struct arena *a, const char *agent, const struct hook_input *in, const char *cwd,
			enum decision d, const char *rules, const char *reason)
{
	sqlite3 *db;
	struct err e;
	err_init(&e);
	struct audit_entry ent = {
		.cwd = cwd,
		.agent = agent,
		.session = in->session,
		.command = in->command,
		.decision = decision_name(d),
		.rules = rules,
		.reason = reason,
	};
	if (audit_open(a, &db, &e) < 0 || audit_append(a, db, &ent, &e) < 0)
		bw_warn("the audit log was not written (%s); the decision stands", e.msg);
}

/* Writes obj as one line to stdout. */
static int emit(json_t *obj)
{
	char *s = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(obj);
	if (!s)
		bw_oom();
	int ok = puts(s) >= 0 && fflush(stdout) == 0;
	free(s);
	return ok ? EXIT_OK : EXIT_FAIL;
}

/* jansson refuses strings that are not UTF-8; the guard's texts quote the command, which came from JSON. */
static json_t *jstr(const char *s)
{
	json_t *v = json_string(s ? s : "");
	return v ? v : json_string("(message not valid UTF-8)");
}

static const char *ask_as_deny(struct arena *a, const char *reason)
{
	return arena_printf(a,
			    "blastwall: this command needs a human's confirmation, and this agent's hooks cannot ask "
			    "for it, so it was blocked. Ask the user to run it themselves, or to allow it in "
			    ".blastwall.yaml.\n%s",
			    reason);
}

static int answer(struct arena *a, enum agent ag, enum decision d, const char *reason)
{
	if (d == DECISION_ALLOW)
		return EXIT_OK;
	json_t *o;
	switch (ag) {
	case AGENT_CLAUDE:
	case AGENT_CODEX: {
		/* Codex parses "ask" but fails open on it (codex-rs/hooks pre_tool_use.rs): deny instead. */
		const char *why = (ag == AGENT_CODEX && d == DECISION_ASK) ? ask_as_deny(a, reason) : reason;
		const char *dec = (ag == AGENT_CODEX) ? "deny" : decision_name(d);
		json_t *h = json_object();
		json_object_set_new(h, "hookEventName", json_string("PreToolUse"));
		json_object_set_new(h, "permissionDecision", json_string(dec));
		json_object_set_new(h, "permissionDecisionReason", jstr(why));
		o = json_object();
		json_object_set_new(o, "hookSpecificOutput", h);
		return emit(o);
	}
	case AGENT_GEMINI:
		o = json_object();
		json_object_set_new(o, "decision", json_string("deny"));
		json_object_set_new(o, "reason", jstr(d == DECISION_ASK ? ask_as_deny(a, reason) : reason));
		json_object_set_new(o, "systemMessage",
				    jstr(arena_printf(a, "blastwall %s: %s", d == DECISION_ASK ? "needs confirmation" : "denied",
						      reason)));
		return emit(o);
	case AGENT_CURSOR:
		/* The docs name the fields user_message/agent_message; Cursor 1.7 read the camelCase ones. */
		o = json_object();
		json_object_set_new(o, "permission", json_string(decision_name(d)));
		json_object_set_new(o, "user_message", jstr(reason));
		json_object_set_new(o, "agent_message", jstr(reason));
		json_object_set_new(o, "userMessage", jstr(reason));
		json_object_set_new(o, "agentMessage", jstr(reason));
		return emit(o);
	}
	BUG("unknown agent %d", (int)ag);
}

static int run(struct arena *a, enum agent ag)
{
	const char *agent = agent_names[ag];
	struct buf b;
	struct err e;
	err_init(&e);
	if (isatty(STDIN_FILENO))
		return reject(agent, "stdin is a terminal: the agent runs this command and writes its JSON payload to it "
				     "(set it up with 'blastwall install %s'; try a command with 'blastwall check')",
			      agent);
	buf_init(&b, HOOK_MAX_INPUT + 1);
	if (fs_read_fd(STDIN_FILENO, HOOK_MAX_INPUT, &b, &e) < 0) {
		buf_release(&b);
		return reject(agent, "cannot read the payload on stdin: %s", e.msg);
	}
	if (str_trim(buf_str(&b)).n == 0) {
		buf_release(&b);
		return reject(agent, "no input: expected the agent's JSON payload on stdin");
	}
	json_error_t jerr;
	/* jansson would read /dev/urandom for its hash seed; the payload comes from the local agent. */
	json_object_seed((size_t)getpid() ^ (size_t)time(NULL));
	json_t *root = json_loadb(b.p, b.n, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	buf_release(&b);
	if (!root)
		return reject(agent, "the payload is not valid JSON (line %d, column %d: %s)", jerr.line, jerr.column,
			      jerr.text);
	if (!json_is_object(root)) {
		const char *t = cmd_json_kind(root);
		json_decref(root);
		return reject(agent, "the payload is %s, not a JSON object", t);
	}

	struct hook_input in = { 0 };
	const char *why = NULL;
	int r;
	switch (ag) {
	case AGENT_CLAUDE:
	case AGENT_CODEX:
		r = parse_pretooluse(a, root, "Bash", &in, &why);
		break;
	case AGENT_GEMINI:
		r = parse_gemini(a, root, &in, &why);
		break;
	default:
		r = parse_cursor(a, root, &in, &why);
		break;
	}
	json_decref(root);
	if (r < 0)
		return reject(agent, "unexpected payload: %s", why);
	if (!in.relevant)
		return EXIT_OK;

	/* The agent's cwd is where the command runs; a relative one is taken against ours. */
	char here[4096];
	const char *proc_cwd = getcwd(here, sizeof(here)) ? here : "/";
	const char *cwd = in.cwd && *in.cwd ? path_normalize(a, proc_cwd, in.cwd) : arena_strdup(a, proc_cwd);

	struct bw_config cfg;
	if (config_load(a, cwd, &cfg, &e) < 0) {
		/* Not the file's fault (e.g. out of file descriptors): treat like a broken config. */
		memset(&cfg, 0, sizeof(cfg));
		cfg.broken = true;
		cfg.broken_msg = arena_strdup(a, e.msg);
	}
	config_print_warnings(&cfg);
	if (cfg.broken)
		bw_warn("configuration error: %s (until it is fixed, its rules and allow entries are ignored and risky commands are asked about or denied)",
			cfg.broken_msg);

	struct guard_request req = { .command = in.command, .cwd = cwd, .agent = agent, .session = in.session };
	struct guard_result res;
	enum decision d;
	const char *reason;
	memset(&res, 0, sizeof(res));
	err_init(&e);
	if (guard_decide(a, &req, &cfg, &res, &e) < 0) {
		/* An internal failure must not let the command through unseen; a human decides. */
		d = DECISION_ASK;
		reason = arena_printf(a, "blastwall could not check this command: %s", e.msg);
	} else {
		d = res.decision;
		reason = res.reason ? res.reason : "blastwall flagged this command";
	}

	if (d != DECISION_ALLOW || cfg.audit_allow)
		audit_write(a, agent, &in, cwd, d, rules_of(a, &res), d == DECISION_ALLOW ? NULL : reason);
	return answer(a, ag, d, reason);
}

int cmd_hook(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (c == 'h')
			return usage(stdout);
		return cmd_usage_error("hook", "unknown option");
	}
	if (optind >= argc)
		return cmd_usage_error("hook", "which agent? claude, codex, gemini or cursor");
	if (optind + 1 < argc)
		return cmd_usage_error("hook", "unexpected argument '%s'", argv[optind + 1]);
	const char *name = argv[optind];
	for (size_t i = 0; i < ARRAY_SIZE(agent_names); i++) {
		if (strcmp(name, agent_names[i]) == 0) {
			struct arena *a = arena_new();
			int rc = run(a, (enum agent)i);
			arena_free(a);
			return rc;
		}
	}
	return cmd_usage_error("hook", "unknown agent '%s' (use claude, codex, gemini or cursor)", name);
}
