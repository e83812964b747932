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

/* All routes, for the router and `dangjian routes`. NULL-terminated list of tables. */
extern const struct route *const http_route_tables[];

#endif
