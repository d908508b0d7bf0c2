/*
 * guard.c: guard_decide. Parses the command, walks every simple command the
 * shell would run (including those in substitutions, functions and nested
 * shells re-parsed by unwrap.c), resolves what each one reads on stdin, hands
 * it to the unwrapper and rule packs, and folds the matches into one
 * decision: the strongest wins, config overrides and allow entries apply per
 * unwrapped command, so an allowed part never silences another destructive
 * part of the same line.
 *
 * Invariant: nothing here reads files except what a specific rule asks for
 * (guard_stdin for a shell/interpreter/database client fed "< FILE").
 */
#include "guard/guard_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/fs.h"

#define STDIN_MAX (1u << 20) /* bytes of a "< file" a rule will look at */

static bool needs_quotes(const char *s)
{
	if (!*s)
		return true;
	for (; *s; s++) {
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      strchr("-_./=:,+@%^~{}", *s)))
			return true;
	}
	return false;
}

char *guard_argv_quote(struct arena *a, const char *const *argv, size_t argc)
{
	return guard_argv_text(a, argv, argc);
}

char *guard_argv_text(struct arena *a, const char *const *argv, size_t argc)
{
	struct buf b;
	buf_init(&b, 0);
	for (size_t i = 0; i < argc; i++) {
		if (i)
			buf_addc(&b, ' ');
		if (!needs_quotes(argv[i])) {
			buf_addz(&b, argv[i]);
			continue;
		}
		buf_addc(&b, '\'');
		for (const char *s = argv[i]; *s; s++) {
			if (*s == '\'')
				buf_addz(&b, "'\\''");
			else
				buf_addc(&b, *s);
		}
		buf_addc(&b, '\'');
	}
	char *r = arena_strndup(a, b.p ? b.p : "", b.n);
	buf_release(&b);
	return r;
}

void guard_note_cmd(struct gctx *g, const struct gcmd *c)
{
	if (g->ncmds == g->capcmds) {
		size_t cap = g->capcmds ? g->capcmds * 2 : 8;
		g->cmds = arena_grow(g->a, g->cmds, g->ncmds, cap, sizeof(*g->cmds));
		g->cmds_via = arena_grow(g->a, g->cmds_via, g->ncmds, cap, sizeof(*g->cmds_via));
		g->cmds_cwd = arena_grow(g->a, g->cmds_cwd, g->ncmds, cap, sizeof(*g->cmds_cwd));
		g->capcmds = cap;
	}
	g->cmds[g->ncmds] = guard_argv_text(g->a, c->argv, c->argc);
	g->cmds_via[g->ncmds] = c->via;
	g->cmds_cwd[g->ncmds] = c->cwd && g->cwd && strcmp(c->cwd, g->cwd) != 0 ? c->cwd : NULL;
	g->ncmds++;
}

const char *guard_stdin(struct gctx *g, const struct gcmd *c)
{
	if (c->stdin_text)
		return c->stdin_text;
	if (c->stdin_file && c->stdin_file[0] == '/') {
		const char *w = guard_written(g, "/", c->stdin_file);
		return w ? w : guard_read_file(g, "/", c->stdin_file, STDIN_MAX);
	}
	return NULL;
}

char *guard_read_file(struct gctx *g, const char *cwd, const char *path, size_t max)
{
	char *full = path_normalize(g->a, cwd, path);
	struct buf b;
	struct err e;
	buf_init(&b, max);
	char *r = NULL;
	if (fs_read_all(full, max, &b, &e) == 0)
		r = arena_strndup(g->a, b.p ? b.p : "", b.n);
	buf_release(&b);
	return r;
}

/* Allow entries compare against the command as it would run, and, at top level, its source text. */
static bool allowed_by_entry(const struct bw_config *cfg, const char *text, const char *src)
{
	if (!cfg)
		return false;
	for (size_t i = 0; i < cfg->nallow_exact; i++) {
		if (strcmp(cfg->allow_exact[i], text) == 0 || (src && strcmp(cfg->allow_exact[i], src) == 0))
			return true;
	}
	for (size_t i = 0; i < cfg->nallow_patterns; i++) {
		if (str_glob(cfg->allow_patterns[i], str_from(text)) ||
		    (src && str_glob(cfg->allow_patterns[i], str_from(src))))
			return true;
	}
	return false;
}

/*
 * Matches are kept unique by (rule, command) and bounded: a hostile line with
 * thousands of destructive commands must not make the hook quadratic. Past
 * the bound a new match only replaces a weaker one.
 */
#define MAX_MATCHES 32

static void push_match(struct gctx *g, struct guard_match m)
{
	for (size_t i = 0; i < g->m.n; i++) {
		if (strcmp(g->m.v[i].rule, m.rule) == 0 && strcmp(g->m.v[i].command, m.command) == 0) {
			if (m.decision > g->m.v[i].decision)
				g->m.v[i] = m;
			return;
		}
	}
	if (g->m.n >= MAX_MATCHES) {
		g->more_matches++;
		for (size_t i = 0; i < g->m.n; i++) {
			if (g->m.v[i].decision < m.decision) {
				g->m.v[i] = m;
				return;
			}
		}
		return;
	}
	if (g->m.n == g->m.cap) {
		size_t cap = g->m.cap ? g->m.cap * 2 : 4;
		g->m.v = arena_grow(g->a, g->m.v, g->m.n, cap, sizeof(*g->m.v));
		g->m.cap = cap;
	}
	g->m.v[g->m.n++] = m;
}

static void finish_match(struct gctx *g, const struct gcmd *c, struct guard_match *m, const char *message)
{
	const struct bw_config *cfg = g->cfg;
	m->command = guard_argv_text(g->a, c->argv, c->argc);
	m->via = c->via;
	int o = cfg ? config_rule_decision(cfg, m->rule, m->production) : -1;
	if (o >= 0)
		m->decision = (enum decision)o;
	const char *src = NULL;
	if (!c->via && c->node && c->node->src.p)
		src = arena_strstr(g->a, str_trim(c->node->src));
	if (cfg && cfg->broken) {
		/* fail closed: a rule matched, so at least ask, and say why the config was not used */
		if (m->decision < DECISION_ASK)
			m->decision = DECISION_ASK;
		m->message = arena_printf(g->a, "%s (Your blastwall config is broken, so overrides and allow entries are "
					  "ignored: %s.)", message, cfg->broken_msg ? cfg->broken_msg : "unreadable");
	} else {
		m->message = message;
		/* allow entries never silence the rules that protect blastwall itself */
		if (m->decision != DECISION_ALLOW && strncmp(m->rule, "blastwall.", 10) != 0 &&
		    allowed_by_entry(cfg, m->command, src)) {
			m->decision = DECISION_ALLOW;
			m->message = arena_printf(g->a, "%s (allowed by an allow entry in your config)", message);
			g->allowed_by_config = true;
		} else if (m->decision == DECISION_ALLOW && o >= 0) {
			m->message = arena_printf(g->a, "%s (set to allow by a rule override in your config)", message);
			g->allowed_by_config = true;
		} else if (m->decision == DECISION_ALLOW) {
			return; /* a rule whose decision here is allow (e.g. dev-only) says nothing */
		}
	}
	push_match(g, *m);
}

void guard_hit(struct gctx *g, const struct gcmd *c, const char *rule_id, const char *detail)
{
	const struct guard_rule *r = guard_rule_find(rule_id);
	if (!r)
		BUG("guard rule '%s' is not in the table", rule_id);
	const char *why = NULL;
	struct guard_match m = { 0 };
	m.rule = r->id;
	m.production = guard_is_production(g, c, r->kind, &why);
	m.decision = m.production ? r->prod : r->dev;
	const char *msg = r->message;
	if (detail)
		msg = arena_printf(g->a, "%s %s", detail, msg);
	if (m.production && why)
		msg = arena_printf(g->a, "%s This target is production (%s).", msg, why);
	finish_match(g, c, &m, msg);
}

void guard_hit_raw(struct gctx *g, const struct gcmd *c, const char *rule_id, enum decision d,
		   const char *message, bool production)
{
	struct guard_match m = { 0 };
	m.rule = rule_id;
	m.decision = d;
	m.production = production;
	finish_match(g, c, &m, message);
}

/* ---- from the parse to struct gcmd -------------------------------------- */

/* What a pipeline stage writes, when it can be known: echo/printf text, cat's heredoc or file. */
static void stdin_from_prev(struct gctx *g, const struct shell_node *prev, struct gcmd *c)
{
	if (prev->kind != SHELL_SIMPLE || prev->nwords == 0) {
		c->stdin_unknown = "a pipe";
		return;
	}
	const struct shell_word *w = prev->words;
	const char *name = path_basename(w[0].lit);
	if (!(w[0].flags & WORD_DYNAMIC) && (strcmp(name, "echo") == 0 || strcmp(name, "printf") == 0)) {
		struct buf b;
		buf_init(&b, 0);
		size_t i = 1;
		while (i < prev->nwords && strcmp(name, "echo") == 0 && w[i].lit[0] == '-' && w[i].lit[1] &&
		       strspn(w[i].lit + 1, "neE") == strlen(w[i].lit + 1))
			i++;
		for (; i < prev->nwords; i++) {
			if (b.n)
				buf_addc(&b, ' ');
			/* printf's and echo -e's escapes: a newline is what matters for statements */
			for (const char *s = w[i].lit; *s; s++) {
				if (s[0] == '\\' && s[1] == 'n') {
					buf_addc(&b, '\n');
					s++;
				} else {
					buf_addc(&b, *s);
				}
			}
		}
		c->stdin_text = arena_strndup(g->a, b.p ? b.p : "", b.n);
		buf_release(&b);
		return;
	}
	if (!(w[0].flags & WORD_DYNAMIC) && strcmp(name, "cat") == 0) {
		for (size_t i = 0; i < prev->nredirs; i++) {
			const struct shell_redir *r = &prev->redirs[i];
			if ((r->op == REDIR_HEREDOC || r->op == REDIR_HEREDOC_TAB) && r->body) {
				c->stdin_text = r->body;
				return;
			}
			if (r->op == REDIR_HERESTRING) {
				c->stdin_text = r->target.lit;
				return;
			}
		}
		if (prev->nwords == 2 && !(w[1].flags & (WORD_DYNAMIC | WORD_GLOB)) && w[1].lit[0] != '-' && !c->remote) {
			c->stdin_file = path_normalize(g->a, c->cwd, w[1].lit);
			return;
		}
	}
	if (!(w[0].flags & WORD_DYNAMIC) && strcmp(name, "find") == 0) {
		size_t i = 1;
		while (i < prev->nwords && (strcmp(w[i].lit, "-L") == 0 || strcmp(w[i].lit, "-H") == 0 || strcmp(w[i].lit, "-P") == 0))
			i++;
		c->input_root = i < prev->nwords && w[i].lit[0] != '-' && w[i].lit[0] != '(' && w[i].lit[0] != '!'
					? (w[i].flags & WORD_DYNAMIC ? NULL : w[i].lit) : ".";
	}
	c->stdin_unknown = arena_strdup(g->a, w[0].lit);
}

/*
 * "cat > x.sh <<EOF ... EOF; bash x.sh": a script written and run by the
 * same line is not on disk yet when the guard decides, so the content is
 * remembered here (heredoc, here-string, echo/printf text) and used when a
 * shell or interpreter runs that file.
 */
static void note_written(struct gctx *g, const struct gcmd *c)
{
	const struct shell_node *n = c->node;
	if (!n || c->remote || g->nwritten >= ARRAY_SIZE(g->written_path))
		return;
	const char *text = NULL, *target = NULL;
	const char *name = c->argc ? path_basename(c->argv[0]) : "";
	for (size_t i = 0; i < n->nredirs; i++) {
		const struct shell_redir *r = &n->redirs[i];
		if ((r->op == REDIR_OUT || r->op == REDIR_CLOBBER || r->op == REDIR_APPEND) && (r->fd == -1 || r->fd == 1) &&
		    !(r->target.flags & WORD_DYNAMIC))
			target = r->target.lit;
	}
	if (strcmp(name, "tee") == 0 && c->argc > 1 && c->argv[c->argc - 1][0] != '-')
		target = c->argv[c->argc - 1];
	if (!target)
		return;
	if (strcmp(name, "cat") == 0 || strcmp(name, "tee") == 0)
		text = c->stdin_text;
	else if ((strcmp(name, "echo") == 0 || strcmp(name, "printf") == 0) && c->argc > 1) {
		struct buf b;
		buf_init(&b, 0);
		for (size_t i = 1; i < c->argc; i++) {
			if (i == 1 && strcmp(name, "echo") == 0 && c->argv[i][0] == '-' && strspn(c->argv[i] + 1, "neE") ==
									       strlen(c->argv[i] + 1))
				continue;
			for (const char *s = c->argv[i]; *s; s++) {
				if (s[0] == '\\' && s[1] == 'n') {
					buf_addc(&b, '\n');
					s++;
				} else {
					buf_addc(&b, *s);
				}
			}
			buf_addc(&b, i + 1 < c->argc ? ' ' : '\n');
		}
		text = arena_strndup(g->a, b.p ? b.p : "", b.n);
		buf_release(&b);
	}
	if (!text)
		return;
	g->written_path[g->nwritten] = path_normalize(g->a, c->cwd, target);
	g->written_text[g->nwritten] = text;
	g->nwritten++;
}

const char *guard_written(struct gctx *g, const char *cwd, const char *path)
{
	const char *p = path_normalize(g->a, cwd, path);
	for (size_t i = g->nwritten; i-- > 0;)
		if (strcmp(g->written_path[i], p) == 0)
			return g->written_text[i];
	return NULL;
}

static const char *join_via(struct gctx *g, const char *via, const char *how)
{
	if (!how)
		return via;
	if (!via)
		return how;
	return arena_printf(g->a, "%s, %s", via, how);
}

void guard_analyze_node(struct gctx *g, const struct shell_node *node, const struct shell_node *prev,
			const struct gcmd *parent, const char *how, const char *cwd)
{
	struct gcmd *c = arena_new_obj(g->a, struct gcmd);
	c->node = node;
	c->cwd = cwd ? cwd : parent ? parent->cwd : g->cwd;
	c->via = join_via(g, parent ? parent->via : NULL, how);
	c->depth = parent ? parent->depth + 1 : 0;
	c->remote = parent ? parent->remote : false;
	c->more_args = parent ? parent->more_args : false;
	size_t nenv = (parent ? parent->nenv : 0) + node->nassigns;
	c->env = arena_new_array(g->a, const char *, nenv + 1);
	if (parent && parent->nenv)
		memcpy(c->env, parent->env, parent->nenv * sizeof(*c->env));
	c->nenv = parent ? parent->nenv : 0;
	for (size_t i = 0; i < node->nassigns; i++)
		c->env[c->nenv++] = node->assigns[i].lit;
	c->argc = node->nwords;
	c->argv = arena_new_array(g->a, const char *, c->argc + 1);
	c->aflags = arena_new_array(g->a, unsigned, c->argc + 1);
	for (size_t i = 0; i < node->nwords; i++) {
		c->argv[i] = node->words[i].lit;
		c->aflags[i] = node->words[i].flags;
		if (g->runtime_token && strstr(c->argv[i], g->runtime_token))
			c->aflags[i] |= GARG_RUNTIME;
	}
	bool own_stdin = false;
	for (size_t i = 0; i < node->nredirs; i++) {
		const struct shell_redir *r = &node->redirs[i];
		if (r->fd > 0)
			continue;
		if (r->op == REDIR_HEREDOC || r->op == REDIR_HEREDOC_TAB) {
			c->stdin_text = r->body ? r->body : "";
			own_stdin = true;
		} else if (r->op == REDIR_HERESTRING) {
			c->stdin_text = arena_printf(g->a, "%s\n", r->target.lit);
			own_stdin = true;
		} else if (r->op == REDIR_IN) {
			if (r->target.flags & WORD_DYNAMIC)
				c->stdin_unknown = "a file named at run time";
			else if (c->remote)
				c->stdin_unknown = "a file on another machine";
			else /* made absolute now: wrappers may move the command elsewhere (ssh, docker exec) */
				c->stdin_file = path_normalize(g->a, c->cwd, r->target.lit);
			own_stdin = true;
		}
	}
	if (!own_stdin && prev)
		stdin_from_prev(g, prev, c);
	else if (!own_stdin && parent) {
		c->stdin_text = parent->stdin_text;
		c->stdin_file = parent->stdin_file;
		c->stdin_unknown = parent->stdin_unknown;
	}
	guard_fs_redirs(g, c);
	note_written(g, c);
	guard_analyze(g, c);
}

struct walk_ctx {
	struct gctx *g;
	const struct gcmd *parent;
	const char *how;
	const char *cwd; /* after a "cd DIR" in the same list, or NULL */
	const struct shell_node *root;
	unsigned ncd;    /* cds seen */
};

/*
 * "cd DIR && terraform destroy": a cd in the command list itself (not in a
 * subshell, substitution, function, pipeline or background job) moves the
 * commands after it. Only a literal directory that exists is followed: when
 * the cd would fail, the next command runs where it was.
 */
/* Whether n is a stage of a pipeline under root (a cd there runs in a subshell). */
static bool in_pipeline(const struct shell_node *root, const struct shell_node *n)
{
	if (!root)
		return false;
	if (root->kind == SHELL_PIPELINE) {
		for (size_t i = 0; i < root->nkids; i++)
			if (root->kids[i] == n)
				return true;
	}
	if (root->kind != SHELL_SEQ && root->kind != SHELL_AND && root->kind != SHELL_OR && root->kind != SHELL_NOT &&
	    root->kind != SHELL_PIPELINE)
		return false;
	for (size_t i = 0; i < root->nkids; i++)
		if (in_pipeline(root->kids[i], n))
			return true;
	return false;
}

/* "mkdir -p build && cd build": the directory exists by the time cd runs. */
static void track_mkdir(struct walk_ctx *w, const struct shell_visit *v)
{
	const struct shell_node *n = v->cmd;
	struct gctx *g = w->g;
	if (n->nwords < 2 || (n->words[0].flags & WORD_DYNAMIC) || strcmp(n->words[0].lit, "mkdir") != 0 ||
	    (w->parent && w->parent->remote))
		return;
	const char *base = w->cwd ? w->cwd : w->parent ? w->parent->cwd : g->cwd;
	for (size_t i = 1; i < n->nwords && g->nmade < ARRAY_SIZE(g->made_dirs); i++) {
		const struct shell_word *wd = &n->words[i];
		if (wd->lit[0] == '-' || (wd->flags & (WORD_DYNAMIC | WORD_GLOB | WORD_BRACE)))
			continue;
		g->made_dirs[g->nmade++] = path_normalize(g->a, base, wd->lit);
	}
}

static void track_cd(struct walk_ctx *w, const struct shell_visit *v)
{
	const struct shell_node *n = v->cmd;
	if (v->depth || v->in_subst || v->in_function || v->prev || v->background || n->nwords == 0 ||
	    (n->words[0].flags & WORD_DYNAMIC) || (strcmp(n->words[0].lit, "cd") != 0 && strcmp(n->words[0].lit, "pushd") != 0))
		return;
	size_t i = 1;
	while (i < n->nwords && n->words[i].lit[0] == '-' && n->words[i].lit[1])
		i++;
	struct gctx *g = w->g;
	const char *base = w->cwd ? w->cwd : w->parent ? w->parent->cwd : g->cwd;
	if (w->parent && w->parent->remote)
		return;
	const char *dir;
	if (i >= n->nwords)
		dir = g->home;
	else if (n->words[i].flags & (WORD_CMDSUBST | WORD_ARITH | WORD_PROCSUBST))
		return;
	else if (n->words[i].flags & WORD_PARAM) {
		struct gcmd tmp = { 0 };
		tmp.cwd = base;
		dir = guard_resolve_word(g, &tmp, n->words[i].lit, n->words[i].flags);
		if (!dir)
			return;
	} else if ((n->words[i].flags & WORD_TILDE) && n->words[i].lit[0] == '~' &&
		   (n->words[i].lit[1] == '/' || !n->words[i].lit[1]))
		dir = arena_printf(g->a, "%s%s", g->home, n->words[i].lit + 1);
	else
		dir = n->words[i].lit;
	/* bounded: in_pipeline walks the list, and a hostile line may hold thousands of cds */
	if (strcmp(dir, "-") == 0 || ++w->ncd > 64)
		return;
	const char *p = path_normalize(g->a, base, dir);
	bool made = false;
	for (size_t k = 0; k < g->nmade && !made; k++)
		made = strcmp(g->made_dirs[k], p) == 0;
	if ((made || fs_is_dir(p)) && !in_pipeline(w->root, n))
		w->cwd = p;
}

static int visit(const struct shell_visit *v, void *p)
{
	struct walk_ctx *w = p;
	guard_analyze_node(w->g, v->cmd, v->prev, w->parent, w->how, w->cwd);
	track_mkdir(w, v);
	track_cd(w, v);
	return 0;
}

void guard_analyze_text(struct gctx *g, const struct gcmd *parent, const char *how, const char *text)
{
	const char *what = how ? how : "inline code";
	if (parent && parent->depth >= GUARD_MAX_DEPTH) {
		guard_hit(g, parent, "guard.too-deep", NULL);
		return;
	}
	struct shell_node *root = NULL;
	struct err e;
	err_init(&e);
	if (shell_parse(g->a, text, strlen(text), NULL, &root, &e) < 0) {
		if (parent)
			guard_hit(g, parent, "guard.unparseable",
				  arena_printf(g->a, "The shell code run by %s does not parse (%s).", what, e.msg));
		return;
	}
	struct walk_ctx w = { g, parent, how, NULL, root, 0 };
	shell_walk(root, visit, &w);
}

int guard_decide(struct arena *a, const struct guard_request *req, const struct bw_config *cfg,
		 struct guard_result *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	if (!req || !req->command)
		return err_set(e, "no command to check");
	struct gctx g = { 0 };
	g.a = a;
	g.req = req;
	g.cfg = cfg;
	if (req->cwd && req->cwd[0] == '/') {
		g.cwd = path_normalize(a, "/", req->cwd);
	} else {
		char buf[4096];
		const char *here = getcwd(buf, sizeof(buf)) ? buf : "/";
		g.cwd = req->cwd ? path_normalize(a, here, req->cwd) : arena_strdup(a, here);
	}
	g.home = path_normalize(a, "/", fs_home());

	struct shell_node *root = NULL;
	struct err pe;
	err_init(&pe);
	if (shell_parse(a, req->command, strlen(req->command), NULL, &root, &pe) < 0) {
		out->parse_error = arena_strdup(a, pe.msg);
		struct gcmd *c = arena_new_obj(a, struct gcmd);
		const char *argv[] = { req->command };
		c->argv = arena_new_array(a, const char *, 1);
		c->argv[0] = argv[0];
		c->argc = 1;
		c->cwd = g.cwd;
		guard_hit(&g, c, "guard.unparseable",
			  arena_printf(a, "The command does not parse as shell (%s), so blastwall cannot tell what it "
				       "would run.", pe.msg));
	} else {
		out->ast = root;
		struct walk_ctx w = { &g, NULL, NULL, NULL, root, 0 };
		shell_walk(root, visit, &w);
	}

	out->matches = g.m.v;
	out->nmatches = g.m.n;
	out->commands = g.cmds;
	out->command_via = g.cmds_via;
	out->command_cwd = g.cmds_cwd;
	out->ncommands = g.ncmds;
	out->decision = DECISION_ALLOW;
	out->allowed_by_config = g.allowed_by_config;
	for (size_t i = 0; i < g.m.n; i++) {
		if (g.m.v[i].decision > out->decision)
			out->decision = g.m.v[i].decision;
	}
	if (out->decision == DECISION_ALLOW)
		return 0;

	/* One text for the agent and the human: the strongest matches first. */
	struct buf b;
	buf_init(&b, 0);
	for (int d = DECISION_DENY; d >= DECISION_ASK; d--) {
		for (size_t i = 0; i < g.m.n; i++) {
			const struct guard_match *m = &g.m.v[i];
			if ((int)m->decision != d)
				continue;
			if (b.n)
				buf_addc(&b, '\n');
			buf_printf(&b, "blastwall %s: `%s` (rule %s", d == DECISION_DENY ? "denied" : "asks about",
				   m->command, m->rule);
			if (m->via)
				buf_printf(&b, ", found inside %s", m->via);
			buf_printf(&b, "): %s", m->message);
		}
	}
	if (g.more_matches)
		buf_printf(&b, "\n(and %zu more matches not listed)", g.more_matches);
	out->reason = arena_strndup(a, b.p ? b.p : "", b.n);
	buf_release(&b);
	return 0;
}
