/* db_pg.c — the PostgreSQL driver through libpq.  Parameters are sent as
 * text with their types (int8, float8, or left for the server to infer). */
#include "db/db_driver.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

#define OID_BOOL 16
#define OID_INT8 20
#define OID_INT2 21
#define OID_INT4 23
#define OID_FLOAT4 700
#define OID_FLOAT8 701
#define OID_NUMERIC 1700

struct pg_stmt {
	struct db_stmt base;
	PGresult *res;
	int row, nrows;
};

static int pg_fail(struct dj_error *err, PGresult *res, PGconn *c, const char *what)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	int code = (state && strncmp(state, "23", 2) == 0) ? DJ_ECONFLICT : DJ_EDB;
	const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(c);
	char clean[400];
	snprintf(clean, sizeof clean, "%s", msg);
	clean[strcspn(clean, "\n")] = 0;
	return dj_fail(err, code, "", "%s: %s", what, clean);
}

static int pg_exec(struct db *db, const char *sql, struct dj_error *err)
{
	PGconn *c = db->impl;
	PGresult *r = PQexec(c, sql);
	ExecStatusType s = PQresultStatus(r);
	int rc = 0;
	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK && s != PGRES_EMPTY_QUERY)
		rc = pg_fail(err, r, c, "postgresql");
	PQclear(r);
	return rc;
}

/* `?` → `$N`, `?NNN` → `$NNN`; text in quotes is left alone. */
static char *pg_rewrite(const char *sql)
{
	struct buf b = {0};
	int n = 0;
	for (const char *p = sql; *p; p++) {
		if (*p == '\'' || *p == '"') {
			char q = *p;
			const char *e = p + 1;
			while (*e && *e != q)
				e++;
			buf_append(&b, p, (size_t)(e - p) + (*e ? 1 : 0));
			if (!*e)
				break;
			p = e;
		} else if (*p == '?') {
			if (p[1] >= '0' && p[1] <= '9') {
				buf_puts(&b, "$");
			} else {
				buf_printf(&b, "$%d", ++n);
			}
		} else {
			buf_append(&b, p, 1);
		}
	}
	return buf_detach(&b);
}

/* The parameters as libpq takes them: text with a type for numbers. */
struct pg_params {
	Oid *types;
	const char **vals;
	char (*nums)[32];
};

static void pg_params(struct pg_params *p, int n, const db_val *v)
{
	for (int i = 0; i < n; i++) {
		p->types[i] = 0;
		p->vals[i] = NULL;
		switch (v[i].t) {
		case DBV_INT:
			p->types[i] = OID_INT8;
			snprintf(p->nums[i], sizeof p->nums[i], "%lld", (long long)v[i].i);
			p->vals[i] = p->nums[i];
			break;
		case DBV_REAL:
			p->types[i] = OID_FLOAT8;
			snprintf(p->nums[i], sizeof p->nums[i], "%.17g", v[i].d);
			p->vals[i] = p->nums[i];
			break;
		case DBV_TEXT:
			p->vals[i] = v[i].s;
			break;
		default:
			break;
		}
	}
}

int db_pg_result_fail(struct db *db, void *res, struct dj_error *err)
{
	return pg_fail(err, res, db->impl, "postgresql");
}

int db_pg_send(struct db *db, const char *sql, int n, const db_val *v, struct dj_error *err)
{
	PGconn *c = db->impl;
	char *q = pg_rewrite(sql);
	Oid types[n > 0 ? n : 1];
	const char *vals[n > 0 ? n : 1];
	char nums[n > 0 ? n : 1][32];
	pg_params(&(struct pg_params){types, vals, nums}, n, v);
	int ok = PQsendQueryParams(c, q, n, types, vals, NULL, NULL, 0);
	free(q);
	return ok ? 0 : pg_fail(err, NULL, c, "postgresql");
}

static struct db_stmt *pg_query(struct db *db, const char *sql, int n, const db_val *v, struct dj_error *err)
{
	PGconn *c = db->impl;
	char *q = pg_rewrite(sql);
	Oid types[n > 0 ? n : 1];
	const char *vals[n > 0 ? n : 1];
	char nums[n > 0 ? n : 1][32];
	pg_params(&(struct pg_params){types, vals, nums}, n, v);
	PGresult *r = PQexecParams(c, q, n, types, vals, NULL, NULL, 0);
	free(q);
	ExecStatusType s = PQresultStatus(r);
	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
		pg_fail(err, r, c, "postgresql");
		PQclear(r);
		return NULL;
	}
	struct pg_stmt *st = xcalloc(1, sizeof *st);
	st->base.db = db;
	st->base.err = err;
	st->res = r;
	st->row = -1;
	st->nrows = PQntuples(r);
	return &st->base;
}

static int pg_next(struct db_stmt *b)
{
	struct pg_stmt *s = (struct pg_stmt *)b;
	if (s->row + 1 >= s->nrows)
		return 0;
	s->row++;
	return 1;
}

static int pg_ncols(struct db_stmt *b) { return PQnfields(((struct pg_stmt *)b)->res); }
static const char *pg_colname(struct db_stmt *b, int c) { return PQfname(((struct pg_stmt *)b)->res, c); }

static bool pg_isnull(struct db_stmt *b, int c)
{
	struct pg_stmt *s = (struct pg_stmt *)b;
	return PQgetisnull(s->res, s->row, c);
}

static const char *pg_text(struct db_stmt *b, int c)
{
	struct pg_stmt *s = (struct pg_stmt *)b;
	return PQgetvalue(s->res, s->row, c);
}

static int64_t pg_int(struct db_stmt *b, int c)
{
	struct pg_stmt *s = (struct pg_stmt *)b;
	const char *t = PQgetvalue(s->res, s->row, c);
	if (PQftype(s->res, c) == OID_BOOL)
		return t[0] == 't';
	return strtoll(t, NULL, 10);
}

static double pg_real(struct db_stmt *b, int c) { return strtod(pg_text(b, c), NULL); }

static json_t *pg_json(struct db_stmt *b, int c)
{
	struct pg_stmt *s = (struct pg_stmt *)b;
	if (PQgetisnull(s->res, s->row, c))
		return json_null();
	const char *t = PQgetvalue(s->res, s->row, c);
	switch (PQftype(s->res, c)) {
	case OID_INT2: case OID_INT4: case OID_INT8:
		return json_integer(strtoll(t, NULL, 10));
	case OID_BOOL:
		return json_integer(t[0] == 't');
	case OID_NUMERIC:
		if (!strchr(t, '.'))
			return json_integer(strtoll(t, NULL, 10));
		/* fall through */
	case OID_FLOAT4: case OID_FLOAT8:
		return json_real(strtod(t, NULL));
	default:
		return json_stringn(t, (size_t)PQgetlength(s->res, s->row, c));
	}
}

static void pg_done(struct db_stmt *b)
{
	struct pg_stmt *s = (struct pg_stmt *)b;
	PQclear(s->res);
	free(s);
}

static void pg_close(struct db *db)
{
	PQfinish(db->impl);
	free(db);
}

static const struct db_ops pg_ops = {
	.exec = pg_exec, .query = pg_query, .next = pg_next, .ncols = pg_ncols,
	.colname = pg_colname, .isnull = pg_isnull, .get_int = pg_int, .get_real = pg_real,
	.get_text = pg_text, .get_json = pg_json, .done = pg_done, .close = pg_close,
};

int db_pg_open(const char *url, struct db **out, struct dj_error *err)
{
	PGconn *c = PQconnectdb(url);
	if (PQstatus(c) != CONNECTION_OK) {
		char msg[300];
		snprintf(msg, sizeof msg, "%s", PQerrorMessage(c));
		msg[strcspn(msg, "\n")] = 0;
		PQfinish(c);
		return dj_fail(err, DJ_EDB, "db", "cannot connect to PostgreSQL: %s", msg);
	}
	struct db *db = xcalloc(1, sizeof *db);
	db->kind = DB_PG;
	db->ops = &pg_ops;
	db->impl = c;
	int rc = pg_exec(db, "SET client_min_messages = warning; SET client_encoding = 'UTF8'", err);
	if (rc) {
		pg_close(db);
		return rc;
	}
	*out = db;
	return 0;
}

int db_pg_notified(struct db *db)
{
	PGconn *c = db->impl;
	if (!PQconsumeInput(c) || PQstatus(c) != CONNECTION_OK)
		return -1;
	int n = 0;
	for (PGnotify *note; (note = PQnotifies(c));) {
		PQfreemem(note);
		n = 1;
	}
	return n;
}
