/* org_status.c — whether an organization is still in use: one table,
 * converted to and from the stored identifiers at the edge (org.h). */
#include "org/org.h"

#include <string.h>

static const struct {
	enum org_status value;
	const char *name, *label;
} statuses[] = {
	{ORG_ACTIVE, "active", "正常"},
	{ORG_DISSOLVED, "dissolved", "已撤销"},
	{ORG_MERGED, "merged", "已撤并"},
};
#define NSTATUS (sizeof statuses / sizeof statuses[0])

enum org_status org_status_parse(const char *s)
{
	for (size_t i = 0; s && i < NSTATUS; i++)
		if (strcmp(statuses[i].name, s) == 0)
			return statuses[i].value;
	return ORG_STATUS_NONE;
}

const char *org_status_name(enum org_status s)
{
	for (size_t i = 0; i < NSTATUS; i++)
		if (statuses[i].value == s)
			return statuses[i].name;
	return "";
}

const char *org_status_label(enum org_status s)
{
	for (size_t i = 0; i < NSTATUS; i++)
		if (statuses[i].value == s)
			return statuses[i].label;
	return "";
}
