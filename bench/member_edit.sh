#!/usr/bin/env bash
# bench/member_edit.sh — what one member edit costs at the province scale
# (the writes of bench/mixed that held the write lock longest): N edits of
# {position} (FIELD=… for another field) through member_update on a copy of
# a migrated province (PROVINCE=path with path.key; /work/bench/province-m.db
# by default), CPU time per edit and the WAL pages each wrote.  CALLGRIND=1
# counts the instructions of all N instead.  Prints figures; asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
src=${PROVINCE:-/work/bench/province-m.db}
out=${OUT:-bench/out}; mkdir -p "$out"
. bench/harness.sh
bench_copy member-edit
bench_build member_edit
if [ -n "${CALLGRIND:-}" ]; then
	valgrind --tool=callgrind --toggle-collect=member_update --callgrind-out-file="$out/callgrind.member_edit" \
		"$out/member_edit" "$db" "$db.key" "${N:-200}" ${FIELD:-} 2>&1 | grep -E 'Collected|^member|WAL'
else
	"$out/member_edit" "$db" "$db.key" "${N:-200}" ${FIELD:-}
fi
