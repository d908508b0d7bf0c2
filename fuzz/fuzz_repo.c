/*
 * fuzz_repo.c: libFuzzer target for the repository's readers: the object
 * envelope decoder (checksum, flags, decryption, decompression), the
 * manifest checker behind every snapshot load, and the chunker. The first
 * byte picks what to feed:
 *   0  the bytes as a stored object, as they are (the checksum gate)
 *   1  the bytes as header + payload, with a valid checksum appended, so
 *      that the decoder's later stages (decrypt, zstd) see hostile input
 *   2  the bytes as manifest JSON for repo_manifest_check
 *   3  the bytes as a repository config (JSON; its checksum is fixed up so
 *      that the fields behind it are reached), opened with a key file
 *   4  the bytes through the chunker, checking its bounds
 * Invariants: no crash, a decoded object never exceeds the bound asked for,
 * a failure always has a message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backup/chunker.h"
#include "backup/crypto.h"
#include "backup/object.h"
#include "backup/repo_admin.h"

static const uint8_t key[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
				 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32 };

static void decode(const uint8_t *p, size_t n, int kind, const uint8_t *k)
{
	struct obj_scratch s = { 0 };
	struct err e;
	err_init(&e);
	const uint8_t *out;
	size_t outn;
	size_t max = 1 << 20;
	if (obj_decode(&s, kind, p, n, k, max, "fuzz", &out, &outn, &e) == 0) {
		if (outn > max)
			abort();
		if (kind == OBJ_SNAPSHOT) {
			json_error_t je;
			json_t *m = json_loadb((const char *)out, outn, 0, &je);
			if (m) {
				repo_manifest_check(m, 4 << 20, &e);
				json_decref(m);
			}
		}
	} else if (!e.msg[0])
		abort();
	obj_scratch_release(&s);
}

static char dir[64];

/* Writes the config (checksum recomputed) into a scratch repository and opens it. */
static void open_config(const uint8_t *p, size_t n)
{
	json_error_t je;
	json_t *cfg = json_loadb((const char *)p, n, 0, &je);
	if (!json_is_object(cfg)) {
		json_decref(cfg);
		return;
	}
	json_object_del(cfg, "checksum");
	char *canon = json_dumps(cfg, JSON_COMPACT | JSON_SORT_KEYS);
	if (canon) {
		uint8_t h[32];
		char hex[65];
		bwcrypto_hash(NULL, canon, strlen(canon), h);
		bwcrypto_hex(h, 32, hex);
		json_object_set_new(cfg, "checksum", json_string(hex));
		free(canon);
	}
	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "/tmp/fuzz-repo-%d", (int)getpid());
		mkdir(dir, 0700);
		char kf[96];
		snprintf(kf, sizeof(kf), "%s.key", dir);
		FILE *f = fopen(kf, "w");
		if (f) {
			fputs("0123456789abcdef0123456789abcdef\n", f);
			fclose(f);
		}
	}
	char path[96], kf[96];
	snprintf(path, sizeof(path), "%s/config", dir);
	snprintf(kf, sizeof(kf), "%s.key", dir);
	if (json_dump_file(cfg, path, 0) == 0) {
		struct arena *a = arena_new();
		struct repo *r;
		struct err e;
		err_init(&e);
		struct repo_key_opts k = { .key_file = kf };
		if (repo_open(a, dir, &k, &r, &e) < 0 && !e.msg[0])
			abort();
		arena_free(a);
	}
	json_decref(cfg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	bwcrypto_init();
	uint8_t mode = data[0] % 5, sel = data[1];
	data += 2;
	size -= 2;
	const uint8_t *k = (sel & 1) ? key : NULL;
	int kind = (sel & 6) == 0 ? OBJ_CHUNK : (sel & 6) == 2 ? OBJ_SNAPSHOT : OBJ_DRILL;
	switch (mode) {
	case 0:
		decode(data, size, kind, k);
		break;
	case 1: {
		uint8_t *obj = malloc(size + OBJ_TRAILER + 1);
		memcpy(obj, data, size);
		bwcrypto_hash(NULL, obj, size, obj + size);
		decode(obj, size + OBJ_TRAILER, kind, k);
		free(obj);
		break;
	}
	case 2: {
		json_error_t je;
		json_t *m = json_loadb((const char *)data, size, 0, &je);
		if (m) {
			struct err e;
			err_init(&e);
			if (repo_manifest_check(m, 4 << 20, &e) < 0 && !e.msg[0])
				abort();
			json_decref(m);
		}
		break;
	}
	case 3:
		open_config(data, size);
		break;
	case 4: {
		struct chunker c;
		if (chunker_init(&c, 64, 256, 1024, sel) < 0)
			abort();
		size_t off = 0;
		while (off < size) {
			size_t cut = chunker_cut(&c, data + off, size - off, true);
			if (cut == 0 || cut > size - off || cut > c.max || (cut < c.min && cut != size - off))
				abort();
			off += cut;
		}
		break;
	}
	}
	return 0;
}
