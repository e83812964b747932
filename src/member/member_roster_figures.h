/* member_roster_figures.h — the figures of the roster's movements (issue
 * 11): transfers in and out, letters whose receipt is overdue, transfers
 * waiting to be accepted, mobile members by host org, members who left by
 * reason.  Rows of member_figures[] (member_figures.c includes them), each
 * with the records query that both lists and counts it (platform/figure.h). */
#ifndef DJ_MEMBER_ROSTER_FIGURES_H
#define DJ_MEMBER_ROSTER_FIGURES_H

#include "platform/figure.h"

#define ROSTER_END_LABEL(col)                                                                                   \
	"CASE " col " WHEN 'death' THEN '死亡' WHEN 'expulsion' THEN '开除党籍' WHEN 'persuaded' THEN '劝退'"       \
	" WHEN 'removal' THEN '除名' WHEN 'lapse' THEN '自行脱党' WHEN 'suspension' THEN '停止党籍'"              \
	" WHEN 'transfer_out' THEN '转出' WHEN 'not_admitted' THEN '上级党委未批准接收为预备党员'"               \
	" WHEN 'probation_cancelled' THEN '取消预备党员资格' ELSE " col " END"

#define ROSTER_KIND_LABEL                                                                                       \
	"CASE t.kind WHEN 'inside' THEN '平台内转接' WHEN 'out' THEN '转往平台外' WHEN 'in' THEN '从平台外转入' END"

#define MEMBER_ROSTER_FIGURES                                                                                   \
	{FIGURE("member.transfer_in.count", "转入党员", "名", FIGURE_COUNT, FIGURE_FLOW,                          \
		"SELECT t.id AS rid, 'transfer' AS rkind, m.name || '（自' || coalesce(f.name, t.place, '') || '）' AS title,"  \
		" t.to_org AS org_id, t.decided_on AS on_date, " ROSTER_KIND_LABEL " AS kind, t.letter_no"        \
		" FROM transfer t JOIN member m ON m.id = t.member_id LEFT JOIN org f ON f.id = t.from_org"        \
		" WHERE t.to_org IN {{SUBTREE}} AND t.status IN ('accepted', 'registered')"                        \
		" AND t.decided_on BETWEEN ?2 AND ?3 AND (t.from_org IS NULL OR t.from_org NOT IN {{SUBTREE}})"),  \
	 .by = "kind", .note = "期间内接收的组织关系转入（平台内接收、从平台外持介绍信转入），本范围内部的转接不计"},  \
	{FIGURE("member.transfer_out.count", "转出党员", "名", FIGURE_COUNT, FIGURE_FLOW,                         \
		"SELECT t.id AS rid, 'transfer' AS rkind, m.name || '（至' || coalesce(o.name, t.place, '') || '）' AS title,"  \
		" t.from_org AS org_id, CASE WHEN t.kind = 'out' THEN t.on_date ELSE t.decided_on END AS on_date,"  \
		" " ROSTER_KIND_LABEL " AS kind, t.letter_no"                                                      \
		" FROM transfer t JOIN member m ON m.id = t.member_id LEFT JOIN org o ON o.id = t.to_org"           \
		" WHERE t.from_org IN {{SUBTREE}} AND ((t.kind = 'out' AND t.on_date BETWEEN ?2 AND ?3)"           \
		" OR (t.status = 'accepted' AND t.decided_on BETWEEN ?2 AND ?3 AND t.to_org NOT IN {{SUBTREE}}))"), \
	 .by = "kind", .note = "期间内转出的党员（平台内被接收、开具介绍信转往平台外），本范围内部的转接不计"},       \
	{FIGURE("member.receipt_overdue.count", "介绍信回执逾期", "件", FIGURE_COUNT, FIGURE_STOCK,                \
		"SELECT t.id AS rid, 'transfer' AS rkind, m.name || '（' || t.letter_no || '，' || t.place || '）' AS title," \
		" t.from_org AS org_id, t.valid_until AS on_date, t.on_date AS issued_on"                          \
		" FROM transfer t JOIN member m ON m.id = t.member_id WHERE t.kind = 'out'"                       \
		" AND t.from_org IN {{SUBTREE}} AND t.on_date <= ?3 AND t.valid_until < ?3"                        \
		" AND (t.receipt_on IS NULL OR t.receipt_on > ?3)"),                                              \
	 .note = "转往平台外的介绍信超过有效期仍未收到回执的"},                                                    \
	{FIGURE("member.transfer_pending.count", "待接收的组织关系转接", "件", FIGURE_COUNT, FIGURE_STOCK,          \
		"SELECT t.id AS rid, 'transfer' AS rkind, m.name || '（自' || f.name || '）' AS title,"             \
		" t.to_org AS org_id, t.on_date FROM transfer t JOIN member m ON m.id = t.member_id"               \
		" JOIN org f ON f.id = t.from_org WHERE t.kind = 'inside' AND t.to_org IN {{SUBTREE}}"             \
		" AND t.on_date <= ?3 AND (t.decided_on IS NULL OR t.decided_on > ?3)"),                          \
	 .note = "已发起、转入党组织尚未接收或退回的平台内转接"},                                                  \
	{FIGURE("member.mobile_host.count", "流动党员（按流入地党组织）", "名", FIGURE_COUNT, FIGURE_STOCK,        \
		"SELECT h.member_id AS rid, 'member' AS rkind, m.name || '（' || h.place || '）' AS title,"         \
		" h.home_org AS org_id, h.since AS on_date, x.name AS host_org, h.card_no"                         \
		" FROM mobile_hosting h JOIN member m ON m.id = h.member_id JOIN org x ON x.id = h.host_org"       \
		" WHERE h.home_org IN {{SUBTREE}} AND h.since <= ?3 AND (h.ended_on IS NULL OR h.ended_on > ?3)"),  \
	 .by = "host_org", .note = "本范围党员中登记为流动党员的，按参加组织生活的流入地党组织分列"},             \
	{FIGURE("member.hosted.count", "流入党员（在本组织参加组织生活）", "名", FIGURE_COUNT, FIGURE_STOCK,      \
		"SELECT h.member_id AS rid, 'hosted_member' AS rkind, m.name || '（' || f.name || '）' AS title,"  \
		" h.host_org AS org_id, h.since AS on_date, f.name AS home_org, h.card_no"                         \
		" FROM mobile_hosting h JOIN member m ON m.id = h.member_id JOIN org f ON f.id = h.home_org"       \
		" WHERE h.host_org IN {{SUBTREE}} AND h.since <= ?3 AND (h.ended_on IS NULL OR h.ended_on > ?3)"),  \
	 /* rkind hosted_member: the host sees them only for organizational life, */  \
	 /* so the record is not a link to the member's page (a 404 there). */         \
	 .by = "home_org", .note = "其他党组织的流动党员登记在本范围党组织参加组织生活的（流入地一侧），按其所在党组织分列"}, \
	{FIGURE("member.ended.count", "党员减少（按原因）", "名", FIGURE_COUNT, FIGURE_FLOW,                     \
		"SELECT e.member_id AS rid, 'member' AS rkind, m.name AS title, e.org_id, e.on_date,"              \
		" " ROSTER_END_LABEL("e.reason") " AS reason, e.doc_no FROM member_end e"                          \
		" JOIN member m ON m.id = e.member_id WHERE e.org_id IN {{SUBTREE}} AND e.on_date BETWEEN ?2 AND ?3"), \
	 .by = "reason", .note = "期间内死亡、出党（开除党籍、劝退、除名、自行脱党）、停止党籍、转出、取消预备党员资格的党员，按原因分列"},

#endif
