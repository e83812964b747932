/* develop_query.c — the views: a person with their timeline, the board of a
 * subtree by stage, what falls due in a month, and the list. */
#include "develop/develop_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attach/attach.h"
#include "core/date.h"
#include "db/db.h"
#include "org/org.h"

#define S(r, k) json_string_value(json_object_get(r, k))
#define I(r, k) json_integer_value(json_object_get(r, k))

/* The root of a view: the actor's own, or an org inside it. */
static int view_root(struct db *db, const struct actor *a, int64_t org, int64_t *root, struct dj_error *err)
{
	if (a->role == ROLE_MEMBER)
		return dj_fail(err, DJ_EFORBIDDEN, "", "党员账号不能查看发展党员工作");
	if (!org)
		return scope_root_of(db, a, root, err);
	*root = org;
	return scope_org(db, a, org, err);
}

/* Labels a view shows next to the codes. */
static void develop_label(json_t *p, const char *today)
{
	int done = (int)I(p, "step");
	int stage = develop_stage_of(done);
	const char *status = S(p, "status");
	if (develop_status_parse(status) == DEVELOP_STOPPED)
		stage = 0;
	json_object_set_new(p, "stage", json_integer(stage));
	json_object_set_new(p, "stage_label", json_string(stage ? develop_stage_label(stage) : "已终止"));
	json_object_set_new(p, "status_label", json_string(develop_status_label(status)));
	const struct develop_step_info *next = stage && done < DEVELOP_STEPS ? develop_step_info(done + 1) : NULL;
	json_object_set_new(p, "next_step", next ? json_integer(next->n) : json_null());
	json_object_set_new(p, "next_label", next ? json_string(next->label) : json_null());
	const struct develop_step_info *due = develop_step_info((int)I(p, "due_step"));
	json_object_set_new(p, "due_label", due ? json_string(due->label) : json_null());
	const char *d = S(p, "due_on");
	json_object_set_new(p, "overdue", json_boolean(d && strcmp(d, today) < 0));
	if (json_object_get(p, "stop_reason"))
		json_object_set_new(p, "stop_label", json_string(develop_stop_label(S(p, "stop_reason"))));
}

json_t *develop_get(struct db *db, const struct actor *a, int64_t id, struct dj_error *err)
{
	int64_t org;
	if (develop_scope_back(db, a, id, &org, err))
		return NULL;
	json_t *p = develop_masked(db, id, err);
	if (!p)
		return NULL;
	json_t *o = db_row(db, "SELECT name FROM org WHERE id = ?", DB_ARGS(DB_I(org)), err);
	json_t *steps = o ? db_rows(db, "SELECT s.id, s.step, s.on_date, s.by_name, s.passed, s.decision, s.facts, s.note,"
					 " s.late, s.due_on, s.created_at, u.display_name AS recorded_by"
					 " FROM develop_step s LEFT JOIN app_user u ON u.id = s.user_id"
					 " WHERE s.person_id = ? ORDER BY s.on_date, s.id", DB_ARGS(DB_I(id)), err)
			  : NULL;
	if (!steps) {
		json_decref(o);
		json_decref(p);
		return NULL;
	}
	size_t i;
	json_t *s;
	json_array_foreach(steps, i, s) {
		const struct develop_step_info *info = develop_step_info((int)I(s, "step"));
		db_json_text(s, "facts", json_object());
		json_object_set_new(s, "label", json_string(info ? info->label : ""));
		json_object_set_new(s, "stage", json_integer(info ? info->stage : 0));
		json_t *files = attach_files(db, "develop_step", I(s, "id"), err);
		if (!files) {
			json_decref(steps);
			json_decref(o);
			json_decref(p);
			return NULL;
		}
		json_object_set_new(s, "files", files);
	}
	develop_label(p, a->today);
	/* Stopped by the member's end and they are back on the roster: not
	 * stuck — the 上级党委 may go on with it (继续发展, develop_stop.c). */
	char back[11] = "";
	bool may = false;
	if (develop_status_parse(S(p, "status")) == DEVELOP_STOPPED && develop_stopped_by_end(S(p, "stop_reason")) &&
	    !I(p, "next_id") && (develop_back_on(db, p, back, err) || (back[0] && develop_may_continue(db, a, p, &may, err)))) {
		json_decref(steps);
		json_decref(o);
		json_decref(p);
		return NULL;
	}
	json_object_set_new(p, "member_back_on", back[0] ? json_string(back) : json_null());
	json_object_set_new(p, "can_continue", json_boolean(may));
	/* The gaps gone on from (继续发展), oldest first: the record's history. */
	json_t *gaps = db_rows(db, "SELECT stopped_on, stop_reason, stop_note, resumed_on FROM develop_gap"
				   " WHERE person_id = ? ORDER BY stopped_on, id", DB_ARGS(DB_I(id)), err);
	if (!gaps) {
		json_decref(steps);
		json_decref(o);
		json_decref(p);
		return NULL;
	}
	json_array_foreach(gaps, i, s)
		json_object_set_new(s, "stop_label", json_string(develop_stop_label(S(s, "stop_reason"))));
	json_object_set_new(p, "gaps", gaps);
	json_object_set(p, "org_name", json_object_get(o, "name"));
	json_object_set_new(p, "steps", steps);
	json_decref(o);
	return p;
}

json_t *develop_board(struct db *db, const struct actor *a, int64_t org, int size, struct dj_error *err)
{
	int64_t root;
	if (view_root(db, a, org, &root, err))
		return NULL;
	/* People still in the pipeline (step 25 closes it) of the subtree. */
	char sql[1024];
	snprintf(sql, sizeof sql,
		 "SELECT p.id, p.name, p.org_id, o.name AS org_name, p.status, p.step, p.due_step, p.due_on,"
		 " p.applied_on, p.probation_end FROM develop_person p JOIN org o ON o.id = p.org_id"
		 " WHERE p.org_id IN %s AND p.step < 25 AND p.status <> 'stopped' ORDER BY p.step DESC, p.name_key, p.id",
		 org_subtree_sql());
	struct db_stmt *st = db_query(db, sql, DB_ARGS(DB_I(root)), err);
	if (!st)
		return NULL;
	json_t *stages = json_array();
	json_int_t count[DEVELOP_STAGES + 1] = {0}, overdue[DEVELOP_STAGES + 1] = {0};
	json_t *items[DEVELOP_STAGES + 1];
	for (int s = 1; s <= DEVELOP_STAGES; s++)
		items[s] = json_array();
	int rc;
	while ((rc = db_next(st)) > 0) {
		int stage = develop_stage_of((int)db_int(st, 5));
		if (stage < 1 || stage > DEVELOP_STAGES)
			continue;
		bool late = !db_isnull(st, 7) && strcmp(db_text(st, 7), a->today) < 0;
		count[stage]++;
		overdue[stage] += late;
		if ((int)json_array_size(items[stage]) >= size)
			continue;
		json_t *p = json_object();
		for (int c = 0; c < db_ncols(st); c++)
			json_object_set_new(p, db_colname(st, c), db_json(st, c));
		develop_label(p, a->today);
		json_array_append_new(items[stage], p);
	}
	db_done(st);
	if (rc < 0) {
		for (int s = 1; s <= DEVELOP_STAGES; s++)
			json_decref(items[s]);
		json_decref(stages);
		return NULL;
	}
	for (int s = 1; s <= DEVELOP_STAGES; s++)
		json_array_append_new(stages, json_pack("{s:i, s:s, s:I, s:I, s:o}", "stage", s, "label",
							develop_stage_label(s), "count", count[s], "overdue",
							overdue[s], "items", items[s]));
	return json_pack("{s:I, s:o}", "org", (json_int_t)root, "stages", stages);
}

json_t *develop_due_list(struct db *db, const struct actor *a, int64_t org, const char *month, struct dj_error *err)
{
	int64_t root;
	if (view_root(db, a, org, &root, err))
		return NULL;
	char m[8], first[11], last[11];
	snprintf(m, sizeof m, "%.7s", month && *month ? month : a->today);
	int y, mo;
	if (!date_month_parse(m, &y, &mo)) {
		dj_fail(err, DJ_EINVAL, "month", "month 应为 YYYY-MM");
		return NULL;
	}
	date_format(first, y, mo, 1);
	date_add(last, first, 0, 1, -1);
	char sql[1024];
	snprintf(sql, sizeof sql,
		 "SELECT p.id, p.name, p.org_id, o.name AS org_name, p.status, p.step, p.due_step, p.due_on"
		 " FROM develop_person p JOIN org o ON o.id = p.org_id WHERE p.org_id IN %s AND p.due_on <= ?2"
		 " AND p.status <> 'stopped' ORDER BY p.due_on, p.id", org_subtree_sql());
	json_t *rows = db_rows(db, sql, DB_ARGS(DB_I(root), DB_T(last)), err);
	if (!rows)
		return NULL;
	size_t i;
	json_t *p;
	json_array_foreach(rows, i, p)
		develop_label(p, a->today);
	return json_pack("{s:s, s:s, s:s, s:o}", "month", m, "from", first, "to", last, "items", rows);
}

json_t *develop_list(struct db *db, const struct actor *a, const struct develop_filter *f, struct dj_error *err)
{
	int64_t root;
	if (view_root(db, a, f->org, &root, err))
		return NULL;
	struct db_where w = {0};
	db_where_add(&w, ORG_IN_SUBTREE("p.org_id", "?"), DB_ARGS(DB_I(root)));
	if (f->status)
		db_where_add(&w, "p.status = ?", DB_ARGS(DB_T(f->status)));
	if (f->member)
		db_where_add(&w, "p.member_id = ?", DB_ARGS(DB_I(f->member)));
	char *like = db_like_pattern(f->q);
	if (like)
		db_where_add(&w, "p.name LIKE ? ESCAPE '\\'", DB_ARGS(DB_T(like)));
	char sql[1024];
	int64_t total = 0;
	snprintf(sql, sizeof sql, "SELECT count(*) FROM develop_person p%s", db_where_sql(&w));
	json_t *rows = NULL;
	if (!db_int1(db, &total, sql, w.n, w.args, err)) {
		snprintf(sql, sizeof sql,
			 "SELECT p.id, p.name, p.org_id, o.name AS org_name, p.gender, p.birth_date, p.status, p.step,"
			 " p.applied_on, p.activist_on, p.candidate_on, p.admitted_on, p.full_on, p.probation_end, p.member_id,"
			 " p.due_step, p.due_on FROM develop_person p JOIN org o ON o.id = p.org_id%s"
			 " ORDER BY p.name_key, p.id LIMIT ? OFFSET ?", db_where_sql(&w));
		db_where_arg(&w, DB_I(f->size));
		db_where_arg(&w, DB_I((int64_t)(f->page - 1) * f->size));
		rows = db_rows(db, sql, w.n, w.args, err);
	}
	free(like);
	db_where_free(&w);
	if (!rows)
		return NULL;
	size_t i;
	json_t *p;
	json_array_foreach(rows, i, p)
		develop_label(p, a->today);
	return json_pack("{s:I, s:o}", "total", (json_int_t)total, "items", rows);
}
