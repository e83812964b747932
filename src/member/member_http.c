/* member_http.c — the roster routes. */
#include "member/member.h"

#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "http/http.h"
#include "member/member_io.h"
#include "member/member_roster_http.h"

#define DB http_db(c)
#define ME http_actor(c)
#define ERR http_err(c)

static int h_list(struct http_ctx *c)
{
	struct member_filter f = {.q = http_query(c, "q"), .status = http_query(c, "status"),
				  .sort = http_query(c, "sort")};
	int64_t mobile, direct;
	int rc;
	if ((rc = http_query_int(c, "org", 0, 0, INT64_MAX, &f.org_id)) ||
	    (rc = http_query_int(c, "mobile", -1, -1, 1, &mobile)) ||
	    (rc = http_query_int(c, "direct", 0, 0, 1, &direct)) || (rc = http_paging(c, &f.page, &f.size)))
		return rc;
	if (f.status && member_status_parse(f.status) == MEMBER_STATUS_NONE)
		return dj_fail(ERR, DJ_EINVAL, "status", "status 应为 full 或 probationary");
	if (f.sort && strcmp(f.sort, "name") != 0 && strcmp(f.sort, "join_date") != 0 && strcmp(f.sort, "birth_date") != 0)
		return dj_fail(ERR, DJ_EINVAL, "sort", "sort 应为 name、join_date 或 birth_date");
	f.mobile = (int)mobile;
	f.direct = direct;
	json_t *out = member_list(DB, ME, &f, ERR);
	return out ? http_reply(c, 200, out) : ERR->code;
}

static int h_create(struct http_ctx *c)
{
	return http_create(c, member_create, member_get);
}

static int h_get(struct http_ctx *c)
{
	return http_ok(c, member_get(DB, ME, http_param(c, 0), ERR));
}

static int h_update(struct http_ctx *c)
{
	return http_update(c, member_update, member_get);
}

static int h_transfer(struct http_ctx *c)
{
	return http_update(c, member_transfer, member_get);
}

static int h_convert(struct http_ctx *c)
{
	return http_update(c, member_convert, member_get);
}

static int h_reveal(struct http_ctx *c)
{
	json_t *in = http_body(c);
	if (!in)
		return ERR->code;
	return http_ok(c, member_reveal(DB, ME, http_param(c, 0), json_string_value(json_object_get(in, "field")), ERR));
}

/* ?detect=1 finds the header and the mapping only (with a preview), for the
 * wizard to show before the dry run; ?map= overrides it ("C=birth_date,…"). */
static int h_import(struct http_ctx *c)
{
	int64_t org, dry, detect;
	int rc;
	if ((rc = http_query_int(c, "org", 0, 1, INT64_MAX, &org)) || (rc = http_query_int(c, "dry_run", 0, 0, 1, &dry)) ||
	    (rc = http_query_int(c, "detect", 0, 0, 1, &detect)))
		return rc;
	if (!org)
		return dj_fail(ERR, DJ_EINVAL, "org", "请选择导入到的党组织");
	size_t len;
	const char *data = http_raw(c, &len);
	json_t *result;
	struct member_import_opts o = {.filename = http_query(c, "filename"), .dry_run = dry, .detect = detect,
				       .map = http_query(c, "map")};
	rc = member_import_ex(DB, ME, org, data, len, &o, &result, ERR);
	json_decref(o.mapping);
	if (rc)
		return rc;
	return http_reply(c, 200, result);
}

static int h_export(struct http_ctx *c)
{
	int64_t org, reveal;
	int rc;
	if ((rc = http_query_int(c, "org", 0, 0, INT64_MAX, &org)) || (rc = http_query_int(c, "reveal", 0, 0, 1, &reveal)))
		return rc;
	if (!org && (rc = scope_root_of(DB, ME, &org, ERR)))
		return rc;
	char *data;
	size_t len;
	if ((rc = member_export(DB, ME, org, reveal, &data, &len, ERR)))
		return rc;
	rc = http_reply_bytes(c, 200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", data, len,
			      "党员名册.xlsx");
	free(data);
	return rc;
}

static int h_template(struct http_ctx *c)
{
	char *data;
	size_t len;
	int rc = member_template(&data, &len, ERR);
	if (rc)
		return rc;
	rc = http_reply_bytes(c, 200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", data, len,
			      "党员信息导入模板.xlsx");
	free(data);
	return rc;
}

const struct route member_routes[] = {
	{"GET", "/api/v1/members", h_list, ROUTE_CACHE | ROUTE_DEP(MEMBER) | ROUTE_DEP(ORG)},
	{"POST", "/api/v1/members", h_create, ROUTE_MANAGE},
	{"GET", "/api/v1/members/template", h_template, 0},
	{"GET", "/api/v1/members/export", h_export, ROUTE_MANAGE},
	{"POST", "/api/v1/members/import", h_import, ROUTE_MANAGE | ROUTE_UPLOAD},
	{"GET", "/api/v1/members/:id", h_get, ROUTE_CACHE},
	{"PATCH", "/api/v1/members/:id", h_update, ROUTE_MANAGE},
	{"POST", "/api/v1/members/:id/transfer", h_transfer, ROUTE_MANAGE},
	{"POST", "/api/v1/members/:id/convert", h_convert, ROUTE_MANAGE},
	{"POST", "/api/v1/members/:id/reveal", h_reveal, ROUTE_SECRET},
	MEMBER_ROSTER_ROUTES
	{0},
};
