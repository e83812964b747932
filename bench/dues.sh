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
db="$out/dues-province.db"
if [ ! -f "$db" ] || [ -n "${FRESH:-}" ]; then
	rm -f "$db" "$db-wal" "$db-shm"
	cp "$src" "$db"; cp "$src.key" "$db.key"
	build/dangjian init --db "$db" --key "$db.key" --migrate
fi
PKGS="libmicrohttpd jansson sqlite3 libpq libsodium xlsxwriter libzip libxml-2.0 libqrencode icu-uc icu-i18n freexl libcurl"
objs=$(ls build/rel/src/*/*.o | grep -v 'src/cli/main.o')
cc -std=c17 -O2 -D_GNU_SOURCE -Isrc -Ibuild $(pkg-config --cflags $PKGS) -o "$out/dues_sheet" bench/dues_sheet.c \
	$objs build/rel/build/assets.o $(pkg-config --libs $PKGS) -lcsv -lpthread -lm
"$out/dues_sheet" "$db" "$db.key" "$today" "${RUNS:-10}"
