#include "splitter.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "hb_ac.h"
#include "hb_conf.h"
#include "hb_log.h"
#include "hb_mem.h"
#include "hb_regex.h"
#include "hb_utf8.h"

enum kind { K_NONE, K_PREAMBLE, K_SUMMARY, K_PROBLEM, K_PLAN };
static const char *const kind_names[] = {NULL, "preamble", "summary", "problem", "plan"};

typedef struct heading {
    int style;   /* which numbering family: 一、 （一） 1. （1） ① 第一 */
    hb_span_t text; /* points into own: a heading outlives the line it came from */
    hb_buf_t own;
    enum kind kind; /* K_NONE unless the heading names a part of the report */
    enum kind implied; /* a top-level subject heading's part, from the parts before it */
} heading_t;

struct hb_splitter {
    hb_regex_t heading;      /* numbered heading at line start; group N = style N */
    hb_regex_t bare;         /* 一 / （二） alone on a line */
    hb_regex_t item_alone;   /* 四是 alone on a line, its text on the next */
    struct furniture_rule *rules; /* of the furniture file, in its order */
    size_t nrules;
    hb_ac_t *furniture_words;     /* the words the rules need; id = rule */
    uint8_t *rule_hit;            /* per rule: one of its words is on the line */
    hb_buf_t lower;               /* a line with capitals, lower-cased for the scan */
    hb_buf_t held;                /* an item heading waiting for its paragraph */
    /* A simplified view (hb_splitter_run_view): rules read view, units and
     * headings are cut from orig at the same offsets.  Each buffer that
     * holds a copy of the view has its twin from orig. */
    const char *view, *orig;
    size_t len;
    hb_buf_t joined_orig, held_orig, title_orig;
    /* A numbered line that is one whole sentence (1.加快发展数字经济，新建5G基站2万个。)
     * is taken for a heading; until something lies under it, the line is
     * kept here, and it is a unit after all when a sibling or a higher
     * heading (or the end) comes first.  Its twin holds it as written. */
    hb_buf_t bodyless, bodyless_orig;
    hb_buf_t header_title, header_title_orig; /* a title taken above a breadcrumb */
    size_t bodyless_depth; /* its place in the stack + 1; 0: none held */
    size_t held_marker;           /* where its 一是 ends */
    size_t furniture_max;    /* characters: a longer line is never furniture */
    double warn_share;
    hb_regex_t byline;       /* ——2025年3月5日在…会议上 */
    hb_regex_t dated_byline; /* 1957年6月26日在…会議上, no dash */
    hb_regex_t speaker;      /* 国务院总理　李强 */
    hb_regex_t salute;       /* 各位代表： alone on a line */
    hb_regex_t part_problem, part_plan, part_summary; /* headings that name a part */
    hb_regex_t cue_plan;     /* a unit that opens with 下一步… */
    hb_regex_t cue_problem;  /* a unit that says what is lacking */
    /* per document */
    heading_t stack[HB_SPLIT_MAX_DEPTH];
    size_t depth;
    uint32_t seq;
    hb_unit_fn fn;
    void *arg;
    hb_split_info_t *info;
    bool front;          /* still before the body: title, byline, speaker */
    bool name_may_follow; /* the last line named the speaker's office, or was a dated byline */
    int title_lines;
    int year;            /* the reader's, or 0 */
    bool plan_follows;   /* a top-level part named the plan, or reviewed a past year */
    bool headless_body;  /* the paragraph, before any heading, is body, not the opening */
    bool in_list;        /* after a `list` rule's line: 猜你喜欢 and the titles it lists */
    hb_span_t part;      /* group 1 of the `title` rule the last line matched, or empty */
    size_t head_bytes;   /* of the lines kept so far, up to YEAR_HEAD */
    int bare_style;      /* a numbering seen alone on the last line, or 0 */
    bool nav;            /* the last line judged furniture matched a `nav` rule */
    hb_buf_t joined;     /* a logical line joined from broken physical lines */
    hb_buf_t rule_title; /* group 1 of the first `title` rule that matched */
    size_t title_first;  /* bytes of the title's first line */
};

/* Numbering families, most specific first.  The heading's level is not the
 * family: levels come from the order in which families appear (see push).
 * 一、 followed by another numeral is a list of numbers (一、二季度), no heading,
 * unless a span of years follows (一、一年来工作回顾, 一、三年来的斗争…). */
static const char heading_re[] =
    "^(?:([一二三四五六七八九十]{1,3})[、，,．.](?![一二三四五六七八九十](?!年来))"
    "|([（(][一二三四五六七八九十]{1,3}[）)])[、，,．.]?"
    "|([0-9０-９]{1,2})[.．、](?![0-9０-９])"
    "|([（(][0-9０-９]{1,2}[）)])"
    "|([①-⑳])"
    "|(第[一二三四五六七八九十]{1,3}(?:部分|章|节)?)[，,、：:．.\\s])";
#define N_STYLES 6
#define YEAR_HEAD 400 /* bytes of kept text in which the report's year is looked for */
/* Headings without a numbering of their own, below the numbered ones. */
enum { STYLE_UNNUMBERED = N_STYLES + 1, STYLE_ITEM = N_STYLES + 2 };

/* A numbering alone on its line, the heading text on the next; groups as in
 * heading_re. */
static const char bare_re[] =
    "^(?:([一二三四五六七八九十]{1,3})[、，,．.]?"
    "|([（(][一二三四五六七八九十]{1,3}[）)])[、，,．.]?"
    "|([0-9０-９]{1,2})[.．、]"
    "|([（(][0-9０-９]{1,2}[）)])"
    "|([①-⑳])"
    "|(第[一二三四五六七八九十]{1,3}(?:部分|章|节)?)[，,、：:．.]?)$";

/* An item marker alone on its line: archives break 四是 / 对市场和物价的管理…
 * after the marker.  The item goes on on the next line; it is not a part. */
static const char item_alone_re[] = "^[一二三四五六七八九十]{1,3}(?:是|要)[，,：:]?$";

/* Front matter: bylines (——2025年3月5日在…会议上, the dash missing in old
 * reports, in brackets or with the date in numerals: （二〇二四年一月十六日在…上）) and the speaker's office and name (国务院总理　李强, 县长　张三;
 * the name may stand on a line of its own, after the office or the byline:
 * 1957年6月26日在…会議上 / 周恩来).  A salutation alone on a line (各位代表：)
 * is dropped anywhere. */
static const char byline_re[] = "^(?:[—－]{1,2}|--)";
static const char dated_byline_re[] =
    "^[（(]?(?:(?:\\d{4}|[〇零一二三四五六七八九]{4})年[\\d一二三四五六七八九十]{1,3}月"
    "[\\d一二三四五六七八九十]{1,3}日)?在[^，。；]{2,40}上[）)]?$";
static const char speaker_re[] =
    "^[^，。；：,;:]{0,12}(?:总理|省长|市长|州长|县长|区长|镇长|乡长|主任|主席|书记)"
    "(?:\\s|　|$)[^，。；：,;:]{0,8}$";
static const char salute_re[] =
    "^(?:各位代表|各位委员|同志们|各位来宾)[^。，]{0,12}[：:！!]$";

static const char part_problem_re[] =
    "(?:存在|面临|当前|主要|突出)[^，。]{0,8}(?:问题|不足|困难|挑战|短板|差距)|"
    "^(?:问题|不足|困难)(?:和|与|及)(?:问题|不足|困难|建议)";
static const char part_plan_re[] =
    "计划(?![^，、]{0,6}(?:执行|完成))|打算|安排|思路|下步|下一步|下阶段|展望|目标(?:和|与)?任务|工作任务|主要任务|"
    "重点任务|重点工作|工作重点|总体要求|总体部署|政策取向|工作的?建议|谋划";
static const char part_summary_re[] =
    "总结|回顾|情况|成效|成绩|主要工作|工作开展|进展|亮点|做法";

static const char cue_plan_re[] = "^(?:下一步|下步|下阶段|今后|下半年|明年)";
/* What is lacking, said as such: "但仍存在一些不足", "存在以下问题", "问题主要表现在".
 * A bare "存在的问题" also names problems that were dealt with, so it needs a
 * concessive or a quantifier.  Every branch needs 存在, 现在 (表现在,
 * 体现在), 清醒, 虽, 尽管, 依然 or 仍然: see may_cue_problem. */
static const char cue_problem_re[] =
    "(?:但|仍|还|也|依然|尚)[^。；]{0,12}存在"
    "|存在(?:的|着)?(?:一些|以下|不少|许多|诸多|一定的?)(?:问题|不足|困难|短板|差距|薄弱)"
    "|(?:问题|不足)(?:主要)?(?:表现|体现)在"
    /* 在肯定成绩的同时，我们也清醒地看到… / 安不忘危。我们清醒认识到…: the
     * opening of the problems in every national report */
    "|^(?:[^。！]{0,16}[。！])?[^。！]{0,30}清醒地?(?:看到|认识)"
    /* opening the unit: 虽然取得了较好成绩，但… / 困难和问题依然较多 */
    "|^[^。；！]{0,20}(?:虽然|虽|尽管)[^。；]{0,20}(?:取得|有了)[^。；]{0,12}"
    "(?:成绩|成效|进展|成果|成就)[^。；]{0,10}但"
    "|^[^。；！]{0,20}(?:问题|困难|不足|矛盾)[^。；]{0,2}(?:依然|仍然)(?:较多|不少|突出|存在)";

/* ---- furniture rules ----------------------------------------------------
 *
 * A line is furniture when it matches a rule of the furniture file as a
 * whole.  Trying fifty rules on every short line would cost split a third of
 * its time, so each rule is tried only on a line that holds one of the words
 * the rule cannot match without: one Aho-Corasick pass per line finds them
 * for all rules at once.  The words are read off the pattern (required_words):
 * the literal text, or a group of literal alternatives, that every match must
 * contain.  A rule without such words (\d{4}年…) is tried on every short line;
 * it is anchored, so it fails at the first character that does not fit. */

typedef struct words {
    const char *w[64]; /* each points into the pattern */
    size_t len[64];
    size_t n;
} words_t;

/* The end of the class that starts at p ('['), or NULL. */
static const char *class_end(const char *p)
{
    p++;
    if (*p == '^')
        p++;
    if (*p == ']')
        p++;
    for (; *p && *p != ']'; p++)
        if (*p == '\\' && p[1])
            p++;
    return *p ? p + 1 : NULL;
}

/* Skips a quantifier at *pp; returns its minimum (1 when there is none). */
static long quantifier(const char **pp)
{
    const char *p = *pp;
    long min = 1;
    if (*p == '?' || *p == '*') {
        min = 0;
        p++;
    } else if (*p == '+') {
        p++;
    } else if (*p == '{' && (p[1] >= '0' && p[1] <= '9')) {
        char *end;
        min = strtol(p + 1, &end, 10);
        const char *close = strchr(end, '}');
        if (!close)
            return 1; /* a literal { */
        p = close + 1;
    } else {
        return 1;
    }
    if (*p == '?' || *p == '+')
        p++;
    *pp = p;
    return min;
}

static bool branch_words(const char **pp, words_t *out);

/* The words one of which every match of the alternatives at *pp contains,
 * up to the ')' or the end that closes them; false when some alternative
 * has none. */
static bool alt_words(const char **pp, words_t *out)
{
    bool all = true;
    for (;;) {
        words_t w = {.n = 0};
        bool has = branch_words(pp, &w);
        if (has && out->n + w.n <= 64) {
            for (size_t i = 0; i < w.n; i++) {
                out->w[out->n] = w.w[i];
                out->len[out->n++] = w.len[i];
            }
        } else {
            all = false;
        }
        if (**pp != '|')
            return all && out->n > 0;
        (*pp)++;
    }
}

/* The shortest word of a set, in bytes: how selective it is. */
static size_t shortest(const words_t *w)
{
    size_t m = SIZE_MAX;
    for (size_t i = 0; i < w->n; i++)
        m = w->len[i] < m ? w->len[i] : m;
    return m;
}

/* One alternative, up to '|', ')' or the end: of its required items (a run
 * of literal characters, or a group whose every alternative has words), the
 * one whose shortest word is longest. */
static bool branch_words(const char **pp, words_t *out)
{
    static const char meta[] = "\\.[]()*+?{|^$";
    const char *p = *pp;
    bool found = false;
    while (*p && *p != '|' && *p != ')') {
        words_t w = {.n = 0};
        bool has = false;
        if (*p == '(') {
            p++;
            bool look = false;
            if (*p == '?') {
                p++;
                look = *p == '=' || *p == '!' || (*p == '<' && (p[1] == '=' || p[1] == '!'));
                if (*p == '<' && !look) /* a named group (?<name>…) */
                    p = strchr(p, '>') ? strchr(p, '>') + 1 : p + strlen(p);
                else if (*p == ':' || *p == '|' || *p == '=' || *p == '!' || *p == '>')
                    p++;
                else if (*p == '<')
                    p += 2;
                else /* (?i) and other options: nothing to read */
                    p += strcspn(p, ")");
            }
            has = alt_words(&p, &w) && !look;
            if (*p == ')')
                p++;
        } else if (*p == '[') {
            const char *e = class_end(p);
            p = e ? e : p + strlen(p);
        } else if (*p == '\\') {
            p += p[1] ? 2 : 1;
        } else if (strchr(meta, *p)) {
            p++;
        } else { /* a run of literal characters, each taken once */
            const char *start = p;
            while (*p && !strchr(meta, *p)) {
                const char *next = p + 1;
                while (((unsigned char)*next & 0xC0) == 0x80)
                    next++;
                if (*next == '?' || *next == '*' || *next == '{' || *next == '+')
                    break; /* this character is quantified: the run ends before it */
                p = next;
            }
            if (p > start) {
                w.w[0] = start;
                w.len[0] = (size_t)(p - start);
                w.n = 1;
                has = true;
                goto take;
            }
            /* a quantified single character */
            p++;
            while (((unsigned char)*p & 0xC0) == 0x80)
                p++;
        }
        if (quantifier(&p) == 0)
            has = false;
take:
        if (has && (!found || shortest(&w) > shortest(out))) {
            *out = w;
            found = true;
        }
    }
    *pp = p;
    return found;
}

/* Adds the words of rule id to ac, lower-cased: lines are scanned
 * lower-cased too, as the rules are case-insensitive.  False when the rule
 * has none. */
static bool rule_words(const char *re, hb_ac_t *ac, uint32_t id)
{
    words_t w = {.n = 0};
    const char *p = re;
    if (!alt_words(&p, &w) || *p)
        return false;
    for (size_t i = 0; i < w.n; i++) {
        char buf[256];
        size_t n = w.len[i] < sizeof buf ? w.len[i] : sizeof buf;
        for (size_t j = 0; j < n; j++)
            buf[j] = (char)tolower((unsigned char)w.w[i][j]);
        hb_ac_add(ac, buf, n, id);
    }
    return true;
}

typedef struct furniture_rule {
    hb_regex_t re; /* anchored at both ends */
    bool title;    /* group 1 is a title */
    bool list;     /* the short lines without a sentence that follow are furniture too */
    bool nav;      /* a breadcrumb or menu: the lines above it are the site's header */
    bool gated;    /* tried only when one of its words is on the line */
} furniture_rule_t;

/* The furniture file: `line`, `title`, `list` and `nav` rules, `max_chars`, `warn_share`.
 * Each rule is compiled alone (its errors name its FILE:LINE), anchored. */
static int load_furniture(hb_splitter_t *sp, const char *path)
{
    hb_conf_t *conf = hb_conf_load(path);
    if (!conf)
        return -1;
    sp->furniture_words = hb_ac_new();
    sp->furniture_max = 200;
    sp->warn_share = 0.5;
    sp->rules = hb_calloc(conf->n ? conf->n : 1, sizeof *sp->rules);
    sp->rule_hit = hb_calloc(conf->n ? conf->n : 1, 1);
    hb_buf_t pat;
    hb_buf_init(&pat);
    int rc = 0;
    for (size_t i = 0; i < conf->n && rc == 0; i++) {
        const hb_conf_entry_t *e = &conf->entries[i];
        char where[4200];
        snprintf(where, sizeof where, "%s:%d", conf->path, e->line);
        char *end;
        if (strcmp(e->section, "furniture") != 0) {
            hb_error("%s: unknown section [%s]; furniture rules go in [furniture]", where,
                     e->section);
            rc = -1;
        } else if (!strcmp(e->key, "max_chars")) {
            long v = strtol(e->value, &end, 10);
            if (*end || v < 1 || v > 100000) {
                hb_error("%s: max_chars must be a number of characters (1..100000)", where);
                rc = -1;
            }
            sp->furniture_max = (size_t)v;
        } else if (!strcmp(e->key, "warn_share")) {
            sp->warn_share = strtod(e->value, &end);
            if (*end || !(sp->warn_share >= 0 && sp->warn_share <= 1)) {
                hb_error("%s: warn_share must be a share between 0 and 1", where);
                rc = -1;
            }
        } else if (!strcmp(e->key, "line") || !strcmp(e->key, "title") ||
                   !strcmp(e->key, "list") || !strcmp(e->key, "nav")) {
            furniture_rule_t *r = &sp->rules[sp->nrules];
            hb_buf_reset(&pat);
            hb_buf_printf(&pat, "^(?:%s)$", e->value);
            if (hb_regex_compile(&r->re, pat.data, PCRE2_CASELESS, where) != 0) {
                rc = -1;
                continue;
            }
            sp->nrules++;
            uint32_t groups = 0;
            pcre2_pattern_info(r->re.code, PCRE2_INFO_CAPTURECOUNT, &groups);
            r->title = e->key[0] == 't';
            r->list = !strcmp(e->key, "list");
            r->nav = !strcmp(e->key, "nav");
            if (r->title && groups < 1) {
                hb_error("%s: a title rule needs a group ( ) around the title", where);
                rc = -1;
            }
            r->gated = rule_words(e->value, sp->furniture_words, (uint32_t)(sp->nrules - 1));
        } else {
            hb_error("%s: unknown key '%s' (line, title, list, nav, max_chars, warn_share)", where,
                     e->key);
            rc = -1;
        }
    }
    hb_buf_release(&pat);
    if (rc == 0 && sp->nrules == 0) {
        hb_error("%s: no furniture rules (line = ...); an empty file needs a `line = (?!)`",
                 conf->path);
        rc = -1;
    }
    if (rc == 0 && hb_ac_build(sp->furniture_words) != 0)
        rc = -1;
    hb_conf_free(conf);
    return rc;
}

hb_splitter_t *hb_splitter_new(const char *furniture_path)
{
    hb_splitter_t *sp = hb_calloc(1, sizeof *sp);
    hb_buf_init(&sp->joined);
    hb_buf_init(&sp->rule_title);
    hb_buf_init(&sp->lower);
    hb_buf_init(&sp->held);
    hb_buf_init(&sp->joined_orig);
    hb_buf_init(&sp->held_orig);
    hb_buf_init(&sp->title_orig);
    hb_buf_init(&sp->bodyless);
    hb_buf_init(&sp->bodyless_orig);
    hb_buf_init(&sp->header_title);
    hb_buf_init(&sp->header_title_orig);
    struct {
        hb_regex_t *re;
        const char *pattern;
    } rules[] = {
        {&sp->heading, heading_re},         {&sp->bare, bare_re},
        {&sp->item_alone, item_alone_re},
        {&sp->byline, byline_re},
        {&sp->dated_byline, dated_byline_re},
        {&sp->speaker, speaker_re},
        {&sp->salute, salute_re},
        {&sp->part_problem, part_problem_re}, {&sp->part_plan, part_plan_re},
        {&sp->part_summary, part_summary_re}, {&sp->cue_plan, cue_plan_re},
        {&sp->cue_problem, cue_problem_re},
    };
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
        if (hb_regex_compile(rules[i].re, rules[i].pattern, PCRE2_CASELESS, "split rules") != 0) {
            hb_splitter_free(sp);
            return NULL;
        }
    if (load_furniture(sp, furniture_path) != 0) {
        hb_splitter_free(sp);
        return NULL;
    }
    return sp;
}

void hb_splitter_free(hb_splitter_t *sp)
{
    if (!sp)
        return;
    hb_regex_t *all[] = {&sp->heading,      &sp->bare,         &sp->item_alone,
                         &sp->byline,       &sp->dated_byline, &sp->speaker,
                         &sp->salute,       &sp->part_problem, &sp->part_plan,
                         &sp->part_summary, &sp->cue_plan,     &sp->cue_problem};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        hb_regex_free(all[i]);
    hb_buf_release(&sp->joined);
    hb_buf_release(&sp->rule_title);
    hb_buf_release(&sp->lower);
    hb_buf_release(&sp->held);
    hb_buf_release(&sp->joined_orig);
    hb_buf_release(&sp->held_orig);
    hb_buf_release(&sp->title_orig);
    hb_buf_release(&sp->bodyless);
    hb_buf_release(&sp->bodyless_orig);
    hb_buf_release(&sp->header_title);
    hb_buf_release(&sp->header_title_orig);
    hb_ac_free(sp->furniture_words);
    for (size_t i = 0; i < sp->nrules; i++)
        hb_regex_free(&sp->rules[i].re);
    free(sp->rules);
    free(sp->rule_hit);
    for (size_t i = 0; i < HB_SPLIT_MAX_DEPTH; i++)
        hb_buf_release(&sp->stack[i].own);
    free(sp);
}

/* Code points in a UTF-8 span: every byte that does not continue a sequence. */
static size_t cp_count(const char *s, size_t len)
{
    size_t cont = 0, i = 0;
    /* Eight bytes at a time: a continuation byte has bit 7 set and bit 6
     * clear; x << 1 brings each byte's bit 6 under its bit 7, and the
     * multiplication adds the eight flags up in the top byte. */
    for (; i + 8 <= len; i += 8) {
        uint64_t x;
        memcpy(&x, s + i, 8);
        uint64_t flags = (x & ~(x << 1) & 0x8080808080808080ULL) >> 7;
        cont += (size_t)((flags * 0x0101010101010101ULL) >> 56);
    }
    for (; i < len; i++)
        cont += ((unsigned char)s[i] & 0xC0) == 0x80;
    return len - cont;
}

/* The text as written of a span of the view: the same offsets in orig, or
 * in the twin of the buffer that holds it.  Without a view, span itself. */
static hb_span_t orig_of(const hb_splitter_t *sp, hb_span_t t)
{
    if (sp->orig == sp->view)
        return t;
    const struct {
        const char *from, *to;
        size_t len;
    } maps[] = {{sp->view, sp->orig, sp->len},
                {sp->joined.data, sp->joined_orig.data, sp->joined.len},
                {sp->held.data, sp->held_orig.data, sp->held.len},
                {sp->bodyless.data, sp->bodyless_orig.data, sp->bodyless.len}};
    for (size_t i = 0; i < sizeof maps / sizeof maps[0]; i++)
        if (maps[i].from && t.s >= maps[i].from && t.s + t.len <= maps[i].from + maps[i].len)
            return (hb_span_t){maps[i].to + (t.s - maps[i].from), t.len};
    return t;
}

/* Appends a span of the view to b, and what it stands for in orig to twin. */
static void append_twin(const hb_splitter_t *sp, hb_buf_t *b, hb_buf_t *twin, hb_span_t t)
{
    if (sp->orig != sp->view) {
        hb_span_t o = orig_of(sp, t);
        hb_buf_append(twin, o.s, o.len);
    }
    hb_buf_append(b, t.s, t.len);
}

/* U+2000..U+200A typographic spaces, U+200B..U+200D zero-width space and
 * joiners, U+2060 word joiner: web pages leave them on lines that look empty. */
static bool zero_width(const unsigned char *u)
{
    return u[0] == 0xE2 && ((u[1] == 0x80 && u[2] >= 0x80 && u[2] <= 0x8D) ||
                            (u[1] == 0x81 && u[2] == 0xA0));
}

/* Length of the white space (ASCII, U+3000, U+00A0, U+FEFF, zero-width) at s,
 * 0 if none. */
static size_t space_at(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    if (len >= 3 && zero_width(u))
        return 3;
    if (len >= 1 && (u[0] == ' ' || u[0] == '\t' || u[0] == '\r' || u[0] == '\f' || u[0] == '\v'))
        return 1;
    if (len >= 2 && u[0] == 0xC2 && u[1] == 0xA0)
        return 2;
    if (len >= 3 && u[0] == 0xE3 && u[1] == 0x80 && u[2] == 0x80)
        return 3;
    if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF)
        return 3;
    return 0;
}

static size_t space_before(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    if (len >= 1 && (u[len - 1] == ' ' || u[len - 1] == '\t' || u[len - 1] == '\r' ||
                     u[len - 1] == '\f' || u[len - 1] == '\v'))
        return 1;
    if (len >= 2 && u[len - 2] == 0xC2 && u[len - 1] == 0xA0)
        return 2;
    if (len >= 3 && ((u[len - 3] == 0xE3 && u[len - 2] == 0x80 && u[len - 1] == 0x80) ||
                     zero_width(u + len - 3)))
        return 3;
    return 0;
}

static hb_span_t trim(const char *s, size_t len)
{
    size_t n;
    while ((n = space_at(s, len)) > 0) {
        s += n;
        len -= n;
    }
    while ((n = space_before(s, len)) > 0)
        len -= n;
    return (hb_span_t){s, len};
}

static bool has_any(hb_span_t t, const char *const *needles)
{
    for (; *needles; needles++)
        if (memmem(t.s, t.len, *needles, strlen(*needles)))
            return true;
    return false;
}

/* The first sentence end (。！？；： or ASCII ;:!?) in t and its byte
 * length, in one pass: nine memmem calls over every heading line cost split
 * a tenth of its time.  t is valid UTF-8, so a lead byte and its
 * continuation bytes are a whole character. */
static const char *first_stop(hb_span_t t, size_t *stop_len)
{
    const unsigned char *u = (const unsigned char *)t.s;
    for (size_t i = 0; i < t.len; i++) {
        switch (u[i]) {
        case ';': case ':': case '!': case '?':
            *stop_len = 1;
            return t.s + i;
        case 0xE3: /* 。 E3 80 82 */
            if (t.len - i >= 3 && u[i + 1] == 0x80 && u[i + 2] == 0x82)
                break;
            continue;
        case 0xEF: /* ！ ？ ； ： EF BC 81/9F/9B/9A */
            if (t.len - i >= 3 && u[i + 1] == 0xBC &&
                (u[i + 2] == 0x81 || u[i + 2] == 0x9F || u[i + 2] == 0x9B || u[i + 2] == 0x9A))
                break;
            continue;
        default:
            continue;
        }
        *stop_len = 3;
        return t.s + i;
    }
    return NULL;
}

static bool matches(hb_regex_t *re, hb_span_t t)
{
    return hb_regex_match(re, t.s, t.len, 0, 0) == 1;
}

static void mark_rule(void *arg, uint32_t id, size_t end)
{
    (void)end;
    ((uint8_t *)arg)[id] = 1;
}

/* Is the line furniture?  Only a line of at most furniture_max characters
 * can be.  A `title` rule's group 1 is kept as the title of a report that
 * has no title line of its own. */
static bool is_furniture(hb_splitter_t *sp, hb_span_t line)
{
    if (line.len > 4 * sp->furniture_max || cp_count(line.s, line.len) > sp->furniture_max)
        return false;
    hb_span_t scan = line;
    for (size_t i = 0; i < line.len; i++)
        if (line.s[i] >= 'A' && line.s[i] <= 'Z') { /* the words are lower-cased */
            hb_buf_reset(&sp->lower);
            hb_buf_append(&sp->lower, line.s, line.len);
            for (size_t j = i; j < line.len; j++)
                sp->lower.data[j] = (char)tolower((unsigned char)sp->lower.data[j]);
            scan = (hb_span_t){sp->lower.data, line.len};
            break;
        }
    memset(sp->rule_hit, 0, sp->nrules);
    hb_ac_scan(sp->furniture_words, scan.s, scan.len, mark_rule, sp->rule_hit);
    for (size_t i = 0; i < sp->nrules; i++) {
        furniture_rule_t *r = &sp->rules[i];
        if ((r->gated && !sp->rule_hit[i]) || !matches(&r->re, line))
            continue;
        PCRE2_SIZE *ov = hb_regex_ovector(&r->re);
        sp->part = r->title && ov[2] != PCRE2_UNSET
                       ? trim(line.s + ov[2], ov[3] - ov[2])
                       : (hb_span_t){NULL, 0};
        if (sp->part.len && !sp->rule_title.len) {
            hb_span_t t = orig_of(sp, sp->part);
            hb_buf_append(&sp->rule_title, t.s, t.len);
        }
        sp->info->dropped_lines++;
        sp->info->furniture_bytes += line.len;
        sp->in_list = r->list && !sp->front; /* before the body: a page's side panel */
        sp->nav = r->nav;
        return true;
    }
    return false;
}

/* A line a `list` rule announced: the title of another page (猜你喜欢 /
 * 2023年乡镇上半年工作总结范文 / …), short and no sentence. */
static bool is_listed(hb_splitter_t *sp, hb_span_t line)
{
    static const char *const sentence[] = {"，", "。", "；", "！", "？", ",", ";", "!", "?", NULL};
    if (cp_count(line.s, line.len) > 40 || has_any(line, sentence))
        return false;
    sp->info->dropped_lines++;
    sp->info->furniture_bytes += line.len;
    return true;
}

/* The digit a numeral character (3 bytes) stands for in a year written in
 * numerals (二〇二四年), or -1. */
static int han_digit(const char *c)
{
    static const char digits[] = "〇一二三四五六七八九";
    if (!memcmp(c, "零", 3))
        return 0;
    for (int d = 0; d < 10; d++)
        if (!memcmp(c, digits + 3 * d, 3))
            return d;
    return -1;
}

/* The year of the first YYYY年 in t (ASCII or full-width digits:
 * ２００１年, or numerals: 二〇二四年), or 0. */
static int year_in(hb_span_t t)
{
    const unsigned char *u = (const unsigned char *)t.s;
    for (const char *p = t.s; (p = memmem(p, (size_t)(t.s + t.len - p), "年", 3)) != NULL; p += 3) {
        size_t at = (size_t)(p - t.s);
        int y = 0, digits = 0, scale = 1;
        while (digits < 4 && at > 0) {
            if (u[at - 1] >= '0' && u[at - 1] <= '9') {
                y += (u[at - 1] - '0') * scale;
                at -= 1;
            } else if (at >= 3 && u[at - 3] == 0xEF && u[at - 2] == 0xBC && u[at - 1] >= 0x90 &&
                       u[at - 1] <= 0x99) {
                y += (u[at - 1] - 0x90) * scale;
                at -= 3;
            } else if (at >= 3 && han_digit(t.s + at - 3) >= 0) {
                y += han_digit(t.s + at - 3) * scale;
                at -= 3;
            } else {
                break;
            }
            digits++;
            scale *= 10;
        }
        if (digits == 4 && y >= 1900 && y <= 2199)
            return y;
    }
    return 0;
}

/* The last year of a five-year plan period a heading names (“十五五”时期:
 * 2030; 十一五 … 十九五, or “六五” … “九五” in quotes), or 0.  From the third
 * plan (1966) on, each starts five years after the one before. */
static int period_end(hb_span_t t)
{
    static const char *const units[] = {"一", "二", "三", "四", "五", "六", "七", "八", "九"};
    for (const char *p = t.s; (p = memmem(p, (size_t)(t.s + t.len - p), "五", 3)) != NULL; p += 3) {
        size_t before = (size_t)(p - t.s);
        for (int d = 1; d <= 9; d++) {
            if (before < 3 || memcmp(p - 3, units[d - 1], 3) != 0)
                continue;
            int n = before >= 6 && !memcmp(p - 6, "十", 3) ? 10 + d
                    : d >= 6 && before >= 6 && !memcmp(p - 6, "“", 3) ? d
                                                                      : 0;
            if (n >= 3)
                return 1966 + 5 * (n - 3) + 4;
        }
        if (before >= 6 && !memcmp(p - 3, "十", 3) && !memcmp(p - 6, "“", 3) &&
            (size_t)(t.s + t.len - p) >= 6 && !memcmp(p + 3, "”", 3))
            return 2005; /* “十五” */
    }
    return 0;
}

/* The report's year: the one its title names, else the reader's (the first
 * its text names, its path's or --meta's), else 0. */
static int report_year(const hb_splitter_t *sp)
{
    const hb_buf_t *t = &sp->info->title;
    int y = t->len ? year_in((hb_span_t){t->data, t->len}) : 0;
    return y ? y : sp->year;
}

/* The kind a heading's time gives, against the report's year: the report's
 * own year, a later one or a period not yet over is to come (plan); an
 * earlier year or a period over is past (summary).  The first half of the
 * report's own year is past too (2026年上半年 in a mid-year report). */
static enum kind kind_by_time(hb_splitter_t *sp, hb_span_t text)
{
    static const char *const first_half[] = {"上半年", "前三季度", "一季度", "1-6月", "1—6月", NULL};
    int year = report_year(sp);
    if (!year)
        return K_NONE;
    int y = year_in(text);
    if (y)
        return y > year || (y == year && !has_any(text, first_half)) ? K_PLAN : K_SUMMARY;
    int end = period_end(text);
    if (end)
        return end >= year ? K_PLAN : K_SUMMARY;
    return K_NONE;
}

/* Does a heading name a year before the report's, or a plan period over
 * (1999年国内工作回顾 in 2000, “九五”时期…的回顾 in 2001), or the time before
 * the report (过去五年工作回顾, 去年工作回顾, 一年来工作回顾)? */
static bool names_past(hb_splitter_t *sp, hb_span_t text)
{
    static const char *const before[] = {"过去", "去年", "上年", "年来", NULL};
    if (has_any(text, before))
        return true;
    int year = report_year(sp), y = year ? year_in(text) : 0;
    int end = year && !y ? period_end(text) : 0;
    return (y && y < year) || (end && end < year);
}

/* The part of the report a heading names, if it is a short part heading
 * (上半年工作总结, 存在的主要问题, 下步打算); subject headings name none.  Its
 * words decide, unless they say only 主要工作 (past or to come) or nothing:
 * then the year or period it names does, against the report's year
 * (2026年主要工作, “十五五”时期…, 2011年的工作). */
static enum kind part_kind(hb_splitter_t *sp, hb_span_t text)
{
    static const char *const commas[] = {"，", ",", NULL};
    if (cp_count(text.s, text.len) > 24 || has_any(text, commas))
        return K_NONE;
    if (matches(&sp->part_problem, text))
        return K_PROBLEM;
    size_t plan_at = SIZE_MAX, summary_at = SIZE_MAX;
    bool weak = false; /* the summary word is 主要工作 or 工作开展 */
    if (matches(&sp->part_plan, text))
        plan_at = hb_regex_ovector(&sp->part_plan)[0];
    if (matches(&sp->part_summary, text)) {
        PCRE2_SIZE *ov = hb_regex_ovector(&sp->part_summary);
        summary_at = ov[0];
        weak = ov[1] - ov[0] == 12 && (!memcmp(text.s + ov[0], "主要工作", 12) ||
                                       !memcmp(text.s + ov[0], "工作开展", 12));
    }
    if (plan_at < summary_at)
        return K_PLAN;
    if (summary_at != SIZE_MAX && !weak)
        return K_SUMMARY;
    enum kind by_time = kind_by_time(sp, text);
    if (by_time != K_NONE)
        return by_time;
    return summary_at != SIZE_MAX ? K_SUMMARY : K_NONE;
}

static int emit_paragraph(hb_splitter_t *sp, hb_span_t line, size_t head_end, bool headed);

/* Closes the headings from depth on.  A bodyless heading among them (see
 * bodyless) headed nothing: its line is a paragraph under its parent. */
static int cut_stack(hb_splitter_t *sp, size_t depth)
{
    int rc = 0;
    if (sp->bodyless_depth && depth < sp->bodyless_depth) {
        sp->depth = sp->bodyless_depth - 1;
        sp->bodyless_depth = 0;
        sp->info->headings--;
        rc = emit_paragraph(sp, (hb_span_t){sp->bodyless.data, sp->bodyless.len}, 0, true);
    }
    if (depth < sp->depth)
        sp->depth = depth;
    return rc;
}

/* A heading of a family already open closes everything below it; a new
 * family opens one level deeper.  Only a heading with no part heading above
 * it can name a part: below one, 出新成绩 or 情况 are subjects, not parts. */
static int push_heading(hb_splitter_t *sp, int style, hb_span_t text)
{
    size_t depth = sp->depth;
    while (style >= 1 && style <= N_STYLES && depth && sp->stack[depth - 1].style > N_STYLES)
        depth--; /* a numbered heading closes the unnumbered ones above it */
    for (size_t i = 0; i < depth; i++)
        if (sp->stack[i].style == style) {
            depth = i;
            break;
        }
    if (depth == HB_SPLIT_MAX_DEPTH)
        depth--;
    if (depth >= sp->bodyless_depth)
        sp->bodyless_depth = 0; /* a heading under it: it heads something */
    int rc = cut_stack(sp, depth);
    bool under_part = false;
    for (size_t i = 0; i < sp->depth; i++)
        under_part |= sp->stack[i].kind != K_NONE || sp->stack[i].implied != K_NONE;
    heading_t *h = &sp->stack[sp->depth++];
    h->style = style;
    h->kind = under_part ? K_NONE : part_kind(sp, text);
    /* Once a report has named its plan, or reviewed a past year, the
     * subject headings beside those parts are the tasks to come
     * (2000: 一、1999年国内工作回顾 二、坚持实行扩大内需的方针 …). */
    h->implied = sp->depth == 1 && h->kind == K_NONE && sp->plan_follows ? K_PLAN : K_NONE;
    if (sp->depth == 1)
        sp->plan_follows |= h->kind == K_PLAN || (h->kind == K_SUMMARY && names_past(sp, text));
    hb_buf_reset(&h->own);
    hb_span_t as_written = orig_of(sp, text);
    hb_buf_append(&h->own, as_written.s, as_written.len);
    h->text = (hb_span_t){h->own.data, h->own.len};
    sp->info->headings++;
    return rc;
}

/* The kind the headings give; *named tells whether a part heading names
 * it (上半年工作总结) or it is the default (summary under headings that name
 * no part, preamble before any heading). */
static enum kind section_kind_named(const hb_splitter_t *sp, bool *named)
{
    *named = true;
    for (size_t i = sp->depth; i-- > 0;)
        if (sp->stack[i].kind != K_NONE)
            return sp->stack[i].kind;
    *named = sp->depth == 0 && !sp->headless_body;
    if (!sp->depth)
        return sp->headless_body ? K_SUMMARY : K_PREAMBLE;
    return sp->stack[0].implied ? sp->stack[0].implied : K_SUMMARY;
}

static enum kind section_kind(const hb_splitter_t *sp)
{
    bool named;
    return section_kind_named(sp, &named);
}

/* Necessary for cue_problem_re (each of its branches needs one of 存在 现在
 * 清醒 虽 尽管 依然 仍然: add a branch's word here too), and one pass over t's
 * characters instead of a regex tried at most characters of most units.
 * Seven memmem calls cost split an eighth of its time: this runs on every
 * summary unit.  t is valid UTF-8. */
static bool may_cue_problem(hb_span_t t)
{
    const unsigned char *u = (const unsigned char *)t.s;
    for (size_t i = 0; i + 3 <= t.len;) {
        if (u[i] < 0xE0) { /* ASCII or two bytes: none of the words */
            i += u[i] < 0x80 ? 1 : 2;
            continue;
        }
        if (u[i] >= 0xF0) {
            i += 4;
            continue;
        }
        const char *next = t.s + i + 3;
        bool more = i + 6 <= t.len;
        switch ((uint32_t)u[i] << 16 | (uint32_t)u[i + 1] << 8 | u[i + 2]) {
        case 0xE899BD: /* 虽 */
            return true;
        case 0xE5AD98: /* 存在 */
        case 0xE78EB0: /* 现在 */
            if (more && !memcmp(next, "在", 3))
                return true;
            break;
        case 0xE6B885: /* 清醒 */
            if (more && !memcmp(next, "醒", 3))
                return true;
            break;
        case 0xE5B0BD: /* 尽管 */
            if (more && !memcmp(next, "管", 3))
                return true;
            break;
        case 0xE4BE9D: /* 依然 */
        case 0xE4BB8D: /* 仍然 */
            if (more && !memcmp(next, "然", 3))
                return true;
            break;
        default:
            break;
        }
        i += 3;
    }
    return false;
}

/* What a unit says overrides what its section implies: 下一步… is a plan,
 * what is lacking a problem (but not in a part that names the plan). */
static enum kind unit_kind(hb_splitter_t *sp, hb_span_t text, enum kind base)
{
    bool named;
    if (base != K_PREAMBLE && matches(&sp->cue_plan, text))
        return K_PLAN;
    if ((base == K_SUMMARY ||
         (base == K_PLAN && section_kind_named(sp, &named) == K_PLAN && !named)) &&
        may_cue_problem(text) && matches(&sp->cue_problem, text))
        return K_PROBLEM;
    return base;
}

static int emit(hb_splitter_t *sp, hb_span_t text, enum kind kind, bool item, bool headed)
{
    bool named;
    enum kind section = section_kind_named(sp, &named);
    hb_unit_t u;
    if (sp->depth >= sp->bodyless_depth)
        sp->bodyless_depth = 0; /* a unit under it: it heads something */
    u.seq = sp->seq++;
    u.text = orig_of(sp, text);
    u.view = text;
    u.depth = sp->depth;
    for (size_t i = 0; i < sp->depth; i++)
        u.section[i] = sp->stack[i].text;
    u.kind = kind_names[kind];
    u.kind_cue = kind != section;
    u.kind_conf = u.kind_cue ? 0.8 : named ? 0.9 : 0.6;
    u.item = item;
    u.headed = headed;
    u.overview = !item && !headed && (sp->depth == 0 || sp->stack[sp->depth - 1].kind != K_NONE);
    sp->info->units++;
    return sp->fn(sp->arg, &u);
}

static bool ends_with_any(hb_span_t t, const char *const *words);

/* What a line that goes on on the next line ends with. */
static const char *const opens[] = {"、", "，", "（", "《", "“", "‘", "「", "『", ",", "(",
                                    "的", "和", "与", "及", "或", "在", "对", "把", NULL};

/* The next 一是/二是/十一是… (or 一要/二要… when marker is 要) at or after
 * from that starts a sentence (the line's start, or after 。；：！？): where it
 * starts and ends.  A memmem for the marker and a look back at the numerals
 * and what precedes them; a regex tried at every character cost split a
 * third of its time. */
static bool find_item(const char *s, size_t len, size_t from, const char *marker, size_t *start,
                      size_t *end)
{
    static const char *const numerals[] = {"一", "二", "三", "四", "五", "六", "七", "八", "九",
                                           "十", NULL};
    static const char *const bounds[] = {"。", "；", "！", "？", "：", ";", "!", "?", ":", NULL};
    size_t at = from;
    const char *p;
    while (at < len && (p = memmem(s + at, len - at, marker, 3)) != NULL) {
        size_t shi = (size_t)(p - s);
        at = shi + 3;
        size_t run = 0; /* numerals right before 是, at most two */
        while (run < 2 && shi >= 3 * (run + 1) &&
               ends_with_any((hb_span_t){s, shi - 3 * run}, numerals))
            run++;
        for (; run > 0; run--) { /* the longest numbering that starts a sentence */
            size_t b = shi - 3 * run;
            if (b < from)
                continue;
            if (b == 0 || ends_with_any((hb_span_t){s, b}, bounds)) {
                *start = b;
                *end = shi + 3;
                return true;
            }
        }
    }
    return false;
}

/* A paragraph, cut at its enumeration items.  headed: it starts with its
 * own heading (numbering), which ends at head_end when head_end > 0; a lead
 * chunk that holds only that heading is not a unit.  Items take the kind of
 * their lead when the lead announces problems (存在以下问题：一是…). */
static int emit_paragraph(hb_splitter_t *sp, hb_span_t line, size_t head_end, bool headed)
{
    /* 一要…二要…三要 (2019: 要注重把握好以下关系。一要统筹好…) enumerate as
     * 一是 does, where the paragraph has both and no 二是. */
    const char *marker = memmem(line.s, line.len, "二要", 6) &&
                                 memmem(line.s, line.len, "一要", 6) &&
                                 !memmem(line.s, line.len, "二是", 6)
                             ? "要"
                             : "是";
    /* Before any heading, the first paragraph opens the report, and so does
     * one that speaks of the report (报告分六个部分, 现将…汇报如下); the others
     * are its body without headings (1954, 1975: the whole report). */
    static const char *const of_report[] = {"报告", "汇报", "审议", NULL};
    sp->headless_body = sp->depth == 0 && sp->seq > 0 && !has_any(line, of_report);
    enum kind base = section_kind(sp);
    enum kind item_base = base;
    size_t start = 0, from = head_end;
    bool at_item = false; /* the current chunk starts at an item marker */
    for (;;) {
        size_t item_start, item_end;
        bool found = find_item(line.s, line.len, from, marker, &item_start, &item_end);
        size_t cut = found ? item_start : line.len;
        hb_span_t chunk = trim(line.s + start, cut - start);
        bool lead = !at_item;
        bool only_heading = lead && head_end && chunk.s + chunk.len <= line.s + head_end;
        /* items of the body of an item heading (三是…。 / 结合…。四是…) are its
         * siblings, not its children */
        if (at_item && sp->depth && sp->stack[sp->depth - 1].style == STYLE_ITEM)
            sp->depth--;
        if (chunk.len && !only_heading) {
            enum kind k = unit_kind(sp, chunk, lead ? base : item_base);
            if (lead && k == K_PROBLEM)
                item_base = K_PROBLEM;
            int rc = emit(sp, chunk, k, at_item, lead && headed);
            if (rc)
                return rc;
        }
        if (!found)
            return 0;
        start = cut;
        at_item = true;
        from = item_end;
    }
}

/* The numbering family (1..N_STYLES) of a line matching re (heading_re or
 * bare_re), 0 if none; where the numbering ends goes to *marker_end. */
static int heading_style(hb_regex_t *re, hb_span_t line, size_t *marker_end)
{
    if (!matches(re, line))
        return 0;
    PCRE2_SIZE *ov = hb_regex_ovector(re);
    int style = 1;
    while (style < N_STYLES && ov[2 * style] == PCRE2_UNSET)
        style++;
    if (marker_end)
        *marker_end = ov[1];
    return style;
}

static bool is_title_line(hb_splitter_t *sp, hb_span_t t)
{
    static const char *const punct[] = {"，", "。", "；", "！", "？", ",", ";", NULL};
    if (cp_count(t.s, t.len) > 50 || has_any(t, punct) || matches(&sp->heading, t))
        return false;
    return !(t.len >= 3 && !memcmp(t.s + t.len - 3, "：", 3));
}

static bool ends_with_any(hb_span_t t, const char *const *words)
{
    for (; *words; words++) {
        size_t n = strlen(*words);
        if (t.len >= n && !memcmp(t.s + t.len - n, *words, n))
            return true;
    }
    return false;
}

/* The second line of a title split in two: the first ends in a joiner
 * (…工作总结及 / 下半年工作计划), or is incomplete and the second names the
 * kind of text (某镇2021年上半年 / 工作总结).  A first line that is already a
 * whole title keeps a repeated subtitle out. */
static const char *const title_joiners[] = {"及", "和", "与", "暨", "、", "的", "关于", NULL};
static const char *const title_names[] = {"报告", "总结", "计划", "汇报", "要点", "情况", "决议",
                                          "讲话", "打算", "安排", "思路", NULL};

static bool is_title_tail(hb_splitter_t *sp, hb_span_t first, hb_span_t t)
{
    if (!is_title_line(sp, t) || cp_count(t.s, t.len) > 30)
        return false;
    if (ends_with_any(first, title_joiners))
        return true;
    return !ends_with_any(first, title_names) && has_any(t, title_names);
}

/* A line taken for the title that names no report, no place and no time
 * (政务公开, a site's menu word left alone on its line), then a line that
 * names a report: that line is the title, the first was none of it. */
static bool replaces_title(hb_splitter_t *sp, hb_span_t first, hb_span_t t)
{
    static const char *const named[] = {"省", "市", "县", "区", "州", "旗", "盟", "镇", "乡",
                                        "街道", "苏木", "政府", "党委", "年", "0", "1", "2",
                                        "3", "4", "5", "6", "7", "8", "9", NULL};
    return is_title_line(sp, t) && has_any(t, title_names) && !has_any(first, title_names) &&
           !has_any(first, named) && !ends_with_any(first, title_joiners);
}

static bool has_punct(hb_span_t t)
{
    static const char *const punct[] = {"，", "。", "、", "；", "：", "！", "？", "“", "”", "（",
                                        "）", "《", "》", ",", ";", ":", "!", "?", NULL};
    return has_any(t, punct);
}

/* A punctuation mark or symbol that cannot make a heading: Latin-1's,
 * General Punctuation (“ ” — …), CJK punctuation (、。《》) and the
 * full-width ASCII punctuation. */
static bool is_punct_cp(uint32_t c)
{
    return (c >= 0x80 && c <= 0xBF) || (c >= 0x2000 && c <= 0x206F) ||
           (c >= 0x3000 && c <= 0x303F) || (c >= 0xFF01 && c <= 0xFF0F) ||
           (c >= 0xFF1A && c <= 0xFF20) || (c >= 0xFF3B && c <= 0xFF40) ||
           (c >= 0xFF5B && c <= 0xFF65) || c == HB_UTF8_REPLACEMENT;
}

/* Has the line a letter, a digit or an ideograph, of any script? */
static bool has_word_char(hb_span_t t)
{
    for (size_t i = 0; i < t.len;) {
        uint32_t c = hb_utf8_next(t.s, t.len, &i);
        if (c < 0x80 ? (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
                     : !is_punct_cp(c))
            return true;
    }
    return false;
}

/* A name on a line of its own: CJK ideographs and spaces (周恩来, 李　强). */
static bool only_ideographs(hb_span_t t)
{
    bool any = false;
    for (size_t i = 0; i < t.len;) {
        uint32_t c = hb_utf8_next(t.s, t.len, &i);
        if (c == ' ' || c == 0x3000)
            continue;
        if (c < 0x4E00 || c > 0x9FFF)
            return false;
        any = true;
    }
    return any;
}

static bool same_span(hb_span_t a, const char *s, size_t len)
{
    return a.len == len && !memcmp(a.s, s, len);
}

/* Document sites print the title two or three times, whole or in its two
 * lines: a repeat is not a second title nor a unit. */
/* A title with its byline on the same line (政府工作报告——2023年1月6日在株洲市
 * 第十六届人民代表大会第三次会议上): the title is what stands before the dash. */
static hb_span_t without_byline(hb_span_t t)
{
    static const char *const dashes[] = {"——", "－－", "--", NULL};
    for (const char *const *d = dashes; *d; d++) {
        const char *at = memmem(t.s, t.len, *d, strlen(*d));
        if (!at || at == t.s)
            continue;
        hb_span_t rest = {at, (size_t)(t.s + t.len - at)};
        if (ends_with_any(rest, (const char *const[]){"上", NULL}) &&
            (memmem(rest.s, rest.len, "会议", 6) || memmem(rest.s, rest.len, "大会", 6)))
            return trim(t.s, (size_t)(at - t.s));
    }
    return t;
}

static bool repeats_title(const hb_splitter_t *sp, hb_span_t line)
{
    const hb_buf_t *t = &sp->info->title;
    return same_span(line, t->data, t->len) || same_span(line, t->data, sp->title_first) ||
           same_span(line, t->data + sp->title_first, t->len - sp->title_first);
}

static int body_line(hb_splitter_t *sp, hb_span_t line, bool joined);


/* A summary line that heads what follows without a numbering, inside a
 * part: 五年来，国民经济保持良好发展势头，经济结构战略性调整迈出重要步伐 on a
 * line of its own.  At most 40 characters, one or two commas and no other
 * punctuation, no sentence end.  It heads the paragraphs up to the next
 * such line, numbered heading or salutation. */
static bool is_comma_heading(const hb_splitter_t *sp, hb_span_t line)
{
    static const char *const other[] = {"。", "、", "；", "：", "！", "？", "“", "”", "（", "）",
                                        "《", "》", "…", ",", ";", ":", "!", "?", "(", ")", NULL};
    if (sp->depth == 0 || cp_count(line.s, line.len) > 40 || has_any(line, other))
        return false;
    int commas = 0;
    for (const char *p = line.s; (p = memmem(p, (size_t)(line.s + line.len - p), "，", 3)) != NULL;
         p += 3)
        commas++;
    return commas >= 1 && commas <= 2 && !ends_with_any(line, (const char *const[]){"，", NULL});
}

/* An item that is only a heading: 一是推进农业结构调整。 alone on its line,
 * one short sentence.  Whether it heads the next paragraph is known only
 * when that comes (see held_item). */
static bool is_item_heading(hb_span_t line, size_t *marker_end)
{
    size_t start, end, stop_len = 0;
    if (!find_item(line.s, line.len, 0, "是", &start, &end) || start != 0)
        return false;
    hb_span_t rest = {line.s + end, line.len - end};
    const char *stop = first_stop(rest, &stop_len);
    size_t n = cp_count(rest.s, rest.len);
    *marker_end = end;
    return stop && stop + stop_len == rest.s + rest.len && n >= 3 && n <= 26 &&
           !memmem(rest.s, rest.len, "，", 3) && (stop_len == 3 && !memcmp(stop, "。", 3));
}

/* The item heading held back, as a unit after all: no paragraph followed it. */
static int flush_held(hb_splitter_t *sp)
{
    if (!sp->held.len)
        return 0;
    hb_span_t held = {sp->held.data, sp->held.len};
    int rc = emit_paragraph(sp, held, 0, false);
    hb_buf_reset(&sp->held);
    return rc;
}

/* A breadcrumb or menu before the first unit (a `nav` rule's line): what
 * came above it was the site's header (株洲市人民政府 / 您当前的位置：首页 >
 * …), not the report's title or headings.  The report starts again; the
 * title above is kept only for a report that has none below. */
static void drop_header(hb_splitter_t *sp)
{
    if (sp->seq)
        return;
    if (sp->info->title.len) {
        hb_buf_reset(&sp->header_title);
        hb_buf_reset(&sp->header_title_orig);
        hb_buf_append(&sp->header_title, sp->info->title.data, sp->info->title.len);
        hb_buf_append(&sp->header_title_orig, sp->title_orig.data, sp->title_orig.len);
    }
    hb_buf_reset(&sp->info->title);
    hb_buf_reset(&sp->title_orig);
    hb_buf_reset(&sp->held);
    sp->title_lines = 0;
    sp->title_first = 0;
    sp->info->headings = 0;
    sp->depth = 0;
    sp->bodyless_depth = 0;
    sp->plan_follows = false;
    sp->bare_style = 0;
    sp->front = true;
    sp->name_may_follow = false;
}

/* A `title` rule's line in the body (第二篇：柳林乡2020年工作总结, 【篇二】…): the
 * next report of a page of several begins; its title is a top-level heading,
 * a part by its words (工作总结), not by the year it names. */
static int start_part(hb_splitter_t *sp)
{
    hb_span_t title = sp->part;
    sp->part = (hb_span_t){NULL, 0};
    if (sp->front || !title.len)
        return 0;
    int rc = flush_held(sp);
    sp->plan_follows = false; /* another report, whose title names no part of it */
    if (rc == 0)
        rc = cut_stack(sp, 0);
    if (rc == 0)
        rc = push_heading(sp, STYLE_UNNUMBERED, title);
    sp->plan_follows = false;
    heading_t *h = &sp->stack[sp->depth - 1];
    if (!matches(&sp->part_summary, title) && !matches(&sp->part_plan, title) &&
        !matches(&sp->part_problem, title))
        h->kind = K_NONE;
    return rc;
}

/* 一是推进农业结构调整。 alone, then a paragraph: the item heads that one
 * paragraph (its section ends with 推进农业结构调整), and the next paragraph
 * is back under the part.  Followed by another item, a heading, a paragraph
 * that opens with 下一步 or nothing, it is a unit of its own. */
static int held_item(hb_splitter_t *sp, hb_span_t line, bool joined)
{
    size_t marker_end = 0;
    bool item = !joined && sp->depth > 0 && is_item_heading(line, &marker_end);
    if (sp->held.len) {
        /* a paragraph that opens with 下一步 turns to what comes next: no body */
        bool paragraph = !item && !matches(&sp->heading, line) && !matches(&sp->bare, line) &&
                         cp_count(line.s, line.len) > 15 && !matches(&sp->cue_plan, line);
        if (!paragraph) {
            int rc = flush_held(sp);
            return rc ? rc : held_item(sp, line, joined);
        }
        hb_span_t head = {sp->held.data + sp->held_marker,
                          sp->held.len - sp->held_marker - 3}; /* without its 。 */
        int rc = push_heading(sp, STYLE_ITEM, head);
        hb_buf_reset(&sp->held);
        if (rc == 0)
            rc = body_line(sp, line, joined);
        if (sp->depth && sp->stack[sp->depth - 1].style == STYLE_ITEM)
            sp->depth--;
        return rc;
    }
    if (item) {
        hb_buf_reset(&sp->held_orig);
        append_twin(sp, &sp->held, &sp->held_orig, line);
        sp->held_marker = marker_end;
        return 0;
    }
    return body_line(sp, line, joined);
}

/* One logical line: front matter, a heading, or a paragraph.  recheck: the
 * line was joined, or left unjudged as unfinished, so the furniture rules
 * have not seen it as it stands. */
static int process_line(hb_splitter_t *sp, hb_span_t line, bool recheck, bool joined)
{
    hb_split_info_t *info = sp->info;
    if (recheck && is_furniture(sp, line)) {
        sp->name_may_follow = false;
        return start_part(sp);
    }
    /* The first year the text names near its top, furniture left out (a
     * page's 发布日期：2024年1月20日 is no report's year). */
    if (!info->year && sp->head_bytes < YEAR_HEAD) {
        size_t n = line.len < YEAR_HEAD - sp->head_bytes ? line.len : YEAR_HEAD - sp->head_bytes;
        info->year = year_in((hb_span_t){line.s, n});
        sp->head_bytes += line.len;
    }
    if (matches(&sp->salute, line)) {
        info->dropped_lines++;
        sp->name_may_follow = false;
        /* 各位代表！ in the body turns to another matter: what follows
         * belongs to the part, not to the subject above it. */
        int rc = flush_held(sp);
        if (rc == 0 && !sp->front && sp->depth > 1)
            rc = cut_stack(sp, 1);
        return rc;
    }
    if (sp->front) {
        /* A speaker's name may have a line of its own, right after the office
         * (国务院总理 / 李　强) or a byline without its dash (1957年6月26日在
         * …会議上 / 周恩来): a few ideographs and nothing else, so that a
         * heading there (一、主要成效) stays a heading. */
        bool speaker_name = sp->name_may_follow && cp_count(line.s, line.len) <= 6 &&
                            only_ideographs(line);
        bool office = !speaker_name && matches(&sp->speaker, line);
        bool dated = !speaker_name && !office && matches(&sp->dated_byline, line);
        sp->name_may_follow = office || dated;
        if (speaker_name || office || dated || matches(&sp->byline, line)) {
            info->dropped_lines++;
            return 0;
        }
        if (sp->title_lines && repeats_title(sp, line)) {
            info->dropped_lines++;
            return 0;
        }
        if (sp->title_lines == 0 && is_title_line(sp, line)) {
            line = without_byline(line);
            append_twin(sp, &info->title, &sp->title_orig, line);
            sp->title_lines = 1;
            sp->title_first = line.len;
            return 0;
        }
        if (sp->title_lines == 1 &&
            replaces_title(sp, (hb_span_t){info->title.data, info->title.len}, line)) {
            line = without_byline(line);
            hb_buf_reset(&info->title);
            hb_buf_reset(&sp->title_orig);
            append_twin(sp, &info->title, &sp->title_orig, line);
            sp->title_first = line.len;
            return 0;
        }
        if (sp->title_lines == 1 &&
            is_title_tail(sp, (hb_span_t){info->title.data, info->title.len}, line)) {
            append_twin(sp, &info->title, &sp->title_orig, line);
            sp->title_lines = 2;
            return 0;
        }
        /* A subtitle (政府工作报告 again) before the body. */
        if (sp->title_lines && is_title_line(sp, line) && cp_count(line.s, line.len) <= 20) {
            info->dropped_lines++;
            return 0;
        }
        sp->front = false;
    }
    return held_item(sp, line, joined);
}

/* A line of the body: a heading, or a paragraph. */
static int body_line(hb_splitter_t *sp, hb_span_t line, bool joined)
{
    hb_split_info_t *info = sp->info;
    int bare = heading_style(&sp->bare, line, NULL);
    if (bare) {
        sp->bare_style = bare;
        return 0;
    }
    bare = sp->bare_style;
    sp->bare_style = 0;
    size_t marker_end = 0;
    int style = bare ? bare : heading_style(&sp->heading, line, &marker_end);
    if (style) {
        hb_span_t rest = trim(line.s + marker_end, line.len - marker_end);
        size_t stop_len = 0;
        const char *stop = first_stop(rest, &stop_len);
        size_t head_cp = cp_count(rest.s, stop ? (size_t)(stop - rest.s) : rest.len);
        if (!stop && head_cp <= 60)
            return push_heading(sp, style, rest);
        if (stop && head_cp > 0 && head_cp <= 40) {
            int rc = push_heading(sp, style, (hb_span_t){rest.s, (size_t)(stop - rest.s)});
            size_t head_end = (size_t)(stop + stop_len - line.s);
            if (rc || trim(line.s + head_end, line.len - head_end).len)
                return rc ? rc : emit_paragraph(sp, line, head_end, true);
            if (stop_len == 3 && !memcmp(stop, "。", 3)) { /* one whole sentence */
                hb_buf_reset(&sp->bodyless);
                hb_buf_reset(&sp->bodyless_orig);
                append_twin(sp, &sp->bodyless, &sp->bodyless_orig, line);
                sp->bodyless_depth = sp->depth;
            }
            return 0;
        }
    }
    if (!joined && is_comma_heading(sp, line))
        return push_heading(sp, STYLE_UNNUMBERED, line);
    /* A short line without any punctuation, in the body: an unnumbered part
     * heading (结束语, 存在的问题).  It starts a new top-level part. */
    if (cp_count(line.s, line.len) <= 15 && !has_punct(line) && !matches(&sp->item_alone, line)) {
        if (!has_word_char(line)) { /* a stray ' or …… alone (archives) */
            info->dropped_lines++;
            return 0;
        }
        int rc = cut_stack(sp, 0);
        return rc ? rc : push_heading(sp, 0, line);
    }
    return emit_paragraph(sp, line, 0, false);
}

/* Does cur continue prev's sentence?  Web pages and archives break a
 * sentence at every link (本作品是中华人民共和国的 / 法律 / 、 / 法规 / ，国家机关…,
 * 正式明确 / 习近平 / 总书记的核心地位…).  The two lines must be adjacent (a
 * blank line ends a paragraph) and cur no heading.  cur continues prev when
 * it starts with punctuation (》的说明, ，国家机关…); else prev must be
 * unfinished (no sentence end), and then cur continues it when prev is long
 * (a paragraph cut short, its own numbering included), cut from cur by a
 * line of only a zero-width space or ends on an opening bracket; otherwise,
 * prev being no heading, when prev ends on a joiner, is itself already a
 * joined fragment in the body, or cur is a short fragment without
 * punctuation.  An item marker alone (四是) is always continued by the next
 * line that is not a heading. */
static bool continues(hb_splitter_t *sp, hb_span_t prev, bool prev_joined, bool cut, hb_span_t cur)
{
    static const char *const ends[] = {"。", "！", "？", "；", "：", "…", "”", "」", "』", "）",
                                       ".", "!", "?", ";", ":", ")", NULL};
    static const char *const leads[] = {"、", "，", "。", "；", "：", "！", "？", "》", "」", "』",
                                        "”", "’", "）", ",", ".", ";", ":", ")", NULL};
    if (matches(&sp->heading, cur))
        return false;
    /* the speaker's line stands alone: 政府工作报告 / 县长　陈小明, 县长 / 陈小明 */
    if (sp->front && (matches(&sp->speaker, cur) || matches(&sp->speaker, prev)))
        return false;
    if (matches(&sp->item_alone, prev))
        return true;
    for (const char *const *l = leads; *l; l++) /* no paragraph starts with 》 or ， */
        if (cur.len >= strlen(*l) && !memcmp(cur.s, *l, strlen(*l)))
            return true;
    if (ends_with_any(prev, ends) || matches(&sp->bare, prev))
        return false;
    /* A long line that stops without a sentence end stops mid-sentence, a
     * numbered one with its body too ((四)更大力度吸引和利用外资。…积极推动加入 /
     * 全面与进步跨太平洋伙伴关系协定 / （CPTPP）等…); a short numbered one is a heading. */
    size_t prev_cp = cp_count(prev.s, prev.len);
    static const char *const brackets[] = {"《", "（", "“", "‘", "「", "『", "(", NULL};
    if (((prev_cp > 60 || cut) && !sp->front) || ends_with_any(prev, brackets))
        return true; /* 三、关于《 / 国民经济和社会发展第十一个五年规划纲要 / 》的说明 */
    if (matches(&sp->heading, prev))
        return false;
    return (prev_joined && !sp->front) || ends_with_any(prev, opens) ||
           (cp_count(cur.s, cur.len) <= 12 && !has_punct(cur));
}

/* A title spaced out character by character (政 府 工 作 报 告, as pages set
 * a headline) is the title without the spaces. */
static void unspace_title(hb_buf_t *t)
{
    size_t chars = 0, out = 0;
    for (size_t i = 0; i < t->len;) {
        size_t sp = space_at(t->data + i, t->len - i);
        if (sp) {
            i += sp;
            continue;
        }
        size_t n = 1;
        while (i + n < t->len && ((unsigned char)t->data[i + n] & 0xC0) == 0x80)
            n++;
        if (i + n < t->len && !space_at(t->data + i + n, t->len - i - n))
            return; /* two characters side by side: not spaced out */
        chars++;
        i += n;
    }
    if (chars < 3)
        return;
    for (size_t i = 0; i < t->len;) {
        size_t sp = space_at(t->data + i, t->len - i);
        if (sp) {
            i += sp;
            continue;
        }
        t->data[out++] = t->data[i++];
    }
    t->len = out;
}

int hb_splitter_run(hb_splitter_t *sp, const char *text, size_t len, int year, hb_unit_fn fn,
                    void *arg, hb_split_info_t *info)
{
    return hb_splitter_run_view(sp, text, text, len, year, fn, arg, info);
}

int hb_splitter_run_view(hb_splitter_t *sp, const char *text, const char *orig, size_t len,
                         int year, hb_unit_fn fn, void *arg, hb_split_info_t *info)
{
    sp->view = text;
    sp->orig = orig;
    sp->len = len;
    hb_buf_reset(&sp->title_orig);
    hb_buf_reset(&sp->header_title);
    hb_buf_reset(&sp->header_title_orig);
    sp->year = year;
    sp->depth = 0;
    sp->plan_follows = false;
    sp->bodyless_depth = 0;
    sp->headless_body = false;
    sp->seq = 0;
    sp->fn = fn;
    sp->arg = arg;
    sp->info = info;
    sp->front = true;
    sp->name_may_follow = false;
    sp->title_lines = 0;
    sp->bare_style = 0;
    sp->in_list = false;
    sp->part = (hb_span_t){NULL, 0};
    sp->head_bytes = 0;
    info->year = 0;
    hb_buf_reset(&info->title);
    hb_buf_reset(&sp->rule_title);
    hb_buf_reset(&sp->held);
    sp->title_first = 0;
    info->units = info->headings = info->dropped_lines = 0;
    info->furniture_bytes = 0;

    /* Lines are joined into logical lines first; a logical line made of one
     * physical line points into text, a joined one into sp->joined. */
    hb_span_t pending = {NULL, 0};
    bool pending_joined = false;
    bool pending_open = false; /* pending ends unfinished: not judged yet */
    size_t pos = 0;
    int rc = 0;
    bool adjacent = false; /* no blank line since pending */
    bool cut = false;      /* a line of only a zero-width space since pending */
    while (pos < len && rc == 0) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        hb_span_t line = trim(text + pos, end - pos);
        size_t raw_len = end - pos;
        const char *raw = text + pos;
        pos = end + 1;
        if (!line.len) {
            /* A line with only a zero-width space is where an archive cut a
             * link out of a sentence (设定 / U+200B / 为6%以上): no paragraph end. */
            if (memmem(raw, raw_len, "\xe2\x80\x8b", 3))
                cut = true;
            else
                adjacent = false;
            continue;
        }
        /* A line that ends unfinished is judged once joined (a licence
         * note broken at its links). */
        bool open = ends_with_any(line, opens);
        if (sp->in_list && is_listed(sp, line)) {
            adjacent = false;
            continue;
        }
        sp->in_list = false;
        if (!open && is_furniture(sp, line)) {
            adjacent = false; /* the lines around it are not one sentence */
            if (sp->part.len) { /* maybe the next report: what came before is done */
                hb_span_t part = sp->part; /* judging pending may match a rule too */
                if (pending.len)
                    rc = process_line(sp, pending, pending_joined || pending_open,
                                      pending_joined);
                pending = (hb_span_t){NULL, 0};
                sp->part = part;
                if (rc == 0)
                    rc = start_part(sp);
            } else if (sp->nav && !sp->seq) {
                if (pending.len)
                    rc = process_line(sp, pending, pending_joined || pending_open,
                                      pending_joined);
                pending = (hb_span_t){NULL, 0};
                drop_header(sp);
            }
            continue;
        }
        bool join = pending.len && adjacent && continues(sp, pending, pending_joined, cut, line);
        cut = false;
        adjacent = true;
        if (join) {
            if (!pending_joined) {
                hb_buf_reset(&sp->joined);
                hb_buf_reset(&sp->joined_orig);
                append_twin(sp, &sp->joined, &sp->joined_orig, pending);
                pending_joined = true;
            }
            append_twin(sp, &sp->joined, &sp->joined_orig, line);
            pending = (hb_span_t){sp->joined.data, sp->joined.len};
            continue;
        }
        if (pending.len)
            rc = process_line(sp, pending, pending_joined || pending_open, pending_joined);
        pending = line;
        pending_joined = false;
        pending_open = open;
    }
    if (rc == 0 && pending.len)
        rc = process_line(sp, pending, pending_joined || pending_open, pending_joined);
    if (rc == 0)
        rc = flush_held(sp);
    if (rc == 0)
        rc = cut_stack(sp, 0);
    if (!info->title.len) {
        hb_buf_append(&info->title, sp->header_title.data, sp->header_title.len);
        hb_buf_append(&sp->title_orig, sp->header_title_orig.data, sp->header_title_orig.len);
    }
    if (orig != text) { /* the title as written */
        hb_buf_reset(&info->title);
        hb_buf_append(&info->title, sp->title_orig.data, sp->title_orig.len);
    }
    if (!info->title.len && sp->rule_title.len)
        hb_buf_append(&info->title, sp->rule_title.data, sp->rule_title.len);
    unspace_title(&info->title);
    int title_year = info->title.len ? year_in((hb_span_t){info->title.data, info->title.len}) : 0;
    if (title_year)
        info->year = title_year;
    info->furniture_warn = (double)info->furniture_bytes > sp->warn_share * (double)len;
    return rc;
}
