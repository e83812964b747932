/* audit_http.c — browsing the audit trail (system administrators). */
#include "audit/audit.h"

#include "http/http.h"

static int h_list(struct http_ctx *c)
{
	struct audit_filter f = {.username = http_query(c, "user"), .entity = http_query(c, "entity"),
				 .action = http_query(c, "action"), .from = http_query(c, "from"), .to = http_query(c, "to")};
	int rc;
	if ((rc = http_query_int(c, "entity_id", 0, 0, INT64_MAX, &f.entity_id)) || (rc = http_paging(c, &f.page, &f.size)))
		return rc;
	return http_ok(c, audit_list(http_db(c), http_actor(c), &f, http_err(c)));
}

const struct route audit_routes[] = {
	{"GET", "/api/v1/audit", h_list, ROUTE_ADMIN | ROUTE_CACHE | ROUTE_DEP(AUDIT)},
	{0},
};
