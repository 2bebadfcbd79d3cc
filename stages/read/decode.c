#include "decode.h"

#include <errno.h>
#include <iconv.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <uchardet.h>

#include "hb_utf8.h"

/* Thresholds. Shares are of code points after decoding. */
#define MAX_CTRL_PER_MILLE    10   /* > 1% C0/C1 controls (not \t\n\r\f): binary */
#define MAX_FFFD_PER_MILLE    20   /* > 2% U+FFFD: undecodable garbage */
#define MIN_LETTER_PER_MILLE 200   /* < 20% letters/digits/CJK among non-space: not text */
#define MIN_PLAUSIBLE_UTF16  900   /* BOM-less UTF-16 must be >= 90% CJK/ASCII/punctuation */
#define MAX_DAMAGE_RATIO      50   /* UTF-8 with <= 1 bad sequence per 50 good multibyte ones is damaged UTF-8 */
#define MIN_GB_COMMON_PER_MILLE 800 /* GB18030 guess: >= 80% of double-byte pairs in GB2312's main area */
#define DETECT_MAX_BYTES (1u << 20) /* uchardet sees at most the first 1 MiB */

static _Thread_local char reason_buf[256];

/* ---- per-code-point statistics of decoded text ---------------------- */

typedef struct tstats {
    size_t cps;        /* code points */
    size_t nonspace;   /* code points that are not whitespace */
    size_t letters;    /* letters, digits, CJK ideographs, kana, hangul */
    size_t plausible;  /* ASCII text, CJK, CJK/fullwidth/general punctuation */
    size_t ctrl;       /* C0 except \t \n \r \f, DEL, C1 */
    size_t nul;        /* U+0000 */
    size_t fffd;       /* U+FFFD, from the input or from replacement */
    size_t bad;        /* ill-formed UTF-8 sequences replaced */
    size_t mb_ok;      /* well-formed multi-byte sequences */
    size_t first_bad;  /* input offset of the first ill-formed sequence */
    int short_tail;    /* input ends inside a sequence */
} tstats_t;

static int is_space(uint32_t c)
{
    switch (c) {
    case ' ': case '\t': case '\n': case '\r': case '\f':
    case 0xA0: case 0x1680: case 0x2028: case 0x2029: case 0x202F:
    case 0x205F: case 0x3000: case 0xFEFF:
        return 1;
    default:
        return c >= 0x2000 && c <= 0x200B;
    }
}

static int is_ctrl(uint32_t c)
{
    if (c < 0x20)
        return c != '\t' && c != '\n' && c != '\r' && c != '\f';
    return c >= 0x7F && c <= 0x9F;
}

static int is_cjk_ideograph(uint32_t c)
{
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
           (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x323AF) ||
           (c >= 0x3005 && c <= 0x3007) || (c >= 0x3021 && c <= 0x3029);
}

static int is_letter(uint32_t c)
{
    if (c < 0x80)
        return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
    if (is_cjk_ideograph(c))
        return 1;
    return c == 0xAA || c == 0xB5 || c == 0xBA ||
           (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7) ||
           (c >= 0x370 && c <= 0x52F) ||            /* Greek, Cyrillic */
           (c >= 0x2150 && c <= 0x218F) ||          /* number forms: Ⅰ Ⅱ */
           (c >= 0x2460 && c <= 0x24FF) ||          /* ① ⑴ ⒈ */
           (c >= 0x3041 && c <= 0x30FF) ||          /* kana */
           (c >= 0x3105 && c <= 0x312F) || (c >= 0x31A0 && c <= 0x31BF) || /* bopomofo */
           (c >= 0xAC00 && c <= 0xD7A3) ||          /* hangul */
           (c >= 0xFF10 && c <= 0xFF19) || (c >= 0xFF21 && c <= 0xFF3A) ||
           (c >= 0xFF41 && c <= 0xFF5A);            /* fullwidth alnum */
}

/* what a Chinese (or ASCII) text is made of; hangul is deliberately absent:
 * it is what byte-swapped or misaligned UTF-16 tends to look like */
static int is_plausible(uint32_t c)
{
    if (c < 0x80)
        return !is_ctrl(c);
    if (c >= 0xAC00 && c <= 0xD7A3)
        return 0;
    return is_letter(c) || is_space(c) ||
           (c >= 0xA0 && c <= 0xBF) || c == 0xD7 || c == 0xF7 ||
           (c >= 0x2000 && c <= 0x206F) ||          /* general punctuation */
           (c >= 0x2190 && c <= 0x21FF) ||          /* arrows */
           (c >= 0x2200 && c <= 0x22FF) ||          /* math operators */
           (c >= 0x2500 && c <= 0x26FF) ||          /* box, shapes, ★ */
           (c >= 0x3000 && c <= 0x303F) ||          /* CJK punctuation */
           (c >= 0xFE30 && c <= 0xFE4F) ||          /* CJK compatibility forms */
           (c >= 0xFF00 && c <= 0xFFEF);            /* fullwidth forms */
}

static void count_cp(tstats_t *st, uint32_t c)
{
    st->cps++;
    if (c < 0x80) {
        /* common case first */
        if (c >= 0x21 && c < 0x7F) {
            st->nonspace++;
            st->plausible++;
            if ((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))
                st->letters++;
            return;
        }
        if (is_space(c)) {
            st->plausible++;
            return;
        }
        st->nonspace++;
        st->ctrl++;
        if (c == 0)
            st->nul++;
        return;
    }
    if (is_space(c)) {
        st->plausible++;
        return;
    }
    st->nonspace++;
    if (is_ctrl(c)) {
        st->ctrl++;
        return;
    }
    if (c == HB_UTF8_REPLACEMENT) {
        st->fffd++;
        return;
    }
    if (is_letter(c))
        st->letters++;
    if (is_plausible(c))
        st->plausible++;
}

/* Three bytes of a CJK ideograph U+4E00..U+9FFF at s, with left bytes. */
static inline bool is_ideograph(const char *s, size_t left)
{
    const unsigned char *u = (const unsigned char *)s;
    return left >= 3 && u[0] >= 0xE4 && u[0] <= 0xE9 && (u[1] & 0xC0) == 0x80 &&
           (u[2] & 0xC0) == 0x80 && (u[0] != 0xE4 || u[1] >= 0xB8);
}

/* The one pass over text: decodes src[0..n) as UTF-8 (ill-formed sequences
 * become U+FFFD), turns CRLF and lone CR into LF, appends the result to out
 * and counts what it saw. */
static void text_pass(const char *src, size_t n, hb_buf_t *out, tstats_t *st)
{
    memset(st, 0, sizeof *st);
    st->first_bad = n;
    /* invariant: room for everything written + the rest of the input + NUL;
     * only a replacement can write more bytes than it consumes */
    hb_buf_reserve(out, n);
    char *w = out->data + out->len;
    size_t i = 0;
    while (i < n) {
        unsigned char b = (unsigned char)src[i];
        if (b >= 0x20 && b < 0x7F) {
            count_cp(st, b);
            *w++ = (char)b;
            i++;
            continue;
        }
        /* A run of CJK ideographs U+4E00..U+9FFF (E4 B8 80 .. E9 BF BF), most
         * of a report, counted without decoding (each a letter, plausible,
         * not space) and copied at once. */
        if (is_ideograph(src + i, n - i)) {
            size_t end = i + 3;
            while (is_ideograph(src + end, n - end))
                end += 3;
            size_t k = (end - i) / 3;
            st->cps += k;
            st->nonspace += k;
            st->letters += k;
            st->plausible += k;
            st->mb_ok += k;
            memcpy(w, src + i, end - i);
            w += end - i;
            i = end;
            continue;
        }
        if (b == '\r') {
            count_cp(st, '\n');
            *w++ = '\n';
            i += (i + 1 < n && src[i + 1] == '\n') ? 2 : 1;
            continue;
        }
        size_t start = i;
        uint32_t cp;
        int rc = hb_utf8_decode(src, n, &i, &cp);
        count_cp(st, cp);
        if (rc == HB_UTF8_OK) {
            if (i - start > 1)
                st->mb_ok++;
            memcpy(w, src + start, i - start);
            w += i - start;
            continue;
        }
        st->bad++;
        if (st->first_bad == n)
            st->first_bad = start;
        if (rc == HB_UTF8_SHORT)
            st->short_tail = 1;
        out->len = (size_t)(w - out->data);
        hb_buf_reserve(out, (n - i) + 3);
        w = out->data + out->len;
        memcpy(w, "\xEF\xBF\xBD", 3);
        w += 3;
    }
    out->len = (size_t)(w - out->data);
    out->data[out->len] = '\0';
}

static const char *fmt_pct(char *buf, size_t cap, size_t part, size_t whole)
{
    double p = whole ? 100.0 * (double)part / (double)whole : 0.0;
    snprintf(buf, cap, p < 10.0 ? "%.1f%%" : "%.0f%%", p);
    return buf;
}

/* Is decoded text acceptable? Returns NULL or a reason. */
static const char *verdict(const tstats_t *st, const char *encoding)
{
    char pct[32];
    if (st->nul)
        return "binary data (NUL bytes)";
    if (st->nonspace == 0)
        return "empty file";
    if (st->ctrl * 1000 > st->cps * MAX_CTRL_PER_MILLE) {
        snprintf(reason_buf, sizeof reason_buf, "not text: %s control characters",
                 fmt_pct(pct, sizeof pct, st->ctrl, st->cps));
        return reason_buf;
    }
    /* a file cut off mid-character (one U+FFFD at the end) is one defect,
     * not garbage, however short the file */
    size_t fffd = st->fffd - (st->short_tail && st->cps > 1 ? 1 : 0);
    if (fffd * 1000 > st->cps * MAX_FFFD_PER_MILLE) {
        if (st->bad)
            snprintf(reason_buf, sizeof reason_buf,
                     "undecodable: invalid UTF-8 at byte %zu (%s of characters unreadable)",
                     st->first_bad, fmt_pct(pct, sizeof pct, st->fffd, st->cps));
        else
            snprintf(reason_buf, sizeof reason_buf,
                     "undecodable: %s of characters invalid as %s",
                     fmt_pct(pct, sizeof pct, st->fffd, st->cps), encoding);
        return reason_buf;
    }
    if (st->letters * 1000 < st->nonspace * MIN_LETTER_PER_MILLE) {
        snprintf(reason_buf, sizeof reason_buf,
                 "not text: only %s letters or CJK characters",
                 fmt_pct(pct, sizeof pct, st->letters, st->nonspace));
        return reason_buf;
    }
    return NULL;
}

/* ---- iconv ------------------------------------------------------------ */

/* Converts in[0..inlen) from `from` to UTF-8 into dst (reset first). An
 * unconvertible unit becomes U+FFFD and is skipped (`unit` bytes: 2 for
 * UTF-16, 1 for byte encodings); a sequence cut off at the end becomes one
 * U+FFFD. Returns -1 only when iconv does not know `from`. */
static int convert(const char *from, const char *in, size_t inlen, size_t unit, hb_buf_t *dst)
{
    iconv_t cd = iconv_open("UTF-8", from);
    if (cd == (iconv_t)-1)
        return -1;
    hb_buf_reset(dst);
    hb_buf_reserve(dst, inlen + inlen / 2 + 16);
    char *ip = (char *)in;
    size_t il = inlen;
    int flushing = 0; /* input done: one more call writes any final shift sequence */
    for (;;) {
        char *op = dst->data + dst->len;
        size_t ol = dst->cap - dst->len - 1;
        size_t r = flushing ? iconv(cd, NULL, NULL, &op, &ol) : iconv(cd, &ip, &il, &op, &ol);
        int err = errno;
        dst->len = (size_t)(op - dst->data);
        if (r != (size_t)-1) {
            if (flushing)
                break;
            flushing = 1; /* success means all input was consumed */
            continue;
        }
        if (err == E2BIG) {
            hb_buf_reserve(dst, (flushing ? 0 : il + il / 2) + 16);
            continue;
        }
        if (flushing)
            break;
        hb_buf_append(dst, "\xEF\xBF\xBD", 3);
        if (err == EILSEQ) {
            size_t skip = unit < il ? unit : il;
            ip += skip;
            il -= skip;
        } else {
            il = 0; /* EINVAL: incomplete sequence at the end */
        }
    }
    dst->data[dst->len] = '\0';
    iconv_close(cd);
    return 0;
}

/* Converts with iconv, then runs the text pass into out. */
static int convert_text(const char *from, const char *in, size_t inlen, size_t unit,
                        hb_buf_t *out, tstats_t *st)
{
    hb_buf_t tmp;
    hb_buf_init(&tmp);
    int rc = convert(from, in, inlen, unit, &tmp);
    if (rc == 0) {
        hb_buf_reset(out);
        text_pass(tmp.data, tmp.len, out, st);
    }
    hb_buf_release(&tmp);
    return rc;
}

/* ---- guessing ----------------------------------------------------------- */

/* Fills name (cap bytes) with uchardet's guess, "" when it has none. */
static void detect_charset(const char *raw, size_t len, char *name, size_t cap)
{
    name[0] = '\0';
    uchardet_t ud = uchardet_new();
    if (!ud)
        return;
    if (uchardet_handle_data(ud, raw, len < DETECT_MAX_BYTES ? len : DETECT_MAX_BYTES) == 0) {
        uchardet_data_end(ud);
        const char *cs = uchardet_get_charset(ud);
        if (cs)
            snprintf(name, cap, "%s", cs);
    }
    uchardet_delete(ud);
}

typedef struct charset_map {
    const char *detected; /* uchardet name, compared case-insensitively */
    const char *iconv_name;
    const char *label;
} charset_map_t;

/* The Chinese encodings we accept. GB2312 and GBK are subsets of GB18030, so
 * all three are read as GB18030. HZ-GB-2312 and ISO-2022-CN are 7-bit and
 * never reach the detector (they pass as UTF-8). */
static const charset_map_t chinese_charsets[] = {
    {"GB18030", "GB18030", "gb18030"},
    {"GBK", "GB18030", "gb18030"},
    {"GB2312", "GB18030", "gb18030"},
    {"EUC-CN", "GB18030", "gb18030"},
    {"CP936", "GB18030", "gb18030"},
    {"WINDOWS-936", "GB18030", "gb18030"},
    {"X-GBK", "GB18030", "gb18030"},
    {"BIG5", "BIG5", "big5"},
    {"BIG5-HKSCS", "BIG5-HKSCS", "big5-hkscs"},
    {"EUC-TW", "EUC-TW", "euc-tw"},
};

static const charset_map_t *lookup_chinese(const char *name)
{
    for (size_t k = 0; k < sizeof chinese_charsets / sizeof chinese_charsets[0]; k++)
        if (strcasecmp(name, chinese_charsets[k].detected) == 0)
            return &chinese_charsets[k];
    return NULL;
}

/* Would raw read sensibly as GB18030? Used when the detector had no Chinese
 * answer: GB18030 accepts almost any byte soup (UTF-8 or Big5 read as GBK is
 * the classic mojibake), but real simplified Chinese keeps nearly all of its
 * double-byte pairs in GB2312's symbol and hanzi rows (A1..F7 x A1..FE). */
static int gb18030_plausible(const char *raw, size_t len)
{
    const unsigned char *p = (const unsigned char *)raw;
    size_t common = 0, other = 0, i = 0;
    while (i < len) {
        unsigned b = p[i];
        if (b < 0x80) {
            i++;
            continue;
        }
        if (b == 0x80 || b == 0xFF || i + 1 >= len) {
            other++;
            i++;
            continue;
        }
        unsigned t = p[i + 1];
        if (t >= 0x30 && t <= 0x39) {
            if (i + 3 < len && p[i + 2] >= 0x81 && p[i + 2] <= 0xFE &&
                p[i + 3] >= 0x30 && p[i + 3] <= 0x39) {
                common++; /* four-byte GB18030: rare in mojibake */
                i += 4;
            } else {
                other++;
                i++;
            }
        } else if ((t >= 0x40 && t <= 0x7E) || (t >= 0x80 && t <= 0xFE)) {
            if (b >= 0xA1 && b <= 0xF7 && t >= 0xA1)
                common++;
            else
                other++;
            i += 2;
        } else {
            other++;
            i++;
        }
    }
    return common + other > 0 &&
           common * 1000 >= (common + other) * MIN_GB_COMMON_PER_MILLE;
}

/* ---- UTF-16 without a BOM ------------------------------------------------ */

/* ASCII in UTF-16LE puts NULs at odd offsets, in UTF-16BE at even ones.
 * Returns "UTF-16LE", "UTF-16BE" or NULL. */
static const char *utf16_guess(const char *raw, size_t len)
{
    size_t nul_even = 0, nul_odd = 0;
    for (size_t i = 0; i + 1 < len; i += 2) {
        nul_even += raw[i] == 0;
        nul_odd += raw[i + 1] == 0;
    }
    if (nul_odd == nul_even)
        return NULL;
    size_t major = nul_odd > nul_even ? nul_odd : nul_even;
    /* Text that is valid UTF-8 apart from its NULs (ASCII, UTF-8 Chinese) is
     * UTF-16 only if it is ASCII-heavy UTF-16, i.e. NUL in about every other
     * byte; otherwise it is UTF-8 with binary junk. Without this, ASCII read
     * as UTF-16 looks like CJK ("Bush hid the facts"). */
    if (hb_utf8_valid(raw, len, NULL) && major * 2 < len / 2)
        return NULL;
    return nul_odd > nul_even ? "UTF-16LE" : "UTF-16BE";
}

/* ---- entry point ---------------------------------------------------------- */

static int reject(hb_decode_result_t *res, hb_buf_t *out, const char *encoding, const char *reason)
{
    hb_buf_reset(out);
    res->encoding = encoding;
    res->reason = reason;
    return -1;
}

static int finish(hb_decode_result_t *res, hb_buf_t *out, const char *encoding, const tstats_t *st)
{
    const char *why = verdict(st, encoding);
    if (why)
        return reject(res, out, encoding, why);
    res->encoding = encoding;
    res->reason = NULL;
    return 0;
}

static int has_prefix(const char *raw, size_t len, const char *bom, size_t n)
{
    return len >= n && memcmp(raw, bom, n) == 0;
}

int hb_decode(const char *raw, size_t len, hb_buf_t *out, hb_decode_result_t *res)
{
    tstats_t st;
    hb_buf_reset(out);
    res->encoding = NULL;
    res->reason = NULL;
    if (!raw)
        len = 0;
    if (len == 0)
        return reject(res, out, NULL, "empty file");

    /* byte order marks (UTF-32 before UTF-16: FF FE 00 00 starts both) */
    static const struct {
        const char *bom;
        size_t n;
        const char *iconv_name;
        const char *label;
        size_t unit;
    } boms[] = {
        {"\xEF\xBB\xBF", 3, NULL, "utf-8-bom", 1},
        {"\xFF\xFE\x00\x00", 4, "UTF-32LE", "utf-32le", 4},
        {"\x00\x00\xFE\xFF", 4, "UTF-32BE", "utf-32be", 4},
        {"\xFF\xFE", 2, "UTF-16LE", "utf-16le", 2},
        {"\xFE\xFF", 2, "UTF-16BE", "utf-16be", 2},
    };
    for (size_t k = 0; k < sizeof boms / sizeof boms[0]; k++) {
        if (!has_prefix(raw, len, boms[k].bom, boms[k].n))
            continue;
        const char *body = raw + boms[k].n;
        size_t blen = len - boms[k].n;
        if (!boms[k].iconv_name)
            text_pass(body, blen, out, &st);
        else if (convert_text(boms[k].iconv_name, body, blen, boms[k].unit, out, &st) != 0)
            return reject(res, out, boms[k].label, "undecodable: iconv cannot convert this encoding");
        return finish(res, out, boms[k].label, &st);
    }

    if (memchr(raw, 0, len)) {
        const char *u16 = utf16_guess(raw, len);
        if (u16 && convert_text(u16, raw, len, 2, out, &st) == 0 &&
            st.plausible * 1000 >= st.cps * MIN_PLAUSIBLE_UTF16) {
            /* it is UTF-16 text: its own verdict (e.g. empty) stands */
            return finish(res, out, strcmp(u16, "UTF-16LE") == 0 ? "utf-16le" : "utf-16be", &st);
        }
        return reject(res, out, NULL, "binary data (NUL bytes)");
    }

    /* UTF-8, in the same pass as the copy */
    text_pass(raw, len, out, &st);
    if (st.bad == 0)
        return finish(res, out, "utf-8", &st);
    /* UTF-8 cut off mid-character, or a few damaged bytes in plenty of good
     * UTF-8: keep it as UTF-8 (with U+FFFD) rather than read it as GB18030 */
    if ((st.bad == 1 && st.short_tail) || st.bad * MAX_DAMAGE_RATIO <= st.mb_ok)
        return finish(res, out, "utf-8", &st);
    size_t first_bad = st.first_bad;

    char detected[64];
    detect_charset(raw, len, detected, sizeof detected);
    if (strcasecmp(detected, "UTF-8") == 0)
        return finish(res, out, "utf-8", &st); /* out still holds the lenient UTF-8 */

    const charset_map_t *cs = lookup_chinese(detected);
    const char *tried = NULL;
    if (cs && convert_text(cs->iconv_name, raw, len, 1, out, &st) == 0) {
        if (finish(res, out, cs->label, &st) == 0)
            return 0;
        tried = cs->label;
        if (strcmp(cs->iconv_name, "GB18030") == 0)
            return -1; /* finish() set the reason */
    }
    /* no usable answer from the detector: GB18030 if the bytes look like it */
    if (gb18030_plausible(raw, len) && convert_text("GB18030", raw, len, 1, out, &st) == 0) {
        if (finish(res, out, "gb18030", &st) == 0)
            return 0;
        return -1;
    }
    if (tried)
        return -1; /* keep the reason from the detected encoding */
    if (detected[0])
        snprintf(reason_buf, sizeof reason_buf,
                 "undecodable: invalid UTF-8 at byte %zu and no known Chinese encoding fits"
                 " (detector guessed %s)", first_bad, detected);
    else
        snprintf(reason_buf, sizeof reason_buf,
                 "undecodable: invalid UTF-8 at byte %zu and no known Chinese encoding fits",
                 first_bad);
    return reject(res, out, NULL, reason_buf);
}
