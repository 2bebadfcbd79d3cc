/* Unit tests for the aggregator's spool: a document's output in memory up
 * to a limit, the rest in a temporary file, read back byte for byte. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "hb_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spool.h"

#define LIMIT 64

/* Appends record i (its length varies with i) and returns its offset. */
static uint64_t put_record(hb_spool_t *s, int i, char *expect, size_t *len)
{
    uint64_t off = hb_spool_size(s);
    *len = (size_t)snprintf(expect, 64, "{\"seq\":%d,\"text\":\"%.*s\"}", i, i % 17, "abcdefghijklmnopq");
    hb_buf_append(hb_spool_buf(s), expect, *len);
    hb_spool_settle(s);
    return off;
}

static void expect_read(const hb_spool_t *s, uint64_t off, const char *bytes, size_t len)
{
    hb_buf_t out;
    hb_buf_init(&out);
    hb_buf_append(&out, "x", 1); /* read appends */
    assert_int_equal(hb_spool_read(s, off, len, &out), 0);
    assert_int_equal(out.len, len + 1);
    assert_memory_equal(out.data + 1, bytes, len);
    hb_buf_release(&out);
}

static void test_spool_small_stays_in_memory(void **state)
{
    (void)state;
    hb_spool_t s;
    hb_spool_init(&s, LIMIT);
    char rec[64];
    size_t len;
    uint64_t off = put_record(&s, 1, rec, &len);
    assert_int_equal(off, 0);
    assert_true(len < LIMIT);
    assert_int_equal(s.fd, -1);
    assert_int_equal(s.spilled, 0);
    expect_read(&s, off, rec, len);
    hb_spool_release(&s);
}

static void test_spool_moves_the_rest_to_a_file(void **state)
{
    (void)state;
    hb_spool_t s;
    hb_spool_init(&s, LIMIT);
    char recs[200][64];
    size_t lens[200];
    uint64_t offs[200];
    for (int i = 0; i < 200; i++) {
        offs[i] = put_record(&s, i, recs[i], &lens[i]);
        assert_true(s.mem.len < LIMIT); /* memory stays bounded */
    }
    assert_true(s.fd >= 0);
    assert_true(s.spilled > 100 * 20);
    for (int i = 199; i >= 0; i--) /* any order */
        expect_read(&s, offs[i], recs[i], lens[i]);
    /* One read across file and memory: the last spilled byte on. */
    hb_buf_t all, out;
    hb_buf_init(&all);
    hb_buf_init(&out);
    for (int i = 0; i < 200; i++)
        hb_buf_append(&all, recs[i], lens[i]);
    assert_int_equal(all.len, hb_spool_size(&s));
    uint64_t from = s.spilled - 5;
    assert_int_equal(hb_spool_read(&s, from, all.len - from, &out), 0);
    assert_int_equal(out.len, all.len - from);
    assert_memory_equal(out.data, all.data + from, out.len);
    hb_buf_release(&all);
    hb_buf_release(&out);
    hb_spool_release(&s);
    assert_int_equal(s.fd, -1);
}

/* A record far over the limit goes out whole and its buffer is given back. */
static void test_spool_huge_record_gives_memory_back(void **state)
{
    (void)state;
    hb_spool_t s;
    hb_spool_init(&s, LIMIT);
    size_t n = 100 * 1000;
    char *big = malloc(n);
    assert_non_null(big);
    for (size_t i = 0; i < n; i++)
        big[i] = (char)('a' + i % 26);
    hb_buf_append(hb_spool_buf(&s), big, n);
    hb_spool_settle(&s);
    assert_int_equal(s.spilled, n);
    assert_true(s.mem.cap <= 2 * LIMIT);
    expect_read(&s, 0, big, n);
    free(big);
    hb_spool_release(&s);
}

/* No room for the file: a warning, and everything kept in memory. */
static void test_spool_without_tmpdir_keeps_memory(void **state)
{
    (void)state;
    const char *old = getenv("TMPDIR");
    char *saved = old ? strdup(old) : NULL;
    setenv("TMPDIR", "/nonexistent/huibao-test", 1);
    hb_spool_t s;
    hb_spool_init(&s, LIMIT);
    char recs[20][64];
    size_t lens[20];
    uint64_t offs[20];
    capture_t c;
    capture_start(&c);
    for (int i = 0; i < 20; i++)
        offs[i] = put_record(&s, i, recs[i], &lens[i]);
    char *log = capture_end(&c);
    if (saved) {
        setenv("TMPDIR", saved, 1);
        free(saved);
    } else {
        unsetenv("TMPDIR");
    }
    assert_non_null(strstr(log, "TMPDIR"));
    assert_null(strstr(strstr(log, "TMPDIR") + 1, "could not go")); /* said once */
    free(log);
    assert_true(s.in_memory);
    assert_int_equal(s.spilled, 0);
    for (int i = 0; i < 20; i++)
        expect_read(&s, offs[i], recs[i], lens[i]);
    hb_spool_release(&s);
}

/* A file that lost its bytes is an error, not short or stale output. */
static void test_spool_short_file_is_an_error(void **state)
{
    (void)state;
    hb_spool_t s;
    hb_spool_init(&s, LIMIT);
    char recs[10][64];
    size_t lens[10];
    uint64_t offs[10];
    for (int i = 0; i < 10; i++)
        offs[i] = put_record(&s, i, recs[i], &lens[i]);
    assert_true(s.spilled > 0);
    assert_int_equal(ftruncate(s.fd, 0), 0);
    hb_buf_t out;
    hb_buf_init(&out);
    capture_t c;
    capture_start(&c);
    int rc = hb_spool_read(&s, offs[0], lens[0], &out);
    char *log = capture_end(&c);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(log, "shorter than written"));
    free(log);
    hb_buf_release(&out);
    hb_spool_release(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spool_small_stays_in_memory),
        cmocka_unit_test(test_spool_moves_the_rest_to_a_file),
        cmocka_unit_test(test_spool_huge_record_gives_memory_back),
        cmocka_unit_test(test_spool_without_tmpdir_keeps_memory),
        cmocka_unit_test(test_spool_short_file_is_an_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
