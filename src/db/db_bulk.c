/* db_bulk.c — what makes large writes cheap, per engine. */
#include "db/db_driver.h"

#include <stdio.h>
#include <string.h>

void db_bulk(struct db *db, bool on)
{
	if (db->kind != DB_SQLITE)
		return;	/* PostgreSQL's shared buffers are the server's business */
	db_exec(db, on ? "PRAGMA cache_size=-262144" : "PRAGMA cache_size=-8000; PRAGMA shrink_memory", NULL);
}

int db_reserve_ids(struct db *db, const char *table, int n, int64_t *ids, struct dj_error *err)
{
	char sql[200];
	if (db->kind == DB_PG) {
		/* Identity columns own a sequence; nextval never hands a value out twice. */
		snprintf(sql, sizeof sql, "SELECT nextval(pg_get_serial_sequence('%s', 'id')) FROM generate_series(1, ?)",
			 table);
		struct db_stmt *st = db_query(db, sql, DB_ARGS(DB_I(n)), err);
		if (!st)
			return err->code;
		int i = 0, rc;
		while ((rc = db_next(st)) > 0 && i < n)
			ids[i++] = db_int(st, 0);
		db_done(st);
		return rc < 0 ? err->code : 0;
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
