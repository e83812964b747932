/* oversight.c — what the bureau sees of a plan: the matrix of assignees ×
 * tasks, quotas achieved against targets, contacts, and points. */
#include "task/task_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/date.h"
#include "core/mem.h"
#include "core/valid.h"
#include "crypto/pii.h"
#include "db/db.h"
#include "org/org.h"

static const char *const state_names[] = {"not_started", "in_progress", "submitted", "accepted", "returned", "overdue"};
#define NSTATES 6

static int state_index(const char *s)
{
	for (int i = 0; i < NSTATES; i++)
		if (strcmp(state_names[i], s) == 0)
			return i;
	return 0;
}

/* Per task: counts by state and quota sums over all assignees. */
static json_t *task_summaries(struct db *db, int64_t plan_id, const char *today, struct dj_error *err)
{
	json_t *tasks = db_rows(db, "SELECT t.id, t.title, t.scope, t.due_on, t.points, c.name AS campaign FROM task t"
				    " LEFT JOIN campaign c ON c.id = t.campaign_id WHERE t.plan_id = ?"
				    " ORDER BY coalesce(c.sort, 0), t.sort, t.id", DB_ARGS(DB_I(plan_id)), err);
	if (!tasks)
		return NULL;
	/* Counted by stored status in task_tally (kept by triggers on
	 * assignment, task_module.c), then turned into states per task: the
	 * state depends only on the status, the task's due date and today. */
	json_t *counts = db_rows(db, "SELECT a.task_id, " TASK_STATE_SQL " AS state, CAST(sum(a.n) AS BIGINT) AS n FROM"
				     " task_tally a JOIN task t ON t.id = a.task_id WHERE a.plan_id = ? AND a.n > 0"
				     " GROUP BY a.task_id, 2", DB_ARGS(DB_T(today), DB_I(plan_id)), err);
	/* Target: min per assignee × assignees, or the total; achieved: the sum reported. */
	json_t *quotas = !counts ? NULL : db_rows(db,
		"SELECT q.task_id, q.id, q.item, q.unit, q.per, q.min_value AS min, q.max_value AS max,"
		" (SELECT CAST(coalesce(sum(c.n), 0) AS BIGINT) FROM task_tally c WHERE c.plan_id = t.plan_id"
		"  AND c.task_id = q.task_id) AS assignees,"
		" (SELECT coalesce(sum(x.achieved), 0) FROM assignment_quota x WHERE x.quota_id = q.id) AS achieved,"
		" (SELECT coalesce(sum(x.achieved), 0) FROM assignment_quota x JOIN assignment a ON a.id = x.assignment_id"
		"  WHERE x.quota_id = q.id AND a.status = 'accepted') AS accepted"
		" FROM task_quota q JOIN task t ON t.id = q.task_id WHERE t.plan_id = ? ORDER BY q.task_id, q.sort, q.id",
		DB_ARGS(DB_I(plan_id)), err);
	if (!quotas) {
		json_decref(tasks);
		json_decref(counts);
		return NULL;
	}
	size_t i, j;
	json_t *t, *o;
	json_array_foreach(tasks, i, t) {
		int64_t tid = json_integer_value(json_object_get(t, "id"));
		json_t *by = json_object();
		int64_t total = 0;
		for (int k = 0; k < NSTATES; k++)
			json_object_set_new(by, state_names[k], json_integer(0));
		json_array_foreach(counts, j, o) {
			if (json_integer_value(json_object_get(o, "task_id")) != tid)
				continue;
			int64_t n = json_integer_value(json_object_get(o, "n"));
			json_object_set_new(by, json_string_value(json_object_get(o, "state")), json_integer(n));
			total += n;
		}
		json_object_set_new(t, "states", by);
		json_object_set_new(t, "assignees", json_integer(total));
		json_t *qs = json_array();
		json_array_foreach(quotas, j, o) {
			if (json_integer_value(json_object_get(o, "task_id")) != tid)
				continue;
			json_t *q = json_deep_copy(o);
			json_object_del(q, "task_id");
			json_t *mn = json_object_get(o, "min");
			double n = (double)json_integer_value(json_object_get(o, "assignees"));
			bool per = strcmp(json_string_value(json_object_get(o, "per")), "assignee") == 0;
			if (json_is_number(mn))
				json_object_set_new(q, "target", json_real(json_number_value(mn) * (per ? n : 1)));
			else
				json_object_set_new(q, "target", json_null());
			json_array_append_new(qs, q);
		}
		json_object_set_new(t, "quotas", qs);
	}
	json_decref(counts);
	json_decref(quotas);
	return tasks;
}

json_t *task_matrix(struct db *db, const struct actor *a, int64_t plan_id, int page, int size, struct dj_error *err)
{
	json_t *p = task_plan_row(db, a, plan_id, true, err);
	if (!p)
		return NULL;
	const char *today = a->today;
	json_t *tasks = task_summaries(db, plan_id, today, err);
	int64_t norgs = 0;
	/* The plan's assignee orgs from task_plan_org (kept with task_tally). */
	if (!tasks || db_int1(db, &norgs, "SELECT count(*) FROM task_plan_org WHERE plan_id = ? AND n > 0",
			      DB_ARGS(DB_I(plan_id)), err)) {
		json_decref(tasks);
		json_decref(p);
		return NULL;
	}
	json_t *orgs = db_rows(db, "SELECT o.id, o.code, o.name, o.kind FROM task_plan_org x JOIN org o ON o.id = x.org_id"
				   " WHERE x.plan_id = ? AND x.n > 0 ORDER BY o.sort, o.code LIMIT ? OFFSET ?",
			       DB_ARGS(DB_I(plan_id), DB_I(size), DB_I((int64_t)(page - 1) * size)), err);
	/* The cells of this page of orgs: one query, placed by (org, task). */
	json_t *cells = !orgs ? NULL : db_rows(db,
		"SELECT a.id, a.org_id, a.task_id, " TASK_STATE_SQL " AS state, a.late_days FROM assignment a"
		" JOIN task t ON t.id = a.task_id WHERE a.plan_id = ? AND a.org_id IN"
		" (SELECT o.id FROM task_plan_org x JOIN org o ON o.id = x.org_id WHERE x.plan_id = ? AND x.n > 0"
		"  ORDER BY o.sort, o.code LIMIT ? OFFSET ?)",
		DB_ARGS(DB_T(today), DB_I(plan_id), DB_I(plan_id), DB_I(size), DB_I((int64_t)(page - 1) * size)), err);
	if (!cells) {
		json_decref(orgs);
		json_decref(tasks);
		json_decref(p);
		return NULL;
	}
	size_t ntasks = json_array_size(tasks), i, j;
	json_t *o, *c;
	json_array_foreach(orgs, i, o) {
		json_t *row = json_array();
		for (size_t k = 0; k < ntasks; k++)
			json_array_append_new(row, json_null());
		json_object_set_new(o, "cells", row);
	}
	json_array_foreach(cells, i, c) {
		int64_t org = json_integer_value(json_object_get(c, "org_id"));
		int64_t tid = json_integer_value(json_object_get(c, "task_id"));
		json_t *row = NULL;
		json_array_foreach(orgs, j, o) if (json_integer_value(json_object_get(o, "id")) == org) row =
			json_object_get(o, "cells");
		for (size_t k = 0; row && k < ntasks; k++)
			if (json_integer_value(json_object_get(json_array_get(tasks, k), "id")) == tid) {
				const char *st = json_string_value(json_object_get(c, "state"));
				json_array_set_new(row, k, json_pack("{s:I, s:s, s:I}", "id",
								   json_integer_value(json_object_get(c, "id")), "state",
								   state_names[state_index(st)], "late_days",
								   json_integer_value(json_object_get(c, "late_days"))));
			}
	}
	json_decref(cells);
	/* The totals over the whole plan. */
	json_t *totals = json_object();
	for (int k = 0; k < NSTATES; k++) {
		int64_t n = 0;
		json_array_foreach(tasks, i, o) n += json_integer_value(json_object_get(json_object_get(o, "states"),
											 state_names[k]));
		json_object_set_new(totals, state_names[k], json_integer(n));
	}
	json_t *out = json_pack("{s:o, s:o, s:o, s:o, s:I, s:i, s:i}", "plan", p, "tasks", tasks, "orgs", orgs, "totals",
				totals, "total_orgs", (json_int_t)norgs, "page", page, "size", size);
	return out;
}

/* ---- contacts -------------------------------------------------------- */

static void contact_field(char out[48], int64_t org_id, const char *which)
{
	snprintf(out, 48, "plan_contact.%lld.%s", (long long)org_id, which);
}

int task_contact_set(struct db *db, const struct actor *a, int64_t plan_id, int64_t org_id, json_t *in,
		     struct dj_error *err)
{
	const char *ln, *lp, *cn, *cp;
	int rc;
	if ((rc = scope_can_manage(a, err)) || (rc = v_str(in, "leader_name", "分管领导", 20, true, &ln, err)) ||
	    (rc = v_str(in, "leader_phone", "分管领导电话", 20, true, &lp, err)) ||
	    (rc = v_str(in, "clerk_name", "经办人", 20, true, &cn, err)) ||
	    (rc = v_str(in, "clerk_phone", "经办人电话", 20, true, &cp, err)))
		return rc;
	if (!valid_phone(lp))
		return dj_fail(err, DJ_EINVAL, "leader_phone", "分管领导电话格式不正确（手机号11位，或区号-号码）");
	if (!valid_phone(cp))
		return dj_fail(err, DJ_EINVAL, "clerk_phone", "经办人电话格式不正确（手机号11位，或区号-号码）");
	json_t *p = task_plan_row(db, a, plan_id, false, err);
	if (!p)
		return err->code;
	bool closed = task_row_plan_status(p, "status") == PLAN_CLOSED;
	json_decref(p);
	bool inside = false, assigned = false;
	if ((rc = scope_has_org(db, a, org_id, &inside, err)) ||
	    (inside && (rc = db_exists(db, &assigned, "SELECT 1 FROM assignment WHERE plan_id = ? AND org_id = ? LIMIT 1",
				   DB_ARGS(DB_I(plan_id), DB_I(org_id)), err))))
		return rc;
	if (!assigned)
		return dj_fail(err, DJ_ENOTFOUND, "org", "该单位不是本方案的承担单位");
	if (closed)
		return dj_fail(err, DJ_ECONFLICT, "", "工作方案已结束");
	char f1[48], f2[48], now[21];
	contact_field(f1, org_id, "leader_phone");
	contact_field(f2, org_id, "clerk_phone");
	char *s1 = pii_seal(plan_id, f1, lp), *s2 = pii_seal(plan_id, f2, cp);
	date_now_iso(now);
	if (!(rc = db_begin(db, err))) {
		rc = db_run(db, "DELETE FROM plan_contact WHERE plan_id = ? AND org_id = ?", DB_ARGS(DB_I(plan_id), DB_I(org_id)),
			    err);
		if (!rc)
			rc = db_run(db, "INSERT INTO plan_contact(plan_id, org_id, leader_name, leader_phone_enc, clerk_name,"
					" clerk_phone_enc, user_id, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
				    DB_ARGS(DB_I(plan_id), DB_I(org_id), DB_T(ln), DB_T(s1), DB_T(cn), DB_T(s2),
					    a->user_id ? DB_I(a->user_id) : DB_NULL, DB_T(now)), err);
		if (!rc) {
			/* The audit keeps names, never the numbers. */
			json_t *what = json_pack("{s:I, s:s, s:s}", "org_id", (json_int_t)org_id, "leader_name", ln,
						 "clerk_name", cn);
			rc = audit_write(db, a, "task.contact", "plan", plan_id, NULL, what, err);
			json_decref(what);
		}
		rc = db_end(db, rc, err);
	}
	free(s1);
	free(s2);
	return rc;
}

json_t *task_contacts(struct db *db, const struct actor *a, int64_t plan_id, struct dj_error *err)
{
	json_t *p = task_plan_row(db, a, plan_id, false, err);
	if (!p)
		return NULL;
	bool manage = false;
	int64_t root = 0;
	if (scope_has_org(db, a, json_integer_value(json_object_get(p, "org_id")), &manage, err) ||
	    (!manage && scope_root_of(db, a, &root, err))) {
		json_decref(p);
		return NULL;
	}
	const char *due = json_string_value(json_object_get(p, "contacts_due"));
	const char *today = a->today;
	bool past = due && strcmp(today, due) > 0;
	json_t *rows = db_rows(db,
		"SELECT o.id AS org_id, o.code, o.name AS org_name, c.leader_name, c.leader_phone_enc, c.clerk_name,"
		" c.clerk_phone_enc, c.updated_at FROM org o LEFT JOIN plan_contact c ON c.plan_id = ? AND c.org_id = o.id"
		" WHERE o.id IN (SELECT DISTINCT org_id FROM assignment WHERE plan_id = ?)"
		" AND (? = 0 OR " ORG_EXISTS_IN_SUBTREE("oc", "?", "o.id") ")"
		" ORDER BY o.sort, o.code",
		DB_ARGS(DB_I(plan_id), DB_I(plan_id), DB_I(root), DB_I(root)), err);
	if (!rows) {
		json_decref(p);
		return NULL;
	}
	int64_t missing = 0;
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		int64_t org = json_integer_value(json_object_get(r, "org_id"));
		static const char *const fields[] = {"leader_phone", "clerk_phone"};
		for (int k = 0; k < 2; k++) {
			char key[40], f[48];
			snprintf(key, sizeof key, "%s_enc", fields[k]);
			contact_field(f, org, fields[k]);
			char *plain = pii_open(plan_id, f, json_string_value(json_object_get(r, key)));
			char *masked = plain ? pii_mask_phone(plain) : NULL;
			json_object_set_new(r, fields[k], masked ? json_string(masked) : json_null());
			free(masked);
			if (plain)
				free(plain);
			json_object_del(r, key);
		}
		bool named = json_is_string(json_object_get(r, "leader_name"));
		if (!named)
			missing++;
		json_object_set_new(r, "overdue", json_boolean(!named && past));
	}
	json_t *out = json_pack("{s:o, s:s?, s:I, s:b}", "items", rows, "contacts_due", due, "missing", (json_int_t)missing,
				"past_due", past);
	json_decref(p);
	return out;
}

json_t *task_contact_reveal(struct db *db, const struct actor *a, int64_t plan_id, int64_t org_id,
			    const char *field, struct dj_error *err)
{
	if (!field || (strcmp(field, "leader_phone") != 0 && strcmp(field, "clerk_phone") != 0)) {
		dj_fail(err, DJ_EINVAL, "field", "field 应为 leader_phone 或 clerk_phone");
		return NULL;
	}
	if (scope_can_manage(a, err))
		return NULL;
	json_t *p = task_plan_row(db, a, plan_id, false, err);
	if (!p)
		return NULL;
	bool manage = false;
	int rc = scope_has_org(db, a, json_integer_value(json_object_get(p, "org_id")), &manage, err);
	json_decref(p);
	if (!rc && !manage)
		rc = scope_has_org(db, a, org_id, &manage, err);
	if (rc)
		return NULL;
	if (!manage) {
		dj_fail(err, DJ_ENOTFOUND, "", "联系人不存在");
		return NULL;
	}
	char key[96], f[48];
	snprintf(key, sizeof key, "SELECT %s_enc FROM plan_contact WHERE plan_id = ? AND org_id = ?", field);
	char *enc = NULL;
	rc = db_text1(db, &enc, key, DB_ARGS(DB_I(plan_id), DB_I(org_id)), err);
	if (rc && rc != DJ_ENOTFOUND)
		return NULL;
	if (rc || !enc) {
		free(enc);
		dj_fail(err, DJ_ENOTFOUND, "", "联系人不存在");
		return NULL;
	}
	contact_field(f, org_id, field);
	char *plain = pii_open(plan_id, f, enc);
	free(enc);
	if (!plain) {
		dj_fail(err, DJ_EIO, "", "无法解密联系人电话（密钥文件不匹配？）");
		return NULL;
	}
	rc = db_begin(db, err);
	if (!rc) {
		json_t *what = json_pack("{s:I, s:s}", "org_id", (json_int_t)org_id, "field", field);
		rc = audit_write(db, a, "task.contact_reveal", "plan", plan_id, NULL, what, err);
		json_decref(what);
		rc = db_end(db, rc, err);
	}
	json_t *out = rc ? NULL : json_pack("{s:s, s:s}", "field", field, "value", plain);
	free(plain);
	return out;
}

/* ---- points --------------------------------------------------------- */

json_t *task_scores(struct db *db, const struct actor *a, int64_t plan_id, int year, struct dj_error *err)
{
	json_t *p = NULL;
	if (plan_id && !(p = task_plan_row(db, a, plan_id, true, err)))
		return NULL;
	json_decref(p);
	char y0[11] = "", y1[11] = "";
	const char *today = a->today;
	if (year) {
		snprintf(y0, sizeof y0, "%04d-01-01", year);
		snprintf(y1, sizeof y1, "%04d-12-31", year);
	}
	int64_t root = 0;
	int rc = scope_root_of(db, a, &root, err);
	if (rc == DJ_ENOTFOUND)	/* no org yet: nothing to score */
		dj_error_clear(err);
	else if (rc)
		return NULL;
	json_t *rows = db_rows(db,
		"SELECT a.org_id, o.name AS org_name, count(*) AS tasks,"
		" sum(t.points) AS possible,"
		" sum(CASE WHEN s.pts IS NULL THEN 0 ELSE s.pts END) AS earned,"
		" sum(CASE WHEN s.pts IS NULL THEN 0 ELSE t.points - s.pts END) AS lost,"
		" sum(CASE WHEN s.pts IS NULL THEN 1 ELSE 0 END) AS pending"
		" FROM assignment a JOIN task t ON t.id = a.task_id JOIN plan p ON p.id = a.plan_id JOIN org o ON o.id = a.org_id"
		" JOIN (SELECT a.id, " TASK_POINTS_SQL " AS pts FROM assignment a JOIN task t ON t.id = a.task_id"
		"  JOIN plan p ON p.id = a.plan_id) s ON s.id = a.id"
		" WHERE p.status <> 'draft' AND (? = 0 OR a.plan_id = ?) AND (CAST(? AS TEXT) IS NULL OR (p.ends_on >= ? AND p.ends_on <= ?))"
		" AND EXISTS (SELECT 1 FROM " ORG_TREE_AS("c") " WHERE c.ancestor = ? AND (c.descendant = a.org_id OR c.descendant = p.org_id))"
		" GROUP BY a.org_id, o.name, o.sort, o.code ORDER BY earned DESC, o.sort, o.code",
		DB_ARGS(DB_T(today), DB_I(plan_id), DB_I(plan_id), DB_T(y0), DB_T(y0), DB_T(y1), DB_I(root)), err);
	return rows;
}

int task_score_of(struct db *db, int64_t org_id, int year, const char *today, double *earned, double *lost,
		  double *possible, struct dj_error *err)
{
	char y0[11], y1[11];
	snprintf(y0, sizeof y0, "%04d-01-01", year);
	snprintf(y1, sizeof y1, "%04d-12-31", year);
	json_t *r = db_row(db,
		"SELECT coalesce(sum(t.points), 0) AS possible, coalesce(sum(s.pts), 0) AS earned,"
		" coalesce(sum(CASE WHEN s.pts IS NULL THEN 0 ELSE t.points - s.pts END), 0) AS lost"
		" FROM assignment a JOIN task t ON t.id = a.task_id JOIN plan p ON p.id = a.plan_id"
		" JOIN (SELECT a.id, " TASK_POINTS_SQL " AS pts FROM assignment a JOIN task t ON t.id = a.task_id"
		"  JOIN plan p ON p.id = a.plan_id) s ON s.id = a.id"
		" WHERE a.org_id = ? AND p.status <> 'draft' AND p.ends_on >= ? AND p.ends_on <= ?",
		DB_ARGS(DB_T(today), DB_I(org_id), DB_T(y0), DB_T(y1)), err);
	if (!r)
		return err ? err->code : DJ_EDB;
	*earned = json_number_value(json_object_get(r, "earned"));
	*lost = json_number_value(json_object_get(r, "lost"));
	*possible = json_number_value(json_object_get(r, "possible"));
	json_decref(r);
	return 0;
}

/* ---- findings ------------------------------------------------------- */

json_t *task_findings(struct db *db, const struct actor *a, int64_t org_root, struct dj_error *err)
{
	if (scope_org(db, a, org_root, err))
		return NULL;
	const char *today = a->today;
	json_t *late = db_rows(db,
		"SELECT a.id, a.org_id, o.name AS org_name, t.title, t.due_on, p.title AS plan_title FROM assignment a"
		" JOIN task t ON t.id = a.task_id JOIN plan p ON p.id = a.plan_id JOIN org o ON o.id = a.org_id"
		" " ORG_JOIN_UP("c", "a.org_id") " AND c.ancestor = ?"
		" WHERE p.status = 'published' AND a.status IN ('not_started', 'in_progress', 'returned') AND t.due_on < ?"
		" ORDER BY t.due_on, o.sort, o.code",
		DB_ARGS(DB_I(org_root), DB_T(today)), err);
	json_t *contacts = late ? db_rows(db,
		"SELECT DISTINCT a.org_id, o.name AS org_name, p.title AS plan_title, p.contacts_due FROM assignment a"
		" JOIN plan p ON p.id = a.plan_id JOIN org o ON o.id = a.org_id"
		" " ORG_JOIN_UP("c", "a.org_id") " AND c.ancestor = ?"
		" WHERE p.status = 'published' AND p.contacts_due < ? AND NOT EXISTS"
		" (SELECT 1 FROM plan_contact pc WHERE pc.plan_id = p.id AND pc.org_id = a.org_id)"
		" ORDER BY o.name", DB_ARGS(DB_I(org_root), DB_T(today)), err) : NULL;
	if (!contacts) {
		json_decref(late);
		return NULL;
	}
	json_t *out = json_array();
	size_t i;
	json_t *r;
	json_array_foreach(late, i, r) {
		const char *due = json_string_value(json_object_get(r, "due_on"));
		json_t *f = json_pack("{s:s, s:s, s:s, s:O, s:O}", "rule", "task.overdue", "level", "error", "title",
				      "任务逾期未报", "org_id", json_object_get(r, "org_id"), "assignment_id", json_object_get(r, "id"));
		json_object_set_new(f, "message", json_sprintf("%s：《%s》%s，截止 %s，已逾期%lld天",
							      json_string_value(json_object_get(r, "org_name")),
							      json_string_value(json_object_get(r, "plan_title")),
							      json_string_value(json_object_get(r, "title")), due,
							      (long long)date_diff(due, today)));
		json_array_append_new(out, f);
	}
	json_array_foreach(contacts, i, r)
		json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:O, s:s+++++}", "rule", "task.contacts", "level", "warn",
						     "title", "联系人未报送", "org_id", json_object_get(r, "org_id"), "message",
						     json_string_value(json_object_get(r, "org_name")), "：《",
						     json_string_value(json_object_get(r, "plan_title")), "》的分管领导和经办人应于",
						     json_string_value(json_object_get(r, "contacts_due")), "前报送"));
	json_decref(late);
	json_decref(contacts);
	return out;
}
