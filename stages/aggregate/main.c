/* huibao-aggregate: units in, results out.
 *
 * Collects the units of each document until the document is complete (the
 * split stage's "doc_end" says how many there are), then, in the order of
 * the documents' ids, writes its units to paragraphs.jsonl, the document to
 * docs.jsonl, counts it in the tallies and acknowledges it to the reader.
 * Writing in id order makes the outputs the same bytes whatever the number
 * of workers; a document that is complete waits for those before it, which
 * the reader's window bounds.  Idempotent on (run, doc, seq):
 * a unit or document delivered twice is written once.  Its rows go to
 * results.sqlite as they come (results.c).  The run is complete
 * when the reader's "end" count of documents and rejects adds up; then
 * towns.csv, summary.json, report.html (report.c), figures.csv and
 * unit_topics.csv (flat.c) are written and the program exits: 0 when every
 * input was used, 3 when some were rejected. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hb_batch.h"
#include "hb_conf.h"
#include "hb_json.h"
#include "hb_log.h"
#include "hb_mem.h"
#include "hb_metrics.h"
#include "hb_msg.h"
#include "hb_opt.h"
#include "hb_sock.h"
#include "hb_utf8.h"
#include "hb_journal.h"
#include "flat.h"
#include "progress.h"
#include "report.h"
#include "results.h"
#include "hb_rundir.h"
#include "spool.h"
#include "tally.h"

/* Document ids come from the reader, counted from 0; a larger one is a bug
 * or a rogue peer and is refused rather than sized for. */
#define MAX_DOC_ID (1u << 28)
#define MAX_ACTIVE_DOCS 65536

typedef struct agg_opts {
    const char *in, *ctl, *acks, *outdir, *topics, *run, *metrics;
    long max_msg_mb, total_docs;
    double progress_every;
    int progress, quiet, verbose, resume, no_csv_bom, no_results_db;
} agg_opts_t;

static const hb_opt_t agg_options[] = {
    {"in", 'i', HB_OPT_STR, offsetof(agg_opts_t, in), NULL, "ENDPOINTS",
     "where units, doc_end and rejects arrive from the stages (default: bind)"},
    {"ctl", 'c', HB_OPT_STR, offsetof(agg_opts_t, ctl), NULL, "ENDPOINTS",
     "the reader's control channel: its rejects and end count (default: bind)"},
    {"acks", 'a', HB_OPT_STR, offsetof(agg_opts_t, acks), NULL, "ENDPOINTS",
     "the reader's acknowledgement socket (default: connect)"},
    {"output", 'o', HB_OPT_STR, offsetof(agg_opts_t, outdir), "out", "DIR",
     "folder for the results (created if missing)"},
    {"topics", 't', HB_OPT_STR, offsetof(agg_opts_t, topics), NULL, "FILE",
     "topic rules, for the order of the topic columns (default: configs/topics.conf here "
     "or beside the program)"},
    {"run", 'r', HB_OPT_STR, offsetof(agg_opts_t, run), NULL, "ID",
     "accept only this run (default: the first run seen)"},
    {"max-msg-mb", 0, HB_OPT_INT, offsetof(agg_opts_t, max_msg_mb), "256", "MB",
     "largest message accepted", 1, 4096},
    {"resume", 0, HB_OPT_FLAG, offsetof(agg_opts_t, resume), NULL, NULL,
     "continue the results in DIR (its resume.tsv) instead of starting afresh"},
    {"no-csv-bom", 0, HB_OPT_FLAG, offsetof(agg_opts_t, no_csv_bom), NULL, NULL,
     "write the CSV files without the UTF-8 byte order mark (Excel needs it to read UTF-8)"},
    {"no-results-db", 0, HB_OPT_FLAG, offsetof(agg_opts_t, no_results_db), NULL, NULL,
     "write neither results.sqlite nor report.html (faster; an earlier run's are removed)"},
    {"metrics", 0, HB_OPT_STR, offsetof(agg_opts_t, metrics), NULL, "HOST:PORT",
     "serve Prometheus metrics of the run at http://HOST:PORT/metrics, and write the last "
     "ones to metrics.prom in the output folder at the end"},
    {"progress", 0, HB_OPT_FLAG, offsetof(agg_opts_t, progress), NULL, NULL,
     "show how far the run is on stderr: a bar on a terminal, else a line now and then"},
    {"progress-every", 0, HB_OPT_DOUBLE, offsetof(agg_opts_t, progress_every), "5", "SECONDS",
     "with stderr not a terminal: a progress line this often (0: at every step)", 0, 3600},
    {"total-docs", 0, HB_OPT_INT, offsetof(agg_opts_t, total_docs), "0", "N",
     "the inputs of the run, for the progress share and time left (huibao run counts them)",
     0, 1L << 40},
    {"quiet", 'q', HB_OPT_FLAG, offsetof(agg_opts_t, quiet), NULL, NULL, "log errors only"},
    {"verbose", 'v', HB_OPT_FLAG, offsetof(agg_opts_t, verbose), NULL, NULL,
     "log debug details"},
    HB_OPT_END,
};

typedef struct unit_ref {
    uint64_t off;      /* its JSON fields in doc->json, then its CSV rows (flat.h) */
    uint32_t seq, len, flat_len;
    int16_t topic;
    int8_t kind;
    uint8_t part;      /* of a unit a stage turned into several (HB_MAX_PARTS) */
} unit_ref_t;

/* A seq a stage turned into several units: which parts are in. */
typedef struct split_seq {
    uint32_t seq, parts;
    uint64_t got;
} split_seq_t;

/* A document's output held in memory; the rest waits in a temporary file. */
#define DOC_MEMORY (256u * 1024u)

typedef struct doc {
    uint64_t id;
    int64_t expected;  /* units announced by doc_end; -1 until then */
    hb_spool_t json;   /* the units' JSON fields, back to back */
    unit_ref_t *units;
    size_t n, cap;
    uint8_t *have;     /* bitmap of seqs settled: a unit, all its parts, or dropped */
    size_t have_bytes;
    size_t settled;    /* bits set in have */
    split_seq_t *splits; /* seqs with parts still coming */
    size_t nsplits;
    hb_buf_t head;     /* "file":…,"doc":N, written before each unit's seq */
    hb_buf_t place;    /* "town":…,"county":…,"year":…,"title":… */
    hb_buf_t docline;  /* the docs.jsonl object, or the errors.jsonl one */
    hb_buf_t flat_place; /* the place columns of figures.csv and unit_topics.csv */
    uint64_t bytes;    /* of its input file, as doc_end says */
    bool ready;        /* complete, waiting for the documents before it */
    bool rejected;     /* docline goes to errors.jsonl */
    char file[4096];   /* the path's exact bytes */
    char place_key[512]; /* hb_tally_place_key */
    int year;
} doc_t;

/* What the aggregator counts per peer of --in for --metrics: the last
 * stage's workers, as ZeroMQ names them (Peer-Address). */
#define MAX_PEERS 256

typedef struct peer {
    char name[64];
    uint64_t frames, units, bytes;
} peer_t;

/* The reader's counts, from its "stats" messages over --ctl. */
typedef struct reader_stats {
    uint64_t sent, in_flight, window_bytes, resends, given_up, pending;
} reader_stats_t;

typedef struct aggregator {
    const agg_opts_t *o;
    void *in, *ctl, *acks;
    bool from_ctl;     /* the message being handled came over ctl */
    char run[128];
    bool have_run;
    doc_t **active;
    size_t nactive, capactive;
    uint8_t *done; /* bitmap of finished document ids */
    size_t done_bytes;
    uint64_t next_write; /* the lowest id not yet written, rejected or restored */
    uint64_t docs_finished, doc_rejects, free_rejects;
    bool end_seen;
    uint64_t end_docs, end_rejects;
    FILE *paragraphs, *docs, *errors;
    hb_journal_t *journal;
    size_t journal_asked; /* its lines held that the commit asked for last holds */
    hb_results_t *results;
    hb_flat_t *flat;
    hb_figtop_t *top;  /* for report.html, fed by results */
    hb_tally_t *tally;
    bool interrupted;  /* the reader was stopped before it read every input */
    uint64_t restored, restored_units; /* of the run resumed */
    uint64_t empty;    /* documents without a unit */
    hb_buf_t empty_names; /* the first few of them */
    uint64_t abandoned; /* documents the stopped reader no longer waits for */
    hb_buf_t line, units_text, flat_rows;
    hb_pack_t pack;
    double started;
    hb_progress_t progress;
    uint64_t bytes_read; /* of the documents whose doc_end came */
    uint64_t dropped;
    uint64_t stalls;  /* "stalled" notices: a stage's watchdog fired */
    hb_metrics_t *metrics; /* --metrics; NULL without */
    peer_t *peers;     /* MAX_PEERS of them, with --metrics */
    size_t npeers;
    peer_t *peer;      /* of the frame being handled; NULL from --ctl */
    reader_stats_t reader;
    uint64_t units_dropped, input_bytes, received_bytes;
    uint64_t foreign; /* messages of types the aggregator does not handle */
    uint64_t data_ends; /* end messages on the data socket (ignored) */
    unsigned long bad_frames; /* messages that were not valid msgpack messages */
} aggregator_t;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static bool bit(const uint8_t *map, size_t bytes, uint64_t i)
{
    return i / 8 < bytes && (map[i / 8] >> (i % 8)) & 1;
}

static void set_bit(uint8_t **map, size_t *bytes, uint64_t i)
{
    if (i / 8 >= *bytes) {
        size_t n = *bytes ? *bytes : 64;
        while (n <= i / 8)
            n *= 2;
        *map = hb_realloc(*map, n);
        memset(*map + *bytes, 0, n - *bytes);
        *bytes = n;
    }
    (*map)[i / 8] |= (uint8_t)(1u << (i % 8));
}

static doc_t *find_doc(aggregator_t *a, uint64_t id, bool create)
{
    for (size_t i = 0; i < a->nactive; i++)
        if (a->active[i]->id == id)
            return a->active[i];
    if (!create || a->nactive == MAX_ACTIVE_DOCS)
        return NULL;
    if (a->nactive == a->capactive) {
        a->capactive = a->capactive ? a->capactive * 2 : 64;
        a->active = hb_realloc(a->active, a->capactive * sizeof *a->active);
    }
    doc_t *d = hb_calloc(1, sizeof *d);
    d->id = id;
    d->expected = -1;
    hb_spool_init(&d->json, DOC_MEMORY);
    hb_buf_init(&d->head);
    hb_buf_init(&d->place);
    hb_buf_init(&d->docline);
    hb_buf_init(&d->flat_place);
    a->active[a->nactive++] = d;
    return d;
}

static void drop_doc(aggregator_t *a, doc_t *d)
{
    for (size_t i = 0; i < a->nactive; i++)
        if (a->active[i] == d) {
            a->active[i] = a->active[--a->nactive];
            break;
        }
    hb_spool_release(&d->json);
    hb_buf_release(&d->head);
    hb_buf_release(&d->place);
    hb_buf_release(&d->docline);
    hb_buf_release(&d->flat_place);
    free(d->units);
    free(d->have);
    free(d->splits);
    free(d);
}

static void send_ack(aggregator_t *a, uint64_t doc)
{
    hb_pack_reset(&a->pack);
    hb_pack_header(&a->pack, HB_T_ACK, 2);
    hb_pack_kv_cstr(&a->pack, "run", a->run);
    hb_pack_kv_u64(&a->pack, "doc", doc);
    /* The reader may be gone (it exits once all is acknowledged): never block. */
    if (hb_sock_send(a->acks, a->pack.buf.data, a->pack.buf.len, ZMQ_DONTWAIT) != 0)
        hb_debug("ack for document %llu not sent: %s", (unsigned long long)doc,
                 zmq_strerror(errno));
}

/* A stage hung on a document (its --stall-timeout fired): the reader is
 * told, so that a document it gives up is rejected in that stage's name. */
static void on_stalled(aggregator_t *a, const hb_msg_t *m)
{
    char stage[64];
    uint64_t doc;
    hb_msg_cstr(m, "stage", stage, sizeof stage);
    a->stalls++;
    if (hb_msg_u64(m, "doc", &doc) != 0 || doc >= MAX_DOC_ID) {
        hb_warn("stage %s stalled on a message of no document (--stall-timeout)", stage);
        return;
    }
    hb_pack_reset(&a->pack);
    hb_pack_header(&a->pack, HB_T_STALLED, 3);
    hb_pack_kv_cstr(&a->pack, "run", a->run);
    hb_pack_kv_u64(&a->pack, "doc", doc);
    hb_pack_kv_cstr(&a->pack, "stage", stage[0] ? stage : "?");
    if (hb_sock_send(a->acks, a->pack.buf.data, a->pack.buf.len, ZMQ_DONTWAIT) != 0)
        hb_debug("stall of document %llu not passed on: %s", (unsigned long long)doc,
                 zmq_strerror(errno));
}

/* The reader's counts, for --metrics. */
static void on_stats(aggregator_t *a, const hb_msg_t *m)
{
    static const char *const keys[] = {"sent", "in_flight", "window_bytes", "resends",
                                       "given_up", "pending", NULL};
    uint64_t *fields[] = {&a->reader.sent, &a->reader.in_flight, &a->reader.window_bytes,
                          &a->reader.resends, &a->reader.given_up, &a->reader.pending};
    for (size_t i = 0; keys[i]; i++)
        if (hb_msg_u64(m, keys[i], fields[i]) != 0)
            *fields[i] = 0;
}

/* The end is in: the reader may leave (everything it sent before the end
 * on the same connection has been handled). */
static void send_end_ack(aggregator_t *a)
{
    hb_pack_reset(&a->pack);
    hb_pack_header(&a->pack, HB_T_ACK, 2);
    hb_pack_kv_cstr(&a->pack, "run", a->run);
    hb_pack_kv_bool(&a->pack, "end", a->interrupted);
    if (hb_sock_send(a->acks, a->pack.buf.data, a->pack.buf.len, ZMQ_DONTWAIT) != 0)
        hb_debug("end acknowledgement not sent: %s", zmq_strerror(errno));
}

static int write_out(aggregator_t *a, FILE *f, const hb_buf_t *b, const char *name)
{
    if (fwrite(b->data, 1, b->len, f) != b->len) {
        hb_error("%s/%s: write failed: %s (%s)", a->o->outdir, name, strerror(errno),
                 errno == EFBIG ? "output file size limit reached: see ulimit -f" : "disk full?");
        return -1;
    }
    return 0;
}

static int by_seq(const void *x, const void *y)
{
    const unit_ref_t *p = x, *q = y;
    if (p->seq != q->seq)
        return (p->seq > q->seq) - (p->seq < q->seq);
    return (p->part > q->part) - (p->part < q->part);
}

/* A batch of documents is written: results.sqlite is asked to commit it,
 * and the journal's lines go out once the database holds their documents.
 * The commit runs in the database's writer thread while the next batch
 * comes in, so the lines of a batch are written when the next is: by then
 * its commit is done (or is waited for here). */
static int commit_batch(aggregator_t *a)
{
    if (hb_flat_flush(a->flat) != 0 || hb_results_sync(a->results) != 0 ||
        hb_journal_flush_to(a->journal, a->journal_asked) != 0)
        return -1;
    a->journal_asked = hb_journal_held(a->journal);
    return hb_results_commit(a->results);
}

/* Writes a document whose units are all here. */
static int write_doc(aggregator_t *a, doc_t *d)
{
    if (d->n) /* an empty document has no units array */
        qsort(d->units, d->n, sizeof *d->units, by_seq);
    int16_t *topics = hb_malloc((d->n ? d->n : 1) * sizeof *topics);
    int8_t *kinds = hb_malloc((d->n ? d->n : 1) * sizeof *kinds);
    /* In pieces of up to 64 KB: a long report's output is never held twice. */
    int rc = 0;
    hb_buf_reset(&a->line);
    for (size_t i = 0; i < d->n && rc == 0; i++) {
        const unit_ref_t *u = &d->units[i];
        char seq[32];
        hb_buf_putc(&a->line, '{');
        hb_buf_append(&a->line, d->head.data, d->head.len);
        hb_buf_append(&a->line, seq, (size_t)snprintf(seq, sizeof seq, ",\"seq\":%u,", u->seq));
        hb_buf_append(&a->line, d->place.data, d->place.len);
        if (u->len)
            hb_buf_putc(&a->line, ',');
        if (hb_spool_read(&d->json, u->off, u->len, &a->line) != 0) {
            rc = -1;
            break;
        }
        if (u->flat_len) {
            hb_buf_reset(&a->flat_rows);
            if (hb_spool_read(&d->json, u->off + u->len, u->flat_len, &a->flat_rows) != 0 ||
                hb_flat_write_unit(a->flat, d->id, u->seq, u->part, &d->flat_place,
                                   a->flat_rows.data, a->flat_rows.len) != 0) {
                rc = -1;
                break;
            }
        }
        hb_buf_append(&a->line, "}\n", 2);
        topics[i] = u->topic;
        kinds[i] = u->kind;
        if (a->line.len >= 64 * 1024 || i + 1 == d->n) {
            rc = write_out(a, a->paragraphs, &a->line, "paragraphs.jsonl");
            hb_buf_reset(&a->line);
        }
    }
    /* The units written: fewer than announced when a stage dropped some. */
    hb_buf_printf(&d->docline, ",\"units\":%zu,\"status\":", d->n);
    if (d->n) {
        hb_buf_puts(&d->docline, "\"ok\"}\n");
    } else {
        hb_buf_puts(&d->docline, d->expected ? "\"empty\",\"reason\":\"every unit was dropped "
                                               "by a filter stage\"}\n"
                                             : "\"empty\",\"reason\":\"no paragraph of report "
                                               "text: split kept no unit (too short, not "
                                               "Chinese, or only furniture)\"}\n");
        if (a->empty++ < 3) {
            hb_buf_puts(&a->empty_names, a->empty > 1 ? ", " : "");
            hb_utf8_sanitize(&a->empty_names, d->file, strlen(d->file));
        }
    }
    if (rc == 0)
        rc = write_out(a, a->docs, &d->docline, "docs.jsonl");
    if (rc == 0)
        rc = hb_tally_doc(a->tally, d->place_key, d->year, d->n, topics, kinds);
    if (rc == 0) {
        hb_tally_units_text(a->tally, d->n, topics, kinds, &a->units_text);
        hb_journal_entry_t e = {d->id, d->file, d->place_key, d->year, ftell(a->paragraphs),
                                ftell(a->docs), a->units_text.data};
        hb_journal_add(a->journal, &e);
        if (hb_results_finished(a->results))
            rc = commit_batch(a);
    }
    free(topics);
    free(kinds);
    return rc;
}

/* Writes, in id order, every document whose turn has come, and forgets
 * them.  Only what is written is acknowledged: the run stops on an error. */
static int commit(aggregator_t *a)
{
    for (;;) {
        if (bit(a->done, a->done_bytes, a->next_write)) {
            a->next_write++;
            continue;
        }
        doc_t *d = find_doc(a, a->next_write, false);
        if (!d || !d->ready)
            return 0;
        int rc = 0;
        if (d->rejected) {
            rc = write_out(a, a->errors, &d->docline, "errors.jsonl");
            hb_tally_reject(a->tally);
            a->doc_rejects++;
        } else {
            rc = write_doc(a, d);
            a->docs_finished++;
            a->input_bytes += d->bytes;
        }
        if (rc == 0) {
            set_bit(&a->done, &a->done_bytes, d->id);
            send_ack(a, d->id);
        }
        drop_doc(a, d);
        if (rc != 0)
            return rc;
    }
}

/* A document is complete: it is written when its turn comes. */
static int finish_doc(aggregator_t *a, doc_t *d)
{
    d->ready = true;
    return commit(a);
}

static bool check_run(aggregator_t *a, const hb_msg_t *m)
{
    const char *run;
    size_t len;
    if (hb_msg_str(m, "run", &run, &len) != 0 || len == 0 || len >= sizeof a->run) {
        hb_warn("a \"%.*s\" message without a valid run id; dropped", (int)m->type_len, m->type);
        return false;
    }
    if (!a->have_run) {
        memcpy(a->run, run, len);
        a->run[len] = '\0';
        a->have_run = true;
        hb_debug("run %s", a->run);
    }
    if (strlen(a->run) != len || memcmp(a->run, run, len) != 0) {
        if (a->dropped++ == 0)
            hb_warn("messages of another run (%.*s) arrive here; dropping them", (int)len, run);
        return false;
    }
    return true;
}

static bool doc_id(aggregator_t *a, const hb_msg_t *m, uint64_t *id)
{
    if (hb_msg_u64(m, "doc", id) != 0 || *id >= MAX_DOC_ID ||
        (a->end_seen && *id >= a->end_docs)) {
        hb_warn("a \"%.*s\" message with a missing or impossible document id; dropped",
                (int)m->type_len, m->type);
        return false;
    }
    return true;
}

static void obj_str(const hb_msg_t *m, const char *key, const char **s, size_t *len)
{
    if (hb_msg_str(m, key, s, len) != 0) {
        *s = NULL;
        *len = 0;
    }
}

/* The seq and, for a unit a stage turned into several, its part and parts
 * (1 part otherwise).  -1 when they are not valid. */
static int unit_id(const hb_msg_t *m, uint64_t *seq, uint64_t *part, uint64_t *parts)
{
    *part = 0;
    *parts = 1;
    if (hb_msg_u64(m, "seq", seq) != 0 || *seq >= UINT32_MAX)
        return -1;
    if (!hb_msg_get(m, "parts"))
        return 0;
    if (hb_msg_u64(m, "parts", parts) != 0 || hb_msg_u64(m, "part", part) != 0 || *parts < 1 ||
        *parts > HB_MAX_PARTS || *part >= *parts)
        return -1;
    return 0;
}

/* Counts a seq, or one of its parts, in: false when it is already in. */
static bool take(doc_t *d, uint32_t seq, uint32_t part, uint32_t parts)
{
    if (bit(d->have, d->have_bytes, seq))
        return false;
    if (parts > 1) {
        split_seq_t *sp = NULL;
        for (size_t i = 0; i < d->nsplits && !sp; i++)
            if (d->splits[i].seq == seq)
                sp = &d->splits[i];
        if (!sp) {
            d->splits = hb_realloc(d->splits, (d->nsplits + 1) * sizeof *d->splits);
            sp = &d->splits[d->nsplits++];
            *sp = (split_seq_t){.seq = seq, .parts = parts};
        }
        if (sp->parts != parts || (sp->got >> part & 1))
            return false;
        sp->got |= 1ull << part;
        if ((uint32_t)__builtin_popcountll(sp->got) < parts)
            return true;
    }
    set_bit(&d->have, &d->have_bytes, seq);
    d->settled++;
    return true;
}

static bool doc_complete(const doc_t *d)
{
    return d->expected >= 0 && d->settled == (size_t)d->expected;
}

static int on_unit(aggregator_t *a, const hb_msg_t *m, uint64_t id, bool dropped)
{
    static const char *const internal[] = {"v", "type", "run", "doc", "seq", "doc_code", NULL};
    uint64_t seq, part, parts;
    if (unit_id(m, &seq, &part, &parts) != 0) {
        hb_warn("a %s of document %llu without a valid seq (or part of parts); dropped",
                dropped ? "dropped record" : "unit", (unsigned long long)id);
        return 0;
    }
    if (bit(a->done, a->done_bytes, id))
        return 0; /* a late duplicate of a written document */
    doc_t *d = find_doc(a, id, true);
    if (!d) {
        hb_error("more than %d documents open at once; is the reader's --window sane?",
                 MAX_ACTIVE_DOCS);
        return -1;
    }
    if (d->rejected || (d->expected >= 0 && (int64_t)seq >= d->expected) ||
        !take(d, (uint32_t)seq, (uint32_t)part, (uint32_t)parts))
        return 0; /* rejected, duplicate, or beyond the announced count */
    if (dropped) {
        a->units_dropped++;
        return doc_complete(d) ? finish_doc(a, d) : 0;
    }
    if (hb_results_unit(a->results, id, seq, (uint32_t)part, m) != 0)
        return -1;
    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 32;
        d->units = hb_realloc(d->units, d->cap * sizeof *d->units);
    }
    unit_ref_t *u = &d->units[d->n++];
    u->seq = (uint32_t)seq;
    u->part = (uint8_t)part;
    u->off = hb_spool_size(&d->json);
    hb_buf_t *json = hb_spool_buf(&d->json);
    /* The unit's own fields, in its order, minus the internal keys. */
    bool first = true;
    for (uint32_t i = 0; i < m->map->size; i++) {
        const msgpack_object_kv *kv = &m->map->ptr[i];
        bool skip = kv->key.type != MSGPACK_OBJECT_STR;
        for (const char *const *k = internal; !skip && *k; k++)
            skip = hb_obj_is_str(&kv->key, *k);
        if (skip)
            continue;
        if (!first)
            hb_buf_putc(json, ',');
        first = false;
        hb_json_str(json, kv->key.via.str.ptr, kv->key.via.str.size);
        hb_buf_putc(json, ':');
        hb_json_obj(json, &kv->val);
    }
    u->len = (uint32_t)(hb_spool_size(&d->json) - u->off);
    u->flat_len = (uint32_t)hb_flat_unit(a->flat, m, json);
    hb_spool_settle(&d->json);
    const char *s;
    size_t len;
    obj_str(m, "topic", &s, &len);
    u->topic = (int16_t)hb_tally_topic(a->tally, s, len);
    obj_str(m, "kind", &s, &len);
    u->kind = (int8_t)hb_tally_kind(s, len);
    return doc_complete(d) ? finish_doc(a, d) : 0;
}

/* The document-level keys of doc_end, copied into the head of every unit. */
static void json_field(hb_buf_t *b, const hb_msg_t *m, const char *key, bool first)
{
    hb_json_key(b, key, first);
    const msgpack_object *o = hb_msg_get(m, key);
    if (o)
        hb_json_obj(b, o);
    else
        hb_buf_append(b, "null", 4);
}

static int hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* "file" (valid UTF-8), and "file_bytes" (the path's bytes in hex) when the
 * reader sent them because the name is not UTF-8.  The exact path goes to
 * path[0..len), for the journal. */
static void file_fields(hb_buf_t *b, const hb_msg_t *m, char *path, size_t len)
{
    const char *hex;
    size_t hexlen, n = 0;
    json_field(b, m, "file", true);
    hb_msg_cstr(m, "file", path, len);
    if (hb_msg_str(m, "file_bytes", &hex, &hexlen) != 0 || hexlen % 2 || hexlen / 2 >= len)
        return;
    for (size_t i = 0; i < hexlen; i += 2) {
        int hi = hex_digit(hex[i]), lo = hex_digit(hex[i + 1]);
        if (hi < 0 || lo < 0 || hi + lo == 0)
            return; /* not ours: "file" stands */
        path[n++] = (char)(hi * 16 + lo);
    }
    path[n] = '\0';
    json_field(b, m, "file_bytes", false);
}

static int on_doc_end(aggregator_t *a, const hb_msg_t *m, uint64_t id)
{
    static const char *const place_keys[] = {"town", "county", "year", "title", "province", "city",
                                             "code", "level", "place_candidates", NULL};
    static const char *const doc_keys[] = {"encoding", "bytes", NULL};
    /* Written only when split (or a custom stage) says them. */
    static const char *const doc_keys_opt[] = {"furniture_share", "warning", "script", NULL};
    uint64_t units;
    if (hb_msg_u64(m, "units", &units) != 0 || units > UINT32_MAX) {
        hb_warn("doc_end of document %llu without a unit count; dropped", (unsigned long long)id);
        return 0;
    }
    if (bit(a->done, a->done_bytes, id)) {
        send_ack(a, id); /* the reader sent it again: it missed our ack */
        return 0;
    }
    doc_t *d = find_doc(a, id, true);
    if (!d)
        return -1;
    if (d->expected >= 0 || d->rejected)
        return 0;
    if (hb_results_doc(a->results, id, m) != 0)
        return -1;
    hb_flat_place(m, &d->flat_place);
    uint64_t bytes;
    if (hb_msg_u64(m, "bytes", &bytes) == 0)
        a->bytes_read += bytes;
    d->expected = (int64_t)units;
    if (hb_msg_u64(m, "bytes", &d->bytes) != 0)
        d->bytes = 0;
    hb_buf_reset(&d->head);
    file_fields(&d->head, m, d->file, sizeof d->file);
    hb_buf_printf(&d->head, ",\"doc\":%llu", (unsigned long long)id);
    for (size_t i = 0; place_keys[i]; i++)
        json_field(&d->place, m, place_keys[i], i == 0);
    char names[5][64];
    static const char *const name_keys[] = {"code", "province", "city", "county", "town"};
    for (size_t i = 0; i < 5; i++)
        hb_msg_cstr(m, name_keys[i], names[i], sizeof names[i]);
    hb_tally_place_key(d->place_key, sizeof d->place_key, names[0], names[1], names[2], names[3],
                       names[4]);
    uint64_t year;
    d->year = hb_msg_u64(m, "year", &year) == 0 && year < 10000 ? (int)year : 0;
    /* docs.jsonl: file, doc, place, encoding, bytes, units, status */
    hb_buf_putc(&d->docline, '{');
    hb_buf_append(&d->docline, d->head.data, d->head.len);
    hb_buf_putc(&d->docline, ',');
    hb_buf_append(&d->docline, d->place.data, d->place.len);
    for (size_t i = 0; doc_keys[i]; i++)
        json_field(&d->docline, m, doc_keys[i], false);
    for (size_t i = 0; doc_keys_opt[i]; i++)
        if (hb_msg_get(m, doc_keys_opt[i]))
            json_field(&d->docline, m, doc_keys_opt[i], false);
    /* Units beyond the count (a rogue peer) are forgotten. */
    size_t kept = 0;
    for (size_t i = 0; i < d->n; i++)
        if (d->units[i].seq < units)
            d->units[kept++] = d->units[i];
    if (kept < d->n && hb_results_drop(a->results, id, units) != 0)
        return -1;
    d->n = kept;
    d->settled = 0;
    for (uint64_t seq = 0; seq < units && seq / 8 < d->have_bytes; seq++)
        d->settled += bit(d->have, d->have_bytes, seq);
    return doc_complete(d) ? finish_doc(a, d) : 0;
}

static int on_reject(aggregator_t *a, const hb_msg_t *m)
{
    uint64_t id;
    bool has_id = hb_msg_u64(m, "doc", &id) == 0;
    if (has_id && (id >= MAX_DOC_ID || bit(a->done, a->done_bytes, id)))
        return 0; /* already written, or impossible */
    doc_t *d = has_id ? find_doc(a, id, true) : NULL;
    if (has_id && !d)
        return -1;
    if (d && (d->rejected || d->ready))
        return 0; /* rejected twice (a resend): once is written; or complete and waiting for
                   * its turn, unacknowledged, when the reader gave up on it: it is written */
    if (hb_results_reject(a->results, m) != 0 || (d && hb_results_drop(a->results, id, 0) != 0))
        return -1;
    hb_buf_t *line = d ? &d->docline : &a->line;
    char path[4096];
    hb_buf_reset(line);
    hb_buf_putc(line, '{');
    file_fields(line, m, path, sizeof path);
    if (has_id)
        hb_buf_printf(line, ",\"doc\":%llu", (unsigned long long)id);
    json_field(line, m, "stage", false);
    json_field(line, m, "reason", false);
    hb_buf_append(line, "}\n", 2);
    if (d) { /* written in its turn, whatever of it was collected forgotten */
        d->n = 0;
        d->rejected = true;
        return finish_doc(a, d);
    }
    hb_tally_reject(a->tally);
    if (a->from_ctl)
        a->free_rejects++; /* the reader's, counted by its end */
    return write_out(a, a->errors, line, "errors.jsonl");
}

static bool run_complete(const aggregator_t *a)
{
    /* A stopped reader that abandoned documents ends the run now: they are
     * not written, and --resume does them. */
    return a->end_seen && (a->abandoned || (a->next_write >= a->end_docs &&
                                            a->free_rejects >= a->end_rejects));
}

/* One message, alone or out of a batch (hb_msg_each). */
static int on_message(void *arg, const hb_msg_t *m)
{
    aggregator_t *a = arg;
    uint64_t id;
    int rc = 0;
    if (!check_run(a, m)) {
        /* logged */
    } else if (hb_msg_is(m, HB_T_UNIT)) {
        if (a->peer)
            a->peer->units++;
        if (doc_id(a, m, &id))
            rc = on_unit(a, m, id, false);
    } else if (hb_msg_is(m, HB_T_DROPPED)) {
        if (doc_id(a, m, &id))
            rc = on_unit(a, m, id, true);
    } else if (hb_msg_is(m, HB_T_DOC_END)) {
        if (doc_id(a, m, &id))
            rc = on_doc_end(a, m, id);
    } else if (hb_msg_is(m, HB_T_REJECT)) {
        rc = on_reject(a, m);
    } else if (hb_msg_is(m, HB_T_STALLED)) {
        on_stalled(a, m);
    } else if (hb_msg_is(m, HB_T_STATS) && a->from_ctl) {
        on_stats(a, m);
    } else if (hb_msg_is(m, HB_T_END) && !a->from_ctl) {
        if (a->data_ends++ == 0)
            hb_warn("an end message arrived on --in; ignored: the run's end comes from the "
                    "reader over --ctl only");
    } else if (hb_msg_is(m, HB_T_RUN_END)) {
        /* workers with --exit-at-end pass the run's end on: nothing to do */
    } else if (hb_msg_is(m, HB_T_END)) {
        if (hb_msg_u64(m, "docs", &a->end_docs) == 0 &&
            hb_msg_u64(m, "rejects", &a->end_rejects) == 0) {
            const msgpack_object *stopped = hb_msg_get(m, "stopped");
            a->end_seen = true;
            a->interrupted = stopped && stopped->type == MSGPACK_OBJECT_BOOLEAN &&
                             stopped->via.boolean;
            if (a->interrupted && hb_msg_u64(m, "abandoned", &a->abandoned) != 0)
                a->abandoned = 0;
            send_end_ack(a);
        }
        else
            hb_warn("an end message without docs and rejects counts; dropped");
    } else if (a->foreign++ == 0) {
        hb_warn("\"%.*s\" messages reach the aggregator and are ignored: is a stage missing "
                "from the pipeline?", (int)m->type_len, m->type);
    }
    return rc;
}

/* The peer a frame came from (--metrics): by its Peer-Address, an IP for
 * tcp, "localhost:UID:GID:PID" for ipc; past MAX_PEERS, "other". */
static peer_t *frame_peer(aggregator_t *a, zmq_msg_t *frame)
{
    const char *name = zmq_msg_gets(frame, "Peer-Address");
    if (!name || !*name)
        name = "unknown";
    for (size_t i = 0; i < a->npeers; i++)
        if (!strncmp(a->peers[i].name, name, sizeof a->peers[i].name - 1))
            return &a->peers[i];
    if (a->npeers == MAX_PEERS - 1)
        name = "other";
    peer_t *p = &a->peers[a->npeers < MAX_PEERS - 1 ? a->npeers++ : MAX_PEERS - 1];
    snprintf(p->name, sizeof p->name, "%s", name);
    return p;
}

/* The run's counts in the Prometheus text format (docs/deploy.md lists them). */
static void render_metrics(void *arg, hb_buf_t *b)
{
    aggregator_t *a = arg;
    uint64_t open = 0, waiting = 0;
    for (size_t i = 0; i < a->nactive; i++)
        *(a->active[i]->ready ? &waiting : &open) += 1;
    const struct {
        const char *name, *type, *help;
        double v;
    } rows[] = {
        {"huibao_documents_done_total", "counter",
         "Documents written to docs.jsonl by this run.", (double)a->docs_finished},
        {"huibao_documents_rejected_total", "counter",
         "Inputs rejected, written to errors.jsonl.", (double)(a->doc_rejects + a->free_rejects)},
        {"huibao_documents_resumed", "gauge",
         "Documents the run resumed (--resume) had written already.", (double)a->restored},
        {"huibao_documents_announced", "gauge",
         "Documents the reader gave ids to, known once it has read every input (0 before).",
         a->end_seen ? (double)a->end_docs : 0},
        {"huibao_documents_sent_total", "counter",
         "Documents the reader handed out (first sends).", (double)a->reader.sent},
        {"huibao_documents_in_flight", "gauge",
         "Documents handed out by the reader and not yet acknowledged.",
         (double)a->reader.in_flight},
        {"huibao_resends_total", "counter",
         "Documents the reader sent again (not acknowledged within --retry-after, or queued "
         "behind a stalled stage).", (double)a->reader.resends},
        {"huibao_documents_given_up_total", "counter",
         "Documents the reader gave up after --attempts (among the rejected).",
         (double)a->reader.given_up},
        {"huibao_stage_stalls_total", "counter",
         "Times a stage's --stall-timeout ended it (stalled messages received).",
         (double)a->stalls},
        {"huibao_units_total", "counter", "Units written to paragraphs.jsonl by this run.",
         (double)(hb_tally_units(a->tally) - a->restored_units)},
        {"huibao_units_dropped_total", "counter", "Units a filter stage dropped on purpose.",
         (double)a->units_dropped},
        {"huibao_input_bytes_total", "counter",
         "Bytes of the input files of the documents written by this run.",
         (double)a->input_bytes},
        {"huibao_received_bytes_total", "counter",
         "Bytes of the messages the aggregator received from the stages and the reader.",
         (double)a->received_bytes},
        {"huibao_window_bytes", "gauge", "Bytes of text the reader has in flight.",
         (double)a->reader.window_bytes},
        {"huibao_run_seconds", "gauge", "Seconds since the aggregator started.",
         now_s() - a->started},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        hb_metrics_family(b, rows[i].name, rows[i].type, rows[i].help);
        hb_metrics_sample(b, rows[i].name, NULL, NULL, rows[i].v);
    }
    hb_metrics_family(b, "huibao_queue_documents", "gauge",
                      "Documents waiting: for a free worker in the reader (reader_pending), "
                      "partly collected (aggregator_open), complete and waiting for an earlier "
                      "document (aggregator_waiting).");
    hb_metrics_sample(b, "huibao_queue_documents", "queue", "reader_pending",
                      (double)a->reader.pending);
    hb_metrics_sample(b, "huibao_queue_documents", "queue", "aggregator_open", (double)open);
    hb_metrics_sample(b, "huibao_queue_documents", "queue", "aggregator_waiting",
                      (double)waiting);
    static const char *const per[][3] = {
        {"huibao_worker_frames_total", "counter", "Frames received from each worker of the last "
         "stage (worker: its ZeroMQ peer address, an IP for tcp, localhost:UID:GID:PID for ipc)."},
        {"huibao_worker_units_total", "counter", "Units received from each worker of the last "
         "stage (duplicates of a resend included)."},
        {"huibao_worker_bytes_total", "counter", "Bytes received from each worker of the last "
         "stage."},
    };
    for (size_t k = 0; k < 3; k++) {
        hb_metrics_family(b, per[k][0], per[k][1], per[k][2]);
        for (size_t i = 0; i < a->npeers; i++) {
            const peer_t *p = &a->peers[i];
            hb_metrics_sample(b, per[k][0], "worker", p->name,
                              (double)(k == 0 ? p->frames : k == 1 ? p->units : p->bytes));
        }
    }
    hb_metrics_family(b, "huibao_run_info", "gauge", "The run's id.");
    hb_metrics_sample(b, "huibao_run_info", "run", a->have_run ? a->run : "", 1);
}

/* The last metrics, for whoever comes after the run (node_exporter's
 * textfile collector reads *.prom): written whole, then renamed. */
static int write_metrics_file(aggregator_t *a, bool complete)
{
    if (complete) { /* the reader's last counts may predate the last acks */
        a->reader.in_flight = a->reader.window_bytes = a->reader.pending = 0;
    }
    hb_buf_t b;
    hb_buf_init(&b);
    render_metrics(a, &b);
    char path[4096], tmp[4200];
    snprintf(path, sizeof path, "%s/metrics.prom", a->o->outdir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    int rc = f && fwrite(b.data, 1, b.len, f) == b.len ? 0 : -1;
    if (f && fclose(f) != 0)
        rc = -1;
    if (rc == 0 && rename(tmp, path) != 0)
        rc = -1;
    if (rc != 0) {
        hb_error("%s: cannot write: %s", path, strerror(errno));
        unlink(tmp);
    }
    hb_buf_release(&b);
    return rc;
}

static void progress(aggregator_t *a, bool final)
{
    if (a->o->progress)
        hb_progress_show(&a->progress, now_s(), a->docs_finished,
                         hb_tally_units(a->tally) - a->restored_units,
                         a->doc_rejects + a->free_rejects, a->bytes_read, final);
}

/* Opens an output afresh, or, resuming, cut back to keep bytes and appended to. */
static FILE *open_out_at(const char *dir, const char *name, bool resume, long keep)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (resume && truncate(path, keep) != 0 && errno != ENOENT) {
        hb_error("%s: cannot cut back to %ld bytes to resume: %s", path, keep, strerror(errno));
        return NULL;
    }
    FILE *f = fopen(path, resume ? "a" : "w");
    if (!f)
        hb_error("%s: cannot create: %s", path, strerror(errno));
    else
        setvbuf(f, NULL, _IOFBF, 1 << 20);
    return f;
}

static FILE *open_out(const char *dir, const char *name)
{
    return open_out_at(dir, name, false, 0);
}

static int close_out(FILE *f, const char *dir, const char *name)
{
    if (!f)
        return 0;
    if (fclose(f) != 0) {
        hb_error("%s/%s: could not be written completely: %s", dir, name, strerror(errno));
        return -1;
    }
    return 0;
}

/* Every output closed and checked, then towns.csv, then summary.json: it
 * says complete only when all the rest, the journal included, is written. */
static int write_final(aggregator_t *a, bool complete)
{
    int rc = 0;
    /* results.sqlite before resume.tsv, whose last lines it must hold. */
    for (size_t i = 0; i < a->nactive && a->results; i++)
        rc |= hb_results_drop(a->results, a->active[i]->id, 0);
    if (hb_results_close(a->results, a->run, complete, now_s() - a->started) != 0) {
        hb_journal_discard(a->journal); /* its last lines are not in results.sqlite */
        rc = -1;
    } else if (a->results) {
        rc |= hb_report_write(a->o->outdir, a->top);
    }
    a->results = NULL;
    /* Before the journal's last lines, which name documents whose rows it holds. */
    if (hb_flat_close(a->flat) != 0) {
        hb_journal_discard(a->journal);
        rc = -1;
    }
    a->flat = NULL;
    rc |= close_out(a->paragraphs, a->o->outdir, "paragraphs.jsonl");
    rc |= close_out(a->docs, a->o->outdir, "docs.jsonl");
    rc |= close_out(a->errors, a->o->outdir, "errors.jsonl");
    rc |= hb_journal_close(a->journal);
    a->paragraphs = a->docs = a->errors = NULL;
    a->journal = NULL;
    FILE *f = open_out(a->o->outdir, "towns.csv");
    if (f && !a->o->no_csv_bom)
        fputs("\xEF\xBB\xBF", f); /* so that Excel reads UTF-8 */
    if (!f || hb_tally_write_csv(a->tally, f) != 0)
        rc = -1;
    rc |= close_out(f, a->o->outdir, "towns.csv");
    f = open_out(a->o->outdir, "summary.json");
    if (!f || hb_tally_write_summary(a->tally, f, a->run, complete && rc == 0,
                                     now_s() - a->started) != 0)
        rc = -1;
    rc |= close_out(f, a->o->outdir, "summary.json");
    return rc;
}

static int aggregate(aggregator_t *a)
{
    zmq_msg_t frame;
    zmq_msg_init(&frame);
    int status = 1;
    while (!hb_stop_requested()) {
        zmq_pollitem_t items[2 + HB_METRICS_FDS] = {{a->ctl, 0, ZMQ_POLLIN, 0},
                                                    {a->in, 0, ZMQ_POLLIN, 0}};
        int n = 2 + hb_metrics_items(a->metrics, items + 2);
        int rc = zmq_poll(items, n, 500);
        if (rc < 0 && zmq_errno() != EINTR) {
            hb_error("poll failed: %s", zmq_strerror(zmq_errno()));
            break;
        }
        if (rc > 0)
            hb_metrics_serve(a->metrics, items + 2, n - 2, render_metrics, a);
        for (int i = 0; i < 2 && rc > 0 && !run_complete(a); i++) {
            a->from_ctl = i == 0;
            while (zmq_msg_recv(&frame, items[i].socket, ZMQ_DONTWAIT) >= 0) {
                if (a->metrics) {
                    a->received_bytes += zmq_msg_size(&frame);
                    a->peer = a->from_ctl ? NULL : frame_peer(a, &frame);
                    if (a->peer) {
                        a->peer->frames++;
                        a->peer->bytes += zmq_msg_size(&frame);
                    }
                }
                if (hb_msg_each(zmq_msg_data(&frame), zmq_msg_size(&frame), on_message, a,
                                &a->bad_frames) != 0)
                    goto out;
                if (run_complete(a))
                    break;
            }
        }
        progress(a, false);
        if (run_complete(a)) {
            status = 0;
            break;
        }
    }
out:
    zmq_msg_close(&frame);
    progress(a, true);
    if (a->bad_frames)
        hb_warn("%lu messages were not valid huibao messages and were dropped (the first ten "
                "are logged above, then a few with the count)", a->bad_frames);
    bool complete = status == 0;
    if (complete && a->abandoned)
        hb_warn("stopped with %llu documents in flight: they are not written (--resume does "
                "them)", (unsigned long long)a->abandoned);
    if (!complete && a->nactive)
        hb_warn("%zu documents were incomplete and are not written; rerun them", a->nactive);
    if (write_final(a, complete && !a->interrupted) != 0 ||
        (a->metrics && write_metrics_file(a, complete && !a->abandoned) != 0))
        return 1;
    if (!complete) {
        /* With nothing written the cause is said above (a bad --meta file, a
         * stage that could not start): --resume would not help. */
        if (a->docs_finished || a->restored)
            fprintf(stderr, "huibao: stopped; %llu documents are written in %s/ — rerun with "
                    "--resume to continue\n", (unsigned long long)a->docs_finished, a->o->outdir);
        else
            fprintf(stderr, "huibao: stopped before any document was written\n");
        return 1;
    }
    uint64_t rejects = a->doc_rejects + a->free_rejects;
    uint64_t units = hb_tally_units(a->tally);
    if (a->end_docs == 0 && rejects == 0 && !a->interrupted) {
        fprintf(stderr, "huibao: no document was read (the reader says why above); nothing "
                "written in %s/\n", a->o->outdir);
        return 3;
    }
    printf("huibao: %llu documents, %llu units, %llu rejected in %.1f s",
           (unsigned long long)a->docs_finished, (unsigned long long)(units - a->restored_units),
           (unsigned long long)rejects, now_s() - a->started);
    if (a->empty)
        printf("; %llu without a unit (status \"empty\" in docs.jsonl): %s%s",
               (unsigned long long)a->empty, a->empty_names.data, a->empty > 3 ? ", …" : "");
    if (a->restored)
        printf("; with the %llu documents of the run resumed: %llu documents, %llu units",
               (unsigned long long)a->restored,
               (unsigned long long)(a->restored + a->docs_finished), (unsigned long long)units);
    printf("\n");
    printf("results in %s/: %sparagraphs.jsonl docs.jsonl towns.csv figures.csv unit_topics.csv "
           "summary.json errors.jsonl\n", a->o->outdir, a->o->no_results_db ? "" : "results.sqlite ");
    if (!a->o->no_results_db)
        printf("report: %s/report.html\n", a->o->outdir);
    if (a->interrupted)
        printf("interrupted: not every input was read — rerun with --resume to continue\n");
    fflush(stdout);
    return a->interrupted ? 130 : rejects ? 3 : 0;
}

/* A database error is logged and kept by the tally (which then refuses to
 * write towns.csv) or the results: the run ends with an error. */
static void restore_doc(void *arg, const hb_journal_entry_t *e)
{
    aggregator_t *a = arg;
    if (e->doc < MAX_DOC_ID)
        set_bit(&a->done, &a->done_bytes, e->doc);
    (void)hb_tally_doc_text(a->tally, e->town, e->year, e->units); /* the place key */
    (void)hb_results_keep(a->results, e->doc);
}

/* A document the journal holds, for hb_flat_open. */
static bool written(void *arg, uint64_t doc)
{
    const aggregator_t *a = arg;
    return bit(a->done, a->done_bytes, doc);
}

int main(int argc, char **argv)
{
    hb_log_init("huibao-aggregate");
    hb_mem_bound_heap();
    agg_opts_t o;
    hb_security_opts_t so;
    memset(&o, 0, sizeof o);
    memset(&so, 0, sizeof so);
    const hb_opt_t *tables[] = {agg_options, hb_security_options, NULL};
    void *targets[] = {&o, &so, NULL};
    int rc = hb_opt_parse(tables, targets, argc, argv, 1, NULL, NULL);
    if (rc == HB_OPT_HELP) {
        hb_opt_usage(stdout, "huibao-aggregate --in ENDPOINTS --ctl ENDPOINTS --acks ENDPOINTS "
                     "[-o DIR] [options]",
                     "Collect units per document and write each document when all its units "
                     "are in: results.sqlite, paragraphs.jsonl, docs.jsonl and errors.jsonl as "
                     "the run goes, "
                     "towns.csv and summary.json at its end. Acknowledges each written "
                     "document to the reader. Exits when the reader's counts add up: 0 when "
                     "every input was used, 3 when some were rejected, 1 on a fatal error.",
                     tables);
        return 0;
    }
    if (rc != HB_OPT_OK || !o.in || !o.ctl || !o.acks) {
        if (rc == HB_OPT_OK)
            fprintf(stderr, "huibao-aggregate: --in, --ctl and --acks are required (see --help)\n");
        return 2;
    }
    hb_log_set_level(o.quiet ? HB_LOG_ERROR : o.verbose ? HB_LOG_DEBUG : HB_LOG_INFO);
    hb_signals_install();
    signal(SIGXFSZ, SIG_IGN); /* over ulimit -f, a write fails with EFBIG and is said */
    if (hb_rundir_make(o.outdir) != 0) {
        hb_error("%s: cannot create the output folder: %s", o.outdir, strerror(errno));
        return 1;
    }
    char why[512];
    hb_metrics_t *metrics = o.metrics ? hb_metrics_listen(o.metrics, why, sizeof why) : NULL;
    if (o.metrics && !metrics) {
        hb_error("--metrics: %s", why);
        return 2;
    }
    int lock = hb_rundir_lock(o.outdir, o.run ? o.run : "not given");
    if (lock < 0) {
        hb_metrics_free(metrics);
        return 2;
    }
    aggregator_t a;
    memset(&a, 0, sizeof a);
    a.metrics = metrics;
    a.peers = metrics ? hb_calloc(MAX_PEERS, sizeof *a.peers) : NULL;
    a.o = &o;
    a.started = now_s();
    if (o.run) {
        snprintf(a.run, sizeof a.run, "%s", o.run);
        a.have_run = true;
    }
    hb_buf_init(&a.line);
    hb_buf_init(&a.units_text);
    hb_buf_init(&a.flat_rows);
    hb_buf_init(&a.empty_names);
    hb_pack_init(&a.pack);
    int status = 1;
    void *zctx = zmq_ctx_new();
    hb_security_t *sec = hb_security_load(zctx, &so);
    /* A small queue, as in the filter stages (common/hb_stage.c).  The
     * aggregator is the busiest process, so a backlog forms in front of it:
     * with 1,000 frames queued its peak memory was set by how much text
     * happened to be in flight (+16-18% from 100 MB to 1 GB of input). */
    hb_sock_opts_t in_o = {.hwm = 4, .linger_ms = 0, .max_msg_bytes = o.max_msg_mb << 20,
                           .bind_default = true, .sec = sec};
    hb_sock_opts_t ctl_o = {.hwm = 100000, .linger_ms = 0, .max_msg_bytes = 1 << 16,
                            .bind_default = true, .sec = sec};
    hb_sock_opts_t ack_o = {.hwm = 100000, .linger_ms = 1000, .bind_default = false,
                            .sec = sec};
    char topics[4096];
    a.tally = sec ? hb_tally_new(o.topics ? o.topics
                                          : hb_conf_default("topics.conf", topics, sizeof topics))
                  : NULL;
    if (!a.tally)
        goto done;
    if (o.no_results_db) {
        char report[4200];
        snprintf(report, sizeof report, "%s/report.html", o.outdir);
        if (hb_results_remove(o.outdir) != 0)
            goto done;
        if (unlink(report) != 0 && errno != ENOENT) {
            hb_error("%s: cannot remove the last run's report: %s", report, strerror(errno));
            goto done;
        }
    } else {
        a.top = hb_figtop_new();
        a.results = hb_results_open(o.outdir, o.topics ? o.topics : topics, o.resume, a.top);
        if (!a.results)
            goto done;
    }
    long par_keep = 0, docs_keep = 0, journal_keep = -1;
    if (o.resume) {
        long n = hb_journal_replay(o.outdir, restore_doc, &a, &par_keep, &docs_keep,
                                   &journal_keep);
        if (n < 0 || hb_results_resume(a.results, n) != 0)
            goto done;
        a.restored = (uint64_t)n;
        a.restored_units = hb_tally_units(a.tally);
        commit(&a); /* past the ids written already */
        hb_info("resuming: %ld documents already written in %s/", n, o.outdir);
    }
    hb_progress_init(&a.progress, o.progress_every, (uint64_t)o.total_docs, a.restored, now_s());
    a.journal = hb_journal_open(o.outdir, journal_keep);
    if (!a.journal)
        goto done;
    a.flat = hb_flat_open(o.outdir, o.topics ? o.topics : topics, !o.no_csv_bom, o.resume,
                          written, &a);
    if (!a.flat)
        goto done;
    a.paragraphs = open_out_at(o.outdir, "paragraphs.jsonl", o.resume, par_keep);
    a.docs = open_out_at(o.outdir, "docs.jsonl", o.resume, docs_keep);
    a.errors = open_out(o.outdir, "errors.jsonl"); /* rejected inputs are tried again */
    if (!a.paragraphs || !a.docs || !a.errors)
        goto done;
    a.in = hb_sock_open(zctx, ZMQ_PULL, o.in, &in_o);
    a.ctl = a.in ? hb_sock_open(zctx, ZMQ_PULL, o.ctl, &ctl_o) : NULL;
    a.acks = a.ctl ? hb_sock_open(zctx, ZMQ_PUSH, o.acks, &ack_o) : NULL;
    if (!a.acks)
        goto done;
    status = aggregate(&a);
done:
    if (a.paragraphs || a.docs || a.errors || a.journal || a.results || a.flat)
        write_final(&a, false);
    while (a.nactive)
        drop_doc(&a, a.active[0]);
    free(a.active);
    free(a.done);
    free(a.peers);
    hb_metrics_free(a.metrics);
    hb_tally_free(a.tally);
    hb_figtop_free(a.top);
    hb_sock_close(a.in);
    hb_sock_close(a.ctl);
    hb_sock_close(a.acks);
    zmq_ctx_term(zctx);
    hb_security_free(sec);
    hb_buf_release(&a.line);
    hb_buf_release(&a.units_text);
    hb_buf_release(&a.flat_rows);
    hb_buf_release(&a.empty_names);
    hb_pack_release(&a.pack);
    hb_rundir_unlock(lock);
    return status;
}
