#include "hb_utf8.h"

#include <string.h>

int hb_utf8_decode(const char *s, size_t len, size_t *i, uint32_t *cp)
{
    const unsigned char *p = (const unsigned char *)s + *i;
    size_t avail = len - *i;
    unsigned b0 = p[0];

    if (b0 < 0x80) {
        *cp = b0;
        *i += 1;
        return HB_UTF8_OK;
    }

    size_t need;      /* total length of the sequence */
    unsigned lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    uint32_t c;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        need = 2;
        c = b0 & 0x1F;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        need = 3;
        c = b0 & 0x0F;
        if (b0 == 0xE0)
            lo = 0xA0;      /* overlong below U+0800 */
        else if (b0 == 0xED)
            hi = 0x9F;      /* surrogates U+D800..U+DFFF */
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        need = 4;
        c = b0 & 0x07;
        if (b0 == 0xF0)
            lo = 0x90;      /* overlong below U+10000 */
        else if (b0 == 0xF4)
            hi = 0x8F;      /* above U+10FFFF */
    } else {
        /* stray continuation byte, C0/C1 (always overlong) or F5..FF */
        *cp = HB_UTF8_REPLACEMENT;
        *i += 1;
        return HB_UTF8_BAD;
    }

    for (size_t k = 1; k < need; k++) {
        if (k >= avail) {
            *cp = HB_UTF8_REPLACEMENT;
            *i = len;
            return HB_UTF8_SHORT;
        }
        unsigned b = p[k];
        unsigned l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xBF;
        if (b < l || b > h) {
            *cp = HB_UTF8_REPLACEMENT;
            *i += k;
            return HB_UTF8_BAD;
        }
        c = (c << 6) | (b & 0x3F);
    }
    *cp = c;
    *i += need;
    return HB_UTF8_OK;
}

/* Called once per message by several stages: a word at a time over ASCII,
 * a tight loop over runs of three-byte characters (Chinese text), and the
 * other multi-byte forms checked inline (the ranges of Unicode table 3-7),
 * without decoding. */
int hb_utf8_valid(const char *s, size_t len, size_t *bad_offset)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    while (p < end) {
        if (end - p >= 8) {
            uint64_t w;
            memcpy(&w, p, 8);
            if (!(w & 0x8080808080808080ULL)) {
                p += 8;
                continue;
            }
        }
        /* E1-EC and EE-EF take any two continuation bytes; E0 and ED have
         * narrower second bytes and go the long way below. */
        while (end - p >= 3 && p[0] >= 0xE1 && p[0] <= 0xEF && p[0] != 0xED &&
               (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80)
            p += 3;
        if (p == end)
            break;
        unsigned c = p[0];
        size_t left = (size_t)(end - p);
        if (c < 0x80) {
            p++;
        } else if (c >= 0xC2 && c <= 0xDF && left >= 2 && (p[1] & 0xC0) == 0x80) {
            p += 2;
        } else if (c >= 0xE0 && c <= 0xEF && left >= 3 && (p[1] & 0xC0) == 0x80 &&
                   (p[2] & 0xC0) == 0x80 && (c != 0xE0 || p[1] >= 0xA0) &&
                   (c != 0xED || p[1] < 0xA0)) {
            p += 3;
        } else if (c >= 0xF0 && c <= 0xF4 && left >= 4 && (p[1] & 0xC0) == 0x80 &&
                   (p[2] & 0xC0) == 0x80 && (p[3] & 0xC0) == 0x80 &&
                   (c != 0xF0 || p[1] >= 0x90) && (c != 0xF4 || p[1] < 0x90)) {
            p += 4;
        } else {
            if (bad_offset)
                *bad_offset = (size_t)(p - (const unsigned char *)s);
            return 0;
        }
    }
    if (bad_offset)
        *bad_offset = len;
    return 1;
}

uint32_t hb_utf8_next(const char *s, size_t len, size_t *i)
{
    size_t start = *i;
    uint32_t cp;
    if (hb_utf8_decode(s, len, i, &cp) != HB_UTF8_OK) {
        *i = start + 1;
        return HB_UTF8_REPLACEMENT;
    }
    return cp;
}

size_t hb_utf8_len(uint32_t cp)
{
    if (cp < 0x80)
        return 1;
    if (cp < 0x800)
        return 2;
    if (cp < 0x10000)
        return 3;
    if (cp <= 0x10FFFF)
        return 4;
    return 3; /* U+FFFD */
}

void hb_utf8_put(hb_buf_t *b, uint32_t cp)
{
    char t[4];
    size_t n;
    if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
        cp = HB_UTF8_REPLACEMENT;
    if (cp < 0x80) {
        t[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        t[0] = (char)(0xC0 | (cp >> 6));
        t[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        t[0] = (char)(0xE0 | (cp >> 12));
        t[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        t[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        t[0] = (char)(0xF0 | (cp >> 18));
        t[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        t[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        t[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    hb_buf_append(b, t, n);
}

void hb_utf8_sanitize(hb_buf_t *b, const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        size_t start = i;
        uint32_t cp;
        if (hb_utf8_decode(s, len, &i, &cp) == HB_UTF8_OK)
            hb_buf_append(b, s + start, i - start);
        else
            hb_utf8_put(b, HB_UTF8_REPLACEMENT);
    }
}
