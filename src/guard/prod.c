/*
 * prod.c: is this command's target production? Asked only after a rule has
 * matched, and only the evidence for that rule's kind is gathered, so the
 * kube config is read only for kubectl/helm matches and
 * .terraform/environment only for terraform ones.
 *
 * Patterns come from the config (struct prod_config, globs, matched
 * case-insensitively); an empty list means the default "*prod*". The
 * "environment" kind (RAILS_ENV, MIX_ENV, NODE_ENV, serverless --stage,
 * pulumi --stack) is matched against the terraform workspace patterns: both
 * name an environment.
 */
#include "guard/guard_int.h"

#include <ctype.h>
#include <string.h>

#include "common/fs.h"

static const char *const default_pat[] = { "*prod*" };

static bool match_list(struct gctx *g, const char *const *pats, size_t n, const char *value)
{
	if (!value || !*value)
		return false;
	if (n == 0) {
		pats = default_pat;
		n = 1;
	}
	char *low = arena_strdup(g->a, value);
	for (char *s = low; *s; s++)
		*s = (char)tolower((unsigned char)*s);
	for (size_t i = 0; i < n; i++) {
		if (str_glob(pats[i], str_from(value)) || str_glob(pats[i], str_from(low)))
			return true;
	}
	return false;
}

#define LIST(field) (const char *const *)(g->cfg ? g->cfg->prod.field : NULL), (g->cfg ? g->cfg->prod.n##field : 0)

static bool check(struct gctx *g, const char *const *pats, size_t n, const char *value, const char *what,
		  const char **why)
{
	if (!match_list(g, pats, n, value))
		return false;
	*why = arena_printf(g->a, "%s '%s'", what, value);
	return true;
}

static const char *tf_workspace(struct gctx *g, const struct gcmd *c)
{
	const char *ws = gcmd_env(c, "TF_WORKSPACE");
	if (ws && *ws)
		return ws;
	const char *dir = c->cwd;
	for (size_t i = 1; i < c->argc; i++)
		if (strncmp(c->argv[i], "-chdir=", 7) == 0)
			dir = path_normalize(g->a, c->cwd, c->argv[i] + 7);
	char *t = guard_read_file(g, dir, ".terraform/environment", 4096);
	if (!t)
		return NULL;
	return arena_strstr(g->a, str_trim(str_from(t)));
}

/* current-context from the kubeconfig: a line scan, enough for the files kubectl writes. */
static const char *kube_context(struct gctx *g, const struct gcmd *c)
{
	const char *path = gcmd_env(c, "KUBECONFIG");
	char *first = NULL;
	if (path && *path)
		first = arena_strndup(g->a, path, strcspn(path, ":"));
	else
		first = path_join(g->a, g->home, ".kube/config");
	char *t = guard_read_file(g, c->cwd, first, 1u << 20);
	if (!t)
		return NULL;
	for (char *l = t; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (strncmp(l, "current-context:", 16) == 0) {
			struct str v = str_trim(str_make(l + 16, strcspn(l + 16, "\n")));
			if (v.n >= 2 && (v.p[0] == '"' || v.p[0] == '\''))
				v = str_sub(v, 1, v.n - 2);
			return arena_strstr(g->a, v);
		}
	}
	return NULL;
}

/* Host of a connection URL: scheme://[user[:pw]@]host[:port]/... */
static const char *url_host(struct gctx *g, const char *u)
{
	const char *s = strstr(u, "://");
	if (!s)
		return NULL;
	s += 3;
	const char *end = s + strcspn(s, "/?");
	const char *at = memchr(s, '@', (size_t)(end - s));
	if (at)
		s = at + 1;
	size_t n = strcspn(s, ":/?");
	return arena_strndup(g->a, s, n);
}

bool guard_is_production(struct gctx *g, const struct gcmd *c, enum guard_prod_kind kind, const char **why)
{
	*why = NULL;
	if (check(g, LIST(paths), c->cwd, "working directory", why))
		return true;
	if (g->target && g->cfg && g->cfg->prod.npaths && check(g, LIST(paths), g->target, "path", why))
		return true;
	switch (kind) {
	case PROD_NONE:
		return false;
	case PROD_TERRAFORM: {
		if (check(g, LIST(tf_workspaces), tf_workspace(g, c), "terraform workspace", why))
			return true;
		for (size_t i = 1; i + 2 < c->argc; i++)
			if (strcmp(c->argv[i], "workspace") == 0 && strcmp(c->argv[i + 1], "delete") == 0)
				for (size_t k = i + 2; k < c->argc; k++)
					if (c->argv[k][0] != '-' && check(g, LIST(tf_workspaces), c->argv[k], "terraform workspace", why))
						return true;
		const char *vf = gcmd_opt_value(c, 1, "-var-file|--var-file");
		return vf && check(g, LIST(tf_workspaces), path_basename(vf), "var file", why);
	}
	case PROD_AWS: {
		const char *p = gcmd_opt_value(c, 1, "--profile");
		if (!p)
			p = gcmd_env(c, "AWS_PROFILE");
		if (!p)
			p = gcmd_env(c, "AWS_DEFAULT_PROFILE");
		return check(g, LIST(aws_profiles), p, "AWS profile", why);
	}
	case PROD_KUBE: {
		const char *ns = gcmd_opt_value(c, 1, "-n|--namespace");
		if (check(g, LIST(kube_contexts), ns, "namespace", why))
			return true;
		/* kubectl delete namespace NAME */
		for (size_t i = 1; i + 2 < c->argc; i++)
			if (strcmp(c->argv[i], "delete") == 0 &&
			    guard_alt_match("ns namespace namespaces", c->argv[i + 1]))
				for (size_t k = i + 2; k < c->argc; k++)
					if (c->argv[k][0] != '-' && check(g, LIST(kube_contexts), c->argv[k], "namespace", why))
						return true;
		const char *ctx = gcmd_opt_value(c, 1, "--context|--kube-context");
		if (ctx)
			return check(g, LIST(kube_contexts), ctx, "kube context", why);
		return check(g, LIST(kube_contexts), kube_context(g, c), "kube context", why);
	}
	case PROD_GCLOUD: {
		const char *p = gcmd_opt_value(c, 1, "--project|--project_id|--subscription|-P");
		if (!p)
			p = gcmd_env(c, "CLOUDSDK_CORE_PROJECT");
		if (check(g, LIST(gcloud_projects), p, "project", why))
			return true;
		const char *rg = gcmd_opt_value(c, 1, "-g|--resource-group|--name|-n");
		return check(g, LIST(gcloud_projects), rg, "resource", why);
	}
	case PROD_DB: {
		const char *h = gcmd_opt_value(c, 1, "-h|--host|--hostname");
		if (check(g, LIST(db_hosts), h, "database host", why))
			return true;
		for (size_t i = 1; i < c->argc; i++) {
			const char *a = c->argv[i];
			const char *u = strstr(a, "://");
			if (!u)
				continue;
			const char *url = strchr(a, '=') && strchr(a, '=') < u ? strchr(a, '=') + 1 : a;
			if (check(g, LIST(db_hosts), url_host(g, url), "database host", why) ||
			    check(g, LIST(db_hosts), url, "database URL", why))
				return true;
		}
		static const char *const envs[] = { "PGHOST", "MYSQL_HOST", "DATABASE_URL", "REDIS_URL", "MONGODB_URI" };
		for (size_t i = 0; i < ARRAY_SIZE(envs); i++) {
			const char *v = gcmd_env(c, envs[i]);
			if (v && strstr(v, "://") ? check(g, LIST(db_hosts), url_host(g, v), "database host", why)
						  : check(g, LIST(db_hosts), v, "database host", why))
				return true;
		}
		return false;
	}
	case PROD_ENV: {
		static const char *const envs[] = { "RAILS_ENV", "RACK_ENV", "MIX_ENV", "NODE_ENV", "APP_ENV",
						    "DJANGO_SETTINGS_MODULE", "ENVIRONMENT", "STAGE" };
		for (size_t i = 0; i < ARRAY_SIZE(envs); i++) {
			if (check(g, LIST(tf_workspaces), gcmd_env(c, envs[i]), envs[i], why))
				return true;
			/* rake db:drop RAILS_ENV=production */
			size_t n = strlen(envs[i]);
			for (size_t k = 1; k < c->argc; k++)
				if (strncmp(c->argv[k], envs[i], n) == 0 && c->argv[k][n] == '=' &&
				    check(g, LIST(tf_workspaces), c->argv[k] + n + 1, envs[i], why))
					return true;
		}
		const char *s = gcmd_opt_value(c, 1, "--stage|-s|--stack|--env|-e|--settings|--app|-a");
		if (check(g, LIST(tf_workspaces), s, "environment", why))
			return true;
		return check(g, LIST(db_hosts), gcmd_env(c, "DATABASE_URL") ? url_host(g, gcmd_env(c, "DATABASE_URL")) : NULL,
			     "database host", why);
	}
	}
	return false;
}
