/* csv_read.c — CSV through libcsv, in UTF-8 or GB18030. */
#include "io/table.h"

#include <csv.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/valid.h"

#define MAX_COLS 64

struct csv_state {
	char *cells[MAX_COLS];
	size_t n;
	int row, stop;
	table_row_fn fn;
	void *ud;
};

static void on_field(void *s, size_t len, void *ud)
{
	struct csv_state *st = ud;
	if (st->n < MAX_COLS)
		st->cells[st->n++] = xstrndup(s ? s : "", len);
}

static void on_row(int c, void *ud)
{
	(void)c;
	struct csv_state *st = ud;
	st->row++;
	bool any = false;
	for (size_t i = 0; i < st->n; i++)
		if (st->cells[i][0])
			any = true;
	if (any && !st->stop)
		st->stop = st->fn(st->ud, st->row, (const char *const *)st->cells, st->n);
	for (size_t i = 0; i < st->n; i++)
		free(st->cells[i]);
	st->n = 0;
}

/* Convert GB18030 to UTF-8; NULL if the bytes are not GB18030 either. */
static char *from_gb18030(const char *in, size_t len, size_t *outlen)
{
	iconv_t cd = iconv_open("UTF-8", "GB18030");
	if (cd == (iconv_t)-1)
		return NULL;
	size_t cap = len * 2 + 16;
	char *out = xmalloc(cap);
	char *ip = (char *)in, *op = out;
	size_t il = len, ol = cap;
	size_t r = iconv(cd, &ip, &il, &op, &ol);
	iconv_close(cd);
	if (r == (size_t)-1) {
		free(out);
		return NULL;
	}
	*outlen = (size_t)(op - out);
	return out;
}

int table_read_csv(const void *data, size_t len, table_row_fn fn, void *ud, struct dj_error *err)
{
	const char *p = data;
	char *conv = NULL;
	if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
		p += 3;
		len -= 3;
	}
	if (memchr(p, 0, len))
		return dj_fail(err, DJ_EINVAL, "file", "文件不是文本格式的 CSV，也不是 .xlsx");
	if (!utf8_valid(p, len)) {
		size_t n;
		conv = from_gb18030(p, len, &n);
		if (!conv)
			return dj_fail(err, DJ_EINVAL, "file", "无法识别文件编码（应为 UTF-8 或 GB18030/GBK）");
		p = conv;
		len = n;
	}
	struct csv_parser cp;
	if (csv_init(&cp, CSV_APPEND_NULL) != 0) {
		free(conv);
		return dj_fail(err, DJ_EIO, "file", "CSV 解析器初始化失败");
	}
	struct csv_state st = {.fn = fn, .ud = ud};
	int rc = 0;
	if (csv_parse(&cp, p, len, on_field, on_row, &st) != len)
		rc = dj_fail(err, DJ_EINVAL, "file", "CSV 格式错误：%s", csv_strerror(csv_error(&cp)));
	else
		csv_fini(&cp, on_field, on_row, &st);
	for (size_t i = 0; i < st.n; i++)
		free(st.cells[i]);
	csv_free(&cp);
	free(conv);
	return rc;
}
