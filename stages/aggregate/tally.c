#include "tally.h"

#include <inttypes.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "hb_buf.h"
#include "hb_conf.h"
#include "hb_json.h"
#include "hb_log.h"
#include "hb_map.h"
#include "hb_mem.h"

static const char *const kind_names[HB_TALLY_KINDS] = {"preamble", "summary", "problem", "plan",
                                                       "other"};

/* One row of the per-year summary, or the total.  The topic counters are
 * sized to the topics known when the row was made and grow with them. */
typedef struct counts {
    int year;
    uint64_t docs, units;
    uint64_t kind[HB_TALLY_KINDS];
    uint32_t ntopic;
    uint64_t *topic;
} counts_t;

/* The rows of towns.csv, one per place and year, live in a temporary SQLite
 * database (a file in $TMPDIR, removed on close) with a bounded page cache:
 * a run over thousands of towns and years then holds the same memory as one
 * over a few.  Kinds and topics are blobs of uint64 counters. */
static const char schema[] =
    "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-1024;"
    "CREATE TABLE places(place TEXT NOT NULL, year INTEGER NOT NULL, docs INTEGER NOT NULL,"
    " units INTEGER NOT NULL, kinds BLOB, topics BLOB, PRIMARY KEY(place, year)) WITHOUT ROWID;"
    "BEGIN;";

struct hb_tally {
    char *topic[HB_TALLY_MAX_TOPICS];
    char *label[HB_TALLY_MAX_TOPICS]; /* Chinese, from the topics config; NULL if none */
    size_t ntopics;
    sqlite3 *db;
    sqlite3_stmt *get, *put; /* one place's row, read and written back */
    uint64_t nplaces;
    bool failed;             /* a database error was logged: towns.csv would be wrong */
    uint64_t *scratch;       /* one place's topic counters while it is updated */
    hb_map_t *years;         /* "year" -> counts_t: a few dozen */
    counts_t all;
    uint64_t rejects;
};

static int db_error(hb_tally_t *t, const char *what)
{
    hb_error("tally database (a temporary file in $TMPDIR): %s: %s; is that disk full? "
             "Set TMPDIR to a folder with room and rerun with --resume",
             what, t->db ? sqlite3_errmsg(t->db) : "cannot open");
    t->failed = true;
    return -1;
}

static int db_open(hb_tally_t *t)
{
    if (sqlite3_open("", &t->db) != SQLITE_OK)
        return db_error(t, "open");
    if (sqlite3_exec(t->db, schema, NULL, NULL, NULL) != SQLITE_OK)
        return db_error(t, "create");
    if (sqlite3_prepare_v2(t->db, "SELECT docs, units, kinds, topics FROM places "
                           "WHERE place = ?1 AND year = ?2", -1, &t->get, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(t->db, "INSERT OR REPLACE INTO places VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                           -1, &t->put, NULL) != SQLITE_OK)
        return db_error(t, "prepare");
    return 0;
}

hb_tally_t *hb_tally_new(const char *topics_conf)
{
    hb_tally_t *t = hb_calloc(1, sizeof *t);
    t->years = hb_map_new();
    t->scratch = hb_calloc(HB_TALLY_MAX_TOPICS, sizeof *t->scratch);
    if (db_open(t) != 0) {
        hb_tally_free(t);
        return NULL;
    }
    if (topics_conf) {
        hb_conf_t *c = hb_conf_load(topics_conf);
        if (!c) {
            hb_tally_free(t);
            return NULL;
        }
        for (size_t i = 0; i < c->n; i++) {
            const hb_conf_entry_t *e = &c->entries[i];
            if (strcmp(e->section, "topic") || !*e->name)
                continue;
            int k = hb_tally_topic(t, e->name, strlen(e->name));
            if (k >= 0 && !strcmp(e->key, "label") && !t->label[k])
                t->label[k] = hb_strdup(e->value); /* towns.csv's header */
        }
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
    for (size_t i = 0; i < t->ntopics; i++) {
        free(t->topic[i]);
        free(t->label[i]);
    }
    sqlite3_finalize(t->get);
    sqlite3_finalize(t->put);
    sqlite3_close(t->db);
    free(t->scratch);
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

static counts_t *year_counts(hb_tally_t *t, int year)
{
    char key[16];
    snprintf(key, sizeof key, "%d", year);
    counts_t *c = hb_map_get(t->years, key);
    if (!c) {
        c = hb_calloc(1, sizeof *c);
        c->year = year;
        hb_map_put(t->years, key, c);
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

/* Copies a blob of uint64 counters into dst (n of them, the rest zero). */
static void blob_counters(sqlite3_stmt *st, int col, uint64_t *dst, size_t n)
{
    size_t have = (size_t)sqlite3_column_bytes(st, col) / sizeof(uint64_t);
    memset(dst, 0, n * sizeof *dst);
    if (have)
        memcpy(dst, sqlite3_column_blob(st, col), (have < n ? have : n) * sizeof *dst);
}

/* Adds one document to its place and year's row. */
static int add_place(hb_tally_t *t, const char *place, int year, size_t units,
                     const int16_t *topics, const int8_t *kinds)
{
    if (t->failed)
        return -1;
    size_t ntopic = t->ntopics ? t->ntopics : 1;
    uint64_t docs = 0, sum = 0, kind[HB_TALLY_KINDS];
    bool new_place = false;
    sqlite3_bind_text(t->get, 1, place, -1, SQLITE_STATIC);
    sqlite3_bind_int(t->get, 2, year);
    int rc = sqlite3_step(t->get);
    if (rc == SQLITE_ROW) {
        docs = (uint64_t)sqlite3_column_int64(t->get, 0);
        sum = (uint64_t)sqlite3_column_int64(t->get, 1);
        blob_counters(t->get, 2, kind, HB_TALLY_KINDS);
        blob_counters(t->get, 3, t->scratch, ntopic);
    } else {
        memset(kind, 0, sizeof kind);
        memset(t->scratch, 0, ntopic * sizeof *t->scratch);
        new_place = true;
    }
    sqlite3_reset(t->get);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return db_error(t, "read");
    for (size_t i = 0; i < units; i++) {
        if (topics[i] >= 0)
            t->scratch[topics[i]]++;
        kind[kinds[i]]++;
    }
    sqlite3_bind_text(t->put, 1, place, -1, SQLITE_STATIC);
    sqlite3_bind_int(t->put, 2, year);
    sqlite3_bind_int64(t->put, 3, (sqlite3_int64)(docs + 1));
    sqlite3_bind_int64(t->put, 4, (sqlite3_int64)(sum + units));
    sqlite3_bind_blob(t->put, 5, kind, sizeof kind, SQLITE_STATIC);
    sqlite3_bind_blob(t->put, 6, t->scratch, (int)(ntopic * sizeof *t->scratch), SQLITE_STATIC);
    rc = sqlite3_step(t->put);
    sqlite3_reset(t->put);
    if (rc != SQLITE_DONE)
        return db_error(t, "write");
    t->nplaces += new_place;
    return 0;
}

void hb_tally_place_key(char *dst, size_t cap, const char *code, const char *province,
                        const char *city, const char *county, const char *town)
{
    const char *const field[] = {code, province, city, county, town};
    size_t n = 0;
    for (size_t i = 0; i < 5; i++) {
        if (i && n + 1 < cap)
            dst[n++] = '|';
        for (const char *p = field[i] ? field[i] : ""; *p && n + 1 < cap; p++)
            dst[n++] = *p == '|' ? '/' : *p;
    }
    if (cap)
        dst[n] = '\0';
}

int hb_tally_doc(hb_tally_t *t, const char *place, int year, size_t units,
                 const int16_t *topics, const int8_t *kinds)
{
    if (add_place(t, place ? place : "", year, units, topics, kinds) != 0)
        return -1; /* counted nowhere, as it is not journalled */
    add(year_counts(t, year), units, topics, kinds);
    add(&t->all, units, topics, kinds);
    return 0;
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

int hb_tally_doc_text(hb_tally_t *t, const char *place, int year, const char *units)
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
    int rc = hb_tally_doc(t, place, year, n, topics, kinds);
    free(topics);
    free(kinds);
    return rc;
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

static int by_year(const void *a, const void *b)
{
    const counts_t *x = *(counts_t *const *)a, *y = *(counts_t *const *)b;
    return (x->year > y->year) - (x->year < y->year);
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

/* A place key as its five columns, each followed by a comma. */
static void place_fields(FILE *f, const char *key)
{
    char field[256];
    size_t n = 0;
    if (!strchr(key, '|'))
        fputs(",,,,", f); /* a town alone */
    for (const char *p = key;; p++) {
        if (*p == '|' || !*p) {
            field[n] = '\0';
            csv_field(f, field);
            fputc(',', f);
            n = 0;
            if (!*p)
                break;
        } else if (n + 1 < sizeof field) {
            field[n++] = *p;
        }
    }
}

int hb_tally_write_csv(hb_tally_t *t, FILE *f)
{
    fputs("code,province,city,county,town,year,documents,units", f);
    for (size_t i = 0; i < t->ntopics; i++)
        if (t->label[i]) {
            fputc(',', f);
            csv_field(f, t->label[i]);
        } else
            fprintf(f, ",topic_%s", t->topic[i]);
    for (size_t i = 0; i < HB_TALLY_KINDS; i++)
        fprintf(f, ",kind_%s", kind_names[i]);
    fputc('\n', f);
    if (t->failed)
        return -1; /* logged when it happened */
    sqlite3_stmt *scan;
    if (sqlite3_prepare_v2(t->db, "SELECT place, year, docs, units, kinds, topics FROM places "
                           "ORDER BY place, year", -1, &scan, NULL) != SQLITE_OK)
        return db_error(t, "prepare");
    uint64_t kind[HB_TALLY_KINDS];
    uint64_t *topic = hb_calloc(t->ntopics ? t->ntopics : 1, sizeof *topic);
    int rc;
    while ((rc = sqlite3_step(scan)) == SQLITE_ROW) {
        place_fields(f, (const char *)sqlite3_column_text(scan, 0));
        if (sqlite3_column_int(scan, 1))
            fprintf(f, "%d", sqlite3_column_int(scan, 1));
        fprintf(f, ",%" PRId64 ",%" PRId64, (int64_t)sqlite3_column_int64(scan, 2),
                (int64_t)sqlite3_column_int64(scan, 3));
        blob_counters(scan, 4, kind, HB_TALLY_KINDS);
        blob_counters(scan, 5, topic, t->ntopics);
        for (size_t i = 0; i < t->ntopics; i++)
            fprintf(f, ",%" PRIu64, topic[i]);
        for (size_t i = 0; i < HB_TALLY_KINDS; i++)
            fprintf(f, ",%" PRIu64, kind[i]);
        fputc('\n', f);
    }
    free(topic);
    sqlite3_finalize(scan);
    if (rc != SQLITE_DONE)
        return db_error(t, "read");
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
                  ",\"places\":%" PRIu64 ",\"total\":",
                  complete ? "true" : "false", seconds, t->rejects, t->nplaces);
    json_counts(&b, t, &t->all);
    hb_buf_puts(&b, ",\"years\":{");
    size_t n = hb_map_size(t->years);
    counts_t **years = hb_calloc(n ? n : 1, sizeof *years);
    for (size_t i = 0; i < n; i++)
        years[i] = hb_map_value_at(t->years, i);
    qsort(years, n, sizeof *years, by_year);
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
