/* hb_map: a string-keyed hash map with open addressing.
 *
 * The map copies keys and owns the copies; values are the caller's (the map
 * never frees them).  Iteration visits every entry in insertion order, which
 * keeps outputs built from a map deterministic. */
#ifndef HB_MAP_H
#define HB_MAP_H

#include <stddef.h>

typedef struct hb_map hb_map_t;

hb_map_t *hb_map_new(void);
void hb_map_free(hb_map_t *m); /* frees keys, not values */
void *hb_map_get(const hb_map_t *m, const char *key);
/* Sets key to value, replacing any previous value (returned, or NULL). */
void *hb_map_put(hb_map_t *m, const char *key, void *value);
size_t hb_map_size(const hb_map_t *m);
/* The i-th entry in insertion order, 0 <= i < size. */
const char *hb_map_key_at(const hb_map_t *m, size_t i);
void *hb_map_value_at(const hb_map_t *m, size_t i);

#endif
