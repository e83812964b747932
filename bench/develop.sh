#!/usr/bin/env bash
# bench/develop.sh — the 发展党员 board at the province scale: a copy of the
# province database (PROVINCE_DB, default /work/bench/province.db), the
# develop module's migrations applied by `init --migrate`, a pipeline of
# PER_BRANCH people (default 3) at random steps in every branch that may
# develop members, then the board of a county (an industry committee's
# subtree), of a city and of the province: median of 21 sequential requests
# computed afresh (Cache-Control: no-cache) and as kept.  Prints figures;
# asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
src=${PROVINCE_DB:-/work/bench/province.db}
pw=${PROVINCE_PW:-Bench-pass-1}
per=${PER_BRANCH:-3}
out=bench/out; mkdir -p "$out"; rm -f "$out"/develop.db*
bin=build/dangjian
PORT=${PORT:-18191}
cp "$src" "$out/develop.db"; cp "$src.key" "$out/develop.db.key"
$bin init --db "$out/develop.db" --key "$out/develop.db.key" --migrate >/dev/null
today=$(sqlite3 "$out/develop.db" "SELECT max(on_date) FROM activity WHERE status = 'held'")
sqlite3 "$out/develop.db" "
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $per),
b AS (SELECT o.id, n.i, abs(random()) % 25 + 1 AS step FROM org o, n
      WHERE o.status = 'active' AND o.kind IN ('branch', 'functional_branch', 'cloud_branch', 'mobile_branch'))
INSERT INTO develop_person(org_id, name, name_key, gender, birth_date, status, step, applied_on, activist_on,
  candidate_on, admitted_on, probation_end, due_step, due_on, created_at, updated_at)
SELECT id, '发展' || id || '-' || i, 'fazhan' || id || '-' || i, 'male', '1995-01-01',
  CASE WHEN step >= 24 THEN 'full' WHEN step >= 15 THEN 'probationary' WHEN step >= 7 THEN 'candidate'
       WHEN step >= 3 THEN 'activist' ELSE 'applicant' END, step, '2023-01-10',
  CASE WHEN step >= 3 THEN '2023-04-01' END, CASE WHEN step >= 7 THEN '2024-05-01' END,
  CASE WHEN step >= 15 THEN '2025-03-01' END, CASE WHEN step >= 15 THEN '2026-03-01' END,
  CASE WHEN step IN (1, 3, 4, 5, 6, 15, 16, 23) THEN step + 1 END,
  CASE WHEN step IN (1, 3, 4, 5, 6, 15, 16, 23) THEN date('$today', (abs(random()) % 120 - 60) || ' days') END,
  '$today', '$today' FROM b;"
people=$(sqlite3 "$out/develop.db" "SELECT count(*) FROM develop_person")
county=$(sqlite3 "$out/develop.db" "SELECT c.ancestor FROM org_closure c JOIN org o ON o.id = c.ancestor
	WHERE o.kind = 'industry_committee' GROUP BY c.ancestor ORDER BY count(*) DESC, c.ancestor LIMIT 1")
city=$(sqlite3 "$out/develop.db" "SELECT id FROM org WHERE parent_id = (SELECT id FROM org WHERE parent_id IS NULL) ORDER BY id LIMIT 1")
root=$(sqlite3 "$out/develop.db" "SELECT id FROM org WHERE parent_id IS NULL")
echo "pipeline: $people people in $(sqlite3 "$out/develop.db" "SELECT count(DISTINCT org_id) FROM develop_person") branches (today $today)"
DANGJIAN_TODAY=$today $bin serve --db "$out/develop.db" --key "$out/develop.db.key" --listen 127.0.0.1:$PORT --quiet &
spid=$!
trap 'kill $spid 2>/dev/null; true' EXIT
for _ in $(seq 50); do curl -sf http://127.0.0.1:$PORT/api/v1/health >/dev/null && break; sleep 0.2; done
curl -s -c "$out/dcj" -H 'Content-Type: application/json' -d "{\"username\":\"admin\",\"password\":\"$pw\"}" \
	http://127.0.0.1:$PORT/api/v1/session >/dev/null
cookie=$(grep dj_session "$out/dcj" | awk '{print $7}')
for what in "county:$county" "city:$city" "province:$root"; do
	org=${what#*:}
	path="/api/v1/develop/board?org=$org"
	n=$(curl -s -b "dj_session=$cookie" "http://127.0.0.1:$PORT$path" | node -e \
		'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const b=JSON.parse(s);console.log(b.stages.map(x=>x.count).join("/"))})')
	for how in computed kept; do
		hdr=(); [ $how = computed ] && hdr=(-H 'Cache-Control: no-cache')
		for _ in $(seq 21); do curl -s -o /dev/null -w '%{time_total}\n' "${hdr[@]}" -b "dj_session=$cookie" "http://127.0.0.1:$PORT$path"; done \
			| sort -n | awk '{a[NR]=$1} END {printf "board of the %s (%s people by stage), %s: median %.1f ms, max %.1f ms (21 sequential requests)\n", "'"${what%%:*}"'", "'"$n"'", "'"$how"'", a[11]*1000, a[NR]*1000}'
	done
done
path="/api/v1/develop/due?org=$county"
for _ in $(seq 21); do curl -s -o /dev/null -w '%{time_total}\n' -H 'Cache-Control: no-cache' -b "dj_session=$cookie" "http://127.0.0.1:$PORT$path"; done \
	| sort -n | awk '{a[NR]=$1} END {printf "due list of the county, computed: median %.1f ms\n", a[11]*1000}'
