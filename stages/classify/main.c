/* huibao-classify: topics and figures for every unit.
 *
 * For each "unit": the topic scores from configs/topics.conf (one keyword
 * pass over the text and its headings) and the figures it quotes (one
 * regex pass), added as "topic", "topics" and "metrics"; the villages it
 * names, with their official codes when they are villages of the document's
 * town (the division list, hb_division.h).  Every other key of
 * the unit, and every other message type, passes through untouched.  Run as
 * many of these as there are cores. */
#include <stdlib.h>
#include <string.h>

#include "classifier.h"
#include "figures.h"
#include "hb_conf.h"
#include "hb_division.h"
#include "hb_log.h"
#include "hb_mem.h"
#include "hb_stage.h"
#include "hb_utf8.h"
#include "places.h"

typedef struct classify_opts {
    const char *topics;
    const char *figures;
    const char *places;
    int no_villages;
} classify_opts_t;

static const hb_opt_t classify_options[] = {
    {"topics", 't', HB_OPT_STR, offsetof(classify_opts_t, topics), NULL, "FILE",
     "topic keyword rules (default: configs/topics.conf here or beside the program)"},
    {"figures", 'f', HB_OPT_STR, offsetof(classify_opts_t, figures), NULL, "FILE",
     "figure rules (default: configs/figures.conf here or beside the program)"},
    {"places", 0, HB_OPT_STR, offsetof(classify_opts_t, places), NULL, "FILE",
     "the official division list's index, for the codes of villages (default: $HB_DIVISION, "
     "else data/division.idx here or beside the program; without it no village has a code)"},
    {"no-villages", 0, HB_OPT_FLAG, offsetof(classify_opts_t, no_villages), NULL, NULL,
     "name no villages (\"villages\" and \"village_codes\" stay empty) and skip the division "
     "list"},
    HB_OPT_END,
};

/* Words the keyword pass looks out for, so no other pass scans for them:
 * a unit without 村 or 社区 names no village, one without 十, 百 or 千 quotes
 * no figure in Chinese numerals, one without 某 no figure masked by it. */
enum { W_CUN, W_SHEQU, W_SHI, W_BAI, W_QIAN, W_MOU, N_WATCH };
static const char *const watch_words[N_WATCH + 1] = {
    [W_CUN] = "村", [W_SHEQU] = "社区", [W_SHI] = "十", [W_BAI] = "百", [W_QIAN] = "千",
    [W_MOU] = "某",
};
/* hb_topics_t.seen has bit i for watch_words[i]. */
enum {
    WATCH_VILLAGE = 1u << W_CUN | 1u << W_SHEQU,
    WATCH_NUMERAL_UNIT = 1u << W_SHI | 1u << W_BAI | 1u << W_QIAN,
    WATCH_MOU = 1u << W_MOU,
};

typedef struct classify_ctx {
    bool *drop; /* per pair of the unit being classified: not passed through */
    size_t drop_cap;
    hb_classifier_t *cl;
    hb_figures_t *fig;
    hb_places_t *places;
    hb_division_t *div; /* NULL without the division list */
    bool want_villages; /* not --no-villages */
    hb_topics_t topics;
    hb_figure_t figures[HB_MAX_FIGURES];
    hb_place_t villages[HB_MAX_PLACES];
} classify_ctx_t;

static void classify_exit(void *ctx)
{
    classify_ctx_t *c = ctx;
    hb_classifier_free(c->cl);
    hb_figures_free(c->fig);
    hb_places_free(c->places);
    hb_division_free(c->div);
    free(c->drop);
    free(c);
}

static int classify_init(hb_stage_t *st, const void *opts, void **ctx_out)
{
    const classify_opts_t *o = opts;
    (void)st;
    classify_ctx_t *c = calloc(1, sizeof *c);
    if (!c)
        return -1;
    char topics[4096], figures[4096];
    c->cl = hb_classifier_load(
        o->topics ? o->topics : hb_conf_default("topics.conf", topics, sizeof topics),
        watch_words);
    c->fig = c->cl ? hb_figures_load(o->figures ? o->figures
                                                : hb_conf_default("figures.conf", figures,
                                                                  sizeof figures))
                   : NULL;
    c->places = c->fig ? hb_places_new() : NULL;
    if (!c->places) {
        hb_figures_free(c->fig);
        hb_classifier_free(c->cl);
        free(c);
        return -1;
    }
    c->want_villages = !o->no_villages;
    char idx_buf[4096];
    const char *idx = !c->want_villages ? NULL
                      : o->places ? o->places
                                  : hb_division_default(idx_buf, sizeof idx_buf);
    c->div = idx ? hb_division_open(idx) : NULL;
    if (!c->div && o->places) {
        classify_exit(c);
        return -1;
    }
    if (!c->div)
        hb_debug("no division index: villages get no code");
    hb_debug("%zu topics, %zu keywords", hb_classifier_ntopics(c->cl),
             hb_classifier_nkeywords(c->cl));
    *ctx_out = c;
    return 0;
}


/* The keys of a unit that classify reads, replaces or drops, found in one
 * pass over its pairs: a look-up per key and a pass per copy cost a tenth
 * of classify's instructions.  As hb_msg_get, the first of a key counts. */
enum { F_TEXT, F_SECTION, F_KIND, F_OVERVIEW, F_KIND_CUE, F_TEXT_S, F_DOC_CODE, N_FIELDS, F_NONE };

static const struct unit_key {
    const char *name;
    size_t len;
    int field;   /* F_NONE: only dropped */
    bool dropped; /* replaced by what classify adds, or of no use downstream */
} unit_keys[] = {
#define KEY(name, field, dropped) {name, sizeof name - 1, field, dropped}
    KEY("v", F_NONE, true),          KEY("type", F_NONE, true),
    KEY("text", F_TEXT, false),      KEY("section", F_SECTION, false),
    KEY("kind", F_KIND, false),      KEY("overview", F_OVERVIEW, false),
    KEY("kind_cue", F_KIND_CUE, false), KEY("text_s", F_TEXT_S, true),
    KEY("doc_code", F_DOC_CODE, true), KEY("topic", F_NONE, true),
    KEY("topics", F_NONE, true),     KEY("metrics", F_NONE, true),
    KEY("villages", F_NONE, true),   KEY("village_codes", F_NONE, true),
#undef KEY
};

/* Fills field[] (NULL where absent) and c->drop; returns the pairs kept. */
static size_t read_unit(classify_ctx_t *c, const hb_msg_t *m, const msgpack_object **field)
{
    const msgpack_object_map *map = m->map;
    memset(field, 0, N_FIELDS * sizeof *field);
    if (map->size > c->drop_cap) {
        c->drop_cap = map->size;
        c->drop = hb_realloc(c->drop, c->drop_cap * sizeof *c->drop);
    }
    size_t kept = 0;
    for (uint32_t i = 0; i < map->size; i++) {
        const msgpack_object *k = &map->ptr[i].key;
        bool drop = false;
        for (size_t u = 0; k->type == MSGPACK_OBJECT_STR && k->via.str.size &&
                           u < sizeof unit_keys / sizeof unit_keys[0]; u++) {
            const struct unit_key *uk = &unit_keys[u];
            if (k->via.str.size == uk->len && k->via.str.ptr[0] == uk->name[0] &&
                !memcmp(k->via.str.ptr, uk->name, uk->len)) {
                drop = uk->dropped;
                if (uk->field != F_NONE && !field[uk->field])
                    field[uk->field] = &map->ptr[i].val;
                break;
            }
        }
        c->drop[i] = drop;
        kept += !drop;
    }
    return kept;
}

static bool is_true(const msgpack_object *o)
{
    return o && o->type == MSGPACK_OBJECT_BOOLEAN && o->via.boolean;
}

/* A string field as hb_msg_str gives it: 0, or -1 when absent or not a string. */
static int str_of(const msgpack_object *o, hb_text_ref_t *out)
{
    if (!o || o->type != MSGPACK_OBJECT_STR)
        return -1;
    *out = (hb_text_ref_t){o->via.str.size ? o->via.str.ptr : "", o->via.str.size};
    return 0;
}

static void pack_metrics(hb_pack_t *p, const hb_figure_t *fig, size_t n)
{
    hb_pack_key(p, "metrics");
    msgpack_pack_array(&p->pk, n);
    for (size_t i = 0; i < n; i++) {
        msgpack_pack_map(&p->pk, 8 + fig[i].has_max);
        hb_pack_kv_str(p, "raw", fig[i].raw, fig[i].raw_len);
        hb_pack_key(p, "value");
        if (fig[i].masked)
            msgpack_pack_nil(&p->pk);
        else
            hb_pack_number(p, fig[i].value);
        if (fig[i].has_max) {
            hb_pack_key(p, "max");
            hb_pack_number(p, fig[i].max);
        }
        hb_pack_kv_cstr(p, "unit", fig[i].unit[0] ? fig[i].unit : NULL);
        hb_pack_key(p, "base_value");
        if (fig[i].masked)
            msgpack_pack_nil(&p->pk);
        else
            hb_pack_number(p, fig[i].base_value);
        hb_pack_kv_cstr(p, "base_unit", fig[i].base_unit);
        hb_pack_kv_bool(p, "masked", fig[i].masked);
        hb_pack_kv_cstr(p, "approx", fig[i].approx);
        hb_pack_key(p, "subject");
        if (fig[i].subject_len)
            hb_pack_str(p, fig[i].subject, fig[i].subject_len);
        else
            msgpack_pack_nil(&p->pk);
    }
}

/* "village_codes": for each village, its official code when it is one of
 * the villages of the document's town (doc_code, 9 digits), else nil. */
static void pack_village_codes(hb_pack_t *p, const hb_division_t *div,
                               const msgpack_object *doc_code, const hb_place_t *villages,
                               size_t n)
{
    hb_place_id_t town = HB_NO_PLACE;
    if (div && n && doc_code && doc_code->type == MSGPACK_OBJECT_STR &&
        doc_code->via.str.size == 9)
        town = hb_division_by_code(div, doc_code->via.str.ptr, 9);
    hb_pack_key(p, "village_codes");
    msgpack_pack_array(&p->pk, n);
    for (size_t i = 0; i < n; i++) {
        hb_place_id_t v = town == HB_NO_PLACE
                              ? HB_NO_PLACE
                              : hb_division_village(div, town, villages[i].s, villages[i].len);
        char code[13];
        hb_pack_cstr(p, v == HB_NO_PLACE ? NULL : hb_division_code(div, v, code));
    }
}

/* The place in text of a pointer into view (same offsets); others as they are. */
static const char *as_written(hb_text_ref_t view, hb_text_ref_t text, const char *p)
{
    return p && p >= view.s && p <= view.s + view.len ? text.s + (p - view.s) : p;
}

static int classify_unit(hb_stage_t *st, void *ctx, const hb_msg_t *m)
{
    classify_ctx_t *c = ctx;
    const msgpack_object *field[N_FIELDS];
    size_t kept = read_unit(c, m, field);
    hb_text_ref_t text, section[16];
    size_t depth = 0;
    if (str_of(field[F_TEXT], &text) != 0) {
        hb_warn("a unit without text; dropped");
        return HB_ERROR;
    }
    const msgpack_object *sec = field[F_SECTION];
    if (sec && sec->type == MSGPACK_OBJECT_ARRAY)
        for (uint32_t i = 0; i < sec->via.array.size && depth < 16; i++)
            if (sec->via.array.ptr[i].type == MSGPACK_OBJECT_STR)
                section[depth++] = (hb_text_ref_t){sec->via.array.ptr[i].via.str.ptr,
                                                   sec->via.array.ptr[i].via.str.size};
    /* The regex pass trusts its input to be UTF-8: check it here, at the edge. */
    if (!hb_utf8_valid(text.s, text.len, NULL))
        return hb_stage_reject(st, m, "unit text is not valid UTF-8") ? HB_ERROR : HB_DROP;
    for (size_t i = 0; i < depth; i++)
        if (!hb_utf8_valid(section[i].s, section[i].len, NULL))
            return hb_stage_reject(st, m, "section heading is not valid UTF-8") ? HB_ERROR
                                                                                : HB_DROP;
    hb_unit_place_t place = {is_true(field[F_OVERVIEW]) ||
                                 hb_obj_is_str(field[F_KIND], "preamble"),
                             is_true(field[F_KIND_CUE])};
    /* A traditional document's unit comes with its simplified form (text_s,
     * same length, same offsets): the rules read that, and what they find
     * is cut from the text as written. */
    hb_text_ref_t view = text;
    if (str_of(field[F_TEXT_S], &view) != 0 || view.len != text.len ||
        !hb_utf8_valid(view.s, view.len, NULL))
        view = text;
    hb_classify(c->cl, section, depth, view, place, &c->topics);
    size_t nfig = hb_figures_extract_known(c->fig, view.s, view.len,
                                           (c->topics.seen & WATCH_NUMERAL_UNIT) != 0,
                                           (c->topics.seen & WATCH_MOU) != 0,
                                           c->figures, HB_MAX_FIGURES);
    size_t nvil = c->want_villages && c->topics.seen & WATCH_VILLAGE
                      ? hb_places_extract(c->places, view.s, view.len, c->villages, HB_MAX_PLACES)
                      : 0;
    for (size_t i = 0; view.s != text.s && i < nfig; i++) {
        c->figures[i].raw = as_written(view, text, c->figures[i].raw);
        c->figures[i].subject = as_written(view, text, c->figures[i].subject);
    }

    hb_pack_t *p = hb_stage_pack(st);
    hb_pack_header(p, HB_T_UNIT, kept + 5);
    hb_pack_copy_pairs(p, m, c->drop);
    hb_pack_kv_cstr(p, "topic",
                    c->topics.main >= 0 ? hb_classifier_topic_id(c->cl, (uint32_t)c->topics.main)
                                        : NULL);
    hb_pack_key(p, "topics");
    msgpack_pack_array(&p->pk, c->topics.n);
    for (size_t i = 0; i < c->topics.n; i++) {
        msgpack_pack_map(&p->pk, 2);
        hb_pack_kv_cstr(p, "id", hb_classifier_topic_id(c->cl, c->topics.t[i].topic));
        hb_pack_key(p, "score");
        msgpack_pack_double(&p->pk, c->topics.t[i].score);
    }
    pack_metrics(p, c->figures, nfig);
    hb_pack_key(p, "villages");
    msgpack_pack_array(&p->pk, nvil);
    for (size_t i = 0; i < nvil; i++)
        hb_pack_str(p, c->villages[i].s, c->villages[i].len);
    pack_village_codes(p, c->div, field[F_DOC_CODE], c->villages, nvil);
    return hb_stage_emit(st) ? HB_ERROR : HB_DROP;
}

static const char *const classify_types[] = {HB_T_UNIT, NULL};

static const hb_filter_t classify_filter = {
    .name = "classify",
    .summary = "Add topics with scores and the figures each unit quotes.",
    .description =
        "Reads \"unit\" messages and adds \"topic\" (the main topic id), \"topics\" (ids with "
        "their share of the evidence, best first) and \"metrics\" (every quantity written with "
        "digits or masked digits: raw, value, unit, base_value and base_unit (multipliers "
        "folded in, units mapped by configs/figures.conf [base], so figures compare), "
        "masked, approx, subject). Keywords of every topic "
        "are matched in one pass; headings weigh more than the body. Start several: they share "
        "the work.",
    .options = classify_options,
    .options_size = sizeof(classify_opts_t),
    .types = classify_types,
    .in_bind = false,
    .out_bind = false,
    .init = classify_init,
    .on_message = classify_unit,
    .exit = classify_exit,
};

int main(int argc, char **argv)
{
    return hb_filter_main(&classify_filter, argc, argv);
}
