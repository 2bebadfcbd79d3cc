#include "tally.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "hb_buf.h"
#include "hb_conf.h"
#include "hb_json.h"
#include "hb_map.h"
#include "hb_mem.h"

static const char *const kind_names[HB_TALLY_KINDS] = {"preamble", "summary", "problem", "plan",
                                                       "other"};

/* One row of towns.csv (or of the per-year summary).  The topic counters
 * are sized to the topics known when the row was made and grow with them:
 * rows are kept for every town and year, so they must stay small. */
typedef struct counts {
    char town[64];
    int year;
    uint64_t docs, units;
    uint64_t kind[HB_TALLY_KINDS];
    uint32_t ntopic;
    uint64_t *topic;
} counts_t;

struct hb_tally {
    char *topic[HB_TALLY_MAX_TOPICS];
    size_t ntopics;
    hb_map_t *places; /* "town\tyear" -> counts_t */
    hb_map_t *years;  /* "year" -> counts_t */
    counts_t all;
    uint64_t rejects;
};

hb_tally_t *hb_tally_new(const char *topics_conf)
{
    hb_tally_t *t = hb_calloc(1, sizeof *t);
    t->places = hb_map_new();
    t->years = hb_map_new();
    if (topics_conf) {
        hb_conf_t *c = hb_conf_load(topics_conf);
        if (!c) {
            hb_tally_free(t);
            return NULL;
        }
        for (size_t i = 0; i < c->n; i++)
            if (!strcmp(c->entries[i].section, "topic") && *c->entries[i].name)
                hb_tally_topic(t, c->entries[i].name, strlen(c->entries[i].name));
        hb_conf_free(c);
    }
    return t;
}

static void free_values(hb_map_t *m)
{
    for (size_t i = 0; i < hb_map_size(m); i++) {
        counts_t *c = hb_map_value_at(m, i);
        free(c->topic);
        free(c);
    }
    hb_map_free(m);
}

/* The counter of topic t, growing the row when t is new to it. */
static uint64_t *topic_count(counts_t *c, int t)
{
    if ((uint32_t)t >= c->ntopic) {
        uint32_t n = (uint32_t)t + 8;
        c->topic = hb_realloc(c->topic, n * sizeof *c->topic);
        memset(c->topic + c->ntopic, 0, (n - c->ntopic) * sizeof *c->topic);
        c->ntopic = n;
    }
    return &c->topic[t];
}

static uint64_t topic_of(const counts_t *c, size_t t)
{
    return t < c->ntopic ? c->topic[t] : 0;
}

void hb_tally_free(hb_tally_t *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->ntopics; i++)
        free(t->topic[i]);
    free_values(t->places);
    free_values(t->years);
    free(t->all.topic);
    free(t);
}

int hb_tally_topic(hb_tally_t *t, const char *id, size_t len)
{
    if (!id)
        return -1;
    for (size_t i = 0; i < t->ntopics; i++)
        if (strlen(t->topic[i]) == len && !memcmp(t->topic[i], id, len))
            return (int)i;
    if (t->ntopics == HB_TALLY_MAX_TOPICS)
        return -1; /* counted in units, not in a column of its own */
    t->topic[t->ntopics] = hb_strndup(id, len);
    return (int)t->ntopics++;
}

int hb_tally_kind(const char *kind, size_t len)
{
    for (int i = 0; i < HB_TALLY_KINDS - 1; i++)
        if (kind && strlen(kind_names[i]) == len && !memcmp(kind_names[i], kind, len))
            return i;
    return HB_TALLY_KINDS - 1;
}

static counts_t *counts_for(hb_map_t *m, const char *key, const char *town, int year)
{
    counts_t *c = hb_map_get(m, key);
    if (!c) {
        c = hb_calloc(1, sizeof *c);
        snprintf(c->town, sizeof c->town, "%s", town);
        c->year = year;
        hb_map_put(m, key, c);
    }
    return c;
}

static void add(counts_t *c, size_t units, const int16_t *topics, const int8_t *kinds)
{
    c->docs++;
    c->units += units;
    for (size_t i = 0; i < units; i++) {
        if (topics[i] >= 0)
            (*topic_count(c, topics[i]))++;
        c->kind[kinds[i]]++;
    }
}

void hb_tally_doc(hb_tally_t *t, const char *town, int year, size_t units,
                  const int16_t *topics, const int8_t *kinds)
{
    char key[96];
    snprintf(key, sizeof key, "%s\t%d", town, year);
    add(counts_for(t->places, key, town, year), units, topics, kinds);
    snprintf(key, sizeof key, "%d", year);
    add(counts_for(t->years, key, "", year), units, topics, kinds);
    add(&t->all, units, topics, kinds);
}

void hb_tally_units_text(const hb_tally_t *t, size_t units, const int16_t *topics,
                         const int8_t *kinds, hb_buf_t *b)
{
    hb_buf_reset(b);
    for (size_t i = 0; i < units; i++) {
        if (i)
            hb_buf_putc(b, ' ');
        hb_buf_puts(b, topics[i] >= 0 ? t->topic[topics[i]] : "-");
        hb_buf_putc(b, '|');
        hb_buf_puts(b, kind_names[kinds[i]]);
    }
    if (!b->data)
        hb_buf_puts(b, "");
}

void hb_tally_doc_text(hb_tally_t *t, const char *town, int year, const char *units)
{
    size_t n = 0, cap = 16;
    int16_t *topics = hb_malloc(cap * sizeof *topics);
    int8_t *kinds = hb_malloc(cap * sizeof *kinds);
    for (const char *p = units; *p;) {
        size_t len = strcspn(p, " ");
        const char *bar = memchr(p, '|', len);
        if (bar) {
            if (n == cap) {
                cap *= 2;
                topics = hb_realloc(topics, cap * sizeof *topics);
                kinds = hb_realloc(kinds, cap * sizeof *kinds);
            }
            bool none = bar - p == 1 && p[0] == '-';
            topics[n] = (int16_t)(none ? -1 : hb_tally_topic(t, p, (size_t)(bar - p)));
            kinds[n] = (int8_t)hb_tally_kind(bar + 1, (size_t)(p + len - bar - 1));
            n++;
        }
        p += len + (p[len] == ' ');
    }
    hb_tally_doc(t, town, year, n, topics, kinds);
    free(topics);
    free(kinds);
}

void hb_tally_reject(hb_tally_t *t)
{
    t->rejects++;
}

uint64_t hb_tally_docs(const hb_tally_t *t)
{
    return t->all.docs;
}

uint64_t hb_tally_units(const hb_tally_t *t)
{
    return t->all.units;
}

uint64_t hb_tally_rejects(const hb_tally_t *t)
{
    return t->rejects;
}

static int by_place(const void *a, const void *b)
{
    const counts_t *x = *(counts_t *const *)a, *y = *(counts_t *const *)b;
    int c = strcmp(x->town, y->town);
    return c ? c : (x->year > y->year) - (x->year < y->year);
}

/* CSV field: quoted when it holds a comma, quote or line break. */
static void csv_field(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\n\r")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

int hb_tally_write_csv(const hb_tally_t *t, FILE *f)
{
    fputs("town,year,documents,units", f);
    for (size_t i = 0; i < t->ntopics; i++)
        fprintf(f, ",topic_%s", t->topic[i]);
    for (size_t i = 0; i < HB_TALLY_KINDS; i++)
        fprintf(f, ",kind_%s", kind_names[i]);
    fputc('\n', f);
    size_t n = hb_map_size(t->places);
    counts_t **rows = hb_calloc(n ? n : 1, sizeof *rows);
    for (size_t i = 0; i < n; i++)
        rows[i] = hb_map_value_at(t->places, i);
    qsort(rows, n, sizeof *rows, by_place);
    for (size_t r = 0; r < n; r++) {
        const counts_t *c = rows[r];
        csv_field(f, c->town);
        fputc(',', f);
        if (c->year)
            fprintf(f, "%d", c->year);
        fprintf(f, ",%" PRIu64 ",%" PRIu64, c->docs, c->units);
        for (size_t i = 0; i < t->ntopics; i++)
            fprintf(f, ",%" PRIu64, topic_of(c, i));
        for (size_t i = 0; i < HB_TALLY_KINDS; i++)
            fprintf(f, ",%" PRIu64, c->kind[i]);
        fputc('\n', f);
    }
    free(rows);
    return ferror(f) ? -1 : 0;
}

static void json_counts(hb_buf_t *b, const hb_tally_t *t, const counts_t *c)
{
    hb_buf_printf(b, "{\"documents\":%" PRIu64 ",\"units\":%" PRIu64 ",\"topics\":{", c->docs,
                  c->units);
    for (size_t i = 0; i < t->ntopics; i++) {
        hb_json_key(b, t->topic[i], i == 0);
        hb_buf_printf(b, "%" PRIu64, topic_of(c, i));
    }
    hb_buf_puts(b, "},\"kinds\":{");
    for (size_t i = 0; i < HB_TALLY_KINDS; i++) {
        hb_json_key(b, kind_names[i], i == 0);
        hb_buf_printf(b, "%" PRIu64, c->kind[i]);
    }
    hb_buf_puts(b, "}}");
}

int hb_tally_write_summary(const hb_tally_t *t, FILE *f, const char *run, bool complete,
                           double seconds)
{
    hb_buf_t b;
    hb_buf_init(&b);
    hb_buf_puts(&b, "{\"run\":");
    hb_json_cstr(&b, run);
    hb_buf_printf(&b, ",\"complete\":%s,\"seconds\":%.3f,\"rejected\":%" PRIu64
                  ",\"places\":%zu,\"total\":",
                  complete ? "true" : "false", seconds, t->rejects, hb_map_size(t->places));
    json_counts(&b, t, &t->all);
    hb_buf_puts(&b, ",\"years\":{");
    size_t n = hb_map_size(t->years);
    counts_t **years = hb_calloc(n ? n : 1, sizeof *years);
    for (size_t i = 0; i < n; i++)
        years[i] = hb_map_value_at(t->years, i);
    qsort(years, n, sizeof *years, by_place); /* all towns "" here: by year */
    for (size_t i = 0; i < n; i++) {
        const counts_t *c = years[i];
        char key[16];
        snprintf(key, sizeof key, "%d", c->year);
        hb_json_key(&b, c->year ? key : "unknown", i == 0);
        json_counts(&b, t, c);
    }
    free(years);
    hb_buf_puts(&b, "}}\n");
    fwrite(b.data, 1, b.len, f);
    hb_buf_release(&b);
    return ferror(f) ? -1 : 0;
}
