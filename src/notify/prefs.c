/* prefs.c — a user's own address and choice, and the delivery settings. */
#include "notify/notify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/valid.h"
#include "db/db.h"

static const char *const digests[] = {"daily", "due", NULL};

/* local@domain.tld: printable, no spaces or the characters that would break
 * a header; enough to catch typing slips, the server says the rest. */
static bool valid_email(const char *s)
{
	const char *at = strchr(s, '@');
	size_t n = strlen(s);
	if (n < 5 || n > 254 || !at || at == s || strchr(at + 1, '@') || !strchr(at + 1, '.') || s[n - 1] == '.' ||
	    at[1] == '.')
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= ' ' || *p >= 0x7f || strchr("<>()[],;:\\\"'", *p))
			return false;
	return true;
}

json_t *notify_pref_get(struct db *db, const struct actor *a, struct dj_error *err)
{
	json_t *r = db_row(db, "SELECT email, email_opt_in, digest FROM app_user WHERE id = ?", DB_ARGS(DB_I(a->user_id)),
			   err);
	if (!r)
		return NULL;
	json_object_set_new(r, "email_opt_in", json_boolean(json_integer_value(json_object_get(r, "email_opt_in"))));
	return r;
}

int notify_pref_set(struct db *db, const struct actor *a, json_t *in, struct dj_error *err)
{
	const char *email, *digest;
	bool opt_in;
	int rc;
	if (!json_is_object(in))
		return dj_fail(err, DJ_EINVAL, "", "请求体应为 JSON 对象");
	if (!a->user_id)
		return dj_fail(err, DJ_EINVAL, "", "命令行没有账号");
	json_t *before = notify_pref_get(db, a, err);
	if (!before)
		return err->code;
	if ((rc = v_str(in, "email", "电子邮箱", 254, false, &email, err)) ||
	    (rc = v_bool(in, "email_opt_in", "接收邮件提醒", json_is_true(json_object_get(before, "email_opt_in")), &opt_in,
			 err)) ||
	    (rc = v_enum(in, "digest", "提醒方式", digests, false, &digest, err))) {
		json_decref(before);
		return rc;
	}
	bool has_email = json_object_get(in, "email") != NULL;
	const char *addr = has_email ? (email ? email : "") : json_string_value(json_object_get(before, "email"));
	if (has_email && *addr && !valid_email(addr))
		rc = dj_fail(err, DJ_EINVAL, "email", "电子邮箱格式不正确");
	else if (opt_in && (!addr || !*addr))
		rc = dj_fail(err, DJ_EINVAL, "email", "接收邮件提醒需要先填写电子邮箱");
	if (!rc && !(rc = db_begin(db, err))) {
		rc = db_run(db, "UPDATE app_user SET email = ?, email_opt_in = ?, digest = coalesce(?, digest) WHERE id = ?",
			    DB_ARGS(DB_T(addr), DB_I(opt_in), DB_T(digest), DB_I(a->user_id)), err);
		if (!rc)
			rc = audit_write(db, a, "user.notify_pref", "app_user", a->user_id, before, in, err);
		rc = db_end(db, rc, err);
	}
	json_decref(before);
	return rc;
}

static const struct {
	const char *field, *key;
} settings[] = {{"smtp_url", "notify.smtp_url"}, {"from", "notify.from"}, {"poll_seconds", "notify.poll_seconds"},
		{"remind_days", "notify.remind_days"}};
#define NSETTINGS (sizeof settings / sizeof *settings)

json_t *notify_settings_get(struct db *db, struct dj_error *err)
{
	json_t *out = json_object();
	for (size_t i = 0; i < NSETTINGS; i++) {
		char *v = NULL;
		int rc = db_text1(db, &v, "SELECT value FROM setting WHERE key = ?", DB_ARGS(DB_T(settings[i].key)), err);
		if (rc && rc != DJ_ENOTFOUND) {
			json_decref(out);
			return NULL;
		}
		dj_error_clear(err);
		if (i >= 2)
			json_object_set_new(out, settings[i].field, json_integer(v ? atoll(v) : 0));
		else
			json_object_set_new(out, settings[i].field, json_string(v ? v : ""));
		free(v);
	}
	return out;
}

int notify_settings_set(struct db *db, const struct actor *a, json_t *in, struct dj_error *err)
{
	const char *url, *from;
	int64_t poll, remind;
	int rc;
	if (!json_is_object(in))
		return dj_fail(err, DJ_EINVAL, "", "请求体应为 JSON 对象");
	if ((rc = v_str(in, "smtp_url", "邮件服务器地址", 500, false, &url, err)) ||
	    (rc = v_str(in, "from", "发件人", 254, false, &from, err)) ||
	    (rc = v_int(in, "poll_seconds", "检查间隔（秒）", 1, 3600, 0, &poll, err)) ||
	    (rc = v_int(in, "remind_days", "提前提醒天数", 0, 60, -1, &remind, err)))
		return rc;
	if (url && *url && strncmp(url, "smtp://", 7) != 0 && strncmp(url, "smtps://", 8) != 0)
		return dj_fail(err, DJ_EINVAL, "smtp_url", "邮件服务器地址应以 smtp:// 或 smtps:// 开头");
	if (from && *from && !valid_email(from))
		return dj_fail(err, DJ_EINVAL, "from", "发件人邮箱格式不正确");
	json_t *before = notify_settings_get(db, err);
	if (!before)
		return err->code;
	char pbuf[24], rbuf[24];
	snprintf(pbuf, sizeof pbuf, "%lld", (long long)poll);
	snprintf(rbuf, sizeof rbuf, "%lld", (long long)remind);
	const char *vals[] = {json_object_get(in, "smtp_url") ? (url ? url : "") : NULL,
			      json_object_get(in, "from") ? (from ? from : "") : NULL, poll ? pbuf : NULL,
			      remind >= 0 ? rbuf : NULL};
	if (!(rc = db_begin(db, err))) {
		for (size_t i = 0; !rc && i < NSETTINGS; i++)
			if (vals[i])	/* '' is a value here ("not set"), not NULL */
				rc = db_run(db, "UPDATE setting SET value = coalesce(?, '') WHERE key = ?",
					    DB_ARGS(DB_T(vals[i]), DB_T(settings[i].key)), err);
		if (!rc) {
			/* The address may carry a password: the trail keeps the host only. */
			json_t *after = json_deep_copy(in);
			if (url && strchr(url, '@'))
				json_object_set_new(after, "smtp_url", json_string("（含账号，已隐去）"));
			json_t *b = json_deep_copy(before);
			const char *bu = json_string_value(json_object_get(b, "smtp_url"));
			if (bu && strchr(bu, '@'))
				json_object_set_new(b, "smtp_url", json_string("（含账号，已隐去）"));
			rc = audit_write(db, a, "notify.settings", "setting", 0, b, after, err);
			json_decref(after);
			json_decref(b);
		}
		rc = db_end(db, rc, err);
	}
	json_decref(before);
	return rc;
}
