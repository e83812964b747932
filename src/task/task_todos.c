/* task_todos.c — the task module's 待办: a report to submit before its
 * deadline (or to redo when returned), a report to review, contacts to name.
 * Who reviews follows platform/todo.h: the plan's org; when it holds no
 * account, the org_admins of the nearest 党委 above it; else the system
 * administrators. */
#include "task/task_internal.h"

#include <stdio.h>
#include <string.h>

#include "db/db.h"
#include "platform/todo.h"

#define S(r, k) json_string_value(json_object_get(r, k))
#define I(r, k) json_integer_value(json_object_get(r, k))

/* Reports the actor's own org (and a branch's 党小组) owes. */
static int todos_submit(struct db *db, const struct actor *a, json_t *out, struct dj_error *err)
{
	json_t *rows = db_rows(db,
		"SELECT a.id, a.org_id, o.name AS org_name, a.status, t.title, t.due_on, p.title AS plan_title"
		" FROM assignment a JOIN task t ON t.id = a.task_id JOIN plan p ON p.id = a.plan_id JOIN org o ON o.id = a.org_id"
		" WHERE p.status = 'published' AND a.status IN ('not_started', 'in_progress', 'returned')"
		" AND (a.org_id = ?1 OR a.org_id IN (SELECT id FROM org WHERE parent_id = ?1 AND kind = 'group'))"
		" ORDER BY t.due_on, a.id", DB_ARGS(DB_I(a->org_id)), err);
	if (!rows)
		return err->code;
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		char title[600], link[48];
		bool returned = task_row_status(r) == ASSIGNMENT_RETURNED;
		snprintf(title, sizeof title, "%s《%s》%s", returned ? "退回修改后重新上报" : "上报", S(r, "plan_title"),
			 S(r, "title"));
		snprintf(link, sizeof link, "/assignments/%lld", (long long)I(r, "id"));
		todo_add(out, "submit", title, S(r, "due_on"), link, I(r, "org_id"), S(r, "org_name"));
	}
	json_decref(rows);
	return 0;
}

/* Submitted reports of plans whose review falls to the actor. */
static int todos_review(struct db *db, const struct actor *a, json_t *out, struct dj_error *err)
{
	const char *who;
	if (a->role == ROLE_ADMIN)	/* nobody below holds the step */
		who = "NOT " TODO_HAS_ACCOUNT("p.org_id", TODO_MANAGERS) " AND (" TODO_COMMITTEE_OF("p.org_id")
		      " IS NULL OR NOT " TODO_HAS_ACCOUNT(TODO_COMMITTEE_OF("p.org_id"), "'org_admin'") ")";
	else if (a->role == ROLE_ORG_ADMIN)
		who = "(p.org_id = ?1 OR (NOT " TODO_HAS_ACCOUNT("p.org_id", TODO_MANAGERS) " AND "
		      TODO_COMMITTEE_OF("p.org_id") " = ?1))";
	else
		who = "p.org_id = ?1";
	char sql[2048];
	snprintf(sql, sizeof sql,
		 "SELECT a.id, a.org_id, o.name AS org_name, a.submitted_on, t.title, p.title AS plan_title"
		 " FROM assignment a JOIN task t ON t.id = a.task_id JOIN plan p ON p.id = a.plan_id JOIN org o ON o.id = a.org_id"
		 " WHERE p.status = 'published' AND a.status = 'submitted' AND %s ORDER BY a.submitted_on, a.id", who);
	db_val org = DB_I(a->org_id);
	json_t *rows = db_rows(db, sql, a->role == ROLE_ADMIN ? 0 : 1, &org, err);
	if (!rows)
		return err->code;
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		char title[700], link[48];
		snprintf(title, sizeof title, "审核%s上报的《%s》%s", S(r, "org_name"), S(r, "plan_title"), S(r, "title"));
		snprintf(link, sizeof link, "/assignments/%lld", (long long)I(r, "id"));
		todo_add(out, "review", title, NULL, link, I(r, "org_id"), S(r, "org_name"));
	}
	json_decref(rows);
	return 0;
}

/* Plans the actor's org is an assignee of and has not named contacts for. */
static int todos_contacts(struct db *db, const struct actor *a, json_t *out, struct dj_error *err)
{
	json_t *rows = db_rows(db,
		"SELECT p.id, p.title, p.contacts_due, o.id AS org_id, o.name AS org_name FROM plan p JOIN org o ON o.id = ?1"
		" WHERE p.status = 'published' AND p.contacts_due IS NOT NULL"
		" AND EXISTS (SELECT 1 FROM assignment a WHERE a.plan_id = p.id AND a.org_id = ?1)"
		" AND NOT EXISTS (SELECT 1 FROM plan_contact pc WHERE pc.plan_id = p.id AND pc.org_id = ?1)"
		" ORDER BY p.contacts_due, p.id", DB_ARGS(DB_I(a->org_id)), err);
	if (!rows)
		return err->code;
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		char title[600], link[40];
		snprintf(title, sizeof title, "报送《%s》的分管领导和经办人", S(r, "title"));
		snprintf(link, sizeof link, "/plans/%lld", (long long)I(r, "id"));
		todo_add(out, "contacts", title, S(r, "contacts_due"), link, I(r, "org_id"), S(r, "org_name"));
	}
	json_decref(rows);
	return 0;
}

int task_todos(struct db *db, const struct actor *a, const char *today, json_t *out, struct dj_error *err)
{
	(void)today;	/* due dates are the tasks'; the platform marks what is overdue */
	if (a->role == ROLE_MEMBER)
		return 0;
	int rc = 0;
	if (a->org_id && a->role != ROLE_ADMIN)
		rc = todos_submit(db, a, out, err);
	if (!rc)
		rc = todos_review(db, a, out, err);
	if (!rc && a->org_id && a->role != ROLE_ADMIN)
		rc = todos_contacts(db, a, out, err);
	return rc;
}
