/* Unit tests for the classify stage: figures (configs/figures.conf, checked
 * against the hand labels of tests/data/seeds.jsonl) and the keyword
 * classifier (a small topics config written to a temp file).
 * Run from the repository root: the real figures config is loaded by path. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "hb_test.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "classifier.h"
#include "figures.h"

#define FIGURES_CONF "configs/figures.conf"

/* ---- helpers ------------------------------------------------------------ */


/* Writes text to a new temp file; returns its malloc'd path. */
static char *write_temp(const char *text)
{
    char tmpl[] = "/tmp/hb_test_conf_XXXXXX";
    int fd = mkstemp(tmpl);
    assert_true(fd >= 0);
    size_t len = strlen(text);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    close(fd);
    return strdup(tmpl);
}

/* "PATH:LINE:" as the loaders write it. */
static void assert_names_line(const char *log, const char *path, int line)
{
    char want[256];
    snprintf(want, sizeof want, "%s:%d:", path, line);
    if (!strstr(log, want))
        fail_msg("expected the error to name \"%s\", got: %s", want, log);
}

/* ---- figures ------------------------------------------------------------ */

typedef struct want {
    const char *raw;
    bool masked;
    double value; /* checked when !masked */
    const char *unit;
    const char *approx; /* NULL: none */
} want_t;

static hb_figures_t *figs;

static int figures_setup(void **state)
{
    (void)state;
    figs = hb_figures_load(FIGURES_CONF);
    return figs ? 0 : -1;
}

static int figures_teardown(void **state)
{
    (void)state;
    hb_figures_free(figs);
    figs = NULL;
    return 0;
}

static void dump(const char *text, const hb_figure_t *out, size_t n, const want_t *w, size_t nw)
{
    print_message("text: %s\n", text);
    for (size_t i = 0; i < n; i++)
        print_message("  got  %zu: raw=\"%.*s\" masked=%d value=%g unit=\"%s\" approx=%s\n", i,
                      (int)out[i].raw_len, out[i].raw, out[i].masked, out[i].value,
                      out[i].unit, out[i].approx ? out[i].approx : "(null)");
    for (size_t i = 0; i < nw; i++)
        print_message("  want %zu: raw=\"%s\" masked=%d value=%g unit=\"%s\" approx=%s\n", i,
                      w[i].raw, w[i].masked, w[i].value, w[i].unit,
                      w[i].approx ? w[i].approx : "(null)");
}

static bool same(const hb_figure_t *g, const want_t *w, const char *text, size_t len)
{
    if (g->raw < text || g->raw + g->raw_len > text + len)
        return false; /* raw must point into the text */
    if (g->raw_len != strlen(w->raw) || memcmp(g->raw, w->raw, g->raw_len))
        return false;
    if (g->masked != w->masked || (!w->masked && g->value != w->value))
        return false;
    if (strcmp(g->unit, w->unit))
        return false;
    if (!w->approx != !g->approx || (w->approx && strcmp(w->approx, g->approx)))
        return false;
    return true;
}

/* Extracts with max = HB_MAX_FIGURES and checks count and every field. */
static void expect_figs(const char *text, const want_t *w, size_t nw)
{
    static hb_figure_t out[HB_MAX_FIGURES];
    size_t len = strlen(text);
    size_t n = hb_figures_extract(figs, text, len, out, HB_MAX_FIGURES);
    bool ok = n == nw;
    for (size_t i = 0; ok && i < n; i++)
        ok = same(&out[i], &w[i], text, len);
    if (!ok)
        dump(text, out, n, w, nw);
    assert_int_equal(n, nw);
    for (size_t i = 0; i < n; i++) {
        assert_true(out[i].raw >= text && out[i].raw + out[i].raw_len <= text + len);
        assert_int_equal(out[i].raw_len, strlen(w[i].raw));
        assert_memory_equal(out[i].raw, w[i].raw, out[i].raw_len);
        assert_int_equal(out[i].masked, w[i].masked);
        if (!w[i].masked)
            assert_true(out[i].value == w[i].value);
        assert_string_equal(out[i].unit, w[i].unit);
        if (w[i].approx)
            assert_string_equal(out[i].approx ? out[i].approx : "(null)", w[i].approx);
        else
            assert_null(out[i].approx);
    }
}

#define EXPECT(text, want) expect_figs(text, want, sizeof(want) / sizeof((want)[0]))
#define EXPECT_NONE(text) expect_figs(text, NULL, 0)

/* Whole units of the seed reports with their hand labels (the "metrics"
 * arrays of tests/data/seeds.jsonl), copied verbatim. */
/* 000_bd22ca21e2346cf0.txt seq 2 */
static const char T_000_2[] =
    "（一）夯实战斗堡垒，推进党建引领。坚持把学习宣传贯彻中央、省、市、县全会精神及省"
    "、市、县党代会精神作为首要政治任务，多次召开党委会、党委理论中心组学习会，不断提"
    "升机关党建水平，为促进我镇经济社会又好又快发展提供坚强有力的政治保证，字库村荣获"
    "市级（*A）先进村党组织。";
/* 000_bd22ca21e2346cf0.txt seq 3 */
static const char T_000_3[] =
    "（二）遏制土地撂荒，守住粮食安全。着力解决撂荒土地耕种难题，强化政策导向、分类施"
    "策、全域覆盖，通过群众自主种、亲邻帮忙种、企业承包种和集体兜底种“四种”模式，消"
    "灭撂荒土地*多亩，全部用于种植水稻、玉米等粮食作物，切实保障粮食安全，高质量通过"
    "全县一季度农业现场考核，辖区粮食调查点各项调查数据增幅突出。";
static const want_t W_000_3[] = {
    {"*多亩", true, 0, "亩", "多"},
};
/* 000_bd22ca21e2346cf0.txt seq 4 */
static const char T_000_4[] =
    "（三）助推黄羊发展，做实黄羊倍增。围绕市级重点项目万羊场，采取“政府引导、业主带"
    "动、项目扶持、农户参与”等模式，切实化解农户不愿养、不会养、不能养和不久养四方面"
    "矛盾。截至目前，新发展养殖大户*户、散养户*多户和养殖企业*家，合计新发展黄羊*"
    "余只。成功迎接省、市、县各级领导和专家各项调研或检查活动*多次，并获得省人大调研"
    "组高度评价。";
static const want_t W_000_4[] = {
    {"*户", true, 0, "户", NULL},
    {"*多户", true, 0, "户", "多"},
    {"*家", true, 0, "家", NULL},
    {"*余只", true, 0, "只", "余"},
    {"*多次", true, 0, "次", "多"},
};
/* 001_3477a166fcf9d86b.txt seq 0 */
static const char T_001_0[] =
    "2021年，是中国共产党成立100周年，也是“十四五”的开局之年，更是实施乡村振"
    "兴战略的关键之年。半年来，潭下镇在县委、县政府的正确领导下，坚持以习近平新时代中"
    "国特色社会主义思想为指导，紧紧围绕年度重点工作任务，坚定不移贯彻新发展理念，以基"
    "层党建工作引领全局，深入开展党史学习教育，持续巩固脱贫攻坚成果，有效衔接乡村振兴"
    "，努力建设“电商强镇·富庶潭下”。现将有关情况总结如下：";
/* 001_3477a166fcf9d86b.txt seq 1 */
static const char T_001_1[] =
    "一是统筹做好镇村换届工作。镇党委把换届风气监督作为履行管党治党主体责任的重要内容"
    "，成立了潭下镇领导班子换届工作领导小组，制定了《关于进一步加强换届风气监督工作方"
    "案》，印发了《关于加强换届风气监督的通知》“十严禁、八不准”等换届纪律宣传卡，营"
    "造风清气正换届环境；同时，坚持从严把关选干部，树立正确选人用人导向、深入开展干部"
    "考察评价、严格把关换届工作程序，确保换届平稳有序。1月底在全县率先完成村“两委”"
    "换届工作，6月全面启动镇领导班子换届工作。";
/* 001_3477a166fcf9d86b.txt seq 2 */
static const char T_001_2[] =
    "二是全力推进党史学习教育。将党史学习教育作为党委理论学习中心组学习、“三会一课”"
    "等重要、必学内容，全体镇干部从3月份开始个人自学党史书籍，主动撰写党史学习感悟，"
    "共开展6次党委理论中心组学习，撰写了1000余篇党史学习感悟。制定了《潭下镇关于"
    "开展党史学习教育的实施方案》，组织召开专题组织生活会、党政领导班子到村讲党课、到"
    "潭江烈士陵园缅怀革命先烈、重温入党誓词等深入开展党史学习教育；同时，积极开展庆祝"
    "建党百年系列活动，组织镇村干部参加“学党史、颂党恩、跟党走”知识竞赛考试，各村（"
    "居）党组织为党龄50周年的154名老党员颁发“光荣在党50年”纪念章，开展“我为"
    "群众办实事”实践活动、走访慰问党员等形式多样的教育活动，营造全镇上下学党史的浓厚"
    "氛围，引领广大干部群众从党史中汲取丰厚精神滋养。";
static const want_t W_001_2[] = {
    {"6次", false, 6, "次", NULL},
    {"1000余篇", false, 1000, "篇", "余"},
    {"50周年", false, 50, "周年", NULL},
    {"154名", false, 154, "名", NULL},
};
/* 001_3477a166fcf9d86b.txt seq 8 */
static const char T_001_8[] =
    "一是基础设施渐趋完善：加快推进新建中心幼儿园及圩镇停车场工程，目前已积极向上对接"
    "争取，多渠道筹措资金；今年3月份以来，各村积极开展“我为群众办实事”实践活动，着"
    "力实施道路扩宽、桥面扩大、破损路面修复等群众看得见、得实惠、惠长远的民生工程。百"
    "安村争取上级资金330万元对原长4.3公里、宽3.5米道路，扩宽至宽5.5米的路"
    "面、安装200盏路灯，新建一个党建文化广场；新田村筹集40多万元对300米长、7"
    "米宽的道路进行硬底化；龙田村争取上级资金及自筹20多万元对长220米、宽0.85"
    "米、高2米的河道两边进行护坡工程建设；乐道村争取上级资金及自筹约16万元对长30"
    "0米、宽4米的破损路面进行丈量、切割、修补。";
static const want_t W_001_8[] = {
    {"330万元", false, 330, "万元", NULL},
    {"4.3公里", false, 4.3, "公里", NULL},
    {"3.5米", false, 3.5, "米", NULL},
    {"5.5米", false, 5.5, "米", NULL},
    {"200盏", false, 200, "盏", NULL},
    {"40多万元", false, 40, "万元", "多"},
    {"300米", false, 300, "米", NULL},
    {"7米", false, 7, "米", NULL},
    {"20多万元", false, 20, "万元", "多"},
    {"220米", false, 220, "米", NULL},
    {"0.85米", false, 0.85, "米", NULL},
    {"2米", false, 2, "米", NULL},
    {"约16万元", false, 16, "万元", "约"},
    {"300米", false, 300, "米", NULL},
    {"4米", false, 4, "米", NULL},
};
/* 001_3477a166fcf9d86b.txt seq 14 */
static const char T_001_14[] =
    "三是反诈宣传持续开展。召开反诈工作部署会议13余次，利用镇政府微信公众号、微信群"
    "等载体发布最新反诈信息90余条，各村主要路口悬挂宣传横幅标语26条、设置宣传展板"
    "31块，发放各种宣传资料3批次共计45000余份，与群众签订不参与电信诈骗承诺书"
    "10000余份，发动安装注册“国家反诈中心APP”群众超22000人，全面筑牢反"
    "诈防线。";
static const want_t W_001_14[] = {
    {"13余次", false, 13, "次", "余"},
    {"90余条", false, 90, "条", "余"},
    {"26条", false, 26, "条", NULL},
    {"31块", false, 31, "块", NULL},
    {"3批次", false, 3, "批次", NULL},
    {"45000余份", false, 45000, "份", "余"},
    {"10000余份", false, 10000, "份", "余"},
    {"超22000人", false, 22000, "人", "超过"},
};
/* 001_3477a166fcf9d86b.txt seq 16 */
static const char T_001_16[] =
    "五是疫苗接种全面展开。面对疫情防控形势的反复性，我镇在扎实做好中高风险地区返回人"
    "员摸排基础上，线上线下多渠道宣传发动群众接种新冠疫苗，持续增强全民抗病毒能力。上"
    "半年已完成第一针新冠疫苗接种8222人次，第二针新冠疫苗接种6470人次。";
static const want_t W_001_16[] = {
    {"8222人次", false, 8222, "人次", NULL},
    {"6470人次", false, 6470, "人次", NULL},
};
/* 002_a941ac228d4b6eab.txt seq 1 */
static const char T_002_1[] =
    "2.乡村振兴有序推进。年初以来，完成了全镇*名建档立卡贫困学生春季教育助学和雨露"
    "计划的全面摸底；*年度脱贫户医保和防返贫综合保险已实现全覆盖，家庭医生签约率达*"
    "%；实施危房改造*户，其中*户为脱贫户，目前已有*户完成；定期开展脱贫人口、边缘"
    "易致贫人口就业务工情况监测，着实摸清就业需求，并实施就业信息动态监测，全镇设置公"
    "益性岗位*个；全镇*个行政村（社区）*个项目已纳入全县第一批巩固拓展脱贫攻坚成果"
    "同乡村振兴有效衔接统筹整合使用财政涉农项目中，今年已开工建设*个，项目总投资*万"
    "元,建成了酉庄、蛇形村蓝莓基地、杉林村优质水果基地等乡村振兴产业基地。*年上半年"
    "全镇新增监测户*户*人，已全部制定帮扶措施。";
static const want_t W_002_1[] = {
    {"*名", true, 0, "名", NULL},
    {"*%", true, 0, "%", NULL},
    {"*户", true, 0, "户", NULL},
    {"*户", true, 0, "户", NULL},
    {"*户", true, 0, "户", NULL},
    {"*个", true, 0, "个", NULL},
    {"*个", true, 0, "个", NULL},
    {"*个", true, 0, "个", NULL},
    {"*个", true, 0, "个", NULL},
    {"*万元", true, 0, "万元", NULL},
    {"*户", true, 0, "户", NULL},
    {"*人", true, 0, "人", NULL},
};
/* 002_a941ac228d4b6eab.txt seq 5 */
static const char T_002_5[] =
    "6.人居环境扎实推进。开展人居环境打擂行动，每月对全镇*个村（社区）开展检查评比"
    "，按分值进行排名，召开季度表彰大会，排名前*的村在大会上作经验交流，排名后*的村"
    "在大会上作表态发言。年初以来，全镇共拆除危房*处、残垣断壁*处、旱厕*处、猪栏牛"
    "栏*处；共修建阳坑沟渠、治理黑臭水体*处；对杨龙村、杉林村、石牌村公路两边播种花"
    "籽及种花草绿化*处共*千多米。打造小花坛*个。";
static const want_t W_002_5[] = {
    {"*个", true, 0, "个", NULL},
    {"*处", true, 0, "处", NULL},
    {"*处", true, 0, "处", NULL},
    {"*处", true, 0, "处", NULL},
    {"*处", true, 0, "处", NULL},
    {"*处", true, 0, "处", NULL},
    {"*处", true, 0, "处", NULL},
    {"*千多米", true, 0, "千米", "多"},
    {"*个", true, 0, "个", NULL},
};
/* 003_431dd69834a655e5.txt seq 1 */
static const char T_003_1[] =
    "一是抓班子。树立终身学习和创造性学习理念,充分发挥学习强国、x干部网络学院、x市"
    "党建云平台等作用,确保学习教育常态化、制度化。坚持理论与实践相结合,不断提高班子"
    "成员政治理论素养,增强驾驭工作和为民服务的能力。班子成员实行民主集中制,大事讲原"
    "则,小事讲风格,彼此尊重,相互支持,形成一个集体领导,民主决策的工作机制。严格实"
    "行党委统一领导下的分工负责制,强化岗位职责,狠抓贯彻落实,形成了分工合作、各负其"
    "责的工作格局。";
/* 003_431dd69834a655e5.txt seq 2 */
static const char T_003_2[] =
    "二是突载体。精心实施党建“留心护根”工程,创新制定《xx镇党建“留心护根”工程工"
    "作指南》,推出党建“留心护根”工程简报xx期,持续巩固“不忘初心、牢记使命”主题"
    "教育成果。扎实开展党史学习教育和“我为群众办实事”活动,创新“四学模式”,开展党"
    "史宣讲、党史知识测试、党史学习进田间、“党史故事我来讲”演讲比赛等系列活动,推动"
    "党史学习教育走深、走实,引导全镇党员干部自觉强化“四个自信”,树牢“四个意识”,"
    "坚决做到“两个维护”,大力营造旗帜鲜明讲政治的浓厚氛围。";
static const want_t W_003_2[] = {
    {"xx期", true, 0, "期", NULL},
};
/* 003_431dd69834a655e5.txt seq 11 */
static const char T_003_11[] =
    "二是全覆盖式开展“两不愁三保障”及饮水安全排查工作。结合县农发办《关于全面排查“"
    "两不愁三保障”及饮水安全落实情况工作方案》文件要求,xx镇安排 “四支队伍”对全"
    "镇所有农户进行入户走访排查工作。经排查发现,我镇存在两方面两个问题,一是产业发展"
    "方面,光伏电站收益分配。xx%用于公益性岗位和公益性事业劳务支出,全镇共涉及xx"
    "户,目前全部在岗,群众反映从20xx年xx月份到目前没有领取到工资。针对这一问题"
    ",经镇党委会研究,由镇扶贫办立即联系相关部门协调并解决,现已解决,工资均发放到位"
    "。";
static const want_t W_003_11[] = {
    {"xx%", true, 0, "%", NULL},
    {"xx户", true, 0, "户", NULL},
};
/* 003_431dd69834a655e5.txt seq 17 */
static const char T_003_17[] =
    "坚持以促农增收为中心,深化农业供给侧结构性改革,推进农业产业化调整,实施品牌战略"
    ",做大做强西甜瓜、酥梨等特色主导产业。补齐畜牧产业短板,形成规模化养殖,打造有机"
    "农业、立体农业、循环农业示范区,全力落实“一村一产业”富民增收工程。为确保夏粮丰"
    "收,发放小麦条锈病宣传单xxxx张,邀请县农业局专家举办小麦条锈病防治讲座x次,"
    "有效防治小麦条锈病。预计今年全镇西甜瓜产值x.xx亿元。充分发挥村经济合作组织带"
    "头示范引领作用,为经济高质量发展打下坚实的基础。小寨光伏产业园、南湾村xxx亩金"
    "银花基地、东王村xxx亩移民生态产业园、统一村xxx亩苗圃园区、xx村xxx亩户"
    "太八号葡萄产业园、xx、xx、xx、xx村八十多座无立柱钢架大棚收益喜人。带动脱"
    "贫户xxx户,很大程度上保障了脱贫群众增收。农村卫厕改造项目全面验收完成,共计验"
    "收xxxx户,完成贫困户改厕xxx户。";
static const want_t W_003_17[] = {
    {"xxxx张", true, 0, "张", NULL},
    {"x次", true, 0, "次", NULL},
    {"x.xx亿元", true, 0, "亿元", NULL},
    {"xxx亩", true, 0, "亩", NULL},
    {"xxx亩", true, 0, "亩", NULL},
    {"xxx亩", true, 0, "亩", NULL},
    {"xxx亩", true, 0, "亩", NULL},
    /* Not in the hand labels, which leave Chinese numerals out; huibao
     * reports multi-character ones (issue 3). */
    {"八十多座", false, 80, "座", "多"},
    {"xxx户", true, 0, "户", NULL},
    {"xxxx户", true, 0, "户", NULL},
    {"xxx户", true, 0, "户", NULL},
};
/* 003_431dd69834a655e5.txt seq 19 */
static const char T_003_19[] =
    "深入开展通村路、背街小巷、村级活动场所、群众房前屋后环境卫生治理,对垃圾点转运按"
    "照“户清扫、村收集”的原则,做到日产日清。安排专人负责瓜季路边瓜果皮清理工作,做"
    "到即时清理。截至目前,全镇共投入xx万元、xxxx余人次、机械xxx余次、清理垃"
    "圾xxxx余方,铲除杂草xx公里,涂白树木xxxx颗。共整治出示范巷道xx条,示"
    "范路段xx条。并对各村垃圾填埋场进行黄土覆盖,安排专人进行管理保洁。对蒲大路、龙"
    "蔡路及各村通村路巷道的树木进行修枝管护,提升我镇整体形象,打造了宜居、干净整洁、"
    "的人居环境。";
static const want_t W_003_19[] = {
    {"xx万元", true, 0, "万元", NULL},
    {"xxxx余人次", true, 0, "人次", "余"},
    {"xxx余次", true, 0, "次", "余"},
    {"xxxx余方", true, 0, "方", "余"},
    {"xx公里", true, 0, "公里", NULL},
    {"xxxx颗", true, 0, "颗", NULL},
    {"xx条", true, 0, "条", NULL},
    {"xx条", true, 0, "条", NULL},
};
/* 003_431dd69834a655e5.txt seq 24 */
static const char T_003_24[] =
    "三是平安xx成效显著。在建党100周年之际,以治安防范宣传、普法宣传、反邪教、禁"
    "毒宣传四项内容为宣传重点,积极提升全镇群众的安全防范意识和法律意识。在治安防范宣"
    "传中,我们通过黑板报、宣传单、广播等形式,积极向广大群众宣传防范知识,提高群众自"
    "防能力。如派出所特别针对一些犯罪分子利用部分群众贪财心理、高贷助赌现象严重等情况"
    ",深入各村开展现场警示教育,以提高群众的x防范能力。半年以来镇村共组织入户宣传x"
    "次,悬挂横幅xx条,出动宣传车xx台次,发放宣传单xxxx余份,义警巡逻队坚持每"
    "天进行宣传。指导司法所、派出所等部门以安全宣传月、法制宣传月等为契机,通过广播、"
    "标语、宣传车等形式,向群众进行反电诈反邪教等平安xx宣传教育活动。";
static const want_t W_003_24[] = {
    {"x次", true, 0, "次", NULL},
    {"xx条", true, 0, "条", NULL},
    {"xx台次", true, 0, "台次", NULL},
    {"xxxx余份", true, 0, "份", "余"},
};
/* 004_c9dc8f94f3207166.txt seq 2 */
static const char T_004_2[] =
    "一是抓好党员日常管理。全镇所辖*个党支部全面完成2022年度组织生活会各项工作、"
    "开展*-2022年度党员冬春训，形式多样开展每月主题党日活动、完成一季度党员积分"
    "考评，扎实做好党员日常管理工作，提升党员政治素质。";
static const want_t W_004_2[] = {
    {"*个", true, 0, "个", NULL},
};
/* 004_c9dc8f94f3207166.txt seq 8 */
static const char T_004_8[] =
    "三是守牢耕地红线。扎实耕地抛荒整治、春耕，推行通过奖励水利设施维修费、农机具材料"
    "采购及维修费等“以奖代补”模式，拨付*万余元，鼓励引导群众复耕复种、春耕生产，联"
    "合县农机事务中心开展农机维修进乡村活动，免费帮助群众维修农机具，截至目前复耕任务"
    "已全部完成。";
static const want_t W_004_8[] = {
    {"*万余元", true, 0, "万元", "余"},
};
/* 004_c9dc8f94f3207166.txt seq 9 */
static const char T_004_9[] =
    "四是扎实发展产业。在木叶溪社区发展香菇*万棒，目前已经进入采摘阶段，预计村集体收"
    "入增加*万元，创新性提出产业“飞地”建设，依托木叶溪香菇基地，小渔溪、芷溪、细米"
    "溪三村“飞地”抱团发展，打破发展集体经济地域上的限制，节约成本的同时，又壮大产业"
    "规模；芷溪自筹*万元对婆洞瀑布进行步行道修缮；发展壮大生态蜂蜜产业，全镇养蜂大户"
    "增加至*户，第一批产量约*万公斤，产值约*万元；支持密语土蜂农业合作社申请绿色农"
    "产品认证并获通过，旗下达青蜂业获国家知识产权局商标注册；*村金银花合作社与湖南省"
    "鸿利药业有限公司合作，预计年产值*万元；与运营千户苗寨的贵州天宇旅游投资集团达成"
    "合作协议，成立五郎生态文化旅游公司主营民宿开发，目前正在改建游客服务中心。完成了"
    "今年*个产业项目入库。";
static const want_t W_004_9[] = {
    {"*万棒", true, 0, "万棒", NULL},
    {"*万元", true, 0, "万元", NULL},
    {"*万元", true, 0, "万元", NULL},
    {"*户", true, 0, "户", NULL},
    {"约*万公斤", true, 0, "万公斤", "约"},
    {"约*万元", true, 0, "万元", "约"},
    {"*万元", true, 0, "万元", NULL},
    {"*个", true, 0, "个", NULL},
};
/* 004_c9dc8f94f3207166.txt seq 10 */
static const char T_004_10[] =
    "五是金融服务助力。加快推进金融服务乡村振兴评级授信工作，目前全镇已经完成*个村评"
    "信授级。宣传推广“裕农共享贷”，完成了*个村的 资料申报审核，对*村授信*万。千"
    "公牛村意向贷款*万、小渔溪村意向贷款*万用于发展集体经济，目前正在申办。";
static const want_t W_004_10[] = {
    {"*个", true, 0, "个", NULL},
    {"*个", true, 0, "个", NULL},
    {"*万", true, 0, "万", NULL},
    {"*万", true, 0, "万", NULL},
    {"*万", true, 0, "万", NULL},
};
/* 003_431dd69834a655e5.txt seq 21 */
static const char T_003_21[] =
    "为打造美丽宜居新农村,大力实施乡村振兴战略,我镇从村民群众迫切需要解决的实际问题"
    "入手,加大基础设施建设力度,改善群众生活环境。推进xx街道新修排污管道xxxx余"
    "米,新铺柏油路xxx米*xx米,共投资xxx万元,该项目已全部完工。投资xxx余"
    "万元打造占地x亩的xx村标准化村级活动场所、党建主题广场和文化广场。协调县公安局"
    "交通管理大队建设统一村“交通安全主题公园”,在为群众提供农闲时间休闲娱乐场所的同"
    "时,营造自觉遵守并宣传交通安全行为规范的氛围,打造乡风文明的新农村。完成xx镇街"
    "道加固、修缮项目,项目全长xxx米,宽xx米,共投资xx万元。完成xx村xx个村"
    "民小组的自来水管道改造项目,共计改造管道xxxxx余米。";
static const want_t W_003_21[] = {
    {"xxxx余米", true, 0, "米", "余"},
    {"xxx米", true, 0, "米", NULL},
    {"xx米", true, 0, "米", NULL},
    {"xxx万元", true, 0, "万元", NULL},
    {"xxx余万元", true, 0, "万元", "余"},
    {"x亩", true, 0, "亩", NULL},
    {"xxx米", true, 0, "米", NULL},
    {"xx米", true, 0, "米", NULL},
    {"xx万元", true, 0, "万元", NULL},
    {"xx个", true, 0, "个", NULL},
    {"xxxxx余米", true, 0, "米", "余"},
};
/* 004_c9dc8f94f3207166.txt seq 11 */
static const char T_004_11[] =
    "六是强化积分治理。在小渔溪村开展积分制试点工作，通过与县城汇丰超市及集镇超市商户"
    "合作，实现积分变物，增强积分实际用途，以此激发村民参与积分管理的热情，积极支持基"
    "层社会治理积分制工作；制定“*分”党员计划，党员带头积极参加积分制管理工作，在生"
    "产、工作、学习和社会生活中起先锋模范作用，要求每名党员（除长期生病卧床、高龄党员"
    "除外）自积分制实施周期年内，对照积分制管理细则实现年内累计积分*分以上的目标，以"
    "此发挥党员干部在基层治理中的先锋模范作用。";
static const want_t W_004_11[] = {
    {"*分", true, 0, "分", NULL},
};

/* Masked digits: *户 *多户 *家 *余只 *多次, *多亩. */
static void test_seed_masked_households_and_mu(void **state)
{
    (void)state;
    EXPECT(T_000_3, W_000_3);
    EXPECT(T_000_4, W_000_4);
}

/* xx期 (masked by x). */
static void test_seed_masked_x_issue(void **state)
{
    (void)state;
    EXPECT(T_003_2, W_003_2);
}

/* xxxx余人次: approx after the mask, 人次 wins over 人. */
static void test_seed_masked_person_times(void **state)
{
    (void)state;
    EXPECT(T_003_19, W_003_19);
}

/* x.xx亿元: a masked decimal. */
static void test_seed_masked_decimal_yi_yuan(void **state)
{
    (void)state;
    EXPECT(T_003_17, W_003_17);
}

/* *万余元: approx between multiplier and unit; unit 万元, approx 余. */
static void test_seed_masked_wan_yu_yuan(void **state)
{
    (void)state;
    EXPECT(T_004_8, W_004_8);
}

/* *千多米: the multiplier joins the unit (千米). */
static void test_seed_masked_qian_duo_mi(void **state)
{
    (void)state;
    EXPECT(T_002_5, W_002_5);
}

/* 约*万公斤 and 约*万元: approx before the number. */
static void test_seed_approx_before_masked(void **state)
{
    (void)state;
    EXPECT(T_004_9, W_004_9);
}

/* 意向贷款*万用于: a bare multiplier is a figure, unit 万. */
static void test_seed_bare_multiplier(void **state)
{
    (void)state;
    EXPECT(T_004_10, W_004_10);
}

/* 330万元 4.3公里 40多万元 约16万元 and the metres of one unit. */
static void test_seed_plain_values(void **state)
{
    (void)state;
    EXPECT(T_001_8, W_001_8);
}

/* 13余次 … 超22000人 (超 means 超过). */
static void test_seed_over_and_yu(void **state)
{
    (void)state;
    EXPECT(T_001_14, W_001_14);
}

/* 1000余篇, 党龄50周年 is a figure, 3月份 is not. */
static void test_seed_yu_pian_and_anniversary(void **state)
{
    (void)state;
    EXPECT(T_001_2, W_001_2);
}

/* 8222人次 and 6470人次. */
static void test_seed_person_times(void **state)
{
    (void)state;
    EXPECT(T_001_16, W_001_16);
}

/* *% and xx%. */
static void test_seed_percent(void **state)
{
    (void)state;
    EXPECT(T_002_1, W_002_1);
    EXPECT(T_003_11, W_003_11); /* also 20xx年 and xx镇: not figures */
}

/* Units with dates, names and codes but no figures, or only the labelled ones. */
static void test_seed_units_without_figures(void **state)
{
    (void)state;
    EXPECT_NONE(T_000_2); /* （*A） */
    EXPECT_NONE(T_001_0); /* 2021年, 成立100周年, “十四五” */
    EXPECT_NONE(T_001_1); /* 1月底 */
    EXPECT_NONE(T_003_1); /* x市党建云平台 */
    EXPECT(T_003_24, W_003_24); /* 在建党100周年之际 */
    EXPECT(T_004_2, W_004_2);   /* *-2022年度 */
}

/* Each non-figure beside a control that is one, so an extractor that finds
 * nothing cannot pass. */
static void test_not_figures(void **state)
{
    (void)state;
    static const char *const none[] = {
        "潭下镇2021年上半年工作总结",
        "全体镇干部从3月份开始个人自学党史书籍",
        "1月底在全县率先完成村“两委”换届工作",
        "群众反映从20xx年xx月份到目前没有领取到工资。",
        "在全县综合考评中荣获第3名",
        "2021年，是中国共产党成立100周年，也是“十四五”的开局之年",
        "三是平安xx成效显著。在建党100周年之际,以治安防范宣传",
        "字库村荣获市级（*A）先进村党组织。",
        "创新制定《xx镇党建“留心护根”工程工作指南》",
        "x干部网络学院、x市党建云平台等作用",
        "开展*-2022年度党员冬春训，",
    };
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++)
        EXPECT_NONE(none[i]);
    static const want_t w3[] = {{"3名", false, 3, "名", NULL}};
    EXPECT("在全县综合考评中荣获3名", w3);
    static const want_t w50[] = {{"50周年", false, 50, "周年", NULL},
                                 {"154名", false, 154, "名", NULL}};
    EXPECT("各村（居）党组织为党龄50周年的154名老党员颁发纪念章", w50);
    /* An anniversary is no quantity (the labels' convention); a span is. */
    EXPECT_NONE("庆祝活动开展100周年");
    EXPECT_NONE("庆祝改革开放40周年");
}

/* Full-width digits and decimal point are numbers, not masks. */
static void test_full_width_digits(void **state)
{
    (void)state;
    static const want_t w[] = {{"３０人", false, 30, "人", NULL}};
    EXPECT("共培训３０人，", w);
    static const want_t w2[] = {{"１２．５公里", false, 12.5, "公里", NULL},
                                {"３０００余万元", false, 3000, "万元", "余"}};
    EXPECT("新建道路１２．５公里，投入３０００余万元", w2);
}

/* Other markers of the config: 近, 超过, 约 with a space, ％ and 个百分点. */
static void test_markers_and_units(void **state)
{
    (void)state;
    static const want_t w[] = {
        {"近50万元", false, 50, "万元", "近"},
        {"超过*万元", true, 0, "万元", "超过"},
        {"约 30人", false, 30, "人", "约"},
        {"15％", false, 15, "％", NULL},
        {"3个百分点", false, 3, "个百分点", NULL},
    };
    EXPECT("投资近50万元，拨付超过*万元，培训约 30人，增长15％，提高3个百分点", w);
}

static void test_empty_text(void **state)
{
    (void)state;
    hb_figure_t out[4];
    memset(out, 0xA5, sizeof out);
    assert_int_equal(hb_figures_extract(figs, "", 0, out, 4), 0);
    /* len 0 over a text full of figures: nothing is read. */
    assert_int_equal(hb_figures_extract(figs, "30人40人", 0, out, 4), 0);
    EXPECT_NONE("没有任何数字的一句话。");
    unsigned char untouched[sizeof out];
    memset(untouched, 0xA5, sizeof untouched);
    assert_memory_equal(out, untouched, sizeof out);
}

/* len bounds the scan: "5人8人" cut after "5人" has one figure. */
static void test_len_is_honoured(void **state)
{
    (void)state;
    hb_figure_t out[4];
    const char *t = "5人8人";
    assert_int_equal(hb_figures_extract(figs, t, strlen("5人"), out, 4), 1);
    assert_int_equal(out[0].raw_len, strlen("5人"));
    assert_int_equal(hb_figures_extract(figs, t, strlen(t), out, 4), 2);
    /* "30人" cut before 人: a bare number, no figure. */
    assert_int_equal(hb_figures_extract(figs, "30人", 2, out, 4), 0);
}

/* 300 figures: exactly max come back, in order, and nothing past max is written. */
static void test_max_is_honoured(void **state)
{
    (void)state;

    char *text = malloc(300 * 16);
    size_t len = 0;
    for (int i = 0; i < 300; i++)
        len += (size_t)sprintf(text + len, "%d人，", i + 1);
    hb_figure_t *out = calloc(HB_MAX_FIGURES + 1, sizeof *out);
    out[HB_MAX_FIGURES].raw = "sentinel";
    size_t n = hb_figures_extract(figs, text, len, out, HB_MAX_FIGURES);
    assert_int_equal(n, HB_MAX_FIGURES);
    for (size_t i = 0; i < n; i++)
        assert_true(out[i].value == (double)(i + 1));
    assert_string_equal(out[HB_MAX_FIGURES - 1].unit, "人");
    assert_string_equal(out[HB_MAX_FIGURES].raw, "sentinel");
    /* A small max. */
    out[3].raw = "sentinel";
    assert_int_equal(hb_figures_extract(figs, text, len, out, 3), 3);
    assert_true(out[2].value == 3);
    assert_string_equal(out[3].raw, "sentinel");
    /* max 0 writes nothing. */
    out[0].raw = "sentinel";
    assert_int_equal(hb_figures_extract(figs, text, len, out, 0), 0);
    assert_string_equal(out[0].raw, "sentinel");
    free(out);
    free(text);
}

/* In "新铺柏油路xxx米*xx米" (xxx米 by xx米) the '*' is a multiplication sign:
 * the hand label is "xx米". tests/data/seeds.jsonl 003 seq 21. */
static void test_seed_times_sign_between_masks(void **state)
{
    (void)state;
    EXPECT(T_003_21, W_003_21);
    hb_figure_t out[4]; /* the second size shares the first's subject */
    const char *t = "新铺柏油路xxx米*xx米";
    assert_int_equal(hb_figures_extract(figs, t, strlen(t), out, 4), 2);
    assert_int_equal(out[1].subject_len, strlen("新铺柏油路"));
    assert_memory_equal(out[1].subject, "新铺柏油路", out[1].subject_len);
}

/* 004 seq 11 is labelled with one figure "*分"; the "*分" of the plan name
 * 制定“*分”党员计划 is a name, quoted alone. */
static void test_seed_quoted_plan_name(void **state)
{
    (void)state;
    EXPECT(T_004_11, W_004_11);
}

/* A thousands separator is part of the number.  From the national corpus. */
static void test_thousands_separator(void **state)
{
    (void)state;
    static const want_t w[] = {{"8,500公里", false, 8500, "公里", NULL}};
    EXPECT("第一个五年期间铁路共新建8,500公里，", w);
}

/* Plain integers take a path of their own (no strtod): the same values, on
 * both sides of its 15-digit limit, and past what 64 bits hold. */
static void test_integer_values(void **state)
{
    (void)state;
    static const want_t w[] = {{"007人", false, 7, "人", NULL},
                               {"123456789012345元", false, 123456789012345.0, "元", NULL},
                               {"1234567890123456元", false, 1234567890123456.0, "元", NULL},
                               {"98765432109876543210元", false, 98765432109876543210.0, "元", NULL},
                               {"12.5亩", false, 12.5, "亩", NULL}};
    EXPECT("培训007人，投入123456789012345元和1234567890123456元，"
           "另有98765432109876543210元，种植12.5亩。", w);
}

/* Ranges: the low end is the value, the high end max. */
static void test_range(void **state)
{
    (void)state;
    hb_figure_t out[4];
    const char *t = "每人每月提高5到7元，建设3-5个示范点。";
    assert_int_equal(hb_figures_extract(figs, t, strlen(t), out, 4), 2);
    assert_true(out[0].has_max && out[0].value == 5 && out[0].max == 7);
    assert_string_equal(out[0].unit, "元");
    assert_true(out[1].has_max && out[1].value == 3 && out[1].max == 5);
    assert_string_equal(out[1].unit, "个");
}

/* Chinese numerals of two characters or more are quantities, normalised. */
static void test_chinese_numerals(void **state)
{
    (void)state;
    static const want_t w[] = {{"一百二十户", false, 120, "户", NULL},
                               {"三十余人", false, 30, "人", "余"},
                               {"两千零五亩", false, 2005, "亩", NULL},
                               {"十二万元", false, 12, "万元", NULL}};
    EXPECT("帮扶一百二十户，培训三十余人，流转土地两千零五亩，投入十二万元。", w);
    /* one character: names and slogans, not quantities */
    EXPECT_NONE("做到两个维护，开展五个到户，十分重视，三个坚持。");
}

/* Told whether the text holds 十, 百 or 千 (classify's keyword pass knows), the
 * extractor skips its own look-up; told 0, it looks for digits only. */
static void test_chinese_numerals_known(void **state)
{
    (void)state;
    hb_figure_t out[4];
    const char *t = "帮扶一百二十户，投入30万元。";
    assert_int_equal(hb_figures_extract_known(figs, t, strlen(t), 1, -1, out, 4), 2);
    assert_memory_equal(out[0].raw, "一百二十户", out[0].raw_len);
    assert_int_equal(hb_figures_extract_known(figs, t, strlen(t), -1, -1, out, 4), 2);
    assert_int_equal(hb_figures_extract_known(figs, t, strlen(t), 0, -1, out, 4), 1);
    assert_memory_equal(out[0].raw, "30万元", out[0].raw_len);
    const char *none = "两三个村投入5万元"; /* a numeral pair, but no 十/百/千 */
    assert_int_equal(hb_figures_extract_known(figs, none, strlen(none), 0, -1, out, 4), 1);
    assert_int_equal(hb_figures_extract_known(figs, none, strlen(none), -1, -1, out, 4), 1);
    assert_memory_equal(out[0].raw, "5万元", out[0].raw_len);
}

/* What was counted: the words before a figure back to the punctuation; a
 * figure right after another shares it. */
static void test_subject(void **state)
{
    (void)state;
    hb_figure_t out[4];
    const char *t = "年初以来，新增低保*户*人；排查整治各类安全隐患35处。";
    assert_int_equal(hb_figures_extract(figs, t, strlen(t), out, 4), 3);
    assert_int_equal(out[0].subject_len, strlen("新增低保"));
    assert_memory_equal(out[0].subject, "新增低保", out[0].subject_len);
    assert_int_equal(out[1].subject_len, strlen("新增低保"));
    assert_memory_equal(out[1].subject, "新增低保", out[1].subject_len);
    assert_int_equal(out[2].subject_len, strlen("排查整治各类安全隐患"));
    assert_memory_equal(out[2].subject, "排查整治各类安全隐患", out[2].subject_len);
}

/* ---- figures that compare ------------------------------------------------- */

static void expect_figures_load_fails(const char *conf, int line, const char *words);

static void expect_base(const char *text, size_t idx, const char *raw, const char *unit,
                        double base_value, const char *base_unit)
{
    static hb_figure_t out[HB_MAX_FIGURES];
    size_t n = hb_figures_extract(figs, text, strlen(text), out, HB_MAX_FIGURES);
    if (n <= idx)
        fail_msg("%s: %zu figures, wanted one at %zu", text, n, idx);
    const hb_figure_t *g = &out[idx];
    if (g->raw_len != strlen(raw) || memcmp(g->raw, raw, g->raw_len) || strcmp(g->unit, unit) ||
        (!g->masked && g->base_value != base_value) || !g->base_unit != !base_unit ||
        (base_unit && strcmp(g->base_unit, base_unit)))
        fail_msg("%s: got raw \"%.*s\" unit %s base %.17g %s; wanted \"%s\" %s %.17g %s", text,
                 (int)g->raw_len, g->raw, g->unit, g->base_value,
                 g->base_unit ? g->base_unit : "(null)", raw, unit, base_value,
                 base_unit ? base_unit : "(null)");
}

/* raw, value and unit stay as written; base_value and base_unit fold the
 * multipliers in and map the units of configs/figures.conf [base]. */
static void test_base_units(void **state)
{
    (void)state;
    expect_base("争取资金330万元", 0, "330万元", "万元", 3300000, "元");
    expect_base("国内生产总值5.67万亿元", 0, "5.67万亿元", "万亿元", 5670000000000, "元");
    expect_base("外汇储备3万亿美元以上", 0, "3万亿美元", "万亿美元", 3e12, "美元");
    expect_base("投资5千万元", 0, "5千万元", "千万元", 5e7, "元");
    expect_base("增长12％", 0, "12％", "％", 12, "%");
    expect_base("增长12%", 0, "12%", "%", 12, "%");
    expect_base("提高0.5百分点", 0, "0.5百分点", "百分点", 0.5, "个百分点");
    expect_base("新建道路3.5千米", 0, "3.5千米", "千米", 3.5, "公里");
    expect_base("装机300万千瓦", 0, "300万千瓦", "万千瓦", 3000000, "千瓦");
    expect_base("新增就业1102万人", 0, "1102万人", "万人", 11020000, "人");
    expect_base("种植*多亩", 0, "*多亩", "亩", 0, "亩"); /* masked: no base_value */
    /* A number followed by a noun keeps its magnitude only: no base unit. */
    expect_base("近14亿人口的发展中大国", 0, "近14亿", "亿", 1400000000, NULL);
    expect_base("我国人口达14亿人民群众", 0, "14亿", "亿", 1400000000, NULL);
}

/* A user adds a [base] line; a bad one is named by its line. */
static void test_base_config(void **state)
{
    (void)state;
    char *path = write_temp("[figures]\nunits = 亩 公顷\napprox_before = 约\napprox_after = 余\n"
                            "multipliers = 万=10000\n[base]\n公顷 = 亩 15\n");
    hb_figures_t *f = hb_figures_load(path);
    assert_non_null(f);
    hb_figure_t out[4];
    const char *t = "退耕2万公顷，造林300亩";
    assert_int_equal(hb_figures_extract(f, t, strlen(t), out, 4), 2);
    assert_string_equal(out[0].unit, "万公顷");
    assert_string_equal(out[0].base_unit, "亩");
    assert_true(out[0].base_value == 300000);
    assert_string_equal(out[1].base_unit, "亩");
    assert_true(out[1].base_value == 300);
    hb_figures_free(f);
    unlink(path);
    free(path);
    expect_figures_load_fails("[figures]\nunits = 亩\napprox_before = 约\napprox_after = 余\n"
                              "multipliers = 万=10000\n[base]\n公顷 = 亩 fifteen\n",
                              7, "[base]");
    expect_figures_load_fails("[figures]\nunits = 亩\napprox_before = 约\napprox_after = 余\n"
                              "multipliers = 万\n",
                              5, "factor");
}

/* Every masking style is a masked figure: value null, never the mask. */
static void test_mask_styles(void **state)
{
    (void)state;
    static const char *const masked[][3] = {
        /* text, raw, unit */
        {"新增就业xx人", "xx人", "人"},         {"新增就业XX人", "XX人", "人"},
        {"新增就业xxx人", "xxx人", "人"},       {"新增就业X人", "X人", "人"},
        {"新增就业*人", "*人", "人"},           {"新增就业**人", "**人", "人"},
        {"投资〔…〕万元", "〔…〕万元", "万元"},  {"投资某万元", "某万元", "万元"},
        {"投资(略)万元", "(略)万元", "万元"},   {"投资（略）万元", "（略）万元", "万元"},
        {"产值x.6亿元", "x.6亿元", "亿元"},     {"流转〔…〕Y亩", "〔…〕Y亩", "亩"},
        {"用时X个月", "X个月", "个月"},         {"增长x.x%", "x.x%", "%"},
        {"增长某%", "某%", "%"},                {"新增就业ｘｘ人", "ｘｘ人", "人"},
    };
    for (size_t i = 0; i < sizeof masked / sizeof masked[0]; i++) {
        const want_t w[] = {{masked[i][1], true, 0, masked[i][2], NULL}};
        expect_figs(masked[i][0], w, 1);
    }
    /* A times sign between digits is a size, not a mask. */
    EXPECT_NONE("规格3*4米、2x2米、3×4米");
    /* 某 alone is "some", not a mask. */
    EXPECT_NONE("某人反映某个村有某项问题");
    /* A space before the sign. */
    static const want_t w60[] = {{"60 %", false, 60, "%", NULL}};
    EXPECT("覆盖率达到60 %，", w60);
    /* ... but not inside digits spaced out one by one. */
    EXPECT_NONE("1 9 9 8 年是全面贯彻的一年");
}

/* The labels' conventions: durations and ages count, dates and
 * anniversaries do not; 左右 after the unit is an approximation; 突破,
 * 以上 and 以内 stay out of raw. */
static void test_dates_and_durations(void **state)
{
    (void)state;
    static const want_t w15[] = {{"15年", false, 15, "年", NULL}};
    EXPECT("经过15年的艰苦努力", w15);
    static const want_t w13[] = {{"13.5年", false, 13.5, "年", NULL},
                                 {"14年", false, 14, "年", NULL}};
    EXPECT("平均受教育年限从13.5年提高到14年", w13); /* a decimal is never a year */
    /* 剂次 and 件次 count as 人次 does; 立方 is 立方米 (town reports) */
    static const want_t wj2[] = {{"2.5万余剂次", false, 2.5, "万剂次", "余"},
                                 {"11967剂次", false, 11967, "剂次", NULL},
                                 {"180件次", false, 180, "件次", NULL},
                                 {"82.12万立方", false, 82.12, "万立方", NULL}};
    EXPECT("累计接种疫苗2.5万余剂次，首针11967剂次，修订法规180件次，完成土方量82.12万立方。",
           wj2);
    /* voltages and transformer capacity: 千 starts the unit, no multiplier */
    static const want_t wkv[] = {{"110千伏", false, 110, "千伏", NULL},
                                 {"2.005万千伏安", false, 2.005, "万千伏安", NULL}};
    EXPECT("新建110千伏变电站，配变容量2.005万千伏安。", wkv);
    EXPECT_NONE("2021年上半年，20xx年，*年上半年，一九八五年十月");
    EXPECT_NONE("隆重庆祝改革开放40周年");
    EXPECT_NONE("颁发“光荣在党50年”纪念章");
    EXPECT_NONE("九十年代以来，2019年度，3年级");
    static const want_t w5[] = {{"5%左右", false, 5, "%", "左右"}};
    EXPECT("经济增长5%左右", w5);
    static const want_t w3[] = {{"3万亿美元", false, 3, "万亿美元", NULL}};
    EXPECT("外汇储备保持在3万亿美元以上", w3);
    static const want_t wj[] = {{"接近5%", false, 5, "%", "近"}};
    EXPECT("增速接近5%", wj);
    static const want_t wt[] = {{"1亿吨", false, 1, "亿吨", NULL}};
    EXPECT("产量突破1亿吨", wt);
}

/* A measure word followed by its noun counts that noun: the words before
 * are what was done (深入, 有机整合), not what was counted. */
static void test_subject_fragments(void **state)
{
    (void)state;
    hb_figure_t out[8];
    const char *t = "深入*个小网格*个微网格，有机整合*个村（社区）便民服务";
    assert_int_equal(hb_figures_extract(figs, t, strlen(t), out, 8), 3);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(out[i].subject_len, 0);
    t = "组织各级帮扶干部*多人对*户监测户开展走访，新增停车位*余个；";
    assert_int_equal(hb_figures_extract(figs, t, strlen(t), out, 8), 3);
    assert_int_equal(out[0].subject_len, strlen("组织各级帮扶干部")); /* 对 is no noun */
    assert_memory_equal(out[0].subject, "组织各级帮扶干部", out[0].subject_len);
    assert_int_equal(out[1].subject_len, 0);
    assert_int_equal(out[2].subject_len, strlen("新增停车位"));
    t = "争取资金330万元对道路进行改造"; /* money is no measure word */
    assert_int_equal(hb_figures_extract(figs, t, strlen(t), out, 8), 1);
    assert_int_equal(out[0].subject_len, strlen("争取资金"));
}

/* A temp config of our own: markers with meanings, multiplier + unit. */
static void test_figures_temp_config(void **state)
{
    (void)state;
    char *path = write_temp("# test\n[figures]\nunits = 头 只\napprox_before = 约 超=超过\n"
                            "approx_after = 余\nmultipliers = 万=10000\n");
    hb_figures_t *f = hb_figures_load(path);
    assert_non_null(f);
    hb_figure_t out[4];
    const char *t = "出栏约3万头，存栏超500只，另有20人";
    size_t n = hb_figures_extract(f, t, strlen(t), out, 4);
    assert_int_equal(n, 2); /* 人 is not a unit here */
    assert_string_equal(out[0].unit, "万头");
    assert_string_equal(out[0].approx, "约");
    assert_true(out[0].value == 3);
    assert_string_equal(out[1].unit, "只");
    assert_string_equal(out[1].approx, "超过");
    assert_true(out[1].value == 500);
    hb_figures_free(f);
    unlink(path);
    free(path);
}

static void expect_figures_load_fails(const char *conf, int line, const char *words)
{
    char *path = write_temp(conf);
    capture_t c;
    capture_start(&c);
    hb_figures_t *f = hb_figures_load(path);
    char *log = capture_end(&c);
    hb_figures_free(f);
    assert_null(f);
    if (line > 0)
        assert_names_line(log, path, line);
    if (words && !strstr(log, words))
        fail_msg("expected \"%s\" in: %s", words, log);
    free(log);
    unlink(path);
    free(path);
}

static void test_figures_config_errors(void **state)
{
    (void)state;
    /* unknown key, on line 3 */
    expect_figures_load_fails("[figures]\nunits = 人\nunitz = 个\napprox_before = 约\n"
                              "approx_after = 余\nmultipliers = 万=10000\n",
                              3, "unknown setting");
    /* an empty units list */
    expect_figures_load_fails("[figures]\nunits =\napprox_before = 约\napprox_after = 余\n"
                              "multipliers = 万=10000\n",
                              0, "must all be given");
    /* units in the wrong section */
    expect_figures_load_fails("[figure]\nunits = 人\n", 2, "unknown setting");
    /* a word over 24 bytes */
    expect_figures_load_fails("[figures]\nunits = 一二三四五六七八九\napprox_before = 约\n"
                              "approx_after = 余\nmultipliers = 万=10000\n",
                              2, NULL);
    /* no such file */
    capture_t c;
    capture_start(&c);
    hb_figures_t *f = hb_figures_load("/nonexistent/figures.conf");
    char *log = capture_end(&c);
    assert_null(f);
    assert_non_null(strstr(log, "cannot open"));
    free(log);
}

/* ---- classifier --------------------------------------------------------- */

static const char TOPICS[] =
    "# test topics\n"
    "[scoring]\n"
    "heading_weight = 3\n"
    "parent_heading_weight = 1\n"
    "min_score = 1\n"
    "multi_label_ratio = 0.4\n"
    "overview_general_weight = 2\n"
    "\n"
    "[topic general]\n"
    "label = 综述\n"
    "keywords = 汇报如下:3 各项工作\n"
    "\n"
    "[topic party_building]\n"
    "label = 党的建设\n"
    "keywords = 党建:3 党员\n"
    "\n"
    "[topic agriculture]\n"
    "label = 农业\n"
    "keywords = 粮食:2 水稻 耕地\n";

enum { T_GENERAL, T_PARTY, T_AGRI };

static hb_classifier_t *cls;

/* A classifier loaded from conf, written to a temporary file and removed. */
static hb_classifier_t *classifier_from(const char *conf, const char *const *watch)
{
    char *path = write_temp(conf);
    hb_classifier_t *c = hb_classifier_load(path, watch);
    unlink(path);
    free(path);
    return c;
}

static int classifier_setup(void **state)
{
    (void)state;
    cls = classifier_from(TOPICS, NULL);
    return cls ? 0 : -1;
}

static int classifier_teardown(void **state)
{
    (void)state;
    hb_classifier_free(cls);
    cls = NULL;
    return 0;
}

static hb_text_ref_t ref(const char *s)
{
    return (hb_text_ref_t){s, strlen(s)};
}

static void classify(const char *const *headings, size_t depth, const char *text, bool overview,
                     hb_topics_t *out)
{
    hb_text_ref_t sec[8] = {{0}};
    for (size_t i = 0; i < depth; i++)
        sec[i] = ref(headings[i]);
    memset(out, 0xEE, sizeof *out);
    hb_classify(cls, sec, depth, ref(text), (hb_unit_place_t){overview, false}, out);
}

static void assert_topic(const hb_topics_t *t, size_t i, uint32_t topic, double share)
{
    assert_true(i < t->n);
    assert_int_equal(t->t[i].topic, topic);
    assert_float_equal(t->t[i].score, share, 1e-9);
}

static void test_classifier_loaded(void **state)
{
    (void)state;
    assert_int_equal(hb_classifier_ntopics(cls), 3);
    assert_int_equal(hb_classifier_nkeywords(cls), 7);
    assert_string_equal(hb_classifier_topic_id(cls, T_GENERAL), "general");
    assert_string_equal(hb_classifier_topic_id(cls, T_PARTY), "party_building");
    assert_string_equal(hb_classifier_topic_id(cls, T_AGRI), "agriculture");
    assert_null(hb_classifier_topic_id(cls, 3));
}

/* Body keywords: 党建(3) + 党员(1) = 4 against 各项工作(1): party_building,
 * general dropped (1 < 0.4 * 4). */
static void test_classify_main_topic_from_body(void **state)
{
    (void)state;
    hb_topics_t t;
    classify(NULL, 0, "抓好党建工作，发挥党员作用，推进各项工作", false, &t);
    assert_int_equal(t.main, T_PARTY);
    assert_int_equal(t.n, 1);
    assert_topic(&t, 0, T_PARTY, 0.8); /* 4 of 5 */
}

/* One body keyword 党员 (1) against 粮食 (2) in the heading, times 3. */
static void test_classify_heading_weight(void **state)
{
    (void)state;
    hb_topics_t t;
    const char *h[] = {"（二）守住粮食安全"};
    classify(NULL, 0, "组织党员开展志愿服务", false, &t);
    assert_int_equal(t.main, T_PARTY); /* without the heading */
    classify(h, 1, "组织党员开展志愿服务", false, &t);
    assert_int_equal(t.main, T_AGRI);
    assert_int_equal(t.n, 1); /* party 1 < 0.4 * 6 */
    assert_topic(&t, 0, T_AGRI, 0.857);
    /* 党建 (3) in the body loses to 粮食 in the heading (6) but is kept. */
    classify(h, 1, "加强党建", false, &t);
    assert_int_equal(t.main, T_AGRI);
    assert_int_equal(t.n, 2);
    assert_topic(&t, 0, T_AGRI, 0.667);
    assert_topic(&t, 1, T_PARTY, 0.333);
}

/* The deepest heading weighs heading_weight, those above parent_heading_weight. */
static void test_classify_deepest_heading_weighs_most(void **state)
{
    (void)state;
    hb_topics_t t;
    const char *h1[] = {"党建引领", "粮食安全"}; /* party 3*1, agri 2*3 */
    classify(h1, 2, "", false, &t);
    assert_int_equal(t.main, T_AGRI);
    assert_int_equal(t.n, 1); /* party is in a heading only, not in the text */
    assert_topic(&t, 0, T_AGRI, 0.667);
    const char *h2[] = {"粮食安全", "党建引领"}; /* agri 2*1, party 3*3 */
    classify(h2, 2, "", false, &t);
    assert_int_equal(t.main, T_PARTY);
    assert_int_equal(t.n, 1); /* 2 < 0.4 * 9 */
    assert_topic(&t, 0, T_PARTY, 0.818);
}

/* An overview leans to general (its general evidence counts twice) but is
 * never general by rule: an area that outweighs the general words wins. */
static void test_classify_overview_leans_general(void **state)
{
    (void)state;
    hb_topics_t t;
    /* two areas, no general word: the stronger area, overview or not */
    classify(NULL, 0, "抓党建，保粮食", true, &t);
    assert_int_equal(t.main, T_PARTY);
    assert_int_equal(t.n, 2);
    /* 各项工作 (1, twice in an overview) against 粮食 (2): a tie is general */
    classify(NULL, 0, "统筹各项工作，保粮食", true, &t);
    assert_int_equal(t.main, T_GENERAL);
    assert_int_equal(t.n, 1);
    assert_topic(&t, 0, T_GENERAL, 1.0);
    /* the same text, not an overview: agriculture */
    classify(NULL, 0, "统筹各项工作，保粮食", false, &t);
    assert_int_equal(t.main, T_AGRI);
    assert_int_equal(t.n, 1);
    /* general words that outweigh every area: general in any unit */
    classify(NULL, 0, "现将各项工作汇报如下：抓党建", false, &t);
    assert_int_equal(t.main, T_GENERAL);
}

/* A keyword found n times counts sqrt(n) times: four 党建 (3 each) weigh 6,
 * not 12, so 粮食 and 水稻 (3) beside them are still reported (ratio 0.4). */
static void test_classify_repeats_saturate(void **state)
{
    (void)state;
    hb_topics_t t;
    classify(NULL, 0, "党建党建党建党建，粮食水稻", false, &t);
    assert_int_equal(t.main, T_PARTY);
    assert_int_equal(t.n, 2);
    assert_topic(&t, 0, T_PARTY, 0.667);
    assert_topic(&t, 1, T_AGRI, 0.333);
}

static void test_classify_no_hits_is_general(void **state)
{
    (void)state;
    hb_topics_t t;
    classify(NULL, 0, "今天天气晴朗，群众满意。", false, &t);
    assert_int_equal(t.main, T_GENERAL);
    assert_int_equal(t.n, 1);
    assert_topic(&t, 0, T_GENERAL, 1.0);
    classify(NULL, 0, "", false, &t);
    assert_int_equal(t.main, T_GENERAL);
    assert_int_equal(t.n, 1);
}

/* multi_label_ratio 0.4: agri 2 of party 3 is kept, agri 1 of 3 is not. */
static void test_classify_multi_label(void **state)
{
    (void)state;
    hb_topics_t t;
    classify(NULL, 0, "抓党建，保粮食", false, &t);
    assert_int_equal(t.main, T_PARTY);
    assert_int_equal(t.n, 2);
    assert_topic(&t, 0, T_PARTY, 0.6);
    assert_topic(&t, 1, T_AGRI, 0.4);
    classify(NULL, 0, "抓党建，种水稻", false, &t);
    assert_int_equal(t.main, T_PARTY);
    assert_int_equal(t.n, 1);
    assert_topic(&t, 0, T_PARTY, 0.75);
}

/* Without a "general" topic a unit with no hits has no topic. */
static void test_classify_no_general_topic(void **state)
{
    (void)state;
    hb_classifier_t *c = classifier_from("[topic party_building]\nkeywords = 党建:3\n", NULL);
    assert_non_null(c);
    hb_topics_t t;
    hb_classify(c, NULL, 0, ref("种水稻"), (hb_unit_place_t){false, false}, &t);
    assert_int_equal(t.main, -1);
    assert_int_equal(t.n, 0);
    hb_classify(c, NULL, 0, ref("抓党建"), (hb_unit_place_t){false, false}, &t);
    assert_int_equal(t.main, 0);
    assert_int_equal(t.n, 1);
    hb_classifier_free(c);
}

/* Watch words are reported for the text only, and a watch word that is also
 * a keyword still scores. */
static void test_classify_watch_words(void **state)
{
    (void)state;
    static const char *const watch[] = {"村", "社区", NULL};
    hb_classifier_t *c = classifier_from("[topic rural]\nkeywords = 村:2\n", watch);
    assert_non_null(c);
    hb_topics_t t;
    hb_classify(c, NULL, 0, ref("走访社区和村"), (hb_unit_place_t){false, false}, &t);
    assert_int_equal(t.seen, 3);
    assert_int_equal(t.main, 0);
    hb_classify(c, NULL, 0, ref("社区服务"), (hb_unit_place_t){false, false}, &t);
    assert_int_equal(t.seen, 2);
    assert_int_equal(t.main, -1);
    hb_text_ref_t heading = ref("（一）村级组织");
    hb_classify(c, &heading, 1, ref("种水稻"), (hb_unit_place_t){false, false}, &t);
    assert_int_equal(t.seen, 0);
    assert_int_equal(t.main, 0);
    hb_classifier_free(c);
}

static void expect_classifier_load_fails(const char *conf, int line, const char *words)
{
    char *path = write_temp(conf);
    capture_t c;
    capture_start(&c);
    hb_classifier_t *cl = hb_classifier_load(path, NULL);
    char *log = capture_end(&c);
    hb_classifier_free(cl);
    assert_null(cl);
    assert_names_line(log, path, line);
    if (!strstr(log, words))
        fail_msg("expected \"%s\" in: %s", words, log);
    free(log);
    unlink(path);
    free(path);
}

static void test_classifier_config_errors(void **state)
{
    (void)state;
    expect_classifier_load_fails("[topic party_building]\nkeywords = 党员 党建:x\n", 2,
                                 "weight must be");
    expect_classifier_load_fails("[topic party_building]\nkeywords = 党建:0\n", 2,
                                 "weight must be");
    expect_classifier_load_fails("[topic party_building]\nkeywords = 党建:3\n[topics x]\n"
                                 "keywords = 粮食\n",
                                 4, "unknown section");
    expect_classifier_load_fails("[topic party_building]\nlabel = 党建\nkeyword = 党建:3\n", 3,
                                 "unknown key");
    expect_classifier_load_fails("[scoring]\nheading_wieght = 3\n[topic a]\nkeywords = 党建\n", 2,
                                 "unknown scoring setting");
    expect_classifier_load_fails("[scoring]\nmin_score = -1\n[topic a]\nkeywords = 党建\n", 2,
                                 "non-negative number");
    expect_classifier_load_fails("[topic]\nkeywords = 党建:3\n", 2, "needs an id");
}

int main(void)
{
    const struct CMUnitTest figures[] = {
        cmocka_unit_test(test_seed_masked_households_and_mu),
        cmocka_unit_test(test_seed_masked_x_issue),
        cmocka_unit_test(test_seed_masked_person_times),
        cmocka_unit_test(test_seed_masked_decimal_yi_yuan),
        cmocka_unit_test(test_seed_masked_wan_yu_yuan),
        cmocka_unit_test(test_seed_masked_qian_duo_mi),
        cmocka_unit_test(test_seed_approx_before_masked),
        cmocka_unit_test(test_seed_bare_multiplier),
        cmocka_unit_test(test_seed_plain_values),
        cmocka_unit_test(test_seed_over_and_yu),
        cmocka_unit_test(test_seed_yu_pian_and_anniversary),
        cmocka_unit_test(test_seed_person_times),
        cmocka_unit_test(test_seed_percent),
        cmocka_unit_test(test_seed_units_without_figures),
        cmocka_unit_test(test_not_figures),
        cmocka_unit_test(test_full_width_digits),
        cmocka_unit_test(test_markers_and_units),
        cmocka_unit_test(test_empty_text),
        cmocka_unit_test(test_len_is_honoured),
        cmocka_unit_test(test_max_is_honoured),
        cmocka_unit_test(test_seed_times_sign_between_masks),
        cmocka_unit_test(test_seed_quoted_plan_name),
        cmocka_unit_test(test_thousands_separator),
        cmocka_unit_test(test_range),
        cmocka_unit_test(test_integer_values),
        cmocka_unit_test(test_chinese_numerals),
        cmocka_unit_test(test_chinese_numerals_known),
        cmocka_unit_test(test_subject),
        cmocka_unit_test(test_base_units),
        cmocka_unit_test(test_base_config),
        cmocka_unit_test(test_mask_styles),
        cmocka_unit_test(test_dates_and_durations),
        cmocka_unit_test(test_subject_fragments),
        cmocka_unit_test(test_figures_temp_config),
        cmocka_unit_test(test_figures_config_errors),
    };
    const struct CMUnitTest classifier[] = {
        cmocka_unit_test(test_classifier_loaded),
        cmocka_unit_test(test_classify_main_topic_from_body),
        cmocka_unit_test(test_classify_heading_weight),
        cmocka_unit_test(test_classify_deepest_heading_weighs_most),
        cmocka_unit_test(test_classify_overview_leans_general),
        cmocka_unit_test(test_classify_repeats_saturate),
        cmocka_unit_test(test_classify_no_hits_is_general),
        cmocka_unit_test(test_classify_multi_label),
        cmocka_unit_test(test_classify_no_general_topic),
        cmocka_unit_test(test_classify_watch_words),
        cmocka_unit_test(test_classifier_config_errors),
    };
    int failed = cmocka_run_group_tests_name("figures", figures, figures_setup, figures_teardown);
    failed += cmocka_run_group_tests_name("classifier", classifier, classifier_setup,
                                          classifier_teardown);
    return failed;
}
