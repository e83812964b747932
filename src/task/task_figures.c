/* task_figures.c — task deployment's figures (platform/figure.h). */
#include "platform/figure.h"

/* Assignments to the scope's orgs of tasks due in the period. */
#define ASSIGNMENTS(cond)                                                                                       \
	"SELECT s.id AS rid, 'assignment' AS rkind, t.title, s.org_id, t.due_on AS on_date, s.status,            \
	 s.submitted_on, s.late_days FROM assignment s JOIN task t ON t.id = s.task_id                             \
	 WHERE s.org_id IN {{SUBTREE}} AND t.due_on BETWEEN ?2 AND ?3" cond

const struct figure task_figures[] = {
	{FIGURE("task.assignment.count", "任务单", "项", FIGURE_COUNT, FIGURE_FLOW, ASSIGNMENTS("")), .by = "status",
	 .note = "期间内到期的任务单（每项任务、每个实施主体一单），按状态分列"},
	{FIGURE("task.assignment.accepted", "已完成任务单", "项", FIGURE_COUNT, FIGURE_FLOW,
	 ASSIGNMENTS(" AND s.status = 'accepted'"))},
	{FIGURE("task.assignment.on_time_rate", "按时上报率", "%", FIGURE_RATIO, FIGURE_FLOW,
	 ASSIGNMENTS(" AND s.submitted_on IS NOT NULL AND s.submitted_on <= t.due_on")), .den = ASSIGNMENTS(""),
	 .note = "截止日期前上报的任务单 ÷ 期间内到期的任务单"},
	{0},
};
