#include "hb_sock.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pthread.h>
#include <stdio.h>

#include "hb_conf.h"
#include "hb_log.h"
#include "hb_mem.h"

static int set_int(void *s, int opt, int v)
{
    return zmq_setsockopt(s, opt, &v, sizeof v);
}

struct hb_security {
    int heartbeat_ms;
    bool on;
    char public_key[41], secret_key[41], server_key[41]; /* Z85 */
    uint8_t (*allowed)[32];
    size_t nallowed;
    void *ctx;
    pthread_t zap;
    bool zap_running;
};

const hb_opt_t hb_security_options[] = {
    {"heartbeat", 0, HB_OPT_DOUBLE, offsetof(hb_security_opts_t, heartbeat), "5", "SECONDS",
     "heartbeat every connection this often; a peer silent for 3 heartbeats is dropped and "
     "dialled again (0: off)", 0, 3600},
    {"curve-key", 0, HB_OPT_STR, offsetof(hb_security_opts_t, key), NULL, "FILE",
     "encrypt and authenticate tcp with CURVE using this key pair (huibao keygen NAME)"},
    {"curve-server", 0, HB_OPT_STR, offsetof(hb_security_opts_t, server), NULL, "FILE",
     "the public key (.pub, or its 40 characters) of the side this program connects to; "
     "alone, without --curve-key, this program makes a key pair of its own"},
    {"curve-allow", 0, HB_OPT_STR, offsetof(hb_security_opts_t, allow), NULL, "FILE",
     "accept only clients whose public keys are listed (public = … lines)"},
    HB_OPT_END,
};

/* Reads the "public" (and "secret") key of a key file written by keygen.
 * For a public key alone, path may also be the key itself (40 Z85
 * characters, as `huibao run --listen` prints it). */
static int read_keys(const char *path, char *public_key, char *secret_key)
{
    uint8_t raw[32];
    if (!secret_key && strlen(path) == 40 && access(path, F_OK) != 0 &&
        zmq_z85_decode(raw, path)) {
        memcpy(public_key, path, 41);
        return 0;
    }
    hb_conf_t *c = hb_conf_load(path);
    if (!c)
        return -1;
    const char *pub = hb_conf_get(c, "", "public", NULL);
    const char *sec = secret_key ? hb_conf_get(c, "", "secret", NULL) : NULL;
    int rc = 0;
    if (!pub || strlen(pub) != 40 || (secret_key && (!sec || strlen(sec) != 40))) {
        hb_error("%s: not a key file from `huibao keygen` (needs a 40-character public%s)", path,
                 secret_key ? " and secret key" : " key");
        rc = -1;
    } else {
        memcpy(public_key, pub, 41);
        if (secret_key)
            memcpy(secret_key, sec, 41);
    }
    hb_conf_free(c);
    return rc;
}

static bool allowed(const hb_security_t *sec, const uint8_t *key, size_t len)
{
    for (size_t i = 0; len == 32 && i < sec->nallowed; i++)
        if (!memcmp(sec->allowed[i], key, 32))
            return true;
    return false;
}

/* The ZAP handler (RFC 27): one request per CURVE handshake on a binding
 * socket; 200 for a listed client key, 400 otherwise. */
static void *zap_handler(void *arg)
{
    hb_security_t *sec = arg;
    void *rep = zmq_socket(sec->ctx, ZMQ_REP);
    int linger = 0;
    zmq_setsockopt(rep, ZMQ_LINGER, &linger, sizeof linger);
    if (zmq_bind(rep, "inproc://zeromq.zap.01") != 0) {
        hb_error("cannot start the CURVE allow-list: %s", zmq_strerror(zmq_errno()));
        zmq_close(rep);
        return NULL;
    }
    for (;;) {
        zmq_msg_t part[7];
        int n = 0, more = 1;
        while (more && n < 8) {
            zmq_msg_t tmp;
            zmq_msg_init(&tmp);
            if (zmq_msg_recv(&tmp, rep, 0) < 0) {
                zmq_msg_close(&tmp);
                for (int i = 0; i < n && i < 7; i++)
                    zmq_msg_close(&part[i]);
                if (zmq_errno() == EINTR)
                    goto next;
                zmq_close(rep); /* ETERM: the context is ending */
                return NULL;
            }
            more = zmq_msg_more(&tmp);
            if (n < 7)
                part[n] = tmp;
            else
                zmq_msg_close(&tmp);
            n++;
        }
        bool ok = n == 7 && allowed(sec, zmq_msg_data(&part[6]), zmq_msg_size(&part[6]));
        if (!ok)
            hb_warn("refused a CURVE client whose key is not in the allow-list");
        const char *status = ok ? "200" : "400";
        zmq_send(rep, "1.0", 3, ZMQ_SNDMORE);
        zmq_send(rep, n > 1 ? zmq_msg_data(&part[1]) : "", n > 1 ? zmq_msg_size(&part[1]) : 0,
                 ZMQ_SNDMORE);
        zmq_send(rep, status, 3, ZMQ_SNDMORE);
        zmq_send(rep, ok ? "OK" : "key not allowed", ok ? 2 : 15, ZMQ_SNDMORE);
        zmq_send(rep, "", 0, ZMQ_SNDMORE);
        zmq_send(rep, "", 0, 0);
        for (int i = 0; i < n && i < 7; i++)
            zmq_msg_close(&part[i]);
    next:;
    }
}

static int load_allowed(hb_security_t *sec, const char *path)
{
    hb_conf_t *c = hb_conf_load(path);
    if (!c)
        return -1;
    sec->allowed = hb_calloc(c->n + 1, sizeof *sec->allowed);
    zmq_z85_decode(sec->allowed[sec->nallowed++], sec->public_key); /* ourselves */
    for (size_t i = 0; i < c->n; i++) {
        const hb_conf_entry_t *e = &c->entries[i];
        if (strcmp(e->key, "public") || strlen(e->value) != 40 ||
            !zmq_z85_decode(sec->allowed[sec->nallowed], e->value)) {
            if (!strcmp(e->key, "secret"))
                hb_error("%s:%d: a secret key in an allow-list: list public keys (.pub) only",
                         path, e->line);
            else
                hb_error("%s:%d: expected \"public = KEY\" (40 characters, from a .pub file)",
                         path, e->line);
            hb_conf_free(c);
            return -1;
        }
        sec->nallowed++;
    }
    hb_conf_free(c);
    return 0;
}

hb_security_t *hb_security_load(void *ctx, const hb_security_opts_t *o)
{
    hb_security_t *sec = hb_calloc(1, sizeof *sec);
    sec->ctx = ctx;
    sec->heartbeat_ms = (int)(o->heartbeat * 1000);
    if (!o->key) {
        if (o->allow) {
            hb_error("--curve-allow needs --curve-key (this program's keys)");
            free(sec);
            return NULL;
        }
        if (!o->server)
            return sec;
    }
    if (!zmq_has("curve")) {
        hb_error("this libzmq was built without CURVE: encryption is not available");
        free(sec);
        return NULL;
    }
    sec->on = true;
    /* A client with the server's key and none of its own gets a fresh pair:
     * it is then sure of the server, and the server admits it unless it
     * has an allow-list. */
    if ((o->key ? read_keys(o->key, sec->public_key, sec->secret_key)
                : zmq_curve_keypair(sec->public_key, sec->secret_key)) != 0 ||
        read_keys(o->server ? o->server : o->key, sec->server_key, NULL) != 0 ||
        (o->allow && load_allowed(sec, o->allow) != 0)) {
        free(sec->allowed);
        free(sec);
        return NULL;
    }
    if (o->allow) {
        if (pthread_create(&sec->zap, NULL, zap_handler, sec) != 0) {
            hb_error("cannot start the CURVE allow-list thread");
            free(sec->allowed);
            free(sec);
            return NULL;
        }
        sec->zap_running = true;
    }
    return sec;
}

void hb_security_free(hb_security_t *sec)
{
    if (!sec)
        return;
    /* The handler ends when the context terminates (ETERM), which must have
     * happened: join it before its allow-list goes. */
    if (sec->zap_running)
        pthread_join(sec->zap, NULL);
    free(sec->allowed);
    free(sec);
}

int hb_security_keygen(const char *name)
{
    char pub[41], secret[41], path[4096];
    if (zmq_curve_keypair(pub, secret) != 0) {
        hb_error("cannot make a key pair: %s", zmq_strerror(zmq_errno()));
        return -1;
    }
    const char *const suffix[] = {".key", ".pub"};
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s%s", name, suffix[i]);
        FILE *f = fopen(path, "w");
        if (!f) {
            hb_error("%s: cannot create: %s", path, strerror(errno));
            return -1;
        }
        if (i == 0) {
            fchmod(fileno(f), 0600);
            fprintf(f, "# huibao CURVE key pair of %s: keep this file secret\npublic = %s\n"
                       "secret = %s\n", name, pub, secret);
        } else {
            fprintf(f, "# huibao CURVE public key of %s: give it to the other side\n"
                       "public = %s\n", name, pub);
        }
        if (fclose(f) != 0) {
            hb_error("%s: write failed: %s", path, strerror(errno));
            return -1;
        }
    }
    return 0;
}

/* CURVE on a socket: server when it binds, client when it connects. */
static int apply_curve(void *s, const hb_security_t *sec, bool bind)
{
    if (!sec || !sec->on)
        return 0;
    if (bind) {
        int one = 1;
        return zmq_setsockopt(s, ZMQ_CURVE_SERVER, &one, sizeof one) ||
               zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, sec->secret_key, 40);
    }
    return zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, sec->server_key, 40) ||
           zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, sec->public_key, 40) ||
           zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, sec->secret_key, 40);
}

/* Heartbeats (ZMTP PING/PONG) every ms, a peer silent for three of them
 * dropped; TCP keepalive probes on tcp.  Reconnects keep ZeroMQ's 100 ms
 * interval: a worker waiting for a core joins it as soon as it is up. */
static int set_liveness(void *s, int ms)
{
    if (ms <= 0)
        return 0;
    return set_int(s, ZMQ_HEARTBEAT_IVL, ms) || set_int(s, ZMQ_HEARTBEAT_TTL, 3 * ms) ||
           set_int(s, ZMQ_HEARTBEAT_TIMEOUT, 3 * ms) || set_int(s, ZMQ_TCP_KEEPALIVE, 1) ||
           set_int(s, ZMQ_TCP_KEEPALIVE_IDLE, ms / 1000 > 0 ? ms / 1000 : 1) ||
           set_int(s, ZMQ_TCP_KEEPALIVE_INTVL, ms / 1000 > 0 ? ms / 1000 : 1) ||
           set_int(s, ZMQ_TCP_KEEPALIVE_CNT, 3);
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
        (maxmsg > 0 && zmq_setsockopt(s, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg)) ||
        set_liveness(s, o->sec ? o->sec->heartbeat_ms : 0)) {
        hb_error("cannot set socket options: %s", zmq_strerror(zmq_errno()));
        zmq_close(s);
        return NULL;
    }
    bool first_binds = spec[0] == '@' || (spec[0] != '>' && o->bind_default);
    if (apply_curve(s, o->sec, first_binds) != 0) {
        hb_error("cannot set CURVE keys: %s", zmq_strerror(zmq_errno()));
        zmq_close(s);
        return NULL;
    }
    if (o->monitor && !(*o->monitor = hb_monitor_new(ctx, s, o->monitor_name, o->monitor_level))) {
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
        if (o->sec && o->sec->on && bind != first_binds) {
            hb_error("%s: with CURVE a socket either binds or connects, not both", spec);
            free(copy);
            if (o->monitor) {
                hb_monitor_free(*o->monitor);
                *o->monitor = NULL;
            }
            zmq_close(s);
            return NULL;
        }
        int rc = bind ? zmq_bind(s, ep) : zmq_connect(s, ep);
        if (rc != 0) {
            hb_error("cannot %s %s: %s%s", bind ? "bind" : "connect to", ep,
                     zmq_strerror(zmq_errno()),
                     bind && zmq_errno() == EADDRINUSE
                         ? " (another huibao run or program uses it: pick another port/path)"
                         : "");
            free(copy);
            if (o->monitor) {
                hb_monitor_free(*o->monitor);
                *o->monitor = NULL;
            }
            zmq_close(s);
            return NULL;
        }
    }
    free(copy);
    return s;
}

const char *hb_security_public(const hb_security_t *sec)
{
    return sec && sec->on ? sec->public_key : NULL;
}

struct hb_monitor {
    void *pair;
    void *watched;    /* the socket whose events come to pair */
    char name[32];
    int level;
    unsigned long connected; /* peers whose handshake succeeded, still there */
    int last_event;   /* the last failure logged, and when */
    double last_at;
    unsigned long repeats;
};

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

hb_monitor_t *hb_monitor_new(void *ctx, void *sock, const char *name, int level)
{
    static unsigned counter;
    char ep[64];
    snprintf(ep, sizeof ep, "inproc://hb-monitor-%d-%u", (int)getpid(), counter++);
    int events = ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_DISCONNECTED |
                 ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
                 ZMQ_EVENT_HANDSHAKE_FAILED_AUTH;
    hb_monitor_t *m = hb_calloc(1, sizeof *m);
    snprintf(m->name, sizeof m->name, "%s", name);
    m->level = level;
    m->watched = sock;
    m->pair = zmq_socket(ctx, ZMQ_PAIR);
    int linger = 0;
    if (!m->pair || zmq_socket_monitor(sock, ep, events) != 0 ||
        zmq_setsockopt(m->pair, ZMQ_LINGER, &linger, sizeof linger) != 0 ||
        zmq_connect(m->pair, ep) != 0) {
        hb_error("cannot watch the %s socket's connections: %s", name, zmq_strerror(zmq_errno()));
        hb_monitor_free(m);
        return NULL;
    }
    return m;
}

void *hb_monitor_socket(hb_monitor_t *m)
{
    return m->pair;
}

void hb_monitor_read(hb_monitor_t *m)
{
    zmq_msg_t head, addr;
    zmq_msg_init(&head);
    zmq_msg_init(&addr);
    while (zmq_msg_recv(&head, m->pair, ZMQ_DONTWAIT) >= 0) {
        if (!zmq_msg_more(&head) || zmq_msg_recv(&addr, m->pair, 0) < 0 ||
            zmq_msg_size(&head) < 6)
            continue;
        uint16_t event;
        uint32_t value;
        memcpy(&event, zmq_msg_data(&head), 2);
        memcpy(&value, (char *)zmq_msg_data(&head) + 2, 4);
        int eplen = (int)zmq_msg_size(&addr);
        const char *ep = zmq_msg_data(&addr);
        if (event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) {
            hb_log(m->level, "%s: connected (%.*s)", m->name, eplen, ep);
            m->connected++;
            m->last_event = 0;
            continue;
        }
        if (event == ZMQ_EVENT_DISCONNECTED) { /* after a failed handshake: said already */
            if (m->connected && m->connected--)
                hb_log(m->level, "%s: disconnected (%.*s)", m->name, eplen, ep);
            continue;
        }
        double now = mono_s();
        if (event == m->last_event && now - m->last_at < 60) {
            m->repeats++;
            continue;
        }
        char again[64] = "";
        if (m->repeats)
            snprintf(again, sizeof again, " (and %lu times more)", m->repeats);
        m->last_event = event;
        m->last_at = now;
        m->repeats = 0;
        if (event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
            hb_warn("%s: handshake with %.*s refused: status %u (a CURVE key not in the "
                    "other side's allow-list)%s", m->name, eplen, ep, value, again);
        else if (event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL)
            hb_warn("%s: handshake with %.*s failed: protocol error 0x%x (a wrong "
                    "--curve-server key, or CURVE on one side only?)%s", m->name, eplen, ep,
                    value, again);
        else
            hb_warn("%s: handshake with %.*s failed: %s (a wrong --curve-server key?)%s",
                    m->name, eplen, ep, zmq_strerror((int)value), again);
    }
    zmq_msg_close(&head);
    zmq_msg_close(&addr);
}

void hb_monitor_free(hb_monitor_t *m)
{
    if (!m)
        return;
    /* Events the socket still raises (closing, it disconnects) would go to
     * a pair that is gone and stay allocated in the context (LeakSanitizer
     * saw one, now and then, as split and classify ended): stop them first
     * (libzmq issue 2083). */
    zmq_socket_monitor(m->watched, NULL, 0);
    if (m->pair)
        zmq_close(m->pair);
    free(m);
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

unsigned long hb_sock_send_to_all(void *sock, const void *data, size_t len)
{
    double until = mono_s() + HB_END_SECONDS, taken = mono_s();
    unsigned long sent = 0;
    while (!hb_stop_requested() && mono_s() < until && mono_s() - taken < HB_END_PATIENCE) {
        int events;
        size_t n = sizeof events;
        /* ZMQ_EVENTS first: it brings the socket's view of its peers' queues
         * up to date, so that a peer that has read everything counts as free. */
        zmq_getsockopt(sock, ZMQ_EVENTS, &events, &n);
        if (zmq_send(sock, data, len, ZMQ_DONTWAIT) >= 0) {
            sent++;
            taken = mono_s();
        }
        zmq_poll(NULL, 0, 20); /* a peer that got it has time to leave */
    }
    return sent;
}
