/*
 * sql.c: destructive statements in SQL (and in redis and mongo commands)
 * handed to a database client: -c/-e/--command/--query/--eval, positional
 * SQL (sqlite3, redis-cli), stdin from a heredoc, here-string, echo pipe or
 * "< file.sql", and string literals in inline code.
 *
 * A small tokenizer, not a parser: it skips comments, string literals,
 * quoted identifiers and dollar quotes, splits statements at ';' and looks at
 * each statement's leading keywords and whether it has a WHERE. That is
 * enough for DROP/TRUNCATE/DELETE-or-UPDATE-without-WHERE and never mistakes
 * text inside a string for a statement.
 */
#include "guard/guard_int.h"

#include <ctype.h>
#include <string.h>

#define SQL_WORDS 6
#define SQL_WORD_MAX 24

struct stmt {
	char w[SQL_WORDS][SQL_WORD_MAX];
	int nw;
	bool where, set;
	const char *start, *end;
};

enum sql_hit { SQL_NONE, SQL_DROP, SQL_TRUNCATE, SQL_DELETE_ALL, SQL_UPDATE_ALL, SQL_FLUSH };

static enum sql_hit judge(const struct stmt *s)
{
	if (s->nw == 0)
		return SQL_NONE;
	const char *w0 = s->w[0], *w1 = s->nw > 1 ? s->w[1] : "";
	if (strcmp(w0, "DROP") == 0) {
		static const char *const obj[] = { "DATABASE", "SCHEMA", "TABLE", "KEYSPACE", "COLLECTION", "OWNED" };
		for (size_t i = 0; i < ARRAY_SIZE(obj); i++)
			if (strcmp(w1, obj[i]) == 0)
				return SQL_DROP;
		return SQL_NONE;
	}
	if (strcmp(w0, "TRUNCATE") == 0)
		return SQL_TRUNCATE;
	if (strcmp(w0, "DELETE") == 0 && strcmp(w1, "FROM") == 0 && !s->where)
		return SQL_DELETE_ALL;
	if (strcmp(w0, "UPDATE") == 0 && s->set && !s->where)
		return SQL_UPDATE_ALL;
	if (strcmp(w0, "FLUSHALL") == 0 || strcmp(w0, "FLUSHDB") == 0)
		return SQL_FLUSH;
	return SQL_NONE;
}

/* Calls fn for each statement; stops when it returns true. */
static bool scan(const char *p, size_t n, bool (*fn)(const struct stmt *s, void *ctx), void *ctx)
{
	const char *e = p + n;
	struct stmt s = { 0 };
	s.start = p;
	bool line_start = true;
	while (p < e) {
		char ch = *p;
		if (line_start && ch == '\\') {
			/* psql meta-command: one line (\! runs a shell: reported by the caller) */
			while (p < e && *p != '\n')
				p++;
			continue;
		}
		line_start = false;
		if (ch == '\n') {
			line_start = true;
			p++;
			continue;
		}
		if (ch == '-' && p + 1 < e && p[1] == '-') {
			while (p < e && *p != '\n')
				p++;
			continue;
		}
		if (ch == '/' && p + 1 < e && p[1] == '*') {
			p += 2;
			while (p + 1 < e && !(p[0] == '*' && p[1] == '/'))
				p++;
			p = p + 2 < e ? p + 2 : e;
			continue;
		}
		if (ch == '\'' || ch == '"' || ch == '`') {
			p++;
			while (p < e && *p != ch) {
				if (*p == '\\' && p + 1 < e)
					p++;
				p++;
			}
			p++;
			if (ch != '\'' && s.nw < SQL_WORDS)
				memcpy(s.w[s.nw++], "\"ID\"", 5);
			continue;
		}
		if (ch == '$' && p + 1 < e && (p[1] == '$' || isalpha((unsigned char)p[1]))) {
			const char *t = p + 1;
			while (t < e && (isalnum((unsigned char)*t) || *t == '_'))
				t++;
			if (t < e && *t == '$') {
				size_t tl = (size_t)(t - p) + 1;
				const char *q = t + 1;
				while (q + tl <= e && memcmp(q, p, tl) != 0)
					q++;
				p = q + tl <= e ? q + tl : e;
				continue;
			}
		}
		if (ch == ';') {
			s.end = p;
			if (fn(&s, ctx))
				return true;
			memset(&s, 0, sizeof(s));
			s.start = p + 1;
			p++;
			continue;
		}
		if (isalpha((unsigned char)ch) || ch == '_') {
			const char *t = p;
			while (t < e && (isalnum((unsigned char)*t) || *t == '_' || *t == '.'))
				t++;
			size_t len = (size_t)(t - p);
			char up[SQL_WORD_MAX];
			size_t k = len < SQL_WORD_MAX - 1 ? len : SQL_WORD_MAX - 1;
			for (size_t i = 0; i < k; i++)
				up[i] = (char)toupper((unsigned char)p[i]);
			up[k] = '\0';
			if (strcmp(up, "WHERE") == 0)
				s.where = true;
			if (strcmp(up, "SET") == 0)
				s.set = true;
			if (s.nw < SQL_WORDS)
				memcpy(s.w[s.nw++], up, k + 1);
			p = t;
			continue;
		}
		p++;
	}
	s.end = e;
	return fn(&s, ctx);
}

struct scan_ctx {
	struct gctx *g;
	const struct gcmd *c;
	const char *from;
	bool found;
};

static const char *const hit_rule[] = { NULL, "db.drop", "db.truncate", "db.delete-all", "db.update-all", "db.flush" };

static bool on_stmt(const struct stmt *s, void *p)
{
	struct scan_ctx *x = p;
	enum sql_hit h = judge(s);
	if (h == SQL_NONE)
		return false;
	x->found = true;
	if (!x->g)
		return true;
	struct str t = str_trim(str_make(s->start, (size_t)(s->end - s->start)));
	if (t.n > 100)
		t.n = 100;
	guard_hit(x->g, x->c, hit_rule[h],
		  arena_printf(x->g->a, "Statement: `%.*s`%s%s.", (int)t.n, t.p, x->from ? " from " : "",
			       x->from ? x->from : ""));
	return false;
}

static bool mongo_destructive(const char *t)
{
	return strstr(t, "dropDatabase(") || strstr(t, ".drop()") || strstr(t, "deleteMany({})") ||
	       strstr(t, "deleteMany( {} )") || strstr(t, ".remove({})") || strstr(t, "dropCollection(");
}

bool guard_sql_destructive(const char *sql, size_t n)
{
	struct scan_ctx x = { 0 };
	scan(sql, n, on_stmt, &x);
	return x.found;
}

/* Any statement that changes the database, not only the destructive ones: the audit log must not be edited. */
static bool on_write(const struct stmt *s, void *p)
{
	static const char *const w[] = { "INSERT", "UPDATE", "DELETE", "DROP", "ALTER", "REPLACE", "CREATE", "VACUUM",
					 "REINDEX", "TRUNCATE", "RESTORE", "IMPORT", "ATTACH", "WITH" };
	(void)p;
	for (size_t i = 0; s->nw > 0 && i < ARRAY_SIZE(w); i++)
		if (strcmp(s->w[0], w[i]) == 0)
			return true;
	return false;
}

void guard_sql_audit_db(struct gctx *g, const struct gcmd *c, const char *sql, const char *db)
{
	if (db && sql && scan(sql, strlen(sql), on_write, NULL))
		guard_hit(g, c, "blastwall.audit-db",
			  arena_printf(g->a, "Target: %s (SQL that writes to blastwall's audit log).", db));
}

void guard_sql_scan(struct gctx *g, const struct gcmd *c, const char *sql, const char *from)
{
	struct scan_ctx x = { g, c, from, false };
	scan(sql, strlen(sql), on_stmt, &x);
	if (mongo_destructive(sql))
		guard_hit(g, c, "db.mongo-drop", from ? arena_printf(g->a, "Code from %s.", from) : NULL);
	/* psql's \! runs a shell command */
	for (const char *p = sql; (p = strstr(p, "\\!")) != NULL; p += 2) {
		if (p != sql && p[-1] != '\n' && p[-1] != ' ')
			continue;
		const char *eol = strchr(p, '\n');
		char *cmd = arena_strndup(g->a, p + 2, eol ? (size_t)(eol - p - 2) : strlen(p + 2));
		guard_analyze_text(g, c, "psql \\!", cmd);
	}
}

static bool eq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

static void from_stdin(struct gctx *g, const struct gcmd *c, const char *audit)
{
	const char *t = guard_stdin(g, c);
	if (t) {
		guard_sql_scan(g, c, t, c->stdin_file ? c->stdin_file : "stdin");
		guard_sql_audit_db(g, c, t, audit);
		return;
	}
	if (c->stdin_unknown)
		guard_hit(g, c, "db.unknown-sql", arena_printf(g->a, "The SQL comes from %s.", c->stdin_unknown));
}

bool guard_db_client(struct gctx *g, const struct gcmd *c, const char *tool)
{
	bool psql = eq(tool, "psql"), my = eq(tool, "mysql") || eq(tool, "mariadb");
	bool lite = eq(tool, "sqlite3") || eq(tool, "sqlite"), mongo = eq(tool, "mongosh") || eq(tool, "mongo");
	bool redis = eq(tool, "redis-cli") || eq(tool, "valkey-cli");
	bool ch = eq(tool, "clickhouse-client") || (eq(tool, "clickhouse") && c->argc > 1 && eq(c->argv[1], "client"));
	bool cql = eq(tool, "cqlsh");
	/* sqlcmd (SQL Server), cockroach sql, snowsql: statements after their own option */
	bool other = eq(tool, "sqlcmd") || eq(tool, "snowsql") || (eq(tool, "cockroach") && c->argc > 1 && eq(c->argv[1], "sql"));
	if (eq(tool, "bq") && c->argc > 1 && eq(c->argv[1], "query")) {
		/* bq query [flags] 'SQL' */
		bool any = false;
		for (size_t i = 2; i < c->argc; i++)
			if (c->argv[i][0] != '-') {
				guard_sql_scan(g, c, c->argv[i], "the command line");
				any = true;
			}
		if (!any)
			from_stdin(g, c, NULL);
		return true;
	}
	if (!(psql || my || lite || mongo || redis || ch || cql || other))
		return false;
	const char *code_opts = psql ? "-c --command" : my ? "-e --execute" : lite ? "-cmd" : mongo ? "--eval" :
				ch ? "-q --query" : cql ? "-e --execute" : eq(tool, "sqlcmd") ? "-Q -q" :
				eq(tool, "snowsql") ? "-q --query" : "-e --execute";
	const char *file_opts = psql ? "-f --file" : mongo ? "--file -f" : cql ? "-f --file" : eq(tool, "sqlcmd") ? "-i" :
				eq(tool, "snowsql") ? "-f --filename" : "";
	const char *vopts = psql ? "-h --host -p --port -U --username -d --dbname -v --set -P -o --output -L -T -F -R" :
			    my ? "-h --host -P --port -u --user -D --database -S --socket --defaults-file" :
			    lite ? "-init -separator -newline -nullvalue -vfs -maxsize -mmap -pagecache" :
			    redis ? "-h -p -s -a -u -n -r -i -d -D --user --pass --rdb --tls-cert --tls-key --cacert" :
			    "-h --host --port -u --user -d --database";
	/* sqlite3 on blastwall's own state database: the first operand */
	const char *audit = NULL;
	for (size_t i = 1; lite && i < c->argc; i++) {
		if (c->argv[i][0] == '-') {
			if (guard_alt_match(vopts, c->argv[i]) || guard_alt_match(code_opts, c->argv[i]))
				i++;
			continue;
		}
		const char *rule = guard_fs_self_rule(g, c, c->argv[i], c->aflags[i], false, &audit);
		if (!rule || strcmp(rule, "blastwall.audit-db") != 0)
			audit = NULL;
		break;
	}
	bool any_code = false;
	size_t first_pos = 0, npos = 0;
	for (size_t i = (ch && !eq(tool, "clickhouse-client")) || eq(tool, "cockroach") ? 2 : 1; i < c->argc; i++) {
		const char *w = c->argv[i];
		const char *val = NULL;
		bool is_code = false, is_file = false;
		if (w[0] == '-' && w[1]) {
			const char *eqs = strchr(w, '=');
			if (eqs && w[1] == '-') {
				char name[48];
				size_t k = (size_t)(eqs - w);
				if (k < sizeof(name)) {
					memcpy(name, w, k);
					name[k] = '\0';
					is_code = guard_alt_match(code_opts, name);
					is_file = guard_alt_match(file_opts, name);
					val = eqs + 1;
				}
			} else if (guard_alt_match(code_opts, w) || guard_alt_match(file_opts, w)) {
				is_code = guard_alt_match(code_opts, w);
				is_file = !is_code;
				val = i + 1 < c->argc ? c->argv[++i] : NULL;
			} else if (psql && w[1] == 'c' && w[2]) {
				is_code = true;
				val = w + 2;
			} else if (my && w[1] == 'e' && w[2]) {
				is_code = true;
				val = w + 2;
			} else if (guard_alt_match(vopts, w)) {
				i++;
			} else if (lite && eq(w, "-readonly")) {
				return true;
			}
			if (val && is_code) {
				any_code = true;
				guard_sql_scan(g, c, val, w);
				guard_sql_audit_db(g, c, val, audit);
			} else if (val && is_file) {
				any_code = true;
				if (!eq(val, "-")) {
					const char *t = c->remote ? NULL : guard_written(g, c->cwd, val);
					if (!t)
						t = guard_read_file(g, c->cwd, val, 1u << 20);
					if (t) {
						guard_sql_scan(g, c, t, val);
						guard_sql_audit_db(g, c, t, audit);
					}
				} else {
					from_stdin(g, c, audit);
				}
			}
			continue;
		}
		if (npos++ == 0)
			first_pos = i;
	}
	if (lite && npos > 1) {
		/* sqlite3 DB "SQL ..." */
		for (size_t i = first_pos + 1; i < c->argc; i++)
			if (c->argv[i][0] != '-') {
				any_code = true;
				guard_sql_scan(g, c, c->argv[i], "the command line");
				guard_sql_audit_db(g, c, c->argv[i], audit);
			}
	}
	if (redis && npos > 0) {
		any_code = true;
		guard_sql_scan(g, c, c->argv[first_pos], "the command line");
	}
	if (!any_code)
		from_stdin(g, c, audit);
	return true;
}
