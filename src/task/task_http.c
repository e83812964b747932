/* task_http.c — the routes of task deployment. */
#include "task/task.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"

#define DB http_db(c)
#define ME http_actor(c)
#define ERR http_err(c)

static int h_plans(struct http_ctx *c)
{
	int page, size;
	int rc = http_paging(c, &page, &size);
	return rc ? rc : http_ok(c, task_plan_list(DB, ME, page, size, ERR));
}

static int h_plan_create(struct http_ctx *c)
{
	return http_create(c, task_plan_create, task_plan_get);
}

static int h_plan_get(struct http_ctx *c)
{
	return http_ok(c, task_plan_get(DB, ME, http_param(c, 0), ERR));
}

static int h_plan_update(struct http_ctx *c)
{
	return http_update(c, task_plan_update, task_plan_get);
}

static int h_campaign_add(struct http_ctx *c)
{
	json_t *in = http_body(c);
	int64_t id;
	int rc;
	if (!in)
		return ERR->code;
	if ((rc = task_campaign_add(DB, ME, http_param(c, 0), in, &id, ERR)))
		return rc;
	return http_reply(c, 201, json_pack("{s:I}", "id", (json_int_t)id));
}

static int h_publish(struct http_ctx *c)
{
	int64_t n;
	int rc = task_plan_publish(DB, ME, http_param(c, 0), &n, ERR);
	return rc ? rc : http_reply(c, 200, json_pack("{s:b, s:I}", "ok", 1, "assignments", (json_int_t)n));
}

static int h_close(struct http_ctx *c)
{
	int rc = task_plan_close(DB, ME, http_param(c, 0), ERR);
	return rc ? rc : http_reply(c, 200, json_pack("{s:b}", "ok", 1));
}

static int h_task_create(struct http_ctx *c)
{
	json_t *in = http_body(c);
	int64_t id;
	int rc;
	if (!in)
		return ERR->code;
	if ((rc = task_create(DB, ME, http_param(c, 0), in, &id, ERR)))
		return rc;
	return http_reply(c, 201, json_pack("{s:I}", "id", (json_int_t)id));
}

static int h_task_update(struct http_ctx *c)
{
	json_t *in = http_body(c);
	int rc;
	if (!in)
		return ERR->code;
	if ((rc = task_update(DB, ME, http_param(c, 0), in, ERR)))
		return rc;
	return http_reply(c, 200, json_pack("{s:b}", "ok", 1));
}

static int h_task_delete(struct http_ctx *c)
{
	int rc = task_delete(DB, ME, http_param(c, 0), ERR);
	return rc ? rc : http_reply(c, 200, json_pack("{s:b}", "ok", 1));
}

static int h_import(struct http_ctx *c)
{
	int64_t dry;
	int rc = http_query_int(c, "dry_run", 0, 0, 1, &dry);
	if (rc)
		return rc;
	size_t len;
	const char *data = http_raw(c, &len);
	json_t *result;
	if ((rc = task_import(DB, ME, http_param(c, 0), data, len, dry, &result, ERR)))
		return rc;
	return http_reply(c, 200, result);
}

static int h_template(struct http_ctx *c)
{
	char *data;
	size_t len;
	int rc = task_template(&data, &len, ERR);
	if (rc)
		return rc;
	rc = http_reply_bytes(c, 200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", data, len,
			      "工作方案任务导入模板.xlsx");
	free(data);
	return rc;
}

static int h_matrix(struct http_ctx *c)
{
	int page, size;
	int rc = http_paging(c, &page, &size);
	return rc ? rc : http_ok(c, task_matrix(DB, ME, http_param(c, 0), page, size, ERR));
}

static int h_contacts(struct http_ctx *c)
{
	return http_ok(c, task_contacts(DB, ME, http_param(c, 0), ERR));
}

static int h_contact_set(struct http_ctx *c)
{
	json_t *in = http_body(c);
	int rc;
	if (!in)
		return ERR->code;
	if ((rc = task_contact_set(DB, ME, http_param(c, 0), http_param(c, 1), in, ERR)))
		return rc;
	return http_reply(c, 200, json_pack("{s:b}", "ok", 1));
}

static int h_contact_reveal(struct http_ctx *c)
{
	json_t *in = http_body(c);
	if (!in)
		return ERR->code;
	return http_ok(c, task_contact_reveal(DB, ME, http_param(c, 0), http_param(c, 1),
					      json_string_value(json_object_get(in, "field")), ERR));
}

static int h_scores(struct http_ctx *c)
{
	return http_ok(c, task_scores(DB, ME, http_param(c, 0), 0, ERR));
}

static int h_all_scores(struct http_ctx *c)
{
	int64_t year;
	int rc = http_query_int(c, "year", 0, 2000, 2100, &year);
	if (rc)
		return rc;
	if (!year)
		return dj_fail(ERR, DJ_EINVAL, "year", "请指定年度");
	return http_ok(c, task_scores(DB, ME, 0, (int)year, ERR));
}

static int h_assignments(struct http_ctx *c)
{
	struct task_filter f = {.state = http_query(c, "state")};
	int64_t mine;
	int rc;
	if ((rc = http_query_int(c, "plan", 0, 0, INT64_MAX, &f.plan)) ||
	    (rc = http_query_int(c, "org", 0, 0, INT64_MAX, &f.org)) ||
	    (rc = http_query_int(c, "mine", 0, 0, 1, &mine)) || (rc = http_paging(c, &f.page, &f.size)))
		return rc;
	f.mine = mine;
	return http_ok(c, task_assignment_list(DB, ME, &f, ERR));
}

static int h_assignment_get(struct http_ctx *c)
{
	return http_ok(c, task_assignment_get(DB, ME, http_param(c, 0), ERR));
}

static int h_submit(struct http_ctx *c)
{
	json_t *in = http_body(c);
	int64_t ev;
	int rc;
	if (!in)
		return ERR->code;
	if ((rc = task_submit(DB, ME, http_param(c, 0), in, &ev, ERR)))
		return rc;
	json_t *r = task_assignment_get(DB, ME, http_param(c, 0), ERR);
	if (!r)
		return ERR->code;
	json_object_set_new(r, "event_id", json_integer(ev));
	return http_reply(c, 201, r);
}

static int h_review(struct http_ctx *c)
{
	return http_update(c, task_review, task_assignment_get);
}

static int h_seen(struct http_ctx *c)
{
	int rc = task_seen(DB, ME, http_param(c, 0), ERR);
	return rc ? rc : http_reply(c, 200, json_pack("{s:b}", "ok", 1));
}

static int h_attach(struct http_ctx *c)
{
	size_t len;
	const char *data = http_raw(c, &len);
	int64_t att;
	int rc = task_attach(DB, ME, http_param(c, 0), http_query(c, "filename"), data, len, &att, ERR);
	return rc ? rc : http_reply(c, 201, json_pack("{s:I}", "id", (json_int_t)att));
}

static int h_units(struct http_ctx *c)
{
	json_t *u = json_array();
	for (int i = 0; task_units[i]; i++)
		json_array_append_new(u, json_string(task_units[i]));
	return http_reply(c, 200, u);
}

const struct route task_routes[] = {
	{"GET", "/api/v1/plans", h_plans, ROUTE_MANAGE | ROUTE_CACHE | ROUTE_DEP(TASK) | ROUTE_DEP(ORG)},
	{"POST", "/api/v1/plans", h_plan_create, ROUTE_MANAGE},
	{"GET", "/api/v1/plans/template", h_template, ROUTE_MANAGE},
	{"GET", "/api/v1/plans/scores", h_all_scores, ROUTE_MANAGE | ROUTE_CACHE},
	{"GET", "/api/v1/quota-units", h_units, ROUTE_CACHE},
	{"GET", "/api/v1/plans/:id", h_plan_get, ROUTE_MANAGE | ROUTE_CACHE | ROUTE_DEP(TASK) | ROUTE_DEP(ORG)},
	{"PATCH", "/api/v1/plans/:id", h_plan_update, ROUTE_MANAGE},
	{"POST", "/api/v1/plans/:id/campaigns", h_campaign_add, ROUTE_MANAGE},
	{"POST", "/api/v1/plans/:id/tasks", h_task_create, ROUTE_MANAGE},
	{"POST", "/api/v1/plans/:id/import", h_import, ROUTE_MANAGE | ROUTE_UPLOAD},
	{"POST", "/api/v1/plans/:id/publish", h_publish, ROUTE_MANAGE},
	{"POST", "/api/v1/plans/:id/close", h_close, ROUTE_MANAGE},
	{"GET", "/api/v1/plans/:id/matrix", h_matrix, ROUTE_MANAGE | ROUTE_CACHE | ROUTE_DEP(TASK) | ROUTE_DEP(ORG)},
	{"GET", "/api/v1/plans/:id/contacts", h_contacts, ROUTE_MANAGE | ROUTE_CACHE},
	{"PUT", "/api/v1/plans/:id/contacts/:org", h_contact_set, ROUTE_MANAGE},
	{"POST", "/api/v1/plans/:id/contacts/:org/reveal", h_contact_reveal, ROUTE_MANAGE | ROUTE_SECRET},
	{"GET", "/api/v1/plans/:id/scores", h_scores, ROUTE_MANAGE | ROUTE_CACHE},
	{"PATCH", "/api/v1/tasks/:id", h_task_update, ROUTE_MANAGE},
	{"DELETE", "/api/v1/tasks/:id", h_task_delete, ROUTE_MANAGE},
	{"GET", "/api/v1/assignments", h_assignments, ROUTE_MANAGE | ROUTE_CACHE | ROUTE_DEP(TASK) | ROUTE_DEP(ORG)},
	{"GET", "/api/v1/assignments/:id", h_assignment_get, ROUTE_MANAGE | ROUTE_CACHE},
	{"POST", "/api/v1/assignments/:id/submissions", h_submit, ROUTE_MANAGE},
	{"POST", "/api/v1/assignments/:id/review", h_review, ROUTE_MANAGE},
	{"POST", "/api/v1/assignments/:id/seen", h_seen, ROUTE_MANAGE},
	{"POST", "/api/v1/submissions/:id/attachments", h_attach, ROUTE_MANAGE | ROUTE_UPLOAD},
	{0},
};
