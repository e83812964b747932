/* life_state.c — the states of activities and of attendance rows: one table
 * each, converted to and from the identifiers stored in SQL and sent in JSON
 * at the edge (life.h).  Domain code compares the enums, never the strings. */
#include "life/life.h"

#include <string.h>

struct state_row {
	int value;
	const char *name;	/* as stored and in JSON */
};

static const struct state_row activity_states[] = {
	{ACTIVITY_PLANNED, "planned"},
	{ACTIVITY_HELD, "held"},
	{ACTIVITY_CANCELLED, "cancelled"},
};

static const struct state_row attendance_states[] = {
	{ATTEND_PRESENT, "present"},
	{ATTEND_LEAVE, "leave"},
	{ATTEND_ABSENT, "absent"},
};

#define N(t) (sizeof t / sizeof t[0])

static int parse(const struct state_row *t, size_t n, const char *s)
{
	for (size_t i = 0; s && i < n; i++)
		if (strcmp(t[i].name, s) == 0)
			return t[i].value;
	return 0;
}

enum activity_status activity_status_parse(const char *s)
{
	return (enum activity_status)parse(activity_states, N(activity_states), s);
}

enum attendance_status attendance_status_parse(const char *s)
{
	return (enum attendance_status)parse(attendance_states, N(attendance_states), s);
}
