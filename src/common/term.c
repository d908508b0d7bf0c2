/* term.c: colour decisions. */
#include "common/term.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static enum color_mode mode = COLOR_AUTO;

int term_parse_color(const char *s, enum color_mode *out)
{
	if (!strcmp(s, "auto"))
		*out = COLOR_AUTO;
	else if (!strcmp(s, "always"))
		*out = COLOR_ALWAYS;
	else if (!strcmp(s, "never"))
		*out = COLOR_NEVER;
	else
		return -1;
	return 0;
}

void term_set_color(enum color_mode m)
{
	mode = m;
}

bool term_isatty(FILE *f)
{
	return isatty(fileno(f)) == 1;
}

bool term_color(FILE *f)
{
	if (mode == COLOR_ALWAYS)
		return true;
	if (mode == COLOR_NEVER)
		return false;
	const char *nc = getenv("NO_COLOR");
	if (nc && *nc)
		return false;
	const char *t = getenv("TERM");
	if (!t || !strcmp(t, "dumb"))
		return false;
	return term_isatty(f);
}

#define SEQ(name, code) \
	const char *name(FILE *f) { return term_color(f) ? code : ""; }
SEQ(term_bold, "\033[1m")
SEQ(term_red, "\033[31m")
SEQ(term_yellow, "\033[33m")
SEQ(term_green, "\033[32m")
SEQ(term_dim, "\033[2m")
SEQ(term_reset, "\033[0m")
