/* dues_internal.h — what the dues module's files share: the SQL of a card's
 * paid month, a member's facts that decide what they owe, and month
 * arithmetic. */
#ifndef DJ_DUES_INTERNAL_H
#define DJ_DUES_INTERNAL_H

#include "dues/dues.h"

/* The paid amount of month `n` (1–12, an SQL expression) of card `y`. */
#define DUES_PAID(y, n)                                                                                      \
	"(CASE " n " WHEN 1 THEN " y ".paid_01 WHEN 2 THEN " y ".paid_02 WHEN 3 THEN " y ".paid_03 WHEN 4 THEN " y \
	".paid_04 WHEN 5 THEN " y ".paid_05 WHEN 6 THEN " y ".paid_06 WHEN 7 THEN " y ".paid_07 WHEN 8 THEN " y   \
	".paid_08 WHEN 9 THEN " y ".paid_09 WHEN 10 THEN " y ".paid_10 WHEN 11 THEN " y ".paid_11 WHEN 12 THEN " y \
	".paid_12 ELSE 0 END)"

/* The month index (year × 12 + month − 1) of a 'YYYY-MM…' SQL text. */
/* The member in SQL column `mid` had a base assessed with dues to pay for
 * the year in SQL expression `year`: "unpaid for N months" needs months
 * that were owed; a member never assessed (未核定) is the branch's task
 * (figure dues.base.unassessed), not a member's arrears. */
#define DUES_ASSESSED(mid, year)                                                                             \
	"EXISTS (SELECT 1 FROM dues_year ay WHERE ay.member_id = " mid " AND ay.year = " year " AND ay.monthly_fen > 0)"
#define DUES_MONTH_IDX(t) "(CAST(substr(" t ", 1, 4) AS INTEGER) * 12 + CAST(substr(" t ", 6, 2) AS INTEGER) - 1)"

/* On the roll for a month whose first day is the SQL text `first`: active,
 * or a membership that ended (member_end, not reversed) on or after that
 * day — the months before an end stay owed and counted in the periods
 * they belong to.  Arrears and the 3/6-month rules pursue active members
 * only. */
#define DUES_ON_ROLL(first)                                                                                   \
	"(m.active = 1 OR EXISTS (SELECT 1 FROM member_end e WHERE e.member_id = m.id AND e.back_on IS NULL"   \
	" AND e.on_date >= " first "))"

/* Orgs that collect no dues. */
#define DUES_NO_DUES_KIND "'temporary_branch'"

/* A member's facts that decide what they owe. */
struct dues_who {
	int64_t id, org_id;
	char name[128], org_name[256], join[11];
	bool active, mobile, no_dues;	/* no_dues: their org is a 临时党支部 */
};
/* Read them after checking the actor's scope (out of scope: DJ_ENOTFOUND on `field`). */
int dues_who_get(struct db *db, const struct actor *a, int64_t member_id, const char *field, struct dues_who *w,
		 struct dj_error *err);

/* "YYYY-MM" ↔ index. */
int dues_month_idx(const char *month);	/* -1 if not a month */
void dues_month_text(int idx, char out[8]);

/* Add `fen` to the paid column of member's card for `month` ("YYYY-MM"),
 * creating a card without a base if none exists (in the caller's transaction). */
int dues_card_pay(struct db *db, int64_t member_id, const char *month, int64_t fen, struct dj_error *err);

/* Set a card's base (in the caller's transaction), with an audit record of
 * its own unless `audit` is false (an import audits itself once). */
int dues_card_set(struct db *db, const struct actor *a, const struct dues_who *w, int year,
		  const struct dues_category *c, int64_t base_fen, int64_t voluntary_fen, const char *note, bool audit,
		  struct dj_error *err);
/* Check a card for member `w` and `year` by the rules (active, not in a
 * 临时党支部, not before admission, at most next year). */
int dues_card_check(const struct dues_who *w, int64_t year, const char *today, struct dj_error *err);
/* "2026-Q3", "2026Q3", "2026年第3季度" → the index of its first month, or -1. */
int dues_quarter_idx(const char *s);

/* Record a payment for one month (checked by the caller), in the caller's transaction. */
int dues_payment_insert(struct db *db, const struct actor *a, const struct dues_who *w, const char *month,
			int64_t amount_fen, const char *method, const char *paid_on, const char *period,
			const char *batch, const char *note, int64_t *id, struct dj_error *err);
/* Check a payment of member `w` for `month` (first month of a quarter) by
 * the rules: org collects dues, month not before admission, not beyond next
 * year.  `field` names the month's field. */
int dues_payment_check(const struct dues_who *w, const char *month, const char *today, const char *field,
		       struct dj_error *err);

#endif
