/* fuzz_conf: config text -> hb_conf_parse, then the same text as a topics
 * config (hb_classifier_load) and as a figures config (hb_figures_load).
 *
 * Input: any bytes.  Checks:
 *   - hb_conf_parse returns NULL or a conf whose entries all have strings;
 *     keys are non-empty, keys and values have no surrounding blanks,
 *     sections have no blanks, lines grow; hb_conf_get finds each key's
 *     last value;
 *   - writing the entries back out as a config and parsing that gives the
 *     same entries (the format round-trips);
 *   - the loaders, fed the bytes through a memfd (/proc/self/fd/N), return
 *     NULL or an object that works: a classifier has topics and keywords and
 *     scores a few units within [0, 1]; a figures extractor finds figures
 *     inside the text it is given.
 * Errors are logged on stderr by the library: run with -close_fd_mask=2. */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "classifier.h"
#include "figures.h"
#include "hb_buf.h"
#include "hb_conf.h"
#include "hb_utf8.h"



static const char *const samples[] = {
    "上半年，全镇发展党员3名，新建高标准农田1200亩，争取资金330万元，带动就业超22000人。",
    "消灭撂荒土地*多亩，接待游客约1.5万人次，同比增长12.3%。",
    "",
};

static bool blank(char c)
{
    return c == ' ' || c == '\t';
}

static void check_conf(const hb_conf_t *c)
{
    int line = 0;
    for (size_t i = 0; i < c->n; i++) {
        const hb_conf_entry_t *e = &c->entries[i];
        FUZZ_CHECK(e->section && e->name && e->key && e->value);
        size_t kl = strlen(e->key), vl = strlen(e->value);
        FUZZ_CHECK(kl > 0 && !blank(e->key[0]) && !blank(e->key[kl - 1]));
        FUZZ_CHECK(strchr(e->key, '=') == NULL && strchr(e->key, '\n') == NULL);
        FUZZ_CHECK(vl == 0 || (!blank(e->value[0]) && !blank(e->value[vl - 1]) &&
                               e->value[vl - 1] != '\r'));
        FUZZ_CHECK(strpbrk(e->section, " \t]\n") == NULL);
        FUZZ_CHECK(strpbrk(e->name, "]\n") == NULL);
        FUZZ_CHECK(hb_utf8_valid(e->key, kl, NULL) && hb_utf8_valid(e->value, vl, NULL));
        FUZZ_CHECK(e->line > line);
        line = e->line;
        const char *v = hb_conf_get(c, e->section, e->key, NULL);
        FUZZ_CHECK(v != NULL);
    }
    for (size_t i = 0; i < c->n; i++) {
        const char *last = NULL;
        for (size_t j = 0; j < c->n; j++)
            if (!strcmp(c->entries[j].section, c->entries[i].section) &&
                !strcmp(c->entries[j].key, c->entries[i].key))
                last = c->entries[j].value;
        FUZZ_CHECK(hb_conf_get(c, c->entries[i].section, c->entries[i].key, NULL) == last);
    }
}

/* The entries written back as a config file. */
static void write_conf(const hb_conf_t *c, hb_buf_t *b)
{
    hb_buf_reset(b);
    hb_buf_puts(b, "# round trip\n"); /* line 1 is where a BOM is skipped */
    const char *sec = "", *name = "";
    for (size_t i = 0; i < c->n; i++) {
        const hb_conf_entry_t *e = &c->entries[i];
        if (strcmp(e->section, sec) || strcmp(e->name, name)) {
            hb_buf_printf(b, *e->name ? "[%s %s]\n" : "[%s%s]\n", e->section, e->name);
            sec = e->section;
            name = e->name;
        }
        hb_buf_printf(b, "%s = %s\n", e->key, e->value);
    }
}

static void check_round_trip(const hb_conf_t *c)
{
    hb_buf_t b;
    hb_buf_init(&b);
    write_conf(c, &b);
    hb_conf_t *d = hb_conf_parse("round-trip.conf", b.data, b.len);
    FUZZ_CHECK(d != NULL);
    FUZZ_CHECK(d->n == c->n);
    for (size_t i = 0; i < c->n; i++) {
        FUZZ_CHECK(!strcmp(c->entries[i].section, d->entries[i].section));
        FUZZ_CHECK(!strcmp(c->entries[i].name, d->entries[i].name));
        FUZZ_CHECK(!strcmp(c->entries[i].key, d->entries[i].key));
        FUZZ_CHECK(!strcmp(c->entries[i].value, d->entries[i].value));
    }
    hb_conf_free(d);
    hb_buf_release(&b);
}

static void try_classifier(const char *path, const char *text, size_t len)
{
    hb_classifier_t *cl = hb_classifier_load(path, NULL);
    if (!cl)
        return;
    size_t ntopics = hb_classifier_ntopics(cl);
    FUZZ_CHECK(ntopics > 0 && ntopics <= HB_MAX_TOPICS);
    FUZZ_CHECK(hb_classifier_nkeywords(cl) > 0);
    for (uint32_t i = 0; i < ntopics; i++)
        FUZZ_CHECK(hb_classifier_topic_id(cl, i) != NULL);
    FUZZ_CHECK(hb_classifier_topic_id(cl, (uint32_t)ntopics) == NULL);
    static hb_topics_t t;
    for (size_t k = 0; k <= sizeof samples / sizeof samples[0]; k++) {
        hb_text_ref_t unit = k < sizeof samples / sizeof samples[0]
                                 ? (hb_text_ref_t){samples[k], strlen(samples[k])}
                                 : (hb_text_ref_t){text, len}; /* the config's own words */
        hb_text_ref_t section[2] = {unit, {samples[0], strlen(samples[0])}};
        hb_classify(cl, section, k % 3, unit, (hb_unit_place_t){k & 1, k & 2}, &t);
        FUZZ_CHECK(t.n <= ntopics);
        FUZZ_CHECK(t.main >= -1 && t.main < (int)ntopics);
        FUZZ_CHECK(t.n == 0 ? t.main == -1 : t.main == (int)t.t[0].topic);
        for (size_t i = 0; i < t.n; i++) {
            FUZZ_CHECK(t.t[i].topic < ntopics);
            FUZZ_CHECK(!isnan(t.t[i].score) && t.t[i].score >= 0 && t.t[i].score <= 1);
        }
    }
    hb_classifier_free(cl);
}

static void try_figures(const char *path, const char *text, size_t len)
{
    hb_figures_t *f = hb_figures_load(path);
    if (!f)
        return;
    static hb_figure_t out[HB_MAX_FIGURES];
    for (size_t k = 0; k <= sizeof samples / sizeof samples[0]; k++) {
        const char *s = k < sizeof samples / sizeof samples[0] ? samples[k] : text;
        size_t n = k < sizeof samples / sizeof samples[0] ? strlen(samples[k]) : len;
        size_t got = hb_figures_extract(f, s, n, out, HB_MAX_FIGURES);
        FUZZ_CHECK(got <= HB_MAX_FIGURES);
        for (size_t i = 0; i < got; i++) {
            FUZZ_CHECK(out[i].raw >= s && out[i].raw_len > 0 &&
                       out[i].raw_len <= (size_t)(s + n - out[i].raw));
            FUZZ_CHECK(strnlen(out[i].unit, sizeof out[i].unit) < sizeof out[i].unit);
            FUZZ_CHECK(hb_utf8_valid(out[i].unit, strlen(out[i].unit), NULL));
        }
    }
    hb_figures_free(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int fd = -1;
    static char path[64];
    if (fd < 0) {
        fd = memfd_create("fuzz_conf", 0);
        FUZZ_CHECK(fd >= 0);
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    const char *text = (const char *)data;
    hb_conf_t *c = hb_conf_parse("fuzz.conf", text, size);
    if (c) {
        check_conf(c);
        check_round_trip(c);
        hb_conf_free(c);
    }

    FUZZ_CHECK(ftruncate(fd, 0) == 0);
    FUZZ_CHECK(size == 0 || pwrite(fd, data, size, 0) == (ssize_t)size);
    bool utf8 = hb_utf8_valid(text, size, NULL);
    try_classifier(path, utf8 ? text : "", utf8 ? size : 0);
    try_figures(path, utf8 ? text : "", utf8 ? size : 0);
    return 0;
}
