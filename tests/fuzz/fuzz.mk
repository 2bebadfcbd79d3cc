# Fuzzing (included by the main Makefile).  See tests/fuzz/README.md.
#
#   make fuzz                        build the libFuzzer targets into build-fuzz/ and run
#                                    each for FUZZ_SECONDS (60) over its seed corpus
#   make -j2 fuzz FUZZ_SECONDS=300   two at a time, five minutes each
#   make fuzz FUZZ_TARGETS="split msg"
#   make fuzz-build                  only build them
#   make test / make check-asan      also replay tests/fuzz/regressions/<target>/ and
#                                    tests/fuzz/corpus/<target>/ ($(BUILD)/tests/test_fuzz_<target>)

FUZZ_ALL      = split figures classify places conf msg decode meta
FUZZ_TARGETS ?= $(FUZZ_ALL)
FUZZ_SECONDS ?= 60
FUZZ_TIMEOUT ?= 1
FUZZ_ARGS    ?=
FUZZ_BUILD   ?= build-fuzz
FUZZ_CC      ?= clang

# The stage folder whose modules (and -I path) each target links.
FUZZ_STAGE_split    = split
FUZZ_STAGE_figures  = classify
FUZZ_STAGE_classify = classify
FUZZ_STAGE_places   = classify
FUZZ_STAGE_conf     = classify
FUZZ_STAGE_msg      =
FUZZ_STAGE_decode   = read
FUZZ_STAGE_meta     = read
# Extra libFuzzer flags per target: the config loaders log every error.
FUZZ_FLAGS_conf     = -close_fd_mask=2

FUZZ_SAN     = -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CFLAGS  = -O1 -g $(FUZZ_SAN) $(filter-out -O% -g $(SAN_FLAGS),$(CFLAGS))
FUZZ_DEFS    = -DHB_FUZZ_CONFIGS='"$(abspath configs)"'
FUZZ_LIB     = $(FUZZ_BUILD)/libhuibao.a
FUZZ_BINS    = $(FUZZ_ALL:%=$(FUZZ_BUILD)/fuzz_%)
FUZZ_RUNS    = $(FUZZ_TARGETS:%=fuzz-run-%)
fuzz_mod_objs = $(patsubst %.c,$(FUZZ_BUILD)/obj/%.o,$(if $(1),$(call stage_mods,$(1))))

FUZZ_REGRESS_BINS = $(FUZZ_ALL:%=$(BUILD)/tests/test_fuzz_%)

.PHONY: fuzz fuzz-build fuzz-deps fuzz-clean $(FUZZ_ALL:%=fuzz-run-%)

# ---- regression runners: plain compiler, part of `make test` ----------------

test: $(FUZZ_REGRESS_BINS)

$(FUZZ_REGRESS_BINS): $(BUILD)/tests/test_fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/regress.c $(LIB) \
		$$(call stage_mod_objs,$$(FUZZ_STAGE_$$*)) $(wildcard common/*.h stages/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Istages/$(FUZZ_STAGE_$*) $(FUZZ_DEFS) -DFUZZ_TARGET='"$*"' \
	    -DFUZZ_DIR='"$(abspath tests/fuzz)"' $(LDFLAGS) -o $@ tests/fuzz/fuzz_$*.c tests/fuzz/regress.c \
	    $(call stage_mod_objs,$(FUZZ_STAGE_$*)) $(LIB) $(LIBS) $(STAGE_LIBS_$(FUZZ_STAGE_$*))

# ---- libFuzzer builds ----------------------------------------------------------

# libFuzzer ships with clang's runtime libraries (Debian: libclang-rt-N-dev).
fuzz-deps:
	@mkdir -p $(FUZZ_BUILD)
	@probe='int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n); \
	int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }'; \
	if echo "$$probe" | $(FUZZ_CC) -fsanitize=fuzzer -x c - -o $(FUZZ_BUILD)/.probe 2>/dev/null; then \
	    rm -f $(FUZZ_BUILD)/.probe; exit 0; fi; \
	ver=$$($(FUZZ_CC) -dumpversion 2>/dev/null | cut -d. -f1); \
	if [ -n "$$ver" ]; then pkgs="libclang-rt-$$ver-dev"; else pkgs="clang libclang-rt-dev"; fi; \
	echo "fuzz: $(FUZZ_CC) cannot link libFuzzer; installing:$$pkgs"; \
	if [ "$$(id -u)" -eq 0 ]; then sudo=""; \
	elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; \
	else echo "fuzz: installing $$pkgs needs root" >&2; exit 1; fi; \
	$$sudo apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$pkgs >/dev/null && \
	echo "$$probe" | $(FUZZ_CC) -fsanitize=fuzzer -x c - -o $(FUZZ_BUILD)/.probe && rm -f $(FUZZ_BUILD)/.probe

$(FUZZ_BUILD)/obj/%.o: %.c $(wildcard common/*.h) $(wildcard stages/*/*.h) | fuzz-deps
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $<"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_LIB): $(COMMON_SRC:%.c=$(FUZZ_BUILD)/obj/%.o)
	@rm -f $@
	@ar rcs $@ $^

$(FUZZ_BINS): $(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB) \
		$$(call fuzz_mod_objs,$$(FUZZ_STAGE_$$*)) $(wildcard common/*.h stages/*/*.h) | fuzz-deps
	@echo "  FUZZLD  $@"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -Istages/$(FUZZ_STAGE_$*) $(FUZZ_DEFS) -o $@ $< \
	    $(call fuzz_mod_objs,$(FUZZ_STAGE_$*)) $(FUZZ_LIB) $(LIBS) $(STAGE_LIBS_$(FUZZ_STAGE_$*))

fuzz-build: $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz_%)

# One bounded run: new inputs go to $(FUZZ_BUILD)/corpus/<target> (the seeds in
# tests/fuzz/corpus/<target> and the saved crashes in tests/fuzz/regressions/<target>
# are only read: one not fixed yet is found again at once), crashes to
# $(FUZZ_BUILD)/artifacts/<target>/.
$(FUZZ_ALL:%=fuzz-run-%): fuzz-run-%: $(FUZZ_BUILD)/fuzz_%
	@rm -rf $(FUZZ_BUILD)/artifacts/$*
	@mkdir -p $(FUZZ_BUILD)/corpus/$* $(FUZZ_BUILD)/artifacts/$*
	@echo "  FUZZ    fuzz_$* for $(FUZZ_SECONDS) s (log: $(FUZZ_BUILD)/fuzz_$*.log)"
	@$< -max_total_time=$(FUZZ_SECONDS) -timeout=$(FUZZ_TIMEOUT) -print_final_stats=1 \
	    -artifact_prefix=$(FUZZ_BUILD)/artifacts/$*/ $(FUZZ_FLAGS_$*) $(FUZZ_ARGS) \
	    $(FUZZ_BUILD)/corpus/$* tests/fuzz/corpus/$* $(wildcard tests/fuzz/regressions/$*) \
	    >$(FUZZ_BUILD)/fuzz_$*.log 2>&1; \
	    echo $$? >$(FUZZ_BUILD)/fuzz_$*.status

fuzz: $(FUZZ_RUNS)
	@found=0; \
	for t in $(FUZZ_TARGETS); do \
	    log=$(FUZZ_BUILD)/fuzz_$$t.log; \
	    execs=$$(sed -n 's/^stat::number_of_executed_units: *//p' $$log | tail -n 1); \
	    [ -n "$$execs" ] || execs=$$(sed -n 's/^#\([0-9]*\).*/\1/p' $$log | tail -n 1); \
	    status=$$(cat $(FUZZ_BUILD)/fuzz_$$t.status 2>/dev/null || echo '?'); \
	    arts=$$(ls $(FUZZ_BUILD)/artifacts/$$t 2>/dev/null | tr '\n' ' '); \
	    if [ "$$status" = 0 ] && [ -z "$$arts" ]; then \
	        printf '%-14s %12s executions  nothing found\n' "fuzz_$$t" "$${execs:-?}"; \
	    else \
	        found=1; \
	        printf '%-14s %12s executions  FOUND (exit %s): %s-> %s\n' "fuzz_$$t" "$${execs:-?}" \
	            "$$status" "$${arts:-see log }" "$(FUZZ_BUILD)/artifacts/$$t/, $$log"; \
	        grep -m1 -E '^(==[0-9]+==ERROR|SUMMARY|fuzz invariant failed|.*runtime error)' $$log | sed 's/^/    /'; \
	    fi; \
	done; \
	[ $$found -eq 0 ] || { echo "fuzz: minimise with $(FUZZ_BUILD)/fuzz_<target> -minimize_crash=1 -runs=10000 FILE," \
	    "then save it under tests/fuzz/regressions/<target>/"; exit 1; }

fuzz-clean:
	rm -rf $(FUZZ_BUILD)

clean: fuzz-clean
