/*
 * proc.h: running helper programs (pg_dump, initdb, pg_ctl) and collecting
 * their output without a shell: argv is passed as is, stdout goes to a sink
 * callback (streamed, so a big dump never sits in memory), stderr is kept
 * (bounded) for the error message. When as_user is set the child switches to
 * that uid/gid first (PostgreSQL's server programs refuse to run as root).
 */
#ifndef BW_PROC_H
#define BW_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/buf.h"
#include "common/err.h"

struct proc_opts {
	const char *const *argv;   /* argv[0] is the program (PATH is searched) */
	const char *const *env;    /* "NAME=value" entries added to the environment, NULL-terminated; may be NULL */
	bool as_user;              /* switch to uid/gid in the child */
	uid_t uid;
	gid_t gid;
	/* stdout: to sink when set, else appended to out (when set), else discarded */
	int (*sink)(void *ctx, const void *p, size_t n, struct err *e);
	void *ctx;
	struct buf *out;
	struct buf *errout;        /* stderr, the last 64 KiB; NULL: discarded */
};

/*
 * Runs the program to completion. Returns 0 when it ran and exited 0; -1
 * with e naming the program and quoting the end of its stderr otherwise
 * (also when the sink failed: the child is killed then).
 */
int proc_run(const struct proc_opts *o, struct err *e);

/* The uid/gid of the "postgres" account; -1 when there is none. */
int proc_postgres_user(uid_t *uid, gid_t *gid);

#endif
