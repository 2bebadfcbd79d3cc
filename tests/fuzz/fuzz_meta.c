/* fuzz_meta: a path and a document's text -> hb_meta_derive (no --meta CSV).
 *
 * Input: the path up to the first '\n' (at most 4095 bytes, NUL-terminated
 * at the first NUL), then the text.  Like huibao-read, the text is valid UTF-8
 * (the read stage decodes it first) but the path is whatever bytes the file
 * system holds (huibao-read passes it on unchecked).  Checks:
 *   - town and county are NUL-terminated inside their arrays, valid UTF-8,
 *     and found in the text or the path (the county only without the
 *     division list, which derives it);
 *   - code has 0, 2, 4, 6 or 9 digits, every candidate 9;
 *   - year is 0 or between 1900 and 2099.
 * With the division index where hb_division_default finds it, else without. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "hb_utf8.h"
#include "meta.h"



static void check_name(const char *name, size_t cap, const char *path, const char *text,
                       size_t len)
{
    size_t n = strnlen(name, cap);
    FUZZ_CHECK(n < cap);
    if (!n)
        return;
    FUZZ_CHECK(hb_utf8_valid(name, n, NULL));
    FUZZ_CHECK(memmem(text, len, name, n) || strstr(path, name));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static hb_meta_t *meta;
    static hb_division_t *division;
    if (!meta) {
        char buf[4096];
        const char *idx = hb_division_default(buf, sizeof buf);
        division = idx ? hb_division_open(idx) : NULL;
        meta = hb_meta_new(NULL, division);
        FUZZ_CHECK(meta != NULL);
    }
    const char *nl = memchr(data, '\n', size);
    size_t plen = nl ? (size_t)(nl - (const char *)data) : size;
    char path[4096];
    if (plen >= sizeof path)
        plen = sizeof path - 1;
    memcpy(path, data, plen);
    path[plen] = '\0';
    const char *text = nl ? nl + 1 : (const char *)data + size;
    size_t len = (size_t)((const char *)data + size - text);
    if (!hb_utf8_valid(text, len, NULL))
        return 0;

    hb_docmeta_t out;
    memset(&out, 0xA5, sizeof out);
    hb_meta_derive(meta, path, text, len, &out);
    check_name(out.town, sizeof out.town, path, text, len);
    if (!division)
        check_name(out.county, sizeof out.county, path, text, len);
    size_t n = strnlen(out.code, sizeof out.code);
    FUZZ_CHECK(n == 0 || n == 2 || n == 4 || n == 6 || n == 9);
    FUZZ_CHECK(strspn(out.code, "0123456789") == n);
    for (size_t i = 0; i < out.ncandidates; i++)
        FUZZ_CHECK(strlen(out.candidates[i]) == 9);
    FUZZ_CHECK(out.year == 0 || (out.year >= 1900 && out.year <= 2099));
    return 0;
}
