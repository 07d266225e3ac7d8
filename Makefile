# kiln — one Makefile for everything.
#   make             bin/kiln-build and bin/kiln-edge (optimised)
#   make demo        installs what building and serving need (deps-build), builds
#                    site-example/ into dist/ and serves it at DEMO_LISTEN
#                    (127.0.0.1:8080) in the foreground
#   make test        installs what the tests need (deps), then the sanitizer build
#                    (ASan+UBSan), every test and the format check
#   make tsan        installs as make test does, then the edge's e2e tests against
#                    kiln-edge under ThreadSanitizer (reload, TLS tickets, /metrics)
#   make deps-build  the Debian packages building and serving need: a compiler,
#                    pkg-config and the -dev libraries
#   make deps        deps-build plus the test tools (chromium, varnish, nodejs,
#                    npm, clang-format, ...)
#   make fuzz        libFuzzer targets (clang), FUZZ_SECONDS each
#   make bench       benchmarks against peers (downloads inputs at run time)
#   make soak        the soak and fault campaign (tests/soak/run.sh; SOAK_MINUTES,
#                    30 by default, SOAK_PHASES, SOAK_FUZZ_SECONDS): not part of
#                    make test; its figures go into docs/reliability.md
#   make frameworks  installs as make test does, then only tests/frameworks/ (also
#                    part of make test): VitePress, Astro, Vite + React and Vite
#                    sites built from npm, through kiln-build, in Chromium
#   make deb         installs dpkg-dev, pandoc and lintian (deb-deps), then
#                    build/deb/kiln_<version>_amd64.deb: both programs built
#                    with dpkg-buildflags' hardening flags, the systemd unit,
#                    /etc/kiln/kiln-edge.conf, the man pages (docs/packaging.md)
#   make deb-test    the package installed into a freshly debootstrapped
#                    Debian 12, serving a release as its service user
#                    (tests/package/run.sh; a few minutes, not in make test)
#   tests/fresh/run.sh  the README's make demo and make test on a freshly
#                    debootstrapped Debian 12 (run by .ci/run)
#
# Installing and building are two makes. make reads the whole Makefile, and so
# runs pkg-config for PKG_CFLAGS and PKG_LIBS, before any recipe runs: on a
# fresh machine that is before deps has installed the -dev packages, and the
# link fails. So each target that installs (demo, test, tsan, fuzz, bench) runs
# its deps target, then a sub-make of its *-run twin, which reads the Makefile
# again with every package in place. (Lazily expanded flags would see the
# libraries too, but would not order the install before the compiles under -j,
# nor before check-format's clang-format.) The *-run targets skip the install.

CC      ?= cc
PKGS    := libbrotlienc libbrotlidec libzstd libdeflate jansson libuv libnghttp2
WARN    := -std=c17 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wformat=2 -Wvla
CPPFLAGS := -I. -D_GNU_SOURCE -MMD -MP
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# mbedTLS 2.28 in Debian 12 ships no .pc files.
MBED_LIBS  := $(shell pkg-config --libs mbedtls mbedx509 mbedcrypto 2>/dev/null || \
                echo -lmbedtls -lmbedx509 -lmbedcrypto)
LIBS    := $(PKG_LIBS) $(MBED_LIBS) -lpthread -lm

REL_CFLAGS  := $(WARN) -O2 -g $(PKG_CFLAGS)
ASAN_CFLAGS := $(WARN) -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
               -fno-sanitize-recover=undefined $(PKG_CFLAGS)
ASAN_LDFLAGS := -fsanitize=address,undefined

COMMON_SRC  := $(sort $(wildcard common/*.c))
# sw-template/*.js are compiled into kiln-build as byte arrays (builder/sw.h).
GEN_SRC     := build/gen/sw_template.c build/gen/lower_runtime.c build/gen/lower_polyfills.c
BUILDER_SRC := $(sort $(filter-out builder/main.c,$(wildcard builder/*.c builder/*/*.c))) $(GEN_SRC)
EDGE_SRC    := $(sort $(filter-out edge/main.c,$(wildcard edge/*.c)))
LIB_SRC     := $(COMMON_SRC) $(BUILDER_SRC) $(EDGE_SRC)
UNIT_SRC    := $(sort $(wildcard tests/unit/test_*.c))
FUZZ_SRC    := $(sort $(wildcard tests/fuzz/fuzz_*.c))
ALL_C_H     := $(sort $(wildcard common/*.[ch] builder/*.[ch] builder/*/*.[ch] edge/*.[ch] tools/*.c \
                 tests/*.h tests/unit/*.[ch] tests/fuzz/*.[ch] tests/js262/*.[ch] \
                 tests/tsan/*.[ch]))

REL_OBJ  := $(LIB_SRC:%.c=build/rel/%.o)
ASAN_OBJ := $(LIB_SRC:%.c=build/asan/%.o)
# Each program links only its own folder and common/ (tests link everything).
BUILD_REL_OBJ  := $(COMMON_SRC:%.c=build/rel/%.o) $(BUILDER_SRC:%.c=build/rel/%.o)
BUILD_ASAN_OBJ := $(COMMON_SRC:%.c=build/asan/%.o) $(BUILDER_SRC:%.c=build/asan/%.o)
EDGE_REL_OBJ   := $(COMMON_SRC:%.c=build/rel/%.o) $(EDGE_SRC:%.c=build/rel/%.o)
EDGE_ASAN_OBJ  := $(COMMON_SRC:%.c=build/asan/%.o) $(EDGE_SRC:%.c=build/asan/%.o)
UNIT_BIN := $(UNIT_SRC:%.c=build/asan/%)
REPLAY_BIN := $(FUZZ_SRC:%.c=build/asan/%-replay)
# The ECMAScript conformance driver (tests/js262/): inputs come from npm.
JS262_BIN := build/asan/tests/js262/runner
JS262_DIR := tests/js262/node_modules/test262-parser-tests
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)

# What building and serving need (make demo), nothing more.
BUILD_PKGS := build-essential pkg-config libbrotli-dev libzstd-dev libdeflate-dev \
              libjansson-dev libmbedtls-dev libuv1-dev libnghttp2-dev
# What the tests add (make test): tools that check the variants independently,
# the TLS certificates, the real cache in front of the edge, nginx serving a
# release as www-data (test_permissions.py), the format check, HTTP/2 clients
# (nghttp2-client's nghttp and h2load; python3-h2 for raw frames), and
# duktape, the ES5 engine the legacy twins and the polyfills must run in.
TEST_PKGS := brotli zstd libdeflate-tools python3 python3-h2 clang-format time curl \
             nghttp2-client openssl varnish varnish-modules nginx duktape
# The browser tests: Debian's chromium driven by playwright-core from npm
# (tests/browser/package-lock.json; never a downloaded browser).
# nodejs and npm are installed only when the commands are missing: a node from
# another source (NodeSource's bundles npm) conflicts with Debian's npm.
BROWSER_PKGS := chromium libnss3-tools
NODE_PKGS := nodejs npm
FUZZ_PKGS := clang libclang-rt-14-dev
# make deb: dpkg-buildflags, dpkg-shlibdeps, dpkg-gencontrol and dpkg-deb
# (dpkg-dev), the man pages (pandoc), the package's check (lintian).
DEB_PKGS := dpkg-dev pandoc lintian
# make deb-test: the fresh chroot (debootstrap), GET from outside (curl), the
# loopback of the test's own network namespace (iproute2's ip), the system
# calls kiln-edge makes (strace), the chroot booted with systemd as PID 1
# (systemd-container's systemd-nspawn), a throwaway certificate (openssl).
DEB_TEST_PKGS := debootstrap curl iproute2 strace systemd-container openssl
BENCH_PKGS := nginx libnginx-mod-http-brotli-static wrk curl openssl h2o nghttp2-client
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
FUZZ_SECONDS ?= 60
# The soak (tests/soak/): the load tools, the TLS test certificates (openssl),
# /usr/bin/time for the fuzz ledger, setpriv (util-linux) for the unreadable-file
# fault, and the fuzz and TSan builds' compilers.
SOAK_PKGS := python3 python3-h2 nghttp2-client wrk curl openssl time util-linux procps \
             $(FUZZ_PKGS)

.SECONDARY:
.PHONY: all test test-run unit demo demo-run tsan tsan-run deps deps-build browser-deps \
        fuzz-deps bench-deps fuzz fuzz-run check-format format bench bench-run clean \
        frameworks frameworks-run deb deb-run deb-deps deb-test soak soak-deps soak-run
all: bin/kiln-build bin/kiln-edge

bin/kiln-build: build/rel/builder/main.o $(BUILD_REL_OBJ)
	@mkdir -p $(@D)
	$(CC) -o $@ $^ $(LIBS)

build/asan/bin/kiln-build: build/asan/builder/main.o $(BUILD_ASAN_OBJ)
	@mkdir -p $(@D)
	$(CC) $(ASAN_LDFLAGS) -o $@ $^ $(LIBS)

bin/kiln-edge: build/rel/edge/main.o $(EDGE_REL_OBJ)
	@mkdir -p $(@D)
	$(CC) -o $@ $^ $(LIBS)

build/asan/bin/kiln-edge: build/asan/edge/main.o $(EDGE_ASAN_OBJ)
	@mkdir -p $(@D)
	$(CC) $(ASAN_LDFLAGS) -o $@ $^ $(LIBS)

# kiln-lower: the lowering stage on one file, for tests and benchmarks
# (docs/internals/lowering.md); not installed.
build/rel/bin/kiln-lower: build/rel/tools/kiln-lower.o $(BUILD_REL_OBJ)
	@mkdir -p $(@D)
	$(CC) -o $@ $^ $(LIBS)

build/asan/bin/kiln-lower: build/asan/tools/kiln-lower.o $(BUILD_ASAN_OBJ)
	@mkdir -p $(@D)
	$(CC) $(ASAN_LDFLAGS) -o $@ $^ $(LIBS)

build/gen/sw_template.c: sw-template/sw.js sw-template/register.js
	@mkdir -p $(@D)
	@{ echo '/* Generated by the Makefile from sw-template/: do not edit. */'; \
	  echo '#include "builder/sw.h"'; \
	  for v in template:sw register:register; do \
	    echo "const char kb_sw_$${v%%:*}[] = {"; \
	    od -An -v -tx1 sw-template/$${v#*:}.js | sed 's/\([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	    echo '0};'; \
	    echo "const size_t kb_sw_$${v%%:*}_len = sizeof kb_sw_$${v%%:*} - 1;"; \
	  done; } > $@.tmp && mv $@.tmp $@

# builder/lower/runtime/ and polyfills/: the JavaScript legacy browsers get.
LOWER_RUNTIME_JS := $(sort $(wildcard builder/lower/runtime/*.js))
LOWER_POLYFILL_JS := $(sort $(wildcard builder/lower/polyfills/*.js))
build/gen/lower_runtime.c: builder/lower/gen-jsfiles.sh $(LOWER_RUNTIME_JS)
	@mkdir -p $(@D)
	@LC_ALL=C sh builder/lower/gen-jsfiles.sh kl_runtime $(LOWER_RUNTIME_JS) > $@.tmp && mv $@.tmp $@
build/gen/lower_polyfills.c: builder/lower/gen-jsfiles.sh $(LOWER_POLYFILL_JS)
	@mkdir -p $(@D)
	@LC_ALL=C sh builder/lower/gen-jsfiles.sh kl_polyfills $(LOWER_POLYFILL_JS) > $@.tmp && mv $@.tmp $@

build/rel/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(REL_CFLAGS) -c $< -o $@

build/asan/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ASAN_CFLAGS) -c $< -o $@

build/asan/tests/unit/%: build/asan/tests/unit/%.o $(ASAN_OBJ)
	$(CC) $(ASAN_LDFLAGS) -o $@ $^ $(LIBS)

build/asan/tests/js262/runner: build/asan/tests/js262/runner.o $(ASAN_OBJ)
	$(CC) $(ASAN_LDFLAGS) -o $@ $^ $(LIBS)

build/rel/tests/js262/runner: build/rel/tests/js262/runner.o $(REL_OBJ)
	$(CC) -o $@ $^ $(LIBS)

# test262-parser-tests, pinned by tests/js262/package-lock.json.
$(JS262_DIR)/package.json: tests/js262/package-lock.json
	cd tests/js262 && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

build/asan/tests/fuzz/%-replay: build/asan/tests/fuzz/%.o build/asan/tests/fuzz/replay.o $(ASAN_OBJ)
	$(CC) $(ASAN_LDFLAGS) -o $@ $^ $(LIBS)

# libFuzzer builds: clang only, every library object rebuilt with coverage.
# Undefined behaviour stops the fuzzer and saves the input, as a crash does.
FUZZ_CFLAGS := $(WARN) -g -O1 -fsanitize=fuzzer-no-link,address,undefined \
               -fno-sanitize-recover=undefined $(PKG_CFLAGS)
build/fuzz/obj/%.o: %.c
	@mkdir -p $(@D)
	clang $(CPPFLAGS) $(FUZZ_CFLAGS) -c $< -o $@
build/fuzz/%: build/fuzz/obj/tests/fuzz/%.o $(LIB_SRC:%.c=build/fuzz/obj/%.o)
	clang -fsanitize=fuzzer,address,undefined -o $@ $^ $(LIBS)

test: deps
	@$(MAKE) --no-print-directory test-run
test-run: browser-deps check-format build/asan/bin/kiln-build build/asan/bin/kiln-edge \
          build/asan/bin/kiln-lower $(UNIT_BIN) \
          $(REPLAY_BIN) $(JS262_BIN) $(JS262_DIR)/package.json
	@KILN_BUILD=$(CURDIR)/build/asan/bin/kiln-build BUILD_DIR=$(CURDIR)/build/asan \
	  sh tests/run.sh

# The framework sites (tests/frameworks/README.md): each built by its own tool
# from npm (committed lockfiles; npm's cache and the built dists are kept
# outside the checkout, in KILN_NPM_CACHE and KILN_FW_CACHE), passed through
# kiln-build and compared in Chromium with its own dist. tests/run.sh runs them
# in make test too; this target runs only them.
frameworks: deps
	@$(MAKE) --no-print-directory frameworks-run
frameworks-run: browser-deps build/asan/bin/kiln-build build/asan/bin/kiln-edge
	@KILN_BUILD=$(CURDIR)/build/asan/bin/kiln-build BUILD_DIR=$(CURDIR)/build/asan \
	  sh tests/run.sh frameworks

# ThreadSanitizer: the edge's workers share the current index (reload), the TLS
# ticket keys and session cache, and the metrics. kiln-edge is built with
# -fsanitize=thread into build/tsan/ and the e2e tests that drive several
# workers, reloads, TLS resumption and /metrics run against it (their releases
# come from the optimised bin/kiln-build). Every report goes to a file under
# build/tsan/reports/ (log_path), and any such file fails the run whatever the
# tests said: they look for ASan's words in the server's stderr, not TSan's.
# Not part of make test (it adds about 2 minutes); .ci/run runs it.
TSAN_CFLAGS := $(WARN) -O1 -g -fno-omit-frame-pointer -fsanitize=thread $(PKG_CFLAGS)
TSAN_E2E := tests/e2e/test_edge.py tests/e2e/test_tls.py tests/e2e/test_cdn.py tests/e2e/test_h2.py \
            tests/e2e/test_privilege.py tests/e2e/test_sandbox.py
TSAN_REPORTS := build/tsan/reports

build/tsan/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(TSAN_CFLAGS) -c $< -o $@

# tests/tsan/syscall.c lets TSan see libuv's close(2)s (its comment says why).
build/tsan/bin/kiln-edge: build/tsan/edge/main.o build/tsan/tests/tsan/syscall.o \
                          $(COMMON_SRC:%.c=build/tsan/%.o) $(EDGE_SRC:%.c=build/tsan/%.o)
	@mkdir -p $(@D)
	$(CC) -fsanitize=thread -o $@ $^ $(LIBS)

tsan: deps
	@$(MAKE) --no-print-directory tsan-run
# Each test runs as tests/run.sh runs it: its TAP "ok"/"not ok" lines are
# counted, and a non-zero exit without a "not ok" counts as one failure.
tsan-run: bin/kiln-build build/tsan/bin/kiln-edge
	@rm -rf $(TSAN_REPORTS) && mkdir -p $(TSAN_REPORTS); \
	export KILN_BUILD=$(CURDIR)/bin/kiln-build KILN_EDGE=$(CURDIR)/build/tsan/bin/kiln-edge \
	  TSAN_OPTIONS="log_path=$(CURDIR)/$(TSAN_REPORTS)/tsan second_deadlock_stack=1"; \
	passed=0 failed=0; \
	run() { name=$$1; shift; out=build/tsan/$$name.log; \
	  "$$@" >$$out 2>&1; rc=$$?; ok=$$(grep -c '^ok ' $$out); bad=$$(grep -c '^not ok ' $$out); \
	  if [ $$rc -ne 0 ] && [ $$bad -eq 0 ]; then bad=1; fi; \
	  passed=$$((passed + ok)); failed=$$((failed + bad)); \
	  echo "== tsan/$$name: $$ok passed, $$bad failed ($$out)"; \
	  if [ $$bad -ne 0 ]; then grep -A20 '^not ok' $$out | head -n 60 | sed 's/^/    /'; fi; }; \
	py=/usr/bin/python3; [ -x "$$py" ] || py=python3; \
	for t in $(TSAN_E2E); do run $$(basename $$t .py) "$$py" $$t; done; \
	run "test_edge[tls]" env KILN_E2E_TLS=1 "$$py" tests/e2e/test_edge.py; \
	run "test_edge[h2c]" env KILN_E2E_PROTO=h2c "$$py" tests/e2e/test_edge.py; \
	for r in $(TSAN_REPORTS)/*; do \
	  [ -f "$$r" ] || continue; failed=$$((failed + 1)); \
	  echo "not ok - ThreadSanitizer: $$r"; sed 's/^/    /' "$$r" | head -n 80; \
	done; \
	echo "tsan: $$passed passed, $$failed failed"; [ $$failed -eq 0 ]

unit: $(UNIT_BIN)
	@for t in $(UNIT_BIN); do $$t || exit 1; done

DEMO_LISTEN ?= 127.0.0.1:8080
demo: deps-build
	@$(MAKE) --no-print-directory demo-run
demo-run: bin/kiln-build bin/kiln-edge
	./bin/kiln-build -o dist site-example
	@echo "release written to dist/; serving it at http://$(DEMO_LISTEN)/ (Ctrl-C stops)"
	./bin/kiln-edge --config kiln-edge.conf --allow-root on -l $(DEMO_LISTEN) dist

# $(call apt_install,PACKAGES[,NODE]): apt-get installs those of PACKAGES that
# are missing, and NODE when the node or npm command is missing. A machine whose
# package lists are empty or stale gets an apt-get update and a second try.
# Noninteractive: nothing here asks a question, and make may have no terminal.
APT_GET := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get
define apt_install
@missing=$$(for p in $(1); do \
  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done; \
  $(if $(2),command -v node >/dev/null && command -v npm >/dev/null || echo $(2))); \
if [ -n "$$missing" ]; then \
  echo "make $@: installing" $$missing; \
  $(APT_GET) install -y $$missing || \
  { $(APT_GET) update && $(APT_GET) install -y $$missing; }; \
fi
endef

deps-build:
	$(call apt_install,$(BUILD_PKGS))

deps:
	$(call apt_install,$(BUILD_PKGS) $(TEST_PKGS) $(BROWSER_PKGS),$(NODE_PKGS))

# npm ci when the lockfile changed; npm writes node_modules/.package-lock.json.
browser-deps: tests/browser/node_modules/.package-lock.json
tests/browser/node_modules/.package-lock.json: tests/browser/package-lock.json tests/browser/package.json
	cd tests/browser && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
	@touch $@

fuzz-deps:
	$(call apt_install,$(BUILD_PKGS) $(FUZZ_PKGS))

fuzz: fuzz-deps
	@$(MAKE) --no-print-directory fuzz-run
fuzz-run: $(FUZZ_BIN)
	@for f in $(FUZZ_BIN); do \
	  n=$$(basename $$f); mkdir -p build/fuzz/corpus/$$n; \
	  echo "== $$n ($(FUZZ_SECONDS)s)"; \
	  $$f -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=tests/fuzz/crash- \
	    build/fuzz/corpus/$$n tests/fuzz/corpus/$$n || exit 1; \
	done

check-format:
	@clang-format --dry-run -Werror $(ALL_C_H)

format:
	clang-format -i $(ALL_C_H)

# After deps: two apt-gets at once (make -j) would fight over dpkg's lock.
bench-deps: deps
	$(call apt_install,$(BENCH_PKGS))

# Benchmarks download their inputs with npm (Node.js) at run time, never committed.
bench: bench-deps
	@$(MAKE) --no-print-directory bench-run
bench-run: bin/kiln-build bin/kiln-edge build/rel/tests/js262/runner build/rel/bin/kiln-lower
	sh bench/jsparse.sh
	sh bench/build.sh
	sh bench/dict.sh
	sh bench/bundle.sh
	sh bench/lower.sh
	sh bench/edge.sh
	sh bench/tls.sh
	sh bench/h2.sh

# The Debian package (docs/packaging.md). The programs are built again into
# build/deb/ with the flags dpkg-buildflags gives a Debian package (hardening=+all:
# fortify, stack protector, PIE, full RELRO, bindnow) and --as-needed, so that
# each links only the libraries it uses and dpkg-shlibdeps lists only those.
# deb passes the flags to its sub-make: dpkg-buildflags is installed by deb-deps.
deb-deps:
	$(call apt_install,$(BUILD_PKGS) $(DEB_PKGS))

deb: deb-deps
	@export DEB_BUILD_MAINT_OPTIONS=hardening=+all; \
	$(MAKE) --no-print-directory deb-run DEB_CFLAGS="$$(dpkg-buildflags --get CFLAGS)" \
	  DEB_CPPFLAGS="$$(dpkg-buildflags --get CPPFLAGS)" DEB_LDFLAGS="$$(dpkg-buildflags --get LDFLAGS)"
deb-run: build/deb/bin/kiln-build build/deb/bin/kiln-edge
	@sh packaging/build-deb.sh build/deb/bin/kiln-build build/deb/bin/kiln-edge build/deb

build/deb/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(DEB_CPPFLAGS) $(WARN) $(DEB_CFLAGS) $(PKG_CFLAGS) -c $< -o $@

build/deb/bin/kiln-build: build/deb/builder/main.o $(COMMON_SRC:%.c=build/deb/%.o) \
                          $(BUILDER_SRC:%.c=build/deb/%.o)
	@mkdir -p $(@D)
	$(CC) $(DEB_CFLAGS) $(DEB_LDFLAGS) -Wl,--as-needed -o $@ $^ $(LIBS)

build/deb/bin/kiln-edge: build/deb/edge/main.o $(COMMON_SRC:%.c=build/deb/%.o) \
                         $(EDGE_SRC:%.c=build/deb/%.o)
	@mkdir -p $(@D)
	$(CC) $(DEB_CFLAGS) $(DEB_LDFLAGS) -Wl,--as-needed -o $@ $^ $(LIBS)

# tests/package/run.sh: the package from make deb, installed with apt into a
# fresh Debian 12 chroot and serving a release as the user kiln.
deb-test: deb
	$(call apt_install,$(DEB_TEST_PKGS))
	@bash tests/package/run.sh "$$(cat build/deb/deb-path)"

soak-deps:
	$(call apt_install,$(BUILD_PKGS) $(SOAK_PKGS))

# Bounded: SOAK_MINUTES of load, then the shorter phases (tests/soak/run.sh).
soak: soak-deps
	@$(MAKE) --no-print-directory soak-run
soak-run: bin/kiln-build bin/kiln-edge build/tsan/bin/kiln-edge $(FUZZ_BIN)
	@sh tests/soak/run.sh

clean:
	rm -rf bin build dist .kiln-cache

-include $(shell find build -name '*.d' -type f 2>/dev/null)
