/* develop_io.c — import and export of the pipeline (to be filled). */
#include "develop/develop_internal.h"

json_t *develop_import(struct db *db, const struct actor *a, int64_t org, const void *data, size_t len, bool dry_run,
		       struct dj_error *err)
{
	(void)db; (void)a; (void)org; (void)data; (void)len; (void)dry_run;
	dj_fail(err, DJ_EINVAL, "", "todo");
	return NULL;
}

int develop_export(struct db *db, const struct actor *a, int64_t org, char **out, size_t *len, struct dj_error *err)
{
	(void)db; (void)a; (void)org; (void)out; (void)len;
	return dj_fail(err, DJ_EINVAL, "", "todo");
}
