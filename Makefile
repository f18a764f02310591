# pbc-pipeline top-level Makefile.
#
# Layout: lib/*.c is the shared library (libpbc.a) holding every rule;
# each stage directory (ingest/ attribute/ price/ aggregate/ publish/) and
# tools/gen/ holds a thin main linked against it; tests/test_*.c are
# Criterion suites, one per module.  Two build variants share these rules:
#   build/rel   optimised, used by `make run` and pipeline.mk
#   build/asan  AddressSanitizer + UndefinedBehaviorSanitizer, used by tests
#
# Targets: all (default), run, test, bench, bench-national, fuzz, clean.

TOP      := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
O        ?= build/rel
VARIANT_CFLAGS ?= -O2 -g
CC       ?= cc
PKGS     := glib-2.0 zlib libpq
CFLAGS   := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Wall -Wextra \
            -Werror -Wstrict-prototypes -Wshadow -Ilib \
            $(shell pkg-config --cflags $(PKGS) 2>/dev/null) -MMD -MP $(VARIANT_CFLAGS)
LDLIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcsv -lm
TESTLIBS := $(shell pkg-config --libs criterion 2>/dev/null)

STAGES   := ingest attribute price aggregate publish
LIB_SRC  := $(sort $(wildcard lib/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(O)/%.o)
GEN_SRC  := $(sort $(wildcard tools/gen/*.c))
STMT_SRC := $(sort $(wildcard publish/statements/*.c))
TEST_SRC := $(sort $(wildcard tests/test_*.c))
BENCH_SRC := $(sort $(wildcard bench/*.c))
BINS     := $(foreach s,$(STAGES),$(if $(wildcard $(s)/*.c),$(O)/bin/pbc-$(s))) \
            $(if $(GEN_SRC),$(O)/bin/pbc-gen) $(if $(STMT_SRC),$(O)/bin/pbc-statements)
TESTS    := $(TEST_SRC:tests/%.c=$(O)/tests/%)
BENCHES  := $(BENCH_SRC:bench/%.c=$(O)/bin/bench-%)

.PHONY: all bins build deps test-deps run test check bench bench-national fuzz clean asan
.DEFAULT_GOAL := all

all: deps
	@$(MAKE) --no-print-directory build

deps:
	@scripts/deps.sh

test-deps:
	@scripts/deps.sh test

# Only the programs (what pipeline.mk needs), not the tests.
bins: deps
	@$(MAKE) --no-print-directory $(BINS)

build: $(BINS) $(TESTS) $(BENCHES)

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(O)/libpbc.a: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

define stage_rule
$(O)/bin/pbc-$(1): $(patsubst %.c,$(O)/%.o,$(wildcard $(1)/*.c)) $(O)/libpbc.a
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CFLAGS) -o $$@ $$^ $$(LDLIBS)
endef
$(foreach s,$(STAGES),$(eval $(call stage_rule,$(s))))

$(O)/bin/pbc-statements: $(STMT_SRC:%.c=$(O)/%.o) $(O)/libpbc.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(O)/bin/pbc-gen: $(GEN_SRC:%.c=$(O)/%.o) $(O)/libpbc.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(O)/bin/bench-%: $(O)/bench/%.o $(O)/libpbc.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(O)/tests/%: $(O)/tests/%.o $(O)/libpbc.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(TESTLIBS) $(LDLIBS)

# The sanitizer build that the tests use.
asan: test-deps
	@$(MAKE) --no-print-directory build O=build/asan \
	    VARIANT_CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"

# `make run`: set up, build, run the whole pipeline on the bundled sample.
run: all
	@scripts/run-sample.sh

# `make test`: set up, build both variants, run every test.
test check: test-deps all asan
	@scripts/run-tests.sh

bench: all
	@bench/run.sh pct

bench-national: all
	@bench/run.sh national

fuzz: test-deps
	@scripts/fuzz.sh

clean:
	rm -rf build var/tmp out

-include $(shell find build -name '*.d' 2>/dev/null)
