/* Unit tests for hb_journal: names escaped reversibly and matched exactly,
 * the journal's valid part, and a journal of an older huibao refused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hb_journal.h"
#include "hb_log.h"
#include "hb_mem.h"

/* Escapes s, checks the field has no tab or line break, unescapes it and
 * compares with s. */
static void round_trip(const char *s)
{
    hb_buf_t b;
    hb_buf_init(&b);
    hb_journal_escape(&b, s, strlen(s));
    hb_buf_putc(&b, '\0');
    assert_null(strpbrk(b.data, "\t\n\r"));
    assert_true(hb_journal_unescape(b.data));
    assert_string_equal(b.data, s);
    hb_buf_release(&b);
}

static void test_escape_round_trips(void **state)
{
    (void)state;
    round_trip("reports/town/2024.txt");
    round_trip("城关镇/上半年工作总结.txt");
    round_trip("tab\tnl\ncr\rback\\slash\\t");
    round_trip("town\xfe/report.txt");
    round_trip("town\xff/report.txt");
    round_trip("\xe5\x9f"); /* 城 cut short: not UTF-8 */
    round_trip("-");
    round_trip("");
    round_trip("\\x2d");
    char all[256];
    for (int i = 1; i < 256; i++)
        all[i - 1] = (char)i;
    all[255] = '\0';
    round_trip(all);
}

static void test_distinct_names_stay_distinct(void **state)
{
    (void)state;
    hb_buf_t a, b;
    hb_buf_init(&a);
    hb_buf_init(&b);
    hb_journal_escape(&a, "town\xfe", 5);
    hb_journal_escape(&b, "town\xff", 5);
    assert_false(a.len == b.len && !memcmp(a.data, b.data, a.len));
    hb_buf_release(&a);
    hb_buf_release(&b);
}

static void test_unescape_refuses_malformed(void **state)
{
    (void)state;
    char bad1[] = "a\\q", bad2[] = "a\\x0", bad3[] = "a\\x00b", bad4[] = "end\\";
    assert_false(hb_journal_unescape(bad1));
    assert_false(hb_journal_unescape(bad2));
    assert_false(hb_journal_unescape(bad3));
    assert_false(hb_journal_unescape(bad4));
}

typedef struct seen {
    int n;
    char files[4][64];
    uint64_t docs[4];
} seen_t;

static void collect(void *arg, const hb_journal_entry_t *e)
{
    seen_t *s = arg;
    snprintf(s->files[s->n], sizeof s->files[s->n], "%s", e->file);
    s->docs[s->n++] = e->doc;
}

static void write_file(const char *dir, const char *name, const char *text, size_t len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    fclose(f);
}

/* A journal opened afresh in dir (made from its XXXXXX template), beside
 * two outputs of 10 bytes each. */
static hb_journal_t *open_fresh(char *dir)
{
    assert_non_null(mkdtemp(dir));
    write_file(dir, "paragraphs.jsonl", "0123456789", 10);
    write_file(dir, "docs.jsonl", "0123456789", 10);
    hb_journal_t *j = hb_journal_open(dir, 0);
    assert_non_null(j);
    return j;
}

static void remove_dir(const char *dir)
{
    char cmd[64];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

static void test_replay_exact_names_and_valid_part(void **state)
{
    (void)state;
    char dir[] = "/tmp/hb-journal-XXXXXX";
    hb_journal_t *j = open_fresh(dir);
    hb_journal_entry_t e1 = {7, "a\tb\nc", "城关镇", 2024, 4, 3, "-|summary"};
    hb_journal_entry_t e2 = {9, "town\xff/x.txt", "", 0, 8, 6, ""};
    hb_journal_entry_t e3 = {11, "beyond", "", 0, 20, 6, ""}; /* past the outputs */
    hb_journal_add(j, &e1);
    hb_journal_add(j, &e2);
    hb_journal_add(j, &e3);
    assert_int_equal(hb_journal_close(j), 0);
    seen_t s;
    memset(&s, 0, sizeof s);
    long par, docs, valid;
    assert_int_equal(hb_journal_replay(dir, collect, &s, &par, &docs, &valid), 2);
    assert_string_equal(s.files[0], "a\tb\nc");
    assert_string_equal(s.files[1], "town\xff/x.txt");
    assert_int_equal(s.docs[0], 7);
    assert_int_equal(s.docs[1], 9);
    assert_int_equal(par, 8);
    assert_int_equal(docs, 6);

    /* A journal without the header (an older huibao's) is refused. */
    write_file(dir, "resume.tsv", "a.txt\t-\t0\t4\t3\t\n", 15);
    hb_log_set_level(HB_LOG_ERROR);
    memset(&s, 0, sizeof s);
    assert_int_equal(hb_journal_replay(dir, collect, &s, &par, &docs, &valid), -1);
    /* A header cut short by a crash is an empty journal. */
    write_file(dir, "resume.tsv", "# huibao jou", 12);
    assert_int_equal(hb_journal_replay(dir, collect, &s, &par, &docs, &valid), 0);
    assert_int_equal(valid, 0);
    remove_dir(dir);
}

/* Lines reach resume.tsv only when flushed (the aggregator flushes after
 * results.sqlite has committed them); discarded ones never do. */

static void test_lines_held_until_flushed(void **state)
{
    (void)state;
    char dir[] = "/tmp/hb-journal-XXXXXX";
    hb_journal_t *j = open_fresh(dir);
    hb_journal_entry_t e1 = {1, "a.txt", "", 0, 4, 3, ""}, e2 = {2, "b.txt", "", 0, 8, 6, ""};
    seen_t s;
    long par, docs, valid;
    hb_journal_add(j, &e1);
    memset(&s, 0, sizeof s);
    assert_int_equal(hb_journal_replay(dir, collect, &s, &par, &docs, &valid), 0);
    assert_int_equal(hb_journal_flush(j), 0);
    hb_journal_add(j, &e2);
    hb_journal_discard(j);
    assert_int_equal(hb_journal_close(j), 0);
    memset(&s, 0, sizeof s);
    assert_int_equal(hb_journal_replay(dir, collect, &s, &par, &docs, &valid), 1);
    assert_string_equal(s.files[0], "a.txt");
    remove_dir(dir);
}

/* The aggregator writes the lines of a batch once the commit holding it is
 * done, while the next batch's lines are held: up to a mark, no further. */
static void test_flush_to_a_mark(void **state)
{
    (void)state;
    char dir[] = "/tmp/hb-journal-XXXXXX";
    hb_journal_t *j = open_fresh(dir);
    hb_journal_entry_t e1 = {1, "a.txt", "", 0, 4, 3, ""}, e2 = {2, "b.txt", "", 0, 8, 6, ""};
    seen_t s;
    long par, docs, valid;
    assert_int_equal(hb_journal_flush_to(j, 0), 0);
    hb_journal_add(j, &e1);
    size_t mark = hb_journal_held(j);
    hb_journal_add(j, &e2);
    assert_int_equal(hb_journal_flush_to(j, mark), 0);
    assert_true(hb_journal_held(j) > 0); /* e2's line */
    hb_journal_discard(j);
    assert_int_equal(hb_journal_held(j), 0);
    assert_int_equal(hb_journal_close(j), 0);
    memset(&s, 0, sizeof s);
    assert_int_equal(hb_journal_replay(dir, collect, &s, &par, &docs, &valid), 1);
    assert_string_equal(s.files[0], "a.txt");
    remove_dir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape_round_trips),
        cmocka_unit_test(test_distinct_names_stay_distinct),
        cmocka_unit_test(test_unescape_refuses_malformed),
        cmocka_unit_test(test_replay_exact_names_and_valid_part),
        cmocka_unit_test(test_lines_held_until_flushed),
        cmocka_unit_test(test_flush_to_a_mark),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
