/* develop.c — a person enters the pipeline (step 1, 递交入党申请书). */
#include "develop/develop_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/collate.h"
#include "core/date.h"
#include "core/valid.h"
#include "crypto/pii.h"
#include "db/db.h"
#include "member/idcard.h"
#include "member/member.h"
#include "org/org.h"

static const char *const genders[] = {"male", "female", NULL};

/* Development happens in a branch; a 临时党支部 develops nobody (DESIGN). */
static int develop_org_kind(struct db *db, int64_t org, const char *field, const char *what, struct dj_error *err)
{
	char *kind = NULL;
	int rc = db_text1(db, &kind, "SELECT kind FROM org WHERE id = ?", DB_ARGS(DB_I(org)), err);
	if (rc)
		return rc;
	const struct org_kind_info *k = org_kind(kind);
	if (k && k->id == ORG_TEMPORARY_BRANCH)
		rc = dj_fail(err, DJ_EINVAL, field, "%s临时党支部不能发展党员", what);
	else if (!k || (!k->branch_like && k->id != ORG_GENERAL_BRANCH))
		rc = dj_fail(err, DJ_EINVAL, field, "%s发展党员应由党支部进行，请选择党支部", what);
	free(kind);
	return rc;
}

int develop_org_check(struct db *db, const struct actor *a, int64_t org, const char *field, struct dj_error *err)
{
	int rc = org_check_open(db, a, org, field, err);
	return rc ? rc : develop_org_kind(db, org, field, "", err);
}

/* The member's records still in progress (a 预备党员, or a 正式党员 before
 * 材料归档) go where the member goes: the new branch carries on with the
 * steps, the old one no longer sees them.  Stopped and finished records
 * stay where they were done (their figures are that branch's). */
#define MOVING " WHERE member_id = ? AND status <> 'stopped' AND step < 25"

int develop_member_moved(struct db *db, int64_t member_id, int64_t to_org, json_t *moved, struct dj_error *err)
{
	json_t *rows = db_rows(db, "SELECT id, org_id FROM develop_person" MOVING, DB_ARGS(DB_I(member_id)), err);
	if (!rows)
		return err->code;
	int rc = 0;
	if (json_array_size(rows))
		rc = develop_org_kind(db, to_org, "to_org_id", "该党员的发展党员工作尚未完成（发展记录随转接转入），", err);
	size_t i;
	json_t *r;
	char now[21];
	date_now_iso(now);
	if (!rc && moved && json_array_size(rows)) {
		json_array_foreach(rows, i, r) {
			db_touch_org(db, json_integer_value(json_object_get(r, "org_id")));
			json_array_append(moved, json_object_get(r, "id"));
		}
		db_touch_org(db, to_org);
		rc = db_run(db, "UPDATE develop_person SET org_id = ?, updated_at = ?" MOVING,
			    DB_ARGS(DB_I(to_org), DB_T(now), DB_I(member_id)), err);
	}
	json_decref(rows);
	return rc;
}

json_t *develop_row(struct db *db, int64_t id, struct dj_error *err)
{
	json_t *p = db_row(db, "SELECT " DEVELOP_COLS " FROM develop_person WHERE id = ?", DB_ARGS(DB_I(id)), err);
	if (!p && err->code == DJ_ENOTFOUND)
		dj_fail(err, DJ_ENOTFOUND, "id", "发展对象记录不存在");
	return p;
}

int develop_scope(struct db *db, const struct actor *a, int64_t id, int64_t *org, struct dj_error *err)
{
	int64_t o = 0;
	int rc = db_int1(db, &o, "SELECT org_id FROM develop_person WHERE id = ?", DB_ARGS(DB_I(id)), err);
	if (rc == DJ_ENOTFOUND)
		return dj_fail(err, DJ_ENOTFOUND, "id", "发展对象记录不存在");
	if (rc)
		return rc;
	if (a->role == ROLE_MEMBER)
		return dj_fail(err, DJ_ENOTFOUND, "id", "发展对象记录不存在");
	if ((rc = scope_org(db, a, o, err))) {
		/* Out of scope and missing look alike. */
		if (rc == DJ_EFORBIDDEN) {
			dj_error_clear(err);
			return dj_fail(err, DJ_ENOTFOUND, "id", "发展对象记录不存在");
		}
		return rc;
	}
	if (org)
		*org = o;
	return 0;
}

/* A record stopped by the member's end (转出 …) whose member is back on
 * the roster by a letter received into another subtree: it stays the old
 * branch's history until it is continued, yet the 上级党委 of the member's
 * current org decides whether it goes on (继续发展, develop_stop.c).  So
 * whoever manages the member's current org may open it and continue it;
 * nothing else widens (steps, stops, reveals stay with the record's org). */
int develop_scope_back(struct db *db, const struct actor *a, int64_t id, int64_t *org, struct dj_error *err)
{
	int rc = develop_scope(db, a, id, org, err);
	if (rc != DJ_ENOTFOUND || a->role == ROLE_MEMBER)
		return rc;
	dj_error_clear(err);
	json_t *p = db_row(db, "SELECT p.org_id, p.member_id, p.status, p.stop_reason, p.stopped_on, p.next_id,"
			       " m.org_id AS member_org FROM develop_person p JOIN member m ON m.id = p.member_id"
			       " WHERE p.id = ?", DB_ARGS(DB_I(id)), err);
	if (!p && err->code != DJ_ENOTFOUND)
		return err->code;
	char back[11] = "";
	bool in = false;
	json_t *st = json_object_get(p, "stop_reason");
	rc = 0;
	if (p && develop_status_parse(json_string_value(json_object_get(p, "status"))) == DEVELOP_STOPPED &&
	    develop_stopped_by_end(json_string_value(st)) && !json_integer_value(json_object_get(p, "next_id")) &&
	    !(rc = develop_back_on(db, p, back, err)) && back[0])
		rc = scope_has_org(db, a, json_integer_value(json_object_get(p, "member_org")), &in, err);
	if (!rc && in && org)
		*org = json_integer_value(json_object_get(p, "org_id"));
	json_decref(p);
	if (rc)
		return rc;
	if (!in) {
		dj_error_clear(err);
		return dj_fail(err, DJ_ENOTFOUND, "id", "发展对象记录不存在");
	}
	return 0;
}

/* Recompute the person's next deadline after a write. */
int develop_refresh_due(struct db *db, const struct develop_rules *r, int64_t id, struct dj_error *err)
{
	char *last = NULL;
	int rc = db_text1(db, &last, "SELECT coalesce(max(on_date), '') FROM develop_step WHERE person_id = ? AND step = 6",
			  DB_ARGS(DB_I(id)), err);
	if (!rc)
		rc = develop_refresh_due_with(db, r, id, last, err);
	free(last);
	return rc;
}

int develop_refresh_due_with(struct db *db, const struct develop_rules *r, int64_t id, const char *last_assess,
			     struct dj_error *err)
{
	json_t *p = develop_row(db, id, err);
	if (!p)
		return err->code;
	int due_step;
	char due_on[11];
	develop_due(r, p, last_assess, &due_step, due_on);
	int rc = db_run(db, "UPDATE develop_person SET due_step = ?, due_on = ? WHERE id = ?",
			DB_ARGS(due_step ? DB_I(due_step) : DB_NULL, DB_T(due_on), DB_I(id)), err);
	json_decref(p);
	return rc;
}

int develop_insert(struct db *db, const struct actor *a, json_t *in, int64_t *id, struct dj_error *err)
{
	int64_t org;
	const char *name, *gender, *ethnicity, *birth, *id_card, *phone, *education, *position, *applied, *by, *note;
	int rc;
	if (!json_is_object(in))
		return dj_fail(err, DJ_EINVAL, "", "请求体应为 JSON 对象");
	if ((rc = v_id(in, "org_id", "所在党支部", true, &org, err)) ||
	    (rc = v_str(in, "name", "姓名", 30, true, &name, err)) ||
	    (rc = v_enum(in, "gender", "性别", genders, false, &gender, err)) ||
	    (rc = v_str(in, "ethnicity", "民族", 20, false, &ethnicity, err)) ||
	    (rc = v_date(in, "birth_date", "出生日期", false, false, &birth, err)) ||
	    (rc = v_str(in, "id_card", "身份证号", 18, false, &id_card, err)) ||
	    (rc = v_str(in, "phone", "联系电话", 20, false, &phone, err)) ||
	    (rc = v_str(in, "education", "学历", 20, false, &education, err)) ||
	    (rc = v_str(in, "position", "工作岗位", 50, false, &position, err)) ||
	    (rc = v_date(in, "applied_on", "递交入党申请书日期", true, false, &applied, err)) ||
	    (rc = v_str(in, "by", "经办人", 30, false, &by, err)) ||
	    (rc = v_str(in, "note", "备注", 500, false, &note, err)))
		return rc;
	char idc[19] = "", bbuf[11] = "", msg[128];
	if (id_card) {
		bool male;
		snprintf(idc, sizeof idc, "%s", id_card);
		if (idc[17] == 'x')
			idc[17] = 'X';
		if (!idcard_parse(idc, bbuf, &male, msg, sizeof msg))
			return dj_fail(err, DJ_EINVAL, "id_card", "%s", msg);
		if (birth && strcmp(birth, bbuf) != 0)
			return dj_fail(err, DJ_EINVAL, "birth_date", "出生日期与身份证号不符（身份证号为%s）", bbuf);
		const char *g = male ? "male" : "female";
		if (gender && strcmp(gender, g) != 0)
			return dj_fail(err, DJ_EINVAL, "gender", "性别与身份证号不符");
		gender = g;
		birth = bbuf;
	}
	if (!gender)
		return dj_fail(err, DJ_EINVAL, "gender", "请填写性别");
	if (!birth)
		return dj_fail(err, DJ_EINVAL, "birth_date", "请填写出生日期或身份证号");
	if (phone && !valid_phone(phone))
		return dj_fail(err, DJ_EINVAL, "phone", "联系电话格式不正确（手机号11位，或区号-号码）");
	if (strcmp(applied, a->today) > 0)
		return dj_fail(err, DJ_EINVAL, "applied_on", "递交入党申请书日期不能晚于今天");
	struct develop_rules r;
	if ((rc = develop_rules_load(db, &r, err)) || (rc = develop_org_check(db, a, org, "org_id", err)))
		return rc;
	char adult[11];
	date_add(adult, birth, (int)r.min_age, 0, 0);
	if (strcmp(applied, adult) < 0)
		return dj_fail(err, DJ_EINVAL, "birth_date", "递交入党申请书时应年满%lld周岁（出生日期%s，%s满%lld周岁）",
			       (long long)r.min_age, birth, adult, (long long)r.min_age);
	char hid[65] = "", hph[65] = "";
	if (id_card) {
		bool found;
		member_id_card_hash(idc, hid);
		if ((rc = db_exists(db, &found, "SELECT 1 FROM member WHERE id_card_hash = ?", DB_ARGS(DB_T(hid)), err)))
			return rc;
		if (found)
			return dj_fail(err, DJ_ECONFLICT, "id_card", "该身份证号已登记为党员");
		if ((rc = db_exists(db, &found, "SELECT 1 FROM develop_person WHERE id_card_hash = ? AND status = 'stopped'",
				    DB_ARGS(DB_T(hid)), err)))
			return rc;
		if (found)
			return dj_fail(err, DJ_ECONFLICT, "id_card", "该身份证号的发展已终止，再次申请请在原记录中办理“重新申请”");
		if ((rc = db_exists(db, &found, "SELECT 1 FROM develop_person WHERE id_card_hash = ?", DB_ARGS(DB_T(hid)),
				    err)))
			return rc;
		if (found)
			return dj_fail(err, DJ_ECONFLICT, "id_card", "该身份证号已在发展党员工作中登记");
	}
	if (phone)
		pii_hash("phone", phone, hph);
	if ((rc = db_reserve_ids(db, "develop_person", 1, id, err)))
		return rc;
	db_touch_org(db, org);	/* the read cache: the person's branch */
	char now[21];
	date_now_iso(now);
	char *key = collate_key(name);
	char *sid = pii_seal(*id, "id_card", id_card ? idc : NULL), *sph = pii_seal(*id, "phone", phone);
	rc = db_run(db,
		"INSERT INTO develop_person(id, org_id, name, name_key, gender, ethnicity, birth_date, id_card_enc,"
		" id_card_hash, phone_enc, phone_hash, education, position, status, step, applied_on, extensions,"
		" created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'applicant', 1, ?, 0, ?, ?)",
		DB_ARGS(DB_I(*id), DB_I(org), DB_T(name), DB_T(key), DB_T(gender), DB_T(ethnicity), DB_T(birth),
			DB_T(sid), DB_T(hid), DB_T(sph), DB_T(hph), DB_T(education), DB_T(position), DB_T(applied),
			DB_T(now), DB_T(now)), err);
	free(key);
	free(sid);
	free(sph);
	if (rc == DJ_ECONFLICT)
		return dj_fail(err, DJ_ECONFLICT, "id_card", "该身份证号已在发展党员工作中登记");
	/* Its id reserved as the later steps' are (in a bulk write they come
	 * from one block: a default here would take the next block's). */
	int64_t step1 = 0;
	if (!rc)
		rc = db_reserve_ids(db, "develop_step", 1, &step1, err);
	if (!rc)
		rc = db_run(db, "INSERT INTO develop_step(id, person_id, step, on_date, by_name, passed, facts, note, late,"
				" user_id, created_at) VALUES (?, ?, 1, ?, ?, 1, '{}', ?, 0, ?, ?)",
			    DB_ARGS(DB_I(step1), DB_I(*id), DB_T(applied), DB_T(by), DB_T(note),
				    a->user_id ? DB_I(a->user_id) : DB_NULL, DB_T(now)), err);
	if (!rc)
		rc = develop_refresh_due(db, &r, *id, err);
	return rc;
}

json_t *develop_masked(struct db *db, int64_t id, struct dj_error *err)
{
	json_t *p = db_row(db, "SELECT " DEVELOP_COLS ", id_card_enc, phone_enc FROM develop_person WHERE id = ?",
			   DB_ARGS(DB_I(id)), err);
	if (!p) {
		if (err->code == DJ_ENOTFOUND)
			dj_fail(err, DJ_ENOTFOUND, "id", "发展对象记录不存在");
		return NULL;
	}
	char *idc = pii_open(id, "id_card", json_string_value(json_object_get(p, "id_card_enc")));
	char *ph = pii_open(id, "phone", json_string_value(json_object_get(p, "phone_enc")));
	char *mi = idc ? pii_mask_id_card(idc) : NULL, *mp = ph ? pii_mask_phone(ph) : NULL;
	json_object_del(p, "id_card_enc");
	json_object_del(p, "phone_enc");
	json_object_set_new(p, "id_card", mi ? json_string(mi) : json_null());
	json_object_set_new(p, "phone", mp ? json_string(mp) : json_null());
	free(idc);
	free(ph);
	free(mi);
	free(mp);
	return p;
}

int develop_create(struct db *db, const struct actor *a, json_t *in, int64_t *id, struct dj_error *err)
{
	int rc;
	if ((rc = scope_can_manage(a, err)) || (rc = db_begin(db, err)))
		return rc;
	rc = develop_insert(db, a, in, id, err);
	if (!rc) {
		json_t *after = develop_masked(db, *id, err);
		rc = after ? audit_write(db, a, "develop.create", "develop_person", *id, NULL, after, err) : err->code;
		json_decref(after);
	}
	return db_end(db, rc, err);
}
