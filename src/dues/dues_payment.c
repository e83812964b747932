/* dues_payment.c — payments of 党费: one record per member and month (a
 * mobile member's quarter is split over its months), each adding to the
 * member's card for that year in the same transaction (dues.h). */
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

/* Payments may be made ahead, at most this many months past today's. */
#define DUES_AHEAD_MONTHS 12

int dues_payment_check(const struct dues_who *w, const char *month, const char *today, const char *field,
		       struct dj_error *err)
{
	if (!w->active)
		return dj_fail(err, DJ_EINVAL, "member_id", "该党员已不在党员名册中");
	if (w->no_dues)
		return dj_fail(err, DJ_EINVAL, "member_id", "临时党支部不收缴党费");
	char jm[8], tm[8];
	snprintf(jm, sizeof jm, "%.7s", w->join);
	snprintf(tm, sizeof tm, "%.7s", today);
	int idx = dues_month_idx(month), join = dues_month_idx(jm), now = dues_month_idx(tm);
	if (idx < 0)
		return dj_fail(err, DJ_EINVAL, field, "月份应为 YYYY-MM");
	if (idx < join)
		return dj_fail(err, DJ_EINVAL, field, "%s早于该党员入党（%s），不能缴纳党费", month, w->join);
	if (idx > now + DUES_AHEAD_MONTHS)
		return dj_fail(err, DJ_EINVAL, field, "最多预交%d个月的党费", DUES_AHEAD_MONTHS);
	return 0;
}

int dues_payment_insert(struct db *db, const struct actor *a, const struct dues_who *w, const char *month,
			int64_t amount_fen, const char *method, const char *paid_on, const char *period,
			const char *batch, const char *note, int64_t *id, struct dj_error *err)
{
	char now[21];
	date_now_iso(now);
	db_touch_org(db, w->org_id);	/* the read cache: the member's org */
	int rc = db_int1(db, id,
			 "INSERT INTO dues_payment(member_id, org_id, month, amount_fen, method, paid_on, period, batch, note,"
			 " user_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			 DB_ARGS(DB_I(w->id), DB_I(w->org_id), DB_T(month), DB_I(amount_fen), DB_T(method), DB_T(paid_on),
				 DB_T(period), DB_T(batch), DB_T(note), a->user_id ? DB_I(a->user_id) : DB_NULL, DB_T(now)),
			 err);
	if (!rc)
		rc = dues_card_pay(db, w->id, month, amount_fen, err);
	return rc;
}

/* "2026-Q3", "2026Q3", "2026年第3季度", "2026年3季度" → index of its first month. */
int dues_quarter_idx(const char *s)
{
	int y = 0, q = 0, n = 0;
	if (sscanf(s, "%4d-Q%1d%n", &y, &q, &n) == 2 || sscanf(s, "%4dQ%1d%n", &y, &q, &n) == 2 ||
	    sscanf(s, "%4d-q%1d%n", &y, &q, &n) == 2 || sscanf(s, "%4d年第%1d季度%n", &y, &q, &n) == 2 ||
	    sscanf(s, "%4d年%1d季度%n", &y, &q, &n) == 2) {
		if (s[n] || y < 1950 || y > 2200 || q < 1 || q > 4)
			return -1;
		return y * 12 + (q - 1) * 3;
	}
	return -1;
}

int dues_payment_add(struct db *db, const struct actor *a, json_t *in, int64_t *id, struct dj_error *err)
{
	int rc;
	if ((rc = scope_can_manage(a, err)))
		return rc;
	if (!json_is_object(in))
		return dj_fail(err, DJ_EINVAL, "", "请求体应为 JSON 对象");
	int64_t member_id, amount;
	const char *month, *quarter, *method_s, *paid_on, *note;
	bool amount_given;
	if ((rc = v_id(in, "member_id", "党员", true, &member_id, err)) ||
	    (rc = v_str(in, "month", "月份", 7, false, &month, err)) ||
	    (rc = v_str(in, "quarter", "季度", 12, false, &quarter, err)) ||
	    (rc = dues_money_json(in, "amount", "amount_fen", "缴纳金额", 0, &amount, &amount_given, err)) ||
	    (rc = v_str(in, "method", "缴纳方式", 16, true, &method_s, err)) ||
	    (rc = v_date(in, "paid_on", "缴纳日期", false, true, &paid_on, err)) ||
	    (rc = v_str(in, "note", "备注", 200, false, &note, err)))
		return rc;
	if (!amount_given || amount <= 0)
		return dj_fail(err, DJ_EINVAL, "amount", "缴纳金额应大于0");
	const char *method = dues_method_code(method_s);
	if (!method)
		return dj_fail(err, DJ_EINVAL, "method", "未知的缴纳方式“%s”", method_s);
	if (!month == !quarter)
		return dj_fail(err, DJ_EINVAL, month ? "quarter" : "month", "请填写缴纳月份（或流动党员按季度缴纳的季度）之一");
	if (month && dues_month_idx(month) < 0)
		return dj_fail(err, DJ_EINVAL, "month", "月份应为 YYYY-MM");
	int qidx = quarter ? dues_quarter_idx(quarter) : -1;
	if (quarter && qidx < 0)
		return dj_fail(err, DJ_EINVAL, "quarter", "季度应写作 YYYY-Qn，如 2026-Q3");
	struct dues_who w;
	if ((rc = dues_who_get(db, a, member_id, "member_id", &w, err)))
		return rc;
	if (quarter && !w.mobile)
		return dj_fail(err, DJ_EINVAL, "quarter", "按季度缴纳仅适用于流动党员");
	/* The months paid for: one, or the quarter's from admission on. */
	char months[3][8];
	int nmonths = 0;
	if (month) {
		snprintf(months[0], 8, "%s", month);
		nmonths = 1;
	} else {
		char jm[8];
		snprintf(jm, sizeof jm, "%.7s", w.join);
		for (int i = 0; i < 3; i++)
			if (qidx + i >= dues_month_idx(jm))
				dues_month_text(qidx + i, months[nmonths++]);
		if (!nmonths)
			return dj_fail(err, DJ_EINVAL, "quarter", "%s早于该党员入党（%s），不能缴纳党费", quarter, w.join);
	}
	for (int i = 0; i < nmonths; i++)
		if ((rc = dues_payment_check(&w, months[i], a->today, month ? "month" : "quarter", err)))
			return rc;
	if (!paid_on)
		paid_on = a->today;
	char batch[16] = "";
	if (quarter)
		snprintf(batch, sizeof batch, "%04d-Q%d", qidx / 12 % 10000, qidx % 12 / 3 + 1);
	if ((rc = db_begin(db, err)))
		return rc;
	json_t *ids = json_array();
	for (int i = 0; i < nmonths && !rc; i++) {
		/* A quarter's amount over its months; the first takes the odd fen. */
		int64_t part = amount / nmonths + (i == 0 ? amount % nmonths : 0), pid;
		rc = dues_payment_insert(db, a, &w, months[i], part, method, paid_on, quarter ? "quarter" : "month",
					 batch, note, &pid, err);
		if (!rc) {
			json_array_append_new(ids, json_integer(pid));
			if (i == 0 && id)
				*id = pid;
		}
	}
	if (!rc) {
		json_t *after = json_pack("{s:o, s:s, s:I, s:s, s:s, s:s?, s:s?}", "payment_ids", json_incref(ids), "month",
					  months[0], "amount_fen", (json_int_t)amount, "method", method, "paid_on", paid_on,
					  "quarter", quarter ? batch : NULL, "note", note);
		rc = audit_write(db, a, "dues.payment", "member", w.id, NULL, after, err);
		json_decref(after);
	}
	json_decref(ids);
	return db_end(db, rc, err);
}

int dues_payment_delete(struct db *db, const struct actor *a, int64_t id, struct dj_error *err)
{
	int rc;
	if ((rc = scope_can_manage(a, err)))
		return rc;
	json_t *p = db_row(db, "SELECT id, member_id, org_id, month, amount_fen, method, paid_on, period, batch, note"
			       " FROM dues_payment WHERE id = ?",
			   DB_ARGS(DB_I(id)), err);
	if (!p)
		return err->code == DJ_ENOTFOUND ? dj_fail(err, DJ_ENOTFOUND, "id", "缴费记录不存在或不在您的管理范围内")
						 : err->code;
	struct dues_who w;
	int64_t member = json_integer_value(json_object_get(p, "member_id"));
	if ((rc = dues_who_get(db, a, member, "id", &w, err))) {
		json_decref(p);
		return rc == DJ_ENOTFOUND ? dj_fail(err, DJ_ENOTFOUND, "id", "缴费记录不存在或不在您的管理范围内") : rc;
	}
	if (!(rc = db_begin(db, err))) {
		/* The read cache: the org the payment was made in, and the member's now. */
		db_touch_org(db, json_integer_value(json_object_get(p, "org_id")));
		db_touch_org(db, w.org_id);
		rc = db_run(db, "DELETE FROM dues_payment WHERE id = ?", DB_ARGS(DB_I(id)), err);
		if (!rc)
			rc = dues_card_pay(db, member, json_string_value(json_object_get(p, "month")),
					   -json_integer_value(json_object_get(p, "amount_fen")), err);
		if (!rc)
			rc = audit_write(db, a, "dues.payment.delete", "member", member, p, NULL, err);
		rc = db_end(db, rc, err);
	}
	json_decref(p);
	return rc;
}

json_t *dues_payment_list(struct db *db, const struct actor *a, int64_t org, int64_t member, const char *month,
			  int page, int size, struct dj_error *err)
{
	if (month && dues_month_idx(month) < 0) {
		dj_fail(err, DJ_EINVAL, "month", "月份应为 YYYY-MM");
		return NULL;
	}
	if (!org && scope_root_of(db, a, &org, err))
		return NULL;
	if (scope_org(db, a, org, err))
		return NULL;
	struct dues_who w;
	if (member && dues_who_get(db, a, member, "member", &w, err))
		return NULL;
	struct db_where wh = {0};
	db_where_add(&wh, ORG_IN_SUBTREE("m.org_id", "?"), DB_ARGS(DB_I(org)));
	if (a->role == ROLE_MEMBER)
		db_where_add(&wh, "p.member_id = ?", DB_ARGS(DB_I(a->member_id)));
	if (member)
		db_where_add(&wh, "p.member_id = ?", DB_ARGS(DB_I(member)));
	if (month)
		db_where_add(&wh, "p.month = ?", DB_ARGS(DB_T(month)));
	char *count_sql = xasprintf("SELECT count(*) FROM dues_payment p JOIN member m ON m.id = p.member_id%s",
				    db_where_sql(&wh));
	int64_t total = 0;
	int rc = db_int1(db, &total, count_sql, wh.n, wh.args, err);
	free(count_sql);
	json_t *items = NULL;
	if (!rc) {
		char *sql = xasprintf("SELECT p.id, p.member_id, m.name, m.org_id, o.name AS org_name, p.month, p.amount_fen,"
				      " p.method, p.paid_on, p.period, p.batch, p.note, p.created_at"
				      " FROM dues_payment p JOIN member m ON m.id = p.member_id JOIN org o ON o.id = m.org_id%s"
				      " ORDER BY p.month DESC, p.paid_on DESC, p.id DESC LIMIT ? OFFSET ?",
				      db_where_sql(&wh));
		db_where_arg(&wh, DB_I(size));
		db_where_arg(&wh, DB_I((int64_t)(page - 1) * size));
		items = db_rows(db, sql, wh.n, wh.args, err);
		free(sql);
	}
	db_where_free(&wh);
	if (!items)
		return NULL;
	size_t i;
	json_t *x;
	json_array_foreach(items, i, x)
		json_object_set_new(x, "method_label", json_string(dues_method_label(json_string_value(json_object_get(x, "method")))));
	return json_pack("{s:I, s:i, s:i, s:o}", "total", (json_int_t)total, "page", page, "size", size, "items", items);
}
