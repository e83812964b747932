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
/* Apply [{member_id, status, reason?, dual?}] to an activity's rows.  A member
 * not yet recorded must be one the actor may record (life_member_check). */
int life_attendance_apply(struct db *db, const struct actor *a, int64_t id, json_t *items, struct dj_error *err);
/* May the actor see this activity?  0 with *full set when one of its orgs is in
 * scope; 0 with *full clear when the actor only took part (their own row);
 * DJ_ENOTFOUND otherwise.  `full` may be NULL. */
int life_activity_access(struct db *db, const struct actor *a, int64_t id, bool *full, struct dj_error *err);
/* The scope exception of organizational life (DESIGN.md "Scope exceptions"):
 * may a member of another subtree be recorded at activity `activity_id`
 * (0: not stored yet)?  Only through an active hosting record; #11 adds them
 * (a mobile member hosted by one of the activity's orgs, a leader's contact
 * point).  None exists yet, so: no. */
int life_member_may_attend(struct db *db, int64_t activity_id, int64_t member_id, bool *may, struct dj_error *err);
/* 0 when the actor may name `member_id` on activity `activity_id`: a member of
 * their subtree, or one life_member_may_attend admits.  Otherwise DJ_ENOTFOUND
 * on `field`, worded like a missing member: the name never appears. */
int life_member_check(struct db *db, const struct actor *a, int64_t activity_id, int64_t member_id,
		      const char *field, const char *label, struct dj_error *err);
int life_guests_apply(struct db *db, int64_t id, json_t *guests, struct dj_error *err);
/* Is this kind in the dictionary (*found)?  everyone: all members are
 * expected.  A failed query is its error, never "unknown kind". */
int life_kind_exists(struct db *db, const char *kind, bool *found, bool *everyone, struct dj_error *err);

#endif
