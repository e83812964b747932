/* db_pg.c — the PostgreSQL driver through libpq.  Parameters are sent as
 * text with their types (int8, float8, or left for the server to infer).
 *
 * A connection lost to a restart, a failover, a network cut or a proxy's
 * idle timeout is marked lost and never used again (DESIGN.md, known
 * traps).  One handed out by the pool that fails before any statement of
 * the request ran is replaced and the statement sent again: nothing of the
 * request reached the old server, so that is safe for reads and writes. */
#include "db/db_driver.h"

#include <errno.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/mem.h"

#define OID_BOOL 16
#define OID_BYTEA 17
#define OID_INT8 20
#define OID_INT2 21
#define OID_INT4 23
#define OID_FLOAT4 700
#define OID_FLOAT8 701
#define OID_NUMERIC 1700

/* DESIGN.md: a request waits at most 5 s for a connection; the backoff
 * starts at 100 ms and doubles up to 2 s. */
#define PG_WAIT_MS 5000
#define PG_BACKOFF_MIN_MS 100
#define PG_BACKOFF_MAX_MS 2000

struct pg_stmt {
	struct db_stmt base;
	PGresult *res;
	int row, nrows;
};

static int64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void sleep_ms(int64_t ms)
{
	struct timespec t = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};
	while (nanosleep(&t, &t) != 0 && errno == EINTR)
		;
}

/* Is this the connection's failure rather than the statement's?  A closed
 * socket, SQLSTATE class 08, the server shutting down or starting (57P0x),
 * or a read-only transaction (25006: a standby, or a primary demoted). */
static bool pg_lost(PGconn *c, const PGresult *res)
{
	if (!c || PQstatus(c) == CONNECTION_BAD)
		return true;
	const char *st = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	if (!st)
		return !res;
	return strncmp(st, "08", 2) == 0 || strcmp(st, "57P01") == 0 || strcmp(st, "57P02") == 0 ||
	       strcmp(st, "57P03") == 0 || strcmp(st, "25006") == 0;
}

static int pg_fail(struct db *db, struct dj_error *err, PGresult *res, const char *what)
{
	PGconn *c = db->impl;
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	int code = (state && strncmp(state, "23", 2) == 0) ? DJ_ECONFLICT : DJ_EDB;
	const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(c);
	char clean[400];
	snprintf(clean, sizeof clean, "%s", msg);
	clean[strcspn(clean, "\n")] = 0;
	if (pg_lost(c, res)) {
		if (!db->lost)
			fprintf(stderr, "dangjian: lost the connection to PostgreSQL: %s\n", clean);
		db->lost = true;
		return dj_fail(err, DJ_EUNAVAIL, "", PG_UNAVAIL_MSG);
	}
	return dj_fail(err, code, "", "%s: %s", what, clean);
}

/* A new connection for `db` in place of its lost one. */
static int pg_replace(struct db *db, struct dj_error *err)
{
	struct db *fresh = NULL;
	/* A pool's connection asks its gate: while the server is known to be
	 * away, the request answers 503 at once. */
	int rc = db->gate ? db_gate_open(db->gate, db->url, &fresh, err)
			  : db_pg_open_wait(db->url, PG_WAIT_MS, &fresh, err);
	if (rc)
		return rc;
	PQfinish(db->impl);
	/* Nothing is prepared on the new connection.  Forget the old one's
	 * statements now: the new PGconn may later reuse a freed one's address,
	 * and the cache tells connections apart by that address. */
	db_pg_prep_free(db);
	db->impl = fresh->impl;
	db->gen = fresh->gen;
	fresh->impl = NULL;
	db->lost = false;
	db->ops->close(fresh);
	return 0;
}

/* Run one statement (with parameters, or a script without).  A lost
 * connection that ran nothing of this request yet is replaced once. */
static PGresult *pg_do(struct db *db, const char *q, bool params, int n, const Oid *types, const char *const *vals,
		       const int *lens, const int *fmts, struct dj_error *err)
{
	if (db->lost && !db->fresh) {
		dj_fail(err, DJ_EUNAVAIL, "", PG_UNAVAIL_MSG);
		return NULL;
	}
	for (int attempt = 0;; attempt++) {
		PGconn *c = db->impl;
		PGresult *r = params ? db_pg_prep_exec(db, c, q, n, types, vals, lens, fmts) : PQexec(c, q);
		ExecStatusType s = PQresultStatus(r);
		bool fresh = db->fresh;
		db->fresh = false;
		if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK || (!params && s == PGRES_EMPTY_QUERY))
			return r;
		if (attempt == 0 && fresh && pg_lost(c, r)) {
			PQclear(r);
			db->lost = true;
			if (pg_replace(db, err))
				return NULL;
			continue;
		}
		pg_fail(db, err, r, "postgresql");
		PQclear(r);
		return NULL;
	}
}

static int pg_exec(struct db *db, const char *sql, struct dj_error *err)
{
	PGresult *r = pg_do(db, sql, false, 0, NULL, NULL, NULL, NULL, err);
	if (!r)
		return err ? err->code : DJ_EDB;
	PQclear(r);
	return 0;
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

/* The parameters as libpq takes them: text with a type for numbers, bytes
 * as they are (binary format) for a BLOB. */
struct pg_params {
	Oid *types;
	const char **vals;
	char (*nums)[32];
	int *lens, *fmts;
};

static void pg_params(struct pg_params *p, int n, const db_val *v)
{
	for (int i = 0; i < n; i++) {
		p->types[i] = 0;
		p->vals[i] = NULL;
		p->lens[i] = p->fmts[i] = 0;
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
		case DBV_BLOB:
			p->types[i] = OID_BYTEA;
			p->vals[i] = v[i].n ? v[i].s : "";
			p->lens[i] = (int)v[i].n;
			p->fmts[i] = 1;
			break;
		default:
			break;
		}
	}
}

int db_pg_result_fail(struct db *db, void *res, struct dj_error *err)
{
	return pg_fail(db, err, res, "postgresql");
}

int db_pg_send(struct db *db, const char *sql, int n, const db_val *v, struct dj_error *err)
{
	char *q = pg_rewrite(sql);
	Oid types[n > 0 ? n : 1];
	const char *vals[n > 0 ? n : 1];
	char nums[n > 0 ? n : 1][32];
	int lens[n > 0 ? n : 1], fmts[n > 0 ? n : 1];
	pg_params(&(struct pg_params){types, vals, nums, lens, fmts}, n, v);
	int rc = db_pg_prep_send(db, q, n, types, vals, lens, fmts, err);
	free(q);
	return rc;
}

static struct db_stmt *pg_query(struct db *db, const char *sql, int n, const db_val *v, struct dj_error *err)
{
	char *q = pg_rewrite(sql);
	Oid types[n > 0 ? n : 1];
	const char *vals[n > 0 ? n : 1];
	char nums[n > 0 ? n : 1][32];
	int lens[n > 0 ? n : 1], fmts[n > 0 ? n : 1];
	pg_params(&(struct pg_params){types, vals, nums, lens, fmts}, n, v);
	PGresult *r = pg_do(db, q, true, n, types, vals, lens, fmts, err);
	free(q);
	if (!r)
		return NULL;
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
	if (db->impl)
		PQfinish(db->impl);
	db_pg_prep_free(db);
	free(db->url);
	free(db);
}

static const struct db_ops pg_ops = {
	.exec = pg_exec, .query = pg_query, .next = pg_next, .ncols = pg_ncols,
	.colname = pg_colname, .isnull = pg_isnull, .get_int = pg_int, .get_real = pg_real,
	.get_text = pg_text, .get_json = pg_json, .done = pg_done, .close = pg_close,
};

int db_pg_open(const char *url, struct db **out, struct dj_error *err)
{
	/* Defaults the URL may override (libpq: a later keyword wins, and the
	 * URL is expanded where dbname stands).  Keepalives and the user
	 * timeout find a connection cut without a word (a network cut, a
	 * proxy's idle timeout) in seconds, not in TCP's two hours. */
	static const char *const keys[] = {"connect_timeout", "keepalives_idle", "keepalives_interval",
					   "keepalives_count", "tcp_user_timeout", "dbname", NULL};
	const char *vals[] = {"3", "10", "5", "3", "20000", url, NULL};
	PGconn *c = PQconnectdbParams(keys, vals, 1);
	if (PQstatus(c) != CONNECTION_OK) {
		char msg[300];
		snprintf(msg, sizeof msg, "%s", PQerrorMessage(c));
		msg[strcspn(msg, "\n")] = 0;
		PQfinish(c);
		return dj_fail(err, DJ_EUNAVAIL, "db", "cannot connect to PostgreSQL: %s", msg);
	}
	struct db *db = xcalloc(1, sizeof *db);
	db->kind = DB_PG;
	db->ops = &pg_ops;
	db->impl = c;
	db->url = xstrdup(url);
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

int db_pg_open_wait(const char *url, int wait_ms, struct db **out, struct dj_error *err)
{
	int64_t deadline = now_ms() + wait_ms, delay = PG_BACKOFF_MIN_MS;
	for (;;) {
		struct dj_error e = {0};
		int rc = db_pg_open(url, out, &e);
		int64_t left = deadline - now_ms();
		if (!rc || rc != DJ_EUNAVAIL || left <= 0) {
			if (rc == DJ_EUNAVAIL) {
				fprintf(stderr, "dangjian: %s\n", e.msg);
				dj_fail(err, rc, "", PG_UNAVAIL_MSG);
			} else if (rc) {
				dj_fail(err, rc, e.field, "%s", e.msg);
			}
			json_decref(e.details);
			return rc;
		}
		json_decref(e.details);
		sleep_ms(delay < left ? delay : left);
		delay = delay * 2 > PG_BACKOFF_MAX_MS ? PG_BACKOFF_MAX_MS : delay * 2;
	}
}

int db_pg_server_info(struct db *db, json_t **out, struct dj_error *err)
{
	json_t *r = db_row(db, "SELECT CASE WHEN pg_is_in_recovery() THEN 0 ELSE 1 END AS primary_,"
			       " current_setting('server_version') AS version", DB_NOARGS, err);
	if (!r)
		return err->code;
	PGconn *c = db->impl;
	*out = json_pack("{s:s, s:s, s:s, s:b, s:O}", "engine", "postgresql", "host", PQhost(c), "port", PQport(c),
			 "primary", json_integer_value(json_object_get(r, "primary_")) != 0, "version",
			 json_object_get(r, "version"));
	json_decref(r);
	return 0;
}
