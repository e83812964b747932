#!/usr/bin/env bash
# fuzz.sh — `make fuzz`: build the libFuzzer harnesses in fuzz/ with clang
# (ASan + UBSan) against the library sources and run each for a bounded
# number of executions and time; not part of `make test`.  Prints the
# executions and crashes per harness and exits non-zero on any crash.
# FUZZ_RUNS (default 2,000,000 a harness) and FUZZ_BUDGET (seconds for all,
# default 840) bound it; time a fast harness leaves goes to the next ones.
set -euo pipefail
cd "$(dirname "$0")/.."

# clang-14 only recommends its runtime, where libFuzzer and the sanitizers live.
missing=()
for p in clang libclang-rt-14-dev pkg-config libzip-dev libxml2-dev libcsv-dev libjansson-dev libfreexl-dev; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "fuzz: installing ${missing[*]}"
	SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq
	$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

out=build/fuzz
mkdir -p "$out/obj"
PKGS="libzip libxml-2.0 jansson freexl"
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
CFLAGS="-std=c17 -g -O1 -D_GNU_SOURCE -Isrc $(pkg-config --cflags $PKGS) $SAN"
LIBS="$(pkg-config --libs $PKGS) -lcsv"
# The library code the harnesses reach, instrumented for coverage.
LIB_SRC="src/io/xlsx_read.c src/io/xls_read.c src/io/csv_read.c src/http/decode.c src/core/mem.c src/core/err.c src/core/valid.c src/core/date.c"
objs=()
for s in $LIB_SRC; do
	o="$out/obj/$(basename "${s%.c}").o"
	if [ ! -f "$o" ] || [ "$s" -nt "$o" ] || [ -n "$(find src -name '*.h' -newer "$o" -print -quit)" ]; then
		clang $CFLAGS -fsanitize=fuzzer-no-link -c "$s" -o "$o"
	fi
	objs+=("$o")
done

# Fast harnesses first: what they leave of the budget goes to the slow ones.
harnesses=(query json_body csv xls xlsx)
for h in "${harnesses[@]}"; do
	clang $CFLAGS -fsanitize=fuzzer "fuzz/fuzz_$h.c" "${objs[@]}" $LIBS -o "$out/fuzz_$h"
done

RUNS=${FUZZ_RUNS:-2000000}
left=${FUZZ_BUDGET:-840}
export ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
summary=(); crashed=0; n=${#harnesses[@]}
for h in "${harnesses[@]}"; do
	secs=$(( left / n )); n=$((n - 1))
	work="$out/corpus/$h"; mkdir -p "$work" "$out/crashes"
	dict=(); [ -f "fuzz/$h.dict" ] && dict=(-dict="fuzz/$h.dict")
	start=$(date +%s)
	echo "== fuzz_$h: up to $RUNS runs or $secs s"
	set +e
	"$out/fuzz_$h" "$work" "fuzz/corpus/$h" "${dict[@]}" -runs="$RUNS" -max_total_time="$secs" \
		-timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 -max_len=65536 -print_final_stats=1 \
		-artifact_prefix="$out/crashes/$h-" > "$out/$h.log" 2>&1
	rc=$?
	set -e
	left=$(( left - ($(date +%s) - start) )); [ "$left" -gt 0 ] || left=0
	execs=$(grep -oE 'stat::number_of_executed_units: [0-9]+' "$out/$h.log" | awk '{print $2}' | tail -1)
	if [ $rc -ne 0 ]; then
		crashed=$((crashed + 1))
		grep -E 'ERROR|runtime error|SUMMARY|Test unit written' "$out/$h.log" | head -8
	fi
	summary+=("$(printf '%-10s %10s executions  %s' "$h" "${execs:-?}" "$([ $rc -eq 0 ] && echo '0 crashes' || echo "CRASH (log: $out/$h.log)")")")
done
echo
printf '%s\n' "${summary[@]}"
[ "$crashed" -eq 0 ]
