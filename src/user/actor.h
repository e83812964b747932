/* actor.h — who is acting, and the subtree of organizations they may see.
 *
 * Every domain call takes an actor.  A user acts inside a scope: the
 * subtree of the organization their role is bound to (the whole tree for a
 * system administrator, only their own record for a member). */
#ifndef DJ_ACTOR_H
#define DJ_ACTOR_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

struct db;

enum role {
	ROLE_ADMIN = 1,		/* 系统管理员: everything */
	ROLE_ORG_ADMIN,		/* 组织管理员: an org and its subtree */
	ROLE_BRANCH_ADMIN,	/* 支部书记 / 经办人: one branch (and its 党小组) */
	ROLE_MEMBER,		/* 党员: self only */
};

struct actor {
	int64_t user_id;	/* 0: the command line */
	char username[64];
	enum role role;
	int64_t org_id;		/* scope root; 0 = the whole tree */
	int64_t member_id;	/* the member record of this user, if any */
	const char *route;	/* for the audit trail */
	/* The day this request or command acts on (YYYY-MM-DD): today in China,
	 * or the day pinned for a test, a demo or a generated report.  Domain
	 * code reads today here, never from the clock or the environment. */
	char today[11];
};

/* The command line acts as a system administrator. */
struct actor actor_cli(void);

enum role role_parse(const char *s);	/* 0 if unknown */
const char *role_name(enum role r);	/* "admin", "org_admin", … */
const char *role_label(enum role r);	/* 系统管理员 … */

/* 0 if `org_id` lies in the actor's subtree; DJ_EFORBIDDEN otherwise.
 * A member's scope for organizations is their own org, read-only. */
int scope_org(struct db *db, const struct actor *a, int64_t org_id, struct dj_error *err);
/* Is `org_id` in the actor's scope (*in)?  0, or a failed query's error:
 * for checks where "outside" is an answer rather than a refusal. */
int scope_has_org(struct db *db, const struct actor *a, int64_t org_id, bool *in, struct dj_error *err);
/* The same for a member record. */
int scope_member(struct db *db, const struct actor *a, int64_t member_id, struct dj_error *err);
/* Refuse writes to members (role ROLE_MEMBER), with a clear message. */
int scope_can_manage(const struct actor *a, struct dj_error *err);
/* The root an actor's lists start from: their org, or the top org for an
 * admin (DJ_ENOTFOUND when there is no org yet); a failed query is its error. */
int scope_root_of(struct db *db, const struct actor *a, int64_t *root, struct dj_error *err);

#endif
