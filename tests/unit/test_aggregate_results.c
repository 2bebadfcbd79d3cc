/* Unit tests for results.sqlite (stages/aggregate/results.c): rows from
 * messages, place and figure fields when present, extra keys, units in
 * parts, dropped documents, and a resume after a crash that keeps exactly what the
 * journal holds. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "hb_test.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hb_msg.h"
#include "figtop.h"
#include "report.h"
#include "results.h"

typedef struct fixture {
    char dir[64];
    hb_pack_t pack;
    hb_msg_t msg;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/hb-results-test.XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    hb_pack_init(&f->pack);
    hb_msg_init(&f->msg);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        return -1;
    hb_msg_done(&f->msg);
    hb_pack_release(&f->pack);
    free(f);
    return 0;
}

static const hb_msg_t *decoded(fixture_t *f)
{
    const char *why;
    hb_msg_done(&f->msg);
    assert_int_equal(hb_msg_decode(&f->msg, f->pack.buf.data, f->pack.buf.len, &why), 0);
    return &f->msg;
}

/* A doc_end for FILE in TOWN; with a division code when code is not NULL. */
static const hb_msg_t *doc_end(fixture_t *f, uint64_t doc, const char *file, const char *town,
                               const char *code, unsigned units)
{
    hb_pack_reset(&f->pack);
    hb_pack_header(&f->pack, HB_T_DOC_END, 7 + (code ? 2 : 0));
    hb_pack_kv_cstr(&f->pack, "run", "r1");
    hb_pack_kv_u64(&f->pack, "doc", doc);
    hb_pack_kv_cstr(&f->pack, "file", file);
    hb_pack_kv_cstr(&f->pack, "town", town);
    hb_pack_kv_u64(&f->pack, "year", 2021);
    hb_pack_kv_u64(&f->pack, "units", units);
    hb_pack_kv_cstr(&f->pack, "title", "工作总结");
    if (code) {
        hb_pack_kv_cstr(&f->pack, "code", code);
        hb_pack_kv_cstr(&f->pack, "province", "某省");
    }
    return decoded(f);
}

/* A classified unit: topic agriculture (and welfare), one figure with a
 * base value, one village, and a key of a custom stage. */
static const hb_msg_t *unit(fixture_t *f, uint64_t doc, uint64_t seq)
{
    hb_pack_t *p = &f->pack;
    hb_pack_reset(p);
    hb_pack_header(p, HB_T_UNIT, 11);
    hb_pack_kv_cstr(p, "run", "r1");
    hb_pack_kv_u64(p, "doc", doc);
    hb_pack_kv_u64(p, "seq", seq);
    hb_pack_kv_cstr(p, "kind", seq ? "plan" : "summary");
    hb_pack_kv_cstr(p, "text", "种植水稻3.5万亩，百安村");
    hb_pack_key(p, "section");
    msgpack_pack_array(&p->pk, 1);
    hb_pack_cstr(p, "农业");
    hb_pack_kv_cstr(p, "topic", "agriculture");
    hb_pack_key(p, "topics");
    msgpack_pack_array(&p->pk, 2);
    msgpack_pack_map(&p->pk, 2);
    hb_pack_kv_cstr(p, "id", "agriculture");
    hb_pack_key(p, "score");
    msgpack_pack_double(&p->pk, 0.75);
    msgpack_pack_map(&p->pk, 2);
    hb_pack_kv_cstr(p, "id", "welfare");
    hb_pack_key(p, "score");
    msgpack_pack_double(&p->pk, 0.25);
    hb_pack_key(p, "metrics");
    msgpack_pack_array(&p->pk, 1);
    msgpack_pack_map(&p->pk, 5);
    hb_pack_kv_cstr(p, "raw", "3.5万亩");
    hb_pack_key(p, "value");
    hb_pack_number(p, 35000);
    hb_pack_kv_cstr(p, "unit", "亩");
    hb_pack_key(p, "base_value");
    hb_pack_number(p, 35000 * 666.67);
    hb_pack_kv_cstr(p, "base_unit", "平方米");
    hb_pack_key(p, "villages");
    msgpack_pack_array(&p->pk, 1);
    hb_pack_cstr(p, "百安村");
    hb_pack_kv_u64(p, "chars", 12);
    return decoded(f);
}

static sqlite3 *db_of(fixture_t *f)
{
    char path[128];
    sqlite3 *db;
    snprintf(path, sizeof path, "%s/results.sqlite", f->dir);
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    return db;
}

static long long one(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long long v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static char *text(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    const char *s = (const char *)sqlite3_column_text(st, 0);
    char *copy = strdup(s ? s : "(null)");
    sqlite3_finalize(st);
    return copy;
}

static void write_doc(fixture_t *f, hb_results_t *r, uint64_t doc, const char *file,
                      const char *code, unsigned units)
{
    assert_int_equal(hb_results_doc(r, doc, doc_end(f, doc, file, "元潭镇", code, units)), 0);
    for (unsigned s = 0; s < units; s++)
        assert_int_equal(hb_results_unit(r, doc, s, 0, unit(f, doc, s)), 0);
}

static void test_results_rows_from_messages(void **state)
{
    fixture_t *f = *state;
    hb_results_t *r = hb_results_open(f->dir, NULL, false, NULL);
    assert_non_null(r);
    write_doc(f, r, 0, "a.txt", NULL, 2);
    write_doc(f, r, 1, "b.txt", "511025100", 1);
    write_doc(f, r, 2, "c.txt", NULL, 3);
    assert_int_equal(hb_results_drop(r, 2, 0), 0); /* rejected after its units came */
    /* A rogue unit beyond the count its doc_end then announces. */
    assert_int_equal(hb_results_unit(r, 3, 5, 0, unit(f, 3, 5)), 0);
    write_doc(f, r, 3, "d.txt", NULL, 1);
    assert_int_equal(hb_results_drop(r, 3, 1), 0);
    assert_int_equal(hb_results_close(r, "r1", true, 1.5), 0);

    sqlite3 *db = db_of(f);
    assert_int_equal(one(db, "SELECT count(*) FROM documents"), 3);
    assert_int_equal(one(db, "SELECT count(*) FROM units"), 4);
    assert_int_equal(one(db, "SELECT count(*) FROM unit_topics"), 8);
    assert_int_equal(one(db, "SELECT count(*) FROM figures"), 4);
    assert_int_equal(one(db, "SELECT count(*) FROM villages WHERE name = '百安村'"), 4);
    assert_int_equal(one(db, "SELECT max(seq) FROM units WHERE doc_id = 3"), 0);
    /* A code makes a place of its own; names alone another. */
    assert_int_equal(one(db, "SELECT count(*) FROM places"), 2);
    assert_int_equal(one(db, "SELECT count(*) FROM places WHERE code = '511025100'"
                             " AND province = '某省' AND town = '元潭镇'"), 1);
    assert_int_equal(one(db, "SELECT id >> 35 = doc_id AND (id >> 6 & 536870911) = seq AND part = 0"
                             " FROM units"
                             " WHERE doc_id = 0 AND seq = 1"), 1);
    char *s = text(db, "SELECT extra FROM units LIMIT 1");
    assert_string_equal(s, "{\"chars\":12}");
    free(s);
    s = text(db, "SELECT section FROM units LIMIT 1");
    assert_string_equal(s, "[\"农业\"]");
    free(s);
    s = text(db, "SELECT base_unit || ' ' || round(base_value) FROM figures LIMIT 1");
    assert_string_equal(s, "平方米 23333450.0");
    free(s);
    assert_int_equal(one(db, "SELECT count(*) FROM documents WHERE province IS NULL"), 2);
    /* The views: docs 0 and 3 (one place, one year) have two summary units
     * and one plan unit, all agriculture. */
    assert_int_equal(one(db, "SELECT count(*) FROM town_topic_share"), 2);
    assert_int_equal(one(db, "SELECT summary_units * 10 + plan_units FROM plans_vs_summary"
                             " WHERE code IS NULL AND topic = 'agriculture'"), 21);
    /* Closed whole: one file, the index built, analysed. */
    s = text(db, "PRAGMA journal_mode");
    assert_string_equal(s, "delete");
    free(s);
    assert_int_equal(one(db, "SELECT count(*) FROM sqlite_master WHERE name = 'units_doc'"), 1);
    assert_true(one(db, "SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'units'") > 0);
    assert_int_equal(one(db, "SELECT value FROM meta WHERE key = 'complete'"), 1);
    sqlite3_close(db);
}

static void test_results_resume_keeps_what_the_journal_holds(void **state)
{
    fixture_t *f = *state;
    /* A run that dies: docs 0 and 1 committed, 2 committed too but never
     * journalled, 3 half in flight, then the process is gone. */
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        hb_results_t *r = hb_results_open(f->dir, NULL, false, NULL);
        if (!r)
            _exit(1);
        write_doc(f, r, 0, "a.txt", NULL, 2);
        write_doc(f, r, 1, "b.txt", NULL, 1);
        write_doc(f, r, 2, "c.txt", NULL, 2);
        assert_int_equal(hb_results_unit(r, 3, 0, 0, unit(f, 3, 0)), 0);
        assert_int_equal(hb_results_commit(r), 0);
        assert_int_equal(hb_results_sync(r), 0); /* what the journal waits for */
        assert_int_equal(hb_results_unit(r, 3, 1, 0, unit(f, 3, 1)), 0);
        _exit(0); /* no close: a crash */
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    hb_figtop_t *top = hb_figtop_new();
    hb_results_t *r = hb_results_open(f->dir, NULL, true, top);
    assert_non_null(r);
    assert_int_equal(hb_results_keep(r, 0), 0);
    assert_int_equal(hb_results_keep(r, 1), 0);
    assert_int_equal(hb_results_resume(r, 2), 0);
    /* report.html's largest figures have those of the documents kept. */
    const char *bu;
    const hb_figtop_fig_t *fig;
    assert_int_equal(hb_figtop_topics(top), 1);
    assert_string_equal(hb_figtop_topic(top, 0), "agriculture");
    assert_int_equal(hb_figtop_best(top, 0, &bu, &fig), 3);
    assert_string_equal(bu, "平方米");
    assert_string_equal(fig[0].raw, "3.5万亩");
    assert_int_equal(fig[0].unit_id, 0); /* doc 0 seq 0: ties in the run's order */
    /* The resumed run gives the documents the same ids. */
    write_doc(f, r, 2, "c.txt", NULL, 2);
    write_doc(f, r, 3, "d.txt", NULL, 1);
    assert_int_equal(hb_results_close(r, "r2", true, 1), 0);
    assert_int_equal(hb_figtop_best(top, 0, &bu, &fig), 6);
    assert_int_equal(fig[5].unit_id, 3ull << 35);
    hb_figtop_free(top);

    sqlite3 *db = db_of(f);
    char *s = text(db, "SELECT group_concat(file || ':' || units, ' ') FROM"
                       " (SELECT file, units FROM documents ORDER BY file)");
    assert_string_equal(s, "a.txt:2 b.txt:1 c.txt:2 d.txt:1");
    free(s);
    assert_int_equal(one(db, "SELECT count(*) FROM units"), 6);
    assert_int_equal(one(db, "SELECT count(*) FROM units WHERE doc_id NOT IN"
                             " (SELECT id FROM documents)"), 0);
    assert_int_equal(one(db, "SELECT count(*) FROM figures"), 6);
    assert_int_equal(one(db, "SELECT count(*) FROM unit_topics"), 12);
    assert_int_equal(one(db, "SELECT (SELECT group_concat(id) FROM (SELECT id FROM documents"
                             " ORDER BY id)) = '0,1,2,3'"), 1);
    sqlite3_close(db);
}

/* A unit a stage turned into parts: a row per part, its figures and
 * topics under it, dropped with its seq; ids beyond the layout: a warning
 * naming the document, no row. */
static void test_results_parts_and_id_limits(void **state)
{
    fixture_t *f = *state;
    hb_results_t *r = hb_results_open(f->dir, NULL, false, NULL);
    assert_non_null(r);
    assert_int_equal(hb_results_doc(r, 5, doc_end(f, 5, "a.txt", "元潭镇", NULL, 3)), 0);
    for (uint32_t part = 0; part < 2; part++)
        assert_int_equal(hb_results_unit(r, 5, 0, part, unit(f, 5, 0)), 0);
    assert_int_equal(hb_results_unit(r, 5, 1, 0, unit(f, 5, 1)), 0);
    assert_int_equal(hb_results_unit(r, 5, 2, 63, unit(f, 5, 2)), 0);
    assert_int_equal(hb_results_drop(r, 5, 2), 0);
    capture_t c;
    capture_start(&c);
    assert_int_equal(hb_results_unit(r, HB_RESULTS_MAX_DOC, 0, 0, unit(f, 1, 0)), 0);
    assert_int_equal(hb_results_unit(r, 6, HB_RESULTS_MAX_SEQ, 0, unit(f, 6, 0)), 0);
    char *log = capture_end(&c);
    assert_non_null(strstr(log, "document 268435456:"));
    assert_non_null(strstr(log, "document 6:"));
    free(log);
    assert_int_equal(hb_results_close(r, "r", true, 0), 0);

    sqlite3 *db = db_of(f);
    assert_int_equal(one(db, "SELECT count(*) FROM units"), 3);
    assert_int_equal(one(db, "SELECT count(*) FROM units WHERE doc_id = 5 AND seq = 0"
                             " AND id = (5 << 35 | part) AND extra = '{\"chars\":12}'"), 2);
    assert_int_equal(one(db, "SELECT count(*) FROM figures WHERE unit_id = (5 << 35 | 1)"), 1);
    assert_int_equal(one(db, "SELECT count(*) FROM unit_topics WHERE unit_id = (5 << 35 | 1)"), 2);
    assert_int_equal(one(db, "SELECT count(*) FROM figures"), 3);
    sqlite3_close(db);
}

/* The largest figures per topic: by value, ties in the run's order, in the
 * most counted unit of measure (ties: the smaller one), percentages aside;
 * only the HB_FIGTOP_KEEP largest kept. */
static void test_results_figtop(void **state)
{
    (void)state;
    hb_figtop_t *t = hb_figtop_new();
    for (uint32_t i = 0; i < 40; i++)
        hb_figtop_add(t, "a", 1, "亩", 3, i % 7, 100 - i, i, "r", 1, NULL, 0);
    hb_figtop_add(t, "a", 1, "户", 3, 1e9, 1, 0, "big", 3, "户数", 6);
    for (int i = 0; i < 50; i++)
        hb_figtop_add(t, "a", 1, "%", 1, 5, 1, 0, "5%", 2, NULL, 0);
    hb_figtop_add(t, NULL, 0, "元", 3, 2, 7, 0, NULL, 0, NULL, 0);
    hb_figtop_add(t, NULL, 0, "个", 3, 3, 8, 0, NULL, 0, NULL, 0);
    hb_figtop_add(t, "b", 1, NULL, 0, 3, 9, 0, NULL, 0, NULL, 0); /* no unit: not counted */
    const char *bu;
    const hb_figtop_fig_t *fig;
    assert_int_equal(hb_figtop_topics(t), 2);
    assert_string_equal(hb_figtop_topic(t, 0), "a");
    assert_null(hb_figtop_topic(t, 1));
    assert_int_equal(hb_figtop_best(t, 0, &bu, &fig), HB_FIGTOP_KEEP);
    assert_string_equal(bu, "亩");
    /* values 6 at i = 6, 13, 20, 27, 34: unit ids 94, 87, 80, 73, 66 */
    assert_true(fig[0].v == 6 && fig[0].unit_id == 66 && fig[4].unit_id == 94);
    assert_true(fig[5].v == 5);
    assert_null(fig[0].subject);
    assert_int_equal(hb_figtop_best(t, 1, &bu, &fig), 1);
    assert_string_equal(bu, "个"); /* 个 (E4 B8 AA) before 元 (E5 85 83) */
    hb_figtop_free(t);
}

/* A unit from another stage: its keys in another order, a key of its own
 * where unit() has "kind", and "kind" where unit() has "text". */
static const hb_msg_t *unit_reordered(fixture_t *f, uint64_t doc, uint64_t seq)
{
    hb_pack_t *p = &f->pack;
    hb_pack_reset(p);
    hb_pack_header(p, HB_T_UNIT, 6);
    hb_pack_kv_cstr(p, "run", "r1");
    hb_pack_kv_u64(p, "doc", doc);
    hb_pack_kv_u64(p, "seq", seq);
    hb_pack_kv_cstr(p, "tone", "upbeat");
    hb_pack_kv_cstr(p, "kind", "problem");
    hb_pack_kv_cstr(p, "text", "短板仍然突出");
    return decoded(f);
}

/* Messages whose keys come in other orders (stages of a user's own) fill
 * the same columns: where a key went in the last message is only a guess. */
static void test_results_keys_in_any_order(void **state)
{
    fixture_t *f = *state;
    hb_results_t *r = hb_results_open(f->dir, NULL, false, NULL);
    assert_non_null(r);
    assert_int_equal(hb_results_doc(r, 0, doc_end(f, 0, "a.txt", "元潭镇", NULL, 3)), 0);
    assert_int_equal(hb_results_unit(r, 0, 0, 0, unit(f, 0, 0)), 0);
    assert_int_equal(hb_results_unit(r, 0, 1, 0, unit_reordered(f, 0, 1)), 0);
    assert_int_equal(hb_results_unit(r, 0, 2, 0, unit(f, 0, 2)), 0);
    assert_int_equal(hb_results_close(r, "r", true, 0), 0);
    sqlite3 *db = db_of(f);
    char *s = text(db, "SELECT group_concat(kind || ' ' || text || ' ' || coalesce(extra, '-'),"
                       " ' | ') FROM (SELECT * FROM units ORDER BY seq)");
    assert_string_equal(s, "summary 种植水稻3.5万亩，百安村 {\"chars\":12} | "
                           "problem 短板仍然突出 {\"tone\":\"upbeat\"} | "
                           "plan 种植水稻3.5万亩，百安村 {\"chars\":12}");
    free(s);
    sqlite3_close(db);
}

/* Place ids follow the places' keys, not the order documents arrived in:
 * two runs of the same inputs give the same ids. */
static void test_results_place_ids_in_key_order(void **state)
{
    fixture_t *f = *state;
    static const char *const towns[] = {"乙镇", "丙镇", "甲镇"};
    for (int run = 0; run < 2; run++) {
        hb_results_t *r = hb_results_open(f->dir, NULL, false, NULL);
        assert_non_null(r);
        for (int i = 0; i < 3; i++) {
            int d = run ? 2 - i : i; /* the second run: the other way round */
            assert_int_equal(hb_results_doc(r, (uint64_t)d,
                                            doc_end(f, (uint64_t)d, "x.txt", towns[d], NULL, 0)),
                             0);
        }
        assert_int_equal(hb_results_close(r, "r", true, 0), 0);
        sqlite3 *db = db_of(f);
        char *s = text(db, "SELECT group_concat(d.id || ':' || p.id || ':' || p.town, ' ')"
                           " FROM (SELECT * FROM documents ORDER BY id) d"
                           " JOIN places p ON p.id = d.place_id");
        assert_string_equal(s, "0:2:乙镇 1:1:丙镇 2:3:甲镇"); /* 丙 < 乙 < 甲 in UTF-8 */
        free(s);
        sqlite3_close(db);
    }
}

/* A doc_end for a town of a county (none when county is NULL). */
static const hb_msg_t *doc_in(fixture_t *f, uint64_t doc, const char *county, const char *town,
                              unsigned units)
{
    hb_pack_reset(&f->pack);
    hb_pack_header(&f->pack, HB_T_DOC_END, 5 + (county != NULL));
    hb_pack_kv_cstr(&f->pack, "run", "r1");
    hb_pack_kv_u64(&f->pack, "doc", doc);
    hb_pack_kv_cstr(&f->pack, "file", town);
    hb_pack_kv_cstr(&f->pack, "town", town);
    hb_pack_kv_u64(&f->pack, "units", units);
    if (county)
        hb_pack_kv_cstr(&f->pack, "county", county);
    return decoded(f);
}

/* More towns than report.html shows rows: its heatmap and kind bars sum
 * them per county, an unknown county first, then in the names' order, each
 * with its units (NULL, 乙县, 甲县: 1, 2 and 3 units a town). */
static void test_results_report_sums_beyond_max_rows(void **state)
{
    fixture_t *f = *state;
    hb_results_t *r = hb_results_open(f->dir, NULL, false, NULL);
    assert_non_null(r);
    static const char *const county[] = {NULL, "乙县", "甲县"};
    for (uint64_t d = 0; d <= HB_REPORT_MAX_ROWS; d++) {
        char town[32];
        unsigned units = (unsigned)(d % 3) + 1;
        snprintf(town, sizeof town, "镇%llu", (unsigned long long)d);
        assert_int_equal(hb_results_doc(r, d, doc_in(f, d, county[d % 3], town, units)), 0);
        for (uint64_t s = 0; s < units; s++)
            assert_int_equal(hb_results_unit(r, d, s, 0, unit(f, d, s)), 0);
    }
    assert_int_equal(hb_results_close(r, "r", true, 0), 0);
    assert_int_equal(hb_report_write(f->dir, NULL), 0);

    char path[128], *html = NULL;
    size_t len = 0;
    snprintf(path, sizeof path, "%s/report.html", f->dir);
    FILE *in = fopen(path, "r");
    assert_non_null(in);
    assert_true(getdelim(&html, &len, '\0', in) > 0);
    fclose(in);
    assert_non_null(strstr(html, "按县汇总为 3 行"));
    /* Heatmap rows, then kind bars, in the same order. */
    const char *a = strstr(html, "<td class=\"n\">（未知） <small>667</small>");
    const char *b = strstr(html, "<td class=\"n\">乙县 <small>1334</small>");
    const char *c = strstr(html, "<td class=\"n\">甲县 <small>2001</small>");
    assert_true(a && b && c && a < b && b < c);
    a = strstr(html, "<td class=\"n\">（未知）</td>");
    b = strstr(html, "<td class=\"n\">乙县</td>");
    c = strstr(html, "<td class=\"n\">甲县</td>");
    assert_true(a && b && c && a < b && b < c);
    assert_non_null(strstr(c, "<td>2001</td>"));
    free(html);
}

static void test_results_resume_without_database_warns(void **state)
{
    fixture_t *f = *state;
    /* One an older huibao wrote (units without part) counts as none. */
    char path[128];
    sqlite3 *db;
    snprintf(path, sizeof path, "%s/results.sqlite", f->dir);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE documents(id INTEGER PRIMARY KEY);"
                                      " INSERT INTO documents VALUES(0);"
                                      " CREATE TABLE units(id INTEGER PRIMARY KEY, doc_id, seq)",
                                  NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    hb_results_t *r = hb_results_open(f->dir, NULL, true, NULL);
    assert_non_null(r);
    assert_int_equal(hb_results_keep(r, 0), 0);
    capture_t c;
    capture_start(&c);
    assert_int_equal(hb_results_resume(r, 1), 0);
    char *log = capture_end(&c);
    assert_non_null(strstr(log, "holds 0 of the 1 documents"));
    free(log);
    write_doc(f, r, 0, "a.txt", NULL, 1);
    assert_int_equal(hb_results_close(r, "r", true, 0), 0);
    db = db_of(f);
    assert_int_equal(one(db, "SELECT count(*) FROM units WHERE part = 0"), 1);
    sqlite3_close(db);
}

/* A unit with a text of len bytes, its keys given twice ("kind" and
 * "text": the last of each counts) and in another order than unit(). */
static const hb_msg_t *unit_dup(fixture_t *f, uint64_t doc, uint64_t seq, size_t len)
{
    hb_pack_t *p = &f->pack;
    char *big = malloc(len + 1);
    memset(big, 'x', len);
    big[len] = '\0';
    hb_pack_reset(p);
    hb_pack_header(p, HB_T_UNIT, 7);
    hb_pack_kv_cstr(p, "run", "r1");
    hb_pack_kv_u64(p, "doc", doc);
    hb_pack_kv_u64(p, "seq", seq);
    hb_pack_kv_cstr(p, "text", "first");
    hb_pack_kv_cstr(p, "kind", "plan");
    hb_pack_kv_cstr(p, "text", big);
    hb_pack_kv_cstr(p, "kind", "problem");
    free(big);
    return decoded(f);
}

/* Many documents through the writer thread, committed and synced as the
 * aggregator does (commit_batch), with units from three stages' orders, a
 * unit larger than a chunk (and than the largest kept) and places of
 * their own: every row arrives, in its table, whole. */
static void test_results_writer_many_chunks(void **state)
{
    fixture_t *f = *state;
    hb_results_t *r = hb_results_open(f->dir, NULL, false, NULL);
    assert_non_null(r);
    enum { DOCS = 1500 };
    for (uint64_t d = 0; d < DOCS; d++) {
        char file[32], code[16];
        snprintf(file, sizeof file, "%llu.txt", (unsigned long long)d);
        snprintf(code, sizeof code, "5110251%02llu", (unsigned long long)(d % 40));
        assert_int_equal(hb_results_doc(r, d, doc_end(f, d, file, "元潭镇", code, 3)), 0);
        assert_int_equal(hb_results_unit(r, d, 0, 0, unit(f, d, 0)), 0);
        assert_int_equal(hb_results_unit(r, d, 1, 0, unit_reordered(f, d, 1)), 0);
        size_t len = d == 700 ? 5u << 20 : d % 97 == 0 ? 300u << 10 : 10;
        assert_int_equal(hb_results_unit(r, d, 2, 0, unit_dup(f, d, 2, len)), 0);
        if (d % 100 == 99) {
            assert_int_equal(hb_results_sync(r), 0);
            assert_int_equal(hb_results_commit(r), 0);
        }
    }
    assert_int_equal(hb_results_close(r, "r", true, 0), 0);
    sqlite3 *db = db_of(f);
    assert_int_equal(one(db, "SELECT count(*) FROM documents"), DOCS);
    assert_int_equal(one(db, "SELECT count(*) FROM units"), 3 * DOCS);
    assert_int_equal(one(db, "SELECT count(*) FROM figures"), DOCS);
    assert_int_equal(one(db, "SELECT count(*) FROM unit_topics"), 2 * DOCS);
    assert_int_equal(one(db, "SELECT count(*) FROM places"), 40);
    assert_int_equal(one(db, "SELECT count(DISTINCT place_id) FROM documents"), 40);
    assert_int_equal(one(db, "SELECT count(*) FROM documents d JOIN places p ON p.id = d.place_id"
                             " AND p.code = d.code"), DOCS);
    assert_int_equal(one(db, "SELECT length(text) FROM units WHERE doc_id = 700 AND seq = 2"),
                     5 << 20);
    assert_int_equal(one(db, "SELECT count(*) FROM units WHERE seq = 2 AND kind = 'problem'"
                             " AND text <> 'first' AND extra IS NULL"), DOCS);
    assert_int_equal(one(db, "SELECT count(*) FROM units WHERE seq = 1 AND kind = 'problem'"
                             " AND extra = '{\"tone\":\"upbeat\"}'"), DOCS);
    assert_int_equal(one(db, "SELECT count(*) FROM units WHERE seq = 0 AND kind = 'summary'"
                             " AND extra = '{\"chars\":12}'"), DOCS);
    sqlite3_close(db);
}

/* The writer fails (the file size limit, as a full disk): the caller's
 * calls, sync and close return -1 (none hangs), the message names
 * results.sqlite, and the last sync that said 0 was for a commit that
 * holds its documents. */
static void test_results_writer_failure_reaches_caller(void **state)
{
    fixture_t *f = *state;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        alarm(120); /* a hang shows as a failure, not a stuck test */
        signal(SIGXFSZ, SIG_IGN);
        hb_results_t *r = hb_results_open(f->dir, NULL, false, NULL);
        if (!r)
            _exit(10);
        struct rlimit lim = {256 << 10, 256 << 10};
        if (setrlimit(RLIMIT_FSIZE, &lim) != 0)
            _exit(11);
        capture_t c;
        capture_start(&c);
        uint64_t d = 0, synced = 0;
        int rc = 0;
        for (; d < 20000 && rc == 0; d++) {
            rc = hb_results_doc(r, d, doc_end(f, d, "a.txt", "元潭镇", NULL, 1));
            rc |= hb_results_unit(r, d, 0, 0, unit(f, d, 0));
            if (rc == 0 && d % 50 == 49) {
                rc = hb_results_sync(r);
                if (rc == 0)
                    synced = d - 49; /* the documents the commit asked before hold */
                rc |= hb_results_commit(r);
            }
        }
        int sync = hb_results_sync(r), close = hb_results_close(r, "r", true, 0);
        char *log = capture_end(&c);
        bool named = strstr(log, "/results.sqlite: ") != NULL;
        free(log);
        lim.rlim_cur = lim.rlim_max = RLIM_INFINITY;
        setrlimit(RLIMIT_FSIZE, &lim);
        if (rc == 0)
            _exit(12);
        if (sync != -1 || close != -1)
            _exit(13);
        if (!named)
            _exit(14);
        /* What a journal would hold (documents before synced) is there. */
        char path[128];
        sqlite3 *db;
        snprintf(path, sizeof path, "%s/results.sqlite", f->dir);
        if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
            _exit(15);
        sqlite3_stmt *st;
        long long n = -1;
        if (sqlite3_prepare_v2(db, "SELECT count(*) FROM documents", -1, &st, NULL) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW)
            n = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        sqlite3_close(db);
        _exit(n >= 0 && (uint64_t)n >= synced ? 0 : 16);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

/* Places are numbered in memory: after a resume a place the database
 * holds keeps its id, one whose documents went is numbered again, and a
 * new one takes an id none has (an id met twice fails the insert); at
 * the end all are numbered in the order of their keys. */
static void test_results_places_after_resume(void **state)
{
    fixture_t *f = *state;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        hb_results_t *r = hb_results_open(f->dir, NULL, false, NULL);
        if (!r)
            _exit(1);
        write_doc(f, r, 0, "a.txt", "511025100", 1);
        write_doc(f, r, 1, "b.txt", "511025101", 1);
        write_doc(f, r, 2, "c.txt", "511025102", 1);
        assert_int_equal(hb_results_commit(r), 0);
        assert_int_equal(hb_results_sync(r), 0);
        _exit(0); /* a crash; the journal holds 0 and 2 */
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    hb_results_t *r = hb_results_open(f->dir, NULL, true, NULL);
    assert_non_null(r);
    assert_int_equal(hb_results_keep(r, 0), 0);
    assert_int_equal(hb_results_keep(r, 2), 0);
    assert_int_equal(hb_results_resume(r, 2), 0);
    write_doc(f, r, 3, "d.txt", "511025102", 1); /* known */
    write_doc(f, r, 1, "b.txt", "511025101", 1); /* gone with its document */
    write_doc(f, r, 4, "e.txt", "511025104", 1); /* new */
    write_doc(f, r, 5, "f.txt", "511025100", 1); /* known */
    assert_int_equal(hb_results_close(r, "r2", true, 1), 0);

    sqlite3 *db = db_of(f);
    assert_int_equal(one(db, "SELECT count(*) FROM places"), 4);
    char *ids = text(db, "SELECT group_concat(id || ':' || key, ' ') FROM"
                         " (SELECT id, key FROM places ORDER BY id)");
    assert_string_equal(ids, "1:511025100 2:511025101 3:511025102 4:511025104");
    free(ids);
    assert_int_equal(one(db, "SELECT count(*) FROM documents d JOIN places p"
                             " ON p.id = d.place_id AND p.code = d.code"), 6);
    sqlite3_close(db);
}

static const hb_msg_t *reject(fixture_t *f, uint64_t doc, const char *file)
{
    hb_pack_reset(&f->pack);
    hb_pack_header(&f->pack, HB_T_REJECT, 5);
    hb_pack_kv_cstr(&f->pack, "run", "r1");
    hb_pack_kv_u64(&f->pack, "doc", doc);
    hb_pack_kv_cstr(&f->pack, "file", file);
    hb_pack_kv_cstr(&f->pack, "stage", "read");
    hb_pack_kv_cstr(&f->pack, "reason", "not a report");
    return decoded(f);
}

/* Runs too small to start the writer: none at all, and only rejects (one
 * after its units came).  Each closes whole. */
static void test_results_no_documents(void **state)
{
    fixture_t *f = *state;
    hb_results_t *r = hb_results_open(f->dir, NULL, false, NULL);
    assert_non_null(r);
    assert_int_equal(hb_results_sync(r), 0);
    assert_int_equal(hb_results_close(r, "r", true, 0), 0);
    sqlite3 *db = db_of(f);
    assert_int_equal(one(db, "SELECT count(*) FROM documents"), 0);
    assert_int_equal(one(db, "SELECT value FROM meta WHERE key = 'complete'"), 1);
    sqlite3_close(db);

    r = hb_results_open(f->dir, NULL, false, NULL);
    assert_non_null(r);
    assert_int_equal(hb_results_reject(r, reject(f, 0, "a.txt")), 0);
    assert_int_equal(hb_results_unit(r, 1, 0, 0, unit(f, 1, 0)), 0);
    assert_int_equal(hb_results_reject(r, reject(f, 1, "b.txt")), 0);
    assert_int_equal(hb_results_drop(r, 1, 0), 0);
    assert_int_equal(hb_results_close(r, "r", true, 0), 0);
    db = db_of(f);
    assert_int_equal(one(db, "SELECT count(*) FROM rejects WHERE stage = 'read'"), 2);
    assert_int_equal(one(db, "SELECT count(*) FROM documents"), 0);
    assert_int_equal(one(db, "SELECT count(*) FROM units"), 0);
    assert_int_equal(one(db, "SELECT count(*) FROM figures"), 0);
    sqlite3_close(db);
}

/* A key given twice: its last value counts, nil (NULL) too, as when each
 * value was bound straight to the statement. */
static void test_results_key_twice_last_counts(void **state)
{
    fixture_t *f = *state;
    hb_results_t *r = hb_results_open(f->dir, NULL, false, NULL);
    assert_non_null(r);
    assert_int_equal(hb_results_doc(r, 0, doc_end(f, 0, "a.txt", "元潭镇", NULL, 1)), 0);
    hb_pack_t *p = &f->pack;
    hb_pack_reset(p);
    hb_pack_header(p, HB_T_UNIT, 7);
    hb_pack_kv_cstr(p, "run", "r1");
    hb_pack_kv_u64(p, "doc", 0);
    hb_pack_kv_u64(p, "seq", 0);
    hb_pack_kv_cstr(p, "kind", "plan");
    hb_pack_kv_cstr(p, "text", "a");
    hb_pack_key(p, "kind");
    msgpack_pack_nil(&p->pk);
    hb_pack_kv_cstr(p, "text", "b");
    assert_int_equal(hb_results_unit(r, 0, 0, 0, decoded(f)), 0);
    assert_int_equal(hb_results_close(r, "r", true, 0), 0);
    sqlite3 *db = db_of(f);
    char *s = text(db, "SELECT coalesce(kind, 'NULL') || ' ' || text FROM units");
    assert_string_equal(s, "NULL b");
    free(s);
    sqlite3_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_results_rows_from_messages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_results_resume_keeps_what_the_journal_holds,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_results_resume_without_database_warns, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_results_parts_and_id_limits, setup, teardown),
        cmocka_unit_test(test_results_figtop),
        cmocka_unit_test_setup_teardown(test_results_report_sums_beyond_max_rows, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_results_keys_in_any_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_results_place_ids_in_key_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_results_writer_many_chunks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_results_writer_failure_reaches_caller, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_results_places_after_resume, setup, teardown),
        cmocka_unit_test_setup_teardown(test_results_no_documents, setup, teardown),
        cmocka_unit_test_setup_teardown(test_results_key_twice_last_counts, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
