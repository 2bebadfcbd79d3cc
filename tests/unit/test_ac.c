/* Unit tests for hb_ac: Aho-Corasick over bytes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "hb_ac.h"
#include "hb_mem.h"

/* Collected hits, in the order the scanner reported them. */
typedef struct hit {
    uint32_t id;
    size_t end;
} hit_t;

typedef struct hits {
    hit_t *v;
    size_t n, cap;
} hits_t;

static void collect(void *arg, uint32_t id, size_t end)
{
    hits_t *h = arg;
    if (h->n == h->cap) {
        h->cap = h->cap ? h->cap * 2 : 16;
        h->v = hb_realloc(h->v, h->cap * sizeof(*h->v));
    }
    h->v[h->n].id = id;
    h->v[h->n].end = end;
    h->n++;
}

static hb_ac_t *build(const char *const *pats, size_t n)
{
    hb_ac_t *ac = hb_ac_new();
    for (size_t i = 0; i < n; i++)
        assert_int_equal(hb_ac_add(ac, pats[i], strlen(pats[i]), (uint32_t)i), 0);
    assert_int_equal(hb_ac_build(ac), 0);
    return ac;
}

/* Scans text and checks the hits equal want[] exactly, order included. */
static void expect_hits(const hb_ac_t *ac, const char *text, size_t len,
                        const hit_t *want, size_t nwant)
{
    hits_t h = {0};
    size_t n = hb_ac_scan(ac, text, len, collect, &h);
    assert_int_equal(n, h.n);
    assert_int_equal(h.n, nwant);
    for (size_t i = 0; i < nwant; i++) {
        assert_int_equal(h.v[i].id, want[i].id);
        assert_int_equal(h.v[i].end, want[i].end);
    }
    free(h.v);
}

static void test_textbook_ushers(void **state)
{
    (void)state;
    static const char *const pats[] = {"he", "she", "his", "hers"};
    hb_ac_t *ac = build(pats, 4);
    assert_int_equal(hb_ac_patterns(ac), 4);
    /* u s h e r s: "she" and "he" end at 4 (longest first), "hers" at 6 */
    static const hit_t want[] = {{1, 4}, {0, 4}, {3, 6}};
    expect_hits(ac, "ushers", 6, want, 3);
    hb_ac_free(ac);
}

static void test_overlapping_and_nested(void **state)
{
    (void)state;
    static const char *const pats[] = {"aa", "a", "aba", "b"};
    hb_ac_t *ac = build(pats, 4);
    /* text "aaba": a@1; a@2 aa@2; b@3; a@4 aba@4 */
    static const hit_t want[] = {
        {1, 1}, {0, 2}, {1, 2}, {3, 3}, {2, 4}, {1, 4},
    };
    expect_hits(ac, "aaba", 4, want, 6);
    /* "aaaa": overlapping "aa" at 2, 3, 4 */
    assert_int_equal(hb_ac_scan(ac, "aaaa", 4, NULL, NULL), 4 + 3);
    hb_ac_free(ac);
}

static void test_suffix_of_another(void **state)
{
    (void)state;
    /* "cd" is a suffix of "abcd" and is reached only through a failure link
     * from inside "abcd"'s branch; "bc" sits in the middle of it. */
    static const char *const pats[] = {"abcd", "cd", "bc", "abce"};
    hb_ac_t *ac = build(pats, 4);
    static const hit_t want[] = {{2, 3}, {0, 4}, {1, 4}};
    expect_hits(ac, "abcd", 4, want, 3);
    /* the failing branch "abce" must still fall back to find "cd" later */
    static const hit_t want2[] = {{2, 3}, {2, 6}, {1, 7}};
    expect_hits(ac, "abcxbcd", 7, want2, 3);
    hb_ac_free(ac);
}

static void test_duplicate_pattern_two_ids(void **state)
{
    (void)state;
    hb_ac_t *ac = hb_ac_new();
    assert_int_equal(hb_ac_add(ac, "abc", 3, 7), 0);
    assert_int_equal(hb_ac_add(ac, "bc", 2, 9), 0);
    assert_int_equal(hb_ac_add(ac, "abc", 3, 42), 0);
    assert_int_equal(hb_ac_build(ac), 0);
    assert_int_equal(hb_ac_patterns(ac), 3);
    static const hit_t want[] = {{7, 3}, {42, 3}, {9, 3}, {9, 5}};
    expect_hits(ac, "abcbc", 5, want, 4);
    hb_ac_free(ac);
}

static void test_utf8_chinese(void **state)
{
    (void)state;
    static const char *const pats[] = {"安全生产", "安全", "生产"};
    hb_ac_t *ac = build(pats, 3);
    /* each CJK character is 3 bytes in UTF-8 */
    const char *text = "强化安全生产责任，生产安全，全生产。";
    size_t len = strlen(text);
    const char *p1 = strstr(text, "安全生产");
    const char *p2 = strstr(text, "，生产安全") + 3; /* skip the comma */
    size_t e1 = (size_t)(p1 - text);
    size_t e2 = (size_t)(p2 - text);
    const hit_t want[] = {
        {1, e1 + 6},  /* 安全 */
        {0, e1 + 12}, /* 安全生产 */
        {2, e1 + 12}, /* 生产 */
        {2, e2 + 6},  /* 生产 */
        {1, e2 + 12}, /* 安全 */
        {2, len - 3}, /* 生产 in 全生产, before the full stop 。 */
    };
    expect_hits(ac, text, len, want, 6);
    /* a lone 安 (same lead byte as 安全) and half a character find nothing */
    assert_int_equal(hb_ac_scan(ac, "安定", strlen("安定"), NULL, NULL), 0);
    assert_int_equal(hb_ac_scan(ac, "安全", 5, NULL, NULL), 0);
    hb_ac_free(ac);
}

static void test_offset_zero_and_end(void **state)
{
    (void)state;
    static const char *const pats[] = {"x", "xy", "yz"};
    hb_ac_t *ac = build(pats, 3);
    static const hit_t want[] = {{0, 1}, {1, 2}, {0, 4}, {1, 5}, {2, 6}};
    expect_hits(ac, "xyqxyz", 6, want, 5);
    /* a match that is the whole text */
    static const hit_t want2[] = {{2, 2}};
    expect_hits(ac, "yz", 2, want2, 1);
    hb_ac_free(ac);
}

static void test_empty_text(void **state)
{
    (void)state;
    static const char *const pats[] = {"a"};
    hb_ac_t *ac = build(pats, 1);
    hits_t h = {0};
    assert_int_equal(hb_ac_scan(ac, "", 0, collect, &h), 0);
    assert_int_equal(h.n, 0);
    /* len is what counts, not the NUL: "a" past len is not seen */
    assert_int_equal(hb_ac_scan(ac, "a", 0, collect, &h), 0);
    assert_int_equal(hb_ac_scan(ac, "a", 1, collect, &h), 1);
    free(h.v);
    hb_ac_free(ac);
}

static void test_refusals(void **state)
{
    (void)state;
    hb_ac_t *ac = hb_ac_new();
    assert_int_equal(hb_ac_add(ac, "", 0, 1), -1);
    assert_int_equal(hb_ac_add(ac, "abc", 0, 1), -1);
    assert_int_equal(hb_ac_patterns(ac), 0);
    /* unbuilt: finds nothing even with a pattern added */
    assert_int_equal(hb_ac_add(ac, "ab", 2, 1), 0);
    assert_int_equal(hb_ac_scan(ac, "ab", 2, NULL, NULL), 0);
    assert_int_equal(hb_ac_build(ac), 0);
    assert_int_equal(hb_ac_add(ac, "cd", 2, 2), -1);
    assert_int_equal(hb_ac_build(ac), -1);
    assert_int_equal(hb_ac_patterns(ac), 1);
    /* the refused "cd" was not added; "ab" still works */
    assert_int_equal(hb_ac_scan(ac, "abcd", 4, NULL, NULL), 1);
    hb_ac_free(ac);
    hb_ac_free(NULL);

    /* no patterns at all: builds and finds nothing */
    ac = hb_ac_new();
    assert_int_equal(hb_ac_build(ac), 0);
    assert_int_equal(hb_ac_scan(ac, "anything", 8, NULL, NULL), 0);
    hb_ac_free(ac);
}

static void test_nul_and_ff_bytes(void **state)
{
    (void)state;
    static const char pat[] = {'a', '\0', (char)0xFF, 'b'};
    static const char nul[] = {'\0'};
    static const char text[] = {(char)0xFF, 'a', '\0', (char)0xFF, 'b', '\0',
                                'a', '\0', (char)0xFE, 'b'};
    hb_ac_t *ac = hb_ac_new();
    assert_int_equal(hb_ac_add(ac, pat, sizeof pat, 1), 0);
    assert_int_equal(hb_ac_add(ac, nul, 1, 2), 0);
    assert_int_equal(hb_ac_build(ac), 0);
    static const hit_t want[] = {{2, 3}, {1, 5}, {2, 6}, {2, 8}};
    expect_hits(ac, text, sizeof text, want, 4);
    hb_ac_free(ac);
}

static void test_all_256_bytes_used(void **state)
{
    (void)state;
    /* every byte value in some pattern: no "other" byte class exists */
    hb_ac_t *ac = hb_ac_new();
    for (int b = 0; b < 256; b++) {
        char pat[2] = {(char)b, (char)(255 - b)};
        assert_int_equal(hb_ac_add(ac, pat, 2, (uint32_t)b), 0);
    }
    assert_int_equal(hb_ac_build(ac), 0);
    unsigned char text[512];
    for (int b = 0; b < 256; b++) {
        text[2 * b] = (unsigned char)b;
        text[2 * b + 1] = (unsigned char)(255 - b);
    }
    hits_t h = {0};
    size_t n = hb_ac_scan(ac, (const char *)text, sizeof text, collect, &h);
    /* the 256 aligned pairs (b, 255-b) match; an unaligned pair (255-b, b+1)
     * would be pattern 255-b only if b+1 == b, so exactly 256 hits */
    assert_int_equal(n, 256);
    for (size_t i = 0; i < h.n; i++) {
        assert_int_equal(h.v[i].id, i);
        assert_int_equal(h.v[i].end, 2 * i + 2);
    }
    free(h.v);
    hb_ac_free(ac);
}

/* Deterministic xorshift so the test never depends on libc's rand(). */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 32);
}

/* Occurrences of pat in text, overlapping, via memmem. */
static size_t naive_count(const char *text, size_t len, const char *pat, size_t plen)
{
    size_t n = 0;
    const char *p = text, *end = text + len;
    while ((size_t)(end - p) >= plen) {
        const char *q = memmem(p, (size_t)(end - p), pat, plen);
        if (!q)
            break;
        n++;
        p = q + 1;
    }
    return n;
}

/* Scans text with pats (ids = indexes) and checks the hits against memmem:
 * each hit is real, in end order, and per pattern the counts agree. */
static void check_against_naive(char *const *pats, const size_t *plen, size_t npat,
                                const char *text, size_t len, size_t min_total)
{
    hb_ac_t *ac = hb_ac_new();
    for (size_t i = 0; i < npat; i++)
        assert_int_equal(hb_ac_add(ac, pats[i], plen[i], (uint32_t)i), 0);
    assert_int_equal(hb_ac_build(ac), 0);

    hits_t h = {0};
    size_t n = hb_ac_scan(ac, text, len, collect, &h);
    assert_int_equal(n, h.n);
    assert_int_equal(hb_ac_scan(ac, text, len, NULL, NULL), n);

    size_t *per_id = hb_calloc(npat, sizeof(size_t));
    for (size_t i = 0; i < h.n; i++) {
        uint32_t id = h.v[i].id;
        assert_true(id < npat);
        assert_true(h.v[i].end >= plen[id] && h.v[i].end <= len);
        assert_memory_equal(text + h.v[i].end - plen[id], pats[id], plen[id]);
        if (i)
            assert_true(h.v[i].end >= h.v[i - 1].end);
        per_id[id]++;
    }
    size_t naive_total = 0;
    for (size_t i = 0; i < npat; i++) {
        size_t want = naive_count(text, len, pats[i], plen[i]);
        assert_int_equal(per_id[i], want);
        naive_total += want;
    }
    assert_int_equal(n, naive_total);
    assert_true(naive_total >= min_total); /* the case did exercise something */

    free(per_id);
    free(h.v);
    hb_ac_free(ac);
}

/* Random text over a small alphabet (with NUL and 0xFF), skewed to a/b. */
static char *random_text(size_t len)
{
    static const char alpha[] = "abcd\0\xff";
    char *text = hb_malloc(len);
    for (size_t i = 0; i < len; i++)
        text[i] = alpha[rng() % 4 ? rng() % 6 : rng() % 2];
    return text;
}

/* npat patterns of 1..maxplen bytes; from_text: cut from the text itself
 * (so long ones occur too), else random over the same alphabet. */
static void random_case(size_t npat, size_t maxplen, size_t textlen,
                        int from_text, size_t min_total)
{
    char *text = random_text(textlen);
    char *alphabet = random_text(64);
    char **pats = hb_malloc(npat * sizeof(char *));
    size_t *plen = hb_malloc(npat * sizeof(size_t));
    for (size_t i = 0; i < npat; i++) {
        plen[i] = 1 + rng() % maxplen;
        pats[i] = hb_malloc(plen[i]);
        if (from_text) {
            size_t at = rng() % (textlen - plen[i] + 1);
            memcpy(pats[i], text + at, plen[i]);
        } else {
            for (size_t k = 0; k < plen[i]; k++)
                pats[i][k] = alphabet[rng() % 64];
        }
    }
    check_against_naive(pats, plen, npat, text, textlen, min_total);
    for (size_t i = 0; i < npat; i++)
        free(pats[i]);
    free(pats);
    free(plen);
    free(alphabet);
    free(text);
}

static void test_random_vs_naive(void **state)
{
    (void)state;
    rng_state = 0x9E3779B97F4A7C15ull;
    random_case(200, 8, 20000, 0, 1000);
}

/* Longer patterns cut from the text: they straddle the scanner's internal
 * block and lane boundaries (the text spans several 4 KB blocks), both with
 * patterns short enough for the interleaved scan and too long for it. */
static void test_random_long_patterns(void **state)
{
    (void)state;
    rng_state = 0x2545F4914F6CDD1Dull;
    random_case(200, 40, 50000, 1, 200);
    random_case(60, 128, 50000, 1, 60);
    random_case(60, 400, 50000, 1, 60);
}

/* Enough pattern bytes for more than 65,536 states: the scanner's table
 * then holds 32-bit cells instead of 16-bit ones. */
static void test_random_wide_table(void **state)
{
    (void)state;
    rng_state = 0x3C6EF372FE94F82Bull;
    random_case(500, 400, 60000, 1, 500);
}

/* Chinese text, as classify scans: a lane starts right after a byte no
 * pattern holds (the lead byte of ，) or a character none holds (。, whose
 * lead byte 、 shares), when there is one near; else after a warm-up.
 * Patterns cut from the text, some with punctuation in them; texts of
 * every length up to 600 bytes and a long one. */
static void test_random_chinese(void **state)
{
    (void)state;
    static const char *const chars[] = {"乡", "村", "振", "兴", "产", "业", "发", "展",
                                        "、", "。", "，", "1", "G", "懒", "散"};
    enum { NCH = sizeof chars / sizeof chars[0] };
    rng_state = 0xA0761D6478BD642Full;
    for (size_t len = 1; len <= 600 * 2; len += len < 600 ? 1 : 199) {
        size_t want = len < 600 ? len : 20000;
        char *text = hb_malloc(want + 4);
        size_t n = 0;
        while (n < want) {
            const char *c = chars[rng() % NCH];
            size_t cl = strlen(c);
            if (n + cl > want)
                break;
            memcpy(text + n, c, cl);
            n += cl;
        }
        /* In two texts of three, also byte strings that start inside a
         * character (the last byte of 。 or ，, the last two of 。): after
         * those characters the scan is then not back at the root. */
        static const char *const tails[3][2] = {
            {NULL, NULL}, {"\x82", "\x8c\xe6\x9d\x91"}, {"\x80\x82\xe4\xb9\xa1", NULL}};
        char *pats[20];
        size_t plen[20], npat = 0;
        for (size_t k = 0; k < 2 && tails[len % 3][k]; k++) {
            plen[npat] = strlen(tails[len % 3][k]);
            pats[npat] = hb_malloc(plen[npat]);
            memcpy(pats[npat], tails[len % 3][k], plen[npat]);
            npat++;
        }
        while (npat < 20 && n > 0) {
            size_t at = rng() % n;
            while (at > 0 && ((unsigned char)text[at] & 0xC0) == 0x80)
                at--;
            size_t end = at, chars_in = 1 + rng() % 6;
            for (size_t k = 0; k < chars_in && end < n; k++) {
                end++;
                while (end < n && ((unsigned char)text[end] & 0xC0) == 0x80)
                    end++;
            }
            /* mostly without the full-width comma and stop, as keywords are */
            if (rng() % 4 && (memmem(text + at, end - at, "，", 3) ||
                              memmem(text + at, end - at, "。", 3)))
                continue;
            plen[npat] = end - at;
            pats[npat] = hb_malloc(plen[npat]);
            memcpy(pats[npat], text + at, plen[npat]);
            npat++;
        }
        check_against_naive(pats, plen, npat, text, n, 0);
        for (size_t i = 0; i < npat; i++)
            free(pats[i]);
        free(text);
    }
}

/* Matches that end just past each 1 KB boundary of the text (the scanner
 * cuts its work there) and start up to 23 bytes before it. */
static void test_lane_boundaries(void **state)
{
    (void)state;
    rng_state = 0xD1B54A32D192ED03ull;
    enum { LEN = 3 * 4096 + 500, PLEN = 24 };
    char *text = random_text(LEN);
    char *pats[64];
    size_t plen[64], npat = 0;
    for (size_t b = 1024; b + 3 <= LEN && npat + 3 <= 64; b += 1024) {
        for (size_t e = 1; e <= 3; e++) {
            plen[npat] = PLEN - (e - 1) * 10; /* 24, 14, 4 bytes */
            pats[npat] = hb_malloc(plen[npat]);
            memcpy(pats[npat], text + b + e - plen[npat], plen[npat]);
            npat++;
        }
    }
    check_against_naive(pats, plen, npat, text, LEN, npat);
    for (size_t i = 0; i < npat; i++)
        free(pats[i]);
    free(text);
}

/* Texts shorter than one 4 KB block, as paragraphs are: the scanner cuts
 * them into four short lanes (from 64 bytes on), else runs the plain
 * loop.  Every length up to 700 bytes, patterns up to 24 bytes cut
 * from the text, so hits straddle the short lanes' boundaries. */
static void test_short_texts(void **state)
{
    (void)state;
    rng_state = 0x94D049BB133111EBull;
    for (size_t len = 1; len <= 700; len++)
        random_case(12, len < 24 ? len : 24, len, 1, 1);
}

/* Every byte a hit: fills each lane's hit buffer to the brim. */
static void test_dense_hits(void **state)
{
    (void)state;
    enum { N = 3 * 4096 + 77 };
    char *text = hb_malloc(N);
    memset(text, 'a', N);
    hb_ac_t *ac = hb_ac_new();
    assert_int_equal(hb_ac_add(ac, "a", 1, 0), 0);
    assert_int_equal(hb_ac_add(ac, "aaaaa", 5, 1), 0);
    assert_int_equal(hb_ac_build(ac), 0);
    hits_t h = {0};
    assert_int_equal(hb_ac_scan(ac, text, N, collect, &h), N + (N - 4));
    size_t k = 0;
    for (size_t end = 1; end <= N; end++) {
        if (end >= 5) {
            assert_int_equal(h.v[k].id, 1);
            assert_int_equal(h.v[k].end, end);
            k++;
        }
        assert_int_equal(h.v[k].id, 0);
        assert_int_equal(h.v[k].end, end);
        k++;
    }
    assert_int_equal(k, h.n);
    free(h.v);
    free(text);
    hb_ac_free(ac);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_textbook_ushers),
        cmocka_unit_test(test_overlapping_and_nested),
        cmocka_unit_test(test_suffix_of_another),
        cmocka_unit_test(test_duplicate_pattern_two_ids),
        cmocka_unit_test(test_utf8_chinese),
        cmocka_unit_test(test_offset_zero_and_end),
        cmocka_unit_test(test_empty_text),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_nul_and_ff_bytes),
        cmocka_unit_test(test_all_256_bytes_used),
        cmocka_unit_test(test_random_vs_naive),
        cmocka_unit_test(test_short_texts),
        cmocka_unit_test(test_random_long_patterns),
        cmocka_unit_test(test_lane_boundaries),
        cmocka_unit_test(test_dense_hits),
        cmocka_unit_test(test_random_wide_table),
        cmocka_unit_test(test_random_chinese),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
