# make check-valgrind: memcheck over the cmocka unit tests and over one whole
# pipeline run with every program under valgrind (included by the Makefile).
#
#   make check-valgrind
#   make check-valgrind VG_OPTS=--track-origins=yes
#
# Builds its own copy (OPT=-O1, no sanitizers) in $(VG_BUILD)/ (inside build/,
# so git ignores it and make clean removes it); the normal build is untouched.
# Each unit test runs under `valgrind --error-exitcode=1 --leak-check=full`.
# For the pipeline, $(VG_BUILD)/valgrind/bin/ holds a copy of the launcher
# (it finds the stage programs beside its own /proc/self/exe) and, for every
# huibao-* program, a wrapper script that execs valgrind on the real one; the
# launcher itself runs under valgrind too.  One run reads the seeds plus a
# few awkward files (GB18030, UTF-16, empty, binary) and must equal the same
# run without valgrind; every program's log must end "ERROR SUMMARY: 0
# errors".  One suppression is generated: glibc's own ld.so strncmp false
# positive when iconv dlopens a gconv module (is_dst in dl-load.c), seen in
# test_read_decode.
# Prints TAP lines and "N passed, N failed"; fails when anything failed.
# Logs stay in $(VG_BUILD)/valgrind/.

VALGRIND ?= valgrind
VG_BUILD ?= build/valgrind
VG_OPTS  ?=
VG_FLAGS  = --error-exitcode=1 --leak-check=full --suppressions=$(VG_DIR)/ld.supp $(VG_OPTS)
VG_UNIT_BINS = $(UNIT_SRC:tests/unit/%.c=$(VG_BUILD)/tests/%)
VG_DIR    = $(CURDIR)/$(VG_BUILD)/valgrind

.PHONY: check-valgrind check-valgrind-clean
check-valgrind:
	@command -v $(VALGRIND) >/dev/null || { echo "check-valgrind: $(VALGRIND) not found (apt-get install valgrind)"; exit 1; }
	@$(MAKE) --no-print-directory BUILD=$(VG_BUILD) BIN=$(VG_BUILD)/bin OPT=-O1 SAN= all $(VG_UNIT_BINS)
	@vg="$(VALGRIND) $(VG_FLAGS)"; logs=$(VG_DIR); pass=0; fail=0; \
	rm -rf $$logs; mkdir -p $$logs/bin $$logs/extra; \
	for k in Addr8 Addr16; do \
	    printf '{\n   glibc ld.so reads past strdup in is_dst (dlopen of a gconv module by iconv)\n   Memcheck:%s\n   fun:strncmp\n   fun:is_dst\n}\n' $$k; \
	done >$$logs/ld.supp; \
	ok() { echo "ok - $$*"; pass=$$((pass + 1)); }; \
	bad() { echo "not ok - $$*"; fail=$$((fail + 1)); }; \
	for t in $(VG_UNIT_BINS); do \
	    n=$${t##*/}; \
	    if CMOCKA_MESSAGE_OUTPUT=TAP timeout 900 $$vg --log-file=$$logs/$$n.log $$t >$$logs/$$n.out 2>&1; then \
	        ok "valgrind: $$n ($$(grep -c '^ok ' $$logs/$$n.out) tests)"; \
	    else \
	        bad "valgrind: $$n (see $$logs/$$n.log)"; \
	        { grep '^not ok' $$logs/$$n.out; grep -A12 -m3 -E '^==[0-9]+== (Invalid|Conditional|Use of|Syscall|Mismatched|[0-9,]+ bytes in)' $$logs/$$n.log; } \
	            | head -n 40 | sed 's/^/    | /'; \
	    fi; \
	done; \
	cp $(VG_BUILD)/bin/huibao $$logs/bin/huibao; \
	ln -s $(CURDIR)/configs $$logs/configs; \
	for p in $(VG_BUILD)/bin/huibao-*; do \
	    n=$${p##*/}; \
	    printf '#!/bin/sh\nexec %s --log-file=%s/%s.%%p.log %s "$$@"\n' "$$vg" "$$logs" "$$n" "$(CURDIR)/$$p" >$$logs/bin/$$n; \
	    chmod +x $$logs/bin/$$n; \
	done; \
	seed=tests/data/seeds/001_3477a166fcf9d86b.txt; \
	iconv -f UTF-8 -t GB18030 $$seed >$$logs/extra/gbk.txt; \
	iconv -f UTF-8 -t UTF-16 $$seed >$$logs/extra/utf16.txt; \
	: >$$logs/extra/empty.txt; \
	printf '\211PNG\r\n\032\n\0\0\0\rIHDR' >$$logs/extra/binary.txt; \
	$(VG_BUILD)/bin/huibao run -q -j 2 -o $$logs/plain tests/data/seeds $$logs/extra >/dev/null 2>&1; \
	want=$$?; \
	timeout 900 $$vg --log-file=$$logs/huibao.%p.log $$logs/bin/huibao run -j 2 --no-progress \
	    -o $$logs/out tests/data/seeds $$logs/extra >$$logs/run.out 2>$$logs/run.err; \
	status=$$?; \
	if [ $$status -eq 3 ] && [ $$want -eq 3 ]; then ok "valgrind: huibao run exits 3 (2 of 4 awkward files rejected)"; \
	else bad "valgrind: huibao run exits $$status, without valgrind $$want (want 3)"; sed 's/^/    | /' $$logs/run.err | tail -n 20; fi; \
	for f in paragraphs.jsonl docs.jsonl errors.jsonl towns.csv; do \
	    sort $$logs/plain/$$f >$$logs/want.sorted 2>/dev/null; sort $$logs/out/$$f >$$logs/got.sorted 2>/dev/null; \
	    if [ -s $$logs/want.sorted ] && cmp -s $$logs/want.sorted $$logs/got.sorted; then \
	        ok "valgrind: $$f equals the run without valgrind"; \
	    else bad "valgrind: $$f differs from the run without valgrind"; fi; \
	done; \
	for p in $(VG_BUILD)/bin/huibao-*; do \
	    n=$${p##*/}; set -- $$logs/$$n.*.log; \
	    if [ ! -e "$$1" ]; then bad "valgrind: $$n never ran"; continue; fi; \
	    for l in "$$@"; do \
	        if grep -q 'ERROR SUMMARY: 0 errors' $$l; then ok "valgrind: $$n clean ($${l##*/})"; \
	        elif grep -q 'ERROR SUMMARY' $$l; then bad "valgrind: $$n has errors (see $$l)"; \
	            grep -A12 -m3 -E '^==[0-9]+== (Invalid|Conditional|Use of|Syscall|Mismatched|[0-9,]+ bytes in)' $$l | head -n 40 | sed 's/^/    | /'; \
	        else bad "valgrind: $$n did not finish under valgrind (killed?) (see $$l)"; fi; \
	    done; \
	done; \
	n=0; for l in $$logs/huibao.*.log; do grep -q 'ERROR SUMMARY' $$l || continue; n=$$((n + 1)); \
	    if grep -q 'ERROR SUMMARY: 0 errors' $$l; then ok "valgrind: the launcher clean ($${l##*/})"; \
	    else bad "valgrind: the launcher has errors (see $$l)"; fi; \
	done; \
	[ $$n -gt 0 ] || bad "valgrind: the launcher left no summary"; \
	echo "$$pass passed, $$fail failed"; \
	[ $$fail -eq 0 ]

check-valgrind-clean:
	rm -rf $(VG_BUILD)
