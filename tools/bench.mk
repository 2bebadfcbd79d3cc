# make bench: throughput and memory of the pipeline against ripgrep and a
# Python reference, on a generated corpus (tools/bench.sh, docs/performance.md).
#
#   make bench                          SIZE_MB=200, BIG_MB=2*SIZE_MB
#   make bench SIZE_MB=100 BIG_MB=1000  the issue's full check (100 MB vs 1 GB)
#   make bench-profile                  callgrind (and perf) profiles of split and classify
#   make bench-tools                    only build the three helpers below
#
# Included by the main Makefile, so $(CC), $(CFLAGS), $(LIB), $(LIBS) and
# $(BUILD) are the project's.

SIZE_MB ?= 200
BIG_MB  ?=
SEED    ?= 1

BENCH_TOOLS = $(BUILD)/tools/gencorpus $(BUILD)/tools/hb-feed $(BUILD)/tools/hb-sink

.PHONY: bench bench-profile bench-tools
bench-tools: $(BENCH_TOOLS)

# gencorpus reads configs/topics.conf through hb_conf; iconv is in glibc.
$(BUILD)/tools/gencorpus: tools/gencorpus.c $(LIB) $(wildcard common/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LIBS)

$(BUILD)/tools/hb-%: tools/hb-%.c $(LIB) $(wildcard common/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LIBS)

bench: all $(BENCH_TOOLS)
	@SIZE_MB=$(SIZE_MB) BIG_MB=$(BIG_MB) SEED=$(SEED) BUILD=$(BUILD) BIN=$(BIN) SHARED=$(SHARED) \
	    tools/bench.sh

bench-profile: all $(BENCH_TOOLS)
	@SEED=$(SEED) BUILD=$(BUILD) BIN=$(BIN) tools/bench.sh profile
