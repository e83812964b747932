/* develop.h — 发展党员: the 25 steps of 《中国共产党发展党员工作细则》 in five
 * stages, for people who are not members yet (their own record, personal
 * data sealed as members' are), with the time limits of the rules
 * (settings develop.*).  At step 15 the person becomes a 预备党员 of the
 * branch and at step 24 a 正式党员: the member record is made and changed
 * here through the member module, never typed twice. */
#ifndef DJ_DEVELOP_H
#define DJ_DEVELOP_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "user/actor.h"

struct db;

enum develop_owner {
	DEVELOP_BRANCH = 1,	/* the person's branch */
	DEVELOP_UPPER,		/* the nearest 党委 above (党总支 where allowed) */
	DEVELOP_UPPER2,		/* the 党委 above that one (step 18) */
};

struct develop_step_info {
	int n;			/* 1–25 */
	int stage;		/* 1–5 */
	const char *label;	/* 递交入党申请书 … */
	enum develop_owner owner;
	bool general_branch_may;	/* a 党总支 may act for the 上级党委 */
	bool repeat;		/* 培养教育考察 and 继续教育考察 recur */
};

#define DEVELOP_STEPS 25
#define DEVELOP_STAGES 5
const struct develop_step_info *develop_step_info(int n);	/* NULL outside 1–25 */
const char *develop_stage_label(int stage);	/* 入党申请人 … */
/* The stage a person stands in after `done` steps in order (the stage of
 * the last one done: an activist assessed stays an activist until step 7;
 * 6 once all 25 are done). */
int develop_stage_of(int done);
/* Where a person stands (develop_person.status; develop_steps.c holds the
 * identifiers stored in SQL and sent in JSON, and their labels). */
enum develop_status {
	DEVELOP_STATUS_NONE = 0,	/* unknown (or NULL) */
	DEVELOP_APPLICANT,		/* 入党申请人 */
	DEVELOP_ACTIVIST,		/* 入党积极分子 */
	DEVELOP_CANDIDATE,		/* 发展对象 */
	DEVELOP_PROBATIONARY,		/* 预备党员 */
	DEVELOP_FULL,			/* 正式党员 */
	DEVELOP_STOPPED,		/* 已终止 */
};
enum develop_status develop_status_parse(const char *s);
const char *develop_status_label(const char *status);	/* 入党积极分子 …; "" if unknown */
json_t *develop_steps_json(void);

/* The time limits (settings develop.*), read once per call. */
struct develop_rules {
	int64_t min_age, talk_months, assess_months, activist_min_months, training_days, training_hours;
	int64_t approval_months, approval_max_months, probation_months, extension_min_months, extension_max_months;
	int64_t conversion_days;
};
int develop_rules_load(struct db *db, struct develop_rules *r, struct dj_error *err);

/* The next deadline of a person whose last step in order is `done`, given
 * the dates of their record (JSON row of develop_person) and the newest
 * assessment; due_step 0 when nothing is time-limited now. */
void develop_due(const struct develop_rules *r, json_t *person, const char *last_assess, int *due_step,
		 char due_on[11]);

/* A new person in the pipeline with step 1 (递交入党申请书) done:
 * {org_id, name, gender?, ethnicity?, birth_date?, id_card?, phone?,
 *  education?, position?, applied_on, by?, note?}. */
int develop_create(struct db *db, const struct actor *a, json_t *in, int64_t *id, struct dj_error *err);
/* The same inside the caller's transaction, without audit (imports). */
int develop_insert(struct db *db, const struct actor *a, json_t *in, int64_t *id, struct dj_error *err);
/* Record one step: {step, on_date, by?, note?, …its facts}.  *step_id set. */
int develop_step_add(struct db *db, const struct actor *a, int64_t id, json_t *in, int64_t *step_id,
		     struct dj_error *err);
/* The same inside the caller's transaction (imports, the generator): no
 * audit and no check of the actor's role. */
int develop_step_apply(struct db *db, const struct actor *a, int64_t id, json_t *in, int64_t *step_id,
		       struct dj_error *err);

/* 终止发展: {on_date, reason: withdrawn|unfit|not_approved|other, note?
 * (required for other)} of a person not yet admitted (develop_stop.c). */
int develop_stop(struct db *db, const struct actor *a, int64_t id, json_t *in, struct dj_error *err);
/* 本人撤回入党申请 …; a member end's reason (develop_member_ended) has
 * the end's label (死亡 …). */
const char *develop_stop_label(const char *reason);
/* 取消预备党员资格, decided by the 上级党委: {on_date, doc_no, note,
 * meeting_on?, entitled?, present?, written?, in_favour?}.  Before step 17
 * the admission is not approved; after it, until the conversion is
 * approved (step 24), the general meeting's resolution comes first: the
 * conversion meeting's (step 23, decision cancel) or one of its own during
 * the probation (meeting_on and its vote, required then and checked as
 * steps 15 and 23 are: a vote that did not pass is refused).  The member
 * record ends (member_end: not_admitted | probation_cancelled), the person
 * leaves the pipeline as a stop does (stop_reason the same code).  One
 * audit record, develop.cancel, whose after.member_end is the end event.
 * A 正式党员 or someone not admitted: 409. */
int develop_cancel(struct db *db, const struct actor *a, int64_t id, json_t *in, struct dj_error *err);
/* The same inside the caller's transaction (the generator): no audit
 * record at all (neither develop.cancel nor the member's end) and no check
 * of the actor's role. */
int develop_cancel_apply(struct db *db, const struct actor *a, int64_t id, json_t *in, struct dj_error *err);
/* Inside the member module's end of a membership (member_end.c: 死亡,
 * 出党, 停止党籍, 转出 …, not the pipeline's own not_admitted and
 * probation_cancelled): the member's live development record (a 预备党员,
 * or a 正式党员 before 材料归档) stops on `on_date` with stop_reason the
 * end's reason (its label on the timeline, develop_stop_label) and its
 * note; an end dated before the record's last step is refused (400).  No
 * record: nothing. */
int develop_member_ended(struct db *db, const struct actor *a, int64_t member_id, const char *reason,
			 const char *on_date, const char *note, struct dj_error *err);
/* Inside the member module's inside transfer (组织关系转接 in the
 * platform, member_transfer.c, member.c): the member's records still in the
 * pipeline move to `to_org` in the caller's transaction, their ids appended
 * to `moved` (for the transfer's one audit record); with `moved` NULL only
 * the check (when the transfer starts): a 临时党支部 or an org that is no
 * branch cannot take them (400 on to_org_id).  No record: 0. */
int develop_member_moved(struct db *db, int64_t member_id, int64_t to_org, json_t *moved, struct dj_error *err);
/* 重新申请 after a stop: {applied_on, org_id?, by?, note?} makes a new record
 * at step 1 (*new_id) linked to the stopped one.  A record stopped by the
 * member's end (转出 …) instead goes on, the same record (*new_id = id;
 * 继续发展, audit develop.continue), once the member is back on the roster
 * (409 before), by the 上级党委 (403 to the branch), in the branch where the
 * member now is; the stop stays on it and resumed_on (the day they came
 * back) ends the gap the figures leave out. */
int develop_resume(struct db *db, const struct actor *a, int64_t id, json_t *in, int64_t *new_id,
		   struct dj_error *err);
/* The whole 身份证号 or phone ({field}) of a person, audited. */
json_t *develop_reveal(struct db *db, const struct actor *a, int64_t id, const char *field, struct dj_error *err);

/* One person with personal data masked, their timeline and what is due. */
json_t *develop_get(struct db *db, const struct actor *a, int64_t id, struct dj_error *err);
/* The board of a subtree by stage: counts and the first `size` of each. */
json_t *develop_board(struct db *db, const struct actor *a, int64_t org, int size, struct dj_error *err);
/* What falls due in `month` (YYYY-MM) or is already overdue by `today`. */
json_t *develop_due_list(struct db *db, const struct actor *a, int64_t org, const char *month, struct dj_error *err);
struct develop_filter {
	int64_t org;
	int64_t member;		/* the records that made this member (0: any) */
	const char *status, *q;
	int page, size;
};
json_t *develop_list(struct db *db, const struct actor *a, const struct develop_filter *f, struct dj_error *err);
/* Upload a document to a step. */
int develop_attach(struct db *db, const struct actor *a, int64_t step_id, const char *filename, const void *data,
		   size_t len, int64_t *att, struct dj_error *err);
int develop_attachment_scope(struct db *db, const struct actor *a, const char *entity, int64_t entity_id, bool write,
			     struct dj_error *err);
/* 0 if the person is in the actor's scope (404 otherwise); *org their org. */
int develop_scope(struct db *db, const struct actor *a, int64_t id, int64_t *org, struct dj_error *err);
/* develop_scope, and also a record stopped by the member's end whose member
 * is back on the roster in the actor's scope (to open it and 继续发展). */
int develop_scope_back(struct db *db, const struct actor *a, int64_t id, int64_t *org, struct dj_error *err);

/* Findings and 待办 (develop_todos.c). */
int develop_findings(struct db *db, const struct actor *a, int64_t root, const char *today, const char *rule,
		     json_t *out, struct dj_error *err);
int develop_todos(struct db *db, const struct actor *a, const char *today, json_t *out, struct dj_error *err);

/* Import (CSV/XLSX/XLS) into `org`'s subtree, all or nothing; export to XLSX. */
json_t *develop_import(struct db *db, const struct actor *a, int64_t org, const void *data, size_t len, bool dry_run,
		       struct dj_error *err);
int develop_export(struct db *db, const struct actor *a, int64_t org, char **out, size_t *len, struct dj_error *err);

#endif
