/*
 * prune.c: deleting chunks that no snapshot uses. Runs under the writer
 * lock: a backup adds chunks only while holding it, so the set of referenced
 * chunks cannot grow while we delete. Manifests are read first and any that
 * cannot be read stops the prune (deleting chunks it might name could turn a
 * repairable problem into lost data).
 */
#include <string.h>

#include "backup/repo_admin.h"
#include "backup/repo_int.h"

struct pstate {
	json_t *refs;
	json_t *unused; /* id -> size */
	struct prune_stats *st;
};

static int see_chunk(void *ctx, const char *id, uint64_t size, int64_t mtime)
{
	struct pstate *p = ctx;
	p->st->chunks++;
	p->st->bytes += size;
	if (!json_object_get(p->refs, id))
		json_object_set_new(p->unused, id, json_integer((json_int_t)size));
	return 0;
}

int repo_prune(struct repo *r, bool dry_run, struct prune_stats *st, struct err *e)
{
	memset(st, 0, sizeof(*st));
	struct arena *a = arena_new();
	struct pstate p = { json_object(), json_object(), st };
	int rc = -1;
	char **ids;
	size_t nid;
	if (repo_snapshot_ids(r, a, &ids, &nid, e) < 0)
		goto out;
	for (size_t i = 0; i < nid; i++) {
		struct snapshot_info s;
		if (repo_load_snapshot(r, a, ids[i], &s, e) < 0) {
			err_wrap(e, "cannot prune");
			err_hint(e, "a snapshot that cannot be read may still name chunks; run 'blastwall verify' and "
				    "'blastwall forget %.12s' if it is beyond repair",
				 ids[i]);
			goto out;
		}
		st->snapshots++;
		size_t si;
		json_t *stream;
		json_array_foreach(json_object_get(s.manifest, "streams"), si, stream) {
			size_t ci;
			json_t *ch;
			json_array_foreach(json_object_get(stream, "chunks"), ci, ch)
				json_object_set(p.refs, json_string_value(json_array_get(ch, 0)), json_true());
		}
	}
	if (repo_list_chunks(r, see_chunk, &p, e) < 0)
		goto out;
	const char *id;
	json_t *size;
	json_object_foreach(p.unused, id, size) {
		if (!dry_run && repo_delete_chunk(r, id, e) < 0)
			goto out;
		st->removed++;
		st->removed_bytes += (uint64_t)json_integer_value(size);
	}
	if (!dry_run) {
		/* temporaries of writers killed more than an hour ago (a live writer's are younger) */
		if (repo_clean_temp(r, 3600, &st->temp_removed, e) < 0)
			goto out;
		if (repo_sync(r, e) < 0)
			goto out;
	}
	rc = 0;
out:
	json_decref(p.refs);
	json_decref(p.unused);
	arena_free(a);
	return rc;
}
