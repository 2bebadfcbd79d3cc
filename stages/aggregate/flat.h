/* flat: figures.csv and unit_topics.csv, the two lists of paragraphs.jsonl
 * (a unit's "metrics" and its "topics") as flat tables that a spreadsheet
 * opens: one row per figure and one per (unit, topic), each carrying the
 * unit's document, place, year and kind and the topic's Chinese label.
 * Columns: docs/results.md.
 *
 * Written as paragraphs.jsonl is, in the order of the units (doc, seq), so
 * the files are the same bytes whatever the number of workers.  A unit's
 * rows are made once, when it arrives (hb_flat_unit: one pass over its
 * message into the document's spool, no allocation), and written with the
 * document's place columns when the document's turn comes
 * (hb_flat_write_unit).  Resuming, each file is cut back after the rows of
 * the documents the journal holds.
 *
 * Ownership: hb_flat_t is the caller's; hb_flat_close() frees it. */
#ifndef HB_FLAT_H
#define HB_FLAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hb_buf.h"
#include "hb_msg.h"

typedef struct hb_flat hb_flat_t;

/* DIR/figures.csv and DIR/unit_topics.csv, afresh (a byte order mark when
 * bom, as towns.csv, then the header), or, resuming, cut back before the
 * first row of a document that kept(arg, doc) says is not written, and
 * appended to.  topics_conf gives the labels (NULL: none).  NULL after
 * logging why. */
hb_flat_t *hb_flat_open(const char *dir, const char *topics_conf, bool bom, bool resume,
                        bool (*kept)(void *arg, uint64_t doc), void *arg);

/* A unit's rows, without their document's columns, from its message:
 * appended to out.  Returns the bytes appended (0: no figure, no topic). */
size_t hb_flat_unit(hb_flat_t *f, const hb_msg_t *unit, hb_buf_t *out);

/* A document's place columns (code, province, city, county, town, year)
 * from its doc_end, into place (reset first). */
void hb_flat_place(const hb_msg_t *doc_end, hb_buf_t *place);

/* Writes one unit's rows (rows[0..len) as hb_flat_unit made them) with its
 * document's columns; part tells apart the units a stage made of one seq
 * (0 for a unit no stage divided).  0, or -1 after logging a write error. */
int hb_flat_write_unit(hb_flat_t *f, uint64_t doc, uint32_t seq, uint32_t part,
                       const hb_buf_t *place, const char *rows, size_t len);

/* Writes what is buffered to the files: before the journal names the
 * documents written so far.  0, or -1 after logging. */
int hb_flat_flush(hb_flat_t *f);

/* Writes what is buffered, closes both files, frees f; NULL-safe.  0, or
 * -1 after logging. */
int hb_flat_close(hb_flat_t *f);

#endif
