#!/usr/bin/env bash
# bench/publish_explain.sh DB_URL — where PostgreSQL's publish of a plan
# spends its time: a 50-task draft plan (bench/task_plan.mjs draft) on the
# given database (a generated city, e.g. bulk.sh's dj_bulk_gen copied), then
# the publish's INSERT … SELECT (as FAN_OUT_SQL, src/task/task.c, writes it) under
# EXPLAIN (ANALYZE, BUFFERS) three times in rolled-back transactions, with
# the triggers' times and per-function times (track_functions = all) and
# the nested statements' plans (auto_explain, in the server's log).  Then
# the same INSERT twice in one new backend, with what each run cost that
# backend (read from /proc through pg_read_file: a superuser, and the server
# on this machine): CPU, minor page faults, the shared memory it mapped, the
# WAL it wrote.  The first run in a backend maps the shared buffers and the
# WAL ring it touches page by page (README, "Bulk writes").
set -euo pipefail
cd "$(dirname "$0")/.."
url=$1; bin=${BIN:-build/dangjian}; key=${KEY:-bench/out/bulk/pg.key}
port=$(( (RANDOM % 2000) + 51000 ))
$bin serve --db "$url" --key "$key" --listen 127.0.0.1:$port --quiet & pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/api/v1/health" >/dev/null && break; sleep 0.1; done
plan=$(node bench/task_plan.mjs "http://127.0.0.1:$port" Bench-pass-1 draft | tail -1)
kill $pid; wait $pid 2>/dev/null || true
fan="INSERT INTO assignment(task_id, plan_id, org_id, status, task_version, seen_version, updated_at)
 SELECT t.id, t.plan_id, o.id, 'not_started', t.version, t.version, '2026-11-30T00:00:00Z' FROM task t JOIN plan p ON p.id = t.plan_id
 JOIN org_closure c ON c.ancestor = p.org_id AND c.depth > 0 JOIN org o ON o.id = c.descendant
 WHERE t.plan_id = $plan AND o.status = 'active' AND (
  (t.scope = 'common' AND (',' || t.assignee_kinds || ',') LIKE ('%,' || o.kind || ',%'))
  OR (t.scope = 'specific' AND EXISTS (SELECT 1 FROM task_target g WHERE g.task_id = t.id AND g.org_id = o.id)))
 AND NOT EXISTS (SELECT 1 FROM assignment s WHERE s.plan_id = t.plan_id AND s.task_id = t.id AND s.org_id = o.id)
 ORDER BY t.sort, t.id, o.id"
echo "plan $plan; load $(cut -d' ' -f1 /proc/loadavg)"
for i in 1 2 3; do
	psql "$url" -q <<SQL
BEGIN;
SELECT pg_stat_reset();
LOAD 'auto_explain';
SET auto_explain.log_min_duration = 0;
SET auto_explain.log_nested_statements = on;
SET auto_explain.log_analyze = on;
SET auto_explain.log_buffers = on;
SET track_functions = 'all';
EXPLAIN (ANALYZE, BUFFERS) $fan;
SELECT funcname, calls, round(total_time::numeric, 1) AS total_ms, round(self_time::numeric, 1) AS self_ms
  FROM pg_stat_xact_user_functions ORDER BY total_time DESC;
ROLLBACK;
SQL
done
proc="pg_read_file('/proc/' || pg_backend_pid() || '/stat')"
cost="SELECT split_part(split_part($proc, ') ', 2), ' ', 8)::bigint AS f,
 split_part(pg_read_file('/proc/' || pg_backend_pid() || '/schedstat'), ' ', 1)::bigint AS c,
 (SELECT regexp_replace(l, '\\D', '', 'g')::bigint FROM regexp_split_to_table(pg_read_file('/proc/' || pg_backend_pid() || '/status'), E'\\n') l
  WHERE l ~ '^RssShmem') AS s, pg_current_wal_insert_lsn() AS l"
run="$cost \\gset a_
BEGIN;
$fan;
ROLLBACK;
$cost \\gset b_
SELECT round((:b_c - :a_c) / 1e6, 1) AS cpu_ms, :b_f - :a_f AS minor_faults, :b_s - :a_s AS shmem_mapped_kb,
 round((:'b_l'::pg_lsn - :'a_l'::pg_lsn) / 1024) AS wal_kb;"
echo "one new backend, the INSERT twice (rolled back):"
printf '%s\n' "$run" "$run" | psql "$url" -q
