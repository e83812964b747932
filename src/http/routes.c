/* routes.c — every module's routes, in the order the router tries them. */
#include "http/server.h"

extern const struct route user_routes[], org_routes[], member_routes[], audit_routes[];

const struct route *const http_route_tables[] = {
	user_routes,
	org_routes,
	member_routes,
	audit_routes,
	NULL,
};
