/* member_roster_gen.c — the member module's generator step: the roster's
 * movements of the generated years — transfers inside the platform (most
 * accepted, a few still waiting), letters to orgs outside it (some receipts
 * never came back), mobile members hosted by a 流动党员党支部 of another unit
 * with their yearly reports (a few missing), and a few memberships ended
 * (死亡, 自行脱党, 除名, 停止党籍 …).  Written directly, as the domain calls
 * would write them; officers (they hold the demo's accounts) are left alone. */
#include "member/member_roster.h"

#include <stdio.h>
#include <string.h>

#include "core/date.h"
#include "db/db.h"
#include "gen/gen.h"

static const char *const places_out[] = {"中共广东省交通运输厅机关委员会", "中共北京市朝阳区委组织部",
	"中共上海市浦东新区交通委员会委员会", "中共四川省成都市交通运输局委员会", "中共浙江省杭州市拱墅区委组织部"};
static const char *const places_away[] = {"广东省广州市白云区", "浙江省杭州市萧山区", "江苏省苏州市工业园区", "上海市浦东新区",
	"四川省成都市双流区", "北京市大兴区"};
static const char *const end_reasons[] = {"death", "death", "lapse", "removal", "suspension", "expulsion", "persuaded"};
static const char *const end_notes[] = {"因病去世", "因病去世", "连续六个月不参加党的组织生活、不交纳党费",
	"理想信念缺失，经教育仍无转变", "受留党察看处分期间", "严重违反党的纪律", "丧失党员条件，经教育仍无转变"};

/* Ordinary members (no office) in random order, `n` of them: [{id, org_id, join_date, is_mobile, mobile_place, mobile_since}]. */
static json_t *pick(struct gen *g, int64_t n, const char *cond, struct dj_error *err)
{
	char sql[768];
	snprintf(sql, sizeof sql, "SELECT m.id, m.org_id, m.join_date, m.is_mobile, m.mobile_place, m.mobile_since FROM member m"
		 " JOIN org o ON o.id = m.org_id WHERE m.active = 1 AND m.position IS NULL AND o.status = 'active' AND"
		 " NOT EXISTS (SELECT 1 FROM org_officer f WHERE f.member_id = m.id) AND"
		 " NOT EXISTS (SELECT 1 FROM transfer t WHERE t.member_id = m.id) AND %s"
		 " ORDER BY (m.id * ?) %% 1000003, m.id LIMIT ?", cond);
	return db_rows(g->db, sql, DB_ARGS(DB_I(rng_range(&g->r, 1000, 900000)), DB_I(n)), err);
}

static void back(char out[11], const char *today, int64_t days)
{
	date_add(out, today, 0, 0, -(int)days);
}

/* Not before `floor` (a member's join date). */
static void not_before(char d[11], const char *floor)
{
	if (strcmp(d, floor) < 0)
		snprintf(d, 11, "%s", floor);
}

static int transfers(struct gen *g, int64_t members, int64_t *n, struct dj_error *err)
{
	json_t *rows = pick(g, members / 120 + 3, "m.is_mobile = 0 AND o.kind = 'branch'", err);
	if (!rows)
		return err->code;
	int rc = 0;
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		int64_t id = json_integer_value(json_object_get(r, "id")), from = json_integer_value(json_object_get(r, "org_id"));
		const char *join = json_string_value(json_object_get(r, "join_date"));
		int64_t to = 0;
		if ((rc = db_int1(g->db, &to, "SELECT coalesce((SELECT id FROM org WHERE kind = 'branch' AND status = 'active'"
					      " AND id <> ? ORDER BY (id * ?) % 1009, id LIMIT 1), 0)",
				  DB_ARGS(DB_I(from), DB_I(rng_range(&g->r, 1, 1000))), err)))
			break;
		if (!to)
			continue;
		char on[11], decided[11], now[21];
		date_now_iso(now);
		bool pending = i % 8 == 1;
		back(on, g->today, pending ? rng_range(&g->r, 1, 40) : rng_range(&g->r, 30, g->years * 330));
		not_before(on, join);
		date_add(decided, on, 0, 0, (int)rng_range(&g->r, 2, 25));
		if (strcmp(decided, g->today) > 0)
			memcpy(decided, g->today, 11);
		if (pending) {
			rc = db_run(g->db, "INSERT INTO transfer(member_id, kind, status, from_org, to_org, on_date, reason, created_at)"
					   " VALUES (?, 'inside', 'pending', ?, ?, ?, '工作调动', ?)",
				    DB_ARGS(DB_I(id), DB_I(from), DB_I(to), DB_T(on), DB_T(now)), err);
		} else {
			int64_t log = 0;
			rc = db_int1(g->db, &log, "INSERT INTO member_transfer(member_id, from_org, to_org, on_date, reason, created_at)"
						  " VALUES (?, ?, ?, ?, '工作调动', ?) RETURNING id",
				     DB_ARGS(DB_I(id), DB_I(from), DB_I(to), DB_T(decided), DB_T(now)), err);
			if (!rc)
				rc = db_run(g->db, "UPDATE member SET org_id = ? WHERE id = ?", DB_ARGS(DB_I(to), DB_I(id)), err);
			if (!rc)
				rc = db_run(g->db, "INSERT INTO transfer(member_id, kind, status, from_org, to_org, on_date, decided_on,"
						   " reason, log_id, created_at) VALUES (?, 'inside', 'accepted', ?, ?, ?, ?, '工作调动', ?, ?)",
					    DB_ARGS(DB_I(id), DB_I(from), DB_I(to), DB_T(on), DB_T(decided), DB_I(log), DB_T(now)), err);
		}
		if (rc)
			break;
		(*n)++;
	}
	json_decref(rows);
	return rc;
}

static int letters_out(struct gen *g, int64_t members, int64_t *n, struct dj_error *err)
{
	json_t *rows = pick(g, members / 250 + 3, "m.is_mobile = 0 AND o.kind <> 'temporary_branch'", err);
	if (!rows)
		return err->code;
	int rc = 0;
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		int64_t id = json_integer_value(json_object_get(r, "id")), from = json_integer_value(json_object_get(r, "org_id"));
		const char *join = json_string_value(json_object_get(r, "join_date"));
		char on[11], until[11], receipt[11], now[21], letter[64];
		date_now_iso(now);
		back(on, g->today, rng_range(&g->r, 20, g->years * 360));
		not_before(on, join);
		date_add(until, on, 0, 3, 0);
		date_add(receipt, on, 0, 0, (int)rng_range(&g->r, 7, 80));
		bool back_in = i % 3 != 0 && strcmp(receipt, g->today) <= 0;	/* a third never came back */
		snprintf(letter, sizeof letter, "组转字〔%.4s〕%03zu号", on, i + 1);
		const char *place = places_out[rng_range(&g->r, 0, 4)];
		int64_t tid = 0;
		rc = db_int1(g->db, &tid, "INSERT INTO transfer(member_id, kind, status, from_org, place, letter_no, on_date,"
					  " valid_until, receipt_on, reason, created_at) VALUES (?, 'out', ?, ?, ?, ?, ?, ?, ?, '工作调动', ?)"
					  " RETURNING id",
			     DB_ARGS(DB_I(id), DB_T(back_in ? "received" : "issued"), DB_I(from), DB_T(place), DB_T(letter),
				     DB_T(on), DB_T(until), back_in ? DB_T(receipt) : DB_NULL, DB_T(now)), err);
		char note[200];
		snprintf(note, sizeof note, "组织关系转出至%s", place);
		if (!rc)
			rc = db_run(g->db, "INSERT INTO member_end(member_id, org_id, reason, on_date, note, doc_no, transfer_id,"
					   " created_at) VALUES (?, ?, 'transfer_out', ?, ?, ?, ?, ?)",
				    DB_ARGS(DB_I(id), DB_I(from), DB_T(on), DB_T(note), DB_T(letter), DB_I(tid), DB_T(now)), err);
		if (!rc)
			rc = db_run(g->db, "UPDATE member SET active = 0 WHERE id = ?", DB_ARGS(DB_I(id)), err);
		if (rc)
			break;
		(*n)++;
	}
	json_decref(rows);
	return rc;
}

static int hostings(struct gen *g, int64_t members, int64_t *n, struct dj_error *err)
{
	json_t *rows = pick(g, members / 100 + 3, "o.kind IN ('branch', 'functional_branch')", err);
	if (!rows)
		return err->code;
	int rc = 0;
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		int64_t id = json_integer_value(json_object_get(r, "id")), home = json_integer_value(json_object_get(r, "org_id"));
		const char *join = json_string_value(json_object_get(r, "join_date"));
		int64_t host = 0;
		if ((rc = db_int1(g->db, &host, "SELECT coalesce((SELECT id FROM org WHERE kind = 'mobile_branch' AND status = 'active'"
						" AND id <> ? ORDER BY (id * ?) % 1009, id LIMIT 1), 0)",
				  DB_ARGS(DB_I(home), DB_I(rng_range(&g->r, 1, 1000))), err)))
			break;
		if (!host)
			continue;
		const char *place = json_string_value(json_object_get(r, "mobile_place"));
		const char *since0 = json_string_value(json_object_get(r, "mobile_since"));
		char since[11], now[21], card[24];
		date_now_iso(now);
		if (since0)
			snprintf(since, sizeof since, "%s", since0);
		else
			back(since, g->today, rng_range(&g->r, 190, g->years * 365 + 200));
		not_before(since, join);
		if (!place)
			place = places_away[rng_range(&g->r, 0, 5)];
		snprintf(card, sizeof card, "LDZ%06lld", (long long)(100000 + i));
		int64_t hid = 0;
		rc = db_int1(g->db, &hid, "INSERT INTO mobile_hosting(member_id, home_org, host_org, place, since, card_no, created_at)"
					  " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
			     DB_ARGS(DB_I(id), DB_I(home), DB_I(host), DB_T(place), DB_T(since), DB_T(card), DB_T(now)), err);
		if (!rc)
			rc = db_run(g->db, "UPDATE member SET is_mobile = 1, mobile_place = ?, mobile_since = ? WHERE id = ?",
				    DB_ARGS(DB_T(place), DB_T(since), DB_I(id)), err);
		/* A report a year, except for every fourth member, whose last one is missing. */
		char rep[11];
		date_add(rep, since, 0, 11, 0);
		for (int y = 0; !rc && strcmp(rep, g->today) <= 0 && !(i % 4 == 0 && y > 0); y++) {
			rc = db_run(g->db, "INSERT INTO mobile_report(hosting_id, member_id, on_date, summary, created_at)"
					   " VALUES (?, ?, ?, '本年度在流入地党组织参加组织生活，思想稳定，工作积极。', ?)",
				    DB_ARGS(DB_I(hid), DB_I(id), DB_T(rep), DB_T(now)), err);
			char next[11];
			date_add(next, rep, 1, 0, 0);
			memcpy(rep, next, 11);
		}
		if (rc)
			break;
		(*n)++;
	}
	json_decref(rows);
	return rc;
}

static int ends(struct gen *g, int64_t members, int64_t *n, struct dj_error *err)
{
	json_t *rows = pick(g, members / 300 + 3, "m.is_mobile = 0 AND o.kind <> 'temporary_branch'", err);
	if (!rows)
		return err->code;
	int rc = 0;
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		int64_t id = json_integer_value(json_object_get(r, "id")), org = json_integer_value(json_object_get(r, "org_id"));
		const char *join = json_string_value(json_object_get(r, "join_date"));
		size_t k = (size_t)rng_range(&g->r, 0, 6);
		char on[11], now[21], doc[64];
		date_now_iso(now);
		back(on, g->today, rng_range(&g->r, 10, g->years * 360));
		not_before(on, join);
		snprintf(doc, sizeof doc, "党委〔%.4s〕%02zu号", on, i + 1);
		rc = db_run(g->db, "INSERT INTO member_end(member_id, org_id, reason, on_date, note, doc_no, created_at)"
				   " VALUES (?, ?, ?, ?, ?, ?, ?)",
			    DB_ARGS(DB_I(id), DB_I(org), DB_T(end_reasons[k]), DB_T(on), DB_T(end_notes[k]),
				    strcmp(end_reasons[k], "death") == 0 ? DB_NULL : DB_T(doc), DB_T(now)), err);
		if (!rc)
			rc = db_run(g->db, "UPDATE member SET active = 0 WHERE id = ?", DB_ARGS(DB_I(id)), err);
		if (rc)
			break;
		(*n)++;
	}
	json_decref(rows);
	return rc;
}

int roster_generate(struct gen *g, struct dj_error *err)
{
	int64_t members = 0, nt = 0, no = 0, nh = 0, ne = 0;
	int rc = db_int1(g->db, &members, "SELECT count(*) FROM member WHERE active = 1", DB_NOARGS, err);
	if (!rc)
		rc = transfers(g, members, &nt, err);
	if (!rc)
		rc = letters_out(g, members, &no, err);
	if (!rc)
		rc = hostings(g, members, &nh, err);
	if (!rc)
		rc = ends(g, members, &ne, err);
	if (!rc && g->log)
		fprintf(g->log, "  roster: %lld transfers, %lld letters out, %lld mobile members hosted, %lld memberships ended\n",
			(long long)nt, (long long)no, (long long)nh, (long long)ne);
	return rc;
}
