#include "hb_sock.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hb_log.h"
#include "hb_mem.h"

static int set_int(void *s, int opt, int v)
{
    return zmq_setsockopt(s, opt, &v, sizeof v);
}

void *hb_sock_open(void *ctx, int type, const char *spec, const hb_sock_opts_t *o)
{
    if (!spec || !*spec) {
        hb_error("no endpoint given for a socket (use @tcp://*:PORT to bind, >tcp://HOST:PORT "
                 "to connect, or ipc://PATH)");
        return NULL;
    }
    void *s = zmq_socket(ctx, type);
    if (!s) {
        hb_error("cannot create socket: %s", zmq_strerror(zmq_errno()));
        return NULL;
    }
    int64_t maxmsg = o->max_msg_bytes;
    if (set_int(s, ZMQ_SNDHWM, o->hwm) || set_int(s, ZMQ_RCVHWM, o->hwm) ||
        set_int(s, ZMQ_LINGER, o->linger_ms) ||
        (o->immediate && set_int(s, ZMQ_IMMEDIATE, 1)) ||
        (maxmsg > 0 && zmq_setsockopt(s, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg))) {
        hb_error("cannot set socket options: %s", zmq_strerror(zmq_errno()));
        zmq_close(s);
        return NULL;
    }
    char *copy = hb_strdup(spec);
    char *save = NULL;
    for (char *ep = strtok_r(copy, ",", &save); ep; ep = strtok_r(NULL, ",", &save)) {
        bool bind = o->bind_default;
        if (*ep == '@' || *ep == '>') {
            bind = *ep == '@';
            ep++;
        }
        int rc = bind ? zmq_bind(s, ep) : zmq_connect(s, ep);
        if (rc != 0) {
            hb_error("cannot %s %s: %s%s", bind ? "bind" : "connect to", ep,
                     zmq_strerror(zmq_errno()),
                     bind && zmq_errno() == EADDRINUSE
                         ? " (another huibao run or program uses it: pick another port/path)"
                         : "");
            free(copy);
            zmq_close(s);
            return NULL;
        }
    }
    free(copy);
    return s;
}

void hb_sock_close(void *sock)
{
    if (sock)
        zmq_close(sock);
}

int hb_sock_send(void *sock, const void *data, size_t len, int flags)
{
    for (;;) {
        if (zmq_send(sock, data, len, flags) >= 0)
            return 0;
        if (zmq_errno() == EINTR && !hb_stop_requested())
            continue;
        errno = zmq_errno();
        return -1;
    }
}

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    if (stop_flag)
        _exit(130);
    stop_flag = 1;
}

void hb_signals_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

bool hb_stop_requested(void)
{
    return stop_flag != 0;
}

void hb_request_stop(void)
{
    stop_flag = 1;
}
