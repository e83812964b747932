/* life_gen.h — the life module's part of `dangjian generate` (life_gen.c,
 * life_gen_study.c), called from its module step in life_module.c. */
#ifndef DJ_LIFE_GEN_H
#define DJ_LIFE_GEN_H

#include <stdint.h>

#include "core/err.h"
#include "gen/gen.h"

struct db;

/* Organizational life for the last `years` years. */
int life_gen(struct db *db, struct rng *r, int years, struct gen_clock *clk, struct dj_error *err, int64_t *activities,
	     int64_t *attendance);

/* 月计划周推送: monthly study plans of every 党组 from y0-m0 to today, and
 * the study records of its 机关 members. */
int life_gen_study(struct db *db, struct rng *r, const char *today, int y0, int m0, struct dj_error *err);

/* The tallies kept by the insert triggers of activity_org and attendance
 * (life_module.c), and of study_done (study_tally.c), counted over all rows. */
extern const char life_tallies_fill[];
extern const char life_study_tally_fill[];

#endif
