/* server.h — the HTTP server (libmicrohttpd, a thread pool). */
#ifndef DJ_SERVER_H
#define DJ_SERVER_H

#include <stdbool.h>

#include "http/http.h"

struct server_opts {
	const char *db_url;
	const char *listen;	/* "127.0.0.1:8080" */
	int threads;
	bool secure_cookies;
	bool quiet;
};

/* Serve until SIGINT or SIGTERM; returns the exit status. */
int server_run(const struct server_opts *o);

/* Which module owns attachments of an entity, and decides who may read or
 * remove them (routes.c). */
struct attach_owner {
	const char *entity;
	int (*scope)(struct db *db, const struct actor *a, const char *entity, int64_t entity_id, bool write,
		     struct dj_error *err);
};
extern const struct attach_owner attach_owners[];

#endif
