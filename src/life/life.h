/* life.h — organizational life (组织生活): 三会一课, 主题党日, 组织生活会,
 * 民主评议, 谈心谈话, 党组会议 and study, recorded once as activities with
 * attendance; QR sign-in; monthly study plans; and the rules that say which
 * organizations are behind.
 *
 * Every count here (场次, 人次, attendance rate, missing meetings) is
 * derived from the activity and attendance records, never typed in, and
 * every number can list the records behind it. */
#ifndef DJ_LIFE_H
#define DJ_LIFE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "user/actor.h"

struct buf;

struct db;

/* An activity's status and an attendance row's (life_state.c holds the
 * identifiers stored in SQL and sent in JSON).  Activity kinds are not an
 * enum: they are a dictionary administrators extend (life_kinds). */
enum activity_status {
	ACTIVITY_STATUS_NONE = 0,	/* unknown (or NULL) */
	ACTIVITY_PLANNED,		/* 计划 */
	ACTIVITY_HELD,			/* 已举行 */
	ACTIVITY_CANCELLED,		/* 已取消 */
};
enum activity_status activity_status_parse(const char *s);
enum attendance_status {
	ATTEND_STATUS_NONE = 0,		/* unknown (or NULL) */
	ATTEND_PRESENT,			/* 出席 */
	ATTEND_LEAVE,			/* 请假 */
	ATTEND_ABSENT,			/* 缺席 */
};
enum attendance_status attendance_status_parse(const char *s);

/* The dictionary of activity kinds (admins may add kinds). */
json_t *life_kinds(struct db *db, struct dj_error *err);
int life_kind_add(struct db *db, const struct actor *a, json_t *in, struct dj_error *err);

/* Activities (activity.c).  Input:
 * {org_id, org_ids?, kind, status: planned|held, on_date, start_time?, end_time?, place?, topic,
 *  host?, host_member_id?, recorder?, recorder_member_id?, speaker?, speaker_member_id?, minutes?,
 *  agenda?: [{title, first_topic, party_topic}], attendance?: [{member_id, status, reason?, dual?}],
 *  guests?: [{name, note?}]} */
int life_activity_create(struct db *db, const struct actor *a, json_t *in, int64_t *id, struct dj_error *err);
int life_activity_update(struct db *db, const struct actor *a, int64_t id, json_t *in, struct dj_error *err);
int life_activity_cancel(struct db *db, const struct actor *a, int64_t id, struct dj_error *err);
/* Inside a write's transaction: name the activity's orgs to the read cache. */
int life_touch_activity(struct db *db, int64_t id, struct dj_error *err);
json_t *life_activity_get(struct db *db, const struct actor *a, int64_t id, struct dj_error *err);

struct life_filter {
	int64_t org;		/* 0: the actor's scope */
	bool subtree;		/* the org and everything below it, not only its own */
	const char *from, *to;	/* dates, inclusive */
	const char *kind, *status;
	int page, size;
};
json_t *life_activity_list(struct db *db, const struct actor *a, const struct life_filter *f, struct dj_error *err);

/* Attendance corrections by the secretary: {attendance: [...], guests?: [...]}. */
int life_attendance_set(struct db *db, const struct actor *a, int64_t id, json_t *in, struct dj_error *err);
/* 我的组织生活: the actor's own activities and counts for a year. */
json_t *life_mine(struct db *db, const struct actor *a, int year, struct dj_error *err);

/* Attachments of an activity (photos, files). */
int life_attach(struct db *db, const struct actor *a, int64_t id, const char *filename, const void *data,
		size_t len, int64_t *att_id, struct dj_error *err);
/* May the actor read (write = false) or remove (true) this attachment? */
int life_attachment_scope(struct db *db, const struct actor *a, const char *entity, int64_t entity_id, bool write,
			  struct dj_error *err);

/* QR sign-in (signin.c). */
json_t *life_signin_open(struct db *db, const struct actor *a, int64_t id, int minutes, struct dj_error *err);
int life_signin_close(struct db *db, const struct actor *a, int64_t id, struct dj_error *err);
/* The QR code of the sign-in link as SVG; `base` is "http://host". */
char *life_signin_qr(struct db *db, const struct actor *a, int64_t id, const char *base, struct dj_error *err);
json_t *life_signin_info(struct db *db, const struct actor *a, int64_t id, struct dj_error *err);
int life_signin(struct db *db, const struct actor *a, int64_t id, const char *token, struct dj_error *err);

/* Rules and compliance (compliance.c).  Months are "YYYY-MM". */
json_t *life_rules(struct db *db, struct dj_error *err);
int life_rules_set(struct db *db, const struct actor *a, json_t *in, struct dj_error *err);
/* The grid as JSON text appended to `out`:
 * {org_id, months, rows: [{org_id, org_name, kind, cells: [{state, missing}], missing}], totals}. */
int life_compliance(struct db *db, const struct actor *a, int64_t org, const char *from, const char *to,
		    struct buf *out, struct dj_error *err);
json_t *life_cell(struct db *db, const struct actor *a, int64_t org, const char *month, struct dj_error *err);
json_t *life_pending(struct db *db, const struct actor *a, int64_t org, struct dj_error *err);
json_t *life_absentees(struct db *db, const struct actor *a, int64_t org, struct dj_error *err);
json_t *life_summary(struct db *db, const struct actor *a, int64_t org, struct dj_error *err);
/* Findings for `check`: every rule unmet in the subtree for one month. */
json_t *life_findings(struct db *db, const struct actor *a, int64_t org, const char *month, struct dj_error *err);

/* Study plans (study.c): {org_id, month, title, note?, items: [{week, title, kind, url?, note?}]}. */
int life_study_create(struct db *db, const struct actor *a, json_t *in, int64_t *id, struct dj_error *err);
int life_study_update(struct db *db, const struct actor *a, int64_t id, json_t *in, struct dj_error *err);
json_t *life_study_get(struct db *db, const struct actor *a, int64_t id, struct dj_error *err);
json_t *life_study_list(struct db *db, const struct actor *a, int64_t org, const char *month, struct dj_error *err);
json_t *life_study_progress(struct db *db, const struct actor *a, int64_t id, struct dj_error *err);
int life_study_done(struct db *db, const struct actor *a, int64_t item, bool done, struct dj_error *err);

#endif
