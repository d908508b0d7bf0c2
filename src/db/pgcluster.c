/*
 * pgcluster.c: a throwaway local PostgreSQL (see pgcluster.h). The settings
 * written to postgresql.conf make the copy fast to load and safe to leave
 * around: no TCP unless asked, no durability (a crash loses a copy that can
 * be restored again), WAL kept minimal.
 */
#define _XOPEN_SOURCE 700
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/fs.h"
#include "db/pgcluster.h"
#include "db/postgres.h"
#include "db/proc.h"

static int bindir_major(const char *bindir)
{
	/* /usr/lib/postgresql/15/bin */
	const char *p = strstr(bindir, "/postgresql/");
	if (!p)
		return 0;
	return (int)strtol(p + 12, NULL, 10);
}

int pg_find_bindir(struct arena *a, const char *tool, int min_major, const char **out, struct err *e)
{
	const char *env = getenv("BLASTWALL_PG_BINDIR");
	if (env && *env) {
		if (access(path_join(a, env, tool), X_OK) == 0) {
			*out = arena_strdup(a, env);
			return 0;
		}
		err_set(e, "BLASTWALL_PG_BINDIR is '%s', which has no %s", env, tool);
		return err_hint(e, "point it at the bin directory of a PostgreSQL installation, or unset it");
	}
	int best = -1;
	const char *best_dir = NULL;
	DIR *d = opendir("/usr/lib/postgresql");
	if (d) {
		struct dirent *de;
		while ((de = readdir(d))) {
			char *end;
			long v = strtol(de->d_name, &end, 10);
			if (end == de->d_name || *end || v < min_major || v <= best)
				continue;
			char *bin = arena_printf(a, "/usr/lib/postgresql/%s/bin", de->d_name);
			if (access(path_join(a, bin, tool), X_OK) == 0) {
				best = (int)v;
				best_dir = bin;
			}
		}
		closedir(d);
	}
	if (best_dir) {
		*out = best_dir;
		return 0;
	}
	struct buf b;
	buf_init(&b, 4096);
	const char *argv[] = { "pg_config", "--bindir", NULL };
	struct proc_opts po = { .argv = argv, .out = &b };
	struct err ignore;
	err_init(&ignore);
	if (proc_run(&po, &ignore) == 0) {
		char *dir = arena_strstr(a, str_trim(buf_str(&b)));
		if (*dir && access(path_join(a, dir, tool), X_OK) == 0 &&
		    (min_major == 0 || bindir_major(dir) == 0 || bindir_major(dir) >= min_major)) {
			buf_release(&b);
			*out = dir;
			return 0;
		}
	}
	buf_release(&b);
	if (min_major > 0)
		err_set(e, "cannot find PostgreSQL's %s, version %d or newer", tool, min_major);
	else
		err_set(e, "cannot find PostgreSQL's %s", tool);
	if (strcmp(tool, "pg_dump") == 0)
		return err_hint(e, "install the client programs (apt-get install postgresql-client), or set BLASTWALL_PG_BINDIR");
	return err_hint(e, "install the server programs (apt-get install postgresql), or set BLASTWALL_PG_BINDIR");
}

static int free_tcp_port(struct err *e)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return err_errno(e, "cannot pick a free port");
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK), .sin_port = 0 };
	socklen_t len = sizeof(sa);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || getsockname(fd, (struct sockaddr *)&sa, &len) < 0) {
		close(fd);
		return err_errno(e, "cannot pick a free port");
	}
	close(fd);
	return ntohs(sa.sin_port);
}

static int run_tool(struct arena *a, const struct pgcluster *c, const char *const *argv, struct err *e)
{
	struct buf eb;
	buf_init(&eb, 0);
	struct proc_opts po = { .argv = argv, .as_user = c->as_user, .uid = c->uid, .gid = c->gid, .errout = &eb };
	int rc = proc_run(&po, e);
	buf_release(&eb);
	return rc;
}

/* Appends our settings to postgresql.conf (the last setting of a name wins). */
static int write_conf(struct arena *a, const struct pgcluster *c, struct err *e)
{
	char *conf = path_join(a, c->datadir, "postgresql.conf");
	FILE *f = fopen(conf, "a");
	if (!f)
		return err_errno(e, "cannot open '%s'", conf);
	fprintf(f,
		"\n# blastwall: a throwaway copy, fast to load; never use it as a production server\n"
		"listen_addresses = '%s'\n"
		"port = %d\n"
		"unix_socket_directories = '%s'\n"
		"unix_socket_permissions = 0700\n"
		"fsync = off\n"
		"synchronous_commit = off\n"
		"full_page_writes = off\n"
		"wal_level = minimal\n"
		"max_wal_senders = 0\n"
		"max_wal_size = '4GB'\n"
		"checkpoint_timeout = '30min'\n"
		"maintenance_work_mem = '256MB'\n"
		"max_parallel_maintenance_workers = 2\n"
		"logging_collector = off\n",
		c->tcp ? "127.0.0.1" : "", c->port, c->dir);
	if (fclose(f) != 0)
		return err_errno(e, "cannot write '%s'", conf);
	return 0;
}

int pgcluster_create(struct arena *a, const char *dir, bool tcp, struct pgcluster *c, struct err *e)
{
	memset(c, 0, sizeof(*c));
	char cwd[4096];
	if (!getcwd(cwd, sizeof(cwd)))
		return err_errno(e, "cannot read the current directory");
	c->dir = path_normalize(a, cwd, dir);
	c->datadir = path_join(a, c->dir, "data");
	c->tcp = tcp;
	if (fs_exists(c->datadir)) {
		err_set(e, "'%s' already holds a PostgreSQL cluster", c->dir);
		return err_hint(e, "stop it with 'blastwall restore --stop %s' and remove it, or choose another directory", c->dir);
	}
	/* a unix socket path is limited to 107 bytes */
	if (strlen(c->dir) + strlen("/.s.PGSQL.65535") >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		err_set(e, "'%s' is too long a path for PostgreSQL's unix socket (at most about 90 characters)", c->dir);
		return err_hint(e, "choose a shorter directory, e.g. under /tmp");
	}
	if (pg_find_bindir(a, "initdb", 0, &c->bindir, e) < 0)
		return -1;
	if (geteuid() == 0) {
		if (proc_postgres_user(&c->uid, &c->gid) < 0) {
			err_set(e, "PostgreSQL does not run as root, and there is no 'postgres' account to run it as");
			return err_hint(e, "create one (apt-get install postgresql does) or run blastwall as an ordinary user");
		}
		c->as_user = true;
	}
	if (tcp) {
		c->port = free_tcp_port(e);
		if (c->port < 0)
			return -1;
	} else {
		c->port = 5432; /* the socket lives in a private directory: no clash with a system server */
	}
	if (fs_mkdir_p(c->dir, 0700, e) < 0)
		return -1;
	if (chmod(c->dir, 0700) < 0)
		return err_errno(e, "cannot chmod '%s'", c->dir);
	if (c->as_user) {
		if (chown(c->dir, c->uid, c->gid) < 0)
			return err_errno(e, "cannot give '%s' to the postgres user", c->dir);
		const char *argv[] = { "test", "-x", c->dir, "-a", "-w", c->dir, NULL };
		struct err ignore;
		err_init(&ignore);
		if (run_tool(a, c, argv, &ignore) < 0) {
			err_set(e, "the postgres user cannot reach '%s': a parent directory is not searchable by it", c->dir);
			return err_hint(e, "choose a directory under /tmp or /var/tmp, or allow it in (chmod o+x on the parents)");
		}
	}
	char *initdb = path_join(a, c->bindir, "initdb");
	const char *argv_init[] = { initdb, "-D", c->datadir, "-U", "postgres", "-A", "trust", "-E", "UTF8",
				    "--locale=C", "-N", NULL };
	if (run_tool(a, c, argv_init, e) < 0)
		return err_wrap(e, "cannot create a PostgreSQL cluster in '%s'", c->dir);
	if (write_conf(a, c, e) < 0)
		return -1;
	char *pg_ctl = path_join(a, c->bindir, "pg_ctl");
	char *log = path_join(a, c->dir, "postgres.log");
	const char *argv_start[] = { pg_ctl, "-D", c->datadir, "-l", log, "-w", "-t", "120", "start", NULL };
	if (run_tool(a, c, argv_start, e) < 0) {
		err_wrap(e, "cannot start PostgreSQL in '%s'", c->dir);
		return err_hint(e, "see '%s'", log);
	}
	return 0;
}

int pgcluster_stop(struct arena *a, const char *dir, struct err *e)
{
	struct pgcluster c = { 0 };
	char cwd[4096];
	if (!getcwd(cwd, sizeof(cwd)))
		return err_errno(e, "cannot read the current directory");
	c.dir = path_normalize(a, cwd, dir);
	c.datadir = path_join(a, c.dir, "data");
	struct stat st;
	if (stat(path_join(a, c.datadir, "PG_VERSION"), &st) < 0) {
		err_set(e, "'%s' holds no PostgreSQL cluster made by blastwall", c.dir);
		return err_hint(e, "pass the directory given to 'blastwall restore --local'");
	}
	if (geteuid() == 0 && st.st_uid != 0) {
		c.as_user = true;
		c.uid = st.st_uid;
		c.gid = st.st_gid;
	}
	char *pidfile = path_join(a, c.datadir, "postmaster.pid");
	if (!fs_exists(pidfile))
		return 0; /* not running */
	if (pg_find_bindir(a, "pg_ctl", 0, &c.bindir, e) < 0)
		return -1;
	char *pg_ctl = path_join(a, c.bindir, "pg_ctl");
	const char *argv[] = { pg_ctl, "-D", c.datadir, "-m", "fast", "-w", "-t", "60", "stop", NULL };
	if (run_tool(a, &c, argv, e) < 0)
		return err_wrap(e, "cannot stop the PostgreSQL in '%s'", c.dir);
	return 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return (flag == FTW_DP ? rmdir(path) : unlink(path)) < 0 && errno != ENOENT ? -1 : 0;
}

int pgcluster_destroy(struct arena *a, const char *dir, struct err *e)
{
	if (fs_exists(path_join(a, dir, "data/PG_VERSION")) && pgcluster_stop(a, dir, e) < 0)
		return -1;
	if (nftw(dir, rm_entry, 32, FTW_DEPTH | FTW_PHYS) < 0 && errno != ENOENT)
		return err_errno(e, "cannot remove '%s'", dir);
	return 0;
}

static void add_kv(struct buf *b, const char *k, const char *v)
{
	if (b->n)
		buf_addc(b, ' ');
	buf_printf(b, "%s='", k);
	for (const char *p = v; *p; p++) {
		if (*p == '\'' || *p == '\\')
			buf_addc(b, '\\');
		buf_addc(b, *p);
	}
	buf_addc(b, '\'');
}

char *pgcluster_conninfo(struct arena *a, const struct pgcluster *c, const char *dbname)
{
	struct buf b;
	buf_init(&b, 0);
	add_kv(&b, "host", c->dir);
	char port[16];
	snprintf(port, sizeof(port), "%d", c->port);
	add_kv(&b, "port", port);
	add_kv(&b, "user", "postgres");
	add_kv(&b, "dbname", dbname);
	char *s = arena_strndup(a, b.p, b.n);
	buf_release(&b);
	return s;
}

int pgcluster_create_db(struct arena *a, const struct pgcluster *c, const char *dbname, const char *encoding,
			struct err *e)
{
	PGconn *conn;
	if (pg_connect(a, pgcluster_conninfo(a, c, "postgres"), "connect to the local PostgreSQL", &conn, e) < 0)
		return -1;
	if (strcmp(dbname, "postgres") == 0) {
		PQfinish(conn);
		return 0; /* exists already */
	}
	char *id = PQescapeIdentifier(conn, dbname, strlen(dbname));
	char *enc = PQescapeLiteral(conn, encoding && *encoding ? encoding : "UTF8", strlen(encoding && *encoding ? encoding : "UTF8"));
	char *sql = arena_printf(a, "CREATE DATABASE %s TEMPLATE template0 ENCODING %s LC_COLLATE 'C' LC_CTYPE 'C'", id, enc);
	PQfreemem(id);
	PQfreemem(enc);
	int rc = pg_exec_cmd(conn, sql, arena_printf(a, "create database '%s'", dbname), e);
	PQfinish(conn);
	return rc;
}
