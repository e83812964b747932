/* life_figures.c — organizational life's figures (platform/figure.h):
 * activities held by kind (场次), attendance (人次) and its rate, the
 * 三会一课 落实率, 党组会议 with their 党建议题 and 第一议题, and the
 * monthly study plans pushed week by week (月计划周推送). */
#include "platform/figure.h"

#include <stdio.h>
#include <stdlib.h>

#include "db/db.h"

/* Breakdown keys as users read them (figure.h by_label): activity kinds
 * are a table (an admin adds kinds), study item kinds a list. */
static int kind_label(struct db *db, const char *key, char *out, size_t cap, struct dj_error *err)
{
	char *label = NULL;
	int rc = db_text1(db, &label, "SELECT coalesce((SELECT label FROM activity_kind WHERE code = ?), '')",
			  DB_ARGS(DB_T(key)), err);
	if (!rc)
		snprintf(out, cap, "%s", label ? label : "");
	free(label);
	return rc;
}

static int study_kind_label(struct db *db, const char *key, char *out, size_t cap, struct dj_error *err)
{
	static const struct figure_key_label kinds[] = {
		{"article", "文章"}, {"course", "课程"}, {"video", "视频"}, {"file", "文件"}, {0},
	};
	figure_label_from(kinds, key, out, cap);
	return 0;
}

/* Activities held by the scope's orgs in the period (a joint activity
 * counts once for each org that held it, as each org reports it). */
#define HELD(cond)                                                                                              \
	"SELECT ao.activity_id AS rid, 'activity' AS rkind, a.topic AS title, ao.org_id, ao.on_date, ao.kind"    \
	" FROM activity_org ao JOIN activity a ON a.id = ao.activity_id WHERE ao.org_id IN {{SUBTREE}}"           \
	" AND ao.on_date BETWEEN ?2 AND ?3 AND ao.held = 1" cond

/* Kept (figure.h): the counters the triggers of life_module.c keep —
 * life_tally (held activities per org, year, kind; a column per month) and
 * att_tally (attendance per attendee org, year, kind) — for every month the
 * period touches, less the records of the days of its first and last month
 * that lie outside it (found through activity_org's (org, date) index). */
#define P2 "CAST(?2 AS TEXT)"
#define P3 "CAST(?3 AS TEXT)"
#define YEAR_OF(p) "CAST(substr(" p ", 1, 4) AS BIGINT)"
#define YM_OF(p) "(" YEAR_OF(p) " * 100 + CAST(substr(" p ", 6, 2) AS BIGINT))"
#define IN_PERIOD(col, mm) "CASE WHEN c.year * 100 + " mm " BETWEEN " YM_OF(P2) " AND " YM_OF(P3) " THEN c." col mm " ELSE 0 END"
#define MONTHS_SUM(col)                                                                                         \
	"coalesce(sum(" IN_PERIOD(col, "01") " + " IN_PERIOD(col, "02") " + " IN_PERIOD(col, "03") " + "           \
	IN_PERIOD(col, "04") " + " IN_PERIOD(col, "05") " + " IN_PERIOD(col, "06") " + " IN_PERIOD(col, "07") " + " \
	IN_PERIOD(col, "08") " + " IN_PERIOD(col, "09") " + " IN_PERIOD(col, "10") " + " IN_PERIOD(col, "11") " + " \
	IN_PERIOD(col, "12") "), 0)"
#define COUNTERS(table, col, key, cond, group)                                                                  \
	"SELECT " key MONTHS_SUM(col) " FROM " table " c WHERE c.org_id IN {{SUBTREE}} AND c.year BETWEEN "          \
	YEAR_OF(P2) " AND " YEAR_OF(P3) cond group
/* The days of the first month before ?2, and of the last month after ?3.
 * A period of whole months has none: the test on the parameters alone
 * comes first, so neither engine looks at a row then (each edge cost a
 * probe per org of the scope, 10 ms at a province root). */
#define P_NUM(p, a, b) "CAST(substr(" p ", " #a ", " #b ") AS INTEGER)"
#define LEAP(y) "(" y " % 4 = 0 AND (" y " % 100 <> 0 OR " y " % 400 = 0))"
#define LAST_DAY(p)                                                                                             \
	"CASE " P_NUM(p, 6, 2) " WHEN 2 THEN CASE WHEN " LEAP(P_NUM(p, 1, 4)) " THEN 29 ELSE 28 END"               \
	" WHEN 4 THEN 30 WHEN 6 THEN 30 WHEN 9 THEN 30 WHEN 11 THEN 30 ELSE 31 END"
#define BEFORE_FROM(d) " AND " P_NUM(P2, 9, 2) " > 1 AND " d " >= substr(" P2 ", 1, 7) || '-01' AND " d " < " P2
#define AFTER_TO(d)                                                                                             \
	" AND " P_NUM(P3, 9, 2) " < " LAST_DAY(P3) " AND " d " > " P3 " AND " d " <= substr(" P3 ", 1, 7) || '-31'"
/* Held activities: `key` "" or "ao.kind, " (with `group` " GROUP BY ao.kind"). */
#define HELD_EDGE(key, edge, cond, group)                                                                       \
	" UNION ALL SELECT " key "-count(*) FROM activity_org ao WHERE ao.org_id IN {{SUBTREE}} AND ao.held = 1"      \
	edge cond group
#define KEPT_HELD_(cond_c, cond, kc, ka, gc, ga)                                                               \
	COUNTERS("life_tally", "m", kc, cond_c, gc) HELD_EDGE(ka, BEFORE_FROM("ao.on_date"), cond, ga)              \
	HELD_EDGE(ka, AFTER_TO("ao.on_date"), cond, ga)
#define KEPT_HELD(cond_c, cond) KEPT_HELD_(cond_c, cond, "", "", "", "")
#define KEPT_HELD_BY_KIND(cond_c, cond) KEPT_HELD_(cond_c, cond, "c.kind, ", "ao.kind, ", " GROUP BY c.kind", " GROUP BY ao.kind")
/* Attendance (`col` "p" present or "n" all): the kept rows are those of an
 * org that holds the activity; on the edge days those are found through
 * the holder's activity_org row; the others (att_foreign) are added as the
 * records query counts them. */
#define ATT_EDGE(key, edge, cond, group)                                                                        \
	" UNION ALL SELECT " key "-count(*) FROM activity_org ao JOIN attendance t ON t.activity_id = ao.activity_id" \
	" AND t.org_id = ao.org_id JOIN activity a ON a.id = ao.activity_id WHERE ao.org_id IN {{SUBTREE}}"          \
	edge " AND a.status = 'held'" cond group
/* att_foreign is small (guests from other orgs): it leads, in that order
 * (CROSS JOIN), and the `+` keeps SQLite's planner, which has no statistics
 * to tell it so, from probing attendance by every (org, activity) pair of
 * the two IN lists instead — a province year took minutes that way. */
#define ATT_FOREIGN(key, cond, group)                                                                           \
	" UNION ALL SELECT " key "count(*) FROM att_foreign g CROSS JOIN attendance t CROSS JOIN activity a"          \
	" WHERE t.activity_id = g.activity_id AND t.member_id = g.member_id AND a.id = t.activity_id"               \
	" AND +t.org_id IN {{SUBTREE}} AND a.on_date BETWEEN ?2 AND ?3 AND a.status = 'held'"                       \
	" AND +t.activity_id IN (SELECT ao.activity_id FROM activity_org ao WHERE ao.org_id IN {{SUBTREE}}"         \
	" AND ao.on_date BETWEEN ?2 AND ?3)" cond group
#define KEPT_ATT_(col, cond_c, cond, kc, ka, gc, ga)                                                          \
	COUNTERS("att_tally", col, kc, cond_c, gc) ATT_EDGE(ka, BEFORE_FROM("ao.on_date"), cond, ga)                \
	ATT_EDGE(ka, AFTER_TO("ao.on_date"), cond, ga) ATT_FOREIGN(ka, cond, ga)
#define KEPT_ATT(col, cond_c, cond) KEPT_ATT_(col, cond_c, cond, "", "", "", "")
#define KEPT_ATT_BY_KIND(col, cond_c, cond)                                                                    \
	KEPT_ATT_(col, cond_c, cond, "c.kind, ", "a.kind, ", " GROUP BY c.kind", " GROUP BY a.kind")

/* One kind of activity, by its activity_kind code. */
#define KIND(label, code)                                                                                   \
	{FIGURE("life." code ".count", label, "次", FIGURE_COUNT, FIGURE_FLOW, HELD(" AND ao.kind = '" code "'")), \
	 .kept = KEPT_HELD(" AND c.kind = '" code "'", " AND ao.kind = '" code "'"),                          \
	 .note = "期间内已开展的" label "（场次）"}

/* The attendance of the scope's members at the activities its orgs held in
 * the period.  The activities are found first, through activity_org's
 * (org, date) index: counting from attendance's org index read every roll
 * call of the subtree (4–5 s for a province month, now about 1 s).  The
 * `+` keeps SQLite from seeking attendance by (org, activity) for every
 * pair of the two lists. */
#define ATTENDANCE(cond)                                                                                        \
	"SELECT t.activity_id AS rid, 'activity' AS rkind, m.name || '：' || a.topic AS title, t.org_id,         \
	 a.on_date, a.kind, t.status, t.member_id FROM attendance t JOIN activity a ON a.id = t.activity_id         \
	 JOIN member m ON m.id = t.member_id WHERE t.activity_id IN (SELECT ao.activity_id FROM activity_org ao     \
	 WHERE ao.org_id IN {{SUBTREE}} AND ao.on_date BETWEEN ?2 AND ?3) AND +t.org_id IN {{SUBTREE}}            \
	 AND a.on_date BETWEEN ?2 AND ?3 AND a.status = 'held'" cond

#define RATE(code, label)                                                                                       \
	{FIGURE("life." code ".attendance_rate", label "出勤率", "%", FIGURE_RATIO, FIGURE_FLOW,                     \
		ATTENDANCE(" AND a.kind = '" code "' AND t.status = 'present'")),                                 \
	 .den = ATTENDANCE(" AND a.kind = '" code "'"),                                                          \
	 .kept = KEPT_ATT("p", " AND c.kind = '" code "'", " AND a.kind = '" code "' AND t.status = 'present'"), \
	 .kept_den = KEPT_ATT("n", " AND c.kind = '" code "'", " AND a.kind = '" code "'"),                     \
	 .note = label "出席人次 ÷ 应到人次"}

#define THREE_ONE "'general_meeting', 'committee_meeting', 'group_meeting', 'lecture'"

/* 三会一课 落实率: of the orgs that existed through the whole period and
 * whose kind has 三会一课 rules (life_rule, who = org), those that held
 * each such meeting in every month or quarter (the rule's period) lying
 * wholly inside the period.  A month or quarter the period only partly
 * covers is not judged, so 1 January to 15 October judges January to
 * September and the first three quarters.  Records are orgs. */
#define P_INT(p, a, b) "CAST(substr(CAST(" p " AS TEXT), " #a ", " #b ") AS INTEGER)"
#define COMPLIANCE_UNITS "WITH " COMPLIANCE_CTES
#define COMPLIANCE_CTES                                                                                         \
	"p AS (SELECT " P_INT("?2", 1, 4) " AS fy, " P_INT("?2", 6, 2) " AS fm, " P_INT("?2", 9, 2) " AS fd, " \
	P_INT("?3", 1, 4) " AS ty, " P_INT("?3", 6, 2) " AS tm, " P_INT("?3", 9, 2) " AS td),"                     \
	" q AS (SELECT p.*, CASE WHEN tm = 2 THEN CASE WHEN ty % 4 = 0 AND (ty % 100 <> 0 OR ty % 400 = 0)"       \
	" THEN 29 ELSE 28 END WHEN tm IN (4, 6, 9, 11) THEN 30 ELSE 31 END AS tdim FROM p),"                        \
	" u AS (SELECT 'month' AS period, fy * 12 + fm - 1 + CASE WHEN fd = 1 THEN 0 ELSE 1 END AS lo,"           \
	" ty * 12 + tm - 1 - CASE WHEN td = tdim THEN 0 ELSE 1 END AS hi FROM q"                                   \
	" UNION ALL SELECT 'quarter', fy * 4 + (fm - 1) / 3 + CASE WHEN fd = 1 AND (fm - 1) % 3 = 0 THEN 0 ELSE 1 END," \
	" ty * 4 + (tm - 1) / 3 - CASE WHEN td = tdim AND tm % 3 = 0 THEN 0 ELSE 1 END FROM q"                     \
	" UNION ALL SELECT 'year', fy + CASE WHEN fd = 1 AND fm = 1 THEN 0 ELSE 1 END,"                             \
	" ty - CASE WHEN tm = 12 AND td = 31 THEN 0 ELSE 1 END FROM q)"

/* The index of a date's month, quarter or year, as in `u`. */
#define UNIT_OF(d, period)                                                                                      \
	"CASE " period " WHEN 'month' THEN CAST(substr(" d ", 1, 4) AS INTEGER) * 12 + CAST(substr(" d ", 6, 2) AS INTEGER) - 1" \
	" WHEN 'quarter' THEN CAST(substr(" d ", 1, 4) AS INTEGER) * 4 + (CAST(substr(" d ", 6, 2) AS INTEGER) - 1) / 3" \
	" ELSE CAST(substr(" d ", 1, 4) AS INTEGER) END"

#define COMPLIANCE_ORGS(cond)                                                                                   \
	COMPLIANCE_UNITS " SELECT o.id AS rid, 'org' AS rkind, o.name AS title, o.id AS org_id,"                  \
	" o.founded_on AS on_date, o.kind FROM org o WHERE o.id IN {{SUBTREE}}"                                     \
	" AND o.kind IN (SELECT org_kind FROM life_rule WHERE who = 'org' AND activity_kind IN (" THREE_ONE "))"   \
	" AND (o.founded_on IS NULL OR o.founded_on <= ?2) AND (o.ended_on IS NULL OR o.ended_on > ?3)" cond

#define COMPLIANCE_MET                                                                                          \
	" AND NOT EXISTS (SELECT 1 FROM life_rule r JOIN u ON u.period = r.period WHERE r.org_kind = o.kind"       \
	" AND r.who = 'org' AND r.activity_kind IN (" THREE_ONE ") AND u.hi >= u.lo"                               \
	" AND (SELECT count(DISTINCT " UNIT_OF("ao.on_date", "r.period") ") FROM activity_org ao"                  \
	" WHERE ao.org_id = o.id AND ao.on_date BETWEEN ?2 AND ?3 AND ao.kind = r.activity_kind AND ao.held = 1"  \
	" AND " UNIT_OF("ao.on_date", "r.period") " BETWEEN u.lo AND u.hi) < u.hi - u.lo + 1)"

/* Kept (figure.h): the same judgement from life_tally, whose month
 * columns count the held activity_org rows per org, kind, year (and
 * lecture speaker).  Every unit lo..hi lies wholly inside the period, so
 * "held in unit k" is "the unit's months have a count" (summed over the
 * speakers of a year: GROUP BY year).  b holds the period's years and its
 * unit ranges in one row; each rule of an org asks only its own period's
 * sums (CASE), by the key (org, year, kind) of life_tally: the years are a
 * list (yrs), so the key is used to its end.  (A rule of another period
 * joins no unit in the records query, so it is never failed here either.)  A province year: 824M → 261M
 * instructions (SQLite), the value and records unchanged. */
#define MET_MONTH(mm, k) " + CASE WHEN c.year * 12 + " k " BETWEEN b.mlo AND b.mhi AND sum(c.m" mm ") > 0 THEN 1 ELSE 0 END"
#define MET_QUARTER(a, b_, c_, q)                                                                               \
	" + CASE WHEN c.year * 4 + " q " BETWEEN b.qlo AND b.qhi AND sum(c.m" a " + c.m" b_ " + c.m" c_ ") > 0"        \
	" THEN 1 ELSE 0 END"
#define MET_HELD(units)                                                                                         \
	"(SELECT coalesce(sum(h), 0) FROM (SELECT 0" units " AS h FROM life_tally c WHERE c.org_id = o.id"         \
	" AND c.kind = r.activity_kind AND c.year IN (SELECT y FROM yrs) GROUP BY c.year) hy)"
#define MET_MONTHS                                                                                              \
	MET_MONTH("01", "0") MET_MONTH("02", "1") MET_MONTH("03", "2") MET_MONTH("04", "3") MET_MONTH("05", "4")    \
	MET_MONTH("06", "5") MET_MONTH("07", "6") MET_MONTH("08", "7") MET_MONTH("09", "8") MET_MONTH("10", "9")    \
	MET_MONTH("11", "10") MET_MONTH("12", "11")
#define MET_QUARTERS                                                                                            \
	MET_QUARTER("01", "02", "03", "0") MET_QUARTER("04", "05", "06", "1") MET_QUARTER("07", "08", "09", "2")     \
	MET_QUARTER("10", "11", "12", "3")
#define MET_YEAR                                                                                                \
	" + CASE WHEN c.year BETWEEN b.ylo AND b.yhi AND sum(c.m01 + c.m02 + c.m03 + c.m04 + c.m05 + c.m06 + c.m07"  \
	" + c.m08 + c.m09 + c.m10 + c.m11 + c.m12) > 0 THEN 1 ELSE 0 END"
#define KEPT_COMPLIANCE_MET                                                                                     \
	"WITH RECURSIVE " COMPLIANCE_CTES ", yrs(y) AS (SELECT fy FROM p UNION ALL SELECT yrs.y + 1 FROM yrs, p WHERE yrs.y < p.ty),"  \
	" b AS (SELECT um.lo AS mlo, um.hi AS mhi, uq.lo AS qlo, uq.hi AS qhi, uy.lo AS ylo, uy.hi AS yhi"          \
	" FROM u um, u uq, u uy WHERE um.period = 'month' AND uq.period = 'quarter' AND uy.period = 'year')"         \
	" SELECT count(*) FROM b CROSS JOIN org o WHERE o.id IN {{SUBTREE}}"                                        \
	" AND o.kind IN (SELECT org_kind FROM life_rule WHERE who = 'org' AND activity_kind IN (" THREE_ONE "))"   \
	" AND (o.founded_on IS NULL OR o.founded_on <= ?2) AND (o.ended_on IS NULL OR o.ended_on > ?3)"             \
	" AND NOT EXISTS (SELECT 1 FROM life_rule r WHERE r.org_kind = o.kind AND r.who = 'org'"                   \
	" AND r.activity_kind IN (" THREE_ONE ") AND CASE r.period"                                                 \
	" WHEN 'month' THEN b.mhi >= b.mlo AND " MET_HELD(MET_MONTHS) " < b.mhi - b.mlo + 1"                        \
	" WHEN 'quarter' THEN b.qhi >= b.qlo AND " MET_HELD(MET_QUARTERS) " < b.qhi - b.qlo + 1"                    \
	" WHEN 'year' THEN b.yhi >= b.ylo AND " MET_HELD(MET_YEAR) " < b.yhi - b.ylo + 1 ELSE 1 = 0 END)"

/* Agenda items of held activities of the scope's orgs (rid: the activity).
 * Agenda items are few (党组会议, 中心组学习 …): they lead (CROSS JOIN),
 * each finds its activity's orgs by the key, and the scope is a test on
 * each (`+`), rather than every activity of every org of the scope being
 * read for its items (a province year: 0.2 s). */
#define AGENDA(cond)                                                                                            \
	"SELECT ao.activity_id AS rid, 'activity' AS rkind, g.title, ao.org_id, ao.on_date, ao.kind,             \
	 g.id AS agenda_id, g.first_topic, g.party_topic FROM activity_agenda g CROSS JOIN activity_org ao         \
	 WHERE ao.activity_id = g.activity_id AND +ao.org_id IN {{SUBTREE}}                                         \
	 AND ao.on_date BETWEEN ?2 AND ?3 AND ao.held = 1" cond

/* Study plans of the scope's orgs for the months the period touches. */
#define PLAN_MONTHS "p.org_id IN {{SUBTREE}} AND p.month BETWEEN substr(CAST(?2 AS TEXT), 1, 7) AND substr(CAST(?3 AS TEXT), 1, 7)"

#include "life/life_due.h"

const struct figure life_figures[] = {
	{FIGURE("life.activity.count", "组织生活", "次", FIGURE_COUNT, FIGURE_FLOW, HELD("")), .by = "kind", .by_label = kind_label,
	 .kept = KEPT_HELD_BY_KIND("", ""),
	 .note = "期间内已开展的组织生活（场次），按类别分列"},
	{FIGURE("life.three_one.count", "“三会一课”", "次", FIGURE_COUNT, FIGURE_FLOW, HELD(" AND ao.kind IN (" THREE_ONE ")")),
	 .by = "kind", .by_label = kind_label, .kept = KEPT_HELD_BY_KIND(" AND c.kind IN (" THREE_ONE ")", " AND ao.kind IN (" THREE_ONE ")"),
	 .note = "期间内召开的支部党员大会、支部委员会、党小组会和上党课（场次）"},
	KIND("支部党员大会", "general_meeting"),
	KIND("支部委员会", "committee_meeting"),
	KIND("党小组会", "group_meeting"),
	KIND("党课", "lecture"),
	KIND("主题党日活动", "theme_day"),
	KIND("组织生活会", "life_meeting"),
	KIND("民主评议党员", "member_review"),
	KIND("谈心谈话", "talk"),
	KIND("党组会议", "party_group_meeting"),
	KIND("理论学习中心组学习", "study_group"),
	KIND("专题研讨", "seminar"),
	KIND("读书班", "reading_class"),
	KIND("培训班", "training"),
	KIND("红色故事分享会", "red_story"),
	KIND("职工恳谈会", "staff_forum"),
	{FIGURE("life.attendance.present", "参加组织生活", "人次", FIGURE_COUNT, FIGURE_FLOW,
		ATTENDANCE(" AND t.status = 'present'")), .by = "kind", .by_label = kind_label,
	 .kept = KEPT_ATT_BY_KIND("p", "", " AND t.status = 'present'"), .note = "期间内已开展活动的出席人次，按活动类别分列"},
	{FIGURE("life.attendance.rate", "组织生活出勤率", "%", FIGURE_RATIO, FIGURE_FLOW,
		ATTENDANCE(" AND t.status = 'present'")), .den = ATTENDANCE(""),
	 .kept = KEPT_ATT("p", "", " AND t.status = 'present'"), .kept_den = KEPT_ATT("n", "", ""),
	 .note = "出席人次 ÷ 应到人次"},
	RATE("theme_day", "主题党日"),
	RATE("general_meeting", "支部党员大会"),
	RATE("lecture", "党课"),
	{FIGURE("life.three_one.compliance_rate", "“三会一课”落实率", "%", FIGURE_RATIO, FIGURE_FLOW,
		COMPLIANCE_ORGS(COMPLIANCE_MET)), .den = COMPLIANCE_ORGS(""),
	 .kept = KEPT_COMPLIANCE_MET, .kept_den = "SELECT count(*) FROM (" COMPLIANCE_ORGS("") ") d",
	 .note = "期间内整月（季度）按规定召开全部“三会一课”的党组织 ÷ 整个期间都存续、应开展“三会一课”的党组织；"
		 "期间只覆盖一部分的月份（季度）不评判"},
	{FIGURE("life.first_topic.count", "落实“第一议题”", "次", FIGURE_COUNT, FIGURE_FLOW, AGENDA(" AND g.first_topic = 1")),
	 .by = "kind", .by_label = kind_label, .note = "期间内已召开会议中标为“第一议题”的议题，按会议类别分列"},
	{FIGURE("life.party_topic.count", "党组会议研究党建议题", "项", FIGURE_COUNT, FIGURE_FLOW,
		AGENDA(" AND g.party_topic = 1 AND ao.kind = 'party_group_meeting'")),
	 .note = "期间内党组会议议题中标为“党建议题”的"},
	{FIGURE("life.party_group_meeting.party_work", "专题研究部署党建工作的党组会议", "次", FIGURE_COUNT, FIGURE_FLOW,
		"SELECT ao.activity_id AS rid, 'activity' AS rkind, a.topic AS title, ao.org_id, ao.on_date, ao.kind"
		" FROM activity_org ao JOIN activity a ON a.id = ao.activity_id WHERE ao.activity_id IN"
		" (SELECT g.activity_id FROM activity_agenda g WHERE g.party_topic = 1) AND +ao.org_id IN {{SUBTREE}}"
		" AND ao.on_date BETWEEN ?2 AND ?3 AND ao.held = 1 AND ao.kind = 'party_group_meeting'"),
	 .note = "期间内召开、至少有一项党建议题的党组会议"},
	{FIGURE("life.study_plan.count", "党员学习计划", "期", FIGURE_COUNT, FIGURE_FLOW,
		"SELECT p.id AS rid, 'study_plan' AS rkind, p.title, p.org_id, p.month || '-01' AS on_date"
		" FROM study_plan p WHERE " PLAN_MONTHS),
	 .note = "期间涉及月份的月度学习计划（月计划周推送），以计划月份计"},
	{FIGURE("life.study_item.count", "推送学习科目", "节", FIGURE_COUNT, FIGURE_FLOW,
		"SELECT p.id AS rid, 'study_plan' AS rkind, i.title, p.org_id, p.month || '-01' AS on_date, i.week,"
		" i.kind, i.id AS item_id FROM study_item i JOIN study_plan p ON p.id = i.plan_id WHERE " PLAN_MONTHS),
	 .by = "kind", .by_label = study_kind_label, .note = "期间涉及月份的学习计划按周推送的学习科目，按类型分列"},
	{FIGURE("life.study_done.count", "完成学习", "人次", FIGURE_COUNT, FIGURE_FLOW,
		"SELECT p.id AS rid, 'study_plan' AS rkind, m.name || '：' || i.title AS title, m.org_id,"
		" p.month || '-01' AS on_date, d.member_id, i.id AS item_id FROM study_done d"
		" JOIN study_item i ON i.id = d.item_id JOIN study_plan p ON p.id = i.plan_id JOIN member m ON m.id = d.member_id"
		" WHERE m.org_id IN {{SUBTREE}} AND p.month BETWEEN substr(CAST(?2 AS TEXT), 1, 7) AND substr(CAST(?3 AS TEXT), 1, 7)"),
	 .kept = COUNTERS("study_tally", "m", "", "", ""),
	 .note = "本范围党员完成期间涉及月份学习科目的人次（以计划月份计）"},
	{FIGURE("life.pending.count", "本月待开展", "项", FIGURE_COUNT, FIGURE_STOCK,
		DUE_MONTH(DUE_Y, DUE_M) "SELECT x.org_id AS rid, 'org' AS rkind, x.org_name || '：' || x.label AS title,"
		" x.org_id, CAST(NULL AS TEXT) AS on_date, x.due AS due_on, x.activity_kind AS kind, x.period, x.held, x.min_count"
		" FROM (" DUE_RULES ") x"
		" WHERE x.held < x.min_count"),
	 .note = "当月到期（月度规则，季末的季度规则，年末的年度规则）尚未达到规定次数的组织生活，每个党组织每项规则计一项"},
	{FIGURE("life.behind_last_month.count", "上月未落实党组织", "个", FIGURE_COUNT, FIGURE_STOCK,
		DUE_MONTH("CASE WHEN " DUE_M " = 1 THEN " DUE_Y " - 1 ELSE " DUE_Y " END",
			  "CASE WHEN " DUE_M " = 1 THEN 12 ELSE " DUE_M " - 1 END")
		"SELECT x.org_id AS rid, 'org' AS rkind, x.org_name AS title, x.org_id, x.due AS on_date,"
		" count(*) AS missing FROM (" DUE_RULES ") x WHERE x.held < x.min_count AND (x.founded_on IS NULL"
		" OR x.founded_on = '' OR substr(x.founded_on, 1, 7) <= x.ym) GROUP BY x.org_id, x.org_name, x.due"),
	 .note = "上月到期的组织生活规则（月度，季末的季度，年末的年度）有未落实的党组织（上月成立的也计）；“未落实规则数”为其中未落实的规则个数"},
	{0},
};
