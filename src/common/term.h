/*
 * term.h: colour and terminal detection. Colour is used only when the stream
 * is a terminal, NO_COLOR is unset and TERM is not "dumb", unless --color
 * says otherwise.
 */
#ifndef BW_TERM_H
#define BW_TERM_H

#include <stdbool.h>
#include <stdio.h>

enum color_mode { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };

/* Parses "auto", "always", "never"; returns -1 for anything else. */
int term_parse_color(const char *s, enum color_mode *out);
void term_set_color(enum color_mode m);
/* Whether to colour output written to f. */
bool term_color(FILE *f);
/* Whether f is a terminal (for progress output). */
bool term_isatty(FILE *f);

/* Escape sequences, or "" when colour is off for f. */
const char *term_bold(FILE *f);
const char *term_red(FILE *f);
const char *term_yellow(FILE *f);
const char *term_green(FILE *f);
const char *term_dim(FILE *f);
const char *term_reset(FILE *f);

#endif
