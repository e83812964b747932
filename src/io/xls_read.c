/* xls_read.c — Excel 97–2003 workbooks (.xls) through Debian's libfreexl.
 * freexl opens files by path only, so the upload goes to a private temporary
 * file.
 *
 * freexl is not safe on hostile files: fuzzing found it converting bytes
 * past a string's end with iconv (uninitialised stack memory, which could
 * carry an earlier request's data into a cell).  So a program that sets
 * table_xls_isolate() reads .xls in a fresh process of its own binary
 * (`dangjian xls-rows FILE`), with limits on memory and time, and takes the
 * rows back through a pipe: a bad file costs that process, never the
 * server's memory.  Without it (unit tests, the fuzz harness) the file is
 * read in process. */
#include "io/table.h"

#include <errno.h>
#include <fcntl.h>
#include <freexl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
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

/* Read the .xls at `path` in this process. */
static int read_path(const char *path, table_row_fn fn, void *ud, struct dj_error *err)
{
	const void *h = NULL;
	int frc = freexl_open(path, &h);
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

/* ---- isolation ------------------------------------------------------------ */

static const char *helper_exe;	/* set once at start-up, read by every thread */

void table_xls_isolate(const char *exe)
{
	helper_exe = exe;
}

/* The child's side: rows as frames on stdout.  'R' row:u32 n:u32 then n ×
 * (len:u32 bytes); 'E' code:u32 len:u32 message; 'D' done. */
static void put_u32(FILE *f, uint32_t v)
{
	fwrite(&v, sizeof v, 1, f);
}

static int frame_row(void *ud, int row, const char *const *cells, size_t n)
{
	FILE *f = ud;
	fputc('R', f);
	put_u32(f, (uint32_t)row);
	put_u32(f, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		uint32_t len = (uint32_t)strlen(cells[i]);
		put_u32(f, len);
		fwrite(cells[i], 1, len, f);
	}
	return ferror(f) ? -1 : 0;
}

int table_xls_rows_main(const char *path)
{
	/* Bound what a hostile file can take.  Under AddressSanitizer (the test
	 * build) the address-space limit would stop the sanitizer itself. */
	struct rlimit cpu = {20, 20};
	setrlimit(RLIMIT_CPU, &cpu);
#if !defined(__SANITIZE_ADDRESS__)
	struct rlimit as = {1u << 30, 1u << 30};
	setrlimit(RLIMIT_AS, &as);
#endif
	struct dj_error err = {0};
	int rc = read_path(path, frame_row, stdout, &err);
	if (rc) {
		fputc('E', stdout);
		put_u32(stdout, (uint32_t)err.code);
		uint32_t len = (uint32_t)strlen(err.msg);
		put_u32(stdout, len);
		fwrite(err.msg, 1, len, stdout);
	} else {
		fputc('D', stdout);
	}
	dj_error_clear(&err);
	return fflush(stdout) == 0 ? 0 : 1;
}

/* Everything the child wrote, within `cap` bytes and `secs` seconds; -1 if
 * it wrote more or took longer. */
static int slurp(int fd, pid_t pid, struct buf *out, size_t cap, int secs)
{
	time_t end = time(NULL) + secs;
	char chunk[65536];
	for (;;) {
		int left = (int)(end - time(NULL));
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int r = left > 0 ? poll(&p, 1, left * 1000) : 0;
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			kill(pid, SIGKILL);
			return -1;
		}
		ssize_t n = read(fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		if (out->len + (size_t)n > cap) {
			kill(pid, SIGKILL);
			return -1;
		}
		buf_append(out, chunk, (size_t)n);
	}
}

static bool get_u32(const struct buf *b, size_t *at, uint32_t *v)
{
	if (b->len - *at < sizeof *v)
		return false;
	memcpy(v, b->data + *at, sizeof *v);
	*at += sizeof *v;
	return true;
}

int table_xls_replay(const void *data, size_t len, table_row_fn fn, void *ud, struct dj_error *err)
{
	const struct buf whole = {.data = (char *)data, .len = len};
	const struct buf *b = &whole;
	size_t at = 0;
	char *cells[MAX_COLS];
	while (at < b->len) {
		char kind = b->data[at++];
		uint32_t row, n, code, len;
		if (kind == 'D')
			return 0;
		if (kind == 'E' && get_u32(b, &at, &code) && get_u32(b, &at, &len) && b->len - at >= len)
			return dj_fail(err, (int)code, "file", "%.*s", (int)len, b->data + at);
		if (kind != 'R' || !get_u32(b, &at, &row) || !get_u32(b, &at, &n) || n > MAX_COLS)
			break;
		size_t i = 0;
		for (; i < n && get_u32(b, &at, &len) && b->len - at >= len; i++) {
			cells[i] = xstrndup(b->data + at, len);
			at += len;
		}
		int rc = i == n ? fn(ud, (int)row, (const char *const *)cells, n) : -2;
		for (size_t k = 0; k < i; k++)
			free(cells[k]);
		if (rc == -2)
			break;
		if (rc)
			return 0;	/* the caller stopped reading */
	}
	return dj_fail(err, DJ_EINVAL, "file", "不是有效的 Excel 97-2003（.xls）文件，或文件已损坏");
}

static int read_isolated(const char *path, table_row_fn fn, void *ud, struct dj_error *err)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return dj_fail(err, DJ_EIO, "file", "无法读取 .xls 文件（pipe）");
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	char *argv[] = {"dangjian", "xls-rows", (char *)path, NULL};
	extern char **environ;
	pid_t pid;
	int src = posix_spawn(&pid, helper_exe, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	if (src) {
		close(fds[0]);
		return dj_fail(err, DJ_EIO, "file", "无法读取 .xls 文件（%s）", strerror(src));
	}
	struct buf out = {0};
	/* 250,000 rows of a roster are far below 256 MB; 60 s covers a slow disk. */
	int rc = slurp(fds[0], pid, &out, 256u << 20, 60);
	close(fds[0]);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (rc < 0)
		rc = dj_fail(err, DJ_EINVAL, "file", "Excel 97-2003（.xls）文件过大或无法在限定时间内读取");
	else if (!WIFEXITED(status))
		rc = dj_fail(err, DJ_EINVAL, "file", "不是有效的 Excel 97-2003（.xls）文件，或文件已损坏");
	else
		rc = table_xls_replay(out.data, out.len, fn, ud, err);
	buf_free(&out);
	return rc;
}

int table_read_xls(const void *data, size_t len, table_row_fn fn, void *ud, struct dj_error *err)
{
	char path[64];
	if (temp_copy(data, len, path) < 0)
		return dj_fail(err, DJ_EIO, "file", "无法写入临时文件");
	int rc = helper_exe ? read_isolated(path, fn, ud, err) : read_path(path, fn, ud, err);
	unlink(path);
	return rc;
}
