/* hb_utf8: strict UTF-8 validation, decoding and encoding.
 *
 * "Valid" follows RFC 3629 / Unicode ch. 3: no overlong forms, no UTF-16
 * surrogates (U+D800..U+DFFF), nothing above U+10FFFF. */
#ifndef HB_UTF8_H
#define HB_UTF8_H

#include <stddef.h>
#include <stdint.h>

#include "hb_buf.h"

#define HB_UTF8_REPLACEMENT 0xFFFDu

/* returns 1 if s[0..len) is valid UTF-8 (no overlongs, no surrogates, max
 * U+10FFFF), else 0; *bad_offset (if non-NULL) gets the offset of the first
 * invalid byte: the start of the first ill-formed sequence (for a sequence cut
 * off by the end of the input, the offset of its lead byte). On success
 * *bad_offset is set to len. */
int hb_utf8_valid(const char *s, size_t len, size_t *bad_offset);

/* decodes one code point at s[*i], advances *i; on invalid input returns
 * 0xFFFD and advances by 1. Requires *i < len. */
uint32_t hb_utf8_next(const char *s, size_t len, size_t *i);

/* appends the UTF-8 encoding of cp to b; a surrogate or a value above
 * U+10FFFF is not encodable and is written as U+FFFD. */
void hb_utf8_put(hb_buf_t *b, uint32_t cp);

/* Lower level decoder for callers that must tell errors apart from a literal
 * U+FFFD. Decodes the sequence at s[*i] (requires *i < len):
 *   HB_UTF8_OK     *cp = the code point, *i advanced past it;
 *   HB_UTF8_BAD    ill-formed: *cp = 0xFFFD, *i advanced past the maximal
 *                  ill-formed subpart (at least 1 byte), as the Unicode
 *                  "substitution of maximal subparts" practice prescribes;
 *   HB_UTF8_SHORT  a well-formed prefix cut off by the end of the input:
 *                  *cp = 0xFFFD, *i = len. */
enum { HB_UTF8_OK = 0, HB_UTF8_BAD = -1, HB_UTF8_SHORT = -2 };
int hb_utf8_decode(const char *s, size_t len, size_t *i, uint32_t *cp);

/* appends s[0..len) to b with every ill-formed sequence replaced by U+FFFD:
 * a file name (bytes on Linux) made fit for UTF-8 text and JSON. */
void hb_utf8_sanitize(hb_buf_t *b, const char *s, size_t len);

/* number of bytes hb_utf8_put writes for cp (1..4) */
size_t hb_utf8_len(uint32_t cp);

#endif
