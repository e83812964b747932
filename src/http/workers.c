/* workers.c — two queues of jobs, each with its own threads (workers.h). */
#include "http/workers.h"

#include <pthread.h>
#include <stdlib.h>

#include "core/mem.h"

struct job {
	struct job *next;
	work_fn fn;
	void *arg;
};

struct lane {
	struct workers *w;
	struct job *head, *tail;
	pthread_cond_t ready;
	pthread_t *threads;
	int n;
};

struct workers {
	pthread_mutex_t mu;
	bool stop;
	struct lane lane[2];	/* reads, writes */
};

static void *loop(void *arg)
{
	struct lane *l = arg;
	struct workers *w = l->w;
	pthread_mutex_lock(&w->mu);
	for (;;) {
		struct job *j = l->head;
		if (!j) {
			if (w->stop)
				break;
			pthread_cond_wait(&l->ready, &w->mu);
			continue;
		}
		l->head = j->next;
		if (!l->head)
			l->tail = NULL;
		pthread_mutex_unlock(&w->mu);
		j->fn(j->arg);
		free(j);
		pthread_mutex_lock(&w->mu);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

struct workers *workers_new(int nread, int nwrite)
{
	struct workers *w = xcalloc(1, sizeof *w);
	pthread_mutex_init(&w->mu, NULL);
	int n[2] = {nread < 1 ? 1 : nread, nwrite < 1 ? 1 : nwrite};
	for (int k = 0; k < 2; k++) {
		struct lane *l = &w->lane[k];
		l->w = w;
		pthread_cond_init(&l->ready, NULL);
		l->threads = xcalloc((size_t)n[k], sizeof *l->threads);
		for (int i = 0; i < n[k]; i++)
			if (pthread_create(&l->threads[i], NULL, loop, l) == 0)
				l->n++;
	}
	return w;
}

void workers_push(struct workers *w, bool write, work_fn fn, void *arg)
{
	struct job *j = xmalloc(sizeof *j);
	j->next = NULL;
	j->fn = fn;
	j->arg = arg;
	struct lane *l = &w->lane[write ? 1 : 0];
	if (!l->n)	/* no thread could be started: run it here */
		l = &w->lane[write ? 0 : 1];
	if (!l->n) {
		fn(arg);
		free(j);
		return;
	}
	pthread_mutex_lock(&w->mu);
	if (l->tail)
		l->tail->next = j;
	else
		l->head = j;
	l->tail = j;
	pthread_cond_signal(&l->ready);
	pthread_mutex_unlock(&w->mu);
}

void workers_free(struct workers *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = true;
	for (int k = 0; k < 2; k++)
		pthread_cond_broadcast(&w->lane[k].ready);
	pthread_mutex_unlock(&w->mu);
	for (int k = 0; k < 2; k++) {
		struct lane *l = &w->lane[k];
		for (int i = 0; i < l->n; i++)
			pthread_join(l->threads[i], NULL);
		free(l->threads);
		pthread_cond_destroy(&l->ready);
	}
	pthread_mutex_destroy(&w->mu);
	free(w);
}
