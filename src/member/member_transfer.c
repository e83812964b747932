/* member_transfer.c — 组织关系转接.  Inside the platform the sending org
 * initiates and the receiving org accepts (the member's org changes then,
 * and only then) or returns it with a reason.  Out of the platform the
 * sending org issues a 介绍信 (number, destination, validity) and waits for
 * its 回执; the membership here ends with it.  Into the platform an org
 * registers a letter received and creates or re-activates the member.
 *
 * member_transfer stays the record of a member's org by date (the rosters
 * read it); transfer is the procedure, and its history. */
#include "member/member_roster.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/date.h"
#include "core/setting.h"
#include "core/valid.h"
#include "crypto/pii.h"
#include "db/db.h"
#include "develop/develop.h"
#include "member/member.h"
#include "org/org.h"

#define TRANSFER_COLS                                                                                          \
	"t.id, t.member_id, m.name, t.kind, t.status, t.from_org, f.name AS from_org_name, t.to_org,"           \
	" o.name AS to_org_name, t.place, t.letter_no, t.on_date, t.valid_until, t.receipt_on, t.decided_on,"    \
	" t.reason, t.return_reason, t.created_at"
#define TRANSFER_FROM                                                                                          \
	" FROM transfer t LEFT JOIN member m ON m.id = t.member_id LEFT JOIN org f ON f.id = t.from_org"       \
	" LEFT JOIN org o ON o.id = t.to_org"

static json_t *transfer_row(struct db *db, int64_t id, struct dj_error *err)
{
	json_t *r = db_row(db, "SELECT " TRANSFER_COLS TRANSFER_FROM " WHERE t.id = ?", DB_ARGS(DB_I(id)), err);
	if (!r && err->code == DJ_ENOTFOUND)
		dj_fail(err, DJ_ENOTFOUND, "id", "转接记录不存在或不在您的管理范围内");
	return r;
}

enum transfer_kind transfer_kind_parse(const char *s)
{
	static const char *const names[] = {[TRANSFER_INSIDE] = "inside", [TRANSFER_OUT] = "out", [TRANSFER_IN] = "in"};
	for (size_t i = 1; s && i < sizeof names / sizeof names[0]; i++)
		if (strcmp(names[i], s) == 0)
			return (enum transfer_kind)i;
	return TRANSFER_KIND_NONE;
}

enum transfer_status transfer_status_parse(const char *s)
{
	static const char *const names[] = {[TRANSFER_PENDING] = "pending", [TRANSFER_ACCEPTED] = "accepted",
					    [TRANSFER_RETURNED] = "returned", [TRANSFER_ISSUED] = "issued",
					    [TRANSFER_RECEIVED] = "received", [TRANSFER_REGISTERED] = "registered"};
	for (size_t i = 1; s && i < sizeof names / sizeof names[0]; i++)
		if (strcmp(names[i], s) == 0)
			return (enum transfer_status)i;
	return TRANSFER_STATUS_NONE;
}

static int64_t jint(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static const char *jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* Which side of a transfer the actor is on (*s): bit 1 the sending org, bit
 * 2 the receiving one; a failed query is its error, never "neither". */
static int sides(struct db *db, const struct actor *a, json_t *t, int *s, struct dj_error *err)
{
	bool in = false;
	int rc = 0;
	*s = 0;
	if (a->role == ROLE_MEMBER)
		return 0;
	if (jint(t, "from_org") && !(rc = scope_has_org(db, a, jint(t, "from_org"), &in, err)) && in)
		*s |= 1;
	if (!rc && jint(t, "to_org") && !(rc = scope_has_org(db, a, jint(t, "to_org"), &in, err)) && in)
		*s |= 2;
	return rc;
}

/* The read cache (db_touch_org): a transfer's records belong to both its
 * orgs (an org outside the platform has none). */
static void touch_sides(struct db *db, int64_t from, int64_t to)
{
	if (from)
		db_touch_org(db, from);
	if (to)
		db_touch_org(db, to);
}

/* `moved`: the development records that went with the member (accept). */
static int audit_transfer(struct db *db, const struct actor *a, const char *action, int64_t id, json_t *before,
			  json_t *moved, struct dj_error *err)
{
	json_t *after = transfer_row(db, id, err);
	if (!after)
		return err->code;
	if (json_array_size(moved))
		json_object_set(after, "develop_moved", moved);
	int rc = audit_write(db, a, action, "transfer", id, before, after, err);
	json_decref(after);
	return rc;
}

static int date_not_after_today(const struct actor *a, const char *d, const char *field, struct dj_error *err)
{
	return strcmp(d, a->today) > 0 ? dj_fail(err, DJ_EINVAL, field, "日期不能晚于今天") : 0;
}

int roster_transfer_start(struct db *db, const struct actor *a, json_t *in, int64_t *id, struct dj_error *err)
{
	int64_t member, to;
	const char *place, *letter, *on_date, *until, *reason;
	int rc;
	if (!json_is_object(in))
		return dj_fail(err, DJ_EINVAL, "", "请求体应为 JSON 对象");
	if ((rc = scope_can_manage(a, err)) || (rc = v_id(in, "member_id", "党员", true, &member, err)) ||
	    (rc = v_id(in, "to_org_id", "转入党组织", false, &to, err)) ||
	    (rc = v_str(in, "place", "转往党组织（平台外）", 100, false, &place, err)) ||
	    (rc = v_str(in, "letter_no", "介绍信编号", 50, false, &letter, err)) ||
	    (rc = v_date(in, "on_date", "转出日期", true, false, &on_date, err)) ||
	    (rc = v_date(in, "valid_until", "介绍信有效期至", false, false, &until, err)) ||
	    (rc = v_str(in, "reason", "转接原因", 200, false, &reason, err)) ||
	    (rc = date_not_after_today(a, on_date, "on_date", err)))
		return rc;
	if ((rc = scope_member(db, a, member, err)))
		return dj_fail(err, rc, "member_id", "党员不存在或不在您的管理范围内");
	json_t *m = member_masked(db, member, err);
	if (!m)
		return err->code;
	int64_t from = jint(m, "org_id");
	bool active = jint(m, "active");
	json_decref(m);
	if (!active)
		return dj_fail(err, DJ_ECONFLICT, "member_id", "该党员已不在册，不能转出");
	int64_t pending = 0;
	if ((rc = db_int1(db, &pending, "SELECT count(*) FROM transfer WHERE member_id = ? AND status = 'pending'",
			  DB_ARGS(DB_I(member)), err)))
		return rc;
	if (pending)
		return dj_fail(err, DJ_ECONFLICT, "member_id", "该党员已有待接收的组织关系转接");
	char now[21], valid[11];
	date_now_iso(now);
	if (to) {
		/* Inside the platform: any open org of the tree, in any subtree. */
		char *status = NULL;
		rc = db_text1(db, &status, "SELECT status FROM org WHERE id = ?", DB_ARGS(DB_I(to)), err);
		bool open = !rc && org_status_parse(status) == ORG_ACTIVE;
		free(status);
		if (rc && rc != DJ_ENOTFOUND)
			return rc;
		if (!open)
			return dj_fail(err, DJ_EINVAL, "to_org_id", "转入党组织不存在或已撤销");
		if (to == from)
			return dj_fail(err, DJ_EINVAL, "to_org_id", "转入党组织与现所在党组织相同");
		/* A member in the pipeline: the receiving org must be able to go on with it. */
		if ((rc = develop_member_moved(db, member, to, NULL, err)) || (rc = db_begin(db, err)))
			return rc;
		touch_sides(db, from, to);
		rc = db_int1(db, id, "INSERT INTO transfer(member_id, kind, status, from_org, to_org, on_date, reason, user_id,"
				     " created_at) VALUES (?, 'inside', 'pending', ?, ?, ?, ?, ?, ?) RETURNING id",
			     DB_ARGS(DB_I(member), DB_I(from), DB_I(to), DB_T(on_date), DB_T(reason),
				     a->user_id ? DB_I(a->user_id) : DB_NULL, DB_T(now)), err);
		if (!rc)
			rc = audit_transfer(db, a, "member.transfer_start", *id, NULL, NULL, err);
		return db_end(db, rc, err);
	}
	/* Out of the platform: a letter with its number, and a receipt to expect. */
	if (!letter)
		return dj_fail(err, DJ_EINVAL, "letter_no", "转往本平台以外的党组织须填写介绍信编号");
	if (!place)
		return dj_fail(err, DJ_EINVAL, "place", "请填写转往的党组织（平台外）");
	int64_t months;
	if ((rc = setting_get_int(db, "rule.transfer_letter_months", 3, &months, err)))
		return rc;
	if (until && strcmp(until, on_date) < 0)
		return dj_fail(err, DJ_EINVAL, "valid_until", "有效期不能早于开具日期");
	if (!until) {
		date_add(valid, on_date, 0, (int)months, 0);
		until = valid;
	}
	if ((rc = db_begin(db, err)))
		return rc;
	touch_sides(db, from, 0);
	rc = db_int1(db, id, "INSERT INTO transfer(member_id, kind, status, from_org, place, letter_no, on_date, valid_until,"
			     " reason, user_id, created_at) VALUES (?, 'out', 'issued', ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
		     DB_ARGS(DB_I(member), DB_I(from), DB_T(place), DB_T(letter), DB_T(on_date), DB_T(until), DB_T(reason),
			     a->user_id ? DB_I(a->user_id) : DB_NULL, DB_T(now)), err);
	int64_t end_id;
	char note[200];
	snprintf(note, sizeof note, "组织关系转出至%.150s", place);
	/* The letter ends the membership here: one write, one audit record (the
	 * transfer's), which carries the end event (after.member_end). */
	json_t *end = NULL;
	if (!rc)
		rc = roster_end_tx(db, a, member, "transfer_out", on_date, note, letter, *id, &end_id, &end, err);
	json_t *after = rc ? NULL : transfer_row(db, *id, err);
	if (!rc && !after)
		rc = err->code;
	if (!rc) {
		json_object_set(after, "member_end", end);
		rc = audit_write(db, a, "member.transfer_start", "transfer", *id, NULL, after, err);
	}
	json_decref(after);
	json_decref(end);
	return db_end(db, rc, err);
}

/* Re-activate an ended member into `to` (a letter received back). */
static int reactivate(struct db *db, int64_t member, int64_t from, int64_t to, const char *on_date, const char *now,
		      const struct actor *a, struct dj_error *err)
{
	int rc = db_run(db, "UPDATE member_end SET back_on = ? WHERE member_id = ? AND back_on IS NULL",
			DB_ARGS(DB_T(on_date), DB_I(member)), err);
	if (!rc && from != to)
		rc = db_run(db, "INSERT INTO member_transfer(member_id, from_org, to_org, on_date, reason, user_id, created_at)"
				" VALUES (?, ?, ?, ?, '组织关系转入', ?, ?)",
			    DB_ARGS(DB_I(member), DB_I(from), DB_I(to), DB_T(on_date), a->user_id ? DB_I(a->user_id) : DB_NULL,
				    DB_T(now)), err);
	if (!rc)
		rc = db_run(db, "UPDATE member SET active = 1, org_id = ?, is_mobile = 0, mobile_place = NULL,"
				" mobile_since = NULL, updated_at = ? WHERE id = ?",
			    DB_ARGS(DB_I(to), DB_T(now), DB_I(member)), err);
	return rc;
}

int roster_transfer_in(struct db *db, const struct actor *a, json_t *in, int64_t *id, struct dj_error *err)
{
	int64_t to, member;
	const char *place, *letter, *on_date, *reason;
	int rc;
	if (!json_is_object(in))
		return dj_fail(err, DJ_EINVAL, "", "请求体应为 JSON 对象");
	if ((rc = scope_can_manage(a, err)) || (rc = v_id(in, "to_org_id", "转入党组织", true, &to, err)) ||
	    (rc = v_str(in, "letter_no", "介绍信编号", 50, true, &letter, err)) ||
	    (rc = v_str(in, "place", "转出党组织（平台外）", 100, true, &place, err)) ||
	    (rc = v_date(in, "on_date", "收到日期", true, false, &on_date, err)) ||
	    (rc = v_str(in, "reason", "转接原因", 200, false, &reason, err)) ||
	    (rc = v_id(in, "member_id", "党员", false, &member, err)) ||
	    (rc = date_not_after_today(a, on_date, "on_date", err)) || (rc = org_check_open(db, a, to, "to_org_id", err)))
		return rc;
	json_t *body = json_object_get(in, "member");
	if (!member && !json_is_object(body))
		return dj_fail(err, DJ_EINVAL, "member", "请填写转入党员的信息（或选择原在册党员重新转入）");
	struct member_rec m;
	json_t *copy = NULL;
	int64_t from = 0;
	if (!member) {
		copy = json_deep_copy(body);
		json_object_set_new(copy, "org_id", json_integer(to));
		if ((rc = member_from_json(copy, &m, err)) || (rc = member_check(db, &m, err))) {
			char f[sizeof err->field];
			snprintf(f, sizeof f, "%s", err->field);
			snprintf(err->field, sizeof err->field, "member.%.50s", f);
			json_decref(copy);
			return rc;
		}
		if (m.id_card) {
			/* The same person coming back: re-activate their record (one person, one record). */
			char h[65];
			member_id_card_hash(m.id_card, h);
			json_t *o = db_row(db, "SELECT id, active FROM member WHERE id_card_hash = ?", DB_ARGS(DB_T(h)), err);
			if (!o && err->code != DJ_ENOTFOUND) {
				json_decref(copy);
				return err->code;
			}
			dj_error_clear(err);
			if (o) {
				member = jint(o, "id");
				bool act = jint(o, "active");
				json_decref(o);
				if (act &&
				    !(rc = member_exact_claim(db, a, "member.duplicate", "id_card", m.id_card, member, err)))
					rc = dj_fail(err, DJ_ECONFLICT, "member.id_card", "该身份证号的党员在册，无需转入；平台内转接请由原党组织发起");
				if (rc) {
					json_decref(copy);
					return rc;
				}
			}
		}
	} else if ((rc = scope_member(db, a, member, err))) {
		return dj_fail(err, rc, "member_id", "党员不存在或不在您的管理范围内");
	}
	if (member) {
		json_t *cur = member_masked(db, member, err);
		if (!cur) {
			json_decref(copy);
			return err->code;
		}
		from = jint(cur, "org_id");
		bool act = jint(cur, "active");
		json_decref(cur);
		if (act) {
			json_decref(copy);
			return dj_fail(err, DJ_ECONFLICT, "member_id", "该党员在册，无需转入");
		}
	}
	char now[21];
	date_now_iso(now);
	if ((rc = db_begin(db, err))) {
		json_decref(copy);
		return rc;
	}
	touch_sides(db, from, to);	/* from: where a returning member's record was */
	if (member)
		rc = reactivate(db, member, from, to, on_date, now, a, err);
	else
		rc = member_insert(db, &m, 0, &member, err);
	if (rc == DJ_ECONFLICT)
		snprintf(err->field, sizeof err->field, "member.id_card");
	if (!rc)
		rc = db_int1(db, id, "INSERT INTO transfer(member_id, kind, status, to_org, place, letter_no, on_date,"
				     " decided_on, reason, user_id, created_at) VALUES (?, 'in', 'registered', ?, ?, ?, ?, ?, ?, ?, ?)"
				     " RETURNING id",
			     DB_ARGS(DB_I(member), DB_I(to), DB_T(place), DB_T(letter), DB_T(on_date), DB_T(on_date),
				     DB_T(reason), a->user_id ? DB_I(a->user_id) : DB_NULL, DB_T(now)), err);
	if (!rc)
		rc = audit_transfer(db, a, "member.transfer_in", *id, NULL, NULL, err);
	json_decref(copy);
	return db_end(db, rc, err);
}

/* The transfer as the receiving org sees it, still pending. */
static json_t *pending_for(struct db *db, const struct actor *a, int64_t id, int side, struct dj_error *err)
{
	json_t *t = transfer_row(db, id, err);
	if (!t)
		return NULL;
	int s = 0;
	if (sides(db, a, t, &s, err)) {
		json_decref(t);
		return NULL;
	}
	if (!s) {
		json_decref(t);
		dj_fail(err, DJ_ENOTFOUND, "id", "转接记录不存在或不在您的管理范围内");
		return NULL;
	}
	if (!(s & side)) {
		json_decref(t);
		dj_fail(err, DJ_EFORBIDDEN, "id", side == 2 ? "只有转入党组织可以办理接收或退回" : "只有转出党组织可以办理");
		return NULL;
	}
	return t;
}

int roster_transfer_accept(struct db *db, const struct actor *a, int64_t id, json_t *in, struct dj_error *err)
{
	const char *on_date;
	int rc;
	if (!json_is_object(in))
		return dj_fail(err, DJ_EINVAL, "", "请求体应为 JSON 对象");
	if ((rc = scope_can_manage(a, err)) || (rc = v_date(in, "on_date", "接收日期", false, false, &on_date, err)))
		return rc;
	if (!on_date)
		on_date = a->today;
	json_t *t = pending_for(db, a, id, 2, err);
	if (!t)
		return err->code;
	enum transfer_status st = transfer_status_parse(jstr(t, "status"));
	if (transfer_kind_parse(jstr(t, "kind")) != TRANSFER_INSIDE || st != TRANSFER_PENDING)
		rc = dj_fail(err, DJ_ECONFLICT, "status", st == TRANSFER_ACCEPTED ? "该转接已接收，不能重复接收"
			     : st == TRANSFER_RETURNED ? "该转接已退回" : "该记录无需接收");
	else if (strcmp(on_date, jstr(t, "on_date")) < 0)
		rc = dj_fail(err, DJ_EINVAL, "on_date", "接收日期不能早于转出日期（%s）", jstr(t, "on_date"));
	else
		rc = date_not_after_today(a, on_date, "on_date", err);
	int64_t member = jint(t, "member_id"), from = jint(t, "from_org"), to = jint(t, "to_org");
	int64_t active = 0, cur = 0;
	if (!rc && !(rc = db_int1(db, &active, "SELECT active FROM member WHERE id = ?", DB_ARGS(DB_I(member)), err)) &&
	    !(rc = db_int1(db, &cur, "SELECT org_id FROM member WHERE id = ?", DB_ARGS(DB_I(member)), err)) &&
	    (!active || cur != from))
		rc = dj_fail(err, DJ_ECONFLICT, "status", "该党员已不在转出党组织，转接不能接收");
	char now[21];
	date_now_iso(now);
	if (!rc && !(rc = db_begin(db, err))) {
		int64_t log = 0;
		touch_sides(db, from, to);
		rc = db_int1(db, &log, "INSERT INTO member_transfer(member_id, from_org, to_org, on_date, reason, user_id,"
				       " created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
			     DB_ARGS(DB_I(member), DB_I(from), DB_I(to), DB_T(on_date), DB_T(jstr(t, "reason")),
				     a->user_id ? DB_I(a->user_id) : DB_NULL, DB_T(now)), err);
		if (!rc)
			rc = db_run(db, "UPDATE member SET org_id = ?, updated_at = ? WHERE id = ?",
				    DB_ARGS(DB_I(to), DB_T(now), DB_I(member)), err);
		/* Their development record goes with them, in this write. */
		json_t *moved = json_array();
		if (!rc)
			rc = develop_member_moved(db, member, to, moved, err);
		if (!rc)
			rc = db_run(db, "UPDATE transfer SET status = 'accepted', decided_on = ?, log_id = ? WHERE id = ?"
					" AND status = 'pending'", DB_ARGS(DB_T(on_date), DB_I(log), DB_I(id)), err);
		if (!rc)
			rc = audit_transfer(db, a, "member.transfer_accept", id, t, moved, err);
		json_decref(moved);
		rc = db_end(db, rc, err);
	}
	json_decref(t);
	return rc;
}

int roster_transfer_return(struct db *db, const struct actor *a, int64_t id, json_t *in, struct dj_error *err)
{
	const char *reason;
	int rc;
	if (!json_is_object(in))
		return dj_fail(err, DJ_EINVAL, "", "请求体应为 JSON 对象");
	if ((rc = scope_can_manage(a, err)) || (rc = v_str(in, "reason", "退回原因", 200, true, &reason, err)))
		return rc;
	json_t *t = pending_for(db, a, id, 2, err);
	if (!t)
		return err->code;
	if (transfer_status_parse(jstr(t, "status")) != TRANSFER_PENDING)
		rc = dj_fail(err, DJ_ECONFLICT, "status", "该转接已办结，不能退回");
	if (!rc && !(rc = db_begin(db, err))) {
		touch_sides(db, jint(t, "from_org"), jint(t, "to_org"));
		rc = db_run(db, "UPDATE transfer SET status = 'returned', decided_on = ?, return_reason = ? WHERE id = ?",
			    DB_ARGS(DB_T(a->today), DB_T(reason), DB_I(id)), err);
		if (!rc)
			rc = audit_transfer(db, a, "member.transfer_return", id, t, NULL, err);
		rc = db_end(db, rc, err);
	}
	json_decref(t);
	return rc;
}

int roster_transfer_receipt(struct db *db, const struct actor *a, int64_t id, json_t *in, struct dj_error *err)
{
	const char *on_date;
	int rc;
	if (!json_is_object(in))
		return dj_fail(err, DJ_EINVAL, "", "请求体应为 JSON 对象");
	if ((rc = scope_can_manage(a, err)) || (rc = v_date(in, "on_date", "回执日期", true, false, &on_date, err)))
		return rc;
	json_t *t = pending_for(db, a, id, 1, err);
	if (!t)
		return err->code;
	if (transfer_kind_parse(jstr(t, "kind")) != TRANSFER_OUT)
		rc = dj_fail(err, DJ_EINVAL, "id", "只有转往平台外的介绍信有回执");
	else if (transfer_status_parse(jstr(t, "status")) == TRANSFER_RECEIVED)
		rc = dj_fail(err, DJ_ECONFLICT, "status", "回执已登记，不能重复登记");
	else if (strcmp(on_date, jstr(t, "on_date")) < 0)
		rc = dj_fail(err, DJ_EINVAL, "on_date", "回执日期不能早于开具日期（%s）", jstr(t, "on_date"));
	else
		rc = date_not_after_today(a, on_date, "on_date", err);
	if (!rc && !(rc = db_begin(db, err))) {
		touch_sides(db, jint(t, "from_org"), jint(t, "to_org"));
		rc = db_run(db, "UPDATE transfer SET status = 'received', receipt_on = ? WHERE id = ?",
			    DB_ARGS(DB_T(on_date), DB_I(id)), err);
		if (!rc)
			rc = audit_transfer(db, a, "member.transfer_receipt", id, t, NULL, err);
		rc = db_end(db, rc, err);
	}
	json_decref(t);
	return rc;
}

json_t *roster_transfer_get(struct db *db, const struct actor *a, int64_t id, struct dj_error *err)
{
	json_t *t = transfer_row(db, id, err);
	if (!t)
		return NULL;
	int s = 0;
	if (sides(db, a, t, &s, err)) {
		json_decref(t);
		return NULL;
	}
	if (!s) {
		json_decref(t);
		dj_fail(err, DJ_ENOTFOUND, "id", "转接记录不存在或不在您的管理范围内");
		return NULL;
	}
	const char *until = jstr(t, "valid_until");
	enum transfer_status st = transfer_status_parse(jstr(t, "status"));
	bool letter_out = transfer_kind_parse(jstr(t, "kind")) == TRANSFER_OUT && st == TRANSFER_ISSUED;
	json_object_set_new(t, "can_accept", json_boolean(st == TRANSFER_PENDING && (s & 2)));
	json_object_set_new(t, "can_receipt", json_boolean(letter_out && (s & 1)));
	json_object_set_new(t, "receipt_overdue", json_boolean(letter_out && until && strcmp(until, a->today) < 0));
	return t;
}

json_t *roster_transfer_list(struct db *db, const struct actor *a, const struct roster_transfer_filter *f,
			     struct dj_error *err)
{
	int64_t org = f->org;
	if (a->role == ROLE_MEMBER) {
		dj_fail(err, DJ_EFORBIDDEN, "", "党员账号不能查看");
		return NULL;
	}
	if ((!org && scope_root_of(db, a, &org, err)) || scope_org(db, a, org, err))
		return NULL;
	struct db_where w = {0};
	const char *in_sub = ORG_IN_SUBTREE("t.to_org", "?");
	const char *out_sub = ORG_IN_SUBTREE("t.from_org", "?");
	if (f->dir && strcmp(f->dir, "in") == 0)
		db_where_add(&w, in_sub, DB_ARGS(DB_I(org)));
	else if (f->dir && strcmp(f->dir, "out") == 0)
		db_where_add(&w, out_sub, DB_ARGS(DB_I(org)));
	else
		db_where_add(&w, "(" ORG_IN_SUBTREE("t.to_org", "?") " OR " ORG_IN_SUBTREE("t.from_org", "?") ")",
			     DB_ARGS(DB_I(org), DB_I(org)));
	if (f->member)
		db_where_add(&w, "t.member_id = ?", DB_ARGS(DB_I(f->member)));
	if (f->status)
		db_where_add(&w, "t.status = ?", DB_ARGS(DB_T(f->status)));
	char sql[1536];
	snprintf(sql, sizeof sql, "SELECT count(*) FROM transfer t%s", db_where_sql(&w));
	int64_t total = 0;
	json_t *out = NULL;
	if (!db_int1(db, &total, sql, w.n, w.args, err)) {
		db_where_arg(&w, DB_I(f->size));
		db_where_arg(&w, DB_I((int64_t)(f->page - 1) * f->size));
		snprintf(sql, sizeof sql, "SELECT " TRANSFER_COLS TRANSFER_FROM "%s ORDER BY t.on_date DESC, t.id DESC"
			 " LIMIT ? OFFSET ?", db_where_sql(&w));
		json_t *items = db_rows(db, sql, w.n, w.args, err);
		if (items) {
			size_t i;
			json_t *r;
			json_array_foreach(items, i, r) {
				const char *until = jstr(r, "valid_until");
				json_object_set_new(r, "receipt_overdue", json_boolean(transfer_status_parse(jstr(r, "status")) == TRANSFER_ISSUED &&
					until && strcmp(until, a->today) < 0));
			}
			out = json_pack("{s:o, s:I, s:i, s:i}", "items", items, "total", (json_int_t)total, "page", f->page,
					"size", f->size);
		}
	}
	db_where_free(&w);
	return out;
}

json_t *roster_transfer_orgs(struct db *db, const struct actor *a, const char *q, struct dj_error *err)
{
	if (a->role == ROLE_MEMBER) {
		dj_fail(err, DJ_EFORBIDDEN, "", "党员账号不能查看");
		return NULL;
	}
	if (!q || strlen(q) < 2) {
		dj_fail(err, DJ_EINVAL, "q", "请输入至少两个字的党组织名称或编码");
		return NULL;
	}
	char *like = db_like_pattern(q);
	json_t *r = db_rows(db, "SELECT o.id, o.code, o.name, o.kind, p.name AS parent_name FROM org o"
				" LEFT JOIN org p ON p.id = o.parent_id WHERE o.status = 'active'"
				" AND (o.name LIKE ?1 ESCAPE '\\' OR o.code LIKE ?1 ESCAPE '\\') ORDER BY o.name_key, o.id LIMIT 30",
			    DB_ARGS(DB_T(like)), err);
	free(like);
	return r ? json_pack("{s:o}", "items", r) : NULL;
}
