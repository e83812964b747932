/* cmd_figures.c — `dangjian figures`: every registered figure for a scope
 * and period, or the records behind one; --check proves that each value
 * equals what its records add up to. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/date.h"
#include "db/db.h"
#include "platform/figure.h"
#include "platform/module.h"

enum fmt { FMT_TABLE, FMT_CSV, FMT_JSON };

/* A CSV field: quoted when it holds a comma, a quote or a line break. */
static void csv_field(const char *s, bool last)
{
	if (strpbrk(s, ",\"\r\n")) {
		putchar('"');
		for (; *s; s++) {
			if (*s == '"')
				putchar('"');
			putchar(*s);
		}
		putchar('"');
	} else {
		fputs(s, stdout);
	}
	putchar(last ? '\n' : ',');
}

static char *value_text(json_t *v)
{
	return json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_REAL_PRECISION(10));
}

static void print_value(const struct figure *f, json_t *v, enum fmt fmt)
{
	char *val = value_text(json_object_get(v, "value"));
	if (fmt == FMT_CSV) {
		csv_field(f->id, false);
		csv_field(f->label, false);
		csv_field(val, false);
		csv_field(f->unit, true);
	} else {
		printf("%-36s %-24s %12s %s", f->id, f->label, val, f->unit);
		if (f->kind == FIGURE_RATIO) {
			char *num = value_text(json_object_get(v, "num")), *den = value_text(json_object_get(v, "den"));
			printf("  (%s / %s)", num, den);
			free(num);
			free(den);
		}
		putchar('\n');
		const char *k;
		json_t *n;
		json_object_foreach(json_object_get(v, "by"), k, n) {
			char *t = value_text(n);
			printf("%-36s   %s: %s\n", "", *k ? k : "（空）", t);
			free(t);
		}
	}
	free(val);
}

static void print_records(json_t *r, enum fmt fmt)
{
	json_t *items = json_object_get(r, "items");
	if (fmt == FMT_JSON) {
		json_dumpf(r, stdout, JSON_INDENT(1));
		putchar('\n');
		return;
	}
	size_t i;
	json_t *row;
	json_array_foreach(items, i, row) {
		if (i == 0 && fmt == FMT_CSV) {
			const char *k;
			json_t *x;
			size_t n = json_object_size(row), j = 0;
			json_object_foreach(row, k, x) csv_field(k, ++j == n);
		}
		const char *k;
		json_t *x;
		size_t n = json_object_size(row), j = 0;
		json_object_foreach(row, k, x) {
			char *t = json_is_string(x) ? strdup(json_string_value(x)) : json_is_null(x) ? strdup("") : value_text(x);
			if (fmt == FMT_CSV)
				csv_field(t, ++j == n);
			else
				printf("%s%s", t, ++j == n ? "\n" : "\t");
			free(t);
		}
	}
	if (fmt == FMT_TABLE)
		printf("(%lld records)\n", (long long)json_integer_value(json_object_get(r, "total")));
}

/* Does the value equal what its records (all pages) add up to? */
static int check_one(struct db *db, const struct figure *f, const struct figure_scope *s, struct dj_error *err)
{
	json_t *v = figure_value(db, f, s, err);
	if (!v)
		return -1;
	int bad = 0;
	for (int part = 0; part < (f->kind == FIGURE_RATIO ? 2 : 1); part++) {
		json_t *r = figure_records(db, f, s, part ? "den" : "num", NULL, 1, 1000000, err);
		if (!r) {
			json_decref(v);
			return -1;
		}
		json_t *items = json_object_get(r, "items");
		double listed = 0;
		size_t i;
		json_t *row;
		json_array_foreach(items, i, row)
			listed += f->kind == FIGURE_SUM ? json_number_value(json_object_get(row, f->sum_col)) : 1;
		const char *key = f->kind == FIGURE_RATIO ? (part ? "den" : "num") : "value";
		double stated = json_number_value(json_object_get(v, key));
		if (stated != listed || (double)json_integer_value(json_object_get(r, "total")) != (double)json_array_size(items)) {
			printf("MISMATCH %s %s: value %g, records %g\n", f->id, key, stated, listed);
			bad = 1;
		}
		json_decref(r);
	}
	json_decref(v);
	return bad;
}

int cmd_figures(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, 0, 'd'}, {"key", required_argument, 0, 'k'}, {"org", required_argument, 0, 'o'},
		{"from", required_argument, 0, 'f'}, {"to", required_argument, 0, 't'}, {"on", required_argument, 0, 'n'},
		{"format", required_argument, 0, 'F'}, {"id", required_argument, 0, 'i'},
		{"records", no_argument, 0, 'r'}, {"check", no_argument, 0, 'c'}, {"part", required_argument, 0, 'p'},
		{"key-value", required_argument, 0, 'K'}, {"help", no_argument, 0, 'h'}, {0}};
	const char *db_url = "dangjian.db", *key = NULL, *org = NULL, *from = NULL, *to = NULL, *on = NULL, *id = NULL,
		   *part = NULL, *kv = NULL;
	enum fmt fmt = FMT_TABLE;
	bool records = false, check = false;
	int o;
	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'd': db_url = optarg; break;
		case 'k': key = optarg; break;
		case 'o': org = optarg; break;
		case 'f': from = optarg; break;
		case 't': to = optarg; break;
		case 'n': on = optarg; break;
		case 'i': id = optarg; break;
		case 'r': records = true; break;
		case 'c': check = true; break;
		case 'p': part = optarg; break;
		case 'K': kv = optarg; break;
		case 'F':
			if (strcmp(optarg, "table") == 0)
				fmt = FMT_TABLE;
			else if (strcmp(optarg, "csv") == 0)
				fmt = FMT_CSV;
			else if (strcmp(optarg, "json") == 0)
				fmt = FMT_JSON;
			else
				return cli_usage_error("figures", "--format must be table, csv or json");
			break;
		case 'h':
			printf("usage: dangjian figures --db DB --org ORG [--from D --to D | --on D] [--format table|csv|json]\n"
			       "       dangjian figures --db DB --org ORG --id ID --records [--part num|den] [--key-value K]\n"
			       "       dangjian figures --db DB --org ORG --check\n\n"
			       "Prints every registered figure (id, label, value, unit) for the org's subtree: stocks as of\n"
			       "--on (default today), flows from --from to --to (default 1 January to today).  With --id\n"
			       "and --records, the records behind one figure.  --check recounts every figure from its\n"
			       "records and prints any that disagree (exit 1).\n");
			return EXIT_OK;
		default: return cli_usage_error("figures", "unknown option");
		}
	}
	if (records && !id)
		return cli_usage_error("figures", "--records needs --id");
	const struct figure *one = id ? figure_find(id) : NULL;
	if (id && !one)
		return cli_usage_error("figures", "no figure \"%s\" (dangjian figures lists them)", id);
	struct db *db;
	int64_t org_id;
	int rc = cli_open_org("figures", db_url, key, org, &db, &org_id);
	if (rc)
		return rc;
	struct actor a = actor_cli();	/* acts on today, or the day pinned above */
	struct dj_error err = {0};
	const char *today = a.today;
	json_t *all = fmt == FMT_JSON && !records && !check ? json_array() : NULL;
	int bad = 0;
	if (fmt == FMT_CSV && !records)
		printf("id,label,value,unit\n");
	for (const struct module *const *m = modules; !rc && *m; m++)
		for (const struct figure *f = (*m)->figures; !rc && f && f->id; f++) {
			if (one && f != one)
				continue;
			struct figure_scope s;
			/* Stocks and flows take different dates: each figure gets the ones for its kind. */
			rc = figure_scope_make(db, &a, f, org_id, f->time == FIGURE_FLOW ? from : NULL,
					       f->time == FIGURE_FLOW ? to : NULL, f->time == FIGURE_STOCK ? on : NULL, today, &s,
					       &err);
			if (rc)
				break;
			if (check) {
				int r = check_one(db, f, &s, &err);
				if (r < 0)
					rc = err.code ? err.code : DJ_EDB;
				bad += r > 0;
				continue;
			}
			if (records) {
				json_t *r = figure_records(db, f, &s, part, kv, 1, 1000000, &err);
				if (!r) {
					rc = err.code ? err.code : DJ_EDB;
					break;
				}
				print_records(r, fmt);
				json_decref(r);
				continue;
			}
			json_t *v = figure_value(db, f, &s, &err);
			if (!v) {
				rc = err.code ? err.code : DJ_EDB;
				break;
			}
			if (all)
				json_array_append(all, v);
			else
				print_value(f, v, fmt);
			json_decref(v);
		}
	db_close(db);
	if (all) {
		if (!rc)
			json_dumpf(all, stdout, JSON_INDENT(1));
		putchar('\n');
		json_decref(all);
	}
	if (rc)
		return cli_fail("figures", &err);
	if (check)
		printf("%s: %d figures disagree with their records\n", bad ? "FAILED" : "ok", bad);
	return bad ? EXIT_FAIL : EXIT_OK;
}
