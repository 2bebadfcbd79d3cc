#include "hb_division.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hb_buf.h"
#include "hb_log.h"
#include "hb_mem.h"

/* The file: a header, the places, the hash buckets, the names.  Integers in
 * the machine's order (the index is built where it is used). */
#define MAGIC "HBDIV001"

typedef struct header {
    char magic[8];
    uint32_t n;           /* places */
    uint32_t nbuckets;    /* a power of two */
    uint32_t strings;     /* bytes of names */
    uint32_t start[7];    /* first id of each level (1 … 5); start[6] = n */
} header_t;

typedef struct rec {
    uint64_t code;
    uint32_t name;   /* offset into the names */
    uint32_t parent; /* id, or HB_NO_PLACE */
    uint32_t next;   /* next id in the same bucket, or HB_NO_PLACE */
    uint16_t len;
    uint8_t level;
    uint8_t pad;
} rec_t;

struct hb_division {
    void *map;
    size_t size;
    const header_t *h;
    const rec_t *recs;
    const uint32_t *buckets;
    const char *names;
};

static const int code_digits[] = {0, 2, 4, 6, 9, 12};

/* FNV-1a; a village's key mixes in its town, so that a lookup walks only
 * the villages of that name in that town. */
static uint32_t hash(const char *s, size_t len, uint32_t parent)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return parent == HB_NO_PLACE ? h : h ^ ((parent + 1) * 2654435761u);
}

/* ---- building ---------------------------------------------------------- */

typedef struct brec {
    uint64_t code, parent_code;
    uint32_t name, len;
    uint8_t level;
} brec_t;

static bool ends_with(const char *s, size_t len, const char *suffix, size_t *stem)
{
    size_t n = strlen(suffix);
    if (len < n || memcmp(s + len - n, suffix, n))
        return false;
    *stem = len - n;
    return true;
}

/* A village committee named as reports name the village (see the header). */
static void village_name(hb_buf_t *b, const char *s, size_t len)
{
    static const struct {
        const char *suffix, *as;
    } forms[] = {{"社区居民委员会", "社区"}, {"社区居委会", "社区"}, {"村民委员会", "村"},
                 {"村村委会", "村"},         {"村委会", "村"},         {"居民委员会", "社区"},
                 {"居委会", "社区"}};
    size_t stem;
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++)
        if (ends_with(s, len, forms[i].suffix, &stem) && stem > 0) {
            hb_buf_append(b, s, stem);
            hb_buf_append(b, forms[i].as, strlen(forms[i].as));
            return;
        }
    hb_buf_append(b, s, len);
}

/* Cities that stand for no named place. */
static bool unnamed_city(const char *s, size_t len)
{
    size_t stem;
    return (len == 9 && !memcmp(s, "市辖区", 9)) || (len == 3 && !memcmp(s, "县", 3)) ||
           ends_with(s, len, "直辖县级行政区划", &stem);
}

static int read_csv(const char *dir, const char *file, uint8_t level, brec_t **recs, size_t *n,
                    size_t *cap, hb_buf_t *names)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    FILE *f = fopen(path, "r");
    if (!f) {
        hb_error("%s: cannot open: %s (run tools/install-deps.sh)", path, strerror(errno));
        return -1;
    }
    char line[1024];
    int lineno = 0;
    while (fgets(line, sizeof line, f)) {
        if (++lineno == 1)
            continue; /* header */
        char *q1 = strchr(line, '"'), *q2 = q1 ? strchr(q1 + 1, '"') : NULL;
        char *end;
        errno = 0;
        unsigned long long code = strtoull(line, &end, 10);
        if (!q1 || !q2 || end == line || *end != ',' || errno ||
            end - line != code_digits[level]) {
            hb_error("%s:%d: expected code,\"name\",… with a code of %d digits", path, lineno,
                     code_digits[level]);
            fclose(f);
            return -1;
        }
        unsigned long long parent = 0;
        if (level > HB_LEVEL_PROVINCE) {
            char *p = q2 + 1;
            if (*p == ',')
                p++;
            parent = strtoull(p, &end, 10);
            if (end == p) {
                hb_error("%s:%d: no parent code after the name", path, lineno);
                fclose(f);
                return -1;
            }
        }
        if (*n == *cap) {
            *cap = *cap ? *cap * 2 : 1024;
            *recs = hb_realloc(*recs, *cap * sizeof **recs);
        }
        brec_t *r = &(*recs)[(*n)++];
        size_t at = names->len, len = (size_t)(q2 - q1 - 1);
        if (level == HB_LEVEL_VILLAGE)
            village_name(names, q1 + 1, len);
        else if (!(level == HB_LEVEL_CITY && unnamed_city(q1 + 1, len)))
            hb_buf_append(names, q1 + 1, len);
        *r = (brec_t){code, parent, (uint32_t)at, (uint32_t)(names->len - at), level};
    }
    bool err = ferror(f);
    fclose(f);
    if (err) {
        hb_error("%s: read error", path);
        return -1;
    }
    return 0;
}

static int by_level_code(const void *a, const void *b)
{
    const brec_t *x = a, *y = b;
    if (x->level != y->level)
        return x->level < y->level ? -1 : 1;
    return x->code < y->code ? -1 : x->code > y->code;
}

static uint32_t find_code(const brec_t *r, const uint32_t *start, uint8_t level, uint64_t code)
{
    uint32_t lo = start[level], hi = start[level + 1];
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (r[mid].code < code)
            lo = mid + 1;
        else if (r[mid].code > code)
            hi = mid;
        else
            return mid;
    }
    return HB_NO_PLACE;
}

int hb_division_build(const char *dir, const char *out)
{
    static const char *const files[] = {NULL,         "provinces.csv", "cities.csv",
                                        "areas.csv",  "streets.csv",   "villages.csv"};
    brec_t *br = NULL;
    size_t n = 0, cap = 0;
    hb_buf_t names;
    hb_buf_init(&names);
    int rc = -1;
    rec_t *recs = NULL;
    uint32_t *buckets = NULL;
    for (uint8_t l = HB_LEVEL_PROVINCE; l <= HB_LEVEL_VILLAGE; l++)
        if (read_csv(dir, files[l], l, &br, &n, &cap, &names) != 0)
            goto done;
    if (n >= HB_NO_PLACE || names.len >= UINT32_MAX) {
        hb_error("%s: too many places", dir);
        goto done;
    }
    qsort(br, n, sizeof *br, by_level_code);
    header_t h = {.n = (uint32_t)n, .strings = (uint32_t)names.len};
    memcpy(h.magic, MAGIC, 8);
    for (size_t i = 0, l = 1; l <= 6; l++) {
        while (i < n && br[i].level < l)
            i++;
        h.start[l] = (uint32_t)i;
    }
    h.nbuckets = 1024;
    while (h.nbuckets < 2 * n)
        h.nbuckets *= 2;
    recs = hb_calloc(n ? n : 1, sizeof *recs);
    buckets = hb_malloc(h.nbuckets * sizeof *buckets);
    memset(buckets, 0xff, h.nbuckets * sizeof *buckets);
    for (size_t i = 0; i < n; i++) {
        uint32_t parent = HB_NO_PLACE;
        uint8_t l = br[i].level;
        if (l > HB_LEVEL_PROVINCE) {
            parent = find_code(br, h.start, (uint8_t)(l - 1), br[i].parent_code);
            if (parent == HB_NO_PLACE && l == HB_LEVEL_TOWN) /* a city without counties */
                parent = find_code(br, h.start, HB_LEVEL_CITY, br[i].code / 100000);
            if (parent == HB_NO_PLACE) {
                hb_error("%s/%s: %llu names the parent %llu, which is not in the list", dir,
                         files[l], (unsigned long long)br[i].code,
                         (unsigned long long)br[i].parent_code);
                goto done;
            }
        }
        recs[i] = (rec_t){br[i].code, br[i].name, parent, HB_NO_PLACE, (uint16_t)br[i].len, l, 0};
    }
    /* Chains in increasing id order: insert from the last. */
    for (size_t i = n; i-- > 0;) {
        if (!recs[i].len)
            continue;
        uint32_t b = hash(names.data + recs[i].name, recs[i].len,
                          recs[i].level == HB_LEVEL_VILLAGE ? recs[i].parent : HB_NO_PLACE) &
                     (h.nbuckets - 1);
        recs[i].next = buckets[b];
        buckets[b] = (uint32_t)i;
    }
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", out);
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        hb_error("%s: cannot create: %s", tmp, strerror(errno));
        goto done;
    }
    bool ok = fwrite(&h, sizeof h, 1, f) == 1 && (!n || fwrite(recs, sizeof *recs, n, f) == n) &&
              fwrite(buckets, sizeof *buckets, h.nbuckets, f) == h.nbuckets &&
              (!names.len || fwrite(names.data, 1, names.len, f) == names.len);
    if (fclose(f) != 0 || !ok || rename(tmp, out) != 0) {
        hb_error("%s: cannot write the index: %s", out, strerror(errno));
        unlink(tmp);
        goto done;
    }
    rc = 0;
done:
    free(br);
    free(recs);
    free(buckets);
    hb_buf_release(&names);
    return rc;
}

/* ---- reading ----------------------------------------------------------- */

hb_division_t *hb_division_open(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        hb_error("%s: cannot open the division index: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    void *map = MAP_FAILED;
    if (fstat(fd, &st) == 0 && (size_t)st.st_size >= sizeof(header_t))
        map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (map == MAP_FAILED) {
        hb_error("%s: not a division index (too short or unreadable)", path);
        return NULL;
    }
    hb_division_t *d = hb_calloc(1, sizeof *d);
    d->map = map;
    d->size = (size_t)st.st_size;
    d->h = map;
    const header_t *h = d->h;
    bool ok = !memcmp(h->magic, MAGIC, 8) && h->start[6] == h->n &&
              (uint64_t)sizeof *h + (uint64_t)h->n * sizeof(rec_t) +
                      (uint64_t)h->nbuckets * sizeof(uint32_t) + h->strings ==
                  d->size &&
              h->nbuckets && !(h->nbuckets & (h->nbuckets - 1));
    for (int l = 1; ok && l < 6; l++)
        ok = h->start[l] <= h->start[l + 1];
    if (ok) {
        d->recs = (const rec_t *)(h + 1);
        d->buckets = (const uint32_t *)(d->recs + h->n);
        d->names = (const char *)(d->buckets + h->nbuckets);
        for (uint32_t i = 0; ok && i < h->nbuckets; i++)
            ok = d->buckets[i] == HB_NO_PLACE || d->buckets[i] < h->n;
        for (uint32_t i = 0; ok && i < h->n; i++) {
            const rec_t *r = &d->recs[i];
            ok = (uint64_t)r->name + r->len <= h->strings && r->level >= 1 && r->level <= 5 &&
                 (r->next == HB_NO_PLACE || r->next > i) &&
                 (r->parent == HB_NO_PLACE ? r->level == 1 : r->parent < i);
        }
    }
    if (!ok) {
        hb_error("%s: not a division index of this version (rebuild it: make)", path);
        hb_division_free(d);
        return NULL;
    }
    return d;
}

void hb_division_free(hb_division_t *d)
{
    if (!d)
        return;
    munmap(d->map, d->size);
    free(d);
}

const char *hb_division_default(char *buf, size_t len)
{
    const char *env = getenv("HB_DIVISION");
    if (env && *env) {
        snprintf(buf, len, "%s", env);
        return access(buf, R_OK) == 0 ? buf : NULL;
    }
    snprintf(buf, len, "data/division.idx");
    if (access(buf, R_OK) == 0)
        return buf;
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return NULL;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0';
    static const char *const where[] = {"%s/../data/division.idx", "%s/../../data/division.idx",
                                        "%s/../share/huibao/division.idx"};
    for (size_t i = 0; i < sizeof where / sizeof where[0]; i++) {
        int k = snprintf(buf, len, where[i], exe);
        if (k > 0 && (size_t)k < len && access(buf, R_OK) == 0)
            return buf;
    }
    return NULL;
}

size_t hb_division_find(const hb_division_t *d, const char *name, size_t len, hb_place_id_t *out,
                        size_t max)
{
    size_t k = 0;
    if (!len)
        return 0;
    for (uint32_t i = d->buckets[hash(name, len, HB_NO_PLACE) & (d->h->nbuckets - 1)];
         i != HB_NO_PLACE; i = d->recs[i].next) {
        const rec_t *r = &d->recs[i];
        if (r->level < HB_LEVEL_VILLAGE && r->len == len && !memcmp(d->names + r->name, name, len)) {
            if (k < max)
                out[k] = i;
            k++;
        }
    }
    return k;
}

hb_place_id_t hb_division_village(const hb_division_t *d, hb_place_id_t town, const char *name,
                                  size_t len)
{
    if (town >= d->h->n || !len)
        return HB_NO_PLACE;
    for (uint32_t i = d->buckets[hash(name, len, town) & (d->h->nbuckets - 1)]; i != HB_NO_PLACE;
         i = d->recs[i].next) {
        const rec_t *r = &d->recs[i];
        if (r->level == HB_LEVEL_VILLAGE && r->parent == town && r->len == len &&
            !memcmp(d->names + r->name, name, len))
            return i;
    }
    return HB_NO_PLACE;
}

hb_place_id_t hb_division_by_code(const hb_division_t *d, const char *code, size_t len)
{
    uint64_t c = 0;
    for (size_t i = 0; i < len; i++) {
        if (code[i] < '0' || code[i] > '9')
            return HB_NO_PLACE;
        c = c * 10 + (uint64_t)(code[i] - '0');
    }
    for (uint8_t l = HB_LEVEL_PROVINCE; l <= HB_LEVEL_VILLAGE; l++)
        if ((size_t)code_digits[l] == len) {
            uint32_t lo = d->h->start[l], hi = d->h->start[l + 1];
            while (lo < hi) {
                uint32_t mid = lo + (hi - lo) / 2;
                if (d->recs[mid].code < c)
                    lo = mid + 1;
                else if (d->recs[mid].code > c)
                    hi = mid;
                else
                    return mid;
            }
        }
    return HB_NO_PLACE;
}

hb_level_t hb_division_level(const hb_division_t *d, hb_place_id_t id)
{
    return id < d->h->n ? (hb_level_t)d->recs[id].level : HB_LEVEL_NONE;
}

hb_place_id_t hb_division_parent(const hb_division_t *d, hb_place_id_t id)
{
    return id < d->h->n ? d->recs[id].parent : HB_NO_PLACE;
}

hb_place_id_t hb_division_up(const hb_division_t *d, hb_place_id_t id, hb_level_t level)
{
    while (id < d->h->n && d->recs[id].level > level)
        id = d->recs[id].parent;
    return id < d->h->n && d->recs[id].level == level ? id : HB_NO_PLACE;
}

const char *hb_division_name(const hb_division_t *d, hb_place_id_t id, size_t *len)
{
    *len = id < d->h->n ? d->recs[id].len : 0;
    return id < d->h->n ? d->names + d->recs[id].name : "";
}

const char *hb_division_code(const hb_division_t *d, hb_place_id_t id, char buf[13])
{
    buf[0] = '\0';
    if (id < d->h->n)
        snprintf(buf, 13, "%0*llu", code_digits[d->recs[id].level],
                 (unsigned long long)d->recs[id].code);
    return buf;
}

size_t hb_division_count(const hb_division_t *d)
{
    return d->h->n;
}
