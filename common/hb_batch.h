/* hb_batch: several messages in one ZeroMQ frame.
 *
 * Every ZeroMQ message costs a send, a receive, a wake-up of the I/O thread
 * and often a context switch; a report has ~40 units of ~350 bytes, so one
 * message per unit spent a third of split's and classify's time in the
 * kernel.  A batch carries whole messages, unchanged, inside one frame:
 *
 *   {"v": 2, "type": "batch", "msgs": [<bin: message>, <bin: message>, ...]}
 *
 * Each element is the complete msgpack encoding of one message (v 1).  The
 * frame says v 2 so that a stage that predates batches drops it with a
 * warning (as it drops every version it does not know) instead of
 * forwarding it unprocessed, as it would an unknown type.  Batching is
 * a matter of transport: hb_msg_each() hands a stage the messages one by one
 * whether they came alone or batched, so a stage never sees a batch.
 *
 * Ownership: an hb_batch_t owns its buffer (hb_batch_release frees it); the
 * messages hb_msg_each() decodes point into the caller's frame and live only
 * during the callback. */
#ifndef HB_BATCH_H
#define HB_BATCH_H

#include <stddef.h>

#include "hb_buf.h"
#include "hb_msg.h"

/* A batch is sent once it holds this many bytes; a larger message goes alone. */
#define HB_BATCH_BYTES (64u * 1024u) /* a power of two: hb_buf grows by doubling */

typedef struct hb_batch {
    hb_buf_t buf;     /* a reserved header, then the elements */
    size_t n;         /* messages in it */
    size_t first_off; /* where the first message's bytes start */
    unsigned long frames; /* ZeroMQ messages sent, batches or single */
    /* Where a frame goes: NULL sends it on the socket given (hb_sock_send,
     * blocking); else this is called with that "socket" instead (the
     * reader's --split queues a document's frames to send them without
     * blocking).  0, or -1 to stop. */
    int (*send)(void *sock, const char *data, size_t len);
} hb_batch_t;

void hb_batch_init(hb_batch_t *b);
void hb_batch_release(hb_batch_t *b);

/* Adds one encoded message; sends the batch first if it would reach
 * HB_BATCH_BYTES (a message that large alone goes at once, as itself).
 * 0, or -1 when sending failed (the process is stopping). */
int hb_batch_add(hb_batch_t *b, void *sock, const char *data, size_t len);

/* Sends what the batch holds: nothing when empty, a lone message as itself.
 * 0 or -1 (stopping). */
int hb_batch_flush(hb_batch_t *b, void *sock);

/* Called for each message of a frame; a nonzero return stops the walk. */
typedef int (*hb_msg_fn)(void *arg, const hb_msg_t *m);

/* Decodes a frame and calls fn for its message, or for each message of a
 * batch, in order.  A message (or an element) that is not a valid message is
 * logged, counted in *bad and skipped; the others still go to fn.  Returns
 * the first nonzero value fn returned, else 0. */
int hb_msg_each(const char *data, size_t len, hb_msg_fn fn, void *arg, unsigned long *bad);

#endif
