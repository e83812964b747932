/* member.h — the roster: members, their personal data, transfers and the
 * probationary period. */
#ifndef DJ_MEMBER_H
#define DJ_MEMBER_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "user/actor.h"

struct db;

/* 正式党员 or 预备党员 (member_status.c holds the table). */
enum member_status {
	MEMBER_STATUS_NONE = 0,	/* unknown */
	MEMBER_FULL,		/* 正式党员 */
	MEMBER_PROBATIONARY,	/* 预备党员 */
};
enum member_status member_status_parse(const char *s);	/* MEMBER_STATUS_NONE if unknown (or NULL) */
const char *member_status_name(enum member_status s);	/* "full" …; "" if unknown */
const char *member_status_label(enum member_status s);	/* 正式党员 …; "" if unknown */
const char *const *member_status_names(void);	/* NULL-terminated, for v_enum */

/* A member as entered: pointers into the caller's strings. */
struct member_rec {
	int64_t org_id;
	const char *name, *gender, *ethnicity, *birth_date, *id_card, *phone, *education;
	const char *join_date, *full_date, *status, *position, *mobile_place, *mobile_since;
	bool is_mobile;
	char birth_buf[11], probation_end[11], id_card_buf[19];
};

/* Check a record against the rules (dates, 身份证号, phone, status); fills
 * birth date and gender from the 身份证号 and computes the probation end.
 * Scope and uniqueness are checked by the callers that know the context. */
int member_check(struct db *db, struct member_rec *m, struct dj_error *err);
/* The same with the probation length given: touches no database, so an
 * importer's reading thread can run it. */
int member_check_rules(struct member_rec *m, int probation_months, struct dj_error *err);
/* Parse a JSON body into `m` (pointers stay valid while `in` lives). */
int member_from_json(json_t *in, struct member_rec *m, struct dj_error *err);
/* Insert inside the caller's transaction, sealing personal data under the
 * row's id: `reserved` from db_reserve_ids, or 0 to reserve one here. */
int member_insert(struct db *db, const struct member_rec *m, int64_t reserved, int64_t *id,
		  struct dj_error *err);
/* member_insert in two halves: the CPU work (hashes, sealing, the name's
 * sort key) under a known id, then the row's INSERT.  Start from a zeroed
 * struct; `parts` lets an importer share the work between its threads (an
 * id_card_hash already filled is kept). */
enum { SEAL_HASHES = 1, SEAL_ID_CARD = 2, SEAL_PHONE = 4, SEAL_NAME_KEY = 8, SEAL_ALL = 15 };
struct member_sealed {
	int64_t id;
	char id_card_hash[65], phone_hash[65];
	char *name_key, *id_card_enc, *phone_enc;
};
void member_seal(const struct member_rec *m, int64_t id, struct member_sealed *s, unsigned parts);
int member_insert_sealed(struct db *db, const struct member_rec *m, const struct member_sealed *s,
			 struct dj_error *err);
/* Many new members in one transaction (an import): a COPY on PostgreSQL,
 * a prepared INSERT per row on SQLite (db_copy_begin); the 身份证号 must be
 * known to be free, since a clash fails the whole copy. */
struct db_copy;
int member_copy_begin(struct db *db, struct db_copy **cp, struct dj_error *err);
int member_copy_sealed(struct db_copy *cp, const struct member_rec *m, const struct member_sealed *s,
		       struct dj_error *err);
/* member_insert's row into a COPY (reserved id, every part sealed). */
int member_copy(struct db_copy *cp, const struct member_rec *m, int64_t id, struct dj_error *err);
void member_sealed_free(struct member_sealed *s);
/* The keyed hash of a normalized 身份证号 (upper-case X) into out[65]. */
void member_id_card_hash(const char *id_card, char out[65]);

int member_create(struct db *db, const struct actor *a, json_t *in, int64_t *id, struct dj_error *err);
int member_update(struct db *db, const struct actor *a, int64_t id, json_t *in, struct dj_error *err);
/* {to_org_id, on_date, reason} */
int member_transfer(struct db *db, const struct actor *a, int64_t id, json_t *in, struct dj_error *err);
/* 转正: {full_date} — probationary to full member by a general meeting vote. */
int member_convert(struct db *db, const struct actor *a, int64_t id, json_t *in, struct dj_error *err);

/* One member with personal data masked, and their transfer history. */
json_t *member_get(struct db *db, const struct actor *a, int64_t id, struct dj_error *err);
/* The whole 身份证号 or phone; needs a managing role (or the member), audited. */
/* The sealed `field` of row `id` of `table` (member, develop_person), opened,
 * with an audit record `action` and no copy of the value; the caller has
 * checked role and scope. */
json_t *member_reveal_sealed(struct db *db, const struct actor *a, const char *table, const char *action, int64_t id,
			     const char *field, struct dj_error *err);
json_t *member_reveal(struct db *db, const struct actor *a, int64_t id, const char *field, struct dj_error *err);

struct member_filter {
	int64_t org_id;		/* subtree root; 0: the actor's scope */
	const char *q;		/* name part, or an exact 身份证号 / phone */
	const char *status;	/* full | probationary */
	int mobile;		/* -1 any, 0 no, 1 yes */
	bool direct;		/* only members of org_id itself */
	const char *sort;	/* name | join_date | birth_date */
	int page, size;
};
json_t *member_list(struct db *db, const struct actor *a, const struct member_filter *f, struct dj_error *err);
/* Count one exact look-up by 身份证号 or phone (field "id_card" | "phone") —
 * a search, or an "already registered" answer — against the account's
 * auth.exact_search_per_hour and audit it as `action` with the masked value
 * only (`found`: the member it hit, 0 if unknown).  DJ_ELIMIT (429) once the
 * account is over its allowance for this clock hour. */
int member_exact_claim(struct db *db, const struct actor *a, const char *action, const char *field, const char *value,
		       int64_t found, struct dj_error *err);
/* Audit, in a transaction of its own, that `n` 身份证号 of an import into
 * `org_id` were already registered: the import is refused and rolled back,
 * so its own transaction cannot carry the record. */
int member_duplicates_audit(struct db *db, const struct actor *a, int64_t org_id, int64_t n, struct dj_error *err);

/* Who belonged to an org on a date: joined by then, and not transferred away
 * before it nor arriving after it (the transfer history decides).
 * [{id, name, org_id}] ordered by name; NULL on a database error. */
json_t *member_roster_at(struct db *db, int64_t org_id, const char *date, struct dj_error *err);
/* The org a member belonged to on `date` into *org; 0 if they had not joined
 * yet.  A failed query is its error. */
int member_org_on(struct db *db, int64_t member_id, const char *date, int64_t *org, struct dj_error *err);

/* Masked JSON of one stored member (for audit and lists); NULL with
 * DJ_ENOTFOUND if missing, or with the query's error. */
json_t *member_masked(struct db *db, int64_t id, struct dj_error *err);

/* For the development pipeline (member_pipeline.c), inside the caller's
 * transaction: a probation extended to `probation_end`, and the conversion
 * to 正式党员 on `full_date` (党龄 counts from the end of the probation). */
int member_probation_set(struct db *db, int64_t id, const char *probation_end, struct dj_error *err);
int member_make_full(struct db *db, int64_t id, const char *full_date, struct dj_error *err);
/* An ended member record gives up its 身份证号 key (the sealed number
 * stays) so that the person may enter the pipeline again (重新申请 after
 * 取消预备党员资格); an active member is left as it is. */
int member_release_id_card(struct db *db, int64_t id, struct dj_error *err);
/* The end of a 预备党员's membership decided in the pipeline: `reason`
 * not_admitted (the 上级党委 refused the admission) or probation_cancelled
 * (取消预备党员资格), an end event like any other (member_end.c); *end_id.
 * No audit record of its own: *end gets the event for the pipeline's
 * record of the write (the caller owns it). */
int member_probation_cancel(struct db *db, const struct actor *a, int64_t id, const char *reason, const char *on_date,
			    const char *note, const char *doc_no, int64_t *end_id, json_t **end, struct dj_error *err);

#endif
