/* dues_base.c — a member's card per year (table dues_year): the base, its
 * category, rate and monthly amount, the voluntary extra, and what was paid
 * month by month (dues.h). */
#include "dues/dues_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/date.h"
#include "core/mem.h"
#include "core/valid.h"
#include "db/db.h"
#include "org/org.h"

int dues_month_idx(const char *month)
{
	int y, m;
	if (!month || strlen(month) != 7 || !date_month_parse(month, &y, &m))
		return -1;
	return y * 12 + m - 1;
}

void dues_month_text(int idx, char out[8])
{
	unsigned u = idx < 0 ? 0 : (unsigned)idx;
	char buf[32];
	snprintf(buf, sizeof buf, "%04u-%02u", (u / 12) % 10000, u % 12 + 1);
	memcpy(out, buf, 8);
	out[7] = 0;
}

int dues_who_get(struct db *db, const struct actor *a, int64_t member_id, const char *field, struct dues_who *w,
		 struct dj_error *err)
{
	memset(w, 0, sizeof *w);
	int rc = scope_member(db, a, member_id, err);
	if (rc) {
		if (rc == DJ_ENOTFOUND || rc == DJ_EFORBIDDEN)
			return dj_fail(err, DJ_ENOTFOUND, field, "党员不存在或不在您的管理范围内");
		return rc;
	}
	json_t *r = db_row(db,
			   "SELECT m.id, m.org_id, m.name, o.name AS org_name, m.join_date, m.active, m.is_mobile,"
			   " CASE WHEN o.kind IN (" DUES_NO_DUES_KIND ") THEN 1 ELSE 0 END AS no_dues"
			   " FROM member m JOIN org o ON o.id = m.org_id WHERE m.id = ?",
			   DB_ARGS(DB_I(member_id)), err);
	if (!r)
		return err->code == DJ_ENOTFOUND ? dj_fail(err, DJ_ENOTFOUND, field, "党员不存在或不在您的管理范围内")
						 : err->code;
	w->id = member_id;
	w->org_id = json_integer_value(json_object_get(r, "org_id"));
	snprintf(w->name, sizeof w->name, "%s", json_string_value(json_object_get(r, "name")));
	snprintf(w->org_name, sizeof w->org_name, "%s", json_string_value(json_object_get(r, "org_name")));
	snprintf(w->join, sizeof w->join, "%s", json_string_value(json_object_get(r, "join_date")));
	w->active = json_integer_value(json_object_get(r, "active")) != 0;
	w->mobile = json_integer_value(json_object_get(r, "is_mobile")) != 0;
	w->no_dues = json_integer_value(json_object_get(r, "no_dues")) != 0;
	json_decref(r);
	return 0;
}

static const char *const paid_cols[12] = {"paid_01", "paid_02", "paid_03", "paid_04", "paid_05", "paid_06",
					  "paid_07", "paid_08", "paid_09", "paid_10", "paid_11", "paid_12"};

int dues_card_pay(struct db *db, int64_t member_id, const char *month, int64_t fen, struct dj_error *err)
{
	int idx = dues_month_idx(month);
	if (idx < 0)
		return dj_fail(err, DJ_EINVAL, "month", "月份应为 YYYY-MM");
	char now[21];
	date_now_iso(now);
	/* The column name comes from the fixed table above, never from input. */
	char *sql = xasprintf("INSERT INTO dues_year(member_id, year, %s, updated_at) VALUES (?, ?, ?, ?)"
			      " ON CONFLICT (member_id, year) DO UPDATE SET %s = dues_year.%s + excluded.%s,"
			      " updated_at = excluded.updated_at",
			      paid_cols[idx % 12], paid_cols[idx % 12], paid_cols[idx % 12], paid_cols[idx % 12]);
	int rc = db_run(db, sql, DB_ARGS(DB_I(member_id), DB_I(idx / 12), DB_I(fen), DB_T(now)), err);
	free(sql);
	return rc;
}

static json_t *card_json(struct db *db, int64_t member_id, int year, struct dj_error *err)
{
	json_t *r = db_row(db, "SELECT member_id, year, category, base_fen, rate_bp, monthly_fen, voluntary_fen, note"
			       " FROM dues_year WHERE member_id = ? AND year = ?",
			   DB_ARGS(DB_I(member_id), DB_I(year)), err);
	if (!r && err->code == DJ_ENOTFOUND) {
		dj_error_clear(err);
		return json_null();
	}
	return r;
}

int dues_card_set(struct db *db, const struct actor *a, const struct dues_who *w, int year,
		  const struct dues_category *c, int64_t base_fen, int64_t voluntary_fen, const char *note, bool audit,
		  struct dj_error *err)
{
	int64_t rate_bp, monthly;
	dues_amount(c, base_fen, &rate_bp, &monthly);
	json_t *before = audit ? card_json(db, w->id, year, err) : json_null();
	if (!before)
		return err->code;
	char now[21];
	date_now_iso(now);
	db_touch_org(db, w->org_id);	/* the read cache: the member's org */
	int rc = db_run(db,
			"INSERT INTO dues_year(member_id, year, category, base_fen, rate_bp, monthly_fen, voluntary_fen, note,"
			" updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (member_id, year) DO UPDATE SET"
			" category = excluded.category, base_fen = excluded.base_fen, rate_bp = excluded.rate_bp,"
			" monthly_fen = excluded.monthly_fen, voluntary_fen = excluded.voluntary_fen, note = excluded.note,"
			" updated_at = excluded.updated_at",
			DB_ARGS(DB_I(w->id), DB_I(year), DB_T(c->code), c->fixed && base_fen <= 0 ? DB_NULL : DB_I(base_fen),
				DB_I(rate_bp), DB_I(monthly), DB_I(voluntary_fen), DB_T(note), DB_T(now)),
			err);
	json_t *after = rc || !audit ? NULL : card_json(db, w->id, year, err);
	if (!rc && audit && !after)
		rc = err->code;
	if (!rc && audit)
		rc = audit_write(db, a, "dues.base", "member", w->id, before, after, err);
	json_decref(before);
	json_decref(after);
	return rc;
}

int dues_card_check(const struct dues_who *w, int64_t year, const char *today, struct dj_error *err)
{
	if (!w->active)
		return dj_fail(err, DJ_EINVAL, "id", "该党员已不在党员名册中");
	if (w->no_dues)
		return dj_fail(err, DJ_EINVAL, "org_id", "临时党支部不收缴党费");
	if (year < atoi(w->join))
		return dj_fail(err, DJ_EINVAL, "year", "%lld年早于该党员入党（%s），无需核定党费基数", (long long)year, w->join);
	if (year > atoi(today) + 1)
		return dj_fail(err, DJ_EINVAL, "year", "最多只能核定下一年度的党费基数");
	return 0;
}

int dues_base_set(struct db *db, const struct actor *a, int64_t member_id, json_t *in, struct dj_error *err)
{
	int rc;
	if ((rc = scope_can_manage(a, err)))
		return rc;
	if (!json_is_object(in))
		return dj_fail(err, DJ_EINVAL, "", "请求体应为 JSON 对象");
	struct dues_who w;
	if ((rc = dues_who_get(db, a, member_id, "id", &w, err)))
		return rc;
	int64_t year, base, voluntary;
	const char *cat_s, *note;
	bool base_given;
	if ((rc = v_int(in, "year", "年度", 1950, 2200, atoi(a->today), &year, err)) ||
	    (rc = v_str(in, "category", "党员类别", 32, true, &cat_s, err)) ||
	    (rc = dues_money_json(in, "base", "base_fen", "缴纳基数", 0, &base, &base_given, err)) ||
	    (rc = dues_money_json(in, "voluntary", "voluntary_fen", "自愿多交金额", 0, &voluntary, NULL, err)) ||
	    (rc = v_str(in, "note", "备注", 200, false, &note, err)))
		return rc;
	struct dues_rules rules;
	if ((rc = dues_rules_load(db, &rules, err)))
		return rc;
	const struct dues_category *c = dues_category_find(&rules, cat_s);
	if (!c)
		return dj_fail(err, DJ_EINVAL, "category", "未知的党员类别“%s”", cat_s);
	if (!c->fixed && !base_given)
		return dj_fail(err, DJ_EINVAL, "base", "“%s”党员应填写缴纳基数（每月税后工资收入）", c->label);
	if ((rc = dues_card_check(&w, year, a->today, err)))
		return rc;
	if ((rc = db_begin(db, err)))
		return rc;
	rc = dues_card_set(db, a, &w, (int)year, c, base, voluntary, note, true, err);
	return db_end(db, rc, err);
}

json_t *dues_base_list(struct db *db, const struct actor *a, int64_t org, int year, const char *q, int page, int size,
		       struct dj_error *err)
{
	if (!org && scope_root_of(db, a, &org, err))
		return NULL;
	if (scope_org(db, a, org, err))
		return NULL;
	struct db_where w = {0};
	db_where_add(&w, ORG_IN_SUBTREE("m.org_id", "?"), DB_ARGS(DB_I(org)));
	db_where_add(&w, "m.active = 1", DB_NOARGS);
	if (a->role == ROLE_MEMBER)
		db_where_add(&w, "m.id = ?", DB_ARGS(DB_I(a->member_id)));
	if (q && *q)
		db_where_add(&w, "instr(m.name, ?) > 0", DB_ARGS(DB_T(q)));
	char *count_sql = xasprintf("SELECT count(*) FROM member m%s", db_where_sql(&w));
	int64_t total = 0;
	int rc = db_int1(db, &total, count_sql, w.n, w.args, err);
	free(count_sql);
	json_t *items = NULL;
	if (!rc) {
		/* The year is a checked integer: written into the SQL so that the
		 * plain `?` of the filters keep their order. */
		char *sql = xasprintf(
			"SELECT m.id AS member_id, m.name, m.org_id, o.name AS org_name, m.status, m.is_mobile, m.join_date,"
			" CASE WHEN o.kind IN (" DUES_NO_DUES_KIND ") THEN 1 ELSE 0 END AS no_dues,"
			" y.category, c.label AS category_label, y.base_fen, y.rate_bp, y.monthly_fen, y.voluntary_fen, y.note"
			" FROM member m JOIN org o ON o.id = m.org_id"
			" LEFT JOIN dues_year y ON y.member_id = m.id AND y.year = %d"
			" LEFT JOIN dues_category c ON c.code = y.category%s ORDER BY o.sort, o.code, m.name_key, m.id"
			" LIMIT ? OFFSET ?",
			year, db_where_sql(&w));
		db_where_arg(&w, DB_I(size));
		db_where_arg(&w, DB_I((int64_t)(page - 1) * size));
		items = db_rows(db, sql, w.n, w.args, err);
		free(sql);
	}
	db_where_free(&w);
	if (!items)
		return NULL;
	return json_pack("{s:i, s:I, s:i, s:i, s:o}", "year", year, "total", (json_int_t)total, "page", page, "size", size,
			 "items", items);
}
