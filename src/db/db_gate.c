/* db_gate.c — whether a pool's PostgreSQL can be reached.  Once a connect
 * attempt failed (a restart, a failover with no primary yet, a network
 * cut), requests answer 503 at once instead of each holding a worker for
 * the whole connection wait: one probe at a time tries again — a request
 * that comes after the backoff (100 ms doubling to 1 s) — and when it
 * connects, requests flow again.  The backoff's cap bounds how long after
 * the database is back the platform still answers 503.  Connections opened
 * before an outage began are not handed out after it (db_gate_stale): a
 * restart killed them, and a dead socket to a machine that vanished may
 * only time out after seconds. */
#include "db/db_driver.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/mem.h"

#define GATE_DELAY_MIN_MS 100
#define GATE_DELAY_MAX_MS 1000
/* A server starting next to its database waits for it as long as a request
 * once did (DESIGN.md: at most 5 s). */
#define GATE_FIRST_WAIT_MS 5000

struct db_gate {
	pthread_mutex_t mu;
	bool ever;		/* connected once: a server's first open waits */
	bool down;		/* the last connect attempt failed */
	bool probing;		/* a thread is trying one now */
	int64_t retry_ms;	/* while down, no attempt before then */
	int64_t delay_ms;	/* the next backoff */
	int64_t since_ms;	/* when it went down */
	unsigned gen;		/* outages so far: a connection's is when it was opened */
	unsigned refused;	/* requests answered at once since it went down */
};

static int64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

struct db_gate *db_gate_new(void)
{
	struct db_gate *g = xcalloc(1, sizeof *g);
	pthread_mutex_init(&g->mu, NULL);
	g->delay_ms = GATE_DELAY_MIN_MS;
	return g;
}

void db_gate_free(struct db_gate *g)
{
	if (!g)
		return;
	pthread_mutex_destroy(&g->mu);
	free(g);
}

bool db_gate_stale(struct db_gate *g, const struct db *db)
{
	pthread_mutex_lock(&g->mu);
	bool stale = db->gen != g->gen;
	pthread_mutex_unlock(&g->mu);
	return stale;
}

bool db_gate_down(struct db_gate *g)
{
	pthread_mutex_lock(&g->mu);
	bool down = g->down;
	pthread_mutex_unlock(&g->mu);
	return down;
}

int db_gate_open(struct db_gate *g, const char *url, struct db **out, struct dj_error *err)
{
	pthread_mutex_lock(&g->mu);
	int64_t t0 = now_ms();
	if (g->down && (g->probing || t0 < g->retry_ms)) {
		g->refused++;
		pthread_mutex_unlock(&g->mu);
		return dj_fail(err, DJ_EUNAVAIL, "", PG_UNAVAIL_MSG);
	}
	bool probe = g->down, first = !g->ever;
	if (probe)
		g->probing = true;
	pthread_mutex_unlock(&g->mu);

	struct dj_error e = {0};
	int rc = first ? db_pg_open_wait(url, GATE_FIRST_WAIT_MS, out, &e) : db_pg_open(url, out, &e);

	pthread_mutex_lock(&g->mu);
	int64_t t1 = now_ms();
	if (probe)
		g->probing = false;
	if (!rc) {
		if (g->down)
			fprintf(stderr, "dangjian: PostgreSQL reached again after %lld ms (%u requests answered 503 at once"
					" meanwhile)\n", (long long)(t1 - g->since_ms), g->refused);
		g->ever = true;
		g->down = false;
		g->delay_ms = GATE_DELAY_MIN_MS;
		(*out)->gate = g;
		(*out)->gen = g->gen;
	} else if (rc == DJ_EUNAVAIL) {
		if (!g->down) {
			fprintf(stderr, "dangjian: %s; answering 503 until a probe connects\n", e.msg);
			g->down = true;
			g->gen++;
			g->since_ms = t1;
			g->refused = 0;
			g->delay_ms = GATE_DELAY_MIN_MS;
		} else if (probe) {
			g->delay_ms = g->delay_ms * 2 > GATE_DELAY_MAX_MS ? GATE_DELAY_MAX_MS : g->delay_ms * 2;
		}
		g->retry_ms = t1 + g->delay_ms;
	}
	pthread_mutex_unlock(&g->mu);
	if (rc == DJ_EUNAVAIL)
		dj_fail(err, rc, "", PG_UNAVAIL_MSG);
	else if (rc)
		dj_fail(err, rc, e.field, "%s", e.msg);
	json_decref(e.details);
	return rc;
}
