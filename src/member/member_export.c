/* member_export.c — the roster and its template as XLSX (libxlsxwriter). */
#include "member/member_io.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "audit/audit.h"
#include "core/mem.h"
#include "crypto/pii.h"
#include "db/db.h"
#include "io/xlsx_write.h"
#include "member/member.h"
#include "member/member_cols.h"
#include "org/org.h"

const struct member_col member_cols[MEMBER_NCOLS] = {
	{"姓名", "name", true, false, 30, 10, "必填"},
	{"性别", "gender", false, false, 0, 6, "男/女；填写身份证号时可不填，按身份证号判断"},
	{"民族", "ethnicity", false, false, 20, 8, "如：汉族"},
	{"身份证号", "id_card", false, false, 18, 22, "18位，末位可为X；系统校验校验位和出生日期"},
	{"出生日期", "birth_date", false, true, 0, 12, "YYYY-MM-DD；填写身份证号时可不填"},
	{"联系电话", "phone", false, false, 20, 14, "手机号11位，或区号-号码"},
	{"学历", "education", false, false, 20, 10, "研究生/大学本科/大学专科/中专/高中/初中及以下"},
	{"入党日期", "join_date", true, true, 0, 12, "必填，YYYY-MM-DD；预备期自此日起计算"},
	{"党员类别", "status", true, false, 0, 10, "必填：正式党员/预备党员"},
	{"转正日期", "full_date", false, true, 0, 12, "正式党员填写，党龄自此日起计算"},
	{"党内职务", "position", false, false, 50, 12, "如：支部书记、组织委员"},
	{"是否流动党员", "is_mobile", false, false, 0, 12, "是/否"},
	{"外出地点", "mobile_place", false, false, 100, 16, "流动党员必填：外出务工、经商的地点"},
	{"外出日期", "mobile_since", false, true, 0, 12, "YYYY-MM-DD"},
	{"所在党组织编码", "org_code", false, false, 32, 16, "为空时导入到所选党组织；可填所选党组织下级的编码或名称"},
};

static void header_row(lxw_workbook *wb, lxw_worksheet *ws)
{
	lxw_format *h = workbook_add_format(wb);
	format_set_bold(h);
	format_set_bg_color(h, 0xFDE9E7);
	format_set_border(h, LXW_BORDER_THIN);
	lxw_format *req = workbook_add_format(wb);
	format_set_bold(req);
	format_set_font_color(req, 0xC0392B);
	format_set_bg_color(req, 0xFDE9E7);
	format_set_border(req, LXW_BORDER_THIN);
	for (int c = 0; c < MEMBER_NCOLS; c++) {
		worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, member_cols[c].width, NULL);
		char label[64];
		snprintf(label, sizeof label, "%s%s", member_cols[c].label, member_cols[c].required ? "*" : "");
		worksheet_write_string(ws, 0, (lxw_col_t)c, label, member_cols[c].required ? req : h);
	}
	worksheet_freeze_panes(ws, 1, 0);
}

int member_template(char **out, size_t *outlen, struct dj_error *err)
{
	char path[64];
	lxw_workbook *wb = xlsx_book_new(path, err);
	if (!wb)
		return err->code;
	lxw_worksheet *ws = workbook_add_worksheet(wb, "党员名册");
	lxw_worksheet *help = workbook_add_worksheet(wb, "填写说明");
	/* constant_memory writes rows in order, so the example row is written right after the header. */
	header_row(wb, ws);
	const char *example[MEMBER_NCOLS] = {"张三", "男", "汉族", "", "1985-03-12", "13800000000", "大学本科",
					     "2010-07-01", "正式党员", "2011-07-01", "", "否", "", "", ""};
	lxw_format *text = workbook_add_format(wb);
	format_set_num_format(text, "@");
	for (int c = 0; c < MEMBER_NCOLS; c++)
		worksheet_write_string(ws, 1, (lxw_col_t)c, example[c], text);
	static char *genders[] = {"男", "女", NULL};
	static char *statuses[] = {"正式党员", "预备党员", NULL};
	static char *yesno[] = {"是", "否", NULL};
	lxw_data_validation dv = {.validate = LXW_VALIDATION_TYPE_LIST, .value_list = genders};
	worksheet_data_validation_range(ws, 1, 1, 10000, 1, &dv);
	lxw_data_validation dv2 = {.validate = LXW_VALIDATION_TYPE_LIST, .value_list = statuses};
	worksheet_data_validation_range(ws, 1, 8, 10000, 8, &dv2);
	lxw_data_validation dv3 = {.validate = LXW_VALIDATION_TYPE_LIST, .value_list = yesno};
	worksheet_data_validation_range(ws, 1, 11, 10000, 11, &dv3);
	lxw_format *b = workbook_add_format(wb);
	format_set_bold(b);
	worksheet_set_column(help, 0, 0, 16, NULL);
	worksheet_set_column(help, 1, 1, 8, NULL);
	worksheet_set_column(help, 2, 2, 70, NULL);
	worksheet_write_string(help, 0, 0, "列名", b);
	worksheet_write_string(help, 0, 1, "必填", b);
	worksheet_write_string(help, 0, 2, "说明", b);
	for (int c = 0; c < MEMBER_NCOLS; c++) {
		worksheet_write_string(help, (lxw_row_t)c + 1, 0, member_cols[c].label, NULL);
		worksheet_write_string(help, (lxw_row_t)c + 1, 1, member_cols[c].required ? "是" : "", NULL);
		worksheet_write_string(help, (lxw_row_t)c + 1, 2, member_cols[c].note, NULL);
	}
	worksheet_write_string(help, MEMBER_NCOLS + 2, 0, "注意", b);
	worksheet_write_string(help, MEMBER_NCOLS + 2, 2,
			       "整个文件校验通过后一次性导入；任何一行有错误时不导入任何记录，并列出错误所在的行和列。", NULL);
	return xlsx_book_finish(wb, path, out, outlen, err);
}

int member_export(struct db *db, const struct actor *a, int64_t org_id, bool reveal, char **out, size_t *outlen,
		  struct dj_error *err)
{
	int rc;
	if ((rc = scope_can_manage(a, err)))
		return rc;
	if (scope_org(db, a, org_id, err)) {
		strcpy(err->field, "org");
		return err->code;
	}
	char path[64];
	lxw_workbook *wb = xlsx_book_new(path, err);
	if (!wb)
		return err->code;
	lxw_worksheet *ws = workbook_add_worksheet(wb, "党员名册");
	header_row(wb, ws);
	struct db_stmt *st = db_query(db,
		"SELECT m.id, m.name, m.gender, m.ethnicity, m.id_card_enc, m.birth_date, m.phone_enc, m.education,"
		" m.join_date, m.status, m.full_date, m.position, m.is_mobile, m.mobile_place, m.mobile_since, o.code"
		" FROM " ORG_TREE_AS("c") " JOIN member m ON m.org_id = c.descendant JOIN org o ON o.id = m.org_id"
		" WHERE c.ancestor = ? AND m.active = 1 ORDER BY c.depth, o.sort, o.id, m.name_key, m.id",
		DB_ARGS(DB_I(org_id)), err);
	if (!st) {
		workbook_close(wb);
		unlink(path);
		return err->code;
	}
	lxw_row_t row = 1;
	int step;
	while ((step = db_next(st)) > 0) {
		int64_t id = db_int(st, 0);
		char *idc = pii_open(id, "id_card", db_text(st, 4));
		char *ph = pii_open(id, "phone", db_text(st, 6));
		if (!reveal) {
			char *m1 = pii_mask_id_card(idc), *m2 = pii_mask_phone(ph);
			free(idc);
			free(ph);
			idc = m1;
			ph = m2;
		}
		const char *vals[MEMBER_NCOLS] = {
			db_text(st, 1), strcmp(db_text(st, 2), "male") == 0 ? "男" : "女", db_text(st, 3), idc ? idc : "",
			db_text(st, 5), ph ? ph : "", db_text(st, 7), db_text(st, 8),
			member_status_label(member_status_parse(db_text(st, 9))), db_text(st, 10), db_text(st, 11),
			db_int(st, 12) ? "是" : "否", db_text(st, 13), db_text(st, 14), db_text(st, 15)};
		for (int c = 0; c < MEMBER_NCOLS; c++)
			if (vals[c][0])
				worksheet_write_string(ws, row, (lxw_col_t)c, vals[c], NULL);
		free(idc);
		free(ph);
		row++;
	}
	db_done(st);
	if (step < 0) {
		workbook_close(wb);
		unlink(path);
		return err->code;
	}
	/* An export is a disclosure: record who took how many records, and whether whole. */
	json_t *what = json_pack("{s:I, s:b}", "rows", (json_int_t)(row - 1), "reveal", reveal);
	rc = db_begin(db, err);
	if (!rc)
		rc = db_end(db, audit_write(db, a, "member.export", "org", org_id, NULL, what, err), err);
	json_decref(what);
	if (rc) {
		workbook_close(wb);
		unlink(path);
		return rc;
	}
	return xlsx_book_finish(wb, path, out, outlen, err);
}
