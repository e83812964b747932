/* org.h — party organizations: the tree, its kinds, its history and its rules.
 *
 * Nothing about an organization is overwritten: rename, move, merge,
 * dissolve and elections are events in org_event.  The tree is kept as a
 * closure table (ancestor, descendant, depth) so "the subtree of X" is one
 * indexed join on both engines. */
#ifndef DJ_ORG_H
#define DJ_ORG_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "user/actor.h"

struct db;

/* The kinds of organization (org_kind.c holds their table). */
enum org_kind {
	ORG_KIND_NONE = 0,	/* unknown: what org_kind_parse answers for a bad string */
	ORG_COMMITTEE,		/* 党委 */
	ORG_PARTY_GROUP,	/* 党组 */
	ORG_GENERAL_BRANCH,	/* 党总支 */
	ORG_BRANCH,		/* 党支部 */
	ORG_GROUP,		/* 党小组 */
	ORG_INDUSTRY_COMMITTEE,	/* 行业党委 */
	ORG_FUNCTIONAL_BRANCH,	/* 功能性党支部 */
	ORG_CLOUD_BRANCH,	/* 云支部 */
	ORG_MOBILE_BRANCH,	/* 流动党员党支部 */
	ORG_TEMPORARY_BRANCH,	/* 临时党支部 */
};

struct org_kind_info {
	enum org_kind id;
	const char *kind;	/* glossary identifier */
	const char *label;	/* 党支部 … */
	bool branch_like;	/* the branch rules apply */
	bool elects;		/* has elected committees with terms */
	const char *term_setting;	/* setting key for the term length */
};

const struct org_kind_info *org_kind(const char *kind);	/* NULL if unknown */
const struct org_kind_info *org_kind_info(enum org_kind k);	/* NULL if unknown */
enum org_kind org_kind_parse(const char *s);	/* ORG_KIND_NONE if unknown */
const char *org_kind_name(enum org_kind k);	/* "branch" …; "" if unknown */
const char *org_kind_label(enum org_kind k);	/* 党支部 …; "" if unknown */
/* The identifiers, NULL-terminated, for v_enum. */
const char *const *org_kind_names(void);
json_t *org_kinds_json(void);

/* Whether an org is still in use (org_status.c holds the table). */
enum org_status {
	ORG_STATUS_NONE = 0,	/* unknown */
	ORG_ACTIVE,		/* 正常 */
	ORG_DISSOLVED,		/* 已撤销 */
	ORG_MERGED,		/* 已撤并 */
};
enum org_status org_status_parse(const char *s);	/* ORG_STATUS_NONE if unknown (or NULL) */
const char *org_status_name(enum org_status s);	/* "active" …; "" if unknown */
const char *org_status_label(enum org_status s);	/* 正常 …; "" if unknown */
/* The status of an org row (key "status"). */
static inline enum org_status org_row_status(json_t *row)
{
	return org_status_parse(json_string_value(json_object_get(row, "status")));
}

/* The tree in SQL.  The tree is kept as org_closure(ancestor, descendant,
 * depth): one row for every org and each org at or above it (depth 0 for
 * itself).  Other modules reach it only through these fragments (string
 * literals: pass string literals, e.g. ORG_IN_SUBTREE("m.org_id", "?")).
 * Each expands to the very text the queries used before they existed: SQLite
 * here has no ANALYZE statistics and a changed text can change a plan, so
 * keep the shapes (IN-subquery, JOIN, EXISTS) the query had.
 *
 * ORG_SUBTREE(p)              the ids of the subtree of the org bound to `p`
 *                             ("?" or "?1"), a subquery to put after IN;
 * ORG_IN_SUBTREE(col, p)      `col` is in that subtree;
 * ORG_ANCESTORS(p), ORG_IN_ANCESTORS(col, p)
 *                             the same for the org `p` and every org above it;
 * ORG_JOIN_UP(alias, col)     JOIN the tree as `alias` on alias.descendant =
 *                             `col`: alias.ancestor runs over col's org and
 *                             every org above it (add `alias.ancestor = ?` to
 *                             keep the rows of one subtree);
 * ORG_JOIN_DOWN(alias, col)   JOIN on alias.ancestor = `col`: alias.descendant
 *                             runs over col's org and every org below it
 *                             (alias.depth > 0: strictly below);
 * ORG_EXISTS_IN_SUBTREE(alias, p, col)
 *                             EXISTS form of ORG_IN_SUBTREE (for OR'ed tests);
 * ORG_TREE_AS(alias)          the tree's rows named `alias` for a FROM list
 *                             that starts from it ("FROM " ORG_TREE_AS("c")
 *                             " JOIN org o ON o.id = c.descendant WHERE
 *                             c.ancestor = ?"): columns ancestor, descendant,
 *                             depth.
 * org_contains() answers whether one org is in another's subtree. */
#define ORG_SUBTREE(p) "(SELECT descendant FROM org_closure WHERE ancestor = " p ")"
#define ORG_IN_SUBTREE(col, p) col " IN " ORG_SUBTREE(p)
#define ORG_ANCESTORS(p) "(SELECT ancestor FROM org_closure WHERE descendant = " p ")"
#define ORG_IN_ANCESTORS(col, p) col " IN " ORG_ANCESTORS(p)
#define ORG_TREE_AS(alias) "org_closure " alias
#define ORG_JOIN_UP(alias, col) "JOIN " ORG_TREE_AS(alias) " ON " alias ".descendant = " col
#define ORG_JOIN_DOWN(alias, col) "JOIN " ORG_TREE_AS(alias) " ON " alias ".ancestor = " col
#define ORG_EXISTS_IN_SUBTREE(alias, p, col) \
	"EXISTS (SELECT 1 FROM " ORG_TREE_AS(alias) " WHERE " alias ".ancestor = " p " AND " alias ".descendant = " col ")"

/* Put the new org `id` under `parent` (0: a root) in the tree; inside the
 * caller's transaction (org_create, the generator). */
int org_tree_add(struct db *db, int64_t id, int64_t parent, struct dj_error *err);

/* Create from JSON {code, name, kind, parent_id, unit, founded_on}. */
int org_create(struct db *db, const struct actor *a, json_t *in, int64_t *id, struct dj_error *err);
/* Change name (a rename event), unit, founded_on, kind, sort. */
int org_update(struct db *db, const struct actor *a, int64_t id, json_t *in, struct dj_error *err);
int org_move(struct db *db, const struct actor *a, int64_t id, int64_t new_parent, const char *on_date,
	     struct dj_error *err);
int org_dissolve(struct db *db, const struct actor *a, int64_t id, const char *on_date, const char *reason,
		 struct dj_error *err);
/* Members and child orgs of `id` go to `into`; `id` is closed as merged. */
int org_merge(struct db *db, const struct actor *a, int64_t id, int64_t into, const char *on_date,
	      struct dj_error *err);
/* Delete an org entered by mistake: no members, children or terms. */
int org_delete(struct db *db, const struct actor *a, int64_t id, struct dj_error *err);
/* Record an election (or appointment) with its officers:
 * {elected_on, term_years?, how: elected|appointed, officers: [{member_id?, name, post}]} */
int org_election(struct db *db, const struct actor *a, int64_t id, json_t *in, int64_t *term_id,
		 struct dj_error *err);

json_t *org_get(struct db *db, const struct actor *a, int64_t id, struct dj_error *err);
/* Every org in the actor's scope with member counts, for the tree view. */
json_t *org_tree(struct db *db, const struct actor *a, bool include_closed, struct dj_error *err);
struct org_filter {
	int64_t root;		/* 0: the actor's scope */
	const char *q, *kind, *status;
	int page, size;
};
/* Direct children of `parent` with counts, for a lazily loaded tree. */
json_t *org_children(struct db *db, const struct actor *a, int64_t parent, bool include_closed, struct dj_error *err);
json_t *org_list(struct db *db, const struct actor *a, const struct org_filter *f, struct dj_error *err);
json_t *org_history(struct db *db, const struct actor *a, int64_t id, struct dj_error *err);

/* 0 if `org_id` is in the actor's scope and still active; otherwise an
 * error naming `field` (a write target must be an open org). */
int org_check_open(struct db *db, const struct actor *a, int64_t org_id, const char *field, struct dj_error *err);

/* The id of the org with `code` into *id (0 if none); a failed query is its error. */
int org_id_by_code(struct db *db, const char *code, int64_t *id, struct dj_error *err);
/* *within: is `desc` `anc` or below it?  A failed query is its error. */
int org_contains(struct db *db, int64_t anc, int64_t desc, bool *within, struct dj_error *err);

/* Rules (org_rules.c): findings for the subtree of `root` as of `today`:
 * [{rule, level, title, org_id, org_name, message, member_ids?}].  `rule`
 * filters to one rule when not NULL. */
/* The ids of the subtree of the org bound to ?1, as an SQL subquery to put
 * after IN: how other modules' queries (figures) reach the tree. */
const char *org_subtree_sql(void);
/* Is `rule` one of the org module's rules (election_due, branch_too_few …)? */
bool org_rule_known(const char *rule);
json_t *org_findings(struct db *db, const struct actor *a, int64_t root, const char *rule, struct dj_error *err);
/* The home dashboard: orgs by kind, members by status, elections due, findings. */
json_t *org_dashboard(struct db *db, const struct actor *a, int64_t root, struct dj_error *err);


#endif
