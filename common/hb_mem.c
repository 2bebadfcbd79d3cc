#include "hb_mem.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void hb_oom(size_t n)
{
    fprintf(stderr, "huibao: out of memory allocating %zu bytes\n", n);
    abort();
}

void *hb_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        hb_oom(n);
    return p;
}

void *hb_calloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        hb_oom(count * size);
    return p;
}

void *hb_realloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        hb_oom(n);
    return q;
}

char *hb_strndup(const char *s, size_t n)
{
    char *d = hb_malloc(n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *hb_strdup(const char *s)
{
    return hb_strndup(s, strlen(s));
}

void hb_mem_bound_heap(void)
{
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
}
