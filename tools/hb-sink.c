/* hb-sink: the end of a benchmark pipeline — counts what arrives.
 *
 * Binds (or connects) a PULL socket, receives every message as fast as it
 * comes, and stops after --count messages, after --idle seconds of silence,
 * or on SIGINT/SIGTERM.  It then prints one line on stdout:
 *
 *   messages=N frames=F bytes=B seconds=S first=T0 last=T1 [unit=… doc_end=…]
 *
 * messages counts those inside batches (hb_batch.h) one by one; frames
 * counts what ZeroMQ delivered.
 * seconds is first to last message; T0 and T1 are wall-clock (epoch) times,
 * so a script can measure from when hb-feed started sending.  With --types
 * each message is decoded and counted by its "type".
 *
 * With --save FILE every frame is written as it arrives, in the frames
 * format that hb-feed replays:
 *
 *   "HBFRAMES" (8 bytes), then per frame: length (uint32, little-endian), bytes
 *
 * With --forward ENDPOINTS it is a tee: every frame goes on, unchanged, to a
 * PUSH socket.  The benchmark captures split's output that way while the
 * aggregator downstream acknowledges documents, so the reader runs with its
 * usual window.
 *
 * Ownership: main owns the sockets, the zmq frame and the file. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hb_batch.h"
#include "hb_log.h"
#include "hb_mem.h"
#include "hb_msg.h"
#include "hb_opt.h"
#include "hb_sock.h"

#define FRAMES_MAGIC "HBFRAMES"

typedef struct sink_opts {
    const char *in;
    const char *save;
    const char *forward;
    long count;
    double idle;
    double wait;
    long hwm;
    int types;
    int quiet;
} sink_opts_t;

static const hb_opt_t sink_options[] = {
    {"in", 'i', HB_OPT_STR, offsetof(sink_opts_t, in), NULL, "ENDPOINTS",
     "where messages arrive: '@' binds, '>' connects, no prefix binds"},
    {"count", 'n', HB_OPT_INT, offsetof(sink_opts_t, count), "0", "N",
     "stop after N messages (0: no limit)"},
    {"idle", 0, HB_OPT_DOUBLE, offsetof(sink_opts_t, idle), "0", "SECONDS",
     "stop after this long without a message, once one has arrived (0: never)"},
    {"wait", 0, HB_OPT_DOUBLE, offsetof(sink_opts_t, wait), "300", "SECONDS",
     "give up (status 1) when no message at all arrives within this time"},
    {"save", 's', HB_OPT_STR, offsetof(sink_opts_t, save), NULL, "FILE",
     "write every frame to FILE (length-prefixed), for hb-feed to replay"},
    {"forward", 'f', HB_OPT_STR, offsetof(sink_opts_t, forward), NULL, "ENDPOINTS",
     "also push every frame on, unchanged, to ENDPOINTS (no prefix connects)"},
    {"types", 't', HB_OPT_FLAG, offsetof(sink_opts_t, types), NULL, NULL,
     "decode each message and count it by type"},
    {"hwm", 0, HB_OPT_INT, offsetof(sink_opts_t, hwm), "1000", "N",
     "receive high-water mark, in messages"},
    {"quiet", 'q', HB_OPT_FLAG, offsetof(sink_opts_t, quiet), NULL, NULL, "log errors only"},
    HB_OPT_END,
};

static double wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Counts per message type, in order of first appearance (a handful of
 * types: a linear search is the fastest map). */
#define MAX_TYPES 32
typedef struct type_counts {
    char *name[MAX_TYPES];
    unsigned long n[MAX_TYPES];
    size_t used;
} type_counts_t;

static void count_type(type_counts_t *tc, const char *type, size_t tlen)
{
    size_t i;
    for (i = 0; i < tc->used; i++)
        if (strlen(tc->name[i]) == tlen && !memcmp(tc->name[i], type, tlen))
            break;
    if (i == tc->used && tc->used < MAX_TYPES)
        tc->name[tc->used++] = hb_strndup(type, tlen);
    if (i < tc->used)
        tc->n[i]++;
}

typedef struct type_walk {
    type_counts_t *tc;
    unsigned long n; /* messages delivered, whatever their type */
} type_walk_t;

static int count_one(void *arg, const hb_msg_t *m)
{
    type_walk_t *w = arg;
    count_type(w->tc, m->type, m->type_len);
    w->n++;
    return 0;
}

/* The messages a frame holds: 1, or a batch's count (hb_batch.h).  With tc,
 * each is decoded and counted by type; undecodable ones count as such. */
static unsigned long count_messages(type_counts_t *tc, const char *data, size_t len)
{
    if (tc) {
        unsigned long bad = 0;
        type_walk_t w = {tc, 0};
        hb_msg_each(data, len, count_one, &w, &bad);
        for (unsigned long i = 0; i < bad; i++)
            count_type(tc, "(undecodable)", strlen("(undecodable)"));
        return w.n + bad;
    }
    hb_msg_t m;
    const char *why;
    unsigned long n = 1;
    hb_msg_init(&m);
    if (hb_msg_decode(&m, data, len, &why) == 0 && hb_msg_is(&m, HB_T_BATCH)) {
        const msgpack_object *msgs = hb_msg_get(&m, "msgs");
        if (msgs && msgs->type == MSGPACK_OBJECT_ARRAY)
            n = msgs->via.array.size;
    }
    hb_msg_done(&m);
    return n;
}

static int save_frame(FILE *f, const char *path, const void *data, size_t len)
{
    unsigned char hdr[4] = {(unsigned char)len, (unsigned char)(len >> 8),
                            (unsigned char)(len >> 16), (unsigned char)(len >> 24)};
    if (fwrite(hdr, 1, 4, f) != 4 || fwrite(data, 1, len, f) != len) {
        hb_error("%s: cannot write: %s (is the disk full?)", path, strerror(errno));
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    hb_log_init("hb-sink");
    sink_opts_t o;
    memset(&o, 0, sizeof o);
    const hb_opt_t *tables[] = {sink_options, NULL};
    void *targets[] = {&o, NULL};
    int rc = hb_opt_parse(tables, targets, argc, argv, 1, NULL, NULL);
    if (rc == HB_OPT_HELP) {
        hb_opt_usage(stdout, "hb-sink --in ENDPOINTS [--count N] [--idle SECONDS] [--save FILE]",
                     "Receive messages on a PULL socket and count them; stop after --count "
                     "messages, --idle seconds of silence or a signal, then print one line: "
                     "messages=N bytes=B seconds=S (first to last message) first=T0 last=T1 "
                     "(epoch seconds). With --save, write every frame to a file that hb-feed "
                     "replays. A benchmark tool: see tools/bench.sh.",
                     tables);
        return 0;
    }
    if (rc != HB_OPT_OK || !o.in || o.count < 0 || o.idle < 0 || o.hwm < 1) {
        if (rc == HB_OPT_OK)
            fprintf(stderr, "hb-sink: needs --in ENDPOINTS; --count and --idle not negative "
                    "(see --help)\n");
        return 2;
    }
    hb_log_set_level(o.quiet ? HB_LOG_ERROR : HB_LOG_INFO);
    hb_signals_install();

    FILE *save = NULL;
    if (o.save) {
        save = fopen(o.save, "wb");
        if (!save) {
            hb_error("%s: cannot create the frames file: %s", o.save, strerror(errno));
            return 1;
        }
        setvbuf(save, NULL, _IOFBF, 1 << 20);
        if (fwrite(FRAMES_MAGIC, 1, 8, save) != 8) {
            hb_error("%s: cannot write: %s", o.save, strerror(errno));
            fclose(save);
            return 1;
        }
    }
    type_counts_t tc;
    memset(&tc, 0, sizeof tc);

    int status = 1;
    void *zctx = zmq_ctx_new();
    hb_sock_opts_t in_o = {.hwm = (int)o.hwm, .linger_ms = 0,
                           .max_msg_bytes = HB_MAX_MSG_DEFAULT, .bind_default = true};
    hb_sock_opts_t fwd_o = {.hwm = (int)o.hwm, .linger_ms = 30000, .bind_default = false};
    void *in = hb_sock_open(zctx, ZMQ_PULL, o.in, &in_o);
    void *fwd = in && o.forward ? hb_sock_open(zctx, ZMQ_PUSH, o.forward, &fwd_o) : NULL;
    unsigned long n = 0, frames = 0; /* messages, and the frames (batches) they came in */
    unsigned long long bytes = 0;
    double start = wall_s(), first = 0, last = 0;
    if (!in || (o.forward && !fwd))
        goto done;

    zmq_msg_t frame;
    zmq_msg_init(&frame);
    zmq_pollitem_t item = {in, 0, ZMQ_POLLIN, 0};
    status = 0;
    while (!hb_stop_requested() && (o.count == 0 || n < (unsigned long)o.count)) {
        /* Block in recv while messages flow; poll only to notice silence. */
        if (zmq_msg_recv(&frame, in, ZMQ_DONTWAIT) < 0) {
            int e = zmq_errno();
            if (e == EINTR)
                continue;
            if (e != EAGAIN) {
                hb_error("receive failed: %s", zmq_strerror(e));
                status = 1;
                break;
            }
            double now = wall_s();
            if (n == 0 && now - start > o.wait) {
                hb_error("no message arrived within %g s on %s: is the sender running and "
                         "connected to this endpoint?", o.wait, o.in);
                status = 1;
                break;
            }
            if (n > 0 && o.idle > 0 && now - last >= o.idle)
                break;
            if (zmq_poll(&item, 1, 100) < 0 && zmq_errno() != EINTR) {
                hb_error("poll failed: %s", zmq_strerror(zmq_errno()));
                status = 1;
                break;
            }
            continue;
        }
        last = wall_s();
        if (n == 0)
            first = last;
        size_t len = zmq_msg_size(&frame);
        n += count_messages(o.types ? &tc : NULL, zmq_msg_data(&frame), len);
        frames++;
        bytes += len;
        if (save && save_frame(save, o.save, zmq_msg_data(&frame), len) != 0) {
            status = 1;
            break;
        }
        if (fwd && zmq_msg_send(&frame, fwd, 0) < 0) {
            if (zmq_errno() == EINTR && hb_stop_requested())
                break;
            hb_error("cannot forward to %s: %s", o.forward, zmq_strerror(zmq_errno()));
            status = 1;
            break;
        }
    }
    zmq_msg_close(&frame);
    if (status == 0 && o.count > 0 && n < (unsigned long)o.count) {
        hb_warn("only %lu of the %ld messages expected arrived", n, o.count);
        status = 1;
    }
    if (n == 0)
        status = 1;
    printf("messages=%lu frames=%lu bytes=%llu seconds=%.3f first=%.6f last=%.6f", n, frames,
           bytes, last - first, first, last);
    for (size_t i = 0; i < tc.used; i++)
        printf(" %s=%lu", tc.name[i], tc.n[i]);
    printf("\n");
    fflush(stdout);
done:
    if (save && fclose(save) != 0) {
        hb_error("%s: cannot finish writing: %s", o.save, strerror(errno));
        status = 1;
    }
    hb_sock_close(in);
    hb_sock_close(fwd);
    zmq_ctx_term(zctx);
    for (size_t i = 0; i < tc.used; i++)
        free(tc.name[i]);
    return status;
}
