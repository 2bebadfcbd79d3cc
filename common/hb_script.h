/* hb_script: traditional Chinese text and its simplified view (OpenCC t2s).
 *
 * Most reports are in simplified characters; a share of every shared
 * collection is in traditional ones (畝 萬元 個 戶), which the rules (written in
 * simplified) would miss.  hb_script_traditional() tells the two apart
 * cheaply (one pass over at most the first 8 KB, no allocation), and only
 * a traditional text is converted, once per document, by
 * hb_script_simplify().  The view is meant to be read beside the text as
 * written: where it has the same length and its characters start at the
 * same bytes (hb_script_aligned), an offset in the view is the same offset
 * in the text, so rules run on the view and what they find is cut from the
 * text as written.
 *
 * Ownership: the caller owns the hb_script_t (hb_script_new/_free) and the
 * hb_buf_t it passes; one hb_script_t belongs to one thread. */
#ifndef HB_SCRIPT_H
#define HB_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>

#include "hb_buf.h"

typedef struct hb_script hb_script_t;

/* NULL if OpenCC or its t2s configuration cannot be loaded (logged). */
hb_script_t *hb_script_new(void);
void hb_script_free(hb_script_t *sc); /* NULL-safe */

/* Is the (valid UTF-8) text written in traditional characters?  True when
 * characters found only in traditional writing outnumber their simplified
 * forms, and there are at least a few of them. */
bool hb_script_traditional(const char *text, size_t len);

/* out = text in simplified characters.  Returns 0, or -1 (logged) when
 * OpenCC fails; out is then empty. */
int hb_script_simplify(hb_script_t *sc, const char *text, size_t len, hb_buf_t *out);

/* Do text and view have the same length, the same ASCII bytes and their
 * characters at the same offsets? */
bool hb_script_aligned(const char *text, const char *view, size_t len);

#endif
