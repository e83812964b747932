/* assignment.c — one task for one assignee: reports, review, history, and
 * the lists a unit and the bureau work from. */
#include "task/task_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attach/attach.h"
#include "audit/audit.h"
#include "core/date.h"
#include "core/mem.h"
#include "core/valid.h"
#include "core/setting.h"
#include "db/db.h"
#include "org/org.h"

/* The assignment with its task and plan; `as` says who asks:
 * 'u' the assignee side (scope over the assignee org), 'r' the reviewer
 * (scope over the plan's org), 0 either. */
static json_t *assignment_row(struct db *db, const struct actor *a, int64_t id, char as, struct dj_error *err)
{
	const char *today = a->today;
	json_t *r = db_row(db,
		"SELECT a.id, a.task_id, a.plan_id, a.org_id, o.name AS org_name, a.status, " TASK_STATE_SQL " AS state,"
		" a.submitted_on, a.late_days, a.reviewed_on, a.task_version, a.seen_version, a.updated_at,"
		" p.org_id AS plan_org_id, p.title AS plan_title, p.status AS plan_status, t.title, t.content, t.scope,"
		" t.starts_on, t.ends_on, t.due_on, t.milestones, t.points, t.version"
		" FROM assignment a JOIN task t ON t.id = a.task_id JOIN plan p ON p.id = a.plan_id"
		" JOIN org o ON o.id = a.org_id WHERE a.id = ?",
		DB_ARGS(DB_T(today), DB_I(id)), err);
	if (!r) {
		if (err->code == DJ_ENOTFOUND)
			dj_fail(err, DJ_ENOTFOUND, "", "任务不存在");
		return NULL;
	}
	bool unit = false, reviewer = false;
	if (a->role != ROLE_MEMBER &&
	    (task_in_scope(db, a, json_integer_value(json_object_get(r, "org_id")), &unit, err) ||
	     task_in_scope(db, a, json_integer_value(json_object_get(r, "plan_org_id")), &reviewer, err))) {
		json_decref(r);
		return NULL;
	}
	if ((as == 'u' && unit) || (as == 'r' && reviewer) || (!as && (unit || reviewer))) {
		json_object_set_new(r, "can_submit", json_boolean(unit));
		json_object_set_new(r, "can_review", json_boolean(reviewer));
		return r;
	}
	json_decref(r);
	/* Outside the actor's scope the assignment does not exist for them. */
	dj_fail(err, DJ_ENOTFOUND, "", "任务不存在");
	return NULL;
}

json_t *task_assignment_get(struct db *db, const struct actor *a, int64_t id, struct dj_error *err)
{
	json_t *r = assignment_row(db, a, id, 0, err);
	if (!r)
		return NULL;
	db_json_text(r, "milestones", json_array());
	json_t *q = db_rows(db, "SELECT q.id, q.item, q.min_value AS min, q.max_value AS max, q.unit, q.per, x.achieved"
				" FROM task_quota q LEFT JOIN assignment_quota x ON x.quota_id = q.id AND x.assignment_id = ?"
				" WHERE q.task_id = ? ORDER BY q.sort, q.id",
			    DB_ARGS(DB_I(id), DB_I(json_integer_value(json_object_get(r, "task_id")))), err);
	json_t *ev = q ? db_rows(db, "SELECT id, kind, body, achieved, late_days, username, created_at FROM assignment_event"
				     " WHERE assignment_id = ? ORDER BY id", DB_ARGS(DB_I(id)), err)
		       : NULL;
	json_t *ver = ev ? db_rows(db, "SELECT version, changes, created_at FROM task_version WHERE task_id = ? ORDER BY version",
				   DB_ARGS(DB_I(json_integer_value(json_object_get(r, "task_id")))), err)
			 : NULL;
	int rc = ver ? 0 : err->code;
	size_t i;
	json_t *e;
	json_array_foreach(ev, i, e) {
		db_json_text(e, "achieved", json_null());
		const char *kind = json_string_value(json_object_get(e, "kind"));
		json_t *files = NULL;
		if (!rc && (strcmp(kind, "progress") == 0 || strcmp(kind, "final") == 0)) {
			if (!(files = attach_files(db, "submission", json_integer_value(json_object_get(e, "id")), err)))
				rc = err->code;
			json_object_set_new(e, "attachments", files);
		}
	}
	if (rc) {
		json_decref(q);
		json_decref(ev);
		json_decref(ver);
		json_decref(r);
		return NULL;
	}
	json_object_set_new(r, "quotas", q);
	json_object_set_new(r, "history", ev);
	json_array_foreach(ver, i, e) db_json_text(e, "changes", json_array());
	json_object_set_new(r, "versions", ver);
	json_object_set_new(r, "changed", json_boolean(json_integer_value(json_object_get(r, "task_version")) >
						       json_integer_value(json_object_get(r, "seen_version"))));
	return r;
}

/* [{quota_id, value, unit?}] checked against the task's quotas. */
static int read_achieved(struct db *db, int64_t task_id, json_t *ach, struct dj_error *err)
{
	if (!json_is_array(ach))
		return dj_fail(err, DJ_EINVAL, "achieved", "完成量应为列表");
	size_t i;
	json_t *o;
	json_array_foreach(ach, i, o) {
		int64_t qid = json_integer_value(json_object_get(o, "quota_id"));
		json_t *v = json_object_get(o, "value");
		const char *unit = json_string_value(json_object_get(o, "unit"));
		json_t *q = qid > 0 ? db_row(db, "SELECT item, unit FROM task_quota WHERE id = ? AND task_id = ?",
					     DB_ARGS(DB_I(qid), DB_I(task_id)), err)
				    : NULL;
		if (!q && qid > 0 && err->code != DJ_ENOTFOUND)
			return err->code;
		if (!q)
			return dj_fail(err, DJ_EINVAL, "achieved", "第%zu项完成量对应的指标不属于该任务", i + 1);
		int rc = 0;
		if (!json_is_number(v) || json_number_value(v) < 0 || json_number_value(v) > 1e12)
			rc = dj_fail(err, DJ_EINVAL, "achieved", "“%s”的完成量应为不小于 0 的数",
				     json_string_value(json_object_get(q, "item")));
		else if (task_unit_countable(json_string_value(json_object_get(q, "unit"))) &&
			 json_number_value(v) != (double)(int64_t)json_number_value(v))
			rc = dj_fail(err, DJ_EINVAL, "achieved", "“%s”以“%s”计，完成量应为整数",
				     json_string_value(json_object_get(q, "item")), json_string_value(json_object_get(q, "unit")));
		else if (unit && strcmp(unit, json_string_value(json_object_get(q, "unit"))) != 0)
			rc = dj_fail(err, DJ_EINVAL, "achieved", "“%s”的计量单位应为“%s”，不是“%s”",
				     json_string_value(json_object_get(q, "item")), json_string_value(json_object_get(q, "unit")),
				     unit);
		json_decref(q);
		if (rc)
			return rc;
	}
	return 0;
}

/* The read cache (db_touch_org): a report or a review changes what the
 * assignee's org shows and what every org under the plan's owner reads of
 * the plan (its counts). */
static void touch_assignment(struct db *db, const json_t *r)
{
	db_touch_org(db, json_integer_value(json_object_get(r, "org_id")));
	db_touch_org(db, json_integer_value(json_object_get(r, "plan_org_id")));
}

int task_submit(struct db *db, const struct actor *a, int64_t id, json_t *in, int64_t *event_id,
		struct dj_error *err)
{
	static const char *const kinds[] = {"progress", "final", NULL};
	const char *kind, *body;
	int rc;
	if ((rc = scope_can_manage(a, err)) || (rc = v_enum(in, "kind", "上报类型", kinds, true, &kind, err)) ||
	    (rc = v_str(in, "body", "上报内容", 10000, true, &body, err)))
		return rc;
	json_t *r = assignment_row(db, a, id, 'u', err);
	if (!r)
		return err->code;
	enum assignment_status status = task_row_status(r);
	const char *due = json_string_value(json_object_get(r, "due_on"));
	int64_t task_id = json_integer_value(json_object_get(r, "task_id"));
	json_t *ach = json_object_get(in, "achieved");
	if (task_row_plan_status(r, "plan_status") == PLAN_CLOSED)
		rc = dj_fail(err, DJ_ECONFLICT, "", "工作方案已结束，不能再上报");
	else if (status == ASSIGNMENT_ACCEPTED)
		rc = dj_fail(err, DJ_ECONFLICT, "", "该任务已通过审核，无需再上报");
	else if (status == ASSIGNMENT_SUBMITTED)
		rc = dj_fail(err, DJ_ECONFLICT, "", "已上报完成情况，正在等待审核");
	else if (ach && !json_is_null(ach))
		rc = read_achieved(db, task_id, ach, err);
	char now[21];
	const char *today = a->today;
	date_now_iso(now);
	bool final = strcmp(kind, "final") == 0;
	int64_t late = final && strcmp(today, due) > 0 ? date_diff(due, today) : 0;
	char *aj = ach && json_is_array(ach) ? json_dumps(ach, JSON_COMPACT) : NULL;
	if (!rc && !(rc = db_begin(db, err))) {
		touch_assignment(db, r);
		rc = db_int1(db, event_id,
			     "INSERT INTO assignment_event(assignment_id, kind, body, achieved, late_days, user_id, username,"
			     " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			     DB_ARGS(DB_I(id), DB_T(kind), DB_T(body), DB_T(aj), final ? DB_I(late) : DB_NULL,
				     a->user_id ? DB_I(a->user_id) : DB_NULL, DB_T(a->username), DB_T(now)), err);
		size_t i;
		json_t *o;
		if (ach && json_is_array(ach))
			json_array_foreach(ach, i, o) {
				int64_t qid = json_integer_value(json_object_get(o, "quota_id"));
				double v = json_number_value(json_object_get(o, "value"));
				if (!rc)
					rc = db_run(db, "DELETE FROM assignment_quota WHERE assignment_id = ? AND quota_id = ?",
						    DB_ARGS(DB_I(id), DB_I(qid)), err);
				if (!rc)
					rc = db_run(db, "INSERT INTO assignment_quota(assignment_id, quota_id, achieved) VALUES (?, ?, ?)",
						    DB_ARGS(DB_I(id), DB_I(qid), DB_R(v)), err);
			}
		if (!rc)
			rc = db_run(db, "UPDATE assignment SET status = ?, submitted_on = CASE WHEN ? = 1 THEN ? ELSE submitted_on END,"
					" late_days = CASE WHEN ? = 1 THEN ? ELSE late_days END, updated_at = ? WHERE id = ?",
				    DB_ARGS(DB_T(assignment_status_name(final ? ASSIGNMENT_SUBMITTED : ASSIGNMENT_IN_PROGRESS)), DB_I(final), DB_T(today), DB_I(final),
					    DB_I(late), DB_T(now), DB_I(id)), err);
		if (!rc)
			rc = audit_write(db, a, final ? "task.submit_final" : "task.submit_progress", "assignment", id, NULL,
					 in, err);
		rc = db_end(db, rc, err);
	}
	free(aj);
	json_decref(r);
	return rc;
}

int task_review(struct db *db, const struct actor *a, int64_t id, json_t *in, struct dj_error *err)
{
	static const char *const decisions[] = {"accept", "return", NULL};
	const char *decision, *comment;
	int rc;
	if ((rc = scope_can_manage(a, err)) || (rc = v_enum(in, "decision", "审核结果", decisions, true, &decision, err)) ||
	    (rc = v_str(in, "comment", "审核意见", 2000, false, &comment, err)))
		return rc;
	bool accept = strcmp(decision, "accept") == 0;
	if (!accept && !comment)
		return dj_fail(err, DJ_EINVAL, "comment", "退回时请填写审核意见");
	json_t *r = assignment_row(db, a, id, 'r', err);
	if (!r)
		return err->code;
	int64_t root = 0;
	if (task_row_status(r) != ASSIGNMENT_SUBMITTED)
		rc = dj_fail(err, DJ_ECONFLICT, "", "只有已上报待审核的任务可以审核");
	else if ((rc = scope_root_of(db, a, &root, err)))
		;
	else if (json_integer_value(json_object_get(r, "org_id")) == root &&
		 json_integer_value(json_object_get(r, "plan_org_id")) != root)
		rc = dj_fail(err, DJ_EFORBIDDEN, "", "不能审核本单位的上报");
	char now[21];
	const char *today = a->today;
	date_now_iso(now);
	if (!rc && !(rc = db_begin(db, err))) {
		touch_assignment(db, r);
		rc = db_run(db, "INSERT INTO assignment_event(assignment_id, kind, body, user_id, username, created_at)"
				" VALUES (?, ?, ?, ?, ?, ?)",
			    DB_ARGS(DB_I(id), DB_T(decision), DB_T(comment), a->user_id ? DB_I(a->user_id) : DB_NULL,
				    DB_T(a->username), DB_T(now)), err);
		if (!rc)
			rc = db_run(db, "UPDATE assignment SET status = ?, reviewed_on = ?, updated_at = ? WHERE id = ?",
				    DB_ARGS(DB_T(assignment_status_name(accept ? ASSIGNMENT_ACCEPTED : ASSIGNMENT_RETURNED)), DB_T(today), DB_T(now), DB_I(id)), err);
		if (!rc)
			rc = audit_write(db, a, accept ? "task.accept" : "task.return", "assignment", id, NULL, in, err);
		rc = db_end(db, rc, err);
	}
	json_decref(r);
	return rc;
}

int task_seen(struct db *db, const struct actor *a, int64_t id, struct dj_error *err)
{
	json_t *r = assignment_row(db, a, id, 'u', err);
	if (!r)
		return err->code;
	int64_t v = json_integer_value(json_object_get(r, "task_version"));
	bool unseen = v > json_integer_value(json_object_get(r, "seen_version"));
	int rc = unseen ? db_begin(db, err) : 0;
	if (unseen && !rc)
		touch_assignment(db, r);
	json_decref(r);
	if (!unseen)
		return 0;
	if (!rc)
		rc = db_run(db, "UPDATE assignment SET seen_version = ? WHERE id = ?", DB_ARGS(DB_I(v), DB_I(id)), err);
	if (!rc)
		rc = audit_write(db, a, "task.seen", "assignment", id, NULL, NULL, err);
	return db_end(db, rc, err);
}

/* Photos and files belong to a report (an event of kind progress or final). */
static int event_assignment(struct db *db, int64_t event_id, int64_t *assignment_id, struct dj_error *err)
{
	int rc = db_int1(db, assignment_id,
			 "SELECT assignment_id FROM assignment_event WHERE id = ? AND kind IN ('progress', 'final')",
			 DB_ARGS(DB_I(event_id)), err);
	return rc == DJ_ENOTFOUND ? dj_fail(err, DJ_ENOTFOUND, "", "上报记录不存在") : rc;
}

int task_attach(struct db *db, const struct actor *a, int64_t event_id, const char *filename, const void *data,
		size_t len, int64_t *att_id, struct dj_error *err)
{
	int64_t aid;
	int rc;
	if ((rc = scope_can_manage(a, err)) || (rc = event_assignment(db, event_id, &aid, err)))
		return rc;
	json_t *r = assignment_row(db, a, aid, 'u', err);
	if (!r)
		return err->code;
	if (task_row_plan_status(r, "plan_status") == PLAN_CLOSED)
		rc = dj_fail(err, DJ_ECONFLICT, "", "工作方案已结束，不能再上传材料");
	else if (task_row_status(r) == ASSIGNMENT_ACCEPTED)
		rc = dj_fail(err, DJ_ECONFLICT, "", "该任务已通过审核，不能再上传材料");
	if (!rc && !(rc = db_begin(db, err))) {
		touch_assignment(db, r);
		json_decref(r);
		rc = attach_store(db, a, "submission", event_id, filename, data, len, att_id, err);
		if (!rc) {
			json_t *what = json_pack("{s:s?, s:I}", "filename", filename, "size", (json_int_t)len);
			rc = audit_write(db, a, "task.attach", "assignment", aid, NULL, what, err);
			json_decref(what);
		}
		rc = db_end(db, rc, err);
	} else {
		json_decref(r);
	}
	return rc;
}

int task_attachment_scope(struct db *db, const struct actor *a, const char *entity, int64_t entity_id, bool write,
			  struct dj_error *err)
{
	(void)entity;
	int64_t aid;
	int rc = event_assignment(db, entity_id, &aid, err);
	if (rc)
		return rc;
	json_t *r = assignment_row(db, a, aid, write ? 'u' : 0, err);
	if (!r)
		return err->code;
	if (write && task_row_status(r) == ASSIGNMENT_ACCEPTED)
		rc = dj_fail(err, DJ_ECONFLICT, "", "该任务已通过审核，材料不能再删除");
	json_decref(r);
	return rc;
}

json_t *task_assignment_list(struct db *db, const struct actor *a, const struct task_filter *f, struct dj_error *err)
{
	if (a->role == ROLE_MEMBER) {
		dj_fail(err, DJ_EFORBIDDEN, "", "党员账号无权查看任务");
		return NULL;
	}
	static const char *const states[] = {"not_started", "in_progress", "submitted", "accepted", "returned",
					     "overdue", "due_soon", "open", NULL};
	bool known = !f->state;
	for (int i = 0; states[i] && !known; i++)
		known = strcmp(states[i], f->state) == 0;
	if (!known) {
		dj_fail(err, DJ_EINVAL, "state", "未知的任务状态：%s", f->state);
		return NULL;
	}
	char soon[11];
	const char *today = a->today;
	int64_t days, root = 0;
	int rc = setting_get_int(db, "task.due_soon_days", 7, &days, err);
	if (!rc && (rc = scope_root_of(db, a, &root, err)) == DJ_ENOTFOUND)
		rc = 0;	/* no org yet: nothing in scope */
	if (rc)
		return NULL;
	date_add(soon, today, 0, 0, (int)days);
	struct db_where w = {0};
	/* Assignments of orgs in scope, and those of plans of orgs in scope. */
	db_where_add(&w, "(" ORG_EXISTS_IN_SUBTREE("c", "?", "a.org_id") " OR " ORG_EXISTS_IN_SUBTREE("c", "?", "p.org_id") ")",
		     DB_ARGS(DB_I(root), DB_I(root)));
	if (f->plan)
		db_where_add(&w, "a.plan_id = ?", DB_ARGS(DB_I(f->plan)));
	if (f->mine || f->org)
		db_where_add(&w, "a.org_id = ?", DB_ARGS(DB_I(f->org ? f->org : root)));
	if (f->state) {
		if (strcmp(f->state, "overdue") == 0)
			db_where_add(&w, "a.status IN ('not_started', 'in_progress', 'returned') AND t.due_on < ?",
				     DB_ARGS(DB_T(today)));
		else if (strcmp(f->state, "due_soon") == 0)
			db_where_add(&w, "a.status IN ('not_started', 'in_progress', 'returned') AND t.due_on >= ? AND t.due_on <= ?",
				     DB_ARGS(DB_T(today), DB_T(soon)));
		else if (strcmp(f->state, "open") == 0)
			db_where_add(&w, "a.status <> 'accepted' AND p.status = 'published'", DB_NOARGS);
		else if (strcmp(f->state, "submitted") == 0 || strcmp(f->state, "accepted") == 0)
			db_where_add(&w, "a.status = ?", DB_ARGS(DB_T(f->state)));
		else	/* an open state as displayed (TASK_STATE_SQL): not yet past due */
			db_where_add(&w, "a.status = ? AND t.due_on >= ?", DB_ARGS(DB_T(f->state), DB_T(today)));
	}
	const char *from = " FROM assignment a JOIN task t ON t.id = a.task_id JOIN plan p ON p.id = a.plan_id"
			   " JOIN org o ON o.id = a.org_id";
	char *sql = xasprintf("SELECT count(*)%s%s", from, db_where_sql(&w));
	int64_t total = 0;
	rc = db_int1(db, &total, sql, w.n, w.args, err);
	free(sql);
	json_t *items = NULL;
	if (!rc) {
		/* today for the state, then the filters, then paging */
		db_val args[40];
		int n = 0;
		args[n++] = DB_T(today);
		for (int i = 0; i < w.n && n < 37; i++)
			args[n++] = w.args[i];
		args[n++] = DB_I(f->size);
		args[n++] = DB_I((int64_t)(f->page - 1) * f->size);
		sql = xasprintf("SELECT a.id, a.plan_id, p.title AS plan_title, a.task_id, t.title, a.org_id, o.name AS org_name,"
				" a.status, " TASK_STATE_SQL " AS state, t.due_on, a.submitted_on, a.late_days, a.reviewed_on,"
				" CASE WHEN a.task_version > a.seen_version THEN 1 ELSE 0 END AS changed"
				"%s%s ORDER BY t.due_on, o.sort, o.code, t.sort LIMIT ? OFFSET ?",
				from, db_where_sql(&w));
		items = db_rows(db, sql, n, args, err);
		free(sql);
	}
	db_where_free(&w);
	if (!items)
		return NULL;
	return json_pack("{s:o, s:I, s:i, s:i}", "items", items, "total", (json_int_t)total, "page", f->page, "size",
			 f->size);
}
