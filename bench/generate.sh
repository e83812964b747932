#!/usr/bin/env bash
# bench/generate.sh — `dangjian generate` on both engines, one after the
# other in one run: each step's wall and CPU time (generate --times), the
# whole run's CPU by /usr/bin/time, and on PostgreSQL its backend's CPU
# (read from /proc: the server runs here), then the ratio PostgreSQL /
# SQLite of wall and of CPU (client + server).  SCALE (default province),
# SEED (1), TODAY (2026-11-30).  PostgreSQL: DJ_PG_ROOT (a URL of a server's
# postgres database on this machine), or a throwaway server started here on
# a loopback port, durable as production runs it (fsync on, default
# settings); SQLite as dangjian opens it (WAL, synchronous=NORMAL).
# DIGEST=1 also prints whether the two databases hold the same rows
# (bench/gen_digest.py; slow at the province scale).  ENGINES="sqlite" or
# "pg" runs one (OUT: its directory, so two can run side by side; the table
# then has the other's columns empty).  Asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/harness.sh
scale=${SCALE:-province}
seed=${SEED:-1}
today=${TODAY:-2026-11-30}
bin=${BIN:-build/dangjian}
out=${OUT:-bench/out/generate}
engines=${ENGINES:-sqlite pg}
rm -rf "$out"; mkdir -p "$out"
echo 'Bench-pass-1' > "$out/pw"
cleanup() {
	[ -n "${PG_STOP:-}" ] && "${PG_STOP[@]}" >/dev/null 2>&1
	[ -n "${PGDIR:-}" ] && rm -rf "$PGDIR"
	true
}
trap cleanup EXIT
case " $engines " in *" pg "*) ;; *) DJ_PG_ROOT=none;; esac
if [ -z "${DJ_PG_ROOT:-}" ]; then
	bench_pg_start
fi
pgurl="${DJ_PG_ROOT%/*}/dj_bench_gen"
[ "$DJ_PG_ROOT" = none ] || psql "$DJ_PG_ROOT" -qc "DROP DATABASE IF EXISTS dj_bench_gen" -c "CREATE DATABASE dj_bench_gen"

declare -A W C S L
W=([sqlite]=0 [pg]=0); C=([sqlite]=0 [pg]=0); S=([sqlite]=0 [pg]=0); L=([sqlite]=- [pg]=-)
touch "$out/gen-sqlite.txt" "$out/gen-pg.txt"
for eng in $engines; do
	if [ $eng = sqlite ]; then db="$out/gen.db"; key="$out/gen.db.key"; else db=$pgurl; key="$out/pg.key"; fi
	sync
	L[$eng]=$(cut -d' ' -f1 /proc/loadavg)
	/usr/bin/time -o "$out/time-$eng" -f '%e %U %S' $bin generate --db "$db" --key "$key" --scale "$scale" \
		--seed "$seed" --today "$today" --password-file "$out/pw" --times > "$out/gen-$eng.txt"
	read -r w u s < "$out/time-$eng"
	W[$eng]=$w; C[$eng]=$(echo "$u + $s" | bc)
	S[$eng]=$(sed -nE 's/^ *time total .* ([0-9.]+) s server cpu$/\1/p' "$out/gen-$eng.txt")
	S[$eng]=${S[$eng]:-0}
	L[$eng]="${L[$eng]}-$(cut -d' ' -f1 /proc/loadavg)"
done

echo "generate --scale $scale --seed $seed --today $today, $(nproc) cores (one run, both engines in turn on this machine)"
echo "each step: wall and cpu of dangjian; on PostgreSQL also its backend's cpu (s):"
python3 - "$out/gen-sqlite.txt" "$out/gen-pg.txt" <<'PY'
import re, sys
def steps(path):
    r = {}
    for line in open(path):
        m = re.match(r'^  time (.{16}) +([0-9.]+) s wall +([0-9.]+) s cpu(?:.* ([0-9.]+) s server cpu)?', line)
        if m:
            r[m.group(1).strip()] = [float(x) if x else 0.0 for x in m.group(2, 3, 4)]
    return r
a, b = steps(sys.argv[1]), steps(sys.argv[2])
print(f"  {'step':18} {'SQLite wall':>12} {'cpu':>8} {'PG wall':>10} {'cpu':>8} {'backend':>8}")
for k in list(a) + [k for k in b if k not in a]:
    x, y = a.get(k, [0, 0, 0]), b.get(k, [0, 0, 0])
    print(f"  {k:18} {x[0]:12.2f} {x[1]:8.2f} {y[0]:10.2f} {y[1]:8.2f} {y[2]:8.2f}")
PY
ratio() { [ "$2" = 0 ] || [ "$1" = 0 ] && echo - || echo "scale=2; $1 / $2" | bc; }
printf '\n%-30s %12s %12s %7s\n' "" SQLite PostgreSQL ratio
printf '%-30s %11.1fs %11.1fs %6sx\n' "wall" "${W[sqlite]}" "${W[pg]}" "$(ratio "${W[pg]}" "${W[sqlite]}")"
pgcpu=$(echo "${C[pg]} + ${S[pg]}" | bc)
printf '%-30s %11.1fs %11.1fs %6sx\n' "cpu (dangjian + PG backend)" "${C[sqlite]}" "$pgcpu" "$(ratio "$pgcpu" "${C[sqlite]}")"
printf '%-30s %11.1fs %11.1fs\n' "  of which dangjian" "${C[sqlite]}" "${C[pg]}"
printf '%-30s %12s %12s\n' "load average (start-end)" "${L[sqlite]}" "${L[pg]}"
grep -h '^generated' "$out/gen-sqlite.txt" "$out/gen-pg.txt" | sed 's/^/  /'
if [ -n "${DIGEST:-}" ]; then
	python3 bench/gen_digest.py "$out/gen.db" "$pgurl" || true
fi
