/* member_io.h — the roster in and out of spreadsheets: import from XLSX or
 * CSV (validated whole, then imported in one transaction or not at all),
 * export to XLSX, and the downloadable template. */
#ifndef DJ_MEMBER_IO_H
#define DJ_MEMBER_IO_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "user/actor.h"

struct db;

/* Import into `org_id` (rows may name a sub-org by code).  Returns 0 and
 * *result {imported, rows} on success; on bad rows DJ_EINVAL with
 * err->details = [{row, column, message}] and nothing stored.  With
 * dry_run, validates only. */
int member_import(struct db *db, const struct actor *a, int64_t org_id, const void *data, size_t len,
		  const char *filename, bool dry_run, json_t **result, struct dj_error *err);

/* Members of the subtree of `org_id` as an XLSX file (malloc'd bytes).  With
 * reveal, 身份证号 and phone whole (needs a managing role; audited). */
int member_export(struct db *db, const struct actor *a, int64_t org_id, bool reveal, char **out, size_t *outlen,
		  struct dj_error *err);
int member_template(char **out, size_t *outlen, struct dj_error *err);

#endif
