/* decode: raw bytes of a file -> clean UTF-8 text, or a rejection with a
 * reason a person understands.
 *
 * Accepted input: UTF-8 (with or without BOM), UTF-16LE/BE and UTF-32LE/BE
 * with a BOM, UTF-16LE/BE without a BOM (found by the NUL-byte pattern), and
 * the legacy Chinese encodings uchardet recognises (GB2312/GBK/GB18030 read
 * as GB18030, Big5, EUC-TW). Output is valid UTF-8 with LF line ends and
 * otherwise unchanged text (no width folding, U+3000 kept). A few damaged
 * bytes in otherwise good text become U+FFFD; heavy damage is rejected. */
#ifndef HB_READ_DECODE_H
#define HB_READ_DECODE_H

#include <stddef.h>

#include "hb_buf.h"

typedef struct hb_decode_result {
    const char *encoding;   /* static string: "utf-8", "utf-8-bom", "utf-16le", "utf-16be", "gb18030", "big5", ... */
    const char *reason;     /* static string when rejected, NULL on success, e.g. "empty file", "binary data (NUL bytes)", "not text: 37% control bytes", "undecodable: invalid UTF-8 at byte 1234 and no known Chinese encoding fits" */
} hb_decode_result_t;

/* Decodes raw[0..len) into out (out is reset first; caller owns out). Returns
 * 0 with clean text, -1 when rejected (res->reason set). Never aborts on bad
 * input.
 *
 * On rejection res->encoding is the encoding that was tried last, or NULL
 * when none was (e.g. binary data), and out holds no useful text. A reason
 * that carries numbers lives in a thread-local buffer: it stays valid until
 * the next hb_decode call on the same thread (copy it to keep it longer). */
int hb_decode(const char *raw, size_t len, hb_buf_t *out, hb_decode_result_t *res);

#endif
