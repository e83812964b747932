/* task_module.c — the task-deployment module's entry in the module table
 * (platform/module.h). */
#include "task/task.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "gen/gen.h"
#include "platform/module.h"

extern const struct route task_routes[];
extern const struct figure task_figures[];
int task_todos(struct db *db, const struct actor *a, const char *today, json_t *out, struct dj_error *err);

static int task_findings_source(struct db *db, const struct actor *a, int64_t root, const char *today, const char *rule,
				json_t *out, struct dj_error *err)
{
	json_t *f = task_findings(db, a, root, err);
	if (!f)
		return err->code ? err->code : DJ_EDB;
	size_t i;
	json_t *x;
	json_array_foreach(f, i, x)
		if (!rule || strcmp(rule, json_string_value(json_object_get(x, "rule"))) == 0)
			json_array_append(out, x);
	json_decref(f);
	return 0;
}

static int task_generate(struct gen *g, struct dj_error *err)
{
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int rc = gen_tasks(g->db, &g->r, &g->st->plans, &g->st->assignments, err);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (!rc && g->log)
		fprintf(g->log, "  task deployment: %lld plan, %lld assignments (%.2f s)\n", (long long)g->st->plans,
			(long long)g->st->assignments,
			(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return rc;
}

static const struct nav_entry task_nav[] = {
	{"/plans", "任务部署", "Document", NAV_MANAGERS, 60},
	{"/tasks", "我的任务", "List", NAV_MANAGERS, 65},
	{0},
};

/* The scopes a write to each table moves (the read cache, db/db_scope.h). */
static const struct db_table_scope task_tables[] = {
	{"plan", DEP(TASK)}, {"plan_contact", DEP(TASK)}, {"campaign", DEP(TASK)}, {"task", DEP(TASK)},
	{"task_quota", DEP(TASK)}, {"task_target", DEP(TASK)}, {"task_version", DEP(TASK)},
	{"assignment", DEP(TASK)}, {"assignment_event", DEP(TASK)}, {"assignment_quota", DEP(TASK)},
	{0},
};

const struct module task_module = {
	.name = "task",
	.label = "任务部署",
	.routes = task_routes,
	.figures = task_figures,
	.findings = task_findings_source,
	.todos = task_todos,
	.nav = task_nav,
	.generate = task_generate,
	.tables = task_tables,
};
