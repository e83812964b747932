/* task.h — task deployment (任务部署): a work plan (工作方案) of an org, its
 * campaigns (五大攻坚, 八项行动 …) and tasks — common tasks (共性任务) for
 * every org of given kinds under the plan's org, specific tasks (个性任务)
 * for named orgs — each with a period, a report deadline, quotas and points.
 * Publishing fans a plan out into one assignment per task and assignee; the
 * assignee's 经办人 reports progress and a final report; the plan's org
 * accepts or returns it.  Every state is derived from the history of the
 * assignment, and every count of the matrix can list its assignments. */
#ifndef DJ_TASK_H
#define DJ_TASK_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "user/actor.h"

struct db;

/* A plan's status (task_state.c holds the table of identifiers and labels). */
enum plan_status {
	PLAN_STATUS_NONE = 0,	/* unknown */
	PLAN_DRAFT,		/* 草稿: tasks are edited freely, nothing sent */
	PLAN_PUBLISHED,		/* 已发布: assignments are out */
	PLAN_CLOSED,		/* 已结束: no more reports */
};
enum plan_status plan_status_parse(const char *s);	/* PLAN_STATUS_NONE if unknown */
const char *plan_status_name(enum plan_status s);	/* "draft" …; "" if unknown */
const char *plan_status_label(enum plan_status s);	/* 草稿 …; "" if unknown */

/* An assignment's stored status (the displayed state adds "overdue"). */
enum assignment_status {
	ASSIGNMENT_STATUS_NONE = 0,	/* unknown */
	ASSIGNMENT_NOT_STARTED,		/* 未开始 */
	ASSIGNMENT_IN_PROGRESS,		/* 进行中: a progress report came in */
	ASSIGNMENT_SUBMITTED,		/* 待审核: the final report came in */
	ASSIGNMENT_ACCEPTED,		/* 已通过 */
	ASSIGNMENT_RETURNED,		/* 已退回 */
};
enum assignment_status assignment_status_parse(const char *s);	/* ASSIGNMENT_STATUS_NONE if unknown */
const char *assignment_status_name(enum assignment_status s);	/* "not_started" …; "" if unknown */
const char *assignment_status_label(enum assignment_status s);	/* 未开始 …; "" if unknown */

/* Plans (plan.c).  {org_id, title, summary?, starts_on, ends_on, contacts_due?, late_factor?,
 * campaigns?: [name]} */
int task_plan_create(struct db *db, const struct actor *a, json_t *in, int64_t *id, struct dj_error *err);
int task_plan_update(struct db *db, const struct actor *a, int64_t id, json_t *in, struct dj_error *err);
int task_campaign_add(struct db *db, const struct actor *a, int64_t plan_id, json_t *in, int64_t *id,
		      struct dj_error *err);
/* Publish: one assignment per task and assignee, in one transaction. */
int task_plan_publish(struct db *db, const struct actor *a, int64_t id, int64_t *assignments, struct dj_error *err);
/* Close: no more submissions; what is not accepted by then is missing. */
int task_plan_close(struct db *db, const struct actor *a, int64_t id, struct dj_error *err);
json_t *task_plan_get(struct db *db, const struct actor *a, int64_t id, struct dj_error *err);
json_t *task_plan_list(struct db *db, const struct actor *a, int page, int size, struct dj_error *err);

/* Tasks.  {campaign_id?, scope: common|specific, title, content?, starts_on, ends_on, due_on,
 * milestones?: [{due_on, label}], assignee_kinds?: [kind] (common), targets?: [org_id] (specific),
 * quotas?: [{item, min?, max?, unit, per: assignee|total}], points?, late_points?, missing_points?}
 * Editing a task of a published plan makes a new version and tells each assignee what changed. */
int task_create(struct db *db, const struct actor *a, int64_t plan_id, json_t *in, int64_t *id,
		struct dj_error *err);
int task_update(struct db *db, const struct actor *a, int64_t id, json_t *in, struct dj_error *err);
int task_delete(struct db *db, const struct actor *a, int64_t id, struct dj_error *err);
/* The units a quota may be given in. */
extern const char *const task_units[];

/* Import a plan's tasks from the XLSX/CSV template, all or nothing. */
int task_import(struct db *db, const struct actor *a, int64_t plan_id, const void *data, size_t len, bool dry_run,
		json_t **result, struct dj_error *err);
/* The template (XLSX bytes, caller frees). */
int task_template(char **data, size_t *len, struct dj_error *err);

/* Contacts (分管领导, 经办人) per plan and assignee; phones sealed, shown masked. */
int task_contact_set(struct db *db, const struct actor *a, int64_t plan_id, int64_t org_id, json_t *in,
		     struct dj_error *err);
json_t *task_contacts(struct db *db, const struct actor *a, int64_t plan_id, struct dj_error *err);
json_t *task_contact_reveal(struct db *db, const struct actor *a, int64_t plan_id, int64_t org_id,
			    const char *field, struct dj_error *err);

/* Assignments (assignment.c). */
json_t *task_assignment_get(struct db *db, const struct actor *a, int64_t id, struct dj_error *err);
/* {kind: progress|final, body, achieved?: [{quota_id, value, unit?}]} */
int task_submit(struct db *db, const struct actor *a, int64_t id, json_t *in, int64_t *event_id,
		struct dj_error *err);
/* {decision: accept|return, comment} */
int task_review(struct db *db, const struct actor *a, int64_t id, json_t *in, struct dj_error *err);
int task_seen(struct db *db, const struct actor *a, int64_t id, struct dj_error *err);
int task_attach(struct db *db, const struct actor *a, int64_t event_id, const char *filename, const void *data,
		size_t len, int64_t *att_id, struct dj_error *err);
int task_attachment_scope(struct db *db, const struct actor *a, const char *entity, int64_t entity_id, bool write,
			  struct dj_error *err);

struct task_filter {
	int64_t plan, org;
	bool mine;		/* the actor's own org only */
	const char *state;	/* not_started|in_progress|submitted|accepted|returned|overdue|due_soon|open */
	int page, size;
};
json_t *task_assignment_list(struct db *db, const struct actor *a, const struct task_filter *f, struct dj_error *err);

/* Oversight (oversight.c): assignees × tasks with states, quota sums. */
json_t *task_matrix(struct db *db, const struct actor *a, int64_t plan_id, int page, int size, struct dj_error *err);

/* Findings for `check`: assignments past their deadline without a report
 * in review or accepted, and contacts not named by the plan's deadline, for
 * the orgs of org_root's subtree.  [{rule, level, title, message, org_id}] */
json_t *task_findings(struct db *db, const struct actor *a, int64_t org_root, struct dj_error *err);

/* Scoring, for the assessment module: points earned, lost and possible per
 * org from the assignments of plans of `org_root`'s subtree ending in `year`
 * (0: every year), or of one plan.  [{org_id, org_name, earned, lost, possible, tasks}] */
json_t *task_scores(struct db *db, const struct actor *a, int64_t plan_id, int year, struct dj_error *err);
/* One org's points as of `today` (a task still open then is not yet lost):
 * what the assessment module adds to its own. */
int task_score_of(struct db *db, int64_t org_id, int year, const char *today, double *earned, double *lost,
		  double *possible, struct dj_error *err);

#endif
