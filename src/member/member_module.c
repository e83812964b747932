/* member_module.c — the member module's entry in the module table (platform/module.h). */
#include "member/member.h"

#include "member/member_roster.h"
#include "platform/module.h"

extern const struct route member_routes[];
extern const struct figure member_figures[];
int member_todos(struct db *db, const struct actor *a, const char *today, json_t *out, struct dj_error *err);

/* The roster's own 待办 and those of its movements (member_roster_rules.c). */
static int member_all_todos(struct db *db, const struct actor *a, const char *today, json_t *out, struct dj_error *err)
{
	int rc = member_todos(db, a, today, out, err);
	return rc ? rc : roster_todos(db, a, today, out, err);
}

static const struct nav_entry member_nav[] = {
	{"/members", "党员", "User", NAV_MANAGERS, 30},
	{"/transfers", "组织关系转接", "Switch", NAV_MANAGERS, 31},
	{"/mobile", "流动党员", "Location", NAV_MANAGERS, 32},
	{"/member-ends", "党员减少", "RemoveFilled", NAV_MANAGERS, 33},
	{"/import", "党员导入", "Upload", NAV_MANAGERS, 35},
	{"/me", "我的信息", "Postcard", NAV_MEMBER, 80},
	{0},
};

/* The bench's import copy empties these before it deletes the members. */
static const char *const member_bench_tables[] = {"mobile_report", "mobile_hosting", "member_end", "transfer",
						   "member_transfer", NULL};

/* The scopes a write to each table moves (the read cache, db/db_scope.h). */
static const struct db_table_scope member_tables[] = {
	{"member", DEP(MEMBER)}, {"member_transfer", DEP(MEMBER)}, {"transfer", DEP(MEMBER)}, {"member_end", DEP(MEMBER)},
	{"mobile_hosting", DEP(MEMBER)}, {"mobile_report", DEP(MEMBER)},
	/* An exact search is counted (and audited) each time it is asked: it
	 * moves the member scope so its answer is never one kept from before. */
	{"exact_search_count", DEP(MEMBER) | DEP(USER)},
	{0},
};

const struct module member_module = {
	.name = "member",
	.label = "党员",
	.migrations = member_migrations,
	.routes = member_routes,
	.figures = member_figures,
	.findings = roster_findings,
	.todos = member_all_todos,
	.nav = member_nav,
	.generate = roster_generate,
	.bench_tables = member_bench_tables,
	.tables = member_tables,
};
