/* notify_http.c — the routes of the notify module: a user's own e-mail
 * address and choice, the delivery settings and the outbox (admin). */
#include <string.h>

#include "http/http.h"
#include "notify/notify.h"

#define DB http_db(c)
#define ME http_actor(c)
#define ERR http_err(c)

static int h_pref_get(struct http_ctx *c)
{
	return http_ok(c, notify_pref_get(DB, ME, ERR));
}

static int h_pref_set(struct http_ctx *c)
{
	json_t *in = http_body(c);
	if (!in)
		return ERR->code;
	int rc = notify_pref_set(DB, ME, in, ERR);
	return rc ? rc : http_ok(c, notify_pref_get(DB, ME, ERR));
}

static int h_settings_get(struct http_ctx *c)
{
	return http_ok(c, notify_settings_get(DB, ERR));
}

static int h_settings_set(struct http_ctx *c)
{
	json_t *in = http_body(c);
	if (!in)
		return ERR->code;
	int rc = notify_settings_set(DB, ME, in, ERR);
	return rc ? rc : http_ok(c, notify_settings_get(DB, ERR));
}

static int h_outbox(struct http_ctx *c)
{
	static const char *const states[] = {"queued", "sent", "failed", NULL};
	const char *state = http_query(c, "state");
	int page, size;
	int rc = http_paging(c, &page, &size);
	if (rc)
		return rc;
	if (state && *state) {
		bool ok = false;
		for (const char *const *s = states; *s; s++)
			ok |= strcmp(*s, state) == 0;
		if (!ok)
			return dj_fail(ERR, DJ_EINVAL, "state", "状态应为 queued、sent 或 failed");
	} else {
		state = NULL;
	}
	return http_ok(c, notify_outbox_list(DB, state, page, size, ERR));
}

const struct route notify_routes[] = {
	{"GET", "/api/v1/session/email", h_pref_get, 0},
	{"PUT", "/api/v1/session/email", h_pref_set, 0},
	{"GET", "/api/v1/notify/settings", h_settings_get, ROUTE_ADMIN},
	{"PUT", "/api/v1/notify/settings", h_settings_set, ROUTE_ADMIN},
	{"GET", "/api/v1/notify/outbox", h_outbox, ROUTE_ADMIN},
	{0},
};
