/* gen.h — realistic synthetic data at the scales of DESIGN.md: a transport
 * bureau's tree with its units, county industry committees, drivers'
 * mobile branches and temporary branches on construction projects, and
 * members with plausible names and valid 身份证号.  Same seed, same data. */
#ifndef DJ_GEN_H
#define DJ_GEN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/err.h"

struct db;

enum gen_scale { GEN_DEMO = 1, GEN_CITY, GEN_PROVINCE };

struct gen_opts {
	enum gen_scale scale;
	uint64_t seed;
	const char *password;	/* for the generated accounts */
	FILE *log;		/* progress and the printed logins; may be NULL */
	bool times;		/* print each step's wall and CPU time to log */
};

struct gen_stats {
	int64_t orgs, members, users, activities, attendance, plans, assignments;
};

int gen_run(struct db *db, const struct gen_opts *o, struct gen_stats *st, struct dj_error *err);

/* generate --times (gen_clock.c): laps of wall and CPU time, this process's
 * and, on a PostgreSQL server on this machine, its backend's.  A NULL log
 * makes every call a no-op. */
struct gen_clock {
	FILE *log;
	int64_t server_pid;
	double wall0, cpu0, server0, runq0, wall, cpu, server, runq;
};
void gen_clock_start(struct gen_clock *c, struct db *db, FILE *log);
void gen_clock_lap(struct gen_clock *c, const char *what);
void gen_clock_total(struct gen_clock *c);

/* What a module's generator step (platform/module.h) is handed, once the
 * tree, the members and their terms exist, inside generate's transaction. */
struct rng {
	uint64_t s;
};
struct gen {
	struct db *db;
	struct rng r;		/* continues the generator's sequence: same seed, same data */
	enum gen_scale scale;
	char today[11];		/* history is generated up to this day */
	int years;		/* of history: 1 for the demo, 3 for a city or a province */
	FILE *log;		/* may be NULL */
	struct gen_stats *st;
	struct gen_clock *clock;	/* laps of a step's parts (generate --times) */
};
enum gen_scale gen_scale_parse(const char *s);

/* This year's work plan, published, with a year's reports (gen_task.c). */
int gen_tasks(struct db *db, struct rng *r, int64_t *plans, int64_t *assignments, struct dj_error *err);

/* A deterministic random source (splitmix64). */
uint64_t rng_next(struct rng *r);
/* Uniform in [lo, hi]. */
int64_t rng_range(struct rng *r, int64_t lo, int64_t hi);
/* A plausible Chinese name into out (UTF-8). */
void gen_name(struct rng *r, char *out, size_t n, int male);
/* A valid 身份证号 for a birth date and sex into out[19]. */
void gen_id_card(struct rng *r, const char *birth, int male, char out[19]);

#endif
