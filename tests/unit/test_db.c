/*
 * test_db.c: the pure parts of the database layer: parsing sources,
 * redacting passwords (which must never leak into manifests or messages),
 * the local cluster's connection string, and libpq loading.
 */
#include <stdlib.h>
#include <string.h>

#include "backup/source.h"
#include "db/pgcluster.h"
#include "db/pq_load.h"
#include "harness.h"

TEST(source_kinds)
{
	struct arena *a = arena_new();
	struct err e;
	struct source s;
	err_init(&e);
	CHECK(source_parse(a, "postgres://app@db/courses", &s, &e) == 0);
	CHECK(s.kind == SOURCE_POSTGRES);
	CHECK_STREQ(s.conninfo, "postgres://app@db/courses");
	CHECK(source_parse(a, "postgresql://db/x", &s, &e) == 0 && s.kind == SOURCE_POSTGRES);
	CHECK(source_parse(a, "host=db dbname=x user=app", &s, &e) == 0 && s.kind == SOURCE_POSTGRES);
	CHECK(source_parse(a, "sqlite:data/app.db", &s, &e) == 0);
	CHECK(s.kind == SOURCE_SQLITE);
	CHECK_STREQ(s.path, "data/app.db");
	CHECK(source_parse(a, "sqlite:///var/lib/app.db", &s, &e) == 0);
	CHECK_STREQ(s.path, "/var/lib/app.db");
	CHECK(source_parse(a, "sqlite:", &s, &e) < 0);
	CHECK(strstr(e.msg, "names no SQLite file") != NULL);
	CHECK(source_parse(a, "mysql://root:pw@db/x", &s, &e) < 0);
	CHECK(strstr(e.msg, "pw") == NULL); /* even the error redacts */
	CHECK(strstr(e.hint, "sqlite:PATH") != NULL);
	CHECK(source_parse(a, "", &s, &e) < 0);
	CHECK(source_parse(a, "app.db", &s, &e) < 0);
	arena_free(a);
}

TEST(redaction)
{
	struct arena *a = arena_new();
	CHECK_STREQ(source_redact(a, "postgres://app:s3cret@db:5432/courses"), "postgres://app:***@db:5432/courses");
	CHECK_STREQ(source_redact(a, "postgres://app@db/courses"), "postgres://app@db/courses");
	CHECK_STREQ(source_redact(a, "postgres://db/courses"), "postgres://db/courses");
	/* an '@' inside the password: the user info ends at the last '@' */
	CHECK_STREQ(source_redact(a, "postgres://app:p@ss@db/x"), "postgres://app:***@db/x");
	CHECK_STREQ(source_redact(a, "postgresql://app@db/x?sslmode=require&password=hunter2&x=1"),
		    "postgresql://app@db/x?sslmode=require&password=***&x=1");
	CHECK_STREQ(source_redact(a, "host=db password=hunter2 dbname=x"), "host=db password=*** dbname=x");
	CHECK_STREQ(source_redact(a, "host=db password='with space' dbname=x"), "host=db password=*** dbname=x");
	CHECK_STREQ(source_redact(a, "password=only"), "password=***");
	/* a key that merely ends in "password" is not the password */
	CHECK_STREQ(source_redact(a, "host=db mypassword=x"), "host=db mypassword=x");
	CHECK(strstr(source_redact(a, "postgres://u:topsecret@h/d?password=topsecret"), "topsecret") == NULL);
	arena_free(a);
}

TEST(local_conninfo_quotes)
{
	struct arena *a = arena_new();
	struct pgcluster c = { .dir = "/tmp/it's here", .port = 5432 };
	CHECK_STREQ(pgcluster_conninfo(a, &c, "app db"),
		    "host='/tmp/it\\'s here' port='5432' user='postgres' dbname='app db'");
	arena_free(a);
}

TEST(libpq_loads_or_explains)
{
	struct err e;
	err_init(&e);
	if (pq_load(&e) == 0) {
		char *msg = NULL;
		PQconninfoOption *o = PQconninfoParse("host=db port=5433", &msg);
		CHECK(o != NULL);
		int seen = 0;
		for (PQconninfoOption *p = o; p && p->keyword; p++)
			if (strcmp(p->keyword, "port") == 0 && p->val && strcmp(p->val, "5433") == 0)
				seen = 1;
		CHECK(seen);
		PQconninfoFree(o);
		/* a second call is cheap and still fine */
		CHECK(pq_load(&e) == 0);
	} else {
		CHECK(strstr(e.msg, "libpq is not installed") != NULL);
		CHECK(strstr(e.hint, "apt-get install libpq5") != NULL);
	}
}

TEST_MAIN(source_kinds, redaction, local_conninfo_quotes, libpq_loads_or_explains)
