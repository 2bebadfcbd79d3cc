/* hb_regex: PCRE2 patterns compiled once, JIT where the platform allows.
 *
 * Patterns are UTF mode.  Matching assumes text already validated as UTF-8
 * (the pipeline validates once, at the edge of each stage) and reuses one
 * match-data block per regex, so a regex belongs to one thread. */
#ifndef HB_REGEX_H
#define HB_REGEX_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct hb_regex {
    pcre2_code *code;
    pcre2_match_data *md;
    bool jit;
} hb_regex_t;

/* Compiles pattern (with extra PCRE2 options) into re.  Returns 0, or -1
 * after logging the pattern, the offset and PCRE2's message, naming where
 * (a config FILE:LINE or the module) the pattern came from. */
int hb_regex_compile(hb_regex_t *re, const char *pattern, unsigned options, const char *where);
void hb_regex_free(hb_regex_t *re);

/* Matches at or after start.  Returns 1 on a match (ovector via
 * hb_regex_ovector), 0 on none, -1 on a matching error (logged). */
int hb_regex_match(hb_regex_t *re, const char *s, size_t len, size_t start, unsigned options);
static inline PCRE2_SIZE *hb_regex_ovector(const hb_regex_t *re)
{
    return pcre2_get_ovector_pointer(re->md);
}

#endif
