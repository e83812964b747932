/* xlsx_read.c — the first worksheet of an XLSX file, streamed.  The big
 * parts (shared strings, the sheet) go through libxml2's SAX2 push parser,
 * about twice as fast as its reader API; workbook.xml and its relationships
 * are small and read with the reader. */
#include "io/table.h"

#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "core/date.h"
#include "core/mem.h"

#define MAX_COLS 64

struct strings {
	char **v;
	size_t n, cap;
};

static int zip_read_cb(void *ctx, char *buf, int len)
{
	zip_int64_t n = zip_fread((zip_file_t *)ctx, buf, (zip_uint64_t)len);
	return n < 0 ? -1 : (int)n;
}

static xmlTextReaderPtr open_entry(zip_t *z, const char *name, zip_file_t **zf)
{
	*zf = zip_fopen(z, name, 0);
	if (!*zf)
		return NULL;
	xmlTextReaderPtr r = xmlReaderForIO(zip_read_cb, NULL, *zf, name, "UTF-8",
					    XML_PARSE_NONET | XML_PARSE_COMPACT | XML_PARSE_HUGE);
	if (!r) {
		zip_fclose(*zf);
		*zf = NULL;
	}
	return r;
}

static bool reader_is(xmlTextReaderPtr r, const char *local)
{
	const xmlChar *n = xmlTextReaderConstLocalName(r);
	return n && strcmp((const char *)n, local) == 0;
}

/* Feed one zip entry to a SAX2 push parser.  *ctxp holds the parser while it
 * runs, so a callback can stop it by setting *stop and calling xmlStopParser.
 * -1 if the entry is not well-formed XML. */
static int sax_entry(zip_t *z, const char *name, xmlSAXHandler *h, void *ud, xmlParserCtxtPtr *ctxp,
		     const int *stop, bool *missing)
{
	zip_file_t *zf = zip_fopen(z, name, 0);
	*missing = !zf;
	if (!zf)
		return 0;
	xmlParserCtxtPtr ctx = *ctxp = xmlCreatePushParserCtxt(h, ud, NULL, 0, name);
	xmlCtxtUseOptions(ctx, XML_PARSE_NONET | XML_PARSE_COMPACT | XML_PARSE_HUGE);
	char *chunk = xmalloc(1 << 16);
	zip_int64_t n;
	int rc = 0;
	while (!rc && !*stop && (n = zip_fread(zf, chunk, 1 << 16)) > 0)
		rc = xmlParseChunk(ctx, chunk, (int)n, 0);
	if (!rc && !*stop)
		rc = xmlParseChunk(ctx, chunk, 0, 1);
	int ok = *stop || (rc == 0 && ctx->wellFormed);
	free(chunk);
	xmlFreeParserCtxt(ctx);
	*ctxp = NULL;
	zip_fclose(zf);
	return ok ? 0 : -1;
}

static bool is(const xmlChar *name, const char *local)
{
	return strcmp((const char *)name, local) == 0;
}

static const char *attr(const xmlChar **attrs, int n, const char *local, size_t *len)
{
	for (int i = 0; i < n; i++, attrs += 5)
		if (is(attrs[0], local) && !attrs[1]) {
			*len = (size_t)(attrs[4] - attrs[3]);
			return (const char *)attrs[3];
		}
	return NULL;
}

/* Shared strings: each <si> is the concatenation of its <t> runs, leaving
 * out phonetic guides (<rPh>). */
struct shared_state {
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
			s->v = xrealloc(s->v, s->cap * sizeof *s->v);
		}
		s->v[s->n++] = xstrndup(st->cur.data ? st->cur.data : "", st->cur.len);
	}
}

static void shared_text(void *ud, const xmlChar *ch, int len)
{
	struct shared_state *st = ud;
	if (st->in_si && st->in_t && !st->in_rph)
		buf_append(&st->cur, ch, (size_t)len);
}

static int read_shared(zip_t *z, struct strings *s)
{
	struct shared_state st = {.s = s};
	xmlSAXHandler h = {.initialized = XML_SAX2_MAGIC, .startElementNs = shared_start, .endElementNs = shared_end,
			   .characters = shared_text};
	bool missing;	/* a sheet with no text has no shared strings */
	xmlParserCtxtPtr ctx;
	const int never = 0;
	int rc = sax_entry(z, "xl/sharedStrings.xml", &h, &st, &ctx, &never, &missing);
	buf_free(&st.cur);
	return rc;
}

/* The path of the first sheet from workbook.xml and its relationships;
 * "xl/worksheets/sheet1.xml" if they cannot be read. */
static char *first_sheet(zip_t *z)
{
	zip_file_t *zf;
	char *rid = NULL, *target = NULL;
	xmlTextReaderPtr r = open_entry(z, "xl/workbook.xml", &zf);
	if (r) {
		while (xmlTextReaderRead(r) == 1 && !rid)
			if (xmlTextReaderNodeType(r) == XML_READER_TYPE_ELEMENT && reader_is(r, "sheet")) {
				xmlChar *v = xmlTextReaderGetAttributeNs(r, BAD_CAST "id",
					BAD_CAST "http://schemas.openxmlformats.org/officeDocument/2006/relationships");
				if (v) {
					rid = xstrdup((const char *)v);
					xmlFree(v);
				}
			}
		xmlFreeTextReader(r);
		zip_fclose(zf);
	}
	if (rid && (r = open_entry(z, "xl/_rels/workbook.xml.rels", &zf))) {
		while (xmlTextReaderRead(r) == 1 && !target)
			if (xmlTextReaderNodeType(r) == XML_READER_TYPE_ELEMENT && reader_is(r, "Relationship")) {
				xmlChar *id = xmlTextReaderGetAttribute(r, BAD_CAST "Id");
				xmlChar *t = xmlTextReaderGetAttribute(r, BAD_CAST "Target");
				if (id && t && strcmp((const char *)id, rid) == 0)
					target = t[0] == '/' ? xstrdup((const char *)t + 1)
							     : xasprintf("xl/%s", (const char *)t);
				xmlFree(id);
				xmlFree(t);
			}
		xmlFreeTextReader(r);
		zip_fclose(zf);
	}
	free(rid);
	return target ? target : xstrdup("xl/worksheets/sheet1.xml");
}

/* "AB12" → column index 27 (0-based); -1 if malformed. */
static int col_of_ref(const char *ref)
{
	int c = 0, n = 0;
	for (; *ref >= 'A' && *ref <= 'Z'; ref++, n++)
		c = c * 26 + (*ref - 'A' + 1);
	return n ? c - 1 : -1;
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
	char *cells[MAX_COLS];
	size_t ncells;
	int row;
	int col, next_col, in_v, in_t, stop;
	char type;			/* the cell's t attribute: s(hared), b(ool), i(nline), n(umber), … */
	struct buf val;
	const struct strings *ss;
	table_row_fn fn;
	void *ud;
	xmlParserCtxtPtr ctx;
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
		if ((a = attr(attrs, nattrs, "r", &len)) && len < sizeof ref)
			memcpy(ref, a, len);
		st->col = ref[0] ? col_of_ref(ref) : st->next_col;
		a = attr(attrs, nattrs, "t", &len);
		st->type = a && len ? (len > 1 && a[0] == 'i' ? 'i' : a[0]) : 'n';
		st->next_col = st->col + 1;
		st->val.len = 0;
	} else if (is(name, "v")) {
		st->in_v = 1;
	} else if (is(name, "t")) {
		st->in_t = 1;
	} else if (is(name, "row")) {
		char num[16] = "";
		if ((a = attr(attrs, nattrs, "r", &len)) && len < sizeof num)
			memcpy(num, a, len);
		st->row = num[0] ? atoi(num) : st->row + 1;
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
			v = xstrdup(idx >= 0 && (size_t)idx < st->ss->n ? st->ss->v[idx] : "");
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
		if (emit(st)) {
			st->stop = 1;
			xmlStopParser(st->ctx);
		}
	}
}

static void sheet_text(void *ud, const xmlChar *ch, int len)
{
	struct sheet_state *st = ud;
	if (st->col >= 0 && (st->in_v || st->in_t))
		buf_append(&st->val, ch, (size_t)len);
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
	struct strings ss = {0};
	int rc = 0;
	if (read_shared(z, &ss) < 0)
		rc = dj_fail(err, DJ_EINVAL, "file", "Excel 文件已损坏（共享字符串表无法读取）");
	char *sheet = first_sheet(z);
	struct sheet_state st = {.col = -1, .ss = &ss, .fn = fn, .ud = ud};
	bool missing = false;
	xmlSAXHandler h = {.initialized = XML_SAX2_MAGIC, .startElementNs = sheet_start, .endElementNs = sheet_end,
			   .characters = sheet_text};
	if (!rc && sax_entry(z, sheet, &h, &st, &st.ctx, &st.stop, &missing) < 0)
		rc = dj_fail(err, DJ_EINVAL, "file", "Excel 工作表已损坏，无法读取");
	if (!rc && missing)
		rc = dj_fail(err, DJ_EINVAL, "file", "Excel 文件中没有工作表");
	row_reset(&st);
	buf_free(&st.val);
	free(sheet);
	for (size_t i = 0; i < ss.n; i++)
		free(ss.v[i]);
	free(ss.v);
	zip_close(z);
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
