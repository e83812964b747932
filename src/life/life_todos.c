/* life_todos.c — the organizational-life module's 待办:
 *  - for a branch's admins, each org-level meeting its rules (life_rule)
 *    want by the end of this month (a monthly rule, or the last month of a
 *    quarterly or yearly one) and not yet held, as 本月待开展 counts them;
 *  - for a member (any account with a member record), the items of this
 *    month's study plans that reach their org (of the org or any above it),
 *    not yet done: 月计划周推送 — week N's items land on that week's Monday
 *    (week 1 on the 1st) and are due on its Sunday (at most the month's
 *    last day); an item of a past week stays, overdue, until the month ends. */
#include "life/life_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "db/db.h"
#include "org/org.h"
#include "platform/todo.h"

#define S(r, k) json_string_value(json_object_get(r, k))
#define I(r, k) json_integer_value(json_object_get(r, k))

/* Week `w` (1–5) of month y-m: the day it lands and the day it is due. */
static void life_week_bounds(int y, int m, int w, char start[11], char end[11])
{
	int64_t first = date_days(y, m, 1);
	int ny = m == 12 ? y + 1 : y, nm = m == 12 ? 1 : m + 1;
	int64_t last = date_days(ny, nm, 1) - 1;
	int64_t monday = first - ((first + 3) % 7);	/* 1970-01-01 was a Thursday */
	int64_t s = monday + 7 * (w - 1), e = s + 6;
	if (s < first)
		s = first;
	if (s > last)
		s = last;
	if (e > last)
		e = last;
	int yy, mm, dd;
	date_from_days(s, &yy, &mm, &dd);
	date_format(start, yy, mm, dd);
	date_from_days(e, &yy, &mm, &dd);
	date_format(end, yy, mm, dd);
}

static int todos_study(struct db *db, const struct actor *a, const char *today, json_t *out, struct dj_error *err)
{
	char month[8];
	snprintf(month, sizeof month, "%.7s", today);
	json_t *rows = db_rows(db,
		"SELECT i.id, i.week, i.title, p.id AS plan_id, p.title AS plan_title, p.org_id, o.name AS org_name"
		" FROM member m " ORG_JOIN_UP("c", "m.org_id") " JOIN study_plan p ON p.org_id = c.ancestor"
		" JOIN study_item i ON i.plan_id = p.id JOIN org o ON o.id = p.org_id"
		" WHERE m.id = ?1 AND m.active = 1 AND p.month = ?2"
		" AND NOT EXISTS (SELECT 1 FROM study_done d WHERE d.item_id = i.id AND d.member_id = ?1)"
		" ORDER BY i.week, p.id, i.seq, i.id", DB_ARGS(DB_I(a->member_id), DB_T(month)), err);
	if (!rows)
		return err->code;
	int y = atoi(today), m = atoi(today + 5);
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		char start[11], end[11], title[600];
		life_week_bounds(y, m, (int)I(r, "week"), start, end);
		if (strcmp(start, today) > 0)	/* not pushed yet */
			continue;
		snprintf(title, sizeof title, "学习第%lld周：%s（%s）", (long long)I(r, "week"), S(r, "title"),
			 S(r, "plan_title"));
		todo_add(out, "study", title, end, "/mylife", I(r, "org_id"), S(r, "org_name"));
	}
	json_decref(rows);
	return 0;
}

/* The rules whose window ends this month, for the actor's org and a
 * branch's 党小组; 支部委员会 only where a committee (3+ officers) exists. */
static int todos_meetings(struct db *db, const struct actor *a, const char *today, json_t *out, struct dj_error *err)
{
	int y = atoi(today), m = atoi(today + 5);
	char month_first[11], quarter_first[11], year_first[11], last[11];
	date_format(month_first, y, m, 1);
	date_format(quarter_first, y, m - (m - 1) % 3, 1);
	date_format(year_first, y, 1, 1);
	date_add(last, month_first, 0, 1, -1);
	json_t *rows = db_rows(db,
		"SELECT o.id AS org_id, o.name AS org_name, r.activity_kind, k.label, r.period, r.min_count,"
		" (SELECT count(*) FROM activity_org x WHERE x.org_id = o.id AND x.kind = r.activity_kind AND x.held = 1"
		"  AND x.on_date BETWEEN (CASE r.period WHEN 'quarter' THEN ?3 WHEN 'year' THEN ?4 ELSE ?2 END) AND ?5) AS held,"
		" (SELECT count(*) FROM org_officer f WHERE f.term_id = (SELECT t.id FROM org_term t WHERE t.org_id = o.id"
		"  ORDER BY t.elected_on DESC, t.id DESC LIMIT 1)) AS officers"
		" FROM org o JOIN life_rule r ON r.org_kind = o.kind AND r.who = 'org' JOIN activity_kind k ON k.code = r.activity_kind"
		" WHERE o.status = 'active' AND (o.id = ?1 OR (o.parent_id = ?1 AND o.kind = 'group'))"
		" ORDER BY o.id, k.sort",
		DB_ARGS(DB_I(a->org_id), DB_T(month_first), DB_T(quarter_first), DB_T(year_first), DB_T(last)), err);
	if (!rows)
		return err->code;
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		const char *period = S(r, "period"), *kind = S(r, "activity_kind");
		if ((strcmp(period, "quarter") == 0 && m % 3) || (strcmp(period, "year") == 0 && m != 12))
			continue;	/* its window does not end this month */
		if (strcmp(kind, "committee_meeting") == 0 && I(r, "officers") < 3)
			continue;
		if (I(r, "held") >= I(r, "min_count"))
			continue;
		char title[400], link[64];
		snprintf(title, sizeof title, "%s%s%s尚未召开", S(r, "org_name"),
			 strcmp(period, "month") == 0 ? "本月" : strcmp(period, "quarter") == 0 ? "本季度" : "本年度",
			 S(r, "label"));
		snprintf(link, sizeof link, "/life?org=%lld&kind=%s", (long long)I(r, "org_id"), kind);
		todo_add(out, "meeting", title, last, link, I(r, "org_id"), S(r, "org_name"));
	}
	json_decref(rows);
	return 0;
}

int life_todos(struct db *db, const struct actor *a, const char *today, json_t *out, struct dj_error *err)
{
	int rc = 0;
	if (a->role != ROLE_MEMBER && a->role != ROLE_ADMIN && a->org_id)
		rc = todos_meetings(db, a, today, out, err);
	if (!rc && a->member_id)
		rc = todos_study(db, a, today, out, err);
	return rc;
}
