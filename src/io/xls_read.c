/* xls_read.c — Excel 97–2003 workbooks (.xls) through Debian's libfreexl.
 * freexl opens files by path only, so the upload goes to a private temporary
 * file that is unlinked as soon as it is open. */
#include "io/table.h"

#include <freexl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/mem.h"

#define MAX_COLS 64		/* as the other readers: a roster has far fewer */
#define MAX_ROWS 250000

/* The upload as a file freexl can open; its path in `path`.  -1 on failure. */
static int temp_copy(const void *data, size_t len, char path[64])
{
	const char *dir = getenv("TMPDIR");
	snprintf(path, 64, "%s/dj-xls-XXXXXX", dir && *dir && strlen(dir) < 40 ? dir : "/tmp");
	int fd = mkstemp(path);
	if (fd < 0)
		return -1;
	const char *p = data;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n <= 0) {
			close(fd);
			unlink(path);
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	close(fd);
	return 0;
}

/* A cell as text: numbers as Excel shows them without a format (20191024,
 * 13800000001), dates as YYYY-MM-DD, a date-time's date only. */
static char *cell_text(const FreeXL_CellValue *v)
{
	switch (v->type) {
	case FREEXL_CELL_INT:
		return xasprintf("%d", v->value.int_value);
	case FREEXL_CELL_DOUBLE:
		return xasprintf("%.15g", v->value.double_value);
	case FREEXL_CELL_TEXT:
	case FREEXL_CELL_SST_TEXT:
	case FREEXL_CELL_TIME:
		return xstrdup(v->value.text_value ? v->value.text_value : "");
	case FREEXL_CELL_DATE:
	case FREEXL_CELL_DATETIME:
		return xstrndup(v->value.text_value ? v->value.text_value : "", 10);
	default:
		return xstrdup("");
	}
}

int table_read_xls(const void *data, size_t len, table_row_fn fn, void *ud, struct dj_error *err)
{
	char path[64];
	if (temp_copy(data, len, path) < 0)
		return dj_fail(err, DJ_EIO, "file", "无法写入临时文件");
	const void *h = NULL;
	int frc = freexl_open(path, &h);
	unlink(path);
	unsigned int sheets = 0, rows = 0;
	unsigned short cols = 0;
	if (frc == FREEXL_OK)
		frc = freexl_get_info(h, FREEXL_BIFF_SHEET_COUNT, &sheets);
	if (frc == FREEXL_OK && sheets == 0) {
		freexl_close(h);
		return dj_fail(err, DJ_EINVAL, "file", "Excel 文件中没有工作表");
	}
	if (frc == FREEXL_OK)
		frc = freexl_select_active_worksheet(h, 0);
	if (frc == FREEXL_OK)
		frc = freexl_worksheet_dimensions(h, &rows, &cols);
	if (frc != FREEXL_OK) {
		if (h)
			freexl_close(h);
		if (frc == FREEXL_INSUFFICIENT_MEMORY)
			return dj_fail(err, DJ_EIO, "file", "内存不足，无法读取 Excel 文件");
		return dj_fail(err, DJ_EINVAL, "file", "不是有效的 Excel 97-2003（.xls）文件，或文件已损坏");
	}
	if (rows > MAX_ROWS) {
		freexl_close(h);
		return dj_fail(err, DJ_EINVAL, "file", "工作表超过 %d 行", MAX_ROWS);
	}
	size_t ncols = cols > MAX_COLS ? MAX_COLS : cols;
	char *cells[MAX_COLS];
	int rc = 0;
	for (unsigned int r = 0; r < rows && !rc; r++) {
		size_t n = 0;
		bool any = false;
		for (unsigned short c = 0; c < ncols; c++) {
			FreeXL_CellValue v;
			cells[c] = freexl_get_cell_value(h, r, c, &v) == FREEXL_OK ? cell_text(&v) : xstrdup("");
			if (cells[c][0]) {
				any = true;
				n = (size_t)c + 1;
			}
		}
		if (any)
			rc = fn(ud, (int)r + 1, (const char *const *)cells, n);
		for (size_t c = 0; c < ncols; c++)
			free(cells[c]);
	}
	freexl_close(h);
	return 0;
}
