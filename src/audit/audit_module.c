/* audit_module.c — the audit trail in the module table (platform/module.h). */
#include "audit/audit.h"

#include "platform/module.h"

extern const struct route audit_routes[];

static const struct nav_entry audit_nav[] = {
	{"/audit", "审计日志", "Tickets", NAV_ADMIN, 98},
	{0},
};

/* The scopes a write to each table moves (the read cache, db/db_scope.h). */
static const struct db_table_scope audit_tables[] = {
	{"audit", DEP(AUDIT)},
	{0},
};

const struct module audit_module = {
	.name = "audit",
	.label = "审计",
	.routes = audit_routes,
	.nav = audit_nav,
	.tables = audit_tables,
};
