/*
 * pgcluster.h: a throwaway local PostgreSQL for `restore --local` and
 * drills: initdb + pg_ctl on a directory the caller names. The server
 * listens on a unix socket inside that directory (and on 127.0.0.1 only
 * when asked), trusts local connections (the directory is private: 0700),
 * and runs with durability off (fsync, full_page_writes): it is a copy to
 * look at or to verify, never a production server. When blastwall runs as
 * root, the server programs run as the "postgres" account, which owns the
 * directory.
 *
 * Layout: DIR/data (the cluster), DIR/postgres.log, DIR/.s.PGSQL.PORT.
 */
#ifndef BW_PGCLUSTER_H
#define BW_PGCLUSTER_H

#include <stdbool.h>
#include <sys/types.h>

#include "common/arena.h"
#include "common/err.h"

struct pgcluster {
	const char *dir;      /* absolute */
	const char *datadir;  /* DIR/data */
	const char *bindir;   /* where initdb and pg_ctl are */
	int port;
	bool tcp;             /* also listening on 127.0.0.1:port */
	bool as_user;         /* server programs run as uid/gid (we are root) */
	uid_t uid;
	gid_t gid;
};

/*
 * Finds the directory of PostgreSQL's programs holding `tool` ("initdb",
 * "pg_dump"): $BLASTWALL_PG_BINDIR, the newest /usr/lib/postgresql/N/bin,
 * then `pg_config --bindir`. min_major (0 = any) skips older versions.
 */
int pg_find_bindir(struct arena *a, const char *tool, int min_major, const char **out, struct err *e);

/* Creates DIR (which must not hold a cluster yet), runs initdb and starts the server. */
int pgcluster_create(struct arena *a, const char *dir, bool tcp, struct pgcluster *c, struct err *e);
/* Stops the server whose cluster is DIR/data (fast shutdown); a stopped server is fine. */
int pgcluster_stop(struct arena *a, const char *dir, struct err *e);
/* Removes DIR after stopping its server. */
int pgcluster_destroy(struct arena *a, const char *dir, struct err *e);
/* "host=DIR port=P user=postgres dbname=DB" (libpq key=value, quoted). */
char *pgcluster_conninfo(struct arena *a, const struct pgcluster *c, const char *dbname);
/* Creates database dbname (template0, the given encoding, C collation). */
int pgcluster_create_db(struct arena *a, const struct pgcluster *c, const char *dbname, const char *encoding,
			struct err *e);

#endif
