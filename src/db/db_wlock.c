/* db_wlock.c — one writer at a time per SQLite file, queued in the process.
 *
 * SQLite lets one transaction write at a time; BEGIN IMMEDIATE of a second
 * waits in the busy handler, which sleeps 1, 2, 5 … 100 ms between tries
 * whether or not the lock was freed meanwhile.  Under 20 writes/s and read
 * load, a write that waited behind one slow write slept up to 0.5 s more
 * (bench/mixed, DANGJIAN_TRACE: "begin").  The server's writers queue here
 * instead and go the moment the one before ends; another process (the
 * command line) still meets them in the busy handler. */
#include "db/db_driver.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/mem.h"

struct db_wlock {
	struct db_wlock *next;
	char *path;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool held;
};

static pthread_mutex_t registry_mu = PTHREAD_MUTEX_INITIALIZER;
static struct db_wlock *registry;	/* one per file for the process's life */

struct db_wlock *db_wlock_for(const char *path)
{
	if (!path || !*path || strcmp(path, ":memory:") == 0)
		return NULL;
	char real[PATH_MAX];
	const char *key = realpath(path, real) ? real : path;
	pthread_mutex_lock(&registry_mu);
	struct db_wlock *w = registry;
	while (w && strcmp(w->path, key) != 0)
		w = w->next;
	if (!w) {
		w = xcalloc(1, sizeof *w);
		w->path = xstrdup(key);
		pthread_mutex_init(&w->mu, NULL);
		pthread_condattr_t ca;
		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&w->cv, &ca);
		pthread_condattr_destroy(&ca);
		w->next = registry;
		registry = w;
	}
	pthread_mutex_unlock(&registry_mu);
	return w;
}

bool db_wlock_take(struct db_wlock *w, int timeout_ms)
{
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&w->mu);
	int rc = 0;
	while (w->held && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&w->cv, &w->mu, &until);
	bool got = !w->held;
	if (got)
		w->held = true;
	pthread_mutex_unlock(&w->mu);
	/* Not got: a writer of this process held it that long (a transaction
	 * left open?) — BEGIN then waits in the busy handler and fails as before. */
	return got;
}

void db_wlock_give(struct db_wlock *w)
{
	pthread_mutex_lock(&w->mu);
	w->held = false;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}
