/*
 * lock.c: see lock.h. Taking over a stale lock renames it aside first, and
 * only deletes what was renamed when it is byte-identical to the stale lock we
 * judged: if another process took the lock over between our read and our
 * rename, we put its live lock back and report contention instead of
 * deleting it.
 */
#include "backup/lock.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/buf.h"

/* Field 22 of /proc/PID/stat: start time in clock ticks since boot; 0 when unknown. */
static unsigned long long proc_start_time(long pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	char line[1024];
	size_t n = fread(line, 1, sizeof(line) - 1, f);
	fclose(f);
	line[n] = '\0';
	char *p = strrchr(line, ')'); /* the command name may contain spaces */
	if (!p)
		return 0;
	p++;
	for (int field = 3; field < 22 && p; field++) {
		p = strchr(p + 1, ' ');
	}
	if (!p)
		return 0;
	return strtoull(p + 1, NULL, 10);
}

static void host_name(char *out, size_t n)
{
	if (gethostname(out, n) < 0 || !out[0])
		snprintf(out, n, "unknown");
	out[n - 1] = '\0';
}

static char *lock_body(const char *purpose)
{
	char host[256];
	host_name(host, sizeof(host));
	long pid = (long)getpid();
	json_t *j = json_pack("{s:s, s:I, s:I, s:I, s:s, s:s}", "hostname", host, "pid", (json_int_t)pid, "start",
			      (json_int_t)proc_start_time(pid), "time", (json_int_t)time(NULL), "purpose", purpose,
			      "tool", bw_version);
	if (!j)
		bw_oom();
	char *s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (!s)
		bw_oom();
	return s;
}

/* Classifies a lock body. */
static enum lock_state classify(const char *body, size_t n, char *desc, size_t descn)
{
	json_error_t je;
	json_t *j = json_loadb(body, n, 0, &je);
	const char *host = NULL, *purpose = NULL;
	json_int_t pid = 0, start = 0, t = 0;
	if (!j || json_unpack(j, "{s:s, s:I, s:I, s:I, s:s}", "hostname", &host, "pid", &pid, "start", &start,
			      "time", &t, "purpose", &purpose) != 0) {
		/* unreadable: treat as stale (a crash mid-write cannot leave one, but a person might) */
		snprintf(desc, descn, "an unreadable lock");
		json_decref(j);
		return LOCK_STALE;
	}
	char me[256];
	host_name(me, sizeof(me));
	time_t now = time(NULL);
	char when[64];
	utc_text(when, t, "%Y-%m-%d %H:%M:%S UTC");
	snprintf(desc, descn, "%s (pid %lld on %s, since %s)", purpose, (long long)pid, host, when);
	enum lock_state st;
	if (strcmp(host, me) == 0) {
		if (pid == (json_int_t)getpid() && (unsigned long long)start == proc_start_time((long)getpid()))
			st = LOCK_MINE;
		else if (pid <= 0 || (kill((pid_t)pid, 0) < 0 && errno == ESRCH))
			st = LOCK_STALE;
		else if (start != 0 && proc_start_time((long)pid) != 0 &&
			 proc_start_time((long)pid) != (unsigned long long)start)
			st = LOCK_STALE; /* the pid now belongs to another process */
		else
			st = LOCK_LIVE;
	} else
		st = (int64_t)now - (int64_t)t > LOCK_STALE_SECONDS ? LOCK_STALE : LOCK_LIVE;
	json_decref(j);
	return st;
}

int lock_inspect(struct storage *stg, enum lock_state *state, char *desc, size_t descn, struct err *e)
{
	struct buf b;
	buf_init(&b, 1 << 16);
	int r = storage_get(stg, LOCK_KEY, &b, 1 << 16, e);
	if (r == STORAGE_NOT_FOUND) {
		*state = LOCK_NONE;
		desc[0] = '\0';
		buf_release(&b);
		return 0;
	}
	if (r < 0) {
		buf_release(&b);
		return -1;
	}
	*state = classify(b.p, b.n, desc, descn);
	buf_release(&b);
	return 0;
}

int lock_acquire(struct storage *stg, const char *repo_name, const char *purpose, struct err *e)
{
	char *body = lock_body(purpose);
	int rc = -1;
	for (int attempt = 0; attempt < 5; attempt++) {
		int r = storage_put(stg, LOCK_KEY, body, strlen(body), STORAGE_EXCLUSIVE, e);
		if (r == 0) {
			rc = 0;
			break;
		}
		if (r != STORAGE_EXISTS)
			break;
		struct buf cur;
		buf_init(&cur, 1 << 16);
		r = storage_get(stg, LOCK_KEY, &cur, 1 << 16, e);
		if (r == STORAGE_NOT_FOUND) {
			buf_release(&cur);
			continue; /* released meanwhile */
		}
		if (r < 0) {
			buf_release(&cur);
			break;
		}
		char desc[512];
		enum lock_state st = classify(cur.p, cur.n, desc, sizeof(desc));
		if (st == LOCK_LIVE || st == LOCK_MINE) {
			buf_release(&cur);
			err_set(e, "repository '%s' is locked by %s", repo_name, desc);
			if (st == LOCK_MINE)
				err_hint(e, "this process already holds the lock (a bug: please report it)");
			else
				err_hint(e, "wait for it to finish; if that process is gone (another host, a reboot), "
					    "remove the lock with 'blastwall repo unlock --force --repo %s'",
					 repo_name);
			break;
		}
		/* stale: move it aside, and delete it only if it is still the lock we judged */
		char aside[128];
		snprintf(aside, sizeof(aside), "locks/stale-%ld-%d", (long)getpid(), attempt);
		r = storage_rename(stg, LOCK_KEY, aside, true, e);
		if (r == STORAGE_NOT_FOUND) {
			buf_release(&cur);
			continue;
		}
		if (r < 0) {
			buf_release(&cur);
			break;
		}
		struct buf moved;
		buf_init(&moved, 1 << 16);
		r = storage_get(stg, aside, &moved, 1 << 16, e);
		bool same = r == 0 && moved.n == cur.n && memcmp(moved.p, cur.p, cur.n) == 0;
		buf_release(&moved);
		if (!same) {
			/* we moved someone's fresh lock: give it back */
			storage_rename(stg, aside, LOCK_KEY, false, e);
			buf_release(&cur);
			continue;
		}
		storage_delete(stg, aside, e);
		bw_warn("took over a stale lock on '%s' held by %s", repo_name, desc);
		buf_release(&cur);
	}
	if (rc < 0 && !e->msg[0])
		err_set(e, "cannot lock repository '%s'", repo_name);
	free(body);
	return rc;
}

int lock_refresh(struct storage *stg, const char *purpose, struct err *e)
{
	enum lock_state st;
	char desc[512];
	if (lock_inspect(stg, &st, desc, sizeof(desc), e) < 0)
		return -1;
	if (st != LOCK_MINE)
		return 0; /* removed by hand (repo unlock --force): do not resurrect it */
	char *body = lock_body(purpose);
	int r = storage_put(stg, LOCK_KEY, body, strlen(body), 0, e);
	free(body);
	return r;
}

int lock_release(struct storage *stg, struct err *e)
{
	enum lock_state st;
	char desc[512];
	if (lock_inspect(stg, &st, desc, sizeof(desc), e) < 0)
		return -1;
	if (st != LOCK_MINE)
		return 0; /* someone removed ours (repo unlock --force): leave theirs alone */
	int r = storage_delete(stg, LOCK_KEY, e);
	if (r == 0)
		r = storage_flush(stg, e);
	return r;
}

int lock_remove(struct storage *stg, struct err *e)
{
	int r = storage_delete(stg, LOCK_KEY, e);
	if (r == 0)
		r = storage_flush(stg, e);
	return r;
}
