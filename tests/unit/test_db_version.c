/* test_db_version.c — which scopes a statement writes (db_version.c): the
 * table after INSERT INTO / UPDATE / DELETE FROM, mapped by the lists the
 * modules register; a read is none (a WITH that only reads included), and
 * a table nobody registered or what is not understood moves every scope. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "db/db_driver.h"
#include "platform/module.h"

static void writes_by_table(void **state)
{
	(void)state;
	assert_int_equal(db_write_scopes("INSERT INTO cache_test_table VALUES (1)"), DEP_ALL | DB_WHOLE);
	static const struct db_table_scope mine[] = {{"cache_test_table", DEP(DUES)}, {0}};
	db_register_tables(mine);
	assert_int_equal(db_write_scopes("INSERT INTO cache_test_table VALUES (1)"), DEP(DUES));
	modules_register_tables();
	assert_int_equal(db_write_scopes("INSERT INTO member(id, org_id) VALUES (?, ?)"), DEP(MEMBER));
	assert_int_equal(db_write_scopes("  update org SET name = ?"), DEP(ORG));
	assert_int_equal(db_write_scopes("DELETE FROM attendance WHERE activity_id = ?"), DEP(LIFE));
	assert_int_equal(db_write_scopes("INSERT OR IGNORE INTO assignment_quota VALUES (1, 2, 3)"), DEP(TASK));
	assert_int_equal(db_write_scopes("UPDATE session SET last_seen = ?"), DEP(SESSION));
	assert_int_equal(db_write_scopes("UPDATE data_version SET v = v + 1"), 0u);
	assert_int_equal(db_write_scopes("INSERT INTO no_such_table VALUES (1)"), DEP_ALL | DB_WHOLE);
	assert_int_equal(db_write_scopes("INSERT INTO org_closure VALUES (1, 1, 0)"), DEP(ORG) | DB_TREE);
	assert_int_equal(db_write_scopes("UPDATE life_rule SET min_count = 2"), DEP(LIFE) | DB_WHOLE);
}

static void reads_and_the_rest(void **state)
{
	(void)state;
	assert_int_equal(db_write_scopes("SELECT * FROM member"), 0u);
	assert_int_equal(db_write_scopes("PRAGMA data_version"), 0u);
	assert_int_equal(db_write_scopes("WITH p AS (SELECT 1 AS updated_at) SELECT * FROM p"), 0u);
	assert_int_equal(db_write_scopes("WITH p AS (SELECT 1) DELETE FROM member WHERE id IN (SELECT * FROM p)"), DEP_ALL | DB_WHOLE);
	assert_int_equal(db_write_scopes("ALTER TABLE member ADD COLUMN x TEXT"), DEP_ALL | DB_WHOLE | DB_TREE);
	assert_int_equal(db_write_scopes("LISTEN dj_version"), 0u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(writes_by_table),
		cmocka_unit_test(reads_and_the_rest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
