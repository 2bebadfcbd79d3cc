/* fuzz_classify: a unit (text, section headings, overview flag) -> hb_classify
 * with configs/topics.conf.
 *
 * Input: the low bit of the first byte is the overview flag; the rest is the
 * unit text, then its section headings, separated by '\n' (at most 16
 * headings, like huibao-classify).  Like the stage, a unit whose text or a
 * heading is not valid UTF-8 is rejected before scoring.  Checks:
 *   - main is -1 or a valid topic index, and main == t[0].topic when n > 0,
 *     main == -1 when n == 0;
 *   - n <= number of topics; topics are distinct valid indices with ids;
 *   - every score is in [0, 1] (not NaN), best first, and they sum to ~1 at most;
 *   - classifying the same unit twice gives the same result (no scratch
 *     state leaks from one unit into the next).
 * The rules load once, from $HB_FUZZ_CONFIGS (default: configs/). */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "classifier.h"
#include "hb_utf8.h"

#ifndef HB_FUZZ_CONFIGS
#define HB_FUZZ_CONFIGS "configs"
#endif


#define MAX_SECTION 16


static void check_topics(const hb_classifier_t *cl, const hb_topics_t *t)
{
    size_t ntopics = hb_classifier_ntopics(cl);
    FUZZ_CHECK(t->n <= ntopics && t->n <= HB_MAX_TOPICS);
    FUZZ_CHECK(t->main >= -1 && t->main < (int)ntopics);
    if (t->n == 0)
        FUZZ_CHECK(t->main == -1);
    else
        FUZZ_CHECK(t->main == (int)t->t[0].topic);
    double sum = 0;
    for (size_t i = 0; i < t->n; i++) {
        FUZZ_CHECK(t->t[i].topic < ntopics);
        FUZZ_CHECK(hb_classifier_topic_id(cl, t->t[i].topic) != NULL);
        FUZZ_CHECK(!isnan(t->t[i].score));
        FUZZ_CHECK(t->t[i].score >= 0 && t->t[i].score <= 1);
        if (i)
            FUZZ_CHECK(t->t[i].score <= t->t[i - 1].score);
        for (size_t j = 0; j < i; j++)
            FUZZ_CHECK(t->t[j].topic != t->t[i].topic);
        sum += t->t[i].score;
    }
    FUZZ_CHECK(sum <= 1.0 + 0.0005 * (double)t->n + 1e-9);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static hb_classifier_t *cl;
    static hb_topics_t first, again;
    if (!cl) {
        const char *dir = getenv("HB_FUZZ_CONFIGS");
        char path[4096];
        snprintf(path, sizeof path, "%s/topics.conf", dir ? dir : HB_FUZZ_CONFIGS);
        cl = hb_classifier_load(path, NULL);
        FUZZ_CHECK(cl != NULL);
    }
    if (size == 0)
        return 0;
    bool overview = data[0] & 1;
    const char *s = (const char *)data + 1, *end = (const char *)data + size;

    hb_text_ref_t text, section[MAX_SECTION];
    size_t depth = 0;
    const char *nl = memchr(s, '\n', (size_t)(end - s));
    text = (hb_text_ref_t){s, (size_t)((nl ? nl : end) - s)};
    while (nl && depth < MAX_SECTION) {
        s = nl + 1;
        nl = memchr(s, '\n', (size_t)(end - s));
        section[depth++] = (hb_text_ref_t){s, (size_t)((nl ? nl : end) - s)};
    }
    if (!hb_utf8_valid(text.s, text.len, NULL))
        return 0;
    for (size_t i = 0; i < depth; i++)
        if (!hb_utf8_valid(section[i].s, section[i].len, NULL))
            return 0;

    hb_classify(cl, section, depth, text, (hb_unit_place_t){overview, !overview}, &first);
    check_topics(cl, &first);
    /* Some other unit in between, then the same one: the result must not change. */
    hb_text_ref_t other = depth ? section[depth - 1] : text;
    hb_classify(cl, section, depth / 2, other, (hb_unit_place_t){!overview, overview}, &again);
    check_topics(cl, &again);
    hb_classify(cl, section, depth, text, (hb_unit_place_t){overview, !overview}, &again);
    FUZZ_CHECK(again.main == first.main && again.n == first.n);
    for (size_t i = 0; i < first.n; i++)
        FUZZ_CHECK(again.t[i].topic == first.t[i].topic && again.t[i].score == first.t[i].score);
    return 0;
}
