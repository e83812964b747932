/* member_import.c — the roster from a spreadsheet, all or nothing. */
#include "member/member_io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/date.h"
#include "core/mem.h"
#include "core/valid.h"
#include "db/db.h"
#include "io/table.h"
#include "member/member.h"
#include "member/member_cols.h"
#include "org/org.h"

#define MAX_LISTED_ERRORS 500

/* A small open-addressing set of 身份证号 hashes seen in this file → row. */
struct seen {
	char (*keys)[65];
	int *rows;
	size_t cap, n;
};

static size_t seen_slot(const struct seen *s, const char *k)
{
	size_t h = strtoull((char[17]){k[0], k[1], k[2], k[3], k[4], k[5], k[6], k[7], k[8], k[9], k[10], k[11],
				       k[12], k[13], k[14], k[15], 0}, NULL, 16);
	size_t i = h & (s->cap - 1);
	while (s->keys[i][0] && strcmp(s->keys[i], k) != 0)
		i = (i + 1) & (s->cap - 1);
	return i;
}

/* Row of an earlier occurrence, or 0 after recording this one. */
static int seen_add(struct seen *s, const char *k, int row)
{
	if (s->n * 2 >= s->cap) {
		struct seen big = {.cap = s->cap ? s->cap * 2 : 1024};
		big.keys = xcalloc(big.cap, sizeof *big.keys);
		big.rows = xcalloc(big.cap, sizeof *big.rows);
		for (size_t i = 0; i < s->cap; i++)
			if (s->keys[i][0]) {
				size_t j = seen_slot(&big, s->keys[i]);
				memcpy(big.keys[j], s->keys[i], 65);
				big.rows[j] = s->rows[i];
			}
		big.n = s->n;
		free(s->keys);
		free(s->rows);
		*s = big;
	}
	size_t i = seen_slot(s, k);
	if (s->keys[i][0])
		return s->rows[i];
	memcpy(s->keys[i], k, 65);
	s->rows[i] = row;
	s->n++;
	return 0;
}

struct code_cache {
	char code[200];
	int64_t id;
};

struct import {
	struct db *db;
	const struct actor *a;
	int64_t org_id;
	bool dry_run;
	int col_of[MEMBER_NCOLS];	/* file column of each template column, -1 if absent */
	bool have_header;
	int64_t rows, imported, nerrors;
	json_t *errors;
	struct seen seen;
	struct code_cache codes[64];
	int64_t ids[512];		/* reserved ids not yet used: ids[next_id..nids) */
	int next_id, nids;
	struct dj_error *err;
	int fatal;
};

static void row_error(struct import *im, int row, int col, const char *msg)
{
	im->nerrors++;
	if (json_array_size(im->errors) < MAX_LISTED_ERRORS)
		json_array_append_new(im->errors, json_pack("{s:i, s:s, s:s}", "row", row, "column",
							    col >= 0 ? member_cols[col].label : "", "message", msg));
}

static char *trim(const char *s)
{
	while (*s == ' ' || *s == '\t' || (s[0] == '\xE3' && s[1] == '\x80' && s[2] == '\x80'))
		s += *s == '\xE3' ? 3 : 1;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	while (n >= 3 && memcmp(s + n - 3, "\xE3\x80\x80", 3) == 0)
		n -= 3;
	return xstrndup(s, n);
}

/* 2024-05-01, 2024/5/1, 2024.5.1, 2024年5月1日, 20240501 or an Excel serial. */
static bool parse_date_cell(const char *s, char out[11])
{
	int y, m, d;
	char tail[8];
	if (sscanf(s, "%4d-%2d-%2d%1s", &y, &m, &d, tail) == 3 || sscanf(s, "%4d/%2d/%2d%1s", &y, &m, &d, tail) == 3 ||
	    sscanf(s, "%4d.%2d.%2d%1s", &y, &m, &d, tail) == 3 || sscanf(s, "%4d年%2d月%2d日%1s", &y, &m, &d, tail) == 3) {
		date_format(out, y, m, d);
		return date_valid(out);
	}
	if (strlen(s) == 8 && strspn(s, "0123456789") == 8) {
		snprintf(out, 11, "%.4s-%.2s-%.2s", s, s + 4, s + 6);
		return date_valid(out);
	}
	char *end;
	double serial = strtod(s, &end);
	if (end != s && !*end && serial >= 1)
		return table_excel_date(serial, out);
	return false;
}

static void map_header(struct import *im, const char *const *cells, size_t n)
{
	for (int c = 0; c < MEMBER_NCOLS; c++)
		im->col_of[c] = -1;
	for (size_t i = 0; i < n; i++) {
		char *h = trim(cells[i]);
		size_t len = strlen(h);
		if (len && h[len - 1] == '*')
			h[len - 1] = 0;
		for (int c = 0; c < MEMBER_NCOLS; c++)
			if (strcmp(h, member_cols[c].label) == 0 && im->col_of[c] < 0)
				im->col_of[c] = (int)i;
		free(h);
	}
}

static int64_t org_by_code(struct import *im, const char *code, const char **msg)
{
	unsigned h = 0;
	for (const char *p = code; *p; p++)
		h = h * 31 + (unsigned char)*p;
	struct code_cache *cc = &im->codes[h % 64];
	if (cc->id && strcmp(cc->code, code) == 0)
		return cc->id;
	json_t *o = db_row(im->db, "SELECT id, status FROM org WHERE code = ?", DB_ARGS(DB_T(code)), NULL);
	int64_t id = o ? json_integer_value(json_object_get(o, "id")) : 0;
	bool active = o && strcmp(json_string_value(json_object_get(o, "status")), "active") == 0;
	json_decref(o);
	if (!id || !org_is_within(im->db, im->org_id, id)) {
		*msg = "党组织编码不存在，或不在所选党组织之下";
		return 0;
	}
	if (!active) {
		*msg = "该党组织已撤销或撤并";
		return 0;
	}
	snprintf(cc->code, sizeof cc->code, "%s", code);
	cc->id = id;
	return id;
}

static int col_index_of_field(const char *field)
{
	for (int c = 0; c < MEMBER_NCOLS; c++)
		if (strcmp(member_cols[c].key, field) == 0)
			return c;
	return -1;
}

static int on_row(void *ud, int row, const char *const *cells, size_t n)
{
	struct import *im = ud;
	if (!im->have_header) {
		map_header(im, cells, n);
		im->have_header = true;
		for (int c = 0; c < MEMBER_NCOLS; c++)
			if (member_cols[c].required && im->col_of[c] < 0) {
				char msg[128];
				snprintf(msg, sizeof msg, "缺少必填列“%s”（请使用导入模板）", member_cols[c].label);
				row_error(im, row, c, msg);
				im->fatal = 1;
			}
		return im->fatal;
	}
	im->rows++;
	char *v[MEMBER_NCOLS];
	for (int c = 0; c < MEMBER_NCOLS; c++)
		v[c] = trim(im->col_of[c] >= 0 && (size_t)im->col_of[c] < n ? cells[im->col_of[c]] : "");
	struct member_rec m = {0};
	char dates[MEMBER_NCOLS][11];
	int bad = 0;
	m.org_id = im->org_id;
	for (int c = 0; c < MEMBER_NCOLS && !bad; c++) {
		const char *key = member_cols[c].key, *s = v[c];
		if (!*s) {
			if (member_cols[c].required) {
				char msg[96];
				snprintf(msg, sizeof msg, "请填写%s", member_cols[c].label);
				row_error(im, row, c, msg);
				bad = 1;
			}
			continue;
		}
		const char **slot = NULL;
		if (member_cols[c].is_date) {
			if (!parse_date_cell(s, dates[c])) {
				row_error(im, row, c, "日期格式无效（例：2020-07-01）");
				bad = 1;
				continue;
			}
			s = dates[c];
		}
		if (strcmp(key, "name") == 0) slot = &m.name;
		else if (strcmp(key, "ethnicity") == 0) slot = &m.ethnicity;
		else if (strcmp(key, "id_card") == 0) slot = &m.id_card;
		else if (strcmp(key, "birth_date") == 0) slot = &m.birth_date;
		else if (strcmp(key, "phone") == 0) slot = &m.phone;
		else if (strcmp(key, "education") == 0) slot = &m.education;
		else if (strcmp(key, "join_date") == 0) slot = &m.join_date;
		else if (strcmp(key, "full_date") == 0) slot = &m.full_date;
		else if (strcmp(key, "position") == 0) slot = &m.position;
		else if (strcmp(key, "mobile_place") == 0) slot = &m.mobile_place;
		else if (strcmp(key, "mobile_since") == 0) slot = &m.mobile_since;
		else if (strcmp(key, "gender") == 0) {
			if (strcmp(s, "男") == 0) m.gender = "male";
			else if (strcmp(s, "女") == 0) m.gender = "female";
			else { row_error(im, row, c, "性别应为“男”或“女”"); bad = 1; }
		} else if (strcmp(key, "status") == 0) {
			if (strcmp(s, "正式党员") == 0 || strcmp(s, "正式") == 0) m.status = "full";
			else if (strcmp(s, "预备党员") == 0 || strcmp(s, "预备") == 0) m.status = "probationary";
			else { row_error(im, row, c, "党员类别应为“正式党员”或“预备党员”"); bad = 1; }
		} else if (strcmp(key, "is_mobile") == 0) {
			if (strcmp(s, "是") == 0 || strcmp(s, "1") == 0 || strcmp(s, "TRUE") == 0) m.is_mobile = true;
			else if (strcmp(s, "否") != 0 && strcmp(s, "0") != 0 && strcmp(s, "FALSE") != 0) {
				row_error(im, row, c, "是否流动党员应为“是”或“否”");
				bad = 1;
			}
		} else if (strcmp(key, "org_code") == 0) {
			const char *msg = NULL;
			m.org_id = org_by_code(im, s, &msg);
			if (!m.org_id) { row_error(im, row, c, msg); bad = 1; }
		}
		if (slot) {
			if (member_cols[c].max_chars && utf8_chars(s) > (size_t)member_cols[c].max_chars) {
				char msg[96];
				snprintf(msg, sizeof msg, "%s不能超过%d个字", member_cols[c].label, member_cols[c].max_chars);
				row_error(im, row, c, msg);
				bad = 1;
			}
			*slot = s;
		}
	}
	char today[11];
	date_today(today);
	for (int c = 0; c < MEMBER_NCOLS && !bad; c++)
		if (member_cols[c].is_date && v[c][0] && strcmp(dates[c], today) > 0) {
			row_error(im, row, c, "日期不能晚于今天");
			bad = 1;
		}
	struct dj_error e = {0};
	if (!bad && member_check(im->db, &m, &e)) {
		row_error(im, row, col_index_of_field(e.field), e.msg);
		bad = 1;
	}
	if (!bad && m.id_card) {
		char h[65];
		member_id_card_hash(m.id_card, h);
		int first = seen_add(&im->seen, h, row);
		int64_t one;
		if (first) {
			char msg[96];
			snprintf(msg, sizeof msg, "身份证号与第%d行重复", first);
			row_error(im, row, col_index_of_field("id_card"), msg);
			bad = 1;
		} else if (db_int1(im->db, &one, "SELECT 1 FROM member WHERE id_card_hash = ?", DB_ARGS(DB_T(h)), NULL) == 0) {
			row_error(im, row, col_index_of_field("id_card"), "该身份证号已登记，如需调整请办理组织关系转接");
			bad = 1;
		}
	}
	/* After the first bad row nothing more is written: the rest is only checked. */
	if (!bad && !im->nerrors && !im->dry_run) {
		int64_t id;
		if (im->next_id == im->nids) {
			im->next_id = im->nids = 0;
			if (db_reserve_ids(im->db, "member", (int)(sizeof im->ids / sizeof im->ids[0]), im->ids, &e) == 0)
				im->nids = (int)(sizeof im->ids / sizeof im->ids[0]);
		}
		if (!im->nids) {
			row_error(im, row, -1, e.msg);
		} else if (member_insert(im->db, &m, im->ids[im->next_id++], &id, &e)) {
			row_error(im, row, col_index_of_field(e.field), e.msg);
		} else {
			im->imported++;
		}
	}
	for (int c = 0; c < MEMBER_NCOLS; c++)
		free(v[c]);
	return 0;
}

int member_import(struct db *db, const struct actor *a, int64_t org_id, const void *data, size_t len,
		  const char *filename, bool dry_run, json_t **result, struct dj_error *err)
{
	int rc;
	*result = NULL;
	if ((rc = scope_can_manage(a, err)))
		return rc;
	if (scope_org(db, a, org_id, err)) {
		strcpy(err->field, "org");
		return err->code;
	}
	if (len == 0)
		return dj_fail(err, DJ_EINVAL, "file", "文件为空");
	struct import im = {.db = db, .a = a, .org_id = org_id, .dry_run = dry_run, .errors = json_array(), .err = err};
	if ((rc = db_begin(db, err))) {
		json_decref(im.errors);
		return rc;
	}
	db_bulk(db, true);
	rc = table_read(data, len, on_row, &im, err);
	if (!rc && !im.have_header)
		rc = dj_fail(err, DJ_EINVAL, "file", "文件中没有数据");
	if (!rc && im.nerrors) {
		rc = dj_fail(err, DJ_EINVAL, "file", "导入文件有%lld处错误，未导入任何记录，请修改后重新导入",
			     (long long)im.nerrors);
		err->details = json_incref(im.errors);
	}
	if (!rc && im.rows == 0)
		rc = dj_fail(err, DJ_EINVAL, "file", "文件中只有表头，没有党员数据");
	if (!rc && !dry_run) {
		json_t *what = json_pack("{s:s?, s:I, s:I}", "file", filename, "rows", (json_int_t)im.rows, "imported",
					 (json_int_t)im.imported);
		rc = audit_write(db, a, "member.import", "org", org_id, NULL, what, err);
		json_decref(what);
	}
	if (dry_run && !rc) {
		db_rollback(db);
	} else {
		rc = db_end(db, rc, err);
	}
	db_bulk(db, false);
	if (!rc)
		*result = json_pack("{s:b, s:I, s:I, s:b}", "ok", 1, "rows", (json_int_t)im.rows, "imported",
				    (json_int_t)(dry_run ? 0 : im.imported), "dry_run", dry_run);
	json_decref(im.errors);
	free(im.seen.keys);
	free(im.seen.rows);
	return rc;
}
