/* figure.c — values and records of the registered figures (figure.h).
 *
 * Every query here is built around the figure's own records query, so a
 * value is always the count (or sum) of the records the same scope and
 * period list. */
#include "platform/figure.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/mem.h"
#include "db/db.h"
#include "org/org.h"
#include "platform/module.h"
#include "user/actor.h"

const struct figure *figure_find(const char *id)
{
	if (!id)
		return NULL;
	for (const struct module *const *m = modules; *m; m++)
		for (const struct figure *f = (*m)->figures; f && f->id; f++)
			if (strcmp(f->id, id) == 0)
				return f;
	return NULL;
}

static const char *kind_name(enum figure_kind k)
{
	return k == FIGURE_SUM ? "sum" : k == FIGURE_RATIO ? "ratio" : "count";
}

json_t *figure_catalogue(void)
{
	json_t *out = json_array();
	for (const struct module *const *m = modules; *m; m++)
		for (const struct figure *f = (*m)->figures; f && f->id; f++) {
			json_t *x = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id", f->id, "label", f->label, "unit",
					      f->unit, "kind", kind_name(f->kind), "time",
					      f->time == FIGURE_STOCK ? "stock" : "flow", "module", (*m)->name,
					      "module_label", (*m)->label);
			if (f->by)
				json_object_set_new(x, "by", json_string(f->by));
			if (f->note)
				json_object_set_new(x, "note", json_string(f->note));
			json_array_append_new(out, x);
		}
	return out;
}

int figure_scope_make(struct db *db, const struct actor *a, const struct figure *f, int64_t org, const char *from,
		      const char *to, const char *on, const char *today, struct figure_scope *s, struct dj_error *err)
{
	memset(s, 0, sizeof *s);
	if (!org) {
		int rc = scope_root_of(db, a, &org, err);
		if (rc)
			return rc;
	}
	int rc = scope_org(db, a, org, err);
	if (rc)
		return rc;
	s->org = org;
	if (f->time == FIGURE_STOCK) {
		if (from && *from)
			return dj_fail(err, DJ_EINVAL, "from", "「%s」是时点数，请用 on 指定日期，而不是 from/to", f->label);
		const char *day = on && *on ? on : today;
		if (!date_valid(day))
			return dj_fail(err, DJ_EINVAL, "on", "日期格式应为 YYYY-MM-DD");
		memcpy(s->from, day, 11);
		memcpy(s->to, day, 11);
		return 0;
	}
	if (on && *on)
		return dj_fail(err, DJ_EINVAL, "on", "「%s」是时期数，请用 from/to 指定期间，而不是 on", f->label);
	char jan1[11];
	snprintf(jan1, sizeof jan1, "%.4s-01-01", today);
	const char *a_from = from && *from ? from : jan1, *a_to = to && *to ? to : today;
	if (!date_valid(a_from))
		return dj_fail(err, DJ_EINVAL, "from", "日期格式应为 YYYY-MM-DD");
	if (!date_valid(a_to))
		return dj_fail(err, DJ_EINVAL, "to", "日期格式应为 YYYY-MM-DD");
	if (strcmp(a_from, a_to) > 0)
		return dj_fail(err, DJ_EINVAL, "to", "结束日期不能早于开始日期");
	memcpy(s->from, a_from, 11);
	memcpy(s->to, a_to, 11);
	return 0;
}

/* The records query with the scope's subtree put in, wrapped so that every
 * parameter is used (PostgreSQL must be able to type each one) and its
 * columns can be named from outside as r.<col>. */
static char *records_sql(const char *records)
{
	struct buf b = {0};
	const char *p = records, *q;
	buf_puts(&b, "(SELECT * FROM (");
	while ((q = strstr(p, "{{SUBTREE}}"))) {
		buf_append(&b, p, (size_t)(q - p));
		buf_puts(&b, org_subtree_sql());
		p = q + strlen("{{SUBTREE}}");
	}
	buf_puts(&b, p);
	buf_puts(&b, ") r0 WHERE ?1 > 0 AND CAST(?2 AS TEXT) <= CAST(?3 AS TEXT)) r");
	return buf_detach(&b);
}

static int aggregate(struct db *db, const struct figure *f, const char *records, const struct figure_scope *s,
		     double *out, struct dj_error *err)
{
	char *from = records_sql(records);
	char *sql = f->kind == FIGURE_SUM ? xasprintf("SELECT coalesce(sum(r.%s), 0) FROM %s", f->sum_col, from)
					  : xasprintf("SELECT count(*) FROM %s", from);
	struct db_stmt *st = db_query(db, sql, DB_ARGS(DB_I(s->org), DB_T(s->from), DB_T(s->to)), err);
	free(sql);
	free(from);
	if (!st)
		return err->code ? err->code : DJ_EDB;
	int rc = db_next(st);
	*out = rc > 0 ? db_real(st, 0) : 0;
	db_done(st);
	return rc < 0 ? (err->code ? err->code : DJ_EDB) : 0;
}

static json_t *number_json(double v)
{
	return v == (double)(int64_t)v ? json_integer((json_int_t)v) : json_real(v);
}

int figure_number(struct db *db, const struct figure *f, const struct figure_scope *s, double *out,
		  struct dj_error *err)
{
	int rc = aggregate(db, f, f->records, s, out, err);
	if (rc || f->kind != FIGURE_RATIO)
		return rc;
	double den;
	if ((rc = aggregate(db, f, f->den, s, &den, err)))
		return rc;
	*out = den > 0 ? *out / den : 0;
	return 0;
}

static json_t *breakdown(struct db *db, const struct figure *f, const struct figure_scope *s, struct dj_error *err)
{
	char *from = records_sql(f->records);
	char *sql = f->kind == FIGURE_SUM
		? xasprintf("SELECT r.%s, coalesce(sum(r.%s), 0) FROM %s GROUP BY r.%s ORDER BY 1", f->by, f->sum_col,
			    from, f->by)
		: xasprintf("SELECT r.%s, count(*) FROM %s GROUP BY r.%s ORDER BY 1", f->by, from, f->by);
	struct db_stmt *st = db_query(db, sql, DB_ARGS(DB_I(s->org), DB_T(s->from), DB_T(s->to)), err);
	free(sql);
	free(from);
	if (!st)
		return NULL;
	json_t *by = json_object();
	int rc;
	while ((rc = db_next(st)) > 0)
		json_object_set_new(by, db_isnull(st, 0) ? "" : db_text(st, 0), number_json(db_real(st, 1)));
	db_done(st);
	if (rc < 0) {
		json_decref(by);
		return NULL;
	}
	return by;
}

json_t *figure_value(struct db *db, const struct figure *f, const struct figure_scope *s, struct dj_error *err)
{
	double num, den = 0;
	if (aggregate(db, f, f->records, s, &num, err))
		return NULL;
	if (f->kind == FIGURE_RATIO && aggregate(db, f, f->den, s, &den, err))
		return NULL;
	json_t *out = json_pack("{s:s, s:s, s:s, s:I}", "id", f->id, "label", f->label, "unit", f->unit, "org",
				(json_int_t)s->org);
	if (f->time == FIGURE_STOCK) {
		json_object_set_new(out, "on", json_string(s->to));
	} else {
		json_object_set_new(out, "from", json_string(s->from));
		json_object_set_new(out, "to", json_string(s->to));
	}
	if (f->kind == FIGURE_RATIO) {
		/* A rate as the seeds print it: a percentage with one decimal. */
		double pct = den > 0 ? (double)(int64_t)(num * 1000 / den + 0.5) / 10 : 0;
		json_object_set_new(out, "value", number_json(pct));
		json_object_set_new(out, "num", number_json(num));
		json_object_set_new(out, "den", number_json(den));
	} else {
		json_object_set_new(out, "value", number_json(num));
	}
	if (f->by) {
		json_t *by = breakdown(db, f, s, err);
		if (!by) {
			json_decref(out);
			return NULL;
		}
		json_object_set_new(out, "by", by);
	}
	return out;
}

json_t *figure_records(struct db *db, const struct figure *f, const struct figure_scope *s, const char *part,
		       const char *key, int page, int size, struct dj_error *err)
{
	const char *records = f->records;
	if (part && *part) {
		if (strcmp(part, "den") == 0 && f->kind == FIGURE_RATIO)
			records = f->den;
		else if (strcmp(part, "num") != 0) {
			dj_fail(err, DJ_EINVAL, "part", "part 只能是 num（分子）或 den（分母，比率才有）");
			return NULL;
		}
	}
	if (key && !f->by) {
		dj_fail(err, DJ_EINVAL, "key", "「%s」没有分组，不能按 key 筛选", f->label);
		return NULL;
	}
	char *from = records_sql(records);
	char *where = key ? xasprintf(" WHERE CAST(r.%s AS TEXT) = ?4", f->by) : xstrdup("");
	char *count = xasprintf("SELECT count(*) FROM %s%s", from, where);
	/* Several records may share an id and a date (the attendance of one
	 * activity, the quotas of one assignment): title and org break the
	 * tie, so that pages neither repeat nor skip a record. */
	char *list = xasprintf("SELECT * FROM %s%s ORDER BY r.on_date DESC, r.rid DESC, r.title, r.org_id LIMIT ?%d OFFSET ?%d",
			       from, where,
			       key ? 5 : 4, key ? 6 : 5);
	db_val args[6] = {DB_I(s->org), DB_T(s->from), DB_T(s->to)};
	int n = 3;
	if (key)
		args[n++] = DB_T(key);
	int64_t total = 0;
	json_t *items = NULL;
	if (db_int1(db, &total, count, n, args, err) == 0) {
		args[n] = DB_I(size);
		args[n + 1] = DB_I((int64_t)(page - 1) * size);
		items = db_rows(db, list, n + 2, args, err);
	}
	free(from);
	free(where);
	free(count);
	free(list);
	if (!items)
		return NULL;
	return json_pack("{s:s, s:I, s:i, s:i, s:o}", "id", f->id, "total", (json_int_t)total, "page", page, "size", size,
			 "items", items);
}
