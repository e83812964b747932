/* db_version.c — which scopes a write touches, the bump inside its
 * transaction, and the read of every scope's version (db_scope.h).
 *
 * A statement's table is read from its text (INSERT INTO t, UPDATE t,
 * DELETE FROM t): every write of dangjian goes through db_query, so this is
 * the one place that sees them all.  The map from table to scopes is the
 * modules' (struct module .tables, registered at start by the platform: the
 * db layer knows no module).  A table nobody registered, or a statement
 * this does not understand, bumps every scope: a new table is safe before
 * it is listed, only slower. */
#include "db/db_driver.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/mem.h"

static const char *const scope_names[DB_SCOPE_N] = {
	[DB_SCOPE_ORG] = "org", [DB_SCOPE_MEMBER] = "member", [DB_SCOPE_LIFE] = "life",
	[DB_SCOPE_TASK] = "task", [DB_SCOPE_USER] = "user", [DB_SCOPE_SESSION] = "session",
	[DB_SCOPE_AUDIT] = "audit", [DB_SCOPE_ATTACH] = "attach", [DB_SCOPE_SETTING] = "setting",
	[DB_SCOPE_NOTIFY] = "notify", [DB_SCOPE_DEVELOP] = "develop", [DB_SCOPE_DUES] = "dues",
};

/* The db layer's own tables. */
static const struct db_table_scope own_tables[] = {
	{"data_version", 0}, {"org_version", 0},
	{0},
};

/* Scopes that belong to no org: a write to them moves them everywhere. */
#define ORGLESS (DEP(USER) | DEP(SESSION) | DEP(SETTING) | DEP(NOTIFY))

#define MAX_TABLE_LISTS 64
static const struct db_table_scope *table_lists[MAX_TABLE_LISTS] = {own_tables};
static int ntable_lists = 1;

void db_register_tables(const struct db_table_scope *tables)
{
	for (int i = 0; i < ntable_lists; i++)
		if (table_lists[i] == tables)
			return;
	if (tables && ntable_lists < MAX_TABLE_LISTS)
		table_lists[ntable_lists++] = tables;
}

static bool word(const char **p, const char *w)
{
	size_t n = strlen(w);
	if (strncasecmp(*p, w, n) != 0 || isalnum((unsigned char)(*p)[n]) || (*p)[n] == '_')
		return false;
	*p += n;
	while (isspace((unsigned char)**p))
		(*p)++;
	return true;
}

static unsigned table_mask(const char *p)
{
	char name[64];
	size_t n = 0;
	if (*p == '"')
		p++;
	while ((isalnum((unsigned char)*p) || *p == '_') && n + 1 < sizeof name)
		name[n++] = (char)tolower((unsigned char)*p++);
	name[n] = 0;
	for (int l = 0; l < ntable_lists; l++)
		for (const struct db_table_scope *t = table_lists[l]; t->table; t++)
			if (strcmp(t->table, name) == 0)
				return t->scopes;
	return DEP_ALL | DB_WHOLE;	/* nobody's table: its rows may be anyone's */
}

/* The scopes `sql` writes: 0 for a read. */
static unsigned write_mask(const char *sql)
{
	const char *p = sql;
	while (isspace((unsigned char)*p))
		p++;
	if (word(&p, "SELECT") || word(&p, "PRAGMA") || word(&p, "EXPLAIN") || word(&p, "BEGIN") ||
	    word(&p, "COMMIT") || word(&p, "ROLLBACK") || word(&p, "SAVEPOINT") || word(&p, "RELEASE") ||
	    word(&p, "SET") || word(&p, "SHOW") || word(&p, "VALUES") || word(&p, "LISTEN") ||
	    word(&p, "UNLISTEN") || word(&p, "NOTIFY"))
		return 0;
	if (word(&p, "INSERT") || word(&p, "REPLACE") || word(&p, "UPDATE")) {
		if (word(&p, "OR"))	/* INSERT OR IGNORE INTO, UPDATE OR REPLACE */
			while (isalpha((unsigned char)*p))
				p++;
		while (isspace((unsigned char)*p))
			p++;
		word(&p, "INTO");
		return table_mask(p);
	}
	if (word(&p, "DELETE") && word(&p, "FROM"))
		return table_mask(p);
	if (word(&p, "WITH")) {
		/* A common table expression reads unless it holds a write. */
		for (const char *q = p; *q; q++)
			if ((q == p || !(isalnum((unsigned char)q[-1]) || q[-1] == '_')) &&
			    (word(&q, "INSERT") || word(&q, "UPDATE") || word(&q, "DELETE")))
				return DEP_ALL | DB_WHOLE;
		return 0;
	}
	return DEP_ALL | DB_WHOLE | DB_TREE;	/* DDL and the like: anything may have changed */
}

unsigned db_write_scopes(const char *sql)
{
	return write_mask(sql);
}

/* One statement straight to the driver (this write is not noted again);
 * with `name`/`value`, the value of the returned row named `name`. */
static int run(struct db *db, const char *sql, const char *name, int64_t *value, struct dj_error *err)
{
	struct db_stmt *st = db->ops->query(db, sql, 0, NULL, err);
	if (!st)
		return err && err->code ? err->code : DJ_EDB;
	int rc;
	while ((rc = db->ops->next(st)) > 0)
		if (name && strcmp(db->ops->get_text(st, 0), name) == 0)
			*value = db->ops->get_int(st, 1);
	db->ops->done(st);
	return rc < 0 ? (err && err->code ? err->code : DJ_EDB) : 0;
}

/* Versions are rows bumped by the writing transaction itself, so any
 * server on the database — and the command line — agrees on them:
 *  - data_version(scope, v): a scope moved everywhere (no org declared,
 *    a DB_WHOLE table, a scope of no org), plus 'tree' when the tree's
 *    shape changed;
 *  - org_version(org_id, scope, v, seq): a scope moved for one org.  `seq`
 *    is the value of data_version's 'seq' row, bumped by the same
 *    transaction: writers of per-org rows queue on that row until the one
 *    before has committed, so seq follows commit order and a server reads
 *    only the rows with a seq above the last it saw (db_orgtree.c).
 * On PostgreSQL the commit also sends NOTIFY dj_version: servers read
 * again when it arrives, not on every request (db.c, pg_versions); the
 * bumps and the notification go in one statement there. */
int db_bump(struct db *db, unsigned mask, unsigned whole, bool tree, struct dj_error *err)
{
	if (!mask && !tree)
		return 0;
	unsigned everywhere = tree ? DEP_ALL : mask, per = 0;
	if (!tree && db->ntouched > 0) {
		everywhere = mask & (whole | ORGLESS);
		per = mask & ~everywhere;
	}
	struct buf b = {0};
	/* An upsert: a scope added after the base schema gets its row here.
	 * Rows always in the same order (scopes, tree, seq): no deadlock. */
	buf_puts(&b, "INSERT INTO data_version(scope, v) VALUES ");
	const char *sep = "";
	for (int s = 0; s < DB_SCOPE_N; s++)
		if (everywhere & (1u << s)) {
			buf_printf(&b, "%s('%s', 1)", sep, scope_names[s]);
			sep = ", ";
		}
	if (tree) {
		buf_printf(&b, "%s('tree', 1)", sep);
		sep = ", ";
	}
	if (per)
		buf_printf(&b, "%s('seq', 1)", sep);
	buf_puts(&b, " ON CONFLICT (scope) DO UPDATE SET v = data_version.v + 1 RETURNING scope, v");
	int64_t seq = 0;
	int rc;
	if (db->kind == DB_PG) {
		/* One round trip, not three: the per-org rows take their stamp from
		 * the 'seq' row the same statement bumps, and the notification goes
		 * at the commit as NOTIFY's would. */
		if (per) {
			struct buf w = {0};
			buf_printf(&w, "WITH d AS (%s), o AS (INSERT INTO org_version(org_id, scope, v, seq)"
				       " SELECT x.o, x.s, 1, d.v FROM (VALUES ", b.data);
			sep = "";
			for (int i = 0; i < db->ntouched; i++)
				for (int s = 0; s < DB_SCOPE_N; s++)
					if (per & (1u << s)) {
						buf_printf(&w, "%s(%lld, '%s')", sep, (long long)db->touched[i], scope_names[s]);
						sep = ", ";
					}
			buf_puts(&w, ") AS x(o, s), d WHERE d.scope = 'seq'"
				     " ON CONFLICT (org_id, scope) DO UPDATE SET v = org_version.v + 1, seq = excluded.seq)"
				     " SELECT scope, v, pg_notify('dj_version', '') FROM d");
			rc = run(db, w.data, NULL, NULL, err);
			buf_free(&w);
		} else {
			buf_puts(&b, ", pg_notify('dj_version', '')");
			rc = run(db, b.data, NULL, NULL, err);
		}
		buf_free(&b);
		return rc;
	}
	rc = run(db, b.data, "seq", &seq, err);
	if (!rc && per) {
		buf_free(&b);
		buf_puts(&b, "INSERT INTO org_version(org_id, scope, v, seq) VALUES ");
		sep = "";
		for (int i = 0; i < db->ntouched; i++)
			for (int s = 0; s < DB_SCOPE_N; s++)
				if (per & (1u << s)) {
					buf_printf(&b, "%s(%lld, '%s', 1, %lld)", sep, (long long)db->touched[i],
						   scope_names[s], (long long)seq);
					sep = ", ";
				}
		buf_puts(&b, " ON CONFLICT (org_id, scope) DO UPDATE SET v = org_version.v + 1, seq = excluded.seq");
		rc = run(db, b.data, NULL, NULL, err);
	}
	buf_free(&b);
	return rc;
}

/* The rows, and a number that changes when the schema does (a table renamed
 * or dropped by hand, a migration): SQLite's schema_version, PostgreSQL's
 * newest pg_class row of this schema. */
int db_read_versions(struct db *db, struct db_versions *out, int64_t *schema, struct dj_error *err)
{
	const char *sql = db->kind == DB_SQLITE
		? "SELECT scope, v, (SELECT schema_version FROM pragma_schema_version) FROM data_version"
		: "SELECT scope, v, (SELECT max(xmin::text::bigint) FROM pg_class"
		  " WHERE relnamespace = current_schema()::regnamespace) FROM data_version";
	struct db_stmt *st = db->ops->query(db, sql, 0, NULL, err);
	if (!st)
		return err && err->code ? err->code : DJ_EDB;
	memset(out, 0, sizeof *out);
	*schema = 0;
	int rc;
	while ((rc = db->ops->next(st)) > 0) {
		const char *name = db->ops->get_text(st, 0);
		uint64_t v = (uint64_t)db->ops->get_int(st, 1);
		int s = db_scope_index(name);
		if (s >= 0)
			out->v[s] = v;
		else if (strcmp(name, "tree") == 0)
			out->tree = v;
		else if (strcmp(name, "seq") == 0)
			out->seq = v;
		*schema = db->ops->get_int(st, 2);
	}
	db->ops->done(st);
	return rc < 0 ? (err && err->code ? err->code : DJ_EDB) : 0;
}

int db_scope_index(const char *name)
{
	for (int s = 0; s < DB_SCOPE_N; s++)
		if (strcmp(name, scope_names[s]) == 0)
			return s;
	return -1;
}

const char *db_scope_name(int scope)
{
	return scope >= 0 && scope < DB_SCOPE_N ? scope_names[scope] : NULL;
}
