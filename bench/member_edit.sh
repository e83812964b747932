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
db="$out/member-edit-province.db"
if [ ! -f "$db" ] || [ -n "${FRESH:-}" ]; then
	rm -f "$db" "$db-wal" "$db-shm"
	cp "$src" "$db"; cp "$src.key" "$db.key"
	build/dangjian init --db "$db" --key "$db.key" --migrate
fi
PKGS="libmicrohttpd jansson sqlite3 libpq libsodium xlsxwriter libzip libxml-2.0 libqrencode icu-uc icu-i18n freexl libcurl"
objs=$(ls build/rel/src/*/*.o | grep -v 'src/cli/main.o')
cc -std=c17 -O2 -g -D_GNU_SOURCE -Isrc -Ibuild $(pkg-config --cflags $PKGS) -o "$out/member_edit" bench/member_edit.c \
	$objs build/rel/build/assets.o $(pkg-config --libs $PKGS) -lcsv -lpthread -lm
if [ -n "${CALLGRIND:-}" ]; then
	valgrind --tool=callgrind --toggle-collect=member_update --callgrind-out-file="$out/callgrind.member_edit" \
		"$out/member_edit" "$db" "$db.key" "${N:-200}" ${FIELD:-} 2>&1 | grep -E 'Collected|^member|WAL'
else
	"$out/member_edit" "$db" "$db.key" "${N:-200}" ${FIELD:-}
fi
