/* fuzz_msg: a ZeroMQ frame -> hb_msg_decode, the getters, pass-through and
 * JSON.
 *
 * Input: any bytes, as one frame.  Checks:
 *   - hb_msg_decode returns 0, or -1 with a reason; after success the map
 *     and type are set and hb_msg_get("v") is 1 (2 for a batch);
 *   - the getters (hb_msg_get / _str / _u64 / _cstr, hb_obj_is_str) agree
 *     with each other and stay inside the frame;
 *   - pass-through round trip: {v, type} + hb_pack_copy_except(skip v, type)
 *     decodes again, has hb_msg_count_except + 2 pairs, the same type, and
 *     copying it once more gives the same bytes;
 *   - hb_msg_each delivers messages that are typed, not batches, and lie
 *     inside the frame; a frame that decodes as a lone message is delivered
 *     once, unless it is a batch;
 *   - hb_json_obj of the decoded map is well-formed JSON (structure only;
 *     strings are copied as they are, so their bytes are not checked), at
 *     most 64 bytes per input byte. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "hb_batch.h"
#include "hb_buf.h"
#include "hb_json.h"
#include "hb_msg.h"



/* ---- a JSON syntax checker: returns the end of one value, or NULL -------- */

static const char *json_ws(const char *p, const char *e)
{
    while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

static const char *json_value(const char *p, const char *e, int depth);

static const char *json_string(const char *p, const char *e)
{
    if (p >= e || *p != '"')
        return NULL;
    for (p++; p < e; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '"')
            return p + 1;
        if (c < 0x20)
            return NULL;
        if (c == '\\') {
            if (++p >= e)
                return NULL;
            if (*p == 'u') {
                for (int k = 0; k < 4; k++)
                    if (++p >= e || !strchr("0123456789abcdefABCDEF", *p) || !*p)
                        return NULL;
            } else if (!strchr("\"\\/bfnrt", *p) || !*p) {
                return NULL;
            }
        }
    }
    return NULL;
}

static const char *json_number(const char *p, const char *e)
{
    const char *s = p;
    if (p < e && *p == '-')
        p++;
    if (p >= e || *p < '0' || *p > '9')
        return NULL;
    if (*p == '0')
        p++;
    else
        while (p < e && *p >= '0' && *p <= '9')
            p++;
    if (p < e && *p == '.') {
        p++;
        if (p >= e || *p < '0' || *p > '9')
            return NULL;
        while (p < e && *p >= '0' && *p <= '9')
            p++;
    }
    if (p < e && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < e && (*p == '+' || *p == '-'))
            p++;
        if (p >= e || *p < '0' || *p > '9')
            return NULL;
        while (p < e && *p >= '0' && *p <= '9')
            p++;
    }
    return p > s ? p : NULL;
}

static const char *json_word(const char *p, const char *e, const char *w)
{
    size_t n = strlen(w);
    return (size_t)(e - p) >= n && !memcmp(p, w, n) ? p + n : NULL;
}

static const char *json_value(const char *p, const char *e, int depth)
{
    if (depth > 200)
        return NULL;
    p = json_ws(p, e);
    if (p >= e)
        return NULL;
    switch (*p) {
    case '"': return json_string(p, e);
    case 't': return json_word(p, e, "true");
    case 'f': return json_word(p, e, "false");
    case 'n': return json_word(p, e, "null");
    case '[':
        p = json_ws(p + 1, e);
        if (p < e && *p == ']')
            return p + 1;
        for (;;) {
            if (!(p = json_value(p, e, depth + 1)))
                return NULL;
            p = json_ws(p, e);
            if (p < e && *p == ']')
                return p + 1;
            if (p >= e || *p != ',')
                return NULL;
            p++;
        }
    case '{':
        p = json_ws(p + 1, e);
        if (p < e && *p == '}')
            return p + 1;
        for (;;) {
            if (!(p = json_string(json_ws(p, e), e)))
                return NULL;
            p = json_ws(p, e);
            if (p >= e || *p != ':')
                return NULL;
            if (!(p = json_value(p + 1, e, depth + 1)))
                return NULL;
            p = json_ws(p, e);
            if (p < e && *p == '}')
                return p + 1;
            if (p >= e || *p != ',')
                return NULL;
            p++;
        }
    default: return json_number(p, e);
    }
}

/* ---- the target ------------------------------------------------------------ */

static bool in_frame(const char *s, size_t len, const uint8_t *data, size_t size)
{
    const char *d = (const char *)data;
    return len == 0 || (s >= d && s <= d + size && len <= (size_t)(d + size - s));
}

static void check_getters(const hb_msg_t *m, const uint8_t *data, size_t size)
{
    static const char *const keys[] = {"v", "type", "run", "doc", "seq", "text", "file",
                                       "section", "units", "", NULL};
    for (const char *const *k = keys; *k; k++) {
        const msgpack_object *o = hb_msg_get(m, *k);
        const char *s = NULL;
        size_t len = 0;
        uint64_t u = 0;
        int rs = hb_msg_str(m, *k, &s, &len);
        int ru = hb_msg_u64(m, *k, &u);
        FUZZ_CHECK(rs == ((o && o->type == MSGPACK_OBJECT_STR) ? 0 : -1));
        FUZZ_CHECK(ru == ((o && o->type == MSGPACK_OBJECT_POSITIVE_INTEGER) ? 0 : -1));
        if (rs == 0) {
            /* an empty string is given as "", whatever msgpack-c points to */
            FUZZ_CHECK(len == o->via.str.size && (len == 0 || s == o->via.str.ptr));
            FUZZ_CHECK(in_frame(s, len, data, size));
        }
        if (ru == 0)
            FUZZ_CHECK(u == o->via.u64);
        char small[4], big[64];
        memset(small, 'X', sizeof small);
        hb_msg_cstr(m, *k, small, sizeof small);
        hb_msg_cstr(m, *k, big, sizeof big);
        FUZZ_CHECK(strnlen(small, sizeof small) < sizeof small);
        FUZZ_CHECK(strnlen(big, sizeof big) < sizeof big);
        if (rs == 0) {
            size_t want = len < sizeof big - 1 ? len : sizeof big - 1;
            FUZZ_CHECK(want == 0 || memcmp(big, s, want) == 0);
        }
        if (m->map->size) {
            const msgpack_object *key0 = &m->map->ptr[0].key;
            bool same = key0->type == MSGPACK_OBJECT_STR && key0->via.str.size == strlen(*k) &&
                        (!(*k)[0] || !memcmp(key0->via.str.ptr, *k, strlen(*k)));
            FUZZ_CHECK(hb_obj_is_str(key0, *k) == same);
        }
        FUZZ_CHECK(!hb_obj_is_str(NULL, *k));
    }
    FUZZ_CHECK(hb_msg_is(m, "") == false);
}

/* {v, type} and every other pair of m, as a stage would forward it. */
static void forward(hb_pack_t *p, const hb_msg_t *m, const char *const *skip)
{
    hb_pack_reset(p);
    msgpack_pack_map(&p->pk, 2 + hb_msg_count_except(m, skip));
    hb_pack_key(p, "v");
    msgpack_pack_uint64(&p->pk, hb_msg_is(m, HB_T_BATCH) ? HB_MSG_BATCH_VERSION : HB_MSG_VERSION);
    hb_pack_kv_str(p, "type", m->type, m->type_len);
    hb_pack_copy_except(p, m, skip);
}

typedef struct frame_ref {
    const uint8_t *data;
    size_t size;
    size_t delivered;
} frame_ref_t;

static int each_check(void *arg, const hb_msg_t *m)
{
    frame_ref_t *f = arg;
    FUZZ_CHECK(m->type != NULL && m->type_len > 0 && !hb_msg_is(m, HB_T_BATCH));
    FUZZ_CHECK(in_frame(m->raw, m->raw_len, f->data, f->size));
    f->delivered++;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const skip[] = {"v", "type", NULL};
    static const char *const skip_more[] = {"v", "type", "run", "doc", "seq", "text", NULL};
    hb_msg_t m, again;
    const char *why = NULL;
    hb_msg_init(&m);
    hb_msg_init(&again);
    frame_ref_t f = {data, size, 0};
    unsigned long bad = 0;
    FUZZ_CHECK(hb_msg_each((const char *)data, size, each_check, &f, &bad) == 0);
    int rc = hb_msg_decode(&m, (const char *)data, size, &why);
    FUZZ_CHECK(rc == 0 || (bad == 1 && f.delivered == 0));
    if (rc == 0 && !hb_msg_is(&m, HB_T_BATCH))
        FUZZ_CHECK(f.delivered == 1 && bad == 0);
    if (rc != 0) {
        FUZZ_CHECK(rc == -1 && why != NULL && *why);
        hb_msg_done(&m);
        return 0;
    }
    FUZZ_CHECK(m.map != NULL && m.type != NULL && m.type_len > 0);
    FUZZ_CHECK(in_frame(m.type, m.type_len, data, size));
    uint64_t v = 0;
    FUZZ_CHECK(hb_msg_u64(&m, "v", &v) == 0 &&
               v == (hb_msg_is(&m, HB_T_BATCH) ? HB_MSG_BATCH_VERSION : HB_MSG_VERSION));
    check_getters(&m, data, size);

    size_t n = hb_msg_count_except(&m, skip);
    FUZZ_CHECK(n <= m.map->size);
    FUZZ_CHECK(hb_msg_count_except(&m, skip_more) <= n);

    hb_pack_t p1, p2;
    hb_pack_init(&p1);
    hb_pack_init(&p2);
    forward(&p1, &m, skip);
    rc = hb_msg_decode(&again, p1.buf.data, p1.buf.len, &why);
    FUZZ_CHECK(rc == 0);
    FUZZ_CHECK(again.map->size == n + 2);
    FUZZ_CHECK(hb_msg_count_except(&again, skip) == n);
    FUZZ_CHECK(again.type_len == m.type_len && !memcmp(again.type, m.type, m.type_len));
    FUZZ_CHECK(hb_msg_get(&again, "v") != NULL);
    forward(&p2, &again, skip);
    FUZZ_CHECK(p2.buf.len == p1.buf.len && !memcmp(p2.buf.data, p1.buf.data, p1.buf.len));

    hb_buf_t json;
    hb_buf_init(&json);
    hb_json_obj(&json, &m.up.data);
    FUZZ_CHECK(json.data != NULL && json.len > 0);
    /* Linear: no msgpack byte needs more than a few dozen JSON bytes (a
     * control character in a non-string key: \\u0001 escaped again).  A key
     * that is a map is written as JSON and escaped into a string, once per
     * level: nested, that doubles per level (79 bytes -> 3.2 GB). */
    FUZZ_CHECK(json.len <= 64 * size + 64);
    const char *end = json_value(json.data, json.data + json.len, 0);
    FUZZ_CHECK(end != NULL && json_ws(end, json.data + json.len) == json.data + json.len);
    FUZZ_CHECK(json.data[json.len] == '\0');

    hb_buf_release(&json);
    hb_pack_release(&p1);
    hb_pack_release(&p2);
    hb_msg_done(&again);
    hb_msg_done(&m);
    return 0;
}
