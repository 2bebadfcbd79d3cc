#include "hb_metrics.h"

#include <errno.h>
#include <math.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hb_mem.h"

#define REQUEST_MAX 4096 /* a request line and headers; more is not a scrape */

typedef struct conn {
    int fd;             /* -1: free */
    unsigned long seq;  /* when it was accepted: the oldest goes first */
    hb_buf_t in, out;   /* the request; the answer */
    size_t sent;
    bool answered;
} conn_t;

struct hb_metrics {
    int fd;
    unsigned long accepted;
    conn_t conns[HB_METRICS_CONNS];
    hb_buf_t body;
};

hb_metrics_t *hb_metrics_listen(const char *hostport, char *why, size_t whylen)
{
    char host[256], port[16];
    const char *given = hostport;
    const char *colon = strrchr(hostport, ':');
    size_t hostlen = colon ? (size_t)(colon - hostport) : 0;
    if (hostlen >= 2 && hostport[0] == '[' && hostport[hostlen - 1] == ']') {
        hostport++; /* [::1]:9464 */
        hostlen -= 2;
    }
    char *end;
    long p = colon ? strtol(colon + 1, &end, 10) : 0;
    if (!colon || hostlen >= sizeof host || !colon[1] || *end || p < 1 || p > 65535) {
        snprintf(why, whylen, "\"%s\" is not HOST:PORT (say 127.0.0.1:9464, or 0.0.0.0:9464 for "
                 "every address; PORT 1 to 65535)", given);
        return NULL;
    }
    memcpy(host, hostport, hostlen);
    host[hostlen] = '\0';
    snprintf(port, sizeof port, "%ld", p);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV}, *res = NULL;
    bool any = !*host || !strcmp(host, "*");
    int rc = getaddrinfo(any ? "0.0.0.0" : host, port, &hints, &res);
    if (rc != 0) {
        snprintf(why, whylen, "cannot resolve \"%s\": %s", host, gai_strerror(rc));
        return NULL;
    }
    int fd = -1, err = 0;
    for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        int one = 1;
        if (fd >= 0 && (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
                        bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 16) != 0)) {
            err = errno;
            close(fd);
            fd = -1;
        } else if (fd < 0) {
            err = errno;
        }
    }
    freeaddrinfo(res);
    if (fd < 0) {
        snprintf(why, whylen, "cannot listen on %s:%s: %s%s", host, port, strerror(err),
                 err == EADDRINUSE ? " (pick another port)" : "");
        return NULL;
    }
    hb_metrics_t *m = hb_calloc(1, sizeof *m);
    m->fd = fd;
    for (int i = 0; i < HB_METRICS_CONNS; i++)
        m->conns[i].fd = -1;
    return m;
}

static void conn_close(conn_t *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    hb_buf_reset(&c->in);
    hb_buf_reset(&c->out);
    c->sent = 0;
    c->answered = false;
}

void hb_metrics_free(hb_metrics_t *m)
{
    if (!m)
        return;
    for (int i = 0; i < HB_METRICS_CONNS; i++) {
        conn_close(&m->conns[i]);
        hb_buf_release(&m->conns[i].in);
        hb_buf_release(&m->conns[i].out);
    }
    hb_buf_release(&m->body);
    close(m->fd);
    free(m);
}

int hb_metrics_items(const hb_metrics_t *m, zmq_pollitem_t *items)
{
    if (!m)
        return 0;
    int n = 0;
    items[n++] = (zmq_pollitem_t){NULL, m->fd, ZMQ_POLLIN, 0};
    for (int i = 0; i < HB_METRICS_CONNS; i++)
        if (m->conns[i].fd >= 0)
            items[n++] = (zmq_pollitem_t){NULL, m->conns[i].fd,
                                          m->conns[i].answered ? ZMQ_POLLOUT : ZMQ_POLLIN, 0};
    return n;
}

static void answer(hb_metrics_t *m, conn_t *c, hb_metrics_fn render, void *arg)
{
    /* "GET /metrics HTTP/1.1", "GET /metrics?x=y HTTP/1.0" */
    const char *req = c->in.data ? c->in.data : "";
    const char *path = strncmp(req, "GET ", 4) ? NULL : req + 4;
    size_t plen = path ? strcspn(path, " ?\r\n") : 0;
    const char *status = "200 OK", *type = "text/plain; version=0.0.4; charset=utf-8";
    hb_buf_reset(&m->body);
    if (!path) {
        status = "405 Method Not Allowed";
        type = "text/plain; charset=utf-8";
        hb_buf_puts(&m->body, "GET /metrics only\n");
    } else if (plen != 8 || strncmp(path, "/metrics", 8)) {
        status = "404 Not Found";
        type = "text/plain; charset=utf-8";
        hb_buf_puts(&m->body, "the metrics are at /metrics\n");
    } else {
        render(arg, &m->body);
    }
    hb_buf_printf(&c->out, "HTTP/1.0 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                  "Connection: close\r\n\r\n", status, type, m->body.len);
    hb_buf_append(&c->out, m->body.data ? m->body.data : "", m->body.len);
    c->answered = true;
}

static void conn_read(hb_metrics_t *m, conn_t *c, hb_metrics_fn render, void *arg)
{
    char chunk[1024];
    ssize_t n;
    while ((n = recv(c->fd, chunk, sizeof chunk, MSG_DONTWAIT)) > 0)
        hb_buf_append(&c->in, chunk, (size_t)n);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) ||
        c->in.len > REQUEST_MAX) {
        conn_close(c); /* gone, broken, or not a scrape */
        return;
    }
    if (strstr(c->in.data, "\r\n\r\n") || strstr(c->in.data, "\n\n"))
        answer(m, c, render, arg);
}

static void conn_write(conn_t *c)
{
    while (c->sent < c->out.len) {
        ssize_t n = send(c->fd, c->out.data + c->sent, c->out.len - c->sent,
                         MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                return; /* the rest when it can take more */
            break;
        }
        c->sent += (size_t)n;
    }
    conn_close(c);
}

static void accept_all(hb_metrics_t *m)
{
    int fd;
    while ((fd = accept4(m->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
        conn_t *c = &m->conns[0];
        for (int i = 1; i < HB_METRICS_CONNS && c->fd >= 0; i++)
            if (m->conns[i].fd < 0 || m->conns[i].seq < c->seq)
                c = &m->conns[i];
        conn_close(c); /* a free one, or else the oldest */
        c->fd = fd;
        c->seq = ++m->accepted;
    }
}

void hb_metrics_serve(hb_metrics_t *m, const zmq_pollitem_t *items, int n, hb_metrics_fn render,
                      void *arg)
{
    if (!m)
        return;
    bool listener = false;
    for (int i = 0; i < n; i++) {
        if (!items[i].revents)
            continue;
        if (items[i].fd == m->fd) {
            listener = true;
            continue;
        }
        for (int k = 0; k < HB_METRICS_CONNS; k++) {
            conn_t *c = &m->conns[k];
            if (c->fd != items[i].fd)
                continue;
            if (!c->answered)
                conn_read(m, c, render, arg);
            if (c->fd >= 0 && c->answered)
                conn_write(c);
            break;
        }
    }
    if (listener) /* last: a descriptor closed above may come back as a new one */
        accept_all(m);
}

void hb_metrics_family(hb_buf_t *b, const char *name, const char *type, const char *help)
{
    hb_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void hb_metrics_sample(hb_buf_t *b, const char *name, const char *label, const char *value,
                       double v)
{
    hb_buf_puts(b, name);
    if (label) {
        hb_buf_printf(b, "{%s=\"", label);
        for (const char *p = value; *p; p++) {
            if (*p == '\\' || *p == '"')
                hb_buf_putc(b, '\\');
            if (*p == '\n')
                hb_buf_puts(b, "\\n");
            else
                hb_buf_putc(b, *p);
        }
        hb_buf_puts(b, "\"}");
    }
    if (v == floor(v) && fabs(v) < 1e15)
        hb_buf_printf(b, " %.0f\n", v);
    else
        hb_buf_printf(b, " %.6g\n", v);
}
