/* worker.c — the server's sender: a thread with its own connection that,
 * every notify.poll_seconds, enqueues today's messages (a no-op once done:
 * the dedupe keys) and sends the due ones.  Several servers may each run
 * one: the outbox's claim keeps a row to one sender. */
#include "notify/notify.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/date.h"
#include "core/setting.h"
#include "core/mem.h"
#include "db/db.h"

struct notify_worker {
	char *url;
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop;
};

static void *run(void *arg)
{
	struct notify_worker *w = arg;
	struct db *db = NULL;
	pthread_mutex_lock(&w->mu);
	while (!w->stop) {
		pthread_mutex_unlock(&w->mu);
		struct dj_error err = {0};
		int64_t poll = 60;
		if (!db && db_open(w->url, &db, &err))
			db = NULL;
		if (db) {
			char today[11];
			date_today(today);
			int64_t q, sent, failed, now = date_now_unix();
			bool ready = false;
			int rc = setting_get_int(db, "notify.poll_seconds", 60, &poll, &err);
			if (!rc)
				rc = notify_smtp.ready(db, &ready, &err);
			if (!rc && ready)
				rc = notify_enqueue(db, today, now, &q, &err);
			if (!rc)
				rc = notify_send_due(db, &notify_smtp, now, &sent, &failed, &err);
			if (rc) {	/* a lost connection: open a new one next time */
				fprintf(stderr, "dangjian notify: %s\n", err.msg);
				db_close(db);
				db = NULL;
			}
		}
		if (poll < 1)
			poll = 1;
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += (time_t)poll;
		pthread_mutex_lock(&w->mu);
		while (!w->stop && pthread_cond_timedwait(&w->cv, &w->mu, &until) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&w->mu);
	if (db)
		db_close(db);
	return NULL;
}

struct notify_worker *notify_worker_start(const char *db_url)
{
	struct notify_worker *w = xmalloc(sizeof *w);
	memset(w, 0, sizeof *w);
	w->url = xstrdup(db_url);
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	/* SIGINT and SIGTERM stay for the server's sigwait, not this thread. */
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	int rc = pthread_create(&w->th, NULL, run, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		pthread_cond_destroy(&w->cv);
		pthread_mutex_destroy(&w->mu);
		free(w->url);
		free(w);
		return NULL;
	}
	return w;
}

void notify_worker_stop(struct notify_worker *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = true;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->th, NULL);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	free(w->url);
	free(w);
}
