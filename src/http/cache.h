/* cache.h — answers kept in memory while the data under them is unchanged.
 *
 * An entry holds bytes under a key, stamped with the version of the data
 * it read (for an answer: db_pool_version of its scope root and the scopes
 * its route reads, db/db.h) and a time after which it no longer holds: the end of the day for answers that depend on today's date, the
 * next touch for a session.  A lookup under another version or past that
 * time misses, so a write by anyone — this server, the command line,
 * another server on the same PostgreSQL — to a scope the answer read is
 * seen by the next request, and a write elsewhere keeps it.  Bounded in
 * bytes; thread-safe. */
#ifndef DJ_HTTP_CACHE_H
#define DJ_HTTP_CACHE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cache;

/* Shared, immutable bytes: a reply being sent keeps its blob alive. */
struct cache_blob {
	atomic_int refs;
	size_t len;
	char data[];
};

struct cache *cache_new(size_t max_bytes);
void cache_free(struct cache *c);
/* A reference to the bytes under `key`, or NULL; release it when done. */
struct cache_blob *cache_get(struct cache *c, const char *key, uint64_t version, int64_t now);
/* The same, but when another request is computing this answer, wait for it;
 * on a miss *lead is set and this request must cache_put or cache_abandon. */
struct cache_blob *cache_get_or_lead(struct cache *c, const char *key, uint64_t version, int64_t now, bool *lead);
/* Never waits: the bytes; or NULL with *lead set (this request computes the
 * answer, then cache_put or cache_abandon); or NULL with *busy set, when
 * another request is computing it (see cache_wait). */
struct cache_blob *cache_try_lead(struct cache *c, const char *key, uint64_t version, int64_t now, bool *lead,
				  bool *busy);
/* Have wake(arg) called once, from the thread that lands the answer being
 * computed under key and version (kept or abandoned).  False when it has
 * landed already: then nothing is called. */
bool cache_wait(struct cache *c, const char *key, uint64_t version, void (*wake)(void *), void *arg);
void cache_abandon(struct cache *c, const char *key, uint64_t version);
/* Keep a copy of `data`, read at `version`, under `key` until `until`
 * (unix seconds).  Dropped if an entry under a newer version is there.
 * When full, the expired go first, then everything. */
void cache_put(struct cache *c, const char *key, uint64_t version, int64_t now, int64_t until, const void *data,
	       size_t len);
void cache_blob_release(struct cache_blob *b);

#endif
