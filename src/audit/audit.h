/* audit.h — one audit record per write: who, when, through which route,
 * what entity, and its state before and after. */
#ifndef DJ_AUDIT_H
#define DJ_AUDIT_H

#include <jansson.h>
#include <stdint.h>

#include "core/err.h"
#include "user/actor.h"

struct db;

/* Must be called inside the write's transaction.  `before`/`after` may be
 * NULL; they are not stolen. */
int audit_write(struct db *db, const struct actor *a, const char *action, const char *entity,
		int64_t entity_id, json_t *before, json_t *after, struct dj_error *err);

/* Filter: user (username), entity, action prefix, from/to (dates), page/size. */
struct audit_filter {
	const char *username, *entity, *action, *from, *to;
	int64_t entity_id;
	int page, size;
};
json_t *audit_list(struct db *db, const struct actor *a, const struct audit_filter *f, struct dj_error *err);

#endif
