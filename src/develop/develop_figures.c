/* develop_figures.c — 发展党员's figures (platform/figure.h): the people in
 * each stage as of a day, those who applied, were admitted (发展预备党员) or
 * converted (按期转正) in a period, extended probations, failed votes, and
 * the steps overdue or done late.  Records are people (develop_person). */
#include "platform/figure.h"

#include <stdio.h>
#include <stdlib.h>

#include "develop/develop.h"

/* A step number as users read it (figure.h by_label): 第3步 提出入党申请… */
static int step_label(struct db *db, const char *key, char *out, size_t cap, struct dj_error *err)
{
	char *end;
	long n = strtol(key, &end, 10);
	const struct develop_step_info *s = *end ? NULL : develop_step_info((int)n);
	if (s)
		snprintf(out, cap, "第%ld步 %s", n, s->label);
	return 0;
}

#define PERSON(date_col, cond)                                                                                 \
	"SELECT p.id AS rid, 'develop_person' AS rkind, p.name AS title, p.org_id, p." date_col " AS on_date,"   \
	" p.status, p.step FROM develop_person p WHERE p.org_id IN {{SUBTREE}}" cond

/* Not stopped on ?3: never, not yet, or gone on again by then (继续发展
 * after the member came back onto the roster: resumed_on), and not in an
 * earlier gap either (a record continued, stopped and continued again). */
#define NOT_STOPPED                                                                                            \
	" AND (p.stopped_on IS NULL OR p.stopped_on > ?3 OR p.resumed_on <= ?3)"                                 \
	" AND NOT EXISTS (SELECT 1 FROM develop_gap g WHERE g.person_id = p.id AND g.stopped_on <= ?3"            \
	" AND g.resumed_on > ?3)"

/* In a stage on ?3: entered it by then, not yet gone on, not stopped. */
#define STAGE(from, until)                                                                                     \
	PERSON(from, " AND p." from " <= ?3 AND (p." until " IS NULL OR p." until " > ?3)" NOT_STOPPED)

#define STEPS(cond)                                                                                            \
	"SELECT p.id AS rid, 'develop_person' AS rkind, p.name AS title, p.org_id, s.on_date, s.step, s.decision"   \
	" FROM develop_step s JOIN develop_person p ON p.id = s.person_id WHERE p.org_id IN {{SUBTREE}}"          \
	" AND s.on_date BETWEEN ?2 AND ?3" cond

/* The stage a person stood in on ?3: that of the last step done by then
 * (develop_stage_of: 1–2, 3–6, 7–11, 12–18, 19–25), people still in the
 * pipeline (step 25 closes it) and not stopped by then — the board's
 * columns, as of any day. */
#define DONE_ON "(SELECT max(s.step) FROM develop_step s WHERE s.person_id = p.id AND s.passed = 1 AND s.on_date <= ?3)"
#define STAGE_LABEL(d)                                                                                         \
	"CASE WHEN " d " <= 2 THEN '入党申请人' WHEN " d " <= 6 THEN '入党积极分子' WHEN " d " <= 11 THEN '发展对象'"   \
	" WHEN " d " <= 18 THEN '预备党员的接收' ELSE '预备党员的教育考察和转正' END"

const struct figure develop_figures[] = {
	{FIGURE("develop.applicant.count", "入党申请人", "名", FIGURE_COUNT, FIGURE_STOCK, STAGE("applied_on", "activist_on")),
	 .note = "已递交入党申请书、尚未确定为入党积极分子的人"},
	{FIGURE("develop.activist.count", "入党积极分子", "名", FIGURE_COUNT, FIGURE_STOCK,
		STAGE("activist_on", "candidate_on")), .note = "已确定为入党积极分子、尚未确定为发展对象的人"},
	{FIGURE("develop.candidate.count", "发展对象", "名", FIGURE_COUNT, FIGURE_STOCK,
		STAGE("candidate_on", "admitted_on")), .note = "已确定为发展对象、支部大会尚未通过接收的人"},
	{FIGURE("develop.probationary.count", "预备党员（发展中）", "名", FIGURE_COUNT, FIGURE_STOCK,
		STAGE("admitted_on", "full_on")), .note = "经支部大会接收、预备期尚未期满转正的预备党员"},
	{FIGURE("develop.stage.count", "发展党员（按阶段）", "名", FIGURE_COUNT, FIGURE_STOCK,
		"SELECT rid, rkind, title, org_id, on_date, " STAGE_LABEL("done") " AS stage, done AS step FROM"
		" (SELECT p.id AS rid, 'develop_person' AS rkind, p.name AS title, p.org_id, p.applied_on AS on_date,"
		" " DONE_ON " AS done FROM develop_person p WHERE p.org_id IN {{SUBTREE}} AND p.applied_on <= ?3"
		NOT_STOPPED ") x WHERE done < 25"),
	 .by = "stage", .note = "发展党员工作台各阶段的人数：以当日已办理的最后一步所在阶段计，不含已终止和已完成材料归档的"},
	{FIGURE("develop.applied.count", "递交入党申请书", "名", FIGURE_COUNT, FIGURE_FLOW,
		PERSON("applied_on", " AND p.applied_on BETWEEN ?2 AND ?3")), .note = "期间内递交入党申请书的人"},
	{FIGURE("develop.admitted.count", "发展预备党员", "名", FIGURE_COUNT, FIGURE_FLOW,
		PERSON("admitted_on", " AND p.admitted_on BETWEEN ?2 AND ?3")),
	 .note = "期间内经支部大会讨论通过接收的预备党员，以支部大会日期计"},
	{FIGURE("develop.converted.count", "预备党员转正", "名", FIGURE_COUNT, FIGURE_FLOW,
		PERSON("full_on", " AND p.full_on BETWEEN ?2 AND ?3")), .note = "期间内转为正式党员的，以预备期满之日计"},
	{FIGURE("develop.on_time.count", "按期转正", "名", FIGURE_COUNT, FIGURE_FLOW,
		PERSON("full_on", " AND p.full_on BETWEEN ?2 AND ?3 AND p.extensions = 0")),
	 .note = "期间内预备期满按期转正（未延长预备期）的"},
	{FIGURE("develop.extended.count", "延长预备期", "名", FIGURE_COUNT, FIGURE_FLOW,
		STEPS(" AND s.step = 23 AND s.decision = 'extend'")), .note = "期间内支部大会决定延长预备期的"},
	{FIGURE("develop.vote_failed.count", "支部大会表决未通过", "次", FIGURE_COUNT, FIGURE_FLOW,
		STEPS(" AND s.step IN (15, 23) AND s.passed = 0")), .note = "期间内接收或转正表决未获通过的支部大会"},
	{FIGURE("develop.late.count", "超期办理的步骤", "次", FIGURE_COUNT, FIGURE_FLOW, STEPS(" AND s.late = 1")),
	 .by = "step", .by_label = step_label, .note = "期间内办理、但晚于时限的步骤，按步骤分列"},
	{FIGURE("develop.stopped.count", "终止发展", "名", FIGURE_COUNT, FIGURE_FLOW,
		"SELECT p.id AS rid, 'develop_person' AS rkind, p.name AS title, p.org_id, p.stopped_on AS on_date,"
		" CASE p.stop_reason WHEN 'withdrawn' THEN '本人撤回入党申请' WHEN 'unfit' THEN '培养考察不合格'"
		" WHEN 'not_approved' THEN '未获支部或上级党委同意' ELSE '其他原因' END AS reason, p.stopped_status"
		" FROM develop_person p WHERE p.org_id IN {{SUBTREE}} AND p.stopped_on BETWEEN ?2 AND ?3"
		" AND coalesce(p.stop_reason, 'other') IN ('withdrawn', 'unfit', 'not_approved', 'other')"),
	 .by = "reason", .note = "期间内终止发展（撤回申请、考察不合格、未获同意等）的人，按原因分列；已接收为预备党员的另计"
				 "（未获批准接收或取消预备党员资格；死亡、出党、转出等见党员减少）"},
	/* Every 取消预备党员资格 is one member_end row, whether the pipeline
	 * decided it (its person, stopped that day) or the roster did for a
	 * 预备党员 who came without one (imported): counted once here, and
	 * once among member.ended.count's reasons. */
	{FIGURE("develop.probation_cancelled.count", "未获批准接收或取消预备党员资格", "名", FIGURE_COUNT, FIGURE_FLOW,
		"SELECT coalesce(p.id, m.id) AS rid, CASE WHEN p.id IS NULL THEN 'member' ELSE 'develop_person' END AS rkind,"
		" m.name AS title, e.org_id, e.on_date,"
		" CASE e.reason WHEN 'not_admitted' THEN '上级党委未批准接收' ELSE '不具备党员条件' END AS reason,"
		" m.join_date AS admitted_on, e.member_id FROM member_end e JOIN member m ON m.id = e.member_id"
		" LEFT JOIN develop_person p ON p.member_id = e.member_id AND p.stop_reason = e.reason"
		" WHERE e.org_id IN {{SUBTREE}} AND e.on_date BETWEEN ?2 AND ?3"
		" AND e.reason IN ('not_admitted', 'probation_cancelled')"),
	 .by = "reason",
	 .note = "期间内上级党委未批准接收、或预备党员不具备党员条件被取消预备党员资格的（党籍自该日终止），"
		 "含未经发展党员程序入党的预备党员，以上级党委决定日期计，按原因分列"},
	{FIGURE("develop.overdue.count", "逾期未办的步骤", "名", FIGURE_COUNT, FIGURE_STOCK,
		"SELECT p.id AS rid, 'develop_person' AS rkind, p.name AS title, p.org_id, p.due_on AS on_date,"
		" p.due_step, p.status FROM develop_person p WHERE p.org_id IN {{SUBTREE}} AND p.due_on < ?3"
		" AND p.status NOT IN ('stopped', 'full')"),
	 .by = "due_step", .by_label = step_label, .note = "时限已过仍未办理下一步的人，按逾期的步骤分列（按当前记录计算，适用于今天）"},
	{0},
};
