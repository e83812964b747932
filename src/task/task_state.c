/* task_state.c — the states of plans and assignments: one table each,
 * converted to and from the identifiers stored in SQL and sent in JSON at
 * the edge (task.h).  Domain code compares the enums, never the strings. */
#include "task/task.h"

#include <string.h>

struct state_row {
	int value;
	const char *name;	/* as stored and in JSON */
	const char *label;	/* as the UI shows it */
};

static const struct state_row plan_states[] = {
	{PLAN_DRAFT, "draft", "草稿"},
	{PLAN_PUBLISHED, "published", "已发布"},
	{PLAN_CLOSED, "closed", "已结束"},
};

static const struct state_row assignment_states[] = {
	{ASSIGNMENT_NOT_STARTED, "not_started", "未开始"},
	{ASSIGNMENT_IN_PROGRESS, "in_progress", "进行中"},
	{ASSIGNMENT_SUBMITTED, "submitted", "待审核"},
	{ASSIGNMENT_ACCEPTED, "accepted", "已通过"},
	{ASSIGNMENT_RETURNED, "returned", "已退回"},
};

#define N(t) (sizeof t / sizeof t[0])

static int parse(const struct state_row *t, size_t n, const char *s)
{
	for (size_t i = 0; s && i < n; i++)
		if (strcmp(t[i].name, s) == 0)
			return t[i].value;
	return 0;
}

static const struct state_row *find(const struct state_row *t, size_t n, int v)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].value == v)
			return &t[i];
	return NULL;
}

enum plan_status plan_status_parse(const char *s)
{
	return (enum plan_status)parse(plan_states, N(plan_states), s);
}

const char *plan_status_name(enum plan_status s)
{
	const struct state_row *r = find(plan_states, N(plan_states), s);
	return r ? r->name : "";
}

const char *plan_status_label(enum plan_status s)
{
	const struct state_row *r = find(plan_states, N(plan_states), s);
	return r ? r->label : "";
}

enum assignment_status assignment_status_parse(const char *s)
{
	return (enum assignment_status)parse(assignment_states, N(assignment_states), s);
}

const char *assignment_status_name(enum assignment_status s)
{
	const struct state_row *r = find(assignment_states, N(assignment_states), s);
	return r ? r->name : "";
}

const char *assignment_status_label(enum assignment_status s)
{
	const struct state_row *r = find(assignment_states, N(assignment_states), s);
	return r ? r->label : "";
}
