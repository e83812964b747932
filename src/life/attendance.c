/* attendance.c — who was expected, who came, who was on leave: rows
 * computed from the roster on the activity's date, then corrected. */
#include "life/life_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/date.h"
#include "core/mem.h"
#include "core/valid.h"
#include "db/db.h"
#include "member/member.h"
#include "member/member_roster.h"

#define MAX_ITEMS 5000
#define MAX_GUESTS 200

struct act_head {
	char kind[48], on_date[11];
	int64_t orgs[32];
	int norgs;
};

static int head_load(struct db *db, int64_t id, struct act_head *h, struct dj_error *err)
{
	memset(h, 0, sizeof *h);
	struct db_stmt *st = db_query(db, "SELECT x.org_id, v.kind, v.on_date FROM activity v"
					  " JOIN activity_org x ON x.activity_id = v.id WHERE v.id = ?",
				      DB_ARGS(DB_I(id)), err);
	if (!st)
		return err->code;
	while (db_next(st) > 0 && h->norgs < 32) {
		h->orgs[h->norgs++] = db_int(st, 0);
		snprintf(h->kind, sizeof h->kind, "%s", db_text(st, 1));
		snprintf(h->on_date, sizeof h->on_date, "%s", db_text(st, 2));
	}
	db_done(st);
	return h->norgs ? 0 : dj_fail(err, DJ_ENOTFOUND, "id", "活动不存在");
}

static int expect_officers(struct db *db, int64_t org, const char *date, json_t *out, struct dj_error *err)
{
	struct db_stmt *st = db_query(db,
		"SELECT f.member_id FROM org_officer f WHERE f.member_id IS NOT NULL AND f.term_id ="
		" (SELECT t.id FROM org_term t WHERE t.org_id = ? AND t.elected_on <= ? ORDER BY t.elected_on DESC, t.id DESC"
		" LIMIT 1)", DB_ARGS(DB_I(org), DB_T(date)), err);
	if (!st)
		return err->code;
	int rc;
	while ((rc = db_next(st)) > 0) {
		int64_t m = db_int(st, 0), at = 0;
		if ((rc = member_org_on(db, m, date, &at, err))) {
			rc = -1;
			break;
		}
		/* Only officers who still belonged to the org that day. */
		if (at == org) {
			char k[24];
			snprintf(k, sizeof k, "%lld", (long long)m);
			json_object_set_new(out, k, json_integer(org));
		}
	}
	db_done(st);
	return rc < 0 ? err->code : 0;
}

/* Whom the activity expects, as member_id → org_id: everyone in its orgs on
 * its date, or only the committee for committee kinds. */
static json_t *expected_of(struct db *db, const struct act_head *h, struct dj_error *err)
{
	bool everyone = true, known;
	if (life_kind_exists(db, h->kind, &known, &everyone, err))
		return NULL;
	json_t *out = json_object();
	if (strcmp(h->kind, "talk") == 0)
		return out;	/* a talk expects whoever it was held with */
	for (int i = 0; i < h->norgs; i++) {
		if (!everyone) {
			if (expect_officers(db, h->orgs[i], h->on_date, out, err)) {
				json_decref(out);
				return NULL;
			}
			continue;
		}
		json_t *roster = member_roster_at(db, h->orgs[i], h->on_date, err);
		if (!roster) {
			json_decref(out);
			return NULL;
		}
		size_t k;
		json_t *m;
		json_array_foreach(roster, k, m) {
			char key[24];
			snprintf(key, sizeof key, "%lld", (long long)json_integer_value(json_object_get(m, "id")));
			json_object_set_new(out, key, json_integer(h->orgs[i]));
		}
		json_decref(roster);
		/* Mobile members hosted by the org take part here; their rows keep their home org. */
		json_t *hosted = member_hosted_roster(db, h->orgs[i], h->on_date, err);
		if (!hosted) {
			json_decref(out);
			return NULL;
		}
		json_array_foreach(hosted, k, m) {
			char key[24];
			snprintf(key, sizeof key, "%lld", (long long)json_integer_value(json_object_get(m, "id")));
			json_object_set(out, key, json_object_get(m, "org_id"));
		}
		json_decref(hosted);
	}
	return out;
}

static bool in_orgs(const struct act_head *h, int64_t org)
{
	for (int i = 0; i < h->norgs; i++)
		if (h->orgs[i] == org)
			return true;
	return false;
}

int life_attendance_sync(struct db *db, int64_t id, struct dj_error *err)
{
	struct act_head h;
	int rc;
	if ((rc = head_load(db, id, &h, err)))
		return rc;
	json_t *expected = expected_of(db, &h, err);
	if (!expected)
		return err->code;
	/* Drop rows of members no longer expected (dual guests and members who
	 * still belong to one of the orgs stay: they were added on purpose). */
	json_t *rows = db_rows(db, "SELECT member_id, dual FROM attendance WHERE activity_id = ?", DB_ARGS(DB_I(id)), err);
	if (!rows) {
		json_decref(expected);
		return err->code;
	}
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		int64_t m = json_integer_value(json_object_get(r, "member_id"));
		char key[24];
		snprintf(key, sizeof key, "%lld", (long long)m);
		json_t *org = json_object_get(expected, key);
		if (org) {
			json_object_del(expected, key);	/* already has a row */
			continue;
		}
		int64_t at = 0;
		if (!json_integer_value(json_object_get(r, "dual")) && (rc = member_org_on(db, m, h.on_date, &at, err)))
			break;
		if (json_integer_value(json_object_get(r, "dual")) || in_orgs(&h, at))
			continue;
		if ((rc = db_run(db, "DELETE FROM attendance WHERE activity_id = ? AND member_id = ?",
				 DB_ARGS(DB_I(id), DB_I(m)), err)))
			break;
	}
	json_decref(rows);
	const char *key;
	json_t *org;
	json_object_foreach(expected, key, org) {
		if (rc)
			break;
		rc = db_run(db, "INSERT INTO attendance(activity_id, member_id, org_id, status) VALUES (?, ?, ?, 'absent')",
			    DB_ARGS(DB_I(id), DB_I(strtoll(key, NULL, 10)), DB_I(json_integer_value(org))), err);
	}
	json_decref(expected);
	return rc;
}

int life_member_may_attend(struct db *db, int64_t activity_id, int64_t member_id, bool *may, struct dj_error *err)
{
	struct act_head h;
	*may = false;
	if (!activity_id)
		return 0;
	int rc = head_load(db, activity_id, &h, err);
	if (rc == DJ_ENOTFOUND) {	/* not stored yet: nobody is hosted by it */
		dj_error_clear(err);
		return 0;
	}
	for (int i = 0; !rc && !*may && i < h.norgs; i++)
		rc = member_hosted_at(db, member_id, h.orgs[i], h.on_date, may, err);
	return rc;
}

int life_member_check(struct db *db, const struct actor *a, int64_t activity_id, int64_t member_id,
		      const char *field, const char *label, struct dj_error *err)
{
	bool active = false;
	int rc = db_exists(db, &active, "SELECT 1 FROM member WHERE id = ? AND active = 1", DB_ARGS(DB_I(member_id)),
			   err);
	if (rc)
		return rc;
	if (active) {
		/* Out of scope reads as missing; a failed query stays a failure. */
		struct dj_error se = {0};
		rc = scope_member(db, a, member_id, &se);
		json_decref(se.details);
		if (rc && rc != DJ_ENOTFOUND && rc != DJ_EFORBIDDEN)
			return dj_fail(err, rc, field, "%s", se.msg);
		bool may = false;
		if (!rc || (rc = life_member_may_attend(db, activity_id, member_id, &may, err)) || may)
			return rc;
	}
	return dj_fail(err, DJ_ENOTFOUND, field, "%s（编号%lld）不存在或不在您的管理范围内", label, (long long)member_id);
}

int life_attendance_apply(struct db *db, const struct actor *a, int64_t id, json_t *items, struct dj_error *err)
{
	static const char *const statuses[] = {"present", "leave", "absent", NULL};
	struct act_head h;
	int rc;
	if (json_array_size(items) > MAX_ITEMS)
		return dj_fail(err, DJ_EINVAL, "attendance", "出勤记录不能超过%d条", MAX_ITEMS);
	if ((rc = head_load(db, id, &h, err)))
		return rc;
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it) {
		int64_t m;
		const char *status, *reason;
		bool dual;
		if (!json_is_object(it))
			return dj_fail(err, DJ_EINVAL, "attendance", "第%zu条出勤记录格式不正确", i + 1);
		if ((rc = v_id(it, "member_id", "党员", true, &m, err)) ||
		    (rc = v_enum(it, "status", "出勤情况", statuses, true, &status, err)) ||
		    (rc = v_str(it, "reason", "请假事由", 200, false, &reason, err)) ||
		    (rc = v_bool(it, "dual", "双重组织生活", false, &dual, err))) {
			snprintf(err->field, sizeof err->field, "attendance");
			return rc;
		}
		if (attendance_status_parse(status) == ATTEND_LEAVE && !reason)
			return dj_fail(err, DJ_EINVAL, "attendance", "第%zu条：请假须填写事由", i + 1);
		bool exists = false;
		int64_t org = 0;
		if ((rc = db_exists(db, &exists, "SELECT 1 FROM attendance WHERE activity_id = ? AND member_id = ?",
				    DB_ARGS(DB_I(id), DB_I(m)), err)) ||
		    (!exists && (rc = member_org_on(db, m, h.on_date, &org, err))))
			return rc;
		if (!exists) {
			/* Scope first: someone who was not in the activity's orgs that day and whom the
			 * actor may not name gets the same answer as a missing member. */
			char *name = NULL;
			if (!(org && in_orgs(&h, org)))
				rc = life_member_check(db, a, id, m, "attendance", "党员", err);
			if (!rc && (rc = db_text1(db, &name, "SELECT name FROM member WHERE id = ? AND active = 1",
						 DB_ARGS(DB_I(m)), err)) == DJ_ENOTFOUND)
				rc = life_member_check(db, a, id, m, "attendance", "党员", err);
			if (rc == DJ_EDB || rc == DJ_EUNAVAIL)
				return rc;
			/* Hosted by one of the activity's orgs (a mobile member): only
			 * asked of a member the actor may name, so the answer above stands. */
			bool may = false;
			if (!rc && org && !dual && !in_orgs(&h, org) && (rc = life_member_may_attend(db, id, m, &may, err))) {
				free(name);
				return rc;
			}
			if (rc) {
				free(name);
				char msg[sizeof err->msg];
				snprintf(msg, sizeof msg, "%s", err->msg);
				return dj_fail(err, rc, "attendance", "第%zu条：%.400s", i + 1, msg);
			}
			if (!org || (!dual && !in_orgs(&h, org) && !may)) {
				rc = dj_fail(err, DJ_EINVAL, "attendance",
					     "%s在%s不是本活动党组织的党员；如为领导干部参加双重组织生活，请标明“双重组织生活”",
					     name, h.on_date);
				free(name);
				return rc;
			}
			free(name);
			rc = db_run(db, "INSERT INTO attendance(activity_id, member_id, org_id, status, reason, dual)"
					" VALUES (?, ?, ?, ?, ?, ?)",
				    DB_ARGS(DB_I(id), DB_I(m), DB_I(org), DB_T(status), DB_T(reason),
					    DB_I(dual && !in_orgs(&h, org))), err);
		} else {
			rc = db_run(db, "UPDATE attendance SET status = ?, reason = ? WHERE activity_id = ? AND member_id = ?",
				    DB_ARGS(DB_T(status), DB_T(attendance_status_parse(status) == ATTEND_PRESENT ? NULL : reason), DB_I(id),
					    DB_I(m)), err);
		}
		if (rc)
			return rc;
	}
	return 0;
}

int life_guests_apply(struct db *db, int64_t id, json_t *guests, struct dj_error *err)
{
	if (json_array_size(guests) > MAX_GUESTS)
		return dj_fail(err, DJ_EINVAL, "guests", "列席人员不能超过%d人", MAX_GUESTS);
	size_t i;
	json_t *g;
	json_array_foreach(guests, i, g) {
		const char *name, *note;
		int rc;
		if (!json_is_object(g))
			return dj_fail(err, DJ_EINVAL, "guests", "第%zu位列席人员格式不正确", i + 1);
		if ((rc = v_str(g, "name", "列席人员姓名", 50, true, &name, err)) ||
		    (rc = v_str(g, "note", "列席人员说明", 100, false, &note, err))) {
			snprintf(err->field, sizeof err->field, "guests");
			return rc;
		}
	}
	int rc = db_run(db, "DELETE FROM activity_guest WHERE activity_id = ?", DB_ARGS(DB_I(id)), err);
	json_array_foreach(guests, i, g) {
		if (rc)
			break;
		rc = db_run(db, "INSERT INTO activity_guest(activity_id, name, note) VALUES (?, ?, ?)",
			    DB_ARGS(DB_I(id), DB_T(json_string_value(json_object_get(g, "name"))),
				    DB_T(json_string_value(json_object_get(g, "note")))), err);
	}
	return rc;
}

static json_t *attendance_snapshot(struct db *db, int64_t id, struct dj_error *err)
{
	json_t *r = db_rows(db, "SELECT member_id, status, reason, dual, source FROM attendance WHERE activity_id = ?"
				" ORDER BY member_id", DB_ARGS(DB_I(id)), err);
	json_t *g = r ? db_rows(db, "SELECT name, note FROM activity_guest WHERE activity_id = ? ORDER BY id",
				DB_ARGS(DB_I(id)), err) : NULL;
	if (!g) {
		json_decref(r);
		return NULL;
	}
	return json_pack("{s:o, s:o}", "attendance", r, "guests", g);
}

int life_attendance_set(struct db *db, const struct actor *a, int64_t id, json_t *in, struct dj_error *err)
{
	int rc;
	if (!json_is_object(in))
		return dj_fail(err, DJ_EINVAL, "", "请求体应为 JSON 对象");
	json_t *items = json_object_get(in, "attendance"), *guests = json_object_get(in, "guests");
	if (!json_is_array(items))
		return dj_fail(err, DJ_EINVAL, "attendance", "请提供出勤情况列表");
	if (guests && !json_is_array(guests))
		return dj_fail(err, DJ_EINVAL, "guests", "列席人员应为列表");
	if ((rc = life_activity_writable(db, a, id, err)))
		return rc;
	char *status = NULL;
	if ((rc = db_text1(db, &status, "SELECT status FROM activity WHERE id = ?", DB_ARGS(DB_I(id)), err)))
		return rc;
	bool cancelled = activity_status_parse(status) == ACTIVITY_CANCELLED;
	free(status);
	if (cancelled)
		return dj_fail(err, DJ_ECONFLICT, "status", "活动已取消，不能登记出勤");
	if ((rc = db_begin(db, err)))
		return rc;
	json_t *before = attendance_snapshot(db, id, err);
	rc = before ? life_touch_activity(db, id, err) : err->code;	/* the roll before, and after below */
	if (!rc)
		rc = life_attendance_apply(db, a, id, items, err);
	if (!rc && guests)
		rc = life_guests_apply(db, id, guests, err);
	if (!rc)
		rc = db_run(db, "UPDATE attendance SET source = 'corrected' WHERE activity_id = ? AND source = 'qr'"
				" AND status <> 'present'", DB_ARGS(DB_I(id)), err);
	if (!rc)
		rc = life_touch_activity(db, id, err);
	if (!rc) {
		json_t *after = attendance_snapshot(db, id, err);
		rc = after ? audit_write(db, a, "life.attendance", "activity", id, before, after, err) : err->code;
		json_decref(after);
	}
	json_decref(before);
	return db_end(db, rc, err);
}

json_t *life_mine(struct db *db, const struct actor *a, int year, struct dj_error *err)
{
	if (!a->member_id) {
		dj_fail(err, DJ_ENOTFOUND, "member", "您的账号未关联党员信息");
		return NULL;
	}
	char from[11], to[11];
	const char *today = a->today;
	snprintf(from, sizeof from, "%04d-01-01", year);
	snprintf(to, sizeof to, "%04d-12-31", year);
	json_t *items = db_rows(db,
		"SELECT v.id, v.on_date, v.start_time, v.kind, k.label AS kind_label, v.topic, v.place, o.name AS org_name,"
		" t.status AS attendance, t.reason, t.dual, t.signed_at FROM attendance t"
		" JOIN activity v ON v.id = t.activity_id JOIN activity_kind k ON k.code = v.kind"
		" JOIN org o ON o.id = v.org_id WHERE t.member_id = ? AND v.on_date BETWEEN ? AND ?"
		" AND v.status = 'held' ORDER BY v.on_date DESC, v.id DESC",
		DB_ARGS(DB_I(a->member_id), DB_T(from), DB_T(to)), err);
	if (!items)
		return NULL;
	json_t *by_kind = db_rows(db,
		"SELECT v.kind, k.label, count(*) AS total, sum(CASE WHEN t.status = 'present' THEN 1 ELSE 0 END) AS present"
		" FROM attendance t JOIN activity v ON v.id = t.activity_id JOIN activity_kind k ON k.code = v.kind"
		" WHERE t.member_id = ? AND v.on_date BETWEEN ? AND ? AND v.status = 'held'"
		" GROUP BY v.kind, k.label, k.sort ORDER BY k.sort",
		DB_ARGS(DB_I(a->member_id), DB_T(from), DB_T(to)), err);
	json_t *upcoming = !by_kind ? NULL : db_rows(db,
		"SELECT v.id, v.on_date, v.start_time, v.kind, k.label AS kind_label, v.topic, v.place, t.status AS attendance"
		" FROM attendance t JOIN activity v ON v.id = t.activity_id JOIN activity_kind k ON k.code = v.kind"
		" WHERE t.member_id = ? AND v.status = 'planned' AND v.on_date >= ? ORDER BY v.on_date, v.start_time LIMIT 20",
		DB_ARGS(DB_I(a->member_id), DB_T(today)), err);
	if (!upcoming) {
		json_decref(items);
		json_decref(by_kind);
		return NULL;
	}
	int64_t total = 0, present = 0;
	size_t i;
	json_t *k;
	json_array_foreach(by_kind, i, k) {
		total += json_integer_value(json_object_get(k, "total"));
		present += json_integer_value(json_object_get(k, "present"));
	}
	return json_pack("{s:i, s:o, s:o, s:o, s:I, s:I}", "year", year, "items", items, "by_kind", by_kind, "upcoming",
			 upcoming, "total", (json_int_t)total, "present", (json_int_t)present);
}
