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

struct db {
	enum db_kind kind;
	const struct db_ops *ops;
	int txdepth;
	bool txfailed;
	/* Scopes written in the open transaction, bumped at its commit
	 * (db_version.c); a write outside one gets a transaction of its own,
	 * ended when its statement is done. */
	unsigned dirty;
	struct db_stmt *implicit;
	bool implicit_failed;
	bool untracked;		/* migrations: data_version may not exist yet */
	void *impl;
	/* SQLite: the last id db_reserve_ids handed out, per table, so a block
	 * reserved before the previous one is written does not overlap it. */
	char reserved_table[32];
	int64_t reserved_last;
};

struct db_stmt {
	struct db *db;
	struct dj_error *err;
};

/* db_version.c */
unsigned db_write_scopes(const char *sql);
int db_bump(struct db *db, unsigned mask, struct dj_error *err);
int db_read_versions(struct db *db, struct db_versions *out, int64_t *schema, struct dj_error *err);

int db_sqlite_open(const char *path, struct db **out, struct dj_error *err);
int db_pg_open(const char *url, struct db **out, struct dj_error *err);

#endif
