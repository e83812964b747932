#!/usr/bin/env bash
# deploy/cluster.sh — the high-availability setup on one machine, on loopback
# ports, from Debian's packages: a pg_auto_failover monitor, a primary and a
# synchronous secondary (postgresql-15-auto-failover), two dangjian servers
# on the same database, and nginx in front of them.  deploy/README.md says
# what each piece is and what three real machines change.
#
#   deploy/cluster.sh start          (make cluster)       bring it all up
#   deploy/cluster.sh stop           (make cluster-stop)  stop it all
#   deploy/cluster.sh status         the formation's state and the servers' health
#   deploy/cluster.sh kill-primary   SIGKILL the primary's postgres and keeper, as a dead machine
#   deploy/cluster.sh watch [SECONDS]  reads every 500 ms and writes every 200 ms through
#                                    nginx; at the end the outages and the writes lost
#
# Ports (CLUSTER_PORT, default 7400): +0 nginx, +1/+2 dangjian, +10 monitor,
# +11/+12 the two PostgreSQL nodes.  State lives in CLUSTER_DIR (default
# /tmp/dangjian-cluster); `stop` keeps it, `stop --wipe` removes it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$(realpath -m "${CLUSTER_DIR:-/tmp/dangjian-cluster}")
base=${CLUSTER_PORT:-7400}
web=$base app1=$((base + 1)) app2=$((base + 2)) mon=$((base + 10)) pg1=$((base + 11)) pg2=$((base + 12))
bin=${DJ_BIN:-$root/build/dangjian}
monitor_url="postgres://autoctl_node@127.0.0.1:$mon/pg_auto_failover?sslmode=disable"
# libpq tries both nodes and keeps the one that accepts writes: after a failover
# the servers find the new primary without being told.
db_url="postgresql://postgres@127.0.0.1:$pg1,127.0.0.1:$pg2/dangjian?target_session_attrs=read-write&connect_timeout=2"
primary_url="postgresql://postgres@127.0.0.1:$pg1,127.0.0.1:$pg2/postgres?target_session_attrs=read-write&connect_timeout=2"
export PATH="/usr/lib/postgresql/15/bin:$PATH"

say() { printf '== %s\n' "$*"; }
# pg_autoctl refuses to run as root: everything PostgreSQL runs as postgres.
as_pg() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- env PATH="$PATH" "$@"; else "$@"; fi
}
# Each node has its own configuration and state directories.
autoctl() {	# $1: node name, rest: pg_autoctl arguments
	local n=$1; shift
	as_pg env XDG_CONFIG_HOME="$dir/$n/config" XDG_DATA_HOME="$dir/$n/share" pg_autoctl "$@"
}
# A keeper runs in a process group of its own (pid = group id), with the
# postgres it starts: kill-primary ends the group at once, as a dead machine.
autoctl_bg() {	# $1: node name, $2: log, rest: pg_autoctl arguments
	local n=$1 log=$2; shift 2
	setsid bash -c "$(declare -f as_pg autoctl); dir='$dir'; PATH='$PATH'; autoctl \"\$@\"" _ "$n" "$@" >"$log" 2>&1 &
	echo $! > "$dir/$n.pid"
}
wait_for() {	# $1: seconds, rest: command that succeeds when ready
	local t=$(( $1 * 10 )); shift
	for _ in $(seq "$t"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
	return 1
}
state_of() {	# the node's reported state, from the monitor
	psql -Atq "postgresql://autoctl_node@127.0.0.1:$mon/pg_auto_failover" \
		-c "SELECT reportedstate FROM pgautofailover.node WHERE nodeport = $1" 2>/dev/null
}
is_state() { [ "$(state_of "$1")" = "$2" ]; }
# One node primary and the other secondary, each where the monitor wants it,
# and the primary taking writes: the pair is whole.  (The monitor keeps the
# states reported before a stop: they alone say nothing of a restart.)
has_pair() {
	local a b
	a=$(settled "$pg1") b=$(settled "$pg2")
	case "$a/$b" in primary/secondary | secondary/primary) ;; *) return 1 ;; esac
	psql -Atq "$primary_url" -c "SELECT 1" >/dev/null 2>&1
}
settled() {	# the node's state if it reached the one assigned
	psql -Atq "postgresql://autoctl_node@127.0.0.1:$mon/pg_auto_failover" \
		-c "SELECT reportedstate FROM pgautofailover.node WHERE nodeport = $1 AND reportedstate = goalstate
		    AND reportedpgisrunning" 2>/dev/null
}

# Every piece listens on loopback only (its pg_hba.conf lets only loopback
# in anyway): pg_autoctl starts postgres with -h from its configuration's
# listen_addresses, which --listen sets.  State made before that said '*':
# set it again before a restart.
loopback_only() {	# $1: node name
	[ -d "$dir/$1/data" ] || return 0
	autoctl "$1" config set --pgdata "$dir/$1/data" postgresql.listen_addresses 127.0.0.1 >/dev/null
}

start_node() {	# $1: name, $2: port
	mkdir -p "$dir/$1"
	[ "$(id -u)" = 0 ] && chown -R postgres "$dir"
	loopback_only "$1"
	autoctl_bg "$1" "$dir/$1.log" create postgres --pgdata "$dir/$1/data" --pgport "$2" --hostname 127.0.0.1 \
		--listen 127.0.0.1 --name "$1" --monitor "$monitor_url" --auth trust --no-ssl --dbname pgaf --run
}

# A start that fails stops what it started: nothing is left running.
fail() {	# $1: log to show
	tail -20 "$1"
	say "start failed: stopping what it started (state kept in $dir)"
	stop
	exit 1
}

# A piece of the cluster is running: its pid file names a live process.
running() {
	local f
	for f in "$dir"/*.pid; do
		[ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null && return 0
	done
	return 1
}

start() {
	# A second start would fail to bind every port yet overwrite the pid
	# files, and stop would then miss the processes that run.
	if running; then
		say "already running (make cluster-stop first to start it again)"
		status
		return 0
	fi
	command -v pg_autoctl >/dev/null || { say "installing postgresql-15-auto-failover"; apt-get install -y postgresql-15-auto-failover >/dev/null; }
	command -v nginx >/dev/null || { say "installing nginx"; apt-get install -y nginx-light >/dev/null; }
	[ -x "$bin" ] || make -C "$root" build/dangjian
	mkdir -p "$dir"
	[ "$(id -u)" = 0 ] && chown postgres "$dir"
	say "monitor on 127.0.0.1:$mon"
	mkdir -p "$dir/monitor"; [ "$(id -u)" = 0 ] && chown -R postgres "$dir/monitor"
	loopback_only monitor
	autoctl_bg monitor "$dir/monitor.log" create monitor --pgdata "$dir/monitor/data" --pgport "$mon" \
		--hostname 127.0.0.1 --listen 127.0.0.1 --auth trust --no-ssl --run
	wait_for 60 psql -Atq "postgresql://autoctl_node@127.0.0.1:$mon/pg_auto_failover" -c "SELECT 1" ||
		fail "$dir/monitor.log"
	if [ -d "$dir/node1/data" ] && [ -d "$dir/node2/data" ]; then
		# Again after a stop: either node may be the primary now (after a
		# failover node2 is, and node1 can only rejoin as its secondary), so
		# both keepers start together and the monitor sorts them out.
		say "node1 on 127.0.0.1:$pg1 and node2 on 127.0.0.1:$pg2 (as the monitor left them)"
		start_node node1 "$pg1"
		start_node node2 "$pg2"
		wait_for 180 has_pair || fail "$dir/node1.log"
	else
		say "primary node1 on 127.0.0.1:$pg1"
		start_node node1 "$pg1"
		wait_for 120 is_state "$pg1" single || fail "$dir/node1.log"
		say "secondary node2 on 127.0.0.1:$pg2 (pg_basebackup from node1)"
		start_node node2 "$pg2"
		# pg_basebackup waits for a spread checkpoint (minutes) unless the primary makes one now.
		for _ in $(seq 600); do
			is_state "$pg2" secondary && break
			psql -q "postgresql://postgres@127.0.0.1:$pg1/postgres" -c CHECKPOINT >/dev/null 2>&1 || true
			sleep 0.2
		done
		is_state "$pg2" secondary || fail "$dir/node2.log"
		wait_for 60 is_state "$pg1" primary || true
	fi
	# dangjian's own database (pg_autoctl's --dbname one carries pg_stat_statements' views).
	psql -q "$primary_url" -c "CREATE DATABASE dangjian" 2>/dev/null || true
	say "synchronous standby: $(psql -Atq "$primary_url" -c 'SHOW synchronous_standby_names')"
	# One key file for every server on the database (README: "the key file").
	if [ ! -f "$dir/dangjian.key" ]; then
		echo "${CLUSTER_PASSWORD:-Cluster-pass-1}" > "$dir/pw"
		say "demo data (generate --scale demo) on the primary"
		"$bin" generate --db "$db_url" --key "$dir/dangjian.key" --scale demo --password-file "$dir/pw" >"$dir/generate.log" ||
			fail "$dir/generate.log"
	fi
	for i in 1 2; do
		port=$((base + i))
		say "dangjian server $i on 127.0.0.1:$port"
		"$bin" serve --db "$db_url" --key "$dir/dangjian.key" --listen "127.0.0.1:$port" --quiet >"$dir/app$i.log" 2>&1 &
		echo $! > "$dir/app$i.pid"
	done
	wait_for 30 curl -sf "http://127.0.0.1:$app1/api/v1/health" || fail "$dir/app1.log"
	wait_for 30 curl -sf "http://127.0.0.1:$app2/api/v1/health" || fail "$dir/app2.log"
	sed -e "s|@DIR@|$dir|g" -e "s|@WEB@|$web|g" -e "s|@APP1@|$app1|g" -e "s|@APP2@|$app2|g" \
		"$root/deploy/nginx.conf.in" > "$dir/nginx.conf"
	nginx -c "$dir/nginx.conf" -p "$dir" || fail "$dir/nginx-error.log"
	wait_for 10 curl -sf "http://127.0.0.1:$web/api/v1/health" || fail "$dir/nginx-error.log"
	say "up: http://127.0.0.1:$web/  (admin / $(cat "$dir/pw" 2>/dev/null || echo 'the password given before'))"
	status
}

stop_pid() {	# $1: pid file
	[ -f "$1" ] || return 0
	local p; p=$(cat "$1")
	kill "$p" 2>/dev/null && for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	rm -f "$1"
}

stop() {
	stop_pid "$dir/watch.pid"
	[ -f "$dir/nginx.pid" ] && nginx -c "$dir/nginx.conf" -p "$dir" -s quit 2>/dev/null || true
	stop_pid "$dir/app1.pid"; stop_pid "$dir/app2.pid"
	for n in node2 node1 monitor; do
		[ -d "$dir/$n/data" ] && autoctl "$n" stop --pgdata "$dir/$n/data" >/dev/null 2>&1 || true
		stop_pid "$dir/$n.pid"
	done
	# A keeper killed by kill-primary leaves its postgres to us.
	for n in node1 node2 monitor; do
		[ -f "$dir/$n/data/postmaster.pid" ] && as_pg pg_ctl -D "$dir/$n/data" -m immediate stop >/dev/null 2>&1 || true
	done
	# The keepers' pid files live under /tmp/pg_autoctl/<PGDATA> (XDG_RUNTIME_DIR's
	# pg_autoctl otherwise); once they stopped, what is left there is stale.
	rm -rf "${XDG_RUNTIME_DIR:-/tmp}/pg_autoctl$dir" "/tmp/pg_autoctl$dir"
	if [ "${1:-}" = --wipe ]; then rm -rf "$dir"; say "stopped and removed $dir"; else say "stopped (state kept in $dir)"; fi
}

status() {
	autoctl monitor show state --pgdata "$dir/monitor/data" 2>/dev/null || say "monitor not running"
	for i in 1 2; do
		printf 'dangjian %d (127.0.0.1:%d): %s\n' "$i" $((base + i)) \
			"$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$((base + i))/api/v1/health" || true)"
	done
	printf 'nginx (127.0.0.1:%d): %s\n' "$web" "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$web/api/v1/health" || true)"
}

kill_primary() {
	local port n
	port=$(psql -Atq "postgresql://autoctl_node@127.0.0.1:$mon/pg_auto_failover" \
		-c "SELECT nodeport FROM pgautofailover.node WHERE reportedstate IN ('primary', 'single', 'wait_primary')" | head -1)
	[ -n "$port" ] || { say "no primary"; exit 1; }
	n=node$((port - base - 10))
	say "SIGKILL to $n (127.0.0.1:$port): its keeper and its postgres, as when its machine dies"
	kill -9 -- "-$(cat "$dir/$n.pid")" 2>/dev/null || true
	kill -9 "$(head -1 "$dir/$n/data/postmaster.pid")" 2>/dev/null || true
	rm -f "$dir/$n.pid"
	say "the monitor promotes the other node in about a minute (default timeouts); watch: deploy/cluster.sh watch"
}

# Reads, health checks and writes through nginx (deploy/watch.mjs): a line
# every half second; at the end (Ctrl-C, `stop`, or after SECONDS) the
# outage of reads and of writes and whether every acknowledged write is in
# the database.
watch_front() {	# [SECONDS]
	echo $$ > "$dir/watch.pid"
	exec node "$root/deploy/watch.mjs" "http://127.0.0.1:$web" "$dir/pw" "$db_url" ${1:+"$1"}
}

case "${1:-}" in
start) start ;;
stop) stop "${2:-}" ;;
status) status ;;
kill-primary) kill_primary ;;
watch) watch_front "${2:-}" ;;
*) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
