/* cmd_data.c — serve, import, export, check. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/date.h"
#include "core/mem.h"
#include "crypto/pii.h"
#include "db/db.h"
#include "http/server.h"
#include "member/member_io.h"
#include "notify/notify.h"
#include "life/life.h"
#include "task/task.h"
#include "org/org.h"
#include "platform/platform.h"

#define DEFAULT_DB "dangjian.db"

int cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, 0, 'd'}, {"listen", required_argument, 0, 'l'},
		{"threads", required_argument, 0, 't'}, {"key", required_argument, 0, 'k'},
		{"secure-cookies", no_argument, 0, 's'}, {"quiet", no_argument, 0, 'q'},
		{"help", no_argument, 0, 'h'}, {0}};
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	struct server_opts so = {.db_url = DEFAULT_DB, .listen = "127.0.0.1:8080",
				 .threads = (int)(ncpu > 0 ? (ncpu * 2 < 4 ? 4 : ncpu * 2) : 4)};
	const char *key = NULL;
	int o;
	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'd': so.db_url = optarg; break;
		case 'l': so.listen = optarg; break;
		case 't':
			so.threads = atoi(optarg);
			if (so.threads < 1 || so.threads > 256)
				return cli_usage_error("serve", "--threads must be 1 to 256");
			break;
		case 'k': key = optarg; break;
		case 's': so.secure_cookies = true; break;
		case 'q': so.quiet = true; break;
		case 'h':
			printf("usage: dangjian serve --db DB [--listen HOST:PORT] [--threads N] [--key FILE]\n"
			       "                      [--secure-cookies] [--quiet]\n\n"
			       "Serves the web UI and /api/v1 (default 127.0.0.1:8080, 2 threads per core).  Any\n"
			       "number of servers may share one PostgreSQL database: they keep no state of their\n"
			       "own.  --secure-cookies marks the session cookie Secure (behind HTTPS).\n");
			return EXIT_OK;
		default: return cli_usage_error("serve", "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage_error("serve", "unexpected argument \"%s\"", argv[optind]);
	struct db *db;
	int rc = cli_open("serve", so.db_url, key, false, &db);
	if (rc)
		return rc;
	db_close(db);
	/* The e-mail sender runs beside the server (notify/worker.c). */
	struct notify_worker *w = notify_worker_start(so.db_url);
	rc = server_run(&so);
	notify_worker_stop(w);
	return rc;
}

static char *slurp_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	struct buf b = {0};
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(&b, chunk, n);
	fclose(f);
	*len = b.len;
	return b.data ? buf_detach(&b) : xstrdup("");
}

/* The mapping an import used, as the user can check it and give it back
 * with --map: "列 表头 → 字段". */
static void print_mapping(FILE *f, json_t *mapping)
{
	if (!mapping)
		return;
	fprintf(f, "header row %lld; columns:\n", (long long)json_integer_value(json_object_get(mapping, "header_row")));
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(mapping, "columns"), i, c) {
		const char *field = json_string_value(json_object_get(c, "field"));
		char *h = xstrdup(json_string_value(json_object_get(c, "header")));
		for (char *p = h; *p; p++)
			if (*p == '\n' || *p == '\r')
				*p = ' ';
		if (field)
			fprintf(f, "  %s %s → %s (%s)\n", json_string_value(json_object_get(c, "column")), h, field,
				json_string_value(json_object_get(c, "label")));
		else
			fprintf(f, "  %s %s → ignored\n", json_string_value(json_object_get(c, "column")), h);
		free(h);
	}
}

int cmd_import(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, 0, 'd'}, {"org", required_argument, 0, 'o'}, {"key", required_argument, 0, 'k'},
		{"dry-run", no_argument, 0, 'n'}, {"map", required_argument, 0, 'm'}, {"fields", no_argument, 0, 'f'},
		{"help", no_argument, 0, 'h'}, {0}};
	const char *db_url = DEFAULT_DB, *org = NULL, *key = NULL, *map = NULL;
	bool dry = false, fields = false;
	if (argc < 2 || cli_wants_help(argc, argv)) {
		printf("usage: dangjian import members --db DB --org ORG [--dry-run] [--map '源列=字段,…'] FILE\n"
		       "       dangjian import members --fields\n\n"
		       "Imports members from FILE (.xlsx, .xls, or .csv in UTF-8 or GB18030).  The header row is\n"
		       "found among the first 10 rows (title rows above it are skipped) and its headings are\n"
		       "matched to fields, also under the names other systems use (公民身份号码, 人员类别,\n"
		       "入党时间 …; --fields lists them).  --map overrides: a column by its heading or by its\n"
		       "letter (C=birth_date), a field by its id; '列=-' ignores the column.  Columns the\n"
		       "platform does not keep are ignored.  ORG is an organization code or id; rows may name\n"
		       "an organization below it by code or by name.  The whole file is checked first: any bad\n"
		       "row, and nothing is imported; the errors are printed as row, column, message.\n");
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	if (strcmp(argv[1], "members") != 0)
		return cli_usage_error("import", "only \"import members\" is supported");
	int o;
	optind = 2;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'd': db_url = optarg; break;
		case 'o': org = optarg; break;
		case 'k': key = optarg; break;
		case 'n': dry = true; break;
		case 'm': map = optarg; break;
		case 'f': fields = true; break;
		default: return cli_usage_error("import", "unknown option");
		}
	}
	if (fields) {
		json_t *list = member_import_fields();
		size_t i;
		json_t *x;
		json_array_foreach(list, i, x) {
			printf("%-13s %s%s", json_string_value(json_object_get(x, "field")),
			       json_string_value(json_object_get(x, "label")),
			       json_is_true(json_object_get(x, "required")) ? "（必填）" : "");
			size_t j;
			json_t *h;
			json_array_foreach(json_object_get(x, "headings"), j, h)
				if (j)
					printf("%s%s", j == 1 ? "  也认：" : "、", json_string_value(h));
			printf("\n");
		}
		json_decref(list);
		return EXIT_OK;
	}
	if (optind != argc - 1)
		return cli_usage_error("import", "give exactly one FILE");
	const char *file = argv[optind];
	size_t len;
	char *data = slurp_file(file, &len);
	if (!data)
		return cli_usage_error("import", "cannot read %s: %s", file, strerror(errno));
	struct db *db;
	int rc = cli_open("import", db_url, key, false, &db);
	if (rc) {
		free(data);
		return rc;
	}
	int64_t org_id;
	if ((rc = cli_org("import", db, org, &org_id))) {
		free(data);
		db_close(db);
		return rc;
	}
	struct actor a = actor_cli();
	struct dj_error err = {0};
	json_t *res = NULL;
	const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
	struct member_import_opts io = {.filename = base, .dry_run = dry, .map = map};
	rc = member_import_ex(db, &a, org_id, data, len, &io, &res, &err);
	free(data);
	db_close(db);
	print_mapping(rc ? stderr : stdout, io.mapping);
	json_decref(io.mapping);
	if (rc) {
		size_t i;
		json_t *e;
		json_array_foreach(err.details, i, e)
			fprintf(stderr, "%lld, %s, %s\n", (long long)json_integer_value(json_object_get(e, "row")),
				json_string_value(json_object_get(e, "column")),
				json_string_value(json_object_get(e, "message")));
		rc = cli_fail("import", &err);
		dj_error_clear(&err);
		return rc;
	}
	printf("%s: %lld rows, %lld members imported%s\n", file, (long long)json_integer_value(json_object_get(res, "rows")),
	       (long long)json_integer_value(json_object_get(res, "imported")), dry ? " (dry run: nothing stored)" : "");
	json_decref(res);
	return EXIT_OK;
}

int cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, 0, 'd'}, {"org", required_argument, 0, 'O'}, {"output", required_argument, 0, 'o'},
		{"key", required_argument, 0, 'k'}, {"reveal", no_argument, 0, 'r'}, {"help", no_argument, 0, 'h'}, {0}};
	const char *db_url = DEFAULT_DB, *org = NULL, *out = NULL, *key = NULL;
	bool reveal = false;
	if (argc < 2 || cli_wants_help(argc, argv)) {
		printf("usage: dangjian export members --db DB --org ORG -o FILE.xlsx [--reveal]\n\n"
		       "Writes the members of ORG and the organizations below it, in the template's columns.\n"
		       "身份证号 and phone numbers are masked unless --reveal is given (recorded in the audit log).\n");
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	if (strcmp(argv[1], "members") != 0)
		return cli_usage_error("export", "only \"export members\" is supported");
	int o;
	optind = 2;
	while ((o = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		switch (o) {
		case 'd': db_url = optarg; break;
		case 'O': org = optarg; break;
		case 'o': out = optarg; break;
		case 'k': key = optarg; break;
		case 'r': reveal = true; break;
		default: return cli_usage_error("export", "unknown option");
		}
	}
	if (!out)
		return cli_usage_error("export", "-o FILE.xlsx is required");
	struct db *db;
	int64_t org_id;
	int rc = cli_open_org("export", db_url, key, org, &db, &org_id);
	if (rc)
		return rc;
	struct actor a = actor_cli();
	struct dj_error err = {0};
	char *data;
	size_t len;
	rc = member_export(db, &a, org_id, reveal, &data, &len, &err);
	db_close(db);
	if (rc)
		return cli_fail("export", &err);
	FILE *f = fopen(out, "wb");
	if (!f || fwrite(data, 1, len, f) != len) {
		if (f)
			fclose(f);
		free(data);
		fprintf(stderr, "dangjian export: cannot write %s: %s\n", out, strerror(errno));
		return EXIT_FAIL;
	}
	fclose(f);
	free(data);
	printf("wrote %s\n", out);
	return EXIT_OK;
}

int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, 0, 'd'}, {"org", required_argument, 0, 'o'}, {"period", required_argument, 0, 'p'},
		{"rule", required_argument, 0, 'r'}, {"key", required_argument, 0, 'k'}, {"json", no_argument, 0, 'j'},
		{"help", no_argument, 0, 'h'}, {0}};
	const char *db_url = DEFAULT_DB, *org = NULL, *period = NULL, *rule = NULL, *key = NULL;
	bool as_json = false;
	int o;
	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'd': db_url = optarg; break;
		case 'o': org = optarg; break;
		case 'p': period = optarg; break;
		case 'r': rule = optarg; break;
		case 'k': key = optarg; break;
		case 'j': as_json = true; break;
		case 'h':
			printf("usage: dangjian check --db DB --org ORG [--period YYYY-MM] [--rule RULE] [--json]\n\n"
			       "Prints the rule findings for ORG and everything below it: elections due or overdue,\n"
			       "branches below 3 full members or without a committee at 7, probation ended without\n"
			       "a vote …, and organizational life for the month: meetings, 党课 and 主题党日 not held,\n"
			       "members who missed a 党课 or a 谈心谈话 (rules per org kind, see /api/v1/life/rules),\n"
			       "task assignments past their deadline and contacts not named in time.\n"
			       "Exit status 0 even when there are findings; 2 on bad input.\n");
			return EXIT_OK;
		default: return cli_usage_error("check", "unknown option");
		}
	}
	if (period) {
		int py, pm;
		if (!date_month_parse(period, &py, &pm))
			return cli_usage_error("check", "--period must be YYYY-MM");
		/* A period is judged with all of it behind: as of the first day
		 * after it, so a month without its meeting is missing, not
		 * still pending. */
		char first[11], after[11];
		date_format(first, py, pm, 1);
		date_add(after, first, 0, 1, 0);
		date_pin(after);
	}
	struct db *db;
	int64_t org_id;
	int rc = cli_open_org("check", db_url, key, org, &db, &org_id);
	if (rc)
		return rc;
	struct actor a = actor_cli();	/* acts on today, or the day pinned above */
	struct dj_error err = {0};
	const char *today = a.today;
	json_t *f = json_array();
	if (platform_findings(db, &a, org_id, today, rule, f, &err)) {
		json_decref(f);
		f = NULL;
	}
	db_close(db);
	if (!f)
		return cli_fail("check", &err);
	if (as_json) {
		char *s = json_dumps(f, JSON_INDENT(2));
		puts(s);
		free(s);
	} else {
		size_t i;
		json_t *x;
		json_array_foreach(f, i, x)
			printf("[%s] %s：%s\n", json_string_value(json_object_get(x, "level")),
			       json_string_value(json_object_get(x, "title")),
			       json_string_value(json_object_get(x, "message")));
		printf("%zu findings\n", json_array_size(f));
	}
	json_decref(f);
	return EXIT_OK;
}
