/* fuzz_places: unit text -> hb_places_extract (the villages a unit names).
 *
 * Input: any bytes; like huibao-classify, text that is not valid UTF-8 is
 * rejected first.  Checks:
 *   - n <= max; every name is non-empty, inside the text, valid UTF-8 and
 *     ends in 村 or 社区;
 *   - names are distinct and in order of first mention;
 *   - a smaller max gives a prefix of the full result. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "hb_utf8.h"
#include "places.h"



static int ends_with(const hb_place_t *p, const char *w)
{
    size_t n = strlen(w);
    return p->len >= n && !memcmp(p->s + p->len - n, w, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static hb_places_t *pl;
    static hb_place_t full[HB_MAX_PLACES], part[HB_MAX_PLACES];
    if (!pl) {
        pl = hb_places_new();
        FUZZ_CHECK(pl != NULL);
    }
    const char *text = (const char *)data;
    if (!hb_utf8_valid(text, size, NULL))
        return 0;
    size_t n = hb_places_extract(pl, text, size, full, HB_MAX_PLACES);
    FUZZ_CHECK(n <= HB_MAX_PLACES);
    for (size_t i = 0; i < n; i++) {
        const hb_place_t *p = &full[i];
        FUZZ_CHECK(p->s != NULL && p->len > 0);
        FUZZ_CHECK(p->s >= text && p->s <= text + size && p->len <= (size_t)(text + size - p->s));
        FUZZ_CHECK(hb_utf8_valid(p->s, p->len, NULL));
        FUZZ_CHECK(ends_with(p, "村") || ends_with(p, "社区"));
        for (size_t j = 0; j < i; j++) {
            FUZZ_CHECK(full[j].len != p->len || memcmp(full[j].s, p->s, p->len));
            FUZZ_CHECK(full[j].s < p->s);
        }
    }
    size_t max = size ? 1 + data[0] % 4 : 1;
    size_t m = hb_places_extract(pl, text, size, part, max);
    FUZZ_CHECK(m == (n < max ? n : max));
    for (size_t i = 0; i < m; i++)
        FUZZ_CHECK(part[i].s == full[i].s && part[i].len == full[i].len);
    return 0;
}
