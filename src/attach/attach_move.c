/* attach_move.c — a PostgreSQL deployment that began with attachments in a
 * directory (before they moved into the database) brings them in. */
#include "attach/attach.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/mem.h"
#include "db/db.h"

/* One file into attach_blob, a chunk at a time as it is read (never the
 * whole file in memory): each chunk goes into the pipeline, the hash is
 * checked at the end, and a file that does not match fails the transaction,
 * which takes its chunks back.  A file missing, cut short or altered in the
 * directory given is bad input (exit 2, nothing moved), as the directory
 * itself missing is. */
static int move_file(struct db *db, const char *path, const char *hex, size_t want, unsigned char *buf,
		     struct dj_error *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return dj_fail(err, DJ_EINVAL, "dir", "附件文件缺失：%s", path);
	crypto_hash_sha256_state st;
	crypto_hash_sha256_init(&st);
	size_t got = 0, n;
	int rc = 0;
	for (int64_t seq = 0; !rc && (n = fread(buf, 1, ATTACH_CHUNK, f)) > 0; seq++) {
		got += n;
		if (got > want)
			break;
		crypto_hash_sha256_update(&st, buf, n);
		rc = attach_blob_chunk(db, hex, seq, buf, n, err);
	}
	bool failed = ferror(f);
	fclose(f);
	if (rc)
		return rc;
	if (failed || got != want)
		return dj_fail(err, DJ_EINVAL, "dir", "附件文件大小不符（应为 %zu 字节）：%s", want, path);
	unsigned char h[crypto_hash_sha256_BYTES];
	char sum[crypto_hash_sha256_BYTES * 2 + 1];
	crypto_hash_sha256_final(&st, h);
	sodium_bin2hex(sum, sizeof sum, h, sizeof h);
	if (strcmp(sum, hex) != 0)
		return dj_fail(err, DJ_EINVAL, "dir", "附件文件已损坏（内容与其 SHA-256 不符）：%s", path);
	return 0;
}

int attach_move_dir(struct db *db, const char *dir, int64_t *moved, int64_t *present, struct dj_error *err)
{
	*moved = *present = 0;
	if (db_kind(db) != DB_PG)
		return dj_fail(err, DJ_EINVAL, "db", "attachments move into a PostgreSQL database only (SQLite keeps its directory)");
	struct stat sb;
	if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
		return dj_fail(err, DJ_EINVAL, "dir", "no attachment directory %s", dir);
	int rc = db_begin(db, err);
	if (rc)
		return rc;
	/* The chunks go out in libpq's pipeline: one round trip per batch of
	 * statements, not per chunk nor per file (nothing is read back). */
	db_bulk(db, true);
	json_t *rows = db_rows(db, "SELECT a.sha256, max(a.size) AS size,"
				   " EXISTS (SELECT 1 FROM attach_blob b WHERE b.sha256 = a.sha256) AS have"
				   " FROM attachment a GROUP BY a.sha256 ORDER BY a.sha256", DB_NOARGS, err);
	rc = rows ? 0 : err->code;
	size_t i;
	json_t *r;
	unsigned char *buf = xmalloc(ATTACH_CHUNK);
	json_array_foreach(rows, i, r) {
		if (rc)
			break;
		const char *hex = json_string_value(json_object_get(r, "sha256"));
		/* What the database has is left: this transaction's view of it is the
		 * query's (ON CONFLICT covers a server storing the same bytes now). */
		if (json_integer_value(json_object_get(r, "have"))) {
			(*present)++;
			continue;
		}
		char *path = xasprintf("%s/%.2s/%s", dir, hex, hex);
		if (!(rc = move_file(db, path, hex, (size_t)json_integer_value(json_object_get(r, "size")), buf, err)))
			(*moved)++;
		free(path);
	}
	free(buf);
	json_decref(rows);
	rc = db_end(db, rc, err);
	db_bulk(db, false);
	return rc;
}
