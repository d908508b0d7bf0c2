/* object.c: encoding and checking the object envelope (see object.h). */
#include "backup/object.h"

#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "backup/crypto.h"

void obj_scratch_release(struct obj_scratch *s)
{
	free(s->a);
	free(s->b);
	ZSTD_freeCCtx(s->cctx);
	ZSTD_freeDCtx(s->dctx);
	memset(s, 0, sizeof(*s));
}

static uint8_t *reserve(uint8_t **p, size_t *cap, size_t n)
{
	if (*cap < n) {
		free(*p);
		*cap = n + n / 8;
		*p = xmalloc(*cap);
	}
	return *p;
}

static void put_u64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_u64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

void obj_encode(struct obj_scratch *s, int kind, const void *p, size_t n, int level, const uint8_t *key,
		const uint8_t **out, size_t *outn)
{
	size_t bound = ZSTD_compressBound(n);
	/* b holds the compressed payload, a the final object */
	uint8_t *comp = reserve(&s->b, &s->bcap, bound);
	const uint8_t *payload = p;
	size_t plen = n;
	unsigned flags = 0;
	if (level > 0 && n > 0) {
		if (!s->cctx) {
			s->cctx = ZSTD_createCCtx();
			if (!s->cctx)
				bw_oom();
		}
		size_t c = ZSTD_compressCCtx(s->cctx, comp, bound, p, n, level);
		if (ZSTD_isError(c))
			BUG("zstd compression failed: %s", ZSTD_getErrorName(c));
		if (c < n) {
			payload = comp;
			plen = c;
			flags |= OBJ_F_ZSTD;
		}
	}
	if (key)
		flags |= OBJ_F_ENCRYPTED;
	size_t total = OBJ_HEADER + plen + (key ? BWCRYPTO_OVERHEAD : 0) + OBJ_TRAILER;
	uint8_t *o = reserve(&s->a, &s->acap, total);
	memcpy(o, "BWOB", 4);
	o[4] = OBJ_VERSION;
	o[5] = (uint8_t)kind;
	o[6] = (uint8_t)flags;
	o[7] = 0;
	put_u64(o + 8, n);
	if (key)
		bwcrypto_seal(key, o, OBJ_HEADER, payload, plen, o + OBJ_HEADER);
	else
		memcpy(o + OBJ_HEADER, payload, plen);
	bwcrypto_hash(NULL, o, total - OBJ_TRAILER, o + total - OBJ_TRAILER);
	*out = o;
	*outn = total;
}

static const char *kind_name(int kind)
{
	switch (kind) {
	case OBJ_CHUNK: return "a data chunk";
	case OBJ_SNAPSHOT: return "a snapshot manifest";
	case OBJ_DRILL: return "a drill result";
	default: return "an unknown kind of object";
	}
}

int obj_decode(struct obj_scratch *s, int kind, const uint8_t *p, size_t n, const uint8_t *key, size_t max,
	       const char *name, const uint8_t **out, size_t *outn, struct err *e)
{
	if (n < OBJ_HEADER + OBJ_TRAILER)
		return err_set(e, "object '%s' is damaged: truncated to %zu bytes", name, n);
	uint8_t sum[BWCRYPTO_HASHBYTES];
	bwcrypto_hash(NULL, p, n - OBJ_TRAILER, sum);
	if (memcmp(sum, p + n - OBJ_TRAILER, OBJ_TRAILER) != 0)
		return err_set(e, "object '%s' is damaged: checksum mismatch", name);
	if (memcmp(p, "BWOB", 4) != 0)
		return err_set(e, "object '%s' is damaged: not a blastwall object", name);
	if (p[4] != OBJ_VERSION) {
		err_set(e, "object '%s' has format version %u, which this blastwall (%s) does not understand", name,
			p[4], bw_version);
		return err_hint(e, "upgrade blastwall to read this repository");
	}
	if (p[5] != kind)
		return err_set(e, "object '%s' is damaged: it is %s, not %s", name, kind_name(p[5]), kind_name(kind));
	unsigned flags = p[6];
	if ((flags & ~(OBJ_F_ZSTD | OBJ_F_ENCRYPTED)) || p[7] != 0)
		return err_set(e, "object '%s' is damaged: unknown flags", name);
	if (!!(flags & OBJ_F_ENCRYPTED) != !!key)
		return err_set(e, "object '%s' is damaged: it is %s but the repository is %s", name,
			       (flags & OBJ_F_ENCRYPTED) ? "encrypted" : "not encrypted",
			       key ? "encrypted" : "not encrypted");
	uint64_t plain = get_u64(p + 8);
	if (plain > max)
		return err_set(e, "object '%s' is damaged: it claims %llu bytes, more than the %zu allowed", name,
			       (unsigned long long)plain, max);
	const uint8_t *payload = p + OBJ_HEADER;
	size_t plen = n - OBJ_HEADER - OBJ_TRAILER;
	if (key) {
		if (plen < BWCRYPTO_OVERHEAD)
			return err_set(e, "object '%s' is damaged: truncated ciphertext", name);
		uint8_t *dec = reserve(&s->a, &s->acap, plen - BWCRYPTO_OVERHEAD + 1);
		if (bwcrypto_open(key, p, OBJ_HEADER, payload, plen, dec) < 0)
			return err_set(e, "object '%s' does not authenticate: it was modified, or written with another key",
				       name);
		payload = dec;
		plen -= BWCRYPTO_OVERHEAD;
	}
	if (flags & OBJ_F_ZSTD) {
		uint8_t *d = reserve(&s->b, &s->bcap, plain + 1);
		if (!s->dctx) {
			s->dctx = ZSTD_createDCtx();
			if (!s->dctx)
				bw_oom();
		}
		size_t r = ZSTD_decompressDCtx(s->dctx, d, plain, payload, plen);
		if (ZSTD_isError(r))
			return err_set(e, "object '%s' is damaged: cannot decompress: %s", name, ZSTD_getErrorName(r));
		if (r != plain)
			return err_set(e, "object '%s' is damaged: %zu bytes decompressed, %llu expected", name, r,
				       (unsigned long long)plain);
		*out = d;
	} else {
		if (plen != plain)
			return err_set(e, "object '%s' is damaged: %zu bytes stored, %llu expected", name, plen,
				       (unsigned long long)plain);
		*out = payload;
	}
	*outn = (size_t)plain;
	return 0;
}
