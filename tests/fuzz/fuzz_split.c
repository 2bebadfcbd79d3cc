/* fuzz_split: document text -> hb_splitter_run.
 *
 * Input: any bytes.  Like huibao-split, text that is not valid UTF-8 is
 * rejected before the splitter sees it.  Every unit is checked:
 *   - its text (non-empty) and every section span are valid UTF-8 without a
 *     line break, and lie inside the input, or else in a logical line the
 *     splitter joined from broken lines (then every byte is read, so ASan
 *     sees a span into freed memory);
 *   - depth <= HB_SPLIT_MAX_DEPTH, seqs are 0, 1, 2, … in call order;
 *   - kind is one of preamble / summary / problem / plan, kind_conf in (0, 1];
 *   - units inside the input come in reading order and do not overlap;
 *   - while no heading is pushed (info->headings unchanged) the section path
 *     stays the same, pointers and bytes: a heading kept in a scratch buffer
 *     that was overwritten since shows here;
 *   - info->units counts the callbacks; the title is valid UTF-8.
 * Set HB_FUZZ_SPLIT_STRICT=1 for the header's contract "unit and section
 * strings point into the caller's text" (joined lines break it).
 * The same input is then split again with a callback that stops at unit k:
 * the run must return the callback's value after exactly k calls. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "hb_buf.h"
#include "hb_utf8.h"
#include "hb_conf.h"
#include "splitter.h"



typedef struct check {
    const char *text;
    size_t len;
    uint32_t calls;
    const char *prev_end; /* end of the previous unit's text inside the input */
    uint32_t stop_at;     /* 1-based call that returns 7; 0 = never */
    const hb_split_info_t *info;
    /* the previous unit's section path, and a copy of its bytes */
    uint32_t headings;
    size_t depth;
    hb_span_t section[HB_SPLIT_MAX_DEPTH];
    hb_buf_t saved[HB_SPLIT_MAX_DEPTH];
} check_t;

static bool strict;

static bool inside(const check_t *c, const char *s, size_t len)
{
    return s >= c->text && s <= c->text + c->len && len <= (size_t)(c->text + c->len - s);
}

static int on_unit(void *arg, const hb_unit_t *u)
{
    check_t *c = arg;
    static const char *const kinds[] = {"preamble", "summary", "problem", "plan"};
    FUZZ_CHECK(u->seq == c->calls);
    c->calls++;
    FUZZ_CHECK(u->text.s != NULL && u->text.len > 0);
    FUZZ_CHECK(hb_utf8_valid(u->text.s, u->text.len, NULL));
    FUZZ_CHECK(memchr(u->text.s, '\n', u->text.len) == NULL);
    if (inside(c, u->text.s, u->text.len)) {
        FUZZ_CHECK(c->prev_end == NULL || u->text.s >= c->prev_end);
        c->prev_end = u->text.s + u->text.len;
    } else {
        FUZZ_CHECK(!strict);
    }
    FUZZ_CHECK(u->depth <= HB_SPLIT_MAX_DEPTH);
    for (size_t i = 0; i < u->depth && i < HB_SPLIT_MAX_DEPTH; i++) {
        FUZZ_CHECK(u->section[i].len == 0 || u->section[i].s != NULL);
        if (u->section[i].len) {
            FUZZ_CHECK(!strict || inside(c, u->section[i].s, u->section[i].len));
            FUZZ_CHECK(hb_utf8_valid(u->section[i].s, u->section[i].len, NULL));
            FUZZ_CHECK(memchr(u->section[i].s, '\n', u->section[i].len) == NULL);
        }
    }
    /* No heading pushed since the last unit: the same path, the same bytes. */
    if (c->calls > 1 && c->info->headings == c->headings) {
        FUZZ_CHECK(u->depth == c->depth);
        for (size_t i = 0; i < u->depth && i < HB_SPLIT_MAX_DEPTH; i++) {
            FUZZ_CHECK(u->section[i].s == c->section[i].s &&
                       u->section[i].len == c->section[i].len);
            FUZZ_CHECK(u->section[i].len == 0 ||
                       !memcmp(u->section[i].s, c->saved[i].data, u->section[i].len));
        }
    }
    c->headings = c->info->headings;
    c->depth = u->depth;
    for (size_t i = 0; i < u->depth && i < HB_SPLIT_MAX_DEPTH; i++) {
        c->section[i] = u->section[i];
        hb_buf_reset(&c->saved[i]);
        hb_buf_append(&c->saved[i], u->section[i].s, u->section[i].len);
    }
    bool known = false;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        known |= u->kind != NULL && strcmp(u->kind, kinds[i]) == 0;
    FUZZ_CHECK(known);
    FUZZ_CHECK(u->kind_conf > 0 && u->kind_conf <= 1);
    if (c->stop_at && c->calls == c->stop_at)
        return 7;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static hb_splitter_t *sp;
    static hb_split_info_t info;
    static check_t c, s;
    if (!sp) {
        char furniture[4096];
        sp = hb_splitter_new(hb_conf_default("furniture.conf", furniture, sizeof furniture));
        FUZZ_CHECK(sp != NULL);
        hb_buf_init(&info.title);
        const char *e = getenv("HB_FUZZ_SPLIT_STRICT");
        strict = e && *e == '1';
    }
    const char *text = (const char *)data;
    if (!hb_utf8_valid(text, size, NULL))
        return 0; /* the stage rejects it before splitting */

    c.text = text;
    c.len = size;
    c.calls = 0;
    c.prev_end = NULL;
    c.stop_at = 0;
    c.info = &info;
    int rc = hb_splitter_run(sp, text, size, 0, on_unit, &c, &info);
    FUZZ_CHECK(rc == 0);
    FUZZ_CHECK(info.units == c.calls);
    FUZZ_CHECK(info.title.len == 0 || info.title.data != NULL);
    if (info.title.len) {
        FUZZ_CHECK(hb_utf8_valid(info.title.data, info.title.len, NULL));
        FUZZ_CHECK(info.title.data[info.title.len] == '\0');
    }
    uint32_t total = c.calls;

    /* Stop early: the callback's value comes back after exactly stop_at calls. */
    if (total > 0) {
        s.text = text;
        s.len = size;
        s.calls = 0;
        s.prev_end = NULL;
        s.stop_at = 1 + (uint32_t)(size % total);
        s.info = &info;
        rc = hb_splitter_run(sp, text, size, 0, on_unit, &s, &info);
        FUZZ_CHECK(rc == 7);
        FUZZ_CHECK(s.calls == s.stop_at);
    }
    return 0;
}
