/* org_query.c — reading organizations: detail, lazy tree, lists, history. */
#include "org/org.h"

#include <string.h>

#include "core/date.h"
#include "core/mem.h"
#include "db/db.h"

/* Set term.officers; a failed query is its error. */
static int officers_of(struct db *db, json_t *term, struct dj_error *err)
{
	json_t *off = db_rows(db, "SELECT member_id, name, post FROM org_officer WHERE term_id = ? ORDER BY id",
			      DB_ARGS(DB_I(json_integer_value(json_object_get(term, "id")))), err);
	if (!off)
		return err->code;
	json_object_set_new(term, "officers", off);
	return 0;
}

/* The latest term with its officers into *out, or null if none. */
static int current_term(struct db *db, int64_t id, json_t **out, struct dj_error *err)
{
	json_t *rows = db_rows(db, "SELECT id, elected_on, term_years, ends_on, how FROM org_term WHERE org_id = ?"
				   " ORDER BY elected_on DESC, id DESC LIMIT 1", DB_ARGS(DB_I(id)), err);
	if (!rows)
		return err->code;
	json_t *t = json_incref(json_array_get(rows, 0));
	json_decref(rows);
	int rc = t ? officers_of(db, t, err) : 0;
	if (rc) {
		json_decref(t);
		return rc;
	}
	*out = t ? t : json_null();
	return 0;
}

json_t *org_get(struct db *db, const struct actor *a, int64_t id, struct dj_error *err)
{
	if (scope_org(db, a, id, err))
		return NULL;
	json_t *o = db_row(db, "SELECT o.id, o.code, o.name, o.kind, o.parent_id, p.name AS parent_name, o.unit,"
			       " o.founded_on, o.status, o.ended_on, o.merged_into, m.name AS merged_into_name, o.sort,"
			       " o.created_at, o.updated_at FROM org o LEFT JOIN org p ON p.id = o.parent_id"
			       " LEFT JOIN org m ON m.id = o.merged_into WHERE o.id = ?", DB_ARGS(DB_I(id)), err);
	if (!o)
		return NULL;
	enum org_kind kind = org_kind_parse(json_string_value(json_object_get(o, "kind")));
	json_object_set_new(o, "kind_label", json_string(org_kind_label(kind)));
	json_t *counts = db_row(db,
		"SELECT count(*) AS total,"
		" coalesce(sum(CASE WHEN m.status = 'full' THEN 1 ELSE 0 END), 0) AS full,"
		" coalesce(sum(CASE WHEN m.status = 'probationary' THEN 1 ELSE 0 END), 0) AS probationary,"
		" coalesce(sum(m.is_mobile), 0) AS mobile,"
		" coalesce(sum(CASE WHEN m.org_id = ?1 THEN 1 ELSE 0 END), 0) AS direct"
		" FROM org_closure c JOIN member m ON m.org_id = c.descendant AND m.active = 1 WHERE c.ancestor = ?1",
		DB_ARGS(DB_I(id)), err);
	json_t *term = NULL;
	json_t *kids = counts && !current_term(db, id, &term, err)
			       ? db_rows(db, "SELECT id, code, name, kind, status FROM org WHERE parent_id = ?"
					     " ORDER BY sort, name_key", DB_ARGS(DB_I(id)), err)
			       : NULL;
	if (!kids) {
		json_decref(counts);
		json_decref(term);
		json_decref(o);
		return NULL;
	}
	json_object_set_new(o, "members", counts);
	json_object_set_new(o, "term", term);
	json_object_set_new(o, "children", kids);
	/* The path from the actor's scope root down to this org, for breadcrumbs. */
	int64_t root = a->org_id;
	json_t *path = root ? db_rows(db, "SELECT o.id, o.name FROM org_closure c JOIN org o ON o.id = c.ancestor"
					  " WHERE c.descendant = ? AND c.ancestor IN (SELECT descendant FROM org_closure"
					  " WHERE ancestor = ?) ORDER BY c.depth DESC", DB_ARGS(DB_I(id), DB_I(root)), err)
			    : db_rows(db, "SELECT o.id, o.name FROM org_closure c JOIN org o ON o.id = c.ancestor"
					  " WHERE c.descendant = ? ORDER BY c.depth DESC", DB_ARGS(DB_I(id)), err);
	if (!path) {
		json_decref(o);
		return NULL;
	}
	json_object_set_new(o, "path", path);
	return o;
}

json_t *org_tree(struct db *db, const struct actor *a, bool include_closed, struct dj_error *err)
{
	(void)include_closed;
	int64_t root = 0;
	int rc = a->role == ROLE_MEMBER
			 ? db_int1(db, &root, "SELECT coalesce((SELECT org_id FROM member WHERE id = ?), 0)",
				   DB_ARGS(DB_I(a->member_id)), err)
			 : scope_root_of(db, a, &root, err);
	if (rc == DJ_ENOTFOUND || (!rc && !root))
		return json_array();	/* no org yet: an empty tree */
	if (rc)
		return NULL;
	json_t *r = db_row(db, "SELECT id, code, name, kind, status FROM org WHERE id = ?", DB_ARGS(DB_I(root)), err);
	if (!r)
		return NULL;
	json_t *out = json_array();
	json_array_append_new(out, r);
	return out;
}

/* Children of `parent` with their subtree member counts, for a lazily loaded tree. */
json_t *org_children(struct db *db, const struct actor *a, int64_t parent, bool include_closed, struct dj_error *err)
{
	if (a->role == ROLE_MEMBER) {
		dj_fail(err, DJ_EFORBIDDEN, "", "党员账号无权查看组织树");
		return NULL;
	}
	if (scope_org(db, a, parent, err))
		return NULL;
	return db_rows(db,
		"SELECT o.id, o.code, o.name, o.kind, o.status,"
		" (SELECT count(*) FROM org k WHERE k.parent_id = o.id AND (?2 = 1 OR k.status = 'active')) AS child_count,"
		" (SELECT count(*) FROM org_closure c JOIN member m ON m.org_id = c.descendant AND m.active = 1"
		"   WHERE c.ancestor = o.id) AS member_count"
		" FROM org o WHERE o.parent_id = ?1 AND (?2 = 1 OR o.status = 'active') ORDER BY o.sort, o.name_key",
		DB_ARGS(DB_I(parent), DB_I(include_closed ? 1 : 0)), err);
}

json_t *org_list(struct db *db, const struct actor *a, const struct org_filter *f, struct dj_error *err)
{
	if (a->role == ROLE_MEMBER) {
		dj_fail(err, DJ_EFORBIDDEN, "", "党员账号无权查看组织列表");
		return NULL;
	}
	int64_t root = f->root;
	if ((!root && scope_root_of(db, a, &root, err)) || scope_org(db, a, root, err))
		return NULL;
	const char *where =
		" FROM org_closure c JOIN org o ON o.id = c.descendant LEFT JOIN org p ON p.id = o.parent_id"
		" WHERE c.ancestor = ?1"
		" AND (CAST(?2 AS TEXT) IS NULL OR o.name LIKE ?2 ESCAPE '\\' OR o.code = ?7)"
		" AND (CAST(?3 AS TEXT) IS NULL OR o.kind = ?3)"
		" AND (CAST(?4 AS TEXT) IS NULL OR o.status = ?4)";
	char *like = db_like_pattern(f->q);
	db_val args[] = {DB_I(root), DB_T(like), DB_T(f->kind), DB_T(f->status), DB_I(f->size),
			 DB_I((int64_t)(f->page - 1) * f->size), DB_T(f->q)};
	char *csql = xasprintf("SELECT count(*)%s", where);
	char *lsql = xasprintf("SELECT o.id, o.code, o.name, o.kind, o.parent_id, p.name AS parent_name, o.unit,"
			       " o.founded_on, o.status, c.depth,"
			       " (SELECT count(*) FROM member m WHERE m.org_id = o.id AND m.active = 1) AS member_count"
			       "%s ORDER BY c.depth, o.sort, o.name_key LIMIT ?5 OFFSET ?6", where);
	int64_t total = 0;
	json_t *out = NULL;
	if (db_int1(db, &total, csql, 7, args, err) == 0) {
		json_t *items = db_rows(db, lsql, 7, args, err);
		if (items) {
			size_t i;
			json_t *it;
			json_array_foreach(items, i, it) {
				enum org_kind kind = org_kind_parse(json_string_value(json_object_get(it, "kind")));
				json_object_set_new(it, "kind_label", json_string(org_kind_label(kind)));
			}
			out = json_pack("{s:o, s:I, s:i, s:i}", "items", items, "total", (json_int_t)total, "page",
					f->page, "size", f->size);
		}
	}
	free(csql);
	free(lsql);
	free(like);
	return out;
}

json_t *org_history(struct db *db, const struct actor *a, int64_t id, struct dj_error *err)
{
	if (scope_org(db, a, id, err))
		return NULL;
	json_t *ev = db_rows(db, "SELECT e.id, e.kind, e.on_date, e.detail, e.created_at, u.username"
				 " FROM org_event e LEFT JOIN app_user u ON u.id = e.user_id WHERE e.org_id = ?"
				 " ORDER BY e.on_date DESC, e.id DESC", DB_ARGS(DB_I(id)), err);
	if (!ev)
		return NULL;
	size_t i;
	json_t *e;
	json_array_foreach(ev, i, e) db_json_text(e, "detail", json_null());
	json_t *terms = db_rows(db, "SELECT id, elected_on, term_years, ends_on, how FROM org_term WHERE org_id = ?"
				    " ORDER BY elected_on DESC", DB_ARGS(DB_I(id)), err);
	int rc = terms ? 0 : err->code;
	json_array_foreach(terms, i, e)
		if (!rc)
			rc = officers_of(db, e, err);
	if (rc) {
		json_decref(ev);
		json_decref(terms);
		return NULL;
	}
	return json_pack("{s:o, s:o}", "events", ev, "terms", terms);
}

int org_check_open(struct db *db, const struct actor *a, int64_t org_id, const char *field,
			    struct dj_error *err)
{
	if (scope_org(db, a, org_id, err)) {
		snprintf(err->field, sizeof err->field, "%s", field);
		return err->code;
	}
	char *status = NULL;
	int rc = db_text1(db, &status, "SELECT status FROM org WHERE id = ?", DB_ARGS(DB_I(org_id)), err);
	if (rc && rc != DJ_ENOTFOUND)
		return rc;
	bool ok = org_status_parse(status) == ORG_ACTIVE;
	free(status);
	return ok ? 0 : dj_fail(err, DJ_EINVAL, field, "该党组织已撤销或撤并");
}
