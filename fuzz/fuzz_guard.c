/*
 * fuzz_guard.c: libFuzzer target for the guard: guard_decide on hostile
 * command text (through the unwrapper, the SQL tokenizer, the inline-code
 * scanner and every rule), in a fixed working directory with no config.
 * Invariants: no crash; a decision is allow, ask or deny; anything but allow
 * has a reason; a parse failure is never allowed; every match names a rule.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "guard/guard.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 64 * 1024)
		return 0;
	char *cmd = malloc(size + 1);
	if (!cmd)
		return 0;
	memcpy(cmd, data, size);
	cmd[size] = '\0';
	struct arena *a = arena_new();
	struct guard_request req = { .command = cmd, .cwd = "/nonexistent/fuzz/project", .agent = "fuzz" };
	struct guard_result res;
	struct err e;
	err_init(&e);
	if (guard_decide(a, &req, NULL, &res, &e) == 0) {
		if (res.decision != DECISION_ALLOW && res.decision != DECISION_ASK && res.decision != DECISION_DENY)
			abort();
		if (res.decision != DECISION_ALLOW && !res.reason)
			abort();
		if (res.parse_error && res.decision == DECISION_ALLOW)
			abort();
		for (size_t i = 0; i < res.nmatches; i++)
			if (!res.matches[i].rule || !res.matches[i].message || !res.matches[i].command)
				abort();
	}
	arena_free(a);
	free(cmd);
	return 0;
}
