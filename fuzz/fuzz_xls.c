/* fuzz_xls.c — the server's side of .xls reading: the frames a reader
 * process sends back (io/xls_read.c).  libfreexl itself runs in that
 * process, not in the server: fuzzing it in process found it converting
 * bytes past a string's end (within 600 runs), which is why.  Seeds are the
 * frames of real rosters (`dangjian xls-rows FILE`). */
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
	table_xls_replay(data, size, on_row, &total, &err);
	dj_error_clear(&err);
	return 0;
}
