/*
 * rules.c: the rule packs as one table, and the generic matcher. A row names
 * the tool(s), the positional subcommand path after the tool's global
 * options, flags that must or must not be present, and the decision in
 * development and in production. A new rule is a row; the few rules that need
 * judgement (paths, SQL text, refspecs) are matched from code in fs_rules.c
 * and sql.c and appear here with tools = NULL, so that "blastwall rules"
 * lists everything and config overrides reach every rule by id.
 *
 * Messages say what would be lost, why it matters and the safer way, for the
 * agent that reads them as much as for the human.
 */
#include "guard/guard_int.h"

#include <fnmatch.h>
#include <string.h>

#include "common/fs.h"
#include "terraform/tf_guard.h"

enum {
	PRED_NONE,
	PRED_PUSH_FORCE,
	PRED_PUSH_DELETE,
	PRED_BRANCH_FORCE_DELETE,
	PRED_RESTORE_TREE,
	PRED_DROPDB,
	PRED_REPLACE,
};

#define A DECISION_ASK
#define D DECISION_DENY
#define L DECISION_ALLOW

static const struct guard_rule rules[] = {
	/* ---- guard: what blastwall cannot see ---- */
	{ "guard.unparseable", A, A, PROD_NONE, "the command does not parse as shell",
	  "Rewrite it as plain shell (check the quoting) so it can be checked, or run it yourself.",
	  NULL, NULL, NULL, NULL, NULL, 0, NULL },
	{ "guard.dynamic-command", A, A, PROD_NONE, "the command name (or code) is only known at run time ($X, $(...))",
	  "Whatever it expands to would run unchecked. Write the command out literally so it can be checked.",
	  NULL, NULL, NULL, NULL, NULL, 0, NULL },
	{ "guard.pipe-to-shell", A, A, PROD_NONE, "a shell or interpreter runs code from a pipe blastwall cannot see",
	  "Save the script to a file, read it, then run the file.", NULL, NULL, NULL, NULL, NULL, 0, NULL },
	{ "guard.too-deep", A, A, PROD_NONE, "wrappers and nested shells deeper than blastwall follows",
	  "Commands nested this deep cannot be checked; run the inner command directly.", NULL, NULL, NULL, NULL,
	  NULL, 0, NULL },

	/* ---- blastwall: the guard's own switches. An agent that can rewrite them can turn
	 * every other rule off, so a human makes these changes; reading them passes. ---- */
#define SELF_HOW " A human should make this change: run it yourself in a terminal if it is what you want."
	{ "blastwall.config", A, A, PROD_NONE, "writing, moving or removing .blastwall.yaml or the user config",
	  "It changes or disables blastwall's own protection: the config decides which rules apply, so an "
	  "edit can allow everything." SELF_HOW " Reading it (cat, blastwall explain) is fine.",
	  NULL, NULL, NULL, NULL, NULL, 0, NULL },
	{ "blastwall.agent-settings", A, A, PROD_NONE, "writing or removing an agent's hook settings (.claude/settings.json ...)",
	  "It changes or disables blastwall's own protection: blastwall's hook lives in this settings file, and "
	  "without it no command is checked." SELF_HOW,
	  NULL, NULL, NULL, NULL, NULL, 0, NULL },
	{ "blastwall.uninstall", A, A, PROD_NONE, "blastwall uninstall",
	  "It disables blastwall's own protection: the agent's hook is removed and no later command is checked."
	  SELF_HOW, "blastwall", "uninstall", NULL, NULL, "-h|--help", 0, NULL },
	{ "blastwall.state-accept", A, A, PROD_NONE, "blastwall state accept|pin",
	  "It changes blastwall's own protection: accepting or pinning a replaced Terraform state hides the swap "
	  "the state guard exists to stop. Whether the new state is right is the human's decision." SELF_HOW
	  " `blastwall state check` shows the evidence.",
	  "blastwall", "state accept|pin", NULL, NULL, "-h|--help", 0, NULL },
	{ "blastwall.audit-db", A, A, PROD_NONE, "removing, overwriting or writing SQL into blastwall's state database",
	  "It changes blastwall's own protection: the state database holds the audit log and the pinned "
	  "Terraform states; losing or editing it erases the record of what agents ran." SELF_HOW
	  " Reading passes (`blastwall log`, `blastwall log --verify`, SELECT).",
	  NULL, NULL, NULL, NULL, NULL, 0, NULL },
#undef SELF_HOW

	/* ---- terraform / tofu / terragrunt ---- */
	{ "terraform.destroy", D, D, PROD_TERRAFORM, "terraform destroy",
	  "It deletes every resource in this workspace's state: databases, volumes and buckets with their data, "
	  "which no terraform command brings back. Safer: run `terraform plan -destroy` and show the human what "
	  "would go; destroy single resources with -target only after they have reviewed it.",
	  "terraform|tofu|terragrunt", "destroy", NULL, NULL, "-help|--help", 0, NULL },
	{ "terraform.apply-destroy", D, D, PROD_TERRAFORM, "terraform apply -destroy",
	  "It is terraform destroy by another name: every resource in the state and its data goes. Safer: "
	  "`terraform plan -destroy -out=destroy.plan`, have a human review it, and let them apply it.",
	  "terraform|tofu|terragrunt", "apply", NULL, "-destroy|--destroy", NULL, 0, NULL },
	{ "terraform.apply-auto-approve", A, D, PROD_TERRAFORM, "terraform apply -auto-approve",
	  "It applies changes without showing the plan, so replacements that delete data happen unreviewed. "
	  "Safer: `terraform plan -out=tf.plan`, review the deletes and replacements, then `terraform apply tf.plan`.",
	  "terraform|tofu|terragrunt", "apply", NULL, "-auto-approve|--auto-approve", NULL, 0, NULL },
	{ "terraform.state-rm", A, D, PROD_TERRAFORM, "terraform state rm|mv|replace-provider",
	  "It edits the state by hand: a resource dropped from state is forgotten (a later apply may create a "
	  "duplicate or a destroy may miss it), a wrong mv makes terraform replace real infrastructure. Safer: "
	  "`terraform state pull > backup.tfstate` first, and prefer `removed`/`moved` blocks reviewed in a plan.",
	  "terraform|tofu|terragrunt", "state", "rm|mv|replace-provider", NULL, "-dry-run", 0, NULL },
	{ "terraform.state-push", D, D, PROD_TERRAFORM, "terraform state push",
	  "It overwrites the remote state with a local file; if that file is old or from another workspace, "
	  "terraform loses track of real resources (and the next apply may destroy or duplicate them). Safer: "
	  "compare serial and lineage with `terraform state pull` and let a human push.",
	  "terraform|tofu|terragrunt", "state", "push", NULL, NULL, 0, NULL },
	{ "terraform.force-unlock", A, D, PROD_TERRAFORM, "terraform force-unlock",
	  "It removes a lock another run may still hold; two runs writing the same state corrupt it. Safer: find "
	  "the run that holds the lock and let it finish, or ask a human to confirm it is dead.",
	  "terraform|tofu|terragrunt", "force-unlock", NULL, NULL, NULL, 0, NULL },
	{ "terraform.workspace-delete", A, D, PROD_TERRAFORM, "terraform workspace delete",
	  "It deletes the workspace's state: terraform forgets every resource it manages there (they keep "
	  "running, unmanaged, or -force loses them entirely). Safer: `terraform state list` it first; destroy "
	  "through a reviewed plan if that is the intent.",
	  "terraform|tofu|terragrunt", "workspace", "delete", NULL, NULL, 0, NULL },
	{ "terraform.apply-replace", A, D, PROD_TERRAFORM, "terraform apply -replace / terraform taint",
	  "It destroys the resource and creates a new one: for a database, volume or bucket that is its data. "
	  "Safer: `terraform plan -replace=ADDR -out=tf.plan`, check what the replacement loses, and let a human "
	  "apply it.", "terraform|tofu|terragrunt", "apply|taint", NULL, NULL, "-help|--help", PRED_REPLACE, NULL },
	{ "terraform.state-file", D, D, PROD_NONE, "removing, moving or overwriting a *.tfstate file",
	  "The state file is terraform's only record of what it manages; without it terraform will try to "
	  "create everything again, and destroys miss what they should catch. Safer: copy it aside first "
	  "(`cp terraform.tfstate terraform.tfstate.$(date +%s)`), or use `terraform state pull/push` with review.",
	  NULL, NULL, NULL, NULL, NULL, 0, NULL },
	{ "terraform.state-extract", A, D, PROD_NONE, "unpacking an archive where a terraform.tfstate lives",
	  "Unpacking here can overwrite terraform.tfstate with an older copy, and terraform then believes real "
	  "resources do not exist. Safer: unpack into an empty directory and compare before copying anything.",
	  NULL, NULL, NULL, NULL, NULL, 0, NULL },

	/* terraform: judged by the terraform module from the state, the journal and saved plans
	 * (src/terraform/tf_guard.c); listed here so that they can be looked up and overridden */
#define TFM NULL, NULL, NULL, NULL, NULL, 0, "terraform state"
	{ "terraform.destroy-data", D, D, PROD_TERRAFORM, "destroy that deletes data-bearing resources (from the state)",
	  "The state shows databases, volumes or buckets with data among what the destroy deletes; the message "
	  "names them. A human should plan -destroy, review and apply.", TFM },
	{ "terraform.apply-plan", A, D, PROD_TERRAFORM, "apply of a saved plan that deletes or replaces resources",
	  "The plan deletes or replaces resources (allowed when it deletes nothing); the message counts them. "
	  "Review it with `blastwall plan tfplan` first.", TFM },
	{ "terraform.apply-plan-data", D, D, PROD_TERRAFORM, "apply of a saved plan that deletes data-bearing resources",
	  "The plan deletes or replaces resources that hold data; the message names them. A human should "
	  "review and apply it.", TFM },
	{ "terraform.apply-no-plan-prod", L, D, PROD_TERRAFORM, "apply without a saved plan in production",
	  "An unreviewed apply in production can delete or replace anything the configuration no longer matches. "
	  "Plan, review, then apply that plan.", TFM },
	{ "terraform.state-swapped", D, D, PROD_TERRAFORM, "the state file was replaced by another state (lineage changed)",
	  "Terraform would act on the wrong state: a plan would delete what the real state manages. Restore the "
	  "pinned state, or `blastwall state accept` if the swap was on purpose.", TFM },
	{ "terraform.state-serial-down", D, D, PROD_TERRAFORM, "the state went back to an older copy (serial down)",
	  "An old state forgets resources created since; terraform would recreate or orphan them. Restore the "
	  "newest state, or `blastwall state accept`.", TFM },
	{ "terraform.state-edited", D, D, PROD_TERRAFORM, "the state was edited without a new serial",
	  "Terraform raises the serial on every write; an edit in place hides resources. Compare with the "
	  "backup, or `blastwall state accept`.", TFM },
	{ "terraform.state-missing", D, D, PROD_TERRAFORM, "the state is gone although blastwall pinned one",
	  "Terraform now believes nothing exists: a plan would create duplicates and lose track of what runs. "
	  "Restore the state (backend, workspace, terraform.tfstate.backup).", TFM },
	{ "terraform.state-unreadable", D, D, PROD_TERRAFORM, "the state cannot be read",
	  "blastwall cannot tell what would be lost. Fix the state or the backend settings first.", TFM },
	{ "terraform.state-local-prod", L, A, PROD_TERRAFORM, "production state kept in a local file (a warning)",
	  "One deleted or overwritten file loses track of every resource. Move the state to a remote backend "
	  "with locking.", TFM },
	{ "terraform.plan-other-lineage", D, D, PROD_TERRAFORM, "a saved plan made from another state",
	  "The plan was made from a state of another lineage than this directory's; applying it acts on the "
	  "wrong infrastructure. Plan again here.", TFM },
	{ "terraform.plan-missing-state", D, D, PROD_TERRAFORM, "a saved plan made from an empty state while resources exist",
	  "Applying it would create duplicates of what exists and lose track of the running resources. Find the "
	  "state first.", TFM },
#undef TFM

	/* ---- aws ---- */
	{ "aws.rds-delete", D, D, PROD_AWS, "aws rds delete-db-instance|cluster|snapshot",
	  "It deletes a database (or its snapshot) with all its data; automated backups go with the instance "
	  "unless retained. Safer: take a final snapshot, turn on deletion protection, and let a human delete it.",
	  "aws", "rds delete-db-instance|delete-db-cluster|delete-db-snapshot|delete-db-cluster-snapshot|"
	  "delete-global-cluster", NULL, NULL, "--dry-run|--generate-cli-skeleton", 0, NULL },
	{ "aws.rds-deletion-protection", A, D, PROD_AWS, "aws rds modify-db-* --no-deletion-protection",
	  "Turning off deletion protection is the step before a database can be deleted. Safer: leave it on; a "
	  "human can turn it off when they really mean to delete.",
	  "aws", "rds modify-db-instance|modify-db-cluster", NULL, "--no-deletion-protection", NULL, 0, NULL },
	{ "aws.s3-rb", A, D, PROD_AWS, "aws s3 rb",
	  "It deletes a bucket (with --force, every object in it first). Objects are gone unless versioning "
	  "or replication kept them. Safer: `aws s3 ls s3://BUCKET --recursive --summarize` and let a human decide.",
	  "aws", "s3 rb", NULL, NULL, "--dryrun", 0, NULL },
	{ "aws.s3-rm-recursive", A, D, PROD_AWS, "aws s3 rm --recursive",
	  "It deletes every object under the prefix. Safer: run it with --dryrun first and show the list.",
	  "aws", "s3 rm", NULL, "--recursive", "--dryrun", 0, NULL },
	{ "aws.s3-sync-delete", A, D, PROD_AWS, "aws s3 sync --delete",
	  "--delete removes every object under the destination that the source does not have; a wrong or empty "
	  "source empties the bucket. Safer: run it with --dryrun first and show the list.",
	  "aws", "s3 sync", NULL, "--delete", "--dryrun", 0, NULL },
	{ "aws.s3api-delete", A, D, PROD_AWS, "aws s3api delete-bucket|delete-objects",
	  "It deletes a bucket or a batch of objects for good unless versioning keeps them. Safer: list what "
	  "would go and let a human run it.",
	  "aws", "s3api delete-bucket|delete-objects", NULL, NULL, "--generate-cli-skeleton", 0, NULL },
	{ "aws.ec2-delete", A, D, PROD_AWS, "aws ec2 terminate-instances|delete-volume|delete-snapshot|delete-vpc",
	  "Terminated instances lose their instance-store and delete-on-termination volumes; deleted volumes and "
	  "snapshots cannot be recovered. Safer: --dry-run, snapshot first, or stop instead of terminate.",
	  "aws", "ec2 terminate-instances|delete-volume|delete-snapshot|delete-vpc", NULL, NULL, "--dry-run", 0, NULL },
	{ "aws.dynamodb-delete", D, D, PROD_AWS, "aws dynamodb delete-table",
	  "It deletes the table and every item in it. Safer: `aws dynamodb create-backup` first and let a human "
	  "delete it.", "aws", "dynamodb delete-table", NULL, NULL, "--generate-cli-skeleton", 0, NULL },
	{ "aws.cloudformation-delete", A, D, PROD_AWS, "aws cloudformation delete-stack",
	  "It deletes every resource the stack created, databases and buckets included unless they have a "
	  "Retain policy. Safer: check the stack's resources and DeletionPolicy, then let a human delete it.",
	  "aws", "cloudformation delete-stack", NULL, NULL, NULL, 0, NULL },
	{ "aws.container-delete", A, D, PROD_AWS, "aws eks|ecs delete-*",
	  "It deletes a cluster, service or node group, and the workloads running on it stop. Safer: scale down "
	  "or describe it first and let a human delete it.",
	  "aws", "eks|ecs delete-*", NULL, NULL, NULL, 0, NULL },
	{ "aws.kms-delete", D, D, PROD_AWS, "aws kms schedule-key-deletion",
	  "Once the key is deleted, everything encrypted with it (volumes, snapshots, database backups) can never "
	  "be decrypted again. Safer: disable the key instead (`aws kms disable-key`).",
	  "aws", "kms schedule-key-deletion", NULL, NULL, NULL, 0, NULL },
	{ "aws.secret-force-delete", D, D, PROD_AWS, "aws secretsmanager delete-secret --force-delete-without-recovery",
	  "It deletes the secret with no recovery window. Safer: delete without the flag (a 7-30 day recovery "
	  "window applies).", "aws", "secretsmanager delete-secret", NULL, "--force-delete-without-recovery", NULL, 0, NULL },
	{ "aws.route53-delete", A, D, PROD_AWS, "aws route53 delete-hosted-zone",
	  "It deletes the DNS zone; the domain stops resolving and recreating it gets new name servers. Safer: "
	  "export the records first and let a human delete it.",
	  "aws", "route53 delete-hosted-zone", NULL, NULL, NULL, 0, NULL },
	{ "aws.backup-delete", D, D, PROD_AWS, "aws backup delete-*",
	  "It deletes backups, vaults or plans: the copies you would restore from after a mistake. Safer: leave "
	  "backups alone; let a human change retention.", "aws", "backup delete-*", NULL, NULL, NULL, 0, NULL },
	{ "aws.data-delete", A, D, PROD_AWS, "aws efs|elasticache|lambda|logs delete-*",
	  "It deletes file systems, caches, functions or log groups and what they hold. Safer: describe it, "
	  "take a backup or export, and let a human delete it.",
	  "aws", "efs|elasticache|lambda|logs delete-*", NULL, NULL, NULL, 0, NULL },

	/* ---- gcloud / az ---- */
	{ "gcloud.sql-delete", D, D, PROD_GCLOUD, "gcloud sql instances delete",
	  "It deletes the Cloud SQL instance and, with it, its automatic backups. Safer: export or take an "
	  "on-demand backup, enable deletion protection, and let a human delete it.",
	  "gcloud", "sql instances delete", NULL, NULL, NULL, 0, NULL },
	{ "gcloud.project-delete", D, D, PROD_GCLOUD, "gcloud projects delete",
	  "It shuts down the whole project: every resource and all its data. Safer: let a human do it in the "
	  "console.", "gcloud", "projects delete", NULL, NULL, NULL, 0, NULL },
	{ "gcloud.compute-delete", A, D, PROD_GCLOUD, "gcloud compute instances|disks|snapshots delete",
	  "It deletes VMs (and their boot disks), disks or snapshots. Safer: snapshot first, stop instead of "
	  "delete.", "gcloud", "compute instances|disks|snapshots delete", NULL, NULL, NULL, 0, NULL },
	{ "gcloud.storage-rm", A, D, PROD_GCLOUD, "gcloud storage rm -r / gsutil rm -r",
	  "It deletes every object under the path. Safer: list it first (`gcloud storage ls -r`) and let a human "
	  "delete.", "gcloud|gsutil", "storage|rm|rb rm|*", NULL, "-r|-R|--recursive|-a", NULL, 0, NULL },
	{ "gcloud.bq-rm", A, D, PROD_GCLOUD, "bq rm (BigQuery tables and datasets)",
	  "It deletes a table, or with -r a dataset and every table in it; time travel keeps them only for days. "
	  "Safer: copy or export it first (`bq cp`, `bq extract`) and let a human delete it.",
	  "bq", "rm", NULL, NULL, "--help", 0, NULL },
	{ "gcloud.cluster-delete", A, D, PROD_GCLOUD, "gcloud container clusters delete",
	  "It deletes the GKE cluster with its workloads and their local volumes. Safer: let a human do it.",
	  "gcloud", "container clusters delete", NULL, NULL, NULL, 0, NULL },
	{ "az.group-delete", D, D, PROD_GCLOUD, "az group delete",
	  "It deletes the resource group and every resource in it. Safer: list it with `az resource list -g` and "
	  "let a human delete it.", "az", "group delete", NULL, NULL, NULL, 0, NULL },
	{ "az.sql-delete", D, D, PROD_GCLOUD, "az sql db|server delete",
	  "It deletes the database (or the whole server). Safer: export a BACPAC or check the backup retention and "
	  "let a human delete it.", "az", "sql db|server delete", NULL, NULL, NULL, 0, NULL },
	{ "az.storage-delete", D, D, PROD_GCLOUD, "az storage account delete",
	  "It deletes the storage account with every blob, file share and table in it. Safer: let a human do it.",
	  "az", "storage account delete", NULL, NULL, NULL, 0, NULL },

	/* ---- kubernetes and friends ---- */
	{ "kubectl.delete-namespace", A, D, PROD_KUBE, "kubectl delete namespace",
	  "It deletes everything in the namespace: deployments, services, secrets, and the persistent volume "
	  "claims that hold data. Safer: `kubectl get all,pvc -n NAME` first and let a human delete it.",
	  "kubectl|oc", "delete ns|namespace|namespaces|ns/*|namespace/*|namespaces/*", NULL, NULL,
	  "--dry-run|--dry-run=client|--dry-run=server", 0, NULL },
	{ "kubectl.delete-all", A, D, PROD_KUBE, "kubectl delete --all / --all-namespaces",
	  "It deletes every object of that kind, not one. Safer: name the objects, or run with --dry-run=client "
	  "first and show the list.", "kubectl|oc", "delete", NULL, "--all|-A|--all-namespaces",
	  "--dry-run|--dry-run=client|--dry-run=server", 0, NULL },
	{ "kubectl.delete-volume", A, D, PROD_KUBE, "kubectl delete pv/pvc",
	  "Deleting a persistent volume (claim) deletes the data on it when the reclaim policy is Delete. Safer: "
	  "check the reclaim policy and take a snapshot first.",
	  "kubectl|oc", "delete pv|pvc|persistentvolume|persistentvolumes|persistentvolumeclaim|"
	  "persistentvolumeclaims|pv/*|pvc/*|persistentvolume/*|persistentvolumeclaim/*", NULL, NULL,
	  "--dry-run|--dry-run=client|--dry-run=server", 0, NULL },
	{ "kubectl.drain", A, D, PROD_KUBE, "kubectl drain",
	  "It evicts every pod from the node (emptyDir data is lost with --delete-emptydir-data). Safer: cordon "
	  "first and let a human drain.", "kubectl|oc", "drain", NULL, NULL, "--dry-run|--dry-run=client|--dry-run=server",
	  0, NULL },
	{ "helm.uninstall", A, D, PROD_KUBE, "helm uninstall",
	  "It deletes every object of the release, including volumes created by its charts. Safer: `helm get "
	  "manifest` first and let a human uninstall.", "helm", "uninstall|delete|del|un", NULL, NULL, "--dry-run", 0, NULL },
	{ "pulumi.destroy", A, D, PROD_ENV, "pulumi destroy",
	  "It deletes every resource in the stack with its data. Safer: `pulumi preview --destroy` and let a human "
	  "run it.", "pulumi", "destroy|down", NULL, NULL, "--preview-only", 0, NULL },
	{ "pulumi.stack-rm", A, D, PROD_ENV, "pulumi stack rm",
	  "It deletes the stack and its state (with --force, even while resources still exist, leaving them "
	  "unmanaged). Safer: let a human do it.", "pulumi", "stack rm", NULL, NULL, NULL, 0, NULL },
	{ "cdk.destroy", A, D, PROD_AWS, "cdk destroy",
	  "It deletes the CloudFormation stacks and every resource without a Retain policy. Safer: `cdk diff` and "
	  "let a human destroy.", "cdk", "destroy", NULL, NULL, NULL, 0, NULL },
	{ "serverless.remove", A, D, PROD_ENV, "serverless remove",
	  "It deletes the service's stack: functions, tables and buckets it created. Safer: let a human remove it.",
	  "serverless|sls", "remove", NULL, NULL, NULL, 0, NULL },

	/* ---- platforms ---- */
	{ "heroku.destroy", D, D, PROD_NONE, "heroku apps:destroy / addons:destroy / pg:reset",
	  "It deletes the app, an add-on (a database with its data) or resets the Postgres database. Safer: "
	  "`heroku pg:backups:capture` first and let a human do it.", "heroku",
	  "apps:destroy|destroy|addons:destroy|addons:remove|pg:reset|pg:reset:*", NULL, NULL, "--help|-h", 0, NULL },
	{ "fly.destroy", A, D, PROD_ENV, "fly apps destroy / volumes destroy / postgres destroy",
	  "It deletes the app, a volume with the data on it, or a Postgres cluster. Safer: snapshot the volume "
	  "(`fly volumes snapshots create`) and let a human delete it.", "fly|flyctl",
	  "apps|volumes|volume|vol|postgres|pg destroy|delete|rm", NULL, NULL, "--help|-h", 0, NULL },
	{ "firebase.delete", A, D, PROD_GCLOUD, "firebase firestore:delete / database:remove",
	  "It deletes Firestore documents or Realtime Database paths (with -r or --all-collections, whole trees). "
	  "Safer: export first (`gcloud firestore export`) and let a human delete.", "firebase",
	  "firestore:delete|database:remove|database:set", NULL, NULL, "--help|-h", 0, NULL },

	/* ---- databases ---- */
	{ "db.drop", A, D, PROD_DB, "SQL DROP DATABASE/SCHEMA/TABLE",
	  "It deletes the object and every row in it; only a backup brings it back. Safer: take a dump first "
	  "(pg_dump -t / mysqldump), or rename instead of drop, and let a human run it.",
	  NULL, NULL, NULL, NULL, NULL, 0, NULL },
	{ "db.truncate", A, D, PROD_DB, "SQL TRUNCATE",
	  "It deletes every row of the table at once, with no WHERE to limit it. Safer: dump the table first or "
	  "delete the rows you mean with a WHERE clause.", NULL, NULL, NULL, NULL, NULL, 0, NULL },
	{ "db.delete-all", A, D, PROD_DB, "SQL DELETE without WHERE",
	  "It deletes every row in the table. Safer: add the WHERE clause you mean, and run it in a transaction "
	  "after a SELECT count(*) with the same condition.", NULL, NULL, NULL, NULL, NULL, 0, NULL },
	{ "db.update-all", A, D, PROD_DB, "SQL UPDATE without WHERE",
	  "It overwrites the column in every row; the old values are gone. Safer: add a WHERE clause and check "
	  "the row count in a transaction first.", NULL, NULL, NULL, NULL, NULL, 0, NULL },
	{ "db.flush", A, D, PROD_DB, "redis FLUSHALL / FLUSHDB",
	  "It deletes every key in the database (FLUSHALL: in all of them). Safer: delete the keys you mean by "
	  "pattern (SCAN + UNLINK) after a BGSAVE.", NULL, NULL, NULL, NULL, NULL, 0, NULL },
	{ "db.mongo-drop", A, D, PROD_DB, "mongo dropDatabase / drop() / deleteMany({})",
	  "It deletes the database, collection or every document. Safer: mongodump first and let a human run it.",
	  NULL, NULL, NULL, NULL, NULL, 0, NULL },
	{ "db.unknown-sql", L, A, PROD_DB, "SQL from a pipe blastwall cannot see, sent to a production database",
	  "The statements come from a pipe whose content blastwall cannot read. Safer: write them to a file, "
	  "read it, and run it with -f.", NULL, NULL, NULL, NULL, NULL, 0, NULL },
	{ "db.dropdb", A, D, PROD_DB, "dropdb / mysqladmin drop",
	  "It deletes the whole database and all its data. Safer: take a dump first and let a human drop it.",
	  "dropdb|mysqladmin", NULL, NULL, NULL, "--help|-V|--version|-?", PRED_DROPDB, NULL },
	{ "db.prisma-reset", A, D, PROD_DB, "prisma migrate reset",
	  "It drops the database and recreates it from the migrations: every row is lost. Safer: run it only "
	  "against a disposable dev database; for schema changes use `prisma migrate dev --create-only` and review.",
	  "prisma", "migrate reset", NULL, NULL, "--help|-h", 0, NULL },
	{ "db.prisma-data-loss", A, D, PROD_DB, "prisma db push --force-reset / --accept-data-loss",
	  "It resets the database or applies changes that drop columns/tables with their data. Safer: create a "
	  "migration with `prisma migrate dev --create-only`, read the SQL, and apply it after a backup.",
	  "prisma", "db|migrate", NULL, "--force-reset|--accept-data-loss", NULL, 0, NULL },
	{ "db.supabase-reset", A, D, PROD_DB, "supabase db reset",
	  "It recreates the local database from migrations and seed: the data in it is lost. Safer: `supabase db "
	  "dump --data-only` first.", "supabase", "db reset", NULL, NULL, "--linked|--db-url|--help", 0, NULL },
	{ "db.supabase-reset-remote", D, D, PROD_DB, "supabase db reset --linked / --db-url",
	  "It resets the REMOTE (linked) database: every table and row in the hosted project is dropped. Safer: "
	  "never from an agent; a human can do it from the dashboard after a backup.",
	  "supabase", "db reset", NULL, "--linked|--db-url", NULL, 0, NULL },
	{ "db.rails-drop", A, D, PROD_ENV, "rails db:drop / db:reset / db:purge / db:schema:load",
	  "It drops the database (or reloads the schema over it): every row is lost. Safer: run it only against "
	  "a disposable dev database; dump first otherwise.", "rails|rake",
	  "db:drop|db:drop:*|db:reset|db:purge|db:purge:*|db:schema:load|db:migrate:reset|db:test:purge", NULL, NULL,
	  NULL, 0, NULL },
	{ "db.django-flush", A, D, PROD_ENV, "django manage.py flush / reset_db",
	  "It deletes every row from every table. Safer: `manage.py dumpdata > backup.json` first and run it only "
	  "on a disposable database.", "manage.py|django-admin|django", "flush|reset_db", NULL, NULL, "--help", 0, NULL },
	{ "db.alembic-downgrade-base", A, D, PROD_DB, "alembic downgrade base",
	  "It runs every downgrade back to an empty schema, dropping the tables and their data. Safer: downgrade "
	  "one step (-1) after a backup, and read the downgrade code first.",
	  "alembic", "downgrade", "base", NULL, "--sql", 0, NULL },
	{ "db.sequelize-drop", A, D, PROD_ENV, "sequelize db:drop",
	  "It drops the database and all its data. Safer: dump it first; run it only on a disposable database.",
	  "sequelize|sequelize-cli", "db:drop", NULL, NULL, NULL, 0, NULL },
	{ "db.ecto-drop", A, D, PROD_ENV, "mix ecto.drop / ecto.reset",
	  "It drops the database (reset recreates it empty). Safer: dump it first; run it only on a disposable "
	  "database.", "mix", "ecto.drop|ecto.reset", NULL, NULL, NULL, 0, NULL },

	/* ---- filesystem ---- */
	{ "filesystem.rm-root", D, D, PROD_NONE, "rm -r of / or a top-level directory",
	  "It deletes the operating system or a whole top-level tree. Name the exact directory you mean, inside "
	  "the project.", NULL, NULL, NULL, NULL, NULL, 0, NULL },
	{ "filesystem.rm-home", D, D, PROD_NONE, "rm -r of the home directory",
	  "It deletes the user's home: every project, key, credential and setting. Name the exact directory you "
	  "mean instead.", NULL, NULL, NULL, NULL, NULL, 0, NULL },
	{ "filesystem.rm-project", D, D, PROD_NONE, "rm -r of the project root (or a directory holding it)",
	  "It deletes the whole working tree, uncommitted work included. Delete the specific build or cache "
	  "directory instead (e.g. `rm -rf ./build`).", NULL, NULL, NULL, NULL, NULL, 0, NULL },
	{ "filesystem.rm-glob-project", A, D, PROD_NONE, "rm -r * in the project root",
	  "It deletes every file in the project directory, untracked work included. Delete the specific "
	  "directories you mean (`rm -rf build dist`).", NULL, NULL, NULL, NULL, NULL, 0, NULL },
	{ "filesystem.rm-git", D, D, PROD_NONE, "rm -r of .git",
	  "It deletes the repository's history, branches, stashes and unpushed commits. Safer: leave .git alone; "
	  "`git clean`/`git worktree` cover most needs.", NULL, NULL, NULL, NULL, NULL, 0, NULL },
	{ "filesystem.rm-outside", A, D, PROD_NONE, "rm -r outside the project and temp directories",
	  "It deletes files that do not belong to this project. Safer: delete only inside the project or a temp "
	  "directory, or ask the human to do it.", NULL, NULL, NULL, NULL, NULL, 0, NULL },
	{ "filesystem.rm-dynamic", A, A, PROD_NONE, "rm -r of a path only known at run time",
	  "If the variable is empty or wrong, the wrong tree is deleted (`rm -rf \"$DIR/\"` with DIR unset is "
	  "`rm -rf /`). Write the path literally, or guard it (`${DIR:?}`) and show it first.",
	  NULL, NULL, NULL, NULL, NULL, 0, NULL },
	{ "filesystem.find-delete", A, D, PROD_NONE, "find -delete outside the project",
	  "It deletes every file the expression matches, recursively, outside the project. Safer: run the same "
	  "find with -print first and show the list.", NULL, NULL, NULL, NULL, NULL, 0, NULL },
	{ "filesystem.shred", A, D, PROD_NONE, "shred",
	  "It overwrites the file so that it cannot be recovered, even from disk. Safer: plain rm inside the "
	  "project, or ask the human.", NULL, NULL, NULL, NULL, NULL, 0, NULL },
	{ "filesystem.dd-device", D, D, PROD_NONE, "dd of=/dev/... or a redirect onto a block device",
	  "Writing to a raw device destroys the file system on it. Safer: write to an image file and let a human "
	  "flash it.", NULL, NULL, NULL, NULL, NULL, 0, NULL },
	{ "filesystem.mkfs", D, D, PROD_NONE, "mkfs",
	  "It creates a new file system, erasing everything on the device. Safer: let a human do it.", NULL, NULL,
	  NULL, NULL, NULL, 0, NULL },
	{ "filesystem.wipefs", D, D, PROD_NONE, "wipefs -a",
	  "It erases the file-system signatures, making the data unreachable. Safer: `wipefs` without -a only "
	  "lists them.", NULL, NULL, NULL, NULL, NULL, 0, NULL },
	{ "filesystem.rsync-delete", A, D, PROD_NONE, "rsync --delete to another machine",
	  "--delete removes every file at the destination that the source does not have; a wrong source or path "
	  "empties the remote directory. Safer: run it with --dry-run (-n) first and show the list.",
	  NULL, NULL, NULL, NULL, NULL, 0, NULL },
	{ "filesystem.truncate-db", A, D, PROD_NONE, "truncating or overwriting a database file",
	  "It empties or replaces a database file (SQLite, PostgreSQL data) and every row in it. Safer: back it "
	  "up first (`sqlite3 X .backup X.bak`, `blastwall backup`).", NULL, NULL, NULL, NULL, NULL, 0, NULL },
	{ "filesystem.db-file", A, D, PROD_NONE, "rm of a database file",
	  "It deletes a database file (SQLite, PostgreSQL data) and every row in it. Safer: back it up first, or "
	  "move it aside instead of deleting it.", NULL, NULL, NULL, NULL, NULL, 0, NULL },

	/* ---- git ---- */
	{ "git.push-force", A, A, PROD_NONE, "git push --force / --force-with-lease / +refspec",
	  "It rewrites the remote branch: commits others pushed can vanish from it. Safer: `git pull --rebase` "
	  "and push normally, or let a human force-push.", "git", "push", NULL, NULL, NULL, PRED_PUSH_FORCE, NULL },
	{ "git.push-delete", A, A, PROD_NONE, "git push --delete / :branch / --mirror / --prune",
	  "It deletes the branch on the remote for everyone. Safer: let a human delete remote branches.",
	  "git", "push", NULL, NULL, NULL, PRED_PUSH_DELETE, NULL },
	{ "git.reset-hard", A, A, PROD_NONE, "git reset --hard",
	  "It throws away every uncommitted change in the working tree; git cannot bring them back. Safer: `git "
	  "stash` first, or `git reset --keep`.", "git", "reset", NULL, "--hard", NULL, 0, NULL },
	{ "git.clean", A, A, PROD_NONE, "git clean -f (-d, -x)",
	  "It deletes untracked files (and with -x ignored ones like .env); they are not in git, so they are "
	  "gone. Safer: `git clean -n` to list them first.", "git", "clean", NULL, "-f|--force", "-n|--dry-run|-i", 0, NULL },
	{ "git.checkout-tree", A, A, PROD_NONE, "git checkout . / git restore . / checkout -f (the whole tree)",
	  "It discards every uncommitted change in the tree. Safer: `git stash` (recoverable) or restore only "
	  "the files you mean.", "git", "checkout|restore|switch", NULL, NULL, NULL, PRED_RESTORE_TREE, NULL },
	{ "git.branch-force-delete", A, A, PROD_NONE, "git branch -D",
	  "It deletes the branch even if its commits are merged nowhere; they survive only in the reflog for a "
	  "while. Safer: `git branch -d` (refuses unmerged work).", "git", "branch", NULL, NULL, NULL,
	  PRED_BRANCH_FORCE_DELETE, NULL },
	{ "git.stash-drop", A, A, PROD_NONE, "git stash drop / clear",
	  "It deletes stashed work. Safer: `git stash list` and `git stash show -p` first, or `git stash branch`.",
	  "git", "stash", "drop|clear", NULL, NULL, 0, NULL },
	{ "git.reflog-expire", A, A, PROD_NONE, "git reflog expire / delete",
	  "The reflog is how lost commits are found again; expiring it makes a bad reset permanent. Safer: leave "
	  "it to git gc's defaults.", "git", "reflog", "expire|delete", NULL, NULL, 0, NULL },
	{ "git.filter-branch", A, A, PROD_NONE, "git filter-branch / filter-repo",
	  "It rewrites the whole history; every clone diverges and a mistake loses commits. Safer: work on a "
	  "fresh clone and let a human push the result.", "git", "filter-branch|filter-repo", NULL, NULL, NULL, 0, NULL },

	/* ---- containers ---- */
	{ "container.rm-force", A, A, PROD_NONE, "docker/podman rm -f",
	  "It kills running containers and deletes them (with -v, their anonymous volumes too). Safer: `docker "
	  "stop` first, and keep volumes.", "docker|podman|nerdctl", "rm|container", NULL, "-f|--force|-v|--volumes",
	  NULL, 0, NULL },
	{ "container.volume-rm", A, A, PROD_NONE, "docker/podman volume rm / prune",
	  "Volumes hold the containers' data (databases!); removing them deletes it. Safer: `docker volume ls` and "
	  "back up the volume first.", "docker|podman|nerdctl", "volume rm|remove|prune", NULL, NULL, NULL, 0, NULL },
	{ "container.system-prune-volumes", A, A, PROD_NONE, "docker system prune --volumes",
	  "It deletes every unused volume with the data in it. Safer: prune without --volumes.",
	  "docker|podman|nerdctl", "system prune", NULL, "--volumes", NULL, 0, NULL },
	{ "container.compose-down-volumes", A, A, PROD_NONE, "docker compose down -v",
	  "-v deletes the project's named volumes: the databases' data. Safer: `docker compose down` without -v.",
	  "docker|podman|nerdctl", "compose down", NULL, "-v|--volumes", NULL, 0, NULL },

	/* ---- inline code ---- */
	{ "inline.cloud-delete", A, D, PROD_AWS, "SDK calls that delete cloud resources in inline code (boto3 ...)",
	  "Inline code calls an API that deletes databases, buckets, tables or instances. Safer: use the CLI so "
	  "the call can be reviewed, and let a human run it.", NULL, NULL, NULL, NULL, NULL, 0, NULL },
};

#undef A
#undef D
#undef L

const struct guard_rule *guard_rules(size_t *n)
{
	*n = ARRAY_SIZE(rules);
	return rules;
}

const struct guard_rule *guard_rule_find(const char *id)
{
	for (size_t i = 0; i < ARRAY_SIZE(rules); i++)
		if (strcmp(rules[i].id, id) == 0)
			return &rules[i];
	return NULL;
}

/* Calls fn for each alternative in "a|b c" (separators '|' and ' '); stops when fn returns true. */
static bool each_alt(const char *alts, bool (*fn)(const char *alt, size_t n, const char *w), const char *w)
{
	const char *p = alts;
	while (*p) {
		size_t n = strcspn(p, "| ");
		if (n && fn(p, n, w))
			return true;
		p += n;
		while (*p == '|' || *p == ' ')
			p++;
	}
	return false;
}

static bool alt_exact(const char *alt, size_t n, const char *w)
{
	return strlen(w) == n && memcmp(alt, w, n) == 0;
}

static bool alt_glob(const char *alt, size_t n, const char *w)
{
	char pat[128];
	if (n >= sizeof(pat))
		return false;
	memcpy(pat, alt, n);
	pat[n] = '\0';
	return fnmatch(pat, w, 0) == 0;
}

/* "-f" also matches a cluster of short flags ("-rf", "-fdx"); "--force" matches "--force=..." */
static bool alt_flag(const char *alt, size_t n, const char *w)
{
	if (alt_exact(alt, n, w))
		return true;
	if (strncmp(w, alt, n) == 0 && w[n] == '=')
		return true;
	if (n == 2 && alt[0] == '-' && alt[1] != '-' && w[0] == '-' && w[1] != '-' && w[1]) {
		for (const char *s = w + 1; *s; s++)
			if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
				return false;
		return strchr(w + 1, alt[1]) != NULL;
	}
	return false;
}

bool guard_alt_match(const char *alts, const char *word)
{
	return alts && each_alt(alts, alt_exact, word);
}

static bool glob_alt(const char *alts, const char *word)
{
	return each_alt(alts, alt_glob, word);
}

bool gcmd_has_flag(const struct gcmd *c, size_t from, const char *alts)
{
	for (size_t i = from; i < c->argc; i++) {
		if (strcmp(c->argv[i], "--") == 0)
			break;
		if (c->argv[i][0] == '-' && each_alt(alts, alt_flag, c->argv[i]))
			return true;
	}
	return false;
}

const char *gcmd_opt_value(const struct gcmd *c, size_t from, const char *alts)
{
	for (size_t i = from; i < c->argc; i++) {
		const char *w = c->argv[i];
		if (strcmp(w, "--") == 0)
			break;
		if (w[0] != '-')
			continue;
		if (guard_alt_match(alts, w))
			return i + 1 < c->argc ? c->argv[i + 1] : NULL;
		const char *eqs = strchr(w, '=');
		if (eqs) {
			char name[64];
			size_t n = (size_t)(eqs - w);
			if (n < sizeof(name)) {
				memcpy(name, w, n);
				name[n] = '\0';
				if (guard_alt_match(alts, name))
					return eqs + 1;
			}
		}
		/* glued short option: -hHOST, -pPROFILE */
		if (w[1] != '-' && w[2]) {
			char name[3] = { '-', w[1], '\0' };
			if (guard_alt_match(alts, name))
				return w + 2;
		}
	}
	return NULL;
}

/* Per tool: options that take a separate value, and leading positional words to skip. */
static const struct {
	const char *tools;
	const char *vopts;
	const char *skip;
} tool_specs[] = {
	{ "aws", "--profile --region --output --endpoint-url --query --ca-bundle --cli-read-timeout "
		 "--cli-connect-timeout --color --cli-binary-format", NULL },
	{ "kubectl|oc", "-n --namespace --context --cluster --user -l --selector -f --filename -o --output "
			"--kubeconfig -c --container --field-selector --server -s --token --as --as-group "
			"--grace-period --timeout -k --kustomize --cascade --request-timeout", NULL },
	{ "helm", "-n --namespace --kube-context --kubeconfig --timeout --description --cascade", NULL },
	{ "gcloud|gsutil", "--project --account --configuration --zone --region --format --verbosity "
			   "--impersonate-service-account --filter -o", "alpha beta" },
	{ "bq", "--project_id --location --format", NULL },
	{ "az", "-g --resource-group -n --name --subscription --output -o --query --server -s --account-name "
		"--ids", NULL },
	{ "git", "-C -c --git-dir --work-tree --namespace -o --push-option --repo --receive-pack --exec "
		 "--super-prefix", NULL },
	{ "docker|podman|nerdctl", "-H --host --context -c --config --log-level -f --file -p --project-name "
				  "--profile --env-file --project-directory --filter -t --time --timeout", "container" },
	{ "terraform|tofu|terragrunt", "-var -var-file -target -state -state-out -backup -lock-timeout "
				       "-parallelism -replace -out -backend-config", "run-all run" },
	{ "pulumi", "-s --stack -C --cwd --config-file", NULL },
	{ "cdk", "--app -a --profile -c --context -o --output", NULL },
	{ "serverless|sls", "--stage -s --region -r --config -c --aws-profile", NULL },
	{ "heroku", "-a --app -r --remote", NULL },
	{ "fly|flyctl", "-a --app -c --config -r --region", NULL },
	{ "firebase", "-P --project --token", NULL },
	{ "supabase", "--workdir --profile --db-url -o --output", NULL },
	{ "prisma", "--schema", NULL },
	{ "alembic", "-c --config -n --name -x", NULL },
	{ "sequelize|sequelize-cli", "--env --config --url --options-path", NULL },
	{ "blastwall", "--color", NULL },
	{ "dropdb|mysqladmin", "-h --host -p --port -U --username -u --user --maintenance-db -S --socket", NULL },
};

#define MAXPOS 8

static size_t positionals(const struct gcmd *c, const char *tool, size_t *pos)
{
	const char *vopts = NULL, *skip = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(tool_specs); i++) {
		if (guard_alt_match(tool_specs[i].tools, tool)) {
			vopts = tool_specs[i].vopts;
			skip = tool_specs[i].skip;
			break;
		}
	}
	size_t n = 0;
	bool dashdash = false;
	for (size_t i = 1; i < c->argc && n < MAXPOS; i++) {
		const char *w = c->argv[i];
		if (!dashdash && strcmp(w, "--") == 0) {
			dashdash = true;
			continue;
		}
		if (!dashdash && w[0] == '-' && w[1]) {
			if (!strchr(w, '=') && vopts && guard_alt_match(vopts, w))
				i++;
			continue;
		}
		if (n == 0 && skip && guard_alt_match(skip, w))
			continue;
		pos[n++] = i;
	}
	return n;
}

static bool pred_holds(const struct gcmd *c, int pred, const size_t *pos, size_t npos)
{
	switch (pred) {
	case PRED_NONE:
		return true;
	case PRED_PUSH_FORCE:
		if (gcmd_has_flag(c, 1, "-f|--force|--force-with-lease|--force-if-includes"))
			return true;
		for (size_t k = 1; k < npos; k++)
			if (c->argv[pos[k]][0] == '+')
				return true;
		return false;
	case PRED_PUSH_DELETE:
		/* --mirror and --prune delete remote refs that are not local */
		if (gcmd_has_flag(c, 1, "-d|--delete|--mirror|--prune"))
			return true;
		for (size_t k = 2; k < npos; k++)
			if (c->argv[pos[k]][0] == ':' && c->argv[pos[k]][1])
				return true;
		return false;
	case PRED_BRANCH_FORCE_DELETE:
		for (size_t i = 1; i < c->argc; i++)
			if (strcmp(c->argv[i], "-D") == 0 ||
			    (c->argv[i][0] == '-' && c->argv[i][1] != '-' && strchr(c->argv[i], 'D')))
				return true;
		return gcmd_has_flag(c, 1, "-d|--delete") && gcmd_has_flag(c, 1, "-f|--force");
	case PRED_RESTORE_TREE: {
		/* "git restore --staged ." only unstages; the work tree is untouched */
		if (strcmp(c->argv[pos[0]], "restore") == 0 && gcmd_has_flag(c, 1, "--staged|-S") &&
		    !gcmd_has_flag(c, 1, "--worktree|-W"))
			return false;
		/* checkout -f / switch --discard-changes throw local changes away whatever the target */
		if (strcmp(c->argv[pos[0]], "restore") != 0 && gcmd_has_flag(c, 1, "-f|--force|--discard-changes"))
			return true;
		if (strcmp(c->argv[pos[0]], "switch") == 0)
			return false;
		for (size_t j = 1; j < npos; j++) {
			const char *w = c->argv[pos[j]];
			if (c->aflags[pos[j]] & WORD_DYNAMIC)
				continue;
			if (guard_alt_match(".|./|:/|:/.|*|:(top)|:(top).", w) || ((c->aflags[pos[j]] & WORD_GLOB) && strcmp(w, "*") == 0))
				return true;
		}
		return false;
	}
	case PRED_REPLACE:
		/* taint always; apply only with -replace=ADDR */
		return strcmp(c->argv[pos[0]], "taint") == 0 || gcmd_has_flag(c, 1, "-replace|--replace");
	case PRED_DROPDB:
		/* dropdb NAME; mysqladmin [opts] drop NAME */
		if (strcmp(path_basename(c->argv[0]), "dropdb") == 0)
			return npos > 0;
		return npos > 1 && strcmp(c->argv[pos[0]], "drop") == 0;
	default:
		BUG("unknown rule predicate %d", pred);
	}
}

static bool rule_matches(const struct gcmd *c, const struct guard_rule *r, const size_t *pos, size_t npos)
{
	size_t k = 0;
	if (r->path) {
		const char *p = r->path;
		while (*p) {
			size_t n = strcspn(p, " ");
			char word[256];
			if (n >= sizeof(word))
				return false;
			memcpy(word, p, n);
			word[n] = '\0';
			/* xargs kubectl delete: the rest of the path arrives at run time; assume the worst */
			if (k >= npos && k > 0 && c->more_args)
				return !r->any && !r->arg && r->pred == PRED_NONE;
			if (k >= npos || !glob_alt(word, c->argv[pos[k]]))
				return false;
			k++;
			p += n;
			while (*p == ' ')
				p++;
		}
	}
	if (r->arg) {
		bool found = false;
		for (size_t j = k; j < npos && !found; j++)
			found = guard_alt_match(r->arg, c->argv[pos[j]]) && !(c->aflags[pos[j]] & WORD_DYNAMIC);
		if (!found)
			return false;
	}
	if (r->any && !gcmd_has_flag(c, 1, r->any))
		return false;
	if (r->none && gcmd_has_flag(c, 1, r->none))
		return false;
	return pred_holds(c, r->pred, pos, npos);
}

/* terraform / tofu / terragrunt: the static rules, then the terraform module's evidence. */
static void terraform_rules(struct gctx *g, const struct gcmd *c, const char *tool, const size_t *pos, size_t npos)
{
	const struct guard_rule *hit = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(rules); i++) {
		const struct guard_rule *r = &rules[i];
		if (r->tools && guard_alt_match(r->tools, tool) && rule_matches(c, r, pos, npos)) {
			if (!hit || r->dev > hit->dev)
				hit = r;
		}
	}
	struct tf_invocation inv = { 0 };
	inv.tool = tool;
	inv.dir = c->cwd;
	size_t i = 1;
	for (; i < c->argc; i++) {
		const char *w = c->argv[i];
		if (strncmp(w, "-chdir=", 7) == 0 || strncmp(w, "--chdir=", 8) == 0)
			inv.dir = path_normalize(g->a, c->cwd, strchr(w, '=') + 1);
		else if (strcmp(w, "--terragrunt-working-dir") == 0 && i + 1 < c->argc)
			inv.dir = path_normalize(g->a, c->cwd, c->argv[++i]);
		else if (strncmp(w, "--terragrunt-working-dir=", 25) == 0)
			inv.dir = path_normalize(g->a, c->cwd, w + 25);
		else if (strcmp(w, "-version") != 0 && strcmp(w, "-help") != 0 && w[0] == '-')
			continue;
		else
			break;
	}
	inv.args = c->argv + i;
	inv.nargs = c->argc - i;
	inv.subcommand = npos ? c->argv[pos[0]] : NULL;
	inv.env = c->env;
	inv.nenv = c->nenv;
	struct tf_assessment as;
	tf_guard_assess(g->a, &inv, g->cfg, &as);
	if (as.decided) {
		/* the module's generic "terraform.destroy" keeps the more precise static id (apply -destroy) */
		const char *id = as.rule ? as.rule : hit ? hit->id : "terraform.assessment";
		if (hit && strcmp(id, "terraform.destroy") == 0)
			id = hit->id;
		const char *msg = as.message ? as.message : (hit ? hit->message : "terraform's state says this is risky.");
		/* the module gives the evidence; the static rule adds the safer way when the evidence has none */
		const char *safer = hit ? strstr(hit->message, "Safer:") : NULL;
		if (as.message && safer && as.decision != DECISION_ALLOW && !strstr(as.message, " plan"))
			msg = arena_printf(g->a, "%s %s", as.message, safer);
		guard_hit_raw(g, c, id, as.decision, msg, as.production);
		return;
	}
	if (hit)
		guard_hit(g, c, hit->id, NULL);
}

void guard_rules_run(struct gctx *g, const struct gcmd *c)
{
	const char *tool = path_basename(c->argv[0]);
	if (strcmp(tool, "docker-compose") == 0 || strcmp(tool, "podman-compose") == 0) {
		/* the same as "docker compose ..." */
		struct gcmd *n = gcmd_shift(g, c, 0, NULL);
		n->depth = c->depth;
		n->argc = c->argc + 1;
		n->argv = arena_new_array(g->a, const char *, n->argc);
		n->aflags = arena_new_array(g->a, unsigned, n->argc);
		n->argv[0] = tool[0] == 'd' ? "docker" : "podman";
		n->argv[1] = "compose";
		for (size_t i = 1; i < c->argc; i++) {
			n->argv[i + 1] = c->argv[i];
			n->aflags[i + 1] = c->aflags[i];
		}
		c = n;
		tool = n->argv[0];
	}
	guard_fs_rules(g, c, tool);
	if (guard_db_client(g, c, tool))
		return;
	size_t pos[MAXPOS];
	size_t npos = 0;
	bool have_pos = false;
	if (strcmp(tool, "terraform") == 0 || strcmp(tool, "tofu") == 0 || strcmp(tool, "terragrunt") == 0) {
		npos = positionals(c, tool, pos);
		terraform_rules(g, c, tool, pos, npos);
		return;
	}
	/* "aws rds delete-db-instance help" only prints the manual */
	if ((strcmp(tool, "aws") == 0 || strcmp(tool, "gcloud") == 0 || strcmp(tool, "az") == 0) && c->argc > 1 &&
	    strcmp(c->argv[c->argc - 1], "help") == 0)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(rules); i++) {
		const struct guard_rule *r = &rules[i];
		if (!r->tools || !guard_alt_match(r->tools, tool))
			continue;
		if (!have_pos) {
			npos = positionals(c, tool, pos);
			have_pos = true;
		}
		if (rule_matches(c, r, pos, npos))
			guard_hit(g, c, r->id, NULL);
	}
}
