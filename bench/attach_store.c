/* attach_store.c — what uploads write on the SQLite deployment, for
 * bench/attach_move.sh to set attach-move against: each file of LIST read
 * into memory and stored with attach_store (the file by its SHA-256 in DIR,
 * fsynced, plus its attachment row), all in one transaction as attach-move
 * runs.  LIST: one "path<TAB>filename" a line.  Prints the files, the bytes
 * read, this process's CPU time (ms) and the wall time (ms) on one line.
 * Asserts nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <time.h>

#include "attach/attach.h"
#include "core/mem.h"
#include "crypto/pii.h"
#include "db/db.h"
#include "platform/module.h"
#include "user/actor.h"

/* User and system time: the files' writes are mostly the kernel's. */
static double rusage_ms(void)
{
	struct rusage u;
	getrusage(RUSAGE_SELF, &u);
	return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3 + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3;
}

static double wall_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	*len = (size_t)ftell(f);
	rewind(f);
	char *data = xmalloc(*len + 1);
	if (fread(data, 1, *len, f) != *len) {
		free(data);
		data = NULL;
	}
	fclose(f);
	return data;
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: attach_store DB KEY DIR LIST\n");
		return 2;
	}
	setenv("DANGJIAN_FILES", argv[3], 1);
	struct dj_error err = {0};
	struct db *db;
	if (pii_load_key(argv[2], false, &err) || db_open(argv[1], &db, &err) || modules_migrate(db, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	attach_set_dir_for(argv[1], argv[2]);
	FILE *list = fopen(argv[4], "r");
	if (!list) {
		perror(argv[4]);
		return 1;
	}
	struct actor a = actor_cli();
	char line[4096];
	long files = 0;
	double bytes = 0, cpu0 = rusage_ms(), wall0 = wall_ms();
	int rc = db_begin(db, &err);
	while (!rc && fgets(line, sizeof line, list)) {
		line[strcspn(line, "\n")] = 0;
		char *tab = strchr(line, '\t');
		if (!tab)
			continue;
		*tab = 0;
		size_t len = 0;
		char *data = slurp(line, &len);
		if (!data) {
			rc = dj_fail(&err, DJ_EIO, "file", "cannot read %s", line);
			break;
		}
		int64_t id;
		rc = attach_store(db, &a, "bench", files + 1, tab + 1, data, len, &id, &err);
		free(data);
		files++;
		bytes += (double)len;
	}
	rc = db_end(db, rc, &err);
	double cpu = rusage_ms() - cpu0, wall = wall_ms() - wall0;
	fclose(list);
	db_close(db);
	if (rc) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	printf("%ld %.0f %.1f %.1f\n", files, bytes, cpu, wall);
	return 0;
}
