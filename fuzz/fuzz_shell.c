/*
 * fuzz_shell.c: libFuzzer target for the shell parser. Parses the input with
 * small limits (so deep or huge inputs hit the caps quickly) and with the
 * defaults, then walks and dumps (text and JSON) whatever parsed, checking
 * the invariants a consumer relies on: every visited command is a
 * SHELL_SIMPLE, word values are NUL-terminated at lit_n, and an error always
 * comes with a message and no tree.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "common/buf.h"
#include "shell/shell.h"

static int visit(const struct shell_visit *v, void *ctx)
{
	size_t *count = ctx;
	if (v->cmd->kind != SHELL_SIMPLE)
		abort();
	for (size_t i = 0; i < v->cmd->nwords; i++)
		if (v->cmd->words[i].lit[v->cmd->words[i].lit_n] != '\0')
			abort();
	++*count;
	return 0;
}

static void run(const uint8_t *data, size_t size, const struct shell_limits *lim)
{
	struct arena *a = arena_new();
	struct shell_node *root = NULL;
	struct err e;
	err_init(&e);
	if (shell_parse(a, (const char *)data, size, lim, &root, &e) == 0) {
		size_t count = 0;
		shell_walk(root, visit, &count);
		struct buf b;
		buf_init(&b, 0);
		shell_dump(root, &b);
		buf_reset(&b);
		shell_dump_json(root, &b);
		buf_release(&b);
	} else if (e.msg[0] == '\0' || root != NULL) {
		abort();
	}
	arena_free(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct shell_limits small = { 1 << 16, 24, 2000 };
	run(data, size, &small);
	if (size < 4096)
		run(data, size, NULL);
	return 0;
}
