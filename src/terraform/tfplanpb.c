/*
 * tfplanpb.c: binary plan files without Terraform. A plan file is a zip; its
 * central directory is read here (bounds-checked against the buffer, no
 * zip64, stored or deflate via zlib) to extract the prior state (`tfstate`)
 * and the protobuf `tfplan`, whose few fields the blast radius needs are
 * decoded by hand: resource_changes (3) -> addr (13), deposed_key (7),
 * change (9) -> action (1), action_reason (12); ui_mode (17), errored (20),
 * terraform_version (14). Field numbers follow Terraform's planfile.proto.
 * Unknown fields are skipped by wire type, so newer files still decode.
 */
#include "terraform/tfplan.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "terraform/tfread.h"

struct tf_change *tfplan_new_change(struct arena *a, struct tf_plan *p, size_t *cap);
void tfplan_tally(struct tf_plan *p);

static unsigned rd16(const unsigned char *p)
{
	return (unsigned)p[0] | ((unsigned)p[1] << 8);
}

static unsigned long rd32(const unsigned char *p)
{
	return (unsigned long)p[0] | ((unsigned long)p[1] << 8) | ((unsigned long)p[2] << 16) |
	       ((unsigned long)p[3] << 24);
}

static int inflate_raw(const unsigned char *src, size_t n, size_t want, size_t max, struct buf *out, struct err *e)
{
	z_stream z;
	unsigned char chunk[65536];
	int zr;
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, -MAX_WBITS) != Z_OK)
		return err_set(e, "cannot start zlib");
	z.next_in = (unsigned char *)src;
	z.avail_in = (uInt)(n > UINT32_MAX ? UINT32_MAX : n);
	do {
		z.next_out = chunk;
		z.avail_out = sizeof(chunk);
		zr = inflate(&z, Z_NO_FLUSH);
		if (zr != Z_OK && zr != Z_STREAM_END) {
			inflateEnd(&z);
			return err_set(e, "damaged deflate data (%s)", z.msg ? z.msg : "zlib error");
		}
		size_t got = sizeof(chunk) - z.avail_out;
		if (out->n + got > max || buf_add(out, chunk, got) < 0) {
			inflateEnd(&z);
			return err_set(e, "a member is larger than %zu bytes", max);
		}
		if (zr != Z_STREAM_END && z.avail_in == 0 && got == 0) {
			inflateEnd(&z);
			return err_set(e, "truncated deflate data");
		}
	} while (zr != Z_STREAM_END);
	inflateEnd(&z);
	if (want != (size_t)-1 && out->n != want)
		return err_set(e, "a member's size does not match the directory");
	return 0;
}

int tfzip_extract(const char *zip, size_t n, const char *member, size_t max, struct buf *out, struct err *e)
{
	const unsigned char *z = (const unsigned char *)zip;
	size_t mlen = strlen(member);
	if (n < 22)
		return err_set(e, "too short to be a zip archive");
	/* the end-of-central-directory record is in the last 64 KiB + 22 bytes */
	size_t lo = n > 65557 ? n - 65557 : 0, eocd = (size_t)-1;
	for (size_t i = n - 22 + 1; i-- > lo;) {
		if (rd32(z + i) == 0x06054b50UL) {
			eocd = i;
			break;
		}
	}
	if (eocd == (size_t)-1)
		return err_set(e, "no zip end-of-directory record (truncated file?)");
	size_t count = rd16(z + eocd + 10);
	size_t cd_size = rd32(z + eocd + 12), cd_off = rd32(z + eocd + 16);
	if (cd_off > n || cd_size > n - cd_off)
		return err_set(e, "the zip central directory lies outside the file");
	size_t p = cd_off, end = cd_off + cd_size;
	for (size_t i = 0; i < count; i++) {
		if (p + 46 > end || rd32(z + p) != 0x02014b50UL)
			return err_set(e, "damaged zip central directory");
		unsigned method = rd16(z + p + 10);
		size_t csize = rd32(z + p + 20), usize = rd32(z + p + 24);
		size_t nlen = rd16(z + p + 28), xlen = rd16(z + p + 30), clen = rd16(z + p + 32);
		size_t loff = rd32(z + p + 42);
		if (p + 46 + nlen > end)
			return err_set(e, "damaged zip central directory");
		bool hit = nlen == mlen && memcmp(z + p + 46, member, mlen) == 0;
		p += 46 + nlen + xlen + clen;
		if (!hit)
			continue;
		if (csize == 0xFFFFFFFFUL || usize == 0xFFFFFFFFUL || loff == 0xFFFFFFFFUL)
			return err_set(e, "zip64 members are not supported");
		if (loff > n || n - loff < 30 || rd32(z + loff) != 0x04034b50UL)
			return err_set(e, "damaged zip local header for '%s'", member);
		size_t data = loff + 30 + rd16(z + loff + 26) + rd16(z + loff + 28);
		if (data > n || csize > n - data)
			return err_set(e, "zip member '%s' lies outside the file", member);
		if (usize > max)
			return err_set(e, "zip member '%s' is larger than %zu bytes", member, max);
		if (method == 0) {
			if (csize != usize)
				return err_set(e, "damaged stored member '%s'", member);
			if (buf_add(out, z + data, csize) < 0)
				return err_set(e, "zip member '%s' is too large", member);
			return 0;
		}
		if (method == 8)
			return inflate_raw(z + data, csize, usize, max, out, e);
		return err_set(e, "zip member '%s' uses compression method %u, which is not supported", member, method);
	}
	return 1;
}

/* ---- protobuf ---- */

struct pb {
	const unsigned char *p, *end;
	bool bad;
};

static unsigned long long varint(struct pb *b)
{
	unsigned long long v = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		if (b->p >= b->end) {
			b->bad = true;
			return 0;
		}
		unsigned char c = *b->p++;
		v |= (unsigned long long)(c & 0x7F) << shift;
		if (!(c & 0x80))
			return v;
	}
	b->bad = true;
	return 0;
}

/* Reads the next field; for length-delimited ones sub is the payload. Returns false at the end or on damage. */
static bool field(struct pb *b, unsigned *num, unsigned *wt, unsigned long long *v, struct pb *sub)
{
	if (b->bad || b->p >= b->end)
		return false;
	unsigned long long key = varint(b);
	*num = (unsigned)(key >> 3);
	*wt = (unsigned)(key & 7);
	switch (*wt) {
	case 0:
		*v = varint(b);
		break;
	case 1:
		if (b->end - b->p < 8)
			b->bad = true;
		else
			b->p += 8;
		break;
	case 5:
		if (b->end - b->p < 4)
			b->bad = true;
		else
			b->p += 4;
		break;
	case 2: {
		unsigned long long len = varint(b);
		if (b->bad || len > (unsigned long long)(b->end - b->p)) {
			b->bad = true;
			break;
		}
		sub->p = b->p;
		sub->end = b->p + len;
		sub->bad = false;
		b->p += len;
		break;
	}
	default:
		b->bad = true; /* groups (3, 4) are not used by planfile.proto */
	}
	return !b->bad;
}

static enum tf_action pb_action(unsigned long long v)
{
	switch (v) {
	case 0: return TF_ACT_NOOP;
	case 1: return TF_ACT_CREATE;
	case 2: return TF_ACT_READ;
	case 3: return TF_ACT_UPDATE;
	case 5: return TF_ACT_DELETE;
	case 6: return TF_ACT_REPLACE_DC;
	case 7: return TF_ACT_REPLACE_CD;
	case 8: return TF_ACT_FORGET;
	default: return TF_ACT_UNKNOWN;
	}
}

static const char *pb_reason(struct arena *a, unsigned long long v)
{
	static const char *const names[] = {
		NULL,
		"replace_because_tainted",
		"replace_by_request",
		"replace_because_cannot_update",
		"delete_because_no_resource_config",
		"delete_because_wrong_repetition",
		"delete_because_count_index",
		"delete_because_each_key",
		"delete_because_no_module",
		"replace_by_triggers",
		"read_because_config_unknown",
		"read_because_dependency_pending",
		"read_because_check_nested",
		"delete_because_no_move_target",
	};
	if (v < ARRAY_SIZE(names))
		return names[v];
	return arena_printf(a, "reason_%llu", v);
}

/*
 * Splits an instance address into module path, mode, type, name and index.
 * Segments are separated by dots outside brackets and quotes.
 */
static void split_address(struct arena *a, const char *addr, struct tf_resource *r)
{
	size_t n = strlen(addr), segs[64], nseg = 0;
	bool inq = false;
	int br = 0;
	segs[nseg++] = 0;
	for (size_t i = 0; i < n && nseg < ARRAY_SIZE(segs); i++) {
		char c = addr[i];
		if (inq) {
			if (c == '\\' && i + 1 < n)
				i++;
			else if (c == '"')
				inq = false;
		} else if (c == '"') {
			inq = true;
		} else if (c == '[') {
			br++;
		} else if (c == ']') {
			br--;
		} else if (c == '.' && br == 0) {
			segs[nseg++] = i + 1;
		}
	}
	/* skip module.NAME[..] pairs */
	size_t s = 0;
	while (s + 2 < nseg && strncmp(addr + segs[s], "module.", 7) == 0)
		s += 2;
	r->module = s ? arena_strndup(a, addr, segs[s] - 1) : "";
	if (s < nseg && nseg - s >= 3 && strncmp(addr + segs[s], "data.", 5) == 0) {
		r->mode = TF_MODE_DATA;
		s++;
	}
	if (s + 1 >= nseg) {
		r->type = arena_strdup(a, "unknown");
		r->name = arena_strdup(a, addr);
		return;
	}
	r->type = arena_strndup(a, addr + segs[s], segs[s + 1] - segs[s] - 1);
	const char *nm = addr + segs[s + 1];
	size_t nl = (s + 2 < nseg ? segs[s + 2] - 1 : n) - segs[s + 1];
	const char *lb = memchr(nm, '[', nl);
	if (lb) {
		r->name = arena_strndup(a, nm, (size_t)(lb - nm));
		size_t il = nl - (size_t)(lb - nm);
		if (il >= 2)
			r->index = arena_strndup(a, lb + 1, il - 2);
	} else {
		r->name = arena_strndup(a, nm, nl);
	}
}

/* A sorted index of the prior state's addresses, for before values by address. */
struct addr_ix {
	const struct tf_resource *r;
};

static int cmp_res(const void *x, const void *y)
{
	const struct addr_ix *a = x, *b = y;
	int c = strcmp(a->r->address, b->r->address);
	if (c)
		return c;
	return strcmp(a->r->deposed ? a->r->deposed : "", b->r->deposed ? b->r->deposed : "");
}

static const struct tf_resource *ix_find(const struct addr_ix *ix, size_t n, const char *addr, const char *deposed)
{
	struct tf_resource key = { .address = addr, .deposed = deposed };
	struct addr_ix k = { &key };
	const struct addr_ix *hit = bsearch(&k, ix, n, sizeof(*ix), cmp_res);
	return hit ? hit->r : NULL;
}

static int decode_tfplan(struct arena *a, const unsigned char *data, size_t n, struct tf_plan *p, struct err *e)
{
	struct pb b = { data, data + n, false }, sub = { 0 }, s2 = { 0 }, s3 = { 0 };
	unsigned num, wt;
	unsigned long long v;
	size_t cap = 0;
	struct addr_ix *ix = NULL;
	size_t nix = p->prior.nres;

	if (nix) {
		ix = arena_new_array(a, struct addr_ix, nix);
		for (size_t i = 0; i < nix; i++)
			ix[i].r = &p->prior.res[i];
		qsort(ix, nix, sizeof(*ix), cmp_res);
	}
	while (field(&b, &num, &wt, &v, &sub)) {
		if (num == 17 && wt == 0)
			p->destroy_mode = v == 1;
		else if (num == 20 && wt == 0)
			p->errored = v != 0;
		else if (num == 14 && wt == 2)
			p->terraform_version = arena_strndup(a, (const char *)sub.p, (size_t)(sub.end - sub.p));
		else if (num == 18 && wt == 2)
			p->ndrift++;
		else if (num == 4 && wt == 2) {
			/* OutputChange: change (2) -> action (1) */
			bool changed = false;
			while (field(&sub, &num, &wt, &v, &s2))
				if (num == 2 && wt == 2)
					while (field(&s2, &num, &wt, &v, &s3))
						if (num == 1 && wt == 0)
							changed = v != 0;
			if (changed)
				p->noutput_changes++;
		} else if (num == 3 && wt == 2) {
			struct tf_change *c = tfplan_new_change(a, p, &cap);
			const char *addr = NULL;
			c->action = TF_ACT_NOOP; /* proto3: an absent enum is 0 */
			while (field(&sub, &num, &wt, &v, &s2)) {
				if (num == 13 && wt == 2)
					addr = arena_strndup(a, (const char *)s2.p, (size_t)(s2.end - s2.p));
				else if (num == 14 && wt == 2)
					c->previous_address = arena_strndup(a, (const char *)s2.p, (size_t)(s2.end - s2.p));
				else if (num == 7 && wt == 2)
					c->r.deposed = arena_strndup(a, (const char *)s2.p, (size_t)(s2.end - s2.p));
				else if (num == 8 && wt == 2)
					c->r.provider = arena_strndup(a, (const char *)s2.p, (size_t)(s2.end - s2.p));
				else if (num == 12 && wt == 0)
					c->action_reason = pb_reason(a, v);
				else if (num == 9 && wt == 2)
					while (field(&s2, &num, &wt, &v, &s3))
						if (num == 1 && wt == 0)
							c->action = pb_action(v);
				if (s2.bad)
					break;
			}
			if (sub.bad || s2.bad) {
				b.bad = true;
				break;
			}
			c->r.address = addr ? addr : "(no address)";
			split_address(a, c->r.address, &c->r);
			if (c->previous_address && !*c->previous_address)
				c->previous_address = NULL;
			if (c->r.deposed && !*c->r.deposed)
				c->r.deposed = NULL;
			/* before values: the prior state's object, when it has one */
			const struct tf_resource *old = ix ? ix_find(ix, nix, c->r.address, c->r.deposed) : NULL;
			if (old) {
				c->r.attrs = old->attrs;
				c->r.attrs_kept = old->attrs_kept;
				c->r.id = old->id;
				c->r.deps = old->deps;
				c->r.ndeps = old->ndeps;
				c->r.tainted = old->tainted;
			}
		}
	}
	if (b.bad)
		return err_set(e, "'%s': the embedded tfplan is damaged or not a Terraform plan", p->path);
	return 0;
}

int tfplan_parse_zip(struct arena *a, const char *data, size_t n, const char *name, const struct tf_plan_opts *o,
		     struct tf_plan *out, struct err *e)
{
	struct buf m;
	size_t max = o && o->read.max_bytes ? o->read.max_bytes : ((size_t)2 << 30);
	int rc;

	memset(out, 0, sizeof(*out));
	out->path = name;
	out->form = TF_PLAN_BINARY;
	out->changes_src = TF_CHANGES_NONE;
	buf_init(&m, max);

	/* the prior state: lineage and serial, and the before values of whatever is deleted */
	rc = tfzip_extract(data, n, "tfstate", max, &m, e);
	if (rc < 0) {
		buf_release(&m);
		err_wrap(e, "'%s' is a damaged plan file", name);
		return err_hint(e, "make the plan again with 'terraform plan -out=FILE'");
	}
	if (rc == 1) {
		buf_release(&m);
		err_set(e, "'%s' is a zip archive but not a Terraform plan (no 'tfstate' member)", name);
		return err_hint(e, "give a file written by 'terraform plan -out=FILE'");
	}
	const char *st = arena_strndup(a, m.p ? m.p : "", m.n);
	size_t stn = m.n;
	if (tfstate_parse(a, st, stn, arena_printf(a, "%s:tfstate", name), o ? &o->read : NULL, &out->prior, e) < 0) {
		buf_release(&m);
		return err_wrap(e, "'%s': cannot read the prior state inside the plan", name);
	}
	out->has_prior = true;
	out->prior_lineage = out->prior.lineage;
	out->prior_serial = out->prior.serial;
	out->has_prior_serial = out->prior.has_serial;
	out->prior_terraform_version = out->prior.terraform_version;
	out->prior_nmanaged = out->prior.nmanaged;

	buf_reset(&m);
	rc = tfzip_extract(data, n, "tfplan", max, &m, e);
	if (rc != 0) {
		out->changes_note = rc == 1 ? "the plan file has no 'tfplan' member: its changes are unknown"
					    : arena_printf(a, "cannot extract tfplan: %s", e->msg);
		err_init(e);
		buf_release(&m);
		return 0;
	}
	const unsigned char *pb = (const unsigned char *)arena_strndup(a, m.p ? m.p : "", m.n);
	size_t pbn = m.n;
	buf_release(&m);
	struct err sub;
	err_init(&sub);
	bool destroy = false;
	if (decode_tfplan(a, pb, pbn, out, &sub) < 0) {
		out->nchanges = 0;
		out->changes_note = arena_strdup(a, sub.msg);
		return 0;
	}
	destroy = out->destroy_mode;
	out->changes_src = TF_CHANGES_PROTOBUF;
	tfplan_tally(out);
	out->destroy_mode = destroy || out->destroy_mode;
	return 0;
}
