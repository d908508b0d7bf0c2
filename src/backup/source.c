/*
 * source.c: parsing and redacting database source strings (see source.h).
 * Redaction must never leak: when in doubt (a malformed URI), everything
 * after the scheme's user-info colon up to the '@' is replaced.
 */
#include <string.h>

#include "backup/source.h"
#include "common/buf.h"

static int has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

/* Replaces the value of every "password=" key in a key=value string or a URI query. */
static void redact_password_keys(struct buf *b, const char *s, int uri)
{
	const char *p = s;
	while (*p) {
		const char *hit = strstr(p, "password=");
		/* a key starts the string or follows a separator */
		while (hit && hit != s && !(uri ? (hit[-1] == '?' || hit[-1] == '&') : (hit[-1] == ' ' || hit[-1] == '\t')))
			hit = strstr(hit + 1, "password=");
		if (!hit) {
			buf_addz(b, p);
			return;
		}
		buf_add(b, p, (size_t)(hit - p) + 9);
		buf_addz(b, "***");
		const char *v = hit + 9;
		if (uri) {
			while (*v && *v != '&' && *v != '#')
				v++;
		} else if (*v == '\'') {
			v++;
			while (*v && *v != '\'') {
				if (*v == '\\' && v[1])
					v++;
				v++;
			}
			if (*v)
				v++;
		} else {
			while (*v && *v != ' ' && *v != '\t')
				v++;
		}
		p = v;
	}
}

char *source_redact(struct arena *a, const char *s)
{
	struct buf b;
	buf_init(&b, 0);
	const char *scheme = strstr(s, "://");
	if (scheme && scheme > s && strcspn(s, ":/?@ =") == (size_t)(scheme - s)) {
		const char *auth = scheme + 3;
		size_t alen = strcspn(auth, "/?#");
		/* the user info ends at the last '@' of the authority */
		const char *at = NULL;
		for (size_t i = 0; i < alen; i++)
			if (auth[i] == '@')
				at = auth + i;
		buf_add(&b, s, (size_t)(auth - s));
		if (at) {
			const char *colon = memchr(auth, ':', (size_t)(at - auth));
			if (colon) {
				buf_add(&b, auth, (size_t)(colon - auth) + 1);
				buf_addz(&b, "***");
				buf_add(&b, at, (size_t)(auth + alen - at));
			} else {
				buf_add(&b, auth, alen);
			}
		} else {
			buf_add(&b, auth, alen);
		}
		const char *rest = auth + alen;
		redact_password_keys(&b, rest, 1);
	} else {
		redact_password_keys(&b, s, 0);
	}
	char *out = arena_strndup(a, b.p ? b.p : "", b.n);
	buf_release(&b);
	return out;
}

int source_parse(struct arena *a, const char *arg, struct source *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	if (!arg || !*arg)
		return err_set(e, "no database given");
	if (has_prefix(arg, "postgres://") || has_prefix(arg, "postgresql://") ||
	    (strchr(arg, '=') && !has_prefix(arg, "sqlite:"))) {
		out->kind = SOURCE_POSTGRES;
		out->conninfo = arena_strdup(a, arg);
		out->redacted = source_redact(a, arg);
		return 0;
	}
	if (has_prefix(arg, "sqlite:")) {
		const char *p = arg + 7;
		/* accept sqlite://PATH too: "sqlite:///abs" is an absolute path */
		if (has_prefix(p, "//"))
			p += 2;
		if (!*p) {
			err_set(e, "'%s' names no SQLite file", arg);
			return err_hint(e, "write sqlite:path/to/app.db");
		}
		out->kind = SOURCE_SQLITE;
		out->path = arena_strdup(a, p);
		out->redacted = arena_strdup(a, arg);
		return 0;
	}
	err_set(e, "'%s' is not a database blastwall knows", source_redact(a, arg));
	return err_hint(e, "use postgres://USER@HOST/DB (or a libpq \"key=value\" string) or sqlite:PATH");
}
