/* huibao-read: files in, "doc" messages out — and nothing lost on the way.
 *
 * Walks the given files and folders, decodes each file to UTF-8, derives its
 * town, county and year, and hands it to the split workers.  A file that is
 * not usable text becomes a "reject" with a reason, sent to the aggregator.
 *
 * Delivery: read is the one that hands out work, so it keeps every document
 * until the aggregator acknowledges it (an "ack" on --acks).  A document not
 * acknowledged within --retry-after seconds is read and sent again: a worker
 * killed mid-run costs time, not data.  At most --window documents, and
 * no more once --window-mb megabytes of text, are out at once: that bounds
 * everyone's memory, and a few long reports in flight together can no
 * longer pile up in every stage's queue.  When every file is out,
 * read tells the aggregator how many documents and rejects it sent ("end")
 * and exits once all are acknowledged.
 *
 * An attempt lasts --retry-after whether or not the document could be
 * handed out: with no worker connected the queues fill and sends stop going
 * through, and the run still gives each document up after --attempts.
 * Once a document is given up while nothing at all was written, the files
 * not yet read are rejected unread until an acknowledgement comes again: a
 * run that cannot make progress ends in about --attempts × --retry-after.
 *
 * SIGINT/SIGTERM: stop taking files, wait up to STOP_GRACE seconds for what
 * was handed out, then send the end (it says "stopped" and how many
 * documents were abandoned: --resume redoes them) and exit; a second signal
 * exits at once.
 * --skip DIR skips the files an earlier run wrote there (its journal). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../split/docsplit.h"
#include "decode.h"
#include "hb_batch.h"
#include "hb_journal.h"
#include "hb_log.h"
#include "hb_map.h"
#include "hb_mem.h"
#include "hb_msg.h"
#include "hb_opt.h"
#include "hb_regex.h"
#include "hb_script.h"
#include "hb_sock.h"
#include "hb_utf8.h"
#include "meta.h"
#include "walk.h"

/* After a stop, how long the documents handed out may take to be written. */
#define STOP_GRACE 5.0

typedef struct read_opts {
    const char *out, *ctl, *acks, *run, *pattern, *meta, *skip, *places, *script;
    long window, window_mb, max_mb, hwm, attempts;
    double retry_after;
    int quiet, verbose, progress, check, split, end_to_all;
    hb_docsplit_opts_t ds; /* --split */
} read_opts_t;

static const hb_opt_t read_options[] = {
    {"out", 'o', HB_OPT_STR, offsetof(read_opts_t, out), NULL, "ENDPOINTS",
     "where documents go, to the split workers (default: bind)"},
    {"ctl", 'c', HB_OPT_STR, offsetof(read_opts_t, ctl), NULL, "ENDPOINTS",
     "the aggregator's --ctl, for rejects and the end count (default: connect)"},
    {"acks", 'a', HB_OPT_STR, offsetof(read_opts_t, acks), NULL, "ENDPOINTS",
     "where the aggregator's acknowledgements arrive (default: bind)"},
    {"run", 'r', HB_OPT_STR, offsetof(read_opts_t, run), NULL, "ID",
     "run identifier shared by every stage (default: made up from time and pid)"},
    {"pattern", 'p', HB_OPT_STR, offsetof(read_opts_t, pattern), "*.txt", "GLOB",
     "file names to take inside folders; files named on the command line are always taken"},
    {"meta", 'm', HB_OPT_STR, offsetof(read_opts_t, meta), NULL, "CSV",
     "file,town,county,year rows for what neither text nor path tells"},
    {"places", 0, HB_OPT_STR, offsetof(read_opts_t, places), NULL, "FILE",
     "the official division list's index (default: $HB_DIVISION, else data/division.idx "
     "here or beside the program); without it places other than town and county stay null"},
    {"script", 0, HB_OPT_STR, offsetof(read_opts_t, script), "auto", "WHICH",
     "auto: places of a document in traditional characters are read in its simplified form; "
     "simplified: trust every input to be simplified (no detection, no conversion)"},
    {"skip", 's', HB_OPT_STR, offsetof(read_opts_t, skip), NULL, "DIR",
     "skip the files an earlier run wrote to the output folder DIR (see --resume)"},
    {"window", 'w', HB_OPT_INT, offsetof(read_opts_t, window), "64", "N",
     "documents handed out and not yet acknowledged, at most", 1, 100000},
    {"window-mb", 0, HB_OPT_INT, offsetof(read_opts_t, window_mb), "2", "MB",
     "no new document while this much text is out (one is always let out)", 1, 100000},
    {"retry-after", 0, HB_OPT_DOUBLE, offsetof(read_opts_t, retry_after), "60", "SECONDS",
     "send a document again when it is not acknowledged within this time", 0.05, 86400},
    {"attempts", 0, HB_OPT_INT, offsetof(read_opts_t, attempts), "5", "N",
     "give a document up (as a reject) after this many sends", 1, 1000},
    {"max-mb", 0, HB_OPT_INT, offsetof(read_opts_t, max_mb), "64", "MB",
     "reject files larger than this", 1, 4096},
    {"hwm", 0, HB_OPT_INT, offsetof(read_opts_t, hwm), "16", "N",
     "high-water mark of the document socket, in messages", 1, 1000000},
    {"split", 0, HB_OPT_FLAG, offsetof(read_opts_t, split), NULL, NULL,
     "split each document here and send its units, as huibao-split would, to --out (the "
     "classify workers): one hop and one process fewer; `huibao run` does so unless a "
     "pipeline config places split"},
    HB_DOCSPLIT_OPTIONS(read_opts_t, ds),
    {"end-to-all", 0, HB_OPT_FLAG, offsetof(read_opts_t, end_to_all), NULL, NULL,
     "send the run's end (run_end) to every worker on --out, again and again for up to "
     "5 s, not once to one: with --split, the classify workers (huibao run --listen "
     "gives it, so that workers with --exit-at-end on other hosts end with the run)"},
    {"progress", 0, HB_OPT_FLAG, offsetof(read_opts_t, progress), NULL, NULL,
     "report files read on stderr"},
    {"check", 0, HB_OPT_FLAG, offsetof(read_opts_t, check), NULL, NULL,
     "load --meta and the division index, say what is wrong and exit: 0 when they are "
     "good, 2 when not; no file is read, no socket opened"},
    {"quiet", 'q', HB_OPT_FLAG, offsetof(read_opts_t, quiet), NULL, NULL, "log errors only"},
    {"verbose", 'v', HB_OPT_FLAG, offsetof(read_opts_t, verbose), NULL, NULL,
     "log debug details"},
    HB_OPT_END,
};

typedef struct inflight {
    uint64_t doc;
    char *path;
    size_t bytes; /* its text, counted in busy_bytes */
    double sent_at;    /* when the current attempt began */
    double first_sent; /* when the first one did */
    int attempts;      /* begun, whether or not the send went through */
    bool resend;       /* due to be packed and sent again */
    bool given_up;     /* rejected; kept until the aggregator acknowledges that */
    int stalls;        /* times a stage's --stall-timeout fired on it */
    char stalled_by[64]; /* that stage's name */
} inflight_t;

typedef struct reader {
    const read_opts_t *o;
    void *out, *ctl, *acks;
    hb_monitor_t *mon_out; /* logs the workers' connections to --out */
    hb_meta_t *meta;
    hb_division_t *div; /* NULL without the division list */
    hb_walk_t *walk;
    inflight_t *slots; /* o->window of them; path NULL when free */
    size_t busy;
    size_t busy_bytes; /* text of the documents out */
    uint64_t next_doc; /* the id of the next file: its place in the walk */
    uint64_t sent;     /* documents handed out */
    uint64_t rejects;
    uint64_t gave_up;  /* documents given up after --attempts */
    uint64_t resends;  /* documents sent again */
    uint64_t stats_last[6]; /* the counts last sent in a "stats" message */
    double stats_at;   /* and when */
    size_t busy_given_up; /* of them, still waiting for their acknowledgement */
    bool walk_done, end_sent, stop_sent;
    bool end_confirmed; /* the aggregator acknowledged the last end sent */
    double end_at;
    bool stopped;      /* a signal asked to stop taking files */
    hb_map_t *skip;    /* files written by an earlier run: path → its highest id + 1 */
    hb_map_t *skip_pairs; /* "ID PATH" of each of them (a path given twice has two ids) */
    hb_buf_t key;
    uint8_t *skip_ids; /* bitmap of their ids */
    size_t skip_id_bytes;
    double stopped_at;
    double last_ack;   /* when a document was last acknowledged */
    bool stalled;      /* a document was given up while nothing was written */
    uint64_t skipped;
    hb_buf_t raw, text;
    hb_script_t *script; /* OpenCC, loaded at the first traditional document */
    hb_buf_t simple;     /* the head of a traditional document, simplified */
    hb_buf_t name;     /* the path as UTF-8, for messages */
    hb_pack_t pack;
    bool pending;      /* pack holds a doc waiting for a free split worker */
    hb_pack_t cpack;   /* rejects, ends, run_end: never over a pending doc */
    size_t pending_slot;
    /* --split: the document's units and doc_end, batched, queued as frames
     * (a 4-byte length, then the bytes) that are pending from outq_pos on */
    hb_docsplit_t *ds;
    hb_pack_t upack;
    hb_batch_t obatch;
    hb_buf_t outq;
    size_t outq_pos;
} reader_t;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Reads a whole file into r->raw.  Returns NULL or a reason. */
static const char *read_file(reader_t *r, const char *path, char *why, size_t whylen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(why, whylen, "cannot open: %s", strerror(errno));
        return why;
    }
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && st.st_size > (off_t)r->o->max_mb << 20) {
        fclose(f);
        snprintf(why, whylen, "file is %.1f MB, over the %ld MB limit (raise --max-mb)",
                 (double)st.st_size / (1 << 20), r->o->max_mb);
        return why;
    }
    hb_buf_reset(&r->raw);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        hb_buf_append(&r->raw, chunk, n);
        if (r->raw.len > (size_t)r->o->max_mb << 20)
            break;
    }
    bool err = ferror(f);
    fclose(f);
    if (err) {
        snprintf(why, whylen, "read error: %s", strerror(errno));
        return why;
    }
    if (r->raw.len > (size_t)r->o->max_mb << 20) {
        snprintf(why, whylen, "file grew over the %ld MB limit while being read", r->o->max_mb);
        return why;
    }
    return NULL;
}

static int send_ctl(reader_t *r)
{
    if (hb_sock_send(r->ctl, r->cpack.buf.data, r->cpack.buf.len, 0) != 0) {
        hb_error("cannot send to the aggregator: %s", zmq_strerror(errno));
        return -1;
    }
    return 0;
}

/* The path made valid UTF-8 (file names are bytes), in r->name; false when
 * it had to be changed. */
static bool utf8_name(reader_t *r, const char *path)
{
    hb_buf_reset(&r->name);
    hb_utf8_sanitize(&r->name, path, strlen(path));
    return r->name.len == strlen(path) && !memcmp(r->name.data, path, r->name.len);
}

/* "file" (valid UTF-8) and, when the name is not UTF-8, "file_bytes": its
 * bytes in hex, so that no name is lost or confused with another.  Counts
 * as one or two keys in the header. */
static int pack_file(reader_t *r, hb_pack_t *p, const char *path)
{
    bool exact = utf8_name(r, path);
    hb_pack_kv_cstr(p, "file", r->name.data ? r->name.data : "");
    if (exact)
        return 1;
    hb_buf_reset(&r->name);
    for (const unsigned char *c = (const unsigned char *)path; *c; c++)
        hb_buf_printf(&r->name, "%02x", *c);
    hb_pack_kv_str(p, "file_bytes", r->name.data, r->name.len);
    return 2;
}

static int send_reject(reader_t *r, const char *path, uint64_t doc, const char *stage,
                       const char *reason)
{
    hb_info("%s: rejected: %s", path, reason);
    r->rejects++;
    hb_pack_reset(&r->cpack);
    hb_pack_header(&r->cpack, HB_T_REJECT, 5 + !utf8_name(r, path));
    hb_pack_kv_cstr(&r->cpack, "run", r->o->run);
    hb_pack_kv_u64(&r->cpack, "doc", doc);
    pack_file(r, &r->cpack, path);
    hb_pack_kv_cstr(&r->cpack, "stage", stage);
    hb_pack_kv_cstr(&r->cpack, "reason", reason);
    return send_ctl(r);
}

/* Reads, decodes and packs the document of a slot.  Returns 0 with the doc
 * packed, 1 when the file is rejected (reject sent), -1 on a fatal error. */

/* The text places and the year are read from: the text, or for a report in
 * traditional characters (雲溪鎮) the simplified form of its first META_BYTES,
 * since the names of the official list are simplified.  Returns whether the
 * report is in traditional characters (split is told, and looks no more). */
#define META_BYTES (256 * 1024)
static bool meta_text(reader_t *r, const char **text, size_t *len)
{
    *text = r->text.data;
    *len = r->text.len;
    if (strcmp(r->o->script, "auto") != 0 || !hb_script_traditional(*text, *len))
        return false;
    if (!r->script && !(r->script = hb_script_new()))
        return true;
    size_t n = *len < META_BYTES ? *len : META_BYTES;
    while (n < *len && ((unsigned char)(*text)[n] & 0xC0) == 0x80)
        n--; /* not inside a character */
    if (hb_script_simplify(r->script, *text, n, &r->simple) == 0 && r->simple.len) {
        *text = r->simple.data;
        *len = r->simple.len;
    }
    return true;
}
static int pack_doc(reader_t *r, inflight_t *s)
{
    char why[256];
    hb_decode_result_t res;
    hb_regex_subject(s->path); /* named if a rule gives up on its text */
    const char *reason = read_file(r, s->path, why, sizeof why);
    if (!reason && hb_decode(r->raw.data ? r->raw.data : "", r->raw.len, &r->text, &res) != 0) {
        snprintf(why, sizeof why, "%s", res.reason);
        reason = why;
    }
    if (reason)
        return send_reject(r, s->path, s->doc, "read", reason) != 0 ? -1 : 1;
    hb_docmeta_t dm;
    bool exact = utf8_name(r, s->path);
    const char *mt;
    size_t mlen;
    bool traditional = meta_text(r, &mt, &mlen);
    hb_meta_derive(r->meta, r->name.data ? r->name.data : "", mt, mlen, &dm);
    hb_pack_reset(&r->pack);
    hb_pack_header(&r->pack, HB_T_DOC, 15 + !exact);
    hb_pack_kv_cstr(&r->pack, "run", r->o->run);
    hb_pack_kv_u64(&r->pack, "doc", s->doc);
    pack_file(r, &r->pack, s->path);
    hb_pack_kv_cstr(&r->pack, "town", dm.town[0] ? dm.town : NULL);
    hb_pack_kv_cstr(&r->pack, "county", dm.county[0] ? dm.county : NULL);
    hb_pack_kv_cstr(&r->pack, "province", dm.province[0] ? dm.province : NULL);
    hb_pack_kv_cstr(&r->pack, "city", dm.city[0] ? dm.city : NULL);
    hb_pack_kv_cstr(&r->pack, "code", dm.code[0] ? dm.code : NULL);
    hb_pack_kv_cstr(&r->pack, "level", dm.level);
    hb_pack_key(&r->pack, "place_candidates");
    if (dm.ncandidates) {
        msgpack_pack_array(&r->pack.pk, dm.ncandidates);
        for (size_t i = 0; i < dm.ncandidates; i++)
            hb_pack_cstr(&r->pack, dm.candidates[i]);
    } else {
        msgpack_pack_nil(&r->pack.pk);
    }
    if (dm.year)
        hb_pack_kv_u64(&r->pack, "year", (uint64_t)dm.year);
    else
        hb_pack_kv_nil(&r->pack, "year");
    hb_pack_kv_cstr(&r->pack, "script", traditional ? "traditional" : "simplified");
    hb_pack_kv_cstr(&r->pack, "encoding", res.encoding);
    hb_pack_kv_u64(&r->pack, "bytes", r->raw.len);
    hb_pack_kv_str(&r->pack, "text", r->text.data, r->text.len);
    r->busy_bytes += r->text.len - s->bytes; /* a resend: the file may have changed */
    s->bytes = r->text.len;
    return 0;
}

/* hb_batch's sink with --split: a frame joins the queue. */
static int queue_frame(void *arg, const char *data, size_t len)
{
    reader_t *r = arg;
    uint32_t n = (uint32_t)len;
    hb_buf_append(&r->outq, &n, sizeof n);
    hb_buf_append(&r->outq, data, len);
    return 0;
}

static int queue_msg(void *arg, hb_pack_t *p)
{
    reader_t *r = arg;
    return hb_batch_add(&r->obatch, r, p->buf.data, p->buf.len);
}

/* pack_doc, and with --split the document split here: its frames queued in
 * outq (the doc in pack is read in place, not decoded again). */
static int make_doc(reader_t *r, inflight_t *s)
{
    int rc = pack_doc(r, s);
    if (rc != 0 || !r->ds)
        return rc;
    hb_msg_t m;
    const char *why = NULL;
    hb_msg_init(&m);
    hb_buf_reset(&r->outq);
    r->outq_pos = 0;
    if (hb_msg_decode(&m, r->pack.buf.data, r->pack.buf.len, &why) != 0 ||
        hb_docsplit_run(r->ds, &m, &r->upack, queue_msg, r) != 0 ||
        hb_batch_flush(&r->obatch, r) != 0)
        rc = -1;
    hb_msg_done(&m);
    if (rc)
        hb_error("%s: could not split document %llu%s%s", s->path, (unsigned long long)s->doc,
                 why ? ": " : "", why ? why : "");
    return rc;
}

static void clear_pending(reader_t *r)
{
    r->pending = false;
    hb_buf_reset(&r->outq);
    r->outq_pos = 0;
}

/* Sends what is pending, as far as it goes without blocking: the doc, or
 * with --split its frames one by one.  0, or -1 on a fatal error. */
static int send_pending(reader_t *r)
{
    while (r->pending) {
        const char *data = r->pack.buf.data;
        size_t len = r->pack.buf.len;
        if (r->ds) {
            uint32_t n;
            memcpy(&n, r->outq.data + r->outq_pos, sizeof n);
            data = r->outq.data + r->outq_pos + sizeof n;
            len = n;
        }
        if (hb_sock_send(r->out, data, len, ZMQ_DONTWAIT) != 0) {
            if (errno == EAGAIN)
                return 0;
            hb_error("cannot send a document: %s", zmq_strerror(errno));
            return -1;
        }
        if (!r->ds || (r->outq_pos += sizeof(uint32_t) + len) == r->outq.len)
            clear_pending(r);
    }
    return 0;
}

static bool skip_id(const reader_t *r, uint64_t id)
{
    return id / 8 < r->skip_id_bytes && (r->skip_ids[id / 8] >> (id % 8)) & 1;
}

/* Resuming: 1 when the earlier run wrote this file (skip it), 0 when not,
 * -1 when the inputs changed since (the file, or another where it stands,
 * had another id then): its ids would clash with those written. */
static int skip_check(reader_t *r, const char *path, uint64_t id)
{
    hb_buf_reset(&r->key);
    hb_buf_printf(&r->key, "%llu ", (unsigned long long)id);
    hb_buf_puts(&r->key, path);
    uintptr_t last = (uintptr_t)hb_map_get(r->skip, path);
    bool written = skip_id(r, id);
    /* Written with this id, or not written and not with a later one either. */
    if (written ? hb_map_get(r->skip_pairs, r->key.data) != NULL : last <= id)
        return written;
    hb_error("%s: the inputs changed since the run in %s/ was interrupted (files added or "
             "removed before this one): it cannot be resumed; start afresh with --force",
             path, r->o->skip);
    return -1;
}

static inflight_t *free_slot(reader_t *r)
{
    for (long i = 0; i < r->o->window; i++)
        if (!r->slots[i].path)
            return &r->slots[i];
    return NULL;
}

static void release(reader_t *r, inflight_t *s)
{
    if (s->given_up)
        r->busy_given_up--;
    s->given_up = false;
    free(s->path);
    s->path = NULL;
    r->busy--;
    r->busy_bytes -= s->bytes;
    s->bytes = 0;
}

/* An attempt begins, and lasts --retry-after whether or not its send goes
 * through. */
static void begin_attempt(inflight_t *s, double now)
{
    if (s->attempts++ == 0)
        s->first_sent = now;
    s->sent_at = now;
}

static void set_pending(reader_t *r, inflight_t *s)
{
    r->pending = true;
    r->pending_slot = (size_t)(s - r->slots);
}

/* Gives a document up after --attempts.  The reason says whether anything
 * at all was written meanwhile: when nothing was, no worker is taking work. */
static int give_up(reader_t *r, inflight_t *s)
{
    char why[384];
    if (s->stalls) {
        snprintf(why, sizeof why, "stage %s stalled on it %d times (held it longer than its "
                 "--stall-timeout); not acknowledged after %d attempts", s->stalled_by,
                 s->stalls, s->attempts);
    } else if (r->last_ack < s->first_sent) {
        r->stalled = true;
        snprintf(why, sizeof why, "not acknowledged after %d attempts, and no document was "
                 "written meanwhile: no worker was connected, or the pipeline is stuck (are "
                 "split, classify and aggregate running?)", s->attempts);
    } else
        snprintf(why, sizeof why, "not acknowledged after %d attempts (are split, classify "
                 "and aggregate running?)", s->attempts);
    if (r->pending && r->pending_slot == (size_t)(s - r->slots))
        clear_pending(r);
    if (send_reject(r, s->path, s->doc, s->stalls ? s->stalled_by : "read", why) != 0)
        return -1;
    r->gave_up++;
    /* Kept until the aggregator acknowledges the reject: leaving earlier,
     * the reader could take it down with the closing connection. */
    s->given_up = true;
    s->resend = false;
    r->busy_given_up++;
    return 0;
}

/* Prepares the next document to send: a resend that is due, or a new file.
 * Returns -1 on a fatal error. */
static int prepare(reader_t *r)
{
    double now = now_s();
    for (long i = 0; i < r->o->window && !r->stopped; i++) {
        inflight_t *s = &r->slots[i];
        if (!s->path || s->given_up || now - s->sent_at < r->o->retry_after)
            continue;
        if (s->attempts >= r->o->attempts) {
            if (give_up(r, s) != 0)
                return -1;
            continue;
        }
        if (r->pending && r->pending_slot == (size_t)i)
            hb_warn("%s: document %llu could not be handed out for %.0f s (is any worker "
                    "taking work?); attempt %d of %ld", s->path, (unsigned long long)s->doc,
                    now - s->sent_at, s->attempts + 1, r->o->attempts);
        else
            hb_warn("%s: document %llu not acknowledged after %.0f s; sending it again",
                    s->path, (unsigned long long)s->doc, now - s->sent_at);
        s->resend = !(r->pending && r->pending_slot == (size_t)i);
        begin_attempt(s, now);
    }
    /* A document that stalled a stage goes after the others due: those
     * queued behind it in the hung process were lost with it, and sent
     * before it they are done before it hangs the stage again. */
    for (long i = 0; i < 2 * r->o->window && !r->pending; i++) {
        inflight_t *s = &r->slots[i % r->o->window];
        if (!s->path || !s->resend || (s->stalls > 0) != (i >= r->o->window))
            continue;
        s->resend = false;
        r->resends++;
        int rc = make_doc(r, s);
        if (rc < 0)
            return -1;
        if (rc == 1) { /* rejected: kept until that is acknowledged, as give_up() */
            s->given_up = true;
            r->busy_given_up++;
        } else {
            set_pending(r, s);
        }
    }
    while (!r->pending && !r->walk_done && r->busy < (size_t)r->o->window &&
           r->busy_bytes >> 20 < (size_t)r->o->window_mb) {
        const char *path, *why;
        hb_walk_status_t ws = hb_walk_next(r->walk, &path, &why);
        if (ws == HB_WALK_DONE) {
            r->walk_done = true;
            break;
        }
        uint64_t id = r->next_doc++;
        if (r->skip) {
            int skip = skip_check(r, path, id);
            if (skip < 0)
                return -1;
            if (skip) {
                r->skipped++;
                continue;
            }
        }
        if (ws == HB_WALK_ERROR) {
            if (send_reject(r, path, id, "read", why) != 0)
                return -1;
            continue;
        }
        if (r->stalled) { /* not read: the documents before it went nowhere */
            if (send_reject(r, path, id, "read", "not handed out: documents before it were given up "
                            "while no document was written, so no worker was connected "
                            "(--resume tries it again)") != 0)
                return -1;
            continue;
        }
        inflight_t *s = free_slot(r);
        s->path = hb_strdup(path);
        s->attempts = 0;
        s->doc = id;
        s->resend = false;
        s->given_up = false;
        s->stalls = 0;
        r->busy++;
        int rc = make_doc(r, s);
        if (rc < 0)
            return -1;
        if (rc == 1) {
            release(r, s);
            continue;
        }
        r->sent++;
        begin_attempt(s, now);
        set_pending(r, s);
    }
    return 0;
}

/* A stage's watchdog fired on a document ("stalled", passed on by the
 * aggregator): noted, so that the document, if given up, is rejected in
 * that stage's name. */
static void on_stalled(reader_t *r, uint64_t doc, const char *stage, size_t len)
{
    for (long i = 0; i < r->o->window; i++) {
        inflight_t *s = &r->slots[i];
        if (!s->path || s->doc != doc || s->attempts == 0)
            continue;
        s->stalls++;
        snprintf(s->stalled_by, sizeof s->stalled_by, "%.*s", (int)len, stage);
        /* What was handed out after it may have queued behind it in the
         * process that hung, and died with it: sent again now, no attempt
         * counted (a duplicate is dropped by the aggregator). */
        int again = 0;
        for (long k = 0; k < r->o->window; k++) {
            inflight_t *o = &r->slots[k];
            if (o->path && o != s && !o->given_up && !o->resend && o->attempts > 0 &&
                o->sent_at >= s->sent_at && !(r->pending && r->pending_slot == (size_t)k)) {
                o->resend = true;
                again++;
            }
        }
        hb_warn("%s: document %llu stalled stage %s (--stall-timeout); it is sent again in "
                "its turn, and the %d documents handed out after it now", s->path,
                (unsigned long long)doc, s->stalled_by, again);
        return;
    }
}

/* An ack: a document written or rejected, or the end received ("end": the
 * "stopped" of the end it answers); or a stall. */
static void on_ack(reader_t *r, zmq_msg_t *frame)
{
    hb_msg_t m;
    const char *why, *stage = NULL;
    size_t stage_len = 0;
    uint64_t doc = UINT64_MAX;
    hb_msg_init(&m);
    const msgpack_object *end = NULL;
    bool stalled = false;
    if (hb_msg_decode(&m, zmq_msg_data(frame), zmq_msg_size(frame), &why) != 0 ||
        !((stalled = hb_msg_is(&m, HB_T_STALLED)) || hb_msg_is(&m, HB_T_ACK)) ||
        (hb_msg_u64(&m, "doc", &doc) != 0 && (stalled || !(end = hb_msg_get(&m, "end")))) ||
        (stalled && hb_msg_str(&m, "stage", &stage, &stage_len) != 0)) {
        hb_warn("ignored a message on the ack socket that is not an ack");
        hb_msg_done(&m);
        return;
    }
    const char *run;
    size_t runlen;
    bool ours = hb_msg_str(&m, "run", &run, &runlen) == 0 && runlen == strlen(r->o->run) &&
                !memcmp(run, r->o->run, runlen);
    bool end_stopped = end && end->type == MSGPACK_OBJECT_BOOLEAN && end->via.boolean;
    if (ours && stalled)
        on_stalled(r, doc, stage, stage_len);
    hb_msg_done(&m);
    if (!ours || stalled)
        return;
    if (end) {
        if (r->end_sent && end_stopped == r->stop_sent)
            r->end_confirmed = true;
        return;
    }
    for (long i = 0; i < r->o->window; i++)
        if (r->slots[i].path && r->slots[i].doc == doc && r->slots[i].attempts > 0) {
            if (r->pending && r->pending_slot == (size_t)i)
                clear_pending(r); /* acknowledged while waiting to be resent */
            if (!r->slots[i].given_up) {
                r->last_ack = now_s();
                r->stalled = false;
            }
            release(r, &r->slots[i]);
            return;
        }
}

/* The run is complete: every document written or rejected, the end
 * confirmed.  Split hears it and, with --exit-at-end, passes it on to the
 * workers and exits (docs/messages.md, "run_end").  Best effort: a split
 * that is not connected now never hears it and waits for another run. */
static void send_run_end(reader_t *r)
{
    int linger = 2000; /* the frame leaves before the socket closes */
    hb_pack_reset(&r->cpack);
    hb_pack_header(&r->cpack, HB_T_RUN_END, 1);
    hb_pack_kv_cstr(&r->cpack, "run", r->o->run);
    if (zmq_setsockopt(r->out, ZMQ_LINGER, &linger, sizeof linger) != 0)
        return;
    if (r->o->end_to_all)
        hb_debug("the run's end (run_end) went out %lu times",
                 hb_sock_send_to_all(r->out, r->cpack.buf.data, r->cpack.buf.len));
    else if (hb_sock_send(r->out, r->cpack.buf.data, r->cpack.buf.len, ZMQ_DONTWAIT) != 0)
        hb_debug("the run's end (run_end) did not go out: no split worker is connected");
}

/* The reader's counts, to the aggregator (which serves them with
 * --metrics): when they changed, at most once a second unless forced (the
 * last counts before an end). */
static void send_stats(reader_t *r, bool force)
{
    static const char *const keys[] = {"sent", "in_flight", "window_bytes", "resends",
                                       "given_up", "pending"};
    uint64_t v[6] = {r->sent, r->busy, r->busy_bytes, r->resends, r->gave_up, r->pending};
    double now = now_s();
    if ((!force && now - r->stats_at < 1.0) || !memcmp(v, r->stats_last, sizeof v))
        return;
    hb_pack_t p;
    hb_pack_init(&p);
    hb_pack_header(&p, HB_T_STATS, 7);
    hb_pack_kv_cstr(&p, "run", r->o->run);
    for (size_t i = 0; i < 6; i++)
        hb_pack_kv_u64(&p, keys[i], v[i]);
    /* Never waits: with no aggregator connected yet they go next time. */
    if (hb_sock_send(r->ctl, p.buf.data, p.buf.len, ZMQ_DONTWAIT) == 0) {
        r->stats_at = now;
        memcpy(r->stats_last, v, sizeof v);
    }
    hb_pack_release(&p);
}

static int run_reader(reader_t *r)
{
    unsigned long last_progress = 0;
    for (;;) {
        if (hb_stop_requested() && !r->stopped) {
            r->stopped = true;
            r->stopped_at = now_s();
            r->walk_done = true; /* take no more files; finish what is out */
            clear_pending(r);    /* not handed out: --resume redoes it */
            hb_warn("stopping: waiting up to %.0f s for the %zu documents handed out (signal "
                    "again to quit at once)", STOP_GRACE, r->busy);
        }
        if (prepare(r) != 0)
            return 1;
        send_stats(r, false);
        /* The end goes once every file is out.  Stopped, another end waits
         * for what is out (or the grace) and says how many documents were
         * abandoned: the aggregator then ends at once.  Each end is sent
         * again until the aggregator confirms it, and the reader leaves only
         * then: nothing it sent is lost with its closing connection. */
        bool end_due = !r->end_sent && r->walk_done && !r->pending && !r->stopped;
        bool stop_due = r->stopped && !r->stop_sent &&
                        (r->busy == 0 || now_s() - r->stopped_at >= STOP_GRACE);
        bool again = r->end_sent && !r->end_confirmed && now_s() - r->end_at >= r->o->retry_after;
        if (end_due || stop_due || again) {
            size_t abandoned = r->busy - r->busy_given_up;
            unsigned long others = hb_walk_unmatched(r->walk);
            if (end_due && r->next_doc == 0 && others)
                hb_error("no file to read: none of the %lu files in the folders given matches "
                         "--pattern '%s'", others, r->o->pattern);
            else if (end_due && r->next_doc == 0)
                hb_error("no file to read: the folders given hold no file");
            send_stats(r, true);
            hb_pack_reset(&r->cpack);
            hb_pack_header(&r->cpack, HB_T_END, r->stopped ? 5 : 4);
            hb_pack_kv_cstr(&r->cpack, "run", r->o->run);
            hb_pack_kv_u64(&r->cpack, "docs", r->next_doc);
            hb_pack_kv_u64(&r->cpack, "rejects", 0); /* every reject has its id */
            hb_pack_kv_bool(&r->cpack, "stopped", r->stopped);
            if (r->stopped)
                hb_pack_kv_u64(&r->cpack, "abandoned", abandoned);
            if (send_ctl(r) != 0)
                return 1;
            r->end_sent = true;
            r->stop_sent = r->stopped;
            r->end_confirmed = false;
            r->end_at = now_s();
            hb_debug("sent end: %llu ids, %llu documents, %llu rejects, %zu abandoned",
                     (unsigned long long)r->next_doc, (unsigned long long)r->sent,
                     (unsigned long long)r->rejects, r->stopped ? abandoned : 0);
        }
        if (r->end_confirmed && (r->stop_sent || r->busy == 0)) {
            if (!r->stopped)
                send_run_end(r);
            return 0;
        }
        zmq_pollitem_t items[] = {{r->acks, 0, ZMQ_POLLIN, 0},
                                  {hb_monitor_socket(r->mon_out), 0, ZMQ_POLLIN, 0},
                                  {r->out, 0, ZMQ_POLLOUT, 0}};
        int rc = zmq_poll(items, r->pending ? 3 : 2, 500);
        if (rc < 0) {
            if (zmq_errno() == EINTR)
                continue;
            hb_error("poll failed: %s", zmq_strerror(zmq_errno()));
            return 1;
        }
        if (items[0].revents & ZMQ_POLLIN) {
            zmq_msg_t frame;
            zmq_msg_init(&frame);
            while (zmq_msg_recv(&frame, r->acks, ZMQ_DONTWAIT) >= 0)
                on_ack(r, &frame);
            zmq_msg_close(&frame);
        }
        if (items[1].revents & ZMQ_POLLIN)
            hb_monitor_read(r->mon_out);
        if (r->pending && (items[2].revents & ZMQ_POLLOUT) && send_pending(r) != 0)
            return 1;
        if (r->o->progress && r->sent / 100 != last_progress) {
            last_progress = r->sent / 100;
            hb_info("%llu documents sent, %llu rejected", (unsigned long long)r->sent,
                    (unsigned long long)r->rejects);
        }
    }
}

/* The division index and the --meta CSV.  0, or -1 when one is unusable
 * (said).  A missing default index is only a warning, left to the run. */
static int load_meta(reader_t *r, bool check)
{
    char idx_buf[4096];
    const char *idx =
        r->o->places ? r->o->places : hb_division_default(idx_buf, sizeof idx_buf);
    if (idx && !(r->div = hb_division_open(idx)) && r->o->places)
        return -1;
    if (!r->div && !check)
        hb_warn("no division index%s%s: province, city, county and code stay null (run "
                "tools/install-deps.sh, then make)", idx ? " usable at " : "", idx ? idx : "");
    r->meta = hb_meta_new(r->o->meta, r->div);
    return r->meta ? 0 : -1;
}

static void skip_file(void *arg, const hb_journal_entry_t *e)
{
    reader_t *r = arg;
    if ((uintptr_t)hb_map_get(r->skip, e->file) < e->doc + 1)
        hb_map_put(r->skip, e->file, (void *)(uintptr_t)(e->doc + 1));
    hb_buf_reset(&r->key);
    hb_buf_printf(&r->key, "%llu ", (unsigned long long)e->doc);
    hb_buf_puts(&r->key, e->file);
    hb_map_put(r->skip_pairs, r->key.data, r);
    if (e->doc / 8 >= r->skip_id_bytes) {
        size_t n = r->skip_id_bytes ? r->skip_id_bytes : 64;
        while (n <= e->doc / 8)
            n *= 2;
        r->skip_ids = hb_realloc(r->skip_ids, n);
        memset(r->skip_ids + r->skip_id_bytes, 0, n - r->skip_id_bytes);
        r->skip_id_bytes = n;
    }
    r->skip_ids[e->doc / 8] |= (uint8_t)(1u << (e->doc % 8));
}

/* The files an earlier run wrote to dir, and their ids, as its journal says. */
static int load_skip(reader_t *r, const char *dir)
{
    long par_end, docs_end, valid;
    r->skip = hb_map_new();
    r->skip_pairs = hb_map_new();
    return hb_journal_replay(dir, skip_file, r, &par_end, &docs_end, &valid) < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
    hb_log_init("huibao-read");
    read_opts_t o;
    hb_security_opts_t so;
    memset(&o, 0, sizeof o);
    memset(&so, 0, sizeof so);
    const hb_opt_t *tables[] = {read_options, hb_security_options, NULL};
    void *targets[] = {&o, &so, NULL};
    char **paths = hb_calloc((size_t)argc, sizeof *paths);
    int npaths = 0;
    int rc = hb_opt_parse(tables, targets, argc, argv, 1, paths, &npaths);
    if (rc == HB_OPT_HELP) {
        hb_opt_usage(stdout, "huibao-read --out ENDPOINTS --ctl ENDPOINTS --acks ENDPOINTS "
                     "[options] PATH...",
                     "Read report files and folders (recursively), decode them to UTF-8 "
                     "(UTF-8, BOM, UTF-16, GBK/GB18030, Big5), derive town, county and year, "
                     "and send one \"doc\" message per report to the split workers. Files that "
                     "are empty, binary or undecodable are sent to the aggregator as rejects "
                     "with a reason. Each document is kept until the aggregator acknowledges "
                     "it, and sent again if it is not.",
                     tables);
        free(paths);
        return 0;
    }
    if (rc == HB_OPT_OK && o.check) {
        hb_log_set_level(o.quiet ? HB_LOG_ERROR : o.verbose ? HB_LOG_DEBUG : HB_LOG_INFO);
        reader_t r = {.o = &o};
        rc = load_meta(&r, true) == 0 ? 0 : 2;
        if (rc == 0 && o.split) {
            o.ds.script = o.script;
            hb_docsplit_t *ds = hb_docsplit_new(&o.ds);
            rc = ds ? 0 : 2;
            hb_docsplit_free(ds);
        }
        hb_meta_free(r.meta);
        hb_division_free(r.div);
        free(paths);
        return rc;
    }
    if (rc != HB_OPT_OK || !o.out || !o.ctl || !o.acks || npaths == 0 || o.window < 1 ||
        o.attempts < 1 || o.retry_after <= 0 ||
        (strcmp(o.script, "auto") != 0 && strcmp(o.script, "simplified") != 0)) {
        if (rc == HB_OPT_OK)
            fprintf(stderr, "huibao-read: needs --out, --ctl, --acks and at least one PATH; "
                    "--window and --attempts at least 1; --script auto or simplified "
                    "(see --help)\n");
        free(paths);
        return 2;
    }
    hb_log_set_level(o.quiet ? HB_LOG_ERROR : o.verbose ? HB_LOG_DEBUG : HB_LOG_INFO);
    char run_id[64];
    if (!o.run) {
        snprintf(run_id, sizeof run_id, "r%lx-%d", (unsigned long)time(NULL), (int)getpid());
        o.run = run_id;
    }
    hb_signals_install();

    reader_t r;
    memset(&r, 0, sizeof r);
    r.o = &o;
    hb_buf_init(&r.raw);
    hb_buf_init(&r.text);
    hb_buf_init(&r.simple);
    hb_buf_init(&r.name);
    hb_buf_init(&r.key);
    hb_pack_init(&r.pack);
    hb_pack_init(&r.cpack);
    hb_pack_init(&r.upack);
    hb_batch_init(&r.obatch);
    r.obatch.send = queue_frame;
    hb_buf_init(&r.outq);
    int status = 1;
    void *zctx = zmq_ctx_new();
    hb_security_t *sec = hb_security_load(zctx, &so);
    hb_sock_opts_t out_o = {.hwm = (int)o.hwm, .linger_ms = 0, .immediate = true,
                            .bind_default = true, .sec = sec};
    hb_sock_opts_t ctl_o = {.hwm = 100000, .linger_ms = 10000, .bind_default = false,
                            .sec = sec};
    hb_sock_opts_t ack_o = {.hwm = 100000, .linger_ms = 0, .max_msg_bytes = 1 << 16,
                            .bind_default = true, .sec = sec};
    /* The workers' connections: info on a network, debug on one machine. */
    out_o.monitor = &r.mon_out;
    out_o.monitor_name = "out";
    out_o.monitor_level = strstr(o.out, "tcp://") ? HB_LOG_INFO : HB_LOG_DEBUG;
    if (!sec || load_meta(&r, false) != 0)
        goto done;
    if (o.skip && load_skip(&r, o.skip) != 0)
        goto done;
    o.ds.script = o.script; /* --split: one --script for both */
    if (o.split && !(r.ds = hb_docsplit_new(&o.ds)))
        goto done;
    r.out = hb_sock_open(zctx, ZMQ_PUSH, o.out, &out_o);
    r.ctl = r.out ? hb_sock_open(zctx, ZMQ_PUSH, o.ctl, &ctl_o) : NULL;
    r.acks = r.ctl ? hb_sock_open(zctx, ZMQ_PULL, o.acks, &ack_o) : NULL;
    if (!r.acks)
        goto done;
    r.slots = hb_calloc((size_t)o.window, sizeof *r.slots);
    r.walk = hb_walk_new(paths, (size_t)npaths, o.pattern);
    status = run_reader(&r);
    if (status == 0)
        hb_debug("done: %llu documents, %llu rejects, %llu given up, %llu skipped",
                 (unsigned long long)r.sent, (unsigned long long)r.rejects,
                 (unsigned long long)r.gave_up, (unsigned long long)r.skipped);
done:
    for (long i = 0; r.slots && i < o.window; i++)
        free(r.slots[i].path);
    free(r.slots);
    hb_walk_free(r.walk);
    hb_meta_free(r.meta);
    hb_division_free(r.div);
    hb_map_free(r.skip);
    hb_map_free(r.skip_pairs);
    free(r.skip_ids);
    hb_monitor_free(r.mon_out);
    hb_sock_close(r.out);
    hb_sock_close(r.ctl);
    hb_sock_close(r.acks);
    zmq_ctx_term(zctx);
    hb_security_free(sec);
    hb_buf_release(&r.raw);
    hb_buf_release(&r.text);
    hb_buf_release(&r.simple);
    hb_script_free(r.script);
    hb_buf_release(&r.name);
    hb_buf_release(&r.key);
    hb_pack_release(&r.pack);
    hb_pack_release(&r.cpack);
    hb_docsplit_free(r.ds);
    hb_pack_release(&r.upack);
    hb_batch_release(&r.obatch);
    hb_buf_release(&r.outq);
    free(paths);
    return status;
}
