/*
 * cmd_state.c: "blastwall state check|pin|accept|history [DIR]": the state
 * guard by hand. check judges the state of DIR against the journal's pin
 * (pinning it on first sight or when it moved forward normally) and exits 1
 * when the guard fires; pin pins the current state unless the guard fires;
 * accept pins whatever is there now, recording the old pin; history lists
 * what the journal saw. Each has a --json twin (schema "blastwall.state/1").
 * One arena per invocation; the journal connection dies with it.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "common/arena.h"
#include "common/err.h"
#include "common/fs.h"
#include "common/term.h"
#include "guard/config.h"
#include "terraform/tf_guard.h"

enum { EXIT_CANNOT = 3 }; /* the state (or the journal) could not be read */

static const char usage_text[] =
	"usage: blastwall state check   [DIR|STATEFILE] [--plan FILE] [--no-pin] [--json] [options]\n"
	"       blastwall state pin     [DIR|STATEFILE] [--json] [options]\n"
	"       blastwall state accept  [DIR|STATEFILE] [--json] [options]\n"
	"       blastwall state history [DIR] [--all] [--limit N] [--json]\n"
	"\n"
	"The state guard: blastwall pins each Terraform state it sees (per directory,\n"
	"backend and workspace: lineage, serial, resource count, digest) and fires when\n"
	"the state is swapped (lineage changed), rolled back (serial went down), edited,\n"
	"or missing where one was pinned.\n"
	"\n"
	"  check     judge the state of DIR (default .), or of one state file; pins it\n"
	"            on first sight and when it moved forward; exit 1 when the guard fires\n"
	"  pin       pin the current state (refused when the guard fires: use accept)\n"
	"  accept    accept the current state as the new pin, recording the old one\n"
	"  history   what the journal saw in DIR, newest first\n"
	"\n"
	"options:\n"
	"  --plan FILE           also judge a saved plan (binary or JSON): its prior state's\n"
	"                        lineage against the pin, and the missing-state smell\n"
	"  --no-pin              check only: do not move the pin\n"
	"  --workspace NAME      the workspace to look at (default: TF_WORKSPACE, then\n"
	"                        .terraform/environment, then default)\n"
	"  --no-pull             remote backends: do not run 'terraform state pull'\n"
	"  --pull-timeout SECS   budget for 'terraform state pull' (default 5, or\n"
	"                        $BLASTWALL_TF_PULL_TIMEOUT)\n"
	"  --tool terraform|tofu the binary for state pull (default: whichever is installed)\n"
	"  --all                 history: every directory\n"
	"  --limit N             history: at most N events (default 50; 0 = all)\n"
	"  --json                machine-readable output\n"
	"\n"
	"exit: 0 state as pinned (or pinned now), 1 the guard fires (or pin refused),\n"
	"      2 usage, 3 the state or the journal cannot be read\n";

struct state_opts {
	const char *sub;
	const char *dir;
	const char *plan;
	const char *workspace;
	const char *tool;
	bool json, no_pin, no_pull, all;
	int pull_ms;
	long limit;
};

static int parse(int argc, char **argv, struct state_opts *so)
{
	static const struct option opts[] = {
		{ "plan", required_argument, NULL, 'p' },     { "no-pin", no_argument, NULL, 'N' },
		{ "workspace", required_argument, NULL, 'w' }, { "no-pull", no_argument, NULL, 'P' },
		{ "pull-timeout", required_argument, NULL, 't' }, { "tool", required_argument, NULL, 'T' },
		{ "all", no_argument, NULL, 'a' },             { "limit", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },            { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	memset(so, 0, sizeof(*so));
	so->limit = 50;
	int c;
	/* GNU getopt permutes: options may come before or after the subcommand and the directory */
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'p': so->plan = optarg; break;
		case 'N': so->no_pin = true; break;
		case 'w': so->workspace = optarg; break;
		case 'P': so->no_pull = true; break;
		case 'T':
			if (strcmp(optarg, "terraform") != 0 && strcmp(optarg, "tofu") != 0)
				return cmd_usage_error("state", "--tool takes terraform or tofu, not '%s'", optarg);
			so->tool = optarg;
			break;
		case 't': {
			char *end;
			double v = strtod(optarg, &end);
			if (end == optarg || *end || !(v > 0 && v <= 3600))
				return cmd_usage_error("state", "--pull-timeout takes seconds (0 < N <= 3600), not '%s'",
						       optarg);
			so->pull_ms = (int)(v * 1000);
			break;
		}
		case 'a': so->all = true; break;
		case 'n': {
			unsigned long long v;
			if (!str_to_u64(str_from(optarg), &v) || v > 1000000)
				return cmd_usage_error("state", "--limit takes a number, not '%s'", optarg);
			so->limit = (long)v;
			break;
		}
		case 'j': so->json = true; break;
		case 'h': fputs(usage_text, stdout); return -1;
		default: return EXIT_USAGE; /* getopt printed what was wrong */
		}
	}
	if (optind >= argc)
		return cmd_usage_error("state", "give a subcommand: check, pin, accept or history");
	so->sub = argv[optind++];
	if (strcmp(so->sub, "check") && strcmp(so->sub, "pin") && strcmp(so->sub, "accept") &&
	    strcmp(so->sub, "history"))
		return cmd_usage_error("state", "'%s' is not a state subcommand (check, pin, accept, history)", so->sub);
	if (optind < argc)
		so->dir = argv[optind++];
	if (optind < argc)
		return cmd_usage_error("state", "give one directory, not '%s' and '%s'", so->dir, argv[optind]);
	if (so->plan && strcmp(so->sub, "check") != 0)
		return cmd_usage_error("state", "--plan goes with 'state check'");
	if (so->all && strcmp(so->sub, "history") != 0)
		return cmd_usage_error("state", "--all goes with 'state history'");
	if (!so->dir)
		so->dir = ".";
	return 0;
}

/* ---- output ---- */

static const char *snap_text(struct arena *a, const struct tfj_snap *s)
{
	if (!s->present)
		return "no state";
	return arena_printf(a, "lineage %s, serial %lld, %s", tfj_short_lineage(a, s->lineage), s->serial,
			    s->resources < 0 ? "resources unknown (encrypted)"
					     : arena_printf(a, "%lld resource%s", s->resources, s->resources == 1 ? "" : "s"));
}

static json_t *snap_json(const struct tfj_snap *s)
{
	if (!s->present)
		return json_pack("{s:b}", "present", 0);
	json_t *o = json_pack("{s:b}", "present", 1);
	json_object_set_new(o, "lineage", s->lineage ? json_string(s->lineage) : json_null());
	json_object_set_new(o, "serial", s->serial >= 0 ? json_integer(s->serial) : json_null());
	json_object_set_new(o, "resources", s->resources >= 0 ? json_integer(s->resources) : json_null());
	json_object_set_new(o, "digest", s->digest ? json_string(s->digest) : json_null());
	return o;
}

static json_t *time_json(long long t)
{
	if (t <= 0)
		return json_null();
	char buf[64];
	if (!*utc_text(buf, t, UTC_ISO))
		return json_null();
	return json_string(buf);
}

static void print_json(json_t *o)
{
	char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (s) {
		puts(s);
		free(s);
	}
	json_decref(o);
}

static json_t *view_json(const struct tf_state_view *v, const char *action)
{
	json_t *be = json_pack("{s:s, s:b, s:s, s:s, s:s}", "type", v->be.type, "remote", v->be.remote, "workspace",
			       v->be.workspace, "workspace_from", v->be.workspace_from, "key", v->be.key);
	json_object_set_new(be, "state_path", v->be.state_path ? json_string(v->be.state_path) : json_null());
	json_object_set_new(be, "config_hash", v->be.config_hash ? json_string(v->be.config_hash) : json_null());
	json_object_set_new(be, "initialised", json_boolean(v->be.initialised));
	json_t *o = json_pack("{s:s, s:s, s:s}", "schema", "blastwall.state/1", "action", action, "dir", v->be.dir);
	json_object_set_new(o, "backend", be);
	json_object_set_new(o, "production", json_boolean(v->production));
	json_t *st = snap_json(&v->obs);
	json_object_set_new(st, "changed_at", time_json(v->changed_at));
	json_object_set_new(st, "modified_at", time_json(v->modified_at));
	json_object_set_new(o, "state", st);
	if (v->pin.exists) {
		json_t *p = snap_json(&v->pin.s);
		json_object_set_new(p, "pinned_at", time_json(v->pin.pinned_at));
		json_object_set_new(o, "pinned", p);
	} else {
		json_object_set_new(o, "pinned", json_null());
	}
	json_object_set_new(o, "verdict", json_string(tfj_kind_name(v->kind)));
	json_object_set_new(o, "pin_event", v->pin_event ? json_string(v->pin_event) : json_null());
	json_object_set_new(o, "fires", json_boolean(v->fires));
	json_object_set_new(o, "error", v->read_error ? json_string(v->read_error) : json_null());
	json_t *fs = json_array();
	for (size_t i = 0; i < v->nf; i++)
		json_array_append_new(fs, json_pack("{s:s, s:b, s:s}", "rule", v->f[i].rule, "fires", v->f[i].fires,
						    "message", v->f[i].message));
	json_object_set_new(o, "findings", fs);
	return o;
}

static const char *verdict_line(enum tfj_kind k)
{
	switch (k) {
	case TFJ_NONE: return "no state, nothing pinned";
	case TFJ_FIRST_SIGHT: return "first sight: pinned now";
	case TFJ_SAME: return "the pinned state, unchanged";
	case TFJ_FORWARD: return "moved forward (same lineage, higher serial): pinned now";
	case TFJ_REWRITTEN: return "rewritten with the same serial and resource count: pinned now";
	case TFJ_APPEARED: return "a state appeared where none was pinned: pinned now";
	case TFJ_STILL_EMPTY: return "no state, as pinned";
	case TFJ_SWAPPED: return "SWAPPED: another state was put in its place";
	case TFJ_SERIAL_DOWN: return "ROLLED BACK: an older copy was restored";
	case TFJ_EDITED: return "EDITED without a new serial";
	case TFJ_MISSING: return "MISSING: the pinned state is gone";
	}
	return "?";
}

static void print_view(struct arena *a, const struct tf_state_view *v, long long now, bool pin_moves)
{
	FILE *f = stdout;
	printf("%s%s%s: backend %s, workspace %s%s\n", term_bold(f), v->be.dir, term_reset(f), v->be.type,
	       v->be.workspace, strcmp(v->be.workspace_from, "default") ? arena_printf(a, " (from %s)", v->be.workspace_from) : "");
	if (v->be.state_path)
		printf("  file:    %s\n", v->be.state_path);
	if (v->read_error)
		printf("  state:   cannot be read\n");
	else if (v->be.remote && !v->state_read)
		printf("  state:   not read (remote; run without --no-pull to pull it)\n");
	else
		printf("  state:   %s%s\n", snap_text(a, &v->obs),
		       v->changed_at ? arena_printf(a, ", put in place %s", tfj_ago(a, v->changed_at, now)) : "");
	if (v->pin.exists)
		printf("  pinned:  %s, pinned %s\n", snap_text(a, &v->pin.s), tfj_ago(a, v->pin.pinned_at, now));
	else
		printf("  pinned:  nothing yet\n");
	const char *vl = verdict_line(v->kind);
	if (tfj_kind_autopins(v->kind) && !v->pin_event)
		vl = arena_printf(a, "%s (not pinned: %s)", tfj_kind_name(v->kind),
				  !pin_moves ? "--no-pin" : "the guard fires");
	printf("  verdict: %s%s%s\n", tfj_kind_fires(v->kind) ? term_red(f) : "", vl,
	       tfj_kind_fires(v->kind) ? term_reset(f) : "");
	for (size_t i = 0; i < v->nf; i++)
		printf("%s%s%s %s: %s\n", v->f[i].fires ? term_red(f) : term_yellow(f),
		       v->f[i].fires ? "stop" : "warn", term_reset(f), v->f[i].rule, v->f[i].message);
	if (v->fires)
		printf("hint: check `terraform state list` (and where the file came from); run 'blastwall state "
		       "accept %s' if the change is intended\n",
		       v->be.dir);
}

/*
 * The state or the journal could not be read: the message on stderr, and for
 * --json a document with "error" on stdout, so a CI step parsing the output
 * sees why instead of nothing.
 */
static int cannot(const struct state_opts *so, const struct err *e)
{
	err_print(e);
	if (so->json) {
		json_t *o = json_pack("{s:s, s:s, s:s}", "schema", "blastwall.state/1", "action", so->sub, "error",
				      e->msg);
		json_object_set_new(o, "hint", e->hint[0] ? json_string(e->hint) : json_null());
		print_json(o);
	}
	return EXIT_CANNOT;
}

/* ---- subcommands ---- */

static int open_view(struct arena *a, const struct state_opts *so, bool autopin, struct sqlite3 **db,
		     struct bw_config *cfg, struct tf_backend_env *env, struct tf_state_view *v, struct err *e)
{
	const char *dir = so->dir;
	memset(env, 0, sizeof(*env));
	env->tf_workspace = so->workspace;
	if (fs_exists(dir) && !fs_is_dir(dir)) {
		/* a state file: judged as `terraform -state=FILE` would use it, from its directory */
		char cwd[4096];
		if (!getcwd(cwd, sizeof(cwd)))
			return err_errno(e, "cannot get the current directory");
		env->state_flag = path_normalize(a, cwd, dir);
		dir = path_dirname(a, env->state_flag);
	}
	if (config_load(a, dir, cfg, e) < 0)
		return -1;
	if (cfg->broken)
		bw_warn("%s (production patterns fall back to the defaults)", cfg->broken_msg);
	if (tfj_open(a, db, e) < 0)
		return -1;
	struct tf_state_opts o = {
		.cfg = cfg->broken ? NULL : cfg, .env = env, .tool = so->tool, .pull = !so->no_pull,
		.pull_ms = so->pull_ms, .full = true, .autopin = autopin, .record = true,
	};
	return tf_state_inspect(a, *db, dir, &o, v, e);
}

static int do_check(struct arena *a, const struct state_opts *so)
{
	struct err e;
	err_init(&e);
	struct sqlite3 *db;
	struct bw_config cfg;
	struct tf_backend_env env;
	struct tf_state_view v;
	if (open_view(a, so, !so->no_pin, &db, &cfg, &env, &v, &e) < 0) {
		return cannot(so, &e);
	}
	if (so->plan) {
		struct tf_plan plan;
		struct tf_plan_opts po = { 0 };
		po.no_exec = true;
		if (tfplan_load(a, so->plan, &po, &plan, &e) < 0) {
			return cannot(so, &e);
		}
		tf_state_judge_plan(a, &v, &plan);
	}
	long long now = (long long)time(NULL);
	if (so->json) {
		json_t *o = view_json(&v, "check");
		if (so->plan)
			json_object_set_new(o, "plan", json_string(so->plan));
		print_json(o);
	} else {
		print_view(a, &v, now, !so->no_pin);
	}
	if (v.read_error)
		return EXIT_CANNOT;
	return v.nf ? EXIT_FAIL : EXIT_OK;
}

static int do_pin(struct arena *a, const struct state_opts *so, bool accept)
{
	struct err e;
	err_init(&e);
	struct sqlite3 *db;
	struct bw_config cfg;
	struct tf_backend_env env;
	struct tf_state_view v;
	/* pin moves the pin itself below; inspect must not move it first */
	if (open_view(a, so, false, &db, &cfg, &env, &v, &e) < 0) {
		return cannot(so, &e);
	}
	long long now = (long long)time(NULL);
	if (v.read_error) {
		err_set(&e, "cannot %s the state of '%s': %s", accept ? "accept" : "pin", v.be.dir, v.read_error);
		return cannot(so, &e);
	}
	if (v.be.remote && !v.state_read) {
		err_set(&e, "cannot %s the %s state of '%s' without reading it", accept ? "accept" : "pin", v.be.type,
			v.be.dir);
		err_hint(&e, "run it without --no-pull");
		return cannot(so, &e);
	}
	const char *result;
	int rc = EXIT_OK;
	bool unchanged = v.kind == TFJ_SAME || v.kind == TFJ_STILL_EMPTY;
	if (unchanged) {
		result = "already pinned";
	} else if (!accept && v.fires) {
		result = "refused";
		rc = EXIT_FAIL;
	} else {
		const char *event = accept ? "accept" : "pin";
		const char *detail = NULL;
		for (size_t i = 0; accept && !detail && i < v.nf; i++)
			if (v.f[i].fires)
				detail = arena_printf(a, "accepted despite %s", v.f[i].rule);
		struct tfj_key k = { v.be.dir, v.be.key, v.be.workspace };
		if (tfj_pin(db, &k, &v.obs, now, event, v.pin.exists ? &v.pin.s : NULL, detail, &e) < 0) {
			return cannot(so, &e);
		}
		v.pin_event = event;
		result = accept ? "accepted" : "pinned";
	}
	if (so->json) {
		json_t *o = view_json(&v, accept ? "accept" : "pin");
		json_object_set_new(o, "result", json_string(result));
		print_json(o);
	} else if (rc == EXIT_FAIL) {
		for (size_t i = 0; i < v.nf; i++)
			if (v.f[i].fires)
				fprintf(stderr, "blastwall: %s\n", v.f[i].message);
		fprintf(stderr, "blastwall: not pinned: the guard stops the state of '%s' as it is\n", v.be.dir);
		fprintf(stderr, "hint: check `terraform state list`; run 'blastwall state accept%s%s' if the change is "
				"intended\n",
			strcmp(so->dir, ".") ? " " : "", strcmp(so->dir, ".") ? so->dir : "");
	} else if (unchanged) {
		printf("%s: already pinned: %s (pinned %s)\n", v.be.dir, snap_text(a, &v.obs),
		       tfj_ago(a, v.pin.pinned_at, now));
	} else {
		printf("%s: %s %s (backend %s, workspace %s)\n", v.be.dir, result, snap_text(a, &v.obs), v.be.type,
		       v.be.workspace);
		if (v.pin.exists)
			printf("  previous pin: %s, pinned %s\n", snap_text(a, &v.pin.s), tfj_ago(a, v.pin.pinned_at, now));
	}
	return rc;
}

static int do_history(struct arena *a, const struct state_opts *so)
{
	struct err e;
	err_init(&e);
	struct sqlite3 *db;
	const char *dir = NULL;
	if (!so->all) {
		/* lexically: the history of a directory that is gone is still worth reading */
		char cwd[4096];
		if (!getcwd(cwd, sizeof(cwd))) {
			err_errno(&e, "cannot get the current directory");
			return cannot(so, &e);
		}
		dir = path_normalize(a, cwd, so->dir);
	}
	if (tfj_open(a, &db, &e) < 0) {
		return cannot(so, &e);
	}
	struct tfj_event *ev;
	size_t n;
	if (tfj_history(a, db, dir, (size_t)so->limit, &ev, &n, &e) < 0) {
		return cannot(so, &e);
	}
	if (so->json) {
		json_t *arr = json_array();
		for (size_t i = 0; i < n; i++) {
			json_t *o = json_pack("{s:I, s:o, s:s, s:s, s:s, s:s}", "id", (json_int_t)ev[i].id, "at",
					      time_json(ev[i].at), "event", ev[i].event, "dir", ev[i].dir, "backend",
					      ev[i].backend, "workspace", ev[i].workspace);
			json_object_set_new(o, "old", ev[i].old.present || ev[i].old.lineage ? snap_json(&ev[i].old)
											  : json_null());
			json_object_set_new(o, "new", snap_json(&ev[i].now));
			json_object_set_new(o, "detail", ev[i].detail ? json_string(ev[i].detail) : json_null());
			json_array_append_new(arr, o);
		}
		json_t *o = json_pack("{s:s, s:s}", "schema", "blastwall.state/1", "action", "history");
		json_object_set_new(o, "dir", dir ? json_string(dir) : json_null());
		json_object_set_new(o, "events", arr);
		print_json(o);
		return EXIT_OK;
	}
	if (n == 0) {
		printf("no state history%s%s\n", dir ? " for " : "", dir ? dir : "");
		return EXIT_OK;
	}
	for (size_t i = 0; i < n; i++) {
		char when[64];
		if (!*utc_text(when, ev[i].at, "%Y-%m-%d %H:%M:%S"))
			snprintf(when, sizeof(when), "?");
		printf("%s  %-10s %-12s %s", when, ev[i].workspace, ev[i].event, snap_text(a, &ev[i].now));
		if (ev[i].old.present || ev[i].old.lineage)
			printf("  (was %s)", snap_text(a, &ev[i].old));
		if (so->all)
			printf("  %s", ev[i].dir);
		if (ev[i].detail)
			printf("  [%s]", ev[i].detail);
		putchar('\n');
	}
	return EXIT_OK;
}

int cmd_state(int argc, char **argv)
{
	struct state_opts so;
	int r = parse(argc, argv, &so);
	if (r < 0)
		return EXIT_OK; /* --help */
	if (r)
		return r;
	struct arena *a = arena_new();
	int rc;
	if (strcmp(so.sub, "check") == 0)
		rc = do_check(a, &so);
	else if (strcmp(so.sub, "pin") == 0)
		rc = do_pin(a, &so, false);
	else if (strcmp(so.sub, "accept") == 0)
		rc = do_pin(a, &so, true);
	else
		rc = do_history(a, &so);
	arena_free(a);
	return rc;
}
