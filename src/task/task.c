/* task.c — the tasks of a plan: checked input, quotas, assignees, fan-out,
 * and versioned edits once the plan is published. */
#include "task/task_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/date.h"
#include "core/mem.h"
#include "core/valid.h"
#include "db/db.h"
#include "org/org.h"

#define MAX_TARGETS 1000
#define MAX_QUOTAS 10
#define MAX_MILESTONES 12

const char *const task_units[] = {"个", "处", "项", "条", "家", "件", "篇", "次", "人", "人次", "名", "公里",
				  "亿元", "万元", "元", "%", "星", NULL};

static bool unit_known(const char *u)
{
	for (int i = 0; task_units[i]; i++)
		if (strcmp(task_units[i], u) == 0)
			return true;
	return false;
}

json_t *task_kinds_array(const char *csv)
{
	json_t *out = json_array();
	for (const char *s = csv; s && *s;) {
		const char *e = strchr(s, ',');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		json_array_append_new(out, json_stringn(s, n));
		s = e ? e + 1 : s + n;
	}
	return out;
}

bool task_unit_countable(const char *u)
{
	static const char *const measures[] = {"公里", "亿元", "万元", "元", "%", NULL};
	for (int i = 0; measures[i]; i++)
		if (strcmp(measures[i], u) == 0)
			return false;
	return true;
}

/* A task as read from JSON and checked. */
struct task_in {
	int64_t campaign_id;
	const char *scope, *title, *content, *starts_on, *ends_on, *due_on;
	char kinds[400];	/* "branch,committee" */
	json_t *targets, *quotas, *milestones;	/* borrowed; checked */
	double points, late_points, missing_points;
	bool has_late_points;
};

static int read_kinds(json_t *in, struct task_in *v, struct dj_error *err)
{
	json_t *k = json_object_get(in, "assignee_kinds");
	v->kinds[0] = 0;
	if (!k || json_is_null(k) || (json_is_array(k) && json_array_size(k) == 0)) {
		/* Every org that reports: all kinds but the 党小组. */
		for (const char *const *kind = org_kind_names(); *kind; kind++)
			if (org_kind_parse(*kind) != ORG_GROUP)
				snprintf(v->kinds + strlen(v->kinds), sizeof v->kinds - strlen(v->kinds), "%s%s",
					 v->kinds[0] ? "," : "", *kind);
		return 0;
	}
	if (!json_is_array(k))
		return dj_fail(err, DJ_EINVAL, "assignee_kinds", "承担单位类型应为列表");
	size_t i;
	json_t *o;
	json_array_foreach(k, i, o) {
		const char *kind = json_string_value(o);
		if (org_kind_parse(kind) == ORG_KIND_NONE)
			return dj_fail(err, DJ_EINVAL, "assignee_kinds", "未知的党组织类型：%s", kind ? kind : "?");
		if (strlen(v->kinds) + strlen(kind) + 2 < sizeof v->kinds)
			snprintf(v->kinds + strlen(v->kinds), sizeof v->kinds - strlen(v->kinds), "%s%s",
				 v->kinds[0] ? "," : "", kind);
	}
	return 0;
}

static int read_quotas(json_t *q, struct dj_error *err)
{
	if (!json_is_array(q) || json_array_size(q) > MAX_QUOTAS)
		return dj_fail(err, DJ_EINVAL, "quotas", "指标应为列表（至多%d项）", MAX_QUOTAS);
	static const char *const pers[] = {"assignee", "total", NULL};
	size_t i;
	json_t *o;
	json_array_foreach(q, i, o) {
		const char *item, *unit, *per;
		double mn, mx;
		bool has_min, has_max;
		int rc;
		if (!json_is_object(o))
			return dj_fail(err, DJ_EINVAL, "quotas", "第%zu项指标格式不正确", i + 1);
		if ((rc = v_str(o, "item", "指标内容", 50, true, &item, err)) ||
		    (rc = v_str(o, "unit", "计量单位", 10, true, &unit, err)) ||
		    (rc = v_enum(o, "per", "计算方式", pers, true, &per, err)) ||
		    (rc = v_number(o, "min", "指标下限", 0, 1e12, 0, &mn, &has_min, err)) ||
		    (rc = v_number(o, "max", "指标上限", 0, 1e12, 0, &mx, &has_max, err))) {
			char msg[200];
			snprintf(msg, sizeof msg, "%.150s", err->msg);
			return dj_fail(err, DJ_EINVAL, "quotas", "第%zu项指标：%s", i + 1, msg);
		}
		if (!unit_known(unit))
			return dj_fail(err, DJ_EINVAL, "quotas", "第%zu项指标的单位“%s”不在计量单位表中", i + 1, unit);
		if (!has_min && !has_max)
			return dj_fail(err, DJ_EINVAL, "quotas", "第%zu项指标应有下限或上限", i + 1);
		if (has_min && has_max && mx < mn)
			return dj_fail(err, DJ_EINVAL, "quotas", "第%zu项指标的上限不能小于下限", i + 1);
		if (task_unit_countable(unit) && ((has_min && mn != (double)(int64_t)mn) || (has_max && mx != (double)(int64_t)mx)))
			return dj_fail(err, DJ_EINVAL, "quotas", "第%zu项指标以“%s”计，应为整数", i + 1, unit);
	}
	return 0;
}

static int read_milestones(json_t *m, const struct task_in *v, struct dj_error *err)
{
	if (!json_is_array(m) || json_array_size(m) > MAX_MILESTONES)
		return dj_fail(err, DJ_EINVAL, "milestones", "阶段节点应为列表（至多%d个）", MAX_MILESTONES);
	size_t i;
	json_t *o;
	json_array_foreach(m, i, o) {
		const char *due, *label;
		int rc;
		if (!json_is_object(o) || (rc = v_date(o, "due_on", "节点日期", true, false, &due, err)) ||
		    (rc = v_str(o, "label", "节点内容", 50, true, &label, err)))
		{
			char msg[200];
			snprintf(msg, sizeof msg, "%.150s", json_is_object(o) ? err->msg : "格式不正确");
			return dj_fail(err, DJ_EINVAL, "milestones", "第%zu个阶段节点：%s", i + 1, msg);
		}
		if (strcmp(due, v->starts_on) < 0 || strcmp(due, v->due_on) > 0)
			return dj_fail(err, DJ_EINVAL, "milestones", "第%zu个阶段节点应在开始日期与上报截止日期之间", i + 1);
	}
	return 0;
}

/* A target as sent: an id, or {id, …} as a read gives it back. */
static int64_t target_id(json_t *o)
{
	return json_is_object(o) ? json_integer_value(json_object_get(o, "id")) : json_integer_value(o);
}

/* Quotas in one shape, stored or sent: {item, min, max, unit, per} with
 * real numbers, so that comparing two says only what really changed. */
static void quotas_normalize(json_t *q)
{
	size_t i;
	json_t *o;
	json_array_foreach(q, i, o) {
		if (!json_is_object(o))
			continue;
		json_t *n = json_object();
		static const char *const keys[] = {"item", "min", "max", "unit", "per"};
		for (size_t k = 0; k < 5; k++) {
			json_t *v = json_object_get(o, keys[k]);
			if (json_is_number(v))
				json_object_set_new(n, keys[k], json_real(json_number_value(v)));
			else
				json_object_set(n, keys[k], v ? v : json_null());
		}
		json_array_set_new(q, i, n);
	}
}

/* Read a whole task; `old` (an update) supplies what the input leaves out.
 * *merged (the caller's to free) owns the strings v points into. */
static int task_read(struct db *db, int64_t plan_id, int64_t plan_org, json_t *in, json_t *old, struct task_in *v,
		     json_t **merged, struct dj_error *err)
{
	static const char *const scopes[] = {"common", "specific", NULL};
	int rc;
	memset(v, 0, sizeof *v);
	*merged = NULL;
	if (!json_is_object(in))
		return dj_fail(err, DJ_EINVAL, "", "请求体应为 JSON 对象");
	/* An update is the old task with the given fields replaced. */
	json_t *m = old ? json_deep_copy(old) : json_object();
	json_object_update(m, in);
	*merged = m;
	if ((rc = v_enum(m, "scope", "任务类型", scopes, true, &v->scope, err)) ||
	    (rc = v_str(m, "title", "任务名称", 200, true, &v->title, err)) ||
	    (rc = v_str(m, "content", "实施内容", 10000, false, &v->content, err)) ||
	    (rc = v_date(m, "starts_on", "开始日期", true, false, &v->starts_on, err)) ||
	    (rc = v_date(m, "ends_on", "结束日期", true, false, &v->ends_on, err)) ||
	    (rc = v_date(m, "due_on", "上报截止日期", true, false, &v->due_on, err)) ||
	    (rc = v_id(m, "campaign_id", "专项行动", false, &v->campaign_id, err)) ||
	    (rc = v_number(m, "points", "分值", 0, 100, 0, &v->points, NULL, err)) ||
	    (rc = v_number(m, "late_points", "逾期完成得分", 0, 100, 0, &v->late_points, &v->has_late_points, err)) ||
	    (rc = v_number(m, "missing_points", "未完成扣分", -100, 0, 0, &v->missing_points, NULL, err)))
		return rc;
	if (strcmp(v->ends_on, v->starts_on) < 0)
		return dj_fail(err, DJ_EINVAL, "ends_on", "结束日期不能早于开始日期");
	if (strcmp(v->due_on, v->starts_on) < 0)
		return dj_fail(err, DJ_EINVAL, "due_on", "上报截止日期不能早于任务开始日期");
	if (v->has_late_points && v->late_points > v->points)
		return dj_fail(err, DJ_EINVAL, "late_points", "逾期完成得分不能高于分值");
	if (v->campaign_id) {
		bool ours = false;
		if ((rc = db_exists(db, &ours, "SELECT 1 FROM campaign WHERE id = ? AND plan_id = ?",
				    DB_ARGS(DB_I(v->campaign_id), DB_I(plan_id)), err)))
			return rc;
		if (!ours)
			return dj_fail(err, DJ_EINVAL, "campaign_id", "专项行动不属于本方案");
	}
	v->milestones = json_object_get(m, "milestones");
	if (v->milestones && !json_is_null(v->milestones) && (rc = read_milestones(v->milestones, v, err)))
		return rc;
	v->quotas = json_object_get(m, "quotas");
	if (v->quotas && !json_is_null(v->quotas) && (rc = read_quotas(v->quotas, err)))
		return rc;
	quotas_normalize(v->quotas);
	if (strcmp(v->scope, "common") == 0) {
		if ((rc = read_kinds(m, v, err)))
			return rc;
		return 0;
	}
	v->targets = json_object_get(m, "targets");
	if (!json_is_array(v->targets) || json_array_size(v->targets) == 0)
		return dj_fail(err, DJ_EINVAL, "targets", "个性任务应指定承担单位");
	if (json_array_size(v->targets) > MAX_TARGETS)
		return dj_fail(err, DJ_EINVAL, "targets", "承担单位至多%d个", MAX_TARGETS);
	size_t i;
	json_t *o;
	json_array_foreach(v->targets, i, o) {
		int64_t org = target_id(o);
		json_t *row = org > 0 ? db_row(db, "SELECT name, status FROM org WHERE id = ?", DB_ARGS(DB_I(org)), err)
				      : NULL;
		if (!row && org > 0 && err->code != DJ_ENOTFOUND)
			return err->code;
		if (!row)
			return dj_fail(err, DJ_EINVAL, "targets", "第%zu个承担单位不存在", i + 1);
		bool active = org_row_status(row) == ORG_ACTIVE;
		char name[200];
		snprintf(name, sizeof name, "%s", json_string_value(json_object_get(row, "name")));
		json_decref(row);
		bool within = false;
		if ((rc = org_contains(db, plan_org, org, &within, err)))
			return rc;
		if (org == plan_org || !within)
			return dj_fail(err, DJ_EINVAL, "targets", "承担单位“%s”不在发文党组织之下", name);
		if (!active)
			return dj_fail(err, DJ_EINVAL, "targets", "承担单位“%s”已撤销或撤并", name);
	}
	return 0;
}

static int write_children(struct db *db, int64_t id, const struct task_in *v, bool replace_quotas,
			  struct dj_error *err)
{
	int rc = 0;
	size_t i;
	json_t *o;
	if (v->targets)
		json_array_foreach(v->targets, i, o) {
			if (!rc)
				rc = db_run(db, "INSERT INTO task_target(task_id, org_id) SELECT ?, ? WHERE NOT EXISTS"
						" (SELECT 1 FROM task_target WHERE task_id = ? AND org_id = ?)",
					    DB_ARGS(DB_I(id), DB_I(target_id(o)), DB_I(id), DB_I(target_id(o))), err);
		}
	if (!v->quotas || json_is_null(v->quotas))
		return rc;
	/* Quotas keep their ids by position: achievements stay attached. */
	json_t *have = db_rows(db, "SELECT id FROM task_quota WHERE task_id = ? ORDER BY sort, id", DB_ARGS(DB_I(id)), err);
	if (!have)
		return err->code;
	json_array_foreach(v->quotas, i, o) {
		json_t *mn = json_object_get(o, "min"), *mx = json_object_get(o, "max");
		db_val vmin = json_is_number(mn) ? DB_R(json_number_value(mn)) : DB_NULL;
		db_val vmax = json_is_number(mx) ? DB_R(json_number_value(mx)) : DB_NULL;
		const char *item = json_string_value(json_object_get(o, "item"));
		const char *unit = json_string_value(json_object_get(o, "unit"));
		const char *per = json_string_value(json_object_get(o, "per"));
		if (rc)
			break;
		if (i < json_array_size(have))
			rc = db_run(db, "UPDATE task_quota SET item = ?, min_value = ?, max_value = ?, unit = ?, per = ?,"
					" sort = ? WHERE id = ?",
				    DB_ARGS(DB_T(item), vmin, vmax, DB_T(unit), DB_T(per), DB_I(i),
					    DB_I(json_integer_value(json_object_get(json_array_get(have, i), "id")))), err);
		else
			rc = db_run(db, "INSERT INTO task_quota(task_id, sort, item, min_value, max_value, unit, per)"
					" VALUES (?, ?, ?, ?, ?, ?, ?)",
				    DB_ARGS(DB_I(id), DB_I(i), DB_T(item), vmin, vmax, DB_T(unit), DB_T(per)), err);
	}
	for (size_t k = json_array_size(v->quotas); !rc && k < json_array_size(have); k++) {
		if (!replace_quotas) {
			rc = dj_fail(err, DJ_ECONFLICT, "quotas", "已发布任务的指标只能修改或增加，不能删除");
			break;
		}
		int64_t qid = json_integer_value(json_object_get(json_array_get(have, k), "id"));
		rc = db_run(db, "DELETE FROM task_quota WHERE id = ?", DB_ARGS(DB_I(qid)), err);
	}
	json_decref(have);
	return rc;
}

#define TASK_ARGS(v)                                                                                              \
	(v)->campaign_id ? DB_I((v)->campaign_id) : DB_NULL, DB_T((v)->scope), DB_T((v)->title), DB_T((v)->content), \
		DB_T((v)->starts_on), DB_T((v)->ends_on), DB_T((v)->due_on), DB_T(ms), DB_T((v)->kinds),              \
		DB_R((v)->points), (v)->has_late_points ? DB_R((v)->late_points) : DB_NULL, DB_R((v)->missing_points)

/* Common: every active org of the kinds below the plan's org.  Specific: the
 * named ones.  `WHERE` picks the tasks: one task, or every task of a plan.
 * The orgs that already have the task are looked up by (plan, task, org) —
 * an assignment's plan is always its task's — so that any of assignment's
 * two-column indexes serves: PostgreSQL, its statistics behind the table,
 * probed assignment_org and walked all of an org's assignments for each of
 * a publication's rows (a city's 50-task plan after three others: three
 * times the CPU of the whole insert; bench/publish_explain.sh). */
#define FAN_OUT_SQL(WHERE)                                                                                         \
	"INSERT INTO assignment(task_id, plan_id, org_id, status, task_version, seen_version, updated_at)"         \
	" SELECT t.id, t.plan_id, o.id, ?, t.version, t.version, ? FROM task t JOIN plan p ON p.id = t.plan_id"    \
	" " ORG_JOIN_DOWN("c", "p.org_id") " AND c.depth > 0 JOIN org o ON o.id = c.descendant"            \
	" WHERE " WHERE " AND o.status = 'active' AND ("                                                           \
	"  (t.scope = 'common' AND (',' || t.assignee_kinds || ',') LIKE ('%,' || o.kind || ',%'))"                 \
	"  OR (t.scope = 'specific' AND EXISTS (SELECT 1 FROM task_target g WHERE g.task_id = t.id AND g.org_id = o.id)))" \
	" AND NOT EXISTS (SELECT 1 FROM assignment s WHERE s.plan_id = t.plan_id AND s.task_id = t.id"             \
	" AND s.org_id = o.id)"                                                                                     \
	" ORDER BY t.sort, t.id, o.id"

int task_fan_out(struct db *db, int64_t task_id, int64_t *added, struct dj_error *err)
{
	char now[21];
	date_now_iso(now);
	int64_t before = 0, after = 0;
	*added = 0;
	int rc = db_int1(db, &before, "SELECT count(*) FROM assignment WHERE task_id = ?", DB_ARGS(DB_I(task_id)), err);
	if (!rc)
		rc = db_run(db, FAN_OUT_SQL("t.id = ?"),
			    DB_ARGS(DB_T(assignment_status_name(ASSIGNMENT_NOT_STARTED)), DB_T(now), DB_I(task_id)), err);
	if (!rc)
		rc = db_int1(db, &after, "SELECT count(*) FROM assignment WHERE task_id = ?", DB_ARGS(DB_I(task_id)), err);
	if (!rc)
		*added = after - before;
	return rc;
}

/* Publishing: every task of the plan in one statement (one plan and one
 * pass over the subtree, not one per task).  The plan's assignments are
 * counted from its counters (task_tally, kept in this transaction), not by
 * reading back the thousands of index entries just written. */
#define PLAN_ASSIGNMENTS_SQL "SELECT coalesce(sum(n), 0) FROM task_tally WHERE plan_id = ?"
int task_fan_out_plan(struct db *db, int64_t plan_id, int64_t *added, struct dj_error *err)
{
	char now[21];
	date_now_iso(now);
	int64_t before = 0, after = 0;
	*added = 0;
	int rc = db_int1(db, &before, PLAN_ASSIGNMENTS_SQL, DB_ARGS(DB_I(plan_id)), err);
	if (!rc)
		rc = db_run(db, FAN_OUT_SQL("t.plan_id = ?"),
			    DB_ARGS(DB_T(assignment_status_name(ASSIGNMENT_NOT_STARTED)), DB_T(now), DB_I(plan_id)), err);
	if (!rc)
		rc = db_int1(db, &after, PLAN_ASSIGNMENTS_SQL, DB_ARGS(DB_I(plan_id)), err);
	if (!rc)
		*added = after - before;
	return rc;
}

int task_create(struct db *db, const struct actor *a, int64_t plan_id, json_t *in, int64_t *id,
		struct dj_error *err)
{
	json_t *p = task_plan_open(db, a, plan_id, "不能修改任务", err);
	if (!p)
		return err->code;
	struct task_in v;
	int64_t plan_org = json_integer_value(json_object_get(p, "org_id"));
	bool published = task_row_plan_status(p, "status") == PLAN_PUBLISHED;
	json_decref(p);
	json_t *merged;
	int rc = task_read(db, plan_id, plan_org, in, NULL, &v, &merged, err);
	char *ms = v.milestones && !rc ? json_dumps(v.milestones, JSON_COMPACT) : NULL;
	char now[21];
	date_now_iso(now);
	int64_t sort = 0, added = 0;
	if (!rc && !(rc = db_begin(db, err))) {
		rc = db_int1(db, &sort, "SELECT coalesce(max(sort), 0) + 1 FROM task WHERE plan_id = ?",
			     DB_ARGS(DB_I(plan_id)), err);
		if (!rc)
			rc = db_int1(db, id,
			     "INSERT INTO task(plan_id, sort, campaign_id, scope, title, content, starts_on, ends_on, due_on,"
			     " milestones, assignee_kinds, points, late_points, missing_points, created_at, updated_at)"
			     " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, coalesce(?, '[]'), ?, ?, ?, ?, ?, ?) RETURNING id",
			     DB_ARGS(DB_I(plan_id), DB_I(sort), TASK_ARGS(&v), DB_T(now), DB_T(now)), err);
		if (!rc)
			rc = write_children(db, *id, &v, true, err);
		/* A task added to a published plan goes out at once. */
		if (!rc && published)
			rc = task_fan_out(db, *id, &added, err);
		if (!rc)
			rc = audit_write(db, a, "task.create", "task", *id, NULL, merged, err);
		rc = db_end(db, rc, err);
	}
	json_decref(merged);
	free(ms);
	return rc;
}

/* The task as stored, in the shape task_read takes; NULL with "任务不存在"
 * (DJ_ENOTFOUND) or the query's error. */
static json_t *task_stored(struct db *db, int64_t id, struct dj_error *err)
{
	json_t *t = db_row(db, "SELECT id, plan_id, campaign_id, scope, title, content, starts_on, ends_on, due_on,"
			       " milestones, assignee_kinds, points, late_points, missing_points, version FROM task WHERE id = ?",
			   DB_ARGS(DB_I(id)), err);
	if (!t) {
		if (err->code == DJ_ENOTFOUND)
			dj_fail(err, DJ_ENOTFOUND, "", "任务不存在");
		return NULL;
	}
	db_json_text(t, "milestones", json_array());
	json_t *q = db_rows(db, "SELECT item, min_value AS min, max_value AS max, unit, per FROM task_quota"
				" WHERE task_id = ? ORDER BY sort, id", DB_ARGS(DB_I(id)), err);
	json_t *g = q ? db_rows(db, "SELECT org_id AS id FROM task_target WHERE task_id = ? ORDER BY org_id",
				DB_ARGS(DB_I(id)), err)
		      : NULL;
	if (!g) {
		json_decref(q);
		json_decref(t);
		return NULL;
	}
	quotas_normalize(q);
	json_object_set_new(t, "quotas", q);
	json_t *ids = json_array();
	size_t i;
	json_t *o;
	json_array_foreach(g, i, o) json_array_append(ids, json_object_get(o, "id"));
	json_decref(g);
	json_object_set_new(t, "targets", ids);
	json_object_set_new(t, "assignee_kinds", task_kinds_array(json_string_value(json_object_get(t, "assignee_kinds"))));
	return t;
}

/* Is every element of `before` still in `after`? */
static bool all_kept(json_t *before, json_t *after)
{
	size_t i, j;
	json_t *x, *y;
	json_array_foreach(before, i, x) {
		bool kept = false;
		json_array_foreach(after, j, y) kept = kept || json_equal(x, y);
		if (!kept)
			return false;
	}
	return true;
}

/* What an assignee is told: "上报截止日期：2022-10-31 → 2022-11-30; …". */
static void diff_field(json_t *changes, struct buf *say, const char *key, const char *label, json_t *before,
		       json_t *after)
{
	json_t *x = json_object_get(before, key), *y = json_object_get(after, key);
	if (json_equal(x, y) || (!x && json_is_null(y)) || (json_is_null(x) && !y))
		return;
	if (json_is_number(x) && json_is_number(y) && fabs(json_number_value(x) - json_number_value(y)) < 1e-9)
		return;
	char *xs = json_dumps(x ? x : json_null(), JSON_ENCODE_ANY | JSON_COMPACT);
	char *ys = json_dumps(y ? y : json_null(), JSON_ENCODE_ANY | JSON_COMPACT);
	json_array_append_new(changes, json_pack("{s:s, s:s, s:O?, s:O?}", "field", key, "label", label, "from", x,
						 "to", y));
	bool text = json_is_string(x) || json_is_string(y);
	if (strcmp(key, "content") == 0)
		buf_printf(say, "%s%s已调整", say->len ? "；" : "", label);
	else if (text)
		buf_printf(say, "%s%s：%s → %s", say->len ? "；" : "", label, json_string_value(x) ? json_string_value(x) : "无",
			   json_string_value(y) ? json_string_value(y) : "无");
	else
		buf_printf(say, "%s%s：%s → %s", say->len ? "；" : "", label, xs, ys);
	free(xs);
	free(ys);
}

int task_update(struct db *db, const struct actor *a, int64_t id, json_t *in, struct dj_error *err)
{
	json_t *old = task_stored(db, id, err);
	if (!old)
		return err->code;
	int64_t plan_id = json_integer_value(json_object_get(old, "plan_id"));
	json_t *p = task_plan_open(db, a, plan_id, "不能修改任务", err);
	if (!p) {
		json_decref(old);
		return err->code;
	}
	int64_t plan_org = json_integer_value(json_object_get(p, "org_id"));
	bool published = task_row_plan_status(p, "status") == PLAN_PUBLISHED;
	json_decref(p);
	struct task_in v;
	json_t *merged;
	int rc = task_read(db, plan_id, plan_org, in, old, &v, &merged, err);
	/* The task after the edit, in the shape task_stored gives the old one. */
	json_t *after = NULL;
	if (!rc) {
		after = json_deep_copy(merged);
		bool common = strcmp(v.scope, "common") == 0;
		json_object_set_new(after, "assignee_kinds", task_kinds_array(common ? v.kinds : NULL));
		json_t *tids = json_array();
		size_t i;
		json_t *o;
		json_array_foreach(v.targets, i, o) json_array_append_new(tids, json_integer(target_id(o)));
		json_object_set_new(after, "targets", tids);
	}
	/* Once out, assignees may be added, never taken away. */
	if (!rc && published) {
		if (strcmp(v.scope, json_string_value(json_object_get(old, "scope"))) != 0)
			rc = dj_fail(err, DJ_ECONFLICT, "scope", "已发布任务不能改变任务类型");
		else if (!all_kept(json_object_get(old, "targets"), json_object_get(after, "targets")))
			rc = dj_fail(err, DJ_ECONFLICT, "targets", "已发布任务不能移除承担单位");
		else if (!all_kept(json_object_get(old, "assignee_kinds"), json_object_get(after, "assignee_kinds")))
			rc = dj_fail(err, DJ_ECONFLICT, "assignee_kinds", "已发布任务不能移除承担单位类型");
	}
	json_t *changes = json_array();
	struct buf say = {0};
	if (!rc) {
		static const struct {
			const char *key, *label;
		} fields[] = {{"title", "任务名称"}, {"content", "实施内容"}, {"starts_on", "开始日期"},
			      {"ends_on", "结束日期"}, {"due_on", "上报截止日期"}, {"milestones", "阶段节点"},
			      {"quotas", "指标"}, {"points", "分值"}, {"late_points", "逾期完成得分"},
			      {"missing_points", "未完成扣分"}, {"targets", "承担单位"}, {"assignee_kinds", "承担单位类型"},
			      {"campaign_id", "专项行动"}};
		for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++)
			diff_field(changes, &say, fields[k].key, fields[k].label, old, after);
	}
	json_decref(after);
	char *ms = !rc && v.milestones ? json_dumps(v.milestones, JSON_COMPACT) : NULL;
	char now[21];
	date_now_iso(now);
	if (!rc && json_array_size(changes) && !(rc = db_begin(db, err))) {
		int64_t version = json_integer_value(json_object_get(old, "version")) + (published ? 1 : 0);
		int64_t added = 0;
		rc = db_run(db, "UPDATE task SET campaign_id = ?, scope = ?, title = ?, content = ?, starts_on = ?, ends_on = ?,"
				" due_on = ?, milestones = coalesce(?, '[]'), assignee_kinds = ?, points = ?, late_points = ?,"
				" missing_points = ?, version = ?, updated_at = ? WHERE id = ?",
			    DB_ARGS(TASK_ARGS(&v), DB_I(version), DB_T(now), DB_I(id)), err);
		if (!rc && !published && v.targets)
			rc = db_run(db, "DELETE FROM task_target WHERE task_id = ?", DB_ARGS(DB_I(id)), err);
		if (!rc)
			rc = write_children(db, id, &v, !published, err);
		if (!rc && published) {
			char *cj = json_dumps(changes, JSON_COMPACT);
			rc = db_run(db, "INSERT INTO task_version(task_id, version, changes, user_id, created_at) VALUES (?, ?, ?, ?, ?)",
				    DB_ARGS(DB_I(id), DB_I(version), DB_T(cj), a->user_id ? DB_I(a->user_id) : DB_NULL,
					    DB_T(now)), err);
			free(cj);
			/* Each assignee is told what changed, in its own history. */
			if (!rc)
				rc = db_run(db, "INSERT INTO assignment_event(assignment_id, kind, body, user_id, username, created_at)"
						" SELECT id, 'change', ?, ?, ?, ? FROM assignment WHERE task_id = ?",
					    DB_ARGS(DB_T(say.data), a->user_id ? DB_I(a->user_id) : DB_NULL,
						    DB_T(a->username), DB_T(now), DB_I(id)), err);
			if (!rc)
				rc = db_run(db, "UPDATE assignment SET task_version = ?, updated_at = ? WHERE task_id = ?",
					    DB_ARGS(DB_I(version), DB_T(now), DB_I(id)), err);
			if (!rc)
				rc = task_fan_out(db, id, &added, err);
		}
		if (!rc)
			rc = audit_write(db, a, "task.update", "task", id, old, changes, err);
		rc = db_end(db, rc, err);
	}
	json_decref(merged);
	free(ms);
	buf_free(&say);
	json_decref(changes);
	json_decref(old);
	return rc;
}

int task_delete(struct db *db, const struct actor *a, int64_t id, struct dj_error *err)
{
	json_t *old = task_stored(db, id, err);
	if (!old)
		return err->code;
	json_t *p = task_plan_open(db, a, json_integer_value(json_object_get(old, "plan_id")), "不能修改任务", err);
	int rc = p ? 0 : err->code;
	if (p && task_row_plan_status(p, "status") != PLAN_DRAFT)
		rc = dj_fail(err, DJ_ECONFLICT, "", "已发布的任务不能删除，可修改或结束方案");
	json_decref(p);
	if (!rc && !(rc = db_begin(db, err))) {
		rc = db_run(db, "DELETE FROM task_target WHERE task_id = ?", DB_ARGS(DB_I(id)), err);
		if (!rc)
			rc = db_run(db, "DELETE FROM task_quota WHERE task_id = ?", DB_ARGS(DB_I(id)), err);
		if (!rc)
			rc = db_run(db, "DELETE FROM task WHERE id = ?", DB_ARGS(DB_I(id)), err);
		if (!rc)
			rc = audit_write(db, a, "task.delete", "task", id, old, NULL, err);
		rc = db_end(db, rc, err);
	}
	json_decref(old);
	return rc;
}
