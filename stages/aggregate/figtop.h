/* figtop: the largest figures per topic, kept as the figures go into
 * results.sqlite, for report.html's "largest figures per topic" (report.c).
 *
 * Per topic (a unit's main topic, or none) and unit of measure (base_unit,
 * else unit; percentages aside, as the report wants them), it counts the
 * figures with a value and keeps the HB_FIGTOP_KEEP largest (value, then
 * base_value when given), ties in the order of (unit id, place in the unit):
 * the same whatever order the units arrive in.  A few more than the report
 * shows are kept, because a document dropped later takes its figures out of
 * the database and the report skips those.  Memory grows with topics ×
 * units of measure, not with the figures.
 *
 * The database computed this with one query over every figure joined to its
 * unit: 1.8 of the aggregator's 8.1 CPU-seconds on 100 MB of reports.
 *
 * Ownership: the caller owns the hb_figtop_t (hb_figtop_new/free); strings
 * passed in are copied. */
#ifndef HB_FIGTOP_H
#define HB_FIGTOP_H

#include <stddef.h>
#include <stdint.h>

#define HB_FIGTOP_KEEP 16

typedef struct hb_figtop hb_figtop_t;

typedef struct hb_figtop_fig {
    double v;
    uint64_t unit_id;  /* results.sqlite's units.id: hb_results_unit_id() */
    uint32_t n;        /* its place in the unit */
    char *raw, *subject; /* NULL when absent */
} hb_figtop_fig_t;

hb_figtop_t *hb_figtop_new(void);
void hb_figtop_free(hb_figtop_t *t); /* NULL-safe */

/* One figure with a value: topic NULL for none; bu its unit of measure
 * (NULL: not counted); raw and subject may be NULL.  Lengths in bytes. */
void hb_figtop_add(hb_figtop_t *t, const char *topic, size_t topic_len, const char *bu,
                   size_t bu_len, double v, uint64_t unit_id, uint32_t n, const char *raw,
                   size_t raw_len, const char *subject, size_t subject_len);

/* The topics met, in order of first sight; the i-th (NULL: units without a
 * topic), its most counted unit of measure (ties: the smaller in byte
 * order) and that unit's kept figures, largest first. */
size_t hb_figtop_topics(const hb_figtop_t *t);
const char *hb_figtop_topic(const hb_figtop_t *t, size_t i);
size_t hb_figtop_best(const hb_figtop_t *t, size_t i, const char **bu,
                      const hb_figtop_fig_t **figs);

#endif
