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
	/* Each org's latest term and its officers, kept by triggers (org
	 * module migration 2). */
	st = db_query(db, "SELECT t.org_id, t.ends_on, t.officers FROM org_closure c"
			  " JOIN org_term_latest t ON t.org_id = c.descendant WHERE c.ancestor = ?", DB_ARGS(DB_I(root)), err);
	if (!st)
		return err->code;
	while ((rc = db_next(st)) > 0) {
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
	const struct setting_int list[] = {
		{"rule.branch_min_full", 3, &r->min_full},
		{"rule.branch_committee_min_full", 7, &r->committee_min},
		{"rule.branch_max_members", 50, &r->branch_max},
		{"rule.grassroots_committee_min", 100, &r->general_max},
		{"rule.election_warn_days", 90, &r->warn_days},
	};
	int rc = setting_get_ints(db, list, (int)(sizeof list / sizeof list[0]), err);
	if (rc)
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

/* Where broken rules go: every finding with its records (GET /findings),
 * or only their counts and the first elections due (the dashboard). */
struct sink {
	json_t *all;			/* the findings, or NULL to count only */
	int64_t count[NRULES];
	json_t *first[2];		/* the first 20 findings of election_overdue and election_due */
};

#define ELECTIONS_SHOWN 20

static void add(struct sink *out, const char *rule, const struct org_stat *o, json_t *records, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void add(struct sink *out, const char *rule, const struct org_stat *o, json_t *records, const char *fmt, ...)
{
	int i = rule_index(rule);
	out->count[i]++;
	if (!out->all && !(i <= 1 && json_array_size(out->first[i]) < ELECTIONS_SHOWN)) {
		json_decref(records);
		return;
	}
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (!out->all) {
		json_array_append_new(out->first[i], json_pack("{s:I, s:s, s:s, s:s}", "org_id", (json_int_t)o->id,
							       "org_name", o->name, "message", msg, "level",
							       rule_info[i].level));
		json_decref(records);
		return;
	}
	json_array_append_new(out->all, json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:o}", "rule", rule, "level",
						  rule_info[i].level, "title", rule_info[i].title, "org_id",
						  (json_int_t)o->id, "org_name", o->name, "message", msg, "records",
						  records ? records : json_array()));
}

/* Is a finding of rule i (0 or 1: the elections) only counted?  Then the
 * days in its message are not worked out (the dashboard, ~2,000 orgs). */
static bool counted_only(struct sink *out, int i)
{
	if (out->all || json_array_size(out->first[i]) < ELECTIONS_SHOWN)
		return false;
	out->count[i]++;
	return true;
}

static void org_rules(const struct rules *r, const struct org_stat *o, struct sink *out)
{
	const struct org_kind_info *k = org_kind(o->kind);
	if (!k)
		return;
	if (k->elects || k->id == ORG_TEMPORARY_BRANCH) {
		if (!o->ends_on[0])
			add(out, "no_term", o, NULL, "%s尚未录入班子（届次）信息", o->name);
		else if (k->elects && strcmp(o->ends_on, r->today) < 0) {
			if (!counted_only(out, 0))
				add(out, "election_overdue", o, NULL, "%s本届任期已于%s届满，已逾期%lld天", o->name,
				    o->ends_on, (long long)date_diff(o->ends_on, r->today));
		} else if (k->elects && strcmp(o->ends_on, r->horizon) <= 0) {
			if (!counted_only(out, 1))
				add(out, "election_due", o, NULL, "%s本届任期将于%s届满，还有%lld天", o->name, o->ends_on,
				    (long long)date_diff(r->today, o->ends_on));
		}
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
	if (k->id == ORG_GENERAL_BRANCH && o->total >= r->general_max)
		add(out, "general_branch_large", o, NULL, "%s有党员%lld人，可按规定设立基层党委", o->name,
		    (long long)o->total);
}

static int probation_rules(struct db *db, int64_t root, const struct rules *r, struct stats *s, struct sink *out,
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
		json_t *rec = json_pack("[{s:I, s:s, s:s}]", "rid", (json_int_t)db_int(st, 0), "rkind", "member",
					"title", db_text(st, 1));
		add(out, "probation_overdue", o, rec, "%s预备期已于%s期满（%lld天前），尚未讨论转正", db_text(st, 1),
		    db_text(st, 3), (long long)date_diff(db_text(st, 3), r->today));
	}
	db_done(st);
	return rc < 0 ? err->code : 0;
}

/* The common start of a rules query: the subtree (the actor's scope when
 * root is 0), checked against the scope, with its rules and (unless s is
 * NULL) statistics. */
static int rules_prepare(struct db *db, const struct actor *a, int64_t *root, struct rules *r, struct stats *s,
			 struct dj_error *err)
{
	if (s)
		memset(s, 0, sizeof *s);
	if (a->role == ROLE_MEMBER)
		return dj_fail(err, DJ_EFORBIDDEN, "", "党员账号无权查看");
	if (!*root && scope_root_of(db, a, root, err))
		return err->code;
	if (scope_org(db, a, *root, err) || rules_load(db, a->today, r, err))
		return err->code;
	if (!s)
		return 0;
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
	struct sink sink = {.all = all};
	for (size_t i = 0; i < s.n; i++)
		org_rules(&r, &s.v[i], &sink);
	if (probation_rules(db, root, &r, &s, &sink, err)) {
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

/* The dashboard: the same rules as org_findings over the same orgs, but
 * counted in one pass over a row per org and member count (its kind, its
 * latest term with that term's officers as kept in org_term_latest, and the
 * counts kept per org in member_count), without building every finding —
 * at the province root that was 5,710 orgs copied into C and ~3,000
 * findings written out to be counted (55–60 ms). */
struct dash {
	const struct rules *r;
	struct sink sink;
	int64_t total, full, prob, mobile;
	int64_t per_kind[32];
	int64_t *ids;		/* the active orgs, in id order */
	size_t n, cap;
	struct org_stat o;
	int kind;		/* its kind's place in org_kind_names(), or -1 */
};

/* One org's rows are all in: count it. */
static void dash_org(struct dash *d, const char *name)
{
	struct org_stat *o = &d->o;
	if (!o->id)
		return;
	o->name = (char *)(name ? name : "");
	org_rules(d->r, o, &d->sink);
	d->total += o->total;
	d->full += o->full;
	d->prob += o->probationary;
	d->mobile += o->mobile;
	if (d->kind >= 0 && d->kind < 32)
		d->per_kind[d->kind]++;
}

/* The kind's place in org_kind_names(), or -1. */
static int dash_kind_index(const char *kind)
{
	const char *const *names = org_kind_names();
	for (int i = 0; names[i]; i++)
		if (strcmp(names[i], kind) == 0)
			return i;
	return -1;
}

/* The kind's own static name (org_rules reads it), and its place. */
static void dash_kind_set(struct dash *d, int kind)
{
	d->kind = kind;
	d->o.kind = (char *)(kind >= 0 ? org_kind_names()[kind] : "");
}

static void dash_id(struct dash *d, int64_t id)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 256;
		d->ids = xrealloc(d->ids, d->cap * sizeof *d->ids);
	}
	d->ids[d->n++] = id;
}

/* One member_count row of the org being counted. */
static void dash_count(struct org_stat *o, const char *status, int64_t mobile, int64_t k)
{
	o->total += k;
	if (strcmp(status, "full") == 0)
		o->full += k;
	else
		o->probationary += k;
	if (mobile)
		o->mobile += k;
}

/* A small subtree: one query, a look-up per org into its latest term and
 * its member counts, in id order. */
static int dash_join(struct db *db, int64_t root, struct dash *d, struct dj_error *err)
{
	struct db_stmt *st = db_query(db,
		"SELECT o.id, o.name, o.kind, t.ends_on, t.officers, k.status, k.is_mobile, k.n FROM org_closure c"
		" JOIN org o ON o.id = c.descendant LEFT JOIN org_term_latest t ON t.org_id = o.id"
		" LEFT JOIN member_count k ON k.org_id = o.id AND k.n > 0"
		" WHERE c.ancestor = ? AND o.status = 'active' ORDER BY c.descendant",
		DB_ARGS(DB_I(root)), err);
	if (!st)
		return err->code ? err->code : DJ_EDB;
	struct buf name = {0};
	int rc;
	while ((rc = db_next(st)) > 0) {
		int64_t id = db_int(st, 0);
		if (id != d->o.id) {
			dash_org(d, name.data);
			d->o = (struct org_stat){.id = id, .officers = db_int(st, 4)};
			dash_kind_set(d, dash_kind_index(db_text(st, 2)));
			if (!db_isnull(st, 3))	/* a date: 10 bytes (strncpy: this runs per org) */
				strncpy(d->o.ends_on, db_text(st, 3), sizeof d->o.ends_on - 1);
			name.len = 0;
			buf_puts(&name, db_text(st, 1));
			dash_id(d, id);
		}
		if (!db_isnull(st, 7))
			dash_count(&d->o, db_text(st, 5), db_int(st, 6), db_int(st, 7));
	}
	db_done(st);
	dash_org(d, name.data);
	buf_free(&name);
	return rc < 0 ? (err->code ? err->code : DJ_EDB) : 0;
}

/* A subtree of most of the tree (the province root): the look-ups per org
 * cost more than reading the tables through.  Four cursors in org id
 * order (the subtree's ids, the orgs, their latest terms, their member
 * counts; the org id leads each key) are merged here as they are read, so
 * nothing is copied per org (arrays of 5,710 rows grown and given back on
 * every request cost more in page faults than they saved).  62M → 46M
 * instructions at the province root. */
struct dash_cursor {
	struct db_stmt *st;
	int64_t id;		/* the current row's org id; INT64_MAX past the end */
	int rc;			/* < 0: an error */
};

static void dash_step(struct dash_cursor *c)
{
	int rc = db_next(c->st);
	if (rc < 0)
		c->rc = rc;
	c->id = rc > 0 ? db_int(c->st, 0) : INT64_MAX;
}

/* Step c to the first row with an org id >= id: is it id? */
static bool dash_seek(struct dash_cursor *c, int64_t id)
{
	while (c->id < id)
		dash_step(c);
	return c->id == id;
}

static int dash_scan(struct db *db, int64_t root, struct dash *d, struct dj_error *err)
{
	struct dash_cursor c[4] = {
		{.st = db_query(db, "SELECT descendant FROM org_closure WHERE ancestor = ? ORDER BY descendant",
				DB_ARGS(DB_I(root)), err)},
		{.st = db_query(db, "SELECT id, name, kind FROM org WHERE status = 'active' ORDER BY id", 0, NULL, err)},
		{.st = db_query(db, "SELECT org_id, ends_on, officers FROM org_term_latest ORDER BY org_id", 0, NULL, err)},
		{.st = db_query(db, "SELECT org_id, status, is_mobile, n FROM member_count WHERE n > 0 ORDER BY org_id", 0,
				NULL, err)},
	};
	int rc = 0;
	for (int i = 0; i < 4; i++) {
		if (!c[i].st)
			rc = -1;
		c[i].id = INT64_MIN;
	}
	struct dash_cursor *sub = &c[0], *org = &c[1], *term = &c[2], *count = &c[3];
	if (!rc)
		dash_step(org);
	while (!rc && org->id != INT64_MAX && !org->rc) {
		int64_t id = org->id;
		if (dash_seek(sub, id)) {
			d->o = (struct org_stat){.id = id};
			dash_kind_set(d, dash_kind_index(db_text(org->st, 2)));
			if (dash_seek(term, id)) {
				if (!db_isnull(term->st, 1))
					strncpy(d->o.ends_on, db_text(term->st, 1), sizeof d->o.ends_on - 1);
				d->o.officers = db_int(term->st, 2);
			}
			for (dash_seek(count, id); count->id == id; dash_step(count))
				dash_count(&d->o, db_text(count->st, 1), db_int(count->st, 2), db_int(count->st, 3));
			dash_id(d, id);
			dash_org(d, db_text(org->st, 1));
		}
		dash_step(org);
	}
	for (int i = 0; i < 4; i++) {
		if (c[i].rc < 0)
			rc = -1;
		if (c[i].st)
			db_done(c[i].st);
	}
	return rc < 0 ? (err->code ? err->code : DJ_EDB) : 0;
}

/* The subtree's orgs: read through when they are at least half the org
 * ids there are, else looked up one by one. */
static int dash_rows(struct db *db, int64_t root, struct dash *d, struct dj_error *err)
{
	int64_t top = 0, n = 0;
	struct db_stmt *st = db_query(db, "SELECT (SELECT coalesce(max(id), 0) FROM org),"
				      " (SELECT count(*) FROM org_closure WHERE ancestor = ?)", DB_ARGS(DB_I(root)), err);
	if (!st)
		return err->code ? err->code : DJ_EDB;
	int rc = db_next(st);
	if (rc > 0) {
		top = db_int(st, 0);
		n = db_int(st, 1);
	}
	db_done(st);
	if (rc < 0)
		return err->code ? err->code : DJ_EDB;
	return n * 2 >= top ? dash_scan(db, root, d, err) : dash_join(db, root, d, err);
}

static int by_id64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* Members past their probation, by the subtree's active orgs: over a big
 * subtree one pass over every overdue probation (a partial index) beats a
 * look-up per org (5,710 at the province root). */
static int dash_overdue(struct db *db, int64_t root, struct dash *d, int64_t *overdue, struct dj_error *err)
{
	if (d->n < 256)
		return db_int1(db, overdue,
			       "SELECT count(*) FROM member m WHERE m.org_id IN (SELECT c.descendant FROM org_closure c"
			       " JOIN org o ON o.id = c.descendant WHERE c.ancestor = ? AND o.status = 'active')"
			       " AND m.active = 1 AND m.status = 'probationary' AND m.probation_end < ?",
			       DB_ARGS(DB_I(root), DB_T(d->r->today)), err);
	struct db_stmt *st = db_query(db, "SELECT m.org_id FROM member m WHERE m.active = 1 AND m.status = 'probationary'"
					  " AND m.probation_end < ?", DB_ARGS(DB_T(d->r->today)), err);
	if (!st)
		return err->code;
	int rc;
	*overdue = 0;
	while ((rc = db_next(st)) > 0) {
		int64_t org = db_int(st, 0);
		if (bsearch(&org, d->ids, d->n, sizeof *d->ids, by_id64))
			(*overdue)++;
	}
	db_done(st);
	return rc < 0 ? err->code : 0;
}

json_t *org_dashboard(struct db *db, const struct actor *a, int64_t root, struct dj_error *err)
{
	struct rules r;
	if (rules_prepare(db, a, &root, &r, NULL, err))
		return NULL;
	struct dash d = {.r = &r, .sink = {.first = {json_array(), json_array()}}};
	int rc = dash_rows(db, root, &d, err) ? -1 : 0;
	int64_t overdue = 0;
	if (rc >= 0)
		rc = dash_overdue(db, root, &d, &overdue, err) ? -1 : 0;
	free(d.ids);
	if (rc < 0) {
		json_decref(d.sink.first[0]);
		json_decref(d.sink.first[1]);
		return NULL;
	}
	struct sink sink = d.sink;
	sink.count[rule_index("probation_overdue")] += overdue;
	json_t *by_kind = json_array();
	json_t *kl = org_kinds_json();
	size_t i;
	json_t *k;
	json_array_foreach(kl, i, k)
		if (i < 32 && d.per_kind[i])
			json_array_append_new(by_kind, json_pack("{s:O, s:O, s:I}", "kind", json_object_get(k, "kind"),
								 "label", json_object_get(k, "label"), "count",
								 (json_int_t)d.per_kind[i]));
	json_decref(kl);
	/* Counts per rule, and the elections due within the warning window:
	 * the overdue first, then those falling due, 20 at most. */
	json_t *per_rule = json_array(), *elections = sink.first[0];
	for (size_t ri = 0; ri < NRULES; ri++)
		json_array_append_new(per_rule, json_pack("{s:s, s:s, s:s, s:I}", "rule", rule_info[ri].rule, "title",
							  rule_info[ri].title, "level", rule_info[ri].level, "count",
							  (json_int_t)sink.count[ri]));
	json_array_foreach(sink.first[1], i, k)
		if (json_array_size(elections) < ELECTIONS_SHOWN)
			json_array_append(elections, k);
	json_decref(sink.first[1]);
	int64_t due = sink.count[0] + sink.count[1];
	return json_pack("{s:I, s:s, s:o, s:{s:I, s:I, s:I, s:I}, s:I, s:o, s:o}", "root", (json_int_t)root,
			 "today", r.today, "orgs_by_kind", by_kind, "members", "total", (json_int_t)d.total, "full",
			 (json_int_t)d.full, "probationary", (json_int_t)d.prob, "mobile", (json_int_t)d.mobile,
			 "elections_due", (json_int_t)due, "elections", elections, "findings", per_rule);
}
