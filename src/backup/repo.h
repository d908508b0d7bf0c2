/*
 * repo.h: the backup repository. A repository is a directory (later: an S3
 * prefix, through src/storage) holding content-addressed, zstd-compressed,
 * checksummed (optionally encrypted) chunks and one manifest per snapshot.
 * Data is cut by content-defined chunking, so an unchanged table costs no new
 * chunks in the next snapshot. The format is documented in
 * doc/repository-format.md.
 *
 * Atomicity: chunks are written first, the manifest last (temp + fsync +
 * rename + directory fsync); a snapshot is visible only once its manifest is.
 * A lock file keeps two writers apart; a lock whose process is gone is stale
 * and is taken over.
 *
 * Threads: a snap_writer may have several streams open at once, each used by
 * one thread (parallel table dumps); the writer serialises what it shares,
 * and a pool of worker threads inside it hashes, compresses, encrypts and
 * stores chunks. Reading (repo_list_snapshots aside, which uses the arena) is
 * safe from several threads at once: snap_stream_read allocates nothing
 * shared.
 */
#ifndef BW_REPO_H
#define BW_REPO_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/err.h"

struct repo;
struct snap_writer;
struct stream_writer;

struct repo_key_opts {
	const char *key_file;     /* path to a key file, or NULL */
	const char *passphrase;   /* or NULL; BLASTWALL_PASSPHRASE / BLASTWALL_KEY_FILE env are read when both are NULL */
};

struct repo_init_opts {
	bool encrypt;
	struct repo_key_opts key;
	int zstd_level;           /* 0 = default (1) */
};

int repo_init(const char *path, const struct repo_init_opts *o, struct err *e);
/* Opens an existing repository; fails with a clear message when path is not one or the key is wrong. */
int repo_open(struct arena *a, const char *path, const struct repo_key_opts *k, struct repo **out, struct err *e);
/* Closes (also registered on the arena). */
void repo_close(struct repo *r);
const char *repo_path(const struct repo *r);

/*
 * Exclusive writer lock (backup, forget, prune). Stale locks (dead pid on this
 * host, or older than 24 hours from another host) are taken over with a
 * warning. snap_begin takes the lock itself when the caller does not hold it.
 */
int repo_lock(struct repo *r, const char *purpose, struct err *e);
void repo_unlock(struct repo *r);

/* Writing one snapshot. */
int snap_begin(struct repo *r, struct snap_writer **out, struct err *e);
/* Opens a named stream ("schema.sql", "data/public.users.0"); names are unique within a snapshot. */
int snap_stream_open(struct snap_writer *w, const char *name, struct stream_writer **out, struct err *e);
int stream_write(struct stream_writer *s, const void *p, size_t n, struct err *e);
struct stream_info {
	uint64_t bytes;        /* uncompressed */
	uint64_t chunks;
	uint64_t new_chunks;   /* not already in the repository */
	uint64_t stored_bytes; /* compressed bytes newly written */
	char checksum[65];     /* the stream's checksum as the manifest records it (hex; see repository-format.md) */
};
int stream_close(struct stream_writer *s, struct stream_info *info, struct err *e);
/*
 * Writes the manifest: meta (owned by the caller, not stolen) is stored under
 * "meta" next to the streams the repository records. id_out receives the
 * snapshot id (hex). After commit or abort the writer is gone, also when
 * commit fails (do not call snap_abort after a failed commit). Commit fails
 * when a stream is still open or any stream failed.
 */
int snap_commit(struct snap_writer *w, json_t *meta, char id_out[65], struct err *e);
void snap_abort(struct snap_writer *w);

/* Reading. */
struct snapshot_info {
	const char *id;        /* full hex id */
	int64_t time;          /* unix seconds, UTC */
	json_t *manifest;      /* the whole manifest (borrowed: freed with the arena) */
};
/* All snapshots, oldest first. */
int repo_list_snapshots(struct repo *r, struct arena *a, struct snapshot_info **out, size_t *n, struct err *e);
/* "latest", a full id or a unique id prefix. */
int repo_find_snapshot(struct repo *r, struct arena *a, const char *ref, struct snapshot_info *out, struct err *e);
/* Names of the streams in a snapshot, in stored order. */
int snap_stream_names(const struct snapshot_info *s, struct arena *a, const char ***names, size_t *n, struct err *e);
/*
 * Streams one stream's bytes to sink, verifying every chunk (checksum,
 * authentication, content hash, size) before handing it over; a damaged chunk
 * fails naming it, and no byte of a damaged chunk reaches the sink. At the
 * end the stream's checksum and length are compared (manifest version 1: the
 * SHA-256 of the bytes; 2: the SHA-256 of the (id, length) list of the chunks
 * actually delivered). That last check runs after the sink consumed every
 * byte: on failure the caller must discard what the sink wrote (restores
 * abort the COPY / transaction or remove the temporary file).
 */
int snap_stream_read(struct repo *r, const struct snapshot_info *s, const char *name,
		     int (*sink)(void *ctx, const void *p, size_t n, struct err *e), void *ctx, struct err *e);

/* Drill results kept with the backups. */
int repo_put_drill(struct repo *r, json_t *result, struct err *e);
int repo_list_drills(struct repo *r, struct arena *a, json_t **array_out, struct err *e);

#endif
