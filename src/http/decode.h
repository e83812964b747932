/* decode.h — what a request brings, decoded without libmicrohttpd: the query
 * string and a JSON body.  Pure functions, so the fuzzers can reach them. */
#ifndef DJ_DECODE_H
#define DJ_DECODE_H

#include <jansson.h>
#include <stddef.h>

#include "core/err.h"

#define QUERY_MAX_ARGS 64	/* DESIGN.md, HTTP limits */

struct query_arg {
	char *key, *value;	/* value NULL for "?flag" without '=' */
};

struct query {
	struct query_arg *v;
	size_t n;
};

/* Split "a=1&b=%E4%B8%80" (no '?') into decoded UTF-8 arguments, '+' as a
 * space.  Fails with DJ_EINVAL, leaving `q` empty, on more than
 * QUERY_MAX_ARGS arguments or on a key or value that is not UTF-8 text. */
int query_parse(const char *s, size_t len, struct query *q, struct dj_error *err);
/* The first value of `key`, NULL if absent or given without '='. */
const char *query_get(const struct query *q, const char *key);
void query_free(struct query *q);

/* A request body as a JSON object: UTF-8, no duplicate keys.  NULL with
 * DJ_EINVAL in `err` otherwise. */
json_t *body_decode_json(const char *data, size_t len, struct dj_error *err);

#endif
