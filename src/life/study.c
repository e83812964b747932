/* study.c — 月计划周推送: a plan per month for an org subtree, weekly items,
 * members mark items done; completion per member and per branch. */
#include "life/life_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/date.h"
#include "core/mem.h"
#include "core/valid.h"
#include "db/db.h"
#include "org/org.h"

#define MAX_ITEMS 60

static bool valid_month(const char *s)
{
	int y, m;
	return date_month_parse(s, &y, &m);
}

static int items_check(json_t *items, struct dj_error *err)
{
	static const char *const kinds[] = {"article", "course", "video", "file", NULL};
	if (!json_is_array(items) || json_array_size(items) == 0 || json_array_size(items) > MAX_ITEMS)
		return dj_fail(err, DJ_EINVAL, "items", "学习内容应为1至%d项的列表", MAX_ITEMS);
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it) {
		const char *t, *k, *url, *note;
		int64_t week;
		int rc;
		if (!json_is_object(it))
			return dj_fail(err, DJ_EINVAL, "items", "第%zu项学习内容格式不正确", i + 1);
		if ((rc = v_int(it, "week", "周次", 1, 5, 0, &week, err)) || (rc = v_str(it, "title", "标题", 200, true, &t, err)) ||
		    (rc = v_enum(it, "kind", "类型", kinds, true, &k, err)) ||
		    (rc = v_str(it, "url", "链接", 500, false, &url, err)) ||
		    (rc = v_str(it, "note", "说明", 500, false, &note, err))) {
			snprintf(err->field, sizeof err->field, "items");
			return rc;
		}
		if (week == 0)
			return dj_fail(err, DJ_EINVAL, "items", "第%zu项：请填写周次（1至5）", i + 1);
		if (url && strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
			return dj_fail(err, DJ_EINVAL, "items", "第%zu项：链接应以 http:// 或 https:// 开头", i + 1);
	}
	return 0;
}

static int items_write(struct db *db, int64_t plan, json_t *items, struct dj_error *err)
{
	/* Items already marked done keep their ids: match by week and title. */
	json_t *old = db_rows(db, "SELECT id, week, title FROM study_item WHERE plan_id = ?", DB_ARGS(DB_I(plan)), err);
	if (!old)
		return err->code;
	int rc = 0;
	size_t i, j;
	json_t *it, *o;
	json_array_foreach(items, i, it) {
		if (rc)
			break;
		int64_t keep = 0;
		json_array_foreach(old, j, o)
			if (json_integer_value(json_object_get(o, "week")) == json_integer_value(json_object_get(it, "week")) &&
			    strcmp(json_string_value(json_object_get(o, "title")), json_string_value(json_object_get(it, "title"))) == 0) {
				keep = json_integer_value(json_object_get(o, "id"));
				json_object_set_new(o, "id", json_integer(0));
				break;
			}
		db_val v[] = {DB_I(json_integer_value(json_object_get(it, "week"))), DB_I(i + 1),
			      DB_T(json_string_value(json_object_get(it, "title"))), DB_T(json_string_value(json_object_get(it, "kind"))),
			      DB_T(json_string_value(json_object_get(it, "url"))), DB_T(json_string_value(json_object_get(it, "note"))),
			      DB_I(keep ? keep : plan)};
		rc = keep ? db_run(db, "UPDATE study_item SET week = ?, seq = ?, title = ?, kind = ?, url = ?, note = ? WHERE id = ?",
				   7, v, err)
			  : db_run(db, "INSERT INTO study_item(week, seq, title, kind, url, note, plan_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
				   7, v, err);
	}
	json_array_foreach(old, j, o) {
		int64_t gone = json_integer_value(json_object_get(o, "id"));
		if (rc || !gone)
			continue;
		rc = db_run(db, "DELETE FROM study_done WHERE item_id = ?", DB_ARGS(DB_I(gone)), err);
		if (!rc)
			rc = db_run(db, "DELETE FROM study_item WHERE id = ?", DB_ARGS(DB_I(gone)), err);
	}
	json_decref(old);
	return rc;
}

int life_study_create(struct db *db, const struct actor *a, json_t *in, int64_t *id, struct dj_error *err)
{
	int64_t org;
	const char *month, *title, *note;
	int rc;
	if ((rc = scope_can_manage(a, err)))
		return rc;
	if (!json_is_object(in))
		return dj_fail(err, DJ_EINVAL, "", "请求体应为 JSON 对象");
	if ((rc = v_id(in, "org_id", "党组织", true, &org, err)) || (rc = v_str(in, "month", "月份", 7, true, &month, err)) ||
	    (rc = v_str(in, "title", "计划名称", 100, true, &title, err)) || (rc = v_str(in, "note", "说明", 1000, false, &note, err)) ||
	    (rc = items_check(json_object_get(in, "items"), err)))
		return rc;
	if (!valid_month(month))
		return dj_fail(err, DJ_EINVAL, "month", "月份格式应为 YYYY-MM");
	if (scope_org(db, a, org, err)) {
		strcpy(err->field, "org_id");
		return err->code;
	}
	bool twin = false;
	if ((rc = db_exists(db, &twin, "SELECT 1 FROM study_plan WHERE org_id = ? AND month = ?",
			    DB_ARGS(DB_I(org), DB_T(month)), err)))
		return rc;
	if (twin)
		return dj_fail(err, DJ_ECONFLICT, "month", "该党组织 %s 的学习计划已存在，请在原计划中修改", month);
	char now[21];
	date_now_iso(now);
	if ((rc = db_begin(db, err)))
		return rc;
	rc = db_int1(db, id, "INSERT INTO study_plan(org_id, month, title, note, user_id, created_at, updated_at)"
			     " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
		     DB_ARGS(DB_I(org), DB_T(month), DB_T(title), DB_T(note), a->user_id ? DB_I(a->user_id) : DB_NULL,
			     DB_T(now), DB_T(now)), err);
	if (!rc)
		rc = items_write(db, *id, json_object_get(in, "items"), err);
	if (!rc)
		rc = audit_write(db, a, "study.create", "study_plan", *id, NULL, in, err);
	return db_end(db, rc, err);
}

/* The org of the actor's own member record; 0 when it is gone. */
static int study_member_org(struct db *db, const struct actor *a, int64_t *org, struct dj_error *err)
{
	*org = 0;
	return db_int1(db, org, "SELECT coalesce((SELECT org_id FROM member WHERE id = ?), 0)",
		       DB_ARGS(DB_I(a->member_id)), err);
}

static int plan_org(struct db *db, const struct actor *a, int64_t id, bool write, int64_t *org, struct dj_error *err)
{
	int rc;
	if (write && (rc = scope_can_manage(a, err)))
		return rc;
	/* The outer SELECT always has a row: a missing plan reads as org 0. */
	*org = 0;
	bool in = false;
	if ((rc = db_int1(db, org, "SELECT coalesce((SELECT org_id FROM study_plan WHERE id = ?), 0)",
			  DB_ARGS(DB_I(id)), err)) ||
	    (*org && (rc = scope_has_org(db, a, *org, &in, err))))
		return rc;
	/* Readers: anyone whose scope meets the plan's subtree (a member of a branch below it). */
	if (*org && !in && !write) {
		int64_t mine = a->org_id;
		if (a->member_id && (rc = study_member_org(db, a, &mine, err)))
			return rc;
		if (mine && (rc = org_contains(db, *org, mine, &in, err)))
			return rc;
	}
	return in ? 0 : dj_fail(err, DJ_ENOTFOUND, "id", "学习计划不存在");
}

int life_study_update(struct db *db, const struct actor *a, int64_t id, json_t *in, struct dj_error *err)
{
	int64_t org;
	const char *title, *note;
	int rc;
	if ((rc = plan_org(db, a, id, true, &org, err)))
		return rc;
	if (!json_is_object(in))
		return dj_fail(err, DJ_EINVAL, "", "请求体应为 JSON 对象");
	if ((rc = v_str(in, "title", "计划名称", 100, false, &title, err)) || (rc = v_str(in, "note", "说明", 1000, false, &note, err)))
		return rc;
	json_t *items = json_object_get(in, "items");
	if (items && (rc = items_check(items, err)))
		return rc;
	if ((rc = db_begin(db, err)))
		return rc;
	json_t *before = life_study_get(db, a, id, err);
	if (!before)
		return db_end(db, err->code, err);
	char now[21];
	date_now_iso(now);
	rc = db_run(db, "UPDATE study_plan SET title = coalesce(?, title), note = coalesce(?, note), updated_at = ? WHERE id = ?",
		    DB_ARGS(DB_T(title), DB_T(note), DB_T(now), DB_I(id)), err);
	if (!rc && items)
		rc = items_write(db, id, items, err);
	if (!rc)
		rc = audit_write(db, a, "study.update", "study_plan", id, before, in, err);
	json_decref(before);
	return db_end(db, rc, err);
}

json_t *life_study_get(struct db *db, const struct actor *a, int64_t id, struct dj_error *err)
{
	int64_t org;
	if (plan_org(db, a, id, false, &org, err))
		return NULL;
	json_t *p = db_row(db, "SELECT p.id, p.org_id, o.name AS org_name, p.month, p.title, p.note, p.updated_at"
			       " FROM study_plan p JOIN org o ON o.id = p.org_id WHERE p.id = ?", DB_ARGS(DB_I(id)), err);
	if (!p)
		return NULL;
	json_t *items = db_rows(db, "SELECT i.id, i.week, i.title, i.kind, i.url, i.note,"
				    " (SELECT count(*) FROM study_done d WHERE d.item_id = i.id) AS done_count,"
				    " (SELECT count(*) FROM study_done d WHERE d.item_id = i.id AND d.member_id = ?) AS done"
				    " FROM study_item i WHERE i.plan_id = ? ORDER BY i.week, i.seq",
				DB_ARGS(DB_I(a->member_id), DB_I(id)), err);
	if (!items) {
		json_decref(p);
		return NULL;
	}
	json_object_set_new(p, "items", items);
	/* May the actor edit it?  "No" is an answer; a failed query is not. */
	struct dj_error we = {0};
	int wrc = plan_org(db, a, id, true, &org, &we);
	json_decref(we.details);
	if (wrc && wrc != DJ_ENOTFOUND && wrc != DJ_EFORBIDDEN) {
		dj_fail(err, wrc, we.field, "%s", we.msg);
		json_decref(p);
		return NULL;
	}
	json_object_set_new(p, "can_edit", json_boolean(wrc == 0));
	return p;
}

json_t *life_study_list(struct db *db, const struct actor *a, int64_t org, const char *month, struct dj_error *err)
{
	/* The plans that reach the actor: of their org and of every org above it. */
	int64_t at = org;
	int rc = at ? 0 : a->member_id ? study_member_org(db, a, &at, err) : scope_root_of(db, a, &at, err);
	if (rc == DJ_ENOTFOUND)	/* no org yet: no plans */
		dj_error_clear(err);
	else if (rc)
		return NULL;
	if (org && scope_org(db, a, org, err))
		return NULL;
	if (month && !valid_month(month)) {
		dj_fail(err, DJ_EINVAL, "month", "月份格式应为 YYYY-MM");
		return NULL;
	}
	struct db_where w = {0};
	db_where_arg(&w, DB_I(a->member_id));	/* the "done" count in the select list comes first */
	db_where_add(&w, "(" ORG_IN_ANCESTORS("p.org_id", "?") " OR " ORG_IN_SUBTREE("p.org_id", "?") ")",
		     DB_ARGS(DB_I(at), DB_I(a->role == ROLE_MEMBER ? -1 : at)));
	if (month)
		db_where_add(&w, "p.month = ?", DB_ARGS(DB_T(month)));
	char *sql = xasprintf("SELECT p.id, p.org_id, o.name AS org_name, p.month, p.title,"
			      " (SELECT count(*) FROM study_item i WHERE i.plan_id = p.id) AS items,"
			      " (SELECT count(*) FROM study_done d JOIN study_item i ON i.id = d.item_id"
			      "  WHERE i.plan_id = p.id AND d.member_id = ?) AS done"
			      " FROM study_plan p JOIN org o ON o.id = p.org_id%s ORDER BY p.month DESC, o.name_key LIMIT 100",
			      db_where_sql(&w));
	json_t *rows = db_rows(db, sql, w.n, w.args, err);
	free(sql);
	db_where_free(&w);
	return rows ? json_pack("{s:o}", "items", rows) : NULL;
}

json_t *life_study_progress(struct db *db, const struct actor *a, int64_t id, struct dj_error *err)
{
	int64_t org;
	if (plan_org(db, a, id, true, &org, err))
		return NULL;
	int64_t nitems = 0;
	if (db_int1(db, &nitems, "SELECT count(*) FROM study_item WHERE plan_id = ?", DB_ARGS(DB_I(id)), err))
		return NULL;
	json_t *branches = db_rows(db,
		"SELECT o.id AS org_id, o.name AS org_name, count(DISTINCT m.id) AS members,"
		" count(d.item_id) AS done, sum(CASE WHEN (SELECT count(*) FROM study_done d2 JOIN study_item i2 ON i2.id = d2.item_id"
		"  WHERE i2.plan_id = ? AND d2.member_id = m.id) = ? THEN 1 ELSE 0 END) AS completed_members"
		" FROM " ORG_TREE_AS("c") " JOIN org o ON o.id = c.descendant JOIN member m ON m.org_id = o.id AND m.active = 1"
		" LEFT JOIN study_done d ON d.member_id = m.id AND d.item_id IN (SELECT id FROM study_item WHERE plan_id = ?)"
		" WHERE c.ancestor = ? GROUP BY o.id, o.name, o.name_key ORDER BY o.name_key",
		DB_ARGS(DB_I(id), DB_I(nitems), DB_I(id), DB_I(org)), err);
	if (!branches)
		return NULL;
	size_t i;
	json_t *b;
	json_array_foreach(branches, i, b) {
		int64_t m = json_integer_value(json_object_get(b, "members")), d = json_integer_value(json_object_get(b, "done"));
		json_object_set_new(b, "rate", json_real(m && nitems ? (double)d / (double)(m * nitems) : 0.0));
	}
	return json_pack("{s:I, s:I, s:o}", "plan_id", (json_int_t)id, "items", (json_int_t)nitems, "branches", branches);
}

int life_study_done(struct db *db, const struct actor *a, int64_t item, bool done, struct dj_error *err)
{
	int64_t plan, org;
	int rc;
	if (!a->member_id)
		return dj_fail(err, DJ_EFORBIDDEN, "member", "您的账号未关联党员信息");
	plan = 0;
	if ((rc = db_int1(db, &plan, "SELECT coalesce((SELECT plan_id FROM study_item WHERE id = ?), 0)",
			  DB_ARGS(DB_I(item)), err)))
		return rc;
	if (!plan)
		return dj_fail(err, DJ_ENOTFOUND, "id", "学习内容不存在");
	int64_t mine = 0;
	bool within = false;
	if ((rc = study_member_org(db, a, &mine, err)) || (rc = plan_org(db, a, plan, false, &org, err)) ||
	    (rc = org_contains(db, org, mine, &within, err)))
		return rc;
	if (!within)
		return dj_fail(err, DJ_EFORBIDDEN, "id", "该学习计划不面向您所在的党组织");
	char now[21];
	date_now_iso(now);
	if ((rc = db_begin(db, err)))
		return rc;
	bool had = false;
	rc = db_exists(db, &had, "SELECT 1 FROM study_done WHERE item_id = ? AND member_id = ?",
		       DB_ARGS(DB_I(item), DB_I(a->member_id)), err);
	if (rc)
		;
	else if (done && !had)
		rc = db_run(db, "INSERT INTO study_done(item_id, member_id, done_at) VALUES (?, ?, ?)",
			    DB_ARGS(DB_I(item), DB_I(a->member_id), DB_T(now)), err);
	else if (!done && had)
		rc = db_run(db, "DELETE FROM study_done WHERE item_id = ? AND member_id = ?", DB_ARGS(DB_I(item), DB_I(a->member_id)), err);
	if (!rc && done != had) {
		json_t *what = json_pack("{s:I, s:b}", "item_id", (json_int_t)item, "done", done);
		rc = audit_write(db, a, "study.done", "study_plan", plan, NULL, what, err);
		json_decref(what);
	}
	return db_end(db, rc, err);
}
