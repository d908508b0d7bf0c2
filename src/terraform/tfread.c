/*
 * tfread.c: the pieces the plan and state readers share. Attribute capture
 * flattens nested values into "path.0.key" pairs (the same keys the old
 * flat v3 state format uses), so the data-type rules read one shape whatever
 * the source. Limits (TF_MAX_*) keep a hostile resource from costing more
 * than a few hundred kilobytes.
 */
#include "terraform/tfread.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/fs.h"
#include "terraform/datatypes.h"

struct mapping {
	void *p;
	size_t n;
};

/* The newest mapping made by tf_map_file (one process reads one big file at a time). */
static const void *last_mapping;

static void unmap(void *p)
{
	struct mapping *m = p;
	munmap(m->p, m->n);
}

int tf_map_file(struct arena *a, const char *path, size_t max, struct str *out, struct err *e)
{
	struct stat st;
	/* "-" is standard input: terraform show -json tfplan | blastwall plan - */
	int fd = strcmp(path, "-") == 0 ? dup(0) : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_errno(e, "cannot open '%s'", path);
	if (fstat(fd, &st) < 0) {
		err_errno(e, "cannot stat '%s'", path);
		close(fd);
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		return err_set(e, "'%s' is a directory, not a file", path);
	}
	if (S_ISREG(st.st_mode)) {
		if ((unsigned long long)st.st_size > max) {
			close(fd);
			return err_set(e, "'%s' is larger than %zu bytes, the most this reader accepts", path, max);
		}
		if (st.st_size == 0) {
			close(fd);
			*out = str_make("", 0);
			return 0;
		}
		void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		close(fd);
		if (p == MAP_FAILED)
			return err_errno(e, "cannot map '%s'", path);
		madvise(p, (size_t)st.st_size, MADV_SEQUENTIAL);
		struct mapping *m = arena_new_obj(a, struct mapping);
		m->p = p;
		m->n = (size_t)st.st_size;
		arena_on_release(a, unmap, m);
		*out = str_make(p, m->n);
		last_mapping = p;
		return 0;
	}
	/* a pipe or a device: read it all */
	struct buf b;
	buf_init(&b, max);
	int rc = fs_read_fd(fd, max, &b, e);
	close(fd);
	if (rc < 0) {
		buf_release(&b);
		return err_wrap(e, "cannot read '%s'", path);
	}
	*out = str_make(arena_strndup(a, b.p ? b.p : "", b.n), b.n);
	buf_release(&b);
	return 0;
}

bool tf_is_mapped(struct arena *a, struct str s)
{
	UNUSED(a);
	return s.n > 0 && ((uintptr_t)s.p & 4095) == 0 && s.p == last_mapping;
}

void tf_digest_hex(const void *p, size_t n, char out[65], bool drop)
{
	unsigned char h[32];
	static const char hex[] = "0123456789abcdef";
	crypto_generichash_state st;
	/* sodium_init picks the vectorised BLAKE2b (2-3x faster than the reference code); idempotent */
	if (sodium_init() < 0)
		BUG("libsodium cannot initialise");
	crypto_generichash_init(&st, NULL, 0, sizeof(h));
	for (size_t off = 0; off < n;) {
		size_t k = n - off < (8u << 20) ? n - off : (8u << 20);
		crypto_generichash_update(&st, (const unsigned char *)p + off, k);
		/* a file mapping is hashed in slices and given back as it goes (see tf_is_mapped) */
		if (drop && k == (8u << 20))
			madvise((char *)p + off, k, MADV_DONTNEED);
		off += k;
	}
	crypto_generichash_final(&st, h, sizeof(h));
	for (size_t i = 0; i < sizeof(h); i++) {
		out[2 * i] = hex[h[i] >> 4];
		out[2 * i + 1] = hex[h[i] & 15];
	}
	out[64] = 0;
}

struct frame {
	size_t plen;
	bool arr;
	size_t idx;
};

static void path_set(struct buf *b, size_t plen, struct str comp)
{
	b->n = plen;
	if (b->p)
		b->p[plen] = 0;
	if (plen)
		buf_addc(b, '.');
	buf_addstr(b, comp);
}

static void add_attr(struct arena *a, struct tf_attrs *out, size_t *cap, const struct buf *path,
		     enum tfjson_tok t, struct str v)
{
	if (out->n >= TF_MAX_ATTRS)
		return;
	if (out->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		out->v = arena_grow(a, out->v, out->n, nc, sizeof(*out->v));
		*cap = nc;
	}
	struct tf_attr *at = &out->v[out->n++];
	at->key = arena_strndup(a, path->p ? path->p : "", path->n);
	switch (t) {
	case TFJ_STRING:
		at->kind = TF_ATTR_STRING;
		at->val = arena_strndup(a, v.p, v.n > TF_MAX_ATTR_VAL ? TF_MAX_ATTR_VAL : v.n);
		break;
	case TFJ_NUMBER:
		at->kind = TF_ATTR_NUMBER;
		at->val = arena_strndup(a, v.p, v.n > TF_MAX_ATTR_VAL ? TF_MAX_ATTR_VAL : v.n);
		break;
	case TFJ_TRUE:
		at->kind = TF_ATTR_BOOL;
		at->val = "true";
		break;
	case TFJ_FALSE:
		at->kind = TF_ATTR_BOOL;
		at->val = "false";
		break;
	default:
		at->kind = TF_ATTR_NULL;
		at->val = "";
		break;
	}
}

/*
 * The attribute paths the judges in datatypes.c read. Sorted. Keeping only
 * these makes a 100k-resource plan cost a few bytes per resource instead of
 * a copy of every attribute.
 */
static const char *const judged[] = {
	"backup_retention_period", "delete_automated_backups", "delete_contents_on_destroy", "deletion_policy",
	"deletion_protection", "deletion_protection_enabled", "deletion_window_in_days", "disable_api_termination",
	"enable_deletion_protection", "final_snapshot", "final_snapshot_identifier", "final_snapshot_name",
	"force_delete", "force_destroy", "id", "point_in_time_recovery.0.enabled", "purge_protection_enabled",
	"recovery_window_in_days", "retention_policy.0.retention_period", "skip_delete", "skip_final_backup",
	"skip_final_snapshot",
};

/* Whether path is judged (exact) or, for containers (prefix), leads to a judged path. */
static bool judged_path(const char *path, size_t n, bool prefix)
{
	static size_t len[ARRAY_SIZE(judged)];
	if (!len[0])
		for (size_t i = 0; i < ARRAY_SIZE(judged); i++)
			len[i] = strlen(judged[i]);
	for (size_t i = 0; i < ARRAY_SIZE(judged); i++) {
		size_t k = len[i];
		if (prefix ? (k > n && judged[i][n] == '.' && memcmp(judged[i], path, n) == 0)
			   : (k == n && memcmp(judged[i], path, n) == 0))
			return true;
	}
	return false;
}

int tf_capture_attrs(struct arena *a, struct tfjson *j, enum tfjson_tok t, enum tf_keep keep, struct tf_attrs *out)
{
	if (keep == TF_KEEP_NONE || t != TFJ_OBJ_BEGIN)
		return tfjson_skip(j, t);
	struct frame fr[TF_MAX_ATTR_DEPTH];
	int d = 0;
	size_t cap = out->n;
	struct buf path;
	char num[24];

	buf_init(&path, 1 << 16);
	fr[0] = (struct frame){ 0, false, 0 };
	for (;;) {
		enum tfjson_tok k = tfjson_next(j), vt;
		struct frame *f = &fr[d];
		if (k == TFJ_ERROR)
			goto fail;
		if (k == TFJ_OBJ_END || k == TFJ_ARR_END) {
			if (d == 0)
				break;
			d--;
			continue;
		}
		if (f->arr) {
			int m = snprintf(num, sizeof(num), "%zu", f->idx++);
			path_set(&path, f->plen, str_make(num, (size_t)m));
			vt = k;
		} else {
			path_set(&path, f->plen, j->str);
			vt = tfjson_next(j);
			if (vt == TFJ_ERROR)
				goto fail;
		}
		if (vt == TFJ_OBJ_BEGIN || vt == TFJ_ARR_BEGIN) {
			if (d + 1 >= TF_MAX_ATTR_DEPTH ||
			    (keep == TF_KEEP_JUDGED && !judged_path(path.p, path.n, true))) {
				if (tfjson_skip(j, vt) < 0)
					goto fail;
				continue;
			}
			d++;
			fr[d] = (struct frame){ path.n, vt == TFJ_ARR_BEGIN, 0 };
			continue;
		}
		if (keep == TF_KEEP_ALL || judged_path(path.p, path.n, false))
			add_attr(a, out, &cap, &path, vt, j->str);
	}
	buf_release(&path);
	return 0;
fail:
	buf_release(&path);
	return -1;
}

int tf_skip_span(struct tfjson *j, enum tfjson_tok t, struct tf_span *sp)
{
	const char *start = j->tok_start;
	if (tfjson_skip(j, t) < 0)
		return -1;
	sp->p = start;
	sp->n = (size_t)(j->p - start);
	return 0;
}

int tf_capture_span(struct arena *a, const struct tf_span *sp, const char *name, enum tf_keep keep,
		    struct tf_attrs *out, struct err *e)
{
	struct tfjson j;
	if (!keep || !sp->p)
		return 0;
	tfjson_open_span(&j, sp->p, sp->n, name, e);
	enum tfjson_tok t = tfjson_next(&j);
	int rc = t == TFJ_ERROR ? -1 : tf_capture_attrs(a, &j, t, keep, out);
	tfjson_release(&j);
	return rc;
}

int tf_read_strings(struct arena *a, struct tfjson *j, enum tfjson_tok t, const char ***out, size_t *n)
{
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	if (t != TFJ_ARR_BEGIN)
		return tfjson_skip(j, t);
	for (;;) {
		enum tfjson_tok k = tfjson_next(j);
		if (k == TFJ_ERROR)
			return -1;
		if (k == TFJ_ARR_END)
			return 0;
		if (k != TFJ_STRING) {
			if (tfjson_skip(j, k) < 0)
				return -1;
			continue;
		}
		if (*n == cap) {
			size_t nc = cap ? cap * 2 : 4;
			*out = arena_grow(a, (void *)*out, *n, nc, sizeof(**out));
			cap = nc;
		}
		(*out)[(*n)++] = tf_tokstr(a, j);
	}
}

const char *tf_index_text(struct arena *a, enum tfjson_tok t, struct str v)
{
	if (t == TFJ_NUMBER)
		return arena_strndup(a, v.p, v.n);
	if (t != TFJ_STRING)
		return NULL;
	struct buf b;
	buf_init(&b, 0);
	buf_addc(&b, '"');
	for (size_t i = 0; i < v.n; i++) {
		if (v.p[i] == '"' || v.p[i] == '\\')
			buf_addc(&b, '\\');
		buf_addc(&b, v.p[i]);
	}
	buf_addc(&b, '"');
	const char *s = arena_strndup(a, b.p, b.n);
	buf_release(&b);
	return s;
}

/* Concatenation without printf: this runs once per resource of a 100k-resource state. */
const char *tf_make_address(struct arena *a, const char *module, enum tf_mode mode, const char *type,
			    const char *name, const char *index)
{
	const char *parts[8];
	size_t np = 0, len = 0;
	if (module && *module) {
		parts[np++] = module;
		parts[np++] = ".";
	}
	if (mode == TF_MODE_DATA)
		parts[np++] = "data.";
	parts[np++] = type ? type : "?";
	parts[np++] = ".";
	parts[np++] = name ? name : "?";
	if (index) {
		parts[np++] = "[";
		parts[np++] = index;
	}
	size_t lens[8];
	for (size_t i = 0; i < np; i++)
		len += lens[i] = strlen(parts[i]);
	char *s = arena_alloc(a, len + 2), *p = s;
	for (size_t i = 0; i < np; i++) {
		memcpy(p, parts[i], lens[i]);
		p += lens[i];
	}
	if (index)
		*p++ = ']';
	*p = 0;
	return s;
}

void tf_resource_finish(struct tf_resource *r)
{
	if (!r->id)
		r->id = tf_attr_get(&r->attrs, "id");
	if (!r->module)
		r->module = "";
}

int tf_expect(struct tfjson *j, enum tfjson_tok t, enum tfjson_tok want, const char *what)
{
	if (t == TFJ_ERROR)
		return -1;
	if (t == want)
		return 0;
	j->failed = true;
	return err_set(j->e, "'%s': %s", j->name, what);
}

/* ---- attribute access ---- */

const struct tf_attr *tf_attr_find(const struct tf_attrs *as, const char *key)
{
	for (size_t i = 0; i < as->n; i++)
		if (strcmp(as->v[i].key, key) == 0)
			return &as->v[i];
	return NULL;
}

const char *tf_attr_get(const struct tf_attrs *as, const char *key)
{
	const struct tf_attr *at = tf_attr_find(as, key);
	return at ? at->val : NULL;
}

bool tf_attr_bool(const struct tf_attrs *as, const char *key, bool dflt)
{
	const struct tf_attr *at = tf_attr_find(as, key);
	if (!at || at->kind == TF_ATTR_NULL)
		return dflt;
	if (strcmp(at->val, "true") == 0 || strcmp(at->val, "1") == 0)
		return true;
	if (strcmp(at->val, "false") == 0 || strcmp(at->val, "0") == 0)
		return false;
	return dflt;
}

long long tf_attr_int(const struct tf_attrs *as, const char *key, long long dflt)
{
	const struct tf_attr *at = tf_attr_find(as, key);
	unsigned long long v;
	if (!at || at->kind == TF_ATTR_NULL || !*at->val)
		return dflt;
	const char *s = at->val;
	bool neg = *s == '-';
	if (!str_to_u64(str_from(neg ? s + 1 : s), &v) || v > (unsigned long long)INT64_MAX)
		return dflt;
	return neg ? -(long long)v : (long long)v;
}

enum tf_keep tf_read_keep(const struct tf_read_opts *o, const char *type)
{
	if (!type || (o && o->no_attrs))
		return TF_KEEP_NONE;
	if (o && o->keep_all_attrs)
		return TF_KEEP_ALL;
	if (tf_datatype_find(type))
		return TF_KEEP_JUDGED;
	if (o)
		for (size_t i = 0; i < o->nextra_types; i++)
			if (str_glob(o->extra_types[i], str_from(type)))
				return TF_KEEP_JUDGED;
	return TF_KEEP_NONE;
}

bool tf_read_wants_attrs(const struct tf_read_opts *o, const char *type)
{
	return tf_read_keep(o, type) != TF_KEEP_NONE;
}
