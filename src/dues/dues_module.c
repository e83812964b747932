/* dues_module.c — the 党费 module's entry in the module table
 * (platform/module.h): its tables, routes, figures, findings, 待办, menu and
 * generator step. */
#include "dues/dues_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "db/db.h"
#include "org/org.h"
#include "platform/module.h"
#include "platform/todo.h"

extern const struct route dues_routes[];
extern const struct figure dues_figures[];
extern const char dues_tally_step[];
extern const char dues_tally_bulk_step[];
extern const char dues_tally_fence_step[];
int dues_generate(struct gen *g, struct dj_error *err);

/* The finding of one org and rule, naming its members: 6 months without a
 * payment is an error (党章 art. 9 treats it as leaving), 3 a warning. */
static json_t *finding_new(int months, int64_t org_id, const char *org_name)
{
	return json_pack("{s:s, s:s, s:s, s:I, s:s, s:[], s:[]}", "rule", months >= 6 ? "dues.unpaid_6m" : "dues.unpaid_3m",
			 "level", months >= 6 ? "error" : "warn", "title",
			 months >= 6 ? "连续6个月未交纳党费" : "连续3个月未交纳党费", "org_id", (json_int_t)org_id, "org_name",
			 org_name, "records", "member_ids");
}

static void finding_end(json_t *f, int months, json_t *out)
{
	if (!f)
		return;
	size_t n = json_array_size(json_object_get(f, "records"));
	json_object_set_new(f, "message", json_sprintf("%s有%zu名党员连续%d个月未交纳党费%s",
						       json_string_value(json_object_get(f, "org_name")), n, months,
						       months >= 6 ? "，应按党章规定处理" : "，请督促交纳"));
	json_array_append_new(out, f);
}

/* Members of the subtree who owed each of the 3 months before today's and
 * paid nothing for any of them, in one pass ordered by org: those also
 * behind for 6 months are listed at 6 only.  The rows are read as they
 * come (a province where nobody paid is 190,000 of them). */
static int dues_findings(struct db *db, const struct actor *a, int64_t root, const char *today, const char *rule,
			 json_t *out, struct dj_error *err)
{
	(void)a;
	bool six = !rule || !*rule || !strcmp(rule, "dues.unpaid_6m"), three = !rule || !*rule || !strcmp(rule, "dues.unpaid_3m");
	if (!six && !three)
		return 0;
	char cur[8], lo6[8], lo3[8], a6[8], a3[8], after6[11], after3[11];
	snprintf(cur, sizeof cur, "%.7s", today);
	int now = dues_month_idx(cur);
	dues_month_text(now - 6, lo6);
	dues_month_text(now - 3, lo3);
	/* Admitted during a window's first month, a member owed that month too. */
	dues_month_text(now - 5, a6);
	dues_month_text(now - 2, a3);
	snprintf(after6, sizeof after6, "%s-01", a6);
	snprintf(after3, sizeof after3, "%s-01", a3);
	struct db_stmt *st = db_query(db,
		"SELECT m.id, m.name, m.org_id, o.name AS org_name,"
		" (SELECT max(q.month) FROM dues_payment q WHERE q.member_id = m.id) AS last_paid,"
		" CASE WHEN m.join_date < ?2 AND NOT EXISTS (SELECT 1 FROM dues_payment p WHERE p.member_id = m.id"
		" AND p.month >= ?3 AND p.month < ?6) THEN 6 ELSE 3 END AS months"
		" FROM " ORG_TREE_AS("c") " JOIN org o ON o.id = c.descendant JOIN member m ON m.org_id = c.descendant"
		" WHERE c.ancestor = ?1 AND o.kind NOT IN (" DUES_NO_DUES_KIND ") AND m.active = 1"
		" AND m.join_date < ?4 AND NOT EXISTS (SELECT 1 FROM dues_payment p WHERE p.member_id = m.id"
		" AND p.month >= ?5 AND p.month < ?6) AND " DUES_ASSESSED("m.id", "?7")
		" ORDER BY o.sort, o.code, m.name_key, m.id",
		DB_ARGS(DB_I(root), DB_T(after6), DB_T(lo6), DB_T(after3), DB_T(lo3), DB_T(cur), DB_I((now - 1) / 12)), err);
	if (!st)
		return err->code ? err->code : DJ_EDB;
	json_t *out6 = json_array(), *out3 = json_array(), *f6 = NULL, *f3 = NULL;
	int64_t org = -1;
	int rc;
	while ((rc = db_next(st)) > 0) {
		int64_t id = db_int(st, 0), org_id = db_int(st, 2);
		int months = (int)db_int(st, 5);
		if (org_id != org) {
			finding_end(f6, 6, out6);
			finding_end(f3, 3, out3);
			f6 = f3 = NULL;
			org = org_id;
		}
		if (months == 6 ? !six : !three)
			continue;
		json_t **f = months == 6 ? &f6 : &f3;
		if (!*f)
			*f = finding_new(months, org_id, db_text(st, 3));
		json_array_append_new(json_object_get(*f, "records"),
				      json_pack("{s:I, s:s, s:s, s:o}", "rid", (json_int_t)id, "rkind", "member", "title",
						db_text(st, 1), "last_paid", db_isnull(st, 4) ? json_null() : json_string(db_text(st, 4))));
		json_array_append_new(json_object_get(*f, "member_ids"), json_integer(id));
	}
	db_done(st);
	finding_end(f6, 6, out6);
	finding_end(f3, 3, out3);
	if (rc == 0) {
		json_array_extend(out, out6);
		json_array_extend(out, out3);
	}
	json_decref(out6);
	json_decref(out3);
	return rc < 0 ? (err->code ? err->code : DJ_EDB) : 0;
}

/* 待办: for the managers of an org with members 3+ months behind, to collect
 * by the month's end; for a member, this month's dues while unpaid. */
static int dues_todos(struct db *db, const struct actor *a, const char *today, json_t *out, struct dj_error *err)
{
	int y = atoi(today), m = atoi(today + 5);
	char first[11], last[11];
	date_format(first, y, m, 1);
	date_add(last, first, 0, 1, -1);
	if (a->role != ROLE_MEMBER && a->role != ROLE_ADMIN && a->org_id) {
		/* Only the org's own members: the bell is asked on every page, and a
		 * province's arrears are seconds of work (the findings page has them). */
		json_t *rows = dues_unpaid(db, a->org_id, false, today, 3, err);
		if (!rows)
			return err->code ? err->code : DJ_EDB;
		int64_t n = (int64_t)json_array_size(rows);
		json_decref(rows);
		if (n) {
			json_t *o = db_row(db, "SELECT name FROM org WHERE id = ?", DB_ARGS(DB_I(a->org_id)), err);
			if (!o)
				return err->code;
			char title[400], link[64];
			snprintf(title, sizeof title, "%s有%lld名党员连续3个月以上未交纳党费", json_string_value(json_object_get(o, "name")),
				 (long long)n);
			snprintf(link, sizeof link, "/dues/arrears?org=%lld", (long long)a->org_id);
			todo_add(out, "dues_unpaid", title, last, link, a->org_id, json_string_value(json_object_get(o, "name")));
			json_decref(o);
		}
	}
	if (a->member_id) {
		json_t *r = db_row(db,
				   "SELECT y.monthly_fen, " DUES_PAID("y", "?3") " AS paid, m.org_id, o.name AS org_name"
				   " FROM member m JOIN org o ON o.id = m.org_id JOIN dues_year y ON y.member_id = m.id AND y.year = ?2"
				   " WHERE m.id = ?1 AND m.active = 1 AND m.is_mobile = 0 AND o.kind NOT IN (" DUES_NO_DUES_KIND ")"
				   " AND m.join_date <= ?4 AND y.monthly_fen > 0",
				   DB_ARGS(DB_I(a->member_id), DB_I(y), DB_I(m), DB_T(last)), err);
		if (!r) {
			if (err->code != DJ_ENOTFOUND)
				return err->code;
			dj_error_clear(err);
			return 0;
		}
		int64_t due = json_integer_value(json_object_get(r, "monthly_fen")), paid = json_integer_value(json_object_get(r, "paid"));
		if (paid < due) {
			char title[200];
			snprintf(title, sizeof title, "交纳%d年%d月党费 %lld.%02lld 元", y, m, (long long)(due - paid) / 100,
				 (long long)(due - paid) % 100);
			todo_add(out, "dues_month", title, last, "/mydues", json_integer_value(json_object_get(r, "org_id")),
				 json_string_value(json_object_get(r, "org_name")));
		}
		json_decref(r);
	}
	return 0;
}

static const struct nav_entry dues_nav[] = {
	{"/dues", "党费收缴", "Wallet", NAV_MANAGERS, 55},
	{"/mydues", "我的党费", "Wallet", NAV_MEMBER, 45},
	{0},
};

/* The module's own schema steps. */
static const char *const dues_migrations[] = {
	/* 1: categories and brackets (configurable; the defaults of the 党费
	 * rules), a card per member and year with the base, its amount and what
	 * each month received (a cache of the payments, written with them), and
	 * the payments. */
	"CREATE TABLE dues_category (\n"
	"  code TEXT PRIMARY KEY, label TEXT NOT NULL, mode TEXT NOT NULL, fixed_fen BIGINT NOT NULL DEFAULT 0,\n"
	"  sort BIGINT NOT NULL DEFAULT 0);\n"
	"CREATE TABLE dues_bracket (\n"
	"  category TEXT NOT NULL REFERENCES dues_category(code), seq BIGINT NOT NULL, upto_fen BIGINT,\n"
	"  rate_bp BIGINT NOT NULL, PRIMARY KEY (category, seq));\n"
	"INSERT INTO dues_category(code, label, mode, fixed_fen, sort) VALUES\n"
	"  ('employed', '在职', 'rate', 0, 1), ('retired', '离退休', 'rate', 0, 2), ('student', '学生', 'fixed', 20, 3),\n"
	"  ('farmer', '农民', 'fixed', 20, 4), ('unemployed', '下岗失业', 'fixed', 20, 5),\n"
	"  ('relief', '生活困难/低保', 'fixed', 20, 6);\n"
	"INSERT INTO dues_bracket(category, seq, upto_fen, rate_bp) VALUES\n"
	"  ('employed', 1, 300000, 50), ('employed', 2, 500000, 100), ('employed', 3, 1000000, 150),\n"
	"  ('employed', 4, NULL, 200), ('retired', 1, 500000, 50), ('retired', 2, NULL, 100);\n"
	"CREATE TABLE dues_year (\n"
	"  member_id BIGINT NOT NULL REFERENCES member(id), year BIGINT NOT NULL, category TEXT,\n"
	"  base_fen BIGINT, rate_bp BIGINT, monthly_fen BIGINT, voluntary_fen BIGINT NOT NULL DEFAULT 0, note TEXT,\n"
	"  paid_01 BIGINT NOT NULL DEFAULT 0, paid_02 BIGINT NOT NULL DEFAULT 0, paid_03 BIGINT NOT NULL DEFAULT 0,\n"
	"  paid_04 BIGINT NOT NULL DEFAULT 0, paid_05 BIGINT NOT NULL DEFAULT 0, paid_06 BIGINT NOT NULL DEFAULT 0,\n"
	"  paid_07 BIGINT NOT NULL DEFAULT 0, paid_08 BIGINT NOT NULL DEFAULT 0, paid_09 BIGINT NOT NULL DEFAULT 0,\n"
	"  paid_10 BIGINT NOT NULL DEFAULT 0, paid_11 BIGINT NOT NULL DEFAULT 0, paid_12 BIGINT NOT NULL DEFAULT 0,\n"
	"  updated_at TEXT NOT NULL, PRIMARY KEY (member_id, year)){{NOROWID}};\n"
	"CREATE TABLE dues_payment (\n"
	"  id {{ID}}, member_id BIGINT NOT NULL REFERENCES member(id), org_id BIGINT NOT NULL REFERENCES org(id),\n"
	"  month TEXT NOT NULL, amount_fen BIGINT NOT NULL, method TEXT NOT NULL, paid_on TEXT NOT NULL,\n"
	"  period TEXT NOT NULL DEFAULT 'month', batch TEXT, note TEXT, user_id BIGINT, created_at TEXT NOT NULL);\n"
	"CREATE INDEX dues_payment_member ON dues_payment(member_id, month);\n"
	"CREATE INDEX dues_payment_month ON dues_payment(month, org_id);\n",
	/* 2: the monthly sheet walks a subtree's members by org with their
	 * admission date from the index alone (a province month read every
	 * member row: 0.18–0.26 s CPU, with this 0.13 s). */
	"CREATE INDEX dues_member_join ON member(org_id, active, join_date);\n",
	/* 3: the counters kept per org and month (dues_tally.h, dues_tally.c):
	 * the figures, the sheet and arrears read a row per org and year
	 * instead of every member's card. */
	dues_tally_step,
	/* 4: on PostgreSQL the cards an INSERT adds are counted once per
	 * statement (dues_tally.c). */
	dues_tally_bulk_step,
	/* 5: on PostgreSQL the row triggers' statements start cheaper, and skip
	 * a member without cards (dues_tally.c). */
	dues_tally_fence_step,
	NULL,
};

/* The scopes a write to each table moves (the read cache, db/db_scope.h). */
static const struct db_table_scope dues_tables[] = {
	{"dues_category", DEP(DUES)}, {"dues_bracket", DEP(DUES)}, {"dues_year", DEP(DUES)}, {"dues_payment", DEP(DUES)},
	/* kept by triggers on dues_year, member, member_end and org */
	{"dues_tally", DEP(DUES)}, {"dues_owing", DEP(DUES)},
	{0},
};

/* Payments before cards, the counters after them (emptying cards moves them): bench copies empty them in this order. */
static const char *const dues_bench_tables[] = {"dues_payment", "dues_year", "dues_owing", "dues_tally", NULL};

const struct module dues_module = {
	.name = "dues",
	.label = "党费",
	.migrations = dues_migrations,
	.routes = dues_routes,
	.figures = dues_figures,
	.findings = dues_findings,
	.todos = dues_todos,
	.nav = dues_nav,
	.generate = dues_generate,
	.bench_tables = dues_bench_tables,
	.tables = dues_tables,
};
