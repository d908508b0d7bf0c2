/*
 * cmd_log.c: "blastwall log": show the audit log of guard decisions, or
 * verify its hash chain (--verify). Reads state.db read-only, so it works
 * while hooks are writing and never changes the log it checks.
 * JSON shapes: doc/json/hooks.md ("blastwall log --json").
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "common/buf.h"
#include "common/fs.h"
#include "common/statedb.h"
#include "common/term.h"
#include "guard/audit.h"
#include "guard/config.h"

#define LOG_DEFAULT_LIMIT 100

static int usage(FILE *f)
{
	fprintf(f, "usage: blastwall log [--json] [--limit N] [--decision allow|ask|deny] [--since WHEN]\n"
		   "       blastwall log --verify [--json]\n\n"
		   "Shows the audit log: every command the guard asked about or denied (and allowed ones when\n"
		   "audit.log_allowed is set), oldest first.\n\n"
		   "  --json          machine-readable output (doc/json/hooks.md)\n"
		   "  --limit N       the newest N entries (default %d; 0 = all)\n"
		   "  --decision D    only allow, ask or deny\n"
		   "  --since WHEN    only entries from WHEN on: 2026-11-22, 2026-11-22T08:00, or an age\n"
		   "                  such as 30m, 12h, 7d\n"
		   "  --verify        check the hash chain: names every row that was edited, deleted,\n"
		   "                  reordered or inserted, and prints the head hash to keep elsewhere\n\n"
		   "Exit status: 0 shown (or the chain is intact), 1 the chain is broken or the log\n"
		   "cannot be read, 2 usage.\n",
		   LOG_DEFAULT_LIMIT);
	return f == stdout ? EXIT_OK : EXIT_USAGE;
}

/* Turns --since into an ISO 8601 lower bound comparable with the stored times. */
static const char *parse_since(struct arena *a, const char *s)
{
	size_t n = strlen(s);
	if (n >= 2 && strchr("smhdw", s[n - 1])) {
		unsigned long long v;
		if (!str_to_u64(str_make(s, n - 1), &v) || v > 100000000ULL)
			return NULL;
		static const long mult[] = { ['s'] = 1, ['m'] = 60, ['h'] = 3600, ['d'] = 86400, ['w'] = 604800 };
		time_t t = time(NULL) - (time_t)(v * (unsigned long long)mult[(unsigned char)s[n - 1]]);
		char buf[64];
		return arena_strdup(a, utc_text(buf, (int64_t)t, "%Y-%m-%dT%H:%M:%S"));
	}
	/* YYYY-MM-DD[THH:MM[:SS]] : checked by shape, compared as text */
	static const char shape[] = "dddd-dd-ddTdd:dd:dd";
	if (n != 10 && n != 16 && n != 19)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		char want = shape[i];
		if (want == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != want && !(i == 10 && s[i] == ' '))
			return NULL;
	}
	char *r = arena_strdup(a, s);
	if (n > 10)
		r[10] = 'T';
	return r;
}

/* Prints text for a terminal: control characters escaped, lines after the first indented. */
static void print_safe(const char *s, const char *indent)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '\n')
			printf("\n%s", indent);
		else if (*p < 0x20 || *p == 0x7f)
			printf("\\x%02x", *p);
		else
			putchar(*p);
	}
}

static void json_field(struct buf *b, const char *key, const char *v, bool comma)
{
	if (comma)
		buf_addc(b, ',');
	buf_json_str(b, key, strlen(key));
	buf_addc(b, ':');
	if (v)
		buf_json_str(b, v, strlen(v));
	else
		buf_addz(b, "null");
}

static void json_entry(struct buf *b, const struct audit_entry *x)
{
	buf_printf(b, "{\"seq\":%lld", x->seq);
	json_field(b, "time", x->time, true);
	json_field(b, "decision", x->decision, true);
	json_field(b, "agent", x->agent, true);
	json_field(b, "session", x->session, true);
	json_field(b, "cwd", x->cwd, true);
	json_field(b, "command", x->command, true);
	buf_addz(b, ",\"rules\":[");
	if (x->rules && *x->rules) {
		const char *p = x->rules;
		bool first = true;
		while (*p) {
			const char *c = strchr(p, ',');
			size_t len = c ? (size_t)(c - p) : strlen(p);
			if (!first)
				buf_addc(b, ',');
			buf_json_str(b, p, len);
			first = false;
			p += len;
			if (*p == ',')
				p++;
		}
	}
	buf_addc(b, ']');
	json_field(b, "reason", x->reason, true);
	json_field(b, "prev_hash", x->prev_hash, true);
	json_field(b, "hash", x->hash, true);
	buf_addc(b, '}');
}

/* Whether the audit tables exist yet (another module may have created state.db first). */
static bool has_audit(sqlite3 *db)
{
	struct err e;
	err_init(&e);
	return statedb_module_version(db, "audit", &e) > 0;
}

static int open_log(struct arena *a, sqlite3 **db, bool *empty, struct err *e)
{
	char *path = statedb_path(a);
	*empty = false;
	*db = NULL;
	if (!fs_exists(path)) {
		*empty = true;
		return 0;
	}
	if (statedb_open_path(a, path, STATEDB_READONLY, db, e) < 0)
		return -1;
	*empty = !has_audit(*db);
	return 0;
}

static int show(struct arena *a, const struct audit_filter *f, bool json)
{
	struct err e;
	sqlite3 *db;
	bool empty;
	struct audit_entry *v = NULL;
	size_t n = 0;
	err_init(&e);
	if (open_log(a, &db, &empty, &e) < 0) {
		err_print(&e);
		return EXIT_FAIL;
	}
	if (!empty && audit_query(a, db, f, &v, &n, &e) < 0) {
		err_print(&e);
		return EXIT_FAIL;
	}
	if (json) {
		struct buf b;
		buf_init(&b, 0);
		buf_addz(&b, "{\"version\":1,\"entries\":[");
		for (size_t i = 0; i < n; i++) {
			if (i)
				buf_addc(&b, ',');
			json_entry(&b, &v[i]);
		}
		buf_addz(&b, "]}\n");
		fwrite(b.p, 1, b.n, stdout);
		buf_release(&b);
		return EXIT_OK;
	}
	if (n == 0) {
		printf("no audit entries%s\n", empty ? " yet" : " match");
		return EXIT_OK;
	}
	for (size_t i = 0; i < n; i++) {
		const struct audit_entry *x = &v[i];
		const char *col = strcmp(x->decision, "deny") == 0	? term_red(stdout)
				  : strcmp(x->decision, "ask") == 0 ? term_yellow(stdout)
								    : term_green(stdout);
		printf("%s#%lld%s %s %s%-5s%s %s", term_dim(stdout), x->seq, term_reset(stdout), x->time, col,
		       x->decision, term_reset(stdout), x->agent ? x->agent : "-");
		if (x->rules)
			printf(" [%s]", x->rules);
		if (x->cwd) {
			printf(" in ");
			print_safe(x->cwd, "");
		}
		printf("\n    %s$%s ", term_bold(stdout), term_reset(stdout));
		print_safe(x->command, "      ");
		putchar('\n');
	}
	return EXIT_OK;
}

static int verify(struct arena *a, bool json)
{
	struct err e;
	sqlite3 *db;
	bool empty;
	struct audit_report r;
	err_init(&e);
	memset(&r, 0, sizeof(r));
	if (open_log(a, &db, &empty, &e) < 0) {
		err_print(&e);
		return EXIT_FAIL;
	}
	if (!empty && audit_verify(a, db, &r, &e) < 0) {
		err_print(&e);
		return EXIT_FAIL;
	}
	bool ok = r.nproblems == 0;
	if (json) {
		struct buf b;
		buf_init(&b, 0);
		buf_printf(&b, "{\"version\":1,\"ok\":%s,\"rows\":%zu,\"last_seq\":%lld", ok ? "true" : "false", r.rows,
			   r.last_seq);
		json_field(&b, "head_hash", r.rows ? r.head_hash : NULL, true);
		buf_addz(&b, ",\"problems\":[");
		for (size_t i = 0; i < r.nproblems; i++) {
			buf_printf(&b, "%s{\"seq\":%lld", i ? "," : "", r.problems[i].seq);
			json_field(&b, "problem", r.problems[i].what, true);
			buf_addc(&b, '}');
		}
		buf_addz(&b, "]}\n");
		fwrite(b.p, 1, b.n, stdout);
		buf_release(&b);
		return ok ? EXIT_OK : EXIT_FAIL;
	}
	if (empty || r.rows == 0) {
		if (ok) {
			printf("the audit log is empty; nothing to verify\n");
			return EXIT_OK;
		}
	}
	if (ok) {
		printf("audit log intact: %zu rows, chain verified up to #%lld\nhead hash: %s\n", r.rows, r.last_seq,
		       r.head_hash);
		printf("hint: keep the head hash somewhere else: if row #%lld ever shows another hash, the log was rewritten\n",
		       r.last_seq);
		return EXIT_OK;
	}
	fprintf(stderr, "blastwall: the audit log has been tampered with (%zu problem%s in %zu rows):\n", r.nproblems,
		r.nproblems == 1 ? "" : "s", r.rows);
	for (size_t i = 0; i < r.nproblems; i++)
		fprintf(stderr, "  #%lld: %s\n", r.problems[i].seq, r.problems[i].what);
	return EXIT_FAIL;
}

int cmd_log(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "limit", required_argument, NULL, 'n' },
		{ "decision", required_argument, NULL, 'd' },
		{ "since", required_argument, NULL, 's' },
		{ "verify", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct audit_filter f = { .limit = LOG_DEFAULT_LIMIT };
	bool json = false, do_verify = false;
	int c, rc;
	struct arena *a = arena_new();
	while ((c = getopt_long(argc, argv, "hn:", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'n': {
			unsigned long long v;
			if (!str_to_u64(str_from(optarg), &v) || v > 1000000000ULL) {
				arena_free(a);
				return cmd_usage_error("log", "--limit takes a number of entries, not '%s'", optarg);
			}
			f.limit = (long)v;
			break;
		}
		case 'd': {
			enum decision d;
			if (decision_parse(optarg, &d) < 0) {
				arena_free(a);
				return cmd_usage_error("log", "--decision takes allow, ask or deny, not '%s'", optarg);
			}
			f.decision = decision_name(d);
			break;
		}
		case 's':
			f.since = parse_since(a, optarg);
			if (!f.since) {
				arena_free(a);
				return cmd_usage_error("log",
						       "--since takes a date (2026-11-22, 2026-11-22T08:00) or an age "
						       "(30m, 12h, 7d), not '%s'",
						       optarg);
			}
			break;
		case 'v':
			do_verify = true;
			break;
		case 'h':
			arena_free(a);
			return usage(stdout);
		default:
			arena_free(a);
			return cmd_usage_error("log", "unknown option");
		}
	}
	if (optind < argc) {
		arena_free(a);
		return cmd_usage_error("log", "unexpected argument '%s'", argv[optind]);
	}
	rc = do_verify ? verify(a, json) : show(a, &f, json);
	arena_free(a);
	return rc;
}
