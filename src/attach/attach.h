/* attach.h — the attachment store shared by every module: photos and files
 * named by their SHA-256 (the same bytes are stored once), checked for size
 * and for type by their first bytes.  With SQLite they are files in a
 * directory beside the database; with PostgreSQL they are rows of table
 * attach_blob, so every server on the database, its replicas and its dumps
 * have them (attach.c says why bytea).
 *
 * A module owns the scope of its attachments: it checks that the actor may
 * see or change the entity, then calls these with (entity, entity_id). */
#ifndef DJ_ATTACH_H
#define DJ_ATTACH_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "user/actor.h"

struct db;

/* Where the files live: DANGJIAN_FILES, or next to the database. */
void attach_set_dir_for(const char *db_url, const char *key_path);
const char *attach_dir(void);

/* The type of `data` by content: "image/jpeg", "image/png", "image/gif",
 * "image/webp", "application/pdf", office documents; NULL if not allowed
 * (executables, HTML, SVG and anything unknown are refused). */
const char *attach_sniff(const void *data, size_t len, const char *filename);

/* Store bytes for an entity inside the caller's transaction (with the
 * caller's audit record); fills *id.  DJ_ETOOBIG over attach.max_mb,
 * DJ_EINVAL for an empty file or a forbidden type. */
int attach_store(struct db *db, const struct actor *a, const char *entity, int64_t entity_id,
		 const char *filename, const void *data, size_t len, int64_t *id, struct dj_error *err);
/* [{id, filename, size, mime, created_at}] of an entity; NULL with the
 * query's error. */
json_t *attach_files(struct db *db, const char *entity, int64_t entity_id, struct dj_error *err);
/* The owning entity of an attachment (for the module's scope check). */
int attach_owner(struct db *db, int64_t id, char entity[32], int64_t *entity_id, struct dj_error *err);
/* Read the bytes (caller frees *data) with the stored name and type. */
int attach_read(struct db *db, int64_t id, char **data, size_t *len, char **filename, char **mime,
		struct dj_error *err);
/* PostgreSQL: keep `len` bytes whose SHA-256 is `hex` in attach_blob (once),
 * in rows of ATTACH_CHUNK bytes (the last one shorter), numbered from 0. */
#define ATTACH_CHUNK (256 * 1024)
int attach_blob_put(struct db *db, const char *hex, const void *data, size_t len, struct dj_error *err);
/* One of those rows (kept if a row of that hash and number is there). */
int attach_blob_chunk(struct db *db, const char *hex, int64_t seq, const void *data, size_t n, struct dj_error *err);
/* Move the files of a directory store (`dir`, as attach_dir() names it) into
 * attach_blob, in one transaction: every attachment row's bytes, checked
 * against their hash.  *moved counts the files copied, *present those the
 * database had already; a missing or damaged file is an error naming it and
 * nothing is moved.  The directory is left as it was. */
int attach_move_dir(struct db *db, const char *dir, int64_t *moved, int64_t *present, struct dj_error *err);

/* Remove the record (the file stays if another record shares its bytes). */
int attach_remove(struct db *db, int64_t id, struct dj_error *err);

#endif
