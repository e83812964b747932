#!/usr/bin/env bash
# bench/run.sh — figures for the foundation at a chosen scale (default
# province): generate time, XLSX import rate, wrk on an authenticated member
# list and the dashboard next to nginx serving the same bytes, dashboard
# latency (computed, and as kept in memory until the next commit), server RSS;
# the publish time of a 50-task plan and its matrix.
# Prints figures; asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${SCALE:-province}
out=bench/out; mkdir -p "$out"; rm -f "$out"/bench.db* "$out"/import.db*
bin=build/dangjian
echo 'Bench-pass-1' > "$out/pw"
PORT=18181; NGINX_PORT=18182

t0=$(date +%s.%N)
$bin generate --db "$out/bench.db" --scale "$scale" --password-file "$out/pw" | tail -1
t1=$(date +%s.%N)
echo "generate ($scale): $(echo "$t1 - $t0" | bc) s"

# Import: export the whole roster revealed, then import it into an empty database.
root=$(sqlite3 "$out/bench.db" "SELECT code FROM org WHERE parent_id IS NULL")
$bin export members --db "$out/bench.db" --org "$root" --reveal -o "$out/roster.xlsx" >/dev/null
rows=$(($(sqlite3 "$out/bench.db" "SELECT count(*) FROM member")))
# The same tree without its members, so every row's 所在党组织编码 resolves.
cp "$out/bench.db" "$out/import.db"; cp "$out/bench.db.key" "$out/import.db.key"
sqlite3 "$out/import.db" "UPDATE app_user SET member_id = NULL; DELETE FROM org_officer; DELETE FROM member_transfer;
	DELETE FROM study_done; DELETE FROM attendance; DELETE FROM activity_guest; DELETE FROM activity_agenda;
	DELETE FROM activity_org; DELETE FROM activity; DELETE FROM member; VACUUM;"
sync	# the copy and VACUUM above leave dirty pages; flush them so they do not weigh on the import
t0=$(date +%s.%N)
$bin import members --db "$out/import.db" --org "$root" "$out/roster.xlsx" 2>&1 | tail -1
t1=$(date +%s.%N)
secs=$(echo "$t1 - $t0" | bc)
echo "import: $rows rows from XLSX ($(du -h "$out/roster.xlsx" | cut -f1)) in $secs s = $(echo "$rows / $secs" | bc) rows/s"

$bin serve --db "$out/bench.db" --listen 127.0.0.1:$PORT --quiet &
spid=$!
trap 'kill $spid 2>/dev/null; [ -f "$out/nginx.pid" ] && kill $(cat "$out/nginx.pid") 2>/dev/null; true' EXIT
sleep 1
login=$(curl -s -c "$out/cj" -H 'Content-Type: application/json' -d '{"username":"admin","password":"Bench-pass-1"}' http://127.0.0.1:$PORT/api/v1/session)
cookie=$(grep dj_session "$out/cj" | awk '{print $7}')
# Organizational life: compliance of the whole tree over last year's 12 months,
# and a county committee's calendar month (its subtree).
last=$(( $(date +%Y) - 1 ))
county=$(sqlite3 "$out/bench.db" "SELECT min(id) FROM org WHERE kind = 'industry_committee'")
# Task deployment: a 50-task plan fanned out to every eligible org (publish
# time), and its matrix (first page of 50 assignees).
out_plan=$(node bench/task_plan.mjs "http://127.0.0.1:$PORT" Bench-pass-1)
echo "$out_plan" | head -n -1
plan=$(echo "$out_plan" | tail -1)
paths=("/api/v1/members?size=20" "/api/v1/dashboard" "/api/v1/life/compliance?from=$last-01&to=$last-12"
	"/api/v1/plans/$plan/matrix?size=50"
	"/api/v1/activities?org=$county&subtree=1&from=$last-10-01&to=$last-10-31&size=50")
pairs=()
for i in "${!paths[@]}"; do
	path=${paths[$i]}
	curl -s -b "dj_session=$cookie" "http://127.0.0.1:$PORT$path" > "$out/body$i.json"
	pairs+=("$path=$out/body$i.json")
	# Latency: median of 21 sequential requests after the one above, computed
	# afresh (Cache-Control: no-cache), then as kept in memory until the next commit.
	for how in computed kept; do
		hdr=(); [ $how = computed ] && hdr=(-H 'Cache-Control: no-cache')
		for _ in $(seq 21); do curl -s -o /dev/null -w '%{time_total}\n' "${hdr[@]}" -b "dj_session=$cookie" "http://127.0.0.1:$PORT$path"; done \
			| sort -n | awk '{a[NR]=$1} END {printf "latency %s (%s): median %.1f ms, max %.1f ms (21 sequential requests)\n", "'"$path"'", "'"$how"'", a[11]*1000, a[NR]*1000}'
	done
done
# nginx answering the same bytes from memory, on the same machine, in the same run.
node bench/nginx_conf.mjs $NGINX_PORT "$PWD/$out/nginx.pid" "${pairs[@]}" > "$out/nginx.conf"
nginx -t -q -c "$PWD/$out/nginx.conf" -p "$PWD/$out"
nginx -c "$PWD/$out/nginx.conf" -p "$PWD/$out"
sleep 0.3
for i in "${!paths[@]}"; do
	path=${paths[$i]}
	cmp -s <(curl -s "http://127.0.0.1:$NGINX_PORT$path") "$out/body$i.json" || echo "warning: nginx body differs for $path"
	ours=$(wrk -t2 -c32 -d8s -H "Cookie: dj_session=$cookie" "http://127.0.0.1:$PORT$path" | awk '/Requests\/sec/ {print $2}')
	ref=$(wrk -t2 -c32 -d8s "http://127.0.0.1:$NGINX_PORT$path" | awk '/Requests\/sec/ {print $2}')
	echo "wrk $path: dangjian $ours req/s, nginx (same body) $ref req/s, ratio $(echo "scale=3; $ours / $ref" | bc)"
done
kill "$(cat "$out/nginx.pid")"
echo "server RSS: $(awk '/VmRSS/ {print $2 " " $3}' /proc/$spid/status)"
