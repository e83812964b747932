/* develop_stop.c — 终止发展 (an application withdrawn, an activist or
 * candidate found unfit, a step not approved …) and 重新申请 after it; and
 * the audited view of a person's whole 身份证号 or phone.
 *
 * A stop keeps the record: the person leaves the board, the due list, the
 * findings and 待办 from that day, and stays in the figures of before.  The
 * rules have no "resume" of a stopped development: someone who wants to
 * join again hands in a new application and every step and time limit runs
 * anew.  So resuming makes a new record at step 1 (linked both ways to the
 * stopped one, which keeps its history and figures unchanged).
 *
 * A 预备党员 is on the roster: their membership ends as a member's does
 * (an end event, member_end.c), decided by the 上级党委 — when it does not
 * approve the admission (step 17), or, once it approved it and before it
 * approves the conversion, when it approves the general meeting's
 * resolution to cancel the qualification (取消预备党员资格, 细则 第三十四、
 * 三十五条, recorded as a failed step 24): at the conversion meeting (step
 * 23, decision cancel) or at any point of the probation (a meeting of its
 * own, meeting_on). */
#include "develop/develop_internal.h"
#include "member/member.h"
#include "member/member_roster.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/date.h"
#include "core/valid.h"
#include "crypto/pii.h"
#include "db/db.h"

#define S(r, k) json_string_value(json_object_get(r, k))
#define I(r, k) json_integer_value(json_object_get(r, k))

static const char *const stop_reasons[] = {"withdrawn", "unfit", "not_approved", "other", NULL};

const char *develop_stop_label(const char *reason)
{
	static const char *const map[][2] = {{"withdrawn", "本人撤回入党申请"}, {"unfit", "培养考察不合格"},
					     {"not_approved", "未获支部或上级党委同意"}, {"other", "其他原因"},
					     {"not_admitted", "上级党委未批准接收为预备党员"},
					     {"probation_cancelled", "取消预备党员资格"}};
	for (size_t i = 0; reason && i < sizeof map / sizeof map[0]; i++)
		if (strcmp(map[i][0], reason) == 0)
			return map[i][1];
	/* A membership that ended another way (develop_member_ended): 死亡 … */
	const char *end = roster_end_label(reason);
	return end ? end : "";
}

bool develop_stopped_by_end(const char *stop_reason)
{
	return stop_reason && roster_end_label(stop_reason) && strcmp(stop_reason, "not_admitted") != 0 &&
	       strcmp(stop_reason, "probation_cancelled") != 0;
}

/* Before the general meeting admits them: a 预备党员 is on the roster and
 * leaves it only as a member does (取消预备党员资格, develop_cancel). */
static int stoppable(json_t *p, struct dj_error *err)
{
	enum develop_status st = develop_status_parse(S(p, "status"));
	if (st == DEVELOP_STOPPED)
		return dj_fail(err, DJ_ECONFLICT, "status", "该发展对象已终止培养");
	if (st == DEVELOP_PROBATIONARY || st == DEVELOP_FULL)
		return dj_fail(err, DJ_ECONFLICT, "status",
			       "已接收为预备党员（党员名册在册），不能终止发展；上级党委未批准接收或不具备党员条件的，"
			       "请办理取消预备党员资格");
	return 0;
}

/* The person leaves the pipeline on `on`: the status they had is kept
 * beside the stop, and nothing is due any more. */
static int stop_mark(struct db *db, const struct actor *a, int64_t id, const char *on, const char *reason,
		     const char *note, struct dj_error *err)
{
	char now[21];
	date_now_iso(now);
	return db_run(db, "UPDATE develop_person SET stopped_status = status, status = 'stopped', stopped_on = ?,"
			  " stop_reason = ?, stop_note = ?, stop_user = ?, due_step = NULL, due_on = NULL, resumed_on = NULL, updated_at = ?"
			  " WHERE id = ?",
		      DB_ARGS(DB_T(on), DB_T(reason), DB_T(note), a->user_id ? DB_I(a->user_id) : DB_NULL, DB_T(now),
			      DB_I(id)), err);
}

int develop_member_ended(struct db *db, const struct actor *a, int64_t member_id, const char *reason,
			 const char *on_date, const char *note, struct dj_error *err)
{
	int64_t id = 0;
	int rc = db_int1(db, &id, "SELECT coalesce(max(id), 0) FROM develop_person WHERE member_id = ?"
				  " AND status <> 'stopped' AND step < 25", DB_ARGS(DB_I(member_id)), err);
	if (rc || !id)
		return rc;
	char *last = NULL;
	if (!(rc = db_text1(db, &last, "SELECT max(on_date) FROM develop_step WHERE person_id = ? AND passed = 1",
			    DB_ARGS(DB_I(id)), err)) && strcmp(on_date, last) < 0)
		rc = dj_fail(err, DJ_EINVAL, "on_date", "日期不能早于该党员发展党员工作最近一步的办理日期（%s）", last);
	free(last);
	if (rc)
		return rc;
	int64_t org = 0;
	if (!(rc = db_int1(db, &org, "SELECT org_id FROM develop_person WHERE id = ?", DB_ARGS(DB_I(id)), err)))
		db_touch_org(db, org);	/* the read cache: the branch that develops them */
	return rc ? rc : stop_mark(db, a, id, on_date, reason, note, err);
}

static int stop_apply(struct db *db, const struct actor *a, int64_t id, json_t *in, struct dj_error *err)
{
	const char *on, *reason, *note;
	int rc;
	if (!json_is_object(in))
		return dj_fail(err, DJ_EINVAL, "", "请求体应为 JSON 对象");
	if ((rc = v_date(in, "on_date", "终止日期", true, false, &on, err)) ||
	    (rc = v_enum(in, "reason", "终止原因", stop_reasons, true, &reason, err)) ||
	    (rc = v_str(in, "note", "终止说明", 500, false, &note, err)))
		return rc;
	if (strcmp(reason, "other") == 0 && !note)
		return dj_fail(err, DJ_EINVAL, "note", "终止原因为“其他”时请填写说明");
	if (strcmp(on, a->today) > 0)
		return dj_fail(err, DJ_EINVAL, "on_date", "终止日期不能晚于今天");
	json_t *p = develop_row(db, id, err);
	if (!p)
		return err->code;
	char *last = NULL;
	if (!(rc = stoppable(p, err)) &&
	    !(rc = db_text1(db, &last, "SELECT max(on_date) FROM develop_step WHERE person_id = ?", DB_ARGS(DB_I(id)),
			    err)) && strcmp(on, last) < 0)
		rc = dj_fail(err, DJ_EINVAL, "on_date", "终止日期不能早于最近一步的办理日期（%s）", last);
	if (!rc)
		rc = stop_mark(db, a, id, on, reason, note, err);
	free(last);
	json_decref(p);
	return rc;
}

/* One write of a person under its audit record: `fn` inside the
 * transaction, the record as it was and as it is after (*new_id: the record
 * `fn` names, the same one or a new one). */
static int audited(struct db *db, const struct actor *a, const char *action, int64_t id, int64_t *new_id,
		   int (*fn)(struct db *, const struct actor *, int64_t, json_t *, int64_t *, struct dj_error *),
		   json_t *in, struct dj_error *err)
{
	int rc;
	int64_t org = 0;
	/* 继续发展 is open to the 上级党委 of the member's current org too. */
	if ((rc = scope_can_manage(a, err)) ||
	    (rc = (strcmp(action, "develop.continue") == 0 ? develop_scope_back : develop_scope)(db, a, id, &org, err)))
		return rc;
	json_t *before = develop_masked(db, id, err);
	if (!before)
		return err->code;
	if (!(rc = db_begin(db, err))) {
		int64_t out = id;
		db_touch_org(db, org);	/* the read cache: the person's branch (a new record's names its own) */
		rc = fn(db, a, id, in, &out, err);
		json_t *after = rc ? NULL : develop_masked(db, out, err);
		if (!rc)
			rc = after ? audit_write(db, a, action, "develop_person", out, before, after, err) : err->code;
		json_decref(after);
		rc = db_end(db, rc, err);
		if (!rc && new_id)
			*new_id = out;
	}
	json_decref(before);
	return rc;
}

static int stop_fn(struct db *db, const struct actor *a, int64_t id, json_t *in, int64_t *out, struct dj_error *err)
{
	(void)out;
	return stop_apply(db, a, id, in, err);
}

int develop_stop(struct db *db, const struct actor *a, int64_t id, json_t *in, struct dj_error *err)
{
	return audited(db, a, "develop.stop", id, NULL, stop_fn, in, err);
}

/* The failed step the cancellation stands for: 17 before the 上级党委
 * approved the admission, 24 after it (the probation, up to the conversion). */
static int cancel_step(json_t *p)
{
	return I(p, "step") < 17 ? 17 : 24;
}

/* The failed step 24's facts: the 批复文号, the end event, and during the
 * probation the general meeting's resolution (its date and vote) unless
 * it was the conversion meeting's (step 23, decision cancel). */
static int cancel_do(struct db *db, const struct actor *a, int64_t id, json_t *in, json_t **fold, struct dj_error *err)
{
	const char *on, *note, *doc_no, *meeting;
	int rc;
	if (!json_is_object(in))
		return dj_fail(err, DJ_EINVAL, "", "请求体应为 JSON 对象");
	if ((rc = v_date(in, "on_date", "上级党委决定日期", true, false, &on, err)) ||
	    (rc = v_date(in, "meeting_on", "支部大会决议日期", false, false, &meeting, err)) ||
	    (rc = v_str(in, "doc_no", "上级党委批复文号", 100, true, &doc_no, err)) ||
	    (rc = v_str(in, "note", "事由", 500, true, &note, err)))
		return rc;
	if (strcmp(on, a->today) > 0)
		return dj_fail(err, DJ_EINVAL, "on_date", "日期不能晚于今天");
	json_t *p = develop_row(db, id, err);
	if (!p)
		return err->code;
	enum develop_status st = develop_status_parse(S(p, "status"));
	int step = cancel_step(p);
	int64_t mid = I(p, "member_id"), end_id = 0;
	char *last = NULL, *decision = NULL;
	json_t *facts = json_object(), *end = NULL;
	bool at_meeting = false;
	if (st != DEVELOP_PROBATIONARY || !mid)
		rc = dj_fail(err, DJ_ECONFLICT, "status", st == DEVELOP_STOPPED ? "该发展对象已终止培养"
						      : st == DEVELOP_FULL ? "已转为正式党员，不能取消预备党员资格"
						      : "尚未经支部大会接收为预备党员：只有预备党员可以取消预备党员资格（未入党的请办理终止发展）");
	else if (step == 24 && !(rc = develop_last_decision(db, id, &decision, err)))
		at_meeting = I(p, "step") == 23 && strcmp(decision, "cancel") == 0;
	/* During the probation the general meeting's resolution comes first:
	 * the conversion meeting's (step 23, decision cancel) or one of its
	 * own, whose vote is checked as every general meeting's is. */
	if (!rc && step == 24 && !at_meeting && !meeting)
		rc = dj_fail(err, DJ_EINVAL, "meeting_on",
			     "取消预备党员资格须经支部大会讨论决定，请填写支部大会决议日期（转正时的支部大会见第23步）");
	if (!rc && step == 24 && meeting) {
		bool passed;
		const char *why;
		json_object_set_new(facts, "meeting_on", json_string(meeting));
		if (!(rc = develop_vote(db, I(p, "org_id"), in, facts, &passed, &why, err)) && !passed)
			rc = develop_vote_refused(why, err);
	}
	if (!rc && !(rc = db_text1(db, &last, "SELECT max(on_date) FROM develop_step WHERE person_id = ? AND passed = 1",
				   DB_ARGS(DB_I(id)), err))) {
		if (step == 24 && meeting && strcmp(meeting, last) < 0)
			rc = dj_fail(err, DJ_EINVAL, "meeting_on", "支部大会决议日期不能早于最近一步的办理日期（%s）", last);
		else if (step == 24 && meeting && strcmp(on, meeting) < 0)
			rc = dj_fail(err, DJ_EINVAL, "on_date", "上级党委决定日期不能早于支部大会决议日期（%s）", meeting);
		else if (strcmp(on, last) < 0)
			rc = dj_fail(err, DJ_EINVAL, "on_date", "日期不能早于最近一步的办理日期（%s）", last);
	}
	const char *reason = step == 17 ? "not_admitted" : "probation_cancelled";
	/* The membership ends (its event goes into this write's one audit
	 * record), then the step the 上级党委 refused, then the person leaves
	 * the pipeline. */
	if (!rc)
		rc = member_probation_cancel(db, a, mid, reason, on, note, doc_no, &end_id, &end, err);
	int64_t sid = 0;
	char now[21];
	date_now_iso(now);
	if (!rc)
		rc = db_reserve_ids(db, "develop_step", 1, &sid, err);
	if (!rc) {
		json_object_set_new(facts, "doc_no", json_string(doc_no));
		json_object_set_new(facts, "member_end_id", json_integer(end_id));
		json_object_del(facts, "passed");	/* the vote passed; the step is the 上级党委's refusal */
		char *ftext = json_dumps(facts, JSON_COMPACT);
		rc = db_run(db, "INSERT INTO develop_step(id, person_id, step, on_date, passed, decision, facts, note, late,"
				" user_id, created_at) VALUES (?, ?, ?, ?, 0, ?, ?, ?, 0, ?, ?)",
			    DB_ARGS(DB_I(sid), DB_I(id), DB_I(step), DB_T(on), DB_T(reason), DB_T(ftext), DB_T(note),
				    a->user_id ? DB_I(a->user_id) : DB_NULL, DB_T(now)), err);
		free(ftext);
	}
	if (!rc)
		rc = stop_mark(db, a, id, on, reason, note, err);
	if (!rc && fold) {
		*fold = end;
		end = NULL;
	}
	json_decref(end);
	json_decref(facts);
	free(last);
	free(decision);
	json_decref(p);
	return rc;
}

int develop_cancel(struct db *db, const struct actor *a, int64_t id, json_t *in, struct dj_error *err)
{
	int64_t org = 0;
	int rc;
	if ((rc = scope_can_manage(a, err)) || (rc = develop_scope(db, a, id, &org, err)))
		return rc;
	json_t *p = develop_row(db, id, err);
	if (!p)
		return err->code;
	/* The 上级党委's decision: refused to the branch (403) before any input is read. */
	rc = develop_owner_check(db, a, org, cancel_step(p), err);
	json_decref(p);
	if (rc)
		return rc;
	/* One write, one audit record (develop.cancel): the member's end event
	 * is part of it (after.member_end), not a record of its own. */
	json_t *before = develop_masked(db, id, err), *end = NULL;
	if (!before)
		return err->code;
	if (!(rc = db_begin(db, err))) {
		db_touch_org(db, org);
		rc = cancel_do(db, a, id, in, &end, err);
		json_t *after = rc ? NULL : develop_masked(db, id, err);
		if (!rc && after) {
			json_object_set(after, "member_end", end);
			rc = audit_write(db, a, "develop.cancel", "develop_person", id, before, after, err);
		} else if (!rc) {
			rc = err->code;
		}
		json_decref(after);
		rc = db_end(db, rc, err);
	}
	json_decref(end);
	json_decref(before);
	return rc;
}

int develop_cancel_apply(struct db *db, const struct actor *a, int64_t id, json_t *in, struct dj_error *err)
{
	return cancel_do(db, a, id, in, NULL, err);
}

/* 重新申请: a new record at step 1 with the stopped one's personal data
 * (sealed anew: the ciphertext is bound to its row); the stopped record
 * gives up its 身份证号 key so that the new one may hold it. */
static int resume_fn(struct db *db, const struct actor *a, int64_t id, json_t *in, int64_t *out,
		     struct dj_error *err)
{
	const char *applied = NULL;
	int64_t org = 0;
	int rc;
	if (!json_is_object(in))
		return dj_fail(err, DJ_EINVAL, "", "请求体应为 JSON 对象");
	json_t *p = db_row(db, "SELECT " DEVELOP_COLS ", id_card_enc, phone_enc, next_id FROM develop_person WHERE id = ?",
			   DB_ARGS(DB_I(id)), err);
	if (!p)
		return err->code;
	/* What the record's state refuses (409) comes before what the input lacks (400). */
	if (develop_status_parse(S(p, "status")) != DEVELOP_STOPPED)
		rc = dj_fail(err, DJ_ECONFLICT, "status", "只有已终止培养的人可以重新申请");
	else if (I(p, "next_id"))
		rc = dj_fail(err, DJ_ECONFLICT, "status", "该人已重新申请（见新的发展记录）");
	else if (!(rc = v_date(in, "applied_on", "重新递交入党申请书日期", true, false, &applied, err)) &&
		 !(rc = v_id(in, "org_id", "所在党支部", false, &org, err)) && strcmp(applied, S(p, "stopped_on")) < 0)
		rc = dj_fail(err, DJ_EINVAL, "applied_on", "重新申请日期不能早于终止日期（%s）", S(p, "stopped_on"));
	char *idc = NULL, *ph = NULL;
	if (!rc) {
		idc = pii_open(id, "id_card", S(p, "id_card_enc"));
		ph = pii_open(id, "phone", S(p, "phone_enc"));
		if ((S(p, "id_card_enc") && !idc) || (S(p, "phone_enc") && !ph))
			rc = dj_fail(err, DJ_EIO, "id", "个人信息无法解密（密钥文件与数据库不匹配）");
	}
	if (!rc)
		rc = db_run(db, "UPDATE develop_person SET id_card_hash = NULL WHERE id = ?", DB_ARGS(DB_I(id)), err);
	/* A 预备党员 whose qualification was cancelled applies anew: their ended
	 * member record gives up its key too (a new admission makes a new one). */
	if (!rc && I(p, "member_id") && (strcmp(S(p, "stop_reason"), "not_admitted") == 0 ||
					 strcmp(S(p, "stop_reason"), "probation_cancelled") == 0))
		rc = member_release_id_card(db, I(p, "member_id"), err);
	if (!rc) {
		json_t *n = json_pack("{s:I, s:O, s:O, s:O, s:O, s:O, s:O, s:s}", "org_id",
				      (json_int_t)(org ? org : I(p, "org_id")), "name", json_object_get(p, "name"),
				      "gender", json_object_get(p, "gender"), "ethnicity", json_object_get(p, "ethnicity"),
				      "birth_date", json_object_get(p, "birth_date"), "education",
				      json_object_get(p, "education"), "position", json_object_get(p, "position"),
				      "applied_on", applied);
		if (idc)
			json_object_set_new(n, "id_card", json_string(idc));
		if (ph)
			json_object_set_new(n, "phone", json_string(ph));
		const char *keys[] = {"by", "note"};
		for (size_t i = 0; i < 2; i++)
			if (json_object_get(in, keys[i]))
				json_object_set(n, keys[i], json_object_get(in, keys[i]));
		/* The null fields of the old row are absent, not null, to the new one. */
		const char *k;
		json_t *v;
		void *tmp;
		json_object_foreach_safe(n, tmp, k, v) {
			if (json_is_null(v))
				json_object_del(n, k);
		}
		rc = develop_insert(db, a, n, out, err);
		json_decref(n);
	}
	if (!rc)
		rc = db_run(db, "UPDATE develop_person SET prev_id = ? WHERE id = ?", DB_ARGS(DB_I(id), DB_I(*out)), err);
	if (!rc)
		rc = db_run(db, "UPDATE develop_person SET next_id = ? WHERE id = ?", DB_ARGS(DB_I(*out), DB_I(id)), err);
	free(idc);
	free(ph);
	json_decref(p);
	return rc;
}

int develop_back_on(struct db *db, json_t *p, char on[11], struct dj_error *err)
{
	char *d = NULL;
	int rc = db_text1(db, &d, "SELECT max(e.back_on) FROM member_end e JOIN member m ON m.id = e.member_id"
				  " WHERE e.member_id = ? AND e.reason = ? AND e.on_date = ? AND m.active = 1",
			  DB_ARGS(DB_I(I(p, "member_id")), DB_T(S(p, "stop_reason")), DB_T(S(p, "stopped_on"))), err);
	if (rc == DJ_ENOTFOUND) {
		dj_error_clear(err);
		rc = 0;
	}
	snprintf(on, 11, "%s", d ? d : "");
	free(d);
	return rc;
}

int develop_may_continue(struct db *db, const struct actor *a, json_t *p, bool *may, struct dj_error *err)
{
	int64_t morg = 0;
	struct dj_error e = {0};
	int rc = db_int1(db, &morg, "SELECT org_id FROM member WHERE id = ?", DB_ARGS(DB_I(I(p, "member_id"))), err);
	if (!rc)
		rc = develop_owner_check(db, a, morg, 24, &e);
	*may = !rc;
	if (rc == DJ_EFORBIDDEN)
		rc = 0;
	else if (rc && e.code)
		dj_fail(err, rc, e.field, "%s", e.msg);
	dj_error_clear(&e);
	return rc;
}

/* 继续发展: a record stopped only because the membership ended (转出 …)
 * goes on — the same record, its steps and time limits — once the member is
 * back on the roster (a letter received back, member_transfer.c); a new
 * application (resume_fn) would be wrong for a 预备党员.  The 上级党委
 * decides, as it approves the conversion.  The stop stays on the record as
 * history (stopped_on, stop_reason); resumed_on, the day they came back,
 * ends the gap the figures leave out.  The branch where they came back
 * goes on with it.  Each gap is kept in develop_gap: a continued record may
 * stop again (a second 转出) and go on again, and the stop columns then
 * hold only the latest stop. */
static int continue_fn(struct db *db, const struct actor *a, int64_t id, json_t *in, int64_t *out,
		       struct dj_error *err)
{
	(void)in;
	(void)out;
	json_t *p = develop_row(db, id, err);
	if (!p)
		return err->code;
	char on[11] = "";
	int64_t org = I(p, "org_id"), morg = 0;
	int rc = 0;
	/* What the record's state refuses (409) comes before who may act (403). */
	if (I(p, "next_id"))
		rc = dj_fail(err, DJ_ECONFLICT, "status", "该人已重新申请（见新的发展记录）");
	if (!rc && !(rc = develop_back_on(db, p, on, err)) && !on[0])
		rc = dj_fail(err, DJ_ECONFLICT, "status", "该党员的党籍已终止或已转出（%s），尚未回到党员名册，"
			     "发展记录随之结束；转出的党员登记转入后可继续发展", develop_stop_label(S(p, "stop_reason")));
	/* The 上级党委 of the member's current org decides (it will approve
	 * the conversion there), not that of the branch the record was done in. */
	if (!rc)
		rc = db_int1(db, &morg, "SELECT org_id FROM member WHERE id = ?", DB_ARGS(DB_I(I(p, "member_id"))), err);
	if (!rc && (rc = develop_owner_check(db, a, morg, 24, err)) == DJ_EFORBIDDEN) {
		dj_error_clear(err);
		rc = dj_fail(err, DJ_EFORBIDDEN, "status", "继续发展由该党员现所在党组织的上级党委办理（上级党委的组织管理员或系统管理员）");
	}
	if (!rc && morg != org && !(rc = develop_org_check(db, a, morg, "org_id", err)))
		db_touch_org(db, morg);
	struct develop_rules r;
	char now[21];
	date_now_iso(now);
	if (!rc)
		rc = db_run(db, "INSERT INTO develop_gap(person_id, stopped_on, stop_reason, stop_note, resumed_on, user_id,"
				" created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
			    DB_ARGS(DB_I(id), DB_T(S(p, "stopped_on")), DB_T(S(p, "stop_reason")), DB_T(S(p, "stop_note")),
				    DB_T(on), a->user_id ? DB_I(a->user_id) : DB_NULL, DB_T(now)), err);
	if (!rc)
		rc = db_run(db, "UPDATE develop_person SET status = stopped_status, org_id = ?, resumed_on = ?, updated_at = ?"
				" WHERE id = ?", DB_ARGS(DB_I(morg), DB_T(on), DB_T(now), DB_I(id)), err);
	if (!rc && !(rc = develop_rules_load(db, &r, err)))
		rc = develop_refresh_due(db, &r, id, err);
	json_decref(p);
	return rc;
}

int develop_resume(struct db *db, const struct actor *a, int64_t id, json_t *in, int64_t *new_id,
		   struct dj_error *err)
{
	/* Stopped by the member's end: 继续发展; otherwise 重新申请. */
	json_t *p = develop_row(db, id, err);
	if (!p)
		return err->code;
	bool cont = develop_status_parse(S(p, "status")) == DEVELOP_STOPPED && develop_stopped_by_end(S(p, "stop_reason"));
	json_decref(p);
	return cont ? audited(db, a, "develop.continue", id, new_id, continue_fn, in, err)
		    : audited(db, a, "develop.resume", id, new_id, resume_fn, in, err);
}

json_t *develop_reveal(struct db *db, const struct actor *a, int64_t id, const char *field, struct dj_error *err)
{
	if (!field || (strcmp(field, "id_card") != 0 && strcmp(field, "phone") != 0)) {
		dj_fail(err, DJ_EINVAL, "field", "只能查看身份证号（id_card）或联系电话（phone）");
		return NULL;
	}
	if (scope_can_manage(a, err) || develop_scope(db, a, id, NULL, err))
		return NULL;
	return member_reveal_sealed(db, a, "develop_person", "develop.reveal", id, field, err);
}
