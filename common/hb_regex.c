#include "hb_regex.h"

#include "hb_log.h"

int hb_regex_compile(hb_regex_t *re, const char *pattern, unsigned options, const char *where)
{
    int err;
    PCRE2_SIZE off;
    re->code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, PCRE2_UTF | options,
                             &err, &off, NULL);
    if (!re->code) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(err, msg, sizeof msg);
        hb_error("%s: bad regular expression at offset %zu: %s (pattern: %s)", where, (size_t)off,
                 (char *)msg, pattern);
        re->md = NULL;
        return -1;
    }
    /* JIT is an optimisation: without it (some platforms) matching still works. */
    re->jit = pcre2_jit_compile(re->code, PCRE2_JIT_COMPLETE) == 0;
    re->md = pcre2_match_data_create_from_pattern(re->code, NULL);
    return 0;
}

void hb_regex_free(hb_regex_t *re)
{
    pcre2_match_data_free(re->md);
    pcre2_code_free(re->code);
    re->md = NULL;
    re->code = NULL;
}

int hb_regex_match(hb_regex_t *re, const char *s, size_t len, size_t start, unsigned options)
{
    int rc = re->jit ? pcre2_jit_match(re->code, (PCRE2_SPTR)s, len, start, options, re->md, NULL)
                     : pcre2_match(re->code, (PCRE2_SPTR)s, len, start,
                                   options | PCRE2_NO_UTF_CHECK, re->md, NULL);
    if (rc > 0)
        return 1;
    if (rc == PCRE2_ERROR_NOMATCH)
        return 0;
    hb_warn("regular expression match failed (PCRE2 error %d)", rc);
    return -1;
}
