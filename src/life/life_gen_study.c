/* 月计划周推送 for the generated tree: each 党组 pushes a study plan every
 * month with one or two items a week (seed 003: "制发党员学习计划12期，推送
 * 习近平总书记重要文章22期、学习科目40余节"), and the members under it
 * study them: most nearly every item, a few rarely, one in a hundred
 * never (the member.no_work rule has those to find).  Every member keeps
 * records for the last seven months (the rule's window and this one); before
 * that only the 机关's members do, unless the 党组 is small (the demo), so
 * the province writes millions of rows rather than tens of millions. */
#include "gen/gen.h"
#include "life/life_gen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/mem.h"
#include "db/db.h"

static const char *const articles[] = {
	"习近平总书记重要文章《坚持和加强党的全面领导》", "习近平总书记重要文章《加快建设交通强国》",
	"习近平总书记重要文章《全面从严治党永远在路上》", "习近平总书记重要文章《以党的自我革命引领社会革命》",
	"习近平总书记重要文章《推进中国式现代化》"};
static const char *const courses[] = {
	"党的二十届四中全会精神解读", "《中国共产党支部工作条例（试行）》学习", "深入贯彻中央八项规定精神学习教育",
	"《中国共产党纪律处分条例》学习", "交通运输领域政策法规学习", "党史学习教育专题课"};
static const char *const videos[] = {"警示教育片《铁规矩硬杠杠》", "红色影片观看", "“交通青年说”主题沙龙回放"};

struct study_members {
	int64_t *id;
	bool *jiguan;	/* a member of a branch of the 机关党委 */
	size_t n;
};

/* Out of 100, how many of the items a member studies: fixed per member
 * (a hash of the id, no draw), so the same people are the diligent ones
 * every month. */
static int study_rate(int64_t id)
{
	uint64_t h = ((uint64_t)id * 0x9E3779B97F4A7C15ull) >> 40;
	int k = (int)(h % 1000);
	return k < 10 ? 0 : k < 40 ? 10 : 85 + (int)(h / 1000 % 11);
}

static int plan_month(struct db *db, struct rng *r, struct db_copy *cp, int64_t org, int y, int m, const char *today,
		      bool everyone, const struct study_members *ms, struct dj_error *err)
{
	char month[8], title[80], first[11], now[21];
	snprintf(month, sizeof month, "%04d-%02d", y, m);
	snprintf(title, sizeof title, "%d年%d月党员学习计划", y, m);
	date_format(first, y, m, 1);
	date_now_iso(now);
	int64_t plan;
	int rc = db_int1(db, &plan, "INSERT INTO study_plan(org_id, month, title, note, created_at, updated_at)"
				    " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
			 DB_ARGS(DB_I(org), DB_T(month), DB_T(title), DB_T("每周推送，请按周完成学习"), DB_T(now), DB_T(now)),
			 err);
	int art = (int)rng_range(r, 0, 4);
	for (int week = 1, seq = 1; week <= 4 && !rc; week++) {
		char start[11];
		date_add(start, first, 0, 0, (week - 1) * 7);
		/* A different article every week of the month. */
		art = (art + (int)rng_range(r, 1, 2)) % 5;
		for (int n = (int)rng_range(r, 1, 2), k = 0; k < n && !rc; k++, seq++) {
			const char *kind = k == 0 ? "article" : rng_range(r, 0, 2) ? "course" : "video";
			const char *t = k == 0 ? articles[art]
				      : strcmp(kind, "course") == 0 ? courses[rng_range(r, 0, 5)] : videos[rng_range(r, 0, 2)];
			int64_t item;
			rc = db_int1(db, &item, "INSERT INTO study_item(plan_id, week, seq, title, kind) VALUES (?, ?, ?, ?, ?)"
						" RETURNING id", DB_ARGS(DB_I(plan), DB_I(week), DB_I(seq), DB_T(t), DB_T(kind)), err);
			/* Studied within the week it was pushed, never after today. */
			if (rc || strcmp(start, today) > 0)
				continue;
			for (size_t i = 0; i < ms->n && !rc; i++) {
				int rate = study_rate(ms->id[i]);
				if ((!everyone && !ms->jiguan[i]) || !rate || rng_range(r, 0, 99) >= rate)
					continue;
				char on[11], at[21];
				date_add(on, start, 0, 0, (int)rng_range(r, 0, 6));
				snprintf(at, sizeof at, "%sT02:00:00Z", strcmp(on, today) > 0 ? today : on);
				rc = db_copy_row(cp, DB_ARGS(DB_I(item), DB_I(ms->id[i]), DB_T(at)), err);
			}
		}
	}
	return rc;
}

int life_gen_study(struct db *db, struct rng *r, const char *today, int y0, int m0, struct dj_error *err)
{
	json_t *orgs = db_rows(db, "SELECT id FROM org WHERE status = 'active' AND kind = 'party_group' ORDER BY id",
			       DB_NOARGS, err);
	int rc = orgs ? 0 : err->code, ty = atoi(today), tm = atoi(today + 5);
	char since[11], from[8];
	date_add(since, today, 0, -6, 0);
	snprintf(from, sizeof from, "%.7s", since);
	struct db_copy *cp = NULL;
	if (!rc)
		rc = db_copy_begin(db, "study_done", "item_id, member_id, done_at", &cp, err);
	if (!rc)	/* PostgreSQL: its keys checked once at the end, not per row */
		rc = db_copy_defer_checks(cp, err);
	size_t i;
	json_t *o;
	json_array_foreach(orgs, i, o) {
		if (rc)
			break;
		int64_t org = json_integer_value(json_object_get(o, "id"));
		/* Everyone under it; those of the branches of its 机关党委 (the
		 * first 党委 under it) marked. */
		struct db_stmt *st = db_query(db, "SELECT m.id, CASE WHEN b.parent_id = (SELECT min(id) FROM org WHERE"
						  " parent_id = ?1 AND kind = 'committee') THEN 1 ELSE 0 END FROM org_closure c"
						  " JOIN member m ON m.org_id = c.descendant JOIN org b ON b.id = m.org_id"
						  " WHERE c.ancestor = ?1 AND m.active = 1 ORDER BY m.id", DB_ARGS(DB_I(org)), err);
		if (!st) {
			rc = err->code;
			break;
		}
		struct study_members ms = {0};
		size_t cap = 0;
		while ((rc = db_next(st)) > 0) {
			if (ms.n == cap) {
				cap = cap ? cap * 2 : 1024;
				ms.id = xrealloc(ms.id, cap * sizeof *ms.id);
				ms.jiguan = xrealloc(ms.jiguan, cap * sizeof *ms.jiguan);
			}
			ms.id[ms.n] = db_int(st, 0);
			ms.jiguan[ms.n++] = db_int(st, 1) != 0;
		}
		db_done(st);
		rc = rc < 0 ? err->code : 0;
		for (int y = y0, m = m0; !rc && (y < ty || (y == ty && m <= tm)); m == 12 ? (y++, m = 1) : m++) {
			char month[8];
			snprintf(month, sizeof month, "%04d-%02d", y, m);
			rc = plan_month(db, r, cp, org, y, m, today, ms.n < 5000 || strcmp(month, from) >= 0, &ms, err);
		}
		free(ms.id);
		free(ms.jiguan);
	}
	json_decref(orgs);
	int end = cp ? db_copy_end(cp, rc ? NULL : err) : 0;
	return rc ? rc : end;
}
