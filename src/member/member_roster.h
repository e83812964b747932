/* member_roster.h — the roster's movements (issue 11): transfers of the
 * organizational relationship (组织关系转接) with their letters and receipts,
 * mobile members (流动党员) hosted by another org, and the ways a membership
 * ends.  Other modules reach the hosting rule through member_hosted_at (the
 * scope exception of DESIGN.md: a host org sees a hosted member only for
 * organizational life). */
#ifndef DJ_MEMBER_ROSTER_H
#define DJ_MEMBER_ROSTER_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "user/actor.h"

struct db;
struct gen;

/* A transfer's kind and status (member_transfer.c holds the identifiers
 * stored in SQL and sent in JSON). */
enum transfer_kind {
	TRANSFER_KIND_NONE = 0,	/* unknown (or NULL) */
	TRANSFER_INSIDE,	/* inside the platform: pending until the receiving org decides */
	TRANSFER_OUT,		/* a letter to an org outside the platform */
	TRANSFER_IN,		/* a letter from outside, registered by the receiving org */
};
enum transfer_status {
	TRANSFER_STATUS_NONE = 0,	/* unknown (or NULL) */
	TRANSFER_PENDING,		/* 待接收 */
	TRANSFER_ACCEPTED,		/* 已接收 */
	TRANSFER_RETURNED,		/* 已退回 */
	TRANSFER_ISSUED,		/* 已开具介绍信 */
	TRANSFER_RECEIVED,		/* 回执已登记 */
	TRANSFER_REGISTERED,		/* 已登记转入 */
};
enum transfer_kind transfer_kind_parse(const char *s);
enum transfer_status transfer_status_parse(const char *s);

/* Transfers (member_transfer.c).  Initiate: {member_id, to_org_id? (inside the
 * platform) | place + letter_no (out of it), on_date, valid_until?, reason?}. */
int roster_transfer_start(struct db *db, const struct actor *a, json_t *in, int64_t *id, struct dj_error *err);
/* Register a letter received from outside: {to_org_id, letter_no, place, on_date,
 * member: {...member fields} | member_id} — creates or re-activates the member. */
int roster_transfer_in(struct db *db, const struct actor *a, json_t *in, int64_t *id, struct dj_error *err);
/* The receiving org: {on_date?} accepts, {reason} returns. */
int roster_transfer_accept(struct db *db, const struct actor *a, int64_t id, json_t *in, struct dj_error *err);
int roster_transfer_return(struct db *db, const struct actor *a, int64_t id, json_t *in, struct dj_error *err);
/* The sending org records the 回执 of a letter: {on_date}. */
int roster_transfer_receipt(struct db *db, const struct actor *a, int64_t id, json_t *in, struct dj_error *err);
json_t *roster_transfer_get(struct db *db, const struct actor *a, int64_t id, struct dj_error *err);
struct roster_transfer_filter {
	int64_t org;		/* 0: the actor's scope */
	int64_t member;		/* 0: all */
	const char *dir;	/* in | out | NULL */
	const char *status;	/* pending | accepted | returned | issued | received | registered */
	int page, size;
};
json_t *roster_transfer_list(struct db *db, const struct actor *a, const struct roster_transfer_filter *f,
			     struct dj_error *err);
/* Active orgs of the whole platform whose name or code holds q (a transfer's destination). */
json_t *roster_transfer_orgs(struct db *db, const struct actor *a, const char *q, struct dj_error *err);

/* Mobile members (member_mobile.c): {member_id, host_org_id, place, since,
 * until?, card_no?}; end: {on_date}; a yearly report: {on_date, summary}. */
int roster_mobile_start(struct db *db, const struct actor *a, json_t *in, int64_t *id, struct dj_error *err);
int roster_mobile_end(struct db *db, const struct actor *a, int64_t id, json_t *in, struct dj_error *err);
int roster_mobile_report(struct db *db, const struct actor *a, int64_t id, json_t *in, int64_t *rid,
			 struct dj_error *err);
json_t *roster_mobile_get(struct db *db, const struct actor *a, int64_t id, struct dj_error *err);
json_t *roster_mobile_list(struct db *db, const struct actor *a, int64_t org, bool all, int page, int size,
			   struct dj_error *err);
/* *yes: is `member_id` hosted by `org_id` on `date` (an active hosting
 * record)?  The one scope exception of organizational life. */
int member_hosted_at(struct db *db, int64_t member_id, int64_t org_id, const char *date, bool *yes,
		     struct dj_error *err);
/* The members hosted by `org_id` on `date`: [{id, org_id (home)}]. */
json_t *member_hosted_roster(struct db *db, int64_t org_id, const char *date, struct dj_error *err);

/* Ends (member_end.c): {reason, on_date, note, doc_no?}.  The member leaves
 * the roster (active = 0) from that date; nothing is deleted.  reason
 * probation_cancelled (取消预备党员资格): a 预备党员 without a live pipeline
 * record, by the 上级党委 (403 otherwise), doc_no required; not_admitted
 * and transfer_out are refused (the pipeline's, a transfer's). */
int roster_end(struct db *db, const struct actor *a, int64_t member_id, json_t *in, int64_t *id, struct dj_error *err);
/* The same inside the caller's transaction (a transfer out ends with it),
 * with its own audit record (member.end); with `fold`, none: *fold gets
 * the end ({id, member_id, reason, on_date, note, doc_no?}) for the
 * caller's one record of the write (a letter out: member.transfer_start's
 * after.member_end; a cancellation in the pipeline: develop.cancel's).  A live development record of the
 * member stops with it (develop_member_ended), but for not_admitted and
 * probation_cancelled, which the pipeline itself decides. */
int roster_end_tx(struct db *db, const struct actor *a, int64_t member_id, const char *reason, const char *on_date,
		  const char *note, const char *doc_no, int64_t transfer_id, int64_t *id, json_t **fold,
		  struct dj_error *err);
json_t *roster_end_list(struct db *db, const struct actor *a, int64_t org, int64_t member, const char *reason,
			int page, int size, struct dj_error *err);
int roster_end_attach(struct db *db, const struct actor *a, int64_t id, const char *filename, const void *data,
		      size_t len, int64_t *att_id, struct dj_error *err);
int roster_end_attachment_scope(struct db *db, const struct actor *a, const char *entity, int64_t entity_id,
				bool write, struct dj_error *err);
const char *roster_end_label(const char *reason);	/* 死亡 …; NULL if unknown */

/* Findings, 待办, generator (member_roster_rules.c, member_roster_gen.c). */
int roster_findings(struct db *db, const struct actor *a, int64_t root, const char *today, const char *rule,
		    json_t *out, struct dj_error *err);
int roster_todos(struct db *db, const struct actor *a, const char *today, json_t *out, struct dj_error *err);
int roster_generate(struct gen *g, struct dj_error *err);
/* The hosted members' attendance at their host orgs' meetings (*n rows
 * added); the life module's generator step calls it once the meetings exist. */
int roster_generate_host_life(struct gen *g, int64_t *n, struct dj_error *err);

/* The member module's schema steps (member_roster_schema.c). */
extern const char *const member_migrations[];

#endif
