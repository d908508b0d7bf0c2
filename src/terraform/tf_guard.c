/*
 * tf_guard.c: the terraform module's answer to the guard, and the state
 * guard that `blastwall state` shares with it.
 *
 * The state guard (tf_state_inspect) reads the state the command would use,
 * judges it against the journal's pin and turns the verdict into findings
 * that name the evidence: old and new lineage, serials, resource counts, and
 * when the file was put in place. "When" is the file's ctime: `tar xf` and
 * `cp -p` restore an old mtime, but nothing can restore a ctime, so it tells
 * when the swap happened, while the mtime tells how old the copy is.
 *
 * tf_guard_assess classifies the terraform command and answers:
 *   - destroy, apply -destroy (and -target=): the real blast radius from the
 *     state (blast_from_state); data-bearing or production: deny, else ask;
 *   - apply PLANFILE: judged from the plan (blast_from_plan, its prior state
 *     against the pin); nothing deleted: allow;
 *   - apply without a saved plan in production: deny with the recipe;
 *   - any state-changing command where the state guard fires: deny (plan and
 *     init: ask), with the evidence. Read-only commands are left alone: they
 *     are how a human checks what happened (`terraform state list`).
 * Hot path: one stat, one journal read; the state is parsed only when the
 * file is not the pinned one or when a destroy needs its resources; no
 * process is started unless the state is remote and a destroy needs it.
 */
#include "terraform/tf_guard.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/fs.h"
#include "terraform/blast.h"

/* ---- production ---- */

static const char *const default_prod[] = { "*prod*" };

bool tf_is_production(struct arena *a, const struct bw_config *cfg, const struct tf_backend *be, const char **why)
{
	const char *const *ws = cfg ? cfg->prod.tf_workspaces : default_prod;
	size_t nws = cfg ? cfg->prod.ntf_workspaces : 1;
	if (why)
		*why = NULL;
	for (size_t i = 0; i < nws; i++) {
		if (be->workspace && str_glob(ws[i], str_from(be->workspace))) {
			if (why)
				*why = arena_printf(a, "workspace '%s' matches the production pattern '%s'", be->workspace,
						    ws[i]);
			return true;
		}
	}
	if (!cfg || !be->dir)
		return false;
	/* a directory is production when it or a directory above it matches */
	char *d = arena_strdup(a, be->dir);
	for (;;) {
		for (size_t i = 0; i < cfg->prod.npaths; i++) {
			if (str_glob(cfg->prod.paths[i], str_from(d))) {
				if (why)
					*why = arena_printf(a, "directory '%s' matches the production pattern '%s'", d,
							    cfg->prod.paths[i]);
				return true;
			}
		}
		char *slash = strrchr(d, '/');
		if (!slash || slash == d)
			break;
		*slash = '\0';
	}
	return false;
}

/* ---- findings ---- */

static void add_finding(struct arena *a, struct tf_state_view *v, const char *rule, bool fires, const char *msg)
{
	v->f = arena_grow(a, v->f, v->nf, v->nf + 1, sizeof(*v->f));
	v->f[v->nf++] = (struct tf_state_finding){ .rule = rule, .message = msg, .fires = fires };
	if (fires)
		v->fires = true;
}

static const char *plural(long long n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static const char *count_text(struct arena *a, long long n)
{
	if (n < 0)
		return "an unknown number of resources (encrypted)";
	return arena_printf(a, "%lld %s", n, plural(n, "resource", "resources"));
}

static const char *date_text(struct arena *a, long long t)
{
	char buf[64];
	if (!*utc_text(buf, t, "%Y-%m-%d %H:%M UTC"))
		return "an unknown date";
	return arena_strdup(a, buf);
}

/* "The state file was replaced 3 minutes ago" (local) or "The state in the s3 backend changed" (remote). */
static const char *changed_text(struct arena *a, const struct tf_state_view *v, long long now, const char *how)
{
	if (v->be.remote)
		return arena_printf(a, "The state in the %s backend (workspace %s) was %s", v->be.type, v->be.workspace,
				    how);
	if (v->changed_at > 0)
		return arena_printf(a, "The state file was %s %s", how, tfj_ago(a, v->changed_at, now));
	return arena_printf(a, "The state file was %s", how);
}

/* An archive's copy keeps its old mtime: say so when it is much older than the ctime. */
static const char *archive_hint(struct arena *a, const struct tf_state_view *v)
{
	if (v->be.remote || v->modified_at <= 0 || v->changed_at - v->modified_at < 3600)
		return "";
	return arena_printf(a, " The file's modification time says %s, much older than when it was put there: "
			       "it was restored from a copy or an archive.",
			    date_text(a, v->modified_at));
}

static void judge_findings(struct arena *a, struct tf_state_view *v, long long now)
{
	const struct tfj_snap *p = &v->pin.s, *o = &v->obs;
	const char *where = v->be.remote ? arena_printf(a, "the %s backend", v->be.type)
					 : arena_printf(a, "'%s'", v->be.state_path);
	switch (v->kind) {
	case TFJ_SWAPPED:
		add_finding(a, v, "terraform.state-swapped", true,
			    arena_printf(a,
					 "%s: its lineage changed from %s to %s and it now describes %s %s "
					 "(serial %lld; the pinned state, seen %s, had serial %lld).%s",
					 changed_text(a, v, now, "replaced"), tfj_short_lineage(a, p->lineage),
					 tfj_short_lineage(a, o->lineage), count_text(a, o->resources),
					 o->resources == p->resources
						 ? "like the pinned one, but not the same objects"
						 : arena_printf(a, "instead of %lld", p->resources),
					 o->serial, tfj_ago(a, v->pin.seen_at, now), p->serial, archive_hint(a, v)));
		break;
	case TFJ_SERIAL_DOWN:
		add_finding(a, v, "terraform.state-serial-down", true,
			    arena_printf(a,
					 "%s by an older copy: its serial went down from %lld to %lld (same lineage %s), "
					 "and it describes %s where the pinned state had %lld.%s",
					 changed_text(a, v, now, "replaced"), p->serial, o->serial,
					 tfj_short_lineage(a, o->lineage), count_text(a, o->resources), p->resources,
					 archive_hint(a, v)));
		break;
	case TFJ_EDITED:
		add_finding(a, v, "terraform.state-edited", true,
			    arena_printf(a,
					 "%s without a new serial (lineage %s, serial %lld): it describes %s where the "
					 "pinned state had %lld. Terraform raises the serial on every write; this was "
					 "edited by hand or by another tool.",
					 changed_text(a, v, now, "changed"), tfj_short_lineage(a, o->lineage), o->serial,
					 count_text(a, o->resources), p->resources));
		break;
	case TFJ_MISSING:
		add_finding(a, v, "terraform.state-missing", true,
			    arena_printf(a,
					 "The state is missing: %s holds no state, but blastwall pinned one %s with %s "
					 "(lineage %s, serial %lld). Terraform now believes nothing exists: a plan would "
					 "create everything again and lose track of what is running.",
					 where, tfj_ago(a, v->pin.pinned_at, now), count_text(a, p->resources),
					 tfj_short_lineage(a, p->lineage), p->serial));
		break;
	default:
		break;
	}
}

/* With no state and no pin, a backup that still lists resources is the evidence. */
static void backup_finding(struct arena *a, struct tf_state_view *v, long long now, const struct tf_read_opts *ro)
{
	if (v->be.remote || v->obs.present || v->kind == TFJ_MISSING)
		return;
	char *bak = arena_printf(a, "%s.backup", v->be.state_path);
	struct stat sb;
	if (stat(bak, &sb) < 0 || !S_ISREG(sb.st_mode) || sb.st_size == 0)
		return;
	struct tf_state bst;
	struct err e;
	err_init(&e);
	if (tfstate_load(a, bak, ro, &bst, &e) < 0 || bst.nmanaged == 0)
		return;
	/* an accepted "no state" pin is a human's decision: the backup is then history, not evidence */
	if (v->pin.exists && !v->pin.s.present)
		return;
	add_finding(a, v, "terraform.state-missing", true,
		    arena_printf(a,
				 "The state is missing: '%s' does not exist, but its backup '%s' (written %s) describes "
				 "%zu %s (lineage %s, serial %llu). Terraform now believes nothing exists.",
				 v->be.state_path, path_basename(bak), tfj_ago(a, (long long)sb.st_mtime, now),
				 bst.nmanaged, plural((long long)bst.nmanaged, "resource", "resources"),
				 tfj_short_lineage(a, bst.lineage), bst.serial));
}

/*
 * First sight of a state that does not continue its own backup. Terraform
 * copies the previous state to <state>.backup before every write, so the
 * backup normally has the same lineage and a lower or equal serial. A state
 * unpacked over the working one keeps the old backup: with no pin yet, the
 * backup is the witness. An old mtime on a file put in place recently is a
 * weaker sign (a copy or an archive), reported as a warning.
 */
static void first_sight_findings(struct arena *a, struct tf_state_view *v, long long now,
				 const struct tf_read_opts *ro)
{
	if (v->kind != TFJ_FIRST_SIGHT || v->be.remote || !v->state_read)
		return;
	const struct tfj_snap *o = &v->obs;
	char *bak = arena_printf(a, "%s.backup", v->be.state_path);
	struct stat sb;
	struct tf_state bst;
	struct err e;
	err_init(&e);
	if (o->lineage && stat(bak, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0 &&
	    tfstate_load(a, bak, ro, &bst, &e) == 0 &&
	    bst.lineage && *bst.lineage) {
		const char *when = tfj_ago(a, (long long)sb.st_mtime, now);
		if (strcmp(bst.lineage, o->lineage) != 0) {
			add_finding(a, v, "terraform.state-swapped", true,
				    arena_printf(a,
						 "%s: it has lineage %s (serial %lld, %s), but its backup '%s', which "
						 "Terraform wrote %s, has lineage %s (serial %llu, %zu resources): the state "
						 "was not written by Terraform here.%s",
						 changed_text(a, v, now, "replaced"), tfj_short_lineage(a, o->lineage),
						 o->serial, count_text(a, o->resources), path_basename(bak), when,
						 tfj_short_lineage(a, bst.lineage), bst.serial, bst.nmanaged,
						 archive_hint(a, v)));
			return;
		}
		if (bst.has_serial && o->serial >= 0 && (long long)bst.serial > o->serial) {
			add_finding(a, v, "terraform.state-serial-down", true,
				    arena_printf(a,
						 "%s by an older copy: its serial (%lld) is below its backup's ('%s', "
						 "written %s: serial %llu, %zu resources).%s",
						 changed_text(a, v, now, "replaced"), o->serial, path_basename(bak), when,
						 bst.serial, bst.nmanaged, archive_hint(a, v)));
			return;
		}
	}
	const char *hint = archive_hint(a, v);
	if (*hint)
		add_finding(a, v, "terraform.state-restored-copy", false,
			    arena_printf(a, "The state file was put in place %s.%s Check that it is the current state "
					    "(`terraform state list`) before changing anything.",
					 tfj_ago(a, v->changed_at, now), hint));
}

static long long ns_of(struct timespec ts)
{
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void snap_from_state(struct tfj_snap *s, const struct tf_state *st)
{
	s->present = st->form != TF_STATE_EMPTY;
	s->lineage = st->lineage && *st->lineage ? st->lineage : NULL;
	s->serial = st->has_serial ? (long long)st->serial : -1;
	s->resources = st->form == TF_STATE_ENCRYPTED ? -1 : (long long)st->nmanaged;
	s->digest = st->digest;
}

/* Reads the state (local file or pull) into v->st / v->obs. Returns false when it could not be read. */
static bool read_state(struct arena *a, struct tf_state_view *v, const struct tf_state_opts *o,
		       const struct tf_read_opts *ro)
{
	struct err e;
	err_init(&e);
	if (v->be.remote) {
		struct buf b;
		buf_init(&b, 0);
		int ms = o->pull_ms > 0 ? o->pull_ms : tf_backend_pull_budget_ms();
		if (tf_backend_pull(a, &v->be, o->tool, ms, &b, &e) < 0) {
			buf_release(&b);
			v->read_error = arena_strdup(a, e.msg);
			return false;
		}
		int r = tfstate_parse(a, b.p ? b.p : "", b.n, arena_printf(a, "%s state", v->be.type), ro, &v->st, &e);
		buf_release(&b);
		if (r < 0) {
			v->read_error = arena_strdup(a, e.msg);
			return false;
		}
	} else if (tfstate_load(a, v->be.state_path, ro, &v->st, &e) < 0) {
		v->read_error = arena_strdup(a, e.msg);
		return false;
	}
	v->state_read = true;
	long long size = v->obs.size, mt = v->obs.mtime_ns, ct = v->obs.ctime_ns, ino = v->obs.ino;
	snap_from_state(&v->obs, &v->st);
	v->obs.size = size, v->obs.mtime_ns = mt, v->obs.ctime_ns = ct, v->obs.ino = ino;
	return true;
}

int tf_state_inspect(struct arena *a, struct sqlite3 *db, const char *dir, const struct tf_state_opts *o,
		     struct tf_state_view *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	out->kind = TFJ_NONE;
	long long now = o->now ? o->now : (long long)time(NULL);
	if (tf_backend_detect(a, dir, o->env, &out->be, e) < 0)
		return -1;
	out->production = tf_is_production(a, o->cfg, &out->be, &out->production_why);

	struct tf_policy pol;
	struct tf_read_opts ro;
	tf_policy_from_config(&pol, o->cfg);
	memset(&ro, 0, sizeof(ro));
	tf_policy_read_opts(&pol, &ro);

	struct tfj_key key = { out->be.dir, out->be.key, out->be.workspace };
	if (db && tfj_get(a, db, &key, &out->pin, e) < 0)
		return -1;

	bool known = true; /* whether obs says something (a remote state not pulled says nothing) */
	if (out->be.remote) {
		if (o->pull)
			known = read_state(a, out, o, &ro);
		else
			known = false;
	} else {
		struct stat sb;
		if (stat(out->be.state_path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
			/* never open a FIFO or a device: reading one could hang the hook */
			out->read_error = arena_printf(a, "'%s' is not a regular file", out->be.state_path);
			known = false;
		} else if (stat(out->be.state_path, &sb) == 0) {
			out->obs.present = sb.st_size > 0;
			out->obs.size = (long long)sb.st_size;
			out->obs.mtime_ns = ns_of(sb.st_mtim);
			out->obs.ctime_ns = ns_of(sb.st_ctim);
			out->obs.ino = (long long)sb.st_ino;
			out->changed_at = (long long)sb.st_ctim.tv_sec;
			out->modified_at = (long long)sb.st_mtim.tv_sec;
			if (!o->full && tfj_same_file(&out->pin, &out->obs)) {
				/* the pinned file, untouched: its identity is the pin's */
				long long size = out->obs.size, mt = out->obs.mtime_ns, ct = out->obs.ctime_ns,
					  ino = out->obs.ino;
				out->obs = out->pin.s;
				out->obs.size = size, out->obs.mtime_ns = mt, out->obs.ctime_ns = ct, out->obs.ino = ino;
			} else if (out->obs.present) {
				known = read_state(a, out, o, &ro);
			}
		} else if (errno != ENOENT) {
			out->read_error = arena_printf(a, "cannot read '%s': %s", out->be.state_path, strerror(errno));
			known = false;
		}
	}

	if (out->read_error)
		add_finding(a, out, "terraform.state-unreadable", true,
			    arena_printf(a, "The state cannot be read, so blastwall cannot tell what would be lost: %s.",
					 out->read_error));
	if (known) {
		out->kind = tfj_judge(&out->pin, &out->obs);
		judge_findings(a, out, now);
		backup_finding(a, out, now, &ro);
		first_sight_findings(a, out, now, &ro);
		/* a first sight that already fires is not pinned: the next look judges it again */
		if (db && o->autopin && tfj_kind_autopins(out->kind) && !out->fires) {
			static const char *const events[] = { [TFJ_FIRST_SIGHT] = "pin", [TFJ_FORWARD] = "forward",
							      [TFJ_REWRITTEN] = "rewritten", [TFJ_APPEARED] = "appeared" };
			const char *ev = events[out->kind];
			if (tfj_pin(db, &key, &out->obs, now, ev, out->pin.exists ? &out->pin.s : NULL,
				    out->kind == TFJ_FIRST_SIGHT ? "first sight" : NULL, e) < 0)
				return -1;
			out->pin_event = ev;
		} else if (db && o->record && (tfj_kind_fires(out->kind) || out->fires)) {
			const char *ev = tfj_kind_fires(out->kind) ? tfj_kind_name(out->kind) : NULL;
			for (size_t i = 0; !ev && i < out->nf; i++)
				if (out->f[i].fires && strncmp(out->f[i].rule, "terraform.state-", 16) == 0)
					ev = out->f[i].rule + 16;
			if (ev && tfj_note(db, &key, out->pin.exists ? &out->pin.s : NULL, &out->obs, now, ev, NULL, e) < 0)
				return -1;
		} else if (db && o->record && out->kind == TFJ_SAME &&
			   (now - out->pin.seen_at >= 60 || (!out->be.remote && !tfj_same_file(&out->pin, &out->obs)))) {
			/* at most one write a minute for "seen unchanged", unless the file's identity moved */
			if (tfj_touch(db, &key, &out->obs, now, e) < 0)
				return -1;
		}
	}
	if (out->production && !out->be.remote)
		add_finding(a, out, "terraform.state-local-prod", false,
			    arena_printf(a,
					 "This is production (%s), but its state is a local file ('%s'): one deleted or "
					 "overwritten file loses track of every resource. Move it to a remote backend with "
					 "locking (s3 with use_lockfile, gcs, azurerm, remote).",
					 out->production_why, out->be.state_path));
	return 0;
}

void tf_state_judge_plan(struct arena *a, struct tf_state_view *v, const struct tf_plan *plan)
{
	/* the trusted state: the pin, or what was just pinned (first sight, forward move) */
	const struct tfj_snap *p = v->pin_event || !v->pin.exists ? &v->obs : &v->pin.s;
	const char *lin = plan->prior_lineage && *plan->prior_lineage ? plan->prior_lineage : NULL;
	if (lin && p->present && p->lineage && strcmp(lin, p->lineage) != 0)
		add_finding(a, v, "terraform.plan-other-lineage", true,
			    arena_printf(a,
					 "The plan '%s' was made from a state of lineage %s (serial %llu), but the state "
					 "of this directory is lineage %s (serial %lld, %lld resources): it was planned "
					 "against another state.",
					 path_basename(plan->path), tfj_short_lineage(a, lin), plan->prior_serial,
					 tfj_short_lineage(a, p->lineage), p->serial, p->resources));

	/* the "missing state" smell: nothing in the prior state, (nearly) everything created */
	size_t creates = plan->counts[TF_ACT_CREATE], total = 0;
	for (int i = 0; i < TF_ACT_COUNT; i++)
		total += plan->counts[i];
	bool empty_prior = plan->prior_nmanaged == 0 && !lin;
	if (!empty_prior || creates == 0 || creates * 10 < total * 9)
		return;
	long long expected = -1;
	const char *evidence = NULL;
	if (v->pin.exists && v->pin.s.present && v->pin.s.resources > 0) {
		p = &v->pin.s;
		expected = p->resources;
		evidence = arena_printf(a, "blastwall pinned this directory's state %s with %lld resources (lineage %s)",
					tfj_ago(a, v->pin.pinned_at, (long long)time(NULL)), p->resources,
					tfj_short_lineage(a, p->lineage));
	} else if (v->obs.present && v->obs.resources > 0) {
		expected = v->obs.resources;
		evidence = arena_printf(a, "the current state describes %lld resources", v->obs.resources);
	}
	if (evidence)
		add_finding(a, v, "terraform.plan-missing-state", true,
			    arena_printf(a,
					 "The plan '%s' was made from an empty state: it creates %zu of its %zu resources, "
					 "but %s. Applying it would create duplicates of what exists (or fail half way) and "
					 "lose track of the %lld running resources.",
					 path_basename(plan->path), creates, total, evidence, expected));
	else
		add_finding(a, v, "terraform.plan-missing-state", false,
			    arena_printf(a,
					 "The plan '%s' was made from an empty state and creates %zu of its %zu resources. "
					 "That is right for a new configuration; if these resources already exist, the "
					 "state is missing (check the backend and workspace: %s, workspace %s).",
					 path_basename(plan->path), creates, total, v->be.type, v->be.workspace));
}

const char *tf_state_evidence(struct arena *a, const struct tf_state_view *v)
{
	if (v->nf == 0)
		return NULL;
	struct buf b;
	buf_init(&b, 0);
	for (size_t i = 0; i < v->nf; i++)
		buf_printf(&b, "%s%s", i ? " " : "", v->f[i].message);
	char *s = arena_strndup(a, b.p, b.n);
	buf_release(&b);
	return s;
}

/* ---- the guard ---- */

struct tf_args {
	const char *sub;      /* subcommand */
	const char *sub2;     /* "state rm" -> "rm", "workspace select" -> "select" */
	bool destroy;         /* -destroy */
	bool help;
	const char **targets;
	size_t ntargets;
	const char *state_flag;
	const char *planfile; /* apply's positional argument */
	size_t npositional;
};

/* Options that take a value as the next argument when written without "=". */
static bool takes_value(const char *name)
{
	static const char *const names[] = { "var",     "var-file", "target", "replace",     "state",
					     "state-out", "backup", "lock-timeout", "parallelism", "out",
					     "exclude", "generate-config-out", "chdir", "config" };
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (strcmp(name, names[i]) == 0)
			return true;
	return false;
}

static void parse_args(struct arena *a, const struct tf_invocation *inv, struct tf_args *t)
{
	memset(t, 0, sizeof(*t));
	t->targets = arena_new_array(a, const char *, inv->nargs + 1);
	for (size_t i = 0; i < inv->nargs; i++) {
		const char *arg = inv->args[i];
		if (!arg)
			continue;
		if (arg[0] == '-' && arg[1]) {
			const char *name = arg + 1 + (arg[1] == '-');
			const char *eq = strchr(name, '=');
			size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
			char *n = arena_strndup(a, name, nlen);
			const char *val = eq ? eq + 1 : NULL;
			if (!eq && takes_value(n) && i + 1 < inv->nargs)
				val = inv->args[++i];
			if (strcmp(n, "destroy") == 0 && (!val || strcmp(val, "false") != 0))
				t->destroy = true;
			else if (strcmp(n, "help") == 0 || strcmp(n, "h") == 0)
				t->help = true;
			else if (strcmp(n, "target") == 0 && val)
				t->targets[t->ntargets++] = val;
			else if (strcmp(n, "state") == 0 && val && t->sub)
				t->state_flag = val;
			continue;
		}
		if (!t->sub)
			t->sub = arg;
		else if (!t->sub2 && (strcmp(t->sub, "state") == 0 || strcmp(t->sub, "workspace") == 0 ||
				      strcmp(t->sub, "providers") == 0))
			t->sub2 = arg;
		else {
			if (t->npositional++ == 0)
				t->planfile = arg;
		}
	}
	if (inv->subcommand && (!t->sub || strcmp(t->sub, inv->subcommand) != 0))
		t->sub = inv->subcommand;
}

/* Commands that only read: they are how a human checks the state, never stopped here. */
static bool read_only(const struct tf_args *t)
{
	static const char *const ro[] = { "show",    "output", "version", "fmt",     "validate", "graph",  "providers",
					  "console", "get",    "login",   "logout",  "metadata", "modules" };
	if (t->help || !t->sub)
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(ro); i++)
		if (strcmp(t->sub, ro[i]) == 0)
			return true;
	if (strcmp(t->sub, "state") == 0)
		return !t->sub2 || strcmp(t->sub2, "list") == 0 || strcmp(t->sub2, "show") == 0 ||
		       strcmp(t->sub2, "pull") == 0 || strcmp(t->sub2, "identities") == 0;
	if (strcmp(t->sub, "workspace") == 0)
		return !t->sub2 || strcmp(t->sub2, "list") == 0 || strcmp(t->sub2, "show") == 0 ||
		       strcmp(t->sub2, "select") == 0 || strcmp(t->sub2, "new") == 0;
	return false;
}

/* "infra/" relative to the process's cwd, "this directory", or the absolute path. */
static const char *dir_text(struct arena *a, const char *dir)
{
	char cwd[4096];
	if (!getcwd(cwd, sizeof(cwd)))
		return dir;
	if (strcmp(dir, cwd) == 0)
		return "this directory";
	if (path_within(dir, cwd)) {
		size_t n = strlen(cwd);
		return arena_printf(a, "%s/", dir + n + (cwd[n - 1] == '/' ? 0 : 1));
	}
	return dir;
}

static const char *join_sentences(struct arena *a, const char *const *parts, size_t n)
{
	struct buf b;
	buf_init(&b, 0);
	for (size_t i = 0; i < n; i++) {
		if (!parts[i] || !*parts[i])
			continue;
		if (b.n)
			buf_addc(&b, ' ');
		buf_addz(&b, parts[i]);
	}
	char *s = arena_strndup(a, b.p ? b.p : "", b.n);
	buf_release(&b);
	return s;
}

static const char *verdict_text(enum decision d)
{
	return d == DECISION_DENY ? "Denied." : d == DECISION_ASK ? "Asking first." : "Allowed.";
}

static const char *firing_rule(const struct tf_state_view *v)
{
	for (size_t i = 0; i < v->nf; i++)
		if (v->f[i].fires)
			return v->f[i].rule;
	return NULL;
}

static bool fire_of(const struct tf_state_view *v)
{
	return firing_rule(v) != NULL;
}

static void decide(struct tf_assessment *out, enum decision d, const char *rule, const char *msg, bool prod)
{
	out->decided = true;
	out->decision = d;
	out->rule = rule;
	out->message = msg;
	out->production = prod;
}

static const char *accept_hint(struct arena *a, const struct tf_state_view *v)
{
	const char *w = dir_text(a, v->be.dir);
	const char *arg = strcmp(w, "this directory") == 0 ? "" : arena_printf(a, " %s", w);
	return arena_printf(a,
			    "Run it yourself after checking `terraform state list`, or `blastwall state accept%s` if "
			    "the change is intended.",
			    arg);
}

/* What the cached blast radius depends on besides the file: the policy globs and this blastwall's tables. */
static const char *policy_text(struct arena *a, const struct tf_policy *pol)
{
	struct buf b;
	buf_init(&b, 0);
	buf_printf(&b, "v=%s;p=", bw_version);
	for (size_t i = 0; i < pol->nprotect; i++)
		buf_printf(&b, "%s\x1f", pol->protect[i]);
	buf_addz(&b, ";d=");
	for (size_t i = 0; i < pol->ndata_types; i++)
		buf_printf(&b, "%s\x1f", pol->data_types[i]);
	char *s = arena_strndup(a, b.p, b.n);
	buf_release(&b);
	return s;
}

/* What one assessment works with; filled by tf_guard_assess for the helpers below. */
struct assess {
	struct arena *a;
	const struct bw_config *cfg;
	const struct tf_args *t;
	const char *tool;          /* "terraform" or "tofu": for messages and state pull */
	struct tf_state_view *v;
	const struct tf_state_opts *o;
	struct sqlite3 *db;        /* NULL when the journal is unavailable */
	const char *where;         /* the directory as the message names it */
	const char *state_ev;      /* the state guard's evidence, or NULL */
	const char *fire;          /* the first firing rule, or NULL */
	const char *jnote;         /* "(The state journal is unavailable: ...)", or NULL */
};

/* destroy / apply -destroy [-target=...]: the blast radius from the state the command would use. */
static void assess_destroy(struct assess *x, struct tf_assessment *out)
{
	struct arena *a = x->a;
	const struct tf_args *tp = x->t;
	struct tf_state_view *vp = x->v;
	const char *tool = x->tool, *where = x->where;
	struct err e;
	err_init(&e);
	struct tf_policy pol;
	struct tf_read_opts ro = { 0 };
	tf_policy_from_config(&pol, x->cfg);
	tf_policy_read_opts(&pol, &ro);
	const char *what;
	enum decision d;
	const char *rule;
	/* the static rules' ids: destroy and apply -destroy are told apart */
	const char *plain = strcmp(tp->sub, "apply") == 0 ? "terraform.apply-destroy" : "terraform.destroy";
	/* a whole-state destroy of the unchanged pinned file: the blast radius from the last parse */
	struct tfj_key key = { vp->be.dir, vp->be.key, vp->be.workspace };
	const char *policy = policy_text(a, &pol);
	struct tfj_blast bc;
	bool hit = false;
	bool local = !vp->be.remote && vp->obs.present && !vp->read_error;
	if (local && !vp->state_read && !tp->ntargets && x->db && !getenv("BLASTWALL_TF_NO_CACHE") &&
	    tfj_blast_get(a, x->db, &key, &vp->obs, policy, &bc, &hit, &e) < 0) {
		hit = false;
		err_init(&e);
	}
	if (local && !vp->state_read && !hit)
		read_state(a, vp, x->o, &ro);
	if (!hit && vp->state_read && vp->st.form != TF_STATE_ENCRYPTED) {
		if (vp->st.nmanaged == 0) {
			bc = (struct tfj_blast){ .summary = "would delete nothing: the state holds no managed resources" };
		} else {
			struct tf_blast b;
			blast_from_state(a, &vp->st, (const char *const *)tp->targets, tp->ntargets, &pol, &b);
			bc = (struct tfj_blast){ .ndeleted = (long long)b.ndeleted,
						 .nholding = (long long)b.nholding_data, .nlost = (long long)b.nlost,
						 .worst = (int)b.worst, .summary = blast_summary(a, &b, 4) };
		}
		hit = true;
		if (!tp->ntargets && !vp->be.remote && x->db && tfj_blast_put(x->db, &key, &vp->obs, policy, &bc, &e) < 0)
			err_init(&e); /* only a cache: the answer stands */
	}
	if (hit) {
		what = arena_printf(a, "%s %s%s in %s %s.", tool, tp->sub, tp->ntargets ? " -target" : "", where,
				    bc.summary);
		bool data = bc.nholding > 0 || bc.nlost > 0;
		d = (data || vp->production) && bc.ndeleted > 0 ? DECISION_DENY : DECISION_ASK;
		rule = data ? "terraform.destroy-data" : plain;
	} else if (vp->read_error) {
		what = arena_printf(a, "%s %s in %s: the blast radius is unknown (%s).", tool, tp->sub, where,
				    vp->read_error);
		d = DECISION_DENY;
		rule = plain;
	} else if (vp->state_read && vp->st.form == TF_STATE_ENCRYPTED) {
		what = arena_printf(a, "%s %s in %s would delete every resource of an encrypted state (lineage %s, "
				       "serial %llu): blastwall cannot read which.",
				    tool, tp->sub, where, tfj_short_lineage(a, vp->st.lineage), vp->st.serial);
		d = DECISION_DENY;
		rule = plain;
	} else {
		what = arena_printf(a, "%s %s in %s: there is no state at %s, so it would delete nothing that "
				       "blastwall can see.",
				    tool, tp->sub, where, vp->be.state_path ? vp->be.state_path : vp->be.type);
		d = DECISION_ASK;
		rule = plain;
	}
	if (vp->production)
		what = arena_printf(a, "%s This is production (%s).", what, vp->production_why);
	if (x->fire) {
		d = DECISION_DENY;
		rule = x->fire;
	}
	const char *tail = x->fire ? accept_hint(a, vp)
		: d == DECISION_DENY ? arena_printf(a, "If it is intended, a human should run `%s plan -destroy "
						      "-out=tfplan`, review it, and apply it.", tool)
				     : NULL;
	const char *parts[] = { what, x->state_ev, verdict_text(d), tail, x->jnote };
	decide(out, d, rule, join_sentences(a, parts, ARRAY_SIZE(parts)), vp->production);
}

/* apply PLANFILE: judged from the plan, its prior state against the pin included. */
static void assess_saved_plan(struct assess *x, struct tf_assessment *out)
{
	struct arena *a = x->a;
	const struct tf_args *tp = x->t;
	struct tf_state_view *vp = x->v;
	const char *tool = x->tool, *where = x->where;
	struct err e;
	err_init(&e);
	struct tf_plan plan;
	struct tf_plan_opts po = { 0 };
	struct tf_policy pol;
	tf_policy_from_config(&pol, x->cfg);
	tf_policy_read_opts(&pol, &po.read);
	po.no_exec = true;
	const char *path = path_join(a, vp->be.dir, tp->planfile);
	if (tfplan_load(a, path, &po, &plan, &e) < 0) {
		if (x->fire) {
			const char *parts[] = { x->state_ev, "Denied.", accept_hint(a, vp) };
			decide(out, DECISION_DENY, x->fire, join_sentences(a, parts, 3), vp->production);
		}
		return; /* terraform will refuse a plan it cannot read too */
	}
	tf_state_judge_plan(a, vp, &plan);
	x->state_ev = tf_state_evidence(a, vp);
	x->fire = firing_rule(vp);
	struct tf_blast b;
	memset(&b, 0, sizeof(b));
	if (plan.counts[TF_ACT_DELETE] + plan.counts[TF_ACT_REPLACE_DC] + plan.counts[TF_ACT_REPLACE_CD] > 0)
		blast_from_plan(a, &plan, &pol, &b);
	const char *what;
	enum decision d;
	const char *rule;
	if (plan.changes_src == TF_CHANGES_NONE) {
		what = arena_printf(a, "%s apply %s in %s: the plan's changes cannot be read (%s).", tool, tp->planfile,
				    where, plan.changes_note ? plan.changes_note : "unknown format");
		d = vp->production ? DECISION_DENY : DECISION_ASK;
		rule = "terraform.apply-plan";
	} else if (b.ndeleted == 0) {
		what = arena_printf(a, "%s apply %s in %s deletes nothing: %zu to add, %zu to change.", tool,
				    tp->planfile, where, plan.counts[TF_ACT_CREATE], plan.counts[TF_ACT_UPDATE]);
		d = DECISION_ALLOW;
		rule = "terraform.apply-plan";
	} else {
		bool data = b.nholding_data > 0 || b.nlost > 0;
		what = arena_printf(a, "%s apply %s in %s %s.", tool, tp->planfile, where, blast_summary(a, &b, 4));
		d = data || vp->production ? DECISION_DENY : DECISION_ASK;
		rule = data ? "terraform.apply-plan-data" : "terraform.apply-plan";
	}
	if (plan.errored)
		what = arena_printf(a, "%s The plan is errored: Terraform refuses to apply it.", what);
	if (vp->production)
		what = arena_printf(a, "%s This is production (%s).", what, vp->production_why);
	if (x->fire) {
		d = DECISION_DENY;
		rule = x->fire;
	} else if (x->state_ev && d == DECISION_ALLOW) {
		d = DECISION_ASK; /* a warning (missing-state smell, local prod state) is worth a look */
	}
	const char *parts[] = { what, x->state_ev, verdict_text(d), x->fire ? accept_hint(a, vp) : NULL, x->jnote };
	decide(out, d, rule, join_sentences(a, parts, ARRAY_SIZE(parts)), vp->production);
}

void tf_guard_assess(struct arena *a, const struct tf_invocation *inv, const struct bw_config *cfg,
		     struct tf_assessment *out)
{
	memset(out, 0, sizeof(*out));
	struct tf_args t;
	parse_args(a, inv, &t);
	if (read_only(&t))
		return;
	/* terragrunt's run-all spans many directories: the static rule decides */
	const char *itool = inv->tool ? inv->tool : "terraform";
	bool terragrunt = strcmp(itool, "terragrunt") == 0;
	if (terragrunt && (strcmp(t.sub, "run-all") == 0 || strcmp(t.sub, "run") == 0))
		return;
	const char *tool = strcmp(itool, "tofu") == 0 ? "tofu" : "terraform";

	bool is_destroy = strcmp(t.sub, "destroy") == 0 || (strcmp(t.sub, "apply") == 0 && t.destroy);
	bool is_apply = strcmp(t.sub, "apply") == 0 && !is_destroy;
	bool is_plan = strcmp(t.sub, "plan") == 0;
	bool soft = is_plan || strcmp(t.sub, "init") == 0; /* change nothing that exists */

	struct tf_backend_env env = { 0 };
	for (size_t i = 0; i < inv->nenv; i++) {
		const char *kv = inv->env[i];
		if (kv && strncmp(kv, "TF_WORKSPACE=", 13) == 0)
			env.tf_workspace = kv + 13;
		else if (kv && strncmp(kv, "TF_DATA_DIR=", 12) == 0)
			env.tf_data_dir = kv + 12;
	}
	env.state_flag = t.state_flag;

	struct err e;
	err_init(&e);
	struct sqlite3 *db = NULL;
	const char *journal_error = NULL;
	if (tfj_open(a, &db, &e) < 0) {
		journal_error = arena_strdup(a, e.msg);
		db = NULL;
		err_init(&e);
	}
	struct tf_state_opts o = {
		.cfg = cfg, .env = &env, .tool = tool, .pull = is_destroy, .autopin = true, .record = true,
	};
	struct tf_state_view v;
	if (tf_state_inspect(a, db, inv->dir ? inv->dir : ".", &o, &v, &e) < 0) {
		/* a directory terraform cannot use either: the static rule decides, the message explains */
		if (is_destroy)
			decide(out, DECISION_ASK, "terraform.destroy",
			       arena_printf(a, "%s destroy: blastwall cannot read this directory's state settings: %s. "
					       "Asking first.", tool, e.msg),
			       false);
		return;
	}
	/* terragrunt works in .terragrunt-cache/...: without a .terraform here the state is out of sight */
	if (terragrunt && !v.be.initialised && !v.obs.present && !fire_of(&v))
		return;
	const char *where = dir_text(a, v.be.dir);
	if (strcmp(v.be.workspace, "default") != 0) /* say which state was judged: the command may select another */
		where = arena_printf(a, "%s (workspace %s)", where, v.be.workspace);
	const char *state_ev = tf_state_evidence(a, &v);
	const char *fire = firing_rule(&v);
	const char *jnote = journal_error ? arena_printf(a, "(The state journal is unavailable: %s.)", journal_error)
					  : NULL;

	struct assess x = { .a = a, .cfg = cfg, .t = &t, .tool = tool, .v = &v, .o = &o, .db = db, .where = where,
			    .state_ev = state_ev, .fire = fire, .jnote = jnote };
	if (is_destroy) {
		assess_destroy(&x, out);
		return;
	}
	if (is_apply && t.planfile && !fs_is_dir(path_join(a, v.be.dir, t.planfile))) {
		assess_saved_plan(&x, out);
		return;
	}

	if (fire) {
		enum decision d = soft ? DECISION_ASK : DECISION_DENY;
		const char *what = arena_printf(a, "%s %s in %s:", tool, t.sub, where);
		const char *parts[] = { what, state_ev, verdict_text(d), accept_hint(a, &v), jnote };
		decide(out, d, fire, join_sentences(a, parts, ARRAY_SIZE(parts)), v.production);
		return;
	}

	if (is_apply && v.production) {
		const char *what = arena_printf(a,
						"%s apply without a saved plan in %s: this is production (%s), and an "
						"unreviewed apply can delete or replace anything the configuration no longer "
						"matches. Plan, review, then apply that plan: `%s plan -out=tfplan && blastwall "
						"plan tfplan && %s apply tfplan`.",
						tool, where, v.production_why, tool, tool);
		const char *parts[] = { what, state_ev, "Denied.", jnote };
		decide(out, DECISION_DENY, "terraform.apply-no-plan-prod", join_sentences(a, parts, ARRAY_SIZE(parts)),
		       true);
		return;
	}
	/* otherwise the static rules decide */
}
