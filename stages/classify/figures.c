#include "figures.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hb_buf.h"
#include "hb_conf.h"
#include "hb_log.h"
#include "hb_mem.h"
#include "hb_regex.h"

#define MAX_WORDS 512

typedef struct word {
    char *text;    /* as written */
    size_t len;    /* strlen(text), looked up on every figure */
    char *meaning; /* for approximation markers: what the output says */
} word_t;

typedef struct wordlist {
    word_t w[MAX_WORDS];
    size_t n;
} wordlist_t;

struct hb_figures {
    hb_regex_t re; /* anchored: tried only where a number can start */
    wordlist_t units, before, after, mult, not_after;
};

/* Capture groups of the figure pattern. */
enum { G_BEFORE = 1, G_NUM, G_RANGE, G_CN, G_AFTER1, G_MULT, G_AFTER2, G_UNIT };

#define CN_DIGITS "零〇一二两三四五六七八九十百千"

static int add_words(wordlist_t *l, const char *value, const char *path, int line)
{
    const char *s = value;
    while (*s) {
        while (*s == ' ' || *s == '\t')
            s++;
        size_t n = strcspn(s, " \t");
        if (!n)
            break;
        const char *eq = memchr(s, '=', n);
        size_t tlen = eq ? (size_t)(eq - s) : n;
        bool dup = false;
        for (size_t i = 0; i < l->n; i++)
            dup |= l->w[i].len == tlen && !memcmp(l->w[i].text, s, tlen);
        if (!dup) {
            if (l->n == MAX_WORDS || tlen == 0 || tlen > 24) {
                hb_error("%s:%d: \"%.*s\": too many words in the list, or a word empty or over "
                         "24 bytes", path, line, (int)n, s);
                return -1;
            }
            l->w[l->n].text = hb_strndup(s, tlen);
            l->w[l->n].len = tlen;
            l->w[l->n].meaning = eq ? hb_strndup(eq + 1, n - tlen - 1) : hb_strndup(s, tlen);
            l->n++;
        }
        s += n;
    }
    return 0;
}

static int longer_first(const void *a, const void *b)
{
    size_t x = ((const word_t *)a)->len, y = ((const word_t *)b)->len;
    return x < y ? 1 : x > y ? -1 : strcmp(((const word_t *)a)->text, ((const word_t *)b)->text);
}

/* Appends (?:w1|w2|…) with the longest words first, so 人次 wins over 人. */
static void alternation(hb_buf_t *b, wordlist_t *l)
{
    qsort(l->w, l->n, sizeof l->w[0], longer_first);
    hb_buf_puts(b, "(");
    for (size_t i = 0; i < l->n; i++) {
        if (i)
            hb_buf_putc(b, '|');
        for (const char *p = l->w[i].text; *p; p++) {
            if (strchr("\\^$.|?*+()[]{}-", *p))
                hb_buf_putc(b, '\\');
            hb_buf_putc(b, *p);
        }
    }
    hb_buf_puts(b, ")");
}

static void free_words(wordlist_t *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->w[i].text);
        free(l->w[i].meaning);
    }
    l->n = 0;
}

void hb_figures_free(hb_figures_t *f)
{
    if (!f)
        return;
    hb_regex_free(&f->re);
    free_words(&f->units);
    free_words(&f->before);
    free_words(&f->after);
    free_words(&f->mult);
    free_words(&f->not_after);
    free(f);
}

hb_figures_t *hb_figures_load(const char *path)
{
    hb_conf_t *conf = hb_conf_load(path);
    if (!conf)
        return NULL;
    hb_figures_t *f = hb_calloc(1, sizeof *f);
    struct {
        const char *key;
        wordlist_t *list;
    } keys[] = {{"units", &f->units},       {"approx_before", &f->before},
                {"approx_after", &f->after}, {"multipliers", &f->mult},
                {"not_after", &f->not_after}};
    for (size_t i = 0; i < conf->n; i++) {
        const hb_conf_entry_t *e = &conf->entries[i];
        size_t k = 0;
        while (k < sizeof keys / sizeof keys[0] && strcmp(keys[k].key, e->key))
            k++;
        if (strcmp(e->section, "figures") || k == sizeof keys / sizeof keys[0]) {
            hb_error("%s:%d: unknown setting [%s] %s; expected [figures] with units, "
                     "approx_before, approx_after, multipliers or not_after", path, e->line,
                     e->section, e->key);
            goto fail;
        }
        if (add_words(keys[k].list, e->value, path, e->line) != 0)
            goto fail;
    }
    if (!f->units.n || !f->before.n || !f->after.n || !f->mult.n) {
        hb_error("%s: units, approx_before, approx_after and multipliers must all be given", path);
        goto fail;
    }
    hb_buf_t re;
    hb_buf_init(&re);
    /* Not inside a longer number, a Latin word or a run of masks. */
    hb_buf_puts(&re, "(?<![0-9０-９A-Za-z.．*＊×])(?:");
    alternation(&re, &f->before);
    /* Digits with thousands separators (8,500), or masks.  The separator group
     * is possessive: a backtracking one runs out of JIT stack on a number of
     * thousands of groups, and the unit would lose its figures. */
    hb_buf_puts(&re, "\\s?)?(?:([0-9０-９]+(?:[,，][0-9０-９]{3}(?![0-9０-９]))*+(?:[.．][0-9０-９]+)?"
                     "|[*＊×xX]+(?:[.．][*＊×xX]+)?)"
                     "(?:[-－~～至到]([0-9０-９]+(?:[.．][0-9０-９]+)?))?"
                     "|(?<![" CN_DIGITS "万亿])([一二两三四五六七八九十][" CN_DIGITS "]+))");
    alternation(&re, &f->after);
    hb_buf_puts(&re, "?");
    alternation(&re, &f->mult);
    hb_buf_puts(&re, "?");
    alternation(&re, &f->after);
    hb_buf_puts(&re, "?");
    alternation(&re, &f->units);
    hb_buf_puts(&re, "?");
    int rc = hb_regex_compile(&f->re, re.data, PCRE2_ANCHORED, path);
    hb_buf_release(&re);
    if (rc != 0)
        goto fail;
    hb_conf_free(conf);
    return f;
fail:
    hb_conf_free(conf);
    hb_figures_free(f);
    return NULL;
}

static const char *meaning_of(const wordlist_t *l, const char *s, size_t len)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->w[i].len == len && !memcmp(l->w[i].text, s, len))
            return *l->w[i].meaning ? l->w[i].meaning : NULL;
    return NULL;
}

/* The last bytes are compared first: most words differ there, and a call
 * to memcmp per word and figure showed in the profile. */
static bool ends_with_any(const wordlist_t *l, const char *text, size_t end)
{
    for (size_t i = 0; i < l->n; i++) {
        size_t n = l->w[i].len;
        if (n <= end && text[end - 1] == l->w[i].text[n - 1] &&
            !memcmp(text + end - n, l->w[i].text, n))
            return true;
    }
    return false;
}

/* A Chinese numeral (一百二十, 两千零五, 三十) to its value. */
static double parse_chinese(const char *s, size_t len)
{
    static const char *const digits[] = {"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"};
    double total = 0, digit = 0;
    for (size_t i = 0; i + 3 <= len; i += 3) {
        const char *c = s + i;
        int d = -1;
        for (int k = 0; k < 10; k++)
            if (!memcmp(c, digits[k], 3))
                d = k;
        if (!memcmp(c, "〇", 3))
            d = 0;
        if (!memcmp(c, "两", 3))
            d = 2;
        if (d >= 0) {
            digit = d;
            continue;
        }
        double unit = !memcmp(c, "十", 3) ? 10 : !memcmp(c, "百", 3) ? 100 : 1000;
        total += (digit ? digit : 1) * unit; /* 十 alone is ten */
        digit = 0;
    }
    return total + digit;
}

/* Digits, full-width digits and one decimal point to a double. */
static double parse_value(const char *s, size_t len)
{
    /* Most are plain ASCII integers, exact as doubles up to 15 digits: the
     * value strtod would give, without copying and strtod. */
    if (len <= 15) {
        uint64_t v = 0;
        size_t i = 0;
        while (i < len && s[i] >= '0' && s[i] <= '9')
            v = v * 10 + (uint64_t)(s[i++] - '0');
        if (i == len)
            return (double)v;
    }
    char ascii[64];
    size_t n = 0;
    for (size_t i = 0; i < len && n + 1 < sizeof ascii;) {
        const unsigned char *u = (const unsigned char *)s + i;
        if (len - i >= 3 && u[0] == 0xEF && u[1] == 0xBC && u[2] >= 0x90 && u[2] <= 0x99) {
            ascii[n++] = (char)('0' + (u[2] - 0x90)); /* ０-９ */
            i += 3;
        } else if (len - i >= 3 && u[0] == 0xEF && u[1] == 0xBC && u[2] == 0x8E) {
            ascii[n++] = '.'; /* ． */
            i += 3;
        } else if (len - i >= 3 && u[0] == 0xEF && u[1] == 0xBC && u[2] == 0x8C) {
            i += 3; /* ， between thousands */
        } else if (u[0] == ',') {
            i++;
        } else {
            ascii[n++] = (char)u[0];
            i++;
        }
    }
    ascii[n] = '\0';
    return strtod(ascii, NULL);
}

/* A three-byte UTF-8 character as one integer, for a switch over characters. */
static inline uint32_t char3(const unsigned char *u)
{
    return (uint32_t)u[0] << 16 | (uint32_t)u[1] << 8 | u[2];
}

/* ，。；：、（）“”《》 */
static bool stop3(const unsigned char *u)
{
    switch (char3(u)) {
    case 0xEFBC8C: case 0xE38082: case 0xEFBC9B: case 0xEFBC9A: case 0xE38081: case 0xEFBC88:
    case 0xEFBC89: case 0xE2809C: case 0xE2809D: case 0xE3808A: case 0xE3808B:
        return true;
    default:
        return false;
    }
}

/* What was counted: the words before the figure, back to the last
 * punctuation or figure.  A figure right after another shares its subject
 * (新增低保*户*人).  Common verbs of counting at the start are kept: the
 * subject reads as the text says it. */
static void subject_of(const char *text, size_t start, const hb_figure_t *prev, hb_figure_t *fig)
{
    /* punctuation: three-byte (CJK, stop3) and one-byte (ASCII) forms */
    static const char stops1[] = ",;:() ";
    size_t from = start;
    size_t prev_end = prev ? (size_t)(prev->raw + prev->raw_len - text) : 0;
    if (prev && prev_end == start) {
        fig->subject = prev->subject;
        fig->subject_len = prev->subject_len;
        return;
    }
    size_t cps = 0;
    while (from > prev_end && cps < 16) {
        size_t back = from - 1;
        while (back > prev_end && ((unsigned char)text[back] & 0xC0) == 0x80)
            back--;
        bool stop = false;
        if (from - back == 1)
            stop = memchr(stops1, text[back], sizeof stops1 - 1) != NULL;
        else if (from - back == 3)
            stop = stop3((const unsigned char *)text + back);
        if (stop)
            break;
        from = back;
        cps++;
    }
    fig->subject = text + from;
    fig->subject_len = start - from;
}

/* The Chinese numerals that can start a quantity, and those that continue one. */
static bool cn_digit(const unsigned char *u, bool start)
{
    switch (char3(u)) {
    case 0xE4B880: /* 一 */
    case 0xE4BA8C: /* 二 */
    case 0xE4B8A4: /* 两 */
    case 0xE4B889: /* 三 */
    case 0xE59B9B: /* 四 */
    case 0xE4BA94: /* 五 */
    case 0xE585AD: /* 六 */
    case 0xE4B883: /* 七 */
    case 0xE585AB: /* 八 */
    case 0xE4B99D: /* 九 */
    case 0xE58D81: /* 十 */
        return true;
    case 0xE799BE: /* 百 */
    case 0xE58D83: /* 千 */
    case 0xE99BB6: /* 零 */
    case 0xE38087: /* 〇 */
        return !start;
    default:
        return false;
    }
}

/* What a byte can begin, for next_candidate: most bytes of a text begin
 * nothing and are passed over by one table look-up each.  A text without
 * 十, 百 or 千 has no Chinese numeral to find, and is scanned with the second
 * table: E4 and E5 lead a third of all Chinese characters. */
enum { C_NONE, C_ASCII, C_WIDE, C_TIMES, C_CN };
#define DIGIT_CLASSES                                                                      \
    ['0'] = C_ASCII, ['1'] = C_ASCII, ['2'] = C_ASCII, ['3'] = C_ASCII, ['4'] = C_ASCII,   \
    ['5'] = C_ASCII, ['6'] = C_ASCII, ['7'] = C_ASCII, ['8'] = C_ASCII, ['9'] = C_ASCII,   \
    ['*'] = C_ASCII, ['x'] = C_ASCII, ['X'] = C_ASCII,                                     \
    [0xEF] = C_WIDE,  /* ０-９ ＊ */                                                        \
    [0xC3] = C_TIMES  /* × */
static const uint8_t with_numerals[256] = {
    DIGIT_CLASSES,
    [0xE4] = C_CN, [0xE5] = C_CN, /* the lead bytes of 一-九, 十, 两 */
};
static const uint8_t digits_only[256] = {DIGIT_CLASSES};
#undef DIGIT_CLASSES

/* Does the text hold 十, 百 or 千?  Without one, two numerals in a row
 * (一二, 三四) are not a quantity. */
static bool has_numeral_unit(const char *text, size_t len)
{
    return memmem(text, len, "十", 3) || memmem(text, len, "百", 3) ||
           memmem(text, len, "千", 3);
}

/* Where a figure's number can start, at or after pos: an Arabic or
 * full-width digit, a mask, or (when the text has 十/百/千 at all) two
 * Chinese numerals in a row.  A regex that may start anywhere is tried at
 * every character of a unit; this scan lets it run at a few places only.
 * *chinese says whether the text has 十/百/千: -1 until a pair of numerals
 * asks (most texts have no such pair), 0 once known not to. */
static size_t next_candidate(const char *text, size_t len, size_t pos, int *chinese)
{
    const unsigned char *u = (const unsigned char *)text;
    const uint8_t *byte_class = *chinese == 0 ? digits_only : with_numerals;
    for (size_t i = pos; i < len; i++) {
        while (byte_class[u[i]] == C_NONE) /* the hot loop: one load and test a byte */
            if (++i == len)
                return len;
        switch (byte_class[u[i]]) {
        case C_ASCII: {
            /* The pattern cannot start right after an ASCII digit, letter, '.'
             * or '*' (its look-behind), nor can an approximation word end in
             * one: inside 2021 or 3.5 only the first digit is a candidate. */
            unsigned p = i > 0 ? u[i - 1] : ' ';
            if ((p >= '0' && p <= '9') || ((p | 0x20) >= 'a' && (p | 0x20) <= 'z') || p == '.' ||
                p == '*')
                continue;
            return i;
        }
        case C_WIDE:
            if (len - i >= 3 && u[i + 1] == 0xBC &&
                ((u[i + 2] >= 0x90 && u[i + 2] <= 0x99) || u[i + 2] == 0x8A))
                return i;
            continue;
        case C_TIMES:
            if (len - i >= 2 && u[i + 1] == 0x97)
                return i;
            continue;
        case C_CN:
            if (len - i >= 6 && cn_digit(u + i, true) && cn_digit(u + i + 3, false)) {
                if (*chinese < 0)
                    *chinese = has_numeral_unit(text, len);
                if (*chinese)
                    return i;
            }
            continue;
        }
    }
    return len;
}

/* Bytes of an approximation word (and one white space) right before c. */
static size_t approx_before(const hb_figures_t *f, const char *text, size_t c)
{
    size_t sp = c > 0 && (text[c - 1] == ' ' || text[c - 1] == '\t');
    for (size_t k = 0; k < 2; k++) { /* without, then with, the space */
        size_t end = c - (k ? sp : 0);
        if (k && !sp)
            break;
        for (size_t i = 0; i < f->before.n; i++) { /* longest first */
            size_t n = f->before.w[i].len;
            if (n <= end && text[end - 1] == f->before.w[i].text[n - 1] &&
                !memcmp(text + end - n, f->before.w[i].text, n))
                return c - end + n;
        }
    }
    return 0;
}

size_t hb_figures_extract(hb_figures_t *f, const char *text, size_t len, hb_figure_t *out,
                          size_t max)
{
    return hb_figures_extract_known(f, text, len, -1, out, max);
}

size_t hb_figures_extract_known(hb_figures_t *f, const char *text, size_t len,
                                int has_numeral_units, hb_figure_t *out, size_t max)
{
    size_t n = 0, at = 0;
    int chinese = has_numeral_units < 0 ? -1 : has_numeral_units > 0;
    while (n < max && (at = next_candidate(text, len, at, &chinese)) < len) {
        size_t c = at, before = approx_before(f, text, c);
        int m = before ? hb_regex_match(&f->re, text, len, c - before, 0) : 0;
        if (m != 1)
            m = hb_regex_match(&f->re, text, len, c, 0);
        if (m != 1) {
            at = c + 1; /* also inside a character: next_candidate skips its tail */
            continue;
        }
        PCRE2_SIZE *ov = hb_regex_ovector(&f->re);
#define GROUP_SET(g) (ov[2 * (g)] != PCRE2_UNSET)
#define GROUP_PTR(g) (text + ov[2 * (g)])
#define GROUP_LEN(g) (ov[2 * (g) + 1] - ov[2 * (g)])
        size_t start = ov[0], end = ov[1];
        at = end > c ? end : c + 1;
        if (!GROUP_SET(G_MULT) && !GROUP_SET(G_UNIT))
            continue; /* a bare number: a year, a code */
        if (ends_with_any(&f->not_after, text, start))
            continue; /* 第3名, 建党100周年 */
        if (GROUP_SET(G_CN) && (GROUP_LEN(G_CN) < 6 || !GROUP_SET(G_UNIT)))
            continue; /* 两个维护; 十四五规划 */
        if (start >= 3 && !memcmp(text + start - 3, "“", 3) && end + 3 <= len &&
            !memcmp(text + end, "”", 3))
            continue; /* a quoted name: 制定“*分”党员计划 */
        /* xxx米*xx米: between two dimensions '*' is a times sign, not a mask. */
        if (n > 0 && text[start] == '*' && start + 1 < ov[2 * G_NUM + 1] &&
            out[n - 1].raw + out[n - 1].raw_len == text + start)
            start++;
        hb_figure_t *fig = &out[n++];
        fig->raw = text + start;
        fig->raw_len = end - start;
        fig->has_max = GROUP_SET(G_RANGE);
        fig->max = fig->has_max ? parse_value(GROUP_PTR(G_RANGE), GROUP_LEN(G_RANGE)) : 0;
        if (GROUP_SET(G_CN)) {
            fig->masked = false;
            fig->value = parse_chinese(GROUP_PTR(G_CN), GROUP_LEN(G_CN));
        } else {
            const char *num = GROUP_PTR(G_NUM);
            fig->masked = num[0] < '0' || num[0] > '9';
            if (fig->masked && (unsigned char)num[0] == 0xEF && (unsigned char)num[1] == 0xBC &&
                (unsigned char)num[2] >= 0x90 && (unsigned char)num[2] <= 0x99)
                fig->masked = false; /* full-width digit */
            fig->value = fig->masked ? 0 : parse_value(num, GROUP_LEN(G_NUM));
        }
        subject_of(text, start, n > 1 ? &out[n - 2] : NULL, fig);
        fig->approx = GROUP_SET(G_BEFORE) ? meaning_of(&f->before, GROUP_PTR(G_BEFORE),
                                                       GROUP_LEN(G_BEFORE))
                      : GROUP_SET(G_AFTER1) ? meaning_of(&f->after, GROUP_PTR(G_AFTER1),
                                                         GROUP_LEN(G_AFTER1))
                      : GROUP_SET(G_AFTER2) ? meaning_of(&f->after, GROUP_PTR(G_AFTER2),
                                                         GROUP_LEN(G_AFTER2))
                                            : NULL;
        size_t ulen = 0;
        if (GROUP_SET(G_MULT)) {
            memcpy(fig->unit, GROUP_PTR(G_MULT), GROUP_LEN(G_MULT));
            ulen = GROUP_LEN(G_MULT);
        }
        if (GROUP_SET(G_UNIT) && ulen + GROUP_LEN(G_UNIT) < sizeof fig->unit) {
            memcpy(fig->unit + ulen, GROUP_PTR(G_UNIT), GROUP_LEN(G_UNIT));
            ulen += GROUP_LEN(G_UNIT);
        }
        fig->unit[ulen] = '\0';
#undef GROUP_SET
#undef GROUP_PTR
#undef GROUP_LEN
    }
    return n;
}
