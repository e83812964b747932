/* cmd_notify.c — `dangjian notify`: enqueue today's 待办 messages and send
 * the due ones (for cron, and for tests); --once does one pass and exits,
 * otherwise it repeats every notify.poll_seconds until interrupted. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/date.h"
#include "core/setting.h"
#include "db/db.h"
#include "notify/notify.h"

/* Unix seconds, or UTC "YYYY-MM-DDTHH:MM:SSZ". */
static bool parse_now(const char *s, int64_t *out)
{
	char *end;
	long long v = strtoll(s, &end, 10);
	if (*s && !*end && v > 0) {
		*out = v;
		return true;
	}
	struct tm tm = {0};
	const char *rest = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!rest || *rest)
		return false;
	*out = (int64_t)timegm(&tm);
	return true;
}

static int pass(struct db *db, const char *today, int64_t now, bool retry_failed, bool quiet)
{
	struct dj_error err = {0};
	int64_t queued = 0, sent = 0, failed = 0;
	int rc = 0;
	if (retry_failed)
		rc = db_run(db, "UPDATE notify_outbox SET state = 'queued', attempts = 0, next_at = ? WHERE state = 'failed'",
			    DB_ARGS(DB_I(now)), &err);
	if (!rc)
		rc = notify_enqueue(db, today, now, &queued, &err);
	if (!rc)
		rc = notify_send_due(db, &notify_smtp, now, &sent, &failed, &err);
	bool ready = false;
	if (!rc)
		rc = notify_smtp.ready(db, &ready, &err);
	if (rc)
		return cli_fail("notify", &err);
	if (!quiet)
		printf("notify %s: %lld queued, %lld sent, %lld failed%s\n", today, (long long)queued, (long long)sent,
		       (long long)failed, ready ? "" : " (no mail server set: notify.smtp_url, notify.from)");
	return 0;
}

int cmd_notify(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, 0, 'd'}, {"once", no_argument, 0, 'o'}, {"today", required_argument, 0, 't'},
		{"now", required_argument, 0, 'n'}, {"retry-failed", no_argument, 0, 'r'}, {"quiet", no_argument, 0, 'q'},
		{"help", no_argument, 0, 'h'}, {0}};
	const char *url = NULL, *today_arg = NULL;
	bool once = false, retry = false, quiet = false;
	int64_t now = 0;
	int o;
	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'd': url = optarg; break;
		case 'o': once = true; break;
		case 't':
			if (!date_valid(optarg))
				return cli_usage_error("notify", "--today must be YYYY-MM-DD");
			today_arg = optarg;
			break;
		case 'n':
			if (!parse_now(optarg, &now))
				return cli_usage_error("notify", "--now must be Unix seconds or YYYY-MM-DDTHH:MM:SSZ");
			break;
		case 'r': retry = true; break;
		case 'q': quiet = true; break;
		case 'h':
			printf("usage: dangjian notify --db DB [--once] [--today D] [--now T] [--retry-failed] [--quiet]\n\n"
			       "Enqueues today's 待办 e-mail for every user who chose it (a daily digest, or a\n"
			       "reminder per item as it falls due; once per user, item and day) and sends what is\n"
			       "due through the mail server in settings notify.smtp_url and notify.from.  A failed\n"
			       "send is retried 1, 5 and 30 minutes later, then marked failed (--retry-failed queues\n"
			       "those again).  --once: one pass (cron); otherwise every notify.poll_seconds.\n"
			       "--today and --now set the day and the clock (tests, replays).\n");
			return EXIT_OK;
		default: return cli_usage_error("notify", "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage_error("notify", "unexpected argument \"%s\"", argv[optind]);
	if (!url)
		return cli_usage_error("notify", "--db is required");
	if (today_arg)
		date_pin(today_arg);
	struct db *db;
	struct dj_error err = {0};
	if (db_open(url, &db, &err))
		return cli_fail("notify", &err);
	int rc;
	for (;;) {
		char today[11];
		date_today(today);
		rc = pass(db, today, now ? now : date_now_unix(), retry, quiet);
		retry = false;
		if (rc || once || now)
			break;
		int64_t poll;
		if (setting_get_int(db, "notify.poll_seconds", 60, &poll, &err)) {
			rc = cli_fail("notify", &err);
			break;
		}
		sleep((unsigned)poll);
	}
	db_close(db);
	return rc;
}
