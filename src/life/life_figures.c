/* life_figures.c — organizational life's figures (platform/figure.h):
 * activities held by kind (场次), attendance (人次) and its rate. */
#include "platform/figure.h"

/* Activities held by the scope's orgs in the period (a joint activity
 * counts once for each org that held it, as each org reports it). */
#define HELD(cond)                                                                                              \
	"SELECT ao.activity_id AS rid, 'activity' AS rkind, a.topic AS title, ao.org_id, ao.on_date, ao.kind"    \
	" FROM activity_org ao JOIN activity a ON a.id = ao.activity_id WHERE ao.org_id IN {{SUBTREE}}"           \
	" AND ao.on_date BETWEEN ?2 AND ?3 AND ao.held = 1" cond

#define ATTENDANCE(cond)                                                                                        \
	"SELECT t.activity_id AS rid, 'activity' AS rkind, m.name || '：' || a.topic AS title, t.org_id,         \
	 a.on_date, t.status, t.member_id FROM attendance t JOIN activity a ON a.id = t.activity_id                \
	 JOIN member m ON m.id = t.member_id WHERE t.org_id IN {{SUBTREE}} AND a.on_date BETWEEN ?2 AND ?3        \
	 AND a.status = 'held'" cond

const struct figure life_figures[] = {
	{FIGURE("life.activity.count", "组织生活", "次", FIGURE_COUNT, FIGURE_FLOW, HELD("")), .by = "kind",
	 .note = "期间内已开展的组织生活（场次），按类别分列"},
	{FIGURE("life.general_meeting.count", "支部党员大会", "次", FIGURE_COUNT, FIGURE_FLOW,
	 HELD(" AND ao.kind = 'general_meeting'"))},
	{FIGURE("life.committee_meeting.count", "支部委员会", "次", FIGURE_COUNT, FIGURE_FLOW,
	 HELD(" AND ao.kind = 'committee_meeting'"))},
	{FIGURE("life.group_meeting.count", "党小组会", "次", FIGURE_COUNT, FIGURE_FLOW, HELD(" AND ao.kind = 'group_meeting'"))},
	{FIGURE("life.lecture.count", "党课", "次", FIGURE_COUNT, FIGURE_FLOW, HELD(" AND ao.kind = 'lecture'"))},
	{FIGURE("life.theme_day.count", "主题党日活动", "次", FIGURE_COUNT, FIGURE_FLOW, HELD(" AND ao.kind = 'theme_day'"))},
	{FIGURE("life.attendance.present", "参加组织生活", "人次", FIGURE_COUNT, FIGURE_FLOW,
	 ATTENDANCE(" AND t.status = 'present'"))},
	{FIGURE("life.attendance.rate", "组织生活出勤率", "%", FIGURE_RATIO, FIGURE_FLOW, ATTENDANCE(" AND t.status = 'present'")), .den = ATTENDANCE(""), .note = "出席人次 ÷ 应到人次"},
	{0},
};
