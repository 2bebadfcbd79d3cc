#include "hb_map.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hb_mem.h"

typedef struct entry {
    char *key;
    void *value;
} entry_t;

struct hb_map {
    entry_t *entries; /* insertion order */
    size_t n, cap;
    uint32_t *slots;  /* index + 1 into entries; 0 is empty */
    size_t nslots;    /* a power of two, at least twice n */
};

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

hb_map_t *hb_map_new(void)
{
    hb_map_t *m = hb_calloc(1, sizeof *m);
    m->nslots = 16;
    m->slots = hb_calloc(m->nslots, sizeof *m->slots);
    return m;
}

void hb_map_free(hb_map_t *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n; i++)
        free(m->entries[i].key);
    free(m->entries);
    free(m->slots);
    free(m);
}

static size_t find_slot(const hb_map_t *m, const char *key)
{
    size_t mask = m->nslots - 1;
    for (size_t i = hash(key) & mask;; i = (i + 1) & mask)
        if (!m->slots[i] || !strcmp(m->entries[m->slots[i] - 1].key, key))
            return i;
}

void *hb_map_get(const hb_map_t *m, const char *key)
{
    uint32_t e = m->slots[find_slot(m, key)];
    return e ? m->entries[e - 1].value : NULL;
}

static void grow(hb_map_t *m)
{
    free(m->slots);
    m->nslots *= 2;
    m->slots = hb_calloc(m->nslots, sizeof *m->slots);
    for (size_t i = 0; i < m->n; i++)
        m->slots[find_slot(m, m->entries[i].key)] = (uint32_t)(i + 1);
}

void *hb_map_put(hb_map_t *m, const char *key, void *value)
{
    size_t s = find_slot(m, key);
    if (m->slots[s]) {
        void *old = m->entries[m->slots[s] - 1].value;
        m->entries[m->slots[s] - 1].value = value;
        return old;
    }
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 16;
        m->entries = hb_realloc(m->entries, m->cap * sizeof *m->entries);
    }
    m->entries[m->n] = (entry_t){hb_strdup(key), value};
    m->slots[s] = (uint32_t)(++m->n);
    if (m->n * 2 > m->nslots)
        grow(m);
    return NULL;
}

size_t hb_map_size(const hb_map_t *m)
{
    return m->n;
}

const char *hb_map_key_at(const hb_map_t *m, size_t i)
{
    return m->entries[i].key;
}

void *hb_map_value_at(const hb_map_t *m, size_t i)
{
    return m->entries[i].value;
}
