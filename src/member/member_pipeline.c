/* member_pipeline.c — what the development pipeline (src/develop/) changes
 * in a member record it made: the end of the probation when it is extended,
 * the conversion to 正式党员, and the end of the membership when the
 * probation fails.  All run inside the caller's transaction, whose audit
 * record covers them (the end's event goes into it). */
#include "member/member.h"
#include "member/member_roster.h"

#include "core/date.h"
#include "db/db.h"

/* The read cache (db_touch_org): the member's org, which need not be the
 * branch that developed them (they may have moved since). */
static int touch_member_org(struct db *db, int64_t id, struct dj_error *err)
{
	int64_t org = 0;
	int rc = db_int1(db, &org, "SELECT org_id FROM member WHERE id = ?", DB_ARGS(DB_I(id)), err);
	if (!rc)
		db_touch_org(db, org);
	return rc;
}

int member_probation_set(struct db *db, int64_t id, const char *probation_end, struct dj_error *err)
{
	char now[21];
	date_now_iso(now);
	int rc = touch_member_org(db, id, err);
	if (rc)
		return rc;
	return db_run(db, "UPDATE member SET probation_end = ?, updated_at = ? WHERE id = ? AND status = 'probationary'",
		      DB_ARGS(DB_T(probation_end), DB_T(now), DB_I(id)), err);
}

int member_make_full(struct db *db, int64_t id, const char *full_date, struct dj_error *err)
{
	char now[21];
	date_now_iso(now);
	int rc = touch_member_org(db, id, err);
	if (rc)
		return rc;
	return db_run(db, "UPDATE member SET status = ?, full_date = ?, updated_at = ? WHERE id = ?",
		      DB_ARGS(DB_T(member_status_name(MEMBER_FULL)), DB_T(full_date), DB_T(now), DB_I(id)), err);
}

int member_probation_cancel(struct db *db, const struct actor *a, int64_t id, const char *reason, const char *on_date,
			    const char *note, const char *doc_no, int64_t *end_id, json_t **end, struct dj_error *err)
{
	return roster_end_tx(db, a, id, reason, on_date, note, doc_no, 0, end_id, end, err);
}

int member_release_id_card(struct db *db, int64_t id, struct dj_error *err)
{
	return db_run(db, "UPDATE member SET id_card_hash = NULL WHERE id = ? AND active = 0", DB_ARGS(DB_I(id)), err);
}
