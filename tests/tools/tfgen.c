/*
 * tfgen.c: makes large, realistic Terraform fixtures for tests and benchmarks:
 *     tfgen plan N [SEED]     plan JSON (terraform show -json, format 1.2)
 *     tfgen state N [SEED]    raw state v4
 * N resource instances of a mixed AWS-shaped stack: compute, network and IAM,
 * with databases, buckets, DynamoDB tables, KMS keys and secrets among them
 * (some protected, some not), half of them in modules, each with a realistic
 * set of attributes (nested blocks, tags, lists). The plan has planned_values,
 * resource_changes with before/after (actions: ~70% no-op, 10% update, 10%
 * create, 5% delete, 3% delete-create, 1% create-delete, 1% forget), data
 * source reads, prior_state and output changes. Deterministic for a seed.
 * The per-action counts are printed to stderr so tests can check a reader.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long long rng_state;


struct kind {
	const char *type;
	unsigned every; /* one in every N instances (checked in order) */
};

static const struct kind kinds[] = {
	{ "aws_db_instance", 50 }, { "aws_s3_bucket", 20 }, { "aws_dynamodb_table", 97 }, { "aws_kms_key", 101 },
	{ "aws_secretsmanager_secret", 103 }, { "aws_vpc", 211 }, { "aws_lb", 89 }, { "aws_ebs_volume", 61 },
	{ "aws_iam_role", 7 }, { "aws_security_group_rule", 3 }, { "aws_subnet", 11 }, { "aws_instance", 1 },
};

static const char *type_of(unsigned long i)
{
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		if (i % kinds[k].every == 0)
			return kinds[k].type;
	return "aws_instance";
}

static void module_of(unsigned long i, char *out, size_t n)
{
	if (i % 2 == 0)
		out[0] = 0;
	else
		snprintf(out, n, "module.svc%lu", i / 1000);
}

/* The attributes object of instance i; variant changes a few values (before vs after). */
static void attrs(FILE *f, unsigned long i, const char *type, int variant)
{
	fprintf(f, "{\"id\":\"%s-%08lx\",\"arn\":\"arn:aws:service:eu-west-1:123456789012:%s/r%lu\",", type, i * 2654435761UL,
		type, i);
	fprintf(f, "\"tags\":{\"Name\":\"r%lu\",\"team\":\"team-%lu\",\"env\":\"prod\",\"cost-center\":\"cc-%lu\"},", i,
		i % 13, i % 7);
	fprintf(f, "\"tags_all\":{\"Name\":\"r%lu\",\"team\":\"team-%lu\",\"env\":\"prod\"},", i, i % 13);
	if (!strcmp(type, "aws_db_instance")) {
		fprintf(f, "\"engine\":\"postgres\",\"engine_version\":\"15.%d\",\"instance_class\":\"db.r6g.large\","
			   "\"allocated_storage\":%d,\"deletion_protection\":%s,\"skip_final_snapshot\":%s,"
			   "\"final_snapshot_identifier\":%s,\"backup_retention_period\":%lu,"
			   "\"delete_automated_backups\":true,\"storage_encrypted\":true,"
			   "\"vpc_security_group_ids\":[\"sg-%06lx\",\"sg-%06lx\"],\"password\":\"dummy-%lu\",",
			variant ? 5 : 4, variant ? 200 : 100, i % 100 < 50 ? "false" : "true",
			i % 150 == 0 ? "true" : "false", i % 150 == 0 ? "null" : "\"final-snap\"", i % 8, i, i + 1, i);
	} else if (!strcmp(type, "aws_s3_bucket")) {
		fprintf(f, "\"bucket\":\"bucket-%lu\",\"force_destroy\":%s,\"versioning\":[{\"enabled\":%s,"
			   "\"mfa_delete\":false}],\"server_side_encryption_configuration\":[{\"rule\":[{"
			   "\"apply_server_side_encryption_by_default\":[{\"sse_algorithm\":\"aws:kms\"}]}]}],",
			i, i % 40 == 0 ? "true" : "false", variant ? "true" : "false");
	} else if (!strcmp(type, "aws_dynamodb_table")) {
		fprintf(f, "\"name\":\"table-%lu\",\"billing_mode\":\"PAY_PER_REQUEST\",\"hash_key\":\"pk\","
			   "\"deletion_protection_enabled\":%s,\"point_in_time_recovery\":[{\"enabled\":%s}],"
			   "\"attribute\":[{\"name\":\"pk\",\"type\":\"S\"}],",
			i, i % 2 ? "true" : "false", i % 3 ? "false" : "true");
	} else if (!strcmp(type, "aws_kms_key")) {
		fprintf(f, "\"deletion_window_in_days\":%d,\"enable_key_rotation\":true,\"key_usage\":\"ENCRYPT_DECRYPT\",",
			i % 2 ? 7 : 30);
	} else if (!strcmp(type, "aws_secretsmanager_secret")) {
		fprintf(f, "\"name\":\"secret-%lu\",\"recovery_window_in_days\":%d,", i, i % 2 ? 0 : 30);
	} else if (!strcmp(type, "aws_instance")) {
		fprintf(f, "\"ami\":\"ami-%08lx\",\"instance_type\":\"%s\",\"subnet_id\":\"subnet-%06lx\","
			   "\"disable_api_termination\":false,\"root_block_device\":[{\"volume_size\":%d,"
			   "\"volume_type\":\"gp3\",\"encrypted\":true,\"delete_on_termination\":true}],"
			   "\"user_data\":\"#!/bin/sh\\necho r%lu > /etc/motd\\n\",",
			i % 4096, variant ? "m6i.xlarge" : "m6i.large", i % 4000, variant ? 50 : 30, i);
	} else {
		fprintf(f, "\"name\":\"r%lu\",\"description\":\"resource number %lu of the generated stack\","
			   "\"cidr_blocks\":[\"10.%lu.%lu.0/24\"],\"port\":%lu,",
			i, i, (i >> 8) % 256, i % 256, 1024 + i % 60000);
	}
	fprintf(f, "\"timeouts\":null}");
}

enum act { NOOP, UPDATE, CREATE, DELETE, REPLACE_DC, REPLACE_CD, FORGET, NACT };
static const char *const act_json[] = { "[\"no-op\"]", "[\"update\"]", "[\"create\"]", "[\"delete\"]",
					"[\"delete\",\"create\"]", "[\"create\",\"delete\"]", "[\"forget\"]" };
static const char *const act_name[] = { "no-op", "update", "create", "delete", "delete-create", "create-delete",
					"forget" };

static enum act action_of(unsigned long i)
{
	unsigned r = (unsigned)((i * 2654435761UL + rng_state) % 100);
	if (r < 70) return NOOP;
	if (r < 80) return UPDATE;
	if (r < 90) return CREATE;
	if (r < 95) return DELETE;
	if (r < 98) return REPLACE_DC;
	if (r < 99) return REPLACE_CD;
	return FORGET;
}

static void resource_values(FILE *f, unsigned long i, int variant)
{
	char mod[64];
	const char *type = type_of(i);
	module_of(i, mod, sizeof(mod));
	fprintf(f, "{\"address\":\"%s%s%s.r%lu\",\"mode\":\"managed\",\"type\":\"%s\",\"name\":\"r%lu\","
		   "\"provider_name\":\"registry.terraform.io/hashicorp/aws\",\"schema_version\":1,\"values\":",
		mod, *mod ? "." : "", type, i, type, i);
	attrs(f, i, type, variant);
	fprintf(f, ",\"sensitive_values\":{\"tags\":{}}}");
}

/* values.root_module with child modules; which(i) selects the instances that exist there. */
static void module_tree(FILE *f, unsigned long n, unsigned long seed, int after)
{
	unsigned long nmod = (n + 999) / 1000;
	fprintf(f, "{\"root_module\":{\"resources\":[");
	int first = 1;
	for (unsigned long i = 0; i < n; i += 2) {
		enum act a = action_of(i);
		if ((after && (a == DELETE || a == FORGET)) || (!after && a == CREATE))
			continue;
		fprintf(f, first ? "" : ",");
		first = 0;
		resource_values(f, i, after);
	}
	fprintf(f, "],\"child_modules\":[");
	for (unsigned long m = 0; m < nmod; m++) {
		fprintf(f, "%s{\"address\":\"module.svc%lu\",\"resources\":[", m ? "," : "", m);
		first = 1;
		for (unsigned long i = m * 1000 + 1; i < (m + 1) * 1000 && i < n; i += 2) {
			enum act a = action_of(i);
			if ((after && (a == DELETE || a == FORGET)) || (!after && a == CREATE))
				continue;
			fprintf(f, first ? "" : ",");
			first = 0;
			resource_values(f, i, after);
		}
		fprintf(f, "]}");
	}
	fprintf(f, "]}}");
	(void)seed;
}

static void plan(FILE *f, unsigned long n, unsigned long seed)
{
	unsigned long counts[NACT] = { 0 }, reads = 0;
	fprintf(f, "{\"format_version\":\"1.2\",\"terraform_version\":\"1.11.4\",\"planned_values\":");
	module_tree(f, n, seed, 1);
	fprintf(f, ",\"resource_changes\":[");
	for (unsigned long i = 0; i < n; i++) {
		char mod[64];
		const char *type = type_of(i);
		enum act a = action_of(i);
		module_of(i, mod, sizeof(mod));
		counts[a]++;
		fprintf(f, "%s{\"address\":\"%s%s%s.r%lu\",", i ? "," : "", mod, *mod ? "." : "", type, i);
		if (*mod)
			fprintf(f, "\"module_address\":\"%s\",", mod);
		fprintf(f, "\"mode\":\"managed\",\"type\":\"%s\",\"name\":\"r%lu\","
			   "\"provider_name\":\"registry.terraform.io/hashicorp/aws\",\"change\":{\"actions\":%s,\"before\":",
			type, i, act_json[a]);
		if (a == CREATE)
			fprintf(f, "null");
		else
			attrs(f, i, type, 0);
		fprintf(f, ",\"after\":");
		if (a == DELETE || a == FORGET)
			fprintf(f, "null");
		else
			attrs(f, i, type, a == NOOP ? 0 : 1);
		fprintf(f, ",\"after_unknown\":{%s},\"before_sensitive\":%s,\"after_sensitive\":%s}",
			a == CREATE || a == REPLACE_DC || a == REPLACE_CD ? "\"id\":true,\"arn\":true" : "",
			a == CREATE ? "false" : "{\"tags\":{}}", a == DELETE || a == FORGET ? "false" : "{\"tags\":{}}");
		if (a == DELETE)
			fprintf(f, ",\"action_reason\":\"delete_because_no_resource_config\"");
		else if (a == REPLACE_DC || a == REPLACE_CD)
			fprintf(f, ",\"action_reason\":\"replace_because_cannot_update\"");
		fprintf(f, "}");
		if (i % 200 == 0) {
			reads++;
			fprintf(f, ",{\"address\":\"data.aws_iam_policy_document.d%lu\",\"mode\":\"data\","
				   "\"type\":\"aws_iam_policy_document\",\"name\":\"d%lu\",\"provider_name\":"
				   "\"registry.terraform.io/hashicorp/aws\",\"change\":{\"actions\":[\"read\"],\"before\":null,"
				   "\"after\":{\"statement\":[{\"actions\":[\"s3:GetObject\"],\"effect\":\"Allow\"}]},"
				   "\"after_unknown\":{\"json\":true},\"before_sensitive\":false,\"after_sensitive\":{}},"
				   "\"action_reason\":\"read_because_config_unknown\"}",
				i, i);
		}
	}
	fprintf(f, "],\"output_changes\":{\"vpc_id\":{\"actions\":[\"no-op\"],\"before\":\"vpc-1\",\"after\":\"vpc-1\","
		   "\"after_unknown\":false,\"before_sensitive\":false,\"after_sensitive\":false},"
		   "\"db_endpoints\":{\"actions\":[\"update\"],\"before\":[],\"after\":[\"x\"],\"after_unknown\":false,"
		   "\"before_sensitive\":false,\"after_sensitive\":false}},\"prior_state\":{\"format_version\":\"1.0\","
		   "\"terraform_version\":\"1.11.4\",\"values\":");
	module_tree(f, n, seed, 0);
	fprintf(f, "},\"configuration\":{\"provider_config\":{\"aws\":{\"name\":\"aws\",\"full_name\":"
		   "\"registry.terraform.io/hashicorp/aws\"}},\"root_module\":{}},\"timestamp\":\"2026-11-22T08:00:00Z\","
		   "\"applyable\":true,\"complete\":true,\"errored\":false}\n");
	fprintf(stderr, "resources=%lu", n);
	for (int a = 0; a < NACT; a++)
		fprintf(stderr, " %s=%lu", act_name[a], counts[a]);
	fprintf(stderr, " read=%lu\n", reads);
}

static void state(FILE *f, unsigned long n, unsigned long seed)
{
	fprintf(f, "{\"version\":4,\"terraform_version\":\"1.11.4\",\"serial\":%lu,\"lineage\":"
		   "\"%08lx-0000-4000-8000-%012lx\",\"outputs\":{},\"resources\":[",
		seed + 1, seed * 2654435761UL % 0xffffffffUL, seed);
	for (unsigned long i = 0; i < n; i++) {
		char mod[64];
		const char *type = type_of(i);
		module_of(i, mod, sizeof(mod));
		fprintf(f, "%s{", i ? "," : "");
		if (*mod)
			fprintf(f, "\"module\":\"%s\",", mod);
		fprintf(f, "\"mode\":\"managed\",\"type\":\"%s\",\"name\":\"r%lu\",\"provider\":"
			   "\"provider[\\\"registry.terraform.io/hashicorp/aws\\\"]\",\"instances\":[{\"schema_version\":1,"
			   "\"attributes\":",
			type, i);
		attrs(f, i, type, 0);
		fprintf(f, ",\"sensitive_attributes\":[],\"private\":\"eyJzY2hlbWFfdmVyc2lvbiI6IjEifQ==\"");
		if (i > 0)
			fprintf(f, ",\"dependencies\":[\"aws_vpc.r0\"]");
		fprintf(f, "}]}");
	}
	fprintf(f, "],\"check_results\":null}\n");
	fprintf(stderr, "resources=%lu\n", n);
}

int main(int argc, char **argv)
{
	static char vbuf[1 << 20];
	if (argc < 3 || (strcmp(argv[1], "plan") && strcmp(argv[1], "state"))) {
		fprintf(stderr, "usage: tfgen plan|state N [SEED]\n");
		return 2;
	}
	char *end;
	unsigned long n = strtoul(argv[2], &end, 10);
	unsigned long seed = argc > 3 ? strtoul(argv[3], NULL, 10) : 1;
	if (*end || n == 0 || n > 10000000) {
		fprintf(stderr, "tfgen: N must be 1..10000000\n");
		return 2;
	}
	rng_state = seed * 6364136223846793005ULL + 1442695040888963407ULL;
	setvbuf(stdout, vbuf, _IOFBF, sizeof(vbuf));
	if (!strcmp(argv[1], "plan"))
		plan(stdout, n, seed);
	else
		state(stdout, n, seed);
	return fflush(stdout) == 0 ? 0 : 1;
}
