/* db.h — one portable database layer over SQLite and PostgreSQL.
 *
 * SQL is written once with `?` parameters; the PostgreSQL driver rewrites
 * them to $1..$N (skipping quoted literals), because SQLite reads `$N` as
 * named parameters numbered by first appearance.  Domain modules use only
 * this header: no driver type or dialect leaks out. */
#ifndef DJ_DB_H
#define DJ_DB_H

#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <jansson.h>

#include "core/err.h"
#include "db/db_scope.h"

enum db_kind { DB_SQLITE = 1, DB_PG = 2 };

enum db_val_type { DBV_NULL, DBV_INT, DBV_REAL, DBV_TEXT, DBV_BLOB };

typedef struct db_val {
	enum db_val_type t;
	int64_t i;
	double d;
	const char *s;
	size_t n;	/* DBV_BLOB: the bytes at s */
} db_val;

#define DB_I(x) ((db_val){.t = DBV_INT, .i = (int64_t)(x)})
#define DB_R(x) ((db_val){.t = DBV_REAL, .d = (x)})
/* NULL pointer and "" both bind as SQL NULL: empty form fields mean "unset". */
#define DB_T(x) db_text_val(x)
/* `len` bytes (a BLOB; PostgreSQL: a bytea sent as bytes, not as hex text). */
#define DB_B(p, len) ((db_val){.t = DBV_BLOB, .s = (const char *)(p), .n = (len)})
#define DB_NULL ((db_val){.t = DBV_NULL})
/* DB_ARGS(a, b, c) expands to "count, array" for the calls below. */
#define DB_ARGS(...) (int)(sizeof((db_val[]){__VA_ARGS__}) / sizeof(db_val)), (db_val[]){__VA_ARGS__}
#define DB_NOARGS 0, NULL

static inline db_val db_text_val(const char *s)
{
	db_val v = {.t = (s && *s) ? DBV_TEXT : DBV_NULL, .s = s};
	return v;
}

struct db;
struct db_stmt;

/* Open `url`: a file path (SQLite) or a postgresql:// / postgres:// URL. */
int db_open(const char *url, struct db **out, struct dj_error *err);
void db_close(struct db *db);
enum db_kind db_kind(const struct db *db);
/* The connection was lost (PostgreSQL restarted, failed over, a network
 * cut): its errors are DJ_EUNAVAIL and the pool never hands it out again. */
bool db_lost(const struct db *db);
/* A COMMIT was sent and the connection lost before its answer: whether the
 * write is stored is unknown (answer 503 and log it; never retry blindly). */
bool db_commit_unknown(const struct db *db);
/* Does the database answer and take writes?  A PostgreSQL standby (or one
 * paused at a recovery target) answers reads but no login or write: it is
 * DJ_EUNAVAIL, and the connection is dropped so the pool opens another
 * (which target_session_attrs=read-write sends to the primary). */
int db_writable(struct db *db, struct dj_error *err);
/* Where the connection is: {engine, host?, port?, primary, version?}. */
int db_server_info(struct db *db, json_t **out, struct dj_error *err);
bool db_is_pg_url(const char *url);

/* Run one or more statements without parameters (DDL, migrations). */
int db_exec(struct db *db, const char *sql, struct dj_error *err);

/* Start a query; NULL on error (err filled).  Step with db_next. */
struct db_stmt *db_query(struct db *db, const char *sql, int n, const db_val *v, struct dj_error *err);
/* 1: a row is ready; 0: done; -1: error (err given to db_query filled). */
int db_next(struct db_stmt *st);
int db_ncols(struct db_stmt *st);
const char *db_colname(struct db_stmt *st, int col);
bool db_isnull(struct db_stmt *st, int col);
int64_t db_int(struct db_stmt *st, int col);
double db_real(struct db_stmt *st, int col);
/* Valid until the next db_next/db_done; "" for NULL. */
const char *db_text(struct db_stmt *st, int col);
/* Column value as JSON (integer, real, string or null); new reference. */
json_t *db_json(struct db_stmt *st, int col);
void db_done(struct db_stmt *st);

/* A statement that returns no rows. */
int db_run(struct db *db, const char *sql, int n, const db_val *v, struct dj_error *err);
/* First column of the first row as integer; DJ_ENOTFOUND if no row. */
int db_int1(struct db *db, int64_t *out, const char *sql, int n, const db_val *v, struct dj_error *err);
/* Does the query return a row?  0 with *found set, or the query's error:
 * an existence check says found, missing or failed, never "missing" for a
 * failure. */
int db_exists(struct db *db, bool *found, const char *sql, int n, const db_val *v, struct dj_error *err);
/* First column of the first row as text (caller frees); DJ_ENOTFOUND if no row. */
int db_text1(struct db *db, char **out, const char *sql, int n, const db_val *v, struct dj_error *err);
/* All rows as an array of objects keyed by column name; NULL on error. */
json_t *db_rows(struct db *db, const char *sql, int n, const db_val *v, struct dj_error *err);
/* The first row as an object; NULL with DJ_ENOTFOUND if none. */
json_t *db_row(struct db *db, const char *sql, int n, const db_val *v, struct dj_error *err);
/* In a row from db_rows/db_row, replace the JSON text under `key` by its
 * value, or by `fallback` (stolen) when it is NULL or not JSON. */
void db_json_text(json_t *row, const char *key, json_t *fallback);

/* Transactions.  SQLite takes the write lock at BEGIN (IMMEDIATE) so two
 * writers never deadlock on lock upgrade. */
int db_begin(struct db *db, struct dj_error *err);
int db_commit(struct db *db, struct dj_error *err);
void db_rollback(struct db *db);
/* Commit when rc == 0, roll back otherwise; returns the final rc. */
int db_end(struct db *db, int rc, struct dj_error *err);
/* Inside a write's transaction: its records belong to org `org_id` — name
 * every org whose records it writes (a transfer both, an activity each of
 * its orgs).  The scopes it writes then move only for that org: kept
 * answers of scopes whose subtree and path to the root miss every named org
 * stay (db_scope.h).  A transaction that names none moves its scopes
 * everywhere: safe, only slower.  Outside a transaction: nothing. */
void db_touch_org(struct db *db, int64_t org_id);
/* How many transactions this connection committed that moved a version. */
unsigned db_commits(const struct db *db);
/* Where this connection's transactions spent their time since the last
 * db_timing_reset, in microseconds: waiting for BEGIN (SQLite: the write
 * lock), the statements in between, the version bump, and COMMIT
 * (DANGJIAN_TRACE, server.c). */
struct db_timing {
	int64_t begin_us, body_us, bump_us, commit_us;
	int64_t mark_us;	/* when the open transaction's BEGIN returned */
	int ntx;
	int nstmt;		/* statements sent (round trips), in transactions or not */
};
const struct db_timing *db_timing(const struct db *db);
void db_timing_reset(struct db *db);
int64_t db_now_us(void);

/* A small pool of connections for the server's worker threads.  With
 * PostgreSQL, once a connect attempt failed db_pool_get fails with
 * DJ_EUNAVAIL at once (503) while one request at a time probes, after a
 * backoff from 100 ms doubling to 1 s; when a probe connects, requests flow
 * again (db_gate.c).  The server's first connection waits up to 5 s for the
 * database.  A connection found lost is closed by db_pool_put, never kept,
 * and one opened before an outage is not handed out after it. */
struct db_pool;
struct db_pool *db_pool_new(const char *url, int max);
int db_pool_get(struct db_pool *p, struct db **out, struct dj_error *err);
void db_pool_put(struct db_pool *p, struct db *db);
void db_pool_free(struct db_pool *p);
/* Bring the versions up to date (once per request, before it reads any
 * data) and give every scope's version everywhere.  Read on a connection of
 * its own that never writes, and only when something changed: on SQLite
 * when PRAGMA data_version says another connection committed; on
 * PostgreSQL when a NOTIFY from a writing commit arrived, this process
 * committed, or a second passed (the fallback poll).  Then only the rows
 * changed since the last read (db_orgtree.c). */
int db_pool_versions(struct db_pool *p, struct db_versions *v, struct dj_error *err);
/* The same, read anew first if they are older than `stamp` (that of the
 * versions after a write the client saw answered, by any server: its
 * dj_seq cookie), so that a user reads their own write on every server
 * even before the server's NOTIFY arrives. */
int db_pool_versions_after(struct db_pool *p, uint64_t stamp, struct db_versions *v, struct dj_error *err);
/* The stamp of the versions as last read: every data_version row summed,
 * which grows with every versioned write (0 on SQLite: one server). */
uint64_t db_pool_stamp(struct db_pool *p);
/* Read the versions now (after a request of this server committed, before
 * its answer goes out); other requests meanwhile keep the snapshot they
 * have (PostgreSQL). */
int db_pool_refresh(struct db_pool *p, struct dj_error *err);
/* One number for the answers of scope root `org` (0: the whole tree) that
 * read scopes `mask`, as of the last db_pool_versions: it changes whenever
 * a write to one of them lands in that subtree, on the path to the root,
 * or everywhere.  Comparable only with numbers of the same process. */
uint64_t db_pool_version(struct db_pool *p, int64_t org, unsigned mask);
/* DANGJIAN_TRACE=cache (http/stats.h): the versions' reads since the last call. */
void db_pool_print_stats(struct db_pool *p, FILE *f, const char *label);
/* The name of a scope as data_version spells it ("org"). */
const char *db_scope_name(int scope);

/* Schema migrations (migrate.c). */
int db_migrate(struct db *db, struct dj_error *err);
/* A module's own steps (NULL-terminated), applied once each in order and
 * recorded by module name; platform/module.h's modules_migrate runs them. */
int db_migrate_module(struct db *db, const char *module, const char *const *steps, struct dj_error *err);
int db_schema_version(struct db *db);
int db_latest_version(void);

#endif

/* "%q%" with LIKE's wildcards escaped (use with ESCAPE '\'); NULL for
 * NULL/empty.  Caller frees. */
char *db_like_pattern(const char *q);

/* Bulk writes (imports, generation).  db_bulk(db, true) lets SQLite keep a
 * large write set in memory instead of spilling it mid-transaction; false
 * returns to the normal cache and gives the memory back. */
void db_bulk(struct db *db, bool on);
/* PostgreSQL: ANALYZE the database inside the caller's transaction, after a
 * bulk load: autovacuum cannot see uncommitted rows, so without this the
 * planner picks the next statements' plans from default estimates (and
 * ANALYZE invalidates the plans already cached).  SQLite: nothing. */
int db_analyze(struct db *db, struct dj_error *err);
/* `n` fresh ids of `table`.id, reserved inside the caller's transaction, so a
 * row can be sealed with its id before it is inserted (one write per row). */
int db_reserve_ids(struct db *db, const char *table, int n, int64_t *ids, struct dj_error *err);

/* Many rows into one table inside the caller's transaction: PostgreSQL's
 * COPY … FROM STDIN (rows gathered and sent in large blocks), SQLite's
 * prepared INSERT per row.  On PostgreSQL the rows reach the table at the
 * next read, db_exec, commit or db_copy_end — so a statement sent with
 * db_run in bulk mode must not refer to them before that.  `cols` is the
 * column list as SQL writes it ("activity_id, member_id"). */
struct db_copy;
int db_copy_begin(struct db *db, const char *table, const char *cols, struct db_copy **out, struct dj_error *err);
int db_copy_row(struct db_copy *cp, int n, const db_val *v, struct dj_error *err);
/* Write what is left and free `cp` (also after an error). */
int db_copy_end(struct db_copy *cp, struct dj_error *err);
/* PostgreSQL: drop the table's foreign keys until db_copy_end adds them back
 * (checked then in one pass each, as PostgreSQL's "Populating a Database"
 * advises, instead of one trigger query per row and key).  This holds the
 * table's exclusive lock to the commit: only for a database nobody else uses
 * yet (generate).  SQLite: nothing. */
int db_copy_defer_checks(struct db_copy *cp, struct dj_error *err);
/* Take away the AFTER INSERT triggers of the NULL-ended `tables` until
 * db_triggers_restore puts them back, both inside the caller's transaction
 * (SQLite: dropped and created again from their saved text; PostgreSQL:
 * disabled and enabled, which holds the tables' lock to the commit: only for
 * a database nobody else uses yet, as generate's); the caller then does
 * once, over the loaded rows, what the triggers did per row (SQLite) or per
 * COPY block (PostgreSQL: the block's rows aggregated again each time). */
int db_triggers_suspend(struct db *db, const char *const *tables, json_t **saved, struct dj_error *err);
/* After the load: when `rc` (the load's outcome) is 0, the NULL-ended
 * `fills` (what the triggers keep, counted over the loaded rows) and the
 * triggers back; otherwise only `saved` is freed (the transaction rolls
 * back, the suspension with it).  Returns the first error, `rc` first. */
int db_triggers_restore(struct db *db, json_t *saved, const char *const *fills, int rc, struct dj_error *err);

/* A WHERE clause built from the filters actually given, so the planner sees
 * only real conditions ("?1 = 0 OR …" would defeat every index).  Conditions
 * use plain `?`; arguments are kept in order, and db_where_arg appends the
 * ones that follow the clause (LIMIT, OFFSET). */
#define DB_WHERE_MAX 24
struct db_where {
	char *sql;		/* " WHERE a AND b", or "" */
	size_t len, cap;
	db_val args[DB_WHERE_MAX];
	int n;
};
void db_where_add(struct db_where *w, const char *cond, int n, const db_val *v);
void db_where_arg(struct db_where *w, db_val v);
const char *db_where_sql(const struct db_where *w);
void db_where_free(struct db_where *w);

/* Copy a SQLite database to `dest` with the online backup API. */
int db_backup(struct db *db, const char *dest, struct dj_error *err);
