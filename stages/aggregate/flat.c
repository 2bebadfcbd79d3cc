#include "flat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hb_conf.h"
#include "hb_json.h"
#include "hb_log.h"
#include "hb_mem.h"

#define FLUSH_AT (64 * 1024)

enum { FIGURES, TOPICS, NFILES };

static const char *const names[NFILES] = {"figures.csv", "unit_topics.csv"};
static const char *const headers[NFILES] = {
    "doc,seq,part,code,province,city,county,town,year,kind,topic,topic_label,n,raw,value,unit,"
    "base_value,base_unit,masked,approx,subject,max\n",
    "doc,seq,part,code,province,city,county,town,year,kind,topic,topic_label,score,rank\n"};
/* A figure's keys, in the order of figures.csv's columns after n (and
 * of classify's figures). */
static const char *const figure_keys[] = {"raw",    "value",  "unit",    "base_value", "base_unit",
                                          "masked", "approx", "subject", "max"};
#define NFIGURE_KEYS (sizeof figure_keys / sizeof *figure_keys)

typedef struct topic_label {
    char *id, *label;
    size_t idlen;
} topic_label_t;

struct hb_flat {
    const char *dir;
    FILE *f[NFILES];
    hb_buf_t out[NFILES]; /* rows waiting to be written */
    hb_buf_t unit;        /* a unit's kind, topic and label columns */
    hb_buf_t scratch;
    topic_label_t *labels;
    size_t nlabels;
    bool failed;
};

/* A CSV field: quoted when it holds a comma, quote or line break. */
static void csv_text(hb_buf_t *b, const char *s, size_t n)
{
    if (!memchr(s, ',', n) && !memchr(s, '"', n) && !memchr(s, '\n', n) && !memchr(s, '\r', n)) {
        hb_buf_append(b, s, n);
        return;
    }
    hb_buf_putc(b, '"');
    for (const char *q; (q = memchr(s, '"', n)); n -= (size_t)(q + 1 - s), s = q + 1) {
        hb_buf_append(b, s, (size_t)(q + 1 - s));
        hb_buf_putc(b, '"');
    }
    hb_buf_append(b, s, n);
    hb_buf_putc(b, '"');
}

/* A value as a field: text as it is, numbers as paragraphs.jsonl writes
 * them, true/false as 1/0, nil empty, anything else as its JSON. */
static void csv_obj(hb_flat_t *f, hb_buf_t *b, const msgpack_object *o)
{
    if (!o)
        return;
    switch (o->type) {
    case MSGPACK_OBJECT_NIL:
        return;
    case MSGPACK_OBJECT_STR:
        csv_text(b, o->via.str.ptr, o->via.str.size);
        return;
    case MSGPACK_OBJECT_BOOLEAN:
        hb_buf_putc(b, o->via.boolean ? '1' : '0');
        return;
    case MSGPACK_OBJECT_POSITIVE_INTEGER:
    case MSGPACK_OBJECT_NEGATIVE_INTEGER:
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64:
        hb_json_obj(b, o);
        return;
    default:
        hb_buf_reset(&f->scratch);
        hb_json_obj(&f->scratch, o);
        csv_text(b, f->scratch.data, f->scratch.len);
    }
}

/* A map's value for key, looked for from *at on (then from the start):
 * classify writes a figure's keys in about the order of the columns, so
 * each is found at the first try. */
static const msgpack_object *map_get(const msgpack_object *map, const char *key, uint32_t *at)
{
    if (map->type != MSGPACK_OBJECT_MAP)
        return NULL;
    uint32_t n = map->via.map.size;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = (*at + k) % n;
        if (hb_obj_is_str(&map->via.map.ptr[i].key, key)) {
            *at = i + 1;
            return &map->via.map.ptr[i].val;
        }
    }
    return NULL;
}

/* "topic,label" of a topic id (a msgpack string or nil). */
static void topic_fields(hb_flat_t *f, hb_buf_t *b, const msgpack_object *id)
{
    if (id && id->type == MSGPACK_OBJECT_STR) {
        csv_text(b, id->via.str.ptr, id->via.str.size);
        hb_buf_putc(b, ',');
        for (size_t i = 0; i < f->nlabels; i++)
            if (f->labels[i].idlen == id->via.str.size &&
                !memcmp(f->labels[i].id, id->via.str.ptr, id->via.str.size)) {
                csv_text(b, f->labels[i].label, strlen(f->labels[i].label));
                break;
            }
    } else {
        hb_buf_putc(b, ',');
    }
}

static void put_u32(hb_buf_t *b, uint32_t v)
{
    char d[10];
    size_t n = 0;
    do
        d[sizeof d - ++n] = (char)('0' + v % 10);
    while ((v /= 10));
    hb_buf_append(b, d + sizeof d - n, n);
}

/* One row: its length (4 bytes, host order), then prefix and the columns
 * that open fills in. */
static size_t row_open(hb_buf_t *out, const hb_buf_t *prefix)
{
    size_t at = out->len;
    uint32_t zero = 0;
    hb_buf_append(out, &zero, sizeof zero);
    hb_buf_append(out, prefix->data, prefix->len);
    return at;
}

static void row_close(hb_buf_t *out, size_t at)
{
    hb_buf_putc(out, '\n');
    uint32_t len = (uint32_t)(out->len - at - sizeof len);
    memcpy(out->data + at, &len, sizeof len);
}

size_t hb_flat_unit(hb_flat_t *f, const hb_msg_t *unit, hb_buf_t *out)
{
    const msgpack_object *metrics = hb_msg_get(unit, "metrics");
    const msgpack_object *topics = hb_msg_get(unit, "topics");
    bool have_metrics = metrics && metrics->type == MSGPACK_OBJECT_ARRAY && metrics->via.array.size;
    bool have_topics = topics && topics->type == MSGPACK_OBJECT_ARRAY && topics->via.array.size;
    if (!have_metrics && !have_topics)
        return 0;
    size_t start = out->len;
    /* The figures' section length, then its rows, then the topics' rows. */
    uint32_t fig_bytes = 0;
    hb_buf_append(out, &fig_bytes, sizeof fig_bytes);
    hb_buf_reset(&f->unit);
    csv_obj(f, &f->unit, hb_msg_get(unit, "kind"));
    hb_buf_putc(&f->unit, ',');
    size_t kind_len = f->unit.len;
    topic_fields(f, &f->unit, hb_msg_get(unit, "topic"));
    hb_buf_putc(&f->unit, ',');
    for (uint32_t i = 0; have_metrics && i < metrics->via.array.size; i++) {
        const msgpack_object *m = &metrics->via.array.ptr[i];
        size_t at = row_open(out, &f->unit);
        put_u32(out, i);
        uint32_t from = 0;
        for (size_t k = 0; k < NFIGURE_KEYS; k++) {
            hb_buf_putc(out, ',');
            csv_obj(f, out, map_get(m, figure_keys[k], &from));
        }
        row_close(out, at);
    }
    fig_bytes = (uint32_t)(out->len - start - sizeof fig_bytes);
    memcpy(out->data + start, &fig_bytes, sizeof fig_bytes);
    /* kind, then each topic's id, label, score and rank */
    f->unit.len = kind_len;
    for (uint32_t i = 0; have_topics && i < topics->via.array.size; i++) {
        const msgpack_object *t = &topics->via.array.ptr[i];
        size_t at = row_open(out, &f->unit);
        uint32_t from = 0;
        topic_fields(f, out, map_get(t, "id", &from));
        hb_buf_putc(out, ',');
        csv_obj(f, out, map_get(t, "score", &from));
        hb_buf_putc(out, ',');
        put_u32(out, i + 1);
        row_close(out, at);
    }
    return out->len - start;
}

void hb_flat_place(const hb_msg_t *doc_end, hb_buf_t *place)
{
    static const char *const keys[] = {"code", "province", "city", "county", "town", "year"};
    hb_buf_reset(place);
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        if (i)
            hb_buf_putc(place, ',');
        const msgpack_object *o = hb_msg_get(doc_end, keys[i]);
        if (o && o->type == MSGPACK_OBJECT_STR)
            csv_text(place, o->via.str.ptr, o->via.str.size);
        else if (o && o->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
            hb_buf_printf(place, "%llu", (unsigned long long)o->via.u64);
    }
}

static int flush(hb_flat_t *f, int i)
{
    if (f->out[i].len && !f->failed && fwrite(f->out[i].data, 1, f->out[i].len, f->f[i]) != f->out[i].len) {
        hb_error("%s/%s: write failed: %s (%s)", f->dir, names[i], strerror(errno),
                 errno == EFBIG ? "output file size limit reached: see ulimit -f" : "disk full?");
        f->failed = true;
    }
    hb_buf_reset(&f->out[i]);
    return f->failed ? -1 : 0;
}

int hb_flat_flush(hb_flat_t *f)
{
    for (int i = 0; i < NFILES; i++)
        if (flush(f, i) != 0 || fflush(f->f[i]) != 0) {
            if (!f->failed)
                hb_error("%s/%s: write failed: %s", f->dir, names[i], strerror(errno));
            f->failed = true;
            return -1;
        }
    return 0;
}

int hb_flat_write_unit(hb_flat_t *f, uint64_t doc, uint32_t seq, uint32_t part,
                       const hb_buf_t *place, const char *rows, size_t len)
{
    uint32_t fig_bytes, n;
    if (len < sizeof fig_bytes)
        return 0;
    memcpy(&fig_bytes, rows, sizeof fig_bytes);
    char head[48];
    int headlen = snprintf(head, sizeof head, "%llu,%u,%u,", (unsigned long long)doc, seq, part);
    for (size_t at = sizeof fig_bytes; at + sizeof n <= len; at += sizeof n + n) {
        int i = at < sizeof fig_bytes + fig_bytes ? FIGURES : TOPICS;
        memcpy(&n, rows + at, sizeof n);
        hb_buf_append(&f->out[i], head, (size_t)headlen);
        hb_buf_append(&f->out[i], place->data, place->len);
        hb_buf_putc(&f->out[i], ',');
        hb_buf_append(&f->out[i], rows + at + sizeof n, n);
        if (f->out[i].len >= FLUSH_AT && flush(f, i) != 0)
            return -1;
    }
    return 0;
}

/* Resuming: the offset of the first row whose document is not kept (rows
 * are in the order documents were written, and the journal names a prefix
 * of them: hb_flat_flush() runs before each journal flush), or -1 when the
 * file has no whole header. */
static long keep_bytes(FILE *in, bool (*kept)(void *, uint64_t), void *arg)
{
    char buf[1 << 16];
    size_t n;
    long off = 0, row = -1; /* where the row being read began; -1 in the header */
    bool quoted = false, start = false, digits = false;
    uint64_t doc = 0;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        for (size_t i = 0; i < n; i++, off++) {
            char c = buf[i];
            if (start) { /* reading a row's first field, its document */
                if (c >= '0' && c <= '9') {
                    doc = doc * 10 + (uint64_t)(c - '0');
                    digits = true;
                    continue;
                }
                start = false;
                if (!digits || c != ',' || !kept(arg, doc))
                    return row;
            }
            if (c == '"')
                quoted = !quoted;
            else if (c == '\n' && !quoted) {
                row = off + 1;
                start = true;
                digits = false;
                doc = 0;
            }
        }
    return row; /* every whole row ends with a line break: a partial last one goes */
}

static int open_file(hb_flat_t *f, int i, bool bom, bool resume,
                     bool (*kept)(void *, uint64_t), void *arg)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", f->dir, names[i]);
    FILE *in = resume ? fopen(path, "r") : NULL;
    long keep = in ? keep_bytes(in, kept, arg) : -1;
    if (in)
        fclose(in);
    if (keep >= 0 && truncate(path, keep) != 0) {
        hb_error("%s: cannot cut back to %ld bytes to resume: %s", path, keep, strerror(errno));
        return -1;
    }
    if (resume && keep < 0)
        hb_warn("%s: %s; written afresh, without the documents of the run resumed", path,
                in ? "no header" : "missing");
    f->f[i] = fopen(path, keep >= 0 ? "a" : "w");
    if (!f->f[i]) {
        hb_error("%s: cannot create: %s", path, strerror(errno));
        return -1;
    }
    setvbuf(f->f[i], NULL, _IOFBF, 1 << 16);
    if (keep < 0) {
        if (bom)
            hb_buf_puts(&f->out[i], "\xEF\xBB\xBF"); /* so that Excel reads UTF-8 */
        hb_buf_puts(&f->out[i], headers[i]);
    }
    return 0;
}

hb_flat_t *hb_flat_open(const char *dir, const char *topics_conf, bool bom, bool resume,
                        bool (*kept)(void *arg, uint64_t doc), void *arg)
{
    hb_flat_t *f = hb_calloc(1, sizeof *f);
    f->dir = dir;
    for (int i = 0; i < NFILES; i++)
        hb_buf_init(&f->out[i]);
    hb_buf_init(&f->unit);
    hb_buf_init(&f->scratch);
    hb_conf_t *c = topics_conf ? hb_conf_load(topics_conf) : NULL;
    if (topics_conf && !c) {
        hb_flat_close(f);
        return NULL;
    }
    for (size_t i = 0; c && i < c->n; i++) {
        const hb_conf_entry_t *e = &c->entries[i];
        if (strcmp(e->section, "topic") || !*e->name || strcmp(e->key, "label"))
            continue;
        f->labels = hb_realloc(f->labels, (f->nlabels + 1) * sizeof *f->labels);
        f->labels[f->nlabels++] = (topic_label_t){hb_strdup(e->name), hb_strdup(e->value),
                                                  strlen(e->name)};
    }
    hb_conf_free(c);
    for (int i = 0; i < NFILES; i++)
        if (open_file(f, i, bom, resume, kept, arg) != 0) {
            hb_flat_close(f);
            return NULL;
        }
    return f;
}

int hb_flat_close(hb_flat_t *f)
{
    if (!f)
        return 0;
    int rc = 0;
    for (int i = 0; i < NFILES; i++) {
        if (f->f[i]) {
            rc |= flush(f, i);
            bool failed = ferror(f->f[i]);
            if ((fclose(f->f[i]) != 0 || failed) && !f->failed) {
                hb_error("%s/%s: could not be written completely: %s", f->dir, names[i],
                         strerror(errno));
                rc = -1;
            }
        }
        hb_buf_release(&f->out[i]);
    }
    for (size_t i = 0; i < f->nlabels; i++) {
        free(f->labels[i].id);
        free(f->labels[i].label);
    }
    free(f->labels);
    hb_buf_release(&f->unit);
    hb_buf_release(&f->scratch);
    free(f);
    return rc;
}
