# bench/harness.sh — sourced by the in-process benchmarks (compliance.sh,
# member_edit.sh, dues.sh): a migrated copy of the province, and a program of
# bench/ linked against the release objects.

# bench_copy NAME: $out/NAME-province.db, copied from $src (with its key)
# and migrated, once (again with FRESH=1); sets db.
bench_copy() {
	db="$out/$1-province.db"
	if [ ! -f "$db" ] || [ -n "${FRESH:-}" ]; then
		rm -f "$db" "$db-wal" "$db-shm"
		cp "$src" "$db"; cp "$src.key" "$db.key"
		build/dangjian init --db "$db" --key "$db.key" --migrate
	fi
}

# bench_build PROGRAM: bench/PROGRAM.c into $out/PROGRAM.
bench_build() {
	local pkgs="libmicrohttpd jansson sqlite3 libpq libsodium xlsxwriter libzip libxml-2.0 libqrencode icu-uc icu-i18n freexl libcurl"
	local objs
	objs=$(ls build/rel/src/*/*.o | grep -v 'src/cli/main.o')
	# shellcheck disable=SC2086
	cc -std=c17 -O2 -g -D_GNU_SOURCE -Isrc -Ibuild -Ibench $(pkg-config --cflags $pkgs) -o "$out/$1" "bench/$1.c" \
		$objs build/rel/build/assets.o $(pkg-config --libs $pkgs) -lcsv -lpthread -lm
}
