/* progress: how far a run is, on stderr, as the aggregator sees it.
 *
 * On a terminal, a bar redrawn in place (\r) twice a second; otherwise (a
 * log file, a CI job) one line every few seconds (--progress-every), so the
 * log stays readable:
 *
 *   huibao: 1200/5000 documents (24%), 38.2 MB, 410 documents/s, 13.1 MB/s, about 9 s left
 *
 * The total (and so the share and what is left) is known when huibao run
 * counted the inputs beforehand (--total-docs); rates count from the start
 * of this run, not of the run it resumes.  Owned by the caller; nothing to
 * free. */
#ifndef HB_PROGRESS_H
#define HB_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

typedef struct hb_progress {
    bool tty;          /* stderr is a terminal: the live bar */
    double every;      /* seconds between lines when not */
    double started, last;
    uint64_t total;    /* documents of the run (0: unknown), the resumed ones included */
    uint64_t before;   /* documents the resumed run had written */
    bool drawn;        /* a bar is on screen: end it with a line break */
} hb_progress_t;

void hb_progress_init(hb_progress_t *p, double every, uint64_t total, uint64_t before,
                      double now);

/* Says where the run is, when it is time to (always when final): docs
 * written or rejected in this run, their units, the bytes of the documents
 * read so far. */
void hb_progress_show(hb_progress_t *p, double now, uint64_t docs, uint64_t units,
                      uint64_t rejects, uint64_t bytes, bool final);

#endif
