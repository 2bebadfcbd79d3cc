/* hb_msg: huibao messages — one msgpack map per ZeroMQ frame.
 *
 * Every message is a map with at least "v" (schema version, HB_MSG_VERSION)
 * and "type" (a string).  Stages read the keys they know and pass every other
 * key through untouched, so a custom stage can add fields without touching
 * the others.  docs/messages.md lists the types and their keys.
 *
 * Decoding is zero-copy: strings in a decoded hb_msg_t point into the frame,
 * so the frame must outlive the hb_msg_t.  hb_msg_decode() owns a msgpack
 * zone that hb_msg_done() frees; an hb_msg_t can be decoded into again after
 * hb_msg_done().
 *
 * Encoding goes through hb_pack_t, a msgpack packer over a reusable buffer:
 * reset it, write a header, write key/value pairs, send pack->buf. */
#ifndef HB_MSG_H
#define HB_MSG_H

#include <msgpack.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "hb_buf.h"

#define HB_MSG_VERSION 1
/* A "batch" frame (hb_batch.h) says v 2: a stage written for version 1,
 * which forwards the types it does not know, drops it with a warning rather
 * than passing its messages on unprocessed.  The messages inside are v 1. */
#define HB_MSG_BATCH_VERSION 2

/* Message types of the built-in pipeline. */
#define HB_T_DOC "doc"         /* read -> split: one report, its text and metadata */
#define HB_T_UNIT "unit"       /* split -> classify -> aggregate: one paragraph or item */
#define HB_T_DOC_END "doc_end" /* split -> aggregate: the document's unit count and title */
#define HB_T_REJECT "reject"   /* any stage -> aggregate: an input that could not be used */
#define HB_T_END "end"         /* read -> aggregate: how many documents and rejects were sent */
#define HB_T_ACK "ack"         /* aggregate -> read: this document is written */
#define HB_T_DROPPED "dropped" /* a stage -> aggregate: this unit was dropped on purpose */
#define HB_T_STALLED "stalled" /* a stage -> aggregate -> read: it hung on this document */
#define HB_T_RUN_END "run_end" /* read -> split -> …: the run is complete (--exit-at-end) */
#define HB_T_STATS "stats"     /* read -> aggregate: the reader's counts, for --metrics */
#define HB_MAX_PARTS 64        /* units one unit may become ("part", "parts") */
#define HB_T_BATCH "batch"     /* split -> … -> aggregate: several messages in one frame (hb_batch.h) */

typedef struct hb_msg {
    msgpack_unpacked up; /* its zone is kept, cleared, from one decode to the next */
    const msgpack_object_map *map;
    const char *type;
    size_t type_len;
    const char *raw; /* the frame, not owned */
    size_t raw_len;
} hb_msg_t;

void hb_msg_init(hb_msg_t *m);
/* Decodes a frame.  Returns 0, or -1 with *why set to a static reason
 * (not msgpack, not a map, no version, wrong version, no type, trailing bytes).
 * Decoding into the same hb_msg_t again reuses its memory: no hb_msg_done
 * needed in between, only at the end. */
int hb_msg_decode(hb_msg_t *m, const char *data, size_t len, const char **why);
void hb_msg_done(hb_msg_t *m);

bool hb_msg_is(const hb_msg_t *m, const char *type);
const msgpack_object *hb_msg_get(const hb_msg_t *m, const char *key);
/* Typed getters: return 0 when the key exists with that type, else -1. */
int hb_msg_str(const hb_msg_t *m, const char *key, const char **s, size_t *len);
int hb_msg_u64(const hb_msg_t *m, const char *key, uint64_t *v);
/* A string copied into a NUL-terminated static-size buffer ("" if absent or nil). */
void hb_msg_cstr(const hb_msg_t *m, const char *key, char *dst, size_t dstlen);

/* Equality of a msgpack string object with a C string. */
bool hb_obj_is_str(const msgpack_object *o, const char *s);

typedef struct hb_pack {
    hb_buf_t buf;
    msgpack_packer pk;
} hb_pack_t;

void hb_pack_init(hb_pack_t *p);
void hb_pack_release(hb_pack_t *p);
void hb_pack_reset(hb_pack_t *p);
/* Starts a map of 2 + npairs entries and writes "v" and "type". */
void hb_pack_header(hb_pack_t *p, const char *type, size_t npairs);
void hb_pack_str(hb_pack_t *p, const char *s, size_t len);
void hb_pack_cstr(hb_pack_t *p, const char *s); /* NULL packs nil */
void hb_pack_kv_u64(hb_pack_t *p, const char *key, uint64_t v);
void hb_pack_kv_i64(hb_pack_t *p, const char *key, int64_t v);
void hb_pack_kv_nil(hb_pack_t *p, const char *key);
void hb_pack_kv_bool(hb_pack_t *p, const char *key, bool v);

/* Inline, so that a key written as a literal costs no strlen: a unit's
 * figures are packed as seven such pairs each.  hb_msg.c holds their
 * external definitions (C99 inline), so the library still exports them. */
inline void hb_pack_key(hb_pack_t *p, const char *key)
{
    hb_pack_str(p, key, strlen(key));
}

inline void hb_pack_kv_str(hb_pack_t *p, const char *key, const char *s, size_t len)
{
    hb_pack_key(p, key);
    hb_pack_str(p, s, len);
}

inline void hb_pack_kv_cstr(hb_pack_t *p, const char *key, const char *s)
{
    hb_pack_key(p, key);
    hb_pack_cstr(p, s);
}
/* Packs a number as an integer when it is one, else as a double. */
void hb_pack_number(hb_pack_t *p, double v);

/* Pass-through: the number of pairs of m whose key is not in skip (a
 * NULL-terminated list), and packing exactly those pairs. */
size_t hb_msg_count_except(const hb_msg_t *m, const char *const *skip);
void hb_pack_copy_except(hb_pack_t *p, const hb_msg_t *m, const char *const *skip);
/* The same by position, for a stage that looked at every key already:
 * packs pair i of m unless drop[i] (drop has one entry per pair). */
void hb_pack_copy_pairs(hb_pack_t *p, const hb_msg_t *m, const bool *drop);

/* A whole "reject" for the document of m: its run, doc and file (those it
 * has), the stage's name and the reason. */
void hb_pack_reject(hb_pack_t *p, const hb_msg_t *m, const char *stage, const char *reason);

#endif
