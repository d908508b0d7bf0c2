/*
 * repo.c: the backup repository (format in doc/repository-format.md).
 *
 * Layout below the storage root:
 *   config                 JSON: format, version, id, chunker, compression, keys
 *   data/ab/<id>           chunks, named by the object id of their plaintext (repo_object_id)
 *   snapshots/<id>         manifests, named by the object id of their JSON
 *   drills/<time>-<rand>   drill results
 *   locks/writer           the writer lock
 *
 * Writing: snap_begin takes the lock (unless the caller holds it) and lists
 * data/ into an in-memory set of known chunk ids, so a chunk already stored is
 * never written again. Streams cut their bytes into chunks in the writing
 * thread; the set is shared under the writer's mutex, while hashing,
 * compression, encryption and I/O happen outside it. A chunk id is added to
 * the set before the chunk is written, so two streams never both write it; if
 * a write fails the whole writer is marked failed and cannot commit, which
 * keeps "in the set" meaning "stored" for every committed snapshot.
 *
 * Ownership: struct repo and what repo_* functions return live in the
 * caller's arena; writers and streams are malloc'd (they are used from
 * several threads, the arena is not thread-safe) and freed by commit/abort.
 */
#include "backup/repo.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backup/lock.h"
#include "backup/repo_admin.h"
#include "backup/repo_int.h"
#include "common/buf.h"
#include "common/fs.h"

/* ---------- small helpers ---------- */

/* h = SHA-256 state after one block: the 32-byte key padded to 64 bytes, every byte xor fill. */
static void hmac_key_block(struct bwcrypto_sha256 *h, const uint8_t key[32], uint8_t fill)
{
	uint8_t pad[64];
	memset(pad, fill, sizeof(pad));
	for (size_t i = 0; i < 32; i++)
		pad[i] ^= key[i];
	bwcrypto_sha256_init(h);
	bwcrypto_sha256_update(h, pad, sizeof(pad));
	bwcrypto_wipe(pad, sizeof(pad));
}

void repo_object_id(const struct repo *r, const void *p, size_t n, uint8_t out[32])
{
	if (!r->sha256_ids) {
		bwcrypto_hash(r->encrypted ? r->id_key : NULL, p, n, out);
		return;
	}
	struct bwcrypto_sha256 h;
	if (!r->encrypted) {
		bwcrypto_sha256_init(&h);
		bwcrypto_sha256_update(&h, p, n);
		bwcrypto_sha256_final(&h, out);
		return;
	}
	uint8_t inner[32];
	h = r->hmac_in;
	bwcrypto_sha256_update(&h, p, n);
	bwcrypto_sha256_final(&h, inner);
	h = r->hmac_out;
	bwcrypto_sha256_update(&h, inner, sizeof(inner));
	bwcrypto_sha256_final(&h, out);
}

void repo_chunk_key(const char *hex, char out[80])
{
	snprintf(out, 80, "data/%.2s/%s", hex, hex);
}

void repo_chunk_list_sum_init(struct bwcrypto_sha256 *h)
{
	bwcrypto_sha256_init(h);
}

void repo_chunk_list_sum_add(struct bwcrypto_sha256 *h, const uint8_t id[32], uint64_t len)
{
	uint8_t rec[40];
	memcpy(rec, id, 32);
	for (int i = 0; i < 8; i++)
		rec[32 + i] = (uint8_t)(len >> (8 * i)); /* little endian whatever the host */
	bwcrypto_sha256_update(h, rec, sizeof(rec));
}

static bool is_hex_id(const char *s)
{
	if (!s || strlen(s) != 64)
		return false;
	for (int i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static void hostname_of(char *out, size_t n)
{
	if (gethostname(out, n) < 0 || !out[0])
		snprintf(out, n, "unknown");
	out[n - 1] = '\0';
}

const char *repo_human_bytes(struct arena *a, uint64_t n)
{
	static const char *units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	if (n < 1024)
		return arena_printf(a, "%llu B", (unsigned long long)n);
	double v = (double)n;
	unsigned u = 0;
	while (v >= 1024 && u + 1 < ARRAY_SIZE(units)) {
		v /= 1024;
		u++;
	}
	return arena_printf(a, "%.1f %s", v, units[u]);
}

static bool dir_empty(const char *path)
{
	DIR *d = opendir(path);
	if (!d)
		return false;
	struct dirent *de;
	bool empty = true;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
			empty = false;
			break;
		}
	}
	closedir(d);
	return empty;
}

static void json_decref_cb(void *p)
{
	json_decref(p);
}

/* ---------- a set of 32-byte ids (open addressing) ---------- */

struct idset {
	uint8_t (*slot)[32];
	uint8_t *used;
	size_t cap, n;
};

static size_t idset_pos(const struct idset *s, const uint8_t *id)
{
	uint64_t h;
	memcpy(&h, id, 8); /* ids are hashes: any 8 bytes are uniform */
	return (size_t)h & (s->cap - 1);
}

static bool idset_has(const struct idset *s, const uint8_t *id)
{
	if (!s->cap)
		return false;
	for (size_t i = idset_pos(s, id);; i = (i + 1) & (s->cap - 1)) {
		if (!s->used[i])
			return false;
		if (memcmp(s->slot[i], id, 32) == 0)
			return true;
	}
}

static void idset_add(struct idset *s, const uint8_t *id);

static void idset_grow(struct idset *s)
{
	struct idset old = *s;
	s->cap = old.cap ? old.cap * 2 : 1024;
	s->slot = xcalloc(s->cap, 32);
	s->used = xcalloc(s->cap, 1);
	s->n = 0;
	for (size_t i = 0; i < old.cap; i++)
		if (old.used[i])
			idset_add(s, old.slot[i]);
	free(old.slot);
	free(old.used);
}

/* Adds id; returns nothing: callers check idset_has first when it matters. */
static void idset_add(struct idset *s, const uint8_t *id)
{
	if ((s->n + 1) * 2 > s->cap)
		idset_grow(s);
	for (size_t i = idset_pos(s, id);; i = (i + 1) & (s->cap - 1)) {
		if (!s->used[i]) {
			s->used[i] = 1;
			memcpy(s->slot[i], id, 32);
			s->n++;
			return;
		}
		if (memcmp(s->slot[i], id, 32) == 0)
			return;
	}
}

static void idset_release(struct idset *s)
{
	free(s->slot);
	free(s->used);
	memset(s, 0, sizeof(*s));
}

/* ---------- config ---------- */

static char *config_canonical(json_t *cfg)
{
	json_t *copy = json_deep_copy(cfg);
	if (!copy)
		bw_oom();
	json_object_del(copy, "checksum");
	char *s = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(copy);
	if (!s)
		bw_oom();
	return s;
}

static void config_checksum(json_t *cfg, char hex[65])
{
	char *canon = config_canonical(cfg);
	uint8_t h[32];
	bwcrypto_hash(NULL, canon, strlen(canon), h);
	bwcrypto_hex(h, 32, hex);
	free(canon);
}

static void master_ad(const char *repo_id, uint8_t *ad, size_t *adn)
{
	static const char prefix[] = "blastwall master key v1:";
	memcpy(ad, prefix, sizeof(prefix) - 1);
	memcpy(ad + sizeof(prefix) - 1, repo_id, 32);
	*adn = sizeof(prefix) - 1 + 32;
}

/* A key file's bytes, trailing white space dropped (an editor's newline must not change the key). */
static int read_key_file(const char *path, struct buf *b, struct err *e)
{
	if (fs_read_all(path, 1 << 20, b, e) < 0) {
		err_wrap(e, "cannot read key file");
		return -1;
	}
	while (b->n && (b->p[b->n - 1] == '\n' || b->p[b->n - 1] == '\r' || b->p[b->n - 1] == ' ' ||
			b->p[b->n - 1] == '\t'))
		b->n--;
	if (b->n < 16) {
		err_set(e, "key file '%s' holds only %zu bytes: a key file needs at least 16 random bytes", path, b->n);
		return err_hint(e, "'blastwall repo init --encrypt --key-file F' creates a good key file when F does not exist");
	}
	return 0;
}

/* Resolves the key options with the environment fallbacks. */
static void key_from_env(const struct repo_key_opts *k, struct repo_key_opts *out)
{
	*out = k ? *k : (struct repo_key_opts){ 0 };
	if (!out->key_file && !out->passphrase) {
		const char *f = getenv("BLASTWALL_KEY_FILE");
		const char *p = getenv("BLASTWALL_PASSPHRASE");
		if (f && *f)
			out->key_file = f;
		else if (p && *p)
			out->passphrase = p;
	}
}

/* Derives the key-encryption key for one key entry; 1 when the entry is of another type than the key given. */
static int derive_kek(json_t *entry, const struct repo_key_opts *k, uint8_t kek[32], struct err *e)
{
	const char *type = json_string_value(json_object_get(entry, "type"));
	uint8_t salt[BWCRYPTO_SALTBYTES];
	if (!type || bwcrypto_unhex(json_string_value(json_object_get(entry, "salt")), salt, sizeof(salt)) < 0)
		return err_set(e, "the repository config has a damaged key entry");
	if (strcmp(type, "keyfile") == 0) {
		if (!k->key_file)
			return 1;
		struct buf b;
		buf_init(&b, 1 << 20);
		if (read_key_file(k->key_file, &b, e) < 0) {
			buf_release(&b);
			return -1;
		}
		bwcrypto_kdf_keyfile(salt, b.p, b.n, kek);
		bwcrypto_wipe(b.p, b.n);
		buf_release(&b);
		return 0;
	}
	if (strcmp(type, "passphrase") == 0) {
		if (!k->passphrase)
			return 1;
		struct bwcrypto_kdf kdf;
		json_t *ops = json_object_get(entry, "opslimit"), *mem = json_object_get(entry, "memlimit");
		if (!json_is_integer(ops) || !json_is_integer(mem) || json_integer_value(ops) < 0 ||
		    json_integer_value(mem) < 0)
			return err_set(e, "the repository config has a damaged key entry");
		kdf.opslimit = (uint64_t)json_integer_value(ops);
		kdf.memlimit = (uint64_t)json_integer_value(mem);
		memcpy(kdf.salt, salt, sizeof(salt));
		return bwcrypto_kdf_passphrase(&kdf, k->passphrase, strlen(k->passphrase), kek, e);
	}
	return 1; /* a key type from a newer version: not ours to use */
}

int repo_init(const char *path, const struct repo_init_opts *o, struct err *e)
{
	bwcrypto_init();
	struct arena *a = arena_new();
	int rc = -1;
	json_t *cfg = NULL;
	bool existed = true; /* until we know: never remove what we did not create */
	if (storage_is_remote(path)) {
		struct storage *remote;
		if (storage_open(a, path, true, &remote, e) < 0)
			goto out;
	}
	existed = fs_exists(path);
	if (existed) {
		if (!fs_is_dir(path)) {
			err_set(e, "cannot create a repository at '%s': it exists and is not a directory", path);
			goto out;
		}
		if (fs_exists(path_join(a, path, "config"))) {
			err_set(e, "'%s' is already a blastwall repository", path);
			err_hint(e, "use it as it is (--repo %s), or choose another path", path);
			goto out;
		}
		/* a non-empty directory is someone's data: never mix a repository into it */
		bool empty = dir_empty(path);
		if (!empty) {
			err_set(e, "cannot create a repository at '%s': the directory is not empty", path);
			err_hint(e, "choose a new or empty directory");
			goto out;
		}
	}
	int level = o && o->zstd_level ? o->zstd_level : 1;
	if (level < 1 || level > 19) {
		err_set(e, "zstd level %d is out of range (1-19)", level);
		goto out;
	}
	struct storage *st;
	if (storage_open(a, path, true, &st, e) < 0)
		goto out;

	uint8_t rid[16];
	char rid_hex[33];
	bwcrypto_random(rid, sizeof(rid));
	bwcrypto_hex(rid, sizeof(rid), rid_hex);
	char created[64];
	utc_text(created, (int64_t)time(NULL), UTC_ISO);
	cfg = json_pack("{s:s, s:i, s:s, s:s, s:s, s:{s:s, s:i}, s:s}", "format", REPO_FORMAT_NAME, "version",
			REPO_VERSION, "id", rid_hex, "created", created, "tool", bw_version, "compression", "algorithm",
			"zstd", "level", level, "id_hash", o && o->encrypt ? "hmac-sha256" : "sha256");
	if (!cfg)
		bw_oom();
	json_t *chunker = json_pack("{s:s, s:I, s:I, s:I}", "algorithm", "fastcdc-gear-v1", "min",
				    (json_int_t)CHUNKER_MIN_DEFAULT, "avg", (json_int_t)CHUNKER_AVG_DEFAULT, "max",
				    (json_int_t)CHUNKER_MAX_DEFAULT);
	if (!(o && o->encrypt)) {
		/* unencrypted: the gear seed is public; encrypted: it derives from the secret id key */
		uint8_t seed[8];
		char seed_hex[17];
		bwcrypto_random(seed, sizeof(seed));
		bwcrypto_hex(seed, sizeof(seed), seed_hex);
		json_object_set_new(chunker, "seed", json_string(seed_hex));
	}
	json_object_set_new(cfg, "chunker", chunker);

	if (o && o->encrypt) {
		struct repo_key_opts k;
		key_from_env(&o->key, &k);
		if (!k.key_file && !k.passphrase) {
			err_set(e, "an encrypted repository needs a key file or a passphrase");
			err_hint(e, "pass --key-file F or --passphrase-file F (or set BLASTWALL_KEY_FILE / BLASTWALL_PASSPHRASE)");
			goto out;
		}
		uint8_t master[64], kek[32], wrapped[64 + BWCRYPTO_OVERHEAD], ad[64];
		size_t adn;
		bwcrypto_random(master, sizeof(master));
		json_t *entry;
		uint8_t salt[BWCRYPTO_SALTBYTES];
		char salt_hex[2 * BWCRYPTO_SALTBYTES + 1];
		if (k.key_file) {
			bwcrypto_random(salt, sizeof(salt));
			struct buf b;
			buf_init(&b, 1 << 20);
			if (read_key_file(k.key_file, &b, e) < 0) {
				buf_release(&b);
				goto out;
			}
			bwcrypto_kdf_keyfile(salt, b.p, b.n, kek);
			bwcrypto_wipe(b.p, b.n);
			buf_release(&b);
			bwcrypto_hex(salt, sizeof(salt), salt_hex);
			entry = json_pack("{s:s, s:s}", "type", "keyfile", "salt", salt_hex);
		} else {
			if (!*k.passphrase) {
				err_set(e, "the passphrase is empty");
				goto out;
			}
			struct bwcrypto_kdf kdf;
			bwcrypto_kdf_defaults(&kdf);
			if (bwcrypto_kdf_passphrase(&kdf, k.passphrase, strlen(k.passphrase), kek, e) < 0)
				goto out;
			bwcrypto_hex(kdf.salt, sizeof(kdf.salt), salt_hex);
			entry = json_pack("{s:s, s:s, s:s, s:I, s:I}", "type", "passphrase", "kdf", "argon2id", "salt",
					  salt_hex, "opslimit", (json_int_t)kdf.opslimit, "memlimit",
					  (json_int_t)kdf.memlimit);
		}
		master_ad(rid_hex, ad, &adn);
		bwcrypto_seal(kek, ad, adn, master, sizeof(master), wrapped);
		char wrapped_hex[2 * sizeof(wrapped) + 1];
		bwcrypto_hex(wrapped, sizeof(wrapped), wrapped_hex);
		json_object_set_new(entry, "wrapped_key", json_string(wrapped_hex));
		bwcrypto_wipe(master, sizeof(master));
		bwcrypto_wipe(kek, sizeof(kek));
		json_object_set_new(cfg, "encryption",
				    json_pack("{s:s, s:[o]}", "cipher", "xchacha20-poly1305", "keys", entry));
	}
	char sum[65];
	config_checksum(cfg, sum);
	json_object_set_new(cfg, "checksum", json_string(sum));
	char *text = json_dumps(cfg, JSON_INDENT(2) | JSON_SORT_KEYS);
	if (!text)
		bw_oom();
	size_t tn = strlen(text);
	char *withnl = arena_printf(a, "%s\n", text);
	free(text);
	int r = storage_put(st, "config", withnl, tn + 1, STORAGE_EXCLUSIVE, e);
	if (r == STORAGE_EXISTS) {
		err_set(e, "'%s' is already a blastwall repository", path);
		goto out;
	}
	if (r < 0)
		goto out;
	rc = 0;
out:
	json_decref(cfg);
	arena_free(a);
	if (rc < 0 && !existed)
		rmdir(path); /* leave no empty husk behind (fails harmlessly if anything is in it) */
	return rc;
}

static void repo_close_cb(void *p)
{
	repo_close(p);
}

static void heartbeat_stop(struct repo *r);

void repo_close(struct repo *r)
{
	if (!r || r->closed)
		return;
	r->closed = true;
	heartbeat_stop(r);
	pthread_mutex_lock(&r->mu);
	bool locked = r->locked;
	r->locked = false;
	pthread_mutex_unlock(&r->mu);
	if (locked) {
		struct err e;
		err_init(&e);
		lock_release(r->st, &e);
	}
	bwcrypto_wipe(r->enc_key, sizeof(r->enc_key));
	bwcrypto_wipe(r->id_key, sizeof(r->id_key));
	pthread_cond_destroy(&r->hb_cv);
	pthread_mutex_destroy(&r->mu);
}

static int not_a_repo(struct err *e, const char *path, const char *why)
{
	if (why)
		err_set(e, "'%s' is not a blastwall repository: %s", path, why);
	else
		err_set(e, "'%s' is not a blastwall repository", path);
	return err_hint(e, "create one with 'blastwall repo init %s', or pass the right --repo", path);
}

static int get_size(json_t *o, const char *k, size_t *out)
{
	json_t *v = json_object_get(o, k);
	if (!json_is_integer(v) || json_integer_value(v) <= 0)
		return -1;
	*out = (size_t)json_integer_value(v);
	return 0;
}

static int open_repo(struct arena *a, const char *path, const struct repo_key_opts *kopts, bool nokey,
		     struct repo **out, struct err *e)
{
	bwcrypto_init();
	if (!storage_is_remote(path)) {
		if (!fs_exists(path))
			return not_a_repo(e, path, "it does not exist");
		if (!fs_is_dir(path))
			return not_a_repo(e, path, "it is not a directory");
	}
	struct storage *st;
	if (storage_open(a, path, false, &st, e) < 0)
		return -1;
	struct buf b;
	buf_init(&b, 1 << 20);
	int r = storage_get(st, "config", &b, 1 << 20, e);
	if (r == STORAGE_NOT_FOUND) {
		buf_release(&b);
		return not_a_repo(e, path, NULL);
	}
	if (r < 0) {
		buf_release(&b);
		return -1;
	}
	json_error_t je;
	json_t *cfg = json_loadb(b.p, b.n, 0, &je);
	buf_release(&b);
	if (!cfg)
		return not_a_repo(e, path, "its config is not JSON");
	arena_on_release(a, json_decref_cb, cfg);
	const char *fmt = json_string_value(json_object_get(cfg, "format"));
	if (!fmt || strcmp(fmt, REPO_FORMAT_NAME) != 0)
		return not_a_repo(e, path, "its config is not a blastwall repository config");
	json_t *ver = json_object_get(cfg, "version");
	if (!json_is_integer(ver) || json_integer_value(ver) < 1)
		return err_set(e, "the config of repository '%s' is damaged: no valid version", path);
	if (json_integer_value(ver) > REPO_VERSION) {
		err_set(e, "repository '%s' has format version %lld, newer than this blastwall (%s) reads (up to %d)",
			path, (long long)json_integer_value(ver), bw_version, REPO_VERSION);
		return err_hint(e, "upgrade blastwall to use this repository");
	}
	char sum[65];
	config_checksum(cfg, sum);
	const char *stored = json_string_value(json_object_get(cfg, "checksum"));
	if (!stored || strcmp(stored, sum) != 0)
		return err_set(e, "the config of repository '%s' is damaged (checksum mismatch)", path);

	struct repo *rp = arena_new_obj(a, struct repo);
	rp->a = a;
	rp->st = st;
	rp->path = arena_strdup(a, path);
	pthread_mutex_init(&rp->mu, NULL);
	pthread_cond_init(&rp->hb_cv, NULL);
	const char *id = json_string_value(json_object_get(cfg, "id"));
	if (!id || strlen(id) != 32)
		return err_set(e, "the config of repository '%s' is damaged: bad id", path);
	memcpy(rp->id_hex, id, 33);
	json_t *comp = json_object_get(cfg, "compression");
	json_t *lvl = json_object_get(comp, "level");
	rp->zstd_level = json_is_integer(lvl) ? (int)json_integer_value(lvl) : 3;
	if (rp->zstd_level < 1 || rp->zstd_level > 19)
		rp->zstd_level = 3;
	json_t *ch = json_object_get(cfg, "chunker");
	size_t cmin, cavg, cmax;
	const char *alg = json_string_value(json_object_get(ch, "algorithm"));
	if (!alg || strcmp(alg, "fastcdc-gear-v1") != 0 || get_size(ch, "min", &cmin) < 0 ||
	    get_size(ch, "avg", &cavg) < 0 || get_size(ch, "max", &cmax) < 0)
		return err_set(e, "the config of repository '%s' has an unknown chunker", path);

	rp->version = (int)json_integer_value(ver);
	const char *idh = json_string_value(json_object_get(cfg, "id_hash"));
	bool want_keyed = json_object_get(cfg, "encryption") && !json_is_null(json_object_get(cfg, "encryption"));
	if (rp->version >= 2) {
		if (!idh || strcmp(idh, want_keyed ? "hmac-sha256" : "sha256") != 0)
			return err_set(e, "the config of repository '%s' names object id hash '%s', which this blastwall (%s) "
				       "does not use for a version %d repository", path, idh ? idh : "(none)", bw_version,
				       rp->version);
		rp->sha256_ids = true;
	}

	json_t *enc = json_object_get(cfg, "encryption");
	uint64_t seed = 0;
	if (nokey) {
		rp->encrypted = enc && !json_is_null(enc);
		arena_on_release(a, repo_close_cb, rp);
		*out = rp;
		return 0;
	}
	if (enc && !json_is_null(enc)) {
		rp->encrypted = true;
		struct repo_key_opts k;
		key_from_env(kopts, &k);
		if (!k.key_file && !k.passphrase) {
			err_set(e, "repository '%s' is encrypted: a key is needed", path);
			return err_hint(e, "pass --key-file F or --passphrase-file F (or set BLASTWALL_KEY_FILE or "
					   "BLASTWALL_PASSPHRASE)");
		}
		json_t *keys = json_object_get(enc, "keys");
		size_t i;
		json_t *entry;
		bool tried = false, ok = false;
		uint8_t master[64];
		json_array_foreach(keys, i, entry) {
			uint8_t kek[32];
			int d = derive_kek(entry, &k, kek, e);
			if (d < 0)
				return -1;
			if (d > 0)
				continue;
			tried = true;
			uint8_t wrapped[64 + BWCRYPTO_OVERHEAD], ad[64];
			size_t adn;
			if (bwcrypto_unhex(json_string_value(json_object_get(entry, "wrapped_key")), wrapped,
					   sizeof(wrapped)) < 0)
				return err_set(e, "the repository config has a damaged key entry");
			master_ad(rp->id_hex, ad, &adn);
			int u = bwcrypto_open(kek, ad, adn, wrapped, sizeof(wrapped), master);
			bwcrypto_wipe(kek, sizeof(kek));
			if (u == 0) {
				ok = true;
				break;
			}
		}
		if (!tried) {
			err_set(e, "repository '%s' is encrypted with a %s, and none was given", path,
				k.key_file ? "passphrase" : "key file");
			return err_hint(e, "pass %s", k.key_file ? "--passphrase-file F (or BLASTWALL_PASSPHRASE)"
								   : "--key-file F (or BLASTWALL_KEY_FILE)");
		}
		if (!ok) {
			err_set(e, "wrong key or passphrase for repository '%s'", path);
			return err_hint(e, "check the %s you passed; without the right one these backups cannot be read",
					k.key_file ? "key file" : "passphrase");
		}
		memcpy(rp->enc_key, master, 32);
		memcpy(rp->id_key, master + 32, 32);
		bwcrypto_wipe(master, sizeof(master));
		if (rp->sha256_ids) {
			/* HMAC (RFC 2104): the two padded key blocks are hashed once here, not per object */
			hmac_key_block(&rp->hmac_in, rp->id_key, 0x36);
			hmac_key_block(&rp->hmac_out, rp->id_key, 0x5c);
		}
		uint8_t s8[32];
		bwcrypto_hash(rp->id_key, "chunker seed", 12, s8);
		memcpy(&seed, s8, 8);
	} else {
		uint8_t s8[8];
		if (bwcrypto_unhex(json_string_value(json_object_get(ch, "seed")), s8, 8) < 0)
			return err_set(e, "the config of repository '%s' is damaged: bad chunker seed", path);
		memcpy(&seed, s8, 8);
	}
	if (chunker_init(&rp->chunker, cmin, cavg, cmax, seed) < 0)
		return err_set(e, "the config of repository '%s' has invalid chunker sizes", path);
	arena_on_release(a, repo_close_cb, rp);
	*out = rp;
	return 0;
}

int repo_open(struct arena *a, const char *path, const struct repo_key_opts *kopts, struct repo **out,
	      struct err *e)
{
	return open_repo(a, path, kopts, false, out, e);
}

int repo_open_nokey(struct arena *a, const char *path, struct repo **out, struct err *e)
{
	return open_repo(a, path, NULL, true, out, e);
}

const char *repo_path(const struct repo *r)
{
	return r->path;
}

void repo_get_facts(const struct repo *r, struct repo_facts *f)
{
	f->id = r->id_hex;
	f->version = r->version;
	f->encrypted = r->encrypted;
	f->id_hash = r->sha256_ids ? (r->encrypted ? "hmac-sha256" : "sha256")
				   : (r->encrypted ? "blake2b-256-keyed" : "blake2b-256");
	f->zstd_level = r->zstd_level;
	f->chunk_min = r->chunker.min;
	f->chunk_avg = r->chunker.avg;
	f->chunk_max = r->chunker.max;
}

/* ---------- lock ---------- */

static void *heartbeat_main(void *p)
{
	struct repo *r = p;
	pthread_mutex_lock(&r->mu);
	while (!r->hb_stop) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += LOCK_REFRESH_SECONDS;
		while (!r->hb_stop && pthread_cond_timedwait(&r->hb_cv, &r->mu, &until) == 0)
			;
		if (r->hb_stop)
			break;
		pthread_mutex_unlock(&r->mu);
		struct err e;
		err_init(&e);
		if (lock_refresh(r->st, r->purpose, &e) < 0)
			bw_warn("cannot refresh the lock of '%s': %s", r->path, e.msg);
		pthread_mutex_lock(&r->mu);
	}
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

static void heartbeat_stop(struct repo *r)
{
	pthread_mutex_lock(&r->mu);
	bool running = r->hb_running;
	r->hb_stop = true;
	r->hb_running = false;
	pthread_cond_broadcast(&r->hb_cv);
	pthread_mutex_unlock(&r->mu);
	if (running)
		pthread_join(r->hb, NULL);
}

int repo_lock(struct repo *r, const char *purpose, struct err *e)
{
	pthread_mutex_lock(&r->mu);
	bool already = r->locked;
	pthread_mutex_unlock(&r->mu);
	if (already)
		return err_set(e, "repository '%s' is already locked by this process", r->path);
	if (lock_acquire(r->st, r->path, purpose, e) < 0)
		return -1;
	pthread_mutex_lock(&r->mu);
	r->locked = true;
	snprintf(r->purpose, sizeof(r->purpose), "%s", purpose);
	r->hb_stop = false;
	r->hb_running = pthread_create(&r->hb, NULL, heartbeat_main, r) == 0; /* without it: no refresh, still locked */
	pthread_mutex_unlock(&r->mu);
	return 0;
}

void repo_unlock(struct repo *r)
{
	heartbeat_stop(r);
	pthread_mutex_lock(&r->mu);
	bool was = r->locked;
	r->locked = false;
	pthread_mutex_unlock(&r->mu);
	if (!was)
		return;
	struct err e;
	err_init(&e);
	if (lock_release(r->st, &e) < 0)
		bw_warn("cannot remove the lock of '%s': %s", r->path, e.msg);
}

int repo_lock_state(struct repo *r, int *state, char *desc, size_t descn, struct err *e)
{
	enum lock_state s;
	if (lock_inspect(r->st, &s, desc, descn, e) < 0)
		return -1;
	*state = s == LOCK_NONE ? 0 : s == LOCK_LIVE ? 1 : s == LOCK_STALE ? 2 : 3;
	return 0;
}

int repo_lock_remove(struct repo *r, struct err *e)
{
	return lock_remove(r->st, e);
}

/* ---------- objects ---------- */

int repo_get_object(struct repo *r, struct obj_scratch *s, int kind, const char *key, size_t max, struct buf *out,
		    struct err *e)
{
	struct buf raw;
	buf_init(&raw, 0);
	int rc = storage_get(r->st, key, &raw, max + OBJ_HEADER + OBJ_TRAILER + BWCRYPTO_OVERHEAD, e);
	if (rc < 0) {
		buf_release(&raw);
		return rc;
	}
	const uint8_t *p;
	size_t n;
	rc = obj_decode(s, kind, (const uint8_t *)raw.p, raw.n, repo_enc_key(r), max, key, &p, &n, e);
	if (rc == 0 && buf_add(out, p, n) < 0)
		rc = err_set(e, "object '%s' is too large", key);
	buf_release(&raw);
	return rc;
}

/* ---------- writing ---------- */

/*
 * The writing pipeline. A stream's thread appends bytes and finds cut points;
 * each chunk is copied into a job and queued. A pool of worker threads (two per CPU) takes jobs: hashes the chunk
 * for its id, consults the shared set of known ids, and compresses, encrypts
 * and stores new chunks. So one big stream still uses every core, and the
 * fsync of one chunk overlaps the compression of the next. The queue is
 * bounded, which bounds memory whatever the stream's size. The stream's
 * checksum (manifest version 2) is taken at close over the chunk list, not
 * over the bytes: the chunk ids already hash every byte once.
 *
 * Locks: w->mu guards the known-id set, w->qmu the queue, every stream's
 * chunk list, counters, pending count and error. Neither is held while
 * hashing, compressing or writing.
 */

struct chunk_ref {
	uint8_t id[32];
	uint32_t len;
};

struct stream_writer {
	struct snap_writer *w;
	char *name;
	uint8_t *buf; /* chunker input: bytes [off, len) are pending (owned by the stream's thread) */
	size_t off, len, cap;
	uint64_t bytes;
	/* under w->qmu */
	struct chunk_ref *chunks;
	size_t nchunks, capchunks;
	uint64_t new_chunks, stored_bytes;
	size_t pending; /* jobs queued or running */
	bool failed;
	struct err err; /* the first failure */
	/* after close */
	bool closed;
	char sum_hex[65]; /* chunk_list_sha256 */
};

struct job {
	struct stream_writer *s;
	size_t slot;
	uint8_t *data;
	size_t n;
};

#define MAX_WORKERS 8

struct snap_writer {
	struct repo *r;
	pthread_mutex_t mu; /* guards known, streams, failed */
	struct idset known;
	struct stream_writer **streams;
	size_t nstreams, capstreams;
	bool failed, took_lock;
	int64_t started, started_ms;
	struct timespec t0;
	/* the pool */
	pthread_mutex_t qmu;
	pthread_cond_t qnotempty, qnotfull, qdone;
	struct job *q;
	/*
	 * Spare chunk buffers (chunker.max bytes each), under qmu: reused, not
	 * freed, so the backup does not map fresh pages (and take a page fault
	 * per 4 KiB) for every chunk.
	 */
	uint8_t **spare;
	size_t nspare, capspare;
	size_t qcap, qhead, qn;
	bool shutdown;
	pthread_t workers[MAX_WORKERS];
	int nworkers;
};

static int list_known(void *ctx, const char *key, const struct storage_stat *st)
{
	struct idset *s = ctx;
	const char *base = strrchr(key, '/');
	base = base ? base + 1 : key;
	uint8_t id[32];
	if (bwcrypto_unhex(base, id, 32) == 0 && st->size > 0)
		idset_add(s, id);
	return 0;
}

/* Records a stream's first failure (with qmu held). */
static void fail_locked(struct stream_writer *s, const struct err *e)
{
	if (!s->failed) {
		s->failed = true;
		s->err = *e;
	}
}

static void run_job(struct snap_writer *w, struct obj_scratch *sc, struct job *j)
{
	struct repo *r = w->r;
	struct stream_writer *s = j->s;
	struct chunk_ref ref;
	repo_object_id(r, j->data, j->n, ref.id);
	ref.len = (uint32_t)j->n;
	pthread_mutex_lock(&w->mu);
	bool have = idset_has(&w->known, ref.id);
	if (!have)
		idset_add(&w->known, ref.id); /* claimed: no other worker writes it; a failure fails the snapshot */
	pthread_mutex_unlock(&w->mu);
	uint64_t stored = 0;
	struct err e;
	err_init(&e);
	int rc = 0;
	if (!have) {
		const uint8_t *obj;
		size_t objn;
		obj_encode(sc, OBJ_CHUNK, j->data, j->n, r->zstd_level, repo_enc_key(r), &obj, &objn);
		char hex[65], key[80];
		bwcrypto_hex(ref.id, 32, hex);
		repo_chunk_key(hex, key);
		rc = storage_put(r->st, key, obj, objn, STORAGE_DEFER_SYNC, &e);
		if (rc < 0)
			err_wrap(&e, "cannot store a chunk of stream '%s'", s->name);
		stored = objn;
	}
	pthread_mutex_lock(&w->qmu);
	if (w->nspare < w->capspare)
		w->spare[w->nspare++] = j->data;
	else
		free(j->data);
	s->chunks[j->slot] = ref;
	if (rc < 0) {
		fail_locked(s, &e);
		w->failed = true; /* read under qmu or after the pool stopped */
	} else if (!have) {
		s->new_chunks++;
		s->stored_bytes += stored;
	}
	s->pending--;
	pthread_cond_broadcast(&w->qdone);
	pthread_mutex_unlock(&w->qmu);
}

static void *worker_main(void *p)
{
	struct snap_writer *w = p;
	struct obj_scratch sc = { 0 };
	pthread_mutex_lock(&w->qmu);
	for (;;) {
		while (w->qn == 0 && !w->shutdown)
			pthread_cond_wait(&w->qnotempty, &w->qmu);
		if (w->qn == 0 && w->shutdown)
			break;
		struct job j = w->q[w->qhead];
		w->qhead = (w->qhead + 1) % w->qcap;
		w->qn--;
		pthread_cond_signal(&w->qnotfull);
		pthread_mutex_unlock(&w->qmu);
		run_job(w, &sc, &j);
		pthread_mutex_lock(&w->qmu);
	}
	pthread_mutex_unlock(&w->qmu);
	obj_scratch_release(&sc);
	return NULL;
}

static void pool_stop(struct snap_writer *w)
{
	pthread_mutex_lock(&w->qmu);
	w->shutdown = true;
	pthread_cond_broadcast(&w->qnotempty);
	pthread_mutex_unlock(&w->qmu);
	for (int i = 0; i < w->nworkers; i++)
		pthread_join(w->workers[i], NULL);
	w->nworkers = 0;
}

static void writer_free(struct snap_writer *w);

int snap_begin(struct repo *r, struct snap_writer **out, struct err *e)
{
	pthread_mutex_lock(&r->mu);
	bool locked = r->locked;
	pthread_mutex_unlock(&r->mu);
	bool took = false;
	if (!locked) {
		if (repo_lock(r, "backup", e) < 0)
			return -1;
		took = true;
	}
	struct snap_writer *w = xcalloc(1, sizeof(*w));
	w->r = r;
	w->took_lock = took;
	pthread_mutex_init(&w->mu, NULL);
	pthread_mutex_init(&w->qmu, NULL);
	pthread_cond_init(&w->qnotempty, NULL);
	pthread_cond_init(&w->qnotfull, NULL);
	pthread_cond_init(&w->qdone, NULL);
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	w->started = (int64_t)now.tv_sec;
	w->started_ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
	clock_gettime(CLOCK_MONOTONIC, &w->t0);
	/* the dedup index: what is in data/ now (correct even after forget/prune or a killed writer) */
	if (storage_list(r->st, "data", list_known, &w->known, e) < 0) {
		writer_free(w);
		return err_wrap(e, "cannot list the chunks of '%s'", r->path);
	}
	/* two workers per CPU: while one waits for its chunk's fsync, another compresses */
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int n = ncpu < 1 ? 2 : ncpu * 2 > MAX_WORKERS ? MAX_WORKERS : (int)ncpu * 2;
	w->qcap = (size_t)n * 2;
	w->capspare = w->qcap + (size_t)n + 2; /* every buffer that can be queued or in a worker at once */
	w->spare = xcalloc(w->capspare, sizeof(*w->spare));
	w->q = xcalloc(w->qcap, sizeof(*w->q));
	for (int i = 0; i < n; i++) {
		if (pthread_create(&w->workers[i], NULL, worker_main, w) != 0) {
			writer_free(w);
			return err_set(e, "cannot start the backup's worker threads");
		}
		w->nworkers++;
	}
	*out = w;
	return 0;
}

int snap_stream_open(struct snap_writer *w, const char *name, struct stream_writer **out, struct err *e)
{
	if (!name || !*name || strlen(name) > 4096)
		return err_set(e, "a stream needs a name of 1 to 4096 bytes");
	pthread_mutex_lock(&w->mu);
	for (size_t i = 0; i < w->nstreams; i++) {
		if (strcmp(w->streams[i]->name, name) == 0) {
			pthread_mutex_unlock(&w->mu);
			return err_set(e, "stream '%s' is already part of this snapshot", name);
		}
	}
	struct stream_writer *s = xcalloc(1, sizeof(*s));
	s->w = w;
	s->name = xstrdup(name);
	if (w->nstreams == w->capstreams) {
		w->capstreams = w->capstreams ? w->capstreams * 2 : 16;
		w->streams = xrealloc(w->streams, w->capstreams * sizeof(*w->streams));
	}
	w->streams[w->nstreams++] = s;
	pthread_mutex_unlock(&w->mu);
	s->cap = w->r->chunker.max * 2;
	s->buf = xmalloc(s->cap);
	*out = s;
	return 0;
}

/* Queues one chunk; blocks while the queue is full. */
static int queue_chunk(struct stream_writer *s, const uint8_t *p, size_t n, struct err *e)
{
	struct snap_writer *w = s->w;
	uint8_t *copy = NULL;
	pthread_mutex_lock(&w->qmu);
	if (w->nspare)
		copy = w->spare[--w->nspare];
	pthread_mutex_unlock(&w->qmu);
	if (!copy)
		copy = xmalloc(w->r->chunker.max);
	memcpy(copy, p, n);
	pthread_mutex_lock(&w->qmu);
	if (s->failed) {
		*e = s->err;
		pthread_mutex_unlock(&w->qmu);
		free(copy);
		return -1;
	}
	if (s->nchunks == s->capchunks) {
		s->capchunks = s->capchunks ? s->capchunks * 2 : 64;
		s->chunks = xrealloc(s->chunks, s->capchunks * sizeof(*s->chunks));
	}
	size_t slot = s->nchunks++;
	s->pending++;
	while (w->qn == w->qcap)
		pthread_cond_wait(&w->qnotfull, &w->qmu);
	w->q[(w->qhead + w->qn) % w->qcap] = (struct job){ s, slot, copy, n };
	w->qn++;
	pthread_cond_signal(&w->qnotempty);
	pthread_mutex_unlock(&w->qmu);
	return 0;
}

/* Cuts and queues every chunk the pending bytes determine (all of them at eof). */
static int drain(struct stream_writer *s, bool eof, struct err *e)
{
	const struct chunker *c = &s->w->r->chunker;
	while (s->len > s->off) {
		size_t avail = s->len - s->off;
		if (!eof && avail < c->max)
			break;
		size_t cut = chunker_cut(c, s->buf + s->off, avail, eof);
		if (cut == 0)
			break;
		if (queue_chunk(s, s->buf + s->off, cut, e) < 0)
			return -1;
		s->off += cut;
	}
	if (s->off == s->len)
		s->off = s->len = 0;
	return 0;
}

int stream_write(struct stream_writer *s, const void *p, size_t n, struct err *e)
{
	if (s->closed)
		BUG("stream_write on a closed stream");
	const uint8_t *c = p;
	s->bytes += n;
	while (n) {
		if (s->len == s->cap) {
			/* compact: move the pending tail (less than max bytes) to the front */
			memmove(s->buf, s->buf + s->off, s->len - s->off);
			s->len -= s->off;
			s->off = 0;
		}
		size_t room = s->cap - s->len;
		size_t take = n < room ? n : room;
		memcpy(s->buf + s->len, c, take);
		s->len += take;
		c += take;
		n -= take;
		if (drain(s, false, e) < 0)
			return -1;
	}
	return 0;
}

int stream_close(struct stream_writer *s, struct stream_info *info, struct err *e)
{
	if (s->closed)
		BUG("stream_close twice");
	struct snap_writer *w = s->w;
	struct err de;
	err_init(&de);
	int drc = drain(s, true, &de);
	free(s->buf);
	s->buf = NULL;
	pthread_mutex_lock(&w->qmu);
	while (s->pending)
		pthread_cond_wait(&w->qdone, &w->qmu);
	if (drc < 0)
		fail_locked(s, &de);
	if (s->failed)
		w->failed = true;
	int rc = 0;
	if (s->failed) {
		*e = s->err;
		rc = -1;
	}
	s->closed = true;
	/* every job is done (pending == 0): the list is complete and in stream order */
	struct bwcrypto_sha256 h;
	repo_chunk_list_sum_init(&h);
	for (size_t i = 0; i < s->nchunks; i++)
		repo_chunk_list_sum_add(&h, s->chunks[i].id, s->chunks[i].len);
	uint8_t sum[32];
	bwcrypto_sha256_final(&h, sum);
	bwcrypto_hex(sum, 32, s->sum_hex);
	if (info) {
		info->bytes = s->bytes;
		info->chunks = s->nchunks;
		info->new_chunks = s->new_chunks;
		info->stored_bytes = s->stored_bytes;
		memcpy(info->checksum, s->sum_hex, 65);
	}
	pthread_mutex_unlock(&w->qmu);
	return rc;
}

static void stream_free(struct stream_writer *s)
{
	free(s->buf);
	free(s->chunks);
	free(s->name);
	free(s);
}

static void writer_free(struct snap_writer *w)
{
	pool_stop(w); /* runs what is queued, so no job outlives its stream */
	for (size_t i = 0; i < w->nstreams; i++)
		stream_free(w->streams[i]);
	free(w->streams);
	free(w->q);
	for (size_t i = 0; i < w->nspare; i++)
		free(w->spare[i]);
	free(w->spare);
	idset_release(&w->known);
	pthread_cond_destroy(&w->qnotempty);
	pthread_cond_destroy(&w->qnotfull);
	pthread_cond_destroy(&w->qdone);
	pthread_mutex_destroy(&w->qmu);
	pthread_mutex_destroy(&w->mu);
	if (w->took_lock)
		repo_unlock(w->r);
	free(w);
}

void snap_abort(struct snap_writer *w)
{
	if (w)
		writer_free(w);
}

static json_t *stream_json(const struct stream_writer *s)
{
	json_t *chunks = json_array();
	for (size_t i = 0; i < s->nchunks; i++) {
		char hex[65];
		bwcrypto_hex(s->chunks[i].id, 32, hex);
		json_array_append_new(chunks, json_pack("[s, I]", hex, (json_int_t)s->chunks[i].len));
	}
	return json_pack("{s:s, s:I, s:s, s:I, s:I, s:o}", "name", s->name, "bytes", (json_int_t)s->bytes,
			 "chunk_list_sha256", s->sum_hex, "new_chunks", (json_int_t)s->new_chunks, "stored_bytes",
			 (json_int_t)s->stored_bytes, "chunks", chunks);
}

int snap_commit(struct snap_writer *w, json_t *meta, char id_out[65], struct err *e)
{
	struct repo *r = w->r;
	int rc = -1;
	char *text = NULL;
	json_t *m = NULL;
	for (size_t i = 0; i < w->nstreams; i++) {
		if (!w->streams[i]->closed) {
			err_set(e, "cannot commit the snapshot: stream '%s' is still open", w->streams[i]->name);
			goto out;
		}
	}
	if (w->failed) {
		err_set(e, "cannot commit the snapshot: writing one of its streams failed");
		goto out;
	}
	/* every chunk durable before the manifest that names them */
	if (storage_flush(r->st, e) < 0)
		goto out;
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	int64_t ms = (int64_t)(t1.tv_sec - w->t0.tv_sec) * 1000 + (t1.tv_nsec - w->t0.tv_nsec) / 1000000;
	char host[256], when[64];
	hostname_of(host, sizeof(host));
	utc_text(when, w->started, UTC_ISO);
	json_t *streams = json_array();
	uint64_t bytes = 0, stored = 0, nchunks = 0, newc = 0;
	for (size_t i = 0; i < w->nstreams; i++) {
		struct stream_writer *s = w->streams[i];
		json_array_append_new(streams, stream_json(s));
		bytes += s->bytes;
		stored += s->stored_bytes;
		nchunks += s->nchunks;
		newc += s->new_chunks;
	}
	m = json_pack("{s:i, s:s, s:I, s:s, s:I, s:s, s:s, s:o, s:{s:I, s:I, s:I, s:I}}", "version",
		      REPO_MANIFEST_VERSION, "repository", r->id_hex, "time", (json_int_t)w->started, "time_utc", when,
		      "duration_ms", (json_int_t)ms, "hostname", host, "tool", arena_printf(r->a, "blastwall %s", bw_version),
		      "streams", streams, "totals", "bytes", (json_int_t)bytes, "stored_bytes", (json_int_t)stored,
		      "chunks", (json_int_t)nchunks, "new_chunks", (json_int_t)newc);
	if (!m)
		bw_oom();
	json_object_set_new(m, "time_ms", json_integer((json_int_t)w->started_ms));
	json_object_set(m, "meta", meta ? meta : json_null());
	text = json_dumps(m, JSON_COMPACT);
	if (!text)
		bw_oom();
	size_t tn = strlen(text);
	if (tn > REPO_MANIFEST_MAX) {
		err_set(e, "the snapshot manifest would be %zu bytes, more than the %u allowed", tn, REPO_MANIFEST_MAX);
		goto out;
	}
	uint8_t idb[32];
	repo_object_id(r, text, tn, idb);
	char hex[65];
	bwcrypto_hex(idb, 32, hex);
	struct obj_scratch sc = { 0 };
	const uint8_t *obj;
	size_t objn;
	obj_encode(&sc, OBJ_SNAPSHOT, text, tn, r->zstd_level, repo_enc_key(r), &obj, &objn);
	char key[96];
	snprintf(key, sizeof(key), "snapshots/%s", hex);
	int pr = storage_put(r->st, key, obj, objn, 0, e);
	obj_scratch_release(&sc);
	if (pr < 0) {
		err_wrap(e, "cannot write the snapshot manifest");
		goto out;
	}
	memcpy(id_out, hex, 65);
	rc = 0;
out:
	free(text);
	json_decref(m);
	writer_free(w);
	return rc;
}

/* ---------- reading ---------- */

static bool is_u64(json_t *v)
{
	return json_is_integer(v) && json_integer_value(v) >= 0;
}

int repo_manifest_check(json_t *m, size_t max_chunk, struct err *e)
{
	if (!json_is_object(m))
		return err_set(e, "not a JSON object");
	json_t *v = json_object_get(m, "version");
	if (!json_is_integer(v))
		return err_set(e, "no version");
	json_int_t version = json_integer_value(v);
	if (version > REPO_MANIFEST_VERSION) {
		err_set(e, "manifest version %lld is newer than this blastwall (%s) reads (up to %d)", (long long)version,
			bw_version, REPO_MANIFEST_VERSION);
		err_hint(e, "upgrade blastwall to read this snapshot");
		return REPO_NEWER;
	}
	if (version < REPO_MANIFEST_MIN_VERSION)
		return err_set(e, "manifest version %lld is not supported by this blastwall (%s)", (long long)version,
			       bw_version);
	if (!json_is_integer(json_object_get(m, "time")))
		return err_set(e, "no time");
	json_t *streams = json_object_get(m, "streams");
	if (!json_is_array(streams))
		return err_set(e, "no streams");
	size_t i;
	json_t *s;
	json_array_foreach(streams, i, s) {
		const char *name = json_string_value(json_object_get(s, "name"));
		if (!name)
			return err_set(e, "stream %zu has no name", i);
		json_t *bytes = json_object_get(s, "bytes");
		if (!is_u64(bytes))
			return err_set(e, "stream '%s' has no size", name);
		/* v1: the bytes' SHA-256, checked when the stream is read; v2: the chunk list's, checked here too */
		const char *field = version == 1 ? "sha256" : "chunk_list_sha256";
		const char *sha = json_string_value(json_object_get(s, field));
		if (!is_hex_id(sha))
			return err_set(e, "stream '%s' has no valid %s", name, field);
		json_t *chunks = json_object_get(s, "chunks");
		if (!json_is_array(chunks))
			return err_set(e, "stream '%s' has no chunk list", name);
		uint64_t sum = 0;
		size_t j;
		json_t *c;
		struct bwcrypto_sha256 h;
		repo_chunk_list_sum_init(&h);
		json_array_foreach(chunks, j, c) {
			uint8_t id[32];
			if (!json_is_array(c) || json_array_size(c) != 2 ||
			    !is_hex_id(json_string_value(json_array_get(c, 0))) || !is_u64(json_array_get(c, 1)) ||
			    (uint64_t)json_integer_value(json_array_get(c, 1)) > max_chunk ||
			    json_integer_value(json_array_get(c, 1)) == 0 ||
			    bwcrypto_unhex(json_string_value(json_array_get(c, 0)), id, 32) < 0)
				return err_set(e, "stream '%s' has a bad chunk entry at %zu", name, j);
			sum += (uint64_t)json_integer_value(json_array_get(c, 1));
			if (version >= 2)
				repo_chunk_list_sum_add(&h, id, (uint64_t)json_integer_value(json_array_get(c, 1)));
		}
		if (sum != (uint64_t)json_integer_value(bytes))
			return err_set(e, "stream '%s': its chunks hold %llu bytes, not %lld", name,
				       (unsigned long long)sum, (long long)json_integer_value(bytes));
		if (version >= 2) {
			uint8_t got[32];
			char hex[65];
			bwcrypto_sha256_final(&h, got);
			bwcrypto_hex(got, 32, hex);
			if (strcmp(hex, sha) != 0)
				return err_set(e, "stream '%s': its chunk list does not match its chunk_list_sha256", name);
		}
		for (size_t k = 0; k < i; k++)
			if (strcmp(json_string_value(json_object_get(json_array_get(streams, k), "name")), name) == 0)
				return err_set(e, "stream '%s' appears twice", name);
	}
	return 0;
}

int repo_load_snapshot(struct repo *r, struct arena *a, const char *id, struct snapshot_info *out, struct err *e)
{
	if (!is_hex_id(id))
		return err_set(e, "'%s' is not a snapshot id", id);
	char key[96];
	snprintf(key, sizeof(key), "snapshots/%s", id);
	struct obj_scratch sc = { 0 };
	struct buf b;
	buf_init(&b, 0);
	int rc = repo_get_object(r, &sc, OBJ_SNAPSHOT, key, REPO_MANIFEST_MAX, &b, e);
	obj_scratch_release(&sc);
	if (rc < 0) {
		buf_release(&b);
		return rc;
	}
	uint8_t h[32];
	char hex[65];
	repo_object_id(r, b.p, b.n, h);
	bwcrypto_hex(h, 32, hex);
	if (strcmp(hex, id) != 0) {
		buf_release(&b);
		return err_set(e, "object '%s' is damaged: its content does not match its name", key);
	}
	json_error_t je;
	json_t *m = json_loadb(b.p, b.n, 0, &je);
	buf_release(&b);
	if (!m)
		return err_set(e, "object '%s' is damaged: the manifest is not JSON (%s)", key, je.text);
	arena_on_release(a, json_decref_cb, m);
	int crc = repo_manifest_check(m, r->chunker.max, e);
	if (crc == REPO_NEWER) {
		err_wrap(e, "cannot read snapshot %.12s", id);
		return REPO_NEWER;
	}
	if (crc < 0)
		return err_wrap(e, "object '%s' is damaged", key);
	out->id = arena_strdup(a, id);
	out->time = (int64_t)json_integer_value(json_object_get(m, "time"));
	out->manifest = m;
	return 0;
}

struct idlist {
	struct arena *a;
	char **ids;
	size_t n, cap;
};

static int collect_id(void *ctx, const char *key, const struct storage_stat *st)
{
	struct idlist *l = ctx;
	const char *base = strrchr(key, '/');
	base = base ? base + 1 : key;
	if (!is_hex_id(base))
		return 0;
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 32;
		l->ids = arena_grow(l->a, l->ids, l->n, nc, sizeof(char *));
		l->cap = nc;
	}
	l->ids[l->n++] = arena_strdup(l->a, base);
	return 0;
}

int repo_snapshot_ids(struct repo *r, struct arena *a, char ***ids, size_t *n, struct err *e)
{
	struct idlist l = { .a = a };
	if (storage_list(r->st, "snapshots", collect_id, &l, e) < 0)
		return -1;
	*ids = l.ids;
	*n = l.n;
	return 0;
}

/* Milliseconds when the manifest has them (snapshots taken within one second keep their order). */
static int64_t snap_ms(const struct snapshot_info *s)
{
	json_t *v = json_object_get(s->manifest, "time_ms");
	return json_is_integer(v) ? (int64_t)json_integer_value(v) : s->time * 1000;
}

static int snap_cmp(const void *x, const void *y)
{
	const struct snapshot_info *a = x, *b = y;
	int64_t ta = snap_ms(a), tb = snap_ms(b);
	if (ta != tb)
		return ta < tb ? -1 : 1;
	return strcmp(a->id, b->id);
}

int repo_list_snapshots(struct repo *r, struct arena *a, struct snapshot_info **out, size_t *n, struct err *e)
{
	char **ids;
	size_t nid;
	if (repo_snapshot_ids(r, a, &ids, &nid, e) < 0)
		return -1;
	struct snapshot_info *v = arena_new_array(a, struct snapshot_info, nid + 1);
	size_t k = 0;
	for (size_t i = 0; i < nid; i++) {
		struct err le;
		err_init(&le);
		if (repo_load_snapshot(r, a, ids[i], &v[k], &le) < 0) {
			/* one damaged manifest must not hide the others */
			bw_warn("skipping snapshot %.12s: %s", ids[i], le.msg);
			continue;
		}
		k++;
	}
	qsort(v, k, sizeof(*v), snap_cmp);
	*out = v;
	*n = k;
	return 0;
}

int repo_resolve_snapshot(struct repo *r, struct arena *a, const char *ref, const char **id, struct err *e)
{
	if (!ref || !*ref || strcmp(ref, "latest") == 0) {
		struct snapshot_info s;
		if (repo_find_snapshot(r, a, "latest", &s, e) < 0)
			return -1;
		*id = s.id;
		return 0;
	}
	size_t rl = strlen(ref);
	for (size_t i = 0; i < rl; i++)
		if (!((ref[i] >= '0' && ref[i] <= '9') || (ref[i] >= 'a' && ref[i] <= 'f')) || rl > 64) {
			err_set(e, "'%s' is not a snapshot id", ref);
			return err_hint(e, "use 'latest', an id or a prefix of one, as 'blastwall snapshots' shows them");
		}
	char **ids;
	size_t nid;
	if (repo_snapshot_ids(r, a, &ids, &nid, e) < 0)
		return -1;
	const char *found = NULL;
	for (size_t i = 0; i < nid; i++) {
		if (strncmp(ids[i], ref, rl) == 0) {
			if (found) {
				err_set(e, "snapshot id prefix '%s' is ambiguous", ref);
				return err_hint(e, "give more digits of the id");
			}
			found = ids[i];
		}
	}
	if (!found) {
		err_set(e, "no snapshot '%s' in repository '%s'", ref, r->path);
		return err_hint(e, "run 'blastwall snapshots --repo %s' to see them", r->path);
	}
	*id = found;
	return 0;
}

int repo_find_snapshot(struct repo *r, struct arena *a, const char *ref, struct snapshot_info *out, struct err *e)
{
	if (!ref || !*ref)
		ref = "latest";
	if (strcmp(ref, "latest") == 0) {
		struct snapshot_info *v;
		size_t n;
		if (repo_list_snapshots(r, a, &v, &n, e) < 0)
			return -1;
		if (n == 0) {
			err_set(e, "repository '%s' has no snapshots yet", r->path);
			return err_hint(e, "run 'blastwall backup ... --repo %s' first", r->path);
		}
		*out = v[n - 1];
		return 0;
	}
	const char *found;
	if (repo_resolve_snapshot(r, a, ref, &found, e) < 0)
		return -1;
	return repo_load_snapshot(r, a, found, out, e);
}

int snap_stream_names(const struct snapshot_info *s, struct arena *a, const char ***names, size_t *n, struct err *e)
{
	json_t *streams = json_object_get(s->manifest, "streams");
	size_t cnt = json_array_size(streams);
	const char **v = arena_new_array(a, const char *, cnt + 1);
	for (size_t i = 0; i < cnt; i++)
		v[i] = json_string_value(json_object_get(json_array_get(streams, i), "name"));
	*names = v;
	*n = cnt;
	return 0;
}

/*
 * Fetches one chunk and checks everything before a byte of it is used: the
 * envelope, that its content hashes to its name, and its size; the plaintext
 * is copied to out and the id its content hashes to (raw) to id_out, so the
 * reader folds into the stream checksum what it verified, not what it asked
 * for.
 */
static int fetch_chunk(struct repo *r, struct obj_scratch *sc, struct buf *raw, const char *hex, size_t len,
		       struct buf *out, uint8_t id_out[32], struct err *e)
{
	char key[80];
	repo_chunk_key(hex, key);
	buf_reset(raw);
	int rc = storage_get(r->st, key, raw, r->chunker.max + OBJ_HEADER + OBJ_TRAILER + BWCRYPTO_OVERHEAD + 1024, e);
	if (rc < 0)
		return rc;
	const uint8_t *p = NULL;
	size_t n = 0;
	rc = obj_decode(sc, OBJ_CHUNK, (const uint8_t *)raw->p, raw->n, repo_enc_key(r), r->chunker.max, key, &p, &n, e);
	if (rc < 0)
		return rc;
	uint8_t h[32];
	char got[65];
	repo_object_id(r, p, n, h);
	bwcrypto_hex(h, 32, got);
	if (strcmp(got, hex) != 0)
		return err_set(e, "object '%s' is damaged: its content does not match its name", key);
	if (n != len)
		return err_set(e, "object '%s' holds %zu bytes, the manifest says %zu", key, n, len);
	memcpy(id_out, h, 32);
	buf_reset(out);
	if (buf_add(out, p, n) < 0)
		return err_set(e, "object '%s' is too large", key);
	return 0;
}

/*
 * Read-ahead: a helper thread fetches and checks chunk i+1 while the sink
 * consumes chunk i (during a restore the sink feeds the database, which then
 * never waits for decompression). Two slots, handed over under mu.
 */
struct prefetch {
	struct repo *r;
	json_t *chunks;
	size_t n;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct pslot {
		struct buf data;
		uint8_t id[32]; /* what data hashed to */
		int rc;
		struct err e;
		bool full;
	} slot[2];
	bool cancel;
};

static void *prefetch_main(void *p)
{
	struct prefetch *pf = p;
	struct obj_scratch sc = { 0 };
	struct buf raw;
	buf_init(&raw, 0);
	for (size_t i = 0; i < pf->n; i++) {
		struct pslot *sl = &pf->slot[i & 1];
		pthread_mutex_lock(&pf->mu);
		while (sl->full && !pf->cancel)
			pthread_cond_wait(&pf->cv, &pf->mu);
		bool cancel = pf->cancel;
		pthread_mutex_unlock(&pf->mu);
		if (cancel)
			break;
		json_t *c = json_array_get(pf->chunks, i);
		err_init(&sl->e);
		int rc = fetch_chunk(pf->r, &sc, &raw, json_string_value(json_array_get(c, 0)),
				     (size_t)json_integer_value(json_array_get(c, 1)), &sl->data, sl->id, &sl->e);
		pthread_mutex_lock(&pf->mu);
		sl->rc = rc;
		sl->full = true;
		pthread_cond_broadcast(&pf->cv);
		pthread_mutex_unlock(&pf->mu);
		if (rc < 0)
			break;
	}
	buf_release(&raw);
	obj_scratch_release(&sc);
	return NULL;
}

int snap_stream_read(struct repo *r, const struct snapshot_info *s, const char *name,
		     int (*sink)(void *ctx, const void *p, size_t n, struct err *e), void *ctx, struct err *e)
{
	json_t *streams = json_object_get(s->manifest, "streams");
	json_t *st = NULL, *it;
	size_t i;
	json_array_foreach(streams, i, it) {
		if (strcmp(json_string_value(json_object_get(it, "name")), name) == 0) {
			st = it;
			break;
		}
	}
	if (!st)
		return err_set(e, "snapshot %.12s has no stream '%s'", s->id, name);
	json_t *chunks = json_object_get(st, "chunks");
	size_t n = json_array_size(chunks);
	/* the manifest passed repo_manifest_check: its version is one we read */
	bool v1 = json_integer_value(json_object_get(s->manifest, "version")) == 1;
	struct bwcrypto_sha256 sha;
	if (v1)
		bwcrypto_sha256_init(&sha);
	else
		repo_chunk_list_sum_init(&sha);
	int rc = 0;
	uint64_t total = 0;
	struct prefetch pf = { .r = r, .chunks = chunks, .n = n };
	pthread_mutex_init(&pf.mu, NULL);
	pthread_cond_init(&pf.cv, NULL);
	buf_init(&pf.slot[0].data, 0);
	buf_init(&pf.slot[1].data, 0);
	pthread_t th;
	bool threaded = n > 1 && pthread_create(&th, NULL, prefetch_main, &pf) == 0;
	struct obj_scratch sc = { 0 };
	struct buf raw;
	buf_init(&raw, 0);
	for (i = 0; i < n; i++) {
		struct pslot *sl = &pf.slot[i & 1];
		if (threaded) {
			pthread_mutex_lock(&pf.mu);
			while (!sl->full)
				pthread_cond_wait(&pf.cv, &pf.mu);
			pthread_mutex_unlock(&pf.mu);
		} else {
			json_t *c = json_array_get(chunks, i);
			err_init(&sl->e);
			sl->rc = fetch_chunk(r, &sc, &raw, json_string_value(json_array_get(c, 0)),
					     (size_t)json_integer_value(json_array_get(c, 1)), &sl->data, sl->id, &sl->e);
		}
		if (sl->rc < 0) {
			*e = sl->e;
			err_wrap(e, "cannot read stream '%s' of snapshot %.12s", name, s->id);
			err_hint(e, "run 'blastwall verify --read-data --repo %s' to list every damaged object", r->path);
			rc = -1;
			break;
		}
		if (v1)
			bwcrypto_sha256_update(&sha, sl->data.p, sl->data.n);
		else
			repo_chunk_list_sum_add(&sha, sl->id, sl->data.n);
		total += sl->data.n;
		rc = sink(ctx, sl->data.p, sl->data.n, e);
		if (threaded) {
			pthread_mutex_lock(&pf.mu);
			sl->full = false;
			pthread_cond_broadcast(&pf.cv);
			pthread_mutex_unlock(&pf.mu);
		}
		if (rc < 0)
			break;
	}
	if (threaded) {
		pthread_mutex_lock(&pf.mu);
		pf.cancel = true;
		pthread_cond_broadcast(&pf.cv);
		pthread_mutex_unlock(&pf.mu);
		pthread_join(th, NULL);
	}
	if (rc == 0) {
		uint8_t sum[32];
		char hex[65];
		bwcrypto_sha256_final(&sha, sum);
		bwcrypto_hex(sum, 32, hex);
		const char *want = json_string_value(json_object_get(st, v1 ? "sha256" : "chunk_list_sha256"));
		/* the sink has consumed every byte by now: a failure here tells the caller to discard them */
		if (total != (uint64_t)json_integer_value(json_object_get(st, "bytes")) || !want || strcmp(hex, want) != 0)
			rc = err_set(e, "stream '%s' of snapshot %.12s does not match its checksum", name, s->id);
	}
	buf_release(&raw);
	obj_scratch_release(&sc);
	buf_release(&pf.slot[0].data);
	buf_release(&pf.slot[1].data);
	pthread_cond_destroy(&pf.cv);
	pthread_mutex_destroy(&pf.mu);
	return rc;
}

/* ---------- drills ---------- */

int repo_put_drill(struct repo *r, json_t *result, struct err *e)
{
	char *text = json_dumps(result, JSON_COMPACT);
	if (!text)
		return err_set(e, "cannot encode the drill result");
	size_t tn = strlen(text);
	if (tn > REPO_DRILL_MAX) {
		free(text);
		return err_set(e, "the drill result is too large (%zu bytes)", tn);
	}
	struct obj_scratch sc = { 0 };
	const uint8_t *obj;
	size_t objn;
	obj_encode(&sc, OBJ_DRILL, text, tn, r->zstd_level, repo_enc_key(r), &obj, &objn);
	free(text);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	char when[64], key[96];
	utc_text(when, ts.tv_sec, "%Y%m%dT%H%M%S");
	uint8_t rnd[4];
	char rh[9];
	bwcrypto_random(rnd, sizeof(rnd));
	bwcrypto_hex(rnd, sizeof(rnd), rh);
	snprintf(key, sizeof(key), "drills/%s%03ldZ-%s", when, (long)(ts.tv_nsec / 1000000), rh);
	int rc = storage_put(r->st, key, obj, objn, 0, e);
	obj_scratch_release(&sc);
	if (rc < 0)
		return err_wrap(e, "cannot store the drill result");
	return 0;
}

struct keylist {
	struct arena *a;
	char **keys;
	size_t n, cap;
};

static int collect_key(void *ctx, const char *key, const struct storage_stat *st)
{
	struct keylist *l = ctx;
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 32;
		l->keys = arena_grow(l->a, l->keys, l->n, nc, sizeof(char *));
		l->cap = nc;
	}
	l->keys[l->n++] = arena_strdup(l->a, key);
	return 0;
}

static int str_cmp(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

int repo_list_drills(struct repo *r, struct arena *a, json_t **array_out, struct err *e)
{
	struct keylist l = { .a = a };
	if (storage_list(r->st, "drills", collect_key, &l, e) < 0)
		return -1;
	if (l.n)
		qsort(l.keys, l.n, sizeof(char *), str_cmp);
	json_t *arr = json_array();
	arena_on_release(a, json_decref_cb, arr);
	struct obj_scratch sc = { 0 };
	for (size_t i = 0; i < l.n; i++) {
		struct buf b;
		buf_init(&b, 0);
		struct err le;
		err_init(&le);
		if (repo_get_object(r, &sc, OBJ_DRILL, l.keys[i], REPO_DRILL_MAX, &b, &le) < 0) {
			bw_warn("skipping drill result: %s", le.msg);
			buf_release(&b);
			continue;
		}
		json_error_t je;
		json_t *j = json_loadb(b.p, b.n, 0, &je);
		buf_release(&b);
		if (!j) {
			bw_warn("skipping drill result '%s': not JSON", l.keys[i]);
			continue;
		}
		json_array_append_new(arr, j);
	}
	obj_scratch_release(&sc);
	*array_out = arr;
	return 0;
}

/* ---------- maintenance ---------- */

struct chunk_walk {
	int (*fn)(void *ctx, const char *id, uint64_t size, int64_t mtime);
	void *ctx;
};

static int chunk_walk_cb(void *ctx, const char *key, const struct storage_stat *st)
{
	struct chunk_walk *w = ctx;
	const char *base = strrchr(key, '/');
	base = base ? base + 1 : key;
	if (!is_hex_id(base))
		return 0;
	return w->fn(w->ctx, base, st->size, st->mtime);
}

int repo_list_chunks(struct repo *r, int (*fn)(void *ctx, const char *id, uint64_t size, int64_t mtime), void *ctx,
		     struct err *e)
{
	struct chunk_walk w = { fn, ctx };
	return storage_list(r->st, "data", chunk_walk_cb, &w, e);
}

int repo_check_chunk(struct repo *r, const char *id, struct err *e)
{
	if (!is_hex_id(id))
		return err_set(e, "'%s' is not a chunk id", id);
	char key[80];
	repo_chunk_key(id, key);
	struct obj_scratch sc = { 0 };
	struct buf b;
	buf_init(&b, 0);
	int rc = repo_get_object(r, &sc, OBJ_CHUNK, key, r->chunker.max, &b, e);
	if (rc == 0) {
		uint8_t h[32];
		char got[65];
		repo_object_id(r, b.p, b.n, h);
		bwcrypto_hex(h, 32, got);
		if (strcmp(got, id) != 0)
			rc = err_set(e, "object '%s' is damaged: its content does not match its name", key);
	}
	buf_release(&b);
	obj_scratch_release(&sc);
	return rc;
}

int repo_delete_chunk(struct repo *r, const char *id, struct err *e)
{
	if (!is_hex_id(id))
		return err_set(e, "'%s' is not a chunk id", id);
	char key[80];
	repo_chunk_key(id, key);
	return storage_delete(r->st, key, e);
}

int repo_forget_snapshot(struct repo *r, const char *id, struct err *e)
{
	if (!is_hex_id(id))
		return err_set(e, "'%s' is not a snapshot id", id);
	char key[96];
	snprintf(key, sizeof(key), "snapshots/%s", id);
	return storage_delete(r->st, key, e);
}

int repo_quarantine(struct repo *r, const char *key, struct err *e)
{
	const char *base = strrchr(key, '/');
	base = base ? base + 1 : key;
	if (!is_hex_id(base) || (strncmp(key, "data/", 5) != 0 && strncmp(key, "snapshots/", 10) != 0))
		return err_set(e, "'%s' cannot be quarantined", key);
	char to[160];
	snprintf(to, sizeof(to), "quarantine/%s-%lld", base, (long long)time(NULL));
	return storage_rename(r->st, key, to, true, e);
}

int repo_sync(struct repo *r, struct err *e)
{
	return storage_flush(r->st, e);
}

int repo_clean_temp(struct repo *r, int64_t max_age, uint64_t *removed, struct err *e)
{
	return storage_clean_temp(r->st, max_age, removed, e);
}
