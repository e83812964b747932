/* dues.h — 党费: the base each member pays on per year, the rate from the
 * configurable categories and brackets, payments by month (by quarter for
 * mobile members), arrears, a branch's monthly sheet, and the member's own
 * view.  DESIGN.md "Domain rules" and "Decisions … Dues" state the rules.
 *
 * Money is integer fen everywhere; a monthly amount is base × rate rounded
 * half-up to the fen.  A month's 应交 is the amount of the member's card for
 * that year (table dues_year) when the member is active, had joined by the
 * end of that month (预备党员 pay from admission) and is not in a 临时党支部,
 * which collects none.  The card also keeps what was paid per month, a
 * cache of the payment records written in the same transaction. */
#ifndef DJ_DUES_H
#define DJ_DUES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "user/actor.h"

struct db;

/* ---- categories and brackets (dues_rate.c) -------------------------------- */

#define DUES_MAX_CATEGORIES 16
#define DUES_MAX_BRACKETS 8
#define DUES_CODE_MAX 24

struct dues_bracket {
	int64_t upto_fen;	/* the bracket holds bases ≤ this; -1: no upper bound */
	int64_t rate_bp;	/* 1/10000 of the base: 0.5% = 50 */
};

struct dues_category {
	char code[DUES_CODE_MAX];	/* employed, retired, student … */
	char label[64];			/* 在职 … */
	bool fixed;			/* a fixed amount, not a rate */
	int64_t fixed_fen;
	int nbrackets;			/* rate categories: ascending upto_fen, the last unbounded */
	struct dues_bracket br[DUES_MAX_BRACKETS];
};

struct dues_rules {
	int n;
	struct dues_category c[DUES_MAX_CATEGORIES];
};

/* The configured categories and brackets. */
int dues_rules_load(struct db *db, struct dues_rules *r, struct dj_error *err);
/* The category with this code or label (or a synonym users write, 退休 for
 * 离退休 …), or NULL. */
const struct dues_category *dues_category_find(const struct dues_rules *r, const char *s);
/* The rate and the monthly amount of a base in a category: a fixed amount, or
 * the first bracket whose upper bound the base does not exceed (a base of
 * exactly 3000 yuan is in the ≤ 3000 bracket), base × rate rounded half-up
 * to the fen.  base_fen < 0 is the caller's error. */
void dues_amount(const struct dues_category *c, int64_t base_fen, int64_t *rate_bp, int64_t *monthly_fen);
/* Yuan as users write them ("3000", "3,000.5", "¥3000.50", "3000元") into
 * fen.  0, or DJ_EINVAL on `field` naming `label`: not a number, more than two
 * decimals (not in fen), negative, or beyond 1e9 yuan. */
int dues_money_parse(const char *s, int64_t *fen, const char *field, const char *label, struct dj_error *err);
/* A money field of a JSON body: `key_fen` as an integer of fen, or `key` as
 * yuan (a string or a number with at most two decimals).  *given tells
 * whether either was sent; absent leaves *fen at `def`. */
int dues_money_json(json_t *in, const char *key, const char *key_fen, const char *label, int64_t def, int64_t *fen,
		    bool *given, struct dj_error *err);
/* {categories: [{code, label, fixed, fixed_fen, brackets: [{upto_fen, rate_bp}]}], methods: [{code, label}]} */
json_t *dues_rules_json(const struct dues_rules *r);
/* Replace the rules (system administrators): the same shape as above. */
int dues_rules_set(struct db *db, const struct actor *a, json_t *in, struct dj_error *err);

/* Payment methods: one table (dues_rate.c). */
const char *dues_method_code(const char *s);	/* code for a code or label, or NULL */
const char *dues_method_label(const char *code);	/* "" if unknown */

/* ---- bases (dues_base.c) --------------------------------------------------- */

/* Set member `id`'s card for a year: {year, category, base | base_fen,
 * voluntary | voluntary_fen, note}.  The rate and monthly amount are
 * computed from the rules as they stand. */
int dues_base_set(struct db *db, const struct actor *a, int64_t member_id, json_t *in, struct dj_error *err);
/* The members of org's subtree (0: the actor's scope) with their card for
 * the year: {year, total, items: [...]}. */
json_t *dues_base_list(struct db *db, const struct actor *a, int64_t org, int year, const char *q, int page, int size,
		       struct dj_error *err);

/* ---- payments (dues_payment.c) --------------------------------------------- */

/* {member_id, month: "YYYY-MM" | quarter: "YYYY-Qn", amount | amount_fen,
 * method, paid_on?, note?}.  A quarter (mobile members) is split over its
 * three months.  *ids (may be NULL) gets the first payment's id. */
int dues_payment_add(struct db *db, const struct actor *a, json_t *in, int64_t *id, struct dj_error *err);
int dues_payment_delete(struct db *db, const struct actor *a, int64_t id, struct dj_error *err);
json_t *dues_payment_list(struct db *db, const struct actor *a, int64_t org, int64_t member, const char *month,
			  int page, int size, struct dj_error *err);

/* ---- the sheet, arrears, a member's dues (dues_sheet.c) -------------------- */

/* The monthly sheet of org's subtree: totals, one row per org with members,
 * and with members = true the org's own members one by one. */
json_t *dues_sheet(struct db *db, const struct actor *a, int64_t org, const char *month, bool members,
		   struct dj_error *err);
/* The sheet as an XLSX workbook (malloc'd bytes). */
int dues_sheet_xlsx(struct db *db, const struct actor *a, int64_t org, const char *month, char **out, size_t *len,
		    struct dj_error *err);
/* Members of the subtree in arrears as of today (months before the current
 * one, or before the current quarter for mobile members): {total, amount_fen, items}. */
json_t *dues_arrears(struct db *db, const struct actor *a, int64_t org, int page, int size, struct dj_error *err);
/* One member's cards, months and payments (managers in scope; the member
 * themself through dues_mine). */
json_t *dues_member(struct db *db, const struct actor *a, int64_t member_id, struct dj_error *err);
json_t *dues_mine(struct db *db, const struct actor *a, struct dj_error *err);

/* Members of the subtree who paid nothing in each of the `months` months
 * before today's month, though they owed for all of them:
 * [{id, name, org_id, org_name, last_paid}] (dues_sheet.c). */
json_t *dues_unpaid(struct db *db, int64_t root, bool subtree, const char *today, int months, struct dj_error *err);

/* ---- import (dues_import.c) ------------------------------------------------ */

/* Bases (year given, or a 年度 column) or payments from XLSX/XLS/CSV into
 * org's subtree, all or nothing: {rows, imported} or DJ_EINVAL with
 * err->details = [{row, column, message}]. */
int dues_import_bases(struct db *db, const struct actor *a, int64_t org, int year, const void *data, size_t len,
		      bool dry_run, json_t **result, struct dj_error *err);
int dues_import_payments(struct db *db, const struct actor *a, int64_t org, const void *data, size_t len,
			 bool dry_run, json_t **result, struct dj_error *err);

#endif
