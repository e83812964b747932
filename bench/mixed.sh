#!/usr/bin/env bash
# bench/mixed.sh — reads while someone writes.  200 users in different
# scopes (org_admin of committees, branch_admin of branches) read the
# dashboard, the member list, the calendar (a month of activities in their
# subtree) and a plan's matrix, each route with wrk for DURATION seconds;
# first with nobody writing, then while one writer makes RATE writes/s
# (attendance, task reports, member edits in turn).  Prints each route's
# throughput and p99 for both runs, and the writes' rate and p99.
# Prints figures; asserts nothing.
#   SQLite:      bench/mixed.sh                 (DB=file to reuse one; else generates SCALE=province)
#   PostgreSQL:  DJ_PG_URL=postgresql://…/db bench/mixed.sh   (generates SCALE=city into it
#                unless REUSE=1)
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out/mixed; mkdir -p "$out"
bin=${BIN:-build/dangjian}
duration=${DURATION:-8}; rate=${RATE:-20}; nusers=${USERS:-200}
PORT=${PORT:-18191}
echo 'Bench-pass-1' > "$out/pw"
export DANGJIAN_TODAY=${DANGJIAN_TODAY:-$(date +%F)}

if [ -n "${DJ_PG_URL:-}" ]; then
	url=$DJ_PG_URL; key="$out/pg.key"; scale=${SCALE:-city}
	sql() { psql "$url" -qAtX -F $'\t' -c "$1"; }
	if [ -z "${REUSE:-}" ]; then
		t0=$(date +%s.%N)
		$bin generate --db "$url" --key "$key" --scale "$scale" --password-file "$out/pw" --today "$DANGJIAN_TODAY" | tail -1
		echo "generate ($scale, PostgreSQL): $(echo "$(date +%s.%N) - $t0" | bc) s"
	fi
else
	url=${DB:-$out/mixed.db}; key="$url.key"; scale=${SCALE:-province}
	sql() { sqlite3 -separator $'\t' "$url" "$1"; }
	if [ ! -f "$url" ]; then
		t0=$(date +%s.%N)
		$bin generate --db "$url" --scale "$scale" --password-file "$out/pw" --today "$DANGJIAN_TODAY" | tail -1
		echo "generate ($scale): $(echo "$(date +%s.%N) - $t0" | bc) s"
	fi
fi
$bin init --db "$url" --key "$key" --migrate >/dev/null

# The bench users: one made by the command line, the others copy its password hash.
if [ -z "$(sql "SELECT 1 FROM app_user WHERE username = 'mixed0'")" ]; then
	first=$(sql "SELECT code FROM org WHERE kind = 'industry_committee' ORDER BY id LIMIT 1")
	$bin user add --db "$url" --key "$key" --username mixed0 --role org_admin --org "$first" --password-file "$out/pw" >/dev/null
	# A plan's matrix is for its owner's managers: a few accounts at the root.
	nroot=${ROOT_USERS:-10}; ncomm=$((nusers / 4)); nbranch=$((nusers - nroot - ncomm - 1))
	sql "INSERT INTO app_user(username, display_name, pwhash, role, org_id, created_at, updated_at)
		SELECT 'mixed' || (row_number() OVER (ORDER BY x.role, x.id)), '基准用户', u.pwhash, x.role, x.id, u.created_at, u.created_at
		FROM (SELECT * FROM (SELECT id, 'org_admin' AS role FROM org WHERE kind IN ('industry_committee', 'committee', 'general_branch')
			AND id <> (SELECT org_id FROM app_user WHERE username = 'mixed0') ORDER BY id LIMIT $ncomm) a
		      UNION ALL SELECT * FROM (SELECT o.id, 'org_admin' FROM org o, (SELECT 1 AS k UNION ALL SELECT 2 UNION ALL SELECT 3
			UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9
			UNION ALL SELECT 10) n WHERE o.parent_id IS NULL AND n.k <= $nroot) r
		      UNION ALL SELECT * FROM (SELECT id, 'branch_admin' FROM org WHERE kind = 'branch' ORDER BY id DESC LIMIT $nbranch) b) x,
		     app_user u WHERE u.username = 'mixed0'"
fi
sql "SELECT username, org_id FROM app_user WHERE username LIKE 'mixed%' ORDER BY id LIMIT $nusers" > "$out/users.txt"

$bin serve --db "$url" --key "$key" --listen 127.0.0.1:$PORT --quiet &
spid=$!
wpid=
trap 'kill $spid 2>/dev/null; [ -n "$wpid" ] && kill $wpid 2>/dev/null; true' EXIT
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.2; done
node bench/mixed.mjs setup "http://127.0.0.1:$PORT" Bench-pass-1 "$out"

# CPU (clock ticks) of the server and, on PostgreSQL when its data directory
# is readable here, of the postmaster's children (the backends): per route,
# the CPU a request costs on both sides, whatever else loads the machine.
pgpid=
if [ -n "${DJ_PG_URL:-}" ]; then
	pgdata=$(psql "$url" -qAtX -c 'SHOW data_directory' 2>/dev/null || true)
	[ -n "$pgdata" ] && [ -r "$pgdata/postmaster.pid" ] && pgpid=$(head -1 "$pgdata/postmaster.pid")
fi
ticks() {	# the CPU of the given pids and of their children that live
	local t=0 p
	for p in "$@"; do
		[ -r "/proc/$p/stat" ] && t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
	done
	echo "$t"
}
pgdb=${url##*/}; pgdb=${pgdb%%\?*}
# Only the backends of this database ("postgres: USER DB HOST(PORT) …"): others may share the server.
pg_ticks() { [ -n "$pgpid" ] && ticks $(ps --ppid "$pgpid" -o pid=,args= 2>/dev/null | awk -v db="$pgdb" '$4 == db {print $1}') || echo 0; }
hz=$(getconf CLK_TCK)

routes=(dashboard members calendar matrix)
# "Requests/sec" and the 99th percentile (in ms) of one wrk run.
run_wrk() {
	if [ "$(wc -l < "$out/reads-$1.txt")" -lt 1 ] || [ ! -s "$out/reads-$1.txt" ] || [ "$(head -c1 "$out/reads-$1.txt")" = "" ]; then
		echo "0 0 0"; return	# nobody here may read this route
	fi
	local s0 p0
	s0=$(ticks "$spid"); p0=$(pg_ticks)
	wrk -t2 -c32 -d"${duration}s" --latency -s bench/mixed.lua "http://127.0.0.1:$PORT" -- "$out/reads-$1.txt" > "$out/wrk-$1-$2.txt"
	echo "$(( $(ticks "$spid") - s0 )) $(( $(pg_ticks) - p0 ))" > "$out/cpu-$1-$2.txt"
	# DANGJIAN_TRACE=cache: the server prints its per-route figures for this run.
	[ -n "${DANGJIAN_TRACE:-}" ] && { echo "== $1 $2" >&2; kill -USR1 "$spid"; sleep 0.2; }
	awk -v hz="$hz" -v cpu="$(cat "$out/cpu-$1-$2.txt")" '/Requests\/sec/ {rps = $2}
	     / requests in / {n = $1}
	     /Non-2xx/ {bad = $NF}
	     $1 == "99%" {v = $2; if (v ~ /us$/) ms = v / 1000; else if (v ~ /ms$/) ms = v + 0; else if (v ~ /s$/) ms = v * 1000; else ms = v}
	     END {split(cpu, c, " "); printf "%.0f %.1f %s %.2f/%.2f\n", rps, ms, bad ? bad : 0,
		  n ? c[1] * 1000 / hz / n : 0, n ? c[2] * 1000 / hz / n : 0}' "$out/wrk-$1-$2.txt"
}
declare -A rps p99 bad cpu
for r in "${routes[@]}"; do read -r rps[$r,quiet] p99[$r,quiet] bad[$r,quiet] cpu[$r,quiet] < <(run_wrk "$r" quiet); done
node bench/mixed.mjs write "http://127.0.0.1:$PORT" Bench-pass-1 "$out" "$rate" > "$out/writer.txt" 2>&1 &
wpid=$!
sleep 1
for r in "${routes[@]}"; do read -r rps[$r,busy] p99[$r,busy] bad[$r,busy] cpu[$r,busy] < <(run_wrk "$r" busy); done
kill -TERM $wpid; wait $wpid || true; wpid=

echo
echo "bench/mixed: $(db=${DJ_PG_URL:+PostgreSQL}; echo "${db:-SQLite}"), scale $scale, $(wc -l < "$out/users.txt") users, wrk -t2 -c32 ${duration}s per route, writer at $rate/s"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); cpu: ms per request of the server / of PostgreSQL's backends"
printf "%-10s %14s %12s %12s %14s %12s %12s %8s\n" route "no-write r/s" "p99 ms" "cpu" "writing r/s" "p99 ms" "cpu" ratio
for r in "${routes[@]}"; do
	ratio=$(echo "scale=2; ${rps[$r,busy]} / ${rps[$r,quiet]}" | bc 2>/dev/null || echo -)
	printf "%-10s %14s %12s %12s %14s %12s %12s %8s%s\n" "$r" "${rps[$r,quiet]}" "${p99[$r,quiet]}" "${cpu[$r,quiet]}" \
		"${rps[$r,busy]}" "${p99[$r,busy]}" "${cpu[$r,busy]}" "$ratio" \
		"$([ "${bad[$r,quiet]}${bad[$r,busy]}" != 00 ] && echo "  (non-2xx: ${bad[$r,quiet]}/${bad[$r,busy]})")"
done
cat "$out/writer.txt"
