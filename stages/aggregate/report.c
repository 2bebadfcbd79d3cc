#include "report.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hb_buf.h"
#include "hb_log.h"
#include "hb_map.h"
#include "hb_mem.h"

#define MAX_TOPICS 128

static const char *const level_col[] = {"province", "city", "county", "town"};
static const char *const level_name[] = {"省", "市", "县", "乡镇"};
static const char *const kinds[] = {"preamble", "summary", "problem", "plan"};
static const char *const kind_label[] = {"导语", "总结", "问题", "计划", "其他"};
static const char *const kind_color[] = {"#bab0ac", "#4e79a7", "#e15759", "#f28e2b", "#d7d7d7"};

/* A place at the report's level: its units, per topic and per kind (the
 * last, "other", for none of kinds[]). */
typedef struct place_row {
    char *name[4];
    long total;
    long topic[MAX_TOPICS], kind[5];
} place_row_t;

typedef struct report {
    sqlite3 *db;
    FILE *f;
    const char *dir;
    int ntopics;
    char *topic[MAX_TOPICS], *label[MAX_TOPICS];
    int level;      /* rows are places down to level_col[level - 1] */
    long places;    /* distinct places at that level */
    long town_places;
    place_row_t *rows; /* the places in order (province, city, county, town) */
    size_t nrows;
    bool failed;
} report_t;

static const char style[] =
    "<style>\n"
    "body{font-family:'Noto Sans CJK SC','WenQuanYi Micro Hei','Microsoft YaHei','PingFang SC',"
    "sans-serif;margin:0;color:#222;background:#f6f7f9}\n"
    "header{background:#24364b;color:#fff;padding:18px 32px}header h1{margin:0;font-size:24px}"
    "header p{margin:4px 0 0;color:#c9d3de;font-size:13px}\n"
    "section{background:#fff;margin:18px 32px;padding:16px 22px;border-radius:6px;"
    "box-shadow:0 1px 3px rgba(0,0,0,.12)}\n"
    "h2{font-size:18px;margin:0 0 10px;border-left:4px solid #24364b;padding-left:8px}\n"
    ".note{color:#666;font-size:12px;margin:4px 0 10px}\n"
    ".cards{display:flex;flex-wrap:wrap;gap:12px}.card{background:#f0f3f7;border-radius:6px;"
    "padding:10px 16px;min-width:110px}.card b{display:block;font-size:22px}"
    ".card span{font-size:12px;color:#555}\n"
    "table{border-collapse:collapse;font-size:12px}th,td{padding:3px 6px;text-align:left}\n"
    ".list td,.list th{border-bottom:1px solid #e4e7eb}\n"
    ".scroll{max-height:640px;overflow:auto;border:1px solid #e4e7eb}\n"
    "#heatmap thead th{position:sticky;top:0;background:#fff;z-index:1;cursor:pointer;"
    "writing-mode:vertical-rl;vertical-align:bottom;height:120px;font-weight:normal}\n"
    "#heatmap thead th:first-child{writing-mode:horizontal-tb;vertical-align:bottom}\n"
    "#heatmap td.c{width:30px;height:18px;text-align:center;color:#222;font-size:10px}\n"
    "#heatmap tr.g1 th{background:#24364b;color:#fff}#heatmap tr.g2 th{background:#52677d;"
    "color:#fff}#heatmap tr.g3 th{background:#dfe5ec}\n"
    "#heatmap td.n{white-space:nowrap}.legend span{display:inline-block;width:26px;height:12px}\n"
    ".cols{display:flex;gap:24px;flex-wrap:wrap}.cols>div{flex:1;min-width:320px}\n"
    "</style>\n";

/* Sorting the heatmap: a topic's header orders the rows of each group by
 * that topic's share; the first header restores the place order.  The
 * address keeps the order (report.html#sort=N, N the column). */
static const char script[] =
    "<script>\n"
    "window.addEventListener('error',function(e){document.body.dataset.errors="
    "(document.body.dataset.errors||'')+e.message+';';});\n"
    "(function(){var t=document.getElementById('heatmap');if(!t)return;\n"
    "var hs=t.tHead.rows[0].cells;for(var i=0;i<hs.length;i++)(function(c){\n"
    "hs[c].onclick=function(){var b=t.tBodies[0],rows=[].slice.call(b.rows),runs=[],cur=[];\n"
    "rows.forEach(function(r){if(r.className){if(cur.length)runs.push(cur);cur=[];"
    "runs.push([r]);}else cur.push(r);});if(cur.length)runs.push(cur);\n"
    "runs.forEach(function(run){if(run.length>1||!run[0].className)run.sort(function(x,y){"
    "return c?(+y.cells[c].dataset.v)-(+x.cells[c].dataset.v):"
    "(+x.dataset.i)-(+y.dataset.i);});run.forEach(function(r){b.appendChild(r);});});"
    "location.hash=c?'sort='+c:'';};})(i);\n"
    "var m=/^#sort=(\\d+)$/.exec(location.hash);if(m&&hs[+m[1]])hs[+m[1]].onclick();})();\n"
    "</script>\n";

static void esc(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
    }
}

static const char *col_text(sqlite3_stmt *st, int i)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    return s && *s ? s : NULL;
}

/* A place name, or （未知） for none. */
static void place_name(FILE *f, const char *s)
{
    if (s)
        esc(f, s);
    else
        fputs("（未知）", f);
}

static sqlite3_stmt *query(report_t *r, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (!r->failed && sqlite3_prepare_v2(r->db, sql, -1, &st, NULL) != SQLITE_OK) {
        hb_error("%s/results.sqlite: cannot read it for report.html: %s", r->dir,
                 sqlite3_errmsg(r->db));
        r->failed = true;
    }
    return st;
}

static long scalar(report_t *r, const char *sql)
{
    sqlite3_stmt *st = query(r, sql);
    long v = st && sqlite3_step(st) == SQLITE_ROW ? (long)sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return v;
}

static int topic_index(const report_t *r, const char *id)
{
    for (int i = 0; id && i < r->ntopics; i++)
        if (!strcmp(r->topic[i], id))
            return i;
    return -1;
}

static const char *topic_label(const report_t *r, const char *id)
{
    int i = topic_index(r, id);
    return i >= 0 && r->label[i] ? r->label[i] : id ? id : "无主题";
}

static void load_topics(report_t *r)
{
    sqlite3_stmt *st = query(r, "SELECT id, label FROM topics ORDER BY position");
    while (st && sqlite3_step(st) == SQLITE_ROW && r->ntopics < MAX_TOPICS) {
        r->topic[r->ntopics] = hb_strdup(col_text(st, 0) ? col_text(st, 0) : "");
        r->label[r->ntopics] = col_text(st, 1) ? hb_strdup(col_text(st, 1)) : NULL;
        r->ntopics++;
    }
    sqlite3_finalize(st);
}

/* The finest level with at most HB_REPORT_MAX_ROWS places. */
static void choose_level(report_t *r)
{
    char sql[256] = "";
    for (r->level = 4; r->level > 1; r->level--) {
        int n = snprintf(sql, sizeof sql, "SELECT count(*) FROM (SELECT 1 FROM documents GROUP BY ");
        for (int i = 0; i < r->level; i++)
            n += snprintf(sql + n, sizeof sql - (size_t)n, "%s%s", i ? ", " : "", level_col[i]);
        snprintf(sql + n, sizeof sql - (size_t)n, ")");
        r->places = scalar(r, sql);
        if (r->level == 4)
            r->town_places = r->places;
        if (r->places <= HB_REPORT_MAX_ROWS)
            break;
    }
}

static void overview(report_t *r)
{
    FILE *f = r->f;
    sqlite3_stmt *st = query(r, "SELECT (SELECT value FROM meta WHERE key = 'run'),"
                                " (SELECT value FROM meta WHERE key = 'finished'),"
                                " (SELECT value FROM meta WHERE key = 'seconds'),"
                                " (SELECT value FROM meta WHERE key = 'complete')");
    fputs("<header><h1>汇报分析报告</h1><p>", f);
    if (st && sqlite3_step(st) == SQLITE_ROW) {
        fputs("运行 ", f);
        esc(f, col_text(st, 0));
        fputs(" · 完成于 ", f);
        esc(f, col_text(st, 1));
        fprintf(f, " · 用时 %.1f 秒 · %s", sqlite3_column_double(st, 2),
                sqlite3_column_int(st, 3) ? "全部输入已处理" : "运行未完成（可用 --resume 继续）");
    }
    sqlite3_finalize(st);
    fputs("</p></header>\n<section id=\"overview\"><h2>运行概况</h2><div class=\"cards\">\n", f);
    static const char *const cards[][2] = {
        {"报告", "SELECT count(*) FROM documents"},
        {"段落与条目", "SELECT count(*) FROM units"},
        {"数字", "SELECT count(*) FROM figures"},
        {"地区", "SELECT count(*) FROM places"},
        {"拒收文件", "SELECT count(*) FROM rejects"},
    };
    for (size_t i = 0; i < sizeof cards / sizeof *cards; i++)
        fprintf(f, "<div class=\"card\"><b>%ld</b><span>%s</span></div>\n", scalar(r, cards[i][1]),
                cards[i][0]);
    fputs("</div>\n", f);
    st = query(r, "SELECT coalesce(year, '未知'), count(*) FROM documents GROUP BY year"
                  " ORDER BY year");
    fputs("<p class=\"note\">各年份报告数：", f);
    for (int n = 0; st && sqlite3_step(st) == SQLITE_ROW; n++) {
        fputs(n ? "，" : "", f);
        esc(f, col_text(st, 0));
        fprintf(f, " 年 %d 份", sqlite3_column_int(st, 1));
    }
    sqlite3_finalize(st);
    fputs("</p>\n", f);
    st = query(r, "SELECT coalesce(stage, ''), coalesce(reason, ''), count(*) FROM rejects"
                  " GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 30");
    bool any = false;
    while (st && sqlite3_step(st) == SQLITE_ROW) {
        if (!any)
            fputs("<table class=\"list\" id=\"rejects\"><tr><th>拒收环节</th><th>原因</th>"
                  "<th>文件数</th></tr>\n", f);
        any = true;
        fputs("<tr><td>", f);
        esc(f, col_text(st, 0));
        fputs("</td><td>", f);
        esc(f, col_text(st, 1));
        fprintf(f, "</td><td>%d</td></tr>\n", sqlite3_column_int(st, 2));
    }
    sqlite3_finalize(st);
    fputs(any ? "</table>\n" : "<p class=\"note\" id=\"rejects\">没有被拒收的文件。</p>\n", f);
    fputs("</section>\n", f);
}

/* Units counted per document, kind and topic, once (from the index on
 * units): the sections below read this instead of every unit (three scans
 * of the units joined to their documents cost 1 of the aggregator's 8.1
 * CPU-seconds on 100 MB of reports; this, 0.1). */
static void count_units(report_t *r)
{
    if (!r->failed && sqlite3_exec(r->db, "CREATE TEMP TABLE mix AS SELECT doc_id, kind, topic,"
                                          " count(*) AS n FROM units GROUP BY doc_id, kind, topic",
                                   NULL, NULL, NULL) != SQLITE_OK) {
        hb_error("%s/results.sqlite: cannot read it for report.html: %s", r->dir,
                 sqlite3_errmsg(r->db));
        r->failed = true;
    }
}

static bool same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

/* NULL (an unknown name) first, then the bytes' order: SQLite's ORDER BY. */
static int name_cmp(const char *a, const char *b)
{
    return !a || !b ? (b == NULL) - (a == NULL) : strcmp(a, b);
}

static int by_place(const void *x, const void *y)
{
    const place_row_t *p = x, *q = y;
    int c = 0;
    for (int i = 0; i < 4 && c == 0; i++)
        c = name_cmp(p->name[i], q->name[i]);
    return c;
}

/* Sums the units of every document per place at the report's level, from
 * one pass over mix in document order (no sort of the units: sorting mix
 * by place names cost most of report.html's time), then orders the
 * places.  At most HB_REPORT_MAX_ROWS places but at the province level,
 * which holds few. */
static void sum_places(report_t *r)
{
    sqlite3_stmt *st = query(r, "SELECT u.doc_id, d.province, d.city, d.county, d.town, u.kind,"
                                " u.topic, u.n FROM mix u JOIN documents d ON d.id = u.doc_id");
    hb_map_t *at = hb_map_new(); /* names joined -> row index + 1 */
    hb_buf_t key;
    hb_buf_init(&key);
    size_t cap = 0, row = 0;
    sqlite3_int64 doc = -1;
    while (st && sqlite3_step(st) == SQLITE_ROW) {
        if (sqlite3_column_int64(st, 0) != doc) { /* a document's rows come together */
            doc = sqlite3_column_int64(st, 0);
            hb_buf_reset(&key);
            for (int i = 0; i < r->level; i++) {
                const char *name = col_text(st, 1 + i);
                hb_buf_putc(&key, name ? '=' : '-'); /* NULL is not "" */
                if (name)
                    hb_buf_puts(&key, name);
                hb_buf_putc(&key, '\x1f');
            }
            row = (size_t)(uintptr_t)hb_map_get(at, key.data);
            if (row == 0) {
                if (r->nrows == cap) {
                    cap = cap ? 2 * cap : 64;
                    r->rows = hb_realloc(r->rows, cap * sizeof *r->rows);
                }
                place_row_t *p = &r->rows[r->nrows];
                memset(p, 0, sizeof *p);
                for (int i = 0; i < r->level; i++)
                    p->name[i] = col_text(st, 1 + i) ? hb_strdup(col_text(st, 1 + i)) : NULL;
                row = ++r->nrows;
                hb_map_put(at, key.data, (void *)(uintptr_t)row);
            }
        }
        place_row_t *p = &r->rows[row - 1];
        const char *kind = col_text(st, 5);
        long n = sqlite3_column_int64(st, 7);
        int t = topic_index(r, col_text(st, 6)), k = 0;
        while (k < 4 && !same(kinds[k], kind))
            k++;
        if (t >= 0)
            p->topic[t] += n;
        p->kind[k] += n;
        p->total += n;
    }
    sqlite3_finalize(st);
    hb_buf_release(&key);
    hb_map_free(at);
    if (r->nrows)
        qsort(r->rows, r->nrows, sizeof *r->rows, by_place);
}

/* Group rows (province, city, county) where the place changes above its
 * own level. */
static void group_rows(report_t *r, const place_row_t *prev, const place_row_t *cur, bool first,
                       int span)
{
    bool changed = first;
    for (int i = 0; i < r->level - 1; i++) {
        changed |= !same(prev->name[i], cur->name[i]);
        if (!changed || !cur->name[i])
            continue; /* an unknown province, city or county has no heading */
        fprintf(r->f, "<tr class=\"g%d\"><th colspan=\"%d\">%s ", i + 1, span, level_name[i]);
        place_name(r->f, cur->name[i]);
        fputs("</th></tr>\n", r->f);
    }
}

static void heat_row(report_t *r, const place_row_t *p, long i)
{
    FILE *f = r->f;
    fprintf(f, "<tr data-i=\"%ld\"><td class=\"n\">", i);
    place_name(f, p->name[r->level - 1]);
    fprintf(f, " <small>%ld</small></td>", p->total);
    for (int t = 0; t < r->ntopics; t++) {
        double s = p->total ? (double)p->topic[t] / (double)p->total : 0;
        double a = s / 0.3 > 1 ? 1 : s / 0.3;
        fprintf(f, "<td class=\"c\" data-v=\"%.4f\" style=\"background:rgba(196,58,40,%.2f)%s\""
                " title=\"", s, a, a > 0.6 ? ";color:#fff" : "");
        place_name(f, p->name[r->level - 1]);
        fputs(" · ", f);
        esc(f, r->label[t] ? r->label[t] : r->topic[t]);
        fprintf(f, " %.1f%%\">", 100 * s);
        if (s >= 0.005)
            fprintf(f, "%.0f", 100 * s);
        fputs("</td>", f);
    }
    fputs("</tr>\n", f);
}

static void kind_row(report_t *r, const place_row_t *p)
{
    FILE *f = r->f;
    fputs("<tr><td class=\"n\">", f);
    place_name(f, p->name[r->level - 1]);
    fputs("</td><td><svg width=\"420\" height=\"14\" role=\"img\">", f);
    double x = 0;
    for (int k = 0; k < 5; k++) {
        double w = p->total ? 420.0 * (double)p->kind[k] / (double)p->total : 0;
        if (w > 0)
            fprintf(f, "<rect x=\"%.1f\" width=\"%.1f\" height=\"14\" fill=\"%s\"><title>%s %.1f%%"
                    "</title></rect>", x, w, kind_color[k], kind_label[k],
                    100.0 * (double)p->kind[k] / (double)p->total);
        x += w;
    }
    fprintf(f, "</svg></td><td>%ld</td></tr>\n", p->total);
}

/* Walks the per-place rows of a query, calling emit for each place. */
static void each_place(report_t *r, int span, void (*emit)(report_t *, const place_row_t *, long))
{
    place_row_t none = {0};
    for (size_t i = 0; i < r->nrows; i++) {
        group_rows(r, i ? &r->rows[i - 1] : &none, &r->rows[i], i == 0, span);
        emit(r, &r->rows[i], (long)i);
    }
}

static void emit_heat(report_t *r, const place_row_t *p, long i)
{
    heat_row(r, p, i);
}

static void emit_kind(report_t *r, const place_row_t *p, long i)
{
    (void)i;
    kind_row(r, p);
}

static void level_note(report_t *r)
{
    if (r->level < 4)
        fprintf(r->f, "<p class=\"note\"><b>地区较多（%ld 个乡镇），按%s汇总为 %ld 行。</b></p>\n",
                r->town_places, level_name[r->level - 1], r->places);
}

static void heatmap(report_t *r)
{
    FILE *f = r->f;
    fputs("<section id=\"heatmap-section\"><h2>各地议题关注度</h2>\n"
          "<p class=\"note\">每格：该地区（各年合计）以该议题为主题的段落占其全部段落的比例（%）。"
          "点击议题名按该议题排序（各组内），点击“地区”恢复原顺序。</p>\n", f);
    level_note(r);
    fputs("<p class=\"legend note\">0 <span style=\"background:rgba(196,58,40,.1)\"></span>"
          "<span style=\"background:rgba(196,58,40,.4)\"></span><span style=\"background:"
          "rgba(196,58,40,.7)\"></span><span style=\"background:rgba(196,58,40,1)\"></span>"
          " ≥30%</p>\n<div class=\"scroll\"><table id=\"heatmap\"><thead><tr><th>地区</th>", f);
    for (int t = 0; t < r->ntopics; t++) {
        fputs("<th title=\"", f);
        esc(f, r->topic[t]);
        fputs("\">", f);
        esc(f, r->label[t] ? r->label[t] : r->topic[t]);
        fputs("</th>", f);
    }
    fputs("</tr></thead><tbody>\n", f);
    each_place(r, r->ntopics + 1, emit_heat);
    fputs("</tbody></table></div></section>\n", f);
}

static void kind_shares(report_t *r)
{
    FILE *f = r->f;
    fputs("<section id=\"kinds\"><h2>各地内容构成</h2>\n<p class=\"note\">", f);
    for (int k = 0; k < 5; k++)
        fprintf(f, "<span style=\"color:%s\">■</span> %s ", kind_color[k], kind_label[k]);
    fputs("（段落数占比）</p>\n", f);
    level_note(r);
    fputs("<div class=\"scroll\"><table class=\"list\"><tbody>\n", f);
    each_place(r, 3, emit_kind);
    fputs("</tbody></table></div></section>\n", f);
}

/* Per topic, the five largest figures in its most quoted unit of measure
 * (percentages aside: a largest share says little). */
static void top_figures(report_t *r, const hb_figtop_t *top)
{
    FILE *f = r->f;
    fputs("<section id=\"figures\"><h2>各议题最大数字</h2>\n<p class=\"note\">每个议题中最常见计量单位"
          "（百分比除外）下数值最大的五个数字，及其所计之事与出处。</p>\n"
          "<table class=\"list\"><tr><th>议题</th><th>原文</th><th>数值</th><th>单位</th>"
          "<th>所计</th><th>地区</th><th>年份</th></tr>\n", f);
    /* Units without a topic and topics outside the config first, then the
     * config's in its order. */
    sqlite3_stmt *st = query(r, "SELECT coalesce(d.town, d.county, d.city, d.province), d.year"
                                " FROM units u JOIN documents d ON d.id = u.doc_id WHERE u.id = ?");
    size_t ntop = top ? hb_figtop_topics(top) : 0;
    for (int pos = -2; st && pos < r->ntopics; pos++) {
        for (size_t i = 0; i < ntop; i++) {
            const char *id = hb_figtop_topic(top, i);
            int at = id ? topic_index(r, id) : -2;
            if (at != pos)
                continue;
            const char *bu;
            const hb_figtop_fig_t *fig;
            size_t n = hb_figtop_best(top, i, &bu, &fig);
            for (size_t k = 0, shown = 0; k < n && shown < 5; k++) {
                /* A document dropped after its figures came is no longer there. */
                sqlite3_bind_int64(st, 1, (sqlite3_int64)fig[k].unit_id);
                if (sqlite3_step(st) == SQLITE_ROW) {
                    shown++;
                    fputs("<tr><td>", f);
                    esc(f, topic_label(r, id));
                    fputs("</td><td>", f);
                    esc(f, fig[k].raw);
                    fprintf(f, "</td><td>%.10g</td><td>", fig[k].v);
                    esc(f, bu);
                    fputs("</td><td>", f);
                    esc(f, fig[k].subject);
                    fputs("</td><td>", f);
                    place_name(f, col_text(st, 0));
                    fputs("</td><td>", f);
                    esc(f, col_text(st, 1));
                    fputs("</td></tr>\n", f);
                }
                sqlite3_reset(st);
            }
        }
    }
    sqlite3_finalize(st);
    fputs("</table></section>\n", f);
}

/* The town and year with the most units in both its summary and its plans:
 * per topic, its share of the summary beside its share of the plans. */
static void town_compare(report_t *r)
{
    FILE *f = r->f;
    fputs("<section id=\"town\"><h2>总结与计划对照</h2>\n", f);
    sqlite3_stmt *st = query(r,
        "SELECT d.province, d.city, d.county, d.town, d.year, sum(x.s) AS s, sum(x.p) AS p"
        " FROM (SELECT doc_id, sum(n * (kind = 'summary')) AS s, sum(n * (kind = 'plan')) AS p"
        " FROM mix GROUP BY doc_id) x JOIN documents d ON d.id = x.doc_id"
        " WHERE d.town IS NOT NULL GROUP BY 1, 2, 3, 4, 5 HAVING s > 0 AND p > 0"
        " ORDER BY min(s, p) DESC, s + p DESC, 1, 2, 3, 4, 5 LIMIT 1");
    if (!st || sqlite3_step(st) != SQLITE_ROW) {
        fputs("<p class=\"note\">没有同时含总结和计划部分的乡镇报告。</p></section>\n", f);
        sqlite3_finalize(st);
        return;
    }
    char *name[5];
    for (int i = 0; i < 5; i++)
        name[i] = col_text(st, i) ? hb_strdup(col_text(st, i)) : NULL;
    long sum_s = sqlite3_column_int64(st, 5), sum_p = sqlite3_column_int64(st, 6);
    sqlite3_finalize(st);
    fputs("<p class=\"note\">", f);
    for (int i = 0; i < 4; i++)
        if (name[i]) {
            esc(f, name[i]);
            fputc(' ', f);
        }
    if (name[4])
        fprintf(f, "%s 年", name[4]);
    fprintf(f, "：总结 %ld 段，计划 %ld 段（本次运行中两部分都最充实的乡镇报告）。左：上半年总结中各议题占比；"
            "右：下半年计划中各议题占比。</p>\n", sum_s, sum_p);
    st = query(r, "SELECT u.topic, sum(u.n * (u.kind = 'summary')), sum(u.n * (u.kind = 'plan'))"
                  " FROM mix u JOIN documents d ON d.id = u.doc_id"
                  " WHERE d.province IS ?1 AND d.city IS ?2 AND d.county IS ?3 AND d.town IS ?4"
                  " AND d.year IS ?5 GROUP BY u.topic");
    long s[MAX_TOPICS] = {0}, p[MAX_TOPICS] = {0};
    for (int i = 0; st && i < 5; i++)
        if (name[i])
            sqlite3_bind_text(st, i + 1, name[i], -1, SQLITE_STATIC);
    while (st && sqlite3_step(st) == SQLITE_ROW) {
        int t = topic_index(r, col_text(st, 0));
        if (t >= 0) {
            s[t] = sqlite3_column_int64(st, 1);
            p[t] = sqlite3_column_int64(st, 2);
        }
    }
    sqlite3_finalize(st);
    int rows = 0;
    for (int t = 0; t < r->ntopics; t++)
        rows += s[t] || p[t];
    fprintf(f, "<svg id=\"compare\" width=\"820\" height=\"%d\" role=\"img\" "
            "font-size=\"12\">\n<text x=\"320\" y=\"14\" text-anchor=\"end\" "
            "fill=\"#4e79a7\">总结</text><text x=\"500\" y=\"14\" fill=\"#f28e2b\">计划</text>\n",
            30 + 20 * rows);
    int y = 26;
    for (int t = 0; t < r->ntopics; t++) {
        if (!s[t] && !p[t])
            continue;
        double ws = sum_s ? 300.0 * (double)s[t] / (double)sum_s : 0;
        double wp = sum_p ? 300.0 * (double)p[t] / (double)sum_p : 0;
        fprintf(f, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"14\" fill=\"#4e79a7\">"
                "<title>总结 %ld 段</title></rect>", 320 - ws, y, ws, s[t]);
        fprintf(f, "<rect x=\"500\" y=\"%d\" width=\"%.1f\" height=\"14\" fill=\"#f28e2b\">"
                "<title>计划 %ld 段</title></rect>", y, wp, p[t]);
        fprintf(f, "<text x=\"410\" y=\"%d\" text-anchor=\"middle\"%s>", y + 11,
                !s[t] ? " font-weight=\"bold\" fill=\"#b3431c\"" : "");
        esc(f, r->label[t] ? r->label[t] : r->topic[t]);
        fprintf(f, "%s</text>\n", !s[t] ? " ★" : "");
        y += 20;
    }
    fputs("</svg>\n<p class=\"note\">★ 计划提到而总结未提到的议题。</p></section>\n", f);
    for (int i = 0; i < 5; i++)
        free(name[i]);
}

int hb_report_write(const char *dir, const hb_figtop_t *top)
{
    report_t r;
    memset(&r, 0, sizeof r);
    r.dir = dir;
    char path[4200], tmp[4300];
    snprintf(path, sizeof path, "%s/results.sqlite", dir);
    if (sqlite3_open_v2(path, &r.db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        hb_error("%s: cannot open it to write report.html: %s", path, sqlite3_errmsg(r.db));
        sqlite3_close(r.db);
        return -1;
    }
    snprintf(path, sizeof path, "%s/report.html", dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    r.f = fopen(tmp, "w");
    if (!r.f) {
        hb_error("%s: cannot create: %s", tmp, strerror(errno));
        sqlite3_close(r.db);
        return -1;
    }
    setvbuf(r.f, NULL, _IOFBF, 1 << 16);
    load_topics(&r);
    choose_level(&r);
    count_units(&r);
    sum_places(&r);
    fputs("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
          "<meta name=\"viewport\" content=\"width=device-width\">"
          "<title>汇报分析报告</title>\n", r.f);
    fputs(style, r.f);
    fputs("</head><body>\n", r.f);
    overview(&r);
    heatmap(&r);
    kind_shares(&r);
    top_figures(&r, top);
    town_compare(&r);
    fputs(script, r.f);
    fputs("</body></html>\n", r.f);
    bool bad = ferror(r.f) != 0;
    if (fclose(r.f) != 0 || bad) {
        hb_error("%s: could not be written completely: %s", tmp, strerror(errno));
        r.failed = true;
    }
    if (!r.failed && rename(tmp, path) != 0) {
        hb_error("%s: cannot rename to %s: %s", tmp, path, strerror(errno));
        r.failed = true;
    }
    if (r.failed)
        unlink(tmp);
    for (int i = 0; i < r.ntopics; i++) {
        free(r.topic[i]);
        free(r.label[i]);
    }
    for (size_t i = 0; i < r.nrows; i++)
        for (int k = 0; k < 4; k++)
            free(r.rows[i].name[k]);
    free(r.rows);
    sqlite3_close(r.db);
    return r.failed ? -1 : 0;
}
