/*
 * pq_load.c: the libpq functions blastwall uses, resolved with dlopen on
 * first use instead of being linked.
 *
 * Why: the same binary is the guard hook that runs before every shell command
 * an agent types, and it must start in about a millisecond. libpq.so pulls in
 * some thirty shared libraries (OpenSSL, Kerberos, LDAP, SASL...) whose
 * loading and relocation alone cost several milliseconds on every start, even
 * when no database is touched. Loading libpq only when a backup, restore or
 * drill needs it keeps the hook fast and lets the hook run on machines that
 * have no libpq at all.
 *
 * How: each function in PQ_FUNCS gets a definition here under its normal
 * name, so the rest of src/db includes <libpq-fe.h> and calls the usual API.
 * The binary is not linked with -rdynamic, so these definitions are not
 * exported and cannot interpose on libpq's own internal calls; dlsym on the
 * library's handle always returns libpq's function, never ours.
 *
 * Invariant: pq_load() has succeeded before any wrapper runs; a wrapper
 * called without it is a bug (BUG() aborts).
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "db/pq_load.h"

/* X(return type, name, (parameters), (arguments)) */
#define PQ_FUNCS                                                                                   \
	X(PGconn *, PQconnectdb, (const char *conninfo), (conninfo))                               \
	X(PGconn *, PQconnectdbParams,                                                            \
	  (const char *const *keywords, const char *const *values, int expand_dbname),           \
	  (keywords, values, expand_dbname))                                                       \
	X(void, PQfinish, (PGconn * conn), (conn))                                                 \
	X(PQconninfoOption *, PQconninfoParse, (const char *conninfo, char **errmsg), (conninfo, errmsg)) \
	X(void, PQconninfoFree, (PQconninfoOption * opts), (opts))                                 \
	X(char *, PQdb, (const PGconn *conn), (conn))                                              \
	X(char *, PQuser, (const PGconn *conn), (conn))                                            \
	X(ConnStatusType, PQstatus, (const PGconn *conn), (conn))                                  \
	X(const char *, PQparameterStatus, (const PGconn *conn, const char *name), (conn, name))   \
	X(int, PQserverVersion, (const PGconn *conn), (conn))                                      \
	X(char *, PQerrorMessage, (const PGconn *conn), (conn))                                    \
	X(PQnoticeProcessor, PQsetNoticeProcessor, (PGconn * conn, PQnoticeProcessor proc, void *arg), \
	  (conn, proc, arg))                                                                       \
	X(PGresult *, PQexec, (PGconn * conn, const char *query), (conn, query))                   \
	X(PGresult *, PQexecParams,                                                               \
	  (PGconn * conn, const char *command, int nParams, const Oid *paramTypes,                \
	   const char *const *paramValues, const int *paramLengths, const int *paramFormats,      \
	   int resultFormat),                                                                      \
	  (conn, command, nParams, paramTypes, paramValues, paramLengths, paramFormats, resultFormat)) \
	X(PGresult *, PQgetResult, (PGconn * conn), (conn))                                        \
	X(int, PQputCopyData, (PGconn * conn, const char *buffer, int nbytes), (conn, buffer, nbytes)) \
	X(int, PQputCopyEnd, (PGconn * conn, const char *errormsg), (conn, errormsg))              \
	X(int, PQgetCopyData, (PGconn * conn, char **buffer, int async), (conn, buffer, async))    \
	X(ExecStatusType, PQresultStatus, (const PGresult *res), (res))                           \
	X(char *, PQresultErrorMessage, (const PGresult *res), (res))                             \
	X(char *, PQresultErrorField, (const PGresult *res, int fieldcode), (res, fieldcode))     \
	X(int, PQntuples, (const PGresult *res), (res))                                            \
	X(int, PQnfields, (const PGresult *res), (res))                                            \
	X(char *, PQcmdTuples, (PGresult * res), (res))                                            \
	X(char *, PQgetvalue, (const PGresult *res, int tup, int field), (res, tup, field))        \
	X(int, PQgetlength, (const PGresult *res, int tup, int field), (res, tup, field))          \
	X(int, PQgetisnull, (const PGresult *res, int tup, int field), (res, tup, field))          \
	X(void, PQclear, (PGresult * res), (res))                                                  \
	X(void, PQfreemem, (void *ptr), (ptr))                                                     \
	X(char *, PQescapeLiteral, (PGconn * conn, const char *str, size_t len), (conn, str, len)) \
	X(char *, PQescapeIdentifier, (PGconn * conn, const char *str, size_t len), (conn, str, len))

static struct {
#define X(ret, name, params, args) ret(*name) params;
	PQ_FUNCS
#undef X
} pq;

static pthread_once_t pq_once = PTHREAD_ONCE_INIT;
static char pq_error[512]; /* empty when loading succeeded */

static void pq_do_load(void)
{
	/* RTLD_LOCAL: libpq's symbols stay out of the global namespace */
	void *h = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		const char *why = dlerror();
		snprintf(pq_error, sizeof(pq_error), "libpq is not installed (%s)", why ? why : "dlopen failed");
		return;
	}
#define X(ret, name, params, args)                                                                \
	*(void **)&pq.name = dlsym(h, #name);                                                      \
	if (!pq.name) {                                                                            \
		snprintf(pq_error, sizeof(pq_error), "libpq.so.5 has no %s: it is too old", #name); \
		return;                                                                            \
	}
	PQ_FUNCS
#undef X
}

int pq_load(struct err *e)
{
	pthread_once(&pq_once, pq_do_load);
	if (pq_error[0]) {
		err_set(e, "%s", pq_error);
		return err_hint(e, "install it: apt-get install libpq5 (PostgreSQL backups, restores and drills need it)");
	}
	return 0;
}

#define X(ret, name, params, args)                                                                \
	ret name params                                                                            \
	{                                                                                          \
		if (!pq.name)                                                                      \
			BUG("%s called before pq_load()", #name);                                  \
		return pq.name args;                                                               \
	}
PQ_FUNCS
#undef X
