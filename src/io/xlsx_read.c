/* xlsx_read.c — the first worksheet of an XLSX file, streamed through
 * libxml2's SAX2 push parser (about twice as fast as its reader API).
 *
 * Uploads are hostile until read: no DTD is accepted (a DOCTYPE stops the
 * parse, so no entity is ever declared or expanded, nothing is loaded from
 * outside), libxml2's own size limits stay on (never XML_PARSE_HUGE), each
 * zip entry's inflated size and ratio are checked from the central directory
 * before reading and again while reading (the directory can lie), and cells,
 * rows and column letters are bounded.  libxml2's messages, which quote the
 * file, are dropped: the user gets one message of ours instead. */
#include "io/table.h"

#include <libxml/parser.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "core/date.h"
#include "core/mem.h"

#define MAX_COLS 64
#define MAX_COL_REF 16384		/* XFD, Excel's last column */
#define MAX_ROW 1048576			/* Excel's last row */
#define CELL_MAX (128u << 10)		/* Excel keeps 32,767 characters a cell */
#define SHEET_MAX (512ull << 20)	/* inflated; streamed, so it costs time, not memory */
#define STRINGS_MAX (128ull << 20)	/* inflated; the shared strings are held whole */
#define SMALL_MAX (4ull << 20)		/* workbook.xml and its relationships */
#define TOTAL_MAX (576ull << 20)	/* all entries read from one file */
#define RATIO_MAX 200			/* Excel's XML deflates 5–20:1; a bomb 1000:1 */
#define RATIO_FROM (1ull << 20)		/* smaller entries may compress as they like */

#define NS_REL "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

/* The shared strings, NUL-separated in one buffer: a table of tiny strings
 * costs no more memory than its XML. */
struct strings {
	struct buf text;
	uint32_t *off;
	size_t n, cap;
};

/* The file being read, and what has been inflated from it so far. */
struct xlsx {
	zip_t *z;
	zip_uint64_t inflated;
	struct dj_error *err;
};

/* What every SAX state starts with. */
struct xml_run {
	xmlParserCtxtPtr ctx;
	struct dj_error *err;
	int stop;	/* a callback ended the parse */
	int rc;		/* …because the file is refused (err is filled) */
};

static void run_stop(struct xml_run *r, int rc)
{
	r->stop = 1;
	if (rc && !r->rc)
		r->rc = rc;
	xmlStopParser(r->ctx);
}

/* The internal subset begins: refuse before any entity is declared. */
static void refuse_dtd(void *ud, const xmlChar *name, const xmlChar *ext, const xmlChar *sys)
{
	struct xml_run *r = ud;
	run_stop(r, dj_fail(r->err, DJ_EINVAL, "file", "Excel 文件含有 DTD（<!DOCTYPE>），出于安全原因拒绝读取"));
}

/* libxml2's messages quote the uploaded file: none goes to the log. */
static void xml_silent(void *ud, xmlErrorPtr e)
{
}

static void sax_init(xmlSAXHandler *h, startElementNsSAX2Func start, endElementNsSAX2Func end,
		     charactersSAXFunc text)
{
	memset(h, 0, sizeof *h);
	h->initialized = XML_SAX2_MAGIC;
	h->startElementNs = start;
	h->endElementNs = end;
	h->characters = text;
	h->internalSubset = refuse_dtd;
	h->serror = xml_silent;
}

/* Feed one zip entry of at most `cap` inflated bytes to a SAX2 push parser.
 * 0 when read (or stopped by a callback), -1 if it is not well-formed XML
 * (err untouched), or the error code when the file is refused. */
static int sax_entry(struct xlsx *x, const char *name, zip_uint64_t cap, const xmlSAXHandler *h,
		     struct xml_run *run, bool *missing)
{
	zip_stat_t sb;
	zip_stat_init(&sb);
	*missing = zip_stat(x->z, name, 0, &sb) != 0;
	if (*missing)
		return 0;
	const zip_uint64_t need = ZIP_STAT_INDEX | ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE | ZIP_STAT_COMP_METHOD;
	if ((sb.valid & need) != need)
		return dj_fail(x->err, DJ_EINVAL, "file", "Excel 文件已损坏（压缩目录不完整）");
	if (sb.comp_method != ZIP_CM_STORE && sb.comp_method != ZIP_CM_DEFLATE)
		return dj_fail(x->err, DJ_EINVAL, "file", "Excel 文件使用了不支持的压缩方式");
	if (sb.size > cap || x->inflated + sb.size > TOTAL_MAX)
		return dj_fail(x->err, DJ_ETOOBIG, "file", "Excel 文件解压后过大（%s 超过 %llu MiB），拒绝读取", name,
			       (unsigned long long)((sb.size > cap ? cap : TOTAL_MAX) >> 20));
	if (sb.size > RATIO_FROM && sb.size / (sb.comp_size ? sb.comp_size : 1) > RATIO_MAX)
		return dj_fail(x->err, DJ_EINVAL, "file", "Excel 文件的压缩比异常（超过 %d:1），疑似压缩炸弹，拒绝读取",
			       RATIO_MAX);
	zip_file_t *zf = zip_fopen_index(x->z, sb.index, 0);
	if (!zf)
		return dj_fail(x->err, DJ_EINVAL, "file", "Excel 文件已加密或已损坏，无法读取");
	xmlParserCtxtPtr ctx = run->ctx = xmlCreatePushParserCtxt((xmlSAXHandler *)h, run, NULL, 0, name);
	if (!ctx) {
		zip_fclose(zf);
		return dj_fail(x->err, DJ_EIO, "file", "XML 解析器初始化失败");
	}
	/* Never XML_PARSE_NOENT, _DTDLOAD or _HUGE: libxml2's limits stay on. */
	xmlCtxtUseOptions(ctx, XML_PARSE_NONET | XML_PARSE_COMPACT | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	char *chunk = xmalloc(1 << 16);
	zip_uint64_t got = 0;
	zip_int64_t n = 0;
	int rc = 0;
	while (!rc && !run->stop && (n = zip_fread(zf, chunk, 1 << 16)) > 0) {
		got += (zip_uint64_t)n;
		if (got > sb.size) {	/* inflates past what the directory says */
			run_stop(run, dj_fail(x->err, DJ_EINVAL, "file", "Excel 文件已损坏（解压后的大小与记录不符）"));
			break;
		}
		rc = xmlParseChunk(ctx, chunk, (int)n, 0);
	}
	if (!rc && !run->stop && n < 0)
		run_stop(run, dj_fail(x->err, DJ_EINVAL, "file", "Excel 文件已损坏（解压失败）"));
	if (!rc && !run->stop)
		rc = xmlParseChunk(ctx, chunk, 0, 1);
	x->inflated += got;
	int ok = run->stop || (rc == 0 && ctx->wellFormed);
	free(chunk);
	xmlFreeParserCtxt(ctx);
	run->ctx = NULL;
	zip_fclose(zf);
	return run->rc ? run->rc : ok ? 0 : -1;
}

static bool is(const xmlChar *name, const char *local)
{
	return strcmp((const char *)name, local) == 0;
}

/* An attribute by local name; `uri` NULL for one with no namespace. */
static const char *attr_ns(const xmlChar **attrs, int n, const char *local, const char *uri, size_t *len)
{
	for (int i = 0; i < n; i++, attrs += 5)
		if (is(attrs[0], local) && (uri ? attrs[2] && is(attrs[2], uri) : !attrs[1])) {
			*len = (size_t)(attrs[4] - attrs[3]);
			return (const char *)attrs[3];
		}
	return NULL;
}

static const char *attr(const xmlChar **attrs, int n, const char *local, size_t *len)
{
	return attr_ns(attrs, n, local, NULL, len);
}

/* Append text to a cell or shared string, refusing one longer than Excel allows. */
static void text_append(struct xml_run *r, struct buf *b, const xmlChar *ch, int len)
{
	if (b->len + (size_t)len > CELL_MAX) {
		run_stop(r, dj_fail(r->err, DJ_EINVAL, "file", "Excel 单元格内容过长（超过 32767 个字符），拒绝读取"));
		return;
	}
	buf_append(b, ch, (size_t)len);
}

/* Shared strings: each <si> is the concatenation of its <t> runs, leaving
 * out phonetic guides (<rPh>). */
struct shared_state {
	struct xml_run run;
	struct strings *s;
	struct buf cur;
	int in_si, in_t, in_rph;
};

static void shared_start(void *ud, const xmlChar *name, const xmlChar *prefix, const xmlChar *uri, int nns,
			 const xmlChar **ns, int nattrs, int ndef, const xmlChar **attrs)
{
	struct shared_state *st = ud;
	if (is(name, "si")) {
		st->in_si = 1;
		st->cur.len = 0;
	} else if (is(name, "rPh")) {
		st->in_rph = 1;
	} else if (is(name, "t")) {
		st->in_t = 1;
	}
}

static void shared_end(void *ud, const xmlChar *name, const xmlChar *prefix, const xmlChar *uri)
{
	struct shared_state *st = ud;
	if (is(name, "t")) {
		st->in_t = 0;
	} else if (is(name, "rPh")) {
		st->in_rph = 0;
	} else if (is(name, "si")) {
		struct strings *s = st->s;
		st->in_si = 0;
		if (s->n == s->cap) {
			s->cap = s->cap ? s->cap * 2 : 1024;
			s->off = xrealloc(s->off, s->cap * sizeof *s->off);
		}
		s->off[s->n++] = (uint32_t)s->text.len;	/* the entry is at most STRINGS_MAX */
		buf_append(&s->text, st->cur.data ? st->cur.data : "", st->cur.len);
		buf_append(&s->text, "", 1);
	}
}

static void shared_text(void *ud, const xmlChar *ch, int len)
{
	struct shared_state *st = ud;
	if (st->in_si && st->in_t && !st->in_rph)
		text_append(&st->run, &st->cur, ch, len);
}

static int read_shared(struct xlsx *x, struct strings *s)
{
	struct shared_state st = {.run.err = x->err, .s = s};
	xmlSAXHandler h;
	sax_init(&h, shared_start, shared_end, shared_text);
	bool missing;	/* a sheet with no text has no shared strings */
	int rc = sax_entry(x, "xl/sharedStrings.xml", STRINGS_MAX, &h, &st.run, &missing);
	buf_free(&st.cur);
	if (rc < 0)
		rc = dj_fail(x->err, DJ_EINVAL, "file", "Excel 文件已损坏（共享字符串表无法读取）");
	return rc;
}

/* workbook.xml: the relationship id of the first <sheet>. */
struct book_state {
	struct xml_run run;
	char *rid;
};

static void book_start(void *ud, const xmlChar *name, const xmlChar *prefix, const xmlChar *uri, int nns,
		       const xmlChar **ns, int nattrs, int ndef, const xmlChar **attrs)
{
	struct book_state *st = ud;
	size_t len;
	const char *v;
	if (is(name, "sheet") && (v = attr_ns(attrs, nattrs, "id", NS_REL, &len))) {
		st->rid = xstrndup(v, len);
		run_stop(&st->run, 0);
	}
}

/* workbook.xml.rels: the target of that relationship. */
struct rels_state {
	struct xml_run run;
	const char *rid;
	char *target;
};

static void rels_start(void *ud, const xmlChar *name, const xmlChar *prefix, const xmlChar *uri, int nns,
		       const xmlChar **ns, int nattrs, int ndef, const xmlChar **attrs)
{
	struct rels_state *st = ud;
	size_t ilen, tlen;
	const char *id, *t;
	if (!is(name, "Relationship") || !(id = attr(attrs, nattrs, "Id", &ilen)) ||
	    !(t = attr(attrs, nattrs, "Target", &tlen)) || ilen != strlen(st->rid) || memcmp(id, st->rid, ilen) != 0)
		return;
	if (tlen && t[0] == '/')
		st->target = xstrndup(t + 1, tlen - 1);
	else
		st->target = xasprintf("xl/%.*s", (int)tlen, t);
	run_stop(&st->run, 0);
}

/* The path of the first sheet from workbook.xml and its relationships;
 * "xl/worksheets/sheet1.xml" if they cannot be read.  0, or the error code
 * when the file is refused. */
static int first_sheet(struct xlsx *x, char **path)
{
	xmlSAXHandler h;
	bool missing;
	struct book_state b = {.run.err = x->err};
	sax_init(&h, book_start, NULL, NULL);
	int rc = sax_entry(x, "xl/workbook.xml", SMALL_MAX, &h, &b.run, &missing);
	struct rels_state r = {.run.err = x->err, .rid = b.rid};
	if (rc <= 0 && b.rid) {
		sax_init(&h, rels_start, NULL, NULL);
		rc = sax_entry(x, "xl/_rels/workbook.xml.rels", SMALL_MAX, &h, &r.run, &missing);
	}
	free(b.rid);
	*path = r.target ? r.target : xstrdup("xl/worksheets/sheet1.xml");
	return rc > 0 ? rc : 0;
}

/* "AB12" → column index 27 (0-based); -1 unless it is 1–3 letters up to XFD
 * followed by a row number. */
static int col_of_ref(const char *ref)
{
	int c = 0, n = 0;
	for (; *ref >= 'A' && *ref <= 'Z'; ref++)
		if (++n > 3 || (c = c * 26 + (*ref - 'A' + 1)) > MAX_COL_REF)
			return -1;
	if (!n || *ref < '1' || *ref > '9')
		return -1;
	while (*ref >= '0' && *ref <= '9')
		ref++;
	return *ref ? -1 : c - 1;
}

/* A row number 1…MAX_ROW; -1 if it is anything else. */
static int row_number(const char *s, size_t len)
{
	long v = 0;
	if (!len || len > 7)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v >= 1 && v <= MAX_ROW ? (int)v : -1;
}

int table_excel_date(double serial, char out[11])
{
	if (serial < 1 || serial > 120000)
		return 0;
	int y, m, d;
	date_from_days(date_days(1899, 12, 30) + (int64_t)serial, &y, &m, &d);
	date_format(out, y, m, d);
	return 1;
}

struct sheet_state {
	struct xml_run run;
	char *cells[MAX_COLS];
	size_t ncells;
	int row;
	int col, next_col, in_v, in_t;
	char type;			/* the cell's t attribute: s(hared), b(ool), i(nline), n(umber), … */
	struct buf val;
	const struct strings *ss;
	table_row_fn fn;
	void *ud;
};

static void row_reset(struct sheet_state *st)
{
	for (size_t i = 0; i < st->ncells; i++) {
		free(st->cells[i]);
		st->cells[i] = NULL;
	}
	st->ncells = 0;
}

static int emit(struct sheet_state *st)
{
	bool any = false;
	for (size_t i = 0; i < st->ncells; i++) {
		if (!st->cells[i])
			st->cells[i] = xstrdup("");
		else if (st->cells[i][0])
			any = true;
	}
	int rc = any ? st->fn(st->ud, st->row, (const char *const *)st->cells, st->ncells) : 0;
	row_reset(st);
	return rc;
}

static void sheet_start(void *ud, const xmlChar *name, const xmlChar *prefix, const xmlChar *uri, int nns,
			const xmlChar **ns, int nattrs, int ndef, const xmlChar **attrs)
{
	struct sheet_state *st = ud;
	size_t len;
	const char *a;
	if (is(name, "c")) {
		char ref[16] = "";
		if ((a = attr(attrs, nattrs, "r", &len))) {
			if (len < sizeof ref)
				memcpy(ref, a, len);
			if ((st->col = col_of_ref(ref)) < 0) {
				run_stop(&st->run, dj_fail(st->run.err, DJ_EINVAL, "file",
					"Excel 工作表已损坏（第 %d 行有无效的单元格位置）", st->row));
				return;
			}
		} else {
			st->col = st->next_col < MAX_COL_REF ? st->next_col : -1;
		}
		a = attr(attrs, nattrs, "t", &len);
		st->type = a && len ? (len > 1 && a[0] == 'i' ? 'i' : a[0]) : 'n';
		st->next_col = st->col + 1;
		st->val.len = 0;
	} else if (is(name, "v")) {
		st->in_v = 1;
	} else if (is(name, "t")) {
		st->in_t = 1;
	} else if (is(name, "row")) {
		int r = (a = attr(attrs, nattrs, "r", &len)) ? row_number(a, len) : st->row + 1;
		if (r < 1 || r > MAX_ROW) {
			run_stop(&st->run, dj_fail(st->run.err, DJ_EINVAL, "file",
				"Excel 工作表已损坏（第 %d 行之后有无效的行号）", st->row));
			return;
		}
		st->row = r;
		st->next_col = 0;
		row_reset(st);
	}
}

static void sheet_end(void *ud, const xmlChar *name, const xmlChar *prefix, const xmlChar *uri)
{
	struct sheet_state *st = ud;
	if (is(name, "v")) {
		st->in_v = 0;
	} else if (is(name, "t")) {
		st->in_t = 0;
	} else if (is(name, "c")) {
		if (st->col < 0 || st->col >= MAX_COLS)
			return;
		char *v;
		const char *text = st->val.data ? st->val.data : "";
		if (st->type == 's') {
			char *end;
			long idx = st->val.len ? strtol(text, &end, 10) : -1;
			v = xstrdup(idx >= 0 && (size_t)idx < st->ss->n ? st->ss->text.data + st->ss->off[idx] : "");
		} else if (st->type == 'b') {
			v = xstrdup(st->val.len && text[0] == '1' ? "TRUE" : "FALSE");
		} else {
			v = xstrndup(text, st->val.len);
		}
		for (size_t i = st->ncells; i <= (size_t)st->col; i++)
			st->cells[i] = NULL;
		if ((size_t)st->col + 1 > st->ncells)
			st->ncells = (size_t)st->col + 1;
		free(st->cells[st->col]);
		st->cells[st->col] = v;
		st->col = -1;
	} else if (is(name, "row")) {
		if (emit(st))
			run_stop(&st->run, 0);
	}
}

static void sheet_text(void *ud, const xmlChar *ch, int len)
{
	struct sheet_state *st = ud;
	if (st->col >= 0 && (st->in_v || st->in_t))
		text_append(&st->run, &st->val, ch, len);
}

int table_read_xlsx(const void *data, size_t len, table_row_fn fn, void *ud, struct dj_error *err)
{
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(data, len, 0, &ze);
	zip_t *z = src ? zip_open_from_source(src, ZIP_RDONLY, &ze) : NULL;
	if (!z) {
		if (src)
			zip_source_free(src);
		zip_error_fini(&ze);
		return dj_fail(err, DJ_EINVAL, "file", "不是有效的 Excel（.xlsx）文件");
	}
	zip_error_fini(&ze);
	struct xlsx x = {.z = z, .err = err};
	struct strings ss = {0};
	char *sheet = NULL;
	int rc = read_shared(&x, &ss);
	if (!rc)
		rc = first_sheet(&x, &sheet);
	struct sheet_state st = {.run.err = err, .col = -1, .ss = &ss, .fn = fn, .ud = ud};
	bool missing = false;
	xmlSAXHandler h;
	sax_init(&h, sheet_start, sheet_end, sheet_text);
	if (!rc && (rc = sax_entry(&x, sheet, SHEET_MAX, &h, &st.run, &missing)) < 0)
		rc = dj_fail(err, DJ_EINVAL, "file", "Excel 工作表已损坏，无法读取");
	if (!rc && missing)
		rc = dj_fail(err, DJ_EINVAL, "file", "Excel 文件中没有工作表");
	row_reset(&st);
	buf_free(&st.val);
	free(sheet);
	buf_free(&ss.text);
	free(ss.off);
	zip_discard(z);	/* read-only: nothing to write back */
	return rc;
}

int table_read(const void *data, size_t len, table_row_fn fn, void *ud, struct dj_error *err)
{
	if (len >= 4 && memcmp(data, "PK\3\4", 4) == 0)
		return table_read_xlsx(data, len, fn, ud, err);
	if (len >= 4 && memcmp(data, "\xD0\xCF\x11\xE0", 4) == 0)
		return table_read_xls(data, len, fn, ud, err);
	return table_read_csv(data, len, fn, ud, err);
}
