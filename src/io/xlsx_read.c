/* xlsx_read.c — the first worksheet of an XLSX file, streamed. */
#include "io/table.h"

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

static bool is(xmlTextReaderPtr r, const char *local)
{
	const xmlChar *n = xmlTextReaderConstLocalName(r);
	return n && strcmp((const char *)n, local) == 0;
}

/* Shared strings: each <si> is the concatenation of its <t> runs, leaving
 * out phonetic guides (<rPh>). */
static int read_shared(zip_t *z, struct strings *s)
{
	zip_file_t *zf;
	xmlTextReaderPtr r = open_entry(z, "xl/sharedStrings.xml", &zf);
	if (!r)
		return 0;	/* a sheet with no text has no shared strings */
	struct buf cur = {0};
	int in_si = 0, in_t = 0, in_rph = 0, rc;
	while ((rc = xmlTextReaderRead(r)) == 1) {
		int type = xmlTextReaderNodeType(r);
		if (type == XML_READER_TYPE_ELEMENT) {
			if (is(r, "si")) {
				in_si = 1;
				buf_free(&cur);
				if (xmlTextReaderIsEmptyElement(r))
					goto push;
			} else if (is(r, "rPh")) {
				in_rph = !xmlTextReaderIsEmptyElement(r);
			} else if (is(r, "t")) {
				in_t = !xmlTextReaderIsEmptyElement(r);
			}
		} else if ((type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE) && in_t &&
			   !in_rph && in_si) {
			buf_puts(&cur, (const char *)xmlTextReaderConstValue(r));
		} else if (type == XML_READER_TYPE_END_ELEMENT) {
			if (is(r, "t"))
				in_t = 0;
			else if (is(r, "rPh"))
				in_rph = 0;
			else if (is(r, "si")) {
push:
				in_si = 0;
				if (s->n == s->cap) {
					s->cap = s->cap ? s->cap * 2 : 1024;
					s->v = xrealloc(s->v, s->cap * sizeof *s->v);
				}
				s->v[s->n++] = buf_detach(&cur);
			}
		}
	}
	buf_free(&cur);
	xmlFreeTextReader(r);
	zip_fclose(zf);
	return rc < 0 ? -1 : 0;
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
			if (xmlTextReaderNodeType(r) == XML_READER_TYPE_ELEMENT && is(r, "sheet")) {
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
			if (xmlTextReaderNodeType(r) == XML_READER_TYPE_ELEMENT && is(r, "Relationship")) {
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
};

static void row_reset(struct sheet_state *st)
{
	for (size_t i = 0; i < st->ncells; i++) {
		free(st->cells[i]);
		st->cells[i] = NULL;
	}
	st->ncells = 0;
}

static int emit(struct sheet_state *st, table_row_fn fn, void *ud)
{
	bool any = false;
	for (size_t i = 0; i < st->ncells; i++) {
		if (!st->cells[i])
			st->cells[i] = xstrdup("");
		else if (st->cells[i][0])
			any = true;
	}
	int rc = any ? fn(ud, st->row, (const char *const *)st->cells, st->ncells) : 0;
	row_reset(st);
	return rc;
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
	zip_file_t *zf = NULL;
	xmlTextReaderPtr r = rc ? NULL : open_entry(z, sheet, &zf);
	if (!rc && !r)
		rc = dj_fail(err, DJ_EINVAL, "file", "Excel 文件中没有工作表");
	struct sheet_state st = {0};
	int col = -1, next_col = 0, in_v = 0, in_t = 0;
	char type[16] = "";
	struct buf val = {0};
	while (!rc && r) {
		int ok = xmlTextReaderRead(r);
		if (ok != 1) {
			if (ok < 0)
				rc = dj_fail(err, DJ_EINVAL, "file", "Excel 工作表已损坏，无法读取");
			break;
		}
		int nt = xmlTextReaderNodeType(r);
		if (nt == XML_READER_TYPE_ELEMENT) {
			if (is(r, "row")) {
				xmlChar *rn = xmlTextReaderGetAttribute(r, BAD_CAST "r");
				st.row = rn ? atoi((const char *)rn) : st.row + 1;
				xmlFree(rn);
				next_col = 0;
				if (xmlTextReaderIsEmptyElement(r))
					row_reset(&st);
			} else if (is(r, "c")) {
				xmlChar *ref = xmlTextReaderGetAttribute(r, BAD_CAST "r");
				xmlChar *t = xmlTextReaderGetAttribute(r, BAD_CAST "t");
				col = ref ? col_of_ref((const char *)ref) : next_col;
				snprintf(type, sizeof type, "%s", t ? (const char *)t : "n");
				xmlFree(ref);
				xmlFree(t);
				next_col = col + 1;
				buf_free(&val);
				if (xmlTextReaderIsEmptyElement(r))
					col = -1;
			} else if (is(r, "v")) {
				in_v = 1;
			} else if (is(r, "t")) {
				in_t = 1;
			}
		} else if (nt == XML_READER_TYPE_TEXT || nt == XML_READER_TYPE_SIGNIFICANT_WHITESPACE) {
			if (in_v || in_t)
				buf_puts(&val, (const char *)xmlTextReaderConstValue(r));
		} else if (nt == XML_READER_TYPE_END_ELEMENT) {
			if (is(r, "v")) {
				in_v = 0;
			} else if (is(r, "t")) {
				in_t = 0;
			} else if (is(r, "c") && col >= 0 && col < MAX_COLS) {
				char *v;
				if (strcmp(type, "s") == 0) {
					long idx = val.data ? strtol(val.data, NULL, 10) : -1;
					v = xstrdup(idx >= 0 && (size_t)idx < ss.n ? ss.v[idx] : "");
				} else if (strcmp(type, "b") == 0) {
					v = xstrdup(val.data && val.data[0] == '1' ? "TRUE" : "FALSE");
				} else {
					v = buf_detach(&val);
				}
				buf_free(&val);
				for (size_t i = st.ncells; i <= (size_t)col; i++)
					st.cells[i] = NULL;
				if ((size_t)col + 1 > st.ncells)
					st.ncells = (size_t)col + 1;
				free(st.cells[col]);
				st.cells[col] = v;
				col = -1;
			} else if (is(r, "row")) {
				if (emit(&st, fn, ud))
					break;
			}
		}
	}
	row_reset(&st);
	buf_free(&val);
	if (r)
		xmlFreeTextReader(r);
	if (zf)
		zip_fclose(zf);
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
	return table_read_csv(data, len, fn, ud, err);
}
