/* test_db_wlock.c — the server's writers of one SQLite file queue in the
 * process (db_wlock.c): four threads writing at once all get through, none
 * is refused busy, and a connection closed inside its transaction lets the
 * next writer go at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "db/db_driver.h"

#define THREADS 4
#define TXS 100

static char path[64];

static struct db *open_db(void)
{
	struct db *db = NULL;
	struct dj_error err = {0};
	assert_int_equal(db_open(path, &db, &err), 0);
	db->untracked = true;	/* no data_version table here */
	return db;
}

static void *writer(void *arg)
{
	(void)arg;
	struct db *db = open_db();
	for (int i = 0; i < TXS; i++) {
		struct dj_error err = {0};
		int rc = db_begin(db, &err);
		if (!rc)
			rc = db_run(db, "UPDATE n SET v = v + 1", 0, NULL, &err);
		if (!rc)
			usleep(200);	/* others arrive while this one holds the lock */
		rc = db_end(db, rc, &err);
		if (rc) {
			fprintf(stderr, "writer: %s\n", err.msg);
			abort();
		}
	}
	db_close(db);
	return NULL;
}

static void setup_file(void)
{
	snprintf(path, sizeof path, "/tmp/dj-wlock-%d.db", (int)getpid());
	unlink(path);
	struct db *db = open_db();
	assert_int_equal(db_exec(db, "CREATE TABLE n(v BIGINT NOT NULL); INSERT INTO n VALUES (0)", NULL), 0);
	db_close(db);
}

static void cleanup_file(void)
{
	char p[80];
	unlink(path);
	snprintf(p, sizeof p, "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", path);
	unlink(p);
}

static void writers_queue(void **state)
{
	(void)state;
	setup_file();
	pthread_t t[THREADS];
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, writer, NULL), 0);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	struct db *db = open_db();
	int64_t v = 0;
	assert_int_equal(db_int1(db, &v, "SELECT v FROM n", 0, NULL, NULL), 0);
	assert_int_equal(v, THREADS * TXS);
	db_close(db);
	cleanup_file();
}

static void closed_inside_a_transaction(void **state)
{
	(void)state;
	setup_file();
	struct db *a = open_db(), *b = open_db();
	struct dj_error err = {0};
	assert_int_equal(db_begin(a, &err), 0);
	assert_int_equal(db_run(a, "UPDATE n SET v = 5", 0, NULL, &err), 0);
	db_close(a);	/* rolled back, and the lock given */
	int64_t t0 = db_now_us();
	assert_int_equal(db_begin(b, &err), 0);
	assert_true(db_now_us() - t0 < 2000000);
	assert_int_equal(db_run(b, "UPDATE n SET v = v + 1", 0, NULL, &err), 0);
	assert_int_equal(db_commit(b, &err), 0);
	int64_t v = 0;
	assert_int_equal(db_int1(b, &v, "SELECT v FROM n", 0, NULL, NULL), 0);
	assert_int_equal(v, 1);
	db_close(b);
	cleanup_file();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(writers_queue),
		cmocka_unit_test(closed_inside_a_transaction),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
