/* member_module.c — the member module's entry in the module table (platform/module.h). */
#include "member/member.h"

#include "platform/module.h"

extern const struct route member_routes[];
extern const struct figure member_figures[];
int member_todos(struct db *db, const struct actor *a, const char *today, json_t *out, struct dj_error *err);

static const struct nav_entry member_nav[] = {
	{"/members", "党员", "User", NAV_MANAGERS, 30},
	{"/import", "党员导入", "Upload", NAV_MANAGERS, 35},
	{"/me", "我的信息", "Postcard", NAV_MEMBER, 80},
	{0},
};

/* The bench's import copy empties these before it deletes the members. */
static const char *const member_bench_tables[] = {"member_transfer", NULL};

/* The scopes a write to each table moves (the read cache, db/db_scope.h). */
static const struct db_table_scope member_tables[] = {
	{"member", DEP(MEMBER)}, {"member_transfer", DEP(MEMBER)},
	/* An exact search is counted (and audited) each time it is asked: it
	 * moves the member scope so its answer is never one kept from before. */
	{"exact_search_count", DEP(MEMBER) | DEP(USER)},
	{0},
};

const struct module member_module = {
	.name = "member",
	.label = "党员",
	.routes = member_routes,
	.figures = member_figures,
	.todos = member_todos,
	.nav = member_nav,
	.bench_tables = member_bench_tables,
	.tables = member_tables,
};
