#!/usr/bin/env bash
# dates.sh — the date-sensitive part of the suite (API on SQLite, browser) on
# the dates issue 9 names: new year, mid-year, new year's eve, a leap day.
# `make test` runs everything on the real date; this adds the pinned days.
set -uo pipefail
cd "$(dirname "$0")/.."
rc=0; sum_p=0; sum_f=0
for d in ${DATES:-2026-01-01 2026-06-30 2026-12-31 2028-02-29}; do
	out=$(TODAY=$d SUITES="${SUITES:-unit api-sqlite browser}" tests/run.sh 2>&1)
	r=$?
	line=$(printf '%s\n' "$out" | tail -1)
	echo "$d: $line"
	[ $r -eq 0 ] || { rc=1; printf '%s\n' "$out" | grep -A30 -E '^ *not ok' | head -80; }
	p=$(awk '{print $1}' <<<"$line"); f=$(awk '{print $3}' <<<"$line")
	sum_p=$((sum_p + ${p:-0})); sum_f=$((sum_f + ${f:-1}))
done
echo "$sum_p passed, $sum_f failed"
exit $rc
