/* org_term.c — elections and appointments: terms of office and officers. */
#include "org/org_internal.h"

#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/date.h"
#include "core/mem.h"
#include "core/valid.h"
#include "core/setting.h"
#include "db/db.h"

static const char *const posts[] = {"secretary", "deputy_secretary", "organization", "propaganda", "discipline",
				    "member", NULL};

/* Validate the officers; fill names from member records.  Returns a new array. */
static json_t *check_officers(struct db *db, int64_t org_id, json_t *list, struct dj_error *err)
{
	if (!json_is_array(list) || json_array_size(list) == 0) {
		dj_fail(err, DJ_EINVAL, "officers", "请至少填写一名班子成员（书记）");
		return NULL;
	}
	if (json_array_size(list) > 15) {
		dj_fail(err, DJ_EINVAL, "officers", "班子成员不能超过15人");
		return NULL;
	}
	json_t *out = json_array();
	int secretaries = 0;
	size_t i;
	json_t *o;
	json_array_foreach(list, i, o) {
		const char *name, *post;
		int64_t mid;
		char field[64];
		snprintf(field, sizeof field, "officers[%zu]", i);
		if (!json_is_object(o) || v_enum(o, "post", "职务", posts, true, &post, err) ||
		    v_id(o, "member_id", "党员", false, &mid, err) || v_str(o, "name", "姓名", 30, false, &name, err)) {
			if (!json_is_object(o))
				dj_fail(err, DJ_EINVAL, field, "班子成员格式错误");
			else {
				char inner[64];
				memcpy(inner, err->field, sizeof inner);
				snprintf(err->field, sizeof err->field, "%.20s.%.40s", field, inner);
			}
			json_decref(out);
			return NULL;
		}
		char *mname = NULL;
		int rc = mid ? db_text1(db, &mname, "SELECT name FROM member WHERE id = ? AND org_id = ? AND active = 1",
					DB_ARGS(DB_I(mid), DB_I(org_id)), err)
			     : 0;
		if (rc) {
			if (rc == DJ_ENOTFOUND)
				dj_fail(err, DJ_EINVAL, field, "班子成员须是本组织的党员");
			json_decref(out);
			return NULL;
		}
		if (!mid && !name) {
			dj_fail(err, DJ_EINVAL, field, "请选择党员或填写姓名");
			json_decref(out);
			return NULL;
		}
		if (strcmp(post, "secretary") == 0)
			secretaries++;
		json_array_append_new(out, json_pack("{s:o, s:s, s:s}", "member_id",
						     mid ? json_integer(mid) : json_null(), "name", mname ? mname : name,
						     "post", post));
		free(mname);
	}
	if (secretaries != 1) {
		json_decref(out);
		dj_fail(err, DJ_EINVAL, "officers", "班子中应有且只有一名书记");
		return NULL;
	}
	return out;
}

int org_election(struct db *db, const struct actor *a, int64_t id, json_t *in, int64_t *term_id,
		 struct dj_error *err)
{
	static const char *const hows[] = {"elected", "appointed", NULL};
	const char *elected_on, *how;
	int64_t years, voters, present;
	int rc;
	if (!json_is_object(in))
		return dj_fail(err, DJ_EINVAL, "", "请求体应为 JSON 对象");
	if ((rc = scope_can_manage(a, err)) || (rc = scope_org(db, a, id, err)))
		return rc;
	json_t *org = db_row(db, "SELECT kind, status FROM org WHERE id = ?", DB_ARGS(DB_I(id)), err);
	if (!org)
		return err->code;
	const struct org_kind_info *k = org_kind_info(org_kind_parse(json_string_value(json_object_get(org, "kind"))));
	bool active = org_row_status(org) == ORG_ACTIVE;
	json_decref(org);
	if (!active)
		return dj_fail(err, DJ_ECONFLICT, "id", "该党组织已撤销或撤并");
	if (!k)
		return dj_fail(err, DJ_EINVAL, "id", "党组织类别无效");
	int64_t def_years = 3;
	if ((k->term_setting && (rc = setting_get_int(db, k->term_setting, 3, &def_years, err))) ||
	    (rc = v_date(in, "elected_on", "选举（任命）日期", true, true, &elected_on, err)) ||
	    (rc = v_enum(in, "how", "产生方式", hows, false, &how, err)) ||
	    (rc = v_int(in, "term_years", "任期（年）", 1, 10, def_years, &years, err)) ||
	    (rc = v_int(in, "voters", "应到会人数", 0, 100000, 0, &voters, err)) ||
	    (rc = v_int(in, "present", "实到会人数", 0, 100000, 0, &present, err)))
		return rc;
	if (!how)
		how = k->elects ? "elected" : "appointed";
	if (strcmp(how, "elected") == 0 && !k->elects)
		return dj_fail(err, DJ_EINVAL, "how", "%s的班子由上级任命，不进行选举", k->label);
	if (strcmp(how, "elected") == 0) {
		if (present > voters)
			return dj_fail(err, DJ_EINVAL, "present", "实到会人数不能多于应到会人数");
		/* Election quorum: at least four fifths of those with a vote present. */
		if (voters > 0 && present * 5 < voters * 4)
			return dj_fail(err, DJ_EINVAL, "present", "到会人数不足应到会人数的五分之四，选举无效");
	}
	char *last = NULL;
	if ((rc = db_text1(db, &last, "SELECT max(elected_on) FROM org_term WHERE org_id = ?", DB_ARGS(DB_I(id)), err)))
		return rc;
	bool older = last && strcmp(elected_on, last) <= 0;
	if (older) {
		dj_fail(err, DJ_EINVAL, "elected_on", "选举（任命）日期应晚于本届班子产生日期（%s）", last);
		free(last);
		return DJ_EINVAL;
	}
	free(last);
	json_t *officers = check_officers(db, id, json_object_get(in, "officers"), err);
	if (!officers)
		return err->code;
	char ends[11], now[21];
	date_add(ends, elected_on, (int)years, 0, 0);
	date_now_iso(now);
	if ((rc = db_begin(db, err))) {
		json_decref(officers);
		return rc;
	}
	rc = db_int1(db, term_id, "INSERT INTO org_term(org_id, elected_on, term_years, ends_on, how, created_at)"
				  " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
		     DB_ARGS(DB_I(id), DB_T(elected_on), DB_I(years), DB_T(ends), DB_T(how), DB_T(now)), err);
	size_t i;
	json_t *o;
	json_array_foreach(officers, i, o) {
		if (rc)
			break;
		json_t *mid = json_object_get(o, "member_id");
		rc = db_run(db, "INSERT INTO org_officer(term_id, member_id, name, post) VALUES (?, ?, ?, ?)",
			    DB_ARGS(DB_I(*term_id), json_is_integer(mid) ? DB_I(json_integer_value(mid)) : DB_NULL,
				    DB_T(json_string_value(json_object_get(o, "name"))),
				    DB_T(json_string_value(json_object_get(o, "post")))), err);
	}
	json_t *after = json_pack("{s:I, s:s, s:I, s:s, s:s, s:O}", "term_id", (json_int_t)*term_id, "elected_on",
				  elected_on, "term_years", (json_int_t)years, "ends_on", ends, "how", how, "officers",
				  officers);
	if (!rc)
		rc = org_event_add(db, a, id, strcmp(how, "elected") == 0 ? "election" : "appointment", elected_on,
				   json_deep_copy(after), err);
	if (!rc)
		rc = audit_write(db, a, "org.election", "org", id, NULL, after, err);
	json_decref(after);
	json_decref(officers);
	return db_end(db, rc, err);
}
