/* develop_io.c — the pipeline from a spreadsheet (XLSX, XLS or CSV, the
 * national system's 发展党员 field names as synonyms) and to XLSX.
 *
 * An imported person's history arrives as milestones (申请入党, 确定为入党
 * 积极分子, 确定为发展对象, 接收为预备党员): each is recorded as its step,
 * marked imported, and the person stands after it; the steps between are
 * not invented.  Every row is checked against the same rules as a person
 * entered by hand; any row error refuses the whole file. */
#include "develop/develop_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/date.h"
#include "crypto/pii.h"
#include "db/db.h"
#include "io/table.h"
#include "io/xlsx_write.h"
#include "org/org.h"

#define S(r, k) json_string_value(json_object_get(r, k))
#define I(r, k) json_integer_value(json_object_get(r, k))

enum col { C_NAME, C_GENDER, C_ETHNICITY, C_BIRTH, C_ID_CARD, C_EDUCATION, C_PHONE, C_POSITION, C_ORG, C_APPLIED,
	   C_ACTIVIST, C_CANDIDATE, C_ADMITTED, C_FULL, C_N };

static const struct {
	const char *label;	/* the export's heading */
	const char *syn[6];	/* headings users meet, the label first */
} cols[C_N] = {
	{"姓名", {"姓名"}},
	{"性别", {"性别"}},
	{"民族", {"民族"}},
	{"出生日期", {"出生日期", "出生年月"}},
	{"公民身份号码", {"公民身份号码", "身份证号码", "身份证号"}},
	{"学历", {"学历", "文化程度"}},
	{"手机号码", {"手机号码", "联系电话", "联系方式"}},
	{"工作岗位", {"工作岗位", "职务"}},
	{"所在党支部", {"所在党支部", "所在党组织", "党组织名称", "所在党组织编码"}},
	{"申请入党日期", {"申请入党日期", "递交入党申请书日期", "申请入党时间", "入党申请日期", "递交入党申请书时间"}},
	{"确定为入党积极分子日期", {"确定为入党积极分子日期", "确定为入党积极分子时间", "列为入党积极分子日期",
				   "确定入党积极分子日期", "列为积极分子时间"}},
	{"确定为发展对象日期", {"确定为发展对象日期", "确定为发展对象时间", "列为发展对象日期", "确定发展对象日期"}},
	{"接收为预备党员日期", {"接收为预备党员日期", "入党日期", "入党时间", "支部大会通过日期", "加入党组织日期"}},
	{"转正日期", {"转正日期", "转正时间"}},
};

struct rows {
	json_t *rows;	/* [[row number, cells…]] */
};

static int collect(void *ud, int row, const char *const *cells, size_t n)
{
	struct rows *r = ud;
	json_t *a = json_array();
	json_array_append_new(a, json_integer(row));
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(cells[i]));
	json_array_append_new(r->rows, a);
	return json_array_size(r->rows) > 20000;	/* a pipeline file, not a census */
}

/* A heading without spaces, line breaks and a required-mark. */
static void norm(const char *in, char *out, size_t n)
{
	size_t k = 0;
	for (const char *p = in; *p && k + 1 < n; p++) {
		if (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t' || *p == '*')
			continue;
		if (strncmp(p, "\xe3\x80\x80", 3) == 0) {	/* ideographic space */
			p += 2;
			continue;
		}
		out[k++] = *p;
	}
	out[k] = 0;
}

static const char *cell(json_t *row, int idx)
{
	if (idx < 0)
		return NULL;
	const char *s = json_string_value(json_array_get(row, (size_t)idx + 1));
	return s && *s ? s : NULL;
}

static void row_error(json_t *errors, int row, const char *column, const char *msg)
{
	json_array_append_new(errors, json_pack("{s:i, s:s, s:s}", "row", row, "column", column, "message", msg));
}

/* The org of a row: the chosen one, or a code or name inside its subtree. */
static int row_org(struct db *db, int64_t root, const char *v, int64_t *org, char *msg, size_t n, struct dj_error *err)
{
	*org = root;
	if (!v)
		return 0;
	json_t *hits = db_rows(db, "SELECT o.id, o.code FROM org o " ORG_JOIN_UP("c", "o.id")
				   " WHERE c.ancestor = ? AND (o.code = ? OR o.name = ?) AND o.status = 'active' ORDER BY o.code",
			       DB_ARGS(DB_I(root), DB_T(v), DB_T(v)), err);
	if (!hits)
		return err->code;
	size_t k = json_array_size(hits);
	if (k == 1)
		*org = I(json_array_get(hits, 0), "id");
	else if (k == 0)
		snprintf(msg, n, "所选党组织下没有“%s”", v);
	else {
		size_t off = (size_t)snprintf(msg, n, "“%s”对应多个党组织，请填写编码：", v);
		for (size_t i = 0; i < k && off < n; i++)
			off += (size_t)snprintf(msg + off, n - off, "%s%s", i ? "、" : "", S(json_array_get(hits, i), "code"));
	}
	json_decref(hits);
	return 0;
}

/* A milestone step recorded as imported; the person stands after it. */
static int milestone(struct db *db, const struct actor *a, int64_t id, int step, const char *on, struct dj_error *err)
{
	char now[21];
	date_now_iso(now);
	return db_run(db, "INSERT INTO develop_step(person_id, step, on_date, by_name, passed, facts, note, late, user_id,"
			  " created_at) VALUES (?, ?, ?, NULL, 1, '{\"imported\":true}', '导入', 0, ?, ?)",
		      DB_ARGS(DB_I(id), DB_I(step), DB_T(on), a->user_id ? DB_I(a->user_id) : DB_NULL, DB_T(now)), err);
}

static int import_row(struct db *db, const struct actor *a, const struct develop_rules *r, int64_t root, json_t *row,
		      const int *map, json_t *errors, struct dj_error *err)
{
	int rn = (int)json_integer_value(json_array_get(row, 0));
	char dates[4][11] = {"", "", "", ""}, msg[300];
	const int dcols[4] = {C_APPLIED, C_ACTIVIST, C_CANDIDATE, C_ADMITTED};
	for (int i = 0; i < 4; i++) {
		const char *v = cell(row, map[dcols[i]]);
		if (v && !table_date_cell(v, dates[i])) {
			snprintf(msg, sizeof msg, "“%s”不是有效日期", v);
			row_error(errors, rn, cols[dcols[i]].label, msg);
			return 0;
		}
	}
	if (cell(row, map[C_FULL])) {
		row_error(errors, rn, cols[C_FULL].label, "已转正的党员请通过党员导入登记");
		return 0;
	}
	if (!dates[0][0]) {
		row_error(errors, rn, cols[C_APPLIED].label, "请填写申请入党日期");
		return 0;
	}
	for (int i = 1; i < 4; i++) {
		if (dates[i][0] && !dates[i - 1][0]) {
			snprintf(msg, sizeof msg, "填写了%s，也应填写%s", cols[dcols[i]].label, cols[dcols[i - 1]].label);
			row_error(errors, rn, cols[dcols[i - 1]].label, msg);
			return 0;
		}
		if (dates[i][0] && strcmp(dates[i], dates[i - 1]) < 0) {
			snprintf(msg, sizeof msg, "%s不能早于%s", cols[dcols[i]].label, cols[dcols[i - 1]].label);
			row_error(errors, rn, cols[dcols[i]].label, msg);
			return 0;
		}
		if (dates[i][0] && strcmp(dates[i], a->today) > 0) {
			row_error(errors, rn, cols[dcols[i]].label, "日期不能晚于今天");
			return 0;
		}
	}
	if (dates[2][0]) {
		char earliest[11];
		date_add(earliest, dates[1], 0, (int)r->activist_min_months, 0);
		if (strcmp(dates[2], earliest) < 0) {
			snprintf(msg, sizeof msg, "确定为入党积极分子%lld个月后方可确定为发展对象（最早%s）",
				 (long long)r->activist_min_months, earliest);
			row_error(errors, rn, cols[C_CANDIDATE].label, msg);
			return 0;
		}
	}
	int64_t org;
	msg[0] = 0;
	int rc = row_org(db, root, cell(row, map[C_ORG]), &org, msg, sizeof msg, err);
	if (rc)
		return rc;
	if (msg[0]) {
		row_error(errors, rn, cols[C_ORG].label, msg);
		return 0;
	}
	const char *g = cell(row, map[C_GENDER]);
	json_t *in = json_pack("{s:I, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s}", "org_id", (json_int_t)org,
			       "name", cell(row, map[C_NAME]), "gender",
			       !g ? NULL : strcmp(g, "男") == 0 ? "male" : strcmp(g, "女") == 0 ? "female" : g,
			       "ethnicity", cell(row, map[C_ETHNICITY]), "birth_date", NULL, "id_card",
			       cell(row, map[C_ID_CARD]), "education", cell(row, map[C_EDUCATION]), "phone",
			       cell(row, map[C_PHONE]), "position", cell(row, map[C_POSITION]), "applied_on", dates[0]);
	char birth[11];
	const char *b = cell(row, map[C_BIRTH]);
	if (b && table_date_cell(b, birth))
		json_object_set_new(in, "birth_date", json_string(birth));
	else if (b)
		json_object_set_new(in, "birth_date", json_string(b));
	int64_t id;
	struct dj_error e = {0};
	rc = develop_insert(db, a, in, &id, &e);
	json_decref(in);
	if (rc == DJ_EINVAL || rc == DJ_ECONFLICT || rc == DJ_EFORBIDDEN || rc == DJ_ENOTFOUND) {
		static const char *const field_col[][2] = {{"name", "姓名"}, {"gender", "性别"}, {"birth_date", "出生日期"},
							   {"id_card", "公民身份号码"}, {"phone", "手机号码"},
							   {"org_id", "所在党支部"}, {"applied_on", "申请入党日期"}};
		const char *colname = e.field;
		for (size_t i = 0; i < sizeof field_col / sizeof field_col[0]; i++)
			if (strcmp(field_col[i][0], e.field) == 0)
				colname = field_col[i][1];
		row_error(errors, rn, colname, e.msg);
		dj_error_clear(&e);
		return 0;
	}
	if (rc) {
		*err = e;
		return rc;
	}
	static const int steps[4] = {1, 3, 7, 15};
	static const char *const status[4] = {"applicant", "activist", "candidate", "probationary"};
	int last = 0;
	for (int i = 1; i < 4 && !rc; i++)
		if (dates[i][0]) {
			rc = milestone(db, a, id, steps[i], dates[i], err);
			last = i;
		}
	if (rc || !last)
		return rc;
	if (last == 3) {	/* 预备党员: the member record comes with them */
		json_t *p = develop_row(db, id, err);
		int64_t mid = 0;
		char end[11];
		date_add(end, dates[3], 0, (int)r->probation_months, 0);
		struct dj_error e2 = {0};
		rc = p ? develop_admit_member(db, p, id, dates[3], &mid, &e2) : err->code;
		json_decref(p);
		if (rc == DJ_EINVAL || rc == DJ_ECONFLICT) {
			row_error(errors, rn, cols[C_ADMITTED].label, e2.msg);
			dj_error_clear(&e2);
			return 0;
		}
		if (rc) {
			if (e2.code)
				*err = e2;
			return rc;
		}
		rc = db_run(db, "UPDATE develop_person SET admitted_on = ?, probation_end = ?, member_id = ? WHERE id = ?",
			    DB_ARGS(DB_T(dates[3]), DB_T(end), DB_I(mid), DB_I(id)), err);
	}
	if (!rc)
		rc = db_run(db, "UPDATE develop_person SET status = ?, step = ?, activist_on = ?, candidate_on = ? WHERE id = ?",
			    DB_ARGS(DB_T(status[last]), DB_I(steps[last]), DB_T(dates[1]), DB_T(dates[2]), DB_I(id)), err);
	if (!rc)
		rc = develop_refresh_due(db, r, id, err);
	return rc;
}

json_t *develop_import(struct db *db, const struct actor *a, int64_t org, const void *data, size_t len, bool dry_run,
		       struct dj_error *err)
{
	if (scope_can_manage(a, err))
		return NULL;
	if (!org) {
		dj_fail(err, DJ_EINVAL, "org", "请选择导入到的党组织");
		return NULL;
	}
	if (scope_org(db, a, org, err))
		return NULL;
	if (!data || !len) {
		dj_fail(err, DJ_EINVAL, "file", "请上传文件");
		return NULL;
	}
	struct rows rs = {.rows = json_array()};
	if (table_read(data, len, collect, &rs, err)) {
		json_decref(rs.rows);
		return NULL;
	}
	/* The heading row: the first of the first ten naming 姓名. */
	int map[C_N], header = -1;
	for (size_t r = 0; r < json_array_size(rs.rows) && r < 10 && header < 0; r++) {
		json_t *row = json_array_get(rs.rows, r);
		for (int c = 0; c < C_N; c++)
			map[c] = -1;
		for (size_t k = 1; k < json_array_size(row); k++) {
			char h[128];
			norm(json_string_value(json_array_get(row, k)), h, sizeof h);
			for (int c = 0; c < C_N; c++)
				for (int s = 0; s < 6 && cols[c].syn[s]; s++)
					if (map[c] < 0 && strcmp(h, cols[c].syn[s]) == 0)
						map[c] = (int)k - 1;
		}
		if (map[C_NAME] >= 0)
			header = (int)r;
	}
	if (header < 0) {
		json_decref(rs.rows);
		dj_fail(err, DJ_EINVAL, "file", "未找到表头（应有“姓名”“申请入党日期”等列）");
		return NULL;
	}
	if (map[C_APPLIED] < 0) {
		json_decref(rs.rows);
		dj_fail(err, DJ_EINVAL, "file", "缺少“申请入党日期”列");
		return NULL;
	}
	struct develop_rules r;
	json_t *errors = json_array(), *out = NULL;
	int rc = develop_rules_load(db, &r, err);
	int64_t n = 0;
	if (!rc && !(rc = db_begin(db, err))) {
		for (size_t i = (size_t)header + 1; !rc && i < json_array_size(rs.rows); i++, n++)
			rc = import_row(db, a, &r, org, json_array_get(rs.rows, i), map, errors, err);
		if (!rc && !json_array_size(errors) && !dry_run) {
			json_t *what = json_pack("{s:I}", "rows", (json_int_t)n);
			rc = audit_write(db, a, "develop.import", "org", org, NULL, what, err);
			json_decref(what);
		}
		/* All or nothing: a row error, or a trial run, keeps nothing. */
		if (!rc && (json_array_size(errors) || dry_run)) {
			db_rollback(db);
		} else {
			rc = db_end(db, rc, err);
		}
	}
	json_decref(rs.rows);
	if (!rc && json_array_size(errors)) {
		table_errors_sort(errors);
		dj_fail(err, DJ_EINVAL, "file", "有%zu处错误，未导入任何数据", json_array_size(errors));
		err->details = errors;
		return NULL;
	}
	if (!rc)
		out = json_pack("{s:b, s:I, s:b}", "ok", 1, "imported", (json_int_t)n, "dry_run", dry_run);
	json_decref(errors);
	return out;
}

int develop_export(struct db *db, const struct actor *a, int64_t org, char **out, size_t *len, struct dj_error *err)
{
	int rc;
	if ((rc = scope_can_manage(a, err)))
		return rc;
	if (!org && (rc = scope_root_of(db, a, &org, err)))
		return rc;
	if ((rc = scope_org(db, a, org, err)))
		return rc;
	json_t *rows = db_rows(db,
		"SELECT p.id, p.name, p.gender, p.ethnicity, p.birth_date, p.id_card_enc, p.education, p.position,"
		" o.name AS org_name, p.applied_on, p.activist_on, p.candidate_on, p.admitted_on, p.full_on, p.status, p.step,"
		" p.due_step, p.due_on FROM develop_person p JOIN org o ON o.id = p.org_id"
		" WHERE " ORG_IN_SUBTREE("p.org_id", "?") " ORDER BY o.code, p.name_key, p.id",
		DB_ARGS(DB_I(org)), err);
	if (!rows)
		return err->code;
	char path[64];
	lxw_workbook *wb = xlsx_book_new(path, err);
	if (!wb) {
		json_decref(rows);
		return err->code;
	}
	lxw_worksheet *ws = workbook_add_worksheet(wb, "发展党员");
	lxw_format *h = workbook_add_format(wb);
	format_set_bold(h);
	format_set_bg_color(h, 0xFDE9E7);
	static const char *const extra[] = {"当前阶段", "已办至第几步", "下一时限", "时限日期"};
	int nc = 0;
	for (int c = 0; c < C_N; c++, nc++) {
		worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, c == C_ID_CARD || c == C_ORG ? 24 : 14, NULL);
		worksheet_write_string(ws, 0, (lxw_col_t)c, cols[c].label, h);
	}
	for (int c = 0; c < 4; c++)
		worksheet_write_string(ws, 0, (lxw_col_t)(nc + c), extra[c], h);
	size_t i;
	json_t *p;
	json_array_foreach(rows, i, p) {
		lxw_row_t r = (lxw_row_t)(i + 1);
		int64_t id = I(p, "id");
		char *idc = pii_open(id, "id_card", S(p, "id_card_enc"));
		char *masked = idc ? pii_mask_id_card(idc) : NULL;
		const struct develop_step_info *due = develop_step_info((int)I(p, "due_step"));
		char stepn[8];
		snprintf(stepn, sizeof stepn, "%lld", (long long)I(p, "step"));
		const char *g = S(p, "gender");
		const char *vals[C_N + 4] = {S(p, "name"), g && strcmp(g, "male") == 0 ? "男" : "女", S(p, "ethnicity"),
					     S(p, "birth_date"), masked, S(p, "education"), NULL, S(p, "position"),
					     S(p, "org_name"), S(p, "applied_on"), S(p, "activist_on"), S(p, "candidate_on"),
					     S(p, "admitted_on"), S(p, "full_on"), develop_status_label(S(p, "status")), stepn,
					     due ? due->label : NULL, S(p, "due_on")};
		for (int c = 0; c < C_N + 4; c++)
			if (vals[c])
				worksheet_write_string(ws, r, (lxw_col_t)c, vals[c], NULL);
		free(idc);
		free(masked);
	}
	json_decref(rows);
	return xlsx_book_finish(wb, path, out, len, err);
}
