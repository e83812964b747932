/* figure.h — the registry of every number the platform states.
 *
 * A figure is a number with the records behind it: its value and its record
 * list come from ONE query (the records query), so they cannot disagree —
 * the value is that query counted (or summed), the list is that query
 * paged.  A ratio has two record queries, numerator and denominator.
 *
 * A records query selects, for a scope (an org and its subtree) and a
 * period, one row per record counted, with these columns first:
 *   rid       the record's id
 *   rkind     what it is: member, org, org_event (opens its org_id),
 *             activity, attendance, plan, task, assignment, study_item …
 *             (the UI links it)
 *   title     what the user reads
 *   org_id    the org it belongs to
 *   on_date   its date (YYYY-MM-DD), or NULL
 * and any further columns the record list should show.  Parameters:
 *   ?1  the scope's root org id
 *   ?2  from (a flow) — for a stock the same day as ?3
 *   ?3  to (a flow) or "as of" (a stock)
 * and `{{SUBTREE}}` stands for the scope's org ids (a subquery the org
 * module provides), as in "a.org_id IN {{SUBTREE}}"; `{{DAYS(x)}}` for the
 * day number of the date x (days since 1970), in either engine's dialect.
 *
 * The records query is the definition.  A figure may also have a kept
 * query (`.kept`, and `.kept_den` for a ratio's denominator): the same
 * value read from counters kept in the writing transaction (per org, per
 * org and month …), with the same parameters and {{SUBTREE}}.  It returns
 * one row, the value — or, for a figure with a breakdown, rows (key, n)
 * whose n add up to the value.  When it is there, the value is read from
 * it and the records query only lists; `dangjian figures --check` and
 * tests/api/counters.test.mjs prove that both give the same numbers. */
#ifndef DJ_FIGURE_H
#define DJ_FIGURE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct db;
struct actor;

enum figure_kind {
	FIGURE_COUNT = 1,	/* the number of records */
	FIGURE_SUM,		/* the sum of the records' `sum_col` */
	FIGURE_RATIO,		/* numerator records / denominator records */
};

enum figure_time {
	FIGURE_STOCK = 1,	/* as of a day (default today) */
	FIGURE_FLOW,		/* from–to (default 1 January to today) */
};

struct figure {
	const char *id;		/* "life.theme_day.count": module.thing.measure */
	const char *label;	/* 主题党日活动 — as the seeds write it */
	const char *unit;	/* 个, 次, 人次, 人, %, 元 … */
	enum figure_kind kind;
	enum figure_time time;
	const char *records;	/* the records query (the numerator for a ratio) */
	const char *den;	/* a ratio's denominator records */
	const char *sum_col;	/* FIGURE_SUM: the column added up */
	const char *by;		/* a breakdown: the column whose values split the figure */
	const char *note;	/* how it is counted, for the figure page */
	const char *kept;	/* the value from kept counters (see above), or NULL */
	const char *kept_den;	/* a ratio's denominator from kept counters */
	/* The label users read for one key of the breakdown (a status, a kind),
	 * written to `out` (left "" for a key it does not know: the key is
	 * shown); NULL when the keys are what users read already (names, 学历).
	 * The API and the CLI give it with each key (by_label). */
	int (*by_label)(struct db *db, const char *key, char *out, size_t cap, struct dj_error *err);
};

/* Labels for breakdown keys from a table of {key, label} ending with {0}:
 * what most by_label functions are made of. */
struct figure_key_label {
	const char *key, *label;
};
void figure_label_from(const struct figure_key_label *t, const char *key, char *out, size_t cap);

/* The fields every figure has, for tables of figures:
 *   {FIGURE("life.theme_day.count", "主题党日活动", "次", FIGURE_COUNT, FIGURE_FLOW, SQL), .by = "kind"} */
#define FIGURE(id_, label_, unit_, kind_, time_, records_)                                                      \
	.id = (id_), .label = (label_), .unit = (unit_), .kind = (kind_), .time = (time_), .records = (records_)

/* A figure's scope and period, validated. */
struct figure_scope {
	int64_t org;		/* the scope's root */
	char from[11], to[11];	/* a stock: from = to = the day */
};

/* The registered figure `id` (from every module), or NULL. */
const struct figure *figure_find(const char *id);
/* The catalogue: [{id, label, unit, kind, time, module, by?, sum_col?, note?}]. */
json_t *figure_catalogue(void);

/* Check the scope (the actor's subtree; org 0 = the actor's root) and the
 * period (from/to for a flow, on for a stock; defaults as above) into `s`. */
int figure_scope_make(struct db *db, const struct actor *a, const struct figure *f, int64_t org, const char *from,
		      const char *to, const char *on, const char *today, struct figure_scope *s, struct dj_error *err);

/* The value: {id, label, unit, value, org, from, to} with, for a ratio,
 * num and den; for a breakdown, by: {key: n} and by_label: {key: label}
 * (the key itself where the figure names no label, 未填写 for "").  Read from the kept query
 * when the figure has one.  NULL on error. */
json_t *figure_value(struct db *db, const struct figure *f, const struct figure_scope *s, struct dj_error *err);

/* The same, always counted from the records query (what --check compares
 * the kept value with). */
json_t *figure_value_counted(struct db *db, const struct figure *f, const struct figure_scope *s,
			     struct dj_error *err);

/* The records behind it, paged: {total, items: [...]}.  `part` is "num" or
 * "den" for a ratio (default num); `key` keeps one value of a breakdown. */
json_t *figure_records(struct db *db, const struct figure *f, const struct figure_scope *s, const char *part,
		       const char *key, int page, int size, struct dj_error *err);

/* The value as a plain number (a ratio as num/den, 0 when den is 0). */
int figure_number(struct db *db, const struct figure *f, const struct figure_scope *s, double *out,
		  struct dj_error *err);

#endif
