#!/usr/bin/env bash
# bench/dues.sh — the monthly 党费 sheet of the whole province tree, computed
# (issue 11 aims at < 200 ms), and its arrears, on a copy of a generated
# province (/work/bench/province.db by default, or PROVINCE=path with
# path.key beside it): `dangjian init --migrate` adds the dues tables, then
# bench/dues_sheet.c runs the dues generator step once and times the sheet.
# Prints figures; asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
src=${PROVINCE:-/work/bench/province.db}
today=${TODAY:-2026-11-30}
out=bench/out; mkdir -p "$out"
. bench/harness.sh
bench_copy dues
bench_build dues_sheet
"$out/dues_sheet" "$db" "$db.key" "$today" "${RUNS:-10}"
