/* Shared by the unit tests (include after cmocka.h): capture what a
 * function logs on stderr, and write a text to a temporary file. */
#ifndef HB_TEST_H
#define HB_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* stderr captured into a temp file while a function logs. */
typedef struct capture {
    FILE *f;
    int saved;
} capture_t;

static inline void capture_start(capture_t *c)
{
    fflush(stderr);
    c->f = tmpfile();
    assert_non_null(c->f);
    c->saved = dup(2);
    assert_true(c->saved >= 0);
    assert_true(dup2(fileno(c->f), 2) >= 0);
}

/* Restores stderr; returns what was written (malloc'd, NUL-terminated), and
 * repeats it on stderr so it stays visible in the test log. */
static inline char *capture_end(capture_t *c)
{
    fflush(stderr);
    dup2(c->saved, 2);
    close(c->saved);
    fseek(c->f, 0, SEEK_END);
    long n = ftell(c->f);
    rewind(c->f);
    char *s = malloc((size_t)n + 1);
    size_t got = fread(s, 1, (size_t)n, c->f);
    s[got] = '\0';
    fclose(c->f);
    fprintf(stderr, "%s", s);
    return s;
}

#endif
