/* hb_ac: Aho-Corasick multi-pattern matching over bytes.
 *
 * Patterns are byte strings (UTF-8 keywords are matched byte for byte; no
 * normalisation, no case folding). Add every pattern, build once, then scan
 * as often as wanted. A built matcher is never written again, so any number
 * of threads may scan it at once, and forked workers share its pages.
 * Scanning uses about 35 KB of stack.
 *
 * Ownership: the caller owns the hb_ac_t and frees it with hb_ac_free().
 * hb_ac_add() copies the pattern bytes; the caller keeps its own. Scanning
 * allocates nothing and keeps no pointer to the text.
 *
 * hb_ac_scan() reports every occurrence of every pattern, overlapping and
 * nested ones included, in order of end offset. Hits ending at the same
 * offset come longest pattern first; a pattern added under several ids is
 * reported once per id, in the order the ids were added. */
#ifndef HB_AC_H
#define HB_AC_H

#include <stddef.h>
#include <stdint.h>

typedef struct hb_ac hb_ac_t;

/* end = byte offset just past the match; the match starts at end - its length. */
typedef void (*hb_ac_hit_fn)(void *arg, uint32_t id, size_t end);

hb_ac_t *hb_ac_new(void);                 /* caller owns; free with hb_ac_free */
void hb_ac_free(hb_ac_t *ac);             /* NULL-safe */

/* Before build only. 0 ok; -1 if len == 0 or the matcher is already built.
 * The same pattern may be added with different ids: every id is reported. */
int hb_ac_add(hb_ac_t *ac, const char *pat, size_t len, uint32_t id);

/* 0 ok; after this, add is refused. -1 if already built, or if the automaton
 * would not fit 32-bit state numbers (billions of pattern bytes); on failure
 * the matcher stays unbuilt and scans find nothing. */
int hb_ac_build(hb_ac_t *ac);

/* Calls fn(arg, id, end) for each hit and returns the number of hits.
 * fn may be NULL to only count. An unbuilt matcher finds nothing. */
size_t hb_ac_scan(const hb_ac_t *ac, const char *text, size_t len,
                  hb_ac_hit_fn fn, void *arg);

size_t hb_ac_patterns(const hb_ac_t *ac); /* number of patterns added */

#endif
