/* org_internal.h — shared inside src/org only. */
#ifndef DJ_ORG_INTERNAL_H
#define DJ_ORG_INTERNAL_H

#include "org/org.h"

/* Append an event to the org's history; steals `detail`.  An empty or NULL
 * on_date means today. */
int org_event_add(struct db *db, const struct actor *a, int64_t org_id, const char *kind, const char *on_date,
		  json_t *detail, struct dj_error *err);

#endif
