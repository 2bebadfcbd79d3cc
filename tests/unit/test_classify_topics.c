/* Unit tests for the classify stage: the shipped topic rules
 * (configs/topics.conf) on units written in the manner of county, provincial
 * and national reports, placed by the conventions of the labels (an overview
 * about one area gets that area, general only where no area dominates).
 * Run from the repository root: the config is loaded by path. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "classifier.h"

#define TOPICS_CONF "configs/topics.conf"

static hb_classifier_t *cls;

static int setup(void **state)
{
    (void)state;
    cls = hb_classifier_load(TOPICS_CONF, NULL);
    return cls ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    hb_classifier_free(cls);
    return 0;
}

/* The main topic id of a unit under one heading (or none). */
static const char *topic_of(const char *heading, const char *text, bool overview)
{
    hb_text_ref_t sec = {heading, heading ? strlen(heading) : 0};
    hb_topics_t t;
    hb_classify(cls, &sec, heading ? 1 : 0, (hb_text_ref_t){text, strlen(text)},
                (hb_unit_place_t){overview, false}, &t);
    return t.main >= 0 ? hb_classifier_topic_id(cls, (uint32_t)t.main) : "(none)";
}

/* Overviews (they open a part: a review or a plan) that are about one area
 * get that area, not general. */
static void test_overview_about_one_area(void **state)
{
    (void)state;
    const char *review = "过去五年工作回顾";
    assert_string_equal(topic_of(review,
                                 "五年来，生态环境明显好转。主要污染物排放总量持续下降，"
                                 "细颗粒物平均浓度下降，森林覆盖率提高，重点流域水质改善。",
                                 true),
                        "environment");
    assert_string_equal(topic_of(review,
                                 "就业形势总体稳定。城镇新增就业每年保持在一千万人以上，"
                                 "调查失业率控制在预期目标以内，高校毕业生和农民工就业平稳。",
                                 true),
                        "welfare");
    const char *plan = "今年经济社会发展总体要求和政策取向";
    assert_string_equal(topic_of(plan,
                                 "积极的财政政策要更加积极有为。适当提高赤字率，"
                                 "增加地方政府专项债券规模，优化财政支出结构。",
                                 true),
                        "industry_economy");
    assert_string_equal(topic_of(plan,
                                 "稳健的货币政策要灵活适度。保持流动性合理充裕，"
                                 "引导银行扩大信贷投放，降低企业融资成本。",
                                 true),
                        "industry_economy");
    /* growth targets are the economy's, not the report's framing */
    assert_string_equal(topic_of(plan,
                                 "上述预期目标，综合考虑了需要与可能。经济增长预期目标为"
                                 "5%左右，与中长期发展目标相衔接。",
                                 true),
                        "industry_economy");
}

/* An opening that frames the whole report, or spans many areas about
 * equally, stays general; the same areas said plainly do not. */
static void test_opening_stays_general(void **state)
{
    (void)state;
    const char *review = "过去一年工作回顾";
    assert_string_equal(topic_of(review,
                                 "一年来，在以习近平同志为核心的党中央坚强领导下，"
                                 "我们坚持稳中求进工作总基调，统筹推进稳增长、促改革、"
                                 "惠民生、防风险各项工作，全年经济社会发展主要目标任务"
                                 "圆满完成。",
                                 true),
                        "general");
    assert_string_equal(topic_of(NULL,
                                 "各位代表：现在，我代表省人民政府，向大会报告政府工作，"
                                 "请予审议，并请省政协委员提出意见。",
                                 true),
                        "general");
}

/* Religion, ethnic affairs, overseas Chinese, Hong Kong / Macao / Taiwan and
 * foreign affairs are democracy, even under a heading about livelihoods. */
static void test_united_front_and_foreign_affairs(void **state)
{
    (void)state;
    const char *h = "加快发展社会事业，保障和改善民生";
    assert_string_equal(topic_of(h,
                                 "坚持我国宗教中国化方向，依法管理宗教事务，"
                                 "团结信教群众和宗教界人士。",
                                 false),
                        "democracy");
    assert_string_equal(topic_of(h,
                                 "认真做好侨务工作，维护归侨侨眷和海外侨胞的合法权益。",
                                 false),
                        "democracy");
    assert_string_equal(topic_of(NULL,
                                 "坚定奉行独立自主的和平外交政策，深化同周边国家睦邻友好，"
                                 "积极参与全球治理。",
                                 false),
                        "democracy");
    assert_string_equal(topic_of(NULL,
                                 "全面准确贯彻“一国两制”方针，支持特别行政区行政长官依法施政，"
                                 "推动两岸关系和平发展。",
                                 false),
                        "democracy");
}

/* Energy and urbanisation are infrastructure; family planning is a public
 * service; regional development is the economy. */
static void test_placed_by_meaning(void **state)
{
    (void)state;
    assert_string_equal(topic_of(NULL,
                                 "加强能源供应保障，推进西电东送和油气管网建设，"
                                 "新增发电装机容量。",
                                 false),
                        "infrastructure");
    assert_string_equal(topic_of(NULL, "稳定低生育水平，做好人口与计划生育工作，提高人口素质。",
                                 false),
                        "public_services");
    assert_string_equal(topic_of(NULL,
                                 "促进区域协调发展。深入推进西部大开发，推动东北全面振兴、"
                                 "中部地区崛起和东部率先发展。",
                                 false),
                        "industry_economy");
    /* words of provincial and county reports of recent years */
    assert_string_equal(topic_of(NULL, "完善“一老一小”服务体系，发放育儿补贴，建设零工市场。", false),
                        "welfare");
    assert_string_equal(topic_of(NULL, "全面推行河湖长制，建设“无废城市”，国考断面水质优良。",
                                 false),
                        "environment");
    assert_string_equal(topic_of(NULL, "深化国资国企改革，推进综合保税区和中欧班列提质增效。",
                                 false),
                        "reform_innovation");
    /* cadres' initiative is the government's own building; idleness is
     * integrity; defusing disputes is public order; no epidemic after a
     * disaster is epidemic control */
    assert_string_equal(topic_of(NULL, "鼓励各地从实际出发干事创业，形成竞相发展的生动局面。",
                                 false),
                        "governance");
    assert_string_equal(topic_of(NULL, "坚决整肃庸政懒政怠政行为。", false), "integrity");
    assert_string_equal(topic_of(NULL, "及时化解矛盾，把问题解决在萌芽状态。", false), "stability");
    assert_string_equal(topic_of(NULL, "经过各方共同努力，实现了大灾之后无大疫。", false), "epidemic");
    /* the socialist transformation of ownership in the reports of the 1950s
     * is a reform of institutions, the sector second */
    assert_string_equal(topic_of(NULL, "对资本主义工商业实行公私合营，基本完成社会主义改造。",
                                 false),
                        "reform_innovation");
}

/* A closing under the last part of the report is about the report as a
 * whole, whatever that part's heading says. */
static void test_closing_is_general(void **state)
{
    (void)state;
    assert_string_equal(topic_of("切实加强政府自身建设",
                                 "各位代表！让我们更加紧密地团结在党中央周围，坚定信心，"
                                 "奋勇前进，为实现全年目标任务而不懈奋斗！",
                                 false),
                        "general");
}

/* A classifier from the rules text conf, through a temporary file. */
static hb_classifier_t *load_conf(const char *conf)
{
    char path[] = "/tmp/hb_test_topics_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, conf, strlen(conf)), (ssize_t)strlen(conf));
    close(fd);
    hb_classifier_t *c = hb_classifier_load(path, NULL);
    unlink(path);
    assert_non_null(c);
    return c;
}

/* The secondary topics of a unit: those its own text names that are near
 * the best, and those with multi_label_score of evidence in its own text.  A
 * heading's evidence, shared by its whole section, makes none. */
static void test_secondary_topics_from_the_text(void **state)
{
    (void)state;
    hb_classifier_t *c = load_conf("[scoring]\nheading_weight = 3\nmulti_label_ratio = 0.5\n"
                                   "multi_label_score = 4\n[topic general]\nkeywords = 汇报如下:3\n"
                                   "[topic party]\nkeywords = 党建:3\n"
                                   "[topic agri]\nkeywords = 粮食:2 耕地:2\n");
    hb_topics_t t;
    /* party 3 * sqrt(9) = 9; agri 4 in the text: below half the best, kept */
    const char *nine = "党建党建党建党建党建党建党建党建党建，粮食耕地";
    hb_classify(c, NULL, 0, (hb_text_ref_t){nine, strlen(nine)}, (hb_unit_place_t){0}, &t);
    assert_int_equal(t.n, 2);
    assert_string_equal(hb_classifier_topic_id(c, t.t[1].topic), "agri");
    /* party 3 * sqrt(25) = 15; agri 2 * 3 = 6 from the heading only: not kept */
    char many[25 * 6 + 1] = "";
    for (int i = 0; i < 25; i++)
        strcat(many, "党建");
    hb_text_ref_t h = {"耕地保护", strlen("耕地保护")};
    hb_classify(c, &h, 1, (hb_text_ref_t){many, strlen(many)}, (hb_unit_place_t){0}, &t);
    assert_int_equal(t.n, 1);
    assert_string_equal(hb_classifier_topic_id(c, t.t[0].topic), "party");
    /* party 9; agri 6 from the heading, more than half the best: a topic the
     * text does not name is not reported either */
    const char *party = "党建党建党建党建党建党建党建党建党建";
    hb_classify(c, &h, 1, (hb_text_ref_t){party, strlen(party)}, (hb_unit_place_t){0}, &t);
    assert_int_equal(t.n, 1);
    assert_string_equal(hb_classifier_topic_id(c, t.t[0].topic), "party");
    hb_classifier_free(c);
}

/* An area that one sentence of a long paragraph is about is a secondary
 * topic, however much the paragraph says about its main area; an area named
 * in passing inside another area's sentence is not. */
static void test_secondary_topic_from_a_sentence(void **state)
{
    (void)state;
    hb_classifier_t *c = load_conf("[scoring]\nmulti_label_ratio = 0.5\nmulti_label_score = 100\n"
                                   "sentence_score = 4\n[topic general]\nkeywords = 汇报如下:3\n"
                                   "[topic party]\nkeywords = 党建:3\n"
                                   "[topic agri]\nkeywords = 粮食:2 耕地:2\n");
    hb_topics_t t;
    /* party 3 * sqrt(9) = 9; agri 4, below half the best, but a sentence of its own */
    const char *own = "党建党建党建党建党建党建党建党建党建。粮食耕地；";
    hb_classify(c, NULL, 0, (hb_text_ref_t){own, strlen(own)}, (hb_unit_place_t){0}, &t);
    assert_int_equal(t.n, 2);
    assert_string_equal(hb_classifier_topic_id(c, t.t[1].topic), "agri");
    /* the same words inside the party's sentence */
    const char *inside = "党建党建党建党建党建党建党建党建党建，粮食耕地。";
    hb_classify(c, NULL, 0, (hb_text_ref_t){inside, strlen(inside)}, (hb_unit_place_t){0}, &t);
    assert_int_equal(t.n, 1);
    /* a sentence with less than sentence_score of evidence */
    const char *weak = "党建党建党建党建党建党建党建党建党建！粮食？";
    hb_classify(c, NULL, 0, (hb_text_ref_t){weak, strlen(weak)}, (hb_unit_place_t){0}, &t);
    assert_int_equal(t.n, 1);
    hb_classifier_free(c);

    /* the shipped rules: a paragraph on integrity with a sentence on party education */
    const char *text = "严格落实全面从严治党主体责任，持之以恒纠治“四风”，深化警示教育。"
                       "推进“两学一做”学习教育常态化制度化。一体推进不敢腐、不能腐、不想腐，"
                       "严肃查处违纪违法案件，加强廉洁政府建设。";
    hb_classify(cls, NULL, 0, (hb_text_ref_t){text, strlen(text)}, (hb_unit_place_t){0}, &t);
    assert_string_equal(hb_classifier_topic_id(cls, (uint32_t)t.main), "integrity");
    bool party = false;
    for (size_t i = 0; i < t.n; i++)
        party |= !strcmp(hb_classifier_topic_id(cls, t.t[i].topic), "party_building");
    assert_true(party);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_overview_about_one_area),
        cmocka_unit_test(test_opening_stays_general),
        cmocka_unit_test(test_united_front_and_foreign_affairs),
        cmocka_unit_test(test_placed_by_meaning),
        cmocka_unit_test(test_closing_is_general),
        cmocka_unit_test(test_secondary_topics_from_the_text),
        cmocka_unit_test(test_secondary_topic_from_a_sentence),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
