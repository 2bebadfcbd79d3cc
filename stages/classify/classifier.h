/* classifier: topics of a unit from the keyword rules in configs/topics.conf.
 *
 * All keywords of all topics are compiled once into one Aho-Corasick
 * automaton, so a unit is scanned once for every keyword.  A topic's score is
 * the sum of the weights of its keywords found in the text (a keyword found n
 * times counts sqrt(n) times), plus the same from
 * the section headings times a heading weight (the deepest heading weighs
 * most: （三）高标准推进乡村振兴 tells the topic of everything beneath it;
 * headings add no "general" evidence, since 工作回顾 names a part, not a topic).
 * A unit is "general" only where no area dominates: its best area scores
 * below min_score, or the general words weigh at least as much (twice, by
 * default, in an overview: a unit that opens a part of the report).
 *
 * The same pass also tells whether a few watched words occur in the text
 * (村 for the village rule), so no other pass has to look for them.
 *
 * The classifier is read-only after load except for its scratch scores, so
 * one classifier serves one thread.  hb_classifier_free() frees everything. */
#ifndef HB_CLASSIFIER_H
#define HB_CLASSIFIER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HB_MAX_TOPICS 64

typedef struct hb_text_ref {
    const char *s;
    size_t len;
} hb_text_ref_t;

typedef struct hb_topic_score {
    uint32_t topic; /* index, see hb_classifier_topic_id */
    double score;   /* share of the unit's evidence, 0..1 */
} hb_topic_score_t;

typedef struct hb_topics {
    int main;            /* topic index, or -1 when the unit has no topic */
    size_t n;            /* topics reported, best first */
    hb_topic_score_t t[HB_MAX_TOPICS];
    uint32_t seen;       /* bit i set: watch word i occurs in the text */
} hb_topics_t;

typedef struct hb_classifier hb_classifier_t;

#define HB_MAX_WATCH 32

/* Loads the rules; NULL after logging "FILE:LINE: problem".  watch: NULL or
 * up to HB_MAX_WATCH words, NULL-terminated, reported in hb_topics_t.seen;
 * the caller keeps them. */
hb_classifier_t *hb_classifier_load(const char *path, const char *const *watch);
void hb_classifier_free(hb_classifier_t *c);
size_t hb_classifier_ntopics(const hb_classifier_t *c);
const char *hb_classifier_topic_id(const hb_classifier_t *c, uint32_t topic);
size_t hb_classifier_nkeywords(const hb_classifier_t *c);

/* What split says of a unit's place in the report. */
typedef struct hb_unit_place {
    bool overview; /* opens a part of the report: leans to "general" */
    bool turned;   /* turns to problems or plans on its own (split's kind_cue):
                      the heading above it no longer names its subject */
} hb_unit_place_t;

/* Scores one unit. */
void hb_classify(hb_classifier_t *c, const hb_text_ref_t *section, size_t depth,
                 hb_text_ref_t text, hb_unit_place_t place, hb_topics_t *out);

#endif
