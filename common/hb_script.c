#include "hb_script.h"

#include <opencc/opencc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hb_log.h"

struct hb_script {
    opencc_t cc;
};

hb_script_t *hb_script_new(void)
{
    opencc_t cc = opencc_open(OPENCC_DEFAULT_CONFIG_TRAD_TO_SIMP);
    if (cc == (opencc_t)-1) {
        hb_error("OpenCC cannot load %s: %s (is the opencc data package installed?)",
                 OPENCC_DEFAULT_CONFIG_TRAD_TO_SIMP, opencc_error());
        return NULL;
    }
    hb_script_t *sc = calloc(1, sizeof *sc);
    if (!sc) {
        opencc_close(cc);
        return NULL;
    }
    sc->cc = cc;
    return sc;
}

void hb_script_free(hb_script_t *sc)
{
    if (!sc)
        return;
    opencc_close(sc->cc);
    free(sc);
}

/* Frequent characters of government reports that only traditional writing
 * uses, each beside its simplified form. */
static const char trad_chars[] = "們這個來會為國說時對發經與學後業區過開關縣鎮實現進產務際"
                                 "農裡於總體發展資動標準幹辦計劃設書務項檢環節價萬億畝戶處輛餘";
static const char simp_chars[] = "们这个来会为国说时对发经与学后业区过开关县镇实现进产务际"
                                 "农里于总体发展资动标准干办计划设书务项检环节价万亿亩户处辆余";

/* One bit per code point of the CJK block, for each list. */
#define CJK_FIRST 0x4E00u
#define CJK_LAST 0x9FFFu
static uint8_t trad_bits[(CJK_LAST - CJK_FIRST) / 8 + 1], simp_bits[(CJK_LAST - CJK_FIRST) / 8 + 1];

static uint32_t cp3(const unsigned char *u)
{
    return (uint32_t)(u[0] & 0x0F) << 12 | (uint32_t)(u[1] & 0x3F) << 6 | (u[2] & 0x3F);
}

static void mark(uint8_t *bits, const char *chars, const uint8_t *other_chars)
{
    const unsigned char *u = (const unsigned char *)chars;
    for (; *u; u += 3) {
        uint32_t c = cp3(u) - CJK_FIRST;
        /* a character both lists hold (发 经 体 …: same in both scripts) tells nothing */
        bool shared = other_chars && memmem(other_chars, strlen((const char *)other_chars), u, 3);
        if (!shared)
            bits[c / 8] |= (uint8_t)(1u << (c % 8));
    }
}

static void init_bits(void)
{
    static bool done;
    if (done)
        return;
    mark(trad_bits, trad_chars, (const uint8_t *)simp_chars);
    mark(simp_bits, simp_chars, (const uint8_t *)trad_chars);
    done = true;
}

bool hb_script_traditional(const char *text, size_t len)
{
    init_bits();
    const unsigned char *u = (const unsigned char *)text;
    size_t n = len < 8192 ? len : 8192; /* a report keeps its script: a sample is enough */
    size_t trad = 0, simp = 0;
    for (size_t i = 0; i + 2 < n; i++) {
        if (u[i] < 0xE4 || u[i] > 0xE9) /* U+4E00..U+9FFF start with E4..E9 */
            continue;
        uint32_t c = cp3(u + i);
        if (c >= CJK_FIRST && c <= CJK_LAST) {
            c -= CJK_FIRST;
            trad += (trad_bits[c / 8] >> (c % 8)) & 1;
            simp += (simp_bits[c / 8] >> (c % 8)) & 1;
        }
        i += 2;
    }
    return trad >= 5 && trad > simp;
}

int hb_script_simplify(hb_script_t *sc, const char *text, size_t len, hb_buf_t *out)
{
    hb_buf_reset(out);
    char *s = opencc_convert_utf8(sc->cc, text, len);
    if (!s) {
        hb_warn("OpenCC could not convert a text: %s", opencc_error());
        return -1;
    }
    hb_buf_append(out, s, strlen(s));
    opencc_convert_utf8_free(s);
    return 0;
}

bool hb_script_aligned(const char *text, const char *view, size_t len)
{
    const unsigned char *a = (const unsigned char *)text, *b = (const unsigned char *)view;
    for (size_t i = 0; i < len; i++) {
        if (a[i] < 0x80 || b[i] < 0x80) {
            if (a[i] != b[i])
                return false;
        } else if (((a[i] & 0xC0) == 0x80) != ((b[i] & 0xC0) == 0x80)) {
            return false; /* a character starts here in one only */
        }
    }
    return true;
}
