/*
 * blastfmt.c: the machine-readable and Markdown forms of a blast-radius
 * report (the text form is in blast.c). The JSON shape is documented in
 * doc/json/plan.md; fields are only ever added within a schema version.
 */
#include "terraform/blast.h"

#include <string.h>

static void jstr(struct buf *b, const char *s)
{
	if (!s)
		buf_addz(b, "null");
	else
		buf_json_str(b, s, strlen(s));
}

static void jarr(struct buf *b, const char *const *v, size_t n)
{
	buf_addc(b, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_addc(b, ',');
		jstr(b, v[i]);
	}
	buf_addc(b, ']');
}

void blast_render_json(struct buf *out, const struct tf_blast *b)
{
	buf_addc(out, '[');
	for (size_t i = 0; i < b->nf; i++) {
		const struct tf_finding *f = &b->f[i];
		const struct tf_resource *r = f->r;
		if (i)
			buf_addc(out, ',');
		buf_addz(out, "{\"address\":");
		jstr(out, r->address);
		buf_addz(out, ",\"module\":");
		jstr(out, r->module && *r->module ? r->module : NULL);
		buf_addz(out, ",\"type\":");
		jstr(out, r->type);
		buf_addz(out, ",\"name\":");
		jstr(out, r->name);
		buf_addz(out, ",\"index\":");
		jstr(out, r->index);
		buf_addz(out, ",\"deposed\":");
		jstr(out, r->deposed);
		buf_addz(out, ",\"action\":");
		jstr(out, b->kind == TF_BLAST_POSTURE ? "none" : tf_action_name(f->action));
		buf_addz(out, ",\"action_reason\":");
		jstr(out, f->action_reason);
		buf_addz(out, ",\"severity\":");
		jstr(out, tf_severity_name(f->sev));
		buf_printf(out, ",\"holds_data\":%s,\"configured\":%s,\"what\":", f->holds_data ? "true" : "false",
			   f->configured ? "true" : "false");
		jstr(out, f->what);
		buf_addz(out, ",\"reasons\":");
		jarr(out, f->reasons, f->nreasons);
		buf_addz(out, ",\"fixes\":");
		jarr(out, f->fixes, f->nfixes);
		buf_addc(out, '}');
	}
	buf_addc(out, ']');
}

/* Markdown table cells: pipes and newlines would break the row. */
static void mdcell(struct buf *b, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '|')
			buf_addz(b, "\\|");
		else if (*s == '\n')
			buf_addc(b, ' ');
		else
			buf_addc(b, *s);
	}
}

void blast_render_markdown(struct buf *out, const struct tf_blast *b, size_t max_rows)
{
	if (!b->nf)
		return;
	buf_addz(out, "| severity | resource | action | what is lost | fix |\n|---|---|---|---|---|\n");
	for (size_t i = 0; i < b->nf && (!max_rows || i < max_rows); i++) {
		const struct tf_finding *f = &b->f[i];
		buf_printf(out, "| %s%s%s | `", f->sev >= TF_SEV_CASCADE ? "**" : "", tf_severity_name(f->sev),
			   f->sev >= TF_SEV_CASCADE ? "**" : "");
		mdcell(out, f->r->address);
		buf_addz(out, "` | ");
		mdcell(out, b->kind == TF_BLAST_POSTURE ? "-" : tf_action_name(f->action));
		if (f->action_reason) {
			buf_addz(out, " (");
			mdcell(out, f->action_reason);
			buf_addc(out, ')');
		}
		buf_addz(out, " | ");
		for (size_t k = 0; k < f->nreasons; k++) {
			if (k)
				buf_addz(out, "; ");
			mdcell(out, f->reasons[k]);
		}
		buf_addz(out, " | ");
		for (size_t k = 0; k < f->nfixes; k++) {
			if (k)
				buf_addz(out, "; ");
			mdcell(out, f->fixes[k]);
		}
		buf_addz(out, " |\n");
	}
	if (max_rows && b->nf > max_rows)
		buf_printf(out, "\n… and %zu more (see the JSON report)\n", b->nf - max_rows);
}
