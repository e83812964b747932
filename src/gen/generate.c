/* generate.c — the bureau's tree, its members, terms and accounts. */
#include "gen/gen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"
#include "core/collate.h"
#include "core/date.h"
#include "core/mem.h"
#include "core/setting.h"
#include "db/db.h"
#include "member/member.h"
#include "org/org.h"
#include "platform/module.h"
#include "user/user.h"

struct gctx {
	struct db *db;
	struct rng r;
	char today[11];
	char window[11];	/* 1 January two years back: the development pipeline's years */
	enum gen_scale scale;
	struct gen_stats *st;
	struct dj_error *err;
	FILE *log;
	int64_t first_member_of[8];	/* remembered for the demo accounts */
	/* The id cards drawn so far (a database the generator fills has no
	 * members of its own), kept here rather than asked of the database
	 * once per member; and the probation rule, read once. */
	uint64_t *cards;
	size_t ncards, capcards;
	int probation_months;
	/* The members go in bulk (COPY on PostgreSQL: a statement per member,
	 * each firing the counters' statement triggers, was most of the tree's
	 * time there); anything that reads the database sends them first. */
	struct db_copy *members;
};

/* Open addressing on the first 16 hex digits of the keyed hash; 0 is empty. */
static bool card_seen(struct gctx *g, const char *hash, bool add)
{
	char head[17];
	snprintf(head, sizeof head, "%s", hash);
	uint64_t k = strtoull(head, NULL, 16);
	k = k ? k : 1;
	if (add && (g->ncards + 1) * 2 > g->capcards) {
		size_t cap = g->capcards ? g->capcards * 2 : 4096;
		uint64_t *old = g->cards, *t = xcalloc(cap, sizeof *t);
		for (size_t i = 0; i < g->capcards; i++)
			if (old[i])
				for (size_t j = old[i] & (cap - 1);; j = (j + 1) & (cap - 1))
					if (!t[j]) {
						t[j] = old[i];
						break;
					}
		free(old);
		g->cards = t;
		g->capcards = cap;
	}
	if (!g->capcards)
		return false;
	for (size_t j = k & (g->capcards - 1);; j = (j + 1) & (g->capcards - 1)) {
		if (g->cards[j] == k)
			return true;
		if (!g->cards[j]) {
			if (add) {
				g->cards[j] = k;
				g->ncards++;
			}
			return false;
		}
	}
}

struct city_shape {
	int jiguan_branches, units, unit_branches, counties, county_enterprises, temporaries;
	int min_members, max_members;
};

static const struct city_shape shapes[] = {
	[GEN_DEMO] = {5, 3, 3, 2, 3, 2, 12, 26},
	[GEN_CITY] = {10, 10, 5, 12, 16, 8, 18, 44},
	[GEN_PROVINCE] = {10, 10, 5, 12, 16, 8, 22, 56},
};

static const char *const city_names[] = {"云州", "江城", "临海", "青川", "白河", "安平", "龙泉", "丰源",
					 "长宁", "永安", "清河", "宁远", "新丰", "松岭", "石门", "金川"};
static const char *const county_names[] = {"东湖区", "西山区", "南关区", "北塘区", "河口县", "平原县", "山阳县",
					   "清水县", "柳林县", "高台县", "新安县", "石桥县", "双河县", "五里县",
					   "红星县", "望江县"};
static const char *const jiguan_depts[] = {"办公室", "综合规划科", "运输管理科", "财务审计科", "安全监督科",
					   "建设管理科", "法制科", "人事科", "科技信息科", "离退休干部"};
static const char *const units[] = {"公路事业发展中心", "道路运输事业发展中心", "交通运输综合行政执法支队",
				    "港航事业发展中心", "公共交通集团有限公司", "交通投资集团有限公司",
				    "交通工程质量监督站", "交通技工学校", "出租汽车管理处", "物流发展服务中心"};
static const char *const unit_depts[] = {"综合", "养护", "工程", "路政", "运营", "机务", "财务", "安全"};
static const char *const enterprises[] = {"客运有限公司", "汽车运输有限公司", "物流有限公司", "公交有限公司",
					  "出租汽车有限公司", "驾驶员培训学校", "机动车检测站", "汽车维修有限公司",
					  "货运有限公司", "港口有限公司", "快递服务有限公司", "城乡客运有限公司"};
static const char *const firm_prefix[] = {"顺达", "通宇", "安运", "鸿运", "畅通", "远航", "金桥", "恒通",
					  "路路通", "宏达", "捷运", "振兴", "长运", "新途", "盛通", "祥和"};
static const char *const projects[] = {"高速公路", "国道改扩建工程", "跨江大桥", "港区航道整治工程",
				       "城市快速路", "综合客运枢纽", "农村公路提升工程", "物流园区"};
static const char *const educations[] = {"研究生", "大学本科", "大学本科", "大学本科", "大学专科", "大学专科",
					 "中专", "高中", "初中及以下"};
static const char *const ethnic[] = {"回族", "满族", "壮族", "蒙古族", "土家族", "苗族"};

#define N(a) (int64_t)(sizeof a / sizeof a[0])
#define PICK(g, a) (a)[rng_range(&(g)->r, 0, N(a) - 1)]

static void random_date(struct gctx *g, char out[11], const char *from, const char *to)
{
	int64_t span = date_diff(from, to);
	date_add(out, from, 0, 0, (int)rng_range(&g->r, 0, span > 0 ? span : 0));
}

static int64_t add_org(struct gctx *g, int64_t parent, const char *code, enum org_kind kind, const char *name,
		       const char *unit)
{
	char founded[11], from[11];
	date_add(from, g->today, -30, 0, 0);
	random_date(g, founded, from, "2020-12-31");
	if (kind == ORG_TEMPORARY_BRANCH || kind == ORG_CLOUD_BRANCH || kind == ORG_MOBILE_BRANCH)
		date_add(founded, g->today, 0, 0, -(int)rng_range(&g->r, 200, 1500));
	char *key = collate_key(name);
	int64_t id = 0;
	int rc = db_int1(g->db, &id, "INSERT INTO org(code, name, name_key, kind, parent_id, unit, founded_on, sort,"
				     " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			 DB_ARGS(DB_T(code), DB_T(name), DB_T(key), DB_T(org_kind_name(kind)), parent ? DB_I(parent) : DB_NULL,
				 DB_T(unit), DB_T(founded), DB_I(g->st->orgs), DB_T(g->today), DB_T(g->today)), g->err);
	free(key);
	if (!rc)
		rc = org_tree_add(g->db, id, parent, g->err);
	if (!rc)
		rc = db_run(g->db, "INSERT INTO org_event(org_id, kind, on_date, detail, created_at) VALUES (?, 'create', ?, ?, ?)",
			    DB_ARGS(DB_I(id), DB_T(founded), DB_T("{\"source\":\"generate\"}"), DB_T(g->today)), g->err);
	g->st->orgs++;
	return rc ? -1 : id;
}

/* A term that ended or will end somewhere around now, so some are overdue and some due soon. */
static int add_term(struct gctx *g, int64_t org, enum org_kind kind, int64_t *members, const char (*names)[32], int n)
{
	const struct org_kind_info *k = org_kind_info(kind);
	if (!k || (!k->elects && kind != ORG_TEMPORARY_BRANCH))
		return 0;
	int years = kind == ORG_COMMITTEE || kind == ORG_INDUSTRY_COMMITTEE ? 5 : 3;
	char elected[11], ends[11], now[21];
	date_add(elected, g->today, 0, 0, -(int)rng_range(&g->r, 30, years * 365 + 120));
	date_add(ends, elected, years, 0, 0);
	date_now_iso(now);
	int64_t term;
	int rc = db_int1(g->db, &term, "INSERT INTO org_term(org_id, elected_on, term_years, ends_on, how, created_at)"
				       " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
			 DB_ARGS(DB_I(org), DB_T(elected), DB_I(years), DB_T(ends),
				 DB_T(k->elects ? "elected" : "appointed"), DB_T(now)), g->err);
	/* 7+ members: a committee of 3–5; otherwise a secretary and perhaps a deputy.
	 * One branch in twenty keeps only a secretary, so the rule has something to find. */
	static const char *const posts[] = {"secretary", "organization", "propaganda", "discipline", "deputy_secretary"};
	int officers = n >= 7 ? (rng_range(&g->r, 0, 19) == 0 ? 1 : (int)rng_range(&g->r, 3, 5)) : (n >= 2 ? 2 : 1);
	for (int i = 0; i < officers && i < n && !rc; i++)
		rc = db_run(g->db, "INSERT INTO org_officer(term_id, member_id, name, post) VALUES (?, ?, ?, ?)",
			    DB_ARGS(DB_I(term), DB_I(members[i]), DB_T(names[i]),
				    DB_T(i == 1 && n < 7 ? "deputy_secretary" : posts[i])), g->err);
	if (!rc) {
		char d[64];
		snprintf(d, sizeof d, "{\"term_id\":%lld,\"source\":\"generate\"}", (long long)term);
		rc = db_run(g->db, "INSERT INTO org_event(org_id, kind, on_date, detail, created_at) VALUES (?, ?, ?, ?, ?)",
			    DB_ARGS(DB_I(org), DB_T(k->elects ? "election" : "appointment"), DB_T(elected), DB_T(d),
				    DB_T(now)), g->err);
	}
	return rc;
}

enum branch_flavor { FL_PLAIN, FL_RETIRED, FL_DRIVERS, FL_YOUNG };

static int add_members(struct gctx *g, int64_t org, enum org_kind kind, int n, enum branch_flavor fl)
{
	int64_t *ids = xcalloc((size_t)n + 1, sizeof *ids);
	char (*names)[32] = xcalloc((size_t)n + 1, sizeof *names);
	static const char *const posts[] = {"党支部书记", "组织委员", "宣传委员", "纪检委员"};
	int rc = db_reserve_ids(g->db, "member", n, ids, g->err);
	for (int i = 0; i < n && !rc; i++) {
		struct member_rec m = {0};
		int male = rng_range(&g->r, 0, 99) < (fl == FL_DRIVERS ? 94 : 70);
		char birth[11], join[11], full[11], id_card[19], phone[12], lo[11], hi[11];
		/* Joined and converted before the development pipeline's years
		 * (develop_gen.c makes everyone who joins from then on), so the
		 * roster's and the pipeline's counts of both are one story. */
		char last[11], ceil[11];
		date_add(last, g->window, -1, -1, 0);
		date_add(ceil, last, -18, 0, 0);
		if (fl == FL_RETIRED) {
			random_date(g, birth, "1938-01-01", "1963-12-31");
		} else {
			date_add(lo, g->today, -60, 0, 0);
			date_add(hi, g->today, fl == FL_YOUNG ? -22 : -24, 0, 0);
			if (strcmp(hi, ceil) > 0)
				memcpy(hi, ceil, 11);
			random_date(g, birth, fl == FL_YOUNG ? "1990-01-01" : lo, hi);
		}
		gen_name(&g->r, names[i], sizeof names[i], male);
		/* 200,000 people share birthdays and sequence numbers: draw again on a clash. */
		for (int tries = 0; tries < 20; tries++) {
			char h[65];
			gen_id_card(&g->r, birth, male, id_card);
			member_id_card_hash(id_card, h);
			if (!card_seen(g, h, false)) {
				card_seen(g, h, true);
				break;
			}
		}
		if (rc)
			break;
		snprintf(phone, sizeof phone, "1%c%09lld", "3456789"[rng_range(&g->r, 0, 6)],
			 (long long)rng_range(&g->r, 0, 999999999));
		char adult[11], lower[11];
		date_add(adult, birth, 18, 0, 0);
		date_add(lower, adult, 0, 0, (int)rng_range(&g->r, 0, 3650));
		random_date(g, join, strcmp(lower, last) < 0 ? lower : adult, last);
		if (strcmp(join, adult) < 0)
			memcpy(join, adult, 11);
		date_add(full, join, 1, 0, (int)rng_range(&g->r, 0, 20));
		m.full_date = full;
		m.org_id = org;
		m.name = names[i];
		m.id_card = id_card;
		m.phone = rng_range(&g->r, 0, 9) ? phone : NULL;
		m.ethnicity = rng_range(&g->r, 0, 14) ? "汉族" : PICK(g, ethnic);
		m.education = fl == FL_DRIVERS ? (rng_range(&g->r, 0, 2) ? "高中" : "中专") : PICK(g, educations);
		m.join_date = join;
		m.status = member_status_name(MEMBER_FULL);
		m.position = i < 4 && (i == 0 || n >= 7) ? posts[i] : NULL;
		/* Not mobile here: the roster's step registers the 流动党员 with
		 * their hosting (member_roster_gen.c), as a user would. */
		struct dj_error e = {0};
		if (member_check_rules(&m, g->probation_months, &e)) {	/* the generator must only write what a user could */
			rc = dj_fail(g->err, DJ_EIO, "", "generated member failed the rules: %s (%s)", e.msg, e.field);
			break;
		}
		rc = member_copy(g->members, &m, ids[i], g->err);
		g->st->members++;
	}
	if (!rc)
		rc = add_term(g, org, kind, ids, (const char (*)[32])names, n);
	for (size_t k = 0; k < N(g->first_member_of) && !rc; k++)
		if (!g->first_member_of[k]) {
			g->first_member_of[k] = ids[0];
			break;
		}
	free(ids);
	free(names);
	return rc;
}

static int members_for(struct gctx *g, const struct city_shape *s)
{
	/* One branch in fifteen is small (below 3 full members) and one in twenty large (over 50). */
	int64_t roll = rng_range(&g->r, 0, 59);
	if (roll < 4)
		return (int)rng_range(&g->r, 2, 3);
	if (roll < 7)
		return (int)rng_range(&g->r, 52, 64);
	return (int)rng_range(&g->r, s->min_members, s->max_members);
}

static int64_t branch(struct gctx *g, int64_t parent, const char *code, enum org_kind kind, const char *name,
		      const char *unit, const struct city_shape *s, enum branch_flavor fl)
{
	int64_t id = add_org(g, parent, code, kind, name, unit);
	if (id < 0 || add_members(g, id, kind, members_for(g, s), fl))
		return -1;
	return id;
}

#define TRY(x) do { if ((x) < 0) return -1; } while (0)

/* A city bureau: its 党组, 机关党委 with branches, units, county industry
 * committees with enterprise, functional, drivers' and cloud branches, and
 * temporary branches on projects. */
static int build_city(struct gctx *g, int64_t parent, const char *prefix, const char *city, const struct city_shape *s)
{
	char code[40], name[160], unit[120], sub[64];
	snprintf(unit, sizeof unit, "%s市交通运输局", city);
	snprintf(name, sizeof name, "中共%s市交通运输局党组", city);
	int64_t root = add_org(g, parent, prefix, ORG_PARTY_GROUP, name, unit);
	TRY(root);
	snprintf(code, sizeof code, "%s-JG", prefix);
	snprintf(name, sizeof name, "中共%s市交通运输局机关委员会", city);
	int64_t jg = add_org(g, root, code, ORG_COMMITTEE, name, unit);
	TRY(jg);
	TRY(add_term(g, jg, ORG_COMMITTEE, NULL, NULL, 0));
	for (int i = 0; i < s->jiguan_branches; i++) {
		snprintf(sub, sizeof sub, "%s-JG%02d", prefix, i + 1);
		snprintf(name, sizeof name, "%s市交通运输局%s党支部", city, jiguan_depts[i % N(jiguan_depts)]);
		TRY(branch(g, jg, sub, ORG_BRANCH, name, unit, s,
			   i == N(jiguan_depts) - 1 || i == s->jiguan_branches - 1 ? FL_RETIRED : FL_PLAIN));
	}
	for (int u = 0; u < s->units; u++) {
		snprintf(code, sizeof code, "%s-DW%02d", prefix, u + 1);
		snprintf(unit, sizeof unit, "%s市%s", city, units[u % N(units)]);
		snprintf(name, sizeof name, "中共%s委员会", unit);
		int64_t uc = add_org(g, root, code, ORG_COMMITTEE, name, unit);
		TRY(uc);
		for (int b = 0; b < s->unit_branches; b++) {
			snprintf(sub, sizeof sub, "%s%02d", code, b + 1);
			snprintf(name, sizeof name, "%s%s党支部", unit, unit_depts[b % N(unit_depts)]);
			TRY(branch(g, uc, sub, ORG_BRANCH, name, unit, s, FL_PLAIN));
		}
		if (u == 0) {	/* a general branch with groups, as the larger units have */
			snprintf(sub, sizeof sub, "%sZZ", code);
			snprintf(name, sizeof name, "%s机关党总支", unit);
			int64_t gb = add_org(g, uc, sub, ORG_GENERAL_BRANCH, name, unit);
			TRY(gb);
			for (int b = 0; b < 2; b++) {
				char sub2[80];
				snprintf(sub2, sizeof sub2, "%s%02d", sub, b + 1);
				snprintf(name, sizeof name, "%s机关第%s党支部", unit, b ? "二" : "一");
				TRY(branch(g, gb, sub2, ORG_BRANCH, name, unit, s, FL_YOUNG));
			}
			snprintf(sub, sizeof sub, "%sXZ", code);
			snprintf(name, sizeof name, "%s%s党小组", unit, "养护一线");
			TRY(add_org(g, uc, sub, ORG_GROUP, name, unit));
		}
	}
	for (int c = 0; c < s->counties; c++) {
		const char *county = county_names[c % N(county_names)];
		snprintf(code, sizeof code, "%s-HY%02d", prefix, c + 1);
		snprintf(unit, sizeof unit, "%s%s交通运输局", city, county);
		snprintf(name, sizeof name, "中共%s%s交通运输行业委员会", city, county);
		int64_t ic = add_org(g, root, code, ORG_INDUSTRY_COMMITTEE, name, unit);
		TRY(ic);
		TRY(add_term(g, ic, ORG_INDUSTRY_COMMITTEE, NULL, NULL, 0));
		snprintf(sub, sizeof sub, "%s00", code);
		snprintf(name, sizeof name, "%s机关党支部", unit);
		TRY(branch(g, ic, sub, ORG_BRANCH, name, unit, s, FL_PLAIN));
		for (int e = 0; e < s->county_enterprises; e++) {
			snprintf(sub, sizeof sub, "%s%02d", code, e + 1);
			snprintf(unit, sizeof unit, "%s%s%s", county, firm_prefix[(c + e) % N(firm_prefix)],
				 enterprises[e % N(enterprises)]);
			snprintf(name, sizeof name, "%s党支部", unit);
			TRY(branch(g, ic, sub, ORG_BRANCH, name, unit, s, FL_PLAIN));
		}
		snprintf(unit, sizeof unit, "%s%s", city, county);
		snprintf(sub, sizeof sub, "%sGN", code);
		snprintf(name, sizeof name, "%s驾培行业功能性党支部", unit);
		TRY(branch(g, ic, sub, ORG_FUNCTIONAL_BRANCH, name, unit, s, FL_PLAIN));
		snprintf(sub, sizeof sub, "%sLD1", code);
		snprintf(name, sizeof name, "%s货车司机流动党员党支部", unit);
		TRY(branch(g, ic, sub, ORG_MOBILE_BRANCH, name, unit, s, FL_DRIVERS));
		snprintf(sub, sizeof sub, "%sLD2", code);
		snprintf(name, sizeof name, "%s网约车司机党支部", unit);
		TRY(branch(g, ic, sub, ORG_MOBILE_BRANCH, name, unit, s, FL_DRIVERS));
		snprintf(sub, sizeof sub, "%sYZ", code);
		snprintf(name, sizeof name, "%s快递物流行业云支部", unit);
		TRY(branch(g, ic, sub, ORG_CLOUD_BRANCH, name, unit, s, FL_YOUNG));
	}
	for (int t = 0; t < s->temporaries; t++) {
		snprintf(code, sizeof code, "%s-LS%02d", prefix, t + 1);
		snprintf(unit, sizeof unit, "%s%s%s", city, county_names[t % N(county_names)], projects[t % N(projects)]);
		snprintf(name, sizeof name, "%s建设项目临时党支部", unit);
		TRY(branch(g, root, code, ORG_TEMPORARY_BRANCH, name, unit, s, FL_YOUNG));
	}
	return 0;
}

static int build_province(struct gctx *g)
{
	const struct city_shape *s = &shapes[GEN_PROVINCE];
	const char *unit = "省交通运输厅";
	int64_t root = add_org(g, 0, "ST", ORG_PARTY_GROUP, "中共省交通运输厅党组", unit);
	TRY(root);
	int64_t jg = add_org(g, root, "ST-JG", ORG_COMMITTEE, "中共省交通运输厅机关委员会", unit);
	TRY(jg);
	TRY(add_term(g, jg, ORG_COMMITTEE, NULL, NULL, 0));
	char code[40], name[160], u[120];
	for (int i = 0; i < 20; i++) {
		snprintf(code, sizeof code, "ST-JG%02d", i + 1);
		snprintf(name, sizeof name, "省交通运输厅机关第%d党支部", i + 1);
		TRY(branch(g, jg, code, ORG_BRANCH, name, unit, s, FL_PLAIN));
	}
	for (int k = 0; k < 15; k++) {
		snprintf(code, sizeof code, "ST-DW%02d", k + 1);
		snprintf(u, sizeof u, "省%s%s", k >= N(units) ? "第二" : "", units[k % N(units)]);
		snprintf(name, sizeof name, "中共%s委员会", u);
		int64_t uc = add_org(g, root, code, ORG_COMMITTEE, name, u);
		TRY(uc);
		for (int b = 0; b < 7; b++) {
			char sub[64];
			snprintf(sub, sizeof sub, "%s%02d", code, b + 1);
			snprintf(name, sizeof name, "%s第%d党支部", u, b + 1);
			TRY(branch(g, uc, sub, ORG_BRANCH, name, u, s, FL_PLAIN));
		}
	}
	for (int c = 0; c < (int)N(city_names); c++) {
		snprintf(code, sizeof code, "C%02d", c + 1);
		if (build_city(g, root, code, city_names[c], s))
			return -1;
		if (g->log)
			fprintf(g->log, "  %s市: %lld orgs, %lld members so far\n", city_names[c], (long long)g->st->orgs,
				(long long)g->st->members);
	}
	return 0;
}

static int add_user(struct gctx *g, const char *username, const char *display, const char *role, int64_t org,
		    int64_t member, const char *password)
{
	struct actor a = actor_cli();
	json_t *in = json_pack("{s:s, s:s, s:s, s:s}", "username", username, "display_name", display, "password",
			       password, "role", role);
	if (org)
		json_object_set_new(in, "org_id", json_integer(org));
	if (member)
		json_object_set_new(in, "member_id", json_integer(member));
	int64_t id;
	int rc = user_create(g->db, &a, in, &id, g->err);
	json_decref(in);
	if (!rc) {
		g->st->users++;
		/* The logins say which org each account manages (or belongs to). */
		char *oname = NULL;
		if (g->log && org)
			rc = db_text1(g->db, &oname, "SELECT name FROM org WHERE id = ?", DB_ARGS(DB_I(org)), g->err);
		if (!rc && g->log)
			fprintf(g->log, "  %-10s %-14s %s%s%s\n", username, role_label(role_parse(role)), display,
				!oname ? "（全部党组织）" : member ? "，所在党组织：" : "，管理：", oname ? oname : "");
		free(oname);
	}
	return rc;
}

enum gen_scale gen_scale_parse(const char *s)
{
	if (!s)
		return 0;
	if (strcmp(s, "demo") == 0)
		return GEN_DEMO;
	if (strcmp(s, "city") == 0)
		return GEN_CITY;
	if (strcmp(s, "province") == 0)
		return GEN_PROVINCE;
	return 0;
}

/* The accounts generate creates; an administrator `init` made is kept. */
static const char *const demo_accounts[] = {"admin", "jiguan", "hangye", "zhibu", "dangyuan"};

/* What generate cannot do on this database is refused here, before any
 * work: a tree already there, or an account that would clash with the
 * demo's.  An existing system administrator (from `init`) is kept with its
 * password, and the demo's "admin" account is then not created. */
static int gen_preflight(struct db *db, const struct gen_opts *o, bool *keep_admin, struct dj_error *err)
{
	int64_t n = 0;
	int rc = db_int1(db, &n, "SELECT count(*) FROM org", DB_NOARGS, err);
	if (rc)
		return rc;
	if (n)
		return dj_fail(err, DJ_ECONFLICT, "db",
			       "the database already holds %lld organizations; generate fills an empty one (or one "
			       "that only `init` has touched)", (long long)n);
	json_t *admins = db_rows(db, "SELECT username FROM app_user WHERE role = 'admin' AND disabled = 0 ORDER BY id",
				 DB_NOARGS, err);
	if (!admins)
		return err->code;
	*keep_admin = json_array_size(admins) > 0;
	for (size_t i = 0; !rc && i < sizeof demo_accounts / sizeof *demo_accounts; i++) {
		int64_t id;
		int found = db_int1(db, &id, "SELECT id FROM app_user WHERE username = ?", DB_ARGS(DB_T(demo_accounts[i])),
				    err);
		if (found == DJ_ENOTFOUND) {
			dj_error_clear(err);
			continue;
		}
		if (found)
			rc = found;
		else if (!(i == 0 && *keep_admin))
			rc = dj_fail(err, DJ_ECONFLICT, "db", "an account named \"%s\" already exists; generate creates the "
				     "demo accounts itself", demo_accounts[i]);
	}
	if (!rc && *keep_admin && o->log) {
		fprintf(o->log, "keeping the existing administrator");
		size_t i;
		json_t *a;
		json_array_foreach(admins, i, a)
			fprintf(o->log, "%s \"%s\"", i ? "," : "", json_string_value(json_object_get(a, "username")));
		fprintf(o->log, " and its password; the demo's \"admin\" account is not created\n");
	}
	json_decref(admins);
	return rc;
}

int gen_run(struct db *db, const struct gen_opts *o, struct gen_stats *st, struct dj_error *err)
{
	struct gctx g = {.db = db, .r = {o->seed * 0x2545F4914F6CDD1Dull + 1}, .scale = o->scale, .st = st, .err = err,
			 .log = o->log};
	memset(st, 0, sizeof *st);
	date_today(g.today);
	date_format(g.window, atoi(g.today) - 2, 1, 1);
	bool keep_admin = false;
	int rc = gen_preflight(db, o, &keep_admin, err);
	int64_t months = 12;
	if (!rc)
		rc = setting_get_int(db, "rule.probation_months", 12, &months, err);
	if (rc)
		return rc;
	g.probation_months = (int)months;
	struct gen_clock clk;
	gen_clock_start(&clk, db, o->times ? o->log : NULL);
	rc = db_begin(db, err);
	if (rc)
		return rc;
	db_bulk(db, true);
	rc = member_copy_begin(db, &g.members, err);
	if (!rc)
		rc = db_copy_defer_checks(g.members, err);	/* each member's org checked once at the end */
	if (!rc)
		rc = o->scale == GEN_PROVINCE ? build_province(&g)
					      : build_city(&g, 0, "JT", o->scale == GEN_DEMO ? "云州" : "江城", &shapes[o->scale]);
	if (rc && !err->code)
		dj_fail(err, DJ_EDB, "", "generate failed");
	rc = rc ? err->code : 0;
	int ended = db_copy_end(g.members, rc ? NULL : err);
	rc = rc ? rc : ended;
	gen_clock_lap(&clk, "tree");
	/* Each module's step, in the module table's order. */
	struct gen pub = {.db = db, .r = g.r, .scale = o->scale, .years = o->scale == GEN_DEMO ? 1 : 3, .log = g.log,
			  .st = st, .clock = &clk};
	memcpy(pub.today, g.today, sizeof pub.today);
	for (const struct module *const *m = modules; !rc && *m; m++)
		if ((*m)->generate) {
			/* Statistics of the rows loaded so far, for this step's plans. */
			char lap[64];
			snprintf(lap, sizeof lap, "analyze (%s)", (*m)->name);
			rc = db_analyze(db, err);
			gen_clock_lap(&clk, lap);
			if (!rc)
				rc = (*m)->generate(&pub, err);
			gen_clock_lap(&clk, (*m)->name);
		}
	g.r = pub.r;
	if (!rc && g.log)
		fprintf(g.log, "accounts (password: %s):\n", o->password);
	int64_t root = 0, jg = 0, first_branch = 0, county = 0;
	if (!rc && !(rc = db_int1(db, &root, "SELECT min(id) FROM org WHERE parent_id IS NULL", DB_NOARGS, err)) &&
	    !(rc = db_int1(db, &jg, "SELECT min(id) FROM org WHERE kind = ?",
			   DB_ARGS(DB_T(org_kind_name(ORG_COMMITTEE))), err)) &&
	    !(rc = db_int1(db, &county, "SELECT min(id) FROM org WHERE kind = ?",
			   DB_ARGS(DB_T(org_kind_name(ORG_INDUSTRY_COMMITTEE))), err)) &&
	    !(rc = db_int1(db, &first_branch, "SELECT coalesce((SELECT org_id FROM member WHERE id = ?), 0)",
			   DB_ARGS(DB_I(g.first_member_of[0])), err))) {
		if (!keep_admin)
			rc = add_user(&g, "admin", "系统管理员", "admin", 0, 0, o->password);
	}
	if (!rc)
		rc = add_user(&g, "jiguan", "机关党委组织员", "org_admin", jg, 0, o->password);
	if (!rc)
		rc = add_user(&g, "hangye", "行业党委组织员", "org_admin", county, 0, o->password);
	if (!rc)
		rc = add_user(&g, "zhibu", "支部书记", "branch_admin", first_branch, 0, o->password);
	if (!rc) {	/* a member of the same branch as the secretary account */
		int64_t mid = 0;
		char *mname = NULL;
		rc = db_int1(db, &mid, "SELECT coalesce((SELECT id FROM member WHERE org_id = ? ORDER BY id LIMIT 1 OFFSET 1), 0)",
			     DB_ARGS(DB_I(first_branch)), err);
		if (!rc)
			rc = db_text1(db, &mname, "SELECT (SELECT name FROM member WHERE id = ?)", DB_ARGS(DB_I(mid)), err);
		if (!rc)
			rc = add_user(&g, "dangyuan", mname ? mname : "党员", "member", first_branch, mid, o->password);
		free(mname);
	}
	if (!rc) {
		struct actor a = actor_cli();
		json_t *what = json_pack("{s:i, s:I, s:I, s:I}", "scale", (int)o->scale, "seed", (json_int_t)o->seed,
					 "orgs", (json_int_t)st->orgs, "members", (json_int_t)st->members);
		rc = audit_write(db, &a, "generate", "org", root, NULL, what, err);
		json_decref(what);
	}
	gen_clock_lap(&clk, "accounts");
	rc = db_end(db, rc, err);
	gen_clock_lap(&clk, "commit");
	db_bulk(db, false);
	gen_clock_total(&clk);
	free(g.cards);
	return rc;
}
