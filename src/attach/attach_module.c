/* attach_module.c — the attachment store in the module table (platform/module.h). */
#include "attach/attach.h"

#include "platform/module.h"

extern const struct route attach_routes[];

/* The scopes a write to each table moves (the read cache, db/db_scope.h). */
static const struct db_table_scope attach_tables[] = {
	{"attachment", DEP(ATTACH)},
	{0},
};

const struct module attach_module = {
	.name = "attach",
	.label = "附件",
	.routes = attach_routes,
	.tables = attach_tables,
};
