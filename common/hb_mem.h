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

#endif
