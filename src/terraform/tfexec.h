/*
 * tfexec.h: running terraform / tofu for the few things only they can do
 * (`show -json PLANFILE` for a binary plan, `state pull` for remote state),
 * always with a time budget and an output cap, never through a shell. The
 * child's stdin is /dev/null; on timeout it is killed (its process group).
 */
#ifndef BW_TFEXEC_H
#define BW_TFEXEC_H

#include <stdbool.h>
#include <stddef.h>

#include "common/arena.h"
#include "common/buf.h"
#include "common/err.h"

/*
 * Finds the binary to run: explicit (a path or a name; returned as is when it
 * exists on PATH or as a file), else by preference ("tofu" first when
 * prefer_tofu), else whichever of terraform / tofu is on PATH. NULL when none.
 */
const char *tfexec_find(struct arena *a, const char *explicit_bin, bool prefer_tofu);

/*
 * Runs argv (argv[0] = binary, NULL-terminated) in dir (NULL: cwd), capturing
 * stdout into out (at most max_out bytes) and the first 4 KiB of stderr into
 * errout (may be NULL). Kills the child after timeout_ms. Returns the exit
 * status (0..255), or -1 with e set when it could not run, timed out, was
 * killed or wrote too much.
 */
int tfexec_run(const char *const *argv, const char *dir, int timeout_ms, size_t max_out, struct buf *out,
	       struct buf *errout, struct err *e);

#endif
