#include "hb_msg.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void hb_msg_init(hb_msg_t *m)
{
    memset(m, 0, sizeof *m);
    msgpack_unpacked_init(&m->up);
}

void hb_msg_done(hb_msg_t *m)
{
    msgpack_unpacked_destroy(&m->up);
    hb_msg_init(m);
}

/* msgpack-c gives an empty string a NULL pointer when it comes first.  Key
 * lookups call this for every key of every message: the first byte and a
 * bounded strnlen reject most keys without measuring s in full. */
bool hb_obj_is_str(const msgpack_object *o, const char *s)
{
    if (!o || o->type != MSGPACK_OBJECT_STR)
        return false;
    const char *p = o->via.str.ptr;
    size_t n = o->via.str.size;
    for (size_t i = 0; i < n; i++) /* keys are short: no library call */
        if (s[i] == '\0' || s[i] != p[i])
            return false;
    return s[n] == '\0';
}

const msgpack_object *hb_msg_get(const hb_msg_t *m, const char *key)
{
    if (!m->map)
        return NULL;
    for (uint32_t i = 0; i < m->map->size; i++) {
        const msgpack_object *k = &m->map->ptr[i].key;
        /* the first byte first: most keys differ there */
        if (k->type == MSGPACK_OBJECT_STR && k->via.str.size && k->via.str.ptr[0] != key[0])
            continue;
        if (hb_obj_is_str(k, key))
            return &m->map->ptr[i].val;
    }
    return NULL;
}

static uint64_t be(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

/* Walks need msgpack objects from *at, without building anything, and
 * refuses a container that claims more elements than there are bytes left:
 * msgpack-c sizes its allocation from the claim, so five bytes could ask for
 * 128 GB.  Returns NULL with *at past them, else why not. */
static const char *skip_objects(const unsigned char *p, size_t len, size_t *at, uint64_t need)
{
    size_t pos = *at;
    while (need > 0) {
        if (pos >= len)
            return "truncated msgpack";
        unsigned b = p[pos++];
        uint64_t items = 0;  /* elements a container adds */
        uint64_t skip = 0;   /* payload bytes */
        int n = 0;           /* length bytes */
        if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3) {
            /* fixint, nil, bool */
        } else if (b >= 0x80 && b <= 0x8f) {
            items = 2 * (uint64_t)(b & 0x0f);
        } else if (b >= 0x90 && b <= 0x9f) {
            items = b & 0x0f;
        } else if (b >= 0xa0 && b <= 0xbf) {
            skip = b & 0x1f;
        } else {
            switch (b) {
            case 0xc4: case 0xd9: n = 1; break;
            case 0xc5: case 0xda: n = 2; break;
            case 0xc6: case 0xdb: n = 4; break;
            case 0xc7: n = 1; skip = 1; break;
            case 0xc8: n = 2; skip = 1; break;
            case 0xc9: n = 4; skip = 1; break;
            case 0xca: case 0xce: case 0xd2: skip = 4; break;
            case 0xcb: case 0xcf: case 0xd3: skip = 8; break;
            case 0xcc: case 0xd0: skip = 1; break;
            case 0xcd: case 0xd1: skip = 2; break;
            case 0xd4: skip = 2; break;
            case 0xd5: skip = 3; break;
            case 0xd6: skip = 5; break;
            case 0xd7: skip = 9; break;
            case 0xd8: skip = 17; break;
            case 0xdc: case 0xde: n = 2; break;
            case 0xdd: case 0xdf: n = 4; break;
            default: return "not msgpack"; /* 0xc1 */
            }
            if (n) {
                if (len - pos < (size_t)n)
                    return "truncated msgpack";
                uint64_t count = be(p + pos, n);
                pos += (size_t)n;
                if (b == 0xdc || b == 0xdd)
                    items = count;
                else if (b == 0xde || b == 0xdf)
                    items = 2 * count;
                else
                    skip += count;
            }
        }
        if (skip > len - pos)
            return "truncated msgpack";
        pos += (size_t)skip;
        need = need - 1 + items;
        if (need > len - pos)
            return items ? "msgpack container claims more elements than the message holds"
                         : "truncated msgpack";
    }
    *at = pos;
    return NULL;
}

static const char *check_msgpack(const unsigned char *p, size_t len)
{
    size_t pos = 0;
    const char *why = skip_objects(p, len, &pos, 1);
    return why ? why : pos == len ? NULL : "trailing bytes after the message map";
}

int hb_msg_decode(hb_msg_t *m, const char *data, size_t len, const char **why)
{
    size_t off = 0;
    msgpack_zone *zone = m->up.zone; /* kept, cleared: no allocation per message */
    hb_msg_init(m);
    m->up.zone = zone;
    m->raw = data;
    m->raw_len = len;
    if ((*why = check_msgpack((const unsigned char *)data, len)) != NULL)
        return -1;
    if (zone) {
        msgpack_zone_clear(zone);
    } else if (!(zone = m->up.zone = msgpack_zone_new(MSGPACK_ZONE_CHUNK_SIZE))) {
        *why = "out of memory";
        return -1;
    }
    msgpack_unpack_return r = msgpack_unpack(data, len, &off, zone, &m->up.data);
    if (r != MSGPACK_UNPACK_SUCCESS) {
        *why = r == MSGPACK_UNPACK_CONTINUE ? "truncated msgpack" : "not msgpack";
        return -1;
    }
    if (off != len) {
        *why = "trailing bytes after the message map";
        return -1;
    }
    if (m->up.data.type != MSGPACK_OBJECT_MAP) {
        *why = "message is not a msgpack map";
        return -1;
    }
    m->map = &m->up.data.via.map;
    const msgpack_object *v = hb_msg_get(m, "v");
    if (!v || v->type != MSGPACK_OBJECT_POSITIVE_INTEGER) {
        *why = "message has no schema version \"v\"";
        return -1;
    }
    const msgpack_object *t = hb_msg_get(m, "type");
    if (!t || t->type != MSGPACK_OBJECT_STR || t->via.str.size == 0) {
        *why = "message has no \"type\"";
        return -1;
    }
    m->type = t->via.str.ptr; /* not empty: checked above */
    m->type_len = t->via.str.size;
    if (v->via.u64 != (hb_msg_is(m, HB_T_BATCH) ? HB_MSG_BATCH_VERSION : HB_MSG_VERSION)) {
        *why = "unsupported schema version";
        return -1;
    }
    return 0;
}

bool hb_msg_is(const hb_msg_t *m, const char *type)
{
    size_t n = strlen(type);
    return m->type && m->type_len == n && memcmp(m->type, type, n) == 0;
}

int hb_msg_str(const hb_msg_t *m, const char *key, const char **s, size_t *len)
{
    const msgpack_object *o = hb_msg_get(m, key);
    if (!o || o->type != MSGPACK_OBJECT_STR)
        return -1;
    *s = o->via.str.size ? o->via.str.ptr : "";
    *len = o->via.str.size;
    return 0;
}

int hb_msg_u64(const hb_msg_t *m, const char *key, uint64_t *v)
{
    const msgpack_object *o = hb_msg_get(m, key);
    if (!o || o->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
        return -1;
    *v = o->via.u64;
    return 0;
}

void hb_msg_cstr(const hb_msg_t *m, const char *key, char *dst, size_t dstlen)
{
    const char *s;
    size_t n;
    if (dstlen == 0)
        return;
    if (hb_msg_str(m, key, &s, &n) != 0)
        n = 0;
    if (n >= dstlen)
        n = dstlen - 1;
    if (n)
        memcpy(dst, s, n);
    dst[n] = '\0';
}

static int pack_write(void *data, const char *buf, size_t len)
{
    hb_buf_append(data, buf, len);
    return 0;
}

void hb_pack_init(hb_pack_t *p)
{
    hb_buf_init(&p->buf);
    msgpack_packer_init(&p->pk, &p->buf, pack_write);
}

void hb_pack_release(hb_pack_t *p)
{
    hb_buf_release(&p->buf);
}

void hb_pack_reset(hb_pack_t *p)
{
    hb_buf_reset(&p->buf);
}

/* The header and the bytes in one append (msgpack_pack_str and _body went
 * through the packer's callback once each): the same bytes msgpack-c
 * writes, fixstr, str8, str16 or str32. */
void hb_pack_str(hb_pack_t *p, const char *s, size_t len)
{
    hb_buf_t *b = &p->buf;
    if (b->len + 5 + len + 1 > b->cap) /* room for the longest header */
        hb_buf_reserve(b, 5 + len);
    unsigned char *w = (unsigned char *)b->data + b->len; /* the header, written in place */
    if (len < 32) {
        *w++ = (unsigned char)(0xa0 | len);
    } else if (len < 256) {
        *w++ = 0xd9;
        *w++ = (unsigned char)len;
    } else if (len < 65536) {
        *w++ = 0xda;
        *w++ = (unsigned char)(len >> 8);
        *w++ = (unsigned char)len;
    } else {
        *w++ = 0xdb;
        for (int i = 0; i < 4; i++)
            *w++ = (unsigned char)(len >> (24 - 8 * i));
    }
    if (len)
        memcpy(w, s, len);
    b->len = (size_t)((char *)w - b->data) + len;
    b->data[b->len] = '\0';
}

void hb_pack_cstr(hb_pack_t *p, const char *s)
{
    if (s)
        hb_pack_str(p, s, strlen(s));
    else
        msgpack_pack_nil(&p->pk);
}

extern inline void hb_pack_key(hb_pack_t *p, const char *key);
extern inline void hb_pack_kv_str(hb_pack_t *p, const char *key, const char *s, size_t len);
extern inline void hb_pack_kv_cstr(hb_pack_t *p, const char *key, const char *s);

void hb_pack_kv_bool(hb_pack_t *p, const char *key, bool v)
{
    hb_pack_key(p, key);
    if (v)
        msgpack_pack_true(&p->pk);
    else
        msgpack_pack_false(&p->pk);
}

void hb_pack_header(hb_pack_t *p, const char *type, size_t npairs)
{
    msgpack_pack_map(&p->pk, 2 + npairs);
    hb_pack_key(p, "v");
    msgpack_pack_uint64(&p->pk, HB_MSG_VERSION);
    hb_pack_kv_cstr(p, "type", type);
}

void hb_pack_kv_u64(hb_pack_t *p, const char *key, uint64_t v)
{
    hb_pack_key(p, key);
    msgpack_pack_uint64(&p->pk, v);
}

void hb_pack_kv_i64(hb_pack_t *p, const char *key, int64_t v)
{
    hb_pack_key(p, key);
    msgpack_pack_int64(&p->pk, v);
}

void hb_pack_kv_nil(hb_pack_t *p, const char *key)
{
    hb_pack_key(p, key);
    msgpack_pack_nil(&p->pk);
}

void hb_pack_number(hb_pack_t *p, double v)
{
    if (isfinite(v) && v == floor(v) && fabs(v) < 9e15)
        msgpack_pack_int64(&p->pk, (int64_t)v);
    else
        msgpack_pack_double(&p->pk, v);
}

/* Every pass-through asks this of every key of every message: the first
 * byte rejects most skip words at once. */
static bool key_in(const msgpack_object *key, const char *const *skip)
{
    if (key->type != MSGPACK_OBJECT_STR)
        return false;
    const char *k = key->via.str.ptr;
    size_t n = key->via.str.size;
    for (; *skip; skip++) {
        const char *w = *skip;
        if (n == 0 || *w == '\0') {
            if (n == 0 && *w == '\0')
                return true;
            continue;
        }
        if (*w != k[0])
            continue;
        size_t i = 1;
        while (i < n && w[i] != '\0' && w[i] == k[i])
            i++;
        if (i == n && w[n] == '\0')
            return true;
    }
    return false;
}

size_t hb_msg_count_except(const hb_msg_t *m, const char *const *skip)
{
    size_t n = 0;
    for (uint32_t i = 0; m->map && i < m->map->size; i++)
        n += !key_in(&m->map->ptr[i].key, skip);
    return n;
}

/* Where pair i + 1 of m starts, pair i starting at pos.  A key as the
 * packers write it (a fixstr) points into the frame right after its one
 * header byte, so its pair starts there: no walk over pair i.  The last
 * pair ends with the message (hb_msg_decode refuses trailing bytes).  m->map
 * is only ever set by hb_msg_decode, from m->raw: the pairs are there in
 * the same order. */
static size_t next_pair(const hb_msg_t *m, uint32_t i, size_t pos)
{
    const unsigned char *raw = (const unsigned char *)m->raw;
    if (i + 1 == m->map->size)
        return m->raw_len;
    const msgpack_object *k = &m->map->ptr[i + 1].key;
    if (k->type == MSGPACK_OBJECT_STR && k->via.str.size > 0 && k->via.str.size < 32) {
        const unsigned char *kp = (const unsigned char *)k->via.str.ptr;
        if (kp > raw + pos && kp <= raw + m->raw_len && kp[-1] == (0xa0 | k->via.str.size))
            return (size_t)(kp - 1 - raw);
    }
    if (skip_objects(raw, m->raw_len, &pos, 2) != NULL)
        abort(); /* hb_msg_decode checked these very bytes */
    return pos;
}

/* The kept pairs (key not in skip, or drop[i] false: one of the two is
 * given) are copied as the bytes they came in, runs of them at once:
 * cheaper than packing each object again. */
static void copy_pairs(hb_pack_t *p, const hb_msg_t *m, const char *const *skip,
                       const bool *drop)
{
    if (!m->map)
        return;
    const unsigned char *raw = (const unsigned char *)m->raw;
    size_t pos = raw[0] == 0xde ? 3 : raw[0] == 0xdf ? 5 : 1; /* the map's header */
    size_t run = pos;                                          /* kept bytes start here */
    for (uint32_t i = 0; i < m->map->size; i++) {
        size_t next = next_pair(m, i, pos);
        if (drop ? drop[i] : key_in(&m->map->ptr[i].key, skip)) {
            hb_buf_append(&p->buf, raw + run, pos - run);
            run = next;
        }
        pos = next;
    }
    hb_buf_append(&p->buf, raw + run, pos - run);
}

void hb_pack_copy_except(hb_pack_t *p, const hb_msg_t *m, const char *const *skip)
{
    copy_pairs(p, m, skip, NULL);
}

void hb_pack_copy_pairs(hb_pack_t *p, const hb_msg_t *m, const bool *drop)
{
    copy_pairs(p, m, NULL, drop);
}

void hb_pack_reject(hb_pack_t *p, const hb_msg_t *m, const char *stage, const char *reason)
{
    static const char *const keep[] = {"run", "doc", "file", NULL};
    size_t n = 0;
    for (const char *const *k = keep; *k; k++)
        n += hb_msg_get(m, *k) != NULL;
    hb_pack_header(p, HB_T_REJECT, n + 2);
    for (const char *const *k = keep; *k; k++) {
        const msgpack_object *o = hb_msg_get(m, *k);
        if (o) {
            hb_pack_key(p, *k);
            msgpack_pack_object(&p->pk, *o);
        }
    }
    hb_pack_kv_cstr(p, "stage", stage);
    hb_pack_kv_cstr(p, "reason", reason);
}
