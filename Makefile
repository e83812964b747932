# dangjian — build, run, test.  `make run` and `make test` are the two
# commands the README starts with; both install what is missing first.

PKGS    := libmicrohttpd jansson sqlite3 libpq libsodium xlsxwriter libzip libxml-2.0 libqrencode icu-uc icu-i18n freexl libcurl
CC      ?= cc
WARN    := -std=c17 -Wall -Wextra -Werror -Wno-unused-parameter -D_GNU_SOURCE
INC     := -Isrc -Ibuild $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LIBS    := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcsv -lpthread -lm
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

SRC     := $(sort $(wildcard src/*/*.c))
LIB_SRC := $(filter-out src/cli/main.c,$(SRC))
HDR     := $(wildcard src/*/*.h)
WEB_SRC := $(shell find web/src -type f 2>/dev/null) web/index.html web/vite.config.js web/package.json

DB      ?= demo.db
LISTEN  ?= 127.0.0.1:8080

.PHONY: all run test test-dates deps web clean bench unit fuzz cluster cluster-stop

all: build/dangjian

deps:
	@scripts/deps.sh

# --- web UI: built once with Vite, embedded as a C array -------------------
web/dist/index.html: $(WEB_SRC)
	cd web && npm run build --silent

build/assets.c: web/dist/index.html scripts/embed.mjs
	@mkdir -p build
	node scripts/embed.mjs web/dist build/assets.c

# --- release binary ----------------------------------------------------------
build/rel/%.o: %.c $(HDR)
	@mkdir -p $(dir $@)
	@echo "CC  $<"; $(CC) $(WARN) -O2 -g $(INC) -c $< -o $@

build/dangjian: $(SRC:%.c=build/rel/%.o) build/rel/build/assets.o
	$(CC) -o $@ $^ $(LIBS)

# --- sanitized build for tests ----------------------------------------------
# The sanitized build is the test build: DJ_TEST_HOOKS compiles in the fault
# hooks the tests use (a server that dies between commit and answer).
build/san/%.o: %.c $(HDR)
	@mkdir -p $(dir $@)
	@echo "CC  $< (sanitized)"; $(CC) $(WARN) -O1 -g $(SAN) -DDJ_TEST_HOOKS $(INC) -c $< -o $@

build/dangjian-san: $(SRC:%.c=build/san/%.o) build/san/build/assets.o
	$(CC) $(SAN) -o $@ $^ $(LIBS)

UNIT_TESTS := $(patsubst tests/unit/test_%.c,build/test_%,$(wildcard tests/unit/test_*.c))
build/test_%: tests/unit/test_%.c tests/unit/unit_db.c $(LIB_SRC:%.c=build/san/%.o) build/san/build/assets.o
	$(CC) $(WARN) -O1 -g $(SAN) $(INC) -o $@ $^ $(LIBS) -lcmocka

unit: $(UNIT_TESTS)

# deps runs before the build is planned: pkg-config and the libraries it
# reports may be what it installs, so the build is a second make.
run:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory -j2 build/dangjian
	@scripts/demo.sh $(DB) $(LISTEN)

# make test TODAY=2028-02-29 runs the suite as if it were that day;
# SUITES="api-sqlite browser" runs a part of it.
test:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory -j2 build/dangjian build/dangjian-san unit
	@TODAY="$(TODAY)" SUITES="$(SUITES)" tests/run.sh

# The date-sensitive part on the five dates of issue 9 (the whole suite runs
# on the real date in make test).
test-dates:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory -j2 build/dangjian build/dangjian-san unit
	@tests/dates.sh

bench:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory -j2 build/dangjian
	@bench/run.sh

# The high-availability setup on this machine (deploy/README.md): a
# pg_auto_failover monitor, primary and synchronous secondary, two servers,
# nginx in front on 127.0.0.1:7400.
cluster:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory -j2 build/dangjian
	@deploy/cluster.sh start

cluster-stop:
	@deploy/cluster.sh stop

# libFuzzer harnesses (fuzz/), bounded in runs and time; not part of `make test`.
fuzz:
	@scripts/fuzz.sh

clean:
	rm -rf build web/dist
