/*
 * datatypes.c: which resource types hold data and what decides whether their
 * deletion loses it. Each judge reads the attributes the provider uses at
 * delete time (from the state or the plan's `before`), says what is lost and
 * names the attribute to change. Provider defaults are applied when an
 * attribute is absent (e.g. aws_db_instance.delete_automated_backups is true
 * unless set). Adding a type is one row; a new rule shape is one judge.
 */
#include "terraform/datatypes.h"

#include <string.h>

#include "terraform/blast.h"

static void reason(struct tf_verdict *v, const char *s)
{
	if (v->nreasons < ARRAY_SIZE(v->reasons))
		v->reasons[v->nreasons++] = s;
}

static void fix(struct tf_verdict *v, const char *s)
{
	if (v->nfixes < ARRAY_SIZE(v->fixes))
		v->fixes[v->nfixes++] = s;
}

static bool known(const struct tf_resource *r)
{
	return r->attrs_kept;
}

/* The attributes were not available (encrypted state, unknown before value): assume the worst. */
static bool unknown_attrs(const struct tf_resource *r, struct tf_verdict *v)
{
	if (known(r))
		return false;
	v->sev = TF_SEV_DATA;
	reason(v, "its attributes are not known here, so no protection can be assumed");
	return true;
}

static const char *sval(const struct tf_resource *r, const char *k)
{
	const char *s = tf_attr_get(&r->attrs, k);
	return s && *s ? s : NULL;
}

/*
 * RDS instances and clusters, DocumentDB, Neptune, Redshift: deletion
 * protection, the final snapshot and the automated backups decide.
 * arg: "dp" when the type has deletion_protection, "ab" when it has
 * delete_automated_backups, combined as "dp,ab".
 */
static void judge_db(struct arena *a, const struct tf_datatype *dt, const struct tf_resource *r, struct tf_verdict *v)
{
	bool has_dp = dt->arg && strstr(dt->arg, "dp");
	bool has_ab = dt->arg && strstr(dt->arg, "ab");
	v->sev = TF_SEV_DATA;
	if (unknown_attrs(r, v))
		return;
	if (has_dp) {
		if (tf_attr_bool(&r->attrs, "deletion_protection", false)) {
			v->sev = TF_SEV_PROTECTED;
			reason(v, "deletion_protection=true: the provider refuses to delete it");
			return;
		}
		reason(v, "deletion_protection=false");
		fix(v, "set deletion_protection = true");
	}
	bool skip = tf_attr_bool(&r->attrs, "skip_final_snapshot", false);
	const char *snap = sval(r, "final_snapshot_identifier");
	bool snapshot = !skip && snap;
	long long retention = tf_attr_int(&r->attrs, "backup_retention_period", -1);
	if (retention == 0 && !strstr(dt->type, "redshift"))
		reason(v, "backup_retention_period=0: there are no automated backups");
	bool backups_kept = false;
	if (has_ab && retention != 0) {
		if (tf_attr_bool(&r->attrs, "delete_automated_backups", true)) {
			reason(v, "its automated backups are deleted with it (delete_automated_backups=true)");
			fix(v, "set delete_automated_backups = false");
		} else {
			backups_kept = true;
			reason(v, "automated backups are retained (delete_automated_backups=false)");
		}
	} else if (retention != 0 && !strstr(dt->type, "redshift")) {
		reason(v, "its automated backups are deleted with it");
	}
	if (snapshot) {
		reason(v, arena_printf(a, "a final snapshot '%s' is taken", snap));
	} else if (skip) {
		reason(v, "no final snapshot is taken (skip_final_snapshot=true)");
		fix(v, "set skip_final_snapshot = false and a final_snapshot_identifier");
	} else {
		/* skip_final_snapshot=false without an identifier: the provider's delete fails */
		v->sev = TF_SEV_PROTECTED;
		reason(v, "skip_final_snapshot=false but no final_snapshot_identifier: the delete fails until one is set");
		return;
	}
	if (snapshot || backups_kept)
		v->sev = TF_SEV_RECOVERABLE;
}

static void judge_dynamodb(struct arena *a, const struct tf_datatype *dt, const struct tf_resource *r,
			   struct tf_verdict *v)
{
	v->sev = TF_SEV_DATA;
	if (unknown_attrs(r, v))
		return;
	if (tf_attr_bool(&r->attrs, "deletion_protection_enabled", false)) {
		v->sev = TF_SEV_PROTECTED;
		reason(v, "deletion_protection_enabled=true: the provider refuses to delete it");
		return;
	}
	reason(v, "deletion_protection_enabled=false");
	fix(v, "set deletion_protection_enabled = true");
	if (tf_attr_bool(&r->attrs, "point_in_time_recovery.0.enabled", false)) {
		v->sev = TF_SEV_RECOVERABLE;
		reason(v, "point-in-time recovery is on: AWS keeps a system backup for 35 days");
	} else {
		reason(v, "point_in_time_recovery is off: no backup survives the table");
		fix(v, "enable point_in_time_recovery { enabled = true }");
	}
}

/*
 * Buckets and repositories: force_destroy (arg: another name) = true deletes
 * every object; false makes the delete fail while it holds any.
 */
static void judge_bucket(struct arena *a, const struct tf_datatype *dt, const struct tf_resource *r,
			 struct tf_verdict *v)
{
	const char *attr = dt->arg ? dt->arg : "force_destroy";
	if (unknown_attrs(r, v))
		return;
	if (tf_attr_bool(&r->attrs, attr, false)) {
		v->sev = TF_SEV_DATA;
		reason(v, arena_printf(a, "%s=true: everything in it is deleted", attr));
		fix(v, arena_printf(a, "set %s = false", attr));
	} else {
		v->sev = TF_SEV_PROTECTED;
		reason(v, arena_printf(a, "%s=false: the delete fails while it is not empty", attr));
	}
	if (strcmp(dt->type, "google_storage_bucket") == 0 && sval(r, "retention_policy.0.retention_period"))
		reason(v, "a retention policy protects objects until they age out");
}

/* A protection flag named by arg; without it the data goes with the resource. */
static void judge_flag(struct arena *a, const struct tf_datatype *dt, const struct tf_resource *r,
		       struct tf_verdict *v)
{
	v->sev = TF_SEV_DATA;
	if (unknown_attrs(r, v))
		return;
	if (tf_attr_bool(&r->attrs, dt->arg, false)) {
		v->sev = TF_SEV_PROTECTED;
		reason(v, arena_printf(a, "%s=true: the delete is refused", dt->arg));
		return;
	}
	reason(v, arena_printf(a, "%s=false", dt->arg));
	fix(v, arena_printf(a, "set %s = true", dt->arg));
}

/* Google's deletion_protection defaults to true in the provider. */
static void judge_gflag(struct arena *a, const struct tf_datatype *dt, const struct tf_resource *r,
			struct tf_verdict *v)
{
	v->sev = TF_SEV_DATA;
	if (unknown_attrs(r, v))
		return;
	if (tf_attr_bool(&r->attrs, dt->arg, true)) {
		v->sev = TF_SEV_PROTECTED;
		reason(v, arena_printf(a, "%s=true: the provider refuses to delete it", dt->arg));
		return;
	}
	reason(v, arena_printf(a, "%s=false", dt->arg));
	fix(v, arena_printf(a, "set %s = true", dt->arg));
	if (strcmp(dt->type, "google_sql_database_instance") == 0)
		reason(v, "its automated backups are deleted with it");
}

/* No protection attribute at all: the data is gone. arg names the snapshot attribute when there is one. */
static void judge_plain(struct arena *a, const struct tf_datatype *dt, const struct tf_resource *r,
			struct tf_verdict *v)
{
	v->sev = TF_SEV_DATA;
	if (dt->arg) {
		if (unknown_attrs(r, v))
			return;
		bool snap = strcmp(dt->arg, "final_snapshot") == 0 ? tf_attr_bool(&r->attrs, dt->arg, false)
								   : sval(r, dt->arg) != NULL;
		if (snap) {
			v->sev = TF_SEV_RECOVERABLE;
			reason(v, arena_printf(a, "a final snapshot is taken (%s)", dt->arg));
			return;
		}
		reason(v, arena_printf(a, "no final snapshot is taken (%s not set)", dt->arg));
		fix(v, strcmp(dt->arg, "final_snapshot") == 0 ? "set final_snapshot = true"
							       : arena_printf(a, "set %s", dt->arg));
		return;
	}
	reason(v, "nothing in its configuration can keep the data");
	fix(v, "add lifecycle { prevent_destroy = true } and take a backup or snapshot first");
}

/* KMS keys and secrets: deletion is scheduled; a short window makes the loss final sooner. */
static void judge_window(struct arena *a, const struct tf_datatype *dt, const struct tf_resource *r,
			 struct tf_verdict *v)
{
	bool kms = strcmp(dt->arg, "deletion_window_in_days") == 0;
	long long dflt = 30;
	v->sev = TF_SEV_RECOVERABLE;
	if (!known(r)) {
		reason(v, "its deletion window is not known here");
		return;
	}
	long long w = tf_attr_int(&r->attrs, dt->arg, dflt);
	if (!kms && w == 0) {
		v->sev = TF_SEV_DATA;
		reason(v, "recovery_window_in_days=0: the secret is deleted at once, without recovery");
		fix(v, "set recovery_window_in_days = 30");
		return;
	}
	if (kms)
		reason(v, arena_printf(a, "the key is deleted after %lld days; everything encrypted with it becomes "
					  "unreadable (cancel with 'aws kms cancel-key-deletion')", w));
	else
		reason(v, arena_printf(a, "recoverable for %lld days ('aws secretsmanager restore-secret')", w));
	if (w < 30) {
		v->sev = kms ? TF_SEV_DATA : TF_SEV_RECOVERABLE;
		fix(v, arena_printf(a, "set %s = 30", dt->arg));
	}
}

static void judge_keyvault(struct arena *a, const struct tf_datatype *dt, const struct tf_resource *r,
			   struct tf_verdict *v)
{
	v->sev = TF_SEV_RECOVERABLE;
	if (unknown_attrs(r, v))
		return;
	if (tf_attr_bool(&r->attrs, "purge_protection_enabled", false)) {
		reason(v, "purge protection is on: it stays recoverable for its soft-delete retention");
		return;
	}
	reason(v, "purge_protection_enabled=false: it can be purged while soft-deleted");
	fix(v, "set purge_protection_enabled = true");
}

static void judge_bigquery_dataset(struct arena *a, const struct tf_datatype *dt, const struct tf_resource *r,
				   struct tf_verdict *v)
{
	if (unknown_attrs(r, v))
		return;
	if (tf_attr_bool(&r->attrs, "delete_contents_on_destroy", false)) {
		v->sev = TF_SEV_DATA;
		reason(v, "delete_contents_on_destroy=true: every table in it is deleted");
		fix(v, "set delete_contents_on_destroy = false");
	} else {
		v->sev = TF_SEV_PROTECTED;
		reason(v, "delete_contents_on_destroy=false: the delete fails while it holds tables");
	}
}

static void judge_project(struct arena *a, const struct tf_datatype *dt, const struct tf_resource *r,
			  struct tf_verdict *v)
{
	v->sev = TF_SEV_CASCADE;
	if (!known(r)) {
		reason(v, "everything inside it is deleted with it");
		return;
	}
	const char *pol = sval(r, "deletion_policy");
	if ((pol && (strcmp(pol, "PREVENT") == 0)) ) {
		v->sev = TF_SEV_PROTECTED;
		reason(v, "deletion_policy=PREVENT: the delete is refused");
		return;
	}
	if ((pol && strcmp(pol, "ABANDON") == 0) || tf_attr_bool(&r->attrs, "skip_delete", false)) {
		v->sev = TF_SEV_NONE;
		reason(v, "it is only removed from state (deletion_policy=ABANDON / skip_delete=true)");
		return;
	}
	reason(v, "everything inside the project is deleted with it");
	fix(v, "set deletion_policy = \"PREVENT\"");
}

static void judge_instance(struct arena *a, const struct tf_datatype *dt, const struct tf_resource *r,
			   struct tf_verdict *v)
{
	v->sev = TF_SEV_OUTAGE;
	if (!known(r))
		return;
	if (tf_attr_bool(&r->attrs, dt->arg, false)) {
		v->sev = TF_SEV_PROTECTED;
		reason(v, arena_printf(a, "%s=true: the delete is refused", dt->arg));
		return;
	}
	reason(v, "its local disks and anything not on a separate volume are lost");
	fix(v, arena_printf(a, "set %s = true", dt->arg));
}

static void judge_cascade(struct arena *a, const struct tf_datatype *dt, const struct tf_resource *r,
			  struct tf_verdict *v)
{
	v->sev = TF_SEV_CASCADE;
	reason(v, dt->loses);
}

static void judge_outage(struct arena *a, const struct tf_datatype *dt, const struct tf_resource *r,
			 struct tf_verdict *v)
{
	v->sev = TF_SEV_OUTAGE;
	reason(v, dt->loses);
	if (known(r) && dt->arg) {
		if (tf_attr_bool(&r->attrs, dt->arg, false)) {
			v->sev = TF_SEV_PROTECTED;
			reason(v, arena_printf(a, "%s=true: the delete is refused", dt->arg));
		} else {
			fix(v, arena_printf(a, "set %s = true", dt->arg));
		}
	}
}

#define D TF_CLASS_DATA
#define C TF_CLASS_CASCADE
#define O TF_CLASS_OUTAGE

/* Sorted by type name (binary search). */
static const struct tf_datatype table[] = {
	{ "aws_alb", O, "load balancer", "traffic to it stops; its DNS name is not recoverable", judge_outage, "enable_deletion_protection" },
	{ "aws_cloudfront_distribution", O, "CloudFront distribution", "the distribution and its domain name go away", judge_outage, NULL },
	{ "aws_db_cluster_snapshot", D, "RDS cluster snapshot", "the snapshot", judge_plain, NULL },
	{ "aws_db_instance", D, "RDS database instance", "the database and its data", judge_db, "dp,ab" },
	{ "aws_db_snapshot", D, "RDS snapshot", "the snapshot", judge_plain, NULL },
	{ "aws_docdb_cluster", D, "DocumentDB cluster", "the cluster and its data", judge_db, "dp" },
	{ "aws_dynamodb_table", D, "DynamoDB table", "the table and its items", judge_dynamodb, NULL },
	{ "aws_ebs_snapshot", D, "EBS snapshot", "the snapshot", judge_plain, NULL },
	{ "aws_ebs_volume", D, "EBS volume", "the volume's data", judge_plain, "final_snapshot" },
	{ "aws_ecr_repository", D, "ECR repository", "every image in it", judge_bucket, "force_delete" },
	{ "aws_ecs_cluster", O, "ECS cluster", "services running in it stop", judge_outage, NULL },
	{ "aws_efs_file_system", D, "EFS file system", "every file in it", judge_plain, NULL },
	{ "aws_eip", O, "Elastic IP", "the public IP address is released and cannot be got back", judge_outage, NULL },
	{ "aws_eks_cluster", O, "EKS cluster", "every workload in the cluster stops; persistent volumes may be deleted", judge_outage, NULL },
	{ "aws_elasticache_cluster", D, "ElastiCache cluster", "the cache's data", judge_plain, "final_snapshot_identifier" },
	{ "aws_elasticache_replication_group", D, "ElastiCache replication group", "the cache's data", judge_plain, "final_snapshot_identifier" },
	{ "aws_elasticsearch_domain", D, "Elasticsearch domain", "every index in the domain", judge_plain, NULL },
	{ "aws_elb", O, "classic load balancer", "traffic to it stops; its DNS name is not recoverable", judge_outage, NULL },
	{ "aws_fsx_lustre_file_system", D, "FSx file system", "every file in it", judge_plain, NULL },
	{ "aws_fsx_windows_file_system", D, "FSx file system", "every file in it", judge_plain, "skip_final_backup" },
	{ "aws_glacier_vault", D, "Glacier vault", "every archive in it", judge_plain, NULL },
	{ "aws_instance", O, "EC2 instance", "the instance and its instance-store and root volumes", judge_instance, "disable_api_termination" },
	{ "aws_kinesis_stream", D, "Kinesis stream", "records not yet consumed", judge_plain, NULL },
	{ "aws_kms_key", D, "KMS key", "the key material", judge_window, "deletion_window_in_days" },
	{ "aws_lb", O, "load balancer", "traffic to it stops; its DNS name is not recoverable", judge_outage, "enable_deletion_protection" },
	{ "aws_memorydb_cluster", D, "MemoryDB cluster", "the cluster's data", judge_plain, "final_snapshot_name" },
	{ "aws_nat_gateway", O, "NAT gateway", "outbound traffic from private subnets stops", judge_outage, NULL },
	{ "aws_neptune_cluster", D, "Neptune cluster", "the graph database and its data", judge_db, "dp" },
	{ "aws_opensearch_domain", D, "OpenSearch domain", "every index in the domain", judge_plain, NULL },
	{ "aws_organizations_account", C, "AWS account", "the account is closed with everything in it", judge_cascade, NULL },
	{ "aws_rds_cluster", D, "RDS/Aurora cluster", "the cluster and its data", judge_db, "dp,ab" },
	{ "aws_rds_global_cluster", D, "Aurora global cluster", "the global database", judge_flag, "deletion_protection" },
	{ "aws_redshift_cluster", D, "Redshift cluster", "the warehouse and its data", judge_db, NULL },
	{ "aws_route53_zone", O, "Route 53 hosted zone", "every DNS record in the zone; the zone's name servers change if it is recreated", judge_outage, NULL },
	{ "aws_s3_bucket", D, "S3 bucket", "every object in the bucket", judge_bucket, NULL },
	{ "aws_secretsmanager_secret", D, "Secrets Manager secret", "the secret's value", judge_window, "recovery_window_in_days" },
	{ "aws_sqs_queue", D, "SQS queue", "messages waiting in the queue", judge_plain, NULL },
	{ "aws_vpc", C, "VPC", "everything in the VPC must be deleted first: subnets, instances, databases", judge_cascade, NULL },
	{ "azurerm_cosmosdb_account", D, "Cosmos DB account", "every database in the account", judge_plain, NULL },
	{ "azurerm_key_vault", D, "Key Vault", "keys, secrets and certificates", judge_keyvault, NULL },
	{ "azurerm_kubernetes_cluster", O, "AKS cluster", "every workload in the cluster stops", judge_outage, NULL },
	{ "azurerm_managed_disk", D, "managed disk", "the disk's data", judge_plain, NULL },
	{ "azurerm_mssql_database", D, "Azure SQL database", "the database (point-in-time backups follow the server's retention)", judge_plain, NULL },
	{ "azurerm_mssql_server", D, "Azure SQL server", "every database on the server", judge_plain, NULL },
	{ "azurerm_mysql_flexible_server", D, "Azure MySQL server", "the server, its databases and backups", judge_plain, NULL },
	{ "azurerm_postgresql_flexible_server", D, "Azure PostgreSQL server", "the server, its databases and backups", judge_plain, NULL },
	{ "azurerm_postgresql_server", D, "Azure PostgreSQL server", "the server, its databases and backups", judge_plain, NULL },
	{ "azurerm_public_ip", O, "public IP", "the address is released", judge_outage, NULL },
	{ "azurerm_resource_group", C, "resource group", "every resource in the group, including ones Terraform does not manage", judge_cascade, NULL },
	{ "azurerm_storage_account", D, "storage account", "every blob, file share, queue and table in it", judge_plain, NULL },
	{ "azurerm_storage_container", D, "storage container", "every blob in it", judge_plain, NULL },
	{ "google_alloydb_cluster", D, "AlloyDB cluster", "the cluster and its data", judge_plain, NULL },
	{ "google_bigquery_dataset", D, "BigQuery dataset", "every table in the dataset", judge_bigquery_dataset, NULL },
	{ "google_bigquery_table", D, "BigQuery table", "the table's rows", judge_gflag, "deletion_protection" },
	{ "google_bigtable_instance", D, "Bigtable instance", "every table in the instance", judge_gflag, "deletion_protection" },
	{ "google_bigtable_table", D, "Bigtable table", "the table's rows", judge_plain, NULL },
	{ "google_compute_address", O, "reserved IP address", "the address is released", judge_outage, NULL },
	{ "google_compute_disk", D, "persistent disk", "the disk's data", judge_plain, NULL },
	{ "google_compute_instance", O, "Compute Engine instance", "the instance and its boot disk (if auto_delete)", judge_instance, "deletion_protection" },
	{ "google_container_cluster", O, "GKE cluster", "every workload in the cluster stops", judge_outage, "deletion_protection" },
	{ "google_dns_managed_zone", O, "Cloud DNS zone", "every record in the zone", judge_outage, NULL },
	{ "google_filestore_instance", D, "Filestore instance", "every file in it", judge_plain, NULL },
	{ "google_folder", C, "folder", "projects in the folder must be deleted first", judge_cascade, NULL },
	{ "google_project", C, "Google Cloud project", "everything inside the project", judge_project, NULL },
	{ "google_redis_instance", D, "Memorystore Redis instance", "the cache's data", judge_plain, NULL },
	{ "google_spanner_database", D, "Spanner database", "the database", judge_gflag, "deletion_protection" },
	{ "google_spanner_instance", D, "Spanner instance", "every database in the instance", judge_plain, NULL },
	{ "google_sql_database", D, "Cloud SQL database", "the database", judge_plain, NULL },
	{ "google_sql_database_instance", D, "Cloud SQL instance", "the instance, its databases and automated backups", judge_gflag, "deletion_protection" },
	{ "google_storage_bucket", D, "Cloud Storage bucket", "every object in the bucket", judge_bucket, NULL },
	{ "kubernetes_namespace", C, "Kubernetes namespace", "every object in the namespace", judge_cascade, NULL },
	{ "kubernetes_persistent_volume_claim", D, "persistent volume claim", "the volume's data when its reclaim policy is Delete", judge_plain, NULL },
};

const struct tf_datatype *tf_datatype_find(const char *type)
{
	size_t lo = 0, hi = ARRAY_SIZE(table);
	if (!type)
		return NULL;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(type, table[mid].type);
		if (c == 0)
			return &table[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

size_t tf_datatype_count(void)
{
	return ARRAY_SIZE(table);
}

const struct tf_datatype *tf_datatype_at(size_t i)
{
	return i < ARRAY_SIZE(table) ? &table[i] : NULL;
}

void tf_datatype_judge(struct arena *a, const struct tf_datatype *dt, const struct tf_resource *r,
		       struct tf_verdict *v)
{
	memset(v, 0, sizeof(*v));
	if (dt->judge) {
		dt->judge(a, dt, r, v);
		return;
	}
	v->sev = dt->cls == TF_CLASS_DATA ? TF_SEV_DATA : dt->cls == TF_CLASS_CASCADE ? TF_SEV_CASCADE
					    : dt->cls == TF_CLASS_OUTAGE ? TF_SEV_OUTAGE : TF_SEV_NONE;
	if (dt->loses)
		reason(v, dt->loses);
}
