/* hb_buf: a growable byte buffer, reused across messages.
 *
 * The buffer owns its bytes. hb_buf_reset() keeps the allocation so hot loops
 * do not allocate per unit. The contents are always NUL-terminated (the NUL is
 * not counted in len), so a buffer holding text can be passed to C string
 * functions. */
#ifndef HB_BUF_H
#define HB_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

typedef struct hb_buf {
    char *data;
    size_t len;
    size_t cap;
} hb_buf_t;

void hb_buf_init(hb_buf_t *b);
void hb_buf_release(hb_buf_t *b);          /* frees the bytes; b may be reused */
void hb_buf_reset(hb_buf_t *b);            /* len = 0, keeps capacity */
void hb_buf_reserve(hb_buf_t *b, size_t extra);

/* Appending keeps data NUL-terminated.  Inline: JSON output appends a few
 * bytes at a time, and the call cost showed in the aggregator's profile.
 * hb_buf.c holds their external definitions (C99 inline), so the library
 * still exports them. */
inline void hb_buf_append(hb_buf_t *b, const void *p, size_t n)
{
    if (b->len + n + 1 > b->cap)
        hb_buf_reserve(b, n);
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

inline void hb_buf_putc(hb_buf_t *b, char c)
{
    if (b->len + 2 > b->cap)
        hb_buf_reserve(b, 1);
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
}

void hb_buf_puts(hb_buf_t *b, const char *s);
void hb_buf_printf(hb_buf_t *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void hb_buf_vprintf(hb_buf_t *b, const char *fmt, va_list ap);
/* Appends the whole of an open stream; 0, or -1 on a read error (errno set). */
int hb_buf_read_file(hb_buf_t *b, FILE *f);

#endif
