/* user_http.c — log in and out, the current user, and account management. */
#include "user/user.h"

#include <string.h>
#include <strings.h>

#include "db/db.h"
#include "core/date.h"
#include "http/http.h"
#include "http/origin.h"

#define DB http_db(c)
#define ME http_actor(c)
#define ERR http_err(c)

/* A login comes as JSON from the platform's own page (or a client that
 * sends no Origin): a form posted from another site is neither. */
static int h_login(struct http_ctx *c)
{
	int rc = http_origin_check(c, ERR);
	if (rc)
		return rc;
	const char *ct = http_header(c, "Content-Type");
	if (!ct || strncasecmp(ct, "application/json", 16) != 0 || (ct[16] && ct[16] != ';' && ct[16] != ' '))
		return http_reply(c, 415, json_pack("{s:s, s:s, s:s}", "error", "请求体应为 JSON（Content-Type: application/json）",
						    "field", "Content-Type", "code", "unsupported_media_type"));
	json_t *in = http_body(c);
	if (!in)
		return ERR->code;
	char token[65], csrf[65];
	rc = session_login(DB, json_string_value(json_object_get(in, "username")),
			       json_string_value(json_object_get(in, "password")), http_client_ip(c), token, csrf, ERR);
	if (rc)
		return rc;
	struct actor a;
	char check[65];
	if ((rc = session_lookup(DB, token, &a, check, NULL, ERR)))
		return rc;
	http_set_session_cookie(c, token);
	const char *today = ME->today;
	json_t *me = user_me_get(DB, &a, ERR);
	if (!me)
		return ERR->code;
	return http_reply(c, 200, json_pack("{s:o, s:s, s:s}", "user", me, "csrf", csrf, "today", today));
}

static int h_me(struct http_ctx *c)
{
	struct actor a;
	char csrf[65];
	int rc = session_lookup(DB, http_session_token(c), &a, csrf, NULL, ERR);
	if (rc)
		return rc;
	/* today is the server's (pinned by DANGJIAN_TODAY in tests and demos),
	 * so the browser's calendars and default dates follow it. */
	const char *today = ME->today;
	json_t *me = user_me_get(DB, ME, ERR);
	if (!me)
		return ERR->code;
	return http_reply(c, 200, json_pack("{s:o, s:s, s:s}", "user", me, "csrf", csrf, "today", today));
}

static int h_logout(struct http_ctx *c)
{
	int rc = session_logout(DB, ME, http_session_token(c), ERR);
	if (rc)
		return rc;
	http_clear_session_cookie(c);
	return http_reply(c, 200, json_pack("{s:b}", "ok", 1));
}

static int h_own_password(struct http_ctx *c)
{
	json_t *in = http_body(c);
	if (!in)
		return ERR->code;
	int rc = user_change_own_password(DB, ME, json_string_value(json_object_get(in, "old_password")),
					  json_string_value(json_object_get(in, "new_password")), ERR);
	if (rc)
		return rc;
	http_clear_session_cookie(c);
	return http_reply(c, 200, json_pack("{s:b}", "ok", 1));
}

static int h_list(struct http_ctx *c)
{
	int page, size;
	int rc = http_paging(c, &page, &size);
	return rc ? rc : http_ok(c, user_list(DB, ME, http_query(c, "q"), page, size, ERR));
}

static int h_create(struct http_ctx *c)
{
	json_t *in = http_body(c);
	int64_t id;
	int rc;
	if (!in)
		return ERR->code;
	if ((rc = user_create(DB, ME, in, &id, ERR)))
		return rc;
	return http_reply(c, 201, json_pack("{s:I}", "id", (json_int_t)id));
}

static int h_update(struct http_ctx *c)
{
	json_t *in = http_body(c);
	if (!in)
		return ERR->code;
	int rc = user_update(DB, ME, http_param(c, 0), in, ERR);
	return rc ? rc : http_reply(c, 200, json_pack("{s:b}", "ok", 1));
}

static int h_password(struct http_ctx *c)
{
	json_t *in = http_body(c);
	if (!in)
		return ERR->code;
	const char *pw = json_string_value(json_object_get(in, "password"));
	if (!pw)
		return dj_fail(ERR, DJ_EINVAL, "password", "请填写新密码");
	int rc = user_set_password(DB, ME, http_param(c, 0), pw, ERR);
	return rc ? rc : http_reply(c, 200, json_pack("{s:b}", "ok", 1));
}

/* 200 while the database answers and takes writes, 503 (Retry-After) while
 * it cannot be reached or is read-only (a standby, a recovery paused at its
 * target: every login would fail), so nginx or a load balancer takes this
 * server out.  ?verbose
 * tells an administrator which database server it is on and whether that
 * is the primary. */
static int h_health(struct http_ctx *c)
{
	int rc = db_writable(DB, ERR);
	if (rc)
		return rc;
	json_t *out = json_pack("{s:b}", "ok", 1);
	if (http_query_has(c, "verbose")) {
		struct actor a;
		char csrf[65];
		json_t *where = NULL;
		if ((rc = session_lookup(DB, http_session_token(c), &a, csrf, NULL, ERR)) == 0 && a.role != ROLE_ADMIN)
			rc = dj_fail(ERR, DJ_EFORBIDDEN, "verbose", "只有系统管理员可以查看数据库详情");
		if (!rc)
			rc = db_server_info(DB, &where, ERR);
		if (rc) {
			json_decref(out);
			return rc;
		}
		json_object_set_new(out, "database", where);
		/* The schema's version tells an attacker which release runs: admins only. */
		json_object_set_new(out, "schema", json_integer(db_schema_version(DB)));
	}
	return http_reply(c, 200, out);
}

const struct route user_routes[] = {
	{"GET", "/api/v1/health", h_health, ROUTE_PUBLIC},
	{"POST", "/api/v1/session", h_login, ROUTE_PUBLIC},
	{"GET", "/api/v1/session", h_me, 0},
	{"DELETE", "/api/v1/session", h_logout, 0},
	{"PUT", "/api/v1/session/password", h_own_password, 0},
	{"GET", "/api/v1/users", h_list, ROUTE_MANAGE | ROUTE_CACHE},
	{"POST", "/api/v1/users", h_create, ROUTE_MANAGE},
	{"PATCH", "/api/v1/users/:id", h_update, ROUTE_MANAGE},
	{"PUT", "/api/v1/users/:id/password", h_password, ROUTE_MANAGE},
	{0},
};
