/* test_dberr.c — a failed query is an error to the caller, never "nothing
 * there": with a table gone, lookups answer DJ_EDB, not DJ_ENOTFOUND, 0 or
 * an empty list, and writes that checked it change nothing.  Also the
 * state and kind tables convert both ways. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "unit_db.h"

#include "core/setting.h"
#include "db/db.h"
#include "member/idcard.h"
#include "member/member.h"
#include "org/org.h"
#include "task/task.h"

static struct db *db;
static struct actor cli;
static int64_t root, branch, empty, member, plan;

static int64_t mk_org(const char *code, const char *kind, int64_t parent)
{
	json_t *in = json_pack("{s:s, s:s, s:s}", "code", code, "name", code, "kind", kind);
	if (parent)
		json_object_set_new(in, "parent_id", json_integer(parent));
	int64_t id = 0;
	struct dj_error e = {0};
	int rc = org_create(db, &cli, in, &id, &e);
	json_decref(in);
	return rc ? -1 : id;
}

static int setup(void **state)
{
	(void)state;
	if (unit_db_open("dberr", &db))
		return -1;
	struct dj_error e = {0};
	cli = actor_cli();
	root = mk_org("R", "committee", 0);
	branch = mk_org("B", "branch", root);
	empty = mk_org("E", "branch", root);
	char first17[18] = "41010219800101001", id_card[19];
	snprintf(id_card, sizeof id_card, "%s%c", first17, idcard_check_char(first17));
	json_t *in = json_pack("{s:I, s:s, s:s, s:s, s:s}", "org_id", (json_int_t)branch, "name", "测试", "id_card",
			       id_card, "join_date", "2010-07-01", "status", "full");
	int rc = member_create(db, &cli, in, &member, &e);
	json_decref(in);
	in = json_pack("{s:I, s:s, s:s, s:s}", "org_id", (json_int_t)root, "title", "方案", "starts_on", "2026-01-01",
		       "ends_on", "2026-12-31");
	if (!rc)
		rc = task_plan_create(db, &cli, in, &plan, &e);
	json_decref(in);
	if (rc || root < 0 || branch < 0 || empty < 0) {
		fprintf(stderr, "setup: %s\n", e.msg);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unit_db_close(db);
	return 0;
}

/* Take a table away (renamed, so it can come back) to make its queries fail. */
static void hide(const char *table, bool gone)
{
	char sql[160];
	if (gone)
		snprintf(sql, sizeof sql, "ALTER TABLE %s RENAME TO %s_hidden", table, table);
	else
		snprintf(sql, sizeof sql, "ALTER TABLE %s_hidden RENAME TO %s", table, table);
	struct dj_error e = {0};
	if (db_exec(db, "PRAGMA legacy_alter_table = ON", &e) || db_exec(db, sql, &e))
		fail_msg("%s: %s", sql, e.msg);
}

static void org_lookups_fail_loudly(void **state)
{
	(void)state;
	struct dj_error e = {0};
	int64_t id = -1;
	bool within = true;
	hide("org", true);
	assert_int_equal(org_id_by_code(db, "R", &id, &e), DJ_EDB);
	hide("org", false);
	assert_int_equal(org_id_by_code(db, "NOPE", &id, &e), 0);	/* missing is an answer */
	assert_int_equal(id, 0);

	hide("org_closure", true);
	dj_error_clear(&e);
	assert_int_equal(org_contains(db, root, branch, &within, &e), DJ_EDB);
	hide("org_closure", false);

	/* The detail's term comes from org_term: gone, the detail is an error, not "no term". */
	hide("org_term", true);
	dj_error_clear(&e);
	json_t *o = org_get(db, &cli, branch, &e);
	assert_null(o);
	assert_int_equal(e.code, DJ_EDB);
	/* Delete checks that no term names the org: unable to check, it deletes nothing. */
	dj_error_clear(&e);
	assert_int_equal(org_delete(db, &cli, empty, &e), DJ_EDB);
	hide("org_term", false);
	assert_int_equal(org_id_by_code(db, "E", &id, &e), 0);
	assert_int_equal(id, empty);
}

static void member_and_plan_fail_loudly(void **state)
{
	(void)state;
	struct dj_error e = {0};
	hide("member_transfer", true);
	json_t *m = member_get(db, &cli, member, &e);
	assert_null(m);
	assert_int_equal(e.code, DJ_EDB);
	hide("member_transfer", false);
	dj_error_clear(&e);
	m = member_get(db, &cli, member, &e);
	assert_non_null(m);
	json_decref(m);

	hide("plan", true);
	dj_error_clear(&e);
	assert_null(task_plan_get(db, &cli, plan, &e));
	assert_int_equal(e.code, DJ_EDB);	/* not 404 "工作方案不存在" */
	hide("plan", false);

	hide("task", true);
	dj_error_clear(&e);
	assert_null(task_plan_get(db, &cli, plan, &e));
	assert_int_equal(e.code, DJ_EDB);	/* not a plan with no tasks */
	hide("task", false);

	int64_t v = -1;
	hide("setting", true);
	dj_error_clear(&e);
	assert_int_equal(setting_get_int(db, "rule.probation_months", 12, &v, &e), DJ_EDB);
	hide("setting", false);
	assert_int_equal(setting_get_int(db, "no.such.key", 12, &v, &e), 0);
	assert_int_equal(v, 12);
}

static void kinds_and_states_convert_both_ways(void **state)
{
	(void)state;
	for (const char *const *k = org_kind_names(); *k; k++) {
		enum org_kind kind = org_kind_parse(*k);
		assert_int_not_equal(kind, ORG_KIND_NONE);
		assert_string_equal(org_kind_name(kind), *k);
		assert_true(strlen(org_kind_label(kind)) > 0);
	}
	assert_int_equal(org_kind_parse("nonsense"), ORG_KIND_NONE);
	assert_int_equal(org_kind_parse(NULL), ORG_KIND_NONE);
	assert_string_equal(org_kind_label(ORG_CLOUD_BRANCH), "云支部");
	for (int s = PLAN_DRAFT; s <= PLAN_CLOSED; s++)
		assert_int_equal(plan_status_parse(plan_status_name((enum plan_status)s)), s);
	for (int s = ASSIGNMENT_NOT_STARTED; s <= ASSIGNMENT_RETURNED; s++)
		assert_int_equal(assignment_status_parse(assignment_status_name((enum assignment_status)s)), s);
	assert_string_equal(plan_status_label(PLAN_PUBLISHED), "已发布");
	for (int s = ORG_ACTIVE; s <= ORG_MERGED; s++)
		assert_int_equal(org_status_parse(org_status_name((enum org_status)s)), s);
	for (const char *const *n = member_status_names(); *n; n++)
		assert_string_equal(member_status_name(member_status_parse(*n)), *n);
	assert_string_equal(member_status_label(MEMBER_PROBATIONARY), "预备党员");
	assert_int_equal(plan_status_parse("overdue"), PLAN_STATUS_NONE);
}

int main(void)
{
	setenv("DANGJIAN_TODAY", "2026-11-22", 0);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(org_lookups_fail_loudly),
		cmocka_unit_test(member_and_plan_fail_loudly),
		cmocka_unit_test(kinds_and_states_convert_both_ways),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
