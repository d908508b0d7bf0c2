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
#define REPO_VERSION 1
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
	int zstd_level;
	struct chunker chunker;
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

/* The key chunk ids are hashed with: NULL (plain BLAKE2b) when unencrypted. */
static inline const uint8_t *repo_id_key(const struct repo *r)
{
	return r->encrypted ? r->id_key : NULL;
}
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
