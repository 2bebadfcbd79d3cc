/* docsplit: what huibao-split does to one "doc" message — its units and its
 * doc_end (or a reject), packed and handed to an emit callback.
 *
 * huibao-split calls it for each doc it receives; huibao-read --split calls
 * it on the doc it has just packed (the fused mode `huibao run` starts by
 * default: no hop, no second decode of the text), so both send the very
 * same messages (docs/messages.md).
 *
 * Ownership: an hb_docsplit_t owns its splitter, its OpenCC converter and
 * its buffers; the caller owns the doc message and the packer it passes. */
#ifndef HB_DOCSPLIT_H
#define HB_DOCSPLIT_H

#include "hb_msg.h"
#include "hb_opt.h"

typedef struct hb_docsplit hb_docsplit_t;

/* The options both programs declare: --max-units and --furniture, filling
 * an hb_docsplit_opts_t at the offset given by the table's user.  --script
 * is split's own (HB_DOCSPLIT_SCRIPT_OPTION); the reader has its own
 * --script, which it copies into script. */
typedef struct hb_docsplit_opts {
    long max_units;
    const char *furniture; /* NULL: configs/furniture.conf */
    const char *script;    /* "auto" or "simplified" */
} hb_docsplit_opts_t;

#define HB_DOCSPLIT_OPTIONS(type, field)                                                        \
    {"max-units", 0, HB_OPT_INT, offsetof(type, field.max_units), "200000", "N",               \
     "reject a document that splits into more units than this", 1, 100000000},                 \
    {"furniture", 0, HB_OPT_STR, offsetof(type, field.furniture), NULL, "FILE",                \
     "page furniture rules (default: configs/furniture.conf here or beside the program)"}

#define HB_DOCSPLIT_SCRIPT_OPTION(type, field)                                                  \
    {"script", 0, HB_OPT_STR, offsetof(type, field.script), "auto", "WHICH",                   \
     "auto: a document in traditional characters is read through its simplified form; "        \
     "simplified: trust every input to be simplified (no detection, no conversion)"}

/* Loads the rules.  NULL after logging what is wrong. */
hb_docsplit_t *hb_docsplit_new(const hb_docsplit_opts_t *o);
void hb_docsplit_free(hb_docsplit_t *ds); /* NULL-safe */

/* Called once per message packed in p: 0, or -1 to stop (sending failed). */
typedef int (*hb_docsplit_emit_fn)(void *arg, hb_pack_t *p);

/* Splits doc: emits each unit, then the doc_end; or one reject (text not
 * UTF-8, more than --max-units units).  p is reset before each message.
 * 0 when the doc is consumed, -1 when it is unusable (no run, doc or text:
 * logged) or emit failed. */
int hb_docsplit_run(hb_docsplit_t *ds, const hb_msg_t *doc, hb_pack_t *p,
                    hb_docsplit_emit_fn emit, void *arg);

#endif
