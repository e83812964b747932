/* org_figures.c — the org module's figures (platform/figure.h): orgs by
 * kind as of a day, and the tree's changes in a period (seed 000: "完成20个
 * 基层党组织撤并、更名和换届工作"; "成立了行业党委"). */
#include "platform/figure.h"

#include <stdio.h>

#include "org/org.h"

/* Breakdown keys as users read them (figure.h by_label). */
static int kind_label(struct db *db, const char *key, char *out, size_t cap, struct dj_error *err)
{
	snprintf(out, cap, "%s", org_kind_label(org_kind_parse(key)));
	return 0;
}

static const struct figure_key_label events[] = {
	{"create", "成立"}, {"rename", "更名"}, {"rekind", "变更类别"}, {"move", "调整隶属关系"}, {"dissolve", "撤销"},
	{"merge_out", "撤并（并入其他组织）"}, {"merge_in", "撤并（接收并入组织）"}, {"election", "换届选举"},
	{"appointment", "任命班子"}, {0},
};

static int event_label(struct db *db, const char *key, char *out, size_t cap, struct dj_error *err)
{
	figure_label_from(events, key, out, cap);
	return 0;
}

static int due_label(struct db *db, const char *key, char *out, size_t cap, struct dj_error *err)
{
	static const struct figure_key_label dues[] = {{"due", "将到期"}, {"overdue", "已逾期"}, {0}};
	figure_label_from(dues, key, out, cap);
	return 0;
}

/* Orgs of the scope that exist on ?3 (founded by then, not yet ended). */
#define ORGS_ON(kind_cond)                                                                                      \
	"SELECT o.id AS rid, 'org' AS rkind, o.name AS title, o.id AS org_id, o.founded_on AS on_date, o.kind,   \
	 o.code FROM org o WHERE o.id IN {{SUBTREE}} AND (o.founded_on IS NULL OR o.founded_on <= ?3)             \
	 AND (o.ended_on IS NULL OR o.ended_on > ?3)" kind_cond

/* Org events of the given kinds in the period (org_event.kind as org.c
 * writes them: create, rename, merge_out/merge_in, dissolve, election,
 * appointment, move, rekind).  A merged or dissolved org stays in the
 * closure table, so its events stay in its ancestors' scope.  A record is
 * the event (rid stays unique when an org has two in the period); its kind
 * org_event tells the UI to open the event's org, org_id. */
#define EVENTS(kinds)                                                                                           \
	"SELECT e.id AS rid, 'org_event' AS rkind, o.name AS title, o.id AS org_id, e.on_date, e.kind AS event,        \
	 o.kind FROM org_event e JOIN org o ON o.id = e.org_id WHERE e.org_id IN {{SUBTREE}}                       \
	 AND e.on_date BETWEEN ?2 AND ?3 AND e.kind IN (" kinds ")"

/* Orgs whose term as of ?3 (the latest elected by then) has ended. */
#define TERM_ENDED                                                                                              \
	"SELECT o.id AS rid, 'org' AS rkind, o.name AS title, o.id AS org_id, t.ends_on AS on_date, o.kind      \
	 FROM org o JOIN org_term t ON t.org_id = o.id WHERE o.id IN {{SUBTREE}}                                   \
	 AND (o.ended_on IS NULL OR o.ended_on > ?3) AND t.ends_on <= ?3 AND t.id =                                \
	 (SELECT max(t2.id) FROM org_term t2 WHERE t2.org_id = o.id AND t2.elected_on <= ?3)"

/* Orgs of a kind that elects (org_kind.c) existing on ?3 whose latest term
 * as of ?3 ends within the warning window (rule.election_warn_days) after
 * it, or has ended: the dashboard's 90天内到期及逾期换届, by due/overdue.
 * A record's date is the term's election (its end may lie after ?3). */
#define ELECTS "'committee', 'general_branch', 'branch', 'industry_committee', 'functional_branch', 'cloud_branch', 'mobile_branch'"
#define TERM_DUE                                                                                                \
	"SELECT o.id AS rid, 'org' AS rkind, o.name AS title, o.id AS org_id, t.elected_on AS on_date, o.kind,   \
	 t.ends_on, CASE WHEN t.ends_on < ?3 THEN 'overdue' ELSE 'due' END AS due FROM org o JOIN org_term t ON t.org_id = o.id \
	 WHERE o.id IN {{SUBTREE}} AND o.kind IN (" ELECTS ") AND (o.founded_on IS NULL OR o.founded_on <= ?3)      \
	 AND (o.ended_on IS NULL OR o.ended_on > ?3) AND t.id = (SELECT t2.id FROM org_term t2 WHERE t2.org_id = o.id \
	 AND t2.elected_on <= ?3 ORDER BY t2.elected_on DESC, t2.id DESC LIMIT 1) AND {{DAYS(t.ends_on)}} <=       \
	 {{DAYS(?3)}} + coalesce((SELECT CAST(s.value AS INTEGER) FROM setting s WHERE s.key = 'rule.election_warn_days'), 90)"

const struct figure org_figures[] = {
	{FIGURE("org.org.count", "党组织", "个", FIGURE_COUNT, FIGURE_STOCK, ORGS_ON("")), .by = "kind", .by_label = kind_label,
	 .note = "当日存续的党组织（已成立、未撤销或撤并），按类别分列"},
	{FIGURE("org.party_group.count", "党组", "个", FIGURE_COUNT, FIGURE_STOCK, ORGS_ON(" AND o.kind = 'party_group'"))},
	{FIGURE("org.committee.count", "基层党委", "个", FIGURE_COUNT, FIGURE_STOCK, ORGS_ON(" AND o.kind = 'committee'"))},
	{FIGURE("org.general_branch.count", "党总支", "个", FIGURE_COUNT, FIGURE_STOCK, ORGS_ON(" AND o.kind = 'general_branch'"))},
	{FIGURE("org.branch.count", "党支部", "个", FIGURE_COUNT, FIGURE_STOCK, ORGS_ON(" AND o.kind = 'branch'")),
	 .note = "类别为“党支部”的党组织，不含功能性党支部、云支部、流动党员党支部和临时党支部"},
	{FIGURE("org.group.count", "党小组", "个", FIGURE_COUNT, FIGURE_STOCK, ORGS_ON(" AND o.kind = 'group'"))},
	{FIGURE("org.industry_committee.count", "行业党委", "个", FIGURE_COUNT, FIGURE_STOCK,
	 ORGS_ON(" AND o.kind = 'industry_committee'"))},
	{FIGURE("org.functional_branch.count", "功能性党支部", "个", FIGURE_COUNT, FIGURE_STOCK,
	 ORGS_ON(" AND o.kind = 'functional_branch'"))},
	{FIGURE("org.cloud_branch.count", "云支部", "个", FIGURE_COUNT, FIGURE_STOCK, ORGS_ON(" AND o.kind = 'cloud_branch'"))},
	{FIGURE("org.mobile_branch.count", "流动党员党支部", "个", FIGURE_COUNT, FIGURE_STOCK,
	 ORGS_ON(" AND o.kind = 'mobile_branch'"))},
	{FIGURE("org.temporary_branch.count", "临时党支部", "个", FIGURE_COUNT, FIGURE_STOCK,
	 ORGS_ON(" AND o.kind = 'temporary_branch'"))},
	{FIGURE("org.create.count", "新成立党组织", "个", FIGURE_COUNT, FIGURE_FLOW, EVENTS("'create'")), .by = "kind", .by_label = kind_label,
	 .note = "期间内成立的党组织，按类别分列"},
	{FIGURE("org.change.count", "撤并、更名和换届", "次", FIGURE_COUNT, FIGURE_FLOW,
	 EVENTS("'merge_out', 'dissolve', 'rename', 'election', 'appointment'")), .by = "event", .by_label = event_label,
	 .note = "期间内党组织撤并（并入其他党组织、撤销）、更名和换届（换届选举、任命班子）的次数，按事件分列"},
	{FIGURE("org.merge.count", "撤并党组织", "个", FIGURE_COUNT, FIGURE_FLOW, EVENTS("'merge_out', 'dissolve'")),
	 .by = "event", .by_label = event_label, .note = "期间内并入其他党组织或撤销的党组织"},
	{FIGURE("org.rename.count", "更名党组织", "次", FIGURE_COUNT, FIGURE_FLOW, EVENTS("'rename'"))},
	{FIGURE("org.election.count", "换届", "次", FIGURE_COUNT, FIGURE_FLOW, EVENTS("'election', 'appointment'")),
	 .by = "event", .by_label = event_label, .note = "期间内完成换届选举或任命新一届委员（临时党支部）的次数"},
	{FIGURE("org.term_ended.count", "届期已满未换届党组织", "个", FIGURE_COUNT, FIGURE_STOCK, TERM_ENDED), .by = "kind", .by_label = kind_label,
	 .note = "当日存续、截至当日最近一届任期已届满而未产生新一届的党组织"},
	{FIGURE("org.election_due.count", "90天内到期及逾期换届", "个", FIGURE_COUNT, FIGURE_STOCK, TERM_DUE), .by = "due", .by_label = due_label,
	 .note = "当日存续、应选举产生委员会的党组织中，最近一届任期已届满（逾期）或将在换届提醒天数（默认90天）内届满（将到期）的"},
	{0},
};
