/* cmd_generate.c — `dangjian generate`: synthetic data at a named scale. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "core/date.h"
#include "core/mem.h"
#include "crypto/pii.h"
#include "db/db.h"
#include "platform/module.h"
#include "gen/gen.h"

int cmd_generate(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, 0, 'd'}, {"scale", required_argument, 0, 's'}, {"seed", required_argument, 0, 'S'},
		{"password-file", required_argument, 0, 'p'}, {"key", required_argument, 0, 'k'},
		{"today", required_argument, 0, 't'}, {"times", no_argument, 0, 'T'}, {"help", no_argument, 0, 'h'}, {0}};
	const char *db_url = "dangjian.db", *scale = "demo", *pwfile = NULL, *key = NULL;
	uint64_t seed = 1;
	int o;
	bool times = false;
	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'd': db_url = optarg; break;
		case 's': scale = optarg; break;
		case 'S': {
			char *end;
			seed = strtoull(optarg, &end, 10);
			if (*end || end == optarg)
				return cli_usage_error("generate", "--seed must be a number");
			break;
		}
		case 'p': pwfile = optarg; break;
		case 'k': key = optarg; break;
		case 't':
			if (!date_valid(optarg))
				return cli_usage_error("generate", "--today must be a date YYYY-MM-DD");
			date_pin(optarg);	/* the history is generated up to this day */
			break;
		case 'T': times = true; break;
		case 'h':
			printf("usage: dangjian generate --db DB --scale demo|city|province [--seed N] [--password-file F]\n"
			       "                  [--today YYYY-MM-DD] [--times]\n\n"
			       "Fills an empty database (initializing it if needed) with a transport bureau's\n"
			       "party organizations and members: demo ~40 orgs / ~600 members, city ~400 / ~10,000,\n"
			       "province ~6,000 / ~200,000.  The same seed gives the same data.  Accounts admin,\n"
			       "jiguan, hangye, zhibu and dangyuan are created with the password from F, or a random\n"
			       "one that is printed.\n"
			       "On a database that only `init` has touched, its administrator is kept with its password.\n"
			       "--today generates the history up to that day (default: today, or DANGJIAN_TODAY).\n"
			       "--times prints each step's wall and CPU time (on PostgreSQL also its server process's).\n");
			return EXIT_OK;
		default: return cli_usage_error("generate", "unknown option");
		}
	}
	struct gen_opts go = {.scale = gen_scale_parse(scale), .seed = seed, .log = stdout, .times = times};
	if (!go.scale)
		return cli_usage_error("generate", "--scale must be demo, city or province");
	char pwbuf[20];
	char *pw = NULL;
	if (pwfile) {
		pw = cli_read_password(pwfile, "");
		if (!pw)
			return cli_usage_error("generate", "cannot read a password from %s", pwfile);
	} else {
		token_random_hex(pwbuf, 6);
		pw = xasprintf("Dj-%s", pwbuf);
	}
	go.password = pw;
	struct db *db;
	int rc = cli_open("generate", db_url, key, true, &db);
	if (rc) {
		free(pw);
		return rc;
	}
	struct dj_error err = {0};
	if (db_schema_version(db) < 0) {
		db_close(db);
		free(pw);
		return cli_usage_error("generate", "%s holds tables that are not dangjian's", db_url);
	}
	char *kp = key ? xstrdup(key) : pii_default_key_path(db_url);
	rc = modules_migrate(db, &err);
	if (!rc)
		rc = pii_key_check(db, kp, &err);
	free(kp);
	if (rc) {
		db_close(db);
		free(pw);
		return cli_fail("generate", &err);
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct gen_stats st;
	rc = gen_run(db, &go, &st, &err);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	db_close(db);
	free(pw);
	if (rc)
		return cli_fail("generate", &err);
	printf("generated %lld organizations, %lld members, %lld accounts in %.2f s (scale %s, seed %llu)\n",
	       (long long)st.orgs, (long long)st.members, (long long)st.users,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9, scale,
	       (unsigned long long)seed);
	return EXIT_OK;
}
