/* life_due.h — the records queries of the dashboard's 本月待开展 and
 * 上月未落实 figures (life_figures.c): the org-level rules due in a month. */
#ifndef DJ_LIFE_DUE_H
#define DJ_LIFE_DUE_H

/* The dashboard's 本月待开展 and 上月未落实: the org-level rules (life_rule,
 * who org or secretary) whose window (month, quarter, year) ends in month
 * d.m of year d.y, with what the org held in it from life_tally — as
 * compliance.c's grid judges them (支部委员会 where the latest term has 3+
 * officers, the secretary's own 党课 where there is a secretary). */
#define DUE_MONTH(y, m)                                                                                         \
	"WITH d0 AS (SELECT " y " AS y, " m " AS m),"                                                           \
	" d AS (SELECT y, m, CAST(y AS TEXT) || '-' || CASE WHEN m < 10 THEN '0' ELSE '' END || CAST(m AS TEXT) AS ym," \
	" CASE WHEN m = 2 THEN CASE WHEN y % 4 = 0 AND (y % 100 <> 0 OR y % 400 = 0) THEN 29 ELSE 28 END"            \
	" WHEN m IN (4, 6, 9, 11) THEN 30 ELSE 31 END AS dim FROM d0) "
#define DUE_WIN(mm, k)                                                                                          \
	"CASE WHEN r.period = 'year' OR (r.period = 'quarter' AND (" k " - 1) / 3 = (d.m - 1) / 3) OR d.m = " k      \
	" THEN t.m" mm " ELSE 0 END"
#define DUE_HELD                                                                                                \
	"CAST(coalesce((SELECT sum(" DUE_WIN("01", "1") " + " DUE_WIN("02", "2") " + " DUE_WIN("03", "3") " + "        \
	DUE_WIN("04", "4") " + " DUE_WIN("05", "5") " + " DUE_WIN("06", "6") " + " DUE_WIN("07", "7") " + "          \
	DUE_WIN("08", "8") " + " DUE_WIN("09", "9") " + " DUE_WIN("10", "10") " + " DUE_WIN("11", "11") " + "        \
	DUE_WIN("12", "12") ") FROM life_tally t WHERE t.org_id = o.id AND t.year = d.y AND t.kind = r.activity_kind" \
	" AND (r.who <> 'secretary' OR t.speaker = (SELECT max(f.member_id) FROM org_officer f"                    \
	" WHERE f.term_id = tl.term_id AND f.post = 'secretary'))), 0) AS BIGINT)"
#define DUE_RULES                                                                                               \
	"SELECT o.id AS org_id, o.name AS org_name, o.founded_on, r.activity_kind, r.period, r.min_count, r.who,"  \
	" CASE WHEN r.who = 'secretary' THEN '书记讲党课' ELSE k.label END AS label,"                               \
	" d.ym || '-' || CAST(d.dim AS TEXT) AS due, d.ym, " DUE_HELD " AS held"                                    \
	" FROM d CROSS JOIN org o JOIN life_rule r ON r.org_kind = o.kind AND r.who <> 'member'"                  \
	" JOIN activity_kind k ON k.code = r.activity_kind LEFT JOIN org_term_latest tl ON tl.org_id = o.id"       \
	" WHERE o.id IN {{SUBTREE}} AND o.status = 'active'"                                                       \
	" AND (r.activity_kind <> 'committee_meeting' OR coalesce(tl.officers, 0) >= 3)"                           \
	" AND (r.who <> 'secretary' OR EXISTS (SELECT 1 FROM org_officer f WHERE f.term_id = tl.term_id"          \
	" AND f.post = 'secretary' AND f.member_id IS NOT NULL))"                                                 \
	" AND (r.period = 'month' OR (r.period = 'quarter' AND d.m % 3 = 0) OR (r.period = 'year' AND d.m = 12))"
#define DUE_Y "CAST(substr(CAST(?3 AS TEXT), 1, 4) AS INTEGER)"
#define DUE_M "CAST(substr(CAST(?3 AS TEXT), 6, 2) AS INTEGER)"

#endif
