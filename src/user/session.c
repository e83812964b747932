/* session.c — logging in and out; sessions are random tokens whose hash is
 * stored, so a copy of the database opens no session. */
#include "user/user.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/date.h"
#include "core/mem.h"
#include "core/setting.h"
#include "crypto/pii.h"
#include "db/db.h"

/* Verifying against a fixed hash keeps the time of a login that must fail
 * without a look at the password (unknown name, disabled or locked account)
 * the same as for a wrong password. */
static void burn_time(const char *password)
{
	static char dummy[crypto_pwhash_STRBYTES];
	static int ready;
	if (!ready) {
		pw_hash("dummy-password-1", dummy, sizeof dummy);
		ready = 1;
	}
	pw_verify(dummy, password);
}

/* One answer for every refused login — unknown name, wrong password,
 * disabled or locked account — so the answer tells an attacker nothing. */
static int refuse(struct db *db, struct dj_error *err)
{
	int64_t max, minutes;
	int rc;
	if ((rc = setting_get_int(db, "auth.max_failed_logins", 5, &max, err)) ||
	    (rc = setting_get_int(db, "auth.lock_minutes", 15, &minutes, err)))
		return rc;
	return dj_fail(err, DJ_EAUTH, "password", "用户名或密码错误（连续错误%lld次将锁定%lld分钟）", (long long)max,
		       (long long)minutes);
}

/* Take a try before the password is looked at: one statement counts it and,
 * at the limit, sets the lock, so however many guesses arrive at once (on
 * however many servers) at most `max` of them are ever checked per lock
 * window.  A lock that has run out starts a new window.  *tries gets this
 * try's number in the window. */
static int take_try(struct db *db, int64_t id, int64_t now, int64_t *tries, struct dj_error *err)
{
	int64_t max, minutes;
	int rc;
	if ((rc = setting_get_int(db, "auth.max_failed_logins", 5, &max, err)) ||
	    (rc = setting_get_int(db, "auth.lock_minutes", 15, &minutes, err)) || (rc = db_begin(db, err)))
		return rc;
	int64_t until = now + minutes * 60;
#define BASE "(CASE WHEN locked_until > 0 AND locked_until <= ?1 THEN 0 ELSE failed_logins END)"
	rc = db_int1(db, tries,
		     "UPDATE app_user SET failed_logins = " BASE " + 1,"
		     " locked_until = CASE WHEN locked_until > ?1 THEN locked_until"
		     " WHEN " BASE " + 1 >= ?2 THEN ?3 ELSE 0 END WHERE id = ?4 RETURNING failed_logins",
		     DB_ARGS(DB_I(now), DB_I(max), DB_I(until), DB_I(id)), err);
#undef BASE
	rc = db_end(db, rc, err);
	if (!rc && *tries > max)
		*tries = 0;	/* over the limit: not to be checked */
	return rc;
}

int session_login(struct db *db, const char *username, const char *password, const char *ip, char token[65],
		  char csrf[65], struct dj_error *err)
{
	if (!username || !*username)
		return dj_fail(err, DJ_EINVAL, "username", "请输入用户名");
	if (!password || !*password)
		return dj_fail(err, DJ_EINVAL, "password", "请输入密码");
	json_t *u = db_row(db, "SELECT id, pwhash, disabled FROM app_user WHERE username = ?", DB_ARGS(DB_T(username)),
			   err);
	if (!u) {
		if (err->code != DJ_ENOTFOUND)
			return err->code;
		burn_time(password);
		return refuse(db, err);
	}
	int64_t id = json_integer_value(json_object_get(u, "id"));
	bool disabled = json_integer_value(json_object_get(u, "disabled")) != 0;
	char *pwhash = xstrdup(json_string_value(json_object_get(u, "pwhash")));
	json_decref(u);
	int64_t now = date_now_unix(), try_no = 0;
	struct actor who = {.user_id = id, .route = "POST /api/v1/session"};
	snprintf(who.username, sizeof who.username, "%s", username);
	date_today(who.today);
	int rc = take_try(db, id, now, &try_no, err);
	if (rc) {
		free(pwhash);
		return rc;
	}
	/* A disabled or locked account costs the same time as a checked password. */
	bool ok = false;
	const char *reason = disabled ? "disabled" : !try_no ? "locked" : "password";
	if (disabled || !try_no)
		burn_time(password);
	else
		ok = pw_verify(pwhash, password);
	bool rehash = ok && pw_needs_rehash(pwhash);
	free(pwhash);
	if ((rc = db_begin(db, err)))
		return rc;
	if (!ok) {
		json_t *detail = json_pack("{s:s?, s:s, s:I}", "ip", ip, "reason", reason, "try", (json_int_t)try_no);
		rc = audit_write(db, &who, "session.login_failed", "user", id, NULL, detail, err);
		json_decref(detail);
		rc = db_end(db, rc, err);
		return rc ? rc : refuse(db, err);
	}
	json_t *detail = json_pack("{s:s?}", "ip", ip);
	token_random_hex(token, 32);
	token_random_hex(csrf, 32);
	char th[65];
	token_hash(token, th);
	rc = db_run(db, "UPDATE app_user SET failed_logins = 0, locked_until = 0 WHERE id = ?", DB_ARGS(DB_I(id)), err);
	if (!rc && rehash) {
		char hash[crypto_pwhash_STRBYTES];
		if (pw_hash(password, hash, sizeof hash) == 0)
			rc = db_run(db, "UPDATE app_user SET pwhash = ? WHERE id = ?", DB_ARGS(DB_T(hash), DB_I(id)), err);
	}
	/* Sessions idle past the limit can never be used again (session_lookup
	 * refuses them); a closed browser never logs out, so they are swept
	 * here, every user's, rather than kept for good. */
	if (!rc)
		rc = db_run(db, "DELETE FROM session WHERE last_seen < CAST(? AS BIGINT) - 60 * COALESCE((SELECT CAST(value AS BIGINT)"
				" FROM setting WHERE key = 'auth.idle_minutes'), 60)",
			    DB_ARGS(DB_I(now)), err);
	if (!rc)
		rc = db_run(db, "INSERT INTO session(token_hash, user_id, csrf, created_at, last_seen) VALUES (?, ?, ?, ?, ?)",
			    DB_ARGS(DB_T(th), DB_I(id), DB_T(csrf), DB_I(now), DB_I(now)), err);
	if (!rc)
		rc = audit_write(db, &who, "session.login", "user", id, NULL, detail, err);
	json_decref(detail);
	return db_end(db, rc, err);
}

int session_lookup(struct db *db, const char *token, struct actor *a, char csrf[65], int64_t *fresh_until,
		   struct dj_error *err)
{
	if (!token || strlen(token) != 64)
		return dj_fail(err, DJ_EAUTH, "", "请先登录");
	char th[65];
	token_hash(token, th);
	struct db_stmt *st = db_query(db, "SELECT s.user_id, s.csrf, s.last_seen, u.username, u.role, u.org_id,"
					  " u.member_id, u.disabled,"
					  " (SELECT value FROM setting WHERE key = 'auth.idle_minutes')"
					  " FROM session s JOIN app_user u ON u.id = s.user_id"
					  " WHERE s.token_hash = ?", DB_ARGS(DB_T(th)), err);
	if (!st)
		return err->code;
	int rc = db_next(st);
	if (rc <= 0) {
		db_done(st);
		return rc < 0 ? err->code : dj_fail(err, DJ_EAUTH, "", "登录已失效，请重新登录");
	}
	memset(a, 0, sizeof *a);
	a->user_id = db_int(st, 0);
	snprintf(csrf, 65, "%s", db_text(st, 1));
	int64_t last = db_int(st, 2);
	snprintf(a->username, sizeof a->username, "%s", db_text(st, 3));
	a->role = role_parse(db_text(st, 4));
	a->org_id = db_isnull(st, 5) ? 0 : db_int(st, 5);
	a->member_id = db_isnull(st, 6) ? 0 : db_int(st, 6);
	bool disabled = db_int(st, 7) != 0;
	/* The idle timeout rides on the same query: one round trip per request. */
	int64_t idle = (db_isnull(st, 8) ? 60 : strtoll(db_text(st, 8), NULL, 10)) * 60;
	db_done(st);
	if (a->role == ROLE_MEMBER)	/* a member's scope is their own record */
		a->org_id = 0;
	int64_t now = date_now_unix();
	if (disabled || !a->role || now - last > idle) {
		int rc = db_run(db, "DELETE FROM session WHERE token_hash = ?", DB_ARGS(DB_T(th)), err);
		return rc ? rc : dj_fail(err, DJ_EAUTH, "", "登录已超时，请重新登录");
	}
	/* Touch at most once a minute: reads stay reads under load. */
	if (now - last >= 60) {
		int rc = db_run(db, "UPDATE session SET last_seen = ? WHERE token_hash = ?", DB_ARGS(DB_I(now), DB_T(th)),
				err);
		if (rc)
			return rc;
		last = now;
	}
	if (fresh_until)	/* until the next touch is due, or the idle limit if sooner */
		*fresh_until = last + (idle < 60 ? idle : 60);
	return 0;
}

int session_logout(struct db *db, const struct actor *a, const char *token, struct dj_error *err)
{
	char th[65];
	token_hash(token ? token : "", th);
	int rc = db_begin(db, err);
	if (rc)
		return rc;
	rc = db_run(db, "DELETE FROM session WHERE token_hash = ?", DB_ARGS(DB_T(th)), err);
	if (!rc)
		rc = audit_write(db, a, "session.logout", "user", a->user_id, NULL, NULL, err);
	return db_end(db, rc, err);
}

json_t *user_me_get(struct db *db, const struct actor *a, struct dj_error *err)
{
	json_t *u = db_row(db, "SELECT u.id, u.username, u.display_name, u.role, u.org_id, o.name AS org_name,"
			       " u.member_id FROM app_user u LEFT JOIN org o ON o.id = u.org_id WHERE u.id = ?",
			   DB_ARGS(DB_I(a->user_id)), err);
	if (!u)
		return NULL;
	int64_t root = 0;
	int rc = scope_root_of(db, a, &root, err);
	if (rc && rc != DJ_ENOTFOUND) {	/* no org yet: root 0 */
		json_decref(u);
		return NULL;
	}
	json_object_set_new(u, "role_label", json_string(role_label(a->role)));
	json_object_set_new(u, "scope_root", json_integer(root));
	return u;
}
