/* figures: the quantities a unit quotes, from the rules in configs/figures.conf.
 *
 *   消灭撂荒土地*多亩   -> raw "*多亩", value null, unit "亩", masked, approx "多"
 *   争取资金330万元     -> raw "330万元", value 330, unit "万元"
 *   超22000人           -> raw "超22000人", value 22000, unit "人", approx "超过"
 *   3-5个               -> raw "3-5个", value 3, max 5, unit "个"
 *   一百二十户          -> raw "一百二十户", value 120, unit "户"
 *
 * Chinese numerals count from two characters on, in a unit that writes 十,
 * 百 or 千 somewhere (一百二十, 三十余): a single one is mostly part of a name
 * or slogan (两个维护, 五个到户), and 一两个 is "a few", not a count.  Each figure
 * also says what was counted where the text says it: the words before it
 * back to the last punctuation (新增低保*户*人 -> both of 新增低保).
 *
 * One PCRE2 pattern, built from the configured lists and JIT-compiled once,
 * anchored, is tried only where a number starts (a byte scan finds those);
 * an approximation word before it is looked up backwards.  Match data is
 * reused.  Results point into the
 * unit's text or into the extractor's own strings: valid until the next
 * call.  One extractor serves one thread. */
#ifndef HB_FIGURES_H
#define HB_FIGURES_H

#include <stdbool.h>
#include <stddef.h>

#define HB_MAX_FIGURES 256

typedef struct hb_figure {
    const char *raw;
    size_t raw_len;
    double value;       /* meaningful when !masked */
    double max;         /* the upper end of a range, when has_max */
    bool has_max;
    bool masked;
    const char *subject; /* what was counted, in the text; subject_len 0 if unsaid */
    size_t subject_len;
    char unit[32];      /* multiplier + unit, e.g. "万元" */
    const char *base_unit; /* the unit figures compare in ("元" for 万元, "%" for ％), NULL
                            * for a number with a multiplier only (近14亿); configs/figures.conf [base] */
    double base_value;  /* value in base_unit, multipliers folded in; meaningful when !masked */
    const char *approx; /* "余" "多" "约" "超过" "近", or NULL */
} hb_figure_t;

typedef struct hb_figures hb_figures_t;

hb_figures_t *hb_figures_load(const char *path); /* NULL after logging FILE:LINE */
void hb_figures_free(hb_figures_t *f);
/* Fills out[0..n) with the figures of text, in order; returns n (at most max). */
size_t hb_figures_extract(hb_figures_t *f, const char *text, size_t len, hb_figure_t *out,
                          size_t max);
/* The same, for a caller that already knows whether text holds 十, 百 or 千
 * and whether it holds 某 (classify's keyword pass watches for them):
 * has_numeral_units and has_mou 1 or 0, or -1 to have them looked up.  A
 * wrong 0 loses Chinese numerals, or 某 masks (某万元). */
size_t hb_figures_extract_known(hb_figures_t *f, const char *text, size_t len,
                                int has_numeral_units, int has_mou, hb_figure_t *out,
                                size_t max);

#endif
