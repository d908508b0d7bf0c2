/*
 * config.c: loading .blastwall.yaml and the user's config.yaml with libyaml.
 *
 * Each file is loaded into its own layer (a zeroed struct bw_config) with the
 * libyaml document API, so every node keeps the line it came from for error
 * messages. Only a layer that parsed cleanly is merged into the result: a
 * broken file contributes nothing (not even its allow entries) and sets
 * cfg->broken, so the guard fails closed instead of half-applying a file.
 *
 * Merging: lists are concatenated, user file first, so rule overrides from the
 * project come later and win ("last match wins"); scalars from the project
 * replace the user's. A production list that a file sets replaces the built-in
 * default ("*prod*") for that list.
 *
 * This runs on every hook call: the work is a stat per directory up to $HOME
 * (or /) and the parse of at most two small files.
 *
 * Ownership: everything in cfg is allocated from the caller's arena; libyaml's
 * own memory is freed before returning.
 */
#include "guard/config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "common/buf.h"
#include "common/fs.h"

#define CONFIG_MAX_BYTES (1024 * 1024)
#define CONFIG_MAX_NODES 200000
#define CONFIG_MAX_WARNINGS 20
#define PROJECT_FILE ".blastwall.yaml"

static const char *default_prod[] = { "*prod*" };

const char *decision_name(enum decision d)
{
	switch (d) {
	case DECISION_ALLOW: return "allow";
	case DECISION_ASK: return "ask";
	case DECISION_DENY: return "deny";
	}
	return "deny";
}

int decision_parse(const char *s, enum decision *out)
{
	if (!s)
		return -1;
	if (strcasecmp(s, "allow") == 0)
		*out = DECISION_ALLOW;
	else if (strcasecmp(s, "ask") == 0)
		*out = DECISION_ASK;
	else if (strcasecmp(s, "deny") == 0)
		*out = DECISION_DENY;
	else
		return -1;
	return 0;
}

int config_rule_decision(const struct bw_config *cfg, const char *rule_id, bool prod)
{
	int found = -1;
	if (!cfg || !rule_id)
		return -1;
	for (size_t i = 0; i < cfg->noverrides; i++) {
		const struct rule_override *o = &cfg->overrides[i];
		if (o->prod_only && !prod)
			continue;
		if (o->project && strncmp(rule_id, "blastwall.", 10) == 0)
			continue;
		if (strcmp(o->rule, rule_id) == 0 || str_glob(o->rule, str_from(rule_id)))
			found = (int)o->decision;
	}
	return found;
}

bool config_prod_match(const char *const *globs, size_t n, const char *name)
{
	if (!name || !*name)
		return false;
	for (size_t i = 0; i < n; i++)
		if (str_glob(globs[i], str_from(name)))
			return true;
	return false;
}

bool config_allows(const struct bw_config *cfg, const char *command)
{
	if (!cfg || !command)
		return false;
	struct str c = str_trim(str_from(command));
	for (size_t i = 0; i < cfg->nallow_exact; i++)
		if (str_eqz(c, cfg->allow_exact[i]))
			return true;
	for (size_t i = 0; i < cfg->nallow_patterns; i++)
		if (str_glob(cfg->allow_patterns[i], c))
			return true;
	return false;
}

/* ---- growable arena arrays ---- */

#define PUSH(a, arr, n, val)                                                          \
	do {                                                                          \
		(arr) = arena_grow((a), (void *)(arr), (n), (n) + 1, sizeof(*(arr))); \
		(arr)[(n)++] = (val);                                                 \
	} while (0)

/* ---- one file ---- */

struct loader {
	struct arena *a;
	const char *path;
	yaml_document_t *doc;
	struct bw_config *out;   /* the layer being filled */
	struct bw_config *warn_to; /* where warnings are collected */
	char *problem;           /* first error, "FILE:LINE: problem" */
	/* which production lists this file set (replacing the default) */
	bool prod_set[6];
	size_t visits;           /* nodes looked at: bounded, see node() */
};

static unsigned long line_of(const yaml_node_t *n)
{
	return (unsigned long)n->start_mark.line + 1;
}

static int fail(struct loader *l, const yaml_node_t *n, const char *fmt, ...) BW_PRINTF(3, 4);
static int fail(struct loader *l, const yaml_node_t *n, const char *fmt, ...)
{
	if (l->problem)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	char *msg = arena_vprintf(l->a, fmt, ap);
	va_end(ap);
	l->problem = arena_printf(l->a, "%s:%lu: %s", l->path, n ? line_of(n) : 1UL, msg);
	return -1;
}

static void warn_unknown(struct loader *l, const yaml_node_t *key, const char *where)
{
	if (l->warn_to->nwarnings > CONFIG_MAX_WARNINGS)
		return;
	if (l->warn_to->nwarnings == CONFIG_MAX_WARNINGS) {
		PUSH(l->a, l->warn_to->warnings, l->warn_to->nwarnings,
		     arena_printf(l->a, "%s: more unknown keys (ignored)", l->path));
		return;
	}
	char *w = arena_printf(l->a, "%s:%lu: unknown key '%s'%s%s (ignored)", l->path, line_of(key),
			       (const char *)key->data.scalar.value, where ? " in " : "", where ? where : "");
	PUSH(l->a, l->warn_to->warnings, l->warn_to->nwarnings, w);
}

static const char *kind_name(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SCALAR_NODE: return "a single value";
	case YAML_SEQUENCE_NODE: return "a list";
	case YAML_MAPPING_NODE: return "a mapping";
	default: return "empty";
	}
}

/*
 * Every node the loader looks at goes through here. YAML aliases let a small
 * file name the same big list many times over ("billion laughs"); the hook
 * loads a project's file on every command, so the work is bounded: past
 * CONFIG_MAX_NODES visits the file counts as broken.
 */
static yaml_node_t *node(struct loader *l, int id)
{
	if (++l->visits > CONFIG_MAX_NODES) {
		if (!l->problem)
			l->problem = arena_printf(l->a, "%s:1: the file expands to more than %d values (YAML aliases?)",
						  l->path, CONFIG_MAX_NODES);
		return NULL;
	}
	return yaml_document_get_node(l->doc, id);
}

static const char *scalar(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

/* A scalar's text; fails with "KEY must be TEXT" otherwise. */
static int want_scalar(struct loader *l, const yaml_node_t *n, const char *what, const char **out)
{
	if (n->type != YAML_SCALAR_NODE)
		return fail(l, n, "%s must be a single value, not %s", what, kind_name(n));
	*out = arena_strdup(l->a, scalar(n));
	return 0;
}

static int want_decision(struct loader *l, const yaml_node_t *n, const char *what, enum decision *out)
{
	const char *s = NULL;
	if (want_scalar(l, n, what, &s) < 0)
		return -1;
	if (decision_parse(s, out) < 0)
		return fail(l, n, "%s: '%s' is not a decision (use allow, ask or deny)", what, s);
	return 0;
}

static int want_bool(struct loader *l, const yaml_node_t *n, const char *what, bool *out)
{
	const char *s = NULL;
	if (want_scalar(l, n, what, &s) < 0)
		return -1;
	static const char *yes[] = { "true", "yes", "on", "y" };
	static const char *no[] = { "false", "no", "off", "n" };
	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return fail(l, n, "%s: '%s' is not true or false", what, s);
}

static int want_long(struct loader *l, const yaml_node_t *n, const char *what, long min, long max, long *out)
{
	const char *s;
	unsigned long long v;
	if (want_scalar(l, n, what, &s) < 0)
		return -1;
	if (!str_to_u64(str_trim(str_from(s)), &v) || v < (unsigned long long)min || v > (unsigned long long)max)
		return fail(l, n, "%s: '%s' is not a whole number between %ld and %ld", what, s, min, max);
	*out = (long)v;
	return 0;
}

/* A list of strings; a single string is accepted as a one-element list. */
static int want_strings(struct loader *l, const yaml_node_t *n, const char *what, const char ***arr, size_t *cnt)
{
	if (n->type == YAML_SCALAR_NODE) {
		if (n->data.scalar.length == 0)
			return 0;  /* "key:" with nothing: an empty list */
		PUSH(l->a, *arr, *cnt, arena_strdup(l->a, scalar(n)));
		return 0;
	}
	if (n->type != YAML_SEQUENCE_NODE)
		return fail(l, n, "%s must be a list of strings, not %s", what, kind_name(n));
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *v = node(l, *it);
		const char *s;
		if (!v || want_scalar(l, v, what, &s) < 0)
			return -1;
		PUSH(l->a, *arr, *cnt, s);
	}
	return 0;
}

/* Iterates a mapping's pairs; it names the iterator so that loops can nest. */
#define FOR_PAIRS(l, map, it, k, v)                                                     \
	for (yaml_node_pair_t *it = (map)->data.mapping.pairs.start;                     \
	     it < (map)->data.mapping.pairs.top &&                                       \
	     ((k) = node((l), it->key)) != NULL && ((v) = node((l), it->value)) != NULL; \
	     it++)

static int want_mapping(struct loader *l, const yaml_node_t *n, const char *what)
{
	if (n->type != YAML_MAPPING_NODE)
		return fail(l, n, "%s must be a mapping (key: value), not %s", what, kind_name(n));
	return 0;
}

static int key_scalar(struct loader *l, const yaml_node_t *k, const char *what)
{
	if (k->type != YAML_SCALAR_NODE)
		return fail(l, k, "keys in %s must be plain names, not %s", what, kind_name(k));
	return 0;
}

/*
 * rules:
 *   ID: DECISION
 *   ID: { decision: DECISION }            ("default" is a synonym)
 *   ID: { production: DECISION, default: DECISION }
 */
static int load_rules(struct loader *l, const yaml_node_t *map)
{
	yaml_node_t *k, *v;
	if (want_mapping(l, map, "rules") < 0)
		return -1;
	FOR_PAIRS(l, map, p, k, v) {
		if (key_scalar(l, k, "rules") < 0)
			return -1;
		const char *id = arena_strdup(l->a, scalar(k));
		if (!*id)
			return fail(l, k, "rules: empty rule id");
		char *what = arena_printf(l->a, "rules.%s", id);
		if (v->type == YAML_SCALAR_NODE) {
			struct rule_override o = { .rule = id };
			if (want_decision(l, v, what, &o.decision) < 0)
				return -1;
			PUSH(l->a, l->out->overrides, l->out->noverrides, o);
			continue;
		}
		if (v->type != YAML_MAPPING_NODE)
			return fail(l, v, "%s must be a decision or a mapping with decision/production/default, not %s",
				    what, kind_name(v));
		bool have_def = false, have_prod = false;
		enum decision def = DECISION_ALLOW, prod = DECISION_ALLOW;
		yaml_node_t *k2, *v2;
		FOR_PAIRS(l, v, p2, k2, v2) {
			if (key_scalar(l, k2, what) < 0)
				return -1;
			const char *name = scalar(k2);
			if (strcmp(name, "decision") == 0 || strcmp(name, "default") == 0) {
				if (have_def)
					return fail(l, k2, "%s: give either decision or default, once", what);
				if (want_decision(l, v2, arena_printf(l->a, "%s.%s", what, name), &def) < 0)
					return -1;
				have_def = true;
			} else if (strcmp(name, "production") == 0) {
				if (want_decision(l, v2, arena_printf(l->a, "%s.production", what), &prod) < 0)
					return -1;
				have_prod = true;
			} else {
				warn_unknown(l, k2, what);
			}
		}
		if (!have_def && !have_prod)
			return fail(l, v, "%s: give a decision (decision: allow|ask|deny, or production: ...)", what);
		/* The production entry goes last so that it wins when the target is production. */
		if (have_def)
			PUSH(l->a, l->out->overrides, l->out->noverrides,
			     ((struct rule_override){ .rule = id, .decision = def }));
		if (have_prod)
			PUSH(l->a, l->out->overrides, l->out->noverrides,
			     ((struct rule_override){ .rule = id, .decision = prod, .prod_only = true }));
	}
	return 0;
}

/*
 * allow:
 *   - "exact command"
 *   - pattern: "glob over the whole command"
 *   - command: "exact command"
 */
static int load_allow(struct loader *l, const yaml_node_t *seq)
{
	if (seq->type == YAML_SCALAR_NODE && seq->data.scalar.length == 0)
		return 0;
	if (seq->type != YAML_SEQUENCE_NODE)
		return fail(l, seq, "allow must be a list, not %s", kind_name(seq));
	for (yaml_node_item_t *it = seq->data.sequence.items.start; it < seq->data.sequence.items.top; it++) {
		yaml_node_t *v = node(l, *it);
		if (!v)
			continue;
		if (v->type == YAML_SCALAR_NODE) {
			const char *s = arena_strdup(l->a, scalar(v));
			if (!*str_trim(str_from(s)).p || str_trim(str_from(s)).n == 0)
				return fail(l, v, "allow: empty command");
			PUSH(l->a, l->out->allow_exact, l->out->nallow_exact,
			     arena_strstr(l->a, str_trim(str_from(s))));
			continue;
		}
		if (v->type != YAML_MAPPING_NODE)
			return fail(l, v, "allow entries must be a command or {pattern: GLOB}, not %s", kind_name(v));
		yaml_node_t *k2, *v2;
		bool any = false;
		FOR_PAIRS(l, v, p2, k2, v2) {
			if (key_scalar(l, k2, "allow") < 0)
				return -1;
			const char *name = scalar(k2), *s;
			if (strcmp(name, "pattern") == 0) {
				if (want_scalar(l, v2, "allow.pattern", &s) < 0)
					return -1;
				if (!*s)
					return fail(l, v2, "allow.pattern: empty pattern");
				PUSH(l->a, l->out->allow_patterns, l->out->nallow_patterns, s);
				any = true;
			} else if (strcmp(name, "command") == 0) {
				if (want_scalar(l, v2, "allow.command", &s) < 0)
					return -1;
				if (str_trim(str_from(s)).n == 0)
					return fail(l, v2, "allow.command: empty command");
				PUSH(l->a, l->out->allow_exact, l->out->nallow_exact,
				     arena_strstr(l->a, str_trim(str_from(s))));
				any = true;
			} else {
				warn_unknown(l, k2, "allow");
			}
		}
		if (!any)
			return fail(l, v, "allow entry needs pattern: or command:");
	}
	return 0;
}

static int load_production(struct loader *l, const yaml_node_t *map)
{
	static const char *keys[] = { "terraform_workspaces", "aws_profiles", "kube_contexts",
				      "gcloud_projects", "db_hosts", "paths" };
	struct prod_config *p = &l->out->prod;
	const char ***lists[] = { &p->tf_workspaces, &p->aws_profiles, &p->kube_contexts,
				  &p->gcloud_projects, &p->db_hosts, &p->paths };
	size_t *counts[] = { &p->ntf_workspaces, &p->naws_profiles, &p->nkube_contexts,
			     &p->ngcloud_projects, &p->ndb_hosts, &p->npaths };
	yaml_node_t *k, *v;
	if (want_mapping(l, map, "production") < 0)
		return -1;
	FOR_PAIRS(l, map, pp, k, v) {
		if (key_scalar(l, k, "production") < 0)
			return -1;
		size_t i;
		for (i = 0; i < ARRAY_SIZE(keys); i++)
			if (strcmp(scalar(k), keys[i]) == 0)
				break;
		if (i == ARRAY_SIZE(keys)) {
			warn_unknown(l, k, "production");
			continue;
		}
		if (want_strings(l, v, arena_printf(l->a, "production.%s", keys[i]), lists[i], counts[i]) < 0)
			return -1;
		l->prod_set[i] = true;
	}
	return 0;
}

static int load_audit(struct loader *l, const yaml_node_t *map)
{
	yaml_node_t *k, *v;
	if (want_mapping(l, map, "audit") < 0)
		return -1;
	FOR_PAIRS(l, map, p, k, v) {
		if (key_scalar(l, k, "audit") < 0)
			return -1;
		if (strcmp(scalar(k), "log_allowed") == 0) {
			if (want_bool(l, v, "audit.log_allowed", &l->out->audit_allow) < 0)
				return -1;
			l->out->audit_allow_set = true;
		} else {
			warn_unknown(l, k, "audit");
		}
	}
	return 0;
}

static int load_terraform(struct loader *l, const yaml_node_t *map)
{
	yaml_node_t *k, *v;
	if (want_mapping(l, map, "terraform") < 0)
		return -1;
	FOR_PAIRS(l, map, p, k, v) {
		if (key_scalar(l, k, "terraform") < 0)
			return -1;
		if (strcmp(scalar(k), "protect") == 0) {
			if (want_strings(l, v, "terraform.protect", &l->out->tf_protect, &l->out->ntf_protect) < 0)
				return -1;
		} else if (strcmp(scalar(k), "data_types") == 0) {
			if (want_strings(l, v, "terraform.data_types", &l->out->tf_data_types,
					 &l->out->ntf_data_types) < 0)
				return -1;
		} else {
			warn_unknown(l, k, "terraform");
		}
	}
	return 0;
}

static int load_check(struct loader *l, const yaml_node_t *map, size_t idx)
{
	static const char *expects[] = { "equals", "at_least", "at_most", "nonzero" };
	char *what = arena_printf(l->a, "drill.checks[%zu]", idx);
	struct drill_check c = { 0 };
	yaml_node_t *k, *v, *expect_node = NULL;
	if (want_mapping(l, map, what) < 0)
		return -1;
	FOR_PAIRS(l, map, p, k, v) {
		if (key_scalar(l, k, what) < 0)
			return -1;
		const char *name = scalar(k);
		char *w2 = arena_printf(l->a, "%s.%s", what, name);
		if (strcmp(name, "name") == 0) {
			if (want_scalar(l, v, w2, &c.name) < 0)
				return -1;
		} else if (strcmp(name, "sql") == 0) {
			if (want_scalar(l, v, w2, &c.sql) < 0)
				return -1;
		} else if (strcmp(name, "expect") == 0) {
			if (want_scalar(l, v, w2, &c.expect) < 0)
				return -1;
			expect_node = v;
		} else if (strcmp(name, "value") == 0) {
			if (want_scalar(l, v, w2, &c.value) < 0)
				return -1;
			long long dummy;
			char *end;
			errno = 0;
			dummy = strtoll(c.value, &end, 10);
			(void)dummy;
			if (errno || end == c.value || *end)
				return fail(l, v, "%s: '%s' is not a whole number", w2, c.value);
		} else {
			warn_unknown(l, k, what);
		}
	}
	if (!c.sql || !*c.sql)
		return fail(l, map, "%s needs sql:", what);
	if (!c.name)
		c.name = arena_printf(l->a, "check %zu", idx + 1);
	if (!c.expect)
		c.expect = "nonzero";
	size_t i;
	for (i = 0; i < ARRAY_SIZE(expects); i++)
		if (strcmp(c.expect, expects[i]) == 0)
			break;
	if (i == ARRAY_SIZE(expects))
		return fail(l, expect_node, "%s.expect: '%s' is not one of equals, at_least, at_most, nonzero",
			    what, c.expect);
	if (strcmp(c.expect, "nonzero") != 0 && !c.value)
		return fail(l, map, "%s: expect: %s needs value:", what, c.expect);
	PUSH(l->a, l->out->drill_checks, l->out->ndrill_checks, c);
	return 0;
}

static int load_drill(struct loader *l, const yaml_node_t *map)
{
	yaml_node_t *k, *v;
	if (want_mapping(l, map, "drill") < 0)
		return -1;
	FOR_PAIRS(l, map, p, k, v) {
		if (key_scalar(l, k, "drill") < 0)
			return -1;
		if (strcmp(scalar(k), "max_age_hours") == 0) {
			if (want_long(l, v, "drill.max_age_hours", 1, 24L * 365 * 10, &l->out->drill_max_age_hours) < 0)
				return -1;
		} else if (strcmp(scalar(k), "checks") == 0) {
			if (v->type == YAML_SCALAR_NODE && v->data.scalar.length == 0)
				continue;
			if (v->type != YAML_SEQUENCE_NODE)
				return fail(l, v, "drill.checks must be a list, not %s", kind_name(v));
			size_t idx = 0;
			for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
			     it++, idx++) {
				yaml_node_t *c = node(l, *it);
				if (c && load_check(l, c, idx) < 0)
					return -1;
			}
		} else {
			warn_unknown(l, k, "drill");
		}
	}
	return 0;
}

static int load_root(struct loader *l, const yaml_node_t *root)
{
	yaml_node_t *k, *v;
	if (root->type == YAML_SCALAR_NODE && root->data.scalar.length == 0)
		return 0;  /* a file with only "~" or comments */
	if (root->type != YAML_MAPPING_NODE)
		return fail(l, root, "the top level must be a mapping (rules:, allow:, production:, ...), not %s",
			    kind_name(root));
	FOR_PAIRS(l, root, p, k, v) {
		if (key_scalar(l, k, "the top level") < 0)
			return -1;
		const char *name = scalar(k);
		int r = 0;
		/* "key:" with no value is an empty section, not an error. */
		if (v->type == YAML_SCALAR_NODE && v->data.scalar.length == 0 &&
		    v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
			continue;
		if (strcmp(name, "rules") == 0)
			r = load_rules(l, v);
		else if (strcmp(name, "allow") == 0)
			r = load_allow(l, v);
		else if (strcmp(name, "production") == 0)
			r = load_production(l, v);
		else if (strcmp(name, "audit") == 0)
			r = load_audit(l, v);
		else if (strcmp(name, "terraform") == 0)
			r = load_terraform(l, v);
		else if (strcmp(name, "drill") == 0)
			r = load_drill(l, v);
		else if (strcmp(name, "version") == 0)
			r = 0; /* reserved for future schema versions */
		else
			warn_unknown(l, k, NULL);
		if (r < 0)
			return -1;
	}
	return 0;
}

/*
 * Parses text into layer. Returns 0, or -1 with l->problem set. The parser's
 * own messages already carry a line ("did not find expected key").
 */
static int parse_text(struct loader *l, const char *text, size_t n)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	int r = 0;

	if (!yaml_parser_initialize(&parser))
		bw_oom();
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, n);
	if (!yaml_parser_load(&parser, &doc)) {
		unsigned long line = (unsigned long)parser.problem_mark.line + 1;
		if (parser.error == YAML_MEMORY_ERROR)
			bw_oom();
		if (parser.context)
			l->problem = arena_printf(l->a, "%s:%lu: YAML syntax error: %s %s", l->path, line,
						  parser.problem ? parser.problem : "invalid YAML", parser.context);
		else
			l->problem = arena_printf(l->a, "%s:%lu: YAML syntax error: %s", l->path, line,
						  parser.problem ? parser.problem : "invalid YAML");
		yaml_parser_delete(&parser);
		return -1;
	}
	l->doc = &doc;
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (root)
		r = load_root(l, root);
	/* A second document ("---") would be silently ignored otherwise. */
	if (r == 0) {
		yaml_document_t doc2;
		if (yaml_parser_load(&parser, &doc2)) {
			if (yaml_document_get_root_node(&doc2)) {
				unsigned long line = (unsigned long)doc2.start_mark.line + 1;
				l->problem = arena_printf(l->a, "%s:%lu: a second YAML document; put everything in one",
							  l->path, line);
				r = -1;
			}
			yaml_document_delete(&doc2);
		}
	}
	l->doc = NULL;
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return r;
}

static void merge_list(struct arena *a, const char ***dst, size_t *nd, const char **src, size_t ns)
{
	if (!ns)
		return;
	const char **n = arena_new_array(a, const char *, *nd + ns);
	if (*nd)
		memcpy(n, *dst, *nd * sizeof(*n));
	memcpy(n + *nd, src, ns * sizeof(*n));
	*dst = n;
	*nd += ns;
}

static void merge_prod(struct arena *a, const char ***dst, size_t *nd, bool *dst_is_default, const char **src,
		       size_t ns, bool set)
{
	if (!set)
		return;
	if (*dst_is_default) {
		*dst = NULL;
		*nd = 0;
		*dst_is_default = false;
	}
	merge_list(a, dst, nd, src, ns);
}

static void merge_layer(struct arena *a, struct bw_config *cfg, const struct bw_config *layer, const bool prod_set[6],
			bool prod_default[6])
{
	if (layer->noverrides) {
		struct rule_override *n = arena_new_array(a, struct rule_override, cfg->noverrides + layer->noverrides);
		if (cfg->noverrides)
			memcpy(n, cfg->overrides, cfg->noverrides * sizeof(*n));
		memcpy(n + cfg->noverrides, layer->overrides, layer->noverrides * sizeof(*n));
		cfg->overrides = n;
		cfg->noverrides += layer->noverrides;
	}
	merge_list(a, &cfg->allow_exact, &cfg->nallow_exact, layer->allow_exact, layer->nallow_exact);
	merge_list(a, &cfg->allow_patterns, &cfg->nallow_patterns, layer->allow_patterns, layer->nallow_patterns);

	struct prod_config *d = &cfg->prod;
	const struct prod_config *s = &layer->prod;
	merge_prod(a, &d->tf_workspaces, &d->ntf_workspaces, &prod_default[0], s->tf_workspaces, s->ntf_workspaces,
		   prod_set[0]);
	merge_prod(a, &d->aws_profiles, &d->naws_profiles, &prod_default[1], s->aws_profiles, s->naws_profiles,
		   prod_set[1]);
	merge_prod(a, &d->kube_contexts, &d->nkube_contexts, &prod_default[2], s->kube_contexts, s->nkube_contexts,
		   prod_set[2]);
	merge_prod(a, &d->gcloud_projects, &d->ngcloud_projects, &prod_default[3], s->gcloud_projects,
		   s->ngcloud_projects, prod_set[3]);
	merge_prod(a, &d->db_hosts, &d->ndb_hosts, &prod_default[4], s->db_hosts, s->ndb_hosts, prod_set[4]);
	merge_prod(a, &d->paths, &d->npaths, &prod_default[5], s->paths, s->npaths, prod_set[5]);

	if (layer->audit_allow_set) {
		cfg->audit_allow = layer->audit_allow;
		cfg->audit_allow_set = true;
	}
	merge_list(a, &cfg->tf_protect, &cfg->ntf_protect, layer->tf_protect, layer->ntf_protect);
	merge_list(a, &cfg->tf_data_types, &cfg->ntf_data_types, layer->tf_data_types, layer->ntf_data_types);
	if (layer->ndrill_checks) {
		struct drill_check *n = arena_new_array(a, struct drill_check, cfg->ndrill_checks + layer->ndrill_checks);
		if (cfg->ndrill_checks)
			memcpy(n, cfg->drill_checks, cfg->ndrill_checks * sizeof(*n));
		memcpy(n + cfg->ndrill_checks, layer->drill_checks, layer->ndrill_checks * sizeof(*n));
		cfg->drill_checks = n;
		cfg->ndrill_checks += layer->ndrill_checks;
	}
	if (layer->drill_max_age_hours)
		cfg->drill_max_age_hours = layer->drill_max_age_hours;
}

static void set_defaults(struct bw_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	struct prod_config *p = &cfg->prod;
	p->tf_workspaces = default_prod, p->ntf_workspaces = 1;
	p->aws_profiles = default_prod, p->naws_profiles = 1;
	p->kube_contexts = default_prod, p->nkube_contexts = 1;
	p->gcloud_projects = default_prod, p->ngcloud_projects = 1;
	p->db_hosts = default_prod, p->ndb_hosts = 1;
	/* No default for paths: "*prod*" would match ~/src/product. */
}

/*
 * Loads one file as a layer and merges it. A missing file is not an error
 * (returns 0, nothing merged); an unreadable one breaks the config, since
 * rules the user meant to apply would otherwise be silently skipped.
 */
static void load_text(struct arena *a, const char *path, const char *text, size_t n, struct bw_config *cfg,
		      bool prod_default[6]);

static int load_one(struct arena *a, const char *path, struct bw_config *cfg, bool prod_default[6], bool must_exist,
		    struct err *e)
{
	struct buf b;
	struct err fe;
	struct stat st;
	err_init(&fe);
	if (!must_exist && stat(path, &st) < 0 && errno == ENOENT)
		return 0;
	buf_init(&b, CONFIG_MAX_BYTES + 1);
	if (fs_read_all(path, CONFIG_MAX_BYTES, &b, &fe) < 0) {
		buf_release(&b);
		if (!cfg->broken) {
			cfg->broken = true;
			cfg->broken_msg = arena_printf(a, "%s:1: %s", path, fe.msg);
		}
		return 0;
	}
	load_text(a, path, b.p ? b.p : "", b.n, cfg, prod_default);
	buf_release(&b);
	UNUSED(e);
	return 0;
}

/* Parses one file's text as a layer and merges it into cfg (or marks cfg broken). */
static void load_text(struct arena *a, const char *path, const char *text, size_t n, struct bw_config *cfg,
		      bool prod_default[6])
{
	struct bw_config layer;
	memset(&layer, 0, sizeof(layer));
	struct loader l = { .a = a, .path = path, .out = &layer, .warn_to = cfg };
	if (memchr(text, '\0', n))
		l.problem = arena_printf(a, "%s:1: the file contains NUL bytes; it is not a YAML text file", path);
	else
		parse_text(&l, text, n);
	if (cfg->nfiles < ARRAY_SIZE(cfg->files))
		cfg->files[cfg->nfiles++] = arena_strdup(a, path);
	if (l.problem) {
		if (!cfg->broken) {
			cfg->broken = true;
			cfg->broken_msg = l.problem;
		}
		return;
	}
	if (strcmp(path_basename(path), ".blastwall.yaml") == 0)
		for (size_t i = 0; i < layer.noverrides; i++)
			layer.overrides[i].project = true;
	merge_layer(a, cfg, &layer, l.prod_set, prod_default);
}

int config_load_text(struct arena *a, const char *name, const char *text, size_t n, struct bw_config *cfg)
{
	bool prod_default[6] = { true, true, true, true, true, true };
	set_defaults(cfg);
	load_text(a, name, text, n, cfg, prod_default);
	return 0;
}

int config_load_file(struct arena *a, const char *path, struct bw_config *cfg, struct err *e)
{
	bool prod_default[6] = { true, true, true, true, true, true };
	set_defaults(cfg);
	return load_one(a, path, cfg, prod_default, true, e);
}

/*
 * Where the walk up for .blastwall.yaml stops: at $HOME when cwd lies below
 * it (a file in /home or / would apply to every user's projects), else at /.
 */
char *config_find_project(struct arena *a, const char *cwd)
{
	char *dir;
	if (!cwd || cwd[0] != '/') {
		char buf[4096];
		if (!getcwd(buf, sizeof(buf)))
			return NULL;
		dir = path_normalize(a, buf, cwd ? cwd : ".");
	} else {
		dir = path_normalize(a, "/", cwd);
	}
	const char *home = fs_home();
	char *stop = NULL;
	if (home && home[0] == '/' && strcmp(home, "/") != 0) {
		char *h = path_normalize(a, "/", home);
		if (path_within(dir, h))
			stop = h;
	}
	size_t len = strlen(dir);
	char *p = arena_alloc(a, len + sizeof(PROJECT_FILE) + 2);
	for (;;) {
		size_t dl = strlen(dir);
		memcpy(p, dir, dl);
		size_t off = dl;
		if (dl == 0 || p[dl - 1] != '/')
			p[off++] = '/';
		memcpy(p + off, PROJECT_FILE, sizeof(PROJECT_FILE));
		struct stat st;
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
			/* Like git's safe.directory: a file another user planted does not steer the guard. */
			if (st.st_uid == geteuid() || st.st_uid == 0)
				return p;
			bw_warn("ignoring '%s': it belongs to another user (uid %ld)", p, (long)st.st_uid);
		}
		if ((stop && strcmp(dir, stop) == 0) || strcmp(dir, "/") == 0)
			return NULL;
		char *slash = strrchr(dir, '/');
		if (slash == dir)
			dir[1] = '\0';
		else
			*slash = '\0';
	}
}

int config_load(struct arena *a, const char *cwd, struct bw_config *cfg, struct err *e)
{
	bool prod_default[6] = { true, true, true, true, true, true };
	set_defaults(cfg);
	char *user = path_join(a, fs_config_dir(a), "config.yaml");
	if (load_one(a, user, cfg, prod_default, false, e) < 0)
		return -1;
	char *proj = config_find_project(a, cwd);
	if (proj && strcmp(proj, user) != 0 && load_one(a, proj, cfg, prod_default, true, e) < 0)
		return -1;
	return 0;
}

void config_print_warnings(const struct bw_config *cfg)
{
	for (size_t i = 0; i < cfg->nwarnings; i++)
		bw_warn("%s", cfg->warnings[i]);
}
