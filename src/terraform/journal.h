/*
 * journal.h: the Terraform state journal. For each state, identified by
 * working directory + backend key + workspace, it pins what was last seen
 * (lineage, serial, managed resource count, digest of the bytes, file
 * metadata, when) and records every pin, accept and detection as an event.
 *
 * The judgement (tfj_judge) is a pure function of the pin and the current
 * observation, so it is tested without a database. Storage uses the shared
 * state DB (common/statedb.h); the tables belong to this module:
 *   tf_pins(dir, backend, workspace PRIMARY KEY, present, lineage, serial,
 *           resources, digest, size, mtime_ns, ctime_ns, ino, pinned_at, seen_at)
 *   tf_events(id, dir, backend, workspace, at, event, old_*, new_*, detail)
 *   tf_blast_cache(dir, backend, workspace, file identity, policy, counts, summary)
 * Strings returned by the readers are allocated from the caller's arena.
 */
#ifndef BW_TF_JOURNAL_H
#define BW_TF_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "common/arena.h"
#include "common/err.h"

struct sqlite3;

/* One observation of a state, or the pinned one. */
struct tfj_snap {
	bool present;             /* a state with content was there (an empty file counts as none) */
	const char *lineage;      /* NULL when unknown */
	long long serial;         /* -1 when unknown */
	long long resources;      /* managed instances; -1 when unknown (encrypted state) */
	const char *digest;       /* the state reader's digest (hex) of the bytes, NULL when unknown */
	long long size, mtime_ns, ctime_ns, ino; /* local files only; 0 when unknown */
};

struct tfj_pin {
	bool exists;              /* something is pinned for this key */
	struct tfj_snap s;
	long long pinned_at;      /* unix seconds */
	long long seen_at;        /* last time the guard saw it unchanged */
};

enum tfj_kind {
	TFJ_NONE = 0,     /* nothing pinned and no state: nothing to say */
	TFJ_FIRST_SIGHT,  /* nothing pinned yet: pin what is there */
	TFJ_SAME,         /* the pinned state, unchanged */
	TFJ_FORWARD,      /* same lineage, higher serial: Terraform moved it forward */
	TFJ_REWRITTEN,    /* same lineage, serial and count, other bytes: re-pin quietly */
	TFJ_APPEARED,     /* "no state" was pinned (accepted) and now there is one */
	TFJ_STILL_EMPTY,  /* the pinned state was empty or absent and is absent now */
	TFJ_SWAPPED,      /* lineage changed: another state was put in its place */
	TFJ_SERIAL_DOWN,  /* same lineage, lower serial: an older copy was restored */
	TFJ_EDITED,       /* same lineage and serial, other resource count: changed by hand */
	TFJ_MISSING,      /* a state with resources was pinned and now there is none */
};

/* "none", "first-sight", "same", "forward", "rewritten", "appeared", "still-empty", "swapped", "serial-down", "edited", "missing". */
const char *tfj_kind_name(enum tfj_kind k);
/* The guard fires for this kind (never auto-pinned). */
bool tfj_kind_fires(enum tfj_kind k);
/* The journal may move the pin to the observation without asking anyone. */
bool tfj_kind_autopins(enum tfj_kind k);
/* The guard rule id for a firing kind: "terraform.state-swapped", ...; NULL otherwise. */
const char *tfj_kind_rule(enum tfj_kind k);

/* Judges obs against pin. Pure. */
enum tfj_kind tfj_judge(const struct tfj_pin *pin, const struct tfj_snap *obs);

/* True when obs has the same file identity (size, mtime, ctime, inode) as the pin: the bytes need not be read. */
bool tfj_same_file(const struct tfj_pin *pin, const struct tfj_snap *obs);

/* The journal key of one state. */
struct tfj_key {
	const char *dir;
	const char *backend;
	const char *workspace;
};

/* Brings this module's tables ("terraform" in schema_versions) up to date on a statedb connection. */
int tfj_migrate(struct sqlite3 *db, struct err *e);
/* statedb_open + tfj_migrate: the journal ready to use; closed with the arena. */
int tfj_open(struct arena *a, struct sqlite3 **db, struct err *e);

/* Reads the pin for key (pin->exists false when none). */
int tfj_get(struct arena *a, struct sqlite3 *db, const struct tfj_key *k, struct tfj_pin *pin, struct err *e);

/*
 * Pins obs for key at time now and records event (e.g. "pin", "forward",
 * "accept"), with old (may be NULL) as the previous pin, in one transaction.
 */
int tfj_pin(struct sqlite3 *db, const struct tfj_key *k, const struct tfj_snap *obs, long long now,
	    const char *event, const struct tfj_snap *old, const char *detail, struct err *e);

/*
 * The pinned state was seen unchanged (same bytes): updates seen_at and the
 * file identity (a touch, chmod or same-content copy changes it), so the next
 * look can trust the identity again instead of reading the file.
 */
int tfj_touch(struct sqlite3 *db, const struct tfj_key *k, const struct tfj_snap *ident, long long now,
	      struct err *e);

/*
 * Records a detection (event = a tfj_kind name) unless the newest event for
 * key is already the same detection of the same observed digest, so a guard
 * that fires on every hook call leaves one line, not thousands.
 */
int tfj_note(struct sqlite3 *db, const struct tfj_key *k, const struct tfj_snap *pinned, const struct tfj_snap *obs,
	     long long now, const char *event, const char *detail, struct err *e);

struct tfj_event {
	long long id, at;
	const char *dir, *backend, *workspace;
	const char *event;
	struct tfj_snap old;  /* old.present false when there was no previous pin */
	struct tfj_snap now;
	const char *detail;   /* may be NULL */
};

/*
 * Events for dir (every backend and workspace), newest first, at most limit
 * (0 = all). dir NULL lists every directory.
 */
int tfj_history(struct arena *a, struct sqlite3 *db, const char *dir, size_t limit, struct tfj_event **out,
		size_t *n, struct err *e);

/*
 * The blast-radius cache: what destroying the whole state deletes, computed
 * the last time the state file was parsed, valid while the file keeps the
 * same identity (size, mtime, ctime, inode) and the policy text (protect and
 * data-type globs, blastwall version) is the same. It lets the hook answer
 * `terraform destroy` on an unchanged 10k-resource state without parsing it.
 */
struct tfj_blast {
	long long ndeleted, nholding, nlost;
	int worst;            /* enum tf_severity */
	const char *summary;  /* blast_summary() text */
};
/* 0 and *hit set when a valid entry exists. */
int tfj_blast_get(struct arena *a, struct sqlite3 *db, const struct tfj_key *k, const struct tfj_snap *ident,
		  const char *policy, struct tfj_blast *out, bool *hit, struct err *e);
int tfj_blast_put(struct sqlite3 *db, const struct tfj_key *k, const struct tfj_snap *ident, const char *policy,
		  const struct tfj_blast *b, struct err *e);

/* "3 minutes ago", "2 days ago", "just now", "in the future" for t relative to now (unix seconds). */
const char *tfj_ago(struct arena *a, long long t, long long now);
/* The first 8 characters of a lineage followed by "...", or "(none)". */
const char *tfj_short_lineage(struct arena *a, const char *lineage);

#endif
