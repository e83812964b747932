/* member_roster_schema.c — the member module's own schema steps (after the
 * base schema): transfers with letters and receipts, mobile members' hosting
 * records and yearly reports, and the events that end a membership. */
#include "member/member_roster.h"

#include <stddef.h>

const char *const member_migrations[] = {
	/* 1: the transfer history; the old transfer log (member_transfer, still
	 * the org-by-date record the rosters read) becomes its first rows. */
	"CREATE TABLE transfer (\n"
	"  id {{ID}}, member_id BIGINT REFERENCES member(id), kind TEXT NOT NULL, status TEXT NOT NULL,\n"
	"  from_org BIGINT REFERENCES org(id), to_org BIGINT REFERENCES org(id), place TEXT, letter_no TEXT,\n"
	"  on_date TEXT NOT NULL, valid_until TEXT, receipt_on TEXT, decided_on TEXT, reason TEXT,\n"
	"  return_reason TEXT, log_id BIGINT, user_id BIGINT, created_at TEXT NOT NULL);\n"
	"CREATE INDEX transfer_member ON transfer(member_id);\n"
	"CREATE INDEX transfer_from ON transfer(from_org, status);\n"
	"CREATE INDEX transfer_to ON transfer(to_org, status);\n"
	"INSERT INTO transfer(member_id, kind, status, from_org, to_org, on_date, decided_on, reason, log_id, user_id,"
	" created_at)\n"
	"  SELECT member_id, 'inside', 'accepted', from_org, to_org, on_date, on_date, reason, id, user_id, created_at\n"
	"  FROM member_transfer ORDER BY id;\n"
	"CREATE TABLE member_end (\n"
	"  id {{ID}}, member_id BIGINT NOT NULL REFERENCES member(id), org_id BIGINT NOT NULL REFERENCES org(id),\n"
	"  reason TEXT NOT NULL, on_date TEXT NOT NULL, note TEXT NOT NULL, doc_no TEXT, transfer_id BIGINT,\n"
	"  back_on TEXT, user_id BIGINT, created_at TEXT NOT NULL);\n"
	"CREATE INDEX member_end_member ON member_end(member_id);\n"
	"CREATE INDEX member_end_org ON member_end(org_id, on_date);\n"
	"CREATE INDEX member_end_date ON member_end(on_date, member_id);\n"
	"CREATE TABLE mobile_hosting (\n"
	"  id {{ID}}, member_id BIGINT NOT NULL REFERENCES member(id), home_org BIGINT NOT NULL REFERENCES org(id),\n"
	"  host_org BIGINT NOT NULL REFERENCES org(id), place TEXT NOT NULL, since TEXT NOT NULL, until TEXT,\n"
	"  card_no TEXT, ended_on TEXT, user_id BIGINT, created_at TEXT NOT NULL);\n"
	"CREATE INDEX mobile_hosting_member ON mobile_hosting(member_id);\n"
	"CREATE INDEX mobile_hosting_home ON mobile_hosting(home_org);\n"
	"CREATE INDEX mobile_hosting_host ON mobile_hosting(host_org, since);\n"
	"CREATE TABLE mobile_report (\n"
	"  id {{ID}}, hosting_id BIGINT NOT NULL REFERENCES mobile_hosting(id),\n"
	"  member_id BIGINT NOT NULL REFERENCES member(id), on_date TEXT NOT NULL, summary TEXT NOT NULL,\n"
	"  user_id BIGINT, created_at TEXT NOT NULL);\n"
	"CREATE INDEX mobile_report_hosting ON mobile_report(hosting_id, on_date);\n"
	"INSERT INTO setting(key, value, note) VALUES\n"
	"  ('rule.transfer_letter_months', '3', '组织关系介绍信有效期（月）'),\n"
	"  ('rule.transfer_accept_days', '30', '组织关系转接应在多少天内接收'),\n"
	"  ('rule.mobile_min_months', '6', '外出多长时间以上为流动党员（月）'),\n"
	"  ('rule.mobile_report_months', '12', '流动党员向党组织报告思想的间隔（月）'),\n"
	"  ('rule.mobile_host_temporary', '0', '临时党支部可否作为流动党员的流入地党组织（1 可以）'),\n"
	"  ('rule.member_idle_warn_months', '3', '党员连续多少个月未参加组织生活或未完成分配的任务提醒（月）'),\n"
	"  ('rule.member_idle_months', '6', '党员连续多少个月未参加组织生活或未完成分配的任务视为自行脱党（月）')\n"
	"  ON CONFLICT (key) DO NOTHING;\n",
	/* 2: the members converted after a past day, whom the figures of that
	 * day count as 预备党员 (member_figures.c, STATUS_FIX). */
	"CREATE INDEX member_full_date ON member(full_date) WHERE active = 1 AND status = 'full';\n",
	/* 3: the members flagged mobile from a day after a past one, whom the
	 * mobile figure of that day does not count (member_figures.c, MOBILE_FIX). */
	"CREATE INDEX member_mobile_since ON member(mobile_since) WHERE active = 1 AND is_mobile = 1;\n",
	NULL,
};
