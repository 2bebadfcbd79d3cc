/* meta: where a report comes from, who reports, and its year.
 *
 * The town: what the text says near its start (潭下镇2021年上半年…, 元潭镇党委),
 * else what the path says (…/元潭镇/2022.txt), else the metadata CSV given
 * with --meta (file,town,county,year).  A masked name (*镇, xx镇, 某镇) is no
 * name, and is never guessed back.
 *
 * With the official division list (hb_division.h) the names become places:
 * province, city, county, town and the code of the most specific one.  A
 * town name that several counties share is resolved by what the report also
 * names (a county, city or province in its text, path or metadata), then by
 * its villages; when still ambiguous the code stops at what the candidates
 * share and candidates lists their codes.  Without the list, town and county
 * are the names as written and the other places stay unknown.
 *
 * The level (who reports) is national for a report of the State Council or
 * the National People's Congress, town when a town names itself, else the
 * level the report speaks for most (我县, 全市 …).
 *
 * The rules compile once in hb_meta_new; hb_meta_free frees them and the CSV. */
#ifndef HB_META_H
#define HB_META_H

#include <stddef.h>

#include "hb_division.h"

/* Towns of one name, at most (城关镇: 88). */
#define HB_MAX_CANDIDATES 128

typedef struct hb_docmeta {
    char province[64], city[64], county[64], town[64]; /* "" when unknown */
    char code[13];       /* 2, 4, 6 or 9 digits; "" when no place is known */
    const char *level;   /* "national" … "town", NULL when unknown; static */
    /* The codes of the towns an ambiguous name may be: points into the
     * hb_meta_t, valid until its next hb_meta_derive. */
    const char (*candidates)[13];
    size_t ncandidates;
    int year;            /* 0 when unknown */
} hb_docmeta_t;

typedef struct hb_meta hb_meta_t;

/* csv and div may be NULL; div is not owned and must outlive the result.
 * Returns NULL after logging "FILE:LINE: problem". */
hb_meta_t *hb_meta_new(const char *csv, const hb_division_t *div);
void hb_meta_free(hb_meta_t *m);
/* text must be valid UTF-8; a path that is not is not used. */
void hb_meta_derive(hb_meta_t *m, const char *path, const char *text, size_t len,
                    hb_docmeta_t *out);

#endif
