/* bench.h — what the in-process benchmarks (compliance.c, member_edit.c,
 * dues_sheet.c) share: CPU time, and an order for qsort to take medians. */
#ifndef BENCH_H
#define BENCH_H

#include <time.h>

/* CPU time of this process: on a machine shared by several jobs the wall
 * clock measures the queue, this the work. */
static inline double cpu_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static inline int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

#endif
