/* gen_clock.c — generate --times: each step's wall and CPU time, and on
 * PostgreSQL its server process's CPU too (read from /proc when the
 * server runs on this machine), since there the work is split in two. */
#include "gen/gen.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "db/db.h"

static double clock_s(clockid_t id)
{
	struct timespec t;
	clock_gettime(id, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* utime + stime of a local process, in seconds; -1 if it cannot be read. */
static double proc_cpu(int64_t pid)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%lld/stat", (long long)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	unsigned long ut = 0, st = 0;
	/* pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime */
	int n = fscanf(f, "%*d (%*[^)]) %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st);
	fclose(f);
	return n == 2 ? (double)(ut + st) / (double)sysconf(_SC_CLK_TCK) : -1;
}

/* Time this thread waited for a CPU while runnable (/proc/self/schedstat's
 * second field, ns): on a loaded machine wall - cpu - this is what the
 * step waited for anything else (the disk, the server). */
static double runq_wait(void)
{
	FILE *f = fopen("/proc/thread-self/schedstat", "r");
	if (!f)
		return -1;
	unsigned long long run = 0, wait = 0;
	int n = fscanf(f, "%llu %llu", &run, &wait);
	fclose(f);
	return n == 2 ? (double)wait / 1e9 : -1;
}

void gen_clock_start(struct gen_clock *c, struct db *db, FILE *log)
{
	*c = (struct gen_clock){.log = log, .server_pid = 0};
	if (!log)
		return;
	if (db_kind(db) == DB_PG) {
		struct dj_error e = {0};
		if (db_int1(db, &c->server_pid, "SELECT pg_backend_pid()", DB_NOARGS, &e))
			c->server_pid = 0;
	}
	c->wall0 = c->wall = clock_s(CLOCK_MONOTONIC);
	c->cpu0 = c->cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID);
	c->server0 = c->server = c->server_pid ? proc_cpu(c->server_pid) : -1;
	c->runq0 = c->runq = runq_wait();
}

static void lap_line(struct gen_clock *c, const char *what, double wall, double cpu, double runq, double server)
{
	fprintf(c->log, "  time %-16s %8.2f s wall %8.2f s cpu", what, wall, cpu);
	if (runq >= 0)
		fprintf(c->log, " %8.2f s waiting for a cpu", runq);
	if (server >= 0)
		fprintf(c->log, " %8.2f s server cpu", server);
	fputc('\n', c->log);
	fflush(c->log);
}

void gen_clock_lap(struct gen_clock *c, const char *what)
{
	if (!c || !c->log)
		return;
	double w = clock_s(CLOCK_MONOTONIC), u = clock_s(CLOCK_PROCESS_CPUTIME_ID), q = runq_wait();
	double s = c->server_pid ? proc_cpu(c->server_pid) : -1;
	lap_line(c, what, w - c->wall, u - c->cpu, q >= 0 && c->runq >= 0 ? q - c->runq : -1,
		 s >= 0 && c->server >= 0 ? s - c->server : -1);
	c->wall = w;
	c->cpu = u;
	c->runq = q;
	c->server = s;
}

void gen_clock_total(struct gen_clock *c)
{
	if (!c || !c->log)
		return;
	gen_clock_lap(c, "(last)");
	lap_line(c, "total", c->wall - c->wall0, c->cpu - c->cpu0, c->runq >= 0 && c->runq0 >= 0 ? c->runq - c->runq0 : -1,
		 c->server >= 0 && c->server0 >= 0 ? c->server - c->server0 : -1);
}
