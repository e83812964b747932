/* xlsx_write.h — a workbook (libxlsxwriter, constant memory) whose bytes
 * come back in memory: the template and export downloads. */
#ifndef DJ_XLSX_WRITE_H
#define DJ_XLSX_WRITE_H

#include <stddef.h>
#include <xlsxwriter.h>

#include "core/err.h"

/* A new workbook in a temporary file named into path. */
lxw_workbook *xlsx_book_new(char path[64], struct dj_error *err);
/* Close it, read the bytes into *out (caller frees), remove the file. */
int xlsx_book_finish(lxw_workbook *wb, const char *path, char **out, size_t *outlen, struct dj_error *err);

#endif
