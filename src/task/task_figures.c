/* task_figures.c — task deployment's figures (platform/figure.h): plans,
 * tasks and assignments by state, on-time and completion rates, returns,
 * overdue reports as of a day, and quotas achieved. */
#include "platform/figure.h"

#include <stdio.h>

#include "task/task.h"

/* Breakdown keys as users read them (figure.h by_label). */
static int plan_label(struct db *db, const char *key, char *out, size_t cap, struct dj_error *err)
{
	snprintf(out, cap, "%s", plan_status_label(plan_status_parse(key)));
	return 0;
}

static int assignment_label(struct db *db, const char *key, char *out, size_t cap, struct dj_error *err)
{
	snprintf(out, cap, "%s", assignment_status_label(assignment_status_parse(key)));
	return 0;
}

static int scope_label(struct db *db, const char *key, char *out, size_t cap, struct dj_error *err)
{
	static const struct figure_key_label scopes[] = {{"common", "共性任务"}, {"specific", "个性任务"}, {0}};
	figure_label_from(scopes, key, out, cap);
	return 0;
}

/* Assignments to the scope's orgs of tasks due in the period. */
#define ASSIGNMENTS(cond)                                                                                       \
	"SELECT s.id AS rid, 'assignment' AS rkind, t.title, s.org_id, t.due_on AS on_date, s.status,            \
	 s.submitted_on, s.late_days FROM assignment s JOIN task t ON t.id = s.task_id                             \
	 WHERE s.org_id IN {{SUBTREE}} AND t.due_on BETWEEN ?2 AND ?3" cond

const struct figure task_figures[] = {
	{FIGURE("task.plan.count", "工作方案", "个", FIGURE_COUNT, FIGURE_FLOW,
		"SELECT p.id AS rid, 'plan' AS rkind, p.title, p.org_id, p.starts_on AS on_date, p.status, p.ends_on"
		" FROM plan p WHERE p.org_id IN {{SUBTREE}} AND p.starts_on <= ?3 AND p.ends_on >= ?2"), .by = "status", .by_label = plan_label,
	 .note = "本范围党组织制定、实施时间与期间相交的工作方案，按状态（草稿、已发布、已结束）分列"},
	{FIGURE("task.task.count", "任务", "项", FIGURE_COUNT, FIGURE_FLOW,
		"SELECT t.id AS rid, 'task' AS rkind, t.title, p.org_id, t.due_on AS on_date, t.scope, t.plan_id"
		" FROM task t JOIN plan p ON p.id = t.plan_id WHERE p.org_id IN {{SUBTREE}} AND t.due_on BETWEEN ?2 AND ?3"),
	 .by = "scope", .by_label = scope_label, .note = "本范围党组织工作方案中上报截止日期在期间内的任务，按共性任务和个性任务分列"},
	{FIGURE("task.assignment.count", "任务单", "项", FIGURE_COUNT, FIGURE_FLOW, ASSIGNMENTS("")), .by = "status", .by_label = assignment_label,
	 .note = "期间内到期的任务单（每项任务、每个实施主体一单），按状态分列"},
	{FIGURE("task.assignment.accepted", "已完成任务单", "项", FIGURE_COUNT, FIGURE_FLOW,
		ASSIGNMENTS(" AND s.status = 'accepted'")), .note = "期间内到期、上报已审核通过的任务单"},
	{FIGURE("task.assignment.on_time_rate", "按时上报率", "%", FIGURE_RATIO, FIGURE_FLOW,
		ASSIGNMENTS(" AND s.submitted_on IS NOT NULL AND s.submitted_on <= t.due_on")), .den = ASSIGNMENTS(""),
	 .note = "截止日期前上报的任务单 ÷ 期间内到期的任务单"},
	{FIGURE("task.assignment.accepted_rate", "任务完成率", "%", FIGURE_RATIO, FIGURE_FLOW,
		ASSIGNMENTS(" AND s.status = 'accepted'")), .den = ASSIGNMENTS(""),
	 .note = "审核通过的任务单 ÷ 期间内到期的任务单"},
	{FIGURE("task.assignment.returned", "被退回任务单", "项", FIGURE_COUNT, FIGURE_FLOW,
		ASSIGNMENTS(" AND EXISTS (SELECT 1 FROM assignment_event e WHERE e.assignment_id = s.id AND e.kind = 'return')")),
	 .by = "status", .by_label = assignment_label, .note = "期间内到期、上报曾被退回的任务单，按现在的状态分列"},
	{FIGURE("task.assignment.overdue", "逾期未报任务单", "项", FIGURE_COUNT, FIGURE_STOCK,
		"SELECT s.id AS rid, 'assignment' AS rkind, t.title, s.org_id, t.due_on AS on_date, s.status,"
		" s.submitted_on FROM assignment s JOIN task t ON t.id = s.task_id WHERE s.org_id IN {{SUBTREE}}"
		" AND t.due_on < ?3 AND (s.status IN ('not_started', 'in_progress', 'returned') OR s.submitted_on > ?3)"),
	 .by = "status", .by_label = assignment_label, .note = "当日已过上报截止日期、尚未上报（或当日之后才上报；被退回的算未报）的任务单"},
	{FIGURE("task.quota.achieved", "指标完成量", "（按指标）", FIGURE_SUM, FIGURE_FLOW,
		"SELECT s.id AS rid, 'assignment' AS rkind, t.title || '：' || q.item AS title, s.org_id,"
		" t.due_on AS on_date, q.item || '（' || q.unit || '）' AS item, x.achieved, q.id AS quota_id"
		" FROM assignment_quota x JOIN task_quota q ON q.id = x.quota_id JOIN assignment s ON s.id = x.assignment_id"
		" JOIN task t ON t.id = s.task_id WHERE s.org_id IN {{SUBTREE}} AND t.due_on BETWEEN ?2 AND ?3"),
	 .sum_col = "achieved", .by = "item",
	 .note = "期间内到期任务的实施主体上报的指标完成量之和，按指标（及计量单位）分列；各指标单位不同，总数只作合计，请看分列"},
	/* The dashboard's task cards (as the assignment list counts them by
	 * state, for the assignments of the scope's orgs): the state now.  A
	 * deadline may lie after the day, so it is a column, not the record's
	 * date (which is never after the day asked). */
	{FIGURE("task.assignment.open", "未完成任务单", "项", FIGURE_COUNT, FIGURE_STOCK,
		"SELECT s.id AS rid, 'assignment' AS rkind, t.title, s.org_id, CAST(NULL AS TEXT) AS on_date, s.status,"
		" t.due_on FROM assignment s JOIN task t ON t.id = s.task_id JOIN plan p ON p.id = s.plan_id"
		" WHERE s.org_id IN {{SUBTREE}} AND s.status <> 'accepted' AND p.status = 'published'"),
	 .by = "status", .by_label = assignment_label, .note = "已发布工作方案中尚未审核通过的任务单（现在的状态），按状态分列"},
	{FIGURE("task.assignment.submitted", "待审核上报", "项", FIGURE_COUNT, FIGURE_STOCK,
		"SELECT s.id AS rid, 'assignment' AS rkind, t.title, s.org_id, s.submitted_on AS on_date, s.status,"
		" t.due_on FROM assignment s JOIN task t ON t.id = s.task_id"
		" WHERE s.org_id IN {{SUBTREE}} AND s.status = 'submitted'"),
	 .note = "已上报、等待审核的任务单（现在的状态）"},
	{FIGURE("task.assignment.due_soon", "本周到期", "项", FIGURE_COUNT, FIGURE_STOCK,
		"SELECT s.id AS rid, 'assignment' AS rkind, t.title, s.org_id, CAST(NULL AS TEXT) AS on_date, s.status,"
		" t.due_on FROM assignment s JOIN task t ON t.id = s.task_id WHERE s.org_id IN {{SUBTREE}}"
		" AND s.status IN ('not_started', 'in_progress', 'returned') AND t.due_on >= ?3"
		" AND {{DAYS(t.due_on)}} <= {{DAYS(?3)}} + coalesce((SELECT CAST(g.value AS INTEGER) FROM setting g"
		" WHERE g.key = 'task.due_soon_days'), 7)"),
	 .by = "status", .by_label = assignment_label, .note = "尚未上报、上报截止日期在当日起到期提醒天数（默认7天）内的任务单，按状态分列"},
	{0},
};
