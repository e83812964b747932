/* session.c — logging in and out; sessions are random tokens whose hash is
 * stored, so a copy of the database opens no session. */
#include "user/user.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/date.h"
#include "core/mem.h"
#include "crypto/pii.h"
#include "db/db.h"
#include "org/org.h"

/* Verifying against a fixed hash keeps the time for an unknown user the
 * same as for a wrong password. */
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

int session_login(struct db *db, const char *username, const char *password, const char *ip, char token[65],
		  char csrf[65], struct dj_error *err)
{
	if (!username || !*username)
		return dj_fail(err, DJ_EINVAL, "username", "请输入用户名");
	if (!password || !*password)
		return dj_fail(err, DJ_EINVAL, "password", "请输入密码");
	json_t *u = db_row(db, "SELECT id, username, pwhash, role, org_id, disabled, failed_logins, locked_until"
			       " FROM app_user WHERE username = ?", DB_ARGS(DB_T(username)), NULL);
	if (!u) {
		burn_time(password);
		return dj_fail(err, DJ_EAUTH, "password", "用户名或密码错误");
	}
	int64_t id = json_integer_value(json_object_get(u, "id"));
	int64_t now = date_now_unix();
	int64_t locked = json_integer_value(json_object_get(u, "locked_until"));
	struct actor who = {.user_id = id, .route = "POST /api/v1/session"};
	snprintf(who.username, sizeof who.username, "%s", username);
	if (json_integer_value(json_object_get(u, "disabled"))) {
		json_decref(u);
		return dj_fail(err, DJ_EAUTH, "username", "该账号已停用");
	}
	if (locked > now) {
		json_decref(u);
		return dj_fail(err, DJ_ELOCKED, "username", "连续登录失败次数过多，账号已锁定，请%lld分钟后再试",
			       (long long)((locked - now + 59) / 60));
	}
	bool ok = pw_verify(json_string_value(json_object_get(u, "pwhash")), password);
	bool rehash = ok && pw_needs_rehash(json_string_value(json_object_get(u, "pwhash")));
	json_decref(u);
	int rc = db_begin(db, err);
	if (rc)
		return rc;
	json_t *detail = json_pack("{s:s?}", "ip", ip);
	if (!ok) {
		int64_t max = setting_int(db, "auth.max_failed_logins", 5);
		int64_t mins = setting_int(db, "auth.lock_minutes", 15);
		/* The counter and the lock are set in one statement so concurrent failures cannot undercount. */
		rc = db_run(db, "UPDATE app_user SET failed_logins = failed_logins + 1,"
				" locked_until = CASE WHEN failed_logins + 1 >= ? THEN ? ELSE locked_until END WHERE id = ?",
			    DB_ARGS(DB_I(max), DB_I(now + mins * 60), DB_I(id)), err);
		if (!rc)
			rc = db_run(db, "UPDATE app_user SET failed_logins = 0 WHERE id = ? AND locked_until > ?",
				    DB_ARGS(DB_I(id), DB_I(now)), err);
		if (!rc)
			rc = audit_write(db, &who, "session.login_failed", "user", id, NULL, detail, err);
		json_decref(detail);
		rc = db_end(db, rc, err);
		return rc ? rc : dj_fail(err, DJ_EAUTH, "password", "用户名或密码错误");
	}
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
		db_run(db, "DELETE FROM session WHERE token_hash = ?", DB_ARGS(DB_T(th)), NULL);
		return dj_fail(err, DJ_EAUTH, "", "登录已超时，请重新登录");
	}
	/* Touch at most once a minute: reads stay reads under load. */
	if (now - last >= 60 && db_run(db, "UPDATE session SET last_seen = ? WHERE token_hash = ?",
					DB_ARGS(DB_I(now), DB_T(th)), NULL) == 0)
		last = now;
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

json_t *user_me(struct db *db, const struct actor *a)
{
	json_t *u = db_row(db, "SELECT u.id, u.username, u.display_name, u.role, u.org_id, o.name AS org_name,"
			       " u.member_id FROM app_user u LEFT JOIN org o ON o.id = u.org_id WHERE u.id = ?",
			   DB_ARGS(DB_I(a->user_id)), NULL);
	if (!u)
		return json_object();
	json_object_set_new(u, "role_label", json_string(role_label(a->role)));
	json_object_set_new(u, "scope_root", json_integer(scope_root(db, a)));
	return u;
}
