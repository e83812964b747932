/* member_roster_rules.c — the roster's findings and 待办 (issue 11):
 *   - a 介绍信 whose 回执 is not back when the letter's validity ended;
 *   - a mobile member without a 思想汇报 to the home org for a year;
 *   - a member who for 3 months (a warning) or 6 months (党章 art. 9: treated
 *     as having left) took no part in organizational life, or did none of
 *     the work assigned to them.  Organizational life: no attendance as
 *     present or excused (请假) at any activity held in the window, anywhere
 *     (a mobile member's attendance at the host counts at home), while
 *     activities expected them.  Assigned work: the items of their branch's
 *     study plans (学习计划), the work the platform assigns to a member; none
 *     done in the window while items were assigned (a plan of an org covers
 *     its whole subtree, as in life/study.c).
 * The 待办: a transfer to accept (the receiving org), a receipt coming due
 * or overdue (the sending org), a yearly report coming due (the home org). */
#include "member/member_roster.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/mem.h"
#include "core/setting.h"
#include "db/db.h"
#include "org/org.h"
#include "platform/todo.h"

#define SUBTREE_OF(col) ORG_IN_SUBTREE(col, "?1")

static bool want(const char *rule, const char *id)
{
	return !rule || strcmp(rule, id) == 0;
}

static const char *js(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int64_t ji(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static void finding(json_t *out, const char *rule, const char *level, const char *title, const char *msg,
		    int64_t org, const char *org_name, json_t *records)
{
	json_t *f = json_pack("{s:s, s:s, s:s, s:s, s:I, s:s?}", "rule", rule, "level", level, "title", title, "message",
			      msg, "org_id", (json_int_t)org, "org_name", org_name);
	if (records)
		json_object_set_new(f, "records", records);
	json_array_append_new(out, f);
}

static int receipts_overdue(struct db *db, int64_t root, const char *today, json_t *out, struct dj_error *err)
{
	json_t *rows = db_rows(db, "SELECT t.id, m.name, t.letter_no, t.place, t.on_date, t.valid_until, t.from_org,"
				   " o.name AS org_name FROM transfer t JOIN member m ON m.id = t.member_id JOIN org o ON o.id = t.from_org"
				   " WHERE t.kind = 'out' AND t.status = 'issued' AND t.valid_until < ?2 AND " SUBTREE_OF("t.from_org")
				   " ORDER BY t.valid_until, t.id", DB_ARGS(DB_I(root), DB_T(today)), err);
	if (!rows)
		return err->code;
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		char msg[600];
		snprintf(msg, sizeof msg, "%s的组织关系介绍信（%s，转往%s）有效期至%s，回执尚未收回", js(r, "name"),
			 js(r, "letter_no"), js(r, "place"), js(r, "valid_until"));
		finding(out, "member.receipt_overdue", "error", "介绍信回执逾期", msg, ji(r, "from_org"), js(r, "org_name"),
			json_pack("[{s:I, s:s, s:s}]", "rid", (json_int_t)ji(r, "id"), "rkind", "transfer", "title", js(r, "name")));
	}
	json_decref(rows);
	return 0;
}

static int reports_missing(struct db *db, int64_t root, const char *today, json_t *out, struct dj_error *err)
{
	int64_t months;
	int rc = setting_get_int(db, "rule.mobile_report_months", 12, &months, err);
	if (rc)
		return rc;
	char cutoff[11];
	date_add(cutoff, today, 0, -(int)months, 0);
	json_t *rows = db_rows(db, "SELECT h.id, h.member_id, m.name, h.since, h.home_org, o.name AS org_name,"
				   " (SELECT max(r.on_date) FROM mobile_report r WHERE r.hosting_id = h.id) AS last_on"
				   " FROM mobile_hosting h JOIN member m ON m.id = h.member_id JOIN org o ON o.id = h.home_org"
				   " WHERE h.ended_on IS NULL AND m.active = 1 AND h.since < ?2 AND " SUBTREE_OF("h.home_org")
				   " AND NOT EXISTS (SELECT 1 FROM mobile_report r WHERE r.hosting_id = h.id AND r.on_date >= ?2)"
				   " ORDER BY h.home_org, h.id", DB_ARGS(DB_I(root), DB_T(cutoff)), err);
	if (!rows)
		return err->code;
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		char msg[600];
		const char *last = js(r, "last_on");
		snprintf(msg, sizeof msg, "流动党员%s（%s起外出）%s，已超过%lld个月未向党组织报告思想", js(r, "name"),
			 js(r, "since"), last ? last : "从未提交思想汇报", (long long)months);
		if (last) {
			char m2[600];
			snprintf(m2, sizeof m2, "流动党员%s上次思想汇报为%s，已超过%lld个月未向党组织报告思想", js(r, "name"), last,
				 (long long)months);
			snprintf(msg, sizeof msg, "%s", m2);
		}
		finding(out, "member.mobile_report_missing", "warn", "流动党员思想汇报缺失", msg, ji(r, "home_org"),
			js(r, "org_name"), json_pack("[{s:I, s:s, s:s}]", "rid", (json_int_t)ji(r, "member_id"), "rkind", "member",
						     "title", js(r, "name")));
	}
	json_decref(rows);
	return 0;
}

/* Group the members found by org: one finding per org and level. */
static void idle_findings(json_t *rows, const char *rule, const char *title, const char *what, int months,
			  json_t *out)
{
	int64_t org = -1;
	json_t *members = NULL;
	const char *org_name = NULL;
	size_t i;
	json_t *r;
	for (i = 0; i <= json_array_size(rows); i++) {
		r = json_array_get(rows, i);
		if (members && (!r || ji(r, "org_id") != org)) {
			char msg[600];
			snprintf(msg, sizeof msg, "%s有%zu名党员连续%d个月%s", org_name, json_array_size(members), months, what);
			finding(out, rule, months >= 6 ? "error" : "warn", title, msg, org, org_name, members);
			members = NULL;
		}
		if (!r)
			break;
		if (!members) {
			members = json_array();
			org = ji(r, "org_id");
			org_name = js(r, "org_name");
		}
		json_array_append_new(members, json_pack("{s:I, s:s, s:s, s:s?}", "rid", (json_int_t)ji(r, "id"), "rkind",
							 "member", "title", js(r, "name"), "last_on", js(r, "last_on")));
	}
}

static int idle(struct db *db, int64_t root, const char *today, const char *rule, json_t *out, struct dj_error *err)
{
	int64_t wm, lm;
	int rc;
	if ((rc = setting_get_int(db, "rule.member_idle_warn_months", 3, &wm, err)) ||
	    (rc = setting_get_int(db, "rule.member_idle_months", 6, &lm, err)))
		return rc;
	char s3[11], s6[11], m3[8], m6[8], mnow[8];
	date_add(s3, today, 0, -(int)wm, 0);
	date_add(s6, today, 0, -(int)lm, 0);
	snprintf(m3, sizeof m3, "%.7s", s3);
	snprintf(m6, sizeof m6, "%.7s", s6);
	snprintf(mnow, sizeof mnow, "%.7s", today);
	if (want(rule, "member.no_life_warn") || want(rule, "member.no_life")) {
		/* From the activities of the window (activity_org's (org, date)
		 * index, and the rolls stored by activity): those of the subtree's
		 * orgs and of the orgs hosting its mobile members. */
		json_t *rows = db_rows(db,
			"SELECT m.id, m.name, m.org_id, o.name AS org_name, m.join_date, g.last_on, g.last_expected FROM ("
			" SELECT t.member_id, max(CASE WHEN t.status IN ('present', 'leave') THEN x.on_date END) AS last_on,"
			" max(x.on_date) AS last_expected FROM (SELECT DISTINCT ao.activity_id, ao.on_date FROM activity_org ao"
			" WHERE (" SUBTREE_OF("ao.org_id") " OR ao.org_id IN (SELECT h.host_org FROM mobile_hosting h WHERE "
			SUBTREE_OF("h.home_org") ")) AND ao.on_date > ?3 AND ao.on_date <= ?4 AND ao.held = 1) x"
			" JOIN attendance t ON t.activity_id = x.activity_id GROUP BY t.member_id) g"
			" JOIN member m ON m.id = g.member_id JOIN org o ON o.id = m.org_id"
			" WHERE (g.last_on IS NULL OR g.last_on <= ?2) AND m.active = 1 AND m.join_date <= ?2 AND " SUBTREE_OF("m.org_id")
			" ORDER BY m.org_id, m.name_key, m.id",
			DB_ARGS(DB_I(root), DB_T(s3), DB_T(s6), DB_T(today)), err);
		if (!rows)
			return err->code;
		json_t *lapse = json_array(), *warn = json_array();
		size_t i;
		json_t *r;
		json_array_foreach(rows, i, r) {
			if (!js(r, "last_on") && strcmp(js(r, "join_date"), s6) <= 0)
				json_array_append(lapse, r);
			else if (strcmp(js(r, "last_expected"), s3) > 0)
				json_array_append(warn, r);
		}
		if (want(rule, "member.no_life"))
			idle_findings(lapse, "member.no_life", "党员连续6个月未参加组织生活", "未参加组织生活", (int)lm, out);
		if (want(rule, "member.no_life_warn"))
			idle_findings(warn, "member.no_life_warn", "党员连续3个月未参加组织生活", "未参加组织生活", (int)wm, out);
		json_decref(lapse);
		json_decref(warn);
		json_decref(rows);
	}
	if (want(rule, "member.no_work_warn") || want(rule, "member.no_work")) {
		/* The plans of the window that cover each org (a plan covers its
		 * org's subtree), and each member's last month with an item done. */
		json_t *rows = db_rows(db,
			"SELECT m.id, m.name, m.org_id, o.name AS org_name, m.join_date, d.last_on, p.recent FROM ("
			" SELECT c.descendant AS org_id, sum(CASE WHEN sp.month > ?3 THEN 1 ELSE 0 END) AS recent"
			" FROM study_plan sp " ORG_JOIN_DOWN("c", "sp.org_id") " WHERE sp.month > ?4 AND sp.month <= ?5"
			" AND " SUBTREE_OF("c.descendant") " AND EXISTS (SELECT 1 FROM study_item si WHERE si.plan_id = sp.id)"
			" GROUP BY c.descendant) p JOIN member m ON m.org_id = p.org_id JOIN org o ON o.id = m.org_id"
			" LEFT JOIN (SELECT d.member_id, max(sp.month) AS last_on FROM study_done d JOIN study_item si ON si.id = d.item_id"
			" JOIN study_plan sp ON sp.id = si.plan_id WHERE sp.month > ?4 AND sp.month <= ?5 GROUP BY d.member_id) d"
			" ON d.member_id = m.id WHERE m.active = 1 AND m.join_date <= ?2 AND (d.last_on IS NULL OR d.last_on <= ?3)"
			" ORDER BY m.org_id, m.name_key, m.id",
			DB_ARGS(DB_I(root), DB_T(s3), DB_T(m3), DB_T(m6), DB_T(mnow)), err);
		if (!rows)
			return err->code;
		json_t *lapse = json_array(), *warn = json_array();
		size_t i;
		json_t *r;
		json_array_foreach(rows, i, r) {
			if (!js(r, "last_on") && strcmp(js(r, "join_date"), s6) <= 0)
				json_array_append(lapse, r);
			else if (ji(r, "recent") > 0)
				json_array_append(warn, r);
		}
		if (want(rule, "member.no_work"))
			idle_findings(lapse, "member.no_work", "党员连续6个月未完成分配的任务", "未完成党组织分配的学习任务",
				      (int)lm, out);
		if (want(rule, "member.no_work_warn"))
			idle_findings(warn, "member.no_work_warn", "党员连续3个月未完成分配的任务", "未完成党组织分配的学习任务",
				      (int)wm, out);
		json_decref(lapse);
		json_decref(warn);
		json_decref(rows);
	}
	return 0;
}

int roster_findings(struct db *db, const struct actor *a, int64_t root, const char *today, const char *rule,
		    json_t *out, struct dj_error *err)
{
	(void)a;
	int rc = 0;
	if (want(rule, "member.receipt_overdue"))
		rc = receipts_overdue(db, root, today, out, err);
	if (!rc && want(rule, "member.mobile_report_missing"))
		rc = reports_missing(db, root, today, out, err);
	if (!rc)
		rc = idle(db, root, today, rule, out, err);
	return rc;
}

/* Who acts on an item of the org in `col`: its own accounts (a branch and its
 * 党小组), the org_admins of it or of its nearest 党委, and the system
 * administrators where no such account exists (platform/todo.h). */
#define WHO_ADMIN(col) \
	"(" TODO_COMMITTEE_OF(col) " IS NULL OR NOT " TODO_HAS_ACCOUNT(TODO_COMMITTEE_OF(col), "'org_admin'") ")"
#define WHO_ORG(col) "(" col " = ?2 OR " TODO_COMMITTEE_OF(col) " = ?2)"
#define WHO_BRANCH(col) "(" col " = ?2 OR " col " IN (SELECT id FROM org WHERE parent_id = ?2 AND kind = 'group'))"
#define WHO(a, col) ((a)->role == ROLE_ADMIN ? WHO_ADMIN(col) : (a)->role == ROLE_ORG_ADMIN ? WHO_ORG(col) : WHO_BRANCH(col))

static json_t *todo_rows(struct db *db, const struct actor *a, const char *sql_fmt, const char *who, const char *p1,
			 struct dj_error *err)
{
	char *sql = xasprintf(sql_fmt, who);
	json_t *r = db_rows(db, sql, a->role == ROLE_ADMIN ? 1 : 2, (db_val[]){DB_T(p1), DB_I(a->org_id)}, err);
	free(sql);
	return r;
}

int roster_todos(struct db *db, const struct actor *a, const char *today, json_t *out, struct dj_error *err)
{
	if (a->role == ROLE_MEMBER)
		return 0;
	int64_t accept_days, months;
	int rc;
	if ((rc = setting_get_int(db, "rule.transfer_accept_days", 30, &accept_days, err)) ||
	    (rc = setting_get_int(db, "rule.mobile_report_months", 12, &months, err)))
		return rc;
	char horizon[11], cutoff[11];
	date_add(horizon, today, 0, 0, 30);
	date_add(cutoff, horizon, 0, -(int)months, 0);
	/* Transfers waiting for the receiving org. */
	json_t *rows = todo_rows(db, a, "SELECT t.id, m.name, t.on_date, t.to_org AS org_id, o.name AS org_name,"
				 " f.name AS from_name FROM transfer t JOIN member m ON m.id = t.member_id JOIN org o ON o.id = t.to_org"
				 " JOIN org f ON f.id = t.from_org WHERE t.status = 'pending' AND t.on_date <= ?1 AND %s"
				 " ORDER BY t.on_date, t.id", WHO(a, "t.to_org"), today, err);
	if (!rows)
		return err->code;
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		char title[600], link[48], due[11];
		date_add(due, js(r, "on_date"), 0, 0, (int)accept_days);
		snprintf(title, sizeof title, "接收%s的组织关系（自%s转入%s）", js(r, "name"), js(r, "from_name"), js(r, "org_name"));
		snprintf(link, sizeof link, "/transfers?id=%lld", (long long)ji(r, "id"));
		todo_add(out, "transfer_accept", title, due, link, ji(r, "org_id"), js(r, "org_name"));
	}
	json_decref(rows);
	/* Receipts of letters, coming due or overdue, for the sending org. */
	rows = todo_rows(db, a, "SELECT t.id, m.name, t.letter_no, t.valid_until, t.from_org AS org_id, o.name AS org_name"
			 " FROM transfer t JOIN member m ON m.id = t.member_id JOIN org o ON o.id = t.from_org"
			 " WHERE t.kind = 'out' AND t.status = 'issued' AND t.valid_until <= ?1 AND %s ORDER BY t.valid_until, t.id",
			 WHO(a, "t.from_org"), horizon, err);
	if (!rows)
		return err->code;
	json_array_foreach(rows, i, r) {
		char title[600], link[48];
		snprintf(title, sizeof title, "收回%s的组织关系介绍信回执（%s，有效期至%s）", js(r, "name"), js(r, "letter_no"),
			 js(r, "valid_until"));
		snprintf(link, sizeof link, "/transfers?id=%lld", (long long)ji(r, "id"));
		todo_add(out, "transfer_receipt", title, js(r, "valid_until"), link, ji(r, "org_id"), js(r, "org_name"));
	}
	json_decref(rows);
	/* Yearly reports of mobile members, for the home org. */
	rows = todo_rows(db, a, "SELECT h.id, m.name, h.home_org AS org_id, o.name AS org_name,"
			 " coalesce((SELECT max(r.on_date) FROM mobile_report r WHERE r.hosting_id = h.id), h.since) AS last_on"
			 " FROM mobile_hosting h JOIN member m ON m.id = h.member_id JOIN org o ON o.id = h.home_org"
			 " WHERE h.ended_on IS NULL AND m.active = 1 AND coalesce((SELECT max(r.on_date) FROM mobile_report r"
			 " WHERE r.hosting_id = h.id), h.since) <= ?1 AND %s ORDER BY h.id",
			 WHO(a, "h.home_org"), cutoff, err);
	if (!rows)
		return err->code;
	json_array_foreach(rows, i, r) {
		char title[600], link[48], due[11];
		date_add(due, js(r, "last_on"), 0, (int)months, 0);
		snprintf(title, sizeof title, "流动党员%s的年度思想汇报（上次%s）", js(r, "name"), js(r, "last_on"));
		snprintf(link, sizeof link, "/mobile?id=%lld", (long long)ji(r, "id"));
		todo_add(out, "mobile_report", title, due, link, ji(r, "org_id"), js(r, "org_name"));
	}
	json_decref(rows);
	return 0;
}
