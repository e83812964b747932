/* db_scope.h — the parts of the data a kept answer can depend on.
 *
 * Each scope is a row of table data_version whose v is bumped inside every
 * transaction that writes one of its tables (db_version.c holds the map),
 * so a server — this one, another on the same PostgreSQL — sees a write by
 * anyone, the command line included, on its next read of the row.  A route
 * names the scopes its answer reads (struct route .deps); a write elsewhere
 * leaves its kept answers alone. */
#ifndef DJ_DB_SCOPE_H
#define DJ_DB_SCOPE_H

#include <stdint.h>

enum db_scope {
	DB_SCOPE_ORG,		/* the tree, its events, terms and officers */
	DB_SCOPE_MEMBER,	/* members and their transfers */
	DB_SCOPE_LIFE,		/* activities, attendance, rules, study plans */
	DB_SCOPE_TASK,		/* plans, tasks, assignments and their reports */
	DB_SCOPE_USER,		/* accounts, their lockouts and search counts */
	DB_SCOPE_SESSION,	/* sessions (logins, logouts, touches) */
	DB_SCOPE_AUDIT,
	DB_SCOPE_ATTACH,
	DB_SCOPE_SETTING,	/* every answer depends on it */
	DB_SCOPE_NOTIFY,	/* the e-mail outbox (its sender writes it on its own) */
	DB_SCOPE_DEVELOP,	/* 发展党员: applicants and their steps */
	DB_SCOPE_DUES,		/* 党费 */
	/* A new scope: its name in db_version.c; no row to add (a bump makes it). */
	DB_SCOPE_N
};

#define DEP(s) (1u << DB_SCOPE_##s)
#define DEP_ALL ((1u << DB_SCOPE_N) - 1)

/* Not scopes: marks in a table's scopes (.tables below). */
/* Its rows belong to no one org (a dictionary, an account): a write moves
 * its scopes everywhere, whatever orgs the transaction declared. */
#define DB_WHOLE (1u << 30)
/* It holds the tree's shape (org_closure): a write moves every scope
 * everywhere, and each server reads the tree again (db_orgtree.c). */
#define DB_TREE (1u << 31)

/* A table and the scopes a write to it moves: each module lists its own
 * (platform/module.h .tables) and the platform hands them to the db layer
 * at start.  A table nobody listed moves every scope: safe, only slower. */
struct db_table_scope {
	const char *table;
	unsigned scopes;	/* DEP(…) | … [| DB_WHOLE | DB_TREE] */
};

/* Add a {0}-terminated list (kept by pointer); before any thread starts. */
void db_register_tables(const struct db_table_scope *tables);

/* The newest version of every scope, as one request reads them, moved by
 * writes that declared no org (everywhere); and two rows that are not
 * scopes: 'tree' (the tree's shape) and 'seq' (the stamp of the newest
 * per-org row, db_orgtree.c). */
struct db_versions {
	uint64_t v[DB_SCOPE_N];
	uint64_t tree, seq;
};

/* One number for the scopes in `mask`: each version only grows, so the sum
 * changes whenever any of them does. */
static inline uint64_t db_versions_sum(const struct db_versions *d, unsigned mask)
{
	uint64_t sum = 0;
	for (int s = 0; s < DB_SCOPE_N; s++)
		if (mask & (1u << s))
			sum += d->v[s];
	return sum;
}

#endif
