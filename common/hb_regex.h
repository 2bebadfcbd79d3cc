/* hb_regex: PCRE2 patterns compiled once, JIT where the platform allows.
 *
 * Patterns are UTF mode.  Matching assumes text already validated as UTF-8
 * (the pipeline validates once, at the edge of each stage) and reuses one
 * match-data block per regex, so a regex belongs to one thread.
 *
 * Every match is bounded (HB_REGEX_*_LIMIT): a pattern that backtracks
 * without end on some text (a user's rule, a pathological line) gives up
 * instead of holding the stage.  A match that gives up counts as no match;
 * the first one per regex and subject is logged, naming the rule and the
 * subject (hb_regex_subject), and that regex is not tried again on the
 * rest of the subject, so one document costs at most a few limits' work. */
#ifndef HB_REGEX_H
#define HB_REGEX_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdbool.h>
#include <stddef.h>

#define HB_REGEX_MATCH_LIMIT 1000000 /* backtracking steps in one match */
#define HB_REGEX_DEPTH_LIMIT 100000  /* nested backtracking points (interpreter) */
#define HB_REGEX_HEAP_LIMIT 32768    /* KiB of backtracking memory (interpreter) */

typedef struct hb_regex {
    pcre2_code *code;
    pcre2_match_data *md;
    pcre2_match_context *mc; /* the limits above */
    char rule[160];          /* where the pattern came from and how it begins */
    unsigned long gave_up;   /* matches given up, over the regex's life */
    unsigned long off_gen;   /* the subject it gave up on (see hb_regex_subject) */
    bool jit;
} hb_regex_t;

/* Compiles pattern (with extra PCRE2 options) into re.  Returns 0, or -1
 * after logging the pattern, the offset and PCRE2's message, naming where
 * (a config FILE:LINE or the module) the pattern came from. */
int hb_regex_compile(hb_regex_t *re, const char *pattern, unsigned options, const char *where);
void hb_regex_free(hb_regex_t *re);

/* What the matches that follow in this thread read (a file name, "document
 * 12"), named when one gives up.  Not copied: it must outlive those
 * matches.  Each call starts a new subject, NULL an unnamed one. */
void hb_regex_subject(const char *name);

/* Matches at or after start.  Returns 1 on a match (ovector via
 * hb_regex_ovector), 0 on none, -1 when the match gave up (too much work,
 * or the regex gave up earlier on this subject) or failed: logged once per
 * regex and subject; take it as no match. */
int hb_regex_match(hb_regex_t *re, const char *s, size_t len, size_t start, unsigned options);
static inline PCRE2_SIZE *hb_regex_ovector(const hb_regex_t *re)
{
    return pcre2_get_ovector_pointer(re->md);
}

#endif
