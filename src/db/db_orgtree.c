/* db_orgtree.c — one server's copy of the per-org versions, rolled up the
 * tree, so that the version of "the answers of scope S that read scopes M"
 * costs a walk up S's path, not a query.
 *
 * A kept answer for scope root S may read records of the orgs in S's
 * subtree and of S's ancestors (a plan issued from above, a rule, the names
 * on the path).  A write names the orgs its records belong to (db_touch_org)
 * and bumps their rows of table org_version (db_version.c).  So the version
 * of S's answers is the sum, over the scopes it reads, of
 *   sub[S] (the rows of S's subtree, kept summed here) + own[A] for each
 *   ancestor A of S,
 * which moves when, and only when, a write lands under or above S.  Each row
 * only grows, so the sum does too — while the tree keeps its shape; a new
 * shape is read whole and the pool starts its numbers above the old ones
 * (db.c, db_pool_version).
 *
 * Loaded whole once (the orgs and every row), then only the rows whose
 * stamp `seq` is above the last seen: a few rows per write. */
#include "db/db_driver.h"

#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

#define MAX_DEPTH 64	/* a tree deeper than this is a cycle: stop */

struct stray {
	int64_t org;
	int scope;
	uint64_t v;
};

struct org_tree {
	bool loaded;
	int n;
	int64_t *ids;		/* sorted */
	int *parent;		/* an index, or -1 */
	uint64_t *own, *sub;	/* n × DB_SCOPE_N */
	/* Rows of orgs not in the tree (deleted, or newer than it): counted in
	 * every answer's version, since nobody knows where they hang. */
	struct stray *strays;
	int nstrays;
	uint64_t total[DB_SCOPE_N];
	int64_t seq;
};

struct org_tree *orgtree_new(void)
{
	return xcalloc(1, sizeof(struct org_tree));
}

static void clear(struct org_tree *t)
{
	free(t->ids);
	free(t->parent);
	free(t->own);
	free(t->sub);
	free(t->strays);
	memset(t, 0, sizeof *t);
}

void orgtree_free(struct org_tree *t)
{
	if (t) {
		clear(t);
		free(t);
	}
}

bool orgtree_loaded(const struct org_tree *t) { return t->loaded; }
int64_t orgtree_seq(const struct org_tree *t) { return t->seq; }

static int find(const struct org_tree *t, int64_t id)
{
	int lo = 0, hi = t->n - 1;
	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;
		if (t->ids[mid] == id)
			return mid;
		if (t->ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

/* Row (org, scope) is now at v. */
static void apply(struct org_tree *t, int64_t org, int scope, uint64_t v)
{
	int i = find(t, org);
	uint64_t *old = NULL;
	if (i >= 0) {
		old = &t->own[(size_t)i * DB_SCOPE_N + (size_t)scope];
	} else {
		for (int k = 0; k < t->nstrays && !old; k++)
			if (t->strays[k].org == org && t->strays[k].scope == scope)
				old = &t->strays[k].v;
		if (!old) {
			t->strays = xrealloc(t->strays, (size_t)(t->nstrays + 1) * sizeof *t->strays);
			t->strays[t->nstrays] = (struct stray){org, scope, 0};
			old = &t->strays[t->nstrays++].v;
		}
	}
	if (v <= *old)
		return;
	uint64_t d = v - *old;
	*old = v;
	t->total[scope] += d;
	for (int a = i, depth = 0; a >= 0 && depth < MAX_DEPTH; a = t->parent[a], depth++)
		t->sub[(size_t)a * DB_SCOPE_N + (size_t)scope] += d;
}

/* The org_version rows `sql` selects (org_id, scope, v, seq), applied to
 * `t` — or, with `out`, kept for orgtree_apply (read without the lock that
 * guards `t`, applied under it). */
static int read_rows(struct org_tree *t, struct orgtree_rows *out, struct db *db, const char *sql, int n,
		     const db_val *args, struct dj_error *err)
{
	struct db_stmt *st = db->ops->query(db, sql, n, args, err);
	if (!st)
		return err && err->code ? err->code : DJ_EDB;
	int rc;
	while ((rc = db->ops->next(st)) > 0) {
		int s = db_scope_index(db->ops->get_text(st, 1));
		int64_t org = db->ops->get_int(st, 0), seq = db->ops->get_int(st, 3);
		uint64_t v = (uint64_t)db->ops->get_int(st, 2);
		if (out) {
			if (out->n == out->cap) {
				out->cap = out->cap ? out->cap * 2 : 64;
				out->rows = xrealloc(out->rows, (size_t)out->cap * sizeof *out->rows);
			}
			out->rows[out->n++] = (struct orgtree_row){org, s, v, seq};
			continue;
		}
		if (s >= 0)
			apply(t, org, s, v);
		if (seq > t->seq)
			t->seq = seq;
	}
	db->ops->done(st);
	return rc < 0 ? (err && err->code ? err->code : DJ_EDB) : 0;
}

int orgtree_load(struct org_tree *t, struct db *db, struct dj_error *err)
{
	clear(t);
	struct db_stmt *st = db->ops->query(db, "SELECT id, coalesce(parent_id, 0) FROM org ORDER BY id", 0, NULL, err);
	if (!st)
		return err && err->code ? err->code : DJ_EDB;
	int cap = 0, rc;
	int64_t *parent_ids = NULL;
	while ((rc = db->ops->next(st)) > 0) {
		if (t->n == cap) {
			cap = cap ? cap * 2 : 1024;
			t->ids = xrealloc(t->ids, (size_t)cap * sizeof *t->ids);
			parent_ids = xrealloc(parent_ids, (size_t)cap * sizeof *parent_ids);
		}
		t->ids[t->n] = db->ops->get_int(st, 0);
		parent_ids[t->n++] = db->ops->get_int(st, 1);
	}
	db->ops->done(st);
	if (rc < 0) {
		free(parent_ids);
		clear(t);
		return err && err->code ? err->code : DJ_EDB;
	}
	t->parent = xcalloc((size_t)t->n + 1, sizeof *t->parent);
	for (int i = 0; i < t->n; i++)
		t->parent[i] = parent_ids[i] ? find(t, parent_ids[i]) : -1;
	free(parent_ids);
	t->own = xcalloc((size_t)t->n * DB_SCOPE_N + 1, sizeof *t->own);
	t->sub = xcalloc((size_t)t->n * DB_SCOPE_N + 1, sizeof *t->sub);
	if ((rc = read_rows(t, NULL, db, "SELECT org_id, scope, v, seq FROM org_version", 0, NULL, err))) {
		clear(t);
		return rc;
	}
	t->loaded = true;
	return 0;
}

int orgtree_update(struct org_tree *t, struct db *db, struct dj_error *err)
{
	return read_rows(t, NULL, db, "SELECT org_id, scope, v, seq FROM org_version WHERE seq > ?", 1,
			 (db_val[]){DB_I(t->seq)}, err);
}

int orgtree_fetch(const struct org_tree *t, struct db *db, struct orgtree_rows *out, struct dj_error *err)
{
	out->n = 0;
	return read_rows(NULL, out, db, "SELECT org_id, scope, v, seq FROM org_version WHERE seq > ?", 1,
			 (db_val[]){DB_I(t->seq)}, err);
}

void orgtree_apply(struct org_tree *t, const struct orgtree_rows *rows)
{
	for (int i = 0; i < rows->n; i++) {
		const struct orgtree_row *r = &rows->rows[i];
		if (r->scope >= 0)
			apply(t, r->org, r->scope, r->v);
		if (r->seq > t->seq)
			t->seq = r->seq;
	}
}

uint64_t orgtree_version(const struct org_tree *t, int64_t org, unsigned mask)
{
	int i = org > 0 && t->loaded ? find(t, org) : -1;
	uint64_t sum = 0;
	for (int s = 0; s < DB_SCOPE_N; s++) {
		if (!(mask & (1u << s)))
			continue;
		if (i < 0) {
			sum += t->total[s];
			continue;
		}
		sum += t->sub[(size_t)i * DB_SCOPE_N + (size_t)s];
		for (int a = t->parent[i], depth = 0; a >= 0 && depth < MAX_DEPTH; a = t->parent[a], depth++)
			sum += t->own[(size_t)a * DB_SCOPE_N + (size_t)s];
	}
	/* A stray row may be anywhere: it counts for everyone. */
	for (int k = 0; k < t->nstrays; k++)
		if (mask & (1u << t->strays[k].scope))
			sum += i < 0 ? 0 : t->strays[k].v;	/* already in total */
	return sum;
}
