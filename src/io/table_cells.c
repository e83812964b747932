/* table_cells.c — what the importers share: dates as people type them in a
 * cell, and row-level error lists. */
#include "io/table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/mem.h"

static int by_row(const void *a, const void *b)
{
	json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "row"));
	json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "row"));
	return (x > y) - (x < y);
}

void table_errors_sort(json_t *errors)
{
	size_t n = json_array_size(errors);
	if (n < 2)
		return;
	json_t **v = xcalloc(n, sizeof *v);
	for (size_t i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(errors, i));
	qsort(v, n, sizeof *v, by_row);
	json_array_clear(errors);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(errors, v[i]);
	free(v);
}

bool table_date_cell(const char *in, char out[11])
{
	int y, m, d;
	char tail[8], s[32];
	/* A date written with its time ("2019-10-24 00:00:00", as other systems
	 * export it): the time is dropped. */
	snprintf(s, sizeof s, "%s", in);
	char *sp = strchr(s, ' ');
	if (sp && sp - s >= 8 && strchr(sp, ':'))
		*sp = 0;
	if (sscanf(s, "%4d-%2d-%2d%1s", &y, &m, &d, tail) == 3 || sscanf(s, "%4d/%2d/%2d%1s", &y, &m, &d, tail) == 3 ||
	    sscanf(s, "%4d.%2d.%2d%1s", &y, &m, &d, tail) == 3 || sscanf(s, "%4d年%2d月%2d日%1s", &y, &m, &d, tail) == 3) {
		date_format(out, y, m, d);
		return date_valid(out);
	}
	if (strlen(s) == 8 && strspn(s, "0123456789") == 8) {
		snprintf(out, 11, "%.4s-%.2s-%.2s", s, s + 4, s + 6);
		return date_valid(out);
	}
	char ym[8], *end;
	if (table_month_cell(s, ym))	/* 1985.10 is a month, not Excel's day 1985 */
		return false;
	double serial = strtod(s, &end);
	/* Serials before 1910 are left out: 2019 alone is a year, not 1905-07-11. */
	if (end != s && !*end && serial >= 3653)
		return table_excel_date(serial, out);
	return false;
}

bool table_month_cell(const char *s, char out[8])
{
	int y, m;
	char tail[8];
	if (sscanf(s, "%4d-%2d%1s", &y, &m, tail) == 2 || sscanf(s, "%4d/%2d%1s", &y, &m, tail) == 2 ||
	    sscanf(s, "%4d.%2d%1s", &y, &m, tail) == 2 || sscanf(s, "%4d年%2d月%1s", &y, &m, tail) == 2 ||
	    (strlen(s) == 6 && strspn(s, "0123456789") == 6 && sscanf(s, "%4d%2d", &y, &m) == 2)) {
		if (y < 1900 || y > 2999 || m < 1 || m > 12)
			return false;
		snprintf(out, 8, "%04d-%02d", y, m);
		return true;
	}
	return false;
}
