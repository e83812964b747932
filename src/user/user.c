/* user.c — accounts: create, change, passwords. */
#include "org/org.h"
#include "user/user.h"

#include <ctype.h>
#include <sodium.h>
#include <string.h>

#include "audit/audit.h"
#include "core/date.h"
#include "core/mem.h"
#include "core/valid.h"
#include "crypto/pii.h"
#include "db/db.h"

static const char *const role_ids[] = {"admin", "org_admin", "branch_admin", "member", NULL};

int user_check_password(const char *pw, struct dj_error *err)
{
	size_t n = pw ? strlen(pw) : 0;
	if (n < 8 || n > 128)
		return dj_fail(err, DJ_EINVAL, "password", "密码长度应为8到128个字符");
	int letters = 0, digits = 0, other = 0;
	for (const char *p = pw; *p; p++) {
		if (isalpha((unsigned char)*p))
			letters = 1;
		else if (isdigit((unsigned char)*p))
			digits = 1;
		else
			other = 1;
	}
	if (letters + digits + other < 2)
		return dj_fail(err, DJ_EINVAL, "password", "密码应至少包含字母、数字、符号中的两类");
	return 0;
}

static int check_username(const char *u, struct dj_error *err)
{
	size_t n = strlen(u);
	if (n < 2 || n > 32)
		return dj_fail(err, DJ_EINVAL, "username", "用户名长度应为2到32个字符");
	for (const char *p = u; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.' && *p != '-')
			return dj_fail(err, DJ_EINVAL, "username", "用户名只能包含字母、数字和 _ . -");
	return 0;
}

int user_id_by_name(struct db *db, const char *username, int64_t *id, struct dj_error *err)
{
	/* The outer SELECT always has a row: no such user reads as 0. */
	*id = 0;
	return db_int1(db, id, "SELECT coalesce((SELECT id FROM app_user WHERE username = ?), 0)",
		       DB_ARGS(DB_T(username)), err);
}

/* A member account's scope org follows its member record. */
static int member_org_of(struct db *db, int64_t member_id, int64_t *org_id, struct dj_error *err)
{
	return db_int1(db, org_id, "SELECT org_id FROM member WHERE id = ?", DB_ARGS(DB_I(member_id)), err);
}

static json_t *user_row(struct db *db, int64_t id, struct dj_error *err)
{
	return db_row(db, "SELECT u.id, u.username, u.display_name, u.role, u.org_id, o.name AS org_name, u.member_id,"
			  " u.disabled, u.locked_until, u.created_at, u.updated_at FROM app_user u"
			  " LEFT JOIN org o ON o.id = u.org_id WHERE u.id = ?", DB_ARGS(DB_I(id)), err);
}

/* Who may manage accounts: administrators all; org administrators those bound inside their subtree.
 * The member record an account is bound to must lie in the actor's subtree too, whatever the role:
 * the account reads that member's activities, attendance and attachments. Out of scope and missing
 * answer alike (404), without the member's name. */
static int can_manage_users(struct db *db, const struct actor *a, enum role role, int64_t org_id, int64_t member_id,
			    struct dj_error *err)
{
	if (a->role != ROLE_ADMIN && a->role != ROLE_ORG_ADMIN)
		return dj_fail(err, DJ_EFORBIDDEN, "", "无权管理账号");
	if (role == ROLE_ADMIN && a->role != ROLE_ADMIN)
		return dj_fail(err, DJ_EFORBIDDEN, "role", "只有系统管理员可以创建系统管理员");
	if (role == ROLE_MEMBER && !member_id)
		return dj_fail(err, DJ_EINVAL, "member_id", "党员账号须关联党员档案");
	if (member_id && scope_member(db, a, member_id, err)) {
		strcpy(err->field, "member_id");
		return err->code;
	}
	if (role == ROLE_MEMBER)
		return 0;
	if (role != ROLE_ADMIN && !org_id)
		return dj_fail(err, DJ_EINVAL, "org_id", "请选择账号所管理的党组织");
	if (org_id && scope_org(db, a, org_id, err)) {
		strcpy(err->field, "org_id");
		return err->code;
	}
	return 0;
}

int user_create(struct db *db, const struct actor *a, json_t *in, int64_t *id, struct dj_error *err)
{
	const char *username, *display, *password, *role_s;
	int64_t org_id, member_id;
	int rc;
	if (!json_is_object(in))
		return dj_fail(err, DJ_EINVAL, "", "请求体应为 JSON 对象");
	if ((rc = v_str(in, "username", "用户名", 32, true, &username, err)) || (rc = check_username(username, err)) ||
	    (rc = v_str(in, "display_name", "姓名", 30, false, &display, err)) ||
	    (rc = v_str(in, "password", "密码", 128, true, &password, err)) ||
	    (rc = user_check_password(password, err)) ||
	    (rc = v_enum(in, "role", "角色", role_ids, true, &role_s, err)) ||
	    (rc = v_id(in, "org_id", "党组织", false, &org_id, err)) ||
	    (rc = v_id(in, "member_id", "党员", false, &member_id, err)))
		return rc;
	enum role role = role_parse(role_s);
	if ((rc = can_manage_users(db, a, role, org_id, member_id, err)))
		return rc;
	if (role == ROLE_MEMBER && (rc = member_org_of(db, member_id, &org_id, err)))
		return rc;
	int64_t twin = 0;
	if ((rc = user_id_by_name(db, username, &twin, err)))
		return rc;
	if (twin)
		return dj_fail(err, DJ_ECONFLICT, "username", "用户名“%s”已存在", username);
	char hash[crypto_pwhash_STRBYTES];
	if (pw_hash(password, hash, sizeof hash) != 0)
		return dj_fail(err, DJ_EIO, "password", "密码处理失败（内存不足）");
	char now[21];
	date_now_iso(now);
	if ((rc = db_begin(db, err)))
		return rc;
	rc = db_int1(db, id, "INSERT INTO app_user(username, display_name, pwhash, role, org_id, member_id, created_at,"
			     " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
		     DB_ARGS(DB_T(username), DB_T(display ? display : username), DB_T(hash), DB_T(role_s),
			     org_id ? DB_I(org_id) : DB_NULL, member_id ? DB_I(member_id) : DB_NULL, DB_T(now),
			     DB_T(now)), err);
	json_t *after = rc ? NULL : user_row(db, *id, err);
	if (!rc && !after)
		rc = err->code;
	if (!rc)
		rc = audit_write(db, a, "user.create", "user", *id, NULL, after, err);
	json_decref(after);
	return db_end(db, rc, err);
}

static int check_target(struct db *db, const struct actor *a, int64_t id, json_t **row, struct dj_error *err)
{
	*row = user_row(db, id, err);
	if (!*row)
		return err->code == DJ_ENOTFOUND ? dj_fail(err, DJ_ENOTFOUND, "id", "账号不存在") : err->code;
	int64_t org = json_integer_value(json_object_get(*row, "org_id"));
	enum role r = role_parse(json_string_value(json_object_get(*row, "role")));
	int64_t mid = json_integer_value(json_object_get(*row, "member_id"));
	int rc = can_manage_users(db, a, r, org, mid, err);
	if (rc) {
		json_decref(*row);
		*row = NULL;
		if (rc == DJ_EFORBIDDEN || rc == DJ_ENOTFOUND)
			return dj_fail(err, DJ_ENOTFOUND, "id", "账号不存在或不在您的管理范围内");
	}
	return rc;
}

int user_update(struct db *db, const struct actor *a, int64_t id, json_t *in, struct dj_error *err)
{
	const char *display, *role_s;
	int64_t org_id, member_id;
	bool disabled;
	int rc;
	json_t *before;
	if (!json_is_object(in))
		return dj_fail(err, DJ_EINVAL, "", "请求体应为 JSON 对象");
	if ((rc = check_target(db, a, id, &before, err)))
		return rc;
	if ((rc = v_str(in, "display_name", "姓名", 30, false, &display, err)) ||
	    (rc = v_enum(in, "role", "角色", role_ids, false, &role_s, err)) ||
	    (rc = v_id(in, "org_id", "党组织", false, &org_id, err)) ||
	    (rc = v_id(in, "member_id", "党员", false, &member_id, err)) ||
	    (rc = v_bool(in, "disabled", "停用", json_integer_value(json_object_get(before, "disabled")) != 0,
			 &disabled, err))) {
		json_decref(before);
		return rc;
	}
	if (!display)
		display = json_string_value(json_object_get(before, "display_name"));
	if (!role_s)
		role_s = json_string_value(json_object_get(before, "role"));
	if (!json_object_get(in, "org_id"))
		org_id = json_integer_value(json_object_get(before, "org_id"));
	if (!json_object_get(in, "member_id"))
		member_id = json_integer_value(json_object_get(before, "member_id"));
	if (id == a->user_id && (disabled || strcmp(role_s, role_name(a->role)) != 0)) {
		json_decref(before);
		return dj_fail(err, DJ_EINVAL, "role", "不能停用自己的账号或修改自己的角色");
	}
	if ((rc = can_manage_users(db, a, role_parse(role_s), org_id, member_id, err)) ||
	    (role_parse(role_s) == ROLE_MEMBER && (rc = member_org_of(db, member_id, &org_id, err)))) {
		json_decref(before);
		return rc;
	}
	char now[21];
	date_now_iso(now);
	if ((rc = db_begin(db, err)) == 0) {
		rc = db_run(db, "UPDATE app_user SET display_name = ?, role = ?, org_id = ?, member_id = ?, disabled = ?,"
				" updated_at = ? WHERE id = ?",
			    DB_ARGS(DB_T(display), DB_T(role_s), org_id ? DB_I(org_id) : DB_NULL,
				    member_id ? DB_I(member_id) : DB_NULL, DB_I(disabled), DB_T(now), DB_I(id)), err);
		/* A disabled account or changed role ends the sessions it had. */
		if (!rc && (disabled || strcmp(role_s, json_string_value(json_object_get(before, "role"))) != 0))
			rc = db_run(db, "DELETE FROM session WHERE user_id = ?", DB_ARGS(DB_I(id)), err);
		json_t *after = rc ? NULL : user_row(db, id, err);
		if (!rc && !after)
			rc = err->code;
		if (!rc)
			rc = audit_write(db, a, "user.update", "user", id, before, after, err);
		json_decref(after);
		rc = db_end(db, rc, err);
	}
	json_decref(before);
	return rc;
}

static int store_password(struct db *db, const struct actor *a, int64_t id, const char *password, struct dj_error *err)
{
	char hash[crypto_pwhash_STRBYTES];
	if (pw_hash(password, hash, sizeof hash) != 0)
		return dj_fail(err, DJ_EIO, "password", "密码处理失败（内存不足）");
	char now[21];
	date_now_iso(now);
	int rc = db_begin(db, err);
	if (rc)
		return rc;
	rc = db_run(db, "UPDATE app_user SET pwhash = ?, failed_logins = 0, locked_until = 0, updated_at = ? WHERE id = ?",
		    DB_ARGS(DB_T(hash), DB_T(now), DB_I(id)), err);
	if (!rc)
		rc = db_run(db, "DELETE FROM session WHERE user_id = ?", DB_ARGS(DB_I(id)), err);
	if (!rc)
		rc = audit_write(db, a, "user.password", "user", id, NULL, NULL, err);
	return db_end(db, rc, err);
}

int user_set_password(struct db *db, const struct actor *a, int64_t id, const char *password, struct dj_error *err)
{
	json_t *row;
	int rc;
	if ((rc = user_check_password(password, err)))
		return rc;
	if (a->user_id != 0 && (rc = check_target(db, a, id, &row, err)))
		return rc;
	if (a->user_id != 0)
		json_decref(row);
	return store_password(db, a, id, password, err);
}

int user_change_own_password(struct db *db, const struct actor *a, const char *old_pw, const char *new_pw,
			     struct dj_error *err)
{
	char *hash = NULL;
	if (!old_pw)
		return dj_fail(err, DJ_EINVAL, "old_password", "请填写原密码");
	int rc = db_text1(db, &hash, "SELECT pwhash FROM app_user WHERE id = ?", DB_ARGS(DB_I(a->user_id)), err);
	if (rc)
		return rc;
	bool ok = hash && pw_verify(hash, old_pw);
	free(hash);
	if (!ok)
		return dj_fail(err, DJ_EINVAL, "old_password", "原密码不正确");
	rc = user_check_password(new_pw, err);
	return rc ? rc : store_password(db, a, a->user_id, new_pw, err);
}

json_t *user_list(struct db *db, const struct actor *a, const char *q, int page, int size, struct dj_error *err)
{
	if (a->role != ROLE_ADMIN && a->role != ROLE_ORG_ADMIN) {
		dj_fail(err, DJ_EFORBIDDEN, "", "无权管理账号");
		return NULL;
	}
	char *like = db_like_pattern(q);
	const char *where = " FROM app_user u LEFT JOIN org o ON o.id = u.org_id"
		" WHERE (?1 = 0 OR " ORG_IN_SUBTREE("u.org_id", "?1") ")"
		" AND (CAST(?2 AS TEXT) IS NULL OR u.username LIKE ?2 ESCAPE '\\' OR u.display_name LIKE ?2 ESCAPE '\\')";
	db_val args[] = {DB_I(a->org_id), DB_T(like), DB_I(size), DB_I((int64_t)(page - 1) * size)};
	char *csql = xasprintf("SELECT count(*)%s", where);
	char *lsql = xasprintf("SELECT u.id, u.username, u.display_name, u.role, u.org_id, o.name AS org_name,"
			       " u.member_id, u.disabled, u.locked_until, u.created_at%s ORDER BY u.id LIMIT ?3 OFFSET ?4",
			       where);
	int64_t total = 0;
	json_t *out = NULL;
	if (db_int1(db, &total, csql, 4, args, err) == 0) {
		json_t *items = db_rows(db, lsql, 4, args, err);
		if (items)
			out = json_pack("{s:o, s:I, s:i, s:i}", "items", items, "total", (json_int_t)total, "page", page,
					"size", size);
	}
	free(like);
	free(csql);
	free(lsql);
	return out;
}
