/* activity.c — one record for every kind of organizational life. */
#include "life/life_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attach/attach.h"
#include "audit/audit.h"
#include "core/date.h"
#include "core/mem.h"
#include "core/valid.h"
#include "core/setting.h"
#include "db/db.h"
#include "org/org.h"

#define MAX_JOINT 20
#define MAX_AGENDA 50

int life_kind_exists(struct db *db, const char *kind, bool *found, bool *everyone, struct dj_error *err)
{
	/* The outer SELECT always has a row: -1 is "no such kind". */
	int64_t e = -1;
	int rc = db_int1(db, &e, "SELECT coalesce((SELECT everyone FROM activity_kind WHERE code = ?), -1)",
			 DB_ARGS(DB_T(kind)), err);
	*found = !rc && e >= 0;
	if (everyone)
		*everyone = e != 0;
	return rc;
}

json_t *life_kinds(struct db *db, struct dj_error *err)
{
	return db_rows(db, "SELECT code, label, builtin, everyone FROM activity_kind ORDER BY sort, code", DB_NOARGS, err);
}

int life_kind_add(struct db *db, const struct actor *a, json_t *in, struct dj_error *err)
{
	const char *code, *label;
	bool everyone;
	int rc;
	if (a->role != ROLE_ADMIN)
		return dj_fail(err, DJ_EFORBIDDEN, "", "只有系统管理员可以维护活动类型");
	if ((rc = v_str(in, "code", "类型代码", 40, true, &code, err)) ||
	    (rc = v_str(in, "label", "类型名称", 30, true, &label, err)) ||
	    (rc = v_bool(in, "everyone", "全体党员参加", true, &everyone, err)))
		return rc;
	for (const char *p = code; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return dj_fail(err, DJ_EINVAL, "code", "类型代码只能由小写字母、数字和下划线组成");
	bool found;
	if ((rc = life_kind_exists(db, code, &found, NULL, err)))
		return rc;
	if (found)
		return dj_fail(err, DJ_ECONFLICT, "code", "活动类型“%s”已存在", code);
	if ((rc = db_begin(db, err)))
		return rc;
	rc = db_run(db, "INSERT INTO activity_kind(code, label, builtin, everyone, sort) VALUES (?, ?, 0, ?, 100)",
		    DB_ARGS(DB_T(code), DB_T(label), DB_I(everyone)), err);
	if (!rc)
		rc = audit_write(db, a, "life.kind_add", "activity_kind", 0, NULL, in, err);
	return db_end(db, rc, err);
}

/* The fields of an activity as read from JSON and checked. */
struct act {
	int64_t org_id, orgs[MAX_JOINT + 1];
	int norgs;
	const char *kind, *status, *on_date, *start_time, *end_time, *place, *topic;
	const char *host, *recorder, *speaker, *minutes;
	int64_t host_member_id, recorder_member_id, speaker_member_id;
	json_t *agenda, *attendance, *guests;
};

static bool valid_time(const char *s)
{
	return strlen(s) == 5 && s[2] == ':' && s[0] >= '0' && s[0] <= '2' && s[1] >= '0' && s[1] <= '9' &&
	       s[3] >= '0' && s[3] <= '5' && s[4] >= '0' && s[4] <= '9' && (s[0] < '2' || s[1] <= '3');
}

/* A host, recorder or speaker named by member id: one the actor may name (see
 * life_member_check), unless the stored activity already named them. */
static int check_member_ref(struct db *db, const struct actor *a, json_t *in, int64_t id, const json_t *before,
			    const char *key, const char *label, int64_t *out, struct dj_error *err)
{
	int rc = v_id(in, key, label, false, out, err);
	if (rc || !*out)
		return rc;
	if (before && json_integer_value(json_object_get(before, key)) == *out)
		return 0;
	return life_member_check(db, a, id, *out, key, label, err);
}

/* Read and check an activity from `in`; `id` and `before` are the stored one when updating (0, NULL on create). */
static int act_read(struct db *db, const struct actor *a, json_t *in, int64_t id, const json_t *before, struct act *v,
		    struct dj_error *err)
{
	static const char *const statuses[] = {"planned", "held", NULL};
	int rc;
	memset(v, 0, sizeof *v);
	if (!json_is_object(in))
		return dj_fail(err, DJ_EINVAL, "", "请求体应为 JSON 对象");
	int64_t max_minutes = 50000;
	if ((rc = setting_get_int(db, "life.minutes_max_chars", 50000, &max_minutes, err)) ||
	    (rc = v_id(in, "org_id", "党组织", true, &v->org_id, err)) ||
	    (rc = v_str(in, "kind", "活动类型", 40, true, &v->kind, err)) ||
	    (rc = v_enum(in, "status", "状态", statuses, true, &v->status, err)) ||
	    (rc = v_date(in, "on_date", "活动日期", true, false, &v->on_date, err)) ||
	    (rc = v_str(in, "start_time", "开始时间", 5, false, &v->start_time, err)) ||
	    (rc = v_str(in, "end_time", "结束时间", 5, false, &v->end_time, err)) ||
	    (rc = v_str(in, "place", "地点", 100, false, &v->place, err)) ||
	    (rc = v_str(in, "topic", "主题", 200, true, &v->topic, err)) ||
	    (rc = v_str(in, "host", "主持人", 50, false, &v->host, err)) ||
	    (rc = v_str(in, "recorder", "记录人", 50, false, &v->recorder, err)) ||
	    (rc = v_str(in, "speaker", "授课人", 50, false, &v->speaker, err)) ||
	    (rc = v_str(in, "minutes", "会议记录", (size_t)max_minutes, false, &v->minutes, err)) ||
	    (rc = check_member_ref(db, a, in, id, before, "host_member_id", "主持人", &v->host_member_id, err)) ||
	    (rc = check_member_ref(db, a, in, id, before, "recorder_member_id", "记录人", &v->recorder_member_id, err)) ||
	    (rc = check_member_ref(db, a, in, id, before, "speaker_member_id", "授课人", &v->speaker_member_id, err)))
		return rc;
	bool known;
	if ((rc = life_kind_exists(db, v->kind, &known, NULL, err)))
		return rc;
	if (!known)
		return dj_fail(err, DJ_EINVAL, "kind", "未知的活动类型“%s”", v->kind);
	if (v->start_time && !valid_time(v->start_time))
		return dj_fail(err, DJ_EINVAL, "start_time", "开始时间格式应为 HH:MM");
	if (v->end_time && !valid_time(v->end_time))
		return dj_fail(err, DJ_EINVAL, "end_time", "结束时间格式应为 HH:MM");
	if (v->start_time && v->end_time && strcmp(v->end_time, v->start_time) < 0)
		return dj_fail(err, DJ_EINVAL, "end_time", "结束时间不能早于开始时间");
	const char *today = a->today;
	if (activity_status_parse(v->status) == ACTIVITY_HELD && strcmp(v->on_date, today) > 0)
		return dj_fail(err, DJ_EINVAL, "on_date", "活动日期 %s 尚未到来，不能登记为已举行", v->on_date);
	if (strcmp(v->on_date, "1921-07-01") < 0)
		return dj_fail(err, DJ_EINVAL, "on_date", "活动日期无效");
	if ((rc = org_check_open(db, a, v->org_id, "org_id", err)))
		return rc;
	v->orgs[v->norgs++] = v->org_id;
	json_t *joint = json_object_get(in, "org_ids");
	if (joint && !json_is_null(joint)) {
		if (!json_is_array(joint) || json_array_size(joint) > MAX_JOINT)
			return dj_fail(err, DJ_EINVAL, "org_ids", "联合开展的党组织应为不超过%d个的列表", MAX_JOINT);
		size_t i;
		json_t *o;
		json_array_foreach(joint, i, o) {
			int64_t id = json_is_integer(o) ? json_integer_value(o) : 0;
			if (id <= 0)
				return dj_fail(err, DJ_EINVAL, "org_ids", "联合开展的党组织应为党组织编号");
			bool dup = false;
			for (int k = 0; k < v->norgs; k++)
				dup |= v->orgs[k] == id;
			if (dup)
				continue;
			if ((rc = org_check_open(db, a, id, "org_ids", err)))
				return rc;
			v->orgs[v->norgs++] = id;
		}
	}
	v->agenda = json_object_get(in, "agenda");
	if (v->agenda && !json_is_null(v->agenda)) {
		if (!json_is_array(v->agenda) || json_array_size(v->agenda) > MAX_AGENDA)
			return dj_fail(err, DJ_EINVAL, "agenda", "议题应为不超过%d项的列表", MAX_AGENDA);
		size_t i;
		json_t *item;
		json_array_foreach(v->agenda, i, item) {
			const char *t;
			bool b;
			if (!json_is_object(item))
				return dj_fail(err, DJ_EINVAL, "agenda", "第%zu项议题格式不正确", i + 1);
			if ((rc = v_str(item, "title", "议题", 200, true, &t, err)) ||
			    (rc = v_bool(item, "first_topic", "第一议题", false, &b, err)) ||
			    (rc = v_bool(item, "party_topic", "党建议题", false, &b, err))) {
				snprintf(err->field, sizeof err->field, "agenda");
				return rc;
			}
		}
	} else {
		v->agenda = NULL;
	}
	v->attendance = json_object_get(in, "attendance");
	if (v->attendance && !json_is_array(v->attendance))
		return dj_fail(err, DJ_EINVAL, "attendance", "出勤情况应为列表");
	v->guests = json_object_get(in, "guests");
	if (v->guests && !json_is_array(v->guests))
		return dj_fail(err, DJ_EINVAL, "guests", "列席人员应为列表");
	return 0;
}

static int act_children(struct db *db, const struct actor *a, int64_t id, const struct act *v, struct dj_error *err)
{
	int rc = db_run(db, "DELETE FROM activity_org WHERE activity_id = ?", DB_ARGS(DB_I(id)), err);
	bool held = activity_status_parse(v->status) == ACTIVITY_HELD;
	/* A lecture's speaker goes along: life_tally counts the secretary's own. */
	int64_t speaker = strcmp(v->kind, "lecture") == 0 ? v->speaker_member_id : 0;
	for (int i = 0; !rc && i < v->norgs; i++)
		rc = db_run(db, "INSERT INTO activity_org(activity_id, org_id, on_date, kind, held, speaker_id)"
				" VALUES (?, ?, ?, ?, ?, ?)",
			    DB_ARGS(DB_I(id), DB_I(v->orgs[i]), DB_T(v->on_date), DB_T(v->kind), DB_I(held),
				    speaker ? DB_I(speaker) : DB_NULL), err);
	if (!rc && v->agenda) {
		rc = db_run(db, "DELETE FROM activity_agenda WHERE activity_id = ?", DB_ARGS(DB_I(id)), err);
		size_t i;
		json_t *item;
		json_array_foreach(v->agenda, i, item) {
			if (rc)
				break;
			rc = db_run(db, "INSERT INTO activity_agenda(activity_id, seq, title, first_topic, party_topic)"
					" VALUES (?, ?, ?, ?, ?)",
				    DB_ARGS(DB_I(id), DB_I(i + 1), DB_T(json_string_value(json_object_get(item, "title"))),
					    DB_I(json_is_true(json_object_get(item, "first_topic")) ||
						 json_integer_value(json_object_get(item, "first_topic")) == 1),
					    DB_I(json_is_true(json_object_get(item, "party_topic")) ||
						 json_integer_value(json_object_get(item, "party_topic")) == 1)), err);
		}
	}
	if (!rc)
		rc = life_attendance_sync(db, id, err);
	if (!rc && v->attendance)
		rc = life_attendance_apply(db, a, id, v->attendance, err);
	if (!rc && v->guests)
		rc = life_guests_apply(db, id, v->guests, err);
	return rc;
}

#define ACT_ARGS(v, now) DB_I((v)->org_id), DB_T((v)->kind), DB_T((v)->status), DB_T((v)->on_date), \
	DB_T((v)->start_time), DB_T((v)->end_time), DB_T((v)->place), DB_T((v)->topic), DB_T((v)->host), \
	(v)->host_member_id ? DB_I((v)->host_member_id) : DB_NULL, DB_T((v)->recorder), \
	(v)->recorder_member_id ? DB_I((v)->recorder_member_id) : DB_NULL, DB_T((v)->speaker), \
	(v)->speaker_member_id ? DB_I((v)->speaker_member_id) : DB_NULL, DB_T((v)->minutes), DB_T(now)

/* The read cache (db_touch_org): an activity's records belong to its orgs
 * and to the orgs of the members on its roll (a hosted member's own pages
 * show it).  Called before and after a change that may move them. */
int life_touch_activity(struct db *db, int64_t id, struct dj_error *err)
{
	struct db_stmt *st = db_query(db, "SELECT org_id FROM activity WHERE id = ?"
				      " UNION SELECT org_id FROM activity_org WHERE activity_id = ?"
				      " UNION SELECT org_id FROM attendance WHERE activity_id = ?"
				      " UNION SELECT m.org_id FROM attendance t JOIN member m ON m.id = t.member_id"
				      " WHERE t.activity_id = ?",
				      DB_ARGS(DB_I(id), DB_I(id), DB_I(id), DB_I(id)), err);
	if (!st)
		return err->code ? err->code : DJ_EDB;
	int rc;
	while ((rc = db_next(st)) > 0)
		db_touch_org(db, db_int(st, 0));
	db_done(st);
	return rc < 0 ? (err->code ? err->code : DJ_EDB) : 0;
}

int life_activity_create(struct db *db, const struct actor *a, json_t *in, int64_t *id, struct dj_error *err)
{
	struct act v;
	int rc;
	if ((rc = scope_can_manage(a, err)) || (rc = act_read(db, a, in, 0, NULL, &v, err)))
		return rc;
	char now[21];
	date_now_iso(now);
	if ((rc = db_begin(db, err)))
		return rc;
	rc = db_int1(db, id,
		     "INSERT INTO activity(org_id, kind, status, on_date, start_time, end_time, place, topic, host,"
		     " host_member_id, recorder, recorder_member_id, speaker, speaker_member_id, minutes, updated_at,"
		     " created_at, user_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
		     DB_ARGS(ACT_ARGS(&v, now), DB_T(now), a->user_id ? DB_I(a->user_id) : DB_NULL), err);
	if (!rc)
		rc = act_children(db, a, *id, &v, err);
	if (!rc)
		rc = life_touch_activity(db, *id, err);
	if (!rc) {
		json_t *after = life_activity_row(db, a, *id, err);
		rc = after ? audit_write(db, a, "life.create", "activity", *id, NULL, after, err) : err->code;
		json_decref(after);
	}
	return db_end(db, rc, err);
}

int life_activity_update(struct db *db, const struct actor *a, int64_t id, json_t *in, struct dj_error *err)
{
	int rc;
	if ((rc = life_activity_writable(db, a, id, err)))
		return rc;
	/* Absent keys keep their stored values, so one check serves both. */
	json_t *before = life_activity_row(db, a, id, err);
	if (!before)
		return err->code;
	json_t *full = json_deep_copy(before);
	json_object_del(full, "attendance");
	json_object_del(full, "guests");
	if (json_is_object(in))
		json_object_update(full, in);
	if (json_is_object(in) && !json_object_get(in, "agenda"))
		json_object_del(full, "agenda");
	struct act v;
	if (!json_is_object(in))
		rc = dj_fail(err, DJ_EINVAL, "", "请求体应为 JSON 对象");
	else if (activity_status_parse(json_string_value(json_object_get(before, "status"))) == ACTIVITY_CANCELLED)
		rc = dj_fail(err, DJ_ECONFLICT, "status", "活动已取消，不能修改");
	else
		rc = act_read(db, a, full, id, before, &v, err);
	char now[21];
	date_now_iso(now);
	if (!rc && !(rc = db_begin(db, err))) {
		rc = life_touch_activity(db, id, err);	/* its orgs before, and after below */
		if (!rc)
			rc = db_run(db, "UPDATE activity SET org_id = ?, kind = ?, status = ?, on_date = ?, start_time = ?,"
				" end_time = ?, place = ?, topic = ?, host = ?, host_member_id = ?, recorder = ?,"
				" recorder_member_id = ?, speaker = ?, speaker_member_id = ?, minutes = ?, updated_at = ?"
				" WHERE id = ?",
			    DB_ARGS(ACT_ARGS(&v, now), DB_I(id)), err);
		if (!rc)
			rc = act_children(db, a, id, &v, err);
		if (!rc)
			rc = life_touch_activity(db, id, err);
		if (!rc) {
			json_t *after = life_activity_row(db, a, id, err);
			rc = after ? audit_write(db, a, "life.update", "activity", id, before, after, err) : err->code;
			json_decref(after);
		}
		rc = db_end(db, rc, err);
	}
	json_decref(full);
	json_decref(before);
	return rc;
}

int life_activity_cancel(struct db *db, const struct actor *a, int64_t id, struct dj_error *err)
{
	int rc;
	if ((rc = life_activity_writable(db, a, id, err)) || (rc = db_begin(db, err)))
		return rc;
	json_t *before = life_activity_row(db, a, id, err);
	if (!before)
		return db_end(db, err->code, err);
	char now[21];
	date_now_iso(now);
	rc = life_touch_activity(db, id, err);
	if (!rc)
		rc = db_run(db, "UPDATE activity SET status = 'cancelled', signin_token = NULL, updated_at = ? WHERE id = ?",
		    DB_ARGS(DB_T(now), DB_I(id)), err);
	if (!rc)
		rc = db_run(db, "UPDATE activity_org SET held = 0 WHERE activity_id = ?", DB_ARGS(DB_I(id)), err);
	if (!rc)
		rc = audit_write(db, a, "life.cancel", "activity", id, before, NULL, err);
	json_decref(before);
	return db_end(db, rc, err);
}

/* Visible when any of its orgs is in scope (fully), or when the actor's own
 * member record has a row in it (their own part only). */
int life_activity_access(struct db *db, const struct actor *a, int64_t id, bool *full, struct dj_error *err)
{
	struct db_stmt *st = db_query(db, "SELECT org_id FROM activity_org WHERE activity_id = ?", DB_ARGS(DB_I(id)),
				      err);
	if (!st)
		return err->code;
	bool any = false, ok = false;
	int rc;
	while ((rc = db_next(st)) > 0) {
		any = true;
		if (!ok && scope_has_org(db, a, db_int(st, 0), &ok, err)) {
			rc = -1;
			break;
		}
	}
	db_done(st);
	if (rc < 0)
		return err->code;
	if (full)
		*full = ok;
	if (any && !ok && a->member_id &&
	    (rc = db_exists(db, &ok, "SELECT 1 FROM attendance WHERE activity_id = ? AND member_id = ?",
			    DB_ARGS(DB_I(id), DB_I(a->member_id)), err)))
		return rc;
	return ok ? 0 : dj_fail(err, DJ_ENOTFOUND, "id", "活动不存在或不在您的管理范围内");
}

static int activity_visible(struct db *db, const struct actor *a, int64_t id, struct dj_error *err)
{
	return life_activity_access(db, a, id, NULL, err);
}

int life_activity_writable(struct db *db, const struct actor *a, int64_t id, struct dj_error *err)
{
	int rc;
	int64_t org = 0;
	if ((rc = scope_can_manage(a, err)))
		return rc;
	/* The outer SELECT always has a row: a missing activity reads as org 0. */
	bool in = false;
	if ((rc = db_int1(db, &org, "SELECT coalesce((SELECT org_id FROM activity WHERE id = ?), 0)", DB_ARGS(DB_I(id)),
			  err)) ||
	    (org && (rc = scope_has_org(db, a, org, &in, err))))
		return rc;
	return in ? 0 : dj_fail(err, DJ_ENOTFOUND, "id", "活动不存在或不在您的管理范围内");
}

#define ACT_COLS "v.id, v.org_id, o.name AS org_name, v.kind, k.label AS kind_label, v.status, v.on_date," \
	" v.start_time, v.end_time, v.place, v.topic, v.host, v.host_member_id, v.recorder, v.recorder_member_id," \
	" v.speaker, v.speaker_member_id, v.created_at, v.updated_at"
#define ACT_FROM " FROM activity v JOIN org o ON o.id = v.org_id JOIN activity_kind k ON k.code = v.kind"

json_t *life_activity_row(struct db *db, const struct actor *a, int64_t id, struct dj_error *err)
{
	if (activity_visible(db, a, id, err))
		return NULL;
	json_t *r = db_row(db, "SELECT " ACT_COLS ", v.minutes" ACT_FROM " WHERE v.id = ?", DB_ARGS(DB_I(id)), err);
	if (!r)
		return NULL;
	json_t *orgs = db_rows(db, "SELECT x.org_id AS id, o.name FROM activity_org x JOIN org o ON o.id = x.org_id"
				   " WHERE x.activity_id = ? ORDER BY x.org_id = ? DESC, o.name_key",
			       DB_ARGS(DB_I(id), DB_I(json_integer_value(json_object_get(r, "org_id")))), err);
	if (!orgs) {
		json_decref(r);
		return NULL;
	}
	json_t *ids = json_array();
	size_t i;
	json_t *o;
	json_array_foreach(orgs, i, o)
		if (i > 0)
			json_array_append(ids, json_object_get(o, "id"));
	json_object_set_new(r, "orgs", orgs);
	json_object_set_new(r, "org_ids", ids);
	json_t *agenda = db_rows(db, "SELECT title, first_topic, party_topic FROM activity_agenda WHERE activity_id = ?"
				     " ORDER BY seq", DB_ARGS(DB_I(id)), err);
	json_t *att = !agenda ? NULL : db_rows(db,
		"SELECT t.member_id, m.name, t.org_id, g.name AS org_name, t.status, t.reason, t.dual,"
		" t.source, t.signed_at FROM attendance t JOIN member m ON m.id = t.member_id"
		" JOIN org g ON g.id = t.org_id WHERE t.activity_id = ? ORDER BY t.dual, m.name_key", DB_ARGS(DB_I(id)), err);
	json_t *guests = !att ? NULL : db_rows(db, "SELECT name, note FROM activity_guest WHERE activity_id = ? ORDER BY id",
					       DB_ARGS(DB_I(id)), err);
	if (!guests) {
		json_decref(agenda);
		json_decref(att);
		json_decref(r);
		return NULL;
	}
	json_object_set_new(r, "agenda", agenda);
	json_object_set_new(r, "attendance", att);
	json_object_set_new(r, "guests", guests);
	return r;
}

/* Someone who only took part sees their own row: not the others' attendance and leave reasons. */
static void attendance_keep_own(json_t *r, int64_t member_id)
{
	json_t *own = json_array();
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(r, "attendance"), i, t)
		if (json_integer_value(json_object_get(t, "member_id")) == member_id)
			json_array_append(own, t);
	json_object_set_new(r, "attendance", own);
}

json_t *life_activity_get(struct db *db, const struct actor *a, int64_t id, struct dj_error *err)
{
	bool full;
	if (life_activity_access(db, a, id, &full, err))
		return NULL;
	json_t *r = life_activity_row(db, a, id, err);
	if (!r)
		return NULL;
	/* 场次 / 人次 / rate are derived from the rows, never stored. */
	int64_t expected = 0, present = 0, leave = 0, absent = 0;
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(r, "attendance"), i, t) {
		const char *s = json_string_value(json_object_get(t, "status"));
		bool dual = json_integer_value(json_object_get(t, "dual")) != 0;
		if (!dual)
			expected++;
		enum attendance_status st = attendance_status_parse(s);
		if (st == ATTEND_PRESENT)
			present++;
		else if (st == ATTEND_LEAVE)
			leave++;
		else
			absent++;
	}
	json_object_set_new(r, "counts", json_pack("{s:I, s:I, s:I, s:I, s:I, s:f}", "expected", (json_int_t)expected,
						    "present", (json_int_t)present, "leave", (json_int_t)leave, "absent",
						    (json_int_t)absent, "guests",
						    (json_int_t)json_array_size(json_object_get(r, "guests")), "rate",
						    expected ? (double)present / (double)expected : 0.0));
	if (!full)
		attendance_keep_own(r, a->member_id);
	json_t *files = attach_files(db, "activity", id, err);
	json_t *win = !files ? NULL : db_row(db, "SELECT signin_token, signin_opens, signin_closes FROM activity WHERE id = ?",
					     DB_ARGS(DB_I(id)), err);
	bool can_edit = false;
	if (win) {
		struct dj_error we = {0};
		int wrc = life_activity_writable(db, a, id, &we);
		json_decref(we.details);
		can_edit = wrc == 0;
		if (wrc && wrc != DJ_ENOTFOUND && wrc != DJ_EFORBIDDEN) {
			dj_fail(err, wrc, we.field, "%s", we.msg);
			json_decref(win);
			win = NULL;
		}
	}
	if (!win) {
		json_decref(files);
		json_decref(r);
		return NULL;
	}
	json_object_set_new(r, "attachments", files);
	int64_t now = date_now_unix(), closes = json_integer_value(json_object_get(win, "signin_closes"));
	bool open = json_string_value(json_object_get(win, "signin_token")) && now < closes &&
		    now >= json_integer_value(json_object_get(win, "signin_opens"));
	json_object_set_new(r, "signin", json_pack("{s:b, s:I}", "open", open, "closes", (json_int_t)(open ? closes : 0)));
	json_decref(win);
	json_object_set_new(r, "can_edit", json_boolean(can_edit));
	return r;
}

json_t *life_activity_list(struct db *db, const struct actor *a, const struct life_filter *f, struct dj_error *err)
{
	int64_t org = f->org;
	struct db_where w = {0};
	if (a->role == ROLE_MEMBER) {
		/* A member lists the activities they were expected at or attended (their own
		 * rows), not their branch's; `org` may narrow that to their own org only. */
		int64_t own = 0;
		if (a->member_id && db_int1(db, &own, "SELECT org_id FROM member WHERE id = ?",
					    DB_ARGS(DB_I(a->member_id)), err) && err->code != DJ_ENOTFOUND)
			return NULL;
		if (org && org != own) {
			dj_fail(err, DJ_ENOTFOUND, "org", "党组织不存在或不在您的管理范围内");
			return NULL;
		}
		db_where_add(&w, "x.activity_id IN (SELECT activity_id FROM attendance WHERE member_id = ?)",
			     DB_ARGS(DB_I(a->member_id)));
		if (org)
			db_where_add(&w, "x.org_id = ?", DB_ARGS(DB_I(org)));
	} else {
		if ((!org && scope_root_of(db, a, &org, err)) || scope_org(db, a, org, err))
			return NULL;
		if (f->subtree)
			db_where_add(&w, ORG_IN_SUBTREE("x.org_id", "?"),
				     DB_ARGS(DB_I(org)));
		else
			db_where_add(&w, "x.org_id = ?", DB_ARGS(DB_I(org)));
	}
	if (f->from)
		db_where_add(&w, "x.on_date >= ?", DB_ARGS(DB_T(f->from)));
	if (f->to)
		db_where_add(&w, "x.on_date <= ?", DB_ARGS(DB_T(f->to)));
	if (f->kind)
		db_where_add(&w, "x.kind = ?", DB_ARGS(DB_T(f->kind)));
	if (f->status)
		db_where_add(&w, "v.status = ?", DB_ARGS(DB_T(f->status)));
	/* A joint activity appears once, under the first of its orgs in view.
	 * The activity itself is joined only to filter on its status. */
	const char *join = f->status ? " JOIN activity v ON v.id = x.activity_id" : "";
	char *inner = xasprintf("SELECT DISTINCT x.activity_id FROM activity_org x%s%s", join, db_where_sql(&w));
	char *csql = xasprintf("SELECT count(*) FROM (%s) s", inner);
	int64_t total = 0;
	json_t *out = NULL;
	if (db_int1(db, &total, csql, w.n, w.args, err) == 0) {
		/* The page's activities lie on or after the date of the
		 * (offset + size)-th row in date order: only those are read and
		 * sorted, not every activity of the range (a province month is
		 * 14,000 of them). */
		int64_t offset = (int64_t)(f->page - 1) * f->size;
		db_val args[2 * DB_WHERE_MAX + 3];
		int n = 0;
		for (int i = 0; i < w.n; i++)
			args[n++] = w.args[i];
		for (int i = 0; i < w.n; i++)
			args[n++] = w.args[i];
		args[n++] = DB_I(offset + f->size - 1);
		args[n++] = DB_I(f->size);
		args[n++] = DB_I(offset);
		char *lsql = xasprintf("SELECT " ACT_COLS ", (SELECT count(*) FROM attendance t WHERE t.activity_id = v.id"
				       " AND t.dual = 0) AS expected, (SELECT count(*) FROM attendance t WHERE"
				       " t.activity_id = v.id AND t.status = 'present') AS present" ACT_FROM
				       " WHERE v.id IN (%s%sx.on_date >= coalesce((SELECT x.on_date FROM activity_org x%s%s"
				       " ORDER BY x.on_date DESC LIMIT 1 OFFSET ?), ''))"
				       " ORDER BY v.on_date DESC, v.start_time DESC, v.id DESC LIMIT ? OFFSET ?",
				       inner, w.n ? " AND " : " WHERE ", join, db_where_sql(&w));
		json_t *items = db_rows(db, lsql, n, args, err);
		free(lsql);
		if (items)
			out = json_pack("{s:o, s:I, s:i, s:i}", "items", items, "total", (json_int_t)total, "page", f->page,
					"size", f->size);
	}
	db_where_free(&w);
	free(inner);
	free(csql);
	return out;
}

int life_attachment_scope(struct db *db, const struct actor *a, const char *entity, int64_t entity_id, bool write,
			  struct dj_error *err)
{
	if (strcmp(entity, "activity") != 0)
		return dj_fail(err, DJ_ENOTFOUND, "id", "附件不存在");
	return write ? life_activity_writable(db, a, entity_id, err) : activity_visible(db, a, entity_id, err);
}

int life_attach(struct db *db, const struct actor *a, int64_t id, const char *filename, const void *data,
		size_t len, int64_t *att_id, struct dj_error *err)
{
	int rc;
	if ((rc = life_activity_writable(db, a, id, err)) || (rc = db_begin(db, err)))
		return rc;
	rc = life_touch_activity(db, id, err);
	if (!rc)
		rc = attach_store(db, a, "activity", id, filename, data, len, att_id, err);
	if (!rc) {
		json_t *what = json_pack("{s:s, s:I, s:I}", "filename", filename, "size", (json_int_t)len, "attachment_id",
					 (json_int_t)*att_id);
		rc = audit_write(db, a, "life.attach", "activity", id, NULL, what, err);
		json_decref(what);
	}
	return db_end(db, rc, err);
}
