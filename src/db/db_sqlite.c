/* db_sqlite.c — the embedded SQLite driver: WAL, foreign keys, busy timeout,
 * and a per-connection cache of prepared statements keyed by SQL text. */
#include "db/db_driver.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

/* Sets of a few ways each, the least recently used way replaced: with one
 * slot per hash the first statement into a slot kept it for the
 * connection's life, and a later one that shared it was prepared (with its
 * triggers' programs) on every call — generate's per-row insert into
 * study_done was, 43,638 times for the demo, most of its CPU. */
#define CACHE_SETS 128
#define CACHE_WAYS 4

struct sq_stmt {
	struct db_stmt base;
	sqlite3_stmt *st;
	char *sql;		/* copy, for the cache lookup */
	unsigned hash;
	uint64_t used;		/* the cache's clock at its last use */
	bool cached, busy;
};

struct sq_impl {
	sqlite3 *h;
	uint64_t clock;
	struct sq_stmt *cache[CACHE_SETS][CACHE_WAYS];
};

static int sq_err(struct db *db, struct dj_error *err, int rc, const char *what)
{
	struct sq_impl *im = db->impl;
	int code = (rc & 0xff) == SQLITE_CONSTRAINT ? DJ_ECONFLICT : DJ_EDB;
	return dj_fail(err, code, "", "%s: %s", what, sqlite3_errmsg(im->h));
}

static int sq_exec(struct db *db, const char *sql, struct dj_error *err)
{
	struct sq_impl *im = db->impl;
	char *msg = NULL;
	int rc = sqlite3_exec(im->h, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		dj_fail(err, (rc & 0xff) == SQLITE_CONSTRAINT ? DJ_ECONFLICT : DJ_EDB, "", "sqlite: %s",
			msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		return err ? err->code : DJ_EDB;
	}
	return 0;
}

static unsigned hash_of(const char *sql)
{
	unsigned h = 5381;
	for (const unsigned char *p = (const unsigned char *)sql; *p; p++)
		h = h * 33 + *p;
	return h;
}

static void sq_free_stmt(struct sq_stmt *s);

static struct db_stmt *sq_query(struct db *db, const char *sql, int n, const db_val *v, struct dj_error *err)
{
	struct sq_impl *im = db->impl;
	unsigned hash = hash_of(sql);
	struct sq_stmt **set = im->cache[hash % CACHE_SETS], *s = NULL;
	for (int w = 0; w < CACHE_WAYS && !s; w++)
		if (set[w] && !set[w]->busy && set[w]->hash == hash && strcmp(set[w]->sql, sql) == 0)
			s = set[w];
	if (!s) {
		sqlite3_stmt *h = NULL;
		int rc = sqlite3_prepare_v3(im->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &h, NULL);
		if (rc != SQLITE_OK) {
			sq_err(db, err, rc, "prepare");
			return NULL;
		}
		s = xcalloc(1, sizeof *s);
		s->base.db = db;
		s->st = h;
		s->sql = xstrdup(sql);
		s->hash = hash;
		/* An empty way, else the least recently used one not in use now
		 * (one in use, a query still being read, is never taken away). */
		int victim = -1;
		for (int w = 0; w < CACHE_WAYS; w++) {
			if (!set[w]) {
				victim = w;
				break;
			}
			if (!set[w]->busy && (victim < 0 || set[w]->used < set[victim]->used))
				victim = w;
		}
		if (victim >= 0) {
			if (set[victim])
				sq_free_stmt(set[victim]);
			s->cached = true;
			set[victim] = s;
		}
	}
	s->used = ++im->clock;
	s->busy = true;
	s->base.err = err;
	/* Values past the statement's last parameter are ignored, as PostgreSQL
	 * ignores typed ones: a count and its page query can share one list. */
	int nparams = sqlite3_bind_parameter_count(s->st);
	for (int i = 0; i < n && i < nparams; i++) {
		int rc;
		switch (v[i].t) {
		case DBV_INT: rc = sqlite3_bind_int64(s->st, i + 1, v[i].i); break;
		case DBV_REAL: rc = sqlite3_bind_double(s->st, i + 1, v[i].d); break;
		case DBV_TEXT: rc = sqlite3_bind_text(s->st, i + 1, v[i].s, -1, SQLITE_TRANSIENT); break;
		case DBV_BLOB: rc = sqlite3_bind_blob64(s->st, i + 1, v[i].s, v[i].n, SQLITE_TRANSIENT); break;
		default: rc = sqlite3_bind_null(s->st, i + 1); break;
		}
		if (rc != SQLITE_OK) {
			sq_err(db, err, rc, "bind");
			db_done(&s->base);
			return NULL;
		}
	}
	return &s->base;
}

static int sq_next(struct db_stmt *b)
{
	struct sq_stmt *s = (struct sq_stmt *)b;
	int rc = sqlite3_step(s->st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	sq_err(b->db, b->err, rc, "step");
	return -1;
}

static int sq_ncols(struct db_stmt *b) { return sqlite3_column_count(((struct sq_stmt *)b)->st); }
static const char *sq_colname(struct db_stmt *b, int c) { return sqlite3_column_name(((struct sq_stmt *)b)->st, c); }
static bool sq_isnull(struct db_stmt *b, int c) { return sqlite3_column_type(((struct sq_stmt *)b)->st, c) == SQLITE_NULL; }
static int64_t sq_int(struct db_stmt *b, int c) { return sqlite3_column_int64(((struct sq_stmt *)b)->st, c); }
static double sq_real(struct db_stmt *b, int c) { return sqlite3_column_double(((struct sq_stmt *)b)->st, c); }

static const char *sq_text(struct db_stmt *b, int c)
{
	const unsigned char *t = sqlite3_column_text(((struct sq_stmt *)b)->st, c);
	return t ? (const char *)t : "";
}

static json_t *sq_json(struct db_stmt *b, int c)
{
	sqlite3_stmt *st = ((struct sq_stmt *)b)->st;
	switch (sqlite3_column_type(st, c)) {
	case SQLITE_INTEGER: return json_integer(sqlite3_column_int64(st, c));
	case SQLITE_FLOAT: return json_real(sqlite3_column_double(st, c));
	case SQLITE_NULL: return json_null();
	default:
		return json_stringn((const char *)sqlite3_column_text(st, c), (size_t)sqlite3_column_bytes(st, c));
	}
}

static void sq_free_stmt(struct sq_stmt *s)
{
	sqlite3_finalize(s->st);
	free(s->sql);
	free(s);
}

static void sq_done(struct db_stmt *b)
{
	struct sq_stmt *s = (struct sq_stmt *)b;
	if (!s->cached) {
		sq_free_stmt(s);
		return;
	}
	sqlite3_reset(s->st);
	sqlite3_clear_bindings(s->st);
	s->busy = false;
	s->base.err = NULL;
}

static void sq_close(struct db *db)
{
	struct sq_impl *im = db->impl;
	if (db->wlocked) {	/* closed inside a transaction: SQLite rolls it back */
		db->wlocked = false;
		db_wlock_give(db->wlock);
	}
	for (int i = 0; i < CACHE_SETS; i++)
		for (int w = 0; w < CACHE_WAYS; w++)
			if (im->cache[i][w])
				sq_free_stmt(im->cache[i][w]);
	sqlite3_close(im->h);
	free(im);
	free(db);
}

static const struct db_ops sq_ops = {
	.exec = sq_exec, .query = sq_query, .next = sq_next, .ncols = sq_ncols,
	.colname = sq_colname, .isnull = sq_isnull, .get_int = sq_int, .get_real = sq_real,
	.get_text = sq_text, .get_json = sq_json, .done = sq_done, .close = sq_close,
};

/* Before SQLite's first use in the process.  Its memory statistics take one
 * process-wide mutex on every allocation (this build has no lookaside, so
 * every small one): the server's threads queued on it, a writer among them. */
static void sq_init(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int db_sqlite_open(const char *path, struct db **out, struct dj_error *err)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, sq_init);
	sqlite3 *h = NULL;
	int rc = sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		dj_fail(err, DJ_EDB, "db", "cannot open %s: %s", path, h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
		sqlite3_close(h);
		return DJ_EDB;
	}
	sqlite3_busy_timeout(h, 10000);
	struct db *db = xcalloc(1, sizeof *db);
	struct sq_impl *im = xcalloc(1, sizeof *im);
	im->h = h;
	db->kind = DB_SQLITE;
	db->ops = &sq_ops;
	db->impl = im;
	db->wlock = db_wlock_for(path);
	/* synchronous=NORMAL is durable across application crashes in WAL mode;
	 * only an OS crash can lose the last transactions.  8 MB of page cache
	 * per connection: the server keeps several, and answers are kept by the
	 * read cache anyway (the province dashboard is 68 ms with 32 MB, 75 with 8). */
	rc = sq_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
		     " PRAGMA cache_size=-8000; PRAGMA temp_store=MEMORY;", err);
	if (rc) {
		sq_close(db);
		return rc;
	}
	*out = db;
	return 0;
}

int db_backup(struct db *db, const char *dest, struct dj_error *err)
{
	if (db->kind != DB_SQLITE)
		return dj_fail(err, DJ_EINVAL, "db", "backup copies SQLite databases only");
	struct sq_impl *im = db->impl;
	sqlite3 *out = NULL;
	if (sqlite3_open(dest, &out) != SQLITE_OK) {
		dj_fail(err, DJ_EIO, "output", "cannot open %s: %s", dest, sqlite3_errmsg(out));
		sqlite3_close(out);
		return DJ_EIO;
	}
	sqlite3_backup *b = sqlite3_backup_init(out, "main", im->h, "main");
	int rc = SQLITE_ERROR;
	if (b) {
		/* Small steps let writers in between; a busy source is retried. */
		do {
			rc = sqlite3_backup_step(b, 256);
			if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
				sqlite3_sleep(20);
		} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
		sqlite3_backup_finish(b);
	}
	int ret = 0;
	if (rc != SQLITE_DONE)
		ret = dj_fail(err, DJ_EIO, "output", "backup failed: %s", sqlite3_errmsg(out));
	sqlite3_close(out);
	return ret;
}
