#include "figtop.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "hb_map.h"
#include "hb_mem.h"

typedef struct group {
    char *bu;
    uint64_t count;
    size_t n;
    hb_figtop_fig_t fig[HB_FIGTOP_KEEP]; /* largest first */
} group_t;

typedef struct topic {
    char *id;          /* NULL: none */
    group_t **groups;
    size_t ngroups;
} topic_t;

struct hb_figtop {
    hb_map_t *topics;  /* "T" id or "N" -> topic_t */
    hb_map_t *groups;  /* topic key, "\x1f", unit -> group_t */
};

hb_figtop_t *hb_figtop_new(void)
{
    hb_figtop_t *t = hb_calloc(1, sizeof *t);
    t->topics = hb_map_new();
    t->groups = hb_map_new();
    return t;
}

void hb_figtop_free(hb_figtop_t *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < hb_map_size(t->groups); i++) {
        group_t *g = hb_map_value_at(t->groups, i);
        for (size_t k = 0; k < g->n; k++) {
            free(g->fig[k].raw);
            free(g->fig[k].subject);
        }
        free(g->bu);
        free(g);
    }
    for (size_t i = 0; i < hb_map_size(t->topics); i++) {
        topic_t *tp = hb_map_value_at(t->topics, i);
        free(tp->id);
        free(tp->groups);
        free(tp);
    }
    hb_map_free(t->topics);
    hb_map_free(t->groups);
    free(t);
}

/* a comes before b: larger, or as large and earlier in the run's order. */
static bool before(double v, uint64_t unit_id, uint32_t n, const hb_figtop_fig_t *b)
{
    if (v != b->v)
        return v > b->v;
    return unit_id != b->unit_id ? unit_id < b->unit_id : n < b->n;
}

static char *copy(const char *s, size_t len)
{
    return s ? hb_strndup(s, len) : NULL;
}

static group_t *group_of(hb_figtop_t *t, const char *topic, size_t topic_len, const char *bu,
                         size_t bu_len)
{
    char key[512];
    if (topic_len + bu_len + 3 > sizeof key || memchr(bu, '\0', bu_len) ||
        (topic && memchr(topic, '\0', topic_len)))
        return NULL; /* not a unit of measure anyone compares */
    size_t k = 0;
    key[k++] = topic ? 'T' : 'N';
    if (topic) {
        memcpy(key + k, topic, topic_len);
        k += topic_len;
    }
    key[k] = '\0';
    topic_t *tp = hb_map_get(t->topics, key);
    key[k++] = '\x1f';
    memcpy(key + k, bu, bu_len);
    key[k + bu_len] = '\0';
    group_t *g = hb_map_get(t->groups, key);
    if (g)
        return g;
    if (!tp) {
        char tkey[512];
        memcpy(tkey, key, k - 1);
        tkey[k - 1] = '\0';
        tp = hb_calloc(1, sizeof *tp);
        tp->id = copy(topic, topic_len);
        hb_map_put(t->topics, tkey, tp);
    }
    g = hb_calloc(1, sizeof *g);
    g->bu = hb_strndup(bu, bu_len);
    hb_map_put(t->groups, key, g);
    tp->groups = hb_realloc(tp->groups, (tp->ngroups + 1) * sizeof *tp->groups);
    tp->groups[tp->ngroups++] = g;
    return g;
}

void hb_figtop_add(hb_figtop_t *t, const char *topic, size_t topic_len, const char *bu,
                   size_t bu_len, double v, uint64_t unit_id, uint32_t n, const char *raw,
                   size_t raw_len, const char *subject, size_t subject_len)
{
    if (!bu || (bu_len == 1 && bu[0] == '%') || (bu_len == 3 && !memcmp(bu, "‰", 3)))
        return;
    group_t *g = group_of(t, topic, topic_len, bu, bu_len);
    if (!g)
        return;
    g->count++;
    if (g->n == HB_FIGTOP_KEEP && !before(v, unit_id, n, &g->fig[g->n - 1]))
        return;
    size_t at = g->n < HB_FIGTOP_KEEP ? g->n++ : g->n - 1;
    free(g->fig[at].raw);
    free(g->fig[at].subject);
    while (at > 0 && before(v, unit_id, n, &g->fig[at - 1])) {
        g->fig[at] = g->fig[at - 1];
        at--;
    }
    g->fig[at] = (hb_figtop_fig_t){v, unit_id, n, copy(raw, raw_len), copy(subject, subject_len)};
}

size_t hb_figtop_topics(const hb_figtop_t *t)
{
    return hb_map_size(t->topics);
}

const char *hb_figtop_topic(const hb_figtop_t *t, size_t i)
{
    const topic_t *tp = hb_map_value_at(t->topics, i);
    return tp->id;
}

size_t hb_figtop_best(const hb_figtop_t *t, size_t i, const char **bu,
                      const hb_figtop_fig_t **figs)
{
    const topic_t *tp = hb_map_value_at(t->topics, i);
    const group_t *best = NULL;
    for (size_t k = 0; k < tp->ngroups; k++) {
        const group_t *g = tp->groups[k];
        if (!best || g->count > best->count ||
            (g->count == best->count && strcmp(g->bu, best->bu) < 0))
            best = g;
    }
    if (!best)
        return 0;
    *bu = best->bu;
    *figs = best->fig;
    return best->n;
}
