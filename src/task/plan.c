/* plan.c — plans and their campaigns: create, edit, publish, close, read. */
#include "task/task_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/date.h"
#include "core/mem.h"
#include "core/valid.h"
#include "db/db.h"
#include "org/org.h"

#define MAX_CAMPAIGNS 20

int task_in_scope(struct db *db, const struct actor *a, int64_t org, bool *yes, struct dj_error *err)
{
	struct dj_error e = {0};
	int rc = scope_org(db, a, org, &e);
	*yes = rc == 0;
	if (rc == DJ_EFORBIDDEN || rc == DJ_ENOTFOUND)
		rc = 0;
	else if (rc)
		dj_fail(err, rc, e.field, "%s", e.msg);
	dj_error_clear(&e);
	return rc;
}

json_t *task_plan_row(struct db *db, const struct actor *a, int64_t id, bool manage, struct dj_error *err)
{
	json_t *p = db_row(db, "SELECT p.id, p.org_id, o.name AS org_name, p.title, p.summary, p.starts_on, p.ends_on,"
			       " p.contacts_due, p.status, p.late_factor, p.created_at, p.published_at, p.closed_at"
			       " FROM plan p JOIN org o ON o.id = p.org_id WHERE p.id = ?",
			   DB_ARGS(DB_I(id)), err);
	if (!p) {
		if (err->code == DJ_ENOTFOUND)
			dj_fail(err, DJ_ENOTFOUND, "", "工作方案不存在");
		return NULL;
	}
	int64_t org = json_integer_value(json_object_get(p, "org_id"));
	bool mine = false, assigned = false;
	int rc = task_in_scope(db, a, org, &mine, err);
	if (!rc && !mine && !manage && a->role != ROLE_MEMBER) {
		/* A unit sees a plan that gives it tasks. */
		int64_t root;
		if (!(rc = scope_root_of(db, a, &root, err)))
			rc = db_exists(db, &assigned,
				       "SELECT 1 FROM assignment s " ORG_JOIN_UP("c", "s.org_id")
				       " WHERE s.plan_id = ? AND c.ancestor = ? LIMIT 1",
				       DB_ARGS(DB_I(id), DB_I(root)), err);
	}
	if (!rc && ((mine && (!manage || a->role != ROLE_MEMBER)) || assigned))
		return p;
	json_decref(p);
	if (!rc)
		dj_fail(err, DJ_ENOTFOUND, "", "工作方案不存在");
	return NULL;
}

json_t *task_plan_open(struct db *db, const struct actor *a, int64_t id, const char *refusal, struct dj_error *err)
{
	if (scope_can_manage(a, err))
		return NULL;
	json_t *p = task_plan_row(db, a, id, true, err);
	if (p && task_row_plan_status(p, "status") == PLAN_CLOSED) {
		json_decref(p);
		dj_fail(err, DJ_ECONFLICT, "", "工作方案已结束，%s", refusal);
		return NULL;
	}
	return p;
}

struct plan_in {
	int64_t org_id;
	const char *title, *summary, *starts_on, *ends_on, *contacts_due;
	double late_factor;
	bool has_late_factor;
	json_t *campaigns;
};

static int plan_read(json_t *in, struct plan_in *v, bool partial, struct dj_error *err)
{
	int rc;
	memset(v, 0, sizeof *v);
	if ((!partial && (rc = v_id(in, "org_id", "发文党组织", true, &v->org_id, err))) ||
	    (rc = v_str(in, "title", "方案名称", 200, !partial, &v->title, err)) ||
	    (rc = v_str(in, "summary", "总体目标", 5000, false, &v->summary, err)) ||
	    (rc = v_date(in, "starts_on", "实施开始日期", !partial, false, &v->starts_on, err)) ||
	    (rc = v_date(in, "ends_on", "实施结束日期", !partial, false, &v->ends_on, err)) ||
	    (rc = v_date(in, "contacts_due", "联系人报送截止日期", false, false, &v->contacts_due, err)))
		return rc;
	if ((rc = v_number(in, "late_factor", "逾期完成得分比例", 0, 1, 0.5, &v->late_factor, &v->has_late_factor, err)))
		return rc;
	if (v->starts_on && v->ends_on && strcmp(v->ends_on, v->starts_on) < 0)
		return dj_fail(err, DJ_EINVAL, "ends_on", "实施结束日期不能早于开始日期");
	if (v->contacts_due && v->starts_on && strcmp(v->contacts_due, v->starts_on) < 0)
		return dj_fail(err, DJ_EINVAL, "contacts_due", "联系人报送截止日期不能早于实施开始日期");
	v->campaigns = json_object_get(in, "campaigns");
	if (v->campaigns && !json_is_null(v->campaigns)) {
		if (!json_is_array(v->campaigns) || json_array_size(v->campaigns) > MAX_CAMPAIGNS)
			return dj_fail(err, DJ_EINVAL, "campaigns", "专项行动应为名称列表（至多%d项）", MAX_CAMPAIGNS);
		size_t i;
		json_t *c;
		json_array_foreach(v->campaigns, i, c) {
			const char *s = json_string_value(c);
			if (!s || !*s || utf8_chars(s) > 50)
				return dj_fail(err, DJ_EINVAL, "campaigns", "第%zu个专项行动名称应为1到50个字", i + 1);
		}
	} else {
		v->campaigns = NULL;
	}
	return 0;
}

static int campaign_insert(struct db *db, int64_t plan_id, const char *name, int64_t *id, struct dj_error *err)
{
	int64_t sort = 0;
	bool dup = false;
	int rc = db_int1(db, &sort, "SELECT coalesce(max(sort), 0) + 1 FROM campaign WHERE plan_id = ?",
			 DB_ARGS(DB_I(plan_id)), err);
	if (rc || (rc = db_exists(db, &dup, "SELECT 1 FROM campaign WHERE plan_id = ? AND name = ?",
				  DB_ARGS(DB_I(plan_id), DB_T(name)), err)))
		return rc;
	if (dup)
		return dj_fail(err, DJ_ECONFLICT, "name", "专项行动“%s”已存在", name);
	int64_t cid;
	rc = db_int1(db, &cid, "INSERT INTO campaign(plan_id, name, sort) VALUES (?, ?, ?) RETURNING id",
			 DB_ARGS(DB_I(plan_id), DB_T(name), DB_I(sort)), err);
	if (!rc && id)
		*id = cid;
	return rc;
}

int task_plan_create(struct db *db, const struct actor *a, json_t *in, int64_t *id, struct dj_error *err)
{
	struct plan_in v;
	int rc;
	if ((rc = scope_can_manage(a, err)) || (rc = plan_read(in, &v, false, err)) ||
	    (rc = org_check_open(db, a, v.org_id, "org_id", err)))
		return rc;
	char now[21];
	date_now_iso(now);
	if ((rc = db_begin(db, err)))
		return rc;
	rc = db_int1(db, id, "INSERT INTO plan(org_id, title, summary, starts_on, ends_on, contacts_due, late_factor,"
			     " user_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
		     DB_ARGS(DB_I(v.org_id), DB_T(v.title), DB_T(v.summary), DB_T(v.starts_on), DB_T(v.ends_on),
			     DB_T(v.contacts_due), DB_R(v.late_factor), a->user_id ? DB_I(a->user_id) : DB_NULL, DB_T(now),
			     DB_T(now)), err);
	size_t i;
	json_t *c;
	if (v.campaigns)
		json_array_foreach(v.campaigns, i, c) {
			if (!rc && (rc = campaign_insert(db, *id, json_string_value(c), NULL, err)))
				strcpy(err->field, "campaigns");
		}
	if (!rc)
		rc = audit_write(db, a, "task.plan_create", "plan", *id, NULL, in, err);
	return db_end(db, rc, err);
}

int task_plan_update(struct db *db, const struct actor *a, int64_t id, json_t *in, struct dj_error *err)
{
	struct plan_in v;
	int rc;
	if ((rc = plan_read(in, &v, true, err)))
		return rc;
	json_t *p = task_plan_open(db, a, id, "不能修改", err);
	if (!p)
		return err->code;
	const char *starts = v.starts_on ? v.starts_on : json_string_value(json_object_get(p, "starts_on"));
	const char *ends = v.ends_on ? v.ends_on : json_string_value(json_object_get(p, "ends_on"));
	if (strcmp(ends, starts) < 0)
		rc = dj_fail(err, DJ_EINVAL, "ends_on", "实施结束日期不能早于开始日期");
	char now[21];
	date_now_iso(now);
	if (!rc && !(rc = db_begin(db, err))) {
		rc = db_run(db, "UPDATE plan SET title = coalesce(?, title), summary = coalesce(?, summary),"
				" starts_on = ?, ends_on = ?, contacts_due = coalesce(?, contacts_due),"
				" late_factor = CASE WHEN ? = 1 THEN ? ELSE late_factor END, updated_at = ? WHERE id = ?",
			    DB_ARGS(DB_T(v.title), DB_T(v.summary), DB_T(starts), DB_T(ends), DB_T(v.contacts_due),
				    DB_I(v.has_late_factor), DB_R(v.late_factor), DB_T(now), DB_I(id)), err);
		if (!rc)
			rc = audit_write(db, a, "task.plan_update", "plan", id, p, in, err);
		rc = db_end(db, rc, err);
	}
	json_decref(p);
	return rc;
}

int task_campaign_add(struct db *db, const struct actor *a, int64_t plan_id, json_t *in, int64_t *id,
		      struct dj_error *err)
{
	const char *name;
	int rc;
	if ((rc = scope_can_manage(a, err)) || (rc = v_str(in, "name", "专项行动名称", 50, true, &name, err)))
		return rc;
	json_t *p = task_plan_row(db, a, plan_id, true, err);
	if (!p)
		return err->code;
	json_decref(p);
	if ((rc = db_begin(db, err)))
		return rc;
	rc = campaign_insert(db, plan_id, name, id, err);
	if (!rc)
		rc = audit_write(db, a, "task.campaign_add", "plan", plan_id, NULL, in, err);
	return db_end(db, rc, err);
}

int task_plan_publish(struct db *db, const struct actor *a, int64_t id, int64_t *assignments, struct dj_error *err)
{
	int rc;
	*assignments = 0;
	if ((rc = scope_can_manage(a, err)))
		return rc;
	json_t *p = task_plan_row(db, a, id, true, err);
	if (!p)
		return err->code;
	enum plan_status status = task_row_plan_status(p, "status");
	json_decref(p);
	if (status != PLAN_DRAFT)
		return dj_fail(err, DJ_ECONFLICT, "", "工作方案已发布");
	int64_t ntasks = 0;
	if ((rc = db_int1(db, &ntasks, "SELECT count(*) FROM task WHERE plan_id = ?", DB_ARGS(DB_I(id)), err)))
		return rc;
	if (!ntasks)
		return dj_fail(err, DJ_EINVAL, "", "工作方案还没有任务，不能发布");
	char now[21];
	date_now_iso(now);
	if ((rc = db_begin(db, err)))
		return rc;
	rc = task_fan_out_plan(db, id, assignments, err);
	if (!rc && !*assignments)
		rc = dj_fail(err, DJ_EINVAL, "", "没有符合条件的承担单位，不能发布");
	if (!rc)
		rc = db_run(db, "UPDATE plan SET status = ?, published_at = ?, updated_at = ? WHERE id = ?",
			    DB_ARGS(DB_T(plan_status_name(PLAN_PUBLISHED)), DB_T(now), DB_T(now), DB_I(id)), err);
	if (!rc) {
		json_t *what = json_pack("{s:I, s:I}", "tasks", (json_int_t)ntasks, "assignments", (json_int_t)*assignments);
		rc = audit_write(db, a, "task.publish", "plan", id, NULL, what, err);
		json_decref(what);
	}
	return db_end(db, rc, err);
}

int task_plan_close(struct db *db, const struct actor *a, int64_t id, struct dj_error *err)
{
	int rc;
	if ((rc = scope_can_manage(a, err)))
		return rc;
	json_t *p = task_plan_row(db, a, id, true, err);
	if (!p)
		return err->code;
	enum plan_status status = task_row_plan_status(p, "status");
	json_decref(p);
	if (status != PLAN_PUBLISHED)
		return dj_fail(err, DJ_ECONFLICT, "", "只有已发布的工作方案可以结束");
	char now[21];
	date_now_iso(now);
	if ((rc = db_begin(db, err)))
		return rc;
	rc = db_run(db, "UPDATE plan SET status = ?, closed_at = ?, updated_at = ? WHERE id = ?",
		    DB_ARGS(DB_T(plan_status_name(PLAN_CLOSED)), DB_T(now), DB_T(now), DB_I(id)), err);
	if (!rc)
		rc = audit_write(db, a, "task.close", "plan", id, NULL, NULL, err);
	return db_end(db, rc, err);
}

/* The tasks of a plan with their quotas, targets and assignment counts;
 * a unit sees only the tasks it (or an org below it) is assigned. */
static json_t *plan_tasks(struct db *db, int64_t plan_id, int64_t only_root, struct dj_error *err)
{
	json_t *tasks = db_rows(db,
		"SELECT t.id, t.campaign_id, c.name AS campaign, t.sort, t.scope, t.title, t.content, t.starts_on, t.ends_on,"
		" t.due_on, t.milestones, t.assignee_kinds, t.points, t.late_points, t.missing_points, t.version,"
		" (SELECT count(*) FROM assignment s WHERE s.task_id = t.id) AS assignments"
		" FROM task t LEFT JOIN campaign c ON c.id = t.campaign_id WHERE t.plan_id = ?"
		" AND (? = 0 OR EXISTS (SELECT 1 FROM assignment s " ORG_JOIN_UP("oc", "s.org_id")
		"  WHERE s.task_id = t.id AND oc.ancestor = ?))"
		" ORDER BY coalesce(c.sort, 0), t.sort, t.id",
		DB_ARGS(DB_I(plan_id), DB_I(only_root), DB_I(only_root)), err);
	if (!tasks)
		return NULL;
	/* Quotas and targets of the whole plan in one query each, then placed. */
	json_t *quotas = db_rows(db, "SELECT q.task_id, q.id, q.item, q.min_value AS min, q.max_value AS max, q.unit, q.per"
				     " FROM task_quota q JOIN task t ON t.id = q.task_id WHERE t.plan_id = ?"
				     " ORDER BY q.sort, q.id", DB_ARGS(DB_I(plan_id)), err);
	json_t *targets = quotas ? db_rows(db, "SELECT g.task_id, o.id, o.code, o.name FROM task_target g"
					       " JOIN task t ON t.id = g.task_id JOIN org o ON o.id = g.org_id"
					       " WHERE t.plan_id = ? ORDER BY o.sort, o.code", DB_ARGS(DB_I(plan_id)), err)
				 : NULL;
	if (!targets) {
		json_decref(tasks);
		json_decref(quotas);
		return NULL;
	}
	json_t *by_id = json_object();
	size_t i;
	json_t *t;
	json_array_foreach(tasks, i, t) {
		char key[24];
		snprintf(key, sizeof key, "%lld", (long long)json_integer_value(json_object_get(t, "id")));
		json_object_set(by_id, key, t);
		db_json_text(t, "milestones", json_array());
		json_object_set_new(t, "assignee_kinds", task_kinds_array(json_string_value(json_object_get(t, "assignee_kinds"))));
		json_object_set_new(t, "quotas", json_array());
		json_object_set_new(t, "targets", json_array());
	}
	static const char *const lists[] = {"quotas", "targets"};
	json_t *rows[] = {quotas, targets};
	for (int l = 0; l < 2; l++)
		json_array_foreach(rows[l], i, t) {
			char key[24];
			snprintf(key, sizeof key, "%lld", (long long)json_integer_value(json_object_get(t, "task_id")));
			json_t *task = json_object_get(by_id, key);
			json_object_del(t, "task_id");
			if (task)	/* a unit's view leaves some tasks out */
				json_array_append(json_object_get(task, lists[l]), t);
		}
	json_decref(quotas);
	json_decref(targets);
	json_decref(by_id);
	return tasks;
}

json_t *task_plan_get(struct db *db, const struct actor *a, int64_t id, struct dj_error *err)
{
	json_t *p = task_plan_row(db, a, id, false, err);
	if (!p)
		return NULL;
	bool manage = false;
	int64_t root = 0;
	json_t *c = NULL, *tasks = NULL;
	if ((a->role == ROLE_MEMBER || !task_in_scope(db, a, json_integer_value(json_object_get(p, "org_id")), &manage,
						      err)) &&
	    (manage || !scope_root_of(db, a, &root, err)) &&
	    (c = db_rows(db, "SELECT id, name FROM campaign WHERE plan_id = ? ORDER BY sort, id", DB_ARGS(DB_I(id)), err)))
		tasks = plan_tasks(db, id, manage ? 0 : root, err);
	if (!tasks) {
		json_decref(c);
		json_decref(p);
		return NULL;
	}
	json_object_set_new(p, "campaigns", c);
	json_object_set_new(p, "tasks", tasks);
	json_object_set_new(p, "can_manage", json_boolean(manage));
	return p;
}

json_t *task_plan_list(struct db *db, const struct actor *a, int page, int size, struct dj_error *err)
{
	if (a->role == ROLE_MEMBER) {
		dj_fail(err, DJ_EFORBIDDEN, "", "党员账号无权查看工作方案");
		return NULL;
	}
	int64_t root = 0;
	int rc = scope_root_of(db, a, &root, err);
	if (rc && rc != DJ_ENOTFOUND)	/* no org yet: no plans */
		return NULL;
	/* The plans of orgs in scope, and the plans that give the scope tasks. */
	const char *where = " FROM plan p JOIN org o ON o.id = p.org_id WHERE"
			    " " ORG_EXISTS_IN_SUBTREE("c", "?", "p.org_id")
			    " OR EXISTS (SELECT 1 FROM assignment s " ORG_JOIN_UP("c", "s.org_id")
			    "  WHERE s.plan_id = p.id AND c.ancestor = ?)";
	int64_t total = 0;
	char *sql = xasprintf("SELECT count(*)%s", where);
	rc = db_int1(db, &total, sql, DB_ARGS(DB_I(root), DB_I(root)), err);
	free(sql);
	if (rc)
		return NULL;
	sql = xasprintf("SELECT p.id, p.org_id, o.name AS org_name, p.title, p.starts_on, p.ends_on, p.status,"
			" p.contacts_due, p.published_at,"
			" (SELECT count(*) FROM task t WHERE t.plan_id = p.id) AS tasks,"
			/* Counted from the counters kept with assignment (task_tally). */
			" (SELECT coalesce(sum(x.n), 0) FROM task_tally x WHERE x.plan_id = p.id) AS assignments,"
			" (SELECT coalesce(sum(x.n), 0) FROM task_tally x WHERE x.plan_id = p.id AND x.status = 'accepted')"
			" AS accepted"
			"%s ORDER BY p.starts_on DESC, p.id DESC LIMIT ? OFFSET ?", where);
	json_t *items = db_rows(db, sql, DB_ARGS(DB_I(root), DB_I(root), DB_I(size), DB_I((int64_t)(page - 1) * size)),
				err);
	free(sql);
	if (!items)
		return NULL;
	return json_pack("{s:o, s:I, s:i, s:i}", "items", items, "total", (json_int_t)total, "page", page, "size", size);
}
