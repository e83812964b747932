/* org_todos.c — the org module's 待办: an election falling due within the
 * warning window (rule.election_warn_days), or already overdue, for the
 * admins of that org and of its parent (who approves it); when neither
 * holds an account, for the system administrators (platform/todo.h). */

#include "org/org.h"

#include <stdio.h>

#include "core/date.h"
#include "core/setting.h"
#include "db/db.h"
#include "platform/todo.h"

int org_todos(struct db *db, const struct actor *a, const char *today, json_t *out, struct dj_error *err)
{
	if (a->role == ROLE_MEMBER)
		return 0;
	char horizon[11];
	int64_t warn = 90;
	int rc = setting_get_int(db, "rule.election_warn_days", 90, &warn, err);
	if (rc)
		return rc;
	date_add(horizon, today, 0, 0, (int)warn);
	const char *who = a->role == ROLE_ADMIN
		? "NOT " TODO_HAS_ACCOUNT("o.id", TODO_MANAGERS) " AND (o.parent_id IS NULL OR NOT "
		  TODO_HAS_ACCOUNT("o.parent_id", TODO_MANAGERS) ")"
		: "(o.id = ?2 OR o.parent_id = ?2)";
	char sql[1536];
	snprintf(sql, sizeof sql,
		 "SELECT o.id, o.name, o.kind, t.ends_on FROM org o JOIN org_term t ON t.id ="
		 " (SELECT t2.id FROM org_term t2 WHERE t2.org_id = o.id ORDER BY t2.elected_on DESC, t2.id DESC LIMIT 1)"
		 " WHERE o.status = 'active' AND t.ends_on <= ?1 AND %s ORDER BY t.ends_on, o.id", who);
	json_t *rows = db_rows(db, sql, a->role == ROLE_ADMIN ? 1 : 2, (db_val[]){DB_T(horizon), DB_I(a->org_id)}, err);
	if (!rows)
		return err->code;
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		const struct org_kind_info *k = org_kind(json_string_value(json_object_get(r, "kind")));
		if (!k || !k->elects)	/* appointed, not elected */
			continue;
		const char *name = json_string_value(json_object_get(r, "name"));
		const char *ends = json_string_value(json_object_get(r, "ends_on"));
		int64_t id = json_integer_value(json_object_get(r, "id"));
		char title[400], link[32];
		snprintf(title, sizeof title, "%s换届选举（本届任期%s届满）", name, ends);
		snprintf(link, sizeof link, "/orgs/%lld", (long long)id);
		todo_add(out, "election", title, ends, link, id, name);
	}
	json_decref(rows);
	return 0;
}
