/*
 * cmd_plan.c: "blastwall plan PLAN": what a Terraform plan deletes and
 * replaces, ranked by what would be lost, as text, Markdown (a pull-request
 * comment) or JSON (doc/json/plan.md), with an exit code CI can gate on
 * (--fail-on). One arena for the whole run.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "common/arena.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/term.h"
#include "guard/config.h"
#include "terraform/blast.h"
#include "terraform/tfplan.h"

/* Exit code when the plan cannot be read (documented in blastwall(1)). */
#define EXIT_UNREADABLE 3

enum { FAIL_DATA = 1, FAIL_DELETE = 2, FAIL_REPLACE = 4, FAIL_CHANGE = 8, FAIL_ERRORED = 16 };

static int usage(FILE *f)
{
	fprintf(f, "usage: blastwall plan [--json | --format text|markdown|json] [--fail-on WHAT]\n"
		   "                      [--terraform PATH] [--no-exec] [--timeout SECONDS] PLAN\n\n"
		   "Shows what a Terraform plan deletes and replaces, ranked by what would be lost.\n"
		   "PLAN is a binary plan file (terraform plan -out=FILE) or its JSON (terraform show -json FILE);\n"
		   "\"-\" reads the JSON from standard input.\n\n"
		   "  --format F      text (default; colour on a terminal), markdown (a pull-request comment)\n"
		   "                  or json (doc/json/plan.md)\n"
		   "  --json          the same as --format json\n"
		   "  --fail-on WHAT  exit 1 when the plan has: data-loss (default: a deleted or replaced\n"
		   "                  resource whose data would be lost), delete (any delete or replace),\n"
		   "                  replace (any replace), change (any change), errored (Terraform marked\n"
		   "                  the plan errored), none (never); a comma-separated list combines them\n"
		   "  --terraform P   the terraform or tofu binary that reads a binary plan (default: found\n"
		   "                  on PATH, tofu for plans made by OpenTofu)\n"
		   "  --no-exec       never run terraform: decode a binary plan's actions from the file\n"
		   "  --timeout S     time budget for 'terraform show -json' (default 20)\n\n"
		   "Exit status: 0 nothing crosses --fail-on, 1 it does, 2 usage, 3 the plan cannot be read\n"
		   "(or, for a binary plan, its changes cannot be obtained).\n");
	return f == stdout ? EXIT_OK : EXIT_USAGE;
}

static int parse_fail_on(const char *s, unsigned *out)
{
	*out = 0;
	while (*s) {
		const char *c = strchr(s, ',');
		size_t n = c ? (size_t)(c - s) : strlen(s);
		struct str w = str_make(s, n);
		if (str_eqz(w, "data-loss"))
			*out |= FAIL_DATA;
		else if (str_eqz(w, "delete"))
			*out |= FAIL_DELETE;
		else if (str_eqz(w, "replace"))
			*out |= FAIL_REPLACE;
		else if (str_eqz(w, "change"))
			*out |= FAIL_CHANGE;
		else if (str_eqz(w, "errored"))
			*out |= FAIL_ERRORED;
		else if (!str_eqz(w, "none"))
			return -1;
		s += n + (c ? 1 : 0);
	}
	return 0;
}

static void jstr(struct buf *b, const char *s)
{
	if (!s)
		buf_addz(b, "null");
	else
		buf_json_str(b, s, strlen(s));
}

static const char *src_name(enum tf_changes_src s)
{
	switch (s) {
	case TF_CHANGES_JSON: return "json";
	case TF_CHANGES_SHOW: return "show";
	case TF_CHANGES_PROTOBUF: return "protobuf";
	default: return "none";
	}
}

/* Which --fail-on conditions the plan meets, as words, into why[]; returns how many. */
static size_t gate(const struct tf_plan *p, const struct tf_blast *b, unsigned fail_on, const char **why)
{
	size_t n = 0, nrep = p->counts[TF_ACT_REPLACE_DC] + p->counts[TF_ACT_REPLACE_CD];
	size_t nchange = 0;
	for (int i = 0; i < TF_ACT_COUNT; i++)
		if (i != TF_ACT_NOOP)
			nchange += p->counts[i];
	if ((fail_on & FAIL_DATA) && b->nlost)
		why[n++] = "data-loss";
	if ((fail_on & FAIL_DELETE) && b->ndeleted)
		why[n++] = "delete";
	if ((fail_on & FAIL_REPLACE) && nrep)
		why[n++] = "replace";
	if ((fail_on & FAIL_CHANGE) && nchange)
		why[n++] = "change";
	if ((fail_on & FAIL_ERRORED) && p->errored)
		why[n++] = "errored";
	return n;
}

static void counts_line(struct buf *o, const struct tf_plan *p)
{
	size_t nrep = p->counts[TF_ACT_REPLACE_DC] + p->counts[TF_ACT_REPLACE_CD];
	buf_printf(o, "%zu to create, %zu to update, %zu to delete, %zu to replace", p->counts[TF_ACT_CREATE],
		   p->counts[TF_ACT_UPDATE], p->counts[TF_ACT_DELETE], nrep);
	if (p->counts[TF_ACT_REPLACE_CD])
		buf_printf(o, " (%zu create-before-destroy)", p->counts[TF_ACT_REPLACE_CD]);
	if (p->counts[TF_ACT_FORGET])
		buf_printf(o, ", %zu to forget", p->counts[TF_ACT_FORGET]);
	if (p->counts[TF_ACT_UNKNOWN])
		buf_printf(o, ", %zu with unknown actions", p->counts[TF_ACT_UNKNOWN]);
	buf_printf(o, ", %zu unchanged", p->counts[TF_ACT_NOOP]);
	if (p->nimports)
		buf_printf(o, ", %zu to import", p->nimports);
	if (p->ndata_reads)
		buf_printf(o, "; %zu data source%s read", p->ndata_reads, p->ndata_reads == 1 ? "" : "s");
}

static void render_text(struct arena *a, struct buf *o, const struct tf_plan *p, const struct tf_blast *b,
			const char *const *why, size_t nwhy)
{
	FILE *f = stdout;
	buf_printf(o, "%sPlan%s %s", term_bold(f), term_reset(f), p->path);
	if (p->terraform_version)
		buf_printf(o, " (Terraform %s)", p->terraform_version);
	buf_addc(o, '\n');
	if (p->changes_src == TF_CHANGES_NONE) {
		buf_printf(o, "  changes: unknown (%s)\n", p->changes_note ? p->changes_note : "no reader");
	} else {
		buf_addz(o, "  ");
		counts_line(o, p);
		buf_addc(o, '\n');
		if (p->changes_note)
			buf_printf(o, "  note: %s\n", p->changes_note);
	}
	if (p->destroy_mode)
		buf_addz(o, "  destroy plan: every managed resource in it is deleted\n");
	if (p->errored)
		buf_printf(o, "  %serrored%s: Terraform reported errors while planning (e.g. prevent_destroy) and "
			      "will not apply this plan\n", term_yellow(f), term_reset(f));
	if (p->has_prior_serial || p->prior_lineage)
		buf_printf(o, "  prior state: lineage %s, serial %llu, %zu resource%s\n",
			   p->prior_lineage && *p->prior_lineage ? p->prior_lineage : "(none)", p->prior_serial,
			   p->prior_nmanaged,
			   p->prior_nmanaged == 1 ? "" : "s");
	else if (p->has_prior)
		buf_printf(o, "  prior state: %zu resource%s\n", p->prior_nmanaged, p->prior_nmanaged == 1 ? "" : "s");
	else if (p->changes_src != TF_CHANGES_NONE)
		buf_addz(o, "  prior state: empty\n");
	if (tfplan_creates_from_empty(p))
		buf_printf(o, "  %swarning%s: the prior state is empty and all %zu resources are created: if they "
			      "already exist, the state is missing and applying this plan duplicates them\n",
			   term_yellow(f), term_reset(f), p->counts[TF_ACT_CREATE]);
	if (p->ndrift || p->noutput_changes)
		buf_printf(o, "  drift: %zu resource%s changed outside Terraform; %zu output%s change%s\n", p->ndrift,
			   p->ndrift == 1 ? "" : "s", p->noutput_changes, p->noutput_changes == 1 ? "" : "s",
			   p->noutput_changes == 1 ? "s" : "");
	if (b->nf) {
		buf_printf(o, "\n%s%s%s\n", term_bold(f), blast_summary(a, b, 3), term_reset(f));
		blast_render_text(o, b, f);
	} else if (p->changes_src != TF_CHANGES_NONE) {
		buf_addz(o, "\nNothing is deleted or replaced.\n");
	}
	if (nwhy) {
		buf_printf(o, "\n%sfails --fail-on%s:", term_red(f), term_reset(f));
		for (size_t i = 0; i < nwhy; i++)
			buf_printf(o, " %s", why[i]);
		buf_addc(o, '\n');
	}
}

static void render_markdown(struct arena *a, struct buf *o, const struct tf_plan *p, const struct tf_blast *b,
			    const char *const *why, size_t nwhy)
{
	size_t nrep = p->counts[TF_ACT_REPLACE_DC] + p->counts[TF_ACT_REPLACE_CD];
	buf_printf(o, "### blastwall: %s\n\n", nwhy ? (b->nlost ? "this plan loses data" : "this plan needs review")
						   : "no blocking change");
	if (p->changes_src == TF_CHANGES_NONE) {
		buf_printf(o, "Changes unknown: %s\n\n", p->changes_note ? p->changes_note : "no reader");
	} else {
		buf_printf(o, "| create | update | delete | replace | forget | no-op |\n|---|---|---|---|---|---|\n"
			      "| %zu | %zu | %zu | %zu | %zu | %zu |\n\n",
			   p->counts[TF_ACT_CREATE], p->counts[TF_ACT_UPDATE], p->counts[TF_ACT_DELETE], nrep,
			   p->counts[TF_ACT_FORGET], p->counts[TF_ACT_NOOP]);
	}
	if (tfplan_creates_from_empty(p))
		buf_addz(o, "> **Empty prior state**: everything is created. If these resources already exist, the "
			    "state is missing.\n\n");
	if (p->errored)
		buf_addz(o, "> **Errored plan**: Terraform reported errors while planning and will not apply it.\n\n");
	if (p->destroy_mode)
		buf_addz(o, "> **Destroy plan**: every managed resource in it is deleted.\n\n");
	if (b->nf) {
		buf_printf(o, "**%s**\n\n", blast_summary(a, b, 3));
		blast_render_markdown(o, b, 50);
	}
	if (nwhy) {
		buf_addz(o, "\nFails `--fail-on`:");
		for (size_t i = 0; i < nwhy; i++)
			buf_printf(o, " `%s`", why[i]);
		buf_addc(o, '\n');
	}
}

static void render_json(struct arena *a, struct buf *o, const struct tf_plan *p, const struct tf_blast *b,
			unsigned fail_on, const char *const *why, size_t nwhy)
{
	static const struct { unsigned bit; const char *name; } fo[] = {
		{ FAIL_DATA, "data-loss" }, { FAIL_DELETE, "delete" }, { FAIL_REPLACE, "replace" },
		{ FAIL_CHANGE, "change" }, { FAIL_ERRORED, "errored" },
	};
	buf_addz(o, "{\"schema\":\"blastwall.plan/1\",\"plan\":{\"path\":");
	jstr(o, p->path);
	buf_printf(o, ",\"form\":\"%s\",\"format_version\":", p->form == TF_PLAN_JSON ? "json" : "binary");
	jstr(o, p->format_version);
	buf_addz(o, ",\"terraform_version\":");
	jstr(o, p->terraform_version);
	buf_printf(o, ",\"errored\":%s,\"destroy_mode\":%s,\"changes_source\":\"%s\",\"changes_note\":",
		   p->errored ? "true" : "false", p->destroy_mode ? "true" : "false", src_name(p->changes_src));
	jstr(o, p->changes_note);
	buf_addz(o, ",\"tool\":");
	jstr(o, p->tool);
	buf_addz(o, "},\"prior_state\":");
	if (p->has_prior) {
		buf_addz(o, "{\"lineage\":");
		jstr(o, p->prior_lineage);
		if (p->has_prior_serial)
			buf_printf(o, ",\"serial\":%llu", p->prior_serial);
		else
			buf_addz(o, ",\"serial\":null");
		buf_addz(o, ",\"terraform_version\":");
		jstr(o, p->prior_terraform_version);
		buf_printf(o, ",\"resources\":%zu}", p->prior_nmanaged);
	} else {
		buf_addz(o, "null");
	}
	buf_addz(o, ",\"counts\":");
	if (p->changes_src == TF_CHANGES_NONE) {
		buf_addz(o, "null");
	} else {
		buf_printf(o, "{\"create\":%zu,\"update\":%zu,\"delete\":%zu,\"replace\":%zu,\"delete-create\":%zu,"
			      "\"create-delete\":%zu,\"forget\":%zu,\"no-op\":%zu,\"unknown\":%zu,\"read\":%zu,\"import\":%zu}",
			   p->counts[TF_ACT_CREATE], p->counts[TF_ACT_UPDATE], p->counts[TF_ACT_DELETE],
			   p->counts[TF_ACT_REPLACE_DC] + p->counts[TF_ACT_REPLACE_CD], p->counts[TF_ACT_REPLACE_DC],
			   p->counts[TF_ACT_REPLACE_CD], p->counts[TF_ACT_FORGET], p->counts[TF_ACT_NOOP],
			   p->counts[TF_ACT_UNKNOWN], p->ndata_reads, p->nimports);
	}
	buf_printf(o, ",\"missing_state_smell\":%s", tfplan_creates_from_empty(p) ? "true" : "false");
	buf_printf(o, ",\"drift\":%zu,\"output_changes\":%zu,\"blast\":{\"deleted\":%zu,\"holding_data\":%zu,"
		      "\"lost\":%zu,\"worst\":\"%s\",\"summary\":",
		   p->ndrift, p->noutput_changes, b->ndeleted, b->nholding_data, b->nlost, tf_severity_name(b->worst));
	jstr(o, b->nf ? blast_summary(a, b, 4) : NULL);
	buf_addz(o, "},\"findings\":");
	blast_render_json(o, b);
	buf_addz(o, ",\"gate\":{\"fail_on\":[");
	size_t k = 0;
	for (size_t i = 0; i < ARRAY_SIZE(fo); i++)
		if (fail_on & fo[i].bit)
			buf_printf(o, "%s\"%s\"", k++ ? "," : "", fo[i].name);
	buf_printf(o, "],\"failed\":%s,\"because\":[", nwhy ? "true" : "false");
	for (size_t i = 0; i < nwhy; i++)
		buf_printf(o, "%s\"%s\"", i ? "," : "", why[i]);
	buf_addz(o, "]}}\n");
}

int cmd_plan(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "format", required_argument, NULL, 'f' },
		{ "fail-on", required_argument, NULL, 'F' },
		{ "terraform", required_argument, NULL, 't' },
		{ "no-exec", no_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	const char *format = "text";
	unsigned fail_on = FAIL_DATA;
	struct tf_plan_opts po;
	int c, rc;

	memset(&po, 0, sizeof(po));
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			format = "json";
			break;
		case 'f':
			if (strcmp(optarg, "text") && strcmp(optarg, "markdown") && strcmp(optarg, "json"))
				return cmd_usage_error("plan", "--format takes text, markdown or json, not '%s'", optarg);
			format = optarg;
			break;
		case 'F':
			if (parse_fail_on(optarg, &fail_on) < 0)
				return cmd_usage_error("plan", "--fail-on takes data-loss, delete, replace, change, "
							       "errored or none (comma-separated), not '%s'", optarg);
			break;
		case 't':
			po.terraform = optarg;
			break;
		case 'n':
			po.no_exec = true;
			break;
		case 'T': {
			unsigned long long s;
			if (!str_to_u64(str_from(optarg), &s) || s == 0 || s > 3600)
				return cmd_usage_error("plan", "--timeout takes seconds from 1 to 3600, not '%s'", optarg);
			po.timeout_ms = (int)s * 1000;
			break;
		}
		case 'h':
			return usage(stdout);
		default:
			return usage(stderr);
		}
	}
	if (optind + 1 != argc)
		return cmd_usage_error("plan", optind >= argc ? "a plan file is required" : "only one plan file, please");

	struct arena *a = arena_new();
	struct err e;
	struct bw_config cfg;
	struct tf_policy pol;
	struct tf_plan plan;
	struct tf_blast b;
	struct buf out;
	char cwd[4096];
	const char *why[8];
	size_t nwhy;

	err_init(&e);
	memset(&cfg, 0, sizeof(cfg));
	if (config_load(a, getcwd(cwd, sizeof(cwd)) ? cwd : ".", &cfg, &e) < 0) {
		err_print(&e);
		err_init(&e);
	} else if (cfg.broken) {
		bw_warn("ignoring a broken configuration: %s", cfg.broken_msg ? cfg.broken_msg : "?");
	}
	tf_policy_from_config(&pol, &cfg);
	tf_policy_read_opts(&pol, &po.read);
	if (tfplan_load(a, argv[optind], &po, &plan, &e) < 0) {
		err_print(&e);
		arena_free(a);
		return EXIT_UNREADABLE;
	}
	blast_from_plan(a, &plan, &pol, &b);
	nwhy = gate(&plan, &b, fail_on, why);
	buf_init(&out, 0);
	if (!strcmp(format, "json"))
		render_json(a, &out, &plan, &b, fail_on, why, nwhy);
	else if (!strcmp(format, "markdown"))
		render_markdown(a, &out, &plan, &b, why, nwhy);
	else
		render_text(a, &out, &plan, &b, why, nwhy);
	fwrite(out.p ? out.p : "", 1, out.n, stdout);
	buf_release(&out);
	if (plan.changes_src == TF_CHANGES_NONE && fail_on) {
		bw_error("cannot judge '%s': its changes are unknown (%s)", plan.path,
			 plan.changes_note ? plan.changes_note : "no reader");
		rc = EXIT_UNREADABLE;
	} else {
		rc = nwhy ? EXIT_FAIL : EXIT_OK;
	}
	if (fflush(stdout) != 0)
		rc = EXIT_FAIL;
	arena_free(a);
	return rc;
}
