/* dues_http.c — the routes of 党费: rules, bases, payments, the monthly
 * sheet and its export, arrears, a member's dues and the member's own. */
#include "dues/dues.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "http/http.h"

#define DB http_db(c)
#define ME http_actor(c)
#define ERR http_err(c)

static int h_rules(struct http_ctx *c)
{
	struct dues_rules r;
	int rc = dues_rules_load(DB, &r, ERR);
	return rc ? rc : http_ok(c, dues_rules_json(&r));
}

static int h_rules_set(struct http_ctx *c)
{
	json_t *in = http_body(c);
	int rc;
	if (!in)
		return ERR->code;
	if ((rc = dues_rules_set(DB, ME, in, ERR)))
		return rc;
	return h_rules(c);
}

static int org_param(struct http_ctx *c, int64_t *org)
{
	return http_query_int(c, "org", 0, 0, INT64_MAX, org);
}

static int h_bases(struct http_ctx *c)
{
	int64_t org, year;
	int page, size, rc;
	if ((rc = org_param(c, &org)) || (rc = http_query_int(c, "year", atoi(ME->today), 1950, 2200, &year)) ||
	    (rc = http_paging(c, &page, &size)))
		return rc;
	return http_ok(c, dues_base_list(DB, ME, org, (int)year, http_query(c, "q"), page, size, ERR));
}

static int h_base_set(struct http_ctx *c)
{
	json_t *in = http_body(c);
	int rc;
	if (!in)
		return ERR->code;
	if ((rc = dues_base_set(DB, ME, http_param(c, 0), in, ERR)))
		return rc;
	return http_ok(c, dues_member(DB, ME, http_param(c, 0), ERR));
}

static int reply_import(struct http_ctx *c, int rc, json_t *result)
{
	if (rc)
		return rc;
	return http_ok(c, result);
}

static int h_bases_import(struct http_ctx *c)
{
	int64_t org, year, dry;
	int rc;
	if ((rc = http_query_int(c, "org", 0, 0, INT64_MAX, &org)) ||
	    (rc = http_query_int(c, "year", 0, 0, 2200, &year)) || (rc = http_query_int(c, "dry_run", 0, 0, 1, &dry)))
		return rc;
	size_t len;
	const char *data = http_raw(c, &len);
	json_t *result = NULL;
	rc = dues_import_bases(DB, ME, org, (int)year, data, len, dry, &result, ERR);
	return reply_import(c, rc, result);
}

static int h_payments(struct http_ctx *c)
{
	int64_t org, member;
	int page, size, rc;
	if ((rc = org_param(c, &org)) || (rc = http_query_int(c, "member", 0, 0, INT64_MAX, &member)) ||
	    (rc = http_paging(c, &page, &size)))
		return rc;
	return http_ok(c, dues_payment_list(DB, ME, org, member, http_query(c, "month"), page, size, ERR));
}

static int h_payment_add(struct http_ctx *c)
{
	json_t *in = http_body(c);
	int64_t id = 0;
	int rc;
	if (!in)
		return ERR->code;
	if ((rc = dues_payment_add(DB, ME, in, &id, ERR)))
		return rc;
	json_t *m = dues_member(DB, ME, json_integer_value(json_object_get(in, "member_id")), ERR);
	if (!m)
		return ERR->code;
	json_object_set_new(m, "payment_id", json_integer(id));
	return http_reply(c, 201, m);
}

static int h_payment_delete(struct http_ctx *c)
{
	int rc = dues_payment_delete(DB, ME, http_param(c, 0), ERR);
	return rc ? rc : http_ok(c, json_pack("{s:b}", "ok", 1));
}

static int h_payments_import(struct http_ctx *c)
{
	int64_t org, dry;
	int rc;
	if ((rc = http_query_int(c, "org", 0, 0, INT64_MAX, &org)) || (rc = http_query_int(c, "dry_run", 0, 0, 1, &dry)))
		return rc;
	size_t len;
	const char *data = http_raw(c, &len);
	json_t *result = NULL;
	rc = dues_import_payments(DB, ME, org, data, len, dry, &result, ERR);
	return reply_import(c, rc, result);
}

static int h_sheet(struct http_ctx *c)
{
	int64_t org, members;
	int rc;
	if ((rc = org_param(c, &org)) || (rc = http_query_int(c, "members", 0, 0, 1, &members)))
		return rc;
	return http_ok(c, dues_sheet(DB, ME, org, http_query(c, "month"), members, ERR));
}

static int h_sheet_export(struct http_ctx *c)
{
	int64_t org;
	int rc;
	if ((rc = org_param(c, &org)))
		return rc;
	char *data = NULL, name[64];
	size_t len = 0;
	const char *month = http_query(c, "month");
	if ((rc = dues_sheet_xlsx(DB, ME, org, month, &data, &len, ERR)))
		return rc;
	snprintf(name, sizeof name, "dues-%s.xlsx", month && *month ? month : "month");
	rc = http_reply_bytes(c, 200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", data, len,
			      name);
	free(data);
	return rc;
}

static int h_arrears(struct http_ctx *c)
{
	int64_t org;
	int page, size, rc;
	if ((rc = org_param(c, &org)) || (rc = http_paging(c, &page, &size)))
		return rc;
	return http_ok(c, dues_arrears(DB, ME, org, page, size, ERR));
}

static int h_member(struct http_ctx *c)
{
	return http_ok(c, dues_member(DB, ME, http_param(c, 0), ERR));
}

static int h_mine(struct http_ctx *c)
{
	return http_ok(c, dues_mine(DB, ME, ERR));
}

/* A read of 党费 depends on the tree, the members and the dues tables. */
#define READS (ROUTE_CACHE | ROUTE_DEP(ORG) | ROUTE_DEP(MEMBER) | ROUTE_DEP(DUES))

const struct route dues_routes[] = {
	{"GET", "/api/v1/dues/rules", h_rules, READS},
	{"PUT", "/api/v1/dues/rules", h_rules_set, ROUTE_ADMIN},
	{"GET", "/api/v1/dues/bases", h_bases, ROUTE_MANAGE | READS},
	{"POST", "/api/v1/dues/bases/import", h_bases_import, ROUTE_MANAGE | ROUTE_UPLOAD},
	{"PUT", "/api/v1/dues/bases/:id", h_base_set, ROUTE_MANAGE},
	{"GET", "/api/v1/dues/payments", h_payments, ROUTE_MANAGE | READS},
	{"POST", "/api/v1/dues/payments", h_payment_add, ROUTE_MANAGE},
	{"POST", "/api/v1/dues/payments/import", h_payments_import, ROUTE_MANAGE | ROUTE_UPLOAD},
	{"DELETE", "/api/v1/dues/payments/:id", h_payment_delete, ROUTE_MANAGE},
	{"GET", "/api/v1/dues/sheet", h_sheet, ROUTE_MANAGE | READS},
	{"GET", "/api/v1/dues/sheet/export", h_sheet_export, ROUTE_MANAGE},
	{"GET", "/api/v1/dues/arrears", h_arrears, ROUTE_MANAGE | READS},
	{"GET", "/api/v1/dues/members/:id", h_member, ROUTE_MANAGE | READS},
	{"GET", "/api/v1/dues/mine", h_mine, READS},
	{0},
};
