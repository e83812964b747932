/* member.c — validating, adding and changing members. */
#include "member/member.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "core/collate.h"
#include "core/date.h"
#include "core/mem.h"
#include "core/valid.h"
#include "core/setting.h"
#include "crypto/pii.h"
#include "db/db.h"
#include "develop/develop.h"
#include "member/idcard.h"
#include "org/org.h"

static const char *const genders[] = {"male", "female", NULL};

void member_id_card_hash(const char *id_card, char out[65])
{
	char norm[19];
	snprintf(norm, sizeof norm, "%s", id_card);
	if (norm[17] == 'x')
		norm[17] = 'X';
	pii_hash("id_card", norm, out);
}

int member_from_json(json_t *in, struct member_rec *m, struct dj_error *err)
{
	memset(m, 0, sizeof *m);
	if (!json_is_object(in))
		return dj_fail(err, DJ_EINVAL, "", "请求体应为 JSON 对象");
	int rc;
	if ((rc = v_id(in, "org_id", "所在党组织", true, &m->org_id, err)) ||
	    (rc = v_str(in, "name", "姓名", 30, true, &m->name, err)) ||
	    (rc = v_enum(in, "gender", "性别", genders, false, &m->gender, err)) ||
	    (rc = v_str(in, "ethnicity", "民族", 20, false, &m->ethnicity, err)) ||
	    (rc = v_date(in, "birth_date", "出生日期", false, true, &m->birth_date, err)) ||
	    (rc = v_str(in, "id_card", "身份证号", 18, false, &m->id_card, err)) ||
	    (rc = v_str(in, "phone", "联系电话", 20, false, &m->phone, err)) ||
	    (rc = v_str(in, "education", "学历", 20, false, &m->education, err)) ||
	    (rc = v_date(in, "join_date", "入党日期", true, true, &m->join_date, err)) ||
	    (rc = v_date(in, "full_date", "转正日期", false, true, &m->full_date, err)) ||
	    (rc = v_enum(in, "status", "党员类别", member_status_names(), true, &m->status, err)) ||
	    (rc = v_str(in, "position", "党内职务", 50, false, &m->position, err)) ||
	    (rc = v_bool(in, "is_mobile", "流动党员", false, &m->is_mobile, err)) ||
	    (rc = v_str(in, "mobile_place", "外出地点", 100, false, &m->mobile_place, err)) ||
	    (rc = v_date(in, "mobile_since", "外出日期", false, true, &m->mobile_since, err)))
		return rc;
	return 0;
}


int member_check(struct db *db, struct member_rec *m, struct dj_error *err)
{
	int64_t months;
	int rc = setting_get_int(db, "rule.probation_months", 12, &months, err);
	return rc ? rc : member_check_rules(m, (int)months, err);
}

int member_check_rules(struct member_rec *m, int probation_months, struct dj_error *err)
{
	char msg[128];
	if (m->id_card) {
		bool male;
		snprintf(m->id_card_buf, sizeof m->id_card_buf, "%s", m->id_card);
		if (m->id_card_buf[17] == 'x')
			m->id_card_buf[17] = 'X';
		m->id_card = m->id_card_buf;
		if (!idcard_parse(m->id_card, m->birth_buf, &male, msg, sizeof msg))
			return dj_fail(err, DJ_EINVAL, "id_card", "%s", msg);
		if (m->birth_date && strcmp(m->birth_date, m->birth_buf) != 0)
			return dj_fail(err, DJ_EINVAL, "birth_date", "出生日期与身份证号不符（身份证号为%s）", m->birth_buf);
		const char *g = male ? "male" : "female";
		if (m->gender && strcmp(m->gender, g) != 0)
			return dj_fail(err, DJ_EINVAL, "gender", "性别与身份证号不符");
		m->gender = g;
		m->birth_date = m->birth_buf;
	}
	if (!m->gender)
		return dj_fail(err, DJ_EINVAL, "gender", "请填写性别");
	if (!m->birth_date)
		return dj_fail(err, DJ_EINVAL, "birth_date", "请填写出生日期或身份证号");
	if (m->phone && !valid_phone(m->phone))
		return dj_fail(err, DJ_EINVAL, "phone", "联系电话格式不正确（手机号11位，或区号-号码）");
	/* 党章: a member is at least 18 years old when admitted. */
	char adult[11];
	date_add(adult, m->birth_date, 18, 0, 0);
	if (strcmp(m->join_date, adult) < 0)
		return dj_fail(err, DJ_EINVAL, "join_date", "入党时应年满十八周岁（出生日期%s）", m->birth_date);
	if (member_status_parse(m->status) == MEMBER_PROBATIONARY) {
		if (m->full_date)
			return dj_fail(err, DJ_EINVAL, "full_date", "预备党员不应有转正日期");
		date_add(m->probation_end, m->join_date, 0, probation_months, 0);
	} else if (m->full_date && strcmp(m->full_date, m->join_date) < 0) {
		return dj_fail(err, DJ_EINVAL, "full_date", "转正日期不能早于入党日期");
	}
	if (m->is_mobile && !m->mobile_place)
		return dj_fail(err, DJ_EINVAL, "mobile_place", "流动党员请填写外出地点");
	if (!m->is_mobile) {
		m->mobile_place = NULL;
		m->mobile_since = NULL;
	}
	return 0;
}

void member_seal(const struct member_rec *m, int64_t id, struct member_sealed *s, unsigned parts)
{
	s->id = id;
	if ((parts & SEAL_HASHES) && m->id_card && !s->id_card_hash[0])
		member_id_card_hash(m->id_card, s->id_card_hash);
	if ((parts & SEAL_HASHES) && m->phone)
		pii_hash("phone", m->phone, s->phone_hash);
	/* The sealed columns are bound to the row id, so the id comes first. */
	if (parts & SEAL_ID_CARD)
		s->id_card_enc = pii_seal(id, "id_card", m->id_card);
	if (parts & SEAL_PHONE)
		s->phone_enc = pii_seal(id, "phone", m->phone);
	if (parts & SEAL_NAME_KEY)
		s->name_key = collate_key(m->name);
}

void member_sealed_free(struct member_sealed *s)
{
	free(s->name_key);
	free(s->id_card_enc);
	free(s->phone_enc);
	s->name_key = s->id_card_enc = s->phone_enc = NULL;
}

/* The columns of a new member row, and its values in that order (for an
 * INSERT and for a bulk copy alike). */
#define MEMBER_INSERT_COLS                                                                                    \
	"id, org_id, name, name_key, gender, ethnicity, birth_date, id_card_enc, id_card_hash,"                \
	" phone_enc, phone_hash, education, join_date, full_date, status, probation_end, position, is_mobile," \
	" mobile_place, mobile_since, created_at, updated_at"
#define MEMBER_INSERT_VALS(m, s, now)                                                                    \
	DB_ARGS(DB_I((s)->id), DB_I((m)->org_id), DB_T((m)->name), DB_T((s)->name_key), DB_T((m)->gender),  \
		DB_T((m)->ethnicity), DB_T((m)->birth_date), DB_T((s)->id_card_enc), DB_T((s)->id_card_hash), \
		DB_T((s)->phone_enc), DB_T((s)->phone_hash), DB_T((m)->education), DB_T((m)->join_date),      \
		DB_T((m)->full_date), DB_T((m)->status), DB_T((m)->probation_end), DB_T((m)->position),       \
		DB_I((m)->is_mobile), DB_T((m)->mobile_place), DB_T((m)->mobile_since), DB_T(now), DB_T(now))

int member_insert_sealed(struct db *db, const struct member_rec *m, const struct member_sealed *s,
			 struct dj_error *err)
{
	char now[21];
	date_now_iso(now);
	int rc = db_run(db,
		"INSERT INTO member(" MEMBER_INSERT_COLS ")"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		MEMBER_INSERT_VALS(m, s, now), err);
	return rc == DJ_ECONFLICT ? dj_fail(err, DJ_ECONFLICT, "id_card", "该身份证号已登记") : rc;
}

int member_copy_begin(struct db *db, struct db_copy **cp, struct dj_error *err)
{
	return db_copy_begin(db, "member", MEMBER_INSERT_COLS, cp, err);
}

int member_copy_sealed(struct db_copy *cp, const struct member_rec *m, const struct member_sealed *s,
		       struct dj_error *err)
{
	char now[21];
	date_now_iso(now);
	return db_copy_row(cp, MEMBER_INSERT_VALS(m, s, now), err);
}

int member_copy(struct db_copy *cp, const struct member_rec *m, int64_t id, struct dj_error *err)
{
	struct member_sealed s = {0};
	member_seal(m, id, &s, SEAL_ALL);
	int rc = member_copy_sealed(cp, m, &s, err);
	member_sealed_free(&s);
	return rc;
}

int member_insert(struct db *db, const struct member_rec *m, int64_t reserved, int64_t *id, struct dj_error *err)
{
	int rc;
	if (!reserved && (rc = db_reserve_ids(db, "member", 1, &reserved, err)))
		return rc;
	*id = reserved;
	struct member_sealed s = {0};
	member_seal(m, reserved, &s, SEAL_ALL);
	rc = member_insert_sealed(db, m, &s, err);
	member_sealed_free(&s);
	return rc;
}

/* Where a duplicate 身份证号 already stands, said only as far as the actor may
 * see.  The answer tells that the number exists, so it is counted and audited
 * as an exact look-up; the rule (one person, one org) stays. */
static int duplicate_id_card(struct db *db, const struct actor *a, const char *id_card, int64_t except,
			     struct dj_error *err)
{
	char h[65];
	member_id_card_hash(id_card, h);
	json_t *o = db_row(db, "SELECT m.id, m.name, o.name AS org_name FROM member m JOIN org o ON o.id = m.org_id"
			       " WHERE m.id_card_hash = ?", DB_ARGS(DB_T(h)), err);
	if (!o) {
		if (err->code != DJ_ENOTFOUND)
			return err->code;
		dj_error_clear(err);
		return 0;
	}
	int64_t other = json_integer_value(json_object_get(o, "id"));
	int rc = 0;
	if (other != except && !(rc = member_exact_claim(db, a, "member.duplicate", "id_card", id_card, other, err))) {
		struct dj_error se = {0};
		int in_scope = scope_member(db, a, other, &se);
		if (in_scope == 0)
			rc = dj_fail(err, DJ_ECONFLICT, "id_card", "该身份证号已登记：%s（%s）",
				     json_string_value(json_object_get(o, "name")),
				     json_string_value(json_object_get(o, "org_name")));
		else if (in_scope != DJ_ENOTFOUND && in_scope != DJ_EFORBIDDEN)
			rc = dj_fail(err, in_scope, se.field, "%s", se.msg);	/* the scope check failed */
		else
			rc = dj_fail(err, DJ_ECONFLICT, "id_card", "该身份证号已在其他党组织登记，请办理组织关系转接");
	}
	json_decref(o);
	return rc;
}

int member_duplicates_audit(struct db *db, const struct actor *a, int64_t org_id, int64_t n, struct dj_error *err)
{
	int rc = db_begin(db, err);
	if (rc)
		return rc;
	json_t *what = json_pack("{s:I}", "rows", (json_int_t)n);
	rc = audit_write(db, a, "member.import_duplicate", "org", org_id, NULL, what, err);
	json_decref(what);
	return db_end(db, rc, err);
}

int member_create(struct db *db, const struct actor *a, json_t *in, int64_t *id, struct dj_error *err)
{
	struct member_rec m;
	int rc;
	if ((rc = scope_can_manage(a, err)) || (rc = member_from_json(in, &m, err)) ||
	    (rc = org_check_open(db, a, m.org_id, "org_id", err)) || (rc = member_check(db, &m, err)) ||
	    (m.id_card && (rc = duplicate_id_card(db, a, m.id_card, 0, err))))
		return rc;
	if ((rc = db_begin(db, err)))
		return rc;
	db_touch_org(db, m.org_id);	/* the read cache: only this org's subtree and path move */
	rc = member_insert(db, &m, 0, id, err);
	if (!rc) {
		json_t *after = member_masked(db, *id, err);
		rc = after ? audit_write(db, a, "member.create", "member", *id, NULL, after, err) : err->code;
		json_decref(after);
	}
	return db_end(db, rc, err);
}

/* The stored record as an edit compares with it: the columns a request may
 * change, the personal data opened, and probation_end.  `lock`: inside the
 * write's transaction, the row as of the write's lock (PostgreSQL: FOR
 * UPDATE; SQLite: BEGIN IMMEDIATE already holds the one write lock). */
static json_t *stored_row(struct db *db, int64_t id, bool lock, struct dj_error *err)
{
#define STORED_SQL "SELECT org_id, name, gender, ethnicity, birth_date, education, join_date, full_date, status," \
		   " position, is_mobile, mobile_place, mobile_since, id_card_enc, phone_enc, probation_end" \
		   " FROM member WHERE id = ?"
	json_t *cur = db_row(db, lock && db_kind(db) == DB_PG ? STORED_SQL " FOR UPDATE" : STORED_SQL,
			     DB_ARGS(DB_I(id)), err);
#undef STORED_SQL
	if (!cur) {
		if (err->code == DJ_ENOTFOUND)
			dj_fail(err, DJ_ENOTFOUND, "id", "党员不存在");
		return NULL;
	}
	char *idc = pii_open(id, "id_card", json_string_value(json_object_get(cur, "id_card_enc")));
	char *ph = pii_open(id, "phone", json_string_value(json_object_get(cur, "phone_enc")));
	json_object_del(cur, "id_card_enc");
	json_object_del(cur, "phone_enc");
	json_object_set_new(cur, "id_card", idc ? json_string(idc) : json_null());
	json_object_set_new(cur, "phone", ph ? json_string(ph) : json_null());
	free(idc);
	free(ph);
	return cur;
}

/* Absent keys of `in` filled from the stored record, so one validation
 * serves both. */
static json_t *merge_stored(json_t *stored, json_t *in)
{
	json_t *cur = json_copy(stored);
	json_object_del(cur, "probation_end");
	/* The org changes only by a transfer, never by an edit. */
	json_object_del(in, "org_id");
	json_object_update(cur, in);
	return cur;
}

/* The edit as it would stand on `stored`: *full (the merged record, which
 * *m points into; the caller frees it) validated. */
static int edit_on(struct db *db, json_t *stored, json_t *in, json_t **full, struct member_rec *m,
		   struct dj_error *err)
{
	*full = merge_stored(stored, in);
	int rc = member_from_json(*full, m, err);
	return rc ? rc : member_check(db, m, err);
}

/* An edit's SET list: only the columns whose value changes, so SQLite
 * rewrites only the indexes on them (member has 9, mostly cold pages at the
 * province scale, all under the write lock) and the counters' triggers
 * (UPDATE OF status, education …) fire only when theirs change. */
struct member_set {
	char sql[640];
	db_val v[24];
	int n;
	char hid[65], hph[65];
	char *key, *sid, *sph;	/* what the values point to */
};

static void set_col(struct member_set *s, const char *col, db_val v)
{
	size_t len = strlen(s->sql);
	snprintf(s->sql + len, sizeof s->sql - len, "%s%s = ?", s->n ? ", " : "", col);
	s->v[s->n++] = v;
}

static void set_free(struct member_set *s)
{
	free(s->key);
	free(s->sid);
	free(s->sph);
}

/* NULL and "" are both "unset" (DB_T binds both as NULL). */
static bool text_same(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

static bool col_same(json_t *stored, const char *col, const char *now)
{
	return text_same(json_string_value(json_object_get(stored, col)), now);
}

/* The columns of `m` that differ from `stored`, and updated_at. */
static void set_changes(struct member_set *set, json_t *stored, const struct member_rec *m, int64_t id,
			const char *now)
{
	const struct {
		const char *col, *val;
	} texts[] = {
		{"gender", m->gender}, {"ethnicity", m->ethnicity}, {"birth_date", m->birth_date},
		{"education", m->education}, {"join_date", m->join_date}, {"full_date", m->full_date},
		{"status", m->status}, {"probation_end", m->probation_end}, {"position", m->position},
		{"mobile_place", m->mobile_place}, {"mobile_since", m->mobile_since},
	};
	if (!col_same(stored, "name", m->name)) {
		set->key = collate_key(m->name);
		set_col(set, "name", DB_T(m->name));
		set_col(set, "name_key", DB_T(set->key));
	}
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
		if (!col_same(stored, texts[i].col, texts[i].val))
			set_col(set, texts[i].col, DB_T(texts[i].val));
	if (json_integer_value(json_object_get(stored, "is_mobile")) != (m->is_mobile ? 1 : 0))
		set_col(set, "is_mobile", DB_I(m->is_mobile));
	/* Sealed anew (a fresh nonce) only when the number itself changes. */
	if (!col_same(stored, "id_card", m->id_card)) {
		if (m->id_card)
			member_id_card_hash(m->id_card, set->hid);
		set->sid = pii_seal(id, "id_card", m->id_card);
		set_col(set, "id_card_enc", DB_T(set->sid));
		set_col(set, "id_card_hash", DB_T(set->hid));
	}
	if (!col_same(stored, "phone", m->phone)) {
		if (m->phone)
			pii_hash("phone", m->phone, set->hph);
		set->sph = pii_seal(id, "phone", m->phone);
		set_col(set, "phone_enc", DB_T(set->sph));
		set_col(set, "phone_hash", DB_T(set->hph));
	}
	set_col(set, "updated_at", DB_T(now));
}

/* Inside the write's transaction: the row as of its lock is what the edit
 * is judged against, compared with, and audited from, so two edits at once
 * (of different columns) both stand and each record's before is the other's
 * after. */
static int update_locked(struct db *db, const struct actor *a, int64_t id, json_t *in, struct dj_error *err)
{
	json_t *stored = stored_row(db, id, true, err), *full = NULL, *before = NULL;
	if (!stored)
		return err->code;
	struct member_rec m;
	struct member_set set = {.n = 0};
	int rc = edit_on(db, stored, in, &full, &m, err);
	if (!rc && !(before = member_masked(db, id, err)))
		rc = err->code;
	if (!rc) {
		char now[21];
		date_now_iso(now);
		set_changes(&set, stored, &m, id, now);
		set.v[set.n++] = DB_I(id);
		char sql[768];
		snprintf(sql, sizeof sql, "UPDATE member SET %s WHERE id = ?", set.sql);
		db_touch_org(db, json_integer_value(json_object_get(before, "org_id")));
		rc = db_run(db, sql, set.n, set.v, err);
		/* Another member took the number since the check before the write. */
		if (rc == DJ_ECONFLICT)
			rc = dj_fail(err, DJ_ECONFLICT, "id_card", "该身份证号已登记");
	}
	if (!rc) {
		json_t *after = member_masked(db, id, err);
		rc = after ? audit_write(db, a, "member.update", "member", id, before, after, err) : err->code;
		json_decref(after);
	}
	set_free(&set);
	json_decref(before);
	json_decref(full);
	json_decref(stored);
	return rc;
}

int member_update(struct db *db, const struct actor *a, int64_t id, json_t *in, struct dj_error *err)
{
	int rc;
	if (!json_is_object(in))
		return dj_fail(err, DJ_EINVAL, "", "请求体应为 JSON 对象");
	if ((rc = scope_can_manage(a, err)) || (rc = scope_member(db, a, id, err)))
		return rc;
	/* A first look before the write: the request's own errors, and a
	 * 身份证号 another member holds — that look-up is counted and audited in
	 * a transaction of its own, which a rolled-back write must not undo.
	 * The write judges the edit again on the row as of its lock. */
	json_t *stored = stored_row(db, id, false, err), *full = NULL;
	if (!stored)
		return err->code;
	/* The org changes only by a transfer (its letter, both orgs' records):
	 * another org_id here was dropped, the edit answered 200 as if it moved. */
	json_t *org = json_object_get(in, "org_id");
	if (org && !json_equal(org, json_object_get(stored, "org_id"))) {
		json_decref(stored);
		return dj_fail(err, DJ_EINVAL, "org_id", "所在党组织不能在此修改，请办理组织关系转接");
	}
	struct member_rec m;
	if (!(rc = edit_on(db, stored, in, &full, &m, err)) && m.id_card)
		rc = duplicate_id_card(db, a, m.id_card, id, err);
	json_decref(full);
	json_decref(stored);
	if (rc)
		return rc;
#ifdef DJ_TEST_HOOKS
	/* tests/api/member_update: another edit lands between the look and the write. */
	if (getenv("DJ_TEST_SLOW_UPDATE_MS"))
		usleep((useconds_t)atoi(getenv("DJ_TEST_SLOW_UPDATE_MS")) * 1000);
#endif
	if ((rc = db_begin(db, err)))
		return rc;
	rc = update_locked(db, a, id, in, err);
	return db_end(db, rc, err);
}

int member_transfer(struct db *db, const struct actor *a, int64_t id, json_t *in, struct dj_error *err)
{
	int64_t to;
	const char *on_date, *reason;
	int rc;
	if (!json_is_object(in))
		return dj_fail(err, DJ_EINVAL, "", "请求体应为 JSON 对象");
	if ((rc = scope_can_manage(a, err)) || (rc = scope_member(db, a, id, err)) ||
	    (rc = v_id(in, "to_org_id", "转入党组织", true, &to, err)) ||
	    (rc = v_date(in, "on_date", "转接日期", true, true, &on_date, err)) ||
	    (rc = v_str(in, "reason", "转接原因", 200, false, &reason, err)) ||
	    (rc = org_check_open(db, a, to, "to_org_id", err)))
		return rc;
	json_t *before = member_masked(db, id, err);
	if (!before)
		return err->code;
	int64_t from = json_integer_value(json_object_get(before, "org_id"));
	if (from == to) {
		json_decref(before);
		return dj_fail(err, DJ_EINVAL, "to_org_id", "转入党组织与现所在党组织相同");
	}
	char now[21];
	date_now_iso(now);
	json_t *moved = json_array();	/* the development records that go with the member */
	if ((rc = db_begin(db, err)) == 0) {
		db_touch_org(db, from);
		db_touch_org(db, to);
		rc = db_run(db, "INSERT INTO member_transfer(member_id, from_org, to_org, on_date, reason, user_id, created_at)"
				" VALUES (?, ?, ?, ?, ?, ?, ?)",
			    DB_ARGS(DB_I(id), DB_I(from), DB_I(to), DB_T(on_date), DB_T(reason),
				    a->user_id ? DB_I(a->user_id) : DB_NULL, DB_T(now)), err);
		if (!rc)
			rc = db_run(db, "UPDATE member SET org_id = ?, updated_at = ? WHERE id = ?",
				    DB_ARGS(DB_I(to), DB_T(now), DB_I(id)), err);
		if (!rc)
			rc = develop_member_moved(db, id, to, moved, err);
		/* Both orgs are the actor's: sent and accepted at once, kept in the transfer history. */
		if (!rc)
			rc = db_run(db, "INSERT INTO transfer(member_id, kind, status, from_org, to_org, on_date, decided_on, reason,"
					" log_id, user_id, created_at) SELECT member_id, 'inside', 'accepted', from_org, to_org, on_date,"
					" on_date, reason, id, user_id, created_at FROM member_transfer WHERE id ="
					" (SELECT max(id) FROM member_transfer WHERE member_id = ?)", DB_ARGS(DB_I(id)), err);
		if (!rc) {
			json_t *after = member_masked(db, id, err);
			if (after && json_array_size(moved))
				json_object_set(after, "develop_moved", moved);
			rc = after ? audit_write(db, a, "member.transfer", "member", id, before, after, err) : err->code;
			json_decref(after);
		}
		rc = db_end(db, rc, err);
	}
	json_decref(moved);
	json_decref(before);
	return rc;
}

int member_convert(struct db *db, const struct actor *a, int64_t id, json_t *in, struct dj_error *err)
{
	const char *full_date;
	int rc;
	if (!json_is_object(in))
		return dj_fail(err, DJ_EINVAL, "", "请求体应为 JSON 对象");
	if ((rc = scope_can_manage(a, err)) || (rc = scope_member(db, a, id, err)) ||
	    (rc = v_date(in, "full_date", "转正日期", true, true, &full_date, err)))
		return rc;
	/* A member who came through the pipeline (src/develop/) converts by its
	 * steps 22–24; this route stays for those who came without one (DESIGN). */
	json_t *pipe = db_row(db, "SELECT count(*) AS n, count(CASE WHEN status <> 'stopped' THEN 1 END) AS live"
				  " FROM develop_person WHERE member_id = ?", DB_ARGS(DB_I(id)), err);
	if (!pipe)
		return err->code;
	bool piped = json_integer_value(json_object_get(pipe, "n")) > 0;
	bool live = json_integer_value(json_object_get(pipe, "live")) > 0;
	json_decref(pipe);
	/* Back on the roster after an end that stopped the pipeline (转出 and a
	 * letter back): the 上级党委 goes on with it there first (继续发展). */
	if (piped && !live)
		return dj_fail(err, DJ_ECONFLICT, "id", "该党员经发展党员程序入党，其发展党员工作随党员减少而终止：请上级党委在"
			       "“发展党员”中该人员的页面办理“继续发展”后，按第22至24步办理转正");
	if (piped)
		return dj_fail(err, DJ_ECONFLICT, "id", "该党员经发展党员程序入党，请在发展党员中办理转正（第22至24步）");
	json_t *before = member_masked(db, id, err);
	if (!before)
		return err->code;
	enum member_status status = member_status_parse(json_string_value(json_object_get(before, "status")));
	const char *join = json_string_value(json_object_get(before, "join_date"));
	if (status != MEMBER_PROBATIONARY) {
		json_decref(before);
		return dj_fail(err, DJ_ECONFLICT, "status", "该党员已是正式党员");
	}
	if (strcmp(full_date, join) <= 0) {
		json_decref(before);
		return dj_fail(err, DJ_EINVAL, "full_date", "转正日期应晚于入党日期");
	}
	char now[21];
	date_now_iso(now);
	if ((rc = db_begin(db, err)) == 0) {
		db_touch_org(db, json_integer_value(json_object_get(before, "org_id")));
		rc = db_run(db, "UPDATE member SET status = ?, full_date = ?, updated_at = ? WHERE id = ?",
			    DB_ARGS(DB_T(member_status_name(MEMBER_FULL)), DB_T(full_date), DB_T(now), DB_I(id)), err);
		if (!rc) {
			json_t *after = member_masked(db, id, err);
			rc = after ? audit_write(db, a, "member.convert", "member", id, before, after, err) : err->code;
			json_decref(after);
		}
		rc = db_end(db, rc, err);
	}
	json_decref(before);
	return rc;
}
