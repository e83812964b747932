/* dues_gen.c — the dues module's generator step: a card per member and
 * year of history with a plausible category and base, and the last twelve
 * months of payments with realistic arrears: most pay every month (through
 * payroll or by phone), some miss a month now and then, a few stopped
 * paying three to eight months ago, and mobile members pay by quarter.
 * Rows are written directly, as dues_card_set and dues_payment_insert
 * would write them, in bulk (db_copy), because the province has 200,000
 * members. */
#include "dues/dues_internal.h"
#include "dues/dues_tally.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/mem.h"
#include "db/db.h"
#include "gen/gen.h"

static const char *const methods[] = {"payroll", "payroll", "payroll", "payroll", "wechat", "wechat", "wechat",
				      "alipay", "cash", "bank"};

struct gm {
	int64_t id, org_id;
	int join_idx, birth_year;
	bool mobile;
};

/* A base in fen: a pay of about `lo`–`hi` yuan with its odd fen. */
static int64_t pay(struct rng *r, int lo, int hi)
{
	return rng_range(r, lo, hi) * 100 + rng_range(r, 0, 99);
}

/* This member's payments of the window [from, to] (month indices): the
 * months paid, by behaviour. */
static void paid_months(struct rng *r, const struct gm *m, int from, int to, bool paid[12 * 4], int *stop_at)
{
	int64_t kind = rng_range(r, 0, 99);
	*stop_at = to + 1;
	if (kind < 2)		/* stopped paying some months ago */
		*stop_at = to - (int)rng_range(r, 2, 8);
	for (int i = from; i <= to; i++) {
		bool p = i < *stop_at;
		if (p && kind >= 2 && kind < 5)
			p = rng_range(r, 0, 99) >= 30;	/* pays irregularly */
		else if (p)
			p = rng_range(r, 0, 199) >= 1;	/* now and then a month late */
		paid[i - from] = p && i >= m->join_idx;
	}
}

int dues_generate(struct gen *g, struct dj_error *err)
{
	struct dues_rules rules;
	int rc = dues_rules_load(g->db, &rules, err);
	if (rc)
		return rc;
	json_t *rows = db_rows(g->db,
			       "SELECT m.id, m.org_id, m.join_date, m.birth_date, m.is_mobile FROM member m"
			       " JOIN org o ON o.id = m.org_id WHERE m.active = 1 AND o.kind NOT IN (" DUES_NO_DUES_KIND ")"
			       " ORDER BY m.id",
			       DB_NOARGS, err);
	if (!rows)
		return err->code ? err->code : DJ_EDB;
	char cur[8], now_iso[21];
	snprintf(cur, sizeof cur, "%.7s", g->today);
	date_now_iso(now_iso);
	int now = dues_month_idx(cur), this_year = now / 12;
	/* Payments cover the twelve months before this one (so the 3- and
	 * 6-month rules have their history on any day), and this one for those
	 * who paid early in the month; cards the years those months touch, the
	 * months of last year before that paid up. */
	int from = now - 12, to = now, first_year = from / 12;
	int64_t cards = 0, payments = 0;
	/* In bulk (COPY on PostgreSQL, its keys checked once at the end): the
	 * cards' counters are kept once per block there (dues_tally.c). */
	struct db_copy *card_cp = NULL, *pay_cp = NULL;
	/* SQLite recounts a member's counters per card inserted, PostgreSQL
	 * per COPY block: into empty tables they are counted once after the
	 * load instead. */
	json_t *triggers = NULL;
	int64_t loaded = 1;
	rc = db_int1(g->db, &loaded, "SELECT CASE WHEN EXISTS (SELECT 1 FROM dues_year) OR EXISTS (SELECT 1 FROM dues_tally)"
			 " OR EXISTS (SELECT 1 FROM dues_owing) THEN 1 ELSE 0 END", DB_NOARGS, err);
	if (!rc && !loaded)
		rc = db_triggers_suspend(g->db, (const char *const[]){"dues_year", NULL}, &triggers, err);
	if (!rc)
		rc = db_copy_begin(g->db, "dues_year", "member_id, year, category, base_fen, rate_bp, monthly_fen, voluntary_fen,"
			   " paid_01, paid_02, paid_03, paid_04, paid_05, paid_06, paid_07, paid_08, paid_09, paid_10, paid_11,"
			   " paid_12, updated_at", &card_cp, err);
	if (!rc)
		rc = db_copy_begin(g->db, "dues_payment", "member_id, org_id, month, amount_fen, method, paid_on, period,"
				   " batch, created_at", &pay_cp, err);
	if (!rc)
		rc = db_copy_defer_checks(card_cp, err);
	if (!rc)
		rc = db_copy_defer_checks(pay_cp, err);
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row) {
		if (rc)
			break;
		struct gm m = {.id = json_integer_value(json_object_get(row, "id")),
			       .org_id = json_integer_value(json_object_get(row, "org_id")),
			       .mobile = json_integer_value(json_object_get(row, "is_mobile")) != 0};
		char jm[8];
		snprintf(jm, sizeof jm, "%.7s", json_string_value(json_object_get(row, "join_date")));
		m.join_idx = dues_month_idx(jm);
		const char *birth = json_string_value(json_object_get(row, "birth_date"));
		m.birth_year = birth ? atoi(birth) : this_year - 40;
		int age = this_year - m.birth_year;
		const char *cat = "employed";
		int64_t roll = rng_range(&g->r, 0, 99), base = 0;
		if (age >= 60 || (age >= 55 && roll < 50))
			cat = "retired", base = pay(&g->r, 2200, 7800);
		else if (age < 24 && roll < 60)
			cat = "student";
		else if (roll < 4)
			cat = "farmer";
		else if (roll < 6)
			cat = "unemployed";
		else if (roll < 7)
			cat = "relief";
		else
			base = roll < 30 ? pay(&g->r, 2300, 3000) : roll < 75 ? pay(&g->r, 3000, 8000) : pay(&g->r, 8000, 16000);
		const struct dues_category *c = dues_category_find(&rules, cat);
		if (!c)
			continue;
		/* Payroll deduction and a voluntary extra are for those with a pay
		 * (a farmer or a student pays by phone or in cash, the minimum). */
		bool paid_job = strcmp(cat, "employed") == 0;
		int64_t voluntary = paid_job && rng_range(&g->r, 0, 99) < 2 ? 10000 : 0;
		const char *method = m.mobile ? "wechat" : paid_job ? methods[rng_range(&g->r, 0, 9)]
							     : methods[rng_range(&g->r, 4, 9)];
		bool paid[12 * 4] = {0};
		int stop_at;
		paid_months(&g->r, &m, from, to, paid, &stop_at);
		if (rng_range(&g->r, 0, 99) < 40)
			paid[to - from] = false;	/* this month not paid yet */
		if (m.mobile)	/* by quarter: a quarter is paid whole or not at all, at its end */
			for (int q = from; q <= to; q++)
				if (q % 3 == 0) {
					bool all = q + 2 <= to && paid[q - from] && q + 2 < stop_at;
					for (int k = 0; k < 3 && q + k <= to; k++)
						paid[q + k - from] = all && q + k >= m.join_idx;
				}
		for (int year = first_year; year <= this_year && !rc; year++) {
			if (year < m.join_idx / 12)
				continue;
			/* The base of earlier years, a few percent lower each. */
			int64_t b = base * (100 - 3 * (this_year - year)) / 100, rate, monthly;
			dues_amount(c, b, &rate, &monthly);
			int64_t p[12] = {0};
			for (int n = 0; n < 12; n++) {
				int idx = year * 12 + n;
				if (idx >= from && idx <= to && paid[idx - from])
					p[n] = monthly + voluntary;
				else if (idx < from && idx >= m.join_idx && idx < stop_at)
					p[n] = monthly + voluntary;	/* before the window: paid up */
			}
			rc = db_copy_row(card_cp,
					 DB_ARGS(DB_I(m.id), DB_I(year), DB_T(c->code), c->fixed ? DB_NULL : DB_I(b), DB_I(rate),
						 DB_I(monthly), DB_I(voluntary), DB_I(p[0]), DB_I(p[1]), DB_I(p[2]), DB_I(p[3]),
						 DB_I(p[4]), DB_I(p[5]), DB_I(p[6]), DB_I(p[7]), DB_I(p[8]), DB_I(p[9]),
						 DB_I(p[10]), DB_I(p[11]), DB_T(now_iso)),
					 err);
			cards++;
			/* The payment records of the months the card holds as paid. */
			for (int n = 0; n < 12 && !rc; n++) {
				if (!p[n])
					continue;
				int idx = year * 12 + n;
				char mt[8], on[11];
				dues_month_text(idx, mt);
				int pay_idx = m.mobile ? idx - idx % 3 + 2 : idx;	/* a quarter at its last month */
				char pm[8];
				dues_month_text(pay_idx, pm);
				snprintf(on, sizeof on, "%s-%02d", pm, m.mobile ? 25 : (int)rng_range(&g->r, 5, 25));
				if (strncmp(on, g->today, 10) > 0)
					memcpy(on, g->today, 11);
				char batch[16] = "";
				if (m.mobile)
					snprintf(batch, sizeof batch, "%04d-Q%d", idx / 12 % 10000, idx % 12 / 3 + 1);
				rc = db_copy_row(pay_cp,
						 DB_ARGS(DB_I(m.id), DB_I(m.org_id), DB_T(mt), DB_I(p[n]), DB_T(method), DB_T(on),
							 DB_T(m.mobile ? "quarter" : "month"), DB_T(batch), DB_T(now_iso)),
						 err);
				payments++;
			}
		}
	}
	json_decref(rows);
	int end = db_copy_end(card_cp, rc ? NULL : err);
	int end2 = db_copy_end(pay_cp, rc || end ? NULL : err);
	rc = rc ? rc : end ? end : end2;
	if (triggers)
		rc = db_triggers_restore(g->db, triggers,
					 (const char *const[]){db_kind(g->db) == DB_PG ? dues_tally_fill_pg : dues_tally_fill, NULL},
					 rc, err);
	if (!rc && g->log)
		fprintf(g->log, "  dues: %lld cards, %lld payments\n", (long long)cards, (long long)payments);
	return rc;
}
