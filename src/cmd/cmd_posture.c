/*
 * cmd_posture.c: "blastwall posture [DIR|STATE|PLAN]": the data-bearing
 * resources a single destroy would lose for good, each with the attribute to
 * change. Reads a local state (of a directory's current workspace), a state
 * file, `show -json` output, or a plan (its prior state for a binary plan,
 * the `before` values of a JSON plan). One arena for the run.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "common/arena.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/fs.h"
#include "common/term.h"
#include "guard/config.h"
#include "terraform/backend.h"
#include "terraform/blast.h"
#include "terraform/tfplan.h"
#include "terraform/tfread.h"
#include "terraform/tfstate.h"

#define EXIT_UNREADABLE 3

static int usage(FILE *f)
{
	fprintf(f, "usage: blastwall posture [--json] [DIR|STATE|PLAN]\n\n"
		   "Lists the data-bearing resources that a single destroy would lose for good (no deletion\n"
		   "protection, backups deleted with the resource, no final snapshot, force_destroy, a short\n"
		   "KMS window, ...) with the exact attribute to change. Without an argument, the current\n"
		   "directory's state (of its backend and selected workspace; remote states are pulled) is read.\n"
		   "A plan is judged as it would leave the resources (its planned values).\n\n"
		   "  --json          machine-readable output (doc/json/plan.md, \"posture\")\n\n"
		   "Exit status: 0 nothing would be lost for good, 1 something would, 2 usage,\n"
		   "3 no readable state (none, remote and not pullable, encrypted, damaged).\n");
	return f == stdout ? EXIT_OK : EXIT_USAGE;
}

/*
 * The state of dir's selected workspace, found as Terraform finds it
 * (backend.h): a local file's path in *path, or, for a remote backend, the
 * pulled state in *data (terraform state pull, within the usual budget).
 */
static int dir_state(struct arena *a, const char *dir, const char **path, struct str *data, struct err *e)
{
	struct tf_backend be;
	if (tf_backend_detect(a, dir, NULL, &be, e) < 0)
		return -1;
	if (be.remote) {
		struct buf b;
		buf_init(&b, (size_t)2 << 30);
		if (tf_backend_pull(a, &be, "terraform", tf_backend_pull_budget_ms(), &b, e) < 0) {
			buf_release(&b);
			err_wrap(e, "the state of '%s' is remote (backend %s) and could not be pulled", dir, be.type);
			return err_hint(e, "run 'terraform state pull > state.json' there and then "
					   "'blastwall posture state.json'");
		}
		*data = str_make(arena_strndup(a, b.p ? b.p : "", b.n), b.n);
		*path = arena_printf(a, "%s (%s state, workspace %s)", dir, be.type, be.workspace);
		buf_release(&b);
		return 0;
	}
	if (!be.state_path || !fs_exists(be.state_path)) {
		err_set(e, "no Terraform state in '%s' (looked for %s, workspace %s)", dir,
			be.state_path ? be.state_path : "terraform.tfstate", be.workspace);
		return err_hint(e, "give a state file, a plan, or a directory where 'terraform apply' has run");
	}
	*path = be.state_path;
	return 0;
}

int cmd_posture(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	bool json = false;
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			return usage(stdout);
		default:
			return usage(stderr);
		}
	}
	if (argc - optind > 1)
		return cmd_usage_error("posture", "only one directory, state or plan, please");

	struct arena *a = arena_new();
	struct err e;
	struct bw_config cfg;
	struct tf_policy pol;
	struct tf_plan_opts po;
	struct tf_state st;
	struct tf_blast b;
	struct buf out;
	char cwd[4096];
	const char *what = optind < argc ? argv[optind] : ".";
	const char *src = what, *kind = "state", *note = NULL;
	const struct tf_resource *res = NULL;
	size_t nres = 0;
	int rc = EXIT_UNREADABLE;

	err_init(&e);
	memset(&po, 0, sizeof(po));
	memset(&cfg, 0, sizeof(cfg));
	if (config_load(a, getcwd(cwd, sizeof(cwd)) ? cwd : ".", &cfg, &e) < 0)
		err_init(&e);
	tf_policy_from_config(&pol, &cfg);
	tf_policy_read_opts(&pol, &po.read);
	po.no_exec = true; /* the prior state is in the file; before values suffice */

	struct str data = STR_NULL;
	if (fs_is_dir(what) && dir_state(a, what, &src, &data, &e) < 0)
		goto fail;
	if (!data.p && tf_map_file(a, src, (size_t)2 << 30, &data, &e) < 0)
		goto fail;
	if (tfplan_is_zip(data.p, data.n)) {
		struct tf_plan p;
		if (tfplan_parse_zip(a, data.p, data.n, src, &po, &p, &e) < 0)
			goto fail;
		kind = "plan's prior state";
		res = p.prior.res;
		nres = p.prior.nres;
		note = p.prior.note;
	} else if (tfstate_parse(a, data.p, data.n, src, &po.read, &st, &e) == 0) {
		if (st.form == TF_STATE_ENCRYPTED) {
			err_set(&e, "'%s' is an encrypted OpenTofu state (lineage %s, serial %llu): its resources are not "
				    "readable", src, st.lineage ? st.lineage : "?", st.serial);
			err_hint(&e, "decrypt it with 'tofu state pull > state.json' and give that file");
			goto fail;
		}
		res = st.res;
		nres = st.nres;
		note = st.note;
	} else if (strstr(e.msg, "is a plan")) {
		struct tf_plan p;
		err_init(&e);
		if (tfplan_parse_json(a, data.p, data.n, src, &po, &p, &e) < 0)
			goto fail;
		/*
		 * The resources as they will be once the plan is applied: planned
		 * (after) values, or the current ones where the plan leaves them
		 * alone; what the plan deletes or forgets is gone.
		 */
		struct tf_resource *v = arena_new_array(a, struct tf_resource, p.nchanges ? p.nchanges : 1);
		for (size_t i = 0; i < p.nchanges; i++) {
			const struct tf_change *ch = &p.changes[i];
			if (ch->r.mode != TF_MODE_MANAGED || ch->action == TF_ACT_DELETE || ch->action == TF_ACT_FORGET)
				continue;
			v[nres] = ch->r;
			if (ch->has_after) {
				v[nres].attrs = ch->after;
				v[nres].attrs_kept = tf_read_wants_attrs(&po.read, ch->r.type);
			}
			nres++;
		}
		res = v;
		kind = "plan's planned resources";
	} else {
		goto fail;
	}

	blast_posture(a, res, nres, &pol, &b);
	buf_init(&out, 0);
	if (json) {
		buf_addz(&out, "{\"schema\":\"blastwall.posture/1\",\"source\":");
		buf_json_str(&out, src, strlen(src));
		buf_printf(&out, ",\"kind\":\"%s\",\"resources\":%zu,\"at_risk\":%zu,\"findings\":",
			   kind, b.counts[TF_ACT_NOOP], b.nf);
		blast_render_json(&out, &b);
		buf_addz(&out, "}\n");
	} else {
		buf_printf(&out, "%sPosture%s of %s (%s): %zu managed resource%s\n", term_bold(stdout),
			   term_reset(stdout), src, kind, b.counts[TF_ACT_NOOP], b.counts[TF_ACT_NOOP] == 1 ? "" : "s");
		if (note)
			buf_printf(&out, "  note: %s\n", note);
		if (b.nf) {
			buf_printf(&out, "%s\n", blast_summary(a, &b, 0));
			blast_render_text(&out, &b, stdout);
		} else {
			buf_addz(&out, "Nothing data-bearing would be lost for good by a destroy.\n");
		}
	}
	fwrite(out.p ? out.p : "", 1, out.n, stdout);
	buf_release(&out);
	rc = b.nf ? EXIT_FAIL : EXIT_OK;
	if (fflush(stdout) != 0)
		rc = EXIT_FAIL;
	arena_free(a);
	return rc;
fail:
	err_print(&e);
	arena_free(a);
	return rc;
}
