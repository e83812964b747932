/* org_module.c — the org module's entry in the module table (platform/module.h). */
#include "org/org.h"

#include "platform/module.h"

extern const struct route org_routes[];
extern const struct figure org_figures[];
int org_todos(struct db *db, const struct actor *a, const char *today, json_t *out, struct dj_error *err);

const char *org_subtree_sql(void)
{
	return "(SELECT descendant FROM org_closure WHERE ancestor = ?1)";
}

static int org_findings_source(struct db *db, const struct actor *a, int64_t root, const char *today, const char *rule,
			       json_t *out, struct dj_error *err)
{
	if (rule && *rule && !org_rule_known(rule))
		return 0;	/* another module's rule */
	json_t *f = org_findings(db, a, root, rule, err);
	if (!f)
		return err->code ? err->code : DJ_EDB;
	json_array_extend(out, f);
	json_decref(f);
	return 0;
}

static const struct nav_entry org_nav[] = {
	{"/orgs", "党组织", "OfficeBuilding", NAV_MANAGERS, 20},
	{0},
};

static const char *const org_bench_tables[] = {"org_officer", NULL};

/* The scopes a write to each table moves (the read cache, db/db_scope.h). */
static const struct db_table_scope org_tables[] = {
	{"org", DEP(ORG)}, {"org_closure", DEP(ORG)}, {"org_event", DEP(ORG)}, {"org_officer", DEP(ORG)},
	{"org_term", DEP(ORG)},
	{0},
};

const struct module org_module = {
	.name = "org",
	.label = "党组织",
	.routes = org_routes,
	.figures = org_figures,
	.findings = org_findings_source,
	.todos = org_todos,
	.nav = org_nav,
	.bench_tables = org_bench_tables,
	.tables = org_tables,
};
