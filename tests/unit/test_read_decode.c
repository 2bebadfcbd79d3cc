/* Unit tests for common/hb_utf8 and stages/read/decode. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "hb_buf.h"
#include "hb_utf8.h"

/* ---- sample text --------------------------------------------------------- */

static const char SIMPLIFIED[] =
    "2025年政府工作报告\n"
    "——2025年3月5日在第十四届全国人民代表大会第三次会议上\n"
    "各位代表：\n"
    "　　现在，我代表国务院，向大会报告政府工作，请予审议，并请全国政协委员提出意见。\n"
    "　　一、2024年工作回顾\n"
    "　　过去一年，国内生产总值达到134.9万亿元、增长5%，城镇新增就业1256万人。\n";

static const char TRADITIONAL[] =
    "政府工作報告\n"
    "各位代表：\n"
    "　　現在，我代表國務院，向大會報告政府工作，請予審議，並請全國政協委員提出意見。\n"
    "　　一、過去一年的工作回顧\n";

/* U+20000 𠀀 (CJK ext. B) and U+3400 㐀 (ext. A) are outside GBK */
static const char GB18030_ONLY[] =
    "古籍整理中的生僻字：𠀀、㐀。\n"
    "政府工作报告要求做好文字规范工作。\n";

/* ---- helpers --------------------------------------------------------------- */

/* Converts a UTF-8 string to encoding `to` with iconv; fails the test on any
 * conversion error so a sample can never be silently lossy. */
static void encode_as(const char *to, const char *utf8, hb_buf_t *dst)
{
    iconv_t cd = iconv_open(to, "UTF-8");
    assert_true(cd != (iconv_t)-1);
    size_t il = strlen(utf8);
    hb_buf_reset(dst);
    hb_buf_reserve(dst, il * 4 + 16);
    char *ip = (char *)utf8;
    char *op = dst->data;
    size_t ol = dst->cap - 1;
    size_t r = iconv(cd, &ip, &il, &op, &ol);
    assert_true(r != (size_t)-1);
    assert_int_equal(il, 0);
    dst->len = (size_t)(op - dst->data);
    dst->data[dst->len] = '\0';
    iconv_close(cd);
}

/* 1 if utf8 can be encoded in `to` without error */
static int encodable(const char *to, const char *utf8)
{
    iconv_t cd = iconv_open(to, "UTF-8");
    assert_true(cd != (iconv_t)-1);
    char outbuf[4096];
    char *ip = (char *)utf8, *op = outbuf;
    size_t il = strlen(utf8), ol = sizeof outbuf;
    size_t r = iconv(cd, &ip, &il, &op, &ol);
    iconv_close(cd);
    return r != (size_t)-1;
}

static void expect_ok(const char *raw, size_t len, const char *encoding, const char *text)
{
    hb_buf_t out;
    hb_decode_result_t res;
    hb_buf_init(&out);
    int rc = hb_decode(raw, len, &out, &res);
    if (rc != 0)
        print_error("rejected: %s\n", res.reason);
    assert_int_equal(rc, 0);
    assert_null(res.reason);
    assert_non_null(res.encoding);
    assert_string_equal(res.encoding, encoding);
    assert_int_equal(out.len, strlen(text));
    assert_memory_equal(out.data, text, out.len);
    assert_int_equal(out.data[out.len], '\0');
    hb_buf_release(&out);
}

/* expects rejection; reason must start with reason_prefix */
static void expect_reject(const char *raw, size_t len, const char *reason_prefix)
{
    hb_buf_t out;
    hb_decode_result_t res;
    hb_buf_init(&out);
    int rc = hb_decode(raw, len, &out, &res);
    assert_int_equal(rc, -1);
    assert_non_null(res.reason);
    if (strncmp(res.reason, reason_prefix, strlen(reason_prefix)) != 0)
        print_error("reason \"%s\" does not start with \"%s\"\n", res.reason, reason_prefix);
    assert_true(strncmp(res.reason, reason_prefix, strlen(reason_prefix)) == 0);
    assert_int_equal(out.len, 0);
    hb_buf_release(&out);
}

static uint32_t lcg_state;
static uint32_t lcg(void)
{
    lcg_state = lcg_state * 1664525u + 1013904223u;
    return lcg_state >> 8;
}

/* ---- hb_utf8 ---------------------------------------------------------------- */

static void test_utf8_valid_accepts(void **state)
{
    (void)state;
    size_t bad = 99;
    assert_int_equal(hb_utf8_valid("", 0, &bad), 1);
    assert_int_equal(bad, 0);
    assert_int_equal(hb_utf8_valid(SIMPLIFIED, strlen(SIMPLIFIED), &bad), 1);
    assert_int_equal(bad, strlen(SIMPLIFIED));
    assert_int_equal(hb_utf8_valid("\xF0\xA0\x80\x80", 4, NULL), 1);      /* U+20000 */
    assert_int_equal(hb_utf8_valid("\xF4\x8F\xBF\xBF", 4, NULL), 1);      /* U+10FFFF */
    assert_int_equal(hb_utf8_valid("\xED\x9F\xBF", 3, NULL), 1);          /* U+D7FF */
    assert_int_equal(hb_utf8_valid("\xEE\x80\x80", 3, NULL), 1);          /* U+E000 */
    assert_int_equal(hb_utf8_valid("\xC2\x80", 2, NULL), 1);              /* U+0080 */
    assert_int_equal(hb_utf8_valid("\xE0\xA0\x80", 3, NULL), 1);          /* U+0800 */
    assert_int_equal(hb_utf8_valid("a\0b", 3, NULL), 1);                  /* NUL is UTF-8 */
}

static void test_utf8_valid_overlong(void **state)
{
    (void)state;
    size_t bad = 99;
    assert_int_equal(hb_utf8_valid("ab\xC0\xAF", 4, &bad), 0);            /* '/' in 2 bytes */
    assert_int_equal(bad, 2);
    assert_int_equal(hb_utf8_valid("\xC1\xBF", 2, &bad), 0);
    assert_int_equal(bad, 0);
    assert_int_equal(hb_utf8_valid("x\xE0\x80\xAF", 4, &bad), 0);        /* 3-byte overlong */
    assert_int_equal(bad, 1);
    assert_int_equal(hb_utf8_valid("\xE0\x9F\xBF", 3, &bad), 0);          /* U+07FF in 3 bytes */
    assert_int_equal(bad, 0);
    assert_int_equal(hb_utf8_valid("中\xF0\x80\x80\xAF", 7, &bad), 0);   /* 4-byte overlong */
    assert_int_equal(bad, 3);
    assert_int_equal(hb_utf8_valid("\xF0\x8F\xBF\xBF", 4, &bad), 0);      /* U+FFFF in 4 bytes */
}

static void test_utf8_valid_surrogate(void **state)
{
    (void)state;
    size_t bad = 99;
    assert_int_equal(hb_utf8_valid("\xED\xA0\x80", 3, &bad), 0);          /* U+D800 */
    assert_int_equal(bad, 0);
    assert_int_equal(hb_utf8_valid("ok\xED\xBF\xBF", 5, &bad), 0);        /* U+DFFF */
    assert_int_equal(bad, 2);
    /* CESU-8 style pair for U+10000 */
    assert_int_equal(hb_utf8_valid("\xED\xA0\x80\xED\xB0\x80", 6, NULL), 0);
}

static void test_utf8_valid_too_big(void **state)
{
    (void)state;
    size_t bad = 99;
    assert_int_equal(hb_utf8_valid("\xF4\x90\x80\x80", 4, &bad), 0);      /* U+110000 */
    assert_int_equal(bad, 0);
    assert_int_equal(hb_utf8_valid("a\xF5\x80\x80\x80", 5, &bad), 0);
    assert_int_equal(bad, 1);
    assert_int_equal(hb_utf8_valid("\xFF", 1, NULL), 0);
    assert_int_equal(hb_utf8_valid("\xFE", 1, NULL), 0);
    assert_int_equal(hb_utf8_valid("\xF8\x88\x80\x80\x80", 5, NULL), 0);  /* 5-byte form */
}

static void test_utf8_valid_truncated(void **state)
{
    (void)state;
    size_t bad = 99;
    /* 告 = E5 91 8A */
    assert_int_equal(hb_utf8_valid("报告", 6, &bad), 1);
    assert_int_equal(hb_utf8_valid("报告", 5, &bad), 0);
    assert_int_equal(bad, 3);
    assert_int_equal(hb_utf8_valid("报告", 4, &bad), 0);
    assert_int_equal(bad, 3);
    assert_int_equal(hb_utf8_valid("\xF0\xA0\x80", 3, &bad), 0);
    assert_int_equal(bad, 0);
    assert_int_equal(hb_utf8_valid("a\x80", 2, &bad), 0);                 /* stray continuation */
    assert_int_equal(bad, 1);
    assert_int_equal(hb_utf8_valid("\xE5\x91Z", 3, &bad), 0);             /* cut off mid-file */
    assert_int_equal(bad, 0);
}

static void test_utf8_next(void **state)
{
    (void)state;
    const char s[] = "a中𠀀\xEF\xBF\xBD";
    size_t n = sizeof s - 1, i = 0;
    assert_int_equal(hb_utf8_next(s, n, &i), 'a');
    assert_int_equal(i, 1);
    assert_int_equal(hb_utf8_next(s, n, &i), 0x4E2D);
    assert_int_equal(i, 4);
    assert_int_equal(hb_utf8_next(s, n, &i), 0x20000);
    assert_int_equal(i, 8);
    assert_int_equal(hb_utf8_next(s, n, &i), 0xFFFD);                     /* literal U+FFFD */
    assert_int_equal(i, 11);

    /* invalid input: U+FFFD and one byte at a time */
    const char t[] = "\xFF\xE4\xB8" "b";
    i = 0;
    assert_int_equal(hb_utf8_next(t, 4, &i), 0xFFFD);
    assert_int_equal(i, 1);
    assert_int_equal(hb_utf8_next(t, 4, &i), 0xFFFD);                     /* E4 B8 then 'b' */
    assert_int_equal(i, 2);
    assert_int_equal(hb_utf8_next(t, 4, &i), 0xFFFD);                     /* lone B8 */
    assert_int_equal(i, 3);
    assert_int_equal(hb_utf8_next(t, 4, &i), 'b');
    assert_int_equal(i, 4);

    /* a truncated tail is not read past len */
    i = 0;
    assert_int_equal(hb_utf8_next("\xE4\xB8\xAD", 2, &i), 0xFFFD);
    assert_int_equal(i, 1);
    i = 0;
    assert_int_equal(hb_utf8_next("\xED\xA0\x80", 3, &i), 0xFFFD);        /* surrogate */
    assert_int_equal(i, 1);
}

static void test_utf8_decode_status(void **state)
{
    (void)state;
    uint32_t cp = 0;
    size_t i = 0;
    assert_int_equal(hb_utf8_decode("\xE4\xB8\xAD", 3, &i, &cp), HB_UTF8_OK);
    assert_int_equal(cp, 0x4E2D);
    assert_int_equal(i, 3);
    i = 0;
    assert_int_equal(hb_utf8_decode("\xE4\xB8", 2, &i, &cp), HB_UTF8_SHORT);
    assert_int_equal(cp, 0xFFFD);
    assert_int_equal(i, 2);
    i = 0;
    assert_int_equal(hb_utf8_decode("\xE4\xB8x", 3, &i, &cp), HB_UTF8_BAD);
    assert_int_equal(i, 2);                                                /* maximal subpart */
    i = 0;
    assert_int_equal(hb_utf8_decode("\xE0\x80\x80", 3, &i, &cp), HB_UTF8_BAD);
    assert_int_equal(i, 1);
}

static void test_utf8_put_roundtrip(void **state)
{
    (void)state;
    hb_buf_t b;
    hb_buf_init(&b);
    /* every scalar value survives put -> valid -> next */
    for (uint32_t cp = 0; cp <= 0x10FFFF; cp++) {
        if (cp == 0xD800)
            cp = 0xE000;
        hb_buf_reset(&b);
        hb_utf8_put(&b, cp);
        assert_int_equal(b.len, hb_utf8_len(cp));
        size_t bad;
        if (!hb_utf8_valid(b.data, b.len, &bad))
            fail_msg("U+%04X encodes invalid", (unsigned)cp);
        size_t i = 0;
        uint32_t back = hb_utf8_next(b.data, b.len, &i);
        if (back != cp || i != b.len)
            fail_msg("U+%04X round trip gave U+%04X", (unsigned)cp, (unsigned)back);
    }
    hb_buf_reset(&b);
    hb_utf8_put(&b, 0x4E2D);
    assert_string_equal(b.data, "中");
    hb_utf8_put(&b, 0x20000);
    assert_string_equal(b.data, "中𠀀");
    /* not encodable -> U+FFFD */
    hb_buf_reset(&b);
    hb_utf8_put(&b, 0xD800);
    hb_utf8_put(&b, 0x110000);
    assert_string_equal(b.data, "\xEF\xBF\xBD\xEF\xBF\xBD");
    hb_buf_release(&b);
}

/* ---- hb_decode: accepted input ------------------------------------------------- */

static void test_decode_plain_utf8(void **state)
{
    (void)state;
    expect_ok(SIMPLIFIED, strlen(SIMPLIFIED), "utf-8", SIMPLIFIED);
    /* nothing but line ends is changed: full-width digits, U+3000 stay */
    const char t[] = "第１条　全角ＡＢＣ与半角abc，U+3000保留。\n";
    expect_ok(t, strlen(t), "utf-8", t);
    expect_ok("A", 1, "utf-8", "A");
}

static void test_decode_utf8_bom(void **state)
{
    (void)state;
    hb_buf_t raw;
    hb_buf_init(&raw);
    hb_buf_append(&raw, "\xEF\xBB\xBF", 3);
    hb_buf_puts(&raw, SIMPLIFIED);
    expect_ok(raw.data, raw.len, "utf-8-bom", SIMPLIFIED);
    /* a BOM alone is an empty file */
    expect_reject("\xEF\xBB\xBF", 3, "empty file");
    hb_buf_release(&raw);
}

static void test_decode_line_ends(void **state)
{
    (void)state;
    const char crlf[] = "第一行\r\n第二行\r第三行\r\n\r\n末行\r";
    expect_ok(crlf, strlen(crlf), "utf-8", "第一行\n第二行\n第三行\n\n末行\n");
    /* LF CR is two line ends; CR CR LF is two */
    const char mixed[] = "甲\n\r乙\r\r\n丙";
    expect_ok(mixed, strlen(mixed), "utf-8", "甲\n\n乙\n\n丙");
    /* the same through a converted encoding */
    hb_buf_t raw;
    hb_buf_init(&raw);
    encode_as("GBK", "政府工作报告\r\n各位代表：\r现在开始。\r\n", &raw);
    expect_ok(raw.data, raw.len, "gb18030", "政府工作报告\n各位代表：\n现在开始。\n");
    hb_buf_release(&raw);
}

static void test_decode_gbk(void **state)
{
    (void)state;
    hb_buf_t raw;
    hb_buf_init(&raw);
    encode_as("GBK", SIMPLIFIED, &raw);
    /* the sample really is not UTF-8, and is not the original bytes */
    assert_int_equal(hb_utf8_valid(raw.data, raw.len, NULL), 0);
    assert_true(raw.len < strlen(SIMPLIFIED));
    expect_ok(raw.data, raw.len, "gb18030", SIMPLIFIED);

    /* a short one: just a title */
    encode_as("GBK", "政府工作报告", &raw);
    assert_int_equal(raw.len, 12);
    expect_ok(raw.data, raw.len, "gb18030", "政府工作报告");

    /* GB2312 is read the same way */
    const char gb2312[] = "政府工作报告\n各位代表：现在，我代表国务院向大会报告政府工作。\n";
    encode_as("GB2312", gb2312, &raw);
    expect_ok(raw.data, raw.len, "gb18030", gb2312);
    hb_buf_release(&raw);
}

static void test_decode_gb18030_only(void **state)
{
    (void)state;
    /* the sample needs GB18030's four-byte form: GBK cannot hold it */
    assert_int_equal(encodable("GBK", GB18030_ONLY), 0);
    hb_buf_t raw;
    hb_buf_init(&raw);
    encode_as("GB18030", GB18030_ONLY, &raw);
    assert_non_null(memmem(raw.data, raw.len, "\x95\x32\x82\x36", 4));    /* U+20000 */
    expect_ok(raw.data, raw.len, "gb18030", GB18030_ONLY);
    hb_buf_release(&raw);
}

static void test_decode_big5(void **state)
{
    (void)state;
    hb_buf_t raw;
    hb_buf_init(&raw);
    encode_as("BIG5", TRADITIONAL, &raw);
    assert_int_equal(hb_utf8_valid(raw.data, raw.len, NULL), 0);
    expect_ok(raw.data, raw.len, "big5", TRADITIONAL);
    hb_buf_release(&raw);
}

static void check_utf16(const char *iconv_name, const char *bom, const char *label)
{
    const char src[] = "2025年政府工作报告\r\n一、工作回顾\r\n经济增长5%，𠀀字也在。\r\n";
    const char want[] = "2025年政府工作报告\n一、工作回顾\n经济增长5%，𠀀字也在。\n";
    hb_buf_t body, raw;
    hb_buf_init(&body);
    hb_buf_init(&raw);
    encode_as(iconv_name, src, &body);
    hb_buf_append(&raw, bom, strlen(bom) ? 2 : 0);
    hb_buf_append(&raw, body.data, body.len);
    expect_ok(raw.data, raw.len, label, want);
    hb_buf_release(&body);
    hb_buf_release(&raw);
}

static void test_decode_utf16_bom(void **state)
{
    (void)state;
    check_utf16("UTF-16LE", "\xFF\xFE", "utf-16le");
    check_utf16("UTF-16BE", "\xFE\xFF", "utf-16be");
}

static void test_decode_utf16_no_bom(void **state)
{
    (void)state;
    check_utf16("UTF-16LE", "", "utf-16le");
    check_utf16("UTF-16BE", "", "utf-16be");
    /* ASCII-only UTF-16 (NUL in every other byte) */
    expect_ok("R\0e\0p\0o\0r\0t\0\n\0", 14, "utf-16le", "Report\n");
    expect_ok("\0R\0e\0p\0o\0r\0t", 12, "utf-16be", "Report");
    /* a BOM-less whitespace-only UTF-16 file is empty, not binary */
    expect_reject(" \0\n\0 \0", 6, "empty file");
}

static void test_decode_damaged_utf8(void **state)
{
    (void)state;
    /* truncated at the end: the cut character becomes U+FFFD */
    size_t n = strlen(SIMPLIFIED);
    hb_buf_t raw, want;
    hb_buf_init(&raw);
    hb_buf_init(&want);
    hb_buf_append(&raw, SIMPLIFIED, n);
    hb_buf_append(&raw, "报告", 4);         /* 报 + first byte of 告 */
    hb_buf_append(&want, SIMPLIFIED, n);
    hb_buf_puts(&want, "报\xEF\xBF\xBD");
    expect_ok(raw.data, raw.len, "utf-8", want.data);

    /* even a short one stays UTF-8 (GB18030 would read it as mojibake) */
    expect_ok("政府工作报\xE5\x91", 17, "utf-8", "政府工作报\xEF\xBF\xBD");

    /* one bad byte in a long text: kept, as U+FFFD */
    hb_buf_reset(&raw);
    hb_buf_reset(&want);
    for (int k = 0; k < 5; k++) {
        hb_buf_puts(&raw, SIMPLIFIED);
        hb_buf_puts(&want, SIMPLIFIED);
    }
    raw.data[10] = (char)0xFF;            /* lead byte of 府 */
    assert_int_equal(hb_utf8_valid(raw.data, raw.len, NULL), 0);
    hb_decode_result_t res;
    hb_buf_t out;
    hb_buf_init(&out);
    assert_int_equal(hb_decode(raw.data, raw.len, &out, &res), 0);
    assert_string_equal(res.encoding, "utf-8");
    assert_int_equal(hb_utf8_valid(out.data, out.len, NULL), 1);
    assert_non_null(strstr(out.data, "\xEF\xBF\xBD"));
    assert_non_null(strstr(out.data, "城镇新增就业1256万人"));
    hb_buf_release(&out);
    hb_buf_release(&raw);
    hb_buf_release(&want);
}

static void test_decode_out_is_reset(void **state)
{
    (void)state;
    hb_buf_t out;
    hb_decode_result_t res;
    hb_buf_init(&out);
    hb_buf_puts(&out, "stale text from the previous file");
    assert_int_equal(hb_decode("新文件", strlen("新文件"), &out, &res), 0);
    assert_string_equal(out.data, "新文件");
    hb_buf_puts(&out, "more stale");
    assert_int_equal(hb_decode("", 0, &out, &res), -1);
    assert_int_equal(out.len, 0);
    hb_buf_release(&out);
}

/* ---- hb_decode: rejected input ------------------------------------------------ */

static void test_decode_empty(void **state)
{
    (void)state;
    expect_reject("", 0, "empty file");
    hb_buf_t out;
    hb_decode_result_t res;
    hb_buf_init(&out);
    assert_int_equal(hb_decode(NULL, 0, &out, &res), -1);
    assert_string_equal(res.reason, "empty file");
    hb_buf_release(&out);
}

static void test_decode_whitespace_only(void **state)
{
    (void)state;
    const char ws[] = " \t\r\n\f\n　　\r\n";   /* includes two U+3000 */
    expect_reject(ws, strlen(ws), "empty file");
    expect_reject("\n", 1, "empty file");
}

static void test_decode_random_binary(void **state)
{
    (void)state;
    char buf[4096];
    lcg_state = 20250305u;
    for (size_t k = 0; k < sizeof buf; k++)
        buf[k] = (char)lcg();
    assert_non_null(memchr(buf, 0, sizeof buf));
    expect_reject(buf, sizeof buf, "binary data (NUL bytes)");

    /* the same without NULs is still no text */
    for (size_t k = 0; k < sizeof buf; k++)
        if (buf[k] == 0)
            buf[k] = 1;
    hb_buf_t out;
    hb_decode_result_t res;
    hb_buf_init(&out);
    assert_int_equal(hb_decode(buf, sizeof buf, &out, &res), -1);
    assert_non_null(res.reason);
    assert_true(strncmp(res.reason, "not text", 8) == 0 ||
                strncmp(res.reason, "undecodable", 11) == 0);
    hb_buf_release(&out);
}

static void test_decode_png(void **state)
{
    (void)state;
    static const unsigned char png[] = {
        0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n',
        0x00, 0x00, 0x00, 0x0D, 'I', 'H', 'D', 'R',
        0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x08, 0x06, 0x00, 0x00, 0x00,
        0x5C, 0x72, 0xA8, 0x66, 0x00, 0x00, 0x00, 0x04, 'g', 'A', 'M', 'A',
        0x00, 0x00, 0xB1, 0x8F, 0x0B, 0xFC, 0x61, 0x05,
    };
    expect_reject((const char *)png, sizeof png, "binary data (NUL bytes)");
    /* just the 8-byte signature: no NUL, but not text either */
    hb_buf_t out;
    hb_decode_result_t res;
    hb_buf_init(&out);
    assert_int_equal(hb_decode((const char *)png, 8, &out, &res), -1);
    assert_non_null(res.reason);
    hb_buf_release(&out);
}

static void test_decode_nul_in_utf8(void **state)
{
    (void)state;
    hb_buf_t raw;
    hb_buf_init(&raw);
    hb_buf_puts(&raw, SIMPLIFIED);
    hb_buf_putc(&raw, '\0');
    hb_buf_puts(&raw, SIMPLIFIED);
    expect_reject(raw.data, raw.len, "binary data (NUL bytes)");
    /* ASCII text with one NUL, at an even and at an odd offset, must not be
     * read as UTF-16 (ASCII pairs look like CJK when read as UTF-16) */
    for (size_t at = 20; at <= 21; at++) {
        char ascii[] = "Government work report of the State Council, delivered in March.";
        ascii[at] = '\0';
        expect_reject(ascii, sizeof ascii - 1, "binary data (NUL bytes)");
    }
    hb_buf_release(&raw);
}

static void test_decode_one_byte(void **state)
{
    (void)state;
    expect_ok("A", 1, "utf-8", "A");
    expect_ok("7", 1, "utf-8", "7");
    expect_reject(" ", 1, "empty file");
    expect_reject("\0", 1, "binary data (NUL bytes)");
    expect_reject("\x01", 1, "not text");
    expect_reject("\xFF", 1, "undecodable");
    expect_reject("\xE6", 1, "undecodable");
    expect_reject(".", 1, "not text");
    /* every single byte: accepted only as a letter or digit */
    for (int c = 0; c < 256; c++) {
        char b = (char)c;
        hb_buf_t out;
        hb_decode_result_t res;
        hb_buf_init(&out);
        int rc = hb_decode(&b, 1, &out, &res);
        int alnum = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
        assert_int_equal(rc, alnum ? 0 : -1);
        assert_true(rc == 0 ? res.reason == NULL : res.reason != NULL);
        hb_buf_release(&out);
    }
}

static void test_decode_control_heavy(void **state)
{
    (void)state;
    hb_buf_t raw;
    hb_buf_init(&raw);
    /* 1 ESC per ~40 characters: > 1% */
    for (int k = 0; k < 20; k++) {
        hb_buf_puts(&raw, "政府工作报告政府工作报告政府工作报告政府工作报告");
        hb_buf_putc(&raw, 0x1B);
    }
    expect_reject(raw.data, raw.len, "not text: ");
    /* one ^Z at the end of a long file (old DOS editors) is fine */
    hb_buf_reset(&raw);
    for (int k = 0; k < 3; k++)
        hb_buf_puts(&raw, SIMPLIFIED);
    hb_buf_putc(&raw, 0x1A);
    expect_ok(raw.data, raw.len, "utf-8", raw.data);
    /* tabs, form feeds, line ends are not control noise */
    const char t[] = "第一章\f\t总则\n\t第一条\r\n";
    expect_ok(t, strlen(t), "utf-8", "第一章\f\t总则\n\t第一条\n");
    hb_buf_release(&raw);
}

static void test_decode_not_text(void **state)
{
    (void)state;
    const char punct[] = "------====------====******////\n------====------\n";
    expect_reject(punct, strlen(punct), "not text: only");
    /* a text full of U+FFFD is garbage someone already mangled */
    hb_buf_t raw;
    hb_buf_init(&raw);
    for (int k = 0; k < 30; k++)
        hb_buf_puts(&raw, "\xEF\xBF\xBD\xEF\xBF\xBD政");
    expect_reject(raw.data, raw.len, "undecodable");
    hb_buf_release(&raw);
}

static void test_decode_latin1_rejected(void **state)
{
    (void)state;
    /* Latin-1, not Chinese: must not pass as GB18030 mojibake */
    const char t[] = "Le caf\xE9 est servi \xE0 la fran\xE7" "aise, tr\xE8s bien.\n";
    expect_reject(t, strlen(t), "undecodable: invalid UTF-8 at byte 6");
}

/* Cut and corrupt the samples at many places: hb_decode must never crash,
 * and whatever it accepts must be clean (valid UTF-8, no CR, no NUL). */
static void test_decode_fuzz_invariants(void **state)
{
    (void)state;
    hb_buf_t samples[5], out, m;
    hb_buf_init(&out);
    hb_buf_init(&m);
    for (int k = 0; k < 5; k++)
        hb_buf_init(&samples[k]);
    hb_buf_puts(&samples[0], SIMPLIFIED);
    encode_as("GBK", SIMPLIFIED, &samples[1]);
    encode_as("BIG5", TRADITIONAL, &samples[2]);
    encode_as("UTF-16LE", SIMPLIFIED, &samples[3]);
    encode_as("GB18030", GB18030_ONLY, &samples[4]);
    lcg_state = 7u;
    size_t accepted = 0, total = 0;
    for (int k = 0; k < 5; k++) {
        for (size_t cut = 0; cut <= samples[k].len; cut++) {
            for (int flips = 0; flips < 3; flips++) {
                hb_buf_reset(&m);
                hb_buf_append(&m, samples[k].data, cut);
                for (int f = 0; f < flips && cut; f++)
                    m.data[lcg() % cut] = (char)lcg();
                hb_decode_result_t res;
                int rc = hb_decode(m.data, m.len, &out, &res);
                total++;
                if (rc == 0) {
                    accepted++;
                    assert_null(res.reason);
                    assert_non_null(res.encoding);
                    assert_int_equal(hb_utf8_valid(out.data, out.len, NULL), 1);
                    assert_null(memchr(out.data, '\r', out.len));
                    assert_int_equal(strlen(out.data), out.len);
                } else {
                    assert_int_equal(rc, -1);
                    assert_non_null(res.reason);
                    assert_true(strlen(res.reason) > 0);
                }
            }
        }
    }
    /* most cuts of real text are still text */
    assert_true(accepted > total / 2);
    for (int k = 0; k < 5; k++)
        hb_buf_release(&samples[k]);
    hb_buf_release(&m);
    hb_buf_release(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_valid_accepts),
        cmocka_unit_test(test_utf8_valid_overlong),
        cmocka_unit_test(test_utf8_valid_surrogate),
        cmocka_unit_test(test_utf8_valid_too_big),
        cmocka_unit_test(test_utf8_valid_truncated),
        cmocka_unit_test(test_utf8_next),
        cmocka_unit_test(test_utf8_decode_status),
        cmocka_unit_test(test_utf8_put_roundtrip),
        cmocka_unit_test(test_decode_plain_utf8),
        cmocka_unit_test(test_decode_utf8_bom),
        cmocka_unit_test(test_decode_line_ends),
        cmocka_unit_test(test_decode_gbk),
        cmocka_unit_test(test_decode_gb18030_only),
        cmocka_unit_test(test_decode_big5),
        cmocka_unit_test(test_decode_utf16_bom),
        cmocka_unit_test(test_decode_utf16_no_bom),
        cmocka_unit_test(test_decode_damaged_utf8),
        cmocka_unit_test(test_decode_out_is_reset),
        cmocka_unit_test(test_decode_empty),
        cmocka_unit_test(test_decode_whitespace_only),
        cmocka_unit_test(test_decode_random_binary),
        cmocka_unit_test(test_decode_png),
        cmocka_unit_test(test_decode_nul_in_utf8),
        cmocka_unit_test(test_decode_one_byte),
        cmocka_unit_test(test_decode_control_heavy),
        cmocka_unit_test(test_decode_not_text),
        cmocka_unit_test(test_decode_latin1_rejected),
        cmocka_unit_test(test_decode_fuzz_invariants),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
