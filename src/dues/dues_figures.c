/* dues_figures.c — the figures of 党费 (platform/figure.h): 应交, 实交,
 * 欠交 and 收缴率 over the months a period touches, arrears as of a day
 * (members and amount), members who paid nothing for 3 and for 6 months,
 * and members whose base is not assessed.  Amounts are in fen (分): money
 * is integer fen everywhere, and a sum of fen is exact. */
#include "dues/dues_internal.h"
#include "dues/dues_tally.h"
#include "platform/figure.h"

#define MONTHS_1_12                                                                                          \
	"(SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL"  \
	" SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9 UNION ALL SELECT 10 UNION ALL"       \
	" SELECT 11 UNION ALL SELECT 12)"

#define IDX "(y.year * 12 + k.n - 1)"
#define MONTH_TEXT "(CAST(y.year AS TEXT) || '-' || CASE WHEN k.n < 10 THEN '0' ELSE '' END || CAST(k.n AS TEXT))"
#define PAID_K "coalesce(" DUES_PAID("y", "k.n") ", 0)"
#define DAY_IDX DUES_MONTH_IDX("CAST(?3 AS TEXT)")

/* The member-months owed in the months the period touches: one record per
 * member and month, with what the month received. */
#define OWED_MONTHS(cond)                                                                                    \
	"SELECT m.id AS rid, 'member' AS rkind, m.name || '（' || " MONTH_TEXT " || '）' AS title, m.org_id,"  \
	" " MONTH_TEXT " || '-01' AS on_date, y.monthly_fen AS due_fen, " PAID_K " AS paid_fen,"                  \
	" CASE WHEN y.monthly_fen > " PAID_K " THEN y.monthly_fen - " PAID_K " ELSE 0 END AS owed_fen"          \
	" FROM member m JOIN org o ON o.id = m.org_id JOIN dues_year y ON y.member_id = m.id"                   \
	" JOIN " MONTHS_1_12 " k ON 1 = 1 WHERE m.org_id IN {{SUBTREE}} AND o.kind NOT IN (" DUES_NO_DUES_KIND ")" \
	" AND " DUES_ON_ROLL(MONTH_TEXT " || '-01'") " AND y.monthly_fen IS NOT NULL"                           \
	" AND y.year BETWEEN CAST(substr(CAST(?2 AS TEXT), 1, 4) AS INTEGER) AND CAST(substr(CAST(?3 AS TEXT), 1, 4) AS INTEGER)" \
	" AND " IDX " BETWEEN " DUES_MONTH_IDX("CAST(?2 AS TEXT)") " AND " DAY_IDX                                \
	" AND " IDX " >= " DUES_MONTH_IDX("m.join_date") cond

/* Members in arrears as of the day ?3: months before its month (before its
 * quarter for mobile members, who may pay by quarter), from admission on,
 * that received less than they owed; one record per member. */
#define ARREARS                                                                                              \
	"SELECT m.id AS rid, 'member' AS rkind, m.name AS title, m.org_id, min(" MONTH_TEXT ") || '-01' AS on_date," \
	" count(*) AS months, sum(y.monthly_fen - " PAID_K ") AS owed_fen"                                      \
	" FROM member m JOIN org o ON o.id = m.org_id JOIN dues_year y ON y.member_id = m.id"                   \
	" JOIN " MONTHS_1_12 " k ON 1 = 1 WHERE m.org_id IN {{SUBTREE}} AND o.kind NOT IN (" DUES_NO_DUES_KIND ")" \
	" AND m.active = 1 AND y.monthly_fen > " PAID_K " AND " IDX " >= " DUES_MONTH_IDX("m.join_date")        \
	" AND " IDX " < CASE WHEN m.is_mobile = 1 THEN " DAY_IDX " - (" DAY_IDX " % 3) ELSE " DAY_IDX " END"       \
	" GROUP BY m.id, m.name, m.org_id"

/* The 'YYYY-MM' text of a month index (an SQL expression). */
#define IDX_MONTH(i)                                                                                         \
	"(CAST((" i ") / 12 AS TEXT) || '-' || CASE WHEN (" i ") % 12 < 9 THEN '0' ELSE '' END"                   \
	" || CAST((" i ") % 12 + 1 AS TEXT))"

/* Members who owed each of the N months before the day's month and paid
 * nothing for any of them.  The months are compared as text, so that the
 * members' (org, active, join_date) index and the payments' (member,
 * month) index are read by range (comparing month indexes read every
 * payment of every member: a province with three years of payments took
 * 1–1.6 s CPU, this 0.17 s). */
#define UNPAID(N)                                                                                            \
	"SELECT m.id AS rid, 'member' AS rkind, m.name AS title, m.org_id, m.join_date AS on_date"             \
	" FROM member m JOIN org o ON o.id = m.org_id WHERE m.org_id IN {{SUBTREE}}"                             \
	" AND o.kind NOT IN (" DUES_NO_DUES_KIND ") AND m.active = 1"                                            \
	" AND m.join_date < " IDX_MONTH(DAY_IDX " - " #N " + 1") " || '-01'"                                     \
	" AND NOT EXISTS (SELECT 1 FROM dues_payment p WHERE p.member_id = m.id"                                 \
	" AND p.month >= " IDX_MONTH(DAY_IDX " - " #N) " AND p.month < substr(CAST(?3 AS TEXT), 1, 7))"          \
	" AND " DUES_ASSESSED("m.id", "(" DAY_IDX " - 1) / 12")

/* Kept (figure.h): the counters of dues_tally.h, the months of each card
 * year's row that the period touches (the figures count whole months). */
#define YEAR_OF(p) "CAST(substr(CAST(" p " AS TEXT), 1, 4) AS BIGINT)"
#define YM_OF(p) "(" YEAR_OF(p) " * 100 + CAST(substr(CAST(" p " AS TEXT), 6, 2) AS BIGINT))"
#define IN_PERIOD(mm, k, m) "CASE WHEN c.year * 100 + " mm " BETWEEN " YM_OF("?2") " AND " YM_OF("?3") " THEN c." m mm " ELSE 0 END"
#define KEPT_FLOW(m)                                                                                         \
	"SELECT coalesce(sum(" DT_PLUS(IN_PERIOD, m) "), 0) FROM dues_tally c WHERE c.org_id IN {{SUBTREE}}"     \
	" AND c.year BETWEEN " YEAR_OF("?2") " AND " YEAR_OF("?3")
/* Arrears as of ?3: the active members' 欠交 of the months before its
 * month, less the mobile members' of its quarter's months before it. */
#define CUT_Q "(" DAY_IDX " - (" DAY_IDX " % 3))"
#define ARREARS_MONTH(mm, k, x)                                                                              \
	"CASE WHEN c.year * 12 + " k " < " DAY_IDX " THEN c.r" mm " ELSE 0 END"                                 \
	" - CASE WHEN c.year * 12 + " k " >= " CUT_Q " AND c.year * 12 + " k " < " DAY_IDX " THEN c.s" mm " ELSE 0 END"
#define KEPT_ARREARS_AMOUNT                                                                                  \
	"SELECT coalesce(sum(" DT_PLUS(ARREARS_MONTH, "") "), 0) FROM dues_tally c WHERE c.org_id IN {{SUBTREE}}" \
	" AND c.year <= " YEAR_OF("?3")
#define KEPT_ARREARS_MEMBERS                                                                                 \
	"SELECT count(*) FROM dues_owing c WHERE c.org_id IN {{SUBTREE}}"                                       \
	" AND c.first_idx < " DAY_IDX " AND (c.mobile = 0 OR c.first_idx < " CUT_Q ")"

const struct figure dues_figures[] = {
	{FIGURE("dues.due.amount", "应交党费", "分", FIGURE_SUM, FIGURE_FLOW, OWED_MONTHS("")), .sum_col = "due_fen",
	 .kept = KEPT_FLOW("d"),
	 .note = "期间涉及月份内，已核定基数的党员按月应交党费之和（以分计；临时党支部不收缴，预备党员自入党当月起）"},
	{FIGURE("dues.paid.amount", "实交党费", "分", FIGURE_SUM, FIGURE_FLOW,
		"SELECT p.id AS rid, 'dues_payment' AS rkind, m.name || '（' || p.month || '）' AS title, m.org_id,"
		" p.month || '-01' AS on_date, p.amount_fen, p.method, p.paid_on FROM dues_payment p"
		" JOIN member m ON m.id = p.member_id WHERE m.org_id IN {{SUBTREE}}"
		" AND p.month BETWEEN substr(CAST(?2 AS TEXT), 1, 7) AND substr(CAST(?3 AS TEXT), 1, 7)"),
	 .sum_col = "amount_fen", .kept = KEPT_FLOW("x"), .note = "期间涉及月份的缴费记录金额之和（以所属月份计，含自愿多交；以分计）"},
	{FIGURE("dues.owed.amount", "本期欠交党费", "分", FIGURE_SUM, FIGURE_FLOW,
		OWED_MONTHS(" AND y.monthly_fen > " PAID_K)), .sum_col = "owed_fen",
	 .kept = KEPT_FLOW("o"),
	 .note = "期间涉及月份内，各党员当月实交少于应交的差额之和（以分计；只算期间内的月份，"
		 "已交清的月份不计；多交不抵他人或他月的欠交）。截至某日累计未交清的，见“累计欠交党费”"},
	{FIGURE("dues.collection.rate", "党费收缴率", "%", FIGURE_RATIO, FIGURE_FLOW,
		OWED_MONTHS(" AND " PAID_K " >= y.monthly_fen")), .den = OWED_MONTHS(""),
	 .kept = KEPT_FLOW("f"), .kept_den = KEPT_FLOW("a"),
	 .note = "按月足额交纳的人月数 ÷ 应交人月数（期间涉及的月份）"},
	{FIGURE("dues.arrears.members", "欠交党费党员", "人", FIGURE_COUNT, FIGURE_STOCK, ARREARS),
	 .kept = KEPT_ARREARS_MEMBERS, .note = "截至当日，本月以前（流动党员为本季度以前）有欠交月份的党员"},
	{FIGURE("dues.arrears.amount", "累计欠交党费", "分", FIGURE_SUM, FIGURE_STOCK, ARREARS), .sum_col = "owed_fen",
	 .kept = KEPT_ARREARS_AMOUNT,
	 .note = "截至当日，本月以前（流动党员为本季度以前）各月累计欠交、至今未补交的金额之和（以分计）；"
		 "某一期间内各月的欠交，见“本期欠交党费”"},
	{FIGURE("dues.unpaid.three_months", "连续3个月未交纳党费党员", "人", FIGURE_COUNT, FIGURE_STOCK, UNPAID(3)),
	 .note = "当月以前的3个月均应交纳、却没有任何缴费记录的党员"},
	{FIGURE("dues.unpaid.six_months", "连续6个月未交纳党费党员", "人", FIGURE_COUNT, FIGURE_STOCK, UNPAID(6)),
	 .note = "当月以前的6个月均应交纳、却没有任何缴费记录的党员（党章第九条：不交纳党费超过六个月的，按自行脱党处理）"},
	{FIGURE("dues.base.unassessed", "未核定党费基数党员", "人", FIGURE_COUNT, FIGURE_STOCK,
		"SELECT m.id AS rid, 'member' AS rkind, m.name AS title, m.org_id, m.join_date AS on_date"
		" FROM member m JOIN org o ON o.id = m.org_id WHERE m.org_id IN {{SUBTREE}}"
		" AND o.kind NOT IN (" DUES_NO_DUES_KIND ") AND m.active = 1 AND m.join_date <= CAST(?3 AS TEXT)"
		" AND NOT EXISTS (SELECT 1 FROM dues_year y WHERE y.member_id = m.id"
		" AND y.year = CAST(substr(CAST(?3 AS TEXT), 1, 4) AS INTEGER) AND y.monthly_fen IS NOT NULL)"),
	 .note = "当日所在年度尚未核定缴纳基数（或类别）的党员"},
	{0},
};
