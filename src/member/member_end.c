/* member_end.c — how a membership ends: 死亡, 出党 (开除党籍, 劝退, 除名,
 * 自行脱党), 停止党籍, 转出.  An event with a date, a reason and a document;
 * the member leaves the roster (active = 0, so member_count follows) and is
 * never deleted: figures as of a day before the event still count them. */
#include "member/member_roster.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attach/attach.h"
#include "audit/audit.h"
#include "core/date.h"
#include "core/valid.h"
#include "db/db.h"
#include "develop/develop.h"
#include "member/member.h"
#include "org/org.h"

static const struct {
	const char *code, *label;
	bool discipline;	/* 出党: not by a 临时党支部 */
} reasons[] = {
	{"death", "死亡", false},
	{"expulsion", "开除党籍", true},
	{"persuaded", "劝退", true},
	{"removal", "除名", true},
	{"lapse", "自行脱党", true},
	{"suspension", "停止党籍", false},
	{"transfer_out", "转出", false},
	/* not_admitted only through the pipeline (the 上级党委 refused the
	 * admission, step 17); probation_cancelled through it for a person it
	 * admitted (src/develop/develop_stop.c), here for a 预备党员 who came
	 * without one (imported at go-live). */
	{"not_admitted", "上级党委未批准接收为预备党员", false},
	{"probation_cancelled", "取消预备党员资格", false},
};
static const char *const reason_codes[] = {"death", "expulsion", "persuaded", "removal", "lapse", "suspension",
					   "transfer_out", "not_admitted", "probation_cancelled", NULL};
#define NREASONS (sizeof reasons / sizeof reasons[0])

const char *roster_end_label(const char *reason)
{
	for (size_t i = 0; reason && i < NREASONS; i++)
		if (strcmp(reasons[i].code, reason) == 0)
			return reasons[i].label;
	return NULL;
}

static bool discipline(const char *reason)
{
	for (size_t i = 0; i < NREASONS; i++)
		if (strcmp(reasons[i].code, reason) == 0)
			return reasons[i].discipline;
	return false;
}

int roster_end_tx(struct db *db, const struct actor *a, int64_t member_id, const char *reason, const char *on_date,
		  const char *note, const char *doc_no, int64_t transfer_id, int64_t *id, json_t **fold,
		  struct dj_error *err)
{
	json_t *before = member_masked(db, member_id, err);
	if (!before)
		return err->code == DJ_ENOTFOUND ? dj_fail(err, DJ_ENOTFOUND, "member_id", "党员不存在") : err->code;
	int rc = 0;
	int64_t org = json_integer_value(json_object_get(before, "org_id"));
	const char *join = json_string_value(json_object_get(before, "join_date"));
	char now[21];
	date_now_iso(now);
	if (!json_integer_value(json_object_get(before, "active")))
		rc = dj_fail(err, DJ_ECONFLICT, "member_id", "该党员已不在册（党籍已终止或已转出），不能重复办理");
	else if (strcmp(on_date, join) < 0)
		rc = dj_fail(err, DJ_EINVAL, "on_date", "日期不能早于入党日期（%s）", join);
	else if (strcmp(on_date, a->today) > 0)
		rc = dj_fail(err, DJ_EINVAL, "on_date", "日期不能晚于今天");
	/* Back on the roster after an end (a letter received back): a new end
	 * cannot precede the day they came back. */
	char *back = NULL;
	if (!rc && (rc = db_text1(db, &back, "SELECT max(back_on) FROM member_end WHERE member_id = ?",
				  DB_ARGS(DB_I(member_id)), err)) == DJ_ENOTFOUND) {
		dj_error_clear(err);
		rc = 0;
	}
	if (!rc && back && strcmp(on_date, back) < 0)
		rc = dj_fail(err, DJ_EINVAL, "on_date", "日期不能早于该党员回到党员名册的日期（%s）", back);
	free(back);
	if (!rc && !transfer_id) {
		/* A pending transfer decides first (accept it, or have it returned). */
		int64_t pending = 0;
		rc = db_int1(db, &pending, "SELECT count(*) FROM transfer WHERE member_id = ? AND status = 'pending'",
			     DB_ARGS(DB_I(member_id)), err);
		if (!rc && pending)
			rc = dj_fail(err, DJ_ECONFLICT, "member_id", "该党员有待接收的组织关系转接，请先办结");
	}
	if (!rc && discipline(reason)) {
		char *kind = NULL;
		rc = db_text1(db, &kind, "SELECT kind FROM org WHERE id = ?", DB_ARGS(DB_I(org)), err);
		if (!rc && org_kind_parse(kind) == ORG_TEMPORARY_BRANCH)
			rc = dj_fail(err, DJ_EINVAL, "reason", "临时党支部不能处置党员党籍（出党须由党员组织关系所在党组织办理）");
		free(kind);
	}
	/* The read cache: the member's org, and the host org of a hosting that ends below. */
	int64_t host = 0;
	if (!rc)
		rc = db_int1(db, &host, "SELECT coalesce(max(host_org), 0) FROM mobile_hosting WHERE member_id = ?"
					" AND ended_on IS NULL", DB_ARGS(DB_I(member_id)), err);
	if (!rc) {
		db_touch_org(db, org);
		if (host)
			db_touch_org(db, host);
	}
	if (!rc)
		rc = db_int1(db, id, "INSERT INTO member_end(member_id, org_id, reason, on_date, note, doc_no, transfer_id,"
				     " user_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			     DB_ARGS(DB_I(member_id), DB_I(org), DB_T(reason), DB_T(on_date), DB_T(note), DB_T(doc_no),
				     transfer_id ? DB_I(transfer_id) : DB_NULL, a->user_id ? DB_I(a->user_id) : DB_NULL,
				     DB_T(now)), err);
	/* A mobile member's hosting ends with the membership. */
	if (!rc)
		rc = db_run(db, "UPDATE mobile_hosting SET ended_on = ? WHERE member_id = ? AND ended_on IS NULL",
			    DB_ARGS(DB_T(on_date), DB_I(member_id)), err);
	if (!rc)
		rc = db_run(db, "UPDATE member SET active = 0, updated_at = ? WHERE id = ?",
			    DB_ARGS(DB_T(now), DB_I(member_id)), err);
	/* A member still in the development pipeline (a 预备党员, or a 正式党员
	 * before 材料归档) leaves it with the membership, whatever the way:
	 * the pipeline's own ends (not_admitted, probation_cancelled) stop it
	 * there (develop_cancel). */
	if (!rc && strcmp(reason, "not_admitted") != 0 && strcmp(reason, "probation_cancelled") != 0)
		rc = develop_member_ended(db, a, member_id, reason, on_date, note, err);
	json_t *end = rc ? NULL : json_pack("{s:I, s:I, s:s, s:s, s:s, s:s?}", "id", (json_int_t)*id, "member_id",
					    (json_int_t)member_id, "reason", reason, "on_date", on_date, "note", note,
					    "doc_no", doc_no);
	if (!rc && fold) {
		*fold = end;	/* the caller's audit record carries it */
		end = NULL;
	} else if (!rc) {
		json_t *after = member_masked(db, member_id, err);
		if (after) {
			json_object_set(after, "end", end);
			rc = audit_write(db, a, "member.end", "member", member_id, before, after, err);
			json_decref(after);
		} else {
			rc = err->code;
		}
	}
	json_decref(end);
	json_decref(before);
	return rc;
}

/* 取消预备党员资格 of a member (第三十四、三十五条: 支部大会决议, 上级党委
 * 批准): a 预备党员 only; one the pipeline admitted is cancelled there, so
 * that their development record ends with them; the decision is the 上级
 * 党委's (as the pipeline's step 24: an org admin of a 党委 above the
 * member's org, or an administrator). */
static int probation_cancellable(struct db *db, const struct actor *a, int64_t member_id, struct dj_error *err)
{
	json_t *m = db_row(db, "SELECT status, active, org_id FROM member WHERE id = ?", DB_ARGS(DB_I(member_id)), err);
	if (!m)
		return err->code;
	int64_t org = json_integer_value(json_object_get(m, "org_id")), piped = 0;
	bool active = json_integer_value(json_object_get(m, "active"));
	int rc = 0;
	if (active && member_status_parse(json_string_value(json_object_get(m, "status"))) != MEMBER_PROBATIONARY)
		rc = dj_fail(err, DJ_ECONFLICT, "reason", "该党员是正式党员，不能取消预备党员资格（只适用于预备党员）");
	if (!rc && !(rc = db_int1(db, &piped, "SELECT coalesce(max(id), 0) FROM develop_person WHERE member_id = ?"
					      " AND status <> 'stopped'", DB_ARGS(DB_I(member_id)), err)) && piped)
		rc = dj_fail(err, DJ_EINVAL, "reason", "该党员经发展党员程序入党，取消预备党员资格请在“发展党员”中"
			     "该人员的页面办理（由上级党委审批）");
	bool above = a->role == ROLE_ADMIN;
	char *kind = NULL;
	if (!rc && !above && a->role == ROLE_ORG_ADMIN && a->org_id != org &&
	    !(rc = org_contains(db, a->org_id, org, &above, err)) && above &&
	    !(rc = db_text1(db, &kind, "SELECT kind FROM org WHERE id = ?", DB_ARGS(DB_I(a->org_id)), err))) {
		enum org_kind k = org_kind_parse(kind);
		above = k == ORG_COMMITTEE || k == ORG_INDUSTRY_COMMITTEE || k == ORG_PARTY_GROUP;
	}
	if (!rc && !above)
		rc = dj_fail(err, DJ_EFORBIDDEN, "reason", "取消预备党员资格由上级党委审批（上级党委的组织管理员或系统管理员办理）");
	free(kind);
	json_decref(m);
	return rc;
}

int roster_end(struct db *db, const struct actor *a, int64_t member_id, json_t *in, int64_t *id, struct dj_error *err)
{
	const char *reason, *on_date, *note, *doc_no;
	int rc;
	if (!json_is_object(in))
		return dj_fail(err, DJ_EINVAL, "", "请求体应为 JSON 对象");
	if ((rc = scope_can_manage(a, err)) || (rc = scope_member(db, a, member_id, err)) ||
	    (rc = v_enum(in, "reason", "原因", reason_codes, true, &reason, err)) ||
	    (rc = v_date(in, "on_date", "日期", true, false, &on_date, err)) ||
	    (rc = v_str(in, "note", "事由", 500, true, &note, err)) ||
	    (rc = v_str(in, "doc_no", "文件文号", 100, false, &doc_no, err)))
		return rc;
	if (strcmp(reason, "transfer_out") == 0)
		return dj_fail(err, DJ_EINVAL, "reason", "转出请通过组织关系转接办理（开具介绍信）");
	if (strcmp(reason, "not_admitted") == 0)
		return dj_fail(err, DJ_EINVAL, "reason", "“上级党委未批准接收为预备党员”在发展党员工作中办理（第17步），"
			       "在册党员不适用；不具备党员条件的预备党员请选择“取消预备党员资格”");
	bool cancel = strcmp(reason, "probation_cancelled") == 0;
	if ((rc = db_begin(db, err)))
		return rc;
	if (cancel && !(rc = probation_cancellable(db, a, member_id, err)) && !doc_no)
		rc = dj_fail(err, DJ_EINVAL, "doc_no", "取消预备党员资格须经上级党委批准，请填写上级党委批复文号");
	if (!rc)
		rc = roster_end_tx(db, a, member_id, reason, on_date, note, doc_no, 0, id, NULL, err);
	return db_end(db, rc, err);
}

#define END_COLS "e.id, e.member_id, m.name, e.org_id, o.name AS org_name, e.reason, e.on_date, e.note, e.doc_no," \
	" e.transfer_id, e.back_on, e.created_at"

static void label_rows(json_t *rows)
{
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		const char *l = roster_end_label(json_string_value(json_object_get(r, "reason")));
		json_object_set_new(r, "reason_label", l ? json_string(l) : json_null());
	}
}

json_t *roster_end_list(struct db *db, const struct actor *a, int64_t org, int64_t member, const char *reason,
			int page, int size, struct dj_error *err)
{
	if (a->role == ROLE_MEMBER) {
		dj_fail(err, DJ_EFORBIDDEN, "", "党员账号不能查看");
		return NULL;
	}
	if (reason && !roster_end_label(reason)) {
		dj_fail(err, DJ_EINVAL, "reason", "原因不正确");
		return NULL;
	}
	if ((!org && scope_root_of(db, a, &org, err)) || scope_org(db, a, org, err))
		return NULL;
	struct db_where w = {0};
	db_where_add(&w, ORG_IN_SUBTREE("e.org_id", "?"), DB_ARGS(DB_I(org)));
	if (member)
		db_where_add(&w, "e.member_id = ?", DB_ARGS(DB_I(member)));
	if (reason)
		db_where_add(&w, "e.reason = ?", DB_ARGS(DB_T(reason)));
	int64_t total = 0;
	char sql[1024];
	snprintf(sql, sizeof sql, "SELECT count(*) FROM member_end e%s", db_where_sql(&w));
	json_t *out = NULL;
	if (!db_int1(db, &total, sql, w.n, w.args, err)) {
		db_where_arg(&w, DB_I(size));
		db_where_arg(&w, DB_I((int64_t)(page - 1) * size));
		snprintf(sql, sizeof sql, "SELECT " END_COLS " FROM member_end e JOIN member m ON m.id = e.member_id"
			 " JOIN org o ON o.id = e.org_id%s ORDER BY e.on_date DESC, e.id DESC LIMIT ? OFFSET ?",
			 db_where_sql(&w));
		json_t *items = db_rows(db, sql, w.n, w.args, err);
		if (items) {
			label_rows(items);
			out = json_pack("{s:o, s:I, s:i, s:i}", "items", items, "total", (json_int_t)total, "page", page,
					"size", size);
		}
	}
	db_where_free(&w);
	return out;
}

/* The event's org (where the member was) decides who sees its documents. */
int roster_end_attachment_scope(struct db *db, const struct actor *a, const char *entity, int64_t entity_id,
				bool write, struct dj_error *err)
{
	(void)entity;
	int64_t org = 0;
	bool in = false;
	int rc = db_int1(db, &org, "SELECT org_id FROM member_end WHERE id = ?", DB_ARGS(DB_I(entity_id)), err);
	if (!rc && a->role != ROLE_MEMBER)
		rc = scope_has_org(db, a, org, &in, err);
	if (rc == DJ_ENOTFOUND || (!rc && !in))
		return dj_fail(err, DJ_ENOTFOUND, "id", "记录不存在或不在您的管理范围内");
	if (!rc && write && (rc = scope_can_manage(a, err)))
		return rc;
	return rc;
}

int roster_end_attach(struct db *db, const struct actor *a, int64_t id, const char *filename, const void *data,
		      size_t len, int64_t *att_id, struct dj_error *err)
{
	int rc;
	if ((rc = roster_end_attachment_scope(db, a, "member_end", id, true, err)))
		return rc;
	if (!filename || !*filename)
		return dj_fail(err, DJ_EINVAL, "filename", "请提供文件名");
	if ((rc = db_begin(db, err)))
		return rc;
	rc = attach_store(db, a, "member_end", id, filename, data, len, att_id, err);
	if (!rc) {
		json_t *what = json_pack("{s:s, s:I, s:I}", "filename", filename, "size", (json_int_t)len, "attachment_id",
					 (json_int_t)*att_id);
		rc = audit_write(db, a, "member.end_attach", "member_end", id, NULL, what, err);
		json_decref(what);
	}
	return db_end(db, rc, err);
}
