/* life_module.c — the organizational-life module's entry in the module
 * table (platform/module.h). */
#include "life/life.h"

#include <stdio.h>
#include <string.h>

#include "core/date.h"
#include "gen/gen.h"
#include "life/life_gen.h"
#include "member/member_roster.h"
#include "platform/module.h"

extern const struct route life_routes[];
extern const struct figure life_figures[];
int life_todos(struct db *db, const struct actor *a, const char *today, json_t *out, struct dj_error *err);
extern const char life_study_tally_step[];
extern const char life_study_tally_replan_step[];

/* The rules of the month as of yesterday: what is missing, and what is
 * still to be done.  On the first of a month that is the month just ended,
 * all of it behind (so `check --period` judges a whole month). */
static int life_findings_source(struct db *db, const struct actor *a, int64_t root, const char *today, const char *rule,
				json_t *out, struct dj_error *err)
{
	if (rule && *rule && strncmp(rule, "life.", 5) != 0)
		return 0;	/* another module's rule: the month's rules are seconds of work at a province root */
	char month[8], yesterday[11];
	date_add(yesterday, today, 0, 0, -1);
	snprintf(month, sizeof month, "%.7s", yesterday);
	json_t *f = life_findings(db, a, root, month, err);
	if (!f)
		return err->code ? err->code : DJ_EDB;
	size_t i;
	json_t *x;
	json_array_foreach(f, i, x) {
		bool missing = strcmp(json_string_value(json_object_get(x, "state")), "missing") == 0;
		json_object_set_new(x, "level", json_string(missing ? "error" : "warn"));
		json_object_set_new(x, "title", json_string(missing ? "组织生活缺项" : "组织生活待完成"));
		json_object_set_new(x, "rule", json_sprintf("life.%s.%s", json_string_value(json_object_get(x, "kind")),
							    json_string_value(json_object_get(x, "who"))));
		if (!rule || strcmp(rule, json_string_value(json_object_get(x, "rule"))) == 0)
			json_array_append(out, x);
	}
	json_decref(f);
	return 0;
}

static int life_generate(struct gen *g, struct dj_error *err)
{
	int64_t hosted = 0;
	int rc = life_gen(g->db, &g->r, g->years, g->clock, err, &g->st->activities, &g->st->attendance);
	if (!rc)
		rc = roster_generate_host_life(g, &hosted, err);
	gen_clock_lap(g->clock, "life: hosted");
	g->st->attendance += hosted;
	if (!rc && g->log)
		fprintf(g->log, "  organizational life: %lld activities, %lld attendance records (%lld of mobile members at their host)\n",
			(long long)g->st->activities, (long long)g->st->attendance, (long long)hosted);
	return rc;
}

static const struct nav_entry life_nav[] = {
	{"/life", "组织生活", "Calendar", NAV_MANAGERS, 40},
	{"/compliance", "落实情况", "Grid", NAV_MANAGERS, 45},
	{"/study", "学习计划", "Reading", NAV_MANAGERS, 50},
	{"/mylife", "我的组织生活", "Calendar", NAV_MEMBER, 40},
	{0},
};

/* life_tally's twelve month columns m01..m12, and what the triggers do
 * with them: a row of activity_org (r = "NEW." or "OLD.") adds one to, or
 * takes one from, the column of its month. */
#define TALLY_EACH(f, x) f("01", x) ", " f("02", x) ", " f("03", x) ", " f("04", x) ", " f("05", x) ", " f("06", x) ", " \
	f("07", x) ", " f("08", x) ", " f("09", x) ", " f("10", x) ", " f("11", x) ", " f("12", x)
#define TALLY_COL(mm, type) "m" mm type
#define TALLY_COLS(type) TALLY_EACH(TALLY_COL, type)
#define TALLY_YEAR(r) "CAST(substr(" r "on_date, 1, 4) AS BIGINT)"
#define TALLY_SPEAKER(r) "CASE WHEN " r "kind = 'lecture' THEN coalesce(" r "speaker_id, 0) ELSE 0 END"
#define TALLY_IS(mm, r) "CASE WHEN substr(" r "on_date, 6, 2) = '" mm "' THEN 1 ELSE 0 END"
#define TALLY_SUM1(mm, x) "sum(" TALLY_IS(mm, "") ")"
#define TALLY_SUMS TALLY_EACH(TALLY_SUM1, "")
#define TALLY_PLUS(mm, x) "m" mm " = life_tally.m" mm " + excluded.m" mm
#define TALLY_MINUS(mm, r) "m" mm " = m" mm " - " TALLY_IS(mm, r)
#define TALLY_KEY(r) "org_id = " r "org_id AND year = " TALLY_YEAR(r) " AND kind = " r "kind AND speaker = " TALLY_SPEAKER(r)
#define TALLY_ROW(r) r "org_id, " TALLY_YEAR(r) ", " r "kind, " TALLY_SPEAKER(r) ", " TALLY_EACH(TALLY_IS, r)
#define TALLY_UPSERT " ON CONFLICT (org_id, year, kind, speaker) DO UPDATE SET " TALLY_EACH(TALLY_PLUS, "")
#define TALLY_ADD(r) "INSERT INTO life_tally(org_id, year, kind, speaker, " TALLY_COLS("") ") VALUES (" TALLY_ROW(r) ")" \
	TALLY_UPSERT
/* SQLite's upsert after INSERT … SELECT needs a WHERE (its parser's rule). */
#define TALLY_ADD_IF(r) "INSERT INTO life_tally(org_id, year, kind, speaker, " TALLY_COLS("") ") SELECT " TALLY_ROW(r) \
	" WHERE " r "held = 1" TALLY_UPSERT
#define TALLY_SUB(r, cond) "UPDATE life_tally SET " TALLY_EACH(TALLY_MINUS, r) " WHERE " TALLY_KEY(r) cond

/* att_tally: the attendance rows at held activities counted per
 * attendee org, year and activity kind, present (p01..p12) and all
 * (n01..n12) in a column per month.  Counted are the rows of an org that
 * holds the activity (activity_org has the pair): a scope that holds the
 * attendee's org then holds the activity too.  The other rows (a guest from
 * another org) are listed in att_foreign, for the figures to add.  Each
 * change goes through one upsert of signed counts: `rows` selects the
 * changed rows as o (attendee org), d (activity date), k (kind), s
 * (status), g (+1 or -1). */
#define ATT_PCOL(mm, x) "p" mm x
#define ATT_NCOL(mm, x) "n" mm x
#define ATT_COLS(type) TALLY_EACH(ATT_PCOL, type) ", " TALLY_EACH(ATT_NCOL, type)
#define ATT_PSUM(mm, x) "sum(CASE WHEN substr(z.d, 6, 2) = '" mm "' AND z.s = 'present' THEN z.g ELSE 0 END)"
#define ATT_NSUM(mm, x) "sum(CASE WHEN substr(z.d, 6, 2) = '" mm "' THEN z.g ELSE 0 END)"
#define ATT_PPLUS(mm, x) "p" mm " = att_tally.p" mm " + excluded.p" mm
#define ATT_NPLUS(mm, x) "n" mm " = att_tally.n" mm " + excluded.n" mm
#define ATT_UPSERT(rows)                                                                                        \
	"INSERT INTO att_tally(org_id, year, kind, " ATT_COLS("") ") SELECT z.o, CAST(substr(z.d, 1, 4) AS BIGINT), z.k, " \
	TALLY_EACH(ATT_PSUM, "") ", " TALLY_EACH(ATT_NSUM, "") " FROM (" rows ") z WHERE 1 = 1"                       \
	" GROUP BY z.o, CAST(substr(z.d, 1, 4) AS BIGINT), z.k ON CONFLICT (org_id, year, kind) DO UPDATE SET "         \
	TALLY_EACH(ATT_PPLUS, "") ", " TALLY_EACH(ATT_NPLUS, "")
#define ATT_OWN(t) "EXISTS (SELECT 1 FROM activity_org x WHERE x.activity_id = " t "activity_id AND x.org_id = " t "org_id)"
/* One attendance row (r = "NEW." or "OLD.") with sign g. */
#define ATT_ROW(r, g)                                                                                           \
	ATT_UPSERT("SELECT " r "org_id AS o, a.on_date AS d, a.kind AS k, " r "status AS s, " g " AS g FROM activity a" \
		   " WHERE a.id = " r "activity_id AND a.status = 'held' AND " ATT_OWN(r))
/* Every own row of an activity as it was or is (r = "OLD." or "NEW."). */
#define ATT_ACTIVITY(r, g)                                                                                      \
	ATT_UPSERT("SELECT t.org_id AS o, " r "on_date AS d, " r "kind AS k, t.status AS s, " g " AS g"              \
		   " FROM attendance t WHERE t.activity_id = " r "id AND " r "status = 'held' AND " ATT_OWN("t."))
/* The rows of the org of an activity_org row, which became own (or not). */
#define ATT_HOLDER(r, g)                                                                                        \
	ATT_UPSERT("SELECT t.org_id AS o, a.on_date AS d, a.kind AS k, t.status AS s, " g " AS g FROM attendance t"  \
		   " JOIN activity a ON a.id = t.activity_id WHERE t.activity_id = " r "activity_id"                  \
		   " AND t.org_id = " r "org_id AND a.status = 'held'")
#define FOREIGN_ADD(r)                                                                                          \
	"INSERT INTO att_foreign(activity_id, member_id) SELECT " r "activity_id, " r "member_id"                      \
	" WHERE NOT " ATT_OWN(r) " ON CONFLICT (activity_id, member_id) DO NOTHING"
#define FOREIGN_DROP(r) "DELETE FROM att_foreign WHERE activity_id = " r "activity_id AND member_id = " r "member_id"
#define FOREIGN_OWNED(r)                                                                                        \
	"DELETE FROM att_foreign WHERE activity_id = " r "activity_id AND member_id IN (SELECT t.member_id"          \
	" FROM attendance t WHERE t.activity_id = " r "activity_id AND t.org_id = " r "org_id)"
#define FOREIGN_LEFT(r)                                                                                         \
	"INSERT INTO att_foreign(activity_id, member_id) SELECT t.activity_id, t.member_id FROM attendance t"        \
	" WHERE t.activity_id = " r "activity_id AND t.org_id = " r "org_id ON CONFLICT (activity_id, member_id) DO NOTHING"

/* The PostgreSQL statement triggers' queries over the rows an INSERT added
 * (steps 5 and 8): to attendance, and to activity_org. */
#define ATT_ADDED_TALLY                                                                                         \
	ATT_UPSERT("SELECT t.org_id AS o, a.on_date AS d, a.kind AS k, t.status AS s, 1 AS g FROM attendance_new t" \
		   " JOIN activity a ON a.id = t.activity_id WHERE a.status = 'held' AND " ATT_OWN("t."))
#define ATT_ADDED_FOREIGN                                                                                       \
	"INSERT INTO att_foreign(activity_id, member_id) SELECT t.activity_id, t.member_id FROM attendance_new t\n" \
	"    WHERE NOT " ATT_OWN("t.") " ON CONFLICT (activity_id, member_id) DO NOTHING"
#define ORG_ADDED_LIFE                                                                                          \
	"INSERT INTO life_tally(org_id, year, kind, speaker, " TALLY_COLS("") ")\n"                                \
	"    SELECT org_id, " TALLY_YEAR("") ", kind, " TALLY_SPEAKER("") ", " TALLY_SUMS " FROM activity_org_new\n" \
	"    WHERE held = 1 GROUP BY org_id, " TALLY_YEAR("") ", kind, " TALLY_SPEAKER("") TALLY_UPSERT
#define ORG_ADDED_ATT                                                                                           \
	ATT_UPSERT("SELECT t.org_id AS o, a.on_date AS d, a.kind AS k, t.status AS s, 1 AS g FROM activity_org_new n" \
		   " JOIN attendance t ON t.activity_id = n.activity_id AND t.org_id = n.org_id"                      \
		   " JOIN activity a ON a.id = t.activity_id WHERE a.status = 'held'")
#define ORG_ADDED_FOREIGN                                                                                       \
	"DELETE FROM att_foreign f USING activity_org_new n, attendance t\n"                                       \
	"    WHERE t.activity_id = n.activity_id AND t.org_id = n.org_id\n"                                         \
	"    AND f.activity_id = t.activity_id AND f.member_id = t.member_id"
/* Step 8's: each new row finds its activity by the primary key, whatever
 * the planner guesses of how many are held (OFFSET 0 keeps the subquery a
 * lookup per row rather than a join it may turn into a scan of activity). */
#define ATT_HELD(t)                                                                                             \
	"CROSS JOIN LATERAL (SELECT a.on_date, a.kind FROM activity a WHERE a.id = " t "activity_id"                \
	" AND a.status = 'held' OFFSET 0) a"
#define ATT_NEW_TALLY                                                                                           \
	ATT_UPSERT("SELECT t.org_id AS o, a.on_date AS d, a.kind AS k, t.status AS s, 1 AS g FROM attendance_new t " \
		   ATT_HELD("t.") " WHERE " ATT_OWN("t."))
#define ORG_NEW_ATT                                                                                             \
	ATT_UPSERT("SELECT t.org_id AS o, a.on_date AS d, a.kind AS k, t.status AS s, 1 AS g FROM activity_org_new n" \
		   " JOIN attendance t ON t.activity_id = n.activity_id AND t.org_id = n.org_id " ATT_HELD("n."))
/* The nested loops those want (step 6), set again after a CREATE OR REPLACE. */
#define NO_HASH(fn) "ALTER FUNCTION " fn "() SET enable_hashjoin = off;\nALTER FUNCTION " fn "() SET enable_mergejoin = off;\n"

/* What the insert triggers of activity_org and attendance keep, counted
 * once over all their rows: the fills of steps 2 and 4, for generate's load
 * into empty tables (life_gen.c), whose triggers run per row on SQLite and
 * per COPY block on PostgreSQL. */
const char life_tallies_fill[] =
	"INSERT INTO life_tally(org_id, year, kind, speaker, " TALLY_COLS("") ")\n"
	"  SELECT org_id, " TALLY_YEAR("") ", kind, " TALLY_SPEAKER("") ", " TALLY_SUMS "\n"
	"  FROM activity_org WHERE held = 1 GROUP BY org_id, " TALLY_YEAR("") ", kind, " TALLY_SPEAKER("") ";\n"
	/* A province's 13 million roll-call rows counted per activity, org and
	 * status first (the index on org_id, activity_id reads them), so the
	 * month columns' CASEs run once per group, not once per row: half the time. */
	ATT_UPSERT("SELECT t.org_id AS o, a.on_date AS d, a.kind AS k, t.status AS s, t.g AS g FROM (SELECT org_id,"
		   " activity_id, status, count(*) AS g FROM attendance GROUP BY org_id, activity_id, status) t"
		   " JOIN activity a ON a.id = t.activity_id WHERE a.status = 'held' AND " ATT_OWN("t.")) ";\n"
	"INSERT INTO att_foreign(activity_id, member_id) SELECT t.activity_id, t.member_id FROM attendance t\n"
	"  WHERE NOT " ATT_OWN("t.") ";\n";

/* The module's own schema steps (after the base schema's step 3). */
static const char *const life_migrations[] = {
	/* 1: attendance of a subtree (figures: 人次, 出勤率) found by org
	 * rather than by scanning every roll call ever taken. */
	"CREATE INDEX attendance_org ON attendance(org_id, activity_id);\n",
	/* 2: held activities counted per org, year, kind (and, for a lecture,
	 * its speaker: compliance asks for the secretary's own) in a column per
	 * month, kept by triggers on activity_org in the transaction of every
	 * write: compliance and the figures read a row per org and kind of a
	 * year instead of every activity (a fifth of the rows, a quarter of the
	 * bytes).  The speaker is copied onto activity_org so the triggers see
	 * it.  tests/api/life_counters.test.mjs recounts it. */
	"ALTER TABLE activity_org ADD COLUMN speaker_id BIGINT;\n"
	"UPDATE activity_org SET speaker_id = (SELECT v.speaker_member_id FROM activity v WHERE v.id = activity_org.activity_id)\n"
	"  WHERE kind = 'lecture';\n"
	"CREATE TABLE life_tally (\n"
	"  org_id BIGINT NOT NULL, year BIGINT NOT NULL, kind TEXT NOT NULL, speaker BIGINT NOT NULL,\n"
	"  " TALLY_COLS(" BIGINT NOT NULL DEFAULT 0") ",\n"
	"  PRIMARY KEY (org_id, year, kind, speaker)){{NOROWID}};\n"
	"INSERT INTO life_tally(org_id, year, kind, speaker, " TALLY_COLS("") ")\n"
	"  SELECT org_id, " TALLY_YEAR("") ", kind, " TALLY_SPEAKER("") ", " TALLY_SUMS "\n"
	"  FROM activity_org WHERE held = 1 GROUP BY org_id, " TALLY_YEAR("") ", kind, " TALLY_SPEAKER("") ";\n"
	"{{IF_SQLITE}}"
	"CREATE TRIGGER life_tally_insert AFTER INSERT ON activity_org WHEN NEW.held = 1 BEGIN\n"
	"  " TALLY_ADD("NEW.") ";\n"
	"END;\n"
	"CREATE TRIGGER life_tally_delete AFTER DELETE ON activity_org WHEN OLD.held = 1 BEGIN\n"
	"  " TALLY_SUB("OLD.", "") ";\n"
	"END;\n"
	"CREATE TRIGGER life_tally_update AFTER UPDATE OF org_id, on_date, kind, held, speaker_id ON activity_org BEGIN\n"
	"  " TALLY_SUB("OLD.", " AND OLD.held = 1") ";\n"
	"  " TALLY_ADD_IF("NEW.") ";\n"
	"END;\n"
	"{{END}}{{IF_PG}}"
	"CREATE FUNCTION life_tally_keep() RETURNS trigger LANGUAGE plpgsql AS $$\n"
	"BEGIN\n"
	"  IF TG_OP <> 'INSERT' AND OLD.held = 1 THEN\n"
	"    " TALLY_SUB("OLD.", "") ";\n"
	"  END IF;\n"
	"  IF TG_OP <> 'DELETE' AND NEW.held = 1 THEN\n"
	"    " TALLY_ADD("NEW.") ";\n"
	"  END IF;\n"
	"  RETURN NULL;\n"
	"END $$;\n"
	"CREATE TRIGGER life_tally_keep AFTER INSERT OR DELETE OR UPDATE OF org_id, on_date, kind, held, speaker_id\n"
	"  ON activity_org FOR EACH ROW EXECUTE FUNCTION life_tally_keep();\n"
	"{{END}}",
	/* 3: the calendar of a subtree finds a month's activities from the
	 * index alone (activity_org_by_org lacks the activity id). */
	"CREATE INDEX activity_org_calendar ON activity_org(org_id, on_date, activity_id);\n",
	/* 4: attendance counted per attendee org, year and kind (att_tally,
	 * above), kept by triggers on attendance, activity and activity_org:
	 * the figures' 人次 and 出勤率 read a row per org and kind of a year
	 * instead of every roll call.  tests/api/life_counters.test.mjs
	 * recounts it. */
	"CREATE TABLE att_tally (\n"
	"  org_id BIGINT NOT NULL, year BIGINT NOT NULL, kind TEXT NOT NULL,\n"
	"  " ATT_COLS(" BIGINT NOT NULL DEFAULT 0") ",\n"
	"  PRIMARY KEY (org_id, year, kind)){{NOROWID}};\n"
	"CREATE TABLE att_foreign (\n"
	"  activity_id BIGINT NOT NULL, member_id BIGINT NOT NULL, PRIMARY KEY (activity_id, member_id)){{NOROWID}};\n"
	ATT_UPSERT("SELECT t.org_id AS o, a.on_date AS d, a.kind AS k, t.status AS s, 1 AS g FROM attendance t"
		   " JOIN activity a ON a.id = t.activity_id WHERE a.status = 'held' AND " ATT_OWN("t.")) ";\n"
	"INSERT INTO att_foreign(activity_id, member_id) SELECT t.activity_id, t.member_id FROM attendance t\n"
	"  WHERE NOT " ATT_OWN("t.") ";\n"
	"{{IF_SQLITE}}"
	"CREATE TRIGGER att_tally_insert AFTER INSERT ON attendance BEGIN\n"
	"  " ATT_ROW("NEW.", "1") ";\n"
	"  " FOREIGN_ADD("NEW.") ";\n"
	"END;\n"
	"CREATE TRIGGER att_tally_delete AFTER DELETE ON attendance BEGIN\n"
	"  " ATT_ROW("OLD.", "-1") ";\n"
	"  " FOREIGN_DROP("OLD.") ";\n"
	"END;\n"
	"CREATE TRIGGER att_tally_update AFTER UPDATE OF activity_id, member_id, org_id, status ON attendance BEGIN\n"
	"  " ATT_ROW("OLD.", "-1") ";\n"
	"  " FOREIGN_DROP("OLD.") ";\n"
	"  " ATT_ROW("NEW.", "1") ";\n"
	"  " FOREIGN_ADD("NEW.") ";\n"
	"END;\n"
	"CREATE TRIGGER att_tally_activity AFTER UPDATE OF status, on_date, kind ON activity BEGIN\n"
	"  " ATT_ACTIVITY("OLD.", "-1") ";\n"
	"  " ATT_ACTIVITY("NEW.", "1") ";\n"
	"END;\n"
	"CREATE TRIGGER att_tally_holder_insert AFTER INSERT ON activity_org BEGIN\n"
	"  " ATT_HOLDER("NEW.", "1") ";\n"
	"  " FOREIGN_OWNED("NEW.") ";\n"
	"END;\n"
	"CREATE TRIGGER att_tally_holder_delete AFTER DELETE ON activity_org BEGIN\n"
	"  " ATT_HOLDER("OLD.", "-1") ";\n"
	"  " FOREIGN_LEFT("OLD.") ";\n"
	"END;\n"
	"{{END}}{{IF_PG}}"
	"CREATE FUNCTION att_tally_keep() RETURNS trigger LANGUAGE plpgsql AS $$\n"
	"BEGIN\n"
	"  IF TG_OP <> 'INSERT' THEN\n"
	"    " ATT_ROW("OLD.", "-1") ";\n"
	"    " FOREIGN_DROP("OLD.") ";\n"
	"  END IF;\n"
	"  IF TG_OP <> 'DELETE' THEN\n"
	"    " ATT_ROW("NEW.", "1") ";\n"
	"    " FOREIGN_ADD("NEW.") ";\n"
	"  END IF;\n"
	"  RETURN NULL;\n"
	"END $$;\n"
	"CREATE TRIGGER att_tally_keep AFTER INSERT OR DELETE OR UPDATE OF activity_id, member_id, org_id, status\n"
	"  ON attendance FOR EACH ROW EXECUTE FUNCTION att_tally_keep();\n"
	"CREATE FUNCTION att_tally_activity() RETURNS trigger LANGUAGE plpgsql AS $$\n"
	"BEGIN\n"
	"  " ATT_ACTIVITY("OLD.", "-1") ";\n"
	"  " ATT_ACTIVITY("NEW.", "1") ";\n"
	"  RETURN NULL;\n"
	"END $$;\n"
	"CREATE TRIGGER att_tally_activity AFTER UPDATE OF status, on_date, kind ON activity\n"
	"  FOR EACH ROW EXECUTE FUNCTION att_tally_activity();\n"
	"CREATE FUNCTION att_tally_holder() RETURNS trigger LANGUAGE plpgsql AS $$\n"
	"BEGIN\n"
	"  IF TG_OP = 'DELETE' THEN\n"
	"    " ATT_HOLDER("OLD.", "-1") ";\n"
	"    " FOREIGN_LEFT("OLD.") ";\n"
	"  ELSE\n"
	"    " ATT_HOLDER("NEW.", "1") ";\n"
	"    " FOREIGN_OWNED("NEW.") ";\n"
	"  END IF;\n"
	"  RETURN NULL;\n"
	"END $$;\n"
	"CREATE TRIGGER att_tally_holder AFTER INSERT OR DELETE ON activity_org\n"
	"  FOR EACH ROW EXECUTE FUNCTION att_tally_holder();\n"
	"{{END}}",
	/* 5: on PostgreSQL the rows an INSERT statement adds to activity_org
	 * and attendance (the generator's COPY, a roll call) are counted once
	 * per statement from its transition table, not by a PL/pgSQL call and
	 * its upserts per row.  Deletes and updates stay row by row. */
	"{{IF_PG}}"
	"DROP TRIGGER att_tally_keep ON attendance;\n"
	"CREATE TRIGGER att_tally_keep AFTER DELETE OR UPDATE OF activity_id, member_id, org_id, status\n"
	"  ON attendance FOR EACH ROW EXECUTE FUNCTION att_tally_keep();\n"
	"CREATE FUNCTION att_tally_added() RETURNS trigger LANGUAGE plpgsql AS $$\n"
	"BEGIN\n"
	"  " ATT_ADDED_TALLY ";\n"
	"  " ATT_ADDED_FOREIGN ";\n"
	"  RETURN NULL;\n"
	"END $$;\n"
	"CREATE TRIGGER att_tally_added AFTER INSERT ON attendance REFERENCING NEW TABLE AS attendance_new\n"
	"  FOR EACH STATEMENT EXECUTE FUNCTION att_tally_added();\n"
	"DROP TRIGGER life_tally_keep ON activity_org;\n"
	"CREATE TRIGGER life_tally_keep AFTER DELETE OR UPDATE OF org_id, on_date, kind, held, speaker_id\n"
	"  ON activity_org FOR EACH ROW EXECUTE FUNCTION life_tally_keep();\n"
	"DROP TRIGGER att_tally_holder ON activity_org;\n"
	"CREATE TRIGGER att_tally_holder AFTER DELETE ON activity_org\n"
	"  FOR EACH ROW EXECUTE FUNCTION att_tally_holder();\n"
	"CREATE FUNCTION activity_org_added() RETURNS trigger LANGUAGE plpgsql AS $$\n"
	"BEGIN\n"
	"  " ORG_ADDED_LIFE ";\n"
	"  " ORG_ADDED_ATT ";\n"
	"  " ORG_ADDED_FOREIGN ";\n"
	"  RETURN NULL;\n"
	"END $$;\n"
	"CREATE TRIGGER activity_org_added AFTER INSERT ON activity_org REFERENCING NEW TABLE AS activity_org_new\n"
	"  FOR EACH STATEMENT EXECUTE FUNCTION activity_org_added();\n"
	"{{END}}",
	/* 6: those two join their few new rows to activity and attendance by
	 * index: the planner, knowing nothing of a transition table's rows,
	 * hashed all of activity for each statement (0.4 s a time, and the
	 * generator copies a few hundred blocks). */
	"{{IF_PG}}"
	"ALTER FUNCTION att_tally_added() SET enable_hashjoin = off;\n"
	"ALTER FUNCTION att_tally_added() SET enable_mergejoin = off;\n"
	"ALTER FUNCTION activity_org_added() SET enable_hashjoin = off;\n"
	"ALTER FUNCTION activity_org_added() SET enable_mergejoin = off;\n"
	"{{END}}",
	/* 7: study items done counted per member's org and plan month
	 * (study_tally.c), for life.study_done.count. */
	life_study_tally_step,
	/* 8: on PostgreSQL the statement triggers plan their queries each time
	 * (EXECUTE), knowing the tables' and the new rows' sizes, and find a
	 * row's activity by its key.  PL/pgSQL kept the plan of a session's
	 * first statement: the generator's, made while activity was nearly
	 * empty, scanned all of activity for every block of attendance (a
	 * city: 2.4 s a block, and growing, 96% of PostgreSQL's generate). */
	"{{IF_PG}}"
	"CREATE OR REPLACE FUNCTION att_tally_added() RETURNS trigger LANGUAGE plpgsql AS $$\n"
	"BEGIN\n"
	"  EXECUTE $q$" ATT_NEW_TALLY "$q$;\n"
	"  EXECUTE $q$" ATT_ADDED_FOREIGN "$q$;\n"
	"  RETURN NULL;\n"
	"END $$;\n"
	NO_HASH("att_tally_added")
	"CREATE OR REPLACE FUNCTION activity_org_added() RETURNS trigger LANGUAGE plpgsql AS $$\n"
	"BEGIN\n"
	"  EXECUTE $q$" ORG_ADDED_LIFE "$q$;\n"
	"  EXECUTE $q$" ORG_NEW_ATT "$q$;\n"
	"  EXECUTE $q$" ORG_ADDED_FOREIGN "$q$;\n"
	"  RETURN NULL;\n"
	"END $$;\n"
	NO_HASH("activity_org_added")
	"{{END}}",
	/* 9: study_tally's statement triggers the same way (study_tally.c). */
	life_study_tally_replan_step,
	NULL,
};

static const char *const life_bench_tables[] = {"life_tally", "att_tally", "att_foreign", "study_tally", "study_done", "attendance", "activity_guest", "activity_agenda",
						"activity_org", "activity", NULL};

/* The scopes a write to each table moves (the read cache, db/db_scope.h). */
static const struct db_table_scope life_tables[] = {
	{"activity", DEP(LIFE)}, {"activity_agenda", DEP(LIFE)}, {"activity_guest", DEP(LIFE)},
	{"activity_kind", DEP(LIFE) | DB_WHOLE}, {"activity_org", DEP(LIFE)}, {"attendance", DEP(LIFE)},
	{"life_rule", DEP(LIFE) | DB_WHOLE}, {"study_done", DEP(LIFE)}, {"study_item", DEP(LIFE)}, {"study_plan", DEP(LIFE)},
	/* kept by triggers on activity_org, attendance and activity */
	{"life_tally", DEP(LIFE)}, {"att_tally", DEP(LIFE)}, {"att_foreign", DEP(LIFE)},
	/* kept by triggers on study_done, study_item, study_plan and member (study_tally.c) */
	{"study_tally", DEP(LIFE)},
	{0},
};

const struct module life_module = {
	.name = "life",
	.label = "组织生活",
	.migrations = life_migrations,
	.routes = life_routes,
	.figures = life_figures,
	.findings = life_findings_source,
	.todos = life_todos,
	.nav = life_nav,
	.generate = life_generate,
	.bench_tables = life_bench_tables,
	.tables = life_tables,
};
