/*
 * lock.h: the repository's exclusive writer lock, the object "locks/writer":
 * JSON naming the holder (hostname, pid, process start time, time, purpose).
 * It is created with an exclusive put, so of two writers exactly one wins.
 *
 * A lock is stale when its holder is gone: on this host, when the pid is not
 * running or is a different process (its start time differs: pid reuse); from
 * another host, when it is older than LOCK_STALE_SECONDS (we cannot see that
 * host's processes). A stale lock is taken over with a warning.
 */
#ifndef BW_BACKUP_LOCK_H
#define BW_BACKUP_LOCK_H

#include <jansson.h>
#include <stdbool.h>

#include "common/err.h"
#include "storage/storage.h"

#define LOCK_KEY "locks/writer"
#define LOCK_STALE_SECONDS (24 * 3600)
/* How often a holder rewrites its lock's time, so that a long run is never judged stale from another host. */
#define LOCK_REFRESH_SECONDS 3600

/* Takes the lock for purpose; a live holder fails with a message naming it and how to remove the lock. */
int lock_acquire(struct storage *st, const char *repo_name, const char *purpose, struct err *e);
/* Rewrites our lock with the current time (when it is still ours). */
int lock_refresh(struct storage *st, const char *purpose, struct err *e);
/* Removes our lock. */
int lock_release(struct storage *st, struct err *e);

enum lock_state { LOCK_NONE, LOCK_LIVE, LOCK_STALE, LOCK_MINE };
/*
 * Reads the current lock: its state and, unless NONE, a one-line description
 * of the holder in desc. -1 when the storage cannot be read.
 */
int lock_inspect(struct storage *st, enum lock_state *state, char *desc, size_t descn, struct err *e);
/* Removes the lock whoever holds it (blastwall repo unlock). */
int lock_remove(struct storage *st, struct err *e);

#endif
