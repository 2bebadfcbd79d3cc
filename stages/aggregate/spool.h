/* spool: one document's output, in memory up to a limit, beyond it in a
 * temporary file.
 *
 * The aggregator holds a document's units until all of them have arrived.
 * Most reports come to a few KB of output, but a long one (an archive, a
 * 1 MB report) would be held whole, and how many long ones happen to be in
 * flight at once would set the aggregator's peak memory: a larger corpus
 * makes a worse coincidence likelier.  A spool keeps at most its limit in
 * memory and moves the rest to a file in $TMPDIR, unlinked as soon as it is
 * made, so a crash leaves nothing behind.  When that file cannot be made or
 * written, the spool logs it once per document and keeps everything in
 * memory: nothing is lost, only the bound.
 *
 * Usage: append a record's bytes to hb_spool_buf(), then hb_spool_settle();
 * a record is never split between file and memory.  Offsets count from the
 * first byte ever appended.
 *
 * Ownership: the caller owns the hb_spool_t (usually inside its own struct)
 * and calls hb_spool_release(), which frees the memory and closes the
 * file. */
#ifndef HB_SPOOL_H
#define HB_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hb_buf.h"

typedef struct hb_spool {
    hb_buf_t mem;     /* bytes [spilled, spilled + mem.len) */
    uint64_t spilled; /* bytes [0, spilled) are in the file */
    int fd;           /* the file, or -1 */
    size_t limit;     /* bytes kept in memory before moving them out */
    bool in_memory;   /* the file failed: keep everything here */
} hb_spool_t;

void hb_spool_init(hb_spool_t *s, size_t limit);
void hb_spool_release(hb_spool_t *s);

/* Where to append the next record. */
static inline hb_buf_t *hb_spool_buf(hb_spool_t *s)
{
    return &s->mem;
}

/* Bytes appended so far: the offset of the next record. */
static inline uint64_t hb_spool_size(const hb_spool_t *s)
{
    return s->spilled + s->mem.len;
}

/* After a whole record: moves the memory to the file once over the limit. */
void hb_spool_settle(hb_spool_t *s);

/* Appends bytes [off, off + len) to out.  0, or -1 (logged) when the file
 * could not be read back. */
int hb_spool_read(const hb_spool_t *s, uint64_t off, size_t len, hb_buf_t *out);

#endif
