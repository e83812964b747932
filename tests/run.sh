#!/usr/bin/env bash
# run.sh — the whole suite: cmocka unit tests, the API tests over real HTTP
# against SQLite and against a PostgreSQL server started here on a loopback
# port, two servers sharing one PostgreSQL database, and the browser tests in
# Debian's Chromium.  Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:detect_stack_use_after_return=0"
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
# TODAY=YYYY-MM-DD (make test TODAY=…) runs the whole suite as if it were
# that day: the generator, the servers and the browser all read it.
if [ -n "${TODAY:-}" ]; then
	export DANGJIAN_TODAY="$TODAY"
	echo "== pinned to $TODAY"
fi
# SUITES="unit api-sqlite api-postgresql browser" runs a part (default: all).
SUITES=${SUITES:-"unit api-sqlite api-postgresql browser"}
on() { [[ " $SUITES " == *" $1 "* ]]; }
passed=0; failed=0
log=$(mktemp -d /tmp/dj-tests-XXXXXX)
# Each demo the tests ask for is generated once and copied (tests/lib/server.mjs).
export DJ_TEST_CACHE="$log/cache"

count_cmocka() {	# $1: output file
	local p f
	p=$(grep -oE '^\[  PASSED  \] [0-9]+' "$1" | awk '{s+=$4} END {print s+0}')
	f=$(grep -oE '^\[  FAILED  \] [0-9]+ test' "$1" | awk '{s+=$4} END {print s+0}')
	passed=$((passed + p)); failed=$((failed + f))
}
count_node() {		# $1: TAP output file
	local p f
	p=$(grep -E '^# pass ' "$1" | awk '{s+=$3} END {print s+0}')
	# A test cancelled by its suite's failed hook did not pass: count it failed.
	f=$(grep -E '^# (fail|cancelled) ' "$1" | awk '{s+=$3} END {print s+0}')
	passed=$((passed + p)); failed=$((failed + f))
}

on unit && echo "== unit tests (cmocka, ASan + UBSan)"
on unit && for t in build/test_*; do
	[ -x "$t" ] || continue
	out="$log/$(basename "$t").txt"
	(cd "$log" && "$OLDPWD/$t") > "$out" 2>&1
	rc=$?
	grep -E '^\[ +(RUN|OK|PASSED|FAILED) +\]|ERROR|Sanitizer|runtime error' "$out" | grep -vE '^\[ (RUN|  OK) ' || true
	count_cmocka "$out"
	if [ $rc -ne 0 ] && ! grep -q '^\[  FAILED  \]' "$out"; then
		echo "$t crashed (exit $rc):"; tail -30 "$out"; failed=$((failed + 1))
	fi
done

# A PostgreSQL server of our own: initdb in a temporary directory, loopback port.
pg_start() {
	local bindir
	bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
	PGDIR=$(mktemp -d /tmp/dj-pg-XXXXXX)
	PGPORT_TEST=$(( (RANDOM % 2000) + 55000 ))
	local run=()
	if [ "$(id -u)" = 0 ]; then chown postgres "$PGDIR"; run=(runuser -u postgres --); fi
	"${run[@]}" "$bindir/initdb" -D "$PGDIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$log/initdb.txt" 2>&1 || return 1
	"${run[@]}" "$bindir/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w -o "-p $PGPORT_TEST -k $PGDIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null || return 1
	PG_STOP=("${run[@]}" "$bindir/pg_ctl" -D "$PGDIR/data" -m fast stop)
	export DJ_PG_ROOT="postgresql://postgres@127.0.0.1:$PGPORT_TEST/postgres"
}
pg_stop() { [ -n "${PG_STOP:-}" ] && "${PG_STOP[@]}" >/dev/null 2>&1; rm -rf "${PGDIR:-/nonexistent}"; }
trap pg_stop EXIT

# A node test run in the background: the two engines' API suites run side by
# side (each mostly waits on its server, so two cores carry both), and are
# reported in order once both are done.
node_start() {		# $1: label, rest: files; env passed through
	local label=$1; shift
	echo "== $label"
	node --test --test-reporter=tap --test-concurrency=1 "$@" > "$log/node-$label.tap" 2>&1 &
}
node_report() {		# $1: label
	local out="$log/node-$1.tap"
	echo "== $1: results"
	grep -E '^not ok|^# (pass|fail)' "$out" | sed 's/^/   /'
	if grep -q '^not ok' "$out"; then grep -B2 -A25 -E '^ *not ok' "$out" | head -120; fi
	count_node "$out"
	if ! grep -qE '^# pass ' "$out"; then echo "   (no TAP summary)"; tail -30 "$out"; failed=$((failed + 1)); fi
}
run_node() { node_start "$@"; wait $!; node_report "$1"; }

labels=()
on api-sqlite && node_start "api-sqlite" tests/api/*.test.mjs && labels+=(api-sqlite)
pg_up=0
if ! on api-postgresql; then :
elif pg_start; then
	pg_up=1
	DJ_PG_URL="$DJ_PG_ROOT" node_start "api-postgresql" tests/api/*.test.mjs && labels+=(api-postgresql)
else
	echo "PostgreSQL did not start:"; cat "$log/initdb.txt" "$PGDIR/log" 2>/dev/null | tail -20; failed=$((failed + 1))
fi
wait
for l in "${labels[@]}"; do node_report "$l"; done
# Restart, failover and two servers behind nginx measure seconds of outage:
# they run alone, after the API suites.
[ $pg_up = 1 ] && DJ_PG_URL="$DJ_PG_ROOT" run_node "postgresql-ha" tests/pg/*.test.mjs
on browser && DJ_BIN=build/dangjian run_node "browser" tests/browser/*.test.mjs

rm -rf "$DJ_TEST_CACHE"
echo
echo "logs: $log"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
