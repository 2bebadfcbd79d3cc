#include "hb_json.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "hb_utf8.h"

/* Does the word hold a byte below 0x20, a '"' or a '\\'?  Exact, not a
 * hint: the two tests are the usual "has a zero byte" and "has a byte less
 * than n" bit tricks, which have no false positives as a whole. */
static inline bool word_needs_escape(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    uint64_t quote = w ^ (ones * '"'), slash = w ^ (ones * '\\');
    uint64_t control = (w - ones * 0x20) & ~w;
    uint64_t zero = ((quote - ones) & ~quote) | ((slash - ones) & ~slash);
    return ((control | zero) & highs) != 0;
}

void hb_json_str(hb_buf_t *b, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    if (len == 0) { /* s may be NULL: msgpack-c's empty strings */
        hb_buf_append(b, "\"\"", 2);
        return;
    }
    if (!hb_utf8_valid(s, len, NULL)) { /* never reached by text the reader decoded */
        hb_buf_t clean;
        hb_buf_init(&clean);
        hb_utf8_sanitize(&clean, s, len);
        hb_json_str(b, clean.data, clean.len);
        hb_buf_release(&clean);
        return;
    }
    hb_buf_reserve(b, len + 2);
    hb_buf_putc(b, '"');
    size_t run = 0; /* bytes copied verbatim in one append */
    for (size_t i = 0; i < len; i++) {
        /* Eight bytes at a time while none needs escaping: text is nearly
         * all Chinese, which never does. */
        uint64_t w;
        while (len - i >= 8 && (memcpy(&w, s + i, 8), !word_needs_escape(w))) {
            i += 8;
            run += 8;
        }
        if (i == len)
            break;
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') {
            run++;
            continue;
        }
        hb_buf_append(b, s + i - run, run);
        run = 0;
        switch (c) {
        case '"': hb_buf_append(b, "\\\"", 2); break;
        case '\\': hb_buf_append(b, "\\\\", 2); break;
        case '\n': hb_buf_append(b, "\\n", 2); break;
        case '\t': hb_buf_append(b, "\\t", 2); break;
        case '\r': hb_buf_append(b, "\\r", 2); break;
        default: {
            char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            hb_buf_append(b, esc, 6);
        }
        }
    }
    hb_buf_append(b, s + len - run, run);
    hb_buf_putc(b, '"');
}

/* Decimal digits of v, without printf (the aggregator writes millions). */
static void json_u64(hb_buf_t *b, uint64_t v)
{
    char tmp[20];
    size_t n = sizeof tmp;
    do {
        tmp[--n] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    hb_buf_append(b, tmp + n, sizeof tmp - n);
}

void hb_json_cstr(hb_buf_t *b, const char *s)
{
    if (s)
        hb_json_str(b, s, strlen(s));
    else
        hb_buf_append(b, "null", 4);
}

void hb_json_key(hb_buf_t *b, const char *key, int first)
{
    if (!first)
        hb_buf_putc(b, ',');
    hb_json_cstr(b, key);
    hb_buf_putc(b, ':');
}

static void json_double(hb_buf_t *b, double d)
{
    /* Scores and confidences have three decimals at most: print them without
     * printf's general float formatting, which dominated the aggregator. */
    double milli = d * 1000;
    if (d >= 0 && d < 1e9 && milli == (double)(uint64_t)milli) {
        uint64_t m = (uint64_t)milli;
        char frac[4] = {'.', (char)('0' + m / 100 % 10), (char)('0' + m / 10 % 10),
                        (char)('0' + m % 10)};
        size_t n = 4;
        while (n > 2 && frac[n - 1] == '0')
            n--;
        json_u64(b, m / 1000);
        hb_buf_append(b, frac, n);
        return;
    }
    if (!isfinite(d))
        hb_buf_append(b, "null", 4);
    else {
        size_t at = b->len;
        hb_buf_printf(b, "%.6g", d);
        /* Keep a float a float for readers that tell 1.0 from 1. */
        if (!strpbrk(b->data + at, ".en"))
            hb_buf_append(b, ".0", 2);
    }
}

/* JSON keys are strings.  A scalar key is written as its text; a map or
 * array key (legal msgpack, meaningless here) as a placeholder: rendering it
 * as escaped JSON would double in size with every level of nesting. */
static void json_key(hb_buf_t *b, const msgpack_object *k)
{
    char text[64];
    switch (k->type) {
    case MSGPACK_OBJECT_STR: hb_json_str(b, k->via.str.ptr, k->via.str.size); return;
    case MSGPACK_OBJECT_POSITIVE_INTEGER:
        snprintf(text, sizeof text, "%" PRIu64, k->via.u64);
        break;
    case MSGPACK_OBJECT_NEGATIVE_INTEGER:
        snprintf(text, sizeof text, "%" PRId64, k->via.i64);
        break;
    case MSGPACK_OBJECT_BOOLEAN:
        snprintf(text, sizeof text, "%s", k->via.boolean ? "true" : "false");
        break;
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64: snprintf(text, sizeof text, "%.6g", k->via.f64); break;
    case MSGPACK_OBJECT_NIL: snprintf(text, sizeof text, "null"); break;
    default:
        snprintf(text, sizeof text, "(%s)",
                 k->type == MSGPACK_OBJECT_MAP     ? "map"
                 : k->type == MSGPACK_OBJECT_ARRAY ? "array"
                                                   : "binary");
        break;
    }
    hb_json_cstr(b, text);
}

void hb_json_obj(hb_buf_t *b, const msgpack_object *o)
{
    switch (o->type) {
    case MSGPACK_OBJECT_NIL: hb_buf_append(b, "null", 4); break;
    case MSGPACK_OBJECT_BOOLEAN: hb_buf_puts(b, o->via.boolean ? "true" : "false"); break;
    case MSGPACK_OBJECT_POSITIVE_INTEGER: json_u64(b, o->via.u64); break;
    case MSGPACK_OBJECT_NEGATIVE_INTEGER: hb_buf_printf(b, "%" PRId64, o->via.i64); break;
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64: json_double(b, o->via.f64); break;
    case MSGPACK_OBJECT_STR: hb_json_str(b, o->via.str.ptr, o->via.str.size); break;
    case MSGPACK_OBJECT_ARRAY:
        hb_buf_putc(b, '[');
        for (uint32_t i = 0; i < o->via.array.size; i++) {
            if (i)
                hb_buf_putc(b, ',');
            hb_json_obj(b, &o->via.array.ptr[i]);
        }
        hb_buf_putc(b, ']');
        break;
    case MSGPACK_OBJECT_MAP:
        hb_buf_putc(b, '{');
        for (uint32_t i = 0; i < o->via.map.size; i++) {
            const msgpack_object_kv *kv = &o->via.map.ptr[i];
            if (i)
                hb_buf_putc(b, ',');
            json_key(b, &kv->key);
            hb_buf_putc(b, ':');
            hb_json_obj(b, &kv->val);
        }
        hb_buf_putc(b, '}');
        break;
    default: hb_buf_append(b, "null", 4); break;
    }
}
