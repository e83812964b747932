/* stats.c — per-route counters for DANGJIAN_TRACE=cache (stats.h). */
#include "http/stats.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ROUTES 512

struct route_stat {
	const void *route;
	const char *method, *pattern;
	int64_t n, hits, runs, waits, run_us, cpu_us, nstmt, max_us;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct route_stat stats[MAX_ROUTES];
static int nstats;

bool stats_on(void)
{
	static int on = -1;
	if (on < 0) {
		const char *t = getenv("DANGJIAN_TRACE");
		on = t && (strstr(t, "cache") || strcmp(t, "all") == 0);
	}
	return on;
}

void stats_note(const struct stats_req *r)
{
	pthread_mutex_lock(&mu);
	struct route_stat *s = NULL;
	for (int i = 0; i < nstats && !s; i++)
		if (stats[i].route == r->route)
			s = &stats[i];
	if (!s && nstats < MAX_ROUTES) {
		s = &stats[nstats++];
		memset(s, 0, sizeof *s);
		s->route = r->route;
		s->method = r->method;
		s->pattern = r->pattern;
	}
	if (s) {
		s->n++;
		s->hits += r->hit;
		s->waits += r->waited;
		if (r->ran) {
			s->runs++;
			s->run_us += r->run_us;
			s->cpu_us += r->cpu_us;
			s->nstmt += r->nstmt;
			if (r->run_us > s->max_us)
				s->max_us = r->run_us;
		}
	}
	pthread_mutex_unlock(&mu);
}

void stats_dump(FILE *f, const char *label)
{
	pthread_mutex_lock(&mu);
	fprintf(f, "stats %s: route requests hits waits runs | per run: ms cpu_ms statements | max_ms\n", label);
	for (int i = 0; i < nstats; i++) {
		struct route_stat *s = &stats[i];
		if (!s->n)
			continue;
		double r = s->runs ? (double)s->runs : 1;
		fprintf(f, "stats %s %s %lld %lld %lld %lld | %.2f %.2f %.1f | %.1f\n", s->method, s->pattern,
			(long long)s->n, (long long)s->hits, (long long)s->waits, (long long)s->runs, s->run_us / r / 1e3,
			s->cpu_us / r / 1e3, s->nstmt / r, s->max_us / 1e3);
		const void *route = s->route;
		const char *m = s->method, *p = s->pattern;
		memset(s, 0, sizeof *s);
		s->route = route;
		s->method = m;
		s->pattern = p;
	}
	fflush(f);
	pthread_mutex_unlock(&mu);
}
