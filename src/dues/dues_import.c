/* dues_import.c — bases (a payroll sheet) and payments from XLSX, XLS or
 * CSV, all or nothing: every row is read and checked first, then, with no
 * error anywhere, all are written in one transaction with one audit record.
 *
 * As the roster import does, the header need not be the first row: of the
 * first rows, the one naming the most known columns is the header (title
 * rows above it are skipped), headings compared without spaces, line
 * breaks, "*" and parenthesized hints.  A member is found by 身份证号, or by
 * name within the chosen org's subtree (with 所在党支部 to tell namesakes
 * apart). */
#include "dues/dues_internal.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/date.h"
#include "core/mem.h"
#include "db/db.h"
#include "io/table.h"
#include "member/member.h"
#include "org/org.h"

#define HEADER_SCAN 10
#define MAX_COLS 64
#define MAX_LISTED_ERRORS 500
/* A file past these is refused whole rather than checked row by row for
 * minutes (a province's bases are ~200,000 rows; split bigger files by org
 * or month), and checking stops once the errors say the file is wrong. */
#define MAX_ROWS 250000
#define MAX_ERRORS 1000

enum col {
	C_NAME, C_ID_CARD, C_ORG, C_YEAR, C_CATEGORY, C_BASE, C_VOLUNTARY, C_MONTH, C_AMOUNT, C_METHOD, C_PAID_ON,
	C_NOTE, C_N
};

static const char *const col_labels[C_N] = {"姓名", "身份证号", "所在党支部", "年度", "缴费类别", "缴纳基数", "自愿多交",
					    "缴费月份", "缴纳金额", "缴纳方式", "缴纳日期", "备注"};

static const struct {
	const char *heading;
	enum col col;
} synonyms[] = {
	{"姓名", C_NAME}, {"党员姓名", C_NAME}, {"职工姓名", C_NAME}, {"名字", C_NAME},
	{"身份证号", C_ID_CARD}, {"身份证号码", C_ID_CARD}, {"公民身份号码", C_ID_CARD}, {"身份证", C_ID_CARD},
	{"证件号码", C_ID_CARD},
	{"所在党支部", C_ORG}, {"所在党组织", C_ORG}, {"党支部", C_ORG}, {"所属党支部", C_ORG}, {"党组织名称", C_ORG},
	{"党组织编码", C_ORG}, {"所在党组织编码", C_ORG},
	{"年度", C_YEAR}, {"年份", C_YEAR}, {"核定年度", C_YEAR},
	{"缴费类别", C_CATEGORY}, {"党费类别", C_CATEGORY}, {"类别", C_CATEGORY}, {"人员类别", C_CATEGORY},
	{"缴纳类别", C_CATEGORY}, {"身份类别", C_CATEGORY},
	{"缴纳基数", C_BASE}, {"缴费基数", C_BASE}, {"党费基数", C_BASE}, {"基数", C_BASE}, {"税后工资", C_BASE},
	{"税后月工资", C_BASE}, {"月工资收入", C_BASE}, {"税后收入", C_BASE}, {"实发工资", C_BASE}, {"月收入", C_BASE},
	{"工资收入", C_BASE}, {"计缴基数", C_BASE},
	{"自愿多交", C_VOLUNTARY}, {"自愿多交金额", C_VOLUNTARY}, {"自愿多缴", C_VOLUNTARY},
	{"缴费月份", C_MONTH}, {"所属月份", C_MONTH}, {"月份", C_MONTH}, {"缴纳月份", C_MONTH}, {"党费月份", C_MONTH},
	{"所属期", C_MONTH}, {"季度", C_MONTH},
	{"缴纳金额", C_AMOUNT}, {"实交金额", C_AMOUNT}, {"实缴金额", C_AMOUNT}, {"金额", C_AMOUNT}, {"缴费金额", C_AMOUNT},
	{"党费金额", C_AMOUNT}, {"实交党费", C_AMOUNT}, {"交纳金额", C_AMOUNT},
	{"缴纳方式", C_METHOD}, {"缴费方式", C_METHOD}, {"支付方式", C_METHOD}, {"交纳方式", C_METHOD},
	{"缴纳日期", C_PAID_ON}, {"缴费日期", C_PAID_ON}, {"缴纳时间", C_PAID_ON}, {"交纳日期", C_PAID_ON},
	{"备注", C_NOTE},
};

/* A heading as compared: no spaces or line breaks, no "*" or "：", no
 * parenthesized hint (缴纳基数（元） → 缴纳基数). */
static void heading_norm(const char *in, char *out, size_t cap)
{
	size_t n = 0;
	int depth = 0;
	for (const char *s = in; *s;) {
		if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n' || *s == '*' || *s == ':') {
			s++;
		} else if (!strncmp(s, "\xE3\x80\x80", 3) || !strncmp(s, "：", 3) || !strncmp(s, "＊", 3)) {
			s += 3;
		} else if (*s == '(' || !strncmp(s, "（", 3)) {
			depth++;
			s += *s == '(' ? 1 : 3;
		} else if (*s == ')' || !strncmp(s, "）", 3)) {
			depth -= depth > 0;
			s += *s == ')' ? 1 : 3;
		} else {
			size_t len = 1;
			while ((s[len] & 0xC0) == 0x80)
				len++;
			if (!depth && n + len < cap) {
				memcpy(out + n, s, len);
				n += len;
			}
			s += len;
		}
	}
	out[cap ? (n < cap ? n : cap - 1) : 0] = 0;
}

static int col_of_heading(const char *h)
{
	char norm[128];
	heading_norm(h, norm, sizeof norm);
	for (size_t i = 0; i < sizeof synonyms / sizeof *synonyms; i++)
		if (!strcmp(norm, synonyms[i].heading))
			return (int)synonyms[i].col;
	return -1;
}

static char *trimmed(const char *s)
{
	while (*s == ' ' || *s == '\t' || !strncmp(s, "\xE3\x80\x80", 3))
		s += *s == ' ' || *s == '\t' ? 1 : 3;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	return xstrndup(s, n);
}

/* One checked row, waiting for the write. */
struct op {
	int row;
	struct dues_who w;
	int year;
	const struct dues_category *cat;
	int64_t base, voluntary, amount;
	char months[3][8];
	int nmonths;
	char method[16], paid_on[11], batch[16];
	char *note;
};

struct imp {
	struct db *db;
	const struct actor *a;
	int64_t root;
	bool payments;
	int year;
	struct dues_rules rules;
	int col[C_N];
	bool have_header;
	struct {
		int row;
		char **cells;
		size_t n;
	} held[HEADER_SCAN];
	int nheld;
	json_t *errors;
	int64_t nerrors, rows;
	struct op *ops;
	size_t nops, cap;
	uint64_t *seen;		/* (member id, year) of the bases read so far: open addressing, 0 = empty */
	size_t nseen, seen_cap;
	struct {		/* the previous row's member: a payments sheet names each member month after month */
		char *key;
		int64_t id;
	} last;
	int stopped;		/* the row where too many rows or errors stopped the reading, or 0 */
	int fatal;		/* a database failure: its code */
	struct dj_error *err;
};

static void row_error(struct imp *im, int row, int col, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void row_error(struct imp *im, int row, int col, const char *fmt, ...)
{
	char msg[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	im->nerrors++;
	if (json_array_size(im->errors) < MAX_LISTED_ERRORS)
		json_array_append_new(im->errors, json_pack("{s:i, s:s, s:s}", "row", row, "column",
							    col >= 0 ? col_labels[col] : "", "message", msg));
}

static const char *cell(const struct imp *im, const char *const *cells, size_t n, enum col c)
{
	int i = im->col[c];
	return i >= 0 && (size_t)i < n ? cells[i] : "";
}

/* The member a row names, within the import's subtree; 0 after a row error. */
static int64_t find_member(struct imp *im, int row, const char *name, const char *id_card, const char *org)
{
	struct dj_error e = {0};
	int64_t id = 0;
	if (*id_card) {
		char norm[19], hash[65];
		snprintf(norm, sizeof norm, "%s", id_card);
		if (strlen(id_card) != 18) {
			row_error(im, row, C_ID_CARD, "身份证号应为18位");
			return 0;
		}
		if (norm[17] == 'x')
			norm[17] = 'X';
		member_id_card_hash(norm, hash);
		/* Stored hashes may be kept shorter than the hex digest: compare its prefix. */
		json_t *r = db_row(im->db,
				   "SELECT m.id, m.name FROM member m " ORG_JOIN_UP("c", "m.org_id")
				   " WHERE c.ancestor = ? AND m.id_card_hash = substr(?, 1, length(m.id_card_hash))",
				   DB_ARGS(DB_I(im->root), DB_T(hash)), &e);
		if (!r && e.code != DJ_ENOTFOUND) {
			im->fatal = e.code;
			*im->err = e;
			return 0;
		}
		if (!r) {
			row_error(im, row, C_ID_CARD, "本组织范围内没有身份证号为该号码的党员");
			return 0;
		}
		id = json_integer_value(json_object_get(r, "id"));
		if (*name && strcmp(name, json_string_value(json_object_get(r, "name"))))
			row_error(im, row, C_NAME, "姓名“%s”与身份证号登记的党员不符", name);
		json_decref(r);
		return id;
	}
	if (!*name) {
		row_error(im, row, C_NAME, "请填写姓名或身份证号");
		return 0;
	}
	json_t *rows = db_rows(im->db,
			       "SELECT m.id FROM member m " ORG_JOIN_UP("c", "m.org_id") " JOIN org o ON o.id = m.org_id"
			       " WHERE c.ancestor = ? AND m.name = ? AND m.active = 1 AND (CAST(? AS TEXT) IS NULL OR o.code = ? OR o.name = ?)",
			       DB_ARGS(DB_I(im->root), DB_T(name), DB_T(org), DB_T(org), DB_T(org)), &e);
	if (!rows) {
		im->fatal = e.code ? e.code : DJ_EDB;
		*im->err = e;
		return 0;
	}
	size_t n = json_array_size(rows);
	if (n == 1)
		id = json_integer_value(json_object_get(json_array_get(rows, 0), "id"));
	else if (!n)
		row_error(im, row, C_NAME, "本组织范围内没有名为“%s”的党员%s", name, *org ? "（或不在所填党支部）" : "");
	else
		row_error(im, row, C_NAME, "本组织范围内有%zu名党员名为“%s”，请填写身份证号或所在党支部", n, name);
	json_decref(rows);
	return id;
}

static struct op *op_new(struct imp *im)
{
	if (im->nops == im->cap) {
		im->cap = im->cap ? im->cap * 2 : 64;
		im->ops = xrealloc(im->ops, im->cap * sizeof *im->ops);
	}
	struct op *o = &im->ops[im->nops++];
	memset(o, 0, sizeof *o);
	return o;
}

/* Remember (member, year) first named on `row`; the row that named it
 * before, or 0 when this is the first. */
static int seen_add(struct imp *im, int64_t member, int year, int row)
{
	if (2 * (im->nseen + 1) > im->seen_cap) {
		size_t cap = im->seen_cap ? im->seen_cap * 2 : 1024;
		uint64_t *t = xcalloc(cap, sizeof *t);
		for (size_t i = 0; i < im->seen_cap; i++)
			if (im->seen[i])
				for (size_t k = (im->seen[i] >> 24) * 0x9E3779B97F4A7C15u % cap;; k = (k + 1) % cap)
					if (!t[k]) {
						t[k] = im->seen[i];
						break;
					}
		free(im->seen);
		im->seen = t;
		im->seen_cap = cap;
	}
	/* key: member id and year in the high bits, the op index + 1 in the low 24 (a file has ≤ MAX_ROWS rows) */
	uint64_t key = ((uint64_t)member * 4096 + (uint64_t)(year % 4096)) << 24;
	for (size_t k = (key >> 24) * 0x9E3779B97F4A7C15u % im->seen_cap;; k = (k + 1) % im->seen_cap) {
		if (!im->seen[k]) {
			im->seen[k] = key | (uint64_t)im->nops;
			im->nseen++;
			return 0;
		}
		if ((im->seen[k] >> 24) == (key >> 24))
			return im->ops[(im->seen[k] & 0xFFFFFF) - 1].row;
	}
}

static void base_row(struct imp *im, int row, const char *const *cells, size_t n, struct op *o)
{
	const char *ys = cell(im, cells, n, C_YEAR), *cs = cell(im, cells, n, C_CATEGORY), *bs = cell(im, cells, n, C_BASE),
		   *vs = cell(im, cells, n, C_VOLUNTARY);
	struct dj_error e = {0};
	o->year = im->year;
	if (*ys) {
		char *end;
		long y = strtol(ys, &end, 10);
		if (!strncmp(end, "年", 3))
			end += 3;
		if (*end || y < 1950 || y > 2200)
			row_error(im, row, C_YEAR, "年度应为四位数字，如 2026");
		else
			o->year = (int)y;
	}
	if (!o->year)
		row_error(im, row, C_YEAR, "请填写年度（或在导入时选择年度）");
	o->cat = dues_category_find(&im->rules, cs);
	if (!o->cat && *cs)
		row_error(im, row, C_CATEGORY, "未知的缴费类别“%s”", cs);
	else if (!o->cat && !*bs)
		row_error(im, row, C_CATEGORY, "请填写缴费类别或缴纳基数");
	else if (!o->cat)
		o->cat = dues_category_find(&im->rules, "employed");	/* a payroll sheet: pay means 在职 */
	if (*bs && dues_money_parse(bs, &o->base, "base", "缴纳基数", &e))
		row_error(im, row, C_BASE, "%s", e.msg);
	else if (!*bs && o->cat && !o->cat->fixed)
		row_error(im, row, C_BASE, "“%s”党员应填写缴纳基数（每月税后工资收入）", o->cat->label);
	dj_error_clear(&e);
	if (*vs && dues_money_parse(vs, &o->voluntary, "voluntary", "自愿多交金额", &e))
		row_error(im, row, C_VOLUNTARY, "%s", e.msg);
	if (o->w.id && o->year && dues_card_check(&o->w, o->year, im->a->today, &e))
		row_error(im, row, !strcmp(e.field, "year") ? C_YEAR : C_NAME, "%s", e.msg);
	/* The same member twice for one year: the second would silently win. */
	int first = o->w.id && o->year ? seen_add(im, o->w.id, o->year, row) : 0;
	if (first)
		row_error(im, row, C_NAME, "与第%d行是同一党员同一年度", first);
}

static void payment_row(struct imp *im, int row, const char *const *cells, size_t n, struct op *o)
{
	const char *ms = cell(im, cells, n, C_MONTH), *as = cell(im, cells, n, C_AMOUNT), *me = cell(im, cells, n, C_METHOD),
		   *ps = cell(im, cells, n, C_PAID_ON);
	struct dj_error e = {0};
	char month[8];
	int q = dues_quarter_idx(ms);
	if (q >= 0) {
		if (o->w.id && !o->w.mobile)
			row_error(im, row, C_MONTH, "按季度缴纳仅适用于流动党员");
		char jm[8];
		snprintf(jm, sizeof jm, "%.7s", o->w.join);
		for (int i = 0; i < 3; i++)
			if (q + i >= dues_month_idx(jm))
				dues_month_text(q + i, o->months[o->nmonths++]);
		snprintf(o->batch, sizeof o->batch, "%04d-Q%d", q / 12 % 10000, q % 12 / 3 + 1);
		if (o->w.id && !o->nmonths)
			row_error(im, row, C_MONTH, "%s早于该党员入党（%s），不能缴纳党费", ms, o->w.join);
	} else if (table_month_cell(ms, month)) {
		snprintf(o->months[0], 8, "%s", month);
		o->nmonths = 1;
	} else {
		row_error(im, row, C_MONTH, *ms ? "月份“%s”应写作 YYYY-MM（流动党员按季度可写 YYYY-Qn）" : "请填写缴费月份%s", ms);
	}
	if (!*as)
		row_error(im, row, C_AMOUNT, "请填写缴纳金额");
	else if (dues_money_parse(as, &o->amount, "amount", "缴纳金额", &e))
		row_error(im, row, C_AMOUNT, "%s", e.msg);
	else if (o->amount <= 0)
		row_error(im, row, C_AMOUNT, "缴纳金额应大于0");
	dj_error_clear(&e);
	const char *method = *me ? dues_method_code(me) : "other";
	if (!method)
		row_error(im, row, C_METHOD, "未知的缴纳方式“%s”", me);
	else
		snprintf(o->method, sizeof o->method, "%s", method);
	if (*ps && !table_date_cell(ps, o->paid_on))
		row_error(im, row, C_PAID_ON, "缴纳日期应为 YYYY-MM-DD");
	else if (*ps && strcmp(o->paid_on, im->a->today) > 0)
		row_error(im, row, C_PAID_ON, "缴纳日期不能晚于今天");
	else if (!*ps)
		snprintf(o->paid_on, sizeof o->paid_on, "%s", im->a->today);
	for (int i = 0; o->w.id && i < o->nmonths; i++)
		if (dues_payment_check(&o->w, o->months[i], im->a->today, "month", &e)) {
			row_error(im, row, strcmp(e.field, "month") ? C_NAME : C_MONTH, "%s", e.msg);
			break;
		}
}

static int data_row(struct imp *im, int row, const char *const *cells, size_t n)
{
	bool blank = true;
	for (size_t i = 0; i < n && blank; i++)
		blank = !cells[i][0];
	if (blank)
		return 0;
	if (++im->rows > MAX_ROWS || im->nerrors >= MAX_ERRORS) {
		im->stopped = row;
		return 1;
	}
	char *name = trimmed(cell(im, cells, n, C_NAME)), *idc = trimmed(cell(im, cells, n, C_ID_CARD)),
	     *org = trimmed(cell(im, cells, n, C_ORG));
	char *key = xasprintf("%s\x1f%s\x1f%s", name, idc, org);
	int64_t id;
	if (im->last.key && !strcmp(im->last.key, key)) {
		id = im->last.id;
		free(key);
	} else {
		int64_t before = im->nerrors;
		id = find_member(im, row, name, idc, org);
		free(im->last.key);
		im->last.key = id && im->nerrors == before ? key : NULL;	/* only a clean find is reused */
		im->last.id = id;
		if (!im->last.key)
			free(key);
	}
	struct op *o = op_new(im);
	o->row = row;
	o->note = trimmed(cell(im, cells, n, C_NOTE));
	struct dj_error e = {0};
	if (id && !im->fatal) {
		int rc = dues_who_get(im->db, im->a, id, "member_id", &o->w, &e);
		if (rc == DJ_ENOTFOUND)
			row_error(im, row, C_NAME, "%s", e.msg);
		else if (rc) {
			im->fatal = rc;
			*im->err = e;
		}
	}
	if (!im->fatal) {
		if (im->payments)
			payment_row(im, row, cells, n, o);
		else
			base_row(im, row, cells, n, o);
	}
	free(name);
	free(idc);
	free(org);
	return im->fatal;
}

/* The header among the held rows: the one naming the most columns, with a
 * way to find the member and the columns the kind of import needs. */
static int find_header(struct imp *im)
{
	int best = -1, best_score = 0, best_col[C_N];
	for (int i = 0; i < im->nheld; i++) {
		int col[C_N], score = 0;
		for (int c = 0; c < C_N; c++)
			col[c] = -1;
		for (size_t k = 0; k < im->held[i].n && k < MAX_COLS; k++) {
			int c = col_of_heading(im->held[i].cells[k]);
			if (c >= 0 && col[c] < 0) {
				col[c] = (int)k;
				score++;
			}
		}
		bool who = col[C_NAME] >= 0 || col[C_ID_CARD] >= 0;
		bool what = im->payments ? col[C_MONTH] >= 0 && col[C_AMOUNT] >= 0 : col[C_BASE] >= 0 || col[C_CATEGORY] >= 0;
		if (who && what && score > best_score) {
			best = i;
			best_score = score;
			memcpy(best_col, col, sizeof col);
		}
	}
	int rc = 0;
	if (best < 0) {
		if (im->nheld)
			row_error(im, im->held[0].row, -1,
				  im->payments ? "未找到表头：前10行中没有一行同时含“姓名”（或“身份证号”）、“缴费月份”和“缴纳金额”"
					       : "未找到表头：前10行中没有一行同时含“姓名”（或“身份证号”）和“缴纳基数”（或“缴费类别”）");
		rc = 1;
	} else {
		memcpy(im->col, best_col, sizeof best_col);
		im->have_header = true;
		for (int i = best + 1; i < im->nheld && !rc; i++)
			rc = data_row(im, im->held[i].row, (const char *const *)im->held[i].cells, im->held[i].n);
	}
	for (int i = 0; i < im->nheld; i++) {
		for (size_t c = 0; c < im->held[i].n; c++)
			free(im->held[i].cells[c]);
		free(im->held[i].cells);
	}
	im->nheld = 0;
	return rc;
}

static int on_row(void *ud, int row, const char *const *cells, size_t n)
{
	struct imp *im = ud;
	if (im->have_header)
		return data_row(im, row, cells, n);
	im->held[im->nheld].row = row;
	im->held[im->nheld].n = n;
	im->held[im->nheld].cells = xcalloc(n ? n : 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		im->held[im->nheld].cells[i] = xstrdup(cells[i]);
	if (++im->nheld == HEADER_SCAN)
		return find_header(im);
	return 0;
}

static int write_all(struct imp *im, struct dj_error *err)
{
	int rc = db_begin(im->db, err);
	if (rc)
		return rc;
	for (size_t i = 0; i < im->nops && !rc; i++) {
		struct op *o = &im->ops[i];
		if (!im->payments) {
			rc = dues_card_set(im->db, im->a, &o->w, o->year, o->cat, o->base, o->voluntary, o->note, false, err);
			continue;
		}
		for (int k = 0; k < o->nmonths && !rc; k++) {
			int64_t part = o->amount / o->nmonths + (k == 0 ? o->amount % o->nmonths : 0), pid;
			rc = dues_payment_insert(im->db, im->a, &o->w, o->months[k], part, o->method, o->paid_on,
						 o->batch[0] ? "quarter" : "month", o->batch, o->note, &pid, err);
		}
	}
	if (!rc) {
		json_t *after = json_pack("{s:I, s:s}", "rows", (json_int_t)im->nops, "kind", im->payments ? "payments" : "bases");
		if (!im->payments)
			json_object_set_new(after, "year", json_integer(im->year));
		rc = audit_write(im->db, im->a, im->payments ? "dues.import.payments" : "dues.import.bases", "org", im->root,
				 NULL, after, err);
		json_decref(after);
	}
	return db_end(im->db, rc, err);
}

static int import_run(struct db *db, const struct actor *a, int64_t org, bool payments, int year, const void *data,
		      size_t len, bool dry_run, json_t **result, struct dj_error *err)
{
	int rc;
	*result = NULL;
	if ((rc = scope_can_manage(a, err)))
		return rc;
	if (!org && (rc = scope_root_of(db, a, &org, err)))
		return rc;
	if ((rc = scope_org(db, a, org, err))) {
		snprintf(err->field, sizeof err->field, "org");
		return rc;
	}
	if (!len)
		return dj_fail(err, DJ_EINVAL, "file", "请上传 XLSX、XLS 或 CSV 文件");
	struct imp im = {.db = db, .a = a, .root = org, .payments = payments, .year = year, .errors = json_array(), .err = err};
	for (int c = 0; c < C_N; c++)
		im.col[c] = -1;
	if ((rc = dues_rules_load(db, &im.rules, err)))
		goto out;
	struct dj_error rerr = {0};
	rc = table_read(data, len, on_row, &im, &rerr);
	if (im.stopped)
		rc = 0;
	if (!rc && !im.have_header && !im.fatal)
		find_header(&im);
	if (im.fatal) {
		rc = im.fatal;
		goto out;
	}
	if (rc && !im.nerrors) {	/* the file itself could not be read */
		*err = rerr;
		if (!err->field[0])
			snprintf(err->field, sizeof err->field, "file");
		goto out;
	}
	dj_error_clear(&rerr);
	rc = 0;
	if (!im.nerrors && !im.nops)
		row_error(&im, 0, -1, "文件中没有数据行");
	if (im.stopped && !im.nerrors) {
		rc = dj_fail(err, DJ_EINVAL, "file", "文件超过%d行，未导入任何记录；请按党组织或月份分批导入", MAX_ROWS);
		goto out;
	}
	if (im.nerrors) {
		table_errors_sort(im.errors);
		if (im.stopped)
			rc = dj_fail(err, DJ_EINVAL, "file", "错误过多，检查到第%d行时停止：已有%lld处错误，未导入任何记录",
				     im.stopped, (long long)im.nerrors);
		else
			rc = dj_fail(err, DJ_EINVAL, "file", "文件有%lld处错误，未导入任何记录", (long long)im.nerrors);
		err->details = im.errors;
		im.errors = NULL;
		goto out;
	}
	if (!dry_run && (rc = write_all(&im, err)))
		goto out;
	*result = json_pack("{s:I, s:I, s:b}", "rows", (json_int_t)im.rows, "imported", (json_int_t)(dry_run ? 0 : im.nops),
			    "dry_run", dry_run);
out:
	for (int i = 0; i < im.nheld; i++) {
		for (size_t c = 0; c < im.held[i].n; c++)
			free(im.held[i].cells[c]);
		free(im.held[i].cells);
	}
	for (size_t i = 0; i < im.nops; i++)
		free(im.ops[i].note);
	free(im.ops);
	free(im.seen);
	free(im.last.key);
	json_decref(im.errors);
	return rc;
}

int dues_import_bases(struct db *db, const struct actor *a, int64_t org, int year, const void *data, size_t len,
		      bool dry_run, json_t **result, struct dj_error *err)
{
	if (year && (year < 1950 || year > 2200))
		return dj_fail(err, DJ_EINVAL, "year", "年度应在1950到2200之间");
	return import_run(db, a, org, false, year, data, len, dry_run, result, err);
}

int dues_import_payments(struct db *db, const struct actor *a, int64_t org, const void *data, size_t len,
			 bool dry_run, json_t **result, struct dj_error *err)
{
	return import_run(db, a, org, true, 0, data, len, dry_run, result, err);
}
