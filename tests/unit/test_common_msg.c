/* Unit tests for the common runtime: hb_msg (msgpack messages), hb_json,
 * hb_conf, hb_map and hb_opt. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "hb_test.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "hb_batch.h"
#include "hb_buf.h"
#include "hb_conf.h"
#include "hb_json.h"
#include "hb_utf8.h"
#include "hb_map.h"
#include "hb_msg.h"
#include "hb_opt.h"

/* ---- helpers ------------------------------------------------------------ */


static void assert_contains(const char *hay, const char *needle)
{
    if (!strstr(hay, needle))
        fail_msg("expected \"%s\" in \"%s\"", needle, hay);
}

/* ---- hb_msg ------------------------------------------------------------- */

static const char DOC_TEXT[] = "消灭撂荒土地*多亩，“四种”模式 \"quoted\"";

static void pack_unit(hb_pack_t *p)
{
    hb_pack_reset(p);
    hb_pack_header(p, HB_T_UNIT, 7);
    hb_pack_kv_cstr(p, "doc", "000_bd22ca21e2346cf0.txt");
    hb_pack_kv_u64(p, "seq", 42);
    hb_pack_kv_str(p, "text", DOC_TEXT, strlen(DOC_TEXT));
    hb_pack_kv_i64(p, "delta", -7);
    hb_pack_kv_bool(p, "overview", true);
    hb_pack_kv_nil(p, "title");
    hb_pack_kv_u64(p, "big", UINT64_MAX);
}

static void test_msg_round_trip(void **state)
{
    (void)state;
    hb_pack_t p;
    hb_pack_init(&p);
    pack_unit(&p);
    hb_msg_t m;
    hb_msg_init(&m);
    const char *why = NULL;
    assert_int_equal(hb_msg_decode(&m, p.buf.data, p.buf.len, &why), 0);
    assert_null(why);
    assert_ptr_equal(m.raw, p.buf.data);
    assert_int_equal(m.raw_len, p.buf.len);
    assert_int_equal(m.map->size, 9);
    assert_true(hb_msg_is(&m, "unit"));
    assert_false(hb_msg_is(&m, "uni"));
    assert_false(hb_msg_is(&m, "units"));
    assert_false(hb_msg_is(&m, "doc"));

    uint64_t u = 0;
    assert_int_equal(hb_msg_u64(&m, "v", &u), 0);
    assert_int_equal(u, HB_MSG_VERSION);
    assert_int_equal(hb_msg_u64(&m, "seq", &u), 0);
    assert_int_equal(u, 42);
    assert_int_equal(hb_msg_u64(&m, "big", &u), 0);
    assert_true(u == UINT64_MAX);
    u = 99;
    assert_int_equal(hb_msg_u64(&m, "delta", &u), -1); /* negative */
    assert_int_equal(hb_msg_u64(&m, "doc", &u), -1);   /* a string */
    assert_int_equal(hb_msg_u64(&m, "nope", &u), -1);
    assert_int_equal(u, 99);

    const char *s = NULL;
    size_t n = 0;
    assert_int_equal(hb_msg_str(&m, "text", &s, &n), 0);
    assert_int_equal(n, strlen(DOC_TEXT));
    assert_memory_equal(s, DOC_TEXT, n);
    /* zero-copy: the string points into the frame */
    assert_true(s > p.buf.data && s + n <= p.buf.data + p.buf.len);
    assert_int_equal(hb_msg_str(&m, "seq", &s, &n), -1);
    assert_int_equal(hb_msg_str(&m, "title", &s, &n), -1); /* nil */

    const msgpack_object *o = hb_msg_get(&m, "delta");
    assert_non_null(o);
    assert_int_equal(o->type, MSGPACK_OBJECT_NEGATIVE_INTEGER);
    assert_int_equal(o->via.i64, -7);
    o = hb_msg_get(&m, "overview");
    assert_non_null(o);
    assert_int_equal(o->type, MSGPACK_OBJECT_BOOLEAN);
    assert_true(o->via.boolean);
    o = hb_msg_get(&m, "title");
    assert_non_null(o);
    assert_int_equal(o->type, MSGPACK_OBJECT_NIL);
    assert_null(hb_msg_get(&m, "missing"));
    assert_true(hb_obj_is_str(hb_msg_get(&m, "type"), "unit"));
    assert_false(hb_obj_is_str(hb_msg_get(&m, "type"), "uni"));
    assert_false(hb_obj_is_str(hb_msg_get(&m, "seq"), "42"));
    assert_false(hb_obj_is_str(NULL, "x"));

    char buf[64];
    hb_msg_cstr(&m, "doc", buf, sizeof buf);
    assert_string_equal(buf, "000_bd22ca21e2346cf0.txt");
    hb_msg_cstr(&m, "doc", buf, 4); /* truncated, NUL-terminated */
    assert_string_equal(buf, "000");
    strcpy(buf, "junk");
    hb_msg_cstr(&m, "title", buf, sizeof buf);
    assert_string_equal(buf, "");
    strcpy(buf, "junk");
    hb_msg_cstr(&m, "missing", buf, sizeof buf);
    assert_string_equal(buf, "");

    /* Packing again after a reset gives the same bytes; decoding again into
     * the same message is allowed. */
    char *first = malloc(p.buf.len);
    size_t first_len = p.buf.len;
    memcpy(first, p.buf.data, first_len);
    hb_msg_done(&m);
    pack_unit(&p);
    assert_int_equal(p.buf.len, first_len);
    assert_memory_equal(p.buf.data, first, first_len);
    assert_int_equal(hb_msg_decode(&m, p.buf.data, p.buf.len, &why), 0);
    assert_int_equal(hb_msg_decode(&m, p.buf.data, p.buf.len, &why), 0);
    assert_true(hb_msg_is(&m, HB_T_UNIT));
    hb_msg_done(&m);
    assert_null(m.map);
    assert_null(m.type);
    free(first);
    hb_pack_release(&p);
}

static void test_msg_pack_number(void **state)
{
    (void)state;
    static const struct {
        double in;
        msgpack_object_type type;
    } cases[] = {
        {3.0, MSGPACK_OBJECT_POSITIVE_INTEGER}, {0.0, MSGPACK_OBJECT_POSITIVE_INTEGER},
        {-4.0, MSGPACK_OBJECT_NEGATIVE_INTEGER}, {2.5, MSGPACK_OBJECT_FLOAT64},
        {1e300, MSGPACK_OBJECT_FLOAT64},
    };
    hb_pack_t p;
    hb_pack_init(&p);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hb_pack_reset(&p);
        hb_pack_header(&p, "x", 1);
        hb_pack_key(&p, "n");
        hb_pack_number(&p, cases[i].in);
        hb_msg_t m;
        hb_msg_init(&m);
        const char *why;
        assert_int_equal(hb_msg_decode(&m, p.buf.data, p.buf.len, &why), 0);
        const msgpack_object *o = hb_msg_get(&m, "n");
        assert_non_null(o);
        assert_int_equal(o->type, cases[i].type);
        double back = o->type == MSGPACK_OBJECT_POSITIVE_INTEGER   ? (double)o->via.u64
                      : o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER ? (double)o->via.i64
                                                                   : o->via.f64;
        assert_true(back == cases[i].in);
        hb_msg_done(&m);
    }
    hb_pack_release(&p);
}

/* Unknown pairs a stage must pass through: nested maps and arrays, a key
 * named like a skipped one inside a nested map, an integer key, binary, ext,
 * float32, extreme integers. */
static void pack_custom_map(hb_pack_t *p)
{
    msgpack_packer *pk = &p->pk;
    hb_pack_key(p, "custom_map");
    msgpack_pack_map(pk, 3);
    hb_pack_kv_cstr(p, "text", "nested text is kept");
    hb_pack_key(p, "list");
    msgpack_pack_array(pk, 4);
    msgpack_pack_int(pk, 1);
    msgpack_pack_int(pk, -2);
    msgpack_pack_nil(pk);
    msgpack_pack_map(pk, 1);
    hb_pack_key(p, "deep");
    msgpack_pack_array(pk, 2);
    msgpack_pack_true(pk);
    msgpack_pack_false(pk);
    hb_pack_key(p, "f");
    msgpack_pack_double(pk, 1.5);
}

static void pack_custom_arr(hb_pack_t *p)
{
    msgpack_packer *pk = &p->pk;
    hb_pack_key(p, "custom_arr");
    msgpack_pack_array(pk, 6);
    msgpack_pack_float(pk, 0.25f);
    hb_pack_cstr(p, "字符串");
    msgpack_pack_bin(pk, 3);
    msgpack_pack_bin_body(pk, "\x00\x01\xff", 3);
    msgpack_pack_int64(pk, -300);
    msgpack_pack_uint64(pk, UINT64_MAX);
    msgpack_pack_int64(pk, INT64_MIN);
}

static void pack_int_key(hb_pack_t *p)
{
    msgpack_packer *pk = &p->pk;
    msgpack_pack_int(pk, 7);
    hb_pack_cstr(p, "integer key");
}

static void pack_ext(hb_pack_t *p)
{
    msgpack_packer *pk = &p->pk;
    hb_pack_key(p, "ext");
    msgpack_pack_ext(pk, 3, 5);
    msgpack_pack_ext_body(pk, "abc", 3);
}

static void pack_section(hb_pack_t *p)
{
    msgpack_packer *pk = &p->pk;
    hb_pack_key(p, "section");
    msgpack_pack_array(pk, 2);
    hb_pack_cstr(p, "上半年工作总结");
    hb_pack_cstr(p, "夯实战斗堡垒");
}

static void test_msg_pass_through(void **state)
{
    (void)state;
    hb_pack_t in, out, want;
    hb_pack_init(&in);
    hb_pack_init(&out);
    hb_pack_init(&want);

    /* known keys (text, seq) interleaved with unknown ones */
    hb_pack_header(&in, HB_T_UNIT, 7);
    hb_pack_kv_cstr(&in, "text", "正文");
    pack_custom_map(&in);
    hb_pack_kv_u64(&in, "seq", 3);
    pack_custom_arr(&in);
    pack_int_key(&in);
    pack_ext(&in);
    pack_section(&in);

    hb_msg_t m;
    hb_msg_init(&m);
    const char *why;
    assert_int_equal(hb_msg_decode(&m, in.buf.data, in.buf.len, &why), 0);
    static const char *const skip_keys[] = {"v", "type", "text", "seq", NULL};
    size_t keep = hb_msg_count_except(&m, skip_keys);
    assert_int_equal(keep, 5);
    static const char *const skip_none[] = {NULL};
    assert_int_equal(hb_msg_count_except(&m, skip_none), 9);

    hb_pack_header(&out, HB_T_UNIT, 1 + keep);
    hb_pack_kv_cstr(&out, "topic", "agriculture");
    hb_pack_copy_except(&out, &m, skip_keys);

    /* The same pairs packed directly, in the original order. */
    hb_pack_header(&want, HB_T_UNIT, 1 + 5);
    hb_pack_kv_cstr(&want, "topic", "agriculture");
    pack_custom_map(&want);
    pack_custom_arr(&want);
    pack_int_key(&want);
    pack_ext(&want);
    pack_section(&want);
    assert_int_equal(out.buf.len, want.buf.len);
    assert_memory_equal(out.buf.data, want.buf.data, want.buf.len);

    /* And the copy decodes, without the skipped keys but with the nested one. */
    hb_msg_t m2;
    hb_msg_init(&m2);
    assert_int_equal(hb_msg_decode(&m2, out.buf.data, out.buf.len, &why), 0);
    assert_null(hb_msg_get(&m2, "text"));
    assert_null(hb_msg_get(&m2, "seq"));
    assert_non_null(hb_msg_get(&m2, "topic"));
    hb_buf_t j;
    hb_buf_init(&j);
    hb_json_obj(&j, hb_msg_get(&m2, "custom_map"));
    assert_string_equal(j.data, "{\"text\":\"nested text is kept\","
                                "\"list\":[1,-2,null,{\"deep\":[true,false]}],\"f\":1.5}");
    hb_buf_reset(&j);
    hb_json_obj(&j, hb_msg_get(&m2, "custom_arr"));
    assert_string_equal(j.data, "[0.25,\"字符串\",null,-300,18446744073709551615,"
                                "-9223372036854775808]");
    hb_buf_release(&j);
    const msgpack_object *e = hb_msg_get(&m2, "ext");
    assert_non_null(e);
    assert_int_equal(e->type, MSGPACK_OBJECT_EXT);
    assert_int_equal(e->via.ext.type, 5);
    assert_int_equal(e->via.ext.size, 3);
    assert_memory_equal(e->via.ext.ptr, "abc", 3);

    hb_msg_done(&m2);
    hb_msg_done(&m);
    hb_pack_release(&in);
    hb_pack_release(&out);
    hb_pack_release(&want);
}

/* Keys as other packers may write them: a short key as str8, a key of 40
 * bytes, an empty key, a key that is a number.  The pairs kept, by skip
 * list or by position, are still exactly the ones packed directly. */
static void pack_odd_pairs(hb_pack_t *p, bool all)
{
    static const char str8_key[] = {(char)0xd9, 4, 'n', 'a', 'm', 'e'};
    if (all) {
        hb_buf_append(&p->buf, str8_key, sizeof str8_key); /* "name" as str8 */
        hb_pack_cstr(p, "短");
    }
    hb_pack_kv_u64(p, "a_key_of_forty_bytes_a_key_of_forty_byte", 40);
    if (all)
        hb_pack_kv_cstr(p, "", "empty key");
    msgpack_pack_int(&p->pk, 7);
    hb_pack_cstr(p, "int key");
    hb_pack_kv_cstr(p, "last", "x");
}

static void test_msg_pass_through_odd_keys(void **state)
{
    (void)state;
    hb_pack_t in, out, want;
    hb_pack_init(&in);
    hb_pack_init(&out);
    hb_pack_init(&want);
    hb_pack_header(&in, HB_T_UNIT, 5);
    pack_odd_pairs(&in, true);
    hb_pack_header(&want, HB_T_UNIT, 3);
    pack_odd_pairs(&want, false);
    hb_msg_t m;
    hb_msg_init(&m);
    const char *why;
    assert_int_equal(hb_msg_decode(&m, in.buf.data, in.buf.len, &why), 0);
    static const char *const skip[] = {"v", "type", "name", "", NULL};
    assert_int_equal(hb_msg_count_except(&m, skip), 3);
    hb_pack_header(&out, HB_T_UNIT, 3);
    hb_pack_copy_except(&out, &m, skip);
    assert_int_equal(out.buf.len, want.buf.len);
    assert_memory_equal(out.buf.data, want.buf.data, want.buf.len);

    /* v, type, name, the long key, "", 7, last */
    static const bool drop[] = {true, true, true, false, true, false, false};
    assert_int_equal(m.map->size, sizeof drop / sizeof drop[0]);
    hb_pack_reset(&out);
    hb_pack_header(&out, HB_T_UNIT, 3);
    hb_pack_copy_pairs(&out, &m, drop);
    assert_int_equal(out.buf.len, want.buf.len);
    assert_memory_equal(out.buf.data, want.buf.data, want.buf.len);
    hb_msg_done(&m);
    hb_pack_release(&in);
    hb_pack_release(&out);
    hb_pack_release(&want);
}

/* A map of more than 15 pairs has a three-byte header (map16): the pairs
 * kept are still exactly the ones packed directly, the first one included. */
static void test_msg_pass_through_map16(void **state)
{
    (void)state;
    hb_pack_t in, out, want;
    hb_pack_init(&in);
    hb_pack_init(&out);
    hb_pack_init(&want);
    hb_pack_header(&in, HB_T_UNIT, 18);
    hb_pack_header(&want, HB_T_UNIT, 9);
    for (int i = 0; i < 18; i++) {
        char key[16];
        snprintf(key, sizeof key, "k%d", i);
        hb_pack_kv_u64(&in, key, (uint64_t)i * 1000);
        if (i % 2)
            hb_pack_kv_u64(&want, key, (uint64_t)i * 1000);
    }
    assert_int_equal((unsigned char)in.buf.data[0], 0xde);
    hb_msg_t m;
    hb_msg_init(&m);
    const char *why;
    assert_int_equal(hb_msg_decode(&m, in.buf.data, in.buf.len, &why), 0);
    static const char *const skip[] = {"v", "type", "k0", "k2", "k4", "k6", "k8", "k10", "k12",
                                       "k14", "k16", NULL};
    assert_int_equal(hb_msg_count_except(&m, skip), 9);
    hb_pack_header(&out, HB_T_UNIT, 9);
    hb_pack_copy_except(&out, &m, skip);
    assert_int_equal(out.buf.len, want.buf.len);
    assert_memory_equal(out.buf.data, want.buf.data, want.buf.len);
    hb_msg_done(&m);
    hb_pack_release(&in);
    hb_pack_release(&out);
    hb_pack_release(&want);
}

/* Decodes bytes that must be refused; checks the reason. */
static void expect_decode_error(const char *data, size_t len, const char *reason)
{
    hb_msg_t m;
    hb_msg_init(&m);
    const char *why = NULL;
    assert_int_equal(hb_msg_decode(&m, data, len, &why), -1);
    assert_non_null(why);
    assert_contains(why, reason);
    hb_msg_done(&m);
}

static void test_msg_decode_garbage(void **state)
{
    (void)state;
    expect_decode_error("\xc1\xc1\xc1\xc1", 4, "not msgpack");
}

static void test_msg_decode_truncated(void **state)
{
    (void)state;
    hb_pack_t p;
    hb_pack_init(&p);
    pack_unit(&p);
    expect_decode_error(p.buf.data, p.buf.len - 1, "truncated msgpack");
    expect_decode_error(p.buf.data, p.buf.len / 2, "truncated msgpack");
    hb_pack_release(&p);
}

static void test_msg_decode_not_a_map(void **state)
{
    (void)state;
    hb_pack_t p;
    hb_pack_init(&p);
    msgpack_pack_array(&p.pk, 2);
    hb_pack_cstr(&p, "v");
    msgpack_pack_int(&p.pk, 1);
    expect_decode_error(p.buf.data, p.buf.len, "not a msgpack map");
    hb_pack_reset(&p);
    hb_pack_cstr(&p, "unit");
    expect_decode_error(p.buf.data, p.buf.len, "not a msgpack map");
    hb_pack_release(&p);
}

static void test_msg_decode_no_version(void **state)
{
    (void)state;
    hb_pack_t p;
    hb_pack_init(&p);
    msgpack_pack_map(&p.pk, 1);
    hb_pack_kv_cstr(&p, "type", "unit");
    expect_decode_error(p.buf.data, p.buf.len, "no schema version");
    hb_pack_reset(&p); /* "v" that is not an integer */
    msgpack_pack_map(&p.pk, 2);
    hb_pack_kv_cstr(&p, "v", "1");
    hb_pack_kv_cstr(&p, "type", "unit");
    expect_decode_error(p.buf.data, p.buf.len, "no schema version");
    hb_pack_release(&p);
}

static void test_msg_decode_wrong_version(void **state)
{
    (void)state;
    hb_pack_t p;
    hb_pack_init(&p);
    msgpack_pack_map(&p.pk, 2);
    hb_pack_kv_u64(&p, "v", 2);
    hb_pack_kv_cstr(&p, "type", "unit");
    expect_decode_error(p.buf.data, p.buf.len, "unsupported schema version");
    hb_pack_release(&p);
}

static void test_msg_decode_no_type(void **state)
{
    (void)state;
    hb_pack_t p;
    hb_pack_init(&p);
    msgpack_pack_map(&p.pk, 2);
    hb_pack_kv_u64(&p, "v", 1);
    hb_pack_kv_cstr(&p, "text", "x");
    expect_decode_error(p.buf.data, p.buf.len, "no \"type\"");
    hb_pack_reset(&p); /* empty type */
    hb_pack_header(&p, "", 0);
    expect_decode_error(p.buf.data, p.buf.len, "no \"type\"");
    hb_pack_reset(&p); /* nil type */
    hb_pack_header(&p, NULL, 0);
    expect_decode_error(p.buf.data, p.buf.len, "no \"type\"");
    hb_pack_release(&p);
}

static void test_msg_decode_trailing_bytes(void **state)
{
    (void)state;
    hb_pack_t p;
    hb_pack_init(&p);
    pack_unit(&p);
    hb_buf_putc(&p.buf, 0x01);
    expect_decode_error(p.buf.data, p.buf.len, "trailing bytes");
    hb_pack_reset(&p); /* two messages in one frame */
    pack_unit(&p);
    size_t one = p.buf.len;
    char *copy = malloc(one);
    memcpy(copy, p.buf.data, one);
    hb_buf_append(&p.buf, copy, one);
    expect_decode_error(p.buf.data, p.buf.len, "trailing bytes");
    free(copy);
    hb_pack_release(&p);
}

/* ---- hb_batch ----------------------------------------------------------- */

/* A PUSH/PULL pair over inproc: what a stage's runtime sends through. */
typedef struct pipe_pair {
    void *ctx, *push, *pull;
} pipe_pair_t;

static void pipe_open(pipe_pair_t *pp)
{
    pp->ctx = zmq_ctx_new();
    pp->pull = zmq_socket(pp->ctx, ZMQ_PULL);
    pp->push = zmq_socket(pp->ctx, ZMQ_PUSH);
    int hwm = 0; /* unlimited: the test sends before it receives */
    zmq_setsockopt(pp->pull, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_setsockopt(pp->push, ZMQ_SNDHWM, &hwm, sizeof hwm);
    assert_int_equal(zmq_bind(pp->pull, "inproc://batch"), 0);
    assert_int_equal(zmq_connect(pp->push, "inproc://batch"), 0);
}

static void pipe_close(pipe_pair_t *pp)
{
    zmq_close(pp->push);
    zmq_close(pp->pull);
    zmq_ctx_term(pp->ctx);
}

/* Receives one frame into b; -1 when none is waiting. */
static int pipe_recv(pipe_pair_t *pp, hb_buf_t *b)
{
    zmq_msg_t f;
    zmq_msg_init(&f);
    int rc = zmq_msg_recv(&f, pp->pull, ZMQ_DONTWAIT);
    if (rc >= 0) {
        hb_buf_reset(b);
        hb_buf_append(b, zmq_msg_data(&f), zmq_msg_size(&f));
    }
    zmq_msg_close(&f);
    return rc < 0 ? -1 : 0;
}

/* hb_msg_each's callback: records each message's bytes, one after another. */
typedef struct seen {
    hb_buf_t bytes;
    size_t n;
    size_t stop_after; /* 0: never stop */
} seen_t;

static int record(void *arg, const hb_msg_t *m)
{
    seen_t *s = arg;
    hb_buf_append(&s->bytes, m->raw, m->raw_len);
    s->n++;
    return s->stop_after && s->n == s->stop_after ? 7 : 0;
}

static void pack_numbered_unit(hb_pack_t *p, uint64_t seq, size_t text_len)
{
    static char text[200 * 1024];
    memset(text, 'a', sizeof text);
    assert_true(text_len <= sizeof text);
    hb_pack_reset(p);
    hb_pack_header(p, HB_T_UNIT, 2);
    hb_pack_kv_u64(p, "seq", seq);
    hb_pack_kv_str(p, "text", text, text_len);
}

static int append_to_buf(void *data, const char *buf, size_t len)
{
    hb_buf_append(data, buf, len);
    return 0;
}

/* hb_pack_str writes its header itself: byte for byte what msgpack-c writes,
 * at every boundary between fixstr, str8, str16 and str32. */
static void test_pack_str_matches_msgpack_c(void **state)
{
    (void)state;
    static const size_t lens[] = {0, 1, 31, 32, 255, 256, 65535, 65536, 70000};
    char *text = malloc(70000);
    assert_non_null(text);
    for (size_t i = 0; i < 70000; i++)
        text[i] = (char)('a' + i % 26);
    hb_pack_t p;
    hb_pack_init(&p);
    hb_buf_t want;
    hb_buf_init(&want);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &want, append_to_buf);
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        hb_pack_reset(&p);
        hb_buf_reset(&want);
        hb_pack_str(&p, text, lens[i]);
        msgpack_pack_str(&pk, lens[i]);
        msgpack_pack_str_body(&pk, text, lens[i]);
        assert_int_equal(p.buf.len, want.len);
        assert_memory_equal(p.buf.data, want.data, want.len);
    }
    hb_buf_release(&want);
    hb_pack_release(&p);
    free(text);
}

static void test_batch_lone_message_goes_as_itself(void **state)
{
    (void)state;
    pipe_pair_t pp;
    pipe_open(&pp);
    hb_batch_t b;
    hb_batch_init(&b);
    hb_pack_t p;
    hb_pack_init(&p);
    hb_buf_t got;
    hb_buf_init(&got);

    assert_int_equal(hb_batch_flush(&b, pp.push), 0); /* empty: sends nothing */
    assert_int_equal(pipe_recv(&pp, &got), -1);
    pack_unit(&p);
    assert_int_equal(hb_batch_add(&b, pp.push, p.buf.data, p.buf.len), 0);
    assert_int_equal(hb_batch_flush(&b, pp.push), 0);
    assert_int_equal(pipe_recv(&pp, &got), 0);
    assert_int_equal(got.len, p.buf.len);
    assert_memory_equal(got.data, p.buf.data, p.buf.len);
    assert_int_equal(b.frames, 1);

    hb_buf_release(&got);
    hb_pack_release(&p);
    hb_batch_release(&b);
    pipe_close(&pp);
}

static void test_batch_round_trip_in_order(void **state)
{
    (void)state;
    pipe_pair_t pp;
    pipe_open(&pp);
    hb_batch_t b;
    hb_batch_init(&b);
    hb_pack_t p;
    hb_pack_init(&p);
    hb_buf_t got, want;
    hb_buf_init(&got);
    hb_buf_init(&want);

    for (uint64_t seq = 0; seq < 3; seq++) {
        pack_numbered_unit(&p, seq, 10 + seq);
        hb_buf_append(&want, p.buf.data, p.buf.len);
        assert_int_equal(hb_batch_add(&b, pp.push, p.buf.data, p.buf.len), 0);
    }
    pack_unit(&p);
    hb_buf_append(&want, p.buf.data, p.buf.len);
    assert_int_equal(hb_batch_add(&b, pp.push, p.buf.data, p.buf.len), 0);
    assert_int_equal(hb_batch_flush(&b, pp.push), 0);
    assert_int_equal(b.frames, 1);
    assert_int_equal(pipe_recv(&pp, &got), 0);
    assert_int_equal(pipe_recv(&pp, &got), -1); /* one frame for all four */

    /* the frame is itself a message of type batch */
    hb_msg_t m;
    const char *why;
    hb_msg_init(&m);
    assert_int_equal(hb_msg_decode(&m, got.data, got.len, &why), 0);
    assert_true(hb_msg_is(&m, HB_T_BATCH));
    uint64_t v = 0;
    assert_int_equal(hb_msg_u64(&m, "v", &v), 0);
    assert_int_equal(v, HB_MSG_BATCH_VERSION);
    hb_msg_done(&m);

    seen_t s = {.stop_after = 0};
    hb_buf_init(&s.bytes);
    unsigned long bad = 0;
    assert_int_equal(hb_msg_each(got.data, got.len, record, &s, &bad), 0);
    assert_int_equal(s.n, 4);
    assert_int_equal(bad, 0);
    assert_int_equal(s.bytes.len, want.len);
    assert_memory_equal(s.bytes.data, want.data, want.len);

    /* a nonzero return stops the walk and is returned */
    hb_buf_reset(&s.bytes);
    s.n = 0;
    s.stop_after = 2;
    assert_int_equal(hb_msg_each(got.data, got.len, record, &s, &bad), 7);
    assert_int_equal(s.n, 2);

    hb_buf_release(&s.bytes);
    hb_buf_release(&got);
    hb_buf_release(&want);
    hb_pack_release(&p);
    hb_batch_release(&b);
    pipe_close(&pp);
}

/* Frames stay near HB_BATCH_BYTES: a batch is sent before it would grow
 * past it, and a message larger than that goes alone. */
static void test_batch_size_limit(void **state)
{
    (void)state;
    pipe_pair_t pp;
    pipe_open(&pp);
    hb_batch_t b;
    hb_batch_init(&b);
    hb_pack_t p;
    hb_pack_init(&p);
    hb_buf_t got;
    hb_buf_init(&got);
    const size_t third = HB_BATCH_BYTES * 3 / 8, most = HB_BATCH_BYTES * 5 / 7;
    const size_t sizes[] = {third, third, third, most, 10, 10};
    size_t n = sizeof sizes / sizeof sizes[0];
    for (size_t i = 0; i < n; i++) {
        pack_numbered_unit(&p, i, sizes[i]);
        assert_int_equal(hb_batch_add(&b, pp.push, p.buf.data, p.buf.len), 0);
    }
    assert_int_equal(hb_batch_flush(&b, pp.push), 0);
    seen_t s = {.stop_after = 0};
    hb_buf_init(&s.bytes);
    unsigned long bad = 0;
    size_t frames = 0;
    while (pipe_recv(&pp, &got) == 0) {
        frames++;
        assert_true(got.len <= HB_BATCH_BYTES);
        assert_int_equal(hb_msg_each(got.data, got.len, record, &s, &bad), 0);
    }
    assert_int_equal(s.n, n);
    assert_int_equal(bad, 0);
    assert_int_equal(frames, 3); /* third + third | third | most + 10 + 10 */
    assert_int_equal(b.frames, frames);

    hb_buf_release(&s.bytes);
    hb_buf_release(&got);
    hb_pack_release(&p);
    hb_batch_release(&b);
    pipe_close(&pp);
}

/* The batch's buffer is HB_BATCH_BYTES and stays so: a batch that would fill
 * it to the last byte is sent first (hb_buf's NUL would have doubled it), and
 * after a message larger than a batch the buffer shrinks back. */
static void test_batch_buffer_keeps_its_size(void **state)
{
    (void)state;
    pipe_pair_t pp;
    pipe_open(&pp);
    hb_batch_t b;
    hb_batch_init(&b);
    assert_int_equal(b.buf.cap, HB_BATCH_BYTES);
    const size_t head = b.buf.len + 5; /* batch header, one element's */
    const size_t first = HB_BATCH_BYTES * 3 / 4, fill = HB_BATCH_BYTES - head - first - 5;
    const size_t big = HB_BATCH_BYTES * 3 / 2;
    char *bytes = calloc(1, big);
    assert_non_null(bytes);
    assert_int_equal(hb_batch_add(&b, pp.push, bytes, first), 0);
    /* exactly what fills the batch to HB_BATCH_BYTES */
    assert_int_equal(hb_batch_add(&b, pp.push, bytes, fill), 0);
    assert_int_equal(b.frames, 1);
    assert_int_equal(b.buf.cap, HB_BATCH_BYTES);
    assert_int_equal(hb_batch_add(&b, pp.push, bytes, big), 0); /* goes alone, at once */
    assert_int_equal(b.frames, 3);
    assert_int_equal(b.n, 0);
    assert_int_equal(b.buf.cap, HB_BATCH_BYTES);
    hb_buf_t got;
    hb_buf_init(&got);
    const size_t want[] = {first, fill, big};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(pipe_recv(&pp, &got), 0);
        assert_int_equal(got.len, want[i]); /* each went alone: sent as itself */
    }
    assert_int_equal(pipe_recv(&pp, &got), -1);
    hb_buf_release(&got);
    free(bytes);
    hb_batch_release(&b);
    pipe_close(&pp);
}

/* The start of a batch frame by hand: {"v": 2, "type": "batch", "msgs": [n...]}. */
static void pack_batch_start(hb_pack_t *p, uint32_t n)
{
    msgpack_pack_map(&p->pk, 3);
    hb_pack_key(p, "v");
    msgpack_pack_uint64(&p->pk, HB_MSG_BATCH_VERSION);
    hb_pack_kv_cstr(p, "type", HB_T_BATCH);
    hb_pack_key(p, "msgs");
    msgpack_pack_array(&p->pk, n);
}

/* A batch with bad elements: each is dropped and counted, the rest delivered. */
static void test_batch_bad_elements_are_skipped(void **state)
{
    (void)state;
    hb_pack_t good, inner, p;
    hb_pack_init(&good);
    hb_pack_init(&inner);
    hb_pack_init(&p);
    pack_unit(&good);
    pack_batch_start(&inner, 0); /* a batch, to nest */

    pack_batch_start(&p, 5);
    msgpack_pack_bin(&p.pk, good.buf.len);
    msgpack_pack_bin_body(&p.pk, good.buf.data, good.buf.len);
    msgpack_pack_bin(&p.pk, 3);
    msgpack_pack_bin_body(&p.pk, "\xc1\xc1\xc1", 3); /* not msgpack */
    msgpack_pack_str(&p.pk, good.buf.len);           /* a str, not a bin */
    msgpack_pack_str_body(&p.pk, good.buf.data, good.buf.len);
    msgpack_pack_bin(&p.pk, inner.buf.len);
    msgpack_pack_bin_body(&p.pk, inner.buf.data, inner.buf.len);
    msgpack_pack_bin(&p.pk, good.buf.len);
    msgpack_pack_bin_body(&p.pk, good.buf.data, good.buf.len);

    seen_t s = {.stop_after = 0};
    hb_buf_init(&s.bytes);
    unsigned long bad = 0;
    assert_int_equal(hb_msg_each(p.buf.data, p.buf.len, record, &s, &bad), 0);
    assert_int_equal(s.n, 2);
    assert_int_equal(bad, 3);

    /* a batch without "msgs", a batch saying v 1 (as a stage that predates
     * batches would see it: an unknown version), and no message at all */
    hb_pack_reset(&p);
    msgpack_pack_map(&p.pk, 2);
    hb_pack_key(&p, "v");
    msgpack_pack_uint64(&p.pk, HB_MSG_BATCH_VERSION);
    hb_pack_kv_cstr(&p, "type", HB_T_BATCH);
    assert_int_equal(hb_msg_each(p.buf.data, p.buf.len, record, &s, &bad), 0);
    hb_pack_reset(&p);
    hb_pack_header(&p, HB_T_BATCH, 1);
    hb_pack_key(&p, "msgs");
    msgpack_pack_array(&p.pk, 1);
    msgpack_pack_bin(&p.pk, good.buf.len);
    msgpack_pack_bin_body(&p.pk, good.buf.data, good.buf.len);
    const char *why;
    hb_msg_t m;
    hb_msg_init(&m);
    assert_int_equal(hb_msg_decode(&m, p.buf.data, p.buf.len, &why), -1);
    assert_string_equal(why, "unsupported schema version");
    hb_msg_done(&m);
    assert_int_equal(hb_msg_each(p.buf.data, p.buf.len, record, &s, &bad), 0);
    assert_int_equal(hb_msg_each("garbage", 7, record, &s, &bad), 0);
    assert_int_equal(s.n, 2);
    assert_int_equal(bad, 6);

    hb_buf_release(&s.bytes);
    hb_pack_release(&good);
    hb_pack_release(&inner);
    hb_pack_release(&p);
}

/* ---- hb_json ------------------------------------------------------------ */

static const char *json_of(hb_buf_t *b, const msgpack_object *o)
{
    hb_buf_reset(b);
    hb_json_obj(b, o);
    return b->data;
}

static void test_json_escaping(void **state)
{
    (void)state;
    hb_buf_t b;
    hb_buf_init(&b);
    const char in[] = "say \"hi\" \\ path\nline\ttab\rcr\x01\x1f\b\x7f end";
    hb_json_str(&b, in, strlen(in));
    assert_string_equal(b.data, "\"say \\\"hi\\\" \\\\ path\\nline\\ttab\\rcr\\u0001\\u001f"
                                "\\u0008\x7f end\"");
    hb_buf_reset(&b);
    hb_json_str(&b, "a\0b", 3); /* an embedded NUL */
    assert_int_equal(b.len, strlen("\"a\\u0000b\""));
    assert_memory_equal(b.data, "\"a\\u0000b\"", b.len);
    hb_buf_reset(&b);
    hb_json_str(&b, "", 0);
    assert_string_equal(b.data, "\"\"");
    hb_buf_reset(&b);
    hb_json_str(&b, "\"", 1); /* escape as the only byte */
    assert_string_equal(b.data, "\"\\\"\"");
    hb_buf_reset(&b);
    hb_json_cstr(&b, NULL);
    assert_string_equal(b.data, "null");
    hb_buf_reset(&b);
    hb_json_key(&b, "a", 1);
    hb_buf_putc(&b, '1');
    hb_json_key(&b, "b\"", 0);
    hb_buf_putc(&b, '2');
    assert_string_equal(b.data, "\"a\":1,\"b\\\"\":2");
    hb_buf_release(&b);
}

/* Bytes that are not UTF-8 (a GBK metadata field, a Latin-1 file name)
 * never reach a JSON file: each ill-formed sequence becomes U+FFFD. */
static void test_json_invalid_utf8_replaced(void **state)
{
    (void)state;
    hb_buf_t b;
    hb_buf_init(&b);
    const char gbk[] = "\xd4\xaa\xcc\xb6\xd5\xf2 town"; /* 元潭镇 in GBK */
    hb_json_str(&b, gbk, strlen(gbk));
    assert_true(hb_utf8_valid(b.data, b.len, NULL));
    assert_non_null(strstr(b.data, "\xef\xbf\xbd"));
    assert_non_null(strstr(b.data, " town\""));
    hb_buf_reset(&b);
    hb_json_str(&b, "a\"\xff\n", 4); /* replaced and still escaped */
    assert_string_equal(b.data, "\"a\\\"\xef\xbf\xbd\\n\"");
    hb_buf_reset(&b);
    hb_json_str(&b, "\xe5\x85", 2); /* a character cut short */
    assert_string_equal(b.data, "\"\xef\xbf\xbd\"");
    hb_buf_release(&b);
}

static void test_json_chinese_untouched(void **state)
{
    (void)state;
    hb_buf_t b;
    hb_buf_init(&b);
    const char in[] = "消灭撂荒土地*多亩，“四种”模式（*A）——１２．５公里";
    hb_json_cstr(&b, in);
    assert_int_equal(b.len, strlen(in) + 2);
    assert_int_equal(b.data[0], '"');
    assert_memory_equal(b.data + 1, in, strlen(in));
    assert_int_equal(b.data[b.len - 1], '"');
    hb_buf_release(&b);
}

static void test_json_scalars(void **state)
{
    (void)state;
    hb_buf_t b;
    hb_buf_init(&b);
    msgpack_object o;
    memset(&o, 0, sizeof o);
    o.type = MSGPACK_OBJECT_NIL;
    assert_string_equal(json_of(&b, &o), "null");
    o.type = MSGPACK_OBJECT_BOOLEAN;
    o.via.boolean = true;
    assert_string_equal(json_of(&b, &o), "true");
    o.via.boolean = false;
    assert_string_equal(json_of(&b, &o), "false");
    o.type = MSGPACK_OBJECT_POSITIVE_INTEGER;
    o.via.u64 = 0;
    assert_string_equal(json_of(&b, &o), "0");
    o.via.u64 = 330;
    assert_string_equal(json_of(&b, &o), "330");
    o.via.u64 = UINT64_MAX;
    assert_string_equal(json_of(&b, &o), "18446744073709551615");
    o.type = MSGPACK_OBJECT_NEGATIVE_INTEGER;
    o.via.i64 = -1;
    assert_string_equal(json_of(&b, &o), "-1");
    o.via.i64 = INT64_MIN;
    assert_string_equal(json_of(&b, &o), "-9223372036854775808");
    o.type = MSGPACK_OBJECT_FLOAT64;
    o.via.f64 = 4.3;
    assert_string_equal(json_of(&b, &o), "4.3");
    o.via.f64 = -0.85;
    assert_string_equal(json_of(&b, &o), "-0.85");
    o.via.f64 = 3.14159265;
    assert_string_equal(json_of(&b, &o), "3.14159"); /* 6 significant digits */
    o.via.f64 = 1e20;
    assert_string_equal(json_of(&b, &o), "1e+20");
    o.via.f64 = NAN;
    assert_string_equal(json_of(&b, &o), "null");
    o.via.f64 = -INFINITY;
    assert_string_equal(json_of(&b, &o), "null");
    o.type = MSGPACK_OBJECT_FLOAT32;
    o.via.f64 = 0.25;
    assert_string_equal(json_of(&b, &o), "0.25");
    o.type = MSGPACK_OBJECT_STR;
    o.via.str.ptr = "户\"";
    o.via.str.size = 4;
    assert_string_equal(json_of(&b, &o), "\"户\\\"\"");
    o.type = MSGPACK_OBJECT_BIN;
    o.via.bin.ptr = "\x00\x01";
    o.via.bin.size = 2;
    assert_string_equal(json_of(&b, &o), "null");
    hb_buf_release(&b);
}

static void test_json_array_map(void **state)
{
    (void)state;
    /* [1, -2, 1.5, "x", nil, true, [], {}] and {"k": [..], 7: "seven", "m": {"n": null}} */
    hb_pack_t p;
    hb_pack_init(&p);
    msgpack_pack_map(&p.pk, 3);
    hb_pack_key(&p, "k");
    msgpack_pack_array(&p.pk, 8);
    msgpack_pack_int(&p.pk, 1);
    msgpack_pack_int(&p.pk, -2);
    msgpack_pack_double(&p.pk, 1.5);
    hb_pack_cstr(&p, "x");
    msgpack_pack_nil(&p.pk);
    msgpack_pack_true(&p.pk);
    msgpack_pack_array(&p.pk, 0);
    msgpack_pack_map(&p.pk, 0);
    msgpack_pack_int(&p.pk, 7);
    hb_pack_cstr(&p, "seven");
    hb_pack_key(&p, "m");
    msgpack_pack_map(&p.pk, 1);
    hb_pack_kv_nil(&p, "n");

    msgpack_unpacked up;
    msgpack_unpacked_init(&up);
    size_t off = 0;
    assert_int_equal(msgpack_unpack_next(&up, p.buf.data, p.buf.len, &off),
                     MSGPACK_UNPACK_SUCCESS);
    hb_buf_t b;
    hb_buf_init(&b);
    assert_string_equal(json_of(&b, &up.data),
                        "{\"k\":[1,-2,1.5,\"x\",null,true,[],{}],\"7\":\"seven\","
                        "\"m\":{\"n\":null}}");
    hb_buf_release(&b);
    msgpack_unpacked_destroy(&up);
    hb_pack_release(&p);
}

/* ---- hb_conf ------------------------------------------------------------ */

typedef struct conf_want {
    const char *section, *name, *key, *value;
    int line;
} conf_want_t;

static void expect_conf(const hb_conf_t *c, const conf_want_t *w, size_t n)
{
    assert_non_null(c);
    assert_int_equal(c->n, n);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(c->entries[i].section, w[i].section);
        assert_string_equal(c->entries[i].name, w[i].name);
        assert_string_equal(c->entries[i].key, w[i].key);
        assert_string_equal(c->entries[i].value, w[i].value);
        assert_int_equal(c->entries[i].line, w[i].line);
    }
}

static void test_conf_parse(void **state)
{
    (void)state;
    static const char text[] =
        "# huibao test config\n"                 /* 1 */
        "; another comment\n"                    /* 2 */
        "top = level\n"                          /* 3 */
        "\n"                                     /* 4 */
        "[scoring]\n"                            /* 5 */
        "heading_weight = 3\n"                   /* 6 */
        "[topic party_building]\n"               /* 7 */
        "label = 党的建设\n"                     /* 8 */
        "keywords = 党建:3 党员\n"               /* 9 */
        "   # an indented comment\n"             /* 10 */
        "keywords = 支部  \n"                    /* 11 */
        "[empty]\n"                              /* 12 */
        "[topic  agriculture ]\n"                /* 13 */
        "\tkeywords=粮食 = 2\n"                  /* 14 */
        "empty =\n"                              /* 15 */
        "last = no newline";                     /* 16 */
    hb_conf_t *c = hb_conf_parse("t.conf", text, strlen(text));
    static const conf_want_t w[] = {
        {"", "", "top", "level", 3},
        {"scoring", "", "heading_weight", "3", 6},
        {"topic", "party_building", "label", "党的建设", 8},
        {"topic", "party_building", "keywords", "党建:3 党员", 9},
        {"topic", "party_building", "keywords", "支部", 11},
        {"topic", "agriculture", "keywords", "粮食 = 2", 14},
        {"topic", "agriculture", "empty", "", 15},
        {"topic", "agriculture", "last", "no newline", 16},
    };
    expect_conf(c, w, sizeof w / sizeof w[0]);
    assert_string_equal(c->path, "t.conf");
    /* the last value of a repeated key, in any name of the section */
    assert_string_equal(hb_conf_get(c, "topic", "keywords", NULL), "粮食 = 2");
    assert_string_equal(hb_conf_get(c, "scoring", "heading_weight", NULL), "3");
    assert_string_equal(hb_conf_get(c, "", "top", NULL), "level");
    assert_string_equal(hb_conf_get(c, "scoring", "min_score", "1"), "1");
    assert_null(hb_conf_get(c, "empty", "x", NULL));
    hb_conf_free(c);
}

static void test_conf_bom_and_crlf(void **state)
{
    (void)state;
    static const char text[] = "\xEF\xBB\xBF[figures]\r\nunits = 人 户\r\n\r\n# c\r\nx = y\r\n";
    hb_conf_t *c = hb_conf_parse("bom.conf", text, strlen(text));
    static const conf_want_t w[] = {
        {"figures", "", "units", "人 户", 2},
        {"figures", "", "x", "y", 5},
    };
    expect_conf(c, w, 2);
    hb_conf_free(c);
    static const char text2[] = "\xEF\xBB\xBFkey = v\n"; /* a BOM before a key */
    c = hb_conf_parse("bom.conf", text2, strlen(text2));
    static const conf_want_t w2[] = {{"", "", "key", "v", 1}};
    expect_conf(c, w2, 1);
    hb_conf_free(c);
    c = hb_conf_parse("empty.conf", "", 0);
    assert_non_null(c);
    assert_int_equal(c->n, 0);
    hb_conf_free(c);
}

static void test_conf_load_file(void **state)
{
    (void)state;
    char path[] = "/tmp/hb_test_conf_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    static const char text[] = "[topic a]\nkeywords = 党建\n";
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    hb_conf_t *c = hb_conf_load(path);
    unlink(path);
    static const conf_want_t w[] = {{"topic", "a", "keywords", "党建", 2}};
    expect_conf(c, w, 1);
    assert_string_equal(c->path, path);
    hb_conf_free(c);

    capture_t cap;
    capture_start(&cap);
    c = hb_conf_load("/nonexistent/x.conf");
    char *log = capture_end(&cap);
    assert_null(c);
    assert_contains(log, "/nonexistent/x.conf: cannot open");
    free(log);
}

/* Parses text that must be refused; checks the message names PATH:LINE. */
static void expect_conf_error(const char *text, size_t len, const char *where, const char *words)
{
    capture_t cap;
    capture_start(&cap);
    hb_conf_t *c = hb_conf_parse("bad.conf", text, len);
    char *log = capture_end(&cap);
    hb_conf_free(c);
    assert_null(c);
    assert_contains(log, where);
    assert_contains(log, words);
    free(log);
}

static void test_conf_errors(void **state)
{
    (void)state;
    const char *t = "[s]\nk = v\n[broken\nx = y\n";
    expect_conf_error(t, strlen(t), "bad.conf:3:", "section header");
    t = "[s]\nk = v\n[s] trailing\n";
    expect_conf_error(t, strlen(t), "bad.conf:3:", "section header");
    t = "[s]\nk = v\n\njust some words\n";
    expect_conf_error(t, strlen(t), "bad.conf:4:", "key = value");
    t = "[s]\n= v\n";
    expect_conf_error(t, strlen(t), "bad.conf:2:", "without a key");
    /* invalid UTF-8: refused (where it is reported: see the next test) */
    t = "[s]\nk = v\nbad = \xff\xfe\n";
    expect_conf_error(t, strlen(t), "bad.conf", "UTF-8");
    t = "[s]\nk = \xe5\x85\n"; /* a cut sequence */
    expect_conf_error(t, strlen(t), "bad.conf", "UTF-8");
}

/* hb_conf.h promises "PATH:LINE: problem", invalid UTF-8 included. */
static void test_conf_invalid_utf8_names_line(void **state)
{
    (void)state;
    const char *t = "[s]\nk = v\nbad = \xff\xfe\n";
    expect_conf_error(t, strlen(t), "bad.conf:3:", "UTF-8");
}

/* "[ scoring ]": spaces inside the brackets are not part of the section. */
static void test_conf_section_with_inner_spaces(void **state)
{
    (void)state;
    const char *t = "[ scoring ]\nmin_score = 1\n";
    hb_conf_t *c = hb_conf_parse("t.conf", t, strlen(t));
    static const conf_want_t w[] = {{"scoring", "", "min_score", "1", 2}};
    expect_conf(c, w, 1);
    hb_conf_free(c);
}

/* ---- hb_map ------------------------------------------------------------- */

static int V[4];

static void test_map_put_get_replace(void **state)
{
    (void)state;
    hb_map_t *m = hb_map_new();
    assert_int_equal(hb_map_size(m), 0);
    assert_null(hb_map_get(m, "元潭镇"));
    char key[16];
    strcpy(key, "元潭镇");
    assert_null(hb_map_put(m, key, &V[0]));
    strcpy(key, "changed"); /* the map keeps its own copy */
    assert_ptr_equal(hb_map_get(m, "元潭镇"), &V[0]);
    assert_null(hb_map_get(m, "changed"));
    assert_null(hb_map_put(m, "潭下镇", &V[1]));
    assert_null(hb_map_put(m, "", &V[2])); /* the empty key is a key */
    assert_int_equal(hb_map_size(m), 3);
    assert_ptr_equal(hb_map_put(m, "元潭镇", &V[3]), &V[0]); /* replace returns old */
    assert_int_equal(hb_map_size(m), 3);
    assert_ptr_equal(hb_map_get(m, "元潭镇"), &V[3]);
    assert_ptr_equal(hb_map_get(m, "潭下镇"), &V[1]);
    assert_ptr_equal(hb_map_get(m, ""), &V[2]);
    assert_null(hb_map_get(m, "元潭"));
    /* a NULL value is stored too */
    assert_ptr_equal(hb_map_put(m, "潭下镇", NULL), &V[1]);
    assert_null(hb_map_get(m, "潭下镇"));
    assert_int_equal(hb_map_size(m), 3);
    /* replacing keeps the first insertion's place */
    assert_string_equal(hb_map_key_at(m, 0), "元潭镇");
    assert_ptr_equal(hb_map_value_at(m, 0), &V[3]);
    assert_string_equal(hb_map_key_at(m, 1), "潭下镇");
    assert_string_equal(hb_map_key_at(m, 2), "");
    hb_map_free(m);
    hb_map_free(NULL);
}

static void test_map_growth_and_order(void **state)
{
    (void)state;
    enum { N = 25000 };
    hb_map_t *m = hb_map_new();
    char key[32];
    /* keys in a scrambled order so insertion order differs from any sort */
    for (size_t i = 0; i < N; i++) {
        snprintf(key, sizeof key, "k%zu", (i * 7919) % N);
        assert_null(hb_map_put(m, key, (void *)(uintptr_t)(i + 1)));
    }
    assert_int_equal(hb_map_size(m), N);
    for (size_t i = 0; i < N; i++) {
        snprintf(key, sizeof key, "k%zu", (i * 7919) % N);
        assert_ptr_equal(hb_map_get(m, key), (void *)(uintptr_t)(i + 1));
        assert_string_equal(hb_map_key_at(m, i), key);
        assert_ptr_equal(hb_map_value_at(m, i), (void *)(uintptr_t)(i + 1));
    }
    assert_null(hb_map_get(m, "k25000"));
    assert_null(hb_map_get(m, "k"));
    /* replace after growth */
    assert_ptr_equal(hb_map_put(m, "k0", (void *)(uintptr_t)99), (void *)(uintptr_t)1);
    assert_int_equal(hb_map_size(m), N);
    assert_string_equal(hb_map_key_at(m, 0), "k0");
    assert_ptr_equal(hb_map_value_at(m, 0), (void *)(uintptr_t)99);
    hb_map_free(m);
}

/* ---- hb_opt ------------------------------------------------------------- */

typedef struct opts {
    const char *out;
    long jobs;
    double ratio;
    int verbose;
    const char *config;
} opts_t;

static const hb_opt_t OPTS[] = {
    {"output", 'o', HB_OPT_STR, offsetof(opts_t, out), "out", "DIR", "output directory"},
    {"jobs", 'j', HB_OPT_INT, offsetof(opts_t, jobs), "4", "N", "parallel jobs"},
    {"ratio", 0, HB_OPT_DOUBLE, offsetof(opts_t, ratio), "0.5", "R", "a ratio"},
    {"verbose", 'v', HB_OPT_FLAG, offsetof(opts_t, verbose), NULL, NULL, "say more"},
    {"config", 'c', HB_OPT_STR, offsetof(opts_t, config), NULL, "FILE", "a config"},
    HB_OPT_END,
};

typedef struct common_opts {
    int quiet;
    const char *log;
} common_opts_t;

static const hb_opt_t COMMON[] = {
    {"quiet", 'q', HB_OPT_FLAG, offsetof(common_opts_t, quiet), NULL, NULL, "say less"},
    {"log", 0, HB_OPT_STR, offsetof(common_opts_t, log), "-", "FILE", "log file"},
    HB_OPT_END,
};

/* Parses argv (NULL-terminated) with both tables; returns the result and
 * what was printed to stderr (*err, malloc'd). */
static int parse(char **argv, opts_t *o, common_opts_t *co, char **args, int *nargs, char **err)
{
    int argc = 0;
    while (argv[argc])
        argc++;
    memset(o, 0, sizeof *o);
    memset(co, 0, sizeof *co);
    const hb_opt_t *const tables[] = {COMMON, OPTS, NULL};
    void *const targets[] = {co, o};
    capture_t cap;
    capture_start(&cap);
    int rc = hb_opt_parse(tables, targets, argc, argv, 1, args, nargs);
    *err = capture_end(&cap);
    return rc;
}

static void test_opt_defaults(void **state)
{
    (void)state;
    char *argv[] = {"prog", NULL};
    opts_t o;
    common_opts_t co;
    char *args[1];
    int nargs = -1;
    char *err;
    assert_int_equal(parse(argv, &o, &co, args, &nargs, &err), HB_OPT_OK);
    free(err);
    assert_string_equal(o.out, "out");
    assert_int_equal(o.jobs, 4);
    assert_true(o.ratio == 0.5);
    assert_int_equal(o.verbose, 0);
    assert_null(o.config);
    assert_int_equal(co.quiet, 0);
    assert_string_equal(co.log, "-");
    assert_int_equal(nargs, 0);
}

static void test_opt_long_short_eq_flags_positional(void **state)
{
    (void)state;
    char *argv[] = {"prog", "a.txt", "--output=dir1", "-j", "8", "--ratio", "0.25", "-v",
                    "-", "-q", "--log", "run.log", "b.txt", "--config", "x.conf", "--",
                    "--not-an-option", "-v", NULL};
    opts_t o;
    common_opts_t co;
    char *args[20];
    int nargs = -1;
    char *err;
    assert_int_equal(parse(argv, &o, &co, args, &nargs, &err), HB_OPT_OK);
    assert_string_equal(err, "");
    free(err);
    assert_string_equal(o.out, "dir1");
    assert_ptr_equal(o.out, argv[2] + strlen("--output=")); /* points into argv */
    assert_int_equal(o.jobs, 8);
    assert_true(o.ratio == 0.25);
    assert_int_equal(o.verbose, 1);
    assert_string_equal(o.config, "x.conf");
    assert_int_equal(co.quiet, 1);
    assert_string_equal(co.log, "run.log");
    assert_int_equal(nargs, 5);
    assert_string_equal(args[0], "a.txt");
    assert_string_equal(args[1], "-");
    assert_string_equal(args[2], "b.txt");
    assert_string_equal(args[3], "--not-an-option");
    assert_string_equal(args[4], "-v");
}

static void test_opt_later_wins_and_negative_value(void **state)
{
    (void)state;
    char *argv[] = {"prog", "-j", "2", "--jobs=3", "--ratio", "-1.5", "-o", "a", "-o", "b",
                    NULL};
    opts_t o;
    common_opts_t co;
    char *err;
    assert_int_equal(parse(argv, &o, &co, NULL, NULL, &err), HB_OPT_OK);
    free(err);
    assert_int_equal(o.jobs, 3);
    assert_true(o.ratio == -1.5);
    assert_string_equal(o.out, "b");
}

static void expect_usage(char **argv, char **args, const char *words)
{
    opts_t o;
    common_opts_t co;
    int nargs = 0;
    char *err;
    assert_int_equal(parse(argv, &o, &co, args, &nargs, &err), HB_OPT_USAGE);
    assert_contains(err, words);
    free(err);
}

static void test_opt_usage_errors(void **state)
{
    (void)state;
    char *args[8];
    char *a1[] = {"prog", "--bogus", NULL};
    expect_usage(a1, args, "unknown option \"--bogus\"");
    char *a2[] = {"prog", "-x", NULL};
    expect_usage(a2, args, "unknown option \"-x\"");
    char *a3[] = {"prog", "-vx", NULL}; /* bundled, the second unknown */
    expect_usage(a3, args, "unknown option \"-x\"");
    char *a4[] = {"prog", "a.txt", "--output", NULL};
    expect_usage(a4, args, "--output needs a value (DIR)");
    char *a5[] = {"prog", "-j", NULL};
    expect_usage(a5, args, "--jobs needs a value");
    char *a6[] = {"prog", "--jobs=abc", NULL};
    expect_usage(a6, args, "whole number");
    char *a7[] = {"prog", "--jobs=", NULL};
    expect_usage(a7, args, "whole number");
    char *a8[] = {"prog", "--ratio", "1.5x", NULL};
    expect_usage(a8, args, "expects a number");
    char *a9[] = {"prog", "--verbose=1", NULL};
    expect_usage(a9, args, "takes no value");
    char *a10[] = {"prog", "--output-dir", "x", NULL}; /* longer than any name */
    expect_usage(a10, args, "unknown option");
    char *a11[] = {"prog", "stray", NULL}; /* a program that takes no arguments */
    expect_usage(a11, NULL, "unexpected argument \"stray\"");
}

static void test_opt_help(void **state)
{
    (void)state;
    opts_t o;
    common_opts_t co;
    char *args[8];
    int nargs;
    char *err;
    char *a1[] = {"prog", "--help", NULL};
    assert_int_equal(parse(a1, &o, &co, args, &nargs, &err), HB_OPT_HELP);
    free(err);
    char *a2[] = {"prog", "-j", "2", "x", "-h", "--bogus", NULL};
    assert_int_equal(parse(a2, &o, &co, args, &nargs, &err), HB_OPT_HELP);
    free(err);
    char *a3[] = {"prog", "--", "--help", NULL}; /* after --, an argument */
    assert_int_equal(parse(a3, &o, &co, args, &nargs, &err), HB_OPT_OK);
    free(err);
    assert_int_equal(nargs, 1);
    assert_string_equal(args[0], "--help");

    /* --help text from the same tables */
    FILE *f = tmpfile();
    assert_non_null(f);
    const hb_opt_t *const tables[] = {COMMON, OPTS, NULL};
    hb_opt_usage(f, "prog [options] FILE...", "Does things.", tables);
    long n = ftell(f);
    rewind(f);
    char *text = calloc(1, (size_t)n + 1);
    assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    assert_contains(text, "usage: prog [options] FILE...");
    assert_contains(text, "Does things.");
    assert_contains(text, "-o, --output DIR");
    assert_contains(text, "output directory (default: out)");
    assert_contains(text, "-j, --jobs N");
    assert_contains(text, "--ratio R");
    assert_contains(text, "-q, --quiet");
    assert_contains(text, "-h, --help");
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_msg_round_trip),
        cmocka_unit_test(test_msg_pack_number),
        cmocka_unit_test(test_msg_pass_through),
        cmocka_unit_test(test_msg_pass_through_map16),
        cmocka_unit_test(test_msg_pass_through_odd_keys),
        cmocka_unit_test(test_msg_decode_garbage),
        cmocka_unit_test(test_msg_decode_truncated),
        cmocka_unit_test(test_msg_decode_not_a_map),
        cmocka_unit_test(test_msg_decode_no_version),
        cmocka_unit_test(test_msg_decode_wrong_version),
        cmocka_unit_test(test_msg_decode_no_type),
        cmocka_unit_test(test_msg_decode_trailing_bytes),
        cmocka_unit_test(test_pack_str_matches_msgpack_c),
        cmocka_unit_test(test_batch_lone_message_goes_as_itself),
        cmocka_unit_test(test_batch_round_trip_in_order),
        cmocka_unit_test(test_batch_size_limit),
        cmocka_unit_test(test_batch_buffer_keeps_its_size),
        cmocka_unit_test(test_batch_bad_elements_are_skipped),
        cmocka_unit_test(test_json_escaping),
        cmocka_unit_test(test_json_chinese_untouched),
        cmocka_unit_test(test_json_invalid_utf8_replaced),
        cmocka_unit_test(test_json_scalars),
        cmocka_unit_test(test_json_array_map),
        cmocka_unit_test(test_conf_parse),
        cmocka_unit_test(test_conf_bom_and_crlf),
        cmocka_unit_test(test_conf_load_file),
        cmocka_unit_test(test_conf_errors),
        cmocka_unit_test(test_conf_invalid_utf8_names_line),
        cmocka_unit_test(test_conf_section_with_inner_spaces),
        cmocka_unit_test(test_map_put_get_replace),
        cmocka_unit_test(test_map_growth_and_order),
        cmocka_unit_test(test_opt_defaults),
        cmocka_unit_test(test_opt_long_short_eq_flags_positional),
        cmocka_unit_test(test_opt_later_wins_and_negative_value),
        cmocka_unit_test(test_opt_usage_errors),
        cmocka_unit_test(test_opt_help),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
