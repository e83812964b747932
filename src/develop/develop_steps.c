/* develop_steps.c — the 25 steps and five stages of 《中国共产党发展党员工作
 * 细则》, who acts on each, and the time limits (settings develop.*). */
#include "develop/develop.h"

#include <stdio.h>
#include <string.h>

#include "core/date.h"
#include "core/setting.h"

/* Steps of the 上级党委: its org_admin accounts act on them (todo.h);
 * a 党总支 may file a report and send someone to talk, not approve. */
static const struct develop_step_info steps[DEVELOP_STEPS] = {
	{1, 1, "递交入党申请书", DEVELOP_BRANCH, false, false},
	{2, 1, "党组织派人谈话", DEVELOP_BRANCH, false, false},
	{3, 2, "推荐和确定入党积极分子", DEVELOP_BRANCH, false, false},
	{4, 2, "报上级党委备案", DEVELOP_UPPER, true, false},
	{5, 2, "指定培养联系人", DEVELOP_BRANCH, false, false},
	{6, 2, "培养教育考察", DEVELOP_BRANCH, false, true},
	{7, 3, "确定发展对象", DEVELOP_BRANCH, false, false},
	{8, 3, "报上级党委备案", DEVELOP_UPPER, true, false},
	{9, 3, "确定入党介绍人", DEVELOP_BRANCH, false, false},
	{10, 3, "进行政治审查", DEVELOP_BRANCH, false, false},
	{11, 3, "开展集中培训", DEVELOP_UPPER, true, false},
	{12, 4, "支部委员会审查", DEVELOP_BRANCH, false, false},
	{13, 4, "上级党委预审", DEVELOP_UPPER, false, false},
	{14, 4, "填写入党志愿书", DEVELOP_BRANCH, false, false},
	{15, 4, "支部大会讨论", DEVELOP_BRANCH, false, false},
	{16, 4, "上级党委派人谈话", DEVELOP_UPPER, true, false},
	{17, 4, "上级党委审批", DEVELOP_UPPER, false, false},
	{18, 4, "再上一级党委组织部门备案", DEVELOP_UPPER2, false, false},
	{19, 5, "编入党支部和党小组", DEVELOP_BRANCH, false, false},
	{20, 5, "入党宣誓", DEVELOP_BRANCH, false, false},
	{21, 5, "继续教育考察", DEVELOP_BRANCH, false, true},
	{22, 5, "提出转正申请", DEVELOP_BRANCH, false, false},
	{23, 5, "支部大会讨论", DEVELOP_BRANCH, false, false},
	{24, 5, "上级党委审批", DEVELOP_UPPER, false, false},
	{25, 5, "材料归档", DEVELOP_BRANCH, false, false},
};

static const char *const stage_labels[] = {"", "入党申请人", "入党积极分子", "发展对象", "预备党员的接收",
					   "预备党员的教育考察和转正", "已完成"};

const struct develop_step_info *develop_step_info(int n)
{
	return n >= 1 && n <= DEVELOP_STEPS ? &steps[n - 1] : NULL;
}

const char *develop_stage_label(int stage)
{
	return stage >= 1 && stage <= DEVELOP_STAGES + 1 ? stage_labels[stage] : "";
}

int develop_stage_of(int done)
{
	return done >= DEVELOP_STEPS ? DEVELOP_STAGES + 1 : steps[done < 1 ? 0 : done - 1].stage;
}

static const struct {
	enum develop_status value;
	const char *name, *label;
} statuses[] = {
	{DEVELOP_APPLICANT, "applicant", "入党申请人"}, {DEVELOP_ACTIVIST, "activist", "入党积极分子"},
	{DEVELOP_CANDIDATE, "candidate", "发展对象"}, {DEVELOP_PROBATIONARY, "probationary", "预备党员"},
	{DEVELOP_FULL, "full", "正式党员"}, {DEVELOP_STOPPED, "stopped", "已终止"},
};

enum develop_status develop_status_parse(const char *s)
{
	for (size_t i = 0; s && i < sizeof statuses / sizeof statuses[0]; i++)
		if (strcmp(statuses[i].name, s) == 0)
			return statuses[i].value;
	return DEVELOP_STATUS_NONE;
}

const char *develop_status_label(const char *s)
{
	enum develop_status v = develop_status_parse(s);
	for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
		if (statuses[i].value == v)
			return statuses[i].label;
	return "";
}

json_t *develop_steps_json(void)
{
	static const char *const owners[] = {"", "branch", "upper", "upper2"};
	json_t *items = json_array(), *stages = json_array();
	for (int i = 0; i < DEVELOP_STEPS; i++)
		json_array_append_new(items, json_pack("{s:i, s:i, s:s, s:s, s:b}", "step", steps[i].n, "stage",
						       steps[i].stage, "label", steps[i].label, "owner",
						       owners[steps[i].owner], "repeat", steps[i].repeat));
	for (int s = 1; s <= DEVELOP_STAGES; s++)
		json_array_append_new(stages, json_pack("{s:i, s:s}", "stage", s, "label", stage_labels[s]));
	return json_pack("{s:o, s:o}", "steps", items, "stages", stages);
}

int develop_rules_load(struct db *db, struct develop_rules *r, struct dj_error *err)
{
	/* One statement (each step of `generate` loads the rules: twelve round
	 * trips each on PostgreSQL were most of its develop step). */
	const struct setting_int keys[] = {
		{"develop.min_age", 18, &r->min_age},
		{"develop.talk_months", 1, &r->talk_months},
		{"develop.assess_months", 6, &r->assess_months},
		{"develop.activist_min_months", 12, &r->activist_min_months},
		{"develop.training_days", 3, &r->training_days},
		{"develop.training_hours", 24, &r->training_hours},
		{"develop.approval_months", 3, &r->approval_months},
		{"develop.approval_max_months", 6, &r->approval_max_months},
		{"rule.probation_months", 12, &r->probation_months},
		{"develop.extension_min_months", 6, &r->extension_min_months},
		{"develop.extension_max_months", 12, &r->extension_max_months},
		{"develop.conversion_days", 14, &r->conversion_days},
	};
	return setting_get_ints(db, keys, (int)(sizeof keys / sizeof keys[0]), err);
}

#define S(r, k) json_string_value(json_object_get(r, k))

void develop_due(const struct develop_rules *r, json_t *p, const char *last_assess, int *due_step, char due_on[11])
{
	int done = (int)json_integer_value(json_object_get(p, "step"));
	const char *status = S(p, "status");
	*due_step = 0;
	due_on[0] = 0;
	enum develop_status st = develop_status_parse(status);
	if (st == DEVELOP_STOPPED || st == DEVELOP_FULL)
		return;
	if (done == 1) {	/* talk within a month of the application */
		*due_step = 2;
		date_add(due_on, S(p, "applied_on"), 0, (int)r->talk_months, 0);
	} else if (done >= 3 && done <= 6) {	/* an activist is assessed every 6 months */
		const char *base = last_assess && *last_assess ? last_assess : S(p, "activist_on");
		*due_step = 6;
		date_add(due_on, base, 0, (int)r->assess_months, 0);
	} else if (done == 15 || done == 16) {	/* approval within 3 months of the meeting */
		*due_step = 17;
		date_add(due_on, S(p, "admitted_on"), 0, (int)r->approval_months, 0);
	} else if (done >= 17 && done <= 22 && S(p, "probation_end")) {	/* conversion when probation ends */
		*due_step = 23;
		date_add(due_on, S(p, "probation_end"), 0, 0, (int)r->conversion_days);
	} else if (done == 23) {
		*due_step = 24;
		date_add(due_on, S(p, "voted_on"), 0, (int)r->approval_months, 0);
	}
}
