/* develop_gen.c — 发展党员's part of `generate`: in every branch that may
 * develop members, a few people at every stage of a pipeline spread over
 * the years of history, through the same step function users call (so
 * the data obeys the rules), with a few late steps, a failed vote, an
 * extended probation and, beyond the demo, a cancelled probation now and
 * then (取消预备党员资格, about one 预备党员 in 150, through the same cancel
 * the 上级党委 uses: the member leaves the counts from that day). */
#include "develop/develop.h"
#include "develop/develop_internal.h"

#include <stdio.h>
#include <string.h>

#include "core/date.h"
#include "db/db.h"
#include "gen/gen.h"

struct walk {
	struct gen *g;
	struct actor *a;
	const struct develop_rules *rules;
	int64_t id;
	char on[11];
	int stopped;
};

/* Step `n` `lo`–`hi` days after the previous one (late by `late_pct`%
 * chance), with extra facts; stops the walk once the day is past today. */
static int step(struct walk *w, int n, int lo, int hi, json_t *facts, struct dj_error *err)
{
	if (w->stopped) {
		json_decref(facts);
		return 0;
	}
	char d[11];
	date_add(d, w->on, 0, 0, (int)rng_range(&w->g->r, lo, hi));
	if (strcmp(d, w->g->today) > 0) {
		w->stopped = 1;
		json_decref(facts);
		return 0;
	}
	json_t *in = facts ? facts : json_object();
	json_object_set_new(in, "step", json_integer(n));
	json_object_set_new(in, "on_date", json_string(d));
	json_object_set_new(in, "by", json_string(n == 13 || n == 16 || n == 17 || n == 24 ? "上级党委组织员" : "支部书记"));
	int64_t sid;
	int rc = develop_step_apply_rules(w->g->db, w->a, w->rules, w->id, in, &sid, err);
	json_decref(in);
	if (rc)
		return rc;
	memcpy(w->on, d, sizeof d);
	return 0;
}

static json_t *vote(struct rng *r, int entitled, bool pass)
{
	int present = pass ? entitled / 2 + 1 + (int)rng_range(r, 0, entitled - entitled / 2 - 1) : entitled / 2 + 1;
	int favour = pass ? entitled / 2 + 1 + (int)rng_range(r, 0, present - entitled / 2 - 1) : entitled / 2;
	return json_pack("{s:i, s:i, s:i}", "entitled", entitled, "present", present, "in_favour", favour);
}

/* 取消预备党员资格 in the probation: the general meeting's resolution
 * 20–120 days after the last step, the 上级党委's approval 7–30 days later
 * (if both are past by today; else the walk stops at today, as a step
 * beyond it does). */
static int cancel(struct walk *w, int entitled, struct dj_error *err)
{
	char meeting[11], on[11];
	date_add(meeting, w->on, 0, 0, (int)rng_range(&w->g->r, 20, 120));
	date_add(on, meeting, 0, 0, (int)rng_range(&w->g->r, 7, 30));
	if (w->stopped || strcmp(on, w->g->today) > 0) {
		w->stopped = 1;
		return 0;
	}
	/* The meeting's vote (a clear majority; no draw, so that the rest of
	 * the walk stays as it was). */
	json_t *in = json_pack("{s:s, s:s, s:s, s:s, s:i, s:i, s:i}", "on_date", on, "meeting_on", meeting, "doc_no",
			       "组织部批复", "note",
			       "预备期内不履行党员义务，不具备党员条件，经支部大会讨论决定、上级党委批准取消预备党员资格",
			       "entitled", entitled, "present", entitled - entitled / 5, "in_favour", entitled / 2 + 1);
	int rc = develop_cancel_apply(w->g->db, w->a, w->id, in, err);
	json_decref(in);
	w->stopped = 1;
	return rc;
}

static int person(struct gen *g, struct actor *a, const struct develop_rules *rules, int64_t org, json_t *full,
		  int entitled, int k, int *votes, int *admits, struct dj_error *err)
{
	struct rng *r = &g->r;
	int male = rng_range(r, 0, 99) < 60;
	char name[64], birth[11], applied[11], idc[19];
	date_add(applied, g->today, 0, 0, -(int)rng_range(r, 0, (g->years > 3 ? g->years : 3) * 365 + 400));
	date_add(birth, applied, -(int)rng_range(r, 19, 40), 0, -(int)rng_range(r, 0, 364));
	gen_name(r, name, sizeof name, male);
	int64_t id = 0;
	int rc = DJ_ECONFLICT;
	for (int tries = 0; tries < 4 && rc == DJ_ECONFLICT; tries++) {
		dj_error_clear(err);
		gen_id_card(r, birth, male, idc);
		json_t *in = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "org_id", (json_int_t)org, "name", name,
				       "id_card", idc, "applied_on", applied, "education",
				       rng_range(r, 0, 2) ? "大学本科" : "大专", "ethnicity", "汉族", "by", "支部书记");
		rc = develop_insert(g->db, a, in, &id, err);
		json_decref(in);
	}
	if (rc)
		return rc;
	struct walk w = {.g = g, .a = a, .rules = rules, .id = id};
	memcpy(w.on, applied, sizeof applied);
	size_t nf = json_array_size(full);
	bool late = rng_range(r, 0, 99) < 6;
	rc = step(&w, 2, late ? 32 : 5, late ? 50 : 25, NULL, err);
	if (!rc)
		rc = step(&w, 3, 60, 200, NULL, err);
	char year_on[11];
	date_add(year_on, w.on, 1, 0, 0);	/* a year as an activist, at least */
	if (!rc)
		rc = step(&w, 4, 3, 20, NULL, err);
	/* Now and then a branch loses track and the assessment falls overdue,
	 * a few months ago at most ("a few late", not a step owed for years). */
	int64_t since4 = date_diff(w.on, g->today);
	if (!w.stopped && since4 >= 180 && since4 <= 320 && rng_range(r, 0, 2) == 0)
		w.stopped = 1;
	if (!rc && nf >= 1)
		rc = step(&w, 5, 1, 10, json_pack("{s:[O]}", "mentors", json_array_get(full, 0)), err);
	else
		w.stopped = 1;
	if (!rc)
		rc = step(&w, 6, 140, 175, json_pack("{s:s}", "note", "半年考察：表现良好"), err);
	bool late6 = rng_range(r, 0, 99) < 6;
	if (!rc)
		rc = step(&w, 6, late6 ? 190 : 150, late6 ? 220 : 180, json_pack("{s:s}", "note", "半年考察：表现良好"), err);
	int64_t wait = date_diff(w.on, year_on);
	if (!rc)
		rc = step(&w, 7, (int)(wait > 0 ? wait : 0) + 5, (int)(wait > 0 ? wait : 0) + 100, NULL, err);
	if (!rc)
		rc = step(&w, 8, 3, 20, NULL, err);
	if (!rc && nf >= 2)
		rc = step(&w, 9, 3, 15, json_pack("{s:[O, O]}", "sponsors", json_array_get(full, 0), json_array_get(full, 1)),
			  err);
	else
		w.stopped = 1;
	if (!rc)
		rc = step(&w, 10, 10, 40, json_pack("{s:s}", "conclusion", "政治审查合格"), err);
	if (!rc)
		rc = step(&w, 11, 5, 30, json_pack("{s:i, s:i}", "days", (int)rng_range(r, 3, 5), "hours", (int)rng_range(r, 24, 40)),
			  err);
	for (int n = 12; !rc && n <= 14; n++)
		rc = step(&w, n, 3, 20, NULL, err);
	/* Now and then the general meeting does not pass at first. */
	if (!rc && k % 23 == 5) {
		json_t *f = vote(r, entitled, false);
		json_object_set_new(f, "result", json_string("failed"));
		rc = step(&w, 15, 3, 20, f, err);
	}
	if (!rc)
		rc = step(&w, 15, 3, 40, vote(r, entitled, true), err);
	if (!rc)
		rc = step(&w, 16, 7, 30, NULL, err);
	if (!rc)
		rc = step(&w, 17, k % 17 == 3 ? 95 : 20, k % 17 == 3 ? 140 : 60, NULL, err);
	/* One 预备党员 in about 150 (counted among those the 上级党委 admitted,
	 * beyond the demo, whose cases the tests know) does not pass the probation. */
	bool cancelled = !rc && !w.stopped && g->scale != GEN_DEMO && (*admits)++ % 150 == 40;
	for (int n = 18; !rc && n <= 21; n++) {
		if (cancelled && n == 21)
			rc = cancel(&w, entitled, err);
		else
			rc = step(&w, n, n == 21 ? 60 : 3, n == 21 ? 150 : 25, NULL, err);
	}
	for (int round = 0; !rc && !w.stopped && round < 2; round++) {
		/* Steps 22 and 23 fall due when the probation ends. */
		char *end = NULL;
		if ((rc = db_text1(g->db, &end, "SELECT probation_end FROM develop_person WHERE id = ?", DB_ARGS(DB_I(id)), err)))
			break;
		int64_t gap = date_diff(w.on, end);
		rc = step(&w, 22, (int)(gap > 20 ? gap - 20 : 0), (int)(gap > 0 ? gap : 0), NULL, err);
		gap = date_diff(w.on, end);
		free(end);
		if (gap < 0)
			gap = 0;
		/* One conversion vote in twelve extends the probation instead (at
		 * least one in the demo): counted among the votes actually held. */
		bool extend = round == 0 && !w.stopped && *votes % 12 == 2;
		json_t *f = vote(r, entitled, true);
		if (extend)
			json_object_set_new(f, "decision", json_string("extend")),
				json_object_set_new(f, "extend_months", json_integer(6));
		if (!rc) {
			int held = !w.stopped;
			rc = step(&w, 23, (int)gap, (int)gap + (k % 13 == 2 ? 45 : 14), f, err);
			*votes += held && !w.stopped;
		} else {
			json_decref(f);
		}
		if (!extend)
			break;
		if (!rc)
			rc = step(&w, 21, 30, 90, NULL, err);
	}
	if (!rc)
		rc = step(&w, 24, 20, 70, NULL, err);
	if (!rc)
		rc = step(&w, 25, 5, 30, NULL, err);
	return rc;
}

int develop_gen(struct gen *g, struct dj_error *err)
{
	struct actor a = actor_cli();
	memcpy(a.today, g->today, sizeof a.today);
	strcpy(a.username, "generate");
	struct develop_rules rules;	/* read once: a step would read them each time */
	if (develop_rules_load(g->db, &rules, err))
		return err->code;
	json_t *orgs = db_rows(g->db, "SELECT id FROM org WHERE status = 'active' AND kind IN ('branch', 'functional_branch',"
				      " 'cloud_branch', 'mobile_branch') ORDER BY id", DB_NOARGS, err);
	if (!orgs)
		return err->code;
	int rc = 0, k = 0, votes = 0, admits = 0;
	size_t i;
	json_t *o;
	json_array_foreach(orgs, i, o) {
		int64_t org = json_integer_value(json_object_get(o, "id"));
		json_t *full = db_rows(g->db, "SELECT id FROM member WHERE org_id = ? AND status = 'full' AND active = 1"
					      " ORDER BY id LIMIT 2", DB_ARGS(DB_I(org)), err);
		int64_t entitled = 0;
		if (!full || db_int1(g->db, &entitled, DEVELOP_VOTERS_SQL, DB_ARGS(DB_I(org)), err)) {
			json_decref(full);
			rc = err->code;
			break;
		}
		json_t *ids = json_array();
		size_t j;
		json_t *x;
		json_array_foreach(full, j, x)
			json_array_append(ids, json_object_get(x, "id"));
		json_decref(full);
		/* The general meeting's vote is of the branch's 正式党员 (the step checks
		 * it against the roster): a branch of fewer than 3 develops nobody. */
		int n = entitled < 3 ? 0 : (int)rng_range(&g->r, g->scale == GEN_DEMO ? 1 : 0, g->scale == GEN_DEMO ? 4 : 2);
		for (int p = 0; !rc && p < n; p++)
			rc = person(g, &a, &rules, org, ids, (int)entitled, k++, &votes, &admits, err);
		json_decref(ids);
		if (rc)
			break;
	}
	json_decref(orgs);
	if (!rc)
		rc = db_int1(g->db, &g->st->members, "SELECT count(*) FROM member", DB_NOARGS, err);
	return rc;
}
