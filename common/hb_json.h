/* hb_json: JSON text from msgpack objects and C values, into an hb_buf.
 *
 * Strings are escaped per RFC 8259 and written as UTF-8 (the pipeline
 * validates UTF-8 once, at read); whatever reaches the writer otherwise (a
 * metadata field, a file name, a custom stage's bytes) has each ill-formed
 * sequence replaced by U+FFFD: no output file holds a byte that is not UTF-8.  Binary msgpack values are written as
 * null; floats with up to 6 significant digits. */
#ifndef HB_JSON_H
#define HB_JSON_H

#include <msgpack.h>
#include <stddef.h>

#include "hb_buf.h"

void hb_json_str(hb_buf_t *b, const char *s, size_t len);
void hb_json_cstr(hb_buf_t *b, const char *s); /* NULL writes null */
void hb_json_obj(hb_buf_t *b, const msgpack_object *o);
/* Writes "key": (with a leading comma unless first). */
void hb_json_key(hb_buf_t *b, const char *key, int first);

#endif
