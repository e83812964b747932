/* user.h — accounts, roles and sessions.  Sessions live in the database so
 * any number of stateless servers can share them. */
#ifndef DJ_USER_H
#define DJ_USER_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "user/actor.h"

struct db;

/* {username, display_name, password, role, org_id?, member_id?} */
int user_create(struct db *db, const struct actor *a, json_t *in, int64_t *id, struct dj_error *err);
/* {display_name?, role?, org_id?, member_id?, disabled?} */
int user_update(struct db *db, const struct actor *a, int64_t id, json_t *in, struct dj_error *err);
int user_set_password(struct db *db, const struct actor *a, int64_t id, const char *password, struct dj_error *err);
/* A user changes their own password, proving the old one. */
int user_change_own_password(struct db *db, const struct actor *a, const char *old_pw, const char *new_pw,
			     struct dj_error *err);
/* The id of `username` into *id, 0 when there is none. */
int user_id_by_name(struct db *db, const char *username, int64_t *id, struct dj_error *err);
json_t *user_list(struct db *db, const struct actor *a, const char *q, int page, int size, struct dj_error *err);
/* Length 8–128 with at least two of: letters, digits, other characters. */
int user_check_password(const char *pw, struct dj_error *err);

/* Log in; on success fill token[65] (cookie value) and csrf[65]. */
int session_login(struct db *db, const char *username, const char *password, const char *ip, char token[65],
		  char csrf[65], struct dj_error *err);
/* Resolve a session token into an actor (and its CSRF token).  `fresh_until`
 * (optional) gets the time until which the answer holds if no data changes:
 * the server remembers it that long instead of asking again. */
int session_lookup(struct db *db, const char *token, struct actor *a, char csrf[65], int64_t *fresh_until,
		   struct dj_error *err);
int session_logout(struct db *db, const struct actor *a, const char *token, struct dj_error *err);
/* The current user, with role label and scope org name, for the UI; NULL
 * with DJ_ENOTFOUND or the query's error. */
json_t *user_me_get(struct db *db, const struct actor *a, struct dj_error *err);

#endif
