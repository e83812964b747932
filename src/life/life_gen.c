/* life_gen.c — the life module's generator step: years of organizational life for the generated tree: the
 * meetings the rules ask for, with a few lapses (a skipped committee
 * meeting, a quarter without a 党课, a member who stopped coming) so that
 * the compliance view has something to find.  Rows are written directly,
 * the way life_activity_create would write them, because the province
 * scale has half a million activities. */
#include "gen/gen.h"
#include "life/life_gen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/mem.h"
#include "db/db.h"

struct gmember {
	int64_t id;
	char join[11];
	int chronic;	/* stopped coming some months ago */
};

struct gorg {
	int64_t id, secretary;
	struct gmember *m;
	int n;
	int64_t officers[8];
	int nofficers;
};

static const char *const theme_topics[] = {
	"学习贯彻党的二十届三中全会精神", "重温入党誓词主题党日", "“交通强国 党员先行”主题党日", "安全生产月主题党日",
	"走进红色教育基地", "志愿服务进社区主题党日", "学习《中国共产党章程》", "清廉交通建设主题党日",
	"“我为群众办实事”主题党日", "学习习近平总书记关于交通运输工作的重要论述"};
static const char *const lecture_topics[] = {
	"坚定理想信念 践行初心使命", "以高质量党建引领交通运输高质量发展", "加强党性修养 做合格共产党员",
	"学习党史 传承红色基因", "全面从严治党永远在路上", "弘扬“两路”精神 建设交通强国"};
static const char *const places[] = {"党员活动室", "第一会议室", "三楼会议室", "项目部会议室", "线上（腾讯会议）"};
static const char *const reasons[] = {"出差", "病假", "外出执勤", "公休", "参加培训"};

struct gl {
	struct db *db;
	struct rng *r;
	char today[11];
	int64_t *ids;	/* reserved activity ids */
	int nids, next;
	int64_t activities, attendance;
	/* All rows go in bulk (db_copy), begun parents first: on PostgreSQL
	 * each COPY block is sent after those of the tables begun before it. */
	struct db_copy *act, *agenda, *act_org, *att;
	struct dj_error *err;
};

static int64_t next_id(struct gl *g)
{
	if (g->next == g->nids) {
		g->next = 0;
		g->nids = db_reserve_ids(g->db, "activity", 256, g->ids, g->err) ? 0 : 256;
		if (!g->nids)
			return -1;
	}
	return g->ids[g->next++];
}

/* One held (or, if still ahead, planned) activity with its attendance. */
static int add_activity_id(struct gl *g, struct gorg *o, const char *kind, const char *date, const char *topic,
			   const char *speaker, int64_t speaker_id, bool officers_only, int64_t *out)
{
	int64_t id = next_id(g);
	*out = id;
	if (id < 0)
		return g->err->code;
	bool held = strcmp(date, g->today) <= 0;
	char now[21];
	date_now_iso(now);
	int rc = db_copy_row(g->act, DB_ARGS(DB_I(id), DB_I(o->id), DB_T(kind), DB_T(held ? "held" : "planned"), DB_T(date),
					  DB_T("14:30"), DB_T("16:30"), DB_T(places[rng_range(g->r, 0, 4)]), DB_T(topic),
					  DB_T(speaker), speaker_id ? DB_I(speaker_id) : DB_NULL,
					  DB_T(held ? "会议由书记主持，传达学习了上级有关文件精神，与会党员结合工作实际交流了体会。" : NULL),
					  DB_T(now), DB_T(now)),
			     g->err);
	if (!rc)
		rc = db_copy_row(g->act_org, DB_ARGS(DB_I(id), DB_I(o->id), DB_T(date), DB_T(kind), DB_I(held),
						      speaker_id && strcmp(kind, "lecture") == 0 ? DB_I(speaker_id) : DB_NULL),
				 g->err);
	g->activities++;
	char cutoff[11];
	date_add(cutoff, g->today, 0, -4, 0);
	for (int i = 0; i < o->n && !rc; i++) {
		struct gmember *m = &o->m[i];
		if (strcmp(m->join, date) > 0)
			continue;
		if (officers_only) {
			bool off = false;
			for (int k = 0; k < o->nofficers; k++)
				off |= o->officers[k] == m->id;
			if (!off)
				continue;
		}
		const char *status = "present", *reason = NULL;
		int64_t roll = rng_range(g->r, 0, 99);
		if (!held || (m->chronic && strcmp(date, cutoff) >= 0)) {
			status = "absent";
		} else if (roll < 6) {
			status = "leave";
			reason = reasons[rng_range(g->r, 0, 4)];
		} else if (roll < 10) {
			status = "absent";
		}
		rc = db_copy_row(g->att, DB_ARGS(DB_I(id), DB_I(m->id), DB_I(o->id), DB_T(status), DB_T(reason)), g->err);
		g->attendance++;
	}
	return rc;
}

static int add_activity(struct gl *g, struct gorg *o, const char *kind, const char *date, const char *topic,
			const char *speaker, int64_t speaker_id, bool officers_only)
{
	int64_t id;
	return add_activity_id(g, o, kind, date, topic, speaker, speaker_id, officers_only, &id);
}

static int load_org(struct gl *g, int64_t id, struct gorg *o)
{
	memset(o, 0, sizeof *o);
	o->id = id;
	json_t *rows = db_rows(g->db, "SELECT id, join_date FROM member WHERE org_id = ? AND active = 1 ORDER BY id",
			       DB_ARGS(DB_I(id)), g->err);
	if (!rows)
		return g->err->code;
	o->n = (int)json_array_size(rows);
	o->m = xcalloc((size_t)o->n + 1, sizeof *o->m);
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		o->m[i].id = json_integer_value(json_object_get(r, "id"));
		snprintf(o->m[i].join, sizeof o->m[i].join, "%s", json_string_value(json_object_get(r, "join_date")));
		o->m[i].chronic = o->n > 8 && rng_range(g->r, 0, 199) == 0;
	}
	json_decref(rows);
	struct db_stmt *st = db_query(g->db,
		"SELECT f.member_id, f.post FROM org_officer f WHERE f.member_id IS NOT NULL AND f.term_id ="
		" (SELECT max(t.id) FROM org_term t WHERE t.org_id = ?)", DB_ARGS(DB_I(id)), g->err);
	while (st && db_next(st) > 0 && o->nofficers < 8) {
		o->officers[o->nofficers++] = db_int(st, 0);
		if (strcmp(db_text(st, 1), "secretary") == 0)
			o->secretary = db_int(st, 0);
	}
	db_done(st);
	return 0;
}

/* A day of month `ym` ("YYYY-MM"), kept before today in the current month. */
static void day_in(struct gl *g, int y, int m, int lo, int hi, char out[11])
{
	date_format(out, y, m, (int)rng_range(g->r, lo, hi));
}

static int group_history(struct gl *g, struct gorg *o, int y0, int m0)
{
	int ty = atoi(g->today), tm = atoi(g->today + 5), rc = 0;
	char d[11], topic[160];
	for (int y = y0, m = m0; !rc && (y < ty || (y == ty && m <= tm)); m == 12 ? (y++, m = 1) : m++)
		if (rng_range(g->r, 0, 99) >= 5) {
			day_in(g, y, m, 3, 26, d);
			snprintf(topic, sizeof topic, "%d年%d月党小组学习会", y, m);
			rc = add_activity(g, o, "group_meeting", d, topic, NULL, 0, false);
		}
	return rc;
}

static int org_history(struct gl *g, struct gorg *o, int y0, int m0)
{
	int ty = atoi(g->today), tm = atoi(g->today + 5);
	bool committee = o->nofficers >= 3;
	int rc = 0;
	char d[11], topic[160];
	for (int y = y0, m = m0; !rc && (y < ty || (y == ty && m <= tm)); m == 12 ? (y++, m = 1) : m++) {
		if (rng_range(g->r, 0, 99) >= 4) {	/* 主题党日, 每月相对固定1天 */
			day_in(g, y, m, 10, 20, d);
			snprintf(topic, sizeof topic, "%d月主题党日：%s", m, theme_topics[rng_range(g->r, 0, 9)]);
			rc = add_activity(g, o, "theme_day", d, topic, NULL, 0, false);
		}
		if (!rc && committee && rng_range(g->r, 0, 99) >= 6) {
			day_in(g, y, m, 2, 8, d);
			snprintf(topic, sizeof topic, "%d年%d月支部委员会会议", y, m);
			rc = add_activity(g, o, "committee_meeting", d, topic, NULL, 0, true);
		}
		if (!rc && m % 3 == 2 && rng_range(g->r, 0, 99) >= 6) {
			day_in(g, y, m, 21, 27, d);
			snprintf(topic, sizeof topic, "%d年第%d季度支部党员大会", y, (m + 2) / 3);
			rc = add_activity(g, o, "general_meeting", d, topic, NULL, 0, false);
		}
		if (!rc && m % 3 == 0 && rng_range(g->r, 0, 99) >= 5) {
			bool own = m == 6 && o->secretary;	/* the secretary's own 党课 in Q2 */
			day_in(g, y, m, 5, 25, d);
			rc = add_activity(g, o, "lecture", d, lecture_topics[rng_range(g->r, 0, 5)], own ? "党支部书记" : "特邀讲师",
					  own ? o->secretary : 0, false);
		}
		if (!rc && m == 1 && rng_range(g->r, 0, 99) >= 5) {
			day_in(g, y, m, 12, 25, d);
			snprintf(topic, sizeof topic, "%d年度组织生活会", y - 1);
			rc = add_activity(g, o, "life_meeting", d, topic, NULL, 0, false);
			if (!rc) {
				snprintf(topic, sizeof topic, "%d年度民主评议党员", y - 1);
				rc = add_activity(g, o, "member_review", d, topic, NULL, 0, false);
			}
		}
	}
	return rc;
}

/* 党组会议 (twice a month, the 党组 only), 理论学习中心组学习 (monthly),
 * 专题研讨 (quarterly) and 读书班 (spring and autumn) of the 党组 and the
 * 党委 under it (seed 001: "全年召开党组会议20次，其中专题研究部署党建工作
 * 12次"; seed 003: "落实“第一议题”制度310余次，组织党组（党委）理论学习
 * 中心组学习140余次"; "举办学习教育专题读书班14次").  Their members sit
 * in branches, so these carry no roll call; a 党组会议 and a 中心组学习
 * open with a 第一议题, and most 党组会议 have a 党建议题. */
static const char *const first_topics[] = {
	"传达学习习近平总书记最新重要讲话和重要指示精神", "学习习近平总书记关于交通运输工作的重要论述",
	"传达学习党中央最新文件精神", "学习贯彻习近平总书记在中央政治局集体学习时的重要讲话精神"};
static const char *const party_topics[] = {
	"研究部署年度党建工作要点", "研究基层党组织换届工作", "研究党风廉政建设和反腐败工作", "听取机关党委工作汇报",
	"研究党员发展和教育管理工作", "研究意识形态工作", "研究党建品牌创建工作", "研究基层党建述职评议考核工作"};
static const char *const business_topics[] = {
	"研究交通基础设施项目建设有关事项", "研究安全生产工作", "审议“四好农村路”建设推进方案", "研究干部人事事项",
	"研究预算执行和资金使用情况", "研究优化营商环境工作"};
static const char *const seminar_topics[] = {
	"深入贯彻中央八项规定精神专题研讨", "党的创新理论专题研讨", "以党建引领交通强国建设专题研讨",
	"树立和践行正确政绩观专题研讨"};

static int add_agenda(struct gl *g, int64_t activity, int seq, const char *title, bool first, bool party)
{
	return db_copy_row(g->agenda, DB_ARGS(DB_I(activity), DB_I(seq), DB_T(title), DB_I(first), DB_I(party)), g->err);
}

static int leading_history(struct gl *g, struct gorg *o, bool party_group, int y0, int m0)
{
	int ty = atoi(g->today), tm = atoi(g->today + 5), rc = 0;
	char d[11], topic[160];
	int64_t id;
	for (int y = y0, m = m0; !rc && (y < ty || (y == ty && m <= tm)); m == 12 ? (y++, m = 1) : m++) {
		for (int k = 0; party_group && k < 2 && !rc; k++) {
			if (rng_range(g->r, 0, 99) < 15)
				continue;	/* some months have one meeting */
			day_in(g, y, m, k ? 18 : 4, k ? 26 : 12, d);
			snprintf(topic, sizeof topic, "%d年第%d次党组会议", y, (m - 1) * 2 + k + 1);
			rc = add_activity_id(g, o, "party_group_meeting", d, topic, NULL, 0, false, &id);
			int seq = 1;
			if (!rc)
				rc = add_agenda(g, id, seq++, first_topics[rng_range(g->r, 0, 3)], true, false);
			if (!rc && rng_range(g->r, 0, 99) < 60)
				rc = add_agenda(g, id, seq++, party_topics[rng_range(g->r, 0, 7)], false, true);
			for (int n = (int)rng_range(g->r, 1, 2); !rc && n > 0; n--)
				rc = add_agenda(g, id, seq++, business_topics[rng_range(g->r, 0, 5)], false, false);
		}
		if (!rc && rng_range(g->r, 0, 99) >= 8) {
			day_in(g, y, m, 13, 17, d);
			snprintf(topic, sizeof topic, "%d年%d月理论学习中心组集体学习", y, m);
			rc = add_activity_id(g, o, "study_group", d, topic, NULL, 0, false, &id);
			if (!rc)
				rc = add_agenda(g, id, 1, first_topics[rng_range(g->r, 0, 3)], true, false);
		}
		if (!rc && m % 3 == 1 && rng_range(g->r, 0, 99) >= 10) {
			day_in(g, y, m, 20, 25, d);
			rc = add_activity(g, o, "seminar", d, seminar_topics[rng_range(g->r, 0, 3)], NULL, 0, false);
		}
		if (!rc && (m == 4 || m == 10) && rng_range(g->r, 0, 99) >= 30) {
			day_in(g, y, m, 8, 12, d);
			snprintf(topic, sizeof topic, "%d年%s学习教育专题读书班", y, m == 4 ? "上半年" : "下半年");
			rc = add_activity(g, o, "reading_class", d, topic, NULL, 0, false);
		}
	}
	return rc;
}

static int gen_leading(struct gl *g, int y0, int m0)
{
	json_t *orgs = db_rows(g->db, "SELECT id, kind FROM org WHERE status = 'active' AND kind IN"
				      " ('party_group', 'committee', 'industry_committee') ORDER BY id", DB_NOARGS, g->err);
	int rc = orgs ? 0 : g->err->code;
	size_t i;
	json_t *o;
	json_array_foreach(orgs, i, o) {
		if (rc)
			break;
		struct gorg go;
		if (!(rc = load_org(g, json_integer_value(json_object_get(o, "id")), &go)))
			rc = leading_history(g, &go, strcmp(json_string_value(json_object_get(o, "kind")), "party_group") == 0,
					     y0, m0);
		free(go.m);
	}
	json_decref(orgs);
	return rc;
}

int life_gen(struct db *db, struct rng *r, int years, struct gen_clock *clk, struct dj_error *err, int64_t *activities,
	     int64_t *attendance)
{
	struct gl g = {.db = db, .r = r, .err = err, .ids = xcalloc(256, sizeof(int64_t))};
	date_today(g.today);
	int y0 = atoi(g.today) - years, m0 = atoi(g.today + 5) % 12 + 1;
	if (m0 == 1)
		y0++;
	json_t *orgs = db_rows(db, "SELECT id, kind FROM org WHERE status = 'active' AND kind IN"
				   " (SELECT org_kind FROM life_rule) ORDER BY id", DB_NOARGS, err);
	int rc = orgs ? 0 : err->code;
	/* SQLite's triggers upsert a tally row per row loaded (two thirds of a
	 * city's generate), PostgreSQL's aggregate each COPY block: into empty
	 * tables the tallies are counted once at the end instead, as the
	 * migrations that made them fill them. */
	json_t *triggers = NULL;
	int64_t loaded = 1;
	if (!rc)
		rc = db_int1(db, &loaded, "SELECT CASE WHEN EXISTS (SELECT 1 FROM activity_org) OR EXISTS (SELECT 1 FROM attendance)"
				 " OR EXISTS (SELECT 1 FROM study_done) OR EXISTS (SELECT 1 FROM life_tally)"
				 " OR EXISTS (SELECT 1 FROM att_tally) OR EXISTS (SELECT 1 FROM att_foreign)"
				 " OR EXISTS (SELECT 1 FROM study_tally) THEN 1 ELSE 0 END", DB_NOARGS, err);
	if (!rc && !loaded)
		rc = db_triggers_suspend(db, (const char *const[]){"activity_org", "attendance", "study_done", NULL},
					 &triggers, err);
	if (!rc)
		rc = db_copy_begin(db, "activity", "id, org_id, kind, status, on_date, start_time, end_time, place, topic,"
				   " speaker, speaker_member_id, minutes, created_at, updated_at", &g.act, err);
	if (!rc)
		rc = db_copy_begin(db, "activity_agenda", "activity_id, seq, title, first_topic, party_topic", &g.agenda, err);
	if (!rc)
		rc = db_copy_begin(db, "activity_org", "activity_id, org_id, on_date, kind, held, speaker_id", &g.act_org,
				   err);
	if (!rc)
		rc = db_copy_begin(db, "attendance", "activity_id, member_id, org_id, status, reason", &g.att, err);
	/* The largest tables: their keys are checked once at the end (a key
	 * checked per row cost activity three look-ups each). */
	if (!rc)
		rc = db_copy_defer_checks(g.act, err);
	if (!rc)
		rc = db_copy_defer_checks(g.att, err);
	size_t i;
	json_t *o;
	json_array_foreach(orgs, i, o) {
		if (rc)
			break;
		struct gorg go;
		if (!(rc = load_org(&g, json_integer_value(json_object_get(o, "id")), &go)))
			rc = strcmp(json_string_value(json_object_get(o, "kind")), "group") == 0 ? group_history(&g, &go, y0, m0)
												 : org_history(&g, &go, y0, m0);
		free(go.m);
	}
	json_decref(orgs);
	gen_clock_lap(clk, "life: branches");
	/* The leading groups' own life and the study pushes draw from a
	 * sequence of their own, so the branches' data (and what the task
	 * generator draws after this) stays as it was. */
	struct rng lead = {r->s ^ 0x9E3779B97F4A7C15ull};
	g.r = &lead;
	if (!rc)
		rc = gen_leading(&g, y0, m0);
	gen_clock_lap(clk, "life: leading");
	if (!rc)
		rc = life_gen_study(db, &lead, g.today, y0, m0, err);
	gen_clock_lap(clk, "life: study");
	g.r = r;
	/* Ended in the order begun: an activity's own row before its attendance. */
	int end = 0;
	struct db_copy *copies[] = {g.act, g.agenda, g.act_org, g.att};
	for (size_t k = 0; k < sizeof copies / sizeof copies[0]; k++) {
		int e = db_copy_end(copies[k], rc || end ? NULL : err);
		end = end ? end : e;
	}
	rc = rc ? rc : end;
	gen_clock_lap(clk, "life: copy end");
	if (triggers) {
		rc = db_triggers_restore(db, triggers, (const char *const[]){life_tallies_fill, life_study_tally_fill, NULL},
					 rc, err);
		gen_clock_lap(clk, "life: tallies");
	}
	free(g.ids);
	*activities = g.activities;
	*attendance = g.attendance;
	return rc;
}
