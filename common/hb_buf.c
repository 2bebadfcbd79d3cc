#include "hb_buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb_mem.h"

void hb_buf_init(hb_buf_t *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void hb_buf_release(hb_buf_t *b)
{
    free(b->data);
    hb_buf_init(b);
}

void hb_buf_reset(hb_buf_t *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

extern inline void hb_buf_append(hb_buf_t *b, const void *p, size_t n);
extern inline void hb_buf_putc(hb_buf_t *b, char c);

void hb_buf_reserve(hb_buf_t *b, size_t extra)
{
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    b->data = hb_realloc(b->data, cap);
    b->cap = cap;
}

void hb_buf_puts(hb_buf_t *b, const char *s)
{
    hb_buf_append(b, s, strlen(s));
}

void hb_buf_vprintf(hb_buf_t *b, const char *fmt, va_list ap)
{
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    if (n > 0) {
        hb_buf_reserve(b, (size_t)n);
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, again);
        b->len += (size_t)n;
    }
    va_end(again);
}

void hb_buf_printf(hb_buf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    hb_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

int hb_buf_read_file(hb_buf_t *b, FILE *f)
{
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        hb_buf_append(b, chunk, n);
    if (!b->data)
        hb_buf_reserve(b, 0); /* an empty file is "", not NULL */
    return ferror(f) ? -1 : 0;
}
