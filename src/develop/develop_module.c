/* develop_module.c — 发展党员's entry in the module table (platform/module.h). */
#include "develop/develop.h"

#include <stdio.h>

#include "gen/gen.h"
#include "platform/module.h"

extern const struct route develop_routes[];
extern const struct figure develop_figures[];
int develop_gen(struct gen *g, struct dj_error *err);

static const struct nav_entry develop_nav[] = {
	{"/develop", "发展党员", "Promotion", NAV_MANAGERS, 33},
	{0},
};

static const char *const develop_migrations[] = {
	/* 1: the people in the pipeline (personal data sealed as members'
	 * are), every step they went through, and the time limits. */
	"CREATE TABLE develop_person (\n"
	"  id {{ID}}, org_id BIGINT NOT NULL REFERENCES org(id), name TEXT NOT NULL, name_key TEXT NOT NULL,\n"
	"  gender TEXT NOT NULL, ethnicity TEXT, birth_date TEXT NOT NULL, id_card_enc TEXT, id_card_hash TEXT UNIQUE,\n"
	"  phone_enc TEXT, phone_hash TEXT, education TEXT, position TEXT, status TEXT NOT NULL,\n"
	"  step BIGINT NOT NULL, applied_on TEXT NOT NULL, activist_on TEXT, candidate_on TEXT, admitted_on TEXT,\n"
	"  voted_on TEXT, full_on TEXT, stopped_on TEXT, probation_end TEXT, extensions BIGINT NOT NULL DEFAULT 0,\n"
	"  member_id BIGINT REFERENCES member(id), due_step BIGINT, due_on TEXT,\n"
	"  created_at TEXT NOT NULL, updated_at TEXT NOT NULL);\n"
	"CREATE INDEX develop_person_org ON develop_person(org_id, step);\n"
	"CREATE INDEX develop_person_due ON develop_person(due_on) WHERE due_on IS NOT NULL;\n"
	"CREATE INDEX develop_person_member ON develop_person(member_id);\n"
	"CREATE TABLE develop_step (\n"
	"  id {{ID}}, person_id BIGINT NOT NULL REFERENCES develop_person(id), step BIGINT NOT NULL,\n"
	"  on_date TEXT NOT NULL, by_name TEXT, passed BIGINT NOT NULL DEFAULT 1, decision TEXT,\n"
	"  facts TEXT NOT NULL DEFAULT '{}', note TEXT, late BIGINT NOT NULL DEFAULT 0, due_on TEXT,\n"
	"  user_id BIGINT, created_at TEXT NOT NULL);\n"
	"CREATE INDEX develop_step_person ON develop_step(person_id, step);\n"
	"CREATE INDEX develop_step_date ON develop_step(on_date, step);\n"
	"INSERT INTO setting(key, value, note) VALUES\n"
	"  ('develop.min_age', '18', '递交入党申请书时应年满（周岁）'),\n"
	"  ('develop.talk_months', '1', '收到入党申请书后派人谈话的期限（月）'),\n"
	"  ('develop.assess_months', '6', '入党积极分子培养教育考察的间隔（月）'),\n"
	"  ('develop.activist_min_months', '12', '入党积极分子确定为发展对象前至少培养（月）'),\n"
	"  ('develop.training_days', '3', '发展对象集中培训至少（天）'),\n"
	"  ('develop.training_hours', '24', '或集中培训至少（学时）'),\n"
	"  ('develop.approval_months', '3', '支部大会后上级党委审批的期限（月）'),\n"
	"  ('develop.approval_max_months', '6', '特殊情况下审批期限最长（月）'),\n"
	"  ('develop.extension_min_months', '6', '延长预备期至少（月）'),\n"
	"  ('develop.extension_max_months', '12', '延长预备期至多（月）'),\n"
	"  ('develop.conversion_days', '14', '预备期满后支部大会讨论转正的期限（天）')\n"
	"  ON CONFLICT (key) DO NOTHING;\n",
	/* 2: 终止发展 (why, by whom, from which status) and 重新申请, which
	 * links the stopped record and the new one. */
	"ALTER TABLE develop_person ADD COLUMN stop_reason TEXT;\n"
	"ALTER TABLE develop_person ADD COLUMN stop_note TEXT;\n"
	"ALTER TABLE develop_person ADD COLUMN stop_user BIGINT;\n"
	"ALTER TABLE develop_person ADD COLUMN stopped_status TEXT;\n"
	"ALTER TABLE develop_person ADD COLUMN prev_id BIGINT;\n"
	"ALTER TABLE develop_person ADD COLUMN next_id BIGINT;\n",
	/* 3: a member whose membership ended another way (死亡, 出党, 停止党籍,
	 * 转出 …) while still in the pipeline leaves it that day (as
	 * develop_member_ended now does in the end's own write). */
	"UPDATE develop_person SET stopped_status = status, status = 'stopped',\n"
	"  stopped_on = (SELECT e.on_date FROM member_end e WHERE e.member_id = develop_person.member_id\n"
	"    ORDER BY e.on_date DESC, e.id DESC LIMIT 1),\n"
	"  stop_reason = (SELECT e.reason FROM member_end e WHERE e.member_id = develop_person.member_id\n"
	"    ORDER BY e.on_date DESC, e.id DESC LIMIT 1),\n"
	"  stop_note = (SELECT e.note FROM member_end e WHERE e.member_id = develop_person.member_id\n"
	"    ORDER BY e.on_date DESC, e.id DESC LIMIT 1),\n"
	"  due_step = NULL, due_on = NULL\n"
	"WHERE status <> 'stopped' AND step < 25\n"
	"  AND member_id IN (SELECT id FROM member WHERE active = 0)\n"
	"  AND (SELECT e.reason FROM member_end e WHERE e.member_id = develop_person.member_id\n"
	"    ORDER BY e.on_date DESC, e.id DESC LIMIT 1) NOT IN ('not_admitted', 'probation_cancelled');\n",
	/* 4: 继续发展 — a record stopped by the member's end (转出 …) goes on
	 * when they are back on the roster; the stop stays on it, and the day it
	 * went on closes the gap the figures leave out (develop_stop.c). */
	"ALTER TABLE develop_person ADD COLUMN resumed_on TEXT;\n",
	/* 5: every 继续发展 kept (a continued record that stops again keeps
	 * the gap before: its history, and the figures of those days), from
	 * the records already continued. */
	"CREATE TABLE develop_gap (\n"
	"  id {{ID}}, person_id BIGINT NOT NULL REFERENCES develop_person(id), stopped_on TEXT NOT NULL,\n"
	"  stop_reason TEXT NOT NULL, stop_note TEXT, resumed_on TEXT NOT NULL, user_id BIGINT, created_at TEXT NOT NULL);\n"
	"CREATE INDEX develop_gap_person ON develop_gap(person_id, stopped_on);\n"
	"INSERT INTO develop_gap(person_id, stopped_on, stop_reason, stop_note, resumed_on, created_at)\n"
	"  SELECT id, stopped_on, stop_reason, stop_note, resumed_on, updated_at FROM develop_person\n"
	"  WHERE resumed_on IS NOT NULL AND stopped_on IS NOT NULL ORDER BY id;\n",
	/* 6: a record still in progress is where its member is (an inside
	 * transfer now moves it, develop_member_moved): those left behind by
	 * transfers before go to the member's branch, if it can develop. */
	"UPDATE develop_person SET org_id = (SELECT m.org_id FROM member m WHERE m.id = develop_person.member_id)\n"
	"WHERE status <> 'stopped' AND step < 25 AND member_id IS NOT NULL\n"
	"  AND EXISTS (SELECT 1 FROM member m JOIN org o ON o.id = m.org_id WHERE m.id = develop_person.member_id\n"
	"    AND m.active = 1 AND m.org_id <> develop_person.org_id\n"
	"    AND o.kind IN ('branch', 'functional_branch', 'cloud_branch', 'mobile_branch', 'general_branch'));\n",
	NULL,
};

static const char *const develop_bench_tables[] = {"develop_step", "develop_person", NULL};

/* A step writes these (and, at steps 15, 23 and 24, the member record,
 * which is the member module's table and scope). */
static const struct db_table_scope develop_tables[] = {
	{"develop_person", DEP(DEVELOP)},
	{"develop_step", DEP(DEVELOP)},
	{"develop_gap", DEP(DEVELOP)},
	{0},
};

static int develop_generate(struct gen *g, struct dj_error *err)
{
	int64_t before = g->st->members;
	int rc = develop_gen(g, err);
	if (!rc && g->log)
		fprintf(g->log, "  member development: pipeline generated (%lld members admitted through it)\n",
			(long long)(g->st->members - before));
	return rc;
}

const struct module develop_module = {
	.name = "develop",
	.label = "发展党员",
	.migrations = develop_migrations,
	.routes = develop_routes,
	.figures = develop_figures,
	.findings = develop_findings,
	.todos = develop_todos,
	.nav = develop_nav,
	.generate = develop_generate,
	.bench_tables = develop_bench_tables,
	.tables = develop_tables,
};
