/* hb_metrics: Prometheus metrics over plain HTTP, served from a zmq_poll loop.
 *
 * A listening TCP socket and a few connections, all non-blocking file
 * descriptors that the owner's zmq_poll() watches beside its ZeroMQ
 * sockets: no thread, no dependency.  "GET /metrics" is answered with the
 * text exposition format, version 0.0.4, whose body the owner writes in a
 * callback at each scrape; any other path gets 404.  One answer per
 * connection (HTTP/1.0, then close).  A client that sends nothing, or more
 * clients than HB_METRICS_CONNS at once, lose their connection to the next.
 *
 *   hb_metrics_t *m = hb_metrics_listen("127.0.0.1:9464", why, sizeof why);
 *   zmq_pollitem_t items[2 + HB_METRICS_FDS] = {...your sockets...};
 *   int n = 2 + hb_metrics_items(m, items + 2);
 *   zmq_poll(items, n, timeout);
 *   hb_metrics_serve(m, items + 2, n - 2, render, owner);
 *
 * Ownership: the caller owns the hb_metrics_t (hb_metrics_listen/_free)
 * and the buffer render writes into is the module's. */
#ifndef HB_METRICS_H
#define HB_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include <zmq.h>

#include "hb_buf.h"

#define HB_METRICS_CONNS 4
#define HB_METRICS_FDS (1 + HB_METRICS_CONNS) /* the listening socket and the connections */

typedef struct hb_metrics hb_metrics_t;

/* Writes the exposition (hb_metrics_family, hb_metrics_sample) into out. */
typedef void (*hb_metrics_fn)(void *arg, hb_buf_t *out);

/* Listens on HOST:PORT: "127.0.0.1:9464", "0.0.0.0:9464", "*:9464" (every
 * address), "[::1]:9464", "localhost:9464".  NULL, with the reason in why,
 * when the address is malformed or cannot be bound. */
hb_metrics_t *hb_metrics_listen(const char *hostport, char *why, size_t whylen);
void hb_metrics_free(hb_metrics_t *m); /* NULL-safe */

/* Fills items (room for HB_METRICS_FDS) with the descriptors to poll;
 * returns how many.  0 for a NULL m. */
int hb_metrics_items(const hb_metrics_t *m, zmq_pollitem_t *items);

/* After zmq_poll: accepts connections, reads requests, writes answers.
 * Never blocks. */
void hb_metrics_serve(hb_metrics_t *m, const zmq_pollitem_t *items, int n, hb_metrics_fn render,
                      void *arg);

/* "# HELP name help" and "# TYPE name type" (type: counter or gauge). */
void hb_metrics_family(hb_buf_t *b, const char *name, const char *type, const char *help);
/* "name value", or "name{label="value"} value" when label is not NULL;
 * the label's value is escaped as the format asks (\\, \", \n). */
void hb_metrics_sample(hb_buf_t *b, const char *name, const char *label, const char *value,
                       double v);

#endif
