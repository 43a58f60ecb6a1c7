# Makefile -- one non-recursive makefile for the whole of hetsim.
#
#   make                 build build/hetsim (optimised, assertions on)
#   make check           install missing deps, build, run every test
#   make golden          only the golden test (tests/golden/run.sh)
#   make arch            only the layering check (scripts/check-arch.sh)
#   make examples        every bundled example, scaled down, two seeds: request
#                        conservation, percentiles ordered and exact (CI)
#   make SAN=1 check     the same under AddressSanitizer + UBSan (build/san/)
#   make DEBUG=1         build/debug/hetsim: every run checks the serving
#                        invariants after every event (srv_check.c)
#   make check-debug     the debug build over every bundled example
#   make fuzz FUZZ_SECONDS=N  build the libFuzzer harnesses of tests/fuzz/
#                        (clang, ASan + UBSan, build/fuzz/) and run each for
#                        N seconds (default 20); FUZZ_ONLY=name runs one
#   make demo            install missing deps, build, run the bundled example
#                        and draw one plot of it
#   make docs-img        redraw the images of docs/plots.md (docs/img/)
#   make check-browser   render the HTML report with headless Chromium
#                        (installs chromium; optional, not part of check)
#   make bench           build and run the benchmarks (see docs/performance.md)
#   make install         install to $(DESTDIR)$(PREFIX) (default /usr/local)
#   make format          clang-format every source; format-check only checks
#   make schema-doc      rewrite the part of docs/schema.md generated from
#                        include/hetsim/records.h (hetsim schema-doc)
#   make man             rewrite docs/hetsim.1 from the command table
#                        (hetsim man; tests/cli/t_help.sh checks it)
#   make WERROR=0        keep going past warnings (local use only)
#
# When Open MPI's mpicc is found, 'make' also builds build/hetsim-mpi, the
# MPI companion ('mpirun -np N hetsim-mpi sweep ...', docs/sweep.md), and
# 'make check' runs tests/cli/t_mpi.sh with it.
#
# Sources are found by wildcard: a new sim/<module>/*.c, tests/unit/test_*.c
# or tests/bench/*.c is picked up without editing this file.

SAN ?= 0
WERROR ?= 1
PREFIX ?= /usr/local
DESTDIR ?=
PKGS := yaml-0.1 sqlite3 gsl jansson
PKG_CONFIG ?= pkg-config

# FUZZ=1 is the build 'make fuzz' makes for itself: the library and the
# harnesses compiled by clang with libFuzzer's coverage and the sanitizers.
FUZZ ?= 0
FUZZ_CC ?= clang-14
FUZZ_SECONDS ?= 20
FUZZ_ONLY ?=

# DEBUG=1: every run checks the serving invariants after every event
# (sim/serve/srv_check.c; HS_DEBUG_INVARIANTS), in build/debug/.
DEBUG ?= 0

ifeq ($(DEBUG),1)
BUILD := build/debug
OPT := -O1 -g -DHS_DEBUG_INVARIANTS
SANLD :=
else ifeq ($(FUZZ),1)
BUILD := build/fuzz
CC := $(FUZZ_CC)
# clang, unlike gcc, counts math.h's float INFINITY as a promotion.
OPT := -O1 -g -fsanitize=fuzzer-no-link,address,undefined \
       -fno-sanitize-recover=all -fno-omit-frame-pointer -Wno-double-promotion
SANLD := -fsanitize=fuzzer,address,undefined
else ifeq ($(SAN),1)
BUILD := build/san
OPT := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
       -fno-omit-frame-pointer
SANLD := -fsanitize=address,undefined
else
BUILD := build
OPT := -O2 -g
SANLD :=
endif

WARN := -Wall -Wextra -Wpedantic -Wshadow -Wundef -Wwrite-strings \
        -Wstrict-prototypes -Wmissing-prototypes -Wmissing-declarations \
        -Wold-style-definition -Wdouble-promotion -Wconversion \
        -Wformat=2 -Wvla -Wno-sign-conversion -Wno-format-nonliteral
ifeq ($(WERROR),1)
WARN += -Werror
endif

DATADIR := $(PREFIX)/share/hetsim
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

# pkg-config is evaluated lazily so 'make deps' works before it exists.
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
CHECK_CFLAGS = $(shell $(PKG_CONFIG) --cflags check 2>/dev/null)
CHECK_LIBS = $(shell $(PKG_CONFIG) --libs check 2>/dev/null)

CPPFLAGS += -Iinclude -I$(BUILD)/gen -D_POSIX_C_SOURCE=200809L
CFLAGS += -std=c11 -fno-common $(WARN) $(OPT)
LDLIBS += -lm

LIB_SRC := $(sort $(wildcard sim/util/*.c sim/engine/*.c sim/cost/*.c \
             sim/hw/*.c sim/workload/*.c sim/records/*.c sim/serve/*.c \
             sim/io/*.c sim/app/*.c))
CLI_SRC := $(sort $(wildcard sim/cli/*.c))
TEST_SRC := $(sort $(wildcard tests/unit/*.c))
BENCH_SRC := $(sort $(wildcard tests/bench/*.c))
FUZZ_SRC := $(sort $(wildcard tests/fuzz/*.c tests/fuzz/*.h))
SUITES := $(patsubst tests/unit/test_%.c,%,$(wildcard tests/unit/test_*.c))

LIB_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(LIB_SRC))
CLI_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(CLI_SRC))
TEST_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(TEST_SRC))
BENCH_BIN := $(patsubst tests/bench/%.c,$(BUILD)/bench/%,$(BENCH_SRC))

LIB := $(BUILD)/libhetsim.a
HETSIM := $(BUILD)/hetsim
UNIT := $(BUILD)/unit_tests

.PHONY: validate FORCE all deps check unit cli-test golden examples arch demo bench \
        install fuzz fuzz-build fuzz-regress check-debug \
        uninstall clean format format-check check-headers schema-doc man \
        docs-img check-browser

# The MPI companion: mpi/*.c over the CLI's objects (but main) and the
# library, built with mpicc when it is installed.
MPICC ?= mpicc
MPI_BIN := $(BUILD)/hetsim-mpi
HAVE_MPI = $(shell command -v $(MPICC) >/dev/null 2>&1 && echo 1)
MPI_TARGET = $(if $(HAVE_MPI),$(MPI_BIN))

all: $(HETSIM) $(MPI_TARGET)

$(MPI_BIN): $(wildcard mpi/*.c) $(wildcard mpi/*.h) \
            $(filter-out %/cli_main.o,$(CLI_OBJ)) $(LIB)
	$(MPICC) $(CPPFLAGS) -Isim/cli $(PKG_CFLAGS) $(CFLAGS) -Wno-pedantic \
	    $(SANLD) $(LDFLAGS) -o $@ $(filter-out %.h,$^) $(PKG_LIBS) $(LDLIBS)

deps:
	@sh scripts/install-deps.sh

# Rebuilt whole, and whenever the list of its objects changes, so an
# object whose source was removed does not linger in it.
LIB_LIST := $(BUILD)/gen/lib-objects.txt
$(LIB_LIST): FORCE
	@mkdir -p $(@D)
	@echo '$(LIB_OBJ)' >$@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi
$(LIB): $(LIB_OBJ) $(LIB_LIST)
	@rm -f $@
	$(AR) rcs $@ $(LIB_OBJ)

$(HETSIM): $(CLI_OBJ) $(LIB)
	$(CC) $(SANLD) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(LDLIBS)

$(UNIT): $(TEST_OBJ) $(LIB)
	$(CC) $(SANLD) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(PKG_LIBS) $(LDLIBS)

# The list of unit-test suites is generated from the file names, so adding
# tests/unit/test_<name>.c (defining 'Suite *<name>_suite(void)') is enough.
$(BUILD)/gen/suites.h: $(wildcard tests/unit/test_*.c) Makefile
	@mkdir -p $(@D)
	@printf '/* generated by the Makefile */\n#define HS_SUITES(X) \\\n' >$@.tmp
	@for s in $(SUITES); do printf '    X(%s) \\\n' $$s >>$@.tmp; done
	@printf '\n' >>$@.tmp
	@mv $@.tmp $@

# Build-time settings (version, install data directory), rewritten only
# when they change, so 'make PREFIX=/opt/x install' rebuilds what uses them.
CONFIG_H := $(BUILD)/gen/hetsim_config.h
$(CONFIG_H): FORCE
	@mkdir -p $(@D)
	@printf '/* generated by the Makefile */\n#define HETSIM_VERSION "%s"\n#define HETSIM_DATADIR "%s"\n' '$(VERSION)' '$(DATADIR)' >$@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi
$(LIB_OBJ) $(CLI_OBJ): | $(CONFIG_H)

$(BUILD)/obj/tests/unit/check_main.o: $(BUILD)/gen/suites.h
$(TEST_OBJ): CPPFLAGS += -Isim -I$(BUILD)/gen $(CHECK_CFLAGS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/bench/%: tests/bench/%.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Isim $(PKG_CFLAGS) $(CFLAGS) -o $@ $^ $(PKG_LIBS) $(LDLIBS)

unit: $(UNIT)
	./$(UNIT)

# ---- fuzzing (tests/fuzz/README.md) ----------------------------------------
# One harness per input the tool parses; fuzz_trace.c is built once per
# trace format.  'make fuzz' builds them (in build/fuzz/, FUZZ=1) and runs
# each for FUZZ_SECONDS; 'make check' replays the inputs that once crashed
# (tests/fuzz/regress/) through the normal binary (fuzz-regress).
FUZZ_TRACES := azure mooncake hetsim sessions
FUZZ_NAMES := units scenario set $(addprefix trace_,$(FUZZ_TRACES))
FUZZ_BIN := $(addprefix $(BUILD)/fuzz/fuzz_,$(FUZZ_NAMES))
FUZZ_COMMON := $(BUILD)/obj/tests/fuzz/fuzz_common.o

$(BUILD)/obj/tests/fuzz/%.o: CPPFLAGS += -Isim -Itests/fuzz

$(BUILD)/fuzz/fuzz_trace_%: tests/fuzz/fuzz_trace.c $(FUZZ_COMMON) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests/fuzz $(PKG_CFLAGS) $(CFLAGS) \
	    -DFZ_FORMAT=WL_TRACE_$(shell echo $* | tr a-z A-Z) -o $@ $^ \
	    $(SANLD) $(PKG_LIBS) $(LDLIBS)

$(BUILD)/fuzz/fuzz_%: $(BUILD)/obj/tests/fuzz/fuzz_%.o $(FUZZ_COMMON) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(SANLD) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(LDLIBS)

# Objects the pattern rules make on the way: kept, not rebuilt each time.
.SECONDARY: $(FUZZ_COMMON) $(patsubst %,$(BUILD)/obj/tests/fuzz/fuzz_%.o,\
                                       units scenario set)

fuzz-build: $(FUZZ_BIN)

fuzz:
	@sh scripts/install-deps.sh fuzz
	@$(MAKE) --no-print-directory FUZZ=1 fuzz-build
	@sh tests/fuzz/run.sh build/fuzz $(FUZZ_SECONDS) $(FUZZ_ONLY)

fuzz-regress: $(HETSIM)
	@sh tests/fuzz/regress.sh $(HETSIM)

cli-test: $(HETSIM)
	@sh tests/cli/run.sh $(HETSIM)

# The golden test (tests/golden/run.sh) runs every golden scenario; the
# sanitizer build runs three of them, which cover every serving mode.
# Sanitized code runs several times slower: Check's per-test timeouts
# are stretched to match.
ifeq ($(SAN),1)
GOLDEN_SET := mixed split mono
UNIT_ENV := CK_TIMEOUT_MULTIPLIER=5
else
GOLDEN_SET :=
UNIT_ENV :=
endif

check: deps
	@$(MAKE) --no-print-directory $(UNIT) $(HETSIM) mpi-if-found
	$(UNIT_ENV) ./$(UNIT)
	@sh tests/cli/run.sh $(HETSIM)
	@sh tests/golden/run.sh $(HETSIM) $(GOLDEN_SET)
	@sh tests/fuzz/regress.sh $(HETSIM)
	@sh tests/abuse/run.sh $(HETSIM)
	@$(MAKE) --no-print-directory DEBUG=1 build/debug/hetsim
	@sh tests/debug/run.sh build/debug/hetsim $(DEBUG_SMALL)
	@sh scripts/check-arch.sh $(BUILD)

# hetsim-mpi when mpicc is found (make check installs Open MPI first).
.PHONY: mpi-if-found
mpi-if-found: $(MPI_TARGET)

# The debug build (DEBUG=1) over small scenarios in 'make check' (about
# 20 s; mixed.yaml's 'swap' variant is the regression case of the pool
# cache bug it found), over every golden scenario and bundled example in
# 'make check-debug' (minutes: each event checks every prefix-cache entry).
DEBUG_SMALL := tests/abuse/small.yaml tests/golden/split.yaml \
               tests/golden/mono.yaml tests/golden/mixed.yaml

check-debug: deps
	@$(MAKE) --no-print-directory DEBUG=1 build/debug/hetsim
	@sh tests/debug/run.sh build/debug/hetsim tests/golden/*.yaml
	@sh tests/examples/run.sh build/debug/hetsim

# The shape of the code (docs/architecture.md): no call circles, no
# upward calls, no sim/ .c file over 800 lines.
arch: $(HETSIM)
	@sh scripts/check-arch.sh $(BUILD)

golden: $(HETSIM)
	@sh tests/golden/run.sh $(HETSIM) $(GOLDEN_SET)

# Compare with measured serving runs (docs/validation.md); needs the
# shared data set (SHARED, default ../shared) and python3.  Not in CI.
SHARED ?= ../shared
validate: $(HETSIM)
	python3 scripts/validate.py --hetsim $(HETSIM) --fit \
	    --rows $(SHARED)/data/aiconfigurator/silicon_e2e_train.csv

examples: deps
	@$(MAKE) --no-print-directory $(HETSIM)
	@sh tests/examples/run.sh $(HETSIM)

demo: deps
	@$(MAKE) --no-print-directory $(HETSIM)
	@sh scripts/demo.sh $(HETSIM)

# The images of docs/plots.md: each plot kind of the bundled examples
# (scripts/docs-img.sh prints the commands it runs).
docs-img: deps
	@$(MAKE) --no-print-directory $(HETSIM)
	@sh scripts/docs-img.sh $(HETSIM)

# Optional: the HTML report rendered by headless Chromium, checked not
# blank and loading nothing from outside itself.
check-browser:
	@sh scripts/install-deps.sh --browser
	@$(MAKE) --no-print-directory $(HETSIM)
	@sh scripts/check-browser.sh $(HETSIM)

bench: deps
	@$(MAKE) --no-print-directory $(BENCH_BIN) $(HETSIM)
	@sh scripts/bench.sh $(BUILD)

# The binary, the man page, and under $(DATADIR) the catalogs, presets and
# examples (configs/) with the traces they replay (traces/, which the
# examples name as ../../traces/), so installed examples run as they are
# (tests/cli/t_install.sh).
MANDIR := $(PREFIX)/share/man/man1
install: $(CONFIG_H) $(HETSIM)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(DATADIR)/traces \
	    $(DESTDIR)$(MANDIR)
	install -m 755 $(HETSIM) $(DESTDIR)$(PREFIX)/bin/hetsim
	if [ -x $(MPI_BIN) ]; then \
	    install -m 755 $(MPI_BIN) $(DESTDIR)$(PREFIX)/bin/hetsim-mpi; fi
	install -m 644 docs/hetsim.1 $(DESTDIR)$(MANDIR)/hetsim.1
	cp -R configs $(DESTDIR)$(DATADIR)/
	install -m 644 traces/README.md traces/*.csv traces/*.jsonl \
	    $(DESTDIR)$(DATADIR)/traces/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/hetsim $(DESTDIR)$(PREFIX)/bin/hetsim-mpi \
	    $(DESTDIR)$(MANDIR)/hetsim.1
	rm -rf $(DESTDIR)$(DATADIR)

# docs/schema.md keeps the lines between its "BEGIN generated" and "END
# generated" markers equal to 'hetsim schema-doc' (tests/cli/t_schema.sh).
schema-doc: $(HETSIM)
	@$(HETSIM) schema-doc >$(BUILD)/schema-doc.md
	@awk -v gen=$(BUILD)/schema-doc.md \
	    '/^<!-- END generated/ { skip = 0 } !skip { print } \
	     /^<!-- BEGIN generated/ { while ((getline l <gen) > 0) print l; \
	                               skip = 1 }' docs/schema.md >$(BUILD)/schema.md
	@mv $(BUILD)/schema.md docs/schema.md

# docs/hetsim.1 is 'hetsim man', generated from sim/cli/cli_help_table.c.
man: $(HETSIM)
	@$(HETSIM) man >$(BUILD)/hetsim.1
	@mv $(BUILD)/hetsim.1 docs/hetsim.1

check-headers:
	@for h in include/hetsim/*.h; do \
	    printf '#include "%s"\n' "$${h#include/}" | \
	    $(CC) $(CPPFLAGS) $(CFLAGS) -x c -fsyntax-only - || exit 1; done

format:
	clang-format -i $(LIB_SRC) $(CLI_SRC) $(TEST_SRC) $(BENCH_SRC) $(FUZZ_SRC) mpi/*.c mpi/*.h include/hetsim/*.h

format-check:
	clang-format --dry-run --Werror $(LIB_SRC) $(CLI_SRC) $(TEST_SRC) $(BENCH_SRC) $(FUZZ_SRC) mpi/*.c mpi/*.h include/hetsim/*.h

clean:
	rm -rf build

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_OBJ:.o=.d)
