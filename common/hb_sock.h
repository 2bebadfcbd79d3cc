/* hb_sock: ZeroMQ sockets the way every huibao stage needs them.
 *
 * Endpoint specs follow CZMQ: "@tcp://0.0.0.0:5555" binds, ">tcp://host:5555"
 * connects, and a spec may list several endpoints separated by commas.  An
 * endpoint without a prefix takes the socket's default (bind for the fixed
 * points of a pipeline, connect for workers).
 *
 * Every socket gets explicit high-water marks, a bounded linger and, where it
 * receives, a maximum message size; data sockets that push work set
 * ZMQ_IMMEDIATE so no work is queued for a peer that is not there.  Every
 * socket sends ZMTP heartbeats (--heartbeat) and, on tcp, TCP keepalives, so
 * a peer that vanished without a word (host down, link cut) is dropped
 * within a few heartbeats and a connecting socket dials again.
 *
 * Sockets belong to one thread.  Create the context after fork(). */
#ifndef HB_SOCK_H
#define HB_SOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <zmq.h>

#include "hb_buf.h"
#include "hb_opt.h"

/* CURVE: who this process is, and whom it trusts.  Loaded once per process
 * (hb_security_load), used by every socket it opens: binding sockets are
 * CURVE servers, connecting ones clients.  With an allow-list, a ZAP handler
 * thread (its own socket) admits only the listed client keys, this
 * process's own included. */
typedef struct hb_security_opts {
    double heartbeat;   /* seconds between ZMTP heartbeats on every socket; 0: none */
    const char *key;    /* NAME.key from `huibao keygen`: own key pair */
    const char *server; /* the binding side's NAME.pub (or .key, or the key itself), for
                         * connecting; without key, this process makes a fresh pair */
    const char *allow;  /* file of allowed client keys ("public = …" lines) */
} hb_security_opts_t;

/* Options every program declares: --heartbeat, --curve-key, --curve-server,
 * --curve-allow (the process's network settings, kept by hb_security_t). */
extern const hb_opt_t hb_security_options[];

typedef struct hb_security hb_security_t;
typedef struct hb_monitor hb_monitor_t;

/* NULL opts->key: no CURVE (returns a disabled security, never NULL on
 * success).  NULL after logging "FILE: problem" on a bad key file. */
hb_security_t *hb_security_load(void *ctx, const hb_security_opts_t *opts);
void hb_security_free(hb_security_t *sec); /* NULL-safe; after zmq_ctx_term */
/* This process's public key (40 Z85 characters), NULL without CURVE. */
const char *hb_security_public(const hb_security_t *sec);
/* Writes NAME.key and NAME.pub; returns 0 or -1 (logged). */
int hb_security_keygen(const char *name);

typedef struct hb_sock_opts {
    int hwm;             /* send and receive high-water mark, messages */
    int linger_ms;       /* how long close waits for queued messages */
    long max_msg_bytes;  /* ZMQ_MAXMSGSIZE for receiving sockets */
    bool immediate;      /* ZMQ_IMMEDIATE */
    bool bind_default;   /* endpoints without '@' or '>' bind */
    const hb_security_t *sec; /* NULL or disabled: plain sockets */
    struct hb_monitor **monitor; /* when set: gets a monitor of the socket (hb_monitor_new),
                                  * made before it binds or connects; caller frees it */
    const char *monitor_name;
    int monitor_level;
} hb_sock_opts_t;

#define HB_MAX_MSG_DEFAULT (256L << 20)

/* Opens a socket of type (ZMQ_PUSH, ZMQ_PULL, ...) on every endpoint of spec.
 * Returns NULL after logging an error that names the endpoint. */
void *hb_sock_open(void *ctx, int type, const char *spec, const hb_sock_opts_t *o);
void hb_sock_close(void *sock);

/* Sends one frame.  Returns 0, or -1 with errno (EAGAIN with ZMQ_DONTWAIT,
 * ETERM, EINTR when a stop was requested). */
int hb_sock_send(void *sock, const void *data, size_t len, int flags);

/* A frame for every peer of a PUSH socket (the run's end), which gives each
 * frame to one: sent again and again, round robin, until no peer has taken
 * it for HB_END_PATIENCE seconds (they left: stages with --exit-at-end leave
 * on it) or HB_END_SECONDS passed, or a stop is requested.  A peer's queue
 * may look full for a few hundred ms while it is idle, hence the patience.
 * Returns how many copies went out. */
#define HB_END_SECONDS 5
#define HB_END_PATIENCE 1.0
unsigned long hb_sock_send_to_all(void *sock, const void *data, size_t len);

/* Watches one socket's connections and logs them: "NAME: connected to EP"
 * (handshake done, CURVE included), "disconnected", and failed handshakes
 * with their reason (a refused or wrong key).  A failure repeated within a
 * minute is logged again only once a minute, with a count.  Poll the
 * monitor's socket (hb_monitor_socket) and call hb_monitor_read when it is
 * readable.  Free it before the socket it watches is closed. */
/* level: of the connected and disconnected lines (failures are warnings). */
hb_monitor_t *hb_monitor_new(void *ctx, void *sock, const char *name, int level); /* NULL: logged */
void *hb_monitor_socket(hb_monitor_t *m);
void hb_monitor_read(hb_monitor_t *m);
/* Stops the watched socket's events, then frees: call it before closing
 * that socket.  NULL-safe. */
void hb_monitor_free(hb_monitor_t *m);

/* Signals: the first SIGINT/SIGTERM sets the stop flag (blocking calls return
 * EINTR and loops end), a second one exits at once with status 130. */
void hb_signals_install(void);
bool hb_stop_requested(void);
void hb_request_stop(void);

#endif
