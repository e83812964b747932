#include "audit/audit.h"

#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/mem.h"
#include "db/db.h"

int audit_write(struct db *db, const struct actor *a, const char *action, const char *entity,
		int64_t entity_id, json_t *before, json_t *after, struct dj_error *err)
{
	char now[21];
	date_now_iso(now);
	char *b = before ? json_dumps(before, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	char *af = after ? json_dumps(after, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	int rc = db_run(db,
		"INSERT INTO audit(at, user_id, username, route, action, entity, entity_id, before_json, after_json)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		DB_ARGS(DB_T(now), a->user_id ? DB_I(a->user_id) : DB_NULL, DB_T(a->username),
			DB_T(a->route), DB_T(action), DB_T(entity), entity_id ? DB_I(entity_id) : DB_NULL,
			DB_T(b), DB_T(af)), err);
	free(b);
	free(af);
	return rc;
}

json_t *audit_list(struct db *db, const struct actor *a, const struct audit_filter *f, struct dj_error *err)
{
	if (a->role != ROLE_ADMIN) {
		dj_fail(err, DJ_EFORBIDDEN, "", "只有系统管理员可以查看审计日志");
		return NULL;
	}
	/* Filters are optional: "? IS NULL OR …" keeps one statement for every combination. */
	const char *where =
		" WHERE (CAST(? AS TEXT) IS NULL OR username = ?)"
		" AND (CAST(? AS TEXT) IS NULL OR entity = ?)"
		" AND (CAST(? AS TEXT) IS NULL OR action LIKE ?)"
		" AND (CAST(? AS TEXT) IS NULL OR at >= ?)"
		" AND (CAST(? AS TEXT) IS NULL OR at < ?)"
		" AND (CAST(? AS BIGINT) = 0 OR entity_id = ?)";
	char *act = f->action && *f->action ? xasprintf("%s%%", f->action) : NULL;
	char to[11] = "";
	if (f->to && *f->to)
		date_add(to, f->to, 0, 0, 1);
	db_val args[] = {DB_T(f->username), DB_T(f->username), DB_T(f->entity), DB_T(f->entity),
			 DB_T(act), DB_T(act), DB_T(f->from), DB_T(f->from), DB_T(to), DB_T(to),
			 DB_I(f->entity_id), DB_I(f->entity_id),
			 DB_I(f->size), DB_I((int64_t)(f->page - 1) * f->size)};
	char *count_sql = xasprintf("SELECT count(*) FROM audit%s", where);
	char *list_sql = xasprintf("SELECT id, at, user_id, username, route, action, entity, entity_id,"
				   " before_json, after_json FROM audit%s ORDER BY id DESC LIMIT ? OFFSET ?", where);
	int64_t total = 0;
	json_t *out = NULL;
	if (db_int1(db, &total, count_sql, 12, args, err) == 0) {
		json_t *items = db_rows(db, list_sql, 14, args, err);
		if (items)
			out = json_pack("{s:o, s:I, s:i, s:i}", "items", items, "total", (json_int_t)total,
					"page", f->page, "size", f->size);
	}
	free(count_sql);
	free(list_sql);
	free(act);
	return out;
}
