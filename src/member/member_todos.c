/* member_todos.c — the member module's 待办: a probation ending within 30
 * days (or already past) without conversion.  The branch holds the general
 * meeting (step 23): its admins; the approval (step 24) belongs to the
 * 上级党委: the org_admins of the nearest 党委 above the branch, or the
 * system administrators when it holds no account (platform/todo.h).  A
 * member who came through the pipeline converts there (steps 22–24, whose
 * 待办 are develop_todos.c's), so this one leaves them out. */
#include "member/member.h"

#include <stdio.h>

#include "core/date.h"
#include "db/db.h"
#include "platform/todo.h"

int member_todos(struct db *db, const struct actor *a, const char *today, json_t *out, struct dj_error *err)
{
	if (a->role == ROLE_MEMBER)
		return 0;
	char horizon[11];
	date_add(horizon, today, 0, 0, 30);
	const char *who = a->role == ROLE_ADMIN
		? "(" TODO_COMMITTEE_OF("m.org_id") " IS NULL OR NOT "
		  TODO_HAS_ACCOUNT(TODO_COMMITTEE_OF("m.org_id"), "'org_admin'") ")"
		: a->role == ROLE_ORG_ADMIN
		? "(m.org_id = ?2 OR " TODO_COMMITTEE_OF("m.org_id") " = ?2)"
		: "(m.org_id = ?2 OR m.org_id IN (SELECT id FROM org WHERE parent_id = ?2 AND kind = 'group'))";
	char sql[1536];
	snprintf(sql, sizeof sql,
		 "SELECT m.id, m.name, m.probation_end, m.org_id, o.name AS org_name FROM member m JOIN org o ON o.id = m.org_id"
		 " WHERE m.active = 1 AND m.status = 'probationary' AND m.probation_end IS NOT NULL AND m.probation_end <= ?1"
		 " AND NOT EXISTS (SELECT 1 FROM develop_person dp WHERE dp.member_id = m.id)"
		 " AND %s ORDER BY m.probation_end, m.id", who);
	json_t *rows = db_rows(db, sql, a->role == ROLE_ADMIN ? 1 : 2, (db_val[]){DB_T(horizon), DB_I(a->org_id)}, err);
	if (!rows)
		return err->code;
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		int64_t id = json_integer_value(json_object_get(r, "id"));
		const char *end = json_string_value(json_object_get(r, "probation_end"));
		char title[400], link[40];
		snprintf(title, sizeof title, "%s（%s）预备期%s届满，办理转正", json_string_value(json_object_get(r, "name")),
			 json_string_value(json_object_get(r, "org_name")), end);
		snprintf(link, sizeof link, "/members/%lld", (long long)id);
		todo_add(out, "probation", title, end, link, json_integer_value(json_object_get(r, "org_id")),
			 json_string_value(json_object_get(r, "org_name")));
	}
	json_decref(rows);
	return 0;
}
