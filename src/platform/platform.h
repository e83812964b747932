/* platform.h — what the platform assembles from the module table. */
#ifndef DJ_PLATFORM_H
#define DJ_PLATFORM_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "core/err.h"
#include "user/actor.h"

struct db;

/* Every module's findings for `root`'s subtree as of `today`, appended to
 * `out` with their module; `rule` keeps only that rule. */
int platform_findings(struct db *db, const struct actor *a, int64_t root, const char *today, const char *rule,
		      json_t *out, struct dj_error *err);
/* The count of findings per rule, in the order they come: [{rule, title,
 * level, module, count}]. */
json_t *platform_findings_rules(json_t *findings);

/* Every module's 待办 for this actor, soonest due first, each marked
 * overdue when its due date is past. */
int platform_todos(struct db *db, const struct actor *a, const char *today, json_t *out, struct dj_error *err);
/* The menu for this actor's role: [{path, label, icon?}]. */
json_t *platform_nav(const struct actor *a);
/* The tables a bench copy clears, one per line, in an order that keeps
 * foreign keys satisfied. */
void platform_bench_tables(FILE *out);

#endif
