/* cache.c — a chained hash table of versioned blobs under one mutex.
 *
 * An entry hits only under the very version it was computed at; a lookup
 * or a put under a newer version replaces it, and a full table drops the
 * expired, then everything.  (Versions are per scope root now — a write
 * moves only the answers of its subtree and path — so the table cannot
 * tell from one number which entries a write made stale; the next request
 * for the same key does.) */
#include "http/cache.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/mem.h"

#define NBUCKETS 4096

struct entry {
	struct entry *next;
	uint64_t hash, version;
	int64_t until;
	struct cache_blob *blob;
	char key[];
};

/* An answer being computed: others asking for it wait instead of computing
 * it again (a write moves a scope root's answers at once, and a heavy page
 * asked by many would otherwise be built by every worker thread together).
 * A waiter either sleeps on `landed` (a thread of its own) or is called
 * back (a suspended connection: it holds no thread while it waits). */
struct waiter {
	struct waiter *next;
	void (*wake)(void *);
	void *arg;
};

struct flight {
	struct flight *next;
	uint64_t version;
	struct waiter *waiters;
	char key[];
};

struct cache {
	pthread_mutex_t mu;
	pthread_cond_t landed;
	struct flight *flights;
	struct entry *bucket[NBUCKETS];
	size_t bytes, max_bytes, entries;
};

static size_t entry_cost(const struct entry *e)
{
	return sizeof *e + strlen(e->key) + 1 + sizeof *e->blob + e->blob->len;
}

void cache_blob_release(struct cache_blob *b)
{
	if (b && atomic_fetch_sub(&b->refs, 1) == 1)
		free(b);
}

static void entry_drop(struct cache *c, struct entry **link)
{
	struct entry *e = *link;
	*link = e->next;
	c->bytes -= entry_cost(e);
	c->entries--;
	cache_blob_release(e->blob);
	free(e);
}

/* Drop the expired entries (or all of them). */
static void sweep(struct cache *c, int64_t now, int all)
{
	for (size_t i = 0; i < NBUCKETS && c->entries; i++)
		for (struct entry **l = &c->bucket[i]; *l;) {
			struct entry *e = *l;
			if (all || e->until <= now)
				entry_drop(c, l);
			else
				l = &(*l)->next;
		}
}

struct cache *cache_new(size_t max_bytes)
{
	struct cache *c = xcalloc(1, sizeof *c);
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->landed, NULL);
	c->max_bytes = max_bytes;
	return c;
}

void cache_free(struct cache *c)
{
	if (!c)
		return;
	sweep(c, 0, 1);
	while (c->flights) {
		struct flight *f = c->flights;
		c->flights = f->next;
		while (f->waiters) {
			struct waiter *w = f->waiters;
			f->waiters = w->next;
			free(w);
		}
		free(f);
	}
	pthread_mutex_destroy(&c->mu);
	pthread_cond_destroy(&c->landed);
	free(c);
}

static struct entry **find(struct cache *c, const char *key, uint64_t h)
{
	struct entry **l = &c->bucket[h % NBUCKETS];
	while (*l && ((*l)->hash != h || strcmp((*l)->key, key) != 0))
		l = &(*l)->next;
	return l;
}

static struct cache_blob *lookup(struct cache *c, const char *key, uint64_t h, uint64_t version, int64_t now)
{
	struct entry **l = find(c, key, h);
	if (*l && (*l)->version == version && (*l)->until > now) {
		struct cache_blob *b = (*l)->blob;
		atomic_fetch_add(&b->refs, 1);
		return b;
	}
	/* An older answer, or an expired one; a newer one stays for the
	 * requests that read the newer versions. */
	if (*l && ((*l)->version < version || (*l)->until <= now))
		entry_drop(c, l);
	return NULL;
}

static struct flight **flight_find(struct cache *c, const char *key, uint64_t version)
{
	struct flight **f = &c->flights;
	while (*f && ((*f)->version != version || strcmp((*f)->key, key) != 0))
		f = &(*f)->next;
	return f;
}

struct cache_blob *cache_get(struct cache *c, const char *key, uint64_t version, int64_t now)
{
	pthread_mutex_lock(&c->mu);
	struct cache_blob *b = lookup(c, key, str_hash64(key), version, now);
	pthread_mutex_unlock(&c->mu);
	return b;
}

/* Under the lock: this request computes the answer; others wait for it. */
static void take_off(struct cache *c, const char *key, uint64_t version)
{
	size_t n = strlen(key);
	struct flight *f = xmalloc(sizeof *f + n + 1);
	memcpy(f->key, key, n + 1);
	f->version = version;
	f->waiters = NULL;
	f->next = c->flights;
	c->flights = f;
}

struct cache_blob *cache_try_lead(struct cache *c, const char *key, uint64_t version, int64_t now, bool *lead,
				  bool *busy)
{
	uint64_t h = str_hash64(key);
	*lead = *busy = false;
	pthread_mutex_lock(&c->mu);
	struct cache_blob *b = lookup(c, key, h, version, now);
	if (!b) {
		if (*flight_find(c, key, version))
			*busy = true;
		else {
			take_off(c, key, version);
			*lead = true;
		}
	}
	pthread_mutex_unlock(&c->mu);
	return b;
}

bool cache_wait(struct cache *c, const char *key, uint64_t version, void (*wake)(void *), void *arg)
{
	pthread_mutex_lock(&c->mu);
	struct flight *f = *flight_find(c, key, version);
	if (f) {
		struct waiter *w = xmalloc(sizeof *w);
		w->wake = wake;
		w->arg = arg;
		w->next = f->waiters;
		f->waiters = w;
	}
	pthread_mutex_unlock(&c->mu);
	return f != NULL;
}

struct cache_blob *cache_get_or_lead(struct cache *c, const char *key, uint64_t version, int64_t now, bool *lead)
{
	uint64_t h = str_hash64(key);
	*lead = false;
	pthread_mutex_lock(&c->mu);
	struct cache_blob *b;
	for (int waits = 0;; waits++) {
		if ((b = lookup(c, key, h, version, now)))
			break;
		if (!*flight_find(c, key, version) || waits == 30) {
			/* Nobody is computing it (or it takes too long): this request does. */
			take_off(c, key, version);
			*lead = true;
			break;
		}
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		pthread_cond_timedwait(&c->landed, &c->mu, &until);
	}
	pthread_mutex_unlock(&c->mu);
	return b;
}

/* Under the lock: the flight for key (if any) has landed.  Its callbacks
 * are returned, to be called once the lock is let go (wake_all): a waiter
 * resumed may well ask the cache again at once. */
static struct waiter *land(struct cache *c, const char *key, uint64_t version)
{
	struct flight **f = flight_find(c, key, version);
	struct waiter *w = NULL;
	if (*f) {
		struct flight *x = *f;
		*f = x->next;
		w = x->waiters;
		free(x);
		pthread_cond_broadcast(&c->landed);
	}
	return w;
}

static void wake_all(struct waiter *w)
{
	while (w) {
		struct waiter *next = w->next;
		w->wake(w->arg);
		free(w);
		w = next;
	}
}

void cache_abandon(struct cache *c, const char *key, uint64_t version)
{
	pthread_mutex_lock(&c->mu);
	struct waiter *w = land(c, key, version);
	pthread_mutex_unlock(&c->mu);
	wake_all(w);
}

void cache_put(struct cache *c, const char *key, uint64_t version, int64_t now, int64_t until, const void *data,
	       size_t len)
{
	size_t klen = strlen(key);
	size_t cost = sizeof(struct entry) + klen + 1 + sizeof(struct cache_blob) + len;
	if (cost > c->max_bytes / 4) {	/* one huge answer must not flush all the others */
		cache_abandon(c, key, version);
		return;
	}
	struct entry *e = xmalloc(sizeof *e + klen + 1);
	memcpy(e->key, key, klen + 1);
	e->hash = str_hash64(key);
	e->version = version;
	e->until = until;
	e->blob = xmalloc(sizeof *e->blob + len);
	atomic_init(&e->blob->refs, 1);
	e->blob->len = len;
	memcpy(e->blob->data, data, len);
	pthread_mutex_lock(&c->mu);
	struct waiter *w = land(c, key, version);
	struct entry **l = find(c, key, e->hash);
	if (*l && (*l)->version > version) {
		/* Computed under versions another request has already seen pass:
		 * it could never hit. */
		pthread_mutex_unlock(&c->mu);
		wake_all(w);
		cache_blob_release(e->blob);
		free(e);
		return;
	}
	if (*l)
		entry_drop(c, l);
	if (c->bytes + cost > c->max_bytes)
		sweep(c, now, 0);	/* the expired first */
	if (c->bytes + cost > c->max_bytes)
		sweep(c, now, 1);
	l = &c->bucket[e->hash % NBUCKETS];
	e->next = *l;
	*l = e;
	c->bytes += cost;
	c->entries++;
	pthread_mutex_unlock(&c->mu);
	wake_all(w);
}
