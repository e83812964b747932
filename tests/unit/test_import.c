/* test_import.c — what the importer makes of foreign rosters without a
 * database: the synonym table (a check per synonym), heading clean-up, and
 * dates as people type them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "io/table.h"
#include "member/member_cols.h"

/* The headings DESIGN.md ("Import") and issue 9 name, each with its field. */
static const struct member_synonym named[] = {
	{"姓名", "name"}, {"性别", "gender"}, {"民族", "ethnicity"},
	{"出生日期", "birth_date"}, {"出生年月", "birth_date"},
	{"公民身份号码", "id_card"}, {"身份证号码", "id_card"}, {"身份证号", "id_card"}, {"身份证", "id_card"},
	{"学历", "education"}, {"文化程度", "education"},
	{"人员类别", "status"}, {"党员类别", "status"}, {"党员状态", "status"}, {"正式/预备党员", "status"},
	{"党籍状态", "status"},
	{"入党时间", "join_date"}, {"入党日期", "join_date"}, {"加入党组织日期", "join_date"},
	{"转正时间", "full_date"}, {"转正日期", "full_date"}, {"转为正式党员日期", "full_date"},
	{"所在党支部", "org_code"}, {"所在党组织", "org_code"}, {"党组织名称", "org_code"}, {"所在组织", "org_code"},
	{"手机号码", "phone"}, {"联系电话", "phone"}, {"联系方式", "phone"},
	{"工作岗位", "position"}, {"职务", "position"},
	{0, 0},
};

static void every_synonym_names_its_field(void **state)
{
	(void)state;
	int n = 0;
	for (const struct member_synonym *s = member_synonyms; s->heading; s++, n++) {
		int f = member_field_by_key(s->key);
		assert_true(f >= 0);
		if (member_field_of_heading(s->heading, NULL) != f)
			fail_msg("heading %s should be %s", s->heading, s->key);
		/* As files write it: starred, spaced, broken over lines, with a hint. */
		char deco[200];
		snprintf(deco, sizeof deco, " %.3s\n%s（例：x）* ", s->heading, s->heading + 3);
		if (member_field_of_heading(deco, NULL) != f)
			fail_msg("heading %s should be %s", deco, s->key);
	}
	assert_true(n >= 60);
	for (const struct member_synonym *s = named; s->heading; s++)
		if (member_field_of_heading(s->heading, NULL) != member_field_by_key(s->key))
			fail_msg("named heading %s should be %s", s->heading, s->key);
}

static void template_labels_are_synonyms_of_themselves(void **state)
{
	(void)state;
	for (int c = 0; c < MEMBER_NCOLS; c++) {
		int rank = -1;
		assert_int_equal(member_field_of_heading(member_cols[c].label, &rank), c);
		/* The template's own label is the most specific heading of its field. */
		for (const struct member_synonym *s = member_synonyms; s->heading; s++)
			if (strcmp(s->key, member_cols[c].key) == 0) {
				assert_string_equal(s->heading, member_cols[c].label);
				break;
			}
	}
}

static void headings_the_platform_does_not_keep_are_unknown(void **state)
{
	(void)state;
	const char *other[] = {"序号", "年龄", "毕业院校", "档案管理单位", "籍贯", "家庭住址", "现居住地", "工作/学习单位",
			       "户籍所在派出所", "备注", "", "XX党支部党员信息表", "时间：2025-09-30"};
	for (size_t i = 0; i < sizeof other / sizeof *other; i++)
		assert_int_equal(member_field_of_heading(other[i], NULL), -1);
}

static void heading_norm_drops_spaces_stars_and_hints(void **state)
{
	(void)state;
	char out[64];
	member_heading_norm("出生\n年月(2019/10/24)", out, sizeof out);
	assert_string_equal(out, "出生年月");
	member_heading_norm("姓　名*", out, sizeof out);
	assert_string_equal(out, "姓名");
	member_heading_norm("＊入党时间：", out, sizeof out);
	assert_string_equal(out, "入党时间");
	member_heading_norm("身份证号（18位）\r\n", out, sizeof out);
	assert_string_equal(out, "身份证号");
}

static void dates_as_people_type_them(void **state)
{
	(void)state;
	const char *same[] = {"2019-10-24", "2019/10/24", "2019.10.24", "2019年10月24日", "20191024", "43762",
			      "2019-10-24 00:00:00", "2019/10/24 8:30"};
	char out[11];
	for (size_t i = 0; i < sizeof same / sizeof *same; i++) {
		memset(out, 0, sizeof out);
		if (!table_date_cell(same[i], out) || strcmp(out, "2019-10-24") != 0)
			fail_msg("%s read as %s", same[i], out);
	}
	assert_true(table_date_cell("2019-1-5", out));
	assert_string_equal(out, "2019-01-05");
	const char *bad[] = {"2019-13-01", "2019-02-30", "1985.10", "1985年10月", "十月", "2019"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		if (table_date_cell(bad[i], out))
			fail_msg("%s should not be a date", bad[i]);
}

static void months_for_birth_dates(void **state)
{
	(void)state;
	const char *same[] = {"1985.10", "1985年10月", "1985-10", "1985/10", "198510"};
	char out[8];
	for (size_t i = 0; i < sizeof same / sizeof *same; i++) {
		memset(out, 0, sizeof out);
		if (!table_month_cell(same[i], out) || strcmp(out, "1985-10") != 0)
			fail_msg("%s read as %s", same[i], out);
	}
	assert_true(table_month_cell("1985.3", out));
	assert_string_equal(out, "1985-03");
	assert_false(table_month_cell("1985.13", out));
	assert_false(table_month_cell("1985.10.24", out));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_synonym_names_its_field),
		cmocka_unit_test(template_labels_are_synonyms_of_themselves),
		cmocka_unit_test(headings_the_platform_does_not_keep_are_unknown),
		cmocka_unit_test(heading_norm_drops_spaces_stars_and_hints),
		cmocka_unit_test(dates_as_people_type_them),
		cmocka_unit_test(months_for_birth_dates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
