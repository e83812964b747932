/* routes.c — every module's routes, in the order the router tries them,
 * and the owners of attachments. */
#include "http/server.h"
#include "life/life.h"
#include "task/task.h"

extern const struct route user_routes[], org_routes[], member_routes[], audit_routes[], life_routes[],
	task_routes[], attach_routes[];

const struct route *const http_route_tables[] = {
	user_routes,
	org_routes,
	member_routes,
	audit_routes,
	life_routes,
	task_routes,
	attach_routes,
	NULL,
};

const struct attach_owner attach_owners[] = {
	{"activity", life_attachment_scope},
	{"submission", task_attachment_scope},
	{0},
};
