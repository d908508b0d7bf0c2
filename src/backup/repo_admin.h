/*
 * repo_admin.h: repository maintenance for the commands (snapshots, verify,
 * forget, prune, repo unlock) and the test tools: lower-level than repo.h,
 * which is what backup/restore/drill code uses.
 */
#ifndef BW_BACKUP_REPO_ADMIN_H
#define BW_BACKUP_REPO_ADMIN_H

#include "backup/repo.h"
#include "common/buf.h"

/* Facts from the config, for 'repo info' and messages. */
struct repo_facts {
	const char *id;
	int version;
	bool encrypted;
	const char *id_hash;  /* what names objects: "sha256", "hmac-sha256", "blake2b-256", "blake2b-256-keyed" */
	int zstd_level;
	size_t chunk_min, chunk_avg, chunk_max;
};
void repo_get_facts(const struct repo *r, struct repo_facts *f);

/* Ids (hex) of every stored snapshot manifest, damaged ones included, in no order. */
int repo_snapshot_ids(struct repo *r, struct arena *a, char ***ids, size_t *n, struct err *e);
/*
 * Resolves a reference to a stored manifest's id: "latest", a full id or a
 * unique prefix; ids are matched by name without reading the manifest, so a
 * damaged one can be named (forget).
 */
int repo_resolve_snapshot(struct repo *r, struct arena *a, const char *ref, const char **id, struct err *e);
/*
 * Loads and checks one manifest by full id. Returns REPO_NEWER when a newer
 * blastwall wrote it (not damage: verify --repair leaves it alone), another
 * negative value when it is missing or damaged.
 */
int repo_load_snapshot(struct repo *r, struct arena *a, const char *id, struct snapshot_info *out, struct err *e);
#define REPO_NEWER (-10)
/*
 * Checks a decoded manifest's structure (the fields the repository relies
 * on); max_chunk bounds chunk sizes. Used by loading and by the fuzzer.
 * REPO_NEWER for a manifest version above the one this blastwall writes.
 */
int repo_manifest_check(json_t *m, size_t max_chunk, struct err *e);

/* Calls fn for every stored chunk: its id (hex) and stored size. */
int repo_list_chunks(struct repo *r, int (*fn)(void *ctx, const char *id, uint64_t size, int64_t mtime), void *ctx,
		     struct err *e);
/* Reads one chunk and checks everything: checksum, authentication, decompression, that its content hashes to its id. */
int repo_check_chunk(struct repo *r, const char *id, struct err *e);
/* Deletes a chunk / a snapshot manifest (the caller holds the lock). Durable after repo_sync. */
int repo_delete_chunk(struct repo *r, const char *id, struct err *e);
int repo_forget_snapshot(struct repo *r, const char *id, struct err *e);
int repo_sync(struct repo *r, struct err *e);
/*
 * Moves a damaged object (a chunk or manifest key) to quarantine/ so that the
 * next backup stores that chunk afresh instead of deduplicating against the
 * damaged copy. Nothing is deleted. The caller holds the lock.
 */
int repo_quarantine(struct repo *r, const char *key, struct err *e);
/* Removes temporary files older than max_age seconds (left by killed writers). */
int repo_clean_temp(struct repo *r, int64_t max_age, uint64_t *removed, struct err *e);

/* What prune found and did. */
struct prune_stats {
	uint64_t snapshots;          /* manifests read */
	uint64_t chunks, bytes;      /* stored before */
	uint64_t removed, removed_bytes;
	uint64_t temp_removed;       /* temporary files of killed writers */
};
/*
 * Deletes every chunk no snapshot uses (with dry_run only counts them). The
 * caller holds the lock, so no backup is adding chunks meanwhile. Refuses
 * when a manifest cannot be read: the chunks it names are unknown.
 */
int repo_prune(struct repo *r, bool dry_run, struct prune_stats *st, struct err *e);

/* The lock, as 'repo unlock' and messages see it. state: 0 none, 1 live, 2 stale, 3 this process. */
int repo_lock_state(struct repo *r, int *state, char *desc, size_t descn, struct err *e);
int repo_lock_remove(struct repo *r, struct err *e);

/*
 * The options every repository command takes: --repo PATH, --key-file F,
 * --passphrase-file F. REPO_ARGS_OPTIONS goes into the command's
 * getopt_long table (it needs <getopt.h>); repo_args_set takes option 'r',
 * 'k' or 'p' into ra.
 */
struct repo_args {
	const char *repo, *key_file, *pass_file;
};
#define REPO_ARGS_OPTIONS                                                                            \
	{ "repo", required_argument, NULL, 'r' }, { "key-file", required_argument, NULL, 'k' },      \
		{ "passphrase-file", required_argument, NULL, 'p' }
void repo_args_set(struct repo_args *ra, int opt, const char *arg);
/* The repository path: --repo, else $BLASTWALL_REPO; else a usage error (e->code 2) that says so. */
int repo_args_path(const struct repo_args *ra, const char **path, struct err *e);
/*
 * Resolves the repository and key the way every command does: --repo PATH
 * (or $BLASTWALL_REPO), --key-file F / --passphrase-file F (or
 * $BLASTWALL_KEY_FILE / $BLASTWALL_PASSPHRASE / $BLASTWALL_PASSPHRASE_FILE).
 */
int repo_open_cli(struct arena *a, const struct repo_args *ra, struct repo **out, struct err *e);
/*
 * Opens a repository for lock maintenance only (no key needed, even when it
 * is encrypted): only repo_lock_state, repo_lock_remove and repo_path may be
 * used on the result.
 */
int repo_open_nokey(struct arena *a, const char *path, struct repo **out, struct err *e);
/* Reads a passphrase file (trailing newlines dropped) into the arena. */
int repo_read_passphrase_file(struct arena *a, const char *path, const char **out, struct err *e);

/* Human sizes: "1.5 MiB". */
const char *repo_human_bytes(struct arena *a, uint64_t n);

#endif
