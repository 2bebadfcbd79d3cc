#include "classifier.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hb_ac.h"
#include "hb_conf.h"
#include "hb_log.h"
#include "hb_mem.h"

typedef struct keyword {
    uint32_t topic;
    double weight;
} keyword_t;

struct hb_classifier {
    hb_ac_t *ac;
    keyword_t *kw;
    size_t nkw, kwcap;
    char *topic_id[HB_MAX_TOPICS];
    size_t ntopics;
    int general;           /* index of the "general" topic, -1 if none */
    double heading_weight; /* the deepest heading */
    double parent_weight;  /* headings above it */
    double min_score;      /* below this a unit has no topic of its own: general */
    double multi_ratio;    /* a topic is reported when it has this share of the best score */
    double multi_score;    /* ... or at least this score in its own text, whatever the best */
    double overview_general; /* an overview unit's general evidence counts this many times */
    double sentence_score;   /* an area that a sentence is about, with this score in it */
    /* scratch for one unit */
    double score[HB_MAX_TOPICS];
    double text_score[HB_MAX_TOPICS]; /* the part of score from the unit's own text */
    double sent[HB_MAX_TOPICS];       /* the evidence of the sentence being scanned */
    bool said[HB_MAX_TOPICS];         /* areas that a sentence of the unit is about */
    const char *text;                 /* the unit text being scanned; NULL for a heading */
    size_t text_len, sent_end;        /* end of the sentence being scanned */
    uint32_t *hits;    /* per keyword: times found in the text being scanned */
    uint32_t *touched; /* keywords with hits != 0, to add up and reset */
    size_t ntouched;
    uint32_t seen; /* watch words found, as hb_topics_t.seen */
};

/* Where byte b next occurs at or after from, or len. */
static size_t next_byte(const unsigned char *u, size_t len, size_t from, int b)
{
    const unsigned char *hit = from < len ? memchr(u + from, b, len - from) : NULL;
    return hit ? (size_t)(hit - u) : len;
}

/* The offset just past the sentence end (。；！？) at or after from, or len.
 * 。 begins with byte E3, the others with EF: memchr finds those (a test of
 * every byte cost classify 7% of its instructions), each searched again
 * only once passed. */
static size_t sentence_end(const char *s, size_t len, size_t from)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t e3 = next_byte(u, len, from, 0xE3), ef = next_byte(u, len, from, 0xEF);
    for (;;) {
        size_t i = e3 < ef ? e3 : ef;
        if (i + 3 > len)
            return len;
        if (i == e3) {
            if (u[i + 1] == 0x80 && u[i + 2] == 0x82) /* 。 */
                return i + 3;
            e3 = next_byte(u, len, i + 1, 0xE3);
        } else {
            if (u[i + 1] == 0xBC && (u[i + 2] == 0x9B || u[i + 2] == 0x81 || u[i + 2] == 0x9F))
                return i + 3; /* ；！？ */
            ef = next_byte(u, len, i + 1, 0xEF);
        }
    }
}

/* Ends the sentence scanned: the area with the most evidence in it (the
 * general words aside) is one the unit speaks of, if it has enough. */
static void end_sentence(hb_classifier_t *c)
{
    size_t best = 0;
    for (size_t t = 1; t < c->ntopics; t++)
        if ((int)best == c->general || ((int)t != c->general && c->sent[t] > c->sent[best]))
            best = t;
    if ((int)best != c->general && c->sent[best] >= c->sentence_score && c->sent[best] > 0)
        c->said[best] = true;
    memset(c->sent, 0, sizeof(double) * c->ntopics);
}

static void on_hit(void *arg, uint32_t id, size_t end)
{
    hb_classifier_t *c = arg;
    if (id >= c->nkw) { /* a watch word: ids after the keywords */
        c->seen |= 1u << (id - c->nkw);
        return;
    }
    if (c->hits[id]++ == 0)
        c->touched[c->ntouched++] = id;
    if (!c->text)
        return;
    if (end > c->sent_end) { /* hits come in order of their end */
        end_sentence(c);
        c->sent_end = sentence_end(c->text, c->text_len, end);
    }
    c->sent[c->kw[id].topic] += c->kw[id].weight;
}

/* Scans one text and adds its evidence times factor.  A keyword found n times
 * counts sqrt(n) times: a report that says 产业 eight times in a paragraph is
 * about industry, but not eight times more than about the farming it names
 * once beside it (the term-frequency saturation of text retrieval).  A
 * heading adds no general evidence: 工作回顾 or 总体要求 names the part of the
 * report (its kind), not what a unit beneath it is about. */
static void score_text(hb_classifier_t *c, const char *s, size_t len, double factor,
                       bool heading)
{
    c->ntouched = 0;
    c->seen = 0;
    /* The unit's own text is also read sentence by sentence (said[]). */
    c->text = heading ? NULL : s;
    if (!heading) {
        c->text_len = len;
        c->sent_end = sentence_end(s, len, 0);
        memset(c->sent, 0, sizeof(double) * c->ntopics);
        memset(c->said, 0, sizeof(bool) * c->ntopics);
    }
    hb_ac_scan(c->ac, s, len, on_hit, c);
    if (!heading)
        end_sentence(c);
    for (size_t i = 0; i < c->ntouched; i++) {
        uint32_t id = c->touched[i];
        double n = c->hits[id];
        if (!heading || (int)c->kw[id].topic != c->general)
            c->score[c->kw[id].topic] += c->kw[id].weight * factor * (n == 1 ? 1 : sqrt(n));
        c->hits[id] = 0;
    }
}

static int parse_number(const hb_conf_entry_t *e, const char *path, double *out)
{
    char *endp;
    errno = 0;
    double v = strtod(e->value, &endp);
    if (errno || endp == e->value || *endp || v < 0) {
        hb_error("%s:%d: %s must be a non-negative number, got \"%s\"", path, e->line, e->key,
                 e->value);
        return -1;
    }
    *out = v;
    return 0;
}

/* "term" or "term:W" */
static int add_keyword(hb_classifier_t *c, const char *path, int line, const char *tok,
                       size_t len, uint32_t topic)
{
    const char *colon = memchr(tok, ':', len);
    size_t tlen = colon ? (size_t)(colon - tok) : len;
    double w = 1.0;
    if (colon) {
        char num[32];
        size_t nlen = len - tlen - 1;
        char *endp;
        if (nlen == 0 || nlen >= sizeof num) {
            hb_error("%s:%d: keyword \"%.*s\": weight after ':' is missing or too long", path,
                     line, (int)len, tok);
            return -1;
        }
        memcpy(num, colon + 1, nlen);
        num[nlen] = '\0';
        w = strtod(num, &endp);
        if (*endp || !(w > 0) || w > 100) {
            hb_error("%s:%d: keyword \"%.*s\": weight must be a number in (0, 100]", path, line,
                     (int)len, tok);
            return -1;
        }
    }
    if (tlen == 0) {
        hb_error("%s:%d: empty keyword before ':'", path, line);
        return -1;
    }
    if (c->nkw == c->kwcap) {
        c->kwcap = c->kwcap ? c->kwcap * 2 : 256;
        c->kw = hb_realloc(c->kw, c->kwcap * sizeof *c->kw);
    }
    c->kw[c->nkw] = (keyword_t){topic, w};
    hb_ac_add(c->ac, tok, tlen, (uint32_t)c->nkw);
    c->nkw++;
    return 0;
}

static int topic_index(hb_classifier_t *c, const char *id, const char *path, int line)
{
    for (size_t i = 0; i < c->ntopics; i++)
        if (!strcmp(c->topic_id[i], id))
            return (int)i;
    if (c->ntopics == HB_MAX_TOPICS) {
        hb_error("%s:%d: more than %d topics", path, line, HB_MAX_TOPICS);
        return -1;
    }
    c->topic_id[c->ntopics] = hb_strdup(id);
    return (int)c->ntopics++;
}

hb_classifier_t *hb_classifier_load(const char *path, const char *const *watch)
{
    hb_conf_t *conf = hb_conf_load(path);
    if (!conf)
        return NULL;
    hb_classifier_t *c = hb_calloc(1, sizeof *c);
    c->ac = hb_ac_new();
    c->general = -1;
    c->heading_weight = 3;
    c->parent_weight = 1;
    c->min_score = 1;
    c->multi_ratio = 0.4;
    c->multi_score = 5;
    c->overview_general = 2;
    c->sentence_score = 4;
    struct {
        const char *key;
        double *field;
    } params[] = {
        {"heading_weight", &c->heading_weight}, {"parent_heading_weight", &c->parent_weight},
        {"min_score", &c->min_score},           {"multi_label_ratio", &c->multi_ratio},
        {"multi_label_score", &c->multi_score}, {"overview_general_weight", &c->overview_general},
        {"sentence_score", &c->sentence_score},
    };
    for (size_t i = 0; i < conf->n; i++) {
        const hb_conf_entry_t *e = &conf->entries[i];
        if (!strcmp(e->section, "scoring")) {
            size_t p = 0;
            while (p < sizeof params / sizeof params[0] && strcmp(params[p].key, e->key))
                p++;
            if (p == sizeof params / sizeof params[0]) {
                hb_error("%s:%d: unknown scoring setting \"%s\"", path, e->line, e->key);
                goto fail;
            }
            if (parse_number(e, path, params[p].field) != 0)
                goto fail;
            continue;
        }
        if (strcmp(e->section, "topic")) {
            hb_error("%s:%d: unknown section [%s]; expected [scoring] or [topic ID]", path,
                     e->line, e->section);
            goto fail;
        }
        if (!*e->name) {
            hb_error("%s:%d: a [topic] section needs an id: [topic my_topic]", path, e->line);
            goto fail;
        }
        int t = topic_index(c, e->name, path, e->line);
        if (t < 0)
            goto fail;
        if (!strcmp(e->key, "label") || !strcmp(e->key, "description"))
            continue;
        if (strcmp(e->key, "keywords")) {
            hb_error("%s:%d: unknown key \"%s\" in [topic %s]; expected label, description or "
                     "keywords", path,
                     e->line, e->key, e->name);
            goto fail;
        }
        const char *s = e->value;
        while (*s) {
            while (*s == ' ' || *s == '\t')
                s++;
            size_t n = strcspn(s, " \t");
            if (n && add_keyword(c, path, e->line, s, n, (uint32_t)t) != 0)
                goto fail;
            s += n;
        }
    }
    if (c->ntopics == 0 || c->nkw == 0) {
        hb_error("%s: no [topic ID] section with keywords: nothing to classify with", path);
        goto fail;
    }
    for (size_t i = 0; i < c->ntopics; i++)
        if (!strcmp(c->topic_id[i], "general"))
            c->general = (int)i;
    for (size_t i = 0; watch && watch[i]; i++) {
        if (i == HB_MAX_WATCH || !*watch[i]) {
            hb_error("%s: more than %d watch words, or an empty one", path, HB_MAX_WATCH);
            goto fail;
        }
        hb_ac_add(c->ac, watch[i], strlen(watch[i]), (uint32_t)(c->nkw + i));
    }
    if (hb_ac_build(c->ac) != 0) {
        hb_error("%s: keyword automaton could not be built", path);
        goto fail;
    }
    c->hits = hb_calloc(c->nkw, sizeof *c->hits);
    c->touched = hb_calloc(c->nkw, sizeof *c->touched);
    hb_conf_free(conf);
    return c;
fail:
    hb_conf_free(conf);
    hb_classifier_free(c);
    return NULL;
}

void hb_classifier_free(hb_classifier_t *c)
{
    if (!c)
        return;
    hb_ac_free(c->ac);
    for (size_t i = 0; i < c->ntopics; i++)
        free(c->topic_id[i]);
    free(c->kw);
    free(c->hits);
    free(c->touched);
    free(c);
}

size_t hb_classifier_ntopics(const hb_classifier_t *c)
{
    return c->ntopics;
}

const char *hb_classifier_topic_id(const hb_classifier_t *c, uint32_t topic)
{
    return topic < c->ntopics ? c->topic_id[topic] : NULL;
}

size_t hb_classifier_nkeywords(const hb_classifier_t *c)
{
    return c->nkw;
}

static int by_score_desc(const void *a, const void *b)
{
    const hb_topic_score_t *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    return x->topic < y->topic ? -1 : x->topic > y->topic;
}

void hb_classify(hb_classifier_t *c, const hb_text_ref_t *section, size_t depth,
                 hb_text_ref_t text, hb_unit_place_t place, hb_topics_t *out)
{
    memset(c->score, 0, sizeof(double) * c->ntopics);
    score_text(c, text.s, text.len, 1.0, false);
    out->seen = c->seen;
    memcpy(c->text_score, c->score, sizeof(double) * c->ntopics);
    for (size_t i = 0; i < depth; i++)
        score_text(c, section[i].s, section[i].len,
                   i + 1 == depth && !place.turned ? c->heading_weight : c->parent_weight, true);
    /* An overview opens a part of the report and leans to the report as a
     * whole: its general evidence (guiding ideology, framing, thanks) counts
     * more, but an area that outweighs it still wins. */
    if (place.overview && c->general >= 0)
        c->score[c->general] *= c->overview_general;
    double total = 0;
    out->n = 0;
    for (size_t i = 0; i < c->ntopics; i++)
        if (c->score[i] > 0) {
            total += c->score[i];
            if ((int)i != c->general)
                out->t[out->n++] = (hb_topic_score_t){(uint32_t)i, c->score[i]};
        }
    qsort(out->t, out->n, sizeof out->t[0], by_score_desc);
    double best = out->n ? out->t[0].score : 0;
    /* General where no area has evidence enough, or where the general
     * vocabulary weighs at least as much as the best area: openings,
     * closings, guiding ideology, a summary spread over many areas. */
    if (c->general >= 0 && (best < c->min_score || c->score[c->general] >= best)) {
        out->main = c->general;
        out->n = 1;
        out->t[0] = (hb_topic_score_t){(uint32_t)c->general, 1.0};
        return;
    }
    /* Keep the best area, and beside it the areas the unit's own text names:
     * those close to the best, those with much evidence in the text, and
     * those that a sentence of the text is about (a long paragraph covers
     * several areas: 推进“两学一做”学习教育常态化制度化。 in a paragraph on
     * integrity).  The heading is shared by its
     * whole section: it makes no secondary area of its own.  Report their
     * shares of the evidence. */
    size_t kept = 0;
    for (size_t i = 0; i < out->n; i++) {
        double own = c->text_score[out->t[i].topic];
        if ((i == 0 && best >= c->min_score) ||
            (out->t[i].score >= c->multi_ratio * best && own >= c->min_score) ||
            own >= c->multi_score || c->said[out->t[i].topic])
            out->t[kept++] = (hb_topic_score_t){out->t[i].topic,
                                                round(out->t[i].score / total * 1000) / 1000};
    }
    out->n = kept;
    out->main = kept ? (int)out->t[0].topic : -1;
}
