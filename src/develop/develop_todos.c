/* develop_todos.c — 发展党员's findings (a step past its time limit) and
 * 待办 (a step due by the end of this month, or overdue), for whoever must
 * act: the branch's accounts for the branch's steps; for a step of the 上级
 * 党委 the org_admin accounts of the nearest 党委 above the branch (a 党总支
 * where the step allows it), and for step 18 of the 党委 above that one. */
#include "develop/develop_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/mem.h"
#include "db/db.h"
#include "org/org.h"
#include "platform/todo.h"

#define S(r, k) json_string_value(json_object_get(r, k))
#define I(r, k) json_integer_value(json_object_get(r, k))

/* SQL: the org that acts on a step of the 上级党委 for the branch in
 * p.org_id: the nearest ancestor of the kinds `kinds` (`skip` of them
 * passed over first). */
#define UPPER_AT(col, kinds, skip)                                                                       \
	"(SELECT cc.ancestor FROM " ORG_TREE_AS("cc") " JOIN org co ON co.id = cc.ancestor WHERE cc.descendant = " col \
	" AND cc.depth > 0 AND co.kind IN (" kinds ") ORDER BY cc.depth LIMIT 1 OFFSET " skip ")"
#define UPPER_OF(kinds, skip) UPPER_AT("p.org_id", kinds, skip)
#define COMMITTEES "'committee', 'industry_committee', 'party_group'"

int develop_findings(struct db *db, const struct actor *a, int64_t root, const char *today, const char *rule,
		     json_t *out, struct dj_error *err)
{
	(void)a;
	if (rule && *rule && strcmp(rule, "develop.overdue") != 0)
		return 0;
	char sql[600];
	snprintf(sql, sizeof sql,
		 "SELECT p.id, p.name, p.org_id, o.name AS org_name, p.due_step, p.due_on FROM develop_person p"
		 " JOIN org o ON o.id = p.org_id WHERE p.org_id IN %s AND p.due_on < ?2"
		 " AND p.status NOT IN ('stopped', 'full') ORDER BY p.due_on, p.id", org_subtree_sql());
	json_t *rows = db_rows(db, sql, DB_ARGS(DB_I(root), DB_T(today)), err);
	if (!rows)
		return err->code;
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		const struct develop_step_info *s = develop_step_info((int)I(r, "due_step"));
		char msg[400];
		snprintf(msg, sizeof msg, "%s：第%lld步“%s”应于%s前办理，已逾期%lld天", S(r, "name"),
			 (long long)I(r, "due_step"), s ? s->label : "", S(r, "due_on"),
			 (long long)date_diff(S(r, "due_on"), today));
		json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:s, s:I, s:O, s:[{s:s, s:I, s:O}]}", "rule",
						     "develop.overdue", "level", "error", "title", "发展党员步骤逾期",
						     "message", msg, "org_id", (json_int_t)I(r, "org_id"), "org_name",
						     json_object_get(r, "org_name"), "records", "rkind", "develop_person",
						     "rid", (json_int_t)I(r, "id"), "title", json_object_get(r, "name")));
	}
	json_decref(rows);
	return 0;
}

static int todo_rows(struct db *db, const char *sql, int64_t org, const char *last, json_t *out, struct dj_error *err)
{
	json_t *rows = db_rows(db, sql, DB_ARGS(DB_I(org), DB_T(last)), err);
	if (!rows)
		return err->code;
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		const struct develop_step_info *s = develop_step_info((int)I(r, "due_step"));
		char title[300], link[64];
		snprintf(title, sizeof title, "发展党员：%s 第%lld步“%s”", S(r, "name"), (long long)I(r, "due_step"),
			 s ? s->label : "");
		snprintf(link, sizeof link, "/develop/people/%lld", (long long)I(r, "id"));
		todo_add(out, "develop_step", title, S(r, "due_on"), link, I(r, "org_id"), S(r, "org_name"));
	}
	json_decref(rows);
	return 0;
}

/* Each due step with the org that acts on it (actor_org) and whether that
 * is the 上级党委 (upper): the branch's own steps, 13/17/24 for the nearest
 * 党委, 4/8/11/16 for the nearest 党委 or 党总支, 18 for the 党委 above. */
#define DUE_STEPS                                                                                                  \
	"SELECT p.id, p.name, p.org_id, o.name AS org_name, p.due_step, p.due_on,"                                 \
	" CASE WHEN p.due_step IN (13, 17, 24) THEN " UPPER_OF(COMMITTEES, "0")                                    \
	" WHEN p.due_step IN (4, 8, 11, 16) THEN " UPPER_OF(COMMITTEES ", 'general_branch'", "0")                  \
	" WHEN p.due_step = 18 THEN " UPPER_OF(COMMITTEES, "1") " ELSE p.org_id END AS actor_org,"                 \
	" CASE WHEN p.due_step IN (4, 8, 11, 13, 16, 17, 18, 24) THEN 1 ELSE 0 END AS upper"                       \
	" FROM develop_person p JOIN org o ON o.id = p.org_id WHERE p.due_on <= ?2 AND p.status NOT IN ('stopped', 'full')"

/* Who sees a due step: the acting org's accounts (org_admin for an upper
 * step); a branch without a managing account hands its steps to the nearest
 * 党委's org_admin, and a step whose acting org holds no such account falls
 * to the system administrators (platform/todo.h), so no step goes unseen. */
#define BRANCH_UNMANNED "(x.upper = 0 AND NOT " TODO_HAS_ACCOUNT("x.org_id", TODO_MANAGERS) ")"
#define WHO_ADMIN                                                                                                  \
	"((" BRANCH_UNMANNED " AND (" TODO_COMMITTEE_OF("x.org_id") " IS NULL OR NOT "                            \
	TODO_HAS_ACCOUNT(TODO_COMMITTEE_OF("x.org_id"), "'org_admin'") "))"                                         \
	" OR (x.upper = 1 AND (x.actor_org IS NULL OR NOT " TODO_HAS_ACCOUNT("x.actor_org", "'org_admin'") ")))"
#define WHO_ORG_ADMIN                                                                                              \
	"((x.upper = 0 AND x.org_id = ?1) OR (x.upper = 1 AND x.actor_org = ?1)"                                   \
	" OR (" BRANCH_UNMANNED " AND " TODO_COMMITTEE_OF("x.org_id") " = ?1))"
#define WHO_BRANCH "(x.upper = 0 AND x.org_id = ?1)"

/* A record stopped by the member's end whose member is back on the roster
 * (a letter received back): the 上级党委 decides whether it goes on (继续
 * 发展, develop_stop.c), so that a 预备党员 back from elsewhere is not left
 * with neither a pipeline nor a roster 待办 (member_todos leaves piped
 * members to this module).  Shaped as DUE_STEPS for the same WHO filters;
 * due_on the day they came back, by ?2.  Only an end of the roster has a
 * day back (BACK_ON), so the pipeline's own stop reasons drop out by it;
 * the two ends the pipeline itself makes are left out as in
 * develop_stopped_by_end.  Its org is the member's current one (a letter
 * may bring them back into another subtree): its 上级党委 decides, and the
 * record moves there when continued. */
#define BACK_ON "(SELECT max(e.back_on) FROM member_end e WHERE e.member_id = p.member_id AND e.reason = p.stop_reason" \
	" AND e.on_date = p.stopped_on)"
#define CONTINUE_ROWS                                                                                              \
	"SELECT p.id, p.name, m.org_id, o.name AS org_name, 0 AS due_step, " BACK_ON " AS due_on, "                \
	UPPER_AT("m.org_id", COMMITTEES, "0") " AS actor_org, 1 AS upper FROM develop_person p"                    \
	" JOIN member m ON m.id = p.member_id JOIN org o ON o.id = m.org_id"                                       \
	" WHERE p.status = 'stopped' AND p.next_id IS NULL AND m.active = 1"                                      \
	" AND p.stop_reason NOT IN ('not_admitted', 'probation_cancelled') AND " BACK_ON " <= ?2"

static int continue_todos(struct db *db, const char *who, int64_t org, const char *last, json_t *out,
			  struct dj_error *err)
{
	char *sql = xasprintf("SELECT x.* FROM (" CONTINUE_ROWS ") x WHERE %s ORDER BY x.due_on, x.id", who);
	json_t *rows = db_rows(db, sql, DB_ARGS(DB_I(org), DB_T(last)), err);
	free(sql);
	if (!rows)
		return err->code;
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		char title[300], link[64];
		snprintf(title, sizeof title, "发展党员：%s 已于%s回到党员名册，继续发展", S(r, "name"), S(r, "due_on"));
		snprintf(link, sizeof link, "/develop/people/%lld", (long long)I(r, "id"));
		/* Not a time limit of the rules: no due date, never overdue. */
		todo_add(out, "develop_continue", title, NULL, link, I(r, "org_id"), S(r, "org_name"));
	}
	json_decref(rows);
	return 0;
}

int develop_todos(struct db *db, const struct actor *a, const char *today, json_t *out, struct dj_error *err)
{
	if (a->role == ROLE_MEMBER || (!a->org_id && a->role != ROLE_ADMIN))
		return 0;
	char first[11], last[11];
	snprintf(first, sizeof first, "%.8s01", today);
	date_add(last, first, 0, 1, -1);
	const char *who = a->role == ROLE_ADMIN ? WHO_ADMIN : a->role == ROLE_ORG_ADMIN ? WHO_ORG_ADMIN : WHO_BRANCH;
	char *sql = xasprintf("SELECT x.* FROM (" DUE_STEPS ") x WHERE %s ORDER BY x.due_on, x.id", who);
	int rc = todo_rows(db, sql, a->org_id, last, out, err);
	free(sql);
	return rc ? rc : continue_todos(db, who, a->org_id, last, out, err);
}
