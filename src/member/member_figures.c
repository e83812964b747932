/* member_figures.c — the member module's figures (platform/figure.h). */
#include "platform/figure.h"

/* Members of the scope's orgs on the roster on ?3 (joined by then). */
#define MEMBERS_ON(cond)                                                                                        \
	"SELECT m.id AS rid, 'member' AS rkind, m.name AS title, m.org_id, m.join_date AS on_date, m.status,     \
	 m.is_mobile FROM member m WHERE m.org_id IN {{SUBTREE}} AND m.active = 1 AND m.join_date <= ?3" cond

const struct figure member_figures[] = {
	{FIGURE("member.member.count", "党员", "名", FIGURE_COUNT, FIGURE_STOCK, MEMBERS_ON("")), .by = "status",
	 .note = "在册党员（正式党员和预备党员），按状态分列"},
	{FIGURE("member.full.count", "正式党员", "名", FIGURE_COUNT, FIGURE_STOCK, MEMBERS_ON(" AND m.status = 'full'"))},
	{FIGURE("member.probationary.count", "预备党员", "名", FIGURE_COUNT, FIGURE_STOCK,
	 MEMBERS_ON(" AND m.status = 'probationary'"))},
	{FIGURE("member.mobile.count", "流动党员", "名", FIGURE_COUNT, FIGURE_STOCK, MEMBERS_ON(" AND m.is_mobile = 1"))},
	{FIGURE("member.joined.count", "新入党党员", "名", FIGURE_COUNT, FIGURE_FLOW,
	 "SELECT m.id AS rid, 'member' AS rkind, m.name AS title, m.org_id, m.join_date AS on_date, m.status"
	 " FROM member m WHERE m.org_id IN {{SUBTREE}} AND m.join_date BETWEEN ?2 AND ?3"),
	 .note = "期间内入党（成为预备党员）的党员"},
	{0},
};
