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

/* The members found, grouped by org as they come (ordered by org): one
 * finding per org and level. */
struct idle_group {
	const char *rule, *title, *what;
	int months;
	json_t *found;		/* the findings */
	json_t *members;	/* the current org's records */
	int64_t org;
	char *org_name;
};

static void group_flush(struct idle_group *g)
{
	if (!g->members)
		return;
	char msg[600];
	snprintf(msg, sizeof msg, "%s有%zu名党员连续%d个月%s", g->org_name, json_array_size(g->members), g->months, g->what);
	finding(g->found, g->rule, g->months >= 6 ? "error" : "warn", g->title, msg, g->org, g->org_name, g->members);
	g->members = NULL;
	free(g->org_name);
	g->org_name = NULL;
}

/* A member's record; `kind` is the shared string "member" (200,000 records
 * at a province root: one allocation fewer each). */
static void group_add(struct idle_group *g, json_t *kind, int64_t org, const char *org_name, int64_t id,
		      const char *name, const char *last_on)
{
	if (g->members && org != g->org)
		group_flush(g);
	if (!g->members) {
		g->members = json_array();
		g->org = org;
		g->org_name = xstrdup(org_name);
	}
	json_t *r = json_object();
	json_object_set_new_nocheck(r, "rid", json_integer(id));
	json_object_set_nocheck(r, "rkind", kind);
	json_object_set_new_nocheck(r, "title", json_string(name));
	json_object_set_new_nocheck(r, "last_on", last_on ? json_string(last_on) : json_null());
	json_array_append_new(g->members, r);
}

/* Move the findings of the wanted groups into `out`, 6 months first. */
static void groups_done(struct idle_group *lapse, struct idle_group *warn, const char *rule, json_t *out)
{
	group_flush(lapse);
	group_flush(warn);
	if (want(rule, lapse->rule))
		json_array_extend(out, lapse->found);
	if (want(rule, warn->rule))
		json_array_extend(out, warn->found);
	json_decref(lapse->found);
	json_decref(warn->found);
}

/* When a member's time in the party counts from: their joining, or their
 * coming back after a membership that ended (member_end.back_on: a transfer
 * out of the platform and back in, a restored membership) — the months away
 * are no months without organizational life. */
#define IDLE_SINCE "(SELECT max(e.back_on) FROM member_end e WHERE e.member_id = m.id)"

static const char *since_of(const char *join, const char *back)
{
	return back && *back && strcmp(back, join) > 0 ? back : join;
}

static int64_t day_of(const char *s)
{
	int y, m, d;
	return date_parse(s, &y, &m, &d) ? date_days(y, m, d) : 0;
}

/* Each member's last attendance (any status: expected) and last present or
 * excused, as day numbers (0: none), at the held activities of the window
 * of the subtree's orgs and of the orgs hosting its mobile members.  The
 * window's roll calls (2,000,000 at a province root over 6 months) are read
 * in activity order and kept per member id in C: SQLite's GROUP BY sorted
 * them all first, 4 of the 4.6 s. */
struct life_last {
	int64_t n;		/* ids 0 .. n-1 */
	int32_t *on, *expected;
};

static int life_last_load(struct db *db, int64_t root, const char *from, const char *to, struct life_last *l,
			  struct dj_error *err)
{
	memset(l, 0, sizeof *l);
	int64_t max = 0;
	int rc = db_int1(db, &max, "SELECT coalesce(max(id), 0) FROM member", DB_NOARGS, err);
	if (rc)
		return rc;
	l->n = max + 1;
	l->on = xcalloc((size_t)l->n, sizeof *l->on);
	l->expected = xcalloc((size_t)l->n, sizeof *l->expected);
	struct db_stmt *st = db_query(db,
		"SELECT t.member_id, CASE WHEN t.status IN ('present', 'leave') THEN 1 ELSE 0 END, x.on_date FROM"
		" (SELECT DISTINCT ao.activity_id, ao.on_date FROM activity_org ao WHERE (" SUBTREE_OF("ao.org_id")
		" OR ao.org_id IN (SELECT h.host_org FROM mobile_hosting h WHERE " SUBTREE_OF("h.home_org") "))"
		" AND ao.on_date > ?2 AND ao.on_date <= ?3 AND ao.held = 1) x JOIN attendance t ON t.activity_id = x.activity_id",
		DB_ARGS(DB_I(root), DB_T(from), DB_T(to)), err);
	if (!st)
		return err->code;
	char last[11] = "";
	int32_t day = 0;
	while ((rc = db_next(st)) > 0) {
		int64_t id = db_int(st, 0);
		if (id <= 0 || id >= l->n)
			continue;
		const char *d = db_text(st, 2);
		if (strncmp(d, last, 10) != 0) {	/* rows come by activity: one date for many */
			snprintf(last, sizeof last, "%s", d);
			day = (int32_t)day_of(d);
		}
		if (day > l->expected[id])
			l->expected[id] = day;
		if (db_int(st, 1) && day > l->on[id])
			l->on[id] = day;
	}
	db_done(st);
	return rc < 0 ? err->code : 0;
}

static void life_last_free(struct life_last *l)
{
	free(l->on);
	free(l->expected);
}

static int no_life(struct db *db, int64_t root, const char *today, const char *rule, const char *s3, const char *s6,
		   int wm, int lm, json_t *out, struct dj_error *err)
{
	struct life_last l;
	int rc = life_last_load(db, root, s6, today, &l, err);
	/* Those expected in the window and not present since s3: a few hundred. */
	int64_t d3 = day_of(s3), ncand = 0;
	struct buf ids = {0};
	for (int64_t id = 1; !rc && id < l.n; id++)
		if (l.expected[id] && l.on[id] <= d3) {
			buf_printf(&ids, "%s%lld", ncand++ ? "," : "", (long long)id);
		}
	struct idle_group lapse = {"member.no_life", "党员连续6个月未参加组织生活", "未参加组织生活", lm, json_array(), 0, 0, 0},
			  warn = {"member.no_life_warn", "党员连续3个月未参加组织生活", "未参加组织生活", wm, json_array(), 0, 0, 0};
	if (!rc && ncand) {
		char *sql = xasprintf("SELECT m.id, m.name, m.org_id, o.name, m.join_date, " IDLE_SINCE " FROM member m"
				      " JOIN org o ON o.id = m.org_id WHERE m.id IN (%s) AND m.active = 1 AND " SUBTREE_OF("m.org_id")
				      " ORDER BY m.org_id, m.name_key, m.id", ids.data);
		struct db_stmt *st = db_query(db, sql, DB_ARGS(DB_I(root)), err);
		free(sql);
		json_t *kind = json_string("member");
		while (st && (rc = db_next(st)) > 0) {
			int64_t id = db_int(st, 0);
			const char *since = since_of(db_text(st, 4), db_isnull(st, 5) ? NULL : db_text(st, 5));
			if (strcmp(since, s3) > 0)
				continue;
			char on[11], *last_on = NULL;
			if (l.on[id]) {
				int y, m, d;
				date_from_days(l.on[id], &y, &m, &d);
				date_format(on, y, m, d);
				last_on = on;
			}
			if (!last_on && strcmp(since, s6) <= 0)
				group_add(&lapse, kind, db_int(st, 2), db_text(st, 3), id, db_text(st, 1), NULL);
			else if (l.expected[id] > d3)
				group_add(&warn, kind, db_int(st, 2), db_text(st, 3), id, db_text(st, 1), last_on);
		}
		json_decref(kind);
		rc = !st ? err->code : rc < 0 ? err->code : 0;
		db_done(st);
	}
	groups_done(&lapse, &warn, rule, out);
	buf_free(&ids);
	life_last_free(&l);
	return rc;
}

/* The plans of the window that cover each org (a plan covers its org's
 * subtree), and each member's last month with an item done. */
static int no_work(struct db *db, int64_t root, const char *rule, const char *s3, const char *s6, const char *m3,
		   const char *m6, const char *mnow, int wm, int lm, json_t *out, struct dj_error *err)
{
	/* Each member's last month with an item done, from the window's plans
	 * (a few hundred) and their items' rows, not every row ever done. */
	json_t *last = json_object();
	struct db_stmt *st = db_query(db, "SELECT d.member_id, max(sp.month) FROM study_plan sp"
					  " JOIN study_item si ON si.plan_id = sp.id JOIN study_done d ON d.item_id = si.id"
					  " WHERE sp.month > ?1 AND sp.month <= ?2 GROUP BY d.member_id",
				      DB_ARGS(DB_T(m6), DB_T(mnow)), err);
	int rc = st ? 0 : err->code;
	while (st && (rc = db_next(st)) > 0) {
		char k[24];
		snprintf(k, sizeof k, "%lld", (long long)db_int(st, 0));
		json_object_set_new_nocheck(last, k, json_string(db_text(st, 1)));
	}
	if (st)
		rc = rc < 0 ? err->code : 0;
	db_done(st);
	struct idle_group lapse = {"member.no_work", "党员连续6个月未完成分配的任务", "未完成党组织分配的学习任务", lm,
				   json_array(), 0, 0, 0},
			  warn = {"member.no_work_warn", "党员连续3个月未完成分配的任务", "未完成党组织分配的学习任务", wm,
				  json_array(), 0, 0, 0};
	st = rc ? NULL : db_query(db,
		"SELECT m.id, m.name, m.org_id, o.name AS org_name, m.join_date, " IDLE_SINCE ", p.recent FROM ("
		" SELECT c.descendant AS org_id, sum(CASE WHEN sp.month > ?3 THEN 1 ELSE 0 END) AS recent"
		" FROM study_plan sp " ORG_JOIN_DOWN("c", "sp.org_id") " WHERE sp.month > ?4 AND sp.month <= ?5"
		" AND " SUBTREE_OF("c.descendant") " AND EXISTS (SELECT 1 FROM study_item si WHERE si.plan_id = sp.id)"
		" GROUP BY c.descendant) p JOIN member m ON m.org_id = p.org_id JOIN org o ON o.id = m.org_id"
		" WHERE m.active = 1 AND m.join_date <= ?2 ORDER BY m.org_id, m.name_key, m.id",
		DB_ARGS(DB_I(root), DB_T(s3), DB_T(m3), DB_T(m6), DB_T(mnow)), err);
	if (!rc && !st)
		rc = err->code;
	json_t *kind = json_string("member");
	while (st && (rc = db_next(st)) > 0) {
		char k[24];
		snprintf(k, sizeof k, "%lld", (long long)db_int(st, 0));
		const char *last_on = json_string_value(json_object_get(last, k));
		if (last_on && strcmp(last_on, m3) > 0)
			continue;
		const char *since = since_of(db_text(st, 4), db_isnull(st, 5) ? NULL : db_text(st, 5));
		if (strcmp(since, s3) > 0)
			continue;
		if (!last_on && strcmp(since, s6) <= 0)
			group_add(&lapse, kind, db_int(st, 2), db_text(st, 3), db_int(st, 0), db_text(st, 1), NULL);
		else if (db_int(st, 6) > 0)
			group_add(&warn, kind, db_int(st, 2), db_text(st, 3), db_int(st, 0), db_text(st, 1), last_on);
	}
	if (st)
		rc = rc < 0 ? err->code : 0;
	db_done(st);
	json_decref(kind);
	json_decref(last);
	groups_done(&lapse, &warn, rule, out);
	return rc;
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
	if (want(rule, "member.no_life_warn") || want(rule, "member.no_life"))
		rc = no_life(db, root, today, rule, s3, s6, (int)wm, (int)lm, out, err);
	if (!rc && (want(rule, "member.no_work_warn") || want(rule, "member.no_work")))
		rc = no_work(db, root, rule, s3, s6, m3, m6, mnow, (int)wm, (int)lm, out, err);
	return rc;
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
