/* module.h — the one shape of a domain module, and the table of them.
 *
 * A domain module (org, member, life, task, …) declares here, in one
 * `struct module` defined in its own folder, everything the platform needs
 * from it: its schema steps, routes, figures, findings, 待办 sources, menu
 * entries, generator step, the scopes its tables belong to (the read
 * cache) and the tables the bench copies.  The platform
 * reads `modules[]` (modules.c), as cgit reads its cmds[]: adding a module
 * is one folder and one line there.  README "Adding a module" has the path. */
#ifndef DJ_MODULE_H
#define DJ_MODULE_H

#include <jansson.h>
#include <stdint.h>

#include "core/err.h"
#include "http/http.h"
#include "platform/figure.h"
#include "user/actor.h"

struct db;
struct gen;

/* A finding source: the rules of a module that are not met in `root`'s
 * subtree as of `today`.  Appends {rule, level (error|warn|info), title,
 * message, org_id, org_name?, records?} to `out`; `rule` (may be NULL)
 * keeps only that rule.  A record is shaped as a figure's records are,
 * {rid, rkind, title, …}, so the UI links it the same way. */
typedef int (*module_findings_fn)(struct db *db, const struct actor *a, int64_t root, const char *today,
				  const char *rule, json_t *out, struct dj_error *err);

/* A 待办 source: what this actor must act on, computed from the records
 * within their scope and role.  Appends {module, kind, title, due_on?,
 * link, org_id?, org_name?} to `out`. */
typedef int (*module_todos_fn)(struct db *db, const struct actor *a, const char *today, json_t *out,
			       struct dj_error *err);

/* The module's part of `generate`, run after the tree and the members
 * exist, inside the generator's transaction. */
typedef int (*module_generate_fn)(struct gen *g, struct dj_error *err);

/* The roles a menu entry shows for (bits of 1 << role). */
#define NAV_ADMIN (1u << ROLE_ADMIN)
#define NAV_ORG_ADMIN (1u << ROLE_ORG_ADMIN)
#define NAV_BRANCH_ADMIN (1u << ROLE_BRANCH_ADMIN)
#define NAV_MEMBER (1u << ROLE_MEMBER)
#define NAV_MANAGERS (NAV_ADMIN | NAV_ORG_ADMIN | NAV_BRANCH_ADMIN)
#define NAV_ALL (NAV_MANAGERS | NAV_MEMBER)

struct nav_entry {
	const char *path;	/* the UI route, "/life" */
	const char *label;	/* 组织生活 */
	const char *icon;	/* an Element Plus icon name */
	unsigned roles;		/* NAV_* */
	int order;		/* position in the menu (smaller first) */
};

struct module {
	const char *name;	/* "life": its folder, the prefix of its figures */
	const char *label;	/* 组织生活 */
	/* Schema steps of this module after the platform's base schema, in
	 * order, NULL-terminated; applied once each (module_migrations). */
	const char *const *migrations;
	const struct route *routes;		/* {0}-terminated */
	const struct figure *figures;		/* {0}-terminated */
	module_findings_fn findings;
	module_todos_fn todos;
	const struct nav_entry *nav;		/* {0}-terminated */
	module_generate_fn generate;
	const char *const *bench_tables;	/* NULL-terminated */
	/* Each table this module writes and the scopes (db/db_scope.h) a write
	 * to it moves, {0}-terminated: kept answers that read other scopes
	 * stay.  A table not listed by any module moves every scope. */
	const struct db_table_scope *tables;
};

/* The table, in the order routes are tried, the generator runs and the
 * menu falls back on (modules.c). */
extern const struct module *const modules[];

/* The module of that name ("life"), or NULL. */
const struct module *module_find(const char *name);

/* Hand every module's .tables to the db layer (once, at start). */
void modules_register_tables(void);

/* Apply the base schema and every module's steps that the database lacks. */
int modules_migrate(struct db *db, struct dj_error *err);

#endif
