/* test_tfblast.c: data-loss judgements per type, ranking, the guard summary, -target with dependents, posture. */
#include "harness.h"

#include "common/arena.h"
#include "common/fs.h"
#include "terraform/blast.h"
#include "terraform/datatypes.h"

static struct arena *A;

/* A resource of type with attributes from "k=v" pairs (v "true"/"false"/number/string). */
static struct tf_resource res(const char *addr, const char *type, const char *const *kv, size_t n)
{
	struct tf_resource r;
	memset(&r, 0, sizeof(r));
	r.address = addr;
	r.type = type;
	r.module = "";
	r.attrs_kept = true;
	r.attrs.v = arena_new_array(A, struct tf_attr, n ? n : 1);
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(kv[i], '=');
		struct tf_attr *at = &r.attrs.v[r.attrs.n++];
		at->key = arena_strndup(A, kv[i], (size_t)(eq - kv[i]));
		at->val = eq + 1;
		at->kind = !strcmp(at->val, "true") || !strcmp(at->val, "false") ? TF_ATTR_BOOL : TF_ATTR_STRING;
	}
	return r;
}

static bool has(const char *const *v, size_t n, const char *needle)
{
	for (size_t i = 0; i < n; i++)
		if (strstr(v[i], needle))
			return true;
	return false;
}

static struct tf_finding judge(const char *type, const char *const *kv, size_t n)
{
	struct tf_resource *r = arena_new_obj(A, struct tf_resource);
	struct tf_finding f;
	*r = res("x.y", type, kv, n);
	blast_judge(A, r, NULL, &f);
	return f;
}

TEST(tfblast_table_sorted_and_findable)
{
	for (size_t i = 1; i < tf_datatype_count(); i++)
		CHECK(strcmp(tf_datatype_at(i - 1)->type, tf_datatype_at(i)->type) < 0);
	for (size_t i = 0; i < tf_datatype_count(); i++)
		CHECK(tf_datatype_find(tf_datatype_at(i)->type) == tf_datatype_at(i));
	CHECK(tf_datatype_find("terraform_data") == NULL);
	CHECK(tf_datatype_find(NULL) == NULL);
}

/* The man page lists every built-in type (run from the top of the tree, as make does). */
TEST(tfblast_types_documented)
{
	struct buf b;
	struct err e;
	buf_init(&b, 0);
	err_init(&e);
	if (fs_read_all("doc/man/42-terraform-types.roff", 1 << 20, &b, &e) < 0) {
		fprintf(stderr, "note: doc/man/42-terraform-types.roff not found from here; run from the top of the tree\n");
		CHECK(0);
		return;
	}
	for (size_t i = 0; i < tf_datatype_count(); i++) {
		const char *t = tf_datatype_at(i)->type;
		if (!strstr(b.p, t))
			fprintf(stderr, "not in the man page: %s\n", t);
		CHECK(strstr(b.p, t) != NULL);
	}
	buf_release(&b);
}

TEST(tfblast_rds)
{
	const char *lost[] = { "deletion_protection=false", "skip_final_snapshot=true", "backup_retention_period=7" };
	struct tf_finding f = judge("aws_db_instance", lost, 3);
	CHECK_INTEQ(f.sev, TF_SEV_DATA);
	CHECK(f.holds_data);
	CHECK(has(f.reasons, f.nreasons, "deletion_protection=false"));
	CHECK(has(f.reasons, f.nreasons, "automated backups are deleted with it"));
	CHECK(has(f.reasons, f.nreasons, "no final snapshot"));
	CHECK(has(f.fixes, f.nfixes, "set deletion_protection = true"));
	CHECK(has(f.fixes, f.nfixes, "delete_automated_backups = false"));
	CHECK(has(f.fixes, f.nfixes, "skip_final_snapshot = false"));

	const char *prot[] = { "deletion_protection=true" };
	CHECK_INTEQ(judge("aws_db_instance", prot, 1).sev, TF_SEV_PROTECTED);

	const char *snap[] = { "deletion_protection=false", "skip_final_snapshot=false",
			       "final_snapshot_identifier=final-1" };
	f = judge("aws_rds_cluster", snap, 3);
	CHECK_INTEQ(f.sev, TF_SEV_RECOVERABLE);
	CHECK(has(f.reasons, f.nreasons, "final snapshot 'final-1'"));

	const char *kept[] = { "deletion_protection=false", "skip_final_snapshot=true", "delete_automated_backups=false",
			       "backup_retention_period=7" };
	CHECK_INTEQ(judge("aws_db_instance", kept, 4).sev, TF_SEV_RECOVERABLE);

	/* skip_final_snapshot=false without an identifier: the provider's delete fails */
	const char *noid[] = { "deletion_protection=false", "skip_final_snapshot=false" };
	CHECK_INTEQ(judge("aws_db_instance", noid, 2).sev, TF_SEV_PROTECTED);

	/* Redshift has no deletion_protection: it must not be suggested */
	const char *rs[] = { "skip_final_snapshot=true" };
	f = judge("aws_redshift_cluster", rs, 1);
	CHECK_INTEQ(f.sev, TF_SEV_DATA);
	CHECK(!has(f.fixes, f.nfixes, "deletion_protection"));
}

TEST(tfblast_other_types)
{
	const char *ddb[] = { "deletion_protection_enabled=false", "point_in_time_recovery.0.enabled=false" };
	CHECK_INTEQ(judge("aws_dynamodb_table", ddb, 2).sev, TF_SEV_DATA);
	const char *ddb2[] = { "deletion_protection_enabled=false", "point_in_time_recovery.0.enabled=true" };
	CHECK_INTEQ(judge("aws_dynamodb_table", ddb2, 2).sev, TF_SEV_RECOVERABLE);
	const char *s3f[] = { "force_destroy=true" };
	CHECK_INTEQ(judge("aws_s3_bucket", s3f, 1).sev, TF_SEV_DATA);
	const char *s3[] = { "force_destroy=false" };
	CHECK_INTEQ(judge("aws_s3_bucket", s3, 1).sev, TF_SEV_PROTECTED);
	const char *kms[] = { "deletion_window_in_days=7" };
	struct tf_finding f = judge("aws_kms_key", kms, 1);
	CHECK_INTEQ(f.sev, TF_SEV_DATA);
	CHECK(has(f.fixes, f.nfixes, "deletion_window_in_days = 30"));
	const char *kms30[] = { "deletion_window_in_days=30" };
	CHECK_INTEQ(judge("aws_kms_key", kms30, 1).sev, TF_SEV_RECOVERABLE);
	const char *sec0[] = { "recovery_window_in_days=0" };
	CHECK_INTEQ(judge("aws_secretsmanager_secret", sec0, 1).sev, TF_SEV_DATA);
	/* Google's deletion_protection defaults to true */
	const char *none[] = { "name=x" };
	CHECK_INTEQ(judge("google_sql_database_instance", none, 1).sev, TF_SEV_PROTECTED);
	const char *gsql[] = { "deletion_protection=false" };
	CHECK_INTEQ(judge("google_sql_database_instance", gsql, 1).sev, TF_SEV_DATA);
	const char *ebs[] = { "final_snapshot=true" };
	CHECK_INTEQ(judge("aws_ebs_volume", ebs, 1).sev, TF_SEV_RECOVERABLE);
	CHECK_INTEQ(judge("aws_ebs_volume", none, 1).sev, TF_SEV_DATA);
	CHECK_INTEQ(judge("azurerm_resource_group", none, 1).sev, TF_SEV_CASCADE);
	CHECK_INTEQ(judge("aws_lb", none, 1).sev, TF_SEV_OUTAGE);
	const char *lbp[] = { "enable_deletion_protection=true" };
	CHECK_INTEQ(judge("aws_lb", lbp, 1).sev, TF_SEV_PROTECTED);
	const char *proj[] = { "deletion_policy=PREVENT" };
	CHECK_INTEQ(judge("google_project", proj, 1).sev, TF_SEV_PROTECTED);
	CHECK_INTEQ(judge("terraform_data", none, 1).sev, TF_SEV_NONE);
	/* unknown attributes: assume the worst */
	struct tf_resource r = res("aws_efs_file_system.f", "aws_db_instance", NULL, 0);
	struct tf_finding g;
	r.attrs_kept = false;
	blast_judge(A, &r, NULL, &g);
	CHECK_INTEQ(g.sev, TF_SEV_DATA);
}

TEST(tfblast_config_policy)
{
	const char *protect[] = { "terraform_data.database", "module.keep.*" };
	const char *types[] = { "custom_*" };
	struct tf_policy pol = { protect, 2, types, 1 };
	struct tf_resource r = res("terraform_data.database", "terraform_data", NULL, 0);
	struct tf_finding f;
	blast_judge(A, &r, &pol, &f);
	CHECK(f.configured);
	CHECK_INTEQ(f.sev, TF_SEV_DATA);
	r = res("module.keep.x.y[0]", "x", NULL, 0);
	blast_judge(A, &r, &pol, &f);
	CHECK(f.configured);
	r = res("custom_store.s", "custom_store", NULL, 0);
	blast_judge(A, &r, &pol, &f);
	CHECK(f.holds_data && f.sev == TF_SEV_DATA);
	struct tf_read_opts o;
	tf_policy_read_opts(&pol, &o);
	CHECK(tf_read_wants_attrs(&o, "custom_thing"));
	CHECK(!tf_read_wants_attrs(&o, "other"));
	CHECK(tf_read_wants_attrs(&o, "aws_db_instance"));
}

static struct tf_state state_of(void)
{
	static const char *db_kv[] = { "deletion_protection=false", "skip_final_snapshot=true" };
	static const char *dp[] = { "aws_vpc.main" };
	static const char *dp2[] = { "aws_db_instance.courses" };
	struct tf_state st;
	memset(&st, 0, sizeof(st));
	st.res = arena_new_array(A, struct tf_resource, 5);
	st.res[0] = res("aws_vpc.main", "aws_vpc", NULL, 0);
	st.res[1] = res("aws_db_instance.courses", "aws_db_instance", db_kv, 2);
	st.res[1].deps = dp;
	st.res[1].ndeps = 1;
	st.res[2] = res("aws_instance.app[0]", "aws_instance", NULL, 0);
	st.res[2].deps = dp2;
	st.res[2].ndeps = 1;
	st.res[3] = res("module.m.terraform_data.x", "terraform_data", NULL, 0);
	st.res[4] = res("data.aws_ami.a", "aws_ami", NULL, 0);
	st.res[4].mode = TF_MODE_DATA;
	st.nres = 5;
	st.nmanaged = 4;
	return st;
}

TEST(tfblast_destroy_and_summary)
{
	struct tf_state st = state_of();
	struct tf_blast b;
	blast_from_state(A, &st, NULL, 0, NULL, &b);
	CHECK_INTEQ(b.ndeleted, 4);
	CHECK_INTEQ(b.nf, 4);
	CHECK_INTEQ(b.worst, TF_SEV_DATA);
	CHECK_STREQ(b.f[0].r->address, "aws_db_instance.courses"); /* worst first */
	CHECK_INTEQ(b.f[1].sev, TF_SEV_CASCADE);
	CHECK_INTEQ(b.nholding_data, 1);
	const char *s = blast_summary(A, &b, 0);
	CHECK(strncmp(s, "would delete 4 resources, 1 of them holding data: aws_db_instance.courses "
		      "(deletion_protection=false;", 98) == 0);
	CHECK(strstr(s, "no final snapshot is taken") != NULL);
	CHECK(strstr(s, "aws_vpc.main") != NULL);
	s = blast_summary(A, &b, 1);
	CHECK(strstr(s, ", and 1 more") != NULL);
}

TEST(tfblast_encrypted_state)
{
	struct tf_state st;
	struct tf_blast b;
	memset(&st, 0, sizeof(st));
	st.form = TF_STATE_ENCRYPTED;
	blast_from_state(A, &st, NULL, 0, NULL, &b);
	CHECK(b.unreadable);
	CHECK(strstr(blast_summary(A, &b, 0), "encrypted state") != NULL);
}

TEST(tfblast_target_with_dependents)
{
	struct tf_state st = state_of();
	struct tf_blast b;
	const char *t1[] = { "aws_vpc.main" };
	blast_from_state(A, &st, t1, 1, NULL, &b);
	CHECK_INTEQ(b.kind, TF_BLAST_TARGET);
	CHECK_INTEQ(b.ndeleted, 3); /* vpc, the database in it, the instance using the database */
	for (size_t i = 0; i < b.nf; i++)
		if (strcmp(b.f[i].r->address, "aws_vpc.main") != 0)
			CHECK_STREQ(b.f[i].action_reason, "depends on a -target'ed resource");
	const char *t2[] = { "aws_instance.app" };
	blast_from_state(A, &st, t2, 1, NULL, &b);
	CHECK_INTEQ(b.ndeleted, 1);
	const char *t3[] = { "module.m", "aws_nope.x" };
	blast_from_state(A, &st, t3, 2, NULL, &b);
	CHECK_INTEQ(b.ndeleted, 1);
	CHECK_INTEQ(b.nunmatched_targets, 1);
	CHECK_STREQ(b.unmatched_targets[0], "aws_nope.x");
}

TEST(tfblast_plan_and_posture)
{
	struct tf_state st = state_of();
	struct tf_plan p;
	struct tf_blast b;
	memset(&p, 0, sizeof(p));
	p.changes = arena_new_array(A, struct tf_change, 3);
	p.changes[0].r = st.res[1];
	p.changes[0].action = TF_ACT_REPLACE_CD;
	p.changes[1].r = st.res[0];
	p.changes[1].action = TF_ACT_UPDATE;
	p.changes[2].r = st.res[3];
	p.changes[2].action = TF_ACT_FORGET;
	p.nchanges = 3;
	p.counts[TF_ACT_REPLACE_CD] = 1;
	blast_from_plan(A, &p, NULL, &b);
	CHECK_INTEQ(b.nf, 1);
	CHECK_INTEQ(b.f[0].action, TF_ACT_REPLACE_CD);
	CHECK(strncmp(blast_summary(A, &b, 0), "would replace 1 resource, 1 of them holding data", 48) == 0);
	blast_posture(A, st.res, st.nres, NULL, &b);
	CHECK_INTEQ(b.nf, 2); /* the database (data) and the VPC (cascade) */
	CHECK_STREQ(b.f[0].r->address, "aws_db_instance.courses");
	struct buf j;
	buf_init(&j, 0);
	blast_render_json(&j, &b);
	CHECK(strstr(j.p, "\"severity\":\"data-loss\"") != NULL);
	CHECK(strstr(j.p, "\"fixes\":[\"set deletion_protection = true\"") != NULL);
	buf_release(&j);
}

static void setup(void) __attribute__((constructor));
static void setup(void)
{
	A = arena_new();
}

/* Runs last: one arena serves every test above. */
TEST(tfblast_release)
{
	arena_free(A);
	A = NULL;
}

TEST_MAIN(tfblast_table_sorted_and_findable, tfblast_types_documented, tfblast_rds, tfblast_other_types, tfblast_config_policy,
	  tfblast_destroy_and_summary, tfblast_encrypted_state, tfblast_target_with_dependents, tfblast_plan_and_posture, tfblast_release)
