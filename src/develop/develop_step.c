/* develop_step.c — recording one of the 25 steps: in order, with its facts,
 * against the rules' time limits; steps 15, 23 and 24 make and change the
 * member record through the member module. */
#include "develop/develop_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attach/attach.h"
#include "audit/audit.h"
#include "core/date.h"
#include "core/mem.h"
#include "core/valid.h"
#include "crypto/pii.h"
#include "db/db.h"
#include "member/member.h"
#include "org/org.h"

#define S(r, k) json_string_value(json_object_get(r, k))
#define I(r, k) json_integer_value(json_object_get(r, k))

/* 培养联系人 / 入党介绍人: `min`–`max` distinct 正式党员 of the actor's scope. */
static int check_members(struct db *db, const struct actor *a, json_t *in, const char *key, const char *label,
			 size_t min, size_t max, json_t *facts, struct dj_error *err)
{
	json_t *arr = json_object_get(in, key), *x;
	size_t n = json_is_array(arr) ? json_array_size(arr) : 0, i;
	if (!json_is_array(arr) || n < min || n > max) {
		if (min == max)
			return dj_fail(err, DJ_EINVAL, key, "%s应为%zu名正式党员", label, min);
		return dj_fail(err, DJ_EINVAL, key, "%s应为%zu至%zu名正式党员", label, min, max);
	}
	json_t *out = json_array();
	int rc = 0;
	json_array_foreach(arr, i, x) {
		json_int_t mid = json_integer_value(x);
		if (!json_is_integer(x) || mid <= 0) {
			rc = dj_fail(err, DJ_EINVAL, key, "%s应为党员编号", label);
			break;
		}
		for (size_t j = 0; j < i; j++)
			if (json_integer_value(json_array_get(arr, j)) == mid)
				rc = dj_fail(err, DJ_EINVAL, key, "%s不能重复", label);
		if (rc)
			break;
		if ((rc = scope_member(db, a, mid, err))) {
			if (rc == DJ_EFORBIDDEN || rc == DJ_ENOTFOUND) {
				dj_error_clear(err);
				rc = dj_fail(err, DJ_ENOTFOUND, key, "%s不存在", label);
			}
			break;
		}
		json_t *m = db_row(db, "SELECT id, name, status, active FROM member WHERE id = ?", DB_ARGS(DB_I(mid)), err);
		if (!m) {
			rc = err->code;
			break;
		}
		if (member_status_parse(S(m, "status")) != MEMBER_FULL || I(m, "active") != 1)
			rc = dj_fail(err, DJ_EINVAL, key, "%s%s不是正式党员", label, S(m, "name"));
		else
			json_array_append_new(out, json_pack("{s:I, s:s}", "id", (json_int_t)mid, "name", S(m, "name")));
		json_decref(m);
		if (rc)
			break;
	}
	if (!rc)
		json_object_set(facts, key, out);
	json_decref(out);
	return rc;
}

/* 支部大会: more than half of those entitled present, and more than half of
 * those entitled in favour (written opinions handed in count).  *passed. */
static int check_vote(json_t *in, json_t *facts, bool *passed, const char **why_field, struct dj_error *err)
{
	int64_t entitled, present, favour, written;
	int rc;
	if ((rc = v_int(in, "entitled", "应到会有表决权的正式党员", 1, 100000, 0, &entitled, err)))
		return rc;
	if (!json_object_get(in, "entitled"))
		return dj_fail(err, DJ_EINVAL, "entitled", "请填写应到会有表决权的正式党员人数");
	if ((rc = v_int(in, "present", "实到会有表决权的正式党员", 0, entitled, -1, &present, err)) ||
	    (rc = v_int(in, "written", "书面意见", 0, entitled, 0, &written, err)) ||
	    (rc = v_int(in, "in_favour", "赞成", 0, entitled, -1, &favour, err)))
		return rc;
	if (present < 0)
		return dj_fail(err, DJ_EINVAL, "present", "请填写实到会人数");
	if (favour < 0)
		return dj_fail(err, DJ_EINVAL, "in_favour", "请填写赞成人数");
	if (present + written > entitled)
		return dj_fail(err, DJ_EINVAL, "written", "实到会人数与书面意见合计不能超过应到会人数");
	if (favour > present + written)
		return dj_fail(err, DJ_EINVAL, "in_favour", "赞成人数不能超过实到会人数与书面意见之和");
	json_object_set_new(facts, "entitled", json_integer(entitled));
	json_object_set_new(facts, "present", json_integer(present));
	json_object_set_new(facts, "written", json_integer(written));
	json_object_set_new(facts, "in_favour", json_integer(favour));
	*passed = 2 * present > entitled && 2 * favour > entitled;
	*why_field = 2 * present > entitled ? "in_favour" : "present";
	json_object_set_new(facts, "passed", json_boolean(*passed));
	return 0;
}

int develop_vote(struct db *db, int64_t org, json_t *in, json_t *facts, bool *passed, const char **why_field,
		 struct dj_error *err)
{
	int rc;
	if ((rc = check_vote(in, facts, passed, why_field, err)))
		return rc;
	/* Those with a vote are the 正式党员 of the branch and its 党小组: the platform knows how many. */
	int64_t voters = 0, entitled = json_integer_value(json_object_get(facts, "entitled"));
	if ((rc = db_int1(db, &voters, DEVELOP_VOTERS_SQL, DB_ARGS(DB_I(org)), err)))
		return rc;
	if (entitled > voters)
		return dj_fail(err, DJ_EINVAL, "entitled", "应到会有表决权的正式党员（%lld名）多于本支部在册正式党员（%lld名）",
			       (long long)entitled, (long long)voters);
	return 0;
}

int develop_vote_refused(const char *why_field, struct dj_error *err)
{
	return dj_fail(err, DJ_EINVAL, why_field,
		       strcmp(why_field, "present") == 0
			       ? "实到会有表决权的正式党员未超过应到会人数的半数，会议不能进行表决"
			       : "赞成人数未超过应到会有表决权的正式党员的半数，表决未通过");
}

int develop_last_decision(struct db *db, int64_t id, char **decision, struct dj_error *err)
{
	return db_text1(db, decision, "SELECT coalesce((SELECT decision FROM develop_step WHERE person_id = ? AND step = 23"
				      " AND passed = 1 ORDER BY on_date DESC, id DESC LIMIT 1), '')", DB_ARGS(DB_I(id)), err);
}

/* The member record of a person admitted by the general meeting on `on`. */
int develop_admit_member(struct db *db, json_t *p, int64_t id, const char *on, int64_t *mid, struct dj_error *err)
{
	char *sealed = NULL, *sealed_ph = NULL;
	int rc = db_text1(db, &sealed, "SELECT coalesce(id_card_enc, '') FROM develop_person WHERE id = ?",
			  DB_ARGS(DB_I(id)), err);
	if (!rc)
		rc = db_text1(db, &sealed_ph, "SELECT coalesce(phone_enc, '') FROM develop_person WHERE id = ?",
			      DB_ARGS(DB_I(id)), err);
	char *idc = NULL, *ph = NULL;
	if (!rc) {
		idc = *sealed ? pii_open(id, "id_card", sealed) : NULL;
		ph = *sealed_ph ? pii_open(id, "phone", sealed_ph) : NULL;
		struct member_rec m = {.org_id = I(p, "org_id"), .name = S(p, "name"), .gender = S(p, "gender"),
				       .ethnicity = S(p, "ethnicity"), .birth_date = S(p, "birth_date"), .id_card = idc,
				       .phone = ph, .education = S(p, "education"), .join_date = on,
				       .status = member_status_name(MEMBER_PROBATIONARY), .position = S(p, "position")};
		db_touch_org(db, m.org_id);	/* the member record comes to the person's branch */
		if (!(rc = member_check(db, &m, err)))
			rc = member_insert(db, &m, 0, mid, err);
	}
	free(sealed);
	free(sealed_ph);
	free(idc);
	free(ph);
	return rc;
}

int develop_step_apply(struct db *db, const struct actor *a, int64_t id, json_t *in, int64_t *step_id,
		       struct dj_error *err)
{
	struct develop_rules r;
	int rc = develop_rules_load(db, &r, err);
	return rc ? rc : develop_step_apply_rules(db, a, &r, id, in, step_id, err);
}

int develop_step_apply_rules(struct db *db, const struct actor *a, const struct develop_rules *rules, int64_t id,
			     json_t *in, int64_t *step_id, struct dj_error *err)
{
	if (!json_is_object(in))
		return dj_fail(err, DJ_EINVAL, "", "请求体应为 JSON 对象");
	int64_t step;
	const char *on, *by, *note, *result;
	int rc;
	static const char *const results[] = {"passed", "failed", NULL};
	if ((rc = v_int(in, "step", "步骤", 1, DEVELOP_STEPS, 0, &step, err)) ||
	    (rc = v_date(in, "on_date", "办理日期", true, false, &on, err)) ||
	    (rc = v_str(in, "by", "办理人", 30, false, &by, err)) ||
	    (rc = v_str(in, "note", "备注", 500, false, &note, err)) ||
	    (rc = v_enum(in, "result", "表决结果", results, false, &result, err)))
		return rc;
	if (!step)
		return dj_fail(err, DJ_EINVAL, "step", "请选择步骤");
	if (strcmp(on, a->today) > 0)
		return dj_fail(err, DJ_EINVAL, "on_date", "办理日期不能晚于今天");
	const struct develop_rules r = *rules;
	json_t *p = develop_row(db, id, err);
	if (!p)
		return err->code;
	db_touch_org(db, I(p, "org_id"));	/* the read cache: the person's branch */
	const struct develop_step_info *info = develop_step_info((int)step);
	int done = (int)I(p, "step");
	json_t *facts = json_object();
	char *last = NULL, *last_assess = NULL;
	bool passed = true;
	const char *decision = NULL;
	int64_t extend = 0, mid = I(p, "member_id");
	char msg[200];
	if (develop_status_parse(S(p, "status")) == DEVELOP_STOPPED) {
		rc = dj_fail(err, DJ_ECONFLICT, "step", "该发展对象已终止培养");
		goto out;
	}
	/* The last step done, the last 半年考察 (step 6) and whether the member
	 * record (if any) is on the roster, in one statement. */
	json_t *lasts = db_row(db, "SELECT coalesce(max(CASE WHEN passed = 1 THEN on_date END), '') AS last,"
				   " coalesce(max(CASE WHEN step = 6 THEN on_date END), '') AS assess,"
				   " (SELECT active FROM member WHERE id = ?) AS active"
				   " FROM develop_step WHERE person_id = ?", DB_ARGS(DB_I(mid), DB_I(id)), err);
	if (!lasts) {
		rc = err->code;
		goto out;
	}
	last = xstrdup(S(lasts, "last"));
	last_assess = xstrdup(S(lasts, "assess"));
	bool off_roll = mid && I(lasts, "active") != 1;
	json_decref(lasts);
	/* A 预备党员 (or a 正式党员 before 材料归档) whose membership ended
	 * (member_end: 死亡, 出党, 停止党籍, 转出 …) has no step left here. */
	if (off_roll) {
		rc = dj_fail(err, DJ_ECONFLICT, "step", "该党员已不在党员名册（党籍已终止或已转出），不能再办理发展党员的步骤");
		goto out;
	}
	if (step == 1 || (step <= done && !(info->repeat && step == done))) {
		rc = dj_fail(err, DJ_ECONFLICT, "step", "第%lld步（%s）已办理", (long long)step, info->label);
		goto out;
	}
	if (step > done + 1) {
		rc = dj_fail(err, DJ_ECONFLICT, "step", "应先办理第%d步（%s），不能跳到第%lld步", done + 1,
			     develop_step_info(done + 1)->label, (long long)step);
		goto out;
	}
	if (strcmp(on, last) < 0) {
		rc = dj_fail(err, DJ_EINVAL, "on_date", "办理日期不能早于上一步的日期（%s）", last);
		goto out;
	}
	switch (step) {
	case 5:
		rc = check_members(db, a, in, "mentors", "培养联系人", 1, 2, facts, err);
		break;
	case 7: {
		bool found;
		char earliest[11];
		if ((rc = db_exists(db, &found, "SELECT 1 FROM develop_step WHERE person_id = ? AND step = 6",
				    DB_ARGS(DB_I(id)), err)))
			break;
		if (!found) {
			rc = dj_fail(err, DJ_ECONFLICT, "step", "入党积极分子应经过培养教育考察（第6步）后再确定为发展对象");
			break;
		}
		date_add(earliest, S(p, "activist_on"), 0, (int)r.activist_min_months, 0);
		if (strcmp(on, earliest) < 0)
			rc = dj_fail(err, DJ_EINVAL, "on_date",
				     "入党积极分子经过%lld个月以上培养教育考察方可确定为发展对象（%s确定为积极分子，最早%s）",
				     (long long)r.activist_min_months, S(p, "activist_on"), earliest);
		break;
	}
	case 9:
		rc = check_members(db, a, in, "sponsors", "入党介绍人", 2, 2, facts, err);
		break;
	case 10: {
		const char *c;
		if (!(rc = v_str(in, "conclusion", "政审结论", 200, false, &c, err)) && c)
			json_object_set_new(facts, "conclusion", json_string(c));
		break;
	}
	case 11: {
		int64_t days, hours;
		if ((rc = v_int(in, "days", "培训天数", 0, 365, 0, &days, err)) ||
		    (rc = v_int(in, "hours", "培训学时", 0, 10000, 0, &hours, err)))
			break;
		if (days < r.training_days && hours < r.training_hours) {
			rc = dj_fail(err, DJ_EINVAL, "hours", "集中培训时间一般不少于%lld天或%lld学时",
				     (long long)r.training_days, (long long)r.training_hours);
			break;
		}
		json_object_set_new(facts, "days", json_integer(days));
		json_object_set_new(facts, "hours", json_integer(hours));
		break;
	}
	case 15:
	case 23: {
		const char *why;
		if ((rc = develop_vote(db, I(p, "org_id"), in, facts, &passed, &why, err)))
			break;
		if (step == 23 && strcmp(on, S(p, "probation_end")) < 0) {
			rc = dj_fail(err, DJ_EINVAL, "on_date", "预备期至%s届满，届满后方可讨论转正", S(p, "probation_end"));
			break;
		}
		if (!passed && !(result && strcmp(result, "failed") == 0)) {
			rc = develop_vote_refused(why, err);
			break;
		}
		if (passed && result && strcmp(result, "failed") == 0) {
			rc = dj_fail(err, DJ_EINVAL, "result", "表决票数已超过半数，结果应为通过");
			break;
		}
		if (step == 23 && passed) {
			/* cancel: 不具备转正条件, the meeting proposes 取消预备党员资格 and
			 * the 上级党委 decides it (develop_cancel) instead of step 24. */
			static const char *const decisions[] = {"convert", "extend", "cancel", NULL};
			if ((rc = v_enum(in, "decision", "讨论结果", decisions, false, &decision, err)))
				break;
			if (!decision)
				decision = "convert";
			if (strcmp(decision, "extend") == 0) {
				if (I(p, "extensions") > 0) {
					rc = dj_fail(err, DJ_ECONFLICT, "decision", "预备期只能延长一次");
					break;
				}
				if ((rc = v_int(in, "extend_months", "延长预备期", r.extension_min_months,
						r.extension_max_months, 0, &extend, err)))
					break;
				if (!extend) {
					rc = dj_fail(err, DJ_EINVAL, "extend_months", "请填写延长预备期的月数（%lld至%lld个月）",
						     (long long)r.extension_min_months, (long long)r.extension_max_months);
					break;
				}
				json_object_set_new(facts, "extend_months", json_integer(extend));
			}
			json_object_set_new(facts, "decision", json_string(decision));
		}
		break;
	}
	case 17:
	case 24: {
		if (step == 24) {
			char *d = NULL;
			if ((rc = develop_last_decision(db, id, &d, err)))
				break;
			if (strcmp(d, "cancel") == 0)
				rc = dj_fail(err, DJ_ECONFLICT, "step",
					     "支部大会决定取消其预备党员资格，请上级党委审批取消（不能审批转正）");
			free(d);
			if (rc)
				break;
		}
		const char *base = step == 17 ? S(p, "admitted_on") : S(p, "voted_on");
		char latest[11];
		date_add(latest, base, 0, (int)r.approval_max_months, 0);
		if (strcmp(on, latest) > 0)
			rc = dj_fail(err, DJ_EINVAL, "on_date", "上级党委应在支部大会（%s）后%lld个月内审批，最长不超过%lld个月（%s）",
				     base, (long long)r.approval_months, (long long)r.approval_max_months, latest);
		break;
	}
	default:
		break;
	}
	if (rc)
		goto out;
	/* Late: the step had a deadline and was done after it. */
	int due_step;
	char due_on[11];
	develop_due(&r, p, last_assess, &due_step, due_on);
	bool late = due_step == step && due_on[0] && strcmp(on, due_on) > 0;
	if ((rc = db_reserve_ids(db, "develop_step", 1, step_id, err)))
		goto out;
	char now[21], *ftext = json_dumps(facts, JSON_COMPACT);
	date_now_iso(now);
	rc = db_run(db, "INSERT INTO develop_step(id, person_id, step, on_date, by_name, passed, decision, facts, note,"
			" late, due_on, user_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		    DB_ARGS(DB_I(*step_id), DB_I(id), DB_I(step), DB_T(on), DB_T(by), DB_I(passed), DB_T(decision),
			    DB_T(ftext), DB_T(note), DB_I(late), due_step == step ? DB_T(due_on) : DB_NULL,
			    a->user_id ? DB_I(a->user_id) : DB_NULL, DB_T(now)), err);
	free(ftext);
	if (rc || !passed)
		goto out;
	if (step == 15) {
		char end[11];
		date_add(end, on, 0, (int)r.probation_months, 0);
		if ((rc = develop_admit_member(db, p, id, on, &mid, err)))
			goto out;
		rc = db_run(db, "UPDATE develop_person SET status = 'probationary', admitted_on = ?, probation_end = ?,"
				" member_id = ? WHERE id = ?", DB_ARGS(DB_T(on), DB_T(end), DB_I(mid), DB_I(id)), err);
	} else if (step == 23 && extend) {
		char end[11];
		date_add(end, S(p, "probation_end"), 0, (int)extend, 0);
		rc = db_run(db, "UPDATE develop_person SET probation_end = ?, extensions = extensions + 1 WHERE id = ?",
			    DB_ARGS(DB_T(end), DB_I(id)), err);
		if (!rc && mid)
			rc = member_probation_set(db, mid, end, err);
		/* Education goes on; steps 22 and 23 come again when the new term ends. */
		done = 21;
		step = 21;
	} else if (step == 23) {
		rc = db_run(db, "UPDATE develop_person SET voted_on = ? WHERE id = ?", DB_ARGS(DB_T(on), DB_I(id)), err);
	} else if (step == 24) {
		/* 党龄 counts from the day the probation ended (党章 art. 7). */
		rc = db_run(db, "UPDATE develop_person SET status = 'full', full_on = probation_end WHERE id = ?",
			    DB_ARGS(DB_I(id)), err);
		if (!rc && mid)
			rc = member_make_full(db, mid, S(p, "probation_end"), err);
	} else if (step == 3) {
		rc = db_run(db, "UPDATE develop_person SET status = 'activist', activist_on = ? WHERE id = ?",
			    DB_ARGS(DB_T(on), DB_I(id)), err);
	} else if (step == 7) {
		rc = db_run(db, "UPDATE develop_person SET status = 'candidate', candidate_on = ? WHERE id = ?",
			    DB_ARGS(DB_T(on), DB_I(id)), err);
	}
	if (!rc) {
		char now2[21];
		date_now_iso(now2);
		rc = db_run(db, "UPDATE develop_person SET step = ?, updated_at = ? WHERE id = ?",
			    DB_ARGS(DB_I(step > done ? step : done), DB_T(now2), DB_I(id)), err);
	}
	/* The deadline from here on, counted from this step if it is a 半年考察. */
	if (!rc)
		rc = develop_refresh_due_with(db, &r, id, step == 6 && strcmp(on, last_assess) > 0 ? on : last_assess, err);
	(void)msg;
out:
	free(last);
	free(last_assess);
	json_decref(facts);
	json_decref(p);
	return rc;
}

/* A step of the 上级党委 (13 预审, 17 审批, 24 转正审批 …) is recorded by
 * that 党委's org_admin accounts (a 党总支's for the steps it may act on)
 * or a system administrator, never by the branch that proposes: a branch
 * cannot approve its own candidates. */
int develop_owner_check(struct db *db, const struct actor *a, int64_t person_org, int step, struct dj_error *err)
{
	const struct develop_step_info *s = develop_step_info(step);
	if (!s || s->owner == DEVELOP_BRANCH || a->role == ROLE_ADMIN)
		return 0;	/* a bad step number is develop_step_apply's error */
	bool above = false;
	char *kind = NULL;
	int rc = 0;
	if (a->role == ROLE_ORG_ADMIN && a->org_id != person_org) {
		if ((rc = org_contains(db, a->org_id, person_org, &above, err)) ||
		    (rc = db_text1(db, &kind, "SELECT kind FROM org WHERE id = ?", DB_ARGS(DB_I(a->org_id)), err)))
			goto out;
		enum org_kind k = org_kind_parse(kind);
		above = above && (k == ORG_COMMITTEE || k == ORG_INDUSTRY_COMMITTEE || k == ORG_PARTY_GROUP ||
				  (k == ORG_GENERAL_BRANCH && s->general_branch_may && s->owner == DEVELOP_UPPER));
	}
	if (!above)
		rc = dj_fail(err, DJ_EFORBIDDEN, "step", "第%d步“%s”由上级党委办理（上级党委的组织管理员或系统管理员）",
			     s->n, s->label);
out:
	free(kind);
	return rc;
}

int develop_step_add(struct db *db, const struct actor *a, int64_t id, json_t *in, int64_t *step_id,
		     struct dj_error *err)
{
	int rc;
	int64_t org = 0;
	json_t *sv = json_object_get(in, "step");
	if ((rc = scope_can_manage(a, err)) || (rc = develop_scope(db, a, id, &org, err)) ||
	    (rc = develop_owner_check(db, a, org, json_is_integer(sv) ? (int)json_integer_value(sv) : 0, err)))
		return rc;
	json_t *before = develop_masked(db, id, err);
	if (!before)
		return err->code;
	if ((rc = db_begin(db, err)) == 0) {
		rc = develop_step_apply(db, a, id, in, step_id, err);
		if (!rc) {
			json_t *after = develop_masked(db, id, err);
			if (after)
				json_object_set(after, "step_record", in);
			rc = after ? audit_write(db, a, "develop.step", "develop_person", id, before, after, err)
				   : err->code;
			json_decref(after);
		}
		rc = db_end(db, rc, err);
	}
	json_decref(before);
	return rc;
}

int develop_attachment_scope(struct db *db, const struct actor *a, const char *entity, int64_t entity_id, bool write,
			     struct dj_error *err)
{
	int64_t person;
	if (strcmp(entity, "develop_step") != 0)
		return dj_fail(err, DJ_ENOTFOUND, "id", "附件不存在");
	int rc = db_int1(db, &person, "SELECT person_id FROM develop_step WHERE id = ?", DB_ARGS(DB_I(entity_id)), err);
	if (rc == DJ_ENOTFOUND)
		return dj_fail(err, DJ_ENOTFOUND, "id", "附件不存在");
	if (rc || (write && (rc = scope_can_manage(a, err))))
		return rc;
	/* The files of a record one may open (develop_get) may be read. */
	return write ? develop_scope(db, a, person, NULL, err) : develop_scope_back(db, a, person, NULL, err);
}

int develop_attach(struct db *db, const struct actor *a, int64_t step_id, const char *filename, const void *data,
		   size_t len, int64_t *att, struct dj_error *err)
{
	int rc;
	if ((rc = develop_attachment_scope(db, a, "develop_step", step_id, true, err)))
		return rc;
	if (!filename || !*filename)
		return dj_fail(err, DJ_EINVAL, "filename", "请提供文件名");
	if ((rc = db_begin(db, err)))
		return rc;
	rc = attach_store(db, a, "develop_step", step_id, filename, data, len, att, err);
	if (!rc) {
		json_t *what = json_pack("{s:s, s:I, s:I}", "filename", filename, "size", (json_int_t)len,
					 "attachment_id", (json_int_t)*att);
		rc = audit_write(db, a, "develop.attach", "develop_step", step_id, NULL, what, err);
		json_decref(what);
	}
	return db_end(db, rc, err);
}
