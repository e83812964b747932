/* platform.c — what the platform assembles from every module: findings,
 * 待办 and the menu (module.h). */
#include "platform/platform.h"

#include <stdlib.h>
#include <string.h>

#include "platform/module.h"

int platform_findings(struct db *db, const struct actor *a, int64_t root, const char *today, const char *rule,
		      json_t *out, struct dj_error *err)
{
	for (const struct module *const *m = modules; *m; m++) {
		if (!(*m)->findings)
			continue;
		json_t *part = json_array();
		int rc = (*m)->findings(db, a, root, today, rule, part, err);
		size_t i;
		json_t *x;
		json_array_foreach(part, i, x)
			if (!json_object_get(x, "module"))
				json_object_set_new(x, "module", json_string((*m)->name));
		json_array_extend(out, part);
		json_decref(part);
		if (rc)
			return rc;
	}
	return 0;
}

json_t *platform_findings_rules(json_t *findings)
{
	json_t *rules = json_array(), *at = json_object();	/* rule → its entry */
	size_t i;
	json_t *f;
	json_array_foreach(findings, i, f) {
		const char *rule = json_string_value(json_object_get(f, "rule"));
		if (!rule)
			continue;
		json_t *r = json_object_get(at, rule);
		if (!r) {
			r = json_pack("{s:s, s:O?, s:O?, s:O?, s:i}", "rule", rule, "title", json_object_get(f, "title"),
				      "level", json_object_get(f, "level"), "module", json_object_get(f, "module"), "count", 0);
			json_object_set_nocheck(at, rule, r);
			json_array_append_new(rules, r);
		}
		json_object_set_new_nocheck(r, "count", json_integer(json_integer_value(json_object_get(r, "count")) + 1));
	}
	json_decref(at);
	return rules;
}

static int by_due(const void *x, const void *y)
{
	const char *a = json_string_value(json_object_get(*(json_t *const *)x, "due_on"));
	const char *b = json_string_value(json_object_get(*(json_t *const *)y, "due_on"));
	if (!a || !b)	/* undated last */
		return (!a) - (!b);
	return strcmp(a, b);
}

int platform_todos(struct db *db, const struct actor *a, const char *today, json_t *out, struct dj_error *err)
{
	json_t *all = json_array();
	for (const struct module *const *m = modules; *m; m++) {
		if (!(*m)->todos)
			continue;
		json_t *part = json_array();
		int rc = (*m)->todos(db, a, today, part, err);
		size_t i;
		json_t *x;
		json_array_foreach(part, i, x) {
			if (!json_object_get(x, "module"))
				json_object_set_new(x, "module", json_string((*m)->name));
			const char *due = json_string_value(json_object_get(x, "due_on"));
			json_object_set_new(x, "overdue", json_boolean(due && strcmp(due, today) < 0));
		}
		json_array_extend(all, part);
		json_decref(part);
		if (rc) {
			json_decref(all);
			return rc;
		}
	}
	/* Soonest first, as a person works through them. */
	size_t n = json_array_size(all);
	json_t **v = calloc(n ? n : 1, sizeof *v);
	for (size_t i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(all, i));
	qsort(v, n, sizeof *v, by_due);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(out, v[i]);
	free(v);
	json_decref(all);
	return 0;
}

static int by_order(const void *x, const void *y)
{
	const struct nav_entry *a = *(const struct nav_entry *const *)x, *b = *(const struct nav_entry *const *)y;
	return (a->order > b->order) - (a->order < b->order);
}

json_t *platform_nav(const struct actor *a)
{
	const struct nav_entry *v[128];
	size_t n = 0;
	for (const struct module *const *m = modules; *m; m++)
		for (const struct nav_entry *e = (*m)->nav; e && e->path && n < sizeof v / sizeof *v; e++)
			if (e->roles & (1u << a->role))
				v[n++] = e;
	qsort(v, n, sizeof *v, by_order);
	json_t *out = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *x = json_pack("{s:s, s:s}", "path", v[i]->path, "label", v[i]->label);
		if (v[i]->icon)
			json_object_set_new(x, "icon", json_string(v[i]->icon));
		json_array_append_new(out, x);
	}
	return out;
}

void platform_bench_tables(FILE *out)
{
	/* Last module first: later modules' tables refer to earlier ones'. */
	size_t n = 0;
	while (modules[n])
		n++;
	while (n--)
		for (const char *const *t = modules[n]->bench_tables; t && *t; t++)
			fprintf(out, "%s\n", *t);
}

/* The db layer maps a written table to its scopes (db_version.c) but knows
 * no module: each module's map is handed to it here, once, at start. */
void modules_register_tables(void)
{
	for (const struct module *const *m = modules; *m; m++)
		if ((*m)->tables)
			db_register_tables((*m)->tables);
}
