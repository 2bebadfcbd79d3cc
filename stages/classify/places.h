/* places: the villages (and communities) a unit names.
 *
 *   在百安村种植柚果、玫瑰  -> 百安村
 *   小渔溪村、木叶溪社区    -> 小渔溪村, 木叶溪社区
 *
 * A name is two or three Han characters before 村 or 社区, starting after a
 * non-Han character or a preposition; kinds of village (示范村, 贫困村, 行政村)
 * and collective words (全村, 各村) are not names.  The rule compiles once;
 * results point into the text.  One extractor serves one thread. */
#ifndef HB_PLACES_H
#define HB_PLACES_H

#include <stddef.h>

#define HB_MAX_PLACES 64

typedef struct hb_place {
    const char *s;
    size_t len;
} hb_place_t;

typedef struct hb_places hb_places_t;

hb_places_t *hb_places_new(void); /* NULL if the rule fails to compile (logged) */
void hb_places_free(hb_places_t *p);
/* Distinct names in order of first mention; returns how many (at most max). */
size_t hb_places_extract(hb_places_t *p, const char *text, size_t len, hb_place_t *out,
                         size_t max);

#endif
