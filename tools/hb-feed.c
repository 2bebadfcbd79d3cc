/* hb-feed: the start of a benchmark pipeline — replays captured messages.
 *
 * Reads a frames file written by `hb-sink --save` ("HBFRAMES", then per frame
 * a little-endian uint32 length and the bytes), waits until --peers workers
 * have connected, and pushes every frame, --repeat times, as fast as the
 * receivers take them (the high-water mark is the only brake).  It then waits
 * up to --linger seconds for the queued frames to leave and prints one line
 * on stdout:
 *
 *   messages=N bytes=B seconds=S start=T0 end=T1
 *
 * T0 is the wall-clock (epoch) time of the first send, so a script measures
 * a stage alone as (hb-sink's last) - T0.  Waiting for the peers first means
 * every worker starts with the same share of the work.
 *
 * --hold keeps the connections open after the last send until a signal.
 * Closing right after the last send lost the tail of the stream here (the
 * last 36-166 of 15,507 frames, classify receiving with --hwm 64) despite
 * the linger; where libzmq drops them was not pinned down.  The benchmark
 * holds the feed open until the sink has counted everything, then stops it.
 *
 * Ownership: main owns the mapping of the file, the sockets and the monitor. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hb_log.h"
#include "hb_mem.h"
#include "hb_opt.h"
#include "hb_sock.h"

#define FRAMES_MAGIC "HBFRAMES"
#define MONITOR_EP "inproc://hb-feed-monitor"

typedef struct feed_opts {
    const char *out;
    long repeat;
    long peers;
    double wait;
    double linger;
    long hwm;
    int hold;
    int quiet;
} feed_opts_t;

static const hb_opt_t feed_options[] = {
    {"out", 'o', HB_OPT_STR, offsetof(feed_opts_t, out), NULL, "ENDPOINTS",
     "where the frames go: '@' binds, '>' connects, no prefix binds"},
    {"repeat", 'r', HB_OPT_INT, offsetof(feed_opts_t, repeat), "1", "K",
     "send the whole file K times"},
    {"peers", 'p', HB_OPT_INT, offsetof(feed_opts_t, peers), "1", "N",
     "wait until N receivers are connected before sending (0: do not wait)"},
    {"wait", 0, HB_OPT_DOUBLE, offsetof(feed_opts_t, wait), "60", "SECONDS",
     "give up (status 1) when the receivers have not connected within this time"},
    {"linger", 0, HB_OPT_DOUBLE, offsetof(feed_opts_t, linger), "120", "SECONDS",
     "at the end, wait this long for queued frames to leave"},
    {"hwm", 0, HB_OPT_INT, offsetof(feed_opts_t, hwm), "1000", "N",
     "send high-water mark, in messages"},
    {"hold", 0, HB_OPT_FLAG, offsetof(feed_opts_t, hold), NULL, NULL,
     "after sending, keep the connections open until SIGINT/SIGTERM (see above)"},
    {"quiet", 'q', HB_OPT_FLAG, offsetof(feed_opts_t, quiet), NULL, NULL, "log errors only"},
    HB_OPT_END,
};

static double wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A frames file, mapped read-only. */
typedef struct frames {
    const unsigned char *data;
    size_t len;
    size_t count;
} frames_t;

static int frames_open(frames_t *f, const char *path)
{
    memset(f, 0, sizeof *f);
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        hb_error("%s: cannot open the frames file: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_size < 8) {
        hb_error("%s: not a frames file (too short); write one with hb-sink --save", path);
        close(fd);
        return -1;
    }
    void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (p == MAP_FAILED) {
        hb_error("%s: cannot map the file: %s", path, strerror(errno));
        return -1;
    }
    f->data = p;
    f->len = (size_t)st.st_size;
    if (memcmp(f->data, FRAMES_MAGIC, 8) != 0) {
        hb_error("%s: not a frames file (no HBFRAMES header); write one with hb-sink --save",
                 path);
        munmap(p, f->len);
        return -1;
    }
    madvise(p, f->len, MADV_SEQUENTIAL);
    /* Check the framing once, so the send loop need not. */
    for (size_t off = 8; off < f->len;) {
        uint32_t n;
        if (f->len - off < 4 ||
            (n = (uint32_t)f->data[off] | (uint32_t)f->data[off + 1] << 8 |
                 (uint32_t)f->data[off + 2] << 16 | (uint32_t)f->data[off + 3] << 24,
             f->len - off - 4 < n)) {
            hb_error("%s: truncated at byte %zu after %zu frames; was hb-sink stopped while "
                     "writing it? Capture it again", path, off, f->count);
            munmap(p, f->len);
            return -1;
        }
        off += 4 + n;
        f->count++;
    }
    return 0;
}

/* Opens the PUSH socket with a monitor attached before it binds or connects,
 * so no peer can arrive unseen. */
static void *open_push(void *zctx, const feed_opts_t *o, void **monitor)
{
    void *s = zmq_socket(zctx, ZMQ_PUSH);
    int hwm = (int)o->hwm, linger = (int)(o->linger * 1000);
    if (!s || zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof hwm) ||
        zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger) ||
        zmq_socket_monitor(s, MONITOR_EP, ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_CONNECTED)) {
        hb_error("cannot create the PUSH socket: %s", zmq_strerror(zmq_errno()));
        if (s)
            zmq_close(s);
        return NULL;
    }
    *monitor = zmq_socket(zctx, ZMQ_PAIR);
    if (!*monitor || zmq_connect(*monitor, MONITOR_EP)) {
        hb_error("cannot watch the socket's connections: %s", zmq_strerror(zmq_errno()));
        if (*monitor)
            zmq_close(*monitor);
        *monitor = NULL;
        zmq_close(s);
        return NULL;
    }
    char *copy = hb_strdup(o->out), *save = NULL;
    for (char *ep = strtok_r(copy, ",", &save); ep; ep = strtok_r(NULL, ",", &save)) {
        int bind = *ep != '>';
        ep += *ep == '@' || *ep == '>';
        if ((bind ? zmq_bind(s, ep) : zmq_connect(s, ep)) != 0) {
            hb_error("cannot %s %s: %s", bind ? "bind" : "connect to", ep,
                     zmq_strerror(zmq_errno()));
            free(copy);
            zmq_close(*monitor);
            *monitor = NULL;
            zmq_close(s);
            return NULL;
        }
    }
    free(copy);
    return s;
}

/* Waits until n peers have connected.  0, or -1 on timeout or signal. */
static int wait_peers(void *monitor, long n, double limit)
{
    double until = wall_s() + limit;
    long seen = 0;
    zmq_pollitem_t item = {monitor, 0, ZMQ_POLLIN, 0};
    while (seen < n) {
        if (hb_stop_requested())
            return -1;
        double left = until - wall_s();
        if (left <= 0) {
            hb_error("only %ld of %ld receivers connected within the --wait time: are they "
                     "running, and connecting to this endpoint?", seen, n);
            return -1;
        }
        if (zmq_poll(&item, 1, (long)(left * 1000) + 1) <= 0)
            continue;
        zmq_msg_t ev, addr;
        zmq_msg_init(&ev);
        zmq_msg_init(&addr);
        if (zmq_msg_recv(&ev, monitor, 0) >= 0 && zmq_msg_recv(&addr, monitor, 0) >= 0 &&
            zmq_msg_size(&ev) >= 2) {
            uint16_t event;
            memcpy(&event, zmq_msg_data(&ev), 2);
            if (event == ZMQ_EVENT_ACCEPTED || event == ZMQ_EVENT_CONNECTED)
                seen++;
        }
        zmq_msg_close(&ev);
        zmq_msg_close(&addr);
    }
    return 0;
}

int main(int argc, char **argv)
{
    hb_log_init("hb-feed");
    feed_opts_t o;
    memset(&o, 0, sizeof o);
    const hb_opt_t *tables[] = {feed_options, NULL};
    void *targets[] = {&o, NULL};
    char **args = hb_calloc((size_t)argc, sizeof *args);
    int nargs = 0;
    int rc = hb_opt_parse(tables, targets, argc, argv, 1, args, &nargs);
    const char *path = nargs == 1 ? args[0] : NULL; /* points into argv */
    free(args);
    if (rc == HB_OPT_HELP) {
        hb_opt_usage(stdout, "hb-feed --out ENDPOINTS [--repeat K] [--peers N] FRAMES-FILE",
                     "Replay the frames saved by hb-sink --save: wait for N receivers, push "
                     "every frame K times as fast as they take them, wait for the queue to "
                     "drain and print one line: messages=N bytes=B seconds=S start=T0 end=T1 "
                     "(epoch seconds). With it a benchmark runs one stage alone on captured "
                     "input: see tools/bench.sh.",
                     tables);
        return 0;
    }
    if (rc != HB_OPT_OK || !o.out || !path || o.repeat < 1 || o.peers < 0 || o.hwm < 1) {
        if (rc == HB_OPT_OK)
            fprintf(stderr, "hb-feed: needs --out ENDPOINTS and one FRAMES-FILE; --repeat at "
                    "least 1 (see --help)\n");
        return 2;
    }
    hb_log_set_level(o.quiet ? HB_LOG_ERROR : HB_LOG_INFO);
    hb_signals_install();

    frames_t f;
    if (frames_open(&f, path) != 0)
        return 1;
    int status = 1;
    void *zctx = zmq_ctx_new(), *monitor = NULL;
    void *out = open_push(zctx, &o, &monitor);
    unsigned long n = 0;
    unsigned long long bytes = 0;
    double start = 0, end = 0;
    if (!out || wait_peers(monitor, o.peers, o.wait) != 0)
        goto done;
    start = wall_s();
    status = 0;
    for (long k = 0; k < o.repeat && status == 0; k++)
        for (size_t off = 8; off < f.len;) {
            uint32_t len = (uint32_t)f.data[off] | (uint32_t)f.data[off + 1] << 8 |
                           (uint32_t)f.data[off + 2] << 16 | (uint32_t)f.data[off + 3] << 24;
            if (hb_sock_send(out, f.data + off + 4, len, 0) != 0) {
                hb_error("send failed after %lu messages: %s", n, zmq_strerror(errno));
                status = 1;
                break;
            }
            off += 4 + (size_t)len;
            n++;
            bytes += len;
        }
    end = wall_s();
    printf("messages=%lu bytes=%llu seconds=%.3f start=%.6f end=%.6f\n", n, bytes, end - start,
           start, end);
    fflush(stdout);
    while (o.hold && status == 0 && !hb_stop_requested())
        pause();
done:
    if (monitor) {
        zmq_socket_monitor(out, NULL, 0);
        zmq_close(monitor);
    }
    hb_sock_close(out); /* linger: the queued frames leave before zmq_ctx_term returns */
    zmq_ctx_term(zctx);
    munmap((void *)f.data, f.len);
    return status;
}
