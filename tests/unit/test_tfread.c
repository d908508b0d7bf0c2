/* test_tfread.c: state and plan readers over small inline documents (every form, every action, bad input). */
#include "harness.h"

#include "common/arena.h"
#include "common/buf.h"
#include "terraform/tfplan.h"
#include "terraform/tfstate.h"

static const char v4[] =
	"{\"version\":4,\"terraform_version\":\"1.11.4\",\"serial\":14,\"lineage\":\"abc-123\",\"outputs\":{},"
	"\"resources\":["
	"{\"mode\":\"managed\",\"type\":\"aws_db_instance\",\"name\":\"courses\",\"provider\":\"p\",\"instances\":"
	"[{\"schema_version\":2,\"attributes\":{\"id\":\"db-1\",\"deletion_protection\":false,"
	"\"skip_final_snapshot\":true,\"backup_retention_period\":7,\"tags\":{\"a.b\":\"c\"},"
	"\"list\":[{\"x\":1},{\"x\":null}]},\"dependencies\":[\"aws_vpc.main\"]}]},"
	"{\"module\":\"module.net\",\"mode\":\"managed\",\"type\":\"aws_instance\",\"name\":\"web\",\"each\":\"list\","
	"\"instances\":[{\"index_key\":0,\"attributes\":{\"id\":\"i-1\"}},{\"index_key\":1,\"status\":\"tainted\","
	"\"attributes\":{\"id\":\"i-2\"}}]},"
	"{\"mode\":\"data\",\"type\":\"aws_ami\",\"name\":\"ubuntu\",\"instances\":[{\"attributes\":{}}]},"
	"{\"instances\":[{\"index_key\":\"k\\\"q\",\"attributes\":{\"force_destroy\":true}}],"
	"\"mode\":\"managed\",\"type\":\"aws_s3_bucket\",\"name\":\"logs\"}"
	"]}";

TEST(tfread_state_v4)
{
	struct arena *a = arena_new();
	struct tf_state st;
	struct err e;
	err_init(&e);
	CHECK(tfstate_parse(a, v4, sizeof(v4) - 1, "v4", NULL, &st, &e) == 0);
	CHECK_INTEQ(st.form, TF_STATE_RAW);
	CHECK_INTEQ(st.version, 4);
	CHECK_STREQ(st.lineage, "abc-123");
	CHECK(st.has_serial && st.serial == 14);
	CHECK_STREQ(st.terraform_version, "1.11.4");
	CHECK_INTEQ(st.nres, 5);
	CHECK_INTEQ(st.nmanaged, 4);
	CHECK_INTEQ(st.ndata, 1);
	CHECK_INTEQ(strlen(st.digest), 64);
	const struct tf_resource *db = tfstate_find(&st, "aws_db_instance.courses");
	CHECK(db != NULL);
	if (db) {
		CHECK(db->attrs_kept);
		CHECK_STREQ(db->id, "db-1");
		CHECK(!tf_attr_bool(&db->attrs, "deletion_protection", true));
		CHECK(tf_attr_bool(&db->attrs, "skip_final_snapshot", false));
		CHECK_INTEQ(tf_attr_int(&db->attrs, "backup_retention_period", -1), 7);
		/* only what a judge reads is kept by default */
		CHECK(tf_attr_get(&db->attrs, "tags.a.b") == NULL);
		CHECK_INTEQ(db->ndeps, 1);
		CHECK_STREQ(db->deps[0], "aws_vpc.main");
	}
	const struct tf_resource *web = tfstate_find(&st, "module.net.aws_instance.web[1]");
	CHECK(web && web->tainted && strcmp(web->module, "module.net") == 0 && strcmp(web->index, "1") == 0);
	CHECK(tfstate_find(&st, "data.aws_ami.ubuntu") != NULL);
	/* instances before the type: read again once the type is known */
	const struct tf_resource *b = tfstate_find(&st, "aws_s3_bucket.logs[\"k\\\"q\"]");
	CHECK(b && b->attrs_kept && tf_attr_bool(&b->attrs, "force_destroy", false));
	/* keep_all_attrs flattens everything: nested objects and lists, dotted keys, nulls */
	struct tf_read_opts all = { .keep_all_attrs = true };
	CHECK(tfstate_parse(a, v4, sizeof(v4) - 1, "v4", &all, &st, &e) == 0);
	db = tfstate_find(&st, "aws_db_instance.courses");
	CHECK(db != NULL);
	if (db) {
		CHECK_STREQ(tf_attr_get(&db->attrs, "tags.a.b"), "c");
		CHECK_STREQ(tf_attr_get(&db->attrs, "list.0.x"), "1");
		CHECK(tf_attr_find(&db->attrs, "list.1.x") && tf_attr_find(&db->attrs, "list.1.x")->kind == TF_ATTR_NULL);
	}
	web = tfstate_find(&st, "module.net.aws_instance.web[1]");
	CHECK(web && web->attrs_kept && web->attrs.n == 1);
	struct tf_read_opts none = { .no_attrs = true };
	CHECK(tfstate_parse(a, v4, sizeof(v4) - 1, "v4", &none, &st, &e) == 0);
	CHECK(tfstate_find(&st, "aws_db_instance.courses")->attrs.n == 0);
	arena_free(a);
}

TEST(tfread_state_v3_and_v1)
{
	static const char v3[] =
		"{\"version\":3,\"serial\":8,\"lineage\":\"l3\",\"modules\":[{\"path\":[\"root\"],\"resources\":{"
		"\"aws_dynamodb_table.t\":{\"type\":\"aws_dynamodb_table\",\"depends_on\":[\"aws_kms_key.k\"],"
		"\"primary\":{\"id\":\"t\",\"attributes\":{\"point_in_time_recovery.#\":\"1\","
		"\"point_in_time_recovery.0.enabled\":\"true\"}}},"
		"\"data.template_file.x\":{\"type\":\"template_file\",\"primary\":{\"id\":\"x\"}}}},"
		"{\"path\":[\"root\",\"child\"],\"resources\":{\"null_resource.n.2\":{\"type\":\"null_resource\","
		"\"primary\":{\"id\":\"n\"}}}}]}";
	static const char v1[] = "{\"version\":1,\"serial\":1,\"modules\":[{\"path\":[\"root\"],\"resources\":{"
				 "\"null_resource.bar\":{\"type\":\"null_resource\",\"primary\":{\"id\":\"1\"}}}}]}";
	struct arena *a = arena_new();
	struct tf_state st;
	struct err e;
	err_init(&e);
	CHECK(tfstate_parse(a, v3, sizeof(v3) - 1, "v3", NULL, &st, &e) == 0);
	CHECK_INTEQ(st.version, 3);
	CHECK_INTEQ(st.nmanaged, 2);
	CHECK_INTEQ(st.ndata, 1);
	const struct tf_resource *t = tfstate_find(&st, "aws_dynamodb_table.t");
	CHECK(t && tf_attr_bool(&t->attrs, "point_in_time_recovery.0.enabled", false));
	CHECK(t && t->ndeps == 1);
	CHECK(tfstate_find(&st, "module.child.null_resource.n[2]") != NULL);
	CHECK(tfstate_find(&st, "data.template_file.x") != NULL);
	CHECK(tfstate_parse(a, v1, sizeof(v1) - 1, "v1", NULL, &st, &e) == 0);
	CHECK_INTEQ(st.version, 1);
	CHECK_INTEQ(st.nmanaged, 1);
	CHECK(st.lineage == NULL);
	arena_free(a);
}

TEST(tfread_state_show_json)
{
	static const char s[] =
		"{\"format_version\":\"1.0\",\"terraform_version\":\"1.5.0\",\"values\":{\"root_module\":{\"resources\":"
		"[{\"address\":\"google_sql_database_instance.db\",\"mode\":\"managed\",\"type\":"
		"\"google_sql_database_instance\",\"name\":\"db\",\"values\":{\"deletion_protection\":false}}],"
		"\"child_modules\":[{\"address\":\"module.a\",\"resources\":[{\"address\":\"module.a.null_resource.x[0]\","
		"\"mode\":\"managed\",\"type\":\"null_resource\",\"name\":\"x\",\"index\":0}],\"child_modules\":"
		"[{\"address\":\"module.a.module.b\",\"resources\":[{\"address\":\"module.a.module.b.data.d.e\","
		"\"mode\":\"data\",\"type\":\"d\",\"name\":\"e\"}]}]}]}}}";
	struct arena *a = arena_new();
	struct tf_state st;
	struct err e;
	err_init(&e);
	CHECK(tfstate_parse(a, s, sizeof(s) - 1, "show", NULL, &st, &e) == 0);
	CHECK_INTEQ(st.form, TF_STATE_SHOW_JSON);
	CHECK(st.lineage == NULL && !st.has_serial);
	CHECK_INTEQ(st.nmanaged, 2);
	CHECK_INTEQ(st.ndata, 1);
	const struct tf_resource *x = tfstate_find(&st, "module.a.null_resource.x[0]");
	CHECK(x && strcmp(x->module, "module.a") == 0);
	const struct tf_resource *d = tfstate_find(&st, "module.a.module.b.data.d.e");
	CHECK(d && strcmp(d->module, "module.a.module.b") == 0);
	const struct tf_resource *g = tfstate_find(&st, "google_sql_database_instance.db");
	CHECK(g && !tf_attr_bool(&g->attrs, "deletion_protection", true));
	arena_free(a);
}

TEST(tfread_state_special_forms)
{
	static const char enc[] = "{\"serial\":3,\"lineage\":\"enc-l\",\"meta\":{\"key_provider.pbkdf2.k\":\"e30=\"},"
				  "\"encrypted_data\":\"AAAA\",\"encryption_version\":\"v0\"}";
	struct arena *a = arena_new();
	struct tf_state st;
	struct err e;
	err_init(&e);
	CHECK(tfstate_parse(a, enc, sizeof(enc) - 1, "enc", NULL, &st, &e) == 0);
	CHECK_INTEQ(st.form, TF_STATE_ENCRYPTED);
	CHECK_STREQ(st.lineage, "enc-l");
	CHECK(st.serial == 3);
	CHECK(st.note && strstr(st.note, "encrypted"));
	CHECK(tfstate_parse(a, " \n", 2, "empty", NULL, &st, &e) == 0);
	CHECK_INTEQ(st.form, TF_STATE_EMPTY);
	/* a plan, a zip, garbage and a future version are refused with a message */
	const char *pl = "{\"format_version\":\"1.2\",\"resource_changes\":[]}";
	CHECK(tfstate_parse(a, pl, strlen(pl), "p", NULL, &st, &e) < 0);
	CHECK(strstr(e.msg, "is a plan") != NULL);
	CHECK(tfstate_parse(a, "PK\003\004xxxx", 8, "z", NULL, &st, &e) < 0 && strstr(e.msg, "binary plan"));
	CHECK(tfstate_parse(a, "[1]", 3, "arr", NULL, &st, &e) < 0 && strstr(e.msg, "not a Terraform state"));
	CHECK(tfstate_parse(a, "{\"version\":9}", 13, "v9", NULL, &st, &e) < 0 && strstr(e.msg, "version 9"));
	CHECK(tfstate_parse(a, "{\"foo\":1}", 9, "foo", NULL, &st, &e) < 0 && strstr(e.msg, "not a Terraform state"));
	CHECK(tfstate_parse(a, "{\"version\":4,\"resources\":[", 26, "trunc", NULL, &st, &e) < 0);
	CHECK(strstr(e.msg, "truncated") != NULL);
	arena_free(a);
}

static const char plan[] =
	"{\"format_version\":\"1.2\",\"terraform_version\":\"1.11.4\",\"planned_values\":{},"
	"\"resource_drift\":[{\"address\":\"x\"},{\"address\":\"y\"}],"
	"\"resource_changes\":["
	"{\"address\":\"a.noop\",\"mode\":\"managed\",\"type\":\"a\",\"name\":\"noop\",\"change\":{\"actions\":[\"no-op\"]}},"
	"{\"address\":\"a.c\",\"mode\":\"managed\",\"type\":\"a\",\"name\":\"c\",\"change\":{\"actions\":[\"create\"]}},"
	"{\"address\":\"data.a.r\",\"mode\":\"data\",\"type\":\"a\",\"name\":\"r\",\"change\":{\"actions\":[\"read\"]}},"
	"{\"address\":\"a.u\",\"mode\":\"managed\",\"type\":\"a\",\"name\":\"u\",\"change\":{\"actions\":[\"update\"],"
	"\"importing\":{\"id\":\"x\"}}},"
	"{\"address\":\"aws_db_instance.d\",\"mode\":\"managed\",\"type\":\"aws_db_instance\",\"name\":\"d\","
	"\"change\":{\"actions\":[\"delete\"],\"before\":{\"deletion_protection\":false}},"
	"\"action_reason\":\"delete_because_no_resource_config\"},"
	"{\"change\":{\"actions\":[\"delete\",\"create\"],\"before\":{\"force_destroy\":true}},"
	"\"address\":\"aws_s3_bucket.b\",\"mode\":\"managed\",\"type\":\"aws_s3_bucket\",\"name\":\"b\"},"
	"{\"address\":\"a.cd\",\"mode\":\"managed\",\"type\":\"a\",\"name\":\"cd\",\"change\":{\"actions\":[\"create\",\"delete\"]}},"
	"{\"address\":\"a.f\",\"mode\":\"managed\",\"type\":\"a\",\"name\":\"f\",\"change\":{\"actions\":[\"forget\"]}},"
	"{\"address\":\"a.w\",\"mode\":\"managed\",\"type\":\"a\",\"name\":\"w\",\"change\":{\"actions\":[\"delete\",\"delete\"]}}"
	"],\"output_changes\":{\"o1\":{\"actions\":[\"no-op\"]},\"o2\":{\"actions\":[\"update\"]}},"
	"\"prior_state\":{\"format_version\":\"1.0\",\"terraform_version\":\"1.11.4\",\"values\":{\"root_module\":"
	"{\"resources\":[{\"address\":\"a.noop\",\"mode\":\"managed\",\"type\":\"a\",\"name\":\"noop\"}]}}},"
	"\"errored\":true}";

TEST(tfread_plan_json_actions)
{
	struct arena *a = arena_new();
	struct tf_plan p;
	struct err e;
	err_init(&e);
	CHECK(tfplan_parse_json(a, plan, sizeof(plan) - 1, "plan", NULL, &p, &e) == 0);
	CHECK_STREQ(p.format_version, "1.2");
	CHECK(p.errored);
	CHECK(!p.destroy_mode);
	CHECK_INTEQ(p.nchanges, 9);
	CHECK_INTEQ(p.counts[TF_ACT_NOOP], 1);
	CHECK_INTEQ(p.counts[TF_ACT_CREATE], 1);
	CHECK_INTEQ(p.counts[TF_ACT_UPDATE], 1);
	CHECK_INTEQ(p.counts[TF_ACT_DELETE], 1);
	CHECK_INTEQ(p.counts[TF_ACT_REPLACE_DC], 1);
	CHECK_INTEQ(p.counts[TF_ACT_REPLACE_CD], 1);
	CHECK_INTEQ(p.counts[TF_ACT_FORGET], 1);
	CHECK_INTEQ(p.counts[TF_ACT_UNKNOWN], 1);
	CHECK_INTEQ(p.counts[TF_ACT_READ], 0);
	CHECK_INTEQ(p.ndata_reads, 1);
	CHECK_INTEQ(p.nimports, 1);
	CHECK_INTEQ(p.ndrift, 2);
	CHECK_INTEQ(p.noutput_changes, 1);
	CHECK(p.has_prior && p.prior_nmanaged == 1);
	CHECK_STREQ(p.changes[4].action_reason, "delete_because_no_resource_config");
	CHECK(p.changes[4].r.attrs_kept && !tf_attr_bool(&p.changes[4].r.attrs, "deletion_protection", true));
	/* "change" before "type": the before values are read once the type is known */
	CHECK(tf_attr_bool(&p.changes[5].r.attrs, "force_destroy", false));
	/* a type outside the table keeps no attributes */
	CHECK(!p.changes[1].r.attrs_kept);
	arena_free(a);
}

TEST(tfread_plan_json_refusals)
{
	struct arena *a = arena_new();
	struct tf_plan p;
	struct err e;
	const char *v2 = "{\"format_version\":\"2.0\",\"resource_changes\":[]}";
	err_init(&e);
	CHECK(tfplan_parse_json(a, v2, strlen(v2), "v2", NULL, &p, &e) < 0);
	CHECK(strstr(e.msg, "format_version 2.0") != NULL);
	CHECK(tfplan_parse_json(a, v4, sizeof(v4) - 1, "st", NULL, &p, &e) < 0);
	CHECK(strstr(e.msg, "is a Terraform state, not a plan") != NULL);
	CHECK(tfplan_parse_json(a, "{\"x\":1}", 7, "x", NULL, &p, &e) < 0 && strstr(e.msg, "not a Terraform plan"));
	const char *destroy = "{\"format_version\":\"1.2\",\"resource_changes\":[{\"address\":\"a.b\",\"mode\":\"managed\","
			      "\"type\":\"a\",\"name\":\"b\",\"change\":{\"actions\":[\"delete\"]}}]}";
	CHECK(tfplan_parse_json(a, destroy, strlen(destroy), "d", NULL, &p, &e) == 0);
	CHECK(p.destroy_mode);
	arena_free(a);
}

/* ---- a binary plan built in memory: a stored zip holding a protobuf tfplan and a tfstate ---- */

static void put16(struct buf *b, unsigned v)
{
	buf_addc(b, (char)(v & 255));
	buf_addc(b, (char)(v >> 8));
}

static void put32(struct buf *b, unsigned long v)
{
	put16(b, (unsigned)(v & 0xFFFF));
	put16(b, (unsigned)(v >> 16));
}

static void zip_stored(struct buf *z, const char *const *names, const struct str *data, size_t n)
{
	struct buf cd;
	unsigned long offs[8];
	buf_init(&cd, 0);
	for (size_t i = 0; i < n; i++) {
		offs[i] = (unsigned long)z->n;
		put32(z, 0x04034b50UL);
		put16(z, 20); put16(z, 0); put16(z, 0); put16(z, 0); put16(z, 0);
		put32(z, 0); put32(z, (unsigned long)data[i].n); put32(z, (unsigned long)data[i].n);
		put16(z, (unsigned)strlen(names[i])); put16(z, 0);
		buf_addz(z, names[i]);
		buf_add(z, data[i].p, data[i].n);
	}
	unsigned long cdoff = (unsigned long)z->n;
	for (size_t i = 0; i < n; i++) {
		put32(&cd, 0x02014b50UL);
		put16(&cd, 20); put16(&cd, 20); put16(&cd, 0); put16(&cd, 0); put16(&cd, 0); put16(&cd, 0);
		put32(&cd, 0); put32(&cd, (unsigned long)data[i].n); put32(&cd, (unsigned long)data[i].n);
		put16(&cd, (unsigned)strlen(names[i])); put16(&cd, 0); put16(&cd, 0); put16(&cd, 0); put16(&cd, 0);
		put32(&cd, 0); put32(&cd, offs[i]);
		buf_addz(&cd, names[i]);
	}
	buf_add(z, cd.p, cd.n);
	put32(z, 0x06054b50UL);
	put16(z, 0); put16(z, 0); put16(z, (unsigned)n); put16(z, (unsigned)n);
	put32(z, (unsigned long)cd.n); put32(z, cdoff); put16(z, 0);
	buf_release(&cd);
}

/* protobuf: ResourceInstanceChange{ addr(13) = addr, change(9) = { action(1) = act }, reason(12) } */
static void pb_change(struct buf *b, const char *addr, unsigned act, unsigned reason)
{
	struct buf m;
	buf_init(&m, 0);
	buf_addc(&m, (char)((13 << 3) | 2));
	buf_addc(&m, (char)strlen(addr));
	buf_addz(&m, addr);
	buf_addc(&m, (char)((9 << 3) | 2));
	buf_addc(&m, 2);
	buf_addc(&m, (char)((1 << 3) | 0));
	buf_addc(&m, (char)act);
	if (reason) {
		buf_addc(&m, (char)((12 << 3) | 0));
		buf_addc(&m, (char)reason);
	}
	buf_addc(b, (char)((3 << 3) | 2));
	buf_addc(b, (char)m.n);
	buf_add(b, m.p, m.n);
	buf_release(&m);
}

TEST(tfread_binary_plan_without_terraform)
{
	struct arena *a = arena_new();
	struct buf pb, z;
	struct tf_plan p;
	struct err e;
	const char *names[] = { "tfplan", "tfstate" };
	buf_init(&pb, 0);
	buf_init(&z, 0);
	err_init(&e);
	pb_change(&pb, "aws_db_instance.courses", 5, 4);
	pb_change(&pb, "module.net.aws_instance.web[1]", 6, 0);
	pb_change(&pb, "data.aws_ami.ubuntu", 2, 0);
	buf_addc(&pb, (char)0x88); /* field 17, varint: key = 136 = 0x88 0x01 */
	buf_addc(&pb, 1);
	buf_addc(&pb, 1); /* ui_mode destroy */
	buf_addc(&pb, (char)0xA0); /* field 20, varint: key = 160 = 0xA0 0x01 */
	buf_addc(&pb, 1);
	buf_addc(&pb, 1); /* errored = true */
	struct str data[] = { buf_str(&pb), str_make(v4, sizeof(v4) - 1) };
	zip_stored(&z, names, data, 2);
	CHECK(tfplan_is_zip(z.p, z.n));
	CHECK(tfplan_parse_zip(a, z.p, z.n, "bin", NULL, &p, &e) == 0);
	CHECK_INTEQ(p.changes_src, TF_CHANGES_PROTOBUF);
	CHECK_STREQ(p.prior_lineage, "abc-123");
	CHECK(p.has_prior_serial && p.prior_serial == 14);
	CHECK_INTEQ(p.prior_nmanaged, 4);
	CHECK(p.destroy_mode);
	CHECK(p.errored);
	CHECK_INTEQ(p.nchanges, 3);
	CHECK_INTEQ(p.counts[TF_ACT_DELETE], 1);
	CHECK_INTEQ(p.counts[TF_ACT_REPLACE_DC], 1);
	CHECK_INTEQ(p.ndata_reads, 1);
	CHECK_STREQ(p.changes[0].r.type, "aws_db_instance");
	CHECK_STREQ(p.changes[0].action_reason, "delete_because_no_resource_config");
	/* before values come from the embedded prior state */
	CHECK(tf_attr_bool(&p.changes[0].r.attrs, "skip_final_snapshot", false));
	CHECK_STREQ(p.changes[1].r.module, "module.net");
	CHECK_STREQ(p.changes[1].r.name, "web");
	CHECK_STREQ(p.changes[1].r.index, "1");
	CHECK_INTEQ(p.changes[2].r.mode, TF_MODE_DATA);
	/* truncations of the archive never crash and always explain */
	for (size_t cut = 0; cut < z.n; cut += 7) {
		struct tf_plan q;
		err_init(&e);
		if (tfplan_parse_zip(a, z.p, cut, "cut", NULL, &q, &e) < 0)
			CHECK(e.msg[0] != 0);
	}
	buf_release(&pb);
	buf_release(&z);
	arena_free(a);
}

TEST(tfread_zip_without_tfstate)
{
	struct arena *a = arena_new();
	struct buf z;
	struct tf_plan p;
	struct err e;
	const char *names[] = { "other" };
	struct str data[] = { STR_LIT("hello") };
	buf_init(&z, 0);
	err_init(&e);
	zip_stored(&z, names, data, 1);
	CHECK(tfplan_parse_zip(a, z.p, z.n, "x.zip", NULL, &p, &e) < 0);
	CHECK(strstr(e.msg, "not a Terraform plan") != NULL);
	struct buf out;
	buf_init(&out, 0);
	CHECK(tfzip_extract(z.p, z.n, "other", 100, &out, &e) == 0 && str_eqz(buf_str(&out), "hello"));
	CHECK(tfzip_extract(z.p, z.n, "missing", 100, &out, &e) == 1);
	buf_release(&out);
	buf_release(&z);
	arena_free(a);
}

TEST_MAIN(tfread_state_v4, tfread_state_v3_and_v1, tfread_state_show_json, tfread_state_special_forms,
	  tfread_plan_json_actions, tfread_plan_json_refusals, tfread_binary_plan_without_terraform,
	  tfread_zip_without_tfstate)
