/* study_tally.c — the migration that makes, fills and keeps study_tally:
 * the study items done (study_done) counted per org of the member (as the
 * member stands) and plan year, in a column per plan month (m01..m12).
 * The figure life.study_done.count reads a row per org of a year from it
 * instead of joining every item done to its item, plan and member (a
 * province year: 187,000 rows).
 *
 * It counts what the records query counts: a study_done row whose item,
 * plan and member are there, under the member's org and the plan's month.
 * So every table of that join keeps it: an item done or undone, a member
 * moved to another org (or removed), an item moved to another plan, a
 * plan's month changed, an item or a plan removed (each finds the rows it
 * still joins, none when study_done went first).  Each change is one
 * upsert of signed counts: `rows` selects o (org), mo (month YYYY-MM) and
 * g (+1 or -1).  tests/api/life_counters.test.mjs recounts it. */
#include <stddef.h>

#define ST_EACH(f) f("01") ", " f("02") ", " f("03") ", " f("04") ", " f("05") ", " f("06") ", " f("07") ", " \
	f("08") ", " f("09") ", " f("10") ", " f("11") ", " f("12")
#define ST_COL(mm) "m" mm
#define ST_DEF(mm) "m" mm " BIGINT NOT NULL DEFAULT 0"
#define ST_SUM(mm) "sum(CASE WHEN substr(z.mo, 6, 2) = '" mm "' THEN z.g ELSE 0 END)"
#define ST_PLUS(mm) "m" mm " = study_tally.m" mm " + excluded.m" mm
#define ST_UPSERT(rows)                                                                                        \
	"INSERT INTO study_tally(org_id, year, " ST_EACH(ST_COL) ") SELECT z.o, CAST(substr(z.mo, 1, 4) AS BIGINT), " \
	ST_EACH(ST_SUM) " FROM (" rows ") z WHERE 1 = 1 GROUP BY z.o, CAST(substr(z.mo, 1, 4) AS BIGINT)"           \
	" ON CONFLICT (org_id, year) DO UPDATE SET " ST_EACH(ST_PLUS)

/* One study_done row (r = "NEW." / "OLD."), or the rows of a transition table t. */
#define ST_DONE(r, g)                                                                                          \
	"SELECT m.org_id AS o, p.month AS mo, " g " AS g FROM study_item i JOIN study_plan p ON p.id = i.plan_id"     \
	" JOIN member m ON m.id = " r "member_id WHERE i.id = " r "item_id"
#define ST_DONE_TABLE(t, g)                                                                                    \
	"SELECT m.org_id AS o, p.month AS mo, " g " AS g FROM " t " n JOIN study_item i ON i.id = n.item_id"          \
	" JOIN study_plan p ON p.id = i.plan_id JOIN member m ON m.id = n.member_id"
/* The rows of a member (its org as r has it), of an item (its plan as r
 * has it), of a plan (its month as r has it). */
#define ST_MEMBER(r, g)                                                                                        \
	"SELECT " r "org_id AS o, p.month AS mo, " g " AS g FROM study_done d JOIN study_item i ON i.id = d.item_id"  \
	" JOIN study_plan p ON p.id = i.plan_id WHERE d.member_id = " r "id"
#define ST_ITEM(r, g)                                                                                          \
	"SELECT m.org_id AS o, p.month AS mo, " g " AS g FROM study_done d JOIN member m ON m.id = d.member_id"       \
	" JOIN study_plan p ON p.id = " r "plan_id WHERE d.item_id = " r "id"
#define ST_PLAN(r, g)                                                                                          \
	"SELECT m.org_id AS o, " r "month AS mo, " g " AS g FROM study_item i JOIN study_done d ON d.item_id = i.id"  \
	" JOIN member m ON m.id = d.member_id WHERE i.plan_id = " r "id"

/* One trigger body pair for a change of table x: the old rows out, the new in. */
#define ST_MOVE(rows) "  " ST_UPSERT(rows("OLD.", "-1")) ";\n  " ST_UPSERT(rows("NEW.", "1")) ";\n"

/* The step's fill, for generate's load into an empty study_done on SQLite
 * (life_gen.c): the rows counted per member and plan first, so a member's
 * org and a plan's month are looked up once per pair, not once per row. */
const char life_study_tally_fill[] = ST_UPSERT(
	"SELECT m.org_id AS o, p.month AS mo, d.g AS g FROM (SELECT n.member_id AS mid, i.plan_id AS pid, count(*) AS g"
	" FROM study_done n JOIN study_item i ON i.id = n.item_id GROUP BY n.member_id, i.plan_id) d"
	" JOIN study_plan p ON p.id = d.pid JOIN member m ON m.id = d.mid");

const char life_study_tally_step[] =
	"CREATE TABLE study_tally (\n"
	"  org_id BIGINT NOT NULL, year BIGINT NOT NULL, " ST_EACH(ST_DEF) ",\n"
	"  PRIMARY KEY (org_id, year)){{NOROWID}};\n"
	ST_UPSERT(ST_DONE_TABLE("study_done", "1")) ";\n"
	"{{IF_SQLITE}}"
	"CREATE TRIGGER study_tally_insert AFTER INSERT ON study_done BEGIN\n"
	"  " ST_UPSERT(ST_DONE("NEW.", "1")) ";\n"
	"END;\n"
	"CREATE TRIGGER study_tally_delete AFTER DELETE ON study_done BEGIN\n"
	"  " ST_UPSERT(ST_DONE("OLD.", "-1")) ";\n"
	"END;\n"
	"CREATE TRIGGER study_tally_update AFTER UPDATE OF item_id, member_id ON study_done BEGIN\n"
	ST_MOVE(ST_DONE)
	"END;\n"
	"CREATE TRIGGER study_tally_member AFTER UPDATE OF org_id ON member WHEN OLD.org_id IS NOT NEW.org_id BEGIN\n"
	ST_MOVE(ST_MEMBER)
	"END;\n"
	"CREATE TRIGGER study_tally_member_delete AFTER DELETE ON member BEGIN\n"
	"  " ST_UPSERT(ST_MEMBER("OLD.", "-1")) ";\n"
	"END;\n"
	"CREATE TRIGGER study_tally_item AFTER UPDATE OF plan_id ON study_item WHEN OLD.plan_id IS NOT NEW.plan_id BEGIN\n"
	ST_MOVE(ST_ITEM)
	"END;\n"
	"CREATE TRIGGER study_tally_item_delete AFTER DELETE ON study_item BEGIN\n"
	"  " ST_UPSERT(ST_ITEM("OLD.", "-1")) ";\n"
	"END;\n"
	"CREATE TRIGGER study_tally_plan AFTER UPDATE OF month ON study_plan WHEN OLD.month IS NOT NEW.month BEGIN\n"
	ST_MOVE(ST_PLAN)
	"END;\n"
	"CREATE TRIGGER study_tally_plan_delete AFTER DELETE ON study_plan BEGIN\n"
	"  " ST_UPSERT(ST_PLAN("OLD.", "-1")) ";\n"
	"END;\n"
	"{{END}}{{IF_PG}}"
	/* Inserts and deletes of study_done once per statement from the
	 * transition table (the generator's blocks, an item's rows removed
	 * with it); the rest row by row (a trigger with a column list cannot
	 * see transition tables).  The few new rows are joined by index: the
	 * planner knows nothing of a transition table's size. */
	"CREATE FUNCTION study_tally_added() RETURNS trigger LANGUAGE plpgsql AS $$\n"
	"BEGIN\n"
	"  " ST_UPSERT(ST_DONE_TABLE("study_done_new", "1")) ";\n"
	"  RETURN NULL;\n"
	"END $$;\n"
	"ALTER FUNCTION study_tally_added() SET enable_hashjoin = off;\n"
	"ALTER FUNCTION study_tally_added() SET enable_mergejoin = off;\n"
	"CREATE TRIGGER study_tally_added AFTER INSERT ON study_done REFERENCING NEW TABLE AS study_done_new\n"
	"  FOR EACH STATEMENT EXECUTE FUNCTION study_tally_added();\n"
	"CREATE FUNCTION study_tally_removed() RETURNS trigger LANGUAGE plpgsql AS $$\n"
	"BEGIN\n"
	"  " ST_UPSERT(ST_DONE_TABLE("study_done_old", "-1")) ";\n"
	"  RETURN NULL;\n"
	"END $$;\n"
	"ALTER FUNCTION study_tally_removed() SET enable_hashjoin = off;\n"
	"ALTER FUNCTION study_tally_removed() SET enable_mergejoin = off;\n"
	"CREATE TRIGGER study_tally_removed AFTER DELETE ON study_done REFERENCING OLD TABLE AS study_done_old\n"
	"  FOR EACH STATEMENT EXECUTE FUNCTION study_tally_removed();\n"
	"CREATE FUNCTION study_tally_done() RETURNS trigger LANGUAGE plpgsql AS $$\n"
	"BEGIN\n"
	ST_MOVE(ST_DONE)
	"  RETURN NULL;\n"
	"END $$;\n"
	"CREATE TRIGGER study_tally_done AFTER UPDATE OF item_id, member_id ON study_done\n"
	"  FOR EACH ROW EXECUTE FUNCTION study_tally_done();\n"
	"CREATE FUNCTION study_tally_member() RETURNS trigger LANGUAGE plpgsql AS $$\n"
	"BEGIN\n"
	"  " ST_UPSERT(ST_MEMBER("OLD.", "-1")) ";\n"
	"  IF TG_OP = 'UPDATE' THEN\n"
	"    " ST_UPSERT(ST_MEMBER("NEW.", "1")) ";\n"
	"  END IF;\n"
	"  RETURN NULL;\n"
	"END $$;\n"
	"CREATE TRIGGER study_tally_member AFTER UPDATE OF org_id ON member\n"
	"  FOR EACH ROW WHEN (OLD.org_id IS DISTINCT FROM NEW.org_id) EXECUTE FUNCTION study_tally_member();\n"
	"CREATE TRIGGER study_tally_member_delete AFTER DELETE ON member\n"
	"  FOR EACH ROW EXECUTE FUNCTION study_tally_member();\n"
	"CREATE FUNCTION study_tally_item() RETURNS trigger LANGUAGE plpgsql AS $$\n"
	"BEGIN\n"
	"  " ST_UPSERT(ST_ITEM("OLD.", "-1")) ";\n"
	"  IF TG_OP = 'UPDATE' THEN\n"
	"    " ST_UPSERT(ST_ITEM("NEW.", "1")) ";\n"
	"  END IF;\n"
	"  RETURN NULL;\n"
	"END $$;\n"
	"CREATE TRIGGER study_tally_item AFTER UPDATE OF plan_id ON study_item\n"
	"  FOR EACH ROW WHEN (OLD.plan_id IS DISTINCT FROM NEW.plan_id) EXECUTE FUNCTION study_tally_item();\n"
	"CREATE TRIGGER study_tally_item_delete AFTER DELETE ON study_item\n"
	"  FOR EACH ROW EXECUTE FUNCTION study_tally_item();\n"
	"CREATE FUNCTION study_tally_plan() RETURNS trigger LANGUAGE plpgsql AS $$\n"
	"BEGIN\n"
	"  " ST_UPSERT(ST_PLAN("OLD.", "-1")) ";\n"
	"  IF TG_OP = 'UPDATE' THEN\n"
	"    " ST_UPSERT(ST_PLAN("NEW.", "1")) ";\n"
	"  END IF;\n"
	"  RETURN NULL;\n"
	"END $$;\n"
	"CREATE TRIGGER study_tally_plan AFTER UPDATE OF month ON study_plan\n"
	"  FOR EACH ROW WHEN (OLD.month IS DISTINCT FROM NEW.month) EXECUTE FUNCTION study_tally_plan();\n"
	"CREATE TRIGGER study_tally_plan_delete AFTER DELETE ON study_plan\n"
	"  FOR EACH ROW EXECUTE FUNCTION study_tally_plan();\n"
	"{{END}}";

/* On PostgreSQL the statement triggers plan their query each time
 * (EXECUTE): the plan PL/pgSQL kept from a session's first statement was
 * made for the tables as they were then (the generator's: nearly empty). */
const char life_study_tally_replan_step[] =
	"{{IF_PG}}"
	"CREATE OR REPLACE FUNCTION study_tally_added() RETURNS trigger LANGUAGE plpgsql AS $$\n"
	"BEGIN\n"
	"  EXECUTE $q$" ST_UPSERT(ST_DONE_TABLE("study_done_new", "1")) "$q$;\n"
	"  RETURN NULL;\n"
	"END $$;\n"
	"ALTER FUNCTION study_tally_added() SET enable_hashjoin = off;\n"
	"ALTER FUNCTION study_tally_added() SET enable_mergejoin = off;\n"
	"CREATE OR REPLACE FUNCTION study_tally_removed() RETURNS trigger LANGUAGE plpgsql AS $$\n"
	"BEGIN\n"
	"  EXECUTE $q$" ST_UPSERT(ST_DONE_TABLE("study_done_old", "-1")) "$q$;\n"
	"  RETURN NULL;\n"
	"END $$;\n"
	"ALTER FUNCTION study_tally_removed() SET enable_hashjoin = off;\n"
	"ALTER FUNCTION study_tally_removed() SET enable_mergejoin = off;\n"
	/* and the row triggers keep one generic plan per query, not one per call */
	"ALTER FUNCTION study_tally_done() SET plan_cache_mode = force_generic_plan;\n"
	"ALTER FUNCTION study_tally_member() SET plan_cache_mode = force_generic_plan;\n"
	"ALTER FUNCTION study_tally_item() SET plan_cache_mode = force_generic_plan;\n"
	"ALTER FUNCTION study_tally_plan() SET plan_cache_mode = force_generic_plan;\n"
	"{{END}}";
