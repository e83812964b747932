/* err.h — errors that carry a code, a readable message and the field at fault. */
#ifndef DJ_ERR_H
#define DJ_ERR_H

#include <jansson.h>

enum dj_code {
	DJ_OK = 0,
	DJ_EINVAL,	/* bad input: 400 */
	DJ_EAUTH,	/* not logged in / bad credentials: 401 */
	DJ_EFORBIDDEN,	/* outside the actor's scope or role: 403 */
	DJ_ENOTFOUND,	/* 404 */
	DJ_ECONFLICT,	/* duplicate, cycle, still in use: 409 */
	DJ_ETOOBIG,	/* body or file over the limit: 413 */
	DJ_ELOCKED,	/* account locked: 423 */
	DJ_EDB,		/* database failure: 500 */
	DJ_EIO,		/* file system or library failure: 500 */
	DJ_ELIMIT,	/* over a per-account rate limit: 429 */
	DJ_EUNAVAIL,	/* the database cannot be reached (restart, failover): 503 */
};

struct dj_error {
	int code;
	char field[64];
	char msg[512];
	json_t *details;	/* optional list of row errors; owned */
};

/* Fill `e` and return `code`, so callers can `return dj_fail(...)`. */
int dj_fail(struct dj_error *e, int code, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void dj_error_clear(struct dj_error *e);
const char *dj_code_name(int code);

#endif
