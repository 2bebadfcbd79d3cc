/* hb_conf: the INI-style files under configs/.
 *
 *   # a comment
 *   [topic party_building]      <- section "topic", name "party_building"
 *   label = 党的建设
 *   keywords = 党建:3 党员      <- a key may repeat; each occurrence is kept
 *
 * hb_conf_load() reads the whole file; the returned hb_conf_t owns every
 * string in it and is freed with hb_conf_free().  Entries keep their file
 * line so callers can report "FILE:LINE: what is wrong". */
#ifndef HB_CONF_H
#define HB_CONF_H

#include <stddef.h>

typedef struct hb_conf_entry {
    const char *section; /* "topic" */
    const char *name;    /* "party_building", or "" */
    const char *key;
    const char *value;
    int line;
} hb_conf_entry_t;

typedef struct hb_conf_section {
    const char *section, *name; /* shared with the entries */
    int line;
} hb_conf_section_t;

typedef struct hb_conf {
    char *path;
    hb_conf_entry_t *entries;
    size_t n;
    hb_conf_section_t *sections; /* every [section], in order, empty ones included */
    size_t nsections;
} hb_conf_t;

/* Returns NULL after logging "PATH:LINE: problem" (or why it cannot be read). */
hb_conf_t *hb_conf_load(const char *path);
/* Parses text already in memory; path is used in messages only. */
hb_conf_t *hb_conf_parse(const char *path, const char *text, size_t len);
void hb_conf_free(hb_conf_t *c);
/* Where a default config file NAME is: configs/NAME in the current folder,
 * else beside the running program (BIN/../configs/NAME, then an installed
 * BIN/../share/huibao/configs/NAME).  Written into buf, which is returned. */
const char *hb_conf_default(const char *name, char *buf, size_t len);

/* The last value of key in [section] (any name), or def. */
const char *hb_conf_get(const hb_conf_t *c, const char *section, const char *key, const char *def);

#endif
