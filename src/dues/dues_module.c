/* dues_module.c — the 党费 module's entry in the module table
 * (platform/module.h): its tables, routes, figures, findings, 待办, menu and
 * generator step. */
#include "dues/dues_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "db/db.h"
#include "platform/module.h"
#include "platform/todo.h"

extern const struct route dues_routes[];
extern const struct figure dues_figures[];
int dues_generate(struct gen *g, struct dj_error *err);

/* One finding per org and rule, naming its members: 6 months without a
 * payment is an error (党章 art. 9 treats it as leaving), 3 a warning. */
static int findings_rule(struct db *db, int64_t root, const char *today, int months, const char *rule_id,
			 json_t *skip, json_t *out, struct dj_error *err)
{
	json_t *rows = dues_unpaid(db, root, true, today, months, err);
	if (!rows)
		return err->code ? err->code : DJ_EDB;
	json_t *by_org = json_object();
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		char key[24];
		snprintf(key, sizeof key, "%lld", (long long)json_integer_value(json_object_get(r, "id")));
		if (skip && json_object_get(skip, key))
			continue;
		char ok[24];
		snprintf(ok, sizeof ok, "%lld", (long long)json_integer_value(json_object_get(r, "org_id")));
		json_t *f = json_object_get(by_org, ok);
		if (!f) {
			f = json_pack("{s:s, s:s, s:s, s:O, s:O, s:[], s:[]}", "rule", rule_id, "level",
				      months >= 6 ? "error" : "warn", "title",
				      months >= 6 ? "连续6个月未交纳党费" : "连续3个月未交纳党费", "org_id",
				      json_object_get(r, "org_id"), "org_name", json_object_get(r, "org_name"), "records",
				      "member_ids");
			json_object_set_new(by_org, ok, f);
			json_array_append(out, f);
		}
		json_array_append_new(json_object_get(f, "records"),
				      json_pack("{s:s, s:O, s:O, s:O}", "type", "member", "id", json_object_get(r, "id"), "name",
						json_object_get(r, "name"), "last_paid", json_object_get(r, "last_paid")));
		json_array_append(json_object_get(f, "member_ids"), json_object_get(r, "id"));
		if (skip)
			json_object_set_new(skip, key, json_true());
	}
	const char *k;
	json_t *f;
	json_object_foreach(by_org, k, f) {
		size_t n = json_array_size(json_object_get(f, "records"));
		json_object_set_new(f, "message", json_sprintf("%s有%zu名党员连续%d个月未交纳党费%s",
							       json_string_value(json_object_get(f, "org_name")), n, months,
							       months >= 6 ? "，应按党章规定处理" : "，请督促交纳"));
	}
	json_decref(by_org);
	json_decref(rows);
	return 0;
}

static int dues_findings(struct db *db, const struct actor *a, int64_t root, const char *today, const char *rule,
			 json_t *out, struct dj_error *err)
{
	bool six = !rule || !*rule || !strcmp(rule, "dues.unpaid_6m"), three = !rule || !*rule || !strcmp(rule, "dues.unpaid_3m");
	json_t *seen = json_object();	/* a member 6 months behind is not listed again at 3 */
	int rc = six || three ? findings_rule(db, root, today, 6, "dues.unpaid_6m", seen, six ? out : NULL, err) : 0;
	if (!rc && three)
		rc = findings_rule(db, root, today, 3, "dues.unpaid_3m", seen, out, err);
	json_decref(seen);
	return rc;
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
	NULL,
};

/* The scopes a write to each table moves (the read cache, db/db_scope.h). */
static const struct db_table_scope dues_tables[] = {
	{"dues_category", DEP(DUES)}, {"dues_bracket", DEP(DUES)}, {"dues_year", DEP(DUES)}, {"dues_payment", DEP(DUES)},
	{0},
};

/* Payments before cards: bench copies empty them in this order. */
static const char *const dues_bench_tables[] = {"dues_payment", "dues_year", NULL};

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
