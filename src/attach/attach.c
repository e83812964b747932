/* attach.c — attachments on disk by content hash, records in the database. */
#include "attach/attach.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/date.h"
#include "core/mem.h"
#include "core/valid.h"
#include "core/setting.h"
#include "db/db.h"
#include "org/org.h"

static char *files_dir;

void attach_set_dir_for(const char *db_url, const char *key_path)
{
	free(files_dir);
	const char *env = getenv("DANGJIAN_FILES");
	if (env && *env) {
		files_dir = xstrdup(env);
	} else if (!db_is_pg_url(db_url)) {
		files_dir = xasprintf("%s.files", db_url);
	} else {
		/* Servers sharing one PostgreSQL database share the key file, so the
		 * files go beside it: "/etc/dangjian/dangjian.key" → ".../dangjian.files". */
		size_t n = strlen(key_path);
		if (n > 4 && strcmp(key_path + n - 4, ".key") == 0)
			n -= 4;
		files_dir = xasprintf("%.*s.files", (int)n, key_path);
	}
}

const char *attach_dir(void)
{
	return files_dir ? files_dir : "dangjian.files";
}

static bool starts(const void *data, size_t len, const char *magic, size_t n)
{
	return len >= n && memcmp(data, magic, n) == 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

const char *attach_sniff(const void *data, size_t len, const char *filename)
{
	const char *name = filename ? filename : "";
	if (starts(data, len, "\xFF\xD8\xFF", 3))
		return "image/jpeg";
	if (starts(data, len, "\x89PNG\r\n\x1A\n", 8))
		return "image/png";
	if (starts(data, len, "GIF87a", 6) || starts(data, len, "GIF89a", 6))
		return "image/gif";
	if (len >= 12 && starts(data, len, "RIFF", 4) && memcmp((const char *)data + 8, "WEBP", 4) == 0)
		return "image/webp";
	if (starts(data, len, "%PDF-", 5))
		return "application/pdf";
	/* Office files are zip (OOXML) or OLE2 containers; the name says which. */
	if (starts(data, len, "PK\3\4", 4)) {
		if (ends_with(name, ".docx"))
			return "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
		if (ends_with(name, ".xlsx"))
			return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
		if (ends_with(name, ".pptx"))
			return "application/vnd.openxmlformats-officedocument.presentationml.presentation";
		return NULL;
	}
	if (starts(data, len, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8)) {
		if (ends_with(name, ".doc"))
			return "application/msword";
		if (ends_with(name, ".xls"))
			return "application/vnd.ms-excel";
		if (ends_with(name, ".ppt"))
			return "application/vnd.ms-powerpoint";
	}
	return NULL;
}

static int mkdirs(const char *path)
{
	char *p = xstrdup(path);
	for (char *s = p + 1; *s; s++)
		if (*s == '/') {
			*s = 0;
			mkdir(p, 0700);
			*s = '/';
		}
	int rc = mkdir(p, 0700) == 0 || errno == EEXIST ? 0 : -1;
	free(p);
	return rc;
}

/* Write once: the file is named by its hash, so an existing one is the same bytes. */
static int write_blob(const char *hex, const void *data, size_t len, struct dj_error *err)
{
	char *dir = xasprintf("%s/%.2s", attach_dir(), hex);
	char *path = xasprintf("%s/%s", dir, hex), *tmp = xasprintf("%s.%d.tmp", path, (int)getpid());
	int rc = 0;
	struct stat sb;
	if (stat(path, &sb) == 0 && (size_t)sb.st_size == len)
		goto out;
	if (mkdirs(dir)) {
		rc = dj_fail(err, DJ_EIO, "file", "无法创建附件目录 %s：%s", dir, strerror(errno));
		goto out;
	}
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0) {
		rc = dj_fail(err, DJ_EIO, "file", "无法保存附件：%s", strerror(errno));
		goto out;
	}
	size_t off = 0;
	while (off < len) {
		ssize_t n = write(fd, (const char *)data + off, len - off);
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	bool ok = off == len && fsync(fd) == 0;
	close(fd);
	if (!ok || rename(tmp, path) != 0) {
		unlink(tmp);
		rc = dj_fail(err, DJ_EIO, "file", "无法保存附件：%s", strerror(errno));
	}
out:
	free(dir);
	free(path);
	free(tmp);
	return rc;
}

/* PostgreSQL: the bytes live in table attach_blob, in chunks of
 * ATTACH_CHUNK, so that replication, backups and failover carry them and
 * every server on the database serves them.  bytea rows rather than large
 * objects: pg_dump, streaming and logical replication and a plain DELETE
 * treat them as any other row (large objects need their own privileges,
 * vacuumlo for orphans and are not carried by logical replication), and a
 * chunk is read on its own.  The SQLite deployment keeps its directory.
 * The bytes go as bytes (a binary parameter), not as hex text to decode. */
int attach_blob_chunk(struct db *db, const char *hex, int64_t seq, const void *data, size_t n, struct dj_error *err)
{
	/* Two servers storing the same bytes at once: the second one waits, then adds nothing. */
	return db_run(db, "INSERT INTO attach_blob(sha256, seq, data) VALUES (?, ?, ?) ON CONFLICT (sha256, seq) DO NOTHING",
		      DB_ARGS(DB_T(hex), DB_I(seq), DB_B(data, n)), err);
}

int attach_blob_put(struct db *db, const char *hex, const void *data, size_t len, struct dj_error *err)
{
	bool have = false;
	int rc = db_exists(db, &have, "SELECT 1 FROM attach_blob WHERE sha256 = ? AND seq = 0", DB_ARGS(DB_T(hex)), err);
	if (rc || have)		/* the same bytes are stored once */
		return rc;
	for (size_t off = 0, seq = 0; off < len && !rc; off += ATTACH_CHUNK, seq++)
		rc = attach_blob_chunk(db, hex, (int64_t)seq, (const char *)data + off,
				       len - off < ATTACH_CHUNK ? len - off : ATTACH_CHUNK, err);
	return rc;
}

/* Chunk by chunk into one buffer of the recorded size: the whole answer is
 * never held twice (as text and as bytes). */
static int blob_read(struct db *db, const char *hex, size_t want, char **data, size_t *len, struct dj_error *err)
{
	*data = xmalloc(want + 1);
	*len = 0;
	int rc = 0;
	for (int64_t seq = 0; *len < want && !rc; seq++) {
		struct db_stmt *st = db_query(db, "SELECT data FROM attach_blob WHERE sha256 = ? AND seq = ?",
					      DB_ARGS(DB_T(hex), DB_I(seq)), err);
		int got = st ? db_next(st) : -1;
		size_t n = 0;
		if (got > 0) {
			const char *t = db_text(st, 0);	/* bytea as text: \x and hex digits */
			if (t[0] == '\\' && t[1] == 'x' &&
			    sodium_hex2bin((unsigned char *)*data + *len, want - *len, t + 2, strlen(t + 2), NULL, &n, NULL))
				n = 0;
		}
		db_done(st);
		if (got < 0)
			rc = err->code;
		else if (n == 0)
			break;
		*len += n;
	}
	if (!rc && *len != want)
		rc = dj_fail(err, DJ_EIO, "file", "附件数据缺失或已损坏（%s）", hex);
	if (rc) {
		free(*data);
		*data = NULL;
	}
	return rc;
}

int attach_store(struct db *db, const struct actor *a, const char *entity, int64_t entity_id,
		 const char *filename, const void *data, size_t len, int64_t *id, struct dj_error *err)
{
	if (!filename || !*filename)
		return dj_fail(err, DJ_EINVAL, "filename", "请提供文件名");
	if (!utf8_valid(filename, strlen(filename)) || utf8_chars(filename) > 120 || strchr(filename, '/') ||
	    strchr(filename, '\\'))
		return dj_fail(err, DJ_EINVAL, "filename", "文件名无效（不超过120个字，不含路径）");
	if (len == 0)
		return dj_fail(err, DJ_EINVAL, "file", "文件为空");
	int64_t max_mb;
	int rc = setting_get_int(db, "attach.max_mb", 10, &max_mb, err);
	if (rc)
		return rc;
	if (len > (size_t)max_mb * 1024 * 1024)
		return dj_fail(err, DJ_ETOOBIG, "file", "附件不能超过 %lld MB", (long long)max_mb);
	const char *mime = attach_sniff(data, len, filename);
	if (!mime)
		return dj_fail(err, DJ_EINVAL, "file",
			       "不支持的文件类型：只能上传图片（JPG、PNG、GIF、WEBP）、PDF 或 Office 文档");
	unsigned char h[crypto_hash_sha256_BYTES];
	char hex[crypto_hash_sha256_BYTES * 2 + 1];
	crypto_hash_sha256(h, data, len);
	sodium_bin2hex(hex, sizeof hex, h, sizeof h);
	rc = db_kind(db) == DB_PG ? attach_blob_put(db, hex, data, len, err) : write_blob(hex, data, len, err);
	if (rc)
		return rc;
	char now[21];
	date_now_iso(now);
	return db_int1(db, id,
		       "INSERT INTO attachment(entity, entity_id, sha256, size, mime, filename, user_id, created_at)"
		       " VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
		       DB_ARGS(DB_T(entity), DB_I(entity_id), DB_T(hex), DB_I(len), DB_T(mime), DB_T(filename),
			       a->user_id ? DB_I(a->user_id) : DB_NULL, DB_T(now)), err);
}

json_t *attach_files(struct db *db, const char *entity, int64_t entity_id, struct dj_error *err)
{
	return db_rows(db, "SELECT id, filename, size, mime, created_at FROM attachment"
			   " WHERE entity = ? AND entity_id = ? ORDER BY id",
		       DB_ARGS(DB_T(entity), DB_I(entity_id)), err);
}

int attach_owner(struct db *db, int64_t id, char entity[32], int64_t *entity_id, struct dj_error *err)
{
	json_t *r = db_row(db, "SELECT entity, entity_id FROM attachment WHERE id = ?", DB_ARGS(DB_I(id)), err);
	if (!r)
		return err->code == DJ_ENOTFOUND ? dj_fail(err, DJ_ENOTFOUND, "id", "附件不存在") : err->code;
	snprintf(entity, 32, "%s", json_string_value(json_object_get(r, "entity")));
	*entity_id = json_integer_value(json_object_get(r, "entity_id"));
	json_decref(r);
	return 0;
}

int attach_read(struct db *db, int64_t id, char **data, size_t *len, char **filename, char **mime,
		struct dj_error *err)
{
	json_t *r = db_row(db, "SELECT sha256, size, mime, filename FROM attachment WHERE id = ?", DB_ARGS(DB_I(id)),
			   err);
	if (!r)
		return err->code == DJ_ENOTFOUND ? dj_fail(err, DJ_ENOTFOUND, "id", "附件不存在") : err->code;
	const char *hex = json_string_value(json_object_get(r, "sha256"));
	size_t want = (size_t)json_integer_value(json_object_get(r, "size"));
	int rc = 0;
	if (db_kind(db) == DB_PG) {
		rc = blob_read(db, hex, want, data, len, err);
		if (!rc) {
			*filename = xstrdup(json_string_value(json_object_get(r, "filename")));
			*mime = xstrdup(json_string_value(json_object_get(r, "mime")));
		}
		json_decref(r);
		return rc;
	}
	char *path = xasprintf("%s/%.2s/%s", attach_dir(), hex, hex);
	FILE *f = fopen(path, "rb");
	*data = NULL;
	if (f) {
		*data = xmalloc(want + 1);
		*len = fread(*data, 1, want, f);
		fclose(f);
	}
	if (!f || *len != want) {
		free(*data);
		*data = NULL;
		rc = dj_fail(err, DJ_EIO, "file", "附件文件缺失或已损坏（%s）", hex);
	} else {
		*filename = xstrdup(json_string_value(json_object_get(r, "filename")));
		*mime = xstrdup(json_string_value(json_object_get(r, "mime")));
	}
	free(path);
	json_decref(r);
	return rc;
}

int attach_remove(struct db *db, int64_t id, struct dj_error *err)
{
	return db_run(db, "DELETE FROM attachment WHERE id = ?", DB_ARGS(DB_I(id)), err);
}
