/* origin.h — does a browser's request come from the platform's own pages? */
#ifndef DJ_HTTP_ORIGIN_H
#define DJ_HTTP_ORIGIN_H

#include "core/err.h"

struct http_ctx;

/* 0 when the request has no Origin header (a command-line client) or its
 * Origin is the platform's: the setting http.public_origin (a comma-separated
 * list, for when a proxy stands in front), or else the request's own Host.
 * Otherwise DJ_EFORBIDDEN naming the field "Origin". */
int http_origin_check(struct http_ctx *c, struct dj_error *err);

#endif
