/* member_roster_http.h — the routes of transfers, mobile members and the
 * ends of memberships: rows of member_routes[] (member_http.c includes them
 * before its end), handlers in member_roster_http.c. */
#ifndef DJ_MEMBER_ROSTER_HTTP_H
#define DJ_MEMBER_ROSTER_HTTP_H

#include "http/http.h"

int roster_h_transfers(struct http_ctx *c);
int roster_h_transfer_start(struct http_ctx *c);
int roster_h_transfer_in(struct http_ctx *c);
int roster_h_transfer_get(struct http_ctx *c);
int roster_h_transfer_accept(struct http_ctx *c);
int roster_h_transfer_return(struct http_ctx *c);
int roster_h_transfer_receipt(struct http_ctx *c);
int roster_h_transfer_orgs(struct http_ctx *c);
int roster_h_mobile_list(struct http_ctx *c);
int roster_h_mobile_start(struct http_ctx *c);
int roster_h_mobile_get(struct http_ctx *c);
int roster_h_mobile_end(struct http_ctx *c);
int roster_h_mobile_report(struct http_ctx *c);
int roster_h_end(struct http_ctx *c);
int roster_h_ends(struct http_ctx *c);
int roster_h_end_attach(struct http_ctx *c);

#define ROSTER_READ (ROUTE_MANAGE | ROUTE_CACHE | ROUTE_DEP(MEMBER) | ROUTE_DEP(ORG))

#define MEMBER_ROSTER_ROUTES \
	{"GET", "/api/v1/transfers", roster_h_transfers, ROSTER_READ}, \
	{"POST", "/api/v1/transfers", roster_h_transfer_start, ROUTE_MANAGE}, \
	{"POST", "/api/v1/transfers/in", roster_h_transfer_in, ROUTE_MANAGE}, \
	{"GET", "/api/v1/transfers/orgs", roster_h_transfer_orgs, ROSTER_READ}, \
	{"GET", "/api/v1/transfers/:id", roster_h_transfer_get, ROSTER_READ}, \
	{"POST", "/api/v1/transfers/:id/accept", roster_h_transfer_accept, ROUTE_MANAGE}, \
	{"POST", "/api/v1/transfers/:id/return", roster_h_transfer_return, ROUTE_MANAGE}, \
	{"POST", "/api/v1/transfers/:id/receipt", roster_h_transfer_receipt, ROUTE_MANAGE}, \
	{"GET", "/api/v1/mobile-members", roster_h_mobile_list, ROSTER_READ}, \
	{"POST", "/api/v1/mobile-members", roster_h_mobile_start, ROUTE_MANAGE}, \
	{"GET", "/api/v1/mobile-members/:id", roster_h_mobile_get, ROSTER_READ}, \
	{"POST", "/api/v1/mobile-members/:id/end", roster_h_mobile_end, ROUTE_MANAGE}, \
	{"POST", "/api/v1/mobile-members/:id/reports", roster_h_mobile_report, ROUTE_MANAGE}, \
	{"POST", "/api/v1/members/:id/end", roster_h_end, ROUTE_MANAGE}, \
	{"GET", "/api/v1/member-ends", roster_h_ends, ROSTER_READ}, \
	{"POST", "/api/v1/member-ends/:id/attachments", roster_h_end_attach, ROUTE_MANAGE | ROUTE_UPLOAD},

#endif
