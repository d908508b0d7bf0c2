/*
 * blast.c: turns a plan or a state into a ranked blast-radius report. Every
 * deleted or replaced managed resource becomes one finding judged by
 * datatypes.c (or by the configuration's protect / data-type lists);
 * findings are sorted worst first so the message and the exit code can look
 * at the head. Findings point into the plan or state they came from.
 */
#include "terraform/blast.h"

#include <stdlib.h>
#include <string.h>

#include "common/term.h"
#include "terraform/datatypes.h"

const char *tf_severity_name(enum tf_severity s)
{
	static const char *const n[] = { "none", "outage", "protected", "recoverable", "cascade", "data-loss" };
	return (unsigned)s < ARRAY_SIZE(n) ? n[s] : "none";
}

void tf_policy_from_config(struct tf_policy *p, const struct bw_config *cfg)
{
	memset(p, 0, sizeof(*p));
	if (!cfg)
		return;
	p->protect = cfg->tf_protect;
	p->nprotect = cfg->ntf_protect;
	p->data_types = cfg->tf_data_types;
	p->ndata_types = cfg->ntf_data_types;
}

void tf_policy_read_opts(const struct tf_policy *p, struct tf_read_opts *o)
{
	memset(o, 0, sizeof(*o));
	if (!p)
		return;
	o->extra_types = p->data_types;
	o->nextra_types = p->ndata_types;
}

static bool any_glob(const char *const *g, size_t n, const char *s)
{
	if (!s)
		return false;
	for (size_t i = 0; i < n; i++)
		if (str_glob(g[i], str_from(s)))
			return true;
	return false;
}

/* The address without its last instance key: "a.b[0]" -> "a.b". */
static const char *config_address(struct arena *a, const char *addr)
{
	size_t n = strlen(addr);
	if (n && addr[n - 1] == ']') {
		const char *lb = strrchr(addr, '[');
		if (lb)
			return arena_strndup(a, addr, (size_t)(lb - addr));
	}
	return addr;
}

void blast_judge(struct arena *a, const struct tf_resource *r, const struct tf_policy *pol, struct tf_finding *out)
{
	const struct tf_datatype *dt = tf_datatype_find(r->type);
	struct tf_verdict v;
	memset(out, 0, sizeof(*out));
	memset(&v, 0, sizeof(v));
	out->r = r;
	out->action = TF_ACT_DELETE;
	if (dt) {
		tf_datatype_judge(a, dt, r, &v);
		out->what = dt->what;
		out->holds_data = dt->cls == TF_CLASS_DATA;
	}
	if (pol && !dt && any_glob(pol->data_types, pol->ndata_types, r->type)) {
		out->holds_data = true;
		v.sev = TF_SEV_DATA;
		v.nreasons = v.nfixes = 0;
		v.reasons[v.nreasons++] = "listed as a data-bearing type in the blastwall configuration";
		v.fixes[v.nfixes++] = "add lifecycle { prevent_destroy = true } and take a backup first";
	}
	if (pol && (any_glob(pol->protect, pol->nprotect, r->address) ||
		    any_glob(pol->protect, pol->nprotect, config_address(a, r->address)) ||
		    any_glob(pol->protect, pol->nprotect, r->type))) {
		out->configured = true;
		if (v.sev < TF_SEV_DATA)
			v.sev = TF_SEV_DATA;
		if (v.nreasons < ARRAY_SIZE(v.reasons))
			v.reasons[v.nreasons++] = "protected by the blastwall configuration (terraform protect)";
	}
	out->sev = (enum tf_severity)v.sev;
	out->nreasons = v.nreasons;
	out->nfixes = v.nfixes;
	if (v.nreasons) {
		out->reasons = arena_new_array(a, const char *, v.nreasons);
		memcpy(out->reasons, v.reasons, v.nreasons * sizeof(*v.reasons));
	}
	if (v.nfixes) {
		out->fixes = arena_new_array(a, const char *, v.nfixes);
		memcpy(out->fixes, v.fixes, v.nfixes * sizeof(*v.fixes));
	}
}

static int cmp_finding(const void *x, const void *y)
{
	const struct tf_finding *a = x, *b = y;
	if (a->sev != b->sev)
		return a->sev > b->sev ? -1 : 1;
	if (a->holds_data != b->holds_data)
		return a->holds_data ? -1 : 1;
	return strcmp(a->r->address, b->r->address);
}

static void finish(struct tf_blast *b)
{
	if (b->nf > 1)
		qsort(b->f, b->nf, sizeof(*b->f), cmp_finding);
	b->worst = TF_SEV_NONE;
	b->nholding_data = b->nlost = 0;
	for (size_t i = 0; i < b->nf; i++) {
		const struct tf_finding *f = &b->f[i];
		if (f->sev > b->worst)
			b->worst = f->sev;
		if (f->holds_data || f->configured)
			b->nholding_data++;
		if (f->sev == TF_SEV_DATA || f->sev == TF_SEV_CASCADE)
			b->nlost++;
	}
}

void blast_from_plan(struct arena *a, const struct tf_plan *plan, const struct tf_policy *pol, struct tf_blast *out)
{
	memset(out, 0, sizeof(*out));
	out->kind = TF_BLAST_PLAN;
	memcpy(out->counts, plan->counts, sizeof(out->counts));
	size_t n = 0;
	for (size_t i = 0; i < plan->nchanges; i++)
		if (plan->changes[i].r.mode == TF_MODE_MANAGED && tf_action_deletes(plan->changes[i].action))
			n++;
	out->f = n ? arena_new_array(a, struct tf_finding, n) : NULL;
	for (size_t i = 0; i < plan->nchanges; i++) {
		const struct tf_change *c = &plan->changes[i];
		if (c->r.mode != TF_MODE_MANAGED || !tf_action_deletes(c->action))
			continue;
		struct tf_finding *f = &out->f[out->nf++];
		blast_judge(a, &c->r, pol, f);
		f->action = c->action;
		f->action_reason = c->action_reason;
	}
	out->ndeleted = out->nf;
	finish(out);
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static bool target_matches(const char *t, const struct tf_resource *r, const char *cfgaddr)
{
	size_t tn = strlen(t);
	if (strcmp(t, r->address) == 0 || strcmp(t, cfgaddr) == 0)
		return true;
	/* a module address selects everything inside it */
	if (strncmp(t, "module.", 7) == 0 && strncmp(r->address, t, tn) == 0 &&
	    (r->address[tn] == '.' || (r->address[tn] == '[' && t[tn - 1] != ']')))
		return true;
	return false;
}

void blast_from_state(struct arena *a, const struct tf_state *st, const char *const *targets, size_t ntargets,
		      const struct tf_policy *pol, struct tf_blast *out)
{
	size_t n = st->nres;
	bool *sel = n ? arena_new_array(a, bool, n) : NULL;
	const char **cfg = n ? arena_new_array(a, const char *, n) : NULL;

	memset(out, 0, sizeof(*out));
	out->kind = ntargets ? TF_BLAST_TARGET : TF_BLAST_DESTROY;
	out->unreadable = st->form == TF_STATE_ENCRYPTED;
	for (size_t i = 0; i < n; i++)
		cfg[i] = config_address(a, st->res[i].address);
	if (ntargets) {
		bool *hit = arena_new_array(a, bool, ntargets);
		for (size_t i = 0; i < n; i++) {
			if (st->res[i].mode != TF_MODE_MANAGED)
				continue;
			for (size_t t = 0; t < ntargets; t++)
				if (target_matches(targets[t], &st->res[i], cfg[i])) {
					sel[i] = true;
					hit[t] = true;
				}
		}
		for (size_t t = 0; t < ntargets; t++)
			if (!hit[t]) {
				out->unmatched_targets = arena_grow(a, out->unmatched_targets, out->nunmatched_targets,
								    out->nunmatched_targets + 1, sizeof(char *));
				out->unmatched_targets[out->nunmatched_targets++] = targets[t];
			}
		/* what depends on a destroyed resource is destroyed first: close over dependencies */
		for (bool grew = true; grew;) {
			size_t ns = 0;
			grew = false;
			for (size_t i = 0; i < n; i++)
				ns += sel[i];
			const char **set = arena_new_array(a, const char *, ns ? ns : 1);
			ns = 0;
			for (size_t i = 0; i < n; i++)
				if (sel[i])
					set[ns++] = cfg[i];
			qsort(set, ns, sizeof(*set), cmp_str);
			for (size_t i = 0; i < n; i++) {
				const struct tf_resource *r = &st->res[i];
				if (sel[i] || r->mode != TF_MODE_MANAGED)
					continue;
				for (size_t d = 0; d < r->ndeps; d++) {
					const char *dep = config_address(a, r->deps[d]);
					if (bsearch(&dep, set, ns, sizeof(*set), cmp_str)) {
						sel[i] = true;
						grew = true;
						break;
					}
				}
			}
		}
	} else {
		for (size_t i = 0; i < n; i++)
			sel[i] = st->res[i].mode == TF_MODE_MANAGED;
	}
	size_t cnt = 0;
	for (size_t i = 0; i < n; i++)
		cnt += sel[i];
	out->f = cnt ? arena_new_array(a, struct tf_finding, cnt) : NULL;
	for (size_t i = 0; i < n; i++) {
		if (!sel[i])
			continue;
		struct tf_finding *f = &out->f[out->nf++];
		blast_judge(a, &st->res[i], pol, f);
		if (ntargets) {
			bool direct = false;
			for (size_t t = 0; t < ntargets && !direct; t++)
				direct = target_matches(targets[t], &st->res[i], cfg[i]);
			if (!direct)
				f->action_reason = "depends on a -target'ed resource";
		}
	}
	out->counts[TF_ACT_DELETE] = out->nf;
	out->ndeleted = out->nf;
	finish(out);
}

void blast_posture(struct arena *a, const struct tf_resource *res, size_t nres, const struct tf_policy *pol,
		   struct tf_blast *out)
{
	memset(out, 0, sizeof(*out));
	out->kind = TF_BLAST_POSTURE;
	size_t cap = 0;
	for (size_t i = 0; i < nres; i++) {
		const struct tf_resource *r = &res[i];
		struct tf_finding f;
		if (r->mode != TF_MODE_MANAGED || r->deposed)
			continue;
		out->counts[TF_ACT_NOOP]++;
		blast_judge(a, r, pol, &f);
		bool weak = f.sev == TF_SEV_DATA || f.sev == TF_SEV_CASCADE ||
			    (f.holds_data && f.sev == TF_SEV_RECOVERABLE && f.nfixes > 0);
		if (!weak)
			continue;
		if (out->nf == cap) {
			size_t nc = cap ? cap * 2 : 16;
			out->f = arena_grow(a, out->f, out->nf, nc, sizeof(*out->f));
			cap = nc;
		}
		out->f[out->nf++] = f;
	}
	finish(out);
}

/* ---- rendering ---- */

static void join(struct buf *b, const char *const *v, size_t n, const char *sep)
{
	for (size_t i = 0; i < n; i++)
		buf_printf(b, "%s%s", i ? sep : "", v[i]);
}

const char *blast_summary(struct arena *a, const struct tf_blast *b, size_t max_items)
{
	struct buf s;
	size_t ndel = b->counts[TF_ACT_DELETE], nrep = b->counts[TF_ACT_REPLACE_DC] + b->counts[TF_ACT_REPLACE_CD];
	size_t shown = 0, listable = 0;
	if (!max_items)
		max_items = 4;
	buf_init(&s, 1 << 16);
	if (b->unreadable) {
		buf_addz(&s, "would delete everything in an encrypted state whose resources cannot be read here, "
			     "so what it holds is unknown");
		const char *r = arena_strndup(a, s.p ? s.p : "", s.n);
		buf_release(&s);
		return r;
	}
	if (b->kind == TF_BLAST_POSTURE) {
		buf_printf(&s, "%zu data-bearing resource%s would be lost for good by a destroy", b->nf,
			   b->nf == 1 ? "" : "s");
	} else if (b->kind == TF_BLAST_PLAN && nrep) {
		if (ndel)
			buf_printf(&s, "would delete %zu resource%s and replace %zu", ndel, ndel == 1 ? "" : "s", nrep);
		else
			buf_printf(&s, "would replace %zu resource%s", nrep, nrep == 1 ? "" : "s");
	} else {
		buf_printf(&s, "would delete %zu resource%s", b->ndeleted, b->ndeleted == 1 ? "" : "s");
	}
	for (size_t i = 0; i < b->nf; i++)
		if (b->f[i].holds_data || b->f[i].configured || b->f[i].sev == TF_SEV_CASCADE)
			listable++;
	if (b->kind != TF_BLAST_POSTURE) {
		if (b->nholding_data)
			buf_printf(&s, ", %zu of them holding data", b->nholding_data);
		else if (b->ndeleted)
			buf_addz(&s, ", none of them of a type known to hold data");
	}
	for (size_t i = 0; i < b->nf && shown < max_items; i++) {
		const struct tf_finding *f = &b->f[i];
		if (!(f->holds_data || f->configured || f->sev == TF_SEV_CASCADE))
			continue;
		buf_addz(&s, shown ? ", " : ": ");
		buf_addz(&s, f->r->address);
		if (f->nreasons) {
			buf_addz(&s, " (");
			join(&s, f->reasons, f->nreasons, "; ");
			buf_addc(&s, ')');
		}
		shown++;
	}
	if (listable > shown)
		buf_printf(&s, ", and %zu more", listable - shown);
	const char *r = arena_strndup(a, s.p ? s.p : "", s.n);
	buf_release(&s);
	return r;
}

static const char *sev_colour(FILE *f, enum tf_severity s)
{
	switch (s) {
	case TF_SEV_DATA:
	case TF_SEV_CASCADE:
		return term_red(f);
	case TF_SEV_RECOVERABLE:
	case TF_SEV_OUTAGE:
		return term_yellow(f);
	case TF_SEV_PROTECTED:
		return term_green(f);
	default:
		return "";
	}
}

void blast_render_text(struct buf *out, const struct tf_blast *b, FILE *f)
{
	const char *rst = f ? term_reset(f) : "", *bold = f ? term_bold(f) : "", *dim = f ? term_dim(f) : "";
	for (size_t i = 0; i < b->nf; i++) {
		const struct tf_finding *x = &b->f[i];
		const char *col = f ? sev_colour(f, x->sev) : "";
		buf_printf(out, "  %s%-11s%s %s%s%s", col, tf_severity_name(x->sev), *col ? rst : "", bold,
			   x->r->address, *bold ? rst : "");
		if (b->kind != TF_BLAST_POSTURE)
			buf_printf(out, "  %s", tf_action_name(x->action));
		if (x->what)
			buf_printf(out, "  %s(%s)%s", dim, x->what, *dim ? rst : "");
		if (x->r->deposed)
			buf_printf(out, " deposed %s", x->r->deposed);
		buf_addc(out, '\n');
		if (x->action_reason)
			buf_printf(out, "              reason: %s\n", x->action_reason);
		for (size_t k = 0; k < x->nreasons; k++)
			buf_printf(out, "              - %s\n", x->reasons[k]);
		for (size_t k = 0; k < x->nfixes; k++)
			buf_printf(out, "              fix: %s\n", x->fixes[k]);
	}
}
