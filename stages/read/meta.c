#include "meta.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <csv.h>

#include "decode.h"
#include "hb_buf.h"
#include "hb_log.h"
#include "hb_map.h"
#include "hb_mem.h"
#include "hb_regex.h"
#include "hb_utf8.h"

/* Han ideographs.  Not \\p{Han}: PCRE2 matches that by script extension,
 * which takes in the CJK punctuation (、，) that separates names. */
#define HAN "\\x{3400}-\\x{4DBF}\\x{4E00}-\\x{9FFF}" /* a class body: use as "[" HAN "]" */

/* How far into the text a report names itself. */
#define HEAD_BYTES 1500
#define YEAR_BYTES 400
#define FIRST_LINE_BYTES 300
/* How far before 届人民代表大会 the congress's place name may start. */
#define CONGRESS_BACK 60
/* How far the places a report mentions and the words it speaks for itself
 * (我县, 全镇) are read: a report says them early, and a 60 MB file costs no
 * more than a long report. */
#define BODY_BYTES (256 * 1024)
/* Places a report mentions, and village mentions tried, at most. */
#define MAX_MENTIONS 64
#define MAX_VILLAGE_MENTIONS 500

/* Slots of the set of name ends (below): a power of two, four times the
 * ~3,300 provinces, cities and counties. */
#define END_SLOTS 16384

struct hb_meta {
    hb_regex_t town, masked, self, congress, year;
    uint64_t *ends; /* END_SLOTS: the last two characters of every official province,
                       city and county name (0 = empty); NULL without the list */
    hb_regex_t path_town, path_county; /* a folder or file named after the place */
    hb_docmeta_t *rows; /* the --meta rows, in file order */
    size_t nrows;
    hb_map_t *row_of;   /* the file column as written -> the first row naming it, + 1 */
    const hb_division_t *div; /* NULL without the division list */
    char candidates[HB_MAX_CANDIDATES][13];
};

/* A place name ends in 镇/乡/街道 and is followed by what reports say of it.
 * It must start after a non-Han character: inside a run of Han characters
 * its start cannot be told (…领导下元潭镇党委, 紧紧围绕县委).  Names of towns
 * are two or three characters before 镇/乡.  A reporter above the town
 * (四川省巴中市南江县人民政府, 2023年上海市政府工作报告) names itself the same
 * way; after a year its name starts after 年 (2023年青石镇工作总结). */
#define TOWN_CUE "党委|党工委|办事处|人民政府|政府|(?:19|20)[0-9]{2}年|上半年|下半年|全年|今年|半年|工作|在|坚持|始终|紧紧"
static const char town_re[] =
    "(?:(?<![" HAN "])|(?<=[0-9０-９]年)|(?<=关于))(?!年)([" HAN "]{2,3}?(?:镇|乡|街道|苏木))(?=" TOWN_CUE ")";
static const char masked_re[] = "(?<![" HAN "])(?:\\*+|[xX]{1,3}|[A-Z]|某{1,2})(?:镇|乡|街道)";
static const char self_re[] =
    "(?:(?<![" HAN "])|(?<=年))(?!年)([" HAN "]{2,9}?(?:省|自治区|市|县|区|旗|州|盟))"
    "(?=委|人民政府|政府|(?:19|20)[0-9]{2}年|国民经济)";
/* The congress a report is given to names its reporter for certain:
 * ——2024年1月16日在安吉县第十七届人民代表大会第四次会议上. */
static const char congress_re[] =
    "(?:(?<![" HAN "])|(?<=在))([" HAN "]{2,12}?(?:省|自治区|市|县|区|旗|州|盟))"
    "第[一二三四五六七八九十]{1,3}届人民代表大会";
static const char path_town_re[] =
    "(?<![" HAN "])([" HAN "]{2,6}?(?:镇|乡|街道|苏木))(?![" HAN "])";
static const char path_county_re[] = "(?<![" HAN "])([" HAN "]{2,6}?(?:县|区|旗))(?![" HAN "])";
static const char year_re[] = "(?<![0-9])((?:19|20)[0-9]{2})年";

/* Words that end in 镇/县 but name no place: 全镇, 我县, 各乡镇, 小城镇.  A
 * name in the official list is never one of them (城关镇, 小榄镇). */
static bool generic_place(const char *s, size_t len)
{
    static const char *const first[] = {"各", "全", "我", "本", "该", "在", "每", "此", "乡",
                                        "集", "村", "小城", "小集", "重点", "建制", "中心",
                                        "特色", "附近", "周边", "所在", "全市", "全省"};
    for (size_t i = 0; i < sizeof first / sizeof first[0]; i++)
        if (!strncmp(s, first[i], strlen(first[i])))
            return true;
    /* 四是镇党委: an enumeration (X是) before the word 镇, not a name. */
    if (len >= 6 && !memcmp(s + 3, "是", 3))
        return true;
    if (len == 9 && !memcmp(s, "自治区", 9))
        return true;
    return len >= 6 && !memcmp(s + len - 6, "乡镇", 6);
}

static bool official(const hb_meta_t *m, const char *s, size_t len, hb_level_t level)
{
    hb_place_id_t ids[16];
    size_t n = m->div ? hb_division_find(m->div, s, len, ids, 16) : 0;
    for (size_t i = 0; i < n && i < 16; i++)
        if (hb_division_level(m->div, ids[i]) == level)
            return true;
    return false;
}

/* The first town name re finds: an official one, or one that is no generic
 * word.  Returns its offset (len when none). */
static size_t find_town(const hb_meta_t *m, hb_regex_t *re, const char *text, size_t len,
                        char *out, size_t outlen)
{
    size_t at = 0;
    while (at < len && hb_regex_match(re, text, len, at, 0) == 1) {
        PCRE2_SIZE *ov = hb_regex_ovector(re);
        const char *s = text + ov[2];
        size_t n = ov[3] - ov[2];
        at = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
        if (n >= outlen || (generic_place(s, n) && !official(m, s, n, HB_LEVEL_TOWN)))
            continue;
        memcpy(out, s, n);
        out[n] = '\0';
        return ov[2];
    }
    return len;
}

static size_t find_at(hb_regex_t *re, const char *text, size_t len)
{
    return hb_regex_match(re, text, len, 0, 0) == 1 ? hb_regex_ovector(re)[0] : len;
}

static int find_year(hb_regex_t *re, const char *text, size_t len)
{
    if (hb_regex_match(re, text, len, 0, 0) != 1)
        return 0;
    PCRE2_SIZE *ov = hb_regex_ovector(re);
    return atoi(text + ov[2]);
}

/* Cuts text to at most max bytes without splitting a UTF-8 sequence. */
static size_t head_len(const char *text, size_t len, size_t max)
{
    if (len <= max)
        return len;
    while (max > 0 && ((unsigned char)text[max] & 0xC0) == 0x80)
        max--;
    return max;
}

static void copy_field(char *dst, size_t dstlen, const char *s)
{
    snprintf(dst, dstlen, "%s", s);
}

/* ---- the --meta CSV ------------------------------------------------------
 *
 * Read as people save it: any encoding the reader accepts for reports (a
 * spreadsheet's GBK, a BOM), RFC 4180 quoting through libcsv, an optional
 * header row naming the columns in any order.  Without a header the columns
 * are file,town,county,year.  Every error names the file and the line the
 * row starts on. */
enum { COL_FILE, COL_TOWN, COL_COUNTY, COL_YEAR, NCOLS };
static const char *const col_names[NCOLS] = {"file", "town", "county", "year"};
#define CSV_MAX_FIELDS 32
#define CSV_MAX_BYTES (64u << 20)

typedef struct csv_load {
    hb_meta_t *m;
    const char *path;
    int line;      /* the line being parsed */
    int row_line;  /* the line the current row began on */
    char *field[CSV_MAX_FIELDS];
    size_t nfields;
    int col[NCOLS]; /* field index of each column, -1 when absent */
    bool first_row_done;
    size_t cap;
    int failed;
} csv_load_t;

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    return s;
}

static void csv_field(void *s, size_t len, void *data)
{
    csv_load_t *st = data;
    if (st->nfields < CSV_MAX_FIELDS)
        st->field[st->nfields] = hb_strndup(s ? s : "", s ? len : 0);
    st->nfields++;
}

static const char *csv_col(const csv_load_t *st, int c)
{
    int i = st->col[c];
    return i >= 0 && (size_t)i < st->nfields && i < CSV_MAX_FIELDS ? trim(st->field[i]) : "";
}

/* A header row names its columns (file first, or any order with a file
 * column); its names decide where each column is. */
static bool csv_header(csv_load_t *st)
{
    bool named = false;
    for (size_t i = 0; i < st->nfields && i < CSV_MAX_FIELDS; i++)
        named |= !strcasecmp(trim(st->field[i]), "file");
    if (!named)
        return false;
    for (int c = 0; c < NCOLS; c++) {
        st->col[c] = -1;
        for (size_t i = 0; i < st->nfields && i < CSV_MAX_FIELDS; i++)
            if (!strcasecmp(trim(st->field[i]), col_names[c]))
                st->col[c] = (int)i;
    }
    return true;
}

static int csv_name(csv_load_t *st, const char *what, const char *s, char *dst, size_t dstlen)
{
    if (strlen(s) >= dstlen) {
        hb_error("%s:%d: %s \"%s\" is longer than %zu bytes", st->path, st->row_line, what, s,
                 dstlen - 1);
        return -1;
    }
    copy_field(dst, dstlen, s);
    return 0;
}

static int csv_use_row(csv_load_t *st)
{
    bool blank = true;
    for (size_t i = 0; i < st->nfields && i < CSV_MAX_FIELDS; i++)
        blank &= !*trim(st->field[i]);
    if (blank)
        return 0;
    bool first = !st->first_row_done;
    st->first_row_done = true;
    if (first && csv_header(st))
        return 0;
    const char *file = csv_col(st, COL_FILE), *year = csv_col(st, COL_YEAR);
    if (!*file) {
        hb_error("%s:%d: no file name in this row; rows are file,town,county,year (a header "
                 "row may name the columns)", st->path, st->row_line);
        return -1;
    }
    hb_docmeta_t meta;
    memset(&meta, 0, sizeof meta);
    if (csv_name(st, "town", csv_col(st, COL_TOWN), meta.town, sizeof meta.town) ||
        csv_name(st, "county", csv_col(st, COL_COUNTY), meta.county, sizeof meta.county))
        return -1;
    if (*year) {
        char *end;
        long y = strtol(year, &end, 10);
        if (!strcmp(end, "年"))
            end += strlen("年");
        if (end == year || *end || y < 1900 || y > 2100) {
            hb_error("%s:%d: year \"%s\" is not a year between 1900 and 2100; fix the row "
                     "or leave the year empty", st->path, st->row_line, year);
            return -1;
        }
        meta.year = (int)y;
    }
    hb_meta_t *m = st->m;
    if (m->nrows == st->cap) {
        st->cap = st->cap ? st->cap * 2 : 64;
        m->rows = hb_realloc(m->rows, st->cap * sizeof *m->rows);
    }
    m->rows[m->nrows++] = meta;
    if (!hb_map_get(m->row_of, file))
        hb_map_put(m->row_of, file, (void *)(uintptr_t)m->nrows);
    return 0;
}

static void csv_row(int c, void *data)
{
    (void)c;
    csv_load_t *st = data;
    if (!st->failed && csv_use_row(st) != 0)
        st->failed = 1;
    for (size_t i = 0; i < st->nfields && i < CSV_MAX_FIELDS; i++)
        free(st->field[i]);
    st->nfields = 0;
}

static int load_csv(hb_meta_t *m, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        hb_error("%s: cannot open the metadata CSV: %s", path, strerror(errno));
        return -1;
    }
    hb_buf_t raw, text;
    hb_buf_init(&raw);
    hb_buf_init(&text);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && raw.len <= CSV_MAX_BYTES)
        hb_buf_append(&raw, chunk, n);
    int rc = ferror(f) ? -1 : 0;
    fclose(f);
    if (rc != 0 || raw.len > CSV_MAX_BYTES) {
        hb_error("%s: cannot read the metadata CSV: %s", path,
                 rc ? "read error" : "over 64 MB; is it the right file?");
        goto done;
    }
    hb_decode_result_t dec;
    if (raw.len && hb_decode(raw.data, raw.len, &text, &dec) != 0) {
        hb_error("%s: the metadata CSV is not text huibao can read (%s); save it as UTF-8 "
                 "or GBK", path, dec.reason);
        rc = -1;
        goto done;
    }
    struct csv_parser p;
    csv_load_t st = {.m = m, .path = path, .row_line = 1,
                     .col = {COL_FILE, COL_TOWN, COL_COUNTY, COL_YEAR}};
    csv_init(&p, CSV_STRICT | CSV_STRICT_FINI);
    /* One line at a time, so a row's first line is known for messages. */
    for (size_t at = 0; at < text.len && !st.failed;) {
        const char *nl = memchr(text.data + at, '\n', text.len - at);
        size_t len = nl ? (size_t)(nl - (text.data + at)) + 1 : text.len - at;
        st.line++;
        if (p.pstate == 0) /* no row begun: the next one starts on this line */
            st.row_line = st.line;
        if (csv_parse(&p, text.data + at, len, csv_field, csv_row, &st) != len) {
            hb_error("%s:%d: %s", path, st.line, csv_strerror(csv_error(&p)));
            st.failed = 1;
        }
        at += len;
    }
    if (!st.failed && csv_fini(&p, csv_field, csv_row, &st) != 0) {
        hb_error("%s:%d: a quoted field that starts here is never closed", path, st.row_line);
        st.failed = 1;
    }
    for (size_t i = 0; i < st.nfields && i < CSV_MAX_FIELDS; i++)
        free(st.field[i]);
    csv_free(&p);
    rc = st.failed ? -1 : 0;
done:
    hb_buf_release(&raw);
    hb_buf_release(&text);
    return rc;
}

static uint64_t *name_ends(const hb_division_t *d);

hb_meta_t *hb_meta_new(const char *csv, const hb_division_t *div)
{
    hb_meta_t *m = hb_calloc(1, sizeof *m);
    m->div = div;
    m->row_of = hb_map_new();
    if (hb_regex_compile(&m->town, town_re, 0, "read: town rule") ||
        hb_regex_compile(&m->masked, masked_re, 0, "read: masked-town rule") ||
        hb_regex_compile(&m->self, self_re, 0, "read: reporter rule") ||
        hb_regex_compile(&m->congress, congress_re, 0, "read: congress rule") ||
        hb_regex_compile(&m->year, year_re, 0, "read: year rule") ||
        hb_regex_compile(&m->path_town, path_town_re, 0, "read: town-in-path rule") ||
        hb_regex_compile(&m->path_county, path_county_re, 0, "read: county-in-path rule") ||
        (csv && load_csv(m, csv) != 0)) {
        hb_meta_free(m);
        return NULL;
    }
    m->ends = div ? name_ends(div) : NULL;
    return m;
}

void hb_meta_free(hb_meta_t *m)
{
    if (!m)
        return;
    hb_regex_free(&m->town);
    hb_regex_free(&m->masked);
    hb_regex_free(&m->self);
    hb_regex_free(&m->congress);
    hb_regex_free(&m->year);
    hb_regex_free(&m->path_town);
    hb_regex_free(&m->path_county);
    hb_map_free(m->row_of);
    free(m->rows);
    free(m->ends);
    free(m);
}

static const hb_docmeta_t *csv_lookup(const hb_meta_t *m, const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    /* The first row that names the path or its file name: one look-up each,
     * not a scan of the rows per document. */
    uintptr_t a = (uintptr_t)hb_map_get(m->row_of, path);
    uintptr_t b = (uintptr_t)hb_map_get(m->row_of, base);
    uintptr_t i = a && (!b || a < b) ? a : b;
    return i ? &m->rows[i - 1] : NULL;
}

/* ---- places from the division list ------------------------------------- */

typedef struct places {
    hb_place_id_t id[MAX_MENTIONS];
    size_t n;
} places_t;

static void add_place(places_t *p, hb_place_id_t id)
{
    for (size_t i = 0; i < p->n; i++)
        if (p->id[i] == id)
            return;
    if (p->n < MAX_MENTIONS)
        p->id[p->n++] = id;
}

/* How many Han characters (three bytes each, CJK punctuation excluded) end
 * at byte end, at most max. */
static size_t han_before(const char *s, size_t end, size_t max)
{
    size_t k = 0;
    while (k < max && end >= 3 * (k + 1)) {
        const unsigned char *c = (const unsigned char *)s + end - 3 * (k + 1);
        if (c[0] < 0xE3 || c[0] > 0xE9 || (c[0] == 0xE3 && c[1] < 0x90) ||
            (c[1] & 0xC0) != 0x80 || (c[2] & 0xC0) != 0x80)
            break;
        k++;
    }
    return k;
}

/* Official names of provinces, cities and counties in s: where a character
 * can end one (省 市 县 区 旗 州 盟), the longest name of at least min
 * characters that ends there.  all: every place of an ambiguous name (a
 * name the report gives for itself); else only names of one place (a name
 * it merely mentions: 朝阳区 could be in Beijing or Changchun). */
static uint64_t end_key(const char *two) /* two 3-byte characters */
{
    uint64_t k = 1; /* never 0, the empty slot */
    for (int i = 0; i < 6; i++)
        k = k << 8 | (unsigned char)two[i];
    return k;
}

static size_t end_slot(uint64_t key)
{
    return (size_t)((key * 0x9E3779B97F4A7C15ull) >> 50) & (END_SLOTS - 1);
}

static bool is_end(const uint64_t *ends, const char *two)
{
    uint64_t k = end_key(two);
    for (size_t i = end_slot(k);; i = (i + 1) & (END_SLOTS - 1))
        if (ends[i] == k || !ends[i])
            return ends[i] == k;
}

/* The set of the last two characters of every official name of a province,
 * city or county (places are ordered by level, those first). */
static uint64_t *name_ends(const hb_division_t *d)
{
    uint64_t *ends = hb_calloc(END_SLOTS, sizeof *ends);
    size_t n = hb_division_count(d), used = 0;
    for (hb_place_id_t id = 0; id < n && hb_division_level(d, id) <= HB_LEVEL_COUNTY; id++) {
        size_t len;
        const char *name = hb_division_name(d, id, &len);
        if (len < 6)
            continue;
        if (used >= END_SLOTS / 2) { /* a list this large: look every name up */
            free(ends);
            return NULL;
        }
        uint64_t k = end_key(name + len - 6);
        size_t i = end_slot(k);
        while (ends[i] && ends[i] != k)
            i = (i + 1) & (END_SLOTS - 1);
        used += !ends[i];
        ends[i] = k;
    }
    return ends;
}

static void scan_names(const hb_meta_t *m, const char *s, size_t len, size_t min, bool all,
                       places_t *out)
{
    const hb_division_t *d = m->div;
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i + 3 <= len; i++) {
        if (u[i] < 0xE5 || u[i] > 0xE7)
            continue;
        switch ((uint32_t)u[i] << 16 | (uint32_t)u[i + 1] << 8 | u[i + 2]) {
        case 0xE79C81: /* 省 */
        case 0xE5B882: /* 市 */
        case 0xE58EBF: /* 县 */
        case 0xE58CBA: /* 区 */
        case 0xE69797: /* 旗 */
        case 0xE5B79E: /* 州 */
        case 0xE79B9F: /* 盟 */
            break;
        default:
            continue;
        }
        size_t k = han_before(s, i + 3, 10);
        /* 全县, 社区, 景区: no official name ends so, no lookup */
        if (k < min || (m->ends && !is_end(m->ends, s + i - 3)))
            continue;
        for (; k >= min; k--) {
            hb_place_id_t ids[8];
            size_t n = hb_division_find(d, s + i + 3 - 3 * k, 3 * k, ids, 8), kept = 0;
            for (size_t j = 0; j < n && j < 8; j++)
                if (hb_division_level(d, ids[j]) <= HB_LEVEL_COUNTY)
                    ids[kept++] = ids[j];
            if (!kept)
                continue;
            if (all || kept == 1)
                for (size_t j = 0; j < kept; j++)
                    add_place(out, ids[j]);
            break;
        }
    }
}

/* Where in s (Han characters only) the first official name of a province,
 * city or county starts; n when none does. */
static size_t first_name_at(const hb_division_t *d, const char *s, size_t n)
{
    for (size_t at = 0; at + 6 <= n; at += 3)
        for (size_t k = (n - at) / 3; k >= 2; k--) {
            hb_place_id_t ids[8];
            size_t found = hb_division_find(d, s + at, 3 * k, ids, 8);
            for (size_t j = 0; j < found && j < 8; j++)
                if (hb_division_level(d, ids[j]) <= HB_LEVEL_COUNTY)
                    return at;
        }
    return n;
}

/* The places a report names for itself: the first match of re (group 1) in
 * text whose official names stand alone; returns where that name ends (0:
 * none).  What comes before the first name
 * may be a word (中共南江县委) but no organ or place of its own: in 湖州市委、
 * 市政府和县委 the run 市政府和县 ends in 和县 (a county of Anhui), which is no
 * name there. */
static size_t self_names(const hb_meta_t *m, hb_regex_t *re, const char *text, size_t len,
                         size_t from, places_t *out)
{
    static const char *const organ[] = {"省", "市", "县", "区", "州", "旗", "盟", "政府", "委",
                                        NULL};
    while (!out->n && from < len && hb_regex_match(re, text, len, from, 0) == 1) {
        PCRE2_SIZE *ov = hb_regex_ovector(re);
        const char *s = text + ov[2];
        size_t n = ov[3] - ov[2];
        from = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
        if (generic_place(s, n))
            continue;
        size_t at = first_name_at(m->div, s, n);
        bool organ_before = false;
        for (const char *const *w = organ; *w && !organ_before; w++)
            organ_before = memmem(s, at, *w, strlen(*w)) != NULL;
        if (at < n && !organ_before)
            scan_names(m, s + at, n - at, 2, true, out);
        if (out->n)
            return ov[3];
    }
    return 0;
}

static bool within(const hb_division_t *d, hb_place_id_t id, hb_place_id_t area);

/* A town named right after its county, in one run of ideographs that the
 * town rule cannot cut (安吉县天荒坪镇2023年工作总结, 浙江省湖州市安吉县天荒坪镇
 * 人民政府): the first official county name in text followed by an official
 * town of that county.  Writes the town's name to out, or leaves it empty. */
static void town_after_county(const hb_meta_t *m, const char *text, size_t len, char *out,
                              size_t outlen)
{
    static const char *const ends[] = {"镇", "乡", "街道", "苏木", NULL};
    const hb_division_t *d = m->div;
    for (size_t i = 0; i + 3 <= len; i++) {
        if (memcmp(text + i, "县", 3) && memcmp(text + i, "区", 3) && memcmp(text + i, "市", 3) &&
            memcmp(text + i, "旗", 3))
            continue;
        size_t after = i + 3;
        for (size_t k = han_before(text, after, 10); k >= 2; k--) {
            hb_place_id_t county[8];
            size_t nc = hb_division_find(d, text + after - 3 * k, 3 * k, county, 8);
            bool found = false;
            for (size_t c = 0; c < nc && c < 8; c++)
                found |= hb_division_level(d, county[c]) == HB_LEVEL_COUNTY;
            if (!found)
                continue;
            /* the town: two to six ideographs after it, ending as towns end */
            for (size_t t = after + 6; t <= after + 18 && t <= len; t += 3)
                for (const char *const *e = ends; *e; e++) {
                    size_t el = strlen(*e), n = t + el - 3 - after;
                    if (t + el - 3 > len || memcmp(text + t - 3, *e, el) ||
                        han_before(text, after + n, 8) < n / 3 || n >= outlen)
                        continue;
                    hb_place_id_t towns[HB_MAX_CANDIDATES];
                    size_t nt = hb_division_find(d, text + after, n, towns, HB_MAX_CANDIDATES);
                    for (size_t j = 0; j < nt && j < HB_MAX_CANDIDATES; j++)
                        for (size_t c = 0; c < nc && c < 8; c++)
                            if (hb_division_level(d, towns[j]) == HB_LEVEL_TOWN &&
                                hb_division_level(d, county[c]) == HB_LEVEL_COUNTY &&
                                within(d, towns[j], county[c])) {
                                memcpy(out, text + after, n);
                                out[n] = '\0';
                                return;
                            }
                }
            break;
        }
    }
}

static bool within(const hb_division_t *d, hb_place_id_t id, hb_place_id_t area)
{
    return hb_division_up(d, id, hb_division_level(d, area)) == area;
}

/* Keeps the ids that lie in one of the places of set (at that level, or any
 * when HB_LEVEL_NONE); keeps them all when none does. */
static size_t keep_within(const hb_division_t *d, hb_place_id_t *ids, size_t n,
                          const places_t *set, hb_level_t level)
{
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        bool in = false;
        for (size_t j = 0; j < set->n && !in; j++)
            in = (level == HB_LEVEL_NONE || hb_division_level(d, set->id[j]) == level) &&
                 within(d, ids[i], set->id[j]);
        if (in) {
            hb_place_id_t t = ids[kept];
            ids[kept++] = ids[i];
            ids[i] = t;
        }
    }
    return kept ? kept : n;
}

/* Keeps the towns whose official villages the text names most (村, 社区;
 * a report names its own villages, which rarely share every name with those
 * of another town of the same name).  Keeps them all when it names none. */
static size_t keep_by_villages(const hb_division_t *d, hb_place_id_t *ids, size_t n,
                               const char *text, size_t len)
{
    size_t hits[HB_MAX_CANDIDATES] = {0}, tried = 0;
    if (n > HB_MAX_CANDIDATES)
        n = HB_MAX_CANDIDATES;
    for (size_t i = 0; i + 3 <= len && tried < MAX_VILLAGE_MENTIONS; i++) {
        size_t end;
        if (!memcmp(text + i, "村", 3))
            end = i + 3;
        else if (i + 6 <= len && !memcmp(text + i, "社区", 6))
            end = i + 6;
        else
            continue;
        tried++;
        size_t k = han_before(text, i, 4);
        for (size_t c = 0; c < n; c++)
            for (size_t j = k; j >= 2; j--)
                if (hb_division_village(d, ids[c], text + i - 3 * j, end - i + 3 * j) !=
                    HB_NO_PLACE) {
                    hits[c]++;
                    break;
                }
    }
    size_t best = 0, kept = 0;
    for (size_t c = 0; c < n; c++)
        best = hits[c] > best ? hits[c] : best;
    if (!best)
        return n;
    for (size_t c = 0; c < n; c++)
        if (hits[c] == best)
            ids[kept++] = ids[c];
    return kept;
}

/* The smallest place that holds them all, or HB_NO_PLACE. */
static hb_place_id_t common_place(const hb_division_t *d, const hb_place_id_t *ids, size_t n)
{
    hb_place_id_t a = n ? ids[0] : HB_NO_PLACE;
    for (size_t i = 1; i < n && a != HB_NO_PLACE; i++)
        while (a != HB_NO_PLACE && !within(d, ids[i], a))
            a = hb_division_parent(d, a);
    return a;
}

/* From mentions alone: the deepest level down to which every mention (with
 * the places that hold it) agrees on one place, a city at most: the
 * counties a report merely mentions are as often its neighbours (麻阳、新晃、
 * 洪江市等多个县市区到我镇考察) as its own. */
static hb_place_id_t agreed_place(const hb_division_t *d, const places_t *p)
{
    hb_place_id_t place = HB_NO_PLACE;
    for (hb_level_t l = HB_LEVEL_PROVINCE; l <= HB_LEVEL_CITY; l++) {
        hb_place_id_t one = HB_NO_PLACE;
        bool seen = false;
        for (size_t i = 0; i < p->n; i++) {
            hb_place_id_t up = hb_division_up(d, p->id[i], l);
            if (up == HB_NO_PLACE)
                continue;
            if (seen && up != one)
                return place;
            one = up;
            seen = true;
        }
        if (!seen)
            return place;
        place = one;
    }
    return place;
}

static void set_name(const hb_division_t *d, hb_place_id_t id, char *dst, size_t dstlen)
{
    size_t n;
    const char *s = hb_division_name(d, id, &n);
    snprintf(dst, dstlen, "%.*s", id == HB_NO_PLACE ? 0 : (int)n, s);
}

typedef struct clues {
    const char *town;   /* the town's name as given, "" when none */
    places_t self;      /* places the report names for itself: head, path, metadata */
    places_t mentioned; /* places its text names */
} clues_t;

static void resolve(hb_meta_t *m, const clues_t *c, const char *text, size_t len,
                    hb_docmeta_t *out)
{
    const hb_division_t *d = m->div;
    hb_place_id_t ids[HB_MAX_CANDIDATES];
    size_t n = 0;
    if (*c->town) {
        size_t all = hb_division_find(d, c->town, strlen(c->town), ids, HB_MAX_CANDIDATES);
        for (size_t i = 0; i < all && i < HB_MAX_CANDIDATES; i++)
            if (hb_division_level(d, ids[i]) == HB_LEVEL_TOWN)
                ids[n++] = ids[i];
    }
    hb_place_id_t place;
    if (n) {
        n = keep_within(d, ids, n, &c->self, HB_LEVEL_NONE);
        for (hb_level_t l = HB_LEVEL_COUNTY; l >= HB_LEVEL_PROVINCE && n > 1; l--)
            n = keep_within(d, ids, n, &c->mentioned, l);
        if (n > 1)
            n = keep_by_villages(d, ids, n, text, len);
        place = common_place(d, ids, n);
        if (n > 1) {
            for (size_t i = 0; i < n; i++)
                hb_division_code(d, ids[i], m->candidates[i]);
            out->candidates = (const char (*)[13])m->candidates;
            out->ncandidates = n;
        }
    } else if (c->self.n) {
        /* The most specific of the names it gives itself, the ambiguous ones
         * narrowed by what the text mentions. */
        hb_level_t deepest = HB_LEVEL_NONE;
        for (size_t i = 0; i < c->self.n; i++)
            if (hb_division_level(d, c->self.id[i]) > deepest)
                deepest = hb_division_level(d, c->self.id[i]);
        for (size_t i = 0; i < c->self.n; i++)
            if (hb_division_level(d, c->self.id[i]) == deepest && n < HB_MAX_CANDIDATES)
                ids[n++] = c->self.id[i];
        for (hb_level_t l = deepest - 1; l >= HB_LEVEL_PROVINCE && n > 1; l--)
            n = keep_within(d, ids, n, &c->self, l);
        for (hb_level_t l = deepest - 1; l >= HB_LEVEL_PROVINCE && n > 1; l--)
            n = keep_within(d, ids, n, &c->mentioned, l);
        place = common_place(d, ids, n);
    } else {
        place = agreed_place(d, &c->mentioned);
    }
    set_name(d, hb_division_up(d, place, HB_LEVEL_PROVINCE), out->province, sizeof out->province);
    set_name(d, hb_division_up(d, place, HB_LEVEL_CITY), out->city, sizeof out->city);
    set_name(d, hb_division_up(d, place, HB_LEVEL_COUNTY), out->county, sizeof out->county);
    if (place != HB_NO_PLACE)
        hb_division_code(d, place, out->code);
    copy_field(out->town, sizeof out->town, c->town); /* official, or as written */
}

/* ---- who reports -------------------------------------------------------- */

static bool names_nation(const char *s, size_t len)
{
    return memmem(s, len, "国务院", 9) || memmem(s, len, "全国人民代表大会", 24);
}

/* A report the Premier gives, below a page's own title (政府工作报告_中国政府网):
 * its byline names the national congress (——…在第十四届全国人民代表大会第二次
 * 会议上), or it says 我代表国务院.  A province's report names 国务院 in its
 * head (在党中央、国务院的坚强领导下) but neither of these. */
static bool given_to_nation(const char *s, size_t len)
{
    static const char *const before[] = {"日", "—", "（", "(", "\n", NULL};
    const char *p = memmem(s, len, "届全国人民代表大会第", 30);
    /* 在第 one to three numerals before 届, itself after a date, a dash, a
     * bracket or at a line's start: a byline, not 李强总理在第…会议上 quoted */
    size_t end = p ? (size_t)(p - s) : 0;
    for (size_t digits = 3; p && digits <= 9 && digits + 6 <= end; digits += 3) {
        size_t at = end - digits - 6;
        if (memcmp(s + at, "在第", 6))
            continue;
        for (const char *const *b = before; *b; b++)
            if (at == 0 || (at >= strlen(*b) && !memcmp(s + at - strlen(*b), *b, strlen(*b))))
                return true;
    }
    return memmem(s, len, "我代表国务院", 18) != NULL;
}

/* By hb_level_t. */
static const char *const level_names[] = {NULL, "province", "city", "county", "town"};

/* The level a report speaks for most: 我镇, 全县, 本市, 全省 … counted over
 * the text; a tie goes to the lower level. */
static const char *spoken_level(const char *text, size_t len)
{
    static const struct {
        const char *word;
        int level;
    } words[] = {{"镇", 4}, {"乡", 4}, {"街道", 4}, {"县", 3}, {"区", 3}, {"旗", 3},
                 {"市", 2}, {"州", 2}, {"盟", 2}, {"省", 1}};
    size_t count[5] = {0};
    for (size_t i = 0; i + 6 <= len; i++) {
        if ((unsigned char)text[i] != 0xE6 && (unsigned char)text[i] != 0xE5)
            continue;
        if (memcmp(text + i, "我", 3) && memcmp(text + i, "全", 3) && memcmp(text + i, "本", 3))
            continue;
        for (size_t w = 0; w < sizeof words / sizeof words[0]; w++) {
            size_t n = strlen(words[w].word);
            if (i + 3 + n <= len && !memcmp(text + i + 3, words[w].word, n)) {
                count[words[w].level]++;
                break;
            }
        }
    }
    int best = 0;
    for (int l = 4; l >= 1; l--)
        if (count[l] > count[best])
            best = l;
    return level_names[best];
}

static const char *place_level(const hb_docmeta_t *out)
{
    return *out->town ? "town" : *out->county ? "county" : *out->city ? "city"
                               : *out->province ? "province" : NULL;
}

void hb_meta_derive(hb_meta_t *m, const char *path, const char *text, size_t len,
                    hb_docmeta_t *out)
{
    memset(out, 0, sizeof *out);
    size_t head = head_len(text, len, HEAD_BYTES);
    out->year = find_year(&m->year, text, head_len(text, len, YEAR_BYTES));
    len = head_len(text, len, BODY_BYTES);

    /* The path, when it is UTF-8 (the reader passes a sanitised one). */
    size_t plen = strlen(path);
    if (!hb_utf8_valid(path, plen, NULL))
        plen = 0;
    const char *base = strrchr(path, '/');
    base = base && plen ? base + 1 : path + (plen ? 0 : strlen(path));
    if (!out->year && plen) {
        for (const char *p = base; *p && !out->year; p++)
            if ((p == base || p[-1] < '0' || p[-1] > '9') &&
                (!strncmp(p, "19", 2) || !strncmp(p, "20", 2)) && p[2] >= '0' && p[2] <= '9' &&
                p[3] >= '0' && p[3] <= '9' && (p[4] < '0' || p[4] > '9'))
                out->year = atoi(p);
    }
    const hb_docmeta_t *row = m->nrows ? csv_lookup(m, path) : NULL;
    if (row && !out->year)
        out->year = row->year;

    /* A report of the State Council or the National People's Congress. */
    const char *nl = memchr(text, '\n', len);
    size_t first = head_len(text, nl ? (size_t)(nl - text) : len, FIRST_LINE_BYTES);
    if (names_nation(text, first) || names_nation(base, strlen(base)) ||
        given_to_nation(text, head)) {
        out->level = "national";
        return;
    }

    /* The reporter above the town, as the head names it: the congress it
     * reports to, else the first official name it gives itself.  A county's,
     * city's or province's 政府工作报告 (by its congress or its title) names
     * its towns as its own: none of them is the reporter. */
    places_t self = {{0}, 0};
    bool above_town = false;
    if (m->div) {
        const char *congress = memmem(text, head, "届人民代表大会", strlen("届人民代表大会"));
        if (congress) { /* the rule tried from just before it, not over the whole head */
            size_t back = (size_t)(congress - text);
            back = back > CONGRESS_BACK ? back - CONGRESS_BACK : 0;
            while (back > 0 && ((unsigned char)text[back] & 0xC0) == 0x80)
                back--;
            self_names(m, &m->congress, text, head, back, &self);
            above_town = self.n > 0;
        }
        if (!self.n) {
            size_t end = self_names(m, &m->self, text, head, 0, &self);
            above_town = end && (!strncmp(text + end, "人民政府工作报告", strlen("人民政府工作报告")) ||
                                 !strncmp(text + end, "政府工作报告", strlen("政府工作报告")));
        }
    }

    /* The town: the first name or masked name the text gives itself, else
     * the path's, else the metadata's. */
    char town[64] = "";
    bool masked = false;
    if (!above_town) {
        size_t at = find_town(m, &m->town, text, head, town, sizeof town);
        /* At the same start too: 某某镇 has the shape of a name as well. */
        size_t masked_at = find_at(&m->masked, text, head);
        masked = masked_at < head && masked_at <= at;
        if (masked)
            town[0] = '\0';
        else if (!town[0] && m->div)
            town_after_county(m, text, head, town, sizeof town);
    }
    if (!town[0] && plen)
        find_town(m, &m->path_town, path, plen, town, sizeof town);
    if (!town[0] && row)
        copy_field(town, sizeof town, row->town);

    clues_t c = {town, self, {{0}, 0}};
    char county[64] = "";
    size_t from = 0;
    while (!m->div && from < head && hb_regex_match(&m->self, text, head, from, 0) == 1) {
        PCRE2_SIZE *ov = hb_regex_ovector(&m->self);
        const char *s = text + ov[2];
        size_t n = ov[3] - ov[2];
        from = ov[1];
        if (generic_place(s, n))
            continue;
        if (n <= 12 && n < sizeof county && memcmp(s + n - 3, "州", 3) &&
            memcmp(s + n - 3, "盟", 3) && memcmp(s + n - 3, "省", 3)) {
            memcpy(county, s, n);
            county[n] = '\0';
            break;
        }
    }
    if (!m->div) {
        if (!county[0] && plen)
            find_town(m, &m->path_county, path, plen, county, sizeof county);
        if (!county[0] && row)
            copy_field(county, sizeof county, row->county);
        copy_field(out->town, sizeof out->town, town);
        copy_field(out->county, sizeof out->county, county);
    } else {
        if (plen)
            scan_names(m, path, plen, 2, true, &c.self);
        if (row && row->county[0])
            scan_names(m, row->county, strlen(row->county), 2, true, &c.self);
        scan_names(m, text, len, 3, false, &c.mentioned);
        resolve(m, &c, text, len, out);
    }
    out->level = town[0] || masked ? "town" : spoken_level(text, len);
    /* A county-level city speaks of 全市 and a district of 全区 as their
     * cities do: the place it names for itself, when deeper, says its level
     * (2024年醴陵市政府工作报告: county). */
    int spoken = 0;
    for (int l = 1; l <= 4 && out->level; l++)
        if (!strcmp(out->level, level_names[l]))
            spoken = l;
    for (size_t i = 0; m->div && i < c.self.n; i++) {
        int l = (int)hb_division_level(m->div, c.self.id[i]);
        if (l > spoken && l <= (int)HB_LEVEL_COUNTY) {
            spoken = l;
            out->level = level_names[l];
        }
    }
    if (!out->level)
        out->level = place_level(out);
}
