#include "places.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "hb_mem.h"
#include "hb_regex.h"

#define HAN "\\x{3400}-\\x{4DBF}\\x{4E00}-\\x{9FFF}"

struct hb_places {
    hb_regex_t re; /* anchored: tried only where a name can start */
};

/* 村 that starts a word (村级, 村党组织, 村两委, 村民, 村道路) ends no name;
 * a committee names its village (南丰村民委员会, 南丰村委会 -> 南丰村,
 * 木叶溪社区居民委员会 -> 木叶溪社区), as the official list does. */
static const char place_re[] =
    "(?:(?<![" HAN "])|(?<=[在对和与及到为将把由从向至]))([" HAN "]{2,3}?(?:村|社区))"
    "(?!级|党|两委|委(?!会)|民(?!委员会)|干部|集体|支部|组|务|规|道|容|貌|庄|医|卫|社|里|部|"
    "居(?!民委员会|委会)|内)";

/* Words before 村 that make a kind of village, not a name. */
static bool generic(const char *s, size_t len)
{
    static const char *const kinds[] = {
        "示范", "贫困", "重点", "试点", "行政", "自然", "精品", "先进", "文明", "脱贫", "出列",
        "特色", "美丽", "和美", "宜居", "样板", "中心", "所辖", "相关", "周边", "边缘", "集体",
        "新农", "乡", "农", "全", "各", "该", "本", "每", "一", "两", "驻", "包", "联", "进",
        "到", "城中", "空心", "传统", "历史", "旅游", "民族", "生态", "省级", "市级", "县级",
        "国家级", "非贫", "移民", "搬迁", "所在", "其他", "个别", "部分", "多个", "邻", "我",
        "镇", "清廉", "帮扶", "结对"};
    size_t name = len - (memcmp(s + len - 3, "村", 3) ? 6 : 3); /* bytes before 村/社区 */
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        size_t n = strlen(kinds[i]);
        if ((n <= name && !memcmp(s, kinds[i], n)) ||
            (n <= name && !memcmp(s + name - n, kinds[i], n)))
            return true;
    }
    return false;
}

static bool is_preposition(const char *s)
{
    static const char *const preps[] = {"在", "对", "和", "与", "及", "到", "为", "将", "把",
                                        "由", "从", "向", "至"};
    for (size_t i = 0; i < sizeof preps / sizeof preps[0]; i++)
        if (!memcmp(s, preps[i], 3))
            return true;
    return false;
}

hb_places_t *hb_places_new(void)
{
    hb_places_t *p = hb_calloc(1, sizeof *p);
    if (hb_regex_compile(&p->re, place_re, PCRE2_ANCHORED, "classify: village rule") != 0) {
        free(p);
        return NULL;
    }
    return p;
}

void hb_places_free(hb_places_t *p)
{
    if (!p)
        return;
    hb_regex_free(&p->re);
    free(p);
}

/* Where the next 村 and the next 社区 start (len when none), each searched
 * again only once reached: a long text with many of one and none of the
 * other is read once, not once per mention.  {0, 0} searches both. */
typedef struct markers {
    size_t cun, shequ;
} markers_t;

static size_t find(const char *text, size_t len, size_t from, const char *word, size_t wlen)
{
    const char *hit = from < len ? memmem(text + from, len - from, word, wlen) : NULL;
    return hit ? (size_t)(hit - text) : len;
}

/* The next 村 or 社区 starting at or after from, or len. */
static size_t next_marker(markers_t *m, const char *text, size_t len, size_t from)
{
    if (m->cun <= from)
        m->cun = find(text, len, from, "村", 3);
    if (m->shequ <= from)
        m->shequ = find(text, len, from, "社区", 6);
    return m->cun < m->shequ ? m->cun : m->shequ;
}

/* A name is two or three Han characters (three bytes each) before 村 or 社区,
 * so a match can only start 9 or 6 bytes before one: the rule, anchored, is
 * tried there in increasing order, which finds what the same rule unanchored
 * would find first (tried at every character, it cost classify 7% of its
 * instructions). */
size_t hb_places_extract(hb_places_t *p, const char *text, size_t len, hb_place_t *out,
                         size_t max)
{
    size_t n = 0, at = 0, tried = 0; /* tried: candidates below this are done */
    markers_t m = {0, 0};
    for (size_t q = next_marker(&m, text, len, 0); n < max && q < len;
         q = next_marker(&m, text, len, q + 3)) {
        size_t starts[2] = {q >= 9 ? q - 9 : len, q >= 6 ? q - 6 : len};
        for (int k = 0; k < 2 && n < max; k++) {
            size_t c = starts[k];
            /* Not inside a character: a lead byte is where a name starts. */
            if (c == len || c < at || c < tried || ((unsigned char)text[c] & 0xC0) == 0x80)
                continue;
            tried = c + 1;
            if (hb_regex_match(&p->re, text, len, c, 0) != 1)
                continue;
            PCRE2_SIZE *ov = hb_regex_ovector(&p->re);
            const char *s = text + ov[2];
            size_t l = ov[3] - ov[2];
            at = ov[1];
            /* A preposition before the name is not part of it (在芷溪村, 对杨龙村). */
            if (l >= 12 && is_preposition(s)) { /* two name characters stay */
                s += 3;
                l -= 3;
            }
            if (generic(s, l))
                continue;
            bool seen = false;
            for (size_t i = 0; i < n && !seen; i++)
                seen = out[i].len == l && !memcmp(out[i].s, s, l);
            if (!seen)
                out[n++] = (hb_place_t){s, l};
        }
    }
    return n;
}
