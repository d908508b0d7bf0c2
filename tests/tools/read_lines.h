/*
 * read_lines.h: the corpus reader the shell tools share (a header of one
 * static function: each tool is a single .c file built on its own).
 * Every line of path, newline dropped; exits 1 when path cannot be read.
 */
#ifndef BW_TOOLS_READ_LINES_H
#define BW_TOOLS_READ_LINES_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>

#include "common/util.h"

static char **read_lines(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		exit(1);
	}
	size_t cap = 1024, k = 0;
	char **lines = xmalloc(cap * sizeof(*lines));
	char *line = NULL;
	size_t lcap = 0;
	ssize_t len;
	while ((len = getline(&line, &lcap, f)) >= 0) {
		if (len && line[len - 1] == '\n')
			line[--len] = '\0';
		if (k == cap)
			lines = xrealloc(lines, (cap *= 2) * sizeof(*lines));
		lines[k++] = xstrdup(line);
	}
	free(line);
	fclose(f);
	*n = k;
	return lines;
}

#endif
