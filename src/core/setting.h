/* setting.h — the platform's settings (table `setting`: key, value, note),
 * read by every module.  Kept in core so no module depends on another for
 * its configuration. */
#ifndef DJ_SETTING_H
#define DJ_SETTING_H

#include <stdint.h>

#include "core/err.h"

struct db;

/* The integer value of setting `key` into *out, or `def` when it is not
 * set; a failed query is its error. */
int setting_get_int(struct db *db, const char *key, int64_t def, int64_t *out, struct dj_error *err);

/* Several at once, in one statement (on PostgreSQL a round trip each costs
 * more than the look-up): each `out` is its value or its `def`. */
struct setting_int {
	const char *key;
	int64_t def;
	int64_t *out;
};
int setting_get_ints(struct db *db, const struct setting_int *list, int n, struct dj_error *err);

#endif
