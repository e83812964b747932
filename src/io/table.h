/* table.h — reading spreadsheets row by row: XLSX (libzip + libxml2's
 * streaming reader, so a 200,000-row sheet is never held whole), .xls
 * (libfreexl) and CSV
 * (libcsv; UTF-8 with or without BOM, or GB18030 as Excel on Chinese
 * Windows saves it). */
#ifndef DJ_TABLE_H
#define DJ_TABLE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

/* Called once per non-empty row; `row` is the 1-based row number in the
 * file.  Cells are NUL-terminated UTF-8 ("" when empty).  Return non-zero
 * to stop reading. */
typedef int (*table_row_fn)(void *ud, int row, const char *const *cells, size_t n);

int table_read_xlsx(const void *data, size_t len, table_row_fn fn, void *ud, struct dj_error *err);
int table_read_csv(const void *data, size_t len, table_row_fn fn, void *ud, struct dj_error *err);
/* Excel 97–2003 (.xls, BIFF) through libfreexl: the first worksheet; date
 * cells come as "YYYY-MM-DD". */
int table_read_xls(const void *data, size_t len, table_row_fn fn, void *ud, struct dj_error *err);
/* Read .xls in a fresh process of the executable `exe` (its `xls-rows`
 * command) instead of in this one; set once at start-up. */
void table_xls_isolate(const char *exe);
/* The `xls-rows FILE` command: the rows of FILE as frames on stdout. */
int table_xls_rows_main(const char *path);
/* The frames such a process wrote, handed to `fn` (the server's side). */
int table_xls_replay(const void *data, size_t len, table_row_fn fn, void *ud, struct dj_error *err);
/* Pick the reader by content (XLSX files are zip archives: "PK\3\4"; .xls
 * files OLE2 compound documents: D0 CF 11 E0). */
int table_read(const void *data, size_t len, table_row_fn fn, void *ud, struct dj_error *err);

/* A date cell: 2024-05-01, 2024/5/1, 2024.5.1, 2024年5月1日, 20240501 or an
 * Excel serial (a time after the date is dropped), into "YYYY-MM-DD"; false
 * if it is none of these. */
bool table_date_cell(const char *s, char out[11]);
/* A month: 2024-05, 2024/5, 2024.5, 2024年5月, 202405, into "YYYY-MM".  An
 * Excel number typed as 2024.10 arrives as "2024.1": January, the number
 * cannot tell. */
bool table_month_cell(const char *s, char out[8]);
/* Sort [{row, column, message}] by row (stable for equal rows). */
void table_errors_sort(json_t *errors);

/* An Excel date serial (days since 1899-12-30) as "YYYY-MM-DD"; false if out of range. */
int table_excel_date(double serial, char out[11]);

#endif
