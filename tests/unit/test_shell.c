/* test_shell.c: the shell parser, walk and dump (src/shell/). */
#include "harness.h"

#include <stdlib.h>

#include <jansson.h>

#include "common/arena.h"
#include "common/buf.h"
#include "shell/shell.h"

static struct arena *A;
static struct err E;
static struct buf OUT;

static struct shell_node *parse(const char *src)
{
	struct shell_node *root = NULL;
	err_init(&E);
	if (shell_parse(A, src, strlen(src), NULL, &root, &E) < 0) {
		fprintf(stderr, "unexpected parse error for <%s>: %s\n", src, E.msg);
		return NULL;
	}
	return root;
}

/* Every simple command the walk reaches, one per line, words in <>. */
static int list_cb(const struct shell_visit *v, void *ctx)
{
	struct buf *b = ctx;
	const struct shell_node *c = v->cmd;
	bool first = true;
	for (size_t i = 0; i < c->nassigns; i++, first = false)
		buf_printf(b, "%s<%s>", first ? "" : " ", c->assigns[i].lit);
	for (size_t i = 0; i < c->nwords; i++, first = false)
		buf_printf(b, "%s<%s>", first ? "" : " ", c->words[i].lit);
	buf_addc(b, '\n');
	return 0;
}

static const char *cmds(const char *src)
{
	buf_reset(&OUT);
	struct shell_node *root = parse(src);
	if (!root)
		return "(parse error)";
	shell_walk(root, list_cb, &OUT);
	return OUT.p ? OUT.p : "";
}

/* The error message for src, or "(parsed)". */
static const char *perr(const char *src, size_t n)
{
	struct shell_node *root = NULL;
	err_init(&E);
	if (shell_parse(A, src, n, NULL, &root, &E) == 0)
		return "(parsed)";
	return E.msg;
}

#define CHECK_CMDS(src, want) CHECK_STREQ(cmds(src), want)
#define CHECK_ERR(src, needle)                                                              \
	do {                                                                                \
		const char *h_m = perr(src, strlen(src));                                   \
		if (!strstr(h_m, needle)) {                                                 \
			fprintf(stderr, "%s:%d: <%s>: wanted an error with \"%s\", got \"%s\"\n", \
				__FILE__, __LINE__, src, needle, h_m);                      \
			h_failed_checks++;                                                  \
		}                                                                           \
	} while (0)

static const struct shell_node *first_cmd(const char *src)
{
	struct shell_node *root = parse(src);
	while (root && root->kind != SHELL_SIMPLE && root->nkids)
		root = root->kids[0];
	return root;
}

TEST(simple_and_lists)
{
	CHECK_CMDS("ls -l /tmp", "<ls> <-l> </tmp>\n");
	CHECK_CMDS("a; b & c && d || e", "<a>\n<b>\n<c>\n<d>\n<e>\n");
	CHECK_CMDS("a\nb\n\n  c  ", "<a>\n<b>\n<c>\n");
	CHECK_CMDS("", "");
	CHECK_CMDS("   # only a comment\n", "");
	CHECK_CMDS("echo a#b # comment", "<echo> <a#b>\n");
	CHECK_CMDS("echo a \\\n  b", "<echo> <a> <b>\n");
	CHECK_CMDS("ec\\\nho x", "<echo> <x>\n");
	struct shell_node *r = parse("a; b");
	CHECK(r && r->kind == SHELL_SEQ && r->nkids == 2);
	r = parse("a &");
	CHECK(r && r->kids[0]->kind == SHELL_BACKGROUND);
}

TEST(quoting)
{
	CHECK_CMDS("echo 'a b' \"c d\" e\\ f", "<echo> <a b> <c d> <e f>\n");
	CHECK_CMDS("echo \"a\\\"b\\$c\\d\"", "<echo> <a\"b$c\\d>\n");
	CHECK_CMDS("echo 'it'\\''s'", "<echo> <it's>\n");
	CHECK_CMDS("\\rm -rf x", "<rm> <-rf> <x>\n");
	CHECK_CMDS("echo $'a\\tb\\x41\\101\\u00e9\\'q'", "<echo> <a\tbAAé'q>\n");
	CHECK_CMDS("echo $'\\cA\\c?'", "<echo> <\x01\x7f>\n");
	CHECK_CMDS("echo $'\\c' x", "<echo> <\\c> <x>\n");
	CHECK_CMDS("echo $'\\c' x", "<echo> <\\c> <x>\n");
	CHECK_CMDS("echo $\"loc\"", "<echo> <loc>\n");
	CHECK_CMDS("r''m x", "<rm> <x>\n");
	const struct shell_node *c = first_cmd("'rm' x");
	CHECK(c && (c->words[0].flags & WORD_QUOTED));
	c = first_cmd("echo $'a\\0b'");
	CHECK(c && c->words[1].lit_n == 3 && c->words[1].lit[1] == '\0');
	c = first_cmd("echo a\\\nb");
	CHECK(c && c->nwords == 2 && strcmp(c->words[1].lit, "ab") == 0);
}

TEST(expansions_keep_source_text)
{
	const struct shell_node *c = first_cmd("echo $HOME ${x:-y} \"$@\" $((1+2)) ~/a *.c {a,b} $1");
	CHECK(c && c->nwords == 9);
	if (!c || c->nwords != 9)
		return;
	CHECK_STREQ(c->words[1].lit, "$HOME");
	CHECK(c->words[1].flags & WORD_PARAM);
	CHECK_STREQ(c->words[2].lit, "${x:-y}");
	CHECK_STREQ(c->words[3].lit, "$@");
	CHECK(c->words[3].flags & WORD_QUOTED);
	CHECK(c->words[4].flags & WORD_ARITH);
	CHECK(c->words[5].flags & WORD_TILDE);
	CHECK(c->words[6].flags & WORD_GLOB);
	CHECK(c->words[7].flags & WORD_BRACE);
	CHECK(c->words[8].flags & WORD_PARAM);
	CHECK(!(c->words[0].flags & WORD_DYNAMIC));
	c = first_cmd("find . -exec rm {} \\;");
	CHECK(c && !(c->words[4].flags & WORD_BRACE) && strcmp(c->words[5].lit, ";") == 0);
	c = first_cmd("a=~/x b=y:~ echo c=~ --p=~");
	CHECK(c && c->nassigns == 2 && c->nwords == 3);
	if (c && c->nassigns == 2 && c->nwords == 3) {
		CHECK(c->assigns[0].flags & WORD_TILDE);
		CHECK(c->assigns[1].flags & WORD_TILDE);
		CHECK(c->words[1].flags & WORD_TILDE);
		CHECK(!(c->words[2].flags & WORD_TILDE));
	}
	c = first_cmd("[ a ] x[12] [ab] \\[a] a]");
	CHECK(c && c->nwords == 7);
	if (c && c->nwords == 7) {
		CHECK(!(c->words[0].flags & WORD_GLOB));
		CHECK(!(c->words[2].flags & WORD_GLOB));
		CHECK(c->words[3].flags & WORD_GLOB);
		CHECK(c->words[4].flags & WORD_GLOB);
		CHECK(!(c->words[5].flags & WORD_GLOB));
		CHECK(!(c->words[6].flags & WORD_GLOB));
	}
	c = first_cmd("echo '*' \"$x\"");
	CHECK(c && !(c->words[1].flags & WORD_GLOB));
	c = first_cmd("echo $ a$ $/");
	CHECK(c && c->nwords == 4 && !(c->words[1].flags & WORD_PARAM) && strcmp(c->words[3].lit, "$/") == 0);
}

TEST(substitutions)
{
	CHECK_CMDS("echo $(rm -rf / | tee x)", "<echo> <$(rm -rf / | tee x)>\n<rm> <-rf> </>\n<tee> <x>\n");
	CHECK_CMDS("echo `id -u`", "<echo> <`id -u`>\n<id> <-u>\n");
	CHECK_CMDS("echo `echo \\`date\\``", "<echo> <`echo \\`date\\``>\n<echo> <`date`>\n<date>\n");
	CHECK_CMDS("echo \"x$(a \"b c\")y\"", "<echo> <x$(a \"b c\")y>\n<a> <b c>\n");
	CHECK_CMDS("echo ${x:-$(rm y)}", "<echo> <${x:-$(rm y)}>\n<rm> <y>\n");
	CHECK_CMDS("echo \"${x:-\"$(rm y)\"}\"", "<echo> <${x:-\"$(rm y)\"}>\n<rm> <y>\n");
	CHECK_CMDS("echo $(( $(wc -l < f) + 1 ))", "<echo> <$(( $(wc -l < f) + 1 ))>\n<wc> <-l>\n");
	CHECK_CMDS("echo $( (cd /; ls) )", "<echo> <$( (cd /; ls) )>\n<cd> </>\n<ls>\n");
	CHECK_CMDS("echo $((a) )", "<echo> <$((a) )>\n<a>\n");
	CHECK_CMDS("diff <(ls a) >(cat)", "<diff> <<(ls a)> <>(cat)>\n<ls> <a>\n<cat>\n");
	CHECK_CMDS("wc --files0-from=<(git ls-files -z)", "<wc> <--files0-from=<(git ls-files -z)>\n<git> <ls-files> <-z>\n");
	CHECK_CMDS("x=$(whoami) y=`id`", "<x=$(whoami)> <y=`id`>\n<whoami>\n<id>\n");
	CHECK_CMDS("cat > $(mktemp)", "<cat>\n<mktemp>\n");
	CHECK_CMDS("echo $(case x in a) b;; esac)", "<echo> <$(case x in a) b;; esac)>\n<b>\n");
	CHECK_CMDS("echo $(echo ')')", "<echo> <$(echo ')')>\n<echo> <)>\n");
	const struct shell_node *c = first_cmd("echo $(a) `b` <(c)");
	CHECK(c && c->words[1].nsubst == 1 && (c->words[1].flags & WORD_CMDSUBST));
	CHECK(c && c->words[3].nsubst == 1 && (c->words[3].flags & WORD_PROCSUBST));
}

TEST(pipelines_and_context)
{
	struct shell_node *r = parse("curl -s x | sudo bash |& tee log");
	CHECK(r && r->kids[0]->kind == SHELL_PIPELINE && r->kids[0]->nkids == 3);
	if (r && r->kids[0]->kind == SHELL_PIPELINE) {
		CHECK(!r->kids[0]->pipe_stderr[0]);
		CHECK(r->kids[0]->pipe_stderr[1]);
	}
	CHECK_CMDS("! a | b", "<a>\n<b>\n");
	r = parse("! a | b");
	CHECK(r && r->kids[0]->kind == SHELL_NOT && r->kids[0]->kids[0]->kind == SHELL_PIPELINE);
	CHECK_CMDS("a |\n\n b", "<a>\n<b>\n");
	CHECK_CMDS("a &&\n# c\n b", "<a>\n<b>\n");
	r = parse("time -p a | b");
	CHECK(r && r->kids[0]->kind == SHELL_TIME && r->kids[0]->kids[0]->kind == SHELL_PIPELINE);
	r = parse("time");
	CHECK(r && r->kids[0]->kind == SHELL_TIME && r->kids[0]->nkids == 0);
}

struct ctx_rec {
	char log[512];
	size_t n;
};

static int ctx_cb(const struct shell_visit *v, void *p)
{
	struct ctx_rec *r = p;
	const char *name = v->cmd->nwords ? v->cmd->words[0].lit : "-";
	const char *prev = v->prev && v->prev->kind == SHELL_SIMPLE && v->prev->nwords ? v->prev->words[0].lit : "-";
	int k = snprintf(r->log + r->n, sizeof(r->log) - r->n, "%s:%s:%u%s%s%s ", name, prev, v->depth,
			 v->in_subst ? "s" : "", v->in_function ? "f" : "", v->background ? "b" : "");
	if (k > 0 && (size_t)k < sizeof(r->log) - r->n)
		r->n += (size_t)k;
	return 0;
}

static const char *ctx_log(const char *src)
{
	static struct ctx_rec r;
	memset(&r, 0, sizeof(r));
	struct shell_node *root = parse(src);
	if (!root)
		return "(parse error)";
	shell_walk(root, ctx_cb, &r);
	return r.log;
}

TEST(walk_context)
{
	CHECK_STREQ(ctx_log("curl x | bash"), "curl:-:0 bash:curl:0 ");
	CHECK_STREQ(ctx_log("curl x | (cd /; sh)"), "curl:-:0 cd:curl:1 sh:curl:1 ");
	CHECK_STREQ(ctx_log("{ a; curl x; } | sh"), "a:-:1 curl:-:1 sh:curl:0 ");
	CHECK_STREQ(ctx_log("echo $(rm x) &"), "echo:-:0b rm:-:1sb ");
	CHECK_STREQ(ctx_log("f() { rm x; }"), "rm:-:2f ");
	CHECK_STREQ(ctx_log("coproc cat"), "cat:-:1b ");
}

TEST(walk_reaches_every_position)
{
	/* each X$n is a command the shell would run; the walk must list all of them */
	static const char *const cases[] = {
		"echo $(X1)", "echo `X1`", "echo \"$(X1)\"", "echo ${a:-$(X1)}", "echo $(($(X1)))",
		"A=$(X1) cmd", "A=($(X1))", "cmd > $(X1)", "cmd <<< $(X1)", "cat <(X1)", "tee >(X1)",
		"cat <<E\n$(X1)\nE", "cat <<E\n`X1`\nE", "cat <<E\n${a:-$(X1)}\nE", "f() { X1; }",
		"function f { X1; }", "if X1; then :; fi", "if :; then X1; fi", "if :; then :; else X1; fi",
		"while X1; do :; done", "until :; do X1; done", "for a in $(X1); do :; done",
		"for a in b; do X1; done", "for ((i=$(X1); i<1; i++)); do :; done", "select a in $(X1); do :; done",
		"case $(X1) in a) ;; esac", "case a in $(X1)) ;; esac", "case a in a) X1;; esac",
		"[[ -f $(X1) ]]", "(( $(X1) ))", "(( a[$(X1)] ))", "( X1 )", "{ X1; }", "{ :; } > $(X1)",
		"while :; do :; done < <(X1)", "! X1", "time X1", "coproc X1", "coproc c { X1; }", "X1 &",
		": | X1", ": && X1", ": || X1", "echo $(echo $(X1))", "x=$(cat <<E\n$(X1)\nE\n)",
		"echo \"${a:-\"$(X1)\"}\"", "declare a=$(X1)", "echo @(a|$(X1))", "cmd 2>&1 >\"$(X1)\"",
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *got = cmds(cases[i]);
		if (!strstr(got, "<X1>")) {
			fprintf(stderr, "walk of <%s> misses X1: %s\n", cases[i], got);
			h_failed_checks++;
		}
	}
	/* and nothing is run from quoted heredocs, single quotes, comments or delimiters */
	static const char *const none[] = { "cat <<'E'\n$(X1)\nE", "echo '$(X1)'", "echo a # $(X1)",
					    "cat <<$(X1)\nbody\n$(X1)\n", "echo \"\\$(X1)\"", "cat <<E\n\\$(X1)\nE" };
	for (size_t i = 0; i < ARRAY_SIZE(none); i++) {
		const char *got = cmds(none[i]);
		if (strstr(got, "<X1>")) {
			fprintf(stderr, "walk of <%s> lists X1, which bash does not run: %s\n", none[i], got);
			h_failed_checks++;
		}
	}
}

static int stop_cb(const struct shell_visit *v, void *p)
{
	int *n = p;
	return ++*n == 2 ? 42 : 0;
}

TEST(walk_stops)
{
	struct shell_node *r = parse("a; b; c");
	int n = 0;
	CHECK_INTEQ(shell_walk(r, stop_cb, &n), 42);
	CHECK_INTEQ(n, 2);
	CHECK_INTEQ(shell_walk(NULL, stop_cb, &n), 0);
}

TEST(compound_commands)
{
	CHECK_CMDS("if a; then b; elif c; then d; else e; fi", "<a>\n<b>\n<c>\n<d>\n<e>\n");
	struct shell_node *r = parse("if a; then b; elif c; then d; else e; fi");
	CHECK(r && r->kids[0]->kind == SHELL_IF && r->kids[0]->nkids == 5);
	CHECK_CMDS("while read l; do echo $l; done < f", "<read> <l>\n<echo> <$l>\n");
	CHECK_CMDS("until false; do :; done", "<false>\n<:>\n");
	CHECK_CMDS("for f in *.c; do rm $f; done", "<rm> <$f>\n");
	r = parse("for f in a b; do x; done");
	CHECK(r && r->kids[0]->kind == SHELL_FOR && r->kids[0]->nwords == 2 && strcmp(r->kids[0]->name, "f") == 0);
	CHECK_CMDS("for f; do echo; done", "<echo>\n");
	CHECK_CMDS("for f\ndo echo; done", "<echo>\n");
	CHECK_CMDS("for ((i=0; i<3; i++)); do echo $i; done", "<echo> <$i>\n");
	r = parse("for ((i=0; i<3; i++)) { x; }");
	CHECK(r && r->kids[0]->kind == SHELL_FOR && r->kids[0]->nwords == 3);
	if (r && r->kids[0]->nwords == 3)
		CHECK_STREQ(r->kids[0]->words[1].lit, "i<3");
	CHECK_CMDS("select x in a b; do break; done", "<break>\n");
	CHECK_CMDS("(cd /tmp && rm -rf x)", "<cd> </tmp>\n<rm> <-rf> <x>\n");
	CHECK_CMDS("{ a; b; } > out 2>&1", "<a>\n<b>\n");
	r = parse("{ a; } > out");
	CHECK(r && r->kids[0]->kind == SHELL_GROUP && r->kids[0]->nredirs == 1);
	CHECK_CMDS("{ echo }; }", "<echo> <}>\n");
	CHECK_CMDS("[[ -f $(which x) && $a =~ ^(b|c)$ ]]", "<which> <x>\n");
	r = parse("[[ $a < b ]]");
	CHECK(r && r->kids[0]->kind == SHELL_TEST_CMD && r->kids[0]->nwords == 3);
	CHECK_CMDS("(( x = $(id -u) + 1 ))", "<id> <-u>\n");
	r = parse("((i++))");
	CHECK(r && r->kids[0]->kind == SHELL_ARITH_CMD);
	r = parse("((a) || (b))");
	CHECK(r && r->kids[0]->kind == SHELL_SUBSHELL);
	CHECK_CMDS("coproc w { cat; }", "<cat>\n");
	r = parse("coproc w { cat; }");
	CHECK(r && r->kids[0]->kind == SHELL_COPROC && r->kids[0]->name && strcmp(r->kids[0]->name, "w") == 0);
	r = parse("coproc cat x");
	CHECK(r && r->kids[0]->kind == SHELL_COPROC && !r->kids[0]->name);
}

TEST(case_statements)
{
	const char *src = "case $1 in\n (start|go) run;;\n stop) halt ;&\n *.txt) cat;;&\n *) ;;\nesac";
	CHECK_CMDS(src, "<run>\n<halt>\n<cat>\n");
	struct shell_node *r = parse(src);
	CHECK(r && r->kids[0]->kind == SHELL_CASE && r->kids[0]->nkids == 4);
	if (r && r->kids[0]->nkids == 4) {
		const struct shell_node *c = r->kids[0];
		CHECK_STREQ(c->words[0].lit, "$1");
		CHECK_INTEQ(c->arms[0].npatterns, 2);
		CHECK_STREQ(c->arms[0].patterns[1].lit, "go");
		CHECK(c->kids[3] == NULL);
	}
	/* "esac" after a command word is an argument, as in bash */
	CHECK_ERR("case x in a) b esac", "needs 'esac'");
	CHECK_CMDS("case x in a) b;; esac; case $(c) in $(d)) e; esac", "<b>\n<c>\n<d>\n<e>\n");
	CHECK_CMDS("case x in @(a|b)) c;; esac", "<c>\n");
}

TEST(functions)
{
	CHECK_CMDS("f() { rm -rf /; }", "<rm> <-rf> </>\n");
	CHECK_CMDS("function g { ls; }", "<ls>\n");
	CHECK_CMDS("function h() ( pwd )", "<pwd>\n");
	CHECK_CMDS("f ()\n{\n x\n}", "<x>\n");
	struct shell_node *r = parse("f() { x; } > log");
	CHECK(r && r->kids[0]->kind == SHELL_FUNCDEF && strcmp(r->kids[0]->name, "f") == 0);
	CHECK_ERR("f() echo", "compound command");
}

TEST(assignments)
{
	const struct shell_node *c = first_cmd("A=1 B+=2 C[3]=4 env -i");
	CHECK(c && c->nassigns == 3 && c->nwords == 2);
	if (c && c->nassigns == 3) {
		CHECK_STREQ(c->assigns[0].lit, "A=1");
		CHECK_STREQ(c->assigns[1].lit, "B+=2");
		CHECK_STREQ(c->assigns[2].lit, "C[3]=4");
	}
	CHECK_CMDS("a=(x \"y z\" $(id))", "<a=(x y z $(id))>\n<id>\n");
	CHECK_CMDS("a=(\n 1 # c\n 2\n) b", "<a=(1 2)> <b>\n");
	CHECK_CMDS("declare -a arr=(1 2)", "<declare> <-a> <arr=(1 2)>\n");
	CHECK_CMDS("echo a=1", "<echo> <a=1>\n");
	c = first_cmd("'A'=1 x");
	CHECK(c && c->nassigns == 0 && c->nwords == 2);
	c = first_cmd("X=1");
	CHECK(c && c->nassigns == 1 && c->nwords == 0);
}

TEST(redirections)
{
	const struct shell_node *c = first_cmd("cmd <in >out 2>>err 3<>rw >|clob 4<&0 5>&- &>all &>>app 2>&1 <<<here");
	CHECK(c && c->nwords == 1 && c->nredirs == 11);
	if (!c || c->nredirs != 11)
		return;
	static const enum shell_redir_op ops[] = { REDIR_IN, REDIR_OUT, REDIR_APPEND, REDIR_INOUT, REDIR_CLOBBER,
						   REDIR_DUP_IN, REDIR_DUP_OUT, REDIR_OUT_ERR, REDIR_APPEND_ERR,
						   REDIR_DUP_OUT, REDIR_HERESTRING };
	static const int fds[] = { -1, -1, 2, 3, -1, 4, 5, -1, -1, 2, -1 };
	static const char *const targets[] = { "in", "out", "err", "rw", "clob", "0", "-", "all", "app", "1", "here" };
	for (size_t i = 0; i < 11; i++) {
		CHECK_INTEQ(c->redirs[i].op, ops[i]);
		CHECK_INTEQ(c->redirs[i].fd, fds[i]);
		CHECK_STREQ(c->redirs[i].target.lit, targets[i]);
	}
	c = first_cmd("echo 2 > x 2>y a2>z");
	CHECK(c && c->nwords == 3 && c->nredirs == 3);
	if (c && c->nredirs == 3) {
		CHECK_STREQ(c->words[2].lit, "a2");
		CHECK_INTEQ(c->redirs[1].fd, 2);
	}
	c = first_cmd("exec {fd}>file");
	CHECK(c && c->nwords == 1 && c->nredirs == 1 && c->redirs[0].op == REDIR_OUT);
	CHECK(c && c->nredirs == 1 && c->redirs[0].fd == -1 && c->redirs[0].fd_var && strcmp(c->redirs[0].fd_var, "fd") == 0);
	c = first_cmd("exec 3>file");
	CHECK(c && c->nredirs == 1 && c->redirs[0].fd_var == NULL);
	c = first_cmd(">out");
	CHECK(c && c->nwords == 0 && c->nredirs == 1);
	CHECK_CMDS("cat <<< $(secret)", "<cat>\n<secret>\n");
	CHECK_CMDS("ls > \"$(mktemp)\"", "<ls>\n<mktemp>\n");
}

TEST(heredocs)
{
	const char *src = "cat <<EOF | sh\nrm -rf $(pwd)\n`id`\nEOF\necho after";
	CHECK_CMDS(src, "<cat>\n<pwd>\n<id>\n<sh>\n<echo> <after>\n");
	const struct shell_node *c = first_cmd(src);
	CHECK(c && c->nredirs == 1 && c->redirs[0].op == REDIR_HEREDOC);
	if (c && c->nredirs == 1) {
		CHECK_STREQ(c->redirs[0].body, "rm -rf $(pwd)\n`id`\n");
		CHECK(!c->redirs[0].body_quoted);
		CHECK_INTEQ(c->redirs[0].nsubst, 2);
	}
	c = first_cmd("cat <<'EOF'\n$(nope)\nEOF\n");
	CHECK(c && c->redirs[0].body_quoted && c->redirs[0].nsubst == 0);
	CHECK_CMDS("cat <<\"E\"\n$(nope)\nE", "<cat>\n");
	CHECK_CMDS("cat <<\\E\n$(nope)\nE", "<cat>\n");
	c = first_cmd("cat <<-END\n\t\tindented\n\tEND\n");
	CHECK(c && c->redirs[0].op == REDIR_HEREDOC_TAB && strcmp(c->redirs[0].body, "indented\n") == 0);
	/* two heredocs on one line, read in order */
	c = first_cmd("cat <<A <<B\none\nA\ntwo $(x)\nB\n");
	CHECK(c && c->nredirs == 2);
	if (c && c->nredirs == 2) {
		CHECK_STREQ(c->redirs[0].body, "one\n");
		CHECK_STREQ(c->redirs[1].body, "two $(x)\n");
		CHECK_INTEQ(c->redirs[1].nsubst, 1);
	}
	/* many heredocs: the redirection array grows while bodies are pending */
	c = first_cmd("cat <<A <<B <<C <<D <<E <<F\na\nA\nb\nB\nc\nC\nd\nD\ne\nE\nf\nF\n");
	CHECK(c && c->nredirs == 6 && strcmp(c->redirs[5].body, "f\n") == 0 && strcmp(c->redirs[0].body, "a\n") == 0);
	c = first_cmd("cat <<A 2>a 3>b 4>c 5>d\nx $(y)\nA\n");
	CHECK(c && c->nredirs == 5 && strcmp(c->redirs[0].body, "x $(y)\n") == 0 && c->redirs[0].nsubst == 1);
	/* heredoc inside a command substitution */
	CHECK_CMDS("x=$(cat <<EOF\n$(inner)\nEOF\n)\necho $x", "<x=$(cat <<EOF\n$(inner)\nEOF\n)>\n<cat>\n<inner>\n<echo> <$x>\n");
	/* heredoc on a compound command and in a pipeline inside a loop */
	CHECK_CMDS("while read l; do a; done <<EOF\n$(b)\nEOF\n", "<read> <l>\n<a>\n<b>\n");
	/* end of input before the delimiter: bash runs it with a warning, so do we */
	c = first_cmd("cat <<EOF\nno end");
	CHECK(c && strcmp(c->redirs[0].body, "no end") == 0);
	c = first_cmd("cat <<EOF");
	CHECK(c && c->redirs[0].body_n == 0);
	CHECK_ERR("cat << ", "delimiter");
	/* a delimiter is never expanded */
	CHECK_CMDS("cat <<$(rm x)\nbody\n$(rm x)\n", "<cat>\n");
}

TEST(rare_paths)
{
	CHECK_CMDS("echo $'\\a\\b\\e\\E\\f\\n\\r\\v\\q\\xZ\\uFFFFFF\\U0010FFFF\\U00110000'",
		   "<echo> <\a\b\x1b\x1b\f\n\r\v\\q\\xZ\xef\xbf\xbf" "FF\xf4\x8f\xbf\xbf\xef\xbf\xbd>\n");
	CHECK_CMDS("echo $'\\u263a\\U0001F600\\x4A'", "<echo> <\xe2\x98\xba\xf0\x9f\x98\x80J>\n");
	CHECK_CMDS("echo $[1+2] $((\"1\" + ' ' + `echo 2` + \\1))", "<echo> <$[1+2]> <$((\"1\" + ' ' + `echo 2` + \\1))>\n<echo> <2>\n");
	CHECK_CMDS("(( a[\"x\"] + $((1)) ))", "");
	CHECK_CMDS("echo ${x:-'a}b'} ${x:-\\}} ${x:-`id`}", "<echo> <${x:-'a}b'}> <${x:-\\}}> <${x:-`id`}>\n<id>\n");
	CHECK_CMDS("echo `echo a\\\nb`", "<echo> <`echo a\\\nb`>\n<echo> <ab>\n");
	CHECK_CMDS("echo \"`echo x`\" \"a\\\nb\"", "<echo> <`echo x`> <ab>\n<echo> <x>\n");
	CHECK_CMDS("ls @(a|'b c'|\"d\"|$(e)|\\)|`f`)", "<ls> <@(a|'b c'|\"d\"|$(e)|\\)|`f`)>\n<e>\n<f>\n");
	CHECK_CMDS("for ((\n i=0 ;\n i<1 ;\n i++ \n)); do a; done", "<a>\n");
	CHECK_CMDS("for x in a b\ndo c; done", "<c>\n");
	CHECK_ERR("a | ! b", "unexpected '!'");
	CHECK_CMDS("a | time -p b", "<a>\n<time> <-p> <b>\n");
	CHECK_CMDS("time -p b | a", "<b>\n<a>\n");
	CHECK_CMDS("coproc { a; }; coproc (b); coproc n (c)", "<a>\n<b>\n<c>\n");
	const struct shell_node *c = first_cmd("echo 99999999999>x");
	CHECK(c && c->nredirs == 1 && c->redirs[0].fd == 2147483647);
	CHECK_ERR("echo $(\n", "unterminated command substitution");
	CHECK_ERR("echo <(a", "unterminated process substitution");
	CHECK_ERR("echo $(a b c", "unterminated");
	CHECK_ERR("echo $(a ;; b)", "inside $( )");
	CHECK_ERR("echo <(a ;; b)", "inside a process substitution");
	CHECK_ERR("echo `a )`", "(in a backquoted command)");
	CHECK_ERR("echo $[1", "unterminated $[");
	CHECK_ERR("ls @(a", "unterminated pattern");
	CHECK_ERR("ls @('a", "unterminated single quote");
	CHECK_ERR("echo ${x:-'a}", "unterminated single quote");
	CHECK_ERR("echo $((1 + 'a))", "unterminated");
	CHECK_ERR("case", "expected a word after 'case'");
	CHECK_ERR("case x", "needs 'in'");
	CHECK_ERR("case x foo", "expected 'in'");
	CHECK_ERR("case x in a\n", "unexpected newline: expected ')' after a case pattern");
	CHECK_ERR("case x in |) a;; esac", "expected a case pattern");
	CHECK_ERR("case x in a) b; c) d;; esac", "expected 'esac' to go with 'case', found ')'");
	CHECK_ERR("[[ a & b ]]", "inside [[ ]]");
	CHECK_ERR("[[ a ; b ]]", "inside [[ ]]");
	CHECK_ERR("function", "function name");
	CHECK_ERR("function f(x", "expected ')'");
	CHECK_ERR("for x in a b ) ; do c; done", "word list");
	CHECK_ERR("for a-b in x; do c; done", "not a valid variable name");
	CHECK_ERR("for ((a;b)); do c; done", "expected ';'");
	CHECK_ERR("for ((a;b;c) ); do d; done", "'))'");
	CHECK_ERR("for x in a; echo; done", "expected 'do' to go with 'for'");
	CHECK_ERR("if a; then b; fi fi", "unexpected 'fi'");
	CHECK_ERR("(a b c) d", "unexpected 'd'");
	CHECK_ERR("(a;;)", "expected ')'");
	CHECK_ERR("echo a b c (", "unexpected '('");
	CHECK_ERR("a=(b ;)", "in an array assignment");
}

TEST(keywords_only_in_command_position)
{
	CHECK_CMDS("echo if then fi done", "<echo> <if> <then> <fi> <done>\n");
	CHECK_CMDS("x=1 if", "<x=1> <if>\n");
	CHECK_CMDS("if=3", "<if=3>\n");
	CHECK_CMDS("echo { } [[ ! time", "<echo> <{> <}> <[[> <!> <time>\n");
	CHECK_CMDS("{echo,hi}", "<{echo,hi}>\n");
	CHECK_ERR("fi", "unexpected 'fi'");
	CHECK_ERR("echo a; done", "unexpected 'done'");
	CHECK_ERR("a | then", "then");
}

TEST(syntax_errors_have_positions)
{
	CHECK_ERR("echo 'abc", "line 1, column 6: unterminated single quote");
	CHECK_ERR("echo \"abc", "unterminated double quote");
	CHECK_ERR("echo ok\necho $(ls", "line 2, column 6: unterminated command substitution");
	CHECK_ERR("echo `ls", "unterminated backquote");
	CHECK_ERR("echo ${x", "unterminated ${");
	CHECK_ERR("echo $((1+2", "unterminated");
	CHECK_ERR("echo $'x", "unterminated $'");
	CHECK_ERR("if true; then echo", "needs 'fi'");
	CHECK_ERR("while true; do", "expected a command after 'do'");
	CHECK_ERR("for x in a b", "needs 'do'");
	CHECK_ERR("case x in a) b;;", "needs 'esac'");
	CHECK_ERR("(a", "unterminated '('");
	CHECK_ERR("{ a", "needs '}'");
	CHECK_ERR("a |", "end of input");
	CHECK_ERR("a && || b", "unexpected '||'");
	CHECK_ERR("| a", "unexpected '|'");
	CHECK_ERR("a ;; b", "unexpected ';;'");
	CHECK_ERR("echo >", "expected a file name after '>'");
	CHECK_ERR("a )", "unexpected ')'");
	CHECK_ERR("[[ -f x", "unterminated '[['");
	CHECK_ERR("a=(1 2", "unterminated array");
	CHECK_ERR("f(", "expected ')'");
	CHECK_ERR("echo `echo 'x`", "line 1, column 12: unterminated single quote (in a backquoted command)");
	CHECK_ERR("echo a\ncat <<E\nline1\n$(oops\nE\n", "line 4, column 1: unterminated command substitution");
	CHECK_ERR("cat <<E\n$(oops\nE\n", "(in a here-document body)");
	CHECK_ERR("for 1x in a; do b; done", "variable name");
	CHECK_ERR("if; then a; fi", "unexpected ';'");
	CHECK_ERR("echo a b (c)", "unexpected '('");
}

TEST(limits)
{
	struct shell_node *root;
	/* a 1 MB command parses, in bounded time */
	size_t n = 1 << 20;
	char *big = malloc(n + 1);
	memcpy(big, "echo ", 5);
	memset(big + 5, 'a', n - 5);
	big[n] = '\0';
	err_init(&E);
	CHECK(shell_parse(A, big, n, NULL, &root, &E) == 0);
	CHECK(root && root->kids[0]->words[1].lit_n == n - 5);
	/* many commands in 1 MB */
	for (size_t i = 0; i + 8 <= n; i += 8)
		memcpy(big + i, "a|b&&c;", 7), big[i + 7] = '\n';
	struct shell_limits lots = { 0, 0, 10u << 20 };
	CHECK(shell_parse(A, big, n, &lots, &root, &E) == 0);
	/* a long && chain does not recurse in the walk or the dump */
	for (size_t i = 0; i + 5 <= n; i += 5)
		memcpy(big + i, "a && ", 5);
	memcpy(big + n - 6, " a    ", 6);
	CHECK(shell_parse(A, big, n, &lots, &root, &E) == 0);
	buf_reset(&OUT);
	CHECK(shell_walk(root, list_cb, &OUT) == 0);
	CHECK_INTEQ(OUT.n, (n / 5) * 4);
	/* deep nesting of every kind is a clean error */
	static const char *const openers[] = { "$(", "(", "{ ", "`(", "\"$(", "${x:-", "$((", "<(", "if ",
					       "! ", "f() ", "a=(", "while ", "[[ ", "((" };
	for (size_t k = 0; k < ARRAY_SIZE(openers); k++) {
		size_t ol = strlen(openers[k]), off = 0;
		for (int i = 0; i < 10000 && off + ol < n; i++, off += ol)
			memcpy(big + off, openers[k], ol);
		const char *m = perr(big, off);
		if (strcmp(m, "(parsed)") == 0)
			fprintf(stderr, "nesting of %s parsed\n", openers[k]);
		CHECK(strcmp(m, "(parsed)") != 0);
	}
	size_t off = 0;
	for (int i = 0; i < 10000; i++, off += 2)
		memcpy(big + off, "$(", 2);
	for (int i = 0; i < 10000; i++, off += 1)
		big[off] = ')';
	CHECK(strstr(perr(big, off), "nesting too deep") != NULL);
	/* inputs that once took quadratic time: many heredocs pending on one line, and
	 * unclosed $(( nested over a long tail (each look-ahead ran to the end) */
	off = 0;
	for (int i = 0; i < 60000; i++, off += 12)
		memcpy(big + off, "cat <<A 2>x;", 12);
	CHECK(shell_parse(A, big, off, &lots, &root, &E) == 0);
	CHECK(root && root->nkids == 60000 && root->kids[59999]->nredirs == 2);
	off = 0;
	for (int i = 0; i < 100; i++, off += 3)
		memcpy(big + off, "$((", 3);
	memset(big + off, 'a', n - off);
	CHECK(strstr(perr(big, n), "unterminated") != NULL);
	/* input and node caps */
	struct shell_limits tiny = { 16, 4, 10 };
	err_init(&E);
	CHECK(shell_parse(A, "echo aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 35, &tiny, &root, &E) < 0);
	CHECK(strstr(E.msg, "too long") != NULL);
	tiny.max_input = 0;
	CHECK(shell_parse(A, "a;a;a;a;a;a;a;a;a;a;a", 21, &tiny, &root, &E) < 0);
	CHECK(strstr(E.msg, "too many words and commands") != NULL);
	CHECK(shell_parse(A, "( ( ( ( ( a ) ) ) ) )", 21, &tiny, &root, &E) < 0);
	CHECK(strstr(E.msg, "nesting too deep") != NULL);
	free(big);
}

TEST(nul_bytes_and_odd_input)
{
	struct shell_node *root;
	err_init(&E);
	CHECK(shell_parse(A, "echo a\0b", 8, NULL, &root, &E) == 0);
	CHECK(root && root->kids[0]->words[1].lit_n == 3);
	CHECK(shell_parse(A, NULL, 0, NULL, &root, &E) == 0);
	CHECK(root && root->kind == SHELL_SEQ && root->nkids == 0);
	CHECK_CMDS("echo \\", "<echo> <\\>\n");
	CHECK_CMDS("echo \xff\xfe", "<echo> <\xff\xfe>\n");
	CHECK_CMDS("a\r\n", "<a\r>\n");
	/* found by fuzzing: an empty backquote before any word was built */
	CHECK_CMDS("``", "<``>\n");
	CHECK_CMDS("[[ -x a ]] | $", "<$>\n");
}

TEST(dump_is_readable)
{
	struct shell_node *root = parse("A=1 curl -s \"$u\" | sh 2>/dev/null && echo $(id) || f");
	struct buf b;
	buf_init(&b, 0);
	shell_dump(root, &b);
	const char *want = "list\n"
			   "  and-or\n"
			   "    pipeline\n"
			   "      command\n"
			   "        assign \"A=1\"\n"
			   "        word \"curl\"\n"
			   "        word \"-s\"\n"
			   "        word \"$u\" [quoted,param]\n"
			   "      | command\n"
			   "        word \"sh\"\n"
			   "        redirect 2> \"/dev/null\"\n"
			   "    && command\n"
			   "      word \"echo\"\n"
			   "      word \"$(id)\" [cmdsubst]\n"
			   "        substitution list\n"
			   "          command\n"
			   "            word \"id\"\n"
			   "    || command\n"
			   "      word \"f\"\n";
	CHECK_STREQ(b.p, want);
	buf_reset(&b);
	shell_dump(parse("cat <<'E'\nx\nE\nif a; then b; else c; fi"), &b);
	CHECK(b.p && strstr(b.p, "redirect << \"E\" [quoted] body (literal) \"x\\n\""));
	CHECK(b.p && strstr(b.p, "  if\n    cond list\n"));
	CHECK(b.p && strstr(b.p, "    else list\n"));
	buf_reset(&b);
	shell_dump(parse("f() { while a; do case $x in y|z) w;; *) ;; esac; done; }; for i in 1; do :; done; exec {fd}>x"), &b);
	CHECK(b.p && strstr(b.p, "  function \"f\"\n    group\n"));
	CHECK(b.p && strstr(b.p, "        while\n          cond list\n"));
	CHECK(b.p && strstr(b.p, "          do list\n            case\n              subject \"$x\" [param]\n              arm\n                pattern \"y\"\n                pattern \"z\"\n"));
	CHECK(b.p && strstr(b.p, "  for \"i\"\n    word \"1\"\n"));
	CHECK(b.p && strstr(b.p, "redirect {fd}> \"x\"\n"));
	buf_release(&b);
}

TEST(dump_json)
{
	struct buf b;
	buf_init(&b, 0);
	shell_dump_json(parse("A=1 curl -s \"$u\" | sh 2>/dev/null && echo $(id) || f"), &b);
	json_error_t je;
	json_t *j = json_loadb(b.p, b.n, JSON_ALLOW_NUL, &je);
	CHECK(j != NULL);
	if (!j)
		fprintf(stderr, "bad JSON (%s): %s\n", je.text, b.p);
	json_t *ao = json_array_get(json_object_get(j, "kids"), 0);
	CHECK_STREQ(json_string_value(json_object_get(ao, "kind")), "and-or");
	CHECK_INTEQ(json_array_size(json_object_get(ao, "items")), 3);
	CHECK_STREQ(json_string_value(json_array_get(json_object_get(ao, "ops"), 1)), "||");
	json_t *pl = json_array_get(json_object_get(ao, "items"), 0);
	CHECK_STREQ(json_string_value(json_object_get(pl, "kind")), "pipeline");
	json_t *curl = json_array_get(json_object_get(pl, "kids"), 0);
	CHECK_STREQ(json_string_value(json_object_get(json_array_get(json_object_get(curl, "assignments"), 0), "value")), "A=1");
	json_t *u = json_array_get(json_object_get(curl, "words"), 2);
	CHECK_STREQ(json_string_value(json_object_get(u, "raw")), "\"$u\"");
	CHECK_STREQ(json_string_value(json_array_get(json_object_get(u, "flags"), 1)), "param");
	json_t *sh = json_array_get(json_object_get(pl, "kids"), 1);
	CHECK_STREQ(json_string_value(json_object_get(json_array_get(json_object_get(sh, "redirections"), 0), "op")), ">");
	CHECK_INTEQ(json_integer_value(json_object_get(json_array_get(json_object_get(sh, "redirections"), 0), "fd")), 2);
	json_decref(j);
	/* every construct gives valid JSON */
	static const char *const srcs[] = {
		"case $x in a|b) c;; *) ;; esac", "cat <<E <<'F'\n$(a)\nE\nb\nF\n", "f() { g; } > x", "if a; then b; elif c; then d; else e; fi",
		"for i in 1 2; do :; done", "for ((i=0;i<2;i++)); do :; done", "[[ -f x ]] && (( y ))", "coproc c { a; }", "time ! a |& b &",
		"exec {fd}>x 3<&-", "a=(1 \"2\" $(b))", "echo $'\\0\\x01'", "", "x && y && z || w",
	};
	for (size_t i = 0; i < ARRAY_SIZE(srcs); i++) {
		buf_reset(&b);
		shell_dump_json(parse(srcs[i]), &b);
		j = json_loadb(b.p, b.n, JSON_ALLOW_NUL, &je);
		if (!j) {
			fprintf(stderr, "bad JSON for <%s> (%s): %s\n", srcs[i], je.text, b.p);
			h_failed_checks++;
		}
		json_decref(j);
	}
	buf_release(&b);
}

TEST(source_spans)
{
	struct shell_node *r = parse("  echo hi | cat  ; ls");
	CHECK(r && r->nkids == 2);
	if (r && r->nkids == 2) {
		CHECK(str_eqz(r->kids[0]->src, "echo hi | cat"));
		CHECK(str_eqz(r->kids[0]->kids[0]->src, "echo hi"));
		CHECK(str_eqz(r->kids[0]->kids[0]->words[1].raw, "hi"));
		CHECK(str_eqz(r->kids[1]->src, "ls"));
	}
}

static void setup(void) __attribute__((constructor));
static void setup(void)
{
	A = arena_new();
	buf_init(&OUT, 0);
}

TEST_MAIN(simple_and_lists, quoting, expansions_keep_source_text, substitutions, pipelines_and_context,
	  walk_context, walk_reaches_every_position, walk_stops, compound_commands, case_statements, functions, assignments, redirections,
	  heredocs, rare_paths, keywords_only_in_command_position, syntax_errors_have_positions, limits,
	  nul_bytes_and_odd_input, dump_is_readable, dump_json, source_spans)
