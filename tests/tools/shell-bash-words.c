/*
 * shell-bash-words.c: bash itself as the oracle for quote removal.
 *
 *   shell-bash-words script CORPUS      a bash script that prints, for every
 *                                       eligible line N, the words bash sees
 *   shell-bash-words compare CORPUS     reads that script's output on stdin and
 *                                       compares with our parser's word values
 *
 * A line is eligible when our parser reads it as one simple command whose
 * words bash would not expand any further: no parameter, command, arithmetic
 * or process substitution, no glob, brace or tilde expansion, no NUL byte
 * (bash cannot pass one in an argument), no redirection (it would create
 * files), and no trailing backslash. For those, "set -- LINE" makes bash do
 * exactly its quote removal and nothing else, and "$@" is the truth our
 * word values (shell_word.lit) must equal byte for byte.
 *
 * Script output: per line, "\036N" then "\037word" per word, then "\n".
 * Compare output: "agree N", "disagree N" with "#" detail lines, "missing N"
 * (bash printed nothing: it rejected the line), and a "summary" line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "common/buf.h"
#include "common/err.h"
#include "shell/shell.h"
#include "read_lines.h"

#define UNSAFE (WORD_DYNAMIC | WORD_GLOB | WORD_BRACE | WORD_TILDE)

/* The simple command when line is eligible, else NULL. */
static const struct shell_node *eligible(struct arena *a, const char *line, size_t n)
{
	struct shell_node *root;
	struct err e;
	if (n == 0 || line[n - 1] == '\\' || memchr(line, '\036', n) || memchr(line, '\037', n))
		return NULL;
	if (shell_parse(a, line, n, NULL, &root, &e) < 0 || root->nkids != 1 || root->kids[0]->kind != SHELL_SIMPLE)
		return NULL;
	const struct shell_node *c = root->kids[0];
	if (c->nredirs || c->nwords + c->nassigns == 0)
		return NULL;
	for (size_t i = 0; i < c->nassigns; i++)
		if ((c->assigns[i].flags & UNSAFE) || strlen(c->assigns[i].lit) != c->assigns[i].lit_n ||
		    strchr(c->assigns[i].lit, '('))
			return NULL; /* "set -- a=(x)" is a syntax error, not an array */
	for (size_t i = 0; i < c->nwords; i++)
		if ((c->words[i].flags & UNSAFE) || strlen(c->words[i].lit) != c->words[i].lit_n)
			return NULL;
	return c;
}

static void free_lines(char **lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

static int script(const char *path)
{
	size_t n;
	char **lines = read_lines(path, &n);
	struct arena *a = arena_new();
	for (size_t i = 0; i < n; i++) {
		arena_reset(a);
		if (!eligible(a, lines[i], strlen(lines[i])))
			continue;
		printf("printf '\\036%zu'; set -- %s\nprintf '\\037%%s' \"$@\"; printf '\\n'\n", i + 1, lines[i]);
	}
	arena_free(a);
	free_lines(lines, n);
	return 0;
}

/* Our words for line as bash prints them: "\037w1\037w2". */
static void ours(const struct shell_node *c, struct buf *b)
{
	for (size_t i = 0; i < c->nassigns; i++) {
		buf_addc(b, '\037');
		buf_add(b, c->assigns[i].lit, c->assigns[i].lit_n);
	}
	for (size_t i = 0; i < c->nwords; i++) {
		buf_addc(b, '\037');
		buf_add(b, c->words[i].lit, c->words[i].lit_n);
	}
}

static void show(const char *label, const char *s, size_t n)
{
	printf("# %s", label);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == 037)
			fputs(" | ", stdout);
		else if (c < 0x20 || c == 0x7f)
			printf("\\x%02x", c);
		else
			putchar(c);
	}
	putchar('\n');
}

static int compare(const char *path)
{
	size_t n;
	char **lines = read_lines(path, &n);
	/* bash's output, indexed by line number */
	struct buf in;
	buf_init(&in, 0);
	char chunk[65536];
	size_t k;
	while ((k = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
		buf_add(&in, chunk, k);
	const char **got = xcalloc(n + 1, sizeof(*got));
	size_t *got_n = xcalloc(n + 1, sizeof(*got_n));
	for (char *p = in.p, *end = in.p + in.n; p && p < end;) {
		char *rec = memchr(p, '\036', (size_t)(end - p));
		if (!rec)
			break;
		char *next = memchr(rec + 1, '\036', (size_t)(end - rec - 1));
		char *stop = next ? next : end;
		unsigned long num = strtoul(rec + 1, NULL, 10);
		char *words = memchr(rec, '\037', (size_t)(stop - rec));
		size_t wn = 0;
		if (words) {
			wn = (size_t)(stop - words);
			if (wn && words[wn - 1] == '\n')
				wn--; /* the record's own newline */
		}
		if (num >= 1 && num <= n) {
			got[num] = words ? words : "";
			got_n[num] = wn;
		}
		p = stop;
	}
	struct arena *a = arena_new();
	struct buf want;
	buf_init(&want, 0);
	size_t agree = 0, disagree = 0, missing = 0, eligible_n = 0;
	for (size_t i = 0; i < n; i++) {
		arena_reset(a);
		const struct shell_node *c = eligible(a, lines[i], strlen(lines[i]));
		if (!c)
			continue;
		eligible_n++;
		if (!got[i + 1]) {
			printf("missing %zu\n", i + 1);
			missing++;
			continue;
		}
		buf_reset(&want);
		ours(c, &want);
		if (want.n == got_n[i + 1] && (want.n == 0 || memcmp(want.p, got[i + 1], want.n) == 0)) {
			printf("agree %zu\n", i + 1);
			agree++;
		} else {
			printf("disagree %zu\n# %s\n", i + 1, lines[i]);
			show("ours: ", want.p, want.n);
			show("bash: ", got[i + 1], got_n[i + 1]);
			disagree++;
		}
	}
	printf("summary eligible=%zu agree=%zu disagree=%zu missing=%zu\n", eligible_n, agree, disagree, missing);
	buf_release(&want);
	buf_release(&in);
	arena_free(a);
	free(got);
	free(got_n);
	free_lines(lines, n);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "script") == 0)
		return script(argv[2]);
	if (argc == 3 && strcmp(argv[1], "compare") == 0)
		return compare(argv[2]);
	fprintf(stderr, "usage: shell-bash-words script CORPUS | compare CORPUS < bash-output\n");
	return 2;
}
