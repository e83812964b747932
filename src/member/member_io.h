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

/* How the file's columns were read: {header_row, columns: [{column: "C",
 * header, field, label}], ignored: [{column, header}], missing: [field],
 * preview: [[cell …] × up to 5]}. */
struct member_import_opts {
	const char *filename;
	bool dry_run;
	bool detect;		/* find the header and the mapping only: result {ok, mapping} */
	const char *map;	/* "源列=field,…": a heading or a column letter; field "-" ignores it */
	json_t *mapping;	/* out: the mapping used, also on failure once the header is found (owned) */
};
/* member_import with the options above; the result carries "mapping". */
int member_import_ex(struct db *db, const struct actor *a, int64_t org_id, const void *data, size_t len,
		     struct member_import_opts *o, json_t **result, struct dj_error *err);
/* The import fields [{field, label, required}] for `import members --fields`. */
json_t *member_import_fields(void);

/* Members of the subtree of `org_id` as an XLSX file (malloc'd bytes).  With
 * reveal, 身份证号 and phone whole (needs a managing role; audited). */
int member_export(struct db *db, const struct actor *a, int64_t org_id, bool reveal, char **out, size_t *outlen,
		  struct dj_error *err);
int member_template(char **out, size_t *outlen, struct dj_error *err);

#endif
