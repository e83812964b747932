/* signin.c — QR sign-in: a window the secretary opens, a link with a token
 * that changes each time it opens, one sign-in per member. */
#include "life/life_internal.h"

#include <qrencode.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"
#include "core/date.h"
#include "core/mem.h"
#include "core/setting.h"
#include "crypto/pii.h"
#include "db/db.h"
#include "org/org.h"

struct window {
	char status[16], token[40];
	int64_t opens, closes;
};

static int window_load(struct db *db, int64_t id, struct window *w, struct dj_error *err)
{
	memset(w, 0, sizeof *w);
	json_t *r = db_row(db, "SELECT status, signin_token, signin_opens, signin_closes FROM activity WHERE id = ?",
			   DB_ARGS(DB_I(id)), err);
	if (!r)
		return err->code == DJ_ENOTFOUND ? dj_fail(err, DJ_ENOTFOUND, "id", "活动不存在") : err->code;
	snprintf(w->status, sizeof w->status, "%s", json_string_value(json_object_get(r, "status")));
	const char *t = json_string_value(json_object_get(r, "signin_token"));
	snprintf(w->token, sizeof w->token, "%s", t ? t : "");
	w->opens = json_integer_value(json_object_get(r, "signin_opens"));
	w->closes = json_integer_value(json_object_get(r, "signin_closes"));
	json_decref(r);
	return 0;
}

static void clock_text(int64_t t, char out[6])
{
	time_t cst = (time_t)(t + 8 * 3600);	/* 北京时间 */
	struct tm tm;
	gmtime_r(&cst, &tm);
	strftime(out, 6, "%H:%M", &tm);
}

json_t *life_signin_open(struct db *db, const struct actor *a, int64_t id, int minutes, struct dj_error *err)
{
	struct window w;
	if (life_activity_writable(db, a, id, err) || window_load(db, id, &w, err))
		return NULL;
	if (activity_status_parse(w.status) == ACTIVITY_CANCELLED) {
		dj_fail(err, DJ_ECONFLICT, "status", "活动已取消，不能开启签到");
		return NULL;
	}
	int64_t deflt = 120;
	if (minutes <= 0 && setting_get_int(db, "life.signin_minutes", 120, &deflt, err))
		return NULL;
	if (minutes <= 0)
		minutes = (int)deflt;
	char token[33];
	token_random_hex(token, 16);
	int64_t now = date_now_unix(), closes = now + (int64_t)minutes * 60;
	int rc = db_begin(db, err);
	if (!rc)
		rc = life_touch_activity(db, id, err);
	if (!rc)
		rc = db_run(db, "UPDATE activity SET signin_token = ?, signin_opens = ?, signin_closes = ? WHERE id = ?",
			    DB_ARGS(DB_T(token), DB_I(now), DB_I(closes), DB_I(id)), err);
	if (!rc) {
		json_t *what = json_pack("{s:I, s:I}", "opens", (json_int_t)now, "closes", (json_int_t)closes);
		rc = audit_write(db, a, "life.signin_open", "activity", id, NULL, what, err);
		json_decref(what);
	}
	if (db_end(db, rc, err))
		return NULL;
	char until[6];
	clock_text(closes, until);
	char *path = xasprintf("/#/signin/%lld?t=%s", (long long)id, token);
	json_t *out = json_pack("{s:b, s:s, s:I, s:I, s:s, s:s}", "open", 1, "token", token, "opens", (json_int_t)now,
				"closes", (json_int_t)closes, "closes_at", until, "path", path);
	free(path);
	return out;
}

int life_signin_close(struct db *db, const struct actor *a, int64_t id, struct dj_error *err)
{
	int rc;
	if ((rc = life_activity_writable(db, a, id, err)) || (rc = db_begin(db, err)))
		return rc;
	rc = life_touch_activity(db, id, err);
	if (!rc)
		rc = db_run(db, "UPDATE activity SET signin_token = NULL, signin_closes = ? WHERE id = ?",
			    DB_ARGS(DB_I(date_now_unix()), DB_I(id)), err);
	if (!rc)
		rc = audit_write(db, a, "life.signin_close", "activity", id, NULL, NULL, err);
	return db_end(db, rc, err);
}

/* The QR code as an SVG path of dark modules, with a 4-module quiet zone. */
static char *qr_svg(const char *text)
{
	QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!q)
		return NULL;
	int n = q->width, size = n + 8;
	struct buf b = {0};
	buf_printf(&b, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" shape-rendering=\"crispEdges\">"
		       "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"", size, size, size, size);
	for (int y = 0; y < n; y++)
		for (int x = 0; x < n; x++)
			if (q->data[y * n + x] & 1)
				buf_printf(&b, "M%d %dh1v1h-1z", x + 4, y + 4);
	buf_puts(&b, "\"/></svg>");
	QRcode_free(q);
	return buf_detach(&b);
}

char *life_signin_qr(struct db *db, const struct actor *a, int64_t id, const char *base, struct dj_error *err)
{
	struct window w;
	if (life_activity_writable(db, a, id, err) || window_load(db, id, &w, err))
		return NULL;
	if (!w.token[0] || date_now_unix() >= w.closes) {
		dj_fail(err, DJ_ECONFLICT, "signin", "签到未开启或已结束，请先开启签到");
		return NULL;
	}
	char *url = xasprintf("%s/#/signin/%lld?t=%s", base, (long long)id, w.token);
	char *svg = qr_svg(url);
	free(url);
	if (!svg)
		dj_fail(err, DJ_EIO, "", "二维码生成失败");
	return svg;
}

/* Topic, place, time and org of an activity are for those expected at it (or
 * who took part) and for the managers whose scope holds it; to anyone else it
 * does not exist. */
static int signin_not_found(struct dj_error *err)
{
	return dj_fail(err, DJ_ENOTFOUND, "id", "活动不存在，或您不在该活动的应到人员名单中");
}

json_t *life_signin_info(struct db *db, const struct actor *a, int64_t id, struct dj_error *err)
{
	if (life_activity_access(db, a, id, NULL, err)) {
		if (err->code == DJ_ENOTFOUND)
			signin_not_found(err);
		return NULL;
	}
	json_t *r = db_row(db, "SELECT v.id, v.topic, v.kind, k.label AS kind_label, o.name AS org_name, v.on_date,"
			       " v.start_time, v.end_time, v.place, v.status, v.signin_token, v.signin_opens, v.signin_closes"
			       " FROM activity v JOIN activity_kind k ON k.code = v.kind JOIN org o ON o.id = v.org_id"
			       " WHERE v.id = ?", DB_ARGS(DB_I(id)), err);
	if (!r) {
		if (err->code == DJ_ENOTFOUND)
			dj_fail(err, DJ_ENOTFOUND, "id", "活动不存在");
		return NULL;
	}
	int64_t now = date_now_unix(), closes = json_integer_value(json_object_get(r, "signin_closes"));
	bool open = json_string_value(json_object_get(r, "signin_token")) && now < closes;
	json_object_del(r, "signin_token");
	json_object_set_new(r, "open", json_boolean(open));
	char until[6];
	clock_text(closes, until);
	json_object_set_new(r, "closes_at", json_string(until));
	json_t *me = a->member_id ? db_row(db, "SELECT status, source, signed_at, dual FROM attendance"
					       " WHERE activity_id = ? AND member_id = ?",
					   DB_ARGS(DB_I(id), DB_I(a->member_id)), err) : NULL;
	if (!me && a->member_id && err->code != DJ_ENOTFOUND) {
		json_decref(r);
		return NULL;
	}
	dj_error_clear(err);
	json_object_set_new(r, "expected", json_boolean(me != NULL));
	json_object_set_new(r, "me", me ? me : json_null());
	return r;
}

int life_signin(struct db *db, const struct actor *a, int64_t id, const char *token, struct dj_error *err)
{
	struct window w;
	int rc;
	if (!a->member_id)
		return dj_fail(err, DJ_EFORBIDDEN, "member", "您的账号未关联党员信息，不能签到");
	if ((rc = window_load(db, id, &w, err)))
		return rc == DJ_ENOTFOUND ? signin_not_found(err) : rc;
	int64_t now = date_now_unix();
	bool token_ok = token && w.token[0] && strlen(token) == strlen(w.token) &&
			sodium_memcmp(token, w.token, strlen(w.token)) == 0;
	if ((rc = life_activity_access(db, a, id, NULL, err))) {
		/* Whoever holds the live token has seen the code at the meeting: tell them why. */
		if (rc == DJ_ENOTFOUND && token_ok && now < w.closes)
			return dj_fail(err, DJ_EFORBIDDEN, "signin", "您不是该活动所属党组织的党员，无需在此签到");
		return rc == DJ_ENOTFOUND ? signin_not_found(err) : rc;
	}
	if (activity_status_parse(w.status) == ACTIVITY_CANCELLED)
		return dj_fail(err, DJ_ECONFLICT, "signin", "该活动已取消");
	if (!token_ok)
		return dj_fail(err, DJ_ECONFLICT, "token",
			       w.token[0] && now < w.closes ? "签到二维码已失效，请扫描现场最新的二维码" : "签到已结束");
	char t[6];
	if (now < w.opens)
		return dj_fail(err, DJ_ECONFLICT, "signin", "签到尚未开始");
	if (now >= w.closes) {
		clock_text(w.closes, t);
		return dj_fail(err, DJ_ECONFLICT, "signin", "签到已于 %s 结束", t);
	}
	json_t *row = db_row(db, "SELECT status, source, signed_at FROM attendance WHERE activity_id = ? AND member_id = ?",
			     DB_ARGS(DB_I(id), DB_I(a->member_id)), err);
	if (!row && err->code != DJ_ENOTFOUND)
		return err->code;
	if (!row)
		return dj_fail(err, DJ_EFORBIDDEN, "signin", "您不是该活动所属党组织的党员，无需在此签到");
	bool signed_in = attendance_status_parse(json_string_value(json_object_get(row, "status"))) == ATTEND_PRESENT;
	json_decref(row);
	if (signed_in)
		return dj_fail(err, DJ_ECONFLICT, "signin", "您已签到，无需重复签到");
	char now_iso[21];
	date_now_iso(now_iso);
	if ((rc = db_begin(db, err)))
		return rc;
	rc = life_touch_activity(db, id, err);
	if (!rc)
		rc = db_run(db, "UPDATE attendance SET status = 'present', reason = NULL, source = 'qr', signed_at = ?"
				" WHERE activity_id = ? AND member_id = ?",
			    DB_ARGS(DB_T(now_iso), DB_I(id), DB_I(a->member_id)), err);
	if (!rc) {
		json_t *what = json_pack("{s:I, s:s}", "member_id", (json_int_t)a->member_id, "at", now_iso);
		rc = audit_write(db, a, "life.signin", "activity", id, NULL, what, err);
		json_decref(what);
	}
	return db_end(db, rc, err);
}
