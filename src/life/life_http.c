/* life_http.c — the routes of organizational life and study. */
#include "life/life.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/mem.h"
#include "db/db.h"
#include "http/http.h"

#define DB http_db(c)
#define ME http_actor(c)
#define ERR http_err(c)

static bool valid_date_param(const char *s)
{
	return !s || date_valid(s);
}

static int h_kinds(struct http_ctx *c)
{
	json_t *items = life_kinds(DB, ERR);
	return items ? http_ok(c, json_pack("{s:o}", "items", items)) : ERR->code;
}

static int h_kind_add(struct http_ctx *c)
{
	json_t *in = http_body(c);
	int rc;
	if (!in)
		return ERR->code;
	if ((rc = life_kind_add(DB, ME, in, ERR)))
		return rc;
	json_t *items = life_kinds(DB, ERR);
	return items ? http_reply(c, 201, json_pack("{s:o}", "items", items)) : ERR->code;
}

static int h_list(struct http_ctx *c)
{
	struct life_filter f = {.from = http_query(c, "from"), .to = http_query(c, "to"), .kind = http_query(c, "kind"),
				.status = http_query(c, "status")};
	int64_t sub;
	int rc;
	if ((rc = http_query_int(c, "org", 0, 0, INT64_MAX, &f.org)) || (rc = http_query_int(c, "subtree", 0, 0, 1, &sub)) ||
	    (rc = http_paging(c, &f.page, &f.size)))
		return rc;
	if (!valid_date_param(f.from))
		return dj_fail(ERR, DJ_EINVAL, "from", "from 应为 YYYY-MM-DD");
	if (!valid_date_param(f.to))
		return dj_fail(ERR, DJ_EINVAL, "to", "to 应为 YYYY-MM-DD");
	if (f.status && activity_status_parse(f.status) == ACTIVITY_STATUS_NONE)
		return dj_fail(ERR, DJ_EINVAL, "status", "status 应为 planned、held 或 cancelled");
	f.subtree = sub;
	return http_ok(c, life_activity_list(DB, ME, &f, ERR));
}

static int h_create(struct http_ctx *c)
{
	return http_create(c, life_activity_create, life_activity_get);
}

static int h_get(struct http_ctx *c)
{
	return http_ok(c, life_activity_get(DB, ME, http_param(c, 0), ERR));
}

static int h_update(struct http_ctx *c)
{
	return http_update(c, life_activity_update, life_activity_get);
}

static int h_cancel(struct http_ctx *c)
{
	int rc = life_activity_cancel(DB, ME, http_param(c, 0), ERR);
	return rc ? rc : http_ok(c, json_pack("{s:b}", "ok", 1));
}

static int h_attendance(struct http_ctx *c)
{
	return http_update(c, life_attendance_set, life_activity_get);
}

static int h_attach(struct http_ctx *c)
{
	size_t len;
	const char *data = http_raw(c, &len);
	int64_t att;
	int rc = life_attach(DB, ME, http_param(c, 0), http_query(c, "filename"), data, len, &att, ERR);
	return rc ? rc : http_reply(c, 201, json_pack("{s:I}", "id", (json_int_t)att));
}

static int h_signin_open(struct http_ctx *c)
{
	json_t *in = http_body(c);
	if (!in)
		return ERR->code;
	json_t *m = json_object_get(in, "minutes");
	if (m && (!json_is_integer(m) || json_integer_value(m) < 1 || json_integer_value(m) > 1440))
		return dj_fail(ERR, DJ_EINVAL, "minutes", "签到时长应为1至1440分钟");
	return http_ok(c, life_signin_open(DB, ME, http_param(c, 0), m ? (int)json_integer_value(m) : 0, ERR));
}

static int h_signin_close(struct http_ctx *c)
{
	int rc = life_signin_close(DB, ME, http_param(c, 0), ERR);
	return rc ? rc : http_ok(c, json_pack("{s:b}", "ok", 1));
}

static int h_signin_qr(struct http_ctx *c)
{
	const char *host = http_header(c, "Host");
	char *base = xasprintf("http://%s", host && *host && !strpbrk(host, "\"<> /\\") ? host : "127.0.0.1:8080");
	char *svg = life_signin_qr(DB, ME, http_param(c, 0), base, ERR);
	free(base);
	if (!svg)
		return ERR->code;
	int rc = http_reply_bytes(c, 200, "image/svg+xml", svg, strlen(svg), NULL);
	free(svg);
	return rc;
}

static int h_signin_info(struct http_ctx *c)
{
	return http_ok(c, life_signin_info(DB, ME, http_param(c, 0), ERR));
}

static int h_signin(struct http_ctx *c)
{
	json_t *in = http_body(c);
	if (!in)
		return ERR->code;
	int rc = life_signin(DB, ME, http_param(c, 0), json_string_value(json_object_get(in, "token")), ERR);
	return rc ? rc : http_ok(c, life_signin_info(DB, ME, http_param(c, 0), ERR));
}

static int h_mine(struct http_ctx *c)
{
	const char *today = ME->today;
	int64_t year;
	int rc = http_query_int(c, "year", atoi(today), 1921, 2200, &year);
	return rc ? rc : http_ok(c, life_mine(DB, ME, (int)year, ERR));
}

static int h_rules(struct http_ctx *c)
{
	json_t *items = life_rules(DB, ERR);
	return items ? http_ok(c, json_pack("{s:o}", "items", items)) : ERR->code;
}

static int h_rules_set(struct http_ctx *c)
{
	json_t *in = http_body(c);
	int rc;
	if (!in)
		return ERR->code;
	if ((rc = life_rules_set(DB, ME, in, ERR)))
		return rc;
	json_t *items = life_rules(DB, ERR);
	return items ? http_ok(c, json_pack("{s:o}", "items", items)) : ERR->code;
}

static int org_param(struct http_ctx *c, int64_t *org)
{
	return http_query_int(c, "org", 0, 0, INT64_MAX, org);
}

static int h_compliance(struct http_ctx *c)
{
	int64_t org;
	int rc = org_param(c, &org);
	struct buf out = {0};
	if (rc || (rc = life_compliance(DB, ME, org, http_query(c, "from"), http_query(c, "to"), &out, ERR))) {
		buf_free(&out);
		return rc;
	}
	size_t len = out.len;
	return http_reply_json(c, 200, buf_detach(&out), len);
}

static int h_cell(struct http_ctx *c)
{
	int64_t org;
	int rc = org_param(c, &org);
	return rc ? rc : http_ok(c, life_cell(DB, ME, org, http_query(c, "month"), ERR));
}

static int h_pending(struct http_ctx *c)
{
	int64_t org;
	int rc = org_param(c, &org);
	return rc ? rc : http_ok(c, life_pending(DB, ME, org, ERR));
}

/* The old name (本月待开展 was once "dues", which means 党费): kept for one
 * release as a permanent redirect that keeps the query. */
static int h_dues_moved(struct http_ctx *c)
{
	int64_t org;
	int rc = http_query_int(c, "org", 0, 0, INT64_MAX, &org);
	if (rc)
		return rc;
	char *to = org ? xasprintf("/api/v1/life/pending?org=%lld", (long long)org) : xstrdup("/api/v1/life/pending");
	rc = http_redirect(c, 308, to);
	free(to);
	return rc;
}

static int h_absentees(struct http_ctx *c)
{
	int64_t org;
	int rc = org_param(c, &org);
	return rc ? rc : http_ok(c, life_absentees(DB, ME, org, ERR));
}

static int h_summary(struct http_ctx *c)
{
	int64_t org;
	int rc = org_param(c, &org);
	return rc ? rc : http_ok(c, life_summary(DB, ME, org, ERR));
}

static int h_findings(struct http_ctx *c)
{
	int64_t org;
	int rc = org_param(c, &org);
	if (rc)
		return rc;
	char month[8];
	const char *today = ME->today;
	snprintf(month, sizeof month, "%.7s", today);
	const char *p = http_query(c, "period");
	json_t *items = life_findings(DB, ME, org, p ? p : month, ERR);
	return items ? http_ok(c, json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)json_array_size(items)))
		     : ERR->code;
}

static int h_study_list(struct http_ctx *c)
{
	int64_t org;
	int rc = org_param(c, &org);
	return rc ? rc : http_ok(c, life_study_list(DB, ME, org, http_query(c, "month"), ERR));
}

static int h_study_create(struct http_ctx *c)
{
	return http_create(c, life_study_create, life_study_get);
}

static int h_study_get(struct http_ctx *c)
{
	return http_ok(c, life_study_get(DB, ME, http_param(c, 0), ERR));
}

static int h_study_update(struct http_ctx *c)
{
	return http_update(c, life_study_update, life_study_get);
}

static int h_study_progress(struct http_ctx *c)
{
	return http_ok(c, life_study_progress(DB, ME, http_param(c, 0), ERR));
}

static int study_mark(struct http_ctx *c, bool done)
{
	int rc = life_study_done(DB, ME, http_param(c, 0), done, ERR);
	return rc ? rc : http_ok(c, json_pack("{s:b}", "done", done));
}

static int h_study_done(struct http_ctx *c) { return study_mark(c, true); }
static int h_study_undone(struct http_ctx *c) { return study_mark(c, false); }

const struct route life_routes[] = {
	{"GET", "/api/v1/activity-kinds", h_kinds, ROUTE_CACHE | ROUTE_DEP(LIFE)},
	{"POST", "/api/v1/activity-kinds", h_kind_add, ROUTE_ADMIN},
	{"GET", "/api/v1/activities", h_list, ROUTE_CACHE | ROUTE_DEP(LIFE) | ROUTE_DEP(ORG)},
	{"POST", "/api/v1/activities", h_create, ROUTE_MANAGE},
	{"GET", "/api/v1/activities/:id", h_get, 0},
	{"PATCH", "/api/v1/activities/:id", h_update, ROUTE_MANAGE},
	{"DELETE", "/api/v1/activities/:id", h_cancel, ROUTE_MANAGE},
	{"PUT", "/api/v1/activities/:id/attendance", h_attendance, ROUTE_MANAGE},
	{"POST", "/api/v1/activities/:id/attachments", h_attach, ROUTE_MANAGE | ROUTE_UPLOAD},
	{"POST", "/api/v1/activities/:id/signin/open", h_signin_open, ROUTE_MANAGE},
	{"POST", "/api/v1/activities/:id/signin/close", h_signin_close, ROUTE_MANAGE},
	{"GET", "/api/v1/activities/:id/signin/qr", h_signin_qr, ROUTE_MANAGE},
	{"GET", "/api/v1/signin/:id", h_signin_info, 0},
	{"POST", "/api/v1/signin/:id", h_signin, 0},
	{"GET", "/api/v1/life/mine", h_mine, ROUTE_CACHE},
	{"GET", "/api/v1/life/rules", h_rules, ROUTE_CACHE | ROUTE_DEP(LIFE) | ROUTE_DEP(ORG)},
	{"PUT", "/api/v1/life/rules", h_rules_set, ROUTE_ADMIN},
	{"GET", "/api/v1/life/compliance", h_compliance, ROUTE_MANAGE | ROUTE_CACHE |
		ROUTE_DEP(LIFE) | ROUTE_DEP(ORG) | ROUTE_DEP(MEMBER)},
	{"GET", "/api/v1/life/compliance/cell", h_cell, ROUTE_MANAGE | ROUTE_CACHE},
	{"GET", "/api/v1/life/pending", h_pending, ROUTE_MANAGE | ROUTE_CACHE},
	{"GET", "/api/v1/life/dues", h_dues_moved, ROUTE_MANAGE},
	{"GET", "/api/v1/life/absentees", h_absentees, ROUTE_MANAGE | ROUTE_CACHE},
	{"GET", "/api/v1/life/summary", h_summary, ROUTE_MANAGE | ROUTE_CACHE},
	{"GET", "/api/v1/life/findings", h_findings, ROUTE_MANAGE | ROUTE_CACHE},
	{"GET", "/api/v1/study-plans", h_study_list, ROUTE_CACHE},
	{"POST", "/api/v1/study-plans", h_study_create, ROUTE_MANAGE},
	{"GET", "/api/v1/study-plans/:id", h_study_get, ROUTE_CACHE},
	{"PATCH", "/api/v1/study-plans/:id", h_study_update, ROUTE_MANAGE},
	{"GET", "/api/v1/study-plans/:id/progress", h_study_progress, ROUTE_MANAGE | ROUTE_CACHE},
	{"POST", "/api/v1/study-items/:id/done", h_study_done, 0},
	{"DELETE", "/api/v1/study-items/:id/done", h_study_undone, 0},
	{0},
};
