/*
 * test_tfjournal.c: the state journal: the judgement of an observation against
 * the pin (first sight, forward move, swap, serial down, missing, hand edit)
 * and its storage (pin, de-duplicated detections, history), on an in-memory
 * SQLite database; plus backend and workspace detection on temp directories.
 */
#include "harness.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/arena.h"
#include "common/fs.h"
#include "common/statedb.h"
#include "terraform/backend.h"
#include "terraform/journal.h"
#include "terraform/tf_guard.h"

static struct tfj_snap snap(const char *lineage, long long serial, long long resources, const char *digest)
{
	struct tfj_snap s = { .present = true, .lineage = lineage, .serial = serial, .resources = resources,
			      .digest = digest };
	return s;
}

static struct tfj_pin pinned(struct tfj_snap s)
{
	struct tfj_pin p = { .exists = true, .s = s, .pinned_at = 1000, .seen_at = 1000 };
	return p;
}

TEST(judge_first_sight_and_nothing)
{
	struct tfj_pin none = { 0 };
	struct tfj_snap a = snap("aaaa", 3, 5, "d1");
	struct tfj_snap absent = { 0 };
	CHECK_INTEQ(tfj_judge(&none, &a), TFJ_FIRST_SIGHT);
	CHECK(tfj_kind_autopins(TFJ_FIRST_SIGHT));
	CHECK(!tfj_kind_fires(TFJ_FIRST_SIGHT));
	CHECK_INTEQ(tfj_judge(&none, &absent), TFJ_NONE);
}

TEST(judge_forward_same_rewritten)
{
	struct tfj_pin p = pinned(snap("aaaa", 3, 5, "d1"));
	struct tfj_snap same = snap("aaaa", 3, 5, "d1");
	struct tfj_snap fwd = snap("aaaa", 4, 6, "d2");
	struct tfj_snap rew = snap("aaaa", 3, 5, "d3");
	CHECK_INTEQ(tfj_judge(&p, &same), TFJ_SAME);
	CHECK_INTEQ(tfj_judge(&p, &fwd), TFJ_FORWARD);
	CHECK(tfj_kind_autopins(TFJ_FORWARD));
	CHECK_INTEQ(tfj_judge(&p, &rew), TFJ_REWRITTEN);
	/* a destroy leaves the same lineage with a higher serial and no resources: a normal move */
	struct tfj_snap destroyed = snap("aaaa", 9, 0, "d4");
	CHECK_INTEQ(tfj_judge(&p, &destroyed), TFJ_FORWARD);
}

TEST(judge_swap_serial_down_edit)
{
	struct tfj_pin p = pinned(snap("aaaa", 14, 7, "d1"));
	struct tfj_snap other = snap("bbbb", 8, 63, "d2");
	struct tfj_snap stale = snap("aaaa", 8, 7, "d3");
	struct tfj_snap edited = snap("aaaa", 14, 6, "d4");
	/* a swapped state with a higher serial is still a swap: lineage is checked first */
	struct tfj_snap other_up = snap("bbbb", 99, 7, "d5");
	CHECK_INTEQ(tfj_judge(&p, &other), TFJ_SWAPPED);
	CHECK_INTEQ(tfj_judge(&p, &other_up), TFJ_SWAPPED);
	CHECK_INTEQ(tfj_judge(&p, &stale), TFJ_SERIAL_DOWN);
	CHECK_INTEQ(tfj_judge(&p, &edited), TFJ_EDITED);
	CHECK(tfj_kind_fires(TFJ_SWAPPED) && !tfj_kind_autopins(TFJ_SWAPPED));
	CHECK(tfj_kind_fires(TFJ_SERIAL_DOWN) && !tfj_kind_autopins(TFJ_SERIAL_DOWN));
	CHECK_STREQ(tfj_kind_rule(TFJ_SWAPPED), "terraform.state-swapped");
	CHECK(tfj_kind_rule(TFJ_FORWARD) == NULL);
}

TEST(judge_missing)
{
	struct tfj_snap absent = { 0 };
	struct tfj_pin p = pinned(snap("aaaa", 14, 7, "d1"));
	CHECK_INTEQ(tfj_judge(&p, &absent), TFJ_MISSING);
	CHECK(tfj_kind_fires(TFJ_MISSING));
	/* an empty state that disappears loses nothing */
	struct tfj_pin empty = pinned(snap("aaaa", 20, 0, "d2"));
	CHECK_INTEQ(tfj_judge(&empty, &absent), TFJ_STILL_EMPTY);
	/* "no state" accepted, then a state appears */
	struct tfj_pin nostate = pinned(absent);
	struct tfj_snap a = snap("cccc", 1, 2, "d3");
	CHECK_INTEQ(tfj_judge(&nostate, &a), TFJ_APPEARED);
	CHECK_INTEQ(tfj_judge(&nostate, &absent), TFJ_STILL_EMPTY);
	/* an encrypted state (count unknown) that disappears is missing too */
	struct tfj_pin enc = pinned(snap("aaaa", 3, -1, "d4"));
	CHECK_INTEQ(tfj_judge(&enc, &absent), TFJ_MISSING);
}

TEST(same_file_needs_every_field)
{
	struct tfj_snap s = snap("aaaa", 1, 1, "d");
	s.size = 100, s.mtime_ns = 5, s.ctime_ns = 6, s.ino = 7;
	struct tfj_pin p = pinned(s);
	CHECK(tfj_same_file(&p, &s));
	struct tfj_snap t = s;
	t.ctime_ns = 8; /* tar xf keeps the archive's mtime but cannot keep ctime */
	CHECK(!tfj_same_file(&p, &t));
	t = s;
	t.ino = 9;
	CHECK(!tfj_same_file(&p, &t));
}

/* A fresh state DB in a temp directory, closed and removed with the arena. */
static void rm_dir(void *p)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", (const char *)p);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", (const char *)p);
}

static sqlite3 *temp_db(struct arena *a)
{
	sqlite3 *db = NULL;
	struct err e;
	err_init(&e);
	char *dir = arena_strdup(a, "/tmp/bw-tfj.XXXXXX");
	if (!mkdtemp(dir))
		return NULL;
	arena_on_release(a, rm_dir, dir);
	if (statedb_open_path(a, path_join(a, dir, "state.db"), 0, &db, &e) < 0 || tfj_migrate(db, &e) < 0 ||
	    tfj_migrate(db, &e) < 0) { /* a second run has nothing to do */
		fprintf(stderr, "%s\n", e.msg);
		return NULL;
	}
	return db;
}

TEST(store_pin_get_history)
{
	struct arena *a = arena_new();
	sqlite3 *db = temp_db(a);
	CHECK(db != NULL);
	if (!db) {
		arena_free(a);
		return;
	}
	struct err e;
	err_init(&e);
	struct tfj_key k = { "/w/infra", "local:/w/infra/terraform.tfstate", "default" };
	struct tfj_pin p;
	CHECK_INTEQ(tfj_get(a, db, &k, &p, &e), 0);
	CHECK(!p.exists);

	struct tfj_snap s1 = snap("5488954c-5db3", 14, 7, "d1");
	s1.size = 10, s1.mtime_ns = 11, s1.ctime_ns = 12, s1.ino = 13;
	CHECK_INTEQ(tfj_pin(db, &k, &s1, 2000, "pin", NULL, "first sight", &e), 0);
	CHECK_INTEQ(tfj_get(a, db, &k, &p, &e), 0);
	CHECK(p.exists && p.s.present);
	CHECK_STREQ(p.s.lineage, "5488954c-5db3");
	CHECK_INTEQ(p.s.serial, 14);
	CHECK_INTEQ(p.s.resources, 7);
	CHECK_INTEQ(p.s.ctime_ns, 12);
	CHECK_INTEQ(p.pinned_at, 2000);
	CHECK(tfj_same_file(&p, &s1));

	/* a detection is recorded once per observed state */
	struct tfj_snap s2 = snap("888acaea-87ff", 8, 7, "d2");
	CHECK_INTEQ(tfj_note(db, &k, &p.s, &s2, 2100, "swapped", "x", &e), 0);
	CHECK_INTEQ(tfj_note(db, &k, &p.s, &s2, 2200, "swapped", "x", &e), 0);
	struct tfj_event *ev;
	size_t n;
	CHECK_INTEQ(tfj_history(a, db, "/w/infra", 0, &ev, &n, &e), 0);
	CHECK_INTEQ(n, 2);
	if (n == 2) {
		CHECK_STREQ(ev[0].event, "swapped");
		CHECK_STREQ(ev[0].old.lineage, "5488954c-5db3");
		CHECK_STREQ(ev[0].now.lineage, "888acaea-87ff");
		CHECK_STREQ(ev[1].event, "pin");
		CHECK(!ev[1].old.present);
	}
	/* the pin did not move */
	CHECK_INTEQ(tfj_get(a, db, &k, &p, &e), 0);
	CHECK_STREQ(p.s.lineage, "5488954c-5db3");

	/* accept moves it and keeps the old one in the event */
	struct tfj_snap old = p.s;
	CHECK_INTEQ(tfj_pin(db, &k, &s2, 2300, "accept", &old, NULL, &e), 0);
	CHECK_INTEQ(tfj_get(a, db, &k, &p, &e), 0);
	CHECK_STREQ(p.s.lineage, "888acaea-87ff");
	struct tfj_snap touched = s2;
	touched.size = 10, touched.mtime_ns = 21, touched.ctime_ns = 22, touched.ino = 23;
	CHECK_INTEQ(tfj_touch(db, &k, &touched, 2400, &e), 0);
	CHECK_INTEQ(tfj_get(a, db, &k, &p, &e), 0);
	CHECK_INTEQ(p.seen_at, 2400);
	CHECK(tfj_same_file(&p, &touched)); /* the new identity is trusted from now on */
	CHECK_INTEQ(p.pinned_at, 2300);
	CHECK_INTEQ(tfj_history(a, db, NULL, 1, &ev, &n, &e), 0);
	CHECK_INTEQ(n, 1);
	if (n == 1) {
		CHECK_STREQ(ev[0].event, "accept");
		CHECK_INTEQ(ev[0].old.serial, 14);
		CHECK_INTEQ(ev[0].now.serial, 8);
	}
	/* another directory's history is separate */
	CHECK_INTEQ(tfj_history(a, db, "/elsewhere", 0, &ev, &n, &e), 0);
	CHECK_INTEQ(n, 0);
	arena_free(a);
}

TEST(blast_cache_needs_same_file_and_policy)
{
	struct arena *a = arena_new();
	sqlite3 *db = temp_db(a);
	CHECK(db != NULL);
	if (!db) {
		arena_free(a);
		return;
	}
	struct err e;
	err_init(&e);
	struct tfj_key k = { "/w", "local:/w/terraform.tfstate", "default" };
	struct tfj_snap id = { .present = true, .size = 100, .mtime_ns = 5, .ctime_ns = 6, .ino = 7 };
	struct tfj_blast b = { .ndeleted = 63, .nholding = 4, .nlost = 1, .worst = 5, .summary = "would delete 63" };
	struct tfj_blast got;
	bool hit = true;
	CHECK_INTEQ(tfj_blast_get(a, db, &k, &id, "pol", &got, &hit, &e), 0);
	CHECK(!hit);
	CHECK_INTEQ(tfj_blast_put(db, &k, &id, "pol", &b, &e), 0);
	CHECK_INTEQ(tfj_blast_get(a, db, &k, &id, "pol", &got, &hit, &e), 0);
	CHECK(hit);
	CHECK_INTEQ(got.ndeleted, 63);
	CHECK_INTEQ(got.nholding, 4);
	CHECK_STREQ(got.summary, "would delete 63");
	CHECK_INTEQ(tfj_blast_get(a, db, &k, &id, "other policy", &got, &hit, &e), 0);
	CHECK(!hit);
	struct tfj_snap moved = id;
	moved.ctime_ns = 9; /* the file was put in place again */
	CHECK_INTEQ(tfj_blast_get(a, db, &k, &moved, "pol", &got, &hit, &e), 0);
	CHECK(!hit);
	arena_free(a);
}

TEST(ago_and_lineage_text)
{
	struct arena *a = arena_new();
	CHECK_STREQ(tfj_ago(a, 1000, 1010), "just now");
	CHECK_STREQ(tfj_ago(a, 1000, 1000 + 180), "3 minutes ago");
	CHECK_STREQ(tfj_ago(a, 1000, 1000 + 3600), "1 hour ago");
	CHECK_STREQ(tfj_ago(a, 0, 2 * 365LL * 86400 + 5), "2 years ago");
	CHECK_STREQ(tfj_short_lineage(a, "1b6e7f20-aaaa-bbbb"), "1b6e7f20...");
	CHECK_STREQ(tfj_short_lineage(a, NULL), "(none)");
	arena_free(a);
}

/* Writes text to dir/name, creating directories. */
static void put(struct arena *a, const char *dir, const char *name, const char *text)
{
	struct err e;
	err_init(&e);
	char *p = path_join(a, dir, name);
	fs_mkdir_p(path_dirname(a, p), 0755, &e);
	fs_write_atomic(p, text, strlen(text), 0644, &e);
}

TEST(backend_detection)
{
	struct arena *a = arena_new();
	struct err e;
	err_init(&e);
	char tmpl[] = "/tmp/bw-tfb.XXXXXX";
	char *d = mkdtemp(tmpl);
	CHECK(d != NULL);
	if (!d) {
		arena_free(a);
		return;
	}
	struct tf_backend b;
	struct tf_backend_env env = { .tf_workspace = "", .tf_data_dir = "" };
	/* never initialised: local default */
	CHECK_INTEQ(tf_backend_detect(a, d, &env, &b, &e), 0);
	CHECK(!b.initialised && !b.remote);
	CHECK_STREQ(b.type, "local");
	CHECK_STREQ(b.workspace, "default");
	CHECK_STREQ(b.state_path, path_join(a, d, "terraform.tfstate"));

	/* local backend with a custom path, workspace selected in .terraform/environment */
	put(a, d, ".terraform/terraform.tfstate",
	    "{\"version\":3,\"backend\":{\"type\":\"local\",\"config\":{\"path\":\"state/my.tfstate\","
	    "\"workspace_dir\":null},\"hash\":2506906902}}");
	CHECK_INTEQ(tf_backend_detect(a, d, &env, &b, &e), 0);
	CHECK(b.initialised);
	CHECK_STREQ(b.config_hash, "2506906902");
	CHECK_STREQ(b.state_path, path_join(a, d, "state/my.tfstate"));
	put(a, d, ".terraform/environment", "staging\n");
	CHECK_INTEQ(tf_backend_detect(a, d, &env, &b, &e), 0);
	CHECK_STREQ(b.workspace, "staging");
	CHECK_STREQ(b.workspace_from, ".terraform/environment");
	CHECK_STREQ(b.state_path, path_join(a, d, "terraform.tfstate.d/staging/terraform.tfstate"));
	/* TF_WORKSPACE wins */
	env.tf_workspace = "prod";
	CHECK_INTEQ(tf_backend_detect(a, d, &env, &b, &e), 0);
	CHECK_STREQ(b.workspace, "prod");
	CHECK_STREQ(b.workspace_from, "TF_WORKSPACE");
	CHECK_STREQ(b.state_path, path_join(a, d, "terraform.tfstate.d/prod/terraform.tfstate"));
	/* -state=FILE */
	env.state_flag = "other.tfstate";
	CHECK_INTEQ(tf_backend_detect(a, d, &env, &b, &e), 0);
	CHECK_STREQ(b.state_path, path_join(a, d, "other.tfstate"));
	env.state_flag = NULL;
	env.tf_workspace = "";

	/* a remote backend has no local path, and its key names type and hash */
	put(a, d, ".terraform/terraform.tfstate",
	    "{\"version\":3,\"backend\":{\"type\":\"s3\",\"config\":{\"bucket\":\"b\",\"key\":\"k\"},\"hash\":77}}");
	CHECK_INTEQ(tf_backend_detect(a, d, &env, &b, &e), 0);
	CHECK(b.remote);
	CHECK_STREQ(b.type, "s3");
	CHECK(b.state_path == NULL);
	CHECK_STREQ(b.key, "s3:77");

	/* TF_DATA_DIR moves the data directory */
	put(a, d, "alt/environment", "blue");
	env.tf_data_dir = "alt";
	CHECK_INTEQ(tf_backend_detect(a, d, &env, &b, &e), 0);
	CHECK(!b.remote);
	CHECK_STREQ(b.workspace, "blue");
	CHECK_STREQ(b.state_path, path_join(a, d, "terraform.tfstate.d/blue/terraform.tfstate"));
	env.tf_data_dir = "";

	/* a damaged backend file is an error that names it */
	put(a, d, ".terraform/terraform.tfstate", "{not json");
	CHECK(tf_backend_detect(a, d, &env, &b, &e) < 0);
	CHECK(strstr(e.msg, ".terraform/terraform.tfstate") != NULL);
	CHECK(strstr(e.hint, "terraform init") != NULL);

	/* a missing directory is an error */
	err_init(&e);
	CHECK(tf_backend_detect(a, path_join(a, d, "nope"), &env, &b, &e) < 0);
	CHECK(strstr(e.msg, "no such directory") != NULL);

	char *cmd = arena_printf(a, "rm -rf '%s'", d);
	CHECK(system(cmd) == 0);
	arena_free(a);
}

/* ---- the guard's assessment on the generated fixture states ---- */

#ifndef BW_SHARED
#define BW_SHARED "../shared"
#endif

static const char *fixture(struct arena *a, const char *name)
{
	const char *root = getenv("SHARED");
	if (!root || !*root)
		root = BW_SHARED;
	return arena_printf(a, "%s/fixtures/terraform/generated/%s", root, name);
}

static int copy_file(struct arena *a, const char *from, const char *to)
{
	struct buf b;
	struct err e;
	buf_init(&b, 0);
	err_init(&e);
	int r = fs_read_all(from, 1 << 20, &b, &e);
	if (r == 0)
		r = fs_write_atomic(to, b.p, b.n, 0644, &e);
	buf_release(&b);
	UNUSED(a);
	return r;
}

static void assess(struct arena *a, const char *dir, const char *const *args, size_t nargs,
		   struct tf_assessment *as)
{
	struct tf_invocation inv = { .tool = "terraform", .dir = dir, .args = (const char **)args, .nargs = nargs,
				     .subcommand = args[0] };
	tf_guard_assess(a, &inv, NULL, as);
}

TEST(guard_destroy_and_swap)
{
	struct arena *a = arena_new();
	const char *stA = fixture(a, "state-a.tfstate");
	if (!fs_exists(stA)) {
		fprintf(stderr, "skipping guard_destroy_and_swap: no fixtures at %s (set SHARED)\n", stA);
		arena_free(a);
		return;
	}
	char *dir = arena_strdup(a, "/tmp/bw-tfg.XXXXXX");
	CHECK(mkdtemp(dir) != NULL);
	arena_on_release(a, rm_dir, dir);
	setenv("BLASTWALL_STATE_DIR", path_join(a, dir, "state"), 1);
	unsetenv("TF_WORKSPACE");
	unsetenv("TF_DATA_DIR");
	char *w = path_join(a, dir, "w");
	struct err e;
	err_init(&e);
	CHECK(fs_mkdir_p(w, 0755, &e) == 0);
	CHECK(copy_file(a, stA, path_join(a, w, "terraform.tfstate")) == 0);

	struct tf_assessment as;
	static const char *const destroy[] = { "destroy", "-auto-approve" };
	assess(a, w, destroy, 2, &as);
	CHECK(as.decided);
	CHECK(as.message && strstr(as.message, "would delete 7 resources"));
	CHECK(as.decision == DECISION_ASK); /* terraform_data holds nothing, not production */
	const char *first = as.message;
	assess(a, w, destroy, 2, &as); /* the unchanged file: answered from the blast-radius cache */
	CHECK_STREQ(as.message, first);
	static const char *const target[] = { "destroy", "-target=terraform_data.database" };
	assess(a, w, target, 2, &as);
	CHECK(as.decided && as.message && strstr(as.message, "would delete 1 resource"));

	/* read-only commands are left to the static rules */
	static const char *const list[] = { "state", "list" };
	assess(a, w, list, 2, &as);
	CHECK(!as.decided);
	static const char *const plan[] = { "plan" };
	assess(a, w, plan, 1, &as);
	CHECK(!as.decided);

	/* swap in another lineage: destroy is denied with the evidence, plan asks */
	CHECK(copy_file(a, fixture(a, "state-b-other-lineage.tfstate"), path_join(a, w, "terraform.tfstate")) == 0);
	assess(a, w, destroy, 2, &as);
	CHECK(as.decided && as.decision == DECISION_DENY);
	CHECK_STREQ(as.rule, "terraform.state-swapped");
	CHECK(as.message && strstr(as.message, "lineage changed from 5488954c... to 888acaea..."));
	CHECK(as.message && strstr(as.message, "blastwall state accept"));
	assess(a, w, plan, 1, &as);
	CHECK(as.decided && as.decision == DECISION_ASK);
	assess(a, w, list, 2, &as);
	CHECK(!as.decided);

	/* a saved plan from the other lineage */
	const char *planfile = path_join(a, w, "tfplan");
	CHECK(copy_file(a, fixture(a, "changes.tfplan"), planfile) == 0);
	static const char *const apply_plan[] = { "apply", "tfplan" };
	assess(a, w, apply_plan, 2, &as);
	CHECK(as.decided && as.decision == DECISION_DENY);

	/* production apply without a plan: the recipe */
	char *p = path_join(a, dir, "p");
	CHECK(fs_mkdir_p(path_join(a, p, "terraform.tfstate.d/prod"), 0755, &e) == 0);
	CHECK(copy_file(a, stA, path_join(a, p, "terraform.tfstate.d/prod/terraform.tfstate")) == 0);
	static const char *const apply[] = { "apply", "-auto-approve" };
	static const char *const env[] = { "TF_WORKSPACE=prod" };
	struct tf_invocation inv = { .tool = "terraform", .dir = p, .args = (const char **)apply, .nargs = 2,
				     .subcommand = "apply", .env = env, .nenv = 1 };
	tf_guard_assess(a, &inv, NULL, &as);
	CHECK(as.decided && as.decision == DECISION_DENY);
	CHECK_STREQ(as.rule, "terraform.apply-no-plan-prod");
	CHECK(as.message && strstr(as.message, "plan -out=tfplan && blastwall plan tfplan && terraform apply tfplan"));
	arena_free(a);
}

TEST_MAIN(guard_destroy_and_swap, judge_first_sight_and_nothing, judge_forward_same_rewritten, judge_swap_serial_down_edit, judge_missing,
	  same_file_needs_every_field, store_pin_get_history, blast_cache_needs_same_file_and_policy, ago_and_lineage_text, backend_detection)
