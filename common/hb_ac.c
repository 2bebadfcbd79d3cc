#include "hb_ac.h"

#include <stdlib.h>
#include <string.h>

#include "hb_mem.h"

#define HB_AC_UNLIKELY(x) __builtin_expect(!!(x), 0)

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
     * tab holds one row of `stride` cells per state. State numbers are
     * premultiplied (a state is the index of its row's first cell), which
     * takes a multiply off the per-byte dependency chain. Cells 0..nclasses-1
     * are the next states; cell nclasses is the state's output index into
     * out. States are numbered so that every state with output comes last:
     * "did this byte end a match?" is then the single compare s >= match_min.
     *
     * out is a flat array of lists, each [count, id, id, ...]; a state's list
     * already includes the outputs of its suffix states, so scanning never
     * follows a failure or dictionary link. */
    uint8_t cls[256];
    uint32_t nclasses;
    uint32_t stride;
    uint32_t match_min;
    uint32_t *tab;
    uint32_t *out;
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
    free(ac->tab);
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

    /* Everything below stores state numbers times stride in uint32_t. */
    size_t stride = nc + 1;
    if (nstates > UINT32_MAX / stride) {
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
    uint32_t *tab = hb_malloc(nstates * stride * sizeof(uint32_t));
    for (size_t s = 0; s < nstates; s++) {
        uint32_t *row = &tab[(size_t)newid[s] * stride];
        const uint32_t *trow = &trie[s * nc];
        for (size_t c = 0; c < nc; c++)
            row[c] = newid[trow[c]] * (uint32_t)stride;
        row[nc] = mcount[s] ? mstart[s] : 0;
    }

    free(trie);
    free(own_start);
    free(own_ids);
    free(order);
    free(fail);
    free(mcount);
    free(mstart);
    free(newid);

    ac->tab = tab;
    ac->out = out;
    ac->stride = (uint32_t)stride;
    ac->match_min = (uint32_t)((nstates - nmatch) * stride);
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
    const uint32_t *o = &ac->out[ac->tab[s + ac->nclasses]];
    if (fn)
        for (uint32_t k = 1; k <= o[0]; k++)
            fn(arg, o[k], end);
    return o[0];
}

/* The plain DFA loop over p[from, to), starting in *sp. */
static size_t hb_ac_run(const hb_ac_t *ac, const unsigned char *p, size_t from,
                        size_t to, uint32_t *sp, hb_ac_hit_fn fn, void *arg)
{
    const uint32_t *tab = ac->tab;
    const uint8_t *cls = ac->cls;
    const uint32_t match_min = ac->match_min;
    uint32_t s = *sp;
    size_t hits = 0;
    for (size_t i = from; i < to; i++) {
        s = tab[s + cls[p[i]]];
        if (HB_AC_UNLIKELY(s >= match_min))
            hits += hb_ac_emit(ac, s, i + 1, fn, arg);
    }
    *sp = s;
    return hits;
}

/* Interleaved scanning. Each lookup needs the previous state, so the plain
 * loop runs at one load latency per byte (L1's few cycles, far more once
 * thousands of patterns push the table out to L2/L3). So each block of
 * HB_AC_LANES * HB_AC_LANE bytes is cut into lanes run side by side, giving
 * the CPU independent loads to overlap (measured: about 2x).
 *
 * A lane other than the first cannot know its start state, but an
 * Aho-Corasick state is the longest suffix of the text read so far that
 * prefixes a pattern, and any match ending inside the lane starts at most
 * maxlen - 1 bytes before it: so the lane starts at the root that many bytes
 * early (a warm-up whose own hits belong to the lane before). Lane 0 carries
 * the state of the previous block's last lane.
 *
 * Hits go to per-lane buffers on the stack (32 KB) as (offset, state), one
 * slot per byte at most, and are flushed in lane order, so the caller still
 * sees them by end offset. */
#define HB_AC_LANES 4 /* the lanes are written out below: keep at 4 */
#define HB_AC_LANE 1024

/* One byte of lane j. Written out per lane (not a loop over an array) so the
 * four states stay in registers at -O2. Branch-free: the slot is always
 * written and kept only on a match, since at CJK hit rates a branch here
 * mispredicts often. */
#define HB_AC_STEP(j)                                   \
    do {                                                \
        uint32_t t_ = tab[s##j + cls[lp##j[i]]];        \
        s##j = t_;                                      \
        bufpos[j][n##j] = (uint32_t)i;                  \
        bufst[j][n##j] = t_;                            \
        n##j += t_ >= match_min;                        \
    } while (0)

size_t hb_ac_scan(const hb_ac_t *ac, const char *text, size_t len,
                  hb_ac_hit_fn fn, void *arg)
{
    if (!ac->built)
        return 0;
    const unsigned char *p = (const unsigned char *)text;
    const uint32_t *tab = ac->tab;
    const uint8_t *cls = ac->cls;
    const uint32_t match_min = ac->match_min;
    const size_t warm = ac->maxlen ? ac->maxlen - 1 : 0;
    /* A text shorter than a block (a paragraph is a few hundred bytes) is
     * cut into shorter lanes: while the warm-up is no longer than a lane,
     * four lanes still beat one dependent load per byte (1.5-1.6x measured
     * on the unit texts of a generated corpus, 1,296 keywords). */
    const size_t lane = len / HB_AC_LANES < HB_AC_LANE ? len / HB_AC_LANES : HB_AC_LANE;
    const size_t block = (size_t)HB_AC_LANES * lane;
    uint32_t carry = 0;
    size_t hits = 0, pos = 0;

    /* Long patterns make the warm-up too dear. */
    if (lane > 0 && warm <= HB_AC_LANE / 8 && warm <= lane) {
        uint32_t bufpos[HB_AC_LANES][HB_AC_LANE];
        uint32_t bufst[HB_AC_LANES][HB_AC_LANE];
        for (; len - pos >= block; pos += block) {
            const unsigned char *lp0 = p + pos;
            const unsigned char *lp1 = lp0 + lane;
            const unsigned char *lp2 = lp1 + lane;
            const unsigned char *lp3 = lp2 + lane;
            uint32_t s0 = carry, s1 = 0, s2 = 0, s3 = 0; /* lane 0 continues */
            size_t n0 = 0, n1 = 0, n2 = 0, n3 = 0;
            for (size_t w = warm; w > 0; w--) {
                s1 = tab[s1 + cls[lp1[-(ptrdiff_t)w]]];
                s2 = tab[s2 + cls[lp2[-(ptrdiff_t)w]]];
                s3 = tab[s3 + cls[lp3[-(ptrdiff_t)w]]];
            }
            for (size_t i = 0; i < lane; i++) {
                HB_AC_STEP(0);
                HB_AC_STEP(1);
                HB_AC_STEP(2);
                HB_AC_STEP(3);
            }
            carry = s3;
            const size_t n[HB_AC_LANES] = {n0, n1, n2, n3};
            for (int j = 0; j < HB_AC_LANES; j++) {
                size_t base = pos + (size_t)j * lane + 1;
                for (size_t k = 0; k < n[j]; k++)
                    hits += hb_ac_emit(ac, bufst[j][k], base + bufpos[j][k], fn, arg);
            }
        }
    }
    return hits + hb_ac_run(ac, p, pos, len, &carry, fn, arg);
}
