/* dues_tally.h — the 党费 counters kept in the writing transaction
 * (dues_tally.c holds the migration that makes and fills them and the
 * triggers that keep them, on both engines).
 *
 * dues_tally: per org (the member's org as it stands) and card year, a
 * column per month of each measure:
 *   a  member-months owed: on the roll that month (active, or ended on or
 *      after its first day), admitted by then, a base assessed, the org
 *      not a 临时党支部 — the 应交 人月 of the figures and the sheet
 *   d  their 应交 (fen)          f  of them paid in full (实交 ≥ 应交)
 *   o  their 欠交 (fen)          p  实交 of the members on the roll
 *   q  members on the roll who paid something that month
 *   x  every payment of the org's members for that month (实交 figure)
 *   r  欠交 of active members (arrears)   s  the same, mobile members only
 * so a month's column mm of measure m is named m<mm> (a01 … s12).
 *
 * dues_owing: per active member with a month owed (more owed than paid,
 * from admission on, org not a 临时党支部; this year's months to come
 * count too), the month index (year × 12 + month − 1) of the first such
 * month, the member's org and whether mobile.  A member is in arrears on a
 * day when that month lies before the day's month (before its quarter for
 * a mobile member): an index range per org. */
#ifndef DJ_DUES_TALLY_H
#define DJ_DUES_TALLY_H

/* f(mm, k, x) for each month: mm "01".."12", k its index in the year "0".."11". */
#define DT_EACH(f, x)                                                                                         \
	f("01", "0", x) ", " f("02", "1", x) ", " f("03", "2", x) ", " f("04", "3", x) ", " f("05", "4", x) ", " \
	f("06", "5", x) ", " f("07", "6", x) ", " f("08", "7", x) ", " f("09", "8", x) ", " f("10", "9", x) ", " \
	f("11", "10", x) ", " f("12", "11", x)
/* The same joined by " + " (a sum over the months). */
#define DT_PLUS(f, x)                                                                                         \
	f("01", "0", x) " + " f("02", "1", x) " + " f("03", "2", x) " + " f("04", "3", x) " + " f("05", "4", x) " + " \
	f("06", "5", x) " + " f("07", "6", x) " + " f("08", "7", x) " + " f("09", "8", x) " + " f("10", "9", x) " + " \
	f("11", "10", x) " + " f("12", "11", x)

/* The measures, in column order. */
#define DT_MEASURES(f, x) f("a", x) ", " f("d", x) ", " f("f", x) ", " f("o", x) ", " f("p", x) ", " f("q", x) ", " \
	f("x", x) ", " f("r", x) ", " f("s", x)

/* The month index of a 'YYYY-MM…' text (both engines). */
#define DT_IDX(t) "(CAST(substr(" t ", 1, 4) AS BIGINT) * 12 + CAST(substr(" t ", 6, 2) AS BIGINT) - 1)"

/* The counters of every card there, as the step fills them: for
 * generate's load into an empty dues_year (dues_gen.c), whose insert
 * trigger recounts a member per card on SQLite, per block on PostgreSQL. */
extern const char dues_tally_fill[];
extern const char dues_tally_fill_pg[];	/* the same for PostgreSQL's planner */

#endif
