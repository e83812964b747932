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
			if (f->kind == FIGURE_SUM && f->sum_col)
				json_object_set_new(x, "sum_col", json_string(f->sum_col));
			if (f->note)
				json_object_set_new(x, "note", json_string(f->note));
			if (f->kept)
				json_object_set_new(x, "kept", json_true());
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

/* `sql` with the scope's subtree put in for every {{SUBTREE}}, and every
 * {{DAYS(x)}} (a date's day number, for date arithmetic both engines
 * understand) written in the engine's dialect. */
static void put_sql(struct buf *b, enum db_kind kind, const char *sql)
{
	const char *p = sql;
	for (;;) {
		const char *sub = strstr(p, "{{SUBTREE}}"), *days = strstr(p, "{{DAYS("), *end;
		if (sub && (!days || sub < days)) {
			buf_append(b, p, (size_t)(sub - p));
			buf_puts(b, org_subtree_sql());
			p = sub + strlen("{{SUBTREE}}");
		} else if (days && (end = strstr(days, ")}}"))) {
			buf_append(b, p, (size_t)(days - p));
			const char *x = days + strlen("{{DAYS(");
			int n = (int)(end - x);
			/* PostgreSQL: the text is cast first, so that a parameter in x
			 * is typed as text, as everywhere else. */
			char *t = kind == DB_PG ? xasprintf("(CAST(CAST(%.*s AS TEXT) AS DATE) - DATE '1970-01-01')", n, x)
						: xasprintf("CAST(julianday(%.*s) - 2440587.5 AS INTEGER)", n, x);
			buf_puts(b, t);
			free(t);
			p = end + strlen(")}}");
		} else {
			buf_puts(b, p);
			return;
		}
	}
}

/* A query (records or kept) with the subtree put in, wrapped so that every
 * parameter is used (PostgreSQL must be able to type each one) and its
 * columns can be named from outside as r.<col>. */
static char *records_sql(struct db *db, const char *records)
{
	struct buf b = {0};
	buf_puts(&b, "(SELECT * FROM (");
	put_sql(&b, db_kind(db), records);
	buf_puts(&b, ") r0 WHERE ?1 > 0 AND CAST(?2 AS TEXT) <= CAST(?3 AS TEXT)) r");
	return buf_detach(&b);
}

static json_t *number_json(double v)
{
	return v == (double)(int64_t)v ? json_integer((json_int_t)v) : json_real(v);
}

/* The value of a kept query (figure.h): the sum of its rows' n, and for a
 * breakdown the {key: n} object (rows of one key added up, so a counter
 * and a correction may share a key; keys in the query's order, zeros left
 * out, as counting the records never gives a key with 0). */
static int kept_value(struct db *db, const struct figure *f, const char *kept, const struct figure_scope *s,
		      double *out, json_t **by, struct dj_error *err)
{
	char *from = records_sql(db, kept);
	char *sql = xasprintf("SELECT * FROM %s ORDER BY 1", from);
	struct db_stmt *st = db_query(db, sql, DB_ARGS(DB_I(s->org), DB_T(s->from), DB_T(s->to)), err);
	free(sql);
	free(from);
	if (!st)
		return err->code ? err->code : DJ_EDB;
	double total = 0;
	json_t *o = f->by && by ? json_object() : NULL;
	int rc;
	while ((rc = db_next(st)) > 0) {
		double n = db_real(st, f->by ? 1 : 0);
		total += n;
		if (o) {
			const char *k = db_isnull(st, 0) ? "" : db_text(st, 0);
			json_t *had = json_object_get(o, k);
			json_object_set_new(o, k, number_json(n + (had ? json_number_value(had) : 0)));
		}
	}
	db_done(st);
	if (rc < 0) {
		json_decref(o);
		return err->code ? err->code : DJ_EDB;
	}
	const char *k;
	json_t *x;
	void *tmp;
	json_object_foreach_safe(o, tmp, k, x) {
		if (json_number_value(x) == 0)
			json_object_del(o, k);
	}
	*out = total;
	if (by)
		*by = o;
	return 0;
}

static int aggregate(struct db *db, const struct figure *f, const char *records, const struct figure_scope *s,
		     double *out, struct dj_error *err)
{
	char *from = records_sql(db, records);
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

/* Is the fast path there (for a ratio, both of its parts)? */
static bool has_kept(const struct figure *f)
{
	return f->kept && (f->kind != FIGURE_RATIO || f->kept_den);
}

int figure_number(struct db *db, const struct figure *f, const struct figure_scope *s, double *out,
		  struct dj_error *err)
{
	bool kept = has_kept(f);
	int rc = kept ? kept_value(db, f, f->kept, s, out, NULL, err) : aggregate(db, f, f->records, s, out, err);
	if (rc || f->kind != FIGURE_RATIO)
		return rc;
	double den;
	if ((rc = kept ? kept_value(db, f, f->kept_den, s, &den, NULL, err) : aggregate(db, f, f->den, s, &den, err)))
		return rc;
	*out = den > 0 ? *out / den : 0;
	return 0;
}

static json_t *breakdown(struct db *db, const struct figure *f, const struct figure_scope *s, struct dj_error *err)
{
	char *from = records_sql(db, f->records);
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

void figure_label_from(const struct figure_key_label *t, const char *key, char *out, size_t cap)
{
	for (; t->key; t++)
		if (strcmp(t->key, key) == 0) {
			snprintf(out, cap, "%s", t->label);
			return;
		}
}

/* {key: label} for the keys of a breakdown. */
static json_t *by_labels(struct db *db, const struct figure *f, json_t *by, struct dj_error *err)
{
	json_t *out = json_object();
	const char *key;
	json_t *n;
	json_object_foreach(by, key, n) {
		char label[160] = "";
		if (!*key)
			snprintf(label, sizeof label, "未填写");
		else if (f->by_label && f->by_label(db, key, label, sizeof label, err)) {
			json_decref(out);
			return NULL;
		}
		json_object_set_new(out, key, json_string(*label ? label : key));
	}
	return out;
}

static json_t *value_json(struct db *db, const struct figure *f, const struct figure_scope *s, bool counted,
			  struct dj_error *err)
{
	double num, den = 0;
	json_t *by = NULL;
	if (!counted && has_kept(f)) {
		if (kept_value(db, f, f->kept, s, &num, &by, err))
			return NULL;
		if (f->kind == FIGURE_RATIO && kept_value(db, f, f->kept_den, s, &den, NULL, err))
			return NULL;
	} else {
		if (aggregate(db, f, f->records, s, &num, err))
			return NULL;
		if (f->kind == FIGURE_RATIO && aggregate(db, f, f->den, s, &den, err))
			return NULL;
		if (f->by && !(by = breakdown(db, f, s, err)))
			return NULL;
	}
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
	if (by) {
		json_t *labels = by_labels(db, f, by, err);
		if (!labels) {
			json_decref(by);
			json_decref(out);
			return NULL;
		}
		json_object_set_new(out, "by", by);
		json_object_set_new(out, "by_label", labels);
	}
	return out;
}

json_t *figure_value(struct db *db, const struct figure *f, const struct figure_scope *s, struct dj_error *err)
{
	return value_json(db, f, s, false, err);
}

json_t *figure_value_counted(struct db *db, const struct figure *f, const struct figure_scope *s,
			     struct dj_error *err)
{
	return value_json(db, f, s, true, err);
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
	char *from = records_sql(db, records);
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
