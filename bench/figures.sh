#!/usr/bin/env bash
# bench/figures.sh — computed answers without the read cache at a scale:
# every figure of the root over a year (each timed, in a fresh process: the
# first read of each), `figures --check` at the root, and the dashboard of
# the root computed afresh (Cache-Control: no-cache): latency, and the
# server's CPU time per request (from /proc, steadier than latency on a
# shared machine).  Prints figures; asserts nothing.
#
#   bench/figures.sh [DB]     DB: a database with a demo (default: generate
#                             SCALE, default province, into bench/out)
# The database is copied (with its .key) and migrated first, so counters
# kept by later migrations are filled from the rows already there.
# DROP_CACHES=1 (as root) empties the page cache before the figures run;
# CHECK=1 also runs figures --check at the root.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=build/dangjian
out=bench/out; mkdir -p "$out"
db=$out/figures.db
if [ $# -ge 1 ]; then
	cp "$1" "$db"; cp "$1.key" "$db.key"
	pw=$(cat "$(dirname "$1")/pw" 2>/dev/null || echo Bench-pass-1)
else
	rm -f "$db"*; pw=Bench-pass-1; echo "$pw" > "$out/pw"
	$bin generate --db "$db" --scale "${SCALE:-province}" --password-file "$out/pw" | tail -1
fi
$bin init --db "$db" --key "$db.key" --migrate | tail -1
export DANGJIAN_TODAY=${DANGJIAN_TODAY:-$(TZ=Asia/Shanghai date +%F)}
root=$(sqlite3 "$db" "SELECT code FROM org WHERE parent_id IS NULL")
from="${DANGJIAN_TODAY:0:4}-01-01"
echo "scale: $(sqlite3 "$db" "SELECT count(*) FROM org") orgs, $(sqlite3 "$db" "SELECT count(*) FROM member") members; today $DANGJIAN_TODAY"

[ "${DROP_CACHES:-0}" = 1 ] && { sync; echo 3 > /proc/sys/vm/drop_caches; }
t0=$(date +%s.%N)
$bin figures --db "$db" --key "$db.key" --org "$root" --from "$from" --to "$DANGJIAN_TODAY" --time > "$out/figures.txt"
t1=$(date +%s.%N)
echo "all figures of the root, $from to $DANGJIAN_TODAY: $(grep -c ' cpu  ' "$out/figures.txt") figures," \
	"$(tail -1 "$out/figures.txt" | cut -d' ' -f2-) in figure_value, $(echo "($t1 - $t0) * 1000 / 1" | bc) ms the process"
echo "slowest (wall ms, cpu ms):"
grep ' cpu  ' "$out/figures.txt" | sort -rn | head -12 | awk '{printf "  %9s %9s  %s\n", $1, $3, $5}'
for m in org member life task develop dues; do
	grep " cpu  $m\." "$out/figures.txt" | awk -v m=$m '{s += $1; c += $3; n++} END {printf "module %-6s %3d figures %9.1f ms (cpu %.1f ms)\n", m, n, s, c}'
done
if [ "${CHECK:-0}" = 1 ]; then	# lists every record of every figure: minutes at the province scale
t0=$(date +%s.%N)
chk=$($bin figures --db "$db" --key "$db.key" --org "$root" --from "$from" --to "$DANGJIAN_TODAY" --check | tail -1)
t1=$(date +%s.%N)
echo "figures --check at the root: $chk ($(echo "($t1 - $t0) / 1" | bc) s)"
fi

PORT=${PORT:-18183}
$bin serve --db "$db" --key "$db.key" --listen 127.0.0.1:$PORT --quiet &
spid=$!
trap 'kill $spid 2>/dev/null; true' EXIT
sleep 1
curl -s -c "$out/cj" -H 'Content-Type: application/json' -d "{\"username\":\"admin\",\"password\":\"$pw\"}" \
	"http://127.0.0.1:$PORT/api/v1/session" > /dev/null
tck=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' /proc/$spid/stat; }
for path in /api/v1/dashboard; do
	curl -s -o /dev/null -b "$out/cj" "http://127.0.0.1:$PORT$path"
	a=$(cpu)
	for _ in $(seq 41); do
		curl -s -o /dev/null -w '%{time_total}\n' -H 'Cache-Control: no-cache' -b "$out/cj" "http://127.0.0.1:$PORT$path"
	done | sort -n | awk '{a[NR]=$1} END {printf "latency %s (computed): median %.1f ms, min %.1f ms, max %.1f ms (41 sequential requests)\n", "'"$path"'", a[21]*1000, a[1]*1000, a[NR]*1000}'
	b=$(cpu)
	echo "cpu $path (computed): $(echo "scale=1; ($b - $a) * 1000 / $tck / 41" | bc) ms per request"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
