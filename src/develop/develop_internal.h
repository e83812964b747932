/* develop_internal.h — what the develop module's files share. */
#ifndef DJ_DEVELOP_INTERNAL_H
#define DJ_DEVELOP_INTERNAL_H

#include "develop/develop.h"

/* The columns of develop_person a caller may see (no sealed data). */
#define DEVELOP_COLS                                                                                           \
	"id, org_id, name, gender, ethnicity, birth_date, education, position, status, step, applied_on,"        \
	" activist_on, candidate_on, admitted_on, voted_on, full_on, stopped_on, probation_end, extensions,"      \
	" member_id, due_step, due_on, stop_reason, stop_note, prev_id, next_id, resumed_on, created_at, updated_at"

json_t *develop_row(struct db *db, int64_t id, struct dj_error *err);
/* The row with 身份证号 and phone opened and masked (for audit and views). */
json_t *develop_masked(struct db *db, int64_t id, struct dj_error *err);
int develop_refresh_due(struct db *db, const struct develop_rules *r, int64_t id, struct dj_error *err);
/* develop_step_apply with the rules already read (generate records
 * thousands of steps under the same rules). */
int develop_step_apply_rules(struct db *db, const struct actor *a, const struct develop_rules *rules, int64_t id,
			     json_t *in, int64_t *step_id, struct dj_error *err);
/* The same, given the date of the person's last 半年考察 (step 6; "" for none). */
int develop_refresh_due_with(struct db *db, const struct develop_rules *r, int64_t id, const char *last_assess,
			     struct dj_error *err);
int develop_org_check(struct db *db, const struct actor *a, int64_t org, const char *field, struct dj_error *err);
/* The member record of person `id` (row `p`) admitted on `on` (step 15). */
int develop_admit_member(struct db *db, json_t *p, int64_t id, const char *on, int64_t *mid, struct dj_error *err);

/* A 支部大会's vote ({entitled, present, written?, in_favour}) in the
 * branch `org`, checked as every general meeting of the pipeline is (those
 * entitled at most the branch's 正式党员) and put in `facts` with its
 * result: *passed, and *why_field the field a failed vote is refused on
 * (develop_vote_refused, 400). */
/* Those with a vote in branch ?1: the 正式党员 of the branch and of its
 * 党小组, counted by each org's key (a subquery per org, which no plan
 * turns into a scan).  Written as "org_id = ?1 OR org_id IN (…)",
 * PostgreSQL scanned every member for each branch: 0.34 s a time, half an
 * hour of a province's generate, whose tables have no statistics yet. */
#define DEVELOP_VOTERS_ORG(o) "(SELECT count(*) FROM member m WHERE m.org_id = " o " AND m.status = 'full' AND m.active = 1)"
#define DEVELOP_VOTERS_SQL                                                                                     \
	"SELECT " DEVELOP_VOTERS_ORG("?1") " + coalesce((SELECT CAST(sum(" DEVELOP_VOTERS_ORG("g.id") ") AS BIGINT)" \
	" FROM org g WHERE g.parent_id = ?1 AND g.kind = 'group'), 0)"
int develop_vote(struct db *db, int64_t org, json_t *in, json_t *facts, bool *passed, const char **why_field,
		 struct dj_error *err);
int develop_vote_refused(const char *why_field, struct dj_error *err);

/* The decision of the last passed 支部大会 on the conversion (step 23):
 * convert, extend or cancel; "" if none (*decision is freed by the caller). */
int develop_last_decision(struct db *db, int64_t id, char **decision, struct dj_error *err);
/* Step `step` of a person of `person_org` is the 上级党委's (13 预审, 17
 * 审批, 24 转正审批 …): 403 to anyone but that 党委's org_admin (a 党总支's
 * where it may act) or an administrator. */
int develop_owner_check(struct db *db, const struct actor *a, int64_t person_org, int step, struct dj_error *err);

/* A stop whose reason is the member's end (死亡, 出党, 转出 …: the member
 * module's, develop_member_ended), not the pipeline's own. */
bool develop_stopped_by_end(const char *stop_reason);
/* The day the member came back onto the roster after the end that stopped
 * record `p` (member_end.back_on: a letter received back), into on[11];
 * "" while they are not back (develop_stop.c: 继续发展). */
int develop_back_on(struct db *db, json_t *p, char on[11], struct dj_error *err);
/* May actor `a` continue record `p` (*may): the 上级党委 of the member's
 * current org (develop_owner_check) or an administrator. */
int develop_may_continue(struct db *db, const struct actor *a, json_t *p, bool *may, struct dj_error *err);

#endif
