/*
 * storage.h: where repository objects live. The repository logic
 * (src/backup) sees only keys ("config", "data/ab/abcd...", "snapshots/...")
 * and byte strings; a driver maps them to a medium. The POSIX driver
 * (posix.c) maps a key to a file below a root directory; an S3 driver can map
 * it to an object below a bucket prefix without the layers above changing.
 *
 * Invariants every driver keeps:
 *  - storage_put is all or nothing: after a crash, a reader sees the old
 *    object, the new one, or (for a new key) nothing, never a prefix.
 *  - storage_put returns only once the object is durable, except with
 *    STORAGE_DEFER_SYNC, where durability of the name may wait until the next
 *    storage_flush (the data itself is always synced before it is named).
 *  - storage_list never reports temporary files or half-written objects.
 *  - Every function is safe to call from several threads at once.
 *
 * Keys are relative, '/'-separated, without "." or ".." components and
 * without a leading '.' in any component (such names are reserved for a
 * driver's temporary files).
 */
#ifndef BW_STORAGE_H
#define BW_STORAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/buf.h"
#include "common/err.h"

/* Returned (besides -1) by functions that look an object up. */
#define STORAGE_NOT_FOUND (-2)
#define STORAGE_EXISTS (-3)

/* storage_put flags */
#define STORAGE_DEFER_SYNC 1u /* the directory entry may be synced later, by storage_flush */
#define STORAGE_EXCLUSIVE 2u  /* fail with STORAGE_EXISTS when the key exists (lock files) */

struct storage_stat {
	uint64_t size;
	int64_t mtime; /* unix seconds */
};

/* Called once per key under a prefix, in no particular order; a non-zero return stops the listing and is returned. */
typedef int (*storage_list_fn)(void *ctx, const char *key, const struct storage_stat *st);

struct storage;

struct storage_ops {
	const char *name;
	int (*put)(struct storage *s, const char *key, const void *p, size_t n, unsigned flags, struct err *e);
	int (*get)(struct storage *s, const char *key, struct buf *out, size_t max, struct err *e);
	int (*stat)(struct storage *s, const char *key, struct storage_stat *st, struct err *e);
	int (*list)(struct storage *s, const char *prefix, storage_list_fn fn, void *ctx, struct err *e);
	int (*del)(struct storage *s, const char *key, struct err *e);
	int (*rename)(struct storage *s, const char *from, const char *to, bool replace, struct err *e);
	int (*flush)(struct storage *s, struct err *e);
	/* Removes temporary files older than max_age seconds (left by a killed writer). */
	int (*clean_temp)(struct storage *s, int64_t max_age, uint64_t *removed, struct err *e);
	void (*close)(struct storage *s);
};

struct storage {
	const struct storage_ops *ops;
	const char *url; /* how messages name the storage: a path or s3://bucket/prefix */
	void *priv;
};

/* True when url names a remote store ("s3://bucket/prefix") rather than a local path. */
bool storage_is_remote(const char *url);
/*
 * Opens the storage a URL names: a local path (POSIX driver), or a remote
 * store, for which no driver exists yet: that fails with a clear message.
 */
int storage_open(struct arena *a, const char *url, bool create, struct storage **out, struct err *e);

/*
 * Opens a directory as POSIX storage. The directory must exist unless create
 * is set. The storage is closed when the arena is released.
 */
int storage_posix_open(struct arena *a, const char *root, bool create, struct storage **out, struct err *e);

/* Stores n bytes under key (see the flags above). */
int storage_put(struct storage *s, const char *key, const void *p, size_t n, unsigned flags, struct err *e);
/* Appends the object to out; STORAGE_NOT_FOUND when absent, -1 on other errors or when larger than max. */
int storage_get(struct storage *s, const char *key, struct buf *out, size_t max, struct err *e);
/* 0 and *st filled, STORAGE_NOT_FOUND, or -1. */
int storage_stat(struct storage *s, const char *key, struct storage_stat *st, struct err *e);
/* 1 when present, 0 when absent, -1 on error. */
int storage_exists(struct storage *s, const char *key, struct err *e);
/* Lists every object whose key starts with prefix + "/" (recursively). */
int storage_list(struct storage *s, const char *prefix, storage_list_fn fn, void *ctx, struct err *e);
/* Deletes key; deleting an absent key is not an error. */
int storage_delete(struct storage *s, const char *key, struct err *e);
/* Renames atomically; without replace, fails with STORAGE_EXISTS when to exists. */
int storage_rename(struct storage *s, const char *from, const char *to, bool replace, struct err *e);
/* Makes every STORAGE_DEFER_SYNC put so far durable. */
int storage_flush(struct storage *s, struct err *e);
int storage_clean_temp(struct storage *s, int64_t max_age, uint64_t *removed, struct err *e);

/* True when key is well formed (see above). */
bool storage_key_valid(const char *key);

#endif
