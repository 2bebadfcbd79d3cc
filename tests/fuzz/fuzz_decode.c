/* fuzz_decode: the raw bytes of a file -> hb_decode.
 *
 * Input: any bytes.  Checks:
 *   - a rejection has a non-empty reason, and leaves out empty;
 *   - an accepted text has an encoding and no reason, is valid UTF-8 with no
 *     CR and no NUL, and is NUL-terminated;
 *   - input that is already valid UTF-8 (no BOM, no NUL) is either rejected
 *     or accepted as "utf-8" and comes out unchanged apart from its line
 *     ends (CRLF and lone CR become LF). */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "decode.h"
#include "hb_buf.h"
#include "hb_utf8.h"



/* in with CRLF and lone CR turned into LF */
static void lf_only(const char *in, size_t len, hb_buf_t *out)
{
    hb_buf_reset(out);
    hb_buf_reserve(out, len);
    for (size_t i = 0; i < len; i++) {
        if (in[i] == '\r') {
            hb_buf_putc(out, '\n');
            if (i + 1 < len && in[i + 1] == '\n')
                i++;
        } else {
            hb_buf_putc(out, in[i]);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static hb_buf_t out, want;
    const char *raw = (const char *)data;
    hb_decode_result_t res;
    memset(&res, 0xA5, sizeof res);
    int rc = hb_decode(raw, size, &out, &res);
    FUZZ_CHECK(rc == 0 || rc == -1);
    if (rc != 0) {
        FUZZ_CHECK(res.reason != NULL && *res.reason);
        FUZZ_CHECK(out.len == 0);
        return 0;
    }
    FUZZ_CHECK(res.reason == NULL && res.encoding != NULL && *res.encoding);
    FUZZ_CHECK(out.data != NULL && out.len > 0);
    FUZZ_CHECK(out.data[out.len] == '\0');
    FUZZ_CHECK(hb_utf8_valid(out.data, out.len, NULL));
    FUZZ_CHECK(memchr(out.data, '\r', out.len) == NULL);
    FUZZ_CHECK(memchr(out.data, '\0', out.len) == NULL);

    bool bom = size >= 2 && ((data[0] == 0xEF && size >= 3 && data[1] == 0xBB && data[2] == 0xBF) ||
                             (data[0] == 0xFF && data[1] == 0xFE) ||
                             (data[0] == 0xFE && data[1] == 0xFF) ||
                             (size >= 4 && !memcmp(data, "\0\0\xFE\xFF", 4)));
    if (!bom && !memchr(raw, 0, size) && hb_utf8_valid(raw, size, NULL)) {
        FUZZ_CHECK(strcmp(res.encoding, "utf-8") == 0);
        lf_only(raw, size, &want);
        FUZZ_CHECK(want.len == out.len && !memcmp(want.data, out.data, out.len));
    }
    return 0;
}
