/* meta: which town, county and year a report is about.
 *
 * In order: what the text says near its start (潭下镇2021年上半年…, 元潭镇党委),
 * else what the path says (…/元潭镇/2022.txt), else the metadata CSV given
 * with --meta (file,town,county,year).  A masked name (*镇, xx镇) is no name.
 * The rules compile once in hb_meta_new; hb_meta_free frees them and the CSV. */
#ifndef HB_META_H
#define HB_META_H

#include <stddef.h>

typedef struct hb_docmeta {
    char town[64];   /* "" when unknown */
    char county[64];
    int year;        /* 0 when unknown */
} hb_docmeta_t;

typedef struct hb_meta hb_meta_t;

/* csv may be NULL.  Returns NULL after logging "FILE:LINE: problem". */
hb_meta_t *hb_meta_new(const char *csv);
void hb_meta_free(hb_meta_t *m);
/* text must be valid UTF-8; a path that is not is not used. */
void hb_meta_derive(hb_meta_t *m, const char *path, const char *text, size_t len,
                    hb_docmeta_t *out);

#endif
