/* db_pg_prep.c — PostgreSQL: statements a connection sends again and again
 * are prepared on it once (named, per connection), as db_sqlite.c keeps
 * its prepared statements.  Sent unnamed (PQexecParams) each statement is
 * parsed and planned anew: on the bench's reads that was 60–85 % of the
 * backend's time per statement (bind 0.3–0.8 ms against 0.02–0.15 ms of
 * execution), paid on every computed answer and every write.
 *
 * A statement is prepared the second time its text (and its parameters'
 * types) is seen, so one-off texts — a version bump with its ids written
 * in, a list built for one request — never take a slot; one without
 * parameters that comes back (the versions' read, 50 times a second under
 * writes) is prepared like the others.  A text's hash picks a set of
 * PREP_WAYS slots: a text only noted once gives way to a newer one (the
 * least recently used), a prepared one stays so for the connection's life,
 * at most PREP_SETS * PREP_WAYS named statements per backend.  One slot per
 * hash, first come kept for good, sent every text that later hashed there
 * unprepared (db_sqlite.c found 43,638 such re-preparations in one
 * generate).  A connection replaced after a loss (db_pg.c) starts with none.  DANGJIAN_PG_PREPARE=0 sends everything unnamed (to
 * measure). */
#include "db/db_driver.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

#define PREP_SETS 64
#define PREP_WAYS 8
#define PREP_SLOTS (PREP_SETS * PREP_WAYS)

struct prep_slot {
	char *key;		/* the parameters' types, then the text */
	unsigned long used;	/* the tick of its last use: the oldest noted text goes first */
	bool ready;		/* prepared on the connection as "dj<slot>" */
	bool bad;		/* its plan cannot stand (a schema changed): sent unnamed */
};

struct pg_prep {
	const void *conn;	/* the connection the slots are for */
	unsigned long tick;
	struct prep_slot slot[PREP_SLOTS];
};

static bool prep_on(void)
{
	static int on = -1;
	if (on < 0) {
		const char *e = getenv("DANGJIAN_PG_PREPARE");
		on = !(e && strcmp(e, "0") == 0);
	}
	return on;
}

static void prep_clear(struct pg_prep *p)
{
	for (int i = 0; i < PREP_SLOTS; i++) {
		free(p->slot[i].key);
		p->slot[i] = (struct prep_slot){0};
	}
}

void db_pg_prep_free(struct db *db)
{
	if (db->prep) {
		prep_clear(db->prep);
		free(db->prep);
		db->prep = NULL;
	}
}

static char *prep_key(const char *q, int n, const Oid *types, unsigned *hash)
{
	struct buf b = {0};
	for (int i = 0; i < n; i++)
		buf_printf(&b, "%u,", (unsigned)types[i]);
	buf_puts(&b, "|");
	buf_puts(&b, q);
	unsigned h = 5381;
	for (const unsigned char *s = (const unsigned char *)b.data; *s; s++)
		h = h * 33 + *s;
	*hash = h;
	return buf_detach(&b);
}

/* The slot of text q on connection c: NULL to send it unnamed (first
 * sight, a full set, a statement that cannot be prepared, or preparing
 * off), else its slot, named "dj<index>" in `name`. */
static struct prep_slot *prep_find(struct db *db, PGconn *c, const char *q, int n, const Oid *types, char name[16])
{
	if (!prep_on())
		return NULL;
	struct pg_prep *p = db->prep;
	if (!p)
		p = db->prep = xcalloc(1, sizeof *p);
	if (p->conn != c) {	/* a new connection: nothing is prepared on it */
		prep_clear(p);
		p->conn = c;
	}
	unsigned h;
	char *key = prep_key(q, n, types, &h);
	struct prep_slot *set = &p->slot[(h % PREP_SETS) * PREP_WAYS], *s = NULL, *free_way = NULL;
	for (int w = 0; w < PREP_WAYS && !s; w++) {
		struct prep_slot *x = &set[w];
		if (x->key && strcmp(x->key, key) == 0)
			s = x;
		else if (!x->ready && (!free_way || !x->key || (free_way->key && x->used < free_way->used)))
			free_way = x;	/* empty, or the oldest text seen only once */
	}
	if (!s) {
		if (free_way) {	/* first sight: noted, sent unnamed */
			free(free_way->key);
			*free_way = (struct prep_slot){.key = key, .used = ++p->tick};
		} else {
			free(key);	/* every way holds a prepared statement */
		}
		return NULL;
	}
	s->used = ++p->tick;
	free(key);
	if (s->bad)
		return NULL;
	snprintf(name, 16, "dj%d", (int)(s - p->slot));
	return s;
}

void *db_pg_prep_exec(struct db *db, void *conn, const char *q, int n, const unsigned *types,
		      const char *const *vals, const int *lens, const int *fmts)
{
	PGconn *c = conn;
	char name[16];
	struct prep_slot *s = prep_find(db, c, q, n, types, name);
	if (!s)
		return PQexecParams(c, q, n, types, vals, lens, fmts, 0);
	if (!s->ready) {
		PGresult *r = PQprepare(c, name, q, n, types);
		if (PQresultStatus(r) != PGRES_COMMAND_OK)
			return r;	/* the statement's own error (or the connection's) */
		PQclear(r);
		s->ready = true;
	}
	PGresult *r = PQexecPrepared(c, name, n, vals, lens, fmts, 0);
	const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	if (state && strcmp(state, "0A000") == 0)	/* "cached plan must not change result type" */
		s->bad = true;
	return r;
}

int db_pg_prep_send(struct db *db, const char *q, int n, const unsigned *types, const char *const *vals,
		    const int *lens, const int *fmts, struct dj_error *err)
{
	PGconn *c = db->impl;
	char name[16];
	struct prep_slot *s = prep_find(db, c, q, n, types, name);
	if (s && !s->ready) {
		/* Prepared outside the pipeline, once per connection and text, so
		 * that its failure is its own (a Parse queued after a failed
		 * statement would be skipped, and the name never exist). */
		int rc = db_pipe_flush(db, err);
		if (rc)
			return rc;
		PGresult *r = PQprepare(c, name, q, n, types);
		rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : db_pg_result_fail(db, r, err);
		PQclear(r);
		if (rc)
			return rc;
		s->ready = true;
		if (!PQenterPipelineMode(c))
			return db_pg_result_fail(db, NULL, err);
		db->piped = true;
	}
	int ok = s ? PQsendQueryPrepared(c, name, n, vals, lens, fmts, 0)
		   : PQsendQueryParams(c, q, n, types, vals, lens, fmts, 0);
	return ok ? 0 : db_pg_result_fail(db, NULL, err);
}
