# bench/harness.sh — sourced by the benchmarks: a migrated copy of the
# province and a program of bench/ linked against the release objects (the
# in-process ones: compliance.sh, member_edit.sh, dues.sh), and a throwaway
# PostgreSQL (bulk.sh, generate.sh, mixed_cluster.sh).

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

# bench_pg_start [-c OPTION ...]: a throwaway PostgreSQL on a loopback port,
# durable as a production server would be (fsync on); sets DJ_PG_ROOT (its
# postgres database), PGDIR and PG_STOP (the caller's cleanup runs both).
bench_pg_start() {
	local bindir port run=()
	bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
	PGDIR=$(mktemp -d /tmp/dj-bench-pg-XXXXXX); port=$(( (RANDOM % 2000) + 53000 ))
	if [ "$(id -u)" = 0 ]; then chown postgres "$PGDIR"; run=(runuser -u postgres --); fi
	"${run[@]}" "$bindir/initdb" -D "$PGDIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
	"${run[@]}" "$bindir/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w \
		-o "-p $port -k $PGDIR -c listen_addresses=127.0.0.1 $*" start >/dev/null
	PG_STOP=("${run[@]}" "$bindir/pg_ctl" -D "$PGDIR/data" -m fast stop)
	DJ_PG_ROOT="postgresql://postgres@127.0.0.1:$port/postgres"
}
