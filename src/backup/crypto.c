/* crypto.c: thin wrappers over libsodium (see crypto.h for the choices). */
#include "backup/crypto.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES == BWCRYPTO_NONCEBYTES, "nonce size");
_Static_assert(crypto_aead_xchacha20poly1305_ietf_ABYTES == BWCRYPTO_TAGBYTES, "tag size");
_Static_assert(crypto_pwhash_SALTBYTES == BWCRYPTO_SALTBYTES, "salt size");

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init_once(void)
{
	if (sodium_init() < 0)
		BUG("libsodium failed to initialise");
}

void bwcrypto_init(void)
{
	pthread_once(&once, init_once);
}

void bwcrypto_random(void *p, size_t n)
{
	bwcrypto_init();
	randombytes_buf(p, n);
}

void bwcrypto_hash(const uint8_t key[BWCRYPTO_KEYBYTES], const void *p, size_t n, uint8_t out[BWCRYPTO_HASHBYTES])
{
	crypto_generichash(out, BWCRYPTO_HASHBYTES, p, n, key, key ? BWCRYPTO_KEYBYTES : 0);
}

void bwcrypto_seal(const uint8_t key[BWCRYPTO_KEYBYTES], const void *ad, size_t adn, const void *p, size_t n,
		   uint8_t *out)
{
	bwcrypto_init();
	randombytes_buf(out, BWCRYPTO_NONCEBYTES);
	unsigned long long clen = 0;
	crypto_aead_xchacha20poly1305_ietf_encrypt(out + BWCRYPTO_NONCEBYTES, &clen, p, n, ad, adn, NULL, out, key);
}

int bwcrypto_open(const uint8_t key[BWCRYPTO_KEYBYTES], const void *ad, size_t adn, const uint8_t *c, size_t n,
		  uint8_t *out)
{
	if (n < BWCRYPTO_OVERHEAD)
		return -1;
	unsigned long long plen = 0;
	return crypto_aead_xchacha20poly1305_ietf_decrypt(out, &plen, NULL, c + BWCRYPTO_NONCEBYTES,
							  n - BWCRYPTO_NONCEBYTES, ad, adn, c, key) == 0
		       ? 0
		       : -1;
}

void bwcrypto_kdf_defaults(struct bwcrypto_kdf *k)
{
	k->opslimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
	k->memlimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;
	bwcrypto_random(k->salt, sizeof(k->salt));
}

int bwcrypto_kdf_passphrase(const struct bwcrypto_kdf *k, const char *pass, size_t n, uint8_t kek[BWCRYPTO_KEYBYTES],
			    struct err *e)
{
	bwcrypto_init();
	/* bounds keep a damaged or hostile config from asking for terabytes */
	if (k->opslimit < crypto_pwhash_OPSLIMIT_MIN || k->opslimit > 64 || k->memlimit < crypto_pwhash_MEMLIMIT_MIN ||
	    k->memlimit > (4ULL << 30))
		return err_set(e, "the repository's key derivation parameters are out of range (damaged config?)");
	if (crypto_pwhash(kek, BWCRYPTO_KEYBYTES, pass, n, k->salt, k->opslimit, (size_t)k->memlimit,
			  crypto_pwhash_ALG_ARGON2ID13) != 0)
		return err_set(e, "cannot derive the key from the passphrase: out of memory (Argon2id needs %llu MiB)",
			       (unsigned long long)(k->memlimit >> 20));
	return 0;
}

void bwcrypto_kdf_keyfile(const uint8_t salt[BWCRYPTO_SALTBYTES], const void *p, size_t n,
			  uint8_t kek[BWCRYPTO_KEYBYTES])
{
	crypto_generichash_state st;
	static const char domain[] = "blastwall key file v1";
	crypto_generichash_init(&st, NULL, 0, BWCRYPTO_KEYBYTES);
	crypto_generichash_update(&st, (const unsigned char *)domain, sizeof(domain));
	crypto_generichash_update(&st, salt, BWCRYPTO_SALTBYTES);
	crypto_generichash_update(&st, p, n);
	crypto_generichash_final(&st, kek, BWCRYPTO_KEYBYTES);
	sodium_memzero(&st, sizeof(st));
}

void bwcrypto_hex(const uint8_t *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int bwcrypto_unhex(const char *s, uint8_t *out, size_t n)
{
	if (!s || strlen(s) != 2 * n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

void bwcrypto_wipe(void *p, size_t n)
{
	sodium_memzero(p, n);
}
