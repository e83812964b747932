/* compliance.c — the 三会一课 compliance grid computed (no read cache:
 * life_compliance itself) for the whole tree and a few smaller scopes over
 * 12 months, timed N times each in CPU time; each answer is written to
 * OUT/compliance-<org>.json so two builds can be compared byte for byte.
 * Run by bench/compliance.sh on a copy of the province.  Prints figures;
 * asserts nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/mem.h"
#include "bench.h"
#include "crypto/pii.h"
#include "db/db.h"
#include "life/life.h"
#include "platform/module.h"
#include "user/actor.h"


int main(int argc, char **argv)
{
	if (argc < 6) {
		fprintf(stderr, "usage: compliance DB KEY FROM TO OUTDIR [RUNS [ORG...]]\n");
		return 2;
	}
	int runs = argc > 6 ? atoi(argv[6]) : 10;
	struct dj_error err = {0};
	struct db *db;
	if (pii_load_key(argv[2], false, &err) || db_open(argv[1], &db, &err) || modules_migrate(db, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	int64_t root = 0;
	if (db_int1(db, &root, "SELECT min(id) FROM org WHERE parent_id IS NULL", DB_NOARGS, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	struct actor a = actor_cli();
	snprintf(a.today, sizeof a.today, "%s", getenv("TODAY") ? getenv("TODAY") : "2026-11-30");
	int norgs = argc > 7 ? argc - 7 : 1;
	double *cpu = xcalloc((size_t)runs + 1, sizeof *cpu);
	for (int k = 0; k < norgs; k++) {
		int64_t org = argc > 7 ? atoll(argv[7 + k]) : root;
		struct buf out = {0};
		for (int i = 0; i < runs; i++) {
			buf_free(&out);
			out = (struct buf){0};
			double c0 = cpu_ms();
			if (life_compliance(db, &a, org, argv[3], argv[4], &out, &err)) {
				fprintf(stderr, "compliance %lld: %s\n", (long long)org, err.msg);
				return 1;
			}
			cpu[i] = cpu_ms() - c0;
		}
		qsort(cpu, (size_t)runs, sizeof *cpu, cmp);
		printf("compliance org %lld %s..%s (%zu bytes): CPU min %.1f ms, median %.1f ms, max %.1f ms (%d runs)\n",
		       (long long)org, argv[3], argv[4], out.len, cpu[0], cpu[runs / 2], cpu[runs - 1], runs);
		char path[512];
		snprintf(path, sizeof path, "%s/compliance-%lld.json", argv[5], (long long)org);
		FILE *f = fopen(path, "w");
		if (f) {
			fwrite(out.data, 1, out.len, f);
			fclose(f);
		}
		buf_free(&out);
	}
	free(cpu);
	db_close(db);
	return 0;
}
