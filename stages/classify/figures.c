#include "figures.h"

#include <math.h>
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
    double factor; /* multipliers: the number meaning parses to */
} word_t;

typedef struct wordlist {
    word_t w[MAX_WORDS];
    size_t n;
} wordlist_t;

/* [base]: a unit as written -> the unit figures compare in, and the factor. */
typedef struct base {
    char *unit, *base;
    size_t len;
    double factor;
} base_t;

/* What the rules say of a unit, or of a [base] key, found by one hash
 * look-up per figure instead of a walk over each list. */
enum { U_CLASSIFIER = 1, U_DATE = 2, U_SPAN = 4, U_NOUN_START = 8 /* 人 of 人口 */ };
typedef struct unit_info {
    const char *text; /* NULL: an empty slot */
    size_t len;
    unsigned flags;
    const base_t *base; /* its [base] line, or NULL */
} unit_info_t;
#define UNIT_SLOTS 2048 /* a power of two, well above the words a config lists */

struct hb_figures {
    hb_regex_t re; /* anchored: tried only where a number can start */
    wordlist_t units, before, after, end, mult, not_after, classifiers, not_nouns, not_units,
        date_units, span_units, span_words;
    base_t *base;
    size_t nbase;
    unit_info_t info[UNIT_SLOTS];
};

static size_t info_slot(const char *s, size_t len)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h & (UNIT_SLOTS - 1);
}

static const unit_info_t *info_of(const hb_figures_t *f, const char *s, size_t len)
{
    for (size_t i = info_slot(s, len);; i = (i + 1) & (UNIT_SLOTS - 1)) {
        const unit_info_t *u = &f->info[i];
        if (!u->text)
            return NULL;
        if (u->len == len && !memcmp(u->text, s, len))
            return u;
    }
}

static unit_info_t *info_add(hb_figures_t *f, const char *s, size_t len)
{
    size_t i = info_slot(s, len);
    while (f->info[i].text && !(f->info[i].len == len && !memcmp(f->info[i].text, s, len)))
        i = (i + 1) & (UNIT_SLOTS - 1);
    f->info[i].text = s;
    f->info[i].len = len;
    return &f->info[i];
}

/* Fills the table once the lists are read.  -1 when it would be too full. */
static int build_info(hb_figures_t *f)
{
    size_t n = f->units.n + f->classifiers.n + f->date_units.n + f->span_units.n + f->nbase;
    if (n > UNIT_SLOTS / 2)
        return -1;
    const struct {
        const wordlist_t *l;
        unsigned flag;
    } lists[] = {{&f->units, 0}, {&f->classifiers, U_CLASSIFIER}, {&f->date_units, U_DATE},
                 {&f->span_units, U_SPAN}};
    for (size_t k = 0; k < sizeof lists / sizeof lists[0]; k++)
        for (size_t i = 0; i < lists[k].l->n; i++)
            info_add(f, lists[k].l->w[i].text, lists[k].l->w[i].len)->flags |= lists[k].flag;
    for (size_t i = 0; i < f->nbase; i++)
        info_add(f, f->base[i].unit, f->base[i].len)->base = &f->base[i];
    for (size_t i = 0; i < f->units.n; i++)
        for (size_t k = 0; k < f->not_units.n; k++)
            if (f->not_units.w[k].len > f->units.w[i].len &&
                !memcmp(f->not_units.w[k].text, f->units.w[i].text, f->units.w[i].len))
                info_add(f, f->units.w[i].text, f->units.w[i].len)->flags |= U_NOUN_START;
    return 0;
}

/* Capture groups of the figure pattern. */
enum { G_BEFORE = 1, G_NUM, G_RANGE, G_CN, G_AFTER1, G_MULT, G_AFTER2, G_UNIT, G_END };

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

static void append_literal(hb_buf_t *b, const char *text)
{
    for (const char *p = text; *p; p++) {
        if (strchr("\\^$.|?*+()[]{}-", *p))
            hb_buf_putc(b, '\\');
        hb_buf_putc(b, *p);
    }
}

/* Appends (w1|w2|…) with the longest words first, so 人次 wins over 人;
 * (?:w1|w2|…) when !capture. */
static void alternation(hb_buf_t *b, wordlist_t *l, bool capture)
{
    qsort(l->w, l->n, sizeof l->w[0], longer_first);
    hb_buf_puts(b, capture ? "(" : "(?:");
    for (size_t i = 0; i < l->n; i++) {
        if (i)
            hb_buf_putc(b, '|');
        append_literal(b, l->w[i].text);
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
    free_words(&f->end);
    free_words(&f->classifiers);
    free_words(&f->not_nouns);
    free_words(&f->not_units);
    free_words(&f->date_units);
    free_words(&f->span_units);
    free_words(&f->span_words);
    for (size_t i = 0; i < f->nbase; i++) {
        free(f->base[i].unit);
        free(f->base[i].base);
    }
    free(f->base);
    free(f);
}

/* A [base] line: UNIT = BASE [FACTOR]. */
static int add_base(hb_figures_t *f, const hb_conf_entry_t *e, const char *path)
{
    char base[64];
    int used = 0;
    double factor = 1;
    bool ok = sscanf(e->value, "%63s%n", base, &used) == 1 && strlen(e->key) <= 24;
    const char *rest = e->value + used;
    while (ok && (*rest == ' ' || *rest == '\t'))
        rest++;
    if (ok && *rest) {
        char *end;
        factor = strtod(rest, &end);
        while (*end == ' ' || *end == '\t')
            end++;
        ok = end != rest && !*end && factor > 0;
    }
    if (!ok) {
        hb_error("%s:%d: [base] expects \"UNIT = BASE\" or \"UNIT = BASE FACTOR\" (a number "
                 "above 0), e.g. 万元 = 元 10000", path, e->line);
        return -1;
    }
    f->base = hb_realloc(f->base, (f->nbase + 1) * sizeof *f->base);
    f->base[f->nbase++] = (base_t){hb_strdup(e->key), hb_strdup(base), strlen(e->key), factor};
    return 0;
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
    } keys[] = {{"units", &f->units},           {"approx_before", &f->before},
                {"approx_after", &f->after},     {"approx_end", &f->end},
                {"multipliers", &f->mult},       {"not_after", &f->not_after},
                {"classifiers", &f->classifiers}, {"not_nouns", &f->not_nouns},
                {"not_units", &f->not_units},
                {"date_units", &f->date_units},  {"span_units", &f->span_units},
                {"span_words", &f->span_words}};
    for (size_t i = 0; i < conf->n; i++) {
        const hb_conf_entry_t *e = &conf->entries[i];
        if (!strcmp(e->section, "base")) {
            if (add_base(f, e, path) != 0)
                goto fail;
            continue;
        }
        size_t k = 0;
        while (k < sizeof keys / sizeof keys[0] && strcmp(keys[k].key, e->key))
            k++;
        if (strcmp(e->section, "figures") || k == sizeof keys / sizeof keys[0]) {
            hb_error("%s:%d: unknown setting [%s] %s; expected [figures] with units, "
                     "classifiers, not_nouns, not_units, date_units, span_units, span_words, "
                     "approx_before, approx_after, approx_end, multipliers or not_after, "
                     "or [base] lines", path, e->line, e->section, e->key);
            goto fail;
        }
        size_t had = keys[k].list->n;
        if (add_words(keys[k].list, e->value, path, e->line) != 0)
            goto fail;
        for (size_t w = had; keys[k].list == &f->mult && w < f->mult.n; w++) {
            char *end;
            f->mult.w[w].factor = strtod(f->mult.w[w].meaning, &end);
            if (*end || !(f->mult.w[w].factor > 0)) {
                hb_error("%s:%d: multiplier %s needs its factor, e.g. 万=10000", path, e->line,
                         f->mult.w[w].text);
                goto fail;
            }
        }
    }
    if (!f->units.n || !f->before.n || !f->after.n || !f->mult.n) {
        hb_error("%s: units, approx_before, approx_after and multipliers must all be given", path);
        goto fail;
    }
    if (build_info(f) != 0) {
        hb_error("%s: over %d units, classifiers and [base] lines", path, UNIT_SLOTS / 2);
        goto fail;
    }
    hb_buf_t re;
    hb_buf_init(&re);
    /* Not inside a longer number, a Latin word or a run of masks, nor in
     * digits spaced out one by one (1 9 9 8 年). */
    hb_buf_puts(&re, "(?<![0-9０-９A-Za-z.．*＊×Ｘｘ])(?<![0-9０-９] )(?:");
    alternation(&re, &f->before, true);
    /* Digits with thousands separators (8,500), masked digits (MASK), or a
     * mix (x.6, 〔…〕Y).  The separator group is possessive: a backtracking
     * one runs out of JIT stack on a number of thousands of groups, and the
     * unit would lose its figures. */
#define DIGIT "[0-9０-９]"
#define DIGIT_OR_MASK "(?:[0-9０-９*＊×xXＸｘYy某]|〔(?:…+|\\.{3,6})〕|[(（]略[)）])"
#define DIGIT_GROUP "[0-9０-９xXＸｘ*＊]" /* thousands, digits or masked: 1,200 x,xxx */
    hb_buf_puts(&re, "\\s?)?(?:(" DIGIT_OR_MASK "+(?:[,，]" DIGIT_GROUP "{3}(?!" DIGIT_GROUP "))*+"
                     "(?:[.．]" DIGIT_OR_MASK "+)?)"
                     "(?:[-－~～至到](" DIGIT "+(?:[.．]" DIGIT "+)?))?"
                     "|(?<![" CN_DIGITS "万亿])([一二两三四五六七八九十][" CN_DIGITS "]+))"
                     " ?"); /* 60 % */
#undef DIGIT
#undef DIGIT_OR_MASK
#undef DIGIT_GROUP
    alternation(&re, &f->after, true);
    /* A multiplier, unless a unit starts there (百分点, 千米, 亿元). */
    hb_buf_puts(&re, "?((?:");
    size_t guards = 0;
    for (size_t i = 0; i < f->units.n; i++)
        for (size_t k = 0; k < f->mult.n; k++)
            if (f->units.w[i].len > f->mult.w[k].len &&
                !memcmp(f->units.w[i].text, f->mult.w[k].text, f->mult.w[k].len)) {
                hb_buf_puts(&re, guards++ ? "|" : "(?!");
                append_literal(&re, f->units.w[i].text);
                break;
            }
    if (guards)
        hb_buf_putc(&re, ')');
    alternation(&re, &f->mult, false);
    hb_buf_puts(&re, "){1,2})?");
    alternation(&re, &f->after, true);
    hb_buf_puts(&re, "?");
    alternation(&re, &f->units, true);
    hb_buf_puts(&re, "?");
    if (f->end.n) {
        alternation(&re, &f->end, true);
        hb_buf_puts(&re, "?");
    } else {
        hb_buf_puts(&re, "((?!))?"); /* never set: keeps the group numbers */
    }
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

/* Does text[at..) begin with one of the words? */
static bool starts_with_any(const wordlist_t *l, const char *text, size_t len, size_t at)
{
    for (size_t i = 0; i < l->n; i++) {
        const char *w = l->w[i].text;
        size_t n = l->w[i].len;
        if (n <= len - at && text[at + n - 1] == w[n - 1] && !memcmp(text + at, w, n))
            return true;
    }
    return false;
}

/* What was counted: the words before the figure, back to the last
 * punctuation or figure.  A figure right after another shares its subject
 * (新增低保*户*人, 柏油路xxx米*xx米).  Common verbs of counting at the start
 * are kept: the subject reads as the text says it.  A measure word followed by its noun
 * (深入*个小网格, 有机整合*个村) counts that noun: the words before are what
 * was done to it, a fragment, and the figure gets no subject. */
static void subject_of(const hb_figures_t *f, const char *text, size_t len, size_t start,
                       size_t end, bool classifier, const hb_figure_t *prev, hb_figure_t *fig)
{
    /* punctuation: three-byte (CJK, stop3) and one-byte (ASCII) forms */
    static const char stops1[] = ",;:() ";
    size_t from = start;
    size_t prev_end = prev ? (size_t)(prev->raw + prev->raw_len - text) : 0;
    if (prev && (prev_end == start || (prev_end + 1 == start && text[prev_end] == '*'))) {
        fig->subject = prev->subject;
        fig->subject_len = prev->subject_len;
        return;
    }
    fig->subject = text + start;
    fig->subject_len = 0;
    unsigned char next = end < len ? (unsigned char)text[end] : 0;
    if (classifier && next >= 0xE4 && next <= 0xE9 &&
        !starts_with_any(&f->not_nouns, text, len, end))
        return;
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
 * 十, 百 or 千 has no Chinese numeral to find, and one without 某 no 某 mask:
 * E4 and E5 lead a third of all Chinese characters, E6 another sixth, so
 * they are looked at only in texts that need it (classes[chinese | mou << 1]). */
enum { C_NONE, C_ASCII, C_WIDE, C_TIMES, C_CN, C_E3, C_MOU };
#define DIGIT_CLASSES                                                                      \
    ['0'] = C_ASCII, ['1'] = C_ASCII, ['2'] = C_ASCII, ['3'] = C_ASCII, ['4'] = C_ASCII,   \
    ['5'] = C_ASCII, ['6'] = C_ASCII, ['7'] = C_ASCII, ['8'] = C_ASCII, ['9'] = C_ASCII,   \
    ['*'] = C_ASCII, ['x'] = C_ASCII, ['X'] = C_ASCII, ['y'] = C_ASCII, ['Y'] = C_ASCII,   \
    ['('] = C_ASCII,                                                                       \
    [0xEF] = C_WIDE,  /* ０-９ ＊ Ｘ ｘ （略） */                                             \
    [0xE3] = C_E3,    /* 〔…〕 */                                                           \
    [0xC3] = C_TIMES  /* × */
#define NUMERAL_CLASSES [0xE4] = C_CN, [0xE5] = C_CN /* the lead bytes of 一-九, 十, 两 */
static const uint8_t classes[4][256] = {
    {DIGIT_CLASSES},
    {DIGIT_CLASSES, NUMERAL_CLASSES},
    {DIGIT_CLASSES, [0xE6] = C_MOU},
    {DIGIT_CLASSES, NUMERAL_CLASSES, [0xE6] = C_MOU},
};
#undef DIGIT_CLASSES
#undef NUMERAL_CLASSES

/* Does the text hold 十, 百 or 千?  Without one, two numerals in a row
 * (一二, 三四) are not a quantity. */
static bool has_numeral_unit(const char *text, size_t len)
{
    return memmem(text, len, "十", 3) || memmem(text, len, "百", 3) ||
           memmem(text, len, "千", 3);
}

/* Where a figure's number can start, at or after pos: an Arabic or
 * full-width digit, a mask (某 only when mou: the text holds one), or (when
 * the text has 十/百/千 at all) two Chinese numerals in a row.  A regex that may start anywhere is tried at
 * every character of a unit; this scan lets it run at a few places only.
 * *chinese says whether the text has 十/百/千: -1 until a pair of numerals
 * asks (most texts have no such pair), 0 once known not to. */
static size_t next_candidate(const char *text, size_t len, size_t pos, int *chinese, bool mou)
{
    const unsigned char *u = (const unsigned char *)text;
    const uint8_t *byte_class = classes[(*chinese != 0) | mou << 1];
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
        case C_WIDE: /* ０-９ ＊ Ｘ, ｘ, （略） */
            if (len - i >= 3 && ((u[i + 1] == 0xBC && ((u[i + 2] >= 0x90 && u[i + 2] <= 0x99) ||
                                                       u[i + 2] == 0x8A || u[i + 2] == 0xB8)) ||
                                 (u[i + 1] == 0xBD && u[i + 2] == 0x98)))
                return i;
            if (len - i >= 6 && u[i + 1] == 0xBC && u[i + 2] == 0x88 && !memcmp(u + i + 3, "略", 3))
                return i;
            continue;
        case C_E3:
            if (len - i >= 3 && u[i + 1] == 0x80 && u[i + 2] == 0x94) /* 〔 */
                return i;
            continue;
        case C_MOU:
            if (len - i >= 3 && u[i + 1] == 0x9F && u[i + 2] == 0x90) /* 某 */
                return i;
            continue;
        case C_TIMES:
            if (len - i >= 2 && u[i + 1] == 0x97)
                return i;
            continue;
        case C_CN:
            if (len - i >= 6 && cn_digit(u + i, true) && cn_digit(u + i + 3, false)) {
                if (*chinese < 0) {
                    *chinese = has_numeral_unit(text, len);
                    byte_class = classes[*chinese | mou << 1];
                }
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
    return hb_figures_extract_known(f, text, len, -1, -1, out, max);
}

/* The figure's unit as written, in the unit figures compare in: the longest
 * tail of it that [base] lists (its multipliers in front folded in), else
 * its unit word with every multiplier folded in.  base_unit NULL: a number
 * with a multiplier and no unit (近14亿). */
static void to_base(const hb_figures_t *f, hb_figure_t *fig, size_t mult_len,
                    const unit_info_t *unit)
{
    double factor = 1;
    size_t cut = 0, ulen = strlen(fig->unit);
    fig->base_unit = NULL;
    while (cut < mult_len) {
        const unit_info_t *u = info_of(f, fig->unit + cut, ulen - cut);
        if (u && u->base) {
            unit = u;
            break;
        }
        size_t k = 0; /* the multiplier at cut (longest first) */
        while (k < f->mult.n && (f->mult.w[k].len > mult_len - cut ||
                                 memcmp(fig->unit + cut, f->mult.w[k].text, f->mult.w[k].len)))
            k++;
        if (k == f->mult.n)
            break;
        factor *= f->mult.w[k].factor;
        cut += f->mult.w[k].len;
    }
    if (unit && unit->base) {
        fig->base_unit = unit->base->base;
        factor *= unit->base->factor;
    } else if (cut < ulen) {
        fig->base_unit = fig->unit + cut;
    }
    if (fig->masked) {
        fig->base_value = 0;
        return;
    }
    double v = fig->value * factor;
    double r = nearbyint(v); /* 5.67 * 1e12 is 5670000000000.001 in binary */
    fig->base_value = fabs(v - r) <= 1e-9 * fabs(v) ? r : v;
}

/* Characters in s[0..len) before its decimal point: 2021 has four, 13.5
 * (受教育年限13.5年, a duration) two. */
static size_t whole_chars(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len && s[i] != '.' && !(len - i >= 3 && !memcmp(s + i, "．", 3)); i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

/* Does the number hold a mask (x.6, 〔…〕Y, *)?  Digits, full-width digits,
 * separators and decimal points are all that is not. */
static bool masked_number(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        if ((u[i] >= '0' && u[i] <= '9') || u[i] == '.' || u[i] == ',') {
            i++;
        } else if (len - i >= 3 && u[i] == 0xEF && u[i + 1] == 0xBC &&
                   ((u[i + 2] >= 0x90 && u[i + 2] <= 0x99) || u[i + 2] == 0x8E ||
                    u[i + 2] == 0x8C)) {
            i += 3; /* ０-９ ． ， */
        } else {
            return true;
        }
    }
    return false;
}

/* A digit, a times sign and a digit (3*4, 2x2, 3×4): dimensions, not one
 * masked number. */
static bool has_times_sign(const char *s, size_t len)
{
    for (size_t i = 1; i + 1 < len; i++) {
        size_t sign = s[i] == '*' || s[i] == 'x' || s[i] == 'X' ? 1
                      : len - i >= 2 && !memcmp(s + i, "×", 2) ? 2 : 0;
        if (sign && s[i - 1] >= '0' && s[i - 1] <= '9' && i + sign < len &&
            s[i + sign] >= '0' && s[i + sign] <= '9')
            return true;
    }
    return false;
}

/* Is every character of the number a 某?  Alone 某 is "some" (某人, 某个村):
 * a mask only before a multiplier or a percent sign (某万元, 某%). */
static bool only_mou(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i += 3)
        if (len - i < 3 || memcmp(s + i, "某", 3))
            return false;
    return true;
}

/* Is the figure at [start, end) the end of a quoted name (“光荣在党50年”)? */
static bool ends_quote(const char *text, size_t len, size_t start, size_t end)
{
    if (end + 3 > len || memcmp(text + end, "”", 3))
        return false;
    for (size_t i = start, n = 0; i >= 3 && n < 12; i -= 3, n++) {
        if (!memcmp(text + i - 3, "“", 3))
            return true;
        if (!memcmp(text + i - 3, "”", 3) || ((unsigned char)text[i - 1] & 0xC0) != 0x80)
            return false; /* another quote, or not a run of CJK characters */
    }
    return false;
}

size_t hb_figures_extract_known(hb_figures_t *f, const char *text, size_t len,
                                int has_numeral_units, int has_mou, hb_figure_t *out,
                                size_t max)
{
    size_t n = 0, at = 0;
    int chinese = has_numeral_units < 0 ? -1 : has_numeral_units > 0;
    bool mou = has_mou < 0 ? memmem(text, len, "某", 3) != NULL : has_mou > 0;
    while (n < max && (at = next_candidate(text, len, at, &chinese, mou)) < len) {
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
        bool unit = GROUP_SET(G_UNIT), ends = GROUP_SET(G_END);
        const unit_info_t *info = unit ? info_of(f, GROUP_PTR(G_UNIT), GROUP_LEN(G_UNIT)) : NULL;
        unsigned flags = info ? info->flags : 0;
        if ((flags & U_NOUN_START) && starts_with_any(&f->not_units, text, len, ov[2 * G_UNIT])) {
            unit = ends = false; /* 近14亿人口: the number ends at 亿 */
            info = NULL;
            flags = 0;
            end = ov[2 * G_UNIT];
            at = end;
        }
        if (!GROUP_SET(G_MULT) && !unit)
            continue; /* a bare number: a year, a code */
        if (ends_with_any(&f->not_after, text, start))
            continue; /* 第3名, 建党100周年 */
        if (GROUP_SET(G_CN) && (GROUP_LEN(G_CN) < 6 || !unit))
            continue; /* 两个维护; 十四五规划 */
        if (ends_quote(text, len, start, end))
            continue; /* a quoted name: 制定“*分”党员计划, “光荣在党50年” */
        if (unit && !GROUP_SET(G_MULT)) {
            if ((flags & U_DATE) &&
                (GROUP_SET(G_CN) || whole_chars(GROUP_PTR(G_NUM), GROUP_LEN(G_NUM)) >= 4 ||
                 masked_number(GROUP_PTR(G_NUM), GROUP_LEN(G_NUM))))
                continue; /* 2021年, 20xx年, *年上半年, 一九八五年: a date */
            if ((flags & U_SPAN) && !ends_with_any(&f->span_words, text, start))
                continue; /* 改革开放40周年: an anniversary */
        }
        if (GROUP_SET(G_NUM) && has_times_sign(GROUP_PTR(G_NUM), GROUP_LEN(G_NUM)))
            continue; /* 3*4米: a size */
        size_t num_end = GROUP_SET(G_NUM) ? ov[2 * G_NUM + 1] : 0;
        if (num_end && only_mou(GROUP_PTR(G_NUM), GROUP_LEN(G_NUM)) &&
            !starts_with_any(&f->mult, text, len, num_end) &&
            !(num_end < len && text[num_end] == '%') &&
            !(len - num_end >= 3 && !memcmp(text + num_end, "％", 3)))
            continue; /* 某人, 某个村: "some", not a mask */
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
            fig->masked = masked_number(GROUP_PTR(G_NUM), GROUP_LEN(G_NUM));
            fig->value = fig->masked ? 0 : parse_value(GROUP_PTR(G_NUM), GROUP_LEN(G_NUM));
        }
        subject_of(f, text, len, start, end, flags & U_CLASSIFIER, n > 1 ? &out[n - 2] : NULL,
                   fig);
        fig->approx = GROUP_SET(G_BEFORE) ? meaning_of(&f->before, GROUP_PTR(G_BEFORE),
                                                       GROUP_LEN(G_BEFORE))
                      : GROUP_SET(G_AFTER1) ? meaning_of(&f->after, GROUP_PTR(G_AFTER1),
                                                         GROUP_LEN(G_AFTER1))
                      : GROUP_SET(G_AFTER2) ? meaning_of(&f->after, GROUP_PTR(G_AFTER2),
                                                         GROUP_LEN(G_AFTER2))
                      : ends ? meaning_of(&f->end, GROUP_PTR(G_END), GROUP_LEN(G_END))
                             : NULL;
        size_t ulen = 0, mult_len = 0;
        if (GROUP_SET(G_MULT)) {
            memcpy(fig->unit, GROUP_PTR(G_MULT), GROUP_LEN(G_MULT));
            ulen = mult_len = GROUP_LEN(G_MULT);
        }
        if (unit && ulen + GROUP_LEN(G_UNIT) < sizeof fig->unit) {
            memcpy(fig->unit + ulen, GROUP_PTR(G_UNIT), GROUP_LEN(G_UNIT));
            ulen += GROUP_LEN(G_UNIT);
        }
        fig->unit[ulen] = '\0';
        to_base(f, fig, mult_len, info);
#undef GROUP_SET
#undef GROUP_PTR
#undef GROUP_LEN
    }
    return n;
}
