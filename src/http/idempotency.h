/* idempotency.h — retry-safe writes: an Idempotency-Key on a POST.
 *
 * The first answer (status and body) of a key from one user is stored in
 * table idempotency in the same transaction as the record the request made,
 * so it holds across servers and crashes; the same key from the same user
 * within 24 hours gets that answer again instead of a twin record, and the
 * same key with a different request is refused (422). */
#ifndef DJ_IDEMPOTENCY_H
#define DJ_IDEMPOTENCY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct db;
struct query;

#define IDEM_TTL (24 * 3600)	/* seconds a key is remembered */

/* A key as clients send them (a UUID, or up to 255 printable characters). */
bool idem_key_valid(const char *key);
/* The request's fingerprint: method, path, query (an upload's filename is
 * part of the request) and body (hex, 64 characters). */
void idem_hash(const char *method, const char *path, const struct query *q, const void *body, size_t len,
	       char out[65]);
/* The stored answer of (user, key) from the last 24 h: *found, and when
 * found *same (the same fingerprint), *status and *body (caller frees). */
int idem_lookup(struct db *db, int64_t user_id, const char *key, const char *hash, int64_t now, bool *found,
		bool *same, int *status, char **body, struct dj_error *err);
/* Store the answer inside the caller's transaction; DJ_ECONFLICT when a
 * request with the same key was stored first (a concurrent twin). */
int idem_store(struct db *db, int64_t user_id, const char *key, const char *hash, int status, const char *body,
	       int64_t now, struct dj_error *err);

#endif
