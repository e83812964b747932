/* dues_sheet.c — the 党费 benchmark: on a copy of a generated database
 * (bench/dues.sh makes it), the dues module's generator step if its tables
 * are empty, then the monthly sheet of the whole tree computed (no read
 * cache: dues_sheet itself) and the root's arrears, timed N times each.
 * Prints figures; asserts nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/date.h"
#include "bench.h"
#include "crypto/pii.h"
#include "db/db.h"
#include "dues/dues.h"
#include "gen/gen.h"
#include "platform/module.h"
#include "user/actor.h"

int dues_generate(struct gen *g, struct dj_error *err);

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}


static void report(const char *what, double *ms, int n)
{
	qsort(ms, (size_t)n, sizeof *ms, cmp);
	printf("%-44s min %7.1f ms  median %7.1f ms  max %7.1f ms  (%d runs)\n", what, ms[0], ms[n / 2], ms[n - 1], n);
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: dues_sheet DB KEY TODAY [RUNS]\n");
		return 2;
	}
	const char *today = argv[3];
	int runs = argc > 4 ? atoi(argv[4]) : 10;
	struct dj_error err = {0};
	struct db *db;
	if (pii_load_key(argv[2], false, &err) || db_open(argv[1], &db, &err) || modules_migrate(db, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	int64_t cards = 0, root = 0;
	if (db_int1(db, &cards, "SELECT count(*) FROM dues_year", DB_NOARGS, &err) ||
	    db_int1(db, &root, "SELECT min(id) FROM org WHERE parent_id IS NULL", DB_NOARGS, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	if (!cards) {
		struct gen_stats st = {0};
		struct gen g = {.db = db, .r = {42}, .scale = GEN_PROVINCE, .years = 3, .log = stdout, .st = &st};
		snprintf(g.today, sizeof g.today, "%s", today);
		double t0 = now_ms();
		db_bulk(db, true);
		int rc = db_begin(db, &err);
		if (!rc)
			rc = dues_generate(&g, &err);
		rc = db_end(db, rc, &err);
		db_bulk(db, false);
		if (rc) {
			fprintf(stderr, "generate: %s\n", err.msg);
			return 1;
		}
		printf("dues generator step: %.1f s\n", (now_ms() - t0) / 1e3);
	}
	struct actor a = actor_cli();
	snprintf(a.today, sizeof a.today, "%s", today);
	char month[8], last[8];
	snprintf(month, sizeof month, "%.7s", today);
	int y = atoi(today), m = atoi(today + 5);
	snprintf(last, sizeof last, "%04d-%02d", m == 1 ? y - 1 : y, m == 1 ? 12 : m - 1);
	double *ms = calloc((size_t)runs, sizeof *ms), *cpu = calloc((size_t)runs, sizeof *cpu);
	const char *months[] = {month, last};
	for (int k = 0; k < 2; k++) {
		json_t *s = NULL;
		for (int i = 0; i < runs; i++) {
			json_decref(s);
			double t0 = now_ms(), c0 = cpu_ms();
			s = dues_sheet(db, &a, root, months[k], false, &err);
			ms[i] = now_ms() - t0;
			cpu[i] = cpu_ms() - c0;
			if (!s) {
				fprintf(stderr, "sheet: %s\n", err.msg);
				return 1;
			}
		}
		json_t *t = json_object_get(s, "totals");
		char what[96];
		snprintf(what, sizeof what, "monthly sheet %s, whole tree (%zu orgs)", months[k],
			 json_array_size(json_object_get(s, "orgs")));
		report(what, ms, runs);
		report("  the same, CPU time", cpu, runs);
		printf("  members %lld, assessed %lld, 应交 %lld fen, 实交 %lld fen, 欠交 %lld fen (%lld members)\n",
		       (long long)json_integer_value(json_object_get(t, "members")),
		       (long long)json_integer_value(json_object_get(t, "assessed")),
		       (long long)json_integer_value(json_object_get(t, "due_fen")),
		       (long long)json_integer_value(json_object_get(t, "paid_fen")),
		       (long long)json_integer_value(json_object_get(t, "owed_fen")),
		       (long long)json_integer_value(json_object_get(t, "owing")));
		json_decref(s);
	}
	int n2 = runs < 3 ? runs : 3;
	json_t *r = NULL;
	for (int i = 0; i < n2; i++) {
		json_decref(r);
		double t0 = now_ms(), c0 = cpu_ms();
		r = dues_arrears(db, &a, root, 1, 20, &err);
		ms[i] = now_ms() - t0;
		cpu[i] = cpu_ms() - c0;
		if (!r) {
			fprintf(stderr, "arrears: %s\n", err.msg);
			return 1;
		}
	}
	report("arrears of the whole tree, first page", ms, n2);
	report("  the same, CPU time", cpu, n2);
	printf("  %lld members in arrears, %lld fen\n", (long long)json_integer_value(json_object_get(r, "total")),
	       (long long)json_integer_value(json_object_get(r, "amount_fen")));
	json_decref(r);
	free(ms);
	free(cpu);
	db_close(db);
	return 0;
}
