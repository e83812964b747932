/* platform_http.c — the routes of what every module contributes: figures
 * with their records, findings, 待办 and the menu. */
#include <stdint.h>
#include <string.h>

#include "core/date.h"
#include "http/http.h"
#include "platform/module.h"
#include "platform/platform.h"

#define DB http_db(c)
#define ME http_actor(c)
#define ERR http_err(c)

static const struct figure *figure_param(struct http_ctx *c)
{
	char id[96];
	const struct figure *f = http_segment(c, 3, id, sizeof id) == 0 ? figure_find(id) : NULL;
	if (!f)
		dj_fail(ERR, DJ_ENOTFOUND, "id", "没有这个统计数字");
	return f;
}

static int scope_param(struct http_ctx *c, const struct figure *f, struct figure_scope *s)
{
	int64_t org;
	int rc = http_query_int(c, "org", 0, 0, INT64_MAX, &org);
	if (rc)
		return rc;
	const char *today = ME->today;
	return figure_scope_make(DB, ME, f, org, http_query(c, "from"), http_query(c, "to"), http_query(c, "on"), today,
				 s, ERR);
}

static int h_catalogue(struct http_ctx *c)
{
	json_t *items = figure_catalogue();
	return http_reply(c, 200, json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)json_array_size(items)));
}

static int h_value(struct http_ctx *c)
{
	const struct figure *f = figure_param(c);
	struct figure_scope s;
	if (!f)
		return ERR->code;
	int rc = scope_param(c, f, &s);
	return rc ? rc : http_ok(c, figure_value(DB, f, &s, ERR));
}

static int h_records(struct http_ctx *c)
{
	const struct figure *f = figure_param(c);
	struct figure_scope s;
	int page, size;
	if (!f)
		return ERR->code;
	int rc = scope_param(c, f, &s);
	if (!rc)
		rc = http_paging(c, &page, &size);
	return rc ? rc
		  : http_ok(c, figure_records(DB, f, &s, http_query(c, "part"), http_query(c, "key"), page, size, ERR));
}

static int h_findings(struct http_ctx *c)
{
	int64_t root;
	int rc = http_query_int(c, "org", 0, 0, INT64_MAX, &root);
	if (!rc && !root)
		rc = scope_root_of(DB, ME, &root, ERR);
	if (!rc)
		rc = scope_org(DB, ME, root, ERR);
	if (rc)
		return rc;
	/* A province root has over 10,000 findings naming 200,000 members: a
	 * page of them (size ≥ 1), or none (size=0) for the counts per rule;
	 * without `size`, all of them. */
	int64_t page, size;
	if ((rc = http_query_int(c, "page", 1, 1, 1000000, &page)) || (rc = http_query_int(c, "size", -1, 0, 500, &size)))
		return rc;
	json_t *items = json_array();
	if ((rc = platform_findings(DB, ME, root, ME->today, http_query(c, "rule"), items, ERR))) {
		json_decref(items);
		return rc;
	}
	size_t total = json_array_size(items);
	json_t *rules = platform_findings_rules(items);
	if (size >= 0) {
		json_t *all = items;
		items = json_array();
		for (size_t i = (size_t)((page - 1) * size); i < total && json_array_size(items) < (size_t)size; i++)
			json_array_append(items, json_array_get(all, i));
		json_decref(all);
	}
	return http_reply(c, 200, json_pack("{s:o, s:I, s:o}", "items", items, "total", (json_int_t)total, "rules", rules));
}

static int h_todos(struct http_ctx *c)
{
	const char *today = ME->today;
	json_t *items = json_array();
	int rc = platform_todos(DB, ME, today, items, ERR);
	if (rc) {
		json_decref(items);
		return rc;
	}
	return http_reply(c, 200, json_pack("{s:o, s:I, s:s}", "items", items, "total", (json_int_t)json_array_size(items),
					    "today", today));
}

static int h_nav(struct http_ctx *c)
{
	return http_reply(c, 200, json_pack("{s:o}", "items", platform_nav(ME)));
}

static const struct route platform_routes[] = {
	{"GET", "/api/v1/figures", h_catalogue, ROUTE_MANAGE | ROUTE_CACHE},
	{"GET", "/api/v1/figures/~id", h_value, ROUTE_MANAGE | ROUTE_CACHE},
	{"GET", "/api/v1/figures/~id/records", h_records, ROUTE_MANAGE | ROUTE_CACHE},
	{"GET", "/api/v1/findings", h_findings, ROUTE_MANAGE | ROUTE_CACHE},
	{"GET", "/api/v1/todos", h_todos, ROUTE_CACHE},
	{"GET", "/api/v1/nav", h_nav, ROUTE_CACHE},
	{0},
};

static const struct nav_entry platform_nav_entries[] = {
	{"/", "首页", "House", NAV_MANAGERS, 10},
	{"/todos", "待办", "Bell", NAV_ALL, 15},
	{"/figures", "统计数字", "DataAnalysis", NAV_MANAGERS, 85},
	{"/findings", "规则提醒", "Warning", NAV_MANAGERS, 90},
	{0},
};

/* The scopes a write to each table moves (the read cache, db/db_scope.h). */
static const struct db_table_scope platform_tables[] = {
	{"setting", DEP(SETTING)},	/* every answer reads it */
	{0},
};

/* The read cache's per-org versions (db/db_version.c, db/db_orgtree.c):
 * one row per org and scope a write declared, stamped with data_version's
 * 'seq' so a server reads only the rows changed since it last looked. */
static const char *const platform_migrations[] = {
	"CREATE TABLE org_version (org_id BIGINT NOT NULL, scope TEXT NOT NULL, v BIGINT NOT NULL,\n"
	"  seq BIGINT NOT NULL, PRIMARY KEY (org_id, scope)){{NOROWID}};\n"
	"CREATE INDEX org_version_seq ON org_version(seq);\n",
	NULL,
};

const struct module platform_module = {
	.name = "platform",
	.label = "平台",
	.migrations = platform_migrations,
	.routes = platform_routes,
	.nav = platform_nav_entries,
	.tables = platform_tables,
};
