/* db_bulk.c — what makes large writes cheap, per engine. */
#include "db/db_driver.h"

#include "core/mem.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>

void db_bulk(struct db *db, bool on)
{
	if (db->kind != DB_SQLITE) {
		/* PostgreSQL's shared buffers are the server's business; its round
		 * trips are ours.  A pipeline still open was ended by a commit or
		 * rollback before this: its errors were seen there. */
		db->bulk = on;
		if (!on) {
			db_pipe_flush(db, NULL);
			memset(db->spare, 0, sizeof db->spare);
		}
		return;
	}
	db_exec(db, on ? "PRAGMA cache_size=-262144" : "PRAGMA cache_size=-8000; PRAGMA shrink_memory", NULL);
}

int db_analyze(struct db *db, struct dj_error *err)
{
	if (db->kind != DB_PG)
		return 0;
	/* Only tables holding rows: one analyzed while still empty is planned as
	 * empty from then on (a foreign key's check of it cached as a scan),
	 * while one never analyzed is assumed to have a few pages.  And only
	 * those grown by over a fifth since their statistics were taken (ANALYZE
	 * sets relpages at once, outside the transaction's snapshot): the rest
	 * cost a sample each and would plan the same. */
	char *tables = NULL;
	int rc = db_text1(db, &tables,
			  "SELECT string_agg(quote_ident(relname), ', ' ORDER BY relname) FROM pg_class "
			  "WHERE relnamespace = current_schema()::regnamespace AND relkind = 'r' "
			  "AND pg_relation_size(oid) > 0 AND pg_relation_size(oid) > "
			  "1.2 * relpages * current_setting('block_size')::bigint",
			  DB_NOARGS, err);
	if (!rc && tables) {
		char *sql = xasprintf("ANALYZE %s", tables);
		rc = db_exec(db, sql, err);
		free(sql);
	}
	free(tables);
	return rc;
}

/* Up to n ids of `table`'s sequence into ids. */
static int pg_nextvals(struct db *db, const char *table, int n, int64_t *ids, struct dj_error *err)
{
	char sql[200];
	/* Identity columns own a sequence; nextval never hands a value out twice. */
	snprintf(sql, sizeof sql, "SELECT nextval(pg_get_serial_sequence('%s', 'id')) FROM generate_series(1, ?)", table);
	struct db_stmt *st = db_query(db, sql, DB_ARGS(DB_I(n)), err);
	if (!st)
		return err->code;
	int i = 0, rc;
	while ((rc = db_next(st)) > 0 && i < n)
		ids[i++] = db_int(st, 0);
	db_done(st);
	return rc < 0 ? err->code : 0;
}

/* The spare ids of `table`: its slot, a free one, or the first one taken over. */
static struct db_spare_ids *spare_of(struct db *db, const char *table)
{
	struct db_spare_ids *s = &db->spare[0];
	for (size_t k = 0; k < sizeof db->spare / sizeof db->spare[0]; k++)
		if (strcmp(db->spare[k].table, table) == 0 || !db->spare[k].table[0]) {
			s = &db->spare[k];
			break;
		}
	if (strcmp(s->table, table) != 0) {
		snprintf(s->table, sizeof s->table, "%s", table);
		s->next = s->n = 0;
	}
	return s;
}

int db_reserve_ids(struct db *db, const char *table, int n, int64_t *ids, struct dj_error *err)
{
	char sql[200];
	if (db->kind == DB_PG) {
		if (!db->bulk || strlen(table) >= sizeof db->spare[0].table)
			return pg_nextvals(db, table, n, ids, err);
		/* In bulk, ids come from a block taken ahead, in the order the
		 * sequence gave them (the ids a generate writes are those of one
		 * nextval per row); the ids left when the bulk write ends are
		 * gaps, as a rollback leaves. */
		struct db_spare_ids *s = spare_of(db, table);
		int take = s->n - s->next < n ? s->n - s->next : n;
		memcpy(ids, s->ids + s->next, (size_t)take * sizeof *ids);
		s->next += take;
		ids += take;
		n -= take;
		if (!n)
			return 0;
		if (n >= DB_SPARE_IDS)
			return pg_nextvals(db, table, n, ids, err);
		int rc = pg_nextvals(db, table, DB_SPARE_IDS, s->ids, err);
		s->n = rc ? 0 : DB_SPARE_IDS;
		s->next = rc ? 0 : n;
		if (!rc)
			memcpy(ids, s->ids, (size_t)n * sizeof *ids);
		return rc;
	}
	/* SQLite: the caller's transaction holds the write lock (BEGIN IMMEDIATE),
	 * so nobody else can take max(id) + 1 before these rows are written; this
	 * connection itself may not have written its last block yet. */
	int64_t max = 0;
	snprintf(sql, sizeof sql, "SELECT coalesce(max(id), 0) FROM %s", table);
	int rc = db_int1(db, &max, sql, DB_NOARGS, err);
	if (rc)
		return rc;
	if (strcmp(db->reserved_table, table) == 0 && db->reserved_last > max)
		max = db->reserved_last;
	for (int i = 0; i < n; i++)
		ids[i] = max + 1 + i;
	snprintf(db->reserved_table, sizeof db->reserved_table, "%s", table);
	db->reserved_last = max + n;
	return 0;
}

/* PostgreSQL, one round trip per row, was 15× SQLite on an import and 35× on
 * generating the province.  In bulk mode a statement whose rows nobody reads
 * goes into libpq's pipeline; its result is read with the others at the next
 * sync: every PIPE_BATCH statements, or when a statement needs an answer. */
#define PIPE_BATCH 1000

int db_pipe_flush(struct db *db, struct dj_error *err)
{
	if (!db->piped)
		return 0;
	PGconn *c = db->impl;
	int rc = 0, nulls = 0;
	if (!PQpipelineSync(c))
		rc = db_pg_result_fail(db, NULL, err);
	while (!rc || PQstatus(c) == CONNECTION_OK) {
		PGresult *r = PQgetResult(c);
		if (!r) {	/* the end of one statement's results; two in a row: nothing more comes */
			if (++nulls > 1) {
				if (!rc)
					rc = db_pg_result_fail(db, NULL, err);
				break;
			}
			continue;
		}
		nulls = 0;
		ExecStatusType s = PQresultStatus(r);
		if (s == PGRES_PIPELINE_SYNC) {
			PQclear(r);
			break;
		}
		/* The first failure is the answer; the statements after it were skipped. */
		if (s == PGRES_FATAL_ERROR && !rc)
			rc = db_pg_result_fail(db, r, err);
		PQclear(r);
	}
	db->pipe_n = 0;
	if (PQexitPipelineMode(c))
		db->piped = false;
	else if (!rc)
		rc = db_pg_result_fail(db, NULL, err);
	if (rc)
		db->txfailed = db->txdepth > 0;	/* the server has aborted the transaction */
	return rc;
}

int db_pipe_run(struct db *db, const char *sql, int n, const db_val *v, struct dj_error *err)
{
	PGconn *c = db->impl;
	if (!db->piped) {
		if (!PQenterPipelineMode(c))
			return db_pg_result_fail(db, NULL, err);
		db->piped = true;
	}
	int rc = db_pg_send(db, sql, n, v, err);
	if (!rc && ++db->pipe_n >= PIPE_BATCH) {
		/* Read the results so far: neither side's socket buffer fills up. */
		rc = db_pipe_flush(db, err);
	}
	return rc;
}

/* COPY: the rows of one table, as COPY's text format, sent when the buffer
 * is large or before anything else reads the database. */
#define COPY_BLOCK (4u << 20)

struct db_copy {
	struct db *db;
	char *table, *cols, *insert;	/* insert: SQLite's statement */
	int ncols;
	unsigned scopes;	/* of an INSERT into table (db_version.c) */
	struct buf rows;
	json_t *deferred;	/* [{name, def}] of the foreign keys dropped */
	struct db_copy *next;
};

int db_copy_begin(struct db *db, const char *table, const char *cols, struct db_copy **out, struct dj_error *err)
{
	struct db_copy *cp = xcalloc(1, sizeof *cp);
	cp->db = db;
	cp->table = xstrdup(table);
	cp->cols = xstrdup(cols);
	cp->ncols = 1;
	for (const char *p = cols; *p; p++)
		cp->ncols += *p == ',';
	char *probe = xasprintf("INSERT INTO %s(%s)", table, cols);
	cp->scopes = db_write_scopes(probe);
	free(probe);
	if (db->kind == DB_SQLITE) {
		struct buf b = {0};
		buf_printf(&b, "INSERT INTO %s(%s) VALUES (?", table, cols);
		for (int i = 1; i < cp->ncols; i++)
			buf_puts(&b, ", ?");
		buf_puts(&b, ")");
		cp->insert = buf_detach(&b);
	} else {
		struct db_copy **tail = &db->copies;
		while (*tail)
			tail = &(*tail)->next;
		*tail = cp;
	}
	*out = cp;
	(void)err;
	return 0;
}

static void copy_text(struct buf *b, const char *s)
{
	for (const char *p = s; *p; p++) {
		switch (*p) {
		case '\\': buf_puts(b, "\\\\"); break;
		case '\t': buf_puts(b, "\\t"); break;
		case '\n': buf_puts(b, "\\n"); break;
		case '\r': buf_puts(b, "\\r"); break;
		default: buf_append(b, p, 1);
		}
	}
}

/* bytea in COPY's text format: \x and hex digits, its backslash escaped. */
static void copy_bytes(struct buf *b, const char *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	buf_puts(b, "\\\\x");
	for (size_t i = 0; i < n; i++) {
		char two[2] = {hex[(unsigned char)p[i] >> 4], hex[(unsigned char)p[i] & 15]};
		buf_append(b, two, 2);
	}
}

static int copy_send(struct db_copy *cp, struct dj_error *err)
{
	if (!cp->rows.len)
		return 0;
	struct db *db = cp->db;
	PGconn *c = db->impl;
	int rc = db_pipe_flush(db, err);	/* COPY cannot run in a pipeline */
	if (rc)
		return rc;
	char *sql = xasprintf("COPY %s(%s) FROM STDIN", cp->table, cp->cols);
	PGresult *r = PQexec(c, sql);
	free(sql);
	if (PQresultStatus(r) != PGRES_COPY_IN)
		rc = db_pg_result_fail(db, r, err);
	PQclear(r);
	if (!rc && (PQputCopyData(c, cp->rows.data, (int)cp->rows.len) != 1 || PQputCopyEnd(c, NULL) != 1))
		rc = db_pg_result_fail(db, NULL, err);
	/* The COPY's own result, and a NULL after it. */
	while ((r = PQgetResult(c))) {
		if (PQresultStatus(r) != PGRES_COMMAND_OK && !rc)
			rc = db_pg_result_fail(db, r, err);
		PQclear(r);
	}
	cp->rows.len = 0;
	if (rc)
		db->txfailed = db->txdepth > 0;
	return rc;
}

void db_bulk_drop(struct db *db)
{
	for (struct db_copy *cp = db->copies; cp; cp = cp->next)
		cp->rows.len = 0;
	db_pipe_flush(db, NULL);
}

int db_bulk_sync(struct db *db, struct dj_error *err)
{
	int rc = 0;
	for (struct db_copy *cp = db->copies; cp && !rc; cp = cp->next)
		rc = copy_send(cp, err);
	if (!rc)
		rc = db_pipe_flush(db, err);
	return rc;
}

int db_copy_row(struct db_copy *cp, int n, const db_val *v, struct dj_error *err)
{
	if (n != cp->ncols)
		return dj_fail(err, DJ_EINVAL, "", "db_copy_row: %d values for %d columns of %s", n, cp->ncols, cp->table);
	if (cp->insert)
		return db_run(cp->db, cp->insert, n, v, err);
	struct buf *b = &cp->rows;
	for (int i = 0; i < n; i++) {
		if (i)
			buf_puts(b, "\t");
		switch (v[i].t) {
		case DBV_INT: buf_printf(b, "%lld", (long long)v[i].i); break;
		case DBV_REAL: buf_printf(b, "%.17g", v[i].d); break;
		case DBV_TEXT: copy_text(b, v[i].s); break;
		case DBV_BLOB: copy_bytes(b, v[i].s, v[i].n); break;
		default: buf_puts(b, "\\N");
		}
	}
	buf_puts(b, "\n");
	if (!cp->db->untracked)
		db_note_write(cp->db, cp->scopes);
	/* Earlier tables' rows go first: a child row never reaches the server before its parent. */
	return b->len >= COPY_BLOCK ? db_bulk_sync(cp->db, err) : 0;
}

int db_copy_defer_checks(struct db_copy *cp, struct dj_error *err)
{
	struct db *db = cp->db;
	if (db->kind != DB_PG || cp->deferred)
		return 0;
	int rc = db_bulk_sync(db, err);
	if (!rc)
		cp->deferred = db_rows(db, "SELECT conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint"
					   " WHERE conrelid = ?::regclass AND contype = 'f' ORDER BY conname",
				       DB_ARGS(DB_T(cp->table)), err);
	if (!rc && !cp->deferred)
		rc = err->code;
	size_t i;
	json_t *k;
	json_array_foreach(cp->deferred, i, k) {
		if (rc)
			break;
		char *sql = xasprintf("ALTER TABLE %s DROP CONSTRAINT %s", cp->table,
				      json_string_value(json_object_get(k, "name")));
		rc = db_exec(db, sql, err);
		free(sql);
	}
	return rc;
}

/* The dropped keys back, each checked over the whole table in one pass. */
static int copy_restore_checks(struct db_copy *cp, struct dj_error *err)
{
	int rc = 0;
	size_t i;
	json_t *k;
	json_array_foreach(cp->deferred, i, k) {
		if (rc)
			break;
		char *sql = xasprintf("ALTER TABLE %s ADD CONSTRAINT %s %s", cp->table,
				      json_string_value(json_object_get(k, "name")),
				      json_string_value(json_object_get(k, "def")));
		rc = db_exec(cp->db, sql, err);
		free(sql);
	}
	return rc;
}

int db_copy_end(struct db_copy *cp, struct dj_error *err)
{
	if (!cp)
		return 0;
	struct db *db = cp->db;
	int rc = db->kind == DB_PG ? db_bulk_sync(db, err) : 0;
	if (!rc && cp->deferred)
		rc = copy_restore_checks(cp, err);
	json_decref(cp->deferred);
	for (struct db_copy **p = &db->copies; *p; p = &(*p)->next)
		if (*p == cp) {
			*p = cp->next;
			break;
		}
	free(cp->table);
	free(cp->cols);
	free(cp->insert);
	buf_free(&cp->rows);
	free(cp);
	return rc;
}

/* Each row's FIELD run as a statement, in order, up to the first error. */
static int exec_each(struct db *db, json_t *rows, const char *field, struct dj_error *err)
{
	int rc = 0;
	size_t i;
	json_t *x;
	json_array_foreach(rows, i, x) {
		if ((rc = db_exec(db, json_string_value(json_object_get(x, field)), err)))
			break;
	}
	return rc;
}

int db_triggers_suspend(struct db *db, const char *const *tables, json_t **saved, struct dj_error *err)
{
	*saved = NULL;
	json_t *all = json_array();
	int rc = 0;
	for (; *tables && !rc; tables++) {
		/* "sql" makes the trigger again, "off" takes it away for the load.
		 * PostgreSQL: the (statement) triggers fired by INSERT, after it,
		 * disabled and enabled again (both transactional). */
		json_t *t = db->kind == DB_SQLITE
				    ? db_rows(db, "SELECT sql, 'DROP TRIGGER ' || name AS off FROM sqlite_master"
						  " WHERE type = 'trigger' AND tbl_name = ? AND sql LIKE '% AFTER INSERT ON %'"
						  " ORDER BY name", DB_ARGS(DB_T(*tables)), err)
				    : db_rows(db, "SELECT 'ALTER TABLE ' || quote_ident(?) || ' ENABLE TRIGGER ' || quote_ident(tgname)"
						  " AS sql, 'ALTER TABLE ' || quote_ident(?) || ' DISABLE TRIGGER ' ||"
						  " quote_ident(tgname) AS off FROM pg_trigger WHERE tgrelid = CAST(? AS regclass)"
						  " AND NOT tgisinternal AND tgenabled <> 'D' AND (tgtype & 4) <> 0 AND (tgtype & 2) = 0"
						  " ORDER BY tgname", DB_ARGS(DB_T(*tables), DB_T(*tables), DB_T(*tables)), err);
		if (!t) {
			rc = err->code;
			break;
		}
		json_array_extend(all, t);
		json_decref(t);
	}
	if (!rc)
		rc = exec_each(db, all, "off", err);
	if (rc)
		json_decref(all);
	else
		*saved = all;
	return rc;
}

int db_triggers_restore(struct db *db, json_t *saved, const char *const *fills, int rc, struct dj_error *err)
{
	for (; !rc && *fills; fills++)
		rc = db_exec(db, *fills, err);
	if (!rc)
		rc = exec_each(db, saved, "sql", err);
	json_decref(saved);
	return rc;
}
