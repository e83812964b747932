/* user_module.c — accounts and sessions in the module table (platform/module.h). */
#include "user/user.h"

#include "platform/module.h"

extern const struct route user_routes[];

static const struct nav_entry user_nav[] = {
	{"/users", "账号管理", "Avatar", NAV_MANAGERS, 95},
	{0},
};

/* The scopes a write to each table moves (the read cache, db/db_scope.h). */
static const struct db_table_scope user_tables[] = {
	{"app_user", DEP(USER)}, {"session", DEP(SESSION)},
	{0},
};

const struct module user_module = {
	.name = "user",
	.label = "账号",
	.routes = user_routes,
	.nav = user_nav,
	.tables = user_tables,
};
