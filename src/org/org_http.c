/* org_http.c — the organization routes: decode, call the domain, encode. */
#include "org/org.h"

#include <string.h>

#include "http/http.h"

#define DB http_db(c)
#define ME http_actor(c)
#define ERR http_err(c)

static int h_kinds(struct http_ctx *c)
{
	return http_ok(c, org_kinds_json());
}

static int h_list(struct http_ctx *c)
{
	struct org_filter f = {.q = http_query(c, "q"), .kind = http_query(c, "kind"), .status = http_query(c, "status")};
	int rc;
	if ((rc = http_query_int(c, "root", 0, 0, INT64_MAX, &f.root)) || (rc = http_paging(c, &f.page, &f.size)))
		return rc;
	return http_ok(c, org_list(DB, ME, &f, ERR));
}

static int h_tree(struct http_ctx *c)
{
	int64_t parent, closed;
	int rc;
	if ((rc = http_query_int(c, "parent", 0, 0, INT64_MAX, &parent)) ||
	    (rc = http_query_int(c, "closed", 0, 0, 1, &closed)))
		return rc;
	if (!parent)
		return http_ok(c, org_tree(DB, ME, closed, ERR));
	return http_ok(c, org_children(DB, ME, parent, closed, ERR));
}

static int h_create(struct http_ctx *c)
{
	return http_create(c, org_create, org_get);
}

static int h_get(struct http_ctx *c)
{
	return http_ok(c, org_get(DB, ME, http_param(c, 0), ERR));
}

static int h_update(struct http_ctx *c)
{
	return http_update(c, org_update, org_get);
}

static int h_delete(struct http_ctx *c)
{
	int rc = org_delete(DB, ME, http_param(c, 0), ERR);
	return rc ? rc : http_reply(c, 200, json_pack("{s:b}", "ok", 1));
}

static const char *body_str(json_t *in, const char *key)
{
	return json_string_value(json_object_get(in, key));
}

static int body_id(struct http_ctx *c, json_t *in, const char *key, const char *label, int64_t *out)
{
	json_t *v = json_object_get(in, key);
	if (!json_is_integer(v) || json_integer_value(v) <= 0)
		return dj_fail(ERR, DJ_EINVAL, key, "请选择%s", label);
	*out = json_integer_value(v);
	return 0;
}

static int h_move(struct http_ctx *c)
{
	json_t *in = http_body(c);
	int64_t to;
	int rc;
	if (!in)
		return ERR->code;
	if ((rc = body_id(c, in, "parent_id", "新的上级党组织", &to)) ||
	    (rc = org_move(DB, ME, http_param(c, 0), to, body_str(in, "on_date"), ERR)))
		return rc;
	return http_ok(c, org_get(DB, ME, http_param(c, 0), ERR));
}

static int h_dissolve(struct http_ctx *c)
{
	json_t *in = http_body(c);
	int rc;
	if (!in)
		return ERR->code;
	if ((rc = org_dissolve(DB, ME, http_param(c, 0), body_str(in, "on_date"), body_str(in, "reason"), ERR)))
		return rc;
	return http_ok(c, org_get(DB, ME, http_param(c, 0), ERR));
}

static int h_merge(struct http_ctx *c)
{
	json_t *in = http_body(c);
	int64_t into;
	int rc;
	if (!in)
		return ERR->code;
	if ((rc = body_id(c, in, "into", "并入的党组织", &into)) ||
	    (rc = org_merge(DB, ME, http_param(c, 0), into, body_str(in, "on_date"), ERR)))
		return rc;
	return http_ok(c, org_get(DB, ME, http_param(c, 0), ERR));
}

static int h_election(struct http_ctx *c)
{
	json_t *in = http_body(c);
	int64_t term;
	int rc;
	if (!in)
		return ERR->code;
	if ((rc = org_election(DB, ME, http_param(c, 0), in, &term, ERR)))
		return rc;
	json_t *o = org_get(DB, ME, http_param(c, 0), ERR);
	return o ? http_reply(c, 201, o) : ERR->code;
}

static int h_history(struct http_ctx *c)
{
	return http_ok(c, org_history(DB, ME, http_param(c, 0), ERR));
}

static int h_dashboard(struct http_ctx *c)
{
	int64_t root;
	int rc = http_query_int(c, "org", 0, 0, INT64_MAX, &root);
	return rc ? rc : http_ok(c, org_dashboard(DB, ME, root, ERR));
}

const struct route org_routes[] = {
	{"GET", "/api/v1/org-kinds", h_kinds, ROUTE_CACHE | ROUTE_DEP(ORG)},
	{"GET", "/api/v1/orgs", h_list, ROUTE_MANAGE | ROUTE_CACHE},
	{"POST", "/api/v1/orgs", h_create, ROUTE_MANAGE},
	{"GET", "/api/v1/orgs/tree", h_tree, ROUTE_CACHE | ROUTE_DEP(ORG)},
	{"GET", "/api/v1/orgs/:id", h_get, ROUTE_CACHE},
	{"PATCH", "/api/v1/orgs/:id", h_update, ROUTE_MANAGE},
	{"DELETE", "/api/v1/orgs/:id", h_delete, ROUTE_MANAGE},
	{"POST", "/api/v1/orgs/:id/move", h_move, ROUTE_MANAGE},
	{"POST", "/api/v1/orgs/:id/dissolve", h_dissolve, ROUTE_MANAGE},
	{"POST", "/api/v1/orgs/:id/merge", h_merge, ROUTE_MANAGE},
	{"POST", "/api/v1/orgs/:id/elections", h_election, ROUTE_MANAGE},
	{"GET", "/api/v1/orgs/:id/history", h_history, ROUTE_CACHE | ROUTE_DEP(ORG)},
	/* The dashboard reads the tree, terms and members only (org_dashboard):
	 * a roll call or a task report leaves it kept. */
	{"GET", "/api/v1/dashboard", h_dashboard, ROUTE_MANAGE | ROUTE_CACHE | ROUTE_DEP(ORG) | ROUTE_DEP(MEMBER)},
	{0},
};
