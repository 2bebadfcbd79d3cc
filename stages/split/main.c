/* huibao-split: documents in, units out.
 *
 * For each "doc" message: validate its text, run the splitter, emit one
 * "unit" per paragraph or item, then one "doc_end" that announces the unit
 * count and the title, so the aggregator can count the document complete.
 * Keys of the doc that split does not use travel on in doc_end.  The work
 * is docsplit.c's, which huibao-read --split also calls: `huibao run` runs
 * split in the reader unless a pipeline config places it. */
#include <stdlib.h>

#include "docsplit.h"
#include "hb_stage.h"

typedef struct split_opts {
    hb_docsplit_opts_t ds;
} split_opts_t;

static const hb_opt_t split_options[] = {
    HB_DOCSPLIT_OPTIONS(split_opts_t, ds),
    HB_DOCSPLIT_SCRIPT_OPTION(split_opts_t, ds),
    HB_OPT_END,
};

static int split_init(hb_stage_t *st, const void *opts, void **ctx_out)
{
    (void)st;
    const split_opts_t *o = opts;
    hb_docsplit_t *ds = hb_docsplit_new(&o->ds);
    *ctx_out = ds;
    return ds ? 0 : -1;
}

static void split_exit(void *ctx)
{
    hb_docsplit_free(ctx);
}

static int emit(void *st, hb_pack_t *p)
{
    (void)p; /* the stage's own packer */
    return hb_stage_emit(st);
}

static int split_doc(hb_stage_t *st, void *ctx, const hb_msg_t *m)
{
    return hb_docsplit_run(ctx, m, hb_stage_pack(st), emit, st) ? HB_ERROR : HB_DROP;
}

static const char *const split_types[] = {HB_T_DOC, NULL};

static const hb_filter_t split_filter = {
    .name = "split",
    .summary = "Split each report into its title, heading tree and units.",
    .description =
        "Reads \"doc\" messages, finds the title (also over two lines), the heading tree "
        "(一、 （一） 1. （1） ① 第一，) with headings that carry their body on the same line, "
        "cuts 一是/二是 enumerations into units, drops clutter, bylines and salutations, and "
        "gives each unit its section path and kind (preamble, summary, problem, plan). Emits "
        "one \"unit\" per unit and a \"doc_end\" with the count. Other message types pass "
        "through untouched.",
    .options = split_options,
    .options_size = sizeof(split_opts_t),
    .types = split_types,
    .in_bind = false,
    .out_bind = true,
    .init = split_init,
    .on_message = split_doc,
    .exit = split_exit,
};

int main(int argc, char **argv)
{
    return hb_filter_main(&split_filter, argc, argv);
}
