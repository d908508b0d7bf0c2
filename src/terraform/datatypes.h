/*
 * datatypes.h: the built-in knowledge of which resource types hold data,
 * which cascade, which only cause an outage, and which attributes decide
 * whether their deletion loses data for good. The table is data (datatypes.c);
 * blast.c applies it.
 */
#ifndef BW_DATATYPES_H
#define BW_DATATYPES_H

#include <stdbool.h>
#include <stddef.h>

#include "common/arena.h"
#include "terraform/tfstate.h"

enum tf_class { TF_CLASS_NONE = 0, TF_CLASS_OUTAGE, TF_CLASS_CASCADE, TF_CLASS_DATA };

struct tf_verdict {
	int sev;                 /* an enum tf_severity value */
	const char *reasons[8];  /* arena or static strings */
	size_t nreasons;
	const char *fixes[8];
	size_t nfixes;
};

struct tf_datatype {
	const char *type;        /* exact type name */
	enum tf_class cls;
	const char *what;        /* "RDS database instance" */
	const char *loses;       /* what a deletion destroys: "the database and its data" */
	/* Judges deletion from the attributes (NULL: the class default). */
	void (*judge)(struct arena *a, const struct tf_datatype *dt, const struct tf_resource *r, struct tf_verdict *v);
	const char *arg;         /* a per-type parameter of the judge (an attribute name) */
};

/* Fills v for deleting r of type dt (dt non-NULL). */
void tf_datatype_judge(struct arena *a, const struct tf_datatype *dt, const struct tf_resource *r,
		       struct tf_verdict *v);

/* The table entry for type, or NULL. */
const struct tf_datatype *tf_datatype_find(const char *type);
/* Number of built-in entries, and entry i (for docs and tests). */
size_t tf_datatype_count(void);
const struct tf_datatype *tf_datatype_at(size_t i);

#endif
