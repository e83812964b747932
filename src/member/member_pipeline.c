/* member_pipeline.c — what the development pipeline (src/develop/) changes
 * in a member record it made: the end of the probation when it is extended,
 * and the conversion to 正式党员.  Both run inside the caller's transaction,
 * whose audit record covers them. */
#include "member/member.h"

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
