/* tally: counts per place and year, per topic, per kind and per year, written
 * as towns.csv (one row per place code, or town name when no code is known,
 * and year) and summary.json when the run ends.
 *
 * Topic columns follow the order of the topics config (headed by their
 * Chinese label), then any other topic id met (a custom stage's, headed
 * topic_ID) in order of first sight.  The rows per town and
 * year are kept in a temporary SQLite database with a bounded cache, so
 * memory grows neither with the units nor with the towns × years. */
#ifndef HB_TALLY_H
#define HB_TALLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hb_buf.h"

#define HB_TALLY_MAX_TOPICS 128
#define HB_TALLY_KINDS 5 /* preamble summary problem plan other */

typedef struct hb_tally hb_tally_t;

/* topics_conf may be NULL (columns then come in order of first sight). */
hb_tally_t *hb_tally_new(const char *topics_conf);
void hb_tally_free(hb_tally_t *t);

/* The column index of a topic id (-1 for none), adding it when new. */
int hb_tally_topic(hb_tally_t *t, const char *id, size_t len);
int hb_tally_kind(const char *kind, size_t len);


/* A document's place as the tally keys it (and the journal keeps it):
 * "CODE|PROVINCE|CITY|COUNTY|TOWN", each field "" when unknown and a '|' in
 * a name written as '/'.  Two towns of one name differ by their code; a
 * key without '|' (a journal of an older run) is a town alone.  Written
 * into dst (cap bytes, cut short if need be). */
void hb_tally_place_key(char *dst, size_t cap, const char *code, const char *province,
                        const char *city, const char *county, const char *town);

/* One complete document: its place key and year, unit count, and per-unit
 * topic and kind indexes.  0, or -1 when the database failed (logged; the
 * tally then refuses to write towns.csv). */
int hb_tally_doc(hb_tally_t *t, const char *place, int year, size_t units,
                 const int16_t *topics, const int8_t *kinds);
void hb_tally_reject(hb_tally_t *t);

/* A document's units as the journal keeps them, "topic|kind topic|kind …"
 * (topic "-" for none): written into b, and counted back from text. */
void hb_tally_units_text(const hb_tally_t *t, size_t units, const int16_t *topics,
                         const int8_t *kinds, hb_buf_t *b);
int hb_tally_doc_text(hb_tally_t *t, const char *place, int year, const char *units);

int hb_tally_write_csv(hb_tally_t *t, FILE *f);
int hb_tally_write_summary(const hb_tally_t *t, FILE *f, const char *run, bool complete,
                           double seconds);
uint64_t hb_tally_docs(const hb_tally_t *t);
uint64_t hb_tally_units(const hb_tally_t *t);
uint64_t hb_tally_rejects(const hb_tally_t *t);

#endif
