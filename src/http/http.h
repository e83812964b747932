/* http.h — what a domain module's routes see of the HTTP layer.
 *
 * A handler is thin: read the path parameters, query and body, call the
 * domain, and reply.  It returns 0 after replying, or a DJ_* code with the
 * context's error filled; the server maps codes to statuses in one place. */
#ifndef DJ_HTTP_H
#define DJ_HTTP_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "db/db_scope.h"
#include "user/actor.h"

struct http_ctx;
struct db;

typedef int (*http_handler)(struct http_ctx *c);

enum {
	ROUTE_PUBLIC = 1,	/* no session needed */
	ROUTE_UPLOAD = 2,	/* raw body up to the upload limit, not JSON */
	ROUTE_ADMIN = 4,	/* system administrators only */
	ROUTE_MANAGE = 8,	/* not for the member role */
	/* A pure read: its answer depends only on the caller's role, scope
	 * root (org) and member record, the URL, the data and today's date.
	 * Kept in memory, shared by every account in that place, until a write
	 * to a scope it reads lands in that subtree or above it (.deps;
	 * http/cache.h).  A request that commits a write is not kept. */
	ROUTE_CACHE = 16,
	/* With ROUTE_CACHE: the answer reads the account itself (its id, name,
	 * preferences): kept per account. */
	ROUTE_PER_USER = 32,
	/* Its answer is personal data in clear (a reveal): an Idempotency-Key
	 * is not honoured, since the kept answer would be that data stored
	 * unencrypted for a day (and in backups and WAL); a repeat is
	 * harmless, and audited again. */
	ROUTE_SECRET = 64,
};
/* For ROUTE_CACHE: a scope of the data its answer reads (db/db_scope.h),
 * ROUTE_DEP(ORG) | ROUTE_DEP(MEMBER) …; none named means all of them.
 * Settings, and the caller's own member record, are always part of it. */
#define ROUTE_DEP_SHIFT 8
#define ROUTE_DEP(s) (DEP(s) << ROUTE_DEP_SHIFT)
#define ROUTE_DEPS(flags) ((flags) >> ROUTE_DEP_SHIFT)

struct route {
	const char *method;
	const char *pattern;	/* "/api/v1/orgs/:id/move" */
	http_handler fn;
	unsigned flags;		/* ROUTE_* | ROUTE_DEP(…) */
};

struct db *http_db(struct http_ctx *c);
const struct actor *http_actor(struct http_ctx *c);
struct dj_error *http_err(struct http_ctx *c);
/* The i-th ":name" segment as a positive id (0 if not numeric). */
int64_t http_param(struct http_ctx *c, int i);
/* The i-th path segment (0 = "api") into out[n], for "~name" segments of a
 * pattern (letters, digits, '.', '_', '-'); -1 if there is none or it is too long. */
int http_segment(struct http_ctx *c, int i, char *out, size_t n);
const char *http_query(struct http_ctx *c, const char *key);
/* Is `key` in the query at all ("?verbose" with no value counts)? */
bool http_query_has(struct http_ctx *c, const char *key);
/* Integer query parameter within [min, max]; DJ_EINVAL naming `key` if bad. */
int http_query_int(struct http_ctx *c, const char *key, int64_t def, int64_t min, int64_t max, int64_t *out);
/* page (≥ 1) and size (1–200, default 20). */
int http_paging(struct http_ctx *c, int *page, int *size);
/* The parsed JSON body (an object), or NULL after filling the error. */
json_t *http_body(struct http_ctx *c);
const char *http_raw(struct http_ctx *c, size_t *len);
const char *http_header(struct http_ctx *c, const char *name);

/* Reply with JSON (steals `out`). */
int http_reply(struct http_ctx *c, int status, json_t *out);
/* Reply with JSON already written as text (steals `s`, from malloc), as
 * http_reply does: a big answer written straight into a buffer. */
int http_reply_json(struct http_ctx *c, int status, char *s, size_t len);
/* Reply with bytes (copied); `filename` sets Content-Disposition when given. */
int http_reply_bytes(struct http_ctx *c, int status, const char *type, const void *data, size_t len,
		     const char *filename);

/* Reply `status` (301, 308 …) sending the client to `location`. */
int http_redirect(struct http_ctx *c, int status, const char *location);

/* Sessions: set or clear the cookie on this reply. */
void http_set_session_cookie(struct http_ctx *c, const char *token);
void http_clear_session_cookie(struct http_ctx *c);
const char *http_session_token(struct http_ctx *c);
const char *http_client_ip(struct http_ctx *c);

/* Reply 200 with `out`, or return the context's error code when NULL. */
int http_ok(struct http_ctx *c, json_t *out);

/* A record's domain functions, for the handlers every record has: write it
 * from the JSON body, then answer with the record as its getter shows it. */
typedef int (*http_create_fn)(struct db *db, const struct actor *a, json_t *in, int64_t *id,
			      struct dj_error *err);
typedef int (*http_update_fn)(struct db *db, const struct actor *a, int64_t id, json_t *in,
			      struct dj_error *err);
typedef json_t *(*http_get_fn)(struct db *db, const struct actor *a, int64_t id, struct dj_error *err);
/* POST: create from the body; 201 with the new record. */
int http_create(struct http_ctx *c, http_create_fn create, http_get_fn get);
/* PATCH …/:id: update the record of the path's first id; 200 with it. */
int http_update(struct http_ctx *c, http_update_fn update, http_get_fn get);
#endif
