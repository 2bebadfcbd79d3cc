#include "hb_msg.h"

#include <math.h>
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

bool hb_obj_is_str(const msgpack_object *o, const char *s)
{
    size_t n = strlen(s);
    return o && o->type == MSGPACK_OBJECT_STR && o->via.str.size == n &&
           memcmp(o->via.str.ptr, s, n) == 0;
}

const msgpack_object *hb_msg_get(const hb_msg_t *m, const char *key)
{
    if (!m->map)
        return NULL;
    for (uint32_t i = 0; i < m->map->size; i++)
        if (hb_obj_is_str(&m->map->ptr[i].key, key))
            return &m->map->ptr[i].val;
    return NULL;
}

int hb_msg_decode(hb_msg_t *m, const char *data, size_t len, const char **why)
{
    size_t off = 0;
    msgpack_unpacked_destroy(&m->up);
    hb_msg_init(m);
    m->raw = data;
    m->raw_len = len;
    msgpack_unpack_return r = msgpack_unpack_next(&m->up, data, len, &off);
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
    if (v->via.u64 != HB_MSG_VERSION) {
        *why = "unsupported schema version";
        return -1;
    }
    const msgpack_object *t = hb_msg_get(m, "type");
    if (!t || t->type != MSGPACK_OBJECT_STR || t->via.str.size == 0) {
        *why = "message has no \"type\"";
        return -1;
    }
    m->type = t->via.str.ptr;
    m->type_len = t->via.str.size;
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
    *s = o->via.str.ptr;
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

void hb_pack_str(hb_pack_t *p, const char *s, size_t len)
{
    msgpack_pack_str(&p->pk, len);
    msgpack_pack_str_body(&p->pk, s, len);
}

void hb_pack_cstr(hb_pack_t *p, const char *s)
{
    if (s)
        hb_pack_str(p, s, strlen(s));
    else
        msgpack_pack_nil(&p->pk);
}

void hb_pack_key(hb_pack_t *p, const char *key)
{
    hb_pack_str(p, key, strlen(key));
}

void hb_pack_header(hb_pack_t *p, const char *type, size_t npairs)
{
    msgpack_pack_map(&p->pk, 2 + npairs);
    hb_pack_key(p, "v");
    msgpack_pack_uint64(&p->pk, HB_MSG_VERSION);
    hb_pack_kv_cstr(p, "type", type);
}

void hb_pack_kv_str(hb_pack_t *p, const char *key, const char *s, size_t len)
{
    hb_pack_key(p, key);
    hb_pack_str(p, s, len);
}

void hb_pack_kv_cstr(hb_pack_t *p, const char *key, const char *s)
{
    hb_pack_key(p, key);
    hb_pack_cstr(p, s);
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

void hb_pack_kv_bool(hb_pack_t *p, const char *key, bool v)
{
    hb_pack_key(p, key);
    if (v)
        msgpack_pack_true(&p->pk);
    else
        msgpack_pack_false(&p->pk);
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

static bool key_in(const msgpack_object *key, const char *const *skip)
{
    for (; *skip; skip++)
        if (hb_obj_is_str(key, *skip))
            return true;
    return false;
}

size_t hb_msg_count_except(const hb_msg_t *m, const char *const *skip)
{
    size_t n = 0;
    for (uint32_t i = 0; m->map && i < m->map->size; i++)
        n += !key_in(&m->map->ptr[i].key, skip);
    return n;
}

void hb_pack_copy_except(hb_pack_t *p, const hb_msg_t *m, const char *const *skip)
{
    for (uint32_t i = 0; m->map && i < m->map->size; i++) {
        const msgpack_object_kv *kv = &m->map->ptr[i];
        if (key_in(&kv->key, skip))
            continue;
        msgpack_pack_object(&p->pk, kv->key);
        msgpack_pack_object(&p->pk, kv->val);
    }
}
