#!/usr/bin/env bash
# bench/attach_move.sh — `dangjian attach-move` (a directory store's files
# into PostgreSQL, in one transaction) against two references measured in the
# same run on the same files:
#   (a) SQLite's own path: what uploads write there, the file by its SHA-256
#       in the directory (fsynced) plus its attachment row (bench/attach_store.c,
#       all in one transaction);
#   (b) a plain COPY of the same bytes with psql: the distinct files' bytes in
#       attach_blob's 256 KB chunks, COPY … FORMAT binary into a table shaped
#       as attach_blob (the floor for any way of loading them).
# The files: N (default 2000) photos and PDFs of 20 KB to 3 MB (most a few
# hundred KB; SEED, default 1), one in ten a copy of an earlier one (the store
# keeps the same bytes once).  The directory (a)'s run wrote is what
# attach-move then moves, with its rows copied into the PostgreSQL database.
# CPU is this machine's measure (it is shared): the client's user+system time
# plus, on PostgreSQL, its server's (the postmaster's reaped backends and its
# live processes, from /proc: the throwaway server started here, autovacuum
# off, a CHECKPOINT before each run).  Rates are per CPU second and per wall
# second; the ratios are PostgreSQL / SQLite on CPU.  BIN: the dangjian to
# measure; BEFORE: another one (an older build) measured after it in the same
# run on the same files (attach_blob emptied in between).  Asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/harness.sh
n=${N:-2000}
seed=${SEED:-1}
bin=${BIN:-build/dangjian}
out=${OUT:-bench/out/attach_move}
rm -rf "$out"; mkdir -p "$out"
cleanup() {
	[ -n "${PG_STOP:-}" ] && "${PG_STOP[@]}" >/dev/null 2>&1
	[ -n "${PGDIR:-}" ] && rm -rf "$PGDIR"
	true
}
trap cleanup EXIT
bench_build attach_store
bench_pg_start -c autovacuum=off
pgurl="${DJ_PG_ROOT%/*}/dj_attach_move"
psql "$DJ_PG_ROOT" -qc "CREATE DATABASE dj_attach_move"

# The files, their list for (a), and (b)'s COPY file of the distinct ones.
python3 - "$out" "$n" "$seed" <<'PY'
import hashlib, random, struct, sys
out, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
import os
os.makedirs(f'{out}/src')
rnd = random.Random(seed)
CHUNK = 256 * 1024
made, seen = [], set()
with open(f'{out}/list', 'w') as lst, open(f'{out}/blobs.copy', 'wb') as cp:
    cp.write(b'PGCOPY\n\xff\r\n\0' + struct.pack('>ii', 0, 0))
    for i in range(n):
        if made and rnd.random() < 0.1:
            data, ext = rnd.choice(made)
        else:
            # 20 KB to 3 MB, most of them a few hundred KB (phone photos, scans).
            size = int(20e3 * 150 ** (rnd.random() ** 2.2))
            ext = 'pdf' if rnd.random() < 0.15 else 'jpg'
            head = b'%PDF-1.4\n' if ext == 'pdf' else b'\xff\xd8\xff\xe0\0\x10JFIF\0'
            data = head + rnd.randbytes(size - len(head))
            made.append((data, ext))
        path = f'{out}/src/{i:05d}.{ext}'
        with open(path, 'wb') as f:
            f.write(data)
        lst.write(f'{path}\t现场照片{i:05d}.{ext}\n')
        h = hashlib.sha256(data).hexdigest()
        if h in seen:
            continue
        seen.add(h)
        for seq, off in enumerate(range(0, len(data), CHUNK)):
            c = data[off:off + CHUNK]
            cp.write(struct.pack('>hi', 3, 64) + h.encode() + struct.pack('>iq', 8, seq) + struct.pack('>i', len(c)) + c)
    cp.write(struct.pack('>h', -1))
PY
files=$(wc -l < "$out/list")
bytes=$(cat "$out"/src/* | wc -c)

tck=$(getconf CLK_TCK)
# The PostgreSQL server's CPU so far (s): the postmaster with the backends it
# reaped, and its live processes.
pg_cpu() {
	local pm t=0 p
	pm=$(head -1 "$PGDIR/data/postmaster.pid")
	t=$(awk '{print $14 + $15 + $16 + $17}' "/proc/$pm/stat")
	for p in $(ps -o pid= --ppid "$pm"); do
		[ -r "/proc/$p/stat" ] && t=$(( t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0) ))
	done
	echo "scale=3; $t / $tck" | bc
}
# run NAME CMD…: the client's CPU and wall (s) and the server's CPU, in C_, W_, S_.
declare -A C W S
run() {
	local name=$1 s0; shift
	psql "$pgurl" -qXc CHECKPOINT; sync
	s0=$(pg_cpu)
	/usr/bin/time -o "$out/time-$name" -f '%e %U %S' "$@" > "$out/out-$name" 2>&1 || { cat "$out/out-$name"; exit 1; }
	sleep 0.5	# the backend ends after its client
	read -r w u s < "$out/time-$name"
	W[$name]=$w; C[$name]=$(echo "$u + $s" | bc); S[$name]=$(echo "$(pg_cpu) - $s0" | bc)
}

# (a) SQLite: the schema, then the uploads' writes, timed inside the process.
$bin init --db "$out/store.db" --key "$out/store.db.key" >/dev/null
sync
read -r _ _ cpu wall < <("$out/attach_store" "$out/store.db" "$out/store.db.key" "$out/store.files" "$out/list")
C[sqlite]=$(echo "scale=3; $cpu / 1000" | bc); W[sqlite]=$(echo "scale=3; $wall / 1000" | bc); S[sqlite]=0
blobs=$(find "$out/store.files" -type f | wc -l)
moved=$(cat $(find "$out/store.files" -type f) | wc -c)

# The PostgreSQL deployment as it was before its files moved in: the rows,
# the bytes in the directory (a) wrote.
$bin init --db "$pgurl" --key "$out/pg.key" >/dev/null
sqlite3 -csv "$out/store.db" "SELECT entity, entity_id, sha256, size, mime, filename, user_id, created_at FROM attachment" |
	psql "$pgurl" -qXc "\\copy attachment(entity, entity_id, sha256, size, mime, filename, user_id, created_at) FROM STDIN (FORMAT csv)"
psql "$pgurl" -qXc "CREATE TABLE copy_blob (sha256 TEXT NOT NULL, seq BIGINT NOT NULL, data BYTEA NOT NULL, PRIMARY KEY (sha256, seq))"

# (b) the plain COPY, one transaction as \copy runs it.
run copy psql "$pgurl" -qXc "\\copy copy_blob FROM '$out/blobs.copy' WITH (FORMAT binary)"
# attach-move (and the one BEFORE names).
run move $bin attach-move --db "$pgurl" --key "$out/pg.key" --dir "$out/store.files"
grep -q "moved $blobs attachment files" "$out/out-move" || { echo "attach-move: $(cat "$out/out-move")"; exit 1; }
same=$(psql "$pgurl" -XAtc "SELECT count(*) FROM (SELECT * FROM attach_blob EXCEPT SELECT * FROM copy_blob) d")
kinds="sqlite copy move"
if [ -n "${BEFORE:-}" ]; then
	psql "$pgurl" -qXc "TRUNCATE attach_blob"
	run before "$BEFORE" attach-move --db "$pgurl" --key "$out/pg.key" --dir "$out/store.files"
	kinds="$kinds before"
fi

mb() { echo "scale=1; $1 / 1048576" | bc; }
rate() { [ "$(echo "$2 > 0" | bc)" = 1 ] && echo "scale=0; $1 / $2" | bc || echo -; }
echo "attach-move: $files attachments ($(mb "$bytes") MB), $blobs distinct files ($(mb "$moved") MB) moved;" \
	"$(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg) (one run, all on this machine)"
[ "$same" = 0 ] || echo "  !! attach_blob and the COPY's table differ in $same chunks"
printf '%-38s %8s %8s %8s %9s %9s %8s %8s\n' "" "cpu s" "server" "wall s" "files/cpu" "MB/cpu s" "files/s" "MB/s"
for k in $kinds; do
	case $k in
	sqlite) label="(a) SQLite: file + row (attach_store)" ;;
	copy) label="(b) psql COPY binary into bytea" ;;
	move) label="attach-move into PostgreSQL" ;;
	before) label="  the same, BEFORE's build" ;;
	esac
	tot=$(echo "${C[$k]} + ${S[$k]}" | bc)
	printf '%-38s %8.2f %8.2f %8.2f %9s %9s %8s %8s\n' "$label" "${C[$k]}" "${S[$k]}" "${W[$k]}" \
		"$(rate "$files" "$tot")" "$(rate "$(mb "$moved")" "$tot")" "$(rate "$files" "${W[$k]}")" "$(rate "$(mb "$moved")" "${W[$k]}")"
done
ratio() { echo "scale=2; ($1) / ($2)" | bc; }
echo "ratios on CPU (client + server): attach-move / SQLite $(ratio "${C[move]} + ${S[move]}" "${C[sqlite]}")x," \
	"attach-move / COPY $(ratio "${C[move]} + ${S[move]}" "${C[copy]} + ${S[copy]}")x," \
	"COPY / SQLite $(ratio "${C[copy]} + ${S[copy]}" "${C[sqlite]}")x;" \
	"on wall: attach-move / SQLite $(ratio "${W[move]}" "${W[sqlite]}")x, attach-move / COPY $(ratio "${W[move]}" "${W[copy]}")x"
[ -n "${BEFORE:-}" ] && echo "BEFORE's build on CPU: / SQLite $(ratio "${C[before]} + ${S[before]}" "${C[sqlite]}")x," \
	"/ COPY $(ratio "${C[before]} + ${S[before]}" "${C[copy]} + ${S[copy]}")x; this build / BEFORE's" \
	"$(ratio "${C[move]} + ${S[move]}" "${C[before]} + ${S[before]}")x on CPU, $(ratio "${W[move]}" "${W[before]}")x on wall"
true
