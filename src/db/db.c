/* db.c — driver dispatch, one-shot helpers, transactions and the pool. */
#include "db/db_driver.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/mem.h"

bool db_is_pg_url(const char *url)
{
	return strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0;
}

int db_open(const char *url, struct db **out, struct dj_error *err)
{
	if (!url || !*url)
		return dj_fail(err, DJ_EINVAL, "db", "no database given");
	if (db_is_pg_url(url))
		return db_pg_open(url, out, err);
	return db_sqlite_open(url, out, err);
}

void db_close(struct db *db)
{
	if (db)
		db->ops->close(db);
}

enum db_kind db_kind(const struct db *db) { return db->kind; }
bool db_lost(const struct db *db) { return db->lost; }
bool db_commit_unknown(const struct db *db) { return db->commit_unknown; }

int db_writable(struct db *db, struct dj_error *err)
{
	int64_t w = 0;
	int rc = db_int1(db, &w, db->kind == DB_PG ? "SELECT CASE WHEN pg_is_in_recovery() THEN 0 ELSE 1 END" : "SELECT 1",
			 DB_NOARGS, err);
	if (!rc && !w) {
		db->lost = true;
		rc = dj_fail(err, DJ_EUNAVAIL, "", PG_UNAVAIL_MSG);
	}
	return rc;
}

int db_server_info(struct db *db, json_t **out, struct dj_error *err)
{
	if (db->kind == DB_PG)
		return db_pg_server_info(db, out, err);
	*out = json_pack("{s:s, s:b}", "engine", "sqlite", "primary", 1);
	return 0;
}

/* Note what a statement of the open transaction writes. */
static void note_write(struct db *db, unsigned m, const char *sql)
{
	if (m && !db->first_write[0] && sql)
		snprintf(db->first_write, sizeof db->first_write, "%s", sql);
	db->dirty |= m & DEP_ALL;
	if (m & (DB_WHOLE | DB_TREE))
		db->dirty_whole |= m & DEP_ALL;
	if (m & DB_TREE)
		db->dirty_tree = true;
}

void db_note_write(struct db *db, unsigned m)
{
	note_write(db, m, NULL);
}

static void forget_writes(struct db *db)
{
	db->dirty = db->dirty_whole = 0;
	db->dirty_tree = false;
	db->ntouched = 0;
}

unsigned db_commits(const struct db *db) { return db->commits; }

int64_t db_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

const struct db_timing *db_timing(const struct db *db) { return &db->timing; }
void db_timing_reset(struct db *db) { memset(&db->timing, 0, sizeof db->timing); }

void db_touch_org(struct db *db, int64_t org_id)
{
	if (db->txdepth == 0 || db->ntouched < 0)
		return;
	if (org_id <= 0) {	/* an org not known: everywhere */
		db->ntouched = -1;
		return;
	}
	for (int i = 0; i < db->ntouched; i++)
		if (db->touched[i] == org_id)
			return;
	if (db->ntouched == (int)(sizeof db->touched / sizeof db->touched[0]))
		db->ntouched = -1;	/* a write this wide moves its scopes everywhere */
	else
		db->touched[db->ntouched++] = org_id;
}

int db_exec(struct db *db, const char *sql, struct dj_error *err)
{
	unsigned m = db->untracked ? 0 : db_write_scopes(sql);
	if (m && db->txdepth > 0)
		note_write(db, m, sql);
	int rc = 0;
	if (db->piped || db->copies) {	/* PostgreSQL's bulk writes go out (or away) first */
		if (strcmp(sql, "ROLLBACK") == 0)
			db_bulk_drop(db);
		else if ((rc = db_bulk_sync(db, err)))
			return rc;
	}
	db->timing.nstmt++;
	rc = db->ops->exec(db, sql, err);
	if (!rc && m && db->txdepth == 0)	/* DDL and scripts, run alone: rare */
		rc = db_bump(db, m & DEP_ALL, DEP_ALL, (m & DB_TREE) != 0, err);
	return rc;
}

struct db_stmt *db_query(struct db *db, const char *sql, int n, const db_val *v, struct dj_error *err)
{
	if ((db->piped || db->copies) && db_bulk_sync(db, err))
		return NULL;
	unsigned m = db->untracked ? 0 : db_write_scopes(sql);
	bool own = m && db->txdepth == 0;
	/* A write outside a transaction gets one, so its scopes move with it. */
	if (own && db_begin(db, err))
		return NULL;
	note_write(db, m, sql);
	db->timing.nstmt++;
	struct db_stmt *st = db->ops->query(db, sql, n, v, err);
	if (own) {
		if (st) {
			db->implicit = st;
			db->implicit_failed = false;
		}
		else
			db_rollback(db);
	}
	return st;
}

int db_next(struct db_stmt *st)
{
	int rc = st->db->ops->next(st);
	if (rc < 0 && st->db->implicit == st)
		st->db->implicit_failed = true;
	return rc;
}
int db_ncols(struct db_stmt *st) { return st->db->ops->ncols(st); }
const char *db_colname(struct db_stmt *st, int c) { return st->db->ops->colname(st, c); }
bool db_isnull(struct db_stmt *st, int c) { return st->db->ops->isnull(st, c); }
int64_t db_int(struct db_stmt *st, int c) { return st->db->ops->get_int(st, c); }
double db_real(struct db_stmt *st, int c) { return st->db->ops->get_real(st, c); }
const char *db_text(struct db_stmt *st, int c) { return st->db->ops->get_text(st, c); }
json_t *db_json(struct db_stmt *st, int c) { return st->db->ops->get_json(st, c); }
/* Done with `st`; a write that had a transaction of its own commits now
 * (a failure is left in the error given to db_query). */
static int stmt_end(struct db_stmt *st)
{
	if (!st)
		return 0;
	struct db *db = st->db;
	struct dj_error *err = st->err;
	bool own = db->implicit == st;
	db->ops->done(st);
	if (!own)
		return 0;
	db->implicit = NULL;
	if (db->implicit_failed) {	/* the statement's own error stands */
		db->implicit_failed = false;
		db_rollback(db);
		return 0;
	}
	struct dj_error tmp = {0};
	int rc = db_commit(db, err ? err : &tmp);
	json_decref(tmp.details);
	return rc;
}

void db_done(struct db_stmt *st)
{
	stmt_end(st);
}

int db_run(struct db *db, const char *sql, int n, const db_val *v, struct dj_error *err)
{
	if (db->bulk && db->txdepth > 0) {	/* PostgreSQL only: db_bulk sets it there */
		if (!db->untracked)
			note_write(db, db_write_scopes(sql), sql);
		return db_pipe_run(db, sql, n, v, err);
	}
	struct db_stmt *st = db_query(db, sql, n, v, err);
	if (!st)
		return err ? err->code : DJ_EDB;
	int rc;
	while ((rc = db_next(st)) > 0)
		;
	int end = stmt_end(st);
	if (rc < 0)
		return err ? err->code : DJ_EDB;
	return end;
}

int db_int1(struct db *db, int64_t *out, const char *sql, int n, const db_val *v, struct dj_error *err)
{
	struct db_stmt *st = db_query(db, sql, n, v, err);
	if (!st)
		return err ? err->code : DJ_EDB;
	int rc = db_next(st);
	if (rc > 0)
		*out = db_int(st, 0);
	db_done(st);
	if (rc < 0)
		return err ? err->code : DJ_EDB;
	return rc == 0 ? dj_fail(err, DJ_ENOTFOUND, "", "未找到记录") : 0;
}

int db_exists(struct db *db, bool *found, const char *sql, int n, const db_val *v, struct dj_error *err)
{
	struct db_stmt *st = db_query(db, sql, n, v, err);
	if (!st)
		return err && err->code ? err->code : DJ_EDB;
	int rc = db_next(st);
	db_done(st);
	if (rc < 0)
		return err && err->code ? err->code : DJ_EDB;
	*found = rc > 0;
	return 0;
}

int db_text1(struct db *db, char **out, const char *sql, int n, const db_val *v, struct dj_error *err)
{
	struct db_stmt *st = db_query(db, sql, n, v, err);
	if (!st)
		return err ? err->code : DJ_EDB;
	int rc = db_next(st);
	if (rc > 0)
		*out = db_isnull(st, 0) ? NULL : xstrdup(db_text(st, 0));
	db_done(st);
	if (rc < 0)
		return err ? err->code : DJ_EDB;
	return rc == 0 ? dj_fail(err, DJ_ENOTFOUND, "", "未找到记录") : 0;
}

static json_t *row_object(struct db_stmt *st)
{
	json_t *o = json_object();
	int nc = db_ncols(st);
	for (int c = 0; c < nc; c++)
		json_object_set_new(o, db_colname(st, c), db_json(st, c));
	return o;
}

json_t *db_rows(struct db *db, const char *sql, int n, const db_val *v, struct dj_error *err)
{
	struct db_stmt *st = db_query(db, sql, n, v, err);
	if (!st)
		return NULL;
	json_t *arr = json_array();
	int rc;
	while ((rc = db_next(st)) > 0)
		json_array_append_new(arr, row_object(st));
	db_done(st);
	if (rc < 0) {
		json_decref(arr);
		return NULL;
	}
	return arr;
}

json_t *db_row(struct db *db, const char *sql, int n, const db_val *v, struct dj_error *err)
{
	struct db_stmt *st = db_query(db, sql, n, v, err);
	if (!st)
		return NULL;
	json_t *o = NULL;
	int rc = db_next(st);
	if (rc > 0)
		o = row_object(st);
	db_done(st);
	if (rc == 0)
		dj_fail(err, DJ_ENOTFOUND, "", "未找到记录");
	return o;
}

/* Commits of this process that moved a version: its pool reads the
 * versions again before the next request, without waiting for a NOTIFY. */
static atomic_uint local_commits;

/* The transaction is over: the next writer of this file may go. */
static void tx_over(struct db *db)
{
	if (db->wlocked && getenv("DANGJIAN_TRACE")) {
		int64_t held = db_now_us() - db->wlock_since;
		if (held > 30000)
			fprintf(stderr, "trace-hold %.1f ms: %s\n", held / 1e3, db->first_write);
	}
	db->first_write[0] = 0;
	if (db->wlocked) {
		db->wlocked = false;
		db_wlock_give(db->wlock);
	}
}

/* SQLite's busy timeout, which a writer queued in the process waits at most too. */
#define WLOCK_WAIT_MS 10000

/* Nested begin/commit pairs collapse into the outermost transaction, so a
 * domain function can be called alone or inside a larger write.  An inner
 * rollback dooms the outer transaction. */
int db_begin(struct db *db, struct dj_error *err)
{
	if (db->txdepth++ > 0)
		return 0;
	db->txfailed = false;
	forget_writes(db);
	int64_t t0 = db_now_us();
	if (db->wlock && !db->wlocked && (db->wlocked = db_wlock_take(db->wlock, WLOCK_WAIT_MS)))
		db->wlock_since = db_now_us();
	int rc = db_exec(db, db->kind == DB_SQLITE ? "BEGIN IMMEDIATE" : "BEGIN", err);
	if (rc) {
		db->txdepth = 0;
		tx_over(db);
	}
	db->timing.mark_us = db_now_us();
	db->timing.begin_us += db->timing.mark_us - t0;
	db->timing.ntx++;
	return rc;
}

int db_commit(struct db *db, struct dj_error *err)
{
	if (db->txdepth == 0 || --db->txdepth > 0)
		return 0;
	if (db->txfailed) {
		db_exec(db, "ROLLBACK", NULL);
		tx_over(db);
		return dj_fail(err, DJ_EDB, "", "事务已回滚");
	}
	/* The versions of what this transaction wrote move with it. */
	unsigned dirty = db->untracked ? 0 : db->dirty;
	int64_t t0 = db_now_us();
	db->timing.body_us += t0 - db->timing.mark_us;
	int rc = db_bulk_sync(db, err);	/* the bulk writes' errors come first */
	if (!rc && dirty)
		rc = db_bump(db, dirty, db->dirty_whole, db->dirty_tree, err);
	forget_writes(db);
	bool was_lost = db->lost;
	int64_t t1 = db_now_us();
	db->timing.bump_us += t1 - t0;
	bool sent = !rc;
	if (sent)
		rc = db_exec(db, "COMMIT", err);
	db->timing.commit_us += db_now_us() - t1;
	if (sent && rc == DJ_EUNAVAIL && !was_lost) {
		/* Sent, and the connection went before the answer: the server may
		 * have committed or not.  Never retried blindly: the caller says so. */
		db->commit_unknown = true;
		tx_over(db);
		return dj_fail(err, DJ_EUNAVAIL, "", "数据库连接中断，无法确认本次保存是否成功，请稍后刷新查看");
	}
	if (rc)
		db_exec(db, "ROLLBACK", NULL);
	else if (dirty) {
		db->commits++;
		atomic_fetch_add(&local_commits, 1);
	}
	tx_over(db);
	return rc;
}

void db_rollback(struct db *db)
{
	if (db->txdepth == 0)
		return;
	if (--db->txdepth > 0) {
		db->txfailed = true;
		return;
	}
	forget_writes(db);
	db_exec(db, "ROLLBACK", NULL);
	tx_over(db);
}

int db_end(struct db *db, int rc, struct dj_error *err)
{
	if (rc == 0)
		return db_commit(db, err);
	db_rollback(db);
	return rc;
}

void db_json_text(json_t *row, const char *key, json_t *fallback)
{
	const char *text = json_string_value(json_object_get(row, key));
	json_t *v = text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
	json_object_set_new(row, key, v ? v : fallback);
	if (v)
		json_decref(fallback);
}

struct db_pool {
	char *url;
	pthread_mutex_t mu;
	struct db **idle;
	int nidle, max;
	/* Two locks: conn_mu for the watch connection and what its reads
	 * decide (taken for a read's round trips), watch_mu for what requests
	 * read (`seen`, `tree`, gen, epoch: held for copies only).  So the
	 * requests of a PostgreSQL server never queue behind a read of the
	 * versions that another request makes. */
	pthread_mutex_t conn_mu, watch_mu;
	struct db *watch;	/* only reads the versions */
	struct db_gate *gate;	/* PostgreSQL: whether it can be reached (db_gate.c) */
	bool known;		/* `seen` and `tree` are as of `data_version` (SQLite) */
	bool listening;		/* PostgreSQL: LISTEN dj_version is in effect */
	bool every;		/* read on every request (DANGJIAN_VERSION_CHECK=query: to measure) */
	int64_t data_version;
	int64_t checked_ms;	/* PostgreSQL: when the rows were last read */
	unsigned local_seen;	/* local_commits as of that read */
	struct db_versions seen;	/* every scope's version everywhere */
	struct org_tree *tree;		/* and per org, rolled up the tree */
	uint64_t tree_v, gen;	/* the 'tree' row as last read; loads of the tree */
	/* A schema changed by hand moves every scope (by `epoch`): answers
	 * kept from before must not stand for tables that are gone. */
	int64_t schema;
	uint64_t epoch;
	struct orgtree_rows rows;	/* read by conn_mu's holder, applied under watch_mu */
	bool ready;		/* under watch_mu: `seen` and `tree` stand (as `known`) */
	/* DANGJIAN_TRACE=cache: reads of the versions, of them the loads of
	 * the tree, schema changes seen, and the reads a NOTIFY asked for. */
	uint64_t nreads, nloads, nepochs, nnotified;
};

struct db_pool *db_pool_new(const char *url, int max)
{
	struct db_pool *p = xcalloc(1, sizeof *p);
	p->url = xstrdup(url);
	p->max = max;
	p->idle = xcalloc((size_t)max, sizeof *p->idle);
	p->tree = orgtree_new();
	const char *check = getenv("DANGJIAN_VERSION_CHECK");
	p->every = check && strcmp(check, "query") == 0;
	if (db_is_pg_url(url))
		p->gate = db_gate_new();
	pthread_mutex_init(&p->mu, NULL);
	pthread_mutex_init(&p->conn_mu, NULL);
	pthread_mutex_init(&p->watch_mu, NULL);
	return p;
}

/* A new connection: on PostgreSQL through the gate, which answers at once
 * while the server is known to be away. */
static int pool_open(struct db_pool *p, struct db **out, struct dj_error *err)
{
	return p->gate ? db_gate_open(p->gate, p->url, out, err) : db_open(p->url, out, err);
}

int db_pool_get(struct db_pool *p, struct db **out, struct dj_error *err)
{
	struct db *db;
	for (;;) {
		pthread_mutex_lock(&p->mu);
		db = p->nidle ? p->idle[--p->nidle] : NULL;
		pthread_mutex_unlock(&p->mu);
		if (!db || !p->gate || !db_gate_stale(p->gate, db))
			break;
		db_close(db);	/* opened before an outage: dead, or soon found so */
	}
	int rc = db ? 0 : pool_open(p, &db, err);
	if (rc)
		return rc;
	/* An idle connection may have died since (a restart): its first
	 * statement finds out and replaces it (db_pg.c). */
	db->fresh = true;
	db->commit_unknown = false;
	*out = db;
	return 0;
}

void db_pool_put(struct db_pool *p, struct db *db)
{
	if (!db)
		return;
	db->fresh = false;
	/* A handler left a transaction open, or the server went away: never reuse it. */
	if (db->txdepth != 0 || db->lost) {
		db_close(db);
		return;
	}
	pthread_mutex_lock(&p->mu);
	if (p->nidle < p->max) {
		p->idle[p->nidle++] = db;
		db = NULL;
	}
	pthread_mutex_unlock(&p->mu);
	db_close(db);
}

void db_pool_free(struct db_pool *p)
{
	if (!p)
		return;
	for (int i = 0; i < p->nidle; i++)
		db_close(p->idle[i]);
	db_close(p->watch);
	db_gate_free(p->gate);
	orgtree_free(p->tree);
	free(p->rows.rows);
	pthread_mutex_destroy(&p->mu);
	pthread_mutex_destroy(&p->conn_mu);
	pthread_mutex_destroy(&p->watch_mu);
	free(p->idle);
	free(p->url);
	free(p);
}

/* Read the scope rows, then the tree (again when its shape moved) or the
 * org rows changed since the last read.  Each statement sees at least what
 * the one before saw, and every version only grows: a write landing between
 * them is read now or next time, never lost.  Called with conn_mu held (the
 * only writer of the snapshot); the snapshot changes under watch_mu, after
 * the round trips. */
static int read_versions(struct db_pool *p, struct dj_error *err)
{
	int64_t schema = 0;
	struct db_versions seen;
	int rc = db_read_versions(p->watch, &seen, &schema, err);
	if (rc)
		return rc;
	struct org_tree *fresh = NULL;
	bool load = !orgtree_loaded(p->tree) || seen.tree != p->tree_v;
	p->rows.n = 0;
	if (load) {
		fresh = orgtree_new();
		if ((rc = orgtree_load(fresh, p->watch, err))) {
			orgtree_free(fresh);
			return rc;
		}
	} else if ((int64_t)seen.seq > orgtree_seq(p->tree) && (rc = orgtree_fetch(p->tree, p->watch, &p->rows, err))) {
		return rc;
	}
	pthread_mutex_lock(&p->watch_mu);
	p->nreads++;
	p->nloads += fresh != NULL;
	p->seen = seen;
	if (schema != p->schema) {
		if (p->schema) {
			p->epoch++;
			p->nepochs++;
		}
		p->schema = schema;
	}
	if (fresh) {
		struct org_tree *old = p->tree;
		p->tree = fresh;
		fresh = old;	/* freed below, outside the lock */
		p->tree_v = seen.tree;
		p->gen++;	/* sums over the new shape may be smaller: start above them all */
	} else {
		orgtree_apply(p->tree, &p->rows);
	}
	p->ready = true;
	pthread_mutex_unlock(&p->watch_mu);
	orgtree_free(fresh);
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* PostgreSQL: read the rows only when something may have changed.  A
 * writing commit sends NOTIFY dj_version (db_version.c), which arrives on
 * the watch connection's socket without being asked for; a commit of this
 * process is known here at once; and a poll each second covers a
 * notification lost with a connection that died silently.  `force`: read
 * now (db_pool_refresh). */
static int pg_versions(struct db_pool *p, bool force, struct dj_error *err)
{
	int rc = 0;
	if (!p->listening) {
		if ((rc = db_exec(p->watch, "LISTEN dj_version", err)))
			return rc;
		p->listening = true;
		p->known = false;
	}
	int n = db_pg_notified(p->watch);
	if (n < 0)
		return dj_fail(err, DJ_EDB, "db", "the versions' connection to PostgreSQL is lost");
#ifdef DJ_TEST_HOOKS
	/* tests/pg/nginx: a NOTIFY that comes late (a loaded server): only
	 * this server's own commits and a client's dj_seq make it read. */
	if (getenv("DJ_TEST_LATE_NOTIFY") && p->known && !force && atomic_load(&local_commits) == p->local_seen)
		return 0;
#endif
	unsigned local = atomic_load(&local_commits);
	int64_t now = now_ms();
	p->nnotified += n > 0;
	if (force || !p->known || n > 0 || local != p->local_seen || now - p->checked_ms >= 1000 || p->every) {
		/* The commits counted before the read are in it. */
		if (!(rc = read_versions(p, err))) {
			p->known = true;
			p->local_seen = local;
			p->checked_ms = now;
		}
	}
	return rc;
}

/* With conn_mu held: bring the snapshot up to date. */
static int pool_check(struct db_pool *p, bool force, struct dj_error *err)
{
	int rc = 0;
	if (!p->watch && (rc = pool_open(p, &p->watch, err)) == 0) {
		p->known = false;
		p->listening = false;
	}
	if (!rc && p->watch->kind == DB_SQLITE) {
		/* Changes when another connection commits (this one never writes):
		 * the rows are read again only then. */
		int64_t dv = 0;
		rc = db_int1(p->watch, &dv, "PRAGMA data_version", DB_NOARGS, err);
		if (!rc && (force || !p->known || dv != p->data_version)) {
			rc = read_versions(p, err);
			p->known = rc == 0;
			p->data_version = dv;
		}
	} else if (!rc) {
		rc = pg_versions(p, force, err);
	}
	if (rc && p->watch) {
		db_close(p->watch);	/* reopen next time: the server may have restarted */
		p->watch = NULL;
		p->known = false;
		pthread_mutex_lock(&p->watch_mu);
		p->ready = false;
		pthread_mutex_unlock(&p->watch_mu);
	}
	return rc;
}

int db_pool_versions(struct db_pool *p, struct db_versions *v, struct dj_error *err)
{
	int rc = 0;
	/* PostgreSQL: while another request reads the versions, this one takes
	 * the snapshot as it stands — as if a NOTIFY came a moment later.  A
	 * request of this server that committed has read them before its answer
	 * went out (db_pool_refresh), so whoever saw that answer sees the write. */
	bool pg = db_is_pg_url(p->url);
	if (pg && !p->every && pthread_mutex_trylock(&p->conn_mu) != 0) {
		pthread_mutex_lock(&p->watch_mu);
		bool known = p->ready;
		if (known) {
			*v = p->seen;
			for (int s = 0; s < DB_SCOPE_N; s++)
				v->v[s] += p->epoch;
		}
		pthread_mutex_unlock(&p->watch_mu);
		if (known)
			return 0;
		pthread_mutex_lock(&p->conn_mu);
	} else if (!pg || p->every) {
		pthread_mutex_lock(&p->conn_mu);
	}
	rc = pool_check(p, false, err);
	pthread_mutex_lock(&p->watch_mu);
	if (!rc) {
		*v = p->seen;
		for (int s = 0; s < DB_SCOPE_N; s++)
			v->v[s] += p->epoch;
	}
	pthread_mutex_unlock(&p->watch_mu);
	pthread_mutex_unlock(&p->conn_mu);
	return rc;
}

/* Every row of data_version only grows and every versioned write moves
 * one: a snapshot whose sum is at least that of one read after a commit
 * was read after that commit. */
static uint64_t versions_stamp(const struct db_versions *v)
{
	uint64_t sum = v->tree + v->seq;
	for (int s = 0; s < DB_SCOPE_N; s++)
		sum += v->v[s];
	return sum;
}

int db_pool_versions_after(struct db_pool *p, uint64_t stamp, struct db_versions *v, struct dj_error *err)
{
	if (stamp && db_is_pg_url(p->url)) {
		pthread_mutex_lock(&p->watch_mu);
		bool behind = !p->ready || versions_stamp(&p->seen) < stamp;
		pthread_mutex_unlock(&p->watch_mu);
		if (behind) {	/* waits for a read in progress, then reads if still behind */
			pthread_mutex_lock(&p->conn_mu);
			pthread_mutex_lock(&p->watch_mu);
			behind = !p->ready || versions_stamp(&p->seen) < stamp;
			pthread_mutex_unlock(&p->watch_mu);
			int rc = behind ? pool_check(p, true, err) : 0;
			pthread_mutex_unlock(&p->conn_mu);
			if (rc)
				return rc;
		}
	}
	return db_pool_versions(p, v, err);
}

uint64_t db_pool_stamp(struct db_pool *p)
{
	if (!db_is_pg_url(p->url))
		return 0;
	pthread_mutex_lock(&p->watch_mu);
	uint64_t stamp = p->ready ? versions_stamp(&p->seen) : 0;
	pthread_mutex_unlock(&p->watch_mu);
	return stamp;
}

int db_pool_refresh(struct db_pool *p, struct dj_error *err)
{
	pthread_mutex_lock(&p->conn_mu);
	int rc = pool_check(p, db_is_pg_url(p->url), err);
	pthread_mutex_unlock(&p->conn_mu);
	return rc;
}

void db_pool_print_stats(struct db_pool *p, FILE *f, const char *label)
{
	pthread_mutex_lock(&p->watch_mu);
	fprintf(f, "stats %s versions: %llu reads (%llu after a NOTIFY), %llu tree loads, %llu schema changes;"
		   " seq %llu\n", label, (unsigned long long)p->nreads, (unsigned long long)p->nnotified,
		(unsigned long long)p->nloads, (unsigned long long)p->nepochs, (unsigned long long)p->seen.seq);
	p->nreads = p->nloads = p->nepochs = p->nnotified = 0;
	pthread_mutex_unlock(&p->watch_mu);
}

uint64_t db_pool_version(struct db_pool *p, int64_t org, unsigned mask)
{
	pthread_mutex_lock(&p->watch_mu);
	uint64_t sum = db_versions_sum(&p->seen, mask) + orgtree_version(p->tree, org, mask);
	/* A new load of the tree, or a schema changed by hand, starts above
	 * every number given before (sums stay far below 2^40). */
	uint64_t v = ((p->gen + p->epoch) << 40) + sum;
	pthread_mutex_unlock(&p->watch_mu);
	return v;
}

char *db_like_pattern(const char *q)
{
	if (!q || !*q)
		return NULL;
	struct buf b = {0};
	buf_puts(&b, "%");
	for (const char *p = q; *p; p++) {
		if (*p == '%' || *p == '_' || *p == '\\')
			buf_puts(&b, "\\");
		buf_append(&b, p, 1);
	}
	buf_puts(&b, "%");
	return buf_detach(&b);
}
