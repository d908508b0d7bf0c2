/*
 * pq_load.h: libpq, loaded at run time. Code in src/db uses the ordinary
 * libpq API from <libpq-fe.h>; the definitions come from pq_load.c, which
 * forwards each call to the real function found with dlopen/dlsym. Call
 * pq_load() once before the first libpq call (pg_connect does): it is the
 * only place that can report a missing libpq.
 */
#ifndef BW_PQ_LOAD_H
#define BW_PQ_LOAD_H

#include <libpq-fe.h>

#include "common/err.h"

/* Loads libpq.so.5 on first call (thread-safe); later calls are cheap. */
int pq_load(struct err *e);

#endif
