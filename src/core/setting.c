/* setting.c — the platform's settings (setting.h). */
#include "core/setting.h"

#include <stdlib.h>

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

