#include "meta.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <csv.h>

#include "decode.h"
#include "hb_buf.h"
#include "hb_log.h"
#include "hb_mem.h"
#include "hb_regex.h"
#include "hb_utf8.h"

/* Han ideographs.  Not \\p{Han}: PCRE2 matches that by script extension,
 * which takes in the CJK punctuation (、，) that separates names. */
#define HAN "\\x{3400}-\\x{4DBF}\\x{4E00}-\\x{9FFF}" /* a class body: use as "[" HAN "]" */

/* How far into the text a report names itself. */
#define HEAD_BYTES 1500
#define YEAR_BYTES 400

typedef struct csv_row {
    char *key; /* the file column as written */
    hb_docmeta_t meta;
} csv_row_t;

struct hb_meta {
    hb_regex_t town, county, year;
    hb_regex_t path_town, path_county; /* a folder or file named after the place */
    csv_row_t *rows;
    size_t nrows;
};

/* A place name ends in 镇/乡/街道 and is followed by what reports say of it.
 * It must start after a non-Han character: inside a run of Han characters
 * its start cannot be told (…领导下元潭镇党委, 紧紧围绕县委).  Names of towns
 * and counties are two or three characters before 镇/县. */
static const char town_re[] =
    "(?<![" HAN "])([" HAN "]{2,3}?(?:镇|乡|街道|苏木))"
    "(?=党委|人民政府|政府|(?:19|20)[0-9]{2}年|上半年|下半年|全年|今年|半年|工作|在|坚持|始终|紧紧)";
static const char county_re[] =
    "(?<![" HAN "])([" HAN "]{2,3}?(?:县|区|市|旗))(?=委|人民政府|政府|(?:19|20)[0-9]{2}年)";
static const char path_town_re[] =
    "(?<![" HAN "])([" HAN "]{2,6}?(?:镇|乡|街道|苏木))(?![" HAN "])";
static const char path_county_re[] = "(?<![" HAN "])([" HAN "]{2,6}?(?:县|区|旗))(?![" HAN "])";
static const char year_re[] = "(?<![0-9])((?:19|20)[0-9]{2})年";

/* Words that end in 镇/县 but name no place: 全镇, 我县, 各乡镇, 集镇. */
static bool generic_place(const char *s, size_t len)
{
    static const char *const first[] = {"各", "全", "我", "本", "该", "在", "每", "此", "乡", "集",
                                        "城", "村", "小", "重点", "建制", "中心", "特色", "附近",
                                        "周边", "所在", "全市", "全省"};
    for (size_t i = 0; i < sizeof first / sizeof first[0]; i++)
        if (!strncmp(s, first[i], strlen(first[i])))
            return true;
    /* 四是镇党委: an enumeration (X是) before the word 镇, not a name. */
    if (len >= 6 && !memcmp(s + 3, "是", 3))
        return true;
    return len >= 6 && !memcmp(s + len - 6, "乡镇", 6);
}

static bool find_place(hb_regex_t *re, const char *text, size_t len, char *out, size_t outlen)
{
    size_t at = 0;
    while (at < len && hb_regex_match(re, text, len, at, 0) == 1) {
        PCRE2_SIZE *ov = hb_regex_ovector(re);
        const char *s = text + ov[2];
        size_t n = ov[3] - ov[2];
        at = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
        if (generic_place(s, n) || n >= outlen)
            continue;
        memcpy(out, s, n);
        out[n] = '\0';
        return true;
    }
    return false;
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
    m->rows[m->nrows].key = hb_strdup(file);
    m->rows[m->nrows++].meta = meta;
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

hb_meta_t *hb_meta_new(const char *csv)
{
    hb_meta_t *m = hb_calloc(1, sizeof *m);
    if (hb_regex_compile(&m->town, town_re, 0, "read: town rule") ||
        hb_regex_compile(&m->county, county_re, 0, "read: county rule") ||
        hb_regex_compile(&m->year, year_re, 0, "read: year rule") ||
        hb_regex_compile(&m->path_town, path_town_re, 0, "read: town-in-path rule") ||
        hb_regex_compile(&m->path_county, path_county_re, 0, "read: county-in-path rule") ||
        (csv && load_csv(m, csv) != 0)) {
        hb_meta_free(m);
        return NULL;
    }
    return m;
}

void hb_meta_free(hb_meta_t *m)
{
    if (!m)
        return;
    hb_regex_free(&m->town);
    hb_regex_free(&m->county);
    hb_regex_free(&m->year);
    hb_regex_free(&m->path_town);
    hb_regex_free(&m->path_county);
    for (size_t i = 0; i < m->nrows; i++)
        free(m->rows[i].key);
    free(m->rows);
    free(m);
}

static const hb_docmeta_t *csv_lookup(const hb_meta_t *m, const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    for (size_t i = 0; i < m->nrows; i++)
        if (!strcmp(m->rows[i].key, path) || !strcmp(m->rows[i].key, base))
            return &m->rows[i].meta;
    return NULL;
}

void hb_meta_derive(hb_meta_t *m, const char *path, const char *text, size_t len,
                    hb_docmeta_t *out)
{
    memset(out, 0, sizeof *out);
    size_t head = head_len(text, len, HEAD_BYTES);
    find_place(&m->town, text, head, out->town, sizeof out->town);
    find_place(&m->county, text, head, out->county, sizeof out->county);
    out->year = find_year(&m->year, text, head_len(text, len, YEAR_BYTES));

    /* The path, when it is UTF-8 (the reader passes a sanitised one). */
    size_t plen = strlen(path);
    if (!hb_utf8_valid(path, plen, NULL))
        plen = 0;
    if (!out->town[0])
        find_place(&m->path_town, path, plen, out->town, sizeof out->town);
    if (!out->county[0])
        find_place(&m->path_county, path, plen, out->county, sizeof out->county);
    if (!out->year && plen) {
        const char *base = strrchr(path, '/');
        base = base ? base + 1 : path;
        for (const char *p = base; *p && !out->year; p++)
            if ((p == base || p[-1] < '0' || p[-1] > '9') &&
                (!strncmp(p, "19", 2) || !strncmp(p, "20", 2)) && p[2] >= '0' && p[2] <= '9' &&
                p[3] >= '0' && p[3] <= '9' && (p[4] < '0' || p[4] > '9'))
                out->year = atoi(p);
    }
    const hb_docmeta_t *row = m->nrows ? csv_lookup(m, path) : NULL;
    if (row) {
        if (!out->town[0])
            copy_field(out->town, sizeof out->town, row->town);
        if (!out->county[0])
            copy_field(out->county, sizeof out->county, row->county);
        if (!out->year)
            out->year = row->year;
    }
}
