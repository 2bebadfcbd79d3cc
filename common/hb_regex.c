#include "hb_regex.h"

#include <stdio.h>
#include <string.h>

#include "hb_log.h"

/* The subject matches read now (hb_regex_subject), per thread as regexes are. */
static __thread const char *subject;
static __thread unsigned long subject_gen = 1;

int hb_regex_compile(hb_regex_t *re, const char *pattern, unsigned options, const char *where)
{
    int err;
    PCRE2_SIZE off;
    re->md = NULL;
    re->mc = NULL;
    re->gave_up = re->off_gen = 0;
    re->code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, PCRE2_UTF | options,
                             &err, &off, NULL);
    if (!re->code) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(err, msg, sizeof msg);
        hb_error("%s: bad regular expression at offset %zu: %s (pattern: %s)", where, (size_t)off,
                 (char *)msg, pattern);
        return -1;
    }
    /* The rule as messages name it: where, and the pattern's head cut on a
     * character boundary. */
    size_t head = strlen(pattern) > 48 ? 48 : strlen(pattern);
    while (head < strlen(pattern) && head > 0 && ((unsigned char)pattern[head] & 0xC0) == 0x80)
        head--;
    snprintf(re->rule, sizeof re->rule, "%s: pattern %.*s%s", where, (int)head, pattern,
             head < strlen(pattern) ? "…" : "");
    /* JIT is an optimisation: without it (some platforms) matching still works. */
    re->jit = pcre2_jit_compile(re->code, PCRE2_JIT_COMPLETE) == 0;
    re->md = pcre2_match_data_create_from_pattern(re->code, NULL);
    re->mc = pcre2_match_context_create(NULL);
    if (!re->md || !re->mc) {
        hb_error("%s: out of memory for a regular expression", where);
        hb_regex_free(re);
        return -1;
    }
    pcre2_set_match_limit(re->mc, HB_REGEX_MATCH_LIMIT);
    pcre2_set_depth_limit(re->mc, HB_REGEX_DEPTH_LIMIT);
    pcre2_set_heap_limit(re->mc, HB_REGEX_HEAP_LIMIT);
    return 0;
}

void hb_regex_free(hb_regex_t *re)
{
    pcre2_match_context_free(re->mc);
    pcre2_match_data_free(re->md);
    pcre2_code_free(re->code);
    re->mc = NULL;
    re->md = NULL;
    re->code = NULL;
}

void hb_regex_subject(const char *name)
{
    subject = name;
    subject_gen++;
}

int hb_regex_match(hb_regex_t *re, const char *s, size_t len, size_t start, unsigned options)
{
    if (re->off_gen == subject_gen)
        return -1; /* gave up on this subject already: said so then */
    int rc = re->jit ? pcre2_jit_match(re->code, (PCRE2_SPTR)s, len, start, options, re->md,
                                       re->mc)
                     : pcre2_match(re->code, (PCRE2_SPTR)s, len, start,
                                   options | PCRE2_NO_UTF_CHECK, re->md, re->mc);
    if (rc > 0)
        return 1;
    if (rc == PCRE2_ERROR_NOMATCH)
        return 0;
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(rc, msg, sizeof msg);
    /* Unnamed, the rest of the text is unknown: the regex is tried again
     * (each time bounded), said once. */
    if (++re->gave_up > 1 && !subject)
        return -1;
    re->off_gen = subject ? subject_gen : 0;
    hb_warn("%s: %s: gave up matching at byte %zu of %zu (PCRE2: %s): %s",
            subject ? subject : "a text", re->rule, start, len, (char *)msg,
            subject ? "the rule is skipped on the rest of it" : "taken as no match");
    return -1;
}
