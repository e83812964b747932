/* server.c — libmicrohttpd glue: bodies with limits, the router, sessions
 * and CSRF, the error-to-status map, and the embedded web UI. */
#include "http/server.h"

#include <arpa/inet.h>
#include <malloc.h>
#include <stdatomic.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/collate.h"
#include "core/mem.h"
#include "core/valid.h"
#include "db/db.h"
#include "platform/module.h"
#include "core/date.h"
#include "http/assets.h"
#include "http/cache.h"
#include "http/stats.h"
#include "http/decode.h"
#include "http/idempotency.h"
#include "http/workers.h"
#include "user/user.h"

#define JSON_LIMIT (1u << 20)		/* 1 MiB of JSON is far more than any form */
#define UPLOAD_LIMIT (20u << 20)	/* a 200,000-row roster is about 12 MiB */
#define MAX_PARAMS 4
#define CACHE_BYTES (24u << 20)	/* answers and sessions kept in memory */
/* DESIGN.md, HTTP limits.  A request past the connection's memory (its line
 * and headers must fit in CONN_MEMORY) gets libmicrohttpd's own 414 or 431. */
#define URI_MAX 8192
#define HEADERS_MAX 16384
#define CONN_MEMORY (64u << 10)

struct server {
	struct db_pool *pool;
	struct cache *cache;
	struct workers *workers;
	atomic_int parked;	/* connections suspended */
	atomic_bool stopping;	/* no more suspending: see park() */
	const struct server_opts *o;
};

enum step { STEP_START, STEP_AUTH, STEP_LOOKUP, STEP_RUN, STEP_DONE };

struct http_ctx {
	struct server *srv;
	struct MHD_Connection *conn;
	const char *method, *url;
	const struct route *route;
	int64_t params[MAX_PARAMS];
	struct query query;	/* decoded here: libmicrohttpd is given none */
	bool started;		/* the access handler has been called */
	enum step step;		/* how far the request has gone (steps()) */
	bool parked;		/* suspended (park()) and not back yet */
	char route_name[160];	/* actor.route */
	int refused;		/* 400, 414 or 431: the request is answered at once */
	struct buf body;
	bool too_big;
	struct db *db;
	struct db_versions dv;	/* the data versions this request reads at */
	bool versioned;
	unsigned deps;		/* the scopes the route's answer reads */
	uint64_t version;	/* their version for the actor's scope root (db_pool_version) */
	unsigned commits;	/* the connection's commits before the handler ran */
	char *cache_key;	/* set when the answer may be kept */
	bool cache_lead;	/* others wait for this request's answer */
	bool cache_hit, cache_waited;	/* DANGJIAN_TRACE=cache (stats.h) */
	struct actor actor;
	char token[65];
	json_t *json;
	struct dj_error err;
	/* the reply */
	struct MHD_Response *resp;
	int status;
	char *cookie;
	bool idem;		/* under an Idempotency-Key: keep the answer's text */
	char *idem_body;
	/* DANGJIAN_TRACE: when the request was whole, handed to a worker,
	 * taken by it, its handler started and ended (µs), and its
	 * transactions' times (db.h). */
	int64_t t_ready, t_push, t_work, t_run, t_ran;
	int64_t refresh_us;	/* after a commit: the versions read again (db_pool_refresh) */
	uint64_t seq;		/* PostgreSQL, after a commit: the versions' stamp, sent as dj_seq */
	struct db_timing timing;
	struct rusage ru_run, ru_ran;	/* the handler's thread, before and after */
};

/* DANGJIAN_TRACE=writes (or all): one line per request on stderr saying
 * where its time went — to find what a slow write waits for (bench/mixed). */
static int trace_level(void)
{
	static int level = -1;
	if (level < 0) {
		const char *t = getenv("DANGJIAN_TRACE");
		level = !t ? 0 : strcmp(t, "all") == 0 ? 2 : 1;
	}
	return level;
}

static int http_status(int code)
{
	switch (code) {
	case DJ_EINVAL: return 400;
	case DJ_EAUTH: return 401;
	case DJ_EFORBIDDEN: return 403;
	case DJ_ENOTFOUND: return 404;
	case DJ_ECONFLICT: return 409;
	case DJ_ETOOBIG: return 413;
	case DJ_ELOCKED: return 423;
	case DJ_ELIMIT: return 429;
	case DJ_EUNAVAIL: return 503;
	default: return 500;
	}
}

/* ---- accessors for handlers ------------------------------------------- */

struct db *http_db(struct http_ctx *c) { return c->db; }
const struct actor *http_actor(struct http_ctx *c) { return &c->actor; }
struct dj_error *http_err(struct http_ctx *c) { return &c->err; }
int64_t http_param(struct http_ctx *c, int i) { return i >= 0 && i < MAX_PARAMS ? c->params[i] : 0; }

int http_segment(struct http_ctx *c, int i, char *out, size_t n)
{
	const char *p = c->url;
	for (int k = 0; k <= i; k++) {
		if (*p != '/')
			return -1;
		const char *e = strchr(p + 1, '/');
		size_t len = e ? (size_t)(e - p - 1) : strlen(p + 1);
		if (k == i) {
			if (!len || len >= n)
				return -1;
			memcpy(out, p + 1, len);
			out[len] = 0;
			return 0;
		}
		p += 1 + len;
	}
	return -1;
}
const char *http_session_token(struct http_ctx *c) { return c->token; }

bool http_query_has(struct http_ctx *c, const char *key)
{
	for (size_t i = 0; i < c->query.n; i++)
		if (strcmp(c->query.v[i].key, key) == 0)
			return true;
	return false;
}

const char *http_query(struct http_ctx *c, const char *key)
{
	const char *v = query_get(&c->query, key);
	return v && *v ? v : NULL;
}

const char *http_header(struct http_ctx *c, const char *name)
{
	return MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND, name);
}

int http_query_int(struct http_ctx *c, const char *key, int64_t def, int64_t min, int64_t max, int64_t *out)
{
	const char *v = http_query(c, key);
	if (!v) {
		*out = def;
		return 0;
	}
	char *end;
	long long n = strtoll(v, &end, 10);
	if (*end || end == v || n < min || n > max)
		return dj_fail(&c->err, DJ_EINVAL, key, "参数 %s 应为 %lld 到 %lld 之间的整数", key, (long long)min,
			       (long long)max);
	*out = n;
	return 0;
}

int http_paging(struct http_ctx *c, int *page, int *size)
{
	int64_t p, s;
	int rc;
	if ((rc = http_query_int(c, "page", 1, 1, 1000000, &p)) || (rc = http_query_int(c, "size", 20, 1, 200, &s)))
		return rc;
	*page = (int)p;
	*size = (int)s;
	return 0;
}

json_t *http_body(struct http_ctx *c)
{
	if (!c->json)
		dj_fail(&c->err, DJ_EINVAL, "", "请求体应为 JSON 对象");
	return c->json;
}

const char *http_raw(struct http_ctx *c, size_t *len)
{
	*len = c->body.len;
	return c->body.data ? c->body.data : "";
}

const char *http_client_ip(struct http_ctx *c)
{
	static __thread char ip[64];
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	ip[0] = 0;
	if (ci && ci->client_addr) {
		const struct sockaddr *sa = ci->client_addr;
		if (sa->sa_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, ip, sizeof ip);
		else if (sa->sa_family == AF_INET6)
			inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, ip, sizeof ip);
	}
	return ip;
}

static void common_headers(struct MHD_Response *r)
{
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Referrer-Policy", "same-origin");
}

static void set_reply(struct http_ctx *c, int status, struct MHD_Response *r)
{
	if (c->resp)
		MHD_destroy_response(c->resp);
	c->resp = r;
	c->status = status;
}

int http_reply(struct http_ctx *c, int status, json_t *out)
{
	char *s = json_dumps(out ? out : json_null(), JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(out);
	return http_reply_json(c, status, s, strlen(s));
}

int http_reply_json(struct http_ctx *c, int status, char *s, size_t len)
{
	/* A read that wrote (an exact search is counted) is answered but not
	 * kept: another user must not get it without being counted. */
	bool wrote = c->db && db_commits(c->db) != c->commits;
	if (c->cache_key && status == 200 && !wrote) {
		int64_t now = date_now_unix();
		/* Answers may depend on today's date (China Standard Time): keep them
		 * until midnight at most. */
		int64_t midnight = ((now + 8 * 3600) / 86400 + 1) * 86400 - 8 * 3600;
		cache_put(c->srv->cache, c->cache_key, c->version, now, midnight, s, len);
		c->cache_lead = false;
	} else if (c->cache_lead) {
		cache_abandon(c->srv->cache, c->cache_key, c->version);
		c->cache_lead = false;
	}
	if (c->idem) {
		free(c->idem_body);
		c->idem_body = xstrndup(s, len);
	}
	if (len > (1u << 20))	/* building a big answer took far more heap than it keeps */
		malloc_trim(0);
	struct MHD_Response *r = MHD_create_response_from_buffer(len, s, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(r, "Content-Type", "application/json; charset=utf-8");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	set_reply(c, status, r);
	return 0;
}

int http_reply_bytes(struct http_ctx *c, int status, const char *type, const void *data, size_t len,
		     const char *filename)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	if (filename) {
		/* RFC 6266: an ASCII fallback and the UTF-8 name percent-encoded. */
		struct buf b = {0};
		buf_puts(&b, "attachment; filename=\"download\"; filename*=UTF-8''");
		for (const unsigned char *p = (const unsigned char *)filename; *p; p++) {
			if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
			    *p == '.' || *p == '-' || *p == '_')
				buf_append(&b, p, 1);
			else
				buf_printf(&b, "%%%02X", *p);
		}
		MHD_add_response_header(r, "Content-Disposition", b.data);
		buf_free(&b);
	}
	set_reply(c, status, r);
	return 0;
}

int http_redirect(struct http_ctx *c, int status, const char *location)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(r, "Location", location);
	set_reply(c, status, r);
	return 0;
}

void http_set_session_cookie(struct http_ctx *c, const char *token)
{
	free(c->cookie);
	c->cookie = xasprintf("dj_session=%s; Path=/; HttpOnly; SameSite=Strict%s", token,
			      c->srv->o->secure_cookies ? "; Secure" : "");
}

void http_clear_session_cookie(struct http_ctx *c)
{
	free(c->cookie);
	c->cookie = xstrdup("dj_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
}

static int reply_error(struct http_ctx *c)
{
	int code = c->err.code ? c->err.code : DJ_EIO;
	json_t *o = json_pack("{s:s, s:s, s:s}", "error", c->err.msg[0] ? c->err.msg : "服务器内部错误", "field",
			      c->err.field, "code", dj_code_name(code));
	if (c->err.details)
		json_object_set(o, "details", c->err.details);
	int status = c->refused ? c->refused : http_status(code);
	if (status == 500)
		fprintf(stderr, "dangjian: %s %s: %s\n", c->method, c->url, c->err.msg);
	if (c->db && db_commit_unknown(c->db))
		fprintf(stderr, "dangjian: %s %s: commit outcome unknown (the connection to the database was lost while"
				" committing); answered 503\n", c->method, c->url);
	int rc = http_reply(c, status, o);
	/* The database is away (a restart, a failover): a load balancer or a
	 * client may try again shortly, never reading it as "not there". */
	if (status == 503)
		MHD_add_response_header(c->resp, "Retry-After", "2");
	return rc;
}

/* ---- routing ------------------------------------------------------------ */

/* Match "/api/v1/orgs/:id/move" against a path; fills numeric params. */
static bool match(const char *pattern, const char *path, int64_t params[MAX_PARAMS])
{
	int np = 0;
	const char *p = pattern, *u = path;
	while (*p && *u) {
		if (*p == '~') {	/* a named segment: "/figures/~id" (read with http_segment) */
			while (*p && *p != '/')
				p++;
			const char *e = u;
			while (*e && *e != '/' && (strchr("._-", *e) || (*e >= 'a' && *e <= 'z') || (*e >= '0' && *e <= '9')))
				e++;
			if (e == u || (*e && *e != '/'))
				return false;
			u = e;
			continue;
		}
		if (*p == ':') {
			while (*p && *p != '/')
				p++;
			char *end;
			if (*u < '1' || *u > '9')
				return false;
			long long v = strtoll(u, &end, 10);
			if (end == u || (*end && *end != '/') || v <= 0 || np >= MAX_PARAMS)
				return false;
			params[np++] = v;
			u = end;
			continue;
		}
		if (*p != *u)
			return false;
		p++;
		u++;
	}
	return !*p && !*u;
}

static const struct route *find_route(const char *method, const char *path, int64_t params[MAX_PARAMS],
				      bool *path_exists)
{
	*path_exists = false;
	for (const struct module *const *m = modules; *m; m++)
		for (const struct route *r = (*m)->routes; r && r->method; r++) {
			int64_t tmp[MAX_PARAMS] = {0};
			if (!match(r->pattern, path, tmp))
				continue;
			*path_exists = true;
			if (strcmp(r->method, method) == 0) {
				memcpy(params, tmp, sizeof tmp);
				return r;
			}
		}
	return NULL;
}

static const char *cookie_token(struct MHD_Connection *conn)
{
	const char *t = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, "dj_session");
	return t && strlen(t) == 64 ? t : NULL;
}

static int serve_asset(struct http_ctx *c)
{
	const char *path = strcmp(c->url, "/") == 0 ? "/index.html" : c->url;
	const struct asset *a = asset_find(path);
	bool spa = false;
	if (!a) {	/* client-side routes fall back to the app */
		a = asset_find("/index.html");
		spa = true;
	}
	if (!a)
		return http_reply(c, 404, json_pack("{s:s, s:s}", "error", "页面不存在", "field", ""));
	const char *ae = MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND, "Accept-Encoding");
	bool gz = a->gz && ae && strstr(ae, "gzip");
	struct MHD_Response *r = MHD_create_response_from_buffer(gz ? a->gzlen : a->len,
		(void *)(gz ? a->gz : a->data), MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(r, "Content-Type", a->type);
	if (gz)
		MHD_add_response_header(r, "Content-Encoding", "gzip");
	MHD_add_response_header(r, "Vary", "Accept-Encoding");
	/* Vite fingerprints files under /assets/: cache them for good; never cache the page. */
	MHD_add_response_header(r, "Cache-Control",
				!spa && strncmp(path, "/assets/", 8) == 0 ? "public, max-age=31536000, immutable" : "no-cache");
	if (strstr(a->type, "text/html"))
		MHD_add_response_header(r, "Content-Security-Policy",
					"default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline';"
					" script-src 'self'; frame-ancestors 'none'");
	set_reply(c, 200, r);
	return 0;
}

static int need_db(struct http_ctx *c)
{
	return c->db ? 0 : db_pool_get(c->srv->pool, &c->db, &c->err);
}

/* What is remembered of a session between requests. */
struct session_memo {
	struct actor actor;
	char csrf[65];
};

/* The session behind the cookie: from memory while no data changed since it
 * was read and no touch is due, else from the database — unless `later` is
 * given: then it is set instead, for a thread that may wait to do that. */
static int authenticate(struct http_ctx *c, char csrf[65], bool *later)
{
	const char *tok = cookie_token(c->conn);
	if (!tok)
		return dj_fail(&c->err, DJ_EAUTH, "", "请先登录");
	snprintf(c->token, sizeof c->token, "%s", tok);
	char key[72];
	snprintf(key, sizeof key, "s:%s", tok);
	int64_t now = date_now_unix();
	/* A disabled account, a logout, a changed idle limit: the next request. */
	const unsigned deps = DEP(USER) | DEP(SESSION) | DEP(SETTING);
	uint64_t version = db_versions_sum(&c->dv, deps);
	struct cache_blob *b = c->versioned ? cache_get(c->srv->cache, key, version, now) : NULL;
	struct session_memo m;
	if (b) {
		memcpy(&m, b->data, sizeof m);
		cache_blob_release(b);
		c->actor = m.actor;
		memcpy(csrf, m.csrf, sizeof m.csrf);
		return 0;
	}
	if (later) {
		*later = true;
		return 0;
	}
	int64_t until;
	int rc;
	if ((rc = need_db(c)) || (rc = session_lookup(c->db, tok, &c->actor, csrf, &until, &c->err)))
		return rc;
	if (c->versioned) {
		memset(&m, 0, sizeof m);
		m.actor = c->actor;
		memcpy(m.csrf, csrf, sizeof m.csrf);
		cache_put(c->srv->cache, key, version, now, until, &m, sizeof m);
	}
	return 0;
}

static void release_blob(void *cls)
{
	cache_blob_release(cls);
}

/* Answer from memory if someone in the same place asked the same since
 * the last write the answer could show; otherwise leave the key for
 * http_reply to keep the answer under.
 *
 * The version is that of the actor's scope root: a write moves it only
 * when it lands in that subtree, on its path to the root, or everywhere
 * (db/db.h, db_pool_version).  The key is the role, scope root, member
 * record, day and URL — everything a cached route's answer may depend on
 * (http.h, ROUTE_CACHE) — so the fifty secretaries of one branch share one
 * answer; a route that reads the account itself says ROUTE_PER_USER. */
static void cache_key_make(struct http_ctx *c)
{
	c->deps = ROUTE_DEPS(c->route->flags);
	c->deps = (c->deps ? c->deps : DEP_ALL) | DEP(SETTING);
	if (c->actor.member_id)	/* their own record (org, status) places what they see */
		c->deps |= DEP(MEMBER);
	/* An administrator sees the whole tree whatever their org. */
	int64_t root = c->actor.role == ROLE_ADMIN ? 0 : c->actor.org_id;
	c->version = db_pool_version(c->srv->pool, root, c->deps);
	struct buf k = {0};
	/* The account's role and org are in the key: a changed account (its
	 * session is read again) never meets the answers of its old scope. */
	if (c->route->flags & ROUTE_PER_USER)
		buf_printf(&k, "u%lld:", (long long)c->actor.user_id);
	buf_printf(&k, "b:%d:%lld:%lld:%s:%s?", (int)c->actor.role, (long long)c->actor.org_id,
		   (long long)c->actor.member_id, c->actor.today, c->url);
	/* Arguments as "len:key=len:value;" in arrival order: no two different
	 * queries give the same text. */
	for (size_t i = 0; i < c->query.n; i++) {
		const struct query_arg *a = &c->query.v[i];
		buf_printf(&k, "%zu:%s=%zu:%s;", strlen(a->key), a->key, a->value ? strlen(a->value) : 0,
			   a->value ? a->value : "");
	}
	c->cache_key = k.data;
}

static void reply_blob(struct http_ctx *c, struct cache_blob *b)
{
	struct MHD_Response *r =
		MHD_create_response_from_buffer_with_free_callback_cls(b->len, b->data, release_blob, b);
	MHD_add_response_header(r, "Content-Type", "application/json; charset=utf-8");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "X-Dangjian-Cache", "hit");
	c->cache_hit = true;
	set_reply(c, 200, r);
	free(c->cache_key);
	c->cache_key = NULL;
}

enum look { LOOK_HIT, LOOK_RUN, LOOK_BUSY };

/* Answer from memory if someone in the same place asked the same since
 * the last write the answer could show (LOOK_HIT); else this request
 * computes it (LOOK_RUN: http_reply keeps it for the others), or another
 * request is computing it (LOOK_BUSY; only when `block` is false — with
 * it, this thread waits for that answer).
 *
 * The version is that of the actor's scope root: a write moves it only
 * when it lands in that subtree, on its path to the root, or everywhere
 * (db/db.h, db_pool_version).  The key is the role, scope root, member
 * record, day and URL — everything a cached route's answer may depend on
 * (http.h, ROUTE_CACHE) — so the fifty secretaries of one branch share one
 * answer; a route that reads the account itself says ROUTE_PER_USER. */
static enum look look_cached(struct http_ctx *c, bool block)
{
	if (!c->cache_key)
		cache_key_make(c);
	/* A client asking for a fresh answer (Cache-Control: no-cache) gets one,
	 * which is then kept for the others. */
	const char *cc = http_header(c, "Cache-Control");
	if (cc && strstr(cc, "no-cache"))
		return LOOK_RUN;
	struct cache_blob *b;
	bool busy = false;
	if (block)
		b = cache_get_or_lead(c->srv->cache, c->cache_key, c->version, date_now_unix(), &c->cache_lead);
	else
		b = cache_try_lead(c->srv->cache, c->cache_key, c->version, date_now_unix(), &c->cache_lead, &busy);
	if (b) {
		reply_blob(c, b);
		return LOOK_HIT;
	}
	return busy ? LOOK_BUSY : LOOK_RUN;
}

/* The stored first answer again, marked as such. */
static int idem_replay(struct http_ctx *c, int status, char *body)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(r, "Content-Type", "application/json; charset=utf-8");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "Idempotent-Replayed", "true");
	set_reply(c, status, r);
	return 0;
}

/* A POST with an Idempotency-Key (idempotency.h): the handler runs inside
 * one transaction that also stores its answer, so the record and the
 * answer are kept together or not at all. */
static int idem_run(struct http_ctx *c, const char *key)
{
	if (!idem_key_valid(key))
		return dj_fail(&c->err, DJ_EINVAL, "Idempotency-Key", "Idempotency-Key 应为 1 到 255 个可见 ASCII 字符");
	char hash[65];
	idem_hash(c->method, c->url, &c->query, c->body.data, c->body.len, hash);
	int64_t user = c->actor.user_id, now = date_now_unix();
	int status = 0;
	char *body = NULL;
	bool found, same;
	int rc = idem_lookup(c->db, user, key, hash, now, &found, &same, &status, &body, &c->err);
	if (!rc && !found) {
		if ((rc = db_begin(c->db, &c->err)))
			return rc;
		c->idem = true;
		rc = c->route->fn(c);
		c->idem = false;
		if (!rc && c->resp && c->status >= 200 && c->status < 300 && c->idem_body)
			rc = idem_store(c->db, user, key, hash, c->status, c->idem_body, now, &c->err);
		if (rc == DJ_ECONFLICT && c->resp) {
			/* A twin with this key was stored first: its answer stands, not this one. */
			db_rollback(c->db);
			dj_error_clear(&c->err);
			rc = idem_lookup(c->db, user, key, hash, now, &found, &same, &status, &body, &c->err);
		} else if ((rc = db_end(c->db, rc, &c->err)) == 0) {
#ifdef DJ_TEST_HOOKS
			/* tests/pg: the server dies between the commit and the answer. */
			if (getenv("DJ_TEST_DIE_AFTER_COMMIT"))
				raise(SIGKILL);
#endif
			return 0;
		}
	}
	if (rc || !found) {
		free(body);
		return rc ? rc : dj_fail(&c->err, DJ_EDB, "", "Idempotency-Key 的答复未能保存");
	}
	if (!same) {
		free(body);
		return http_reply(c, 422, json_pack("{s:s, s:s, s:s}", "error",
						    "该 Idempotency-Key 已用于另一个请求，请为新的请求使用新的 Key",
						    "field", "Idempotency-Key", "code", "idempotency_mismatch"));
	}
	return idem_replay(c, status, body);
}

/* ---- the steps of a request ---------------------------------------------
 *
 * The MHD thread takes a request as far as it can without waiting: routing,
 * the session kept in memory, the answer kept in memory.  The rest — a
 * session read from the database, a handler — runs on a worker (workers.h)
 * while the connection is suspended, so the MHD thread goes on serving its
 * other connections.  A request whose answer another request is computing
 * is suspended until that one lands it (cache_wait), holding no thread.
 * Once the server is stopping, every step runs where it is. */

enum go {	/* apart from the error codes (core/err.h) steps_run also returns */
	GO_DONE = 0,	/* answered (c->resp) */
	GO_WORK = 1001,	/* to be continued on a worker */
	GO_WAIT,	/* suspended until the answer it waits for lands */
	GO_BACK,	/* (on a worker) back to the MHD thread, to wait there */
};

static bool is_write(const struct http_ctx *c)
{
	return strcmp(c->method, "GET") != 0 && strcmp(c->method, "HEAD") != 0;
}

/* Take the connection off its MHD thread until MHD_resume_connection.
 * False once the server is stopping: then the caller goes on where it is
 * (the stop waits for every suspended connection to come back first). */
static bool park(struct http_ctx *c)
{
	atomic_fetch_add(&c->srv->parked, 1);
	if (atomic_load(&c->srv->stopping)) {
		atomic_fetch_sub(&c->srv->parked, 1);
		return false;
	}
	c->parked = true;
	MHD_suspend_connection(c->conn);
	return true;
}

static void unpark(void *arg)
{
	struct http_ctx *c = arg;
	MHD_resume_connection(c->conn);
}

static int steps_run(struct http_ctx *c, bool worker)
{
	int rc;
	bool here = worker || atomic_load(&c->srv->stopping);	/* may this thread wait? */
	switch (c->step) {
	case STEP_START:
		if (c->too_big)
			return dj_fail(&c->err, DJ_ETOOBIG, "", "请求体超过上限（JSON 1 MiB，上传文件 20 MiB）");
		if (!c->route) {
			bool exists;
			find_route(c->method, c->url, c->params, &exists);
			if (exists)
				return http_reply(c, 405, json_pack("{s:s, s:s}", "error", "该地址不支持此请求方法", "field", ""));
			if (strncmp(c->url, "/api/", 5) == 0)
				return dj_fail(&c->err, DJ_ENOTFOUND, "", "接口不存在：%s %s", c->method, c->url);
			if (is_write(c))
				return http_reply(c, 405, json_pack("{s:s, s:s}", "error", "不支持的方法", "field", ""));
			return serve_asset(c);
		}
		/* Read before any data: whatever this request sees is at least this new. */
		{	/* a failed read leaves this request uncached: say so in the log */
			struct dj_error verr = {0};
			/* (the database being away is logged once, by the pool) */
			const char *seq = MHD_lookup_connection_value(c->conn, MHD_COOKIE_KIND, "dj_seq");
			uint64_t after = seq ? strtoull(seq, NULL, 10) : 0;
			if (!(c->versioned = db_pool_versions_after(c->srv->pool, after, &c->dv, &verr) == 0) &&
			    verr.code != DJ_EUNAVAIL)
				fprintf(stderr, "dangjian: %s %s: versions not read, answered uncached: %s\n", c->method,
					c->url, verr.msg);
			dj_error_clear(&verr);
		}
		c->step = STEP_AUTH;
		/* fall through */
	case STEP_AUTH:
		if (c->route->flags & ROUTE_PUBLIC) {
			const char *tok = cookie_token(c->conn);	/* for a public route that says more to a session */
			if (tok)
				snprintf(c->token, sizeof c->token, "%s", tok);
		} else {
			char csrf[65];
			bool later = false;
			if ((rc = authenticate(c, csrf, here ? NULL : &later)))
				return rc;
			if (later)
				return GO_WORK;
			if (is_write(c)) {
				const char *h = MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND, "X-CSRF-Token");
				if (!h || strcmp(h, csrf) != 0)
					return dj_fail(&c->err, DJ_EFORBIDDEN, "csrf", "CSRF 校验失败，请刷新页面后重试");
			}
			if ((c->route->flags & ROUTE_ADMIN) && c->actor.role != ROLE_ADMIN)
				return dj_fail(&c->err, DJ_EFORBIDDEN, "", "只有系统管理员可以进行此操作");
			if ((c->route->flags & ROUTE_MANAGE) && c->actor.role == ROLE_MEMBER)
				return dj_fail(&c->err, DJ_EFORBIDDEN, "", "党员账号无权进行此操作");
		}
		snprintf(c->route_name, sizeof c->route_name, "%s %s", c->route->method, c->route->pattern);
		c->actor.route = c->route_name;
		date_today(c->actor.today);	/* once per request, after a session kept from another day */
		if (!(c->route->flags & ROUTE_UPLOAD) && c->body.len &&
		    !(c->json = body_decode_json(c->body.data, c->body.len, &c->err)))
			return c->err.code;
		c->step = STEP_LOOKUP;
		/* fall through */
	case STEP_LOOKUP:
		if ((c->route->flags & ROUTE_CACHE) && c->versioned && strcmp(c->method, "GET") == 0) {
			/* A worker never sleeps on another's answer: that one may be
			 * queued behind it.  It hands the request back instead. */
			switch (look_cached(c, here && !worker)) {
			case LOOK_HIT:
				return 0;
			case LOOK_BUSY:
				c->cache_waited = true;
				if (worker)
					return GO_BACK;
				if (!park(c))
					return GO_BACK;	/* stopping: look again, waiting here */
				if (!cache_wait(c->srv->cache, c->cache_key, c->version, unpark, c))
					unpark(c);	/* landed meanwhile: look again at once */
				return GO_WAIT;
			case LOOK_RUN:
				break;
			}
		}
		c->step = STEP_RUN;
		/* fall through */
	case STEP_RUN:
		if (!here)
			return GO_WORK;
		c->step = STEP_DONE;
#ifdef DJ_TEST_HOOKS
		/* tests/api/cache_wait: a read that takes this long to compute. */
		if (getenv("DJ_TEST_SLOW_READ_MS") && !is_write(c))
			usleep((useconds_t)atoi(getenv("DJ_TEST_SLOW_READ_MS")) * 1000);
#endif
		if ((rc = need_db(c)))
			return rc;
		c->commits = db_commits(c->db);
		c->t_run = db_now_us();
		if (trace_level() || stats_on())
			getrusage(RUSAGE_THREAD, &c->ru_run);
		db_timing_reset(c->db);
		const char *key = http_header(c, "Idempotency-Key");
		if (key && strcmp(c->method, "POST") == 0 && !(c->route->flags & (ROUTE_PUBLIC | ROUTE_SECRET)))
			rc = idem_run(c, key);
		else
			rc = c->route->fn(c);
		if (db_commits(c->db) != c->commits) {
			/* Its answer goes out after the versions of this server show the
			 * write: whoever sees the answer sees the write (db_pool_versions). */
			struct dj_error verr = {0};
			int64_t t0 = db_now_us();
			/* A signed-in user's write (not a login: a refused one must
			 * answer as any other, cookie and all) tells its stamp. */
			if (!db_pool_refresh(c->srv->pool, &verr) && !(c->route->flags & ROUTE_PUBLIC))
				c->seq = db_pool_stamp(c->srv->pool);
			c->refresh_us = db_now_us() - t0;
			dj_error_clear(&verr);
		}
		c->t_ran = db_now_us();
		if (trace_level() || stats_on())
			getrusage(RUSAGE_THREAD, &c->ru_ran);
		c->timing = *db_timing(c->db);
		return rc;
	default:
		return 0;
	}
}

/* The steps from where the request stands; an error becomes its answer. */
static enum go steps(struct http_ctx *c, bool worker)
{
	int rc = steps_run(c, worker);
	if (rc == GO_WORK || rc == GO_WAIT || rc == GO_BACK)
		return (enum go)rc;
	c->step = STEP_DONE;
	if (rc != 0 || !c->resp)
		reply_error(c);
	if (c->db) {
		db_pool_put(c->srv->pool, c->db);
		c->db = NULL;
	}
	return GO_DONE;
}

static void work(void *arg)
{
	struct http_ctx *c = arg;
	c->t_work = db_now_us();
	steps(c, true);	/* answered, or back to wait on the MHD thread */
	if (c->db) {
		db_pool_put(c->srv->pool, c->db);
		c->db = NULL;
	}
	MHD_resume_connection(c->conn);	/* c is the MHD thread's again */
}

static int64_t thread_cpu_us(const struct http_ctx *c)
{
	return (c->ru_ran.ru_utime.tv_sec - c->ru_run.ru_utime.tv_sec + c->ru_ran.ru_stime.tv_sec -
		c->ru_run.ru_stime.tv_sec) * 1000000 + (c->ru_ran.ru_utime.tv_usec - c->ru_run.ru_utime.tv_usec +
		c->ru_ran.ru_stime.tv_usec - c->ru_run.ru_stime.tv_usec);
}

static void trace(const struct http_ctx *c)
{
	if (stats_on() && c->route)
		stats_note(&(struct stats_req){c->route, c->route->method, c->route->pattern, c->cache_hit,
					       c->t_run != 0, c->cache_waited, c->t_run ? c->t_ran - c->t_run : 0,
					       c->t_run ? thread_cpu_us(c) : 0, c->timing.nstmt});
	bool w = strcmp(c->method, "GET") != 0 && strcmp(c->method, "HEAD") != 0;
	if (trace_level() < (w ? 1 : 2) || !c->t_ready)
		return;
	int64_t end = db_now_us();
	const struct db_timing *t = &c->timing;
	/* ms: total; before the worker; queued; on the worker before the handler
	 * (session, cache); the handler: BEGIN, statements, bump, COMMIT, and
	 * its work outside transactions; after it. */
	fprintf(stderr, "trace %s %s %d total %.1f mhd %.1f queue %.1f pre %.1f run %.1f begin %.1f body %.1f"
			" bump %.1f commit %.1f ntx %d refresh %.1f stmts %d post %.1f cpu %.1f vcsw %ld ivcsw %ld inblk %ld\n",
		c->method, c->url, c->status, (end - c->t_ready) / 1e3,
		((c->t_push ? c->t_push : end) - c->t_ready) / 1e3,
		c->t_push && c->t_work ? (c->t_work - c->t_push) / 1e3 : 0.0,
		c->t_work && c->t_run ? (c->t_run - c->t_work) / 1e3 : 0.0,
		c->t_run ? (c->t_ran - c->t_run) / 1e3 : 0.0, t->begin_us / 1e3, t->body_us / 1e3, t->bump_us / 1e3,
		t->commit_us / 1e3, t->ntx, c->refresh_us / 1e3, t->nstmt, c->t_ran ? (end - c->t_ran) / 1e3 : 0.0,
		thread_cpu_us(c) / 1e3,
		c->ru_ran.ru_nvcsw - c->ru_run.ru_nvcsw, c->ru_ran.ru_nivcsw - c->ru_run.ru_nivcsw,
		c->ru_ran.ru_inblock - c->ru_run.ru_inblock);
}

static enum MHD_Result queue(struct http_ctx *c)
{
	trace(c);
	if (c->cookie)
		MHD_add_response_header(c->resp, "Set-Cookie", c->cookie);
	if (c->seq) {
		/* Read your own write on any server (db_pool_versions_after). */
		char seq[96];
		snprintf(seq, sizeof seq, "dj_seq=%llu; Path=/; HttpOnly; SameSite=Strict%s", (unsigned long long)c->seq,
			 c->srv->o->secure_cookies ? "; Secure" : "");
		MHD_add_response_header(c->resp, "Set-Cookie", seq);
	}
	common_headers(c->resp);
	enum MHD_Result r = MHD_queue_response(c->conn, (unsigned)c->status, c->resp);
	MHD_destroy_response(c->resp);
	c->resp = NULL;
	return r;
}

static enum MHD_Result add_size(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	*(size_t *)cls += strlen(key) + (value ? strlen(value) : 0) + 4;	/* "k: v\r\n" */
	return MHD_YES;
}

static size_t headers_size(struct MHD_Connection *conn)
{
	size_t n = 0;
	MHD_get_connection_values(conn, MHD_HEADER_KIND, add_size, &n);
	return n;
}

/* Called with the whole request target before libmicrohttpd splits the
 * query: a request's context starts here.  The query is decoded and checked
 * here, then cut from MHD's copy, which it would otherwise parse into its
 * connection memory, where 3,000 arguments left a connection hanging until
 * the timeout (MHD 0.9.75 ignores that failure).  A refused request keeps its
 * error for the first access-handler call. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct http_ctx *c = xcalloc(1, sizeof *c);
	c->srv = cls;
	c->conn = conn;
	if (!uri)
		return c;
	size_t len = strlen(uri);
	char *q = memchr(uri, '?', len);
	if (len > URI_MAX)
		c->refused = dj_fail(&c->err, DJ_EINVAL, "url", "请求地址过长（超过 8 KiB）") ? 414 : 0;
	else if (q && query_parse(q + 1, len - (size_t)(q + 1 - uri), &c->query, &c->err))
		c->refused = 400;
	if (q)
		q[1] = 0;	/* MHD's buffer, writable; it has found the '?' already */
	return c;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				  const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	(void)version;
	struct http_ctx *c = *con_cls;
	if (!c)		/* no request target: on_uri saw none */
		c = *con_cls = on_uri(cls, "", conn);
	if (!c->started) {
		/* Answering in the first call makes MHD 0.9.75 close the connection
		 * after the reply (DESIGN.md, known traps): only set up here, but
		 * for a request refused whole, which should be closed at once. */
		c->started = true;
		c->method = method;
		c->url = url;
		if (!c->refused && headers_size(conn) > HEADERS_MAX)
			c->refused = dj_fail(&c->err, DJ_EINVAL, "headers", "请求头过大（超过 16 KiB）") ? 431 : 0;
		if (c->refused) {
			reply_error(c);
			return queue(c);
		}
		bool exists;
		c->route = find_route(method, url, c->params, &exists);
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
		size_t limit = c->route && (c->route->flags & ROUTE_UPLOAD) ? UPLOAD_LIMIT : JSON_LIMIT;
		if (cl && strtoull(cl, NULL, 10) > limit)
			c->too_big = true;
		return MHD_YES;
	}
	if (*upload_size) {
		size_t limit = c->route && (c->route->flags & ROUTE_UPLOAD) ? UPLOAD_LIMIT : JSON_LIMIT;
		if (!c->too_big && c->body.len + *upload_size <= limit)
			buf_append(&c->body, upload, *upload_size);
		else
			c->too_big = true;
		*upload_size = 0;
		/* An oversized body is read and dropped, then answered with 413:
		 * replying mid-upload makes clients report a broken connection
		 * instead of the error.  The connection timeout bounds slow senders. */
		return MHD_YES;
	}
	if (c->parked) {	/* resumed */
		c->parked = false;
		atomic_fetch_sub(&c->srv->parked, 1);
	}
	if (!c->t_ready)
		c->t_ready = db_now_us();
	bool here = false;
	for (;;) {
		switch (steps(c, here)) {
		case GO_DONE:
			return queue(c);
		case GO_WAIT:
			return MHD_YES;
		case GO_WORK:
			if (park(c)) {
				c->t_push = db_now_us();
				workers_push(c->srv->workers, is_write(c), work, c);
				return MHD_YES;
			}
			here = true;	/* stopping: the work is done here, then */
			break;
		case GO_BACK:
			here = false;	/* stopping: wait here */
			break;
		}
	}
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)conn;
	(void)toe;
	struct http_ctx *c = *con_cls;
	if (!c)
		return;
	if (c->resp)
		MHD_destroy_response(c->resp);
	if (c->db)
		db_pool_put(c->srv->pool, c->db);
	json_decref(c->json);
	json_decref(c->err.details);
	query_free(&c->query);
	buf_free(&c->body);
	free(c->cookie);
	free(c->idem_body);
	if (c->cache_lead)
		cache_abandon(c->srv->cache, c->cache_key, c->version);
	if (c->parked)	/* resumed, and closed before its answer */
		atomic_fetch_sub(&c->srv->parked, 1);
	free(c->cache_key);
	free(c);
	*con_cls = NULL;
}

static int parse_listen(const char *listen, struct sockaddr_in *sa)
{
	char host[64];
	const char *colon = strrchr(listen, ':');
	if (!colon || (size_t)(colon - listen) >= sizeof host)
		return -1;
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = 0;
	char *end;
	long port = strtol(colon + 1, &end, 10);
	if (*end || port <= 0 || port > 65535)
		return -1;
	memset(sa, 0, sizeof *sa);
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host[0] ? host : "0.0.0.0", &sa->sin_addr) != 1)
		return -1;
	return 0;
}

/* libmicrohttpd's messages, less the ones about clients that hung up
 * before their answer was sent (a browser leaving a page, a benchmark ending). */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	char msg[512];
	vsnprintf(msg, sizeof msg, fmt, ap);
	if (strstr(msg, "socket is no longer available") || strstr(msg, "Connection reset"))
		return;
	fprintf(stderr, "dangjian: %s", msg);
}

/* SQLite: checkpoint the WAL from a thread of its own, often enough that it
 * never reaches the size (1,000 pages) at which a writer's COMMIT does it —
 * copying 4 MB into the database and syncing it inside a request put 100-200
 * ms on one write in forty under read load (bench/mixed).  PASSIVE: it never
 * waits for a reader or a writer. */
struct checkpointer {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t stop_cv;
	bool stop;
	struct db *db;
};

static void *checkpoint_loop(void *arg)
{
	struct checkpointer *k = arg;
	pthread_mutex_lock(&k->mu);
	while (!k->stop) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 250 * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&k->stop_cv, &k->mu, &until);
		if (k->stop)
			break;
		pthread_mutex_unlock(&k->mu);
		struct dj_error err = {0};
		if (db_exec(k->db, "PRAGMA wal_checkpoint(PASSIVE)", &err))
			json_decref(err.details);	/* busy or gone: the next turn, or the writers' own */
		pthread_mutex_lock(&k->mu);
	}
	pthread_mutex_unlock(&k->mu);
	return NULL;
}

static struct checkpointer *checkpointer_start(const char *url)
{
	if (db_is_pg_url(url))
		return NULL;
	struct checkpointer *k = xcalloc(1, sizeof *k);
	struct dj_error err = {0};
	if (db_open(url, &k->db, &err)) {
		json_decref(err.details);
		free(k);
		return NULL;
	}
	pthread_mutex_init(&k->mu, NULL);
	pthread_cond_init(&k->stop_cv, NULL);
	if (pthread_create(&k->thread, NULL, checkpoint_loop, k)) {
		db_close(k->db);
		free(k);
		return NULL;
	}
	return k;
}

static void checkpointer_stop(struct checkpointer *k)
{
	if (!k)
		return;
	pthread_mutex_lock(&k->mu);
	k->stop = true;
	pthread_cond_signal(&k->stop_cv);
	pthread_mutex_unlock(&k->mu);
	pthread_join(k->thread, NULL);
	db_close(k->db);
	pthread_mutex_destroy(&k->mu);
	pthread_cond_destroy(&k->stop_cv);
	free(k);
}

int server_run(const struct server_opts *o)
{
	struct sockaddr_in sa;
	if (parse_listen(o->listen, &sa)) {
		fprintf(stderr, "dangjian serve: --listen must be HOST:PORT (IPv4), got \"%s\"\n", o->listen);
		return 2;
	}
	struct server srv = {.o = o};
	/* Connections for the MHD threads (sessions), the workers, the spare.
	 * The write lane as wide as the read lane: on PostgreSQL writes run side
	 * by side, and two threads capped a loaded server below 20 writes/s. */
	int nread = o->threads, nwrite = o->threads;
	/* PostgreSQL: a write spends most of its time waiting for its round
	 * trips (bench/mixed: ~16 statements, 60-100 ms under load, 1-2 ms of
	 * CPU), so writes queued behind a few slow ones (p99 of the queue 550 ms
	 * with 4) get workers of their own; SQLite's writers queue on one lock. */
	if (db_is_pg_url(o->db_url))
		nwrite *= 2;
	srv.pool = db_pool_new(o->db_url, o->threads + nread + nwrite + 2);
	struct db *probe;
	struct dj_error err = {0};
	if (db_pool_get(srv.pool, &probe, &err)) {
		fprintf(stderr, "dangjian serve: %s\n", err.msg);
		db_pool_free(srv.pool);
		return 1;
	}
	int ver = db_schema_version(probe);
	db_pool_put(srv.pool, probe);
	if (ver != db_latest_version()) {
		fprintf(stderr, "dangjian serve: the database schema is at version %d, this program needs %d"
				" (run `dangjian init --db DB --migrate`)\n", ver, db_latest_version());
		db_pool_free(srv.pool);
		return 1;
	}
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR1);	/* DANGJIAN_TRACE=cache: print the figures so far */
	pthread_sigmask(SIG_BLOCK, &set, NULL);	/* the pool threads inherit the mask */
	signal(SIGPIPE, SIG_IGN);
	srv.cache = cache_new(CACHE_BYTES);
	srv.workers = workers_new(nread, nwrite);
	struct MHD_Daemon *d = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME, 0, NULL,
		NULL, on_request, &srv,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,	/* first, or MHD logs some messages itself */
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)o->threads,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, &srv, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
		MHD_OPTION_URI_LOG_CALLBACK, on_uri, &srv, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)1000, MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1,
		MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "dangjian serve: cannot listen on %s\n", o->listen);
		workers_free(srv.workers);
		db_pool_free(srv.pool);
		cache_free(srv.cache);
		return 1;
	}
	struct checkpointer *ckpt = checkpointer_start(o->db_url);
	if (!o->quiet)
		printf("dangjian: serving http://%s/ (%d threads)\n", o->listen, o->threads);
	fflush(stdout);
	int sig;
	while (!sigwait(&set, &sig) && sig == SIGUSR1)
		if (stats_on()) {
			stats_dump(stderr, "usr1");
			db_pool_print_stats(srv.pool, stderr, "usr1");
		}
	if (stats_on())
		stats_dump(stderr, "stop");
	/* MHD must not stop with a connection suspended: from here on none is,
	 * and those that are come back as their work ends (as MHD itself waits
	 * for a handler that is running). */
	atomic_store(&srv.stopping, true);
	while (atomic_load(&srv.parked) > 0)
		usleep(10000);
	MHD_stop_daemon(d);
	workers_free(srv.workers);
	checkpointer_stop(ckpt);
	db_pool_free(srv.pool);
	cache_free(srv.cache);
	collate_shutdown();
	if (!o->quiet)
		printf("dangjian: stopped\n");
	return 0;
}

int http_ok(struct http_ctx *c, json_t *out)
{
	if (!out)
		return c->err.code ? c->err.code : DJ_EIO;
	return http_reply(c, 200, out);
}

int http_create(struct http_ctx *c, http_create_fn create, http_get_fn get)
{
	json_t *in = http_body(c);
	int64_t id;
	int rc;
	if (!in)
		return c->err.code;
	if ((rc = create(c->db, &c->actor, in, &id, &c->err)))
		return rc;
	json_t *out = get(c->db, &c->actor, id, &c->err);
	return out ? http_reply(c, 201, out) : http_ok(c, NULL);	/* NULL: the getter's error */
}

int http_update(struct http_ctx *c, http_update_fn update, http_get_fn get)
{
	json_t *in = http_body(c);
	int rc;
	if (!in)
		return c->err.code;
	if ((rc = update(c->db, &c->actor, http_param(c, 0), in, &c->err)))
		return rc;
	return http_ok(c, get(c->db, &c->actor, http_param(c, 0), &c->err));
}
