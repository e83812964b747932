/* task_import.c — a plan's tasks from a spreadsheet, all or nothing: one row
 * per task, continuation rows (no 任务名称) add further quotas to the task
 * above.  Errors name the row and the column, as the member import does. */
#include "task/task_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/date.h"
#include "core/mem.h"
#include "db/db.h"
#include "io/table.h"
#include "io/xlsx_write.h"
#include "org/org.h"

#define MAX_LISTED_ERRORS 200

enum {
	C_CAMPAIGN, C_SCOPE, C_TITLE, C_CONTENT, C_ASSIGNEES, C_STARTS, C_ENDS, C_DUE,
	C_ITEM, C_MIN, C_MAX, C_UNIT, C_PER, C_POINTS, C_MISSING, NCOLS
};

static const struct {
	const char *label, *note;
	int width;
} cols[NCOLS] = {
	{"专项行动", "可空；如：五大攻坚、八项行动。不存在时自动新建", 12},
	{"任务类型", "共性任务 / 个性任务", 10},
	{"任务名称", "必填；为空的行表示上一任务的又一项指标", 30},
	{"实施内容", "", 50},
	{"承担单位", "个性任务：党组织编码，多个用“、”分隔；共性任务：党组织类型（如 党委、党支部），为空或“全部”指全部类型", 30},
	{"开始日期", "YYYY-MM-DD", 12},
	{"结束日期", "YYYY-MM-DD", 12},
	{"上报截止日期", "YYYY-MM-DD，不早于开始日期", 14},
	{"指标内容", "如：党建引领交通在建工程示范点", 24},
	{"指标下限", "数字，如 1", 10},
	{"指标上限", "数字，可空；如“1-2个”填下限1、上限2", 10},
	{"计量单位", "个、处、项、公里、亿元、万元、人、次 …", 10},
	{"计算方式", "每个单位 / 合计", 10},
	{"分值", "考核分值，0–100", 8},
	{"未完成扣分", "0 或负数", 10},
};

struct timport {
	struct db *db;
	int64_t plan_org;
	int col_of[NCOLS];
	bool have_header;
	json_t *tasks;		/* [{row, in}] */
	json_t *errors;
	int64_t nerrors;
	json_t *kinds;		/* org_kinds_json */
	struct dj_error dbfail;	/* the first failed query: the import's error, not a row's */
};

static void row_error(struct timport *im, int row, int col, const char *msg)
{
	im->nerrors++;
	if (json_array_size(im->errors) < MAX_LISTED_ERRORS)
		json_array_append_new(im->errors, json_pack("{s:i, s:s, s:s}", "row", row, "column",
							    col >= 0 ? cols[col].label : "", "message", msg));
}

/* A failed query fails the whole import with the database's error; counted
 * as an error so nothing is written. */
static void db_failed(struct timport *im, const struct dj_error *e)
{
	im->nerrors++;
	if (!im->dbfail.code) {
		im->dbfail.code = e->code ? e->code : DJ_EDB;
		memcpy(im->dbfail.field, e->field, sizeof im->dbfail.field);
		memcpy(im->dbfail.msg, e->msg, sizeof im->dbfail.msg);
	}
}

static char *cell(struct timport *im, const char *const *cells, size_t n, int c)
{
	int i = im->col_of[c];
	const char *s = i >= 0 && (size_t)i < n ? cells[i] : "";
	while (*s == ' ')
		s++;
	size_t len = strlen(s);
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\r' || s[len - 1] == '\n'))
		len--;
	return xstrndup(s, len);
}

/* Split on 、 , ， ; ； and spaces. */
static json_t *split_list(const char *s)
{
	json_t *out = json_array();
	char *copy = xstrdup(s), *p = copy;
	while (*p) {
		char *start = p;
		while (*p && *p != ',' && *p != ';' && *p != ' ' && strncmp(p, "、", 3) && strncmp(p, "，", 3) &&
		       strncmp(p, "；", 3))
			p++;
		char *end = p;
		if (*p)
			p += (*p == ',' || *p == ';' || *p == ' ') ? 1 : 3;
		if (end > start)
			json_array_append_new(out, json_stringn(start, (size_t)(end - start)));
	}
	free(copy);
	return out;
}

static int number_cell(struct timport *im, int row, int c, const char *s, json_t *o, const char *key)
{
	if (!*s)
		return 0;
	char *end;
	double v = strtod(s, &end);
	if (end == s || *end) {
		char msg[80];
		snprintf(msg, sizeof msg, "%s应为数字", cols[c].label);
		row_error(im, row, c, msg);
		return 1;
	}
	json_object_set_new(o, key, json_real(v));
	return 0;
}

static void add_quota(struct timport *im, int row, json_t *task, char **v)
{
	if (!*v[C_ITEM] && !*v[C_MIN] && !*v[C_MAX] && !*v[C_UNIT])
		return;
	json_t *q = json_pack("{s:s, s:s, s:s}", "item", v[C_ITEM], "unit", v[C_UNIT], "per",
			      strcmp(v[C_PER], "合计") == 0 ? "total" : "assignee");
	if (*v[C_PER] && strcmp(v[C_PER], "合计") != 0 && strcmp(v[C_PER], "每个单位") != 0)
		row_error(im, row, C_PER, "计算方式应为“每个单位”或“合计”");
	number_cell(im, row, C_MIN, v[C_MIN], q, "min");
	number_cell(im, row, C_MAX, v[C_MAX], q, "max");
	json_array_append_new(json_object_get(task, "quotas"), q);
}

static int on_row(void *ud, int row, const char *const *cells, size_t n)
{
	struct timport *im = ud;
	if (!im->have_header) {
		for (int c = 0; c < NCOLS; c++)
			im->col_of[c] = -1;
		for (size_t i = 0; i < n; i++)
			for (int c = 0; c < NCOLS; c++) {
				size_t l = strlen(cols[c].label);
				if (strncmp(cells[i], cols[c].label, l) == 0 && (!cells[i][l] || cells[i][l] == '*') &&
				    im->col_of[c] < 0)
					im->col_of[c] = (int)i;
			}
		im->have_header = true;
		static const int required[] = {C_SCOPE, C_TITLE, C_ASSIGNEES, C_STARTS, C_ENDS, C_DUE};
		for (size_t k = 0; k < sizeof required / sizeof required[0]; k++)
			if (im->col_of[required[k]] < 0) {
				char msg[96];
				snprintf(msg, sizeof msg, "缺少必填列“%s”（请使用导入模板）", cols[required[k]].label);
				row_error(im, row, required[k], msg);
			}
		return im->nerrors ? 1 : 0;
	}
	char *v[NCOLS];
	int64_t errors_before = im->nerrors;
	for (int c = 0; c < NCOLS; c++)
		v[c] = cell(im, cells, n, c);
	if (!*v[C_TITLE]) {	/* a further quota of the task above */
		json_t *last = json_array_get(im->tasks, json_array_size(im->tasks) - 1);
		if (!last)
			row_error(im, row, C_TITLE, "请填写任务名称");
		else
			add_quota(im, row, json_object_get(last, "in"), v);
		if (last && im->nerrors > errors_before)
			json_object_set_new(last, "bad", json_true());
		goto done;
	}
	json_t *in = json_pack("{s:s, s:[]}", "title", v[C_TITLE], "quotas");
	if (*v[C_CONTENT])
		json_object_set_new(in, "content", json_string(v[C_CONTENT]));
	if (*v[C_CAMPAIGN])
		json_object_set_new(in, "campaign", json_string(v[C_CAMPAIGN]));
	bool common = strncmp(v[C_SCOPE], "共性", 6) == 0, specific = strncmp(v[C_SCOPE], "个性", 6) == 0;
	if (!common && !specific)
		row_error(im, row, C_SCOPE, "任务类型应为“共性任务”或“个性任务”");
	json_object_set_new(in, "scope", json_string(common ? "common" : "specific"));
	json_t *names = split_list(v[C_ASSIGNEES]);
	size_t i;
	json_t *s;
	if (specific) {
		json_t *targets = json_array();
		if (!json_array_size(names))
			row_error(im, row, C_ASSIGNEES, "个性任务请填写承担单位的党组织编码");
		json_array_foreach(names, i, s) {
			struct dj_error e = {0};
			int64_t id = 0;
			bool within = false;
			if (org_id_by_code(im->db, json_string_value(s), &id, &e) ||
			    (id && org_contains(im->db, im->plan_org, id, &within, &e))) {
				db_failed(im, &e);
			} else if (!id || id == im->plan_org || !within) {
				char msg[160];
				snprintf(msg, sizeof msg, "党组织编码“%s”不存在，或不在发文党组织之下", json_string_value(s));
				row_error(im, row, C_ASSIGNEES, msg);
			} else {
				json_array_append_new(targets, json_integer(id));
			}
		}
		json_object_set_new(in, "targets", targets);
	} else if (common) {
		json_t *kinds = json_array();
		json_array_foreach(names, i, s) {
			const char *label = json_string_value(s);
			if (strcmp(label, "全部") == 0)
				continue;
			size_t k;
			json_t *o;
			const char *kind = NULL;
			json_array_foreach(im->kinds, k, o) if (strcmp(json_string_value(json_object_get(o, "label")), label) == 0)
				kind = json_string_value(json_object_get(o, "kind"));
			if (!kind) {
				char msg[160];
				snprintf(msg, sizeof msg, "未知的党组织类型“%s”", label);
				row_error(im, row, C_ASSIGNEES, msg);
			} else {
				json_array_append_new(kinds, json_string(kind));
			}
		}
		json_object_set_new(in, "assignee_kinds", kinds);
	}
	json_decref(names);
	static const struct {
		int col;
		const char *key;
	} dates[] = {{C_STARTS, "starts_on"}, {C_ENDS, "ends_on"}, {C_DUE, "due_on"}};
	for (size_t k = 0; k < 3; k++) {
		char d[11];
		if (!*v[dates[k].col]) {
			char msg[64];
			snprintf(msg, sizeof msg, "请填写%s", cols[dates[k].col].label);
			row_error(im, row, dates[k].col, msg);
		} else if (!table_date_cell(v[dates[k].col], d)) {
			row_error(im, row, dates[k].col, "日期格式无效（例：2022-10-31）");
		} else {
			json_object_set_new(in, dates[k].key, json_string(d));
		}
	}
	number_cell(im, row, C_POINTS, v[C_POINTS], in, "points");
	number_cell(im, row, C_MISSING, v[C_MISSING], in, "missing_points");
	add_quota(im, row, in, v);
	json_array_append_new(im->tasks, json_pack("{s:i, s:o, s:b}", "row", row, "in", in, "bad", im->nerrors > errors_before));
done:
	for (int c = 0; c < NCOLS; c++)
		free(v[c]);
	return 0;
}

/* The column a task_create error belongs to. */
static int col_of_field(const char *f)
{
	static const struct {
		const char *field;
		int col;
	} map[] = {{"scope", C_SCOPE}, {"title", C_TITLE}, {"content", C_CONTENT}, {"targets", C_ASSIGNEES},
		   {"assignee_kinds", C_ASSIGNEES}, {"starts_on", C_STARTS}, {"ends_on", C_ENDS}, {"due_on", C_DUE},
		   {"quotas", C_ITEM}, {"points", C_POINTS}, {"missing_points", C_MISSING}, {"campaign_id", C_CAMPAIGN}};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(map[i].field, f) == 0)
			return map[i].col;
	return -1;
}

int task_import(struct db *db, const struct actor *a, int64_t plan_id, const void *data, size_t len, bool dry_run,
		json_t **result, struct dj_error *err)
{
	*result = NULL;
	int rc;
	json_t *p = task_plan_open(db, a, plan_id, "不能导入任务", err);
	if (!p)
		return err->code;
	int64_t plan_org = json_integer_value(json_object_get(p, "org_id"));
	json_decref(p);
	if (!len)
		return dj_fail(err, DJ_EINVAL, "file", "文件为空");
	struct timport im = {.db = db, .plan_org = plan_org, .tasks = json_array(), .errors = json_array(),
			     .kinds = org_kinds_json()};
	rc = table_read(data, len, on_row, &im, err);
	if (!rc && !im.have_header)
		rc = dj_fail(err, DJ_EINVAL, "file", "文件中没有数据");
	if (!rc && !im.nerrors && !json_array_size(im.tasks))
		rc = dj_fail(err, DJ_EINVAL, "file", "文件中只有表头，没有任务");
	int64_t created = 0;
	if (!rc && json_array_size(im.tasks) && !(rc = db_begin(db, err))) {
		/* Each task through task_create: the same checks and fan-out as the
		 * form.  Rows already in error are skipped; the others are still
		 * tried, so one pass lists every error (and then rolls back). */
		size_t i;
		json_t *t;
		json_array_foreach(im.tasks, i, t) {
			json_t *in = json_object_get(t, "in");
			int row = (int)json_integer_value(json_object_get(t, "row"));
			if (json_is_true(json_object_get(t, "bad")))
				continue;
			struct dj_error e = {0};
			const char *camp = json_string_value(json_object_get(in, "campaign"));
			if (camp) {
				int64_t cid = 0;
				if (db_int1(db, &cid, "SELECT coalesce((SELECT id FROM campaign WHERE plan_id = ? AND name = ?), 0)",
					    DB_ARGS(DB_I(plan_id), DB_T(camp)), &e)) {
					db_failed(&im, &e);
				} else if (!cid) {
					json_t *cin = json_pack("{s:s}", "name", camp);
					if (task_campaign_add(db, a, plan_id, cin, &cid, &e) == DJ_EDB)
						db_failed(&im, &e);
					else if (e.code)
						row_error(&im, row, C_CAMPAIGN, e.msg);
					json_decref(cin);
				}
				json_object_set_new(in, "campaign_id", json_integer(cid));
				json_object_del(in, "campaign");
			}
			int64_t id;
			if (e.code)
				;	/* the campaign's error is reported */
			else if (!task_create(db, a, plan_id, in, &id, &e))
				created++;
			else if (e.code == DJ_EDB)
				db_failed(&im, &e);
			else
				row_error(&im, row, col_of_field(e.field), e.msg);
		}
		if (!im.nerrors) {
			json_t *what = json_pack("{s:I}", "tasks", (json_int_t)created);
			rc = audit_write(db, a, "task.import", "plan", plan_id, NULL, what, err);
			json_decref(what);
		}
		if (im.nerrors || dry_run)
			db_rollback(db);
		else
			rc = db_end(db, rc, err);
	}
	if (!rc && im.dbfail.code)
		rc = dj_fail(err, im.dbfail.code, im.dbfail.field, "%s", im.dbfail.msg);
	if (!rc && im.nerrors) {
		table_errors_sort(im.errors);
		rc = dj_fail(err, DJ_EINVAL, "file", "导入文件有%lld处错误，未导入任何任务，请修改后重新导入",
			     (long long)im.nerrors);
		err->details = json_incref(im.errors);
	}
	if (!rc)
		*result = json_pack("{s:b, s:I, s:b}", "ok", 1, "tasks", (json_int_t)created, "dry_run", dry_run);
	json_decref(im.tasks);
	json_decref(im.errors);
	json_decref(im.kinds);
	return rc;
}

int task_template(char **out, size_t *outlen, struct dj_error *err)
{
	char path[64];
	lxw_workbook *wb = xlsx_book_new(path, err);
	if (!wb)
		return err->code;
	lxw_worksheet *ws = workbook_add_worksheet(wb, "任务清单");
	lxw_worksheet *help = workbook_add_worksheet(wb, "填写说明");
	lxw_format *h = workbook_add_format(wb);
	format_set_bold(h);
	format_set_bg_color(h, 0xFDE9E7);
	format_set_border(h, LXW_BORDER_THIN);
	for (int c = 0; c < NCOLS; c++) {
		worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, cols[c].width, NULL);
		worksheet_write_string(ws, 0, (lxw_col_t)c, cols[c].label, h);
	}
	/* Seed 002's first specific task, as an example. */
	const char *ex[NCOLS] = {"五大攻坚", "个性任务", "党建引领交通工程在建项目", "各县级单位所有具备条件的在建交通工程项目均应建立党支部",
				 "JT-HY01、JT-HY02", "2022-03-01", "2022-12-31", "2022-11-20", "党建引领交通在建工程示范点",
				 "1", "", "个", "每个单位", "5", "-2"};
	for (int c = 0; c < NCOLS; c++)
		worksheet_write_string(ws, 1, (lxw_col_t)c, ex[c], NULL);
	static char *scopes[] = {"共性任务", "个性任务", NULL};
	static char *pers[] = {"每个单位", "合计", NULL};
	lxw_data_validation dv = {.validate = LXW_VALIDATION_TYPE_LIST, .value_list = scopes};
	worksheet_data_validation_range(ws, 1, C_SCOPE, 2000, C_SCOPE, &dv);
	lxw_data_validation dv2 = {.validate = LXW_VALIDATION_TYPE_LIST, .value_list = pers};
	worksheet_data_validation_range(ws, 1, C_PER, 2000, C_PER, &dv2);
	worksheet_set_column(help, 0, 0, 16, NULL);
	worksheet_set_column(help, 1, 1, 90, NULL);
	worksheet_write_string(help, 0, 0, "列名", h);
	worksheet_write_string(help, 0, 1, "说明", h);
	for (int c = 0; c < NCOLS; c++) {
		worksheet_write_string(help, (lxw_row_t)c + 1, 0, cols[c].label, NULL);
		worksheet_write_string(help, (lxw_row_t)c + 1, 1, cols[c].note, NULL);
	}
	worksheet_write_string(help, NCOLS + 2, 0, "注意", h);
	worksheet_write_string(help, NCOLS + 2, 1,
			       "整个文件校验通过后一次性导入；任何一行有错误时不导入任何任务，并列出错误所在的行和列。", NULL);
	return xlsx_book_finish(wb, path, out, outlen, err);
}
