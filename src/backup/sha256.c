/*
 * sha256.c: SHA-256 for whole-stream checksums. Written here rather than
 * taken from libsodium because every byte of every backup passes through it
 * and libsodium's portable code costs more CPU than zstd itself; on CPUs
 * with the SHA extensions (Intel since Ice Lake/Goldmont, AMD since Zen) the
 * block function below runs about eight times faster. Other CPUs get the
 * portable block function. The unit tests compare both against libsodium.
 */
#include <stdatomic.h>
#include <string.h>

#include "backup/crypto.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>
#define HAVE_X86 1
#endif

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static inline uint32_t ror(uint32_t x, int n)
{
	return (x >> n) | (x << (32 - n));
}

static void blocks_portable(uint32_t st[8], const uint8_t *p, size_t nblocks)
{
	while (nblocks--) {
		uint32_t w[64];
		for (int i = 0; i < 16; i++)
			w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 |
			       p[4 * i + 3];
		for (int i = 16; i < 64; i++) {
			uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
			uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
			w[i] = w[i - 16] + s0 + w[i - 7] + s1;
		}
		uint32_t a = st[0], b = st[1], c = st[2], d = st[3], e = st[4], f = st[5], g = st[6], h = st[7];
		for (int i = 0; i < 64; i++) {
			uint32_t S1 = ror(e, 6) ^ ror(e, 11) ^ ror(e, 25);
			uint32_t ch = (e & f) ^ (~e & g);
			uint32_t t1 = h + S1 + ch + K[i] + w[i];
			uint32_t S0 = ror(a, 2) ^ ror(a, 13) ^ ror(a, 22);
			uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
			uint32_t t2 = S0 + maj;
			h = g;
			g = f;
			f = e;
			e = d + t1;
			d = c;
			c = b;
			b = a;
			a = t1 + t2;
		}
		st[0] += a;
		st[1] += b;
		st[2] += c;
		st[3] += d;
		st[4] += e;
		st[5] += f;
		st[6] += g;
		st[7] += h;
		p += 64;
	}
}

#ifdef HAVE_X86
/*
 * The SHA extensions keep the state as two vectors, ABEF and CDGH (element 3
 * first); sha256rnds2 does two rounds from the low two words of W+K, and
 * sha256msg1/msg2 compute the message schedule four words at a time.
 */
__attribute__((target("sha,sse4.1,ssse3"))) static void blocks_shani(uint32_t st[8], const uint8_t *p,
								       size_t nblocks)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
	__m128i t = _mm_loadu_si128((const __m128i *)&st[0]);   /* a b c d */
	__m128i s1 = _mm_loadu_si128((const __m128i *)&st[4]);  /* e f g h */
	t = _mm_shuffle_epi32(t, 0xB1);                          /* b a d c */
	s1 = _mm_shuffle_epi32(s1, 0x1B);                        /* h g f e */
	__m128i s0 = _mm_alignr_epi8(t, s1, 8);                  /* ABEF */
	s1 = _mm_blend_epi16(s1, t, 0xF0);                       /* CDGH */
	while (nblocks--) {
		__m128i save0 = s0, save1 = s1;
		__m128i w[4];
		for (int g = 0; g < 16; g++) {
			__m128i m;
			if (g < 4) {
				m = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * g)), bswap);
			} else {
				/* w[g&3] holds W[g-4]; the others W[g-3], W[g-2], W[g-1] */
				__m128i x = _mm_sha256msg1_epu32(w[g & 3], w[(g + 1) & 3]);
				x = _mm_add_epi32(x, _mm_alignr_epi8(w[(g + 3) & 3], w[(g + 2) & 3], 4));
				m = _mm_sha256msg2_epu32(x, w[(g + 3) & 3]);
			}
			w[g & 3] = m;
			__m128i wk = _mm_add_epi32(m, _mm_loadu_si128((const __m128i *)&K[4 * g]));
			s1 = _mm_sha256rnds2_epu32(s1, s0, wk);
			wk = _mm_shuffle_epi32(wk, 0x0E);
			s0 = _mm_sha256rnds2_epu32(s0, s1, wk);
		}
		s0 = _mm_add_epi32(s0, save0);
		s1 = _mm_add_epi32(s1, save1);
		p += 64;
	}
	t = _mm_shuffle_epi32(s0, 0x1B);  /* A B E F (element 0 first) */
	s1 = _mm_shuffle_epi32(s1, 0xB1); /* G H C D */
	s0 = _mm_blend_epi16(t, s1, 0xF0); /* A B C D */
	s1 = _mm_alignr_epi8(s1, t, 8);    /* E F G H */
	_mm_storeu_si128((__m128i *)&st[0], s0);
	_mm_storeu_si128((__m128i *)&st[4], s1);
}

static bool have_shani(void)
{
	static _Atomic int cached = -1;
	if (cached < 0) {
		unsigned a, b, c, d;
		int ok = 0;
		if (__get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 19)) && (c & (1u << 9)) &&
		    __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & (1u << 29)))
			ok = 1;
		cached = ok; /* every thread computes the same value */
	}
	return cached == 1;
}
#endif

static void blocks(struct bwcrypto_sha256 *h, const uint8_t *p, size_t n)
{
#ifdef HAVE_X86
	if (!h->portable && have_shani()) {
		blocks_shani(h->st, p, n);
		return;
	}
#endif
	blocks_portable(h->st, p, n);
}

void bwcrypto_sha256_init(struct bwcrypto_sha256 *h)
{
	static const uint32_t iv[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
					0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	memset(h, 0, sizeof(*h));
	memcpy(h->st, iv, sizeof(iv));
}

void bwcrypto_sha256_update(struct bwcrypto_sha256 *h, const void *data, size_t n)
{
	const uint8_t *p = data;
	h->total += n;
	if (h->nbuf) {
		size_t k = 64 - h->nbuf < n ? 64 - h->nbuf : n;
		memcpy(h->buf + h->nbuf, p, k);
		h->nbuf += k;
		p += k;
		n -= k;
		if (h->nbuf < 64)
			return;
		blocks(h, h->buf, 1);
		h->nbuf = 0;
	}
	if (n >= 64) {
		blocks(h, p, n / 64);
		p += n / 64 * 64;
		n %= 64;
	}
	memcpy(h->buf, p, n);
	h->nbuf = n;
}

void bwcrypto_sha256_final(struct bwcrypto_sha256 *h, uint8_t out[32])
{
	uint64_t bits = h->total * 8;
	h->buf[h->nbuf++] = 0x80;
	if (h->nbuf > 56) {
		memset(h->buf + h->nbuf, 0, 64 - h->nbuf);
		blocks(h, h->buf, 1);
		h->nbuf = 0;
	}
	memset(h->buf + h->nbuf, 0, 56 - h->nbuf);
	for (int i = 0; i < 8; i++)
		h->buf[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
	blocks(h, h->buf, 1);
	for (int i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(h->st[i] >> 24);
		out[4 * i + 1] = (uint8_t)(h->st[i] >> 16);
		out[4 * i + 2] = (uint8_t)(h->st[i] >> 8);
		out[4 * i + 3] = (uint8_t)h->st[i];
	}
}
