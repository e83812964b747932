/* member_figures.c — the member module's figures (platform/figure.h):
 * the roster as of a day by status, mobility, org kind and education (each
 * member at the org they were in that day), and the members who joined or
 * were converted in a period. */
#include "platform/figure.h"

#include <stdio.h>

#include "member/member.h"
#include "org/org.h"

/* Breakdown keys as users read them (figure.h by_label). */
static int status_label(struct db *db, const char *key, char *out, size_t cap, struct dj_error *err)
{
	snprintf(out, cap, "%s", member_status_label(member_status_parse(key)));
	return 0;
}

static int org_kind_label_of(struct db *db, const char *key, char *out, size_t cap, struct dj_error *err)
{
	snprintf(out, cap, "%s", org_kind_label(org_kind_parse(key)));
	return 0;
}
#include "member/member_roster_figures.h"

/* On the roster on ?3: in it now, or left after that day (member_end). */
#define ON_ROSTER "(m.active = 1 OR m.id IN (SELECT e.member_id FROM member_end e WHERE e.on_date > ?3 AND e.back_on IS NULL))"

/* A member's org on ?3 (x.mid, x.org_id): the org they are in now when no
 * move came after that day, else where the first move after it started
 * (member_transfer is the record of every change of a member's org). */
#define ORG_ON_DAY                                                                                              \
	"(SELECT m.id AS mid, m.org_id FROM member m WHERE m.org_id IN {{SUBTREE}} AND NOT EXISTS"                \
	" (SELECT 1 FROM member_transfer t WHERE t.member_id = m.id AND t.on_date > ?3)"                         \
	" UNION ALL SELECT t.member_id, t.from_org FROM member_transfer t WHERE t.from_org IN {{SUBTREE}}"       \
	" AND t.on_date > ?3 AND NOT EXISTS (SELECT 1 FROM member_transfer u WHERE u.member_id = t.member_id"     \
	" AND u.on_date > ?3 AND (u.on_date < t.on_date OR (u.on_date = t.on_date AND u.id < t.id)))) x"

/* A member's status on ?3: a 正式党员 was a 预备党员 before the day their
 * probation ended (full_date, set by the conversion: develop step 24 or
 * the record as typed).  An ended member keeps the status they had. */
#define STATUS_ON "(CASE WHEN m.status = 'full' AND m.full_date > ?3 THEN 'probationary' ELSE m.status END)"

/* Mobile on ?3: a hosting record (流动党员, member_mobile.c) that ran that
 * day, or the member's own flag from its date (typed or imported without a
 * hosting: its history is that date alone; no date, always). */
#define MOBILE_ON                                                                                               \
	"(m.id IN (SELECT h.member_id FROM mobile_hosting h WHERE h.since <= ?3"                                 \
	" AND (h.ended_on IS NULL OR h.ended_on > ?3)) OR (m.is_mobile = 1 AND coalesce(m.mobile_since, '') <= ?3))"

/* The mobile members of ?3 (MOBILE_ON) as they were that day: mobile (1),
 * where they were and since when, from the hosting record that ran that
 * day (the newest if two did) or else the member's own flag. */
#define MOBILE_MEMBERS_ON                                                                                       \
	"SELECT m.id AS rid, 'member' AS rkind, m.name AS title, x.org_id,"                                       \
	" coalesce(h.since, m.mobile_since, m.join_date) AS on_date, " STATUS_ON " AS status, 1 AS is_mobile,"    \
	" coalesce(h.place, m.mobile_place, '') AS place FROM " ORG_ON_DAY " JOIN member m ON m.id = x.mid"       \
	" LEFT JOIN mobile_hosting h ON h.id = (SELECT max(g.id) FROM mobile_hosting g WHERE g.member_id = m.id"  \
	" AND g.since <= ?3 AND (g.ended_on IS NULL OR g.ended_on > ?3))"                                          \
	" WHERE " ON_ROSTER " AND m.join_date <= ?3"                                                                \
	" AND (h.id IS NOT NULL OR (m.is_mobile = 1 AND coalesce(m.mobile_since, '') <= ?3))"

/* Members of the scope's orgs on the roster on ?3 (joined by then), each at
 * the org they were in that day with the status of that day. */
#define MEMBERS_ON(cond)                                                                                        \
	"SELECT m.id AS rid, 'member' AS rkind, m.name AS title, x.org_id, m.join_date AS on_date, " STATUS_ON " AS status, \
	 m.is_mobile, coalesce(m.education, '') AS education FROM " ORG_ON_DAY " JOIN member m ON m.id = x.mid     \
	 WHERE " ON_ROSTER " AND m.join_date <= ?3" cond

/* The same with the kind of that org. */
#define MEMBERS_ORG_ON(cond)                                                                                    \
	"SELECT m.id AS rid, 'member' AS rkind, m.name AS title, x.org_id, m.join_date AS on_date, " STATUS_ON " AS status, \
	 m.is_mobile, o.kind AS org_kind FROM " ORG_ON_DAY " JOIN member m ON m.id = x.mid                        \
	 JOIN org o ON o.id = x.org_id WHERE " ON_ROSTER " AND m.join_date <= ?3" cond

/* Kept (figure.h): the counts kept per org (member_count by status and
 * mobility, member_edu_count by education; triggers keep them in the
 * writing transaction) of today's roster, less the members who joined
 * after ?3 (none for today; found through member(join_date)), plus those
 * whose membership ended after ?3 (member_end, by date); then each move
 * after ?3 of a member on that day's roster is undone (-1 where it went,
 * +1 where it came from), which leaves them at their org of ?3.  `key_c`
 * and `key_m` are the breakdown key of a counter row and of a member row
 * as counted today, `key_on` that of the member as they were on ?3 (""
 * without a breakdown); cond_c / cond_m / cond_on the same for the
 * figure's condition; `fix` the rows that move a member counted today
 * under their status of today to their status of ?3 (STATUS_FIX, or "");
 * `join_c` joins org o to a counter row, J(col) joins it to the org in col. */
#define KEPT_ON(table, key_c, key_m, key_on, join_c, J, cond_c, cond_m, cond_on, fix)                          \
	"SELECT " key_c "c.n FROM " table " c" join_c " WHERE c.org_id IN {{SUBTREE}}" cond_c                    \
	" UNION ALL SELECT " key_m "-1 FROM member m" J("m.org_id") " WHERE m.join_date > ?3 AND m.active = 1"     \
	" AND +m.org_id IN {{SUBTREE}}" cond_m                                                                      \
	" UNION ALL SELECT " key_on "1 FROM member_end e JOIN member m ON m.id = e.member_id" J("m.org_id")        \
	" WHERE e.on_date > ?3 AND e.back_on IS NULL AND m.active = 0 AND m.join_date <= ?3"                         \
	" AND +m.org_id IN {{SUBTREE}}" cond_on                                                                     \
	KEPT_MOVE(key_on, "-1", "t.to_org", J, cond_on) KEPT_MOVE(key_on, "1", "t.from_org", J, cond_on) fix
/* The moves drive (CROSS JOIN keeps SQLite from walking the members of a
 * status or education first: 1 s at a province's root instead of 4 ms). */
#define KEPT_MOVE(key_m, n, col, J, cond_m)                                                                    \
	" UNION ALL SELECT " key_m n " FROM member_transfer t CROSS JOIN member m" J(col)                         \
	" WHERE m.id = t.member_id AND t.on_date > ?3 AND " col " IN {{SUBTREE}} AND m.join_date <= ?3"          \
	" AND " ON_ROSTER cond_m
/* On the roster today and joined by ?3, but converted after it: counted
 * today as 正式党员 at their org of today (the moves above then take them
 * to their org of ?3), they were 预备党员 (member_full_date drives). */
#define STATUS_FIX(key_m, key_on, cond_m, cond_on)                                                              \
	" UNION ALL SELECT " key_m "-1 FROM member m WHERE m.active = 1 AND m.status = 'full' AND m.full_date > ?3"  \
	" AND m.join_date <= ?3 AND +m.org_id IN {{SUBTREE}}" cond_m                                                \
	" UNION ALL SELECT " key_on "1 FROM member m WHERE m.active = 1 AND m.status = 'full' AND m.full_date > ?3" \
	" AND m.join_date <= ?3 AND +m.org_id IN {{SUBTREE}}" cond_on
/* The same for the mobile figure: the members whose status or mobility may
 * differ between ?3 and today (converted after it; a hosting that started
 * or ended after it, or still runs; a flag dated after it) are moved from
 * their status and flag of today to those of ?3 (MOBILE_ON). */
#define MOBILE_CHANGED                                                                                          \
	"(SELECT id FROM member WHERE active = 1 AND status = 'full' AND full_date > ?3"                          \
	" UNION SELECT member_id FROM mobile_hosting WHERE since > ?3 OR ended_on IS NULL OR ended_on > ?3"       \
	" UNION SELECT id FROM member WHERE active = 1 AND is_mobile = 1 AND mobile_since > ?3)"
#define MOBILE_FIX                                                                                              \
	" UNION ALL SELECT m.status, -1 FROM member m WHERE m.id IN " MOBILE_CHANGED " AND m.active = 1"              \
	" AND m.join_date <= ?3 AND +m.org_id IN {{SUBTREE}} AND m.is_mobile = 1"                                   \
	" UNION ALL SELECT " STATUS_ON ", 1 FROM member m WHERE m.id IN " MOBILE_CHANGED " AND m.active = 1"          \
	" AND m.join_date <= ?3 AND +m.org_id IN {{SUBTREE}} AND " MOBILE_ON
#define NO_ORG(col) ""
#define ORG_OF(col) " JOIN org o ON o.id = " col
/* A figure of member_count by status of ?3 (BY) or one with a condition
 * on it (cond_m as counted today, cond_on on ?3). */
#define KEPT_BY_STATUS(cond_c, cond_m)                                                                          \
	KEPT_ON("member_count", "c.status, ", "m.status, ", STATUS_ON ", ", "", NO_ORG, cond_c, cond_m, cond_m,      \
		STATUS_FIX("m.status, ", STATUS_ON ", ", cond_m, cond_m))
#define KEPT_STATUS(cond_c, cond_m, cond_on)                                                                    \
	KEPT_ON("member_count", "", "", "", "", NO_ORG, cond_c, cond_m, cond_on, STATUS_FIX("", "", cond_m, cond_on))
#define KEPT_ORG(key_c, key_m, cond_c, cond_m)                                                                  \
	KEPT_ON("member_count", key_c, key_m, key_m, " JOIN org o ON o.id = c.org_id", ORG_OF, cond_c, cond_m, cond_m, "")

const struct figure member_figures[] = {
	{FIGURE("member.member.count", "党员", "名", FIGURE_COUNT, FIGURE_STOCK, MEMBERS_ON("")), .by = "status", .by_label = status_label,
	 .kept = KEPT_BY_STATUS("", ""), .note = "在册党员（正式党员和预备党员），按状态分列"},
	{FIGURE("member.full.count", "正式党员", "名", FIGURE_COUNT, FIGURE_STOCK, MEMBERS_ON(" AND " STATUS_ON " = 'full'")),
	 .kept = KEPT_STATUS(" AND c.status = 'full'", " AND m.status = 'full'", " AND " STATUS_ON " = 'full'"),
	 .note = "在册正式党员；过去某日以当日的身份计（当日预备期尚未期满的计为预备党员）"},
	{FIGURE("member.probationary.count", "预备党员", "名", FIGURE_COUNT, FIGURE_STOCK,
	 MEMBERS_ON(" AND " STATUS_ON " = 'probationary'")),
	 .kept = KEPT_STATUS(" AND c.status = 'probationary'", " AND m.status = 'probationary'",
			     " AND " STATUS_ON " = 'probationary'"),
	 .note = "在册预备党员；过去某日以当日的身份计（含此后转正的）"},
	{FIGURE("member.mobile.count", "流动党员", "名", FIGURE_COUNT, FIGURE_STOCK, MOBILE_MEMBERS_ON),
	 .by = "status", .by_label = status_label,
	 .kept = KEPT_ON("member_count", "c.status, ", "m.status, ", STATUS_ON ", ", "", NO_ORG, " AND c.is_mobile = 1",
			 " AND m.is_mobile = 1", " AND " MOBILE_ON, MOBILE_FIX),
	 .note = "在册党员中当日为流动党员的（当日有效的流动党员登记，或标记为流动党员且外出日期不晚于当日），按状态分列；"
		 "记录的日期为外出日期"},
	{FIGURE("member.org_kind.count", "党员（按所在党组织类别）", "名", FIGURE_COUNT, FIGURE_STOCK, MEMBERS_ORG_ON("")),
	 .by = "org_kind", .by_label = org_kind_label_of, .kept = KEPT_ORG("o.kind, ", "o.kind, ", "", ""),
	 .note = "在册党员按所在党组织的类别分列（如流动党员党支部、云支部的党员）"},
	{FIGURE("member.mobile_branch.count", "流动党员党支部党员", "名", FIGURE_COUNT, FIGURE_STOCK,
	 MEMBERS_ORG_ON(" AND o.kind = 'mobile_branch'")),
	 .kept = KEPT_ORG("", "", " AND o.kind = 'mobile_branch'", " AND o.kind = 'mobile_branch'")},
	{FIGURE("member.education.count", "党员学历结构", "名", FIGURE_COUNT, FIGURE_STOCK, MEMBERS_ON("")),
	 .by = "education",
	 .kept = KEPT_ON("member_edu_count", "c.education, ", "coalesce(m.education, ''), ", "coalesce(m.education, ''), ", "",
			 NO_ORG, "", "", "", ""),
	 .note = "在册党员按学历分列（空：未登记）"},
	{FIGURE("member.joined.count", "发展预备党员", "名", FIGURE_COUNT, FIGURE_FLOW,
	 "SELECT m.id AS rid, 'member' AS rkind, m.name AS title, m.org_id, m.join_date AS on_date, m.status"
	 " FROM member m WHERE m.org_id IN {{SUBTREE}} AND m.join_date BETWEEN ?2 AND ?3"),
	 .note = "期间内入党（成为预备党员）的党员，以入党日期计"},
	{FIGURE("member.converted.count", "转正党员", "名", FIGURE_COUNT, FIGURE_FLOW,
	 "SELECT m.id AS rid, 'member' AS rkind, m.name AS title, m.org_id, m.full_date AS on_date, m.status"
	 " FROM member m WHERE m.org_id IN {{SUBTREE}} AND m.full_date BETWEEN ?2 AND ?3"),
	 .note = "期间内预备期满转为正式党员的党员，以转正日期计"},
	MEMBER_ROSTER_FIGURES
	{0},
};
