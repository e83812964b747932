/* member_query.c — reading members: masked by default, whole only on an
 * audited request by a role that needs it. */
#include "member/member.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/date.h"
#include "core/mem.h"
#include "core/setting.h"
#include "crypto/pii.h"
#include "db/db.h"
#include "org/org.h"

#define MEMBER_COLS "m.id, m.org_id, o.name AS org_name, m.name, m.gender, m.ethnicity, m.birth_date," \
	" m.id_card_enc, m.phone_enc, m.education, m.join_date, m.full_date, m.status, m.probation_end," \
	" m.position, m.is_mobile, m.mobile_place, m.mobile_since, m.active, m.created_at, m.updated_at"

/* Replace the sealed columns of a row by their masks. */
static void mask_row(json_t *r)
{
	int64_t id = json_integer_value(json_object_get(r, "id"));
	char *idc = pii_open(id, "id_card", json_string_value(json_object_get(r, "id_card_enc")));
	char *ph = pii_open(id, "phone", json_string_value(json_object_get(r, "phone_enc")));
	char *mi = pii_mask_id_card(idc), *mp = pii_mask_phone(ph);
	json_object_del(r, "id_card_enc");
	json_object_del(r, "phone_enc");
	json_object_set_new(r, "id_card", mi ? json_string(mi) : json_null());
	json_object_set_new(r, "phone", mp ? json_string(mp) : json_null());
	free(idc);
	free(ph);
	free(mi);
	free(mp);
}

json_t *member_masked(struct db *db, int64_t id, struct dj_error *err)
{
	json_t *r = db_row(db, "SELECT " MEMBER_COLS " FROM member m JOIN org o ON o.id = m.org_id WHERE m.id = ?",
			   DB_ARGS(DB_I(id)), err);
	if (r)
		mask_row(r);
	return r;
}

json_t *member_get(struct db *db, const struct actor *a, int64_t id, struct dj_error *err)
{
	if (scope_member(db, a, id, err))
		return NULL;
	json_t *r = member_masked(db, id, err);
	if (!r) {
		if (err->code == DJ_ENOTFOUND)
			dj_fail(err, DJ_ENOTFOUND, "id", "党员不存在");
		return NULL;
	}
	const char *today = a->today;
	const char *birth = json_string_value(json_object_get(r, "birth_date"));
	if (birth) {
		int64_t age = date_diff(birth, today) / 365;	/* shown as whole years; a day off at birthdays is fine */
		char b[11];
		date_add(b, birth, (int)age + 1, 0, 0);
		if (strcmp(b, today) <= 0)
			age++;
		json_object_set_new(r, "age", json_integer(age));
	}
	/* 党龄 counts from the day a member became a full member. */
	const char *full = json_string_value(json_object_get(r, "full_date"));
	if (full) {
		int y1, m1, d1, y2, m2, d2;
		date_parse(full, &y1, &m1, &d1);
		date_parse(today, &y2, &m2, &d2);
		int years = y2 - y1 - ((m2 < m1 || (m2 == m1 && d2 < d1)) ? 1 : 0);
		json_object_set_new(r, "party_years", json_integer(years < 0 ? 0 : years));
	}
	json_t *t = db_rows(db, "SELECT t.id, t.on_date, t.reason, t.from_org, f.name AS from_org_name, t.to_org,"
				" o.name AS to_org_name FROM member_transfer t JOIN org f ON f.id = t.from_org"
				" JOIN org o ON o.id = t.to_org WHERE t.member_id = ? ORDER BY t.on_date DESC, t.id DESC",
			    DB_ARGS(DB_I(id)), err);
	if (!t) {
		json_decref(r);
		return NULL;
	}
	json_object_set_new(r, "transfers", t);
	json_object_set_new(r, "can_reveal", json_boolean(a->role != ROLE_MEMBER || a->member_id == id));
	return r;
}

json_t *member_reveal(struct db *db, const struct actor *a, int64_t id, const char *field, struct dj_error *err)
{
	if (!field || (strcmp(field, "id_card") != 0 && strcmp(field, "phone") != 0)) {
		dj_fail(err, DJ_EINVAL, "field", "只能查看身份证号（id_card）或联系电话（phone）");
		return NULL;
	}
	if (scope_member(db, a, id, err))
		return NULL;
	return member_reveal_sealed(db, a, "member", "member.reveal", id, field, err);
}

json_t *member_reveal_sealed(struct db *db, const struct actor *a, const char *table, const char *action, int64_t id,
			     const char *field, struct dj_error *err)
{
	char *sealed = NULL;
	char sql[96];
	snprintf(sql, sizeof sql, "SELECT %s_enc FROM %s WHERE id = ?", field, table);
	if (db_text1(db, &sealed, sql, DB_ARGS(DB_I(id)), err))
		return NULL;
	char *plain = pii_open(id, field, sealed);
	bool broken = sealed && !plain;
	free(sealed);
	if (broken) {
		dj_fail(err, DJ_EIO, field, "个人信息无法解密（密钥文件与数据库不匹配）");
		return NULL;
	}
	/* The view itself is a recorded event, with no copy of the value. */
	json_t *what = json_pack("{s:s}", "field", field);
	int rc = db_begin(db, err);
	if (!rc)
		rc = db_end(db, audit_write(db, a, action, table, id, NULL, what, err), err);
	json_decref(what);
	if (rc) {
		free(plain);
		return NULL;
	}
	json_t *out = json_pack("{s:s, s:s?}", "field", field, "value", plain);
	free(plain);
	return out;
}

static bool all_digits(const char *s, size_t n, bool x_last)
{
	if (strlen(s) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]) && !(x_last && i == n - 1 && (s[i] == 'X' || s[i] == 'x')))
			return false;
	return true;
}

/* An exact 身份证号 or phone search answers "is this the number?", so each one
 * is counted against the account's hourly allowance and audited with the
 * masked value only.  The count is one upsert in the database: it holds with
 * several servers, and the clock's hour (not DANGJIAN_TODAY) is the window. */
int member_exact_claim(struct db *db, const struct actor *a, const char *action, const char *field, const char *value,
		       int64_t found, struct dj_error *err)
{
	int64_t limit, hour = date_now_unix() / 3600, n = 0;
	int rc = setting_get_int(db, "auth.exact_search_per_hour", 20, &limit, err);
	if (rc || (rc = db_begin(db, err)))
		return rc;
	rc = db_int1(db, &n, "INSERT INTO exact_search_count(user_id, hour, n) VALUES (?, ?, 1)"
			     " ON CONFLICT (user_id, hour) DO UPDATE SET n = exact_search_count.n + 1 RETURNING n",
		     DB_ARGS(DB_I(a->user_id), DB_I(hour)), err);
	if (!rc && n == 1)	/* an account's first search in an hour clears its older windows */
		rc = db_run(db, "DELETE FROM exact_search_count WHERE user_id = ? AND hour < ?",
			    DB_ARGS(DB_I(a->user_id), DB_I(hour)), err);
	bool refused = n > limit;
	if (!rc) {
		char *masked = strcmp(field, "id_card") == 0 ? pii_mask_id_card(value) : pii_mask_phone(value);
		json_t *what = json_pack("{s:s, s:s?, s:I, s:I, s:b}", "field", field, "masked", masked, "count",
					 (json_int_t)n, "limit", (json_int_t)limit, "refused", refused);
		rc = audit_write(db, a, action, "member", found, NULL, what, err);
		json_decref(what);
		free(masked);
	}
	if ((rc = db_end(db, rc, err)))
		return rc;
	if (refused)
		return dj_fail(err, DJ_ELIMIT, strcmp(action, "member.exact_search") == 0 ? "q" : field, "按身份证号或手机号精确查询过于频繁（每小时最多%lld次），请稍后再试",
			       (long long)limit);
	return 0;
}

json_t *member_list(struct db *db, const struct actor *a, const struct member_filter *f, struct dj_error *err)
{
	int64_t root = f->org_id;
	int64_t self = 0;
	if (a->role == ROLE_MEMBER) {
		self = a->member_id ? a->member_id : -1;	/* a member sees only their own record */
		int64_t own = 0;
		bool within = false;
		if (db_int1(db, &own, "SELECT coalesce((SELECT org_id FROM member WHERE id = ?), 0)", DB_ARGS(DB_I(self)),
			    err) ||
		    (f->org_id && org_contains(db, f->org_id, own, &within, err)))
			return NULL;
		if (f->org_id && !within) {
			dj_fail(err, DJ_ENOTFOUND, "org", "党组织不存在或不在您的管理范围内");
			return NULL;
		}
		root = 0;
	} else if ((!root && scope_root_of(db, a, &root, err)) || scope_org(db, a, root, err)) {
		return NULL;
	}
	/* An 18-character or 11-digit query is an exact 身份证号 / phone lookup by keyed hash. */
	char hid[65] = "", hph[65] = "";
	char *like = NULL;
	if (f->q && all_digits(f->q, 18, true)) {
		if (member_exact_claim(db, a, "member.exact_search", "id_card", f->q, 0, err))
			return NULL;
		member_id_card_hash(f->q, hid);
	} else if (f->q && all_digits(f->q, 11, false)) {
		if (member_exact_claim(db, a, "member.exact_search", "phone", f->q, 0, err))
			return NULL;
		pii_hash("phone", f->q, hph);
	} else {
		like = db_like_pattern(f->q);
	}
	const char *order = "m.name_key, m.id";
	if (f->sort && strcmp(f->sort, "join_date") == 0)
		order = "m.join_date, m.id";
	else if (f->sort && strcmp(f->sort, "birth_date") == 0)
		order = "m.birth_date, m.id";
	struct db_where w = {0};
	db_where_add(&w, "m.active = 1", DB_NOARGS);
	if (self)
		db_where_add(&w, "m.id = ?", DB_ARGS(DB_I(self)));
	if (hid[0])
		db_where_add(&w, "m.id_card_hash = ?", DB_ARGS(DB_T(hid)));
	if (hph[0])
		db_where_add(&w, "m.phone_hash = ?", DB_ARGS(DB_T(hph)));
	if (like)
		db_where_add(&w, "m.name LIKE ? ESCAPE '\\'", DB_ARGS(DB_T(like)));
	if (f->status)
		db_where_add(&w, "m.status = ?", DB_ARGS(DB_T(f->status)));
	if (f->mobile >= 0)
		db_where_add(&w, "m.is_mobile = ?", DB_ARGS(DB_I(f->mobile)));
	int nfilter = w.n;
	if (root && f->direct)
		db_where_add(&w, "m.org_id = ?", DB_ARGS(DB_I(root)));
	else if (root)
		db_where_add(&w, ORG_IN_SUBTREE("m.org_id", "?"), DB_ARGS(DB_I(root)));
	/* Without filters the total is the sum of the counts kept per org
	 * (member_count, migration 8) rather than a recount of the subtree. */
	char *csql = nfilter ? xasprintf("SELECT count(*) FROM member m%s", db_where_sql(&w))
		: xstrdup(!root ? "SELECT coalesce(sum(n), 0) FROM member_count"
			  : f->direct ? "SELECT coalesce(sum(n), 0) FROM member_count WHERE org_id = ?"
			  : "SELECT coalesce(sum(n), 0) FROM member_count WHERE " ORG_IN_SUBTREE("org_id", "?"));
	int64_t total = 0;
	json_t *out = NULL;
	if (db_int1(db, &total, csql, nfilter ? w.n : root ? 1 : 0, w.args, err) == 0) {
		/* Over a big subtree the sorted index walk beats fetching the subtree
		 * and sorting it; `+` keeps SQLite off the org index (a no-op in PG). */
		if (root && !f->direct && nfilter == 0 && total > 2000) {
			db_where_free(&w);
			db_where_add(&w, "m.active = 1", DB_NOARGS);
			db_where_add(&w, ORG_IN_SUBTREE("+m.org_id", "?"),
				     DB_ARGS(DB_I(root)));
		}
		db_where_arg(&w, DB_I(f->size));
		db_where_arg(&w, DB_I((int64_t)(f->page - 1) * f->size));
		char *lsql = xasprintf("SELECT " MEMBER_COLS " FROM member m JOIN org o ON o.id = m.org_id%s"
				       " ORDER BY %s LIMIT ? OFFSET ?", db_where_sql(&w), order);
		json_t *items = db_rows(db, lsql, w.n, w.args, err);
		free(lsql);
		if (items) {
			size_t i;
			json_t *r;
			json_array_foreach(items, i, r)
				mask_row(r);
			out = json_pack("{s:o, s:I, s:i, s:i}", "items", items, "total", (json_int_t)total, "page",
					f->page, "size", f->size);
		}
	}
	db_where_free(&w);
	free(csql);
	free(like);
	return out;
}

/* A member's org on date D is the from_org of their first transfer after D,
 * or their current org when there is none. */
#define ORG_AT "coalesce((SELECT t.from_org FROM member_transfer t WHERE t.member_id = m.id AND t.on_date > ?2" \
	" ORDER BY t.on_date, t.id LIMIT 1), m.org_id)"

json_t *member_roster_at(struct db *db, int64_t org_id, const char *date, struct dj_error *err)
{
	return db_rows(db, "SELECT m.id, m.name, ?1 AS org_id FROM member m WHERE (m.active = 1 OR m.id IN (SELECT e.member_id FROM"
			   " member_end e WHERE e.on_date > ?2 AND e.back_on IS NULL)) AND m.join_date <= ?2"
			   " AND m.id IN (SELECT id FROM member WHERE org_id = ?1 UNION"
			   " SELECT member_id FROM member_transfer WHERE from_org = ?1 AND on_date > ?2)"
			   " AND " ORG_AT " = ?1 ORDER BY m.name_key, m.id",
		       DB_ARGS(DB_I(org_id), DB_T(date)), err);
}

int member_org_on(struct db *db, int64_t member_id, const char *date, int64_t *org, struct dj_error *err)
{
	/* The outer SELECT always has a row: not joined yet reads as 0. */
	*org = 0;
	return db_int1(db, org, "SELECT coalesce((SELECT " ORG_AT " FROM member m WHERE m.id = ?1 AND m.join_date <= ?2), 0)",
		       DB_ARGS(DB_I(member_id), DB_T(date)), err);
}
