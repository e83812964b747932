/* org_kind.c — the kinds of party organization: one table, converted to and
 * from the glossary identifiers (JSON, SQL) and the Chinese labels at the
 * edge.  The kinds and their rules are in DESIGN.md (组织类别). */
#include "org/org.h"

#include <string.h>

/* One row per kind: value, identifier, label, branch rules, elects, term setting. */
#define ORG_KIND_TABLE(X)                                                                             \
	X(ORG_COMMITTEE, "committee", "党委", false, true, "rule.term_years.committee")                    \
	X(ORG_PARTY_GROUP, "party_group", "党组", false, false, NULL)                                      \
	X(ORG_GENERAL_BRANCH, "general_branch", "党总支", false, true, "rule.term_years.general_branch")   \
	X(ORG_BRANCH, "branch", "党支部", true, true, "rule.term_years.branch")                            \
	X(ORG_GROUP, "group", "党小组", false, false, NULL)                                                \
	X(ORG_INDUSTRY_COMMITTEE, "industry_committee", "行业党委", false, true, "rule.term_years.committee") \
	X(ORG_FUNCTIONAL_BRANCH, "functional_branch", "功能性党支部", true, true, "rule.term_years.branch") \
	X(ORG_CLOUD_BRANCH, "cloud_branch", "云支部", true, true, "rule.term_years.branch")                \
	X(ORG_MOBILE_BRANCH, "mobile_branch", "流动党员党支部", true, true, "rule.term_years.branch")      \
	/* 临时党支部: committee appointed, not elected; no development, dues or elections. */           \
	X(ORG_TEMPORARY_BRANCH, "temporary_branch", "临时党支部", true, false, NULL)

#define AS_INFO(id, name, label, branch_like, elects, setting) {id, name, label, branch_like, elects, setting},
#define AS_NAME(id, name, label, branch_like, elects, setting) name,
static const struct org_kind_info kinds[] = {ORG_KIND_TABLE(AS_INFO)};
static const char *const names[] = {ORG_KIND_TABLE(AS_NAME) NULL};
#define NKINDS (sizeof kinds / sizeof kinds[0])

const struct org_kind_info *org_kind_info(enum org_kind k)
{
	for (size_t i = 0; i < NKINDS; i++)
		if (kinds[i].id == k)
			return &kinds[i];
	return NULL;
}

enum org_kind org_kind_parse(const char *s)
{
	const struct org_kind_info *k = org_kind(s);
	return k ? k->id : ORG_KIND_NONE;
}

const char *org_kind_name(enum org_kind k)
{
	const struct org_kind_info *i = org_kind_info(k);
	return i ? i->kind : "";
}

const char *org_kind_label(enum org_kind k)
{
	const struct org_kind_info *i = org_kind_info(k);
	return i ? i->label : "";
}

const struct org_kind_info *org_kind(const char *kind)
{
	for (size_t i = 0; kind && i < NKINDS; i++)
		if (strcmp(kinds[i].kind, kind) == 0)
			return &kinds[i];
	return NULL;
}

const char *const *org_kind_names(void)
{
	return names;
}

json_t *org_kinds_json(void)
{
	json_t *a = json_array();
	for (size_t i = 0; i < NKINDS; i++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:b, s:b}", "kind", kinds[i].kind, "label",
						   kinds[i].label, "branch_like", kinds[i].branch_like, "elects",
						   kinds[i].elects));
	return a;
}
