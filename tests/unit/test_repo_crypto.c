/* test_repo_crypto.c: SHA-256 (both block functions against libsodium), AEAD, object envelope. */
#include "harness.h"

#include <sodium.h>
#include <stdlib.h>

#include "backup/crypto.h"
#include "backup/object.h"

static void fill(uint8_t *p, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1664525u + 1013904223u;
		p[i] = (uint8_t)(seed >> 24);
	}
}

static void sha_ours(bool portable, const uint8_t *p, size_t n, size_t piece, uint8_t out[32])
{
	struct bwcrypto_sha256 h;
	bwcrypto_sha256_init(&h);
	h.portable = portable;
	for (size_t off = 0; off < n; off += piece)
		bwcrypto_sha256_update(&h, p + off, n - off < piece ? n - off : piece);
	bwcrypto_sha256_final(&h, out);
}

TEST(sha256_matches_libsodium)
{
	bwcrypto_init();
	size_t max = 70000;
	uint8_t *p = malloc(max);
	fill(p, max, 42);
	static const size_t lens[] = { 0, 1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000, 4096, 65537, 70000 };
	static const size_t pieces[] = { 1, 7, 64, 1000, 1 << 20 };
	for (size_t i = 0; i < ARRAY_SIZE(lens); i++) {
		uint8_t want[32];
		crypto_hash_sha256(want, p, lens[i]);
		for (size_t k = 0; k < ARRAY_SIZE(pieces); k++) {
			if (lens[i] > 5000 && pieces[k] == 1)
				continue;
			uint8_t got[32];
			sha_ours(false, p, lens[i], pieces[k], got);
			CHECK(memcmp(got, want, 32) == 0);
			sha_ours(true, p, lens[i], pieces[k], got);
			CHECK(memcmp(got, want, 32) == 0);
		}
	}
	/* the well-known "abc" vector */
	uint8_t got[32];
	char hex[65];
	sha_ours(false, (const uint8_t *)"abc", 3, 3, got);
	bwcrypto_hex(got, 32, hex);
	CHECK_STREQ(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	free(p);
}

TEST(aead_round_trip_wrong_key_and_tamper)
{
	uint8_t key[32], other[32], msg[1000], sealed[1000 + BWCRYPTO_OVERHEAD], out[1000];
	bwcrypto_random(key, 32);
	bwcrypto_random(other, 32);
	fill(msg, sizeof(msg), 1);
	bwcrypto_seal(key, "ad", 2, msg, sizeof(msg), sealed);
	CHECK(bwcrypto_open(key, "ad", 2, sealed, sizeof(sealed), out) == 0);
	CHECK(memcmp(out, msg, sizeof(msg)) == 0);
	CHECK(bwcrypto_open(other, "ad", 2, sealed, sizeof(sealed), out) < 0);
	CHECK(bwcrypto_open(key, "xx", 2, sealed, sizeof(sealed), out) < 0);
	sealed[500] ^= 1;
	CHECK(bwcrypto_open(key, "ad", 2, sealed, sizeof(sealed), out) < 0);
}

TEST(object_every_flipped_byte_is_caught)
{
	uint8_t key[32];
	bwcrypto_random(key, 32);
	uint8_t msg[3000];
	fill(msg, sizeof(msg), 3);
	for (int k = 0; k < 2; k++) {
		const uint8_t *kp = k ? key : NULL;
		struct obj_scratch s = { 0 }, d = { 0 };
		const uint8_t *obj;
		size_t n;
		obj_encode(&s, OBJ_CHUNK, msg, sizeof(msg), 3, kp, &obj, &n);
		uint8_t *copy = malloc(n);
		memcpy(copy, obj, n);
		const uint8_t *out;
		size_t outn;
		struct err e;
		err_init(&e);
		CHECK(obj_decode(&d, OBJ_CHUNK, copy, n, kp, 1 << 20, "x", &out, &outn, &e) == 0);
		CHECK(outn == sizeof(msg) && memcmp(out, msg, outn) == 0);
		CHECK(obj_decode(&d, OBJ_SNAPSHOT, copy, n, kp, 1 << 20, "x", &out, &outn, &e) < 0);
		int caught = 0;
		for (size_t i = 0; i < n; i++) {
			copy[i] ^= 0x20;
			if (obj_decode(&d, OBJ_CHUNK, copy, n, kp, 1 << 20, "data/x", &out, &outn, &e) < 0 &&
			    strstr(e.msg, "data/x"))
				caught++;
			copy[i] ^= 0x20;
		}
		CHECK_INTEQ(caught, n);
		CHECK(obj_decode(&d, OBJ_CHUNK, copy, n - 1, kp, 1 << 20, "x", &out, &outn, &e) < 0);
		free(copy);
		obj_scratch_release(&s);
		obj_scratch_release(&d);
	}
}

TEST(hex_round_trip)
{
	uint8_t b[4] = { 0, 0xab, 0x10, 0xff }, back[4];
	char h[9];
	bwcrypto_hex(b, 4, h);
	CHECK_STREQ(h, "00ab10ff");
	CHECK(bwcrypto_unhex(h, back, 4) == 0 && memcmp(b, back, 4) == 0);
	CHECK(bwcrypto_unhex("00ab10f", back, 4) < 0);
	CHECK(bwcrypto_unhex("00ab10fg", back, 4) < 0);
}

TEST_MAIN(sha256_matches_libsodium, aead_round_trip_wrong_key_and_tamper, object_every_flipped_byte_is_caught,
	  hex_round_trip)
