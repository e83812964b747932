#!/usr/bin/env bash
# bench/bulk.sh — the bulk writes on both engines, side by side in one run:
# generate (SCALE, default city), the import of the generated roster (XLSX)
# into the same tree without its members, and the publish of a 50-task plan
# (bench/task_plan.mjs), then PLANS-1 (default 4) more such plans in turn on
# the same server: a publication must not slow down with the assignments
# before it.  PostgreSQL: DJ_PG_ROOT (a URL of a server's
# postgres database), or a throwaway server started here on a loopback port.
# Prints the figures and the ratio PostgreSQL / SQLite; asserts nothing.
# REUSE=1 (with DJ_PG_ROOT) keeps the generated databases of a run before
# (bench/out/bulk/gen.db, database dj_bulk_gen), migrates them with this
# binary and measures import and publish only: PostgreSQL's generate of a
# city takes half an hour on a loaded machine.  The publish runs on a copy,
# so the generated databases stay as generated.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/harness.sh
scale=${SCALE:-city}
bin=${BIN:-build/dangjian}
out=bench/out/bulk
plans=${PLANS:-5}
reuse=${REUSE:-}; [ -n "$reuse" ] && { [ -f "$out/gen.db" ] && [ -n "${DJ_PG_ROOT:-}" ] || reuse=; }
[ -z "$reuse" ] && rm -rf "$out"; mkdir -p "$out"
echo 'Bench-pass-1' > "$out/pw"
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	[ -n "${PG_STOP:-}" ] && "${PG_STOP[@]}" >/dev/null 2>&1
	[ -n "${PGDIR:-}" ] && rm -rf "$PGDIR"
	true
}
trap cleanup EXIT

if [ -z "${DJ_PG_ROOT:-}" ]; then
	bench_pg_start
fi
pgdb() { echo "${DJ_PG_ROOT%/*}/$1"; }
psql "$DJ_PG_ROOT" -qc "DROP DATABASE IF EXISTS dj_bulk_imp" -c "DROP DATABASE IF EXISTS dj_bulk_pub"
[ -z "$reuse" ] && psql "$DJ_PG_ROOT" -qc "DROP DATABASE IF EXISTS dj_bulk_gen" -c "CREATE DATABASE dj_bulk_gen"

now() { date +%s.%N; }
declare -A T
# What the import needs gone: the members and every row that refers to them.
STRIP="UPDATE app_user SET member_id = NULL; DELETE FROM org_officer; DELETE FROM member_transfer;
	DELETE FROM study_done; DELETE FROM attendance; DELETE FROM activity_guest; DELETE FROM activity_agenda;
	DELETE FROM activity_org; DELETE FROM activity; DELETE FROM member;"

for eng in sqlite pg; do
	if [ $eng = sqlite ]; then gen="$out/gen.db"; imp="$out/imp.db"; key="$out/gen.db.key"
	else gen=$(pgdb dj_bulk_gen); imp=$(pgdb dj_bulk_imp); key="$out/pg.key"; fi
	if [ -n "$reuse" ]; then
		$bin init --db "$gen" --key "$key" --migrate >/dev/null
		T[gen-$eng]=0
	else
		t0=$(now)
		$bin generate --db "$gen" --key "$key" --scale "$scale" --password-file "$out/pw" > "$out/gen-$eng.txt"
		T[gen-$eng]=$(echo "$(now) - $t0" | bc)
	fi
	if [ $eng = sqlite ]; then
		root=$(sqlite3 "$gen" "SELECT code FROM org WHERE parent_id IS NULL")
		rows=$(sqlite3 "$gen" "SELECT count(*) FROM member")
		$bin export members --db "$gen" --key "$key" --org "$root" --reveal -o "$out/roster.xlsx" >/dev/null
		cp "$gen" "$imp"
		sqlite3 "$imp" "$STRIP VACUUM;"
		impkey="$out/imp.db.key"; cp "$key" "$impkey"
	else
		psql "$DJ_PG_ROOT" -qc "CREATE DATABASE dj_bulk_imp TEMPLATE dj_bulk_gen"
		# Foreign-key checks off for the strip (this throwaway server's superuser):
		# row-by-row checks make these deletes take minutes.  The kept count
		# of members goes with them.
		psql "$imp" -qc "BEGIN; SET LOCAL session_replication_role = replica; $STRIP DELETE FROM member_count; COMMIT;" -c "VACUUM ANALYZE"
		impkey=$key
	fi
	sync
	t0=$(now)
	$bin import members --db "$imp" --key "$impkey" --org "$root" "$out/roster.xlsx" > "$out/imp-$eng.txt" 2>&1
	T[imp-$eng]=$(echo "$(now) - $t0" | bc)
	if [ $eng = sqlite ]; then pub="$out/pub.db"; cp "$gen" "$pub"; cp "$key" "$pub.key"; pubkey="$pub.key"
	else pub=$(pgdb dj_bulk_pub); pubkey=$key; psql "$DJ_PG_ROOT" -qc "CREATE DATABASE dj_bulk_pub TEMPLATE dj_bulk_gen"; fi
	port=$(( (RANDOM % 2000) + 51000 ))
	$bin serve --db "$pub" --key "$pubkey" --listen 127.0.0.1:$port --quiet & pids+=($!)
	for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/api/v1/health" >/dev/null && break; sleep 0.1; done
	for i in $(seq "$plans"); do
		pub=$(node bench/task_plan.mjs "http://127.0.0.1:$port" Bench-pass-1 | head -1)
		if [ "$i" = 1 ]; then T[pub-$eng]=$(echo "$pub" | sed -E 's/.* in ([0-9]+) ms.*/\1/'); fi
		T[publast-$eng]=$(echo "$pub" | sed -E 's/.* in ([0-9]+) ms.*/\1/')
		T[pubn-$eng]=$(echo "$pub" | sed -E 's/.*tasks, ([0-9]+) assignments.*/\1/')
	done
	kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
done

ratio() { echo "scale=2; $1 / $2" | bc; }
echo "bulk writes, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg) (one run, both engines on this machine)"
printf '%-34s %10s %12s %7s\n' "" SQLite PostgreSQL ratio
[ -n "$reuse" ] && echo "(generate: not rerun, REUSE)" ||
printf '%-34s %9.2fs %11.2fs %6sx\n' "generate --scale $scale" "${T[gen-sqlite]}" "${T[gen-pg]}" "$(ratio "${T[gen-pg]}" "${T[gen-sqlite]}")"
printf '%-34s %9.2fs %11.2fs %6sx\n' "import $rows members (XLSX)" "${T[imp-sqlite]}" "${T[imp-pg]}" "$(ratio "${T[imp-pg]}" "${T[imp-sqlite]}")"
printf '%-34s %8sms %10sms %6sx\n' "publish 50 tasks (${T[pubn-sqlite]} assignments)" "${T[pub-sqlite]}" "${T[pub-pg]}" "$(ratio "${T[pub-pg]}" "${T[pub-sqlite]}")"
if [ "$plans" -gt 1 ]; then
	printf '%-34s %8sms %10sms %6sx\n' "  the same after $((plans - 1)) published" "${T[publast-sqlite]}" "${T[publast-pg]}" \
		"$(ratio "${T[publast-pg]}" "${T[publast-sqlite]}")"
fi
