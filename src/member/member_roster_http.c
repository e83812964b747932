/* member_roster_http.c — routes of transfers, mobile members and the ends
 * of memberships (member_roster.h). */
#include "member/member_roster.h"

#include <string.h>

#include "db/db.h"
#include "http/http.h"
#include "member/member.h"
#include "member/member_roster_http.h"

#define DB http_db(c)
#define ME http_actor(c)
#define ERR http_err(c)

static int created(struct http_ctx *c, json_t *row)
{
	return row ? http_reply(c, 201, row) : ERR->code;
}

int roster_h_transfers(struct http_ctx *c)
{
	struct roster_transfer_filter f = {.dir = http_query(c, "dir"), .status = http_query(c, "status")};
	int rc;
	if ((rc = http_query_int(c, "org", 0, 0, INT64_MAX, &f.org)) ||
	    (rc = http_query_int(c, "member", 0, 0, INT64_MAX, &f.member)) || (rc = http_paging(c, &f.page, &f.size)))
		return rc;
	if (f.dir && strcmp(f.dir, "in") != 0 && strcmp(f.dir, "out") != 0)
		return dj_fail(ERR, DJ_EINVAL, "dir", "dir 应为 in 或 out");
	static const char *const st[] = {"pending", "accepted", "returned", "issued", "received", "registered", NULL};
	bool known = !f.status;
	for (int i = 0; st[i] && !known; i++)
		known = strcmp(st[i], f.status) == 0;
	if (!known)
		return dj_fail(ERR, DJ_EINVAL, "status", "status 不正确");
	return http_ok(c, roster_transfer_list(DB, ME, &f, ERR));
}

typedef int (*transfer_new)(struct db *, const struct actor *, json_t *, int64_t *, struct dj_error *);

/* A transfer begun (out of here, or a letter received): the new record, 201. */
static int begun(struct http_ctx *c, transfer_new fn)
{
	json_t *in = http_body(c);
	int64_t id;
	int rc;
	if (!in)
		return ERR->code;
	if ((rc = fn(DB, ME, in, &id, ERR)))
		return rc;
	return created(c, roster_transfer_get(DB, ME, id, ERR));
}

int roster_h_transfer_start(struct http_ctx *c)
{
	return begun(c, roster_transfer_start);
}

int roster_h_transfer_in(struct http_ctx *c)
{
	return begun(c, roster_transfer_in);
}

int roster_h_transfer_get(struct http_ctx *c)
{
	return http_ok(c, roster_transfer_get(DB, ME, http_param(c, 0), ERR));
}

typedef int (*transfer_step)(struct db *, const struct actor *, int64_t, json_t *, struct dj_error *);

static int step(struct http_ctx *c, transfer_step fn)
{
	json_t *in = http_body(c);
	int rc;
	if (!in)
		return ERR->code;
	if ((rc = fn(DB, ME, http_param(c, 0), in, ERR)))
		return rc;
	return http_ok(c, roster_transfer_get(DB, ME, http_param(c, 0), ERR));
}

int roster_h_transfer_accept(struct http_ctx *c)
{
	return step(c, roster_transfer_accept);
}

int roster_h_transfer_return(struct http_ctx *c)
{
	return step(c, roster_transfer_return);
}

int roster_h_transfer_receipt(struct http_ctx *c)
{
	return step(c, roster_transfer_receipt);
}

int roster_h_transfer_orgs(struct http_ctx *c)
{
	return http_ok(c, roster_transfer_orgs(DB, ME, http_query(c, "q"), ERR));
}

int roster_h_mobile_list(struct http_ctx *c)
{
	int64_t org, all;
	int page, size, rc;
	if ((rc = http_query_int(c, "org", 0, 0, INT64_MAX, &org)) || (rc = http_query_int(c, "all", 0, 0, 1, &all)) ||
	    (rc = http_paging(c, &page, &size)))
		return rc;
	return http_ok(c, roster_mobile_list(DB, ME, org, all, page, size, ERR));
}

int roster_h_mobile_start(struct http_ctx *c)
{
	json_t *in = http_body(c);
	int64_t id;
	int rc;
	if (!in)
		return ERR->code;
	if ((rc = roster_mobile_start(DB, ME, in, &id, ERR)))
		return rc;
	return created(c, roster_mobile_get(DB, ME, id, ERR));
}

int roster_h_mobile_get(struct http_ctx *c)
{
	return http_ok(c, roster_mobile_get(DB, ME, http_param(c, 0), ERR));
}

int roster_h_mobile_end(struct http_ctx *c)
{
	json_t *in = http_body(c);
	int rc;
	if (!in)
		return ERR->code;
	if ((rc = roster_mobile_end(DB, ME, http_param(c, 0), in, ERR)))
		return rc;
	return http_ok(c, roster_mobile_get(DB, ME, http_param(c, 0), ERR));
}

int roster_h_mobile_report(struct http_ctx *c)
{
	json_t *in = http_body(c);
	int64_t rid;
	int rc;
	if (!in)
		return ERR->code;
	if ((rc = roster_mobile_report(DB, ME, http_param(c, 0), in, &rid, ERR)))
		return rc;
	return created(c, roster_mobile_get(DB, ME, http_param(c, 0), ERR));
}

int roster_h_end(struct http_ctx *c)
{
	json_t *in = http_body(c);
	int64_t id;
	int rc;
	if (!in)
		return ERR->code;
	if ((rc = roster_end(DB, ME, http_param(c, 0), in, &id, ERR)))
		return rc;
	json_t *m = member_get(DB, ME, http_param(c, 0), ERR);
	if (m)
		json_object_set_new(m, "end_id", json_integer(id));
	return created(c, m);
}

int roster_h_ends(struct http_ctx *c)
{
	int64_t org, member;
	int page, size, rc;
	if ((rc = http_query_int(c, "org", 0, 0, INT64_MAX, &org)) ||
	    (rc = http_query_int(c, "member", 0, 0, INT64_MAX, &member)) || (rc = http_paging(c, &page, &size)))
		return rc;
	return http_ok(c, roster_end_list(DB, ME, org, member, http_query(c, "reason"), page, size, ERR));
}

int roster_h_end_attach(struct http_ctx *c)
{
	size_t len;
	const char *data = http_raw(c, &len);
	int64_t att;
	int rc = roster_end_attach(DB, ME, http_param(c, 0), http_query(c, "filename"), data, len, &att, ERR);
	return rc ? rc : http_reply(c, 201, json_pack("{s:I}", "id", (json_int_t)att));
}
