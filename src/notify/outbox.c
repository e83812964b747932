/* outbox.c — enqueue today's messages and send the due ones (notify.h). */
#include "notify/notify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"
#include "core/date.h"
#include "core/setting.h"
#include "core/mem.h"
#include "db/db.h"
#include "platform/platform.h"

#define S(r, k) json_string_value(json_object_get(r, k))
#define I(r, k) json_integer_value(json_object_get(r, k))

/* A sender holds a claimed row this long before another may take it (a
 * server that died mid-send): far longer than a send may take. */
#define NOTIFY_LEASE 600
/* Retries after the 1st, 2nd and 3rd failed attempt; the 4th fails the row. */
static const int retry_after[] = {60, 300, 1800};
#define NOTIFY_ATTEMPTS ((int64_t)(sizeof retry_after / sizeof *retry_after) + 1)

static void iso_of(int64_t t, char out[21])
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* One 待办 as a line of a message, with a link the reader can open when the
 * platform's address is known (http.public_origin). */
static void todo_line(struct buf *b, size_t n, json_t *t, const char *origin)
{
	char line[1200];
	const char *due = S(t, "due_on");
	snprintf(line, sizeof line, "%zu. %s%s%s%s%s\n", n, json_is_true(json_object_get(t, "overdue")) ? "【已逾期】" : "",
		 S(t, "title"), due ? "（截止 " : "", due ? due : "", due ? "）" : "");
	buf_append(b, line, strlen(line));
	if (origin && *origin) {
		snprintf(line, sizeof line, "   %s/#%s\n", origin, S(t, "link"));
		buf_append(b, line, strlen(line));
	}
}

static int queue(struct db *db, int64_t user, const char *to, const char *subject, const char *body, const char *key,
		 int64_t now, int64_t *queued, struct dj_error *err)
{
	char at[21];
	iso_of(now, at);
	json_t *r = db_rows(db,
		"INSERT INTO notify_outbox(user_id, channel, to_addr, subject, body, dedupe_key, state, attempts, next_at,"
		" created_at) VALUES (?, 'email', ?, ?, ?, ?, 'queued', 0, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
		DB_ARGS(DB_I(user), DB_T(to), DB_T(subject), DB_T(body), DB_T(key), DB_I(now), DB_T(at)), err);
	if (!r)
		return err->code;
	*queued += (int64_t)json_array_size(r);
	json_decref(r);
	return 0;
}

static int enqueue_user(struct db *db, json_t *u, const char *today, const char *remind, const char *origin,
			int64_t now, int64_t *queued, struct dj_error *err)
{
	struct actor a = {.user_id = I(u, "id"), .role = role_parse(S(u, "role")), .org_id = I(u, "org_id"),
			  .member_id = I(u, "member_id"), .route = "notify"};
	snprintf(a.username, sizeof a.username, "%s", S(u, "username"));
	snprintf(a.today, sizeof a.today, "%s", today);
	if (!a.role)
		return 0;
	json_t *todos = json_array();
	int rc = platform_todos(db, &a, today, todos, err);
	size_t i;
	json_t *t;
	if (!rc && strcmp(S(u, "digest"), "daily") == 0 && json_array_size(todos)) {
		struct buf b = {0};
		char head[400], subject[200], key[64];
		snprintf(head, sizeof head, "%s，您好：\n\n截至%s，您在党建工作管理平台有%zu项待办：\n\n",
			 S(u, "display_name"), today, json_array_size(todos));
		buf_append(&b, head, strlen(head));
		json_array_foreach(todos, i, t) todo_line(&b, i + 1, t, origin);
		static const char tail[] = "\n（本邮件由平台按您选择的每日待办汇总发送，可在“我的信息”中退订。）\n";
		buf_append(&b, tail, sizeof tail - 1);
		char *body = buf_detach(&b);
		snprintf(subject, sizeof subject, "【党建】%s待办%zu项", today, json_array_size(todos));
		snprintf(key, sizeof key, "digest:%lld:%s", (long long)a.user_id, today);
		rc = queue(db, a.user_id, S(u, "email"), subject, body, key, now, queued, err);
		free(body);
	} else if (!rc && strcmp(S(u, "digest"), "due") == 0) {
		json_array_foreach(todos, i, t) {
			const char *due = S(t, "due_on");
			if (!due || (strcmp(due, today) != 0 && strcmp(due, remind) != 0))
				continue;
			struct buf b = {0};
			char head[300], subject[900];
			snprintf(head, sizeof head, "%s，您好：\n\n您有一项待办%s到期：\n\n", S(u, "display_name"),
				 strcmp(due, today) == 0 ? "今天" : due);
			buf_append(&b, head, strlen(head));
			todo_line(&b, 1, t, origin);
			char *body = buf_detach(&b);
			snprintf(subject, sizeof subject, "【党建】待办提醒：%s", S(t, "title"));
			char *key = xasprintf("todo:%lld:%s.%s:%s:%s:%s", (long long)a.user_id, S(t, "module"), S(t, "kind"),
					      S(t, "link"), S(t, "title"), today);
			rc = queue(db, a.user_id, S(u, "email"), subject, body, key, now, queued, err);
			free(key);
			free(body);
			if (rc)
				break;
		}
	}
	json_decref(todos);
	return rc;
}

int notify_enqueue(struct db *db, const char *today, int64_t now, int64_t *queued, struct dj_error *err)
{
	*queued = 0;
	char remind[11], *origin = NULL;
	int64_t days = 3;
	int rc = setting_get_int(db, "notify.remind_days", 3, &days, err);
	if (rc)
		return rc;
	date_add(remind, today, 0, 0, (int)days);
	rc = db_text1(db, &origin, "SELECT value FROM setting WHERE key = 'http.public_origin'", DB_NOARGS, err);
	if (rc == DJ_ENOTFOUND) {
		dj_error_clear(err);
		rc = 0;
	}
	json_t *users = rc ? NULL
			   : db_rows(db, "SELECT id, username, display_name, role, org_id, member_id, email, digest FROM app_user"
					 " WHERE disabled = 0 AND email_opt_in = 1 AND email IS NOT NULL ORDER BY id", DB_NOARGS, err);
	if (!users) {
		free(origin);
		return err->code;
	}
	if (!(rc = db_begin(db, err))) {
		size_t i;
		json_t *u;
		json_array_foreach(users, i, u) if (!rc) rc = enqueue_user(db, u, today, remind, origin, now, queued, err);
		if (!rc && *queued) {
			struct actor cli = actor_cli();
			cli.route = "notify";
			json_t *what = json_pack("{s:s, s:I}", "day", today, "queued", (json_int_t)*queued);
			rc = audit_write(db, &cli, "notify.enqueue", "notify_outbox", 0, NULL, what, err);
			json_decref(what);
		}
		rc = db_end(db, rc, err);
	}
	json_decref(users);
	free(origin);
	return rc;
}

/* Claim the next due row: one statement, so two senders never take the same
 * row (the lease moves next_at past `now` for everyone else). */
static json_t *claim(struct db *db, int64_t now, struct dj_error *err)
{
	const char *sql = db_kind(db) == DB_PG
		? "UPDATE notify_outbox SET attempts = attempts + 1, next_at = ?2 WHERE id = (SELECT id FROM notify_outbox"
		  " WHERE state = 'queued' AND next_at <= ?1 ORDER BY next_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)"
		  " AND state = 'queued' AND next_at <= ?1 RETURNING id, to_addr, subject, body, attempts"
		: "UPDATE notify_outbox SET attempts = attempts + 1, next_at = ?2 WHERE id = (SELECT id FROM notify_outbox"
		  " WHERE state = 'queued' AND next_at <= ?1 ORDER BY next_at, id LIMIT 1)"
		  " AND state = 'queued' AND next_at <= ?1 RETURNING id, to_addr, subject, body, attempts";
	return db_rows(db, sql, DB_ARGS(DB_I(now), DB_I(now + NOTIFY_LEASE)), err);
}

int notify_send_due(struct db *db, const struct notify_adapter *ad, int64_t now, int64_t *sent, int64_t *failed,
		    struct dj_error *err)
{
	*sent = *failed = 0;
	bool ready = true;
	if (ad->ready && ad->ready(db, &ready, err))
		return err->code;
	if (!ready)
		return 0;
	for (;;) {
		json_t *rows = claim(db, now, err);
		if (!rows)
			return err->code;
		json_t *r = json_array_get(rows, 0);
		if (!r) {
			json_decref(rows);
			return 0;
		}
		struct dj_error se = {0};
		int64_t id = I(r, "id"), attempts = I(r, "attempts");
		int rc;
		char at[21];
		iso_of(now, at);
		if (ad->send(db, S(r, "to_addr"), S(r, "subject"), S(r, "body"), &se) == 0) {
			(*sent)++;
			rc = db_run(db, "UPDATE notify_outbox SET state = 'sent', sent_at = ?, last_error = NULL WHERE id = ?",
				    DB_ARGS(DB_T(at), DB_I(id)), err);
		} else {
			(*failed)++;
			bool give_up = attempts >= NOTIFY_ATTEMPTS;
			rc = db_run(db, "UPDATE notify_outbox SET state = ?, next_at = ?, last_error = ? WHERE id = ?",
				    DB_ARGS(DB_T(give_up ? "failed" : "queued"),
					    DB_I(give_up ? now : now + retry_after[attempts - 1]),
					    DB_T(se.msg[0] ? se.msg : "发送失败"), DB_I(id)), err);
		}
		json_decref(rows);
		if (rc)
			return rc;
	}
}

json_t *notify_outbox_list(struct db *db, const char *state, int page, int size, struct dj_error *err)
{
	json_t *rows = db_rows(db,
		"SELECT o.id, o.user_id, u.username, o.channel, o.to_addr, o.subject, o.dedupe_key, o.state, o.attempts,"
		" o.next_at, o.last_error, o.created_at, o.sent_at FROM notify_outbox o LEFT JOIN app_user u ON u.id = o.user_id"
		" WHERE (CAST(?1 AS TEXT) IS NULL OR o.state = ?1) ORDER BY o.id DESC LIMIT ?2 OFFSET ?3",
		DB_ARGS(DB_T(state), DB_I(size), DB_I((int64_t)(page - 1) * size)), err);
	int64_t total = 0;
	if (rows && db_int1(db, &total, "SELECT count(*) FROM notify_outbox WHERE (CAST(?1 AS TEXT) IS NULL OR state = ?1)",
			    DB_ARGS(DB_T(state)), err)) {
		json_decref(rows);
		return NULL;
	}
	return rows ? json_pack("{s:o, s:I}", "items", rows, "total", (json_int_t)total) : NULL;
}
