/* org.c — creating and changing organizations; every change an event. */
#include "org/org_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/collate.h"
#include "core/date.h"
#include "core/mem.h"
#include "core/valid.h"
#include "db/db.h"

int org_id_by_code(struct db *db, const char *code, int64_t *id, struct dj_error *err)
{
	/* The outer SELECT always has a row: a missing code reads as 0, a
	 * failed query as its error. */
	*id = 0;
	return db_int1(db, id, "SELECT coalesce((SELECT id FROM org WHERE code = ?), 0)", DB_ARGS(DB_T(code)), err);
}

int org_contains(struct db *db, int64_t anc, int64_t desc, bool *within, struct dj_error *err)
{
	return db_exists(db, within, "SELECT 1 FROM org_closure WHERE ancestor = ? AND descendant = ?",
			 DB_ARGS(DB_I(anc), DB_I(desc)), err);
}

int org_tree_add(struct db *db, int64_t id, int64_t parent, struct dj_error *err)
{
	return db_run(db, "INSERT INTO org_closure(ancestor, descendant, depth)"
			  " SELECT ancestor, ?, depth + 1 FROM org_closure WHERE descendant = ?"
			  " UNION ALL SELECT ?, ?, 0",
		      DB_ARGS(DB_I(id), DB_I(parent), DB_I(id), DB_I(id)), err);
}

#define ORG_COLS "o.id, o.code, o.name, o.kind, o.parent_id, p.name AS parent_name, o.unit, o.founded_on," \
		 " o.status, o.ended_on, o.merged_into, o.sort, o.created_at, o.updated_at"

static json_t *org_row(struct db *db, int64_t id, struct dj_error *err)
{
	return db_row(db, "SELECT " ORG_COLS " FROM org o LEFT JOIN org p ON p.id = o.parent_id WHERE o.id = ?",
		      DB_ARGS(DB_I(id)), err);
}

int org_event_add(struct db *db, const struct actor *a, int64_t org_id, const char *kind, const char *on_date,
		     json_t *detail, struct dj_error *err)
{
	char now[21];
	const char *today = a->today;
	date_now_iso(now);
	char *d = json_dumps(detail, JSON_COMPACT);
	int rc = db_run(db, "INSERT INTO org_event(org_id, kind, on_date, detail, user_id, created_at)"
			    " VALUES (?, ?, ?, ?, ?, ?)",
			DB_ARGS(DB_I(org_id), DB_T(kind), DB_T(on_date && *on_date ? on_date : today), DB_T(d),
				a->user_id ? DB_I(a->user_id) : DB_NULL, DB_T(now)), err);
	free(d);
	json_decref(detail);
	return rc;
}

static int check_code(const char *code, struct dj_error *err)
{
	for (const char *p = code; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      *p == '-' || *p == '_' || *p == '.'))
			return dj_fail(err, DJ_EINVAL, "code", "组织编码只能包含字母、数字和 - _ .");
	return 0;
}

static int org_must_be_active(struct db *db, int64_t id, const char *field, struct dj_error *err)
{
	char *status = NULL;
	int rc = db_text1(db, &status, "SELECT status FROM org WHERE id = ?", DB_ARGS(DB_I(id)), err);
	if (rc == DJ_ENOTFOUND)
		return dj_fail(err, DJ_EINVAL, field, "党组织不存在");
	if (rc)
		return rc;
	bool ok = org_status_parse(status) == ORG_ACTIVE;
	free(status);
	return ok ? 0 : dj_fail(err, DJ_ECONFLICT, field, "该党组织已撤销或撤并");
}

int org_create(struct db *db, const struct actor *a, json_t *in, int64_t *id, struct dj_error *err)
{
	const char *code, *name, *kind, *unit, *founded;
	int64_t parent, sort;
	int rc;
	if (!json_is_object(in))
		return dj_fail(err, DJ_EINVAL, "", "请求体应为 JSON 对象");
	if ((rc = scope_can_manage(a, err)) ||
	    (rc = v_str(in, "code", "组织编码", 32, true, &code, err)) || (rc = check_code(code, err)) ||
	    (rc = v_str(in, "name", "组织名称", 100, true, &name, err)) ||
	    (rc = v_enum(in, "kind", "组织类别", org_kind_names(), true, &kind, err)) ||
	    (rc = v_id(in, "parent_id", "上级党组织", false, &parent, err)) ||
	    (rc = v_str(in, "unit", "所在单位", 100, false, &unit, err)) ||
	    (rc = v_date(in, "founded_on", "成立日期", false, true, &founded, err)) ||
	    (rc = v_int(in, "sort", "排序", 0, 1000000, 0, &sort, err)))
		return rc;
	if (parent) {
		if (scope_org(db, a, parent, err)) {
			strcpy(err->field, "parent_id");
			return err->code;
		}
		if ((rc = org_must_be_active(db, parent, "parent_id", err)))
			return rc;
	} else if (a->role != ROLE_ADMIN || a->org_id != 0) {
		return dj_fail(err, DJ_EINVAL, "parent_id", "请选择上级党组织");
	}
	int64_t other;
	if ((rc = org_id_by_code(db, code, &other, err)))
		return rc;
	if (other)
		return dj_fail(err, DJ_ECONFLICT, "code", "组织编码“%s”已存在", code);

	char now[21];
	date_now_iso(now);
	char *key = collate_key(name);
	if ((rc = db_begin(db, err))) {
		free(key);
		return rc;
	}
	rc = db_int1(db, id,
		     "INSERT INTO org(code, name, name_key, kind, parent_id, unit, founded_on, sort, created_at, updated_at)"
		     " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
		     DB_ARGS(DB_T(code), DB_T(name), DB_T(key), DB_T(kind), parent ? DB_I(parent) : DB_NULL,
			     DB_T(unit), DB_T(founded), DB_I(sort), DB_T(now), DB_T(now)), err);
	free(key);
	if (!rc)
		rc = org_tree_add(db, *id, parent, err);
	if (!rc)
		rc = org_event_add(db, a, *id, "create", founded, json_pack("{s:s, s:s}", "name", name, "kind", kind), err);
	if (!rc) {
		json_t *after = org_row(db, *id, err);
		rc = after ? audit_write(db, a, "org.create", "org", *id, NULL, after, err) : err->code;
		json_decref(after);
	}
	return db_end(db, rc, err);
}

/* A present key replaces the value (null or "" clears it); an absent key keeps it. */
static const char *merged(json_t *in, json_t *before, const char *key, const char *val)
{
	return json_object_get(in, key) ? val : json_string_value(json_object_get(before, key));
}

int org_update(struct db *db, const struct actor *a, int64_t id, json_t *in, struct dj_error *err)
{
	const char *code, *name, *kind, *unit, *founded;
	int64_t sort;
	int rc;
	if (!json_is_object(in))
		return dj_fail(err, DJ_EINVAL, "", "请求体应为 JSON 对象");
	if ((rc = scope_can_manage(a, err)) || (rc = scope_org(db, a, id, err)))
		return rc;
	if ((rc = v_str(in, "code", "组织编码", 32, false, &code, err)) || (code && (rc = check_code(code, err))) ||
	    (rc = v_str(in, "name", "组织名称", 100, false, &name, err)) ||
	    (rc = v_enum(in, "kind", "组织类别", org_kind_names(), false, &kind, err)) ||
	    (rc = v_str(in, "unit", "所在单位", 100, false, &unit, err)) ||
	    (rc = v_date(in, "founded_on", "成立日期", false, true, &founded, err)) ||
	    (rc = v_int(in, "sort", "排序", 0, 1000000, -1, &sort, err)))
		return rc;
	if (json_object_get(in, "name") && !name)
		return dj_fail(err, DJ_EINVAL, "name", "请填写组织名称");
	if (json_object_get(in, "code") && !code)
		return dj_fail(err, DJ_EINVAL, "code", "请填写组织编码");
	json_t *before = org_row(db, id, err);
	if (!before)
		return err->code;
	const char *old_name = json_string_value(json_object_get(before, "name"));
	const char *old_kind = json_string_value(json_object_get(before, "kind"));
	if (code) {
		int64_t other;
		if ((rc = org_id_by_code(db, code, &other, err))) {
			json_decref(before);
			return rc;
		}
		if (other && other != id) {
			json_decref(before);
			return dj_fail(err, DJ_ECONFLICT, "code", "组织编码“%s”已存在", code);
		}
	}
	code = merged(in, before, "code", code);
	name = merged(in, before, "name", name);
	kind = merged(in, before, "kind", kind);
	unit = merged(in, before, "unit", unit);
	founded = merged(in, before, "founded_on", founded);
	if (sort < 0)
		sort = json_integer_value(json_object_get(before, "sort"));
	char now[21];
	date_now_iso(now);
	char *key = collate_key(name);
	if ((rc = db_begin(db, err))) {
		free(key);
		json_decref(before);
		return rc;
	}
	rc = db_run(db, "UPDATE org SET code = ?, name = ?, name_key = ?, kind = ?, unit = ?, founded_on = ?,"
			" sort = ?, updated_at = ? WHERE id = ?",
		    DB_ARGS(DB_T(code), DB_T(name), DB_T(key), DB_T(kind), DB_T(unit), DB_T(founded), DB_I(sort),
			    DB_T(now), DB_I(id)), err);
	free(key);
	if (!rc && strcmp(old_name, name) != 0)
		rc = org_event_add(db, a, id, "rename", json_string_value(json_object_get(in, "on_date")),
			       json_pack("{s:s, s:s}", "from", old_name, "to", name), err);
	if (!rc && strcmp(old_kind, kind) != 0)
		rc = org_event_add(db, a, id, "rekind", NULL, json_pack("{s:s, s:s}", "from", old_kind, "to", kind), err);
	if (!rc) {
		json_t *after = org_row(db, id, err);
		rc = after ? audit_write(db, a, "org.update", "org", id, before, after, err) : err->code;
		json_decref(after);
	}
	json_decref(before);
	return db_end(db, rc, err);
}

/* Re-hang the subtree of `id` under `new_parent` in the closure table. */
static int move_tx(struct db *db, int64_t id, int64_t new_parent, struct dj_error *err)
{
	char now[21];
	date_now_iso(now);
	int rc = db_run(db,
		"DELETE FROM org_closure WHERE descendant IN (SELECT descendant FROM org_closure WHERE ancestor = ?)"
		" AND ancestor NOT IN (SELECT descendant FROM org_closure WHERE ancestor = ?)",
		DB_ARGS(DB_I(id), DB_I(id)), err);
	if (!rc)
		rc = db_run(db, "INSERT INTO org_closure(ancestor, descendant, depth)"
				" SELECT up.ancestor, down.descendant, up.depth + down.depth + 1"
				" FROM org_closure up, org_closure down WHERE up.descendant = ? AND down.ancestor = ?",
			    DB_ARGS(DB_I(new_parent), DB_I(id)), err);
	if (!rc)
		rc = db_run(db, "UPDATE org SET parent_id = ?, updated_at = ? WHERE id = ?",
			    DB_ARGS(DB_I(new_parent), DB_T(now), DB_I(id)), err);
	return rc;
}

static int check_move(struct db *db, const struct actor *a, int64_t id, int64_t target, const char *field,
		      struct dj_error *err)
{
	int rc;
	if ((rc = scope_can_manage(a, err)) || (rc = scope_org(db, a, id, err)))
		return rc;
	if (scope_org(db, a, target, err)) {
		snprintf(err->field, sizeof err->field, "%s", field);
		return err->code;
	}
	if (id == a->org_id)
		return dj_fail(err, DJ_EFORBIDDEN, "id", "不能调整您所管理的最上级党组织");
	bool cycle;
	if ((rc = org_contains(db, id, target, &cycle, err)))
		return rc;
	if (cycle)
		return dj_fail(err, DJ_ECONFLICT, field, "不能移动到自身或其下级党组织之下");
	return org_must_be_active(db, target, field, err);
}

int org_move(struct db *db, const struct actor *a, int64_t id, int64_t new_parent, const char *on_date,
	     struct dj_error *err)
{
	int rc;
	if (on_date && *on_date && !date_valid(on_date))
		return dj_fail(err, DJ_EINVAL, "on_date", "日期无效");
	if ((rc = check_move(db, a, id, new_parent, "parent_id", err)))
		return rc;
	json_t *before = org_row(db, id, err);
	if (!before)
		return err->code;
	int64_t old_parent = json_integer_value(json_object_get(before, "parent_id"));
	if ((rc = db_begin(db, err))) {
		json_decref(before);
		return rc;
	}
	rc = move_tx(db, id, new_parent, err);
	if (!rc)
		rc = org_event_add(db, a, id, "move", on_date,
			       json_pack("{s:I, s:I}", "from", (json_int_t)old_parent, "to", (json_int_t)new_parent), err);
	if (!rc) {
		json_t *after = org_row(db, id, err);
		rc = after ? audit_write(db, a, "org.move", "org", id, before, after, err) : err->code;
		json_decref(after);
	}
	json_decref(before);
	return db_end(db, rc, err);
}

/* The count `sql` (one parameter: id) answers, into *n. */
static int count_of(struct db *db, const char *sql, int64_t id, int64_t *n, struct dj_error *err)
{
	*n = 0;
	return db_int1(db, n, sql, DB_ARGS(DB_I(id)), err);
}

int org_dissolve(struct db *db, const struct actor *a, int64_t id, const char *on_date, const char *reason,
		 struct dj_error *err)
{
	int rc;
	if ((rc = scope_can_manage(a, err)) || (rc = scope_org(db, a, id, err)))
		return rc;
	if (!on_date || !date_valid(on_date))
		return dj_fail(err, DJ_EINVAL, "on_date", "请填写有效的撤销日期");
	if (id == a->org_id)
		return dj_fail(err, DJ_EFORBIDDEN, "id", "不能撤销您所管理的最上级党组织");
	if ((rc = org_must_be_active(db, id, "id", err)))
		return rc;
	int64_t n;
	if ((rc = count_of(db, "SELECT count(*) FROM member WHERE org_id = ? AND active = 1", id, &n, err)))
		return rc;
	if (n)
		return dj_fail(err, DJ_ECONFLICT, "id", "该党组织仍有%lld名党员，请先转接组织关系", (long long)n);
	if ((rc = count_of(db, "SELECT count(*) FROM org WHERE parent_id = ? AND status = 'active'", id, &n, err)))
		return rc;
	if (n)
		return dj_fail(err, DJ_ECONFLICT, "id", "该党组织仍有%lld个下级党组织，请先调整或撤销", (long long)n);
	json_t *before = org_row(db, id, err);
	if (!before)
		return err->code;
	char now[21];
	date_now_iso(now);
	if ((rc = db_begin(db, err))) {
		json_decref(before);
		return rc;
	}
	rc = db_run(db, "UPDATE org SET status = ?, ended_on = ?, updated_at = ? WHERE id = ?",
		    DB_ARGS(DB_T(org_status_name(ORG_DISSOLVED)), DB_T(on_date), DB_T(now), DB_I(id)), err);
	if (!rc)
		rc = org_event_add(db, a, id, "dissolve", on_date, json_pack("{s:s?}", "reason", reason), err);
	if (!rc) {
		json_t *after = org_row(db, id, err);
		rc = after ? audit_write(db, a, "org.dissolve", "org", id, before, after, err) : err->code;
		json_decref(after);
	}
	json_decref(before);
	return db_end(db, rc, err);
}

int org_merge(struct db *db, const struct actor *a, int64_t id, int64_t into, const char *on_date,
	      struct dj_error *err)
{
	int rc;
	if (!on_date || !date_valid(on_date))
		return dj_fail(err, DJ_EINVAL, "on_date", "请填写有效的撤并日期");
	if (id == into)
		return dj_fail(err, DJ_ECONFLICT, "into", "不能并入自身");
	if ((rc = check_move(db, a, id, into, "into", err)) || (rc = org_must_be_active(db, id, "id", err)))
		return rc;
	json_t *before = org_row(db, id, err);
	if (!before)
		return err->code;
	char now[21];
	date_now_iso(now);
	if ((rc = db_begin(db, err))) {
		json_decref(before);
		return rc;
	}
	int64_t moved;
	rc = count_of(db, "SELECT count(*) FROM member WHERE org_id = ? AND active = 1", id, &moved, err);
	if (!rc)
		rc = db_run(db, "INSERT INTO member_transfer(member_id, from_org, to_org, on_date, reason, user_id, created_at)"
			" SELECT id, org_id, ?, ?, '组织撤并', ?, ? FROM member WHERE org_id = ? AND active = 1",
		    DB_ARGS(DB_I(into), DB_T(on_date), a->user_id ? DB_I(a->user_id) : DB_NULL, DB_T(now), DB_I(id)),
		    err);
	if (!rc)
		rc = db_run(db, "UPDATE member SET org_id = ?, updated_at = ? WHERE org_id = ? AND active = 1",
			    DB_ARGS(DB_I(into), DB_T(now), DB_I(id)), err);
	/* Child orgs follow their parent into the merged org. */
	json_t *kids = rc ? NULL : db_rows(db, "SELECT id FROM org WHERE parent_id = ? AND status = 'active'",
					   DB_ARGS(DB_I(id)), err);
	if (!rc && !kids)
		rc = DJ_EDB;
	size_t i;
	json_t *k;
	json_array_foreach(kids, i, k) {
		if (rc)
			break;
		int64_t kid = json_integer_value(json_object_get(k, "id"));
		rc = move_tx(db, kid, into, err);
		if (!rc)
			rc = org_event_add(db, a, kid, "move", on_date,
				       json_pack("{s:I, s:I}", "from", (json_int_t)id, "to", (json_int_t)into), err);
	}
	json_decref(kids);
	if (!rc)
		rc = db_run(db, "UPDATE org SET status = ?, merged_into = ?, ended_on = ?, updated_at = ? WHERE id = ?",
			    DB_ARGS(DB_T(org_status_name(ORG_MERGED)), DB_I(into), DB_T(on_date), DB_T(now), DB_I(id)), err);
	if (!rc)
		rc = org_event_add(db, a, id, "merge_out", on_date,
			       json_pack("{s:I, s:I}", "into", (json_int_t)into, "members", (json_int_t)moved), err);
	if (!rc)
		rc = org_event_add(db, a, into, "merge_in", on_date,
			       json_pack("{s:I, s:I}", "from", (json_int_t)id, "members", (json_int_t)moved), err);
	if (!rc) {
		json_t *after = org_row(db, id, err);
		rc = after ? audit_write(db, a, "org.merge", "org", id, before, after, err) : err->code;
		json_decref(after);
	}
	json_decref(before);
	return db_end(db, rc, err);
}

int org_delete(struct db *db, const struct actor *a, int64_t id, struct dj_error *err)
{
	int rc;
	if ((rc = scope_can_manage(a, err)) || (rc = scope_org(db, a, id, err)))
		return rc;
	if (id == a->org_id)
		return dj_fail(err, DJ_EFORBIDDEN, "id", "不能删除您所管理的最上级党组织");
	int64_t n;
	if ((rc = count_of(db, "SELECT count(*) FROM member WHERE org_id = ?", id, &n, err)))
		return rc;
	if (n)
		return dj_fail(err, DJ_ECONFLICT, "id", "该党组织有%lld名党员的记录，不能删除；如需停止使用请撤销", (long long)n);
	if ((rc = count_of(db, "SELECT count(*) FROM org WHERE parent_id = ?", id, &n, err)))
		return rc;
	if (n)
		return dj_fail(err, DJ_ECONFLICT, "id", "该党组织有下级党组织，不能删除");
	/* Any record that names the org keeps it: terms, transfers, accounts. */
	int64_t terms, transfers, users;
	if ((rc = count_of(db, "SELECT count(*) FROM org_term WHERE org_id = ?", id, &terms, err)) ||
	    (rc = count_of(db, "SELECT count(*) FROM member_transfer WHERE from_org = ?1 OR to_org = ?1", id,
			   &transfers, err)) ||
	    (rc = count_of(db, "SELECT count(*) FROM app_user WHERE org_id = ?", id, &users, err)))
		return rc;
	if (terms || transfers || users)
		return dj_fail(err, DJ_ECONFLICT, "id", "该党组织已有届次、转接或账号记录，不能删除；如需停止使用请撤销");
	json_t *before = org_row(db, id, err);
	if (!before)
		return err->code;
	if ((rc = db_begin(db, err))) {
		json_decref(before);
		return rc;
	}
	rc = db_run(db, "DELETE FROM org_closure WHERE descendant = ?", DB_ARGS(DB_I(id)), err);
	if (!rc)
		rc = db_run(db, "DELETE FROM org_event WHERE org_id = ?", DB_ARGS(DB_I(id)), err);
	if (!rc)
		rc = db_run(db, "DELETE FROM org WHERE id = ?", DB_ARGS(DB_I(id)), err);
	if (!rc)
		rc = audit_write(db, a, "org.delete", "org", id, before, NULL, err);
	json_decref(before);
	return db_end(db, rc, err);
}
