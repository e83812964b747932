/* gen_life.c — years of organizational life for the generated tree: the
 * meetings the rules ask for, with a few lapses (a skipped committee
 * meeting, a quarter without a 党课, a member who stopped coming) so that
 * the compliance view has something to find.  Rows are written directly,
 * the way life_activity_create would write them, because the province
 * scale has half a million activities. */
#include "gen/gen.h"

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
static int add_activity(struct gl *g, struct gorg *o, const char *kind, const char *date, const char *topic,
			const char *speaker, int64_t speaker_id, bool officers_only)
{
	int64_t id = next_id(g);
	if (id < 0)
		return g->err->code;
	bool held = strcmp(date, g->today) <= 0;
	char now[21];
	date_now_iso(now);
	int rc = db_run(g->db, "INSERT INTO activity(id, org_id, kind, status, on_date, start_time, end_time, place, topic,"
			       " speaker, speaker_member_id, minutes, created_at, updated_at)"
			       " VALUES (?, ?, ?, ?, ?, '14:30', '16:30', ?, ?, ?, ?, ?, ?, ?)",
			DB_ARGS(DB_I(id), DB_I(o->id), DB_T(kind), DB_T(held ? "held" : "planned"), DB_T(date),
				DB_T(places[rng_range(g->r, 0, 4)]), DB_T(topic), DB_T(speaker),
				speaker_id ? DB_I(speaker_id) : DB_NULL,
				DB_T(held ? "会议由书记主持，传达学习了上级有关文件精神，与会党员结合工作实际交流了体会。" : NULL),
				DB_T(now), DB_T(now)), g->err);
	if (!rc)
		rc = db_run(g->db, "INSERT INTO activity_org(activity_id, org_id, on_date, kind, held) VALUES (?, ?, ?, ?, ?)",
			    DB_ARGS(DB_I(id), DB_I(o->id), DB_T(date), DB_T(kind), DB_I(held)), g->err);
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
		rc = db_run(g->db, "INSERT INTO attendance(activity_id, member_id, org_id, status, reason) VALUES (?, ?, ?, ?, ?)",
			    DB_ARGS(DB_I(id), DB_I(m->id), DB_I(o->id), DB_T(status), DB_T(reason)), g->err);
		g->attendance++;
	}
	return rc;
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

int gen_life(struct db *db, struct rng *r, int years, struct dj_error *err, int64_t *activities, int64_t *attendance)
{
	struct gl g = {.db = db, .r = r, .err = err, .ids = xcalloc(256, sizeof(int64_t))};
	date_today(g.today);
	int y0 = atoi(g.today) - years, m0 = atoi(g.today + 5) % 12 + 1;
	if (m0 == 1)
		y0++;
	json_t *orgs = db_rows(db, "SELECT id, kind FROM org WHERE status = 'active' AND kind IN"
				   " (SELECT org_kind FROM life_rule) ORDER BY id", DB_NOARGS, err);
	int rc = orgs ? 0 : err->code;
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
	free(g.ids);
	*activities = g.activities;
	*attendance = g.attendance;
	return rc;
}
