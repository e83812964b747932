/* cli.c — helpers shared by the subcommands. */
#include "cli/cli.h"

#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <wchar.h>

#include "core/mem.h"
#include "attach/attach.h"
#include "crypto/pii.h"
#include "db/db.h"
#include "org/org.h"

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "dangjian %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(see `dangjian %s --help`)\n", cmd);
	return EXIT_USAGE;
}

int cli_fail(const char *cmd, const struct dj_error *err)
{
	if (err->field[0])
		fprintf(stderr, "dangjian %s: %s [%s]\n", cmd, err->msg, err->field);
	else
		fprintf(stderr, "dangjian %s: %s\n", cmd, err->msg);
	switch (err->code) {
	case DJ_EINVAL: case DJ_ECONFLICT: case DJ_ENOTFOUND: case DJ_EFORBIDDEN: case DJ_ETOOBIG:
		return EXIT_USAGE;
	default:
		return EXIT_FAIL;
	}
}

int cli_open(const char *cmd, const char *url, const char *key, bool create_key, struct db **db)
{
	struct dj_error err = {0};
	if (db_open(url, db, &err))
		return cli_fail(cmd, &err);
	char *kp = key ? xstrdup(key) : pii_default_key_path(url);
	int rc = pii_load_key(kp, create_key, &err);
	attach_set_dir_for(url, kp);
	/* A database with a schema is checked against the key (init and
	 * generate keep the check value once they made the schema). */
	if (!rc && db_schema_version(*db) > 0)
		rc = pii_key_check(*db, kp, &err);
	free(kp);
	if (rc) {
		db_close(*db);
		*db = NULL;
		return cli_fail(cmd, &err);
	}
	return 0;
}

char *cli_read_password(const char *file, const char *prompt)
{
	char line[256] = "";
	if (file) {
		FILE *f = fopen(file, "r");
		if (!f)
			return NULL;
		if (!fgets(line, sizeof line, f))
			line[0] = 0;
		fclose(f);
	} else if (isatty(0)) {
		struct termios old, quiet;
		fprintf(stderr, "%s", prompt);
		tcgetattr(0, &old);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(0, TCSANOW, &quiet);
		if (!fgets(line, sizeof line, stdin))
			line[0] = 0;
		tcsetattr(0, TCSANOW, &old);
		fprintf(stderr, "\n");
	} else if (!fgets(line, sizeof line, stdin)) {
		return NULL;
	}
	line[strcspn(line, "\r\n")] = 0;
	return line[0] ? xstrdup(line) : NULL;
}

int cli_org(const char *cmd, struct db *db, const char *spec, int64_t *id)
{
	*id = 0;
	if (!spec || !*spec)
		return cli_usage_error(cmd, "--org is required (an organization code or id)");
	struct dj_error err = {0};
	bool found = false;
	if (org_id_by_code(db, spec, id, &err))
		return cli_fail(cmd, &err);
	if (!*id && strspn(spec, "0123456789") == strlen(spec)) {
		int64_t n = strtoll(spec, NULL, 10);
		if (db_exists(db, &found, "SELECT 1 FROM org WHERE id = ?", DB_ARGS(DB_I(n)), &err))
			return cli_fail(cmd, &err);
		if (found)
			*id = n;
	}
	if (!*id)
		return cli_usage_error(cmd, "no organization with code or id \"%s\"", spec);
	return 0;
}

int cli_open_org(const char *cmd, const char *url, const char *key, const char *org, struct db **db, int64_t *org_id)
{
	int rc = cli_open(cmd, url, key, false, db);
	if (rc)
		return rc;
	if ((rc = cli_org(cmd, *db, org, org_id)))
		db_close(*db);
	return rc;
}

bool cli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return true;
	return false;
}

void cli_print_padded(const char *s, int width)
{
	/* wcwidth needs a UTF-8 locale: this thread takes C.UTF-8 for the count
	 * and leaves the process's locale as it was. */
	int cols = 0;
	locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	locale_t old = utf8 ? uselocale(utf8) : (locale_t)0;
	mbstate_t st = {0};
	for (const char *p = s; *p;) {
		wchar_t wc;
		size_t n = utf8 ? mbrtowc(&wc, p, strlen(p), &st) : 1;
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {	/* not UTF-8: a byte is a column */
			memset(&st, 0, sizeof st);
			n = 1;
			cols++;
		} else {
			int w = utf8 ? wcwidth(wc) : 1;
			cols += w > 0 ? w : 0;
		}
		p += n;
	}
	if (utf8) {
		uselocale(old);
		freelocale(utf8);
	}
	fputs(s, stdout);
	for (; cols < width; cols++)
		putchar(' ');
}
