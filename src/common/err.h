/*
 * err.h: error reporting by return code. Functions that can fail take a
 * caller-supplied struct err, fill it and return a negative value; the caller
 * decides whether to print it. Messages follow git's style: lowercase, the
 * object quoted, no trailing period:
 *     blastwall: cannot open 'x.tfstate': No such file or directory
 *     hint: run 'blastwall state accept' if you replaced it on purpose
 */
#ifndef BW_ERR_H
#define BW_ERR_H

#include "common/util.h"

struct err {
	char msg[1024];
	char hint[1024];
	int code; /* optional: a process exit code the command should use, 0 = default */
};

/* Clears e. */
void err_init(struct err *e);
/* Sets the message (formatted) and returns -1. Clears any hint. */
int err_set(struct err *e, const char *fmt, ...) BW_PRINTF(2, 3);
/* Like err_set, appending ": strerror(errno)". */
int err_errno(struct err *e, const char *fmt, ...) BW_PRINTF(2, 3);
/* Sets the hint line; returns -1 so it can end a failing path. */
int err_hint(struct err *e, const char *fmt, ...) BW_PRINTF(2, 3);
/* Prefixes the message: "ctx: old message". Returns -1. */
int err_wrap(struct err *e, const char *fmt, ...) BW_PRINTF(2, 3);
/* Prints "blastwall: msg" and "hint: ..." to stderr. */
void err_print(const struct err *e);
/* Prints a formatted error line (and no hint) to stderr. */
void bw_error(const char *fmt, ...) BW_PRINTF(1, 2);
/* Prints "blastwall: warning: ..." to stderr. */
void bw_warn(const char *fmt, ...) BW_PRINTF(1, 2);

#endif
