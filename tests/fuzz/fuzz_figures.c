/* fuzz_figures: unit text -> hb_figures_extract with configs/figures.conf.
 *
 * Input: any bytes; like huibao-classify, text that is not valid UTF-8 is
 * rejected before extraction.  Checks:
 *   - n <= max; every raw is non-empty, lies inside the text, is valid UTF-8;
 *     figures come in order and do not overlap;
 *   - unit is a NUL-terminated, valid UTF-8 string that fits its array;
 *   - approx is NULL or one of the configured meanings;
 *   - an unmasked value, its base_value (and a range's max) are finite and not
 *     negative; base_unit is NULL or a non-empty UTF-8 string;
 *   - subject, when said, is valid UTF-8 in the text before the figure;
 *   - extracting with a smaller max gives a prefix of the full result;
 *   - told truly whether 十, 百 or 千 and 某 occur (hb_figures_extract_known, as
 *     classify's keyword pass tells it), the same figures.
 * The rules load once, from $HB_FUZZ_CONFIGS (default: the repository's
 * configs/). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "figures.h"
#include "hb_utf8.h"

#ifndef HB_FUZZ_CONFIGS
#define HB_FUZZ_CONFIGS "configs"
#endif



static hb_figure_t full[HB_MAX_FIGURES], part[HB_MAX_FIGURES];

static int known_approx(const char *a)
{
    static const char *const meanings[] = {"约", "超过", "近", "余", "多", "左右"};
    if (!a)
        return 1;
    for (size_t i = 0; i < sizeof meanings / sizeof meanings[0]; i++)
        if (!strcmp(a, meanings[i]))
            return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static hb_figures_t *fig;
    if (!fig) {
        const char *dir = getenv("HB_FUZZ_CONFIGS");
        char path[4096];
        snprintf(path, sizeof path, "%s/figures.conf", dir ? dir : HB_FUZZ_CONFIGS);
        fig = hb_figures_load(path);
        FUZZ_CHECK(fig != NULL);
    }
    const char *text = (const char *)data;
    if (!hb_utf8_valid(text, size, NULL))
        return 0;

    size_t n = hb_figures_extract(fig, text, size, full, HB_MAX_FIGURES);
    FUZZ_CHECK(n <= HB_MAX_FIGURES);
    const char *prev_end = text;
    for (size_t i = 0; i < n; i++) {
        const hb_figure_t *f = &full[i];
        FUZZ_CHECK(f->raw != NULL && f->raw_len > 0);
        FUZZ_CHECK(f->raw >= text && f->raw <= text + size &&
                   f->raw_len <= (size_t)(text + size - f->raw));
        FUZZ_CHECK(f->raw >= prev_end);
        prev_end = f->raw + f->raw_len;
        FUZZ_CHECK(hb_utf8_valid(f->raw, f->raw_len, NULL));
        size_t ulen = strnlen(f->unit, sizeof f->unit);
        FUZZ_CHECK(ulen < sizeof f->unit);
        FUZZ_CHECK(hb_utf8_valid(f->unit, ulen, NULL));
        FUZZ_CHECK(known_approx(f->approx));
        if (!f->masked)
            FUZZ_CHECK(isfinite(f->value) && f->value >= 0 && isfinite(f->base_value) &&
                       f->base_value >= 0);
        if (f->base_unit)
            FUZZ_CHECK(*f->base_unit && hb_utf8_valid(f->base_unit, strlen(f->base_unit), NULL));
        if (f->has_max)
            FUZZ_CHECK(isfinite(f->max) && f->max >= 0);
        /* what was counted: words of the text before the figure */
        if (f->subject_len) {
            FUZZ_CHECK(f->subject >= text && f->subject + f->subject_len <= f->raw);
            FUZZ_CHECK(hb_utf8_valid(f->subject, f->subject_len, NULL));
        }
    }

    int units = memmem(text, size, "十", 3) || memmem(text, size, "百", 3) ||
                memmem(text, size, "千", 3);
    int mou = memmem(text, size, "某", 3) != NULL;
    size_t k = hb_figures_extract_known(fig, text, size, units, mou, part, HB_MAX_FIGURES);
    FUZZ_CHECK(k == n);
    for (size_t i = 0; i < k; i++) {
        FUZZ_CHECK(part[i].raw == full[i].raw && part[i].raw_len == full[i].raw_len);
        FUZZ_CHECK(part[i].masked == full[i].masked && part[i].value == full[i].value);
        FUZZ_CHECK(strcmp(part[i].unit, full[i].unit) == 0);
    }

    /* A smaller max stops early and keeps the same first figures. */
    size_t max = size ? 1 + data[0] % 4 : 1;
    size_t m = hb_figures_extract(fig, text, size, part, max);
    FUZZ_CHECK(m <= max);
    FUZZ_CHECK(m == (n < max ? n : max));
    for (size_t i = 0; i < m; i++) {
        FUZZ_CHECK(part[i].raw == full[i].raw && part[i].raw_len == full[i].raw_len);
        FUZZ_CHECK(part[i].masked == full[i].masked);
        FUZZ_CHECK(strcmp(part[i].unit, full[i].unit) == 0);
    }
    return 0;
}
