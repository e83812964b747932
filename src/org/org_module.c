/* org_module.c — the org module's entry in the module table (platform/module.h). */
#include "org/org.h"

#include "platform/module.h"

extern const struct route org_routes[];
extern const struct figure org_figures[];
int org_todos(struct db *db, const struct actor *a, const char *today, json_t *out, struct dj_error *err);

const char *org_subtree_sql(void)
{
	return ORG_SUBTREE("?1");
}

static int org_findings_source(struct db *db, const struct actor *a, int64_t root, const char *today, const char *rule,
			       json_t *out, struct dj_error *err)
{
	if (rule && *rule && !org_rule_known(rule))
		return 0;	/* another module's rule */
	json_t *f = org_findings(db, a, root, rule, err);
	if (!f)
		return err->code ? err->code : DJ_EDB;
	json_array_extend(out, f);
	json_decref(f);
	return 0;
}

static const struct nav_entry org_nav[] = {
	{"/orgs", "党组织", "OfficeBuilding", NAV_MANAGERS, 20},
	{0},
};

/* The module's own schema steps: counts kept per org in the writing
 * transaction (figures read them; --check proves them against the records). */
static const char *const org_migrations[] = {
	/* 1: members by education per org (member_count, base step 8, keeps
	 * them by status and mobility); members found by the day they joined
	 * or were converted, so a stock "as of" a past day subtracts the few
	 * who joined after it, and the flows of 发展/转正 read a date range. */
	"CREATE TABLE member_edu_count (\n"
	"  org_id BIGINT NOT NULL, education TEXT NOT NULL, n BIGINT NOT NULL,\n"
	"  PRIMARY KEY (org_id, education)){{NOROWID}};\n"
	"INSERT INTO member_edu_count(org_id, education, n)\n"
	"  SELECT org_id, coalesce(education, ''), count(*) FROM member WHERE active = 1 GROUP BY org_id, coalesce(education, '');\n"
	"CREATE INDEX member_joined ON member(join_date, org_id, active);\n"
	"CREATE INDEX member_converted ON member(full_date, org_id);\n"
	"{{IF_SQLITE}}"
	"CREATE TRIGGER member_edu_count_insert AFTER INSERT ON member WHEN NEW.active = 1 BEGIN\n"
	"  INSERT INTO member_edu_count(org_id, education, n) VALUES (NEW.org_id, coalesce(NEW.education, ''), 1)\n"
	"    ON CONFLICT (org_id, education) DO UPDATE SET n = n + 1;\n"
	"END;\n"
	"CREATE TRIGGER member_edu_count_delete AFTER DELETE ON member WHEN OLD.active = 1 BEGIN\n"
	"  UPDATE member_edu_count SET n = n - 1 WHERE org_id = OLD.org_id AND education = coalesce(OLD.education, '');\n"
	"END;\n"
	"CREATE TRIGGER member_edu_count_update AFTER UPDATE OF org_id, education, active ON member BEGIN\n"
	"  UPDATE member_edu_count SET n = n - 1\n"
	"    WHERE OLD.active = 1 AND org_id = OLD.org_id AND education = coalesce(OLD.education, '');\n"
	"  INSERT INTO member_edu_count(org_id, education, n) SELECT NEW.org_id, coalesce(NEW.education, ''), 1\n"
	"    WHERE NEW.active = 1 ON CONFLICT (org_id, education) DO UPDATE SET n = n + 1;\n"
	"END;\n"
	"{{END}}{{IF_PG}}"
	"CREATE FUNCTION member_edu_count_keep() RETURNS trigger LANGUAGE plpgsql AS $$\n"
	"BEGIN\n"
	"  IF TG_OP <> 'INSERT' AND OLD.active = 1 THEN\n"
	"    UPDATE member_edu_count SET n = n - 1 WHERE org_id = OLD.org_id AND education = coalesce(OLD.education, '');\n"
	"  END IF;\n"
	"  IF TG_OP <> 'DELETE' AND NEW.active = 1 THEN\n"
	"    INSERT INTO member_edu_count(org_id, education, n) VALUES (NEW.org_id, coalesce(NEW.education, ''), 1)\n"
	"      ON CONFLICT (org_id, education) DO UPDATE SET n = member_edu_count.n + 1;\n"
	"  END IF;\n"
	"  RETURN NULL;\n"
	"END $$;\n"
	"CREATE TRIGGER member_edu_count_keep AFTER INSERT OR DELETE OR UPDATE OF org_id, education, active ON member\n"
	"  FOR EACH ROW EXECUTE FUNCTION member_edu_count_keep();\n"
	"{{END}}",
	/* 2: each org's latest term (the last elected, as org_term_org orders
	 * them) with its number of officers, kept by triggers: the rules of
	 * the dashboard and the findings read one row per org instead of
	 * finding the latest of its terms and counting its officers. */
	"CREATE TABLE org_term_latest (\n"
	"  org_id BIGINT PRIMARY KEY, term_id BIGINT NOT NULL, ends_on TEXT NOT NULL, officers BIGINT NOT NULL){{NOROWID}};\n"
	"INSERT INTO org_term_latest(org_id, term_id, ends_on, officers)\n"
	"  SELECT t.org_id, t.id, t.ends_on, (SELECT count(*) FROM org_officer f WHERE f.term_id = t.id) FROM org_term t WHERE t.id =\n"
	"  (SELECT t2.id FROM org_term t2 WHERE t2.org_id = t.org_id ORDER BY t2.elected_on DESC, t2.id DESC LIMIT 1);\n"
	"{{IF_SQLITE}}"
	"CREATE TRIGGER org_term_latest_insert AFTER INSERT ON org_term BEGIN\n"
	"  DELETE FROM org_term_latest WHERE org_id = NEW.org_id;\n"
	"  INSERT INTO org_term_latest(org_id, term_id, ends_on, officers) SELECT t.org_id, t.id, t.ends_on, (SELECT count(*) FROM org_officer f WHERE f.term_id = t.id) FROM org_term t\n"
	"    WHERE t.org_id = NEW.org_id ORDER BY t.elected_on DESC, t.id DESC LIMIT 1;\n"
	"END;\n"
	"CREATE TRIGGER org_term_latest_delete AFTER DELETE ON org_term BEGIN\n"
	"  DELETE FROM org_term_latest WHERE org_id = OLD.org_id;\n"
	"  INSERT INTO org_term_latest(org_id, term_id, ends_on, officers) SELECT t.org_id, t.id, t.ends_on, (SELECT count(*) FROM org_officer f WHERE f.term_id = t.id) FROM org_term t\n"
	"    WHERE t.org_id = OLD.org_id ORDER BY t.elected_on DESC, t.id DESC LIMIT 1;\n"
	"END;\n"
	"CREATE TRIGGER org_term_latest_update AFTER UPDATE ON org_term BEGIN\n"
	"  DELETE FROM org_term_latest WHERE org_id IN (OLD.org_id, NEW.org_id);\n"
	"  INSERT INTO org_term_latest(org_id, term_id, ends_on, officers) SELECT t.org_id, t.id, t.ends_on, (SELECT count(*) FROM org_officer f WHERE f.term_id = t.id) FROM org_term t\n"
	"    WHERE t.org_id = OLD.org_id ORDER BY t.elected_on DESC, t.id DESC LIMIT 1;\n"
	"  INSERT INTO org_term_latest(org_id, term_id, ends_on, officers) SELECT t.org_id, t.id, t.ends_on, (SELECT count(*) FROM org_officer f WHERE f.term_id = t.id) FROM org_term t\n"
	"    WHERE t.org_id = NEW.org_id AND NEW.org_id <> OLD.org_id ORDER BY t.elected_on DESC, t.id DESC LIMIT 1;\n"
	"END;\n"
	"CREATE TRIGGER org_term_latest_officer_insert AFTER INSERT ON org_officer BEGIN\n"
	"  UPDATE org_term_latest SET officers = officers + 1 WHERE term_id = NEW.term_id;\n"
	"END;\n"
	"CREATE TRIGGER org_term_latest_officer_delete AFTER DELETE ON org_officer BEGIN\n"
	"  UPDATE org_term_latest SET officers = officers - 1 WHERE term_id = OLD.term_id;\n"
	"END;\n"
	"CREATE TRIGGER org_term_latest_officer_update AFTER UPDATE OF term_id ON org_officer BEGIN\n"
	"  UPDATE org_term_latest SET officers = officers - 1 WHERE term_id = OLD.term_id;\n"
	"  UPDATE org_term_latest SET officers = officers + 1 WHERE term_id = NEW.term_id;\n"
	"END;\n"
	"{{END}}{{IF_PG}}"
	"CREATE FUNCTION org_term_latest_refresh(o BIGINT) RETURNS void LANGUAGE sql AS $$\n"
	"  DELETE FROM org_term_latest WHERE org_id = o;\n"
	"  INSERT INTO org_term_latest(org_id, term_id, ends_on, officers) SELECT t.org_id, t.id, t.ends_on, (SELECT count(*) FROM org_officer f WHERE f.term_id = t.id) FROM org_term t\n"
	"    WHERE t.org_id = o ORDER BY t.elected_on DESC, t.id DESC LIMIT 1;\n"
	"$$;\n"
	"CREATE FUNCTION org_term_latest_keep() RETURNS trigger LANGUAGE plpgsql AS $$\n"
	"BEGIN\n"
	"  IF TG_OP <> 'INSERT' THEN PERFORM org_term_latest_refresh(OLD.org_id); END IF;\n"
	"  IF TG_OP <> 'DELETE' THEN PERFORM org_term_latest_refresh(NEW.org_id); END IF;\n"
	"  RETURN NULL;\n"
	"END $$;\n"
	"CREATE TRIGGER org_term_latest_keep AFTER INSERT OR DELETE OR UPDATE ON org_term\n"
	"  FOR EACH ROW EXECUTE FUNCTION org_term_latest_keep();\n"
	"CREATE FUNCTION org_term_latest_officers() RETURNS trigger LANGUAGE plpgsql AS $$\n"
	"BEGIN\n"
	"  IF TG_OP <> 'INSERT' THEN UPDATE org_term_latest SET officers = officers - 1 WHERE term_id = OLD.term_id; END IF;\n"
	"  IF TG_OP <> 'DELETE' THEN UPDATE org_term_latest SET officers = officers + 1 WHERE term_id = NEW.term_id; END IF;\n"
	"  RETURN NULL;\n"
	"END $$;\n"
	"CREATE TRIGGER org_term_latest_officers AFTER INSERT OR DELETE OR UPDATE OF term_id ON org_officer\n"
	"  FOR EACH ROW EXECUTE FUNCTION org_term_latest_officers();\n"
	"{{END}}",
	/* 3: the flows of 发展 and 转正 of a subtree read (org, date) from the
	 * index alone (0.3 s to 6 ms each at the province root over a year);
	 * member(full_date, org_id) of step 1 is not used for them. */
	"CREATE INDEX member_org_joined ON member(org_id, join_date);\n"
	"CREATE INDEX member_org_converted ON member(org_id, full_date);\n"
	"DROP INDEX member_converted;\n",
	/* 4: on PostgreSQL, by education as base step 9 counts by status: an
	 * INSERT or DELETE statement's members once per statement, from its
	 * transition table (a roster's COPY no longer calls PL/pgSQL per row). */
	"{{IF_PG}}"
	"DROP TRIGGER member_edu_count_keep ON member;\n"
	"CREATE TRIGGER member_edu_count_keep AFTER UPDATE OF org_id, education, active ON member\n"
	"  FOR EACH ROW EXECUTE FUNCTION member_edu_count_keep();\n"
	"CREATE FUNCTION member_edu_count_added() RETURNS trigger LANGUAGE plpgsql AS $$\n"
	"BEGIN\n"
	"  INSERT INTO member_edu_count(org_id, education, n)\n"
	"    SELECT org_id, coalesce(education, ''), count(*) FROM member_new WHERE active = 1\n"
	"    GROUP BY org_id, coalesce(education, '')\n"
	"    ON CONFLICT (org_id, education) DO UPDATE SET n = member_edu_count.n + EXCLUDED.n;\n"
	"  RETURN NULL;\n"
	"END $$;\n"
	"CREATE TRIGGER member_edu_count_added AFTER INSERT ON member REFERENCING NEW TABLE AS member_new\n"
	"  FOR EACH STATEMENT EXECUTE FUNCTION member_edu_count_added();\n"
	"CREATE FUNCTION member_edu_count_removed() RETURNS trigger LANGUAGE plpgsql AS $$\n"
	"BEGIN\n"
	"  UPDATE member_edu_count c SET n = c.n - d.n\n"
	"    FROM (SELECT org_id, coalesce(education, '') AS education, count(*) AS n FROM member_old\n"
	"          WHERE active = 1 GROUP BY org_id, coalesce(education, '')) d\n"
	"    WHERE c.org_id = d.org_id AND c.education = d.education;\n"
	"  RETURN NULL;\n"
	"END $$;\n"
	"CREATE TRIGGER member_edu_count_removed AFTER DELETE ON member REFERENCING OLD TABLE AS member_old\n"
	"  FOR EACH STATEMENT EXECUTE FUNCTION member_edu_count_removed();\n"
	"{{END}}",
	/* 5: an org's secretary (the compliance grid's 书记讲党课) is one index
	 * entry of its term: at a province root, 6,000 look-ups of every officer
	 * row were 13% of the grid. */
	"CREATE INDEX org_officer_post ON org_officer(term_id, post, member_id);\n",
	/* 6: the offices a member holds, found by the member: "is this member
	 * an officer" (the generator asks it of every member: a scan of every
	 * officer row per member made generating a province quadratic) and the
	 * foreign key's check when a member row goes. */
	"CREATE INDEX org_officer_member ON org_officer(member_id);\n",
	NULL,
};

static const char *const org_bench_tables[] = {"org_officer", NULL};

/* The scopes a write to each table moves (the read cache, db/db_scope.h). */
static const struct db_table_scope org_tables[] = {
	{"org", DEP(ORG)}, {"org_closure", DEP(ORG) | DB_TREE}, {"org_event", DEP(ORG)}, {"org_officer", DEP(ORG)},
	{"org_term", DEP(ORG)},
	{0},
};

const struct module org_module = {
	.name = "org",
	.label = "党组织",
	.migrations = org_migrations,
	.routes = org_routes,
	.figures = org_figures,
	.findings = org_findings_source,
	.todos = org_todos,
	.nav = org_nav,
	.bench_tables = org_bench_tables,
	.tables = org_tables,
};
