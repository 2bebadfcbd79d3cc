/* hb_mem: allocation that never returns NULL.
 *
 * Running out of memory is not bad input: it is a broken invariant of the
 * machine, so it aborts in one place (as Redis' zmalloc does) and callers
 * carry no NULL checks for it. */
#ifndef HB_MEM_H
#define HB_MEM_H

#include <stddef.h>

void *hb_malloc(size_t n);
void *hb_calloc(size_t count, size_t size);
void *hb_realloc(void *p, size_t n);
char *hb_strdup(const char *s);
char *hb_strndup(const char *s, size_t n);

/* Called once at the start of split, classify and the aggregator: blocks of
 * 128 KB and more (a long report, a giant unit, a document's output) come
 * from mmap and go back to the system when freed, and the heap gives back
 * what is free at its top beyond 128 KB.  glibc otherwise raises both
 * thresholds to the largest block freed so far (up to 32 MB), so a stage
 * kept the memory of the longest report it had seen and its peak grew with
 * the size of the corpus.  Batch frames (at most 64 KB, hb_batch) stay below
 * the threshold and pay no mmap.  The reader does without: its memory is the
 * documents of its window, and it measured flatter under glibc's own policy
 * (docs/performance.md). */
void hb_mem_bound_heap(void);

#endif
