#!/usr/bin/env bash
# bench/compliance.sh — the 三会一课 compliance grid of the whole province
# tree over 12 months, computed (issue 10 aims at < 100 ms), and of a few
# smaller scopes, on a copy of a migrated province (PROVINCE=path with
# path.key beside it; /work/bench/province-m.db by default): CPU time of
# life_compliance in one process; the answers land in OUT (bench/out) as
# compliance-<org>.json to compare two builds.  CALLGRIND=1 counts the
# instructions of life_compliance instead.  Prints figures; asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
src=${PROVINCE:-/work/bench/province-m.db}
out=${OUT:-bench/out}; mkdir -p "$out"
. bench/harness.sh
bench_copy compliance
bench_build compliance
# The root, two of its children (the largest subtrees), a committee and a branch.
orgs=$(sqlite3 "$db" "SELECT min(id) FROM org WHERE parent_id IS NULL;
	SELECT id FROM org o WHERE parent_id = (SELECT min(id) FROM org WHERE parent_id IS NULL) ORDER BY (SELECT count(*) FROM org c WHERE c.parent_id = o.id) DESC, id LIMIT 2;
	SELECT min(id) FROM org WHERE kind = 'committee' AND parent_id IS NOT NULL;
	SELECT min(id) FROM org WHERE kind = 'branch'" | tr '\n' ' ')
from=${FROM:-2025-12}; to=${TO:-2026-11}
if [ -n "${CALLGRIND:-}" ]; then
	valgrind --tool=callgrind --toggle-collect=life_compliance --callgrind-out-file="$out/callgrind.compliance" \
		"$out/compliance" "$db" "$db.key" "$from" "$to" "$out" 1 $orgs 2>&1 | grep -E 'Collected|^compliance'
else
	"$out/compliance" "$db" "$db.key" "$from" "$to" "$out" "${RUNS:-10}" $orgs
fi
