/* test_config.c: .blastwall.yaml and the user config: every key, merging, broken files, globs, walking up. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/arena.h"
#include "common/buf.h"
#include "common/fs.h"
#include "guard/config.h"

static char root[256];

/* A fresh temp tree per test: root/home (HOME), root/cfg (BLASTWALL_CONFIG_DIR). */
static struct arena *setup(void)
{
	struct arena *a = arena_new();
	snprintf(root, sizeof(root), "/tmp/bw-test-config.XXXXXX");
	if (!mkdtemp(root))
		BUG("mkdtemp");
	setenv("HOME", arena_printf(a, "%s/home", root), 1);
	setenv("BLASTWALL_CONFIG_DIR", arena_printf(a, "%s/cfg", root), 1);
	mkdir(arena_printf(a, "%s/home", root), 0755);
	mkdir(arena_printf(a, "%s/cfg", root), 0755);
	return a;
}

static void teardown(struct arena *a)
{
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", root);
	arena_free(a);
}

static char *write_file(struct arena *a, const char *rel, const char *text)
{
	char *p = arena_printf(a, "%s/%s", root, rel);
	struct err e;
	err_init(&e);
	if (fs_mkdir_p(path_dirname(a, p), 0755, &e) < 0 || fs_write_atomic(p, text, strlen(text), 0644, &e) < 0)
		BUG("write %s: %s", p, e.msg);
	return p;
}

static struct bw_config load_file(struct arena *a, const char *path)
{
	struct bw_config c;
	struct err e;
	err_init(&e);
	CHECK(config_load_file(a, path, &c, &e) == 0);
	return c;
}

static bool has(const char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

static const char full_example[] =
	"# every key\n"
	"rules:\n"
	"  terraform.apply-auto-approve: allow\n"
	"  \"aws.*\": { decision: deny }\n"
	"  kubectl.delete-namespace: { production: deny, default: ask }\n"
	"allow:\n"
	"  - \"make clean\"\n"
	"  - pattern: \"rm -rf ./dist*\"\n"
	"  - command: \"  git clean -fdx build  \"\n"
	"production:\n"
	"  terraform_workspaces: [\"prod*\", \"live\"]\n"
	"  aws_profiles: [company-prod]\n"
	"  kube_contexts: [\"*-production\"]\n"
	"  gcloud_projects: [acme-main]\n"
	"  db_hosts: [\"db.internal\", \"*.rds.amazonaws.com\"]\n"
	"  paths: [\"/srv/prod/*\"]\n"
	"audit: { log_allowed: true }\n"
	"terraform: { protect: [\"aws_db_instance.courses\", \"aws_s3_bucket.*\"], data_types: [\"custom_thing\"] }\n"
	"drill:\n"
	"  max_age_hours: 30\n"
	"  checks:\n"
	"    - {name: rows, sql: \"select count(*) from courses_answer\", expect: at_least, value: 1000000}\n"
	"    - {sql: \"select 1\"}\n";

TEST(decision_words)
{
	enum decision d;
	CHECK_STREQ(decision_name(DECISION_ALLOW), "allow");
	CHECK_STREQ(decision_name(DECISION_ASK), "ask");
	CHECK_STREQ(decision_name(DECISION_DENY), "deny");
	CHECK(decision_parse("deny", &d) == 0 && d == DECISION_DENY);
	CHECK(decision_parse("Ask", &d) == 0 && d == DECISION_ASK);
	CHECK(decision_parse("allow", &d) == 0 && d == DECISION_ALLOW);
	CHECK(decision_parse("block", &d) < 0);
	CHECK(decision_parse("", &d) < 0);
	CHECK(decision_parse(NULL, &d) < 0);
}

TEST(every_key)
{
	struct arena *a = setup();
	struct bw_config c = load_file(a, write_file(a, "p/.blastwall.yaml", full_example));
	CHECK(!c.broken);
	CHECK_INTEQ(c.nwarnings, 0);
	CHECK_INTEQ(c.nfiles, 1);
	CHECK_INTEQ(c.noverrides, 4);
	CHECK_INTEQ(config_rule_decision(&c, "terraform.apply-auto-approve", false), DECISION_ALLOW);
	CHECK_INTEQ(config_rule_decision(&c, "aws.s3-rb", false), DECISION_DENY);
	CHECK_INTEQ(config_rule_decision(&c, "kubectl.delete-namespace", false), DECISION_ASK);
	CHECK_INTEQ(config_rule_decision(&c, "kubectl.delete-namespace", true), DECISION_DENY);
	CHECK_INTEQ(config_rule_decision(&c, "git.push-force", true), -1);
	CHECK_INTEQ(c.nallow_exact, 2);
	CHECK(has(c.allow_exact, c.nallow_exact, "make clean"));
	CHECK(has(c.allow_exact, c.nallow_exact, "git clean -fdx build"));
	CHECK_INTEQ(c.nallow_patterns, 1);
	CHECK(has(c.prod.tf_workspaces, c.prod.ntf_workspaces, "live"));
	CHECK(!has(c.prod.tf_workspaces, c.prod.ntf_workspaces, "*prod*"));
	CHECK(has(c.prod.aws_profiles, c.prod.naws_profiles, "company-prod"));
	CHECK(has(c.prod.kube_contexts, c.prod.nkube_contexts, "*-production"));
	CHECK(has(c.prod.gcloud_projects, c.prod.ngcloud_projects, "acme-main"));
	CHECK_INTEQ(c.prod.ndb_hosts, 2);
	CHECK(has(c.prod.paths, c.prod.npaths, "/srv/prod/*"));
	CHECK(c.audit_allow);
	CHECK_INTEQ(c.ntf_protect, 2);
	CHECK(has(c.tf_data_types, c.ntf_data_types, "custom_thing"));
	CHECK_INTEQ(c.drill_max_age_hours, 30);
	CHECK_INTEQ(c.ndrill_checks, 2);
	if (c.ndrill_checks == 2) {
		CHECK_STREQ(c.drill_checks[0].name, "rows");
		CHECK_STREQ(c.drill_checks[0].expect, "at_least");
		CHECK_STREQ(c.drill_checks[0].value, "1000000");
		CHECK_STREQ(c.drill_checks[1].expect, "nonzero");
		CHECK_STREQ(c.drill_checks[1].name, "check 2");
	}
	teardown(a);
}

TEST(defaults_without_files)
{
	struct arena *a = setup();
	struct bw_config c;
	struct err e;
	err_init(&e);
	CHECK(config_load(a, root, &c, &e) == 0);
	CHECK(!c.broken);
	CHECK_INTEQ(c.nfiles, 0);
	CHECK(!c.audit_allow);
	CHECK(config_prod_match(c.prod.tf_workspaces, c.prod.ntf_workspaces, "production"));
	CHECK(config_prod_match(c.prod.kube_contexts, c.prod.nkube_contexts, "eks-prod-1"));
	CHECK(!config_prod_match(c.prod.kube_contexts, c.prod.nkube_contexts, "staging"));
	CHECK_INTEQ(c.prod.npaths, 0);
	teardown(a);
}

TEST(globs)
{
	struct arena *a = setup();
	struct bw_config c = load_file(a, write_file(a, "x.yaml", full_example));
	CHECK(config_allows(&c, "make clean"));
	CHECK(config_allows(&c, "  make clean  "));
	CHECK(!config_allows(&c, "make clean && rm -rf /"));
	CHECK(config_allows(&c, "rm -rf ./dist"));
	CHECK(config_allows(&c, "rm -rf ./dist/assets"));
	CHECK(!config_allows(&c, "rm -rf ./src"));
	CHECK(config_prod_match(c.prod.tf_workspaces, c.prod.ntf_workspaces, "prod-eu"));
	CHECK(config_prod_match(c.prod.tf_workspaces, c.prod.ntf_workspaces, "live"));
	CHECK(!config_prod_match(c.prod.tf_workspaces, c.prod.ntf_workspaces, "staging-prod"));
	CHECK(config_prod_match(c.prod.db_hosts, c.prod.ndb_hosts, "x.rds.amazonaws.com"));
	CHECK(!config_prod_match(c.prod.db_hosts, c.prod.ndb_hosts, ""));
	teardown(a);
}

TEST(rule_overrides_last_match_wins)
{
	struct arena *a = setup();
	struct bw_config c = load_file(a, write_file(a, "r.yaml",
						     "rules:\n"
						     "  \"aws.*\": deny\n"
						     "  aws.s3-rm-recursive: ask\n"
						     "  \"*\": { production: deny }\n"));
	CHECK(!c.broken);
	CHECK_INTEQ(config_rule_decision(&c, "aws.rds-delete", false), DECISION_DENY);
	CHECK_INTEQ(config_rule_decision(&c, "aws.s3-rm-recursive", false), DECISION_ASK);
	/* the production-only catch-all comes last and wins in production only */
	CHECK_INTEQ(config_rule_decision(&c, "aws.s3-rm-recursive", true), DECISION_DENY);
	CHECK_INTEQ(config_rule_decision(&c, "git.reset-hard", false), -1);
	CHECK_INTEQ(config_rule_decision(&c, "git.reset-hard", true), DECISION_DENY);
	teardown(a);
}

static void expect_broken(struct arena *a, const char *text, const char *want)
{
	char *p = write_file(a, "b.yaml", text);
	struct bw_config c = load_file(a, p);
	CHECK(c.broken);
	if (!c.broken_msg) {
		CHECK(c.broken_msg != NULL);
		return;
	}
	char *full = arena_printf(a, "%s:%s", p, want);
	if (strncmp(c.broken_msg, full, strlen(full)) != 0) {
		fprintf(stderr, "  wanted prefix: %s\n  got:          %s\n", full, c.broken_msg);
		CHECK(!"broken message names file and line");
	}
	/* nothing of a broken file applies */
	CHECK_INTEQ(c.noverrides, 0);
	CHECK_INTEQ(c.nallow_exact, 0);
	CHECK_INTEQ(c.nallow_patterns, 0);
}

TEST(broken_files_name_file_and_line)
{
	struct arena *a = setup();
	expect_broken(a, "allow:\n  - ls\nrules:\n  x: [allow\n", "5: YAML syntax error");
	expect_broken(a, "allow: [ls]\nrules:\n  terraform.destroy: maybe\n", "3: rules.terraform.destroy: 'maybe' is not a decision");
	expect_broken(a, "allow: [ls]\nrules:\n  x: { production: nope }\n", "3: rules.x.production: 'nope'");
	expect_broken(a, "rules:\n  x: { foo: deny }\n", "2: rules.x: give a decision");
	expect_broken(a, "rules: [a, b]\n", "1: rules must be a mapping");
	expect_broken(a, "allow: \"ls\"\n", "1: allow must be a list");
	expect_broken(a, "allow:\n  - ls\n  - [nested]\n", "3: allow entries must be");
	expect_broken(a, "production:\n  paths: {a: b}\n", "2: production.paths must be a list");
	expect_broken(a, "audit:\n  log_allowed: sometimes\n", "2: audit.log_allowed: 'sometimes' is not true or false");
	expect_broken(a, "drill:\n  max_age_hours: -3\n", "2: drill.max_age_hours");
	expect_broken(a, "drill:\n  checks:\n    - {sql: 'select 1', expect: roughly}\n", "3: drill.checks[0].expect");
	expect_broken(a, "drill:\n  checks:\n    - {name: x}\n", "3: drill.checks[0] needs sql");
	expect_broken(a, "drill:\n  checks:\n    - {sql: 'select 1', expect: equals}\n", "3: drill.checks[0]: expect: equals needs value");
	expect_broken(a, "- just\n- a list\n", "1: the top level must be a mapping");
	expect_broken(a, "rules:\n  a: deny\n---\nrules:\n  b: deny\n", "3: a second YAML document");
	expect_broken(a, "rules:\n  a: deny\n  \t b: deny\n", "3: YAML syntax error");
	teardown(a);
}

TEST(unknown_keys_warn_with_line)
{
	struct arena *a = setup();
	char *p = write_file(a, "w.yaml", "rules:\n  a: deny\ncolour: blue\naudit:\n  log_alowed: true\n");
	struct bw_config c = load_file(a, p);
	CHECK(!c.broken);
	CHECK_INTEQ(c.noverrides, 1);
	CHECK_INTEQ(c.nwarnings, 2);
	if (c.nwarnings == 2) {
		CHECK_STREQ(c.warnings[0], arena_printf(a, "%s:3: unknown key 'colour' (ignored)", p));
		CHECK_STREQ(c.warnings[1], arena_printf(a, "%s:5: unknown key 'log_alowed' in audit (ignored)", p));
	}
	teardown(a);
}

TEST(empty_and_comment_only_files)
{
	struct arena *a = setup();
	struct bw_config c = load_file(a, write_file(a, "e.yaml", ""));
	CHECK(!c.broken);
	c = load_file(a, write_file(a, "e2.yaml", "# nothing here yet\n"));
	CHECK(!c.broken);
	c = load_file(a, write_file(a, "e3.yaml", "rules:\nallow:\n"));
	CHECK(!c.broken);
	teardown(a);
}

TEST(walks_up_to_the_nearest_project_file)
{
	struct arena *a = setup();
	char *top = write_file(a, "home/proj/.blastwall.yaml", "allow: [\"make clean\"]\n");
	char *deep = arena_printf(a, "%s/home/proj/a/b/c", root);
	struct err e;
	err_init(&e);
	CHECK(fs_mkdir_p(deep, 0755, &e) == 0);
	CHECK_STREQ(config_find_project(a, deep), top);
	struct bw_config c;
	CHECK(config_load(a, deep, &c, &e) == 0);
	CHECK(config_allows(&c, "make clean"));
	CHECK_INTEQ(c.nfiles, 1);
	/* a nearer file wins over the outer one */
	char *inner = write_file(a, "home/proj/a/.blastwall.yaml", "allow: [\"ls\"]\n");
	CHECK_STREQ(config_find_project(a, deep), inner);
	/* a trailing slash and "." components are fine */
	CHECK_STREQ(config_find_project(a, arena_printf(a, "%s/./b/", path_dirname(a, inner))), inner);
	teardown(a);
}

TEST(walk_stops_at_home)
{
	struct arena *a = setup();
	/* root/.blastwall.yaml lies above HOME (root/home): it must not apply below HOME */
	write_file(a, ".blastwall.yaml", "allow: [\"rm -rf /\"]\n");
	char *deep = arena_printf(a, "%s/home/proj", root);
	struct err e;
	err_init(&e);
	CHECK(fs_mkdir_p(deep, 0755, &e) == 0);
	CHECK(config_find_project(a, deep) == NULL);
	/* outside HOME the walk goes on up */
	char *other = arena_printf(a, "%s/srv/app", root);
	CHECK(fs_mkdir_p(other, 0755, &e) == 0);
	CHECK_STREQ(config_find_project(a, other), arena_printf(a, "%s/.blastwall.yaml", root));
	teardown(a);
}

TEST(user_then_project_merge)
{
	struct arena *a = setup();
	write_file(a, "cfg/config.yaml",
		   "rules:\n  \"aws.*\": deny\n  git.push-force: ask\n"
		   "allow: [\"make clean\"]\n"
		   "production:\n  aws_profiles: [corp-live]\n"
		   "audit: {log_allowed: true}\n");
	write_file(a, "home/p/.blastwall.yaml",
		   "rules:\n  aws.s3-rb: allow\n"
		   "allow: [\"npm run nuke\"]\n"
		   "production:\n  aws_profiles: [\"*-prd\"]\n"
		   "audit: {log_allowed: false}\n");
	struct bw_config c;
	struct err e;
	err_init(&e);
	CHECK(config_load(a, arena_printf(a, "%s/home/p", root), &c, &e) == 0);
	CHECK(!c.broken);
	CHECK_INTEQ(c.nfiles, 2);
	CHECK_INTEQ(config_rule_decision(&c, "aws.s3-rb", false), DECISION_ALLOW);  /* project wins */
	CHECK_INTEQ(config_rule_decision(&c, "aws.ec2-terminate", false), DECISION_DENY);
	CHECK_INTEQ(config_rule_decision(&c, "git.push-force", false), DECISION_ASK);
	CHECK(config_allows(&c, "make clean"));
	CHECK(config_allows(&c, "npm run nuke"));
	CHECK(config_prod_match(c.prod.aws_profiles, c.prod.naws_profiles, "corp-live"));
	CHECK(config_prod_match(c.prod.aws_profiles, c.prod.naws_profiles, "shop-prd"));
	CHECK(!config_prod_match(c.prod.aws_profiles, c.prod.naws_profiles, "my-prod")); /* default replaced */
	CHECK(config_prod_match(c.prod.tf_workspaces, c.prod.ntf_workspaces, "prod")); /* untouched default */
	CHECK(!c.audit_allow);
	teardown(a);
}

TEST(broken_project_keeps_user_file)
{
	struct arena *a = setup();
	write_file(a, "cfg/config.yaml", "allow: [\"make clean\"]\n");
	char *bad = write_file(a, "home/p/.blastwall.yaml", "allow: [\"rm -rf /\"]\nrules: {x: sometimes}\n");
	struct bw_config c;
	struct err e;
	err_init(&e);
	CHECK(config_load(a, arena_printf(a, "%s/home/p", root), &c, &e) == 0);
	CHECK(c.broken);
	CHECK(c.broken_msg && strncmp(c.broken_msg, bad, strlen(bad)) == 0);
	CHECK(config_allows(&c, "make clean"));
	CHECK(!config_allows(&c, "rm -rf /"));
	teardown(a);
}

TEST(unreadable_user_file_breaks_config)
{
	struct arena *a = setup();
	/* a directory where the file should be: the user meant something, we cannot read it */
	mkdir(arena_printf(a, "%s/cfg/config.yaml", root), 0755);
	struct bw_config c;
	struct err e;
	err_init(&e);
	CHECK(config_load(a, root, &c, &e) == 0);
	CHECK(c.broken);
	CHECK(c.broken_msg && strstr(c.broken_msg, "config.yaml:1:") != NULL);
	teardown(a);
}

TEST(file_of_another_user_is_ignored)
{
	struct arena *a = setup();
	char *p = write_file(a, "home/p/.blastwall.yaml", "allow: [\"rm -rf /\"]\n");
	if (geteuid() != 0 || chown(p, 65534, 65534) != 0) {
		teardown(a);
		return; /* needs root to plant a file as someone else */
	}
	CHECK(config_find_project(a, arena_printf(a, "%s/home/p", root)) == NULL);
	teardown(a);
}

TEST(aliases_and_anchors_work)
{
	struct arena *a = setup();
	struct bw_config c = load_file(a, write_file(a, "al.yaml",
						      "production:\n"
						      "  aws_profiles: &prod [\"live\", \"prd-*\"]\n"
						      "  kube_contexts: *prod\n"));
	CHECK(!c.broken);
	CHECK(config_prod_match(c.prod.kube_contexts, c.prod.nkube_contexts, "prd-eu"));
	teardown(a);
}

TEST(alias_bombs_are_bounded)
{
	struct arena *a = setup();
	/* a rule body of 100 keys named 3000 times: 300k values from some 40 KB */
	struct buf b;
	buf_init(&b, 0);
	buf_addz(&b, "x: &m {decision: deny");
	for (int i = 0; i < 100; i++)
		buf_printf(&b, ", k%d: 1", i);
	buf_addz(&b, "}\nrules:\n");
	for (int i = 0; i < 3000; i++)
		buf_printf(&b, "  r%d: *m\n", i);
	char *p = write_file(a, "bomb.yaml", b.p);
	buf_release(&b);
	struct bw_config c = load_file(a, p);
	CHECK(c.broken);
	CHECK(c.broken_msg && strstr(c.broken_msg, "YAML aliases") != NULL);
	CHECK(c.nwarnings <= 21);
	CHECK_INTEQ(c.noverrides, 0);
	/* many unknown keys: the warnings stop at a bound */
	buf_init(&b, 0);
	for (int i = 0; i < 100; i++)
		buf_printf(&b, "unknown%d: 1\n", i);
	c = load_file(a, write_file(a, "many.yaml", b.p));
	buf_release(&b);
	CHECK(!c.broken);
	CHECK_INTEQ(c.nwarnings, 21);
	teardown(a);
}

TEST_MAIN(decision_words, every_key, defaults_without_files, globs, rule_overrides_last_match_wins,
	  broken_files_name_file_and_line, unknown_keys_warn_with_line, empty_and_comment_only_files,
	  walks_up_to_the_nearest_project_file, walk_stops_at_home, user_then_project_merge,
	  broken_project_keeps_user_file, unreadable_user_file_breaks_config, file_of_another_user_is_ignored,
	  aliases_and_anchors_work, alias_bombs_are_bounded)
