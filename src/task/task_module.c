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
	/* Counters kept by triggers on assignment move with it. */
	{"task_tally", DEP(TASK)}, {"task_plan_org", DEP(TASK)},
	{0},
};

/* The module's own schema steps. */
static const char *const task_migrations[] = {
	/* 1: a plan's assignments counted by task and status, and by assignee
	 * org, kept by triggers in the transaction of every write to assignment
	 * (filled here from the rows there): the matrix reads 300 counts and one
	 * row per assignee instead of every assignment of the plan, three times.
	 * tests/api/life_counters.test.mjs recounts them. */
	"CREATE TABLE task_tally (\n"
	"  plan_id BIGINT NOT NULL, task_id BIGINT NOT NULL, status TEXT NOT NULL, n BIGINT NOT NULL,\n"
	"  PRIMARY KEY (plan_id, task_id, status)){{NOROWID}};\n"
	"INSERT INTO task_tally(plan_id, task_id, status, n)\n"
	"  SELECT plan_id, task_id, status, count(*) FROM assignment GROUP BY plan_id, task_id, status;\n"
	"CREATE TABLE task_plan_org (\n"
	"  plan_id BIGINT NOT NULL, org_id BIGINT NOT NULL, n BIGINT NOT NULL, PRIMARY KEY (plan_id, org_id)){{NOROWID}};\n"
	"INSERT INTO task_plan_org(plan_id, org_id, n) SELECT plan_id, org_id, count(*) FROM assignment GROUP BY plan_id, org_id;\n"
	"{{IF_SQLITE}}"
	"CREATE TRIGGER task_tally_insert AFTER INSERT ON assignment BEGIN\n"
	"  INSERT INTO task_tally(plan_id, task_id, status, n) VALUES (NEW.plan_id, NEW.task_id, NEW.status, 1)\n"
	"    ON CONFLICT (plan_id, task_id, status) DO UPDATE SET n = n + 1;\n"
	"  INSERT INTO task_plan_org(plan_id, org_id, n) VALUES (NEW.plan_id, NEW.org_id, 1)\n"
	"    ON CONFLICT (plan_id, org_id) DO UPDATE SET n = n + 1;\n"
	"END;\n"
	"CREATE TRIGGER task_tally_delete AFTER DELETE ON assignment BEGIN\n"
	"  UPDATE task_tally SET n = n - 1 WHERE plan_id = OLD.plan_id AND task_id = OLD.task_id AND status = OLD.status;\n"
	"  UPDATE task_plan_org SET n = n - 1 WHERE plan_id = OLD.plan_id AND org_id = OLD.org_id;\n"
	"  DELETE FROM task_plan_org WHERE plan_id = OLD.plan_id AND org_id = OLD.org_id AND n = 0;\n"
	"END;\n"
	"CREATE TRIGGER task_tally_update AFTER UPDATE OF plan_id, task_id, org_id, status ON assignment BEGIN\n"
	"  UPDATE task_tally SET n = n - 1 WHERE plan_id = OLD.plan_id AND task_id = OLD.task_id AND status = OLD.status;\n"
	"  INSERT INTO task_tally(plan_id, task_id, status, n) VALUES (NEW.plan_id, NEW.task_id, NEW.status, 1)\n"
	"    ON CONFLICT (plan_id, task_id, status) DO UPDATE SET n = n + 1;\n"
	"  UPDATE task_plan_org SET n = n - 1 WHERE plan_id = OLD.plan_id AND org_id = OLD.org_id;\n"
	"  INSERT INTO task_plan_org(plan_id, org_id, n) VALUES (NEW.plan_id, NEW.org_id, 1)\n"
	"    ON CONFLICT (plan_id, org_id) DO UPDATE SET n = n + 1;\n"
	"  DELETE FROM task_plan_org WHERE plan_id = OLD.plan_id AND org_id = OLD.org_id AND n = 0;\n"
	"END;\n"
	"{{END}}{{IF_PG}}"
	"CREATE FUNCTION task_tally_keep() RETURNS trigger LANGUAGE plpgsql AS $$\n"
	"BEGIN\n"
	"  IF TG_OP <> 'INSERT' THEN\n"
	"    UPDATE task_tally SET n = n - 1 WHERE plan_id = OLD.plan_id AND task_id = OLD.task_id AND status = OLD.status;\n"
	"    UPDATE task_plan_org SET n = n - 1 WHERE plan_id = OLD.plan_id AND org_id = OLD.org_id;\n"
	"  END IF;\n"
	"  IF TG_OP <> 'DELETE' THEN\n"
	"    INSERT INTO task_tally(plan_id, task_id, status, n) VALUES (NEW.plan_id, NEW.task_id, NEW.status, 1)\n"
	"      ON CONFLICT (plan_id, task_id, status) DO UPDATE SET n = task_tally.n + 1;\n"
	"    INSERT INTO task_plan_org(plan_id, org_id, n) VALUES (NEW.plan_id, NEW.org_id, 1)\n"
	"      ON CONFLICT (plan_id, org_id) DO UPDATE SET n = task_plan_org.n + 1;\n"
	"  END IF;\n"
	"  IF TG_OP <> 'INSERT' THEN\n"
	"    DELETE FROM task_plan_org WHERE plan_id = OLD.plan_id AND org_id = OLD.org_id AND n = 0;\n"
	"  END IF;\n"
	"  RETURN NULL;\n"
	"END $$;\n"
	"CREATE TRIGGER task_tally_keep AFTER INSERT OR DELETE OR UPDATE OF plan_id, task_id, org_id, status ON assignment\n"
	"  FOR EACH ROW EXECUTE FUNCTION task_tally_keep();\n"
	"{{END}}",
	/* 2: on PostgreSQL a plan's publication (one INSERT of thousands of
	 * assignments) is counted once per statement from its transition
	 * table, not by a PL/pgSQL call and two upserts per assignment; so is
	 * a DELETE.  Updates stay row by row (a trigger with a column list
	 * cannot see transition tables). */
	"{{IF_PG}}"
	"DROP TRIGGER task_tally_keep ON assignment;\n"
	"CREATE TRIGGER task_tally_keep AFTER UPDATE OF plan_id, task_id, org_id, status ON assignment\n"
	"  FOR EACH ROW EXECUTE FUNCTION task_tally_keep();\n"
	"CREATE FUNCTION task_tally_added() RETURNS trigger LANGUAGE plpgsql AS $$\n"
	"BEGIN\n"
	"  INSERT INTO task_tally(plan_id, task_id, status, n)\n"
	"    SELECT plan_id, task_id, status, count(*) FROM assignment_new GROUP BY plan_id, task_id, status\n"
	"    ON CONFLICT (plan_id, task_id, status) DO UPDATE SET n = task_tally.n + EXCLUDED.n;\n"
	"  INSERT INTO task_plan_org(plan_id, org_id, n)\n"
	"    SELECT plan_id, org_id, count(*) FROM assignment_new GROUP BY plan_id, org_id\n"
	"    ON CONFLICT (plan_id, org_id) DO UPDATE SET n = task_plan_org.n + EXCLUDED.n;\n"
	"  RETURN NULL;\n"
	"END $$;\n"
	"CREATE TRIGGER task_tally_added AFTER INSERT ON assignment REFERENCING NEW TABLE AS assignment_new\n"
	"  FOR EACH STATEMENT EXECUTE FUNCTION task_tally_added();\n"
	"CREATE FUNCTION task_tally_removed() RETURNS trigger LANGUAGE plpgsql AS $$\n"
	"BEGIN\n"
	"  UPDATE task_tally c SET n = c.n - d.n\n"
	"    FROM (SELECT plan_id, task_id, status, count(*) AS n FROM assignment_old GROUP BY plan_id, task_id, status) d\n"
	"    WHERE c.plan_id = d.plan_id AND c.task_id = d.task_id AND c.status = d.status;\n"
	"  UPDATE task_plan_org c SET n = c.n - d.n\n"
	"    FROM (SELECT plan_id, org_id, count(*) AS n FROM assignment_old GROUP BY plan_id, org_id) d\n"
	"    WHERE c.plan_id = d.plan_id AND c.org_id = d.org_id;\n"
	"  DELETE FROM task_plan_org c USING (SELECT DISTINCT plan_id, org_id FROM assignment_old) d\n"
	"    WHERE c.plan_id = d.plan_id AND c.org_id = d.org_id AND c.n = 0;\n"
	"  RETURN NULL;\n"
	"END $$;\n"
	"CREATE TRIGGER task_tally_removed AFTER DELETE ON assignment REFERENCING OLD TABLE AS assignment_old\n"
	"  FOR EACH STATEMENT EXECUTE FUNCTION task_tally_removed();\n"
	"{{END}}",
	/* 3: on PostgreSQL an assignment's task and plan are checked by one
	 * key, (task_id, plan_id) of the task, instead of two: PostgreSQL
	 * checks a foreign key by a query per row, and publishing a plan
	 * spent half its time on three such checks per assignment.  The one
	 * key says more (the plan is the task's own); the task's key on plan
	 * stands behind the plan. */
	"{{IF_PG}}"
	"CREATE UNIQUE INDEX task_id_plan ON task(id, plan_id);\n"
	"ALTER TABLE assignment DROP CONSTRAINT assignment_task_id_fkey;\n"
	"ALTER TABLE assignment DROP CONSTRAINT assignment_plan_id_fkey;\n"
	"ALTER TABLE assignment ADD CONSTRAINT assignment_task_plan_fkey FOREIGN KEY (task_id, plan_id)\n"
	"  REFERENCES task(id, plan_id);\n"
	"{{END}}",
	/* 4: on PostgreSQL an assignment's two foreign keys are checked once
	 * per statement, per distinct key, instead of by a query per row: a
	 * plan's publication (one INSERT of thousands of rows that name 50
	 * tasks and a few hundred orgs) spent more time in those per-row
	 * queries than in writing the rows.  The check is the foreign key's
	 * own: the referenced rows are locked FOR KEY SHARE (a concurrent
	 * delete of one waits, then finds the assignment; one deleted first
	 * is not found here), a missing one fails the statement with
	 * foreign_key_violation under the constraint's name; deleting a task
	 * or an org, or changing its key, fails the same way while an
	 * assignment names it.  SQLite keeps its declared keys (its checks
	 * are index probes in-process). */
	"{{IF_PG}}"
	"ALTER TABLE assignment DROP CONSTRAINT assignment_task_plan_fkey;\n"
	"ALTER TABLE assignment DROP CONSTRAINT assignment_org_id_fkey;\n"
	"CREATE FUNCTION assignment_keys_check() RETURNS trigger LANGUAGE plpgsql AS $$\n"
	"DECLARE want bigint; got bigint;\n"
	"BEGIN\n"
	"  SELECT count(*) INTO want FROM (SELECT DISTINCT task_id, plan_id FROM assignment_new) k;\n"
	"  PERFORM 1 FROM task t JOIN (SELECT DISTINCT task_id, plan_id FROM assignment_new) k\n"
	"    ON t.id = k.task_id AND t.plan_id = k.plan_id FOR KEY SHARE OF t;\n"
	"  GET DIAGNOSTICS got = ROW_COUNT;\n"
	"  IF got <> want THEN\n"
	"    RAISE EXCEPTION 'insert or update on table \"assignment\" violates foreign key constraint \"assignment_task_plan_fkey\"'\n"
	"      USING ERRCODE = 'foreign_key_violation', TABLE = 'assignment', CONSTRAINT = 'assignment_task_plan_fkey';\n"
	"  END IF;\n"
	"  SELECT count(*) INTO want FROM (SELECT DISTINCT org_id FROM assignment_new) k;\n"
	"  PERFORM 1 FROM org o JOIN (SELECT DISTINCT org_id FROM assignment_new) k ON o.id = k.org_id FOR KEY SHARE OF o;\n"
	"  GET DIAGNOSTICS got = ROW_COUNT;\n"
	"  IF got <> want THEN\n"
	"    RAISE EXCEPTION 'insert or update on table \"assignment\" violates foreign key constraint \"assignment_org_id_fkey\"'\n"
	"      USING ERRCODE = 'foreign_key_violation', TABLE = 'assignment', CONSTRAINT = 'assignment_org_id_fkey';\n"
	"  END IF;\n"
	"  RETURN NULL;\n"
	"END $$;\n"
	"CREATE TRIGGER assignment_keys_added AFTER INSERT ON assignment REFERENCING NEW TABLE AS assignment_new\n"
	"  FOR EACH STATEMENT EXECUTE FUNCTION assignment_keys_check();\n"
	/* (A trigger with a column list sees no transition table: an update
	 * of the keys, which nothing here does, is checked row by row.) */
	"CREATE FUNCTION assignment_key_moved() RETURNS trigger LANGUAGE plpgsql AS $$\n"
	"BEGIN\n"
	"  IF (NEW.task_id, NEW.plan_id) IS DISTINCT FROM (OLD.task_id, OLD.plan_id) THEN\n"
	"    PERFORM 1 FROM task WHERE id = NEW.task_id AND plan_id = NEW.plan_id FOR KEY SHARE;\n"
	"    IF NOT FOUND THEN\n"
	"      RAISE EXCEPTION 'insert or update on table \"assignment\" violates foreign key constraint \"assignment_task_plan_fkey\"'\n"
	"        USING ERRCODE = 'foreign_key_violation', TABLE = 'assignment', CONSTRAINT = 'assignment_task_plan_fkey';\n"
	"    END IF;\n"
	"  END IF;\n"
	"  IF NEW.org_id IS DISTINCT FROM OLD.org_id THEN\n"
	"    PERFORM 1 FROM org WHERE id = NEW.org_id FOR KEY SHARE;\n"
	"    IF NOT FOUND THEN\n"
	"      RAISE EXCEPTION 'insert or update on table \"assignment\" violates foreign key constraint \"assignment_org_id_fkey\"'\n"
	"        USING ERRCODE = 'foreign_key_violation', TABLE = 'assignment', CONSTRAINT = 'assignment_org_id_fkey';\n"
	"    END IF;\n"
	"  END IF;\n"
	"  RETURN NULL;\n"
	"END $$;\n"
	"CREATE TRIGGER assignment_keys_changed AFTER UPDATE OF task_id, plan_id, org_id ON assignment\n"
	"  FOR EACH ROW EXECUTE FUNCTION assignment_key_moved();\n"
	"CREATE FUNCTION assignment_parent_check() RETURNS trigger LANGUAGE plpgsql AS $$\n"
	"BEGIN\n"
	"  IF TG_TABLE_NAME = 'task' THEN\n"
	"    IF (TG_OP = 'DELETE' OR NEW.id <> OLD.id OR NEW.plan_id <> OLD.plan_id)\n"
	"       AND EXISTS (SELECT 1 FROM assignment WHERE task_id = OLD.id AND plan_id = OLD.plan_id) THEN\n"
	"      RAISE EXCEPTION 'update or delete on table \"task\" violates foreign key constraint \"assignment_task_plan_fkey\" on table \"assignment\"'\n"
	"        USING ERRCODE = 'foreign_key_violation', TABLE = 'assignment', CONSTRAINT = 'assignment_task_plan_fkey';\n"
	"    END IF;\n"
	"  ELSIF (TG_OP = 'DELETE' OR NEW.id <> OLD.id) AND EXISTS (SELECT 1 FROM assignment WHERE org_id = OLD.id) THEN\n"
	"    RAISE EXCEPTION 'update or delete on table \"org\" violates foreign key constraint \"assignment_org_id_fkey\" on table \"assignment\"'\n"
	"      USING ERRCODE = 'foreign_key_violation', TABLE = 'assignment', CONSTRAINT = 'assignment_org_id_fkey';\n"
	"  END IF;\n"
	"  RETURN NULL;\n"
	"END $$;\n"
	"CREATE TRIGGER assignment_task_gone AFTER DELETE OR UPDATE OF id, plan_id ON task\n"
	"  FOR EACH ROW EXECUTE FUNCTION assignment_parent_check();\n"
	"CREATE TRIGGER assignment_org_gone AFTER DELETE OR UPDATE OF id ON org\n"
	"  FOR EACH ROW EXECUTE FUNCTION assignment_parent_check();\n"
	"{{END}}",
	/* 5: the statement's check of step 4 probes task and org by key, once
	 * per distinct key of the inserted rows (LATERAL: a nested loop over
	 * the keys, whatever the estimates), and reads the transition table
	 * once per key: planned as a join, it read every task and every org
	 * (a hash join over sequential scans: each publication paid for all
	 * the plans before it and for the whole tree, however few its rows). */
	"{{IF_PG}}"
	"CREATE OR REPLACE FUNCTION assignment_keys_check() RETURNS trigger LANGUAGE plpgsql AS $$\n"
	"DECLARE want bigint; got bigint;\n"
	"BEGIN\n"
	"  SELECT count(*), count(t.ok) INTO want, got FROM (SELECT DISTINCT task_id, plan_id FROM assignment_new) k\n"
	"    LEFT JOIN LATERAL (SELECT true AS ok FROM task WHERE id = k.task_id AND plan_id = k.plan_id FOR KEY SHARE) t ON true;\n"
	"  IF got <> want THEN\n"
	"    RAISE EXCEPTION 'insert or update on table \"assignment\" violates foreign key constraint \"assignment_task_plan_fkey\"'\n"
	"      USING ERRCODE = 'foreign_key_violation', TABLE = 'assignment', CONSTRAINT = 'assignment_task_plan_fkey';\n"
	"  END IF;\n"
	"  SELECT count(*), count(o.ok) INTO want, got FROM (SELECT DISTINCT org_id FROM assignment_new) k\n"
	"    LEFT JOIN LATERAL (SELECT true AS ok FROM org WHERE id = k.org_id FOR KEY SHARE) o ON true;\n"
	"  IF got <> want THEN\n"
	"    RAISE EXCEPTION 'insert or update on table \"assignment\" violates foreign key constraint \"assignment_org_id_fkey\"'\n"
	"      USING ERRCODE = 'foreign_key_violation', TABLE = 'assignment', CONSTRAINT = 'assignment_org_id_fkey';\n"
	"  END IF;\n"
	"  RETURN NULL;\n"
	"END $$;\n"
	"{{END}}",
	/* 6: a plan's assignments by task and status are counted in task_tally
	 * (step 1), a task's are found by the (task_id, org_id) key, so the
	 * index on (plan_id, task_id, status) only cost: every assignment
	 * written maintained it — on PostgreSQL a sixth of a publication's
	 * WAL and of the shared pages a connection first touches for it
	 * (bench/publish_explain.sh). */
	"DROP INDEX IF EXISTS assignment_plan_task;\n",
	NULL,
};

const struct module task_module = {
	.name = "task",
	.label = "任务部署",
	.migrations = task_migrations,
	.routes = task_routes,
	.figures = task_figures,
	.findings = task_findings_source,
	.todos = task_todos,
	.nav = task_nav,
	.generate = task_generate,
	.tables = task_tables,
};
