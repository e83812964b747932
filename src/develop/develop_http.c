/* develop_http.c — the routes of 发展党员. */
#include "develop/develop.h"

#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "http/http.h"

#define DB http_db(c)
#define ME http_actor(c)
#define ERR http_err(c)

static int h_steps(struct http_ctx *c)
{
	return http_ok(c, develop_steps_json());
}

static int h_board(struct http_ctx *c)
{
	int64_t org, size;
	int rc;
	if ((rc = http_query_int(c, "org", 0, 0, INT64_MAX, &org)) || (rc = http_query_int(c, "size", 50, 1, 500, &size)))
		return rc;
	return http_ok(c, develop_board(DB, ME, org, (int)size, ERR));
}

static int h_due(struct http_ctx *c)
{
	int64_t org;
	int rc;
	if ((rc = http_query_int(c, "org", 0, 0, INT64_MAX, &org)))
		return rc;
	return http_ok(c, develop_due_list(DB, ME, org, http_query(c, "month"), ERR));
}

static int h_list(struct http_ctx *c)
{
	struct develop_filter f = {.status = http_query(c, "status"), .q = http_query(c, "q")};
	int rc;
	if ((rc = http_query_int(c, "org", 0, 0, INT64_MAX, &f.org)) ||
	    (rc = http_query_int(c, "member", 0, 0, INT64_MAX, &f.member)) || (rc = http_paging(c, &f.page, &f.size)))
		return rc;
	if (f.status && develop_status_parse(f.status) == DEVELOP_STATUS_NONE)
		return dj_fail(ERR, DJ_EINVAL, "status", "status 应为 applicant、activist、candidate、probationary、full 或 stopped");
	return http_ok(c, develop_list(DB, ME, &f, ERR));
}

/* A write's answer: the person `id` as it stands now (with `step_id` when a
 * step was recorded), 201. */
static int reply_person(struct http_ctx *c, int rc, int64_t id, int64_t step_id)
{
	if (rc)
		return rc;
	json_t *r = develop_get(DB, ME, id, ERR);
	if (r && step_id)
		json_object_set_new(r, "step_id", json_integer(step_id));
	return r ? http_reply(c, 201, r) : ERR->code;
}

static int h_create(struct http_ctx *c)
{
	json_t *in = http_body(c);
	int64_t id = 0;
	if (!in)
		return ERR->code;
	int rc = develop_create(DB, ME, in, &id, ERR);
	return reply_person(c, rc, id, 0);
}

static int h_get(struct http_ctx *c)
{
	return http_ok(c, develop_get(DB, ME, http_param(c, 0), ERR));
}

static int h_step(struct http_ctx *c)
{
	json_t *in = http_body(c);
	int64_t sid = 0;
	if (!in)
		return ERR->code;
	int rc = develop_step_add(DB, ME, http_param(c, 0), in, &sid, ERR);
	return reply_person(c, rc, http_param(c, 0), sid);
}

static int h_stop(struct http_ctx *c)
{
	json_t *in = http_body(c);
	return in ? reply_person(c, develop_stop(DB, ME, http_param(c, 0), in, ERR), http_param(c, 0), 0) : ERR->code;
}

static int h_cancel(struct http_ctx *c)
{
	json_t *in = http_body(c);
	return in ? reply_person(c, develop_cancel(DB, ME, http_param(c, 0), in, ERR), http_param(c, 0), 0) : ERR->code;
}

static int h_resume(struct http_ctx *c)
{
	json_t *in = http_body(c);
	int64_t id = 0;
	if (!in)
		return ERR->code;
	int rc = develop_resume(DB, ME, http_param(c, 0), in, &id, ERR);
	return reply_person(c, rc, id, 0);
}

static int h_reveal(struct http_ctx *c)
{
	json_t *in = http_body(c);
	if (!in)
		return ERR->code;
	return http_ok(c, develop_reveal(DB, ME, http_param(c, 0), json_string_value(json_object_get(in, "field")), ERR));
}

static int h_attach(struct http_ctx *c)
{
	size_t len;
	const char *data = http_raw(c, &len);
	int64_t att;
	int rc = develop_attach(DB, ME, http_param(c, 0), http_query(c, "filename"), data, len, &att, ERR);
	return rc ? rc : http_reply(c, 201, json_pack("{s:I}", "id", (json_int_t)att));
}

static int h_import(struct http_ctx *c)
{
	int64_t org, dry;
	int rc;
	if ((rc = http_query_int(c, "org", 0, 0, INT64_MAX, &org)) || (rc = http_query_int(c, "dry_run", 0, 0, 1, &dry)))
		return rc;
	size_t len;
	const char *data = http_raw(c, &len);
	return http_ok(c, develop_import(DB, ME, org, data, len, dry, ERR));
}

static int h_export(struct http_ctx *c)
{
	int64_t org;
	int rc;
	if ((rc = http_query_int(c, "org", 0, 0, INT64_MAX, &org)))
		return rc;
	char *data;
	size_t len;
	if ((rc = develop_export(DB, ME, org, &data, &len, ERR)))
		return rc;
	rc = http_reply_bytes(c, 200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", data, len,
			      "发展党员.xlsx");
	free(data);
	return rc;
}

#define READS (ROUTE_CACHE | ROUTE_MANAGE | ROUTE_DEP(DEVELOP) | ROUTE_DEP(MEMBER) | ROUTE_DEP(ORG))

const struct route develop_routes[] = {
	{"GET", "/api/v1/develop/steps", h_steps, 0},
	{"GET", "/api/v1/develop/board", h_board, READS},
	{"GET", "/api/v1/develop/due", h_due, READS},
	{"GET", "/api/v1/develop/export", h_export, ROUTE_MANAGE},
	{"POST", "/api/v1/develop/import", h_import, ROUTE_MANAGE | ROUTE_UPLOAD},
	{"GET", "/api/v1/develop/people", h_list, READS},
	{"POST", "/api/v1/develop/people", h_create, ROUTE_MANAGE},
	{"GET", "/api/v1/develop/people/:id", h_get, READS | ROUTE_DEP(ATTACH)},
	{"POST", "/api/v1/develop/people/:id/cancel", h_cancel, ROUTE_MANAGE},
	{"POST", "/api/v1/develop/people/:id/resume", h_resume, ROUTE_MANAGE},
	{"POST", "/api/v1/develop/people/:id/reveal", h_reveal, ROUTE_MANAGE | ROUTE_SECRET},
	{"POST", "/api/v1/develop/people/:id/steps", h_step, ROUTE_MANAGE},
	{"POST", "/api/v1/develop/people/:id/stop", h_stop, ROUTE_MANAGE},
	{"POST", "/api/v1/develop/steps/:id/attachments", h_attach, ROUTE_MANAGE | ROUTE_UPLOAD},
	{0},
};
