/* member_status.c — 正式党员 / 预备党员: one table, converted to and from the
 * stored identifiers at the edge (member.h). */
#include "member/member.h"

#include <string.h>

/* One row per status: value, identifier (SQL, JSON), label. */
#define MEMBER_STATUS_TABLE(X)                          \
	X(MEMBER_FULL, "full", "正式党员")              \
	X(MEMBER_PROBATIONARY, "probationary", "预备党员")

#define AS_ROW(value, name, label) {value, name, label},
#define AS_NAME(value, name, label) name,
static const struct {
	enum member_status value;
	const char *name, *label;
} statuses[] = {MEMBER_STATUS_TABLE(AS_ROW)};
static const char *const names[] = {MEMBER_STATUS_TABLE(AS_NAME) NULL};
#define NSTATUS (sizeof statuses / sizeof statuses[0])

enum member_status member_status_parse(const char *s)
{
	for (size_t i = 0; s && i < NSTATUS; i++)
		if (strcmp(statuses[i].name, s) == 0)
			return statuses[i].value;
	return MEMBER_STATUS_NONE;
}

const char *member_status_name(enum member_status s)
{
	for (size_t i = 0; i < NSTATUS; i++)
		if (statuses[i].value == s)
			return statuses[i].name;
	return "";
}

const char *member_status_label(enum member_status s)
{
	for (size_t i = 0; i < NSTATUS; i++)
		if (statuses[i].value == s)
			return statuses[i].label;
	return "";
}

const char *const *member_status_names(void)
{
	return names;
}
