# kiln — one Makefile for everything.
#   make            bin/kiln-build and bin/kiln-edge (optimised)
#   make test       sanitizer build (ASan+UBSan), every test, format check
#   make demo       build site-example/ into dist/
#   make deps       install the Debian packages the build and tests need
#   make fuzz       libFuzzer targets (clang), FUZZ_SECONDS each
#   make bench      benchmarks against peers (downloads inputs at run time)

CC      ?= cc
PKGS    := libbrotlienc libbrotlidec libzstd libdeflate jansson libuv
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
BUILDER_SRC := $(sort $(filter-out builder/main.c,$(wildcard builder/*.c)))
EDGE_SRC    := $(sort $(filter-out edge/main.c,$(wildcard edge/*.c)))
LIB_SRC     := $(COMMON_SRC) $(BUILDER_SRC) $(EDGE_SRC)
UNIT_SRC    := $(sort $(wildcard tests/unit/test_*.c))
FUZZ_SRC    := $(sort $(wildcard tests/fuzz/fuzz_*.c))
ALL_C_H     := $(sort $(wildcard common/*.[ch] builder/*.[ch] edge/*.[ch] tests/*.h \
                 tests/unit/*.[ch] tests/fuzz/*.[ch]))

REL_OBJ  := $(LIB_SRC:%.c=build/rel/%.o)
ASAN_OBJ := $(LIB_SRC:%.c=build/asan/%.o)
# Each program links only its own folder and common/ (tests link everything).
BUILD_REL_OBJ  := $(COMMON_SRC:%.c=build/rel/%.o) $(BUILDER_SRC:%.c=build/rel/%.o)
BUILD_ASAN_OBJ := $(COMMON_SRC:%.c=build/asan/%.o) $(BUILDER_SRC:%.c=build/asan/%.o)
EDGE_REL_OBJ   := $(COMMON_SRC:%.c=build/rel/%.o) $(EDGE_SRC:%.c=build/rel/%.o)
EDGE_ASAN_OBJ  := $(COMMON_SRC:%.c=build/asan/%.o) $(EDGE_SRC:%.c=build/asan/%.o)
UNIT_BIN := $(UNIT_SRC:%.c=build/asan/%)
REPLAY_BIN := $(FUZZ_SRC:%.c=build/asan/%-replay)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)

DEB_PKGS := build-essential pkg-config libbrotli-dev libzstd-dev libdeflate-dev \
            libjansson-dev libmbedtls-dev libuv1-dev brotli zstd libdeflate-tools \
            python3 clang-format time curl nghttp2-client openssl varnish varnish-modules
FUZZ_PKGS := clang libclang-rt-14-dev
BENCH_PKGS := nginx libnginx-mod-http-brotli-static wrk curl openssl
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
FUZZ_SECONDS ?= 60

.SECONDARY:
.PHONY: all test unit demo deps fuzz-deps bench-deps fuzz check-format format bench clean
# kiln-edge links only once edge/server.c exists; until then make builds the rest.
EDGE_BIN := $(if $(wildcard edge/server.c),bin/kiln-edge)
all: bin/kiln-build $(EDGE_BIN)

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

build/rel/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(REL_CFLAGS) -c $< -o $@

build/asan/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ASAN_CFLAGS) -c $< -o $@

build/asan/tests/unit/%: build/asan/tests/unit/%.o $(ASAN_OBJ)
	$(CC) $(ASAN_LDFLAGS) -o $@ $^ $(LIBS)

build/asan/tests/fuzz/%-replay: build/asan/tests/fuzz/%.o build/asan/tests/fuzz/replay.o $(ASAN_OBJ)
	$(CC) $(ASAN_LDFLAGS) -o $@ $^ $(LIBS)

# libFuzzer builds: clang only, every library object rebuilt with coverage.
FUZZ_CFLAGS := -std=c17 -g -O1 -fsanitize=fuzzer-no-link,address,undefined $(PKG_CFLAGS)
build/fuzz/obj/%.o: %.c
	@mkdir -p $(@D)
	clang $(CPPFLAGS) $(FUZZ_CFLAGS) -c $< -o $@
build/fuzz/%: build/fuzz/obj/tests/fuzz/%.o $(LIB_SRC:%.c=build/fuzz/obj/%.o)
	clang -fsanitize=fuzzer,address,undefined -o $@ $^ $(LIBS)

test: deps check-format build/asan/bin/kiln-build $(EDGE_BIN:%=build/asan/%) $(UNIT_BIN) $(REPLAY_BIN)
	@KILN_BUILD=$(CURDIR)/build/asan/bin/kiln-build BUILD_DIR=$(CURDIR)/build/asan \
	  sh tests/run.sh

unit: $(UNIT_BIN)
	@for t in $(UNIT_BIN); do $$t || exit 1; done

DEMO_LISTEN ?= 127.0.0.1:8080
demo: deps bin/kiln-build $(EDGE_BIN)
	./bin/kiln-build --exclude kiln-edge.conf -o dist site-example
	@echo "release written to dist/; serving it at http://$(DEMO_LISTEN)/ (Ctrl-C stops)"
	./bin/kiln-edge --config site-example/kiln-edge.conf -l $(DEMO_LISTEN) dist

deps:
	@missing=$$(for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing" $$missing; \
	  $(SUDO) apt-get install -y $$missing || \
	  { $(SUDO) apt-get update && $(SUDO) apt-get install -y $$missing; }; \
	fi

fuzz-deps:
	@$(MAKE) --no-print-directory deps DEB_PKGS="$(FUZZ_PKGS)"

fuzz: fuzz-deps $(FUZZ_BIN)
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

bench-deps:
	@$(MAKE) --no-print-directory deps DEB_PKGS="$(BENCH_PKGS)"

# Benchmarks download their inputs with npm (Node.js) at run time, never committed.
bench: deps bench-deps bin/kiln-build $(EDGE_BIN)
	sh bench/build.sh
	sh bench/edge.sh
	sh bench/tls.sh

clean:
	rm -rf bin build dist .kiln-cache

-include $(shell find build -name '*.d' 2>/dev/null)
