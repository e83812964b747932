/* test_dues.c — the 党费 brackets at their edges, half-up rounding to the
 * fen, and money as users write it, with the default rules read from a real
 * SQLite file migrated as the platform migrates it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "unit_db.h"

#include "db/db.h"
#include "dues/dues.h"
#include "platform/module.h"

static struct db *db;
static struct dues_rules rules;

static int setup(void **state)
{
	(void)state;
	struct dj_error e = {0};
	if (unit_db_open("dues", &db))
		return -1;
	if (dues_rules_load(db, &rules, &e)) {
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

static void expect(const char *category, int64_t base_fen, int64_t rate_bp, int64_t monthly_fen)
{
	const struct dues_category *c = dues_category_find(&rules, category);
	assert_non_null(c);
	int64_t r, m;
	dues_amount(c, base_fen, &r, &m);
	if (r != rate_bp || m != monthly_fen)
		fail_msg("%s base %lld fen: rate %lld/10000 and %lld fen, expected %lld and %lld", category,
			 (long long)base_fen, (long long)r, (long long)m, (long long)rate_bp, (long long)monthly_fen);
}

static void employed_brackets_at_their_edges(void **state)
{
	(void)state;
	expect("employed", 0, 50, 0);
	expect("employed", 299999, 50, 1500);		/* 2999.99 × 0.5% = 14.99995 → 15.00 */
	expect("employed", 300000, 50, 1500);		/* exactly 3000: the lower bracket */
	expect("employed", 300001, 100, 3000);		/* 3000.01 × 1% = 30.0001 */
	expect("employed", 500000, 100, 5000);
	expect("employed", 500001, 150, 7500);		/* 5000.01 × 1.5% = 75.00015 */
	expect("employed", 1000000, 150, 15000);
	expect("employed", 1000001, 200, 20000);	/* 10000.01 × 2% = 200.0002 */
	expect("在职", 2000000, 200, 40000);		/* by label too */
}

static void retired_brackets_at_their_edges(void **state)
{
	(void)state;
	expect("retired", 499999, 50, 2500);
	expect("retired", 500000, 50, 2500);
	expect("retired", 500001, 100, 5000);
	expect("退休", 800000, 100, 8000);		/* a word users write */
}

static void fixed_categories_pay_their_amount(void **state)
{
	(void)state;
	const char *fixed[] = {"student", "farmer", "unemployed", "relief", "低保", "下岗", "学生", "农民"};
	for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++) {
		expect(fixed[i], 0, 0, 20);
		expect(fixed[i], 900000, 0, 20);
	}
	assert_null(dues_category_find(&rules, "nobody"));
	assert_null(dues_category_find(&rules, ""));
}

static void rounding_is_half_up_to_the_fen(void **state)
{
	(void)state;
	expect("employed", 100100, 50, 501);		/* 5.005 → 5.01 (half-even would give 5.00) */
	expect("employed", 100300, 50, 502);		/* 5.015 → 5.02 */
	expect("employed", 100099, 50, 500);		/* 5.00495 → 5.00 */
	expect("employed", 1000025, 200, 20001);	/* 200.005 → 200.01 */
	expect("employed", 510010, 150, 7650);		/* 76.5015 → 76.50 */
	expect("employed", 510030, 150, 7650);		/* 76.5045 → 76.50 */
	expect("employed", 510034, 150, 7651);		/* 76.5051 → 76.51 */
}

static void money_is_read_in_fen(void **state)
{
	(void)state;
	struct {
		const char *in;
		int64_t fen;
	} good[] = {{"3000", 300000}, {"3000.5", 300050}, {"3000.05", 300005}, {"3,000.50", 300050}, {"¥3000", 300000},
		    {"￥12.3", 1230}, {"3000元", 300000}, {" 3000.00 ", 300000}, {"0", 0}, {"3000.500", 300050}, {"0.2", 20}};
	for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
		struct dj_error e = {0};
		int64_t fen = -1;
		if (dues_money_parse(good[i].in, &fen, "base", "缴纳基数", &e) || fen != good[i].fen)
			fail_msg("\"%s\": %lld fen (%s), expected %lld", good[i].in, (long long)fen, e.msg, (long long)good[i].fen);
	}
	const char *bad[] = {"-1", "－1", "3000.001", "abc", "", "3000.5.1", "1e3", ",300", "99999999999"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		struct dj_error e = {0};
		int64_t fen = 0;
		if (dues_money_parse(bad[i], &fen, "base", "缴纳基数", &e) != DJ_EINVAL)
			fail_msg("\"%s\" was accepted as %lld fen", bad[i], (long long)fen);
		assert_string_equal(e.field, "base");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(employed_brackets_at_their_edges),
		cmocka_unit_test(retired_brackets_at_their_edges),
		cmocka_unit_test(fixed_categories_pay_their_amount),
		cmocka_unit_test(rounding_is_half_up_to_the_fen),
		cmocka_unit_test(money_is_read_in_fen),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
