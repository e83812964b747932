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

/* A file missing, cut short or altered in the directory given is bad input
 * (exit 2, nothing moved), as the directory itself missing is. */
static int read_file(const char *path, size_t want, char **data, struct dj_error *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return dj_fail(err, DJ_EINVAL, "dir", "附件文件缺失：%s", path);
	*data = xmalloc(want + 1);
	size_t n = fread(*data, 1, want + 1, f);
	fclose(f);
	if (n != want) {
		free(*data);
		return dj_fail(err, DJ_EINVAL, "dir", "附件文件大小不符（应为 %zu 字节）：%s", want, path);
	}
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
	/* The chunks go out in libpq's pipeline: one round trip per batch, not per chunk. */
	db_bulk(db, true);
	json_t *rows = db_rows(db, "SELECT a.sha256, max(a.size) AS size,"
				   " EXISTS (SELECT 1 FROM attach_blob b WHERE b.sha256 = a.sha256) AS have"
				   " FROM attachment a GROUP BY a.sha256 ORDER BY a.sha256", DB_NOARGS, err);
	rc = rows ? 0 : err->code;
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		if (rc)
			break;
		const char *hex = json_string_value(json_object_get(r, "sha256"));
		if (json_integer_value(json_object_get(r, "have"))) {
			(*present)++;
			continue;
		}
		size_t size = (size_t)json_integer_value(json_object_get(r, "size"));
		char *path = xasprintf("%s/%.2s/%s", dir, hex, hex), *data = NULL;
		rc = read_file(path, size, &data, err);
		if (!rc) {
			unsigned char h[crypto_hash_sha256_BYTES];
			char got[crypto_hash_sha256_BYTES * 2 + 1];
			crypto_hash_sha256(h, (unsigned char *)data, size);
			sodium_bin2hex(got, sizeof got, h, sizeof h);
			if (strcmp(got, hex) != 0)
				rc = dj_fail(err, DJ_EINVAL, "dir", "附件文件已损坏（内容与其 SHA-256 不符）：%s", path);
		}
		if (!rc && !(rc = attach_blob_put(db, hex, data, size, err)))
			(*moved)++;
		free(data);
		free(path);
	}
	json_decref(rows);
	rc = db_end(db, rc, err);
	db_bulk(db, false);
	return rc;
}
