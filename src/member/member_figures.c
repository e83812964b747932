/* member_figures.c — the member module's figures (platform/figure.h):
 * the roster as of a day by status, mobility, org kind and education, and
 * the members who joined or were converted in a period. */
#include "platform/figure.h"
#include "member/member_roster_figures.h"

/* On the roster on ?3: in it now, or left after that day (member_end). */
#define ON_ROSTER "(m.active = 1 OR m.id IN (SELECT e.member_id FROM member_end e WHERE e.on_date > ?3 AND e.back_on IS NULL))"

/* Members of the scope's orgs on the roster on ?3 (joined by then). */
#define MEMBERS_ON(cond)                                                                                        \
	"SELECT m.id AS rid, 'member' AS rkind, m.name AS title, m.org_id, m.join_date AS on_date, m.status,     \
	 m.is_mobile, coalesce(m.education, '') AS education FROM member m WHERE m.org_id IN {{SUBTREE}} AND " ON_ROSTER "                     \
	 AND m.join_date <= ?3" cond

/* The same with the kind of the member's org. */
#define MEMBERS_ORG_ON(cond)                                                                                    \
	"SELECT m.id AS rid, 'member' AS rkind, m.name AS title, m.org_id, m.join_date AS on_date, m.status,     \
	 m.is_mobile, o.kind AS org_kind FROM member m JOIN org o ON o.id = m.org_id                               \
	 WHERE m.org_id IN {{SUBTREE}} AND " ON_ROSTER " AND m.join_date <= ?3" cond

/* Kept (figure.h): the counts kept per org (member_count by status and
 * mobility, member_edu_count by education; triggers keep them in the
 * writing transaction) of today's roster, less the members who joined
 * after ?3 (none for today; found through member(join_date)), plus those
 * whose membership ended after ?3 (member_end, by date).  `key_c` and
 * `key_m` are the breakdown key of a counter row and of a member row
 * ("" without a breakdown); `join` joins org o to either. */
#define KEPT_ON(table, key_c, key_m, join_c, join_m, cond_c, cond_m)                                            \
	"SELECT " key_c "c.n FROM " table " c" join_c " WHERE c.org_id IN {{SUBTREE}}" cond_c                    \
	" UNION ALL SELECT " key_m "-1 FROM member m" join_m " WHERE m.join_date > ?3 AND m.active = 1"             \
	" AND +m.org_id IN {{SUBTREE}}" cond_m                                                                      \
	" UNION ALL SELECT " key_m "1 FROM member_end e JOIN member m ON m.id = e.member_id" join_m                 \
	" WHERE e.on_date > ?3 AND e.back_on IS NULL AND m.active = 0 AND m.join_date <= ?3"                         \
	" AND +m.org_id IN {{SUBTREE}}" cond_m
#define KEPT_COUNT(key_c, key_m, cond_c, cond_m) KEPT_ON("member_count", key_c, key_m, "", "", cond_c, cond_m)
#define KEPT_ORG(key_c, key_m, cond_c, cond_m)                                                                  \
	KEPT_ON("member_count", key_c, key_m, " JOIN org o ON o.id = c.org_id", " JOIN org o ON o.id = m.org_id", cond_c, cond_m)

const struct figure member_figures[] = {
	{FIGURE("member.member.count", "党员", "名", FIGURE_COUNT, FIGURE_STOCK, MEMBERS_ON("")), .by = "status",
	 .kept = KEPT_COUNT("c.status, ", "m.status, ", "", ""), .note = "在册党员（正式党员和预备党员），按状态分列"},
	{FIGURE("member.full.count", "正式党员", "名", FIGURE_COUNT, FIGURE_STOCK, MEMBERS_ON(" AND m.status = 'full'")),
	 .kept = KEPT_COUNT("", "", " AND c.status = 'full'", " AND m.status = 'full'")},
	{FIGURE("member.probationary.count", "预备党员", "名", FIGURE_COUNT, FIGURE_STOCK,
	 MEMBERS_ON(" AND m.status = 'probationary'")),
	 .kept = KEPT_COUNT("", "", " AND c.status = 'probationary'", " AND m.status = 'probationary'")},
	{FIGURE("member.mobile.count", "流动党员", "名", FIGURE_COUNT, FIGURE_STOCK, MEMBERS_ON(" AND m.is_mobile = 1")),
	 .by = "status", .kept = KEPT_COUNT("c.status, ", "m.status, ", " AND c.is_mobile = 1", " AND m.is_mobile = 1"),
	 .note = "在册党员中标记为流动党员的，按状态分列"},
	{FIGURE("member.org_kind.count", "党员（按所在党组织类别）", "名", FIGURE_COUNT, FIGURE_STOCK, MEMBERS_ORG_ON("")),
	 .by = "org_kind", .kept = KEPT_ORG("o.kind, ", "o.kind, ", "", ""),
	 .note = "在册党员按所在党组织的类别分列（如流动党员党支部、云支部的党员）"},
	{FIGURE("member.mobile_branch.count", "流动党员党支部党员", "名", FIGURE_COUNT, FIGURE_STOCK,
	 MEMBERS_ORG_ON(" AND o.kind = 'mobile_branch'")),
	 .kept = KEPT_ORG("", "", " AND o.kind = 'mobile_branch'", " AND o.kind = 'mobile_branch'")},
	{FIGURE("member.education.count", "党员学历结构", "名", FIGURE_COUNT, FIGURE_STOCK, MEMBERS_ON("")),
	 .by = "education",
	 .kept = KEPT_ON("member_edu_count", "c.education, ", "coalesce(m.education, ''), ", "", "", "", ""),
	 .note = "在册党员按学历分列（空：未登记）"},
	{FIGURE("member.joined.count", "发展预备党员", "名", FIGURE_COUNT, FIGURE_FLOW,
	 "SELECT m.id AS rid, 'member' AS rkind, m.name AS title, m.org_id, m.join_date AS on_date, m.status"
	 " FROM member m WHERE m.org_id IN {{SUBTREE}} AND m.join_date BETWEEN ?2 AND ?3"),
	 .note = "期间内入党（成为预备党员）的党员，以入党日期计"},
	{FIGURE("member.converted.count", "转正党员", "名", FIGURE_COUNT, FIGURE_FLOW,
	 "SELECT m.id AS rid, 'member' AS rkind, m.name AS title, m.org_id, m.full_date AS on_date, m.status"
	 " FROM member m WHERE m.org_id IN {{SUBTREE}} AND m.full_date BETWEEN ?2 AND ?3"),
	 .note = "期间内预备期满转为正式党员的党员，以转正日期计"},
	MEMBER_ROSTER_FIGURES
	{0},
};
