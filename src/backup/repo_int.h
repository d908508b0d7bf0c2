/*
 * repo_int.h: what the files of src/backup share about a repository's
 * internals (repo.c, forget.c, verify/prune code). Commands use repo.h and
 * repo_admin.h, never this.
 */
#ifndef BW_BACKUP_REPO_INT_H
#define BW_BACKUP_REPO_INT_H

#include <pthread.h>

#include "backup/chunker.h"
#include "backup/crypto.h"
#include "backup/object.h"
#include "backup/repo.h"
#include "storage/storage.h"

#define REPO_FORMAT_NAME "blastwall repository"
/*
 * Config versions. 1: object ids are BLAKE2b-256 (keyed in an encrypted
 * repository). 2: object ids are SHA-256 (HMAC-SHA-256 in an encrypted
 * repository), which the CPU's SHA instructions compute about 1.6 times as
 * fast; the config names the hash in "id_hash". New repositories are 2; both
 * are read, and an older blastwall refuses a 2 instead of misreading it.
 */
#define REPO_VERSION 2
/*
 * Snapshot manifests have their own version. 1: each stream records the
 * SHA-256 of its bytes ("sha256"). 2: each stream records
 * "chunk_list_sha256", the SHA-256 of its chunk list (see
 * repo_chunk_list_sum), so a backup no longer hashes every byte twice (the
 * chunk ids already hash them). New snapshots are written as 2; both are read.
 */
#define REPO_MANIFEST_VERSION 2
#define REPO_MANIFEST_MIN_VERSION 1
#define REPO_MANIFEST_MAX (512u << 20)
#define REPO_DRILL_MAX (16u << 20)

struct repo {
	struct arena *a;
	struct storage *st;
	const char *path; /* as the user gave it: messages name it */
	char id_hex[33];
	int version;                        /* of the config */
	int zstd_level;
	struct chunker chunker;
	bool sha256_ids;                    /* object ids: (HMAC-)SHA-256, else BLAKE2b */
	struct bwcrypto_sha256 hmac_in;     /* encrypted, sha256_ids: SHA-256 state after the key xor ipad block */
	struct bwcrypto_sha256 hmac_out;    /* ... and after the key xor opad block */
	bool encrypted;
	uint8_t enc_key[BWCRYPTO_KEYBYTES]; /* valid when encrypted */
	uint8_t id_key[BWCRYPTO_KEYBYTES];  /* valid when encrypted */
	pthread_mutex_t mu;                 /* guards locked, hb_stop */
	bool locked;
	/* while locked, a heartbeat thread refreshes the lock's time (see lock.h) */
	pthread_t hb;
	pthread_cond_t hb_cv;
	bool hb_running, hb_stop;
	char purpose[64];
	bool closed;
};

/*
 * An object's id (chunks: the hash of the plaintext; snapshots: of the
 * manifest text), as the repository's config says: see REPO_VERSION.
 * Keyed with the secret id key when the repository is encrypted.
 */
void repo_object_id(const struct repo *r, const void *p, size_t n, uint8_t out[32]);
static inline const uint8_t *repo_enc_key(const struct repo *r)
{
	return r->encrypted ? r->enc_key : NULL;
}

/*
 * The chunk-list checksum of a version 2 stream: SHA-256 over, for every
 * chunk in order, its 32-byte raw id then its length as 8 bytes little
 * endian. Fold chunks one at a time (init, add..., final).
 */
void repo_chunk_list_sum_init(struct bwcrypto_sha256 *h);
void repo_chunk_list_sum_add(struct bwcrypto_sha256 *h, const uint8_t id[32], uint64_t len);

/* "data/ab/abcdef..." for a chunk id (65-byte hex). */
void repo_chunk_key(const char *hex, char out[80]);

/* Fetches and decodes one object; the plaintext is copied into out. STORAGE_NOT_FOUND when absent. */
int repo_get_object(struct repo *r, struct obj_scratch *s, int kind, const char *key, size_t max, struct buf *out,
		    struct err *e);

#endif
