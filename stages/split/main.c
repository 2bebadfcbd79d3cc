/* huibao-split: documents in, units out.
 *
 * For each "doc" message: validate its text, run the splitter, emit one
 * "unit" per paragraph or item, then one "doc_end" that announces the unit
 * count and the title, so the aggregator can count the document complete.
 * Keys of the doc that split does not use travel on in doc_end. */
#include <stdlib.h>
#include <string.h>

#include "hb_conf.h"
#include "hb_script.h"
#include "hb_stage.h"
#include "hb_utf8.h"
#include "splitter.h"

typedef struct split_opts {
    long max_units;
    const char *furniture;
    const char *script;
} split_opts_t;

static const hb_opt_t split_options[] = {
    {"max-units", 0, HB_OPT_INT, offsetof(split_opts_t, max_units), "200000", "N",
     "reject a document that splits into more units than this", 1, 100000000},
    {"furniture", 0, HB_OPT_STR, offsetof(split_opts_t, furniture), NULL, "FILE",
     "page furniture rules (default: configs/furniture.conf here or beside the program)"},
    {"script", 0, HB_OPT_STR, offsetof(split_opts_t, script), "auto", "WHICH",
     "auto: a document in traditional characters is read through its simplified form; "
     "simplified: trust every input to be simplified (no detection, no conversion)"},
    HB_OPT_END,
};

typedef struct split_ctx {
    hb_splitter_t *sp;
    hb_script_t *script;
    hb_buf_t simple;  /* the simplified view of a traditional document */
    bool converted;   /* this document is read through it */
    bool detect;      /* --script auto */
    hb_split_info_t info;
    long max_units;
    hb_stage_t *st;
    const hb_msg_t *doc;
    const msgpack_object *run, *id;
    const msgpack_object *code; /* the document's place code, NULL when none */
} split_ctx_t;

static int split_init(hb_stage_t *st, const void *opts, void **ctx_out)
{
    const split_opts_t *o = opts;
    split_ctx_t *c = calloc(1, sizeof *c);
    if (!c)
        return -1;
    if (strcmp(o->script, "auto") != 0 && strcmp(o->script, "simplified") != 0) {
        hb_error("split: --script %s: expected auto or simplified", o->script);
        free(c);
        return -1;
    }
    c->detect = strcmp(o->script, "auto") == 0;
    char furniture[4096];
    c->sp = hb_splitter_new(o->furniture ? o->furniture
                                         : hb_conf_default("furniture.conf", furniture,
                                                           sizeof furniture));
    if (!c->sp) {
        free(c);
        return -1;
    }
    c->script = c->detect ? hb_script_new() : NULL; /* simplified: OpenCC not loaded */
    if (c->detect && !c->script) {
        hb_splitter_free(c->sp);
        free(c);
        return -1;
    }
    hb_buf_init(&c->simple);
    hb_buf_init(&c->info.title);
    c->max_units = o->max_units;
    c->st = st;
    *ctx_out = c;
    return 0;
}

static void split_exit(void *ctx)
{
    split_ctx_t *c = ctx;
    hb_splitter_free(c->sp);
    hb_script_free(c->script);
    hb_buf_release(&c->simple);
    hb_buf_release(&c->info.title);
    free(c);
}

static int send_unit(void *arg, const hb_unit_t *u)
{
    split_ctx_t *c = arg;
    if ((long)u->seq >= c->max_units)
        return 1;
    hb_pack_t *p = hb_stage_pack(c->st);
    hb_pack_header(p, HB_T_UNIT, 12 + c->converted);
    hb_pack_key(p, "run");
    msgpack_pack_object(&p->pk, *c->run);
    hb_pack_key(p, "doc");
    msgpack_pack_object(&p->pk, *c->id);
    hb_pack_key(p, "doc_code"); /* for classify's villages */
    if (c->code)
        msgpack_pack_object(&p->pk, *c->code);
    else
        msgpack_pack_nil(&p->pk);
    hb_pack_kv_u64(p, "seq", u->seq);
    hb_pack_key(p, "section");
    msgpack_pack_array(&p->pk, u->depth);
    for (size_t i = 0; i < u->depth; i++)
        hb_pack_str(p, u->section[i].s, u->section[i].len);
    hb_pack_kv_cstr(p, "kind", u->kind);
    hb_pack_kv_bool(p, "kind_cue", u->kind_cue);
    hb_pack_key(p, "kind_conf");
    msgpack_pack_double(&p->pk, u->kind_conf);
    hb_pack_kv_str(p, "text", u->text.s, u->text.len);
    hb_pack_kv_bool(p, "item", u->item);
    hb_pack_kv_bool(p, "headed", u->headed);
    hb_pack_kv_bool(p, "overview", u->overview);
    if (c->converted) /* classify's rules read it; same length, same offsets */
        hb_pack_kv_str(p, "text_s", u->view.s, u->view.len);
    return hb_stage_emit(c->st) ? -1 : 0;
}

static int split_doc(hb_stage_t *st, void *ctx, const hb_msg_t *m)
{
    static const char *const skip[] = {"v", "type", "text", "furniture_share", "warning",
                                       "script", "year", NULL};
    split_ctx_t *c = ctx;
    const char *text;
    size_t len, bad;
    c->run = hb_msg_get(m, "run");
    c->id = hb_msg_get(m, "doc");
    c->code = hb_msg_get(m, "code");
    if (!c->run || !c->id || hb_msg_str(m, "text", &text, &len) != 0) {
        hb_warn("a doc message without run, doc or text; dropped");
        return HB_ERROR;
    }
    if (!hb_utf8_valid(text, len, &bad)) {
        char why[96];
        snprintf(why, sizeof why, "text is not valid UTF-8 at byte %zu", bad);
        return hb_stage_reject(st, m, why) ? HB_ERROR : HB_DROP;
    }
    uint64_t year = 0;
    if (hb_msg_u64(m, "year", &year) != 0 || year > 9999)
        year = 0; /* nil or absent: the splitter reads the title's */
    /* Traditional characters: the rules read the simplified view, made once
     * here; units stay as written.  A view whose characters do not line up
     * with the text (a conversion that changed a length) is not used. */
    c->converted = false;
    const msgpack_object *script = hb_msg_get(m, "script"); /* read looked already */
    bool traditional = c->detect && (script ? hb_obj_is_str(script, "traditional")
                                            : hb_script_traditional(text, len));
    if (traditional &&
        hb_script_simplify(c->script, text, len, &c->simple) == 0) {
        c->converted = c->simple.len == len && hb_script_aligned(text, c->simple.data, len);
        if (!c->converted) {
            char file[256];
            hb_msg_cstr(m, "file", file, sizeof file);
            hb_debug("%s: its simplified form does not line up with it; read as written", file);
        }
    }
    int rc = hb_splitter_run_view(c->sp, c->converted ? c->simple.data : text, text, len,
                                  (int)year, send_unit, c, &c->info);
    if (rc == 1) {
        char why[96];
        snprintf(why, sizeof why, "more than %ld units: raise --max-units if this is intended",
                 c->max_units);
        return hb_stage_reject(st, m, why) ? HB_ERROR : HB_DROP;
    }
    if (rc != 0)
        return HB_ERROR;
    hb_pack_t *p = hb_stage_pack(st);
    bool warn = c->info.furniture_warn;
    hb_pack_header(p, HB_T_DOC_END, hb_msg_count_except(m, skip) + 4 + warn + c->converted);
    hb_pack_copy_except(p, m, skip);
    /* The report's year: what its title or its text (furniture left out)
     * names, else the reader's (its path's, --meta's). */
    hb_pack_key(p, "year");
    if (c->info.year)
        msgpack_pack_uint64(&p->pk, (uint64_t)c->info.year);
    else if (year)
        msgpack_pack_uint64(&p->pk, year);
    else
        msgpack_pack_nil(&p->pk);
    hb_pack_kv_u64(p, "units", c->info.units);
    hb_pack_kv_str(p, "title", c->info.title.data ? c->info.title.data : "", c->info.title.len);
    /* The share of the text furniture rules dropped, to three places. */
    hb_pack_key(p, "furniture_share");
    msgpack_pack_double(&p->pk, len ? (double)(long)(1000.0 * c->info.furniture_bytes / len) / 1000 : 0);
    if (warn) {
        char what[128];
        snprintf(what, sizeof what, "furniture rules dropped %.0f%% of the text: check them",
                 len ? 100.0 * c->info.furniture_bytes / len : 0);
        hb_pack_kv_cstr(p, "warning", what);
    }
    if (c->converted)
        hb_pack_kv_cstr(p, "script", "traditional");
    return hb_stage_emit(st) ? HB_ERROR : HB_DROP;
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
