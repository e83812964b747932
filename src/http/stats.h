/* stats.h — DANGJIAN_TRACE=cache (or all): per route, how its requests were
 * answered — from a kept answer, computed, or after waiting for another
 * request computing it — and what the computed ones cost (handler time,
 * the thread's CPU, statements sent).  Printed to stderr on SIGUSR1 (then
 * reset) and when the server stops: bench/mixed reads them per phase. */
#ifndef DJ_HTTP_STATS_H
#define DJ_HTTP_STATS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

bool stats_on(void);

struct stats_req {
	const void *route;	/* the key: one entry per route */
	const char *method, *pattern;
	bool hit;		/* answered from a kept answer */
	bool ran;		/* its handler ran */
	bool waited;		/* it waited for another request's answer */
	int64_t run_us, cpu_us;	/* the handler: wall time, the thread's CPU */
	int nstmt;		/* statements the handler sent */
};

void stats_note(const struct stats_req *r);
/* Print every route's figures since the last dump (with `label`), then reset. */
void stats_dump(FILE *f, const char *label);

#endif
