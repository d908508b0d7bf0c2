# blastwall: everything but src/main.c builds into one static library that the
# binary, the unit tests and the fuzzers link.
#
#   make            build $(BUILD)/blastwall
#   make demo       install what is missing, build, and check a few real commands
#   make check      install what is missing, build, run every test (also under ASan+UBSan)
#   make unit       unit tests only          make cli    CLI tests only
#   make fuzz       libFuzzer targets (clang) make bench  benchmarks (see bench/)
#
# BUILD=dir keeps several build trees apart (build-asan is the sanitizer one).

BUILD ?= build
CC ?= cc
PKGS := libpq sqlite3 libzstd libsodium yaml-0.1 jansson
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# The hook must start about as fast as a bare process (see bench/hook-latency).
# Every shared library costs start-up time, so the small libraries are linked
# statically, and libpq, which drags in some thirty shared libraries
# (TLS, Kerberos, LDAP), is not linked at all: src/db/pq_load.c loads it with
# dlopen the first time a backup or restore needs it.
PKG_LIBS := -Wl,-Bstatic -lsqlite3 -lzstd -lsodium -lyaml -ljansson -lz -Wl,-Bdynamic -ldl
WARN := -Wall -Wextra -Wshadow -Wno-unused-parameter -Wstrict-prototypes -Wformat=2 -Wvla
OPT ?= -O2 -g
SAN ?=
CFLAGS_ALL := -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) $(SAN) -Isrc $(PKG_CFLAGS) $(CFLAGS)
LDLIBS_ALL := $(PKG_LIBS) -lpthread -lm $(LDLIBS)

LIB_SRC := $(sort $(shell find src -name '*.c' ! -path src/main.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRC := $(sort $(wildcard fuzz/fuzz_*.c))
# Helper programs for tests and benchmarks (fixture generators, drivers): tests/tools/NAME.c -> $(BUILD)/tools/NAME
TOOL_SRC := $(sort $(wildcard tests/tools/*.c))
TOOL_BIN := $(TOOL_SRC:tests/tools/%.c=$(BUILD)/tools/%)

.PHONY: all deps deps-test demo check unit cli corpus sanitize fuzz bench man clean lint
all: $(BUILD)/blastwall $(BUILD)/blastwall.1 $(TOOL_BIN)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(BUILD)/libblastwall.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/blastwall: $(BUILD)/obj/src/main.o $(BUILD)/libblastwall.a
	$(CC) $(CFLAGS_ALL) -o $@ $^ $(LDLIBS_ALL)

$(BUILD)/tests/%: tests/unit/%.c tests/unit/harness.h $(BUILD)/libblastwall.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Itests/unit -o $@ $< $(BUILD)/libblastwall.a $(LDLIBS_ALL)

$(BUILD)/tools/%: tests/tools/%.c $(wildcard tests/tools/*.h) $(BUILD)/libblastwall.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -o $@ $< $(BUILD)/libblastwall.a $(LDLIBS_ALL)

# The man page is assembled from one fragment per section/command (doc/man/NN-*.roff).
$(BUILD)/blastwall.1: $(sort $(wildcard doc/man/*.roff))
	@mkdir -p $(BUILD)
	cat $^ > $@
man: $(BUILD)/blastwall.1

deps:
	@scripts/deps.sh build

deps-test:
	@scripts/deps.sh test

demo: deps
	@$(MAKE) -s all
	@scripts/demo.sh $(BUILD)/blastwall

unit: $(UNIT_BIN)
	@tests/run-unit.sh $(UNIT_BIN)

cli: all
	@BLASTWALL=$(CURDIR)/$(BUILD)/blastwall tests/cli/run.sh

# The whole suite; the last line is "N passed, N failed" over every part.
check: deps-test
	@$(MAKE) -s all $(UNIT_BIN)
	@tests/run-all.sh $(BUILD)

sanitize:
	@$(MAKE) -s BUILD=build-asan OPT="-O1 -g -fno-omit-frame-pointer" SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined" all unit-bins-asan

unit-bins-asan: $(UNIT_BIN)

FUZZ_CC ?= clang
fuzz: $(FUZZ_SRC)
	@mkdir -p build-fuzz
	$(MAKE) -s BUILD=build-fuzz CC=$(FUZZ_CC) OPT="-O1 -g" SAN="-fsanitize=fuzzer-no-link,address,undefined" build-fuzz/libblastwall.a
	for f in $(FUZZ_SRC); do n=$$(basename $$f .c); \
	  $(FUZZ_CC) -std=c11 -D_GNU_SOURCE -O1 -g -fsanitize=fuzzer,address,undefined -Isrc $(PKG_CFLAGS) \
	    -o build-fuzz/$$n $$f build-fuzz/libblastwall.a $(LDLIBS_ALL) || exit 1; done

bench: all
	@bench/run-all.sh $(BUILD)/blastwall

lint:
	@scripts/lint.sh

clean:
	rm -rf build build-asan build-fuzz

-include $(LIB_OBJ:.o=.d) $(BUILD)/obj/src/main.d
