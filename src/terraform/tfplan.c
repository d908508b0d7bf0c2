/*
 * tfplan.c: reads plans. JSON plans go through the pull tokenizer in one
 * pass; a binary plan (zip) is opened in memory: its embedded prior state is
 * read with the state reader, and the changes come from `terraform show
 * -json` (tfexec) or, failing that, from the embedded protobuf (tfplanpb.c).
 * Per change only the identity, the actions and, for data-bearing types, the
 * `before` attributes are kept.
 */
#include "terraform/tfplan.h"

#include <string.h>
#include <unistd.h>

#include "common/fs.h"
#include "terraform/tfexec.h"
#include "terraform/tfread.h"

#define DEFAULT_MAX ((size_t)2 << 30)

const char *tf_action_name(enum tf_action a)
{
	static const char *const names[] = { "no-op", "create", "read", "update", "delete",
					     "delete-create", "create-delete", "forget", "unknown" };
	return (unsigned)a < ARRAY_SIZE(names) ? names[a] : "unknown";
}

struct preader {
	struct arena *a;
	struct tfjson *j;
	const struct tf_plan_opts *o;
	struct tf_plan *p;
	size_t cap;
	struct err *e;
};

static enum tf_action action_of(const char **v, size_t n)
{
	if (n == 1) {
		if (!strcmp(v[0], "no-op")) return TF_ACT_NOOP;
		if (!strcmp(v[0], "create")) return TF_ACT_CREATE;
		if (!strcmp(v[0], "read")) return TF_ACT_READ;
		if (!strcmp(v[0], "update")) return TF_ACT_UPDATE;
		if (!strcmp(v[0], "delete")) return TF_ACT_DELETE;
		if (!strcmp(v[0], "forget")) return TF_ACT_FORGET;
	} else if (n == 2) {
		if (!strcmp(v[0], "delete") && !strcmp(v[1], "create")) return TF_ACT_REPLACE_DC;
		if (!strcmp(v[0], "create") && !strcmp(v[1], "delete")) return TF_ACT_REPLACE_CD;
	}
	return TF_ACT_UNKNOWN;
}

struct tf_change *tfplan_new_change(struct arena *a, struct tf_plan *p, size_t *cap);
struct tf_change *tfplan_new_change(struct arena *a, struct tf_plan *p, size_t *cap)
{
	if (p->nchanges == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		p->changes = arena_grow(a, p->changes, p->nchanges, nc, sizeof(*p->changes));
		*cap = nc;
	}
	struct tf_change *c = &p->changes[p->nchanges++];
	memset(c, 0, sizeof(*c));
	return c;
}

/* Fills counts and destroy_mode from the changes. */
void tfplan_tally(struct tf_plan *p);
void tfplan_tally(struct tf_plan *p)
{
	size_t managed = 0, deletes = 0;
	memset(p->counts, 0, sizeof(p->counts));
	p->ndata_reads = p->nimports = 0;
	for (size_t i = 0; i < p->nchanges; i++) {
		const struct tf_change *c = &p->changes[i];
		if (c->r.mode == TF_MODE_DATA) {
			if (c->action == TF_ACT_READ)
				p->ndata_reads++;
			continue;
		}
		p->counts[c->action]++;
		managed++;
		if (c->importing)
			p->nimports++;
		if (c->action == TF_ACT_DELETE)
			deletes++;
	}
	if (!p->destroy_mode)
		p->destroy_mode = managed > 0 && deletes == managed;
}

static int read_change_body(struct preader *r, struct tf_change *c, enum tf_keep keep, enum tfjson_tok t)
{
	struct tfjson *j = r->j;
	if (t != TFJ_OBJ_BEGIN)
		return tfjson_skip(j, t);
	for (;;) {
		struct str k;
		t = tfjson_member(j, &k);
		if (t == TFJ_OBJ_END)
			return 0;
		if (t == TFJ_ERROR)
			return -1;
		if (str_eqz(k, "actions")) {
			const char **v;
			size_t n;
			if (tf_read_strings(r->a, j, t, &v, &n) < 0)
				return -1;
			c->action = action_of(v, n);
		} else if (str_eqz(k, "before")) {
			c->r.attrs_kept = t == TFJ_OBJ_BEGIN; /* finally decided by read_change */
			if (tf_capture_attrs(r->a, j, t, keep, &c->r.attrs) < 0)
				return -1;
		} else if (str_eqz(k, "importing")) {
			c->importing = t == TFJ_OBJ_BEGIN;
			if (tfjson_skip(j, t) < 0)
				return -1;
		} else if (str_eqz(k, "after")) {
			c->has_after = t == TFJ_OBJ_BEGIN;
			if (tf_capture_attrs(r->a, j, t, keep, &c->after) < 0)
				return -1;
		} else if (tfjson_skip(j, t) < 0) {
			return -1;
		}
	}
}

static int read_change(struct preader *r)
{
	struct tfjson *j = r->j;
	struct tf_change *c = tfplan_new_change(r->a, r->p, &r->cap);
	struct tf_span later = { 0 };
	c->action = TF_ACT_UNKNOWN;
	for (;;) {
		struct str k;
		enum tfjson_tok t = tfjson_member(j, &k);
		if (t == TFJ_OBJ_END)
			break;
		if (t == TFJ_ERROR)
			return -1;
		if (t == TFJ_STRING && str_eqz(k, "address"))
			c->r.address = tf_tokstr(r->a, j);
		else if (t == TFJ_STRING && str_eqz(k, "module_address"))
			c->r.module = tf_tokstr(r->a, j);
		else if (t == TFJ_STRING && str_eqz(k, "mode"))
			c->r.mode = str_eqz(j->str, "data") ? TF_MODE_DATA : TF_MODE_MANAGED;
		else if (t == TFJ_STRING && str_eqz(k, "type"))
			c->r.type = tf_tokstr(r->a, j);
		else if (t == TFJ_STRING && str_eqz(k, "name"))
			c->r.name = tf_tokstr(r->a, j);
		else if ((t == TFJ_NUMBER || t == TFJ_STRING) && str_eqz(k, "index"))
			c->r.index = tf_index_text(r->a, t, j->str);
		else if (t == TFJ_STRING && str_eqz(k, "provider_name"))
			c->r.provider = tf_tokstr(r->a, j);
		else if (t == TFJ_STRING && str_eqz(k, "deposed"))
			c->r.deposed = tf_tokstr(r->a, j);
		else if (t == TFJ_STRING && str_eqz(k, "action_reason"))
			c->action_reason = tf_tokstr(r->a, j);
		else if (t == TFJ_STRING && str_eqz(k, "previous_address"))
			c->previous_address = tf_tokstr(r->a, j);
		else if (str_eqz(k, "change")) {
			if (c->r.type) {
				if (read_change_body(r, c, tf_read_keep(&r->o->read, c->r.type), t) < 0)
					return -1;
			} else if (tf_skip_span(j, t, &later) < 0) {
				return -1;
			}
		} else if (tfjson_skip(j, t) < 0)
			return -1;
	}
	/* read_change_body set it when "before" was an object */
	bool before_seen_early = c->r.attrs_kept;
	if (later.p) {
		struct tfjson sub;
		struct tfjson *outer = r->j;
		tfjson_open_span(&sub, later.p, later.n, outer->name, r->e);
		r->j = &sub;
		int rc = read_change_body(r, c, tf_read_keep(&r->o->read, c->r.type), tfjson_next(&sub));
		before_seen_early = c->r.attrs_kept;
		r->j = outer;
		tfjson_release(&sub);
		if (rc < 0)
			return -1;
	}
	c->r.attrs_kept = before_seen_early && tf_read_wants_attrs(&r->o->read, c->r.type);
	if (!c->r.address)
		c->r.address = tf_make_address(r->a, c->r.module, c->r.mode, c->r.type, c->r.name, c->r.index);
	tf_resource_finish(&c->r);
	return 0;
}

static int read_change_cb(void *r)
{
	return read_change(r);
}

static int read_changes(struct preader *r, enum tfjson_tok t)
{
	return tfjson_each_object(r->j, t, read_change_cb, r);
}

/* Counts the elements of an array (or members of an object), skipping each. */
static int count_elems(struct tfjson *j, enum tfjson_tok t, size_t *n)
{
	if (t != TFJ_ARR_BEGIN)
		return tfjson_skip(j, t);
	for (;;) {
		t = tfjson_next(j);
		if (t == TFJ_ARR_END)
			return 0;
		if (t == TFJ_ERROR || tfjson_skip(j, t) < 0)
			return -1;
		(*n)++;
	}
}

/* output_changes: { name: { actions: [...] , ...} }; counts those that are not no-op. */
static int count_outputs(struct preader *r, enum tfjson_tok t)
{
	struct tfjson *j = r->j;
	if (t != TFJ_OBJ_BEGIN)
		return tfjson_skip(j, t);
	for (;;) {
		struct str k;
		t = tfjson_member(j, &k);
		if (t == TFJ_OBJ_END)
			return 0;
		if (t == TFJ_ERROR)
			return -1;
		if (t != TFJ_OBJ_BEGIN) {
			if (tfjson_skip(j, t) < 0)
				return -1;
			continue;
		}
		bool changed = false;
		for (;;) {
			struct str uk;
			enum tfjson_tok u = tfjson_member(j, &uk);
			if (u == TFJ_OBJ_END)
				break;
			if (u == TFJ_ERROR)
				return -1;
			if (str_eqz(uk, "actions")) {
				const char **v;
				size_t n;
				if (tf_read_strings(r->a, j, u, &v, &n) < 0)
					return -1;
				changed = action_of(v, n) != TF_ACT_NOOP;
			} else if (tfjson_skip(j, u) < 0) {
				return -1;
			}
		}
		if (changed)
			r->p->noutput_changes++;
	}
}

static int read_prior(struct preader *r, enum tfjson_tok t)
{
	struct tfjson *j = r->j;
	struct tf_state st;
	struct tf_read_opts none = { .no_attrs = true };
	if (t != TFJ_OBJ_BEGIN)
		return tfjson_skip(j, t);
	memset(&st, 0, sizeof(st));
	r->p->has_prior = true;
	for (;;) {
		struct str k;
		t = tfjson_member(j, &k);
		if (t == TFJ_OBJ_END)
			break;
		if (t == TFJ_ERROR)
			return -1;
		if (t == TFJ_STRING && str_eqz(k, "terraform_version")) {
			r->p->prior_terraform_version = tf_tokstr(r->a, j);
		} else if (str_eqz(k, "values")) {
			/* only the count is needed: before values come with each change */
			if (tf_read_show_values(r->a, j, t, &none, &st, r->e) < 0)
				return -1;
		} else if (tfjson_skip(j, t) < 0) {
			return -1;
		}
	}
	r->p->prior_nmanaged = st.nmanaged;
	return 0;
}

static int check_format(struct tf_plan *p, const char *name, struct err *e)
{
	const char *v = p->format_version;
	if (!v)
		return 0;
	if (v[0] == '0' || v[0] == '1') {
		if (v[1] == '.' || v[1] == 0)
			return 0;
	}
	err_set(e, "'%s' is plan JSON of format_version %s; this reader knows major versions 0 and 1", name, v);
	return err_hint(e, "a newer blastwall may read it; meanwhile check the plan with 'terraform show'");
}

static int parse_json(struct arena *a, const char *data, size_t n, const char *name, const struct tf_plan_opts *o,
		      struct tf_plan *out, struct err *e, bool mapped);

int tfplan_parse_json(struct arena *a, const char *data, size_t n, const char *name, const struct tf_plan_opts *o,
		      struct tf_plan *out, struct err *e)
{
	return parse_json(a, data, n, name, o, out, e, false);
}

static int parse_json(struct arena *a, const char *data, size_t n, const char *name, const struct tf_plan_opts *o,
		      struct tf_plan *out, struct err *e, bool mapped)
{
	static const struct tf_plan_opts dflt;
	struct tfjson j;
	struct preader r = { a, &j, o ? o : &dflt, out, 0, e };
	bool stateish = false, planish = false, have_values = false, have_changes = false;
	struct tf_state planned;
	enum tfjson_tok t;

	memset(out, 0, sizeof(*out));
	memset(&planned, 0, sizeof(planned));
	out->path = name;
	out->form = TF_PLAN_JSON;
	out->changes_src = TF_CHANGES_JSON;
	/* two things people feed by mistake: the UI stream of `plan -json`, and the text output */
	struct str head = str_sub(str_make(data, n), 0, 512);
	if (str_find(head, "\"@level\"") >= 0 && str_find(head, "\"@message\"") >= 0) {
		err_set(e, "'%s' is the JSON lines stream of 'terraform plan -json', not a plan", name);
		return err_hint(e, "write the plan with 'terraform plan -out=tfplan' and give tfplan (or the output "
				   "of 'terraform show -json tfplan')");
	}
	struct str t0 = str_trim(head), head4k = str_sub(str_make(data, n), 0, 4096);
	if (t0.n && t0.p[0] != '{' && t0.p[0] != '[' && (unsigned char)t0.p[0] < 0x80 && t0.p[0] != '"' &&
	    (str_find(head4k, "Terraform") >= 0 || str_find(head4k, "OpenTofu") >= 0 ||
	     str_find(head4k, "Plan:") >= 0 || str_find(head4k, "Refreshing state") >= 0)) {
		err_set(e, "'%s' looks like the text output of a plan, which cannot be read reliably", name);
		return err_hint(e, "write the plan with 'terraform plan -out=tfplan' and give tfplan");
	}
	if (tfjson_open(&j, a, data, n, name, e) < 0)
		return -1;
	/* only when the tokenizer reads the mapping itself (not a transcoded copy) */
	j.file_backed = mapped && j.base == data;
	t = tfjson_next(&j);
	if (t != TFJ_OBJ_BEGIN) {
		if (t != TFJ_ERROR)
			err_set(e, "'%s' is not a Terraform plan: the top level is not a JSON object", name);
		goto fail;
	}
	for (;;) {
		struct str k;
		t = tfjson_member(&j, &k);
		if (t == TFJ_OBJ_END)
			break;
		if (t == TFJ_ERROR)
			goto fail;
		if (t == TFJ_STRING && str_eqz(k, "format_version")) {
			out->format_version = tf_tokstr(a, &j);
			if (check_format(out, name, e) < 0)
				goto fail_msg;
		} else if (t == TFJ_STRING && str_eqz(k, "terraform_version")) {
			out->terraform_version = tf_tokstr(a, &j);
		} else if (str_eqz(k, "resource_changes")) {
			planish = have_changes = true;
			if (read_changes(&r, t) < 0)
				goto fail;
		} else if (str_eqz(k, "resource_drift")) {
			if (count_elems(&j, t, &out->ndrift) < 0)
				goto fail;
		} else if (str_eqz(k, "output_changes")) {
			planish = true;
			if (count_outputs(&r, t) < 0)
				goto fail;
		} else if (str_eqz(k, "prior_state")) {
			planish = true;
			if (read_prior(&r, t) < 0)
				goto fail;
		} else if (str_eqz(k, "errored")) {
			out->errored = t == TFJ_TRUE;
		} else if (str_eqz(k, "applyable")) {
			out->applyable_known = true;
			out->applyable = t == TFJ_TRUE;
		} else if (str_eqz(k, "planned_values") && !have_changes) {
			/* counted in case resource_changes is missing (trimmed plans) */
			struct tf_read_opts none = { .no_attrs = true };
			planish = true;
			memset(&planned, 0, sizeof(planned));
			if (tf_read_show_values(a, &j, t, &none, &planned, e) < 0)
				goto fail;
		} else if (str_eqz(k, "planned_values") || str_eqz(k, "configuration") ||
			   str_eqz(k, "relevant_attributes")) {
			planish = true;
			if (tfjson_skip(&j, t) < 0)
				goto fail;
		} else if (str_eqz(k, "values")) {
			have_values = true;
			if (tfjson_skip(&j, t) < 0)
				goto fail;
		} else if (str_eqz(k, "lineage") || str_eqz(k, "modules") || str_eqz(k, "encrypted_data") ||
			   (str_eqz(k, "resources") && !planish)) {
			stateish = true;
			if (tfjson_skip(&j, t) < 0)
				goto fail;
		} else if (tfjson_skip(&j, t) < 0) {
			goto fail;
		}
	}
	if (tfjson_next(&j) != TFJ_EOF)
		goto fail;
	tfjson_release(&j);
	if (!planish && (stateish || have_values)) {
		err_set(e, "'%s' is a Terraform state, not a plan", name);
		return err_hint(e, "use 'blastwall posture %s' for a state, or give the output of "
				   "'terraform show -json PLANFILE'", name);
	}
	if (!planish) {
		err_set(e, "'%s' is JSON but not a Terraform plan (no resource_changes, planned_values or prior_state)",
			name);
		return err_hint(e, "give a plan file or the output of 'terraform show -json PLANFILE'");
	}
	tfplan_tally(out);
	if (!have_changes && planned.nmanaged) {
		out->counts[TF_ACT_UNKNOWN] = planned.nmanaged;
		out->changes_note = arena_printf(a, "the plan has no resource_changes: %zu planned resources with "
						    "unknown actions", planned.nmanaged);
	}
	return 0;
fail:
	if (!e->msg[0])
		err_set(e, "'%s' is not a readable Terraform plan", name);
fail_msg:
	tfjson_release(&j);
	return -1;
}

bool tfplan_creates_from_empty(const struct tf_plan *p)
{
	size_t other = 0;
	for (int i = 0; i < TF_ACT_COUNT; i++)
		if (i != TF_ACT_CREATE)
			other += p->counts[i];
	return p->changes_src != TF_CHANGES_NONE && p->prior_nmanaged == 0 && p->counts[TF_ACT_CREATE] > 0 &&
	       other == 0;
}

bool tfplan_is_zip(const char *data, size_t n)
{
	return n >= 4 && memcmp(data, "PK\003\004", 4) == 0;
}

/* The binary that should read this plan: tofu when the lock file names the OpenTofu registry. */
static bool made_by_tofu(const char *data, size_t n)
{
	struct buf lock;
	struct err e;
	bool tofu = false;
	buf_init(&lock, 1 << 20);
	err_init(&e);
	if (tfzip_extract(data, n, ".terraform.lock.hcl", 1 << 20, &lock, &e) == 0)
		tofu = str_find(buf_str(&lock), "registry.opentofu.org") >= 0;
	buf_release(&lock);
	return tofu;
}

/*
 * The useful part of terraform's stderr: from the last "Error: " on, without
 * the box-drawing frame of its diagnostics, on one line, at most 300 bytes.
 */
static const char *tool_complaint(struct arena *a, struct str s)
{
	long at = -1;
	for (long off = 0;;) {
		long k = str_find(str_sub(s, (size_t)off, s.n), "Error: ");
		if (k < 0)
			break;
		at = off + k;
		off = at + 7;
	}
	if (at >= 0)
		s = str_sub(s, (size_t)at + 7, s.n);
	struct buf b;
	buf_init(&b, 0);
	bool space = false;
	for (size_t i = 0; i < s.n && b.n < 300; i++) {
		unsigned char c = (unsigned char)s.p[i];
		/* U+2500..U+257F (box drawing) are E2 94 xx / E2 95 xx in UTF-8 */
		if (c == 0xE2 && i + 2 < s.n && ((unsigned char)s.p[i + 1] == 0x94 || (unsigned char)s.p[i + 1] == 0x95)) {
			i += 2;
			space = true;
			continue;
		}
		if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
			space = true;
			continue;
		}
		if (space && b.n)
			buf_addc(&b, ' ');
		space = false;
		buf_addc(&b, (char)c);
	}
	const char *r = b.n ? arena_strndup(a, b.p, b.n) : "no message";
	buf_release(&b);
	return r;
}

static int changes_from_show(struct arena *a, const char *path, const struct tf_plan_opts *o, struct tf_plan *p,
			     const char *bin, struct err *e)
{
	const char *argv[] = { bin, "show", "-json", "-no-color", path, NULL };
	struct buf out, errout;
	struct err sub;
	struct tf_plan shown;
	int rc;

	buf_init(&out, o && o->read.max_bytes ? o->read.max_bytes : DEFAULT_MAX);
	buf_init(&errout, 4096);
	err_init(&sub);
	rc = tfexec_run(argv, path_dirname(a, path), o && o->timeout_ms ? o->timeout_ms : 20000, out.max, &out,
			&errout, &sub);
	if (rc != 0) {
		if (rc > 0) {
			err_set(e, "'%s show -json' failed (exit %d): %s", bin, rc, tool_complaint(a, buf_str(&errout)));
		} else {
			err_set(e, "%s", sub.msg);
		}
		buf_release(&out);
		buf_release(&errout);
		return -1;
	}
	buf_release(&errout);
	const char *copy = arena_strndup(a, out.p ? out.p : "", out.n);
	size_t n = out.n;
	buf_release(&out);
	if (tfplan_parse_json(a, copy, n, path, o, &shown, e) < 0)
		return -1;
	p->format_version = shown.format_version;
	p->terraform_version = shown.terraform_version;
	p->errored = p->errored || shown.errored;
	p->applyable_known = shown.applyable_known;
	p->applyable = shown.applyable;
	p->changes = shown.changes;
	p->nchanges = shown.nchanges;
	p->ndrift = shown.ndrift;
	p->noutput_changes = shown.noutput_changes;
	p->changes_src = TF_CHANGES_SHOW;
	p->tool = bin;
	tfplan_tally(p);
	return 0;
}

int tfplan_load(struct arena *a, const char *path, const struct tf_plan_opts *o, struct tf_plan *out,
		struct err *e)
{
	struct str data;
	size_t max = o && o->read.max_bytes ? o->read.max_bytes : DEFAULT_MAX;
	memset(out, 0, sizeof(*out));
	if (tf_map_file(a, path, max, &data, e) < 0)
		return -1;
	if (data.n == 0) {
		err_set(e, "'%s' is empty, not a plan", path);
		return err_hint(e, "write a plan with 'terraform plan -out=FILE'");
	}
	if (!tfplan_is_zip(data.p, data.n))
		return parse_json(a, data.p, data.n, path, o, out, e, tf_is_mapped(a, data));
	if (tfplan_parse_zip(a, data.p, data.n, path, o, out, e) < 0)
		return -1;
	if (o && o->no_exec)
		return 0;
	const char *bin = tfexec_find(a, o ? o->terraform : NULL, made_by_tofu(data.p, data.n));
	if (!bin && o && o->terraform) {
		err_set(e, "cannot read the binary plan '%s': '%s' is not an executable terraform or tofu", path,
			o->terraform);
		return err_hint(e, "give the path of the binary that made the plan, or --no-exec to decode the "
				   "plan file directly");
	}
	if (!bin) {
		if (out->changes_src == TF_CHANGES_PROTOBUF)
			out->changes_note = "no terraform or tofu binary found: actions were decoded from the plan "
					    "file itself, before values from its prior state";
		return 0;
	}
	struct err sub;
	err_init(&sub);
	char cwd[4096];
	const char *abs = path_normalize(a, getcwd(cwd, sizeof(cwd)) ? cwd : "/", path);
	if (changes_from_show(a, abs, o, out, bin, &sub) < 0) {
		if (o && o->terraform) {
			/* the user named the binary: its failure is the answer */
			err_set(e, "cannot read the binary plan '%s' with %s", path, sub.msg);
			return err_hint(e, "run it where 'terraform init' was done, with the Terraform version that "
					   "made the plan, or drop --terraform to decode the plan file directly");
		}
		if (out->changes_src == TF_CHANGES_PROTOBUF)
			out->changes_note = arena_printf(a, "%s; actions were decoded from the plan file itself", sub.msg);
		else
			out->changes_note = arena_strdup(a, sub.msg);
	}
	return 0;
}
