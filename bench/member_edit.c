/* member_edit.c — the cost of one member edit (member_update, as the
 * writer of bench/mixed sends it: PATCH {position}) on a copy of the
 * province: N edits of members spread over the tree, each its own
 * transaction; CPU time per edit (median, p99) and, on SQLite, the pages
 * each edit wrote to the WAL (what the write lock is held for on a cold
 * cache).  Run by bench/member_edit.sh.  Prints figures; asserts nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/mem.h"
#include "bench.h"
#include "crypto/pii.h"
#include "db/db.h"
#include "member/member.h"
#include "platform/module.h"
#include "user/actor.h"

static long long file_size(const char *path)
{
	struct stat s;
	return stat(path, &s) == 0 ? (long long)s.st_size : 0;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: member_edit DB KEY N [FIELD]\n");
		return 2;
	}
	int n = atoi(argv[3]);
	const char *field = argc > 4 ? argv[4] : "position";
	struct dj_error err = {0};
	struct db *db;
	if (pii_load_key(argv[2], false, &err) || db_open(argv[1], &db, &err) || modules_migrate(db, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	/* Members spread over the tree, the same ones each run. */
	json_t *ids = db_rows(db, "SELECT id FROM member WHERE active = 1 ORDER BY (id * 7919) % 1000003 LIMIT ?",
			      DB_ARGS(DB_I(n)), &err);
	if (!ids) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	bool sqlite = db_kind(db) == DB_SQLITE;
	char wal[1024];
	snprintf(wal, sizeof wal, "%s-wal", argv[1]);
	if (sqlite && (db_run(db, "PRAGMA wal_autocheckpoint=0", DB_NOARGS, &err) ||
		       db_run(db, "PRAGMA wal_checkpoint(TRUNCATE)", DB_NOARGS, &err))) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	long long wal0 = file_size(wal);
	struct actor a = actor_cli();
	double *cpu = xcalloc((size_t)n + 1, sizeof *cpu);
	size_t i;
	json_t *row;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	long long salt = (long long)now.tv_nsec / 1000;	/* another value each run: an edit that changes nothing is not the case */
	json_array_foreach(ids, i, row) {
		int64_t id = json_integer_value(json_object_get(row, "id"));
		char val[64];
		snprintf(val, sizeof val, "基准岗位%lld", (salt + (long long)i) % 9973);
		json_t *in = json_pack("{s:s}", field, val);
		double c0 = cpu_ms();
		if (member_update(db, &a, id, in, &err)) {
			fprintf(stderr, "member %lld: %s\n", (long long)id, err.msg);
			return 1;
		}
		cpu[i] = cpu_ms() - c0;
		json_decref(in);
	}
	size_t k = json_array_size(ids);
	long long wal1 = file_size(wal);
	qsort(cpu, k, sizeof *cpu, cmp);
	double sum = 0;
	for (size_t j = 0; j < k; j++)
		sum += cpu[j];
	printf("member edits {%s}: %zu, CPU per edit mean %.2f ms, median %.2f ms, p99 %.2f ms\n", field, k, sum / (double)k,
	       cpu[k / 2], cpu[k * 99 / 100]);
	if (sqlite)
		printf("  WAL written: %.1f KB per edit (%lld bytes in all)\n", (double)(wal1 - wal0) / 1024.0 / (double)k,
		       wal1 - wal0);
	free(cpu);
	json_decref(ids);
	db_close(db);
	return 0;
}
