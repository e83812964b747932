/* dues_sheet.c — what is owed and paid: a subtree's monthly sheet
 * (应交/实交/欠交 per org, and an org's own members), its XLSX export,
 * arrears as of today, one member's months, and those who paid nothing for
 * months on end (dues.h).
 *
 * The sheet reads the counters kept per org and year (dues_tally.h) and
 * counts the members on the roll from an index; an org's own members are
 * read from their cards (dues_year). */
#include "dues/dues_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "core/mem.h"
#include "db/db.h"
#include "io/xlsx_write.h"
#include "member/member.h"
#include "org/org.h"

/* The sheet's orgs: those of the subtree of ?1 with members on the roll in
 * the month (admitted before ?4, the next month's first day; active, or
 * ended on or after ?5, the month's first day), counted from the members'
 * (org, active, join_date) index alone — active and ended apart, as an OR
 * of the two reads every member row; what they owed and paid that month from
 * the counters kept per org (dues_tally.h), whose month column is chosen
 * here from a fixed list and substituted for %1$s.  extra_fen is what was
 * paid beyond what was due (自愿多交 and the like, member by member): 实交
 * − 自愿多交 = 应交 − 欠交, so the row adds up as the user reads it. */
#define SHEET_SQL                                                                                           \
	"SELECT o.id AS org_id, o.code AS org_code, o.name AS org_name, o.kind, n.members,"                     \
	" coalesce(c.a%1$s, 0) AS assessed, coalesce(c.d%1$s, 0) AS due_fen, coalesce(c.p%1$s, 0) AS paid_fen,"  \
	" coalesce(c.o%1$s, 0) AS owed_fen, coalesce(c.p%1$s - c.d%1$s + c.o%1$s, 0) AS extra_fen,"             \
	" coalesce(c.a%1$s - c.f%1$s, 0) AS owing, coalesce(c.q%1$s, 0) AS paying"                               \
	" FROM (SELECT z.org_id, sum(z.k) AS members FROM (SELECT m.org_id, count(*) AS k FROM " ORG_TREE_AS("x")  \
	" JOIN member m ON m.org_id = x.descendant WHERE x.ancestor = ?1 AND m.active = 1 AND m.join_date < ?4"  \
	" GROUP BY m.org_id UNION ALL SELECT m.org_id, count(*) FROM member m WHERE m.org_id IN"                  \
	" " ORG_SUBTREE("?1") " AND m.active = 0 AND m.join_date < ?4"                                          \
	" AND " DUES_ON_ROLL("?5") " GROUP BY m.org_id) z GROUP BY z.org_id) n"                                  \
	" JOIN org o ON o.id = n.org_id LEFT JOIN dues_tally c ON c.org_id = n.org_id AND c.year = ?2"            \
	" WHERE o.kind NOT IN (" DUES_NO_DUES_KIND ") AND ?3 > 0 ORDER BY o.sort, o.code"

/* The paid amount of the sheet's month on card y (an org's own members). */
#define PAID_M "coalesce(y.paid_%1$s, 0)"

static int month_args(const char *month, int *year, int *mon, char next[11], struct dj_error *err)
{
	int idx = dues_month_idx(month);
	if (idx < 0)
		return dj_fail(err, DJ_EINVAL, "month", "月份应为 YYYY-MM");
	*year = idx / 12;
	*mon = idx % 12 + 1;
	char nm[8];
	dues_month_text(idx + 1, nm);
	snprintf(next, 11, "%s-01", nm);
	return 0;
}

json_t *dues_sheet(struct db *db, const struct actor *a, int64_t org, const char *month, bool members,
		   struct dj_error *err)
{
	char cur[8];
	snprintf(cur, sizeof cur, "%.7s", a->today);
	if (!month || !*month)
		month = cur;
	int year = 0, mon = 0;
	char next[11] = "";
	if (scope_can_manage(a, err) || month_args(month, &year, &mon, next, err))
		return NULL;
	if (!org && scope_root_of(db, a, &org, err))
		return NULL;
	if (scope_org(db, a, org, err))
		return NULL;
	json_t *self = db_row(db, "SELECT id, code, name, kind FROM org WHERE id = ?", DB_ARGS(DB_I(org)), err);
	if (!self)
		return NULL;
	char first[11];
	snprintf(first, sizeof first, "%.7s-01", month);
	db_val args[] = {DB_I(org), DB_I(year), DB_I(mon), DB_T(next), DB_T(first)};
	static const char *const cols[12] = {"01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12"};
	char *sql = xasprintf(SHEET_SQL, cols[mon - 1]);
	json_t *orgs = db_rows(db, sql, 5, args, err);
	free(sql);
	if (!orgs) {
		json_decref(self);
		return NULL;
	}
	enum { NKEYS = 8 };
	json_int_t t[NKEYS] = {0};
	static const char *const keys[NKEYS] = {"members", "assessed", "due_fen", "paid_fen", "owed_fen", "owing", "paying",
						"extra_fen"};
	size_t i;
	json_t *r;
	json_array_foreach(orgs, i, r)
		for (int k = 0; k < NKEYS; k++)
			t[k] += json_integer_value(json_object_get(r, keys[k]));
	json_t *totals = json_object();
	for (int k = 0; k < NKEYS; k++)
		json_object_set_new(totals, keys[k], json_integer(t[k]));
	json_object_set_new(totals, "unassessed", json_integer(t[0] - t[1]));
	/* 收缴率 as the seeds print a rate: paid up members of those assessed. */
	json_object_set_new(totals, "rate", json_real(t[1] ? (double)(int64_t)((t[1] - t[5]) * 1000.0 / t[1] + 0.5) / 10 : 0));
	const char *kind = json_string_value(json_object_get(self, "kind"));
	json_t *out = json_pack("{s:I, s:s, s:s, s:s, s:b, s:o, s:o}", "org", (json_int_t)org, "org_name",
				json_string_value(json_object_get(self, "name")), "org_code",
				json_string_value(json_object_get(self, "code")), "month", month, "no_dues",
				org_kind_parse(kind) == ORG_TEMPORARY_BRANCH, "totals", totals, "orgs", orgs);
	json_decref(self);
	if (members) {
		char *msql = xasprintf(
			"SELECT m.id AS member_id, m.name, m.status, m.is_mobile, m.join_date, y.category,"
			" k.label AS category_label, y.base_fen, y.rate_bp, y.monthly_fen AS due_fen, y.voluntary_fen,"
			" " PAID_M " AS paid_fen,"
			" CASE WHEN y.monthly_fen > " PAID_M " THEN y.monthly_fen - " PAID_M " ELSE 0 END AS owed_fen,"
			" CASE WHEN " PAID_M " > coalesce(y.monthly_fen, 0) THEN " PAID_M " - coalesce(y.monthly_fen, 0)"
			" ELSE 0 END AS extra_fen"
			" FROM member m JOIN org o ON o.id = m.org_id LEFT JOIN dues_year y ON y.member_id = m.id AND y.year = ?2"
			" LEFT JOIN dues_category k ON k.code = y.category"
			" WHERE m.org_id = ?1 AND o.kind NOT IN (" DUES_NO_DUES_KIND ") AND " DUES_ON_ROLL("?5")
			" AND m.join_date < ?4 AND ?3 > 0 AND ?2 > 0 ORDER BY m.name_key, m.id", cols[mon - 1]);
		json_t *ms = db_rows(db, msql, 5, args, err);
		free(msql);
		if (!ms) {
			json_decref(out);
			return NULL;
		}
		json_object_set_new(out, "members", ms);
	}
	return out;
}

static double yuan(json_t *row, const char *key)
{
	return (double)json_integer_value(json_object_get(row, key)) / 100.0;
}

int dues_sheet_xlsx(struct db *db, const struct actor *a, int64_t org, const char *month, char **out, size_t *len,
		    struct dj_error *err)
{
	json_t *s = dues_sheet(db, a, org, month, true, err);
	if (!s)
		return err->code;
	char path[64];
	lxw_workbook *wb = xlsx_book_new(path, err);
	if (!wb) {
		json_decref(s);
		return err->code;
	}
	lxw_format *title = workbook_add_format(wb), *head = workbook_add_format(wb), *money = workbook_add_format(wb),
		   *bold_money = workbook_add_format(wb), *bold = workbook_add_format(wb);
	format_set_bold(title);
	format_set_font_size(title, 14);
	format_set_bold(head);
	format_set_bg_color(head, 0xFDE9E7);
	format_set_border(head, LXW_BORDER_THIN);
	format_set_num_format(money, "0.00");
	format_set_num_format(bold_money, "0.00");
	format_set_bold(bold_money);
	format_set_bold(bold);
	const char *m = json_string_value(json_object_get(s, "month"));
	char caption[400];
	snprintf(caption, sizeof caption, "%s %.4s年%d月党费收缴情况表（金额单位：元）", json_string_value(json_object_get(s, "org_name")), m,
		 atoi(m + 5));
	lxw_worksheet *ws = workbook_add_worksheet(wb, "收缴汇总");
	static const char *const heads[] = {"党组织编码", "党组织", "党员数", "已核定基数", "应交", "实交", "其中自愿多交", "欠交",
					    "欠交人数"};
	static const int widths[] = {16, 36, 8, 10, 12, 12, 12, 12, 10};
	worksheet_write_string(ws, 0, 0, caption, title);
	for (int c = 0; c < 9; c++) {
		worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, widths[c], NULL);
		worksheet_write_string(ws, 1, (lxw_col_t)c, heads[c], head);
	}
	lxw_row_t row = 2;
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(s, "orgs"), i, r) {
		worksheet_write_string(ws, row, 0, json_string_value(json_object_get(r, "org_code")), NULL);
		worksheet_write_string(ws, row, 1, json_string_value(json_object_get(r, "org_name")), NULL);
		worksheet_write_number(ws, row, 2, (double)json_integer_value(json_object_get(r, "members")), NULL);
		worksheet_write_number(ws, row, 3, (double)json_integer_value(json_object_get(r, "assessed")), NULL);
		worksheet_write_number(ws, row, 4, yuan(r, "due_fen"), money);
		worksheet_write_number(ws, row, 5, yuan(r, "paid_fen"), money);
		worksheet_write_number(ws, row, 6, yuan(r, "extra_fen"), money);
		worksheet_write_number(ws, row, 7, yuan(r, "owed_fen"), money);
		worksheet_write_number(ws, row, 8, (double)json_integer_value(json_object_get(r, "owing")), NULL);
		row++;
	}
	json_t *t = json_object_get(s, "totals");
	worksheet_write_string(ws, row, 1, "合计", bold);
	worksheet_write_number(ws, row, 2, (double)json_integer_value(json_object_get(t, "members")), bold);
	worksheet_write_number(ws, row, 3, (double)json_integer_value(json_object_get(t, "assessed")), bold);
	worksheet_write_number(ws, row, 4, yuan(t, "due_fen"), bold_money);
	worksheet_write_number(ws, row, 5, yuan(t, "paid_fen"), bold_money);
	worksheet_write_number(ws, row, 6, yuan(t, "extra_fen"), bold_money);
	worksheet_write_number(ws, row, 7, yuan(t, "owed_fen"), bold_money);
	worksheet_write_number(ws, row, 8, (double)json_integer_value(json_object_get(t, "owing")), bold);
	json_t *ms = json_object_get(s, "members");
	if (json_array_size(ms)) {
		lxw_worksheet *w2 = workbook_add_worksheet(wb, "本组织党员");
		static const char *const h2[] = {"姓名", "党员类别", "缴费类别", "缴纳基数", "比例(%)", "应交", "实交", "其中自愿多交",
						 "欠交"};
		static const int w2w[] = {12, 10, 10, 12, 8, 10, 10, 12, 10};
		worksheet_write_string(w2, 0, 0, caption, title);
		for (int c = 0; c < 9; c++) {
			worksheet_set_column(w2, (lxw_col_t)c, (lxw_col_t)c, w2w[c], NULL);
			worksheet_write_string(w2, 1, (lxw_col_t)c, h2[c], head);
		}
		row = 2;
		json_array_foreach(ms, i, r) {
			const char *cat = json_string_value(json_object_get(r, "category_label"));
			worksheet_write_string(w2, row, 0, json_string_value(json_object_get(r, "name")), NULL);
			worksheet_write_string(w2, row, 1,
					       member_status_parse(json_string_value(json_object_get(r, "status")))
							       == MEMBER_PROBATIONARY ? "预备党员" : "正式党员",
					       NULL);
			worksheet_write_string(w2, row, 2, cat ? cat : "未核定", NULL);
			if (json_is_integer(json_object_get(r, "base_fen")))
				worksheet_write_number(w2, row, 3, yuan(r, "base_fen"), money);
			if (json_is_integer(json_object_get(r, "due_fen"))) {
				worksheet_write_number(w2, row, 4, (double)json_integer_value(json_object_get(r, "rate_bp")) / 100.0,
						       NULL);
				worksheet_write_number(w2, row, 5, yuan(r, "due_fen"), money);
			}
			worksheet_write_number(w2, row, 6, yuan(r, "paid_fen"), money);
			worksheet_write_number(w2, row, 7, yuan(r, "extra_fen"), money);
			worksheet_write_number(w2, row, 8, yuan(r, "owed_fen"), money);
			row++;
		}
	}
	json_decref(s);
	return xlsx_book_finish(wb, path, out, len, err);
}

/* The twelve month numbers, to spread a card over its months. */
#define MONTHS_1_12                                                                                          \
	"(SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL"  \
	" SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9 UNION ALL SELECT 10 UNION ALL"       \
	" SELECT 11 UNION ALL SELECT 12)"

/* Months in arrears in the subtree of ?1 as of month index ?2 (today's
 * month): before it, or before its quarter for mobile members (they may pay
 * by quarter), not before admission, owing more than was paid.  Only the
 * members in arrears (dues_owing, kept per member) are walked, in the
 * order written (CROSS JOIN: SQLite, without statistics, would repeat
 * the whole walk for each of the twelve months). */
#define ARREARS_MONTHS(cols)                                                                                 \
	"SELECT " cols " FROM " ORG_TREE_AS("c") " CROSS JOIN dues_owing w CROSS JOIN member m CROSS JOIN org o"         \
	" CROSS JOIN dues_year y CROSS JOIN " MONTHS_1_12 " k"                                                    \
	" WHERE c.ancestor = ?1 AND w.org_id = c.descendant AND w.first_idx < ?2"                                \
	" AND (w.mobile = 0 OR w.first_idx < ?2 - (?2 % 3)) AND m.id = w.member_id AND o.id = m.org_id"           \
	" AND y.member_id = m.id AND o.kind NOT IN (" DUES_NO_DUES_KIND ") AND m.active = 1"                     \
	" AND y.monthly_fen > coalesce(" DUES_PAID("y", "k.n") ", 0)"                                           \
	" AND y.year * 12 + k.n - 1 >= " DUES_MONTH_IDX("m.join_date")                                          \
	" AND y.year * 12 + k.n - 1 < CASE WHEN m.is_mobile = 1 THEN ?2 - (?2 % 3) ELSE ?2 END"

json_t *dues_arrears(struct db *db, const struct actor *a, int64_t org, int page, int size, struct dj_error *err)
{
	if (scope_can_manage(a, err))
		return NULL;
	if (!org && scope_root_of(db, a, &org, err))
		return NULL;
	if (scope_org(db, a, org, err))
		return NULL;
	char cur[8];
	snprintf(cur, sizeof cur, "%.7s", a->today);
	int now = dues_month_idx(cur);
	db_val args[] = {DB_I(org), DB_I(now), DB_I(size), DB_I((int64_t)(page - 1) * size)};
	json_t *tot = db_row(db,
			     "SELECT count(DISTINCT x.member_id) AS members, coalesce(sum(x.owed), 0) AS amount_fen,"
			     " count(*) AS months FROM (" ARREARS_MONTHS("m.id AS member_id, y.monthly_fen - coalesce("
			     DUES_PAID("y", "k.n") ", 0) AS owed") ") x",
			     2, args, err);
	if (!tot)
		return NULL;
	json_t *items = db_rows(db,
		"SELECT x.member_id, x.name, x.org_id, x.org_name, x.is_mobile, count(*) AS months, sum(x.owed) AS amount_fen,"
		" min(x.idx) AS first_idx, max(x.idx) AS last_idx FROM (" ARREARS_MONTHS(
			"m.id AS member_id, m.name, m.name_key, m.org_id, o.name AS org_name, o.code AS org_code, m.is_mobile,"
			" y.year * 12 + k.n - 1 AS idx, y.monthly_fen - coalesce(" DUES_PAID("y", "k.n") ", 0) AS owed") ") x"
		" GROUP BY x.member_id, x.name, x.name_key, x.org_id, x.org_name, x.org_code, x.is_mobile"
		" ORDER BY count(*) DESC, x.org_code, x.name_key, x.member_id LIMIT ?3 OFFSET ?4",
		4, args, err);
	if (!items) {
		json_decref(tot);
		return NULL;
	}
	size_t i;
	json_t *r;
	json_array_foreach(items, i, r) {
		char f[8], l[8];
		dues_month_text((int)json_integer_value(json_object_get(r, "first_idx")), f);
		dues_month_text((int)json_integer_value(json_object_get(r, "last_idx")), l);
		json_object_del(r, "first_idx");
		json_object_del(r, "last_idx");
		json_object_set_new(r, "first_month", json_string(f));
		json_object_set_new(r, "last_month", json_string(l));
	}
	json_t *out = json_pack("{s:I, s:s, s:O, s:O, s:O, s:i, s:i, s:o}", "org", (json_int_t)org, "as_of", a->today,
				"total", json_object_get(tot, "members"), "amount_fen", json_object_get(tot, "amount_fen"),
				"months", json_object_get(tot, "months"), "page", page, "size", size, "items", items);
	json_decref(tot);
	return out;
}

static const char *month_state(int idx, int join, int cutoff, bool no_dues, json_t *due, int64_t paid)
{
	if (idx < join)
		return "before";	/* not a member yet */
	if (no_dues)
		return "none";
	if (!json_is_integer(due))
		return paid > 0 ? "paid" : "unassessed";
	if (paid >= json_integer_value(due))
		return "paid";
	if (idx >= cutoff)
		return paid > 0 ? "partial" : "open";
	return "owed";
}

json_t *dues_member(struct db *db, const struct actor *a, int64_t member_id, struct dj_error *err)
{
	struct dues_who w;
	if (dues_who_get(db, a, member_id, "id", &w, err))
		return NULL;
	json_t *cards = db_rows(db,
		"SELECT y.year, y.category, k.label AS category_label, y.base_fen, y.rate_bp, y.monthly_fen, y.voluntary_fen,"
		" y.note, y.paid_01, y.paid_02, y.paid_03, y.paid_04, y.paid_05, y.paid_06, y.paid_07, y.paid_08, y.paid_09,"
		" y.paid_10, y.paid_11, y.paid_12 FROM dues_year y LEFT JOIN dues_category k ON k.code = y.category"
		" WHERE y.member_id = ? ORDER BY y.year DESC",
		DB_ARGS(DB_I(member_id)), err);
	if (!cards)
		return NULL;
	json_t *pays = db_rows(db,
			       "SELECT id, month, amount_fen, method, paid_on, period, batch, note FROM dues_payment"
			       " WHERE member_id = ? ORDER BY month DESC, id DESC LIMIT 60",
			       DB_ARGS(DB_I(member_id)), err);
	if (!pays) {
		json_decref(cards);
		return NULL;
	}
	size_t i;
	json_t *p;
	json_array_foreach(pays, i, p)
		json_object_set_new(p, "method_label", json_string(dues_method_label(json_string_value(json_object_get(p, "method")))));
	char cur[8], jm[8];
	snprintf(cur, sizeof cur, "%.7s", a->today);
	snprintf(jm, sizeof jm, "%.7s", w.join);
	int now = dues_month_idx(cur), join = dues_month_idx(jm);
	int cutoff = w.mobile ? now - now % 3 : now;
	int this_year = now / 12;
	/* This year's card even when none is stored yet (then unassessed). */
	bool have_this = false;
	json_t *c;
	json_array_foreach(cards, i, c)
		have_this |= json_integer_value(json_object_get(c, "year")) == this_year;
	if (!have_this && this_year >= join / 12)
		json_array_insert_new(cards, 0, json_pack("{s:i, s:n, s:n, s:n, s:n, s:n, s:i}", "year", this_year, "category",
							  "category_label", "base_fen", "rate_bp", "monthly_fen",
							  "voluntary_fen", 0));
	int64_t owed = 0, owed_months = 0;
	json_array_foreach(cards, i, c) {
		int year = (int)json_integer_value(json_object_get(c, "year"));
		json_t *due = json_object_get(c, "monthly_fen"), *months = json_array();
		for (int n = 1; n <= 12; n++) {
			char col[24], mt[8];
			snprintf(col, sizeof col, "paid_%02d", n);
			int64_t paid = json_integer_value(json_object_get(c, col));
			json_object_del(c, col);
			int idx = year * 12 + n - 1;
			dues_month_text(idx, mt);
			const char *state = month_state(idx, join, cutoff, w.no_dues, due, paid);
			if (!strcmp(state, "owed")) {
				owed += json_integer_value(due) - paid;
				owed_months++;
			}
			json_array_append_new(months, json_pack("{s:s, s:O, s:I, s:s}", "month", mt,
								"due_fen", idx >= join && !w.no_dues ? due : json_null(),
								"paid_fen", (json_int_t)paid, "state", state));
		}
		json_object_set_new(c, "months", months);
	}
	return json_pack("{s:{s:I, s:s, s:I, s:s, s:s, s:b, s:b}, s:o, s:o, s:{s:I, s:I}, s:s}", "member", "id",
			 (json_int_t)w.id, "name", w.name, "org_id", (json_int_t)w.org_id, "org_name", w.org_name,
			 "join_date", w.join, "is_mobile", w.mobile, "no_dues", w.no_dues, "cards", cards, "payments", pays,
			 "arrears", "months", (json_int_t)owed_months, "amount_fen", (json_int_t)owed, "as_of", a->today);
}

json_t *dues_mine(struct db *db, const struct actor *a, struct dj_error *err)
{
	if (!a->member_id) {
		dj_fail(err, DJ_ENOTFOUND, "member_id", "此账号没有关联党员档案");
		return NULL;
	}
	return dues_member(db, a, a->member_id, err);
}

json_t *dues_unpaid(struct db *db, int64_t root, bool subtree, const char *today, int months, struct dj_error *err)
{
	char cur[8], lo[8];
	snprintf(cur, sizeof cur, "%.7s", today);
	int now = dues_month_idx(cur);
	dues_month_text(now - months, lo);
	/* The window is the `months` months before today's; a member admitted
	 * during its first month owed that month too (预备党员 pay from
	 * admission), so admission before the second month's first day counts. */
	char after[8], after_day[11];
	dues_month_text(now - months + 1, after);
	snprintf(after_day, sizeof after_day, "%s-01", after);
	return db_rows(db,
		       "SELECT m.id, m.name, m.org_id, o.name AS org_name,"
		       " (SELECT max(q.month) FROM dues_payment q WHERE q.member_id = m.id) AS last_paid"
		       " FROM " ORG_TREE_AS("c") " JOIN org o ON o.id = c.descendant JOIN member m ON m.org_id = c.descendant"
		       " WHERE c.ancestor = ?1 AND (?5 = 1 OR c.descendant = ?1)"
		       " AND o.kind NOT IN (" DUES_NO_DUES_KIND ") AND m.active = 1"
		       " AND m.join_date < ?2 AND NOT EXISTS (SELECT 1 FROM dues_payment p WHERE p.member_id = m.id"
		       " AND p.month >= ?3 AND p.month < ?4) AND " DUES_ASSESSED("m.id", "?6")
		       " ORDER BY o.sort, o.code, m.name_key, m.id",
		       DB_ARGS(DB_I(root), DB_T(after_day), DB_T(lo), DB_T(cur), DB_I(subtree), DB_I((now - 1) / 12)), err);
}
