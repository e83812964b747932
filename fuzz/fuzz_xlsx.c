/* fuzz_xlsx.c — the XLSX reader (libzip + libxml2 SAX) on arbitrary bytes. */
#include <libxml/parser.h>
#include <stdint.h>

#include "io/table.h"

static int on_row(void *ud, int row, const char *const *cells, size_t n)
{
	size_t *total = ud;
	for (size_t i = 0; i < n; i++)
		*total += cells[i][0] != 0;
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	xmlInitParser();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dj_error err = {0};
	size_t total = 0;
	table_read_xlsx(data, size, on_row, &total, &err);
	dj_error_clear(&err);
	return 0;
}
