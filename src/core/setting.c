/* setting.c — the platform's settings (setting.h). */
#include "core/setting.h"

#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "db/db.h"

int setting_get_int(struct db *db, const char *key, int64_t def, int64_t *out, struct dj_error *err)
{
	char *v = NULL;
	/* The outer SELECT always has a row: an unset key reads as NULL. */
	int rc = db_text1(db, &v, "SELECT (SELECT value FROM setting WHERE key = ?)", DB_ARGS(DB_T(key)), err);
	if (rc)
		return rc;
	*out = v ? strtoll(v, NULL, 10) : def;
	free(v);
	return 0;
}


#define SETTINGS_MAX 16

int setting_get_ints(struct db *db, const struct setting_int *list, int n, struct dj_error *err)
{
	if (n <= 0 || n > SETTINGS_MAX)
		return dj_fail(err, DJ_EINVAL, "", "setting_get_ints: %d keys", n);
	struct buf q = {0};
	db_val args[SETTINGS_MAX];
	buf_puts(&q, "SELECT key, value FROM setting WHERE key IN (");
	for (int i = 0; i < n; i++) {
		buf_puts(&q, i ? ", ?" : "?");
		args[i] = DB_T(list[i].key);
		*list[i].out = list[i].def;
	}
	buf_puts(&q, ")");
	struct db_stmt *st = db_query(db, q.data, n, args, err);
	buf_free(&q);
	if (!st)
		return err->code ? err->code : DJ_EDB;
	int rc;
	while ((rc = db_next(st)) > 0)
		for (int i = 0; i < n; i++)
			if (strcmp(db_text(st, 0), list[i].key) == 0 && !db_isnull(st, 1))
				*list[i].out = strtoll(db_text(st, 1), NULL, 10);
	db_done(st);
	return rc < 0 ? (err->code ? err->code : DJ_EDB) : 0;
}
