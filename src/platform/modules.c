/* modules.c — the module table: one line per module (module.h).  The order
 * is the order routes are tried, the generator runs and the menu falls
 * back on.  Adding a module: README "Adding a module". */
#include "platform/module.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"

extern const struct module user_module, org_module, member_module, audit_module, life_module, task_module,
	attach_module, notify_module, dues_module, platform_module, idempotency_module;
extern const struct module develop_module;

const struct module *const modules[] = {
	&user_module,
	&org_module,
	&member_module,
	&develop_module,
	&audit_module,
	&life_module,
	&task_module,
	&attach_module,
	&notify_module,
	&dues_module,
	&platform_module,
	&idempotency_module,
	NULL,
};

int modules_migrate(struct db *db, struct dj_error *err)
{
	int rc = db_migrate(db, err);
	for (const struct module *const *m = modules; !rc && *m; m++)
		if ((*m)->migrations)
			rc = db_migrate_module(db, (*m)->name, (*m)->migrations, err);
	return rc;
}

const struct module *module_find(const char *name)
{
	for (const struct module *const *m = modules; *m; m++)
		if (strcmp((*m)->name, name) == 0)
			return *m;
	return NULL;
}
