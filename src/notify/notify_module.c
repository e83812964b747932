/* notify_module.c — the notify module's entry in the module table
 * (platform/module.h): the user's address and choice, the outbox, the
 * delivery settings. */
#include "notify/notify.h"
#include "platform/module.h"

extern const struct route notify_routes[];

static const char *const notify_migrations[] = {
	/* 1: each user's address, consent and choice (daily digest, or a reminder
	 * per 待办 as it falls due); the outbox; the delivery settings. */
	"ALTER TABLE app_user ADD COLUMN email TEXT;\n"
	"ALTER TABLE app_user ADD COLUMN email_opt_in BIGINT NOT NULL DEFAULT 0;\n"
	"ALTER TABLE app_user ADD COLUMN digest TEXT NOT NULL DEFAULT 'daily';\n"
	"CREATE TABLE notify_outbox (\n"
	"  id {{ID}}, user_id BIGINT REFERENCES app_user(id), channel TEXT NOT NULL DEFAULT 'email',\n"
	"  to_addr TEXT NOT NULL, subject TEXT NOT NULL, body TEXT NOT NULL, dedupe_key TEXT NOT NULL UNIQUE,\n"
	"  state TEXT NOT NULL DEFAULT 'queued', attempts BIGINT NOT NULL DEFAULT 0, next_at BIGINT NOT NULL,\n"
	"  last_error TEXT, created_at TEXT NOT NULL, sent_at TEXT);\n"
	"CREATE INDEX notify_outbox_due ON notify_outbox(state, next_at);\n"
	"INSERT INTO setting(key, value, note) VALUES\n"
	"  ('notify.smtp_url', '', '邮件服务器地址（如 smtp://mail.example.cn:25，或 smtps://账号:密码@主机:465）'),\n"
	"  ('notify.from', '', '提醒邮件的发件人地址'),\n"
	"  ('notify.poll_seconds', '60', '服务器检查待发邮件的间隔（秒）'),\n"
	"  ('notify.remind_days', '3', '逐项提醒：到期前几天提醒');\n",
	NULL,
};

static const char *const notify_bench_tables[] = {"notify_outbox", NULL};

/* The scopes a write to each table moves (the read cache, db/db_scope.h). */
static const struct db_table_scope notify_tables[] = {
	{"notify_outbox", DEP(NOTIFY)},
	{0},
};

const struct module notify_module = {
	.name = "notify",
	.label = "提醒",
	.migrations = notify_migrations,
	.routes = notify_routes,
	.bench_tables = notify_bench_tables,
	.tables = notify_tables,
};
