/* develop_internal.h — what the develop module's files share. */
#ifndef DJ_DEVELOP_INTERNAL_H
#define DJ_DEVELOP_INTERNAL_H

#include "develop/develop.h"

/* The columns of develop_person a caller may see (no sealed data). */
#define DEVELOP_COLS                                                                                           \
	"id, org_id, name, gender, ethnicity, birth_date, education, position, status, step, applied_on,"        \
	" activist_on, candidate_on, admitted_on, voted_on, full_on, stopped_on, probation_end, extensions,"      \
	" member_id, due_step, due_on, stop_reason, stop_note, prev_id, next_id, created_at, updated_at"

json_t *develop_row(struct db *db, int64_t id, struct dj_error *err);
/* The row with 身份证号 and phone opened and masked (for audit and views). */
json_t *develop_masked(struct db *db, int64_t id, struct dj_error *err);
int develop_refresh_due(struct db *db, const struct develop_rules *r, int64_t id, struct dj_error *err);
int develop_org_check(struct db *db, const struct actor *a, int64_t org, const char *field, struct dj_error *err);
/* The member record of person `id` (row `p`) admitted on `on` (step 15). */
int develop_admit_member(struct db *db, json_t *p, int64_t id, const char *on, int64_t *mid, struct dj_error *err);

#endif
