/*
 * fs.h: files and paths. Writes that must not be seen half-done go through
 * fs_write_atomic (temp file in the same directory, fsync, rename, fsync of
 * the directory). Paths returned by the *_dir and path_* helpers are
 * allocated from the caller's arena.
 */
#ifndef BW_FS_H
#define BW_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/arena.h"
#include "common/buf.h"
#include "common/err.h"

/* Reads the whole file into b (appending); fails if it is larger than max bytes. */
int fs_read_all(const char *path, size_t max, struct buf *b, struct err *e);
/* Reads all of fd (until EOF) into b; fails past max bytes. */
int fs_read_fd(int fd, size_t max, struct buf *b, struct err *e);
/* Creates or replaces path atomically with the given bytes and mode. */
int fs_write_atomic(const char *path, const void *data, size_t n, mode_t mode, struct err *e);
/* fsyncs a directory so that a rename in it is durable. */
int fs_fsync_dir(const char *dir, struct err *e);
/* mkdir -p; existing directories are fine. */
int fs_mkdir_p(const char *path, mode_t mode, struct err *e);
bool fs_exists(const char *path);
bool fs_is_dir(const char *path);

/* $HOME, or the passwd entry's home, or "/". */
const char *fs_home(void);
/* $BLASTWALL_STATE_DIR, else $XDG_STATE_HOME/blastwall, else ~/.local/state/blastwall. Not created. */
char *fs_state_dir(struct arena *a);
/* $BLASTWALL_CONFIG_DIR, else $XDG_CONFIG_HOME/blastwall, else ~/.config/blastwall. Not created. */
char *fs_config_dir(struct arena *a);

/* a + "/" + b, without doubling slashes; b absolute wins. */
char *path_join(struct arena *a, const char *dir, const char *name);
/* Lexically normalises p against cwd: absolute, no ".", "..", or "//". "~" is not expanded here. */
char *path_normalize(struct arena *a, const char *cwd, const char *p);
/* The directory part ("." when none). */
char *path_dirname(struct arena *a, const char *p);
/* The last component. */
const char *path_basename(const char *p);
/* True when p equals dir or lies below it (both normalised, absolute). */
bool path_within(const char *p, const char *dir);

#endif
