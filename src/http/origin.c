/* origin.c — a request a browser sends from another site carries that site's
 * Origin; refusing it keeps other pages from logging a user in (or writing)
 * behind their back. */
#include "http/origin.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db/db.h"
#include "http/http.h"

/* Is `origin` one of the comma- or space-separated entries of `list`
 * (a trailing slash on an entry is allowed)? */
static bool origin_listed(const char *origin, const char *list)
{
	size_t olen = strlen(origin);
	for (const char *p = list; *p;) {
		p += strspn(p, ", \t");
		size_t n = strcspn(p, ", \t");
		size_t m = n;
		while (m && p[m - 1] == '/')
			m--;
		if (m && m == olen && strncasecmp(p, origin, m) == 0)
			return true;
		p += n;
	}
	return false;
}

int http_origin_check(struct http_ctx *c, struct dj_error *err)
{
	const char *origin = http_header(c, "Origin");
	if (!origin)
		return 0;
	char *pub = NULL;
	struct dj_error e = {0};
	int rc = db_text1(http_db(c), &pub, "SELECT value FROM setting WHERE key = 'http.public_origin'", DB_NOARGS, &e);
	if (rc && rc != DJ_ENOTFOUND) {
		*err = e;
		return rc;
	}
	dj_error_clear(&e);
	bool ok;
	if (pub && *pub) {
		ok = origin_listed(origin, pub);
	} else {
		/* Without a setting the page and the API share one address: the
		 * Origin's host[:port] is the Host the browser sent. */
		const char *host = http_header(c, "Host"), *o = strstr(origin, "://");
		ok = host && o && (strncasecmp(origin, "http://", 7) == 0 || strncasecmp(origin, "https://", 8) == 0) &&
		     strcasecmp(o + 3, host) == 0;
	}
	free(pub);
	return ok ? 0 : dj_fail(err, DJ_EFORBIDDEN, "Origin", "请求来源（Origin）不是本平台的地址");
}
