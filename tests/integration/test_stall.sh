# A stage that hangs on one document (issue 15.3): the runtime's watchdog
# (--stall-timeout) ends the stage, the launcher starts it again, the run
# goes on, and the hung document, sent again, is finally given up after
# --attempts.  `timeout` only guards against the old hang.
. "$(dirname "$0")/lib.sh"

B=${BUILD:-build}
cat >"$TMP/hang.c" <<'CEOF'
/* Passes everything through, but never returns from the document whose
 * file name holds 002_. */
#include <string.h>
#include <unistd.h>
#include "hb_stage.h"

static int hang(hb_stage_t *st, void *ctx, const hb_msg_t *m)
{
    (void)st;
    (void)ctx;
    char file[4096];
    hb_msg_cstr(m, "file", file, sizeof file);
    if (strstr(file, "002_"))
        for (;;)
            pause();
    return HB_PASS;
}

static const char *const types[] = {HB_T_DOC, NULL};
static const hb_filter_t f = {.name = "hang", .summary = "hangs", .description = "hangs",
                              .types = types, .on_message = hang};
int main(int argc, char **argv) { return hb_filter_main(&f, argc, argv); }
CEOF
cc ${HB_SAN_FLAGS:-} -Icommon -o "$TMP/hb-hang" "$TMP/hang.c" "$B/libhuibao.a" -lzmq -lmsgpackc -lpcre2-8 -lopencc -lm -lpthread
check "the hanging stage builds" [ -x "$TMP/hb-hang" ]
cat >"$TMP/hang.conf" <<EOF2
[stage hang]
command = $TMP/hb-hang
options = --stall-timeout 1
[stage split]
[stage classify]
EOF2
timeout 120 "$BIN/huibao" run --no-progress --retry-after 4 --attempts 2 -c "$TMP/hang.conf" \
    -o "$TMP/out" tests/data/seeds >"$TMP/out.log" 2>"$TMP/err"
status=$?
check "the run ends with 3, not hangs (got $status)" [ $status -eq 3 ]
check "the stage says it held a message too long" grep -q "huibao-hang: error: held one message (document [0-9]*) for more than 1 s (--stall-timeout)" "$TMP/err"
check "and the launcher started it again" grep -q "hang worker (pid [0-9]*) exited with status 70; starting it again" "$TMP/err"
# What the hung process held (its output batch, the documents queued behind
# it) is lost with it and sent again: those may be given up too.
check "every document is written or in errors.jsonl" \
    [ $(($(wc -l <"$TMP/out/docs.jsonl") + $(wc -l <"$TMP/out/errors.jsonl"))) -eq 5 ]
check "the hung one is given up" grep -q '002_.*not acknowledged after 2 attempts' "$TMP/out/errors.jsonl"
