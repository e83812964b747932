/* cmd_figures.c — `dangjian figures`: every registered figure for a scope
 * and period, or the records behind one; --check proves that each value
 * equals what its records add up to. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "core/date.h"
#include "db/db.h"
#include "org/org.h"
#include "platform/figure.h"
#include "platform/module.h"
#include "user/actor.h"

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

static void print_value(const struct figure *f, json_t *v, enum fmt fmt, double ms, double cpu)
{
	char *val = value_text(json_object_get(v, "value"));
	json_t *labels = json_object_get(v, "by_label");
	const char *k;
	json_t *n;
	if (fmt == FMT_CSV) {
		csv_field(f->id, false);
		csv_field(f->label, false);
		csv_field(val, false);
		csv_field(f->unit, false);
		csv_field("", false);
		csv_field("", true);
		/* A breakdown: a row per key, with the key and its label. */
		json_object_foreach(json_object_get(v, "by"), k, n) {
			char *t = value_text(n);
			const char *l = json_string_value(json_object_get(labels, k));
			csv_field(f->id, false);
			csv_field(f->label, false);
			csv_field(t, false);
			csv_field(f->unit, false);
			csv_field(k, false);
			csv_field(l ? l : k, true);
			free(t);
		}
	} else {
		if (ms >= 0)
			printf("%9.1f ms %9.1f cpu  ", ms, cpu);
		printf("%-36s ", f->id);
		cli_print_padded(f->label, 24);
		printf(" %12s %s", val, f->unit);
		if (f->kind == FIGURE_RATIO) {
			char *num = value_text(json_object_get(v, "num")), *den = value_text(json_object_get(v, "den"));
			printf("  (%s / %s)", num, den);
			free(num);
			free(den);
		}
		putchar('\n');
		/* A breakdown by its labels (正式党员, 云支部 …), as the figure page shows it. */
		json_object_foreach(json_object_get(v, "by"), k, n) {
			char *t = value_text(n);
			const char *l = json_string_value(json_object_get(labels, k));
			printf("%-36s   %s: %s\n", "", l ? l : *k ? k : "未填写", t);
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
static int check_records(struct db *db, const struct figure *f, const struct figure_scope *s, struct dj_error *err)
{
	json_t *v = figure_value_counted(db, f, s, err);
	if (!v)
		return -1;
	int bad = 0;
	/* Page by page: a province's attendance figures list millions of records. */
	enum { PAGE = 200000 };
	for (int part = 0; part < (f->kind == FIGURE_RATIO ? 2 : 1); part++) {
		double listed = 0;
		json_int_t total = 0, seen = 0;
		for (int page = 1;; page++) {
			json_t *r = figure_records(db, f, s, part ? "den" : "num", NULL, page, PAGE, err);
			if (!r) {
				json_decref(v);
				return -1;
			}
			json_t *items = json_object_get(r, "items");
			size_t i, n = json_array_size(items);
			json_t *row;
			json_array_foreach(items, i, row)
				listed += f->kind == FIGURE_SUM ? json_number_value(json_object_get(row, f->sum_col)) : 1;
			total = json_integer_value(json_object_get(r, "total"));
			seen += (json_int_t)n;
			json_decref(r);
			if (n < PAGE)
				break;
		}
		const char *key = f->kind == FIGURE_RATIO ? (part ? "den" : "num") : "value";
		double stated = json_number_value(json_object_get(v, key));
		if (stated != listed || total != seen) {
			printf("MISMATCH %s %s: value %g, records %g (%lld listed of %lld)\n", f->id, key, stated, listed,
			       (long long)seen, (long long)total);
			bad = 1;
		}
	}
	json_decref(v);
	return bad;
}

/* Does the kept value (figure.h) equal the one counted from the records,
 * part by part and key by key? */
static int check_kept(struct db *db, const struct figure *f, const struct figure_scope *s, struct dj_error *err)
{
	if (!f->kept)
		return 0;
	json_t *k = figure_value(db, f, s, err), *c = k ? figure_value_counted(db, f, s, err) : NULL;
	int bad = -1;
	if (k && c) {
		bad = 0;
		static const char *const parts[] = {"value", "num", "den", "by"};
		for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
			json_t *x = json_object_get(k, parts[i]), *y = json_object_get(c, parts[i]);
			if ((x || y) && !(x && y && json_equal(x, y))) {
				char *tx = x ? value_text(x) : strdup("-"), *ty = y ? value_text(y) : strdup("-");
				printf("MISMATCH %s kept %s at org %lld %s..%s: kept %s, records %s\n", f->id, parts[i],
				       (long long)s->org, s->from, s->to, tx, ty);
				free(tx);
				free(ty);
				bad = 1;
			}
		}
	}
	json_decref(k);
	json_decref(c);
	return bad;
}

/* Sample scopes under `root` for --check: a committee's and a branch's
 * (0 when the subtree has none). */
static int sample_orgs(struct db *db, int64_t root, int64_t out[2], struct dj_error *err)
{
	static const char *const kinds[2] = {"committee", "branch"};
	for (int i = 0; i < 2; i++) {
		out[i] = 0;
		int rc = db_int1(db, &out[i],
				 "SELECT coalesce(min(c.descendant), 0) FROM " ORG_TREE_AS("c") " JOIN org o ON o.id = c.descendant"
				 " WHERE c.ancestor = ?1 AND c.descendant <> ?1 AND o.kind = ?2",
				 DB_ARGS(DB_I(root), DB_T(kinds[i])), err);
		if (rc)
			return rc;
	}
	return 0;
}

/* --check for one figure: records against value at the scope asked for;
 * the kept value against the counted one there, at the sample orgs, and
 * for sample periods (a flow: its last month and a part of a month; a
 * stock: a day half a year earlier).  1 on a mismatch, -1 on error. */
static int check_figure(struct db *db, const struct actor *a, const struct figure *f, const struct figure_scope *s,
			const int64_t samples[2], struct dj_error *err)
{
	int bad = check_records(db, f, s, err);
	if (bad < 0 || !f->kept)
		return bad;
	struct figure_scope periods[3] = {*s, *s, *s};
	int np = 1;
	if (f->time == FIGURE_FLOW) {
		char first[11];
		snprintf(first, sizeof first, "%.7s-01", s->to);
		if (strcmp(first, s->from) > 0)
			memcpy(periods[np++].from, first, 11);
		snprintf(periods[np].from, 11, "%.7s-10", s->to);
		snprintf(periods[np].to, 11, "%.7s-20", s->to);
		if (strcmp(periods[np].from, s->from) >= 0 && strcmp(periods[np].to, s->to) <= 0)
			np++;
	} else {
		date_add(periods[1].from, s->to, 0, -6, 0);
		memcpy(periods[1].to, periods[1].from, 11);
		np = 2;
	}
	int64_t orgs[3] = {s->org, samples[0], samples[1]};
	for (int o = 0; o < 3; o++)
		for (int p = 0; p < np; p++) {
			if (!orgs[o])
				continue;
			struct figure_scope x = periods[p];
			if (o && scope_org(db, a, orgs[o], err))
				return -1;
			x.org = orgs[o];
			int r = check_kept(db, f, &x, err);
			if (r < 0)
				return -1;
			bad |= r;
		}
	return bad;
}

/* Wall-clock and CPU time in ms: on a shared machine the CPU time this
 * process spent says more than the wall clock. */
static double now_ms(clockid_t clock)
{
	struct timespec t;
	clock_gettime(clock, &t);
	return (double)t.tv_sec * 1000 + (double)t.tv_nsec / 1e6;
}

int cmd_figures(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, 0, 'd'}, {"key", required_argument, 0, 'k'}, {"org", required_argument, 0, 'o'},
		{"from", required_argument, 0, 'f'}, {"to", required_argument, 0, 't'}, {"on", required_argument, 0, 'n'},
		{"format", required_argument, 0, 'F'}, {"id", required_argument, 0, 'i'},
		{"records", no_argument, 0, 'r'}, {"check", no_argument, 0, 'c'}, {"part", required_argument, 0, 'p'},
		{"key-value", required_argument, 0, 'K'}, {"time", no_argument, 0, 'T'}, {"module", required_argument, 0, 'm'},
		{"help", no_argument, 0, 'h'}, {0}};
	const char *db_url = "dangjian.db", *key = NULL, *org = NULL, *from = NULL, *to = NULL, *on = NULL, *id = NULL,
		   *part = NULL, *kv = NULL, *only = NULL;
	enum fmt fmt = FMT_TABLE;
	bool records = false, check = false, timed = false;
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
		case 'T': timed = true; break;
		case 'm': only = optarg; break;
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
			       "       dangjian figures --db DB --org ORG --check [--from D --to D] [--on D]\n"
			       "       dangjian figures --db DB --org ORG --time\n"
			       "  --module NAME  only that module's figures (life, task, member, develop, dues ...)\n\n"
			       "Prints every registered figure (id, label, value, unit) for the org's subtree: stocks as of\n"
			       "--on (default today), flows from --from to --to (default 1 January to today).  A breakdown\n"
			       "follows its figure by the labels users read (table), or as rows carrying the key and its\n"
			       "label (csv: columns key, key_label; json: by and by_label).  With --id\n"
			       "and --records, the records behind one figure.  --check recounts every figure from its\n"
			       "records and prints any that disagree (exit 1); for a figure read from kept counters it\n"
			       "also compares them with the records at the org, a committee and a branch under it, for\n"
			       "the period (day), its last month and days 10-20 of it (a stock: half a year earlier).\n"
			       "--time prints how long each figure took (ms wall clock and CPU, computed afresh) and the total.\n");
			return EXIT_OK;
		default: return cli_usage_error("figures", "unknown option");
		}
	}
	if (records && !id)
		return cli_usage_error("figures", "--records needs --id");
	const struct figure *one = id ? figure_find(id) : NULL;
	if (id && !one)
		return cli_usage_error("figures", "no figure \"%s\" (dangjian figures lists them)", id);
	if (only && !module_find(only))
		return cli_usage_error("figures", "no module \"%s\"", only);
	/* A module's figures carry its name as their prefix (module.h). */
	if (only && one && (strncmp(one->id, only, strlen(only)) != 0 || one->id[strlen(only)] != '.'))
		return cli_usage_error("figures", "figure \"%s\" is not one of module \"%s\"", id, only);
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
	int64_t samples[2] = {0, 0};
	if (check && sample_orgs(db, org_id, samples, &err))
		rc = err.code ? err.code : DJ_EDB;
	double total_ms = 0, total_cpu = 0;
	if (fmt == FMT_CSV && !records)
		printf("id,label,value,unit,key,key_label\n");
	for (const struct module *const *m = modules; !rc && *m; m++)
		for (const struct figure *f = (*m)->figures; !rc && f && f->id && (!only || strcmp((*m)->name, only) == 0);
		     f++) {
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
				int r = check_figure(db, &a, f, &s, samples, &err);
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
			double t0 = now_ms(CLOCK_MONOTONIC), c0 = now_ms(CLOCK_PROCESS_CPUTIME_ID);
			json_t *v = figure_value(db, f, &s, &err);
			if (!v) {
				rc = err.code ? err.code : DJ_EDB;
				break;
			}
			double ms = now_ms(CLOCK_MONOTONIC) - t0, cpu = now_ms(CLOCK_PROCESS_CPUTIME_ID) - c0;
			total_ms += ms;
			total_cpu += cpu;
			if (timed) {
				json_object_set_new(v, "ms", json_real((double)(int64_t)(ms * 10) / 10));
				json_object_set_new(v, "cpu_ms", json_real((double)(int64_t)(cpu * 10) / 10));
			}
			if (all)
				json_array_append(all, v);
			else
				print_value(f, v, fmt, timed ? ms : -1, cpu);
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
	else if (timed && !records && fmt == FMT_TABLE)
		printf("total: %.1f ms (cpu %.1f ms)\n", total_ms, total_cpu);
	return bad ? EXIT_FAIL : EXIT_OK;
}
