/* notify.h — reminders beyond the platform: each user's 待办 delivered by
 * e-mail through an outbox (one row per message, never deleted), sent by
 * an adapter (SMTP through libcurl today; other channels later).
 *
 * A message is enqueued once per (user, 待办 key, day): the outbox's
 * dedupe_key is UNIQUE, so enqueueing again the same day adds nothing.  A
 * sender claims one due row with one UPDATE … RETURNING (FOR UPDATE SKIP
 * LOCKED on PostgreSQL) that moves its next_at ahead by a lease, so N
 * servers never send a row twice; a failed send is retried 1, 5 and 30
 * minutes later, then marked failed — the row stays, with its last error. */
#ifndef DJ_NOTIFY_H
#define DJ_NOTIFY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "user/actor.h"

struct db;

/* A delivery channel.  send: 0 when the message was accepted for delivery;
 * otherwise an error with the reason in err->msg (the row is retried). */
struct notify_adapter {
	const char *name;	/* "email" */
	int (*send)(struct db *db, const char *to, const char *subject, const char *body, struct dj_error *err);
	/* Configured (*ready)?  Rows wait, unclaimed and unspent, until it
	 * is.  A failed query is its error, never "not configured". */
	int (*ready)(struct db *db, bool *ready, struct dj_error *err);
};
extern const struct notify_adapter notify_smtp;	/* settings notify.smtp_url, notify.from */

/* Enqueue today's messages for every opted-in user with an address: a daily
 * digest (digest = daily) or one reminder per 待办 due today or in
 * notify.remind_days days (digest = due).  *queued gets the rows added. */
int notify_enqueue(struct db *db, const char *today, int64_t now, int64_t *queued, struct dj_error *err);
/* Send every row due at `now` through `ad`; counts of sent and failed
 * attempts (a failed attempt may be retried later). */
int notify_send_due(struct db *db, const struct notify_adapter *ad, int64_t now, int64_t *sent, int64_t *failed,
		    struct dj_error *err);

/* The user's own address and choice: {email, email_opt_in, digest}. */
json_t *notify_pref_get(struct db *db, const struct actor *a, struct dj_error *err);
/* {email?: "a@b.cn" | "" (none), email_opt_in?: bool, digest?: daily|due} */
int notify_pref_set(struct db *db, const struct actor *a, json_t *in, struct dj_error *err);
/* The delivery settings {smtp_url, from, poll_seconds} (admin). */
json_t *notify_settings_get(struct db *db, struct dj_error *err);
int notify_settings_set(struct db *db, const struct actor *a, json_t *in, struct dj_error *err);
/* The outbox, newest first: state = queued|sent|failed filters (admin). */
json_t *notify_outbox_list(struct db *db, const char *state, int page, int size, struct dj_error *err);

/* The server's sender: a thread with its own connection that enqueues and
 * sends every notify.poll_seconds. */
struct notify_worker;
struct notify_worker *notify_worker_start(const char *db_url);
void notify_worker_stop(struct notify_worker *w);

#endif
