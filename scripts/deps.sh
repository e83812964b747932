#!/usr/bin/env bash
# deps.sh — install what a fresh Debian 12 machine lacks to build, run and
# test dangjian: the C libraries, PostgreSQL (tests), Chromium (browser
# tests), nginx and wrk (benchmarks), and the npm packages of the UI.
set -euo pipefail
cd "$(dirname "$0")/.."

pkgs=(build-essential pkg-config make
      libmicrohttpd-dev libjansson-dev libsqlite3-dev libpq-dev libsodium-dev libxlsxwriter-dev
      libzip-dev libxml2-dev libfreexl-dev libcsv-dev libqrencode-dev libicu-dev libcmocka-dev libcurl4-openssl-dev
      postgresql chromium fonts-noto-cjk nginx-light wrk nodejs npm sqlite3 ca-certificates)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# nodejs/npm may come from elsewhere than Debian; a working node is enough.
if command -v node >/dev/null && command -v npm >/dev/null; then
	missing=("${missing[@]/nodejs}"); missing=("${missing[@]/npm}")
fi
# nginx-light and nginx are interchangeable for the benchmark.
if command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; then missing=("${missing[@]/nginx-light}"); fi
read -r -a missing <<< "${missing[*]}"
if [ ${#missing[@]} -gt 0 ]; then
	echo "deps: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
	$SUDO apt-get update -qq
	$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -d web/node_modules ] || [ web/package.json -nt web/node_modules ]; then
	echo "deps: npm install (web)"
	(cd web && npm install --no-audit --no-fund --loglevel=error)
	touch web/node_modules
fi
if [ ! -d node_modules/playwright-core ] || [ package.json -nt node_modules ]; then
	echo "deps: npm install (tests)"
	npm install --no-audit --no-fund --loglevel=error
	touch node_modules
fi
