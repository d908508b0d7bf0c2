/*
 * fuzz_config.c: libFuzzer target for the configuration loader (libyaml plus
 * our schema walk). Checks what the guard relies on: a broken file always
 * has a "NAME:LINE: ..." message and contributes no rules or allow entries;
 * a good one yields decisions that are valid enum values.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "guard/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new();
	struct bw_config c;
	config_load_text(a, "f.yaml", (const char *)data, size, &c);
	if (c.broken) {
		if (!c.broken_msg || strncmp(c.broken_msg, "f.yaml:", 7) != 0)
			abort();
		if (c.noverrides || c.nallow_exact || c.nallow_patterns)
			abort();
	} else {
		for (size_t i = 0; i < c.noverrides; i++)
			if (c.overrides[i].decision > DECISION_DENY || !c.overrides[i].rule)
				abort();
		(void)config_rule_decision(&c, "terraform.destroy", true);
		(void)config_allows(&c, "rm -rf /");
	}
	arena_free(a);
	return 0;
}
