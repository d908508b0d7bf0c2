/*
 * tfstate.c: reads Terraform state in its raw forms (v4, v3/v1 modules[],
 * the OpenTofu encrypted envelope) and as `terraform show -json` output, in
 * one pass of the pull tokenizer. Attributes are kept only for the types the
 * blast radius judges (tf_read_wants_attrs); when a resource's attributes
 * come before its type (not Terraform's order, but legal JSON), their span is
 * remembered and read once the type is known.
 */
#include "terraform/tfstate.h"

#include <string.h>

#include "terraform/tfread.h"

#define DEFAULT_MAX ((size_t)2 << 30)

struct reader {
	struct arena *a;
	struct tfjson *j;
	const struct tf_read_opts *o;
	struct tf_state *st;
	size_t cap;
	struct err *e;
	bool count_only; /* show -json values: count managed/data resources, keep nothing */
};

static struct tf_resource *new_res(struct reader *r)
{
	struct tf_state *st = r->st;
	if (st->nres == r->cap) {
		size_t nc = r->cap ? r->cap * 2 : 64;
		st->res = arena_grow(r->a, st->res, st->nres, nc, sizeof(*st->res));
		r->cap = nc;
	}
	struct tf_resource *res = &st->res[st->nres++];
	memset(res, 0, sizeof(*res));
	return res;
}

static void count(struct tf_state *st, const struct tf_resource *res)
{
	if (res->mode == TF_MODE_DATA)
		st->ndata++;
	else
		st->nmanaged++;
}

static enum tf_mode mode_of(struct str s)
{
	return str_eqz(s, "data") ? TF_MODE_DATA : TF_MODE_MANAGED;
}

/* ---- version 4 ---- */

struct v4res {
	const char *module, *type, *name, *provider;
	enum tf_mode mode;
};

static int v4_instance(struct reader *r, const struct v4res *vr)
{
	struct tfjson *j = r->j;
	struct tf_resource *res = new_res(r);
	enum tf_keep keep = tf_read_keep(r->o, vr->type);
	res->module = vr->module ? vr->module : "";
	res->mode = vr->mode;
	res->type = vr->type;
	res->name = vr->name;
	res->provider = vr->provider;
	for (;;) {
		struct str k;
		enum tfjson_tok t = tfjson_member(j, &k);
		if (t == TFJ_OBJ_END)
			break;
		if (t == TFJ_ERROR)
			return -1;
		if (str_eqz(k, "index_key")) {
			res->index = tf_index_text(r->a, t, j->str);
			if (tfjson_skip(j, t) < 0)
				return -1;
		} else if (str_eqz(k, "status") && t == TFJ_STRING) {
			res->tainted = str_eqz(j->str, "tainted");
		} else if (str_eqz(k, "deposed") && t == TFJ_STRING) {
			res->deposed = tf_tokstr(r->a, j);
		} else if (str_eqz(k, "attributes") || str_eqz(k, "attributes_flat")) {
			res->attrs_kept = keep != TF_KEEP_NONE && t == TFJ_OBJ_BEGIN;
			if (tf_capture_attrs(r->a, j, t, keep, &res->attrs) < 0)
				return -1;
		} else if (str_eqz(k, "dependencies") || str_eqz(k, "depends_on")) {
			if (tf_read_strings(r->a, j, t, &res->deps, &res->ndeps) < 0)
				return -1;
		} else if (tfjson_skip(j, t) < 0) {
			return -1;
		}
	}
	res->address = tf_make_address(r->a, res->module, res->mode, res->type, res->name, res->index);
	tf_resource_finish(res);
	count(r->st, res);
	return 0;
}

struct inst_ctx {
	struct reader *r;
	const struct v4res *vr;
};

static int v4_instance_cb(void *ctx)
{
	struct inst_ctx *c = ctx;
	return v4_instance(c->r, c->vr);
}

static int v4_instances(struct reader *r, const struct v4res *vr, enum tfjson_tok t)
{
	struct inst_ctx c = { r, vr };
	return tfjson_each_object(r->j, t, v4_instance_cb, &c);
}

static int v4_resource(struct reader *r)
{
	struct tfjson *j = r->j;
	struct v4res vr = { 0 };
	struct tf_span later = { 0 };
	for (;;) {
		struct str k;
		enum tfjson_tok t = tfjson_member(j, &k);
		if (t == TFJ_OBJ_END)
			break;
		if (t == TFJ_ERROR)
			return -1;
		if (t == TFJ_STRING && str_eqz(k, "module"))
			vr.module = tf_tokstr(r->a, j);
		else if (t == TFJ_STRING && str_eqz(k, "mode"))
			vr.mode = mode_of(j->str);
		else if (t == TFJ_STRING && str_eqz(k, "type"))
			vr.type = tf_tokstr(r->a, j);
		else if (t == TFJ_STRING && str_eqz(k, "name"))
			vr.name = tf_tokstr(r->a, j);
		else if (t == TFJ_STRING && str_eqz(k, "provider"))
			vr.provider = tf_tokstr(r->a, j);
		else if (str_eqz(k, "instances")) {
			if (vr.type && vr.name) {
				if (v4_instances(r, &vr, t) < 0)
					return -1;
			} else if (tf_skip_span(j, t, &later) < 0) {
				return -1;
			}
		} else if (tfjson_skip(j, t) < 0)
			return -1;
	}
	if (later.p) {
		/* instances came before the resource's identity: read them again */
		struct tfjson sub;
		struct tfjson *outer = r->j;
		tfjson_open_span(&sub, later.p, later.n, outer->name, r->e);
		r->j = &sub;
		int rc = v4_instances(r, &vr, tfjson_next(&sub));
		r->j = outer;
		tfjson_release(&sub);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int v4_resource_cb(void *r)
{
	return v4_resource(r);
}

static int v4_resources(struct reader *r, enum tfjson_tok t)
{
	return tfjson_each_object(r->j, t, v4_resource_cb, r);
}

/* ---- versions 1 and 3: modules[] with a map of "type.name[.N]" ---- */

static void v3_key(struct reader *r, struct str key, struct tf_resource *res)
{
	/* [data.]TYPE.NAME[.N] */
	struct str parts[4];
	size_t np = 0, s = 0;
	for (size_t i = 0; i <= key.n && np < 4; i++) {
		if (i == key.n || key.p[i] == '.') {
			parts[np++] = str_sub(key, s, i - s);
			s = i + 1;
		}
	}
	size_t b = 0;
	if (np >= 3 && str_eqz(parts[0], "data")) {
		res->mode = TF_MODE_DATA;
		b = 1;
	}
	if (np > b)
		res->type = arena_strstr(r->a, parts[b]);
	if (np > b + 1)
		res->name = arena_strstr(r->a, parts[b + 1]);
	if (np > b + 2)
		res->index = arena_strstr(r->a, parts[b + 2]);
}

static int v3_primary(struct reader *r, struct tf_resource *res, enum tf_keep *keep, struct tf_span *later)
{
	struct tfjson *j = r->j;
	for (;;) {
		struct str k;
		enum tfjson_tok t = tfjson_member(j, &k);
		if (t == TFJ_OBJ_END)
			return 0;
		if (t == TFJ_ERROR)
			return -1;
		if (t == TFJ_STRING && str_eqz(k, "id"))
			res->id = tf_tokstr(r->a, j);
		else if (t == TFJ_TRUE && str_eqz(k, "tainted"))
			res->tainted = true;
		else if (str_eqz(k, "attributes")) {
			res->attrs_kept = t == TFJ_OBJ_BEGIN; /* finally decided once the type is known */
			if (*keep) {
				if (tf_capture_attrs(r->a, j, t, *keep, &res->attrs) < 0)
					return -1;
			} else if (tf_skip_span(j, t, later) < 0) {
				return -1;
			}
		} else if (tfjson_skip(j, t) < 0)
			return -1;
	}
}

static int v3_resource(struct reader *r, const char *module, struct str key)
{
	struct tfjson *j = r->j;
	struct tf_resource *res = new_res(r);
	struct tf_span later = { 0 };
	enum tf_keep keep;
	res->module = module;
	v3_key(r, key, res);
	keep = tf_read_keep(r->o, res->type);
	for (;;) {
		struct str k;
		enum tfjson_tok t = tfjson_member(j, &k);
		if (t == TFJ_OBJ_END)
			break;
		if (t == TFJ_ERROR)
			return -1;
		if (t == TFJ_STRING && str_eqz(k, "type")) {
			res->type = tf_tokstr(r->a, j);
			keep = tf_read_keep(r->o, res->type);
		} else if (t == TFJ_STRING && str_eqz(k, "provider")) {
			res->provider = tf_tokstr(r->a, j);
		} else if (str_eqz(k, "depends_on")) {
			if (tf_read_strings(r->a, j, t, &res->deps, &res->ndeps) < 0)
				return -1;
		} else if (t == TFJ_OBJ_BEGIN && str_eqz(k, "primary")) {
			if (v3_primary(r, res, &keep, &later) < 0)
				return -1;
		} else if (tfjson_skip(j, t) < 0)
			return -1;
	}
	if (later.p && tf_read_keep(r->o, res->type)) {
		if (tf_capture_span(r->a, &later, j->name, tf_read_keep(r->o, res->type), &res->attrs, r->e) < 0)
			return -1;
	}
	res->attrs_kept = res->attrs_kept && tf_read_wants_attrs(r->o, res->type);
	res->address = tf_make_address(r->a, module, res->mode, res->type, res->name,
				       res->index ? arena_printf(r->a, "%s", res->index) : NULL);
	tf_resource_finish(res);
	count(r->st, res);
	return 0;
}

static int v3_module(struct reader *r)
{
	struct tfjson *j = r->j;
	const char *module = "";
	struct tf_span later = { 0 };
	bool have_path = false;
	for (;;) {
		struct str k;
		enum tfjson_tok t = tfjson_member(j, &k);
		if (t == TFJ_OBJ_END)
			break;
		if (t == TFJ_ERROR)
			return -1;
		if (str_eqz(k, "path") && t == TFJ_ARR_BEGIN) {
			const char **p;
			size_t n;
			if (tf_read_strings(r->a, j, t, &p, &n) < 0)
				return -1;
			struct buf b;
			buf_init(&b, 0);
			for (size_t i = 1; i < n; i++)
				buf_printf(&b, "%smodule.%s", i > 1 ? "." : "", p[i]);
			module = arena_strndup(r->a, b.p ? b.p : "", b.n);
			buf_release(&b);
			have_path = true;
		} else if (str_eqz(k, "resources") && t == TFJ_OBJ_BEGIN) {
			if (!have_path) {
				if (tf_skip_span(j, t, &later) < 0)
					return -1;
				continue;
			}
			for (;;) {
				struct str key;
				enum tfjson_tok u = tfjson_member(j, &key);
				if (u == TFJ_OBJ_END)
					break;
				if (u == TFJ_ERROR)
					return -1;
				if (u == TFJ_OBJ_BEGIN) {
					if (v3_resource(r, module, str_from(arena_strndup(r->a, key.p, key.n))) < 0)
						return -1;
				} else if (tfjson_skip(j, u) < 0) {
					return -1;
				}
			}
		} else if (tfjson_skip(j, t) < 0) {
			return -1;
		}
	}
	if (later.p) {
		struct tfjson sub;
		struct tfjson *outer = r->j;
		int rc = 0;
		tfjson_open_span(&sub, later.p, later.n, outer->name, r->e);
		r->j = &sub;
		if (tfjson_next(&sub) != TFJ_OBJ_BEGIN)
			rc = -1;
		while (rc == 0) {
			struct str key;
			enum tfjson_tok u = tfjson_member(&sub, &key);
			if (u == TFJ_OBJ_END)
				break;
			if (u == TFJ_ERROR) {
				rc = -1;
				break;
			}
			if (u == TFJ_OBJ_BEGIN)
				rc = v3_resource(r, module, str_from(arena_strndup(r->a, key.p, key.n)));
			else
				rc = tfjson_skip(&sub, u);
		}
		r->j = outer;
		tfjson_release(&sub);
		return rc;
	}
	return 0;
}

static int v3_module_cb(void *r)
{
	return v3_module(r);
}

static int v3_modules(struct reader *r, enum tfjson_tok t)
{
	return tfjson_each_object(r->j, t, v3_module_cb, r);
}

/* ---- terraform show -json: values.root_module with nested child_modules ---- */

/* One resource object of values.*_module.resources[]. */
static int show_resource(struct arena *a, struct tfjson *j, const struct tf_read_opts *o, struct tf_resource *res,
			  struct err *e)
{
	struct tf_span later = { 0 };
	enum tf_keep keep = TF_KEEP_NONE;
	memset(res, 0, sizeof(*res));
	for (;;) {
		struct str k;
		enum tfjson_tok t = tfjson_member(j, &k);
		if (t == TFJ_OBJ_END)
			break;
		if (t == TFJ_ERROR)
			return -1;
		if (t == TFJ_STRING && str_eqz(k, "address"))
			res->address = tf_tokstr(a, j);
		else if (t == TFJ_STRING && str_eqz(k, "mode"))
			res->mode = mode_of(j->str);
		else if (t == TFJ_STRING && str_eqz(k, "type")) {
			res->type = tf_tokstr(a, j);
			keep = tf_read_keep(o, res->type);
		} else if (t == TFJ_STRING && str_eqz(k, "name"))
			res->name = tf_tokstr(a, j);
		else if (t == TFJ_STRING && str_eqz(k, "provider_name"))
			res->provider = tf_tokstr(a, j);
		else if (t == TFJ_STRING && str_eqz(k, "deposed_key"))
			res->deposed = tf_tokstr(a, j);
		else if ((t == TFJ_NUMBER || t == TFJ_STRING) && str_eqz(k, "index"))
			res->index = tf_index_text(a, t, j->str);
		else if (t == TFJ_TRUE && str_eqz(k, "tainted"))
			res->tainted = true;
		else if (str_eqz(k, "values")) {
			res->attrs_kept = t == TFJ_OBJ_BEGIN;
			if (res->type) {
				if (tf_capture_attrs(a, j, t, keep, &res->attrs) < 0)
					return -1;
			} else if (tf_skip_span(j, t, &later) < 0) {
				return -1;
			}
		} else if (str_eqz(k, "depends_on")) {
			if (tf_read_strings(a, j, t, &res->deps, &res->ndeps) < 0)
				return -1;
		} else if (tfjson_skip(j, t) < 0)
			return -1;
	}
	keep = tf_read_keep(o, res->type);
	if (later.p && tf_capture_span(a, &later, j->name, keep, &res->attrs, e) < 0)
		return -1;
	res->attrs_kept = res->attrs_kept && keep != TF_KEEP_NONE;
	if (!res->address)
		res->address = tf_make_address(a, "", res->mode, res->type, res->name, res->index);
	/* the module is the address up to the resource part */
	const char *addr = res->address;
	const char *tail = res->mode == TF_MODE_DATA ? arena_printf(a, "data.%s.", res->type ? res->type : "")
						      : arena_printf(a, "%s.", res->type ? res->type : "");
	const char *hit = NULL;
	for (const char *p = strstr(addr, tail); p; p = strstr(p + 1, tail))
		if (p == addr || p[-1] == '.')
			hit = p;
	res->module = hit && hit > addr ? arena_strndup(a, addr, (size_t)(hit - addr - 1)) : "";
	tf_resource_finish(res);
	return 0;
}

static int show_module(struct reader *r, int level);

static int show_module_list(struct reader *r, enum tfjson_tok t, int level, bool resources)
{
	if (t != TFJ_ARR_BEGIN)
		return tfjson_skip(r->j, t);
	for (;;) {
		t = tfjson_next(r->j);
		if (t == TFJ_ARR_END)
			return 0;
		if (t == TFJ_ERROR)
			return -1;
		if (t != TFJ_OBJ_BEGIN) {
			if (tfjson_skip(r->j, t) < 0)
				return -1;
			continue;
		}
		if (resources && r->count_only) {
			/* only "mode" matters; everything else is skipped */
			bool data = false;
			for (;;) {
				struct str key;
				enum tfjson_tok k = tfjson_member(r->j, &key);
				if (k == TFJ_OBJ_END)
					break;
				if (k == TFJ_ERROR)
					return -1;
				if (str_eqz(key, "mode") && k == TFJ_STRING)
					data = str_eqz(r->j->str, "data");
				else if (tfjson_skip(r->j, k) < 0)
					return -1;
			}
			if (data)
				r->st->ndata++;
			else
				r->st->nmanaged++;
			tfjson_release_behind(r->j);
		} else if (resources) {
			struct tf_resource *res = new_res(r);
			if (show_resource(r->a, r->j, r->o, res, r->e) < 0)
				return -1;
			tfjson_release_behind(r->j);
			count(r->st, res);
		} else if (show_module(r, level + 1) < 0) {
			return -1;
		}
	}
}

/* Recursion is bounded by the tokenizer's nesting limit (each level opens two containers). */
static int show_module(struct reader *r, int level)
{
	for (;;) {
		struct str k;
		enum tfjson_tok t = tfjson_member(r->j, &k);
		if (t == TFJ_OBJ_END)
			return 0;
		if (t == TFJ_ERROR)
			return -1;
		if (str_eqz(k, "resources")) {
			if (show_module_list(r, t, level, true) < 0)
				return -1;
		} else if (str_eqz(k, "child_modules")) {
			if (show_module_list(r, t, level, false) < 0)
				return -1;
		} else if (tfjson_skip(r->j, t) < 0) {
			return -1;
		}
	}
}

static int show_values(struct reader *r, enum tfjson_tok t)
{
	if (t != TFJ_OBJ_BEGIN)
		return tfjson_skip(r->j, t);
	for (;;) {
		struct str k;
		t = tfjson_member(r->j, &k);
		if (t == TFJ_OBJ_END)
			return 0;
		if (t == TFJ_ERROR)
			return -1;
		if (str_eqz(k, "root_module") && t == TFJ_OBJ_BEGIN) {
			if (show_module(r, 0) < 0)
				return -1;
		} else if (tfjson_skip(r->j, t) < 0) {
			return -1;
		}
	}
}

int tf_read_show_values(struct arena *a, struct tfjson *j, enum tfjson_tok t, const struct tf_read_opts *o,
			struct tf_state *st, struct err *e)
{
	struct reader r = { a, j, o, st, st->nres, e, o && o->no_attrs };
	return show_values(&r, t);
}

/* ---- top level ---- */

static bool all_space(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\n' && p[i] != '\r' && p[i] != '\t')
			return false;
	return true;
}

static int parse_state(struct arena *a, const char *data, size_t n, const char *name, const struct tf_read_opts *o,
		       struct tf_state *out, struct err *e, bool mapped);

int tfstate_parse(struct arena *a, const char *data, size_t n, const char *name, const struct tf_read_opts *o,
		  struct tf_state *out, struct err *e)
{
	return parse_state(a, data, n, name, o, out, e, false);
}

static int parse_state(struct arena *a, const char *data, size_t n, const char *name, const struct tf_read_opts *o,
		       struct tf_state *out, struct err *e, bool mapped)
{
	struct tfjson j;
	struct reader r = { a, &j, o, out, 0, e, false };
	bool is_plan = false, encrypted = false, have_values = false, have_version = false;
	enum tfjson_tok t;

	memset(out, 0, sizeof(*out));
	out->path = name;
	tf_digest_hex(data, n, out->digest, mapped);
	if (all_space(data, n)) {
		out->form = TF_STATE_EMPTY;
		out->note = "the state file is empty: Terraform treats it as no state";
		return 0;
	}
	if (n >= 4 && memcmp(data, "PK\003\004", 4) == 0) {
		err_set(e, "'%s' is a binary plan file, not a state", name);
		return err_hint(e, "use 'blastwall plan %s'", name);
	}
	if (tfjson_open(&j, a, data, n, name, e) < 0)
		return -1;
	j.file_backed = mapped && j.base == data;
	t = tfjson_next(&j);
	if (t != TFJ_OBJ_BEGIN) {
		if (t != TFJ_ERROR)
			err_set(e, "'%s' is not a Terraform state: the top level is not a JSON object", name);
		goto fail;
	}
	for (;;) {
		struct str k;
		t = tfjson_member(&j, &k);
		if (t == TFJ_OBJ_END)
			break;
		if (t == TFJ_ERROR)
			goto fail;
		if (str_eqz(k, "version") && t == TFJ_NUMBER) {
			unsigned long long v;
			if (!tfjson_u64(j.str, &v) || v > 1000) {
				err_set(e, "'%s' has a state version '%.*s' that is not a small integer", name,
					STR_FMT(j.str));
				goto fail;
			}
			out->version = (int)v;
			have_version = true;
		} else if (str_eqz(k, "serial") && t == TFJ_NUMBER) {
			if (!tfjson_u64(j.str, &out->serial)) {
				err_set(e, "'%s' has a serial '%.*s' that is not a non-negative integer", name,
					STR_FMT(j.str));
				goto fail;
			}
			out->has_serial = true;
		} else if (str_eqz(k, "lineage") && t == TFJ_STRING) {
			out->lineage = tf_tokstr(a, &j);
		} else if (str_eqz(k, "terraform_version") && t == TFJ_STRING) {
			out->terraform_version = tf_tokstr(a, &j);
		} else if (str_eqz(k, "format_version") && t == TFJ_STRING) {
			out->format_version = tf_tokstr(a, &j);
		} else if (str_eqz(k, "resources")) {
			if (v4_resources(&r, t) < 0)
				goto fail;
		} else if (str_eqz(k, "modules")) {
			if (v3_modules(&r, t) < 0)
				goto fail;
		} else if (str_eqz(k, "values")) {
			have_values = true;
			if (show_values(&r, t) < 0)
				goto fail;
		} else if (str_eqz(k, "encrypted_data") || str_eqz(k, "encryption_version")) {
			encrypted = true;
			if (tfjson_skip(&j, t) < 0)
				goto fail;
		} else if (str_eqz(k, "resource_changes") || str_eqz(k, "planned_values") ||
			   str_eqz(k, "prior_state")) {
			is_plan = true;
			if (tfjson_skip(&j, t) < 0)
				goto fail;
		} else if (tfjson_skip(&j, t) < 0) {
			goto fail;
		}
	}
	if (tfjson_next(&j) != TFJ_EOF)
		goto fail;
	tfjson_release(&j);

	if (is_plan) {
		err_set(e, "'%s' is a plan (it has resource_changes), not a state", name);
		return err_hint(e, "use 'blastwall plan %s'", name);
	}
	if (encrypted) {
		out->form = TF_STATE_ENCRYPTED;
		out->note = "the state is encrypted (OpenTofu state encryption): its lineage and serial are readable, "
			    "its resources are not";
		return 0;
	}
	if (have_version) {
		if (out->version != 1 && out->version != 2 && out->version != 3 && out->version != 4) {
			err_set(e, "'%s' is a state of version %d, which this reader does not know", name, out->version);
			return err_hint(e, "state versions 1, 3 and 4 are supported; newer Terraform versions may "
					   "need a newer blastwall");
		}
		out->form = TF_STATE_RAW;
		return 0;
	}
	if (have_values || out->format_version) {
		out->form = TF_STATE_SHOW_JSON;
		return 0;
	}
	err_set(e, "'%s' is JSON but not a Terraform state (no \"version\", no \"values\")", name);
	return err_hint(e, "give a terraform.tfstate file or the output of 'terraform show -json'");
fail:
	tfjson_release(&j);
	if (!e->msg[0])
		err_set(e, "'%s' is not a readable Terraform state", name);
	return -1;
}

int tfstate_load(struct arena *a, const char *path, const struct tf_read_opts *o, struct tf_state *out,
		 struct err *e)
{
	struct str data;
	size_t max = o && o->max_bytes ? o->max_bytes : DEFAULT_MAX;
	memset(out, 0, sizeof(*out));
	if (tf_map_file(a, path, max, &data, e) < 0)
		return -1;
	return parse_state(a, data.p, data.n, path, o, out, e, tf_is_mapped(a, data));
}

const struct tf_resource *tfstate_find(const struct tf_state *st, const char *address)
{
	for (size_t i = 0; i < st->nres; i++)
		if (!st->res[i].deposed && strcmp(st->res[i].address, address) == 0)
			return &st->res[i];
	return NULL;
}

const char *tfstate_form_name(const struct tf_state *st)
{
	switch (st->form) {
	case TF_STATE_RAW:
		return st->version == 4 ? "4" : st->version == 3 ? "3" : st->version == 2 ? "2" : "1";
	case TF_STATE_SHOW_JSON:
		return "show-json";
	case TF_STATE_ENCRYPTED:
		return "encrypted";
	case TF_STATE_EMPTY:
		return "empty";
	}
	return "?";
}
