/* member_mobile.c — 流动党员: a member away for 6 months or more at a fixed
 * place, recorded as a hosting record: home org (where the membership
 * stays), the host org where they take part in organizational life (a
 * 流动党员党支部 or any org, possibly in another subtree), the place, since
 * when, the 流动党员活动证 number, and the yearly 思想汇报 to the home org.
 *
 * The host sees a hosted member only for organizational life (life module:
 * attendance and sign-in, through member_hosted_at); every other route
 * keeps them invisible to it (DESIGN.md "Scope exceptions"). */
#include "member/member_roster.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/date.h"
#include "core/setting.h"
#include "core/valid.h"
#include "db/db.h"
#include "member/member.h"
#include "org/org.h"

/* Org kinds that hold organizational life for members. */
static bool host_kind(const char *kind, bool temporary_ok)
{
	switch (org_kind_parse(kind)) {
	case ORG_BRANCH:
	case ORG_GENERAL_BRANCH:
	case ORG_FUNCTIONAL_BRANCH:
	case ORG_CLOUD_BRANCH:
	case ORG_MOBILE_BRANCH:
		return true;
	case ORG_TEMPORARY_BRANCH:
		return temporary_ok;
	default:
		return false;
	}
}

#define HOSTING_COLS                                                                                           \
	"h.id, h.member_id, m.name, h.home_org, ho.name AS home_org_name, h.host_org, xo.name AS host_org_name,"  \
	" h.place, h.since, h.until, h.card_no, h.ended_on, h.created_at,"                                       \
	" (SELECT max(r.on_date) FROM mobile_report r WHERE r.hosting_id = h.id) AS last_report_on"
#define HOSTING_FROM                                                                                           \
	" FROM mobile_hosting h JOIN member m ON m.id = h.member_id JOIN org ho ON ho.id = h.home_org"           \
	" JOIN org xo ON xo.id = h.host_org"

/* The read cache (db_touch_org): a hosting's records belong to the home org
 * and to the host org. */
static void touch_hosting(struct db *db, json_t *h)
{
	db_touch_org(db, json_integer_value(json_object_get(h, "home_org")));
	db_touch_org(db, json_integer_value(json_object_get(h, "host_org")));
}

static int audit_hosting(struct db *db, const struct actor *a, const char *action, int64_t id, json_t *before,
			 struct dj_error *err)
{
	json_t *after = db_row(db, "SELECT " HOSTING_COLS HOSTING_FROM " WHERE h.id = ?", DB_ARGS(DB_I(id)), err);
	if (!after)
		return err->code;
	int rc = audit_write(db, a, action, "mobile_hosting", id, before, after, err);
	json_decref(after);
	return rc;
}

int roster_mobile_start(struct db *db, const struct actor *a, json_t *in, int64_t *id, struct dj_error *err)
{
	int64_t member, host;
	const char *place, *since, *until, *card;
	int rc;
	if (!json_is_object(in))
		return dj_fail(err, DJ_EINVAL, "", "请求体应为 JSON 对象");
	if ((rc = scope_can_manage(a, err)) || (rc = v_id(in, "member_id", "党员", true, &member, err)) ||
	    (rc = v_id(in, "host_org_id", "流入地党组织", true, &host, err)) ||
	    (rc = v_str(in, "place", "外出地点", 100, true, &place, err)) ||
	    (rc = v_date(in, "since", "外出日期", true, false, &since, err)) ||
	    (rc = v_date(in, "until", "预计返回日期", false, false, &until, err)) ||
	    (rc = v_str(in, "card_no", "流动党员活动证编号", 50, false, &card, err)))
		return rc;
	if (strcmp(since, a->today) > 0)
		return dj_fail(err, DJ_EINVAL, "since", "外出日期不能晚于今天");
	if ((rc = scope_member(db, a, member, err)))
		return dj_fail(err, rc, "member_id", "党员不存在或不在您的管理范围内");
	int64_t min_months, temp_ok;
	if ((rc = setting_get_int(db, "rule.mobile_min_months", 6, &min_months, err)) ||
	    (rc = setting_get_int(db, "rule.mobile_host_temporary", 0, &temp_ok, err)))
		return rc;
	if (until) {
		char min[11];
		date_add(min, since, 0, (int)min_months, 0);
		if (strcmp(until, min) < 0)
			return dj_fail(err, DJ_EINVAL, "until", "外出%lld个月以上才登记为流动党员（预计返回日期应不早于%s）",
				       (long long)min_months, min);
	}
	json_t *m = member_masked(db, member, err);
	if (!m)
		return err->code;
	int64_t home = json_integer_value(json_object_get(m, "org_id"));
	bool active = json_integer_value(json_object_get(m, "active"));
	const char *join = json_string_value(json_object_get(m, "join_date"));
	rc = !active ? dj_fail(err, DJ_ECONFLICT, "member_id", "该党员已不在册")
		: strcmp(since, join) < 0 ? dj_fail(err, DJ_EINVAL, "since", "外出日期不能早于入党日期") : 0;
	if (!rc && host == home)
		rc = dj_fail(err, DJ_EINVAL, "host_org_id", "流入地党组织不能是党员本人所在的党组织");
	json_t *o = rc ? NULL : db_row(db, "SELECT kind, status FROM org WHERE id = ?", DB_ARGS(DB_I(host)), err);
	if (!rc && !o)
		rc = err->code == DJ_ENOTFOUND ? dj_fail(err, DJ_EINVAL, "host_org_id", "流入地党组织不存在或已撤销") : err->code;
	if (!rc && org_row_status(o) != ORG_ACTIVE)
		rc = dj_fail(err, DJ_EINVAL, "host_org_id", "流入地党组织不存在或已撤销");
	if (!rc && !host_kind(json_string_value(json_object_get(o, "kind")), temp_ok))
		rc = dj_fail(err, DJ_EINVAL, "host_org_id",
			     org_kind_parse(json_string_value(json_object_get(o, "kind"))) == ORG_TEMPORARY_BRANCH
			     ? "按规定临时党支部不作为流动党员的流入地党组织" : "流入地党组织应为党支部（含流动党员党支部）");
	json_decref(o);
	int64_t open = 0;
	if (!rc && !(rc = db_int1(db, &open, "SELECT count(*) FROM mobile_hosting WHERE member_id = ? AND ended_on IS NULL",
				  DB_ARGS(DB_I(member)), err)) && open)
		rc = dj_fail(err, DJ_ECONFLICT, "member_id", "该党员已登记为流动党员，请先结束原登记");
	if (rc) {
		json_decref(m);
		return rc;
	}
	char now[21];
	date_now_iso(now);
	if (!(rc = db_begin(db, err))) {
		db_touch_org(db, home);	/* the read cache: the home org and the host org */
		db_touch_org(db, host);
		rc = db_int1(db, id, "INSERT INTO mobile_hosting(member_id, home_org, host_org, place, since, until, card_no,"
				     " user_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			     DB_ARGS(DB_I(member), DB_I(home), DB_I(host), DB_T(place), DB_T(since), DB_T(until), DB_T(card),
				     a->user_id ? DB_I(a->user_id) : DB_NULL, DB_T(now)), err);
		if (!rc)
			rc = db_run(db, "UPDATE member SET is_mobile = 1, mobile_place = ?, mobile_since = ?, updated_at = ?"
					" WHERE id = ?", DB_ARGS(DB_T(place), DB_T(since), DB_T(now), DB_I(member)), err);
		if (!rc)
			rc = audit_hosting(db, a, "member.mobile_start", *id, NULL, err);
		rc = db_end(db, rc, err);
	}
	json_decref(m);
	return rc;
}

/* The hosting as its home org sees it (the host org never does here). */
static json_t *hosting_for(struct db *db, const struct actor *a, int64_t id, struct dj_error *err)
{
	json_t *h = db_row(db, "SELECT " HOSTING_COLS HOSTING_FROM " WHERE h.id = ?", DB_ARGS(DB_I(id)), err);
	if (!h && err->code != DJ_ENOTFOUND)
		return NULL;
	bool in = false;
	if (h && a->role != ROLE_MEMBER &&
	    scope_has_org(db, a, json_integer_value(json_object_get(h, "home_org")), &in, err)) {
		json_decref(h);
		return NULL;
	}
	if (!in) {
		json_decref(h);
		dj_fail(err, DJ_ENOTFOUND, "id", "流动党员登记不存在或不在您的管理范围内");
		return NULL;
	}
	return h;
}

int roster_mobile_end(struct db *db, const struct actor *a, int64_t id, json_t *in, struct dj_error *err)
{
	const char *on_date;
	int rc;
	if (!json_is_object(in))
		return dj_fail(err, DJ_EINVAL, "", "请求体应为 JSON 对象");
	if ((rc = scope_can_manage(a, err)) || (rc = v_date(in, "on_date", "返回日期", true, false, &on_date, err)))
		return rc;
	json_t *h = hosting_for(db, a, id, err);
	if (!h)
		return err->code;
	if (!json_is_null(json_object_get(h, "ended_on")))
		rc = dj_fail(err, DJ_ECONFLICT, "status", "该流动党员登记已结束");
	else if (strcmp(on_date, json_string_value(json_object_get(h, "since"))) < 0)
		rc = dj_fail(err, DJ_EINVAL, "on_date", "返回日期不能早于外出日期");
	else if (strcmp(on_date, a->today) > 0)
		rc = dj_fail(err, DJ_EINVAL, "on_date", "日期不能晚于今天");
	char now[21];
	date_now_iso(now);
	if (!rc && !(rc = db_begin(db, err))) {
		touch_hosting(db, h);
		rc = db_run(db, "UPDATE mobile_hosting SET ended_on = ? WHERE id = ?", DB_ARGS(DB_T(on_date), DB_I(id)), err);
		if (!rc)
			rc = db_run(db, "UPDATE member SET is_mobile = 0, mobile_place = NULL, mobile_since = NULL, updated_at = ?"
					" WHERE id = ?",
				    DB_ARGS(DB_T(now), DB_I(json_integer_value(json_object_get(h, "member_id")))), err);
		if (!rc)
			rc = audit_hosting(db, a, "member.mobile_end", id, h, err);
		rc = db_end(db, rc, err);
	}
	json_decref(h);
	return rc;
}

int roster_mobile_report(struct db *db, const struct actor *a, int64_t id, json_t *in, int64_t *rid,
			 struct dj_error *err)
{
	const char *on_date, *summary;
	int rc;
	if (!json_is_object(in))
		return dj_fail(err, DJ_EINVAL, "", "请求体应为 JSON 对象");
	if ((rc = scope_can_manage(a, err)) || (rc = v_date(in, "on_date", "报告日期", true, false, &on_date, err)) ||
	    (rc = v_str(in, "summary", "思想汇报摘要", 2000, true, &summary, err)))
		return rc;
	json_t *h = hosting_for(db, a, id, err);
	if (!h)
		return err->code;
	if (strcmp(on_date, a->today) > 0)
		rc = dj_fail(err, DJ_EINVAL, "on_date", "日期不能晚于今天");
	else if (strcmp(on_date, json_string_value(json_object_get(h, "since"))) < 0)
		rc = dj_fail(err, DJ_EINVAL, "on_date", "报告日期不能早于外出日期");
	char now[21];
	date_now_iso(now);
	if (!rc && !(rc = db_begin(db, err))) {
		touch_hosting(db, h);
		rc = db_int1(db, rid, "INSERT INTO mobile_report(hosting_id, member_id, on_date, summary, user_id, created_at)"
				      " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
			     DB_ARGS(DB_I(id), DB_I(json_integer_value(json_object_get(h, "member_id"))), DB_T(on_date),
				     DB_T(summary), a->user_id ? DB_I(a->user_id) : DB_NULL, DB_T(now)), err);
		if (!rc)
			rc = audit_hosting(db, a, "member.mobile_report", id, h, err);
		rc = db_end(db, rc, err);
	}
	json_decref(h);
	return rc;
}

json_t *roster_mobile_get(struct db *db, const struct actor *a, int64_t id, struct dj_error *err)
{
	json_t *h = hosting_for(db, a, id, err);
	if (!h)
		return NULL;
	json_t *r = db_rows(db, "SELECT id, on_date, summary, created_at FROM mobile_report WHERE hosting_id = ?"
				" ORDER BY on_date DESC, id DESC", DB_ARGS(DB_I(id)), err);
	if (!r) {
		json_decref(h);
		return NULL;
	}
	json_object_set_new(h, "reports", r);
	return h;
}

json_t *roster_mobile_list(struct db *db, const struct actor *a, int64_t org, bool all, int page, int size,
			   struct dj_error *err)
{
	if (a->role == ROLE_MEMBER) {
		dj_fail(err, DJ_EFORBIDDEN, "", "党员账号不能查看");
		return NULL;
	}
	if ((!org && scope_root_of(db, a, &org, err)) || scope_org(db, a, org, err))
		return NULL;
	const char *cond = all ? "" : " AND h.ended_on IS NULL";
	char sql[1536];
	int64_t total = 0;
	snprintf(sql, sizeof sql, "SELECT count(*) FROM mobile_hosting h WHERE " ORG_IN_SUBTREE("h.home_org", "?") "%s", cond);
	if (db_int1(db, &total, sql, DB_ARGS(DB_I(org)), err))
		return NULL;
	snprintf(sql, sizeof sql, "SELECT " HOSTING_COLS HOSTING_FROM " WHERE " ORG_IN_SUBTREE("h.home_org", "?") "%s ORDER BY h.ended_on IS NOT NULL, m.name_key, h.id"
		 " LIMIT ? OFFSET ?", cond);
	json_t *items = db_rows(db, sql, DB_ARGS(DB_I(org), DB_I(size), DB_I((int64_t)(page - 1) * size)), err);
	return items ? json_pack("{s:o, s:I, s:i, s:i}", "items", items, "total", (json_int_t)total, "page", page, "size",
				 size) : NULL;
}

int member_hosted_at(struct db *db, int64_t member_id, int64_t org_id, const char *date, bool *yes,
		     struct dj_error *err)
{
	return db_exists(db, yes, "SELECT 1 FROM mobile_hosting h JOIN member m ON m.id = h.member_id WHERE"
				  " h.member_id = ? AND h.host_org = ? AND h.since <= ? AND (h.ended_on IS NULL OR h.ended_on > ?)"
				  " AND m.active = 1",
			 DB_ARGS(DB_I(member_id), DB_I(org_id), DB_T(date), DB_T(date)), err);
}

json_t *member_hosted_roster(struct db *db, int64_t org_id, const char *date, struct dj_error *err)
{
	return db_rows(db, "SELECT h.member_id AS id, h.home_org AS org_id FROM mobile_hosting h JOIN member m ON m.id = h.member_id"
			   " WHERE h.host_org = ?1 AND h.since <= ?2 AND (h.ended_on IS NULL OR h.ended_on > ?2) AND m.active = 1"
			   " ORDER BY h.member_id", DB_ARGS(DB_I(org_id), DB_T(date)), err);
}
