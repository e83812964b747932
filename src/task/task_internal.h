/* task_internal.h — what the task module's files share. */
#ifndef DJ_TASK_INTERNAL_H
#define DJ_TASK_INTERNAL_H

#include "task/task.h"

/* The status of a plan row (`key` "status" or "plan_status"), and of an
 * assignment row: the strings of the database become enums here. */
static inline enum plan_status task_row_plan_status(json_t *row, const char *key)
{
	return plan_status_parse(json_string_value(json_object_get(row, key)));
}
static inline enum assignment_status task_row_status(json_t *row)
{
	return assignment_status_parse(json_string_value(json_object_get(row, "status")));
}
/* *yes: is `org` in the actor's scope?  Outside is an answer (false), a
 * failed query is an error. */
int task_in_scope(struct db *db, const struct actor *a, int64_t org, bool *yes, struct dj_error *err);

/* The plan row {id, org_id, title, status, starts_on, ends_on, contacts_due,
 * late_factor}; DJ_ENOTFOUND if it does not exist or the actor may not
 * manage it (manage = true) or see it (false: the plan's org or one of its
 * assignees lies in the actor's scope). */
json_t *task_plan_row(struct db *db, const struct actor *a, int64_t id, bool manage, struct dj_error *err);
/* The plan row for a change by a manager: NULL with DJ_ECONFLICT ("工作方案
 * 已结束，<refusal>") once the plan is closed. */
json_t *task_plan_open(struct db *db, const struct actor *a, int64_t id, const char *refusal, struct dj_error *err);
/* Fan a task out to its assignees (those it has no assignment for yet);
 * *added gets the count. */
int task_fan_out(struct db *db, int64_t task_id, int64_t *added, struct dj_error *err);
/* Every task of a plan at once (publish). */
int task_fan_out_plan(struct db *db, int64_t plan_id, int64_t *added, struct dj_error *err);
/* "branch,committee" (as stored) → ["branch", "committee"]. */
json_t *task_kinds_array(const char *csv);
/* Counted in whole numbers (个, 处, 人 …), not measured (公里, 亿元, %). */
bool task_unit_countable(const char *unit);
/* The SQL of an assignment's displayed state: overdue when open past due. */
#define TASK_STATE_SQL                                                                                     \
	"CASE WHEN a.status IN ('not_started', 'in_progress', 'returned') AND t.due_on < ? THEN 'overdue' " \
	"ELSE a.status END"
/* Points of an assignment as the plan says: on time, late, missing (≤ 0),
 * or NULL while still open before the deadline.  Binds: today. */
#define TASK_POINTS_SQL                                                                                       \
	"CASE WHEN a.status = 'accepted' THEN (CASE WHEN coalesce(a.late_days, 0) > 0 "                        \
	"THEN coalesce(t.late_points, t.points * p.late_factor) ELSE t.points END) "                           \
	"WHEN p.status = 'closed' OR t.due_on < ? THEN t.missing_points ELSE NULL END"

#endif
