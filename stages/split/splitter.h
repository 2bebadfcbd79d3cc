/* splitter: one report's text -> its title, heading tree and units.
 *
 * A unit is what the pipeline classifies: a paragraph, or one item of an
 * enumeration (一是…二是…) cut out of a paragraph.  Title lines, bylines,
 * salutations, clutter and lines that are only a heading are not units: the
 * title goes to hb_split_info_t, headings to each unit's section path.
 *
 * The splitter compiles its rules once (hb_splitter_new) and is reused for
 * every document; it allocates nothing per unit.  Unit and section strings
 * point into the caller's text or the splitter's own buffers, valid during
 * the callback.
 * The text must be valid UTF-8.
 *
 * Page furniture (navigation, share buttons, bylines, footers, licence
 * notes) is recognised by the rules of a furniture file (configs/
 * furniture.conf): whole short lines, dropped before the title is found. */
#ifndef HB_SPLITTER_H
#define HB_SPLITTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hb_buf.h"

#define HB_SPLIT_MAX_DEPTH 8

typedef struct hb_span {
    const char *s;
    size_t len;
} hb_span_t;

typedef struct hb_unit {
    uint32_t seq;
    hb_span_t text;                         /* as it stands in the file, its heading included */
    hb_span_t view;                         /* the same in the view the rules read (run_view) */
    hb_span_t section[HB_SPLIT_MAX_DEPTH];  /* heading texts, top down, numbering removed */
    size_t depth;
    const char *kind;     /* "preamble", "summary", "problem" or "plan" */
    bool kind_cue;        /* the kind comes from the unit's own words, not its headings */
    double kind_conf;     /* 0.9 a part heading says it, 0.8 a cue phrase, 0.6 by default */
    bool item;            /* cut out of an enumeration */
    bool headed;          /* begins with its own heading (（一）标题。正文…) */
    bool overview;        /* opens a part of the report rather than one subject */
} hb_unit_t;

typedef struct hb_split_info {
    hb_buf_t title;       /* "" when the report has none; caller inits and releases */
    uint32_t units;
    uint32_t headings;
    uint32_t dropped_lines; /* furniture, bylines, salutations */
    size_t furniture_bytes; /* of the text, dropped by furniture rules */
    bool furniture_warn;    /* furniture_bytes is more than the rules' warn_share */
    int year;               /* the year the title names, else the first the text names in
                               its first 400 bytes, furniture left out; 0 when neither */
} hb_split_info_t;

typedef struct hb_splitter hb_splitter_t;
/* Called once per unit, in reading order; a non-zero return stops the split. */
typedef int (*hb_unit_fn)(void *arg, const hb_unit_t *u);

/* Compiles the built-in rules and the furniture rules of furniture_path.
 * NULL if the file cannot be read or a rule fails to compile (logged with
 * FILE:LINE). */
hb_splitter_t *hb_splitter_new(const char *furniture_path);
void hb_splitter_free(hb_splitter_t *sp);
/* Splits text; returns 0, or the callback's non-zero value.  year is the
 * report's (from the reader: title, byline, path or --meta), or 0 when
 * unknown (then its title's is used): part headings that name a year or a
 * five-year period are plans or summaries against it. */
int hb_splitter_run(hb_splitter_t *sp, const char *text, size_t len, int year, hb_unit_fn fn,
                    void *arg, hb_split_info_t *info);

/* Splits a report by the rules run on view, a text of the same length whose
 * characters start at the same offsets as orig's (its simplified form,
 * hb_script_aligned): units, headings and the title are cut from orig, each
 * unit's view span beside its text. */
int hb_splitter_run_view(hb_splitter_t *sp, const char *view, const char *orig, size_t len,
                         int year, hb_unit_fn fn, void *arg, hb_split_info_t *info);

#endif
