/* hb_stage: the runtime of a filter stage — the C API a custom stage uses.
 *
 * A filter stage (split, classify, or yours) is a table, as a Fluent Bit
 * filter: its name, help text, declared options, the message types it wants,
 * and three callbacks.  hb_filter_main() does the rest: parses and documents
 * the options (--in, --out and the stage's own), opens the sockets, handles
 * signals, receives and decodes each message, forwards the types the stage
 * did not ask for untouched (no re-encoding), and sends what the stage emits.
 * Batches (hb_batch.h) are opened for the stage, which sees one message at a
 * time; what it emits for a frame, and for the frames already waiting behind
 * it, leaves as one batch as soon as no more input waits.
 *
 *   static int my_msg(hb_stage_t *st, void *ctx, const hb_msg_t *m)
 *   {
 *       hb_pack_t *p = hb_stage_pack(st);              // starts a new message
 *       hb_pack_header(p, HB_T_UNIT, hb_msg_count_except(m, skip) + 1);
 *       hb_pack_copy_except(p, m, skip);               // pass other keys through
 *       hb_pack_kv_cstr(p, "lang", "zh");
 *       return hb_stage_emit(st) ? HB_ERROR : HB_DROP; // the input is replaced
 *   }
 *   static const hb_filter_t my_filter = { .name = "tag", ... .on_message = my_msg };
 *   int main(int argc, char **argv) { return hb_filter_main(&my_filter, argc, argv); }
 *
 * Ownership: the runtime owns the sockets, the decoded message (valid only
 * during the callback) and the packer; the stage owns its ctx, made in init
 * and freed in exit. */
#ifndef HB_STAGE_H
#define HB_STAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "hb_log.h"
#include "hb_msg.h"
#include "hb_opt.h"

typedef struct hb_stage hb_stage_t;

/* Units are counted per document, so dropping and adding follow a rule
 * (docs/messages.md, "Dropping and adding units"):
 *  - HB_DROP for a unit with nothing emitted drops it: the runtime sends a
 *    "dropped" record in its place and the document completes without it;
 *  - a unit replaced by N > 1 units: each keeps the unit's "seq" and says
 *    "part" (0 … N-1) and "parts" (N, at most HB_MAX_PARTS), and the
 *    document's count grows by N - 1 (a unit that already has parts is not
 *    split again). */

enum hb_verdict {
    HB_PASS = 0,  /* forward the input message unchanged */
    HB_DROP = 1,  /* the input is consumed: replaced by what the stage emitted, or dropped */
    HB_ERROR = -1 /* the message could not be handled; the runtime logs and drops it */
};

typedef struct hb_filter {
    const char *name;        /* "classify": the program is huibao-classify */
    const char *summary;     /* one line for --help */
    const char *description; /* a paragraph for --help */
    const hb_opt_t *options; /* the stage's own options, HB_OPT_END-terminated; may be NULL */
    size_t options_size;     /* size of the struct the options fill; the runtime allocates it */
    const char *const *types; /* NULL-terminated types handed to on_message; NULL: all */
    bool in_bind, out_bind;  /* default for endpoints given without '@' or '>' */
    int (*init)(hb_stage_t *st, const void *opts, void **ctx); /* 0 or -1 (logged) */
    int (*on_message)(hb_stage_t *st, void *ctx, const hb_msg_t *m); /* an hb_verdict */
    void (*exit)(void *ctx);
} hb_filter_t;

/* Runs the stage until SIGINT/SIGTERM.  Returns the process exit status:
 * 0, 1 on a fatal error, 2 on a usage error. */
int hb_filter_main(const hb_filter_t *f, int argc, char **argv);

/* Resets and returns the stage's packer for a new outgoing message. */
hb_pack_t *hb_stage_pack(hb_stage_t *st);
/* Sends what was packed since hb_stage_pack(): in one batch with everything
 * else the stage emits for the frames received together, once no more input
 * waits (from init and exit: when they return).  0 or -1 (stopping). */
int hb_stage_emit(hb_stage_t *st);
/* Emits a "reject" for the document of m, with the stage's name and reason. */
int hb_stage_reject(hb_stage_t *st, const hb_msg_t *m, const char *reason);

#endif
