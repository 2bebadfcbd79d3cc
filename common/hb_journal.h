/* hb_journal: resume.tsv, one line per document written, so that a run cut
 * short (Ctrl-C, a crash, a full disk) continues with --resume.
 *
 *   # huibao journal 2
 *   DOC \t FILE \t TOWN \t YEAR \t PARAGRAPHS_END \t DOCS_END \t UNITS
 *
 * DOC is the document's id; FILE is the exact bytes of its path and TOWN the
 * aggregator's place key (code|province|city|county|town, stages/aggregate/
 * tally.h), both escaped reversibly (hb_journal_escape), so a name with a tab, a
 * line break or bytes that are not UTF-8 is matched exactly.  The offsets are
 * the sizes paragraphs.jsonl and docs.jsonl had once the document was
 * written; UNITS is "topic|kind topic|kind …".  A line counts only while the
 * outputs still reach its offsets: a document half written when a run died
 * is not in the journal's valid part, and is written again.  Both the
 * aggregator (which restores its tallies and cuts the outputs back) and the
 * reader (which skips the files) read the journal through hb_journal_replay,
 * so they agree on what was written. */
#ifndef HB_JOURNAL_H
#define HB_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hb_buf.h"

typedef struct hb_journal_entry {
    uint64_t doc;
    const char *file, *town; /* exact bytes; town "" when unknown */
    int year;                /* 0 when unknown */
    long paragraphs_end, docs_end;
    const char *units;       /* "topic|kind …"; topic "-" for none */
} hb_journal_entry_t;

typedef void (*hb_journal_fn)(void *arg, const hb_journal_entry_t *e);

/* Calls fn for every valid line of DIR/resume.tsv, in order, and returns
 * their number (0 when there is no journal), or -1 after logging why (a
 * journal of an older huibao is refused).  The last valid line's offsets go
 * to *paragraphs_end / *docs_end (0 if none), the length of the valid part
 * (header included) to *valid_bytes. */
long hb_journal_replay(const char *dir, hb_journal_fn fn, void *arg, long *paragraphs_end,
                       long *docs_end, long *valid_bytes);

typedef struct hb_journal hb_journal_t;

/* Opens DIR/resume.tsv for writing: afresh (keep <= 0), or cut back to keep
 * bytes and appended to.  NULL after logging why. */
hb_journal_t *hb_journal_open(const char *dir, long keep);
/* Lines are held in memory until hb_journal_flush() writes them: the caller
 * flushes once every other output has what they describe (the aggregator:
 * after committing results.sqlite), so a line never promises more than a
 * crash leaves.  -1: write failed (logged). */
void hb_journal_add(hb_journal_t *j, const hb_journal_entry_t *e);
int hb_journal_flush(hb_journal_t *j);
/* The lines held now end at hb_journal_held(); hb_journal_flush_to(j, mark)
 * writes those held before such a mark and keeps the later ones (the
 * aggregator: the lines of the documents a finished commit holds). */
size_t hb_journal_held(const hb_journal_t *j);
int hb_journal_flush_to(hb_journal_t *j, size_t mark);
void hb_journal_discard(hb_journal_t *j); /* forgets the held lines: not all was written */
int hb_journal_close(hb_journal_t *j); /* flushes; NULL-safe; -1 when not written whole */

/* Appends s[0..len) to b as one field: backslash, tab, CR and LF as \\ \t
 * \r \n, other control bytes and bytes that are not UTF-8 as \xHH, the rest
 * as is; "" and "-" are written "-" and \x2d.  Reversed by
 * hb_journal_unescape. */
void hb_journal_escape(hb_buf_t *b, const char *s, size_t len);
/* Decodes a field in place ("-" gives ""); false when it is malformed. */
bool hb_journal_unescape(char *s);

#endif
