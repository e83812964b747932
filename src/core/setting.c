/* setting.c — the platform's settings (setting.h). */
#include "core/setting.h"

#include <stdlib.h>

#include "db/db.h"

int64_t setting_int(struct db *db, const char *key, int64_t def)
{
	char *v = NULL;
	if (db_text1(db, &v, "SELECT value FROM setting WHERE key = ?", DB_ARGS(DB_T(key)), NULL) || !v)
		return def;
	int64_t n = strtoll(v, NULL, 10);
	free(v);
	return n;
}
