/* table_errors.c — row-level error lists of the importers. */
#include "io/table.h"

#include <stdlib.h>

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

