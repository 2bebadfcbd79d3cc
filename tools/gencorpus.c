/* gencorpus: a synthetic corpus of township work reports, for benchmarks.
 *
 * Writes OUT/<county>/<town>/<year>.txt (元潭镇, 青山县, 2016…2024) until the
 * files add up to --mb megabytes (10^6 bytes).  The reports have the shape of
 * the real ones in tests/data/seeds: a title on one or two lines or none, web
 * clutter (【字体：大 中 小】, 来源：…), a preamble, part headings
 * (一、上半年工作总结 / 二、存在的问题 / 三、下半年工作计划 and variants), subject
 * headings in every numbering style (（一） 1. （1） ① 第一，), headings that
 * carry their body on the same line, 一是/二是 items, figures plain and masked
 * (*户, xx余人, 约300万元), sign-offs.  The words come from the topic keywords
 * of configs/topics.conf (--topics), mixed with the connective phrases of the
 * genre, so that classification does real work.  About 12% of the files are
 * GBK, 15% CRLF, 3% carry a UTF-8 BOM; 0.4% are long (0.2–1 MB) and 0.2% are
 * one very long line.
 *
 * Deterministic: document i is drawn from its own random stream, a function
 * of (--seed, i) only, so a smaller corpus is a prefix of a larger one with
 * the same seed and every run gives the same bytes.  Each document is built
 * whole in a buffer, then converted (CRLF, GBK through one iconv call) and
 * written with one write: 1 GB takes seconds.
 *
 * Ownership: main owns everything; the vocabulary strings are copied out of
 * the config, which is freed after loading. */
#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>

#include "hb_buf.h"
#include "hb_conf.h"
#include "hb_log.h"
#include "hb_mem.h"
#include "hb_opt.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_TOPICS 64
#define YEARS 9 /* 2016 … 2024 */
#define FIRST_YEAR 2016
#define TOWNS_PER_COUNTY 12

typedef struct gen_opts {
    const char *out;
    const char *topics;
    double mb;
    long seed;
    int quiet;
} gen_opts_t;

static const hb_opt_t gen_options[] = {
    {"out", 'o', HB_OPT_STR, offsetof(gen_opts_t, out), NULL, "DIR",
     "folder to create the corpus in (must be missing or empty)"},
    {"mb", 'm', HB_OPT_DOUBLE, offsetof(gen_opts_t, mb), "200", "SIZE",
     "stop once the files add up to this many megabytes (10^6 bytes)"},
    {"seed", 's', HB_OPT_INT, offsetof(gen_opts_t, seed), "1", "N",
     "random seed: the same seed gives the same bytes"},
    {"topics", 't', HB_OPT_STR, offsetof(gen_opts_t, topics), "configs/topics.conf", "FILE",
     "topic rules whose keywords make the vocabulary"},
    {"quiet", 'q', HB_OPT_FLAG, offsetof(gen_opts_t, quiet), NULL, NULL,
     "print nothing but errors"},
    HB_OPT_END,
};

/* ---- random stream: splitmix64, one per document ---- */

typedef struct rng {
    uint64_t s;
} rng_t;

static uint64_t rng_next(rng_t *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* 0 … n-1 */
static uint32_t below(rng_t *r, uint32_t n)
{
    return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* true with the given per-mille chance */
static bool chance(rng_t *r, uint32_t per_mille)
{
    return below(r, 1000) < per_mille;
}

#define PICK(r, a) ((a)[below((r), (uint32_t)N(a))])

/* ---- vocabulary ---- */

typedef struct topic {
    char *id;
    char **kw;
    size_t nkw, cap;
} topic_t;

typedef struct vocab {
    topic_t t[MAX_TOPICS];
    size_t n;
    int general; /* index of "general", -1 if none */
} vocab_t;

static const char *const VERB[] = {
    "扎实推进", "深入开展", "全面落实", "持续加强", "不断完善", "积极推动", "认真做好",
    "着力抓好", "切实强化", "统筹推进", "大力实施", "稳步推进", "全力抓好", "有序推进",
    "扎实开展", "全面加强", "持续深化", "狠抓"};
static const char *const VERB2[] = {"夯实", "推进", "强化", "深化", "狠抓", "聚焦", "突出",
                                    "抓实", "做实", "提升", "守牢", "优化", "着力", "抓好"};
static const char *const NOUN[] = {"工作", "建设", "机制", "体系", "行动", "专项行动",
                                   "宣传教育", "排查整治", "管理", "服务", "工作机制",
                                   "责任制", ""};
static const char *const RESULT[] = {
    "取得明显成效", "群众满意度持续提升", "得到上级充分肯定", "确保了各项工作有序推进",
    "确保了工作落到实处", "形成了浓厚氛围", "有效提升了工作水平", "牢牢守住了底线",
    "实现了时间过半、任务过半", "收获群众一致好评", "为全镇经济社会发展提供了坚强保障"};
static const char *const WHEN[] = {"上半年", "年初以来", "今年以来", "截至目前", "截至6月底",
                                   "1-6月", "*-*月", "半年来", "截至x月底"};
static const char *const ACT[] = {"开展", "排查", "发放", "培训", "检查", "走访", "完成",
                                  "新建", "整治", "投入", "组织", "召开", "举办", "慰问",
                                  "化解", "调解", "硬化", "改造", "种植", "新增", "落实",
                                  "兑现", "争取", "处置", "入户"};
static const char *const IMPORTANT[] = {"重要内容", "首要政治任务", "重中之重", "重要抓手",
                                        "头等大事", "中心工作"};
static const char *const SETTLED[] = {"落到实处", "取得实效", "不出问题", "平稳有序",
                                      "常态长效", "全面覆盖"};
static const char *const STATE[] = {"扎实推进", "成效明显", "稳步提升", "持续向好", "全面夯实",
                                    "有序开展", "不断加强", "精准发力", "高效推进", "再上台阶"};
static const char *const PLANV[] = {"进一步", "持续", "着力", "继续", "全力", "加快", "全面"};
static const char *const LACK[] = {
    "仍有短板，群众参与度不高", "还存在薄弱环节", "资金缺口较大，推进难度大",
    "基础相对薄弱，发展后劲不足", "与上级要求还有一定差距", "工作力量不足，人员老化",
    "产业规模偏小、带动能力不强", "长效机制尚未完全建立", "部分群众认识不到位"};
static const char *const FILLER[] = {
    "我们紧紧围绕年度目标任务，树立赶超意识，强化责任担当，统筹做好了各方面工作。",
    "镇党委、政府高度重视，成立了以主要领导为组长的工作领导小组，明确责任分工，细化工作措施。",
    "坚持问题导向、目标导向、结果导向，做到了横向到边、纵向到底。",
    "通过召开院坝会、发放明白卡、张贴标语等形式，广泛宣传，营造了良好氛围。",
    "各村（社区）按照“一村一策”的要求，结合实际制定了具体工作方案。",
    "坚持每周一调度、每月一通报，及时解决工作推进中遇到的困难和问题。"};

/* figures: a unit, and how large its numbers usually are */
typedef struct unit {
    const char *s;
    uint32_t max;
} unit_t;
static const unit_t UNITS[] = {
    {"户", 3000},   {"人", 5000},    {"人次", 20000}, {"次", 60},     {"处", 300},
    {"个", 80},     {"家", 200},     {"亩", 20000},   {"万元", 9000}, {"元", 500000},
    {"公里", 120},  {"名", 900},     {"项", 40},      {"起", 150},    {"件", 600},
    {"场", 50},     {"家次", 800},   {"台次", 900},   {"吨", 5000},   {"平方米", 90000},
    {"份", 10000},  {"条", 300},     {"座", 60},      {"只", 8000},   {"%", 100}};

static const char *const CN_DIGIT[] = {"", "一", "二", "三", "四", "五", "六", "七", "八", "九"};

/* 1 … 99 as Chinese numerals */
static void put_cn(hb_buf_t *b, unsigned n)
{
    n = (n - 1) % 99 + 1;
    if (n >= 10) {
        if (n / 10 > 1)
            hb_buf_puts(b, CN_DIGIT[n / 10]);
        hb_buf_puts(b, "十");
    }
    hb_buf_puts(b, CN_DIGIT[n % 10]);
}

static void put_circled(hb_buf_t *b, unsigned n)
{
    unsigned cp = 0x2460 + (n - 1) % 20; /* ① … ⑳ */
    char u[3] = {(char)(0xE0 | (cp >> 12)), (char)(0x80 | ((cp >> 6) & 0x3F)),
                 (char)(0x80 | (cp & 0x3F))};
    hb_buf_append(b, u, 3);
}

static void put_fullwidth_digits(hb_buf_t *b, const char *ascii)
{
    for (; *ascii; ascii++) {
        if (*ascii >= '0' && *ascii <= '9') {
            char u[3] = {(char)0xEF, (char)0xBC, (char)(0x90 + (*ascii - '0'))};
            hb_buf_append(b, u, 3);
        } else {
            hb_buf_putc(b, *ascii);
        }
    }
}

static int load_vocab(vocab_t *v, const char *path)
{
    hb_conf_t *c = hb_conf_load(path);
    if (!c)
        return -1;
    v->general = -1;
    for (size_t i = 0; i < c->n; i++) {
        const hb_conf_entry_t *e = &c->entries[i];
        if (strcmp(e->section, "topic") || !*e->name || strcmp(e->key, "keywords"))
            continue;
        size_t t;
        for (t = 0; t < v->n; t++)
            if (!strcmp(v->t[t].id, e->name))
                break;
        if (t == v->n) {
            if (v->n == MAX_TOPICS) {
                hb_error("%s:%d: more than %d topics; gencorpus uses the first ones", path,
                         e->line, MAX_TOPICS);
                continue;
            }
            v->t[v->n++].id = hb_strdup(e->name);
            if (!strcmp(e->name, "general"))
                v->general = (int)t;
        }
        topic_t *tp = &v->t[t];
        for (const char *p = e->value; *p;) {
            while (*p == ' ' || *p == '\t')
                p++;
            const char *end = p;
            while (*end && *end != ' ' && *end != '\t')
                end++;
            if (end == p)
                break;
            const char *colon = memchr(p, ':', (size_t)(end - p));
            size_t len = colon ? (size_t)(colon - p) : (size_t)(end - p);
            if (len) {
                if (tp->nkw == tp->cap) {
                    tp->cap = tp->cap ? tp->cap * 2 : 32;
                    tp->kw = hb_realloc(tp->kw, tp->cap * sizeof *tp->kw);
                }
                tp->kw[tp->nkw++] = hb_strndup(p, len);
            }
            p = end;
        }
    }
    hb_conf_free(c);
    size_t usable = 0;
    for (size_t t = 0; t < v->n; t++)
        usable += (int)t != v->general && v->t[t].nkw > 0;
    if (usable == 0) {
        hb_error("%s: no [topic …] section with keywords besides general; gencorpus needs "
                 "topic keywords to write with (see configs/topics.conf)", path);
        return -1;
    }
    return 0;
}

static void free_vocab(vocab_t *v)
{
    for (size_t t = 0; t < v->n; t++) {
        for (size_t k = 0; k < v->t[t].nkw; k++)
            free(v->t[t].kw[k]);
        free(v->t[t].kw);
        free(v->t[t].id);
    }
}

/* ---- one document ---- */

typedef struct doc {
    rng_t r;
    const vocab_t *v;
    hb_buf_t *b;
    const char *town, *county;
    int year;
    int mask;      /* 0 plain figures, 1 masked with *, 2 masked with x */
    bool fullwidth;
    uint32_t topic; /* the subject being written */
} doc_t;

static uint32_t pick_topic(doc_t *d)
{
    for (;;) {
        uint32_t t = below(&d->r, (uint32_t)d->v->n);
        if ((int)t != d->v->general && d->v->t[t].nkw)
            return t;
    }
}

static void kw(doc_t *d)
{
    const topic_t *t = &d->v->t[d->topic];
    /* one word in eight from another topic: real paragraphs stray */
    if (chance(&d->r, 125))
        t = &d->v->t[pick_topic(d)];
    hb_buf_puts(d->b, t->kw[below(&d->r, (uint32_t)t->nkw)]);
}

static void general_kw(doc_t *d)
{
    if (d->v->general < 0) {
        kw(d);
        return;
    }
    const topic_t *t = &d->v->t[d->v->general];
    hb_buf_puts(d->b, t->kw[below(&d->r, (uint32_t)t->nkw)]);
}

static void put(doc_t *d, const char *s)
{
    hb_buf_puts(d->b, s);
}

static void figure(doc_t *d)
{
    const unit_t *u = &UNITS[below(&d->r, (uint32_t)N(UNITS))];
    char num[32];
    int mask = chance(&d->r, 100) ? (int)below(&d->r, 3) : d->mask;
    bool pct = !strcmp(u->s, "%");
    if (!pct && chance(&d->r, 100))
        put(d, PICK(&d->r, ((const char *const[]){"约", "超过", "近", "逾"})));
    if (mask == 1) {
        snprintf(num, sizeof num, "%s", chance(&d->r, 800) ? "*" : "**");
    } else if (mask == 2) {
        static const char *const xs[] = {"x", "xx", "xxx", "X", "xxxx"};
        snprintf(num, sizeof num, "%s", PICK(&d->r, xs));
    } else if (pct || chance(&d->r, 80)) {
        snprintf(num, sizeof num, "%u.%u", below(&d->r, u->max), below(&d->r, 10));
    } else {
        snprintf(num, sizeof num, "%u", 1 + below(&d->r, u->max));
    }
    if (d->fullwidth && mask == 0)
        put_fullwidth_digits(d->b, num);
    else
        put(d, num);
    if (!pct && chance(&d->r, 200))
        put(d, chance(&d->r, 500) ? "余" : "多");
    put(d, u->s);
}

/* Sentence and heading templates.  A slot {c} is filled by expand():
 *   K topic keyword   G general keyword   F figure   % percentage
 *   V verb phrase     2 two-character verb  N noun   A counting verb
 *   W time phrase     R result   I importance   S settled   T state
 *   P plan adverb     L what is lacking      X a stock sentence */
static const char *const SUMMARY_T[] = {
    "{W}，{A}{K}{N}{F}，{A}{K}{F}，{R}。",
    "坚持把{K}作为{I}，{V}{K}{N}，{V}{K}，{R}。",
    "{V}{K}，{A}{F}，{A}{F}，其中{K}{F}。",
    "严格落实{K}{N}，{V}{K}和{K}，确保{K}{S}。",
    "全镇共{A}{K}{N}{F}，同比增长{%}，{R}。",
    "以{K}为抓手，{V}{K}，{A}{F}，带动{F}。",
    "{X}",
    "通过{K}、{K}等方式，{V}{K}{N}，累计{A}{F}。"};
static const char *const PLAN_T[] = {
    "{P}{K}{N}，{V}{K}，力争{A}{F}。",
    "坚持{K}，{P}{V}{K}，确保{K}{S}。",
    "加快推进{K}{N}，计划{A}{F}，{A}{K}{F}。",
    "{V}{K}和{K}，{P}提升{K}水平。"};
static const char *const PROBLEM_T[] = {
    "{K}{N}{L}。",
    "部分干部{K}意识不强，{K}工作{L}。",
    "受多种因素影响，{K}推进较慢，{L}。"};
static const char *const TITLE_T[] = {
    "{2}{K}，{2}{K}", "{K}{T}", "抓{K}，促{K}", "坚持{K}，{K}{T}", "在{K}上“干”出新成绩"};
static const char *const PLAN_TITLE_T[] = {"着力{K}，{2}{K}", "持续抓好{K}", "{P}{2}{K}"};

static void percentage(doc_t *d)
{
    if (d->mask)
        put(d, d->mask == 1 ? "*%" : "x%");
    else
        hb_buf_printf(d->b, "%u.%u%%", below(&d->r, 40), below(&d->r, 10));
}

static void expand(doc_t *d, const char *t)
{
    rng_t *r = &d->r;
    for (const char *p = t; *p;) {
        const char *open = strchr(p, '{');
        if (!open) {
            put(d, p);
            return;
        }
        hb_buf_append(d->b, p, (size_t)(open - p));
        switch (open[1]) {
        case 'K': kw(d); break;
        case 'G': general_kw(d); break;
        case 'F': figure(d); break;
        case '%': percentage(d); break;
        case 'V': put(d, PICK(r, VERB)); break;
        case '2': put(d, PICK(r, VERB2)); break;
        case 'N': put(d, PICK(r, NOUN)); break;
        case 'A': put(d, PICK(r, ACT)); break;
        case 'W': put(d, PICK(r, WHEN)); break;
        case 'R': put(d, PICK(r, RESULT)); break;
        case 'I': put(d, PICK(r, IMPORTANT)); break;
        case 'S': put(d, PICK(r, SETTLED)); break;
        case 'T': put(d, PICK(r, STATE)); break;
        case 'P': put(d, PICK(r, PLANV)); break;
        case 'L': put(d, PICK(r, LACK)); break;
        case 'X': put(d, PICK(r, FILLER)); break;
        default: break;
        }
        p = open + 3; /* "{c}" */
    }
}

/* One sentence of a subject, ending in 。: kind 's' summary, 'n' plan,
 * 'p' problem. */
static void sentence(doc_t *d, char kind)
{
    rng_t *r = &d->r;
    expand(d, kind == 'p'   ? PICK(r, PROBLEM_T)
              : kind == 'n' ? PICK(r, PLAN_T)
                            : PICK(r, SUMMARY_T));
}

static void sentences(doc_t *d, char kind, uint32_t lo, uint32_t hi)
{
    uint32_t n = lo + below(&d->r, hi - lo + 1);
    for (uint32_t i = 0; i < n; i++)
        sentence(d, kind);
}

/* A subject heading's words, without numbering or final stop. */
static void subject_title(doc_t *d, char kind)
{
    expand(d, kind == 'n' ? PICK(&d->r, PLAN_TITLE_T) : PICK(&d->r, TITLE_T));
}

/* 一是…二是… items: inline in one paragraph or one per line */
static void items(doc_t *d, char kind)
{
    uint32_t n = 2 + below(&d->r, 4);
    bool inline_ = chance(&d->r, 500);
    for (uint32_t i = 1; i <= n; i++) {
        put_cn(d->b, i);
        put(d, "是");
        if (chance(&d->r, 600)) /* a short head: 一是抓班子。 */
            expand(d, "{2}{K}。");
        sentences(d, kind, 2, 4);
        if (!inline_)
            put(d, "\n");
    }
    if (inline_)
        put(d, "\n");
}

enum { ST_PAREN_CN, ST_ARABIC, ST_PAREN_AR, ST_CIRCLED, ST_DI, ST_ITEMS };

static void put_number(doc_t *d, int style, unsigned n)
{
    switch (style) {
    case ST_PAREN_CN:
        put(d, "（");
        put_cn(d->b, n);
        put(d, "）");
        break;
    case ST_ARABIC:
        hb_buf_printf(d->b, "%u.", (n - 1) % 99 + 1);
        break;
    case ST_PAREN_AR:
        hb_buf_printf(d->b, "（%u）", (n - 1) % 99 + 1);
        break;
    case ST_CIRCLED:
        put_circled(d->b, n);
        break;
    case ST_DI:
        put(d, "第");
        put_cn(d->b, n);
        put(d, "，");
        break;
    default:
        break;
    }
}

/* One subject: numbered heading (inline body or own line), its paragraphs,
 * maybe items or lower headings. */
static void subject(doc_t *d, int style, int sub_style, unsigned n, char kind)
{
    d->topic = pick_topic(d);
    if (style == ST_ITEMS) { /* the part is one run of 一是/二是 items */
        items(d, kind);
        return;
    }
    put_number(d, style, n);
    subject_title(d, kind);
    if (style == ST_DI || chance(&d->r, 500)) { /* heading with inline body */
        put(d, "。");
        sentences(d, kind, 3, 8);
        put(d, "\n");
    } else {
        put(d, "\n");
        sentences(d, kind, 3, 7);
        put(d, "\n");
    }
    if (chance(&d->r, 250))
        items(d, kind);
    if (sub_style >= 0 && chance(&d->r, 200)) {
        uint32_t m = 2 + below(&d->r, 3);
        for (uint32_t i = 1; i <= m; i++) {
            put_number(d, sub_style, i);
            subject_title(d, kind);
            put(d, "。");
            sentences(d, kind, 2, 4);
            put(d, "\n");
        }
    }
}

static const char *const PART_SUMMARY[] = {
    "上半年工作总结", "上半年工作开展情况", "%d年上半年工作完成情况", "主要工作及成效",
    "工作开展情况", "上半年工作回顾", "上半年主要工作及成效", "%d年上半年工作总结"};
static const char *const PART_PROBLEM[] = {"存在的问题", "存在的困难和问题",
                                           "存在的主要问题和不足", "当前面临的困难和问题",
                                           "工作中存在的不足", "存在的短板和不足"};
static const char *const PART_PLAN[] = {"下半年工作计划", "下半年工作打算", "下步工作思路",
                                        "下半年重点工作安排", "下一步工作计划",
                                        "%d年下半年工作谋划"};

static void part_heading(doc_t *d, unsigned n, const char *fmt)
{
    put_cn(d->b, n);
    put(d, "、");
    hb_buf_printf(d->b, fmt, d->year);
    put(d, "\n");
}

static void clutter_top(doc_t *d)
{
    static const char *const lines[] = {"【字体：大 中 小】", "【打印】【关闭】", "分享到：",
                                        "【字体：大 中 小】【打印】"};
    put(d, PICK(&d->r, lines));
    put(d, "\n");
    hb_buf_printf(d->b, "来源：%s人民政府\n", d->town);
    hb_buf_printf(d->b, "发布时间：%d-07-%02u %02u:%02u\n", d->year, 1 + below(&d->r, 28),
                  8 + below(&d->r, 10), below(&d->r, 60));
    if (chance(&d->r, 500))
        hb_buf_printf(d->b, "浏览次数：%u\n", 10 + below(&d->r, 5000));
}

static void title(doc_t *d, const char *place)
{
    switch (below(&d->r, 5)) {
    case 0:
        hb_buf_printf(d->b, "%s%d年上半年工作总结及\n下半年工作计划\n", place, d->year);
        break;
    case 1:
        hb_buf_printf(d->b, "%s关于%d年上半年工作总结和下半年工作打算的报告\n", place, d->year);
        break;
    case 2:
        hb_buf_printf(d->b, "%s%d年上半年工作总结\n", place, d->year);
        break;
    case 3:
        hb_buf_printf(d->b, "关于%s%d年上半年工作情况的汇报\n", place, d->year);
        break;
    default:
        hb_buf_printf(d->b, "%s%d年上半年工作总结及下半年工作计划\n", place, d->year);
    }
}

static void preamble(doc_t *d, const char *place)
{
    rng_t *r = &d->r;
    d->topic = pick_topic(d);
    static const char *const guide[] = {"习近平新时代中国特色社会主义思想",
                                        "党的二十大精神", "新发展理念", "十四五规划文件精神"};
    static const char *const deploy[] = {"中央和省、市、县各项决策部署", "县委全会精神",
                                         "上级决策部署", "县第十四次党代会精神"};
    put(d, PICK(r, ((const char *const[]){"今年以来", "上半年", "半年来", "年初以来"})));
    hb_buf_printf(d->b, "，在%s委、%s政府的%s下，%s党委、政府始终坚持以%s为指导，深入贯彻落实%s，",
                  d->county, d->county, chance(r, 500) ? "坚强领导" : "正确领导", place,
                  PICK(r, guide), PICK(r, deploy));
    expand(d, "统筹推进{K}、{K}等各项工作，{G}，总体呈现稳中有进、持续向好的良好态势。");
    if (chance(r, 500))
        sentence(d, 's');
    put(d, PICK(r, ((const char *const[]){"现将有关情况汇报如下：", "现将有关情况总结如下：",
                                          "现简要汇报如下：", "现将工作情况报告如下："})));
    put(d, "\n");
}

/* Builds document number i into d->b (UTF-8, LF). */
static void build_doc(doc_t *d, size_t target)
{
    rng_t *r = &d->r;
    char place[64];
    if (chance(r, 50))
        snprintf(place, sizeof place, "%s", chance(r, 500) ? "*镇" : "xx镇");
    else
        snprintf(place, sizeof place, "%s", d->town);
    d->mask = chance(r, 500) ? 0 : chance(r, 600) ? 1 : 2;
    d->fullwidth = chance(r, 30);

    if (chance(r, 250))
        clutter_top(d);
    if (chance(r, 800))
        title(d, place);
    if (chance(r, 850))
        preamble(d, place);

    /* shape: 0 summary/problem/plan, 1 summary/plan, 2 subjects as parts */
    uint32_t shape = below(r, 20);
    shape = shape < 11 ? 0 : shape < 16 ? 1 : 2;
    static const int styles[] = {ST_PAREN_CN, ST_PAREN_CN, ST_ARABIC, ST_ITEMS, ST_DI};
    static const int sub_styles[] = {ST_ARABIC, ST_PAREN_AR, ST_CIRCLED};
    int style = PICK(r, styles);
    int sub = style == ST_ARABIC ? ST_PAREN_AR : PICK(r, sub_styles);
    unsigned part = 1;
    size_t start = d->b->len;

    if (shape == 2) { /* 一、基层党建全面夯实 … with items */
        for (unsigned n = 1; d->b->len - start < target * 7 / 10 || n <= 3; n++) {
            d->topic = pick_topic(d);
            put_cn(d->b, part++);
            put(d, "、");
            subject_title(d, 's');
            put(d, "\n");
            if (chance(r, 600))
                items(d, 's');
            else
                for (unsigned k = 1, m = 2 + below(r, 4); k <= m; k++)
                    subject(d, sub == ST_CIRCLED ? ST_ARABIC : sub, -1, k, 's');
        }
    } else {
        part_heading(d, part++, PICK(r, PART_SUMMARY));
        if (chance(r, 400)) {
            d->topic = pick_topic(d);
            sentences(d, 's', 1, 3);
            put(d, "\n");
        }
        for (unsigned n = 1; d->b->len - start < target * 6 / 10 || n <= 2; n++)
            subject(d, style, sub, n, 's');
        if (shape == 0) {
            part_heading(d, part++, PICK(r, PART_PROBLEM));
            d->topic = pick_topic(d);
            if (chance(r, 500)) {
                put(d, "虽然上半年工作取得了一定成绩，但仍存在一些问题和不足，主要表现在：");
                put(d, chance(r, 500) ? "" : "\n");
            }
            if (chance(r, 600)) {
                items(d, 'p');
            } else {
                for (unsigned k = 1, m = 2 + below(r, 3); k <= m; k++) {
                    hb_buf_printf(d->b, "%u.", k);
                    d->topic = pick_topic(d);
                    sentences(d, 'p', 1, 2);
                    put(d, "\n");
                }
            }
        }
    }
    part_heading(d, part++, PICK(r, PART_PLAN));
    if (chance(r, 500))
        expand(d, "下一步，我镇将以{G}为指引，奋发作为、积极进取，全力以赴完成全年目标任务。\n");
    size_t plan_start = d->b->len;
    for (unsigned n = 1; d->b->len - start < target || n <= 2; n++) {
        subject(d, style == ST_DI ? ST_PAREN_CN : style, -1, n, 'n');
        if (d->b->len - plan_start > target) /* a very long summary part */
            break;
    }
    if (chance(r, 150))
        hb_buf_printf(d->b, "\n%s人民政府\n%d年7月%u日\n", place, d->year, 1 + below(r, 28));
    if (chance(r, 100))
        put(d, "【打印】【关闭】\n责任编辑：xx\n");
}

/* ---- names and files ---- */

static const char *const TOWN_CH[] = {
    "潭", "河", "山", "溪", "坪", "桥", "坝", "林", "湾", "岭", "塘", "口", "店", "铺", "寨",
    "田", "沟", "泉", "水", "石", "川", "江", "阳", "安", "平", "兴", "和", "丰", "华", "龙",
    "凤", "云", "新", "东", "西", "南", "北", "峰", "松", "柏", "桃", "杨", "柳", "梅", "竹",
    "兰", "花", "青", "白", "黄", "红", "金", "银", "宝", "福", "寿", "康", "乐", "庆", "祥"};
static const char *const COUNTY_A[] = {"青", "丰", "临", "安", "永", "长", "宁", "清", "平", "德",
                                       "昌", "顺", "泰", "宜", "嘉", "乐", "兴", "武", "文", "宣"};
static const char *const COUNTY_B[] = {"山", "川", "水", "江", "河", "阳", "平", "原", "城", "溪"};

static void town_name(char *out, size_t n, size_t t)
{
    static const char *const kinds[] = {"镇", "乡", "街道"};
    size_t per = N(TOWN_CH) + N(TOWN_CH) * N(TOWN_CH);
    const char *kind = kinds[(t / per) % N(kinds)];
    size_t k = t % per;
    if (k < N(TOWN_CH))
        snprintf(out, n, "元%s%s", TOWN_CH[k], kind);
    else {
        k -= N(TOWN_CH);
        snprintf(out, n, "元%s%s%s", TOWN_CH[k / N(TOWN_CH)], TOWN_CH[k % N(TOWN_CH)], kind);
    }
}

static void county_name(char *out, size_t n, size_t c)
{
    size_t per = N(COUNTY_A) * N(COUNTY_B);
    snprintf(out, n, "%s%s%s", COUNTY_A[c % per / N(COUNTY_B)], COUNTY_B[c % per % N(COUNTY_B)],
             c / per % 2 ? "区" : "县");
    if (c >= 2 * per) /* beyond 400 counties: number them, still a name */
        snprintf(out + strlen(out), n - strlen(out), "%zu", c / (2 * per));
}

static int make_dir(const char *path)
{
    if (mkdir(path, 0777) == 0 || errno == EEXIST)
        return 0;
    hb_error("%s: cannot create the folder: %s", path, strerror(errno));
    return -1;
}

static int dir_is_empty_or_missing(const char *path)
{
    DIR *dir = opendir(path);
    if (!dir)
        return errno == ENOENT ? 1 : -1;
    struct dirent *e;
    int empty = 1;
    while ((e = readdir(dir)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            empty = 0;
    closedir(dir);
    return empty;
}

static int write_file(const char *path, const char *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (fd < 0) {
        hb_error("%s: cannot create: %s", path, strerror(errno));
        return -1;
    }
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            hb_error("%s: cannot write: %s (is the disk full?)", path, strerror(errno));
            close(fd);
            return -1;
        }
        off += (size_t)w;
    }
    return close(fd);
}

/* UTF-8 in, GBK out: one iconv call for the whole document.  -1 if a
 * character has no GBK form (the caller keeps the UTF-8). */
static int to_gbk(iconv_t cd, const hb_buf_t *in, hb_buf_t *out)
{
    hb_buf_reset(out);
    hb_buf_reserve(out, in->len + 16);
    char *src = in->data, *dst = out->data;
    size_t left = in->len, room = out->cap - 1;
    iconv(cd, NULL, NULL, NULL, NULL);
    if (iconv(cd, &src, &left, &dst, &room) == (size_t)-1)
        return -1;
    out->len = (size_t)(dst - out->data);
    out->data[out->len] = '\0';
    return 0;
}

static void to_crlf(const hb_buf_t *in, hb_buf_t *out)
{
    hb_buf_reset(out);
    hb_buf_reserve(out, in->len + in->len / 16 + 16);
    const char *p = in->data, *end = in->data + in->len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        hb_buf_append(out, p, n);
        if (!nl)
            break;
        hb_buf_append(out, "\r\n", 2);
        p = nl + 1;
    }
}

static void one_line(hb_buf_t *b)
{
    /* keep the first line (the title, if any) and join the rest */
    char *nl = memchr(b->data, '\n', b->len);
    if (!nl)
        return;
    char *w = nl + 1;
    for (char *p = nl + 1; p < b->data + b->len; p++)
        if (*p != '\n')
            *w++ = *p;
    b->len = (size_t)(w - b->data);
    hb_buf_putc(b, '\n');
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    hb_log_init("gencorpus");
    gen_opts_t o;
    memset(&o, 0, sizeof o);
    const hb_opt_t *tables[] = {gen_options, NULL};
    void *targets[] = {&o, NULL};
    int rc = hb_opt_parse(tables, targets, argc, argv, 1, NULL, NULL);
    if (rc == HB_OPT_HELP) {
        hb_opt_usage(stdout, "gencorpus --out DIR [--mb SIZE] [--seed N] [options]",
                     "Write a synthetic corpus of township work reports (上半年工作总结及下半年工作"
                     "计划) as DIR/<county>/<town>/<year>.txt until the files add up to SIZE "
                     "megabytes: titles, clutter, preambles, part and subject headings in every "
                     "numbering style, 一是/二是 items, plain and masked figures, the words of "
                     "the topic keywords. About 12% GBK, 15% CRLF, 3% with a BOM, a few long "
                     "documents and a few one-line ones. The same seed gives the same bytes, and "
                     "a smaller corpus is a prefix of a larger one.",
                     tables);
        return 0;
    }
    if (rc != HB_OPT_OK || !o.out || !(o.mb > 0)) {
        if (rc == HB_OPT_OK)
            fprintf(stderr, "gencorpus: needs --out DIR and a --mb above 0 (see --help)\n");
        return 2;
    }
    hb_log_set_level(o.quiet ? HB_LOG_ERROR : HB_LOG_INFO);
    int empty = dir_is_empty_or_missing(o.out);
    if (empty <= 0) {
        if (empty == 0)
            hb_error("%s: the folder is not empty; remove it or pick another --out", o.out);
        else
            hb_error("%s: cannot open the folder: %s", o.out, strerror(errno));
        return 1;
    }
    vocab_t v;
    memset(&v, 0, sizeof v);
    if (load_vocab(&v, o.topics) != 0) {
        free_vocab(&v);
        return 1;
    }
    iconv_t cd = iconv_open("GBK", "UTF-8");
    if (cd == (iconv_t)-1) {
        hb_error("iconv cannot convert UTF-8 to GBK here (%s); install the glibc gconv "
                 "modules", strerror(errno));
        free_vocab(&v);
        return 1;
    }

    double t0 = now_s();
    uint64_t goal = (uint64_t)(o.mb * 1e6), total = 0;
    size_t ndocs = 0, ngbk = 0, ncrlf = 0, nbom = 0, nlong = 0, nline = 0, nkept = 0;
    hb_buf_t text, crlf, gbk, path;
    hb_buf_init(&text);
    hb_buf_init(&crlf);
    hb_buf_init(&gbk);
    hb_buf_init(&path);
    int status = make_dir(o.out) ? 1 : 0;
    char town[64], county[64];
    for (size_t i = 0; status == 0 && total < goal; i++) {
        size_t t = i / YEARS, c = t / TOWNS_PER_COUNTY;
        int year = FIRST_YEAR + (int)(i % YEARS);
        town_name(town, sizeof town, t);
        county_name(county, sizeof county, c);
        hb_buf_reset(&path);
        hb_buf_printf(&path, "%s/%s", o.out, county);
        if (i % (YEARS * TOWNS_PER_COUNTY) == 0 && make_dir(path.data)) {
            status = 1;
            break;
        }
        hb_buf_printf(&path, "/%s", town);
        if (i % YEARS == 0 && make_dir(path.data)) {
            status = 1;
            break;
        }
        hb_buf_printf(&path, "/%d.txt", year);

        doc_t d = {.r = {(uint64_t)o.seed * 0x2545F4914F6CDD1DULL ^ (i * 0x9E3779B97F4A7C15ULL)},
                   .v = &v, .b = &text, .town = town, .county = county, .year = year};
        rng_next(&d.r);
        hb_buf_reset(&text);
        bool long_doc = chance(&d.r, 4), line_doc = !long_doc && chance(&d.r, 2);
        size_t target = long_doc   ? 200000 + below(&d.r, 800000)
                        : line_doc ? 30000 + below(&d.r, 90000)
                                   : 4000 + below(&d.r, 8000) + below(&d.r, 8000);
        bool gbk_doc = chance(&d.r, 120), crlf_doc = chance(&d.r, 150);
        bool bom_doc = !gbk_doc && chance(&d.r, 30);
        build_doc(&d, target);
        if (line_doc)
            one_line(&text);
        const hb_buf_t *out = &text;
        if (crlf_doc) {
            to_crlf(out, &crlf);
            out = &crlf;
        }
        if (gbk_doc) {
            if (to_gbk(cd, out, &gbk) == 0) {
                out = &gbk;
                ngbk++;
            } else {
                nkept++;
            }
        }
        if (bom_doc) {
            hb_buf_reset(&gbk);
            hb_buf_append(&gbk, "\xEF\xBB\xBF", 3);
            hb_buf_append(&gbk, out->data, out->len);
            out = &gbk;
            nbom++;
        }
        if (write_file(path.data, out->data, out->len) != 0) {
            status = 1;
            break;
        }
        total += out->len;
        ndocs++;
        ncrlf += crlf_doc;
        nlong += long_doc;
        nline += line_doc;
    }
    if (status == 0) {
        hb_info("%zu documents, %.1f MB under %s in %.1f s (%zu GBK, %zu CRLF, %zu BOM, %zu "
                "long, %zu one-line)", ndocs, total / 1e6, o.out, now_s() - t0, ngbk, ncrlf,
                nbom, nlong, nline);
        if (nkept)
            hb_warn("%zu documents had characters GBK lacks and stayed UTF-8", nkept);
    }
    iconv_close(cd);
    hb_buf_release(&text);
    hb_buf_release(&crlf);
    hb_buf_release(&gbk);
    hb_buf_release(&path);
    free_vocab(&v);
    return status;
}
