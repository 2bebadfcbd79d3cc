#include "docsplit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb_conf.h"
#include "hb_log.h"
#include "hb_regex.h"
#include "hb_script.h"
#include "hb_utf8.h"
#include "splitter.h"

struct hb_docsplit {
    hb_splitter_t *sp;
    hb_script_t *script;
    hb_buf_t simple;  /* the simplified view of a traditional document */
    bool converted;   /* this document is read through it */
    bool detect;      /* --script auto */
    hb_split_info_t info;
    long max_units;
    /* the document being split, and where its units go */
    hb_pack_t *p;
    hb_docsplit_emit_fn emit;
    void *arg;
    const msgpack_object *run, *id;
    const msgpack_object *code; /* the document's place code, NULL when none */
    char file[1024];            /* its file, named if a rule gives up on it */
};

hb_docsplit_t *hb_docsplit_new(const hb_docsplit_opts_t *o)
{
    if (strcmp(o->script, "auto") != 0 && strcmp(o->script, "simplified") != 0) {
        hb_error("split: --script %s: expected auto or simplified", o->script);
        return NULL;
    }
    hb_docsplit_t *ds = calloc(1, sizeof *ds);
    if (!ds)
        return NULL;
    ds->detect = strcmp(o->script, "auto") == 0;
    char furniture[4096];
    ds->sp = hb_splitter_new(o->furniture ? o->furniture
                                          : hb_conf_default("furniture.conf", furniture,
                                                            sizeof furniture));
    ds->script = ds->sp && ds->detect ? hb_script_new() : NULL; /* simplified: no OpenCC */
    if (!ds->sp || (ds->detect && !ds->script)) {
        hb_splitter_free(ds->sp);
        free(ds);
        return NULL;
    }
    hb_buf_init(&ds->simple);
    hb_buf_init(&ds->info.title);
    ds->max_units = o->max_units;
    return ds;
}

void hb_docsplit_free(hb_docsplit_t *ds)
{
    if (!ds)
        return;
    hb_splitter_free(ds->sp);
    hb_script_free(ds->script);
    hb_buf_release(&ds->simple);
    hb_buf_release(&ds->info.title);
    free(ds);
}

static int send_unit(void *arg, const hb_unit_t *u)
{
    hb_docsplit_t *ds = arg;
    if ((long)u->seq >= ds->max_units)
        return 1;
    hb_pack_t *p = ds->p;
    hb_pack_reset(p);
    hb_pack_header(p, HB_T_UNIT, 12 + ds->converted);
    hb_pack_key(p, "run");
    msgpack_pack_object(&p->pk, *ds->run);
    hb_pack_key(p, "doc");
    msgpack_pack_object(&p->pk, *ds->id);
    hb_pack_key(p, "doc_code"); /* for classify's villages */
    if (ds->code)
        msgpack_pack_object(&p->pk, *ds->code);
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
    if (ds->converted) /* classify's rules read it; same length, same offsets */
        hb_pack_kv_str(p, "text_s", u->view.s, u->view.len);
    return ds->emit(ds->arg, p) ? -1 : 0;
}

static int reject(hb_docsplit_t *ds, const hb_msg_t *m, const char *why)
{
    hb_pack_reset(ds->p);
    hb_pack_reject(ds->p, m, "split", why);
    return ds->emit(ds->arg, ds->p);
}

int hb_docsplit_run(hb_docsplit_t *ds, const hb_msg_t *m, hb_pack_t *p,
                    hb_docsplit_emit_fn emit, void *arg)
{
    static const char *const skip[] = {"v", "type", "text", "furniture_share", "warning",
                                       "script", "year", NULL};
    const char *text;
    size_t len, bad;
    ds->p = p;
    ds->emit = emit;
    ds->arg = arg;
    ds->run = hb_msg_get(m, "run");
    ds->id = hb_msg_get(m, "doc");
    ds->code = hb_msg_get(m, "code");
    hb_msg_cstr(m, "file", ds->file, sizeof ds->file);
    hb_regex_subject(ds->file);
    if (!ds->run || !ds->id || hb_msg_str(m, "text", &text, &len) != 0) {
        hb_warn("a doc message without run, doc or text; dropped");
        return -1;
    }
    if (!hb_utf8_valid(text, len, &bad)) {
        char why[96];
        snprintf(why, sizeof why, "text is not valid UTF-8 at byte %zu", bad);
        return reject(ds, m, why);
    }
    uint64_t year = 0;
    if (hb_msg_u64(m, "year", &year) != 0 || year > 9999)
        year = 0; /* nil or absent: the splitter reads the title's */
    /* Traditional characters: the rules read the simplified view, made once
     * here; units stay as written.  A view whose characters do not line up
     * with the text (a conversion that changed a length) is not used. */
    ds->converted = false;
    const msgpack_object *script = hb_msg_get(m, "script"); /* read looked already */
    bool traditional = ds->detect && (script ? hb_obj_is_str(script, "traditional")
                                             : hb_script_traditional(text, len));
    if (traditional && hb_script_simplify(ds->script, text, len, &ds->simple) == 0) {
        ds->converted = ds->simple.len == len && hb_script_aligned(text, ds->simple.data, len);
        if (!ds->converted) {
            char file[256];
            hb_msg_cstr(m, "file", file, sizeof file);
            hb_debug("%s: its simplified form does not line up with it; read as written", file);
        }
    }
    int rc = hb_splitter_run_view(ds->sp, ds->converted ? ds->simple.data : text, text, len,
                                  (int)year, send_unit, ds, &ds->info);
    if (rc == 1) {
        char why[96];
        snprintf(why, sizeof why, "more than %ld units: raise --max-units if this is intended",
                 ds->max_units);
        return reject(ds, m, why);
    }
    if (rc != 0)
        return -1;
    bool warn = ds->info.furniture_warn;
    hb_pack_reset(p);
    hb_pack_header(p, HB_T_DOC_END, hb_msg_count_except(m, skip) + 4 + warn + ds->converted);
    hb_pack_copy_except(p, m, skip);
    /* The report's year: what its title or its text (furniture left out)
     * names, else the reader's (its path's, --meta's). */
    hb_pack_key(p, "year");
    if (ds->info.year)
        msgpack_pack_uint64(&p->pk, (uint64_t)ds->info.year);
    else if (year)
        msgpack_pack_uint64(&p->pk, year);
    else
        msgpack_pack_nil(&p->pk);
    hb_pack_kv_u64(p, "units", ds->info.units);
    hb_pack_kv_str(p, "title", ds->info.title.data ? ds->info.title.data : "", ds->info.title.len);
    /* The share of the text furniture rules dropped, to three places. */
    hb_pack_key(p, "furniture_share");
    msgpack_pack_double(&p->pk,
                        len ? (double)(long)(1000.0 * ds->info.furniture_bytes / len) / 1000 : 0);
    if (warn) {
        char what[128];
        snprintf(what, sizeof what, "furniture rules dropped %.0f%% of the text: check them",
                 len ? 100.0 * ds->info.furniture_bytes / len : 0);
        hb_pack_kv_cstr(p, "warning", what);
    }
    if (ds->converted)
        hb_pack_kv_cstr(p, "script", "traditional");
    return emit(arg, p);
}
