/* member_roster_gen.c — the member module's generator step: the roster's
 * movements of the generated years — transfers inside the platform (most
 * accepted, a few still waiting), letters to orgs outside it (some receipts
 * never came back), mobile members hosted by a 流动党员党支部 of another unit
 * with their yearly reports (a few missing), and a few memberships ended
 * (死亡, 自行脱党, 除名, 停止党籍 …); and members who came from outside
 * the platform with a 介绍信 (转入, the letter registered).  Written directly, as the domain calls
 * would write them; officers (they hold the demo's accounts) are left alone. */
#include "member/member_roster.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "db/db.h"
#include "gen/gen.h"
#include "member/member.h"

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

/* What one picked member becomes; *counted false when it was skipped. */
typedef int (*roster_gen_fn)(struct gen *g, size_t i, json_t *row, bool *counted, struct dj_error *err);

/* The shape every part shares: pick `n` members matching `cond`, hand each
 * to `fn`, count those it used. */
static int each_picked(struct gen *g, int64_t n, const char *cond, roster_gen_fn fn, int64_t *count, struct dj_error *err)
{
	json_t *rows = pick(g, n, cond, err);
	if (!rows)
		return err->code;
	int rc = 0;
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		bool counted = true;
		if ((rc = fn(g, i, r, &counted, err)))
			break;
		*count += counted;
	}
	json_decref(rows);
	return rc;
}

static int64_t row_int(json_t *r, const char *k)
{
	return json_integer_value(json_object_get(r, k));
}

static const char *row_str(json_t *r, const char *k)
{
	return json_string_value(json_object_get(r, k));
}

/* *out: an open org of `kind` other than `not`, drawn at random (0: none). */
static int other_org(struct gen *g, const char *kind, int64_t not, int64_t *out, struct dj_error *err)
{
	return db_int1(g->db, out, "SELECT coalesce((SELECT id FROM org WHERE kind = ? AND status = 'active'"
				   " AND id <> ? ORDER BY (id * ?) % 1009, id LIMIT 1), 0)",
		       DB_ARGS(DB_T(kind), DB_I(not), DB_I(rng_range(&g->r, 1, 1000))), err);
}

static int transfer_one(struct gen *g, size_t i, json_t *r, bool *counted, struct dj_error *err)
{
	int64_t id = row_int(r, "id"), from = row_int(r, "org_id"), to = 0;
	const char *join = row_str(r, "join_date");
	int rc = other_org(g, "branch", from, &to, err);
	*counted = !rc && to;
	if (rc || !to)
		return rc;
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
	return rc;
}

static int letter_out(struct gen *g, size_t i, json_t *r, bool *counted, struct dj_error *err)
{
	(void)counted;
	int64_t id = row_int(r, "id"), from = row_int(r, "org_id");
	const char *join = row_str(r, "join_date");
	int rc;
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
	return rc;
}

static int hosting_one(struct gen *g, size_t i, json_t *r, bool *counted, struct dj_error *err)
{
	int64_t id = row_int(r, "id"), home = row_int(r, "org_id"), host = 0;
	const char *join = row_str(r, "join_date");
	int rc = other_org(g, "mobile_branch", home, &host, err);
	*counted = !rc && host;
	if (rc || !host)
		return rc;
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
	snprintf(card, sizeof card, "LDZ%07lld", (long long)(1000000 + id));
	int64_t hid = 0;
	rc = db_int1(g->db, &hid, "INSERT INTO mobile_hosting(member_id, home_org, host_org, place, since, card_no, created_at)"
				  " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
		     DB_ARGS(DB_I(id), DB_I(home), DB_I(host), DB_T(place), DB_T(since), DB_T(card), DB_T(now)), err);
	if (!rc)
		rc = db_run(g->db, "UPDATE member SET is_mobile = 1, mobile_place = ?, mobile_since = ? WHERE id = ?",
			    DB_ARGS(DB_T(place), DB_T(since), DB_I(id)), err);
	/* A report a year, except for every sixth member, whose last one is missing. */
	char rep[11];
	date_add(rep, since, 0, 11, 0);
	for (int y = 0; !rc && strcmp(rep, g->today) <= 0 && !(i % 6 == 0 && y > 0); y++) {
		rc = db_run(g->db, "INSERT INTO mobile_report(hosting_id, member_id, on_date, summary, created_at)"
				   " VALUES (?, ?, ?, '本年度在流入地党组织参加组织生活，思想稳定，工作积极。', ?)",
			    DB_ARGS(DB_I(hid), DB_I(id), DB_T(rep), DB_T(now)), err);
		char next[11];
		date_add(next, rep, 1, 0, 0);
		memcpy(rep, next, 11);
	}
	return rc;
}

static int end_one(struct gen *g, size_t i, json_t *r, bool *counted, struct dj_error *err)
{
	(void)counted;
	int64_t id = row_int(r, "id"), org = row_int(r, "org_id");
	const char *join = row_str(r, "join_date");
	int rc;
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
	return rc;
}

/* Members from outside the platform: a 介绍信 received and registered by a
 * branch, which makes the member record (as roster_transfer_in does). */
static int letters_in(struct gen *g, int64_t n, int64_t *count, struct dj_error *err)
{
	json_t *branches = db_rows(g->db, "SELECT id FROM org WHERE kind = 'branch' AND status = 'active' ORDER BY id",
				   DB_NOARGS, err);
	if (!branches)
		return err->code;
	size_t nb = json_array_size(branches);
	int rc = 0;
	for (int64_t i = 0; i < n && nb && !rc; i++) {
		int64_t to = row_int(json_array_get(branches, (size_t)rng_range(&g->r, 0, (int64_t)nb - 1)), "id");
		int male = rng_range(&g->r, 0, 99) < 70;
		char name[32], birth[11], join[11], full[11], on[11], card[19], hash[65], now[21], letter[64];
		gen_name(&g->r, name, sizeof name, male);
		date_add(birth, g->today, -(int)rng_range(&g->r, 26, 58), 0, -(int)rng_range(&g->r, 0, 364));
		bool taken = true;
		for (int tries = 0; taken && tries < 20 && !rc; tries++) {
			gen_id_card(&g->r, birth, male, card);
			member_id_card_hash(card, hash);
			rc = db_exists(g->db, &taken, "SELECT 1 FROM member WHERE id_card_hash = ?", DB_ARGS(DB_T(hash)), err);
		}
		if (rc || taken)
			break;
		back(on, g->today, rng_range(&g->r, 15, g->years * 360));
		date_add(join, birth, (int)rng_range(&g->r, 20, 25), 0, (int)rng_range(&g->r, 0, 300));
		/* Joined before the development pipeline's years, as the roster's
		 * own members did (generate.c): who joins since comes from it. */
		char window[11], maxj[11];
		date_format(window, atoi(g->today) - 2, 1, 1);
		date_add(maxj, window, -1, -1, 0);
		if (strcmp(join, maxj) > 0)
			date_add(join, maxj, 0, 0, -(int)rng_range(&g->r, 0, 400));
		date_add(full, join, 1, 0, 0);
		if (strcmp(full, on) >= 0)	/* a member for a year at least before the move */
			continue;
		const char *place = places_out[rng_range(&g->r, 0, 4)];
		struct member_rec m = {.org_id = to, .name = name, .id_card = card, .ethnicity = "汉族", .education = "大学本科",
				       .join_date = join, .full_date = full, .status = member_status_name(MEMBER_FULL)};
		int64_t id = 0;
		date_now_iso(now);
		snprintf(letter, sizeof letter, "外组转字〔%.4s〕%03lld号", on, (long long)(i + 1));
		if (!(rc = member_check(g->db, &m, err)) && !(rc = member_insert(g->db, &m, 0, &id, err)))
			rc = db_run(g->db, "INSERT INTO transfer(member_id, kind, status, to_org, place, letter_no, on_date, decided_on,"
					   " reason, created_at) VALUES (?, 'in', 'registered', ?, ?, ?, ?, ?, '工作调动', ?)",
				    DB_ARGS(DB_I(id), DB_I(to), DB_T(place), DB_T(letter), DB_T(on), DB_T(on), DB_T(now)), err);
		if (!rc) {
			(*count)++;
			g->st->members++;
		}
	}
	json_decref(branches);
	return rc;
}

/* Organizational life where they are: each hosted member at the host's
 * meetings since they came (the most recent dozen; one in six missed),
 * which count for them at home.  Run by the life module's step, once the
 * meetings exist; one statement for all of them (a statement per member
 * cost PostgreSQL 2 ms each). */
int roster_generate_host_life(struct gen *g, int64_t *n, struct dj_error *err)
{
	struct db_stmt *st = db_query(
		g->db,
		"INSERT INTO attendance(activity_id, member_id, org_id, status)"
		" SELECT z.aid, z.mid, z.home, CASE WHEN (z.aid + z.mid) % 6 = 0 THEN 'absent' ELSE 'present' END FROM"
		" (SELECT a.id AS aid, h.member_id AS mid, h.home_org AS home,"
		" row_number() OVER (PARTITION BY h.id ORDER BY a.on_date DESC, a.id) AS k"
		" FROM mobile_hosting h JOIN activity a ON a.org_id = h.host_org AND a.status = 'held'"
		" AND a.on_date >= h.since AND a.on_date <= ?"
		" WHERE h.ended_on IS NULL AND NOT EXISTS (SELECT 1 FROM attendance x WHERE x.activity_id = a.id"
		" AND x.member_id = h.member_id)) z WHERE z.k <= 12 ORDER BY z.mid, z.aid RETURNING 1",
		DB_ARGS(DB_T(g->today)), err);
	if (!st)
		return err->code;
	int rc;
	*n = 0;
	while ((rc = db_next(st)) > 0)
		(*n)++;
	db_done(st);
	return rc < 0 ? err->code : 0;
}

int roster_generate(struct gen *g, struct dj_error *err)
{
	int64_t members = 0, nt = 0, no = 0, ni = 0, nh = 0, ne = 0;
	int rc = db_int1(g->db, &members, "SELECT count(*) FROM member WHERE active = 1", DB_NOARGS, err);
	const char *settled = "m.is_mobile = 0 AND o.kind <> 'temporary_branch'";
	if (!rc)
		rc = each_picked(g, members / 120 + 3, "m.is_mobile = 0 AND o.kind = 'branch'", transfer_one, &nt, err);
	if (!rc)
		rc = each_picked(g, members / 250 + 3, settled, letter_out, &no, err);
	if (!rc)
		rc = letters_in(g, members / 400 + 2, &ni, err);
	/* 流动党员: most drivers of the 流动党员党支部 work far away and are
	 * hosted by another unit's; and a few members of ordinary branches.
	 * Each with a hosting row: nobody is mobile without one. */
	int64_t drivers = 0;
	if (!rc)
		rc = db_int1(g->db, &drivers, "SELECT count(*) FROM member m JOIN org o ON o.id = m.org_id WHERE m.active = 1"
					      " AND o.kind = 'mobile_branch'", DB_NOARGS, err);
	if (!rc)
		rc = each_picked(g, drivers * 3 / 5, "o.kind = 'mobile_branch'", hosting_one, &nh, err);
	if (!rc)
		rc = each_picked(g, members / 100 + 3, "o.kind IN ('branch', 'functional_branch')", hosting_one, &nh, err);
	if (!rc)
		rc = each_picked(g, members / 300 + 3, settled, end_one, &ne, err);
	if (!rc && g->log)
		fprintf(g->log, "  roster: %lld transfers, %lld letters out, %lld letters in, %lld mobile members hosted,"
			" %lld memberships ended\n",
			(long long)nt, (long long)no, (long long)ni, (long long)nh, (long long)ne);
	return rc;
}
