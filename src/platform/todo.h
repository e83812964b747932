/* todo.h — what the modules' 待办 sources share (module.h: module_todos_fn).
 *
 * Who acts on a step: the accounts bound to the org the step belongs to.  A
 * step that belongs to the 上级党委 (reviewing a report, approving a
 * conversion, an election falling due below) goes to the org_admin accounts
 * of the nearest ancestor of kind 党委 (committee or industry_committee);
 * when nobody holds such an account it falls to the system administrators,
 * so no step is left without someone to act on it. */
#ifndef DJ_TODO_H
#define DJ_TODO_H

#include <jansson.h>
#include <stdint.h>

#include "org/org.h"

/* Append {kind, title, due_on?, link, org_id?, org_name?} to `out` (the
 * platform adds module and overdue).  due_on and org_name may be NULL,
 * org_id 0 for none. */
void todo_add(json_t *out, const char *kind, const char *title, const char *due_on, const char *link, int64_t org_id,
	      const char *org_name);

/* SQL: the nearest 党委 strictly above the org in column `col` (NULL if none). */
#define TODO_COMMITTEE_OF(col)                                                                           \
	"(SELECT cc.ancestor FROM " ORG_TREE_AS("cc") " JOIN org co ON co.id = cc.ancestor WHERE cc.descendant = " col \
	" AND cc.depth > 0 AND co.kind IN ('committee', 'industry_committee') ORDER BY cc.depth LIMIT 1)"
/* SQL: true when the org in `col` holds an enabled account of `roles`
 * (an SQL list such as "'org_admin'"). */
#define TODO_HAS_ACCOUNT(col, roles)                                                                    \
	"EXISTS (SELECT 1 FROM app_user mu WHERE mu.org_id = " col " AND mu.role IN (" roles ")" \
	" AND mu.disabled = 0)"
#define TODO_MANAGERS "'org_admin', 'branch_admin'"

#endif
