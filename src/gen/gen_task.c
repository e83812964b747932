/* gen_task.c — this year's work plan of the generated bureau, in the shape
 * of seed 002 (common tasks for the committees, specific tasks for the
 * county committees, the units and the 机关 branches), published, with the
 * reports a year brings: most of what fell due is reported and accepted,
 * some late, some returned, some missing.  Everything goes through the task
 * module itself, so the data is what users could have entered. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/mem.h"
#include "db/db.h"
#include "gen/gen.h"
#include "org/org.h"
#include "task/task.h"
#include "user/actor.h"

struct gt {
	struct db *db;
	struct rng *r;
	struct dj_error *err;
	struct actor bureau;
	int64_t plan, campaigns[2];
	char year[5];
};

/* Ids from a query (one integer argument) as a JSON array; NULL with the
 * query's error in g->err. */
static json_t *ids(struct gt *g, const char *sql, int64_t arg)
{
	json_t *rows = db_rows(g->db, sql, DB_ARGS(DB_I(arg)), g->err);
	if (!rows)
		return NULL;
	json_t *out = json_array();
	size_t i;
	json_t *o;
	json_array_foreach(rows, i, o) json_array_append(out, json_object_get(o, "id"));
	json_decref(rows);
	return out;
}

static int add_task(struct gt *g, json_t *in)
{
	int64_t id;
	int rc = task_create(g->db, &g->bureau, g->plan, in, &id, g->err);
	json_decref(in);
	return rc;
}

static json_t *quota(const char *item, double min, double max, const char *unit, const char *per)
{
	json_t *q = json_pack("{s:s, s:f, s:s, s:s}", "item", item, "min", min, "unit", unit, "per", per);
	if (max > 0)
		json_object_set_new(q, "max", json_real(max));
	return json_pack("[o]", q);
}

static int plan_tasks(struct gt *g, int64_t root)
{
	char d[8][11];
	static const char *const md[] = {"01-15", "12-31", "11-20", "10-31", "09-30", "04-30", "06-30", "03-08"};
	for (int i = 0; i < 8; i++)
		snprintf(d[i], sizeof d[i], "%s-%s", g->year, md[i]);
	json_t *counties = ids(g, "SELECT o.id FROM org o " ORG_JOIN_UP("c", "o.id")
				       " WHERE c.ancestor = ? AND o.kind = 'industry_committee' AND o.status = 'active' ORDER BY o.id", root);
	/* The units seed 002 names: the 公路 centre and the 执法 detachment. */
	json_t *road = ids(g, "SELECT min(id) AS id FROM org WHERE kind = 'committee' AND parent_id = ? AND name LIKE '%公路%'"
				  " HAVING min(id) IS NOT NULL", root);
	json_t *enforce = ids(g, "SELECT min(id) AS id FROM org WHERE kind = 'committee' AND parent_id = ?"
				     " AND name LIKE '%执法%' HAVING min(id) IS NOT NULL", root);
	json_t *jg = ids(g, "SELECT id FROM org WHERE parent_id = (SELECT min(id) FROM org WHERE kind = 'committee'"
				" AND parent_id = ?) AND status = 'active' ORDER BY id", root);
	int rc = counties && road && enforce && jg ? 0 : g->err->code;
	if (!rc)
		rc = add_task(g, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:[s,s,s], s:f}", "scope", "common", "title",
					   "以政治建设为统领，持续强化理论武装", "content",
					   "及时学习传达领会贯彻党的二十大精神，扎实开展“提高效率、提升效能、提增效益”行动。",
					   "starts_on", d[0], "ends_on", d[1], "due_on", d[1], "assignee_kinds", "committee",
					   "industry_committee", "general_branch", "points", 2.0));
	if (!rc)
		rc = add_task(g, json_pack("{s:s, s:s, s:s, s:s, s:s, s:[s,s], s:o, s:f}", "scope", "common", "title",
					   "深化交通运输党建品牌", "starts_on", d[0], "ends_on", d[1], "due_on", d[1],
					   "assignee_kinds", "committee", "industry_committee", "quotas",
					   quota("新增“五星级”党支部", 1, 0, "个", "total"), "points", 2.0));
	if (!rc && json_array_size(counties))
		rc = add_task(g, json_pack("{s:s, s:s, s:s, s:s, s:s, s:O, s:o, s:f, s:f, s:I}", "scope", "specific", "title",
					   "党建引领交通工程在建项目", "starts_on", d[0], "ends_on", d[1], "due_on", d[2], "targets",
					   counties, "quotas", quota("党建引领交通在建工程示范点", 1, 0, "个", "assignee"), "points",
					   5.0, "missing_points", -2.0, "campaign_id", (json_int_t)g->campaigns[0]));
	if (!rc && json_array_size(counties))
		rc = add_task(g, json_pack("{s:s, s:s, s:s, s:s, s:s, s:O, s:o, s:f, s:f}", "scope", "specific", "title",
					   "党建引领“四好农村路”项目", "starts_on", d[0], "ends_on", d[1], "due_on", d[3], "targets",
					   counties, "quotas", quota("“四好农村路”市级示范点", 1, 2, "个", "assignee"), "points", 5.0,
					   "missing_points", -2.0));
	if (!rc && json_array_size(road))
		rc = add_task(g, json_pack("{s:s, s:s, s:s, s:s, s:s, s:O, s:o, s:f}", "scope", "specific", "title",
					   "党员示范岗公路养护路段项目", "starts_on", d[0], "ends_on", d[1], "due_on", d[4], "targets",
					   road, "quotas", quota("党员示范岗养护路段", 2, 0, "个", "assignee"),
					   "points", 5.0));
	if (!rc && json_array_size(enforce))
		rc = add_task(g, json_pack("{s:s, s:s, s:s, s:s, s:s, s:O, s:o, s:f}", "scope", "specific", "title",
					   "超限运输检测站党员先锋岗项目", "starts_on", d[0], "ends_on", d[1], "due_on", d[5], "targets",
					   enforce, "quotas", quota("党员先锋岗", 4, 0, "个", "total"), "points", 5.0));
	if (!rc && json_array_size(jg)) {
		json_t *q = json_pack("[{s:s, s:f, s:s, s:s}, {s:s, s:f, s:s, s:s}, {s:s, s:f, s:s, s:s}]", "item",
				      "交通基础设施项目", "min", 130.0, "unit", "个", "per", "total", "item", "完成投资", "min",
				      178.0, "unit", "亿元", "per", "total", "item", "新建改造农村公路", "min", 214.0, "unit", "公里",
				      "per", "total");
		rc = add_task(g, json_pack("{s:s, s:s, s:s, s:s, s:s, s:O, s:o, s:f, s:I}", "scope", "specific", "title",
					   "“五大攻坚”项目", "starts_on", d[0], "ends_on", d[1], "due_on", d[1], "targets", jg,
					   "quotas", q, "points", 5.0, "campaign_id", (json_int_t)g->campaigns[0]));
	}
	if (!rc && json_array_size(jg))
		rc = add_task(g, json_pack("{s:s, s:s, s:s, s:s, s:s, s:O, s:f, s:I}", "scope", "specific", "title",
					   "“八项行动”项目", "starts_on", d[0], "ends_on", d[1], "due_on", d[6], "targets", jg,
					   "points", 3.0, "campaign_id", (json_int_t)g->campaigns[1]));
	json_decref(counties);
	json_decref(road);
	json_decref(enforce);
	json_decref(jg);
	return rc;
}

/* Report as the unit would have, on a chosen day (the module reads today
 * from the pinned date, so lateness is computed as it would have been). */
static int report(struct gt *g, int64_t id, int64_t org, const char *kind, const char *on, json_t *achieved)
{
	/* The unit reports on the day it would have: lateness follows from it. */
	struct actor unit = {.role = ROLE_ORG_ADMIN, .org_id = org};
	snprintf(unit.username, sizeof unit.username, "经办人");
	snprintf(unit.today, sizeof unit.today, "%s", on);
	json_t *in = json_pack("{s:s, s:s}", "kind", kind, "body",
			       strcmp(kind, "final") == 0 ? "已按要求完成，具体做法和成效见附件材料。" : "正在推进，已完成阶段性工作。");
	if (achieved)
		json_object_set(in, "achieved", achieved);
	int64_t ev;
	struct dj_error e = {0};
	int rc = task_submit(g->db, &unit, id, in, &ev, &e);
	json_decref(in);
	if (rc)
		return dj_fail(g->err, rc, e.field, "%s", e.msg);
	return 0;
}

static int review(struct gt *g, int64_t id, const char *decision)
{
	json_t *in = json_pack("{s:s, s:s}", "decision", decision, "comment",
			       strcmp(decision, "accept") == 0 ? "材料齐全，予以通过。" : "请补充现场照片和成效说明。");
	int rc = task_review(g->db, &g->bureau, id, in, g->err);
	json_decref(in);
	return rc;
}

static int reports(struct gt *g, const char *today)
{
	json_t *rows = db_rows(g->db, "SELECT a.id, a.org_id, t.due_on, t.starts_on,"
				      " (SELECT id FROM task_quota q WHERE q.task_id = t.id ORDER BY q.sort LIMIT 1) AS quota,"
				      " (SELECT min_value FROM task_quota q WHERE q.task_id = t.id ORDER BY q.sort LIMIT 1) AS target"
				      " FROM assignment a JOIN task t ON t.id = a.task_id WHERE a.plan_id = ? ORDER BY a.id",
			       DB_ARGS(DB_I(g->plan)), g->err);
	if (!rows)
		return g->err->code;
	int rc = 0;
	size_t i;
	json_t *o;
	json_array_foreach(rows, i, o) {
		if (rc)
			break;
		int64_t id = json_integer_value(json_object_get(o, "id")), org = json_integer_value(json_object_get(o, "org_id"));
		const char *due = json_string_value(json_object_get(o, "due_on"));
		const char *start = json_string_value(json_object_get(o, "starts_on"));
		json_t *ach = NULL;
		if (json_is_integer(json_object_get(o, "quota")))
			ach = json_pack("[{s:O, s:f}]", "quota_id", json_object_get(o, "quota"), "value",
					(double)(int64_t)(json_number_value(json_object_get(o, "target")) *
							  (double)rng_range(g->r, 5, 12) / 10.0 + 0.5));
		int64_t roll = rng_range(g->r, 1, 100);
		char on[11];
		if (strcmp(due, today) < 0) {
			/* Fell due: 70% reported on time, 12% late, 8% returned and open, 10% nothing. */
			if (roll <= 90) {
				date_add(on, due, 0, 0, roll <= 70 ? -(int)rng_range(g->r, 1, 20) : (int)rng_range(g->r, 1, 15));
				if (strcmp(on, start) < 0)
					snprintf(on, sizeof on, "%s", start);
				if (strcmp(on, today) > 0)
					snprintf(on, sizeof on, "%s", today);
				rc = report(g, id, org, "final", on, ach);
				if (!rc)
					rc = review(g, id, roll <= 82 ? "accept" : "return");
			}
		} else if (roll <= 45 && strcmp(start, today) <= 0) {
			rc = report(g, id, org, "progress", today, ach);
		}
		json_decref(ach);
	}
	json_decref(rows);
	return rc;
}

/* Most units name their 分管领导 and 经办人; some never do. */
static int name_contacts(struct gt *g)
{
	json_t *orgs = ids(g, "SELECT DISTINCT org_id AS id FROM assignment WHERE plan_id = ? ORDER BY org_id", g->plan);
	int rc = orgs ? 0 : g->err->code;
	size_t i;
	json_t *o;
	json_array_foreach(orgs, i, o) {
		if (rc || rng_range(g->r, 1, 100) > 85)
			continue;
		int64_t org = json_integer_value(o);
		struct actor unit = {.role = ROLE_ORG_ADMIN, .org_id = org};
		snprintf(unit.username, sizeof unit.username, "经办人");
		date_today(unit.today);
		char leader[32], clerk[32], p1[12], p2[12];
		gen_name(g->r, leader, sizeof leader, 1);
		gen_name(g->r, clerk, sizeof clerk, (int)rng_range(g->r, 0, 1));
		snprintf(p1, sizeof p1, "13%09lld", (long long)rng_range(g->r, 0, 999999999));
		snprintf(p2, sizeof p2, "15%09lld", (long long)rng_range(g->r, 0, 999999999));
		json_t *in = json_pack("{s:s, s:s, s:s, s:s}", "leader_name", leader, "leader_phone", p1, "clerk_name", clerk,
				       "clerk_phone", p2);
		rc = task_contact_set(g->db, &unit, g->plan, org, in, g->err);
		json_decref(in);
	}
	json_decref(orgs);
	return rc;
}

int gen_tasks(struct db *db, struct rng *r, int64_t *plans, int64_t *assignments, struct dj_error *err)
{
	struct gt g = {.db = db, .r = r, .err = err};
	char today[11];
	date_today(today);
	snprintf(g.year, sizeof g.year, "%.4s", today);
	int64_t root = 0;
	int rc = db_int1(db, &root, "SELECT min(id) FROM org WHERE parent_id IS NULL", DB_NOARGS, err);
	if (rc)
		return rc;
	g.bureau = (struct actor){.role = ROLE_ORG_ADMIN, .org_id = root};
	snprintf(g.bureau.username, sizeof g.bureau.username, "局党组（生成数据）");
	memcpy(g.bureau.today, today, sizeof g.bureau.today);
	char starts[11], ends[11], contacts[11];
	snprintf(starts, sizeof starts, "%s-01-15", g.year);
	snprintf(ends, sizeof ends, "%s-12-31", g.year);
	snprintf(contacts, sizeof contacts, "%s-03-08", g.year);
	char title[120];
	snprintf(title, sizeof title, "%s年党建引领交通运输工作方案", g.year);
	json_t *in = json_pack("{s:I, s:s, s:s, s:s, s:s, s:[s,s]}", "org_id", (json_int_t)root, "title", title, "starts_on",
			       starts, "ends_on", ends, "contacts_due", contacts, "campaigns", "五大攻坚", "八项行动");
	rc = task_plan_create(db, &g.bureau, in, &g.plan, err);
	json_decref(in);
	json_t *c = rc ? NULL : db_rows(db, "SELECT id FROM campaign WHERE plan_id = ? ORDER BY sort", DB_ARGS(DB_I(g.plan)), err);
	if (!rc && !c)
		rc = err->code;
	for (size_t i = 0; i < 2 && i < json_array_size(c); i++)
		g.campaigns[i] = json_integer_value(json_object_get(json_array_get(c, i), "id"));
	json_decref(c);
	if (!rc)
		rc = plan_tasks(&g, root);
	if (!rc)
		rc = task_plan_publish(db, &g.bureau, g.plan, assignments, err);
	if (!rc)
		rc = name_contacts(&g);
	if (!rc)
		rc = reports(&g, today);
	*plans = rc ? 0 : 1;
	return rc;
}
