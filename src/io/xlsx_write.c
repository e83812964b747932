/* xlsx_write.c — workbooks written to a temporary file and read back. */
#include "io/xlsx_write.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/mem.h"

static int slurp(const char *path, char **out, size_t *outlen, struct dj_error *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return dj_fail(err, DJ_EIO, "", "cannot read %s: %s", path, strerror(errno));
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	*out = xmalloc((size_t)n + 1);
	*outlen = fread(*out, 1, (size_t)n, f);
	fclose(f);
	return 0;
}

lxw_workbook *xlsx_book_new(char path[64], struct dj_error *err)
{
	snprintf(path, 64, "%s/dangjian-xlsx-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	int fd = mkstemp(path);
	if (fd < 0) {
		dj_fail(err, DJ_EIO, "", "cannot create a temporary file: %s", strerror(errno));
		return NULL;
	}
	close(fd);
	lxw_workbook_options opt = {.constant_memory = LXW_TRUE};
	lxw_workbook *wb = workbook_new_opt(path, &opt);
	if (!wb) {
		unlink(path);
		dj_fail(err, DJ_EIO, "", "cannot create an XLSX workbook");
	}
	return wb;
}

int xlsx_book_finish(lxw_workbook *wb, const char *path, char **out, size_t *outlen, struct dj_error *err)
{
	lxw_error e = workbook_close(wb);
	int rc = e == LXW_NO_ERROR ? slurp(path, out, outlen, err)
				   : dj_fail(err, DJ_EIO, "", "XLSX: %s", lxw_strerror(e));
	unlink(path);
	return rc;
}

