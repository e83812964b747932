/* db_driver.h — what a driver implements; private to src/db. */
#ifndef DJ_DB_DRIVER_H
#define DJ_DB_DRIVER_H

#include "db/db.h"

struct db_ops {
	int (*exec)(struct db *db, const char *sql, struct dj_error *err);
	struct db_stmt *(*query)(struct db *db, const char *sql, int n, const db_val *v, struct dj_error *err);
	int (*next)(struct db_stmt *st);
	int (*ncols)(struct db_stmt *st);
	const char *(*colname)(struct db_stmt *st, int col);
	bool (*isnull)(struct db_stmt *st, int col);
	int64_t (*get_int)(struct db_stmt *st, int col);
	double (*get_real)(struct db_stmt *st, int col);
	const char *(*get_text)(struct db_stmt *st, int col);
	json_t *(*get_json)(struct db_stmt *st, int col);
	void (*done)(struct db_stmt *st);
	void (*close)(struct db *db);
};

#define DB_SPARE_IDS 64

struct db {
	enum db_kind kind;
	const struct db_ops *ops;
	int txdepth;
	bool txfailed;
	/* Scopes written in the open transaction, bumped at its commit
	 * (db_version.c); a write outside one gets a transaction of its own,
	 * ended when its statement is done. */
	unsigned dirty;
	unsigned dirty_whole;	/* of those, scopes to move everywhere (DB_WHOLE) */
	bool dirty_tree;	/* the tree's shape was written (DB_TREE) */
	/* The orgs the open transaction's records belong to (db_touch_org);
	 * -1: too many, or one unknown: its scopes move everywhere. */
	int ntouched;
	int64_t touched[32];
	unsigned commits;	/* transactions this connection committed that moved a scope */
	struct db_stmt *implicit;
	bool implicit_failed;
	bool untracked;		/* migrations: data_version may not exist yet */
	/* PostgreSQL connection state (db_pg.c): lost — the server went away
	 * (restart, failover, network cut): never handed out again; fresh —
	 * handed out by the pool and no statement run since, so a lost
	 * connection may be replaced before the first one runs; commit_unknown
	 * — COMMIT was sent and no answer came back. */
	bool lost, fresh, commit_unknown;
	char *url;		/* PostgreSQL: to open a replacement */
	/* PostgreSQL through a pool: its gate (a replacement goes through it),
	 * and the gate's count of outages when this connection was opened. */
	struct db_gate *gate;
	unsigned gen;
	void *impl;
	/* SQLite: the last id db_reserve_ids handed out, per table, so a block
	 * reserved before the previous one is written does not overlap it. */
	char reserved_table[32];
	int64_t reserved_last;
	/* PostgreSQL in bulk mode: ids taken from a table's sequence ahead of
	 * need (a reservation of one per row was a round trip per row). */
	struct db_spare_ids {
		char table[32];
		int next, n;
		int64_t ids[DB_SPARE_IDS];
	} spare[4];
	/* db_bulk(db, true): on PostgreSQL a db_run inside a transaction goes
	 * into libpq's pipeline (db_bulk.c) and its result is read later. */
	bool bulk;
	bool piped;		/* the connection is in pipeline mode */
	int pipe_n;		/* statements sent since the last sync */
	struct db_copy *copies;	/* open COPY buffers, in the order begun */
	struct db_timing timing;	/* where the last transaction's time went (db.h) */
	/* SQLite: the process's queue of writers to this file (db_wlock.c),
	 * and whether this connection's open transaction holds it. */
	struct db_wlock *wlock;
	bool wlocked;
	int64_t wlock_since;	/* DANGJIAN_TRACE: when it was taken (µs) */
	char first_write[72];	/* DANGJIAN_TRACE: the transaction's first write */
	struct pg_prep *prep;	/* PostgreSQL: the statements prepared on it (db_pg_prep.c) */
};

struct db_stmt {
	struct db *db;
	struct dj_error *err;
};

/* db_pg_prep.c: PQexecParams, or the same through a statement prepared on
 * the connection when its text comes again; the PGresult. */
void *db_pg_prep_exec(struct db *db, void *conn, const char *q, int n, const unsigned *types,
		      const char *const *vals, const int *lens, const int *fmts);
/* The same sent into the pipeline (db_bulk.c), its result read at the next
 * flush; a text seen again is prepared first, outside the pipeline. */
int db_pg_prep_send(struct db *db, const char *q, int n, const unsigned *types, const char *const *vals,
		    const int *lens, const int *fmts, struct dj_error *err);
void db_pg_prep_free(struct db *db);

/* db_version.c */
/* The scopes `sql` writes, with DB_WHOLE / DB_TREE marks: 0 for a read. */
unsigned db_write_scopes(const char *sql);
/* Move the versions of scopes `mask` at this transaction's commit: for the
 * orgs it declared (db->touched), or everywhere (none declared, the scopes
 * in `whole`, or `tree`). */
int db_bump(struct db *db, unsigned mask, unsigned whole, bool tree, struct dj_error *err);
int db_read_versions(struct db *db, struct db_versions *out, int64_t *schema, struct dj_error *err);
/* The index of a scope named as data_version spells it, or -1. */
int db_scope_index(const char *name);

/* db_orgtree.c: the per-org versions of one server, rolled up the tree. */
struct org_tree;
struct org_tree *orgtree_new(void);
void orgtree_free(struct org_tree *t);
/* Read the tree and every org's versions (at start, after the tree's shape
 * changed); then only the rows changed since (orgtree_update). */
int orgtree_load(struct org_tree *t, struct db *db, struct dj_error *err);
int orgtree_update(struct org_tree *t, struct db *db, struct dj_error *err);
/* orgtree_update in two halves: the rows changed since `t` was last
 * brought up to date, read without touching `t`; then applied to it. */
struct orgtree_row {
	int64_t org;
	int scope;
	uint64_t v;
	int64_t seq;
};
struct orgtree_rows {
	struct orgtree_row *rows;
	int n, cap;
};
int orgtree_fetch(const struct org_tree *t, struct db *db, struct orgtree_rows *out, struct dj_error *err);
void orgtree_apply(struct org_tree *t, const struct orgtree_rows *rows);
bool orgtree_loaded(const struct org_tree *t);
int64_t orgtree_seq(const struct org_tree *t);
/* The sum of the versions of `mask` over `org`'s subtree and its ancestors
 * (org 0, or one unknown: over every org). */
uint64_t orgtree_version(const struct org_tree *t, int64_t org, unsigned mask);

/* db_pg.c: 1 if a NOTIFY arrived on this connection since the last call,
 * 0 if not (no round trip: what the socket holds), -1 if it is lost. */
int db_pg_notified(struct db *db);

/* db.c: note the scopes a statement of the open transaction writes. */
void db_note_write(struct db *db, unsigned m);
/* db_bulk.c: the PostgreSQL pipeline.  db_pipe_flush reads every result
 * sent so far (the first failure is the answer) and leaves pipeline mode. */
int db_pipe_run(struct db *db, const char *sql, int n, const db_val *v, struct dj_error *err);
int db_pipe_flush(struct db *db, struct dj_error *err);
/* Everything gathered for PostgreSQL goes out: the COPY buffers (in the
 * order they were begun, parents before children), then the pipeline. */
int db_bulk_sync(struct db *db, struct dj_error *err);
/* A rollback: what was gathered is thrown away. */
void db_bulk_drop(struct db *db);
/* db_pg.c: send one statement without waiting for its result; the text of
 * a failure to send is in err. */
int db_pg_send(struct db *db, const char *sql, int n, const db_val *v, struct dj_error *err);
/* The error of a PGresult (`res`, or the connection's when NULL) in err. */
int db_pg_result_fail(struct db *db, void *res, struct dj_error *err);

int db_sqlite_open(const char *path, struct db **out, struct dj_error *err);

/* db_wlock.c: writers of one SQLite file, one at a time in this process. */
struct db_wlock;
struct db_wlock *db_wlock_for(const char *path);
/* False after timeout_ms without it. */
bool db_wlock_take(struct db_wlock *w, int timeout_ms);
void db_wlock_give(struct db_wlock *w);
int db_pg_open(const char *url, struct db **out, struct dj_error *err);
/* PostgreSQL: open with a backoff (100 ms doubling to 2 s) for at most
 * wait_ms; DJ_EUNAVAIL when the server cannot be reached by then. */
int db_pg_open_wait(const char *url, int wait_ms, struct db **out, struct dj_error *err);
int db_pg_server_info(struct db *db, json_t **out, struct dj_error *err);
#define PG_UNAVAIL_MSG "数据库暂时无法访问，请稍后重试"

/* db_gate.c: whether a pool's PostgreSQL can be reached.  db_gate_open
 * opens a connection — or, while a recent attempt failed and another probe
 * runs or the backoff has not passed, answers DJ_EUNAVAIL at once. */
struct db_gate;
struct db_gate *db_gate_new(void);
void db_gate_free(struct db_gate *g);
int db_gate_open(struct db_gate *g, const char *url, struct db **out, struct dj_error *err);
/* `db` was opened before the last outage began: not to be handed out. */
bool db_gate_stale(struct db_gate *g, const struct db *db);
bool db_gate_down(struct db_gate *g);

#endif
