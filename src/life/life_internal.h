/* life_internal.h — what the life module's files share. */
#ifndef DJ_LIFE_INTERNAL_H
#define DJ_LIFE_INTERNAL_H

#include "life/life.h"

/* The stored activity with its orgs; NULL with DJ_ENOTFOUND when the actor
 * may not see it (outside their scope it does not exist for them). */
json_t *life_activity_row(struct db *db, const struct actor *a, int64_t id, struct dj_error *err);
/* May the actor change this activity (manage role, host org in scope)? */
int life_activity_writable(struct db *db, const struct actor *a, int64_t id, struct dj_error *err);
/* Recompute the attendance rows after a change of date, orgs or kind,
 * keeping what was recorded for those still expected. */
int life_attendance_sync(struct db *db, int64_t id, struct dj_error *err);
/* Apply [{member_id, status, reason?, dual?}] to an activity's rows. */
int life_attendance_apply(struct db *db, int64_t id, json_t *items, struct dj_error *err);
int life_guests_apply(struct db *db, int64_t id, json_t *guests, struct dj_error *err);
/* Is this kind in the dictionary?  everyone: all members are expected. */
bool life_kind_exists(struct db *db, const char *kind, bool *everyone);

#endif
