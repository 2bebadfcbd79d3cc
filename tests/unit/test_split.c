/* Unit tests for the splitter: one report's text -> title, heading tree, units.
 *
 * Every test splits a small text and checks the exact units that come out
 * (text, section path joined with '|', kind, item/headed/overview flags) and
 * the split info.  The seed test checks the five seed reports against the
 * hand labels in tests/data/seeds.jsonl.  Run from the repository root. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hb_buf.h"
#include "hb_mem.h"
#include "splitter.h"

static hb_splitter_t *g_sp; /* compiled once for the whole group, as the stage does */
static int g_year;          /* the report's year the doc message gives; 0: none */

/* ---- recording helper ------------------------------------------------- */

enum { F_ITEM = 1, F_HEAD = 2, F_OVER = 4 };

typedef struct rec_unit {
    uint32_t seq;
    char *text;
    size_t text_len;
    const char *text_ptr; /* where the unit points into the input */
    char *section;        /* heading texts joined with '|' */
    size_t depth;
    const char *kind;
    int flags;
} rec_unit_t;

typedef struct run {
    rec_unit_t *u;
    size_t n, cap;
    size_t calls;
    size_t stop_at; /* 1-based call that returns stop_rc; 0 = never stop */
    int stop_rc;
    int rc;
    char *title;
    uint32_t units, headings, dropped;
    int year; /* the split's */
} run_t;

static int record(void *arg, const hb_unit_t *u)
{
    run_t *r = arg;
    r->calls++;
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 16;
        r->u = hb_realloc(r->u, r->cap * sizeof *r->u);
    }
    rec_unit_t *o = &r->u[r->n++];
    o->seq = u->seq;
    o->text = hb_strndup(u->text.s, u->text.len);
    o->text_len = u->text.len;
    o->text_ptr = u->text.s;
    o->depth = u->depth;
    hb_buf_t b;
    hb_buf_init(&b);
    hb_buf_reserve(&b, 1);
    b.data[0] = '\0';
    for (size_t i = 0; i < u->depth && i < HB_SPLIT_MAX_DEPTH; i++) {
        if (i)
            hb_buf_putc(&b, '|');
        hb_buf_append(&b, u->section[i].s, u->section[i].len);
    }
    o->section = b.data; /* owned by the record now */
    o->kind = u->kind;
    o->flags = (u->item ? F_ITEM : 0) | (u->headed ? F_HEAD : 0) | (u->overview ? F_OVER : 0);
    if (r->stop_at && r->calls == r->stop_at)
        return r->stop_rc;
    return 0;
}

static run_t *split_ex(const char *text, size_t len, size_t stop_at, int stop_rc)
{
    run_t *r = hb_calloc(1, sizeof *r);
    r->stop_at = stop_at;
    r->stop_rc = stop_rc;
    hb_split_info_t info;
    hb_buf_init(&info.title);
    r->rc = hb_splitter_run(g_sp, text, len, g_year, record, r, &info);
    r->title = hb_strndup(info.title.data ? info.title.data : "", info.title.len);
    r->units = info.units;
    r->headings = info.headings;
    r->dropped = info.dropped_lines;
    r->year = info.year;
    hb_buf_release(&info.title);
    return r;
}

static run_t *split(const char *text)
{
    return split_ex(text, strlen(text), 0, 0);
}

/* A report whose doc message says its year. */
static run_t *split_year(const char *text, int year)
{
    g_year = year;
    run_t *r = split(text);
    g_year = 0;
    return r;
}

static void run_free(run_t *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->u[i].text);
        free(r->u[i].section);
    }
    free(r->u);
    free(r->title);
    free(r);
}

/* Checks the run produced exactly n units and returned 0. */
static void expect_n(const run_t *r, size_t n)
{
    assert_int_equal(r->rc, 0);
    assert_int_equal(r->n, n);
    assert_int_equal(r->units, n);
    for (size_t i = 0; i < r->n; i++)
        assert_int_equal(r->u[i].seq, i);
}

static void expect_unit(const run_t *r, size_t i, const char *kind, const char *section,
                        int flags, const char *text)
{
    assert_true(i < r->n);
    const rec_unit_t *u = &r->u[i];
    assert_string_equal(u->text, text);
    assert_string_equal(u->section, section);
    assert_string_equal(u->kind, kind);
    assert_int_equal(u->flags, flags);
}


/* ---- headings ---------------------------------------------------------- */

static void test_heading_families_nest_by_appearance(void **state)
{
    (void)state;
    run_t *r = split("一、总体情况\n"
                     "（一）党建工作\n"
                     "1.理论学习\n"
                     "（1）中心组学习\n"
                     "①专题学习\n"
                     "第一，集中学习\n"
                     "学习内容丰富。\n");
    expect_n(r, 1);
    assert_int_equal(r->headings, 6);
    assert_string_equal(r->title, "");
    expect_unit(r, 0, "summary", "总体情况|党建工作|理论学习|中心组学习|专题学习|集中学习", 0,
                "学习内容丰富。");
    assert_int_equal(r->u[0].depth, 6);
    run_free(r);
}

static void test_heading_ascii_brackets_and_variants(void **state)
{
    (void)state;
    /* (一) and (1) in ASCII brackets are the same families as （一） and （1）;
     * 1、 is the same family as 1. */
    run_t *r = split("一、总体情况\n"
                     "(一)党建工作\n"
                     "1、理论学习\n"
                     "(1)中心组学习\n"
                     "正文一段。\n"
                     "（二）经济工作\n"
                     "正文二段。\n"
                     "２．全角数字\n"
                     "正文三段。\n"
                     "二、其他\n"
                     "正文四段。\n");
    expect_n(r, 4);
    assert_int_equal(r->headings, 7);
    expect_unit(r, 0, "summary", "总体情况|党建工作|理论学习|中心组学习", 0, "正文一段。");
    expect_unit(r, 1, "summary", "总体情况|经济工作", 0, "正文二段。");
    expect_unit(r, 2, "summary", "总体情况|经济工作|全角数字", 0, "正文三段。");
    expect_unit(r, 3, "summary", "其他", 0, "正文四段。");
    run_free(r);
}

static void test_heading_levels_follow_order_not_family(void **state)
{
    (void)state;
    /* 一、 then （1） then 1.: （1） is level 2 here, 1. level 3. */
    run_t *r = split("一、甲\n"
                     "（1）乙\n"
                     "1.丙\n"
                     "正文。\n"
                     "（2）丁\n"
                     "正文二。\n");
    expect_n(r, 2);
    expect_unit(r, 0, "summary", "甲|乙|丙", 0, "正文。");
    expect_unit(r, 1, "summary", "甲|丁", 0, "正文二。");
    run_free(r);
}

static void test_heading_reappearing_family_closes_deeper(void **state)
{
    (void)state;
    run_t *r = split("一、甲\n"
                     "1.乙\n"
                     "（1）丙\n"
                     "正文。\n"
                     "2.丁\n"
                     "正文二。\n"
                     "二、戊\n"
                     "正文三。\n");
    expect_n(r, 3);
    assert_int_equal(r->headings, 5);
    expect_unit(r, 0, "summary", "甲|乙|丙", 0, "正文。");
    assert_int_equal(r->u[0].depth, 3);
    expect_unit(r, 1, "summary", "甲|丁", 0, "正文二。");
    assert_int_equal(r->u[1].depth, 2);
    expect_unit(r, 2, "summary", "戊", 0, "正文三。");
    assert_int_equal(r->u[2].depth, 1);
    run_free(r);
}

static void test_heading_trailing_space_trimmed(void **state)
{
    (void)state;
    /* seed 001 has a heading line ending in a space */
    run_t *r = split("一、上半年工作总结\n"
                     "（二）巩固脱贫攻坚成果，乡村振兴持续接力 \n"
                     "以乡村振兴统揽各项工作。\n");
    expect_n(r, 1);
    expect_unit(r, 0, "summary", "上半年工作总结|巩固脱贫攻坚成果，乡村振兴持续接力", 0,
                "以乡村振兴统揽各项工作。");
    run_free(r);
}

static void test_heading_with_inline_body(void **state)
{
    (void)state;
    static const char line[] =
        "（一）夯实战斗堡垒，推进党建引领。坚持把学习宣传贯彻全会精神作为首要政治任务，"
        "不断提升机关党建水平。";
    char text[512];
    snprintf(text, sizeof text, "一、上半年工作总结\n%s\n", line);
    run_t *r = split(text);
    expect_n(r, 1);
    assert_int_equal(r->headings, 2);
    expect_unit(r, 0, "summary", "上半年工作总结|夯实战斗堡垒，推进党建引领", F_HEAD, line);
    run_free(r);
}

static void test_heading_only_sentence_then_items(void **state)
{
    (void)state;
    /* The heading sentence alone is no unit; its items are. */
    run_t *r = split("一、工作情况\n"
                     "（二）高质量抓实基层党建。一是抓好党员日常管理。二是深入推进“五个到户”。\n");
    expect_n(r, 2);
    assert_int_equal(r->headings, 2);
    expect_unit(r, 0, "summary", "工作情况|高质量抓实基层党建", F_ITEM, "一是抓好党员日常管理。");
    expect_unit(r, 1, "summary", "工作情况|高质量抓实基层党建", F_ITEM,
                "二是深入推进“五个到户”。");
    run_free(r);
}

static void test_heading_only_sentence_alone(void **state)
{
    (void)state;
    run_t *r = split("一、工作情况\n（二）高质量抓实基层党建。\n全镇党建工作扎实。\n");
    expect_n(r, 1);
    expect_unit(r, 0, "summary", "工作情况|高质量抓实基层党建", 0, "全镇党建工作扎实。");
    run_free(r);
}

static void test_heading_sentence_without_body_is_unit(void **state)
{
    (void)state;
    /* Numbered lines that are one sentence each, with nothing under them
     * before the next of their family or a higher heading: units under the
     * heading above, not headings of nothing.  The first has its items below
     * and stays a heading; so does one followed by a paragraph. */
    run_t *r = split("二、2024年工作任务\n"
                     "（一）大力推进产业升级。\n"
                     "1.实施制造业重点产业链建设行动，力争营业收入突破1万亿元。\n"
                     "2.加快发展数字经济，新建5G基站2万个。\n"
                     "（二）扎实推进乡村振兴。\n"
                     "粮食播种面积稳定在5650万亩以上。\n"
                     "（三）持续改善民生。\n");
    expect_n(r, 4);
    assert_int_equal(r->headings, 3);
    expect_unit(r, 0, "plan", "2024年工作任务|大力推进产业升级", F_HEAD,
                "1.实施制造业重点产业链建设行动，力争营业收入突破1万亿元。");
    expect_unit(r, 1, "plan", "2024年工作任务|大力推进产业升级", F_HEAD,
                "2.加快发展数字经济，新建5G基站2万个。");
    expect_unit(r, 2, "plan", "2024年工作任务|扎实推进乡村振兴", 0,
                "粮食播种面积稳定在5650万亩以上。");
    expect_unit(r, 3, "plan", "2024年工作任务", F_HEAD, "（三）持续改善民生。");
    run_free(r);
}

static void test_title_with_byline_on_its_line(void **state)
{
    (void)state;
    run_t *r = split("政府工作报告——2023年1月6日在株洲市第十六届人民代表大会第三次会议上\n"
                     "株洲市人民政府市长　刘大伟\n"
                     "各位代表：\n"
                     "现在，我代表市人民政府向大会报告工作。\n");
    expect_n(r, 1);
    assert_string_equal(r->title, "政府工作报告");
    expect_unit(r, 0, "preamble", "", F_OVER, "现在，我代表市人民政府向大会报告工作。");
    run_free(r);
    /* a dash inside a title that no byline follows stays */
    r = split("凝心聚力谋发展——红石镇2023年工作总结\n全镇经济平稳。\n");
    assert_string_equal(r->title, "凝心聚力谋发展——红石镇2023年工作总结");
    run_free(r);
}

static void test_byline_in_brackets_or_numerals(void **state)
{
    (void)state;
    static const char *const bylines[] = {
        "（2024年1月16日在安吉县第十七届人民代表大会第四次会议上）",
        "(2024年1月16日在安吉县第十七届人民代表大会第四次会议上)",
        "二〇二四年一月十六日在安吉县第十七届人民代表大会第四次会议上",
        "在安吉县第十七届人民代表大会常务委员会第十六次会议上", NULL};
    for (const char *const *b = bylines; *b; b++) {
        char text[512];
        snprintf(text, sizeof text, "政府工作报告\n%s\n县长　陈小明\n现在，我代表县人民政府向大会报告工作。\n",
                 *b);
        run_t *r = split(text);
        expect_n(r, 1);
        assert_string_equal(r->title, "政府工作报告");
        run_free(r);
    }
    /* a year in numerals is a year */
    run_t *r = split("政府工作报告\n（二〇二四年一月十六日在安吉县第十七届人民代表大会第四次会议上）\n"
                     "现在，我代表县人民政府向大会报告工作。\n");
    assert_int_equal(r->year, 2024);
    run_free(r);
}

static void test_spaced_out_title(void **state)
{
    (void)state;
    run_t *r = split("政 府 工 作 报 告\n现在，我代表县人民政府向大会报告工作。\n");
    assert_string_equal(r->title, "政府工作报告");
    run_free(r);
    r = split("江西省人民政府 政府工作报告\n现在，我代表省人民政府向大会报告工作。\n");
    assert_string_equal(r->title, "江西省人民政府 政府工作报告");
    run_free(r);
}

static void test_menu_word_above_title_is_none_of_it(void **state)
{
    (void)state;
    /* 政务公开 (a site's column) above the report's title: not joined to it */
    run_t *r = split("政务公开\n2023年韶关市政府工作报告\n现在，我代表市人民政府向大会报告工作。\n");
    assert_string_equal(r->title, "2023年韶关市政府工作报告");
    run_free(r);
    /* a first line that names a place, a time or a report is the title's */
    r = split("石桥镇\n2020年工作总结\n全镇经济平稳。\n");
    assert_string_equal(r->title, "石桥镇2020年工作总结");
    run_free(r);
    r = split("2021年上半年\n工作总结\n全镇经济平稳。\n");
    assert_string_equal(r->title, "2021年上半年工作总结");
    run_free(r);
}

static void test_header_above_breadcrumb_is_no_title(void **state)
{
    (void)state;
    /* The site's name above its breadcrumb is the page's header: the
     * report's title is the one below. */
    run_t *r = split("株洲市人民政府\n"
                     "您当前的位置：首页 > 政务公开 > 政府工作报告\n"
                     "2023年株洲市政府工作报告\n"
                     "现在，我代表市人民政府向大会报告工作。\n");
    expect_n(r, 1);
    assert_string_equal(r->title, "2023年株洲市政府工作报告");
    run_free(r);
    /* a title above the breadcrumb and none below: that title */
    r = split("2023年株洲市政府工作报告\n首页 > 政务公开\n现在，我代表市人民政府向大会报告工作。\n");
    expect_n(r, 1);
    assert_string_equal(r->title, "2023年株洲市政府工作报告");
    run_free(r);
    /* after the first unit, a breadcrumb (a footer's) changes nothing */
    r = split("2023年株洲市政府工作报告\n现在，我代表市人民政府向大会报告工作。\n"
              "首页 > 政务公开\n");
    expect_n(r, 1);
    assert_string_equal(r->title, "2023年株洲市政府工作报告");
    run_free(r);
}

static void test_long_numbered_line_is_paragraph(void **state)
{
    (void)state;
    /* A first sentence over 40 characters is not a heading: the line is a
     * paragraph and opens no level. */
    static const char line[] =
        "1.年初以来全镇上下认真贯彻落实县委县政府各项决策部署统筹推进疫情防控和经济社会发展"
        "各项工作取得明显成效。群众满意度提升。";
    char text[512];
    snprintf(text, sizeof text, "一、工作情况\n%s\n", line);
    run_t *r = split(text);
    expect_n(r, 1);
    assert_int_equal(r->headings, 1);
    expect_unit(r, 0, "summary", "工作情况", F_OVER, line);
    run_free(r);
}

static void test_decimal_is_not_heading(void **state)
{
    (void)state;
    run_t *r = split("一、工作情况\n2.5万亩高标准农田全部建成。\n");
    expect_n(r, 1);
    assert_int_equal(r->headings, 1);
    expect_unit(r, 0, "summary", "工作情况", F_OVER, "2.5万亩高标准农田全部建成。");
    run_free(r);
}

/* ---- enumeration items ------------------------------------------------- */

static void test_items_cut_at_sentence_ends(void **state)
{
    (void)state;
    run_t *r = split("一、工作\n"
                     "总体思路如下：一是抓党建，二是抓发展。三是抓民生；四是抓安全：五是抓作风！"
                     "六是抓落实？七是完成\n");
    expect_n(r, 7);
    expect_unit(r, 0, "summary", "工作", 0, "总体思路如下：");
    expect_unit(r, 1, "summary", "工作", F_ITEM, "一是抓党建，二是抓发展。");
    expect_unit(r, 2, "summary", "工作", F_ITEM, "三是抓民生；");
    expect_unit(r, 3, "summary", "工作", F_ITEM, "四是抓安全：");
    expect_unit(r, 4, "summary", "工作", F_ITEM, "五是抓作风！");
    expect_unit(r, 5, "summary", "工作", F_ITEM, "六是抓落实？");
    expect_unit(r, 6, "summary", "工作", F_ITEM, "七是完成");
    run_free(r);
}

static void test_items_lead_sentence_is_own_unit(void **state)
{
    (void)state;
    run_t *r = split("一、上半年工作总结\n"
                     "（一）巩固脱贫攻坚成果\n"
                     "以乡村振兴统揽各项工作。一是脱贫攻坚工作有序交接。二是产业发展持续优化。"
                     "三是新农村建设踏步向前。\n");
    expect_n(r, 4);
    const char *sec = "上半年工作总结|巩固脱贫攻坚成果";
    expect_unit(r, 0, "summary", sec, 0, "以乡村振兴统揽各项工作。");
    expect_unit(r, 1, "summary", sec, F_ITEM, "一是脱贫攻坚工作有序交接。");
    expect_unit(r, 2, "summary", sec, F_ITEM, "二是产业发展持续优化。");
    expect_unit(r, 3, "summary", sec, F_ITEM, "三是新农村建设踏步向前。");
    run_free(r);
}

static void test_items_not_cut_after_comma(void **state)
{
    (void)state;
    /* ，一是 stays inside the headed unit; only 。二是 cuts. */
    run_t *r = split("一、工作情况\n"
                     "（三）高标准推进乡村振兴。全镇上下齐心协力，一是抓牢两个环节。二是压实责任。\n");
    expect_n(r, 2);
    expect_unit(r, 0, "summary", "工作情况|高标准推进乡村振兴", F_HEAD,
                "（三）高标准推进乡村振兴。全镇上下齐心协力，一是抓牢两个环节。");
    expect_unit(r, 1, "summary", "工作情况|高标准推进乡村振兴", F_ITEM, "二是压实责任。");
    run_free(r);
}

static void test_items_ascii_comma_and_no_items(void **state)
{
    (void)state;
    run_t *r = split("今年以来,一是抓学习,二是抓落实。全镇统一是非标准。\n");
    expect_n(r, 1);
    expect_unit(r, 0, "preamble", "", F_OVER, "今年以来,一是抓学习,二是抓落实。全镇统一是非标准。");
    run_free(r);
}

/* ---- title, byline, salutation ---------------------------------------- */

static void test_title_one_line(void **state)
{
    (void)state;
    run_t *r = split("某镇2022年上半年工作总结\n今年以来，全镇工作平稳推进。\n");
    expect_n(r, 1);
    assert_string_equal(r->title, "某镇2022年上半年工作总结");
    assert_int_equal(r->dropped, 0);
    expect_unit(r, 0, "preamble", "", F_OVER, "今年以来，全镇工作平稳推进。");
    run_free(r);
}

static void test_title_two_lines(void **state)
{
    (void)state;
    run_t *r = split("潭下镇2021年上半年工作总结及\n"
                     "下半年工作计划\n"
                     "\n"
                     "2021年，是“十四五”的开局之年。\n"
                     "一、上半年工作总结\n"
                     "全镇经济稳步增长。\n");
    expect_n(r, 2);
    assert_string_equal(r->title, "潭下镇2021年上半年工作总结及下半年工作计划");
    expect_unit(r, 0, "preamble", "", F_OVER, "2021年，是“十四五”的开局之年。");
    expect_unit(r, 1, "summary", "上半年工作总结", F_OVER, "全镇经济稳步增长。");
    run_free(r);
}

static void test_no_title_when_first_line_is_paragraph(void **state)
{
    (void)state;
    run_t *r = split("今年以来，在县委、县政府的坚强领导下，全镇工作稳中有进。现将有关情况汇报如下：\n"
                     "一、上半年工作总结\n"
                     "全镇经济稳步增长。\n");
    expect_n(r, 2);
    assert_string_equal(r->title, "");
    expect_unit(r, 0, "preamble", "", F_OVER,
                "今年以来，在县委、县政府的坚强领导下，全镇工作稳中有进。现将有关情况汇报如下：");
    run_free(r);
}

static void test_no_title_when_first_line_is_heading(void **state)
{
    (void)state;
    run_t *r = split("一、工作开展情况\n全镇经济稳步增长。\n");
    expect_n(r, 1);
    assert_string_equal(r->title, "");
    expect_unit(r, 0, "summary", "工作开展情况", F_OVER, "全镇经济稳步增长。");
    run_free(r);
}

static void test_byline_and_salutation_dropped(void **state)
{
    (void)state;
    run_t *r = split("政府工作报告\n"
                     "——2025年3月5日在某县第十八届人民代表大会第五次会议上\n"
                     "各位代表：\n"
                     "现在，我代表县人民政府，向大会报告政府工作，请予审议。\n");
    expect_n(r, 1);
    assert_string_equal(r->title, "政府工作报告");
    assert_int_equal(r->dropped, 2);
    expect_unit(r, 0, "preamble", "", F_OVER, "现在，我代表县人民政府，向大会报告政府工作，请予审议。");
    run_free(r);
}

static void test_salutation_in_body_is_kept(void **state)
{
    (void)state;
    /* Only the front matter loses bylines and salutations; a dash-led line in
     * the body is a paragraph. */
    run_t *r = split("一、工作回顾\n"
                     "——经济总体回升向好。\n");
    expect_n(r, 1);
    assert_int_equal(r->dropped, 0);
    expect_unit(r, 0, "summary", "工作回顾", F_OVER, "——经济总体回升向好。");
    run_free(r);
}

static void test_speaker_line_is_front_matter(void **state)
{
    (void)state;
    /* Regression: the speaker's line between byline and salutation (every
     * national report has "国务院总理　李　强") is front matter; it used to end
     * the front and turn itself and the salutation into units. */
    run_t *r = split("某县政府工作报告\n"
                     "——2025年3月5日在某县第十八届人民代表大会第五次会议上\n"
                     "县长　张三\n"
                     "各位代表：\n"
                     "现在，我代表县人民政府，向大会报告政府工作，请予审议。\n");
    expect_n(r, 1);
    assert_string_equal(r->title, "某县政府工作报告");
    expect_unit(r, 0, "preamble", "", F_OVER, "现在，我代表县人民政府，向大会报告政府工作，请予审议。");
    run_free(r);
}

static void test_undashed_byline_and_name(void **state)
{
    (void)state;
    /* From the 1957 national report: the byline has no dash and the speaker's
     * name follows it alone.  The name used to become a part heading, and 36
     * units of two parts were filed under 周恩来. */
    run_t *r = split("1957年中华人民共和国国务院政府工作报告\n\n"
                     "政府工作报告\n\n"
                     "1957年6月26日在第一届全国人民代表大会第四次会議上\n\n"
                     "周恩来\n\n"
                     "各位代表：\n\n"
                     "从第一届全国人民代表大会第三次会議閉幕以来，已經整整一年了。\n"
                     "一、关于社会主义革命\n"
                     "1956年，我国基本上完成了对农業的社会主义改造。\n");
    expect_n(r, 2);
    assert_int_equal(r->dropped, 4);
    expect_unit(r, 0, "preamble", "", F_OVER, "从第一届全国人民代表大会第三次会議閉幕以来，已經整整一年了。");
    expect_unit(r, 1, "summary", "关于社会主义革命", 0, "1956年，我国基本上完成了对农業的社会主义改造。");
    assert_string_equal(r->title, "1957年中华人民共和国国务院政府工作报告");
    run_free(r);
    /* In the body the same line is a paragraph. */
    r = split("一、工作回顾\n\n"
              "2024年3月5日在县人民代表大会上\n\n"
              "全镇经济稳步增长。\n");
    expect_n(r, 2);
    assert_int_equal(r->dropped, 0);
    expect_unit(r, 0, "summary", "工作回顾", F_OVER, "2024年3月5日在县人民代表大会上");
    run_free(r);
}

/* A heading right after the front matter is no speaker's name: after a
 * dashed byline, after a salutation that follows the office, after a dated
 * byline.  (From a review: 一、主要成效 had been dropped as a name.) */
static void test_heading_after_byline_is_no_name(void **state)
{
    (void)state;
    static const char *const texts[] = {
        "某镇2023年工作总结\n——在镇党委全会上\n一、主要成效\n全镇经济平稳运行。\n",
        "某县政府工作报告\n——2024年1月10日在某县人民代表大会第三次会议上\n各位代表：\n"
        "一、主要成效\n全镇经济平稳运行。\n",
        "某县政府工作报告\n县长　张三\n各位代表：\n一、主要成效\n全镇经济平稳运行。\n",
        "某县政府工作报告\n\n1957年6月26日在第一届全国人民代表大会第四次会議上\n\n"
        "一、主要成效\n全镇经济平稳运行。\n",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        run_t *r = split(texts[i]);
        expect_n(r, 1);
        expect_unit(r, 0, "summary", "主要成效", F_OVER, "全镇经济平稳运行。");
        run_free(r);
    }
}

static void test_zero_width_space_line_is_blank(void **state)
{
    (void)state;
    /* Regression: a line holding only U+200B (5 national reports have one
     * after the title) is blank; it used to become a unit and end the front
     * matter. */
    run_t *r = split("政府工作报告\n"
                     "\xe2\x80\x8b\n"
                     "——2021年3月5日在某县第十七届人民代表大会第四次会议上\n"
                     "各位代表：\n"
                     "现在，我代表县人民政府，向大会报告政府工作，请予审议。\n");
    expect_n(r, 1);
    assert_string_equal(r->title, "政府工作报告");
    expect_unit(r, 0, "preamble", "", F_OVER, "现在，我代表县人民政府，向大会报告政府工作，请予审议。");
    run_free(r);
}

/* ---- clutter ----------------------------------------------------------- */

static void test_clutter_lines_dropped(void **state)
{
    (void)state;
    run_t *r = split("【字体：大 中 小】\n"
                     "分享：\n"
                     "来源：某某网\n"
                     "某镇2022年上半年工作总结\n"
                     "今年以来，全镇工作平稳。\n"
                     "打印 关闭\n");
    expect_n(r, 1);
    assert_int_equal(r->dropped, 4);
    assert_string_equal(r->title, "某镇2022年上半年工作总结");
    expect_unit(r, 0, "preamble", "", F_OVER, "今年以来，全镇工作平稳。");
    run_free(r);
    /* A wiki editor's placeholder inside the 2007 national report, and the
     * same words inside a sentence. */
    r = split("一、工作回顾\n"
              "——改革开放进一步深化。\n"
              "粗体文字\n"
              "重点领域改革取得新进展，粗体文字不是标题。\n");
    expect_n(r, 2);
    assert_int_equal(r->dropped, 1);
    expect_unit(r, 1, "summary", "工作回顾", F_OVER, "重点领域改革取得新进展，粗体文字不是标题。");
    run_free(r);
}

/* A line of punctuation alone (a stray ' in an archived report, a row of
 * ……) is neither a part heading nor text; a short line with words still
 * starts a part.  From the 2007 national report, where 125 units were filed
 * under a part called '. */
static void test_punctuation_line_is_no_heading(void **state)
{
    (void)state;
    run_t *r = split("一、2006年工作回顾\n"
                     "'\n"
                     "——经济平稳快速增长。\n"
                     "……\n"
                     "结束语\n"
                     "全镇上下团结奋斗。\n");
    expect_n(r, 2);
    assert_int_equal(r->dropped, 2);
    expect_unit(r, 0, "summary", "2006年工作回顾", F_OVER, "——经济平稳快速增长。");
    expect_unit(r, 1, "summary", "结束语", 0, "全镇上下团结奋斗。");
    run_free(r);
}

/* Licence footers of archived texts, in either case, are furniture: whole
 * short lines.  A line of report text that mentions the words is kept
 * (issue 17.3: the rule used to be unanchored and dropped any such line). */
static void test_licence_lines_dropped(void **state)
{
    (void)state;
    run_t *r = split("今年以来，全镇工作平稳。\n\n"
                     "本作品在全世界都属于公有领域。\n\n"
                     "注：中文维基文库社群认为，中华人民共和国公务演讲，不总是具有立法性质的文件。\n\n"
                     "本站文字采用CREATIVE COMMONS署名-相同方式共享3.0许可协议。\n\n"
                     "Public Domain\n\n"
                     "true\n\n"
                     "依据许可协议发布。\n\n"
                     "来自维基文库。\n\n"
                     "本文属于public domain。\n");
    expect_n(r, 4);
    assert_int_equal(r->dropped, 5);
    expect_unit(r, 0, "preamble", "", F_OVER, "今年以来，全镇工作平稳。");
    expect_unit(r, 1, "summary", "", F_OVER, "依据许可协议发布。");
    expect_unit(r, 2, "summary", "", F_OVER, "来自维基文库。");
    expect_unit(r, 3, "summary", "", F_OVER, "本文属于public domain。");
    run_free(r);
}

/* A one-line report (no line breaks at all) that mentions a licence word is
 * report text, not a footer: its units are all kept. */
static void test_licence_word_in_one_line_report_kept(void **state)
{
    (void)state;
    hb_buf_t b;
    hb_buf_init(&b);
    for (int i = 0; i < 400; i++)
        hb_buf_printf(&b, "全镇完成第%d项工作，采用知识共享许可协议公开公有领域资料。", i);
    run_t *r = split(b.data);
    expect_n(r, 1);
    assert_int_equal(r->dropped, 0);
    assert_int_equal(r->u[0].text_len, b.len);
    run_free(r);
    hb_buf_release(&b);
}

/* One line of each furniture kind in configs/furniture.conf, before a title
 * and a paragraph: each is dropped, the title is the report's own. */
static void test_furniture_each_kind_dropped(void **state)
{
    (void)state;
    static const char *const lines[] = {
        "下载", "打印 全屏 收藏", "【字号：", "加大", "还原 减小", "】", "【字体：大 中 小】",
        "【打印本页】【关闭窗口】", "分享到：微信 微博 QQ空间", "微信扫一扫",
        "您的位置：首页 > 政务公开 > 政府工作报告", "当前位置：首页>新闻中心",
        "网站首页 | 政务公开 | 办事服务", "網站首頁 | 政務公開",
        "发布时间：2025-02-10 09:30 来源：县政府办公室 浏览次数：1234", "来源：新华网",
        "时间：2021-03-01 人气：1024", "责任编辑：张三", "（编辑：李四）", "本报记者 王五",
        "2025-03-05 10:23:11 来源：中国政府网",
        "3月5日，大会在人民大会堂开幕。国务院总理李强作政府工作报告。新华社记者 张三 摄",
        "相关报道：", "上一篇：某镇召开会议", "阅读次数：88",
        "索引号：11530000MB1234567X/2024-00012", "发文机构：某镇人民政府",
        "发布日期：2024-01-15", "主题分类：综合政务",
        "导语：下面是小编为大家整理的工作报告，供大家参考。", "来源于网友上传",
        "本站小编 我要投稿", "下面是小编为大家整理的乡镇工作报告，欢迎阅读。",
        "此处隐藏0字", "第二篇：某镇工作总结", "欄目：工作总结　發佈於：2024-01-15　人氣：88",
        "版权声明：本文内容由互联网用户自发贡献，本站不拥有所有权。",
        "版权所有：某县人民政府　ICP备12345678号", "网站标识码：1234567890",
        "主办单位：某县人民政府办公室", "网站地图 | 联系我们", "中国政府网",
        "Copyright © 2025 某县人民政府", "【我要纠错】【收藏本页】【打印本页】【关闭窗口】",
        "联系电话：0572-5122345  传真：0572-5122346", "地址：某县某街道1号  邮编：313300",
        "您是本站第1234567位访客", "网站维护：某县大数据中心", "无障碍浏览", "政务微信 政务微博",
        "附件下载：", "Top", "2024年政府工作报告_某县人民政府", "上一页 1 2 3 下一页",
        "共3页 第1页", "上一篇 2023年某县人民政府工作报告", "分享至：", "【发布时间：2024-01-22】",
        "今天是：2024年1月22日 星期一", "网站支持IPv6", "【我要纠错】 责任编辑：张三", NULL};
    for (const char *const *l = lines; *l; l++) {
        char text[1024];
        snprintf(text, sizeof text, "%s\n某镇2024年工作总结\n\n%s\n\n全镇工作平稳。\n", *l, *l);
        run_t *r = split(text);
        if (r->n != 1 || strcmp(r->title, "某镇2024年工作总结") != 0)
            fail_msg("furniture line not dropped: %s (title '%s', %zu units)", *l, r->title, r->n);
        assert_int_equal(r->dropped, 2);
        run_free(r);
    }
}

/* Report text that mentions furniture words is no furniture: the rules
 * match whole short lines. */
static void test_furniture_words_in_report_text_kept(void **state)
{
    (void)state;
    static const char *const lines[] = {
        "为农户提供技术支持200余次。", "通过举办节会活动，聚集了人气，带动消费。",
        "建立农产品二维码追溯体系。", "以下是我们今年的主要工作：", "来源广泛的资金，全部用于民生。",
        "全年完成下载打印服务300次。", "镇文化站接待群众阅读，全年借阅图书3000册。", NULL};
    for (const char *const *l = lines; *l; l++) {
        char text[1024];
        snprintf(text, sizeof text, "某镇2024年工作总结\n\n%s\n", *l);
        run_t *r = split(text);
        if (r->n != 1 || strcmp(r->u[0].text, *l) != 0)
            fail_msg("report text taken for furniture: %s", *l);
        run_free(r);
    }
}

/* A title repeated two or three times (document sites) is one title. */
static void test_repeated_title_is_one_title(void **state)
{
    (void)state;
    run_t *r = split("白沙乡2023年工作总结和2024年工作计划的报告\n"
                     "白沙乡2023年工作总结和2024年工作计划的报告\n\n"
                     "白沙乡2023年工作总结和2024年工作计划的报告\n"
                     "全乡粮食总产量达到1.2万吨。\n");
    expect_n(r, 1);
    assert_string_equal(r->title, "白沙乡2023年工作总结和2024年工作计划的报告");
    run_free(r);
    r = split("白沙乡2023年工作总结和\n2024年工作计划\n白沙乡2023年工作总结和\n2024年工作计划\n"
              "全乡粮食总产量达到1.2万吨。\n");
    expect_n(r, 1);
    assert_string_equal(r->title, "白沙乡2023年工作总结和2024年工作计划");
    run_free(r);
}

/* A document site's header gives the title when the report has no title
 * line of its own. */
static void test_title_from_furniture_rule(void **state)
{
    (void)state;
    run_t *r = split("乡镇政府工作报告（精选多篇）\n第一篇：乡镇政府工作报告\n"
                     "各位代表：\n过去一年，全镇工作平稳。\n");
    expect_n(r, 1);
    assert_string_equal(r->title, "乡镇政府工作报告");
    run_free(r);
}

/* A user's own rules file: rules in file order, words found in any case,
 * a rule whose words are optional still tried; a bad rule or key refused. */
static void test_furniture_custom_file(void **state)
{
    (void)state;
    char path[] = "/tmp/hb-test-furniture-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("[furniture]\nmax_chars = 40\n"
          "line = .{0,10}(?:Web|网址)\\s*[:：].{0,30}\n"
          "line = (?:本站)?提示.{0,10}\n",
          f);
    fclose(f);
    hb_splitter_t *own = hb_splitter_new(path);
    assert_non_null(own);
    hb_splitter_t *saved = g_sp;
    g_sp = own;
    run_t *r = split("官方WEB：http://x.cn\n提示：请勿转载\n"
                     "我镇网址：这一行太长了所以不算页面杂项而是正文内容的一部分因为超过四十个字符的限制了吧。\n"
                     "全镇工作平稳。\n");
    expect_n(r, 2);
    assert_int_equal(r->dropped, 2);
    run_free(r);
    g_sp = saved;
    hb_splitter_free(own);
    f = fopen(path, "w");
    fputs("[furniture]\nline = (unclosed\n", f);
    fclose(f);
    assert_null(hb_splitter_new(path));
    f = fopen(path, "w");
    fputs("[furniture]\nlines = x\n", f);
    fclose(f);
    assert_null(hb_splitter_new(path));
    f = fopen(path, "w");
    fputs("[furniture]\ntitle = 无组\n", f);
    fclose(f);
    assert_null(hb_splitter_new(path));
    unlink(path);
    assert_null(hb_splitter_new(path)); /* gone: cannot be read */
}

/* The next report of a page (a `title` rule's line in the body) begins
 * even when the line before it, unfinished, turns out to be furniture too:
 * judging that line does not lose the title. */
static void test_part_after_unfinished_furniture(void **state)
{
    (void)state;
    char path[] = "/tmp/hb-test-furniture-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("[furniture]\nline = 广告位，\ntitle = 第[一二]篇：(.{2,30})\n", f);
    fclose(f);
    hb_splitter_t *own = hb_splitter_new(path);
    unlink(path);
    assert_non_null(own);
    hb_splitter_t *saved = g_sp;
    g_sp = own;
    static const char *const between[] = {"", "广告位，\n"};
    for (int i = 0; i < 2; i++) {
        char text[512];
        snprintf(text, sizeof text, "第一篇：甲镇工作总结\n全镇工作平稳，各项事业取得新进展。\n%s"
                 "第二篇：乙镇工作总结\n全乡工作有序，经济社会平稳发展。\n", between[i]);
        run_t *r = split(text);
        expect_n(r, 2);
        assert_string_equal(r->u[0].section, "");
        assert_string_equal(r->u[1].section, "乙镇工作总结");
        run_free(r);
    }
    g_sp = saved;
    hb_splitter_free(own);
}

static void test_clutter_word_inside_sentence_kept(void **state)
{
    (void)state;
    /* 关闭 at line start but followed by text is not the 关闭 button */
    run_t *r = split("关闭退出落后产能企业3家。\n");
    expect_n(r, 1);
    assert_int_equal(r->dropped, 0);
    expect_unit(r, 0, "preamble", "", F_OVER, "关闭退出落后产能企业3家。");
    run_free(r);
}

/* ---- structure of national reports (national.jsonl) -------------------- */

/* A summary line with a comma and no sentence end, alone inside a part,
 * heads the paragraphs after it (2003: 五年来，国民经济保持良好发展势头，…);
 * a numbered heading closes it. */
static void test_comma_line_heads_paragraphs(void **state)
{
    (void)state;
    run_t *r = split("一、过去五年的回顾\n\n"
                     "五年来，国民经济保持良好发展势头，经济结构调整迈出重要步伐\n\n"
                     "经济持续较快增长。\n\n"
                     "五年来，外交工作开创新局面\n\n"
                     "外交活动十分活跃。\n\n"
                     "（一）坚持扩大内需\n\n"
                     "宏观调控成功。\n");
    expect_n(r, 3);
    expect_unit(r, 0, "summary", "过去五年的回顾|五年来，国民经济保持良好发展势头，经济结构调整迈出重要步伐",
                0, "经济持续较快增长。");
    expect_unit(r, 1, "summary", "过去五年的回顾|五年来，外交工作开创新局面", 0, "外交活动十分活跃。");
    expect_unit(r, 2, "summary", "过去五年的回顾|坚持扩大内需", 0, "宏观调控成功。");
    run_free(r);
}

/* 一是推进农业结构调整。 alone heads the one paragraph after it; items cut
 * from that paragraph and the paragraph after are back under the part.  An
 * item followed by another item is a unit. */
static void test_item_alone_heads_next_paragraph(void **state)
{
    (void)state;
    run_t *r = split("一、农业\n\n"
                     "一是推进农业结构调整。\n\n"
                     "引导农民调整种植结构，发展畜牧业。\n\n"
                     "二是减轻企业负担。\n"
                     "成立四家资产管理公司。三是加强管理创新。推进信息化。\n\n"
                     "实践证明，决策是正确的。\n\n"
                     "四是加强扶贫开发。\n"
                     "五是引导劳动力有序流动。\n");
    expect_n(r, 6);
    expect_unit(r, 0, "summary", "农业|推进农业结构调整", 0, "引导农民调整种植结构，发展畜牧业。");
    expect_unit(r, 1, "summary", "农业|减轻企业负担", 0, "成立四家资产管理公司。");
    expect_unit(r, 2, "summary", "农业", F_ITEM, "三是加强管理创新。推进信息化。");
    expect_unit(r, 3, "summary", "农业", 0, "实践证明，决策是正确的。");
    expect_unit(r, 4, "summary", "农业", F_ITEM, "四是加强扶贫开发。");
    expect_unit(r, 5, "summary", "农业", F_ITEM, "五是引导劳动力有序流动。");
    run_free(r);
}

/* 一要…二要… enumerate as 一是 does (2019: 要注重把握好以下关系。一要统筹好…). */
static void test_yi_yao_items(void **state)
{
    (void)state;
    run_t *r = split("做好今年工作，要注重把握好以下关系。一要统筹好内外关系。二要平衡好稳增长与防风险。"
                     "三要处理好政府与市场的关系，统一要求。\n");
    expect_n(r, 4);
    expect_unit(r, 0, "preamble", "", F_OVER, "做好今年工作，要注重把握好以下关系。");
    expect_unit(r, 1, "preamble", "", F_ITEM, "一要统筹好内外关系。");
    expect_unit(r, 3, "preamble", "", F_ITEM, "三要处理好政府与市场的关系，统一要求。");
    run_free(r);
    r = split("统一要求，二要素齐全。\n"); /* no 一要 item: one unit */
    expect_n(r, 1);
    run_free(r);
}

/* 各位代表！ in the body turns from the subject to the part. */
static void test_salutation_in_body_closes_subject(void **state)
{
    (void)state;
    run_t *r = split("一、回顾\n\n（九）政府建设\n\n廉政建设加强。\n\n各位代表！\n\n五年来的成就来之不易。\n");
    expect_n(r, 2);
    expect_unit(r, 0, "summary", "回顾|政府建设", 0, "廉政建设加强。");
    expect_unit(r, 1, "summary", "回顾", F_OVER, "五年来的成就来之不易。");
    run_free(r);
}

/* A long line that stops without a sentence end goes on on the next line,
 * a numbered one with its body too, and across a line with only a
 * zero-width space (an archive's link); so does a heading that stops on an
 * opening bracket. */
static void test_unfinished_long_line_joins(void **state)
{
    (void)state;
    run_t *r = split("一、开放\n"
                     "（四）更大力度吸引和利用外资。扩大市场准入，加大现代服务业领域开放力度，"
                     "落实好外资企业国民待遇，做好外资企业服务工作，积极推动加入\n"
                     "全面与进步跨太平洋伙伴关系协定\n"
                     "（CPTPP）等高标准经贸协议。\n"
                     "经济增速是综合性指标，今年预期目标设定\n"
                     "\xe2\x80\x8b\n"
                     "为6%以上，考虑了经济运行恢复情况。\n");
    expect_n(r, 2);
    expect_unit(r, 0, "summary", "开放|更大力度吸引和利用外资", F_HEAD,
                "（四）更大力度吸引和利用外资。扩大市场准入，加大现代服务业领域开放力度，"
                "落实好外资企业国民待遇，做好外资企业服务工作，积极推动加入全面与进步跨太平洋伙伴关系协定（CPTPP）等高标准经贸协议。");
    expect_unit(r, 1, "summary", "开放|更大力度吸引和利用外资", 0,
                "经济增速是综合性指标，今年预期目标设定为6%以上，考虑了经济运行恢复情况。");
    run_free(r);
    r = split("二、关于《\n国民经济和社会发展第十一个五年规划纲要（草案）\n》的说明\n纲要草案已印发。\n");
    expect_n(r, 1);
    expect_unit(r, 0, "summary", "关于《国民经济和社会发展第十一个五年规划纲要（草案）》的说明", 0,
                "纲要草案已印发。");
    run_free(r);
}

/* ---- kind by the report's year (issue 13.3) --------------------------- */

/* A part heading that names the report's own year or a later one, or a
 * five-year period not over, is a plan; one that names an earlier year or a
 * period over is a summary.  Explicit words (回顾, 安排) still decide. */
static void test_kind_by_report_year(void **state)
{
    (void)state;
    run_t *r = split_year("一、2025年工作回顾\n全县生产总值增长6%。\n"
                          "二、2026年主要工作\n全县经济增长目标为6%左右。\n"
                          "三、“十五五”时期的奋斗目标\n到2030年，基本实现现代化。\n"
                          "四、“十四五”时期的主要工作\n五年来，经济总量迈上新台阶。\n",
                          2026);
    expect_n(r, 4);
    expect_unit(r, 0, "summary", "2025年工作回顾", F_OVER, "全县生产总值增长6%。");
    expect_unit(r, 1, "plan", "2026年主要工作", F_OVER, "全县经济增长目标为6%左右。");
    expect_unit(r, 2, "plan", "“十五五”时期的奋斗目标", F_OVER, "到2030年，基本实现现代化。");
    expect_unit(r, 3, "summary", "“十四五”时期的主要工作", F_OVER, "五年来，经济总量迈上新台阶。");
    run_free(r);
    /* 2011: 三、2011年的工作 is the plan; 2002: ２００１年的工作 is the past.
     * Without a year from the doc message, the title's is used. */
    r = split("2011年政府工作报告\n\n三、2011年的工作\n今年要继续实施积极的财政政策。\n");
    expect_n(r, 1);
    expect_unit(r, 0, "plan", "2011年的工作", F_OVER, "今年要继续实施积极的财政政策。");
    run_free(r);
    r = split_year("政府工作报告\n\n现在，我代表国务院作报告。\n\n首先报告２００１年的工作\n"
                   "国民经济保持良好发展势头。\n",
                   2002);
    expect_n(r, 2);
    expect_unit(r, 1, "summary", "首先报告２００１年的工作", F_OVER, "国民经济保持良好发展势头。");
    run_free(r);
    /* the first half of the report's year is past; no year known: the words */
    r = split_year("一、2026年上半年主要工作\n完成投资1亿元。\n", 2026);
    expect_unit(r, 0, "summary", "2026年上半年主要工作", F_OVER, "完成投资1亿元。");
    run_free(r);
    r = split("一、2026年主要工作\n完成投资1亿元。\n");
    expect_unit(r, 0, "summary", "2026年主要工作", F_OVER, "完成投资1亿元。");
    run_free(r);
}

/* ---- kinds ------------------------------------------------------------- */

static void test_kinds_by_part(void **state)
{
    (void)state;
    run_t *r = split("今年以来，全镇工作稳中有进。\n"
                     "一、上半年工作总结\n"
                     "全镇经济稳步增长。\n"
                     "二、存在的主要问题\n"
                     "产业规模不大。\n"
                     "三、下半年工作计划\n"
                     "全力完成全年目标任务。\n");
    expect_n(r, 4);
    expect_unit(r, 0, "preamble", "", F_OVER, "今年以来，全镇工作稳中有进。");
    expect_unit(r, 1, "summary", "上半年工作总结", F_OVER, "全镇经济稳步增长。");
    expect_unit(r, 2, "problem", "存在的主要问题", F_OVER, "产业规模不大。");
    expect_unit(r, 3, "plan", "下半年工作计划", F_OVER, "全力完成全年目标任务。");
    run_free(r);
}

static void test_kind_plan_for_xiabu_dasuan(void **state)
{
    (void)state;
    run_t *r = split("一、工作情况\n"
                     "全镇经济稳步增长。\n"
                     "二、下步打算\n"
                     "我镇将继续努力。\n");
    expect_n(r, 2);
    expect_unit(r, 0, "summary", "工作情况", F_OVER, "全镇经济稳步增长。");
    expect_unit(r, 1, "plan", "下步打算", F_OVER, "我镇将继续努力。");
    run_free(r);
}

/* 1995年政府工作报告: the archive breaks the line after each item marker
 * (四是 / 对市场和物价的管理有所放松…).  The marker joins its text; it is not a
 * part heading that everything after it would fall under. */
static void test_item_marker_alone_joins_next_line(void **state)
{
    (void)state;
    run_t *r = split("一、1994年国内工作的回顾\n"
                     "物价上涨的原因是多方面的。\n"
                     "四是\n"
                     "对市场和物价的管理有所放松，法制不健全，市场不规范。\n"
                     "\n"
                     "除物价问题外，农业和国有企业的问题也比较突出。\n");
    expect_n(r, 3);
    expect_unit(r, 0, "summary", "1994年国内工作的回顾", F_OVER, "物价上涨的原因是多方面的。");
    expect_unit(r, 1, "summary", "1994年国内工作的回顾", F_ITEM,
                "四是对市场和物价的管理有所放松，法制不健全，市场不规范。");
    expect_unit(r, 2, "summary", "1994年国内工作的回顾", F_OVER,
                "除物价问题外，农业和国有企业的问题也比较突出。");
    run_free(r);
}

/* The plan part of a 政府工作报告: 对今年政府工作的建议, 关于1998年政府工作的建议. */
static void test_kind_plan_for_gongzuo_de_jianyi(void **state)
{
    (void)state;
    run_t *r = split("一、过去五年工作回顾\n"
                     "经济平稳运行。\n"
                     "二、对今年政府工作的建议\n"
                     "今年要着力抓好以下工作。\n");
    expect_n(r, 2);
    expect_unit(r, 0, "summary", "过去五年工作回顾", F_OVER, "经济平稳运行。");
    expect_unit(r, 1, "plan", "对今年政府工作的建议", F_OVER, "今年要着力抓好以下工作。");
    run_free(r);
}

/* More plan parts of national reports: 2017年工作总体部署 (seven reports,
 * 2005-2017) and “十二五”时期的主要目标和任务 (2011); both were summary. */
static void test_kind_plan_for_bushu_and_mubiao(void **state)
{
    (void)state;
    run_t *r = split("一、2016年工作回顾\n"
                     "经济平稳运行。\n"
                     "二、2017年工作总体部署\n"
                     "今年要着力抓好以下工作。\n"
                     "三、“十二五”时期的主要目标和任务\n"
                     "今后五年要加快转变经济发展方式。\n");
    expect_n(r, 3);
    expect_unit(r, 0, "summary", "2016年工作回顾", F_OVER, "经济平稳运行。");
    expect_unit(r, 1, "plan", "2017年工作总体部署", F_OVER, "今年要着力抓好以下工作。");
    expect_unit(r, 2, "plan", "“十二五”时期的主要目标和任务", F_OVER, "今后五年要加快转变经济发展方式。");
    run_free(r);
}

static void test_kind_problem_cue_in_summary(void **state)
{
    (void)state;
    run_t *r = split("一、工作开展情况\n"
                     "1.社会事务统筹推进。新增低保5户。\n"
                     "年初以来，我镇工作虽然取得了一定的成绩，但仍存在一些不足。产业规模不大。\n");
    expect_n(r, 2);
    expect_unit(r, 0, "summary", "工作开展情况|社会事务统筹推进", F_HEAD,
                "1.社会事务统筹推进。新增低保5户。");
    expect_unit(r, 1, "problem", "工作开展情况|社会事务统筹推进", 0,
                "年初以来，我镇工作虽然取得了一定的成绩，但仍存在一些不足。产业规模不大。");
    run_free(r);
}

/* The cue's third form: 问题主要表现在 / 不足体现在 (its 在 follows 现, not 存). */
static void test_kind_problem_cue_biaoxian_zai(void **state)
{
    (void)state;
    run_t *r = split("一、工作开展情况\n"
                     "问题主要表现在产业规模不大。\n"
                     "不足体现在人才缺乏。\n"
                     "表现突出的村有5个。\n");
    expect_n(r, 3);
    expect_unit(r, 0, "problem", "工作开展情况", F_OVER, "问题主要表现在产业规模不大。");
    expect_unit(r, 1, "problem", "工作开展情况", F_OVER, "不足体现在人才缺乏。");
    expect_unit(r, 2, "summary", "工作开展情况", F_OVER, "表现突出的村有5个。");
    run_free(r);
}

static void test_kind_problem_lead_carries_to_items(void **state)
{
    (void)state;
    run_t *r = split("一、上半年工作总结\n"
                     "存在以下问题：一是资金不足。二是人才缺乏。\n"
                     "全镇经济稳步增长。\n");
    expect_n(r, 4);
    expect_unit(r, 0, "problem", "上半年工作总结", F_OVER, "存在以下问题：");
    expect_unit(r, 1, "problem", "上半年工作总结", F_ITEM, "一是资金不足。");
    expect_unit(r, 2, "problem", "上半年工作总结", F_ITEM, "二是人才缺乏。");
    expect_unit(r, 3, "summary", "上半年工作总结", F_OVER, "全镇经济稳步增长。");
    run_free(r);
}

static void test_kind_plan_cue_xiayibu(void **state)
{
    (void)state;
    run_t *r = split("一、乡村振兴工作推进有序\n"
                     "一是坚持一月一核算。\n"
                     "下一步，xx镇将持续统筹推进各项重点工作。\n"
                     "二、存在的主要问题\n"
                     "下一步，我们将着力解决。\n");
    expect_n(r, 3);
    expect_unit(r, 0, "summary", "乡村振兴工作推进有序", F_ITEM, "一是坚持一月一核算。");
    expect_unit(r, 1, "plan", "乡村振兴工作推进有序", 0, "下一步，xx镇将持续统筹推进各项重点工作。");
    expect_unit(r, 2, "plan", "存在的主要问题", F_OVER, "下一步，我们将着力解决。");
    run_free(r);
}

static void test_kind_cues_ignored_in_preamble(void **state)
{
    (void)state;
    run_t *r = split("下一步，全镇将继续努力，但仍存在一些不足。\n");
    expect_n(r, 1);
    expect_unit(r, 0, "preamble", "", F_OVER, "下一步，全镇将继续努力，但仍存在一些不足。");
    run_free(r);
}

static void test_kind_subject_heading_under_plan_stays_plan(void **state)
{
    (void)state;
    /* 出新成绩 would name a summary part at the top; under a plan part it is
     * a subject. */
    run_t *r = split("二、下步打算\n"
                     "（四）在安全稳定上“干”出新成绩\n"
                     "认真贯彻落实安全生产措施。\n"
                     "（五）在产业发展上“闯”出新路子。推行联村连片。\n");
    expect_n(r, 2);
    expect_unit(r, 0, "plan", "下步打算|在安全稳定上“干”出新成绩", 0, "认真贯彻落实安全生产措施。");
    expect_unit(r, 1, "plan", "下步打算|在产业发展上“闯”出新路子", F_HEAD,
                "（五）在产业发展上“闯”出新路子。推行联村连片。");
    run_free(r);
}

static void test_kind_subject_headings_default_summary(void **state)
{
    (void)state;
    /* No part heading at all: numbered subjects are summary, and a plain
     * paragraph under a subject is not an overview. */
    run_t *r = split("今年以来，全镇工作稳中有进。\n"
                     "一、基层党建全面夯实\n"
                     "一是抓班子。\n"
                     "二、产业结构持续优化\n"
                     "坚持以促农增收为中心。\n");
    expect_n(r, 3);
    expect_unit(r, 0, "preamble", "", F_OVER, "今年以来，全镇工作稳中有进。");
    expect_unit(r, 1, "summary", "基层党建全面夯实", F_ITEM, "一是抓班子。");
    expect_unit(r, 2, "summary", "产业结构持续优化", 0, "坚持以促农增收为中心。");
    run_free(r);
}

/* Once a report has named its plan part, or reviewed a past year, the
 * subject headings beside those parts are the tasks to come (2000-2007
 * national reports: 一、1999年国内工作回顾 二、坚持实行扩大内需的方针 …;
 * 二、2005年工作总体部署 三、继续保持经济平稳较快发展 …).  A cue of what is
 * lacking still makes a problem there; a half year of the report's own year
 * or a review without a year turns nothing. */
static void test_kind_subject_headings_after_plan_or_past_review(void **state)
{
    (void)state;
    run_t *r = split_year("一、1999年国内工作回顾\n经济增长7.1%。\n"
                          "二、坚持实行扩大内需的方针\n今年继续实行积极的财政政策。\n"
                          "但仍存在一些不足。\n"
                          "（一）工作情况\n发行长期国债。\n"
                          "三、结束语\n让我们团结奋斗。\n",
                          2000);
    expect_n(r, 5);
    expect_unit(r, 0, "summary", "1999年国内工作回顾", F_OVER, "经济增长7.1%。");
    expect_unit(r, 1, "plan", "坚持实行扩大内需的方针", 0, "今年继续实行积极的财政政策。");
    expect_unit(r, 2, "problem", "坚持实行扩大内需的方针", 0, "但仍存在一些不足。");
    expect_unit(r, 3, "plan", "坚持实行扩大内需的方针|工作情况", 0, "发行长期国债。");
    expect_unit(r, 4, "plan", "结束语", 0, "让我们团结奋斗。");
    run_free(r);
    r = split_year("一、过去一年工作回顾\n经济平稳运行。\n"
                   "二、2005年工作总体部署\n今年要着力抓好以下工作。\n"
                   "三、继续保持经济平稳较快发展\n实施稳健的财政政策。\n",
                   2005);
    expect_n(r, 3);
    expect_unit(r, 1, "plan", "2005年工作总体部署", F_OVER, "今年要着力抓好以下工作。");
    expect_unit(r, 2, "plan", "继续保持经济平稳较快发展", 0, "实施稳健的财政政策。");
    run_free(r);
    /* “十五” (2001-2005) is not over in 2001; “九五” is */
    r = split_year("一、“九五”时期的回顾\n经济总量迈上新台阶。\n"
                   "二、“十五”期间的奋斗目标和指导方针\n今后五年要坚定不移地推进改革。\n",
                   2001);
    expect_n(r, 2);
    expect_unit(r, 1, "plan", "“十五”期间的奋斗目标和指导方针", F_OVER,
                "今后五年要坚定不移地推进改革。");
    run_free(r);
    r = split_year("一、2026年上半年工作总结\n完成投资1亿元。\n"
                   "二、基层党建全面夯实\n抓班子。\n",
                   2026);
    expect_n(r, 2);
    expect_unit(r, 1, "summary", "基层党建全面夯实", 0, "抓班子。");
    run_free(r);
    /* the time before the report, said in words (2013: 一、过去五年工作回顾
     * 二、今年经济社会发展的总体要求、主要预期目标和宏观经济政策) */
    r = split_year("一、过去五年工作回顾\n经济平稳运行。\n"
                   "二、今年经济社会发展的总体要求、主要预期目标和宏观经济政策\n"
                   "继续实施积极的财政政策。\n",
                   2013);
    expect_unit(r, 1, "plan", "今年经济社会发展的总体要求、主要预期目标和宏观经济政策", 0,
                "继续实施积极的财政政策。");
    run_free(r);
    /* a review that names no time turns nothing; 计划…执行情况 is what was done */
    r = split_year("一、工作回顾\n经济平稳运行。\n"
                   "二、关于外交工作\n外交工作取得积极成果。\n"
                   "三、年度计划执行情况\n农业生产持续地全面高涨。\n",
                   1982);
    expect_unit(r, 1, "summary", "关于外交工作", 0, "外交工作取得积极成果。");
    expect_unit(r, 2, "summary", "年度计划执行情况", F_OVER, "农业生产持续地全面高涨。");
    run_free(r);
}

/* Before any heading, the first paragraph and those that speak of the
 * report open it; the others are its body without headings (the 1954 and
 * 1975 reports have none at all), where cues apply. */
static void test_kind_headless_body(void **state)
{
    (void)state;
    run_t *r = split("现在，我代表国务院作政府工作报告。\n"
                     "报告分三个部分。\n"
                     "我们超额完成了第三个五年计划。\n"
                     "下一步，我们要继续努力。\n"
                     "一、工作回顾\n"
                     "经济平稳运行。\n");
    expect_n(r, 5);
    expect_unit(r, 0, "preamble", "", F_OVER, "现在，我代表国务院作政府工作报告。");
    expect_unit(r, 1, "preamble", "", F_OVER, "报告分三个部分。");
    expect_unit(r, 2, "summary", "", F_OVER, "我们超额完成了第三个五年计划。");
    expect_unit(r, 3, "plan", "", F_OVER, "下一步，我们要继续努力。");
    expect_unit(r, 4, "summary", "工作回顾", F_OVER, "经济平稳运行。");
    run_free(r);
}

/* 一、 before a numeral is a list (一、二季度), but not before a span of years. */
static void test_heading_before_span_of_years(void **state)
{
    (void)state;
    run_t *r = split_year("一、一年来工作回顾\n经济平稳运行。\n"
                          "二、三年来的斗争\n斗争取得胜利。\n",
                          2004);
    expect_n(r, 2);
    expect_unit(r, 0, "summary", "一年来工作回顾", F_OVER, "经济平稳运行。");
    expect_unit(r, 1, "plan", "三年来的斗争", 0, "斗争取得胜利。"); /* after a review */
    run_free(r);
}

/* Every national report opens its problems with 清醒地看到 / 清醒认识到,
 * often after a short sentence (思危方能居安。), and the items that follow
 * are problems too; 计划执行情况 names what was done, not the plan. */
static void test_kind_problem_cue_qingxing(void **state)
{
    (void)state;
    run_t *r = split_year("一、“六五”计划执行情况的回顾\n"
                          "经济平稳运行。\n"
                          "思危方能居安。在充分肯定成绩的同时，要清醒看到我国发展面临的问题和挑战。"
                          "一是投资增长乏力。\n"
                          "我们清醒地认识到，还有许多问题。\n"
                          "全镇上下团结一心，攻坚克难，各项工作取得了显著成效，经济社会保持平稳健康发展，"
                          "干部群众清醒地看到了发展的希望。\n",
                          1986);
    expect_n(r, 5);
    expect_unit(r, 0, "summary", "“六五”计划执行情况的回顾", F_OVER, "经济平稳运行。");
    expect_unit(r, 1, "problem", "“六五”计划执行情况的回顾", F_OVER,
                "思危方能居安。在充分肯定成绩的同时，要清醒看到我国发展面临的问题和挑战。");
    expect_unit(r, 2, "problem", "“六五”计划执行情况的回顾", F_ITEM, "一是投资增长乏力。");
    expect_unit(r, 3, "problem", "“六五”计划执行情况的回顾", F_OVER, "我们清醒地认识到，还有许多问题。");
    /* 清醒地看到 late in a long sentence is no cue */
    expect_unit(r, 4, "summary", "“六五”计划执行情况的回顾", F_OVER,
                "全镇上下团结一心，攻坚克难，各项工作取得了显著成效，经济社会保持平稳健康发展，"
                "干部群众清醒地看到了发展的希望。");
    run_free(r);
}

/* A concession (虽然取得了较好成绩，但…) or problems that remain (困难和问题
 * 依然较多) turn a summary unit to the problems, as 存在 does (town reports,
 * 1981: 一年来的经济调整，虽然取得很大成绩，但是也要看到…). */
static void test_kind_problem_cue_concession(void **state)
{
    (void)state;
    run_t *r = split("一、工作开展情况\n"
                     "全年各项工作虽然取得了较好成绩，但困难和问题依然较多。\n"
                     "群众反映的问题仍然不少。\n"
                     "虽然天气炎热，但各项工程进展顺利。\n"
                     "工人虽然仍要拿出一部分劳动成果，但生活已经改善。\n");
    expect_n(r, 4);
    expect_unit(r, 0, "problem", "工作开展情况", F_OVER,
                "全年各项工作虽然取得了较好成绩，但困难和问题依然较多。");
    expect_unit(r, 1, "problem", "工作开展情况", F_OVER, "群众反映的问题仍然不少。");
    expect_unit(r, 2, "summary", "工作开展情况", F_OVER, "虽然天气炎热，但各项工程进展顺利。");
    expect_unit(r, 3, "summary", "工作开展情况", F_OVER,
                "工人虽然仍要拿出一部分劳动成果，但生活已经改善。"); /* not 取得 */
    run_free(r);
}

/* ---- overview ---------------------------------------------------------- */

static void test_overview_flag(void **state)
{
    (void)state;
    run_t *r = split("一、下半年工作计划\n"
                     "我镇将以习近平新时代中国特色社会主义思想为指导。一是抓党建。\n"
                     "（一）着力乡村振兴，谱写和美篇章。推动乡村振兴。\n"
                     "（二）着力文旅产业\n"
                     "逗硬落实各项政策。\n");
    expect_n(r, 4);
    expect_unit(r, 0, "plan", "下半年工作计划", F_OVER, "我镇将以习近平新时代中国特色社会主义思想为指导。");
    expect_unit(r, 1, "plan", "下半年工作计划", F_ITEM, "一是抓党建。");
    expect_unit(r, 2, "plan", "下半年工作计划|着力乡村振兴，谱写和美篇章", F_HEAD,
                "（一）着力乡村振兴，谱写和美篇章。推动乡村振兴。");
    expect_unit(r, 3, "plan", "下半年工作计划|着力文旅产业", 0, "逗硬落实各项政策。");
    run_free(r);
}

/* ---- whitespace and odd inputs ----------------------------------------- */

static void test_crlf_and_fullwidth_spaces(void **state)
{
    (void)state;
    run_t *r = split("\xe3\x80\x80\xe3\x80\x80今年以来，全镇工作平稳。\xe3\x80\x80\r\n"
                     "一、上半年工作总结\r\n"
                     "\xe3\x80\x80\xe3\x80\x80全镇经济稳步增长。  \r\n"
                     "\r\n"
                     "\xe3\x80\x80\r\n");
    expect_n(r, 2);
    expect_unit(r, 0, "preamble", "", F_OVER, "今年以来，全镇工作平稳。");
    expect_unit(r, 1, "summary", "上半年工作总结", F_OVER, "全镇经济稳步增长。");
    run_free(r);
}

static void test_empty_input(void **state)
{
    (void)state;
    run_t *r = split_ex("", 0, 0, 0);
    expect_n(r, 0);
    assert_string_equal(r->title, "");
    assert_int_equal(r->headings, 0);
    assert_int_equal(r->dropped, 0);
    run_free(r);
    /* NULL text of length 0 is empty too */
    r = split_ex(NULL, 0, 0, 0);
    expect_n(r, 0);
    run_free(r);
}

static void test_blank_lines_only(void **state)
{
    (void)state;
    run_t *r = split("\n\n  \n\r\n\t\xe3\x80\x80\n\xc2\xa0\n");
    expect_n(r, 0);
    assert_string_equal(r->title, "");
    assert_int_equal(r->headings, 0);
    assert_int_equal(r->dropped, 0);
    run_free(r);
}

static void test_no_trailing_newline(void **state)
{
    (void)state;
    run_t *r = split("一、工作情况\n全镇经济稳步增长。");
    expect_n(r, 1);
    expect_unit(r, 0, "summary", "工作情况", F_OVER, "全镇经济稳步增长。");
    run_free(r);
}

static void test_unit_points_into_input(void **state)
{
    (void)state;
    static const char text[] = "一、工作情况\n全镇经济稳步增长。一是抓党建。\n";
    run_t *r = split_ex(text, sizeof text - 1, 0, 0);
    expect_n(r, 2);
    const char *first = strstr(text, "全镇");
    assert_ptr_equal(r->u[0].text_ptr, first);
    assert_ptr_equal(r->u[1].text_ptr, strstr(text, "一是"));
    run_free(r);
}

static void test_one_megabyte_line(void **state)
{
    (void)state;
    const char *ch = "好"; /* 3 bytes, no punctuation, no heading, no item */
    size_t n = (1u << 20) / 3 + 1, len = n * 3;
    char *text = hb_malloc(len);
    for (size_t i = 0; i < n; i++)
        memcpy(text + 3 * i, ch, 3);
    run_t *r = split_ex(text, len, 0, 0);
    expect_n(r, 1);
    assert_string_equal(r->title, "");
    assert_int_equal(r->u[0].text_len, len);
    assert_ptr_equal(r->u[0].text_ptr, text);
    assert_string_equal(r->u[0].kind, "preamble");
    assert_int_equal(r->u[0].flags, F_OVER);
    run_free(r);
    free(text);
}

static void test_twenty_nested_headings(void **state)
{
    (void)state;
    /* Six families exist, so twenty headings cycle through them: each
     * reappearance closes the deeper levels and depth never exceeds six. */
    static const char *const fam[] = {"一、", "（一）", "1.", "（1）", "①", "第一，"};
    hb_buf_t b;
    hb_buf_init(&b);
    for (int i = 0; i < 20; i++)
        hb_buf_printf(&b, "%s层%d\n", fam[i % 6], i);
    hb_buf_puts(&b, "正文。\n");
    run_t *r = split_ex(b.data, b.len, 0, 0);
    expect_n(r, 1);
    assert_int_equal(r->headings, 20);
    assert_true(r->u[0].depth <= HB_SPLIT_MAX_DEPTH);
    assert_int_equal(r->u[0].depth, 2);
    expect_unit(r, 0, "summary", "层18|层19", 0, "正文。");
    run_free(r);

    /* and all six at once, then a paragraph after each */
    hb_buf_reset(&b);
    for (int i = 0; i < 6; i++)
        hb_buf_printf(&b, "%s层%d\n正文%d。\n", fam[i], i, i);
    r = split_ex(b.data, b.len, 0, 0);
    expect_n(r, 6);
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(r->u[i].depth, i + 1);
        assert_true(r->u[i].depth <= HB_SPLIT_MAX_DEPTH);
    }
    assert_string_equal(r->u[5].section, "层0|层1|层2|层3|层4|层5");
    run_free(r);
    hb_buf_release(&b);
}

static void test_many_heading_lines_no_crash(void **state)
{
    (void)state;
    /* 20 lines for each family, interleaved deepest-first, then all in order:
     * whatever the order, depth stays within HB_SPLIT_MAX_DEPTH. */
    static const char *const fam[] = {"第一，", "①", "（1）", "1.", "（一）", "一、"};
    hb_buf_t b;
    hb_buf_init(&b);
    for (int k = 0; k < 20; k++)
        for (int i = 0; i < 6; i++)
            hb_buf_printf(&b, "%s标题%d\n正文%d。\n", fam[(i + k) % 6], k, k);
    run_t *r = split_ex(b.data, b.len, 0, 0);
    expect_n(r, 120);
    assert_int_equal(r->headings, 120);
    for (size_t i = 0; i < r->n; i++)
        assert_true(r->u[i].depth >= 1 && r->u[i].depth <= HB_SPLIT_MAX_DEPTH);
    run_free(r);
    hb_buf_release(&b);
}

/* ---- callback stop ----------------------------------------------------- */

static void test_callback_stop(void **state)
{
    (void)state;
    static const char text[] = "今年以来，全镇工作平稳。\n"
                               "一、工作情况\n"
                               "（一）抓党建。全镇党建扎实。\n"
                               "（二）抓发展。一是产业。二是项目。三是民生。\n"
                               "全镇经济稳步增长。\n";
    run_t *all = split(text);
    expect_n(all, 6);
    run_free(all);

    /* stop at a plain paragraph */
    run_t *r = split_ex(text, sizeof text - 1, 1, 42);
    assert_int_equal(r->rc, 42);
    assert_int_equal(r->calls, 1);
    assert_int_equal(r->units, 1);
    run_free(r);
    /* at a headed unit */
    r = split_ex(text, sizeof text - 1, 2, -3);
    assert_int_equal(r->rc, -3);
    assert_int_equal(r->calls, 2);
    assert_string_equal(r->u[1].text, "（一）抓党建。全镇党建扎实。");
    run_free(r);
    /* in the middle of an enumeration */
    r = split_ex(text, sizeof text - 1, 4, 7);
    assert_int_equal(r->rc, 7);
    assert_int_equal(r->calls, 4);
    assert_int_equal(r->units, 4);
    assert_string_equal(r->u[3].text, "二是项目。");
    run_free(r);
    /* the splitter is reusable after a stop */
    r = split(text);
    expect_n(r, 6);
    expect_unit(r, 5, "summary", "工作情况|抓发展", 0, "全镇经济稳步增长。");
    run_free(r);
}

static void test_splitter_reuse_resets_state(void **state)
{
    (void)state;
    run_t *a = split("某镇工作总结\n一、工作情况\n（一）党建\n1.学习\n正文。\n");
    expect_n(a, 1);
    assert_string_equal(a->title, "某镇工作总结");
    expect_unit(a, 0, "summary", "工作情况|党建|学习", 0, "正文。");
    run_free(a);
    run_t *b = split("今年以来，全镇工作平稳。\n");
    expect_n(b, 1);
    assert_string_equal(b->title, "");
    assert_int_equal(b->headings, 0);
    expect_unit(b, 0, "preamble", "", F_OVER, "今年以来，全镇工作平稳。");
    run_free(b);
}

static void test_chinese_numeral_list_is_not_a_heading(void **state)
{
    (void)state;
    /* Regression: "一、二季度" (first and second quarters) opening a line is
     * a list of numbers, not the heading 一、; taken for one, the sentence
     * used to be lost. */
    run_t *r = split("一、上半年工作总结\n"
                     "一、二季度，全镇地区生产总值增长5%。\n");
    expect_n(r, 1);
    expect_unit(r, 0, "summary", "上半年工作总结", F_OVER, "一、二季度，全镇地区生产总值增长5%。");
    run_free(r);
}

/* ---- seeds ------------------------------------------------------------- */

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s (run the tests from the repository root)", path);
    hb_buf_t b;
    hb_buf_init(&b);
    assert_int_equal(hb_buf_read_file(&b, f), 0);
    fclose(f);
    *len = b.len;
    return b.data;
}

/* The string value of "key" in one JSON line, copied; the labels file holds
 * no escapes (checked by the caller). */
static char *json_str(const char *line, const char *key)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\": \"", key);
    const char *p = strstr(line, pat);
    if (!p)
        fail_msg("no \"%s\" in label line: %.80s", key, line);
    p += strlen(pat);
    const char *q = strchr(p, '"');
    assert_non_null(q);
    return hb_strndup(p, (size_t)(q - p));
}

/* "section": ["a", "b"] -> "a|b" */
static char *json_section(const char *line)
{
    const char *p = strstr(line, "\"section\": [");
    if (!p)
        fail_msg("no \"section\" in label line: %.80s", line);
    p += strlen("\"section\": [");
    const char *end = strchr(p, ']');
    assert_non_null(end);
    hb_buf_t b;
    hb_buf_init(&b);
    hb_buf_reserve(&b, 1);
    b.data[0] = '\0';
    while ((p = memchr(p, '"', (size_t)(end - p))) != NULL) {
        const char *q = strchr(p + 1, '"');
        assert_non_null(q);
        if (b.len)
            hb_buf_putc(&b, '|');
        hb_buf_append(&b, p + 1, (size_t)(q - p - 1));
        p = q + 1;
    }
    return b.data;
}

typedef struct label {
    char *doc, *title, *text, *kind, *section;
} label_t;

static void check_seed(const char *doc, const label_t *lab, size_t nlab)
{
    char path[512];
    snprintf(path, sizeof path, "tests/data/seeds/%s", doc);
    size_t len;
    char *text = slurp(path, &len);
    run_t *r = split_ex(text, len, 0, 0);
    print_message("seed %s: %zu units, %zu labels\n", doc, r->n, nlab);
    assert_int_equal(r->rc, 0);
    assert_int_equal(r->n, nlab);
    assert_int_equal(r->units, nlab);
    assert_string_equal(r->title, lab[0].title);
    for (size_t i = 0; i < nlab; i++) {
        if (strcmp(r->u[i].text, lab[i].text) || strcmp(r->u[i].kind, lab[i].kind) ||
            strcmp(r->u[i].section, lab[i].section))
            print_message("seed %s unit %zu differs:\n  got  %s [%s] %.60s\n  want %s [%s] %.60s\n",
                          doc, i, r->u[i].kind, r->u[i].section, r->u[i].text, lab[i].kind,
                          lab[i].section, lab[i].text);
        assert_string_equal(r->u[i].text, lab[i].text);
        assert_string_equal(r->u[i].kind, lab[i].kind);
        assert_string_equal(r->u[i].section, lab[i].section);
    }
    run_free(r);
    free(text);
}

static void test_seeds_match_labels(void **state)
{
    (void)state;
    size_t len;
    char *all = slurp("tests/data/seeds.jsonl", &len);
    label_t *lab = NULL;
    size_t n = 0, cap = 0;
    for (char *line = all; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        if (*line) {
            if (strchr(line, '\\'))
                fail_msg("label line has an escape the minimal parser does not read: %.80s", line);
            if (n == cap) {
                cap = cap ? cap * 2 : 64;
                lab = hb_realloc(lab, cap * sizeof *lab);
            }
            lab[n].doc = json_str(line, "doc");
            lab[n].title = json_str(line, "title");
            lab[n].text = json_str(line, "text");
            lab[n].kind = json_str(line, "kind");
            lab[n].section = json_section(line);
            n++;
        }
        line = nl ? nl + 1 : NULL;
    }
    assert_int_equal(n, 112);

    size_t docs = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && !strcmp(lab[j].doc, lab[i].doc))
            j++;
        check_seed(lab[i].doc, lab + i, j - i);
        docs++;
        i = j;
    }
    assert_int_equal(docs, 5);

    for (size_t i = 0; i < n; i++) {
        free(lab[i].doc);
        free(lab[i].title);
        free(lab[i].text);
        free(lab[i].kind);
        free(lab[i].section);
    }
    free(lab);
    free(all);
}

static void test_seed_counts_and_ends(void **state)
{
    (void)state;
    /* A second, independent look at the seeds: counts and the first and
     * last unit of each. */
    static const struct {
        const char *doc;
        size_t units;
        const char *first, *last;
        const char *first_kind, *last_kind;
    } want[] = {
        {"000_bd22ca21e2346cf0.txt", 15, "今年以来，在县委、县政府的坚强领导下", "（四）着力民生事业，扛牢执政为民担当。",
         "preamble", "plan"},
        {"001_3477a166fcf9d86b.txt", 28, "2021年，是中国共产党成立100周年", "五是进一步维护社会和谐稳定。",
         "preamble", "plan"},
        {"002_a941ac228d4b6eab.txt", 13, "1.党建引领高效推进。", "4.抓自身建设促发展，着力抓好干部作风建设。",
         "summary", "plan"},
        {"003_431dd69834a655e5.txt", 28, "今年以来,在县委、县政府的正确领导下", "三加强政务信息公开。",
         "preamble", "summary"},
        {"004_c9dc8f94f3207166.txt", 28, "2022年上半年，*镇坚持以习近平新时代", "4.在安全稳定上“干”出新成绩。",
         "preamble", "plan"},
    };
    for (size_t d = 0; d < sizeof want / sizeof want[0]; d++) {
        char path[512];
        snprintf(path, sizeof path, "tests/data/seeds/%s", want[d].doc);
        size_t len;
        char *text = slurp(path, &len);
        run_t *r = split_ex(text, len, 0, 0);
        expect_n(r, want[d].units);
        assert_true(!strncmp(r->u[0].text, want[d].first, strlen(want[d].first)));
        assert_true(!strncmp(r->u[r->n - 1].text, want[d].last, strlen(want[d].last)));
        assert_string_equal(r->u[0].kind, want[d].first_kind);
        assert_string_equal(r->u[r->n - 1].kind, want[d].last_kind);
        run_free(r);
        free(text);
    }
}

static int group_setup(void **state)
{
    (void)state;
    g_sp = hb_splitter_new("configs/furniture.conf");
    return g_sp ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    hb_splitter_free(g_sp);
    g_sp = NULL;
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_heading_families_nest_by_appearance),
        cmocka_unit_test(test_heading_ascii_brackets_and_variants),
        cmocka_unit_test(test_heading_levels_follow_order_not_family),
        cmocka_unit_test(test_heading_reappearing_family_closes_deeper),
        cmocka_unit_test(test_heading_trailing_space_trimmed),
        cmocka_unit_test(test_heading_with_inline_body),
        cmocka_unit_test(test_heading_only_sentence_then_items),
        cmocka_unit_test(test_heading_only_sentence_alone),
        cmocka_unit_test(test_heading_sentence_without_body_is_unit),
        cmocka_unit_test(test_title_with_byline_on_its_line),
        cmocka_unit_test(test_byline_in_brackets_or_numerals),
        cmocka_unit_test(test_spaced_out_title),
        cmocka_unit_test(test_header_above_breadcrumb_is_no_title),
        cmocka_unit_test(test_menu_word_above_title_is_none_of_it),
        cmocka_unit_test(test_long_numbered_line_is_paragraph),
        cmocka_unit_test(test_decimal_is_not_heading),
        cmocka_unit_test(test_items_cut_at_sentence_ends),
        cmocka_unit_test(test_items_lead_sentence_is_own_unit),
        cmocka_unit_test(test_items_not_cut_after_comma),
        cmocka_unit_test(test_items_ascii_comma_and_no_items),
        cmocka_unit_test(test_title_one_line),
        cmocka_unit_test(test_title_two_lines),
        cmocka_unit_test(test_no_title_when_first_line_is_paragraph),
        cmocka_unit_test(test_no_title_when_first_line_is_heading),
        cmocka_unit_test(test_byline_and_salutation_dropped),
        cmocka_unit_test(test_undashed_byline_and_name),
        cmocka_unit_test(test_heading_after_byline_is_no_name),
        cmocka_unit_test(test_salutation_in_body_is_kept),
        cmocka_unit_test(test_speaker_line_is_front_matter),
        cmocka_unit_test(test_zero_width_space_line_is_blank),
        cmocka_unit_test(test_clutter_lines_dropped),
        cmocka_unit_test(test_clutter_word_inside_sentence_kept),
        cmocka_unit_test(test_furniture_each_kind_dropped),
        cmocka_unit_test(test_furniture_words_in_report_text_kept),
        cmocka_unit_test(test_repeated_title_is_one_title),
        cmocka_unit_test(test_title_from_furniture_rule),
        cmocka_unit_test(test_furniture_custom_file),
        cmocka_unit_test(test_part_after_unfinished_furniture),
        cmocka_unit_test(test_comma_line_heads_paragraphs),
        cmocka_unit_test(test_item_alone_heads_next_paragraph),
        cmocka_unit_test(test_yi_yao_items),
        cmocka_unit_test(test_salutation_in_body_closes_subject),
        cmocka_unit_test(test_unfinished_long_line_joins),
        cmocka_unit_test(test_kind_by_report_year),
        cmocka_unit_test(test_licence_lines_dropped),
        cmocka_unit_test(test_licence_word_in_one_line_report_kept),
        cmocka_unit_test(test_punctuation_line_is_no_heading),
        cmocka_unit_test(test_kinds_by_part),
        cmocka_unit_test(test_kind_plan_for_xiabu_dasuan),
        cmocka_unit_test(test_kind_plan_for_gongzuo_de_jianyi),
        cmocka_unit_test(test_kind_plan_for_bushu_and_mubiao),
        cmocka_unit_test(test_item_marker_alone_joins_next_line),
        cmocka_unit_test(test_kind_problem_cue_in_summary),
        cmocka_unit_test(test_kind_problem_cue_biaoxian_zai),
        cmocka_unit_test(test_kind_problem_lead_carries_to_items),
        cmocka_unit_test(test_kind_plan_cue_xiayibu),
        cmocka_unit_test(test_kind_cues_ignored_in_preamble),
        cmocka_unit_test(test_kind_subject_heading_under_plan_stays_plan),
        cmocka_unit_test(test_kind_subject_headings_default_summary),
        cmocka_unit_test(test_kind_subject_headings_after_plan_or_past_review),
        cmocka_unit_test(test_kind_headless_body),
        cmocka_unit_test(test_kind_problem_cue_qingxing),
        cmocka_unit_test(test_kind_problem_cue_concession),
        cmocka_unit_test(test_heading_before_span_of_years),
        cmocka_unit_test(test_overview_flag),
        cmocka_unit_test(test_crlf_and_fullwidth_spaces),
        cmocka_unit_test(test_empty_input),
        cmocka_unit_test(test_blank_lines_only),
        cmocka_unit_test(test_no_trailing_newline),
        cmocka_unit_test(test_unit_points_into_input),
        cmocka_unit_test(test_one_megabyte_line),
        cmocka_unit_test(test_twenty_nested_headings),
        cmocka_unit_test(test_many_heading_lines_no_crash),
        cmocka_unit_test(test_callback_stop),
        cmocka_unit_test(test_splitter_reuse_resets_state),
        cmocka_unit_test(test_chinese_numeral_list_is_not_a_heading),
        cmocka_unit_test(test_seeds_match_labels),
        cmocka_unit_test(test_seed_counts_and_ends),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
