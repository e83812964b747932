/* fuzz_csv.c — the CSV reader (UTF-8 or GB18030, libcsv) on arbitrary bytes. */
#include <stdint.h>

#include "io/table.h"

static int on_row(void *ud, int row, const char *const *cells, size_t n)
{
	size_t *total = ud;
	for (size_t i = 0; i < n; i++)
		*total += cells[i][0] != 0;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dj_error err = {0};
	size_t total = 0;
	table_read_csv(data, size, on_row, &total, &err);
	dj_error_clear(&err);
	return 0;
}
