#!/usr/bin/env bash
# demo.sh DB LISTEN — create the demo database once, print its logins, serve it.
set -euo pipefail
cd "$(dirname "$0")/.."
db=${1:-demo.db}
listen=${2:-127.0.0.1:8080}
if [ ! -f "$db" ]; then
	build/dangjian generate --db "$db" --scale demo | tee "$db.logins.txt"
else
	echo "using the existing $db (delete it for a fresh demo); logins:"
	cat "$db.logins.txt" 2>/dev/null | grep -A6 '^accounts' || true
	# A demo made by an older build gets the newer schema steps.
	build/dangjian init --db "$db" --migrate
fi
exec build/dangjian serve --db "$db" --listen "$listen"
