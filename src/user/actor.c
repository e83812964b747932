#include "user/actor.h"

#include <string.h>

#include "core/date.h"
#include "db/db.h"
#include "org/org.h"

struct actor actor_cli(void)
{
	struct actor a = {.user_id = 0, .role = ROLE_ADMIN, .route = "cli"};
	strcpy(a.username, "cli");
	date_today(a.today);
	return a;
}

static const struct {
	enum role r;
	const char *name, *label;
} roles[] = {
	{ROLE_ADMIN, "admin", "系统管理员"},
	{ROLE_ORG_ADMIN, "org_admin", "组织管理员"},
	{ROLE_BRANCH_ADMIN, "branch_admin", "支部书记/经办人"},
	{ROLE_MEMBER, "member", "党员"},
};

enum role role_parse(const char *s)
{
	for (size_t i = 0; s && i < sizeof roles / sizeof roles[0]; i++)
		if (strcmp(s, roles[i].name) == 0)
			return roles[i].r;
	return 0;
}

const char *role_name(enum role r)
{
	for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
		if (roles[i].r == r)
			return roles[i].name;
	return "unknown";
}

const char *role_label(enum role r)
{
	for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
		if (roles[i].r == r)
			return roles[i].label;
	return "";
}

/* Out-of-scope and missing look the same from outside, so ids cannot be probed. */
static int forbidden(struct dj_error *err, const char *what)
{
	return dj_fail(err, DJ_ENOTFOUND, "id", "%s不存在或不在您的管理范围内", what);
}

int scope_org(struct db *db, const struct actor *a, int64_t org_id, struct dj_error *err)
{
	bool found;
	int rc = a->role == ROLE_ADMIN && a->org_id == 0
		? db_exists(db, &found, "SELECT 1 FROM org WHERE id = ?", DB_ARGS(DB_I(org_id)), err)
		: org_contains(db, a->org_id, org_id, &found, err);
	if (rc)
		return rc;	/* a failed query is an error, never "not found" */
	return found ? 0 : forbidden(err, "党组织");
}

int scope_has_org(struct db *db, const struct actor *a, int64_t org_id, bool *in, struct dj_error *err)
{
	struct dj_error e = {0};
	int rc = scope_org(db, a, org_id, &e);
	*in = rc == 0;
	if (rc == DJ_ENOTFOUND)
		rc = 0;
	else if (rc)
		dj_fail(err, rc, e.field, "%s", e.msg);
	json_decref(e.details);
	return rc;
}

int scope_member(struct db *db, const struct actor *a, int64_t member_id, struct dj_error *err)
{
	if (a->role == ROLE_MEMBER)
		return member_id == a->member_id && member_id ? 0 : forbidden(err, "党员");
	int64_t org;
	int rc = db_int1(db, &org, "SELECT org_id FROM member WHERE id = ?", DB_ARGS(DB_I(member_id)), err);
	if (rc == DJ_ENOTFOUND)
		return forbidden(err, "党员");
	if (!rc && (rc = scope_org(db, a, org, err)) == DJ_ENOTFOUND)
		return forbidden(err, "党员");
	return rc;
}

int scope_can_manage(const struct actor *a, struct dj_error *err)
{
	if (a->role == ROLE_MEMBER)
		return dj_fail(err, DJ_EFORBIDDEN, "", "党员账号无权进行此操作");
	return 0;
}

int scope_root_of(struct db *db, const struct actor *a, int64_t *root, struct dj_error *err)
{
	if (a->org_id) {
		*root = a->org_id;
		return 0;
	}
	int rc = db_int1(db, root, "SELECT min(id) FROM org WHERE parent_id IS NULL", DB_NOARGS, err);
	if (!rc && !*root)
		rc = dj_fail(err, DJ_ENOTFOUND, "org", "还没有党组织");
	return rc;
}
