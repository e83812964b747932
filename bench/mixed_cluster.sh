#!/usr/bin/env bash
# bench/mixed_cluster.sh — the mixed load (bench/mixed.sh's readers and its
# writer at RATE writes/s) through nginx on one PostgreSQL at the city scale,
# in one run: first nginx in front of two dangjian servers, then nginx in
# front of one.  Both configurations read the same database with the same
# users, routes and writer; only the number of servers differs.  Prints each
# route's read rate and p99 with the writer going, and the writes' rate and
# p99, for both.  Prints figures; asserts nothing.
#   bench/mixed_cluster.sh                      a throwaway PostgreSQL started here
#   DJ_PG_ROOT=postgresql://…/postgres bench/mixed_cluster.sh   a server of yours
#     (database dj_mixed_cluster is made there; REUSE=1 keeps one generated before)
# DURATION (s per route, default 8), RATE (writes/s, default 20), USERS (200),
# SCALE (city), PORT (first of four loopback ports, default 18291).
# The readers and the writer are bench/mixed.mjs and bench/mixed.lua.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/harness.sh
out=bench/out/mixed_cluster; mkdir -p "$out"
bin=${BIN:-build/dangjian}
duration=${DURATION:-8}; rate=${RATE:-20}; nusers=${USERS:-200}; scale=${SCALE:-city}
port=${PORT:-18291}; web=$port app1=$((port + 1)) app2=$((port + 2))
echo 'Bench-pass-1' > "$out/pw"
export DANGJIAN_TODAY=${DANGJIAN_TODAY:-$(date +%F)}
pids=()
cleanup() {
	[ -f "$out/nginx.pid" ] && nginx -c "$PWD/$out/nginx.conf" -p "$PWD/$out" -s stop 2>/dev/null
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	[ -n "${PG_STOP:-}" ] && "${PG_STOP[@]}" >/dev/null 2>&1
	[ -n "${PGDIR:-}" ] && rm -rf "$PGDIR"
	true
}
trap cleanup EXIT

if [ -z "${DJ_PG_ROOT:-}" ]; then
	bench_pg_start -c max_connections=200
	unset REUSE
fi
url="${DJ_PG_ROOT%/*}/dj_mixed_cluster"; key="$out/pg.key"
sql() { psql "$url" -qAtX -F $'\t' -c "$1"; }
if [ -z "${REUSE:-}" ]; then
	psql "$DJ_PG_ROOT" -qc "DROP DATABASE IF EXISTS dj_mixed_cluster" -c "CREATE DATABASE dj_mixed_cluster" 2>/dev/null
	t0=$(date +%s.%N)
	$bin generate --db "$url" --key "$key" --scale "$scale" --password-file "$out/pw" --today "$DANGJIAN_TODAY" | tail -1
	echo "generate ($scale, PostgreSQL): $(echo "$(date +%s.%N) - $t0" | bc) s"
fi
$bin init --db "$url" --key "$key" --migrate >/dev/null

# The bench users as bench/mixed.sh makes them: one by the command line, the
# others with its password hash; a few at the root (a plan's matrix is for
# its owner's managers), a quarter at committees, the rest at branches.
if [ -z "$(sql "SELECT 1 FROM app_user WHERE username = 'mixed0'")" ]; then
	first=$(sql "SELECT code FROM org WHERE kind = 'industry_committee' ORDER BY id LIMIT 1")
	$bin user add --db "$url" --key "$key" --username mixed0 --role org_admin --org "$first" --password-file "$out/pw" >/dev/null
	nroot=${ROOT_USERS:-10}; ncomm=$((nusers / 4)); nbranch=$((nusers - nroot - ncomm - 1))
	sql "INSERT INTO app_user(username, display_name, pwhash, role, org_id, created_at, updated_at)
		SELECT 'mixed' || (row_number() OVER (ORDER BY x.role, x.id)), '基准用户', u.pwhash, x.role, x.id, u.created_at, u.created_at
		FROM (SELECT * FROM (SELECT id, 'org_admin' AS role FROM org WHERE kind IN ('industry_committee', 'committee', 'general_branch')
			AND id <> (SELECT org_id FROM app_user WHERE username = 'mixed0') ORDER BY id LIMIT $ncomm) a
		      UNION ALL SELECT * FROM (SELECT o.id, 'org_admin' FROM org o, generate_series(1, $nroot) n
			WHERE o.parent_id IS NULL) r
		      UNION ALL SELECT * FROM (SELECT id, 'branch_admin' FROM org WHERE kind = 'branch' ORDER BY id DESC LIMIT $nbranch) b) x,
		     app_user u WHERE u.username = 'mixed0'"
fi
sql "SELECT username, org_id FROM app_user WHERE username LIKE 'mixed%' ORDER BY id LIMIT $nusers" > "$out/users.txt"

for p in $app1 $app2; do
	$bin serve --db "$url" --key "$key" --listen "127.0.0.1:$p" --quiet >"$out/app-$p.log" 2>&1 & pids+=($!)
done
for p in $app1 $app2; do
	for _ in $(seq 100); do curl -sf "http://127.0.0.1:$p/api/v1/health" >/dev/null && break; sleep 0.2; done
done

# nginx as deploy/nginx.conf.in has it (keepalive to the upstream, the same
# retries), with the servers given; reloaded between the configurations.
nginx_conf() {	# servers' ports…
	local ups=""
	for p in "$@"; do ups+="		server 127.0.0.1:$p max_fails=1 fail_timeout=5s;"$'\n'; done
	cat > "$out/nginx.conf" <<EOF
worker_processes 1;
pid $PWD/$out/nginx.pid;
error_log $PWD/$out/nginx-error.log;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $PWD/$out/nginx-body;
	proxy_temp_path $PWD/$out/nginx-proxy;
	fastcgi_temp_path $PWD/$out/nginx-fcgi;
	uwsgi_temp_path $PWD/$out/nginx-uwsgi;
	scgi_temp_path $PWD/$out/nginx-scgi;
	upstream dangjian {
$ups		keepalive 32;
	}
	server {
		listen 127.0.0.1:$web;
		location / {
			proxy_pass http://dangjian;
			proxy_http_version 1.1;
			proxy_set_header Connection "";
			proxy_set_header Host \$host;
			proxy_next_upstream error timeout http_502 http_503;
		}
	}
}
EOF
}
front="http://127.0.0.1:$web"
nginx_conf "$app1" "$app2"
nginx -c "$PWD/$out/nginx.conf" -p "$PWD/$out"
for _ in $(seq 50); do curl -sf "$front/api/v1/health" >/dev/null && break; sleep 0.1; done
node bench/mixed.mjs setup "$front" Bench-pass-1 "$out"

routes=(dashboard members calendar matrix)
# "Requests/sec", the 99th percentile (ms) and the count of non-2xx answers and timeouts of one wrk run.
run_wrk() {	# route, tag
	if [ ! -s "$out/reads-$1.txt" ]; then echo "0 0 0"; return; fi	# nobody here may read this route
	# A 10 s timeout: a slow answer counts in the latencies instead of being dropped (wrk's default is 2 s).
	wrk -t2 -c32 -d"${duration}s" --timeout 10s --latency -s bench/mixed.lua "$front" -- "$out/reads-$1.txt" > "$out/wrk-$1-$2.txt"
	awk '/Requests\/sec/ {rps = $2}
	     /Non-2xx/ {bad += $NF}
	     /Socket errors/ {for (i = 1; i < NF; i++) if ($i == "timeout") bad += $(i + 1)}
	     $1 == "99%" {v = $2; if (v ~ /us$/) ms = v / 1000; else if (v ~ /ms$/) ms = v + 0; else if (v ~ /s$/) ms = v * 1000; else ms = v}
	     END {printf "%.0f %.1f %s\n", rps, ms, bad ? bad : 0}' "$out/wrk-$1-$2.txt"
}
declare -A rps p99 bad writes
# One configuration: every route read with the writer going through nginx.
measure() {	# tag
	node bench/mixed.mjs write "$front" Bench-pass-1 "$out" "$rate" > "$out/writer-$1.txt" 2>&1 & local w=$!
	sleep 1
	for r in "${routes[@]}"; do read -r rps[$r,$1] p99[$r,$1] bad[$r,$1] < <(run_wrk "$r" "$1"); done
	kill -TERM $w; wait $w || true
	writes[$1]=$(grep -E '^writes:' "$out/writer-$1.txt" | sed -E 's/^writes: [0-9]+ in [0-9.]+ s = ([0-9.]+)\/s, errors ([0-9]+); .*p99 ([0-9.]+) ms, max.*/\1 \3 \2/')
}
measure two
nginx_conf "$app1"
nginx -c "$PWD/$out/nginx.conf" -p "$PWD/$out" -s reload
sleep 1	# the old worker finishes its connections to the second server
measure one

echo
echo "bench/mixed_cluster: PostgreSQL, scale $scale, $(wc -l < "$out/users.txt") users, wrk -t2 -c32 ${duration}s per route through nginx, writer at $rate/s;"
echo "$(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg); both configurations in this one run, on this one machine"
printf "%-10s %16s %10s %16s %10s %8s\n" route "2 servers r/s" "p99 ms" "1 server r/s" "p99 ms" "2 / 1"
for r in "${routes[@]}"; do
	ratio=$(echo "scale=2; ${rps[$r,two]} / ${rps[$r,one]}" | bc 2>/dev/null || echo -)
	printf "%-10s %16s %10s %16s %10s %8s%s\n" "$r" "${rps[$r,two]}" "${p99[$r,two]}" "${rps[$r,one]}" "${p99[$r,one]}" "$ratio" \
		"$([ "${bad[$r,two]}${bad[$r,one]}" != 00 ] && echo "  (non-2xx or timed out: ${bad[$r,two]}/${bad[$r,one]})")"
done
read -r w2 p2 e2 <<<"${writes[two]:-0 0 0}"; read -r w1 p1 e1 <<<"${writes[one]:-0 0 0}"
printf "%-10s %16s %10s %16s %10s %8s\n" writes "$w2/s" "$p2" "$w1/s" "$p1" "errors $e2/$e1"
echo "writer details: $out/writer-two.txt, $out/writer-one.txt"
