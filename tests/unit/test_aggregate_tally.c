/* Unit tests for the aggregator's tally: rows per town and year in their
 * temporary database, towns.csv and summary.json. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "hb_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb_buf.h"
#include "tally.h"

enum { PRE, SUM, PROB, PLAN };

/* The whole of what a writer put in a memory stream. */
typedef struct mem_out {
    char *data;
    size_t len;
    FILE *f;
} mem_out_t;

static void mem_open(mem_out_t *m)
{
    m->data = NULL;
    m->len = 0;
    m->f = open_memstream(&m->data, &m->len);
    assert_non_null(m->f);
}

static char *mem_close(mem_out_t *m)
{
    assert_int_equal(fclose(m->f), 0);
    return m->data;
}

static char *csv_of(hb_tally_t *t)
{
    mem_out_t m;
    mem_open(&m);
    assert_int_equal(hb_tally_write_csv(t, m.f), 0);
    return mem_close(&m);
}

static void test_tally_rows_sorted_and_summed(void **state)
{
    (void)state;
    hb_tally_t *t = hb_tally_new(NULL);
    assert_non_null(t);
    int party = hb_tally_topic(t, "party", 5);
    int farm = hb_tally_topic(t, "farm", 4);
    assert_int_equal(party, 0);
    assert_int_equal(farm, 1);
    assert_int_equal(hb_tally_topic(t, "party", 5), 0); /* known: same column */

    const int16_t t1[] = {(int16_t)party, (int16_t)farm, -1};
    const int8_t k1[] = {PRE, SUM, PLAN};
    const int16_t t2[] = {(int16_t)farm};
    const int8_t k2[] = {PROB};
    assert_int_equal(hb_tally_doc(t, "潭下镇", 2021, 3, t1, k1), 0);
    assert_int_equal(hb_tally_doc(t, "元潭镇", 2022, 1, t2, k2), 0);
    assert_int_equal(hb_tally_doc(t, "潭下镇", 2021, 1, t2, k2), 0); /* same row */
    assert_int_equal(hb_tally_doc(t, "元潭镇", 2021, 1, t2, k2), 0);
    assert_int_equal(hb_tally_doc(t, "", 0, 0, NULL, NULL), 0);     /* unknown town, year */
    hb_tally_reject(t);

    char *csv = csv_of(t);
    /* by town (bytes), then year; unknown town and year are empty fields */
    assert_string_equal(csv,
        "code,province,city,county,town,year,documents,units,topic_party,topic_farm,"
        "kind_preamble,kind_summary,kind_problem,kind_plan,kind_other\n"
        ",,,,,,1,0,0,0,0,0,0,0,0\n"
        ",,,,元潭镇,2021,1,1,0,1,0,0,1,0,0\n"
        ",,,,元潭镇,2022,1,1,0,1,0,0,1,0,0\n"
        ",,,,潭下镇,2021,2,4,1,2,1,1,1,1,0\n");
    free(csv);
    assert_int_equal(hb_tally_docs(t), 5);
    assert_int_equal(hb_tally_units(t), 6);
    assert_int_equal(hb_tally_rejects(t), 1);

    mem_out_t m;
    mem_open(&m);
    assert_int_equal(hb_tally_write_summary(t, m.f, "r1", true, 1.5), 0);
    char *json = mem_close(&m);
    assert_non_null(strstr(json, "\"places\":4,"));
    assert_non_null(strstr(json, "\"total\":{\"documents\":5,\"units\":6,"
                                 "\"topics\":{\"party\":1,\"farm\":4}"));
    assert_non_null(strstr(json, "\"2021\":{\"documents\":3,"));
    assert_non_null(strstr(json, "\"unknown\":{\"documents\":1,\"units\":0,"));
    free(json);
    hb_tally_free(t);
}

/* Two towns of one name in two counties stay two rows, keyed by code, with
 * their places in columns; a name without a code is a row of its own. */
static void test_tally_towns_of_one_name(void **state)
{
    (void)state;
    hb_tally_t *t = hb_tally_new(NULL);
    assert_non_null(t);
    const int16_t tp[] = {-1};
    const int8_t k[] = {SUM};
    char gd[512], gx[512], bare[512], odd[512];
    hb_tally_place_key(gd, sizeof gd, "441424108", "广东省", "梅州市", "五华县", "潭下镇");
    hb_tally_place_key(gx, sizeof gx, "450323104", "广西壮族自治区", "桂林市", "灵川县", "潭下镇");
    hb_tally_place_key(bare, sizeof bare, NULL, NULL, NULL, NULL, "潭下镇");
    hb_tally_place_key(odd, sizeof odd, NULL, NULL, NULL, "a|b", "c,d");
    assert_string_equal(odd, "|||a/b|c,d");
    assert_int_equal(hb_tally_doc(t, gd, 2021, 1, tp, k), 0);
    assert_int_equal(hb_tally_doc(t, gx, 2021, 1, tp, k), 0);
    assert_int_equal(hb_tally_doc(t, gd, 2021, 1, tp, k), 0);
    assert_int_equal(hb_tally_doc(t, bare, 2021, 1, tp, k), 0);
    assert_int_equal(hb_tally_doc(t, odd, 2021, 1, tp, k), 0);
    char *csv = csv_of(t);
    assert_string_equal(csv,
        "code,province,city,county,town,year,documents,units,kind_preamble,kind_summary,"
        "kind_problem,kind_plan,kind_other\n"
        "441424108,广东省,梅州市,五华县,潭下镇,2021,2,2,0,2,0,0,0\n"
        "450323104,广西壮族自治区,桂林市,灵川县,潭下镇,2021,1,1,0,1,0,0,0\n"
        ",,,a/b,\"c,d\",2021,1,1,0,1,0,0,0\n"
        ",,,,潭下镇,2021,1,1,0,1,0,0,0\n");
    free(csv);
    hb_tally_free(t);
}

/* A topic first met after rows exist (a custom stage's) gets a column; the
 * rows written before it count 0 there. */
static void test_tally_topic_added_later(void **state)
{
    (void)state;
    hb_tally_t *t = hb_tally_new(NULL);
    int a = hb_tally_topic(t, "a", 1);
    const int16_t ta[] = {(int16_t)a};
    const int8_t k[] = {SUM};
    assert_int_equal(hb_tally_doc(t, "甲镇", 2020, 1, ta, k), 0);
    int b = hb_tally_topic(t, "b", 1);
    const int16_t tb[] = {(int16_t)b};
    assert_int_equal(hb_tally_doc(t, "乙镇", 2020, 1, tb, k), 0);
    char *csv = csv_of(t);
    assert_non_null(strstr(csv, "\n,,,,甲镇,2020,1,1,1,0,"));
    assert_non_null(strstr(csv, "\n,,,,乙镇,2020,1,1,0,1,"));
    free(csv);
    hb_tally_free(t);
}

/* What the journal keeps of a document counts the same when read back. */
static void test_tally_units_text_round_trip(void **state)
{
    (void)state;
    hb_tally_t *t = hb_tally_new(NULL), *back = hb_tally_new(NULL);
    int x = hb_tally_topic(t, "x", 1);
    const int16_t tp[] = {(int16_t)x, -1, (int16_t)x};
    const int8_t k[] = {PRE, PROB, PLAN};
    assert_int_equal(hb_tally_doc(t, "丙镇", 2019, 3, tp, k), 0);
    hb_buf_t b;
    hb_buf_init(&b);
    hb_tally_units_text(t, 3, tp, k, &b);
    assert_string_equal(b.data, "x|preamble -|problem x|plan");
    assert_int_equal(hb_tally_doc_text(back, "丙镇", 2019, b.data), 0);
    char *c1 = csv_of(t), *c2 = csv_of(back);
    assert_string_equal(c1, c2);
    free(c1);
    free(c2);
    hb_buf_release(&b);
    hb_tally_free(t);
    hb_tally_free(back);
}

/* More rows than the database's page cache holds: every one comes back. */
static void test_tally_many_places(void **state)
{
    (void)state;
    enum { TOWNS = 6000, YEARS = 3 };
    hb_tally_t *t = hb_tally_new(NULL);
    int x = hb_tally_topic(t, "x", 1);
    const int16_t tp[] = {(int16_t)x};
    const int8_t k[] = {SUM};
    char town[32];
    for (int y = 0; y < YEARS; y++)
        for (int i = 0; i < TOWNS; i++) {
            snprintf(town, sizeof town, "镇%05d", (i * 7919) % TOWNS); /* not in order */
            assert_int_equal(hb_tally_doc(t, town, 2020 + y, 1, tp, k), 0);
            assert_int_equal(hb_tally_doc(t, town, 2020 + y, 1, tp, k), 0);
        }
    char *csv = csv_of(t);
    size_t lines = 0;
    for (const char *p = csv; (p = strchr(p, '\n')); p++)
        lines++;
    assert_int_equal(lines, 1 + TOWNS * YEARS);
    assert_non_null(strstr(csv, "\n,,,,镇00000,2020,2,2,2,"));
    assert_non_null(strstr(csv, "\n,,,,镇05999,2022,2,2,2,"));
    /* sorted: 镇00001,2020 follows 镇00000,2022 */
    assert_non_null(strstr(csv, "镇00000,2022,2,2,2,0,2,0,0,0\n,,,,镇00001,2020,"));
    free(csv);
    assert_int_equal(hb_tally_docs(t), 2 * TOWNS * YEARS);
    hb_tally_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tally_rows_sorted_and_summed),
        cmocka_unit_test(test_tally_towns_of_one_name),
        cmocka_unit_test(test_tally_topic_added_later),
        cmocka_unit_test(test_tally_units_text_round_trip),
        cmocka_unit_test(test_tally_many_places),
    };
    return cmocka_run_group_tests_name("tally", tests, NULL, NULL);
}
