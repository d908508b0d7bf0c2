/*
 * fuzz_tfplan.c: libFuzzer target for the plan readers. The input is read as
 * plan JSON and, when it starts with the zip magic (or after prefixing it),
 * as a binary plan; whatever parses goes through the blast radius and every
 * renderer. Invariants: a failure always carries a message; a success has an
 * address and a known action for every change and counts that add up.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "common/buf.h"
#include "terraform/blast.h"
#include "terraform/tfplan.h"

static void check_plan(struct arena *a, const struct tf_plan *p)
{
	size_t managed = 0, total = 0;
	struct tf_blast b;
	struct buf out;
	for (size_t i = 0; i < p->nchanges; i++) {
		const struct tf_change *c = &p->changes[i];
		if (!c->r.address || (unsigned)c->action >= TF_ACT_COUNT)
			abort();
		if (c->r.mode == TF_MODE_MANAGED)
			managed++;
	}
	for (int i = 0; i < TF_ACT_COUNT; i++)
		total += p->counts[i];
	if (p->changes_src != TF_CHANGES_NONE && total < managed)
		abort();
	blast_from_plan(a, p, NULL, &b);
	if (b.nf != b.ndeleted || b.nlost > b.nf)
		abort();
	for (size_t i = 1; i < b.nf; i++)
		if (b.f[i - 1].sev < b.f[i].sev)
			abort(); /* worst first */
	buf_init(&out, 0);
	buf_addz(&out, blast_summary(a, &b, 2));
	blast_render_text(&out, &b, NULL);
	blast_render_json(&out, &b);
	blast_render_markdown(&out, &b, 10);
	buf_release(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new();
	struct tf_plan p;
	struct err e;
	struct tf_plan_opts o;
	memset(&o, 0, sizeof(o));
	o.no_exec = true;
	err_init(&e);
	if (tfplan_parse_json(a, (const char *)data, size, "fuzz", &o, &p, &e) == 0)
		check_plan(a, &p);
	else if (!e.msg[0])
		abort();
	err_init(&e);
	if (tfplan_parse_zip(a, (const char *)data, size, "fuzz", &o, &p, &e) == 0)
		check_plan(a, &p);
	else if (!e.msg[0])
		abort();
	arena_free(a);
	return 0;
}
