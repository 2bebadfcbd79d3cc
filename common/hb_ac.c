#include "hb_ac.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "hb_mem.h"

#define HB_AC_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define HB_AC_NO_RESET UINT32_MAX

/* One added pattern: its bytes live in hb_ac.pbytes at off. */
typedef struct hb_ac_pat {
    size_t off;
    size_t len;
    uint32_t id;
} hb_ac_pat_t;

struct hb_ac {
    /* Until build: the patterns, copied. Freed by build. */
    unsigned char *pbytes;
    size_t pbytes_len, pbytes_cap;
    hb_ac_pat_t *pats;
    size_t npats, pats_cap;
    int built;

    /* After build: the DFA, read-only.
     *
     * cls maps a byte to its class: one class per byte value that occurs in
     * some pattern, plus one shared class for all the others (they can only
     * lead back to the root's transitions, so they behave alike).
     *
     * tab holds one row of nclasses cells per state: the next states.  The
     * cells are 16 bits wide while the states fit (tab16), 32 bits beyond
     * (tab32): at 16 bits the rows of the shallow states, where a scan spends
     * nearly all its steps, stay in the core's own cache beside the rest of
     * the program.  States are numbered so that every state with output
     * comes last: "did this byte end a match?" is then the single compare
     * s >= match_min; outs[s - match_min] is its output index into out.
     *
     * out is a flat array of lists, each [count, id, id, ...]; a state's list
     * already includes the outputs of its suffix states, so scanning never
     * follows a failure or dictionary link. */
    uint8_t cls[256];
    uint32_t nclasses;
    uint32_t match_min;
    uint16_t *tab16; /* NULL when the states need 32 bits */
    uint32_t *tab32; /* NULL when they fit 16 */
    uint32_t *outs;
    uint32_t *out;
    /* reset[b]: the state every state goes to on byte b, where they all go to
     * the same one; HB_AC_NO_RESET where not (see the lanes below). */
    uint32_t reset[256];
    /* reset3: bit ((a & 15) << 12 | (b & 63) << 6 | (c & 63)) for a three-byte
     * UTF-8 character a b c that leads every state to the root: no pattern
     * holds it, and none starts with its last byte or its last two (the
     * ideographic full stop and comma, in Chinese keywords). */
    uint64_t reset3[1024];
    size_t maxlen; /* longest pattern, bytes */
    size_t npatterns;
};

hb_ac_t *hb_ac_new(void)
{
    return hb_calloc(1, sizeof(hb_ac_t));
}

void hb_ac_free(hb_ac_t *ac)
{
    if (!ac)
        return;
    free(ac->pbytes);
    free(ac->pats);
    free(ac->tab16);
    free(ac->tab32);
    free(ac->outs);
    free(ac->out);
    free(ac);
}

int hb_ac_add(hb_ac_t *ac, const char *pat, size_t len, uint32_t id)
{
    if (ac->built || len == 0)
        return -1;
    if (ac->pbytes_len + len > ac->pbytes_cap) {
        size_t cap = ac->pbytes_cap ? ac->pbytes_cap : 1024;
        while (cap < ac->pbytes_len + len)
            cap *= 2;
        ac->pbytes = hb_realloc(ac->pbytes, cap);
        ac->pbytes_cap = cap;
    }
    if (ac->npats == ac->pats_cap) {
        ac->pats_cap = ac->pats_cap ? ac->pats_cap * 2 : 64;
        ac->pats = hb_realloc(ac->pats, ac->pats_cap * sizeof(*ac->pats));
    }
    memcpy(ac->pbytes + ac->pbytes_len, pat, len);
    ac->pats[ac->npats].off = ac->pbytes_len;
    ac->pats[ac->npats].len = len;
    ac->pats[ac->npats].id = id;
    ac->npats++;
    ac->pbytes_len += len;
    if (len > ac->maxlen)
        ac->maxlen = len;
    ac->npatterns++;
    return 0;
}

size_t hb_ac_patterns(const hb_ac_t *ac)
{
    return ac->npatterns;
}

/* Byte classes: used bytes get 0..u-1 in byte order, the rest share class u.
 * When all 256 values are used there is no "other" class, so the largest
 * class index is 255 either way and fits a uint8_t. */
static void hb_ac_classes(hb_ac_t *ac)
{
    unsigned char used[256] = {0};
    for (size_t i = 0; i < ac->pbytes_len; i++)
        used[ac->pbytes[i]] = 1;
    uint32_t u = 0;
    for (int b = 0; b < 256; b++)
        if (used[b])
            ac->cls[b] = (uint8_t)u++;
    for (int b = 0; b < 256; b++)
        if (!used[b])
            ac->cls[b] = (uint8_t)u;
    ac->nclasses = u < 256 ? u + 1 : 256;
}

static inline unsigned hb_ac_char3(const unsigned char *u)
{
    return (u[0] & 0xF0) == 0xE0 && (u[1] & 0xC0) == 0x80 && (u[2] & 0xC0) == 0x80
               ? (u[0] & 0x0Fu) << 12 | (u[1] & 0x3Fu) << 6 | (u[2] & 0x3Fu)
               : UINT32_MAX;
}

/* Fills reset3 from the patterns and the trie (before it becomes the DFA:
 * a 0 cell is no child). */
static void hb_ac_reset3(hb_ac_t *ac, const uint32_t *trie, size_t nc)
{
    memset(ac->reset3, 0xFF, sizeof ac->reset3);
    for (size_t p = 0; p < ac->npats; p++) {
        const unsigned char *b = ac->pbytes + ac->pats[p].off;
        for (size_t i = 0; i + 3 <= ac->pats[p].len; i++) {
            unsigned x = hb_ac_char3(b + i);
            if (x != UINT32_MAX)
                ac->reset3[x >> 6] &= ~(1ull << (x & 63));
        }
    }
    for (unsigned b = 0x80; b < 0xC0; b++) {
        uint32_t one = trie[ac->cls[b]]; /* the root's child on b, or 0 */
        for (unsigned c = 0x80; c < 0xC0; c++) {
            if (!trie[ac->cls[c]] && !(one && trie[(size_t)one * nc + ac->cls[c]]))
                continue;
            for (unsigned a = 0; a < 16; a++) { /* a pattern starts with c, or b c */
                unsigned x = a << 12 | (b & 0x3Fu) << 6 | (c & 0x3Fu);
                ac->reset3[x >> 6] &= ~(1ull << (x & 63));
            }
        }
    }
}

int hb_ac_build(hb_ac_t *ac)
{
    if (ac->built)
        return -1;
    hb_ac_classes(ac);
    size_t nc = ac->nclasses;

    /* 1. Trie, dense rows over classes; 0 = no child (the root is never a
     * child). At most one state per pattern byte, plus the root. */
    size_t maxstates = ac->pbytes_len + 1;
    uint32_t *trie = hb_calloc(maxstates * nc, sizeof(uint32_t));
    size_t nstates = 1;
    size_t *end_state = hb_malloc((ac->npats ? ac->npats : 1) * sizeof(size_t));
    for (size_t p = 0; p < ac->npats; p++) {
        const unsigned char *b = ac->pbytes + ac->pats[p].off;
        size_t s = 0;
        for (size_t i = 0; i < ac->pats[p].len; i++) {
            uint32_t *cell = &trie[s * nc + ac->cls[b[i]]];
            if (!*cell)
                *cell = (uint32_t)nstates++;
            s = *cell;
        }
        end_state[p] = s;
    }

    hb_ac_reset3(ac, trie, nc);

    /* Everything below stores state numbers in uint32_t. */
    if (nstates > UINT32_MAX) {
        free(trie);
        free(end_state);
        return -1;
    }

    /* 2. Own outputs per state, ids in add order (counting sort, stable). */
    uint32_t *own_start = hb_calloc(nstates + 1, sizeof(uint32_t));
    uint32_t *own_ids = hb_malloc((ac->npats ? ac->npats : 1) * sizeof(uint32_t));
    for (size_t p = 0; p < ac->npats; p++)
        own_start[end_state[p] + 1]++;
    for (size_t s = 0; s < nstates; s++)
        own_start[s + 1] += own_start[s];
    {
        uint32_t *fill = hb_malloc(nstates * sizeof(uint32_t));
        memcpy(fill, own_start, nstates * sizeof(uint32_t));
        for (size_t p = 0; p < ac->npats; p++)
            own_ids[fill[end_state[p]]++] = ac->pats[p].id;
        free(fill);
    }
    free(end_state);

    /* 3. Breadth-first: failure links, and missing transitions filled from
     * the failure state's row (already complete, being shallower). This
     * turns the trie into the full DFA in place. */
    uint32_t *order = hb_malloc(nstates * sizeof(uint32_t));
    uint32_t *fail = hb_calloc(nstates, sizeof(uint32_t));
    size_t head = 0, tail = 0;
    order[tail++] = 0;
    while (head < tail) {
        uint32_t s = order[head++];
        uint32_t *row = &trie[(size_t)s * nc];
        const uint32_t *frow = &trie[(size_t)fail[s] * nc];
        for (size_t c = 0; c < nc; c++) {
            if (row[c]) {
                fail[row[c]] = s ? frow[c] : 0;
                order[tail++] = row[c];
            } else if (s) {
                row[c] = frow[c];
            }
            /* root: a missing edge stays 0, back to the root */
        }
    }

    /* 4. Merged output lists, also in BFS order so a state's failure list
     * exists before it. A state with no own output has exactly its failure
     * state's list, so it shares it instead of copying. */
    uint32_t *mcount = hb_calloc(nstates, sizeof(uint32_t));
    uint32_t *mstart = hb_calloc(nstates, sizeof(uint32_t));
    size_t total = 0, nmatch = 0;
    for (size_t k = 1; k < nstates; k++) {
        uint32_t s = order[k];
        uint32_t own = own_start[s + 1] - own_start[s];
        mcount[s] = own + mcount[fail[s]];
        if (own)
            total += 1 + (size_t)mcount[s];
        if (mcount[s])
            nmatch++;
    }
    if (total > UINT32_MAX) {
        free(trie);
        free(own_start);
        free(own_ids);
        free(order);
        free(fail);
        free(mcount);
        free(mstart);
        return -1;
    }
    uint32_t *out = hb_malloc((total ? total : 1) * sizeof(uint32_t));
    size_t pos = 0;
    for (size_t k = 1; k < nstates; k++) {
        uint32_t s = order[k];
        uint32_t own = own_start[s + 1] - own_start[s];
        if (!own) {
            mstart[s] = mstart[fail[s]];
            continue;
        }
        mstart[s] = (uint32_t)pos;
        out[pos++] = mcount[s];
        memcpy(&out[pos], &own_ids[own_start[s]], own * sizeof(uint32_t));
        pos += own;
        if (mcount[fail[s]]) {
            memcpy(&out[pos], &out[mstart[fail[s]] + 1],
                   mcount[fail[s]] * sizeof(uint32_t));
            pos += mcount[fail[s]];
        }
    }

    /* 5. Renumber: non-match states first, match states last, each group in
     * BFS order (the root stays 0, and the shallow, hot states sit together
     * at the front of the table). */
    uint32_t *newid = hb_malloc(nstates * sizeof(uint32_t));
    uint32_t next_plain = 0, next_match = (uint32_t)(nstates - nmatch);
    for (size_t k = 0; k < nstates; k++) {
        uint32_t s = order[k];
        newid[s] = mcount[s] ? next_match++ : next_plain++;
    }
    bool narrow = nstates <= (size_t)UINT16_MAX + 1;
    uint16_t *tab16 = narrow ? hb_malloc(nstates * nc * sizeof(uint16_t)) : NULL;
    uint32_t *tab32 = narrow ? NULL : hb_malloc(nstates * nc * sizeof(uint32_t));
    uint32_t *outs = hb_malloc((nmatch ? nmatch : 1) * sizeof(uint32_t));
    for (size_t s = 0; s < nstates; s++) {
        size_t row = (size_t)newid[s] * nc;
        const uint32_t *trow = &trie[s * nc];
        for (size_t c = 0; c < nc; c++) {
            if (narrow)
                tab16[row + c] = (uint16_t)newid[trow[c]];
            else
                tab32[row + c] = newid[trow[c]];
        }
        if (mcount[s])
            outs[newid[s] - (nstates - nmatch)] = mstart[s];
    }
    for (size_t c = 0; c < nc; c++) { /* a column with one state throughout */
        uint32_t to = newid[trie[c]];
        for (size_t s = 1; s < nstates && to != HB_AC_NO_RESET; s++)
            if (newid[trie[s * nc + c]] != to)
                to = HB_AC_NO_RESET;
        for (int b = 0; b < 256; b++)
            if (ac->cls[b] == c)
                ac->reset[b] = to;
    }

    free(trie);
    free(own_start);
    free(own_ids);
    free(order);
    free(fail);
    free(mcount);
    free(mstart);
    free(newid);

    ac->tab16 = tab16;
    ac->tab32 = tab32;
    ac->outs = outs;
    ac->out = out;
    ac->match_min = (uint32_t)(nstates - nmatch);
    free(ac->pbytes);
    free(ac->pats);
    ac->pbytes = NULL;
    ac->pats = NULL;
    ac->pbytes_len = ac->pbytes_cap = ac->npats = ac->pats_cap = 0;
    ac->built = 1;
    return 0;
}

/* Hits are reported through a state's output list; o points at [count, ids]. */
static inline size_t hb_ac_emit(const hb_ac_t *ac, uint32_t s, size_t end,
                                hb_ac_hit_fn fn, void *arg)
{
    const uint32_t *o = &ac->out[ac->outs[s - ac->match_min]];
    if (fn)
        for (uint32_t k = 1; k <= o[0]; k++)
            fn(arg, o[k], end);
    return o[0];
}

/* The next state.  Called with a constant narrow, so each scan below is
 * compiled for one cell width. */
static inline __attribute__((always_inline)) uint32_t
hb_ac_next(const void *tab, bool narrow, size_t nc, uint32_t s, unsigned cls)
{
    size_t i = (size_t)s * nc + cls;
    return narrow ? ((const uint16_t *)tab)[i] : ((const uint32_t *)tab)[i];
}

/* The plain DFA loop over p[from, to), starting in *sp. */
static inline __attribute__((always_inline)) size_t
hb_ac_run(const hb_ac_t *ac, bool narrow, const unsigned char *p, size_t from, size_t to,
          uint32_t *sp, hb_ac_hit_fn fn, void *arg)
{
    const void *tab = narrow ? (const void *)ac->tab16 : (const void *)ac->tab32;
    const size_t nc = ac->nclasses;
    const uint8_t *cls = ac->cls;
    const uint32_t match_min = ac->match_min;
    uint32_t s = *sp;
    size_t hits = 0;
    for (size_t i = from; i < to; i++) {
        s = hb_ac_next(tab, narrow, nc, s, cls[p[i]]);
        if (HB_AC_UNLIKELY(s >= match_min))
            hits += hb_ac_emit(ac, s, i + 1, fn, arg);
    }
    *sp = s;
    return hits;
}

/* Interleaved scanning. Each lookup needs the previous state, so the plain
 * loop runs at one load latency per byte (L1's few cycles, far more once
 * thousands of patterns push the table out to L2/L3). So each block of up
 * to HB_AC_LANES * HB_AC_LANE bytes is cut into lanes run side by side,
 * giving the CPU independent loads to overlap (measured: about 2x).
 *
 * A lane other than the first must know its start state.  Some bytes tell
 * it outright: a byte that no pattern holds (the full-width comma's lead
 * byte, in Chinese keywords) leads back to the root from every state, and
 * one that patterns hold only as their first byte leads to the same state
 * from every state (reset[] has these, built once).  So a lane starts just
 * after such a byte, looked for at most HB_AC_SEEK bytes before its nominal
 * start; the lanes come out a little uneven.  Where there is none, it
 * starts at the root maxlen - 1 bytes early instead (an Aho-Corasick state
 * is the longest suffix of the text read so far that prefixes a pattern,
 * and any match ending inside the lane starts at most maxlen - 1 bytes
 * before it): a warm-up whose own hits belong to the lane before.  Lane 0
 * carries the state of the previous block's last lane.
 *
 * Hits go to per-lane buffers on the stack (about 35 KB) as (offset,
 * state), one slot per byte at most, and are flushed in lane order, so the
 * caller still sees them by end offset. */
#define HB_AC_LANES 4 /* the lanes are written out below: keep at 4 */
#define HB_AC_LANE 1024
#define HB_AC_MIN_LANE 16 /* below four of these a text is scanned in one lane */
#define HB_AC_SEEK 64     /* how far back a lane's start looks for a reset byte */

/* Where lane j (nominal start at) really starts, at or after lo (where the
 * lane before it starts, plus one), and in which state. */
static inline __attribute__((always_inline)) size_t
hb_ac_lane_start(const hb_ac_t *ac, bool narrow, const unsigned char *p, size_t lo, size_t at,
                 uint32_t *state)
{
    size_t stop = at - lo > HB_AC_SEEK ? at - HB_AC_SEEK : lo;
    for (size_t r = at; r > stop; r--) {
        if (ac->reset[p[r - 1]] != HB_AC_NO_RESET) {
            *state = ac->reset[p[r - 1]];
            return r;
        }
        unsigned x = r >= 3 ? hb_ac_char3(p + r - 3) : UINT32_MAX;
        if (x != UINT32_MAX && (ac->reset3[x >> 6] >> (x & 63) & 1)) {
            *state = 0;
            return r;
        }
    }
    uint32_t s = 0;
    for (size_t q = at > ac->maxlen ? at - ac->maxlen + 1 : 0; q < at; q++)
        s = hb_ac_next(narrow ? (const void *)ac->tab16 : (const void *)ac->tab32, narrow,
                       ac->nclasses, s, ac->cls[p[q]]);
    *state = s;
    return at;
}

/* One byte of lane j. Written out per lane (not a loop over an array) so the
 * four states stay in registers at -O2. Branch-free: the slot is always
 * written and kept only on a match, since at CJK hit rates a branch here
 * mispredicts often.  With 16-bit states the offset and the state share
 * one 32-bit slot (a lane is shorter than 65,536 bytes). */
#define HB_AC_STEP(j)                                                    \
    do {                                                                 \
        uint32_t t_ = hb_ac_next(tab, narrow, nc, s##j, cls[lp##j[i]]); \
        s##j = t_;                                                       \
        if (narrow) {                                                    \
            bufpos[j][n##j] = (uint32_t)i << 16 | t_;                    \
        } else {                                                         \
            bufpos[j][n##j] = (uint32_t)i;                               \
            bufst[j][n##j] = t_;                                         \
        }                                                                \
        n##j += t_ >= match_min;                                         \
    } while (0)

static inline __attribute__((always_inline)) size_t
hb_ac_scan_as(const hb_ac_t *ac, bool narrow, const char *text, size_t len, hb_ac_hit_fn fn,
              void *arg)
{
    const unsigned char *p = (const unsigned char *)text;
    const void *tab = narrow ? (const void *)ac->tab16 : (const void *)ac->tab32;
    const size_t nc = ac->nclasses;
    const uint8_t *cls = ac->cls;
    const uint32_t match_min = ac->match_min;
    /* A text shorter than a block (a paragraph is a few hundred bytes) is
     * cut into shorter lanes. */
    const size_t lane = len / HB_AC_LANES < HB_AC_LANE ? len / HB_AC_LANES : HB_AC_LANE;
    const size_t block = (size_t)HB_AC_LANES * lane;
    uint32_t carry = 0;
    size_t hits = 0, pos = 0;

    if (lane >= HB_AC_MIN_LANE) {
        uint32_t bufpos[HB_AC_LANES][HB_AC_LANE + HB_AC_SEEK];
        uint32_t bufst[HB_AC_LANES][HB_AC_LANE + HB_AC_SEEK];
        for (; len - pos >= block; pos += block) {
            size_t b[HB_AC_LANES + 1] = {pos};
            uint32_t st[HB_AC_LANES] = {carry}; /* lane 0 continues */
            for (int j = 1; j < HB_AC_LANES; j++)
                b[j] = hb_ac_lane_start(ac, narrow, p, b[j - 1] + 1, pos + (size_t)j * lane,
                                        &st[j]);
            b[HB_AC_LANES] = pos + block;
            size_t common = b[1] - b[0];
            for (int j = 1; j < HB_AC_LANES; j++)
                if (b[j + 1] - b[j] < common)
                    common = b[j + 1] - b[j];
            const unsigned char *lp0 = p + b[0], *lp1 = p + b[1], *lp2 = p + b[2],
                                *lp3 = p + b[3];
            uint32_t s0 = st[0], s1 = st[1], s2 = st[2], s3 = st[3];
            size_t n0 = 0, n1 = 0, n2 = 0, n3 = 0;
            for (size_t i = 0; i < common; i++) {
                HB_AC_STEP(0);
                HB_AC_STEP(1);
                HB_AC_STEP(2);
                HB_AC_STEP(3);
            }
            /* What is left of the longer lanes, one at a time. */
            for (size_t i = common; i < b[1] - b[0]; i++)
                HB_AC_STEP(0);
            for (size_t i = common; i < b[2] - b[1]; i++)
                HB_AC_STEP(1);
            for (size_t i = common; i < b[3] - b[2]; i++)
                HB_AC_STEP(2);
            for (size_t i = common; i < b[4] - b[3]; i++)
                HB_AC_STEP(3);
            carry = s3;
            const size_t n[HB_AC_LANES] = {n0, n1, n2, n3};
            for (int j = 0; j < HB_AC_LANES; j++)
                for (size_t k = 0; k < n[j]; k++)
                    hits += narrow ? hb_ac_emit(ac, bufpos[j][k] & 0xFFFF,
                                                b[j] + 1 + (bufpos[j][k] >> 16), fn, arg)
                                   : hb_ac_emit(ac, bufst[j][k], b[j] + 1 + bufpos[j][k], fn, arg);
        }
    }
    return hits + hb_ac_run(ac, narrow, p, pos, len, &carry, fn, arg);
}

size_t hb_ac_scan(const hb_ac_t *ac, const char *text, size_t len,
                  hb_ac_hit_fn fn, void *arg)
{
    if (!ac->built)
        return 0;
    return ac->tab16 ? hb_ac_scan_as(ac, true, text, len, fn, arg)
                     : hb_ac_scan_as(ac, false, text, len, fn, arg);
}
