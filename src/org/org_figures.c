/* org_figures.c — the org module's figures (platform/figure.h): orgs by
 * kind as of a day, and the tree's changes in a period. */
#include "platform/figure.h"

/* Orgs of the scope that exist on ?3 (founded by then, not yet ended). */
#define ORGS_ON(kind_cond)                                                                                      \
	"SELECT o.id AS rid, 'org' AS rkind, o.name AS title, o.id AS org_id, o.founded_on AS on_date, o.kind,   \
	 o.code FROM org o WHERE o.id IN {{SUBTREE}} AND (o.founded_on IS NULL OR o.founded_on <= ?3)             \
	 AND (o.ended_on IS NULL OR o.ended_on > ?3)" kind_cond

/* Org events of a kind in the period. */
#define EVENTS(kind)                                                                                            \
	"SELECT e.id AS rid, 'org' AS rkind, o.name AS title, o.id AS org_id, e.on_date, e.kind AS event"       \
	" FROM org_event e JOIN org o ON o.id = e.org_id WHERE e.org_id IN {{SUBTREE}}"                          \
	" AND e.on_date BETWEEN ?2 AND ?3 AND e.kind = '" kind "'"

const struct figure org_figures[] = {
	{FIGURE("org.org.count", "党组织", "个", FIGURE_COUNT, FIGURE_STOCK, ORGS_ON("")), .by = "kind",
	 .note = "当日存续的党组织（已成立、未撤销或撤并），按类别分列"},
	{FIGURE("org.committee.count", "基层党委", "个", FIGURE_COUNT, FIGURE_STOCK, ORGS_ON(" AND o.kind = 'committee'"))},
	{FIGURE("org.general_branch.count", "党总支", "个", FIGURE_COUNT, FIGURE_STOCK, ORGS_ON(" AND o.kind = 'general_branch'"))},
	{FIGURE("org.branch.count", "党支部", "个", FIGURE_COUNT, FIGURE_STOCK, ORGS_ON(" AND o.kind = 'branch'"))},
	{FIGURE("org.industry_committee.count", "行业党委", "个", FIGURE_COUNT, FIGURE_STOCK,
	 ORGS_ON(" AND o.kind = 'industry_committee'"))},
	{FIGURE("org.functional_branch.count", "功能性党支部", "个", FIGURE_COUNT, FIGURE_STOCK,
	 ORGS_ON(" AND o.kind = 'functional_branch'"))},
	{FIGURE("org.cloud_branch.count", "云支部", "个", FIGURE_COUNT, FIGURE_STOCK, ORGS_ON(" AND o.kind = 'cloud_branch'"))},
	{FIGURE("org.mobile_branch.count", "流动党员党支部", "个", FIGURE_COUNT, FIGURE_STOCK,
	 ORGS_ON(" AND o.kind = 'mobile_branch'"))},
	{FIGURE("org.temporary_branch.count", "临时党支部", "个", FIGURE_COUNT, FIGURE_STOCK,
	 ORGS_ON(" AND o.kind = 'temporary_branch'"))},
	{FIGURE("org.create.count", "新建党组织", "个", FIGURE_COUNT, FIGURE_FLOW, EVENTS("create"))},
	{FIGURE("org.merge.count", "撤并党组织", "个", FIGURE_COUNT, FIGURE_FLOW, EVENTS("merge"))},
	{FIGURE("org.rename.count", "更名党组织", "个", FIGURE_COUNT, FIGURE_FLOW, EVENTS("rename"))},
	{FIGURE("org.election.count", "按期换届党组织", "个", FIGURE_COUNT, FIGURE_FLOW, EVENTS("election")),
	 .note = "期间内完成换届（或任命）的党组织"},
	{0},
};
