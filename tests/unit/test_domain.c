/* test_domain.c — the domain rules against a real SQLite file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "unit_db.h"

#include "core/collate.h"
#include "core/date.h"
#include "crypto/pii.h"
#include "db/db.h"
#include "io/table.h"
#include "member/idcard.h"
#include "member/member.h"
#include "member/member_io.h"
#include "core/setting.h"
#include "core/valid.h"
#include "org/org.h"
#include "platform/module.h"
#include "user/user.h"

static struct db *db;
static struct actor cli_actor;

static int setup(void **state)
{
	(void)state;
	/* Migrated as `init` migrates (the org rules read the org module's
	 * org_term_latest). */
	if (unit_db_open("domain", &db))
		return -1;
	cli_actor = actor_cli();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unit_db_close(db);
	return 0;
}

static int64_t code_id(const char *code)
{
	int64_t id = 0;
	struct dj_error e = {0};
	if (org_id_by_code(db, code, &id, &e))
		fail_msg("org_id_by_code %s: %s", code, e.msg);
	return id;
}

static int64_t mk_org(const char *code, const char *kind, int64_t parent)
{
	json_t *in = json_pack("{s:s, s:s, s:s}", "code", code, "name", code, "kind", kind);
	if (parent)
		json_object_set_new(in, "parent_id", json_integer(parent));
	int64_t id = 0;
	struct dj_error e = {0};
	int rc = org_create(db, &cli_actor, in, &id, &e);
	json_decref(in);
	if (rc)
		fail_msg("org_create %s: %s", code, e.msg);
	return id;
}

static int64_t mk_member(int64_t org, const char *status, const char *join, int seq)
{
	char id_card[19], first17[18];
	snprintf(first17, sizeof first17, "41010219800101%03d", seq);
	snprintf(id_card, sizeof id_card, "%s%c", first17, idcard_check_char(first17));
	json_t *in = json_pack("{s:I, s:s, s:s, s:s, s:s}", "org_id", (json_int_t)org, "name", "测试", "id_card", id_card,
			       "join_date", join, "status", status);
	int64_t id = 0;
	struct dj_error e = {0};
	int rc = member_create(db, &cli_actor, in, &id, &e);
	json_decref(in);
	if (rc)
		fail_msg("member_create: %s (%s)", e.msg, e.field);
	return id;
}

static void idcard_check_digit_and_birth_date(void **state)
{
	(void)state;
	char birth[11], msg[128];
	bool male;
	assert_true(idcard_parse("11010519491231002X", birth, &male, msg, sizeof msg));	/* GB 11643's own example */
	assert_string_equal(birth, "1949-12-31");
	assert_false(male);
	assert_false(idcard_parse("110105194912310021", birth, &male, msg, sizeof msg));
	assert_non_null(strstr(msg, "校验位"));
	assert_false(idcard_parse("110105194902300023", birth, &male, msg, sizeof msg));	/* 30 February */
	assert_false(idcard_parse("1101051949123100", birth, &male, msg, sizeof msg));
}

/* A required text of only spaces (ASCII or the ideographic space an input
 * method types) is as good as none; inner and optional spaces stay. */
static void required_text_of_spaces_is_missing(void **state)
{
	(void)state;
	json_t *in = json_pack("{s:s, s:s, s:s, s:s}", "a", "  \t\n", "b", "\xe3\x80\x80 ", "c", " 文号 ", "d", "   ");
	const char *out;
	struct dj_error err = {0};
	assert_int_not_equal(v_str(in, "a", "批复文号", 50, true, &out, &err), 0);
	assert_string_equal(err.field, "a");
	assert_int_not_equal(v_str(in, "b", "批复文号", 50, true, &out, &err), 0);
	assert_int_equal(v_str(in, "c", "批复文号", 50, true, &out, &err), 0);
	assert_string_equal(out, " 文号 ");
	assert_int_equal(v_str(in, "d", "备注", 50, false, &out, &err), 0);
	json_decref(in);
}

static void date_arithmetic_clamps_month_ends(void **state)
{
	(void)state;
	char out[11];
	date_add(out, "2024-02-29", 1, 0, 0);
	assert_string_equal(out, "2025-02-28");
	date_add(out, "2025-01-31", 0, 1, 0);
	assert_string_equal(out, "2025-02-28");
	assert_int_equal(date_diff("2025-01-01", "2026-01-01"), 365);
	assert_false(date_valid("2025-13-01"));
	assert_false(date_valid("2025-1-01"));
}

static void pii_ciphertext_is_bound_to_row_and_column(void **state)
{
	(void)state;
	char *s = pii_seal(7, "id_card", "11010519491231002X");
	char *ok = pii_open(7, "id_card", s);
	assert_string_equal(ok, "11010519491231002X");
	assert_null(pii_open(8, "id_card", s));	/* swapped to another row */
	assert_null(pii_open(7, "phone", s));	/* or another column */
	char *mask = pii_mask_id_card(ok);
	assert_string_equal(mask, "**************002X");
	free(s);
	free(ok);
	free(mask);
	char h1[65], h2[65];
	pii_hash("phone", "13800000000", h1);
	pii_hash("id_card", "13800000000", h2);
	assert_string_not_equal(h1, h2);
}

static void password_policy_and_argon2id(void **state)
{
	(void)state;
	struct dj_error e = {0};
	assert_int_equal(user_check_password("short1", &e), DJ_EINVAL);
	assert_int_equal(user_check_password("onlyletters", &e), DJ_EINVAL);
	assert_int_equal(user_check_password("letters123", &e), 0);
	char h[256];
	assert_int_equal(pw_hash("letters123", h, sizeof h), 0);
	assert_true(strncmp(h, "$argon2id$", 10) == 0);
	assert_true(pw_verify(h, "letters123"));
	assert_false(pw_verify(h, "letters124"));
}

static void pinyin_sort_keys_order_names(void **state)
{
	(void)state;
	char *a = collate_key("白宝"), *b = collate_key("蔡明"), *c = collate_key("张三");
	assert_true(strcmp(a, b) < 0);
	assert_true(strcmp(b, c) < 0);
	free(a);
	free(b);
	free(c);
}

static void db_numbered_parameters_are_not_swapped(void **state)
{
	(void)state;
	json_t *r = db_row(db, "SELECT ?2 AS b, ?1 AS a", DB_ARGS(DB_I(1), DB_I(2)), NULL);
	assert_int_equal(json_integer_value(json_object_get(r, "a")), 1);
	assert_int_equal(json_integer_value(json_object_get(r, "b")), 2);
	json_decref(r);
}

static void org_move_refuses_descendant(void **state)
{
	(void)state;
	int64_t root = mk_org("R", "committee", 0);
	int64_t a = mk_org("A", "general_branch", root);
	int64_t b = mk_org("B", "branch", a);
	struct dj_error e = {0};
	assert_int_equal(org_move(db, &cli_actor, a, b, NULL, &e), DJ_ECONFLICT);
	assert_int_equal(org_move(db, &cli_actor, a, a, NULL, &e), DJ_ECONFLICT);
	bool in = false;
	assert_int_equal(org_contains(db, root, b, &in, &e), 0);
	assert_true(in);
	int64_t c = mk_org("C", "general_branch", root);
	assert_int_equal(org_move(db, &cli_actor, b, c, "2025-01-01", &e), 0);
	assert_int_equal(org_contains(db, c, b, &in, &e), 0);
	assert_true(in);
	assert_int_equal(org_contains(db, a, b, &in, &e), 0);
	assert_false(in);
	assert_int_equal(org_contains(db, root, b, &in, &e), 0);
	assert_true(in);
}

static void org_duplicate_code_changes_nothing(void **state)
{
	(void)state;
	int64_t before = 0, after = 0, id;
	db_int1(db, &before, "SELECT count(*) FROM org", DB_NOARGS, NULL);
	json_t *in = json_pack("{s:s, s:s, s:s, s:I}", "code", "R", "name", "x", "kind", "branch", "parent_id",
			       (json_int_t)code_id("R"));
	struct dj_error e = {0};
	assert_int_equal(org_create(db, &cli_actor, in, &id, &e), DJ_ECONFLICT);
	assert_string_equal(e.field, "code");
	json_decref(in);
	db_int1(db, &after, "SELECT count(*) FROM org", DB_NOARGS, NULL);
	assert_int_equal(before, after);
}

static bool has_finding(json_t *f, const char *rule, int64_t org)
{
	size_t i;
	json_t *x;
	json_array_foreach(f, i, x)
		if (strcmp(json_string_value(json_object_get(x, "rule")), rule) == 0 &&
		    json_integer_value(json_object_get(x, "org_id")) == org)
			return true;
	return false;
}

static void branch_rules_are_computed(void **state)
{
	(void)state;
	int64_t root = code_id("R");
	int64_t small = mk_org("SMALL", "branch", root);
	int64_t big = mk_org("BIG", "branch", root);
	mk_member(small, "full", "2005-01-01", 1);
	mk_member(small, "full", "2005-01-01", 3);
	for (int i = 0; i < 8; i++)
		mk_member(big, "full", "2005-01-01", 10 + i * 2);
	char today[11], join[11];
	date_today(today);
	date_add(join, today, -1, -2, 0);	/* a probation that ended two months ago */
	int64_t prob = mk_member(big, "probationary", join, 41);
	struct dj_error e = {0};
	json_t *f = org_findings(db, &cli_actor, root, NULL, &e);
	assert_non_null(f);
	assert_true(has_finding(f, "branch_too_few", small));
	assert_false(has_finding(f, "branch_too_few", big));
	assert_true(has_finding(f, "branch_needs_committee", big));
	assert_true(has_finding(f, "no_term", small));
	assert_true(has_finding(f, "probation_overdue", big));
	json_decref(f);
	/* An election with a committee of three clears the committee finding and sets the term. */
	json_t *members = db_rows(db, "SELECT id FROM member WHERE org_id = ? ORDER BY id LIMIT 3", DB_ARGS(DB_I(big)), NULL);
	json_t *in = json_pack("{s:s, s:[{s:s, s:O}, {s:s, s:O}, {s:s, s:O}]}", "elected_on", "2023-12-01", "officers",
			       "post", "secretary", "member_id", json_object_get(json_array_get(members, 0), "id"),
			       "post", "organization", "member_id", json_object_get(json_array_get(members, 1), "id"),
			       "post", "propaganda", "member_id", json_object_get(json_array_get(members, 2), "id"));
	int64_t term;
	assert_int_equal(org_election(db, &cli_actor, big, in, &term, &e), 0);
	json_decref(in);
	json_decref(members);
	f = org_findings(db, &cli_actor, root, NULL, &e);
	assert_false(has_finding(f, "branch_needs_committee", big));
	bool due = has_finding(f, "election_due", big) || has_finding(f, "election_overdue", big);
	int64_t warn = 0;
	assert_int_equal(setting_get_int(db, "rule.election_warn_days", 90, &warn, &e), 0);
	assert_int_equal(due, strcmp("2026-12-01", today) <= 0 || date_diff(today, "2026-12-01") <= warn);
	json_decref(f);
	/* Converting the member clears the probation finding. */
	json_t *conv = json_pack("{s:s}", "full_date", today);
	assert_int_equal(member_convert(db, &cli_actor, prob, conv, &e), 0);
	json_decref(conv);
	f = org_findings(db, &cli_actor, root, "probation_overdue", &e);
	assert_false(has_finding(f, "probation_overdue", big));
	json_decref(f);
}

static void delete_refuses_org_with_members(void **state)
{
	(void)state;
	struct dj_error e = {0};
	int64_t small = code_id("SMALL");
	assert_int_equal(org_delete(db, &cli_actor, small, &e), DJ_ECONFLICT);
	assert_int_equal(org_dissolve(db, &cli_actor, small, "2025-01-01", NULL, &e), DJ_ECONFLICT);
}

static void import_is_all_or_nothing(void **state)
{
	(void)state;
	int64_t root = code_id("R");
	int64_t before = 0, after = 0;
	db_int1(db, &before, "SELECT count(*) FROM member", DB_NOARGS, NULL);
	const char *csv = "姓名,性别,出生日期,入党日期,党员类别\n"
			  "甲,男,1980-01-01,2005-07-01,正式党员\n"
			  "乙,女,1981/02/03,2006年7月1日,预备\n"
			  "丙,未知,1980-01-01,2005-07-01,正式党员\n";
	json_t *res = NULL;
	struct dj_error e = {0};
	assert_int_equal(member_import(db, &cli_actor, root, csv, strlen(csv), "t.csv", false, &res, &e), DJ_EINVAL);
	assert_int_equal(json_array_size(e.details), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(e.details, 0), "row")), 4);
	assert_string_equal(json_string_value(json_object_get(json_array_get(e.details, 0), "column")), "性别");
	dj_error_clear(&e);
	db_int1(db, &after, "SELECT count(*) FROM member", DB_NOARGS, NULL);
	assert_int_equal(before, after);
	const char *good = "姓名,性别,出生日期,入党日期,党员类别\n甲,男,1980-01-01,2005-07-01,正式党员\n";
	assert_int_equal(member_import(db, &cli_actor, root, good, strlen(good), "t.csv", false, &res, &e), 0);
	assert_int_equal(json_integer_value(json_object_get(res, "imported")), 1);
	json_decref(res);
}

static void xlsx_export_reads_back(void **state)
{
	(void)state;
	char *data;
	size_t len;
	struct dj_error e = {0};
	assert_int_equal(member_template(&data, &len, &e), 0);
	json_t *res = NULL;
	/* The template's example row imports cleanly (dry run). */
	assert_int_equal(member_import(db, &cli_actor, code_id("R"), data, len, "t.xlsx", true, &res, &e), 0);
	assert_int_equal(json_integer_value(json_object_get(res, "rows")), 1);
	json_decref(res);
	free(data);
	char out[11];
	assert_true(table_excel_date(45658, out));	/* Excel's serial for 2025-01-01 */
	assert_string_equal(out, "2025-01-01");
}

int main(void)
{
	setenv("DANGJIAN_TODAY", "2026-11-22", 0);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(idcard_check_digit_and_birth_date),
		cmocka_unit_test(date_arithmetic_clamps_month_ends),
		cmocka_unit_test(required_text_of_spaces_is_missing),
		cmocka_unit_test(pii_ciphertext_is_bound_to_row_and_column),
		cmocka_unit_test(password_policy_and_argon2id),
		cmocka_unit_test(pinyin_sort_keys_order_names),
		cmocka_unit_test(db_numbered_parameters_are_not_swapped),
		cmocka_unit_test(org_move_refuses_descendant),
		cmocka_unit_test(org_duplicate_code_changes_nothing),
		cmocka_unit_test(branch_rules_are_computed),
		cmocka_unit_test(delete_refuses_org_with_members),
		cmocka_unit_test(import_is_all_or_nothing),
		cmocka_unit_test(xlsx_export_reads_back),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
