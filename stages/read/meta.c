#include "meta.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static int load_csv(hb_meta_t *m, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        hb_error("%s: cannot open the metadata CSV: %s", path, strerror(errno));
        return -1;
    }
    char line[4096];
    int lineno = 0;
    size_t cap = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (!*line || (lineno == 1 && !strncmp(line, "file,", 5)))
            continue; /* blank line or header */
        char *fields[4] = {NULL, NULL, NULL, NULL};
        char *p = line;
        int n = 0;
        while (n < 4) {
            fields[n++] = p;
            char *comma = strchr(p, ',');
            if (!comma)
                break;
            *comma = '\0';
            p = comma + 1;
        }
        if (n < 2 || !*fields[0]) {
            hb_error("%s:%d: expected file,town,county,year", path, lineno);
            fclose(f);
            return -1;
        }
        if (m->nrows == cap) {
            cap = cap ? cap * 2 : 64;
            m->rows = hb_realloc(m->rows, cap * sizeof *m->rows);
        }
        csv_row_t *r = &m->rows[m->nrows++];
        memset(r, 0, sizeof *r);
        r->key = hb_strdup(fields[0]);
        copy_field(r->meta.town, sizeof r->meta.town, fields[1] ? fields[1] : "");
        copy_field(r->meta.county, sizeof r->meta.county, fields[2] ? fields[2] : "");
        if (fields[3] && *fields[3]) {
            char *end;
            long y = strtol(fields[3], &end, 10);
            if (*end || y < 1900 || y > 2100) {
                hb_error("%s:%d: year \"%s\" is not a year between 1900 and 2100", path, lineno,
                         fields[3]);
                fclose(f);
                return -1;
            }
            r->meta.year = (int)y;
        }
    }
    fclose(f);
    return 0;
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
