/*
 * object.h: the envelope of every stored object except config and the lock
 * (chunks, snapshot manifests, drill results):
 *
 *   0  "BWOB"                 magic
 *   4  u8  version (1)
 *   5  u8  kind ('c' chunk, 's' snapshot manifest, 'd' drill result)
 *   6  u8  flags (1 = zstd-compressed, 2 = encrypted)
 *   7  u8  0
 *   8  u64 little-endian length of the plaintext
 *  16  payload: the (compressed) plaintext; when encrypted, nonce(24) +
 *      XChaCha20-Poly1305 ciphertext + tag(16) with the 16-byte header as
 *      associated data
 *  -32 BLAKE2b-256 of all the bytes before it (unkeyed)
 *
 * The unkeyed trailing checksum finds damage without a key and tells damage
 * ("checksum mismatch") from tampering ("does not authenticate"). Decoding
 * never returns bytes that failed a check.
 *
 * Scratch buffers and zstd contexts live in struct obj_scratch, one per
 * thread, so that a hot loop does not allocate.
 */
#ifndef BW_BACKUP_OBJECT_H
#define BW_BACKUP_OBJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define OBJ_HEADER 16
#define OBJ_TRAILER 32
#define OBJ_VERSION 1

enum obj_kind { OBJ_CHUNK = 'c', OBJ_SNAPSHOT = 's', OBJ_DRILL = 'd' };

#define OBJ_F_ZSTD 1u
#define OBJ_F_ENCRYPTED 2u

struct obj_scratch {
	uint8_t *a, *b;
	size_t acap, bcap;
	void *cctx; /* ZSTD_CCtx */
	void *dctx; /* ZSTD_DCtx */
};

void obj_scratch_release(struct obj_scratch *s);

/*
 * Encodes n bytes of plaintext as an object of the given kind, compressed at
 * level (when that makes it smaller) and encrypted under key (when not NULL).
 * *out points into the scratch and stays valid until its next use.
 */
void obj_encode(struct obj_scratch *s, int kind, const void *p, size_t n, int level, const uint8_t *key,
		const uint8_t **out, size_t *outn);

/*
 * Checks and decodes a stored object named name (for messages). max bounds
 * the plaintext length. key is the repository's encryption key, NULL when
 * unencrypted. *out points into the scratch. Fails, naming the object, when
 * anything does not check out.
 */
int obj_decode(struct obj_scratch *s, int kind, const uint8_t *p, size_t n, const uint8_t *key, size_t max,
	       const char *name, const uint8_t **out, size_t *outn, struct err *e);

#endif
