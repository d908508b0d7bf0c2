/*
 * crypto.h: the repository's cryptography, all of it libsodium:
 *  - object ids: BLAKE2b-256, keyed with a secret id key in an encrypted
 *    repository so that an id does not reveal (or confirm a guess of) content;
 *  - object encryption: XChaCha20-Poly1305 with a random 192-bit nonce per
 *    object (random nonces are safe at this size, so no counter state is kept);
 *  - key wrapping: the random master keys are encrypted under a key-encryption
 *    key derived from a passphrase (Argon2id) or from a key file (BLAKE2b).
 * The prefix is bwcrypto_ because libsodium owns crypto_.
 */
#ifndef BW_BACKUP_CRYPTO_H
#define BW_BACKUP_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define BWCRYPTO_KEYBYTES 32
#define BWCRYPTO_HASHBYTES 32
#define BWCRYPTO_NONCEBYTES 24
#define BWCRYPTO_TAGBYTES 16
#define BWCRYPTO_OVERHEAD (BWCRYPTO_NONCEBYTES + BWCRYPTO_TAGBYTES)
#define BWCRYPTO_SALTBYTES 16

/* Initialises libsodium once (thread-safe); aborts when it cannot. */
void bwcrypto_init(void);
void bwcrypto_random(void *p, size_t n);

/* BLAKE2b-256 of p, keyed when key is not NULL. */
void bwcrypto_hash(const uint8_t key[BWCRYPTO_KEYBYTES], const void *p, size_t n, uint8_t out[BWCRYPTO_HASHBYTES]);

/*
 * Incremental SHA-256 (streams' whole-content checksums, which tools outside
 * blastwall can recompute), in sha256.c: hardware SHA instructions when the
 * CPU has them. Set portable after init to force the portable code (tests).
 */
struct bwcrypto_sha256 {
	uint32_t st[8];
	uint64_t total;
	uint8_t buf[64];
	size_t nbuf;
	bool portable;
};
void bwcrypto_sha256_init(struct bwcrypto_sha256 *h);
void bwcrypto_sha256_update(struct bwcrypto_sha256 *h, const void *p, size_t n);
void bwcrypto_sha256_final(struct bwcrypto_sha256 *h, uint8_t out[32]);

/*
 * Encrypts n bytes into out (n + BWCRYPTO_OVERHEAD bytes: nonce, ciphertext,
 * tag), authenticating ad as well.
 */
void bwcrypto_seal(const uint8_t key[BWCRYPTO_KEYBYTES], const void *ad, size_t adn, const void *p, size_t n,
		   uint8_t *out);
/* Decrypts what bwcrypto_seal made into out (n - BWCRYPTO_OVERHEAD bytes); -1 when it does not authenticate. */
int bwcrypto_open(const uint8_t key[BWCRYPTO_KEYBYTES], const void *ad, size_t adn, const uint8_t *c, size_t n,
		  uint8_t *out);

/* Argon2id parameters stored in the repository config. */
struct bwcrypto_kdf {
	uint64_t opslimit;
	uint64_t memlimit;
	uint8_t salt[BWCRYPTO_SALTBYTES];
};
/* The defaults for a new repository (libsodium's "interactive" limits: about 64 MiB, well under a second). */
void bwcrypto_kdf_defaults(struct bwcrypto_kdf *k);
/* Derives a key-encryption key from a passphrase; fails on out of memory or absurd limits (a damaged config). */
int bwcrypto_kdf_passphrase(const struct bwcrypto_kdf *k, const char *pass, size_t n, uint8_t kek[BWCRYPTO_KEYBYTES],
			    struct err *e);
/* Derives a key-encryption key from a key file's bytes (already strong: no stretching needed). */
void bwcrypto_kdf_keyfile(const uint8_t salt[BWCRYPTO_SALTBYTES], const void *p, size_t n,
			  uint8_t kek[BWCRYPTO_KEYBYTES]);

/* Lowercase hex of n bytes into out (2n+1 bytes). */
void bwcrypto_hex(const uint8_t *p, size_t n, char *out);
/* Parses exactly 2n hex digits; -1 otherwise. */
int bwcrypto_unhex(const char *s, uint8_t *out, size_t n);
/* Overwrites secrets. */
void bwcrypto_wipe(void *p, size_t n);

#endif
