/* dues_tally.c — the migration step that makes the 党费 counters
 * (dues_tally.h), fills them from the cards already there and keeps them
 * with triggers in the transaction of every write that can change them: a
 * card (base, payment, import: every payment adds to its card), a member's
 * org, activity, admission or mobility (transfer, end of membership), a
 * member_end record (an end and its reversal) and an org's kind (a
 * 临时党支部 collects none).
 *
 * A change to a member, a member_end record or an org takes the members'
 * part out before the write and puts it back after it (BEFORE and AFTER
 * triggers), computed from the tables as they stand, so the same SQL serves
 * each table and both engines.  A card's change (an upsert is an INSERT or
 * an UPDATE, which only AFTER triggers tell apart) goes through OLD and NEW;
 * dues_owing's row of the member is recomputed after each write.
 * tests/api/dues_counters.test.mjs recounts the counters after each kind of
 * write; `dangjian figures --check` compares them with the records. */
#include "dues/dues_internal.h"
#include "dues/dues_tally.h"

/* The facts of the members `who` (an SQL condition on m) that decide what
 * they owe: org, active, mobile, their org a 临时党支部 (tmp), the month of
 * admission (j) and the last month on the roll (e: 999999 while active,
 * else the month of the latest end not reversed, -1 without one). */
#define DT_FACTS(who)                                                                                         \
	"SELECT m.id AS mid, m.org_id AS oid, m.active AS act, m.is_mobile AS mob,"                             \
	" CASE WHEN o.kind IN (" DUES_NO_DUES_KIND ") THEN 1 ELSE 0 END AS tmp, " DT_IDX("m.join_date") " AS j,"  \
	" CASE WHEN m.active = 1 THEN 999999 ELSE coalesce((SELECT max(" DT_IDX("e.on_date") ") FROM member_end e" \
	" WHERE e.member_id = m.id AND e.back_on IS NULL), -1) END AS e"                                          \
	" FROM member m JOIN org o ON o.id = m.org_id WHERE " who

/* Month k of card y (f: its member's facts). */
#define DT_I(k) "(y.year * 12 + " k ")"
#define DT_ROLL(k) "f.tmp = 0 AND f.j <= " DT_I(k) " AND " DT_I(k) " <= f.e"
#define DT_ACTIVE(k) "f.tmp = 0 AND f.act = 1 AND f.j <= " DT_I(k)
#define DT_OWED(mm) "y.monthly_fen > y.paid_" mm " THEN " 
#define DT_DIFF(mm) "(y.monthly_fen - y.paid_" mm ")"

#define S_A(mm, k, g) "sum(CASE WHEN " DT_ROLL(k) " AND y.monthly_fen IS NOT NULL THEN " g " ELSE 0 END)"
#define S_D(mm, k, g) "sum(CASE WHEN " DT_ROLL(k) " AND y.monthly_fen IS NOT NULL THEN " g " * y.monthly_fen ELSE 0 END)"
#define S_F(mm, k, g) "sum(CASE WHEN " DT_ROLL(k) " AND y.paid_" mm " >= y.monthly_fen THEN " g " ELSE 0 END)"
#define S_O(mm, k, g) "sum(CASE WHEN " DT_ROLL(k) " AND " DT_OWED(mm) g " * " DT_DIFF(mm) " ELSE 0 END)"
#define S_P(mm, k, g) "sum(CASE WHEN " DT_ROLL(k) " THEN " g " * y.paid_" mm " ELSE 0 END)"
#define S_Q(mm, k, g) "sum(CASE WHEN " DT_ROLL(k) " AND y.paid_" mm " > 0 THEN " g " ELSE 0 END)"
#define S_X(mm, k, g) "sum(" g " * y.paid_" mm ")"
#define S_R(mm, k, g) "sum(CASE WHEN " DT_ACTIVE(k) " AND " DT_OWED(mm) g " * " DT_DIFF(mm) " ELSE 0 END)"
#define S_S(mm, k, g) "sum(CASE WHEN " DT_ACTIVE(k) " AND f.mob = 1 AND " DT_OWED(mm) g " * " DT_DIFF(mm) " ELSE 0 END)"
#define DT_SUMS(g)                                                                                            \
	DT_EACH(S_A, g) ", " DT_EACH(S_D, g) ", " DT_EACH(S_F, g) ", " DT_EACH(S_O, g) ", " DT_EACH(S_P, g) ", "  \
	DT_EACH(S_Q, g) ", " DT_EACH(S_X, g) ", " DT_EACH(S_R, g) ", " DT_EACH(S_S, g)

#define DT_COL(mm, k, m) m mm
#define DT_COLDEF(mm, k, m) m mm " BIGINT NOT NULL DEFAULT 0"
#define DT_COLPLUS(mm, k, m) m mm " = dues_tally." m mm " + excluded." m mm
#define DT_MCOLS(m, x) DT_EACH(DT_COL, m)
#define DT_MCOLDEFS(m, x) DT_EACH(DT_COLDEF, m)
#define DT_MPLUS(m, x) DT_EACH(DT_COLPLUS, m)
#define DT_COLS DT_MEASURES(DT_MCOLS, "")

/* Add (g "1") or take out (g "-1") the part of the cards `cards` (a table
 * or subquery with dues_year's columns) of the members `who`. */
#define DT_TALLY(cards, who, g)                                                                               \
	"INSERT INTO dues_tally(org_id, year, " DT_COLS ") SELECT f.oid, y.year, " DT_SUMS(g)                    \
	" FROM (" DT_FACTS(who) ") f JOIN " cards " y ON y.member_id = f.mid WHERE 1 = 1 GROUP BY f.oid, y.year"   \
	" ON CONFLICT (org_id, year) DO UPDATE SET " DT_MEASURES(DT_MPLUS, "")

/* A card as it was or is (r "OLD." or "NEW."). */
#define DT_PAIDCOL(mm, k, r) r "paid_" mm " AS paid_" mm
#define DT_CARD(r)                                                                                            \
	"(SELECT " r "member_id AS member_id, " r "year AS year, " r "monthly_fen AS monthly_fen, "               \
	DT_EACH(DT_PAIDCOL, r) ")"

#define DT_MONTHS_1_12                                                                                        \
	"(SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL"  \
	" SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9 UNION ALL SELECT 10 UNION ALL"       \
	" SELECT 11 UNION ALL SELECT 12)"

/* The members `who` in dues_owing: their row recomputed from the tables
 * as they stand (a member without a month in arrears has none). */
#define DT_OWING_FILL(who)                                                                                    \
	"INSERT INTO dues_owing(member_id, org_id, first_idx, mobile) SELECT f.mid, f.oid,"                      \
	" min(y.year * 12 + k.n - 1), f.mob FROM (" DT_FACTS(who) ") f"                                          \
	" JOIN dues_year y ON y.member_id = f.mid JOIN " DT_MONTHS_1_12 " k ON 1 = 1"                            \
	" WHERE f.tmp = 0 AND f.act = 1 AND f.j <= y.year * 12 + k.n - 1 AND y.monthly_fen > " DUES_PAID("y", "k.n") \
	" GROUP BY f.mid, f.oid, f.mob"
#define DT_OWING(who)                                                                                         \
	"DELETE FROM dues_owing WHERE member_id IN (SELECT m.id FROM member m WHERE " who ");\n  " DT_OWING_FILL(who)

/* The members `who`, all their cards: out before a write, back in after it. */
#define DT_BEFORE(who) DT_TALLY("dues_year", who, "-1")
#define DT_AFTER(who) DT_TALLY("dues_year", who, "1") ";\n  " DT_OWING(who)

#define DT_MEMBER_COLS "org_id, active, join_date, is_mobile"
#define DT_MEMBER_CHANGED(op)                                                                                 \
	"OLD.org_id " op " NEW.org_id OR OLD.active " op " NEW.active OR OLD.join_date " op " NEW.join_date"      \
	" OR OLD.is_mobile " op " NEW.is_mobile"

#define DT_FILL(F) DT_TALLY("dues_year", "1 = 1" F, "1") ";\n" DT_OWING_FILL("1 = 1" F) ";\n"
const char dues_tally_fill[] = DT_FILL("");
/* PostgreSQL merged the facts into each of the 108 sums, each with its own
 * member_end subquery: a city's fill took 13 s of CPU, fenced off 0.4 s. */
const char dues_tally_fill_pg[] = DT_FILL(" OFFSET 0");

/* PostgreSQL's row triggers of the counters (the member's facts of DT_FACTS
 * end in F; G opens dues_tally_member's body).  Step 3 made them; step 5
 * makes them again with F " OFFSET 0" and G DT_NO_CARDS (see there). */
#define DT_PG_ROW_FUNCS(F, G)                                                                                 \
	"CREATE OR REPLACE FUNCTION dues_tally_card() RETURNS trigger LANGUAGE plpgsql AS $$\n"               \
	"BEGIN\n"                                                                                             \
	"  IF TG_OP <> 'INSERT' THEN\n"                                                                       \
	"    " DT_TALLY(DT_CARD("OLD."), "m.id = OLD.member_id" F, "-1") ";\n"                                \
	"  END IF;\n"                                                                                         \
	"  IF TG_OP = 'INSERT' THEN\n"                                                                        \
	"    " DT_TALLY(DT_CARD("NEW."), "m.id = NEW.member_id" F, "1") ";\n"                                 \
	"    " DT_OWING("m.id = NEW.member_id" F) ";\n"                                                       \
	"  ELSIF TG_OP = 'UPDATE' THEN\n"                                                                     \
	"    " DT_TALLY(DT_CARD("NEW."), "m.id = NEW.member_id" F, "1") ";\n"                                 \
	"    " DT_OWING("m.id IN (OLD.member_id, NEW.member_id)" F) ";\n"                                     \
	"  ELSE\n"                                                                                            \
	"    " DT_OWING("m.id = OLD.member_id" F) ";\n"                                                       \
	"  END IF;\n"                                                                                         \
	"  RETURN NULL;\n"                                                                                    \
	"END $$;\n"                                                                                           \
	"CREATE OR REPLACE FUNCTION dues_tally_member() RETURNS trigger LANGUAGE plpgsql AS $$\n"             \
	"BEGIN\n"                                                                                             \
	G                                                                                                     \
	"  IF TG_WHEN = 'AFTER' THEN\n"                                                                       \
	"    " DT_AFTER("m.id = NEW.id" F) ";\n"                                                              \
	"    RETURN NULL;\n"                                                                                  \
	"  END IF;\n"                                                                                         \
	"  " DT_BEFORE("m.id = OLD.id" F) ";\n"                                                               \
	"  IF TG_OP = 'DELETE' THEN\n"                                                                        \
	"    DELETE FROM dues_owing WHERE member_id = OLD.id;\n"                                              \
	"    RETURN OLD;\n"                                                                                   \
	"  END IF;\n"                                                                                         \
	"  RETURN NEW;\n"                                                                                     \
	"END $$;\n"                                                                                           \
	"CREATE OR REPLACE FUNCTION dues_tally_end() RETURNS trigger LANGUAGE plpgsql AS $$\n"                \
	"BEGIN\n"                                                                                             \
	"  IF TG_WHEN = 'BEFORE' THEN\n"                                                                      \
	"    IF TG_OP = 'INSERT' THEN\n"                                                                      \
	"      " DT_BEFORE("m.id = NEW.member_id" F) ";\n"                                                    \
	"      RETURN NEW;\n"                                                                                 \
	"    ELSIF TG_OP = 'UPDATE' THEN\n"                                                                   \
	"      " DT_BEFORE("m.id IN (OLD.member_id, NEW.member_id)" F) ";\n"                                  \
	"      RETURN NEW;\n"                                                                                 \
	"    END IF;\n"                                                                                       \
	"    " DT_BEFORE("m.id = OLD.member_id" F) ";\n"                                                      \
	"    RETURN OLD;\n"                                                                                   \
	"  END IF;\n"                                                                                         \
	"  IF TG_OP = 'INSERT' THEN\n"                                                                        \
	"    " DT_AFTER("m.id = NEW.member_id" F) ";\n"                                                       \
	"  ELSIF TG_OP = 'UPDATE' THEN\n"                                                                     \
	"    " DT_AFTER("m.id IN (OLD.member_id, NEW.member_id)" F) ";\n"                                     \
	"  ELSE\n"                                                                                            \
	"    " DT_AFTER("m.id = OLD.member_id" F) ";\n"                                                       \
	"  END IF;\n"                                                                                         \
	"  RETURN NULL;\n"                                                                                    \
	"END $$;\n"                                                                                           \
	"CREATE OR REPLACE FUNCTION dues_tally_org() RETURNS trigger LANGUAGE plpgsql AS $$\n"                \
	"BEGIN\n"                                                                                             \
	"  IF TG_WHEN = 'BEFORE' THEN\n"                                                                      \
	"    " DT_BEFORE("m.org_id = OLD.id" F) ";\n"                                                         \
	"    RETURN NEW;\n"                                                                                   \
	"  END IF;\n"                                                                                         \
	"  " DT_AFTER("m.org_id = NEW.id" F) ";\n"                                                            \
	"  RETURN NULL;\n"                                                                                    \
	"END $$;\n"

const char dues_tally_step[] =
	"CREATE TABLE dues_tally (\n"
	"  org_id BIGINT NOT NULL, year BIGINT NOT NULL,\n"
	"  " DT_MEASURES(DT_MCOLDEFS, "") ",\n"
	"  PRIMARY KEY (org_id, year)){{NOROWID}};\n"
	"CREATE TABLE dues_owing (\n"
	"  member_id BIGINT PRIMARY KEY, org_id BIGINT NOT NULL, first_idx BIGINT NOT NULL, mobile BIGINT NOT NULL){{NOROWID}};\n"
	"CREATE INDEX dues_owing_org ON dues_owing(org_id, first_idx, mobile);\n"
	DT_TALLY("dues_year", "1 = 1", "1") ";\n"
	DT_OWING_FILL("1 = 1") ";\n"
	"{{IF_SQLITE}}"
	"CREATE TRIGGER dues_tally_card_ai AFTER INSERT ON dues_year BEGIN\n"
	"  " DT_TALLY(DT_CARD("NEW."), "m.id = NEW.member_id", "1") ";\n"
	"  " DT_OWING("m.id = NEW.member_id") ";\n"
	"END;\n"
	"CREATE TRIGGER dues_tally_card_au AFTER UPDATE ON dues_year BEGIN\n"
	"  " DT_TALLY(DT_CARD("OLD."), "m.id = OLD.member_id", "-1") ";\n"
	"  " DT_TALLY(DT_CARD("NEW."), "m.id = NEW.member_id", "1") ";\n"
	"  " DT_OWING("m.id IN (OLD.member_id, NEW.member_id)") ";\n"
	"END;\n"
	"CREATE TRIGGER dues_tally_card_ad AFTER DELETE ON dues_year BEGIN\n"
	"  " DT_TALLY(DT_CARD("OLD."), "m.id = OLD.member_id", "-1") ";\n"
	"  " DT_OWING("m.id = OLD.member_id") ";\n"
	"END;\n"
	"CREATE TRIGGER dues_tally_member_bu BEFORE UPDATE OF " DT_MEMBER_COLS " ON member\n"
	"  WHEN " DT_MEMBER_CHANGED("IS NOT") " BEGIN\n"
	"  " DT_BEFORE("m.id = OLD.id") ";\n"
	"END;\n"
	"CREATE TRIGGER dues_tally_member_au AFTER UPDATE OF " DT_MEMBER_COLS " ON member\n"
	"  WHEN " DT_MEMBER_CHANGED("IS NOT") " BEGIN\n"
	"  " DT_AFTER("m.id = NEW.id") ";\n"
	"END;\n"
	"CREATE TRIGGER dues_tally_member_bd BEFORE DELETE ON member BEGIN\n"
	"  " DT_BEFORE("m.id = OLD.id") ";\n"
	"  DELETE FROM dues_owing WHERE member_id = OLD.id;\n"
	"END;\n"
	"CREATE TRIGGER dues_tally_end_bi BEFORE INSERT ON member_end BEGIN\n"
	"  " DT_BEFORE("m.id = NEW.member_id") ";\n"
	"END;\n"
	"CREATE TRIGGER dues_tally_end_ai AFTER INSERT ON member_end BEGIN\n"
	"  " DT_AFTER("m.id = NEW.member_id") ";\n"
	"END;\n"
	"CREATE TRIGGER dues_tally_end_bu BEFORE UPDATE OF member_id, on_date, back_on ON member_end BEGIN\n"
	"  " DT_BEFORE("m.id IN (OLD.member_id, NEW.member_id)") ";\n"
	"END;\n"
	"CREATE TRIGGER dues_tally_end_au AFTER UPDATE OF member_id, on_date, back_on ON member_end BEGIN\n"
	"  " DT_AFTER("m.id IN (OLD.member_id, NEW.member_id)") ";\n"
	"END;\n"
	"CREATE TRIGGER dues_tally_end_bd BEFORE DELETE ON member_end BEGIN\n"
	"  " DT_BEFORE("m.id = OLD.member_id") ";\n"
	"END;\n"
	"CREATE TRIGGER dues_tally_end_ad AFTER DELETE ON member_end BEGIN\n"
	"  " DT_AFTER("m.id = OLD.member_id") ";\n"
	"END;\n"
	"CREATE TRIGGER dues_tally_org_bu BEFORE UPDATE OF kind ON org WHEN OLD.kind IS NOT NEW.kind BEGIN\n"
	"  " DT_BEFORE("m.org_id = OLD.id") ";\n"
	"END;\n"
	"CREATE TRIGGER dues_tally_org_au AFTER UPDATE OF kind ON org WHEN OLD.kind IS NOT NEW.kind BEGIN\n"
	"  " DT_AFTER("m.org_id = NEW.id") ";\n"
	"END;\n"
	"{{END}}{{IF_PG}}"
	DT_PG_ROW_FUNCS("", "")
	"CREATE TRIGGER dues_tally_card AFTER INSERT OR UPDATE OR DELETE ON dues_year\n"
	"  FOR EACH ROW EXECUTE FUNCTION dues_tally_card();\n"
	/* A member's facts; a member_end record; an org's kind: the part of
	 * the members concerned out before, back in after. */
	"CREATE TRIGGER dues_tally_member_before BEFORE UPDATE OF " DT_MEMBER_COLS " ON member FOR EACH ROW\n"
	"  WHEN (" DT_MEMBER_CHANGED("IS DISTINCT FROM") ") EXECUTE FUNCTION dues_tally_member();\n"
	"CREATE TRIGGER dues_tally_member_after AFTER UPDATE OF " DT_MEMBER_COLS " ON member FOR EACH ROW\n"
	"  WHEN (" DT_MEMBER_CHANGED("IS DISTINCT FROM") ") EXECUTE FUNCTION dues_tally_member();\n"
	"CREATE TRIGGER dues_tally_member_delete BEFORE DELETE ON member FOR EACH ROW EXECUTE FUNCTION dues_tally_member();\n"
	"CREATE TRIGGER dues_tally_end_before BEFORE INSERT OR DELETE OR UPDATE OF member_id, on_date, back_on ON member_end\n"
	"  FOR EACH ROW EXECUTE FUNCTION dues_tally_end();\n"
	"CREATE TRIGGER dues_tally_end_after AFTER INSERT OR DELETE OR UPDATE OF member_id, on_date, back_on ON member_end\n"
	"  FOR EACH ROW EXECUTE FUNCTION dues_tally_end();\n"
	"CREATE TRIGGER dues_tally_org_before BEFORE UPDATE OF kind ON org FOR EACH ROW\n"
	"  WHEN (OLD.kind IS DISTINCT FROM NEW.kind) EXECUTE FUNCTION dues_tally_org();\n"
	"CREATE TRIGGER dues_tally_org_after AFTER UPDATE OF kind ON org FOR EACH ROW\n"
	"  WHEN (OLD.kind IS DISTINCT FROM NEW.kind) EXECUTE FUNCTION dues_tally_org();\n"
	"{{END}}";

/* PostgreSQL: the cards an INSERT statement adds (the generator's COPY, an
 * import) are counted once per statement from its transition table; a
 * PL/pgSQL call per card planned its queries anew each time (about 2 ms a
 * card unloaded, 10 on a loaded machine: a city's 14,000 cards).  Each new
 * card finds its member's facts, and each member its cards, by key (OFFSET
 * 0 keeps those lookups per row, whatever the planner guesses of the
 * tables' sizes); the queries are planned each time (EXECUTE), knowing the
 * new rows' number.  Updates and deletes of cards, and the members',
 * member_end's and orgs' triggers, stay row by row: their functions keep
 * one generic plan per query instead of planning each call. */
#define DT_FACTS_OF(id) "CROSS JOIN LATERAL (" DT_FACTS("m.id = " id) " OFFSET 0) f"
#define DT_CARDS_OF(id) "CROSS JOIN LATERAL (SELECT * FROM dues_year c WHERE c.member_id = " id " OFFSET 0) y"
#define DT_NEW_MEMBERS "(SELECT DISTINCT member_id FROM dues_year_new) n"
#define DT_GENERIC(fn) "ALTER FUNCTION " fn "() SET plan_cache_mode = force_generic_plan;\n"

const char dues_tally_bulk_step[] =
	"{{IF_PG}}"
	"DROP TRIGGER dues_tally_card ON dues_year;\n"
	"CREATE TRIGGER dues_tally_card AFTER UPDATE OR DELETE ON dues_year\n"
	"  FOR EACH ROW EXECUTE FUNCTION dues_tally_card();\n"
	"CREATE FUNCTION dues_tally_cards_added() RETURNS trigger LANGUAGE plpgsql AS $$\n"
	"BEGIN\n"
	"  EXECUTE $q$INSERT INTO dues_tally(org_id, year, " DT_COLS ") SELECT f.oid, y.year, " DT_SUMS("1")
	" FROM dues_year_new y " DT_FACTS_OF("y.member_id") " GROUP BY f.oid, y.year"
	" ON CONFLICT (org_id, year) DO UPDATE SET " DT_MEASURES(DT_MPLUS, "") "$q$;\n"
	"  EXECUTE $q$DELETE FROM dues_owing d USING " DT_NEW_MEMBERS " WHERE d.member_id = n.member_id$q$;\n"
	"  EXECUTE $q$INSERT INTO dues_owing(member_id, org_id, first_idx, mobile)"
	" SELECT f.mid, f.oid, min(y.year * 12 + k.n - 1), f.mob FROM " DT_NEW_MEMBERS " " DT_FACTS_OF("n.member_id")
	" " DT_CARDS_OF("f.mid") " JOIN " DT_MONTHS_1_12 " k ON 1 = 1"
	" WHERE f.tmp = 0 AND f.act = 1 AND f.j <= y.year * 12 + k.n - 1 AND y.monthly_fen > " DUES_PAID("y", "k.n")
	" GROUP BY f.mid, f.oid, f.mob$q$;\n"
	"  RETURN NULL;\n"
	"END $$;\n"
	"ALTER FUNCTION dues_tally_cards_added() SET enable_hashjoin = off;\n"
	"ALTER FUNCTION dues_tally_cards_added() SET enable_mergejoin = off;\n"
	"CREATE TRIGGER dues_tally_cards_added AFTER INSERT ON dues_year REFERENCING NEW TABLE AS dues_year_new\n"
	"  FOR EACH STATEMENT EXECUTE FUNCTION dues_tally_cards_added();\n"
	DT_GENERIC("dues_tally_card") DT_GENERIC("dues_tally_member") DT_GENERIC("dues_tally_end") DT_GENERIC("dues_tally_org")
	"{{END}}";

/* A member without a card has no part in the counters: an edit of such a
 * member (every edit before generate's dues step, a member just admitted)
 * skips the statements below instead of starting them. */
#define DT_NO_CARDS                                                                                           \
	"  IF NOT EXISTS (SELECT 1 FROM dues_year WHERE member_id = OLD.id) THEN\n"                          \
	"    RETURN CASE WHEN TG_WHEN = 'AFTER' THEN NULL WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;\n"         \
	"  END IF;\n"

/* PostgreSQL: a row trigger's statements each sum the nine measures of
 * twelve months; with the member's facts merged into the sums, each of the
 * 108 sums carried its own copy of the facts' member_end subquery, and
 * starting that plan cost a member edit 2–4 ms (300 edits of is_mobile:
 * 1.2–1.36 s of backend CPU; with the facts fenced off by OFFSET 0, computed
 * once per row, 0.53–0.65 s). */
const char dues_tally_fence_step[] =
	"{{IF_PG}}"
	DT_PG_ROW_FUNCS(" OFFSET 0", DT_NO_CARDS)
	DT_GENERIC("dues_tally_card") DT_GENERIC("dues_tally_member") DT_GENERIC("dues_tally_end") DT_GENERIC("dues_tally_org")
	"{{END}}";
