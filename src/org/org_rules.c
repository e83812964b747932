/* org_rules.c — the setting-up and term rules of the branch regulations,
 * computed from the records, never typed in.  Each rule broken is a finding
 * that names the organization and the records behind it. */
#include "org/org.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/mem.h"
#include "core/setting.h"
#include "db/db.h"

struct org_stat {
	int64_t id;
	char *name, *kind;
	int64_t total, full, probationary, mobile;
	char ends_on[11];	/* latest term's end, "" if none */
	int64_t officers;
};

struct stats {
	struct org_stat *v;
	size_t n;
};

static int by_id(const void *a, const void *b)
{
	int64_t x = ((const struct org_stat *)a)->id, y = ((const struct org_stat *)b)->id;
	return (x > y) - (x < y);
}

static struct org_stat *find(struct stats *s, int64_t id)
{
	struct org_stat key = {.id = id};
	return bsearch(&key, s->v, s->n, sizeof *s->v, by_id);
}

static void stats_free(struct stats *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].name);
		free(s->v[i].kind);
	}
	free(s->v);
}

/* One pass over the subtree: orgs, member counts by org, latest terms. */
static int load_stats(struct db *db, int64_t root, struct stats *s, struct dj_error *err)
{
	memset(s, 0, sizeof *s);
	struct db_stmt *st = db_query(db, "SELECT o.id, o.name, o.kind FROM org_closure c JOIN org o ON o.id = c.descendant"
					  " WHERE c.ancestor = ? AND o.status = 'active' ORDER BY o.id",
				      DB_ARGS(DB_I(root)), err);
	if (!st)
		return err->code;
	size_t cap = 0;
	int rc;
	while ((rc = db_next(st)) > 0) {
		if (s->n == cap) {
			cap = cap ? cap * 2 : 256;
			s->v = xrealloc(s->v, cap * sizeof *s->v);
		}
		struct org_stat *o = &s->v[s->n++];
		memset(o, 0, sizeof *o);
		o->id = db_int(st, 0);
		o->name = xstrdup(db_text(st, 1));
		o->kind = xstrdup(db_text(st, 2));
	}
	db_done(st);
	if (rc < 0)
		return err->code;
	/* Counts kept per org by triggers on member (migration 8), rather than
	 * recounted from 200,000 rows on every dashboard. */
	st = db_query(db, "SELECT k.org_id, k.status, k.is_mobile, k.n FROM member_count k WHERE k.n > 0"
			  " AND k.org_id IN (SELECT descendant FROM org_closure WHERE ancestor = ?)", DB_ARGS(DB_I(root)), err);
	if (!st)
		return err->code;
	while ((rc = db_next(st)) > 0) {
		struct org_stat *o = find(s, db_int(st, 0));
		if (!o)
			continue;
		int64_t n = db_int(st, 3);
		o->total += n;
		if (strcmp(db_text(st, 1), "full") == 0)
			o->full += n;
		else
			o->probationary += n;
		if (db_int(st, 2))
			o->mobile += n;
	}
	db_done(st);
	if (rc < 0)
		return err->code;
	st = db_query(db, "SELECT t.org_id, t.ends_on, (SELECT count(*) FROM org_officer f WHERE f.term_id = t.id)"
			  " FROM org_closure c JOIN org_term t ON t.org_id = c.descendant WHERE c.ancestor = ?"
			  " ORDER BY t.org_id, t.elected_on, t.id", DB_ARGS(DB_I(root)), err);
	if (!st)
		return err->code;
	while ((rc = db_next(st)) > 0) {	/* ordered, so the last row per org is its latest term */
		struct org_stat *o = find(s, db_int(st, 0));
		if (!o)
			continue;
		snprintf(o->ends_on, sizeof o->ends_on, "%s", db_text(st, 1));
		o->officers = db_int(st, 2);
	}
	db_done(st);
	return rc < 0 ? err->code : 0;
}

struct rules {
	int64_t min_full, committee_min, branch_max, general_max, warn_days;
	char today[11], horizon[11];
};

static int rules_load(struct db *db, const char *today, struct rules *r, struct dj_error *err)
{
	int rc;
	if ((rc = setting_get_int(db, "rule.branch_min_full", 3, &r->min_full, err)) ||
	    (rc = setting_get_int(db, "rule.branch_committee_min_full", 7, &r->committee_min, err)) ||
	    (rc = setting_get_int(db, "rule.branch_max_members", 50, &r->branch_max, err)) ||
	    (rc = setting_get_int(db, "rule.grassroots_committee_min", 100, &r->general_max, err)) ||
	    (rc = setting_get_int(db, "rule.election_warn_days", 90, &r->warn_days, err)))
		return rc;
	snprintf(r->today, sizeof r->today, "%s", today);
	date_add(r->horizon, r->today, 0, 0, (int)r->warn_days);
	return 0;
}

static const struct {
	const char *rule, *level, *title;
} rule_info[] = {
	{"election_overdue", "error", "换届逾期"},
	{"election_due", "warn", "即将到期换届"},
	{"no_term", "warn", "未录入班子成员"},
	{"branch_too_few", "error", "正式党员不足"},
	{"branch_needs_committee", "warn", "应设支部委员会"},
	{"branch_too_large", "warn", "党员人数过多"},
	{"general_branch_large", "info", "可设立基层党委"},
	{"probation_overdue", "error", "预备期满未转正"},
};

#define NRULES (sizeof rule_info / sizeof rule_info[0])

static int rule_index(const char *rule)
{
	for (size_t i = 0; i < NRULES; i++)
		if (strcmp(rule_info[i].rule, rule) == 0)
			return (int)i;
	return -1;
}

static void add(json_t *out, const char *rule, const struct org_stat *o, json_t *records, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void add(json_t *out, const char *rule, const struct org_stat *o, json_t *records, const char *fmt, ...)
{
	int i = rule_index(rule);
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:o}", "rule", rule, "level",
					     rule_info[i].level, "title", rule_info[i].title, "org_id",
					     (json_int_t)o->id, "org_name", o->name, "message", msg, "records",
					     records ? records : json_array()));
}

static void org_rules(const struct rules *r, const struct org_stat *o, json_t *out)
{
	const struct org_kind_info *k = org_kind(o->kind);
	if (!k)
		return;
	if (k->elects || strcmp(o->kind, "temporary_branch") == 0) {
		if (!o->ends_on[0])
			add(out, "no_term", o, NULL, "%s尚未录入班子（届次）信息", o->name);
		else if (k->elects && strcmp(o->ends_on, r->today) < 0)
			add(out, "election_overdue", o, NULL, "%s本届任期已于%s届满，已逾期%lld天", o->name, o->ends_on,
			    (long long)date_diff(o->ends_on, r->today));
		else if (k->elects && strcmp(o->ends_on, r->horizon) <= 0)
			add(out, "election_due", o, NULL, "%s本届任期将于%s届满，还有%lld天", o->name, o->ends_on,
			    (long long)date_diff(r->today, o->ends_on));
	}
	if (k->branch_like) {
		if (o->full < r->min_full)
			add(out, "branch_too_few", o, NULL, "%s正式党员%lld人，不足%lld人，应与邻近单位成立联合党支部",
			    o->name, (long long)o->full, (long long)r->min_full);
		if (k->elects && o->full >= r->committee_min && o->officers < 3)
			add(out, "branch_needs_committee", o, NULL, "%s正式党员%lld人，应设立支部委员会（3至5人），现有班子%lld人",
			    o->name, (long long)o->full, (long long)o->officers);
		if (o->total > r->branch_max)
			add(out, "branch_too_large", o, NULL, "%s有党员%lld人，超过%lld人，可考虑设立党总支或分设支部",
			    o->name, (long long)o->total, (long long)r->branch_max);
	}
	if (strcmp(o->kind, "general_branch") == 0 && o->total >= r->general_max)
		add(out, "general_branch_large", o, NULL, "%s有党员%lld人，可按规定设立基层党委", o->name,
		    (long long)o->total);
}

static int probation_rules(struct db *db, int64_t root, const struct rules *r, struct stats *s, json_t *out,
			   struct dj_error *err)
{
	struct db_stmt *st = db_query(db,
		"SELECT m.id, m.name, m.org_id, m.probation_end FROM org_closure c JOIN member m ON m.org_id = c.descendant"
		" WHERE c.ancestor = ? AND m.active = 1 AND m.status = 'probationary' AND m.probation_end < ?"
		" ORDER BY m.org_id, m.probation_end", DB_ARGS(DB_I(root), DB_T(r->today)), err);
	if (!st)
		return err->code;
	int rc;
	while ((rc = db_next(st)) > 0) {
		struct org_stat *o = find(s, db_int(st, 2));
		if (!o)
			continue;
		json_t *rec = json_pack("[{s:s, s:I, s:s}]", "type", "member", "id", (json_int_t)db_int(st, 0), "name",
					db_text(st, 1));
		add(out, "probation_overdue", o, rec, "%s预备期已于%s期满（%lld天前），尚未讨论转正", db_text(st, 1),
		    db_text(st, 3), (long long)date_diff(db_text(st, 3), r->today));
	}
	db_done(st);
	return rc < 0 ? err->code : 0;
}

/* The common start of a rules query: the subtree (the actor's scope when
 * root is 0), checked against the scope, with its rules and statistics. */
static int rules_prepare(struct db *db, const struct actor *a, int64_t *root, struct rules *r, struct stats *s,
			 struct dj_error *err)
{
	memset(s, 0, sizeof *s);
	if (a->role == ROLE_MEMBER)
		return dj_fail(err, DJ_EFORBIDDEN, "", "党员账号无权查看");
	if (!*root && scope_root_of(db, a, root, err))
		return err->code;
	if (scope_org(db, a, *root, err) || rules_load(db, a->today, r, err))
		return err->code;
	if (load_stats(db, *root, s, err)) {
		stats_free(s);
		memset(s, 0, sizeof *s);
		return err->code;
	}
	return 0;
}

bool org_rule_known(const char *rule)
{
	return rule_index(rule) >= 0;
}

json_t *org_findings(struct db *db, const struct actor *a, int64_t root, const char *rule, struct dj_error *err)
{
	if (rule && *rule && rule_index(rule) < 0) {
		dj_fail(err, DJ_EINVAL, "rule", "未知的规则“%s”", rule);
		return NULL;
	}
	struct rules r;
	struct stats s;
	if (rules_prepare(db, a, &root, &r, &s, err))
		return NULL;
	json_t *all = json_array();
	for (size_t i = 0; i < s.n; i++)
		org_rules(&r, &s.v[i], all);
	if (probation_rules(db, root, &r, &s, all, err)) {
		stats_free(&s);
		json_decref(all);
		return NULL;
	}
	stats_free(&s);
	if (!rule || !*rule)
		return all;
	json_t *some = json_array();
	size_t i;
	json_t *f;
	json_array_foreach(all, i, f)
		if (strcmp(json_string_value(json_object_get(f, "rule")), rule) == 0)
			json_array_append(some, f);
	json_decref(all);
	return some;
}

json_t *org_dashboard(struct db *db, const struct actor *a, int64_t root, struct dj_error *err)
{
	struct rules r;
	struct stats s;
	if (rules_prepare(db, a, &root, &r, &s, err))
		return NULL;
	json_t *findings = json_array();
	int64_t total = 0, full = 0, prob = 0, mobile = 0;
	json_t *kinds = json_object();
	for (size_t i = 0; i < s.n; i++) {
		struct org_stat *o = &s.v[i];
		org_rules(&r, o, findings);
		total += o->total;
		full += o->full;
		prob += o->probationary;
		mobile += o->mobile;
		json_t *c = json_object_get(kinds, o->kind);
		json_object_set_new(kinds, o->kind, json_integer(c ? json_integer_value(c) + 1 : 1));
	}
	int rc = probation_rules(db, root, &r, &s, findings, err);
	stats_free(&s);
	if (rc) {
		json_decref(findings);
		json_decref(kinds);
		return NULL;
	}
	json_t *by_kind = json_array();
	json_t *kl = org_kinds_json();
	size_t i;
	json_t *k;
	json_array_foreach(kl, i, k) {
		json_t *c = json_object_get(kinds, json_string_value(json_object_get(k, "kind")));
		if (c)
			json_array_append_new(by_kind, json_pack("{s:O, s:O, s:O}", "kind", json_object_get(k, "kind"),
								 "label", json_object_get(k, "label"), "count", c));
	}
	json_decref(kl);
	json_decref(kinds);
	/* Counts per rule, and the elections due within the warning window. */
	json_t *per_rule = json_array(), *elections = json_array();
	for (size_t ri = 0; ri < NRULES; ri++) {
		int64_t n = 0;
		size_t j;
		json_t *f;
		json_array_foreach(findings, j, f) {
			if (strcmp(json_string_value(json_object_get(f, "rule")), rule_info[ri].rule) != 0)
				continue;
			n++;
			if (ri <= 1 && json_array_size(elections) < 20)
				json_array_append_new(elections, json_pack("{s:O, s:O, s:O, s:s}", "org_id",
					json_object_get(f, "org_id"), "org_name", json_object_get(f, "org_name"),
					"message", json_object_get(f, "message"), "level", rule_info[ri].level));
		}
		json_array_append_new(per_rule, json_pack("{s:s, s:s, s:s, s:I}", "rule", rule_info[ri].rule, "title",
							  rule_info[ri].title, "level", rule_info[ri].level, "count",
							  (json_int_t)n));
	}
	int64_t due = 0;
	json_array_foreach(per_rule, i, k)
		if (i <= 1)
			due += json_integer_value(json_object_get(k, "count"));
	json_decref(findings);
	return json_pack("{s:I, s:s, s:o, s:{s:I, s:I, s:I, s:I}, s:I, s:o, s:o}", "root", (json_int_t)root,
			 "today", r.today, "orgs_by_kind", by_kind, "members", "total", (json_int_t)total, "full",
			 (json_int_t)full, "probationary", (json_int_t)prob, "mobile", (json_int_t)mobile,
			 "elections_due", (json_int_t)due, "elections", elections, "findings", per_rule);
}
