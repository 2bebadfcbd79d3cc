#include "hb_batch.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hb_log.h"
#include "hb_sock.h"

/* The batch header, written once the count is known: a map of three pairs,
 * "v": 2, "type": "batch", "msgs": an array32 of N elements. */
static const unsigned char header[] = {
    0x83, 0xa1, 'v', HB_MSG_BATCH_VERSION, 0xa4, 't', 'y', 'p', 'e', 0xa5, 'b', 'a', 't', 'c', 'h',
    0xa4, 'm', 's', 'g', 's', 0xdd, 0, 0, 0, 0,
};
#define HEADER_SIZE sizeof header
#define ELEMENT_HEAD 5 /* bin32: 0xc6 and a 4-byte length */

static void put_be32(char *p, size_t v)
{
    p[0] = (char)(v >> 24);
    p[1] = (char)(v >> 16);
    p[2] = (char)(v >> 8);
    p[3] = (char)v;
}

_Static_assert((HB_BATCH_BYTES & (HB_BATCH_BYTES - 1)) == 0,
               "hb_buf doubles from 256: any other size would be missed, and the buffer "
               "freed and grown again after every flush");

/* An empty batch in a buffer of HB_BATCH_BYTES (the NUL hb_buf keeps included). */
static void start_buffer(hb_buf_t *buf)
{
    hb_buf_init(buf);
    hb_buf_append(buf, header, HEADER_SIZE);
    hb_buf_reserve(buf, HB_BATCH_BYTES - HEADER_SIZE - 1);
}

void hb_batch_init(hb_batch_t *b)
{
    memset(b, 0, sizeof *b);
    start_buffer(&b->buf);
}

void hb_batch_release(hb_batch_t *b)
{
    hb_buf_release(&b->buf);
}

static int send_frame(hb_batch_t *b, void *sock, const char *data, size_t len)
{
    return b->send ? b->send(sock, data, len) : hb_sock_send(sock, data, len, 0);
}

int hb_batch_flush(hb_batch_t *b, void *sock)
{
    int rc = 0;
    if (b->n == 1) {
        rc = send_frame(b, sock, b->buf.data + b->first_off, b->buf.len - b->first_off);
    } else if (b->n > 1) {
        put_be32(b->buf.data + HEADER_SIZE - 4, b->n);
        rc = send_frame(b, sock, b->buf.data, b->buf.len);
    }
    if (b->n && rc == 0)
        b->frames++;
    b->n = 0;
    b->buf.len = HEADER_SIZE;
    if (b->buf.cap > HB_BATCH_BYTES) { /* a message larger than a batch: give it back */
        hb_buf_release(&b->buf);
        start_buffer(&b->buf);
    }
    return rc;
}

int hb_batch_add(hb_batch_t *b, void *sock, const char *data, size_t len)
{
    /* A batch of several stays below HB_BATCH_BYTES, so that with hb_buf's
     * NUL it fits the buffer reserved at init: never doubled for one byte. */
    if (b->n && b->buf.len + ELEMENT_HEAD + len >= HB_BATCH_BYTES && hb_batch_flush(b, sock) != 0)
        return -1;
    /* Frames are far below 4 GB: ZeroMQ refuses larger ones (--max-msg-mb). */
    char head[ELEMENT_HEAD] = {(char)0xc6};
    put_be32(head + 1, len);
    hb_buf_reserve(&b->buf, ELEMENT_HEAD + len);
    hb_buf_append(&b->buf, head, ELEMENT_HEAD);
    if (b->n++ == 0)
        b->first_off = b->buf.len;
    hb_buf_append(&b->buf, data, len);
    return b->buf.len >= HB_BATCH_BYTES ? hb_batch_flush(b, sock) : 0;
}

/* One more bad message: a flood of them must not flood the log, so the
 * first ten are logged, then the 16th, 32nd, 64th… with the count so far. */
static void __attribute__((format(printf, 2, 3))) bad_msg(unsigned long *bad, const char *fmt, ...)
{
    unsigned long n = ++*bad;
    if (n > 10 && (n & (n - 1)) != 0)
        return;
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n <= 10)
        hb_warn("%s", line);
    else
        hb_warn("%s (%lu bad messages so far; not all are logged)", line, n);
}

int hb_msg_each(const char *data, size_t len, hb_msg_fn fn, void *arg, unsigned long *bad)
{
    hb_msg_t m;
    const char *why;
    int rc = 0;
    hb_msg_init(&m);
    if (hb_msg_decode(&m, data, len, &why) != 0) {
        bad_msg(bad, "dropped a %zu-byte message: %s", len, why);
    } else if (!hb_msg_is(&m, HB_T_BATCH)) {
        rc = fn(arg, &m);
    } else {
        const msgpack_object *msgs = hb_msg_get(&m, "msgs");
        uint32_t n = 0;
        if (msgs && msgs->type == MSGPACK_OBJECT_ARRAY) {
            n = msgs->via.array.size;
        } else {
            bad_msg(bad, "dropped a batch without a \"msgs\" array");
        }
        hb_msg_t one;
        hb_msg_init(&one);
        for (uint32_t i = 0; rc == 0 && i < n; i++) {
            const msgpack_object *e = &msgs->via.array.ptr[i];
            if (e->type != MSGPACK_OBJECT_BIN)
                why = "not msgpack bin";
            else if (hb_msg_decode(&one, e->via.bin.ptr, e->via.bin.size, &why) == 0)
                why = hb_msg_is(&one, HB_T_BATCH) ? "a batch inside a batch" : NULL;
            if (why) {
                bad_msg(bad, "dropped message %u of a batch of %u: %s", i + 1, n, why);
            } else {
                rc = fn(arg, &one);
            }
        }
        hb_msg_done(&one); /* one decoded each element in turn, in the same memory */
    }
    hb_msg_done(&m);
    return rc;
}
