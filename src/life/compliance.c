/* compliance.c — which required activities were held and which are
 * missing, per org and month, from the rules in life_rule (configurable per
 * org kind) and the held activities.  Org-level rules (a meeting held,
 * the secretary's own 党课) fill the grid; member-level rules (each member
 * at a 党课 every quarter, a 谈心谈话 with each member every year) are
 * listed in a cell's detail, where the roster of that date is known. */
#include "life/life_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/date.h"
#include "core/mem.h"
#include "core/valid.h"
#include "core/setting.h"
#include "db/db.h"
#include "member/member.h"
#include "org/org.h"

#define MAX_RULES 128
#define MAX_KINDS 32
#define MAX_SPAN 36		/* months the counts cover: whole years around the asked range */

enum period { PER_MONTH, PER_QUARTER, PER_YEAR };
enum who { WHO_ORG, WHO_MEMBER, WHO_SECRETARY };

struct rule {
	char org_kind[32], kind[48], label[64], period[8], who[12];
	int min, kind_ix;
	enum period per;
	enum who whom;
};

#define MAX_ORG_RULES 48	/* rules of one org kind (life_rules_set allows 40) */

struct lorg {
	int64_t id, secretary;
	char *name, *kind;
	char founded[11];
	int officers;
	int napp;			/* the org-level rules that apply to it, */
	short app[MAX_ORG_RULES];	/* computed once per load: a cell only looks these up */
};

struct grid {
	struct rule rules[MAX_RULES];
	int nrules;
	char kinds[MAX_KINDS][48];
	int nkinds;
	struct lorg *orgs;
	size_t norgs;
	int y0, nmonths;	/* counts cover y0-01 .. (y0 + nmonths/12 - 1)-12 */
	int *counts;		/* [org][kind][month] held activities, then (cumulate) held up to that month */
	int *sec_lectures;	/* [org][month] 党课 given by the org's secretary, likewise */
	char today[11];
	int now;		/* today's month index */
	char month_end[MAX_SPAN][24];	/* "YYYY-MM-31" of each month index: compared with founding dates */
};

static int month_ix(const struct grid *g, int y, int m)
{
	return (y - g->y0) * 12 + (m - 1);
}

static int *count_at(struct grid *g, size_t org, int kind, int month)
{
	return &g->counts[(org * (size_t)g->nkinds + (size_t)kind) * (size_t)g->nmonths + (size_t)month];
}

static int by_org_id(const void *a, const void *b)
{
	int64_t x = ((const struct lorg *)a)->id, y = ((const struct lorg *)b)->id;
	return (x > y) - (x < y);
}

static long org_ix(const struct grid *g, int64_t id)
{
	struct lorg key = {.id = id};
	const struct lorg *o = bsearch(&key, g->orgs, g->norgs, sizeof *g->orgs, by_org_id);
	return o ? o - g->orgs : -1;
}

static void grid_free(struct grid *g)
{
	for (size_t i = 0; i < g->norgs; i++) {
		free(g->orgs[i].name);
		free(g->orgs[i].kind);
	}
	free(g->orgs);
	free(g->counts);
	free(g->sec_lectures);
}

static int rules_load(struct db *db, struct grid *g, struct dj_error *err)
{
	struct db_stmt *st = db_query(db, "SELECT r.org_kind, r.activity_kind, k.label, r.period, r.min_count, r.who"
					  " FROM life_rule r JOIN activity_kind k ON k.code = r.activity_kind"
					  " ORDER BY r.org_kind, k.sort, r.who", DB_NOARGS, err);
	if (!st)
		return err->code;
	while (db_next(st) > 0 && g->nrules < MAX_RULES) {
		struct rule *r = &g->rules[g->nrules++];
		snprintf(r->org_kind, sizeof r->org_kind, "%s", db_text(st, 0));
		snprintf(r->kind, sizeof r->kind, "%s", db_text(st, 1));
		snprintf(r->label, sizeof r->label, "%s", db_text(st, 2));
		snprintf(r->period, sizeof r->period, "%s", db_text(st, 3));
		r->min = (int)db_int(st, 4);
		snprintf(r->who, sizeof r->who, "%s", db_text(st, 5));
		r->per = strcmp(r->period, "quarter") == 0 ? PER_QUARTER : strcmp(r->period, "year") == 0 ? PER_YEAR : PER_MONTH;
		r->whom = strcmp(r->who, "member") == 0 ? WHO_MEMBER : strcmp(r->who, "secretary") == 0 ? WHO_SECRETARY : WHO_ORG;
		r->kind_ix = -1;
		for (int k = 0; k < g->nkinds; k++)
			if (strcmp(g->kinds[k], r->kind) == 0)
				r->kind_ix = k;
		if (r->kind_ix < 0 && g->nkinds < MAX_KINDS) {
			memcpy(g->kinds[g->nkinds], r->kind, sizeof g->kinds[0]);
			r->kind_ix = g->nkinds++;
		}
	}
	db_done(st);
	return 0;
}

static int kind_ix(const struct grid *g, const char *kind)
{
	for (int k = 0; k < g->nkinds; k++)
		if (strcmp(g->kinds[k], kind) == 0)
			return k;
	return -1;
}

/* Orgs of the subtree that some rule applies to, with their committee.  The
 * orgs are read in id order through the subtree's ids (at a province root a
 * join from org_closure had 5,000 rows sorted). */
static int orgs_load(struct db *db, int64_t root, struct grid *g, struct dj_error *err)
{
	struct db_stmt *st = db_query(db,
		"SELECT o.id, o.name, o.kind, o.founded_on FROM org o WHERE " ORG_IN_SUBTREE("o.id", "?")
		" AND o.status = 'active' AND o.kind IN (SELECT org_kind FROM life_rule) ORDER BY o.id",
		DB_ARGS(DB_I(root)), err);
	if (!st)
		return err->code;
	size_t cap = 0;
	while (db_next(st) > 0) {
		if (g->norgs == cap) {
			cap = cap ? cap * 2 : 64;
			g->orgs = xrealloc(g->orgs, cap * sizeof *g->orgs);
		}
		struct lorg *o = &g->orgs[g->norgs++];
		memset(o, 0, sizeof *o);
		o->id = db_int(st, 0);
		o->name = xstrdup(db_text(st, 1));
		o->kind = xstrdup(db_text(st, 2));
		snprintf(o->founded, sizeof o->founded, "%s", db_text(st, 3));
	}
	db_done(st);
	/* The current term (the latest elected) and its officers are kept per
	 * org in org_term_latest (src/org/org_module.c): no count per term. */
	st = db_query(db, "SELECT l.org_id, l.term_id, l.officers,"
			  " (SELECT max(f.member_id) FROM org_officer f WHERE f.term_id = l.term_id AND f.post = 'secretary')"
			  " FROM org_term_latest l WHERE " ORG_IN_SUBTREE("l.org_id", "?"), DB_ARGS(DB_I(root)), err);
	if (!st)
		return err->code;
	while (db_next(st) > 0) {
		long i = org_ix(g, db_int(st, 0));
		if (i < 0)
			continue;
		g->orgs[i].officers = (int)db_int(st, 2);
		g->orgs[i].secretary = db_isnull(st, 3) ? 0 : db_int(st, 3);
	}
	db_done(st);
	return 0;
}

/* Held activities per org, kind and month from life_tally (kept by
 * triggers on activity_org, life_module.c): one index range of the
 * subtree, a row per org, year and kind with a column per month; a
 * lecture's row names its speaker, so the secretary's own are counted
 * without reading the activity. */
static int counts_load(struct db *db, int64_t root, struct grid *g, struct dj_error *err)
{
	g->counts = xcalloc(g->norgs * (size_t)g->nkinds * (size_t)g->nmonths + 1, sizeof *g->counts);
	g->sec_lectures = xcalloc(g->norgs * (size_t)g->nmonths + 1, sizeof *g->sec_lectures);
	int y1 = g->y0 + g->nmonths / 12 - 1;
	struct db_stmt *st = db_query(db,
		"SELECT t.org_id, t.kind, t.year, t.speaker, t.m01, t.m02, t.m03, t.m04, t.m05, t.m06, t.m07, t.m08, t.m09,"
		" t.m10, t.m11, t.m12 FROM life_tally t"
		" WHERE " ORG_IN_SUBTREE("t.org_id", "?") " AND t.year BETWEEN ? AND ?",
		DB_ARGS(DB_I(root), DB_I(g->y0), DB_I(y1)), err);
	if (!st)
		return err->code;
	int rc, lecture = kind_ix(g, "lecture");
	long o = -1;
	int64_t last = 0;
	while ((rc = db_next(st)) > 0) {
		int64_t id = db_int(st, 0);
		if (id != last || o < 0) {	/* rows come by org */
			o = org_ix(g, id);
			last = id;
		}
		int k = kind_ix(g, db_text(st, 1));
		int m0 = ((int)db_int(st, 2) - g->y0) * 12;
		if (o < 0 || k < 0 || m0 < 0 || m0 + 12 > g->nmonths)
			continue;
		bool sec = k == lecture && g->orgs[o].secretary && db_int(st, 3) == g->orgs[o].secretary;
		int *c = count_at(g, (size_t)o, k, m0), *s = &g->sec_lectures[(size_t)o * (size_t)g->nmonths + (size_t)m0];
		for (int m = 0; m < 12; m++) {
			int n = (int)db_int(st, 4 + m);
			c[m] += n;
			if (sec)
				s[m] += n;
		}
	}
	db_done(st);
	return rc < 0 ? err->code : 0;
}

/* Each org's (and kind's) months as running totals, so that what was held
 * in a window is one subtraction: a cell of the grid looks up to 8 rules,
 * some over a quarter or a year, and a province has 64,000 cells. */
static void cumulate_run(int *c, int n)
{
	for (int m = 1; m < n; m++)
		c[m] += c[m - 1];
}

static void cumulate(struct grid *g)
{
	size_t n = (size_t)g->nmonths;
	for (size_t r = 0; r < g->norgs * (size_t)g->nkinds; r++)
		cumulate_run(&g->counts[r * n], g->nmonths);
	for (size_t o = 0; o < g->norgs; o++)
		cumulate_run(&g->sec_lectures[o * n], g->nmonths);
}

/* Held in months lo..hi from running totals. */
static int held_in(const int *run, int lo, int hi)
{
	return run[hi] - (lo ? run[lo - 1] : 0);
}

static bool parse_month(const char *s, int *y, int *m)
{
	return date_month_parse(s, y, m) && *y >= 1921;
}

static bool rule_applies(const struct rule *r, const struct lorg *o);

/* Load everything for the subtree of `root` covering whole years y0..y1. */
static int grid_load(struct db *db, int64_t root, const char *today, int y0, int y1, struct grid *g,
		     struct dj_error *err)
{
	memset(g, 0, sizeof *g);
	snprintf(g->today, sizeof g->today, "%s", today);
	g->y0 = y0;
	g->nmonths = (y1 - y0 + 1) * 12;
	int rc;
	if ((rc = rules_load(db, g, err)) || (rc = orgs_load(db, root, g, err)) || (rc = counts_load(db, root, g, err))) {
		grid_free(g);
		return rc;
	}
	cumulate(g);
	g->now = month_ix(g, atoi(today), atoi(today + 5));
	for (int m = 0; m < g->nmonths && m < MAX_SPAN; m++)
		snprintf(g->month_end[m], sizeof g->month_end[m], "%04d-%02d-31", y0 + m / 12, m % 12 + 1);
	for (size_t o = 0; o < g->norgs; o++)
		for (int i = 0; i < g->nrules && g->orgs[o].napp < MAX_ORG_RULES; i++)
			if (g->rules[i].whom != WHO_MEMBER && rule_applies(&g->rules[i], &g->orgs[o]))
				g->orgs[o].app[g->orgs[o].napp++] = (short)i;
	return 0;
}

/* The window of a period containing month index m: [lo, hi]. */
static void window(enum period period, int m, int *lo, int *hi)
{
	if (period == PER_QUARTER) {
		*lo = m - m % 3;
		*hi = *lo + 2;
	} else if (period == PER_YEAR) {
		*lo = m - m % 12;
		*hi = *lo + 11;
	} else {
		*lo = *hi = m;
	}
}

enum state { ST_NA, ST_OPEN, ST_OK, ST_PENDING, ST_MISSING, ST_FUTURE };
static const char *const state_names[] = {"na", "open", "ok", "pending", "missing", "future"};

static bool rule_applies(const struct rule *r, const struct lorg *o)
{
	if (strcmp(r->org_kind, o->kind) != 0)
		return false;
	/* 支部委员会 meets where there is a committee (3 or more officers). */
	if (strcmp(r->kind, "committee_meeting") == 0 && o->officers < 3)
		return false;
	if (r->whom == WHO_SECRETARY && !o->secretary)
		return false;
	return true;
}

static int this_month(const struct grid *g)
{
	return g->now;
}

/* The state of one org-level rule for the org at month m, with the count. */
static enum state rule_state(const struct grid *g, size_t o, const struct rule *r, int m, int *held)
{
	int lo, hi;
	window(r->per, m, &lo, &hi);
	*held = held_in(r->whom == WHO_SECRETARY ? &g->sec_lectures[o * (size_t)g->nmonths]
						  : count_at((struct grid *)g, o, r->kind_ix, 0), lo, hi);
	if (*held >= r->min)
		return ST_OK;
	int now = g->now;
	if (m < hi)
		return m > now ? ST_FUTURE : ST_OPEN;
	if (hi > now)
		return ST_FUTURE;
	return hi == now ? ST_PENDING : ST_MISSING;
}

/* A cell: the worst state of the org-level rules due or met that month. */
static enum state cell_state(const struct grid *g, size_t o, int m, int *nmissing)
{
	const struct lorg *org = &g->orgs[o];
	*nmissing = 0;
	if (m > g->now)
		return ST_FUTURE;
	if (org->founded[0] && strcmp(org->founded, g->month_end[m]) > 0)
		return ST_NA;
	enum state worst = ST_NA;
	for (int i = 0; i < org->napp; i++) {
		const struct rule *r = &g->rules[org->app[i]];
		int held;
		enum state s = rule_state(g, o, r, m, &held);
		if (s == ST_MISSING)
			(*nmissing)++;
		if (s == ST_OPEN && worst < ST_OK)
			worst = ST_OK;	/* nothing due yet: fine so far */
		else if (s != ST_OPEN && s != ST_FUTURE && s > worst)
			worst = s;
	}
	return worst == ST_NA ? ST_OK : worst;
}

static int64_t root_for(struct db *db, const struct actor *a, int64_t org, struct dj_error *err)
{
	if (a->role == ROLE_MEMBER) {
		dj_fail(err, DJ_EFORBIDDEN, "", "党员账号无权查看");
		return 0;
	}
	if (!org && scope_root_of(db, a, &org, err))
		return 0;
	return scope_org(db, a, org, err) ? 0 : org;
}

/* A JSON string as jansson writes it (JSON_COMPACT, UTF-8 kept). */
static void put_str(struct buf *b, const char *s)
{
	buf_append(b, "\"", 1);
	const char *run = s;
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch >= 0x20 && ch != '"' && ch != '\\')
			continue;
		buf_append(b, run, (size_t)(s - run));
		run = s + 1;
		switch (ch) {
		case '"': buf_puts(b, "\\\""); break;
		case '\\': buf_puts(b, "\\\\"); break;
		case '\b': buf_puts(b, "\\b"); break;
		case '\f': buf_puts(b, "\\f"); break;
		case '\n': buf_puts(b, "\\n"); break;
		case '\r': buf_puts(b, "\\r"); break;
		case '\t': buf_puts(b, "\\t"); break;
		default: buf_printf(b, "\\u%04X", ch);
		}
	}
	buf_append(b, run, (size_t)(s - run));
	buf_append(b, "\"", 1);
}

/* {"state":"ok","missing":0}, without printf: there are 70,000 of them. */
static void put_cell(struct buf *b, bool comma, enum state s, int nmiss)
{
	char tmp[96], *p = tmp;
	if (comma)
		*p++ = ',';
	memcpy(p, "{\"state\":\"", 10);
	p += 10;
	size_t n = strlen(state_names[s]);
	memcpy(p, state_names[s], n);
	p += n;
	memcpy(p, "\",\"missing\":", 12);
	p += 12;
	if (nmiss >= 0 && nmiss < 10)
		*p++ = (char)('0' + nmiss);
	else
		p += snprintf(p, 24, "%d", nmiss);
	*p++ = '}';
	buf_append(b, tmp, (size_t)(p - tmp));
}

/* The grid is written straight into `out` as JSON text: at the province
 * scale it is 70,000 cells (2.4 MB), and a jansson tree of them cost more
 * than everything else together. */
int life_compliance(struct db *db, const struct actor *a, int64_t org, const char *from, const char *to,
		    struct buf *out, struct dj_error *err)
{
	int64_t root = root_for(db, a, org, err);
	if (!root)
		return err->code;
	int fy, fm, ty, tm;
	const char *today = a->today;
	if (!from)
		fy = atoi(today), fm = 1;
	else if (!parse_month(from, &fy, &fm))
		return dj_fail(err, DJ_EINVAL, "from", "起始月份格式应为 YYYY-MM");
	if (!to)
		ty = atoi(today), tm = atoi(today + 5);
	else if (!parse_month(to, &ty, &tm))
		return dj_fail(err, DJ_EINVAL, "to", "截止月份格式应为 YYYY-MM");
	int span = (ty - fy) * 12 + tm - fm + 1;
	if (span < 1 || span > 24)
		return dj_fail(err, DJ_EINVAL, "to", "月份范围应在1至24个月之间");
	struct grid g;
	int rc;
	if ((rc = grid_load(db, root, a->today, fy, ty, &g, err)))
		return rc;
	int m0 = month_ix(&g, fy, fm);
	buf_printf(out, "{\"org_id\":%lld,\"months\":[", (long long)root);
	for (int m = m0; m < m0 + span; m++)
		buf_printf(out, "%s\"%04d-%02d\"", m > m0 ? "," : "", g.y0 + m / 12, m % 12 + 1);
	buf_puts(out, "],\"rows\":[");
	/* Sized once: growing a 2.4 MB buffer by doubling copied it ten times. */
	size_t need = out->len + 256 + g.norgs * (160 + (size_t)span * 32);
	if (out->cap < need) {
		out->data = xrealloc(out->data, need);
		out->cap = need;
		out->data[out->len] = 0;
	}
	int64_t red = 0, green = 0;
	for (size_t o = 0; o < g.norgs; o++) {
		buf_printf(out, "%s{\"org_id\":%lld,\"org_name\":", o ? "," : "", (long long)g.orgs[o].id);
		put_str(out, g.orgs[o].name);
		buf_puts(out, ",\"kind\":");
		put_str(out, g.orgs[o].kind);
		buf_puts(out, ",\"cells\":[");
		int missing_total = 0;
		for (int m = m0; m < m0 + span; m++) {
			int nmiss;
			enum state s = cell_state(&g, o, m, &nmiss);
			missing_total += nmiss;
			red += s == ST_MISSING;
			green += s == ST_OK;
			put_cell(out, m > m0, s, nmiss);
		}
		buf_printf(out, "],\"missing\":%d}", missing_total);
	}
	buf_printf(out, "],\"totals\":{\"missing_cells\":%lld,\"ok_cells\":%lld}}", (long long)red, (long long)green);
	grid_free(&g);
	return 0;
}

/* Members of the org (roster at the window's end, or today) with no
 * present attendance at `kind` in the window. */
static json_t *member_gaps(struct db *db, int64_t org, const char *kind, const char *lo, const char *hi,
			   const char *today, struct dj_error *err)
{
	char at[11];
	snprintf(at, sizeof at, "%s", strcmp(hi, today) < 0 ? hi : today);
	json_t *roster = member_roster_at(db, org, at, err);
	if (!roster)
		return NULL;
	/* Who of the org's members attended one anywhere (dual included), keyed by id. */
	json_t *came = json_object();
	struct db_stmt *st = db_query(db, "SELECT DISTINCT t.member_id FROM attendance t JOIN activity v ON v.id = t.activity_id"
					  " WHERE t.status = 'present' AND v.kind = ? AND v.status = 'held'"
					  " AND v.on_date BETWEEN ? AND ? AND t.member_id IN (SELECT id FROM member WHERE org_id = ?"
					  " UNION SELECT member_id FROM member_transfer WHERE from_org = ?)",
				      DB_ARGS(DB_T(kind), DB_T(lo), DB_T(hi), DB_I(org), DB_I(org)), err);
	int rc = st ? 0 : -1;
	while (st && (rc = db_next(st)) > 0) {
		char k[24];
		snprintf(k, sizeof k, "%lld", (long long)db_int(st, 0));
		json_object_set_new(came, k, json_true());
	}
	db_done(st);
	if (rc < 0) {
		json_decref(came);
		json_decref(roster);
		return NULL;
	}
	json_t *out = json_array();
	size_t i;
	json_t *m;
	json_array_foreach(roster, i, m) {
		char k[24];
		snprintf(k, sizeof k, "%lld", (long long)json_integer_value(json_object_get(m, "id")));
		if (!json_object_get(came, k))
			json_array_append_new(out, json_pack("{s:O, s:O}", "id", json_object_get(m, "id"), "name",
							     json_object_get(m, "name")));
	}
	json_decref(came);
	json_decref(roster);
	return out;
}

static void month_bounds(const struct grid *g, int lo, int hi, char a[11], char b[11])
{
	char first[11];
	date_format(a, g->y0 + lo / 12, lo % 12 + 1, 1);
	date_format(first, g->y0 + hi / 12, hi % 12 + 1, 1);
	date_add(b, first, 0, 1, -1);
}

/* One org and month: every rule with what was held in its window, or the gap. */
static json_t *cell_detail(struct db *db, struct grid *g, size_t o, int m, struct dj_error *err)
{
	const struct lorg *org = &g->orgs[o];
	json_t *rules = json_array();
	for (int i = 0; i < g->nrules; i++) {
		const struct rule *r = &g->rules[i];
		if (!rule_applies(r, org))
			continue;
		int lo, hi;
		window(r->per, m, &lo, &hi);
		char a[11], b[11];
		month_bounds(g, lo, hi, a, b);
		json_t *held = db_rows(db, "SELECT v.id, v.on_date, v.topic, v.speaker FROM activity_org x"
					   " JOIN activity v ON v.id = x.activity_id WHERE x.org_id = ? AND x.kind = ?"
					   " AND x.held = 1 AND x.on_date BETWEEN ? AND ? ORDER BY x.on_date",
				       DB_ARGS(DB_I(org->id), DB_T(r->kind), DB_T(a), DB_T(b)), err);
		if (!held) {
			json_decref(rules);
			return NULL;
		}
		json_t *item = json_pack("{s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:o}", "kind", r->kind, "label", r->label,
					 "period", r->period, "who", r->who, "min", r->min, "from", a, "to", b, "held", held);
		enum state s;
		if (strcmp(r->who, "member") == 0) {
			json_t *gaps = member_gaps(db, org->id, r->kind, a, b, g->today, err);
			if (!gaps) {
				json_decref(item);
				json_decref(rules);
				return NULL;
			}
			int n = (int)json_array_size(gaps);
			int now = this_month(g);
			s = n == 0 ? ST_OK : m < hi ? ST_OPEN : hi > now ? ST_FUTURE : hi == now ? ST_PENDING : ST_MISSING;
			json_object_set_new(item, "members_missing", gaps);
		} else {
			int count;
			s = rule_state(g, o, r, m, &count);
			json_object_set_new(item, "count", json_integer(count));
		}
		json_object_set_new(item, "state", json_string(state_names[s]));
		json_array_append_new(rules, item);
	}
	return rules;
}

json_t *life_cell(struct db *db, const struct actor *a, int64_t org, const char *month, struct dj_error *err)
{
	int y, m;
	if (!org) {
		dj_fail(err, DJ_EINVAL, "org", "请指定党组织");
		return NULL;
	}
	if (!parse_month(month, &y, &m)) {
		dj_fail(err, DJ_EINVAL, "month", "月份格式应为 YYYY-MM");
		return NULL;
	}
	if (!root_for(db, a, org, err))
		return NULL;
	struct grid g;
	if (grid_load(db, org, a->today, y, y, &g, err))
		return NULL;
	long o = org_ix(&g, org);
	json_t *out = NULL;
	if (o < 0) {
		dj_fail(err, DJ_EINVAL, "org", "该党组织没有组织生活规则（规则按支部等类型设置）");
	} else {
		int nmiss;
		enum state s = cell_state(&g, (size_t)o, month_ix(&g, y, m), &nmiss);
		json_t *rules = cell_detail(db, &g, (size_t)o, month_ix(&g, y, m), err);
		if (rules)
			out = json_pack("{s:I, s:s, s:s, s:s, s:o}", "org_id", (json_int_t)org, "org_name", g.orgs[o].name,
					"month", month, "state", state_names[s], "rules", rules);
	}
	grid_free(&g);
	return out;
}

/* Rules due this month (a monthly rule, or the last month of its quarter or
 * year) and not met yet. */
static json_t *dues_of(struct grid *g, int m)
{
	json_t *out = json_array();
	for (size_t o = 0; o < g->norgs; o++)
		for (int i = 0; i < g->nrules; i++) {
			const struct rule *r = &g->rules[i];
			if (strcmp(r->who, "member") == 0 || !rule_applies(r, &g->orgs[o]))
				continue;
			int held, lo, hi;
			window(r->per, m, &lo, &hi);
			enum state s = rule_state(g, o, r, m, &held);
			if (s != ST_OK && hi == m) {
				char a[11], b[11];
				month_bounds(g, lo, hi, a, b);
				json_array_append_new(out, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:i, s:i}", "org_id",
					(json_int_t)g->orgs[o].id, "org_name", g->orgs[o].name, "kind", r->kind, "label",
					strcmp(r->who, "secretary") == 0 ? "书记讲党课" : r->label, "period", r->period,
					"due", b, "held", held, "min", r->min));
			}
		}
	return out;
}

json_t *life_pending(struct db *db, const struct actor *a, int64_t org, struct dj_error *err)
{
	int64_t root = root_for(db, a, org, err);
	if (!root)
		return NULL;
	struct grid g;
	const char *today = a->today;
	if (grid_load(db, root, a->today, atoi(today), atoi(today), &g, err))
		return NULL;
	json_t *items = dues_of(&g, this_month(&g));
	grid_free(&g);
	char month[8];
	snprintf(month, sizeof month, "%.7s", today);
	return json_pack("{s:s, s:o, s:I}", "month", month, "items", items, "total", (json_int_t)json_array_size(items));
}

json_t *life_absentees(struct db *db, const struct actor *a, int64_t org, struct dj_error *err)
{
	int64_t root = root_for(db, a, org, err);
	if (!root)
		return NULL;
	int64_t n = 3;
	if (setting_get_int(db, "life.missed_in_a_row", 3, &n, err))
		return NULL;
	char since[11];
	const char *today = a->today;
	date_add(since, today, -1, 0, 0);
	/* The last n activities each member was expected at in their own org. */
	json_t *rows = db_rows(db,
		"SELECT s.member_id, m.name, m.org_id, o.name AS org_name, max(s.on_date) AS last_date FROM ("
		" SELECT t.member_id, t.status, v.on_date, row_number() OVER (PARTITION BY t.member_id"
		"  ORDER BY v.on_date DESC, v.id DESC) AS rn FROM attendance t JOIN activity v ON v.id = t.activity_id"
		" WHERE t.dual = 0 AND v.status = 'held' AND v.on_date BETWEEN ? AND ?"
		"  AND " ORG_IN_SUBTREE("t.org_id", "?") ") s"
		" JOIN member m ON m.id = s.member_id JOIN org o ON o.id = m.org_id"
		" WHERE s.rn <= ? AND m.active = 1 GROUP BY s.member_id, m.name, m.org_id, o.name"
		" HAVING count(*) = ? AND sum(CASE WHEN s.status = 'absent' THEN 1 ELSE 0 END) = ?"
		" ORDER BY o.name, m.name LIMIT 500",
		DB_ARGS(DB_T(since), DB_T(today), DB_I(root), DB_I(n), DB_I(n), DB_I(n)), err);
	if (!rows)
		return NULL;
	return json_pack("{s:I, s:o, s:I}", "in_a_row", (json_int_t)n, "items", rows, "total",
			 (json_int_t)json_array_size(rows));
}

json_t *life_summary(struct db *db, const struct actor *a, int64_t org, struct dj_error *err)
{
	int64_t root = root_for(db, a, org, err);
	if (!root)
		return NULL;
	char first[11];
	const char *today = a->today;
	snprintf(first, sizeof first, "%.7s-01", today);
	json_t *r = db_row(db,
		"SELECT count(DISTINCT x.activity_id) AS held, coalesce(sum((SELECT count(*) FROM attendance t"
		" WHERE t.activity_id = x.activity_id AND t.org_id = x.org_id AND t.status = 'present')), 0) AS present,"
		" coalesce(sum((SELECT count(*) FROM attendance t WHERE t.activity_id = x.activity_id"
		" AND t.org_id = x.org_id AND t.dual = 0)), 0) AS expected FROM activity_org x"
		" WHERE " ORG_IN_SUBTREE("x.org_id", "?") " AND x.held = 1"
		" AND x.on_date BETWEEN ? AND ?", DB_ARGS(DB_I(root), DB_T(first), DB_T(today)), err);
	if (!r)
		return NULL;
	struct grid g;
	int y = atoi(today), m = atoi(today + 5);
	int py = m == 1 ? y - 1 : y, pm = m == 1 ? 12 : m - 1;
	if (grid_load(db, root, a->today, py, y, &g, err)) {
		json_decref(r);
		return NULL;
	}
	int64_t behind = 0;
	for (size_t o = 0; o < g.norgs; o++) {
		int nmiss;
		behind += cell_state(&g, o, month_ix(&g, py, pm), &nmiss) == ST_MISSING;
	}
	json_t *dues = dues_of(&g, this_month(&g));
	int64_t held = json_integer_value(json_object_get(r, "held"));
	int64_t present = json_integer_value(json_object_get(r, "present"));
	int64_t expected = json_integer_value(json_object_get(r, "expected"));
	char month[8], last[24];
	snprintf(month, sizeof month, "%.7s", today);
	snprintf(last, sizeof last, "%04d-%02d", py, pm);
	json_t *out = json_pack("{s:s, s:s, s:I, s:I, s:I, s:f, s:I, s:I, s:I}", "month", month, "last_month", last,
				"held", (json_int_t)held, "present", (json_int_t)present, "expected",
				(json_int_t)expected, "rate", expected ? (double)present / (double)expected : 0.0,
				"orgs", (json_int_t)g.norgs, "behind_last_month", (json_int_t)behind, "pending",
				(json_int_t)json_array_size(dues));
	json_decref(dues);
	json_decref(r);
	grid_free(&g);
	return out;
}

static int by_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* The members present at a held activity of `kind` between lo and hi,
 * anywhere (member_gaps' "came", for every org at once): sorted ids.  The
 * activities lead (CROSS JOIN): without statistics SQLite walked every roll
 * call ever taken by member and looked up its activity. */
static int came_load(struct db *db, const char *kind, const char *lo, const char *hi, int64_t **ids, size_t *n,
		     struct dj_error *err)
{
	*ids = NULL;
	*n = 0;
	struct db_stmt *st = db_query(db, "SELECT t.member_id FROM activity v CROSS JOIN attendance t"
					  " WHERE t.activity_id = v.id AND v.kind = ? AND v.status = 'held' AND v.on_date BETWEEN ? AND ?"
					  " AND t.status = 'present'", DB_ARGS(DB_T(kind), DB_T(lo), DB_T(hi)), err);
	if (!st)
		return err->code;
	size_t cap = 0;
	int rc;
	while ((rc = db_next(st)) > 0) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 1024;
			*ids = xrealloc(*ids, cap * sizeof **ids);
		}
		(*ids)[(*n)++] = db_int(st, 0);
	}
	db_done(st);
	if (rc < 0) {
		free(*ids);
		*ids = NULL;
		return err->code;
	}
	if (*n)
		qsort(*ids, *n, sizeof **ids, by_i64);
	return 0;
}

/* The roster on `at` of every org of the grid (member_roster_at's rule, for
 * the whole subtree in one query): a member's org that day is the from_org
 * of their first transfer after it, or their org now.  roster[o] lists
 * {id, name} in the order of names. */
static int rosters_load(struct db *db, int64_t root, const struct grid *g, const char *at, json_t **roster,
			struct dj_error *err)
{
	struct db_stmt *st = db_query(db,
		"SELECT m.id, m.name, coalesce((SELECT t.from_org FROM member_transfer t WHERE t.member_id = m.id"
		" AND t.on_date > ?2 ORDER BY t.on_date, t.id LIMIT 1), m.org_id) FROM member m"
		" WHERE (m.active = 1 OR m.id IN (SELECT e.member_id FROM member_end e WHERE e.on_date > ?2 AND e.back_on IS NULL))"
		" AND m.join_date <= ?2 AND (" ORG_IN_SUBTREE("m.org_id", "?1")
		" OR m.id IN (SELECT t.member_id FROM member_transfer t WHERE t.on_date > ?2"
		" AND " ORG_IN_SUBTREE("t.from_org", "?1") "))"
		" ORDER BY m.name_key, m.id", DB_ARGS(DB_I(root), DB_T(at)), err);
	if (!st)
		return err->code;
	int rc;
	while ((rc = db_next(st)) > 0) {
		long o = org_ix(g, db_int(st, 2));
		if (o < 0)
			continue;
		if (!roster[o])
			roster[o] = json_array();
		json_t *m = json_object();	/* 200,000 of them at a province root: no format to parse */
		json_object_set_new_nocheck(m, "id", json_integer(db_int(st, 0)));
		json_object_set_new_nocheck(m, "name", json_string(db_text(st, 1)));
		json_array_append_new(roster[o], m);
	}
	db_done(st);
	return rc < 0 ? err->code : 0;
}

/* Those of a roster not among the sorted ids. */
static json_t *roster_minus(json_t *roster, const int64_t *ids, size_t n)
{
	json_t *out = json_array();
	size_t i;
	json_t *m;
	json_array_foreach(roster, i, m) {
		int64_t id = json_integer_value(json_object_get(m, "id"));
		if (!n || !bsearch(&id, ids, n, sizeof *ids, by_i64))
			json_array_append(out, m);
	}
	return out;
}

static void finding_add(json_t *out, const struct lorg *org, const struct rule *r, const char *st, const char *from,
			json_t *gaps)
{
	int wy = atoi(from), wm = atoi(from + 5);
	char pl[48], msg[512];
	if (r->per == PER_MONTH)
		snprintf(pl, sizeof pl, "%d年%d月", wy, wm);
	else if (r->per == PER_QUARTER)
		snprintf(pl, sizeof pl, "%d年第%d季度", wy, (wm + 2) / 3);
	else
		snprintf(pl, sizeof pl, "%d年度", wy);
	if (r->whom == WHO_MEMBER)
		snprintf(msg, sizeof msg, "%s%s有%zu名党员未参加%s", org->name, pl, json_array_size(gaps), r->label);
	else if (r->whom == WHO_SECRETARY)
		snprintf(msg, sizeof msg, "%s书记%s未讲党课", org->name, pl);
	else
		snprintf(msg, sizeof msg, "%s%s未召开%s", org->name, pl, r->label);
	json_array_append_new(out, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:O*}", "org_id",
		(json_int_t)org->id, "org_name", org->name, "kind", r->kind, "who", r->who, "period", r->period,
		"state", st, "window", from, "message", msg, "members", gaps));
}

/* The rules of one month that are missing or still pending, for every org of
 * the subtree: what cell_detail says of each cell, without its queries.  An
 * org-level rule's state comes from the counts; a member-level rule is a
 * finding only in the last month of its window (before that it is open), and
 * then its gaps are found for the whole subtree at once: one roster query and,
 * per rule, one query of who came. */
json_t *life_findings(struct db *db, const struct actor *a, int64_t org, const char *month, struct dj_error *err)
{
	int y, m;
	if (!parse_month(month, &y, &m)) {
		dj_fail(err, DJ_EINVAL, "period", "期间格式应为 YYYY-MM");
		return NULL;
	}
	int64_t root = root_for(db, a, org, err);
	if (!root)
		return NULL;
	struct grid g;
	if (grid_load(db, root, a->today, y, y, &g, err))
		return NULL;
	int mi = month_ix(&g, y, m), now = this_month(&g);
	json_t **roster = xcalloc(g.norgs + 1, sizeof *roster);
	int64_t *came[MAX_RULES] = {0};
	size_t ncame[MAX_RULES] = {0};
	int src[MAX_RULES];	/* the rule whose query found who came; -1: not a finding this month */
	bool any = false;
	char first[11], last[11];
	month_bounds(&g, mi, mi, first, last);
	int rc = 0;
	for (int i = 0; i < g.nrules && !rc; i++) {
		const struct rule *r = &g.rules[i];
		int lo, hi;
		window(r->per, mi, &lo, &hi);
		src[i] = -1;
		if (r->whom != WHO_MEMBER || mi != hi || hi > now)
			continue;
		src[i] = i;	/* rules of the same kind and window share who came */
		for (int j = 0; j < i && src[i] == i; j++)
			if (src[j] == j && g.rules[j].per == r->per && strcmp(g.rules[j].kind, r->kind) == 0)
				src[i] = j;
		if (src[i] != i)
			continue;
		char b0[11], b1[11];
		month_bounds(&g, lo, hi, b0, b1);
		rc = came_load(db, r->kind, b0, b1, &came[i], &ncame[i], err);
		any = true;
	}
	if (!rc && any)
		rc = rosters_load(db, root, &g, strcmp(last, g.today) < 0 ? last : g.today, roster, err);
	json_t *out = rc ? NULL : json_array();
	for (size_t o = 0; out && o < g.norgs; o++) {
		const struct lorg *lo_ = &g.orgs[o];
		for (int i = 0; i < g.nrules; i++) {
			const struct rule *r = &g.rules[i];
			if (!rule_applies(r, lo_))
				continue;
			int lo, hi;
			window(r->per, mi, &lo, &hi);
			char from[11], to[11];
			month_bounds(&g, lo, hi, from, to);
			const char *st = hi == now ? "pending" : "missing";
			if (r->whom == WHO_MEMBER) {
				if (src[i] < 0 || !roster[o])
					continue;
				int c = src[i];
				json_t *gaps = roster_minus(roster[o], came[c], ncame[c]);
				if (json_array_size(gaps))
					finding_add(out, lo_, r, st, from, gaps);
				json_decref(gaps);
			} else {
				int held;
				enum state s = rule_state(&g, o, r, mi, &held);
				if (s == ST_MISSING || s == ST_PENDING)
					finding_add(out, lo_, r, state_names[s], from, NULL);
			}
		}
	}
	for (size_t o = 0; o < g.norgs; o++)
		json_decref(roster[o]);
	free(roster);
	for (int i = 0; i < g.nrules; i++)
		free(came[i]);
	grid_free(&g);
	return out;
}

json_t *life_rules(struct db *db, struct dj_error *err)
{
	return db_rows(db, "SELECT r.org_kind, r.activity_kind, k.label, r.period, r.min_count, r.who FROM life_rule r"
			   " JOIN activity_kind k ON k.code = r.activity_kind ORDER BY r.org_kind, k.sort, r.who",
		       DB_NOARGS, err);
}

/* Replace the rules of one org kind: {org_kind, rules: [{activity_kind, period, min_count, who}]}. */
int life_rules_set(struct db *db, const struct actor *a, json_t *in, struct dj_error *err)
{
	static const char *const periods[] = {"month", "quarter", "year", NULL};
	static const char *const whos[] = {"org", "member", "secretary", NULL};
	const char *kind;
	int rc;
	if (a->role != ROLE_ADMIN)
		return dj_fail(err, DJ_EFORBIDDEN, "", "只有系统管理员可以修改组织生活规则");
	if (!json_is_object(in))
		return dj_fail(err, DJ_EINVAL, "", "请求体应为 JSON 对象");
	if ((rc = v_str(in, "org_kind", "党组织类型", 40, true, &kind, err)))
		return rc;
	if (!org_kind(kind))
		return dj_fail(err, DJ_EINVAL, "org_kind", "未知的党组织类型“%s”", kind);
	json_t *rules = json_object_get(in, "rules");
	if (!json_is_array(rules) || json_array_size(rules) > 40)
		return dj_fail(err, DJ_EINVAL, "rules", "规则应为不超过40条的列表");
	size_t i;
	json_t *r;
	json_array_foreach(rules, i, r) {
		const char *ak, *per, *who;
		int64_t min;
		if (!json_is_object(r))
			return dj_fail(err, DJ_EINVAL, "rules", "第%zu条规则格式不正确", i + 1);
		if ((rc = v_str(r, "activity_kind", "活动类型", 40, true, &ak, err)) ||
		    (rc = v_enum(r, "period", "频次", periods, true, &per, err)) ||
		    (rc = v_int(r, "min_count", "次数", 1, 31, 1, &min, err)) ||
		    (rc = v_enum(r, "who", "对象", whos, false, &who, err))) {
			snprintf(err->field, sizeof err->field, "rules");
			return rc;
		}
		bool known;
		if ((rc = life_kind_exists(db, ak, &known, NULL, err)))
			return rc;
		if (!known)
			return dj_fail(err, DJ_EINVAL, "rules", "第%zu条：未知的活动类型“%s”", i + 1, ak);
	}
	if ((rc = db_begin(db, err)))
		return rc;
	json_t *before = db_rows(db, "SELECT activity_kind, period, min_count, who FROM life_rule WHERE org_kind = ?",
				 DB_ARGS(DB_T(kind)), err);
	rc = before ? db_run(db, "DELETE FROM life_rule WHERE org_kind = ?", DB_ARGS(DB_T(kind)), err) : err->code;
	json_array_foreach(rules, i, r) {
		if (rc)
			break;
		const char *who = json_string_value(json_object_get(r, "who"));
		json_t *min = json_object_get(r, "min_count");
		rc = db_run(db, "INSERT INTO life_rule(org_kind, activity_kind, period, min_count, who) VALUES (?, ?, ?, ?, ?)",
			    DB_ARGS(DB_T(kind), DB_T(json_string_value(json_object_get(r, "activity_kind"))),
				    DB_T(json_string_value(json_object_get(r, "period"))), DB_I(min ? json_integer_value(min) : 1),
				    DB_T(who ? who : "org")), err);
		if (rc == DJ_ECONFLICT)
			rc = dj_fail(err, DJ_EINVAL, "rules", "第%zu条规则与前面的规则重复", i + 1);
	}
	if (!rc)
		rc = audit_write(db, a, "life.rules", "life_rule", 0, before, rules, err);
	json_decref(before);
	return db_end(db, rc, err);
}
