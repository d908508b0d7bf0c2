/*
 * fuzz_tfstate.c: libFuzzer target for the state reader (raw v1/v3/v4,
 * encrypted envelope, show -json) with every attribute kept, followed by the
 * whole-state destroy, a -target'ed destroy (taking the first resource's
 * address as the target) and posture. Invariants: a failure carries a
 * message; counts add up; findings are ranked; -target selects a subset.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "common/buf.h"
#include "terraform/blast.h"
#include "terraform/tfstate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new();
	struct tf_state st;
	struct tf_read_opts o = { .keep_all_attrs = true };
	struct tf_blast all, tgt, pos;
	struct err e;
	struct buf out;
	err_init(&e);
	if (tfstate_parse(a, (const char *)data, size, "fuzz", &o, &st, &e) < 0) {
		if (!e.msg[0])
			abort();
		arena_free(a);
		return 0;
	}
	if (st.nmanaged + st.ndata != st.nres || strlen(st.digest) != 64)
		abort();
	for (size_t i = 0; i < st.nres; i++) {
		const struct tf_resource *r = &st.res[i];
		if (!r->address || !r->module)
			abort();
		for (size_t k = 0; k < r->attrs.n; k++)
			if (!r->attrs.v[k].key || !r->attrs.v[k].val)
				abort();
	}
	blast_from_state(a, &st, NULL, 0, NULL, &all);
	if (all.nf != st.nmanaged)
		abort();
	if (st.nres) {
		const char *t = st.res[0].address;
		blast_from_state(a, &st, &t, 1, NULL, &tgt);
		if (tgt.nf > all.nf)
			abort();
	}
	blast_posture(a, st.res, st.nres, NULL, &pos);
	for (size_t i = 1; i < pos.nf; i++)
		if (pos.f[i - 1].sev < pos.f[i].sev)
			abort();
	buf_init(&out, 0);
	buf_addz(&out, blast_summary(a, &all, 3));
	blast_render_json(&out, &pos);
	buf_release(&out);
	arena_free(a);
	return 0;
}
