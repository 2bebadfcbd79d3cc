#include "hb_stage.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "hb_batch.h"
#include "hb_mem.h"
#include "hb_regex.h"
#include "hb_sock.h"

struct hb_stage {
    const hb_filter_t *f;
    void *ctx;
    void *out;
    hb_pack_t pack;
    hb_batch_t batch; /* what the frames received at once produced, sent as one frame */
    unsigned long n_in, n_out, n_bad, n_dropped;
    unsigned long n_docs; /* documents seen: "doc" or "doc_end" messages */
    int level;            /* of the start, connection and count lines */
    void *zctx, *in;      /* for the watchdog, which closes them when it fires */
    hb_monitor_t *mon_in, *mon_out;
    bool exit_at_end;     /* --exit-at-end */
    hb_buf_t end_msg;     /* the run_end received, passed on before exiting */
    uint64_t subject_doc; /* the document the stage's regexes read (hb_regex_subject) */
    char subject[48];
};

typedef struct common_opts {
    const char *in;
    const char *out;
    long hwm;
    long max_msg_mb;
    double stats_every;
    double stall_timeout;
    int quiet;
    int verbose;
    int check;
    int exit_at_end;
} common_opts_t;

static const hb_opt_t common_options[] = {
    {"in", 'i', HB_OPT_STR, offsetof(common_opts_t, in), NULL, "ENDPOINTS",
     "where messages come from: '@' binds, '>' connects, commas separate"},
    {"out", 'o', HB_OPT_STR, offsetof(common_opts_t, out), NULL, "ENDPOINTS",
     "where messages go, same syntax"},
    /* Small queues: the reader's window is the pipeline's buffer.  A frame
     * holds a document or up to 64 KB of units, so a few keep a stage busy,
     * and a backlog waits in the reader (which keeps each document anyway)
     * rather than in the memory of whichever stage is slowest. */
    {"hwm", 0, HB_OPT_INT, offsetof(common_opts_t, hwm), "4", "N",
     "high-water mark of each socket, in messages", 1, 1000000},
    {"max-msg-mb", 0, HB_OPT_INT, offsetof(common_opts_t, max_msg_mb), "256", "MB",
     "largest message accepted; larger ones are refused by ZeroMQ", 1, 4096},
    {"stats-every", 0, HB_OPT_DOUBLE, offsetof(common_opts_t, stats_every), "0", "SECONDS",
     "log the counts (messages in and out, documents, CPU) this often; 0: only at exit", 0,
     86400},
    {"stall-timeout", 0, HB_OPT_DOUBLE, offsetof(common_opts_t, stall_timeout), "600",
     "SECONDS", "a message held longer than this by the stage ends the process (status 70) so "
     "that its supervisor restarts it and the document is sent again; 0: never", 0, 86400},
    {"exit-at-end", 0, HB_OPT_FLAG, offsetof(common_opts_t, exit_at_end), NULL, NULL,
     "exit 0 when the reader announces that the run is complete (a \"run_end\" message, "
     "passed on to the stages after this one first), instead of waiting for another run; "
     "a lost connection is not an end: the stage reconnects"},
    {"quiet", 'q', HB_OPT_FLAG, offsetof(common_opts_t, quiet), NULL, NULL, "log errors only"},
    {"verbose", 'v', HB_OPT_FLAG, offsetof(common_opts_t, verbose), NULL, NULL,
     "log debug details"},
    {"check", 0, HB_OPT_FLAG, offsetof(common_opts_t, check), NULL, NULL,
     "load the configuration (what the stage loads at start), say what is wrong and exit: "
     "0 when it is good, 2 when not; no socket is opened"},
    HB_OPT_END,
};

hb_pack_t *hb_stage_pack(hb_stage_t *st)
{
    hb_pack_reset(&st->pack);
    return &st->pack;
}

static bool sockets_take(void);
static void sockets_give(bool taken);

int hb_stage_emit(hb_stage_t *st)
{
    bool taken = sockets_take();
    int rc = hb_batch_add(&st->batch, st->out, st->pack.buf.data, st->pack.buf.len);
    sockets_give(taken);
    if (rc != 0)
        return -1;
    st->n_out++;
    return 0;
}

int hb_stage_reject(hb_stage_t *st, const hb_msg_t *m, const char *reason)
{
    hb_pack_reject(hb_stage_pack(st), m, st->f->name, reason);
    return hb_stage_emit(st);
}

static bool wants(const hb_filter_t *f, const hb_msg_t *m)
{
    if (!f->types)
        return true;
    for (const char *const *t = f->types; *t; t++)
        if (hb_msg_is(m, *t))
            return true;
    return false;
}

/* A unit dropped without a replacement leaves a "dropped" record with its
 * identity, so that its document's count still adds up. */
static int emit_dropped(hb_stage_t *st, const hb_msg_t *m)
{
    static const char *const keep[] = {"run", "doc", "seq", "part", "parts", NULL};
    hb_pack_t *p = hb_stage_pack(st);
    size_t n = 0;
    for (const char *const *k = keep; *k; k++)
        n += hb_msg_get(m, *k) != NULL;
    hb_pack_header(p, HB_T_DROPPED, n);
    for (const char *const *k = keep; *k; k++) {
        const msgpack_object *o = hb_msg_get(m, *k);
        if (o) {
            hb_pack_key(p, *k);
            msgpack_pack_object(&p->pk, *o);
        }
    }
    st->n_dropped++;
    return hb_stage_emit(st);
}

/* The watchdog: a thread that ends the process when the stage has held one
 * message longer than --stall-timeout (a hung stage stalls every document
 * queued behind it).  Before it goes it says so downstream: a "stalled"
 * message with the document and the stage's name reaches the aggregator,
 * which tells the reader, so that the document, when finally given up, is
 * rejected in this stage's name.
 *
 * The sockets belong to the main thread; the watchdog may use them only
 * while the stage's own code runs and is not sending.  watch.state says
 * who has them, and moves by compare-and-swap (a full barrier, as ZeroMQ
 * asks of a socket changing threads):
 *   IDLE   the runtime is using them (receiving, flushing, not in the stage)
 *   STAGE  the stage's on_message runs: the watchdog may take them
 *   SEND   the stage is sending (hb_stage_emit): it may not
 *   FIRED  the watchdog took them: the main thread never touches them again */
#define HB_EXIT_STALLED 70

enum { WATCH_IDLE, WATCH_STAGE, WATCH_SEND, WATCH_FIRED };

static struct {
    double timeout;
    int state;
    int64_t since_ms;     /* when the message being handled went in */
    const hb_msg_t *msg;  /* that message: alive while the stage holds it */
    hb_stage_t *st;
} watch;

static bool cas_state(int from, int to)
{
    return __atomic_compare_exchange_n(&watch.state, &from, to, false, __ATOMIC_SEQ_CST,
                                       __ATOMIC_SEQ_CST);
}

/* The stage is about to send from inside on_message: true when it then
 * holds the sockets (give them back with sockets_give).  When the watchdog
 * has taken them the process is ending: the stage waits for that. */
static bool sockets_take(void)
{
    if (watch.timeout <= 0 || cas_state(WATCH_STAGE, WATCH_SEND))
        return watch.timeout > 0;
    while (__atomic_load_n(&watch.state, __ATOMIC_SEQ_CST) == WATCH_FIRED)
        pause();
    return false; /* IDLE: sent from init, exit or the runtime itself */
}

static void sockets_give(bool taken)
{
    if (taken)
        cas_state(WATCH_SEND, WATCH_STAGE);
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void exit_stalled(int sig)
{
    (void)sig;
    _exit(HB_EXIT_STALLED);
}

/* The sockets are the watchdog's: what the stage emitted for earlier
 * messages goes on, then the "stalled" notice, and the process ends once
 * they are handed to the network (at most a few seconds). */
static void say_stalled(hb_stage_t *st, const hb_msg_t *m)
{
    static const char *const keep[] = {"run", "doc", "file", NULL};
    signal(SIGALRM, exit_stalled);
    alarm(5);
    /* Nothing more comes in: what the reader sends on hearing of the stall
     * goes to the process that replaces this one. */
    hb_monitor_free(st->mon_in);
    hb_sock_close(st->in);
    int timeout_ms = 2000;
    zmq_setsockopt(st->out, ZMQ_SNDTIMEO, &timeout_ms, sizeof timeout_ms);
    hb_batch_flush(&st->batch, st->out);
    hb_pack_t p;
    hb_pack_init(&p);
    size_t n = 0;
    for (const char *const *k = keep; *k; k++)
        n += hb_msg_get(m, *k) != NULL;
    hb_pack_header(&p, HB_T_STALLED, n + 2);
    for (const char *const *k = keep; *k; k++) {
        const msgpack_object *o = hb_msg_get(m, *k);
        if (o) {
            hb_pack_key(&p, *k);
            msgpack_pack_object(&p.pk, *o);
        }
    }
    hb_pack_kv_cstr(&p, "stage", st->f->name);
    hb_pack_key(&p, "seconds");
    msgpack_pack_double(&p.pk, watch.timeout);
    hb_sock_send(st->out, p.buf.data, p.buf.len, 0);
    hb_pack_release(&p);
    hb_monitor_free(st->mon_out);
    hb_sock_close(st->out); /* lingers until what it holds is sent */
    zmq_ctx_term(st->zctx);
}

static void *watchdog(void *arg)
{
    (void)arg;
    for (;;) {
        sleep(1);
        /* The state first: since_ms is set before it, so it is this message's. */
        if (__atomic_load_n(&watch.state, __ATOMIC_SEQ_CST) == WATCH_IDLE ||
            mono_ms() - __atomic_load_n(&watch.since_ms, __ATOMIC_SEQ_CST) <=
                (int64_t)(watch.timeout * 1000))
            continue;
        const hb_msg_t *m = __atomic_load_n(&watch.msg, __ATOMIC_SEQ_CST);
        uint64_t doc;
        bool taken = cas_state(WATCH_STAGE, WATCH_FIRED);
        hb_error("held one message (document %lld) for more than %g s (--stall-timeout): "
                 "exiting so that it is restarted and the document sent again",
                 hb_msg_u64(m, "doc", &doc) ? -1LL : (long long)doc, watch.timeout);
        if (taken) /* else the stage is sending: it goes unannounced */
            say_stalled(watch.st, m);
        _exit(HB_EXIT_STALLED);
    }
    return NULL;
}

/* The run's end goes to every stage downstream (hb_sock_send_to_all). */
static void pass_end_on(hb_stage_t *st)
{
    unsigned long sent = hb_sock_send_to_all(st->out, st->end_msg.data, st->end_msg.len);
    hb_log(st->level, "the run is complete (run_end): sent it on (%lu copies); exiting", sent);
}

/* One message: to the stage, or forwarded untouched. */
static int handle(void *arg, const hb_msg_t *m)
{
    hb_stage_t *st = arg;
    if (hb_msg_is(m, HB_T_RUN_END)) { /* not data: never to the stage */
        if (st->exit_at_end && !st->end_msg.len)
            hb_buf_append(&st->end_msg, m->raw, m->raw_len);
        return 0;
    }
    st->n_in++;
    st->n_docs += hb_msg_is(m, HB_T_DOC) || hb_msg_is(m, HB_T_DOC_END);
    uint64_t doc;
    if (hb_msg_u64(m, "doc", &doc) == 0 && (doc != st->subject_doc || !st->subject[0])) {
        snprintf(st->subject, sizeof st->subject, "document %llu", (unsigned long long)doc);
        hb_regex_subject(st->subject);
        st->subject_doc = doc;
    }
    unsigned long out_before = st->n_out;
    int verdict = HB_PASS;
    if (wants(st->f, m)) {
        if (watch.timeout > 0) {
            __atomic_store_n(&watch.msg, m, __ATOMIC_SEQ_CST);
            __atomic_store_n(&watch.since_ms, mono_ms(), __ATOMIC_SEQ_CST);
            __atomic_store_n(&watch.state, WATCH_STAGE, __ATOMIC_SEQ_CST);
        }
        verdict = st->f->on_message(st, st->ctx, m);
        if (watch.timeout > 0 && !cas_state(WATCH_STAGE, WATCH_IDLE))
            for (;;) /* the watchdog fired meanwhile and has the sockets */
                pause();
    }
    if (verdict == HB_DROP && st->n_out == out_before && hb_msg_is(m, HB_T_UNIT)) {
        emit_dropped(st, m);
    } else if (verdict == HB_PASS) {
        if (hb_batch_add(&st->batch, st->out, m->raw, m->raw_len) == 0)
            st->n_out++;
    } else if (verdict == HB_ERROR) {
        st->n_bad++;
        hb_warn("could not handle a \"%.*s\" message; dropped it", (int)m->type_len, m->type);
    }
    return 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One line of counts: what the stage did, and the CPU it took. */
static void log_stats(const hb_stage_t *st, const char *what)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
                 (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
    hb_log(st->level, "%s: %lu messages in, %lu out in %lu frames, %lu documents, %lu units "
           "dropped, %lu bad, %.2f s CPU", what, st->n_in, st->n_out, st->batch.frames, st->n_docs,
            st->n_dropped, st->n_bad, cpu);
}

int hb_filter_main(const hb_filter_t *f, int argc, char **argv)
{
    static char program[64];
    snprintf(program, sizeof program, "huibao-%s", f->name);
    hb_log_init(program);
    hb_mem_bound_heap();

    common_opts_t co;
    hb_security_opts_t so;
    memset(&co, 0, sizeof co);
    memset(&so, 0, sizeof so);
    void *stage_opts = hb_calloc(1, f->options_size ? f->options_size : 1);
    const hb_opt_t *tables[4] = {common_options, hb_security_options, NULL, NULL};
    void *targets[4] = {&co, &so, NULL, NULL};
    if (f->options) {
        tables[2] = f->options;
        targets[2] = stage_opts;
    }

    char synopsis[160];
    snprintf(synopsis, sizeof synopsis, "%s --in ENDPOINTS --out ENDPOINTS [options]", program);
    int rc = hb_opt_parse(tables, targets, argc, argv, 1, NULL, NULL);
    if (rc == HB_OPT_HELP) {
        char desc[2048];
        snprintf(desc, sizeof desc, "%s\n\n%s\n\nEndpoints without a prefix %s for --in and %s "
                 "for --out.", f->summary, f->description, f->in_bind ? "bind" : "connect",
                 f->out_bind ? "bind" : "connect");
        hb_opt_usage(stdout, synopsis, desc, tables);
        free(stage_opts);
        return 0;
    }
    if (rc == HB_OPT_OK && co.check) {
        hb_stage_t st = {.f = f};
        hb_pack_init(&st.pack);
        hb_batch_init(&st.batch);
        rc = f->init && f->init(&st, stage_opts, &st.ctx) != 0 ? 2 : 0;
        if (rc == 0 && f->exit)
            f->exit(st.ctx);
        hb_pack_release(&st.pack);
        hb_batch_release(&st.batch);
        free(stage_opts);
        return rc;
    }
    if (rc != HB_OPT_OK || !co.in || !co.out) {
        if (rc == HB_OPT_OK)
            fprintf(stderr, "%s: --in and --out are required (see --help)\n", program);
        free(stage_opts);
        return 2;
    }
    hb_log_set_level(co.quiet ? HB_LOG_ERROR : co.verbose ? HB_LOG_DEBUG : HB_LOG_INFO);
    hb_signals_install();

    hb_stage_t st = {.f = f, .exit_at_end = co.exit_at_end};
    hb_pack_init(&st.pack);
    hb_batch_init(&st.batch);
    hb_buf_init(&st.end_msg);
    int status = 1;
    void *zctx = zmq_ctx_new();
    hb_security_t *sec = hb_security_load(zctx, &so);
    hb_sock_opts_t in_o = {.hwm = (int)co.hwm, .linger_ms = 0,
                           .max_msg_bytes = co.max_msg_mb << 20, .bind_default = f->in_bind,
                           .sec = sec};
    hb_sock_opts_t out_o = {.hwm = (int)co.hwm, .linger_ms = 2000, .immediate = true,
                            .bind_default = f->out_bind, .sec = sec};
    /* Start, connections and counts: info on a network (a tcp endpoint: who
     * did what across hosts), debug on one machine. */
    st.level = strstr(co.in, "tcp://") || strstr(co.out, "tcp://") ? HB_LOG_INFO : HB_LOG_DEBUG;
    hb_monitor_t *mon_in = NULL, *mon_out = NULL;
    in_o.monitor = &mon_in;
    in_o.monitor_name = "in";
    in_o.monitor_level = out_o.monitor_level = st.level;
    out_o.monitor = &mon_out;
    out_o.monitor_name = "out";
    void *in = sec ? hb_sock_open(zctx, ZMQ_PULL, co.in, &in_o) : NULL;
    st.out = in ? hb_sock_open(zctx, ZMQ_PUSH, co.out, &out_o) : NULL;
    if (!st.out)
        goto done;
    if (f->init && f->init(&st, stage_opts, &st.ctx) != 0) {
        hb_error("initialisation failed; stopping");
        goto done;
    }
    hb_batch_flush(&st.batch, st.out); /* what init emitted */
    char host[256] = "?";
    gethostname(host, sizeof host - 1);
    const char *key = hb_security_public(sec);
    hb_log(st.level, "started: in %s, out %s, pid %d on %s, %s%.8s%s", co.in, co.out,
           (int)getpid(), host, key ? "CURVE key " : "no CURVE", key ? key : "", key ? "…" : "");
    double next_stats = co.stats_every > 0 ? now_s() + co.stats_every : 0;
    pthread_t watcher;
    st.zctx = zctx;
    st.in = in;
    st.mon_in = mon_in;
    st.mon_out = mon_out;
    watch.st = &st;
    watch.timeout = co.stall_timeout;
    if (watch.timeout > 0 && pthread_create(&watcher, NULL, watchdog, NULL) != 0) {
        hb_error("cannot start the --stall-timeout watchdog");
        goto done;
    }
    if (watch.timeout > 0)
        pthread_detach(watcher);

    /* What a frame produces joins one outgoing batch, and so does what the
     * frames already waiting produce: every frame costs wake-ups of the I/O
     * threads at both ends, and fuller frames are fewer.  The batch leaves as
     * soon as no input is waiting (or it is full), so nothing is held back. */
    zmq_msg_t frame;
    zmq_msg_init(&frame);
    while (!hb_stop_requested()) {
        zmq_pollitem_t items[] = {{in, 0, ZMQ_POLLIN, 0},
                                  {hb_monitor_socket(mon_in), 0, ZMQ_POLLIN, 0},
                                  {hb_monitor_socket(mon_out), 0, ZMQ_POLLIN, 0}};
        long wait_ms = next_stats ? (long)((next_stats - now_s()) * 1000) + 1 : -1;
        if (zmq_poll(items, 3, wait_ms < 0 && next_stats ? 0 : wait_ms) < 0) {
            if (zmq_errno() == EINTR)
                continue;
            hb_error("poll failed: %s", zmq_strerror(zmq_errno()));
            break;
        }
        if (items[1].revents & ZMQ_POLLIN)
            hb_monitor_read(mon_in);
        if (items[2].revents & ZMQ_POLLIN)
            hb_monitor_read(mon_out);
        if (next_stats && now_s() >= next_stats) {
            log_stats(&st, "so far");
            next_stats = now_s() + co.stats_every;
        }
        if (!(items[0].revents & ZMQ_POLLIN))
            continue;
        while (!hb_stop_requested() && zmq_msg_recv(&frame, in, ZMQ_DONTWAIT) >= 0)
            hb_msg_each(zmq_msg_data(&frame), zmq_msg_size(&frame), handle, &st, &st.n_bad);
        if (hb_batch_flush(&st.batch, st.out) != 0)
            break;
        if (st.end_msg.len) {
            pass_end_on(&st);
            break;
        }
    }
    zmq_msg_close(&frame);
    status = 0;
    log_stats(&st, "stopping");
    if (f->exit)
        f->exit(st.ctx);
    hb_batch_flush(&st.batch, st.out); /* what exit emitted */
done:
    hb_monitor_free(mon_in);
    hb_monitor_free(mon_out);
    hb_sock_close(in);
    hb_sock_close(st.out);
    zmq_ctx_term(zctx);
    hb_security_free(sec);
    hb_pack_release(&st.pack);
    hb_batch_release(&st.batch);
    hb_buf_release(&st.end_msg);
    free(stage_opts);
    return status;
}
